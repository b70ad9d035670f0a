/* json_pg.c: a ticket's export record on PostgreSQL, byte for byte the
 * one json.c has SQLite write: json_build_object keeps the keys in
 * their order, json_strip_nulls drops the null members (SQLite's
 * json_patch('{}', ...) on every object) and writes the whole without
 * blanks, escaping as SQLite does (\" \\ \b \f \n \r \t, \u00xx for the
 * other controls).  json_agg of no rows is NULL where SQLite's
 * json_group_array is [], hence the coalesce where the array stays. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "internal.h"
#include "json_sqlite.h"
#include "util.h"

#define RFC3339(x) \
	"to_char(to_timestamp(" x ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
#define EXTERNAL_ID(t)                                                             \
	"coalesce(" t ".external_id, 'desk-' ||"                                  \
	" (SELECT value FROM meta WHERE key = 'instance') || '-' || " t ".id)"

/* ?1 the ticket, ?2 with events, ?3 with attachments' data, ?4 the data
 * of the attachments kept as files ({"id": base64}, from files_json).
 * Tags sort as SQLite's BINARY collation does: COLLATE "C". */
static const char ticket_json_pg_sql[] =
	"SELECT json_strip_nulls(json_build_object("
	" 'external_id', " EXTERNAL_ID("t") ","
	" 'subject', t.subject,"
	" 'status', t.status,"
	" 'priority', CASE t.priority WHEN 0 THEN 'low' WHEN 1 THEN 'normal'"
	"   WHEN 2 THEN 'high' ELSE 'urgent' END,"
	" 'channel', t.channel,"
	" 'queue', t.queue,"
	" 'assignee', a.login,"
	" 'created_at', " RFC3339("t.created_at") ","
	" 'updated_at', " RFC3339("t.updated_at") ","
	" 'first_solved_at', " RFC3339("t.first_solved_at") ","
	" 'solved_at', " RFC3339("t.solved_at") ","
	" 'closed_at', " RFC3339("t.closed_at") ","
	" 'reopens', t.reopens,"
	" 'merged_into', (SELECT " EXTERNAL_ID("m") " FROM tickets m WHERE m.id = t.merged_into),"
	" 'customer', (SELECT json_build_object('name', c.name, 'email', c.email,"
	"   'phone', c.phone, 'organization', c.organization, 'tier', c.tier,"
	"   'notes', c.notes) FROM customers c WHERE c.id = t.customer_id),"
	" 'tags', (SELECT coalesce(json_agg(tag ORDER BY tag COLLATE \"C\"), '[]')"
	"   FROM ticket_tags WHERE ticket_id = t.id),"
	" 'messages', (SELECT coalesce(json_agg(json_build_object("
	"   'kind', m.kind, 'author', ag.login, 'at', " RFC3339("m.created_at") ","
	"   'body', m.body, 'message_id', m.message_id,"
	"   'auto', CASE WHEN m.auto <> 0 THEN json 'true' END,"
	"   'attachments', (SELECT json_agg(json_build_object('filename', x.filename,"
	"     'content_type', x.content_type, 'size', x.size,"
	"     'data', CASE WHEN ?3 <> 0 THEN coalesce("
	"       translate(encode(x.content, 'base64'), chr(10), ''),"
	"       CAST(?4 AS json) ->> CAST(x.id AS text)) END) ORDER BY x.id)"
	"     FROM attachments x WHERE x.message_id = m.id))"
	"   ORDER BY m.created_at, m.id), '[]')"
	"   FROM messages m LEFT JOIN agents ag ON ag.id = m.author_id"
	"   WHERE m.ticket_id = t.id),"
	" 'surveys', (SELECT coalesce(json_agg(json_build_object('kind', kind,"
	"   'score', score, 'at', " RFC3339("answered_at") ", 'comment', comment)"
	"   ORDER BY answered_at, id), '[]') FROM surveys WHERE ticket_id = t.id),"
	" 'time', (SELECT json_agg(json_build_object("
	"   'agent', ag.login, 'seconds', te.seconds, 'source', te.source,"
	"   'note', te.note, 'at', " RFC3339("te.created_at") ","
	"   'message', (SELECT count(*) FROM messages m2 JOIN messages m1"
	"     ON m1.id = te.message_id WHERE m2.ticket_id = t.id"
	"     AND (m2.created_at < m1.created_at"
	"       OR (m2.created_at = m1.created_at AND m2.id <= m1.id))"
	"     HAVING count(*) > 0)) ORDER BY te.created_at, te.id)"
	"   FROM time_entries te LEFT JOIN agents ag ON ag.id = te.agent_id"
	"   WHERE te.ticket_id = t.id),"
	" 'events', CASE WHEN ?2 <> 0 THEN (SELECT coalesce(json_agg(json_build_object("
	"   'at', " RFC3339("ev.at") ", 'agent', ag.login, 'action', ev.action,"
	"   'field', ev.field, 'old', ev.old_value, 'new', ev.new_value) ORDER BY ev.id),"
	"   '[]') FROM events ev LEFT JOIN agents ag ON ag.id = ev.agent_id"
	"   WHERE ev.ticket_id = t.id) END"
	")) FROM tickets t LEFT JOIN agents a ON a.id = t.assignee_id WHERE t.id = ?1";

