/* backup.c: a consistent copy of the live database while agents keep
 * writing, with SQLite's online backup API in one step.
 *
 * The copy is taken inside one read transaction of our own: WAL lets
 * writers go on meanwhile, and the snapshot is fixed by the first read,
 * so what the copy holds is exactly what was committed before it (the
 * time just before that read is reported).  The copy is then turned
 * into a single self-contained file (rollback journal, no -wal beside
 * it) and checked with integrity_check before anyone is told it is
 * good.
 *
 * A PostgreSQL database is refused: its server's own tools (pg_dump for
 * one database, pg_basebackup for the cluster with its standby) already
 * make consistent copies while desks keep writing. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "util.h"

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* What the snapshot holds, read inside it. */
static int snapshot_facts(struct store *st, struct store_backup_info *info, struct derr *e)
{
	struct stmt *s = st_prep(st,
				  "SELECT (SELECT count(*) FROM tickets),"
				  " (SELECT count(*) FROM messages),"
				  " (SELECT coalesce(max(id), 0) FROM messages)",
				  e);
	if (!s)
		return derr_code(e);
	int rc = st_step(s);
	if (rc == ST_ROW) {
		info->tickets = col_int(s, 0);
		info->messages = col_int(s, 1);
		info->last_message_id = col_int(s, 2);
	}
	/* Not reset yet: the statement keeps the read transaction (and so
	 * the snapshot) open until the copy is made. */
	return rc == ST_ROW ? DESK_OK : st_fail(st, e, "reading the database to back it up");
}

/* The copy's own connection, for messages naming the copy. */
static int dest_fail(sqlite3 *db, const char *dest, struct derr *e, const char *what)
{
	struct store view = {.db = db, .path = (char *)dest};
	return st_fail(&view, e, what);
}

static int check_copy(sqlite3 *db, const char *dest, struct derr *e)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, NULL) != SQLITE_OK)
		return dest_fail(db, dest, e, "checking the copy");
	int rc = sqlite3_step(s);
	const char *first = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(s, 0) : NULL;
	int out = DESK_OK;
	if (rc != SQLITE_ROW)
		out = dest_fail(db, dest, e, "checking the copy");
	else if (!first || strcmp(first, "ok") != 0)
		out = derr_set(e, DESK_EIO, "%s: the copy failed its integrity check: %s", dest,
			       first ? first : "?");
	sqlite3_finalize(s);
	return out;
}

int store_backup_to(struct store *st, const char *dest, struct store_backup_info *info,
		    struct derr *e)
{
	memset(info, 0, sizeof *info);
	if (st->pg)
		return derr_set(e, DESK_EINVAL,
				"%s: desk backup copies SQLite databases; back up a PostgreSQL"
				" database with pg_dump (pg_dump -Fc DBNAME > FILE), or the whole"
				" cluster with pg_basebackup",
				st->path);
	if (st->in_txn)
		return derr_set(e, DESK_EINVAL, "internal error: backup inside a transaction");
	sqlite3 *db = NULL;
	if (sqlite3_open_v2(dest, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		int rc = db ? dest_fail(db, dest, e, "opening the copy")
			    : derr_set(e, DESK_EIO, "%s: cannot open: out of memory", dest);
		sqlite3_close_v2(db);
		return rc;
	}
	sqlite3_extended_result_codes(db, 1);
	int rc = st_exec(st, "BEGIN", e);
	if (rc) {
		sqlite3_close_v2(db);
		return rc;
	}
	info->snapshot_ms = now_ms();
	rc = snapshot_facts(st, info, e);
	if (rc == DESK_OK) {
		sqlite3_backup *b = sqlite3_backup_init(db, "main", st->db, "main");
		if (!b) {
			rc = dest_fail(db, dest, e, "starting the copy");
		} else {
			int step = sqlite3_backup_step(b, -1);
			sqlite3_backup_finish(b);
			if (step != SQLITE_DONE)
				rc = dest_fail(db, dest, e, "writing the copy");
		}
	}
	/* The snapshot ends: the statement that began it is reset. */
	for (size_t i = 0; i < STMT_CACHE_SIZE; i++)
		if (st->cache[i].sql)
			st_done(st->cache[i].stmt);
	sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
	/* One file, whole: no -wal to copy along or to lose. */
	if (rc == DESK_OK &&
	    sqlite3_exec(db, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL) != SQLITE_OK)
		rc = dest_fail(db, dest, e, "finishing the copy");
	if (rc == DESK_OK)
		rc = check_copy(db, dest, e);
	if (sqlite3_close(db) != SQLITE_OK && rc == DESK_OK)
		rc = derr_set(e, DESK_EIO, "%s: cannot close the copy", dest);
	return rc;
}
