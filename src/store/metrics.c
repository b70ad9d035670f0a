/* metrics.c: the supervisors' figures (SQLite's plans described; on
 * PostgreSQL the same walks, metrics_pg.c).
 *
 * Every figure comes from the tickets' own columns: what the report
 * needs of a ticket's messages (first customer message, first answer,
 * replies up to the first solve) is kept on the ticket by the triggers of
 * schema version 6, so a period's figures are aggregates over one pass of
 * its tickets, never a lookup into their messages:
 *   created   tickets created in [since, until) (first response, SLA),
 *             one walk of tickets_report_created;
 *   solved    first solved in it (resolution, FCR, reopens), one walk
 *             of tickets_report_solved;
 *   surveys   one walk of surveys_answered;
 *   backlog   those open at until: open now (tickets_backlog) or solved
 *             since (tickets_solved), with the status they had at until
 *             from the audit events.
 * Each walk hands its rows to C (metrics_pass.c, metrics_rows.c: on
 * SQLite through aggregate functions, on PostgreSQL as a row per group,
 * its counts summed and its durations in arrays), which adds each to
 * the total and to its group at once and keeps the durations, so the
 * medians and p90s are picked out by selection afterwards: a breakdown
 * needs no GROUP BY or ORDER BY (SQLite sorted every row of it, once
 * per figure), and a whole report no second walk of an index per
 * distribution.  The SQL is put together from the fixed fragments below
 * (never from input); every value is a bound parameter.  The JSON is
 * written by SQLite's json functions on both engines (report_json_pg.c). */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "metrics.h"
#include "metrics_pass.h"
#include "report_json.h"
#include "pg_hints.h"
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

/* PostgreSQL's columns of the passes (metrics_pg.c), a row per group:
 * the counts pass_created, pass_solved would add (the verdicts as
 * metrics_pass.h says them in SQL), and the durations they would keep
 * (NULL elements for DIST_NULL); the first customer messages only for
 * business time (@B). */
#define ANSWERED "t.first_customer_at IS NOT NULL AND t.first_answer_at IS NOT NULL"
#define PG_CREATED_COLS                                                                    \
	"@K, count(*), count(t.first_customer_at), count(*) FILTER (WHERE " ANSWERED "),"    \
	" count(*) FILTER (WHERE " PG_FR_MET "), count(*) FILTER (WHERE " PG_FR_BREACHED "),"  \
	" count(*) FILTER (WHERE " PG_RES_MET "), count(*) FILTER (WHERE " PG_RES_BREACHED ")," \
	" array_agg(t.first_answer_at - t.first_customer_at) FILTER (WHERE " ANSWERED "),"   \
	" array_agg(t.first_customer_at) FILTER (WHERE @B AND " ANSWERED ")"
#define PG_SOLVED_COLS                                                                    \
	"@K, count(*), count(*) FILTER (WHERE t.reopens = 0 AND t.replies_to_first_solve = 1)," \
	" count(*) FILTER (WHERE t.reopens > 0), array_agg(t.first_solved_at - t.created_at),"  \
	" array_agg(t.solved_at - t.created_at)"

/* The passes: each row's group key (@K, with the join @J) and the
 * columns its figures need (metrics_rows.c), handed to C.  On SQLite one
 * aggregate call per row does it (desk_created, desk_solved,
 * desk_surveys, desk_backlog below: a SQL aggregate per figure cost 0.4
 * s a million tickets, and a GROUP BY sorted every row of a breakdown);
 * PostgreSQL sums per group and sends the durations (metrics_pg.c).
 * tickets_report_created, tickets_report_solved and surveys_answered
 * hold every column a report without a breakdown reads. */
