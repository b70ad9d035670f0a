/* test_report_pass.c: the report's one pass (groups by hash, medians
 * and p90s by selection, src/store/metrics_pass.c) against the
 * figures worked out the plain way, in this file: every ticket and
 * survey of a generated data set read into memory, each rule of
 * desk-report(1) applied to it in a loop, each distribution sorted.
 * Also the selection alone against a sort, on awkward inputs. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/store/internal.h"
#include "../../src/store/metrics_pass.h"
#include "metrics.h"
#include "testlib.h"
#include "util.h"

/* --- the selection alone --------------------------------------------------- */

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

static double plain(int64_t x)
{
	return x == DIST_NULL ? 0 : (double)x;
}

/* The definition: sorted, the middle one or two, the ceil(0.9 n)-th. */
static void dist_by_sort(const int64_t *v, size_t n, struct metric_dist *out)
{
	memset(out, 0, sizeof *out);
	out->n = (int64_t)n;
	if (!n)
		return;
	int64_t *s = xmalloc(n * sizeof *s);
	memcpy(s, v, n * sizeof *s);
	qsort(s, n, sizeof *s, cmp_i64);
	double sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += plain(s[i]);
	out->median = (plain(s[(n + 1) / 2 - 1]) + plain(s[(n + 2) / 2 - 1])) / 2;
	out->p90 = plain(s[(9 * n + 9) / 10 - 1]);
	out->mean = sum / (double)n;
	free(s);
}

static void ck_same_dist(const struct metric_dist *a, const struct metric_dist *b,
			 const char *what)
{
	ck_assert_msg(a->n == b->n, "%s: n %lld, expected %lld", what, (long long)a->n,
		      (long long)b->n);
	ck_assert_msg(a->median == b->median, "%s: median %.1f, expected %.1f", what, a->median,
		      b->median);
	ck_assert_msg(a->p90 == b->p90, "%s: p90 %.1f, expected %.1f", what, a->p90, b->p90);
	ck_assert_msg(a->mean == b->mean, "%s: mean %.3f, expected %.3f", what, a->mean,
		      b->mean);
}

static uint64_t seed = 88172645463325252u;

static int64_t rnd(int64_t n)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return (int64_t)(seed % (uint64_t)n);
}

START_TEST(selection_equals_sorting)
{
	/* Every size up to 40, then larger; values from a few (many
	 * equal) to many, sorted, reversed, with NULLs. */
	for (size_t n = 0; n < 400; n += n < 40 ? 1 : 37) {
		for (int shape = 0; shape < 5; shape++) {
			struct dist_vals d = {0};
			int64_t *copy = xcalloc(n + 1, sizeof *copy);
			for (size_t i = 0; i < n; i++) {
				int64_t x = shape == 0   ? rnd(3)
					    : shape == 1 ? (int64_t)i
					    : shape == 2 ? (int64_t)(n - i)
					    : shape == 3 ? (rnd(5) ? rnd(100000) : DIST_NULL)
							 : rnd(1000) - 500;
				dist_vals_push(&d, x);
				copy[i] = x;
			}
			struct metric_dist got, want;
			dist_vals_result(&d, &got);
			dist_by_sort(copy, n, &want);
			char what[64];
			snprintf(what, sizeof what, "n %zu shape %d", n, shape);
			ck_same_dist(&got, &want, what);
			dist_vals_free(&d);
			free(copy);
		}
	}
}
END_TEST

/* --- the whole report ------------------------------------------------------ */

#define NT 600 /* tickets */
#define NS 500 /* surveys */
#define T0 1700000000
#define SPAN (40 * 86400)

static char *dir, *path;
static struct store *st;

static const char *const logins[] = {"ann", "bob", "cyd"};
static const char *const queues[] = {"general", "billing", "sales"};
static const char *const channels[] = {"email", "phone", "chat"};
static const char *const tags[] = {"vip", "refund", "bug"};

/* One ticket as the rules read it; -1 for NULL. */
struct tk {
	int64_t id, created, merged_into, fca, faa, frd, fsa, sa, rd, ps, reopens, rtfs;
	int assignee; /* index in logins, -1: none */
	int queue, channel, priority;
	int status; /* ST_NEW .. ST_ON_HOLD, never changed: no events */
	bool tag[3];
};
static struct tk tk[NT];
struct sv {
	int64_t ticket, at;
	int kind; /* 0 csat, 1 ces, 2 nps */
	int score;
};
static struct sv sv[NS];

