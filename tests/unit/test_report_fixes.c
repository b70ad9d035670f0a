/* test_report_fixes.c: figures of desk report that an independent
 * computation found wrong, each on a small imported fixture worked out
 * by hand (times as offsets from S = 2026-03-02T00:00:00Z; the period is
 * [S, S + 7d), "now" S + 8d):
 *   1. a ticket solved, reopened and not solved again counts its latest
 *      solve in full resolution time, never 0 s;
 *   2. an imported solved or closed ticket without first_solved_at gets
 *      its solve times from what the line has, or the line is refused;
 *   3. first contact resolution needs exactly one public reply;
 *   4. automatic messages are neither the customer's turn nor a response;
 *   5. a merged ticket's surveys count under the ticket it was merged
 *      into. */
#include <check.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "mail.h"
#include "metrics.h"
#include "report.h"
#include "testlib.h"
#include "util.h"
#include "../../src/store/internal.h"

#define H INT64_C(3600)
#define D INT64_C(86400)
#define S INT64_C(1772409600) /* 2026-03-02T00:00:00Z */
#define U (S + 7 * D)
#define N (S + 8 * D)

static char *dir, *path;
static struct config cfg;
static struct desk d;

static void setup(void)
{
	struct derr e = {0};
	dir = test_tmpdir();
	config_defaults(&cfg);
	path = test_db_path(dir);
	ck_assert_msg(desk_init(&d, path, &cfg, "tester", &e) == DESK_OK, "%s", e.msg);
	ck_assert_msg(core_agent_add(&d, "alice", "Alice", ROLE_AGENT, &e) == DESK_OK, "%s", e.msg);
	ck_assert_msg(core_agent_add(&d, "bob", "Bob", ROLE_AGENT, &e) == DESK_OK, "%s", e.msg);
}

static void teardown(void)
{
	desk_close(&d);
	config_free(&cfg);
	test_db_drop(&path);
	test_tmpdir_cleanup(&dir);
}

/* Imports JSON Lines; the import's result code, with its report (the
 * bad lines) in *report when asked for. */
static int import(const char *text, char **report, struct derr *e)
{
	FILE *in = tmpfile();
	ck_assert_ptr_nonnull(in);
	fputs(text, in);
	rewind(in);
	char *rep = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&rep, &len);
	struct import_opts o = {.name = "fix.jsonl"};
	struct import_result r = {0};
	int rc = core_import(&d, in, &o, &r, out, e);
	fclose(in);
	fclose(out);
	if (report)
		*report = rep;
	else
		free(rep);
	return rc;
}

static void import_ok(const char *text)
{
	struct derr e = {0};
	int rc = import(text, NULL, &e);
	ck_assert_msg(rc == DESK_OK, "%s", e.msg);
}

static void compute(enum metrics_by by, struct metrics *m)
{
	struct derr e = {0};
	struct metrics_query q = {.since = S, .until = U, .now = N, .by = by};
	ck_assert_msg(store_metrics(d.st, &q, m, &e) == DESK_OK, "%s", e.msg);
	report_derive(&m->total);
	for (size_t i = 0; i < m->n; i++)
		report_derive(&m->groups[i]);
}

static struct ticket ticket_of(const char *external_id)
{
	struct derr e = {0};
	int64_t id = 0;
	ck_assert_int_eq(store_ticket_by_external_id(d.st, external_id, &id, &e), DESK_OK);
	struct ticket t;
	ck_assert_int_eq(store_ticket_get(d.st, id, &t, &e), DESK_OK);
	return t;
}

#define CUST "\"customer\":{\"name\":\"Cy\",\"email\":\"cy@example.com\"}"

/* 1. A: created 0, first solved 2h, reopened, open now, no solved_at
 *    (latest solve = first solve, 2h = 7200).  B: created 0, first
 *    solved 1h, last solved 5h (18000).  Full resolution 7200 and
 *    18000: median (7200 + 18000) / 2 = 12600, mean 12600, p90 (rank
 *    ceil(1.8) = 2) 18000.  Before the fix A counted 0 s: mean 9000. */
