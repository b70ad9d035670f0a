/* seen.c: what each agent has seen.  ticket_seen holds, per agent and
 * ticket, when the agent last had it in front of them; a ticket changed
 * since (tickets.updated_at later than that) is new to them.  A ticket
 * the agent never saw counts as new only when it changed after the
 * agent's baseline (the caller's `since`): the historic backlog an agent
 * never opened is not all new on their first day. */
#include <stdlib.h>
#include <string.h>

#include "id_set.h"
#include "internal.h"
#include "util.h"

/* The later of the stored look and the new one, for ON CONFLICT (SQLite's
 * scalar max is PostgreSQL's greatest: a CASE is both). */
#define NEWER_LOOK                                                                  \
	" SET seen_at = CASE WHEN excluded.seen_at > ticket_seen.seen_at"            \
	" THEN excluded.seen_at ELSE ticket_seen.seen_at END"

/* The SQL test "ticket t is new to agent ?1", with its seen row s
 * (LEFT JOIN) and the baseline bound as ?2.  Times are whole seconds:
 * a change in the very second of the agent's first console counts as
 * after it (another agent's note a moment after the console opened was
 * never marked), while a look covers its own second. */
#define UNSEEN "(CASE WHEN s.seen_at IS NULL THEN t.updated_at >= ?2" \
	       " ELSE t.updated_at > s.seen_at END)"

int store_seen_mark(struct store *st, int64_t agent_id, int64_t ticket_id, int64_t now,
		    struct derr *e)
{
	/* Never backwards: a console with a slow clock does not undo a
	 * later look from another one (NEWER_LOOK). */
	struct stmt *s = st_prep(st,
				  "INSERT INTO ticket_seen (agent_id, ticket_id, seen_at)"
				  " SELECT ?1, id, ?3 FROM tickets WHERE id = ?2"
				  " ON CONFLICT (agent_id, ticket_id) DO UPDATE" NEWER_LOOK,
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, agent_id);
	bind_int(s, 2, ticket_id);
	bind_int(s, 3, now);
	return st_exec_stmt(st, s, e, "recording a ticket as seen");
}

int store_events_since(struct store *st, int64_t agent_id, int64_t after, int64_t *newest,
		       int64_t *mine, struct derr *e)
{
	/* Only the events written since `after`: a rowid range. */
	struct stmt *s = st_prep(st,
				  "SELECT max(id), max(CASE WHEN agent_id = ?2 THEN id END)"
				  " FROM events WHERE id > ?1",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, after);
	bind_int(s, 2, agent_id);
	int rc = st_step(s);
	*newest = rc == ST_ROW ? col_int(s, 0) : 0;
	*mine = rc == ST_ROW ? col_int(s, 1) : 0;
	st_done(s);
	return rc == ST_ROW ? DESK_OK : st_fail(st, e, "reading the latest changes");
}

int store_seen_mark_own(struct store *st, int64_t agent_id, int64_t after, int64_t upto,
			int64_t now, struct derr *e)
{
	struct stmt *s = st_prep(st,
				  "INSERT INTO ticket_seen (agent_id, ticket_id, seen_at)"
				  " SELECT DISTINCT ?2, ev.ticket_id, ?4 FROM events ev"
				  " JOIN tickets t ON t.id = ev.ticket_id"
				  " WHERE ev.id > ?1 AND ev.id <= ?3 AND ev.agent_id = ?2"
				  " ON CONFLICT (agent_id, ticket_id) DO UPDATE" NEWER_LOOK,
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, after);
	bind_int(s, 2, agent_id);
	bind_int(s, 3, upto);
	bind_int(s, 4, now);
	return st_exec_stmt(st, s, e, "recording the agent's own changes as seen");
}

int store_seen_state(struct store *st, int64_t agent_id, int64_t ticket_id, int64_t *seen_at,
		     int64_t *updated_at, struct derr *e)
{
	*seen_at = *updated_at = 0;
	struct stmt *s = st_prep(st,
				  "SELECT t.updated_at, s.seen_at FROM tickets t"
				  " LEFT JOIN ticket_seen s ON s.agent_id = ?1 AND s.ticket_id = t.id"
				  " WHERE t.id = ?2",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, agent_id);
	bind_int(s, 2, ticket_id);
	int rc = st_step(s);
	if (rc == ST_ROW) {
		*updated_at = col_int(s, 0);
		*seen_at = col_int(s, 1);
	}
	st_done(s);
	if (rc == ST_DONE)
		return derr_set(e, DESK_ENOTFOUND, "no ticket #%lld", (long long)ticket_id);
	return rc == ST_ROW ? DESK_OK : st_fail(st, e, "reading what was seen");
}

int store_seen_since_get(struct store *st, int64_t agent_id, int64_t *since, struct derr *e)
{
	*since = 0;
	struct stmt *s = st_prep(st, "SELECT seen_since FROM agents WHERE id = ?1", e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, agent_id);
	int rc = st_step(s);
	if (rc == ST_ROW)
		*since = col_int(s, 0);
	st_done(s);
	return rc == ST_ROW || rc == ST_DONE ? DESK_OK
						      : st_fail(st, e, "reading the agent's first console");
}