static int64_t maybe(int64_t x, int null_in)
{
	return rnd(null_in) == 0 ? -1 : x;
}

static void bind_opt(struct stmt *s, int i, int64_t v)
{
	if (v < 0)
		bind_null(s, i);
	else
		bind_int(s, i, v);
}

/* sql, prepared on the test's store (either engine). */
static struct stmt *prep(const char *sql)
{
	struct derr e = {0};
	struct stmt *s = st_prep(st, sql, &e);
	ck_assert_msg(s != NULL, "%s: %s", sql, e.msg);
	return s;
}

static void run(struct stmt *s)
{
	struct derr e = {0};
	ck_assert_msg(st_exec_stmt(st, s, &e, "generating the data set") == DESK_OK, "%s", e.msg);
}

/* The data set, written with plain SQL: the report reads the facts
 * columns as they are, whatever wrote them. */
static void generate(void)
{
	struct derr e = {0};
	ck_assert_int_eq(store_begin(st, &e), DESK_OK);
	for (int i = 0; i < 3; i++) {
		struct stmt *s = prep("INSERT INTO agents (login, name, role, active, created_at)"
				      " VALUES (?1, ?1, 'agent', 1, 1)");
		bind_text(s, 1, logins[i]);
		run(s);
	}
	run(prep("INSERT INTO customers (name, email, created_at) VALUES ('c', 'c@x.org', 1)"));
	for (int i = 0; i < NT; i++) {
		struct tk *t = &tk[i];
		t->id = i + 1;
		t->created = T0 + rnd(SPAN);
		/* Many tickets in the same second and the same durations, so
		 * that ties are everywhere. */
		t->fca = maybe(t->created + rnd(4) * 60, 6);
		t->faa = t->fca < 0 ? -1 : maybe(t->fca + rnd(40) * 900, 5);
		t->frd = maybe(t->created + rnd(30) * 3600, 4);
		t->fsa = maybe(t->created + rnd(20) * 7200, 3);
		t->sa = t->fsa < 0 ? -1 : maybe(t->fsa + rnd(3) * 86400, 6);
		t->rd = maybe(t->created + rnd(60) * 3600, 4);
		t->ps = maybe(t->created + rnd(50) * 3600, 5);
		t->reopens = rnd(4) == 0 ? 1 + rnd(2) : 0;
		t->rtfs = rnd(3);
		t->assignee = (int)rnd(4) - 1;
		t->queue = (int)rnd(3);
		t->channel = (int)rnd(3);
		t->priority = (int)rnd(4);
		t->merged_into = -1;
		t->status = (int)rnd(ST_ON_HOLD + 1);
		struct stmt *s = prep("INSERT INTO tickets (id, subject, status, priority, channel,"
				      " queue, customer_id, assignee_id, created_at, updated_at,"
				      " first_customer_at, first_answer_at, first_response_due,"
				      " first_solved_at, solved_at, resolution_due, pending_since,"
				      " reopens, replies_to_first_solve)"
				      " VALUES (?1, 's', ?16, ?2, ?3, ?4, 1,"
				      " (SELECT id FROM agents WHERE login = ?5), ?6, ?6, ?7, ?8, ?9,"
				      " ?10, ?11, ?12, ?13, ?14, ?15)");
		bind_int(s, 1, t->id);
		bind_text(s, 16, status_name((enum status)t->status));
		bind_int(s, 2, t->priority);
		bind_text(s, 3, channels[t->channel]);
		bind_text(s, 4, queues[t->queue]);
		bind_text(s, 5, t->assignee >= 0 ? logins[t->assignee] : NULL);
		bind_int(s, 6, t->created);
		bind_opt(s, 7, t->fca);
		bind_opt(s, 8, t->faa);
		bind_opt(s, 9, t->frd);
		bind_opt(s, 10, t->fsa);
		bind_opt(s, 11, t->sa);
		bind_opt(s, 12, t->rd);
		bind_opt(s, 13, t->ps);
		bind_int(s, 14, t->reopens);
		bind_int(s, 15, t->rtfs);
		run(s);
	}
	/* Tags, and one ticket in 15 merged into an older one. */
	for (int i = 0; i < NT; i++) {
		for (int k = 0; k < 3; k++) {
			tk[i].tag[k] = rnd(3) == 0;
			if (!tk[i].tag[k])
				continue;
			struct stmt *s = prep("INSERT INTO ticket_tags VALUES (?1, ?2)");
			bind_int(s, 1, i + 1);
			bind_text(s, 2, tags[k]);
			run(s);
		}
		if (i > 0 && rnd(15) == 0) {
			tk[i].merged_into = 1 + rnd(i);
			while (tk[tk[i].merged_into - 1].merged_into > 0) /* a live one */
				tk[i].merged_into = tk[tk[i].merged_into - 1].merged_into;
			struct stmt *s = prep("UPDATE tickets SET merged_into = ?1 WHERE id = ?2");
			bind_int(s, 1, tk[i].merged_into);
			bind_int(s, 2, i + 1);
			run(s);
		}
	}
	static const char *const kinds[] = {"csat", "ces", "nps"};
	static const int lo[] = {1, 1, 0}, hi[] = {5, 7, 10};
	for (int i = 0; i < NS; i++) {
		sv[i].ticket = 1 + rnd(NT);
		sv[i].at = T0 + rnd(SPAN);
		sv[i].kind = (int)rnd(3);
		sv[i].score = lo[sv[i].kind] + (int)rnd(hi[sv[i].kind] - lo[sv[i].kind] + 1);
		struct stmt *s = prep("INSERT INTO surveys (ticket_id, kind, score, answered_at)"
				      " VALUES (?1, ?2, ?3, ?4)");
		bind_int(s, 1, sv[i].ticket);
		bind_text(s, 2, kinds[sv[i].kind]);
		bind_int(s, 3, sv[i].score);
		bind_int(s, 4, sv[i].at);
		run(s);
	}
	ck_assert_int_eq(store_commit(st, &e), DESK_OK);
}

