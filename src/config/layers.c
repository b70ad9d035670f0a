/* layers.c: finding the two config files and putting them together, as
 * config.h describes: the personal file first (it may name the
 * database), then the team file beside that database (or /etc), the
 * personal things laid over the team's. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "internal_config.h"
#include "util.h"
#include "yamldoc.h"

char *config_default_db_path(void)
{
	const char *xdg = getenv("XDG_DATA_HOME");
	if (xdg && xdg[0] == '/')
		return xasprintf("%s/desk/desk.db", xdg);
	const char *home = getenv("HOME");
	return xasprintf("%s/.local/share/desk/desk.db", home && *home ? home : ".");
}

static char *folder_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return xstrdup(".");
	return slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
}

/* The real folder of the database: links resolved, so that a link to
 * the team's database in a folder of one's own does not bring a policy
 * of one's own with it.  A database not made yet: its folder, resolved
 * as far as it exists. */
static char *real_folder(const char *db_path)
{
	char *real = realpath(db_path, NULL);
	if (real) {
		char *dir = folder_of(real);
		free(real);
		return dir;
	}
	char *dir = folder_of(db_path);
	real = realpath(dir, NULL);
	if (real) {
		free(dir);
		return real;
	}
	return dir;
}

/* There, or there but unusable (loading it will say why): only a
 * missing file is no file.  A folder we may not search hides it, but
 * then the database in it cannot be opened either, and opening it says
 * why (desk_check_access): no policy is lost by looking no further. */
static bool present(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 || (errno != ENOENT && errno != ENOTDIR && errno != EACCES);
}

/* The team's file for a database in folder dir (its real folder; NULL
 * for a database on a server, which has no folder: /etc's file then). */
static char *team_path_in(const char *dir)
{
	if (!dir)
		return present(config_system_path) ? xstrdup(config_system_path) : NULL;
	char *path = xasprintf("%s/config.yaml", strcmp(dir, "/") == 0 ? "" : dir);
	if (present(path))
		return path;
	free(path);
	return present(config_system_path) ? xstrdup(config_system_path) : NULL;
}

char *config_team_path(const char *db_path)
{
	char *dir = database_is_server(db_path) ? NULL : real_folder(db_path);
	char *path = team_path_in(dir);
	free(dir);
	return path;
}

/* The personal file's name: --config, $DESK_CONFIG, then the XDG one
 * (which may be missing).  *required: a missing file is an error. */
static char *personal_path(const char *explicit_path, bool *required, bool *from_env)
{
	*required = *from_env = false;
	if (explicit_path) {
		*required = true;
		return xstrdup(explicit_path);
	}
	const char *env = getenv("DESK_CONFIG");
	if (env && *env) {
		*required = *from_env = true;
		return xstrdup(env);
	}
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	/* A relative $XDG_CONFIG_HOME is invalid per the XDG spec: ignored. */
	if (xdg && xdg[0] == '/')
		return xasprintf("%s/desk/config.yaml", xdg);
	if (home && *home)
		return xasprintf("%s/.config/desk/config.yaml", home);
	return NULL;
}

/* Lays the personal things of p over c: theme, keys, themes_dir,
 * signature, undo_send_seconds and notify replace the team's; views come
 * after the team's, under names of their own.  Moves what it takes out
 * of p. */
static int lay_over(struct config *c, struct config *p, struct derr *e)
{
	static const enum config_key replaced[] = {CFG_THEME, CFG_KEYS, CFG_THEMES_DIR,
						   CFG_SIGNATURE};
	char **fields[] = {&c->theme, &c->keys_file, &c->themes_dir, &c->signature};
	char **mine[] = {&p->theme, &p->keys_file, &p->themes_dir, &p->signature};
	for (size_t i = 0; i < ARRAY_LEN(replaced); i++) {
		if (p->origin[replaced[i]].from != FROM_PERSONAL)
			continue;
		free(*fields[i]);
		*fields[i] = *mine[i];
		*mine[i] = NULL;
		c->origin[replaced[i]] = p->origin[replaced[i]];
	}
	if (p->origin[CFG_NOTIFY].from == FROM_PERSONAL) { /* the whole mapping is theirs */
		notify_config_free(&c->notify);
		c->notify = p->notify;
		memset(&p->notify, 0, sizeof p->notify);
		c->origin[CFG_NOTIFY] = p->origin[CFG_NOTIFY];
	}
	for (size_t i = 0; i < p->nviews; i++)
		for (size_t j = 0; j < c->nviews; j++)
			if (strcmp(p->views[i].name, c->views[j].name) == 0)
				return derr_set(e, DESK_EINVAL,
						"%s:%d: view \"%s\" is already one of the team's "
						"views (%s:%d); give yours a name of its own",
						p->personal, p->views[i].line, p->views[i].name,
						c->source, c->views[j].line);
	if (p->nviews) {
		c->views = xrealloc(c->views, (c->nviews + p->nviews) * sizeof *c->views);
		memcpy(c->views + c->nviews, p->views, p->nviews * sizeof *p->views);
		c->nviews += p->nviews;
		p->nviews = 0;
		if (c->origin[CFG_VIEWS].from == FROM_DEFAULT)
			c->origin[CFG_VIEWS] = p->origin[CFG_VIEWS];
	}
	if (p->origin[CFG_UNDO_SEND_SECONDS].from == FROM_PERSONAL) {
		c->undo_send_seconds = p->undo_send_seconds;
		c->origin[CFG_UNDO_SEND_SECONDS] = p->origin[CFG_UNDO_SEND_SECONDS];
	}
	c->personal = p->personal;
	p->personal = NULL;
	return config_check_personal_views(c, e);
}

