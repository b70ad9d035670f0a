/* testlib.h: helpers shared by the unit tests. */
#ifndef DESK_TESTLIB_H
#define DESK_TESTLIB_H

#include <check.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "core.h"
#include "mail.h"

/* A new empty scratch directory (removed by test_tmpdir_cleanup, with
 * the PostgreSQL databases test_db_path and test_db_named made for it). */
char *test_tmpdir(void);
void test_tmpdir_cleanup(char **dir);
/* Path of a file under tests/data ($DESK_TESTDATA). */
char *test_data(const char *name);

/* The database a test works on, a new string: "DIR/desk.db", or with
 * $DESK_TEST_PG set (a libpq conninfo, tests/pg/cluster.sh env) a new
 * empty PostgreSQL database's conninfo ("$DESK_TEST_PG dbname=desk_t_
 * RUN_PID_N", RUN the runner's pid).  test_db_drop drops such a
 * database and frees *path (a file's too: the file goes with its
 * directory).  What a failed test leaves is dropped at exit (no fork)
 * or by test_db_end. */
char *test_db_path(const char *dir);
void test_db_drop(char **path);
/* For tests with several databases: "DIR/NAME", or on PostgreSQL the
 * same database each time for the same dir and name.  The databases
 * made for DIR go when test_tmpdir_cleanup removes it (test_db_drop_dir,
 * which drops test_db_path's for DIR too). */
char *test_db_named(const char *dir, const char *name);
void test_db_drop_dir(const char *dir);
/* The runner calls these around the whole run: test_db_end drops what
 * failed tests left (a forked test that fails skips its teardown). */
void test_db_begin(void);
void test_db_end(bool some_failed);
/* Whether test_db_path makes PostgreSQL databases. */
bool test_db_on_pg(void);
/* For a test of SQLite's own workings (FTS5's vocabulary, its query
 * plans): on PostgreSQL true, after saying on stderr that the test is
 * skipped and why; the test then returns. */
bool test_sqlite_only(const char *test, const char *why);
/* On a connection of its own to path (test_db_path's, either engine):
 * sql's first column of its first row (-1 for NULL), or for a statement
 * without rows the rows it changed.  Fails the test on an error. */
int64_t test_db_int(const char *path, const char *sql);


/* DESK_NOW, the clock desk reads, set to t. */
void test_set_now(int64_t t);

/* Many agents on one database: d is "tester", the admin who made it,
 * and alice and bob are agents, each with a desk of their own.  The
 * clock is set to t0; closing removes everything and unsets it. */
struct team_fx {
	char *dir, *path;
	struct config cfg;
	struct desk d, alice, bob;
};
void team_fx_open(struct team_fx *x, int64_t t0);
/* The same on a SQLite file whatever $DESK_TEST_PG says, for tests of
 * SQLite's own behaviour (the file, its WAL, FTS5's settings). */
void team_fx_open_sqlite(struct team_fx *x, int64_t t0);
void team_fx_close(struct team_fx *x);

/* One desk whose replies go to a stand-in sendmail writing each message
 * to `sent` (with log_args, its arguments first as "ARG x" lines and
 * "--END--" after it, appended, so a test sees every message and how it
 * was sent).  yaml_fmt is the team config; it may hold two %s, both the
 * stand-in's path (mail_fx_yaml: the mail config most tests use). */
struct mail_fx {
	char *dir, *db, *sent;
	struct config cfg;
	struct desk d;
};
extern const char mail_fx_yaml[];
void mail_fx_open(struct mail_fx *f, const char *yaml_fmt, bool log_args);
void mail_fx_close(struct mail_fx *f);
/* A mail taken in by core_ingest, which must succeed. */
struct ingest_result mail_fx_ingest(struct mail_fx *f, const char *text);

#define SUITE(name) Suite *suite_##name(void);
#include "suites.def"
#undef SUITE

#endif
