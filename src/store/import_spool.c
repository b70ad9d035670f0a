/* import_spool.c: the spool of a bulk import (schema 19): its runs, the
 * checked lines waiting to be published, the merges waiting for their
 * target, and the lock file that tells a live importer from a dead one.
 * The phases and why they are safe are in src/core/import_run.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <glib.h>

#include "internal.h"
#include "pg.h"
#include "util.h"

/* PostgreSQL: a session advisory lock stands for the lock file (its
 * key, "deskimpt" in ASCII, is not the writers' key of pg_conn.c).  It
 * lasts until unlocked or until the importer's connection ends, dead
 * or alive, as a flock does with its process. */
#define IMPORT_LOCK_KEY "7234315281608044660"

static int import_lock_pg(struct store *st, struct derr *e)
{
	struct stmt *s = st_prep(st, "SELECT pg_try_advisory_lock(" IMPORT_LOCK_KEY ")", e);
	if (!s)
		return derr_code(e);
	int rc = st_step(s);
	bool got = rc == ST_ROW && col_int(s, 0);
	st_done(s);
	if (rc != ST_ROW)
		return st_fail(st, e, "taking the import lock");
	if (!got)
		return derr_set(e, DESK_EBUSY,
				"%s: another desk import is running (it holds the import's"
				" advisory lock); one import at a time",
				st->path);
	st->import_locked = true;
	return DESK_OK;
}

int store_import_lock(struct store *st, struct derr *e)
{
	if (st->import_locked)
		return DESK_OK;
	if (st->pg)
		return import_lock_pg(st, e);
	char *why = NULL;
	int fd = lockfile_open(st->path, "import", &why);
	if (fd < 0) {
		derr_set(e, DESK_EIO, "cannot open the import lock beside %s: %s", st->path, why);
		free(why);
		return DESK_EIO;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		int err = errno;
		close(fd);
		if (err == EWOULDBLOCK)
			return derr_set(e, DESK_EBUSY,
					"%s: another desk import is running (it holds %s-import); "
					"one import at a time",
					st->path, st->path);
		return derr_set(e, DESK_EIO, "%s-import: %s", st->path, strerror(err));
	}
	st->import_fd = fd;
	st->import_locked = true;
	return DESK_OK;
}

void store_import_unlock(struct store *st)
{
	if (!st->import_locked)
		return;
	st->import_locked = false;
	if (!st->db) {
		/* After pg_disconnect (store_close) the server let it go. */
		struct derr ignored = {0};
		struct stmt *s = st->pg ? st_prep(st, "SELECT pg_advisory_unlock(" IMPORT_LOCK_KEY ")",
						  &ignored)
					: NULL;
		if (s) {
			st_step(s);
			st_done(s);
		}
		return;
	}
	flock(st->import_fd, LOCK_UN);
	close(st->import_fd);
}

/* SQLite's WAL and durability knobs; PostgreSQL has nothing to turn. */
void store_bulk_wal(struct store *st, bool on)
{
	if (!st->db)
		return;
	sqlite3_wal_autocheckpoint(st->db, on ? 0 : 1000 /* SQLite's default */);
	sqlite3_exec(st->db, on ? "PRAGMA synchronous = NORMAL" : "PRAGMA synchronous = FULL",
		     NULL, NULL, NULL);
}

void store_checkpoint_passive(struct store *st)
{
	if (st->db && !st->in_txn)
		sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
}

/* PostgreSQL keeps a statement's generic plan once it is made, and
 * makes it from the table's size then.  An import into an empty
 * database makes it with its tables empty: the Message-ID check became a
 * sequential scan of messages for every ticket (half the server's time
 * at 1000 tickets, growing with the square of the file), in another run
 * the report facts' lookups one of tickets, and stayed so until
 * autovacuum's ANALYZE came by, a minute later or not at all.  So
 * each table the import fills that has doubled since its statistics
 * (or has none, and is past 16 pages) is analyzed now, outside any
 * transaction and the writers' lock: a few times over an empty
 * database's import, never over a large one's.  ANALYZE invalidates the
 * plans made from the old size, in every session.  SKIP_LOCKED: a table
 * autovacuum is analyzing is left to it; a table this role may not
 * analyze (not its owner) is left too. */
static const char analyze_grown_pg[] =
	"DO $$DECLARE r record;"
	"BEGIN"
	"  FOR r IN SELECT c.oid::regclass AS t FROM pg_class c"
	"    WHERE c.oid IN ('tickets'::regclass, 'messages'::regclass, 'events'::regclass,"
	"      'customers'::regclass, 'customer_emails'::regclass, 'ticket_tags'::regclass,"
	"      'surveys'::regclass, 'time_entries'::regclass, 'attachments'::regclass,"
	"      'ticket_fts'::regclass, 'message_fts'::regclass)"
	"    AND pg_has_role(c.relowner, 'USAGE')"
	"    AND pg_relation_size(c.oid) / current_setting('block_size')::int"
	"      >= 2 * greatest(c.relpages, 0) + 16"
	"  LOOP"
	"    EXECUTE format('ANALYZE (SKIP_LOCKED) %s', r.t);"
	"  END LOOP;"
	"END $$";

