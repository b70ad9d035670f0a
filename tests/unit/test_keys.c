/* test_keys.c: the read paths made cheaper for the console's keys at 1M
 * (issue 16): a search's page read as a bag of candidates (the page's
 * ids first, then its columns), the messages' (id, ticket_id) index
 * that maps matching messages to tickets, and the customer pane's
 * counts from an index. */
#include <check.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "testlib.h"
#include "util.h"
#include "../../src/store/internal.h"

struct kx {
	char *dir, *path;
	struct store *st;
	int64_t t[8];
	int64_t merged;
};

static int64_t ticket(struct store *st, const char *subject, int64_t updated, int64_t customer,
		      int64_t merged_into)
{
	struct derr e = {0};
	struct ticket t = {.subject = (char *)subject, .created_at = 1000, .updated_at = updated,
			   .customer_id = customer, .merged_into = merged_into};
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

/* Tickets that match "parcel" by subject, by a message, by both, or not
 * at all, each updated at a different time; one merged away. */
static void kx_open(struct kx *x)
{
	struct derr e = {0};
	x->dir = test_tmpdir();
	x->path = test_db_path(x->dir);
	ck_assert_int_eq(store_open(x->path, STORE_CREATE, &x->st, &e), DESK_OK);
	struct customer c = {.name = "Ana Garcia", .email = "ana@example.com", .created_at = 1};
	ck_assert_int_eq(store_customer_insert(x->st, &c, &e), DESK_OK);
	struct store *st = x->st;
	x->t[0] = ticket(st, "Parcel lost", 5000, c.id, 0);         /* subject */
	x->t[1] = ticket(st, "Where is it", 7000, 0, 0);            /* message */
	x->t[2] = ticket(st, "Parcel damaged", 6000, 0, 0);         /* both */
	x->t[3] = ticket(st, "Invoice wrong", 9000, 0, 0);          /* neither */
	x->t[4] = ticket(st, "Second parcel", 3000, c.id, 0);       /* subject */
	x->t[5] = ticket(st, "Question", 8000, 0, 0);               /* message */
	x->merged = ticket(st, "Parcel again", 9500, 0, x->t[0]); /* merged away */
	message(st, x->t[1], "the parcel never came");
	message(st, x->t[2], "the parcel is broken");
	message(st, x->t[3], "the invoice is wrong");
	message(st, x->t[5], "a PARCEL question");
	message(st, x->merged, "parcel parcel");
	bool changed;
	ck_assert_int_eq(store_tag_add(st, x->t[0], "vip", &changed, &e), DESK_OK);
	ck_assert_int_eq(store_tag_add(st, x->t[0], "billing", &changed, &e), DESK_OK);
}

static void kx_close(struct kx *x)
{
	store_close(&x->st);
	test_db_drop(&x->path);
	test_tmpdir_cleanup(&x->dir);
}

/* The search view's order (newest update first) a page of two at a
 * time, forward and then backward from the end: the bag's keyset. */
START_TEST(search_pages_in_view_order)
{
	struct kx x;
	kx_open(&x);
	struct derr e = {0};
	struct queue_filter f = {.search = "parcel"};
	const int64_t want[] = {x.t[5], x.t[1], x.t[2], x.t[0], x.t[4]};
	const size_t n = sizeof want / sizeof want[0];
	size_t got = 0;
	struct queue_key after;
	for (;;) {
		struct queue_page p = {0};
		ck_assert_int_eq(store_queue_page(x.st, &f, SORT_UPDATED, false, got ? &after : NULL,
						  false, 2, &p, &e),
				 DESK_OK);
		for (size_t i = 0; i < p.n; i++) {
			ck_assert_uint_lt(got, n);
			ck_assert_int_eq(p.rows[i].id, want[got]);
			got++;
		}
		bool more = p.n == 2;
		if (p.n)
			after = p.rows[p.n - 1].key;
		queue_page_free(&p);
		if (!more)
			break;
	}
	ck_assert_uint_eq(got, n);
	/* From the end backward: the last two, in display order. */
	struct queue_page p = {0};
	ck_assert_int_eq(store_queue_page(x.st, &f, SORT_UPDATED, false, NULL, true, 2, &p, &e),
			 DESK_OK);
	ck_assert_uint_eq(p.n, 2);
	ck_assert_int_eq(p.rows[0].id, x.t[0]);
	ck_assert_int_eq(p.rows[1].id, x.t[4]);
	/* The columns read for the page's rows: customer, tags, subject. */
	ck_assert_str_eq(p.rows[0].customer, "Ana Garcia");
	ck_assert_str_eq(p.rows[0].tags, "billing vip");
	ck_assert_str_eq(p.rows[0].subject, "Parcel lost");
	ck_assert_str_eq(p.rows[1].tags, "");
	queue_page_free(&p);
	/* With a status filter the candidates are tested, not sought:
	 * every one here is new, none closed. */
	f.status_mask = 1u << ST_CLOSED | 1u << ST_SOLVED;
	ck_assert_int_eq(store_queue_page(x.st, &f, SORT_UPDATED, false, NULL, false, 10, &p, &e),
			 DESK_OK);
	ck_assert_uint_eq(p.n, 0);
	queue_page_free(&p);
	f.status_mask = 1u << ST_NEW | 1u << ST_CLOSED;
	int64_t count = 0;
	ck_assert_int_eq(store_queue_count(x.st, &f, &count, &e), DESK_OK);
	ck_assert_int_eq(count, (int64_t)n);
	kx_close(&x);
}
END_TEST

/* The SQL of the last statement the store stepped that reads tickets. */
static char caught[16384];

static int on_trace(unsigned type, void *ctx, void *p, void *arg)
{
	(void)ctx;
	(void)arg;
	const char *sql = type == SQLITE_TRACE_STMT ? sqlite3_sql(p) : NULL;
	if (sql && strstr(sql, "FROM tickets t")) {
		char *ex = sqlite3_expanded_sql(p);
		snprintf(caught, sizeof caught, "%s", ex ? ex : sql);
		sqlite3_free(ex);
	}
	return 0;
}

/* A search maps its matching messages to tickets through the (id,
 * ticket_id) index, never through the messages' table rows. */
START_TEST(search_maps_messages_by_index)
{
	if (test_sqlite_only("search_maps_messages_by_index", "SQLite's query plan"))
		return;
	struct kx x;
	kx_open(&x);
	struct derr e = {0};
	ck_assert_int_eq(sqlite3_exec(x.st->db, "ANALYZE", NULL, NULL, NULL), SQLITE_OK);
	caught[0] = '\0';
	sqlite3_trace_v2(x.st->db, SQLITE_TRACE_STMT, on_trace, NULL);
	struct queue_filter f = {.search = "parcel"};
	struct queue_page p = {0};
	ck_assert_int_eq(store_queue_page(x.st, &f, SORT_UPDATED, false, NULL, false, 50, &p, &e),
			 DESK_OK);
	queue_page_free(&p);
	sqlite3_trace_v2(x.st->db, 0, NULL, NULL);
	ck_assert_msg(caught[0], "no query caught");
	char *q = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", caught);
	sqlite3_stmt *s;
	ck_assert_int_eq(sqlite3_prepare_v2(x.st->db, q, -1, &s, NULL), SQLITE_OK);
	struct strbuf plan = {0};
	while (sqlite3_step(s) == SQLITE_ROW)
		sb_addf(&plan, "%s\n", (const char *)sqlite3_column_text(s, 3));
	sqlite3_finalize(s);
	sqlite3_free(q);
	ck_assert_msg(strstr(sb_str(&plan), "SEARCH m USING COVERING INDEX messages_id_ticket"),
		      "plan:\n%s", sb_str(&plan));
	/* Each full-text table is asked once: one list of candidates. */
	const char *at = sb_str(&plan);
	int scans = 0;
	while ((at = strstr(at, "SCAN message_fts"))) {
		scans++;
		at++;
	}
	ck_assert_msg(scans == 1, "message_fts read %d times:\n%s", scans, sb_str(&plan));
	sb_free(&plan);
	kx_close(&x);
}
END_TEST

/* The customer pane's counts: all of a customer's tickets and those
 * before one of them newest first, each bounded; equal creation times
 * ordered by id as the list is. */
START_TEST(customer_ticket_span_counts)
{
	struct kx x;
	kx_open(&x);
	struct derr e = {0};
	struct customer c = {.name = "Many", .email = "many@example.com", .created_at = 1};
	ck_assert_int_eq(store_customer_insert(x.st, &c, &e), DESK_OK);
	int64_t id[6];
	const int64_t created[6] = {100, 200, 200, 300, 400, 500};
	for (int i = 0; i < 6; i++) {
		struct ticket t = {.subject = "t", .created_at = created[i], .updated_at = 1,
				   .customer_id = c.id};
		ck_assert_int_eq(store_ticket_insert(x.st, &t, &e), DESK_OK);
		id[i] = t.id;
	}
	int total = -1, before = -1;
	/* newest first: id[5], id[4], id[3], id[2], id[1], id[0] */
	ck_assert_int_eq(store_customer_ticket_span(x.st, c.id, created[5], id[5], 200, &total,
						    &before, &e),
			 DESK_OK);
	ck_assert_int_eq(total, 6);
	ck_assert_int_eq(before, 0);
	ck_assert_int_eq(store_customer_ticket_span(x.st, c.id, created[1], id[1], 200, &total,
						    &before, &e),
			 DESK_OK);
	ck_assert_int_eq(before, 4); /* id[2] has the same time and a higher id */
	ck_assert_int_eq(store_customer_ticket_span(x.st, c.id, created[2], id[2], 200, &total,
						    &before, &e),
			 DESK_OK);
	ck_assert_int_eq(before, 3);
	ck_assert_int_eq(store_customer_ticket_span(x.st, c.id, created[0], id[0], 3, &total,
						    &before, &e),
			 DESK_OK);
	ck_assert_int_eq(total, 3); /* bounded */
	ck_assert_int_eq(before, 3);
	/* The list agrees with the counts. */
	struct ticket_list tl = {0};
	ck_assert_int_eq(store_customer_tickets(x.st, c.id, 200, &tl, &e), DESK_OK);
	ck_assert_uint_eq(tl.n, 6);
	ck_assert_int_eq(tl.v[4].id, id[1]);
	ck_assert_int_eq(tl.v[3].id, id[2]);
	ticket_list_free(&tl);
	/* No such customer: nothing. */
	ck_assert_int_eq(store_customer_ticket_span(x.st, 99999, 1, 1, 200, &total, &before, &e),
			 DESK_OK);
	ck_assert_int_eq(total, 0);
	ck_assert_int_eq(before, 0);
	kx_close(&x);
}
END_TEST


/* The counter of table-wide reads (seq_scan) or of index reads
 * (idx_scan) of the tickets table, as the store's session has reported
 * them: it is made to flush its counts first. */
static int64_t tickets_scans(struct kx *x, PGconn *c, const char *which)
{
	struct derr e = {0};
	ck_assert_msg(st_exec(x->st, "SELECT pg_stat_force_next_flush()", &e) == DESK_OK, "%s",
		      e.msg);
	PQclear(PQexec(c, "SELECT pg_stat_clear_snapshot()"));
	char *q = xasprintf("SELECT %s FROM pg_stat_user_tables WHERE relname = 'tickets'", which);
	PGresult *r = PQexec(c, q);
	free(q);
	ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1, "%s",
		      PQerrorMessage(c));
	int64_t n = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return n;
}