START_TEST(full_resolution_uses_the_latest_solve)
{
	import_ok("{\"external_id\":\"A\",\"subject\":\"a\",\"status\":\"open\",\"reopens\":1,"
		  "\"created_at\":\"2026-03-02T00:00:00Z\","
		  "\"first_solved_at\":\"2026-03-02T02:00:00Z\"," CUST "}\n"
		  "{\"external_id\":\"B\",\"subject\":\"b\",\"status\":\"solved\","
		  "\"created_at\":\"2026-03-02T00:00:00Z\","
		  "\"first_solved_at\":\"2026-03-02T01:00:00Z\","
		  "\"solved_at\":\"2026-03-02T05:00:00Z\"," CUST "}\n");
	struct ticket a = ticket_of("A");
	ck_assert_int_eq(a.solved_at, S + 2 * H);
	ticket_free(&a);
	struct metrics m = {0};
	compute(BY_NONE, &m);
	ck_assert_int_eq(m.total.solved, 2);
	ck_assert_int_eq(m.total.full_resolution.n, 2);
	ck_assert_double_eq_tol(m.total.full_resolution.median, 12600, 1e-9);
	ck_assert_double_eq_tol(m.total.full_resolution.mean, 12600, 1e-9);
	ck_assert_double_eq_tol(m.total.full_resolution.p90, 18000, 1e-9);
	metrics_free(&m);
}
END_TEST

/* 1 and 2 from the audit trail: C's status went to solved at 1h and at
 *    3h (then reopened): first solve 1h, latest 3h. */
START_TEST(solve_times_come_from_status_events)
{
	import_ok("{\"external_id\":\"C\",\"subject\":\"c\",\"status\":\"open\",\"reopens\":1,"
		  "\"created_at\":\"2026-03-02T00:00:00Z\"," CUST ",\"events\":["
		  "{\"at\":\"2026-03-02T03:00:00Z\",\"action\":\"set\",\"field\":\"status\","
		  "\"old\":\"open\",\"new\":\"solved\"},"
		  "{\"at\":\"2026-03-02T01:00:00Z\",\"action\":\"set\",\"field\":\"status\","
		  "\"old\":\"open\",\"new\":\"solved\"},"
		  "{\"at\":\"2026-03-02T04:00:00Z\",\"action\":\"set\",\"field\":\"status\","
		  "\"old\":\"solved\",\"new\":\"open\"}]}\n");
	struct ticket c = ticket_of("C");
	ck_assert_int_eq(c.first_solved_at, S + 1 * H);
	ck_assert_int_eq(c.solved_at, S + 3 * H);
	ticket_free(&c);
}
END_TEST

/* 2. D: solved, only solved_at 4h: first solve 4h.  E: closed, no solve
 *    times, customer 1h and reply 2h: solved at its last message, 2h.
 *    Both are solved in the period (2), and neither is backlog.  F:
 *    solved with nothing to date it: refused, naming the line. */
START_TEST(solved_imports_without_first_solve)
{
	import_ok("{\"external_id\":\"D\",\"subject\":\"d\",\"status\":\"solved\","
		  "\"created_at\":\"2026-03-02T00:00:00Z\","
		  "\"solved_at\":\"2026-03-02T04:00:00Z\"," CUST "}\n"
		  "{\"external_id\":\"E\",\"subject\":\"e\",\"status\":\"closed\","
		  "\"created_at\":\"2026-03-02T00:00:00Z\"," CUST ",\"messages\":["
		  "{\"kind\":\"customer\",\"at\":\"2026-03-02T01:00:00Z\",\"body\":\"hi\"},"
		  "{\"kind\":\"reply\",\"author\":\"bob\",\"at\":\"2026-03-02T02:00:00Z\",\"body\":\"done\"}]}\n");
	struct ticket t = ticket_of("D");
	ck_assert_int_eq(t.first_solved_at, S + 4 * H);
	ck_assert_int_eq(t.solved_at, S + 4 * H);
	ticket_free(&t);
	t = ticket_of("E");
	ck_assert_int_eq(t.first_solved_at, S + 2 * H);
	ck_assert_int_eq(t.solved_at, S + 2 * H);
	ticket_free(&t);
	struct metrics m = {0};
	compute(BY_NONE, &m);
	ck_assert_int_eq(m.total.solved, 2);
	ck_assert_int_eq(m.total.backlog, 0);
	ck_assert_int_eq(m.total.res_breached, 0);
	metrics_free(&m);

	struct derr e = {0};
	char *report = NULL;
	int rc = import("{\"external_id\":\"F\",\"subject\":\"f\",\"status\":\"solved\","
			"\"created_at\":\"2026-03-02T00:00:00Z\"," CUST "}\n",
			&report, &e);
	ck_assert_int_eq(rc, DESK_EINVAL);
	ck_assert_msg(strstr(e.msg, "fix.jsonl:1: status: a solved ticket needs first_solved_at "
				    "or solved_at"),
		      "%s", e.msg);
	free(report);
}
END_TEST

