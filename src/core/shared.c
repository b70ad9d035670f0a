/* shared.c: a database shared by a Unix group, and the checks that
 * explain a wrong set-up before SQLite fails with a bare error.
 *
 * SQLite gives -wal and -shm the database file's mode bits, but the owner
 * and group of whoever creates them first.  So a shared database lives
 * in a folder owned by the team's group with the setgid bit (new files
 * inherit the group), mode 2770, and the database itself is 0660. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core.h"
#include "util.h"

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

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

/* Checks one file we must read and write, if it exists. */
static int check_file(const char *path, const struct stat *dir_sb, struct derr *e)
{
	struct stat sb;
	if (stat(path, &sb) < 0)
		return errno == ENOENT ? DESK_OK
				       : derr_set(e, DESK_EIO, "%s: %s", path, strerror(errno));
	if (access(path, R_OK | W_OK) == 0)
		return DESK_OK;
	char what[160], g[32];
	describe(&sb, what, sizeof what);
	return derr_set(e, DESK_EIO,
			"%s: you cannot read and write it (%s); for a database shared by the "
			"group, an admin runs: chgrp %s '%s' && chmod 0660 '%s'",
			path, what, group_name(dir_sb->st_gid, g, sizeof g), path, path);
}

int desk_check_access(const char *db_path, struct derr *e)
{
	char *dir = dir_of(db_path);
	struct stat dsb;
	int rc = DESK_OK;
	char what[160], g[32];
	if (stat(dir, &dsb) < 0) {
		rc = errno == ENOENT ? DESK_OK /* store_open says "no database here" */
				     : derr_set(e, DESK_EIO, "%s: %s", dir, strerror(errno));
		goto out;
	}
	/* describe (user and group lookups, slow with LDAP) only on failure */
	if (access(dir, X_OK) < 0) {
		describe(&dsb, what, sizeof what);
		char *login = desk_unix_login();
		rc = derr_set(e, DESK_EIO,
			      "%s: you (%s) cannot enter the database's folder (%s); agents of a "
			      "shared desk must be in its group: an admin runs: usermod -aG %s %s "
			      "(then log in again)",
			      dir, login ? login : "?", what, group_name(dsb.st_gid, g, sizeof g),
			      login ? login : "LOGIN");
		free(login);
		goto out;
	}
	if (access(dir, W_OK | X_OK) < 0 && access(db_path, F_OK) == 0) {
		describe(&dsb, what, sizeof what);
		rc = derr_set(e, DESK_EIO,
			      "%s: you cannot create files in the database's folder (%s), and "
			      "SQLite must create %s-wal there; an admin runs: chgrp GROUP '%s' "
			      "&& chmod 2770 '%s' (or desk init --shared GROUP for a new one)",
			      dir, what, db_path, dir, dir);
		goto out;
	}
	/* A group-writable folder (not a world-writable one like /tmp) is
	 * meant to be shared; without setgid, the
	 * -wal file the next agent creates gets their own group, and nobody
	 * else can write it. */
	if ((dsb.st_mode & S_IWGRP) && !(dsb.st_mode & (S_ISGID | S_IWOTH)) &&
	    dsb.st_uid != getuid()) {
		describe(&dsb, what, sizeof what);
		rc = derr_set(e, DESK_EIO,
			      "%s: the folder is shared with group %s but not setgid (%s), so "
			      "files one agent creates would be closed to the others; an admin "
			      "runs: chmod g+s '%s'",
			      dir, group_name(dsb.st_gid, g, sizeof g), what, dir);
		goto out;
	}
	char *wal = xasprintf("%s-wal", db_path), *shm = xasprintf("%s-shm", db_path);
	if (!(rc = check_file(db_path, &dsb, e)) && !(rc = check_file(wal, &dsb, e)))
		rc = check_file(shm, &dsb, e);
	free(wal);
	free(shm);
out:
	free(dir);
	return rc;
}

static bool in_group(gid_t gid)
{
	if (getegid() == gid || geteuid() == 0)
		return true;
	gid_t groups[256];
	int n = getgroups((int)ARRAY_LEN(groups), groups);
	for (int i = 0; i < n; i++)
		if (groups[i] == gid)
			return true;
	return false;
}

int desk_init_shared(struct desk *d, const char *group, const char *db_path,
		     const struct config *cfg, const char *as_login, struct derr *e)
{
	struct group *gr = getgrnam(group);
	if (!gr)
		return derr_set(e, DESK_EINVAL, "no Unix group \"%s\" (an admin creates it with: "
						"groupadd %s, then usermod -aG %s LOGIN for each agent)",
				group, group, group);
	gid_t gid = gr->gr_gid;
	if (!in_group(gid))
		return derr_set(e, DESK_EDENIED, "you are not in group %s; only root or a member "
						 "can set up a database for it",
				group);
	char *dir = dir_of(db_path);
	int rc = DESK_OK;
	struct stat sb;
	if (stat(dir, &sb) < 0) {
		if (mkdir(dir, 0700) < 0)
			rc = derr_set(e, DESK_EIO, "%s: cannot create the folder: %s", dir,
				      strerror(errno));
	}
	if (!rc && (chown(dir, (uid_t)-1, gid) < 0 || chmod(dir, 02770) < 0))
		rc = derr_set(e, DESK_EIO, "%s: cannot give the folder to group %s with mode 2770: %s",
			      dir, group, strerror(errno));
	if (!rc && access(db_path, F_OK) == 0)
		rc = derr_set(e, DESK_EINVAL, "%s already exists", db_path);
	/* Make the file ourselves with its final group and mode, so that the
	 * -wal and -shm files SQLite derives from it are right from the start. */
	if (!rc) {
		int fd = open(db_path, O_WRONLY | O_CREAT | O_EXCL, 0660);
		if (fd < 0 || fchown(fd, (uid_t)-1, gid) < 0 || fchmod(fd, 0660) < 0)
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
