/* json_views.c: the JSON that `desk list --json` and `desk show --json`
 * print, made by SQLite's JSON functions; on PostgreSQL by its own,
 * written out as SQLite writes them (see json_pg.c). */
#include <stdlib.h>

#include "internal.h"
#include "json_sqlite.h"
#include "util.h"

#define RFC3339(x) "strftime('%Y-%m-%dT%H:%M:%SZ', " x ", 'unixepoch')"
#define PG_RFC3339(x) \
	"to_char(to_timestamp(" x ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* One row, one JSON column: *json made safe to print. */
static int one_json(struct store *st, struct stmt *s, char **json, const char *what,
		    const char *notfound, int64_t id, struct derr *e)
{
	int rc = st_step(s);
	if (rc == ST_ROW)
		*json = col_json(s, 0);
	st_done(s);
	if (rc == ST_DONE)
		return derr_set(e, DESK_ENOTFOUND, notfound, (long long)id);
	return rc == ST_ROW ? DESK_OK : st_fail(st, e, what);
}

int store_ticket_summary_json(struct store *st, int64_t id, char **json, struct derr *e)
{
	*json = NULL;
	struct stmt *s = st_prep2(
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
		/* json_strip_nulls: json_patch's dropping of nulls, and
		 * SQLite's layout (json_pg.c). */
		"SELECT json_strip_nulls(json_build_object('id', t.id, 'subject', t.subject,"
		" 'status', t.status, 'priority', CASE t.priority WHEN 0 THEN 'low'"
		" WHEN 1 THEN 'normal' WHEN 2 THEN 'high' ELSE 'urgent' END,"
		" 'channel', t.channel, 'queue', t.queue, 'assignee', a.login,"
		" 'customer', coalesce(nullif(c.name, ''), c.email, c.phone),"
		" 'customer_email', c.email,"
		" 'created_at', " PG_RFC3339("t.created_at") ","
		" 'updated_at', " PG_RFC3339("t.updated_at") ","
		" 'next_due', " PG_RFC3339("t.next_due") ","
		" 'reopens', t.reopens,"
		" 'tags', (SELECT coalesce(json_agg(tag ORDER BY tag COLLATE \"C\"), '[]')"
		"   FROM ticket_tags WHERE ticket_id = t.id)))"
		" FROM tickets t LEFT JOIN customers c ON c.id = t.customer_id"
		" LEFT JOIN agents a ON a.id = t.assignee_id WHERE t.id = ?1",
		e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, id);
	return one_json(st, s, json, "writing a ticket as JSON", "no ticket %lld", id, e);
}

/* The export record with the ticket's id and time spent added: the sum
 * read from the database, the record edited by SQLite's json_set (the
 * store's own connection, or the scratch one on PostgreSQL). */
int store_ticket_show_json(struct store *st, int64_t id, char **json, struct derr *e)
{
	*json = NULL;
	char *record;
	int rc = store_ticket_json(st, id, true, false, &record, e);
	if (rc)
		return rc;
	struct stmt *s = st_prep(st,
				  "SELECT coalesce(sum(seconds), 0) FROM time_entries"
				  " WHERE ticket_id = ?1",
				  e);
	if (!s) {
		free(record);
		return derr_code(e);
	}
	bind_int(s, 1, id);
	rc = st_step(s);
	int64_t spent = col_int(s, 0);
	st_done(s);
	if (rc != ST_ROW) {
		free(record);
		return st_fail(st, e, "writing a ticket as JSON");
	}
	struct store *js = json_sqlite(st, e);
	if (!js || !(s = st_prep(js, "SELECT json_set(?1, '$.id', ?2, '$.time_spent_seconds', ?3)",
				 e))) {
		free(record);
		return derr_code(e);
	}
	bind_text(s, 1, record);
	bind_int(s, 2, id);
	bind_int(s, 3, spent);
	rc = st_step(s);
	*json = rc == ST_ROW ? col_json(s, 0) : NULL;
	st_done(s);
	free(record);
	return rc == ST_ROW ? DESK_OK : st_fail(js, e, "writing a ticket as JSON");
}

int store_customer_json(struct store *st, int64_t id, char **json, struct derr *e)
{
	*json = NULL;
	/* Nulls stay here (no json_patch): PostgreSQL's layout is tidied by
	 * SQLite's json() instead of json_strip_nulls. */
	struct stmt *s = st_prep2(
		st,
		"SELECT json_object('id', c.id, 'name', c.name, 'email', c.email,"
		" 'emails', json((SELECT json_group_array(email) FROM (SELECT email"
		"   FROM customer_emails WHERE customer_id = c.id ORDER BY email))),"
		" 'phone', c.phone, 'organization', c.organization, 'tier', c.tier,"
		" 'notes', c.notes, 'created_at', " RFC3339("c.created_at") ","
		" 'tickets', (SELECT count(*) FROM tickets t WHERE t.customer_id = c.id),"
		" 'open_tickets', (SELECT count(*) FROM tickets t WHERE t.customer_id = c.id"
		"   AND t.status IN ('new', 'open', 'pending', 'on_hold')))"
		" FROM customers c WHERE c.id = ?1",
		"SELECT json_build_object('id', c.id, 'name', c.name, 'email', c.email,"
		" 'emails', (SELECT coalesce(json_agg(email ORDER BY email), '[]')"
		"   FROM customer_emails WHERE customer_id = c.id),"
		" 'phone', c.phone, 'organization', c.organization, 'tier', c.tier,"
		" 'notes', c.notes, 'created_at', " PG_RFC3339("c.created_at") ","
		" 'tickets', (SELECT count(*) FROM tickets t WHERE t.customer_id = c.id),"
		" 'open_tickets', (SELECT count(*) FROM tickets t WHERE t.customer_id = c.id"
		"   AND t.status IN ('new', 'open', 'pending', 'on_hold')))"
		" FROM customers c WHERE c.id = ?1",
		e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, id);
	char *raw = NULL;
	int rc = one_json(st, s, &raw, "writing a customer as JSON", "no customer #%lld",
			  id, e);
	if (rc || !st->pg) {
		*json = raw;
		return rc;
	}
	rc = json_tidy(st, raw, json, e);
	free(raw);
	return rc;
}
