/* test_config.c: the YAML document layer, config.yaml (values, defaults,
 * search order, every kind of mistake with its exact message), the key
 * bindings and canned responses files, and the shipped examples. */
#include <check.h>
#include <pwd.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "caps.h"
#include "config.h"
#include "testlib.h"
#include "util.h"
#include "yamldoc.h"

/* --- helpers ----------------------------------------------------------- */

static char *write_file(const char *dir, const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	return path;
}

/* Loads text as "config.yaml" and expects exactly msg. */
static void expect_config_error(const char *text, const char *msg)
{
	struct config c;
	struct derr e = {0};
	int rc = config_load_string(text, "config.yaml", &c, &e);
	ck_assert_int_eq(rc, DESK_EINVAL);
	ck_assert_int_eq(e.code, DESK_EINVAL);
	ck_assert_str_eq(e.msg, msg);
	/* A failed load leaves the defaults, still to be freed. */
	ck_assert_str_eq(c.theme, "default");
	ck_assert_ptr_null(c.source);
	config_free(&c);
}

static void expect_ydoc_error(const char *text, const char *msg)
{
	struct ydoc d;
	struct derr e = {0};
	ck_assert_int_eq(ydoc_load_string(text, "t.yaml", &d, &e), DESK_EINVAL);
	ck_assert_str_eq(e.msg, msg);
	ck_assert_ptr_null(d.root);
	ck_assert_ptr_null(d.path);
	ydoc_free(&d);
}

/* --- yamldoc ----------------------------------------------------------- */

START_TEST(ydoc_builds_located_tree)
{
	struct ydoc d;
	struct derr e = {0};
	const char *text = "# comment\n"
			   "name: 'quoted'\n"
			   "list:\n"
			   "  - one\n"
			   "  - {k: v}\n"
			   "empty:\n";
	ck_assert_int_eq(ydoc_load_string(text, "t.yaml", &d, &e), DESK_OK);
	ck_assert_str_eq(d.path, "t.yaml");
	const struct ynode *r = d.root;
	ck_assert_int_eq(r->type, Y_MAP);
	ck_assert_uint_eq(r->nkids, 6);
	ck_assert_int_eq(r->line, 2);
	ck_assert_int_eq(r->col, 1);
	ck_assert_str_eq(r->kids[0]->value, "name");
	ck_assert(!r->kids[0]->quoted);
	ck_assert_str_eq(r->kids[1]->value, "quoted");
	ck_assert(r->kids[1]->quoted);
	ck_assert_int_eq(r->kids[1]->line, 2);
	ck_assert_int_eq(r->kids[1]->col, 7);
	const struct ynode *list = y_get(r, "list");
	ck_assert_int_eq(list->type, Y_SEQ);
	ck_assert_uint_eq(list->nkids, 2);
	ck_assert_str_eq(list->kids[0]->value, "one");
	ck_assert_int_eq(list->kids[0]->line, 4);
	ck_assert_int_eq(list->kids[0]->col, 5);
	ck_assert_int_eq(list->kids[1]->type, Y_MAP);
	ck_assert_int_eq(list->kids[1]->line, 5);
	ck_assert_int_eq(list->kids[1]->col, 5);
	ck_assert_str_eq(y_get(list->kids[1], "k")->value, "v");
	ck_assert(y_is_null(y_get(r, "empty")));
	ck_assert_ptr_null(y_get(r, "missing"));
	ydoc_free(&d);
	ck_assert_ptr_null(d.root);
}
END_TEST

START_TEST(ydoc_empty_documents)
{
	const char *empties[] = {"", "# only a comment\n", "---\n", "~\n"};
	for (size_t i = 0; i < ARRAY_LEN(empties); i++) {
		struct ydoc d;
		struct derr e = {0};
		ck_assert_int_eq(ydoc_load_string(empties[i], "t.yaml", &d, &e), DESK_OK);
		ck_assert_ptr_null(d.root);
		ydoc_free(&d);
	}
}
END_TEST

START_TEST(ydoc_refuses)
{
	expect_ydoc_error("a: [1, 2\n", "t.yaml:2:1: did not find expected ',' or ']'");
	expect_ydoc_error("a:\n  b: 1\n c: 2\n", "t.yaml:3:2: did not find expected key");
	expect_ydoc_error("a: \"open\n", "t.yaml:2:1: found unexpected end of stream");
	expect_ydoc_error("a: 1\nb: \xff\n", "t.yaml:2:4: invalid leading UTF-8 octet");
	expect_ydoc_error("a: 1\nb: 2\na: 3\n",
			  "t.yaml:3:1: duplicate key \"a\"; first defined on line 1");
	expect_ydoc_error("a: &x 1\n", "t.yaml:1:4: anchors (&x) are not supported here");
	expect_ydoc_error("a: 1\nb: *x\n", "t.yaml:2:4: aliases (*x) are not supported here");
	expect_ydoc_error("a: !!str 1\n", "t.yaml:1:4: tags (!!str) are not supported here");
	expect_ydoc_error("a: !mine 1\n", "t.yaml:1:4: tags (!mine) are not supported here");
	expect_ydoc_error("a: 1\n---\nb: 2\n",
			  "t.yaml:2:1: a second YAML document (---); one file holds one document");
	expect_ydoc_error("? [a]\n: 1\n", "t.yaml:1:3: expected a plain key, got a sequence");
	expect_ydoc_error("a: \"x\\0y\"\n", "t.yaml:1:4: NUL characters are not allowed");
	char deep[200];
	memset(deep, '[', 100);
	deep[100] = '\0';
	expect_ydoc_error(deep, "t.yaml:1:66: nested deeper than 64 levels");
}
END_TEST

START_TEST(ydoc_missing_file)
{
	struct ydoc d;
	struct derr e = {0};
	ck_assert_int_eq(ydoc_load("/nonexistent/desk/x.yaml", &d, &e), DESK_ENOTFOUND);
	ck_assert_str_eq(e.msg, "/nonexistent/desk/x.yaml: No such file or directory");
	ydoc_free(&d);
}
END_TEST

