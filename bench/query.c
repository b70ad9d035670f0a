/* query.c: bench-query, the store's read paths timed in-process.
 *
 *   bench-query --db PATH [--runs N] [--plans FILE] [--sql-out FILE]
 *               [--now EPOCH] [--me ID]
 *   bench-query --db PATH --walk [--view NAME] [--sort NAME] [--max-seconds S]
 *   bench-query --db PATH --search WORDS [--view NAME]
 *
 * For each built-in view (filters as src/core/view.c writes them) and
 * each sort: the first page of 50, the next page by keyset, the last
 * page ("jump to the end": backward from nothing) and store_queue_count;
 * then full-text search first pages for a common word, a rare word and
 * a prefix; then the cost of one st_prep lookup in a full statement
 * cache.  Times are medians of N runs after one warm-up, in ms.  The
 * SQL each call ran is caught with sqlite3_trace_v2, so --plans writes
 * EXPLAIN QUERY PLAN of every query and --sql-out the first page of the
 * open view with its values inlined (what bench/run.sh gives the sqlite3
 * shell as the floor). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../src/store/internal.h"
#include "util.h"

#define PAGE 50
#define MAX_RUNS 64

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_d);
	return v[n / 2];
}

/* The last statement the store stepped: its SQL and inlined form. */
static char last_sql[16384], last_expanded[16384];
static bool catching;

static int on_trace(unsigned type, void *ctx, void *p, void *x)
{
	if (!catching || type != SQLITE_TRACE_STMT)
		return 0;
	sqlite3_stmt *s = p;
	const char *sql = sqlite3_sql(s);
	if (!sql || strncmp(sql, "SELECT", 6) != 0 || strstr(sql, "'main'.") ||
	    strstr(sql, "temp.desk_"))
		return 0; /* not the store's query: FTS5's own or a prefix's terms (search.c) */
	snprintf(last_sql, sizeof last_sql, "%s", sql);
	catching = false; /* the store's query, not FTS5's own inside it */
	char *ex = sqlite3_expanded_sql(s);
	snprintf(last_expanded, sizeof last_expanded, "%s", ex ? ex : sql);
	sqlite3_free(ex);
	return 0;
}

static void plan(struct store *st, FILE *out, const char *title)
{
	if (!out || !last_sql[0])
		return;
	fprintf(out, "== %s\n%s\n", title, last_expanded);
	char *q = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", last_expanded);
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db, q, -1, &s, NULL) == SQLITE_OK) {
		while (sqlite3_step(s) == SQLITE_ROW)
			fprintf(out, "  %d|%d| %s\n", sqlite3_column_int(s, 0),
				sqlite3_column_int(s, 1), (const char *)sqlite3_column_text(s, 3));
		sqlite3_finalize(s);
	}
	sqlite3_free(q);
	fputc('\n', out);
}

struct vdef {
	const char *name;
	struct queue_filter f;
	enum queue_sort sort;
	bool reverse;
};

enum what { W_FIRST, W_NEXT, W_LAST, W_COUNT };
static const char *const what_name[] = {"first", "next", "last", "count"};

/* One timed call; returns ms or -1 on error. */
static double one(struct store *st, const struct vdef *v, enum queue_sort sort, enum what w,
		  const struct queue_key *after, size_t *rows)
{
	struct derr e = {0};
	struct queue_page p = {0};
	int64_t n = 0;
	double t0 = now_ms();
	int rc;
	if (w == W_COUNT)
		rc = store_queue_count(st, &v->f, &n, &e);
	else
		rc = store_queue_page(st, &v->f, sort, v->reverse, w == W_NEXT ? after : NULL,
				      w == W_LAST, PAGE, &p, &e);
	double t = now_ms() - t0;
	if (rows)
		*rows = w == W_COUNT ? (size_t)n : p.n;
	queue_page_free(&p);
	if (rc) {
		fprintf(stderr, "bench-query: %s: %s\n", v->name, e.msg);
		return -1;
	}
	return t;
}

