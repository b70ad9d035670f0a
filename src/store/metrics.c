/* metrics.c: the supervisors' figures, counted by SQLite.
 *
 * Four statements, one per period rule, each walking one index range:
 *   created  tickets created in [since, until)  (tickets_created): first
 *            response time and the SLA verdicts;
 *   solved   tickets first solved in it: solved_at >= since is implied by
 *            first_solved_at >= since and lets tickets_solved find them;
 *   backlog  tickets open at until: those open now (tickets_status) and
 *            those solved since until (tickets_solved), each with its
 *            status at until taken from the audit events;
 *   surveys  answers in the period (surveys_answered).
 * Medians and p90s come from window functions over the sorted values.
 * Each statement runs once for the total and once grouped by the
 * breakdown's key; the SQL is put together from the fixed fragments
 * below (never from input), every value is a bound parameter. */
#include <math.h>
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

int metrics_by_from_name(const char *s)
{
	for (int i = 0; s && i < BY__COUNT; i++)
		if (strcmp(dims[i].name, s) == 0)
			return i;
	return -1;
}

/* Statistics of column x of `src`, per group g, as CTEs NAME_o and
 * NAME (g, n, med, p90, mean).  Median: the mean of the rows ranked
 * (n + 1) / 2 and (n + 2) / 2, one row when n is odd; p90: the row
 * ranked ceil(0.9 n) = (9 n + 9) / 10 in integer arithmetic. */
#define DIST(name, src, x)                                                          \
	name "_o AS (SELECT g, " x " AS x,"                                         \
	     " row_number() OVER (PARTITION BY g ORDER BY " x ") AS rn,"             \
	     " count(*) OVER (PARTITION BY g) AS n FROM " src " WHERE " x " IS NOT NULL)," \
	name " AS (SELECT g, max(n) AS n,"                                           \
	     " avg(CASE WHEN rn IN ((n + 1) / 2, (n + 2) / 2) THEN x END) AS med,"  \
	     " max(CASE WHEN rn = (9 * n + 9) / 10 THEN x END) AS p90,"             \
	     " avg(x) AS mean FROM " name "_o GROUP BY g)"

/* The first customer message of ticket `id` (its message id). */
#define FIRST_CUSTOMER(id)                                                    \
	"(SELECT m.id FROM messages m WHERE m.ticket_id = " id                  \
	" AND m.kind = 'customer' ORDER BY m.created_at, m.id LIMIT 1)"
/* The first public reply after message fm of ticket `id`: notes,
 * system messages and replies before the customer wrote do not count. */
#define FIRST_REPLY_AFTER(id)                                                 \
	"(SELECT m.created_at FROM messages m WHERE m.ticket_id = " id          \
	" AND m.kind = 'reply' AND (m.created_at, m.id) > (fm.created_at, fm.id)" \
	" ORDER BY m.created_at, m.id LIMIT 1)"

/* SLA verdicts of a row of `r` below.  A first response is met when
 * given by its due time; breached when given later, or not given and
 * due before now.  Resolution likewise with the first solve, except
 * that a ticket pending now has its clock stopped: it is breached only
 * if it was already late when the pause began. */
#define FR_MET "fc IS NOT NULL AND frd IS NOT NULL AND answered <= frd"
#define FR_BREACHED                                                      \
	"fc IS NOT NULL AND frd IS NOT NULL AND (answered > frd"          \
	" OR (answered IS NULL AND frd < ?3))"
#define RES_MET "rd IS NOT NULL AND fs <= rd"
#define RES_BREACHED \
	"rd IS NOT NULL AND (fs > rd OR (fs IS NULL AND rd < coalesce(ps, ?3)))"

/* Tickets created in the period with their first customer message
 * (fc), when it was (asked) and when it was first answered. */
#define CREATED_CTES(extra_cols, joins)                                              \
	"c AS MATERIALIZED (SELECT t.id AS id, t.first_response_due AS frd,"          \
	" t.resolution_due AS rd, t.first_solved_at AS fs, t.pending_since AS ps, "   \
	FIRST_CUSTOMER("t.id") " AS fc" extra_cols " FROM tickets t" joins            \
	" WHERE t.created_at >= ?1 AND t.created_at < ?2 AND t.merged_into IS NULL)," \
	"r AS MATERIALIZED (SELECT c.*, fm.created_at AS asked, " FIRST_REPLY_AFTER( \
		"c.id") " AS answered FROM c LEFT JOIN messages fm ON fm.id = c.fc)"

