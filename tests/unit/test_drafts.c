/* test_drafts.c: an agent's drafts across tickets (the list, the queue
 * page's marks, carrying one over a merge, a merge keeping them) and
 * signatures (who may set whose, the cap and the plain-text rule, the
 * audit event, which one wins, how it is added to a reply). */
#include <check.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "caps.h"
#include "core.h"
#include "testlib.h"
#include "text.h"
#include "util.h"

#define T0 1800000000LL /* 2027-01-15 08:00:00 UTC */

static int64_t ticket(struct team_fx *x, const char *subject)
{
	struct derr e = {0};
	struct new_ticket nt;
	new_ticket_init(&nt);
	nt.subject = subject;
	nt.body = "hello";
	nt.customer_email = "ann@example.com";
	int64_t id = 0;
	ck_assert_msg(core_ticket_new(&x->d, &nt, &id, &e) == DESK_OK, "%s", e.msg);
	return id;
}

static void save(struct desk *d, int64_t t, enum msg_kind kind, const char *body,
		 const char *canned, int64_t at)
{
	struct derr e = {0};
	test_set_now(at);
	ck_assert_msg(store_draft_save_canned(d->st, t, d->me.id, kind, body, canned, &e) == DESK_OK,
		      "%s", e.msg);
}

START_TEST(list_newest_first_and_merge_keeps_them)
{
	struct team_fx x;
	team_fx_open(&x, T0);
	struct derr e = {0};
	int64_t t1 = ticket(&x, "one"), t2 = ticket(&x, "two"), t3 = ticket(&x, "three");
	save(&x.alice, t1, MSG_REPLY, "reply on one", "refund", T0 + 10);
	save(&x.alice, t2, MSG_NOTE, "note on two", NULL, T0 + 70);
	save(&x.bob, t1, MSG_REPLY, "bob's", NULL, T0 + 80);
	struct draft_list l = {0};
	ck_assert_int_eq(store_drafts_of(x.alice.st, x.alice.me.id, &l, &e), DESK_OK);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_int_eq(l.v[0].ticket_id, t2);
	ck_assert_int_eq(l.v[0].kind, MSG_NOTE);
	ck_assert_str_eq(l.v[0].subject, "two");
	ck_assert_ptr_null(l.v[0].canned);
	ck_assert_int_eq(l.v[1].ticket_id, t1);
	ck_assert_str_eq(l.v[1].body, "reply on one");
	ck_assert_str_eq(l.v[1].canned, "refund");
	ck_assert_int_eq(l.v[1].updated_at, T0 + 10);
	ck_assert_int_eq(l.v[1].merged_into, 0);
	draft_list_free(&l);
	/* Merging t1 away keeps every agent's draft of it, marked. */
	ck_assert_msg(core_merge(&x.d, t1, t3, &e) == DESK_OK, "%s", e.msg);
	ck_assert_int_eq(store_drafts_of(x.alice.st, x.alice.me.id, &l, &e), DESK_OK);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_int_eq(l.v[1].ticket_id, t1);
	ck_assert_int_eq(l.v[1].merged_into, t3);
	ck_assert_int_eq(l.v[1].status, ST_CLOSED);
	draft_list_free(&l);
	ck_assert_int_eq(store_drafts_of(x.bob.st, x.bob.me.id, &l, &e), DESK_OK);
	ck_assert_uint_eq(l.n, 1);
	draft_list_free(&l);
	team_fx_close(&x);
}
END_TEST

/* "id:mark id:mark" of a page read with drafts_of = agent. */
static char *page_marks(struct desk *d, int64_t agent)
{
	struct queue_filter f = {.drafts_of = agent};
	struct queue_page p = {0};
	struct derr e = {0};
	ck_assert_msg(store_queue_page(d->st, &f, SORT_ID, false, NULL, false, 50, &p, &e) == DESK_OK,
		      "%s", e.msg);
	struct strbuf b = {0};
	for (size_t i = 0; i < p.n; i++)
		sb_addf(&b, "%s%lld:%d", i ? " " : "", (long long)p.rows[i].id, p.rows[i].has_draft);
	queue_page_free(&p);
	return sb_take(&b);
}

