/* sla.c: which SLA targets apply to a ticket, and its due times.
 *
 * Due times are stored on the ticket so the queue can sort by them with
 * an index; they are recomputed from the policy and the conversation
 * each time core saves a ticket (sla_refresh), so a change of priority,
 * queue or channel, a customer message, a reply or an edited policy
 * show up at the ticket's next change.  The clocks are in sla.h. */
#include <string.h>

#include "sla.h"
#include "util.h"

static int64_t earliest(int64_t a, int64_t b)
{
	if (!a)
		return b;
	if (!b)
		return a;
	return a < b ? a : b;
}

const struct sla_target *sla_target_for(const struct config *cfg, enum priority p,
					const char *queue, enum channel ch)
{
	const struct sla_policy *best = NULL;
	int best_score = 0;
	for (size_t i = 0; i < cfg->nsla_policies; i++) {
		const struct sla_policy *pol = &cfg->sla_policies[i];
		if (pol->priority != p)
			continue;
		if (pol->queue && (!queue || strcmp(pol->queue, queue) != 0))
			continue;
		if (pol->channel >= 0 && pol->channel != (int)ch)
			continue;
		/* A queue says more about the work than a channel does. */
		int score = (pol->queue ? 2 : 0) + (pol->channel >= 0 ? 1 : 0);
		if (score > best_score) {
			best = pol;
			best_score = score;
		}
	}
	return best ? &best->target : &cfg->sla[p];
}

static const struct business_hours *hours(const struct config *cfg)
{
	return cfg && cfg->hours.enabled ? &cfg->hours : NULL;
}

int64_t sla_clock_seconds(const struct config *cfg, int64_t a, int64_t b)
{
	return bh_seconds(hours(cfg), a, b);
}

static int64_t due(const struct config *cfg, int64_t start, int64_t target)
{
	return start && target ? bh_add(hours(cfg), start, target) : 0;
}

/* next_due: what the queue sorts by.  The first response counts until
 * it is given, the next response while one is awaited, the resolution
 * unless the ticket is pending (its clock stands still). */
static void set_next_due(struct ticket *t)
{
	if (t->status == ST_SOLVED || t->status == ST_CLOSED) {
		t->next_due = 0;
		return;
	}
	int64_t d = t->next_response_due;
	if (!t->first_response_at)
		d = earliest(d, t->first_response_due);
	if (t->status != ST_PENDING)
		d = earliest(d, t->resolution_due);
	t->next_due = d;
}

void sla_compute(const struct config *cfg, struct ticket *t, const struct sla_facts *f)
{
	if (cfg) {
		const struct sla_target *g =
			sla_target_for(cfg, t->priority, t->queue, t->channel);
		t->first_response_due = due(cfg, f->first_customer_at, g->first_response);
		t->next_response_due =
			t->first_response_at ? due(cfg, f->awaiting_since, g->next_response) : 0;
		/* The paused time is on the same clock as the target. */
		t->resolution_due =
			g->resolution ? due(cfg, t->created_at, g->resolution + t->paused_seconds)
				      : 0;
	}
	set_next_due(t);
}

/* Without the conversation at hand (a new ticket before its first
 * message, an import): the customer is taken to have written when the
 * ticket was created, and an awaited next response is kept. */
void sla_apply(const struct config *cfg, struct ticket *t)
{
	int64_t next_response_due = t->next_response_due;
	struct sla_facts f = {.first_customer_at = t->created_at};
	sla_compute(cfg, t, &f);
	if (cfg && next_response_due) {
		t->next_response_due = next_response_due;
		set_next_due(t);
	}
}

int sla_refresh(struct desk *d, struct ticket *t, struct derr *e)
{
	struct sla_facts f = {0};
	int rc = t->id ? store_sla_facts(d->st, t->id, &f, e) : DESK_OK;
	if (rc == DESK_OK)
		sla_compute(d->cfg, t, &f);
	return rc;
}

void sla_status_change(const struct config *cfg, struct ticket *t, enum status from,
		       enum status to, int64_t now)
{
	if (from == to)
		return;
	if (to == ST_PENDING) {
		t->pending_since = now;
	} else if (from == ST_PENDING) {
		if (t->pending_since && now > t->pending_since)
			t->paused_seconds += sla_clock_seconds(cfg, t->pending_since, now);
		t->pending_since = 0;
	}
}

enum sla_urgency sla_urgency_of(const struct config *cfg, int64_t due_at, int64_t target,
				int64_t now)
{
	if (!due_at)
		return SLA_NONE;
	if (now >= due_at)
		return SLA_PAST;
	int pct = cfg && cfg->sla_warn_percent > 0 ? cfg->sla_warn_percent : 25;
	int64_t left = sla_clock_seconds(cfg, now, due_at);
	return target > 0 && left * 100 <= target * pct ? SLA_NEAR : SLA_OK;
}

enum sla_urgency sla_ticket_urgency(const struct config *cfg, const struct ticket *t,
				    int64_t now)
{
	if (!t->next_due)
		return SLA_NONE;
	if (!cfg)
		return now >= t->next_due ? SLA_PAST : SLA_OK;
	const struct sla_target *g = sla_target_for(cfg, t->priority, t->queue, t->channel);
	int64_t target = t->next_due == t->next_response_due  ? g->next_response
			 : t->next_due == t->first_response_due ? g->first_response
								 : g->resolution;
	return sla_urgency_of(cfg, t->next_due, target, now);
}
