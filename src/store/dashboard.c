/* dashboard.c: the counts behind the console's supervisor dashboard.
 *
 * Every figure is an aggregate computed by the engine (SQLite's plans
 * described) over an index range:
 *   - open tickets now: tickets_backlog, a partial index of the open
 *     tickets holding what the backlog reads (OPEN_NOW, internal.h);
 *   - a day's new tickets: a range of tickets_created; a day's first
 *     solves: a range of tickets_solved (solved_at >= first_solved_at);
 *   - the backlog at each day's end: the report's rule (STATUS_AT) for
 *     every day at once, each changed ticket's audit events read once
 *     (backlog_days_sql below);
 *   - the risk list: the heads of tickets_status for each open status.
 * Nothing but the counts and the few rows shown comes back.  The SQL is
 * fixed text, the same on PostgreSQL but where noted; every value is a
 * bound parameter. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "metrics.h"
#include "pg_hints.h"
#include "util.h"

#define OPEN_TICKETS(cols) "SELECT " cols " FROM tickets t WHERE " OPEN_NOW \
	" AND t.merged_into IS NULL"

/* Grouped by status alone, the order tickets_backlog gives them in
 * (one range per status), each priority a count of its own: grouping
 * by status and priority sorted every open ticket (49 000 at 1M). */
static const char backlog_sql[] =
	"SELECT st, count(CASE WHEN p = 0 THEN 1 END), count(CASE WHEN p = 1 THEN 1 END),"
	" count(CASE WHEN p = 2 THEN 1 END), count(CASE WHEN p = 3 THEN 1 END),"
	" count(CASE WHEN age < 86400 THEN 1 END),"
	" count(CASE WHEN age >= 86400 AND age < 259200 THEN 1 END),"
	" count(CASE WHEN age >= 259200 AND age < 604800 THEN 1 END),"
	" count(CASE WHEN age >= 604800 THEN 1 END)"
	" FROM (" OPEN_TICKETS("t.status AS st, t.priority AS p, ?1 - t.created_at AS age")
	") AS o GROUP BY st";

int store_dash_backlog(struct store *st, int64_t now, struct dash_backlog *out,
		       struct derr *e)
{
	memset(out, 0, sizeof *out);
	struct stmt *s = st_prep(st, backlog_sql, e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, now);
	int rc;
	while ((rc = st_step(s)) == ST_ROW) {
		int status = status_from_name(col_str(s, 0));
		if (status < 0 || status > ST_ON_HOLD)
			continue; /* CHECK constraints make this impossible */
		for (int p = 0; p < PRIO__COUNT; p++) {
			int64_t n = col_int(s, 1 + p);
			out->by[status][p] += n;
			out->total += n;
		}
		for (int i = 0; i < AGE__COUNT; i++)
			out->age[i] += col_int(s, 1 + PRIO__COUNT + i);
	}
	st_done(s);
	return rc == ST_DONE ? DESK_OK : st_fail(st, e, "counting the backlog");
}

/* --- load per agent ------------------------------------------------------ */

/* Each agent's open tickets are ranges of tickets_assignee (assignee,
 * status, merged_into, next_due, ...): one seek per agent and status,
 * read from the index alone, already grouped by agent, breaching judged
 * from its next_due.  Grouping the open tickets by assignee sorted them
 * all, after collecting the breaching ones' ids from tickets_status. */
#define LOAD_COUNTS                                                                  \
	"count(CASE WHEN t.status <> 'pending' THEN 1 END),"                            \
	" count(CASE WHEN t.status = 'pending' THEN 1 END),"                            \
	" count(CASE WHEN t.status <> 'pending'"                                        \
	"  AND coalesce(t.next_due, 9223372036854775807) < ?1 THEN 1 END)"
#define LOAD_OPEN " t.status IN ('new', 'open', 'pending', 'on_hold') AND t.merged_into IS NULL"
/* coll: how logins sort, byte by byte as on SQLite (PostgreSQL's
 * default follows the database's locale). */
