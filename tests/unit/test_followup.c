/* test_followup.c: "until" times as people write them (hand-worked
 * against a fixed clock and TZ), follow-up times on pending and on_hold
 * tickets (set, refused, cleared, audited, undone) and the follow-up
 * view. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../src/tui/actions.h"
#include "config.h"
#include "core.h"
#include "testlib.h"
#include "util.h"

/* Fri 15 Jan 2027 08:00:00 UTC */
#define T0 1800000000LL
#define HOUR 3600LL
#define DAY 86400LL

static void set_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

static int64_t when(const char *text, int64_t now)
{
	int64_t t = 0;
	const char *why = when_parse(text, now, &t);
	ck_assert_msg(why == NULL, "\"%s\": %s", text, why ? why : "");
	return t;
}

START_TEST(when_spans_and_days_utc)
{
	set_tz("UTC");
	ck_assert_int_eq(when("3d", T0), T0 + 3 * DAY);
	ck_assert_int_eq(when("4h", T0), T0 + 4 * HOUR);
	ck_assert_int_eq(when("1h30m", T0), T0 + 90 * 60);
	/* Sat 16 Jan 09:00 */
	ck_assert_int_eq(when("tomorrow", T0), 1800090000LL);
	ck_assert_int_eq(when("tomorrow 14:30", T0), 1800090000LL + 5 * HOUR + 1800);
	ck_assert_int_eq(when("today 17:00", T0), T0 + 9 * HOUR);
	/* Mon 18 Jan 09:00, with or without "next", any case */
	ck_assert_int_eq(when("next monday", T0), 1800262800LL);
	ck_assert_int_eq(when("Monday", T0), 1800262800LL);
	ck_assert_int_eq(when("mon", T0), 1800262800LL);
	/* a Friday named on a Friday is next week's */
	ck_assert_int_eq(when("friday", T0), T0 + 7 * DAY + HOUR);
	ck_assert_int_eq(when("next fri 14:30", T0), 1800628200LL);
	ck_assert_int_eq(when("2027-01-20 10:15", T0), T0 + 5 * DAY + 2 * HOUR + 15 * 60);
	ck_assert_int_eq(when("2026-12-24 09:00", T0), 1798102800LL);
	ck_assert_int_eq(when("2026-12-24", T0), 1798102800LL);
	ck_assert_int_eq(when("  3d  ", T0), T0 + 3 * DAY);
}
END_TEST

START_TEST(when_local_time_and_dst)
{
	/* CET/CEST without tzdata: UTC+1, summer time from the last Sunday
	 * of March (28 Mar 2027) */
	set_tz("CET-1CEST,M3.5.0,M10.5.0/3");
	/* 16 Jan 09:00 CET is 08:00 UTC */
	ck_assert_int_eq(when("tomorrow", T0), 1800086400LL);
	ck_assert_int_eq(when("2027-01-20 10:15", T0), T0 + 5 * DAY + HOUR + 15 * 60);
	/* Sat 27 Mar 2027 12:00 UTC; tomorrow 09:00 is CEST, 07:00 UTC */
	int64_t sat = 1806148800LL;
	ck_assert_int_eq(when("tomorrow", sat), 1806217200LL);
	set_tz("UTC");
}
END_TEST

START_TEST(when_refuses_garbage)
{
	set_tz("UTC");
	static const char *const bad[] = {
		"",          "soon",         "3",          "3x",           "next",
		"next year", "tomorrow 25:00", "tomorrow 9", "2027-02-30",  "2027-13-01",
		"2027-01-20 10", "monday noon", "2027-1-2",  "today 12:60", NULL,
	};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		int64_t t = 42;
		ck_assert_msg(when_parse(bad[i], T0, &t) != NULL, "\"%s\" was taken",
			      bad[i] ? bad[i] : "(null)");
		ck_assert_int_eq(t, 42);
	}
}
END_TEST

START_TEST(when_says_it_back)
{
	set_tz("UTC");
	char buf[64];
	when_format(1800262800LL, T0, buf, sizeof buf);
	ck_assert_str_eq(buf, "Mon 18 Jan 09:00");
	when_format(1798102800LL, T0, buf, sizeof buf);
	ck_assert_str_eq(buf, "Thu 24 Dec 2026 09:00");
}
END_TEST

/* --- follow-up times on tickets --------------------------------------- */

struct ffx {
	char *dir, *path;
	struct config cfg;
	struct desk d;
};