static const struct pass_sql passes[PASS__COUNT] = {
	[PASS_CREATED] = {"desk_created", "@K, " FR_ARGS ", " RES_ARGS,
			  " FROM tickets t@J WHERE " CREATED_IN " AND t.merged_into IS NULL",
			  PG_CREATED_COLS, NULL, " GROUP BY 1"},
	[PASS_SOLVED] = {"desk_solved",
			 "@K, t.created_at, t.first_solved_at, t.solved_at, t.reopens,"
			 " t.replies_to_first_solve",
			 " FROM tickets t@J WHERE " FIRST_SOLVED_IN " AND t.merged_into IS NULL",
			 PG_SOLVED_COLS, NULL, " GROUP BY 1"},
	[PASS_SURVEYS] = {"desk_surveys", "@K, s.kind, s.score",
			  " FROM surveys s@T@J WHERE s.answered_at >= ?1 AND s.answered_at < ?2",
			  "@K, s.kind, s.score, count(*)", NULL, " GROUP BY 1, 2, 3"},
	/* The candidates: open now (read from tickets_backlog alone), or
	 * solved since the end, with their status at the end (internal.h).
	 * Unary + keeps SQLite's planner off tickets_created, whose range
	 * (created before the end) would be nearly every ticket. */
#define BACKLOG_COLS(st)                                                      \
	"SELECT t.id AS id, t.assignee_id AS assignee_id, t.queue AS queue,"    \
	" t.channel AS channel, t.priority AS priority, ?2 - t.created_at AS age, " \
	st " AS st FROM tickets t WHERE "
#define BACKLOG_CAND(cond) \
	BACKLOG_COLS(STATUS_AT) cond " AND +t.created_at < ?2 AND t.merged_into IS NULL"
	/* PostgreSQL: a ticket open now and not updated since the end
	 * has its status now (STATUS_AT's first case) apart, so that
	 * nearly all are read from tickets_backlog alone (an index-only
	 * scan, where the events' lookup by t.id made each read its
	 * ticket row: 4940 rows, 60-200 ms on a new connection). */
#define PG_BACKLOG_FROM                                                                    \
	" FROM (" BACKLOG_COLS("t.status") OPEN_NOW " AND t.updated_at < ?2"                 \
	" AND t.created_at < ?2 AND t.merged_into IS NULL UNION ALL "                        \
	BACKLOG_CAND(OPEN_NOW " AND t.updated_at >= ?2") " UNION ALL " BACKLOG_CAND(SOLVED_SINCE) \
	") t@J WHERE t.st IN ('new', 'open', 'pending', 'on_hold')"
	[PASS_BACKLOG] = {"desk_backlog", "@K, t.age, t.st, t.priority",
			  " FROM (" BACKLOG_CAND(OPEN_NOW) " UNION ALL " BACKLOG_CAND(SOLVED_SINCE)
			  ") t@J WHERE t.st IN ('new', 'open', 'pending', 'on_hold')",
			  NULL, PG_BACKLOG_FROM, ""},
};

/* --- groups -------------------------------------------------------------- */

void metrics_free(struct metrics *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->groups[i].key);
	free(m->groups);
	memset(m, 0, sizeof *m);
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

/* The breakdown a statement is filled in for. */
struct shape {
	enum metrics_by by;
	bool business; /* business time is asked for */
};

/* tmpl with its placeholders replaced: @K and @J the group's key and
 * the join it needs, @T the join of a survey's ticket, @B whether
 * business time is asked for (true or false). */
static char *fill(const char *tmpl, const struct shape *sh)
{
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
		case 'B':
			sb_add(&b, sh->business ? "true" : "false");
			break;
		case 'T': /* only a breakdown needs the ticket: the one a
			   * merged ticket's survey counts under */
			if (sh->by != BY_NONE)
				sb_add(&b, " JOIN tickets t0 ON t0.id = s.ticket_id"
					   " JOIN tickets t ON t.id = coalesce(t0.merged_into, t0.id)");
			break;
		default:
			sb_addc(&b, '@');
			sb_addc(&b, *p);
		}
	}
	return sb_take(&b);
}

