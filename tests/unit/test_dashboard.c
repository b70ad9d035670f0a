/* test_dashboard.c: the console dashboard's store counts against a
 * fixture whose figures were worked out by hand (the table below), the
 * age: filter term, sparklines, who may open the dashboard, and bulk
 * changes (roles, audit rows, partial failure, all-or-nothing per
 * ticket). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "core.h"
#include "metrics.h"
#include "report.h"
#include "testlib.h"
#include "util.h"
#include "../../src/store/internal.h"
#include "../../src/store/pg_hints.h"
#include "../../src/tui/format.h"

#define H INT64_C(3600)
#define D INT64_C(86400)
#define NONE INT64_MIN

/* Three UTC days: D0 = 2026-03-08T00:00Z, D1 = D0 + 1d, D2 = D0 + 2d,
 * the period ending at D3 = D0 + 3d; now is NOW = D2 + 12h.  Offsets
 * are from D0; "due" from NOW.
 *
 *  T   created  status    pri     who    due      first solved / events
 *  1   -10d     open      high    alice  -2h
 *  2   2h       new       urgent  -      +1h
 *  3   2d1h     pending   normal  alice  +30m     (pending: no risk, no breach)
 *  4   1d3h     on_hold   low     bob    +10h
 *  5   -2d      open      normal  bob    +3h
 *  6   1h       solved    normal  alice  -        first solved 1d2h (open->solved)
 *  7   -3d      closed    normal  alice  -        solved -1d, closed 0
 *  8   -1d      open      normal  alice  +5h      solved 5h, reopened 1d1h
 *  9   1d       closed    normal  -      -        merged into 1: out of everything
 * 10   2d2h     open      normal  dave   none     (dave is inactive)
 * Agents: alice, bob (agents), sue (supervisor), carol and dave
 * inactive; carol holds nothing.
 *
 * Backlog now (new, open, pending, on_hold): 1 2 3 4 5 8 10 = 7.
 *   new/urgent 1 (2); open/high 1 (1); open/normal 3 (5 8 10);
 *   pending/normal 1 (3); on_hold/low 1 (4).
 *   Age = NOW - created: 1 10d12h (>7d), 2 2d10h (1-3d), 3 11h (<1d),
 *   4 1d9h (1-3d), 5 4d12h (3-7d), 8 3d12h (3-7d), 10 10h (<1d):
 *   <1d 2, 1-3d 2, 3-7d 2, >7d 1.
 * Load, breaching = not pending and due before NOW + 4h:
 *   alice open 2 (1 8), pending 1 (3), breaching 1 (1: 8 is due in 5h);
 *   bob open 2 (4 5), pending 0, breaching 1 (5; 4 is due in 10h);
 *   dave (inactive, holds 10) 1 0 0 (no due time); sue 0 0 0; carol
 *   (inactive, nothing) not listed; unassigned 1 0 1 (2).
 *   Order: alice, bob, dave, sue, then unassigned.
 * Risk, by due time, not pending: 1 (-2h), 2 (+1h), 5 (+3h), 8 (+5h),
 *   4 (+10h); 3 is pending, 10 has no due time.
 * Per day:
 *   created: D0 2 (2, 6), D1 1 (4; 9 merged), D2 2 (3, 10).
 *   first solved: D0 1 (8), D1 1 (6), D2 0 (7 was solved before D0).
 *   backlog at D1 (end of D0): 1 2 5 open; 6 open (its first status
 *     event, after D1, left "open"); 8 solved at 5h; 7 solved before;
 *     4 3 10 not yet created: 4.
 *   backlog at D2: 1 2 5, 8 (reopened at 1d1h), 4 (created 1d3h); 6
 *     solved at 1d2h: 5 (and desk report's backlog at D2 says so too).
 *   backlog at NOW (D2 not over): all 7.
 * The age: filter at NOW, every status, not merged: age:1d-3d 2 4 6
 *   (6: 2d11h) = 3; with the open statuses 2 4 = 2; age:<1d 3 10 = 2;
 *   age:>7d 1 = 1. */

static char *dir, *db_path;
static struct store *st;
static int64_t D0, NOW;
static int64_t tid[11];
static int64_t alice, bob, sue, carol, dave;

struct spec {
	int n;
	int64_t created;
	enum status status;
	enum priority pr;
	int64_t *who;
	int64_t due; /* from NOW; NONE: none */
	int64_t fs, ls, closed, updated; /* from D0; NONE: none */
	int reopens;
	int merged_into;
};

static const struct spec specs[] = {
	{1, -10 * D, ST_OPEN, PRIO_HIGH, &alice, -2 * H, NONE, NONE, NONE, -10 * D, 0, 0},
	{2, 2 * H, ST_NEW, PRIO_URGENT, NULL, H, NONE, NONE, NONE, 2 * H, 0, 0},
	{3, 2 * D + H, ST_PENDING, PRIO_NORMAL, &alice, 1800, NONE, NONE, NONE, 2 * D + H, 0, 0},
	{4, D + 3 * H, ST_ON_HOLD, PRIO_LOW, &bob, 10 * H, NONE, NONE, NONE, D + 3 * H, 0, 0},
	{5, -2 * D, ST_OPEN, PRIO_NORMAL, &bob, 3 * H, NONE, NONE, NONE, -2 * D, 0, 0},
	{6, H, ST_SOLVED, PRIO_NORMAL, &alice, NONE, D + 2 * H, D + 2 * H, NONE, D + 2 * H, 0, 0},
	{7, -3 * D, ST_CLOSED, PRIO_NORMAL, &alice, NONE, -D, -D, 0, 0, 0, 0},
	{8, -D, ST_OPEN, PRIO_NORMAL, &alice, 5 * H, 5 * H, 5 * H, NONE, D + H, 1, 0},
	{9, D, ST_CLOSED, PRIO_NORMAL, NULL, NONE, NONE, NONE, D, D, 0, 1},
	{10, 2 * D + 2 * H, ST_OPEN, PRIO_NORMAL, &dave, NONE, NONE, NONE, NONE, 2 * D + 2 * H, 0,
	 0},
};