START_TEST(ydoc_typed_readers)
{
	struct ydoc d;
	struct derr e = {0};
	const char *text = "b1: true\nb2: no\nb3: YES\nb4: 1\n"
			   "i1: 42\ni2: -7\ni3: 4.5\ni4: '12'\n"
			   "d1: 1h30m\nd2: 0m\n"
			   "s1: text\ns2: ''\ns3:\ns4: [x]\n"
			   "e1: b\ne2: z\n"
			   "m: {}\n"
			   "ctl: \"a\\tb\\x1b[2J\"\n";
	ck_assert_int_eq(ydoc_load_string(text, "t.yaml", &d, &e), DESK_OK);
	const struct ynode *r = d.root;
	bool b;
	ck_assert_int_eq(y_bool(&d, y_get(r, "b1"), &b, &e), DESK_OK);
	ck_assert(b);
	ck_assert_int_eq(y_bool(&d, y_get(r, "b2"), &b, &e), DESK_OK);
	ck_assert(!b);
	ck_assert_int_eq(y_bool(&d, y_get(r, "b3"), &b, &e), DESK_OK);
	ck_assert(b);
	ck_assert_int_eq(y_bool(&d, y_get(r, "b4"), &b, &e), DESK_EINVAL);
	ck_assert_str_eq(e.msg, "t.yaml:4:5: expected a boolean (true/false/yes/no), got \"1\"");

	long v;
	ck_assert_int_eq(y_int(&d, y_get(r, "i1"), 0, 100, &v, &e), DESK_OK);
	ck_assert_int_eq(v, 42);
	ck_assert_int_eq(y_int(&d, y_get(r, "i2"), -10, 10, &v, &e), DESK_OK);
	ck_assert_int_eq(v, -7);
	ck_assert_int_eq(y_int(&d, y_get(r, "i1"), 0, 10, &v, &e), DESK_EINVAL);
	ck_assert_str_eq(e.msg, "t.yaml:5:5: expected an integer from 0 to 10, got \"42\"");
	ck_assert_int_eq(y_int(&d, y_get(r, "i3"), 0, 10, &v, &e), DESK_EINVAL);
	ck_assert_str_eq(e.msg, "t.yaml:7:5: expected an integer from 0 to 10, got \"4.5\"");
	ck_assert_int_eq(y_int(&d, y_get(r, "i4"), 0, 100, &v, &e), DESK_OK);
	ck_assert_int_eq(v, 12);

	int64_t secs;
	ck_assert_int_eq(y_duration(&d, y_get(r, "d1"), &secs, &e), DESK_OK);
	ck_assert_int_eq(secs, 5400);
	ck_assert_int_eq(y_duration(&d, y_get(r, "d2"), &secs, &e), DESK_EINVAL);
	ck_assert_str_eq(e.msg, "t.yaml:10:5: expected a duration like 30m, 4h or 2d, got \"0m\"");

	char *s = NULL;
	ck_assert_int_eq(y_string(&d, y_get(r, "s1"), &s, &e), DESK_OK);
	ck_assert_str_eq(s, "text");
	free(s);
	ck_assert_int_eq(y_string(&d, y_get(r, "s2"), &s, &e), DESK_OK);
	ck_assert_str_eq(s, "");
	free(s);
	ck_assert_int_eq(y_string(&d, y_get(r, "s3"), &s, &e), DESK_EINVAL);
	ck_assert_str_eq(e.msg, "t.yaml:13:4: expected a string, got an empty value");
	ck_assert_int_eq(y_string(&d, y_get(r, "s4"), &s, &e), DESK_EINVAL);
	ck_assert_str_eq(e.msg, "t.yaml:14:5: expected a string, got a sequence");

	static const char *const names[] = {"a", "b", "c", NULL};
	int idx;
	ck_assert_int_eq(y_enum(&d, y_get(r, "e1"), names, &idx, &e), DESK_OK);
	ck_assert_int_eq(idx, 1);
	ck_assert_int_eq(y_enum(&d, y_get(r, "e2"), names, &idx, &e), DESK_EINVAL);
	ck_assert_str_eq(e.msg, "t.yaml:16:5: expected a, b or c, got \"z\"");

	ck_assert_int_eq(y_expect(&d, y_get(r, "m"), Y_MAP, NULL, &e), DESK_OK);
	ck_assert_int_eq(y_expect(&d, y_get(r, "s4"), Y_MAP, "a mapping of queue names", &e),
			 DESK_EINVAL);
	ck_assert_str_eq(e.msg, "t.yaml:14:5: expected a mapping of queue names, got a sequence");

	/* What the file said is quoted back with control characters escaped. */
	ck_assert_int_eq(y_bool(&d, y_get(r, "ctl"), &b, &e), DESK_EINVAL);
	ck_assert_str_eq(e.msg, "t.yaml:18:6: expected a boolean (true/false/yes/no), "
				"got \"a\\tb\\x1b[2J\"");
	ydoc_free(&d);
}
END_TEST

/* --- config.yaml: values --------------------------------------------------- */

static const char full_config[] =
	"database: data/desk.db\n"
	"theme: solarized\n"
	"keys: /etc/desk/keys.yaml\n"
	"canned: canned.yaml\n"
	"themes_dir: ~/themes\n"
	"default_queue: support\n"
	"allow_solve_unassigned: yes\n"
	"sla:\n"
	"  warn_percent: 40\n"
	"  urgent: {first_response: 30m, next_response: 1h, resolution: 2h}\n"
	"  high:   {first_response: 2h, resolution: 12h}\n"
	"  normal: {first_response: 1d, next_response: none, resolution: 5d}\n"
	"  low:    {resolution: 2w}\n"
	"business_hours:\n"
	"  timezone: Europe/Paris\n"
	"  monday: \"09:00-17:30\"\n"
	"  friday: \"8:15 - 24:00\"\n"
	"  sunday: closed\n"
	"  holidays: [\"2026-12-25\", \"2027-01-01\"]\n"
	"views:\n"
	"  - name: billing-urgent\n"
	"    filter: \"queue:billing priority:high,urgent status:new,open\"\n"
	"    sort: priority\n"
	"    reverse: true\n"
	"  - name: everything\n"
	"    filter: \"\"\n";

START_TEST(config_full_file)
{
	struct config c;
	struct derr e = {0};
	setenv("HOME", "/home/ann", 1);
	ck_assert_int_eq(config_load_string(full_config, "/srv/desk/config.yaml", &c, &e),
			 DESK_OK);
	ck_assert_str_eq(c.source, "/srv/desk/config.yaml");
	ck_assert_str_eq(c.db_path, "/srv/desk/data/desk.db");
	ck_assert_str_eq(c.theme, "solarized");
	ck_assert_str_eq(c.keys_file, "/etc/desk/keys.yaml");
	ck_assert_str_eq(c.canned_file, "/srv/desk/canned.yaml");
	ck_assert_str_eq(c.themes_dir, "/home/ann/themes");
	ck_assert_str_eq(c.default_queue, "support");
	ck_assert(c.allow_solve_unassigned);

	ck_assert_int_eq(c.sla_warn_percent, 40);
	ck_assert_int_eq(c.sla[PRIO_URGENT].first_response, 1800);
	ck_assert_int_eq(c.sla[PRIO_URGENT].next_response, 3600);
	ck_assert_int_eq(c.sla[PRIO_URGENT].resolution, 7200);
	ck_assert_int_eq(c.sla[PRIO_HIGH].first_response, 7200);
	ck_assert_int_eq(c.sla[PRIO_HIGH].next_response, 8 * 3600); /* default kept */
	ck_assert_int_eq(c.sla[PRIO_HIGH].resolution, 12 * 3600);
	ck_assert_int_eq(c.sla[PRIO_NORMAL].first_response, 86400);
	ck_assert_int_eq(c.sla[PRIO_NORMAL].next_response, 0);
	ck_assert_int_eq(c.sla[PRIO_NORMAL].resolution, 5 * 86400);
	ck_assert_int_eq(c.sla[PRIO_LOW].first_response, 86400);
	ck_assert_int_eq(c.sla[PRIO_LOW].next_response, 2 * 86400);
	ck_assert_int_eq(c.sla[PRIO_LOW].resolution, 14 * 86400);

	ck_assert(c.hours.enabled);
	ck_assert_str_eq(c.hours.timezone, "Europe/Paris");
	ck_assert_int_eq(c.hours.open[1], 9 * 60);
	ck_assert_int_eq(c.hours.close[1], 17 * 60 + 30);
	ck_assert_int_eq(c.hours.open[5], 8 * 60 + 15);
	ck_assert_int_eq(c.hours.close[5], 24 * 60);
	for (int day = 0; day < 7; day++) {
		if (day == 1 || day == 5)
			continue;
		ck_assert_int_eq(c.hours.open[day], -1); /* unlisted or "closed" */
		ck_assert_int_eq(c.hours.close[day], -1);
	}
	ck_assert_uint_eq(c.hours.nholidays, 2);
	ck_assert_str_eq(c.hours.holidays[0], "2026-12-25");
	ck_assert_str_eq(c.hours.holidays[1], "2027-01-01");
	ck_assert_ptr_null(c.hours.holidays[2]);

	ck_assert_uint_eq(c.nviews, 2);
	ck_assert_str_eq(c.views[0].name, "billing-urgent");
	ck_assert_str_eq(c.views[0].filter, "queue:billing priority:high,urgent status:new,open");
	ck_assert_int_eq(c.views[0].sort, SORT_PRIORITY);
	ck_assert(c.views[0].reverse);
	ck_assert_str_eq(c.views[1].name, "everything");
	ck_assert_str_eq(c.views[1].filter, "");
	ck_assert_int_eq(c.views[1].sort, SORT_URGENCY);
	ck_assert(!c.views[1].reverse);
	config_free(&c);
	ck_assert_ptr_null(c.theme);
}
END_TEST

