/* test_metrics.c: every figure of desk report against a fixture whose
 * figures were worked out by hand (the tables below), the breakdowns,
 * the SLA breaches, the JSON, an empty period and the role check. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "metrics.h"
#include "report.h"
#include "testlib.h"
#include "util.h"
#include "../../src/store/internal.h"

#define H INT64_C(3600)
#define D INT64_C(86400)

/* The period is one week: S = 2026-03-02T00:00:00Z (since, a Monday) to
 * U = S + 7d (until, excluded).  "Now" is N = S + 8d.
 *
 * Agents: alice (1), bob (2); "-" is unassigned.  Times are offsets
 * from S; "fs" first solved, "ls" last solved, frd/rd the stored first
 * response and resolution due times.
 *
 *  T   created  queue   channel pri     who status   fs     ls     frd     rd
 *  1   0        billing email   high    1   solved   2h     2h     4h      1d
 *  2   1h       billing email   normal  1   solved   6h     6h     9h      3d1h
 *  3   2h       support chat    low     2   solved   1d     3d     1d2h    7d2h
 *  4   3h       support phone   normal  2   pending  -      -      -       3d3h
 *  5   1d       billing web     urgent  -   new      -      -      1d1h    1d4h
 *  6   2d       support email   high    1   open     -      -      2d4h    3d
 *  7   7d (=U)  billing email   normal  1   new      -      -      7d8h    10d
 *  8   -2d      billing email   normal  2   solved   1d     1d     -1d16h  1d
 *  9   -10d     support email   low     1   open     5d     5d     -9d     -3d
 * 10   -5d      support email   normal  2   solved   U+2h   U+2h   -4d16h  -2d
 * 11   4h       billing email   high    1   closed   5h     5h     8h      1d4h
 * 12   6d       billing email   normal  2   on_hold  -      -      6d8h    9d
 * 13   6d12h    support chat    urgent  -   new      -      -      6d13h   6d16h
 * 14   5d       support email   normal  1   open     -      -      5d8h    8d (=N)
 * 15   3d       billing email   normal  2   closed   3d4h   3d4h   3d8h    6d
 * Tags: vip on 1 3 9 14, refund on 3 5.  3 and 9 were reopened (9 at
 * U+1h); 4 is outbound, pending since 3h; 7 is created at until (out);
 * 8, 9, 10 were created before the period, 10 solved after it; 11 is
 * merged into 1 (out of everything); 14 has a note only.
 *
 * Messages (c customer, r reply, n note), offsets from S:
 *   1: c 0, r 1h          2: c 1h, n 1h30m, r 3h, c 4h, r 5h
 *   3: c 2h, r 2h30m, c 2d, r 2d1h                 4: r 3h (outbound)
 *   5: c 1d               6: c 2d, r 2d6h          7: c 7d
 *   8: c -2d, r -2d+1h    9: c -10d, r -10d+2h, c 7d1h
 *  10: c -5d, r -5d+1h   12: c 6d, r 6d1h         13: c 6d12h
 *  14: c 5d, n 5d10m     15: c 3d, r 3d2h         11: c 4h
 *
 * Created in the period (not merged): 1 2 3 4 5 6 12 13 14 15 = 10;
 * inbound (a customer message) 9, outbound 1 (4).
 * First response (seconds), answered: 1: 3600, 2: 7200 (the note does
 * not count), 3: 1800, 6: 21600, 12: 3600, 15: 7200; unanswered 5 13 14.
 *   sorted 1800 3600 3600 7200 7200 21600, n = 6 (even, with ties):
 *   median (3600 + 7200) / 2 = 5400; p90 rank ceil(5.4) = 6: 21600;
 *   mean 45000 / 6 = 7500.
 * First solved in the period: 1 2 3 8 9 15 = 6 (11 merged, 10 later).
 *   first resolution: 7200 18000 79200 259200 1296000 14400
 *     sorted 7200 14400 18000 79200 259200 1296000: median 48600,
 *     p90 rank 6: 1296000, mean 1674000 / 6 = 279000.
 *   full resolution: 7200 18000 252000 259200 1296000 14400
 *     sorted 7200 14400 18000 252000 259200 1296000: median 135000,
 *     p90 1296000, mean 1846800 / 6 = 307800.
 *   FCR: 1 (1 reply), 8 (1 reply), 15 (1 reply) = 3 of 6 = 50 %;
 *     2 has two replies, 3 and 9 were reopened.
 *   reopened: 3, 9 = 2 of 6 = 33.33 %.  Resolution rate 6 / 10 = 60 %.
 * SLA, tickets created in the period:
 *   first response: met 1 2 3 12 15 = 5; breached 5 (unanswered, due
 *   past), 6 (answered 2h late), 13, 14 = 4; 4 has no customer message.
 *   55.56 %.
 *   resolution: met 1 2 3 15 = 4; breached 5 6 13 = 3; undecided 4
 *   (pending, paused before its due time), 12 (due after N), 14 (due
 *   exactly at N, not before it).  57.14 %.
 *   Breaches by due time: 5 fr 1d1h, 5 res 1d4h, 6 fr 2d4h, 6 res 3d,
 *   14 fr 5d8h, 13 fr 6d13h, 13 res 6d16h = 7.
 * Backlog at U (status at U, age U - created):
 *   4 pending 6d21h, 5 new 6d, 6 open 5d, 12 on_hold 1d (exactly),
 *   13 new 12h, 14 open 2d, 10 open 12d (events: open at -5d+1h, solved
 *   at U+2h); 9 was solved at U (reopened at U+1h): out; 7 created at U.
 *   total 7; age <1d 1 (13), 1-3d 2 (12, 14), 3-7d 3 (4, 5, 6), >7d 1
 *   (10); new 2, open 3, pending 1, on_hold 1; low 0, normal 4 (4 10 12
 *   14), high 1 (6), urgent 2 (5 13).
 * Surveys answered in [S, U):
 *   CSAT: 1: 5 (3h), 2: 4 (7h), 3: 2 (3d), 8: 1 (exactly S); out: 15: 5
 *   (exactly U), 9: 5 (S - 1s).  4 answers, 2 satisfied: 50 %.
 *   CES: 1: 2, 2: 3, 15: 6 (4d); out: 3: 7 (U).  3 answers, sum 11,
 *   mean 3.6667.
 *   NPS: 1: 10, 2: 9, 3: 8, 6: 7, 15: 0, 12: 9; out: 14: 10 (U + 1s).
 *   6 answers: promoters 3, passives 2, detractors 1: 100 * 2 / 6 =
 *   33.33.
 *
 * By agent:                      alice           bob             (none)
 *   created / inbound / answered 4 / 4 / 3       4 / 3 / 3       2 / 2 / 0
 *   FRT values                   3600 7200 21600 1800 3600 7200  -
 *   FRT median / p90 / mean      7200/21600/10800 3600/7200/4200 -
 *   solved / fcr / reopened      3 / 1 / 1       3 / 2 / 1       0
 *   first res. median / p90      18000/1296000   79200/259200    -
 *   full res. median             18000           252000          -
 *   resolution rate              75 %            75 %            0 %
 *   backlog                      2 (6, 14)       3 (4, 12, 10)   2 (5, 13)
 *   SLA fr met / breached        2 / 2           3 / 0           0 / 2
 *   SLA res met / breached       2 / 1           2 / 0           0 / 2
 *   CSAT n / satisfied           2 / 2           2 / 0           0
 *   CES n / sum                  2 / 5           1 / 6           0
 *   NPS n / pro / pas / det      3 / 2 / 1 / 0   3 / 1 / 1 / 1   0
 *   NPS                          66.67           0               -
 * By tag (created in the period; FRT):
 *   vip: 1 3 14: answered 3600 1800: n = 2, median 2700, p90 rank
 *     ceil(1.8) = 2: 3600; refund: 3 5: 1800; untagged: 2 4 6 12 13 15:
 *     answered 7200 21600 3600 7200: median 7200, p90 rank 4: 21600.
 * With a fake business clock counting half of every span, the FRT
 *   values halve: 900 1800 1800 3600 3600 10800: median 2700, p90 10800,
 *   mean 3750. */

