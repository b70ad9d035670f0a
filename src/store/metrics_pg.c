/* metrics_pg.c: the report's passes on PostgreSQL.  There is no
 * aggregate function in C there, so each pass's columns come back as
 * rows and go to the same code SQLite's functions call
 * (metrics_rows.c): both engines share every figure's arithmetic.
 *
 * The rows are read as one result (stmt.h has no single-row mode, and
 * paging by key would sort or re-seek the period's tickets per page):
 * a pass returns one narrow row per ticket of the period (per tag, in
 * a breakdown by tag), not per ticket of the database. */
#include <stdlib.h>

#include "internal.h"
#include "metrics_pass.h"
#include "util.h"

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

int metrics_pg_breaches_json(struct store *st, struct stmt *s, int64_t now, char **out,
			     struct derr *e)
{
	*out = NULL;
	struct store *js = NULL;
	int rc = report_json_store(st, &js, e);
	if (rc) {
		st_done(s);
		return rc;
	}
	struct stmt *obj = st_prep(js,
				   "SELECT " BREACH_JSON("?1", "?2", ISO("?3"), ISO("?4"),
							 "coalesce(?4, ?5) - ?3", "?6", "?7", "?8"),
				   e);
	struct strbuf list = {0};
	sb_addc(&list, '[');
	int step = obj ? ST_DONE : -1;
	rc = obj ? DESK_OK : derr_code(e);
	while (rc == DESK_OK && (step = st_step(s)) == ST_ROW) {
		bind_int(obj, 1, col_int(s, 0));
		bind_text(obj, 2, col_str(s, 1));
		bind_int(obj, 3, col_int(s, 2));
		if (col_is_null(s, 3))
			bind_null(obj, 4);
		else
			bind_int(obj, 4, col_int(s, 3));
		bind_int(obj, 5, now);
		bind_int(obj, 6, col_int(s, 4));
		bind_text(obj, 7, col_str(s, 5));
		bind_text(obj, 8, col_str(s, 6));
		char *one = st_step(obj) == ST_ROW ? col_json(obj, 0) : NULL;
		st_done(obj);
		if (!one) {
			rc = st_fail(js, e, "writing the report's breaches as JSON");
			break;
		}
		if (list.len > 1)
			sb_addc(&list, ',');
		sb_add(&list, one);
		free(one);
	}
	st_done(obj);
	st_done(s);
	if (rc == DESK_OK && step != ST_DONE)
		rc = st_fail(st, e, "listing SLA breaches");
	report_json_store_done(st, &js);
	sb_addc(&list, ']');
	if (rc) {
		sb_free(&list);
		return rc;
	}
	*out = sb_take(&list);
	return DESK_OK;
}