#define LOAD_SQL(coll)                                                                  \
	"WITH l(aid, o, p, b) AS ("                                                          \
	" SELECT a.id, " LOAD_COUNTS " FROM agents a JOIN tickets t ON t.assignee_id = a.id" \
	"  WHERE" LOAD_OPEN " GROUP BY a.id"                                                 \
	" UNION ALL SELECT NULL, " LOAD_COUNTS " FROM tickets t"                             \
	"  WHERE t.assignee_id IS NULL AND" LOAD_OPEN " GROUP BY t.assignee_id)"             \
	" SELECT login, o, p, b FROM ("                                                      \
	" SELECT a.login AS login, coalesce(l.o, 0) AS o, coalesce(l.p, 0) AS p,"            \
	"  coalesce(l.b, 0) AS b FROM agents a LEFT JOIN l ON l.aid = a.id"                 \
	"  WHERE a.active = 1 OR l.aid IS NOT NULL"                                          \
	" UNION ALL SELECT NULL, o, p, b FROM l WHERE aid IS NULL) AS lr"                 \
	" ORDER BY login IS NULL, login" coll

void dash_load_list_free(struct dash_load_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].login);
	free(l->v);
	memset(l, 0, sizeof *l);
}

int store_dash_load(struct store *st, int64_t breach_before, struct dash_load_list *out,
		    struct derr *e)
{
	memset(out, 0, sizeof *out);
	struct stmt *s = st_prep2(st, LOAD_SQL(""), LOAD_SQL(" COLLATE \"C\""), e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, breach_before);
	int rc;
	while ((rc = st_step(s)) == ST_ROW) {
		xgrow((void **)&out->v, &out->cap, out->n + 1, sizeof *out->v);
		out->v[out->n++] = (struct dash_load){
			.login = col_text(s, 0),
			.open = col_int(s, 1),
			.pending = col_int(s, 2),
			.breaching = col_int(s, 3),
		};
	}
	st_done(s);
	if (rc != ST_DONE) {
		dash_load_list_free(out);
		return st_fail(st, e, "counting each agent's tickets");
	}
	return DESK_OK;
}

/* --- the risk list ------------------------------------------------------- */

/* The head of each open status's range of tickets_status (status,
 * coalesce(next_due, ...), -priority, id), merged: a walk of
 * tickets_urgency passed every pending ticket due earlier. */
#define RISK_HEAD(status)                                                          \
	"SELECT * FROM (SELECT t.id, t.next_due, t.priority, t.status, t.assignee_id,"     \
	" t.subject FROM tickets t WHERE t.status = '" status "'"                          \
	" AND t.next_due IS NOT NULL AND t.merged_into IS NULL"                             \
	" ORDER BY coalesce(t.next_due, 9223372036854775807), -t.priority, t.id LIMIT ?1)" \
	" AS head_" status

static const char risk_sql[] =
	"SELECT r.id, r.next_due, r.priority, r.status, a.login, r.subject FROM ("
	RISK_HEAD("new") " UNION ALL " RISK_HEAD("open") " UNION ALL " RISK_HEAD("on_hold")
	") r LEFT JOIN agents a ON a.id = r.assignee_id"
	" ORDER BY r.next_due, -r.priority, r.id LIMIT ?1";

void dash_risk_list_free(struct dash_risk_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].assignee);
		free(l->v[i].subject);
	}
	free(l->v);
	memset(l, 0, sizeof *l);
}

