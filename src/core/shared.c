/* shared.c: the database shared by a team, and the checks that explain a
 * wrong set-up before SQLite fails with a bare error.
 *
 * The shared database belongs to desk, not to the agents (priv.h): desk
 * is installed setgid to its own group, which owns the database's
 * folder, mode 2770 and owned by root; agents are not in the group, so
 * they cannot even reach the files without desk.  A folder is trusted
 * with desk's group only when nobody but root and desk can change it or
 * what leads to it; any other database is opened after desk has dropped
 * its group for good, as the agent alone.
 *
 * The old set-up, a database group-writable for the agents' own Unix
 * group, let any agent change it with the sqlite3 shell: it is refused
 * with the steps that move it to desk's group. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core.h"
#include "priv.h"
#include "util.h"

static void describe(const struct stat *sb, char *buf, size_t size)
{
	struct passwd *pw = getpwuid(sb->st_uid);
	struct group *gr = getgrgid(sb->st_gid);
	char u[32], g[32];
	snprintf(u, sizeof u, "%d", (int)sb->st_uid);
	snprintf(g, sizeof g, "%d", (int)sb->st_gid);
	snprintf(buf, size, "owner %s, group %s, mode %04o", pw ? pw->pw_name : u,
		 gr ? gr->gr_name : g, (unsigned)(sb->st_mode & 07777));
}

static const char *group_name(gid_t gid, char *buf, size_t size)
{
	struct group *gr = getgrgid(gid);
	if (gr)
		return gr->gr_name;
	snprintf(buf, size, "%d", (int)gid);
	return buf;
}

/* The group desk's folders belong to: the one it runs setgid to, else
 * the installed group's, if there is one. */
static bool desk_gid(gid_t *gid)
{
	if (priv_setid()) {
		*gid = priv_group();
		return true;
	}
	struct group *gr = getgrnam(DESK_GROUP);
	if (gr)
		*gid = gr->gr_gid;
	return gr != NULL;
}

/* --- is the folder desk's? --------------------------------------------- */

enum folder { FOLDER_OTHER, FOLDER_DESK, FOLDER_DESK_WRONG };

/* FOLDER_DESK: a trusted folder of desk's group; FOLDER_DESK_WRONG: of
 * desk's group but open to change by someone else (what in *why). */
static enum folder classify(const char *dir, gid_t gid, char **canon, char *why, size_t size)
{
	*canon = realpath(dir, NULL);
	struct stat sb;
	if (!*canon || stat(*canon, &sb) != 0 || !S_ISDIR(sb.st_mode) || sb.st_gid != gid)
		return FOLDER_OTHER;
	char what[160];
	describe(&sb, what, sizeof what);
	if (sb.st_uid != 0 || (sb.st_mode & 07) || !(sb.st_mode & S_IRWXG)) {
		snprintf(why, size, "%s: desk's folder must be owned by root, group %s, mode 2770 "
				    "(it is %s); an admin runs: chown root '%s' && chmod 2770 '%s'",
			 *canon, DESK_GROUP, what, *canon, *canon);
		return FOLDER_DESK_WRONG;
	}
	if (!priv_path_safe(*canon)) {
		snprintf(why, size, "%s: a folder on the way to desk's folder can be changed by "
				    "someone other than root; move the database to a folder such as "
				    "%s",
			 *canon, DESK_SHAREDDIR);
		return FOLDER_DESK_WRONG;
	}
	return FOLDER_DESK;
}

/* --- the agent's own view of a database -------------------------------- */

/* access() said EROFS: no owner or mode would help, so none is named. */
static int read_only_fs(const char *path, struct derr *e)
{
	return derr_set(e, DESK_EIO,
			"%s: is on a read-only filesystem (mounted read-only), and SQLite must "
			"write beside the database even to read it; remount it read-write, or "
			"restore the database onto a writable disk",
			path);
}

/* Checks one file we must read and write, if it exists. */
static int check_file(const char *path, struct derr *e)
{
	struct stat sb;
	if (stat(path, &sb) < 0)
		return errno == ENOENT ? DESK_OK
				       : derr_set(e, DESK_EIO, "%s: %s", path, strerror(errno));
	/* ENOENT: gone since the stat (the last desk to close deletes the
	 * WAL), so there is nothing to check. */
	if (access(path, R_OK | W_OK) == 0 || errno == ENOENT)
		return DESK_OK;
	if (errno == EROFS)
		return read_only_fs(path, e);
	char what[160];
	describe(&sb, what, sizeof what);
	return derr_set(e, DESK_EIO, "%s: you cannot read and write it (%s)", path, what);
}

