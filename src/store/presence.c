/* presence.c: who is looking at or replying to which ticket right now.
 * Each console keeps one row per agent fresh; rows older than the
 * caller's cutoff are stale and ignored (a crashed console's row fades). */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "util.h"

int store_presence_set(struct store *st, int64_t agent_id, int64_t ticket_id, bool replying,
		       int64_t now, struct derr *e)
{
	struct stmt *s = st_prep(st, "DELETE FROM presence WHERE agent_id = ?1", e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, agent_id);
	int rc = st_exec_stmt(st, s, e, "updating presence");
	if (rc || !ticket_id)
		return rc;
	s = st_prep(st,
		    "INSERT INTO presence (agent_id, ticket_id, state, seen_at)"
		    " VALUES (?1, ?2, ?3, ?4)",
		    e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, agent_id);
	bind_int(s, 2, ticket_id);
	bind_text(s, 3, replying ? "replying" : "viewing");
	bind_int(s, 4, now);
	return st_exec_stmt(st, s, e, "updating presence");
}

int store_presence_list(struct store *st, int64_t ticket_id, int64_t fresh_since,
			int64_t except_agent, struct presence_list *out, struct derr *e)
{
	struct stmt *s = st_prep(st,
				  "SELECT a.login, p.state = 'replying' FROM presence p"
				  " JOIN agents a ON a.id = p.agent_id"
				  " WHERE p.ticket_id = ?1 AND p.seen_at >= ?2 AND p.agent_id != ?3"
				  " ORDER BY p.state = 'replying' DESC, a.login",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, ticket_id);
	bind_int(s, 2, fresh_since);
	bind_int(s, 3, except_agent);
	int rc;
	while ((rc = st_step(s)) == ST_ROW) {
		xgrow((void **)&out->v, &out->cap, out->n + 1, sizeof *out->v);
		out->v[out->n].login = col_text(s, 0);
		out->v[out->n].replying = col_int(s, 1) != 0;
		out->n++;
	}
	st_done(s);
	return rc == ST_DONE ? DESK_OK : st_fail(st, e, "reading presence");
}

void presence_list_free(struct presence_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].login);
	free(l->v);
	memset(l, 0, sizeof *l);
}

int store_presence_all(struct store *st, int64_t fresh_since, int64_t except_agent,
		       struct presence_rows *out, struct derr *e)
{
	struct stmt *s = st_prep(st,
				  "SELECT p.ticket_id, a.login, p.state = 'replying' FROM presence p"
				  " JOIN agents a ON a.id = p.agent_id"
				  " WHERE p.seen_at >= ?1 AND p.agent_id != ?2"
				  " ORDER BY p.ticket_id, p.state = 'replying' DESC, a.login",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, fresh_since);
	bind_int(s, 2, except_agent);
	int rc;
	while ((rc = st_step(s)) == ST_ROW) {
		xgrow((void **)&out->v, &out->cap, out->n + 1, sizeof *out->v);
		struct presence_row *r = &out->v[out->n++];
		r->ticket_id = col_int(s, 0);
		r->login = col_text(s, 1);
		r->replying = col_int(s, 2) != 0;
	}
	st_done(s);
	return rc == ST_DONE ? DESK_OK : st_fail(st, e, "reading presence");
}

void presence_rows_free(struct presence_rows *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].login);
	free(l->v);
	memset(l, 0, sizeof *l);
}

/* Presence rows are written often and change nothing else; every other
 * change of what a console shows leaves an audit event, a message, or an
 * outbound message changing its delivery state.  Comparing these tells a
 * console whether another process's commit needs more than a presence
 * refresh. */
int store_content_mark(struct store *st, int64_t mark[3], struct derr *e)
{
	struct stmt *s = st_prep(st,
				  "SELECT (SELECT coalesce(max(id), 0) FROM events),"
				  " (SELECT coalesce(max(id), 0) FROM messages),"
				  " (SELECT count(*) FROM messages"
				  "  WHERE delivery IN ('queued','failed'))",
				  e);
	if (!s)
		return derr_code(e);
	int rc = st_step(s);
	for (int i = 0; i < 3; i++)
		mark[i] = rc == ST_ROW ? col_int(s, i) : 0;
	st_done(s);
	return rc == ST_ROW ? DESK_OK : st_fail(st, e, "checking for changes");
}