/* 3. G: solved at 1h with no reply at all; H: solved at 1h after one
 *    reply.  FCR 1 of 2 = 50 % (before the fix: 2 of 2). */
START_TEST(fcr_needs_exactly_one_reply)
{
	import_ok("{\"external_id\":\"G\",\"subject\":\"g\",\"status\":\"solved\","
		  "\"created_at\":\"2026-03-02T00:00:00Z\","
		  "\"first_solved_at\":\"2026-03-02T01:00:00Z\"," CUST ",\"messages\":["
		  "{\"kind\":\"customer\",\"at\":\"2026-03-02T00:00:00Z\",\"body\":\"q\"}]}\n"
		  "{\"external_id\":\"H\",\"subject\":\"h\",\"status\":\"solved\","
		  "\"created_at\":\"2026-03-02T00:00:00Z\","
		  "\"first_solved_at\":\"2026-03-02T01:00:00Z\"," CUST ",\"messages\":["
		  "{\"kind\":\"customer\",\"at\":\"2026-03-02T00:00:00Z\",\"body\":\"q\"},"
		  "{\"kind\":\"reply\",\"author\":\"bob\",\"at\":\"2026-03-02T00:30:00Z\",\"body\":\"a\"}]}\n");
	struct metrics m = {0};
	compute(BY_NONE, &m);
	ck_assert_int_eq(m.total.solved, 2);
	ck_assert_int_eq(m.total.fcr, 1);
	ck_assert_double_eq_tol(m.total.fcr_pct, 50.0, 1e-9);
	metrics_free(&m);
}
END_TEST

/* 4. I: agent-started (reply at 0), then the customer's out-of-office
 *    (automatic) at 1 min: not inbound, so not unanswered.  J: customer
 *    at 0, an auto-responder's reply at 1 min, the agent's at 2h: first
 *    response 7200, not 60.  Created 2, inbound 1 (J), answered 1. */
START_TEST(automatic_mail_is_no_turn_and_no_answer)
{
	import_ok("{\"external_id\":\"I\",\"subject\":\"i\",\"status\":\"open\","
		  "\"created_at\":\"2026-03-02T00:00:00Z\"," CUST ",\"messages\":["
		  "{\"kind\":\"reply\",\"author\":\"bob\",\"at\":\"2026-03-02T00:00:00Z\",\"body\":\"hello\"},"
		  "{\"kind\":\"customer\",\"at\":\"2026-03-02T00:01:00Z\",\"body\":\"away\","
		  "\"auto\":true}]}\n"
		  "{\"external_id\":\"J\",\"subject\":\"j\",\"status\":\"open\","
		  "\"created_at\":\"2026-03-02T00:00:00Z\"," CUST ",\"messages\":["
		  "{\"kind\":\"customer\",\"at\":\"2026-03-02T00:00:00Z\",\"body\":\"q\"},"
		  "{\"kind\":\"reply\",\"author\":\"bob\",\"at\":\"2026-03-02T00:01:00Z\",\"body\":\"got it\","
		  "\"auto\":true},"
		  "{\"kind\":\"reply\",\"author\":\"bob\",\"at\":\"2026-03-02T02:00:00Z\",\"body\":\"a\"}]}\n");
	struct metrics m = {0};
	compute(BY_NONE, &m);
	ck_assert_int_eq(m.total.created, 2);
	ck_assert_int_eq(m.total.inbound, 1);
	ck_assert_int_eq(m.total.answered, 1);
	ck_assert_int_eq(m.total.frt.n, 1);
	ck_assert_double_eq_tol(m.total.frt.median, 7200, 1e-9);
	ck_assert_double_eq_tol(m.total.frt.mean, 7200, 1e-9);
	metrics_free(&m);
}
END_TEST

