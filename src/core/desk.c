/* desk.c: finding the database, knowing who is acting, opening both. */
#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core.h"
#include "priv.h"
#include "util.h"

char *desk_db_path(const char *explicit_path, const struct config *cfg)
{
	if (!str_empty(explicit_path))
		return xstrdup(explicit_path);
	const char *env = getenv("DESK_DB");
	if (!str_empty(env))
		return xstrdup(env);
	if (cfg && !str_empty(cfg->db_path))
		return xstrdup(cfg->db_path);
	return config_default_db_path();
}

char *desk_unix_login(void)
{
	struct passwd *pw = getpwuid(getuid());
	return pw && pw->pw_name ? xstrdup(pw->pw_name) : NULL;
}

/* --as is for admin work, and on a SQLite file only root may act as
 * someone else: a file's owner could once pass by replacing the
 * database file.  (On PostgreSQL: server_identity.) */
static int check_as_allowed(const char *as_login, struct derr *e)
{
	if (getuid() == 0)
		return DESK_OK;
	return derr_set(e, DESK_EDENIED, "--as %s: only root may act as another agent", as_login);
}

/* On PostgreSQL the server says who this is: the role desk logged in
 * as (with peer authentication, the Unix login), never the Unix login
 * itself, which means nothing to a server on another box.  --as is for
 * a superuser (who may become any role anyway) or an active admin. */
static int server_identity(struct desk *d, const char *as_login, char **login,
			   struct derr *e)
{
	bool super = false;
	char *role = NULL;
	int rc = store_session_role(d->st, &role, &super, e);
	if (rc)
		return rc;
	if (!as_login) {
		*login = role;
		return DESK_OK;
	}
	if (!super) {
		struct agent a = {0};
		rc = store_agent_by_login(d->st, role, &a, e);
		bool admin = rc == DESK_OK && a.active && a.role == ROLE_ADMIN;
		agent_free(&a);
		if (rc == DESK_OK || rc == DESK_ENOTFOUND)
			rc = admin ? DESK_OK
				   : derr_set(e, DESK_EDENIED,
					      "--as %s: on PostgreSQL only an admin's database role "
					      "may act as another agent (connected as %s)",
					      as_login, role);
	}
	free(role);
	if (rc == DESK_OK)
		*login = xstrdup(as_login);
	return rc;
}

static int identify(struct desk *d, const char *login, struct derr *e)
{
	int rc = store_agent_by_login(d->st, login, &d->me, e);
	if (rc == DESK_ENOTFOUND)
		return derr_set(e, DESK_EDENIED,
				"%s is not an agent of the desk at %s; an admin can add you "
				"with: desk agent add %s",
				login, store_path(d->st), login);
	if (rc)
		return rc;
	if (!d->me.active)
		return derr_set(e, DESK_EDENIED, "agent %s is deactivated on %s", login,
				store_path(d->st));
	return DESK_OK;
}

int desk_open(struct desk *d, const char *db_path, const struct config *cfg,
	      const char *as_login, int flags, struct derr *e)
{
	memset(d, 0, sizeof *d);
	d->cfg = cfg;
	int rc;
	bool server = database_is_server(db_path);
	if (as_login && !server && (rc = check_as_allowed(as_login, e)))
		return rc;
	char *login = NULL; /* on a server, known once connected */
	if (!server && !(login = as_login ? xstrdup(as_login) : desk_unix_login()))
		return derr_set(e, DESK_EDENIED, "cannot tell who you are: uid %d has no login",
				(int)getuid());
	char *path = NULL;
	rc = desk_check_access(db_path, flags & DESK_OPEN_CREATE, &path, e);
	if (rc == DESK_OK && priv_setid() && cfg && cfg->team_folder && cfg->db_path &&
	    strcmp(db_path, cfg->db_path) == 0) {
		/* Opened with desk's group: the policy must be the one read
		 * beside this very folder, not through a link since swapped. */
		char *dir = xstrdup(path), *slash = strrchr(dir, '/');
		if (slash)
			*slash = '\0';
		if (!slash || strcmp(dir, cfg->team_folder) != 0)
			rc = derr_set(e, DESK_EDENIED,
				      "%s: the database's folder changed while desk started (the team's "
				      "config was read beside %s); try again",
				      path, cfg->team_folder);
		free(dir);
	}
	if (rc == DESK_OK)
		rc = store_open(path,
				(flags & DESK_OPEN_CREATE ? STORE_CREATE : 0) |
					(flags & DESK_OPEN_READONLY ? STORE_READONLY : 0) |
					(flags & DESK_OPEN_WATCH ? STORE_WATCH : 0),
				&d->st, e);
	free(path);
	if (rc == DESK_OK && server)
		rc = server_identity(d, as_login, &login, e);
	if (rc == DESK_OK && !(flags & DESK_OPEN_NO_AGENT))
		rc = identify(d, login, e);
	if (rc == DESK_OK && (flags & DESK_OPEN_NO_AGENT) && !d->me.login)
		d->me.login = xstrdup(login);
	if (rc == DESK_OK)
		store_set_gate_label(d->st, d->me.login);
	free(login);
	if (rc)
		desk_close(d);
	return rc;
}