static double timed(struct store *st, const struct vdef *v, enum queue_sort sort, enum what w,
		    const struct queue_key *after, int runs, size_t *rows, FILE *plans,
		    double *cold)
{
	double t[MAX_RUNS];
	catching = true;
	last_sql[0] = '\0';
	double c = one(st, v, sort, w, after, rows); /* warm-up, caught for the plan */
	catching = false;
	if (cold)
		*cold = c;
	if (c > 1000) /* seconds: one call is figure enough, repeats only cost time */
		return c;
	if (plans) {
		char title[160];
		snprintf(title, sizeof title, "%s sort=%s %s", v->name, queue_sort_name(sort),
			 what_name[w]);
		plan(st, plans, title);
	}
	for (int i = 0; i < runs; i++)
		if ((t[i] = one(st, v, sort, w, after, NULL)) < 0)
			return -1;
	return median(t, runs);
}


/* --walk: every page of a view, forward from the start and backward from
 * the end, each page timed (the console's PgDn/PgUp at any depth); the ids
 * in display order are hashed, and the backward walk must give the same
 * sequence as the forward one.  A walk stops after max_s seconds. */
static uint64_t hash_ids(const int64_t *ids, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++) {
		h ^= (uint64_t)ids[i];
		h *= 1099511628211ull;
	}
	return h;
}

/* SQLite virtual machine steps, in hundreds (a progress handler): the
 * work of a page, free of the machine's noise. */
static uint64_t vm_steps;

static int count_steps(void *arg)
{
	(void)arg;
	vm_steps++;
	return 0;
}

static void walk(struct store *st, const struct vdef *v, enum queue_sort sort, double max_s)
{
	double *sf = NULL, *sbk = NULL;
	size_t capsf = 0, capsb = 0;
	struct derr e = {0};
	int64_t *fw = NULL, *bw = NULL;
	size_t nf = 0, capf = 0, nb = 0, capb = 0;
	double *tf = NULL, *tb = NULL;
	size_t ntf = 0, captf = 0, ntb = 0, captb = 0;
	bool cut = false;
	struct queue_key after;
	double t_start = now_ms();
	for (bool more = true; more;) {
		struct queue_page p = {0};
		uint64_t s0 = vm_steps;
		double t0 = now_ms();
		if (store_queue_page(st, &v->f, sort, v->reverse, nf ? &after : NULL, false, PAGE,
				     &p, &e)) {
			fprintf(stderr, "bench-query: %s: %s\n", v->name, e.msg);
			return;
		}
		xgrow((void **)&tf, &captf, ntf + 1, sizeof *tf);
		xgrow((void **)&sf, &capsf, ntf + 1, sizeof *sf);
		sf[ntf] = (double)(vm_steps - s0) / 10.0;
		tf[ntf++] = now_ms() - t0;
		xgrow((void **)&fw, &capf, nf + p.n, sizeof *fw);
		for (size_t i = 0; i < p.n; i++)
			fw[nf++] = p.rows[i].id;
		if (p.n)
			after = p.rows[p.n - 1].key;
		more = p.n == PAGE;
		queue_page_free(&p);
		if (more && now_ms() - t_start > max_s * 1e3) {
			cut = true;
			break;
		}
	}
	t_start = now_ms();
	for (bool more = true; more;) {
		struct queue_page p = {0};
		uint64_t s0 = vm_steps;
		double t0 = now_ms();
		if (store_queue_page(st, &v->f, sort, v->reverse, nb ? &after : NULL, true, PAGE,
				     &p, &e)) {
			fprintf(stderr, "bench-query: %s: %s\n", v->name, e.msg);
			return;
		}
		xgrow((void **)&tb, &captb, ntb + 1, sizeof *tb);
		xgrow((void **)&sbk, &capsb, ntb + 1, sizeof *sbk);
		sbk[ntb] = (double)(vm_steps - s0) / 10.0;
		tb[ntb++] = now_ms() - t0;
		/* pages come last first, each in display order: stored reversed */
		xgrow((void **)&bw, &capb, nb + p.n, sizeof *bw);
		for (size_t i = p.n; i-- > 0;)
			bw[nb++] = p.rows[i].id;
		if (p.n)
			after = p.rows[0].key;
		more = p.n == PAGE;
		queue_page_free(&p);
		if (more && now_ms() - t_start > max_s * 1e3) {
			cut = true;
			break;
		}
	}
	for (size_t i = 0, j = nb; i + 1 < j; i++, j--) {
		int64_t x = bw[i];
		bw[i] = bw[j - 1];
		bw[j - 1] = x;
	}
	bool same = !cut && nf == nb && (nf == 0 || memcmp(fw, bw, nf * sizeof *fw) == 0);
	double sumf = 0, sumb = 0;
	for (size_t i = 0; i < ntf; i++)
		sumf += tf[i];
	for (size_t i = 0; i < ntb; i++)
		sumb += tb[i];
	qsort(tf, ntf, sizeof *tf, cmp_d);
	qsort(tb, ntb, sizeof *tb, cmp_d);
	qsort(sf, ntf, sizeof *sf, cmp_d);
	qsort(sbk, ntb, sizeof *sbk, cmp_d);
	printf("walk %-12s %-9s rows %7zu pages %5zu/%5zu fwd p50 %7.3f p99 %8.3f max %8.3f sum %8.0f"
	       " | bwd p50 %7.3f p99 %8.3f max %8.3f sum %8.0f | ksteps fwd p99 %.0f max %.0f"
	       " bwd p99 %.0f max %.0f | hash %016llx %s\n",
	       v->name, queue_sort_name(sort), nf, ntf, ntb, tf[ntf / 2],
	       tf[(size_t)(ntf * 0.99)], tf[ntf - 1], sumf, tb[ntb / 2], tb[(size_t)(ntb * 0.99)],
	       tb[ntb - 1], sumb, sf[(size_t)(ntf * 0.99)], sf[ntf - 1], sbk[(size_t)(ntb * 0.99)],
	       sbk[ntb - 1], (unsigned long long)hash_ids(fw, nf),
	       cut ? "CUT" : same ? "fwd==bwd" : "FWD!=BWD");
	fflush(stdout);
	free(fw);
	free(bw);
	free(tf);
	free(tb);
	free(sf);
	free(sbk);
}

