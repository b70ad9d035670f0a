/* metrics.c: the supervisors' figures, counted by SQLite.
 *
 * Every figure comes from the tickets' own columns: what the report
 * needs of a ticket's messages (first customer message, first answer,
 * replies up to the first solve) is kept on the ticket by the triggers of
 * schema version 6, so a period's figures are aggregates over one pass of
 * its tickets, never a lookup into their messages:
 *   counts    tickets created in [since, until) (first response, SLA) or
 *             first solved in it (resolution, FCR, reopens), one
 *             statement for both rules;
 *   backlog   those open at until: open now (tickets_status) or solved
 *             since (tickets_solved), with the status they had at until
 *             from the audit events;
 *   surveys   straight from surveys_answered.
 * A period that holds a large share of all tickets is read by walking
 * the table once (WIDE), which beats a million index lookups; a narrow
 * one by its index ranges.  The medians and p90s are read off each
 * distribution's values as SQLite delivers them sorted (read_dist): a
 * whole-report distribution comes in order from its own index
 * (tickets_frt, tickets_first_resolution, tickets_full_resolution), so
 * nothing is sorted and the walk stops at the p90.  The SQL is put
 * together from the fixed fragments below (never from input); every
 * value is a bound parameter. */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "metrics.h"
#include "util.h"

static const struct {
	const char *name;
	const char *key;  /* the group of ticket t; '' for none */
	const char *join; /* what key needs */
} dims[BY__COUNT] = {
	[BY_NONE] = {"none", "''", ""},
	[BY_AGENT] = {"agent", "coalesce(ga.login, '')",
		      " LEFT JOIN agents ga ON ga.id = t.assignee_id"},
	[BY_QUEUE] = {"queue", "t.queue", ""},
	[BY_CHANNEL] = {"channel", "t.channel", ""},
	[BY_PRIORITY] = {"priority",
			 "CASE t.priority WHEN 0 THEN 'low' WHEN 1 THEN 'normal'"
			 " WHEN 2 THEN 'high' ELSE 'urgent' END",
			 ""},
	[BY_TAG] = {"tag", "coalesce(gt.tag, '')",
		    " LEFT JOIN ticket_tags gt ON gt.ticket_id = t.id"},
};

const char *metrics_by_name(enum metrics_by b)
{
	return (unsigned)b < BY__COUNT ? dims[b].name : "?";
}

const char *metrics_group_label(enum metrics_by b, const char *key)
{
	if (!key || *key)
		return key;
	return b == BY_AGENT ? "(unassigned)" : b == BY_TAG ? "(untagged)" : key;
}

int metrics_by_from_name(const char *s)
{
	for (int i = 0; s && i < BY__COUNT; i++)
		if (strcmp(dims[i].name, s) == 0)
			return i;
	return -1;
}

/* The two period rules.  Created: first response and SLA.  First solved
 * in the period: resolution, FCR and reopens. */
#define CREATED_IN "t.created_at >= ?1 AND t.created_at < ?2"
#define FIRST_SOLVED_IN "t.first_solved_at >= ?1 AND t.first_solved_at < ?2"

/* The SLA columns of ticket t, in the order the verdict functions take
 * them, and now (?3). */
#define FR_ARGS "t.first_customer_at, t.first_answer_at, t.first_response_due, ?3"
#define RES_ARGS "t.first_solved_at, t.resolution_due, t.pending_since, ?3"

/* The figures of the tickets created in the period, per group g (@K,
 * with the join @J), counted by desk_created (below) in one call per
 * ticket: a SQL aggregate per figure cost 0.4 s a million tickets.
 * tickets_report_created holds every column read. */
static const char created_sql[] =
	"SELECT @K AS g, desk_created(" FR_ARGS ", " RES_ARGS ")"
	" FROM tickets t@J WHERE " CREATED_IN " AND t.merged_into IS NULL@G";

/* The figures of the tickets first solved in the period, counted by
 * desk_solved (below); tickets_report_solved holds every column read. */
static const char solved_sql[] =
	"SELECT @K AS g, desk_solved(t.created_at, t.first_solved_at, t.solved_at,"
	" t.reopens, t.replies_to_first_solve)"
	" FROM tickets t@J WHERE " FIRST_SOLVED_IN " AND t.merged_into IS NULL@G";

/* The candidates: open now (read from tickets_backlog alone), or solved
 * since the end, with their status at the end (internal.h).  Unary +
 * keeps the planner off tickets_created, whose range (created before
 * the end) would be nearly every ticket. */
#define BACKLOG_CAND(cond)                                                    \
	"SELECT t.id AS id, t.assignee_id AS assignee_id, t.queue AS queue,"    \
	" t.channel AS channel, t.priority AS priority, ?2 - t.created_at AS age, " \
	STATUS_AT " AS st FROM tickets t WHERE " cond                          \
	" AND +t.created_at < ?2 AND t.merged_into IS NULL"

static const char backlog_sql[] =
	"SELECT @K AS g, desk_sums(1, t.age < 86400, t.age >= 86400 AND t.age < 259200,"
	" t.age >= 259200 AND t.age < 604800, t.age >= 604800,"
	" t.st = 'new', t.st = 'open', t.st = 'pending', t.st = 'on_hold',"
	" t.priority = 0, t.priority = 1, t.priority = 2, t.priority = 3)"
	" FROM (" BACKLOG_CAND(OPEN_NOW) " UNION ALL " BACKLOG_CAND(SOLVED_SINCE)
	") t@J WHERE t.st IN ('new', 'open', 'pending', 'on_hold')@G";

