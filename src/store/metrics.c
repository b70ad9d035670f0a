/* metrics.c: the supervisors' figures, counted by SQLite.
 *
 * Each period rule picks its tickets once, walking one index range, into
 * a temporary table holding what the figures need of each ticket:
 *   report_created  created in [since, until) (tickets_created), with its
 *                   first customer message and first answer (seeks in
 *                   messages_kind): first response, SLA, breaches;
 *   report_solved   first solved in it: solved_at >= since follows from
 *                   first_solved_at >= since and lets tickets_solved
 *                   find them; resolution times, FCR, reopens;
 *   report_backlog  open at until: those open now (tickets_status) and
 *                   those solved since (tickets_solved), with the status
 *                   they had at until from the audit events.
 * Surveys are counted straight from surveys_answered.  The counts are
 * then aggregates over those tables, for the total and per group; the
 * medians and p90s are read off each distribution's values as SQLite
 * streams them sorted (read_dist), so no value is kept in memory.  The
 * SQL is put together from the fixed fragments below (never from
 * input); every value is a bound parameter. */
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

/* The first customer message of ticket t, in thread order (created_at,
 * id): messages_kind answers it from the index alone. */
#define FIRST_CUSTOMER(col)                                                  \
	"(SELECT m." col " FROM messages m WHERE m.ticket_id = t.id"           \
	" AND m.kind = 'customer' ORDER BY m.created_at, m.id LIMIT 1)"

/* Tickets created in the period: asked is the first customer message
 * (NULL for outbound tickets), answered the first public reply after it
 * (notes, system messages and replies before the customer wrote do not
 * count; a reply in the same second counts if it came after it). */
static const char created_table_sql[] =
	"CREATE TEMP TABLE report_created AS"
	" WITH c AS MATERIALIZED (SELECT t.id AS id, t.assignee_id AS assignee_id,"
	" t.queue AS queue, t.channel AS channel, t.priority AS priority,"
	" t.first_response_due AS frd, t.resolution_due AS rd, t.first_solved_at AS fs,"
	" t.pending_since AS ps, " FIRST_CUSTOMER("created_at") " AS asked"
	" FROM tickets t WHERE t.created_at >= ?1 AND t.created_at < ?2"
	" AND t.merged_into IS NULL)"
	" SELECT c.*, (SELECT r.created_at FROM messages r WHERE r.ticket_id = c.id"
	"  AND r.kind = 'reply' AND r.created_at >= c.asked AND (r.created_at > c.asked"
	"  OR r.id > (SELECT m.id FROM messages m WHERE m.ticket_id = c.id"
	"   AND m.kind = 'customer' ORDER BY m.created_at, m.id LIMIT 1))"
	"  ORDER BY r.created_at, r.id LIMIT 1) AS answered FROM c";

/* Tickets first solved in the period.  First contact resolution: never
 * reopened, and at most one public reply up to the first solve (the
 * count stops at two). */
static const char solved_table_sql[] =
	"CREATE TEMP TABLE report_solved AS SELECT t.id AS id,"
	" t.assignee_id AS assignee_id, t.queue AS queue, t.channel AS channel,"
	" t.priority AS priority, t.first_solved_at - t.created_at AS fx,"
	" t.solved_at - t.created_at AS lx, t.reopens > 0 AS reopened,"
	" CASE WHEN t.reopens = 0 THEN (SELECT count(*) FROM (SELECT 1 FROM messages m"
	"  WHERE m.ticket_id = t.id AND m.kind = 'reply'"
	"  AND m.created_at <= t.first_solved_at LIMIT 2)) <= 1 ELSE 0 END AS fcr"
	" FROM tickets t WHERE t.solved_at >= ?1 AND t.first_solved_at >= ?1"
	" AND t.first_solved_at < ?2 AND t.merged_into IS NULL";

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
/* The candidates: open now (one branch per status, so each is a range
 * of tickets_status, which the planner does not pick for an IN list of
 * four), or solved since the end.  Unary + keeps the planner off
 * tickets_created, whose range (created before the end) would be nearly
 * every ticket. */
#define BACKLOG_CAND(cond)                                                    \
	"SELECT t.id AS id, t.assignee_id AS assignee_id, t.queue AS queue,"    \
	" t.channel AS channel, t.priority AS priority, ?2 - t.created_at AS age, " \
	STATUS_AT " AS st FROM tickets t WHERE " cond                          \
	" AND +t.created_at < ?2 AND t.merged_into IS NULL"

