/* test_report_facts.c: the per-ticket facts the report reads (schema
 * version 6: first customer message, first answer, replies up to the
 * first solve) follow the messages however they change, and the report
 * gives the same figures whether it reads a period by index ranges
 * (narrow) or by walking whole indexes (wide). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "report.h"
#include "testlib.h"
#include "util.h"

static char *dir, *path;
static struct store *st;
static int64_t agent, customer;

static void setup(void)
{
	struct derr e = {0};
	dir = test_tmpdir();
	path = test_db_path(dir);
	ck_assert_int_eq(store_open(path, STORE_CREATE, &st, &e), DESK_OK);
	struct agent a = {.login = "al", .name = "Al", .role = ROLE_AGENT, .active = true,
			  .created_at = 1};
	ck_assert_int_eq(store_agent_insert(st, &a, &e), DESK_OK);
	agent = a.id;
	struct customer c = {.name = "Cy", .email = "cy@example.com", .created_at = 1};
	ck_assert_int_eq(store_customer_insert(st, &c, &e), DESK_OK);
	customer = c.id;
}

static void teardown(void)
{
	store_close(&st);
	test_db_drop(&path);
	test_tmpdir_cleanup(&dir);
}

static int64_t ticket_at(int64_t created)
{
	struct derr e = {0};
	struct ticket t = {.subject = "s", .status = ST_OPEN, .priority = PRIO_NORMAL,
			   .channel = CH_EMAIL, .queue = "general", .customer_id = customer,
			   .assignee_id = agent, .created_at = created, .updated_at = created};
	ck_assert_int_eq(store_ticket_insert(st, &t, &e), DESK_OK);
	return t.id;
}

static int64_t msg(int64_t ticket, enum msg_kind kind, int64_t at)
{
	struct derr e = {0};
	struct message m = {.ticket_id = ticket, .kind = kind, .body = "b", .created_at = at,
			    .author_id = kind == MSG_CUSTOMER ? 0 : agent};
	ck_assert_int_eq(store_message_insert(st, &m, &e), DESK_OK);
	return m.id;
}

static void first_solve(int64_t id, int64_t at)
{
	struct derr e = {0};
	struct ticket t;
	ck_assert_int_eq(store_ticket_get(st, id, &t, &e), DESK_OK);
	t.status = ST_SOLVED;
	t.first_solved_at = t.solved_at = at;
	ck_assert_int_eq(store_ticket_update(st, &t, &e), DESK_OK);
	ticket_free(&t);
}

/* One column of a ticket row read on a connection of its own; -1 for
 * NULL. */
static int64_t fact(int64_t id, const char *col)
{
	char *sql = xasprintf("SELECT %s FROM tickets WHERE id = %lld", col, (long long)id);
	int64_t v = test_db_int(path, sql);
	free(sql);
	return v;
}

#define ASKED(id) fact(id, "first_customer_at")
#define ANSWERED(id) fact(id, "first_answer_at")
#define REPLIES(id) fact(id, "replies_to_first_solve")

START_TEST(facts_follow_inserts)
{
	int64_t t = ticket_at(1000);
	ck_assert_int_eq(ASKED(t), -1);
	/* A reply before any customer message answers nothing. */
	msg(t, MSG_REPLY, 1050);
	ck_assert_int_eq(ANSWERED(t), -1);
	ck_assert_int_eq(REPLIES(t), 1); /* never solved: every reply so far */
	msg(t, MSG_CUSTOMER, 1100);
	ck_assert_int_eq(ASKED(t), 1100);
	ck_assert_int_eq(ANSWERED(t), -1);
	/* Notes and system messages are not answers. */
	msg(t, MSG_NOTE, 1110);
	msg(t, MSG_SYSTEM, 1120);
	ck_assert_int_eq(ANSWERED(t), -1);
	/* Same second as the question, written after it: counts. */
	msg(t, MSG_REPLY, 1100);
	ck_assert_int_eq(ANSWERED(t), 1100);
	ck_assert_int_eq(REPLIES(t), 2);
	msg(t, MSG_REPLY, 1300);
	ck_assert_int_eq(REPLIES(t), 2); /* counted up to 2 */
	/* A later customer message changes nothing; a back-dated one moves
	 * the question, and the answer is looked for again after it. */
	msg(t, MSG_CUSTOMER, 1400);
	ck_assert_int_eq(ASKED(t), 1100);
	msg(t, MSG_CUSTOMER, 1060);
	ck_assert_int_eq(ASKED(t), 1060);
	ck_assert_int_eq(ANSWERED(t), 1100);
	msg(t, MSG_REPLY, 1070);
	ck_assert_int_eq(ANSWERED(t), 1070);
}
END_TEST

