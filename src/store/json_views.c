/* json_views.c: the JSON that `desk list --json` and `desk show --json`
 * print, made by SQLite's JSON functions. */
#include <stdlib.h>

#include "internal.h"
#include "util.h"

#define RFC3339(x) "strftime('%Y-%m-%dT%H:%M:%SZ', " x ", 'unixepoch')"

int store_ticket_summary_json(struct store *st, int64_t id, char **json, struct derr *e)
{
	*json = NULL;
	struct stmt *s = st_prep(
		st,
		"SELECT json_patch('{}', json_object('id', t.id, 'subject', t.subject,"
		" 'status', t.status, 'priority', CASE t.priority WHEN 0 THEN 'low'"
		" WHEN 1 THEN 'normal' WHEN 2 THEN 'high' ELSE 'urgent' END,"
		" 'channel', t.channel, 'queue', t.queue, 'assignee', a.login,"
		" 'customer', coalesce(nullif(c.name, ''), c.email, c.phone),"
		" 'customer_email', c.email,"
		" 'created_at', " RFC3339("t.created_at") ","
		" 'updated_at', " RFC3339("t.updated_at") ","
		" 'next_due', " RFC3339("t.next_due") ","
		" 'reopens', t.reopens,"
		" 'tags', json((SELECT json_group_array(tag) FROM (SELECT tag FROM"
		"   ticket_tags WHERE ticket_id = t.id ORDER BY tag)))))"
		" FROM tickets t LEFT JOIN customers c ON c.id = t.customer_id"
		" LEFT JOIN agents a ON a.id = t.assignee_id WHERE t.id = ?1",
		e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, id);
	int rc = st_step(s);
	if (rc == ST_ROW)
		*json = col_json(s, 0);
	st_done(s);
	if (rc == ST_DONE)
		return derr_set(e, DESK_ENOTFOUND, "no ticket %lld", (long long)id);
	return rc == ST_ROW ? DESK_OK : st_fail(st, e, "writing a ticket as JSON");
}

int store_ticket_show_json(struct store *st, int64_t id, char **json, struct derr *e)
{
	char *record;
	int rc = store_ticket_json(st, id, true, false, &record, e);
	if (rc)
		return rc;
	struct stmt *s = st_prep(st,
				  "SELECT json_set(?1, '$.id', ?2, '$.time_spent_seconds',"
				  " (SELECT coalesce(sum(seconds), 0) FROM time_entries"
				  "  WHERE ticket_id = ?2))",
				  e);
	if (!s) {
		free(record);
		return derr_code(e);
	}
	bind_text(s, 1, record);
	bind_int(s, 2, id);
	rc = st_step(s);
	*json = rc == ST_ROW ? col_json(s, 0) : NULL;
	st_done(s);
	free(record);
	return rc == ST_ROW ? DESK_OK : st_fail(st, e, "writing a ticket as JSON");
}

int store_customer_json(struct store *st, int64_t id, char **json, struct derr *e)
{
	*json = NULL;
	struct stmt *s = st_prep(
		st,
		"SELECT json_object('id', c.id, 'name', c.name, 'email', c.email,"
		" 'emails', json((SELECT json_group_array(ce.email) FROM customer_emails ce"
		"   WHERE ce.customer_id = c.id)),"
		" 'phone', c.phone, 'organization', c.organization, 'tier', c.tier,"
		" 'notes', c.notes, 'created_at', " RFC3339("c.created_at") ","
		" 'tickets', (SELECT count(*) FROM tickets t WHERE t.customer_id = c.id),"
		" 'open_tickets', (SELECT count(*) FROM tickets t WHERE t.customer_id = c.id"
		"   AND t.status IN ('new', 'open', 'pending', 'on_hold')))"
		" FROM customers c WHERE c.id = ?1",
		e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, id);
	int rc = st_step(s);
	if (rc == ST_ROW)
		*json = col_json(s, 0);
	st_done(s);
	if (rc == ST_DONE)
		return derr_set(e, DESK_ENOTFOUND, "no customer #%lld", (long long)id);
	return rc == ST_ROW ? DESK_OK : st_fail(st, e, "writing a customer as JSON");
}
