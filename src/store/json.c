/* json.c: JSON in and out through SQLite's own JSON functions, so the
 * escaping and the parsing are SQLite's, not ours.  On PostgreSQL a
 * ticket's record is written by json_pg.c to the same bytes, and JSON
 * is parsed and tidied by a scratch in-memory SQLite (json_sqlite). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "internal.h"
#include "json_sqlite.h"
#include "text.h"
#include "util.h"

#define RFC3339(x) "strftime('%Y-%m-%dT%H:%M:%SZ', " x ", 'unixepoch')"

/* json_patch('{}', obj) drops the members that are null, so optional
 * fields are absent rather than null, as the import format says. */
static const char ticket_json_sql[] =
	"SELECT json_patch('{}', json_object("
	" 'external_id', coalesce(t.external_id, 'desk-' ||"
	"   (SELECT value FROM meta WHERE key = 'instance') || '-' || t.id),"
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
	" 'merged_into', (SELECT coalesce(m.external_id, 'desk-' ||"
	"   (SELECT value FROM meta WHERE key = 'instance') || '-' || m.id) FROM tickets m"
	"   WHERE m.id = t.merged_into),"
	" 'customer', json((SELECT json_patch('{}', json_object('name', c.name,"
	"   'email', c.email, 'phone', c.phone, 'organization', c.organization,"
	"   'tier', c.tier, 'notes', c.notes)) FROM customers c"
	"   WHERE c.id = t.customer_id)),"
	" 'tags', json((SELECT json_group_array(tag) FROM (SELECT tag FROM ticket_tags"
	"   WHERE ticket_id = t.id ORDER BY tag))),"
	" 'messages', json((SELECT json_group_array(json_patch('{}', json_object("
	"   'kind', m.kind, 'author', ag.login, 'at', " RFC3339("m.created_at") ","
	"   'body', m.body, 'message_id', m.message_id,"
	"   'auto', CASE WHEN m.auto THEN json('true') END,"
	"   'attachments', CASE WHEN EXISTS (SELECT 1 FROM attachments x"
	"     WHERE x.message_id = m.id) THEN json((SELECT json_group_array("
	"     json_patch('{}', json_object('filename', a.filename,"
	"     'content_type', a.content_type, 'size', a.size,"
	"     'data', CASE WHEN ?3 THEN desk_base64(a.content, a.path) END)))"
	"     FROM (SELECT * FROM attachments WHERE message_id = m.id ORDER BY id) a))"
	"   END)))"
	"   FROM (SELECT * FROM messages WHERE ticket_id = t.id"
	"   ORDER BY created_at, id) m LEFT JOIN agents ag ON ag.id = m.author_id)),"
	" 'surveys', json((SELECT json_group_array(json_patch('{}', json_object('kind', kind,"
	"   'score', score, 'at', " RFC3339("answered_at") ", 'comment', comment)))"
	"   FROM (SELECT * FROM surveys WHERE ticket_id = t.id"
	"   ORDER BY answered_at, id))),"
	/* Time spent; "message" is the place (from 1) in "messages" of the
	 * reply or note an entry was sent with, as ids do not travel. */
	" 'time', CASE WHEN EXISTS (SELECT 1 FROM time_entries WHERE ticket_id = t.id)"
	"   THEN json((SELECT json_group_array(json_patch('{}', json_object("
	"   'agent', ag.login, 'seconds', te.seconds, 'source', te.source,"
	"   'note', te.note, 'at', " RFC3339("te.created_at") ","
	"   'message', (SELECT count(*) FROM messages m2 JOIN messages m1"
	"     ON m1.id = te.message_id WHERE m2.ticket_id = t.id"
	"     AND (m2.created_at < m1.created_at"
	"       OR (m2.created_at = m1.created_at AND m2.id <= m1.id))"
	"     HAVING count(*) > 0))))"
	"   FROM (SELECT * FROM time_entries WHERE ticket_id = t.id"
	"   ORDER BY created_at, id) te LEFT JOIN agents ag ON ag.id = te.agent_id)) END,"
	" 'events', CASE WHEN ?2 THEN json((SELECT json_group_array("
	"   json_patch('{}', json_object('at', " RFC3339("ev.at") ", 'agent', ag.login,"
	"   'action', ev.action, 'field', ev.field, 'old', ev.old_value,"
	"   'new', ev.new_value)))"
	"   FROM (SELECT * FROM events WHERE ticket_id = t.id ORDER BY id) ev"
	"   LEFT JOIN agents ag ON ag.id = ev.agent_id)) END"
	")) FROM tickets t LEFT JOIN agents a ON a.id = t.assignee_id WHERE t.id = ?1";