static void setup(void)
{
	struct derr e = {0};
	dir = test_tmpdir();
	path = test_db_path(dir);
	ck_assert_int_eq(store_open(path, STORE_CREATE, &st, &e), DESK_OK);
	seed = 88172645463325252u;
	generate();
}

static void teardown(void)
{
	store_close(&st);
	test_db_drop(&path);
	test_tmpdir_cleanup(&dir);
}

/* --- the plain way ---------------------------------------------------------- */

struct plain_group {
	char key[16];
	struct metric_group g; /* the counts */
	int64_t *v[DV__COUNT];
	size_t n[DV__COUNT];
};

struct plain {
	struct plain_group total, groups[8];
	size_t ngroups;
};

static int64_t test_business(void *ctx, int64_t a, int64_t b)
{
	(void)ctx;
	return (b - a) / 3 + (a % 7); /* anything that is not the elapsed time */
}

static void add_value(struct plain_group *pg, int dv, int64_t x)
{
	pg->v[dv] = realloc(pg->v[dv], (pg->n[dv] + 1) * sizeof *pg->v[dv]);
	pg->v[dv][pg->n[dv]++] = x;
}

static struct plain_group *plain_group(struct plain *p, const char *key)
{
	for (size_t i = 0; i < p->ngroups; i++)
		if (strcmp(p->groups[i].key, key) == 0)
			return &p->groups[i];
	ck_assert_uint_lt(p->ngroups, 8);
	struct plain_group *pg = &p->groups[p->ngroups++];
	snprintf(pg->key, sizeof pg->key, "%s", key);
	return pg;
}

/* The keys ticket t counts under in breakdown `by`. */
static int keys_of(const struct tk *t, enum metrics_by by, const char **keys)
{
	static const char *const prio[] = {"low", "normal", "high", "urgent"};
	switch (by) {
	case BY_AGENT: keys[0] = t->assignee < 0 ? "" : logins[t->assignee]; return 1;
	case BY_QUEUE: keys[0] = queues[t->queue]; return 1;
	case BY_CHANNEL: keys[0] = channels[t->channel]; return 1;
	case BY_PRIORITY: keys[0] = prio[t->priority]; return 1;
	case BY_TAG: {
		int n = 0;
		for (int k = 0; k < 3; k++)
			if (t->tag[k])
				keys[n++] = tags[k];
		if (!n)
			keys[n++] = "";
		return n;
	}
	default: return 0;
	}
}

/* desk-report(1), "SLA attainment". */
static int verdict(int64_t done, int64_t due, int64_t late_after)
{
	if (due < 0)
		return 0;
	if (done >= 0)
		return done <= due ? 1 : 2;
	return due < late_after ? 2 : 0;
}