static void assert_defaults(const struct config *c)
{
	ck_assert_ptr_null(c->db_path);
	ck_assert_str_eq(c->theme, "default");
	ck_assert_ptr_null(c->keys_file);
	ck_assert_ptr_null(c->canned_file);
	ck_assert_ptr_null(c->themes_dir);
	ck_assert_str_eq(c->default_queue, "general");
	ck_assert(!c->allow_solve_unassigned);
	ck_assert_int_eq(c->sla_warn_percent, 25);
	const int64_t h = 3600, d = 86400;
	const int64_t want[PRIO__COUNT][3] = {
		[PRIO_URGENT] = {1 * h, 2 * h, 4 * h},
		[PRIO_HIGH] = {4 * h, 8 * h, 1 * d},
		[PRIO_NORMAL] = {8 * h, 1 * d, 3 * d},
		[PRIO_LOW] = {1 * d, 2 * d, 7 * d},
	};
	for (int p = 0; p < PRIO__COUNT; p++) {
		ck_assert_int_eq(c->sla[p].first_response, want[p][0]);
		ck_assert_int_eq(c->sla[p].next_response, want[p][1]);
		ck_assert_int_eq(c->sla[p].resolution, want[p][2]);
	}
	ck_assert(!c->hours.enabled);
	ck_assert_ptr_null(c->hours.timezone);
	ck_assert_uint_eq(c->hours.nholidays, 0);
	ck_assert_uint_eq(c->nviews, 0);
}

START_TEST(config_defaults_and_empty_file)
{
	struct config c;
	config_defaults(&c);
	assert_defaults(&c);
	ck_assert_ptr_null(c.source);
	config_free(&c);

	struct derr e = {0};
	ck_assert_int_eq(config_load_string("# nothing set yet\n", "config.yaml", &c, &e),
			 DESK_OK);
	assert_defaults(&c);
	ck_assert_str_eq(c.source, "config.yaml");
	config_free(&c);

	/* A relative config name leaves relative paths as they are. */
	ck_assert_int_eq(config_load_string("database: desk.db\n", "config.yaml", &c, &e),
			 DESK_OK);
	ck_assert_str_eq(c.db_path, "desk.db");
	config_free(&c);

	/* Replying claims an unassigned ticket unless the team says not. */
	ck_assert_int_eq(config_load_string("# nothing\n", "config.yaml", &c, &e), DESK_OK);
	ck_assert(c.claim_on_reply);
	config_free(&c);
	ck_assert_int_eq(config_load_string("claim_on_reply: false\n", "config.yaml", &c, &e),
			 DESK_OK);
	ck_assert(!c.claim_on_reply);
	config_free(&c);
}
END_TEST

/* --- config.yaml: where it is found ------------------------------------ */

static const char *const saved_names[] = {"DESK_CONFIG", "XDG_CONFIG_HOME", "HOME", "DESK_DB"};
static char *saved_env[ARRAY_LEN(saved_names)];
static const char *saved_system_path;

static void env_save(void)
{
	for (size_t i = 0; i < ARRAY_LEN(saved_names); i++)
		saved_env[i] = xstrdup(getenv(saved_names[i]));
	saved_system_path = config_system_path;
	unsetenv("DESK_DB");
}

static void env_restore(void)
{
	for (size_t i = 0; i < ARRAY_LEN(saved_names); i++) {
		if (saved_env[i])
			setenv(saved_names[i], saved_env[i], 1);
		else
			unsetenv(saved_names[i]);
		xfree(&saved_env[i]);
	}
	config_system_path = saved_system_path;
}

/* The database the search-order tests name: no config.yaml beside it. */
static char *test_db;

/* Loads with config_load and checks the theme (which tells the files
 * apart), the personal and the team file. */
static void expect_found(const char *explicit_path, const char *theme, const char *personal,
			 const char *team)
{
	struct config c;
	struct derr e = {0};
	int rc = config_load(explicit_path, test_db, &c, &e);
	ck_assert_msg(rc == DESK_OK, "%s", e.msg);
	ck_assert_str_eq(c.theme, theme);
	ck_assert_pstr_eq(c.personal, personal);
	ck_assert_pstr_eq(c.source, team);
	config_free(&c);
}

static void expect_not_found(const char *explicit_path, const char *msg)
{
	struct config c;
	struct derr e = {0};
	ck_assert_int_eq(config_load(explicit_path, test_db, &c, &e), DESK_ENOTFOUND);
	ck_assert_str_eq(e.msg, msg);
	config_free(&c);
}

START_TEST(config_search_order)
{
	char *dir = test_tmpdir();
	char *sub[] = {xasprintf("%s/xdg", dir), xasprintf("%s/xdg/desk", dir),
		       xasprintf("%s/home", dir), xasprintf("%s/home/.config", dir),
		       xasprintf("%s/home/.config/desk", dir)};
	for (size_t i = 0; i < ARRAY_LEN(sub); i++)
		ck_assert_int_eq(mkdir(sub[i], 0700), 0);
	char *expl = write_file(dir, "explicit.yaml", "theme: explicit\n");
	char *envf = write_file(dir, "env.yaml", "theme: env\n");
	char *xdgf = write_file(sub[1], "config.yaml", "theme: xdg\n");
	char *homef = write_file(sub[4], "config.yaml", "theme: home\n");
	char *sysf = write_file(dir, "system.yaml", "theme: system\n");
	char *missing = xasprintf("%s/missing.yaml", dir);
	char *xdg = sub[0], *home = sub[2];
	test_db = xasprintf("%s/nowhere/desk.db", dir);

	/* The personal file is one of these; the team's is /etc's, since
	 * nothing is beside the database. */
	config_system_path = sysf;
	setenv("DESK_CONFIG", envf, 1);
	setenv("XDG_CONFIG_HOME", xdg, 1);
	setenv("HOME", home, 1);
	expect_found(expl, "explicit", expl, sysf);
	expect_found(NULL, "env", envf, sysf);
	unsetenv("DESK_CONFIG");
	expect_found(NULL, "xdg", xdgf, sysf);
	/* A relative XDG_CONFIG_HOME is ignored in favour of ~/.config. */
	setenv("XDG_CONFIG_HOME", "relative/dir", 1);
	expect_found(NULL, "home", homef, sysf);
	unsetenv("XDG_CONFIG_HOME");
	expect_found(NULL, "home", homef, sysf);
	/* Missing personal files are skipped: the team's alone. */
	ck_assert_int_eq(unlink(homef), 0);
	expect_found(NULL, "system", NULL, sysf);
	setenv("XDG_CONFIG_HOME", xdg, 1);
	ck_assert_int_eq(unlink(xdgf), 0);
	expect_found(NULL, "system", NULL, sysf);
	config_system_path = missing;
	expect_found(NULL, "default", NULL, NULL);
	unsetenv("HOME");
	unsetenv("XDG_CONFIG_HOME");
	expect_found(NULL, "default", NULL, NULL);

	/* Files named by the user must exist. */
	char *msg = xasprintf("%s: No such file or directory", missing);
	expect_not_found(missing, msg);
	free(msg);
	setenv("DESK_CONFIG", missing, 1);
	msg = xasprintf("%s (from $DESK_CONFIG): No such file or directory", missing);
	expect_not_found(NULL, msg);
	free(msg);
	unsetenv("DESK_CONFIG");

	/* A broken file found on the way is an error, not a reason to go on. */
	char *bad = write_file(dir, "bad.yaml", "theme: [\n");
	config_system_path = bad;
	struct config c;
	struct derr e = {0};
	ck_assert_int_eq(config_load(NULL, test_db, &c, &e), DESK_EINVAL);
	msg = xasprintf("%s:2:1: did not find expected node content", bad);
	ck_assert_str_eq(e.msg, msg);
	free(msg);
	config_free(&c);

	free(bad);
	free(expl);
	free(envf);
	free(xdgf);
	free(homef);
	free(sysf);
	free(missing);
	xfree(&test_db);
	for (size_t i = 0; i < ARRAY_LEN(sub); i++)
		free(sub[i]);
	test_tmpdir_cleanup(&dir);
}
END_TEST

/* --- config.yaml: the team's layer and the personal one ---------------- */

/* A team folder with a database and its config.yaml, the /etc file
 * somewhere else, and a personal file: paths in a struct for the tests. */
struct layers {
	char *dir, *team_dir, *db, *team, *sys, *personal;
};