/* "id:mark id:mark" of store_draft_marks alone, on rows made by hand
 * (ids, in the given order, and one no ticket has). */
static char *store_marks(struct desk *d, int64_t agent, const int64_t *ids, size_t n)
{
	struct queue_row rows[8] = {0};
	ck_assert_uint_le(n, ARRAY_LEN(rows));
	for (size_t i = 0; i < n; i++)
		rows[i] = (struct queue_row){.id = ids[i], .has_draft = true};
	struct derr e = {0};
	ck_assert_msg(store_draft_marks(d->st, agent, rows, n, &e) == DESK_OK, "%s", e.msg);
	struct strbuf b = {0};
	for (size_t i = 0; i < n; i++)
		sb_addf(&b, "%s%lld:%d", i ? " " : "", (long long)rows[i].id, rows[i].has_draft);
	return sb_take(&b);
}

START_TEST(marks_of_a_page_in_the_store)
{
	struct team_fx x;
	team_fx_open(&x, T0);
	int64_t t1 = ticket(&x, "one"), t2 = ticket(&x, "two"), t3 = ticket(&x, "three");
	save(&x.alice, t1, MSG_REPLY, "a", NULL, T0);
	save(&x.alice, t3, MSG_NOTE, "b", NULL, T0);
	save(&x.alice, t3, MSG_REPLY, "c", NULL, T0); /* two drafts: one mark */
	save(&x.bob, t2, MSG_REPLY, "d", NULL, T0);
	const int64_t ids[] = {t3, 999, t2, t1};
	char *got = store_marks(&x.d, x.alice.me.id, ids, ARRAY_LEN(ids));
	char *want = xasprintf("%lld:1 999:0 %lld:0 %lld:1", (long long)t3, (long long)t2,
			       (long long)t1);
	ck_assert_str_eq(got, want);
	free(got);
	free(want);
	got = store_marks(&x.d, x.bob.me.id, ids + 2, 1);
	want = xasprintf("%lld:1", (long long)t2);
	ck_assert_str_eq(got, want);
	free(got);
	free(want);
	/* no agent: no marks, whatever the rows said */
	got = store_marks(&x.d, 0, ids, 1);
	want = xasprintf("%lld:0", (long long)t3);
	ck_assert_str_eq(got, want);
	free(got);
	free(want);
	team_fx_close(&x);
}
END_TEST

/* The conversation's "unsent draft" notice: which kinds the agent has
 * on the ticket, in one statement. */
START_TEST(draft_kinds_of_a_ticket)
{
	struct team_fx x;
	struct derr e = {0};
	team_fx_open(&x, T0);
	int64_t t1 = ticket(&x, "one"), t2 = ticket(&x, "two"), t3 = ticket(&x, "three");
	save(&x.alice, t1, MSG_REPLY, "a", NULL, T0);
	save(&x.alice, t2, MSG_NOTE, "b", NULL, T0);
	save(&x.alice, t2, MSG_REPLY, "c", NULL, T0);
	save(&x.bob, t3, MSG_NOTE, "d", NULL, T0);
	unsigned k = 99;
	ck_assert_int_eq(store_draft_kinds(x.d.st, t1, x.alice.me.id, &k, &e), DESK_OK);
	ck_assert_uint_eq(k, 1u << MSG_REPLY);
	ck_assert_int_eq(store_draft_kinds(x.d.st, t2, x.alice.me.id, &k, &e), DESK_OK);
	ck_assert_uint_eq(k, 1u << MSG_REPLY | 1u << MSG_NOTE);
	ck_assert_int_eq(store_draft_kinds(x.d.st, t3, x.alice.me.id, &k, &e), DESK_OK);
	ck_assert_uint_eq(k, 0); /* bob's, not alice's */
	ck_assert_int_eq(store_draft_kinds(x.d.st, t3, x.bob.me.id, &k, &e), DESK_OK);
	ck_assert_uint_eq(k, 1u << MSG_NOTE);
	team_fx_close(&x);
}
END_TEST

