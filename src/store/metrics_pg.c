/* metrics_pg.c: the report's passes on PostgreSQL.  There is no
 * aggregate function in C there, so the server sums what sums (the
 * counts, the SLA verdicts in SQL: metrics_pass.h) and hands back, per
 * group, the durations the distributions need as arrays; each row goes
 * to metrics_rows.c, where SQLite's functions also end, for the same
 * medians, p90s and means.  A row per ticket (9 columns of text, 100k
 * rows for two years of 100k tickets) cost the report ~300 ms to send
 * and read; the arrays cost ~30 ms of the server's time a pass.
 *
 * The backlog's rows stay one per ticket open at the end (their age,
 * status then and priority: few, and each its own bucket in C). */
#include <stdlib.h>

#include "internal.h"
#include "metrics_pass.h"
#include "util.h"

/* An int8[] column in PostgreSQL's text form ({1,-2,NULL}), its
 * elements into a (grown as needed), NULL as DIST_NULL; a NULL column
 * (array_agg of no row) has none.  Returns how many, or -1 when the
 * text is not such an array. */
static ptrdiff_t int_array(struct stmt *s, int i, int64_t **a, size_t *cap)
{
	const char *v = col_str(s, i);
	size_t n = 0;
	if (!v)
		return 0;
	if (*v++ != '{')
		return -1;
	if (*v == '}')
		return 0;
	for (;;) {
		if (n == *cap) {
			*cap = *cap ? 2 * *cap : 1024;
			*a = xrealloc(*a, *cap * sizeof **a);
		}
		char *end;
		if (v[0] == 'N' && v[1] == 'U' && v[2] == 'L' && v[3] == 'L') {
			(*a)[n++] = DIST_NULL;
			end = (char *)v + 4;
		} else {
			(*a)[n++] = strtoll(v, &end, 10);
			if (end == v)
				return -1;
		}
		if (*end == '}')
			return (ptrdiff_t)n;
		if (*end != ',')
			return -1;
		v = end + 1;
	}
}

/* The arrays of a row, reused from row to row. */
struct arrays {
	int64_t *v[2];
	size_t cap[2];
};

/* The array column i as ar->v[w], which must hold n elements. */
static bool array_of(struct stmt *s, int i, struct arrays *ar, int w, int64_t n)
{
	return int_array(s, i, &ar->v[w], &ar->cap[w]) == n;
}

static bool feed_row(struct stmt *s, enum pass_kind k, struct metrics_pass *p, struct arrays *ar)
{
	const char *key = col_str(s, 0);
	switch (k) {
	case PASS_CREATED: {
		struct created_sums c = {
			.created = col_int(s, 1),
			.inbound = col_int(s, 2),
			.answered = col_int(s, 3),
			.fr_met = col_int(s, 4),
			.fr_breached = col_int(s, 5),
			.res_met = col_int(s, 6),
			.res_breached = col_int(s, 7),
		};
		/* The first customer messages come only for business time. */
		bool fca = !col_is_null(s, 9);
		if (!array_of(s, 8, ar, 0, c.answered) || (fca && !array_of(s, 9, ar, 1, c.answered)))
			return false;
		pass_created_sums(p, key, &c, ar->v[0], fca ? ar->v[1] : NULL, (size_t)c.answered);
		return true;
	}
	case PASS_SOLVED: {
		int64_t n = col_int(s, 1);
		if (!array_of(s, 4, ar, 0, n) || !array_of(s, 5, ar, 1, n))
			return false;
		pass_solved_sums(p, key, col_int(s, 2), col_int(s, 3), ar->v[0], ar->v[1], (size_t)n);
		return true;
	}
	case PASS_SURVEYS:
		/* A (kind, score) with its count: each answer counts as
		 * SQLite's function counts a row. */
		for (int64_t i = col_int(s, 3); i > 0; i--)
			pass_survey(p, key, col_str(s, 1), col_int(s, 2));
		return true;
	case PASS_BACKLOG:
		pass_backlog(p, key, col_int(s, 1), col_str(s, 2), col_int(s, 3));
		return true;
	case PASS__COUNT:
		break;
	}
	return false;
}

int metrics_pg_feed(struct store *st, struct stmt *s, enum pass_kind k, struct metrics_pass *p,
		    struct derr *e)
{
	struct arrays ar = {0};
	bool ok = true;
	int rc;
	while ((rc = st_step(s)) == ST_ROW)
		if (ok && !feed_row(s, k, p, &ar))
			ok = false;
	st_done(s);
	free(ar.v[0]);
	free(ar.v[1]);
	if (rc != ST_DONE)
		return st_fail(st, e, "computing the report");
	return ok ? DESK_OK
		  : derr_set(e, DESK_EINVAL, "internal error: the server's report rows do not add up");
}