/* A page's first rows, the page after them and the last page. */
static void three_pages(struct store *st, const struct queue_filter *f, enum queue_sort sort,
			bool rev)
{
	struct derr e = {0};
	struct queue_page p = {0};
	ck_assert_msg(store_queue_page(st, f, sort, rev, NULL, false, 20, &p, &e) == DESK_OK, "%s",
		      e.msg);
	struct queue_key after = p.n ? p.rows[p.n - 1].key : (struct queue_key){{0}};
	size_t n = p.n;
	queue_page_free(&p);
	if (n) {
		ck_assert_msg(store_queue_page(st, f, sort, rev, &after, false, 20, &p, &e) == DESK_OK,
			      "%s", e.msg);
		queue_page_free(&p);
	}
	ck_assert_msg(store_queue_page(st, f, sort, rev, NULL, true, 20, &p, &e) == DESK_OK, "%s",
		      e.msg);
	queue_page_free(&p);
}

/* On PostgreSQL, without SQLite's INDEXED BY and "+" hints, a page is
 * still read through the indexes of its sort (pg_schema.c has the same
 * expression indexes), never by reading the whole tickets table: the
 * server's own count of such reads stays where it was. */
START_TEST(pg_pages_read_by_index)
{
	if (!test_db_on_pg()) {
		fprintf(stderr, "pg_pages_read_by_index: skipped on SQLite: PostgreSQL's planner"
				" (search_maps_messages_by_index reads SQLite's)\n");
		return;
	}
	struct kx x;
	kx_open(&x);
	struct derr e = {0};
	struct agent a = {.login = "ann", .name = "Ann", .role = ROLE_AGENT, .active = true,
			  .created_at = 1};
	ck_assert_msg(store_agent_insert(x.st, &a, &e) == DESK_OK, "%s", e.msg);
	struct agent b = {.login = "bob", .name = "Bob", .role = ROLE_AGENT, .active = true,
			  .created_at = 1};
	ck_assert_msg(store_agent_insert(x.st, &b, &e) == DESK_OK, "%s", e.msg);
	PGconn *c = PQconnectdb(x.path);
	ck_assert_msg(PQstatus(c) == CONNECTION_OK, "%s", PQerrorMessage(c));
	/* Thousands of tickets, most of them finished and never due, nearly
	 * all assigned: a tenth to ann, most to bob. */
	PGresult *r = PQexec(
		c, "INSERT INTO tickets (subject, status, priority, assignee_id, next_due,"
		   " created_at, updated_at, solved_at)"
		   " SELECT 'bulk ' || g, s, g % 4,"
		   "  CASE g % 10 WHEN 0 THEN NULL WHEN 1 THEN (SELECT id FROM agents"
		   "   WHERE login = 'ann') ELSE (SELECT id FROM agents WHERE login = 'bob') END,"
		   "  CASE WHEN s NOT IN ('solved', 'closed') AND g % 5 <> 0"
		   "   THEN 20000 + (g * 31) % 5000 END,"
		   "  10000 + g, 5000 + (g * 17) % 5000,"
		   "  CASE WHEN s IN ('solved', 'closed') THEN 3000 + g % 1000 END"
		   " FROM (SELECT g, (ARRAY['closed', 'closed', 'closed', 'closed', 'closed',"
		   "  'closed', 'solved', 'solved', 'pending', 'new', 'open', 'on_hold'])"
		   "  [1 + g % 12] AS s FROM generate_series(1, 6000) g) AS x;"
		   " ANALYZE");
	ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK, "%s", PQerrorMessage(c));
	PQclear(r);
	const unsigned open = 1u << ST_NEW | 1u << ST_OPEN | 1u << ST_PENDING | 1u << ST_ON_HOLD;
	const struct queue_filter views[] = {
		{.status_mask = open},
		{0},
		{.status_mask = 1u << ST_PENDING},
		{.status_mask = 1u << ST_ON_HOLD | 1u << ST_NEW},
		{.status_mask = open, .due_before = 21000},
		{.status_mask = open, .created_after = 12000, .created_until = 13000},
		{.status_mask = 1u << ST_SOLVED | 1u << ST_CLOSED, .solved_since = 3900},
		{.status_mask = open, .priority_mask = 1u << PRIO_HIGH | 1u << PRIO_URGENT},
		{.status_mask = open, .assignee = ASSIGNEE_NONE},
		{.assignee = ASSIGNEE_NONE, .solved_since = 3500},
		{.status_mask = open, .assignee = ASSIGNEE_IS, .assignee_id = a.id},
	};
	int64_t seq = tickets_scans(&x, c, "seq_scan"), idx = tickets_scans(&x, c, "idx_scan");
	for (size_t v = 0; v < sizeof views / sizeof views[0]; v++)
		for (int sort = 0; sort < SORT__COUNT; sort++)
			for (int rev = 0; rev < 2; rev++)
				three_pages(x.st, &views[v], (enum queue_sort)sort, rev);
	ck_assert_int_eq(tickets_scans(&x, c, "seq_scan"), seq);
	ck_assert_int_gt(tickets_scans(&x, c, "idx_scan"), idx);
	PQfinish(c);
	kx_close(&x);
}
END_TEST

