/* report_json_pg.c: where the report's JSON is written (metrics_pass.h).
 * SQLite's json functions write it on both engines, so that a report
 * reads the same byte for byte (its numbers: "5400.0", "33.33"; no
 * spaces) whichever engine holds the tickets; on PostgreSQL they run on
 * a scratch in-memory SQLite, fed the values PostgreSQL read. */
#include "internal.h"
#include "metrics_pass.h"

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