static const char backlog_table_sql[] =
	"CREATE TEMP TABLE report_backlog AS SELECT * FROM ("
	BACKLOG_CAND("t.status = 'new'") " UNION ALL " BACKLOG_CAND("t.status = 'open'")
	" UNION ALL " BACKLOG_CAND("t.status = 'pending'")
	" UNION ALL " BACKLOG_CAND("t.status = 'on_hold'")
	" UNION ALL " BACKLOG_CAND("+t.status IN ('solved', 'closed') AND t.solved_at >= ?2")
	") WHERE st IN ('new', 'open', 'pending', 'on_hold')";

/* SLA verdicts of a row of report_created.  A first response is met
 * when given by its due time; breached when given later, or not given
 * and due before now.  Resolution likewise with the first solve, except
 * that a ticket pending now has its clock stopped: it is breached only
 * if it was already late when the pause began. */
#define FR_MET "asked IS NOT NULL AND frd IS NOT NULL AND answered <= frd"
#define FR_BREACHED                                                      \
	"asked IS NOT NULL AND frd IS NOT NULL AND (answered > frd"       \
	" OR (answered IS NULL AND frd < ?3))"
#define RES_MET "rd IS NOT NULL AND fs <= rd"
#define RES_BREACHED \
	"rd IS NOT NULL AND (fs > rd OR (fs IS NULL AND rd < coalesce(ps, ?3)))"

/* The counts, per group g (@K, with the join @J), over the tables. */
static const char created_sql[] =
	"SELECT @K AS g, count(*), count(asked), count(answered),"
	" count(CASE WHEN " FR_MET " THEN 1 END),"
	" count(CASE WHEN " FR_BREACHED " THEN 1 END),"
	" count(CASE WHEN " RES_MET " THEN 1 END),"
	" count(CASE WHEN " RES_BREACHED " THEN 1 END)"
	" FROM temp.report_created t@J GROUP BY g";

static const char solved_sql[] =
	"SELECT @K AS g, count(*), sum(t.fcr), sum(t.reopened)"
	" FROM temp.report_solved t@J GROUP BY g";

/* The values of each distribution, sorted by group and value: read in
 * one pass, they give each group's median, p90 and mean without being
 * kept (a window function over the same rows costs several sorts). */
static const char frt_values_sql[] =
	"SELECT @K AS g, t.answered - t.asked AS x FROM temp.report_created t@J"
	" WHERE t.answered IS NOT NULL ORDER BY 1, 2";
static const char frt_business_values_sql[] =
	"SELECT g, x FROM (SELECT @K AS g, desk_business_seconds(t.asked, t.answered) AS x"
	" FROM temp.report_created t@J WHERE t.answered IS NOT NULL) ORDER BY 1, 2";
static const char first_resolution_values_sql[] =
	"SELECT @K AS g, t.fx AS x FROM temp.report_solved t@J ORDER BY 1, 2";
static const char full_resolution_values_sql[] =
	"SELECT @K AS g, t.lx AS x FROM temp.report_solved t@J ORDER BY 1, 2";

static const char backlog_sql[] =
	"SELECT @K AS g, count(*),"
	" count(CASE WHEN t.age < 86400 THEN 1 END),"
	" count(CASE WHEN t.age >= 86400 AND t.age < 259200 THEN 1 END),"
	" count(CASE WHEN t.age >= 259200 AND t.age < 604800 THEN 1 END),"
	" count(CASE WHEN t.age >= 604800 THEN 1 END),"
	" count(CASE WHEN t.st = 'new' THEN 1 END), count(CASE WHEN t.st = 'open' THEN 1 END),"
	" count(CASE WHEN t.st = 'pending' THEN 1 END),"
	" count(CASE WHEN t.st = 'on_hold' THEN 1 END),"
	" count(CASE WHEN t.priority = 0 THEN 1 END), count(CASE WHEN t.priority = 1 THEN 1 END),"
	" count(CASE WHEN t.priority = 2 THEN 1 END), count(CASE WHEN t.priority = 3 THEN 1 END)"
	" FROM temp.report_backlog t@J GROUP BY g";

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
	" FROM surveys s@T@J"
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

