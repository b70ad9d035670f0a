/* test_time.c: time spent on tickets: durations read and written, the
 * console's stopwatch driven by a fake clock (pauses when the agent
 * leaves the ticket or is idle), entries logged and refused, time sent
 * with a reply (undo not blocked by it), and desk report's figures
 * worked out by hand. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/tui/stopwatch.h"
#include "config.h"
#include "core.h"
#include "report.h"
#include "testlib.h"
#include "util.h"

#define T0 1800000000LL
#define HOUR 3600LL
#define DAY 86400LL
#define MIN_MS 60000LL

/* --- durations -------------------------------------------------------- */

START_TEST(durations_read)
{
	int64_t s = 0;
	ck_assert(duration_parse("15m", &s) && s == 900);
	ck_assert(duration_parse("1h30m", &s) && s == 5400);
	ck_assert(duration_parse("90s", &s) && s == 90);
	ck_assert(duration_parse("4m12s", &s) && s == 252);
	static const char *const bad[] = {"", "15", "m", "0m", "1.5h", "-5m", "15 m", "5x"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(!duration_parse(bad[i], &s), "\"%s\" was read", bad[i]);
}
END_TEST

START_TEST(durations_written)
{
	char b[32];
	static const struct {
		int64_t s;
		const char *want;
	} cases[] = {{0, "0s"},	     {45, "45s"},     {60, "1m"},     {252, "4m12s"},
		     {5400, "1h30m"}, {7205, "2h5s"}, {86400, "24h"}, {3661, "1h1m1s"}};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		time_format_duration(cases[i].s, b, sizeof b);
		ck_assert_str_eq(b, cases[i].want);
		int64_t back = 0;
		ck_assert(cases[i].s == 0 || (duration_parse(b, &back) && back == cases[i].s));
	}
}
END_TEST

/* --- the stopwatch, on a fake clock ------------------------------------ */

START_TEST(stopwatch_runs_pauses_and_resumes)
{
	struct stopwatch sw;
	stopwatch_init(&sw, 5 * MIN_MS);
	ck_assert_int_eq(stopwatch_ms(&sw, 1, 0), 0);
	stopwatch_touch(&sw, 1, 0); /* ticket 1 opened at 0 */
	stopwatch_touch(&sw, 1, MIN_MS);
	ck_assert_int_eq(stopwatch_ms(&sw, 1, MIN_MS), MIN_MS);
	/* reading with no key for 30 s: still running */
	ck_assert_int_eq(stopwatch_ms(&sw, 1, MIN_MS + 30000), MIN_MS + 30000);
	/* ten minutes without a key: it stopped after the idle 5 */
	ck_assert_int_eq(stopwatch_ms(&sw, 1, 11 * MIN_MS), 6 * MIN_MS);
	/* a key then, on ticket 2: ticket 1 keeps its 6 min, paused */
	stopwatch_touch(&sw, 2, 11 * MIN_MS);
	ck_assert_int_eq(stopwatch_ms(&sw, 1, 20 * MIN_MS), 6 * MIN_MS);
	ck_assert_int_eq(stopwatch_ms(&sw, 2, 13 * MIN_MS), 2 * MIN_MS);
	/* back to ticket 1 after 2 min on ticket 2: it goes on from 6 */
	stopwatch_touch(&sw, 1, 13 * MIN_MS);
	ck_assert_int_eq(stopwatch_ms(&sw, 2, 14 * MIN_MS), 2 * MIN_MS);
	ck_assert_int_eq(stopwatch_ms(&sw, 1, 14 * MIN_MS), 7 * MIN_MS);
	/* recorded: ticket 1 starts from nothing, ticket 2 keeps its time */
	stopwatch_reset(&sw, 1, 14 * MIN_MS);
	ck_assert_int_eq(stopwatch_ms(&sw, 1, 14 * MIN_MS), 0);
	ck_assert_int_eq(stopwatch_ms(&sw, 1, 15 * MIN_MS), MIN_MS);
	ck_assert_int_eq(stopwatch_ms(&sw, 2, 15 * MIN_MS), 2 * MIN_MS);
	/* no ticket shown (the queue empty): nobody's clock runs */
	stopwatch_touch(&sw, 0, 15 * MIN_MS);
	ck_assert_int_eq(stopwatch_ms(&sw, 1, 30 * MIN_MS), MIN_MS);
	ck_assert_int_eq(stopwatch_ms(&sw, 0, 30 * MIN_MS), 0);
	stopwatch_touch(&sw, 1, 30 * MIN_MS);
	ck_assert_int_eq(stopwatch_ms(&sw, 1, 30 * MIN_MS), MIN_MS);
	/* a clock going backwards adds nothing */
	stopwatch_touch(&sw, 1, 29 * MIN_MS);
	ck_assert_int_eq(stopwatch_ms(&sw, 1, 30 * MIN_MS), MIN_MS);
}
END_TEST