static int64_t off(int64_t base, int64_t x)
{
	return x == NONE ? 0 : base + x;
}

static int64_t add_agent(const char *login, enum role role, bool active)
{
	struct derr e = {0};
	struct agent a = {.login = (char *)login, .name = (char *)login, .role = role,
			  .active = active, .created_at = D0 - 30 * D};
	ck_assert_int_eq(store_agent_insert(st, &a, &e), DESK_OK);
	return a.id;
}

static void status_event(int n, int64_t at, const char *from, const char *to)
{
	struct derr e = {0};
	struct event ev = {.ticket_id = tid[n], .agent_id = alice, .at = D0 + at,
			   .action = "set", .field = "status", .old_value = (char *)from,
			   .new_value = (char *)to};
	ck_assert_int_eq(store_event_insert(st, &ev, &e), DESK_OK);
}

static void setup(void)
{
	struct derr e = {0};
	ck_assert(time_parse_rfc3339("2026-03-08T00:00:00Z", &D0));
	NOW = D0 + 2 * D + 12 * H;
	char now[32];
	snprintf(now, sizeof now, "%lld", (long long)NOW);
	setenv("DESK_NOW", now, 1);
	dir = test_tmpdir();
	db_path = test_db_path(dir);
	ck_assert_int_eq(store_open(db_path, STORE_CREATE, &st, &e), DESK_OK);
	ck_assert_int_eq(store_begin(st, &e), DESK_OK);
	alice = add_agent("alice", ROLE_AGENT, true);
	bob = add_agent("bob", ROLE_AGENT, true);
	sue = add_agent("sue", ROLE_SUPERVISOR, true);
	carol = add_agent("carol", ROLE_AGENT, false);
	dave = add_agent("dave", ROLE_AGENT, false);
	struct customer c = {.name = "Ann", .email = "ann@example.com", .created_at = D0 - 20 * D};
	ck_assert_int_eq(store_customer_insert(st, &c, &e), DESK_OK);
	for (size_t i = 0; i < ARRAY_LEN(specs); i++) {
		const struct spec *p = &specs[i];
		struct ticket t = {
			.subject = "fixture",
			.status = p->status,
			.priority = p->pr,
			.channel = CH_EMAIL,
			.queue = "general",
			.customer_id = c.id,
			.assignee_id = p->who ? *p->who : 0,
			.created_at = D0 + p->created,
			.updated_at = D0 + p->updated,
			.first_solved_at = off(D0, p->fs),
			.solved_at = off(D0, p->ls),
			.closed_at = off(D0, p->closed),
			.next_due = off(NOW, p->due),
			.reopens = p->reopens,
			.merged_into = p->merged_into ? tid[p->merged_into] : 0,
		};
		ck_assert_int_eq(store_ticket_insert(st, &t, &e), DESK_OK);
		tid[p->n] = t.id;
	}
	status_event(6, D + 2 * H, "open", "solved");
	status_event(7, -D, "open", "solved");
	status_event(7, 0, "solved", "closed");
	status_event(8, 5 * H, "open", "solved");
	status_event(8, D + H, "solved", "open");
	ck_assert_int_eq(store_commit(st, &e), DESK_OK);
}

static void teardown(void)
{
	store_close(&st);
	test_db_drop(&db_path);
	test_tmpdir_cleanup(&dir);
	unsetenv("DESK_NOW");
}

/* --- the store's counts ------------------------------------------------- */

START_TEST(dash_backlog_by_status_priority_and_age)
{
	struct derr e = {0};
	struct dash_backlog b;
	ck_assert_msg(store_dash_backlog(st, NOW, &b, &e) == DESK_OK, "%s", e.msg);
	ck_assert_int_eq(b.total, 7);
	ck_assert_int_eq(b.by[ST_NEW][PRIO_URGENT], 1);
	ck_assert_int_eq(b.by[ST_OPEN][PRIO_HIGH], 1);
	ck_assert_int_eq(b.by[ST_OPEN][PRIO_NORMAL], 3);
	ck_assert_int_eq(b.by[ST_PENDING][PRIO_NORMAL], 1);
	ck_assert_int_eq(b.by[ST_ON_HOLD][PRIO_LOW], 1);
	int64_t sum = 0;
	for (int s = 0; s <= ST_ON_HOLD; s++)
		for (int p = 0; p < PRIO__COUNT; p++)
			sum += b.by[s][p];
	ck_assert_int_eq(sum, 7); /* nothing else anywhere */
	ck_assert_int_eq(b.age[AGE_UNDER_1D], 2);
	ck_assert_int_eq(b.age[AGE_1D_3D], 2);
	ck_assert_int_eq(b.age[AGE_3D_7D], 2);
	ck_assert_int_eq(b.age[AGE_OVER_7D], 1);
}
END_TEST

