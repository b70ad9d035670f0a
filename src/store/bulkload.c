/* bulkload.c: loading millions of rows fast (bench/gen, large imports).
 *
 * The FTS5 tables are kept in step by triggers, and a statement that
 * fires a trigger opens a statement journal and makes FTS5 flush at each
 * row: measured 14k rows/s against 51k without.  So a bulk load drops
 * the six FTS triggers, loads, then recreates them from the very text
 * sqlite_schema held before (no copy of schema.c's SQL to drift apart)
 * and rebuilds both indexes from their content tables in one pass.
 *
 * Meant for a database nobody else writes meanwhile: other writers
 * would not be indexed until the rebuild, and a process that dies before
 * store_bulk_end leaves the triggers dropped (the saved SQL is in
 * memory only).  Durability is relaxed during the load (synchronous=OFF)
 * and restored to FULL at the end.
 *
 * store_fts_defer/store_fts_catch_up do the same inside one ordinary
 * write transaction (an import into a live database), where a full
 * rebuild would cost minutes: the FTS triggers are swapped for TEMP
 * ones that only note the ids of new rows in TEMP tables (no FTS5 work,
 * so no flush per statement) and still keep the index right for rows
 * that were there before (deleted or retitled); the catch-up indexes
 * the new rows with one INSERT ... SELECT per table and puts the very
 * same triggers back.  DDL is transactional: a rollback restores all. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "util.h"

#define BULK_MAX_TRIGGERS 16
#define BULK_CACHE_KIB 262144 /* page cache while loading: 256 MiB */

struct store_bulk {
	bool deferred; /* store_fts_defer, not store_bulk_begin */
	size_t n;
	char *name[BULK_MAX_TRIGGERS];
	char *sql[BULK_MAX_TRIGGERS];
};

static void bulk_free(struct store_bulk *b)
{
	for (size_t i = 0; i < b->n; i++) {
		free(b->name[i]);
		free(b->sql[i]);
	}
	free(b);
}

/* The triggers that feed an FTS table: every trigger on tickets or
 * messages whose SQL mentions _fts. */
static int read_triggers(struct store *st, struct store_bulk *b, struct derr *e)
{
	struct stmt *s = st_prep(st,
				  "SELECT name, sql FROM sqlite_schema WHERE type = 'trigger'"
				  " AND tbl_name IN ('tickets', 'messages')"
				  " AND instr(sql, '_fts') > 0 ORDER BY name",
				  e);
	if (!s)
		return derr_code(e);
	int rc;
	while ((rc = st_step(s)) == ST_ROW) {
		if (b->n == BULK_MAX_TRIGGERS) {
			st_done(s);
			return derr_set(e, DESK_EINVAL, "internal error: too many FTS triggers");
		}
		b->name[b->n] = col_text(s, 0);
		b->sql[b->n] = col_text(s, 1);
		b->n++;
	}
	st_done(s);
	return rc == ST_DONE ? DESK_OK : st_fail(st, e, "reading the FTS triggers");
}

int store_bulk_begin(struct store *st, struct store_bulk **out, struct derr *e)
{
	*out = NULL;
	if (st->in_txn)
		return derr_set(e, DESK_EINVAL, "internal error: bulk load inside a transaction");
	if (st->pg) {
		*out = xcalloc(1, sizeof **out);
		return DESK_OK;
	}
	int rc;
	char pragma[96];
	snprintf(pragma, sizeof pragma, "PRAGMA synchronous = OFF; PRAGMA cache_size = -%d",
		 BULK_CACHE_KIB);
	if ((rc = st_exec(st, pragma, e)))
		return rc;
	struct store_bulk *b = xcalloc(1, sizeof *b);
	if ((rc = store_begin(st, e)))
		goto fail;
	if ((rc = read_triggers(st, b, e)))
		goto fail_txn;
	if (b->n == 0) {
		rc = derr_set(e, DESK_EINVAL,
			      "%s: no FTS triggers (an earlier bulk load died half-way?)",
			      st->path);
		goto fail_txn;
	}
	for (size_t i = 0; i < b->n; i++) {
		struct strbuf q = {0};
		sb_addf(&q, "DROP TRIGGER \"%s\"", b->name[i]);
		rc = st_exec(st, sb_str(&q), e);
		sb_free(&q);
		if (rc)
			goto fail_txn;
	}
	if ((rc = store_commit(st, e)))
		goto fail;
	*out = b;
	return DESK_OK;
fail_txn:
	store_rollback(st);
fail:
	bulk_free(b);
	st_exec(st, "PRAGMA synchronous = FULL; PRAGMA cache_size = -2000", NULL);
	return rc;
}

