/* bulk.c: one change applied to several tickets (the console's marked
 * tickets): who may, and one transaction per ticket.
 *
 * Why per ticket rather than one for all: a bulk change is a list of
 * independent edits, and a supervisor wants the ones that can be made to
 * be made ("3 reassigned; 1 failed: ticket 12 is closed"), not the whole
 * batch undone by one closed ticket.  Short transactions also keep the
 * write lock free for the other agents' consoles in between.  Each
 * ticket's own changes stay all-or-nothing, audited as core_apply does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "internal_core.h"
#include "util.h"

void bulk_result_free(struct bulk_result *r)
{
	free(r->failed);
	memset(r, 0, sizeof *r);
}

int core_bulk_allowed(const struct desk *d, struct derr *e)
{
	if (d->me.role == ROLE_SUPERVISOR || d->me.role == ROLE_ADMIN ||
	    (d->cfg && d->cfg->agents_may_bulk_edit))
		return DESK_OK;
	return derr_set(e, DESK_EDENIED,
			"changing several tickets at once is for supervisors and admins "
			"(or set agents_may_bulk_edit in the team's config)");
}

/* One ticket, in its own transaction: core_apply's steps, refusing a
 * closed ticket first. */
static int apply_one(struct desk *d, int64_t id, const struct field_change *ch, size_t n,
		     struct derr *e)
{
	struct ticket t;
	int rc = core_ticket_begin(d, id, &t, e);
	if (rc)
		return rc;
	if (t.status == ST_CLOSED)
		rc = derr_set(e, DESK_EDENIED, "ticket %lld is closed", (long long)id);
	for (size_t i = 0; i < n && rc == DESK_OK; i++)
		rc = core_change(d, &t, &ch[i], e);
	return core_ticket_finish(d, &t, rc, true, e);
}

static bool seen_before(const int64_t *ids, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (ids[j] == ids[i])
			return true;
	return false;
}

int core_bulk_apply(struct desk *d, const int64_t *ids, size_t n, const struct field_change *ch,
		    size_t nch, struct bulk_result *r, struct derr *e)
{
	memset(r, 0, sizeof *r);
	int rc = core_bulk_allowed(d, e);
	if (rc)
		return rc;
	if (!nch)
		return derr_set(e, DESK_EINVAL, "no change to make");
	/* One change for the whole batch, so `u` undoes it all. */
	d->change_id = 0;
	d->change_hold = true;
	for (size_t i = 0; i < n; i++) {
		if (seen_before(ids, i)) /* a few hundred marks at most */
			continue;
		struct derr one = {0};
		if (apply_one(d, ids[i], ch, nch, &one) == DESK_OK) {
			r->ok++;
			continue;
		}
		xgrow((void **)&r->failed, &r->cap, r->nfailed + 1, sizeof *r->failed);
		struct bulk_failure *f = &r->failed[r->nfailed++];
		f->id = ids[i];
		snprintf(f->msg, sizeof f->msg, "%.*s", (int)sizeof f->msg - 1,
			 one.msg[0] ? one.msg : "failed");
	}
	d->change_hold = false;
	return DESK_OK;
}
