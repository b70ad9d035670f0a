/* test_presence.c: what the console needs from core and store when many
 * agents share a database: presence (one row per agent, replying first,
 * oneself left out, stale rows ignored, cleared on leaving), counting a
 * view only up to a limit, locating a ticket in a view by its key, and
 * drafts that remember their canned response (schema v5). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "testlib.h"
#include "util.h"

#define T0 1800000000LL

static int64_t ticket(struct team_fx *x, const char *subject)
{
	struct derr e = {0};
	struct new_ticket nt;
	new_ticket_init(&nt);
	nt.subject = subject;
	nt.body = "hello";
	nt.customer_name = "Ann Lee";
	nt.customer_email = "ann@example.com";
	int64_t id = 0;
	ck_assert_msg(core_ticket_new(&x->d, &nt, &id, &e) == DESK_OK, "%s", e.msg);
	return id;
}

/* Others' presence as "ticket:login:state ..." seen by d. */
static char *others(struct desk *d)
{
	struct presence_rows r = {0};
	struct derr e = {0};
	ck_assert_msg(core_presence_others(d, &r, &e) == DESK_OK, "%s", e.msg);
	struct strbuf b = {0};
	for (size_t i = 0; i < r.n; i++)
		sb_addf(&b, "%s%lld:%s:%s", i ? " " : "", (long long)r.v[i].ticket_id, r.v[i].login,
			r.v[i].replying ? "replying" : "viewing");
	presence_rows_free(&r);
	return sb_take(&b);
}

#define SEES(d, want)                                   \
	do {                                            \
		char *got_ = others(d);                 \
		ck_assert_str_eq(got_, want);           \
		free(got_);                             \
	} while (0)

START_TEST(presence_rows_per_agent)
{
	struct team_fx x;
	team_fx_open(&x, T0);
	struct derr e = {0};
	int64_t t1 = ticket(&x, "one"), t2 = ticket(&x, "two");
	SEES(&x.d, "");
	ck_assert_int_eq(core_presence_set(&x.alice, t1, false, &e), DESK_OK);
	ck_assert_int_eq(core_presence_set(&x.bob, t1, true, &e), DESK_OK);
	char want[128];
	/* Replying first; nobody sees themselves. */
	snprintf(want, sizeof want, "%lld:bob:replying %lld:alice:viewing", (long long)t1,
		 (long long)t1);
	SEES(&x.d, want);
	snprintf(want, sizeof want, "%lld:bob:replying", (long long)t1);
	SEES(&x.alice, want);
	/* One row per agent: moving on replaces it. */
	ck_assert_int_eq(core_presence_set(&x.alice, t2, false, &e), DESK_OK);
	snprintf(want, sizeof want, "%lld:bob:replying %lld:alice:viewing", (long long)t1,
		 (long long)t2);
	SEES(&x.d, want);
	/* Leaving clears it. */
	ck_assert_int_eq(core_presence_set(&x.bob, 0, false, &e), DESK_OK);
	snprintf(want, sizeof want, "%lld:alice:viewing", (long long)t2);
	SEES(&x.d, want);
	ck_assert(!store_in_transaction(x.alice.st));
	team_fx_close(&x);
}
END_TEST

/* Presence moves leave the content mark alone; a note, a reply, a status
 * change move it, so consoles refresh only for those. */
START_TEST(content_mark_ignores_presence)
{
	struct team_fx x;
	team_fx_open(&x, T0);
	struct derr e = {0};
	int64_t t1 = ticket(&x, "one");
	int64_t m0[3], m1[3];
	ck_assert_int_eq(store_content_mark(x.d.st, m0, &e), DESK_OK);
	ck_assert_int_eq(core_presence_set(&x.alice, t1, true, &e), DESK_OK);
	ck_assert_int_eq(core_presence_set(&x.bob, t1, false, &e), DESK_OK);
	ck_assert_int_eq(store_content_mark(x.d.st, m1, &e), DESK_OK);
	ck_assert(memcmp(m0, m1, sizeof m0) == 0);
	ck_assert_int_eq(core_note(&x.alice, t1, "looking", &e), DESK_OK);
	ck_assert_int_eq(store_content_mark(x.d.st, m1, &e), DESK_OK);
	ck_assert(memcmp(m0, m1, sizeof m0) != 0);
	memcpy(m0, m1, sizeof m0);
	ck_assert_int_eq(core_set_priority(&x.bob, t1, PRIO_HIGH, &e), DESK_OK);
	ck_assert_int_eq(store_content_mark(x.d.st, m1, &e), DESK_OK);
	ck_assert(memcmp(m0, m1, sizeof m0) != 0);
	team_fx_close(&x);
}
END_TEST