int store_bulk_end(struct store *st, struct store_bulk **bp, struct derr *e)
{
	struct store_bulk *b = *bp;
	if (!b)
		return DESK_OK;
	if (st->in_txn)
		return derr_set(e, DESK_EINVAL, "internal error: bulk end inside a transaction");
	if (st->pg) {
		bulk_free(b);
		*bp = NULL;
		return DESK_OK;
	}
	int rc = store_begin(st, e);
	for (size_t i = 0; rc == DESK_OK && i < b->n; i++)
		rc = st_exec(st, b->sql[i], e);
	if (rc == DESK_OK)
		rc = st_exec(st, "INSERT INTO ticket_fts(ticket_fts) VALUES ('rebuild');"
				 "INSERT INTO message_fts(message_fts) VALUES ('rebuild')",
			     e);
	if (rc == DESK_OK)
		rc = store_commit(st, e);
	else if (st->in_txn)
		store_rollback(st);
	if (rc)
		return rc; /* *bp kept: the caller may try again */
	bulk_free(b);
	*bp = NULL;
	/* Back to the durability desk promises, and the WAL folded back into
	 * the database so the next reader does not walk a huge WAL index. */
	return st_exec(st, "PRAGMA synchronous = FULL; PRAGMA cache_size = -2000;"
			   "PRAGMA wal_checkpoint(TRUNCATE)",
		       e);
}

void store_bulk_abandon(struct store_bulk **bp)
{
	if (*bp)
		bulk_free(*bp);
	*bp = NULL;
}

/* --- deferred indexing inside one transaction --------------------------- */

/* Unqualified names: a TEMP trigger may act on main's tables, but not
 * name a schema inside its body.  A new row is indexed once, at the
 * catch-up; an old one keeps the index right as the originals would. */
static const char defer_sql[] =
	"CREATE TEMP TABLE desk_fts_new_t (id INTEGER PRIMARY KEY);"
	"CREATE TEMP TABLE desk_fts_new_m (id INTEGER PRIMARY KEY);"
	"CREATE TEMP TRIGGER desk_fts_t_ai AFTER INSERT ON tickets BEGIN"
	"  INSERT OR IGNORE INTO desk_fts_new_t VALUES (new.id);"
	"END;"
	"CREATE TEMP TRIGGER desk_fts_t_ad AFTER DELETE ON tickets BEGIN"
	"  INSERT INTO ticket_fts(ticket_fts, rowid, subject) SELECT 'delete', old.id,"
	"    old.subject WHERE old.id NOT IN (SELECT id FROM desk_fts_new_t);"
	"  DELETE FROM desk_fts_new_t WHERE id = old.id;"
	"END;"
	"CREATE TEMP TRIGGER desk_fts_t_au AFTER UPDATE OF subject ON tickets"
	"  WHEN old.id NOT IN (SELECT id FROM desk_fts_new_t) BEGIN"
	"  INSERT INTO ticket_fts(ticket_fts, rowid, subject)"
	"    VALUES ('delete', old.id, old.subject);"
	"  INSERT INTO ticket_fts(rowid, subject) VALUES (new.id, new.subject);"
	"END;"
	"CREATE TEMP TRIGGER desk_fts_m_ai AFTER INSERT ON messages BEGIN"
	"  INSERT OR IGNORE INTO desk_fts_new_m VALUES (new.id);"
	"END;"
	"CREATE TEMP TRIGGER desk_fts_m_ad AFTER DELETE ON messages BEGIN"
	"  INSERT INTO message_fts(message_fts, rowid, body) SELECT 'delete', old.id,"
	"    old.body WHERE old.id NOT IN (SELECT id FROM desk_fts_new_m);"
	"  DELETE FROM desk_fts_new_m WHERE id = old.id;"
	"END;"
	"CREATE TEMP TRIGGER desk_fts_m_au AFTER UPDATE OF body ON messages"
	"  WHEN old.id NOT IN (SELECT id FROM desk_fts_new_m) BEGIN"
	"  INSERT INTO message_fts(message_fts, rowid, body)"
	"    VALUES ('delete', old.id, old.body);"
	"  INSERT INTO message_fts(rowid, body) VALUES (new.id, new.body);"
	"END;";

