/* report_json.h: how desk report's JSON is written on either engine
 * (report_json_pg.c), for metrics.c and report_more.c. */
#ifndef DESK_STORE_REPORT_JSON_H
#define DESK_STORE_REPORT_JSON_H
#include <stdint.h>

struct store;
struct stmt;
struct derr;

/* SQLite's JSON writes the report on both engines (report_json_pg.c):
 * *js is st itself on SQLite, a scratch in-memory SQLite on
 * PostgreSQL, for statements that read no table. */
int report_json_store(struct store *st, struct store **js, struct derr *e);
void report_json_store_done(struct store *st, struct store **js);

#define ISO(x) "strftime('%Y-%m-%dT%H:%M:%SZ', " x ", 'unixepoch')"
/* One breach as the JSON report lists it, from the SQL expressions of
 * its ticket, target, due and done (ISO), late seconds, priority
 * (0-3), queue and assignee. */
#define BREACH_JSON(id, tg, due, done, late, p, q, who)                                 \
	"json_object('ticket', " id ", 'target', " tg ", 'due', " due ", 'done_at', " done   \
	", 'late_seconds', " late ", 'priority', CASE " p " WHEN 0 THEN 'low' WHEN 1"       \
	" THEN 'normal' WHEN 2 THEN 'high' ELSE 'urgent' END, 'queue', " q ", 'assignee', " \
	who ")"
/* Each row of rows (a statement on st, stepped to its end and done) as
 * a JSON object written by obj_sql on SQLite (report_json_store), joined
 * as json_group_array would: obj_sql takes the row's columns as ?1, ?2,
 * ..., each bound as an integer ('i' in types) or text ('t'), NULL as
 * NULL, and extra after them if it takes one more.  A new string in
 * *out. */
int report_json_array(struct store *st, struct stmt *rows, const char *types,
		      const char *obj_sql, int64_t extra, char **out, struct derr *e);

#endif