static char *dir, *db_path;
static struct store *st;
static int64_t S, U, N;
static int64_t tid[16]; /* fixture ticket n is tid[n] */
static int64_t alice, bob, sue;

struct spec {
	int n;
	int64_t created;
	const char *queue;
	enum channel ch;
	enum priority pr;
	int who; /* 0 none, 1 alice, 2 bob */
	enum status status;
	int64_t fs, ls, frd, rd; /* offsets; NONE: not set */
	int reopens;
	int merged_into;
	int64_t pending_since, updated;
	const char *tags[3];
};

#define NONE INT64_MIN
#define AFTER_U(x) (7 * D + (x))

static const struct spec specs[] = {
	{1, 0, "billing", CH_EMAIL, PRIO_HIGH, 1, ST_SOLVED, 2 * H, 2 * H, 4 * H, D, 0, 0, NONE,
	 2 * H, {"vip"}},
	{2, H, "billing", CH_EMAIL, PRIO_NORMAL, 1, ST_SOLVED, 6 * H, 6 * H, 9 * H, 3 * D + H, 0,
	 0, NONE, 6 * H, {0}},
	{3, 2 * H, "support", CH_CHAT, PRIO_LOW, 2, ST_SOLVED, D, 3 * D, D + 2 * H, 7 * D + 2 * H,
	 1, 0, NONE, 3 * D, {"vip", "refund"}},
	{4, 3 * H, "support", CH_PHONE, PRIO_NORMAL, 2, ST_PENDING, NONE, NONE, NONE,
	 3 * D + 3 * H, 0, 0, 3 * H, 3 * H, {0}},
	{5, D, "billing", CH_WEB, PRIO_URGENT, 0, ST_NEW, NONE, NONE, D + H, D + 4 * H, 0, 0, NONE,
	 D, {"refund"}},
	{6, 2 * D, "support", CH_EMAIL, PRIO_HIGH, 1, ST_OPEN, NONE, NONE, 2 * D + 4 * H, 3 * D, 0,
	 0, NONE, 2 * D + 6 * H, {0}},
	{7, 7 * D, "billing", CH_EMAIL, PRIO_NORMAL, 1, ST_NEW, NONE, NONE, 7 * D + 8 * H, 10 * D,
	 0, 0, NONE, 7 * D, {0}},
	{8, -2 * D, "billing", CH_EMAIL, PRIO_NORMAL, 2, ST_SOLVED, D, D, -D - 16 * H, D, 0, 0,
	 NONE, D, {0}},
	{9, -10 * D, "support", CH_EMAIL, PRIO_LOW, 1, ST_OPEN, 5 * D, 5 * D, -9 * D, -3 * D, 1, 0,
	 NONE, AFTER_U(H), {"vip"}},
	{10, -5 * D, "support", CH_EMAIL, PRIO_NORMAL, 2, ST_SOLVED, AFTER_U(2 * H),
	 AFTER_U(2 * H), -4 * D - 16 * H, -2 * D, 0, 0, NONE, AFTER_U(2 * H), {0}},
	{11, 4 * H, "billing", CH_EMAIL, PRIO_HIGH, 1, ST_CLOSED, 5 * H, 5 * H, 8 * H,
	 D + 4 * H, 0, 1, NONE, 5 * H, {0}},
	{12, 6 * D, "billing", CH_EMAIL, PRIO_NORMAL, 2, ST_ON_HOLD, NONE, NONE, 6 * D + 8 * H,
	 9 * D, 0, 0, NONE, 6 * D + H, {0}},
	{13, 6 * D + 12 * H, "support", CH_CHAT, PRIO_URGENT, 0, ST_NEW, NONE, NONE,
	 6 * D + 13 * H, 6 * D + 16 * H, 0, 0, NONE, 6 * D + 12 * H, {0}},
	{14, 5 * D, "support", CH_EMAIL, PRIO_NORMAL, 1, ST_OPEN, NONE, NONE, 5 * D + 8 * H, 8 * D,
	 0, 0, NONE, 5 * D + 600, {"vip"}},
	{15, 3 * D, "billing", CH_EMAIL, PRIO_NORMAL, 2, ST_CLOSED, 3 * D + 4 * H, 3 * D + 4 * H,
	 3 * D + 8 * H, 6 * D, 0, 0, NONE, 4 * D, {0}},
};

struct msg_spec {
	int n;
	enum msg_kind kind;
	int64_t at;
};