static void count_created(struct plain_group *pg, const struct tk *t, int64_t now,
			  bool business)
{
	struct metric_group *g = &pg->g;
	g->created++;
	if (t->fca >= 0) {
		g->inbound++;
		if (t->faa >= 0) {
			g->answered++;
			add_value(pg, DV_FRT, t->faa - t->fca);
			if (business)
				add_value(pg, DV_FRT_BUSINESS, test_business(NULL, t->fca, t->faa));
		}
	}
	int fr = t->fca < 0 ? 0 : verdict(t->faa, t->frd, now);
	int res = verdict(t->fsa, t->rd, t->ps >= 0 ? t->ps : now);
	g->fr_met += fr == 1;
	g->fr_breached += fr == 2;
	g->res_met += res == 1;
	g->res_breached += res == 2;
}

static void count_solved(struct plain_group *pg, const struct tk *t)
{
	struct metric_group *g = &pg->g;
	g->solved++;
	g->fcr += t->reopens == 0 && t->rtfs == 1;
	g->reopened += t->reopens > 0;
	add_value(pg, DV_FIRST_RES, t->fsa - t->created);
	add_value(pg, DV_FULL_RES, t->sa < 0 ? DIST_NULL : t->sa - t->created);
}

/* Open now and never changed (no status events, not updated since it
 * was made): open at `until` with the status it has, if made before. */
static void count_backlog(struct plain_group *pg, const struct tk *t, int64_t until)
{
	struct metric_group *g = &pg->g;
	int64_t age = until - t->created;
	g->backlog++;
	g->backlog_age[age < 86400 ? 0 : age < 3 * 86400 ? 1 : age < 7 * 86400 ? 2 : 3]++;
	g->backlog_status[t->status]++;
	g->backlog_priority[t->priority]++;
}

static void count_survey(struct plain_group *pg, const struct sv *s)
{
	struct metric_group *g = &pg->g;
	g->csat_n += s->kind == 0;
	g->csat_satisfied += s->kind == 0 && s->score >= 4;
	g->ces_n += s->kind == 1;
	g->ces_sum += s->kind == 1 ? s->score : 0;
	g->nps_n += s->kind == 2;
	g->nps_promoters += s->kind == 2 && s->score >= 9;
	g->nps_passives += s->kind == 2 && s->score >= 7 && s->score <= 8;
	g->nps_detractors += s->kind == 2 && s->score <= 6;
}

static void plain_report(int64_t since, int64_t until, int64_t now, enum metrics_by by,
			 bool business, struct plain *p)
{
	memset(p, 0, sizeof *p);
	for (int i = 0; i < NT; i++) {
		const struct tk *t = &tk[i];
		if (t->merged_into > 0)
			continue;
		const char *keys[3];
		int nk = keys_of(t, by, keys);
		if (t->created >= since && t->created < until) {
			count_created(&p->total, t, now, business);
			for (int k = 0; k < nk; k++)
				count_created(plain_group(p, keys[k]), t, now, business);
		}
		if (t->fsa >= since && t->fsa < until) {
			count_solved(&p->total, t);
			for (int k = 0; k < nk; k++)
				count_solved(plain_group(p, keys[k]), t);
		}
		if (t->created < until) {
			count_backlog(&p->total, t, until);
			for (int k = 0; k < nk; k++)
				count_backlog(plain_group(p, keys[k]), t, until);
		}
	}
	for (int i = 0; i < NS; i++) {
		const struct sv *s = &sv[i];
		if (s->at < since || s->at >= until)
			continue;
		count_survey(&p->total, s);
		const struct tk *t = &tk[s->ticket - 1];
		if (t->merged_into > 0) /* counts under the ticket it went into */
			t = &tk[t->merged_into - 1];
		const char *keys[3];
		int nk = keys_of(t, by, keys);
		for (int k = 0; k < nk; k++)
			count_survey(plain_group(p, keys[k]), s);
	}
}

static void plain_free(struct plain *p)
{
	for (size_t i = 0; i <= p->ngroups; i++) {
		struct plain_group *pg = i == p->ngroups ? &p->total : &p->groups[i];
		for (int d = 0; d < DV__COUNT; d++)
			free(pg->v[d]);
	}
}