static const char survey_sql[] =
	"SELECT @K AS g, desk_sums(s.kind = 'csat', s.kind = 'csat' AND s.score >= 4,"
	" s.kind = 'ces', CASE WHEN s.kind = 'ces' THEN s.score END, s.kind = 'nps',"
	" s.kind = 'nps' AND s.score >= 9, s.kind = 'nps' AND s.score IN (7, 8),"
	" s.kind = 'nps' AND s.score <= 6)"
	" FROM surveys s@T@J WHERE s.answered_at >= ?1 AND s.answered_at < ?2@G";

/* The values of each distribution, sorted by group and value (@O: the
 * ORDER BY; the whole report's is just the value, which @I's index
 * holds in order).  The index conditions repeat each partial index's
 * WHERE so that it applies. */
#define FRT_X "t.first_answer_at - t.first_customer_at"
static const char frt_values_sql[] =
	"SELECT @K AS g, " FRT_X " AS x FROM tickets t@I@J"
	" WHERE t.first_answer_at IS NOT NULL AND t.merged_into IS NULL AND " CREATED_IN
	" ORDER BY @O" FRT_X;
static const char frt_business_values_sql[] =
	"SELECT g, x FROM (SELECT @K AS g,"
	" desk_business_seconds(t.first_customer_at, t.first_answer_at) AS x"
	" FROM tickets t@J WHERE t.first_answer_at IS NOT NULL AND t.merged_into IS NULL"
	" AND " CREATED_IN ") ORDER BY 1, 2";
#define FIRST_RES_X "t.first_solved_at - t.created_at"
static const char first_resolution_values_sql[] =
	"SELECT @K AS g, " FIRST_RES_X " AS x FROM tickets t@I@J"
	" WHERE t.first_solved_at IS NOT NULL AND t.merged_into IS NULL AND " FIRST_SOLVED_IN
	" ORDER BY @O" FIRST_RES_X;
#define FULL_RES_X "t.solved_at - t.created_at"
static const char full_resolution_values_sql[] =
	"SELECT @K AS g, " FULL_RES_X " AS x FROM tickets t@I@J"
	" WHERE t.first_solved_at IS NOT NULL AND t.merged_into IS NULL AND " FIRST_SOLVED_IN
	" ORDER BY @O" FULL_RES_X;

/* --- groups -------------------------------------------------------------- */

void metrics_free(struct metrics *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->groups[i].key);
	free(m->groups);
	memset(m, 0, sizeof *m);
}

static struct metric_group *group(struct metrics *m, enum metrics_by by, const char *key)
{
	if (by == BY_NONE)
		return &m->total;
	if (!key)
		key = "";
	/* Breakdowns have a few dozen keys: a linear search is enough. */
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->groups[i].key, key) == 0)
			return &m->groups[i];
	xgrow((void **)&m->groups, &m->cap, m->n + 1, sizeof *m->groups);
	struct metric_group *g = &m->groups[m->n++];
	memset(g, 0, sizeof *g);
	g->key = xstrdup(key);
	return g;
}

static enum metrics_by sort_by; /* for cmp_group: qsort has no context */

static int cmp_group(const void *a, const void *b)
{
	const char *x = ((const struct metric_group *)a)->key;
	const char *y = ((const struct metric_group *)b)->key;
	/* No agent / no tag last; priorities from urgent down. */
	if (!*x || !*y)
		return (!*x) - (!*y);
	if (sort_by == BY_PRIORITY)
		return priority_from_name(y) - priority_from_name(x);
	return strcmp(x, y);
}

/* --- running the statements -------------------------------------------- */

/* How a statement reads the period: wide (a large share of all tickets)
 * or not, and which index holds a whole report's distribution. */
struct shape {
	enum metrics_by by;
	bool wide;
	const char *index; /* the distribution's own index; NULL: none */
};

/* tmpl with its placeholders replaced: @K and @J the group's key and
 * the join it needs, @T the join of a survey's ticket, @G the grouping
 * of a breakdown, and for a
 * distribution @I its index and @O the order before the value. */
static char *fill(const char *tmpl, const struct shape *sh)
{
	bool by_index = sh->index && sh->wide && sh->by == BY_NONE;
	struct strbuf b = {0};
	for (const char *p = tmpl; *p; p++) {
		if (p[0] != '@' || !p[1]) {
			sb_addc(&b, *p);
			continue;
		}
		switch (*++p) {
		case 'K':
			sb_add(&b, dims[sh->by].key);
			break;
		case 'J':
			sb_add(&b, dims[sh->by].join);
			break;
		case 'T': /* only a breakdown needs the ticket: the one a
			   * merged ticket's survey counts under */
			if (sh->by != BY_NONE)
				sb_add(&b, " JOIN tickets t0 ON t0.id = s.ticket_id"
					   " JOIN tickets t ON t.id = coalesce(t0.merged_into, t0.id)");
			break;
		case 'I':
			if (by_index)
				sb_addf(&b, " INDEXED BY %s", sh->index);
			break;
		case 'O':
			if (sh->by != BY_NONE)
				sb_add(&b, "1, ");
			break;
		case 'G': /* a constant key would still sort every row */
			if (sh->by != BY_NONE)
				sb_add(&b, " GROUP BY g");
			break;
		default:
			sb_addc(&b, '@');
			sb_addc(&b, *p);
		}
	}
	return sb_take(&b);
}

