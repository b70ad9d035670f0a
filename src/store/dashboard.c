/* dashboard.c: the counts behind the console's supervisor dashboard.
 *
 * Every figure is an aggregate computed by SQLite over an index range:
 *   - open tickets now: tickets_backlog, a partial index of the open
 *     tickets holding what the backlog reads (OPEN_NOW, internal.h);
 *   - a day's new tickets: a range of tickets_created; a day's first
 *     solves: a range of tickets_solved (solved_at >= first_solved_at);
 *   - the backlog at a day's end: the tickets open now or solved since
 *     then, with the status they had at that instant read from the audit
 *     events (STATUS_AT, the report's rule too);
 *   - the risk list: the head of tickets_urgency.
 * Nothing but the counts and the few rows shown comes back.  The SQL is
 * fixed text; every value is a bound parameter. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "metrics.h"
#include "util.h"

#define OPEN_TICKETS(cols) "SELECT " cols " FROM tickets t WHERE " OPEN_NOW \
	" AND t.merged_into IS NULL"

static const char backlog_sql[] =
	"SELECT st, p, count(*),"
	" count(CASE WHEN age < 86400 THEN 1 END),"
	" count(CASE WHEN age >= 86400 AND age < 259200 THEN 1 END),"
	" count(CASE WHEN age >= 259200 AND age < 604800 THEN 1 END),"
	" count(CASE WHEN age >= 604800 THEN 1 END)"
	" FROM (" OPEN_TICKETS("t.status AS st, t.priority AS p, ?1 - t.created_at AS age")
	") GROUP BY st, p";

int store_dash_backlog(struct store *st, int64_t now, struct dash_backlog *out,
		       struct derr *e)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *s = st_prep(st, backlog_sql, e);
	if (!s)
		return e ? e->code : DESK_EIO;
	sqlite3_bind_int64(s, 1, now);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int status = status_from_name((const char *)sqlite3_column_text(s, 0));
		int64_t p = col_int(s, 1), n = col_int(s, 2);
		if (status < 0 || status > ST_ON_HOLD || p < 0 || p >= PRIO__COUNT)
			continue; /* CHECK constraints make this impossible */
		out->by[status][p] += n;
		out->total += n;
		for (int i = 0; i < AGE__COUNT; i++)
			out->age[i] += col_int(s, 3 + i);
	}
	st_done(s);
	return rc == SQLITE_DONE ? DESK_OK : st_fail(st, e, "counting the backlog");
}

/* --- load per agent ------------------------------------------------------ */

static const char load_sql[] =
	"WITH l AS (SELECT aid, count(CASE WHEN st <> 'pending' THEN 1 END) AS o,"
	" count(CASE WHEN st = 'pending' THEN 1 END) AS p,"
	" count(CASE WHEN st <> 'pending' AND due < ?1 THEN 1 END) AS b"
	" FROM (" OPEN_TICKETS("t.assignee_id AS aid, t.status AS st, t.next_due AS due")
	") GROUP BY aid)"
	" SELECT login, o, p, b FROM ("
	" SELECT a.login AS login, coalesce(l.o, 0) AS o, coalesce(l.p, 0) AS p,"
	"  coalesce(l.b, 0) AS b FROM agents a LEFT JOIN l ON l.aid = a.id"
	"  WHERE a.active OR l.aid IS NOT NULL"
	" UNION ALL SELECT NULL, o, p, b FROM l WHERE aid IS NULL)"
	" ORDER BY login IS NULL, login";

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
	sqlite3_stmt *s = st_prep(st, load_sql, e);
	if (!s)
		return e ? e->code : DESK_EIO;
	sqlite3_bind_int64(s, 1, breach_before);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		xgrow((void **)&out->v, &out->cap, out->n + 1, sizeof *out->v);
		out->v[out->n++] = (struct dash_load){
			.login = col_text(s, 0),
			.open = col_int(s, 1),
			.pending = col_int(s, 2),
			.breaching = col_int(s, 3),
		};
	}
	st_done(s);
	if (rc != SQLITE_DONE) {
		dash_load_list_free(out);
		return st_fail(st, e, "counting each agent's tickets");
	}
	return DESK_OK;
}