/* --- the SQLite functions ------------------------------------------------
 * Each hands its arguments to metrics_rows.c, which judges the SLA
 * verdicts (metrics_pass.h) and counts; desk_fr_sla and desk_res_sla
 * give the verdicts to the breach list's SQL. */
static const char *const verdict_names[] = {NULL, "met", "breached", "open"};

static void read_ints(sqlite3_value **v, int n, struct opt_i64 *out)
{
	for (int i = 0; i < n; i++)
		out[i] = (struct opt_i64){.null = sqlite3_value_type(v[i]) == SQLITE_NULL,
					  .v = sqlite3_value_int64(v[i])};
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
	struct opt_i64 a[4];
	read_ints(argv, 4, a);
	result_verdict(cx, fr_verdict(a));
}

static void res_sla_sql(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	(void)argc;
	struct opt_i64 a[4];
	read_ints(argv, 4, a);
	result_verdict(cx, res_verdict(a));
}

/* The pass a report's function feeds; NULL, with the statement
 * failed, outside store_metrics. */
static struct metrics_pass *pass_of(sqlite3_context *cx)
{
	struct metrics_pass *p = sqlite3_user_data(cx);
	if (!p)
		sqlite3_result_error(cx, "desk report: no report is being computed", -1);
	return p;
}

static const char *key_of(sqlite3_value *v)
{
	return (const char *)sqlite3_value_text(v);
}

/* desk_created(key, FR_ARGS, RES_ARGS) */
static void created_step(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	(void)argc;
	struct metrics_pass *p = pass_of(cx);
	struct opt_i64 a[CREATED_COLS];
	if (!p)
		return;
	read_ints(argv + 1, CREATED_COLS, a);
	pass_created(p, key_of(argv[0]), a);
}

/* desk_solved(key, created, first solved, last solved, reopens, replies
 * to the first solve) */
static void solved_step(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	(void)argc;
	struct metrics_pass *p = pass_of(cx);
	struct opt_i64 a[SOLVED_COLS];
	if (!p)
		return;
	read_ints(argv + 1, SOLVED_COLS, a);
	pass_solved(p, key_of(argv[0]), a);
}

/* desk_surveys(key, kind, score) */
static void surveys_step(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	(void)argc;
	struct metrics_pass *p = pass_of(cx);
	if (p)
		pass_survey(p, key_of(argv[0]), (const char *)sqlite3_value_text(argv[1]),
			    sqlite3_value_int64(argv[2]));
}

/* desk_backlog(key, age, status, priority) */
static void backlog_step(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	(void)argc;
	struct metrics_pass *p = pass_of(cx);
	if (p)
		pass_backlog(p, key_of(argv[0]), sqlite3_value_int64(argv[1]),
			     (const char *)sqlite3_value_text(argv[2]),
			     sqlite3_value_int64(argv[3]));
}

/* desk_iso(t): strftime('%Y-%m-%dT%H:%M:%SZ', t, 'unixepoch') for an
 * integer t, NULL outside the years 0000-9999 as there: a breach list
 * of a million tickets called strftime twice per breach, 2 us each. */
static void iso_sql(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	(void)argc;
	if (sqlite3_value_type(argv[0]) != SQLITE_INTEGER) {
		sqlite3_result_null(cx);
		return;
	}
	time_t t = (time_t)sqlite3_value_int64(argv[0]);
	struct tm tm;
	char buf[32];
	if (!gmtime_r(&t, &tm) || tm.tm_year < -1900 || tm.tm_year > 9999 - 1900) {
		sqlite3_result_null(cx);
		return;
	}
	int n = snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	sqlite3_result_text(cx, buf, n, SQLITE_TRANSIENT);
}

static void pass_final(sqlite3_context *cx)
{
	sqlite3_result_null(cx);
}

/* The report's own SQL functions on this connection; the passes' feed
 * p, which is defined again for each report. */