/* --- SLA verdicts -------------------------------------------------------
 * One definition, used by the counts (desk_created) and the breach list
 * (desk_fr_sla, desk_res_sla in SQL).  A first response is met when the
 * first answer came by its due time; breached when it came later, or
 * has not come and was due before now; open otherwise.  Tickets without
 * a customer message (outbound) or without a due time have none.
 * Resolution likewise with the first solve, except that a ticket
 * pending now has its clock stopped: it is breached only if it was
 * already late when the pause began. */
enum verdict { V_NONE, V_MET, V_BREACHED, V_OPEN };
static const char *const verdict_names[] = {NULL, "met", "breached", "open"};

static bool null(sqlite3_value *v)
{
	return sqlite3_value_type(v) == SQLITE_NULL;
}

static enum verdict verdict(sqlite3_value *done, sqlite3_value *due, int64_t late_after)
{
	if (null(due))
		return V_NONE;
	int64_t d = sqlite3_value_int64(due);
	if (!null(done))
		return sqlite3_value_int64(done) <= d ? V_MET : V_BREACHED;
	return d < late_after ? V_BREACHED : V_OPEN;
}

/* (first customer message, first answer, due, now) */
static enum verdict fr_verdict(sqlite3_value **a)
{
	return null(a[0]) ? V_NONE : verdict(a[1], a[2], sqlite3_value_int64(a[3]));
}

/* (first solve, due, pending since, now) */
static enum verdict res_verdict(sqlite3_value **a)
{
	return verdict(a[0], a[1], sqlite3_value_int64(null(a[2]) ? a[3] : a[2]));
}

static void result_verdict(sqlite3_context *cx, enum verdict v)
{
	if (v == V_NONE)
		sqlite3_result_null(cx);
	else
		sqlite3_result_text(cx, verdict_names[v], -1, SQLITE_STATIC);
}

static void fr_sla_sql(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	(void)argc;
	result_verdict(cx, fr_verdict(argv));
}

static void res_sla_sql(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	(void)argc;
	result_verdict(cx, res_verdict(argv));
}

/* desk_sums(x1, ..., xn): the sum of each argument over the rows of a
 * group (NULL adds nothing), as a blob of n native int64s. */
#define SUMS_MAX 16
struct sums {
	int n;
	int64_t v[SUMS_MAX];
};

/* The aggregate's n sums of this group (zeroed at its first row); NULL
 * after reporting the error. */
static struct sums *sums_of(sqlite3_context *cx, int n)
{
	struct sums *a = sqlite3_aggregate_context(cx, sizeof *a);
	if (!a)
		sqlite3_result_error_nomem(cx);
	else if (n > SUMS_MAX)
		sqlite3_result_error(cx, "desk_sums: too many arguments", -1);
	else
		a->n = n;
	return a && n <= SUMS_MAX ? a : NULL;
}

static void sums_step(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	struct sums *a = sums_of(cx, argc);
	if (!a)
		return;
	for (int i = 0; i < argc; i++)
		a->v[i] += sqlite3_value_int64(argv[i]); /* NULL reads as 0 */
}

static void sums_final(sqlite3_context *cx)
{
	struct sums *a = sqlite3_aggregate_context(cx, 0);
	if (a && a->n)
		sqlite3_result_blob(cx, a->v, (int)(a->n * sizeof a->v[0]), SQLITE_TRANSIENT);
	else
		sqlite3_result_null(cx); /* no rows */
}

/* desk_created(FR_ARGS, RES_ARGS): the figures of tickets created in
 * the period, as a blob of native int64s in this order. */
enum {
	C_CREATED,
	C_INBOUND,  /* with a customer message */
	C_ANSWERED, /* and a first answer after it */
	C_FR_MET,
	C_FR_BREACHED,
	C_RES_MET,
	C_RES_BREACHED,
	C_FRT_SUM, /* of first answer - first customer message */
	C__COUNT
};

static void created_step(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	(void)argc;
	struct sums *a = sums_of(cx, C__COUNT);
	if (!a)
		return;
	int64_t *c = a->v;
	c[C_CREATED]++;
	if (!null(argv[0])) {
		c[C_INBOUND]++;
		if (!null(argv[1])) {
			c[C_ANSWERED]++;
			c[C_FRT_SUM] += sqlite3_value_int64(argv[1]) - sqlite3_value_int64(argv[0]);
		}
	}
	enum verdict fr = fr_verdict(argv), res = res_verdict(argv + 4);
	c[C_FR_MET] += fr == V_MET;
	c[C_FR_BREACHED] += fr == V_BREACHED;
	c[C_RES_MET] += res == V_MET;
	c[C_RES_BREACHED] += res == V_BREACHED;
}

/* desk_solved(created, first solved, last solved, reopens, replies to
 * the first solve): the figures of tickets first solved in the period.
 * First contact resolution: never reopened, and exactly one public
 * reply up to the first solve (solved without a word is not resolved
 * on first contact). */
enum { S_SOLVED, S_FCR, S_REOPENED, S_FIRST_SUM, S_FULL_SUM, S__COUNT };

static void solved_step(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	(void)argc;
	struct sums *a = sums_of(cx, S__COUNT);
	if (!a)
		return;
	int64_t *c = a->v;
	int64_t created = sqlite3_value_int64(argv[0]);
	int64_t reopens = sqlite3_value_int64(argv[3]);
	c[S_SOLVED]++;
	c[S_FCR] += reopens == 0 && sqlite3_value_int64(argv[4]) == 1;
	c[S_REOPENED] += reopens > 0;
	c[S_FIRST_SUM] += sqlite3_value_int64(argv[1]) - created;
	c[S_FULL_SUM] += null(argv[2]) ? 0 : sqlite3_value_int64(argv[2]) - created;
}

