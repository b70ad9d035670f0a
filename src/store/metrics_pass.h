/* metrics_pass.h: what one pass of the report over its rows collects
 * (src/store/metrics_pass.c, metrics_rows.c), for metrics.c's SQL
 * functions on SQLite and metrics_pg.c's rows on PostgreSQL.
 *
 * A pass is one statement over the period's tickets (or surveys) that
 * hands each row to C (SQLite: an aggregate function; PostgreSQL: one
 * row per group, its counts summed by the server and its durations as
 * arrays, metrics_pg.c): the row's group is found by
 * its key in a hash (no GROUP BY, so SQLite sorts nothing), its counts
 * are added to the total and to the group at once, and the durations
 * the distributions need are kept, one int64 per ticket, so that their
 * medians and p90s are picked out by selection afterwards instead of
 * read off a sorted index or a sort per group. */
#ifndef DESK_METRICS_PASS_H
#define DESK_METRICS_PASS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "metrics.h"

/* The values of one distribution of one group, and their sum (the
 * mean's numerator).  DIST_NULL stands for a NULL duration: it ranks
 * below every value, as SQLite sorts NULL first, and reads as 0. */
#define DIST_NULL INT64_MIN
struct dist_vals {
	int64_t *v;
	size_t n, cap;
	int64_t sum;
};
enum { DV_FRT, DV_FRT_BUSINESS, DV_FIRST_RES, DV_FULL_RES, DV__COUNT };

void dist_vals_push(struct dist_vals *d, int64_t x);
/* n, median, p90 and mean of the values (reordered in place: the
 * selection moves them), as struct metric_dist defines them. */
void dist_vals_result(struct dist_vals *d, struct metric_dist *out);
void dist_vals_free(struct dist_vals *d);

struct metrics_pass {
	struct metrics *m;
	enum metrics_by by; /* the breakdown this pass feeds; BY_NONE: none */
	bool total;         /* it also feeds the total */
	business_seconds_fn business; /* NULL: no business-time figures */
	void *business_ctx;
	/* One dist_vals[DV__COUNT] per group of m (same index) and for
	 * the total. */
	struct dist_vals total_d[DV__COUNT];
	struct dist_vals (*group_d)[DV__COUNT];
	size_t group_d_cap;
	/* key -> group index + 1 (0: empty slot); nslots a power of 2. */
	uint32_t *slots;
	size_t nslots;
};

/* The groups a row with this key counts in: the total and/or its
 * group, at most two, as (group, values) pairs valid until the next
 * call.  Returns how many. */
int metrics_pass_targets(struct metrics_pass *p, const char *key, struct metric_group **g,
			 struct dist_vals **d);
/* Writes each distribution's figures into m's groups and the total
 * (frt_business only when `business`), then frees what p collected. */
void metrics_pass_finish(struct metrics_pass *p, bool business);
void metrics_pass_free(struct metrics_pass *p);

/* --- the rows (metrics_rows.c) --------------------------------------------
 * Each pass's row as both engines hand it over: a column is an integer
 * or SQL NULL. */
struct opt_i64 {
	int64_t v;
	bool null;
};

/* SLA verdicts.  A first response is met when the first answer came by
 * its due time; breached when it came later, or has not come and was
 * due before now; open otherwise.  Tickets without a customer message
 * (outbound) or without a due time have none.  Resolution likewise with
 * the first solve, except that a ticket pending now has its clock
 * stopped: it is breached only if it was already late when the pause
 * began.  PostgreSQL's breach list and its report's counts (metrics.c)
 * say the same rule in SQL (PG_FR_MET and the others below); the unit
 * tests hold both engines to the same lists and figures. */
enum verdict { V_NONE, V_MET, V_BREACHED, V_OPEN };
/* (first customer message, first answer, due, now) */
enum verdict fr_verdict(const struct opt_i64 a[4]);
/* (first solve, due, pending since, now) */
enum verdict res_verdict(const struct opt_i64 a[4]);

/* The columns of a created row after its key: FR_ARGS then RES_ARGS
 * (metrics.c). */
#define CREATED_COLS 8
void pass_created(struct metrics_pass *p, const char *key, const struct opt_i64 a[CREATED_COLS]);
/* (created, first solved, last solved, reopens, replies to the first
 * solve) */
#define SOLVED_COLS 5
void pass_solved(struct metrics_pass *p, const char *key, const struct opt_i64 a[SOLVED_COLS]);
void pass_survey(struct metrics_pass *p, const char *key, const char *kind, int64_t score);
void pass_backlog(struct metrics_pass *p, const char *key, int64_t age, const char *status,
		  int64_t priority);

/* PostgreSQL's rows (metrics_pg.c): a group's tickets at once, its
 * counts summed by the server (the verdicts by PG_FR_MET and the others
 * below), its durations as they are, for the same distributions. */
struct created_sums {
	int64_t created, inbound, answered, fr_met, fr_breached, res_met, res_breached;
};
/* frt[n]: the first response times of the answered tickets; fca[n]
 * their first customer messages (for business time), or NULL. */
void pass_created_sums(struct metrics_pass *p, const char *key, const struct created_sums *c,
		       const int64_t *frt, const int64_t *fca, size_t n);
/* first[n], full[n]: the durations to the first and the last solve
 * (DIST_NULL for none) of the group's solved tickets. */
void pass_solved_sums(struct metrics_pass *p, const char *key, int64_t fcr, int64_t reopened,
		      const int64_t *first, const int64_t *full, size_t n);

/* The passes (metrics.c): SQLite's aggregate function, the columns it
 * takes (@K the group's key first), and the rest of the statement;
 * PostgreSQL's columns and rest (NULL: the same) and what follows
 * there (its GROUP BY). */
enum pass_kind { PASS_CREATED, PASS_SOLVED, PASS_SURVEYS, PASS_BACKLOG, PASS__COUNT };
struct pass_sql {
	const char *fn, *cols, *from;
	const char *pg_cols, *pg_from, *pg_group;
};

/* metrics_pg.c: steps s, a pass's PostgreSQL rows, to its end, feeding
 * p; then st_done. */
struct store;
struct stmt;
struct derr;
int metrics_pg_feed(struct store *st, struct stmt *s, enum pass_kind k, struct metrics_pass *p,
		    struct derr *e);

/* The verdicts of metrics_rows.c in PostgreSQL's SQL, for ticket t and
 * now ?3: whether the first response, the resolution was met, breached
 * (NULL reads as neither, as in a FILTER or WHERE). */
#define PG_FR_MET                                                             \
	"(t.first_customer_at IS NOT NULL AND t.first_answer_at <= t.first_response_due)"
#define PG_RES_MET "(t.first_solved_at <= t.resolution_due)"
#define PG_FR_BREACHED                                                                  \
	"(t.first_customer_at IS NOT NULL AND t.first_response_due IS NOT NULL AND CASE"   \
	" WHEN t.first_answer_at IS NOT NULL THEN t.first_answer_at > t.first_response_due" \
	" ELSE t.first_response_due < ?3 END)"
#define PG_RES_BREACHED                                                                 \
	"(t.resolution_due IS NOT NULL AND CASE"                                            \
	" WHEN t.first_solved_at IS NOT NULL THEN t.first_solved_at > t.resolution_due"     \
	" ELSE t.resolution_due < coalesce(t.pending_since, ?3) END)"

#endif
