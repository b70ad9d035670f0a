/* metrics.h: the store's side of SLA clocks and supervisors' figures.
 *
 * Every figure is counted by SQLite over index ranges (tickets created in
 * the period, first solved in it, open at its end, surveys answered in
 * it), from what each ticket row keeps of its messages (schema version
 * 6), in one pass over each index range; of a ticket only its durations
 * are kept, for the medians and p90s.  What comes back is one row of
 * counts, medians and p90s per group.  The definitions are in
 * desk-report(1); core/report.c derives the ratios from these counts. */
#ifndef DESK_METRICS_H
#define DESK_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "model.h"
#include "store.h"

/* --- SLA facts of one ticket (src/store/sla_store.c) -------------------- */
struct sla_facts {
	int64_t first_customer_at; /* first customer message; 0: none (outbound) */
	/* The oldest non-automatic customer message after the latest public
	 * reply; 0 when there is none or nobody replied yet. */
	int64_t awaiting_since;
};
int store_sla_facts(struct store *st, int64_t ticket_id, struct sla_facts *f, struct derr *e);

/* --- metrics (src/store/metrics.c) -------------------------------------- */
enum metrics_by { BY_NONE, BY_AGENT, BY_QUEUE, BY_CHANNEL, BY_PRIORITY, BY_TAG, BY__COUNT };
const char *metrics_by_name(enum metrics_by b); /* "none", "agent", ... */
/* A group's name for people and for the JSON and CSV: "(unassigned)"
 * and "(untagged)" for the tickets without; NULL (the total) stays
 * NULL. */
const char *metrics_group_label(enum metrics_by b, const char *key);
int metrics_by_from_name(const char *s);        /* -1 when unknown */

/* Business seconds between two instants, supplied by core/ so that the
 * store keeps no business logic; the report calls it once per answered
 * ticket. */
typedef int64_t (*business_seconds_fn)(void *ctx, int64_t a, int64_t b);

struct metrics_query {
	int64_t since, until; /* [since, until), UTC seconds */
	int64_t now;          /* what "not yet answered" is measured against */
	enum metrics_by by;
	business_seconds_fn business; /* NULL: no business-time figures */
	void *business_ctx;
};

/* A distribution of durations in seconds; n == 0: no values (and the
 * other fields are 0).  median: the middle value or the mean of the two
 * middle ones; p90: the ceil(0.9 n)-th smallest. */
struct metric_dist {
	int64_t n;
	double median, p90, mean;
};

enum { AGE_UNDER_1D, AGE_1D_3D, AGE_3D_7D, AGE_OVER_7D, AGE__COUNT };

struct metric_group {
	char *key; /* NULL: everything; "" in a breakdown: no agent / no tag */
	/* Tickets created in the period. */
	int64_t created, inbound, answered; /* inbound: with a customer message */
	struct metric_dist frt, frt_business;
	int64_t fr_met, fr_breached, res_met, res_breached; /* SLA */
	/* Tickets first solved in the period. */
	int64_t solved, fcr, reopened;
	struct metric_dist first_resolution, full_resolution;
	/* Open at the end of the period. */
	int64_t backlog, backlog_age[AGE__COUNT], backlog_status[ST_ON_HOLD + 1],
		backlog_priority[PRIO__COUNT];
	/* Surveys answered in the period. */
	int64_t csat_n, csat_satisfied, ces_n, ces_sum, nps_n, nps_promoters, nps_passives,
		nps_detractors;
	/* Derived by core/report.c; NAN when the denominator is 0. */
	double fcr_pct, reopen_pct, resolution_rate_pct, fr_sla_pct, res_sla_pct, csat, ces,
		nps;
};

struct metrics {
	struct metrics_query q;
	struct metric_group total;
	struct metric_group *groups; /* sorted by key; empty without a breakdown */
	size_t n, cap;
};
void metrics_free(struct metrics *m);

/* A read transaction, so that every figure, the breaches and the JSON
 * of one report see the same snapshot of the database. */
int store_read_begin(struct store *st, struct derr *e);
void store_read_end(struct store *st);

/* Fills m (zeroed first) with the figures of q's period: the total and,
 * with q->by, one group per key seen in any of the figures.  It also
 * defines the SQL functions store_sla_breaches and store_metrics_json
 * use on this connection. */
