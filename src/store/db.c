/* db.c: opening the database, the statement cache, transactions and
 * the mapping of SQLite errors to messages a person can act on. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "pg.h"
#include "priv.h"
#include "text.h"
#include "util.h"

/* How many BEGIN IMMEDIATE attempts we make, each waiting BUSY_SLICE_MS
 * inside SQLite: bounded, so a stuck writer gives a clear message
 * instead of a hang, and retried by us with jitter, since SQLite's own
 * busy handler has no fairness under a write storm. */
#define BEGIN_ATTEMPTS 50

/* What the filesystem holding path says about a failure SQLite reports
 * only as "disk I/O error" or "unable to open": the system's errno of
 * the failing call, else the folder's filesystem itself (statvfs). */
enum fs_state { FS_OTHER, FS_FULL, FS_READONLY };

static enum fs_state fs_state_of(const char *path, int sys_errno)
{
	if (sys_errno == ENOSPC || sys_errno == EDQUOT)
		return FS_FULL;
	if (sys_errno == EROFS)
		return FS_READONLY;
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (!slash)
		strcpy(dir, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	struct statvfs vb;
	enum fs_state out = FS_OTHER;
	if (statvfs(dir, &vb) == 0) {
		if (vb.f_flag & ST_RDONLY)
			out = FS_READONLY;
		else if (vb.f_bavail == 0)
			out = FS_FULL;
	}
	free(dir);
	return out;
}

static int fs_fail(struct derr *e, enum fs_state fs, const char *path, const char *what)
{
	/* SQLITE_FULL with room beside the database: its temporary files
	 * (big sorts, statement journals) found none. */
	if (fs == FS_FULL && fs_state_of(path, 0) != FS_FULL)
		return derr_set(e, DESK_EIO,
				"%s: disk full while %s: no space left for SQLite's temporary "
				"files (in %s; free some); nothing was changed",
				path, what,
				/* an installed desk ignores both variables */
				priv_setid() ? "/var/tmp or /tmp"
					     : "$SQLITE_TMPDIR, else $TMPDIR, else /var/tmp or /tmp");
	if (fs == FS_FULL)
		return derr_set(e, DESK_EIO,
				"%s: disk full while %s: the filesystem holding the database "
				"has no space left (free some); nothing was changed",
				path, what);
	return derr_set(e, DESK_EIO,
			"%s: the database is on a read-only filesystem (mounted read-only) "
			"while %s; nothing was changed (remount it read-write, or restore "
			"the database onto a writable disk)",
			path, what);
}

int st_fail(struct store *st, struct derr *e, const char *what)
{
	if (st->pg)
		return pg_fail(st->pg, st->path, e, what);
	int rc = sqlite3_extended_errcode(st->db);
	const char *msg = sqlite3_errmsg(st->db);
	const char *path = st->path ? st->path : "database";
	int primary = rc & 0xff;
	if (primary == SQLITE_FULL)
		return fs_fail(e, FS_FULL, path, what);
	if (primary == SQLITE_IOERR || primary == SQLITE_CANTOPEN || primary == SQLITE_READONLY) {
		enum fs_state fs = fs_state_of(path, sqlite3_system_errno(st->db));
		/* A read-only connection refusing a write is not the disk's doing. */
		if (fs != FS_OTHER && !(primary == SQLITE_READONLY && fs == FS_FULL))
			return fs_fail(e, fs, path, what);
	}
	switch (primary) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return derr_set(e, DESK_EBUSY,
				"%s: the database stayed locked by another desk while %s; "
				"nothing was changed, try again",
				path, what);
	case SQLITE_READONLY:
		return derr_set(e, DESK_EIO,
				"%s: the database is read-only for you while %s (check the "
				"file's and its folder's owner and mode)",
				path, what);
	case SQLITE_CANTOPEN:
		return derr_set(e, DESK_EIO, "%s: cannot open the database file while %s: %s",
				path, what, msg);
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return derr_set(e, DESK_EIO, "%s: permission denied while %s", path, what);
	case SQLITE_IOERR:
		return derr_set(e, DESK_EIO, "%s: I/O error while %s: %s", path, what, msg);
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return derr_set(e, DESK_EIO, "%s: not a desk database, or damaged (%s)", path,
				msg);
	case SQLITE_CONSTRAINT:
		return derr_set(e, DESK_EINVAL, "%s: %s", what, msg);
	default:
		return derr_set(e, DESK_EIO, "%s: %s: %s", path, what, msg);
	}
}

/* Defensive: no writable_schema, no direct writes to shadow tables, no
 * journal_mode=OFF.  The schema is not trusted (no SQL function or
 * virtual table with side effects runs from it) until schema_verify has
 * found it to be desk's own: FTS5 is not flagged innocuous, so desk's
 * own search triggers need it trusted (allow_schema). */
static int harden(struct store *st, struct derr *e)
{
	int on = -1, off = -1;
	if (sqlite3_db_config(st->db, SQLITE_DBCONFIG_DEFENSIVE, 1, &on) != SQLITE_OK ||
	    sqlite3_db_config(st->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, &off) != SQLITE_OK ||
	    on != 1 || off != 0)
		return derr_set(e, DESK_EIO, "%s: cannot make the connection defensive", st->path);
	return DESK_OK;
}

