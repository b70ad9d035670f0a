/* test_view.c: queue views: the built-in ones and the config's, every
 * term of the filter language and every mistake with its exact message,
 * narrowing a view, and views selecting the right tickets. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "core.h"
#include "testlib.h"
#include "util.h"

#define T0 1800000000LL
#define OPEN_MASK (1u << ST_NEW | 1u << ST_OPEN | 1u << ST_PENDING | 1u << ST_ON_HOLD)

struct vfx {
	char *dir;
	char *path;
	struct config cfg;
	struct desk d;
	int64_t alice;
};

static void vfx_open(struct vfx *x)
{
	struct derr e = {0};
	setenv("DESK_NOW", "1800000000", 1);
	x->dir = test_tmpdir();
	x->path = test_db_path(x->dir);
	config_defaults(&x->cfg);
	int rc = desk_init(&x->d, x->path, &x->cfg, "tester", &e);
	ck_assert_msg(rc == DESK_OK, "desk_init: %s", e.msg);
	ck_assert_int_eq(core_agent_add(&x->d, "alice", "Alice Smith", ROLE_AGENT, &e), DESK_OK);
	struct agent a;
	ck_assert_int_eq(store_agent_by_login(x->d.st, "alice", &a, &e), DESK_OK);
	x->alice = a.id;
	agent_free(&a);
}

static void vfx_close(struct vfx *x)
{
	desk_close(&x->d);
	config_free(&x->cfg);
	test_db_drop(&x->path);
	test_tmpdir_cleanup(&x->dir);
	unsetenv("DESK_NOW");
}

/* Parses filter as view "t" and expects success. */
static void parse_ok(struct vfx *x, const char *filter, struct view *v)
{
	struct derr e = {0};
	int rc = view_parse("t", filter, SORT_ID, false, &x->d, v, &e);
	ck_assert_msg(rc == DESK_OK, "%s: %s", filter, e.msg);
	ck_assert_str_eq(v->name, "t");
}

/* Parses filter as view "t" and expects exactly this message. */
static void parse_err(struct vfx *x, const char *filter, const char *msg)
{
	struct derr e = {0};
	struct view v;
	int rc = view_parse("t", filter, SORT_ID, false, &x->d, &v, &e);
	ck_assert_msg(rc == DESK_EINVAL, "%s: accepted", filter);
	ck_assert_int_eq(e.code, DESK_EINVAL);
	char *want = xasprintf("view \"t\": %s", msg);
	ck_assert_str_eq(e.msg, want);
	free(want);
	/* A failed parse leaves nothing to free. */
	ck_assert_ptr_null(v.name);
	ck_assert_ptr_null(v.owned);
	view_free(&v);
}

static void expect_empty_filter_except(const struct queue_filter *f, const char *what)
{
	/* Every part not named in `what` is unset. */
	if (!strstr(what, "status"))
		ck_assert_uint_eq(f->status_mask, 0);
	if (!strstr(what, "priority"))
		ck_assert_uint_eq(f->priority_mask, 0);
	if (!strstr(what, "channel"))
		ck_assert_uint_eq(f->channel_mask, 0);
	if (!strstr(what, "assignee"))
		ck_assert_int_eq(f->assignee, ASSIGNEE_ANY);
	if (!strstr(what, "queue"))
		ck_assert_ptr_null(f->queue);
	if (!strstr(what, "tag"))
		ck_assert_ptr_null(f->tag);
	if (!strstr(what, "text"))
		ck_assert_ptr_null(f->text);
	if (!strstr(what, "solved"))
		ck_assert_int_eq(f->solved_since, 0);
	if (!strstr(what, "due"))
		ck_assert_int_eq(f->due_before, 0);
	if (!strstr(what, "customer"))
		ck_assert_int_eq(f->customer_id, 0);
	ck_assert_ptr_null(f->search);
}