void store_analyze_grown(struct store *st)
{
	if (!st->pg || st->in_txn)
		return;
	struct derr e = {0};
	pg_exec(st->pg, st->path, analyze_grown_pg, &e); /* an optimization: no error */
}

void import_run_free(struct import_run *r)
{
	free(r->name);
	memset(r, 0, sizeof *r);
}

void import_runs_free(struct import_run *runs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		import_run_free(&runs[i]);
	free(runs);
}

int store_import_runs(struct store *st, struct import_run **runs, size_t *n, struct derr *e)
{
	*runs = NULL;
	*n = 0;
	struct stmt *s = st_prep(st,
				  "SELECT id, started_at, agent_id, name, skip_bad, total, done,"
				  " created, updated, bad, state FROM import_runs ORDER BY id",
				  e);
	if (!s)
		return derr_code(e);
	size_t cap = 0;
	int rc;
	while ((rc = st_step(s)) == ST_ROW) {
		xgrow((void **)runs, &cap, *n + 1, sizeof **runs);
		struct import_run *r = &(*runs)[(*n)++];
		r->id = col_int(s, 0);
		r->started_at = col_int(s, 1);
		r->agent_id = col_int(s, 2);
		r->name = col_text(s, 3);
		if (!r->name)
			r->name = xstrdup("?");
		r->skip_bad = col_int(s, 4) != 0;
		r->total = (long)col_int(s, 5);
		r->done = (long)col_int(s, 6);
		r->created = (long)col_int(s, 7);
		r->updated = (long)col_int(s, 8);
		r->bad = (long)col_int(s, 9);
		const char *state = col_str(s, 10);
		r->state = state && strcmp((const char *)state, "ready") == 0 ? IMPORT_READY
									      : IMPORT_CHECKING;
	}
	st_done(s);
	if (rc != ST_DONE) {
		import_runs_free(*runs, *n);
		*runs = NULL;
		*n = 0;
		return st_fail(st, e, "reading the import spool");
	}
	return DESK_OK;
}

int store_import_run_add(struct store *st, struct import_run *r, struct derr *e)
{
	struct stmt *s = st_prep_insert(st,
				  "INSERT INTO import_runs (started_at, agent_id, name, skip_bad,"
				  " state) VALUES (?1, ?2, ?3, ?4, 'checking')",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, r->started_at);
	bind_id(s, 2, r->agent_id);
	bind_text(s, 3, r->name);
	bind_int(s, 4, r->skip_bad);
	int rc = st_insert(st, s, &r->id, e, "starting an import");
	if (rc == DESK_OK) {
		r->state = IMPORT_CHECKING;
	}
	return rc;
}

int store_import_line_add(struct store *st, int64_t run, long seq, const char *json,
			  size_t len, struct derr *e)
{
	struct stmt *s =
		st_prep(st, "INSERT INTO import_lines (run_id, seq, json) VALUES (?1, ?2, ?3)", e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, run);
	bind_int(s, 2, seq);
	/* PostgreSQL refuses invalid UTF-8 in text: such a line's bad bytes
	 * become U+FFFD here, as bind_text would make them in every field
	 * the line is read into later (so the import stores the same). */
	if (g_utf8_validate(json, (gssize)len, NULL)) {
		bind_text_len(s, 3, json, len);
	} else {
		char *copy = xmalloc(len + 1);
		memcpy(copy, json, len);
		copy[len] = '\0';
		bind_text(s, 3, copy);
		free(copy);
	}
	return st_exec_stmt(st, s, e, "keeping an import line");
}

int store_import_run_ready(struct store *st, int64_t run, long total, long bad,
			   struct derr *e)
{
	struct stmt *s = st_prep(st,
				  "UPDATE import_runs SET state = 'ready', total = ?2, bad = ?3"
				  " WHERE id = ?1 AND state = 'checking'",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, run);
	bind_int(s, 2, total);
	bind_int(s, 3, bad);
	int rc = st_exec_stmt(st, s, e, "marking the import ready");
	if (rc == DESK_OK && st_changes(st) != 1)
		rc = derr_set(e, DESK_ENOTFOUND, "the import's spool is gone (run %lld)",
			      (long long)run);
	return rc;
}

int store_import_run_progress(struct store *st, const struct import_run *r, struct derr *e)
{
	struct stmt *s = st_prep(st,
				  "UPDATE import_runs SET done = ?2, created = ?3, updated = ?4,"
				  " bad = ?5 WHERE id = ?1",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, r->id);
	bind_int(s, 2, r->done);
	bind_int(s, 3, r->created);
	bind_int(s, 4, r->updated);
	bind_int(s, 5, r->bad);
	return st_exec_stmt(st, s, e, "recording the import's progress");
}