START_TEST(dash_load_per_agent)
{
	struct derr e = {0};
	struct dash_load_list l;
	ck_assert_int_eq(store_dash_load(st, NOW + 4 * H, &l, &e), DESK_OK);
	ck_assert_uint_eq(l.n, 5);
	static const struct {
		const char *login;
		int64_t open, pending, breaching;
	} want[] = {{"alice", 2, 1, 1}, {"bob", 2, 0, 1}, {"dave", 1, 0, 0}, {"sue", 0, 0, 0},
		    {NULL, 1, 0, 1}};
	for (size_t i = 0; i < ARRAY_LEN(want) && i < l.n; i++) {
		if (want[i].login)
			ck_assert_str_eq(l.v[i].login, want[i].login);
		else
			ck_assert_ptr_null(l.v[i].login);
		ck_assert_int_eq(l.v[i].open, want[i].open);
		ck_assert_int_eq(l.v[i].pending, want[i].pending);
		ck_assert_int_eq(l.v[i].breaching, want[i].breaching);
	}
	dash_load_list_free(&l);
	/* A later horizon: 8 (due in 5h) breaches too. */
	ck_assert_int_eq(store_dash_load(st, NOW + 6 * H, &l, &e), DESK_OK);
	ck_assert_int_eq(l.v[0].breaching, 2);
	dash_load_list_free(&l);
}
END_TEST

START_TEST(dash_risk_list)
{
	struct derr e = {0};
	struct dash_risk_list r;
	ck_assert_int_eq(store_dash_risk(st, 10, &r, &e), DESK_OK);
	int want[] = {1, 2, 5, 8, 4};
	ck_assert_uint_eq(r.n, ARRAY_LEN(want));
	for (size_t i = 0; i < r.n; i++)
		ck_assert_int_eq(r.v[i].id, tid[want[i]]);
	ck_assert_int_eq(r.v[0].due, NOW - 2 * H);
	ck_assert_str_eq(r.v[0].assignee, "alice");
	ck_assert_ptr_null(r.v[1].assignee);
	ck_assert_int_eq(r.v[1].priority, PRIO_URGENT);
	ck_assert_int_eq(r.v[1].status, ST_NEW);
	ck_assert_str_eq(r.v[4].subject, "fixture");
	dash_risk_list_free(&r);
	ck_assert_int_eq(store_dash_risk(st, 3, &r, &e), DESK_OK);
	ck_assert_uint_eq(r.n, 3);
	ck_assert_int_eq(r.v[2].id, tid[5]);
	dash_risk_list_free(&r);
}
END_TEST

START_TEST(dash_days_created_solved_backlog)
{
	struct derr e = {0};
	struct dash_day days[3] = {{.start = D0}, {.start = D0 + D}, {.start = D0 + 2 * D}};
	ck_assert_int_eq(store_dash_days(st, days, 3, D0 + 3 * D, NOW, &e), DESK_OK);
	ck_assert_int_eq(days[0].created, 2);
	ck_assert_int_eq(days[1].created, 1);
	ck_assert_int_eq(days[2].created, 2);
	ck_assert_int_eq(days[0].solved, 1);
	ck_assert_int_eq(days[1].solved, 1);
	ck_assert_int_eq(days[2].solved, 0);
	ck_assert_int_eq(days[0].backlog, 4);
	ck_assert_int_eq(days[1].backlog, 5);
	ck_assert_int_eq(days[2].backlog, 7);

	/* The same backlog as desk report's at the same instant. */
	struct metrics m;
	struct metrics_query q = {.since = D0, .until = D0 + 2 * D, .now = NOW};
	ck_assert_int_eq(store_metrics(st, &q, &m, &e), DESK_OK);
	ck_assert_int_eq(m.total.backlog, days[1].backlog);
	metrics_free(&m);
	q.until = D0 + D;
	ck_assert_int_eq(store_metrics(st, &q, &m, &e), DESK_OK);
	ck_assert_int_eq(m.total.backlog, days[0].backlog);
	metrics_free(&m);
	store_read_end(st);
}
END_TEST

/* More tickets on top of the fixture, one per case the per-day backlog
 * must get right (D1 = D0 + 1d, D2 = D0 + 2d):
 *  11  imported, no status events: solved at D1 + 6h, never closed; at D1
 *      judged by its timestamps (open), at D2 solved: +1 at D1 only;
 *  12  solved at 3h and reopened at D1 + 5h: solved at D1, open at D2
 *      and now: +1 at D2 and now;
 *  13  solved at exactly D1: "before D1" excludes the event itself, so
 *      it is still open at D1: +1 at D1 only;
 *  14  created at exactly D1: not yet there at D1: +1 at D2 and now;
 *  15  created at D1 + 1h and solved at D1 + 2h, between two day ends:
 *      never counted.
 * Backlog (4, 5, 7) becomes (6, 7, 9); created (2, 1, 2) becomes
 * (2, 3, 2) (14, 15); solved (1, 1, 0) becomes (2, 4, 0) (12; 11 13 15). */