/* The report's own SQL functions on this connection. */
static int register_functions(struct store *st, struct derr *e)
{
	static const struct {
		const char *name;
		int argc;
		void (*fn)(sqlite3_context *, int, sqlite3_value **);
		void (*step)(sqlite3_context *, int, sqlite3_value **);
		void (*final)(sqlite3_context *);
	} fns[] = {
		{"desk_sums", -1, NULL, sums_step, sums_final},
		{"desk_created", 8, NULL, created_step, sums_final},
		{"desk_solved", 5, NULL, solved_step, sums_final},
		{"desk_fr_sla", 4, fr_sla_sql, NULL, NULL},
		{"desk_res_sla", 4, res_sla_sql, NULL, NULL},
	};
	for (size_t i = 0; i < ARRAY_LEN(fns); i++)
		if (sqlite3_create_function_v2(st->db, fns[i].name, fns[i].argc,
					       SQLITE_UTF8 | SQLITE_DETERMINISTIC |
						       SQLITE_DIRECTONLY,
					       NULL, fns[i].fn, fns[i].step, fns[i].final,
					       NULL) != SQLITE_OK)
			return st_fail(st, e, "preparing the report");
	return DESK_OK;
}

/* Column 1 of a row of desk_sums: n sums, zeros when there were none. */
static void read_sums(sqlite3_stmt *s, int64_t *v, int n)
{
	const void *blob = sqlite3_column_blob(s, 1);
	int have = sqlite3_column_bytes(s, 1) / (int)sizeof *v;
	memset(v, 0, (size_t)n * sizeof *v);
	if (blob)
		memcpy(v, blob, (size_t)(have < n ? have : n) * sizeof *v);
}

static double mean_of(int64_t sum, int64_t n)
{
	return n > 0 ? (double)sum / (double)n : 0;
}

static void read_created(sqlite3_stmt *s, struct metric_group *g)
{
	int64_t v[C__COUNT];
	read_sums(s, v, C__COUNT);
	g->created = v[C_CREATED];
	g->inbound = v[C_INBOUND];
	g->answered = v[C_ANSWERED];
	g->fr_met = v[C_FR_MET];
	g->fr_breached = v[C_FR_BREACHED];
	g->res_met = v[C_RES_MET];
	g->res_breached = v[C_RES_BREACHED];
	g->frt.n = g->answered;
	g->frt.mean = mean_of(v[C_FRT_SUM], g->answered);
}

static void read_solved(sqlite3_stmt *s, struct metric_group *g)
{
	int64_t v[S__COUNT];
	read_sums(s, v, S__COUNT);
	g->solved = v[S_SOLVED];
	g->fcr = v[S_FCR];
	g->reopened = v[S_REOPENED];
	g->first_resolution.n = g->full_resolution.n = g->solved;
	g->first_resolution.mean = mean_of(v[S_FIRST_SUM], g->solved);
	g->full_resolution.mean = mean_of(v[S_FULL_SUM], g->solved);
}

static void read_backlog(sqlite3_stmt *s, struct metric_group *g)
{
	int64_t v[13];
	read_sums(s, v, 13);
	g->backlog = v[0];
	for (int i = 0; i < AGE__COUNT; i++)
		g->backlog_age[i] = v[1 + i];
	for (int i = 0; i <= ST_ON_HOLD; i++)
		g->backlog_status[i] = v[5 + i];
	for (int i = 0; i < PRIO__COUNT; i++)
		g->backlog_priority[i] = v[9 + i];
}

static void read_surveys(sqlite3_stmt *s, struct metric_group *g)
{
	int64_t v[8];
	read_sums(s, v, 8);
	g->csat_n = v[0];
	g->csat_satisfied = v[1];
	g->ces_n = v[2];
	g->ces_sum = v[3];
	g->nps_n = v[4];
	g->nps_promoters = v[5];
	g->nps_passives = v[6];
	g->nps_detractors = v[7];
}

static sqlite3_stmt *prepare(struct store *st, const struct metrics_query *q,
			     const char *tmpl, const struct shape *sh, struct derr *e)
{
	char *sql = fill(tmpl, sh);
	sqlite3_stmt *s = st_prep(st, sql, e);
	free(sql);
	if (!s)
		return NULL;
	int np = sqlite3_bind_parameter_count(s);
	for (int i = 1; i <= np && i <= 3; i++)
		sqlite3_bind_int64(s, i, i == 1 ? q->since : i == 2 ? q->until : q->now);
	return s;
}

/* Runs one aggregate statement and reads each row into its group. */
static int run(struct store *st, const struct metrics_query *q, const struct shape *sh,
	       const char *tmpl, void (*read)(sqlite3_stmt *, struct metric_group *),
	       struct metrics *m, struct derr *e)
{
	sqlite3_stmt *s = prepare(st, q, tmpl, sh, e);
	if (!s)
		return derr_code(e);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		read(s, group(m, sh->by, (const char *)sqlite3_column_text(s, 0)));
	st_done(s);
	return rc == SQLITE_DONE ? DESK_OK : st_fail(st, e, "computing the report");
}