/* A group of the file's owner alone (a user private group)? */
static bool private_group(const struct stat *sb)
{
	struct passwd *pw = getpwuid(sb->st_uid);
	struct group *gr = getgrgid(sb->st_gid);
	if (!pw || !gr || pw->pw_gid != sb->st_gid)
		return false;
	for (char **m = gr->gr_mem; *m; m++)
		if (strcmp(*m, pw->pw_name) != 0)
			return false;
	return true;
}

/* The old shared set-up: the database writable by a Unix group whose
 * members could change it (the audit trail too) with any program. */
static int check_not_group_shared(const char *db_path, const char *dir, struct derr *e)
{
	struct stat sb;
	gid_t dg;
	if (stat(db_path, &sb) != 0 || !(sb.st_mode & S_IWGRP) || (sb.st_mode & S_IWOTH) ||
	    (desk_gid(&dg) && sb.st_gid == dg) || private_group(&sb))
		return DESK_OK;
	char g[32], what[160];
	describe(&sb, what, sizeof what);
	const char *group = group_name(sb.st_gid, g, sizeof g);
	return derr_set(e, DESK_EDENIED,
			"%s: group %s can write the database (%s), so its members can change it, "
			"the audit trail included, without desk; a shared database now belongs "
			"to desk's own group, which agents are not in (desk(1), SHARED "
			"DATABASE).  To move it, an admin runs as root: chgrp %s '%s' '%s'* && "
			"chown root '%s' '%s'* && chmod 2770 '%s' && chmod 0660 '%s'*, then takes "
			"the agents out of group %s if it served only desk (gpasswd -d LOGIN %s)",
			db_path, group, what, DESK_GROUP, dir, db_path, dir, db_path, dir, db_path,
			group, group);
}

static int check_as_agent(const char *db_path, const char *dir, struct derr *e)
{
	struct stat dsb;
	char what[160];
	if (stat(dir, &dsb) < 0)
		return errno == ENOENT ? DESK_OK /* store_open says "no database here" */
				       : derr_set(e, DESK_EIO, "%s: %s", dir, strerror(errno));
	/* describe (user and group lookups, slow with LDAP) only on failure */
	if (access(dir, X_OK) < 0) {
		describe(&dsb, what, sizeof what);
		gid_t dg;
		if (desk_gid(&dg) && dsb.st_gid == dg)
			return derr_set(e, DESK_EIO,
					"%s: this desk does not run with group %s, which owns the "
					"database's folder (%s): agents use the installed desk, "
					"setgid to %s (an admin installs it with: make install)",
					dir, DESK_GROUP, what, DESK_GROUP);
		char *login = desk_unix_login();
		int rc = derr_set(e, DESK_EIO, "%s: you (%s) cannot enter the database's folder (%s)",
				  dir, login ? login : "?", what);
		free(login);
		return rc;
	}
	int rc = check_not_group_shared(db_path, dir, e);
	if (rc)
		return rc;
	if (access(dir, W_OK | X_OK) < 0 && errno == EROFS)
		return read_only_fs(db_path, e);
	if (access(dir, W_OK | X_OK) < 0 && access(db_path, F_OK) == 0) {
		describe(&dsb, what, sizeof what);
		return derr_set(e, DESK_EIO,
				"%s: you cannot create files in the database's folder (%s), and "
				"SQLite must create %s-wal there",
				dir, what, db_path);
	}
	char *wal = xasprintf("%s-wal", db_path), *shm = xasprintf("%s-shm", db_path);
	if (!(rc = check_file(db_path, e)) && !(rc = check_file(wal, e)))
		rc = check_file(shm, e);
	free(wal);
	free(shm);
	return rc;
}

int desk_check_access(const char *db_path, bool creating, char **open_path, struct derr *e)
{
	*open_path = NULL;
	/* A server checks who connects itself (their own role): desk's
	 * group has nothing to guard there. */
	if (database_is_server(db_path)) {
		int rc = priv_drop(e);
		if (rc == DESK_OK)
			*open_path = xstrdup(db_path);
		return rc;
	}
	char *dir = path_dir(db_path), *canon = NULL, why[768] = "";
	gid_t dg;
	bool setid = priv_setid();
	enum folder f = desk_gid(&dg) ? classify(dir, dg, &canon, why, sizeof why) : FOLDER_OTHER;
	int rc = DESK_OK;
	if (f == FOLDER_DESK_WRONG) {
		rc = derr_set(e, DESK_EDENIED, "%s", why);
	} else if (f == FOLDER_DESK && setid) {
		/* Desk's own database: opened with the group, through the
		 * path just checked, which nobody else can change. */
		const char *base = strrchr(db_path, '/');
		*open_path = xasprintf("%s/%s", canon, base ? base + 1 : db_path);
		if (creating && getuid() != 0)
			rc = derr_set(e, DESK_EDENIED,
				      "%s: a database in desk's folder is made by root: desk init "
				      "--shared %s '%s'",
				      *open_path, DESK_GROUP, *open_path);
	} else if ((rc = priv_drop(e)) == DESK_OK && !creating) {
		/* Anything else is the agent's own business: opened as them. */
		rc = check_as_agent(db_path, dir, e);
	}
	free(canon);
	free(dir);
	if (rc)
		xfree(open_path);
	else if (!*open_path)
		*open_path = xstrdup(db_path);
	return rc;
}

