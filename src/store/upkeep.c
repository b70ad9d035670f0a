/* upkeep.c: the database's housekeeping, kept out of the writers'
 * transactions and off the write gate, so that no note pays for the
 * work of a hundred others.
 *
 * Measured (bench/README.md, "Writes under many agents"): a lone writer's
 * rare slow notes were two pieces of housekeeping SQLite and FTS5 do
 * inside a commit while the gate is held and every other writer waits:
 * - the WAL auto-checkpoint (every 1000 WAL pages: about 60 notes),
 *   copying the WAL back into the database and syncing it;
 * - FTS5's automerge, which every 64 leaf pages written merges up to
 *   64 pages per level of the index's segments (hundreds of pages in
 *   one note's transaction).
 * Both landed in about 1 note of 60, so in every p99.
 *
 * Instead: the checkpoint is run by the writer that took the WAL past
 * CHECKPOINT_FRAMES, just after its commit left the gate (a PASSIVE
 * checkpoint waits for nobody and the others write on meanwhile); FTS5
 * writes only small segments (automerge off), merges them in small steps
 * (MERGE_PAGES) when a writer leaves and the gate is free, and merges in
 * the commit only in a crisis (a level of FTS_CRISIS segments: a desk
 * so busy the gate was never free). */
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* SQLite's own default is 1000 pages, about 60 notes of 16 pages: a
 * checkpoint in 1 note of 60 is in the p99; one in 250 is not, and a
 * 16 MB WAL is still quick to read. */
#define CHECKPOINT_FRAMES 4000
/* FTS5 settings (its defaults: automerge 4, usermerge 4, crisismerge
 * 16): a level merges at a writer's exit once it holds FTS_USERMERGE
 * segments (so a CLI note pays for a merge one time in 8), in the
 * commit only at FTS_CRISIS. */
#define FTS_USERMERGE 8
#define FTS_CRISIS 16
#define MERGE_PAGES 64
/* Rows one connection changes before its exit refreshes statistics. */
#define OPTIMIZE_CHANGES 1000

static const char *const fts_tables[] = {"message_fts", "ticket_fts"};

/* Called by SQLite after each commit of this connection with the WAL's
 * size; setting it also turns off SQLite's checkpoint inside COMMIT. */
static int on_wal_commit(void *arg, sqlite3 *db, const char *schema, int frames)
{
	(void)db;
	(void)schema;
	struct store *st = arg;
	st->wal_frames = frames;
	return SQLITE_OK;
}

void upkeep_attach(struct store *st)
{
	sqlite3_wal_hook(st->db, on_wal_commit, st);
}

void upkeep_after_commit(struct store *st)
{
	if (st->gate_held || st->in_txn || st->wal_frames < CHECKPOINT_FRAMES)
		return;
	st->wal_frames = 0;
	/* PASSIVE: copies what no reader still needs, never waits for a
	 * lock (the busy handler is not called), and leaves the rest for
	 * the next time; an error here loses nothing. */
	sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
}

/* Whether table's FTS5 setting key is value (a missing row is FTS5's
 * default, which none of ours is). */
static bool fts_setting_is(struct store *st, const char *table, const char *key, int value)
{
	char sql[128];
	snprintf(sql, sizeof sql, "SELECT v = ?2 FROM \"%s_config\" WHERE k = ?1", table);
	struct stmt *s = st_prep(st, sql, NULL);
	if (!s)
		return false;
	bind_text(s, 1, key);
	bind_int(s, 2, value);
	bool same = st_step(s) == ST_ROW && col_int(s, 0);
	st_done(s);
	return same;
}

static bool fts_settings_done(struct store *st)
{
	for (size_t i = 0; i < sizeof fts_tables / sizeof fts_tables[0]; i++)
		if (!fts_setting_is(st, fts_tables[i], "automerge", 0) ||
		    !fts_setting_is(st, fts_tables[i], "usermerge", FTS_USERMERGE) ||
		    !fts_setting_is(st, fts_tables[i], "crisismerge", FTS_CRISIS))
			return false;
	return true;
}

int upkeep_fts_settings(struct store *st, struct derr *e)
{
	/* Read on every read-write open (three rows of a tiny table);
	 * written once in a database's life. */
	if (fts_settings_done(st))
		return DESK_OK;
	int rc = store_begin(st, e);
	for (size_t i = 0; rc == DESK_OK && i < sizeof fts_tables / sizeof fts_tables[0]; i++) {
		char sql[256];
		snprintf(sql, sizeof sql,
			 "INSERT INTO %1$s(%1$s, rank) VALUES ('automerge', 0);"
			 "INSERT INTO %1$s(%1$s, rank) VALUES ('usermerge', %2$d);"
			 "INSERT INTO %1$s(%1$s, rank) VALUES ('crisismerge', %3$d)",
			 fts_tables[i], FTS_USERMERGE, FTS_CRISIS);
		rc = st_exec(st, sql, e);
	}
	if (rc == DESK_OK)
		return store_commit(st, e);
	if (store_in_transaction(st))
		store_rollback(st);
	return rc;
}

/* Merges FTS5 segments a step and, when stats, refreshes the planner's
 * statistics; only when the write gate is free this instant: upkeep
 * should wait for no one nor make anyone wait.  A busy desk skips it; a
 * quiet moment runs it. */
static void upkeep_run(struct store *st, bool stats)
{
	if (st->readonly || !gate_try(st))
		return;
	sqlite3_busy_timeout(st->db, 0);
	/* FTS5 merges a level only once it holds FTS_USERMERGE segments,
	 * at most MERGE_PAGES pages a step; with nothing to merge it
	 * writes nothing (no commit, no sync). */
	for (size_t i = 0; i < sizeof fts_tables / sizeof fts_tables[0]; i++) {
		char sql[128];
		snprintf(sql, sizeof sql, "INSERT INTO %1$s(%1$s, rank) VALUES ('merge', %2$d)",
			 fts_tables[i], MERGE_PAGES);
		sqlite3_exec(st->db, sql, NULL, NULL, NULL);
	}
	/* Statistics, bounded: without a limit PRAGMA optimize re-analyzes
	 * whole tables, seconds on a million tickets. */
	if (stats)
		sqlite3_exec(st->db, "PRAGMA analysis_limit = 1000; PRAGMA optimize", NULL, NULL,
			     NULL);
	sqlite3_busy_timeout(st->db, BUSY_WAIT_MS);
	gate_leave(st);
}

void upkeep_at_close(struct store *st)
{
	/* PRAGMA optimize (SQLite 3.40) re-analyzes any table with an index
	 * lacking statistics, and an empty partial index (no undelivered
	 * mail, no follow-up due) never gets any: it ran ANALYZE on tickets
	 * and messages, and committed, at every writer's exit (25-50 ms
	 * holding the gate).  Statistics matter once tables have grown many
	 * times over: refreshed here after a big change (an import, a bulk
	 * action), and by desk tick (store_upkeep) every few minutes. */
	if (st->wrote)
		upkeep_run(st, sqlite3_total_changes64(st->db) >= OPTIMIZE_CHANGES);
}

void store_upkeep(struct store *st)
{
	/* PostgreSQL's autovacuum keeps its statistics and its search
	 * indexes (GIN) need no merging: nothing for desk tick to do. */
	if (st->pg)
		return;
	upkeep_run(st, true);
}