/* The ticket's attachments kept in attachments_dir, read here (the
 * server cannot read the files): {"id":"base64",...}, ids and base64
 * needing no escapes.  A file gone fails the export, naming it, as
 * json.c's desk_base64 does. */
static int files_json(struct store *st, int64_t id, struct strbuf *out, struct derr *e)
{
	struct stmt *s = st_prep(st,
				  "SELECT x.id, x.path FROM attachments x JOIN messages m"
				  " ON m.id = x.message_id WHERE m.ticket_id = ?1"
				  " AND x.content IS NULL ORDER BY x.id",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, id);
	sb_add(out, "{");
	int rc, n = 0;
	while ((rc = st_step(s)) == ST_ROW) {
		const char *path = col_str(s, 1);
		size_t len = 0;
		char *data = path ? read_file(path, &len) : NULL;
		if (!data) {
			int err = errno;
			derr_set(e, DESK_EIO, "%s: writing a ticket as JSON: attachment file %s: %s",
				 st->path, path ? path : "(none)",
				 path ? strerror(err) : "no content and no file");
			st_done(s);
			return DESK_EIO;
		}
		gchar *b64 = g_base64_encode((const guchar *)data, len);
		free(data);
		sb_addf(out, "%s\"%lld\":\"%s\"", n++ ? "," : "", (long long)col_int(s, 0), b64);
		g_free(b64);
	}
	st_done(s);
	sb_add(out, "}");
	return rc == ST_DONE ? DESK_OK : st_fail(st, e, "reading a ticket's attachments");
}

int ticket_json_pg(struct store *st, int64_t id, bool with_events, bool with_data,
		   char **json, struct derr *e)
{
	*json = NULL;
	struct strbuf files = {0};
	int rc = with_data ? files_json(st, id, &files, e) : DESK_OK;
	struct stmt *s = rc ? NULL : st_prep(st, ticket_json_pg_sql, e);
	if (!s) {
		sb_free(&files);
		return derr_code(e);
	}
	bind_int(s, 1, id);
	bind_int(s, 2, with_events);
	bind_int(s, 3, with_data);
	bind_text(s, 4, with_data ? sb_str(&files) : "{}");
	rc = st_step(s);
	if (rc == ST_ROW)
		*json = col_json(s, 0);
	st_done(s);
	sb_free(&files);
	if (rc == ST_DONE)
		return derr_set(e, DESK_ENOTFOUND, "no ticket %lld", (long long)id);
	return rc == ST_ROW ? DESK_OK : st_fail(st, e, "writing a ticket as JSON");
}
