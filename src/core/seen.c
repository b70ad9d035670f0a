/* seen.c: what is new to an agent, and which consoles are open.
 *
 * "New" is read, never stored: a ticket is new to the agent when it
 * changed after they last saw it (ticket_seen), or, never seen, after
 * their baseline (core_seen_baseline).  The console records a ticket as
 * seen when it is shown in the conversation pane and again when it
 * changes there, so the agent's own changes never make it new.
 *
 * Both are best-effort, like presence: a busy database costs a stale
 * mark or a stale row, never an error in the agent's way. */
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "util.h"

/* One write in its own short transaction. */
#define IN_TXN(d, e, call)                          \
	do {                                        \
		int rc_ = store_begin((d)->st, (e)); \
		if (rc_)                            \
			return rc_;                 \
		if ((rc_ = (call))) {               \
			store_rollback((d)->st);    \
			return rc_;                 \
		}                                   \
		return store_commit((d)->st, (e));  \
	} while (0)

int core_seen_mark(struct desk *d, int64_t ticket_id, struct derr *e)
{
	if (!d->me.id || !ticket_id)
		return DESK_OK;
	IN_TXN(d, e, store_seen_mark(d->st, d->me.id, ticket_id, time_now(), e));
}

int core_seen_stale(struct desk *d, int64_t ticket_id, bool *stale, struct derr *e)
{
	int64_t seen = 0, updated = 0;
	*stale = false;
	if (!d->me.id || !ticket_id)
		return DESK_OK;
	int rc = store_seen_state(d->st, d->me.id, ticket_id, &seen, &updated, e);
	if (rc == DESK_OK)
		*stale = !seen || updated > seen;
	return rc;
}

int core_seen_own(struct desk *d, int64_t *last, bool *marked, struct derr *e)
{
	int64_t newest = 0, mine = 0;
	*marked = false;
	if (!d->me.id)
		return DESK_OK;
	int rc = store_events_since(d->st, d->me.id, *last, &newest, &mine, e);
	if (rc || !newest)
		return rc;
	if (mine) {
		rc = store_begin(d->st, e);
		if (rc == DESK_OK &&
		    (rc = store_seen_mark_own(d->st, d->me.id, *last, mine, time_now(), e)))
			store_rollback(d->st);
		if (rc == DESK_OK && (rc = store_commit(d->st, e)) == DESK_OK)
			*marked = true;
		if (rc)
			return rc; /* *last stays: tried again next time */
	}
	*last = newest;
	return DESK_OK;
}

int core_seen_baseline(struct desk *d, int64_t start, int64_t *since, struct derr *e)
{
	*since = start;
	if (!d->me.id)
		return DESK_OK;
	/* Read first: only an agent's first console writes. */
	int64_t known = 0;
	int rc = store_seen_since_get(d->st, d->me.id, &known, e);
	if (rc || known) {
		*since = known ? known : start;
		return rc;
	}
	IN_TXN(d, e, store_seen_since(d->st, d->me.id, start, since, e));
}

void fresh_news_free(struct fresh_news *n)
{
	ticket_briefs_free(&n->fresh);
	ticket_briefs_free(&n->assigned);
	ticket_briefs_free(&n->soon);
	ticket_briefs_free(&n->follow_ups);
	memset(n, 0, sizeof *n);
}

static bool has(const struct ticket_briefs *l, int64_t id)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].id == id)
			return true;
	return false;
}

/* The new tickets of one view, added to out unless already there. */
static int view_news(struct desk *d, const char *name, int64_t since, int limit,
		     struct fresh_news *out, struct derr *e)
{
	struct view v;
	int rc = view_by_name(d, name, &v, e);
	if (rc)
		return rc;
	struct ticket_briefs got = {0};
	rc = store_queue_unseen(d->st, &v.filter, d->me.id, since, limit, &got, e);
	for (size_t i = 0; rc == DESK_OK && i < got.n; i++) {
		if (has(&out->fresh, got.v[i].id))
			continue;
		if (out->fresh.n >= (size_t)limit) {
			out->fresh_more = true;
			break;
		}
		ticket_briefs_add(&out->fresh, got.v[i].id, got.v[i].subject);
		got.v[i].subject = NULL;
	}
	if ((int)got.n >= limit)
		out->fresh_more = true;
	ticket_briefs_free(&got);
	view_free(&v);
	return rc;
}

int core_fresh_read(struct desk *d, char *const *views, size_t nviews, int64_t since,
		    int64_t sla_warning, int limit, struct fresh_news *out, struct derr *e)
{
	static char *const builtin[] = {"mine", "unassigned"};
	memset(out, 0, sizeof *out);
	if (!d->me.id)
		return DESK_OK;
	if (!views) {
		views = builtin;
		nviews = ARRAY_LEN(builtin);
	}
	int rc = DESK_OK;
	for (size_t i = 0; rc == DESK_OK && i < nviews; i++)
		rc = view_news(d, views[i], since, limit, out, e);
	if (rc == DESK_OK)
		rc = store_seen_assigned(d->st, d->me.id, since, limit, &out->assigned, e);
	out->assigned_more = out->assigned.n >= (size_t)limit;
	int64_t now = time_now();
	if (rc == DESK_OK && sla_warning > 0)
		rc = store_sla_soon(d->st, d->me.id, now, now + sla_warning, limit, &out->soon, e);
	if (rc == DESK_OK)
		rc = store_follow_ups_due(d->st, d->me.id, now, limit, &out->follow_ups, e);
	out->follow_ups_more = out->follow_ups.n >= (size_t)limit;
	return rc;
}

int core_console_open(struct desk *d, int64_t pid, int64_t *id, struct derr *e)
{
	int64_t now = time_now();
	*id = 0;
	if (!d->me.id)
		return DESK_OK;
	IN_TXN(d, e,
	       store_console_open(d->st, d->me.id, pid, now, now - CONSOLE_FRESH_SECONDS, id, e));
}

int core_console_update(struct desk *d, int64_t pid, int64_t *id, int64_t ticket_id,
			int64_t ticket_since, const char *view, struct derr *e)
{
	if (!*id)
		return DESK_OK;
	int64_t now = time_now();
	int rc = store_begin(d->st, e);
	if (rc)
		return rc;
	bool gone = false;
	rc = store_console_update(d->st, *id, d->me.id, pid, ticket_id, ticket_since, view, now,
				  &gone, e);
	int64_t fresh_id = *id;
	if (rc == DESK_OK && gone &&
	    (rc = store_console_open(d->st, d->me.id, pid, now, now - CONSOLE_FRESH_SECONDS,
				     &fresh_id, e)) == DESK_OK)
		rc = store_console_update(d->st, fresh_id, d->me.id, pid, ticket_id, ticket_since,
					  view, now, NULL, e);
	if (rc) {
		store_rollback(d->st);
		return rc;
	}
	if ((rc = store_commit(d->st, e)) == DESK_OK)
		*id = fresh_id;
	return rc;
}

int core_console_close(struct desk *d, int64_t id, struct derr *e)
{
	if (!id)
		return DESK_OK;
	IN_TXN(d, e, store_console_close(d->st, id, e));
}

int core_consoles(struct desk *d, struct console_rows *out, struct derr *e)
{
	return store_consoles(d->st, time_now() - CONSOLE_FRESH_SECONDS, out, e);
}