static void ffx_open(struct ffx *x)
{
	struct derr e = {0};
	set_tz("UTC");
	test_set_now(T0);
	x->dir = test_tmpdir();
	x->path = test_db_path(x->dir);
	config_defaults(&x->cfg);
	ck_assert_int_eq(desk_init(&x->d, x->path, &x->cfg, "tester", &e), DESK_OK);
}

static void ffx_close(struct ffx *x)
{
	desk_close(&x->d);
	config_free(&x->cfg);
	test_db_drop(&x->path);
	test_tmpdir_cleanup(&x->dir);
	unsetenv("DESK_NOW");
}

static int64_t new_ticket(struct ffx *x)
{
	struct derr e = {0};
	struct new_ticket nt;
	new_ticket_init(&nt);
	nt.subject = "Refund";
	nt.body = "Where is my refund?";
	nt.customer_name = "Ann Lee";
	nt.customer_email = "ann@example.com";
	nt.assignee = "tester";
	int64_t id = 0;
	ck_assert_int_eq(core_ticket_new(&x->d, &nt, &id, &e), DESK_OK);
	return id;
}

static int64_t follow_up_of(struct ffx *x, int64_t id, enum status *st)
{
	struct derr e = {0};
	struct ticket t;
	ck_assert_int_eq(store_ticket_get(x->d.st, id, &t, &e), DESK_OK);
	int64_t at = t.follow_up_at;
	if (st)
		*st = t.status;
	ticket_free(&t);
	return at;
}

static int apply(struct ffx *x, int64_t id, const char *a, const char *b, struct derr *e)
{
	struct field_change ch[2];
	char k[2][32];
	size_t n = 0;
	const char *args[] = {a, b};
	for (size_t i = 0; i < 2; i++) {
		if (!args[i])
			continue;
		ck_assert_int_eq(field_change_parse(args[i], &ch[n], k[n], sizeof k[n], e), DESK_OK);
		n++;
	}
	return core_apply(&x->d, id, ch, n, e);
}

/* "field old new" of the ticket's last event */
static char *last_event(struct ffx *x, int64_t id)
{
	struct derr e = {0};
	struct event_list l = {0};
	ck_assert_int_eq(store_events(x->d.st, id, &l, &e), DESK_OK);
	ck_assert_uint_gt(l.n, 0);
	const struct event *ev = &l.v[l.n - 1];
	char *s = xasprintf("%s %s %s", ev->field ? ev->field : "-",
			    ev->old_value ? ev->old_value : "-", ev->new_value ? ev->new_value : "-");
	event_list_free(&l);
	return s;
}

START_TEST(follow_up_set_audited_cleared_undone)
{
	struct ffx x;
	ffx_open(&x);
	struct derr e = {0};
	int64_t id = new_ticket(&x);
	ck_assert_int_eq(apply(&x, id, "status=pending", "until=3d", &e), DESK_OK);
	enum status st;
	ck_assert_int_eq(follow_up_of(&x, id, &st), T0 + 3 * DAY);
	char *ev = last_event(&x, id);
	ck_assert_str_eq(ev, "follow_up - 2027-01-18T08:00:00Z");
	free(ev);

	/* on_hold keeps it; open clears it, audited */
	ck_assert_int_eq(apply(&x, id, "status=on_hold", NULL, &e), DESK_OK);
	ck_assert_int_eq(follow_up_of(&x, id, NULL), T0 + 3 * DAY);
	ck_assert_int_eq(apply(&x, id, "status=open", NULL, &e), DESK_OK);
	ck_assert_int_eq(follow_up_of(&x, id, &st), 0);
	ck_assert_int_eq(st, ST_OPEN);
	ev = last_event(&x, id);
	ck_assert_str_eq(ev, "follow_up 2027-01-18T08:00:00Z -");
	free(ev);

	/* u: back to on_hold with the time it had */
	struct undo_result r = {0};
	ck_assert_msg(core_undo(&x.d, &r, &e) == DESK_OK, "%s", e.msg);
	undo_result_free(&r);
	ck_assert_int_eq(follow_up_of(&x, id, &st), T0 + 3 * DAY);
	ck_assert_int_eq(st, ST_ON_HOLD);

	/* until=none clears it */
	ck_assert_int_eq(apply(&x, id, "until=none", NULL, &e), DESK_OK);
	ck_assert_int_eq(follow_up_of(&x, id, NULL), 0);
	ffx_close(&x);
}
END_TEST