START_TEST(queue_page_marks_the_agents_drafts)
{
	struct team_fx x;
	team_fx_open(&x, T0);
	int64_t t1 = ticket(&x, "one"), t2 = ticket(&x, "two");
	ticket(&x, "three");
	save(&x.alice, t1, MSG_REPLY, "a", NULL, T0);
	save(&x.alice, t2, MSG_NOTE, "b", NULL, T0);
	save(&x.alice, t2, MSG_REPLY, "c", NULL, T0); /* two drafts: one mark */
	save(&x.bob, t2, MSG_REPLY, "d", NULL, T0);
	char *got = page_marks(&x.d, x.alice.me.id);
	ck_assert_str_eq(got, "1:1 2:1 3:0");
	free(got);
	got = page_marks(&x.d, x.bob.me.id);
	ck_assert_str_eq(got, "1:0 2:1 3:0");
	free(got);
	got = page_marks(&x.d, 0);
	ck_assert_str_eq(got, "1:0 2:0 3:0");
	free(got);
	got = page_marks(&x.d, x.d.me.id);
	ck_assert_str_eq(got, "1:0 2:0 3:0");
	free(got);
	team_fx_close(&x);
}
END_TEST

START_TEST(follow_merge_moves_the_draft_to_the_living_ticket)
{
	struct team_fx x;
	team_fx_open(&x, T0);
	struct derr e = {0};
	int64_t t1 = ticket(&x, "one"), t2 = ticket(&x, "two"), t3 = ticket(&x, "three");
	int64_t t4 = ticket(&x, "four"), t5 = ticket(&x, "five");
	save(&x.alice, t1, MSG_REPLY, "carry me", "refund", T0);
	ck_assert_int_eq(core_merge(&x.d, t1, t2, &e), DESK_OK);
	ck_assert_int_eq(core_merge(&x.d, t2, t3, &e), DESK_OK);
	int64_t into = 0;
	/* Not merged: stays. */
	ck_assert_int_eq(core_draft_follow_merge(&x.alice, t4, MSG_REPLY, &into, &e), DESK_OK);
	ck_assert_int_eq(into, t4);
	/* t1 -> t2 -> t3: it ends on t3, canned kept. */
	ck_assert_msg(core_draft_follow_merge(&x.alice, t1, MSG_REPLY, &into, &e) == DESK_OK, "%s",
		      e.msg);
	ck_assert_int_eq(into, t3);
	char *body = NULL, *canned = NULL;
	ck_assert_int_eq(store_draft_get_canned(x.d.st, t3, x.alice.me.id, MSG_REPLY, &body, &canned,
						&e), DESK_OK);
	ck_assert_str_eq(body, "carry me");
	ck_assert_str_eq(canned, "refund");
	free(body);
	free(canned);
	ck_assert_int_eq(store_draft_get(x.d.st, t1, x.alice.me.id, MSG_REPLY, &body, &e), DESK_OK);
	ck_assert_ptr_null(body);
	/* Where one is already, nothing moves and the message says so. */
	save(&x.alice, t4, MSG_REPLY, "older", NULL, T0);
	save(&x.alice, t5, MSG_REPLY, "newer", NULL, T0);
	ck_assert_int_eq(core_merge(&x.d, t4, t5, &e), DESK_OK);
	ck_assert_int_eq(core_draft_follow_merge(&x.alice, t4, MSG_REPLY, &into, &e), DESK_ECONFLICT);
	ck_assert_ptr_nonnull(strstr(e.msg, "where you have a reply draft already"));
	ck_assert_int_eq(store_draft_get(x.d.st, t4, x.alice.me.id, MSG_REPLY, &body, &e), DESK_OK);
	ck_assert_str_eq(body, "older");
	free(body);
	ck_assert(!store_in_transaction(x.alice.st));
	team_fx_close(&x);
}
END_TEST

