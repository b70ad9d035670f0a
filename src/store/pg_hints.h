/* pg_hints.h: SQLite's planner hints taken out of shared SQL for
 * PostgreSQL (pg_hints.c). */
#ifndef DESK_STORE_PG_HINTS_H
#define DESK_STORE_PG_HINTS_H

struct store;
struct derr;
struct stmt;

/* sql without SQLite's planner hints, a new string: a unary + before a
 * column ("AND +t.created_at < ?2": keeps SQLite off an index;
 * PostgreSQL has no unary + for text) and "INDEXED BY name".  A unary +
 * is a + after a space or "(" and before a letter, so arithmetic is
 * written with a space after its +. */
char *pg_drop_hints(const char *sql);
/* st_prep of sql as it is on SQLite, without its hints on PostgreSQL. */
struct stmt *st_prep_hinted(struct store *st, const char *sql, struct derr *e);

#endif
