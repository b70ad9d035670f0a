/* tickets.c: the tickets table and their tags. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "util.h"

#define TICKET_COLS                                                              \
	"t.id, t.external_id, t.subject, t.status, t.priority, t.channel, t.queue," \
	" t.customer_id, c.name, c.email, t.assignee_id, a.login, t.created_at,"    \
	" t.updated_at, t.first_response_at, t.first_solved_at, t.solved_at,"       \
	" t.closed_at, t.first_response_due, t.resolution_due, t.next_due,"         \
	" t.reopens, t.merged_into, t.next_response_due, t.pending_since,"           \
	" t.paused_seconds, t.follow_up_at"
#define TICKET_NCOLS 27 /* TICKET_COLS' count: read_ticket reads them */
#define TICKET_FROM                                                   \
	" FROM tickets t LEFT JOIN customers c ON c.id = t.customer_id" \
	" LEFT JOIN agents a ON a.id = t.assignee_id"

static int enum_col(struct stmt *s, int i, int (*from_name)(const char *))
{
	const char *v = col_str(s, i);
	int r = v ? from_name((const char *)v) : -1;
	return r < 0 ? 0 : r;
}

static void read_ticket(struct stmt *s, struct ticket *t)
{
	int i = 0;
	t->id = col_int(s, i++);
	t->external_id = col_text(s, i++);
	t->subject = col_text(s, i++);
	t->status = enum_col(s, i++, status_from_name);
	t->priority = (enum priority)col_int(s, i++);
	t->channel = enum_col(s, i++, channel_from_name);
	t->queue = col_text(s, i++);
	t->customer_id = col_int(s, i++);
	t->customer_name = col_text(s, i++);
	t->customer_email = col_text(s, i++);
	t->assignee_id = col_int(s, i++);
	t->assignee_login = col_text(s, i++);
	t->created_at = col_int(s, i++);
	t->updated_at = col_int(s, i++);
	t->first_response_at = col_int(s, i++);
	t->first_solved_at = col_int(s, i++);
	t->solved_at = col_int(s, i++);
	t->closed_at = col_int(s, i++);
	t->first_response_due = col_int(s, i++);
	t->resolution_due = col_int(s, i++);
	t->next_due = col_int(s, i++);
	t->reopens = (int)col_int(s, i++);
	t->merged_into = col_int(s, i++);
	t->next_response_due = col_int(s, i++);
	t->pending_since = col_int(s, i++);
	t->paused_seconds = col_int(s, i++);
	t->follow_up_at = col_int(s, i++);
}

/* The ticket and its tags in one statement, a row per tag (one with a
 * NULL tag when it has none): on PostgreSQL each statement is a round
 * trip to the server, and the console reads the ticket it shows on
 * every move. */
int store_ticket_get(struct store *st, int64_t id, struct ticket *out, struct derr *e)
{
	memset(out, 0, sizeof *out);
	struct stmt *s = st_prep(st,
				 "SELECT " TICKET_COLS ", g.tag" TICKET_FROM
				 " LEFT JOIN ticket_tags g ON g.ticket_id = t.id"
				 " WHERE t.id = ?1 ORDER BY g.tag",
				 e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, id);
	int rc = st_step(s);
	bool found = rc == ST_ROW;
	if (found)
		read_ticket(s, out);
	size_t cap = 0;
	for (; rc == ST_ROW; rc = st_step(s)) {
		if (col_is_null(s, TICKET_NCOLS))
			continue;
		xgrow((void **)&out->tags, &cap, out->ntags + 2, sizeof *out->tags);
		out->tags[out->ntags++] = col_text(s, TICKET_NCOLS);
		out->tags[out->ntags] = NULL;
	}
	st_done(s);
	if (rc == ST_DONE && !found)
		return derr_set(e, DESK_ENOTFOUND, "no ticket %lld", (long long)id);
	if (rc != ST_DONE) {
		ticket_free(out);
		return st_fail(st, e, "reading a ticket");
	}
	return DESK_OK;
}