/* Where the database is, and why: --db, $DESK_DB, the personal file,
 * the /etc file (loaded into *sys when read), the default. */
static int choose_database(const char *db_option, const struct ydoc *pd, struct config *sys,
			   bool *have_sys, char **db, struct config_origin *from, struct derr *e)
{
	const char *env = getenv("DESK_DB");
	*db = NULL;
	if (!str_empty(db_option)) {
		*db = xstrdup(db_option);
		*from = (struct config_origin){FROM_DB_OPTION, 0};
		return DESK_OK;
	}
	if (!str_empty(env)) {
		*db = xstrdup(env);
		*from = (struct config_origin){FROM_DB_ENV, 0};
		return DESK_OK;
	}
	int line = 0, rc;
	if (pd && (rc = config_read_database(pd, db, &line, e)))
		return rc;
	if (*db) {
		*from = (struct config_origin){FROM_PERSONAL, line};
		return DESK_OK;
	}
	rc = config_load_file(config_system_path, sys, e);
	if (rc == DESK_ENOTFOUND) {
		config_free(sys);
		derr_clear(e);
	} else if (rc) {
		config_free(sys);
		return rc;
	} else {
		*have_sys = true;
		if (sys->db_path) {
			*db = xstrdup(sys->db_path);
			*from = (struct config_origin){FROM_SYSTEM, sys->origin[CFG_DATABASE].line};
			return DESK_OK;
		}
	}
	*db = config_default_db_path();
	*from = (struct config_origin){FROM_DEFAULT, 0};
	return DESK_OK;
}

/* The team's layer into c: the file beside the database, or /etc's
 * (already in *sys when choose_database read it), or the defaults. */
static int load_team(const char *db, struct config *sys, bool *have_sys, char **team,
		     struct config *c, struct derr *e)
{
	/* The folder is resolved once: the team file is the one in it, and
	 * desk later opens the database with its group only there. */
	char *dir = database_is_server(db) ? NULL : real_folder(db);
	*team = team_path_in(dir);
	int rc = DESK_OK;
	if (*team && *have_sys && path_same_file(*team, config_system_path)) {
		*c = *sys;
		*have_sys = false;
	} else if (*team) {
		rc = config_load_team_file(*team, c, e);
	} else {
		config_defaults(c);
	}
	c->team_folder = dir;
	return rc;
}

/* Where a personal file's policy keys go, for its error message. */
static char *team_hint(const char *team, const char *db)
{
	if (team)
		return xasprintf("in %s, the team's file", team);
	if (database_is_server(db))
		return xasprintf("in the team's file, %s", config_system_path);
	char *dir = real_folder(db);
	char *hint = xasprintf("in the team's file: %s/config.yaml beside the database, or %s",
			       strcmp(dir, "/") == 0 ? "" : dir, config_system_path);
	free(dir);
	return hint;
}

int config_load(const char *explicit_path, const char *db_option, struct config *c,
		struct derr *e)
{
	bool required, from_env, have_pd = false, have_sys = false;
	char *ppath = personal_path(explicit_path, &required, &from_env);
	struct ydoc pd = {0};
	struct config sys = {0};
	char *db = NULL, *team = NULL;
	struct config_origin db_from;
	int rc = DESK_OK;
	memset(c, 0, sizeof *c);
	if (ppath) {
		rc = ydoc_load(ppath, &pd, e);
		have_pd = rc == DESK_OK;
		if (rc == DESK_ENOTFOUND && !required) {
			derr_clear(e);
			rc = DESK_OK;
		} else if (rc == DESK_ENOTFOUND && from_env) {
			derr_set(e, rc, "%s (from $DESK_CONFIG): %s", ppath, strerror(ENOENT));
		}
	}
	if (rc || (rc = choose_database(db_option, have_pd ? &pd : NULL, &sys, &have_sys, &db,
					&db_from, e)))
		goto fail;
	if ((rc = load_team(db, &sys, &have_sys, &team, c, e)))
		goto fail;
	/* The team's own file named as the personal one is read once, as
	 * the team's. */
	if (have_pd && !path_same_file(ppath, team)) {
		char *hint = team_hint(team, db);
		struct config mine;
		rc = config_read_doc(&pd, true, hint, &mine, e);
		free(hint);
		if (rc == DESK_OK)
			rc = lay_over(c, &mine, e);
		config_free(&mine);
		if (rc)
			goto fail;
	}
	free(c->db_path);
	c->db_path = db;
	db = NULL;
	/* The team file's own database key chose nothing: it was found by
	 * the database. */
	if (db_from.from == FROM_SYSTEM && path_same_file(team, config_system_path))
		db_from.from = FROM_TEAM;
	c->origin[CFG_DATABASE] = db_from;
	goto out;
fail:
	config_free(c);
	config_defaults(c);
out:
	free(team);
	free(db);
	if (have_pd)
		ydoc_free(&pd);
	if (have_sys)
		config_free(&sys);
	free(ppath);
	return rc;
}
