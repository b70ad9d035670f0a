/* testlib_sql.h: SQL run on a test's database beside desk's own
 * connection, on either engine (a SQLite file, or the PostgreSQL
 * conninfo test_db_path gives): to check what was stored and to try
 * writes desk itself never makes.  Parameters are written ?1, ?2 (sent
 * to PostgreSQL as $1, $2) and bound as text, typed by the SQL around
 * them; the SQL must be one both engines accept, or test_sql_on_pg()
 * chooses. */
#ifndef DESK_TESTLIB_SQL_H
#define DESK_TESTLIB_SQL_H

#include <stddef.h>
#include <stdint.h>

enum test_sql_rc {
	TEST_SQL_OK,
	TEST_SQL_CONSTRAINT, /* SQLITE_CONSTRAINT; SQLSTATE class 23 */
	TEST_SQL_ERROR,
};

/* Whether db names a PostgreSQL database. */
int test_sql_on_pg(const char *db);
/* Runs sql (one statement or several, no parameters) on a connection of
 * its own with foreign keys enforced, as desk has them; err gets the
 * engine's message ("" when it worked). */
enum test_sql_rc test_sql_exec(const char *db, const char *sql, char *err, size_t errsize);
/* Every row of sql (a new string): columns joined by '|', each row
 * ending in '\n'; SQL NULL reads "NULL" and a boolean 1 or 0, as on
 * SQLite.  params: n text values for ?1..?n (NULL for SQL NULL).  A
 * failing query fails the test. */
char *test_sql_rows(const char *db, const char *sql, int n, const char *const *params);
/* The first column of the first row, a new string; NULL for SQL NULL
 * or no row. */
char *test_sql_text(const char *db, const char *sql);
/* The same read as a number (0 for NULL or no row). */
int64_t test_sql_int(const char *db, const char *sql);

#endif