static const struct msg_spec msgs[] = {
	{1, MSG_CUSTOMER, 0},		{1, MSG_REPLY, H},
	{2, MSG_CUSTOMER, H},		{2, MSG_NOTE, H + 1800},
	{2, MSG_REPLY, 3 * H},		{2, MSG_CUSTOMER, 4 * H},
	{2, MSG_REPLY, 5 * H},		{3, MSG_CUSTOMER, 2 * H},
	{3, MSG_REPLY, 2 * H + 1800},	{3, MSG_CUSTOMER, 2 * D},
	{3, MSG_REPLY, 2 * D + H},	{4, MSG_REPLY, 3 * H},
	{5, MSG_CUSTOMER, D},		{6, MSG_CUSTOMER, 2 * D},
	{6, MSG_REPLY, 2 * D + 6 * H},	{7, MSG_CUSTOMER, 7 * D},
	{8, MSG_CUSTOMER, -2 * D},	{8, MSG_REPLY, -2 * D + H},
	{9, MSG_CUSTOMER, -10 * D},	{9, MSG_REPLY, -10 * D + 2 * H},
	{9, MSG_CUSTOMER, 7 * D + H},	{10, MSG_CUSTOMER, -5 * D},
	{10, MSG_REPLY, -5 * D + H},	{11, MSG_CUSTOMER, 4 * H},
	{12, MSG_CUSTOMER, 6 * D},	{12, MSG_REPLY, 6 * D + H},
	{13, MSG_CUSTOMER, 6 * D + 12 * H}, {14, MSG_CUSTOMER, 5 * D},
	{14, MSG_NOTE, 5 * D + 600},	{15, MSG_CUSTOMER, 3 * D},
	{15, MSG_REPLY, 3 * D + 2 * H},
};

struct survey_spec {
	int n;
	enum survey_kind kind;
	int score;
	int64_t at;
};

static const struct survey_spec surveys[] = {
	{1, SURVEY_CSAT, 5, 3 * H},  {2, SURVEY_CSAT, 4, 7 * H},    {3, SURVEY_CSAT, 2, 3 * D},
	{8, SURVEY_CSAT, 1, 0},      {15, SURVEY_CSAT, 5, 7 * D},   {9, SURVEY_CSAT, 5, -1},
	{1, SURVEY_CES, 2, 4 * H},   {2, SURVEY_CES, 3, 8 * H},     {15, SURVEY_CES, 6, 4 * D},
	{3, SURVEY_CES, 7, 7 * D},   {1, SURVEY_NPS, 10, 5 * H},    {2, SURVEY_NPS, 9, 9 * H},
	{3, SURVEY_NPS, 8, 3 * D},   {6, SURVEY_NPS, 7, 3 * D},     {15, SURVEY_NPS, 0, 5 * D},
	{12, SURVEY_NPS, 9, 6 * D + 2 * H}, {14, SURVEY_NPS, 10, 7 * D + 1},
};

static int64_t at(int64_t off)
{
	return off == NONE ? 0 : S + off;
}

static int64_t add_agent(const char *login, enum role role)
{
	struct derr e = {0};
	struct agent a = {.login = (char *)login, .name = (char *)login, .role = role,
			  .active = true, .created_at = S - 30 * D};
	ck_assert_int_eq(store_agent_insert(st, &a, &e), DESK_OK);
	return a.id;
}

static void status_event(int n, int64_t off, const char *from, const char *to)
{
	struct derr e = {0};
	struct event ev = {.ticket_id = tid[n], .agent_id = alice, .at = S + off,
			   .action = "set", .field = "status", .old_value = (char *)from,
			   .new_value = (char *)to};
	ck_assert_int_eq(store_event_insert(st, &ev, &e), DESK_OK);
}

static void setup(void)
{
	struct derr e = {0};
	ck_assert(time_parse_rfc3339("2026-03-02T00:00:00Z", &S));
	U = S + 7 * D;
	N = S + 8 * D;
	dir = test_tmpdir();
	db_path = test_db_path(dir);
	ck_assert_int_eq(store_open(db_path, STORE_CREATE, &st, &e), DESK_OK);
	ck_assert_int_eq(store_begin(st, &e), DESK_OK);
	alice = add_agent("alice", ROLE_AGENT);
	bob = add_agent("bob", ROLE_AGENT);
	sue = add_agent("sue", ROLE_SUPERVISOR);
	struct customer c = {.name = "Ann", .email = "ann@example.com", .created_at = S - D};
	ck_assert_int_eq(store_customer_insert(st, &c, &e), DESK_OK);
	for (size_t i = 0; i < ARRAY_LEN(specs); i++) {
		const struct spec *p = &specs[i];
		size_t ntags = 0;
		while (ntags < 3 && p->tags[ntags])
			ntags++;
		char *tags[4] = {0};
		for (size_t k = 0; k < ntags; k++)
			tags[k] = (char *)p->tags[k];
		struct ticket t = {
			.subject = "fixture",
			.status = p->status,
			.priority = p->pr,
			.channel = p->ch,
			.queue = (char *)p->queue,
			.customer_id = c.id,
			.assignee_id = p->who == 1 ? alice : p->who == 2 ? bob : 0,
			.created_at = S + p->created,
			.updated_at = S + p->updated,
			.first_solved_at = at(p->fs),
			.solved_at = at(p->ls),
			.closed_at = p->status == ST_CLOSED ? at(p->ls) + H : 0,
			.first_response_due = at(p->frd),
			.resolution_due = at(p->rd),
			.reopens = p->reopens,
			.merged_into = p->merged_into ? tid[p->merged_into] : 0,
			.pending_since = at(p->pending_since),
			.tags = ntags ? tags : NULL,
			.ntags = ntags,
		};
		ck_assert_int_eq(store_ticket_insert(st, &t, &e), DESK_OK);
		tid[p->n] = t.id;
	}
	for (size_t i = 0; i < ARRAY_LEN(msgs); i++) {
		const struct msg_spec *p = &msgs[i];
		struct message m = {.ticket_id = tid[p->n], .kind = p->kind, .body = "x",
				    .created_at = S + p->at,
				    .author_id = p->kind == MSG_CUSTOMER ? 0 : alice};
		ck_assert_int_eq(store_message_insert(st, &m, &e), DESK_OK);
	}
	for (size_t i = 0; i < ARRAY_LEN(surveys); i++) {
		const struct survey_spec *p = &surveys[i];
		struct survey s = {.ticket_id = tid[p->n], .kind = p->kind, .score = p->score,
				   .answered_at = S + p->at};
		ck_assert_int_eq(store_survey_insert(st, &s, &e), DESK_OK);
	}
	/* 9: solved in the period, reopened after it; 10: open at U, solved
	 * after it. */
	status_event(9, -10 * D + 2 * H, "new", "open");
	status_event(9, 5 * D, "open", "solved");
	status_event(9, AFTER_U(H), "solved", "open");
	status_event(10, -5 * D + H, "new", "open");
	status_event(10, AFTER_U(2 * H), "open", "solved");
	ck_assert_int_eq(store_commit(st, &e), DESK_OK);
}