/* One distribution of every group, from rows (g, x) sorted by g then x:
 * the count of each group is known (n_off, from the counts), so the
 * ranks of the median, (n + 1) / 2 and (n + 2) / 2 (the same row when n
 * is odd), and of the p90, ceil(0.9 n) = (9 n + 9) / 10, are known
 * before the rows come.  Nothing is kept.  The counts gave the mean too,
 * except for business time (own_mean), summed here; otherwise the walk
 * of the total stops at the last rank it needs. */
/* The value of rank `rank` (1-based) of the whole report's distribution
 * and the one after it (*next; the same when there is none), reading
 * the distribution's index up to there: from the bottom, or from the top
 * for a rank in the upper half. */
static int value_at(struct store *st, const struct metrics_query *q, const struct shape *sh,
		    const char *tmpl, int64_t n, int64_t rank, double *x, double *next,
		    struct derr *e)
{
	bool top = rank > n / 2 && !next;
	char *t = xasprintf("%s%s LIMIT 2 OFFSET ?4", tmpl, top ? " DESC" : "");
	sqlite3_stmt *s = prepare(st, q, t, sh, e);
	free(t);
	if (!s)
		return derr_code(e);
	sqlite3_bind_int64(s, 4, top ? n - rank : rank - 1);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*x = sqlite3_column_double(s, 1);
		if (next)
			*next = (rc = sqlite3_step(s)) == SQLITE_ROW ? sqlite3_column_double(s, 1) : *x;
	}
	st_done(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? DESK_OK
						      : st_fail(st, e, "computing the report");
}

/* The whole report's median and p90 off the distribution's own index
 * (its values in order): two walks that stop at their rank, where
 * reading every value cost ~0.1 s a million tickets. */
static int dist_by_rank(struct store *st, const struct metrics_query *q,
			const struct shape *sh, const char *tmpl, struct metric_dist *d,
			struct derr *e)
{
	int64_t n = d->n;
	if (n == 0)
		return DESK_OK;
	double lo = 0, hi = 0;
	int rc = value_at(st, q, sh, tmpl, n, (n + 1) / 2, &lo, &hi, e);
	if (rc == DESK_OK) {
		d->median = n % 2 ? lo : (lo + hi) / 2;
		rc = value_at(st, q, sh, tmpl, n, (9 * n + 9) / 10, &d->p90, NULL, e);
	}
	return rc;
}

static int read_dist(struct store *st, const struct metrics_query *q, const struct shape *sh,
		     const char *tmpl, size_t dist_off, size_t n_off, bool own_mean,
		     struct metrics *m, struct derr *e)
{
	if (!own_mean && sh->index && sh->wide && sh->by == BY_NONE)
		return dist_by_rank(st, q, sh, tmpl,
				    (struct metric_dist *)((char *)&m->total + dist_off), e);
	sqlite3_stmt *s = prepare(st, q, tmpl, sh, e);
	if (!s)
		return derr_code(e);
	struct metric_group *g = NULL;
	struct metric_dist *d = NULL;
	int64_t rank = 0, n = 0, last = 0;
	double lower = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(s, 0);
		if (!g || (sh->by != BY_NONE && strcmp(g->key, key ? key : "") != 0)) {
			g = group(m, sh->by, key);
			d = (struct metric_dist *)((char *)g + dist_off);
			n = *(const int64_t *)((const char *)g + n_off);
			last = (9 * n + 9) / 10 > (n + 2) / 2 ? (9 * n + 9) / 10 : (n + 2) / 2;
			d->n = n;
			d->median = d->p90 = 0;
			if (own_mean)
				d->mean = 0;
			rank = 0;
		}
		double x = sqlite3_column_double(s, 1);
		rank++;
		if (own_mean)
			d->mean += x; /* the sum, until the end */
		if (rank == (n + 1) / 2)
			lower = x;
		if (rank == (n + 2) / 2)
			d->median = (lower + x) / 2;
		if (rank == (9 * n + 9) / 10)
			d->p90 = x;
		if (rank >= last && sh->by == BY_NONE && !own_mean) {
			rc = SQLITE_DONE;
			break;
		}
	}
	st_done(s);
	if (rc != SQLITE_DONE)
		return st_fail(st, e, "computing the report");
	for (size_t i = 0; own_mean && i <= m->n; i++) {
		g = i == m->n ? &m->total : &m->groups[i];
		d = (struct metric_dist *)((char *)g + dist_off);
		if ((sh->by == BY_NONE) == (i == m->n) && d->n)
			d->mean /= (double)d->n;
	}
	return DESK_OK;
}

struct business_clock {
	business_seconds_fn fn;
	void *ctx;
};

static void business_seconds_sql(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	const struct business_clock *b = sqlite3_user_data(cx);
	if (argc != 2 || sqlite3_value_type(argv[0]) == SQLITE_NULL ||
	    sqlite3_value_type(argv[1]) == SQLITE_NULL) {
		sqlite3_result_null(cx);
		return;
	}
	sqlite3_result_int64(cx, b->fn(b->ctx, sqlite3_value_int64(argv[0]),
				       sqlite3_value_int64(argv[1])));
}

/* (Re)defines desk_business_seconds for this query's clock; SQLite
 * re-prepares cached statements that use it. */
static int register_clock(struct store *st, const struct metrics_query *q, struct derr *e)
{
	struct business_clock *b = xmalloc(sizeof *b);
	b->fn = q->business;
	b->ctx = q->business_ctx;
	if (sqlite3_create_function_v2(st->db, "desk_business_seconds", 2,
				       SQLITE_UTF8 | SQLITE_DIRECTONLY, b,
				       business_seconds_sql, NULL, NULL, free) != SQLITE_OK)
		return st_fail(st, e, "preparing the business-hours clock");
	return DESK_OK;
}