int store_dash_risk(struct store *st, int limit, struct dash_risk_list *out, struct derr *e)
{
	memset(out, 0, sizeof *out);
	struct stmt *s = st_prep(st, risk_sql, e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, limit > 0 ? limit : 10);
	int rc;
	while ((rc = st_step(s)) == ST_ROW) {
		int status = status_from_name(col_str(s, 3));
		xgrow((void **)&out->v, &out->cap, out->n + 1, sizeof *out->v);
		out->v[out->n++] = (struct dash_risk){
			.id = col_int(s, 0),
			.due = col_int(s, 1),
			.priority = (enum priority)col_int(s, 2),
			.status = status < 0 ? ST_OPEN : (enum status)status,
			.assignee = col_text(s, 4),
			.subject = col_text(s, 5),
		};
	}
	st_done(s);
	if (rc != ST_DONE) {
		dash_risk_list_free(out);
		return st_fail(st, e, "listing the tickets closest to breaching");
	}
	return DESK_OK;
}

/* --- per day ------------------------------------------------------------- */

/* A day [a, b)'s new tickets, and its first solves. */
#define CREATED_IN(a, b) \
	"t.created_at >= " a " AND t.created_at < " b " AND t.merged_into IS NULL"
#define SOLVED_IN(a, b)                                                         \
	"t.solved_at >= " a " AND t.first_solved_at >= " a " AND t.first_solved_at < " b \
	" AND t.merged_into IS NULL"

static const char created_sql[] =
	"SELECT count(*) FROM tickets t WHERE " CREATED_IN("?1", "?2");

static const char solved_sql[] =
	"SELECT count(*) FROM tickets t WHERE " SOLVED_IN("?1", "?2");

/* On PostgreSQL every day's two counts in one statement (?1 the days'
 * starts, ?2 their ends, as arrays): two statements a day were 28 round
 * trips of a 14-day dashboard, ~6 ms. */
static const char days_counts_pg[] =
	"SELECT d.i, (SELECT count(*) FROM tickets t WHERE " CREATED_IN("d.a", "d.b") "),"
	" (SELECT count(*) FROM tickets t WHERE " SOLVED_IN("d.a", "d.b") ")"
	" FROM unnest(CAST(?1 AS bigint[]), CAST(?2 AS bigint[])) WITH ORDINALITY AS d(a, b, i)";

/* The backlog at many instants x[0] <= ... <= x[n-1] in one statement.
 *
 * Asked one instant at a time (STATUS_AT per candidate ticket and day,
 * as the report does for one instant), a 14-day period re-read every
 * recently changed ticket's audit events 13 times.  Here each ticket's
 * events are read once and turned into the stretches of time during
 * which the per-instant rule would count it: the instants X it counts at
 * are those with created_at < X, open now or solved_at >= X, and
 * STATUS_AT(X) open.  STATUS_AT(X), for X <= updated_at, is the new
 * value of the last status event before X, else the old value of the
 * first one at or after X, else the timestamps' guess; so between two
 * consecutive events (by at, id) it is constant, and a stretch is
 *   (prev.at, e.at]  coalesce(prev.new_value, e.old_value, guess)
 *   (last.at, inf)   coalesce(last.new_value, guess)
 *   (-inf, inf)      guess, for a ticket without status events
 * cut at updated_at, after which the ticket's status now holds.  The
 * guess (closed_at < X: closed; solved_at < X: solved; else an open
 * status) counts up to min(closed_at, solved_at).  As instants are
 * integers, "a < X <= b" is "a + 1 <= X < b + 1": each stretch counted
 * becomes [L, H), a +1 at L and a -1 at H, and the backlog at x[i] is
 * the sum of the steps at or before it.  Each step is placed by a binary
 * search over the instants (DAYS_SLOTS bound parameters from ?4 on, the
 * unused ones "infinite") and the engine sums the steps per place; steps
 * after x[n-1] are dropped, and those at or before x[0] all land in
 * place 0.  The search (@B) is a tree of CASEs on SQLite (days_search);
 * on PostgreSQL width_bucket over the instants as one array: there the
 * tree, with the expression p stands for put in for each of its 127 p,
 * took the planner ~8 MB and 60-120 ms on a new connection (at 100k
 * tickets, on our loaded 2 cores), width_bucket 3 MB and 17-55 ms.
 *
 * Tickets not updated since x[0] need no events: an open one counts
 * from max(created_at, updated_at) on, a solved one never in the period.
 * ?2 is x[0] (so SOLVED_SINCE picks the tickets solved since the first
 * instant), ?3 is x[n-1].
 *
 * One text for both engines: flags compared with = 1, every subquery
 * named, the engines' differences marked (days_marks); SQLite's planner
 * hints go on PostgreSQL (pg_hints.h). */