START_TEST(follow_up_refusals_change_nothing)
{
	struct ffx x;
	ffx_open(&x);
	struct derr e = {0};
	int64_t id = new_ticket(&x);
	/* not waiting: refused, and the status change with it */
	ck_assert_int_eq(apply(&x, id, "until=3d", "status=pending", &e), DESK_EINVAL);
	ck_assert_msg(strstr(e.msg, "only a pending or on_hold ticket") != NULL, "%s", e.msg);
	enum status st;
	ck_assert_int_eq(follow_up_of(&x, id, &st), 0);
	ck_assert_int_ne(st, ST_PENDING);
	e = (struct derr){0};
	ck_assert_int_eq(apply(&x, id, "status=pending", "until=2020-01-01", &e), DESK_EINVAL);
	ck_assert_msg(strstr(e.msg, "not in the future") != NULL, "%s", e.msg);
	e = (struct derr){0};
	ck_assert_int_eq(apply(&x, id, "status=pending", "until=soonish", &e), DESK_EINVAL);
	ck_assert_msg(strstr(e.msg, "until \"soonish\": expected") != NULL, "%s", e.msg);
	ck_assert_int_eq(follow_up_of(&x, id, &st), 0);
	ck_assert_int_ne(st, ST_PENDING);
	ffx_close(&x);
}
END_TEST

static int64_t view_count(struct ffx *x, const char *name)
{
	struct derr e = {0};
	struct view v;
	ck_assert_msg(view_by_name(&x->d, name, &v, &e) == DESK_OK, "%s", e.msg);
	int64_t n = -1;
	ck_assert_int_eq(store_queue_count(x->d.st, &v.filter, &n, &e), DESK_OK);
	view_free(&v);
	return n;
}

START_TEST(follow_up_view_shows_due_ones)
{
	struct ffx x;
	ffx_open(&x);
	struct derr e = {0};
	int64_t a = new_ticket(&x), b = new_ticket(&x);
	new_ticket(&x);
	ck_assert_int_eq(apply(&x, a, "status=pending", "until=1h", &e), DESK_OK);
	ck_assert_int_eq(apply(&x, b, "status=on_hold", "until=2d", &e), DESK_OK);
	ck_assert_int_eq(view_count(&x, "follow-up"), 0);
	test_set_now(T0 + HOUR);
	ck_assert_int_eq(view_count(&x, "follow-up"), 1);
	test_set_now(T0 + 2 * DAY);
	ck_assert_int_eq(view_count(&x, "follow-up"), 2);
	/* answered: no longer waiting, no longer due */
	ck_assert_int_eq(apply(&x, a, "status=open", NULL, &e), DESK_OK);
	ck_assert_int_eq(view_count(&x, "follow-up"), 1);
	struct view v;
	ck_assert_int_eq(view_parse("x", "follow-up:soon", SORT_ID, false, &x.d, &v, &e),
			 DESK_EINVAL);
	ck_assert_msg(strstr(e.msg, "follow-up:due") != NULL, "%s", e.msg);
	ffx_close(&x);
}
END_TEST

static void count_action(const struct tick_action *a, void *arg)
{
	struct strbuf *b = arg;
	sb_addf(b, "#%lld %s %s;", (long long)a->ticket, a->rule->name,
		a->done ? "done" : a->err.code ? a->err.msg : "dry");
}

START_TEST(tick_twice_is_once)
{
	struct ffx x;
	ffx_open(&x);
	struct derr e = {0};
	x.cfg.rules = xcalloc(1, sizeof *x.cfg.rules);
	x.cfg.nrules = 1;
	x.cfg.rules[0] = (struct follow_up_rule){.name = xstrdup("close"), .when = ST_PENDING,
						 .after = 7 * DAY, .without_customer_reply = true,
						 .status = ST_SOLVED};
	int64_t a = new_ticket(&x), b = new_ticket(&x);
	ck_assert_int_eq(apply(&x, a, "status=pending", NULL, &e), DESK_OK);
	test_set_now(T0 + DAY);
	ck_assert_int_eq(apply(&x, b, "status=pending", NULL, &e), DESK_OK);
	size_t acted, failed;
	struct strbuf log = {0};
	test_set_now(T0 + 7 * DAY);
	ck_assert_int_eq(core_tick(&x.d, true, count_action, &log, &acted, &failed, &e), DESK_OK);
	ck_assert_str_eq(sb_str(&log), "#1 close dry;");
	enum status st;
	follow_up_of(&x, a, &st);
	ck_assert_int_eq(st, ST_PENDING);
	sb_reset(&log);
	ck_assert_int_eq(core_tick(&x.d, false, count_action, &log, &acted, &failed, &e), DESK_OK);
	ck_assert_str_eq(sb_str(&log), "#1 close done;");
	ck_assert_uint_eq(acted, 1);
	follow_up_of(&x, a, &st);
	ck_assert_int_eq(st, ST_SOLVED);
	sb_reset(&log);
	ck_assert_int_eq(core_tick(&x.d, false, count_action, &log, &acted, &failed, &e), DESK_OK);
	ck_assert_str_eq(sb_str(&log), "");
	ck_assert_uint_eq(acted, 0);
	/* b's week: a customer message reopens it first, so nothing */
	test_set_now(T0 + 8 * DAY);
	ck_assert_int_eq(core_customer_message(&x.d, b, "Any news?", T0 + 7 * DAY, NULL, &e), DESK_OK);
	ck_assert_int_eq(core_tick(&x.d, false, count_action, &log, &acted, &failed, &e), DESK_OK);
	ck_assert_str_eq(sb_str(&log), "");
	follow_up_of(&x, b, &st);
	ck_assert_int_eq(st, ST_OPEN);
	sb_free(&log);
	ffx_close(&x);
}
END_TEST