START_TEST(stopwatch_editor_counts_as_work)
{
	/* The editor touches every 100 ms: 20 minutes in it, 20 minutes
	 * counted though no key was pressed and idle is 5. */
	struct stopwatch sw;
	stopwatch_init(&sw, 5 * MIN_MS);
	stopwatch_touch(&sw, 7, 0);
	for (int64_t t = 100; t <= 20 * MIN_MS; t += 100)
		stopwatch_touch(&sw, 7, t);
	ck_assert_int_eq(stopwatch_ms(&sw, 7, 20 * MIN_MS), 20 * MIN_MS);
}
END_TEST

START_TEST(stopwatch_forgets_the_least_recent)
{
	struct stopwatch sw;
	stopwatch_init(&sw, 5 * MIN_MS);
	int64_t t = 0;
	stopwatch_touch(&sw, 1, t);
	for (int64_t id = 2; id <= STOPWATCH_SLOTS + 1; id++) {
		t += 1000;
		stopwatch_touch(&sw, id, t); /* a second on each ticket */
	}
	t += 1000;
	stopwatch_touch(&sw, 1, t);
	/* 33 tickets timed: the first went to make room, the others stay */
	ck_assert_int_eq(stopwatch_ms(&sw, 2, t), 1000);
	ck_assert_int_eq(stopwatch_ms(&sw, STOPWATCH_SLOTS + 1, t), 1000);
	ck_assert_int_eq(stopwatch_ms(&sw, 1, t), 0);
}
END_TEST

/* --- entries ------------------------------------------------------------ */

struct tfx {
	char *dir, *path;
	struct config cfg;
	struct desk d;
};

static void tfx_open(struct tfx *x)
{
	struct derr e = {0};
	test_set_now(T0);
	x->dir = test_tmpdir();
	x->path = test_db_path(x->dir);
	config_defaults(&x->cfg);
	ck_assert_int_eq(desk_init(&x->d, x->path, &x->cfg, "tester", &e), DESK_OK);
	ck_assert_int_eq(core_agent_add(&x->d, "bob", "Bob", ROLE_AGENT, &e), DESK_OK);
}

static void tfx_close(struct tfx *x)
{
	desk_close(&x->d);
	config_free(&x->cfg);
	test_db_drop(&x->path);
	test_tmpdir_cleanup(&x->dir);
	unsetenv("DESK_NOW");
}

static int64_t ticket_in(struct tfx *x, const char *queue, enum channel ch)
{
	struct derr e = {0};
	struct new_ticket nt;
	new_ticket_init(&nt);
	nt.subject = "Printer on fire";
	nt.body = "Help";
	nt.customer_email = "ann@example.com";
	nt.queue = queue;
	nt.channel = ch;
	nt.assignee = "tester";
	int64_t id = 0;
	ck_assert_int_eq(core_ticket_new(&x->d, &nt, &id, &e), DESK_OK);
	return id;
}

static int log_at(struct tfx *x, int64_t id, int64_t at, int64_t secs, const char *agent,
		  struct derr *e)
{
	test_set_now(at);
	struct time_log tl = {.seconds = secs, .agent = agent};
	return core_time_log(&x->d, id, &tl, e);
}