START_TEST(dash_days_edge_cases)
{
	struct derr e = {0};
	static const struct spec more[] = {
		{11, -5 * D, ST_SOLVED, PRIO_NORMAL, NULL, NONE, D + 6 * H, D + 6 * H, NONE, D + 6 * H, 0, 0},
		{12, -D, ST_OPEN, PRIO_NORMAL, NULL, NONE, 3 * H, 3 * H, NONE, D + 5 * H, 1, 0},
		{13, -2 * D, ST_SOLVED, PRIO_NORMAL, NULL, NONE, D, D, NONE, D, 0, 0},
		{14, D, ST_OPEN, PRIO_NORMAL, NULL, NONE, NONE, NONE, NONE, D, 0, 0},
		{15, D + H, ST_SOLVED, PRIO_NORMAL, NULL, NONE, D + 2 * H, D + 2 * H, NONE, D + 2 * H, 0,
		 0},
	};
	ck_assert_int_eq(store_begin(st, &e), DESK_OK);
	int64_t id[16] = {0};
	for (size_t i = 0; i < ARRAY_LEN(more); i++) {
		const struct spec *p = &more[i];
		struct ticket t = {.subject = "edge", .status = p->status, .priority = p->pr,
				   .channel = CH_EMAIL, .queue = "general",
				   .created_at = D0 + p->created, .updated_at = D0 + p->updated,
				   .first_solved_at = off(D0, p->fs), .solved_at = off(D0, p->ls),
				   .reopens = p->reopens};
		ck_assert_int_eq(store_ticket_insert(st, &t, &e), DESK_OK);
		id[p->n] = t.id;
	}
	struct event ev = {.agent_id = alice, .action = "set", .field = "status"};
	static const struct {
		int n;
		int64_t at;
		const char *from, *to;
	} evs[] = {{12, 3 * H, "open", "solved"}, {12, D + 5 * H, "solved", "open"},
		   {13, D, "open", "solved"}, {15, D + 2 * H, "open", "solved"}};
	for (size_t i = 0; i < ARRAY_LEN(evs); i++) {
		ev.id = 0;
		ev.ticket_id = id[evs[i].n];
		ev.at = D0 + evs[i].at;
		ev.old_value = (char *)evs[i].from;
		ev.new_value = (char *)evs[i].to;
		ck_assert_int_eq(store_event_insert(st, &ev, &e), DESK_OK);
	}
	ck_assert_int_eq(store_commit(st, &e), DESK_OK);

	struct dash_day days[3] = {{.start = D0}, {.start = D0 + D}, {.start = D0 + 2 * D}};
	ck_assert_int_eq(store_dash_days(st, days, 3, D0 + 3 * D, NOW, &e), DESK_OK);
	ck_assert_int_eq(days[0].backlog, 6);
	ck_assert_int_eq(days[1].backlog, 7);
	ck_assert_int_eq(days[2].backlog, 9);
	ck_assert_int_eq(days[0].created, 2);
	ck_assert_int_eq(days[1].created, 3);
	ck_assert_int_eq(days[2].created, 2);
	ck_assert_int_eq(days[0].solved, 2);
	ck_assert_int_eq(days[1].solved, 4);
	ck_assert_int_eq(days[2].solved, 0);
	/* A day that has not begun yet (start >= now) counts nothing. */
	struct dash_day later[2] = {{.start = NOW - H}, {.start = NOW + H}};
	ck_assert_int_eq(store_dash_days(st, later, 2, NOW + 2 * H, NOW, &e), DESK_OK);
	ck_assert_int_eq(later[0].backlog, 9);
	ck_assert_int_eq(later[1].backlog, 0);
}
END_TEST

/* A change one second before an instant counted at is a step at
 * exactly that instant (stretches are [L, H) with L = created + 1,
 * H = event + 1), placed at that instant, not the next.  On top of the
 * fixture, both updated after D1 so that their steps are placed:
 *  16  created -2d, solved at D2 - 1s: in the backlog at D1, not at D2;
 *  17  created at NOW - 1s, open, no events: in it at NOW.
 * Backlog (4, 5, 7) becomes (5, 5, 8), created (2, 1, 2) becomes
 * (2, 1, 3) (17), solved (1, 1, 0) becomes (1, 2, 0) (16). */
START_TEST(dash_days_a_second_before_the_end)
{
	struct derr e = {0};
	int64_t d2 = D0 + 2 * D;
	ck_assert_int_eq(store_begin(st, &e), DESK_OK);
	struct ticket t16 = {.subject = "edge", .status = ST_SOLVED, .priority = PRIO_NORMAL,
			     .channel = CH_EMAIL, .queue = "general", .created_at = D0 - 2 * D,
			     .updated_at = d2 - 1, .first_solved_at = d2 - 1, .solved_at = d2 - 1};
	struct ticket t17 = {.subject = "edge", .status = ST_OPEN, .priority = PRIO_NORMAL,
			     .channel = CH_EMAIL, .queue = "general", .created_at = NOW - 1,
			     .updated_at = NOW - 1};
	ck_assert_int_eq(store_ticket_insert(st, &t16, &e), DESK_OK);
	ck_assert_int_eq(store_ticket_insert(st, &t17, &e), DESK_OK);
	struct event ev = {.ticket_id = t16.id, .agent_id = alice, .at = d2 - 1, .action = "set",
			   .field = "status", .old_value = "open", .new_value = "solved"};
	ck_assert_int_eq(store_event_insert(st, &ev, &e), DESK_OK);
	ck_assert_int_eq(store_commit(st, &e), DESK_OK);

	struct dash_day days[3] = {{.start = D0}, {.start = D0 + D}, {.start = d2}};
	ck_assert_int_eq(store_dash_days(st, days, 3, D0 + 3 * D, NOW, &e), DESK_OK);
	ck_assert_int_eq(days[0].backlog, 5);
	ck_assert_int_eq(days[1].backlog, 5);
	ck_assert_int_eq(days[2].backlog, 8);
	ck_assert_int_eq(days[1].created, 1);
	ck_assert_int_eq(days[2].created, 3);
	ck_assert_int_eq(days[1].solved, 2);
	ck_assert_int_eq(days[2].solved, 0);
}
END_TEST