START_TEST(presence_stale_ignored)
{
	struct team_fx x;
	team_fx_open(&x, T0);
	struct derr e = {0};
	int64_t t1 = ticket(&x, "one");
	ck_assert_int_eq(core_presence_set(&x.alice, t1, true, &e), DESK_OK);
	char want[64];
	snprintf(want, sizeof want, "%lld:alice:replying", (long long)t1);
	test_set_now(T0 + PRESENCE_FRESH_SECONDS);
	SEES(&x.d, want);
	/* A console that died without clearing: its row fades. */
	test_set_now(T0 + PRESENCE_FRESH_SECONDS + 1);
	SEES(&x.d, "");
	/* A refresh brings it back. */
	ck_assert_int_eq(core_presence_set(&x.alice, t1, true, &e), DESK_OK);
	SEES(&x.d, want);
	team_fx_close(&x);
}
END_TEST

START_TEST(count_upto_stops)
{
	struct team_fx x;
	team_fx_open(&x, T0);
	struct derr e = {0};
	for (int i = 0; i < 5; i++)
		ticket(&x, "t");
	struct queue_filter f = {0};
	int64_t n = -1;
	ck_assert_int_eq(store_queue_count_upto(x.d.st, &f, 3, &n, &e), DESK_OK);
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(store_queue_count_upto(x.d.st, &f, 10, &n, &e), DESK_OK);
	ck_assert_int_eq(n, 5);
	f.text = "nothing like this";
	ck_assert_int_eq(store_queue_count_upto(x.d.st, &f, 10, &n, &e), DESK_OK);
	ck_assert_int_eq(n, 0);
	team_fx_close(&x);
}
END_TEST

START_TEST(locate_in_view)
{
	struct team_fx x;
	team_fx_open(&x, T0);
	struct derr e = {0};
	int64_t id[5];
	for (int i = 0; i < 5; i++)
		id[i] = ticket(&x, "t");
	struct queue_filter f = {0};
	int64_t row = -1;
	struct queue_key k = {{0}};
	ck_assert_int_eq(store_queue_locate(x.d.st, &f, SORT_ID, false, id[2], &row, &k, &e),
			 DESK_OK);
	ck_assert_int_eq(row, 2);
	ck_assert_int_eq(k.k[0], id[2]);
	ck_assert_int_eq(store_queue_locate(x.d.st, &f, SORT_ID, true, id[1], &row, NULL, &e),
			 DESK_OK);
	ck_assert_int_eq(row, 3);
	/* The key it gives starts a page right after the ticket. */
	struct queue_page pg = {0};
	ck_assert_int_eq(store_queue_locate(x.d.st, &f, SORT_CREATED, false, id[3], NULL, &k, &e),
			 DESK_OK);
	ck_assert_int_eq(store_queue_page(x.d.st, &f, SORT_CREATED, false, &k, false, 5, &pg, &e),
			 DESK_OK);
	ck_assert_int_eq(pg.n, 1);
	ck_assert_int_eq(pg.rows[0].id, id[4]);
	queue_page_free(&pg);
	/* Not in the view. */
	f.status_mask = 1u << ST_CLOSED;
	ck_assert_int_eq(store_queue_locate(x.d.st, &f, SORT_ID, false, id[2], &row, &k, &e),
			 DESK_ENOTFOUND);
	team_fx_close(&x);
}
END_TEST

START_TEST(drafts_keep_canned)
{
	struct team_fx x;
	team_fx_open(&x, T0);
	struct derr e = {0};
	ck_assert_int_ge(store_schema_version(x.d.st), 5); /* drafts.canned came in 5 */
	int64_t t1 = ticket(&x, "one");
	int64_t me = x.d.me.id;
	char *body = NULL, *canned = NULL;
	ck_assert_int_eq(store_draft_save_canned(x.d.st, t1, me, MSG_REPLY, "Hi", "refund", &e),
			 DESK_OK);
	ck_assert_int_eq(store_draft_get_canned(x.d.st, t1, me, MSG_REPLY, &body, &canned, &e),
			 DESK_OK);
	ck_assert_str_eq(body, "Hi");
	ck_assert_str_eq(canned, "refund");
	free(body);
	free(canned);
	/* A draft without one (the old call) forgets it. */
	ck_assert_int_eq(store_draft_save(x.d.st, t1, me, MSG_REPLY, "Hi again", &e), DESK_OK);
	ck_assert_int_eq(store_draft_get_canned(x.d.st, t1, me, MSG_REPLY, &body, &canned, &e),
			 DESK_OK);
	ck_assert_str_eq(body, "Hi again");
	ck_assert_ptr_null(canned);
	free(body);
	/* None: both NULL. */
	ck_assert_int_eq(store_draft_get_canned(x.d.st, t1, me, MSG_NOTE, &body, &canned, &e),
			 DESK_OK);
	ck_assert_ptr_null(body);
	ck_assert_ptr_null(canned);
	team_fx_close(&x);
}
END_TEST

Suite *suite_presence(void)
{
	Suite *s = suite_create("presence");
	TCase *t = tcase_create("presence");
	tcase_add_test(t, presence_rows_per_agent);
	tcase_add_test(t, presence_stale_ignored);
	tcase_add_test(t, content_mark_ignores_presence);
	suite_add_tcase(s, t);
	t = tcase_create("queue");
	tcase_add_test(t, count_upto_stops);
	tcase_add_test(t, locate_in_view);
	tcase_add_test(t, drafts_keep_canned);
	suite_add_tcase(s, t);
	return s;
}
