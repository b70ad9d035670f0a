/* merge.c: folding a duplicate ticket into another. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "internal_core.h"
#include "util.h"

static int system_message(struct desk *d, int64_t ticket_id, const char *text, struct derr *e)
{
	struct message m = {.ticket_id = ticket_id, .kind = MSG_SYSTEM, .author_id = d->me.id,
			    .body = (char *)text, .created_at = time_now()};
	return store_message_insert(d->st, &m, e);
}

static bool has_tag(const struct ticket *t, const char *tag)
{
	for (size_t i = 0; i < t->ntags; i++)
		if (strcmp(t->tags[i], tag) == 0)
			return true;
	return false;
}

/* The tags the merge takes off `from` and those it adds to `into`, as
 * events, so undoing the merge puts back exactly these. */
static int tag_events(struct desk *d, const struct ticket *a, const struct ticket *b,
		      struct derr *e)
{
	int rc = DESK_OK;
	for (size_t i = 0; i < a->ntags && rc == DESK_OK; i++) {
		rc = core_event(d, a->id, "merge", "tags", a->tags[i], NULL, e);
		if (rc == DESK_OK && !has_tag(b, a->tags[i]))
			rc = core_event(d, b->id, "merge", "tags", NULL, a->tags[i], e);
	}
	return rc;
}

int core_merge(struct desk *d, int64_t from, int64_t into, struct derr *e)
{
	if (from == into)
		return derr_set(e, DESK_EINVAL, "cannot merge ticket %lld into itself",
				(long long)from);
	struct ticket a = {0}, b = {0};
	int rc = core_begin(d, e);
	if (rc)
		return rc;
	if ((rc = core_load_for_change(d, from, &a, e)) ||
	    (rc = core_load_for_change(d, into, &b, e)))
		goto out;
	if (a.status == ST_CLOSED || b.status == ST_CLOSED) {
		rc = derr_set(e, DESK_EDENIED, "ticket %lld is closed; closed tickets are not merged",
			      (long long)(a.status == ST_CLOSED ? from : into));
		goto out;
	}
	/* Merging closes `from` and takes its thread away from whoever
	 * holds it: the reassign rule applies to it. */
	if (a.assignee_id && a.assignee_id != d->me.id && d->me.role == ROLE_AGENT &&
	    !(d->cfg && d->cfg->agents_may_reassign)) {
		rc = derr_set(e, DESK_EDENIED,
			      "ticket %lld belongs to %s; only a supervisor or an admin can merge "
			      "it away (or set agents_may_reassign in the team's config)",
			      (long long)from, a.assignee_login ? a.assignee_login : "another agent");
		goto out;
	}
	char from_s[32], into_s[32];
	snprintf(from_s, sizeof from_s, "%lld", (long long)from);
	snprintf(into_s, sizeof into_s, "%lld", (long long)into);
	if ((rc = tag_events(d, &a, &b, e)) ||
	    (rc = store_ticket_move_children(d->st, from, into, e)))
		goto out;
	char *text = xasprintf("Ticket #%lld (%s) was merged into this ticket.", (long long)from,
			       a.subject);
	rc = system_message(d, into, text, e);
	free(text);
	if (rc)
		goto out;
	text = xasprintf("Merged into ticket #%lld.", (long long)into);
	rc = system_message(d, from, text, e);
	free(text);
	if (rc || (rc = core_event(d, from, "merge", "merged_into", NULL, into_s, e)) ||
	    (rc = core_event(d, into, "merge", "merged_from", NULL, from_s, e)))
		goto out;
	/* The duplicate ends closed, whatever the solve rules say: it is not
	 * solved, it lives on in the other ticket. */
	int64_t now = time_now();
	rc = core_event(d, from, "set", "status", status_name(a.status), "closed", e);
	a.status = ST_CLOSED;
	a.closed_at = now;
	a.merged_into = into;
	if (!rc)
		rc = core_save(d, &a, e);
	if (!rc)
		rc = core_save(d, &b, e);
out:
	if (rc == DESK_OK)
		rc = store_commit(d->st, e);
	else
		store_rollback(d->st);
	core_end(d, rc == DESK_OK);
	ticket_free(&a);
	ticket_free(&b);
	return rc;
}