START_TEST(facts_follow_the_first_solve)
{
	int64_t t = ticket_at(1000);
	msg(t, MSG_CUSTOMER, 1000);
	msg(t, MSG_REPLY, 1100);
	first_solve(t, 1200);
	ck_assert_int_eq(REPLIES(t), 1);
	/* After the first solve: not before it. */
	msg(t, MSG_REPLY, 1300);
	ck_assert_int_eq(REPLIES(t), 1);
	/* Imported late but written before the solve: counts. */
	msg(t, MSG_REPLY, 1150);
	ck_assert_int_eq(REPLIES(t), 2);
	/* A first solve moved earlier counts again. */
	first_solve(t, 1120);
	ck_assert_int_eq(REPLIES(t), 1);
	/* Solved at insert (an import), messages after. */
	struct derr e = {0};
	struct ticket s = {.subject = "s", .status = ST_SOLVED, .priority = PRIO_NORMAL,
			   .channel = CH_EMAIL, .queue = "general", .customer_id = customer,
			   .created_at = 2000, .updated_at = 2500, .first_solved_at = 2500,
			   .solved_at = 2500};
	ck_assert_int_eq(store_ticket_insert(st, &s, &e), DESK_OK);
	msg(s.id, MSG_CUSTOMER, 2000);
	msg(s.id, MSG_REPLY, 2100);
	msg(s.id, MSG_REPLY, 2600);
	ck_assert_int_eq(REPLIES(s.id), 1);
	ck_assert_int_eq(ANSWERED(s.id), 2100);
}
END_TEST

START_TEST(facts_follow_moves_and_deletes)
{
	struct derr e = {0};
	int64_t a = ticket_at(1000), b = ticket_at(900);
	msg(a, MSG_CUSTOMER, 1000);
	msg(a, MSG_REPLY, 1010);
	msg(b, MSG_CUSTOMER, 950);
	msg(b, MSG_REPLY, 1500);
	/* Merge a into b: b's question stays 950, its answer is now 1010;
	 * a has no messages left. */
	ck_assert_int_eq(store_ticket_move_children(st, a, b, &e), DESK_OK);
	ck_assert_int_eq(ASKED(b), 950);
	ck_assert_int_eq(ANSWERED(b), 1010);
	ck_assert_int_eq(REPLIES(b), 2);
	ck_assert_int_eq(ASKED(a), -1);
	ck_assert_int_eq(ANSWERED(a), -1);
	ck_assert_int_eq(REPLIES(a), 0);
	/* Clearing a ticket's messages (a re-import) clears its facts. */
	ck_assert_int_eq(store_ticket_clear(st, b, &e), DESK_OK);
	ck_assert_int_eq(ASKED(b), -1);
	ck_assert_int_eq(ANSWERED(b), -1);
	ck_assert_int_eq(REPLIES(b), 0);
}
END_TEST

/* The facts of every ticket, computed from scratch by the definitions
 * (not by the triggers), and compared with the stored ones. */
static const char facts_mismatch_sql[] =
	"WITH f AS (SELECT t.id AS id, (SELECT m.created_at FROM messages m"
	"  WHERE m.ticket_id = t.id AND m.kind = 'customer' ORDER BY m.created_at, m.id"
	"  LIMIT 1) AS asked, (SELECT m.id FROM messages m WHERE m.ticket_id = t.id"
	"  AND m.kind = 'customer' ORDER BY m.created_at, m.id LIMIT 1) AS asked_id,"
	"  t.first_solved_at AS fs FROM tickets t)"
	" SELECT count(*) FROM f JOIN tickets t ON t.id = f.id WHERE"
	" t.first_customer_at IS DISTINCT FROM f.asked OR t.first_answer_at IS DISTINCT FROM"
	" (SELECT min(r.created_at) FROM messages r WHERE r.ticket_id = f.id"
	"  AND r.kind = 'reply' AND (r.created_at > f.asked OR (r.created_at = f.asked"
	"  AND r.id > f.asked_id)))"
	" OR t.replies_to_first_solve IS DISTINCT FROM (SELECT CASE WHEN count(*) > 2 THEN 2"
	"  ELSE count(*) END FROM messages r WHERE r.ticket_id = f.id AND r.kind = 'reply'"
	"  AND (f.fs IS NULL OR r.created_at <= f.fs))";

/* xorshift: the same tickets every run */
static int64_t rnd(int64_t n)
{
	static uint64_t x = 88172645463325252u;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return (int64_t)(x % (uint64_t)n);
}
#define RND rnd

START_TEST(facts_equal_their_definition)
{
	struct derr e = {0};
	int64_t ids[60];
	ck_assert_int_eq(store_begin(st, &e), DESK_OK);
	for (int i = 0; i < 60; i++) {
		ids[i] = ticket_at(10000 + i * 100);
		for (int k = RND(8); k > 0; k--) {
			static const enum msg_kind kinds[] = {MSG_CUSTOMER, MSG_REPLY, MSG_REPLY,
							      MSG_NOTE};
			enum msg_kind kind = kinds[RND(4)];
			msg(ids[i], kind, 10000 + i * 100 + RND(50));
		}
		if (RND(2))
			first_solve(ids[i], 10000 + i * 100 + RND(60));
	}
	for (int i = 0; i < 10; i++) {
		int64_t from = ids[RND(60)], to = ids[RND(60)];
		ck_assert_int_eq(store_ticket_move_children(st, from, to, &e), DESK_OK);
	}
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(store_ticket_clear(st, ids[RND(60)], &e), DESK_OK);
	ck_assert_int_eq(store_commit(st, &e), DESK_OK);
	ck_assert_int_eq(test_db_int(path, facts_mismatch_sql), 0);
}
END_TEST