START_TEST(builtin_views)
{
	struct vfx x;
	struct derr e = {0};
	vfx_open(&x);
	static const char *const names[] = {"mine",    "unassigned", "open",   "pending", "on-hold",
					    "follow-up", "solved",   "breaching", "all"};
	struct view_def defs[32];
	size_t n = view_defs(&x.cfg, defs, ARRAY_LEN(defs));
	ck_assert_uint_eq(n, ARRAY_LEN(names));
	for (size_t i = 0; i < n; i++)
		ck_assert_str_eq(defs[i].name, names[i]);
	ck_assert_uint_eq(view_defs(&x.cfg, defs, 3), 3);
	ck_assert_uint_eq(view_defs(NULL, defs, ARRAY_LEN(defs)), ARRAY_LEN(names));

	struct view v;
	ck_assert_int_eq(view_by_name(&x.d, "mine", &v, &e), DESK_OK);
	ck_assert_str_eq(v.name, "mine");
	ck_assert_int_eq(v.sort, SORT_URGENCY);
	ck_assert(!v.reverse);
	ck_assert_uint_eq(v.filter.status_mask, OPEN_MASK);
	ck_assert_int_eq(v.filter.assignee, ASSIGNEE_IS);
	ck_assert_int_eq(v.filter.assignee_id, x.d.me.id);
	expect_empty_filter_except(&v.filter, "status assignee");
	view_free(&v);
	ck_assert_ptr_null(v.name);

	ck_assert_int_eq(view_by_name(&x.d, "unassigned", &v, &e), DESK_OK);
	ck_assert_uint_eq(v.filter.status_mask, OPEN_MASK);
	ck_assert_int_eq(v.filter.assignee, ASSIGNEE_NONE);
	ck_assert_int_eq(v.sort, SORT_URGENCY);
	expect_empty_filter_except(&v.filter, "status assignee");
	view_free(&v);

	ck_assert_int_eq(view_by_name(&x.d, "open", &v, &e), DESK_OK);
	ck_assert_uint_eq(v.filter.status_mask, OPEN_MASK);
	ck_assert_int_eq(v.sort, SORT_URGENCY);
	expect_empty_filter_except(&v.filter, "status");
	view_free(&v);

	ck_assert_int_eq(view_by_name(&x.d, "pending", &v, &e), DESK_OK);
	ck_assert_uint_eq(v.filter.status_mask, 1u << ST_PENDING);
	expect_empty_filter_except(&v.filter, "status");
	view_free(&v);

	ck_assert_int_eq(view_by_name(&x.d, "on-hold", &v, &e), DESK_OK);
	ck_assert_uint_eq(v.filter.status_mask, 1u << ST_ON_HOLD);
	expect_empty_filter_except(&v.filter, "status");
	view_free(&v);

	ck_assert_int_eq(view_by_name(&x.d, "solved", &v, &e), DESK_OK);
	ck_assert_uint_eq(v.filter.status_mask, 1u << ST_SOLVED | 1u << ST_CLOSED);
	ck_assert_int_eq(v.filter.solved_since, T0 - 7 * 86400);
	ck_assert_int_eq(v.sort, SORT_UPDATED);
	ck_assert(!v.reverse);
	expect_empty_filter_except(&v.filter, "status solved");
	view_free(&v);

	ck_assert_int_eq(view_by_name(&x.d, "breaching", &v, &e), DESK_OK);
	ck_assert_uint_eq(v.filter.status_mask, 1u << ST_NEW | 1u << ST_OPEN | 1u << ST_ON_HOLD);
	ck_assert_int_eq(v.filter.due_before, T0 + 4 * 3600);
	ck_assert_int_eq(v.sort, SORT_URGENCY);
	expect_empty_filter_except(&v.filter, "status due");
	view_free(&v);

	ck_assert_int_eq(view_by_name(&x.d, "all", &v, &e), DESK_OK);
	ck_assert_int_eq(v.sort, SORT_CREATED);
	ck_assert(v.reverse);
	expect_empty_filter_except(&v.filter, "");
	view_free(&v);

	ck_assert_int_eq(view_by_name(&x.d, "nope", &v, &e), DESK_ENOTFOUND);
	ck_assert_str_eq(e.msg, "no view \"nope\"; the views are: mine, unassigned, open, pending, "
				"on-hold, follow-up, solved, breaching, all");
	ck_assert_int_eq(view_by_name(&x.d, "Mine", &v, &e), DESK_ENOTFOUND);
	vfx_close(&x);
}
END_TEST

