/* backup.c: desk backup PATH, for admins.
 *
 * Admins only: the copy holds everything, every agent's private drafts
 * and the whole audit trail included, more than a supervisor or an
 * agent sees through desk.  The copy is made as the caller (desk's
 * group lowered), mode 0600, first under a temporary name in PATH's
 * folder and moved into place only once it passed its integrity check,
 * so PATH never holds half a backup; an existing PATH is replaced only
 * with --force, and the database itself never. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core.h"
#include "priv.h"
#include "util.h"

static char *folder_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return xstrdup(".");
	return slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
}

static void remove_copy(const char *tmp)
{
	static const char *const side[] = {"", "-journal", "-wal", "-shm"};
	for (size_t i = 0; i < ARRAY_LEN(side); i++) {
		char *p = xasprintf("%s%s", tmp, side[i]);
		unlink(p);
		free(p);
	}
}

/* Moves the checked copy to path: link() refuses an existing file,
 * rename() (with --force) replaces it in one step. */
static int put_in_place(const char *tmp, const char *path, bool force, struct derr *e)
{
	if (force ? rename(tmp, path) != 0 : link(tmp, path) != 0)
		return derr_set(e, errno == EEXIST ? DESK_EINVAL : DESK_EIO, "%s: %s", path,
				errno == EEXIST ? "already exists; give a new path, or --force to "
						  "replace it"
						: strerror(errno));
	if (!force)
		unlink(tmp);
	char *dir = folder_of(path);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (fd >= 0) { /* the new name survives a crash too */
		fsync(fd);
		close(fd);
	}
	return DESK_OK;
}

static int backup_as_caller(struct desk *d, const char *path, bool force,
			    struct store_backup_info *info, struct derr *e)
{
	struct stat sb;
	const char *db = store_path(d->st);
	if (lstat(path, &sb) == 0) {
		if (S_ISDIR(sb.st_mode))
			return derr_set(e, DESK_EINVAL, "%s: is a folder; give the backup's file name",
					path);
		if (!force)
			return derr_set(e, DESK_EINVAL,
					"%s: already exists; give a new path, or --force to replace it",
					path);
		char *wal = xasprintf("%s-wal", db), *shm = xasprintf("%s-shm", db);
		bool live = path_same_file(path, db) || path_same_file(path, wal) || path_same_file(path, shm);
		free(wal);
		free(shm);
		if (live)
			return derr_set(e, DESK_EINVAL, "%s: is the database itself; back it up "
							"somewhere else",
					path);
	}
	char *dir = folder_of(path);
	char *tmp = xasprintf("%s/.desk-backup-XXXXXX", dir);
	free(dir);
	int fd = mkstemp(tmp); /* mode 0600, the caller's */
	if (fd < 0) {
		int rc = derr_set(e, DESK_EIO, "%s: cannot create the backup there: %s", path,
				  strerror(errno));
		free(tmp);
		return rc;
	}
	close(fd);
	int rc = store_backup_to(d->st, tmp, info, e);
	if (rc == DESK_OK)
		rc = put_in_place(tmp, path, force, e);
	if (rc)
		remove_copy(tmp);
	free(tmp);
	return rc;
}

int core_backup(struct desk *d, const char *path, bool force, struct store_backup_info *info,
		struct derr *e)
{
	if (d->me.role != ROLE_ADMIN)
		return derr_set(e, DESK_EDENIED,
				"backup: only an admin may do that (you are %s, a%s %s): the copy "
				"holds every agent's drafts and the whole audit trail",
				d->me.login, d->me.role == ROLE_AGENT ? "n" : "",
				role_name(d->me.role));
	/* Lowered for the whole copy: what it creates (the copy, its
	 * journal) is the caller's, in a folder the caller may write.  The
	 * database's own files were opened with the group by store_open and
	 * stay open, so reading goes on. */
	priv_lower();
	int rc = backup_as_caller(d, path, force, info, e);
	priv_raise();
	return rc;
}
