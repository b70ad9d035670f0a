/* test_queue_deep.c: the queue's keyset pages (store_queue_page) against
 * a plain ORDER BY ... LIMIT/OFFSET, and against a row-value "after",
 * run on a connection of their own over generated tickets: ties in every
 * key, many tickets never due (NULL next_due), several statuses at once,
 * every sort, both directions, forward and backward, page sizes from 1
 * up, and keys that are no row's (the console's "just before this row").
 * On either engine: the reference runs on SQLite or, with $DESK_TEST_PG,
 * on PostgreSQL through libpq, the same SQL. */
#include <check.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "testlib.h"
#include "util.h"

#define NT 420

/* The reference's text: written out here, not taken from queue.c.  The
 * urgency sort: what waits on the agent (new, open), then what waits on
 * others (pending, on hold), then the finished tickets. */
static const char *const ref_keys[SORT__COUNT][4] = {
	[SORT_URGENCY] = {"CASE WHEN t.status IN ('pending', 'on_hold') THEN 1"
			  " WHEN t.status IN ('solved', 'closed') THEN 2 ELSE 0 END",
			  "coalesce(t.next_due, 9223372036854775807)", "-t.priority", "t.id"},
	[SORT_PRIORITY] = {"-t.priority", "coalesce(t.next_due, 9223372036854775807)", "t.id", NULL},
	[SORT_CREATED] = {"t.created_at", "t.id", NULL, NULL},
	[SORT_UPDATED] = {"-t.updated_at", "t.id", NULL, NULL},
	[SORT_ID] = {"t.id", NULL, NULL, NULL},
};

static int nkeys(enum queue_sort s)
{
	int n = 0;
	while (n < 4 && ref_keys[s][n])
		n++;
	return n;
}

struct vcase {
	const char *name;
	struct queue_filter f;
	const char *where; /* the same filter in SQL, for the reference */
};

struct deep {
	char *dir, *path;
	struct store *st;
	sqlite3 *ref; /* the reference's connection: SQLite's, or */
	PGconn *pg;   /* PostgreSQL's */
	int64_t agent;
};

static uint64_t rng_state = 88172645463325252ull;

static unsigned rnd(unsigned n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (unsigned)(rng_state % n);
}

static void deep_open(struct deep *d)
{
	struct derr e = {0};
	*d = (struct deep){0};
	d->dir = test_tmpdir();
	d->path = test_db_path(d->dir);
	ck_assert_int_eq(store_open(d->path, STORE_CREATE, &d->st, &e), DESK_OK);
	struct agent a = {.login = "ann", .name = "Ann", .role = ROLE_AGENT, .active = true,
			  .created_at = 1};
	ck_assert_msg(store_agent_insert(d->st, &a, &e) == DESK_OK, "%s", e.msg);
	d->agent = a.id;
	struct customer c = {.name = "Pat", .email = "pat@example.com", .created_at = 1};
	ck_assert_msg(store_customer_insert(d->st, &c, &e) == DESK_OK, "%s", e.msg);

	/* Statuses weighted like a real desk (most tickets finished, so
	 * never due); due times, priorities, created and updated times from
	 * a few values each: ties everywhere, broken by id. */
	static const enum status pick[] = {ST_CLOSED, ST_CLOSED, ST_CLOSED, ST_CLOSED,
					   ST_SOLVED, ST_SOLVED, ST_PENDING, ST_PENDING,
					   ST_NEW, ST_OPEN, ST_OPEN, ST_ON_HOLD};
	ck_assert_int_eq(store_begin(d->st, &e), DESK_OK);
	for (int i = 0; i < NT; i++) {
		enum status s = pick[rnd(sizeof pick / sizeof pick[0])];
		/* pending: due while a next response is awaited */
		bool live = s == ST_NEW || s == ST_OPEN || s == ST_ON_HOLD || s == ST_PENDING;
		char subject[32];
		snprintf(subject, sizeof subject, "deep %d", i);
		struct ticket t = {
			.subject = subject,
			.status = s,
			.priority = (enum priority)rnd(4),
			.customer_id = c.id,
			.assignee_id = rnd(2) ? d->agent : 0,
			.next_due = live && rnd(5) ? 20000 + 100 * (int64_t)rnd(6) : 0,
			.created_at = 1000 + rnd(7),
			.updated_at = 5000 + rnd(5),
		};
		if (s == ST_SOLVED || s == ST_CLOSED) {
			t.solved_at = 3000 + rnd(5);
			if (rnd(8) == 0) /* odd ones: updated before they were solved */
				t.updated_at = 2000 + rnd(1200);
		}
		ck_assert_msg(store_ticket_insert(d->st, &t, &e) == DESK_OK, "%s", e.msg);
		bool changed;
		if (rnd(3) == 0)
			ck_assert_int_eq(store_tag_add(d->st, t.id, "vip", &changed, &e), DESK_OK);
	}
	ck_assert_int_eq(store_commit(d->st, &e), DESK_OK);
	if (test_db_on_pg()) {
		d->pg = PQconnectdb(d->path);
		ck_assert_msg(PQstatus(d->pg) == CONNECTION_OK, "%s", PQerrorMessage(d->pg));
	} else {
		ck_assert_int_eq(sqlite3_open_v2(d->path, &d->ref, SQLITE_OPEN_READONLY, NULL),
				 SQLITE_OK);
	}
}