START_TEST(config_views)
{
	struct vfx x;
	struct derr e = {0};
	vfx_open(&x);
	x.cfg.nviews = 3;
	x.cfg.views = xcalloc(3, sizeof *x.cfg.views);
	x.cfg.views[0] = (struct view_def){.name = xstrdup("open"), .filter = xstrdup("status:open"),
					   .sort = SORT_PRIORITY, .reverse = true};
	x.cfg.views[1] = (struct view_def){.name = xstrdup("vip"),
					   .filter = xstrdup("tag:vip priority:>=high"),
					   .sort = SORT_URGENCY};
	x.cfg.views[2] = (struct view_def){.name = xstrdup("broken"),
					   .filter = xstrdup("colour:red"), .sort = SORT_ID};

	struct view_def defs[32];
	size_t n = view_defs(&x.cfg, defs, ARRAY_LEN(defs));
	static const char *const names[] = {"mine",   "unassigned", "pending", "on-hold",
					    "follow-up", "solved", "breaching", "all",
					    "open",   "vip",     "broken"};
	ck_assert_uint_eq(n, ARRAY_LEN(names));
	for (size_t i = 0; i < n; i++)
		ck_assert_str_eq(defs[i].name, names[i]);

	struct view v;
	ck_assert_int_eq(view_by_name(&x.d, "open", &v, &e), DESK_OK);
	ck_assert_uint_eq(v.filter.status_mask, 1u << ST_OPEN);
	ck_assert_int_eq(v.sort, SORT_PRIORITY);
	ck_assert(v.reverse);
	view_free(&v);
	ck_assert_int_eq(view_by_name(&x.d, "vip", &v, &e), DESK_OK);
	ck_assert_str_eq(v.filter.tag, "vip");
	ck_assert_uint_eq(v.filter.priority_mask, 1u << PRIO_HIGH | 1u << PRIO_URGENT);
	view_free(&v);
	ck_assert_int_eq(view_by_name(&x.d, "broken", &v, &e), DESK_EINVAL);
	ck_assert_str_eq(e.msg, "view \"broken\": unknown filter \"colour:\"; expected status, "
				"priority, channel, assignee, queue, tag, customer, solved-within, "
				"due-within, age or follow-up");
	ck_assert_int_eq(view_by_name(&x.d, "nope", &v, &e), DESK_ENOTFOUND);
	ck_assert_str_eq(e.msg, "no view \"nope\"; the views are: mine, unassigned, pending, "
				"on-hold, follow-up, solved, breaching, all, open, vip, broken");
	vfx_close(&x);
}
END_TEST

