/* bulk_rows.c: a ticket's many rows of one kind in one statement, for
 * desk import.  On PostgreSQL each statement is a round trip to the
 * server (and its triggers' and executor's start-up once per
 * statement): a ticket of ten messages cost ten INSERTs and ten
 * Message-ID lookups.  Here the rows go as arrays, one per column,
 * which one INSERT ... SELECT FROM unnest() writes in their order.  On
 * SQLite, where a statement is a function call, each row keeps its own
 * statement, as before.
 *
 * Rows come out the same as the one-row functions': the same columns,
 * ids taken in the rows' order (a message's from the identity as it is
 * inserted; an event's max(id) + 1 after the one before). */
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "internal.h"
#include "text.h"
#include "util.h"

/* --- PostgreSQL array literals ------------------------------------------ */

/* The text of an array parameter, cast in the SQL (?1::text[]): each
 * element double-quoted, NULL bare.  Invalid UTF-8 is repaired as
 * bind_text repairs it. */
static void arr_sep(struct strbuf *b)
{
	sb_addc(b, b->len && b->s[b->len - 1] != '{' ? ',' : '{');
}

/* v as it is, n bytes (valid UTF-8). */
static void arr_text_as_is(struct strbuf *b, const char *v, size_t n)
{
	arr_sep(b);
	sb_addc(b, '"');
	for (size_t i = 0; i < n; i++) {
		if (v[i] == '"' || v[i] == '\\')
			sb_addc(b, '\\');
		sb_addc(b, v[i]);
	}
	sb_addc(b, '"');
}

static void arr_text(struct strbuf *b, const char *v)
{
	if (!v) {
		arr_sep(b);
		sb_add(b, "NULL");
		return;
	}
	char *fixed = text_is_utf8(v) ? NULL : text_utf8_fix(v);
	const char *t = fixed ? fixed : v;
	arr_text_as_is(b, t, strlen(t));
	free(fixed);
}

static void arr_int(struct strbuf *b, int64_t v)
{
	arr_sep(b);
	sb_addf(b, "%lld", (long long)v);
}

/* 0 is NULL, as bind_id binds it. */
static void arr_id(struct strbuf *b, int64_t v)
{
	if (v) {
		arr_int(b, v);
	} else {
		arr_sep(b);
		sb_add(b, "NULL");
	}
}

static void arr_bind(struct stmt *s, int i, struct strbuf *b)
{
	if (!b->len)
		sb_addc(b, '{');
	sb_addc(b, '}');
	bind_text(s, i, sb_str(b));
}

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* --- Message-IDs ------------------------------------------------------- */

int store_message_id_owners(struct store *st, const char *const *ids, size_t n,
			    int64_t *owners, struct derr *e)
{
	size_t given = 0;
	for (size_t i = 0; i < n; i++) {
		owners[i] = 0;
		given += ids[i] != NULL;
	}
	if (!given)
		return DESK_OK;
	if (!st->pg || given == 1) {
		for (size_t i = 0; i < n; i++) {
			int rc = ids[i] ? store_message_id_owner(st, ids[i], &owners[i], e)
					: DESK_OK;
			if (rc)
				return rc;
		}
		return DESK_OK;
	}
	struct stmt *s = st_prep(st,
				  "SELECT message_id, ticket_id FROM messages"
				  " WHERE message_id = ANY (CAST(?1 AS text[]))",
				  e);
	if (!s)
		return derr_code(e);
	struct strbuf b = {0};
	for (size_t i = 0; i < n; i++)
		if (ids[i])
			arr_text(&b, ids[i]);
	arr_bind(s, 1, &b);
	sb_free(&b);
	int rc;
	while ((rc = st_step(s)) == ST_ROW) {
		const char *mid = col_str(s, 0);
		for (size_t i = 0; mid && i < n; i++)
			if (ids[i] && strcmp(ids[i], mid) == 0)
				owners[i] = col_int(s, 1);
	}
	st_done(s);
	return rc == ST_DONE ? DESK_OK : st_fail(st, e, "finding messages");
}

/* --- messages ---------------------------------------------------------- */