/* --- the per-day backlog against the per-instant rule ------------------- */

/* The report's rule for one instant ?2, as the dashboard asked it day by
 * day before it counted every day in one statement. */
static int64_t backlog_by_rule(int64_t at)
{
#define CAND(cond)                                                                   \
	"SELECT " STATUS_AT " AS st FROM tickets t WHERE " cond " AND +t.created_at < ?2" \
	" AND t.merged_into IS NULL"
	struct derr e = {0};
	struct stmt *s = st_prep_hinted(st,
				  "SELECT count(*) FROM (" CAND(OPEN_NOW) " UNION ALL " CAND(
					  SOLVED_SINCE) ") AS cand WHERE st IN ('new', 'open', 'pending', 'on_hold')",
				  &e);
#undef CAND
	ck_assert_msg(s != NULL, "%s", e.msg);
	bind_int(s, 2, at);
	ck_assert_int_eq(st_step(s), ST_ROW);
	int64_t n = col_int(s, 0);
	st_done(s);
	return n;
}

static uint64_t rnd_state;
static int64_t rnd(int64_t n) /* 0 .. n - 1 */
{
	rnd_state = rnd_state * 6364136223846793005u + 1442695040888963407u;
	return (int64_t)((rnd_state >> 33) % (uint64_t)n);
}

/* Random tickets and status histories with what real data may hold:
 * no events, events out of id order or at the same second, NULL or
 * unknown values, histories that disagree with the ticket's status or
 * timestamps, events after updated_at, merged tickets. */
static void random_history(int ntickets)
{
	struct derr e = {0};
	static const char *const values[] = {"new", "open", "pending", "on_hold", "solved",
					     "closed", "weird", NULL};
	ck_assert_int_eq(store_begin(st, &e), DESK_OK);
	int64_t first = 0;
	for (int i = 0; i < ntickets; i++) {
		int64_t c = D0 - 4 * D + rnd(7 * D);
		struct ticket t = {.subject = "random", .status = (enum status)rnd(6),
				   .priority = PRIO_NORMAL, .channel = CH_EMAIL, .queue = "general",
				   .created_at = c,
				   .updated_at = rnd(8) ? c + rnd(4 * D) : c - rnd(D)};
		if (t.status >= ST_SOLVED || rnd(4) == 0)
			t.solved_at = t.first_solved_at = c + rnd(4 * D) + 1;
		if (rnd(3) == 0)
			t.solved_at = 0;
		if (t.status == ST_CLOSED || rnd(6) == 0)
			t.closed_at = c + rnd(5 * D) + 1;
		if (first && rnd(20) == 0)
			t.merged_into = first;
		ck_assert_int_eq(store_ticket_insert(st, &t, &e), DESK_OK);
		if (!first)
			first = t.id;
		int nev = (int)rnd(5);
		for (int k = 0; k < nev; k++) {
			/* Mostly in order, a few at the same second or earlier. */
			int64_t at = rnd(6) == 0 ? c + 600 : c + rnd(5 * D);
			struct event ev = {.ticket_id = t.id, .agent_id = alice, .at = at,
					   .action = "set", .field = "status",
					   .old_value = (char *)values[rnd(8)],
					   .new_value = (char *)values[rnd(8)]};
			ck_assert_int_eq(store_event_insert(st, &ev, &e), DESK_OK);
		}
		/* Other fields' events are not status history. */
		struct event other = {.ticket_id = t.id, .agent_id = alice, .at = c + rnd(D),
				      .action = "set", .field = "priority", .old_value = "open",
				      .new_value = "solved"};
		ck_assert_int_eq(store_event_insert(st, &other, &e), DESK_OK);
	}
	ck_assert_int_eq(store_commit(st, &e), DESK_OK);
}

/* Periods of days 23, 24 or 25 hours long (or a few hours, so that one
 * call holds more instants than one statement places), "now" inside,
 * before or after them, each day's backlog against the rule. */
