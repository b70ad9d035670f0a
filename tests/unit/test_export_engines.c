/* test_export_engines.c: `desk export` (and list/show/customer --json)
 * print the very same bytes on SQLite and on PostgreSQL for the same
 * data: one desk made on each engine by the same steps (the demo month
 * of one seed, then one import line of text JSON must escape, tags in
 * byte order, binary attachments, time entries, events) and every byte
 * compared.  Needs $DESK_TEST_PG (make unit-pg); without it there is no
 * second engine to compare with, and it says so. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "testlib.h"
#include "util.h"

#define NOW 1793525400 /* 2026-11-01T09:30:00Z */

static char *dir;
static struct config cfg;

static void setup(void)
{
	dir = test_tmpdir();
	config_defaults(&cfg);
	test_set_now(NOW);
}

static void teardown(void)
{
	config_free(&cfg);
	test_tmpdir_cleanup(&dir);
	unsetenv("DESK_NOW");
}

static void ok(int rc, const struct derr *e)
{
	ck_assert_msg(rc == DESK_OK, "%s", e->msg);
}

/* Every kind of text the JSON writers must escape alike: quotes,
 * backslashes, C0 controls (\b \f \n \r \t and \u00xx), DEL and C1
 * (escaped by desk's text_json_safe), U+2028, bidi controls, emoji,
 * accents; tags whose byte order differs from a locale's; attachments
 * of every byte value, long enough for base64's line breaks elsewhere;
 * nulls that must vanish (no assignee, no phone). */
static const char hostile[] =
	"{\"external_id\":\"H-1\",\"subject\":\"Quote \\\" back\\\\slash \\b\\f\\n\\r\\t"
	"\\u0001\\u001f\\u007f\\u0085\\u2028\\u202e caf\\u00e9 \\ud83d\\ude00 <&>\","
	"\"status\":\"pending\",\"priority\":\"urgent\",\"channel\":\"email\","
	"\"queue\":\"general\",\"created_at\":\"2026-10-20T08:00:00Z\","
	"\"customer\":{\"name\":\"Zo\\u00eb \\u0007 \\\"Q\\\"\",\"email\":\"zoe@example.com\","
	"\"organization\":\"A/B \\\\ C\"},"
	"\"tags\":[\"alpha\",\"zeta\",\"beta-2\",\"beta\",\"b_c\",\"0day\"],"
	"\"messages\":[{\"kind\":\"customer\",\"at\":\"2026-10-20T08:00:00Z\","
	"\"body\":\"line\\nline\\ttab x\","
	"\"message_id\":\"<h1@mail.example>\",\"auto\":true,"
	"\"attachments\":[{\"filename\":\"bytes.bin\",\"content_type\":\"application/octet-stream\","
	"\"size\":123,\"data\":\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4v"
	"MDEyMzQ1Njc4OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdoaWprbG1u"
	"b3Bxcv/+/fz7+vn4\"},{\"filename\":\"empty.txt\",\"content_type\":\"text/plain\","
	"\"size\":0,\"data\":\"\"}]},"
	"{\"kind\":\"note\",\"author\":\"tester\",\"at\":\"2026-10-20T09:00:00Z\","
	"\"body\":\"\\u00ad soft \\u200b zw\"}],"
	"\"surveys\":[{\"kind\":\"csat\",\"score\":4,\"at\":\"2026-10-21T10:00:00Z\","
	"\"comment\":\"ok \\\"fine\\\"\"}],"
	"\"time\":[{\"agent\":\"tester\",\"seconds\":252,\"source\":\"measured\","
	"\"note\":\"n \\\"q\\\" \\\\ \xc3\xa9\",\"at\":\"2026-10-20T09:00:00Z\",\"message\":2}],"
	"\"events\":[{\"at\":\"2026-10-20T08:30:00Z\",\"agent\":\"tester\",\"action\":\"set\","
	"\"field\":\"status\",\"old\":\"new\",\"new\":\"pending\"}]}\n";

/* The same desk on the engine `path` names. */
static void make_desk(struct desk *d, const char *path)
{
	struct derr e = {0};
	ok(desk_init(d, path, &cfg, "tester", &e), &e);
	ok(core_demo_fill(d, 42, NOW, &e), &e);
	FILE *in = fmemopen((void *)hostile, sizeof hostile - 1, "r");
	ck_assert_ptr_nonnull(in);
	char *report = NULL;
	size_t rlen = 0;
	FILE *rep = open_memstream(&report, &rlen);
	struct import_opts o = {.name = "h.jsonl"};
	struct import_result r = {0};
	int rc = core_import(d, in, &o, &r, rep, &e);
	fclose(in);
	fclose(rep);
	ck_assert_msg(rc == DESK_OK, "%s\n%s", e.msg, report);
	free(report);
}

/* Tickets without an external id export as "desk-INSTANCE-ID", and each
 * database has its own instance: compare without it. */