static void report(int64_t since, int64_t until, enum metrics_by by, struct metrics *m)
{
	struct derr e = {0};
	struct metrics_query q = {.since = since, .until = until, .now = until + 86400, .by = by};
	ck_assert_int_eq(store_read_begin(st, &e), DESK_OK);
	ck_assert_msg(store_metrics(st, &q, m, &e) == DESK_OK, "%s", e.msg);
	store_read_end(st);
}

static void ck_same_dist(const struct metric_dist *a, const struct metric_dist *b)
{
	ck_assert_int_eq(a->n, b->n);
	ck_assert_double_eq_tol(a->median, b->median, 1e-9);
	ck_assert_double_eq_tol(a->p90, b->p90, 1e-9);
	ck_assert_double_eq_tol(a->mean, b->mean, 1e-9);
}

static void ck_same_group(const struct metric_group *a, const struct metric_group *b)
{
	ck_assert_int_eq(a->created, b->created);
	ck_assert_int_eq(a->inbound, b->inbound);
	ck_assert_int_eq(a->answered, b->answered);
	ck_assert_int_eq(a->fr_met, b->fr_met);
	ck_assert_int_eq(a->fr_breached, b->fr_breached);
	ck_assert_int_eq(a->res_met, b->res_met);
	ck_assert_int_eq(a->res_breached, b->res_breached);
	ck_assert_int_eq(a->solved, b->solved);
	ck_assert_int_eq(a->fcr, b->fcr);
	ck_assert_int_eq(a->reopened, b->reopened);
	ck_same_dist(&a->frt, &b->frt);
	ck_same_dist(&a->first_resolution, &b->first_resolution);
	ck_same_dist(&a->full_resolution, &b->full_resolution);
	ck_assert_int_eq(a->backlog, b->backlog);
}

/* The period holds 41 tickets with varied times.  First 200 more
 * tickets, created long before it (and solved then), make it a small
 * share of all (read by index ranges); once they are gone it is nearly
 * all (whole indexes walked, medians read off them by rank).  The
 * figures must not change. */
START_TEST(report_wide_equals_narrow)
{
	struct derr e = {0};
	const int64_t S = 1000000, U = S + 41 * 3600;
	ck_assert_int_eq(store_begin(st, &e), DESK_OK);
	for (int i = 0; i < 41; i++) {
		int64_t t = ticket_at(S + i * 3600);
		msg(t, MSG_CUSTOMER, S + i * 3600);
		if (i % 7 != 3)
			msg(t, MSG_REPLY, S + i * 3600 + (i * 7919) % 5000);
		if (i % 5 == 1)
			msg(t, MSG_REPLY, S + i * 3600 + 6000);
		if (i % 3 == 0)
			first_solve(t, S + i * 3600 + (i * 104729) % 90000 / 3 + 60);
	}
	int64_t old[200];
	for (int i = 0; i < 200; i++) {
		old[i] = ticket_at(S / 2 + i);
		first_solve(old[i], S / 2 + i + 10);
	}
	ck_assert_int_eq(store_commit(st, &e), DESK_OK);
	struct metrics narrow, wide, narrow_by, wide_by;
	report(S, U, BY_NONE, &narrow);
	report(S, U, BY_AGENT, &narrow_by);
	char *del = xasprintf("DELETE FROM tickets WHERE id BETWEEN %lld AND %lld",
			      (long long)old[0], (long long)old[199]);
	ck_assert_int_eq(test_db_int(path, del), 200);
	free(del);
	report(S, U, BY_NONE, &wide);
	report(S, U, BY_AGENT, &wide_by);
	ck_assert_int_eq(narrow.total.created, 41);
	ck_assert_int_gt(narrow.total.solved, 5);
	ck_assert_int_gt(narrow.total.frt.n, 30);
	ck_same_group(&narrow.total, &wide.total);
	ck_same_group(&narrow_by.total, &wide_by.total);
	ck_same_group(&narrow.total, &wide_by.total);
	ck_assert_int_eq(narrow_by.n, 1);
	ck_assert_int_eq(wide_by.n, 1);
	ck_same_group(&narrow_by.groups[0], &wide_by.groups[0]);
	metrics_free(&narrow);
	metrics_free(&wide);
	metrics_free(&narrow_by);
	metrics_free(&wide_by);
}
END_TEST

Suite *suite_report_facts(void)
{
	Suite *s = suite_create("report_facts");
	TCase *tc = tcase_create("facts");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, facts_follow_inserts);
	tcase_add_test(tc, facts_follow_the_first_solve);
	tcase_add_test(tc, facts_follow_moves_and_deletes);
	tcase_add_test(tc, facts_equal_their_definition);
	tcase_add_test(tc, report_wide_equals_narrow);
	suite_add_tcase(s, tc);
	return s;
}