int store_ticket_by_external_id(struct store *st, const char *xid, int64_t *id,
				struct derr *e)
{
	/* A ticket made here answers to desk-INSTANCE-ID too.  SQLite's CAST
	 * reads anything else as 0; PostgreSQL's would fail on it, so there
	 * only digits are cast. */
#define BY_EXTERNAL_ID(id_from_xid)                                          \
	"SELECT id FROM tickets WHERE external_id = ?1"                      \
	" UNION ALL SELECT t.id FROM tickets t, meta m"                      \
	" WHERE m.key = 'instance' AND t.external_id IS NULL"                \
	"   AND ?1 = 'desk-' || m.value || '-' || t.id AND t.id = " id_from_xid \
	" LIMIT 1"
	struct stmt *s = st_prep2(
		st, BY_EXTERNAL_ID("CAST(substr(?1, length(m.value) + 7) AS INTEGER)"),
		BY_EXTERNAL_ID("CASE WHEN substr(?1, length(m.value) + 7) ~ '^[0-9]{1,18}$'"
			       " THEN CAST(substr(?1, length(m.value) + 7) AS bigint) END"),
		e);
#undef BY_EXTERNAL_ID
	if (!s)
		return derr_code(e);
	bind_text(s, 1, xid);
	int rc = st_step(s);
	*id = rc == ST_ROW ? col_int(s, 0) : 0;
	st_done(s);
	if (rc == ST_DONE)
		return derr_set(e, DESK_ENOTFOUND, "no ticket with external id %s", xid);
	return rc == ST_ROW ? DESK_OK : st_fail(st, e, "finding a ticket");
}

/* The mutable columns, in the order of bind_ticket_col and of the
 * statements below. */
static const char *const ticket_cols[] = {
	"external_id",	     "subject",		"status",	     "priority",
	"channel",	     "queue",		"customer_id",	     "assignee_id",
	"created_at",	     "updated_at",	"first_response_at", "first_solved_at",
	"solved_at",	     "closed_at",	"first_response_due", "resolution_due",
	"next_due",	     "reopens",		"merged_into",	     "next_response_due",
	"pending_since",     "paused_seconds",	"follow_up_at",
};
#define UPDATABLE_COLS (sizeof ticket_cols / sizeof ticket_cols[0])

/* Binds t's value of ticket_cols[col] as parameter param. */
static void bind_ticket_col(struct stmt *s, int param, const struct ticket *t, size_t col)
{
	switch (col) {
	case 0: bind_text(s, param, t->external_id); break;
	case 1: bind_text(s, param, t->subject); break;
	case 2: bind_text(s, param, status_name(t->status)); break;
	case 3: bind_int(s, param, (int)t->priority); break;
	case 4: bind_text(s, param, channel_name(t->channel)); break;
	case 5: bind_text(s, param, t->queue ? t->queue : "general"); break;
	case 6: bind_id(s, param, t->customer_id); break;
	case 7: bind_id(s, param, t->assignee_id); break;
	case 8: bind_int(s, param, t->created_at); break;
	case 9: bind_int(s, param, t->updated_at ? t->updated_at : t->created_at); break;
	case 10: bind_id(s, param, t->first_response_at); break;
	case 11: bind_id(s, param, t->first_solved_at); break;
	case 12: bind_id(s, param, t->solved_at); break;
	case 13: bind_id(s, param, t->closed_at); break;
	case 14: bind_id(s, param, t->first_response_due); break;
	case 15: bind_id(s, param, t->resolution_due); break;
	case 16: bind_id(s, param, t->next_due); break;
	case 17: bind_int(s, param, t->reopens); break;
	case 18: bind_id(s, param, t->merged_into); break;
	case 19: bind_id(s, param, t->next_response_due); break;
	case 20: bind_id(s, param, t->pending_since); break;
	case 21: bind_int(s, param, t->paused_seconds); break;
	case 22: bind_id(s, param, t->follow_up_at); break;
	}
}

/* Binds every mutable column, ticket_cols[i] as ?(i + 2); ?1 is the id. */
static void bind_ticket(struct stmt *s, const struct ticket *t)
{
	for (size_t i = 0; i < UPDATABLE_COLS; i++)
		bind_ticket_col(s, (int)i + 2, t, i);
}

