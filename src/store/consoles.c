/* consoles.c: the consoles open now, for `:who`.  Each console process
 * keeps one row: written when it starts, refreshed with its presence,
 * updated when what it shows changes, removed when it ends.  A row not
 * refreshed since the caller's cutoff belongs to a console that died
 * without saying so: it is left out, and swept by the next console that
 * starts. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "util.h"

int store_console_open(struct store *st, int64_t agent_id, int64_t pid, int64_t now,
		       int64_t stale_before, int64_t *id, struct derr *e)
{
	struct stmt *s = st_prep(st, "DELETE FROM consoles WHERE seen_at < ?1", e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, stale_before);
	int rc = st_exec_stmt(st, s, e, "sweeping closed consoles");
	if (rc)
		return rc;
	s = st_prep_insert(st,
		    "INSERT INTO consoles (agent_id, pid, started_at, seen_at)"
		    " VALUES (?1, ?2, ?3, ?3)",
		    e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, agent_id);
	bind_int(s, 2, pid);
	bind_int(s, 3, now);
	return st_insert(st, s, id, e, "recording the console");
}

int store_console_update(struct store *st, int64_t id, int64_t agent_id, int64_t pid,
			 int64_t ticket_id, int64_t ticket_since, const char *view, int64_t now,
			 bool *gone, struct derr *e)
{
	/* The row's id may have been swept and given to another console
	 * since: the agent and the pid say whether it is still ours. */
	struct stmt *s = st_prep(st,
				  "UPDATE consoles SET seen_at = ?2, ticket_id = ?3,"
				  " ticket_since = ?4, view = ?5"
				  " WHERE id = ?1 AND agent_id = ?6 AND pid = ?7",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, id);
	bind_int(s, 6, agent_id);
	bind_int(s, 7, pid);
	bind_int(s, 2, now);
	bind_id(s, 3, ticket_id);
	bind_id(s, 4, ticket_id ? ticket_since : 0);
	bind_text(s, 5, view);
	int rc = st_exec_stmt(st, s, e, "updating the console");
	if (gone)
		*gone = rc == DESK_OK && st_changes(st) == 0;
	return rc;
}

int store_console_close(struct store *st, int64_t id, struct derr *e)
{
	struct stmt *s = st_prep(st, "DELETE FROM consoles WHERE id = ?1", e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, id);
	return st_exec_stmt(st, s, e, "removing the console");
}

int store_consoles(struct store *st, int64_t fresh_since, struct console_rows *out,
		   struct derr *e)
{
	struct stmt *s = st_prep(st,
				  "SELECT o.id, a.login, a.name, o.pid, o.started_at, o.ticket_id,"
				  " t.subject, o.ticket_since, o.view FROM consoles o"
				  " JOIN agents a ON a.id = o.agent_id"
				  " LEFT JOIN tickets t ON t.id = o.ticket_id"
				  " WHERE o.seen_at >= ?1 ORDER BY a.login, o.started_at, o.id",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, fresh_since);
	int rc;
	while ((rc = st_step(s)) == ST_ROW) {
		xgrow((void **)&out->v, &out->cap, out->n + 1, sizeof *out->v);
		struct console_row *r = &out->v[out->n++];
		r->id = col_int(s, 0);
		r->login = col_text(s, 1);
		r->name = col_text(s, 2);
		r->pid = col_int(s, 3);
		r->started_at = col_int(s, 4);
		r->ticket_id = col_int(s, 5);
		r->subject = col_text(s, 6);
		r->ticket_since = col_int(s, 7);
		r->view = col_text(s, 8);
	}
	st_done(s);
	return rc == ST_DONE ? DESK_OK : st_fail(st, e, "reading the open consoles");
}

void console_rows_free(struct console_rows *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].login);
		free(l->v[i].name);
		free(l->v[i].subject);
		free(l->v[i].view);
	}
	free(l->v);
	memset(l, 0, sizeof *l);
}
