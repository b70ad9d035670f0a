/* test_search.c: full-text search with prefix words (src/store/search.c).
 * A prefix word is spelled out as the index terms it stands for; every
 * case here checks that the spelled-out query matches exactly the rows
 * FTS5's own prefix query matches, on both full-text tables, and that
 * the queue finds the same tickets.  On PostgreSQL (search_pg.c) the
 * queue's search must find what it finds on SQLite; the tests of FTS5's
 * vocabulary are SQLite's own. */
#include <check.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "testlib.h"
#include "util.h"
#include "../../src/store/internal.h"
#include "../../src/store/search.h"

struct sx {
	char *dir;
	char *path;
	struct store *st;
	int64_t t[16];
};

static int64_t ticket(struct store *st, const char *subject)
{
	struct derr e = {0};
	struct ticket t = {.subject = (char *)subject, .created_at = 1000};
	int rc = store_ticket_insert(st, &t, &e);
	ck_assert_msg(rc == DESK_OK, "%s", e.msg);
	return t.id;
}

static void message(struct store *st, int64_t ticket_id, const char *body)
{
	struct derr e = {0};
	struct message m = {.ticket_id = ticket_id, .kind = MSG_CUSTOMER, .body = (char *)body,
			    .created_at = 2000};
	int rc = store_message_insert(st, &m, &e);
	ck_assert_msg(rc == DESK_OK, "%s", e.msg);
}

static void sx_open(struct sx *x)
{
	struct derr e = {0};
	x->dir = test_tmpdir();
	x->path = test_db_path(x->dir);
	ck_assert_int_eq(store_open(x->path, STORE_CREATE, &x->st, &e), DESK_OK);
	struct store *st = x->st;
	x->t[0] = ticket(st, "Refund for order 42");
	x->t[1] = ticket(st, "Refunds pending");
	x->t[2] = ticket(st, "Réfunded twice");
	x->t[3] = ticket(st, "東京駅 lost bag");
	x->t[4] = ticket(st, "東京都 invoice");
	x->t[5] = ticket(st, "e-mail bounced");
	x->t[6] = ticket(st, "email question");
	x->t[7] = ticket(st, "Password reset");
	message(st, x->t[7], "We refunded the parcel");
	message(st, x->t[6], "REFUNDING now, see the e-mailbox");
	message(st, x->t[5], "the e-mail system, café crème");
	message(st, x->t[4], "O'Brien said \"refund\" twice");
	message(st, x->t[3], "荷物は東京駅にあります");
	/* 80 terms starting with "10": more than a prefix is spelled out as. */
	for (int i = 0; i < 80; i++) {
		char s[32];
		snprintf(s, sizeof s, "Order %d", 1000 + i);
		ticket(st, s);
	}
}

static void sx_close(struct sx *x)
{
	store_close(&x->st);
	test_db_drop(&x->path);
	test_tmpdir_cleanup(&x->dir);
}