/* 4, for a message marked automatic after it was stored (as ingest
 * does): the facts follow the flag. */
START_TEST(automatic_flag_set_later_moves_the_facts)
{
	import_ok("{\"external_id\":\"K\",\"subject\":\"k\",\"status\":\"open\","
		  "\"created_at\":\"2026-03-02T00:00:00Z\"," CUST ",\"messages\":["
		  "{\"kind\":\"reply\",\"author\":\"bob\",\"at\":\"2026-03-02T00:00:00Z\",\"body\":\"hello\"},"
		  "{\"kind\":\"customer\",\"at\":\"2026-03-02T00:01:00Z\",\"body\":\"away\"}]}\n");
	struct metrics m = {0};
	compute(BY_NONE, &m);
	ck_assert_int_eq(m.total.inbound, 1);
	metrics_free(&m);
	struct ticket t = ticket_of("K");
	struct message last;
	struct derr e = {0};
	ck_assert_int_eq(store_message_last(d.st, t.id, MSG_CUSTOMER, &last, &e), DESK_OK);
	ck_assert_int_eq(store_mail_mark_inbound(d.st, last.id, true, "cy@example.com", &e),
			 DESK_OK);
	message_free(&last);
	ticket_free(&t);
	memset(&m, 0, sizeof m);
	compute(BY_NONE, &m);
	ck_assert_int_eq(m.total.inbound, 0);
	metrics_free(&m);
}
END_TEST

/* 5. L (bob's) and M (alice's) merged into L; M holds a CSAT 5 answered
 *    at 1d.  By agent: the survey is bob's (1 answer, 100 %), alice has
 *    none; the total counts it once. */
START_TEST(merged_surveys_count_under_the_target)
{
	import_ok("{\"external_id\":\"L\",\"subject\":\"l\",\"status\":\"open\","
		  "\"assignee\":\"bob\",\"created_at\":\"2026-03-02T00:00:00Z\"," CUST "}\n"
		  "{\"external_id\":\"M\",\"subject\":\"m\",\"status\":\"closed\","
		  "\"assignee\":\"alice\",\"merged_into\":\"L\","
		  "\"created_at\":\"2026-03-02T00:00:00Z\","
		  "\"first_solved_at\":\"2026-03-02T01:00:00Z\"," CUST ",\"surveys\":["
		  "{\"kind\":\"csat\",\"score\":5,\"at\":\"2026-03-03T00:00:00Z\"}]}\n");
	struct metrics m = {0};
	compute(BY_AGENT, &m);
	ck_assert_int_eq(m.total.csat_n, 1);
	bool bob = false;
	for (size_t i = 0; i < m.n; i++) {
		if (strcmp(m.groups[i].key, "bob") == 0) {
			bob = true;
			ck_assert_int_eq(m.groups[i].csat_n, 1);
			ck_assert_int_eq(m.groups[i].csat_satisfied, 1);
		} else {
			ck_assert_msg(m.groups[i].csat_n == 0, "survey counted under %s",
				      m.groups[i].key);
		}
	}
	ck_assert(bob);
	metrics_free(&m);
}
END_TEST

/* A database of schema 10 with the old facts: migrating to 11 gives the
 * stored tickets what the fixes give new ones.  1: solved at 100,
 * reopened, no solved_at, a status event to solved at 150 (latest
 * solve 150).  2: closed without solve times, last message at 300.
 * 3: agent-started, then an out-of-office (auto) at 400: no inbound. */
