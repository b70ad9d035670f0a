/* activity.c: surveys, the audit events and drafts. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "util.h"

int store_survey_insert(struct store *st, struct survey *sv, struct derr *e)
{
	struct stmt *s = st_prep_insert(st,
				  "INSERT INTO surveys (ticket_id, kind, score, answered_at, comment,"
				  " request_id, agent_id, merged_from)"
				  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, sv->ticket_id);
	bind_text(s, 2, survey_kind_name(sv->kind));
	bind_int(s, 3, sv->score);
	bind_int(s, 4, sv->answered_at);
	bind_text(s, 5, sv->comment);
	bind_id(s, 6, sv->request_id);
	bind_id(s, 7, sv->agent_id);
	bind_id(s, 8, sv->merged_from);
	return st_insert(st, s, &sv->id, e, "adding a survey answer");
}

struct stmt *surveys_ask(struct store *st, int64_t ticket_id, struct derr *e)
{
	struct stmt *s = st_prep(st,
				  "SELECT s.id, s.ticket_id, s.kind, s.score, s.answered_at,"
				  " s.comment, s.request_id, s.agent_id, a.login FROM surveys s"
				  " LEFT JOIN agents a ON a.id = s.agent_id"
				  " WHERE s.ticket_id = ?1 ORDER BY s.answered_at, s.id",
				  e);
	if (s)
		bind_int(s, 1, ticket_id);
	return s;
}

int store_surveys(struct store *st, int64_t ticket_id, struct survey_list *out,
		  struct derr *e)
{
	struct stmt *s = surveys_ask(st, ticket_id, e);
	return s ? surveys_take(st, s, out, e) : derr_code(e);
}

int surveys_take(struct store *st, struct stmt *s, struct survey_list *out, struct derr *e)
{
	int rc;
	while ((rc = st_step(s)) == ST_ROW) {
		xgrow((void **)&out->v, &out->cap, out->n + 1, sizeof *out->v);
		struct survey *sv = &out->v[out->n++];
		memset(sv, 0, sizeof *sv);
		sv->id = col_int(s, 0);
		sv->ticket_id = col_int(s, 1);
		int k = survey_kind_from_name(col_str(s, 2));
		sv->kind = k < 0 ? SURVEY_CSAT : (enum survey_kind)k;
		sv->score = (int)col_int(s, 3);
		sv->answered_at = col_int(s, 4);
		sv->comment = col_text(s, 5);
		sv->request_id = col_int(s, 6);
		sv->agent_id = col_int(s, 7);
		sv->agent_login = col_text(s, 8);
	}
	st_done(s);
	return rc == ST_DONE ? DESK_OK : st_fail(st, e, "reading surveys");
}

int store_event_insert(struct store *st, struct event *ev, struct derr *e)
{
	/* A new change takes its first event's id, chosen here inside the
	 * write transaction so the two cannot differ and no other desk can
	 * take it. */
#define EVENT_INSERT                                                          \
	"INSERT INTO events (id, ticket_id, agent_id, at, action, field,"     \
	" old_value, new_value, change_id)"                                  \
	" SELECT n, ?1, ?2, ?3, ?4, ?5, ?6, ?7, CASE WHEN ?8 = -1 THEN n"    \
	" ELSE nullif(?8, 0) END"                                            \
	" FROM (SELECT coalesce(max(id), 0) + 1 AS n FROM events) AS next"
	struct stmt *s = st_prep_insert(st, EVENT_INSERT, e);
#undef EVENT_INSERT
	if (!s)
		return derr_code(e);
	bind_id(s, 1, ev->ticket_id);
	bind_id(s, 2, ev->agent_id);
	bind_int(s, 3, ev->at ? ev->at : time_now());
	bind_text(s, 4, ev->action);
	bind_text(s, 5, ev->field);
	bind_text(s, 6, ev->old_value);
	bind_text(s, 7, ev->new_value);
	bind_int(s, 8, ev->change_id);
	int rc = st_insert(st, s, &ev->id, e, "writing the audit log");
	if (rc == DESK_OK) {
		if (ev->change_id == EVENT_NEW_CHANGE)
			ev->change_id = ev->id;
	}
	return rc;
}

int store_events(struct store *st, int64_t ticket_id, struct event_list *out,
		 struct derr *e)
{
	struct stmt *s = st_prep(st,
				  "SELECT e.id, e.ticket_id, e.agent_id, a.login, e.at, e.action,"
				  " e.field, e.old_value, e.new_value FROM events e"
				  " LEFT JOIN agents a ON a.id = e.agent_id"
				  " WHERE e.ticket_id = ?1 ORDER BY e.id",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, ticket_id);
	int rc;
	while ((rc = st_step(s)) == ST_ROW) {
		xgrow((void **)&out->v, &out->cap, out->n + 1, sizeof *out->v);
		struct event *ev = &out->v[out->n++];
		ev->id = col_int(s, 0);
		ev->ticket_id = col_int(s, 1);
		ev->agent_id = col_int(s, 2);
		ev->agent_login = col_text(s, 3);
		ev->at = col_int(s, 4);
		ev->action = col_text(s, 5);
		ev->field = col_text(s, 6);
		ev->old_value = col_text(s, 7);
		ev->new_value = col_text(s, 8);
	}
	st_done(s);
	return rc == ST_DONE ? DESK_OK : st_fail(st, e, "reading the audit log");
}

