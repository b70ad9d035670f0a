/* json_sqlite.h: where the store's JSON is parsed and tidied (json.c)
 * and how PostgreSQL writes a ticket the way SQLite does (json_pg.c). */
#ifndef DESK_STORE_JSON_SQLITE_H
#define DESK_STORE_JSON_SQLITE_H

#include <stdbool.h>
#include <stdint.h>

struct store;
struct derr;

/* The SQLite connection whose JSON functions parse and tidy JSON: the
 * store's own, or on PostgreSQL a scratch in-memory one the store owns
 * (so JSON reads alike, byte for byte and error for error, on both
 * engines).  NULL with e set if it cannot be opened. */
struct store *json_sqlite(struct store *st, struct derr *e);
/* json text as SQLite's json() writes it (no blanks, keys in their
 * order), made safe to print (col_json); a new string. */
int json_tidy(struct store *st, const char *json, char **out, struct derr *e);
/* store_ticket_json on PostgreSQL. */
int ticket_json_pg(struct store *st, int64_t id, bool with_events, bool with_data,
		   char **json, struct derr *e);

#endif