static void layers_make(struct layers *l, const char *team_text, const char *personal_text)
{
	l->dir = test_tmpdir();
	l->team_dir = xasprintf("%s/srv", l->dir);
	ck_assert_int_eq(mkdir(l->team_dir, 0700), 0);
	l->db = write_file(l->team_dir, "desk.db", "");
	l->team = team_text ? write_file(l->team_dir, "config.yaml", team_text) : NULL;
	l->sys = write_file(l->dir, "etc.yaml", "agents_may_bulk_edit: true\n");
	config_system_path = l->sys;
	l->personal = write_file(l->dir, "mine.yaml", personal_text);
	unsetenv("DESK_CONFIG");
}

static void layers_free(struct layers *l)
{
	free(l->team_dir);
	free(l->db);
	free(l->team);
	free(l->sys);
	free(l->personal);
	test_tmpdir_cleanup(&l->dir);
}

START_TEST(config_layers_team_and_personal)
{
	struct layers l;
	layers_make(&l,
		    "agents_may_reassign: true\n"
		    "sla:\n  urgent: {first_response: 30m}\n"
		    "views:\n  - name: team1\n    filter: \"queue:billing\"\n",
		    "theme: dark\n"
		    "views:\n  - name: mine1\n    filter: \"assignee:me\"\n");
	struct config c;
	struct derr e = {0};
	int rc = config_load(l.personal, l.db, &c, &e);
	ck_assert_msg(rc == DESK_OK, "%s", e.msg);
	ck_assert_str_eq(c.source, l.team);
	ck_assert_str_eq(c.personal, l.personal);
	ck_assert_str_eq(c.db_path, l.db);
	/* the team's policy, not /etc's (the file beside the database wins) */
	ck_assert(c.agents_may_reassign);
	ck_assert(!c.agents_may_bulk_edit);
	ck_assert_int_eq(c.sla[PRIO_URGENT].first_response, 1800);
	/* the personal things laid over it */
	ck_assert_str_eq(c.theme, "dark");
	ck_assert_uint_eq(c.nviews, 2);
	ck_assert_str_eq(c.views[0].name, "team1");
	ck_assert(!c.views[0].personal);
	ck_assert_str_eq(c.views[1].name, "mine1");
	ck_assert(c.views[1].personal);
	ck_assert_int_eq(c.views[1].line, 3);
	/* and where each came from */
	ck_assert_int_eq(c.origin[CFG_AGENTS_MAY_REASSIGN].from, FROM_TEAM);
	ck_assert_int_eq(c.origin[CFG_AGENTS_MAY_REASSIGN].line, 1);
	ck_assert_int_eq(c.origin[CFG_SLA].from, FROM_TEAM);
	ck_assert_int_eq(c.origin[CFG_SLA].line, 2);
	ck_assert_int_eq(c.origin[CFG_THEME].from, FROM_PERSONAL);
	ck_assert_int_eq(c.origin[CFG_THEME].line, 1);
	ck_assert_int_eq(c.origin[CFG_DATABASE].from, FROM_DB_OPTION);
	ck_assert_int_eq(c.origin[CFG_AGENTS_MAY_BULK_EDIT].from, FROM_DEFAULT);
	config_free(&c);

	/* Without a file beside the database, /etc's is the team's. */
	ck_assert_int_eq(unlink(l.team), 0);
	rc = config_load(l.personal, l.db, &c, &e);
	ck_assert_msg(rc == DESK_OK, "%s", e.msg);
	ck_assert_str_eq(c.source, l.sys);
	ck_assert(c.agents_may_bulk_edit);
	ck_assert(!c.agents_may_reassign);
	ck_assert_int_eq(c.sla[PRIO_URGENT].first_response, 3600);
	config_free(&c);
	layers_free(&l);
}
END_TEST

/* undo_send_seconds: 10 built in, the team's default, an agent's own
 * over it; out of range is an error naming where. */
START_TEST(config_undo_send_seconds_layers)
{
	struct layers l;
	layers_make(&l, "undo_send_seconds: 5\n", "theme: dark\n");
	struct config c;
	struct derr e = {0};
	config_defaults(&c);
	ck_assert_int_eq(c.undo_send_seconds, 10);
	config_free(&c);
	int rc = config_load(l.personal, l.db, &c, &e);
	ck_assert_msg(rc == DESK_OK, "%s", e.msg);
	ck_assert_int_eq(c.undo_send_seconds, 5);
	ck_assert_int_eq(c.origin[CFG_UNDO_SEND_SECONDS].from, FROM_TEAM);
	config_free(&c);
	layers_free(&l);

	layers_make(&l, "undo_send_seconds: 5\n", "theme: dark\nundo_send_seconds: 0\n");
	rc = config_load(l.personal, l.db, &c, &e);
	ck_assert_msg(rc == DESK_OK, "%s", e.msg);
	ck_assert_int_eq(c.undo_send_seconds, 0);
	ck_assert_int_eq(c.origin[CFG_UNDO_SEND_SECONDS].from, FROM_PERSONAL);
	ck_assert_int_eq(c.origin[CFG_UNDO_SEND_SECONDS].line, 2);
	config_free(&c);
	layers_free(&l);

	layers_make(&l, NULL, "undo_send_seconds: 600\n");
	ck_assert_int_eq(config_load(l.personal, l.db, &c, &e), DESK_EINVAL);
	ck_assert_msg(strstr(e.msg, "mine.yaml:1:20: ") && strstr(e.msg, "from 0 to 120"), "%s",
		      e.msg);
	config_free(&c);
	layers_free(&l);
}
END_TEST

/* Every policy key in a personal file is refused, naming the file, the
 * line and column, the key and the team file where it belongs. */
static const char *const policy_lines[] = {
	"canned: canned.yaml\n",
	"default_queue: vip\n",
	"allow_solve_unassigned: true\n",
	"agents_may_reassign: true\n",
	"agents_may_bulk_edit: true\n",
	"claim_on_reply: false\n",
	"sla:\n  urgent: {first_response: 1w}\n",
	"business_hours:\n  monday: \"09:00-10:00\"\n",
	"mail:\n  support_address: \"a@example.com\"\n",
};

START_TEST(config_personal_policy_refused)
{
	char *text = xasprintf("theme: default\n%s", policy_lines[_i]);
	struct layers l;
	layers_make(&l, "theme: default\n", text);
	char key[32];
	snprintf(key, sizeof key, "%.*s", (int)strcspn(policy_lines[_i], ":"), policy_lines[_i]);
	struct config c;
	struct derr e = {0};
	ck_assert_int_eq(config_load(l.personal, l.db, &c, &e), DESK_EINVAL);
	char *want = xasprintf("%s:2:1: %s is the team's policy, not a personal setting: it "
			       "belongs in %s, the team's file",
			       l.personal, key, l.team);
	ck_assert_str_eq(e.msg, want);
	free(want);
	/* nothing of it taken: the defaults */
	ck_assert(!c.agents_may_reassign);
	ck_assert(!c.allow_solve_unassigned);
	ck_assert_int_eq(c.sla[PRIO_URGENT].first_response, 3600);
	config_free(&c);
	/* $DESK_CONFIG is a personal file too */
	setenv("DESK_CONFIG", l.personal, 1);
	ck_assert_int_eq(config_load(NULL, l.db, &c, &e), DESK_EINVAL);
	config_free(&c);
	/* with no team file anywhere, the message says where one goes */
	ck_assert_int_eq(unlink(l.team), 0);
	config_system_path = "/nonexistent/desk/config.yaml";
	ck_assert_int_eq(config_load(NULL, l.db, &c, &e), DESK_EINVAL);
	want = xasprintf("%s:2:1: %s is the team's policy, not a personal setting: it belongs "
			 "in the team's file: %s/config.yaml beside the database, or "
			 "/nonexistent/desk/config.yaml",
			 l.personal, key, l.team_dir);
	ck_assert_str_eq(e.msg, want);
	free(want);
	config_free(&c);
	free(text);
	layers_free(&l);
}
END_TEST

