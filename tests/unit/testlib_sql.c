/* testlib_sql.c: SQL on a test's database beside desk, on SQLite
 * (sqlite3 directly) or PostgreSQL (libpq directly): see testlib_sql.h. */
#include <check.h>
#include <ctype.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "testlib_sql.h"
#include "util.h"

/* PostgreSQL's type OID of boolean (pg_type.h is server-side only). */
#define OID_BOOL 16

int test_sql_on_pg(const char *db)
{
	return database_is_server(db);
}

/* --- SQLite ----------------------------------------------------------- */

static sqlite3 *sqlite_open(const char *path)
{
	sqlite3 *db;
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);
	ck_assert_msg(rc == SQLITE_OK, "%s: %s", path, sqlite3_errstr(rc));
	sqlite3_busy_timeout(db, 2000);
	sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	return db;
}

static enum test_sql_rc sqlite_exec(const char *path, const char *sql, char *err,
				    size_t errsize)
{
	sqlite3 *db = sqlite_open(path);
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	snprintf(err, errsize, "%s", msg ? msg : "");
	sqlite3_free(msg);
	sqlite3_close(db);
	return rc == SQLITE_OK ? TEST_SQL_OK
	       : (rc & 0xff) == SQLITE_CONSTRAINT ? TEST_SQL_CONSTRAINT
						 : TEST_SQL_ERROR;
}

static char *sqlite_rows(const char *path, const char *sql, int n, const char *const *params)
{
	sqlite3 *db = sqlite_open(path);
	sqlite3_stmt *s;
	ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK, "%s: %s", sql,
		      sqlite3_errmsg(db));
	for (int i = 0; i < n; i++)
		sqlite3_bind_text(s, i + 1, params[i], -1, SQLITE_TRANSIENT);
	struct strbuf b = {0};
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		for (int c = 0; c < sqlite3_column_count(s); c++) {
			const char *v = (const char *)sqlite3_column_text(s, c);
			sb_addf(&b, "%s%s", c ? "|" : "", v ? v : "NULL");
		}
		sb_addc(&b, '\n');
	}
	ck_assert_msg(rc == SQLITE_DONE, "%s: %s", sql, sqlite3_errmsg(db));
	sqlite3_finalize(s);
	sqlite3_close(db);
	if (!b.s)
		sb_add(&b, "");
	return sb_take(&b);
}

/* --- PostgreSQL ------------------------------------------------------- */

static PGconn *pg_open(const char *conninfo)
{
	PGconn *c = PQconnectdb(conninfo);
	ck_assert_msg(PQstatus(c) == CONNECTION_OK, "%s: %s", conninfo, PQerrorMessage(c));
	return c;
}

/* ?N outside quotes becomes $N. */
static char *dollar_params(const char *sql)
{
	struct strbuf b = {0};
	char quote = 0;
	for (const char *p = sql; *p; p++) {
		if (quote) {
			if (*p == quote)
				quote = 0;
		} else if (*p == '\'' || *p == '"') {
			quote = *p;
		} else if (*p == '?' && isdigit((unsigned char)p[1])) {
			sb_addc(&b, '$');
			continue;
		}
		sb_addc(&b, *p);
	}
	if (!b.s)
		sb_add(&b, "");
	return sb_take(&b);
}

static enum test_sql_rc pg_exec_text(const char *conninfo, const char *sql, char *err,
				     size_t errsize)
{
	PGconn *c = pg_open(conninfo);
	PGresult *r = PQexec(c, sql);
	ExecStatusType st = PQresultStatus(r);
	enum test_sql_rc rc = TEST_SQL_OK;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
		rc = state && strncmp(state, "23", 2) == 0 ? TEST_SQL_CONSTRAINT : TEST_SQL_ERROR;
		snprintf(err, errsize, "%s", PQresultErrorMessage(r));
	} else {
		snprintf(err, errsize, "%s", "");
	}
	PQclear(r);
	PQfinish(c);
	return rc;
}

static char *pg_rows(const char *conninfo, const char *sql, int n, const char *const *params)
{
	PGconn *c = pg_open(conninfo);
	char *q = dollar_params(sql);
	PGresult *r = PQexecParams(c, q, n, NULL, params, NULL, NULL, 0);
	ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK, "%s: %s", q, PQresultErrorMessage(r));
	free(q);
	struct strbuf b = {0};
	for (int row = 0; row < PQntuples(r); row++) {
		for (int col = 0; col < PQnfields(r); col++) {
			const char *v = PQgetisnull(r, row, col) ? "NULL" : PQgetvalue(r, row, col);
			if (PQftype(r, col) == OID_BOOL && strcmp(v, "NULL") != 0)
				v = strcmp(v, "t") == 0 ? "1" : "0";
			sb_addf(&b, "%s%s", col ? "|" : "", v);
		}
		sb_addc(&b, '\n');
	}
	PQclear(r);
	PQfinish(c);
	if (!b.s)
		sb_add(&b, "");
	return sb_take(&b);
}

/* --- either ----------------------------------------------------------- */

enum test_sql_rc test_sql_exec(const char *db, const char *sql, char *err, size_t errsize)
{
	char ignored[1];
	if (!err || !errsize) {
		err = ignored;
		errsize = sizeof ignored;
	}
	return test_sql_on_pg(db) ? pg_exec_text(db, sql, err, errsize)
				  : sqlite_exec(db, sql, err, errsize);
}

char *test_sql_rows(const char *db, const char *sql, int n, const char *const *params)
{
	return test_sql_on_pg(db) ? pg_rows(db, sql, n, params) : sqlite_rows(db, sql, n, params);
}

char *test_sql_text(const char *db, const char *sql)
{
	/* One column read raw, so that a value holding '|' or '\n' and a
	 * real "NULL" text stay apart from the row format. */
	if (test_sql_on_pg(db)) {
		PGconn *c = pg_open(db);
		PGresult *r = PQexec(c, sql);
		ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK, "%s: %s", sql,
			      PQresultErrorMessage(r));
		char *out = NULL;
		if (PQntuples(r) > 0 && !PQgetisnull(r, 0, 0)) {
			const char *v = PQgetvalue(r, 0, 0);
			if (PQftype(r, 0) == OID_BOOL)
				v = strcmp(v, "t") == 0 ? "1" : "0";
			out = xstrdup(v);
		}
		PQclear(r);
		PQfinish(c);
		return out;
	}
	sqlite3 *db3 = sqlite_open(db);
	sqlite3_stmt *s;
	ck_assert_msg(sqlite3_prepare_v2(db3, sql, -1, &s, NULL) == SQLITE_OK, "%s: %s", sql,
		      sqlite3_errmsg(db3));
	char *out = NULL;
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
		out = xstrdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	sqlite3_close(db3);
	return out;
}

int64_t test_sql_int(const char *db, const char *sql)
{
	char *t = test_sql_text(db, sql);
	int64_t v = t ? strtoll(t, NULL, 10) : 0;
	free(t);
	return v;
}