int store_read_begin(struct store *st, struct derr *e)
{
	if (!sqlite3_get_autocommit(st->db))
		return derr_set(e, DESK_EINVAL, "internal error: nested transaction");
	/* The optimize at close would otherwise ANALYZE whole tables the
	 * report read (seconds on millions of messages); a sample is
	 * enough for the planner. */
	int rc = st_exec(st, "PRAGMA analysis_limit = 1000", e);
	return rc ? rc : st_exec(st, "BEGIN", e);
}

void store_read_end(struct store *st)
{
	if (!st->in_txn && !sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
}

/* Whether the period holds more than a quarter of all tickets (by the
 * highest id, a bound on their number): then one walk of the table
 * costs less than an index lookup per ticket.  Counting stops at that
 * quarter, so the test costs at most a quarter of tickets_created. */
static int period_is_wide(struct store *st, const struct metrics_query *q, bool *wide,
			  struct derr *e)
{
	sqlite3_stmt *s = st_prep(st,
				  "SELECT count(*) >= ?3 FROM (SELECT 1 FROM tickets"
				  " WHERE created_at >= ?1 AND created_at < ?2 LIMIT ?3)",
				  e);
	if (!s)
		return derr_code(e);
	int64_t top = 0;
	sqlite3_stmt *t = st_prep(st, "SELECT coalesce(max(id), 0) FROM tickets", e);
	if (!t) {
		st_done(s);
		return derr_code(e);
	}
	int rc = sqlite3_step(t);
	if (rc == SQLITE_ROW)
		top = col_int(t, 0);
	st_done(t);
	sqlite3_bind_int64(s, 1, q->since);
	sqlite3_bind_int64(s, 2, q->until);
	sqlite3_bind_int64(s, 3, top / 4 + 1);
	if (rc == SQLITE_ROW && (rc = sqlite3_step(s)) == SQLITE_ROW)
		*wide = sqlite3_column_int(s, 0) != 0;
	st_done(s);
	return rc == SQLITE_ROW ? DESK_OK : st_fail(st, e, "computing the report");
}

int store_metrics(struct store *st, const struct metrics_query *q, struct metrics *m,
		  struct derr *e)
{
	memset(m, 0, sizeof *m);
	m->q = *q;
	bool wide = false;
	int rc = q->business ? register_clock(st, q, e) : DESK_OK;
	if (rc == DESK_OK)
		rc = register_functions(st, e);
	if (rc == DESK_OK)
		rc = period_is_wide(st, q, &wide, e);
	enum metrics_by passes[2] = {BY_NONE, q->by};
	for (int p = 0; rc == DESK_OK && p < (q->by == BY_NONE ? 1 : 2); p++) {
		struct shape sh = {.by = passes[p], .wide = wide};
		struct shape frt = sh, first = sh, full = sh;
		frt.index = "tickets_frt";
		first.index = "tickets_first_resolution";
		full.index = "tickets_full_resolution";
#define G(f) offsetof(struct metric_group, f)
		if (!(rc = run(st, q, &sh, created_sql, read_created, m, e)) &&
		    !(rc = run(st, q, &sh, solved_sql, read_solved, m, e)) &&
		    !(rc = run(st, q, &sh, backlog_sql, read_backlog, m, e)) &&
		    !(rc = run(st, q, &sh, survey_sql, read_surveys, m, e)) &&
		    !(rc = read_dist(st, q, &frt, frt_values_sql, G(frt), G(answered), false, m,
				     e)) &&
		    !(rc = read_dist(st, q, &first, first_resolution_values_sql,
				     G(first_resolution), G(solved), false, m, e)) &&
		    !(rc = read_dist(st, q, &full, full_resolution_values_sql,
				     G(full_resolution), G(solved), false, m, e)) &&
		    q->business)
			rc = read_dist(st, q, &sh, frt_business_values_sql, G(frt_business),
				       G(answered), true, m, e);
#undef G
	}
	if (rc) {
		metrics_free(m);
		return rc;
	}
	sort_by = q->by;
	if (m->n > 1)
		qsort(m->groups, m->n, sizeof *m->groups, cmp_group);
	return DESK_OK;
}

/* --- breaches ------------------------------------------------------------ */

/* The breaches of one target among the tickets created in the period, by
 * due time, the first ?4 (-1: all): a walk of the due time's index that
 * stops there.  A due time is its ticket's creation plus a target, never
 * before it, so the walk starts at the period's start. */
#define BREACH_ARM(tg, due, done, index, cond)                                      \
	"SELECT * FROM (SELECT t.id AS id, '" tg "' AS tg, t." due " AS due,"        \
	" t." done " AS done, t.priority AS p, t.queue AS q, t.assignee_id AS aid"   \
	" FROM tickets t INDEXED BY " index " WHERE t." due " >= ?1 AND " CREATED_IN \
	" AND t.merged_into IS NULL AND " cond " ORDER BY t." due ", t.id LIMIT ?4)"
#define BREACHES                                                                        \
	"WITH b AS (" BREACH_ARM("first_response", "first_response_due", "first_answer_at", \
				 "tickets_frd", "desk_fr_sla(" FR_ARGS ") = 'breached'")                             \
	" UNION ALL " BREACH_ARM("resolution", "resolution_due", "first_solved_at",        \
				 "tickets_rd", "desk_res_sla(" RES_ARGS ") = 'breached'")                             \
	"), bw AS (SELECT b.*, a.login AS who FROM b LEFT JOIN agents a ON a.id = b.aid)"

static void bind_period(sqlite3_stmt *s, const struct metrics_query *q, int64_t limit)
{
	sqlite3_bind_int64(s, 1, q->since);
	sqlite3_bind_int64(s, 2, q->until);
	sqlite3_bind_int64(s, 3, q->now);
	sqlite3_bind_int64(s, 4, limit > 0 ? limit : -1);
}

int store_sla_breaches(struct store *st, const struct metrics *m, int64_t limit,
		       int (*fn)(void *ctx, const struct sla_breach *b), void *ctx,
		       struct derr *e)
{
	/* With a limit SQLite keeps only the first rows while sorting. */
	sqlite3_stmt *s = st_prep(st,
				  BREACHES " SELECT id, tg, due, done, p, q, who FROM bw"
					   " ORDER BY due, id, tg LIMIT ?4",
				  e);
	if (!s)
		return derr_code(e);
	bind_period(s, &m->q, limit);
	int rc, out = DESK_OK;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (out || !fn)
			continue;
		struct sla_breach b = {
			.ticket_id = col_int(s, 0),
			.target = (const char *)sqlite3_column_text(s, 1),
			.due = col_int(s, 2),
			.done_at = col_int(s, 3),
			.priority = (enum priority)col_int(s, 4),
			.queue = (const char *)sqlite3_column_text(s, 5),
			.assignee = (const char *)sqlite3_column_text(s, 6),
		};
		out = fn(ctx, &b);
	}
	st_done(s);
	if (rc != SQLITE_DONE)
		return st_fail(st, e, "listing SLA breaches");
	return out;
}