static void deep_close(struct deep *d)
{
	sqlite3_close(d->ref);
	PQfinish(d->pg);
	store_close(&d->st);
	test_db_drop(&d->path);
	test_tmpdir_cleanup(&d->dir);
}

/* Runs the reference's query q with the integer parameters v[0..nv)
 * (?1... on SQLite, $1... on PostgreSQL: q says which with `mark`),
 * reading each row's ids and keys. */
static size_t ref_run(struct deep *d, const char *q, const int64_t *v, int nv, int nk,
		      int64_t *ids, struct queue_key *keys)
{
	size_t got = 0;
	if (d->pg) {
		char text[8][24];
		const char *params[8];
		for (int i = 0; i < nv; i++) {
			snprintf(text[i], sizeof text[i], "%" PRId64, v[i]);
			params[i] = text[i];
		}
		PGresult *r = PQexecParams(d->pg, q, nv, NULL, params, NULL, NULL, 0);
		ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK, "%s: %s", q,
			      PQerrorMessage(d->pg));
		for (int row = 0; row < PQntuples(r); row++, got++) {
			ids[got] = strtoll(PQgetvalue(r, row, 0), NULL, 10);
			memset(&keys[got], 0, sizeof keys[got]);
			for (int k = 0; k < nk; k++)
				keys[got].k[k] = strtoll(PQgetvalue(r, row, k + 1), NULL, 10);
		}
		PQclear(r);
		return got;
	}
	sqlite3_stmt *st;
	ck_assert_msg(sqlite3_prepare_v2(d->ref, q, -1, &st, NULL) == SQLITE_OK, "%s: %s", q,
		      sqlite3_errmsg(d->ref));
	for (int i = 0; i < nv; i++)
		sqlite3_bind_int64(st, i + 1, v[i]);
	while (sqlite3_step(st) == SQLITE_ROW) {
		ids[got] = sqlite3_column_int64(st, 0);
		memset(&keys[got], 0, sizeof keys[got]);
		for (int k = 0; k < nk; k++)
			keys[got].k[k] = sqlite3_column_int64(st, k + 1);
		got++;
	}
	sqlite3_finalize(st);
	return got;
}

/* The reference: ids and keys of the view in display order, LIMIT n
 * OFFSET off, or (with after) the first n strictly after that key by a
 * row-value comparison; dir flips the order (a backward page). */
static size_t reference(struct deep *d, const struct vcase *v, enum queue_sort s, bool desc,
			const struct queue_key *after, int64_t n, int64_t off, int64_t *ids,
			struct queue_key *keys)
{
	int nk = nkeys(s);
	char mark = d->pg ? '$' : '?';
	struct strbuf q = {0};
	sb_add(&q, "SELECT t.id");
	for (int k = 0; k < nk; k++)
		sb_addf(&q, ", %s", ref_keys[s][k]);
	sb_addf(&q, " FROM tickets t WHERE t.merged_into IS NULL AND %s", v->where);
	if (after) {
		sb_add(&q, " AND (");
		for (int k = 0; k < nk; k++)
			sb_addf(&q, "%s%s", k ? ", " : "", ref_keys[s][k]);
		sb_addf(&q, ") %s (", desc ? "<" : ">");
		for (int k = 0; k < nk; k++)
			sb_addf(&q, "%s%c%d", k ? ", " : "", mark, k + 3);
		sb_add(&q, ")");
	}
	sb_add(&q, " ORDER BY ");
	for (int k = 0; k < nk; k++)
		sb_addf(&q, "%s%s %s", k ? ", " : "", ref_keys[s][k], desc ? "DESC" : "ASC");
	sb_addf(&q, " LIMIT %c1 OFFSET %c2", mark, mark);
	int64_t vals[2 + 4] = {n, off};
	for (int k = 0; after && k < nk; k++)
		vals[2 + k] = after->k[k];
	size_t got = ref_run(d, sb_str(&q), vals, after ? 2 + nk : 2, nk, ids, keys);
	sb_free(&q);
	return got;
}