/* The view's tickets changed since a baseline that the agent has not
 * seen, newest change first; merged ones never.  A text filter on the
 * customer's name narrows them (the same on either engine). */
START_TEST(unseen_since_baseline)
{
	struct kx x;
	kx_open(&x);
	struct derr e = {0};
	struct queue_filter f = {0};
	struct ticket_briefs got = {0};
	ck_assert_msg(store_queue_unseen(x.st, &f, 1, 7000, 10, &got, &e) == DESK_OK, "%s", e.msg);
	ck_assert_uint_eq(got.n, 3);
	ck_assert_int_eq(got.v[0].id, x.t[3]); /* 9000 */
	ck_assert_int_eq(got.v[1].id, x.t[5]); /* 8000 */
	ck_assert_int_eq(got.v[2].id, x.t[1]); /* 7000: the baseline's second counts */
	ticket_briefs_free(&got);
	ck_assert_int_eq(store_queue_unseen(x.st, &f, 1, 1, 2, &got, &e), DESK_OK);
	ck_assert_uint_eq(got.n, 2); /* at most limit */
	ticket_briefs_free(&got);
	/* "ANA" finds Ana Garcia's tickets (t[0] and t[4], updated 5000 and
	 * 3000), whatever the case; "%" and "_" are plain characters. */
	f.text = "ANA";
	ck_assert_int_eq(store_queue_unseen(x.st, &f, 1, 1, 10, &got, &e), DESK_OK);
	ck_assert_uint_eq(got.n, 2);
	ck_assert_int_eq(got.v[0].id, x.t[0]);
	ck_assert_int_eq(got.v[1].id, x.t[4]);
	ticket_briefs_free(&got);
	f.text = "example.COM";
	int64_t n = 0;
	ck_assert_int_eq(store_queue_count(x.st, &f, &n, &e), DESK_OK);
	ck_assert_int_eq(n, 2);
	f.text = "ana%";
	ck_assert_int_eq(store_queue_count(x.st, &f, &n, &e), DESK_OK);
	ck_assert_int_eq(n, 0);
	f.text = "lost";
	ck_assert_int_eq(store_queue_count(x.st, &f, &n, &e), DESK_OK);
	ck_assert_int_eq(n, 1); /* the subject */
	kx_close(&x);
}
END_TEST

Suite *suite_keys(void)
{
	Suite *s = suite_create("keys");
	TCase *t = tcase_create("keys");
	tcase_add_test(t, search_pages_in_view_order);
	tcase_add_test(t, search_maps_messages_by_index);
	tcase_add_test(t, customer_ticket_span_counts);
	tcase_add_test(t, pg_pages_read_by_index);
	tcase_add_test(t, unseen_since_baseline);
	suite_add_tcase(s, t);
	return s;
}