START_TEST(config_personal_mistakes)
{
	struct layers l;
	layers_make(&l, "views:\n  - name: billing\n    filter: \"queue:billing\"\n",
		    "views:\n  - name: billing\n    filter: \"queue:vip\"\n");
	struct config c;
	struct derr e = {0};
	ck_assert_int_eq(config_load(l.personal, l.db, &c, &e), DESK_EINVAL);
	char *want = xasprintf("%s:2: view \"billing\" is already one of the team's views "
			       "(%s:2); give yours a name of its own",
			       l.personal, l.team);
	ck_assert_str_eq(e.msg, want);
	free(want);
	ck_assert_uint_eq(c.nviews, 0);
	config_free(&c);
	/* an unknown key lists what a personal file may hold */
	FILE *f = fopen(l.personal, "w");
	fputs("theme: default\ncolour: red\n", f);
	fclose(f);
	ck_assert_int_eq(config_load(l.personal, l.db, &c, &e), DESK_EINVAL);
	want = xasprintf("%s:2:1: unknown key \"colour\" in the top level; expected one of: "
			 "database, theme, keys, themes_dir, views, signature, undo_send_seconds, notify",
			 l.personal);
	ck_assert_str_eq(e.msg, want);
	free(want);
	config_free(&c);
	layers_free(&l);
}
END_TEST

/* A link to the team's database, in a folder of one's own beside a
 * config.yaml of one's own, still gets the team's policy. */
START_TEST(config_team_file_follows_the_real_database)
{
	struct layers l;
	layers_make(&l, "agents_may_reassign: false\n", "theme: default\n");
	char *own = xasprintf("%s/own", l.dir);
	ck_assert_int_eq(mkdir(own, 0700), 0);
	char *link = xasprintf("%s/desk.db", own);
	ck_assert_int_eq(symlink(l.db, link), 0);
	char *forged = write_file(own, "config.yaml", "agents_may_reassign: true\n");
	struct config c;
	struct derr e = {0};
	int rc = config_load(NULL, link, &c, &e);
	ck_assert_msg(rc == DESK_OK, "%s", e.msg);
	ck_assert_str_eq(c.source, l.team);
	ck_assert(!c.agents_may_reassign);
	config_free(&c);
	/* $DESK_DB names the database just as --db does */
	setenv("DESK_DB", link, 1);
	rc = config_load(NULL, NULL, &c, &e);
	ck_assert_msg(rc == DESK_OK, "%s", e.msg);
	ck_assert_str_eq(c.source, l.team);
	ck_assert_int_eq(c.origin[CFG_DATABASE].from, FROM_DB_ENV);
	config_free(&c);
	unsetenv("DESK_DB");
	/* The team's own file named as the personal one is read once, as
	 * the team's (its policy is no personal setting then). */
	rc = config_load(l.team, l.db, &c, &e);
	ck_assert_msg(rc == DESK_OK, "%s", e.msg);
	ck_assert_ptr_null(c.personal);
	ck_assert_str_eq(c.source, l.team);
	config_free(&c);
	/* /etc's database key chooses the database when nothing else does */
	FILE *f = fopen(l.sys, "w");
	fprintf(f, "database: %s\n", l.db);
	fclose(f);
	rc = config_load(l.personal, NULL, &c, &e);
	ck_assert_msg(rc == DESK_OK, "%s", e.msg);
	ck_assert_str_eq(c.db_path, l.db);
	ck_assert_int_eq(c.origin[CFG_DATABASE].from, FROM_SYSTEM);
	ck_assert_str_eq(c.source, l.team);
	config_free(&c);
	free(forged);
	free(link);
	free(own);
	layers_free(&l);
}
END_TEST

START_TEST(config_load_file_resolves_paths)
{
	char *dir = test_tmpdir();
	char *path = write_file(dir, "config.yaml", "database: db/desk.db\nkeys: ../k.yaml\n");
	struct config c;
	struct derr e = {0};
	ck_assert_int_eq(config_load_file(path, &c, &e), DESK_OK);
	char *want = xasprintf("%s/db/desk.db", dir);
	ck_assert_str_eq(c.db_path, want);
	free(want);
	want = xasprintf("%s/../k.yaml", dir);
	ck_assert_str_eq(c.keys_file, want);
	free(want);
	ck_assert_str_eq(c.source, path);
	config_free(&c);
	free(path);
	test_tmpdir_cleanup(&dir);
}
END_TEST

/* --- config.yaml: mistakes --------------------------------------------- */

START_TEST(config_syntax_error)
{
	expect_config_error("theme: default\nsla:\n  urgent: {first_response: 1h\n",
			    "config.yaml:4:1: did not find expected ',' or '}'");
	expect_config_error("theme: default\n  db: x\n",
			    "config.yaml:2:5: mapping values are not allowed in this context");
	expect_config_error("theme: default\n\ttheme2: x\n",
			    "config.yaml:2:1: found a tab character that violates indentation");
}
END_TEST

START_TEST(config_unknown_keys)
{
	expect_config_error("theme: default\ncolour: red\n",
			    "config.yaml:2:1: unknown key \"colour\" in the top level; expected "
			    "one of: database, theme, keys, canned, themes_dir, default_queue, queues, "
			    "allow_solve_unassigned, sla, business_hours, views, mail, "
			    "agents_may_reassign, agents_may_bulk_edit, signature, undo_send_seconds, claim_on_reply, notify, follow_up_rules, surveys, attachments, time_tracking, knowledge_base, report_database");
	expect_config_error("sla:\n  warn_percent: 20\n  critical: {resolution: 1h}\n",
			    "config.yaml:3:3: unknown key \"critical\" in sla; expected one of: "
			    "warn_percent, urgent, high, normal, low, policies");
	expect_config_error("sla:\n  urgent:\n    first_reply: 1h\n",
			    "config.yaml:3:5: unknown key \"first_reply\" in sla.urgent; "
			    "expected one of: first_response, next_response, resolution");
	expect_config_error("business_hours:\n  mon: \"09:00-17:00\"\n",
			    "config.yaml:2:3: unknown key \"mon\" in business_hours; expected "
			    "one of: timezone, monday, tuesday, wednesday, thursday, friday, "
			    "saturday, sunday, holidays");
	expect_config_error("views:\n  - name: a\n    filter: x\n  - name: b\n    order: id\n",
			    "config.yaml:5:5: unknown key \"order\" in views[1]; expected one of: "
			    "name, filter, sort, reverse");
}
END_TEST

START_TEST(config_wrong_types)
{
	expect_config_error("sla: 4h\n",
			    "config.yaml:1:6: expected a mapping of SLA settings, got \"4h\"");
	expect_config_error("sla:\n  high: 4h\n",
			    "config.yaml:2:9: expected a mapping of SLA targets, got \"4h\"");
	expect_config_error("views:\n  name: a\n",
			    "config.yaml:2:3: expected a list of views, got a mapping");
	expect_config_error("theme: [a, b]\n",
			    "config.yaml:1:8: expected a theme name or path, got a sequence");
	expect_config_error("database:\n",
			    "config.yaml:1:10: expected a file path, got an empty value");
	expect_config_error("default_queue: \"\"\n",
			    "config.yaml:1:16: expected a queue name, got \"\"");
	expect_config_error("views:\n  - name: a\n    filter:\n",
			    "config.yaml:3:12: expected a filter like \"status:open queue:billing\", "
			    "got an empty value");
	expect_config_error("- theme: x\n",
			    "config.yaml:1:1: expected a mapping of settings, got a sequence");
	expect_config_error("business_hours: yes\n",
			    "config.yaml:1:17: expected a mapping of business hours, got \"yes\"");
}
END_TEST

START_TEST(config_bad_values)
{
	expect_config_error("sla:\n  urgent: {first_response: 4x}\n",
			    "config.yaml:2:28: expected a duration like 30m, 4h or 2d, got \"4x\"");
	expect_config_error("sla:\n  low:\n    resolution: -1d\n",
			    "config.yaml:3:17: expected a duration like 30m, 4h or 2d, got \"-1d\"");
	expect_config_error("views:\n  - name: a\n    filter: x\n    sort: fastest\n",
			    "config.yaml:4:11: expected urgency, priority, created, updated or id, "
			    "got \"fastest\"");
	expect_config_error("allow_solve_unassigned: maybe\n",
			    "config.yaml:1:25: expected a boolean (true/false/yes/no), "
			    "got \"maybe\"");
	expect_config_error("views:\n  - {name: a, filter: x, reverse: 1}\n",
			    "config.yaml:2:35: expected a boolean (true/false/yes/no), got \"1\"");
	expect_config_error("sla:\n  warn_percent: 100\n",
			    "config.yaml:2:17: expected an integer from 1 to 99, got \"100\"");
	expect_config_error("sla:\n  warn_percent: 0\n",
			    "config.yaml:2:17: expected an integer from 1 to 99, got \"0\"");
	expect_config_error("sla:\n  warn_percent: lots\n",
			    "config.yaml:2:17: expected an integer from 1 to 99, got \"lots\"");
}
END_TEST