static const char created_sql[] =
	"WITH " CREATED_CTES(", @K AS g", "@J") ","
	"v AS MATERIALIZED (SELECT g, answered - asked AS x, @B AS bx FROM r"
	" WHERE answered IS NOT NULL)," DIST("d1", "v", "x") "," DIST("d2", "v", "bx") ","
	"k AS (SELECT g, count(*) AS created, count(fc) AS inbound, count(answered) AS answered,"
	" count(CASE WHEN " FR_MET " THEN 1 END) AS fr_met,"
	" count(CASE WHEN " FR_BREACHED " THEN 1 END) AS fr_breached,"
	" count(CASE WHEN " RES_MET " THEN 1 END) AS res_met,"
	" count(CASE WHEN " RES_BREACHED " THEN 1 END) AS res_breached FROM r GROUP BY g)"
	" SELECT k.g, k.created, k.inbound, k.answered, k.fr_met, k.fr_breached, k.res_met,"
	" k.res_breached, d1.n, d1.med, d1.p90, d1.mean, d2.n, d2.med, d2.p90, d2.mean"
	" FROM k LEFT JOIN d1 ON d1.g = k.g LEFT JOIN d2 ON d2.g = k.g";

/* First contact resolution: at most one public reply up to the first
 * solve, and never reopened. */
static const char solved_sql[] =
	"WITH s AS MATERIALIZED (SELECT @K AS g,"
	" t.first_solved_at - t.created_at AS fx, t.solved_at - t.created_at AS lx,"
	" t.reopens > 0 AS reopened,"
	" t.reopens = 0 AND (SELECT count(*) FROM messages m WHERE m.ticket_id = t.id"
	"   AND m.kind = 'reply' AND m.created_at <= t.first_solved_at) <= 1 AS fcr"
	" FROM tickets t@J WHERE t.solved_at >= ?1 AND t.first_solved_at >= ?1"
	" AND t.first_solved_at < ?2 AND t.merged_into IS NULL),"
	DIST("d1", "s", "fx") "," DIST("d2", "s", "lx") ","
	"k AS (SELECT g, count(*) AS solved, sum(fcr) AS fcr, sum(reopened) AS reopened"
	" FROM s GROUP BY g)"
	" SELECT k.g, k.solved, k.fcr, k.reopened, d1.n, d1.med, d1.p90, d1.mean,"
	" d2.n, d2.med, d2.p90, d2.mean"
	" FROM k LEFT JOIN d1 ON d1.g = k.g LEFT JOIN d2 ON d2.g = k.g";

/* A ticket's status at instant ?2: unchanged since if it was not
 * updated since; else the last status change before ?2, or the status
 * the first change after ?2 left; a ticket without any status event
 * (imported without history) is judged by its timestamps. */
#define STATUS_AT                                                                      \
	"CASE WHEN t.updated_at < ?2 THEN t.status ELSE coalesce("                     \
	"(SELECT e.new_value FROM events e WHERE e.ticket_id = t.id"                   \
	"  AND e.field = 'status' AND e.at < ?2 ORDER BY e.at DESC, e.id DESC LIMIT 1)," \
	"(SELECT e.old_value FROM events e WHERE e.ticket_id = t.id"                   \
	"  AND e.field = 'status' AND e.at >= ?2 ORDER BY e.at, e.id LIMIT 1),"        \
	"CASE WHEN t.closed_at < ?2 THEN 'closed' WHEN t.solved_at < ?2 THEN 'solved'" \
	" WHEN t.status IN ('solved', 'closed') THEN 'open' ELSE t.status END) END"
/* Unary + keeps the planner off tickets_created, whose range (created
 * before the end) would be nearly every ticket. */
#define BACKLOG_CAND(cond)                                                    \
	"SELECT @K AS g, ?2 - t.created_at AS age, t.priority AS p, " STATUS_AT \
	" AS st FROM tickets t@J WHERE " cond " AND +t.created_at < ?2"         \
	" AND t.merged_into IS NULL"