START_TEST(dash_days_match_the_rule)
{
	struct derr e = {0};
	rnd_state = 20260308;
	random_history(400);
	static const struct {
		int ndays;
		int64_t len, now_off; /* now = first start + now_off */
	} cases[] = {
		{1, D, 12 * H},	     {3, D, 2 * D + 12 * H}, {7, D, 7 * D},
		{14, D, 3 * D + H},  {10, 0, 10 * D},	     {20, 0, 5 * D - 1},
		{30, 0, 40 * D},     {200, 3 * H, 500 * H},   {150, 2 * H, 130 * H + 1},
	};
	for (size_t c = 0; c < ARRAY_LEN(cases); c++) {
		int n = cases[c].ndays;
		struct dash_day *days = xcalloc((size_t)n, sizeof *days);
		int64_t t = D0 - 3 * D + rnd(D);
		for (int i = 0; i < n; i++) {
			days[i].start = t;
			/* len 0: 23, 24 or 25 hours at random */
			t += cases[c].len ? cases[c].len : 23 * H + rnd(3) * H;
		}
		int64_t now = days[0].start + cases[c].now_off;
		ck_assert_int_eq(store_dash_days(st, days, (size_t)n, t, now, &e), DESK_OK);
		for (int i = 0; i < n; i++) {
			int64_t end = i + 1 < n ? days[i + 1].start : t;
			int64_t at = end < now ? end : now;
			int64_t want = at > days[i].start ? backlog_by_rule(at) : 0;
			ck_assert_msg(days[i].backlog == want,
				      "case %zu day %d (at %lld): backlog %lld, the rule says %lld", c,
				      i, (long long)at, (long long)days[i].backlog, (long long)want);
		}
		free(days);
	}
	/* An empty last day (ending where it starts) still lets the days
	 * before it be counted. */
	struct dash_day d3[3] = {{.start = D0}, {.start = D0 + D}, {.start = D0 + 2 * D}};
	ck_assert_int_eq(store_dash_days(st, d3, 3, D0 + 2 * D, NOW + 5 * D, &e), DESK_OK);
	ck_assert_int_eq(d3[0].backlog, backlog_by_rule(D0 + D));
	ck_assert_int_eq(d3[1].backlog, backlog_by_rule(D0 + 2 * D));
	ck_assert_int_eq(d3[2].backlog, 0);
	ck_assert_int_ne(d3[1].backlog, 0);
}
END_TEST

/* --- the age: filter term ----------------------------------------------- */

static int64_t count_filter(const char *filter)
{
	struct derr e = {0};
	struct view v;
	int rc = view_parse("t", filter, SORT_ID, false, NULL, &v, &e);
	ck_assert_msg(rc == DESK_OK, "%s: %s", filter, e.msg);
	int64_t n = -1;
	ck_assert_msg(store_queue_count(st, &v.filter, &n, &e) == DESK_OK, "%s", e.msg);
	view_free(&v);
	return n;
}

START_TEST(age_filter_term)
{
	ck_assert_int_eq(count_filter("age:1d-3d"), 3);
	ck_assert_int_eq(count_filter("status:new,open,pending,on_hold age:1d-3d"), 2);
	ck_assert_int_eq(count_filter("age:<1d"), 2);
	ck_assert_int_eq(count_filter("age:>7d"), 1);
	ck_assert_int_eq(count_filter("age:3d-7d status:new,open,pending,on_hold"), 2);
	static const char *const bad[] = {"age:3d-1d", "age:x", "age:1d", "age:<", "age:1d-"};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		struct derr e = {0};
		struct view v;
		ck_assert_int_eq(view_parse("t", bad[i], SORT_ID, false, NULL, &v, &e), DESK_EINVAL);
		ck_assert_msg(strstr(e.msg, "expected <DURATION, >DURATION or FROM-TO"), "%s", e.msg);
	}
}
END_TEST

/* --- sparklines ----------------------------------------------------------- */

START_TEST(sparkline_steps)
{
	int64_t v[] = {0, 1, 2, 4, 8};
	/* max 8: level = (x * 7 + 4) / 8: 0, 1, 2, 4, 7 */
	char *s = sparkline(v, 5, true);
	ck_assert_str_eq(s, "▁▂▃▅█");
	free(s);
	s = sparkline(v, 5, false);
	ck_assert_str_eq(s, "_.-=#");
	free(s);
	int64_t z[] = {0, 0, 0};
	s = sparkline(z, 3, true);
	ck_assert_str_eq(s, "▁▁▁");
	free(s);
	s = sparkline(z, 0, true);
	ck_assert_str_eq(s, "");
	free(s);
}
END_TEST

/* --- bulk changes and who may see the dashboard ----------------------------- */

struct bfx {
	char *dir, *path;
	struct config cfg;
	struct desk admin, alice, sue;
	int64_t t[4]; /* 1, 2 open; 3 closed */
};

static int64_t bfx_ticket(struct bfx *x, const char *subject)
{
	struct derr e = {0};
	struct new_ticket nt;
	new_ticket_init(&nt);
	nt.subject = subject;
	nt.body = "help";
	nt.customer_name = "Ann Lee";
	nt.customer_email = "ann@example.com";
	int64_t id = 0;
	ck_assert_msg(core_ticket_new(&x->admin, &nt, &id, &e) == DESK_OK, "%s", e.msg);
	return id;
}

static void bfx_open(struct bfx *x)
{
	struct derr e = {0};
	setenv("DESK_NOW", "1800000000", 1);
	x->dir = test_tmpdir();
	x->path = test_db_path(x->dir);
	config_defaults(&x->cfg);
	ck_assert_int_eq(desk_init(&x->admin, x->path, &x->cfg, "tester", &e), DESK_OK);
	ck_assert_int_eq(core_agent_add(&x->admin, "alice", "Alice", ROLE_AGENT, &e), DESK_OK);
	ck_assert_int_eq(core_agent_add(&x->admin, "bob", "Bob", ROLE_AGENT, &e), DESK_OK);
	ck_assert_int_eq(core_agent_add(&x->admin, "sue", "Sue", ROLE_SUPERVISOR, &e), DESK_OK);
	ck_assert_int_eq(desk_open(&x->alice, x->path, &x->cfg, "alice", 0, &e), DESK_OK);
	ck_assert_int_eq(desk_open(&x->sue, x->path, &x->cfg, "sue", 0, &e), DESK_OK);
	for (int i = 1; i <= 3; i++)
		x->t[i] = bfx_ticket(x, "bulk");
	struct field_change close[] = {{FIELD_ASSIGNEE, "alice"}, {FIELD_STATUS, "solved"}};
	ck_assert_int_eq(core_apply(&x->admin, x->t[3], close, 2, &e), DESK_OK);
	ck_assert_int_eq(core_set_status(&x->admin, x->t[3], ST_CLOSED, &e), DESK_OK);
}