static void allow_schema(struct store *st)
{
	sqlite3_db_config(st->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 1, NULL);
}

static int configure(struct store *st, bool readonly, struct derr *e)
{
	sqlite3_busy_timeout(st->db, BUSY_WAIT_MS);
	sqlite3_extended_result_codes(st->db, 1);
	int rc;
	if ((rc = harden(st, e)))
		return rc;
	if ((rc = st_exec(st, "PRAGMA foreign_keys = ON", e)) || (rc = st_json_functions(st, e)))
		return rc;
	/* The -wal and -shm stay when the last desk closes.  Made anew, each
	 * is open under the maker's umask until SQLite widens it to the
	 * database's mode: an agent opening it then is refused ("read-only
	 * for you"), one write in thirty with two agents at once. */
	int persist = 1;
	sqlite3_file_control(st->db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
	/* The first read tells whether this is a database at all (and
	 * makes the -shm: on a full disk, the first to fail). */
	struct stmt *first = st_prep(st, "SELECT count(*) FROM sqlite_schema", e);
	if (!first)
		return derr_code(e);
	if ((rc = st_exec_stmt(st, first, e, "reading it")))
		return rc;
	if (!readonly) {
		struct stmt *s = st_prep(st, "PRAGMA journal_mode = WAL", e);
		if (!s)
			return derr_code(e);
		rc = st_step(s);
		st_done(s);
		if (rc != ST_ROW)
			return st_fail(st, e, "switching to WAL mode");
		/* Human write rates make FULL cheap, and it loses nothing
		 * an agent was told is saved. */
		if ((rc = st_exec(st, "PRAGMA synchronous = FULL;"
				      "PRAGMA journal_size_limit = 67108864", e)))
			return rc;
		upkeep_attach(st);
	}
	return DESK_OK;
}

int store_open(const char *path, int flags, struct store **out, struct derr *e)
{
	*out = NULL;
	if (database_is_server(path))
		return pg_store_open(path, flags, out, e);
	struct stat sb;
	bool exists = stat(path, &sb) == 0;
	if (!exists && !(flags & STORE_CREATE))
		return derr_set(e, DESK_ENOTFOUND,
				"%s: no database here (create one with: desk init)", path);
	if (exists && S_ISDIR(sb.st_mode))
		return derr_set(e, DESK_EINVAL, "%s: is a directory, not a database file", path);
	int rc;
	if (exists && (rc = store_precheck(path, &sb, flags & STORE_CREATE, e)))
		return rc;

	/* A new database is private to whoever makes it (SQLite would make
	 * it 0644 under the usual umask, and gives -wal and -shm its mode). */
	if (!exists) {
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0)
			return derr_set(e, DESK_EIO, "%s: cannot create the database: %s", path,
					strerror(errno));
		close(fd);
	}

	struct store *st = xcalloc(1, sizeof *st);
	st->path = xstrdup(path);
	bool ro = flags & STORE_READONLY;
	int oflags = ro ? SQLITE_OPEN_READONLY
			: SQLITE_OPEN_READWRITE | (flags & STORE_CREATE ? SQLITE_OPEN_CREATE : 0);
	oflags |= SQLITE_OPEN_NOMUTEX;
	st->readonly = ro;
	if (sqlite3_open_v2(path, &st->db, oflags, NULL) != SQLITE_OK) {
		rc = st->db ? st_fail(st, e, "opening it")
			    : derr_set(e, DESK_EIO, "%s: cannot open: out of memory", path);
		store_close(&st);
		return rc;
	}
	if ((rc = configure(st, ro, e))) {
		store_close(&st);
		return rc;
	}
	int v = store_schema_version(st);
	/* A negative version is no desk's (user_version is anyone's to set):
	 * refused before any statement could index migrations by it. */
	if (v < 0) {
		rc = derr_set(e, DESK_ESCHEMA,
			      "%s: not a desk database (schema version %d, or unreadable)", path, v);
		store_close(&st);
		return rc;
	}
	if (v <= STORE_SCHEMA_VERSION && (rc = schema_verify(st, v, e))) {
		store_close(&st);
		return rc;
	}
	allow_schema(st);
	if (!ro) {
		rc = schema_migrate(st, e);
		/* Best effort: a database left with FTS5's defaults still
		 * works, its notes just pay for merges now and then. */
		struct derr tune = {0};
		if (rc == DESK_OK)
			upkeep_fts_settings(st, &tune);
	} else {
		if (v > STORE_SCHEMA_VERSION)
			rc = derr_set(e, DESK_ESCHEMA,
				      "%s: database schema version %d is newer than this desk "
				      "understands (%d); use a newer desk",
				      path, v, STORE_SCHEMA_VERSION);
		else if (v < STORE_SCHEMA_VERSION)
			rc = derr_set(e, DESK_ESCHEMA,
				      "%s: database needs upgrading; open it once read-write "
				      "(the console, or any command that changes something)",
				      path);
	}
	if (rc) {
		store_close(&st);
		return rc;
	}
	store_changed(st); /* prime data_version */
	*out = st;
	return DESK_OK;
}