static const char backlog_sql[] =
	"SELECT g, count(*),"
	" count(CASE WHEN age < 86400 THEN 1 END),"
	" count(CASE WHEN age >= 86400 AND age < 259200 THEN 1 END),"
	" count(CASE WHEN age >= 259200 AND age < 604800 THEN 1 END),"
	" count(CASE WHEN age >= 604800 THEN 1 END),"
	" count(CASE WHEN st = 'new' THEN 1 END), count(CASE WHEN st = 'open' THEN 1 END),"
	" count(CASE WHEN st = 'pending' THEN 1 END),"
	" count(CASE WHEN st = 'on_hold' THEN 1 END),"
	" count(CASE WHEN p = 0 THEN 1 END), count(CASE WHEN p = 1 THEN 1 END),"
	" count(CASE WHEN p = 2 THEN 1 END), count(CASE WHEN p = 3 THEN 1 END)"
	" FROM (" BACKLOG_CAND("t.status IN ('new', 'open', 'pending', 'on_hold')")
	" UNION ALL " BACKLOG_CAND("t.status IN ('solved', 'closed') AND t.solved_at >= ?2")
	") WHERE st IN ('new', 'open', 'pending', 'on_hold') GROUP BY g";

static const char survey_sql[] =
	"SELECT @K AS g,"
	" count(CASE WHEN s.kind = 'csat' THEN 1 END),"
	" count(CASE WHEN s.kind = 'csat' AND s.score >= 4 THEN 1 END),"
	" count(CASE WHEN s.kind = 'ces' THEN 1 END),"
	" coalesce(sum(CASE WHEN s.kind = 'ces' THEN s.score END), 0),"
	" count(CASE WHEN s.kind = 'nps' THEN 1 END),"
	" count(CASE WHEN s.kind = 'nps' AND s.score >= 9 THEN 1 END),"
	" count(CASE WHEN s.kind = 'nps' AND s.score IN (7, 8) THEN 1 END),"
	" count(CASE WHEN s.kind = 'nps' AND s.score <= 6 THEN 1 END)"
	" FROM surveys s JOIN tickets t ON t.id = s.ticket_id@J"
	" WHERE s.answered_at >= ?1 AND s.answered_at < ?2 GROUP BY g";

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

/* tmpl with @K, @J and @B replaced by the key, its join and the
 * business-time expression. */
static char *fill(const char *tmpl, enum metrics_by by, bool business)
{
	struct strbuf b = {0};
	for (const char *p = tmpl; *p; p++) {
		if (p[0] == '@' && p[1] == 'K')
			sb_add(&b, dims[by].key);
		else if (p[0] == '@' && p[1] == 'J')
			sb_add(&b, dims[by].join);
		else if (p[0] == '@' && p[1] == 'B')
			sb_add(&b, business ? "desk_business_seconds(asked, answered)" : "NULL");
		else {
			sb_addc(&b, *p);
			continue;
		}
		p++;
	}
	return sb_take(&b);
}

static void read_dist(sqlite3_stmt *s, int i, struct metric_dist *d)
{
	d->n = col_int(s, i);
	d->median = sqlite3_column_double(s, i + 1);
	d->p90 = sqlite3_column_double(s, i + 2);
	d->mean = sqlite3_column_double(s, i + 3);
}

static void read_created(sqlite3_stmt *s, struct metric_group *g)
{
	g->created = col_int(s, 1);
	g->inbound = col_int(s, 2);
	g->answered = col_int(s, 3);
	g->fr_met = col_int(s, 4);
	g->fr_breached = col_int(s, 5);
	g->res_met = col_int(s, 6);
	g->res_breached = col_int(s, 7);
	read_dist(s, 8, &g->frt);
	read_dist(s, 12, &g->frt_business);
}

static void read_solved(sqlite3_stmt *s, struct metric_group *g)
{
	g->solved = col_int(s, 1);
	g->fcr = col_int(s, 2);
	g->reopened = col_int(s, 3);
	read_dist(s, 4, &g->first_resolution);
	read_dist(s, 8, &g->full_resolution);
}

static void read_backlog(sqlite3_stmt *s, struct metric_group *g)
{
	g->backlog = col_int(s, 1);
	for (int i = 0; i < AGE__COUNT; i++)
		g->backlog_age[i] = col_int(s, 2 + i);
	for (int i = 0; i <= ST_ON_HOLD; i++)
		g->backlog_status[i] = col_int(s, 6 + i);
	for (int i = 0; i < PRIO__COUNT; i++)
		g->backlog_priority[i] = col_int(s, 10 + i);
}

static void read_surveys(sqlite3_stmt *s, struct metric_group *g)
{
	g->csat_n = col_int(s, 1);
	g->csat_satisfied = col_int(s, 2);
	g->ces_n = col_int(s, 3);
	g->ces_sum = col_int(s, 4);
	g->nps_n = col_int(s, 5);
	g->nps_promoters = col_int(s, 6);
	g->nps_passives = col_int(s, 7);
	g->nps_detractors = col_int(s, 8);
}