static char *last_event(struct tfx *x, int64_t id)
{
	struct derr e = {0};
	struct event_list l = {0};
	ck_assert_int_eq(store_events(x->d.st, id, &l, &e), DESK_OK);
	ck_assert_uint_gt(l.n, 0);
	char *s = xasprintf("%s %s", l.v[l.n - 1].action, l.v[l.n - 1].new_value);
	event_list_free(&l);
	return s;
}

START_TEST(entries_logged_and_audited)
{
	struct tfx x;
	tfx_open(&x);
	struct derr e = {0};
	int64_t id = ticket_in(&x, NULL, CH_EMAIL);
	struct time_log tl = {.seconds = 900, .note = "called back"};
	ck_assert_int_eq(core_time_log(&x.d, id, &tl, &e), DESK_OK);
	char *ev = last_event(&x, id);
	ck_assert_str_eq(ev, "time 15m manual: called back");
	free(ev);
	/* an admin logs for another agent; the event says for whom */
	ck_assert_int_eq(log_at(&x, id, T0 + 60, 90, "bob", &e), DESK_OK);
	ev = last_event(&x, id);
	ck_assert_str_eq(ev, "time 1m30s manual for bob");
	free(ev);
	struct time_entry_list l = {0};
	ck_assert_int_eq(store_time_entries(x.d.st, id, &l, &e), DESK_OK);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_str_eq(l.v[0].agent_login, "tester");
	ck_assert_str_eq(l.v[0].note, "called back");
	ck_assert(!l.v[0].measured);
	ck_assert_int_eq(l.v[0].created_at, T0);
	ck_assert_str_eq(l.v[1].agent_login, "bob");
	ck_assert_ptr_null(l.v[1].note);
	time_entry_list_free(&l);
	int64_t total = 0;
	ck_assert_int_eq(store_time_total(x.d.st, id, &total, &e), DESK_OK);
	ck_assert_int_eq(total, 990);
	/* logging time changes nothing of the ticket */
	struct ticket t;
	ck_assert_int_eq(store_ticket_get(x.d.st, id, &t, &e), DESK_OK);
	ck_assert_int_eq(t.updated_at, T0);
	ticket_free(&t);
	tfx_close(&x);
}
END_TEST

START_TEST(entries_refused_store_nothing)
{
	struct tfx x;
	tfx_open(&x);
	struct derr e = {0};
	int64_t id = ticket_in(&x, NULL, CH_EMAIL);
	struct time_log tl = {.seconds = 0};
	ck_assert_int_eq(core_time_log(&x.d, id, &tl, &e), DESK_EINVAL);
	tl.seconds = TIME_ENTRY_MAX + 1;
	ck_assert_int_eq(core_time_log(&x.d, id, &tl, &e), DESK_EINVAL);
	ck_assert_msg(strstr(e.msg, "more than one entry may hold (24h)"), "%s", e.msg);
	tl.seconds = 60;
	tl.note = "two\nlines";
	ck_assert_int_eq(core_time_log(&x.d, id, &tl, &e), DESK_EINVAL);
	tl.note = "esc \x1b[2J";
	ck_assert_int_eq(core_time_log(&x.d, id, &tl, &e), DESK_EINVAL);
	ck_assert_msg(strstr(e.msg, "one line of plain text"), "%s", e.msg);
	tl.note = NULL;
	tl.agent = "nobody";
	ck_assert_int_eq(core_time_log(&x.d, id, &tl, &e), DESK_ENOTFOUND);
	ck_assert_msg(strstr(e.msg, "no agent \"nobody\""), "%s", e.msg);
	tl.agent = NULL;
	ck_assert_int_eq(core_time_log(&x.d, 999, &tl, &e), DESK_ENOTFOUND);
	/* an agent may not log another's time */
	struct desk bob;
	ck_assert_int_eq(desk_open(&bob, x.path, &x.cfg, "bob", 0, &e), DESK_OK);
	tl.agent = "tester";
	ck_assert_int_eq(core_time_log(&bob, id, &tl, &e), DESK_EDENIED);
	tl.agent = NULL;
	ck_assert_int_eq(core_time_log(&bob, id, &tl, &e), DESK_OK);
	desk_close(&bob);
	int64_t total = 0;
	ck_assert_int_eq(store_time_total(x.d.st, id, &total, &e), DESK_OK);
	ck_assert_int_eq(total, 60); /* bob's own minute only */
	tfx_close(&x);
}
END_TEST

