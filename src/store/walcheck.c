/* walcheck.c: what the files beside a database say before SQLite opens
 * it, when SQLite itself would carry on as if nothing happened:
 * - an empty file (SQLite would make a new database in it: only
 *   `desk init` creates one);
 * - a -shm whose WAL index counts committed frames while the -wal that
 *   holds them is gone (SQLite, the first to open, would reset the
 *   index and open the older database, silently losing those commits).
 *
 * The -shm layout is SQLite's documented WAL-index format (walformat):
 * two copies of a 48-byte header, then the checkpoint information, in
 * the machine's own byte order. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "util.h"

#define WAL_INDEX_VERSION 3007000u
#define HDR_SIZE 48      /* one copy of WalIndexHdr */
#define HDR_ISINIT 12    /* u8 */
#define HDR_MXFRAME 16   /* u32: the last valid frame in the WAL */
#define CKPT_BACKFILL 96 /* u32 nBackfill: frames already copied back */
#define SHM_NEEDED 136   /* both headers and WalCkptInfo */

static uint32_t u32_at(const unsigned char *b, size_t off)
{
	uint32_t v;
	memcpy(&v, b + off, sizeof v);
	return v;
}

static bool read_shm_header(const char *shm, unsigned char *buf)
{
	int fd = open(shm, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t got = pread(fd, buf, SHM_NEEDED, 0);
	close(fd);
	return got == SHM_NEEDED;
}

/* DESK_OK unless the -shm says frames were committed that no -wal
 * holds any more (those beyond what was copied back into the file). */
static int check_wal_missing(const char *path, struct derr *e)
{
	char *wal = xasprintf("%s-wal", path), *shm = xasprintf("%s-shm", path);
	unsigned char b[SHM_NEEDED];
	struct stat sb;
	int rc = DESK_OK;
	if (lstat(wal, &sb) != 0 && errno == ENOENT && read_shm_header(shm, b) &&
	    memcmp(b, b + HDR_SIZE, HDR_SIZE) == 0 && u32_at(b, 0) == WAL_INDEX_VERSION &&
	    b[HDR_ISINIT]) {
		uint32_t frames = u32_at(b, HDR_MXFRAME), copied = u32_at(b, CKPT_BACKFILL);
		if (frames > copied)
			rc = derr_set(e, DESK_EIO,
				      "%s is missing but %s says %u frames were committed (%u of "
				      "them not yet copied into the database): restore the -wal or "
				      "a backup (desk(1), BACKUP); desk opens nothing until then",
				      wal, shm, (unsigned)frames, (unsigned)(frames - copied));
	}
	free(wal);
	free(shm);
	return rc;
}

/* An empty file with no -wal to recover from holds no database. */
static int check_not_empty(const char *path, const struct stat *db, struct derr *e)
{
	if (db->st_size != 0)
		return DESK_OK;
	char *wal = xasprintf("%s-wal", path);
	struct stat sb;
	bool wal_holds_data = stat(wal, &sb) == 0 && sb.st_size > 0;
	free(wal);
	if (wal_holds_data)
		return DESK_OK;
	return derr_set(e, DESK_EIO,
			"%s: the file is empty (0 bytes), not a database; desk makes no new "
			"database in its place: restore a backup over it (desk(1), BACKUP), or "
			"remove it and create a new database with: desk init",
			path);
}

int store_precheck(const char *path, const struct stat *db, bool creating, struct derr *e)
{
	int rc = creating ? DESK_OK : check_not_empty(path, db, e);
	return rc ? rc : check_wal_missing(path, e);
}