static void teardown(void)
{
	store_close(&st);
	test_db_drop(&db_path);
	test_tmpdir_cleanup(&dir);
}

static void compute(enum metrics_by by, struct metrics *m)
{
	struct derr e = {0};
	struct metrics_query q = {.since = S, .until = U, .now = N, .by = by};
	ck_assert_msg(store_metrics(st, &q, m, &e) == DESK_OK, "%s", e.msg);
	report_derive(&m->total);
	for (size_t i = 0; i < m->n; i++)
		report_derive(&m->groups[i]);
}

static const struct metric_group *find(const struct metrics *m, const char *key)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->groups[i].key, key) == 0)
			return &m->groups[i];
	ck_abort_msg("no group \"%s\"", key);
	return NULL;
}

#define ck_near(x, y) ck_assert_double_eq_tol((x), (y), 0.005)

static void ck_dist(const struct metric_dist *d, int64_t n, double median, double p90,
		    double mean)
{
	ck_assert_int_eq(d->n, n);
	ck_near(d->median, median);
	ck_near(d->p90, p90);
	ck_near(d->mean, mean);
}

START_TEST(metrics_total)
{
	struct metrics m;
	compute(BY_NONE, &m);
	const struct metric_group *g = &m.total;
	ck_assert_ptr_null(g->key);
	ck_assert_uint_eq(m.n, 0);
	/* created in the period, first response */
	ck_assert_int_eq(g->created, 10);
	ck_assert_int_eq(g->inbound, 9);
	ck_assert_int_eq(g->answered, 6);
	ck_dist(&g->frt, 6, 5400, 21600, 7500);
	ck_assert_int_eq(g->frt_business.n, 0); /* no business clock */
	/* first solved in the period */
	ck_assert_int_eq(g->solved, 6);
	ck_dist(&g->first_resolution, 6, 48600, 1296000, 279000);
	ck_dist(&g->full_resolution, 6, 135000, 1296000, 307800);
	ck_assert_int_eq(g->fcr, 3);
	ck_near(g->fcr_pct, 50.0);
	ck_assert_int_eq(g->reopened, 2);
	ck_near(g->reopen_pct, 33.333);
	ck_near(g->resolution_rate_pct, 60.0);
	/* SLA */
	ck_assert_int_eq(g->fr_met, 5);
	ck_assert_int_eq(g->fr_breached, 4);
	ck_near(g->fr_sla_pct, 55.556);
	ck_assert_int_eq(g->res_met, 4);
	ck_assert_int_eq(g->res_breached, 3);
	ck_near(g->res_sla_pct, 57.143);
	/* backlog at U */
	ck_assert_int_eq(g->backlog, 7);
	ck_assert_int_eq(g->backlog_age[AGE_UNDER_1D], 1);
	ck_assert_int_eq(g->backlog_age[AGE_1D_3D], 2);
	ck_assert_int_eq(g->backlog_age[AGE_3D_7D], 3);
	ck_assert_int_eq(g->backlog_age[AGE_OVER_7D], 1);
	ck_assert_int_eq(g->backlog_status[ST_NEW], 2);
	ck_assert_int_eq(g->backlog_status[ST_OPEN], 3);
	ck_assert_int_eq(g->backlog_status[ST_PENDING], 1);
	ck_assert_int_eq(g->backlog_status[ST_ON_HOLD], 1);
	ck_assert_int_eq(g->backlog_priority[PRIO_LOW], 0);
	ck_assert_int_eq(g->backlog_priority[PRIO_NORMAL], 4);
	ck_assert_int_eq(g->backlog_priority[PRIO_HIGH], 1);
	ck_assert_int_eq(g->backlog_priority[PRIO_URGENT], 2);
	/* surveys */
	ck_assert_int_eq(g->csat_n, 4);
	ck_assert_int_eq(g->csat_satisfied, 2);
	ck_near(g->csat, 50.0);
	ck_assert_int_eq(g->ces_n, 3);
	ck_assert_int_eq(g->ces_sum, 11);
	ck_near(g->ces, 3.6667);
	ck_assert_int_eq(g->nps_n, 6);
	ck_assert_int_eq(g->nps_promoters, 3);
	ck_assert_int_eq(g->nps_passives, 2);
	ck_assert_int_eq(g->nps_detractors, 1);
	ck_near(g->nps, 33.333);
	metrics_free(&m);
}
END_TEST