static int register_functions(struct store *st, struct metrics_pass *p, struct derr *e)
{
	static const struct {
		const char *name;
		int argc;
		void (*fn)(sqlite3_context *, int, sqlite3_value **);
		void (*step)(sqlite3_context *, int, sqlite3_value **);
		void (*final)(sqlite3_context *);
		bool pass;
	} fns[] = {
		{"desk_created", 1 + CREATED_COLS, NULL, created_step, pass_final, true},
		{"desk_solved", 1 + SOLVED_COLS, NULL, solved_step, pass_final, true},
		{"desk_surveys", 3, NULL, surveys_step, pass_final, true},
		{"desk_backlog", 4, NULL, backlog_step, pass_final, true},
		{"desk_fr_sla", 4, fr_sla_sql, NULL, NULL, false},
		{"desk_res_sla", 4, res_sla_sql, NULL, NULL, false},
		{"desk_iso", 1, iso_sql, NULL, NULL, false},
	};
	if (st_engine(st) != ENGINE_SQLITE)
		return DESK_OK;
	for (size_t i = 0; i < ARRAY_LEN(fns); i++)
		if (sqlite3_create_function_v2(st->db, fns[i].name, fns[i].argc,
					       SQLITE_UTF8 | SQLITE_DIRECTONLY |
						       (fns[i].pass ? 0 : SQLITE_DETERMINISTIC),
					       fns[i].pass ? p : NULL, fns[i].fn, fns[i].step,
					       fns[i].final, NULL) != SQLITE_OK)
			return st_fail(st, e, "preparing the report");
	return DESK_OK;
}

/* The statement of a pass for breakdown sh: on SQLite its columns go
 * to the pass's aggregate function, on PostgreSQL its own columns come
 * back as rows (and SQLite's planner hints go). */
static struct stmt *prepare(struct store *st, const struct metrics_query *q,
			     const struct pass_sql *ps, const struct shape *sh, struct derr *e)
{
	char *tmpl = st_engine(st) == ENGINE_SQLITE
			     ? xasprintf("SELECT %s(%s)%s", ps->fn, ps->cols, ps->from)
			     : xasprintf("SELECT %s%s%s", ps->pg_cols ? ps->pg_cols : ps->cols,
					 ps->pg_from ? ps->pg_from : ps->from, ps->pg_group);
	char *sql = fill(tmpl, sh);
	struct stmt *s = st_prep_hinted(st, sql, e);
	free(tmpl);
	free(sql);
	if (!s)
		return NULL;
	int np = st_param_count(s);
	for (int i = 1; i <= np && i <= 3; i++)
		bind_int(s, i, i == 1 ? q->since : i == 2 ? q->until : q->now);
	return s;
}

int store_read_begin(struct store *st, struct derr *e)
{
	if (st_engine(st) == ENGINE_POSTGRESQL) {
		if (st->in_txn)
			return derr_set(e, DESK_EINVAL, "internal error: nested transaction");
		/* One snapshot for the whole report, as SQLite's read
		 * transaction gives: REPEATABLE READ.  No JIT: the backlog's
		 * status subqueries cost enough by the planner's estimate
		 * to be compiled, 160-190 ms of a statement that runs in
		 * 60-110 ms without. */
		return st_exec(st,
			       "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL jit = off",
			       e);
	}
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
	if (st->in_txn)
		return;
	if (st_engine(st) == ENGINE_POSTGRESQL) {
		/* Outside a transaction PostgreSQL only warns (unseen). */
		struct derr ignored = {0};
		st_exec(st, "COMMIT", &ignored);
	} else if (!sqlite3_get_autocommit(st->db)) {
		sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
	}
}

/* One pass of each statement (created, solved, surveys, backlog)
 * feeding p. */
