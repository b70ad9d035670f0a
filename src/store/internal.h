/* internal.h: what the store's files share and nobody else sees. */
#ifndef DESK_STORE_INTERNAL_H
#define DESK_STORE_INTERNAL_H

#include <sqlite3.h>

#include "store.h"

#define STMT_CACHE_SIZE 96

struct stmt_slot {
	char *sql;
	sqlite3_stmt *stmt;
	unsigned long last_used;
};

struct store {
	sqlite3 *db;
	char *path;
	struct stmt_slot cache[STMT_CACHE_SIZE];
	unsigned long tick;
	bool in_txn;
	int64_t data_version;
	bool (*give_up)(void *arg); /* store_set_give_up */
	void *give_up_arg;
};

/* A cached prepared statement for sql, reset and with bindings cleared;
 * NULL with e set on failure.  Callers must sqlite3_reset() it (through
 * st_done) as soon as they have read what they need. */
sqlite3_stmt *st_prep(struct store *st, const char *sql, struct derr *e);
/* Resets a statement taken with st_prep, ending its read. */
void st_done(sqlite3_stmt *s);
/* Maps the connection's last error to a derr code and message. */
int st_fail(struct store *st, struct derr *e, const char *what);
/* Steps a statement that returns no rows; resets it. */
int st_exec_stmt(struct store *st, sqlite3_stmt *s, struct derr *e, const char *what);
/* Runs literal SQL (schema, pragmas) with sqlite3_exec. */
int st_exec(struct store *st, const char *sql, struct derr *e);

/* Binding and reading helpers: NULL or 0 map to SQL NULL and back. */
void bind_text(sqlite3_stmt *s, int i, const char *v);
void bind_id(sqlite3_stmt *s, int i, int64_t v);   /* 0 binds NULL */
char *col_text(sqlite3_stmt *s, int i);            /* new string or NULL */
int64_t col_int(sqlite3_stmt *s, int i);           /* NULL reads 0 */

int schema_create(struct store *st, int version, struct derr *e);
int schema_migrate(struct store *st, struct derr *e);

#endif