void desk_close(struct desk *d)
{
	store_close(&d->report_st);
	store_close(&d->st);
	agent_free(&d->me);
}

/* mkdir -p for the folder that will hold the database. */
static int make_parent_dirs(const char *path, struct derr *e)
{
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	int rc = DESK_OK;
	if (slash && slash != dir) {
		*slash = '\0';
		for (char *p = dir + 1; *p; p++) {
			if (*p != '/')
				continue;
			*p = '\0';
			if (mkdir(dir, 0700) < 0 && errno != EEXIST)
				rc = derr_set(e, DESK_EIO, "%s: cannot create folder: %s", dir,
					      strerror(errno));
			*p = '/';
			if (rc)
				break;
		}
		if (!rc && mkdir(dir, 0700) < 0 && errno != EEXIST)
			rc = derr_set(e, DESK_EIO, "%s: cannot create folder: %s", dir,
				      strerror(errno));
	}
	free(dir);
	return rc;
}

int desk_init(struct desk *d, const char *db_path, const struct config *cfg,
	      const char *as_login, struct derr *e)
{
	/* First: outside desk's folder, the group is dropped before any
	 * folder is made. */
	char *path = NULL;
	int rc = as_login && !database_is_server(db_path) ? check_as_allowed(as_login, e)
							  : DESK_OK;
	if (rc == DESK_OK)
		rc = desk_check_access(db_path, true, &path, e);
	free(path);
	if (rc || (!database_is_server(db_path) && (rc = make_parent_dirs(db_path, e))))
		return rc;
	if ((rc = desk_open(d, db_path, cfg, as_login, DESK_OPEN_CREATE | DESK_OPEN_NO_AGENT, e)))
		return rc;
	struct agent_list agents = {0};
	if ((rc = store_agent_list(d->st, &agents, e)))
		goto out;
	if (agents.n > 0) {
		rc = derr_set(e, DESK_EINVAL, "%s already holds a desk database with %zu agent%s",
			      db_path, agents.n, agents.n == 1 ? "" : "s");
		goto out;
	}
	if ((rc = store_begin(d->st, e)))
		goto out;
	char *login = d->me.login;
	d->me.login = NULL;
	agent_free(&d->me);
	d->me.login = login;
	d->me.name = xstrdup(login);
	d->me.role = ROLE_ADMIN;
	d->me.active = true;
	d->me.created_at = time_now();
	/* On PostgreSQL the rights come with the schema, and the admin's
	 * role joins desk_admin. */
	if ((rc = store_rights_setup(d->st, e)) == DESK_OK &&
	    (rc = store_agent_insert(d->st, &d->me, e)) == DESK_OK &&
	    (rc = core_agent_event(d, d->me.login, NULL, ROLE_ADMIN, e)) == DESK_OK)
		rc = store_agent_rights(d->st, d->me.login, ROLE_ADMIN, true, e);
	rc = rc ? rc : store_commit(d->st, e);
	if (rc)
		store_rollback(d->st);
out:
	agent_list_free(&agents);
	if (rc)
		desk_close(d);
	return rc;
}