START_TEST(metrics_by_agent)
{
	struct metrics m;
	compute(BY_AGENT, &m);
	/* the total is the same with a breakdown */
	ck_assert_int_eq(m.total.created, 10);
	ck_assert_int_eq(m.total.backlog, 7);
	ck_assert_uint_eq(m.n, 3);
	/* sorted by name, no agent last */
	ck_assert_str_eq(m.groups[0].key, "alice");
	ck_assert_str_eq(m.groups[1].key, "bob");
	ck_assert_str_eq(m.groups[2].key, "");

	const struct metric_group *a = find(&m, "alice");
	ck_assert_int_eq(a->created, 4);
	ck_assert_int_eq(a->inbound, 4);
	ck_assert_int_eq(a->answered, 3);
	ck_dist(&a->frt, 3, 7200, 21600, 10800);
	ck_assert_int_eq(a->solved, 3);
	ck_assert_int_eq(a->fcr, 1);
	ck_assert_int_eq(a->reopened, 1);
	ck_assert_int_eq(a->first_resolution.n, 3);
	ck_near(a->first_resolution.median, 18000);
	ck_near(a->first_resolution.p90, 1296000);
	ck_near(a->full_resolution.median, 18000);
	ck_near(a->resolution_rate_pct, 75.0);
	ck_assert_int_eq(a->backlog, 2);
	ck_assert_int_eq(a->backlog_status[ST_OPEN], 2);
	ck_assert_int_eq(a->fr_met, 2);
	ck_assert_int_eq(a->fr_breached, 2);
	ck_assert_int_eq(a->res_met, 2);
	ck_assert_int_eq(a->res_breached, 1);
	ck_assert_int_eq(a->csat_n, 2);
	ck_near(a->csat, 100.0);
	ck_near(a->ces, 2.5);
	ck_assert_int_eq(a->nps_n, 3);
	ck_near(a->nps, 66.667);

	const struct metric_group *b = find(&m, "bob");
	ck_assert_int_eq(b->created, 4);
	ck_assert_int_eq(b->inbound, 3);
	ck_assert_int_eq(b->answered, 3);
	ck_dist(&b->frt, 3, 3600, 7200, 4200);
	ck_assert_int_eq(b->solved, 3);
	ck_assert_int_eq(b->fcr, 2);
	ck_assert_int_eq(b->reopened, 1);
	ck_near(b->first_resolution.median, 79200);
	ck_near(b->first_resolution.p90, 259200);
	ck_near(b->full_resolution.median, 252000);
	ck_assert_int_eq(b->backlog, 3);
	ck_assert_int_eq(b->backlog_status[ST_PENDING], 1);
	ck_assert_int_eq(b->backlog_status[ST_ON_HOLD], 1);
	ck_assert_int_eq(b->backlog_status[ST_OPEN], 1);
	ck_assert_int_eq(b->backlog_age[AGE_OVER_7D], 1);
	ck_assert_int_eq(b->fr_met, 3);
	ck_assert_int_eq(b->fr_breached, 0);
	ck_near(b->fr_sla_pct, 100.0);
	ck_assert_int_eq(b->res_met, 2);
	ck_assert_int_eq(b->res_breached, 0);
	ck_near(b->csat, 0.0);
	ck_near(b->ces, 6.0);
	ck_near(b->nps, 0.0);

	const struct metric_group *none = find(&m, "");
	ck_assert_int_eq(none->created, 2);
	ck_assert_int_eq(none->answered, 0);
	ck_assert_int_eq(none->frt.n, 0);
	ck_assert_int_eq(none->solved, 0);
	ck_assert(isnan(none->fcr_pct)); /* no solved tickets: undefined */
	ck_near(none->resolution_rate_pct, 0.0);
	ck_assert_int_eq(none->backlog, 2);
	ck_assert_int_eq(none->backlog_priority[PRIO_URGENT], 2);
	ck_assert_int_eq(none->fr_breached, 2);
	ck_assert_int_eq(none->res_breached, 2);
	ck_assert_int_eq(none->csat_n, 0);
	ck_assert(isnan(none->csat));
	ck_assert(isnan(none->nps));
	metrics_free(&m);
}
END_TEST

START_TEST(metrics_by_tag_and_others)
{
	struct metrics m;
	compute(BY_TAG, &m);
	ck_assert_uint_eq(m.n, 3);
	ck_assert_str_eq(m.groups[0].key, "refund");
	ck_assert_str_eq(m.groups[1].key, "vip");
	ck_assert_str_eq(m.groups[2].key, ""); /* untagged last */
	const struct metric_group *vip = find(&m, "vip");
	ck_assert_int_eq(vip->created, 3);
	ck_dist(&vip->frt, 2, 2700, 3600, 2700); /* even count */
	ck_assert_int_eq(vip->solved, 3);        /* 1 3 9 */
	const struct metric_group *refund = find(&m, "refund");
	ck_assert_int_eq(refund->created, 2);
	ck_dist(&refund->frt, 1, 1800, 1800, 1800);
	const struct metric_group *none = find(&m, "");
	ck_assert_int_eq(none->created, 6);
	ck_dist(&none->frt, 4, 7200, 21600, 9900);
	metrics_free(&m);

	compute(BY_PRIORITY, &m);
	ck_assert_uint_eq(m.n, 4);
	ck_assert_str_eq(m.groups[0].key, "urgent"); /* most urgent first */
	ck_assert_str_eq(m.groups[3].key, "low");
	ck_assert_int_eq(find(&m, "urgent")->created, 2);  /* 5 13 */
	ck_assert_int_eq(find(&m, "high")->created, 2);    /* 1 6 */
	ck_assert_int_eq(find(&m, "normal")->created, 5);  /* 2 4 12 14 15 */
	ck_assert_int_eq(find(&m, "low")->created, 1);     /* 3 */
	ck_assert_int_eq(find(&m, "normal")->backlog, 4);
	metrics_free(&m);

	compute(BY_QUEUE, &m);
	ck_assert_int_eq(find(&m, "billing")->created, 5); /* 1 2 5 12 15 */
	ck_assert_int_eq(find(&m, "support")->created, 5); /* 3 4 6 13 14 */
	ck_assert_int_eq(find(&m, "billing")->solved, 4);  /* 1 2 8 15 */
	metrics_free(&m);

	compute(BY_CHANNEL, &m);
	ck_assert_int_eq(find(&m, "email")->created, 6);
	ck_assert_int_eq(find(&m, "chat")->created, 2);
	ck_assert_int_eq(find(&m, "phone")->created, 1);
	ck_assert_int_eq(find(&m, "phone")->inbound, 0); /* the outbound ticket */
	ck_assert_int_eq(find(&m, "web")->created, 1);
	metrics_free(&m);
}
END_TEST

static int64_t half(void *ctx, int64_t a, int64_t b)
{
	(void)ctx;
	return (b - a) / 2;
}

START_TEST(metrics_business_clock)
{
	struct derr e = {0};
	struct metrics m;
	struct metrics_query q = {.since = S, .until = U, .now = N, .business = half};
	ck_assert_int_eq(store_metrics(st, &q, &m, &e), DESK_OK);
	ck_dist(&m.total.frt, 6, 5400, 21600, 7500);
	ck_dist(&m.total.frt_business, 6, 2700, 10800, 3750);
	metrics_free(&m);
}
END_TEST

