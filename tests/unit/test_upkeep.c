/* test_upkeep.c: the housekeeping kept out of writers' transactions
 * (src/store/upkeep.c): FTS5 set to write small segments, merged at a
 * free moment; the WAL checkpoint outside the commit; statistics only
 * after a big change or from desk tick. */
#include <check.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "core.h"
#include "testlib.h"
#include "util.h"

static int64_t new_ticket(struct team_fx *x)
{
	struct derr e = {0};
	struct new_ticket nt;
	new_ticket_init(&nt);
	nt.subject = "Parcel lost";
	nt.body = "It never came.";
	nt.customer_name = "Ann Lee";
	nt.customer_email = "ann@example.com";
	int64_t id = 0;
	ck_assert_msg(core_ticket_new(&x->d, &nt, &id, &e) == DESK_OK, "%s", e.msg);
	return id;
}

/* One integer from sql on a plain connection of our own (-1: no row). */
static int64_t query_int(const char *path, const char *sql)
{
	sqlite3 *db;
	ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	sqlite3_stmt *s;
	ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK, "%s",
		      sqlite3_errmsg(db));
	int64_t v = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

static void exec_sql(const char *path, const char *sql)
{
	sqlite3 *db;
	ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	char *err = NULL;
	ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, &err) == SQLITE_OK, "%s", err);
	sqlite3_close(db);
}

static const char *const settings_sql =
	"SELECT count(*) FROM (SELECT k, v FROM message_fts_config UNION ALL"
	" SELECT k, v FROM ticket_fts_config) WHERE (k = 'automerge' AND v = 0)"
	" OR (k = 'usermerge' AND v = 8) OR (k = 'crisismerge' AND v = 16)";

START_TEST(fts_small_segments_set_by_a_writer_never_a_reader)
{
	struct team_fx x;
	team_fx_open_sqlite(&x, 1790000000);
	ck_assert_int_eq(query_int(x.path, settings_sql), 6);
	/* A database from before: FTS5's defaults. */
	desk_close(&x.alice);
	desk_close(&x.bob);
	desk_close(&x.d);
	exec_sql(x.path, "DELETE FROM message_fts_config WHERE k <> 'version';"
			 "DELETE FROM ticket_fts_config WHERE k <> 'version'");
	ck_assert_int_eq(query_int(x.path, settings_sql), 0);
	struct derr e = {0};
	struct desk d;
	ck_assert_int_eq(desk_open(&d, x.path, &x.cfg, "tester", DESK_OPEN_READONLY, &e), DESK_OK);
	desk_close(&d);
	ck_assert_int_eq(query_int(x.path, settings_sql), 0);
	ck_assert_int_eq(desk_open(&d, x.path, &x.cfg, "tester", 0, &e), DESK_OK);
	desk_close(&d);
	ck_assert_int_eq(query_int(x.path, settings_sql), 6);
	char *dir = x.dir;
	test_tmpdir_cleanup(&dir);
	config_free(&x.cfg);
	free(x.path);
}
END_TEST

/* The WAL-index header in -shm: the last frame, and how many frames a
 * checkpoint has copied back (walcheck.c reads the same). */
static void wal_state(const char *path, uint32_t *frames, uint32_t *backfilled)
{
	char *shm = xasprintf("%s-shm", path);
	int fd = open(shm, O_RDONLY);
	free(shm);
	ck_assert_int_ge(fd, 0);
	unsigned char b[136];
	ck_assert_int_eq(pread(fd, b, sizeof b, 0), (ssize_t)sizeof b);
	close(fd);
	memcpy(frames, b + 16, 4);
	memcpy(backfilled, b + 96, 4);
}

START_TEST(checkpoint_after_the_commit_not_inside_it)
{
	struct team_fx x;
	team_fx_open_sqlite(&x, 1790000000);
	int64_t id = new_ticket(&x);
	struct derr e = {0};
	/* Notes of 40 kB (ten overflow pages each): the WAL passes
	 * SQLite's own 1000-frame checkpoint quickly.  Alice and bob keep
	 * it open, so no close checkpoints it either. */
	char *body = xmalloc(40001);
	memset(body, 'w', 40000);
	body[40000] = '\0';
	uint32_t frames = 0, backfilled = 0;
	int notes = 0;
	while (frames < 1500 && notes < 400) {
		ck_assert_int_eq(core_note(&x.d, id, body, &e), DESK_OK);
		notes++;
		wal_state(x.path, &frames, &backfilled);
	}
	ck_assert_uint_ge(frames, 1500);
	ck_assert_uint_eq(backfilled, 0); /* nothing checkpointed in the commits */
	uint32_t last = frames;
	while (frames >= last && notes < 1200) {
		last = frames;
		ck_assert_int_eq(core_note(&x.d, id, body, &e), DESK_OK);
		notes++;
		wal_state(x.path, &frames, &backfilled);
	}
	/* Past 4000 frames a commit checkpointed after it left the gate:
	 * every frame copied back, so the next commit started the WAL over. */
	ck_assert_uint_ge(last, 4000);
	ck_assert_uint_lt(frames, last);
	free(body);
	team_fx_close(&x);
}
END_TEST

static int64_t fts_rows(const char *path)
{
	return query_int(path, "SELECT count(*) FROM message_fts_data");
}

START_TEST(merges_and_statistics_only_when_the_gate_is_free)
{
	struct team_fx x;
	team_fx_open_sqlite(&x, 1790000000);
	int64_t id = new_ticket(&x);
	struct derr e = {0};
	for (int i = 0; i < 12; i++) {
		char body[64];
		snprintf(body, sizeof body, "Courier %d says parcel%d left", i, i);
		ck_assert_int_eq(core_note(&x.alice, id, body, &e), DESK_OK);
	}
	/* Someone holds the gate: alice's exit merges nothing. */
	char *gate = xasprintf("%s-gate", x.path);
	int fd = open(gate, O_RDWR);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(flock(fd, LOCK_EX), 0);
	int64_t before = fts_rows(x.path);
	desk_close(&x.alice);
	ck_assert_int_eq(fts_rows(x.path), before);
	flock(fd, LOCK_UN);
	/* Bob wrote a little: his exit merges (12 small segments), but
	 * does not re-analyze (a dozen rows changed). */
	ck_assert_int_eq(core_note(&x.bob, id, "Bob checked too", &e), DESK_OK);
	desk_close(&x.bob);
	ck_assert_int_lt(fts_rows(x.path), before);
	ck_assert_int_eq(query_int(x.path, "SELECT count(*) FROM sqlite_schema"
					   " WHERE name = 'sqlite_stat1'"),
			 0);
	/* desk tick's upkeep writes statistics. */
	core_upkeep(&x.d);
	ck_assert_int_gt(query_int(x.path, "SELECT count(*) FROM sqlite_stat1"), 0);
	close(fd);
	free(gate);
	/* team_fx_close closes alice and bob again: harmless (NULL). */
	team_fx_close(&x);
}
END_TEST

Suite *suite_upkeep(void)
{
	Suite *s = suite_create("upkeep");
	TCase *tc = tcase_create("upkeep");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, fts_small_segments_set_by_a_writer_never_a_reader);
	tcase_add_test(tc, checkpoint_after_the_commit_not_inside_it);
	tcase_add_test(tc, merges_and_statistics_only_when_the_gate_is_free);
	suite_add_tcase(s, tc);
	return s;
}