static void bfx_close(struct bfx *x)
{
	desk_close(&x->alice);
	desk_close(&x->sue);
	desk_close(&x->admin);
	config_free(&x->cfg);
	test_db_drop(&x->path);
	test_tmpdir_cleanup(&x->dir);
	unsetenv("DESK_NOW");
}

static size_t events_of(struct bfx *x, int64_t id, const char *field, const char *new_value,
			const char *by)
{
	struct derr e = {0};
	struct event_list l = {0};
	ck_assert_int_eq(store_events(x->admin.st, id, &l, &e), DESK_OK);
	size_t n = 0;
	for (size_t i = 0; i < l.n; i++)
		if (l.v[i].field && strcmp(l.v[i].field, field) == 0 && l.v[i].new_value &&
		    strcmp(l.v[i].new_value, new_value) == 0 && l.v[i].agent_login &&
		    strcmp(l.v[i].agent_login, by) == 0)
			n++;
	event_list_free(&l);
	return n;
}

static struct ticket bfx_get(struct bfx *x, int64_t id)
{
	struct derr e = {0};
	struct ticket t;
	ck_assert_int_eq(store_ticket_get(x->admin.st, id, &t, &e), DESK_OK);
	return t;
}

START_TEST(bulk_roles)
{
	struct bfx x;
	struct derr e = {0};
	struct bulk_result r;
	bfx_open(&x);
	int64_t ids[] = {x.t[1], x.t[2]};
	struct field_change tag = {FIELD_TAG_ADD, "vip"};
	ck_assert_int_eq(core_bulk_apply(&x.alice, ids, 2, &tag, 1, &r, &e), DESK_EDENIED);
	ck_assert_str_eq(e.msg, "changing several tickets at once is for supervisors and admins "
				"(or set agents_may_bulk_edit in the team's config)");
	ck_assert_uint_eq(r.ok + r.nfailed, 0);
	ck_assert_uint_eq(events_of(&x, x.t[1], "tags", "vip", "alice"), 0);
	/* The config may trust agents with it. */
	x.cfg.agents_may_bulk_edit = true;
	ck_assert_int_eq(core_bulk_apply(&x.alice, ids, 2, &tag, 1, &r, &e), DESK_OK);
	ck_assert_uint_eq(r.ok, 2);
	ck_assert_uint_eq(r.nfailed, 0);
	ck_assert_uint_eq(events_of(&x, x.t[1], "tags", "vip", "alice"), 1);
	ck_assert_uint_eq(events_of(&x, x.t[2], "tags", "vip", "alice"), 1);
	bulk_result_free(&r);
	/* ...but not with the other rules: bob's ticket stays bob's. */
	struct field_change to_bob = {FIELD_ASSIGNEE, "bob"}, to_alice = {FIELD_ASSIGNEE, "alice"};
	ck_assert_int_eq(core_bulk_apply(&x.sue, ids, 1, &to_bob, 1, &r, &e), DESK_OK);
	bulk_result_free(&r);
	ck_assert_int_eq(core_bulk_apply(&x.alice, ids, 2, &to_alice, 1, &r, &e), DESK_OK);
	ck_assert_uint_eq(r.ok, 1);
	ck_assert_uint_eq(r.nfailed, 1);
	ck_assert_int_eq(r.failed[0].id, x.t[1]);
	ck_assert_msg(strstr(r.failed[0].msg, "belongs to bob"), "%s", r.failed[0].msg);
	bulk_result_free(&r);
	/* The config key is read from YAML. */
	struct config c;
	ck_assert_int_eq(config_load_string("agents_may_bulk_edit: true\n", "c.yaml", &c, &e),
			 DESK_OK);
	ck_assert(c.agents_may_bulk_edit);
	config_free(&c);
	bfx_close(&x);
}
END_TEST

START_TEST(bulk_assign_audit_and_partial_failure)
{
	struct bfx x;
	struct derr e = {0};
	struct bulk_result r;
	bfx_open(&x);
	/* Two open tickets, a closed one, one of them twice, one missing. */
	int64_t ids[] = {x.t[1], x.t[3], x.t[2], x.t[1], 999};
	struct field_change ch = {FIELD_ASSIGNEE, "bob"};
	ck_assert_int_eq(core_bulk_apply(&x.sue, ids, ARRAY_LEN(ids), &ch, 1, &r, &e), DESK_OK);
	ck_assert_uint_eq(r.ok, 2);
	ck_assert_uint_eq(r.nfailed, 2);
	ck_assert_int_eq(r.failed[0].id, x.t[3]);
	char want[64];
	snprintf(want, sizeof want, "ticket %lld is closed", (long long)x.t[3]);
	ck_assert_str_eq(r.failed[0].msg, want);
	ck_assert_int_eq(r.failed[1].id, 999);
	ck_assert_str_ne(r.failed[1].msg, "");
	bulk_result_free(&r);
	for (int i = 1; i <= 2; i++) {
		struct ticket t = bfx_get(&x, x.t[i]);
		ck_assert_str_eq(t.assignee_login, "bob");
		ticket_free(&t);
		/* One audit row each, by the supervisor, not two for the duplicate. */
		ck_assert_uint_eq(events_of(&x, x.t[i], "assignee", "bob", "sue"), 1);
	}
	struct ticket t = bfx_get(&x, x.t[3]);
	ck_assert_str_eq(t.assignee_login, "alice");
	ck_assert_int_eq(t.status, ST_CLOSED);
	ticket_free(&t);
	ck_assert_uint_eq(events_of(&x, x.t[3], "assignee", "bob", "sue"), 0);
	bfx_close(&x);
}
END_TEST

