/* test_pg_hints.c: SQLite's planner hints taken out of shared SQL for
 * PostgreSQL (src/store/pg_hints.c), and nothing else touched. */
#include <check.h>
#include <stdlib.h>

#include "testlib.h"
#include "../../src/store/pg_hints.h"

static void ck_dropped(const char *sql, const char *want)
{
	char *got = pg_drop_hints(sql);
	ck_assert_str_eq(got, want);
	free(got);
}

START_TEST(unary_plus_goes)
{
	ck_dropped("SELECT 1 FROM tickets t WHERE +t.status IN ('solved') AND +t.created_at < ?2",
		   "SELECT 1 FROM tickets t WHERE t.status IN ('solved') AND t.created_at < ?2");
	ck_dropped("WHERE (+t.updated_at >= ?2)", "WHERE (t.updated_at >= ?2)");
}
END_TEST

START_TEST(arithmetic_stays)
{
	ck_dropped("SELECT t.created_at + 1, 64 + CASE WHEN p > ?4 THEN 1 ELSE 0 END, a+b",
		   "SELECT t.created_at + 1, 64 + CASE WHEN p > ?4 THEN 1 ELSE 0 END, a+b");
	ck_dropped("SELECT coalesce(pat + 1, c + 1)", "SELECT coalesce(pat + 1, c + 1)");
}
END_TEST

START_TEST(indexed_by_goes)
{
	ck_dropped("FROM tickets t INDEXED BY tickets_frd WHERE t.id = ?1",
		   "FROM tickets t WHERE t.id = ?1");
	ck_dropped("FROM tickets t indexed  by tickets_rd WHERE x", "FROM tickets t WHERE x");
	/* a column or word that only starts like it */
	ck_dropped("SELECT indexed_byte, reindexed BY FROM t", "SELECT indexed_byte, reindexed BY FROM t");
}
END_TEST

START_TEST(quoted_text_stays)
{
	ck_dropped("SELECT ' +t.x INDEXED BY i ', \" +y\" FROM t WHERE +t.a = 1",
		   "SELECT ' +t.x INDEXED BY i ', \" +y\" FROM t WHERE t.a = 1");
	ck_dropped("SELECT 'it''s +t.x' WHERE +t.a", "SELECT 'it''s +t.x' WHERE t.a");
}
END_TEST

Suite *suite_pg_hints(void)
{
	Suite *s = suite_create("pg_hints");
	TCase *t = tcase_create("hints");
	tcase_add_test(t, unary_plus_goes);
	tcase_add_test(t, arithmetic_stays);
	tcase_add_test(t, indexed_by_goes);
	tcase_add_test(t, quoted_text_stays);
	suite_add_tcase(s, t);
	return s;
}