int store_open_memory(struct store **out, struct derr *e)
{
	struct store *st = xcalloc(1, sizeof *st);
	st->path = xstrdup(":memory:");
	st->gate_off = true; /* nobody else to queue behind */
	int rc = DESK_OK;
	if (sqlite3_open_v2(":memory:", &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK)
		rc = derr_set(e, DESK_EIO, "cannot open an in-memory database");
	else if ((rc = harden(st, e)) == DESK_OK)
		allow_schema(st);
	if (rc)
		store_close(&st);
	*out = st;
	return rc;
}

void store_close(struct store **stp)
{
	struct store *st = *stp;
	if (!st)
		return;
	if (st->in_txn)
		store_rollback(st);
	pg_closing(st->pg);
	st_cache_clear(st);
	if (st->db) {
		upkeep_at_close(st);
		sqlite3_close_v2(st->db);
	}
	pg_disconnect(&st->pg);
	gate_close(st);
	store_import_unlock(st);
	store_close(&st->json_scratch);
	free(st->path);
	free(st);
	*stp = NULL;
}

const char *store_path(const struct store *st)
{
	return st->path;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int store_begin(struct store *st, struct derr *e)
{
	st->writes++;
	if (st->in_txn)
		return derr_set(e, DESK_EINVAL, "internal error: nested transaction");
	if (st->pg) {
		int rc = pg_begin(st->pg, st->path, e);
		st->in_txn = rc == DESK_OK;
		return rc;
	}
	struct stmt *s = st_prep(st, "BEGIN IMMEDIATE", e);
	if (!s)
		return derr_code(e);
	int grc = gate_enter(st, e);
	if (grc)
		return grc;
	unsigned seed = (unsigned)getpid() ^ (unsigned)time(NULL);
	sqlite3_busy_timeout(st->db, BUSY_SLICE_MS);
	int rc = SQLITE_BUSY;
	for (int attempt = 0; attempt < BEGIN_ATTEMPTS && rc != ST_DONE; attempt++) {
		rc = st_step(s);
		st_done(s);
		if (rc != ST_DONE && (rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED)
			break;
		if (rc != ST_DONE)
			sleep_ms(1 + rand_r(&seed) % 20);
	}
	sqlite3_busy_timeout(st->db, BUSY_WAIT_MS);
	if (rc == ST_DONE) {
		st->in_txn = true;
		return DESK_OK;
	}
	/* Inside the gate only a writer that bypasses it (the sqlite3
	 * shell, an older desk) can keep the database locked this long. */
	int out = (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED
			  ? st_fail(st, e, "waiting to write")
			  : st_fail(st, e, "starting a change");
	gate_leave(st);
	return out;
}

int store_commit(struct store *st, struct derr *e)
{
	if (st->pg) {
		int rc = pg_commit(st->pg, st->path, e);
		st->in_txn = false;
		st->wrote = rc == DESK_OK;
		return rc;
	}
	struct stmt *s = st_prep(st, "COMMIT", e);
	if (!s) {
		store_rollback(st);
		return derr_code(e);
	}
	int rc = st_step(s);
	st_done(s);
	if (rc != ST_DONE) {
		int out = st_fail(st, e, "saving the change");
		store_rollback(st);
		return out;
	}
	st->in_txn = false;
	st->wrote = true;
	gate_leave(st);
	upkeep_after_commit(st);
	return DESK_OK;
}

void store_rollback(struct store *st)
{
	if (st->pg) {
		pg_rollback(st->pg);
		st->in_txn = false;
		return;
	}
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	st->in_txn = false;
	gate_leave(st);
}

bool store_in_transaction(const struct store *st)
{
	return st->in_txn;
}

static int progress(void *arg)
{
	struct store *st = arg;
	return st->give_up && st->give_up(st->give_up_arg);
}

void store_set_give_up(struct store *st, bool (*give_up)(void *arg), void *arg)
{
	st->give_up = give_up;
	st->give_up_arg = arg;
	/* PostgreSQL runs the query in the server: nothing to ask between
	 * steps (a long read there is bounded by the server's timeouts). */
	if (st->pg)
		return;
	/* 4000 VM steps: well under a millisecond between two asks. */
	sqlite3_progress_handler(st->db, give_up ? 4000 : 0, give_up ? progress : NULL, st);
}

const char *store_link_down(struct store *st, int64_t *since)
{
	return st->pg ? pg_link_down(st->pg, since) : NULL;
}

bool store_changed(struct store *st)
{
	if (st->pg)
		return pg_changed(st->pg);
	struct stmt *s = st_prep(st, "PRAGMA data_version", NULL);
	if (!s)
		return false;
	int64_t v = st->data_version;
	if (st_step(s) == ST_ROW)
		v = col_int(s, 0);
	st_done(s);
	bool changed = v != st->data_version;
	st->data_version = v;
	return changed;
}
