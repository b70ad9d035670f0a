/* agents.c: the agents table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "util.h"

#define AGENT_COLS "id, login, name, role, active, created_at"

static void read_agent(struct stmt *s, struct agent *a)
{
	a->id = col_int(s, 0);
	a->login = col_text(s, 1);
	a->name = col_text(s, 2);
	char *role = col_text(s, 3);
	int r = role_from_name(role);
	a->role = r < 0 ? ROLE_AGENT : (enum role)r;
	free(role);
	a->active = col_int(s, 4) != 0;
	a->created_at = col_int(s, 5);
}

static int one_agent(struct store *st, struct stmt *s, struct agent *out, const char *what,
		     struct derr *e)
{
	int rc = st_step(s);
	if (rc == ST_ROW) {
		read_agent(s, out);
		st_done(s);
		return DESK_OK;
	}
	st_done(s);
	if (rc == ST_DONE)
		return derr_set(e, DESK_ENOTFOUND, "no agent %s", what);
	return st_fail(st, e, "reading an agent");
}

int store_agent_get(struct store *st, int64_t id, struct agent *out, struct derr *e)
{
	struct stmt *s = st_prep(st, "SELECT " AGENT_COLS " FROM agents WHERE id = ?1", e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, id);
	char what[32];
	snprintf(what, sizeof what, "#%lld", (long long)id);
	return one_agent(st, s, out, what, e);
}

int store_agent_by_login(struct store *st, const char *login, struct agent *out,
			 struct derr *e)
{
	struct stmt *s = st_prep(st, "SELECT " AGENT_COLS " FROM agents WHERE login = ?1", e);
	if (!s)
		return derr_code(e);
	bind_text(s, 1, login);
	char what[96];
	snprintf(what, sizeof what, "\"%.80s\"", login);
	return one_agent(st, s, out, what, e);
}

int store_agent_insert(struct store *st, struct agent *a, struct derr *e)
{
	struct stmt *s = st_prep_insert(st,
				  "INSERT INTO agents (login, name, role, active, created_at)"
				  " VALUES (?1, ?2, ?3, ?4, ?5)",
				  e);
	if (!s)
		return derr_code(e);
	bind_text(s, 1, a->login);
	bind_text(s, 2, a->name ? a->name : a->login);
	bind_text(s, 3, role_name(a->role));
	bind_int(s, 4, a->active);
	bind_int(s, 5, a->created_at ? a->created_at : time_now());
	int rc = st_insert(st, s, &a->id, e, "adding an agent");
	if (rc && st_failed_duplicate(st))
		return derr_set(e, DESK_ECONFLICT, "agent \"%s\" already exists", a->login);
	return rc;
}

int store_agent_update(struct store *st, const struct agent *a, struct derr *e)
{
	struct stmt *s = st_prep(st,
				  "UPDATE agents SET name = ?2, role = ?3, active = ?4"
				  " WHERE id = ?1",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, a->id);
	bind_text(s, 2, a->name);
	bind_text(s, 3, role_name(a->role));
	bind_int(s, 4, a->active);
	return st_exec_stmt(st, s, e, "updating an agent");
}

static int agent_rows(struct store *st, struct stmt *s, struct agent_list *out,
		      struct derr *e)
{
	int rc;
	while ((rc = st_step(s)) == ST_ROW) {
		xgrow((void **)&out->v, &out->cap, out->n + 1, sizeof *out->v);
		read_agent(s, &out->v[out->n++]);
	}
	st_done(s);
	return rc == ST_DONE ? DESK_OK : st_fail(st, e, "listing agents");
}

int store_agent_list(struct store *st, struct agent_list *out, struct derr *e)
{
	struct stmt *s = st_prep(st, "SELECT " AGENT_COLS " FROM agents ORDER BY login", e);
	return s ? agent_rows(st, s, out, e) : derr_code(e);
}

int store_agent_complete(struct store *st, const char *prefix, int limit,
			 struct agent_list *out, struct derr *e)
{
	struct stmt *s = st_prep(st,
				  "SELECT " AGENT_COLS " FROM agents"
				  " WHERE active = 1 AND substr(login, 1, length(?1)) = ?1"
				  " ORDER BY login LIMIT ?2",
				  e);
	if (!s)
		return derr_code(e);
	bind_text(s, 1, prefix ? prefix : "");
	bind_int(s, 2, limit);
	return agent_rows(st, s, out, e);
}

int store_agent_signature(struct store *st, int64_t agent_id, char **sig, struct derr *e)
{
	*sig = NULL;
	struct stmt *s = st_prep(st, "SELECT signature FROM agents WHERE id = ?1", e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, agent_id);
	int rc = st_step(s);
	if (rc == ST_ROW)
		*sig = col_text(s, 0);
	st_done(s);
	if (rc == ST_DONE)
		return derr_set(e, DESK_ENOTFOUND, "no agent #%lld", (long long)agent_id);
	return rc == ST_ROW ? DESK_OK : st_fail(st, e, "reading a signature");
}

int store_agent_set_signature(struct store *st, int64_t agent_id, const char *sig,
			      struct derr *e)
{
	struct stmt *s = st_prep(st, "UPDATE agents SET signature = ?2 WHERE id = ?1", e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, agent_id);
	bind_text(s, 2, sig);
	return st_exec_stmt(st, s, e, "setting a signature");
}