static int run_passes(struct store *st, const struct metrics_query *q, struct metrics_pass *p,
		      struct derr *e)
{
	struct shape sh = {.by = p->by, .business = p->business != NULL};
	int rc = register_functions(st, p, e);
	/* PostgreSQL: the walks of a long period read the covering
	 * indexes (tickets_report_created: 931 pages at 100k tickets)
	 * rather than the table (2910), which a new connection's server
	 * process touches page by page for the first time: 100-150 ms less
	 * a report.  The default random_page_cost (4, for disks) priced
	 * that index above the table's scan. */
	if (rc == DESK_OK && st_engine(st) == ENGINE_POSTGRESQL)
		rc = st_exec(st, "SET LOCAL random_page_cost = 1.1", e);
	for (int i = 0; rc == DESK_OK && i < PASS__COUNT; i++) {
		struct stmt *s = prepare(st, q, &passes[i], &sh, e);
		if (!s)
			return derr_code(e);
		if (st_engine(st) == ENGINE_POSTGRESQL) {
			rc = metrics_pg_feed(st, s, (enum pass_kind)i, p, e);
			continue;
		}
		while ((rc = st_step(s)) == ST_ROW)
			;
		st_done(s);
		rc = rc == ST_DONE ? DESK_OK : st_fail(st, e, "computing the report");
	}
	if (rc == DESK_OK && st_engine(st) == ENGINE_POSTGRESQL)
		rc = st_exec(st, "SET LOCAL random_page_cost TO DEFAULT", e);
	return rc;
}

