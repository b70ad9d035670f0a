/* undo.c: what undoing an agent's change reads and writes (core/undo.c
 * decides): an agent's changes newest first, one change's events, a
 * ticket's events since one, and the merge's messages and surveys sent
 * back. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "util.h"

#define EVENT_COLS                                                                      \
	"e.id, e.ticket_id, e.agent_id, a.login, e.at, e.action, e.field, e.old_value,"  \
	" e.new_value, e.change_id FROM events e LEFT JOIN agents a ON a.id = e.agent_id"

static void read_event(struct stmt *s, struct event *ev)
{
	ev->id = col_int(s, 0);
	ev->ticket_id = col_int(s, 1);
	ev->agent_id = col_int(s, 2);
	ev->agent_login = col_text(s, 3);
	ev->at = col_int(s, 4);
	ev->action = col_text(s, 5);
	ev->field = col_text(s, 6);
	ev->old_value = col_text(s, 7);
	ev->new_value = col_text(s, 8);
	ev->change_id = col_int(s, 9);
}

static int read_events(struct store *st, struct stmt *s, struct event_list *out,
		       struct derr *e)
{
	int rc;
	while ((rc = st_step(s)) == ST_ROW) {
		xgrow((void **)&out->v, &out->cap, out->n + 1, sizeof *out->v);
		struct event *ev = &out->v[out->n++];
		memset(ev, 0, sizeof *ev);
		read_event(s, ev);
	}
	st_done(s);
	return rc == ST_DONE ? DESK_OK : st_fail(st, e, "reading the audit log");
}

int store_changes_walk(struct store *st, int64_t agent_id,
		       int (*fn)(void *ctx, const struct event *ev), void *ctx, struct derr *e)
{
	/* Newest change first (events_undo read backwards), so the walk
	 * stops after the few latest changes. */
	struct stmt *s = st_prep(st,
				  "SELECT " EVENT_COLS " WHERE e.agent_id = ?1"
				  " AND e.change_id IS NOT NULL ORDER BY e.change_id DESC, e.id DESC",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, agent_id);
	int rc, stop = 0;
	while (!stop && (rc = st_step(s)) == ST_ROW) {
		struct event ev = {0};
		read_event(s, &ev);
		stop = fn(ctx, &ev);
		event_free(&ev);
	}
	st_done(s);
	if (stop)
		return DESK_OK;
	return rc == ST_DONE ? DESK_OK : st_fail(st, e, "reading the audit log");
}

int store_change_events(struct store *st, int64_t agent_id, int64_t change_id,
			struct event_list *out, struct derr *e)
{
	struct stmt *s = st_prep(st,
				  "SELECT " EVENT_COLS " WHERE e.agent_id = ?1 AND e.change_id = ?2"
				  " ORDER BY e.id",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, agent_id);
	bind_int(s, 2, change_id);
	return read_events(st, s, out, e);
}

int store_events_after(struct store *st, int64_t ticket_id, int64_t after_id,
		       struct event_list *out, struct derr *e)
{
	struct stmt *s = st_prep(st,
				  "SELECT " EVENT_COLS " WHERE e.ticket_id = ?1 AND e.id > ?2"
				  " ORDER BY e.id",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, ticket_id);
	bind_int(s, 2, after_id);
	return read_events(st, s, out, e);
}

int store_last_solved_before(struct store *st, int64_t ticket_id, int64_t before_id,
			     int64_t *at, struct derr *e)
{
	*at = 0;
	struct stmt *s = st_prep(st,
				  "SELECT at FROM events WHERE ticket_id = ?1 AND id < ?2"
				  " AND field = 'status' AND new_value = 'solved'"
				  " ORDER BY id DESC LIMIT 1",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, ticket_id);
	bind_int(s, 2, before_id);
	int rc = st_step(s);
	if (rc == ST_ROW)
		*at = col_int(s, 0);
	st_done(s);
	return rc == ST_ROW || rc == ST_DONE ? DESK_OK
						     : st_fail(st, e, "reading the audit log");
}

int store_unmerge_children(struct store *st, int64_t from, int64_t into, struct derr *e)
{
	static const char *const sql[] = {
		"UPDATE messages SET ticket_id = ?1, merged_from = NULL"
		" WHERE ticket_id = ?2 AND merged_from = ?1",
		"UPDATE surveys SET ticket_id = ?1, merged_from = NULL"
		" WHERE ticket_id = ?2 AND merged_from = ?1",
	};
	for (size_t i = 0; i < ARRAY_LEN(sql); i++) {
		struct stmt *s = st_prep(st, sql[i], e);
		if (!s)
			return derr_code(e);
		bind_int(s, 1, from);
		bind_int(s, 2, into);
		int rc = st_exec_stmt(st, s, e, "undoing a merge");
		if (rc)
			return rc;
	}
	return DESK_OK;
}