static void check_page(const struct queue_page *p, const int64_t *ids,
		       const struct queue_key *keys, size_t n, int nk, const char *what)
{
	ck_assert_msg(p->n == n, "%s: %zu rows, expected %zu", what, p->n, n);
	for (size_t i = 0; i < n; i++) {
		ck_assert_msg(p->rows[i].id == ids[i], "%s: row %zu is %lld, expected %lld", what, i,
			      (long long)p->rows[i].id, (long long)ids[i]);
		for (int k = 0; k < nk; k++)
			ck_assert_msg(p->rows[i].key.k[k] == keys[i].k[k], "%s: row %zu key %d", what,
				      i, k);
	}
}

static void check_view(struct deep *d, const struct vcase *v, enum queue_sort s, bool rev)
{
	struct derr e = {0};
	int nk = nkeys(s);
	static int64_t all[NT], ids[NT];
	static struct queue_key allk[NT], keys[NT];
	size_t n = reference(d, v, s, rev, NULL, NT, 0, all, allk);
	char what[160];

	/* Forward from the start, pages of several sizes: each page is the
	 * reference's LIMIT size OFFSET at. */
	static const int sizes[] = {1, 7, 50, NT + 5};
	for (size_t z = 0; z < sizeof sizes / sizeof sizes[0]; z++) {
		int size = sizes[z];
		struct queue_key after;
		size_t at = 0;
		for (int guard = 0; guard <= NT + 1; guard++) {
			struct queue_page p = {0};
			ck_assert_int_eq(store_queue_page(d->st, &v->f, s, rev, at ? &after : NULL,
							  false, size, &p, &e),
					 DESK_OK);
			size_t want = reference(d, v, s, rev, NULL, size, (int64_t)at, ids, keys);
			snprintf(what, sizeof what, "%s by %s%s, forward by %d at %zu", v->name,
				 queue_sort_name(s), rev ? " reversed" : "", size, at);
			check_page(&p, ids, keys, want, nk, what);
			at += p.n;
			if (p.n)
				after = p.rows[p.n - 1].key;
			size_t got = p.n;
			queue_page_free(&p);
			if (got < (size_t)size)
				break;
		}
		ck_assert_uint_eq(at, n);
	}

	/* Backward from the end (End, then PgUp): the pages before. */
	struct queue_key before;
	size_t end = n;
	for (int guard = 0; guard <= NT + 1; guard++) {
		struct queue_page p = {0};
		ck_assert_int_eq(store_queue_page(d->st, &v->f, s, rev, end < n ? &before : NULL, true,
						  7, &p, &e),
				 DESK_OK);
		size_t want = end < 7 ? end : 7;
		snprintf(what, sizeof what, "%s by %s%s, backward to %zu", v->name, queue_sort_name(s),
			 rev ? " reversed" : "", end);
		check_page(&p, all + end - want, allk + end - want, want, nk, what);
		end -= p.n;
		if (p.n)
			before = p.rows[0].key;
		size_t got = p.n;
		queue_page_free(&p);
		if (got < 7)
			break;
	}
	ck_assert_uint_eq(end, 0);

	/* From every other row, both ways, with its key nudged to just
	 * before it (the console fills the screen around a ticket so):
	 * forward starts at the row, backward ends just before it. */
	for (size_t i = 0; i < n; i += 2) {
		struct queue_key k = allk[i];
		k.k[nk - 1] += rev ? 1 : -1;
		struct queue_page p = {0};
		ck_assert_int_eq(store_queue_page(d->st, &v->f, s, rev, &k, false, 5, &p, &e),
				 DESK_OK);
		size_t want = n - i < 5 ? n - i : 5;
		snprintf(what, sizeof what, "%s by %s%s, forward from row %zu", v->name,
			 queue_sort_name(s), rev ? " reversed" : "", i);
		check_page(&p, all + i, allk + i, want, nk, what);
		queue_page_free(&p);
		ck_assert_int_eq(store_queue_page(d->st, &v->f, s, rev, &allk[i], true, 5, &p, &e),
				 DESK_OK);
		want = i < 5 ? i : 5;
		snprintf(what, sizeof what, "%s by %s%s, backward from row %zu", v->name,
			 queue_sort_name(s), rev ? " reversed" : "", i);
		check_page(&p, all + i - want, allk + i - want, want, nk, what);
		queue_page_free(&p);
	}

	/* Keys that are no row's at all, from values around the real ones:
	 * the reference's row-value comparison decides, both ways. */
	for (int r = 0; r < 60 && n; r++) {
		struct queue_key k = allk[rnd((unsigned)n)];
		for (int j = 0; j < nk; j++) {
			const struct queue_key *o = &allk[rnd((unsigned)n)];
			switch (rnd(4)) {
			case 0: k.k[j] = o->k[j]; break;
			case 1: k.k[j] += k.k[j] < INT64_MAX; break; /* past never due: none */
			case 2: k.k[j] -= 1; break;
			default: break;
			}
		}
		for (int back = 0; back < 2; back++) {
			struct queue_page p = {0};
			int size = 1 + (int)rnd(12);
			ck_assert_int_eq(store_queue_page(d->st, &v->f, s, rev, &k, back, size, &p, &e),
					 DESK_OK);
			size_t want = reference(d, v, s, rev != (bool)back, &k, size, 0, ids, keys);
			if (back) { /* the reference gives them nearest first */
				for (size_t a = 0, b = want; a + 1 < b; a++, b--) {
					int64_t t = ids[a];
					ids[a] = ids[b - 1];
					ids[b - 1] = t;
					struct queue_key tk = keys[a];
					keys[a] = keys[b - 1];
					keys[b - 1] = tk;
				}
			}
			snprintf(what, sizeof what, "%s by %s%s, %s from (%lld, %lld, %lld, %lld)",
				 v->name, queue_sort_name(s), rev ? " reversed" : "",
				 back ? "backward" : "forward", (long long)k.k[0], (long long)k.k[1],
				 (long long)k.k[2], (long long)k.k[3]);
			check_page(&p, ids, keys, want, nk, what);
			queue_page_free(&p);
		}
	}
}