START_TEST(time_sent_with_a_reply)
{
	struct tfx x;
	tfx_open(&x);
	struct derr e = {0};
	int64_t id = ticket_in(&x, NULL, CH_PHONE);
	struct field_change ch[] = {{FIELD_STATUS, "pending"}};
	struct time_log tl = {.seconds = 252, .measured = true};
	int64_t msg = 0;
	test_set_now(T0 + 300);
	ck_assert_int_eq(core_post_with(&x.d, id, MSG_REPLY, "Done.", &(struct post_extras){.time = &tl},
					ch, 1, &msg, &e),
			 DESK_OK);
	struct time_entry_list l = {0};
	ck_assert_int_eq(store_time_entries(x.d.st, id, &l, &e), DESK_OK);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_int_eq(l.v[0].message_id, msg);
	ck_assert(l.v[0].measured);
	ck_assert_int_eq(l.v[0].seconds, 252);
	time_entry_list_free(&l);
	/* the time in the change does not stop `u` taking back its status */
	struct undo_result r;
	ck_assert_msg(core_undo(&x.d, &r, &e) == DESK_OK, "%s", e.msg);
	undo_result_free(&r);
	struct ticket t;
	ck_assert_int_eq(store_ticket_get(x.d.st, id, &t, &e), DESK_OK);
	ck_assert_int_eq(t.status, ST_OPEN);
	ticket_free(&t);
	/* a bad time stores neither the reply nor the time */
	int64_t before = 0, after = 0;
	ck_assert_int_eq(store_message_count(x.d.st, id, MSG_REPLY, &before, &e), DESK_OK);
	tl.note = "bad\x07";
	ck_assert_int_eq(core_post_with(&x.d, id, MSG_REPLY, "Again.", &(struct post_extras){.time = &tl},
					NULL, 0, &msg, &e),
			 DESK_EINVAL);
	ck_assert_int_eq(store_message_count(x.d.st, id, MSG_REPLY, &after, &e), DESK_OK);
	ck_assert_int_eq(after, before);
	int64_t total = 0;
	ck_assert_int_eq(store_time_total(x.d.st, id, &total, &e), DESK_OK);
	ck_assert_int_eq(total, 252);
	tfx_close(&x);
}
END_TEST

/* --- the report's figures, by hand ------------------------------------- */

static const struct time_group *group(const struct time_groups *g, const char *key)
{
	for (size_t i = 0; i < g->n; i++)
		if ((!key && !g->v[i].key) || (key && g->v[i].key && strcmp(g->v[i].key, key) == 0))
			return &g->v[i];
	ck_abort_msg("no group %s", key ? key : "(total)");
	return NULL;
}

static void expect(const struct time_groups *g, const char *key, int64_t tickets,
		   int64_t entries, int64_t secs, double median)
{
	const struct time_group *x = group(g, key);
	ck_assert_int_eq(x->tickets, tickets);
	ck_assert_int_eq(x->entries, entries);
	ck_assert_int_eq(x->seconds, secs);
	ck_assert_msg(fabs(x->median - median) < 0.001, "%s: median %f, want %f",
		      key ? key : "total", x->median, median);
}