/* desk_base64(content, path): an attachment's bytes in base64, from
 * the database or from its file in attachments_dir (the store is where
 * the export record is made, so it reads that file too).  A file gone
 * or changed fails the statement: an export never leaves a file out
 * without saying so. */
static void base64_fn(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	(void)argc;
	if (sqlite3_value_type(argv[0]) != SQLITE_NULL) {
		const void *b = sqlite3_value_blob(argv[0]);
		int n = sqlite3_value_bytes(argv[0]);
		gchar *s = g_base64_encode(b ? b : (const void *)"", (gsize)n);
		sqlite3_result_text(cx, s, -1, g_free);
		return;
	}
	const char *path = (const char *)sqlite3_value_text(argv[1]);
	size_t len = 0;
	char *data = path ? read_file(path, &len) : NULL;
	if (!data) {
		char *msg = xasprintf("attachment file %s: %s", path ? path : "(none)",
				      path ? strerror(errno) : "no content and no file");
		sqlite3_result_error(cx, msg, -1);
		free(msg);
		return;
	}
	gchar *s = g_base64_encode((const guchar *)data, len);
	free(data);
	sqlite3_result_text(cx, s, -1, g_free);
}

int st_json_functions(struct store *st, struct derr *e)
{
	if (sqlite3_create_function(st->db, "desk_base64", 2,
				    SQLITE_UTF8 | SQLITE_DIRECTONLY, NULL, base64_fn, NULL,
				    NULL) != SQLITE_OK)
		return st_fail(st, e, "setting up the connection");
	return DESK_OK;
}

struct store *json_sqlite(struct store *st, struct derr *e)
{
	if (st->db)
		return st;
	if (!st->json_scratch && store_open_memory(&st->json_scratch, e))
		return NULL;
	return st->json_scratch;
}

int json_tidy(struct store *st, const char *json, char **out, struct derr *e)
{
	*out = NULL;
	struct store *js = json_sqlite(st, e);
	struct stmt *s = js ? st_prep(js, "SELECT json(?1)", e) : NULL;
	if (!s)
		return derr_code(e);
	bind_text(s, 1, json);
	int rc = st_step(s);
	if (rc == ST_ROW)
		*out = col_json(s, 0);
	st_done(s);
	return rc == ST_ROW && *out ? DESK_OK : st_fail(js, e, "reading JSON");
}

int store_ticket_json(struct store *st, int64_t id, bool with_events, bool with_data,
		      char **json, struct derr *e)
{
	if (st->pg)
		return ticket_json_pg(st, id, with_events, with_data, json, e);
	*json = NULL;
	struct stmt *s = st_prep(st, ticket_json_sql, e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, id);
	bind_int(s, 2, with_events);
	bind_int(s, 3, with_data);
	int rc = st_step(s);
	if (rc == ST_ROW)
		*json = col_json(s, 0);
	st_done(s);
	if (rc == ST_DONE)
		return derr_set(e, DESK_ENOTFOUND, "no ticket %lld", (long long)id);
	return rc == ST_ROW ? DESK_OK : st_fail(st, e, "writing a ticket as JSON");
}

static const char *const type_names[] = {
	[JSON_NULL] = "null",       [JSON_TRUE] = "true", [JSON_FALSE] = "false",
	[JSON_INTEGER] = "integer", [JSON_REAL] = "real", [JSON_TEXT] = "text",
	[JSON_ARRAY] = "array",     [JSON_OBJECT] = "object",
};

static enum json_type type_of(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(type_names); i++)
		if (name && strcmp(type_names[i], name) == 0)
			return (enum json_type)i;
	return JSON_NULL;
}