/* --- JSON ------------------------------------------------------------------ */

#define ISO(x) "strftime('%Y-%m-%dT%H:%M:%SZ', " x ", 'unixepoch')"
#define DIST_JSON(a, b, c)                                                         \
	"json_object('median_seconds', ?" a ", 'p90_seconds', ?" b ", 'mean_seconds',"  \
	" round(?" c ", 2))"

/* One group; the parameters are bound by bind_group in this order. */
static const char group_json_sql[] =
	"SELECT json_object('key', ?1, 'created', ?2,"
	" 'first_response', json_object('tickets', ?3, 'outbound', ?2 - ?3, 'answered', ?4,"
	"  'unanswered', ?3 - ?4, 'median_seconds', ?5, 'p90_seconds', ?6,"
	"  'mean_seconds', round(?7, 2),"
	"  'business', json(CASE WHEN ?8 THEN " DIST_JSON("9", "10", "11") " END)),"
	" 'resolution', json_object('solved', ?12, 'first', " DIST_JSON("13", "14", "15") ","
	"  'full', " DIST_JSON("16", "17", "18") "),"
	" 'first_contact_resolution', json_object('solved', ?12, 'count', ?19,"
	"  'percent', round(?20, 2)),"
	" 'reopen_rate', json_object('solved', ?12, 'reopened', ?21, 'percent', round(?22, 2)),"
	" 'resolution_rate', json_object('solved', ?12, 'created', ?2,"
	"  'percent', round(?23, 2)),"
	" 'backlog', json_object('total', ?24, 'age', json_object('under_1d', ?25,"
	"  '1d_to_3d', ?26, '3d_to_7d', ?27, 'over_7d', ?28), 'status', json_object("
	"  'new', ?29, 'open', ?30, 'pending', ?31, 'on_hold', ?32), 'priority',"
	"  json_object('low', ?33, 'normal', ?34, 'high', ?35, 'urgent', ?36)),"
	" 'sla', json_object('first_response', json_object('met', ?37, 'breached', ?38,"
	"  'percent', round(?39, 2)), 'resolution', json_object('met', ?40,"
	"  'breached', ?41, 'percent', round(?42, 2))),"
	" 'csat', json_object('answers', ?43, 'satisfied', ?44, 'score', round(?45, 2)),"
	" 'ces', json_object('answers', ?46, 'sum', ?47, 'score', round(?48, 2)),"
	" 'nps', json_object('answers', ?49, 'promoters', ?50, 'passives', ?51,"
	"  'detractors', ?52, 'score', round(?53, 2)))";

static void bind_real(sqlite3_stmt *s, int i, double v)
{
	if (isnan(v))
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_double(s, i, v);
}

/* A distribution's median, p90 and mean at i, i + 1, i + 2; null when
 * there are no values. */
static void bind_dist(sqlite3_stmt *s, int i, const struct metric_dist *d)
{
	bind_real(s, i, d->n ? d->median : NAN);
	bind_real(s, i + 1, d->n ? d->p90 : NAN);
	bind_real(s, i + 2, d->n ? d->mean : NAN);
}

