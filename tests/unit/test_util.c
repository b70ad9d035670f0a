/* test_util.c: time parsing and formatting, durations, string buffer. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "util.h"

START_TEST(rfc3339_parses_offsets)
{
	int64_t t;
	ck_assert(time_parse_rfc3339("2026-11-01T09:30:00Z", &t));
	ck_assert_int_eq(t, 1793525400);
	ck_assert(time_parse_rfc3339("2026-11-01T11:30:00+02:00", &t));
	ck_assert_int_eq(t, 1793525400);
	ck_assert(time_parse_rfc3339("2026-11-01T04:30:00.123-05:00", &t));
	ck_assert_int_eq(t, 1793525400);
	ck_assert(time_parse_rfc3339("1970-01-01", &t));
	ck_assert_int_eq(t, 0);
	ck_assert(time_parse_rfc3339("2024-02-29T00:00:00Z", &t));
}
END_TEST

START_TEST(rfc3339_rejects_garbage)
{
	int64_t t;
	const char *bad[] = {"", "2026", "2026-13-01", "2026-02-30", "2026-11-01T25:00:00Z",
			     "2026-11-01T09:30:00", "2026-11-01T09:30:00Zjunk",
			     "2025-02-29", "2026-11-01T09:30:00+2:00", "yesterday"};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		ck_assert_msg(!time_parse_rfc3339(bad[i], &t), "accepted %s", bad[i]);
}
END_TEST

START_TEST(rfc3339_round_trip)
{
	char buf[32];
	time_format_rfc3339(1793525400, buf, sizeof buf);
	ck_assert_str_eq(buf, "2026-11-01T09:30:00Z");
}
END_TEST

START_TEST(durations)
{
	int64_t s;
	ck_assert(duration_parse("30m", &s));
	ck_assert_int_eq(s, 1800);
	ck_assert(duration_parse("4h", &s));
	ck_assert_int_eq(s, 14400);
	ck_assert(duration_parse("2d", &s));
	ck_assert_int_eq(s, 172800);
	ck_assert(duration_parse("1h30m", &s));
	ck_assert_int_eq(s, 5400);
	ck_assert(!duration_parse("", &s));
	ck_assert(!duration_parse("4", &s));
	ck_assert(!duration_parse("4x", &s));
	ck_assert(!duration_parse("0m", &s));
	ck_assert(!duration_parse("-3h", &s));
	ck_assert(!duration_parse("h", &s));
}
END_TEST

START_TEST(spans)
{
	char buf[16];
	time_format_span(59, buf, sizeof buf);
	ck_assert_str_eq(buf, "59s");
	time_format_span(3599, buf, sizeof buf);
	ck_assert_str_eq(buf, "59m");
	time_format_span(-7200, buf, sizeof buf);
	ck_assert_str_eq(buf, "-2h");
	time_format_span(86400 * 3, buf, sizeof buf);
	ck_assert_str_eq(buf, "3d");
	time_format_span(86400 * 21, buf, sizeof buf);
	ck_assert_str_eq(buf, "3w");
}
END_TEST

START_TEST(strbuf_grows)
{
	struct strbuf b = {0};
	ck_assert_str_eq(sb_str(&b), "");
	for (int i = 0; i < 1000; i++)
		sb_addf(&b, "%d,", i);
	ck_assert(strncmp(sb_str(&b), "0,1,2,", 6) == 0);
	char *s = sb_take(&b);
	ck_assert_ptr_null(b.s);
	ck_assert_int_eq(strlen(s) > 3000, 1);
	free(s);
	char t[] = "  x y \n";
	ck_assert_str_eq(str_trim(t), "x y");
	ck_assert(str_icontains("Hello World", "wORLD"));
	ck_assert(!str_icontains(NULL, "x"));
}
END_TEST

Suite *suite_util(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("util");
	tcase_add_test(tc, rfc3339_parses_offsets);
	tcase_add_test(tc, rfc3339_rejects_garbage);
	tcase_add_test(tc, rfc3339_round_trip);
	tcase_add_test(tc, durations);
	tcase_add_test(tc, spans);
	tcase_add_test(tc, strbuf_grows);
	suite_add_tcase(s, tc);
	return s;
}
