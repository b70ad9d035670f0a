/* sla.c: a ticket's SLA due times, from the config's targets.
 *
 * Calendar time for now.  next_due is the one due time that matters for
 * the queue's urgency order: the first response while nobody has
 * answered, then the resolution; none once solved or closed. */
#include "core.h"

static int64_t earliest(int64_t a, int64_t b)
{
	if (!a)
		return b;
	if (!b)
		return a;
	return a < b ? a : b;
}

void sla_apply(const struct config *cfg, struct ticket *t)
{
	if (cfg) {
		const struct sla_target *g = &cfg->sla[t->priority];
		t->first_response_due = g->first_response ? t->created_at + g->first_response : 0;
		t->resolution_due = g->resolution ? t->created_at + g->resolution : 0;
	}
	if (t->status == ST_SOLVED || t->status == ST_CLOSED)
		t->next_due = 0;
	else if (!t->first_response_at)
		t->next_due = earliest(t->first_response_due, t->resolution_due);
	else
		t->next_due = t->resolution_due;
}