#define DAYS_SLOTS 128
#define DAYS_FIRST_SLOT 4 /* the parameter number of x[0]'s slot */
#define INF "9223372036854775807"
#define OPEN_LIST "('new', 'open', 'pending', 'on_hold')"

/* The end of the guess's stretch for ticket row q: it counts while
 * neither closed_at nor solved_at is before X (@CLOSED: q's closed_at). */
#define GUESS_END "(@MIN(coalesce(@CLOSED, " INF " - 1), coalesce(q.s, " INF " - 1)) + 1)"

static const char backlog_days_tmpl[] =
	"WITH cand(id, c, u, s, cl, o) AS ("
	" SELECT t.id, t.created_at, t.updated_at, t.solved_at, t.closed_at, 1 FROM tickets t"
	"  WHERE " OPEN_NOW " AND t.merged_into IS NULL AND t.created_at < ?3"
	"  AND @UPDATED_SINCE"
	" UNION ALL SELECT t.id, t.created_at, t.updated_at, t.solved_at, @SOLVED_CL, 0"
	" FROM tickets t"
	"  WHERE " SOLVED_SINCE " AND t.merged_into IS NULL AND +t.created_at < ?3"
	"  AND +t.updated_at >= ?2),"
	/* Read twice: the tickets without status events, and the others. */
	" ev AS MATERIALIZED (SELECT k.*, e.at AS at, e.id AS eid, e.old_value AS ov,"
	"  e.new_value AS nv FROM cand k"
	"  LEFT JOIN events e ON e.ticket_id = k.id AND e.field = 'status'),"
	" seq AS (SELECT *, lag(at) OVER w AS pat, lag(nv) OVER w AS pnv,"
	"  CASE WHEN lead(at) OVER w IS NULL THEN 1 ELSE 0 END AS is_last FROM ev"
	"  WHERE at IS NOT NULL WINDOW w AS (PARTITION BY id ORDER BY at, eid)),"
	/* Stretches before each event: [L, H), counted if v is open. */
	" span(L, H) AS @MAT ("
	"  SELECT @MAX(coalesce(pat + 1, c + 1), c + 1), @MIN(at + 1, u + 1,"
	"   CASE WHEN o = 1 THEN " INF " ELSE s + 1 END,"
	"   CASE WHEN v IS NULL THEN " GUESS_END " ELSE " INF " END)"
	"  FROM (SELECT *, coalesce(pnv, ov) AS v FROM seq) q WHERE v IS NULL OR v IN " OPEN_LIST
	/* ...and after the last one (or from the start, without events) up
	 * to updated_at: A = [LA, HA), counted if fA; then the status now,
	 * counted if open now, joined to A when they touch (m). */
	"  UNION ALL SELECT CASE part WHEN 1 THEN LA ELSE @MAX(c, u) + 1 END,"
	"   CASE WHEN part = 1 AND NOT m THEN HA ELSE " INF " END"
	"  FROM (SELECT *, o = 1 AND fA AND HA = u + 1 AND LA < HA AS m FROM ("
	"   SELECT c, u, o, @MAX(coalesce(at + 1, c + 1), c + 1) AS LA,"
	"    @MIN(u + 1, CASE WHEN o = 1 THEN " INF " ELSE s + 1 END,"
	"     CASE WHEN nv IS NULL THEN " GUESS_END " ELSE " INF " END) AS HA,"
	"    nv IS NULL OR nv IN " OPEN_LIST " AS fA"
	"   FROM (SELECT * FROM seq WHERE is_last = 1 UNION ALL"
	"    SELECT *, NULL, NULL, 1 FROM ev WHERE at IS NULL) q) AS a1) AS a2"
	"  CROSS JOIN (SELECT 1 AS part UNION ALL SELECT 2) AS parts"
	"  WHERE CASE part WHEN 1 THEN fA ELSE o = 1 AND NOT m END),"
	" step(p, d) AS ("
	"  SELECT CASE WHEN d > 0 THEN L ELSE H END AS p, d FROM span"
	"  CROSS JOIN (SELECT 1 AS d UNION ALL SELECT -1) AS ds"
	"  WHERE L < H AND L <= ?3 AND H > ?2 AND CASE WHEN d > 0 THEN L ELSE H END <= ?3)"
	" SELECT b, sum(d) FROM (SELECT @B AS b, d FROM step) AS placed GROUP BY b"
	/* Open tickets not updated since x[0] count from
	 * max(created_at, updated_at) on: mostly before x[0], counted here
	 * without a trip through the sort above. */
	" UNION ALL SELECT 0, count(*) FROM tickets t WHERE " OPEN_NOW
	"  AND t.merged_into IS NULL AND t.created_at < ?2 AND +t.updated_at < ?2"
	" UNION ALL SELECT b, sum(d) FROM (SELECT @B AS b, 1 AS d FROM ("
	"  SELECT t.created_at + 1 AS p FROM tickets t WHERE " OPEN_NOW
	"  AND t.merged_into IS NULL AND t.created_at >= ?2 AND t.created_at < ?3"
	"  AND +t.updated_at < ?2) AS fresh) AS placed_fresh GROUP BY b";