int store_messages_insert(struct store *st, struct message *v, size_t n, struct derr *e)
{
	if (!st->pg || n <= 1) {
		for (size_t i = 0; i < n; i++) {
			int rc = store_message_insert(st, &v[i], e);
			if (rc)
				return rc;
		}
		return DESK_OK;
	}
	/* ORDER BY the rows' place: the identity is drawn as each row is
	 * inserted, so the ids ascend in that order, and sorting what
	 * RETURNING gives back pairs each id with its row. */
	struct stmt *s = st_prep(
		st,
		"INSERT INTO messages (ticket_id, kind, author_id, body, created_at, message_id,"
		" auto, delivery, delivery_error, mail_from, send_after, cc, bcc, forward_to)"
		" SELECT u.t, u.k, u.a, u.b, u.c, u.m, u.au, u.d, u.de, u.mf, u.sa, u.cc, u.bcc,"
		" u.fw FROM unnest(CAST(?1 AS bigint[]), CAST(?2 AS text[]), CAST(?3 AS bigint[]),"
		" CAST(?4 AS text[]), CAST(?5 AS bigint[]), CAST(?6 AS text[]),"
		" CAST(?7 AS bigint[]), CAST(?8 AS text[]), CAST(?9 AS text[]),"
		" CAST(?10 AS text[]), CAST(?11 AS bigint[]), CAST(?12 AS text[]),"
		" CAST(?13 AS text[]), CAST(?14 AS text[])) WITH ORDINALITY"
		" AS u(t, k, a, b, c, m, au, d, de, mf, sa, cc, bcc, fw, o)"
		" ORDER BY u.o RETURNING id",
		e);
	if (!s)
		return derr_code(e);
	struct strbuf col[14] = {{0}};
	for (size_t i = 0; i < n; i++) {
		const struct message *m = &v[i];
		arr_int(&col[0], m->ticket_id);
		arr_text(&col[1], msg_kind_name(m->kind));
		arr_id(&col[2], m->author_id);
		arr_text(&col[3], m->body ? m->body : "");
		arr_int(&col[4], m->created_at ? m->created_at : time_now());
		arr_text(&col[5], m->message_id);
		arr_int(&col[6], m->automatic);
		arr_text(&col[7], m->delivery);
		arr_text(&col[8], m->delivery_error);
		arr_text(&col[9], m->mail_from);
		arr_id(&col[10], m->send_after);
		arr_text(&col[11], m->cc);
		arr_text(&col[12], m->bcc);
		arr_text(&col[13], m->forward_to);
	}
	for (int c = 0; c < 14; c++) {
		arr_bind(s, c + 1, &col[c]);
		sb_free(&col[c]);
	}
	int64_t *ids = xcalloc(n, sizeof *ids);
	size_t got = 0;
	int rc;
	while ((rc = st_step(s)) == ST_ROW)
		if (got < n)
			ids[got++] = col_int(s, 0);
	st_done(s);
	if (rc != ST_DONE)
		rc = st_fail(st, e, "adding messages");
	else if (got != n)
		rc = derr_set(e, DESK_EIO, "internal error: %zu message ids for %zu messages", got,
			      n);
	else
		rc = DESK_OK;
	if (rc == DESK_OK) {
		qsort(ids, n, sizeof *ids, cmp_id);
		for (size_t i = 0; i < n; i++)
			v[i].id = ids[i];
	}
	free(ids);
	return rc;
}

/* --- events ------------------------------------------------------------ */