int store_ticket_insert(struct store *st, struct ticket *t, struct derr *e)
{
#define TICKET_INSERT(id)                                                            \
	"INSERT INTO tickets (id, external_id, subject, status, priority, channel,"   \
	" queue, customer_id, assignee_id, created_at, updated_at, first_response_at," \
	" first_solved_at, solved_at, closed_at, first_response_due, resolution_due," \
	" next_due, reopens, merged_into, next_response_due, pending_since,"         \
	" paused_seconds, follow_up_at) VALUES (" id ", ?2, ?3, ?4, ?5, ?6, ?7, ?8,"  \
	" ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22,"      \
	" ?23, ?24)"
	/* PostgreSQL fills an identity column only when it is left out, not
	 * when it is given NULL. */
	struct stmt *s = st_prep2(
		st, TICKET_INSERT("?1"),
		TICKET_INSERT("coalesce(?1, nextval(pg_get_serial_sequence('tickets', 'id')))")
			" RETURNING id", e);
#undef TICKET_INSERT
	if (!s)
		return derr_code(e);
	bind_id(s, 1, t->id);
	bind_ticket(s, t);
	int rc = st_insert(st, s, &t->id, e, "adding a ticket");
	if (rc)
		return rc;
	return store_tags_add(st, t->id, t->tags, t->ntags, e);
}

/* On a server every column in one UPDATE, a round trip inside the
 * writers' lock instead of two.  PostgreSQL writes a new row version
 * and an entry in each index either way (no HOT update once an indexed
 * value such as updated_at changes), whichever columns are named, and
 * its triggers on tickets fire only for a value that differs (WHEN ...
 * IS DISTINCT FROM). */
static int ticket_update_all(struct store *st, const struct ticket *t, struct derr *e)
{
	struct strbuf q = {0};
	sb_add(&q, "UPDATE tickets SET ");
	for (size_t i = 0; i < UPDATABLE_COLS; i++)
		sb_addf(&q, "%s%s = ?%zu", i ? ", " : "", ticket_cols[i], i + 2);
	sb_add(&q, " WHERE id = ?1");
	struct stmt *s = st_prep(st, sb_str(&q), e);
	sb_free(&q);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, t->id);
	bind_ticket(s, t);
	int rc = st_exec_stmt(st, s, e, "updating a ticket");
	if (rc == DESK_OK && st_changes(st) == 0)
		rc = derr_set(e, DESK_ENOTFOUND, "no ticket %lld", (long long)t->id);
	return rc;
}

/* On SQLite only the columns that changed are written: a note changes
 * updated_at and little else, and rewriting every column would rewrite
 * the entry of each of the ticket's indexes and its subject's full-text
 * entry too (three times the pages per commit, and so more WAL, more
 * checkpoints and a longer hold of the write gate). */