/* How many of the slots [lo, lo + w) hold an instant < p (w a power of
 * 2; the slots ascend): halved at the last slot of the lower half. */
static void days_search(struct strbuf *b, int lo, int w)
{
	int at = DAYS_FIRST_SLOT + lo;
	if (w == 2) {
		sb_addf(b, "CASE WHEN p > ?%d THEN CASE WHEN p > ?%d THEN 2 ELSE 1 END ELSE 0 END",
			at, at + 1);
		return;
	}
	sb_addf(b, "CASE WHEN p > ?%d THEN %d + ", at + w / 2 - 1, w / 2);
	days_search(b, lo + w / 2, w / 2);
	sb_add(b, " ELSE ");
	days_search(b, lo, w / 2);
	sb_add(b, " END");
}

/* The same count on PostgreSQL: width_bucket gives how many of the
 * ascending thresholds are <= its operand, and the instants are
 * integers.  The array is a subquery so that a generic plan builds it
 * once, not once a step. */
static void days_bucket_pg(struct strbuf *b)
{
	sb_add(b, "width_bucket(p - 1, (SELECT ARRAY[");
	for (int i = 0; i < DAYS_SLOTS; i++)
		sb_addf(b, "%s?%d", i ? ", " : "", DAYS_FIRST_SLOT + i);
	sb_add(b, "]))");
}

/* What each engine reads for the marks in backlog_days_tmpl (NULL: the
 * search).  On PostgreSQL:
 *  - the scalar max and min are greatest and least (no argument here is
 *    ever NULL, where the two differ);
 *  - span is materialized: inlined into step, each stretch's bounds
 *    (and their subqueries) were copied into every use of L, H and p,
 *    3 MB for the planner where 2 do;
 *  - a solved ticket's closed_at comes with the ticket, where SQLite
 *    reads it from the ticket only for the few that need the guess, so
 *    that an index on solved_at may hold the rest (PostgreSQL reads the
 *    ticket's row anyway: its index holds no id);
 *  - the open tickets updated since x[0] are ranges of
 *    tickets_status_updated, where reading tickets_backlog (every open
 *    ticket) took 5 ms at 100k against 0.6, on a connection that has
 *    read both indexes before (a refresh); on a new one the gain is lost
 *    in the index's first reads. */
