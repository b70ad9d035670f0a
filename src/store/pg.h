/* pg.h: the PostgreSQL engine under stmt.h (pg_conn.c: connecting,
 * transactions, errors, change notices; pg_stmt.c: statements).  Only
 * stmt.c, db.c and the PostgreSQL-only files of the store call these. */
#ifndef DESK_STORE_PG_H
#define DESK_STORE_PG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct derr;
struct pg_conn;
struct pg_stmt;

/* Whether a database setting names a PostgreSQL database: a
 * postgresql:// or postgres:// URL, or libpq keywords ("dbname=desk
 * host=/run/postgresql").  Anything else is a SQLite file's path. */
bool pg_is_conninfo(const char *database);
/* The setting as desk may show it: a password in it is replaced by
 * "***" (new string). */
char *pg_display_name(const char *conninfo);

enum {
	PG_READONLY = 1 << 0, /* every transaction READ ONLY */
	/* LISTENs for other desks' change notices (pg_changed).  Only a
	 * console asks: every listening session is woken by every commit's
	 * NOTIFY, which cost 128 writers a third of their commits. */
	PG_WATCH = 1 << 1,
};

/* Connects (flags: PG_READONLY, PG_WATCH); refuses a password written
 * in the setting itself (it belongs in ~/.pgpass or a service file). */
int pg_connect(const char *conninfo, int flags, struct pg_conn **out, struct derr *e);
void pg_disconnect(struct pg_conn **c);
/* The connection closes next: its prepared statements go with the
 * session, so freeing them asks the server nothing (a DEALLOCATE each
 * was a round trip apiece at every exit). */
void pg_closing(struct pg_conn *c);

/* Maps the last failure on c to a derr code and message, as st_fail
 * does for SQLite: unique and check violations DESK_EINVAL, a
 * serialization failure or deadlock DESK_EBUSY, a lost connection or a
 * full disk on the server DESK_EIO naming it, a refused privilege
 * "permission denied". */
int pg_fail(struct pg_conn *c, const char *display, struct derr *e, const char *what);
/* The SQLSTATE of the last failure on c ("" if none). */
const char *pg_sqlstate(struct pg_conn *c);
/* Runs literal SQL (possibly several statements, no parameters). */
int pg_exec(struct pg_conn *c, const char *display, const char *sql, struct derr *e);
/* Rows the last INSERT, UPDATE or DELETE changed. */
int64_t pg_changes(struct pg_conn *c);
/* BEGIN, then the transaction-scoped advisory lock every desk writer
 * takes: writers run one at a time, as on SQLite, so a read-then-write
 * inside a transaction sees no other writer's change in between. */
int pg_begin(struct pg_conn *c, const char *display, struct derr *e);
/* COMMIT (after NOTIFY desk_changes, so other consoles hear of it). */
int pg_commit(struct pg_conn *c, const char *display, struct derr *e);
void pg_rollback(struct pg_conn *c);
bool pg_in_transaction(struct pg_conn *c);
/* Whether another connection committed a change since the last call
 * (LISTEN/NOTIFY; never blocks). */
bool pg_changed(struct pg_conn *c);
/* NULL while the connection is up; else why pg_changed found it lost
 * (c's, until the next call) and since when (*since, Unix seconds).
 * pg_changed reconnects meanwhile, a step per call. */
const char *pg_link_down(struct pg_conn *c, int64_t *since);

/* Statements.  sql is in SQLite's parameter style (?1, ?); pg_stmt_new
 * rewrites it for PostgreSQL outside quoted strings and identifiers. */
struct pg_stmt *pg_stmt_new(struct pg_conn *c, const char *sql);
void pg_stmt_free(struct pg_stmt *s);
/* Ends the read; clear_bindings also drops every bound value. */
void pg_stmt_reset(struct pg_stmt *s, bool clear_bindings);
void pg_bind_int(struct pg_stmt *s, int i, int64_t v);
void pg_bind_double(struct pg_stmt *s, int i, double v);
void pg_bind_null(struct pg_stmt *s, int i);
void pg_bind_text(struct pg_stmt *s, int i, const char *v); /* copied */
void pg_bind_blob(struct pg_stmt *s, int i, const void *p, size_t n);
int pg_param_count(struct pg_stmt *s);
/* ST_ROW, ST_DONE, or -1 (pg_fail tells why). */
int pg_step(struct pg_stmt *s);
bool pg_col_is_null(struct pg_stmt *s, int i);
const char *pg_col_str(struct pg_stmt *s, int i);
int64_t pg_col_int(struct pg_stmt *s, int i); /* "t"/"f" read 1/0 */
double pg_col_double(struct pg_stmt *s, int i);
const void *pg_col_blob(struct pg_stmt *s, int i, size_t *n);
size_t pg_col_len(struct pg_stmt *s, int i); /* of the text as received */
/* By the column's type: integers and booleans COL_INT, float and numeric
 * COL_FLOAT, bytea COL_BLOB, anything else COL_TEXT; a null COL_NULL.
 * (An int returns from pg_col_type as an int: stmt.h's enum col_type.) */
int pg_col_type(struct pg_stmt *s, int i);

#endif