START_TEST(filter_terms)
{
	struct vfx x;
	vfx_open(&x);
	struct view v;

	parse_ok(&x, "", &v);
	expect_empty_filter_except(&v.filter, "");
	ck_assert_int_eq(v.sort, SORT_ID);
	view_free(&v);

	static const struct {
		const char *filter;
		unsigned mask;
	} statuses[] = {
		{"status:new", 1u << ST_NEW},
		{"status:pending", 1u << ST_PENDING},
		{"status:on_hold,solved", 1u << ST_ON_HOLD | 1u << ST_SOLVED},
		{"status:new,open,pending,on_hold,solved,closed", 63},
		{"status:open,,closed", 1u << ST_OPEN | 1u << ST_CLOSED},
		{"status:open status:pending", 1u << ST_PENDING}, /* the later one wins */
	};
	for (size_t i = 0; i < ARRAY_LEN(statuses); i++) {
		parse_ok(&x, statuses[i].filter, &v);
		ck_assert_uint_eq(v.filter.status_mask, statuses[i].mask);
		expect_empty_filter_except(&v.filter, "status");
		view_free(&v);
	}

	static const struct {
		const char *filter;
		unsigned mask;
	} prios[] = {
		{"priority:low", 1u << PRIO_LOW},
		{"priority:high,urgent", 1u << PRIO_HIGH | 1u << PRIO_URGENT},
		{"priority:>=low", 15},
		{"priority:>=normal", 14},
		{"priority:>=high", 1u << PRIO_HIGH | 1u << PRIO_URGENT},
		{"priority:>=urgent", 1u << PRIO_URGENT},
	};
	for (size_t i = 0; i < ARRAY_LEN(prios); i++) {
		parse_ok(&x, prios[i].filter, &v);
		ck_assert_uint_eq(v.filter.priority_mask, prios[i].mask);
		expect_empty_filter_except(&v.filter, "priority");
		view_free(&v);
	}

	parse_ok(&x, "channel:email,walk_in", &v);
	ck_assert_uint_eq(v.filter.channel_mask, 1u << CH_EMAIL | 1u << CH_WALK_IN);
	expect_empty_filter_except(&v.filter, "channel");
	view_free(&v);
	parse_ok(&x, "channel:phone,chat,web,social", &v);
	ck_assert_uint_eq(v.filter.channel_mask,
			  1u << CH_PHONE | 1u << CH_CHAT | 1u << CH_WEB | 1u << CH_SOCIAL);
	view_free(&v);

	parse_ok(&x, "assignee:me", &v);
	ck_assert_int_eq(v.filter.assignee, ASSIGNEE_IS);
	ck_assert_int_eq(v.filter.assignee_id, x.d.me.id);
	expect_empty_filter_except(&v.filter, "assignee");
	view_free(&v);
	parse_ok(&x, "assignee:none", &v);
	ck_assert_int_eq(v.filter.assignee, ASSIGNEE_NONE);
	view_free(&v);
	parse_ok(&x, "assignee:alice", &v);
	ck_assert_int_eq(v.filter.assignee, ASSIGNEE_IS);
	ck_assert_int_eq(v.filter.assignee_id, x.alice);
	view_free(&v);
	parse_ok(&x, "assignee:none assignee:any", &v);
	ck_assert_int_eq(v.filter.assignee, ASSIGNEE_ANY);
	view_free(&v);

	parse_ok(&x, "queue:billing", &v);
	ck_assert_str_eq(v.filter.queue, "billing");
	expect_empty_filter_except(&v.filter, "queue");
	view_free(&v);
	parse_ok(&x, "queue:a queue:b", &v);
	ck_assert_str_eq(v.filter.queue, "b");
	view_free(&v);
	parse_ok(&x, "tag:vip", &v);
	ck_assert_str_eq(v.filter.tag, "vip");
	expect_empty_filter_except(&v.filter, "tag");
	view_free(&v);
	parse_ok(&x, "customer:42", &v);
	ck_assert_int_eq(v.filter.customer_id, 42);
	expect_empty_filter_except(&v.filter, "customer");
	view_free(&v);

	parse_ok(&x, "solved-within:7d", &v);
	ck_assert_int_eq(v.filter.solved_since, T0 - 7 * 86400);
	expect_empty_filter_except(&v.filter, "solved");
	view_free(&v);
	parse_ok(&x, "due-within:30m", &v);
	ck_assert_int_eq(v.filter.due_before, T0 + 1800);
	expect_empty_filter_except(&v.filter, "due");
	view_free(&v);
	parse_ok(&x, "due-within:1h30m", &v);
	ck_assert_int_eq(v.filter.due_before, T0 + 5400);
	view_free(&v);

	/* Free words become one text filter. */
	parse_ok(&x, "printer  on\tfire", &v);
	ck_assert_str_eq(v.filter.text, "printer on fire");
	expect_empty_filter_except(&v.filter, "text");
	view_free(&v);
	parse_ok(&x, ":colon 50%", &v);
	ck_assert_str_eq(v.filter.text, ":colon 50%");
	view_free(&v);

	/* Everything at once. */
	parse_ok(&x,
		 "status:new,open refund assignee:none queue:billing tag:vip priority:>=high "
		 "channel:email solved-within:2d due-within:4h customer:7 please",
		 &v);
	ck_assert_uint_eq(v.filter.status_mask, 1u << ST_NEW | 1u << ST_OPEN);
	ck_assert_uint_eq(v.filter.priority_mask, 1u << PRIO_HIGH | 1u << PRIO_URGENT);
	ck_assert_uint_eq(v.filter.channel_mask, 1u << CH_EMAIL);
	ck_assert_int_eq(v.filter.assignee, ASSIGNEE_NONE);
	ck_assert_str_eq(v.filter.queue, "billing");
	ck_assert_str_eq(v.filter.tag, "vip");
	ck_assert_int_eq(v.filter.customer_id, 7);
	ck_assert_int_eq(v.filter.solved_since, T0 - 2 * 86400);
	ck_assert_int_eq(v.filter.due_before, T0 + 4 * 3600);
	ck_assert_str_eq(v.filter.text, "refund please");
	view_free(&v);

	/* The view's order is what it was given. */
	struct derr e = {0};
	ck_assert_int_eq(view_parse("x", "status:open", SORT_UPDATED, true, &x.d, &v, &e), DESK_OK);
	ck_assert_int_eq(v.sort, SORT_UPDATED);
	ck_assert(v.reverse);
	ck_assert_str_eq(v.name, "x");
	view_free(&v);
	vfx_close(&x);
}
END_TEST