START_TEST(report_figures_by_hand)
{
	struct tfx x;
	tfx_open(&x);
	struct derr e = {0};
	int64_t a = ticket_in(&x, "general", CH_EMAIL);
	int64_t b = ticket_in(&x, "billing", CH_PHONE);
	int64_t c = ticket_in(&x, "billing", CH_EMAIL);
	/* In the period [T0 - 1d, T0 + 1d):
	 *   A (general, email): tester 10m, bob 5m       -> 900
	 *   B (billing, phone): tester 30m               -> 1800
	 *   C (billing, email): tester 2m                -> 120
	 * and before it, on C: tester 1h (not counted). */
	ck_assert_int_eq(log_at(&x, a, T0, 600, NULL, &e), DESK_OK);
	ck_assert_int_eq(log_at(&x, a, T0 + 10, 300, "bob", &e), DESK_OK);
	ck_assert_int_eq(log_at(&x, b, T0 + HOUR, 1800, NULL, &e), DESK_OK);
	ck_assert_int_eq(log_at(&x, c, T0 + 2 * HOUR, 120, NULL, &e), DESK_OK);
	ck_assert_int_eq(log_at(&x, c, T0 - 2 * DAY, 3600, NULL, &e), DESK_OK);
	test_set_now(T0 + 3 * HOUR);

	struct report_opts o = {.since = T0 - DAY, .until = T0 + DAY};
	struct metrics m;
	ck_assert_int_eq(core_report_open(&x.d, &o, &m, &e), DESK_OK);
	struct time_groups g;
	/* per-ticket sums 120, 900, 1800: median the middle one */
	ck_assert_int_eq(core_report_time(&x.d, &m, TIME_BY_ALL, &g, &e), DESK_OK);
	ck_assert_uint_eq(g.n, 1);
	expect(&g, NULL, 3, 4, 2820, 900);
	time_groups_free(&g);
	/* bob: A 300; tester: 120, 600, 1800 */
	ck_assert_int_eq(core_report_time(&x.d, &m, TIME_BY_AGENT, &g, &e), DESK_OK);
	ck_assert_uint_eq(g.n, 2);
	expect(&g, "bob", 1, 1, 300, 300);
	expect(&g, "tester", 3, 3, 2520, 600);
	time_groups_free(&g);
	/* billing: 120 and 1800, median their mean 960; general: 900 */
	ck_assert_int_eq(core_report_time(&x.d, &m, TIME_BY_QUEUE, &g, &e), DESK_OK);
	expect(&g, "billing", 2, 2, 1920, 960);
	expect(&g, "general", 1, 2, 900, 900);
	time_groups_free(&g);
	/* email: 120 and 900, median 510; phone: 1800 */
	ck_assert_int_eq(core_report_time(&x.d, &m, TIME_BY_CHANNEL, &g, &e), DESK_OK);
	expect(&g, "email", 2, 3, 1020, 510);
	expect(&g, "phone", 1, 1, 1800, 1800);
	time_groups_free(&g);
	char *json = NULL;
	ck_assert_int_eq(core_report_json(&x.d, &m, &json, &e), DESK_OK);
	ck_assert_msg(strstr(json, "\"time_spent\":{\"total\":{\"tickets\":3,\"entries\":4,"
				   "\"seconds\":2820,\"median_per_ticket_seconds\":900.0}"),
		      "%s", json);
	free(json);
	core_report_close(&x.d, &m);
	/* an empty period: nothing, and a total of zero in the JSON */
	o.since = T0 + 10 * DAY;
	o.until = T0 + 11 * DAY;
	ck_assert_int_eq(core_report_open(&x.d, &o, &m, &e), DESK_OK);
	ck_assert_int_eq(core_report_time(&x.d, &m, TIME_BY_ALL, &g, &e), DESK_OK);
	ck_assert_uint_eq(g.n, 0);
	time_groups_free(&g);
	ck_assert_int_eq(core_report_json(&x.d, &m, &json, &e), DESK_OK);
	ck_assert_msg(strstr(json, "\"time_spent\":{\"total\":{\"tickets\":0,\"entries\":0,"
				   "\"seconds\":0},\"by_agent\":[]"),
		      "%s", json);
	free(json);
	core_report_close(&x.d, &m);
	tfx_close(&x);
}
END_TEST