START_TEST(config_duplicates)
{
	expect_config_error("theme: dark\ndefault_queue: x\ntheme: light\n",
			    "config.yaml:3:1: duplicate key \"theme\"; first defined on line 1");
	expect_config_error("sla:\n  urgent: {resolution: 1h, resolution: 2h}\n",
			    "config.yaml:2:28: duplicate key \"resolution\"; first defined on line 2");
	expect_config_error("views:\n"
			    "  - name: mine\n"
			    "    filter: \"assignee:me\"\n"
			    "  - name: other\n"
			    "    filter: \"\"\n"
			    "  - name: mine\n"
			    "    filter: \"status:open\"\n",
			    "config.yaml:6:11: duplicate view name \"mine\"; first defined on line 2");
}
END_TEST

START_TEST(config_bad_views)
{
	expect_config_error("views:\n  - name: a\n    sort: id\n",
			    "config.yaml:2:5: missing key \"filter\" in views[0]");
	expect_config_error("views:\n  - filter: x\n",
			    "config.yaml:2:5: missing key \"name\" in views[0]");
	expect_config_error("views:\n  - name: \"\"\n    filter: x\n",
			    "config.yaml:2:11: expected a view name, got \"\"");
	expect_config_error("views:\n  - billing\n",
			    "config.yaml:2:5: expected a mapping with a view's name and filter, "
			    "got \"billing\"");
}
END_TEST

START_TEST(config_bad_business_hours)
{
	expect_config_error("business_hours:\n  holidays: [\"2026-12-25\", \"2026-02-30\"]\n",
			    "config.yaml:2:28: expected a date like 2026-12-25, got \"2026-02-30\"");
	expect_config_error("business_hours:\n  holidays: [\"2026-12-25T00:00:00Z\"]\n",
			    "config.yaml:2:14: expected a date like 2026-12-25, "
			    "got \"2026-12-25T00:00:00Z\"");
	expect_config_error("business_hours:\n  holidays: \"2026-12-25\"\n",
			    "config.yaml:2:13: expected a list of dates like [\"2026-12-25\"], "
			    "got \"2026-12-25\"");
	expect_config_error("business_hours:\n  monday: \"17:30-09:00\"\n",
			    "config.yaml:2:11: expected the closing time after the opening time, "
			    "got \"17:30-09:00\"");
	expect_config_error("business_hours:\n  monday: \"09:00-25:00\"\n",
			    "config.yaml:2:11: expected opening hours like \"09:00-17:30\" or "
			    "\"closed\", got \"09:00-25:00\"");
	expect_config_error("business_hours:\n  monday: 9-5\n",
			    "config.yaml:2:11: expected opening hours like \"09:00-17:30\" or "
			    "\"closed\", got \"9-5\"");
	expect_config_error("business_hours:\n  timezone: UTC\n  sunday: closed\n",
			    "config.yaml:2:3: expected opening hours for at least one day "
			    "(e.g. monday: \"09:00-17:30\"), got every day closed");
}
END_TEST

/* sla.policies narrow a priority's targets; what a policy leaves out is
 * its priority's, even when the priority comes later in the file. */
START_TEST(config_sla_policies)
{
	struct config c;
	struct derr e = {0};
	const char *text = "sla:\n"
			   "  policies:\n"
			   "    - {priority: high, queue: billing, channel: email,\n"
			   "       first_response: 1h, next_response: 4h, resolution: 1d}\n"
			   "    - priority: high\n"
			   "      queue: billing\n"
			   "      resolution: none\n"
			   "    - {priority: urgent, channel: chat, first_response: 10m}\n"
			   "  high: {first_response: 2h}\n";
	ck_assert_int_eq(config_load_string(text, "config.yaml", &c, &e), DESK_OK);
	ck_assert_uint_eq(c.nsla_policies, 3);
	const struct sla_policy *p = c.sla_policies;
	ck_assert_int_eq(p[0].priority, PRIO_HIGH);
	ck_assert_str_eq(p[0].queue, "billing");
	ck_assert_int_eq(p[0].channel, CH_EMAIL);
	ck_assert_int_eq(p[0].target.first_response, 3600);
	ck_assert_int_eq(p[0].target.next_response, 4 * 3600);
	ck_assert_int_eq(p[0].target.resolution, 86400);
	ck_assert_int_eq(p[0].line, 3);
	ck_assert_int_eq(p[1].channel, -1);
	ck_assert_int_eq(p[1].target.first_response, 7200); /* sla.high, read later */
	ck_assert_int_eq(p[1].target.next_response, 8 * 3600); /* the default */
	ck_assert_int_eq(p[1].target.resolution, 0);           /* none */
	ck_assert_int_eq(p[2].priority, PRIO_URGENT);
	ck_assert_ptr_null(p[2].queue);
	ck_assert_int_eq(p[2].channel, CH_CHAT);
	ck_assert_int_eq(p[2].target.first_response, 600);
	ck_assert_int_eq(p[2].target.resolution, 4 * 3600);
	config_free(&c);

	expect_config_error("sla:\n  policies: {priority: high}\n",
			    "config.yaml:2:13: expected a list of SLA policies, got a mapping");
	expect_config_error("sla:\n  policies:\n    - {queue: billing, resolution: 1d}\n",
			    "config.yaml:3:7: missing key \"priority\" in sla.policies[0]");
	expect_config_error("sla:\n  policies:\n    - {priority: high, resolution: 1d}\n",
			    "config.yaml:3:7: sla.policies[0] narrows nothing: give it a queue "
			    "or a channel (sla.high sets the targets of every high ticket)");
	expect_config_error("sla:\n  policies:\n    - {priority: hi, queue: b}\n",
			    "config.yaml:3:18: expected low, normal, high or urgent, got \"hi\"");
	expect_config_error("sla:\n  policies:\n    - {priority: low, channel: fax}\n",
			    "config.yaml:3:32: expected email, phone, chat, web, social or "
			    "walk_in, got \"fax\"");
	expect_config_error("sla:\n  policies:\n    - {priority: low, queue: b, sla: 1h}\n",
			    "config.yaml:3:33: unknown key \"sla\" in sla.policies[0]; expected "
			    "one of: priority, queue, channel, first_response, next_response, "
			    "resolution");
	expect_config_error("sla:\n  policies:\n    - {priority: low, queue: b}\n"
			    "    - {priority: low, queue: b, resolution: 1h}\n",
			    "config.yaml:4:7: sla.policies[1] repeats the policy defined on "
			    "line 3");
	expect_config_error("business_hours:\n  timezone: Europe/Atlantis\n"
			    "  monday: \"09:00-17:00\"\n",
			    "config.yaml:2:13: expected a time zone like Europe/Paris, "
			    "got \"Europe/Atlantis\"");
	expect_config_error("business_hours:\n  timezone: ../../etc/passwd\n",
			    "config.yaml:2:13: expected a time zone like Europe/Paris, "
			    "got \"../../etc/passwd\"");
}
END_TEST

/* --- mail ------------------------------------------------------------- */