int store_event_last(struct store *st, int64_t ticket_id, const char *field, struct event *out,
		     struct derr *e)
{
	memset(out, 0, sizeof *out);
	struct stmt *s = st_prep(st,
				  "SELECT e.id, e.agent_id, a.login, e.at, e.action, e.field,"
				  " e.old_value, e.new_value FROM events e"
				  " LEFT JOIN agents a ON a.id = e.agent_id"
				  " WHERE e.ticket_id = ?1 AND (?2 IS NULL OR e.field = ?2)"
				  " ORDER BY e.id DESC LIMIT 1",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, ticket_id);
	bind_text(s, 2, field);
	int rc = st_step(s);
	if (rc == ST_ROW) {
		out->id = col_int(s, 0);
		out->ticket_id = ticket_id;
		out->agent_id = col_int(s, 1);
		out->agent_login = col_text(s, 2);
		out->at = col_int(s, 3);
		out->action = col_text(s, 4);
		out->field = col_text(s, 5);
		out->old_value = col_text(s, 6);
		out->new_value = col_text(s, 7);
	}
	st_done(s);
	if (rc == ST_DONE)
		return derr_set(e, DESK_ENOTFOUND, "ticket %lld has no such event",
				(long long)ticket_id);
	return rc == ST_ROW ? DESK_OK : st_fail(st, e, "reading the audit log");
}

int store_draft_save_canned(struct store *st, int64_t ticket_id, int64_t agent_id,
			    enum msg_kind kind, const char *body, const char *canned,
			    struct derr *e)
{
	struct stmt *s = st_prep(st,
				  "INSERT INTO drafts (ticket_id, agent_id, kind, body, updated_at, canned)"
				  " VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
				  " ON CONFLICT (ticket_id, agent_id, kind) DO UPDATE"
				  " SET body = excluded.body, updated_at = excluded.updated_at,"
				  " canned = excluded.canned",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, ticket_id);
	bind_int(s, 2, agent_id);
	bind_text(s, 3, msg_kind_name(kind));
	bind_text(s, 4, body);
	bind_int(s, 5, time_now());
	bind_text(s, 6, canned);
	return st_exec_stmt(st, s, e, "saving a draft");
}

int store_draft_save(struct store *st, int64_t ticket_id, int64_t agent_id, enum msg_kind kind,
		     const char *body, struct derr *e)
{
	return store_draft_save_canned(st, ticket_id, agent_id, kind, body, NULL, e);
}

int store_draft_get_canned(struct store *st, int64_t ticket_id, int64_t agent_id,
			   enum msg_kind kind, char **body, char **canned, struct derr *e)
{
	*body = NULL;
	if (canned)
		*canned = NULL;
	struct stmt *s = st_prep(st,
				  "SELECT body, canned FROM drafts WHERE ticket_id = ?1"
				  " AND agent_id = ?2 AND kind = ?3",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, ticket_id);
	bind_int(s, 2, agent_id);
	bind_text(s, 3, msg_kind_name(kind));
	int rc = st_step(s);
	if (rc == ST_ROW) {
		*body = col_text(s, 0);
		if (canned)
			*canned = col_text(s, 1);
	}
	st_done(s);
	return rc == ST_ROW || rc == ST_DONE ? DESK_OK : st_fail(st, e, "reading a draft");
}

int store_draft_get(struct store *st, int64_t ticket_id, int64_t agent_id, enum msg_kind kind,
		    char **body, struct derr *e)
{
	return store_draft_get_canned(st, ticket_id, agent_id, kind, body, NULL, e);
}

struct stmt *draft_kinds_ask(struct store *st, int64_t ticket_id, int64_t agent_id,
			     struct derr *e)
{
	struct stmt *s = st_prep(st,
				  "SELECT kind FROM drafts WHERE ticket_id = ?1 AND agent_id = ?2"
				  " AND body IS NOT NULL",
				  e);
	if (s) {
		bind_int(s, 1, ticket_id);
		bind_int(s, 2, agent_id);
	}
	return s;
}

int store_draft_kinds(struct store *st, int64_t ticket_id, int64_t agent_id, unsigned *kinds,
		      struct derr *e)
{
	*kinds = 0;
	struct stmt *s = draft_kinds_ask(st, ticket_id, agent_id, e);
	return s ? draft_kinds_take(st, s, kinds, e) : derr_code(e);
}

int draft_kinds_take(struct store *st, struct stmt *s, unsigned *kinds, struct derr *e)
{
	*kinds = 0;
	int rc;
	while ((rc = st_step(s)) == ST_ROW) {
		int k = msg_kind_from_name(col_str(s, 0));
		if (k >= 0 && k < 32)
			*kinds |= 1u << k;
	}
	st_done(s);
	return rc == ST_DONE ? DESK_OK : st_fail(st, e, "reading the drafts of a ticket");
}

int store_draft_delete(struct store *st, int64_t ticket_id, int64_t agent_id,
		       enum msg_kind kind, struct derr *e)
{
	struct stmt *s = st_prep(st,
				  "DELETE FROM drafts WHERE ticket_id = ?1 AND agent_id = ?2"
				  " AND kind = ?3",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, ticket_id);
	bind_int(s, 2, agent_id);
	bind_text(s, 3, msg_kind_name(kind));
	return st_exec_stmt(st, s, e, "deleting a draft");
}