/* The audit events on field (they belong to no ticket), read from the
 * database directly (SQLite, or libpq on PostgreSQL): "old>new by"
 * each, "-" for none. */
#define EVENTS_ON                                                           \
	"SELECT coalesce(e.old_value, '-'), coalesce(e.new_value, '-'),"   \
	" a.login FROM events e JOIN agents a ON a.id = e.agent_id"        \
	" WHERE e.field = %s AND e.action = 'agent'"                       \
	" AND e.ticket_id IS NULL ORDER BY e.id"

static char *events_on_pg(struct team_fx *x, const char *field)
{
	PGconn *c = PQconnectdb(x->path);
	ck_assert_msg(PQstatus(c) == CONNECTION_OK, "%s", PQerrorMessage(c));
	char *sql = xasprintf(EVENTS_ON, "$1");
	const char *params[1] = {field};
	PGresult *r = PQexecParams(c, sql, 1, NULL, params, NULL, NULL, 0);
	free(sql);
	ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK, "%s", PQerrorMessage(c));
	struct strbuf b = {0};
	for (int i = 0; i < PQntuples(r); i++)
		sb_addf(&b, "%s>%s %s;", PQgetvalue(r, i, 0), PQgetvalue(r, i, 1),
			PQgetvalue(r, i, 2));
	PQclear(r);
	PQfinish(c);
	return sb_take(&b);
}

