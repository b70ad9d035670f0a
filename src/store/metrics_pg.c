/* metrics_pg.c: the report's passes on PostgreSQL.  There is no
 * aggregate function in C there, so each pass's columns come back as
 * rows and go to the same code SQLite's functions call
 * (metrics_rows.c): both engines share every figure's arithmetic.
 *
 * The rows are read as one result (stmt.h has no single-row mode, and
 * paging by key would sort or re-seek the period's tickets per page):
 * a pass returns one narrow row per ticket of the period (per tag, in
 * a breakdown by tag), not per ticket of the database. */
#include "internal.h"
#include "metrics_pass.h"

static struct opt_i64 opt_col(struct stmt *s, int i)
{
	return (struct opt_i64){.null = col_is_null(s, i), .v = col_int(s, i)};
}

static void feed_row(struct stmt *s, enum pass_kind k, struct metrics_pass *p)
{
	const char *key = col_str(s, 0);
	struct opt_i64 a[CREATED_COLS];
	switch (k) {
	case PASS_CREATED:
		for (int i = 0; i < CREATED_COLS; i++)
			a[i] = opt_col(s, 1 + i);
		pass_created(p, key, a);
		break;
	case PASS_SOLVED:
		for (int i = 0; i < SOLVED_COLS; i++)
			a[i] = opt_col(s, 1 + i);
		pass_solved(p, key, a);
		break;
	case PASS_SURVEYS:
		pass_survey(p, key, col_str(s, 1), col_int(s, 2));
		break;
	case PASS_BACKLOG:
		pass_backlog(p, key, col_int(s, 1), col_str(s, 2), col_int(s, 3));
		break;
	case PASS__COUNT:
		break;
	}
}

int metrics_pg_feed(struct store *st, struct stmt *s, enum pass_kind k, struct metrics_pass *p,
		    struct derr *e)
{
	int rc;
	while ((rc = st_step(s)) == ST_ROW)
		feed_row(s, k, p);
	st_done(s);
	return rc == ST_DONE ? DESK_OK : st_fail(st, e, "computing the report");
}