/* The rowids a MATCH query finds in one table, in order, as text. */
static char *matches(sqlite3 *db, enum search_table table, const char *q)
{
	const char *sql = table == SEARCH_TICKETS
				  ? "SELECT group_concat(rowid) FROM (SELECT rowid FROM ticket_fts"
				    " WHERE ticket_fts MATCH ?1 ORDER BY rowid)"
				  : "SELECT group_concat(rowid) FROM (SELECT rowid FROM message_fts"
				    " WHERE message_fts MATCH ?1 ORDER BY rowid)";
	sqlite3_stmt *s;
	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	sqlite3_bind_text(s, 1, q, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	ck_assert_msg(rc == SQLITE_ROW, "%s: %s", q, sqlite3_errmsg(db));
	char *out = xstrdup(sqlite3_column_type(s, 0) == SQLITE_NULL
				    ? ""
				    : (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return out;
}

/* The spelled-out query of `text` matches what FTS5's own prefix query
 * matches, in both tables; returns how many rows matched in all, and
 * whether the text was spelled out differently from FTS5's query. */
static int same_matches(sqlite3 *db, const char *text, bool *expanded)
{
	int n = 0;
	*expanded = false;
	for (int k = 0; k < 2; k++) {
		enum search_table table = k ? SEARCH_MESSAGES : SEARCH_TICKETS;
		char *native = search_fts_query(NULL, text, table);
		char *ours = search_fts_query(db, text, table);
		ck_assert_ptr_nonnull(native);
		ck_assert_ptr_nonnull(ours);
		char *a = matches(db, table, native), *b = matches(db, table, ours);
		ck_assert_msg(strcmp(a, b) == 0, "%s in %s: FTS5 [%s] from %s, ours [%s] from %s",
			      text, k ? "messages" : "tickets", a, native, b, ours);
		if (*a)
			n++;
		for (const char *c = a; *c; c++)
			n += *c == ',';
		*expanded |= strcmp(native, ours) != 0;
		free(a);
		free(b);
		free(native);
		free(ours);
	}
	return n;
}

START_TEST(prefix_matches_as_fts5)
{
	if (test_sqlite_only("prefix_matches_as_fts5", "FTS5's prefix queries against ours"))
		return;
	struct sx x;
	sx_open(&x);
	sqlite3 *db = x.st->db;
	static const struct {
		const char *text;
		bool found, expanded;
	} cases[] = {
		{"refu*", true, true},
		{"REFU*", true, true},
		{"réfu*", true, true},            /* accents folded as the index folds them */
		{"refund*", true, true},          /* a whole term is its own prefix */
		{"refu* parcel", true, true},     /* all words required */
		{"parcel refu*", true, true},
		{"refu* pass*", false, true},     /* nothing has both */
		{"refu* e-mai*", true, true},     /* two prefixes, one of them a phrase */
		{"e-mai*", true, true},           /* phrase: "e" then a term starting "mai" */
		{"o'bri*", true, true},
		{"東京*", true, true},            /* CJK */
		{"東*", true, true},
		{"caf*", true, true},
		{"\"refu*", true, true},          /* quotes in what was typed */
		{"re\"fu*", false, true},
		{"\"refund\"*", true, true},
		{"zzz*", false, true},            /* no term has the prefix */
		{"e-zzz*", false, true},
		{"10*", true, true},              /* see below */
		{"-*", false, false},             /* no token at all: FTS5's */
		{"refund", true, false},          /* no prefix: as before */
		{"refund invoice", false, false},
		{"said refu*", true, true},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		bool expanded;
		int n = same_matches(db, cases[i].text, &expanded);
		ck_assert_msg((n > 0) == cases[i].found, "%s: %d matches", cases[i].text, n);
		ck_assert_msg(expanded == cases[i].expanded, "%s: spelled out %d", cases[i].text,
			      expanded);
	}
	/* More terms than are spelled out (80 numbers in subjects): left to
	 * FTS5, whose merge of their short postings is cheap. */
	char *q = search_fts_query(db, "10*", SEARCH_TICKETS);
	ck_assert_str_eq(q, "\"10\"*");
	free(q);
	/* No words: no query, with or without the connection. */
	ck_assert_ptr_null(search_fts_query(db, "*", SEARCH_MESSAGES));
	ck_assert_ptr_null(search_fts_query(db, " ** \t", SEARCH_TICKETS));
	sx_close(&x);
}
END_TEST

/* The ids the queue finds for a search, in id order. */
static char *queue_ids(struct store *st, const char *search)
{
	struct derr e = {0};
	struct queue_filter f = {.search = search};
	struct queue_page p = {0};
	int rc = store_queue_page(st, &f, SORT_ID, false, NULL, false, 200, &p, &e);
	ck_assert_msg(rc == DESK_OK, "%s: %s", search, e.msg);
	struct strbuf b = {0};
	for (size_t i = 0; i < p.n; i++)
		sb_addf(&b, "%s%lld", i ? "," : "", (long long)p.rows[i].id);
	int64_t n = -1;
	ck_assert_int_eq(store_queue_count(st, &f, &n, &e), DESK_OK);
	ck_assert_int_eq(n, (int64_t)p.n);
	queue_page_free(&p);
	return sb_take(&b);
}

static void expect_queue(struct store *st, const char *search, const char *want)
{
	char *got = queue_ids(st, search);
	ck_assert_msg(strcmp(got, want) == 0, "%s: got [%s], expected [%s]", search, got, want);
	free(got);
}

START_TEST(queue_finds_prefixes)
{
	struct sx x;
	sx_open(&x);
	char want[64];
	snprintf(want, sizeof want, "%lld,%lld,%lld,%lld,%lld,%lld", (long long)x.t[0],
		 (long long)x.t[1], (long long)x.t[2], (long long)x.t[4], (long long)x.t[6],
		 (long long)x.t[7]);
	/* Accents folded as the index folds them, on both engines. */
	expect_queue(x.st, "refu*", want);
	expect_queue(x.st, "Réfun*", want);
	snprintf(want, sizeof want, "%lld", (long long)x.t[7]);
	expect_queue(x.st, "refu* parcel", want);
	expect_queue(x.st, "REFU* PARCEL", want);
	expect_queue(x.st, "parcel refunded", want);
	/* A word of no letter or digit makes the whole search match
	 * nothing, as FTS5's empty phrase does; alone, it is no search. */
	expect_queue(x.st, "refund --", "");
	expect_queue(x.st, "-*  refund", "");
	/* A word is its tokens as a phrase, in order. */
	snprintf(want, sizeof want, "%lld", (long long)x.t[5]);
	expect_queue(x.st, "e-mail", want); /* not "e-mailbox" */
	snprintf(want, sizeof want, "%lld", (long long)x.t[4]);
	expect_queue(x.st, "o'brien", want);
	expect_queue(x.st, "brien-o", "");
	/* Query syntax is only ever words. */
	expect_queue(x.st, "\"refund\" twic*", want);
	expect_queue(x.st, "refund OR parcel", "");
	expect_queue(x.st, "refund & !parcel", "");
	snprintf(want, sizeof want, "%lld,%lld", (long long)x.t[5], (long long)x.t[6]);
	expect_queue(x.st, "e-mai*", want);
	snprintf(want, sizeof want, "%lld,%lld", (long long)x.t[3], (long long)x.t[4]);
	expect_queue(x.st, "東京*", want);
	expect_queue(x.st, "zzz*", "");
	char *many = queue_ids(x.st, "10*");
	int commas = 0;
	for (const char *c = many; *c; c++)
		commas += *c == ',';
	ck_assert_int_eq(commas, 79);
	free(many);

	/* A read-only connection spells prefixes out too (its vocabulary
	 * table lives in the connection's temp schema); on PostgreSQL it
	 * finds the same tickets. */
	struct store *ro = NULL;
	struct derr e = {0};
	ck_assert_int_eq(store_open(x.path, STORE_READONLY, &ro, &e), DESK_OK);
	if (test_db_on_pg()) {
		snprintf(want, sizeof want, "%lld,%lld", (long long)x.t[3], (long long)x.t[4]);
		expect_queue(ro, "東京*", want);
	} else {
		char *q = search_fts_query(ro->db, "refu*", SEARCH_MESSAGES);
		ck_assert_str_eq(q, "(\"refund\" OR \"refunded\" OR \"refunding\")");
		free(q);
	}
	store_close(&ro);
	sx_close(&x);
}
END_TEST

static int interrupt_all(void *arg)
{
	(void)arg;
	return 1;
}

START_TEST(new_terms_and_failures_are_not_cached)
{
	if (test_sqlite_only("new_terms_and_failures_are_not_cached",
			     "the cache of FTS5 vocabulary lookups"))
		return;
	struct sx x;
	sx_open(&x);
	sqlite3 *db = x.st->db;
	char *q = search_fts_query(db, "refu*", SEARCH_MESSAGES);
	ck_assert_str_eq(q, "(\"refund\" OR \"refunded\" OR \"refunding\")");
	free(q);

	/* A term written through this connection. */
	message(x.st, x.t[0], "refuel the van");
	q = search_fts_query(db, "refu*", SEARCH_MESSAGES);
	ck_assert_str_eq(q, "(\"refuel\" OR \"refund\" OR \"refunded\" OR \"refunding\")");
	free(q);

	/* One written through another connection. */
	struct store *other = NULL;
	struct derr e = {0};
	ck_assert_int_eq(store_open(x.path, 0, &other, &e), DESK_OK);
	message(other, x.t[1], "refurbished unit");
	store_close(&other);
	q = search_fts_query(db, "refu*", SEARCH_MESSAGES);
	ck_assert_str_eq(q, "(\"refuel\" OR \"refund\" OR \"refunded\" OR \"refunding\""
			 " OR \"refurbished\")");
	free(q);

	/* A lookup that fails leaves the word to FTS5, and is not kept. */
	sqlite3_progress_handler(db, 1, interrupt_all, NULL);
	q = search_fts_query(db, "refur*", SEARCH_MESSAGES);
	ck_assert_str_eq(q, "\"refur\"*");
	free(q);
	sqlite3_progress_handler(db, 0, NULL, NULL);
	q = search_fts_query(db, "refur*", SEARCH_MESSAGES);
	ck_assert_str_eq(q, "(\"refurbished\")");
	free(q);
	sx_close(&x);
}
END_TEST

Suite *suite_search(void)
{
	Suite *s = suite_create("search");
	TCase *t = tcase_create("prefix");
	tcase_add_test(t, prefix_matches_as_fts5);
	tcase_add_test(t, queue_finds_prefixes);
	tcase_add_test(t, new_terms_and_failures_are_not_cached);
	suite_add_tcase(s, t);
	return s;
}