/* A period with nothing in it: counts 0, ratios undefined, no values. */
START_TEST(metrics_empty_period)
{
	struct derr e = {0};
	struct metrics m;
	struct metrics_query q = {.since = S - 40 * D, .until = S - 30 * D, .now = N,
				  .by = BY_AGENT};
	ck_assert_int_eq(store_metrics(st, &q, &m, &e), DESK_OK);
	report_derive(&m.total);
	ck_assert_int_eq(m.total.created, 0);
	ck_assert_int_eq(m.total.solved, 0);
	ck_assert_int_eq(m.total.frt.n, 0);
	ck_assert_int_eq(m.total.backlog, 0);
	ck_assert_int_eq(m.total.csat_n, 0);
	ck_assert(isnan(m.total.resolution_rate_pct));
	ck_assert(isnan(m.total.fr_sla_pct));
	ck_assert(isnan(m.total.ces));
	ck_assert_uint_eq(m.n, 0);
	metrics_free(&m);
}
END_TEST

/* The period's edges: a ticket created exactly at since is in, exactly
 * at until is out; so are surveys. */
START_TEST(metrics_period_edges)
{
	struct derr e = {0};
	struct metrics m;
	/* [U, U + 1d): ticket 7 (created at U) alone; the surveys at U. */
	struct metrics_query q = {.since = U, .until = U + D, .now = N};
	ck_assert_int_eq(store_metrics(st, &q, &m, &e), DESK_OK);
	ck_assert_int_eq(m.total.created, 1);
	ck_assert_int_eq(m.total.csat_n, 1);  /* 15: 5 at U */
	ck_assert_int_eq(m.total.ces_n, 1);   /* 3: 7 at U */
	ck_assert_int_eq(m.total.nps_n, 1);   /* 14: 10 at U + 1s */
	ck_assert_int_eq(m.total.solved, 1); /* 10, first solved at U + 2h */
	metrics_free(&m);
	/* [S, S + 1s): ticket 1 and the CSAT answer at S only */
	q = (struct metrics_query){.since = S, .until = S + 1, .now = N};
	ck_assert_int_eq(store_metrics(st, &q, &m, &e), DESK_OK);
	ck_assert_int_eq(m.total.created, 1);
	ck_assert_int_eq(m.total.csat_n, 1);
	ck_assert_int_eq(m.total.csat_satisfied, 0);
	metrics_free(&m);
}
END_TEST

/* Thread order within one second: a reply stored before the customer's
 * first message does not answer it, one stored after does. */
START_TEST(metrics_same_second)
{
	struct derr e = {0};
	int64_t t0 = S + 100 * D;
	struct ticket a = {.subject = "a", .queue = "q", .created_at = t0, .updated_at = t0};
	struct ticket b = {.subject = "b", .queue = "q", .created_at = t0 + 10,
			   .updated_at = t0 + 10};
	ck_assert_int_eq(store_ticket_insert(st, &a, &e), DESK_OK);
	ck_assert_int_eq(store_ticket_insert(st, &b, &e), DESK_OK);
	struct message m[] = {
		{.ticket_id = a.id, .kind = MSG_REPLY, .created_at = t0},
		{.ticket_id = a.id, .kind = MSG_CUSTOMER, .created_at = t0},
		{.ticket_id = a.id, .kind = MSG_REPLY, .created_at = t0 + 60},
		{.ticket_id = b.id, .kind = MSG_CUSTOMER, .created_at = t0 + 10},
		{.ticket_id = b.id, .kind = MSG_REPLY, .created_at = t0 + 10},
	};
	for (size_t i = 0; i < ARRAY_LEN(m); i++) {
		m[i].body = "x";
		m[i].author_id = m[i].kind == MSG_REPLY ? alice : 0;
		ck_assert_int_eq(store_message_insert(st, &m[i], &e), DESK_OK);
	}
	struct metrics r;
	struct metrics_query q = {.since = t0, .until = t0 + D, .now = t0 + 2 * D};
	ck_assert_int_eq(store_metrics(st, &q, &r, &e), DESK_OK);
	ck_assert_int_eq(r.total.created, 2);
	ck_dist(&r.total.frt, 2, 30, 60, 30); /* 60 and 0 */
	metrics_free(&r);
}
END_TEST

struct seen {
	int n;
	int64_t ticket[8];
	char target[8][16];
	int64_t due[8], done[8];
};

static int collect(void *ctx, const struct sla_breach *b)
{
	struct seen *s = ctx;
	ck_assert_int_lt(s->n, 8);
	s->ticket[s->n] = b->ticket_id;
	snprintf(s->target[s->n], sizeof s->target[0], "%s", b->target);
	s->due[s->n] = b->due;
	s->done[s->n] = b->done_at;
	s->n++;
	return 0;
}

START_TEST(metrics_breaches)
{
	struct derr e = {0};
	struct metrics m;
	struct seen s = {0};
	compute(BY_TAG, &m); /* the breakdown does not matter */
	ck_assert_int_eq(store_sla_breaches(st, &m, 0, collect, &s, &e), DESK_OK);
	ck_assert_int_eq(s.n, 7);
	struct seen two = {0};
	ck_assert_int_eq(store_sla_breaches(st, &m, 2, collect, &two, &e), DESK_OK);
	ck_assert_int_eq(two.n, 2);
	ck_assert_int_eq(two.ticket[1], tid[5]);
	ck_assert_str_eq(two.target[1], "resolution");
	metrics_free(&m);
	static const struct {
		int n;
		const char *target;
		int64_t due, done;
	} want[] = {
		{5, "first_response", D + H, NONE},
		{5, "resolution", D + 4 * H, NONE},
		{6, "first_response", 2 * D + 4 * H, 2 * D + 6 * H},
		{6, "resolution", 3 * D, NONE},
		{14, "first_response", 5 * D + 8 * H, NONE},
		{13, "first_response", 6 * D + 13 * H, NONE},
		{13, "resolution", 6 * D + 16 * H, NONE},
	};
	for (int i = 0; i < 7; i++) {
		ck_assert_int_eq(s.ticket[i], tid[want[i].n]);
		ck_assert_str_eq(s.target[i], want[i].target);
		ck_assert_int_eq(s.due[i], S + want[i].due);
		ck_assert_int_eq(s.done[i], at(want[i].done));
	}
}
END_TEST