/* --- the risk list ------------------------------------------------------- */

/* ORDER BY is tickets_urgency's own expression: SQLite walks the index
 * and stops after `limit` matching rows. */
static const char risk_sql[] =
	"SELECT t.id, t.next_due, t.priority, t.status, a.login, t.subject"
	" FROM tickets t LEFT JOIN agents a ON a.id = t.assignee_id"
	" WHERE t.next_due IS NOT NULL AND t.status IN ('new', 'open', 'on_hold')"
	" AND t.merged_into IS NULL"
	" ORDER BY coalesce(t.next_due, 9223372036854775807), -t.priority, t.id LIMIT ?1";

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
	sqlite3_stmt *s = st_prep(st, risk_sql, e);
	if (!s)
		return e ? e->code : DESK_EIO;
	sqlite3_bind_int(s, 1, limit > 0 ? limit : 10);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int status = status_from_name((const char *)sqlite3_column_text(s, 3));
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
	if (rc != SQLITE_DONE) {
		dash_risk_list_free(out);
		return st_fail(st, e, "listing the tickets closest to breaching");
	}
	return DESK_OK;
}

/* --- per day ------------------------------------------------------------- */

static const char created_sql[] =
	"SELECT count(*) FROM tickets t WHERE t.created_at >= ?1 AND t.created_at < ?2"
	" AND t.merged_into IS NULL";

static const char solved_sql[] =
	"SELECT count(*) FROM tickets t WHERE t.solved_at >= ?1 AND t.first_solved_at >= ?1"
	" AND t.first_solved_at < ?2 AND t.merged_into IS NULL";

#define BACKLOG_CAND(cond)                                                   \
	"SELECT " STATUS_AT " AS st FROM tickets t WHERE " cond                \
	" AND +t.created_at < ?2 AND t.merged_into IS NULL"

/* ?2 is the instant (count_in binds ?1 too: an unused index is ignored). */
static const char backlog_at_sql[] =
	"SELECT count(*) FROM ("
	BACKLOG_CAND(OPEN_NOW) " UNION ALL " BACKLOG_CAND(SOLVED_SINCE)
	") WHERE st IN ('new', 'open', 'pending', 'on_hold')";

/* The count a statement gives for [a, b). */
static int count_in(struct store *st, const char *sql, int64_t a, int64_t b, int64_t *n,
		    struct derr *e)
{
	sqlite3_stmt *s = st_prep(st, sql, e);
	if (!s)
		return e ? e->code : DESK_EIO;
	sqlite3_bind_int64(s, 1, a);
	sqlite3_bind_int64(s, 2, b);
	int rc = sqlite3_step(s);
	*n = rc == SQLITE_ROW ? col_int(s, 0) : 0;
	st_done(s);
	return rc == SQLITE_ROW ? DESK_OK : st_fail(st, e, "counting the tickets of a day");
}

int store_dash_days(struct store *st, struct dash_day *days, size_t n, int64_t until,
		    int64_t now, struct derr *e)
{
	int rc = DESK_OK;
	for (size_t i = 0; rc == DESK_OK && i < n; i++) {
		struct dash_day *d = &days[i];
		int64_t end = i + 1 < n ? days[i + 1].start : until;
		int64_t at = end < now ? end : now;
		d->created = d->solved = d->backlog = 0;
		if (d->start >= end)
			continue;
		if ((rc = count_in(st, created_sql, d->start, end, &d->created, e)) ||
		    (rc = count_in(st, solved_sql, d->start, end, &d->solved, e)))
			break;
		if (at > d->start)
			rc = count_in(st, backlog_at_sql, 0, at, &d->backlog, e);
	}
	return rc;
}
