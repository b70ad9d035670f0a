/* follow_up.c: the tickets a follow-up rule (desk tick) applies to. */
#include <stdlib.h>

#include "internal.h"
#include "util.h"

int store_follow_up_candidates(struct store *st, enum status when, int64_t entered_by,
			       bool without_customer_reply, int64_t **ids, size_t *n,
			       struct derr *e)
{
	/* When the ticket last entered the status: its latest audited
	 * change to it (set or undo), else its last update (an import). */
	struct stmt *s = st_prep(
		st,
		"SELECT id FROM (SELECT t.id, coalesce((SELECT max(v.at) FROM events v"
		"   WHERE v.ticket_id = t.id AND v.field = 'status' AND v.new_value = ?1),"
		"   t.updated_at) AS entered"
		" FROM tickets t WHERE t.status = ?1 AND t.merged_into IS NULL) w"
		" WHERE entered <= ?2"
		" AND (?3 = 0 OR NOT EXISTS (SELECT 1 FROM messages m WHERE m.ticket_id = w.id"
		"   AND m.kind = 'customer' AND m.auto = 0 AND m.created_at > entered))"
		" ORDER BY id",
		e);
	if (!s)
		return derr_code(e);
	bind_text(s, 1, status_name(when));
	bind_int(s, 2, entered_by);
	bind_int(s, 3, without_customer_reply);
	size_t cap = 0;
	*ids = NULL;
	*n = 0;
	int rc;
	while ((rc = st_step(s)) == ST_ROW) {
		xgrow((void **)ids, &cap, *n + 1, sizeof **ids);
		(*ids)[(*n)++] = col_int(s, 0);
	}
	st_done(s);
	if (rc != ST_DONE) {
		free(*ids);
		*ids = NULL;
		*n = 0;
		return st_fail(st, e, "finding tickets for a follow-up rule");
	}
	return DESK_OK;
}

int store_follow_ups_due(struct store *st, int64_t agent_id, int64_t now, int limit,
			 struct ticket_briefs *out, struct derr *e)
{
	struct stmt *s = st_prep(st,
				  "SELECT t.id, t.subject FROM tickets t"
				  " WHERE t.follow_up_at <= ?2 AND t.assignee_id = ?1"
				  " AND t.merged_into IS NULL ORDER BY t.follow_up_at, t.id LIMIT ?3",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, agent_id);
	bind_int(s, 2, now);
	bind_int(s, 3, limit);
	int rc;
	while ((rc = st_step(s)) == ST_ROW)
		ticket_briefs_add(out, col_int(s, 0), col_text(s, 1));
	st_done(s);
	return rc == ST_DONE ? DESK_OK : st_fail(st, e, "reading follow-ups due");
}