static void ck_same(const struct metric_group *got, struct plain_group *want, bool business)
{
	const char *k = want->key[0] ? want->key : "(total or none)";
	const struct metric_group *w = &want->g;
#define SAME(f) \
	ck_assert_msg(got->f == w->f, "%s: " #f " %lld, expected %lld", k, (long long)got->f, \
		      (long long)w->f)
	SAME(created);
	SAME(inbound);
	SAME(answered);
	SAME(fr_met);
	SAME(fr_breached);
	SAME(res_met);
	SAME(res_breached);
	SAME(solved);
	SAME(fcr);
	SAME(reopened);
	SAME(csat_n);
	SAME(csat_satisfied);
	SAME(ces_n);
	SAME(ces_sum);
	SAME(nps_n);
	SAME(nps_promoters);
	SAME(nps_passives);
	SAME(nps_detractors);
	SAME(backlog);
	for (int i = 0; i < AGE__COUNT; i++)
		SAME(backlog_age[i]);
	for (int i = 0; i <= ST_ON_HOLD; i++)
		SAME(backlog_status[i]);
	for (int i = 0; i < PRIO__COUNT; i++)
		SAME(backlog_priority[i]);
#undef SAME
	const struct metric_dist *dists[DV__COUNT] = {&got->frt, &got->frt_business,
						      &got->first_resolution,
						      &got->full_resolution};
	static const char *const names[DV__COUNT] = {"frt", "frt_business",
						     "first_resolution", "full_resolution"};
	for (int d = 0; d < DV__COUNT; d++) {
		if (d == DV_FRT_BUSINESS && !business)
			continue;
		struct metric_dist wd;
		dist_by_sort(want->v[d], want->n[d], &wd);
		char what[64];
		snprintf(what, sizeof what, "%s: %s", k, names[d]);
		ck_same_dist(dists[d], &wd, what);
	}
}

static void check_report(int64_t since, int64_t until, enum metrics_by by, bool business)
{
	struct derr e = {0};
	int64_t now = T0 + SPAN / 2;
	struct metrics_query q = {.since = since, .until = until, .now = now, .by = by};
	if (business)
		q.business = test_business;
	struct metrics m;
	ck_assert_int_eq(store_read_begin(st, &e), DESK_OK);
	ck_assert_msg(store_metrics(st, &q, &m, &e) == DESK_OK, "%s", e.msg);
	store_read_end(st);
	struct plain p;
	plain_report(since, until, now, by, business, &p);
	ck_assert_int_gt(p.total.g.created, 20);
	ck_assert_int_gt(p.total.g.solved, 20);
	ck_assert_int_gt(p.total.g.csat_n + p.total.g.nps_n, 20);
	ck_assert_int_gt(p.total.g.backlog, 20);
	ck_same(&m.total, &p.total, business);
	/* Every group with figures, and no other. */
	for (size_t i = 0; i < p.ngroups; i++) {
		const struct metric_group *got = NULL;
		for (size_t j = 0; j < m.n; j++)
			if (strcmp(m.groups[j].key, p.groups[i].key) == 0)
				got = &m.groups[j];
		ck_assert_msg(got != NULL, "group \"%s\" missing", p.groups[i].key);
		ck_same(got, &p.groups[i], business);
	}
	for (size_t j = 0; j < m.n; j++) {
		bool known = false;
		for (size_t i = 0; i < p.ngroups; i++)
			known |= strcmp(m.groups[j].key, p.groups[i].key) == 0;
		ck_assert_msg(known, "group \"%s\" has figures the plain count did not find",
			      m.groups[j].key);
	}
	if (by == BY_NONE)
		ck_assert_uint_eq(m.n, 0);
	else
		ck_assert_uint_ge(m.n, 2);
	plain_free(&p);
	metrics_free(&m);
}

START_TEST(pass_equals_plain_count)
{
	/* The whole span, a middle stretch and a narrow one; every
	 * breakdown; with and without business time. */
	const int64_t periods[][2] = {
		{T0 - 86400, T0 + SPAN + 86400 * 60},
		{T0 + 10 * 86400, T0 + 30 * 86400},
		{T0 + 20 * 86400, T0 + 23 * 86400},
	};
	for (size_t i = 0; i < ARRAY_LEN(periods); i++)
		for (int by = BY_NONE; by < BY__COUNT; by++)
			check_report(periods[i][0], periods[i][1], (enum metrics_by)by, by % 2);
}
END_TEST

Suite *suite_report_pass(void)
{
	Suite *s = suite_create("report_pass");
	TCase *tc = tcase_create("selection");
	tcase_add_test(tc, selection_equals_sorting);
	suite_add_tcase(s, tc);
	tc = tcase_create("pass");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, pass_equals_plain_count);
	suite_add_tcase(s, tc);
	return s;
}