int store_metrics(struct store *st, const struct metrics_query *q, struct metrics *m,
		  struct derr *e)
{
	memset(m, 0, sizeof *m);
	m->q = *q;
	/* A breakdown by tag counts a ticket once under each of its tags,
	 * so the total needs a pass of its own; any other breakdown feeds
	 * the total and the groups from the same rows. */
	struct metrics_pass p = {.m = m, .by = q->by, .total = q->by != BY_TAG,
				 .business = q->business, .business_ctx = q->business_ctx};
	int rc = DESK_OK;
	if (q->by == BY_TAG) {
		struct metrics_pass total = {.m = m, .by = BY_NONE, .total = true,
					     .business = q->business,
					     .business_ctx = q->business_ctx};
		rc = run_passes(st, q, &total, e);
		metrics_pass_finish(&total, q->business != NULL);
	}
	if (rc == DESK_OK)
		rc = run_passes(st, q, &p, e);
	metrics_pass_finish(&p, q->business != NULL);
	/* Unregistered, so that no statement can reach p once it is gone. */
	if (rc == DESK_OK)
		rc = register_functions(st, NULL, e);
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

/* Whether a ticket breached a target: on SQLite the C verdict
 * (metrics_rows.c) as a function; PostgreSQL says it in SQL
 * (metrics_pass.h). */
#define FR_BREACHED_LITE "desk_fr_sla(" FR_ARGS ") = 'breached'"
#define RES_BREACHED_LITE "desk_res_sla(" RES_ARGS ") = 'breached'"

/* The breaches of one target among the tickets created in the period, by
 * due time, the first ?4 (-1: all): a walk of the due time's index that
 * stops there.  A due time is its ticket's creation plus a target, never
 * before it, so the walk starts at the period's start. */
#define BREACH_ARM(tg, due, done, index, cond)                                      \
	"SELECT * FROM (SELECT t.id AS id, '" tg "' AS tg, t." due " AS due,"        \
	" t." done " AS done, t.priority AS p, t.queue AS q, t.assignee_id AS aid"   \
	" FROM tickets t INDEXED BY " index " WHERE t." due " >= ?1 AND " CREATED_IN \
	" AND t.merged_into IS NULL AND " cond " ORDER BY t." due ", t.id LIMIT ?4) AS arm"
#define BREACHES(fr, res)                                                            \
	"WITH b AS (" BREACH_ARM("first_response", "first_response_due", "first_answer_at", \
				 "tickets_frd", fr)                                            \
	" UNION ALL " BREACH_ARM("resolution", "resolution_due", "first_solved_at",        \
				 "tickets_rd", res)                                            \
	"), bw AS (SELECT b.*, a.login AS who FROM b LEFT JOIN agents a ON a.id = b.aid)"
/* All of them: one walk of tickets_report_created per target, the
 * verdict judged from the index entry and the ticket row read only for
 * a breach (SQLite defers the seek until a column needs it), where the
 * walk of a due time's index read every ticket row of the period in
 * due order, nearly all away from the page before. */
#define BREACH_SCAN(tg, due, done, cond)                                                 \
	"SELECT t.id AS id, '" tg "' AS tg, t." due " AS due, t." done " AS done,"         \
	" t.priority AS p, t.queue AS q, t.assignee_id AS aid"                             \
	" FROM tickets t INDEXED BY tickets_report_created WHERE " CREATED_IN               \
	" AND t.merged_into IS NULL AND t." due " >= ?1 AND " cond
#define BREACHES_ALL(fr, res)                                                             \
	"WITH b AS (" BREACH_SCAN("first_response", "first_response_due", "first_answer_at", \
				  fr)                                                         \
	" UNION ALL " BREACH_SCAN("resolution", "resolution_due", "first_solved_at",        \
				  res)                                                        \
	"), bw AS (SELECT b.*, a.login AS who FROM b LEFT JOIN agents a ON a.id = b.aid)"

static void bind_period(struct stmt *s, const struct metrics_query *q, int64_t limit)
{
	bind_int(s, 1, q->since);
	bind_int(s, 2, q->until);
	bind_int(s, 3, q->now);
	if (st_param_count(s) >= 4)
		bind_int(s, 4, limit > 0 ? limit : -1);
}

/* The breach list's SQL on this engine, ordered by due time; with a
 * limit, its first rows. */
static struct stmt *prep_breaches(struct store *st, int64_t limit, struct derr *e)
{
#define BREACH_LIST(fr, res)                                                            \
	BREACHES(fr, res) " SELECT id, tg, due, done, p, q, who FROM bw ORDER BY due, id, tg" \
			  " LIMIT ?4"
#define BREACH_LIST_ALL(fr, res) \
	BREACHES_ALL(fr, res) " SELECT id, tg, due, done, p, q, who FROM bw ORDER BY due, id, tg"
	/* With a limit SQLite keeps only the first rows while sorting. */
	const char *sql = limit > 0 ? BREACH_LIST(FR_BREACHED_LITE, RES_BREACHED_LITE)
				    : BREACH_LIST_ALL(FR_BREACHED_LITE, RES_BREACHED_LITE);
	if (st_engine(st) == ENGINE_SQLITE)
		return st_prep(st, sql, e);
	return st_prep_hinted(st,
			      limit > 0 ? BREACH_LIST(PG_FR_BREACHED, PG_RES_BREACHED)
					: BREACH_LIST_ALL(PG_FR_BREACHED, PG_RES_BREACHED),
			      e);
}

int store_sla_breaches(struct store *st, const struct metrics *m, int64_t limit,
		       int (*fn)(void *ctx, const struct sla_breach *b), void *ctx,
		       struct derr *e)
{
	struct stmt *s = prep_breaches(st, limit, e);
	if (!s)
		return derr_code(e);
	bind_period(s, &m->q, limit);
	int rc, out = DESK_OK;
	while ((rc = st_step(s)) == ST_ROW) {
		if (out || !fn)
			continue;
		struct sla_breach b = {
			.ticket_id = col_int(s, 0),
			.target = col_str(s, 1),
			.due = col_int(s, 2),
			.done_at = col_int(s, 3),
			.priority = (enum priority)col_int(s, 4),
			.queue = col_str(s, 5),
			.assignee = col_str(s, 6),
		};
		out = fn(ctx, &b);
	}
	st_done(s);
	if (rc != ST_DONE)
		return st_fail(st, e, "listing SLA breaches");
	return out;
}

/* --- JSON ------------------------------------------------------------------ */

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

static void bind_real(struct stmt *s, int i, double v)
{
	if (isnan(v))
		bind_null(s, i);
	else
		bind_double(s, i, v);
}

/* A distribution's median, p90 and mean at i, i + 1, i + 2; null when
 * there are no values. */
static void bind_dist(struct stmt *s, int i, const struct metric_dist *d)
{
	bind_real(s, i, d->n ? d->median : NAN);
	bind_real(s, i + 1, d->n ? d->p90 : NAN);
	bind_real(s, i + 2, d->n ? d->mean : NAN);
}

static void bind_group(struct stmt *s, const struct metrics *m, const struct metric_group *g)
{
	bind_text(s, 1, metrics_group_label(m->q.by, g->key));
	bind_int(s, 2, g->created);
	bind_int(s, 3, g->inbound);
	bind_int(s, 4, g->answered);
	bind_dist(s, 5, &g->frt);
	bind_int(s, 8, m->q.business != NULL);
	bind_dist(s, 9, &g->frt_business);
	bind_int(s, 12, g->solved);
	bind_dist(s, 13, &g->first_resolution);
	bind_dist(s, 16, &g->full_resolution);
	bind_int(s, 19, g->fcr);
	bind_real(s, 20, g->fcr_pct);
	bind_int(s, 21, g->reopened);
	bind_real(s, 22, g->reopen_pct);
	bind_real(s, 23, g->resolution_rate_pct);
	bind_int(s, 24, g->backlog);
	for (int i = 0; i < AGE__COUNT; i++)
		bind_int(s, 25 + i, g->backlog_age[i]);
	for (int i = 0; i <= ST_ON_HOLD; i++)
		bind_int(s, 29 + i, g->backlog_status[i]);
	for (int i = 0; i < PRIO__COUNT; i++)
		bind_int(s, 33 + i, g->backlog_priority[i]);
	bind_int(s, 37, g->fr_met);
	bind_int(s, 38, g->fr_breached);
	bind_real(s, 39, g->fr_sla_pct);
	bind_int(s, 40, g->res_met);
	bind_int(s, 41, g->res_breached);
	bind_real(s, 42, g->res_sla_pct);
	bind_int(s, 43, g->csat_n);
	bind_int(s, 44, g->csat_satisfied);
	bind_real(s, 45, g->csat);
	bind_int(s, 46, g->ces_n);
	bind_int(s, 47, g->ces_sum);
	bind_real(s, 48, g->ces);
	bind_int(s, 49, g->nps_n);
	bind_int(s, 50, g->nps_promoters);
	bind_int(s, 51, g->nps_passives);
	bind_int(s, 52, g->nps_detractors);
	bind_real(s, 53, g->nps);
}

/* Steps s for its one text column; a new string. */
static int one_text(struct store *st, struct stmt *s, char **out, struct derr *e)
{
	int rc = st_step(s);
	*out = rc == ST_ROW ? col_json(s, 0) : NULL;
	st_done(s);
	if (rc != ST_ROW || !*out) {
		xfree(out);
		return st_fail(st, e, "writing the report as JSON");
	}
	return DESK_OK;
}

static int group_json(struct store *js, const struct metrics *m, const struct metric_group *g,
		      char **out, struct derr *e)
{
	struct stmt *s = st_prep(js, group_json_sql, e);
	if (!s)
		return derr_code(e);
	bind_group(s, m, g);
	return one_text(js, s, out, e);
}

static int breaches_json(struct store *st, const struct metrics_query *q, char **out,
			 struct derr *e)
{
	if (st_engine(st) == ENGINE_POSTGRESQL) {
		struct stmt *s = prep_breaches(st, -1, e);
		if (!s)
			return derr_code(e);
		bind_period(s, q, -1);
		/* (id, target, due, done, priority, queue, assignee), now */
		return report_json_array(st, s, "itiiitt",
					 "SELECT " BREACH_JSON("?1", "?2", ISO("?3"), ISO("?4"),
							       "coalesce(?4, ?8) - ?3", "?5", "?6",
							       "?7"),
					 q->now, out, e);
	}
	struct stmt *s = st_prep(
		st,
		BREACHES_ALL(FR_BREACHED_LITE, RES_BREACHED_LITE)
		" SELECT json_group_array(" BREACH_JSON("id", "tg", "desk_iso(due)", "desk_iso(done)",
							"coalesce(done, ?3) - due", "p", "q", "who") ")"
		" FROM (SELECT * FROM bw ORDER BY due, id, tg)",
		e);
	if (!s)
		return derr_code(e);
	bind_period(s, q, -1);
	return one_text(st, s, out, e);
}

/* The figures are written as JSON by SQLite's json functions on both
 * engines (on PostgreSQL by a scratch in-memory SQLite, js), so the
 * document is the same, byte for byte, whatever holds the tickets. */
int store_metrics_json_figures(struct store *st, const struct metrics *m, char **json,
			       struct derr *e)
{
	*json = NULL;
	struct store *js = NULL;
	int rc = report_json_store(st, &js, e);
	if (rc)
		return rc;
	char *total = NULL, *groups = xstrdup("[]"), *one = NULL;
	rc = group_json(js, m, &m->total, &total, e);
	for (size_t i = 0; rc == DESK_OK && i < m->n; i++) {
		if ((rc = group_json(js, m, &m->groups[i], &one, e)))
			break;
		struct stmt *s = st_prep(js, "SELECT json_insert(?1, '$[#]', json(?2))", e);
		if (!s) {
			rc = derr_code(e);
			break;
		}
		bind_text(s, 1, groups);
		bind_text(s, 2, one);
		xfree(&groups);
		xfree(&one);
		rc = one_text(js, s, &groups, e);
	}
	if (rc == DESK_OK) {
		struct stmt *s = st_prep(
			js,
			"SELECT json_object('since', " ISO("?1") ", 'until', " ISO("?2") ","
			" 'generated_at', " ISO("?3") ", 'by', ?4, 'business_hours', json(?5),"
			" 'total', json(?6), 'groups', json(?7), 'breaches', json('[]'))",
			e);
		if (!s) {
			rc = derr_code(e);
		} else {
			bind_int(s, 1, m->q.since);
			bind_int(s, 2, m->q.until);
			bind_int(s, 3, m->q.now);
			bind_text(s, 4, m->q.by == BY_NONE ? NULL : metrics_by_name(m->q.by));
			bind_text(s, 5, m->q.business ? "true" : "false");
			bind_text(s, 6, total);
			bind_text(s, 7, groups);
			rc = one_text(js, s, json, e);
		}
	}
	free(total);
	free(groups);
	free(one);
	report_json_store_done(st, &js);
	return rc;
}

/* The top-level key store_metrics_json leaves empty, as SQLite writes
 * it (no spaces).  Nothing before it can hold these bytes: a string
 * holding them would have its quotes escaped, and no group has such a
 * key. */
#define EMPTY_BREACHES ",\"breaches\":[]"

int store_metrics_json_breaches(struct store *st, const struct metrics *m, char **json,
				struct derr *e)
{
	char *at = *json ? strstr(*json, EMPTY_BREACHES) : NULL;
	if (!at)
		return derr_set(e, DESK_EINVAL, "internal error: the report has no breaches to fill");
	char *breaches = NULL;
	int rc = breaches_json(st, &m->q, &breaches, e);
	if (rc)
		return rc;
	/* Spliced in as text: each json_set on the document parsed and
	 * wrote the whole list again (seconds at a million tickets). */
	size_t head = (size_t)(at - *json) + strlen(EMPTY_BREACHES) - 2; /* up to the [] */
	char *out = xasprintf("%.*s%s%s", (int)head, *json, breaches, *json + head + 2);
	free(breaches);
	free(*json);
	*json = out;
	return DESK_OK;
}

int store_metrics_json(struct store *st, const struct metrics *m, char **json,
		       struct derr *e)
{
	int rc = store_metrics_json_figures(st, m, json, e);
	if (rc == DESK_OK && (rc = store_metrics_json_breaches(st, m, json, e)))
		xfree(json);
	return rc;
}