void json_node_free(struct json_node **np)
{
	struct json_node *n = *np;
	while (n) {
		struct json_node *next = n->next;
		json_node_free(&n->child);
		free(n->key);
		free(n->text);
		free(n);
		n = next;
	}
	*np = NULL;
}

const struct json_node *json_get(const struct json_node *obj, const char *key)
{
	if (!obj || obj->type != JSON_OBJECT)
		return NULL;
	for (const struct json_node *n = obj->child; n; n = n->next)
		if (n->key && strcmp(n->key, key) == 0)
			return n;
	return NULL;
}

/* SQLite decodes "\u0000" inside a string and cuts the string there, so
 * "a\u0000b" would quietly become "a".  Backslashes only occur inside
 * strings in valid JSON, so a scan that skips each escape is enough. */
static bool has_nul_escape(const char *text)
{
	for (const char *p = text; *p; p++) {
		if (*p != '\\')
			continue;
		if (p[1] == 'u' && strncmp(p + 2, "0000", 4) == 0)
			return true;
		if (p[1])
			p++;
	}
	return false;
}

/* json_tree() walks the document in order (depth first, each element
 * after its container), each row naming its parent by id; the parent is
 * always an open container on our stack.  No ORDER BY: the walk is
 * already in id order, and sorting every row of every line was a tenth
 * of an import's time. */
int store_json_parse(struct store *st, const char *text, struct json_node **root,
		     struct derr *e)
{
	*root = NULL;
	if (!(st = json_sqlite(st, e)))
		return derr_code(e);
	struct stmt *v = st_prep(st, "SELECT json_valid(?1)", e);
	if (!v)
		return derr_code(e);
	bind_text(v, 1, text);
	int valid = st_step(v) == ST_ROW && col_int(v, 0);
	st_done(v);
	if (!valid)
		return derr_set(e, DESK_EINVAL, "not valid JSON");
	if (has_nul_escape(text))
		return derr_set(e, DESK_EINVAL,
				"a string holds \\u0000 (a NUL character), which desk cannot store");

	struct stmt *s = st_prep(st,
				  "SELECT id, parent, type, atom, key FROM json_tree(?1)",
				  e);
	if (!s)
		return derr_code(e);
	bind_text(s, 1, text);
	struct {
		int64_t id;
		struct json_node *node, *last_child;
	} stack[64];
	int depth = 0, rc;
	while ((rc = st_step(s)) == ST_ROW) {
		struct json_node *n = xcalloc(1, sizeof *n);
		int64_t id = col_int(s, 0);
		bool has_parent = !col_is_null(s, 1);
		int64_t parent = col_int(s, 1);
		n->type = type_of(col_str(s, 2));
		if (n->type != JSON_ARRAY && n->type != JSON_OBJECT &&
		    !col_is_null(s, 3))
			n->text = col_text(s, 3);
		n->integer = col_int(s, 3);
		if (sqlite3_column_type(st_sqlite(s), 4) == SQLITE_TEXT)
			n->key = col_text(s, 4);
		if (!has_parent) {
			*root = n;
		} else {
			while (depth > 0 && stack[depth - 1].id != parent)
				depth--;
			if (depth == 0) { /* cannot happen with SQLite's json_tree */
				json_node_free(&n);
				continue;
			}
			if (stack[depth - 1].last_child)
				stack[depth - 1].last_child->next = n;
			else
				stack[depth - 1].node->child = n;
			stack[depth - 1].last_child = n;
		}
		if (n->type == JSON_ARRAY || n->type == JSON_OBJECT) {
			if (depth == (int)ARRAY_LEN(stack)) {
				st_done(s);
				json_node_free(root);
				return derr_set(e, DESK_EINVAL, "JSON nested too deeply");
			}
			stack[depth].id = id;
			stack[depth].node = n;
			stack[depth].last_child = NULL;
			depth++;
		}
	}
	st_done(s);
	if (rc != ST_DONE) {
		json_node_free(root);
		return st_fail(st, e, "reading JSON");
	}
	return DESK_OK;
}