/* --search: the first page of a search in this fresh process (its
 * caches cold, as the first search of a console session), the page
 * after it, then the first page again, median of `runs`; steps as in
 * --walk. */
static void search_pages(struct store *st, const struct vdef *v, int runs, FILE *plans)
{
	struct derr e = {0};
	struct queue_page p = {0};
	struct queue_key after = {{0}};
	const char *label[] = {"first_cold", "next", "first_warm"};
	/* A console has shown its first view before any search: the schema
	 * is parsed and the queue's pages are in its cache, not the search's. */
	const unsigned open_st = 1u << ST_NEW | 1u << ST_OPEN | 1u << ST_PENDING | 1u << ST_ON_HOLD;
	struct queue_filter open = {.status_mask = open_st};
	if (store_queue_page(st, &open, SORT_URGENCY, false, NULL, false, PAGE, &p, &e)) {
		fprintf(stderr, "bench-query: %s\n", e.msg);
		return;
	}
	queue_page_free(&p);
	for (int w = 0; w < 3; w++) {
		double t[MAX_RUNS];
		uint64_t steps = 0;
		int n = w == 2 ? runs : 1;
		for (int i = 0; i < n; i++) {
			catching = plans && w == 0;
			uint64_t s0 = vm_steps;
			double t0 = now_ms();
			int rc = store_queue_page(st, &v->f, v->sort, v->reverse, w == 1 ? &after : NULL,
						  false, PAGE, &p, &e);
			t[i] = now_ms() - t0;
			steps = vm_steps - s0;
			catching = false;
			if (plans && w == 0)
				plan(st, plans, "search first page");
			if (rc) {
				fprintf(stderr, "bench-query: %s\n", e.msg);
				return;
			}
			if (w == 0 && p.n)
				after = p.rows[p.n - 1].key;
			queue_page_free(&p);
		}
		printf("search %s \"%s\" %s_ms=%.3f rows<=%d ksteps=%.1f\n", v->name, v->f.search,
		       label[w], median(t, n), PAGE, (double)steps / 10.0);
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"runs", required_argument, NULL, 'n'},
		{"plans", required_argument, NULL, 'p'},
		{"sql-out", required_argument, NULL, 's'},
		{"now", required_argument, NULL, 'N'},
		{"me", required_argument, NULL, 'm'},
		{"quick", no_argument, NULL, 'q'},
		{"walk", no_argument, NULL, 'w'},
		{"view", required_argument, NULL, 'v'},
		{"sort", required_argument, NULL, 'S'},
		{"max-seconds", required_argument, NULL, 'M'},
		{"search", required_argument, NULL, 'F'},
		{0},
	};
	const char *db = NULL, *plans_path = NULL, *sql_out = NULL;
	int runs = 9;
	int64_t now = time_now(), me = 1;
	bool quick = false, do_walk = false;
	const char *only_view = NULL, *only_sort = NULL, *search = NULL;
	double max_s = 60;
	int o;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'd': db = optarg; break;
		case 'n': runs = atoi(optarg); break;
		case 'p': plans_path = optarg; break;
		case 's': sql_out = optarg; break;
		case 'N': now = strtoll(optarg, NULL, 10); break;
		case 'm': me = strtoll(optarg, NULL, 10); break;
		case 'q': quick = true; break;
		case 'w': do_walk = true; break;
		case 'v': only_view = optarg; break;
		case 'S': only_sort = optarg; break;
		case 'M': max_s = atof(optarg); break;
		case 'F': search = optarg; break;
		default: return 2;
		}
	}
	if (!db || runs < 1 || runs > MAX_RUNS) {
		fprintf(stderr, "usage: bench-query --db PATH [--runs N] [--plans FILE]"
				" [--sql-out FILE] [--now EPOCH] [--me ID] [--quick]\n");
		return 2;
	}
	struct store *st;
	struct derr e = {0};
	if (store_open(db, STORE_READONLY, &st, &e)) {
		fprintf(stderr, "bench-query: %s\n", e.msg);
		return 1;
	}
	/* On PostgreSQL (no st->db) nothing is caught: no plans, no SQL
	 * for a floor, no step counts. */
	if (st->db)
		sqlite3_trace_v2(st->db, SQLITE_TRACE_STMT, on_trace, NULL);
	FILE *plans = plans_path && st->db ? fopen(plans_path, "w") : NULL;

	const unsigned open_st = 1u << ST_NEW | 1u << ST_OPEN | 1u << ST_PENDING | 1u << ST_ON_HOLD;
	struct vdef views[] = {
		{"mine", {.status_mask = open_st, .assignee = ASSIGNEE_IS, .assignee_id = me},
		 SORT_URGENCY, false},
		{"unassigned", {.status_mask = open_st, .assignee = ASSIGNEE_NONE}, SORT_URGENCY,
		 false},
		{"open", {.status_mask = open_st}, SORT_URGENCY, false},
		{"pending", {.status_mask = 1u << ST_PENDING}, SORT_URGENCY, false},
		{"on-hold", {.status_mask = 1u << ST_ON_HOLD}, SORT_URGENCY, false},
		{"solved", {.status_mask = 1u << ST_SOLVED | 1u << ST_CLOSED,
			    .solved_since = now - 7 * 86400},
		 SORT_UPDATED, false},
		{"breaching", {.status_mask = 1u << ST_NEW | 1u << ST_OPEN | 1u << ST_ON_HOLD,
			       .due_before = now + 4 * 3600},
		 SORT_URGENCY, false},
		{"all", {0}, SORT_CREATED, true},
		{"open+filter", {.status_mask = open_st, .queue = "billing", .tag = "refund"},
		 SORT_URGENCY, false},
		{"open+text", {.status_mask = open_st, .text = "garcia"}, SORT_URGENCY, false},
	};
	size_t nviews = sizeof views / sizeof views[0];
	if (search) {
		/* The console's search view (src/tui/views.c: every status,
		 * newest update first) or --view's filter with the search. */
		struct vdef sv = {"search", {0}, SORT_UPDATED, false};
		for (size_t i = 0; only_view && i < nviews; i++)
			if (strcmp(only_view, views[i].name) == 0)
				sv = views[i];
		sv.f.search = search;
		if (st->db)
			sqlite3_progress_handler(st->db, 100, count_steps, NULL);
		search_pages(st, &sv, runs, plans);
		store_close(&st);
		return 0;
	}
	if (do_walk) {
		if (st->db)
			sqlite3_progress_handler(st->db, 100, count_steps, NULL);
		for (size_t i = 0; i < nviews; i++) {
			if (only_view && strcmp(only_view, views[i].name) != 0)
				continue;
			for (int s = 0; s < SORT__COUNT; s++) {
				if (only_sort && strcmp(only_sort, queue_sort_name((enum queue_sort)s)))
					continue;
				walk(st, &views[i], (enum queue_sort)s, max_s);
			}
		}
		store_close(&st);
		return 0;
	}
	printf("%-12s %-9s %9s %9s %9s %9s %9s\n", "view", "sort", "first_ms", "next_ms",
	       "last_ms", "count_ms", "rows");
	double worst_first = 0;
	for (size_t i = 0; i < nviews; i++) {
		for (int s = 0; s < SORT__COUNT; s++) {
			if (quick && s != (int)views[i].sort)
				continue;
			double t[4];
			size_t rows = 0;
			struct queue_page p = {0};
			struct queue_key after = {{0}};
			if (store_queue_page(st, &views[i].f, (enum queue_sort)s, views[i].reverse,
					     NULL, false, PAGE, &p, &e) == DESK_OK && p.n)
				after = p.rows[p.n - 1].key;
			queue_page_free(&p);
			for (int w = 0; w < 4; w++)
				t[w] = timed(st, &views[i], (enum queue_sort)s, (enum what)w, &after,
					     runs, w == W_COUNT ? &rows : NULL, plans, NULL);
			if (sql_out && st->db && strcmp(views[i].name, "open") == 0 &&
			    s == SORT_URGENCY) {
				catching = true;
				one(st, &views[i], SORT_URGENCY, W_FIRST, NULL, NULL);
				catching = false;
				FILE *f = fopen(sql_out, "w");
				if (f) {
					fprintf(f, "%s;\n", last_expanded);
					fclose(f);
				}
			}
			printf("%-12s %-9s %9.3f %9.3f %9.3f %9.3f %9zu\n", views[i].name,
			       queue_sort_name((enum queue_sort)s), t[0], t[1], t[2], t[3], rows);
			if (s == (int)views[i].sort && t[0] > worst_first)
				worst_first = t[0];
		}
	}
	printf("view_first_page_worst_ms %.3f\n", worst_first);

	/* Full-text search: the first page of 50, in the "all" view (newest
	 * first) and in the open queue; the first call is the cold one. */
	static const struct {
		const char *label, *words;
	} searches[] = {
		{"common", "order"},
		{"rare", "quuxplorer"},
		{"prefix", "refun*"},
		{"two-words", "refund invoice"},
	};
	int sruns = runs < 3 ? runs : 3;
	/* run.sh reads the "all" rows: found by name, not by place. */
	const struct vdef *all_view = NULL, *open_view = NULL;
	for (size_t i = 0; i < nviews; i++) {
		if (strcmp(views[i].name, "all") == 0)
			all_view = &views[i];
		if (strcmp(views[i].name, "open") == 0)
			open_view = &views[i];
	}
	if (!all_view || !open_view) {
		fprintf(stderr, "bench-query: no \"all\" or \"open\" view\n");
		return 1;
	}
	for (size_t i = 0; i < sizeof searches / sizeof searches[0]; i++) {
		for (int v = 0; v < 2; v++) {
			struct vdef sv = v ? *open_view : *all_view;
			sv.f.search = searches[i].words;
			double cold;
			size_t rows;
			double t = timed(st, &sv, sv.sort, W_FIRST, NULL, sruns, &rows, plans, &cold);
			struct queue_page p = {0};
			store_queue_page(st, &sv.f, sv.sort, sv.reverse, NULL, false, PAGE, &p, &e);
			printf("search %s %s \"%s\" first_ms=%.3f cold_ms=%.3f rows=%zu\n",
			       searches[i].label, sv.name, searches[i].words, t, cold, p.n);
			queue_page_free(&p);
		}
	}

	/* st_prep: a lookup in a full cache of distinct statements. */
	char sql[128];
	for (int i = 0; i < STMT_CACHE_SIZE; i++) {
		snprintf(sql, sizeof sql, "SELECT id FROM tickets WHERE id = ?1 + %d", i);
		st_prep(st, sql, &e);
	}
	const int reps = 200000;
	double t0 = now_ms();
	for (int i = 0; i < reps; i++) {
		snprintf(sql, sizeof sql, "SELECT id FROM tickets WHERE id = ?1 + %d",
			 STMT_CACHE_SIZE - 1 - (i & 7));
		st_prep(st, sql, &e);
	}
	double with_fmt = now_ms() - t0;
	t0 = now_ms();
	for (int i = 0; i < reps; i++)
		snprintf(sql, sizeof sql, "SELECT id FROM tickets WHERE id = ?1 + %d",
			 STMT_CACHE_SIZE - 1 - (i & 7));
	double fmt_only = now_ms() - t0;
	printf("st_prep_us %.3f (a hit in a full cache of %d)\n",
	       (with_fmt - fmt_only) * 1000.0 / reps, STMT_CACHE_SIZE);
	if (plans)
		fclose(plans);
	store_close(&st);
	return 0;
}