/* --- desk init --shared ------------------------------------------------- */

/* The folder, made or taken: a new one, an empty one, or one desk
 * already set up; never somebody's folder with their files in it (the
 * old init re-permissioned a home directory, so that another agent
 * could replace its .bashrc). */
static int take_folder(const char *dir, gid_t gid, const char *group, struct derr *e)
{
	/* Made or found, it is given away through a descriptor opened
	 * without following links, so nothing swapped in meanwhile is. */
	if (mkdir(dir, 02770) != 0 && errno != EEXIST)
		return derr_set(e, DESK_EIO, "%s: cannot create the folder: %s", dir, strerror(errno));
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) != 0) {
		int err = errno;
		if (fd >= 0)
			close(fd);
		return derr_set(e, DESK_EIO, "%s: %s", dir,
				err == ELOOP ? "is a symbolic link; give the real folder"
					     : strerror(err));
	}
	bool ours = sb.st_uid == 0 && sb.st_gid == gid;
	if (!ours) {
		/* Taken only if empty: nothing in it is somebody's. */
		DIR *d = fdopendir(dup(fd));
		bool empty = d != NULL;
		for (struct dirent *de; d && (de = readdir(d));)
			if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
				empty = false;
		if (d)
			closedir(d);
		if (!empty) {
			char what[160];
			describe(&sb, what, sizeof what);
			close(fd);
			return derr_set(e, DESK_EDENIED,
					"%s: the folder has files in it and is not desk's (%s); "
					"give a new or empty folder, e.g. %s",
					dir, what, DESK_SHAREDDIR);
		}
	}
	int rc = DESK_OK;
	if (fchown(fd, 0, gid) != 0 || fchmod(fd, 02770) != 0)
		rc = derr_set(e, DESK_EIO, "%s: cannot give the folder to root:%s, mode 2770: %s",
			      dir, group, strerror(errno));
	close(fd);
	return rc;
}

int desk_init_shared(struct desk *d, const char *group, const char *db_path,
		     const struct config *cfg, const char *as_login, struct derr *e)
{
	if (getuid() != 0)
		return derr_set(e, DESK_EDENIED, "desk init --shared is for root (sudo desk init "
						 "--shared %s '%s'): the folder becomes root's",
				group, db_path);
	struct group *gr = getgrnam(group);
	if (!gr)
		return derr_set(e, DESK_EINVAL,
				"no Unix group \"%s\"; desk's group is made by make install "
				"(groupadd --system %s), and agents are not put in it",
				group, group);
	gid_t gid = gr->gr_gid;
	char g[32];
	const char *mine = group_name(priv_group(), g, sizeof g);
	if (priv_setid() && priv_group() != gid)
		return derr_set(e, DESK_EINVAL,
				"this desk runs setgid to group %s, not %s: give %s, or "
				"reinstall desk for group %s (make install DESK_GROUP=%s)",
				mine, group, mine, group, group);
	char *dir = path_dir(db_path);
	/* Checked before anything is made: a folder on an unsafe path would
	 * be refused at every open, and its empty database left behind. */
	char *parent = path_dir(dir);
	char *canon = realpath(parent, NULL);
	char *probe = canon ? xasprintf("%s/-", canon) : NULL;
	int rc = probe && priv_path_safe(probe)
			 ? DESK_OK
			 : derr_set(e, DESK_EDENIED,
				    "%s: a folder on the way to it can be changed by someone other "
				    "than root; give a folder such as %s",
				    dir, DESK_SHAREDDIR);
	free(probe);
	free(canon);
	free(parent);
	if (!rc)
		rc = take_folder(dir, gid, group, e);
	if (!rc && access(db_path, F_OK) == 0)
		rc = derr_set(e, DESK_EINVAL, "%s already exists", db_path);
	/* Made here with its final owner, group and mode, so that the -wal
	 * and -shm files SQLite derives from it are right from the start. */
	if (!rc) {
		int fd = open(db_path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0660);
		if (fd < 0 || fchown(fd, 0, gid) < 0 || fchmod(fd, 0660) < 0)
			rc = derr_set(e, DESK_EIO, "%s: cannot create it for group %s: %s", db_path,
				      group, strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	free(dir);
	if (rc)
		return rc;
	return desk_init(d, db_path, cfg, as_login, e);
}

bool desk_shared_setgid_ok(const char *group)
{
	struct group *gr = getgrnam(group);
	return gr && priv_setid() && priv_group() == gr->gr_gid;
}