/* queue.c: the most rows a page picks among from one index (a bag);
 * 0: never a bag, the walks instead. */
extern int store_queue_bag_max;

#define OPEN_SQL "t.status IN ('new', 'open', 'pending', 'on_hold')"
#define OPEN_MASK (1u << ST_NEW | 1u << ST_OPEN | 1u << ST_PENDING | 1u << ST_ON_HOLD)

START_TEST(queue_deep_matches_reference)
{
	struct deep d;
	deep_open(&d);
	char *mine = xasprintf(OPEN_SQL " AND t.assignee_id = %lld", (long long)d.agent);
	char *mine_any = xasprintf("t.assignee_id = %lld", (long long)d.agent);
	const struct vcase cases[] = {
		{"all", {0}, "true"},
		{"open", {.status_mask = OPEN_MASK}, OPEN_SQL},
		{"pending", {.status_mask = 1u << ST_PENDING}, "t.status = 'pending'"},
		{"solved", {.status_mask = 1u << ST_SOLVED | 1u << ST_CLOSED},
		 "t.status IN ('solved', 'closed')"},
		{"unassigned", {.status_mask = OPEN_MASK, .assignee = ASSIGNEE_NONE},
		 OPEN_SQL " AND t.assignee_id IS NULL"},
		{"mine", {.status_mask = OPEN_MASK, .assignee = ASSIGNEE_IS, .assignee_id = d.agent},
		 mine},
		{"mine, any status", {.assignee = ASSIGNEE_IS, .assignee_id = d.agent}, mine_any},
		{"unassigned vip, solved since",
		 {.status_mask = 1u << ST_SOLVED | 1u << ST_CLOSED, .assignee = ASSIGNEE_NONE,
		  .tag = "vip", .solved_since = 3002},
		 "t.status IN ('solved', 'closed') AND t.assignee_id IS NULL AND t.solved_at >= 3002"
		 " AND EXISTS (SELECT 1 FROM ticket_tags g WHERE g.ticket_id = t.id"
		 " AND g.tag = 'vip')"},
		{"on hold", {.status_mask = 1u << ST_ON_HOLD}, "t.status = 'on_hold'"},
		{"new+pending high", {.status_mask = 1u << ST_NEW | 1u << ST_PENDING,
				      .priority_mask = 1u << PRIO_HIGH | 1u << PRIO_URGENT},
		 "t.status IN ('new', 'pending') AND t.priority IN (2, 3)"},
		{"open vip", {.status_mask = OPEN_MASK, .tag = "vip"},
		 OPEN_SQL " AND EXISTS (SELECT 1 FROM ticket_tags g WHERE g.ticket_id = t.id"
			  " AND g.tag = 'vip')"},
		{"breaching", {.status_mask = 1u << ST_NEW | 1u << ST_OPEN | 1u << ST_ON_HOLD,
			       .due_before = 20300},
		 "t.status IN ('new', 'open', 'on_hold') AND t.next_due < 20300"},
		{"aged", {.created_after = 1002, .created_until = 1005},
		 "t.created_at > 1002 AND t.created_at <= 1005"},
		{"aged open", {.status_mask = OPEN_MASK, .created_after = 1001,
			       .created_until = 1004},
		 OPEN_SQL " AND t.created_at > 1001 AND t.created_at <= 1004"},
		{"solved since", {.status_mask = 1u << ST_SOLVED | 1u << ST_CLOSED,
				  .solved_since = 3002},
		 "t.status IN ('solved', 'closed') AND t.solved_at >= 3002"},
		{"solved since, all statuses", {.solved_since = 3003}, "t.solved_at >= 3003"},
		/* every subject has the word: the search matches them all */
		{"open, searched", {.status_mask = OPEN_MASK, .search = "deep"}, OPEN_SQL},
		{"nothing", {.status_mask = 1u << ST_NEW, .tag = "none such"},
		 "t.status = 'new' AND false"},
	};
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
		for (int s = 0; s < SORT__COUNT; s++)
			for (int r = 0; r < 2; r++)
				check_view(&d, &cases[c], (enum queue_sort)s, r);
	/* The views that a bag serves (an assignee, solved since), again
	 * with more rows than a bag takes: the walks they fall back to. */
	int bag_max = store_queue_bag_max;
	store_queue_bag_max = 0;
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		const struct queue_filter *f = &cases[c].f;
		if (f->assignee == ASSIGNEE_ANY && !f->solved_since)
			continue;
		for (int s = 0; s < SORT__COUNT; s++)
			for (int r = 0; r < 2; r++)
				check_view(&d, &cases[c], (enum queue_sort)s, r);
	}
	store_queue_bag_max = bag_max;
	free(mine);
	free(mine_any);
	deep_close(&d);
}
END_TEST