static int64_t raw(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s;
	ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK, "%s: %s", sql,
		      sqlite3_errmsg(db));
	int rc = sqlite3_step(s);
	ck_assert_msg(rc == SQLITE_ROW || rc == SQLITE_DONE, "%s: %s", sql, sqlite3_errmsg(db));
	int64_t v = rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL
			    ? sqlite3_column_int64(s, 0)
			    : -1;
	sqlite3_finalize(s);
	return v;
}

START_TEST(migration_fixes_stored_tickets)
{
	if (test_sqlite_only("migration_fixes_stored_tickets",
			    "SQLite's migrations; a PostgreSQL database is made whole at the"
			    " current version"))
		return;
	struct derr e = {0};
	char *old_path = xasprintf("%s/old.db", dir);
	struct store *st = xcalloc(1, sizeof *st);
	st->path = xstrdup(old_path);
	ck_assert_int_eq(sqlite3_open_v2(old_path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
					 NULL),
			 SQLITE_OK);
	ck_assert_msg(store_create_schema_version(st, 10, &e) == DESK_OK, "%s", e.msg);
	sqlite3 *db = st->db;
	raw(db, "INSERT INTO agents (id, login, name, created_at) VALUES (1, 'al', 'Al', 1)");
	raw(db, "INSERT INTO tickets (id, subject, status, created_at, updated_at, first_solved_at,"
		" reopens) VALUES (1, 's', 'open', 10, 200, 100, 1)");
	raw(db, "INSERT INTO events (ticket_id, agent_id, at, action, field, old_value, new_value)"
		" VALUES (1, 1, 150, 'set', 'status', 'open', 'solved')");
	raw(db, "INSERT INTO tickets (id, subject, status, created_at, updated_at, closed_at)"
		" VALUES (2, 's', 'closed', 10, 500, 500)");
	raw(db, "INSERT INTO messages (ticket_id, kind, author_id, body, created_at)"
		" VALUES (2, 'customer', NULL, 'q', 200), (2, 'reply', 1, 'a', 300)");
	raw(db, "INSERT INTO tickets (id, subject, status, created_at, updated_at)"
		" VALUES (3, 's', 'open', 10, 400)");
	raw(db, "INSERT INTO messages (ticket_id, kind, author_id, body, created_at, auto)"
		" VALUES (3, 'reply', 1, 'hello', 10, 0), (3, 'customer', NULL, 'away', 400, 1)");
	ck_assert_int_eq(raw(db, "SELECT first_customer_at FROM tickets WHERE id = 3"), 400);
	store_close(&st);

	ck_assert_msg(store_open(old_path, 0, &st, &e) == DESK_OK, "%s", e.msg);
	ck_assert_int_eq(store_schema_version(st), STORE_SCHEMA_VERSION);
	db = st->db;
	ck_assert_int_eq(raw(db, "SELECT solved_at FROM tickets WHERE id = 1"), 150);
	ck_assert_int_eq(raw(db, "SELECT first_solved_at FROM tickets WHERE id = 2"), 300);
	ck_assert_int_eq(raw(db, "SELECT solved_at FROM tickets WHERE id = 2"), 300);
	ck_assert_int_eq(raw(db, "SELECT first_customer_at FROM tickets WHERE id = 3"), -1);
	store_close(&st);
	free(old_path);
}
END_TEST

Suite *suite_report_fixes(void)
{
	Suite *s = suite_create("report_fixes");
	TCase *tc = tcase_create("fixes");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, full_resolution_uses_the_latest_solve);
	tcase_add_test(tc, solve_times_come_from_status_events);
	tcase_add_test(tc, solved_imports_without_first_solve);
	tcase_add_test(tc, fcr_needs_exactly_one_reply);
	tcase_add_test(tc, automatic_mail_is_no_turn_and_no_answer);
	tcase_add_test(tc, automatic_flag_set_later_moves_the_facts);
	tcase_add_test(tc, merged_surveys_count_under_the_target);
	tcase_add_test(tc, migration_fixes_stored_tickets);
	suite_add_tcase(s, tc);
	return s;
}
