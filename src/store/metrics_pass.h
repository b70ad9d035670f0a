/* metrics_pass.h: what one pass of the report over its rows collects
 * (src/store/metrics_pass.c), for metrics.c's SQL functions.
 *
 * A pass is one statement over the period's tickets (or surveys) whose
 * aggregate function hands each row to C: the row's group is found by
 * its key in a hash (no GROUP BY, so SQLite sorts nothing), its counts
 * are added to the total and to the group at once, and the durations
 * the distributions need are kept, one int64 per ticket, so that their
 * medians and p90s are picked out by selection afterwards instead of
 * read off a sorted index or a sort per group. */
#ifndef DESK_METRICS_PASS_H
#define DESK_METRICS_PASS_H
#include <sqlite3.h>
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
int metrics_pass_targets(struct metrics_pass *p, sqlite3_value *key, struct metric_group **g,
			 struct dist_vals **d);
/* Writes each distribution's figures into m's groups and the total
 * (frt_business only when `business`), then frees what p collected. */
void metrics_pass_finish(struct metrics_pass *p, bool business);
void metrics_pass_free(struct metrics_pass *p);

#endif