static int run(struct store *st, const struct metrics_query *q, enum metrics_by by,
	       const char *tmpl, void (*read)(sqlite3_stmt *, struct metric_group *),
	       struct metrics *m, struct derr *e)
{
	char *sql = fill(tmpl, by, q->business != NULL);
	sqlite3_stmt *s = st_prep(st, sql, e);
	free(sql);
	if (!s)
		return e ? e->code : DESK_EIO;
	sqlite3_bind_int64(s, 1, q->since);
	sqlite3_bind_int64(s, 2, q->until);
	sqlite3_bind_int64(s, 3, q->now);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		read(s, group(m, by, (const char *)sqlite3_column_text(s, 0)));
	st_done(s);
	return rc == SQLITE_DONE ? DESK_OK : st_fail(st, e, "computing the report");
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
	return st_exec(st, "BEGIN", e);
}

void store_read_end(struct store *st)
{
	if (!st->in_txn && !sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
}

int store_metrics(struct store *st, const struct metrics_query *q, struct metrics *m,
		  struct derr *e)
{
	memset(m, 0, sizeof *m);
	m->q = *q;
	int rc = q->business ? register_clock(st, q, e) : DESK_OK;
	enum metrics_by passes[2] = {BY_NONE, q->by};
	for (int p = 0; rc == DESK_OK && p < (q->by == BY_NONE ? 1 : 2); p++) {
		enum metrics_by by = passes[p];
		if (!(rc = run(st, q, by, created_sql, read_created, m, e)) &&
		    !(rc = run(st, q, by, solved_sql, read_solved, m, e)) &&
		    !(rc = run(st, q, by, backlog_sql, read_backlog, m, e)))
			rc = run(st, q, by, survey_sql, read_surveys, m, e);
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

#define BREACH_CTES                                                                \
	"WITH " CREATED_CTES(", t.priority AS p, t.queue AS q, a.login AS who",       \
			     " LEFT JOIN agents a ON a.id = t.assignee_id") ","       \
	"b AS (SELECT id, 'first_response' AS tg, frd AS due, answered AS done, p, q, who" \
	" FROM r WHERE " FR_BREACHED " UNION ALL"                                        \
	" SELECT id, 'resolution', rd, fs, p, q, who FROM r WHERE " RES_BREACHED ")"

int store_sla_breaches(struct store *st, const struct metrics_query *q,
		       int (*fn)(void *ctx, const struct sla_breach *b), void *ctx,
		       int64_t *count, struct derr *e)
{
	sqlite3_stmt *s = st_prep(st,
				  BREACH_CTES " SELECT id, tg, due, done, p, q, who FROM b"
					      " ORDER BY due, id, tg",
				  e);
	if (!s)
		return e ? e->code : DESK_EIO;
	sqlite3_bind_int64(s, 1, q->since);
	sqlite3_bind_int64(s, 2, q->until);
	sqlite3_bind_int64(s, 3, q->now);
	int rc, out = DESK_OK;
	*count = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		(*count)++;
		if (!fn || out)
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
#define DIST_JSON(a, b, c) \
	"json_object('median_seconds', ?" a ", 'p90_seconds', ?" b ", 'mean_seconds', round(?" c ", 2))"

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
	bind_text(s, 1, g->key);
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
	*out = rc == SQLITE_ROW ? col_text(s, 0) : NULL;
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
		return e ? e->code : DESK_EIO;
	bind_group(s, m, g);
	return one_text(st, s, out, e);
}

static int breaches_json(struct store *st, const struct metrics_query *q, char **out,
			 struct derr *e)
{
	sqlite3_stmt *s = st_prep(
		st,
		BREACH_CTES " SELECT json_group_array(json_object('ticket', id, 'target', tg,"
		" 'due', " ISO("due") ", 'done_at', CASE WHEN done IS NOT NULL THEN " ISO("done")
		" END, 'late_seconds', coalesce(done, ?3) - due, 'priority', CASE p WHEN 0"
		" THEN 'low' WHEN 1 THEN 'normal' WHEN 2 THEN 'high' ELSE 'urgent' END,"
		" 'queue', q, 'assignee', who))"
		" FROM (SELECT * FROM b ORDER BY due, id, tg)",
		e);
	if (!s)
		return e ? e->code : DESK_EIO;
	sqlite3_bind_int64(s, 1, q->since);
	sqlite3_bind_int64(s, 2, q->until);
	sqlite3_bind_int64(s, 3, q->now);
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
			rc = e ? e->code : DESK_EIO;
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
			rc = e ? e->code : DESK_EIO;
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
