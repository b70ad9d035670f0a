/* pg_roles.c: who is connected and what desk's roles may do, on
 * PostgreSQL (the SQL is pg_roles_sql.c's).  On SQLite the database
 * file's permissions and desk's setgid group do this job, so each
 * function here does nothing there. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "pg.h"
#include "pg_roles.h"
#include "util.h"

static bool store_on_server(const struct store *st)
{
	return st_engine(st) == ENGINE_POSTGRESQL;
}

int store_session_role(struct store *st, char **login, bool *superuser, struct derr *e)
{
	*login = NULL;
	*superuser = false;
	if (!store_on_server(st))
		return DESK_OK;
	const char *who;
	if (pg_session_role(st->pg, &who, superuser)) { /* no round trip */
		*login = xstrdup(who);
		return DESK_OK;
	}
	struct stmt *s = st_prep(st,
				  "SELECT session_user, coalesce((SELECT rolsuper FROM pg_roles"
				  " WHERE rolname = session_user), false)",
				  e);
	if (!s)
		return derr_code(e);
	int rc = st_step(s);
	if (rc == ST_ROW) {
		*login = col_text(s, 0);
		*superuser = col_int(s, 1) != 0;
	}
	st_done(s);
	return rc == ST_ROW ? DESK_OK : st_fail(st, e, "asking who is connected");
}

/* Whether the connected role may make and move roles: said before
 * anything is made, rather than as the first GRANT that fails. */
static int check_createrole(struct store *st, struct derr *e)
{
	struct stmt *s = st_prep(st,
				  "SELECT current_user, (SELECT rolcreaterole OR rolsuper FROM pg_roles"
				  " WHERE rolname = current_user)",
				  e);
	if (!s)
		return derr_code(e);
	int rc = st_step(s);
	char *me = rc == ST_ROW ? col_text(s, 0) : NULL;
	bool may = rc == ST_ROW && col_int(s, 1);
	st_done(s);
	if (rc != ST_ROW)
		rc = st_fail(st, e, "asking for the role's rights");
	else if (!may)
		rc = derr_set(e, DESK_EDENIED,
			      "%s: role %s cannot create roles, which desk init on PostgreSQL "
			      "needs for desk's groups and its agents' logins; as a superuser: "
			      "ALTER ROLE %s CREATEROLE",
			      st->path, me, me);
	else
		rc = DESK_OK;
	free(me);
	return rc;
}

int store_rights_setup(struct store *st, struct derr *e)
{
	if (!store_on_server(st))
		return DESK_OK;
	int rc = check_createrole(st, e);
	if (rc)
		return rc;
	rc = st_exec(st, pg_roles_sql, e);
	if (rc)
		derr_prefix(e, "setting up desk's roles desk_agent, desk_supervisor and desk_admin "
			       "(desk init on PostgreSQL runs as the database's owner, a role with "
			       "CREATEROLE)");
	return rc;
}

int store_agent_rights(struct store *st, const char *login, enum role role, bool active,
		       struct derr *e)
{
	if (!store_on_server(st))
		return DESK_OK;
	struct stmt *s = st_prep(st, "SELECT desk_agent_role(?1, ?2, ?3 = 1)", e);
	if (!s)
		return derr_code(e);
	bind_text(s, 1, login);
	bind_text(s, 2, role_name(role));
	bind_int(s, 3, active);
	int rc = st_step(s);
	st_done(s);
	if (rc == ST_ROW || rc == ST_DONE)
		return DESK_OK;
	rc = st_fail(st, e, "giving the agent's database role its rights");
	derr_prefix(e, "agent %s", login);
	return rc;
}