static void strip_instance(char *s)
{
	char *o = s;
	for (const char *p = s; *p;) {
		if (strncmp(p, "desk-", 5) == 0 && strspn(p + 5, "0123456789abcdef") == 12 &&
		    p[17] == '-') {
			memcpy(o, "desk-", 5);
			o += 5;
			p += 18;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
}

/* Fails naming the first byte that differs, with what is around it. */
static void same_bytes(const char *what, const char *lite, const char *pg)
{
	size_t i = 0;
	while (lite[i] && lite[i] == pg[i])
		i++;
	if (lite[i] == pg[i])
		return;
	size_t from = i > 60 ? i - 60 : 0;
	ck_abort_msg("%s differs at byte %zu:\n SQLite:     ...%.140s\n PostgreSQL: ...%.140s",
		     what, i, lite + from, pg + from);
}

static char *export_all(struct desk *d)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(f);
	struct derr e = {0};
	ok(core_export(d, f, &e), &e);
	fclose(f);
	strip_instance(buf);
	return buf;
}

/* Each ticket's list and show JSON, and each customer's, one a line. */
static char *views_all(struct desk *d)
{
	struct strbuf b = {0};
	struct derr e = {0};
	int64_t id = 0;
	for (;;) {
		ok(store_ticket_next_id(d->st, id, &id, &e), &e);
		if (!id)
			break;
		char *sum, *show;
		ok(store_ticket_summary_json(d->st, id, &sum, &e), &e);
		ok(store_ticket_show_json(d->st, id, &show, &e), &e);
		sb_addf(&b, "%s\n%s\n", sum, show);
		free(sum);
		free(show);
	}
	int64_t n = 0;
	ok(store_customer_count(d->st, &n, &e), &e);
	ck_assert_int_gt(n, 10);
	for (int64_t c = 1; c <= n; c++) {
		char *cust;
		ok(store_customer_json(d->st, c, &cust, &e), &e);
		sb_addf(&b, "%s\n", cust);
		free(cust);
	}
	char *s = xstrdup(sb_str(&b));
	sb_free(&b);
	strip_instance(s);
	return s;
}

START_TEST(export_is_the_same_bytes_on_both_engines)
{
	if (!test_db_on_pg()) {
		fprintf(stderr, "export_engines: skipped: set DESK_TEST_PG to compare with "
				"PostgreSQL (make unit-pg)\n");
		return;
	}
	struct desk lite, pg;
	char *lite_path = xasprintf("%s/lite.db", dir);
	char *pg_path = test_db_named(dir, "pg");
	make_desk(&lite, lite_path);
	make_desk(&pg, pg_path);

	char *a = export_all(&lite), *b = export_all(&pg);
	ck_assert_uint_gt(strlen(a), 10000);
	/* The hostile ticket is there, with what the comparison is for. */
	ck_assert_ptr_nonnull(strstr(a, "\\b\\f\\n\\r\\t\\u0001\\u001f\\u007f\\u0085\\u2028"));
	ck_assert_ptr_nonnull(strstr(a, "\"tags\":[\"0day\",\"alpha\",\"b_c\",\"beta\",\"beta-2\""));
	ck_assert_ptr_nonnull(strstr(a, "\"data\":\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIj"));
	same_bytes("desk export", a, b);
	free(a);
	free(b);

	a = views_all(&lite);
	b = views_all(&pg);
	same_bytes("list/show/customer --json", a, b);
	free(a);
	free(b);

	desk_close(&lite);
	desk_close(&pg);
	free(lite_path);
	free(pg_path);
}
END_TEST

/* desk backup is SQLite's online backup; on PostgreSQL it refuses,
 * naming the tools that do it there, and leaves no file behind. */
START_TEST(backup_names_pg_dump_on_postgresql)
{
	if (!test_db_on_pg()) {
		fprintf(stderr, "export_engines: skipped: set DESK_TEST_PG to see desk backup "
				"refuse a PostgreSQL database (make unit-pg)\n");
		return;
	}
	struct desk d;
	struct derr e = {0};
	char *path = test_db_named(dir, "pg");
	ok(desk_init(&d, path, &cfg, "tester", &e), &e);
	char *dest = xasprintf("%s/copy.db", dir);
	struct store_backup_info info;
	ck_assert_int_eq(core_backup(&d, dest, false, &info, &e), DESK_EINVAL);
	ck_assert_msg(strstr(e.msg, "pg_dump") && strstr(e.msg, "pg_basebackup"), "%s", e.msg);
	/* Nothing written: no copy, no temporary file beside it. */
	DIR *folder = opendir(dir);
	ck_assert_ptr_nonnull(folder);
	for (struct dirent *de; (de = readdir(folder));)
		ck_assert_msg(strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0,
			      "left behind: %s", de->d_name);
	closedir(folder);
	desk_close(&d);
	free(dest);
	free(path);
}
END_TEST

Suite *suite_export_engines(void)
{
	Suite *s = suite_create("export_engines");
	TCase *t = tcase_create("bytes");
	tcase_set_timeout(t, 300);
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, export_is_the_same_bytes_on_both_engines);
	tcase_add_test(t, backup_names_pg_dump_on_postgresql);
	suite_add_tcase(s, t);
	return s;
}