int store_import_run_drop(struct store *st, int64_t run, long limit, bool *left,
			  struct derr *e)
{
	*left = false;
	struct stmt *s = st_prep(st,
				  "DELETE FROM import_lines WHERE run_id = ?1 AND seq IN (SELECT seq"
				  " FROM import_lines WHERE run_id = ?1 ORDER BY seq LIMIT ?2)",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, run);
	bind_int(s, 2, limit);
	int rc = st_exec_stmt(st, s, e, "removing an import's spool");
	if (rc)
		return rc;
	if (st_changes(st) > 0) {
		*left = true;
		return DESK_OK;
	}
	if (!(s = st_prep(st, "DELETE FROM import_merges WHERE run_id = ?1", e)))
		return derr_code(e);
	bind_int(s, 1, run);
	if ((rc = st_exec_stmt(st, s, e, "removing an import's spool")))
		return rc;
	if (!(s = st_prep(st, "DELETE FROM import_runs WHERE id = ?1", e)))
		return derr_code(e);
	bind_int(s, 1, run);
	return st_exec_stmt(st, s, e, "removing an import's spool");
}

void import_lines_free(struct import_line *lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(lines[i].text);
	free(lines);
}

int store_import_lines_next(struct store *st, int64_t run, long after, long limit,
			    struct import_line **lines, size_t *n, struct derr *e)
{
	*lines = NULL;
	*n = 0;
	struct stmt *s = st_prep(st,
				  "SELECT seq, json FROM import_lines WHERE run_id = ?1 AND seq > ?2"
				  " ORDER BY seq LIMIT ?3",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, run);
	bind_int(s, 2, after);
	bind_int(s, 3, limit);
	size_t cap = 0;
	int rc;
	while ((rc = st_step(s)) == ST_ROW) {
		xgrow((void **)lines, &cap, *n + 1, sizeof **lines);
		struct import_line *l = &(*lines)[(*n)++];
		l->seq = (long)col_int(s, 0);
		const char *text = col_str(s, 1);
		l->len = col_len(s, 1);
		l->text = xmalloc(l->len + 1);
		memcpy(l->text, text ? text : "", l->len);
		l->text[l->len] = '\0';
	}
	st_done(s);
	if (rc != ST_DONE) {
		import_lines_free(*lines, *n);
		*lines = NULL;
		*n = 0;
		return st_fail(st, e, "reading the import spool");
	}
	return DESK_OK;
}

int store_import_lines_done(struct store *st, int64_t run, long upto, struct derr *e)
{
	struct stmt *s =
		st_prep(st, "DELETE FROM import_lines WHERE run_id = ?1 AND seq <= ?2", e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, run);
	bind_int(s, 2, upto);
	return st_exec_stmt(st, s, e, "removing published import lines");
}

int store_import_merge_add(struct store *st, int64_t run, const struct import_merge *m,
			   struct derr *e)
{
	struct stmt *s = st_prep(st,
				  "INSERT INTO import_merges (run_id, ticket_id, line, target)"
				  " VALUES (?1, ?2, ?3, ?4)",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, run);
	bind_int(s, 2, m->ticket_id);
	bind_int(s, 3, m->line);
	bind_text(s, 4, m->target);
	return st_exec_stmt(st, s, e, "keeping a merge for later");
}

void import_merges_free(struct import_merge *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].target);
	free(v);
}

int store_import_merges_take(struct store *st, int64_t run, struct import_merge **v, size_t *n,
			     struct derr *e)
{
	*v = NULL;
	*n = 0;
	/* Written in file order, one a line: by line is as they came. */
	struct stmt *s = st_prep(st,
				  "SELECT ticket_id, line, target FROM import_merges"
				  " WHERE run_id = ?1 ORDER BY line",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, run);
	size_t cap = 0;
	int rc;
	while ((rc = st_step(s)) == ST_ROW) {
		xgrow((void **)v, &cap, *n + 1, sizeof **v);
		struct import_merge *m = &(*v)[(*n)++];
		m->ticket_id = col_int(s, 0);
		m->line = (long)col_int(s, 1);
		m->target = col_text(s, 2);
		if (!m->target)
			m->target = xstrdup("");
	}
	st_done(s);
	if (rc != ST_DONE) {
		import_merges_free(*v, *n);
		*v = NULL;
		*n = 0;
		return st_fail(st, e, "reading the import's merges");
	}
	if (!(s = st_prep(st, "DELETE FROM import_merges WHERE run_id = ?1", e)))
		return derr_code(e);
	bind_int(s, 1, run);
	return st_exec_stmt(st, s, e, "taking the import's merges");
}