START_TEST(tick_refuses_a_moved_ticket)
{
	/* The rule decided on an earlier read: the status check inside the
	 * transaction refuses it, and nothing of the action is kept. */
	struct ffx x;
	ffx_open(&x);
	struct derr e = {0};
	int64_t a = new_ticket(&x);
	struct field_change ch[] = {{FIELD_REQUIRE_STATUS, "pending"}, {FIELD_STATUS, "solved"}};
	ck_assert_int_eq(core_apply(&x.d, a, ch, 2, &e), DESK_ECONFLICT);
	ck_assert_str_eq(e.msg, "ticket 1 is new now, no longer pending");
	enum status st;
	follow_up_of(&x, a, &st);
	ck_assert_int_eq(st, ST_NEW);
	ffx_close(&x);
}
END_TEST

START_TEST(tick_agents_may_not)
{
	struct ffx x;
	ffx_open(&x);
	struct derr e = {0};
	ck_assert_int_eq(core_agent_add(&x.d, "alice", "Alice", ROLE_AGENT, &e), DESK_OK);
	struct desk al;
	ck_assert_int_eq(desk_open(&al, x.path, &x.cfg, "alice", 0, &e), DESK_OK);
	size_t acted, failed;
	ck_assert_int_eq(core_tick(&al, true, NULL, NULL, &acted, &failed, &e), DESK_EDENIED);
	ck_assert_msg(strstr(e.msg, "only a supervisor or an admin") != NULL, "%s", e.msg);
	desk_close(&al);
	ffx_close(&x);
}
END_TEST

START_TEST(console_status_takes_a_time)
{
	/* ":status pending 3d" and a keys file's "status on_hold next monday" */
	set_tz("UTC");
	int id = -1;
	char *arg = NULL;
	const char *near = NULL;
	ck_assert_int_eq(action_line_parse("status pending 3d", &id, &arg, &near), AL_OK);
	ck_assert_int_eq(id, action_find("status"));
	ck_assert_str_eq(arg, "pending 3d");
	char why[256] = "";
	ck_assert_msg(action_arg_check(id, arg, NULL, NULL, why, sizeof why), "%s", why);
	free(arg);
	ck_assert(action_arg_check(id, "on_hold next monday 14:00", NULL, NULL, why, sizeof why));
	ck_assert(action_arg_check(id, "solved", NULL, NULL, why, sizeof why));
	ck_assert(!action_arg_check(id, "pending soonish", NULL, NULL, why, sizeof why));
	ck_assert_msg(strstr(why, "status pending soonish: expected") != NULL, "%s", why);
	ck_assert(!action_arg_check(id, "pendng 3d", NULL, NULL, why, sizeof why));
}
END_TEST

Suite *suite_followup(void)
{
	Suite *s = suite_create("followup");
	TCase *tc = tcase_create("when");
	tcase_add_test(tc, when_spans_and_days_utc);
	tcase_add_test(tc, when_local_time_and_dst);
	tcase_add_test(tc, when_refuses_garbage);
	tcase_add_test(tc, when_says_it_back);
	tcase_add_test(tc, console_status_takes_a_time);
	suite_add_tcase(s, tc);
	tc = tcase_create("tickets");
	tcase_add_test(tc, follow_up_set_audited_cleared_undone);
	tcase_add_test(tc, follow_up_refusals_change_nothing);
	tcase_add_test(tc, follow_up_view_shows_due_ones);
	tcase_add_test(tc, tick_twice_is_once);
	tcase_add_test(tc, tick_refuses_a_moved_ticket);
	tcase_add_test(tc, tick_agents_may_not);
	suite_add_tcase(s, tc);
	return s;
}