/* The time figures in the report's JSON, read the same byte for byte
 * on either engine (SQLite's number format, no spaces, a NULL key left
 * out), added to the document given. */
START_TEST(report_json_the_same_on_every_engine)
{
	struct tfx x;
	tfx_open(&x);
	struct derr e = {0};
	int64_t a = ticket_in(&x, "general", CH_EMAIL);
	int64_t b = ticket_in(&x, "billing", CH_PHONE);
	int64_t c = ticket_in(&x, "billing", CH_EMAIL);
	ck_assert_int_eq(log_at(&x, a, T0, 600, NULL, &e), DESK_OK);
	ck_assert_int_eq(log_at(&x, a, T0 + 10, 300, "bob", &e), DESK_OK);
	ck_assert_int_eq(log_at(&x, b, T0 + HOUR, 1800, NULL, &e), DESK_OK);
	ck_assert_int_eq(log_at(&x, c, T0 + 2 * HOUR, 125, NULL, &e), DESK_OK);
	char *json = NULL;
	ck_assert_int_eq(store_time_report_json(x.d.st, T0 - DAY, T0 + DAY, "{\"period\":\"p\"}",
						&json, &e),
			 DESK_OK);
	ck_assert_str_eq(json,
			 "{\"period\":\"p\",\"time_spent\":{"
			 "\"total\":{\"tickets\":3,\"entries\":4,\"seconds\":2825,"
			 "\"median_per_ticket_seconds\":900.0},"
			 "\"by_agent\":[{\"key\":\"bob\",\"tickets\":1,\"entries\":1,\"seconds\":300,"
			 "\"median_per_ticket_seconds\":300.0},"
			 "{\"key\":\"tester\",\"tickets\":3,\"entries\":3,\"seconds\":2525,"
			 "\"median_per_ticket_seconds\":600.0}],"
			 "\"by_queue\":[{\"key\":\"billing\",\"tickets\":2,\"entries\":2,\"seconds\":1925,"
			 "\"median_per_ticket_seconds\":962.5},"
			 "{\"key\":\"general\",\"tickets\":1,\"entries\":2,\"seconds\":900,"
			 "\"median_per_ticket_seconds\":900.0}],"
			 "\"by_channel\":[{\"key\":\"email\",\"tickets\":2,\"entries\":3,\"seconds\":1025,"
			 "\"median_per_ticket_seconds\":512.5},"
			 "{\"key\":\"phone\",\"tickets\":1,\"entries\":1,\"seconds\":1800,"
			 "\"median_per_ticket_seconds\":1800.0}]}}");
	free(json);
	/* an empty period: a total of zero and empty lists */
	ck_assert_int_eq(store_time_report_json(x.d.st, T0 + DAY, T0 + 2 * DAY, "{}", &json, &e),
			 DESK_OK);
	ck_assert_str_eq(json, "{\"time_spent\":{\"total\":{\"tickets\":0,\"entries\":0,"
			       "\"seconds\":0},\"by_agent\":[],\"by_queue\":[],\"by_channel\":[]}}");
	free(json);
	tfx_close(&x);
}
END_TEST

Suite *suite_time(void)
{
	Suite *s = suite_create("time");
	TCase *tc = tcase_create("clock");
	tcase_add_test(tc, durations_read);
	tcase_add_test(tc, durations_written);
	tcase_add_test(tc, stopwatch_runs_pauses_and_resumes);
	tcase_add_test(tc, stopwatch_editor_counts_as_work);
	tcase_add_test(tc, stopwatch_forgets_the_least_recent);
	suite_add_tcase(s, tc);
	tc = tcase_create("entries");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, entries_logged_and_audited);
	tcase_add_test(tc, entries_refused_store_nothing);
	tcase_add_test(tc, time_sent_with_a_reply);
	tcase_add_test(tc, report_figures_by_hand);
	tcase_add_test(tc, report_json_the_same_on_every_engine);
	suite_add_tcase(s, tc);
	return s;
}