/* Inside a caller's transaction a page neither ends it nor fails; a
 * ticket written in it is seen. */
START_TEST(queue_deep_in_transaction)
{
	struct deep d;
	struct derr e = {0};
	deep_open(&d);
	struct queue_filter open = {.status_mask = OPEN_MASK};
	ck_assert_int_eq(store_begin(d.st, &e), DESK_OK);
	struct ticket t = {.subject = "late", .status = ST_PENDING, .priority = PRIO_LOW,
			   .created_at = 2000, .updated_at = 6000};
	ck_assert_int_eq(store_ticket_insert(d.st, &t, &e), DESK_OK);
	struct queue_page p = {0};
	ck_assert_int_eq(store_queue_page(d.st, &open, SORT_URGENCY, false, NULL, true, 1, &p, &e),
			 DESK_OK);
	ck_assert_uint_eq(p.n, 1);
	struct queue_key k = p.rows[0].key;
	ck_assert_int_eq(p.rows[0].id, t.id); /* never due, low, newest: last */
	queue_page_free(&p);
	ck_assert_int_eq(store_queue_page(d.st, &open, SORT_URGENCY, false, &k, true, 3, &p, &e),
			 DESK_OK);
	ck_assert_uint_eq(p.n, 3);
	queue_page_free(&p);
	ck_assert(store_in_transaction(d.st));
	ck_assert_int_eq(store_commit(d.st, &e), DESK_OK);
	deep_close(&d);
}
END_TEST

Suite *suite_queue_deep(void)
{
	Suite *s = suite_create("queue_deep");
	TCase *t = tcase_create("queue_deep");
	/* PostgreSQL answers each of the thousands of pages over a socket. */
	tcase_set_timeout(t, test_db_on_pg() ? 600 : 120);
	tcase_add_test(t, queue_deep_matches_reference);
	tcase_add_test(t, queue_deep_in_transaction);
	suite_add_tcase(s, t);
	return s;
}