int store_ticket_update(struct store *st, const struct ticket *t, struct derr *e)
{
	if (st->pg)
		return ticket_update_all(st, t, e);
	/* Which bound values equal the stored ones (same order as ticket_cols).
	 * IS NOT DISTINCT FROM: SQLite's IS, which PostgreSQL spells only so. */
#define SAME(param, col) "?" #param " IS NOT DISTINCT FROM " col
	struct stmt *s = st_prep(
		st,
		"SELECT " SAME(2, "external_id") ", " SAME(3, "subject") ", " SAME(4, "status")
		", " SAME(5, "priority") ", " SAME(6, "channel") ", " SAME(7, "queue")
		", " SAME(8, "customer_id") ", " SAME(9, "assignee_id") ", " SAME(10, "created_at")
		", " SAME(11, "updated_at") ", " SAME(12, "first_response_at")
		", " SAME(13, "first_solved_at") ", " SAME(14, "solved_at") ", " SAME(15, "closed_at")
		", " SAME(16, "first_response_due") ", " SAME(17, "resolution_due")
		", " SAME(18, "next_due") ", " SAME(19, "reopens") ", " SAME(20, "merged_into")
		", " SAME(21, "next_response_due") ", " SAME(22, "pending_since")
		", " SAME(23, "paused_seconds") ", " SAME(24, "follow_up_at")
		" FROM tickets WHERE id = ?1",
		e);
#undef SAME
	if (!s)
		return derr_code(e);
	bind_int(s, 1, t->id);
	bind_ticket(s, t);
	int rc = st_step(s);
	if (rc != ST_ROW) {
		st_done(s);
		return rc == ST_DONE ? derr_set(e, DESK_ENOTFOUND, "no ticket %lld", (long long)t->id)
					 : st_fail(st, e, "updating a ticket");
	}
	/* The changed columns are numbered ?2, ?3, ... in turn: PostgreSQL
	 * takes no value for a parameter its statement lacks. */
	struct strbuf q = {0};
	sb_add(&q, "UPDATE tickets SET ");
	size_t cols[UPDATABLE_COLS];
	size_t changed = 0;
	for (size_t i = 0; i < UPDATABLE_COLS; i++)
		if (!col_int(s, (int)i)) {
			sb_addf(&q, "%s%s = ?%zu", changed ? ", " : "", ticket_cols[i],
				changed + 2);
			cols[changed++] = i;
		}
	st_done(s);
	sb_add(&q, " WHERE id = ?1");
	rc = DESK_OK;
	if (changed) {
		s = st_prep(st, sb_str(&q), e);
		if (s) {
			bind_int(s, 1, t->id);
			for (size_t k = 0; k < changed; k++)
				bind_ticket_col(s, (int)k + 2, t, cols[k]);
			rc = st_exec_stmt(st, s, e, "updating a ticket");
		} else {
			rc = derr_code(e);
		}
	}
	sb_free(&q);
	return rc;
}

static int scalar(struct store *st, const char *sql, int64_t *out, struct derr *e)
{
	struct stmt *s = st_prep(st, sql, e);
	if (!s)
		return derr_code(e);
	int rc = st_step(s);
	*out = rc == ST_ROW ? col_int(s, 0) : 0;
	st_done(s);
	return rc == ST_ROW ? DESK_OK : st_fail(st, e, "counting tickets");
}

int store_ticket_count(struct store *st, int64_t *n, struct derr *e)
{
	return scalar(st, "SELECT count(*) FROM tickets", n, e);
}

int store_ticket_max_id(struct store *st, int64_t *id, struct derr *e)
{
	return scalar(st, "SELECT coalesce(max(id), 0) FROM tickets", id, e);
}

static int tag_change(struct store *st, const char *sql, int64_t ticket_id, const char *tag,
		      bool *changed, struct derr *e)
{
	struct stmt *s = st_prep(st, sql, e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, ticket_id);
	bind_text(s, 2, tag);
	int rc = st_exec_stmt(st, s, e, "changing tags");
	*changed = rc == DESK_OK && st_changes(st) > 0;
	return rc;
}

int store_tag_add(struct store *st, int64_t ticket_id, const char *tag, bool *changed,
		  struct derr *e)
{
	/* ON CONFLICT names the one conflict to ignore, a tag already there;
	 * OR IGNORE would also swallow the CHECK on the tag's length. */
	return tag_change(st,
			  "INSERT INTO ticket_tags (ticket_id, tag) VALUES (?1, ?2)"
			  " ON CONFLICT (ticket_id, tag) DO NOTHING",
			  ticket_id, tag, changed, e);
}

int store_tag_remove(struct store *st, int64_t ticket_id, const char *tag, bool *changed,
		     struct derr *e)
{
	return tag_change(st, "DELETE FROM ticket_tags WHERE ticket_id = ?1 AND tag = ?2",
			  ticket_id, tag, changed, e);
}

struct stmt *customer_tickets_ask(struct store *st, int64_t customer_id, int limit,
				  struct derr *e)
{
	struct stmt *s = st_prep(st,
				  "SELECT " TICKET_COLS TICKET_FROM
				  " WHERE t.customer_id = ?1"
				  " ORDER BY t.created_at DESC, t.id DESC LIMIT ?2",
				  e);
	if (!s)
		return NULL;
	bind_int(s, 1, customer_id);
	/* A negative limit is none: SQLite reads it so, PostgreSQL refuses it. */
	bind_int(s, 2, limit < 0 ? INT64_MAX : limit);
	return s;
}