static const struct {
	const char *mark, *sqlite, *pg;
} days_marks[] = {
	{"@MAX(", "max(", "greatest("},
	{"@MIN(", "min(", "least("},
	{"@MAT ", "", "MATERIALIZED "},
	{"@SOLVED_CL", "NULL", "t.closed_at"},
	{"@UPDATED_SINCE", "+t.updated_at >= ?2", "-t.updated_at <= -?2"},
	{"@CLOSED",
	 "CASE WHEN q.o = 1 THEN q.cl ELSE (SELECT t.closed_at FROM tickets t WHERE t.id = q.id) END",
	 "q.cl"},
	{"@B", NULL, NULL},
};

/* backlog_days_tmpl for this engine (a new string). */
static char *backlog_days_sql(enum engine engine)
{
	struct strbuf search = {0}, b = {0};
	bool pg = engine == ENGINE_POSTGRESQL;
	if (pg)
		days_bucket_pg(&search);
	else
		days_search(&search, 0, DAYS_SLOTS);
	for (const char *p = backlog_days_tmpl; *p; p++) {
		size_t i = 0, len = 0;
		while (i < ARRAY_LEN(days_marks) &&
		       strncmp(p, days_marks[i].mark, len = strlen(days_marks[i].mark)) != 0)
			i++;
		if (i < ARRAY_LEN(days_marks)) {
			const char *with = pg ? days_marks[i].pg : days_marks[i].sqlite;
			sb_add(&b, with ? with : sb_str(&search));
			p += len - 1;
		} else {
			sb_addc(&b, *p);
		}
	}
	sb_free(&search);
	char *sql = sb_take(&b);
	if (!pg)
		return sql;
	char *plain = pg_drop_hints(sql);
	free(sql);
	return plain;
}

/* x holds n ascending instants, n <= DAYS_SLOTS; backlog[i] gets the
 * backlog at x[i]. */
static int backlog_at_each(struct store *st, const int64_t *x, size_t n, int64_t *backlog,
			   struct derr *e)
{
	char *sql = backlog_days_sql(st_engine(st));
	struct stmt *s = st_prep(st, sql, e);
	free(sql);
	if (!s)
		return derr_code(e);
	bind_int(s, 2, x[0]);
	bind_int(s, 3, x[n - 1]);
	for (size_t i = 0; i < DAYS_SLOTS; i++)
		bind_int(s, DAYS_FIRST_SLOT + (int)i, i < n ? x[i] : INT64_MAX);
	int64_t per[DAYS_SLOTS] = {0};
	int rc;
	while ((rc = st_step(s)) == ST_ROW) {
		int64_t b = col_int(s, 0);
		if (b >= 0 && (size_t)b < n)
			per[b] += col_int(s, 1);
	}
	st_done(s);
	if (rc != ST_DONE)
		return st_fail(st, e, "counting the backlog of each day");
	int64_t sum = 0;
	for (size_t i = 0; i < n; i++)
		backlog[i] = sum += per[i];
	return DESK_OK;
}

/* The count a statement gives for [a, b). */
static int count_in(struct store *st, const char *sql, int64_t a, int64_t b, int64_t *n,
		    struct derr *e)
{
	struct stmt *s = st_prep(st, sql, e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, a);
	bind_int(s, 2, b);
	int rc = st_step(s);
	*n = rc == ST_ROW ? col_int(s, 0) : 0;
	st_done(s);
	return rc == ST_ROW ? DESK_OK : st_fail(st, e, "counting the tickets of a day");
}

/* Day i's bounds [start, end): the next day's start, or until. */
static int64_t day_end(const struct dash_day *days, size_t n, size_t i, int64_t until)
{
	return i + 1 < n ? days[i + 1].start : until;
}

/* The n days' counts of new tickets and first solves in one statement
 * (PostgreSQL; days_counts_pg). */