START_TEST(filter_errors)
{
	struct vfx x;
	vfx_open(&x);
	static const char unknown[] = "unknown filter \"%s:\"; expected status, priority, channel, "
				      "assignee, queue, tag, customer, solved-within, due-within, age or "
				      "follow-up";
	char buf[256];
	snprintf(buf, sizeof buf, unknown, "bogus");
	parse_err(&x, "bogus:1", buf);
	snprintf(buf, sizeof buf, unknown, "Status");
	parse_err(&x, "Status:open", buf);
	snprintf(buf, sizeof buf, unknown, "solved");
	parse_err(&x, "status:open solved:1d", buf);

	static const char st_allowed[] = "new, open, pending, on_hold, solved, closed";
	snprintf(buf, sizeof buf, "status:done: unknown value \"done\"; expected %s", st_allowed);
	parse_err(&x, "status:done", buf);
	snprintf(buf, sizeof buf, "status:open,Closed: unknown value \"Closed\"; expected %s",
		 st_allowed);
	parse_err(&x, "status:open,Closed", buf);
	snprintf(buf, sizeof buf, "status: expected %s", st_allowed);
	parse_err(&x, "status:", buf);
	parse_err(&x, "status:,", buf);

	parse_err(&x, "priority:top",
		  "priority:top: unknown value \"top\"; expected low, normal, high, urgent");
	parse_err(&x, "priority:", "priority: expected low, normal, high, urgent");
	parse_err(&x, "priority:>=extreme", "priority:>=extreme: expected low, normal, high or urgent");
	parse_err(&x, "priority:>=", "priority:>=: expected low, normal, high or urgent");
	parse_err(&x, "priority:>high", "priority:>high: unknown value \">high\"; expected low, "
					"normal, high, urgent");
	parse_err(&x, "channel:fax",
		  "channel:fax: unknown value \"fax\"; expected email, phone, chat, web, social, "
		  "walk_in");

	parse_err(&x, "assignee:zed", "assignee:zed: no such agent");
	parse_err(&x, "assignee:", "assignee:: no such agent");
	parse_err(&x, "assignee:ALICE", "assignee:ALICE: no such agent");

	static const char *const custs[] = {"abc", "0", "-3", "12x", ""};
	for (size_t i = 0; i < ARRAY_LEN(custs); i++) {
		char f[32];
		snprintf(f, sizeof f, "customer:%s", custs[i]);
		snprintf(buf, sizeof buf, "customer:%s: expected a customer number", custs[i]);
		parse_err(&x, f, buf);
	}

	parse_err(&x, "solved-within:soon",
		  "solved-within:soon: expected a duration like 30m, 4h or 7d");
	parse_err(&x, "solved-within:7", "solved-within:7: expected a duration like 30m, 4h or 7d");
	parse_err(&x, "due-within:0m", "due-within:0m: expected a duration like 30m, 4h or 7d");
	parse_err(&x, "due-within:", "due-within:: expected a duration like 30m, 4h or 7d");
	parse_err(&x, "due-within:-4h", "due-within:-4h: expected a duration like 30m, 4h or 7d");

	/* The first mistake is the one reported. */
	snprintf(buf, sizeof buf, "status:x: unknown value \"x\"; expected %s", st_allowed);
	parse_err(&x, "tag:ok status:x priority:y", buf);
	vfx_close(&x);
}
END_TEST

