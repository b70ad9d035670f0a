/* testlib_db.c: the database a test works on: a file in its scratch
 * directory, or with $DESK_TEST_PG (a conninfo from tests/pg/cluster.sh
 * env) a fresh PostgreSQL database of its own. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testlib.h"
#include "util.h"

/* The databases this process made and has not dropped yet.  A failing
 * assertion skips the fixture's teardown: without fork it jumps to the
 * next test, and drop_leftovers (at exit) drops what it left; under
 * fork the test's process ends with _exit, so test_db_end sweeps the
 * run's names instead.  pid: a forked test inherits its parent's list
 * and must leave its entries to the parent. */
struct made_db {
	char *name, *conninfo;
	char *dir, *label; /* whose scratch directory; test_db_named's name */
	pid_t pid;
	struct made_db *next;
};
static struct made_db *made;
static unsigned made_count;
/* The runner's pid (test_db_begin), in every name, inherited by the
 * forked tests: what test_db_end sweeps. */
static long run_id;

static const char *admin_conninfo(void)
{
	const char *ci = getenv("DESK_TEST_PG");
	return ci && *ci ? ci : NULL;
}

/* Why the last admin_exec failed.  A buffer, not a new string: a
 * failed assertion that shows it never returns to free it. */
static char admin_err[512];

/* DROP DATABASE IF EXISTS says "skipping" for what was dropped already
 * (a failed test's leftovers, swept twice without fork). */
static void quiet(void *arg, const char *message)
{
}

/* Runs one statement as the cluster's superuser; false (admin_err says
 * why) when it fails. */
static bool admin_exec(const char *sql)
{
	PGconn *c = PQconnectdb(admin_conninfo());
	bool ok = PQstatus(c) == CONNECTION_OK;
	if (ok) {
		PQsetNoticeProcessor(c, quiet, NULL);
		PGresult *r = PQexec(c, sql);
		ok = PQresultStatus(r) == PGRES_COMMAND_OK;
		PQclear(r);
	}
	if (!ok)
		snprintf(admin_err, sizeof admin_err, "%s: %s", sql, PQerrorMessage(c));
	PQfinish(c);
	return ok;
}

static bool drop_database(const char *name)
{
	/* FORCE ends the connections a failed test left open. */
	char *sql = xasprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
	bool ok = admin_exec(sql);
	free(sql);
	return ok;
}

static void forget(struct made_db **link)
{
	struct made_db *m = *link;
	*link = m->next;
	free(m->name);
	free(m->conninfo);
	free(m->dir);
	free(m->label);
	free(m);
}

static void drop_leftovers(void)
{
	for (struct made_db **link = &made; *link;) {
		if ((*link)->pid != getpid()) {
			link = &(*link)->next;
			continue;
		}
		if (!drop_database((*link)->name))
			fprintf(stderr, "test_db: %s", admin_err);
		forget(link);
	}
}

void test_db_begin(void)
{
	run_id = (long)getpid();
}

void test_db_end(bool some_failed)
{
	/* After a clean run nothing is swept, so unit-pg's check for
	 * databases left behind still catches a fixture that forgot
	 * test_db_drop. */
	if (!some_failed || !test_db_on_pg())
		return;
	PGconn *c = PQconnectdb(admin_conninfo());
	char pattern[64];
	snprintf(pattern, sizeof pattern, "desk\\_t\\_%ld\\_%%", run_id);
	const char *params[1] = {pattern};
	PGresult *r = PQexecParams(c, "SELECT datname FROM pg_database WHERE datname LIKE $1", 1,
				   NULL, params, NULL, NULL, 0);
	int n = PQresultStatus(r) == PGRES_TUPLES_OK ? PQntuples(r) : 0;
	for (int i = 0; i < n; i++)
		if (!drop_database(PQgetvalue(r, i, 0)))
			fprintf(stderr, "test_db: %s", admin_err);
	if (n)
		fprintf(stderr, "test_db: dropped %d database(s) that failed tests left\n", n);
	PQclear(r);
	PQfinish(c);
}

bool test_db_on_pg(void)
{
	return admin_conninfo() != NULL;
}

/* A new database, remembered as made for dir (and label). */
static struct made_db *make_db(const char *dir, const char *label)
{
	static bool hooked;
	if (!hooked) {
		atexit(drop_leftovers);
		hooked = true;
	}
	char name[64];
	snprintf(name, sizeof name, "desk_t_%ld_%ld_%u", run_id, (long)getpid(), ++made_count);
	/* template0: empty whatever someone put in template1.  FILE_COPY
	 * (PostgreSQL 15's default is WAL_LOG): its checkpoints cost little
	 * with fsync off, and it took 90-170 ms a database against 220-410
	 * on a loaded two-core machine. */
	char *sql = xasprintf("CREATE DATABASE %s TEMPLATE template0 ENCODING 'UTF8'"
			      " STRATEGY FILE_COPY",
			      name);
	bool ok = admin_exec(sql);
	free(sql);
	ck_assert_msg(ok, "test_db_path (DESK_TEST_PG=%s): %s", admin_conninfo(), admin_err);
	struct made_db *m = calloc(1, sizeof *m);
	ck_assert_ptr_nonnull(m);
	m->pid = getpid();
	m->name = xstrdup(name);
	/* In libpq's keyword form a later keyword wins, so this names the
	 * new database whatever DESK_TEST_PG says. */
	m->conninfo = xasprintf("%s dbname=%s", admin_conninfo(), name);
	m->dir = xstrdup(dir);
	m->label = xstrdup(label);
	m->next = made;
	made = m;
	return m;
}

char *test_db_path(const char *dir)
{
	if (!test_db_on_pg())
		return xasprintf("%s/desk.db", dir);
	return xstrdup(make_db(dir, NULL)->conninfo);
}

char *test_db_named(const char *dir, const char *name)
{
	if (!test_db_on_pg())
		return xasprintf("%s/%s", dir, name);
	for (struct made_db *m = made; m; m = m->next)
		if (m->label && strcmp(m->label, name) == 0 && strcmp(m->dir, dir) == 0)
			return xstrdup(m->conninfo);
	return xstrdup(make_db(dir, name)->conninfo);
}

void test_db_drop_dir(const char *dir)
{
	for (struct made_db **link = &made; *link;) {
		if (strcmp((*link)->dir, dir) != 0 || (*link)->pid != getpid()) {
			link = &(*link)->next;
			continue;
		}
		bool ok = drop_database((*link)->name);
		forget(link);
		ck_assert_msg(ok, "test_db_drop_dir: %s", admin_err);
	}
}

void test_db_drop(char **path)
{
	if (!*path)
		return;
	for (struct made_db **link = &made; *link; link = &(*link)->next) {
		if (strcmp((*link)->conninfo, *path) != 0)
			continue;
		bool ok = drop_database((*link)->name);
		forget(link);
		xfree(path);
		ck_assert_msg(ok, "test_db_drop: %s", admin_err);
		return;
	}
	/* A SQLite file: it goes with its scratch directory. */
	xfree(path);
}

bool test_sqlite_only(const char *test, const char *why)
{
	if (!test_db_on_pg())
		return false;
	fprintf(stderr, "%s: skipped on PostgreSQL: %s\n", test, why);
	return true;
}
