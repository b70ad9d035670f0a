/* report.h: desk report's figures, for supervisors and admins (core/).
 *
 * A report is read in one snapshot: core_report_open computes the
 * figures, the breaches and the JSON are read from the same snapshot,
 * and core_report_close ends it.  Every definition is in desk-report(1). */
#ifndef DESK_REPORT_H
#define DESK_REPORT_H

#include <stdint.h>

#include "core.h"
#include "metrics.h"

#define REPORT_DEFAULT_DAYS 30

struct report_opts {
	int64_t since; /* 0: until - 30 days */
	int64_t until; /* 0: now */
	enum metrics_by by;
};

/* Agents get DESK_EDENIED "reports are for supervisors and admins". */
int core_report_allowed(const struct desk *d, struct derr *e);
/* Where reports and the dashboard read: the config's report_database
 * (a streaming replica; opened read-only the first time), else the
 * database itself. */
int core_report_store(struct desk *d, struct store **st, struct derr *e);

/* Computes the period's figures into m (freed by core_report_close,
 * also on failure) and derives the ratios. */
int core_report_open(struct desk *d, const struct report_opts *o, struct metrics *m,
		     struct derr *e);
/* The period's SLA breaches by due time, the first `limit` (0: all). */
int core_report_breaches(struct desk *d, const struct metrics *m, int64_t limit,
			 int (*fn)(void *ctx, const struct sla_breach *b), void *ctx,
			 struct derr *e);
/* The figures, the breaches and "time_spent" as one JSON document. */
int core_report_json(struct desk *d, const struct metrics *m, char **json, struct derr *e);
/* Time spent in m's period (entries made in it), the total or broken
 * down by the entry's agent, the ticket's queue or channel: per group
 * tickets, entries, seconds and the median per ticket.  out is zeroed
 * first; time_groups_free it. */
int core_report_time(struct desk *d, const struct metrics *m, enum time_by by,
		     struct time_groups *out, struct derr *e);
/* How often each knowledge base article was used in replies sent in
 * the period, most used first (same snapshot). */
int core_report_kb_uses(struct desk *d, const struct metrics *m, struct kb_use_counts *out,
			struct derr *e);
void core_report_close(struct desk *d, struct metrics *m);

/* The ratios of one group from its counts (NAN when undefined). */
void report_derive(struct metric_group *g);

/* --- the console's dashboard (src/core/dashboard.c) --------------------- */
#define DASH_DEFAULT_DAYS 14
#define DASH_MAX_DAYS 90
#define DASH_RISK_ROWS 10
/* "Breaching" in the load per agent: past due or due within this, as in
 * the built-in view "breaching" (due-within:4h). */
#define DASH_BREACH_SECONDS (4 * 3600)

struct dashboard {
	int64_t now;
	int ndays;              /* the period: the last ndays local days, today included */
	struct dash_day *days;  /* ndays of them, oldest first */
	struct dash_backlog backlog;
	struct dash_load_list load;
	struct dash_risk_list risk;
};
/* Supervisors and admins only (DESK_EDENIED as for reports).  Reads every
 * figure in one snapshot; days are local calendar days (1 to 90).  out is
 * filled even on failure, for dashboard_free. */
int core_dashboard(struct desk *d, int ndays, struct dashboard *out, struct derr *e);
void dashboard_free(struct dashboard *db);

#endif