/* tmpl with @K and @J replaced by the group's key and the join it
 * needs, and @T by the join of a survey's ticket. */
static char *fill(const char *tmpl, enum metrics_by by)
{
	struct strbuf b = {0};
	for (const char *p = tmpl; *p; p++) {
		if (p[0] == '@' && p[1] == 'K')
			sb_add(&b, dims[by].key);
		else if (p[0] == '@' && p[1] == 'J')
			sb_add(&b, dims[by].join);
		else if (p[0] == '@' && p[1] == 'T') /* only a breakdown needs the ticket */
			sb_add(&b, by == BY_NONE ? "" : " JOIN tickets t ON t.id = s.ticket_id");
		else {
			sb_addc(&b, *p);
			continue;
		}
		p++;
	}
	return sb_take(&b);
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
}

static void read_solved(sqlite3_stmt *s, struct metric_group *g)
{
	g->solved = col_int(s, 1);
	g->fcr = col_int(s, 2);
	g->reopened = col_int(s, 3);
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

/* Runs one aggregate statement for `by` and reads each row into its
 * group. */
static int run(struct store *st, const struct metrics_query *q, enum metrics_by by,
	       const char *tmpl, void (*read)(sqlite3_stmt *, struct metric_group *),
	       struct metrics *m, struct derr *e)
{
	char *sql = fill(tmpl, by);
	sqlite3_stmt *s = st_prep(st, sql, e);
	free(sql);
	if (!s)
		return e ? e->code : DESK_EIO;
	int np = sqlite3_bind_parameter_count(s);
	for (int i = 1; i <= np && i <= 3; i++)
		sqlite3_bind_int64(s, i, i == 1 ? q->since : i == 2 ? q->until : q->now);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		read(s, group(m, by, (const char *)sqlite3_column_text(s, 0)));
	st_done(s);
	return rc == SQLITE_DONE ? DESK_OK : st_fail(st, e, "computing the report");
}

/* One distribution of every group, from rows (g, x) sorted by g then x:
 * the count of each group is known (n_off, from the counts), so the
 * ranks of the median, (n + 1) / 2 and (n + 2) / 2 (the same row when n
 * is odd), and of the p90, ceil(0.9 n) = (9 n + 9) / 10, are known
 * before the rows come.  Nothing is kept but the group's sums. */
static int read_dist(struct store *st, const struct metrics_query *q, enum metrics_by by,
		     const char *tmpl, size_t dist_off, size_t n_off, struct metrics *m,
		     struct derr *e)
{
	char *sql = fill(tmpl, by);
	sqlite3_stmt *s = st_prep(st, sql, e);
	free(sql);
	if (!s)
		return e ? e->code : DESK_EIO;
	struct metric_group *g = NULL;
	struct metric_dist *d = NULL;
	int64_t rank = 0, n = 0;
	double lower = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(s, 0);
		if (!g || (by != BY_NONE && strcmp(g->key, key ? key : "") != 0)) {
			g = group(m, by, key);
			d = (struct metric_dist *)((char *)g + dist_off);
			n = *(const int64_t *)((const char *)g + n_off);
			memset(d, 0, sizeof *d);
			rank = 0;
		}
		double x = sqlite3_column_double(s, 1);
		rank++;
		d->n++;
		d->mean += x; /* the sum, until the end */
		if (rank == (n + 1) / 2)
			lower = x;
		if (rank == (n + 2) / 2)
			d->median = (lower + x) / 2;
		if (rank == (9 * n + 9) / 10)
			d->p90 = x;
	}
	st_done(s);
	if (rc != SQLITE_DONE)
		return st_fail(st, e, "computing the report");
	for (size_t i = 0; i <= m->n; i++) {
		g = i == m->n ? &m->total : &m->groups[i];
		d = (struct metric_dist *)((char *)g + dist_off);
		if ((by == BY_NONE) == (i == m->n) && d->n)
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

static const char drop_tables_sql[] = "DROP TABLE IF EXISTS temp.report_created;"
				      "DROP TABLE IF EXISTS temp.report_solved;"
				      "DROP TABLE IF EXISTS temp.report_backlog";

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
	sqlite3_exec(st->db, drop_tables_sql, NULL, NULL, NULL);
	if (!st->in_txn && !sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
}

/* Fills the three tables of the period (see the top of this file). */
static int pick_tickets(struct store *st, const struct metrics_query *q, struct derr *e)
{
	static const char *const tables[] = {created_table_sql, solved_table_sql,
					     backlog_table_sql};
	int rc = st_exec(st, drop_tables_sql, e);
	for (size_t i = 0; rc == DESK_OK && i < ARRAY_LEN(tables); i++) {
		sqlite3_stmt *s = st_prep(st, tables[i], e);
		if (!s)
			return e ? e->code : DESK_EIO;
		sqlite3_bind_int64(s, 1, q->since);
		sqlite3_bind_int64(s, 2, q->until);
		rc = st_exec_stmt(st, s, e, "choosing the report's tickets");
	}
	return rc;
}

int store_metrics(struct store *st, const struct metrics_query *q, struct metrics *m,
		  struct derr *e)
{
	memset(m, 0, sizeof *m);
	m->q = *q;
	int rc = q->business ? register_clock(st, q, e) : DESK_OK;
	if (rc == DESK_OK)
		rc = pick_tickets(st, q, e);
	enum metrics_by passes[2] = {BY_NONE, q->by};
	for (int p = 0; rc == DESK_OK && p < (q->by == BY_NONE ? 1 : 2); p++) {
		enum metrics_by by = passes[p];
#define G(f) offsetof(struct metric_group, f)
		if (!(rc = run(st, q, by, created_sql, read_created, m, e)) &&
		    !(rc = run(st, q, by, solved_sql, read_solved, m, e)) &&
		    !(rc = run(st, q, by, backlog_sql, read_backlog, m, e)) &&
		    !(rc = run(st, q, by, survey_sql, read_surveys, m, e)) &&
		    !(rc = read_dist(st, q, by, frt_values_sql, G(frt), G(answered), m, e)) &&
		    !(rc = read_dist(st, q, by, first_resolution_values_sql,
				     G(first_resolution), G(solved), m, e)) &&
		    !(rc = read_dist(st, q, by, full_resolution_values_sql,
				     G(full_resolution), G(solved), m, e)) &&
		    q->business)
			rc = read_dist(st, q, by, frt_business_values_sql, G(frt_business),
				       G(answered), m, e);
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

#define BREACHES                                                                     \
	"WITH b AS (SELECT t.id AS id, 'first_response' AS tg, t.frd AS due,"         \
	" t.answered AS done, t.priority AS p, t.queue AS q, a.login AS who"          \
	" FROM temp.report_created t LEFT JOIN agents a ON a.id = t.assignee_id"      \
	" WHERE " FR_BREACHED " UNION ALL SELECT t.id, 'resolution', t.rd, t.fs,"      \
	" t.priority, t.queue, a.login FROM temp.report_created t"                    \
	" LEFT JOIN agents a ON a.id = t.assignee_id WHERE " RES_BREACHED ")"

int store_sla_breaches(struct store *st, const struct metrics *m, int64_t limit,
		       int (*fn)(void *ctx, const struct sla_breach *b), void *ctx,
		       struct derr *e)
{
	/* With a limit SQLite keeps only the first rows while sorting. */
	sqlite3_stmt *s = st_prep(st,
				  BREACHES " SELECT id, tg, due, done, p, q, who FROM b"
					   " ORDER BY due, id, tg LIMIT ?4",
				  e);
	if (!s)
		return e ? e->code : DESK_EIO;
	sqlite3_bind_int64(s, 3, m->q.now);
	sqlite3_bind_int64(s, 4, limit > 0 ? limit : -1);
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
		BREACHES " SELECT json_group_array(json_object('ticket', id, 'target', tg,"
		" 'due', " ISO("due") ", 'done_at', CASE WHEN done IS NOT NULL THEN " ISO("done")
		" END, 'late_seconds', coalesce(done, ?3) - due, 'priority', CASE p WHEN 0"
		" THEN 'low' WHEN 1 THEN 'normal' WHEN 2 THEN 'high' ELSE 'urgent' END,"
		" 'queue', q, 'assignee', who))"
		" FROM (SELECT * FROM b ORDER BY due, id, tg)",
		e);
	if (!s)
		return e ? e->code : DESK_EIO;
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