int store_events_insert(struct store *st, struct event *v, size_t n, struct derr *e)
{
	if (!st->pg || n <= 1) {
		for (size_t i = 0; i < n; i++) {
			int rc = store_event_insert(st, &v[i], e);
			if (rc)
				return rc;
		}
		return DESK_OK;
	}
	/* store_event_insert's max(id) + 1, row after row. */
	struct stmt *s = st_prep(
		st,
		"INSERT INTO events (id, ticket_id, agent_id, at, action, field, old_value,"
		" new_value, change_id)"
		" SELECT next.n + u.o - 1, u.t, u.a, u.at, u.ac, u.f, u.ov, u.nv,"
		" CASE WHEN u.c = -1 THEN next.n + u.o - 1 ELSE nullif(u.c, 0) END"
		" FROM unnest(CAST(?1 AS bigint[]), CAST(?2 AS bigint[]), CAST(?3 AS bigint[]),"
		" CAST(?4 AS text[]), CAST(?5 AS text[]), CAST(?6 AS text[]), CAST(?7 AS text[]),"
		" CAST(?8 AS bigint[])) WITH ORDINALITY AS u(t, a, at, ac, f, ov, nv, c, o),"
		" (SELECT coalesce(max(id), 0) + 1 AS n FROM events) AS next"
		" ORDER BY u.o RETURNING id",
		e);
	if (!s)
		return derr_code(e);
	struct strbuf col[8] = {{0}};
	for (size_t i = 0; i < n; i++) {
		const struct event *ev = &v[i];
		arr_id(&col[0], ev->ticket_id);
		arr_id(&col[1], ev->agent_id);
		arr_int(&col[2], ev->at ? ev->at : time_now());
		arr_text(&col[3], ev->action);
		arr_text(&col[4], ev->field);
		arr_text(&col[5], ev->old_value);
		arr_text(&col[6], ev->new_value);
		arr_int(&col[7], ev->change_id);
	}
	for (int c = 0; c < 8; c++) {
		arr_bind(s, c + 1, &col[c]);
		sb_free(&col[c]);
	}
	int64_t first = 0;
	size_t got = 0;
	int rc;
	while ((rc = st_step(s)) == ST_ROW) {
		int64_t id = col_int(s, 0);
		if (!got++ || id < first)
			first = id;
	}
	st_done(s);
	if (rc != ST_DONE)
		return st_fail(st, e, "writing the audit log");
	if (got != n)
		return derr_set(e, DESK_EIO, "internal error: %zu event ids for %zu events", got, n);
	for (size_t i = 0; i < n; i++) {
		v[i].id = first + (int64_t)i;
		if (v[i].change_id == EVENT_NEW_CHANGE)
			v[i].change_id = v[i].id;
	}
	return DESK_OK;
}

/* --- tags -------------------------------------------------------------- */

int store_tags_add(struct store *st, int64_t ticket_id, char *const *tags, size_t n,
		   struct derr *e)
{
	if (!st->pg || n <= 1) {
		for (size_t i = 0; i < n; i++) {
			bool changed;
			int rc = store_tag_add(st, ticket_id, tags[i], &changed, e);
			if (rc)
				return rc;
		}
		return DESK_OK;
	}
	struct stmt *s = st_prep(st,
				  "INSERT INTO ticket_tags (ticket_id, tag)"
				  " SELECT ?1, u.tag FROM unnest(CAST(?2 AS text[])) AS u(tag)"
				  " ON CONFLICT (ticket_id, tag) DO NOTHING",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, ticket_id);
	struct strbuf b = {0};
	for (size_t i = 0; i < n; i++)
		arr_text(&b, tags[i]);
	arr_bind(s, 2, &b);
	sb_free(&b);
	return st_exec_stmt(st, s, e, "changing tags");
}

/* --- the import's spool ------------------------------------------------ */

int store_import_lines_add(struct store *st, int64_t run, const struct import_line *v, size_t n,
			   struct derr *e)
{
	if (!st->pg || n <= 1) {
		for (size_t i = 0; i < n; i++) {
			int rc = store_import_line_add(st, run, v[i].seq, v[i].text, v[i].len, e);
			if (rc)
				return rc;
		}
		return DESK_OK;
	}
	struct stmt *s = st_prep(st,
				  "INSERT INTO import_lines (run_id, seq, json)"
				  " SELECT ?1, u.seq, u.json FROM unnest(CAST(?2 AS bigint[]),"
				  " CAST(?3 AS text[])) AS u(seq, json)",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, run);
	struct strbuf seqs = {0}, texts = {0};
	for (size_t i = 0; i < n; i++) {
		arr_int(&seqs, v[i].seq);
		/* Repaired when not UTF-8, as store_import_line_add does. */
		if (g_utf8_validate(v[i].text, (gssize)v[i].len, NULL)) {
			arr_text_as_is(&texts, v[i].text, v[i].len);
		} else {
			char *copy = xstrndup(v[i].text, v[i].len);
			arr_text(&texts, copy);
			free(copy);
		}
	}
	arr_bind(s, 2, &seqs);
	arr_bind(s, 3, &texts);
	sb_free(&seqs);
	sb_free(&texts);
	return st_exec_stmt(st, s, e, "keeping import lines");
}