START_TEST(metrics_json)
{
	struct derr e = {0};
	struct metrics m;
	compute(BY_AGENT, &m);
	char *json;
	ck_assert_msg(store_metrics_json(st, &m, &json, &e) == DESK_OK, "%s", e.msg);
	/* Written alike on both engines, as SQLite writes JSON: no spaces,
	 * a real with its ".0". */
	ck_assert_msg(strstr(json, ",\"first_contact_resolution\":{\"solved\":6,\"count\":3,"
				   "\"percent\":50.0},") != NULL, "%s", json);
	char *first = xasprintf("\"breaches\":[{\"ticket\":%lld,\"target\":\"first_response\","
				"\"due\":\"2026-03-03T01:00:00Z\",\"done_at\":null,",
				(long long)tid[5]);
	ck_assert_msg(strstr(json, first) != NULL, "%s", json);
	free(first);
	/* Parsed by SQLite whatever holds the tickets: reading JSON is
	 * json.c's, not the report's. */
	struct store *parser = st;
	char *parser_path = NULL;
	if (test_db_on_pg()) {
		parser_path = xasprintf("%s/json.db", dir);
		ck_assert_int_eq(store_open(parser_path, STORE_CREATE, &parser, &e), DESK_OK);
	}
	struct json_node *root;
	ck_assert_msg(store_json_parse(parser, json, &root, &e) == DESK_OK, "%s", e.msg);
	if (parser != st)
		store_close(&parser);
	free(parser_path);
	const struct json_node *p = json_get(root, "since");
	ck_assert_str_eq(p->text, "2026-03-02T00:00:00Z");
	ck_assert_str_eq(json_get(root, "until")->text, "2026-03-09T00:00:00Z");
	ck_assert_str_eq(json_get(root, "by")->text, "agent");
	ck_assert_int_eq(json_get(root, "business_hours")->type, JSON_FALSE);
	const struct json_node *t = json_get(root, "total");
	ck_assert_int_eq(json_get(t, "key")->type, JSON_NULL);
	ck_assert_int_eq(json_get(t, "created")->integer, 10);
	const struct json_node *fr = json_get(t, "first_response");
	ck_assert_int_eq(json_get(fr, "tickets")->integer, 9);
	ck_assert_int_eq(json_get(fr, "outbound")->integer, 1);
	ck_assert_int_eq(json_get(fr, "answered")->integer, 6);
	ck_assert_int_eq(json_get(fr, "unanswered")->integer, 3);
	ck_assert_str_eq(json_get(fr, "median_seconds")->text, "5400.0");
	ck_assert_str_eq(json_get(fr, "p90_seconds")->text, "21600.0");
	ck_assert_int_eq(json_get(fr, "business")->type, JSON_NULL);
	const struct json_node *res = json_get(t, "resolution");
	ck_assert_str_eq(json_get(json_get(res, "first"), "median_seconds")->text, "48600.0");
	ck_assert_str_eq(json_get(json_get(res, "full"), "mean_seconds")->text, "307800.0");
	ck_assert_str_eq(json_get(json_get(t, "first_contact_resolution"), "percent")->text,
			 "50.0");
	ck_assert_str_eq(json_get(json_get(t, "reopen_rate"), "percent")->text, "33.33");
	ck_assert_str_eq(json_get(json_get(t, "resolution_rate"), "percent")->text, "60.0");
	const struct json_node *bl = json_get(t, "backlog");
	ck_assert_int_eq(json_get(bl, "total")->integer, 7);
	ck_assert_int_eq(json_get(json_get(bl, "age"), "3d_to_7d")->integer, 3);
	ck_assert_int_eq(json_get(json_get(bl, "status"), "on_hold")->integer, 1);
	ck_assert_int_eq(json_get(json_get(bl, "priority"), "urgent")->integer, 2);
	const struct json_node *sla = json_get(t, "sla");
	ck_assert_int_eq(json_get(json_get(sla, "first_response"), "breached")->integer, 4);
	ck_assert_str_eq(json_get(json_get(sla, "resolution"), "percent")->text, "57.14");
	ck_assert_str_eq(json_get(json_get(t, "csat"), "score")->text, "50.0");
	ck_assert_str_eq(json_get(json_get(t, "ces"), "score")->text, "3.67");
	ck_assert_str_eq(json_get(json_get(t, "nps"), "score")->text, "33.33");
	/* groups, then the breaches */
	const struct json_node *groups = json_get(root, "groups");
	ck_assert_int_eq(groups->type, JSON_ARRAY);
	const struct json_node *g = groups->child;
	ck_assert_str_eq(json_get(g, "key")->text, "alice");
	ck_assert_int_eq(json_get(json_get(g, "nps"), "promoters")->integer, 2);
	g = g->next->next;
	ck_assert_str_eq(json_get(g, "key")->text, "(unassigned)");
	ck_assert_int_eq(json_get(json_get(g, "first_response"), "median_seconds")->type,
			 JSON_NULL);
	ck_assert_ptr_null(g->next);
	const struct json_node *b = json_get(root, "breaches")->child;
	ck_assert_int_eq(json_get(b, "ticket")->integer, tid[5]);
	ck_assert_str_eq(json_get(b, "target")->text, "first_response");
	ck_assert_str_eq(json_get(b, "due")->text, "2026-03-03T01:00:00Z");
	ck_assert_int_eq(json_get(b, "done_at")->type, JSON_NULL);
	ck_assert_int_eq(json_get(b, "late_seconds")->integer, N - (S + D + H));
	ck_assert_str_eq(json_get(b, "priority")->text, "urgent");
	ck_assert_int_eq(json_get(b, "assignee")->type, JSON_NULL);
	b = b->next->next;
	ck_assert_int_eq(json_get(b, "late_seconds")->integer, 2 * H); /* 6, answered late */
	int nb = 0;
	for (b = json_get(root, "breaches")->child; b; b = b->next)
		nb++;
	ck_assert_int_eq(nb, 7);
	json_node_free(&root);
	free(json);
	metrics_free(&m);
}
END_TEST

/* The lists of the JSON report: the period's survey comments, oldest
 * first, and the articles its replies used, most used first, then by
 * slug byte by byte; the same text on both engines. */