static char *events_on(struct team_fx *x, const char *field)
{
	if (test_db_on_pg())
		return events_on_pg(x, field);
	sqlite3 *db;
	sqlite3_stmt *s;
	ck_assert_int_eq(sqlite3_open_v2(x->path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	char *sql = xasprintf(EVENTS_ON, "?1");
	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	free(sql);
	sqlite3_bind_text(s, 1, field, -1, SQLITE_STATIC);
	struct strbuf b = {0};
	while (sqlite3_step(s) == SQLITE_ROW)
		sb_addf(&b, "%s>%s %s;", sqlite3_column_text(s, 0), sqlite3_column_text(s, 1),
			sqlite3_column_text(s, 2));
	sqlite3_finalize(s);
	sqlite3_close(db);
	return sb_take(&b);
}

#define EXPECT_EVENTS(x, field, want)                 \
	do {                                          \
		char *got_ = events_on((x), (field)); \
		ck_assert_str_eq(got_, (want));       \
		free(got_);                           \
	} while (0)

START_TEST(signature_who_may_set_whose)
{
	struct team_fx x;
	team_fx_open(&x, T0);
	struct derr e = {0};
	char *sig = NULL;
	ck_assert_int_eq(core_signature_get(&x.alice, NULL, &sig, &e), DESK_OK);
	ck_assert_ptr_null(sig);
	/* CRLF, a "-- " line of one's own and trailing blank lines go. */
	ck_assert_int_eq(core_signature_set(&x.alice, NULL, "-- \r\nAlice\r\nSupport\r\n\r\n", &e),
			 DESK_OK);
	ck_assert_int_eq(core_signature_get(&x.alice, "alice", &sig, &e), DESK_OK);
	ck_assert_str_eq(sig, "Alice\nSupport");
	free(sig);
	EXPECT_EVENTS(&x, "signature:alice", "->Alice\nSupport alice;");
	/* The same again: no event. */
	ck_assert_int_eq(core_signature_set(&x.alice, NULL, "Alice\nSupport", &e), DESK_OK);
	EXPECT_EVENTS(&x, "signature:alice", "->Alice\nSupport alice;");
	/* Another's: not for an agent, either way. */
	ck_assert_int_eq(core_signature_set(&x.bob, "alice", "Bob", &e), DESK_EDENIED);
	ck_assert_int_eq(core_signature_get(&x.bob, "alice", &sig, &e), DESK_EDENIED);
	ck_assert_ptr_null(sig);
	/* An admin may. */
	ck_assert_int_eq(core_signature_set(&x.d, "bob", "Bob", &e), DESK_OK);
	ck_assert_int_eq(core_signature_get(&x.bob, NULL, &sig, &e), DESK_OK);
	ck_assert_str_eq(sig, "Bob");
	free(sig);
	ck_assert_int_eq(core_signature_set(&x.d, "nobody", "X", &e), DESK_ENOTFOUND);
	/* Clearing: NULL stored, an event. */
	ck_assert_int_eq(core_signature_set(&x.bob, NULL, NULL, &e), DESK_OK);
	ck_assert_int_eq(core_signature_get(&x.bob, NULL, &sig, &e), DESK_OK);
	ck_assert_ptr_null(sig);
	EXPECT_EVENTS(&x, "signature:bob", "->Bob tester;Bob>- bob;");
	ck_assert(!store_in_transaction(x.d.st) && !store_in_transaction(x.bob.st));
	team_fx_close(&x);
}
END_TEST

START_TEST(signature_cap_and_plain_text)
{
	struct team_fx x;
	team_fx_open(&x, T0);
	struct derr e = {0};
	ck_assert_int_eq(core_signature_set(&x.alice, NULL, "Alice", &e), DESK_OK);
	char *big = xmalloc(DESK_MAX_SIGNATURE + 2);
	memset(big, 'x', DESK_MAX_SIGNATURE + 1);
	big[DESK_MAX_SIGNATURE + 1] = '\0';
	ck_assert_int_eq(core_signature_set(&x.alice, NULL, big, &e), DESK_EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "2049 bytes"));
	big[DESK_MAX_SIGNATURE] = '\0'; /* exactly the cap: taken */
	ck_assert_int_eq(core_signature_set(&x.alice, NULL, big, &e), DESK_OK);
	free(big);
	static const char *const bad[] = {"A\n\033[2J", "A\rB", "A\x7f", "A\xc2\x9b", "A\xe2\x80\xae",
					  "A\xff", "A\xe2\x80\x8b"};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		ck_assert_msg(core_signature_set(&x.alice, NULL, bad[i], &e) == DESK_EINVAL, "bad %zu",
			      i);
	ck_assert_int_eq(core_signature_check("A\n\tB é ✓", "sig", &e), DESK_OK);
	ck_assert_int_eq(core_signature_check("ok\nok\n\033x", "sig", &e), DESK_EINVAL);
	ck_assert_str_eq(e.msg, "sig, line 3: holds a control, invisible or invalid character (^[); "
				"a signature is plain text");
	team_fx_close(&x);
}
END_TEST

START_TEST(signature_personal_then_stored_then_team)
{
	struct team_fx x;
	team_fx_open(&x, T0);
	struct derr e = {0};
	char *s = core_signature_for_replies(&x.alice);
	ck_assert_ptr_null(s);
	/* The team's is the default... */
	x.cfg.signature = xstrdup("The Team");
	x.cfg.origin[CFG_SIGNATURE].from = FROM_TEAM;
	s = core_signature_for_replies(&x.alice);
	ck_assert_str_eq(s, "The Team");
	free(s);
	/* ...the stored one comes before it... */
	ck_assert_int_eq(core_signature_set(&x.alice, NULL, "Alice", &e), DESK_OK);
	s = core_signature_for_replies(&x.alice);
	ck_assert_str_eq(s, "Alice");
	free(s);
	/* ...and the personal file's before both. */
	free(x.cfg.signature);
	x.cfg.signature = xstrdup("Alice (file)");
	x.cfg.origin[CFG_SIGNATURE].from = FROM_PERSONAL;
	s = core_signature_for_replies(&x.alice);
	ck_assert_str_eq(s, "Alice (file)");
	free(s);
	team_fx_close(&x);
}
END_TEST

START_TEST(sign_and_signature_only)
{
	char *s = core_sign("Hello,\nthanks.\n\n", "Ann\nSupport");
	ck_assert_str_eq(s, "Hello,\nthanks.\n\n-- \nAnn\nSupport");
	ck_assert(!core_signature_only(s, "Ann\nSupport"));
	free(s);
	s = core_sign(NULL, "Ann");
	ck_assert_str_eq(s, "\n\n-- \nAnn");
	ck_assert(core_signature_only(s, "Ann"));
	ck_assert(core_signature_only("-- \nAnn\n\n", "Ann"));
	ck_assert(!core_signature_only("-- \nAnn edited", "Ann"));
	ck_assert(!core_signature_only(s, NULL));
	ck_assert(!core_signature_only("", "Ann"));
	free(s);
	s = core_sign("Hi", NULL);
	ck_assert_str_eq(s, "Hi");
	free(s);
}
END_TEST

START_TEST(age_and_first_line)
{
	setenv("TZ", "UTC", 1);
	tzset();
	char b[32];
	int64_t now = T0; /* 08:00 */
	draft_age(now - 30, now, b, sizeof b);
	ck_assert_str_eq(b, "just now");
	draft_age(now - 180, now, b, sizeof b);
	ck_assert_str_eq(b, "3 min");
	draft_age(now - 2 * 3600 - 10, now, b, sizeof b);
	ck_assert_str_eq(b, "2 h");
	draft_age(now - 9 * 3600, now, b, sizeof b); /* 23:00 the day before: hours */
	ck_assert_str_eq(b, "9 h");
	draft_age(now - 20 * 3600, now, b, sizeof b); /* 12:00 the day before */
	ck_assert_str_eq(b, "yesterday");
	draft_age(now - 3 * 86400, now, b, sizeof b);
	ck_assert_str_eq(b, "3 days");
	draft_age(now - 30 * 86400, now, b, sizeof b);
	ck_assert_str_eq(b, "2026-12-16");
	char *f = draft_first_line("\n \t\n  Hello there \nnext");
	ck_assert_str_eq(f, "Hello there ");
	free(f);
	f = draft_first_line("\n\n");
	ck_assert_str_eq(f, "");
	free(f);
	f = draft_first_line(NULL);
	ck_assert_str_eq(f, "");
	free(f);
}
END_TEST

START_TEST(first_unplain)
{
	ck_assert_ptr_null(text_first_unplain("Ann\n\tSupport é ✓ 👍"));
	ck_assert_ptr_null(text_first_unplain(NULL));
	const char *s = "ok\033[31m";
	ck_assert_ptr_eq(text_first_unplain(s), s + 2);
	s = "ok\xc2\x9b";
	ck_assert_ptr_eq(text_first_unplain(s), s + 2);
	s = "a\xe2\x80\xae";
	ck_assert_ptr_eq(text_first_unplain(s), s + 1);
	s = "ab\xc3";
	ck_assert_ptr_eq(text_first_unplain(s), s + 2);
	s = "\xef\xbf\xbd real replacement";
	ck_assert_ptr_null(text_first_unplain(s));
}
END_TEST

Suite *suite_drafts(void)
{
	Suite *s = suite_create("drafts");
	TCase *t = tcase_create("drafts");
	tcase_set_timeout(t, 30);
	tcase_add_test(t, list_newest_first_and_merge_keeps_them);
	tcase_add_test(t, queue_page_marks_the_agents_drafts);
	tcase_add_test(t, marks_of_a_page_in_the_store);
	tcase_add_test(t, draft_kinds_of_a_ticket);
	tcase_add_test(t, follow_merge_moves_the_draft_to_the_living_ticket);
	tcase_add_test(t, signature_who_may_set_whose);
	tcase_add_test(t, signature_cap_and_plain_text);
	tcase_add_test(t, signature_personal_then_stored_then_team);
	tcase_add_test(t, sign_and_signature_only);
	tcase_add_test(t, age_and_first_line);
	tcase_add_test(t, first_unplain);
	suite_add_tcase(s, t);
	return s;
}
