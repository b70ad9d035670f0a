/* report_json_pg.c: where the report's JSON is written (metrics_pass.h).
 * SQLite's json functions write it on both engines, so that a report
 * reads the same byte for byte (its numbers: "5400.0", "33.33"; no
 * spaces) whichever engine holds the tickets; on PostgreSQL they run on
 * a scratch in-memory SQLite, fed the values PostgreSQL read. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "report_json.h"
#include "util.h"

int report_json_store(struct store *st, struct store **js, struct derr *e)
{
	if (st_engine(st) == ENGINE_SQLITE) {
		*js = st;
		return DESK_OK;
	}
	return store_open_memory(js, e);
}

void report_json_store_done(struct store *st, struct store **js)
{
	if (*js != st)
		store_close(js);
	*js = NULL;
}

int report_json_array(struct store *st, struct stmt *rows, const char *types,
		      const char *obj_sql, int64_t extra, char **out, struct derr *e)
{
	*out = NULL;
	struct store *js = NULL;
	int rc = report_json_store(st, &js, e);
	if (rc) {
		st_done(rows);
		return rc;
	}
	struct stmt *obj = st_prep(js, obj_sql, e);
	int ncols = (int)strlen(types);
	struct strbuf list = {0};
	sb_addc(&list, '[');
	int step = obj ? ST_DONE : -1;
	rc = obj ? DESK_OK : derr_code(e);
	while (rc == DESK_OK && (step = st_step(rows)) == ST_ROW) {
		for (int i = 0; i < ncols; i++) {
			if (col_is_null(rows, i))
				bind_null(obj, i + 1);
			else if (types[i] == 'i')
				bind_int(obj, i + 1, col_int(rows, i));
			else
				bind_text(obj, i + 1, col_str(rows, i));
		}
		if (st_param_count(obj) > ncols)
			bind_int(obj, ncols + 1, extra);
		char *one = st_step(obj) == ST_ROW ? col_json(obj, 0) : NULL;
		st_done(obj);
		if (!one) {
			rc = st_fail(js, e, "writing the report as JSON");
			break;
		}
		if (list.len > 1)
			sb_addc(&list, ',');
		sb_add(&list, one);
		free(one);
	}
	st_done(obj);
	st_done(rows);
	if (rc == DESK_OK && step != ST_DONE)
		rc = st_fail(st, e, "reading the report's rows");
	report_json_store_done(st, &js);
	sb_addc(&list, ']');
	if (rc) {
		sb_free(&list);
		return rc;
	}
	*out = sb_take(&list);
	return DESK_OK;
}