int store_seen_since(struct store *st, int64_t agent_id, int64_t start, int64_t *since,
		     struct derr *e)
{
	*since = start;
	struct stmt *s = st_prep(st,
				  "UPDATE agents SET seen_since = ?2 WHERE id = ?1 AND seen_since IS NULL",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, agent_id);
	bind_int(s, 2, start);
	int rc = st_exec_stmt(st, s, e, "recording the agent's first console");
	if (rc)
		return rc;
	s = st_prep(st, "SELECT seen_since FROM agents WHERE id = ?1", e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, agent_id);
	rc = st_step(s);
	if (rc == ST_ROW && !col_is_null(s, 0))
		*since = col_int(s, 0);
	st_done(s);
	return rc == ST_ROW ? DESK_OK : st_fail(st, e, "reading the agent's first console");
}

int store_seen_page(struct store *st, int64_t agent_id, int64_t since, const int64_t *ids,
		    size_t n, bool *unseen, struct derr *e)
{
	memset(unseen, 0, n * sizeof *unseen);
	if (!n)
		return DESK_OK;
	/* One statement whatever the page's length: the ids go in as one
	 * bound JSON array (id_set.h). */
	struct strbuf arr = {0};
	for (size_t i = 0; i < n; i++)
		sb_addf(&arr, "%s%lld", i ? "," : "[", (long long)ids[i]);
	sb_add(&arr, "]");
#define UNSEEN_OF(ids)                                                                \
	"SELECT t.id FROM tickets t"                                                  \
	" LEFT JOIN ticket_seen s ON s.agent_id = ?1 AND s.ticket_id = t.id"          \
	" WHERE t.id IN " ids " AND " UNSEEN
	struct stmt *s =
		st_prep2(st, UNSEEN_OF(ID_SET_SQLITE("?3")), UNSEEN_OF(ID_SET_PG("?3")), e);
#undef UNSEEN_OF
	if (!s) {
		sb_free(&arr);
		return derr_code(e);
	}
	bind_int(s, 1, agent_id);
	bind_int(s, 2, since);
	bind_text(s, 3, sb_str(&arr));
	int rc;
	while ((rc = st_step(s)) == ST_ROW) {
		int64_t id = col_int(s, 0);
		for (size_t i = 0; i < n; i++)
			if (ids[i] == id)
				unseen[i] = true;
	}
	st_done(s);
	sb_free(&arr);
	return rc == ST_DONE ? DESK_OK : st_fail(st, e, "reading which tickets are new");
}

void ticket_briefs_add(struct ticket_briefs *l, int64_t id, char *subject)
{
	xgrow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v);
	l->v[l->n].id = id;
	l->v[l->n++].subject = subject;
}

void ticket_briefs_free(struct ticket_briefs *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].subject);
	free(l->v);
	memset(l, 0, sizeof *l);
}

/* Steps s to its end, adding (id, subject) rows to out. */
static int read_briefs(struct store *st, struct stmt *s, struct ticket_briefs *out,
		       struct derr *e, const char *what)
{
	int rc;
	while ((rc = st_step(s)) == ST_ROW)
		ticket_briefs_add(out, col_int(s, 0), col_text(s, 1));
	st_done(s);
	return rc == ST_DONE ? DESK_OK : st_fail(st, e, what);
}

int store_seen_assigned(struct store *st, int64_t agent_id, int64_t since, int limit,
			struct ticket_briefs *out, struct derr *e)
{
	/* Assigned to the agent by someone else (or by desk itself) after
	 * the agent last saw the ticket; the agent's own claims are theirs. */
	struct stmt *s = st_prep(st,
				  "SELECT t.id, t.subject FROM tickets t"
				  " LEFT JOIN ticket_seen s ON s.agent_id = ?1 AND s.ticket_id = t.id"
				  " WHERE t.assignee_id = ?1 AND t.merged_into IS NULL"
				  " AND " OPEN_NOW " AND " UNSEEN
				  " AND EXISTS (SELECT 1 FROM events ev WHERE ev.ticket_id = t.id"
				  "  AND ev.field = 'assignee' AND ev.agent_id IS DISTINCT FROM ?1"
				  "  AND (CASE WHEN s.seen_at IS NULL THEN ev.at >= ?2"
				  "   ELSE ev.at > s.seen_at END))"
				  " ORDER BY t.id LIMIT ?3",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, agent_id);
	bind_int(s, 2, since);
	bind_int(s, 3, limit);
	return read_briefs(st, s, out, e, "reading tickets newly assigned");
}

int store_sla_soon(struct store *st, int64_t agent_id, int64_t now, int64_t until, int limit,
		   struct ticket_briefs *out, struct derr *e)
{
	/* The agent's tickets and the unassigned ones, waiting on the team
	 * (new, open), due after now and by `until`. */
	struct stmt *s = st_prep(st,
				  "SELECT t.id, t.subject FROM tickets t"
				  " WHERE t.status IN ('new', 'open') AND t.merged_into IS NULL"
				  " AND t.next_due > ?2 AND t.next_due <= ?3"
				  " AND (t.assignee_id = ?1 OR t.assignee_id IS NULL)"
				  " ORDER BY t.next_due, t.id LIMIT ?4",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, agent_id);
	bind_int(s, 2, now);
	bind_int(s, 3, until);
	bind_int(s, 4, limit);
	return read_briefs(st, s, out, e, "reading tickets due soon");
}