static int days_counts_one(struct store *st, struct dash_day *days, size_t n, int64_t until,
			   struct derr *e)
{
	struct strbuf a = {0}, b = {0};
	size_t *which = xcalloc(n + 1, sizeof *which), m = 0;
	for (size_t i = 0; i < n; i++) {
		int64_t end = day_end(days, n, i, until);
		if (days[i].start >= end)
			continue;
		sb_addf(&a, "%s%" PRId64, m ? "," : "{", days[i].start);
		sb_addf(&b, "%s%" PRId64, m ? "," : "{", end);
		which[m++] = i;
	}
	int rc = DESK_OK;
	if (m > 0) {
		sb_add(&a, "}");
		sb_add(&b, "}");
		struct stmt *s = st_prep(st, days_counts_pg, e);
		if (!s) {
			rc = derr_code(e);
		} else {
			bind_text(s, 1, sb_str(&a));
			bind_text(s, 2, sb_str(&b));
			while ((rc = st_step(s)) == ST_ROW) {
				int64_t k = col_int(s, 0) - 1; /* ORDINALITY counts from 1 */
				if (k >= 0 && (size_t)k < m) {
					days[which[k]].created = col_int(s, 1);
					days[which[k]].solved = col_int(s, 2);
				}
			}
			st_done(s);
			rc = rc == ST_DONE ? DESK_OK
					   : st_fail(st, e, "counting the tickets of each day");
		}
	}
	sb_free(&a);
	sb_free(&b);
	free(which);
	return rc;
}

/* The per-day backlog statement's events lookups (a few thousand index
 * probes, all in cache) are costed as reads from disk, which makes
 * PostgreSQL plan them over parallel workers: starting those cost more
 * than the statement's whole serial run (at 100k tickets, 15-25 ms
 * serial against 50-200 ms parallel on our loaded 2 cores).  The
 * setting lasts until the snapshot ends; called outside a transaction,
 * it lasts only for its own statement, and the plan is merely slower. */
static int no_parallel_workers(struct store *st, struct derr *e)
{
	struct stmt *s = st_prep(
		st, "SELECT set_config('max_parallel_workers_per_gather', '0', true)", e);
	if (!s)
		return derr_code(e);
	int rc = st_step(s);
	st_done(s);
	return rc == ST_ROW ? DESK_OK : st_fail(st, e, "setting up the count of each day");
}

int store_dash_days(struct store *st, struct dash_day *days, size_t n, int64_t until,
		    int64_t now, struct derr *e)
{
	bool pg = st_engine(st) == ENGINE_POSTGRESQL;
	for (size_t i = 0; i < n; i++)
		days[i].created = days[i].solved = days[i].backlog = 0;
	int rc = DESK_OK;
	if (pg) {
		rc = days_counts_one(st, days, n, until, e);
		if (!rc)
			rc = no_parallel_workers(st, e);
	}
	/* The days with a backlog to count (ended, or begun before now) and
	 * their instants, ascending as the days are, DAYS_SLOTS at a time. */
	size_t which[DAYS_SLOTS];
	int64_t x[DAYS_SLOTS], backlog[DAYS_SLOTS];
	size_t nx = 0;
	for (size_t i = 0; rc == DESK_OK && i <= n; i++) {
		if (nx > 0 && (nx == DAYS_SLOTS || i == n)) {
			if ((rc = backlog_at_each(st, x, nx, backlog, e)))
				break;
			for (size_t k = 0; k < nx; k++)
				days[which[k]].backlog = backlog[k];
			nx = 0;
		}
		if (i == n)
			break;
		struct dash_day *d = &days[i];
		int64_t end = day_end(days, n, i, until);
		int64_t at = end < now ? end : now;
		if (d->start >= end)
			continue;
		if (!pg && ((rc = count_in(st, created_sql, d->start, end, &d->created, e)) ||
			    (rc = count_in(st, solved_sql, d->start, end, &d->solved, e))))
			break;
		if (at > d->start) {
			which[nx] = i;
			x[nx++] = at;
		}
	}
	return rc;
}
