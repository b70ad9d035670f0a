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
 * assertion skips the fixture's teardown: under fork the child exits,
 * without fork it jumps to the next test; drop_leftovers (at exit) then
 * drops them, so a failure leaks no database into the cluster.  pid:
 * a forked test inherits its parent's list and must leave its entries
 * to the parent. */
struct made_db {
	char *name, *conninfo;
	pid_t pid;
	struct made_db *next;
};
static struct made_db *made;
static unsigned made_count;

static const char *admin_conninfo(void)
{
	const char *ci = getenv("DESK_TEST_PG");
	return ci && *ci ? ci : NULL;
}

/* Why the last admin_exec failed.  A buffer, not a new string: a
 * failed assertion that shows it never returns to free it. */
static char admin_err[512];

/* Runs one statement as the cluster's superuser; false (admin_err says
 * why) when it fails. */
static bool admin_exec(const char *sql)
{
	PGconn *c = PQconnectdb(admin_conninfo());
	bool ok = PQstatus(c) == CONNECTION_OK;
	if (ok) {
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

bool test_db_on_pg(void)
{
	return admin_conninfo() != NULL;
}

char *test_db_path(const char *dir)
{
	if (!test_db_on_pg())
		return xasprintf("%s/desk.db", dir);
	static bool hooked;
	if (!hooked) {
		atexit(drop_leftovers);
		hooked = true;
	}
	struct made_db *m = calloc(1, sizeof *m);
	ck_assert_ptr_nonnull(m);
	m->pid = getpid();
	m->name = xasprintf("desk_t_%ld_%u", (long)m->pid, ++made_count);
	/* In libpq's keyword form a later keyword wins, so this names the
	 * new database whatever DESK_TEST_PG says. */
	m->conninfo = xasprintf("%s dbname=%s", admin_conninfo(), m->name);
	/* template0: empty whatever someone put in template1. */
	char *sql = xasprintf("CREATE DATABASE %s TEMPLATE template0 ENCODING 'UTF8'", m->name);
	bool ok = admin_exec(sql);
	free(sql);
	if (!ok) {
		free(m->name);
		free(m->conninfo);
		free(m);
		ck_abort_msg("test_db_path (DESK_TEST_PG=%s): %s", admin_conninfo(), admin_err);
	}
	m->next = made;
	made = m;
	return xstrdup(m->conninfo);
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