START_TEST(metrics_lists_json)
{
	struct derr e = {0};
	struct message msg = {.ticket_id = tid[1], .kind = MSG_REPLY, .body = "see kb",
			      .created_at = S + H, .author_id = alice};
	ck_assert_int_eq(store_message_insert(st, &msg, &e), DESK_OK);
	static const struct {
		int n;
		int64_t off;
		const char *comment;
	} said[] = {{2, 2 * H, "fast \"really\"\nthanks"}, {1, H, "slow"}, {3, 3 * H, ""},
		    {3, 7 * D, "after the period"}, {3, -1, "before it"}};
	for (size_t i = 0; i < ARRAY_LEN(said); i++) {
		struct survey sv = {.ticket_id = tid[said[i].n], .kind = SURVEY_CSAT, .score = 4,
				    .answered_at = S + said[i].off, .comment = (char *)said[i].comment};
		ck_assert_int_eq(store_survey_insert(st, &sv, &e), DESK_OK);
	}
	static const char *const files[][2] = {{"Zeta", "Z title"}, {"alpha", "A title"}};
	for (size_t i = 0; i < ARRAY_LEN(files); i++) {
		struct stmt *s = st_prep(st,
					  "INSERT INTO kb_files (file, slug, mtime_ns, size, sha256,"
					  " title, audience) VALUES (?1, ?1, 1, 1, 'x', ?2, 'public')",
					  &e);
		ck_assert_ptr_nonnull(s);
		bind_text(s, 1, files[i][0]);
		bind_text(s, 2, files[i][1]);
		ck_assert_msg(st_exec_stmt(st, s, &e, "adding an article") == DESK_OK, "%s", e.msg);
	}
	static const struct {
		const char *slug;
		int64_t off;
	} used[] = {{"alpha", H}, {"gone", 2 * H}, {"Zeta", 3 * H}, {"gone", 4 * H},
		    {"alpha", 7 * D}};
	for (size_t i = 0; i < ARRAY_LEN(used); i++) {
		struct stmt *s = st_prep(st,
					  "INSERT INTO kb_uses (slug, ticket_id, message_id, agent_id,"
					  " at) VALUES (?1, ?2, ?3, ?4, ?5)",
					  &e);
		ck_assert_ptr_nonnull(s);
		bind_text(s, 1, used[i].slug);
		bind_int(s, 2, tid[1]);
		bind_int(s, 3, msg.id);
		bind_int(s, 4, alice);
		bind_int(s, 5, S + used[i].off);
		ck_assert_msg(st_exec_stmt(st, s, &e, "using an article") == DESK_OK, "%s", e.msg);
	}
	char *out = NULL;
	ck_assert_msg(store_report_lists_json(st, S, U, "{\"report\":1}", &out, &e) == DESK_OK,
		      "%s", e.msg);
	char *want = xasprintf(
		"{\"report\":1,\"survey_comments\":["
		"{\"ticket\":%lld,\"answered_at\":\"2026-03-02T01:00:00Z\",\"kind\":\"csat\","
		"\"score\":4,\"comment\":\"slow\"},"
		"{\"ticket\":%lld,\"answered_at\":\"2026-03-02T02:00:00Z\",\"kind\":\"csat\","
		"\"score\":4,\"comment\":\"fast \\\"really\\\"\\nthanks\"}],"
		"\"knowledge_base\":[{\"slug\":\"gone\",\"title\":null,\"uses\":2},"
		"{\"slug\":\"Zeta\",\"title\":\"Z title\",\"uses\":1},"
		"{\"slug\":\"alpha\",\"title\":\"A title\",\"uses\":1}]}",
		(long long)tid[1], (long long)tid[2]);
	ck_assert_str_eq(out, want);
	free(want);
	free(out);
}
END_TEST

/* Reports are for supervisors and admins, enforced in core. */
START_TEST(metrics_report_roles)
{
	struct derr e = {0};
	struct config cfg;
	config_defaults(&cfg);
	struct desk d = {.st = st, .cfg = &cfg};
	struct metrics m;
	struct report_opts o = {.since = S, .until = U};
	ck_assert_int_eq(store_agent_get(st, alice, &d.me, &e), DESK_OK);
	ck_assert_int_eq(core_report_open(&d, &o, &m, &e), DESK_EDENIED);
	ck_assert_str_eq(e.msg, "reports are for supervisors and admins");
	core_report_close(&d, &m);
	agent_free(&d.me);

	ck_assert_int_eq(store_agent_get(st, sue, &d.me, &e), DESK_OK);
	setenv("DESK_NOW", "2026-03-10T00:00:00Z", 1);
	ck_assert_int_eq(core_report_open(&d, &o, &m, &e), DESK_OK);
	ck_assert_int_eq(m.total.created, 10);
	ck_near(m.total.fcr_pct, 50.0); /* derived by core */
	ck_assert_int_eq(core_report_breaches(&d, &m, 0, NULL, NULL, &e), DESK_OK);
	ck_assert_int_eq(m.total.fr_breached + m.total.res_breached, 7);
	core_report_close(&d, &m);
	/* the default period: the 30 days up to now */
	o = (struct report_opts){0};
	ck_assert_int_eq(core_report_open(&d, &o, &m, &e), DESK_OK);
	ck_assert_int_eq(m.q.until, N);
	ck_assert_int_eq(m.q.since, N - 30 * D);
	ck_assert_int_eq(m.total.created, 14); /* all but 11 (merged) */
	core_report_close(&d, &m);
	o = (struct report_opts){.since = U, .until = S};
	ck_assert_int_eq(core_report_open(&d, &o, &m, &e), DESK_EUSAGE);
	core_report_close(&d, &m);
	unsetenv("DESK_NOW");
	agent_free(&d.me);
	config_free(&cfg);
}
END_TEST

Suite *suite_metrics(void)
{
	Suite *s = suite_create("metrics");
	TCase *t = tcase_create("report");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, metrics_total);
	tcase_add_test(t, metrics_by_agent);
	tcase_add_test(t, metrics_by_tag_and_others);
	tcase_add_test(t, metrics_business_clock);
	tcase_add_test(t, metrics_empty_period);
	tcase_add_test(t, metrics_period_edges);
	tcase_add_test(t, metrics_same_second);
	tcase_add_test(t, metrics_breaches);
	tcase_add_test(t, metrics_json);
	tcase_add_test(t, metrics_lists_json);
	tcase_add_test(t, metrics_report_roles);
	suite_add_tcase(s, t);
	return s;
}