/* CROSS JOIN keeps the new ids as the outer loop: the TEMP tables have
 * no statistics, and with a plain JOIN the planner may walk every
 * message of the database and probe the few new ids (seconds per batch
 * of an import into 100k tickets, instead of a millisecond). */
static const char catch_up_sql[] =
	"INSERT INTO ticket_fts(rowid, subject)"
	"  SELECT t.id, t.subject FROM desk_fts_new_t n CROSS JOIN tickets t ON t.id = n.id;"
	"INSERT INTO message_fts(rowid, body)"
	"  SELECT m.id, m.body FROM desk_fts_new_m n CROSS JOIN messages m ON m.id = n.id;"
	"DROP TRIGGER temp.desk_fts_t_ai; DROP TRIGGER temp.desk_fts_t_ad;"
	"DROP TRIGGER temp.desk_fts_t_au; DROP TRIGGER temp.desk_fts_m_ai;"
	"DROP TRIGGER temp.desk_fts_m_ad; DROP TRIGGER temp.desk_fts_m_au;"
	"DROP TABLE temp.desk_fts_new_t; DROP TABLE temp.desk_fts_new_m;";

int store_fts_defer(struct store *st, struct store_bulk **out, struct derr *e)
{
	*out = NULL;
	if (!st->in_txn)
		return derr_set(e, DESK_EINVAL, "internal error: store_fts_defer outside a transaction");
	struct store_bulk *b = xcalloc(1, sizeof *b);
	b->deferred = true;
	if (st->pg) {
		*out = b;
		return DESK_OK;
	}
	int rc = read_triggers(st, b, e);
	if (rc == DESK_OK && b->n == 0)
		rc = derr_set(e, DESK_EINVAL, "%s: no FTS triggers to defer", st->path);
	for (size_t i = 0; rc == DESK_OK && i < b->n; i++) {
		struct strbuf q = {0};
		sb_addf(&q, "DROP TRIGGER \"%s\"", b->name[i]);
		rc = st_exec(st, sb_str(&q), e);
		sb_free(&q);
	}
	if (rc == DESK_OK)
		rc = st_exec(st, defer_sql, e);
	if (rc) {
		bulk_free(b); /* the caller rolls back, which undoes the DDL */
		return rc;
	}
	*out = b;
	return DESK_OK;
}

int store_fts_catch_up(struct store *st, struct store_bulk **bp, struct derr *e)
{
	struct store_bulk *b = *bp;
	if (!b)
		return DESK_OK;
	if (!st->in_txn || !b->deferred)
		return derr_set(e, DESK_EINVAL, "internal error: store_fts_catch_up misused");
	int rc = st->pg ? DESK_OK : st_exec(st, catch_up_sql, e);
	for (size_t i = 0; rc == DESK_OK && i < b->n; i++)
		rc = st_exec(st, b->sql[i], e);
	bulk_free(b);
	*bp = NULL;
	return rc;
}