START_TEST(config_mail)
{
	struct config c;
	struct derr e = {0};
	/* defaults: no mail out, the system's sendmail, attachments in the DB */
	ck_assert_int_eq(config_load_string("", "config.yaml", &c, &e), DESK_OK);
	ck_assert_ptr_null(c.mail.support_address);
	ck_assert_uint_eq(c.mail.nsendmail, 3);
	ck_assert_str_eq(c.mail.sendmail[0], "/usr/sbin/sendmail");
	ck_assert_str_eq(c.mail.sendmail[1], "-t");
	ck_assert_str_eq(c.mail.sendmail[2], "-oi");
	ck_assert_ptr_null(c.mail.sendmail[3]);
	ck_assert_ptr_null(c.mail.attachments_dir);
	ck_assert(!c.mail.ack_enabled);
	ck_assert_ptr_null(c.mail.default_queue);
	config_free(&c);
	const char *text = "mail:\n"
			   "  support_address: \"Acme Support <help@acme.test>\"\n"
			   "  sendmail: [/usr/sbin/exim4, -C, \"my conf\", -t]\n"
			   "  attachments_dir: files\n"
			   "  acknowledge: {enabled: true, canned: got-it}\n"
			   "  default_queue: inbox\n";
	ck_assert_msg(config_load_string(text, "/etc/desk/config.yaml", &c, &e) == DESK_OK,
		      "%s", e.msg);
	ck_assert_str_eq(c.mail.support_address, "Acme Support <help@acme.test>");
	ck_assert_uint_eq(c.mail.nsendmail, 4);
	ck_assert_str_eq(c.mail.sendmail[2], "my conf");
	ck_assert_ptr_null(c.mail.sendmail[4]);
	ck_assert_str_eq(c.mail.attachments_dir, "/etc/desk/files");
	ck_assert(c.mail.ack_enabled);
	ck_assert_str_eq(c.mail.ack_canned, "got-it");
	ck_assert_str_eq(c.mail.default_queue, "inbox");
	config_free(&c);

	expect_config_error("mail:\n  smtp: localhost\n",
			    "config.yaml:2:3: unknown key \"smtp\" in mail; expected one of: "
			    "support_address, sendmail, attachments_dir, acknowledge, "
			    "default_queue, stranger_tag, sendmail_timeout, reply_by_mail");
	expect_config_error("mail:\n  support_address: help\n",
			    "config.yaml:2:20: expected an address like \"Support "
			    "<help@example.com>\", got \"help\"");
	expect_config_error("mail:\n  support_address: \"a@b\\nBcc: x@y\"\n",
			    "config.yaml:2:20: expected an address like \"Support "
			    "<help@example.com>\", got \"a@b\\nBcc: x@y\"");
	expect_config_error("mail:\n  sendmail: /usr/sbin/sendmail -t\n",
			    "config.yaml:2:13: expected a command as a list like "
			    "[/usr/sbin/sendmail, -t, -oi], got \"/usr/sbin/sendmail -t\"");
	expect_config_error("mail:\n  sendmail: []\n",
			    "config.yaml:2:13: expected a command as a list like "
			    "[/usr/sbin/sendmail, -t, -oi], got an empty list");
	expect_config_error("mail:\n  sendmail: [sendmail, [x]]\n",
			    "config.yaml:2:24: expected a word of the command, got a sequence");
	expect_config_error("mail:\n  acknowledge: {enabled: true}\n",
			    "config.yaml:2:16: missing key \"canned\" in mail.acknowledge: "
			    "which canned response says the mail arrived?");
	expect_config_error("mail:\n  acknowledge: {enabled: maybe, canned: x}\n",
			    "config.yaml:2:26: expected a boolean (true/false/yes/no), "
			    "got \"maybe\"");
}
END_TEST

/* --- the shipped example ----------------------------------------------- */

START_TEST(config_example_loads)
{
	char *path = test_data("../../config.example.yaml");
	struct config c;
	struct derr e = {0};
	ck_assert_msg(config_load_file(path, &c, &e) == DESK_OK, "%s", e.msg);
	ck_assert_str_eq(c.theme, "default");
	ck_assert_str_eq(c.default_queue, "general");
	ck_assert_int_eq(c.sla_warn_percent, 25);
	ck_assert_int_eq(c.sla[PRIO_HIGH].resolution, 86400);
	ck_assert_uint_eq(c.nsla_policies, 2);
	ck_assert_str_eq(c.sla_policies[0].queue, "billing");
	ck_assert_int_eq(c.sla_policies[1].target.first_response, 600);
	ck_assert_int_eq(c.sla_policies[1].target.resolution, 4 * 3600);
	ck_assert(c.hours.enabled);
	ck_assert_int_eq(c.hours.open[1], 9 * 60);
	ck_assert_int_eq(c.hours.open[0], -1);
	ck_assert_uint_eq(c.hours.nholidays, 3);
	ck_assert_uint_eq(c.nviews, 2);
	ck_assert_str_eq(c.views[0].name, "billing-urgent");
	ck_assert_int_eq(c.views[1].sort, SORT_UPDATED);
	ck_assert_ptr_null(c.canned_file); /* commented out: the file is not beside it */
	ck_assert_str_eq(c.mail.support_address, "Example Support <support@example.com>");
	ck_assert_uint_eq(c.mail.nsendmail, 3);
	ck_assert(!c.mail.ack_enabled);
	ck_assert_str_eq(c.mail.ack_canned, "received");
	config_free(&c);
	free(path);
}
END_TEST

/* --- keys.yaml --------------------------------------------------------- */

static int load_keys(const char *text, struct keybind_list *l, struct derr *e, char **dir)
{
	*dir = test_tmpdir();
	char *path = write_file(*dir, "keys.yaml", text);
	int rc = keys_load(path, l, e);
	free(path);
	return rc;
}

START_TEST(keys_file)
{
	struct keybind_list l;
	struct derr e = {0};
	char *dir;
	ck_assert_int_eq(load_keys("global:\n  Q: quit\n  C-l: redraw\n"
				   "queue:\n  j: next\n  d: none\n"
				   "prompt: {}\n",
				   &l, &e, &dir),
			 DESK_OK);
	ck_assert_uint_eq(l.n, 4);
	ck_assert_str_eq(l.v[0].context, "global");
	ck_assert_str_eq(l.v[0].key, "Q");
	ck_assert_str_eq(l.v[0].action, "quit");
	ck_assert_int_eq(l.v[0].line, 2);
	ck_assert_int_eq(l.v[0].col, 3);
	ck_assert_str_eq(l.v[1].key, "C-l");
	ck_assert_str_eq(l.v[2].context, "queue");
	ck_assert_str_eq(l.v[2].key, "j");
	ck_assert_str_eq(l.v[2].action, "next");
	ck_assert_int_eq(l.v[2].line, 5);
	ck_assert_str_eq(l.v[3].action, "none");
	ck_assert_ptr_nonnull(strstr(l.path, "keys.yaml"));
	keybind_list_free(&l);
	test_tmpdir_cleanup(&dir);

	ck_assert_int_eq(load_keys("", &l, &e, &dir), DESK_OK);
	ck_assert_uint_eq(l.n, 0);
	keybind_list_free(&l);
	test_tmpdir_cleanup(&dir);
}
END_TEST

static void expect_keys_error(const char *text, const char *msg_after_path)
{
	struct keybind_list l;
	struct derr e = {0};
	char *dir;
	ck_assert_int_eq(load_keys(text, &l, &e, &dir), DESK_EINVAL);
	char *want = xasprintf("%s/keys.yaml:%s", dir, msg_after_path);
	ck_assert_str_eq(e.msg, want);
	ck_assert_uint_eq(l.n, 0);
	ck_assert_ptr_null(l.v);
	free(want);
	keybind_list_free(&l);
	test_tmpdir_cleanup(&dir);
}

START_TEST(keys_file_errors)
{
	expect_keys_error("global:\n  q: quit\nticket:\n  r: reply\n",
			  "3:1: unknown context \"ticket\"; expected one of: global, queue, "
			  "conversation, history, prompt");
	expect_keys_error("queue:\n  j: [next, {a: b}]\n",
			  "2:13: expected an action name (with its argument), got a mapping");
	expect_keys_error("queue:\n  j: {a: b}\n",
			  "2:6: expected an action name (with its argument), a list of them, or "
			  "none, got a mapping");
	expect_keys_error("queue:\n  j:\n",
			  "2:5: expected an action name (with its argument), a list of them, or "
			  "none, got an empty value");
	expect_keys_error("queue:\n  \"\": next\n", "2:3: expected a key like j, C-d or Enter, got \"\"");
	expect_keys_error("queue: [j, k]\n",
			  "1:8: expected a mapping of keys to actions, got a sequence");
	expect_keys_error("queue:\n  j: next\n  j: prev\n",
			  "3:3: duplicate key \"j\"; first defined on line 2");
	expect_keys_error("- queue\n",
			  "1:1: expected a mapping of contexts (global, queue, ...), got a sequence");
}
END_TEST