int store_customer_tickets(struct store *st, int64_t customer_id, int limit,
			   struct ticket_list *out, struct derr *e)
{
	struct stmt *s = customer_tickets_ask(st, customer_id, limit, e);
	return s ? customer_tickets_take(st, s, out, e) : derr_code(e);
}

int customer_tickets_take(struct store *st, struct stmt *s, struct ticket_list *out,
			  struct derr *e)
{
	int rc;
	while ((rc = st_step(s)) == ST_ROW) {
		xgrow((void **)&out->v, &out->cap, out->n + 1, sizeof *out->v);
		read_ticket(s, &out->v[out->n++]);
	}
	st_done(s);
	return rc == ST_DONE ? DESK_OK : st_fail(st, e, "listing a customer's tickets");
}

int store_customer_ticket_span(struct store *st, int64_t customer_id, int64_t created_at,
			       int64_t id, int limit, int *total, int *before, struct derr *e)
{
	/* "created_at >= ?2" is the range tickets_customer seeks; the rest
	 * is tested on the same entries (the id is the index's rowid). */
#define SPAN_ALL "SELECT count(*) FROM (SELECT 1 FROM tickets WHERE customer_id = ?1 LIMIT ?4) AS span"
#define SPAN_AFTER                                                          \
	"SELECT count(*) FROM (SELECT 1 FROM tickets WHERE customer_id = ?1" \
	" AND created_at >= ?2 AND (created_at > ?2 OR id > ?3) LIMIT ?4) AS span"
	static const char *const sql[] = {SPAN_ALL, SPAN_AFTER};
	int *out[] = {total, before};
	/* PostgreSQL: both counts in one statement, one round trip (the
	 * console's history pane reads them on every move). */
	bool one = st_engine(st) == ENGINE_POSTGRESQL;
	static const char both[] = "SELECT (" SPAN_ALL "), (" SPAN_AFTER ")";
#undef SPAN_ALL
#undef SPAN_AFTER
	for (size_t i = 0; i < (one ? 1 : ARRAY_LEN(sql)); i++) {
		struct stmt *s = st_prep(st, one ? both : sql[i], e);
		if (!s)
			return derr_code(e);
		bind_int(s, 1, customer_id);
		bind_int(s, 2, created_at);
		bind_int(s, 3, id);
		bind_int(s, 4, limit);
		int rc = st_step(s);
		for (size_t k = 0; k < (one ? 2 : 1); k++)
			*out[i + k] = rc == ST_ROW ? col_int(s, (int)k) : 0;
		st_done(s);
		if (rc != ST_ROW)
			return st_fail(st, e, "counting a customer's tickets");
	}
	return DESK_OK;
}

int store_ticket_move_children(struct store *st, int64_t from, int64_t to, struct derr *e)
{
	static const char *const sql[] = {
		"UPDATE messages SET ticket_id = ?2, merged_from = ?1 WHERE ticket_id = ?1",
		"INSERT INTO ticket_tags (ticket_id, tag)"
		" SELECT ?2, tag FROM ticket_tags WHERE ticket_id = ?1"
		" ON CONFLICT (ticket_id, tag) DO NOTHING",
		"DELETE FROM ticket_tags WHERE ticket_id = ?1",
		"UPDATE surveys SET ticket_id = ?2, merged_from = ?1 WHERE ticket_id = ?1",
		/* Drafts stay: they are their agents' unsent work, which the
		 * drafts list shows marked and resumes on `to`
		 * (core_draft_follow_merge). */
	};
	for (size_t i = 0; i < ARRAY_LEN(sql); i++) {
		struct stmt *s = st_prep(st, sql[i], e);
		if (!s)
			return derr_code(e);
		bind_int(s, 1, from);
		/* PostgreSQL takes no value for a parameter the statement lacks. */
		if (st_param_count(s) >= 2)
			bind_int(s, 2, to);
		int rc = st_exec_stmt(st, s, e, "merging tickets");
		if (rc)
			return rc;
	}
	return DESK_OK;
}