static void bind_group(sqlite3_stmt *s, const struct metrics *m, const struct metric_group *g)
{
	bind_text(s, 1, metrics_group_label(m->q.by, g->key));
	sqlite3_bind_int64(s, 2, g->created);
	sqlite3_bind_int64(s, 3, g->inbound);
	sqlite3_bind_int64(s, 4, g->answered);
	bind_dist(s, 5, &g->frt);
	sqlite3_bind_int(s, 8, m->q.business != NULL);
	bind_dist(s, 9, &g->frt_business);
	sqlite3_bind_int64(s, 12, g->solved);
	bind_dist(s, 13, &g->first_resolution);
	bind_dist(s, 16, &g->full_resolution);
	sqlite3_bind_int64(s, 19, g->fcr);
	bind_real(s, 20, g->fcr_pct);
	sqlite3_bind_int64(s, 21, g->reopened);
	bind_real(s, 22, g->reopen_pct);
	bind_real(s, 23, g->resolution_rate_pct);
	sqlite3_bind_int64(s, 24, g->backlog);
	for (int i = 0; i < AGE__COUNT; i++)
		sqlite3_bind_int64(s, 25 + i, g->backlog_age[i]);
	for (int i = 0; i <= ST_ON_HOLD; i++)
		sqlite3_bind_int64(s, 29 + i, g->backlog_status[i]);
	for (int i = 0; i < PRIO__COUNT; i++)
		sqlite3_bind_int64(s, 33 + i, g->backlog_priority[i]);
	sqlite3_bind_int64(s, 37, g->fr_met);
	sqlite3_bind_int64(s, 38, g->fr_breached);
	bind_real(s, 39, g->fr_sla_pct);
	sqlite3_bind_int64(s, 40, g->res_met);
	sqlite3_bind_int64(s, 41, g->res_breached);
	bind_real(s, 42, g->res_sla_pct);
	sqlite3_bind_int64(s, 43, g->csat_n);
	sqlite3_bind_int64(s, 44, g->csat_satisfied);
	bind_real(s, 45, g->csat);
	sqlite3_bind_int64(s, 46, g->ces_n);
	sqlite3_bind_int64(s, 47, g->ces_sum);
	bind_real(s, 48, g->ces);
	sqlite3_bind_int64(s, 49, g->nps_n);
	sqlite3_bind_int64(s, 50, g->nps_promoters);
	sqlite3_bind_int64(s, 51, g->nps_passives);
	sqlite3_bind_int64(s, 52, g->nps_detractors);
	bind_real(s, 53, g->nps);
}

/* Steps s for its one text column; a new string. */
static int one_text(struct store *st, sqlite3_stmt *s, char **out, struct derr *e)
{
	int rc = sqlite3_step(s);
	*out = rc == SQLITE_ROW ? col_json(s, 0) : NULL;
	st_done(s);
	if (rc != SQLITE_ROW || !*out) {
		xfree(out);
		return st_fail(st, e, "writing the report as JSON");
	}
	return DESK_OK;
}

static int group_json(struct store *st, const struct metrics *m, const struct metric_group *g,
		      char **out, struct derr *e)
{
	sqlite3_stmt *s = st_prep(st, group_json_sql, e);
	if (!s)
		return derr_code(e);
	bind_group(s, m, g);
	return one_text(st, s, out, e);
}

static int breaches_json(struct store *st, const struct metrics_query *q, char **out,
			 struct derr *e)
{
	sqlite3_stmt *s = st_prep(
		st,
		BREACHES " SELECT json_group_array(json_object('ticket', id, 'target', tg,"
		" 'due', " ISO("due") ", 'done_at', CASE WHEN done IS NOT NULL THEN " ISO("done")
		" END, 'late_seconds', coalesce(done, ?3) - due, 'priority', CASE p WHEN 0"
		" THEN 'low' WHEN 1 THEN 'normal' WHEN 2 THEN 'high' ELSE 'urgent' END,"
		" 'queue', q, 'assignee', who))"
		" FROM (SELECT * FROM bw ORDER BY due, id, tg)",
		e);
	if (!s)
		return derr_code(e);
	bind_period(s, q, -1);
	return one_text(st, s, out, e);
}

int store_metrics_json(struct store *st, const struct metrics *m, char **json,
		       struct derr *e)
{
	*json = NULL;
	char *total = NULL, *groups = xstrdup("[]"), *breaches = NULL, *one = NULL;
	int rc = group_json(st, m, &m->total, &total, e);
	for (size_t i = 0; rc == DESK_OK && i < m->n; i++) {
		if ((rc = group_json(st, m, &m->groups[i], &one, e)))
			break;
		sqlite3_stmt *s = st_prep(st, "SELECT json_insert(?1, '$[#]', json(?2))", e);
		if (!s) {
			rc = derr_code(e);
			break;
		}
		bind_text(s, 1, groups);
		bind_text(s, 2, one);
		xfree(&groups);
		xfree(&one);
		rc = one_text(st, s, &groups, e);
	}
	if (rc == DESK_OK)
		rc = breaches_json(st, &m->q, &breaches, e);
	if (rc == DESK_OK) {
		sqlite3_stmt *s = st_prep(
			st,
			"SELECT json_object('since', " ISO("?1") ", 'until', " ISO("?2") ","
			" 'generated_at', " ISO("?3") ", 'by', ?4, 'business_hours', json(?5),"
			" 'total', json(?6), 'groups', json(?7), 'breaches', json(?8))",
			e);
		if (!s) {
			rc = derr_code(e);
		} else {
			sqlite3_bind_int64(s, 1, m->q.since);
			sqlite3_bind_int64(s, 2, m->q.until);
			sqlite3_bind_int64(s, 3, m->q.now);
			bind_text(s, 4, m->q.by == BY_NONE ? NULL : metrics_by_name(m->q.by));
			bind_text(s, 5, m->q.business ? "true" : "false");
			bind_text(s, 6, total);
			bind_text(s, 7, groups);
			bind_text(s, 8, breaches);
			rc = one_text(st, s, json, e);
		}
	}
	free(total);
	free(groups);
	free(breaches);
	free(one);
	return rc;
}