/* Each ticket's changes are all or nothing: a ticket that cannot be
 * solved (nobody holds it) keeps its old priority too. */
START_TEST(bulk_all_or_nothing_per_ticket)
{
	struct bfx x;
	struct derr e = {0};
	struct bulk_result r;
	bfx_open(&x);
	ck_assert_int_eq(core_assign(&x.sue, x.t[2], "alice", &e), DESK_OK);
	int64_t ids[] = {x.t[1], x.t[2]};
	struct field_change ch[] = {{FIELD_PRIORITY, "urgent"}, {FIELD_STATUS, "solved"}};
	ck_assert_int_eq(core_bulk_apply(&x.admin, ids, 2, ch, 2, &r, &e), DESK_OK);
	ck_assert_uint_eq(r.ok, 1);
	ck_assert_uint_eq(r.nfailed, 1);
	ck_assert_int_eq(r.failed[0].id, x.t[1]);
	ck_assert_msg(strstr(r.failed[0].msg, "has no assignee"), "%s", r.failed[0].msg);
	bulk_result_free(&r);
	struct ticket t1 = bfx_get(&x, x.t[1]), t2 = bfx_get(&x, x.t[2]);
	ck_assert_int_eq(t1.priority, PRIO_NORMAL);
	ck_assert_int_ne(t1.status, ST_SOLVED);
	ck_assert_int_eq(t2.priority, PRIO_URGENT);
	ck_assert_int_eq(t2.status, ST_SOLVED);
	ticket_free(&t1);
	ticket_free(&t2);
	ck_assert_uint_eq(events_of(&x, x.t[1], "priority", "urgent", "tester"), 0);
	ck_assert_uint_eq(events_of(&x, x.t[2], "priority", "urgent", "tester"), 1);
	ck_assert_uint_eq(events_of(&x, x.t[2], "status", "solved", "tester"), 1);
	/* Nothing to change is a mistake. */
	ck_assert_int_eq(core_bulk_apply(&x.admin, ids, 2, ch, 0, &r, &e), DESK_EINVAL);
	bfx_close(&x);
}
END_TEST

START_TEST(dashboard_roles_and_days)
{
	struct bfx x;
	struct derr e = {0};
	struct dashboard db;
	char *tz = xstrdup(getenv("TZ"));
	setenv("TZ", "UTC", 1);
	tzset();
	bfx_open(&x);
	ck_assert_int_eq(core_dashboard(&x.alice, 14, &db, &e), DESK_EDENIED);
	ck_assert_str_eq(e.msg, "the dashboard is for supervisors and admins");
	dashboard_free(&db);
	ck_assert_int_eq(core_dashboard(&x.sue, 0, &db, &e), DESK_EINVAL);
	dashboard_free(&db);
	ck_assert_int_eq(core_dashboard(&x.sue, 91, &db, &e), DESK_EINVAL);
	dashboard_free(&db);
	ck_assert_msg(core_dashboard(&x.sue, 14, &db, &e) == DESK_OK, "%s", e.msg);
	/* 1800000000 is 2027-01-15T08:00:00Z: today starts at 00:00 UTC. */
	ck_assert_int_eq(db.ndays, 14);
	ck_assert_int_eq(db.days[13].start, 1800000000 - 8 * 3600);
	ck_assert_int_eq(db.days[0].start, db.days[13].start - 13 * 86400);
	ck_assert_int_eq(db.days[13].created, 3); /* the fixture's tickets, made "now" */
	ck_assert_int_eq(db.backlog.total, 2);    /* 1 and 2; 3 is closed */
	ck_assert_int_eq(db.risk.n, 2);
	dashboard_free(&db);
	bfx_close(&x);
	if (tz)
		setenv("TZ", tz, 1);
	else
		unsetenv("TZ");
	tzset();
	free(tz);
}
END_TEST

Suite *suite_dashboard(void)
{
	Suite *s = suite_create("dashboard");
	TCase *t = tcase_create("store");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, dash_backlog_by_status_priority_and_age);
	tcase_add_test(t, dash_load_per_agent);
	tcase_add_test(t, dash_risk_list);
	tcase_add_test(t, dash_days_created_solved_backlog);
	tcase_add_test(t, dash_days_edge_cases);
	tcase_add_test(t, dash_days_a_second_before_the_end);
	tcase_add_test(t, dash_days_match_the_rule);
	tcase_add_test(t, age_filter_term);
	suite_add_tcase(s, t);
	t = tcase_create("bulk");
	tcase_add_test(t, sparkline_steps);
	tcase_add_test(t, bulk_roles);
	tcase_add_test(t, bulk_assign_audit_and_partial_failure);
	tcase_add_test(t, bulk_all_or_nothing_per_ticket);
	tcase_add_test(t, dashboard_roles_and_days);
	suite_add_tcase(s, t);
	return s;
}