/* --- canned.yaml ------------------------------------------------------- */

START_TEST(canned_example_file)
{
	char *path = test_data("canned.yaml");
	struct canned_list l;
	struct derr e = {0};
	ck_assert_msg(canned_load(path, &l, &e) == DESK_OK, "%s", e.msg);
	ck_assert_uint_eq(l.n, 6);
	const char *names[] = {"greeting",	 "refund-approved", "need-more-info",
			       "password-reset", "shipping-delay",  "escalation-note"};
	for (size_t i = 0; i < l.n; i++) {
		ck_assert_str_eq(l.v[i].name, names[i]);
		ck_assert(!str_empty(l.v[i].title));
		ck_assert(!str_empty(l.v[i].body));
	}
	const struct canned *g = &l.v[0];
	ck_assert_ptr_nonnull(strstr(g->body, "Hi {{customer.first_name}},\n"));
	ck_assert_int_eq(g->set_status, -1);
	ck_assert_int_eq(g->set_priority, -1);
	ck_assert_uint_eq(g->nadd_tags, 0);
	const struct canned *r = &l.v[1];
	ck_assert_int_eq(r->set_status, ST_SOLVED);
	ck_assert_int_eq(r->set_priority, -1);
	ck_assert_uint_eq(r->nadd_tags, 1);
	ck_assert_str_eq(r->add_tags[0], "refund");
	ck_assert_ptr_null(r->add_tags[1]);
	ck_assert_int_eq(l.v[2].set_status, ST_PENDING);
	ck_assert_int_eq(l.v[5].set_priority, PRIO_HIGH);
	ck_assert_ptr_nonnull(strstr(l.v[5].body, "{{ticket.id}}"));
	ck_assert_int_gt(r->line, g->line);
	canned_list_free(&l);
	free(path);
}
END_TEST

static void expect_canned_error(const char *text, const char *msg_after_path)
{
	char *dir = test_tmpdir();
	char *path = write_file(dir, "canned.yaml", text);
	struct canned_list l;
	struct derr e = {0};
	ck_assert_int_eq(canned_load(path, &l, &e), DESK_EINVAL);
	char *want = xasprintf("%s:%s", path, msg_after_path);
	ck_assert_str_eq(e.msg, want);
	ck_assert_uint_eq(l.n, 0);
	free(want);
	free(path);
	canned_list_free(&l);
	test_tmpdir_cleanup(&dir);
}

START_TEST(canned_file_errors)
{
	/* Without a body it must change something (a macro). */
	expect_canned_error("- name: hi\n  title: Hello\n  body: Hi!\n"
			    "- name: bye\n  title: Goodbye\n",
			    "4:3: canned[1] has neither a body nor fields to set");
	expect_canned_error("- name: bye\n  body: Goodbye\n", "1:3: missing key \"title\" in canned[0]");
	expect_canned_error("- name: hi\n  title: Hello\n  body: Hi!\n  set:\n    status: done\n",
			    "5:13: expected new, open, pending, on_hold, solved or closed, "
			    "got \"done\"");
	expect_canned_error("- name: hi\n  title: Hello\n  body: Hi!\n  set: {priority: p1}\n",
			    "4:19: expected low, normal, high or urgent, got \"p1\"");
	expect_canned_error("- name: hi\n  title: Hello\n  body: Hi!\n  set: {owner: me}\n",
			    "4:9: unknown key \"owner\" in canned[0].set; expected one of: "
			    "status, priority, tags, remove_tags, assignee, queue");
	expect_canned_error("- name: hi\n  title: Hello\n  set: {assignee: bob smith}\n",
			    "3:19: expected an agent's login, me or none, got \"bob smith\"");
	expect_canned_error("- name: hi\n  title: Hello\n  set: {queue: Billing Dept}\n",
			    "3:16: expected a queue name (" LABEL_RULE "), got \"Billing Dept\"");
	expect_canned_error("- name: hi\n  title: Hello\n  set: {remove_tags: [ok, \"Not OK\"]}\n",
			    "3:27: expected a tag name (" LABEL_RULE "), got \"Not OK\"");
	expect_canned_error("- name: hi\n  title: Hello\n  text: Hi!\n",
			    "3:3: unknown key \"text\" in canned[0]; expected one of: name, title, "
			    "body, set");
	expect_canned_error("- name: hi\n  title: Hello\n  body: Hi!\n"
			    "- name: hi\n  title: Again\n  body: Hi again!\n",
			    "4:9: duplicate canned response name \"hi\"; first defined on line 1");
	expect_canned_error("- name: hi\n  title: Hello\n  body: Hi!\n  set: {tags: [a b]}\n",
			    "4:16: expected a tag name (" LABEL_RULE "), got \"a b\"");
	expect_canned_error("- name: hi\n  title: Hello\n  body:\n",
			    "3:8: expected the text of the reply, got an empty value");
	expect_canned_error("name: hi\n",
			    "1:1: expected a list of canned responses, got a mapping");
}
END_TEST

/* "~" in the team's file is its owner's home, not that of whoever runs
 * desk (an agent's $HOME would choose the team's canned responses). */
START_TEST(team_tilde_is_the_owners_home)
{
	char *dir = test_tmpdir();
	char *team = write_file(dir, "config.yaml", "canned: ~/canned.yaml\n");
	char *old = getenv("HOME") ? xstrdup(getenv("HOME")) : NULL;
	setenv("HOME", "/home/an-agent", 1);
	struct config c;
	struct derr e = {0};
	ck_assert_msg(config_load_file(team, &c, &e) == DESK_OK, "%s", e.msg);
	struct passwd *pw = getpwuid(getuid());
	ck_assert_ptr_nonnull(pw);
	char *want = xasprintf("%s/canned.yaml", pw->pw_dir);
	ck_assert_str_eq(c.canned_file, want);
	free(want);
	config_free(&c);
	if (old)
		setenv("HOME", old, 1);
	else
		unsetenv("HOME");
	free(old);
	free(team);
	test_tmpdir_cleanup(&dir);
}
END_TEST

Suite *suite_config(void)
{
	Suite *s = suite_create("config");
	TCase *t = tcase_create("yamldoc");
	tcase_add_test(t, ydoc_builds_located_tree);
	tcase_add_test(t, ydoc_empty_documents);
	tcase_add_test(t, ydoc_refuses);
	tcase_add_test(t, team_tilde_is_the_owners_home);
	tcase_add_test(t, ydoc_missing_file);
	tcase_add_test(t, ydoc_typed_readers);
	suite_add_tcase(s, t);

	t = tcase_create("config");
	/* Tests here change the environment; without fork it must be put back. */
	tcase_add_checked_fixture(t, env_save, env_restore);
	tcase_add_test(t, config_full_file);
	tcase_add_test(t, config_defaults_and_empty_file);
	tcase_add_test(t, config_search_order);
	tcase_add_test(t, config_layers_team_and_personal);
	tcase_add_test(t, config_undo_send_seconds_layers);
	tcase_add_loop_test(t, config_personal_policy_refused, 0, (int)ARRAY_LEN(policy_lines));
	tcase_add_test(t, config_personal_mistakes);
	tcase_add_test(t, config_team_file_follows_the_real_database);
	tcase_add_test(t, config_load_file_resolves_paths);
	tcase_add_test(t, config_syntax_error);
	tcase_add_test(t, config_unknown_keys);
	tcase_add_test(t, config_wrong_types);
	tcase_add_test(t, config_bad_values);
	tcase_add_test(t, config_duplicates);
	tcase_add_test(t, config_bad_views);
	tcase_add_test(t, config_bad_business_hours);
	tcase_add_test(t, config_sla_policies);
	tcase_add_test(t, config_mail);
	tcase_add_test(t, config_example_loads);
	suite_add_tcase(s, t);

	t = tcase_create("keys_canned");
	tcase_add_test(t, keys_file);
	tcase_add_test(t, keys_file_errors);
	tcase_add_test(t, canned_example_file);
	tcase_add_test(t, canned_file_errors);
	suite_add_tcase(s, t);
	return s;
}