START_TEST(narrowing)
{
	struct vfx x;
	struct derr e = {0};
	vfx_open(&x);
	struct view v;
	ck_assert_int_eq(view_by_name(&x.d, "open", &v, &e), DESK_OK);
	ck_assert_int_eq(view_narrow(&v, "tag:vip billing", &x.d, &e), DESK_OK);
	ck_assert_uint_eq(v.filter.status_mask, OPEN_MASK);
	ck_assert_str_eq(v.filter.tag, "vip");
	ck_assert_str_eq(v.filter.text, "billing");
	ck_assert_str_eq(v.name, "open");
	ck_assert_int_eq(v.sort, SORT_URGENCY);

	ck_assert_int_eq(view_narrow(&v, "status:pending assignee:alice", &x.d, &e), DESK_OK);
	ck_assert_uint_eq(v.filter.status_mask, 1u << ST_PENDING);
	ck_assert_int_eq(v.filter.assignee, ASSIGNEE_IS);
	ck_assert_int_eq(v.filter.assignee_id, x.alice);
	ck_assert_str_eq(v.filter.tag, "vip");
	ck_assert_str_eq(v.filter.text, "billing");

	/* New words replace the old ones; no words leave them alone. */
	ck_assert_int_eq(view_narrow(&v, "refund", &x.d, &e), DESK_OK);
	ck_assert_str_eq(v.filter.text, "refund");
	ck_assert_int_eq(view_narrow(&v, "", &x.d, &e), DESK_OK);
	ck_assert_int_eq(view_narrow(&v, NULL, &x.d, &e), DESK_OK);
	ck_assert_str_eq(v.filter.text, "refund");
	ck_assert_int_eq(view_narrow(&v, "tag:other", &x.d, &e), DESK_OK);
	ck_assert_str_eq(v.filter.tag, "other");

	/* A mistake while narrowing: the message has no view prefix, and
	 * the view is still whole. */
	ck_assert_int_eq(view_narrow(&v, "colour:red", &x.d, &e), DESK_EINVAL);
	ck_assert_str_eq(e.msg, "unknown filter \"colour:\"; expected status, priority, channel, "
				"assignee, queue, tag, customer, solved-within, due-within, age or "
				"follow-up");
	ck_assert_uint_eq(v.filter.status_mask, 1u << ST_PENDING);
	ck_assert_str_eq(v.filter.tag, "other");
	view_free(&v);
	vfx_close(&x);
}
END_TEST

