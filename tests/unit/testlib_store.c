/* testlib_store.c: SQL of a test's own on its database through desk's
 * store, either engine (testlib.h). */
#include <stdio.h>
#include <string.h>

#include "testlib.h"
#include "util.h"
#include "../../src/store/internal.h"

int64_t test_db_int(const char *path, const char *sql)
{
	struct derr e = {0};
	struct store *st = NULL;
	ck_assert_msg(store_open(path, 0, &st, &e) == DESK_OK, "%s", e.msg);
	/* In a transaction, so that a write is the store's like any other. */
	ck_assert_msg(store_begin(st, &e) == DESK_OK, "%s", e.msg);
	struct stmt *s = st_prep(st, sql, &e);
	ck_assert_msg(s != NULL, "%s: %s", sql, e.msg);
	int rc = st_step(s);
	if (rc != ST_ROW && rc != ST_DONE) {
		st_fail(st, &e, "running the test's SQL");
		ck_abort_msg("%s: %s", sql, e.msg);
	}
	int64_t v = rc == ST_DONE ? st_changes(st) : col_is_null(s, 0) ? -1 : col_int(s, 0);
	st_done(s);
	ck_assert_msg(store_commit(st, &e) == DESK_OK, "%s", e.msg);
	store_close(&st);
	return v;
}