int store_metrics(struct store *st, const struct metrics_query *q, struct metrics *m,
		  struct derr *e);

/* One SLA breach of a ticket created in the period. */
struct sla_breach {
	int64_t ticket_id;
	const char *target; /* "first_response" or "resolution" */
	int64_t due;
	int64_t done_at;    /* answered / first solved; 0: not yet */
	enum priority priority;
	const char *queue;
	const char *assignee; /* NULL: unassigned */
};
/* Calls fn for each breach of m's period, by due time, the first
 * `limit` only when limit > 0 (there are m->total.fr_breached +
 * res_breached in all); a non-zero return stops the walk and is
 * returned.  After store_metrics on this connection. */
int store_sla_breaches(struct store *st, const struct metrics *m, int64_t limit,
		       int (*fn)(void *ctx, const struct sla_breach *b), void *ctx,
		       struct derr *e);

/* The whole report as one JSON document built by SQLite's JSON functions
 * (field names in desk-report(1)), after store_metrics.  New string. */
int store_metrics_json(struct store *st, const struct metrics *m, char **json,
		       struct derr *e);
/* The same in two steps, so that parts added to the document in between
 * (json_set) are added to a small one: every figure with "breaches"
 * left empty, then every breach of m's period filled in (*json
 * replaced). */
int store_metrics_json_figures(struct store *st, const struct metrics *m, char **json,
			       struct derr *e);
int store_metrics_json_breaches(struct store *st, const struct metrics *m, char **json,
				struct derr *e);

/* --- the supervisors' dashboard (src/store/dashboard.c) ------------------
 * Counts for the console's dashboard, each one aggregate statement over
 * index ranges (open tickets by status, a day of tickets_created or
 * tickets_solved, the heads of tickets_status, the backlog of every day
 * of the period at once); only the few rows shown are returned.  "Open" means new, open, pending or on_hold. */

/* Tickets open now, by status (new .. on_hold) and priority, and by age
 * (now - created: < 1 day, 1-3 days, 3-7 days, >= 7 days). */
struct dash_backlog {
	int64_t total;
	int64_t by[ST_ON_HOLD + 1][PRIO__COUNT];
	int64_t age[AGE__COUNT];
};
int store_dash_backlog(struct store *st, int64_t now, struct dash_backlog *out,
		       struct derr *e);

/* Load per agent: open (new, open, on_hold), pending, and breaching:
 * open ones whose next SLA due time is before `breach_before` (already
 * late, or due soon).  Every active agent, then any inactive one still
 * holding tickets, by login; last the unassigned tickets (login NULL)
 * when there are any. */
struct dash_load {
	char *login;
	int64_t open, pending, breaching;
};
struct dash_load_list {
	struct dash_load *v;
	size_t n, cap;
};
void dash_load_list_free(struct dash_load_list *l);
int store_dash_load(struct store *st, int64_t breach_before, struct dash_load_list *out,
		    struct derr *e);

/* The SLA risk list: the `limit` open tickets (not pending: their clock
 * is stopped) whose next SLA due time comes first, overdue ones first. */
struct dash_risk {
	int64_t id, due;
	enum priority priority;
	enum status status;
	char *assignee; /* NULL: unassigned */
	char *subject;  /* untrusted */
};
struct dash_risk_list {
	struct dash_risk *v;
	size_t n, cap;
};
void dash_risk_list_free(struct dash_risk_list *l);
int store_dash_risk(struct store *st, int limit, struct dash_risk_list *out, struct derr *e);

/* One day of the period: the caller sets start (ascending; days may be
 * 23 or 25 hours long across a DST change); day i ends where day i + 1
 * starts, the last at `until`.  Filled in: tickets created in the day,
 * tickets first solved in it (as desk report counts "solved"), and the
 * backlog at its end (or at `now` for a day not over yet), reconstructed
 * from the audit events exactly as the report's backlog is. */
struct dash_day {
	int64_t start;
	int64_t created, solved, backlog;
};
int store_dash_days(struct store *st, struct dash_day *days, size_t n, int64_t until,
		    int64_t now, struct derr *e);

#endif