/* Views over real tickets pick exactly the right ones, in their order. */
START_TEST(views_select_tickets)
{
	struct vfx x;
	struct derr e = {0};
	vfx_open(&x);
	for (int p = 0; p < PRIO__COUNT; p++)
		x.cfg.sla[p] = (struct sla_target){3600, 0, 24 * 3600};
	int64_t id[6];
	for (int i = 1; i <= 5; i++) {
		char now[32];
		snprintf(now, sizeof now, "%lld", T0 + i);
		setenv("DESK_NOW", now, 1);
		struct new_ticket nt;
		new_ticket_init(&nt);
		char subject[32];
		snprintf(subject, sizeof subject, "ticket %d", i);
		nt.subject = subject;
		nt.body = "help";
		nt.customer_email = "ann@example.com";
		ck_assert_int_eq(core_ticket_new(&x.d, &nt, &id[i], &e), DESK_OK);
	}
	setenv("DESK_NOW", "1800000010", 1);
	struct desk al;
	ck_assert_int_eq(desk_open(&al, x.path, &x.cfg, "alice", 0, &e), DESK_OK);
	/* 1: new, unassigned, first response due in an hour.
	 * 2: mine, answered: due in a day.
	 * 3: alice's, pending.
	 * 4: mine, solved.
	 * 5: alice's, on hold, unanswered. */
	ck_assert_int_eq(core_claim(&x.d, id[2], &e), DESK_OK);
	ck_assert_int_eq(core_reply(&x.d, id[2], "on it", &e), DESK_OK);
	ck_assert_int_eq(core_claim(&al, id[3], &e), DESK_OK);
	ck_assert_int_eq(core_set_status(&al, id[3], ST_PENDING, &e), DESK_OK);
	ck_assert_int_eq(core_claim(&x.d, id[4], &e), DESK_OK);
	ck_assert_int_eq(core_set_status(&x.d, id[4], ST_SOLVED, &e), DESK_OK);
	ck_assert_int_eq(core_claim(&al, id[5], &e), DESK_OK);
	ck_assert_int_eq(core_set_status(&al, id[5], ST_ON_HOLD, &e), DESK_OK);

	static const struct {
		const char *view;
		const char *narrow;
		const char *ids; /* in the view's order */
	} cases[] = {
		{"mine", NULL, "2"},
		{"unassigned", NULL, "1"},
		/* what waits on the agent (new, open: by due), then on others
		 * (pending, on hold), even when those are due sooner */
		{"open", NULL, "1,2,3,5"},
		{"pending", NULL, "3"},
		{"on-hold", NULL, "5"},
		{"solved", NULL, "4"},
		{"breaching", NULL, "1,5"},
		{"all", NULL, "5,4,3,2,1"},
		{"all", "status:open,new", "2,1"},
		{"all", "assignee:alice", "5,3"},
		{"open", "ticket 3", "3"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct view v;
		ck_assert_int_eq(view_by_name(&x.d, cases[i].view, &v, &e), DESK_OK);
		if (cases[i].narrow)
			ck_assert_int_eq(view_narrow(&v, cases[i].narrow, &x.d, &e), DESK_OK);
		struct queue_page p = {0};
		ck_assert_int_eq(store_queue_page(x.d.st, &v.filter, v.sort, v.reverse, NULL, false,
						  50, &p, &e),
				 DESK_OK);
		struct strbuf b = {0};
		for (size_t j = 0; j < p.n; j++) {
			int k = 0;
			for (int m = 1; m <= 5; m++)
				if (id[m] == p.rows[j].id)
					k = m;
			sb_addf(&b, "%s%d", j ? "," : "", k);
		}
		ck_assert_msg(strcmp(sb_str(&b), cases[i].ids) == 0, "view %s %s: got %s, want %s",
			      cases[i].view, cases[i].narrow ? cases[i].narrow : "", sb_str(&b),
			      cases[i].ids);
		sb_free(&b);
		queue_page_free(&p);
		view_free(&v);
	}
	/* "mine" is whoever looks. */
	struct view v;
	ck_assert_int_eq(view_by_name(&al, "mine", &v, &e), DESK_OK);
	ck_assert_int_eq(v.filter.assignee_id, x.alice);
	int64_t n;
	ck_assert_int_eq(store_queue_count(al.st, &v.filter, &n, &e), DESK_OK);
	ck_assert_int_eq(n, 2);
	view_free(&v);
	desk_close(&al);
	vfx_close(&x);
}
END_TEST

Suite *suite_view(void)
{
	Suite *s = suite_create("view");
	TCase *t = tcase_create("views");
	tcase_add_test(t, builtin_views);
	tcase_add_test(t, config_views);
	tcase_add_test(t, filter_terms);
	tcase_add_test(t, filter_errors);
	tcase_add_test(t, narrowing);
	tcase_add_test(t, views_select_tickets);
	suite_add_tcase(s, t);
	return s;
}
