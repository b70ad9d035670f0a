/* stmt.h: how the store's files run SQL, the same on either engine.
 *
 * A statement is prepared once per connection (st_prep caches it by its
 * text), bound with 1-based parameter numbers, stepped, read, and handed
 * back with st_done.  The SQL is SQLite's dialect with numbered
 * parameters (?1, ?2, ...; a bare ? counts on from the last); on
 * PostgreSQL they become $1, $2, ... (outside quoted strings).  Where
 * the engines need different SQL, st_prep2 takes both texts; whatever
 * differs more than a statement lives in the engine's own file. */
#ifndef DESK_STORE_STMT_H
#define DESK_STORE_STMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct derr;
struct stmt;

/* st_step's answers; anything else is an error, which st_fail turns
 * into a message (the values are SQLite's SQLITE_ROW and SQLITE_DONE). */
#define ST_ROW 100
#define ST_DONE 101

enum engine { ENGINE_SQLITE, ENGINE_POSTGRESQL };
enum engine st_engine(const struct store *st);

/* A cached statement for sql, reset and with bindings cleared; NULL
 * with e set on failure.  Callers hand it back with st_done as soon as
 * they have read what they need. */
struct stmt *st_prep(struct store *st, const char *sql, struct derr *e);
/* The same statement written for each engine (pg_sql in SQLite's
 * parameter style too: ?1, not $1). */
struct stmt *st_prep2(struct store *st, const char *sqlite_sql, const char *pg_sql,
		      struct derr *e);
/* Runs the statement (the first call) or moves to its next row. */
int st_step(struct stmt *s);
/* Reads that do not depend on each other, prepared and bound (NULLs
 * skipped): PostgreSQL runs them all in one round trip (libpq's
 * pipeline mode), where each st_step would be one, and each st_step
 * then reads its statement's result; SQLite does nothing here.  Step
 * them after, in any order, each with its results as if run alone. */
void st_run_together(struct store *st, struct stmt **v, size_t n);
/* Ends a statement's read and clears nothing else: it may be stepped
 * again from the start with the same bindings. */
void st_done(struct stmt *s);
/* Steps a statement that returns no rows (or whose rows nobody reads);
 * resets it.  Maps an error with st_fail. */
int st_exec_stmt(struct store *st, struct stmt *s, struct derr *e, const char *what);
/* An INSERT of one row whose new id st_insert reads: sql (a string
 * literal) as it is on SQLite, which gives the rowid; PostgreSQL has
 * it say RETURNING id. */
#define st_prep_insert(st, sql, e) st_prep2((st), (sql), sql " RETURNING id", (e))
/* Steps an INSERT made by st_prep_insert, as st_exec_stmt, and reads
 * the new row's id into *id. */
int st_insert(struct store *st, struct stmt *s, int64_t *id, struct derr *e, const char *what);
/* Whether the last failure was a UNIQUE or PRIMARY KEY violation. */
bool st_failed_duplicate(struct store *st);
/* Runs literal SQL (schema, settings), possibly several statements. */
int st_exec(struct store *st, const char *sql, struct derr *e);
/* Maps the connection's last error to a derr code and message. */
int st_fail(struct store *st, struct derr *e, const char *what);
/* Rows the last INSERT, UPDATE or DELETE changed. */
int64_t st_changes(struct store *st);

/* Bindings.  bind_text stores invalid UTF-8 as U+FFFD; NULL or 0 bind
 * SQL NULL (bind_text, bind_id). */
void bind_int(struct stmt *s, int i, int64_t v);
void bind_double(struct stmt *s, int i, double v);
void bind_null(struct stmt *s, int i);
void bind_text(struct stmt *s, int i, const char *v);
void bind_id(struct stmt *s, int i, int64_t v);
void bind_blob(struct stmt *s, int i, const void *p, size_t n);
/* n bytes of text as they are (no UTF-8 repair: for text desk has
 * checked already). */
void bind_text_len(struct stmt *s, int i, const char *p, size_t n);
/* The number of parameters the statement takes (its highest ?N). */
int st_param_count(struct stmt *s);

/* Columns of the current row, 0-based.  NULL reads 0, 0.0 or NULL;
 * a boolean reads 1 or 0. */
int64_t col_int(struct stmt *s, int i);
double col_double(struct stmt *s, int i);
bool col_is_null(struct stmt *s, int i);
/* Borrowed until the next step or st_done; NULL for SQL NULL. */
const char *col_str(struct stmt *s, int i);
/* The size in bytes of a text or blob column. */
size_t col_len(struct stmt *s, int i);
/* A new string, or NULL for SQL NULL. */
char *col_text(struct stmt *s, int i);
/* Borrowed like col_str; *n its size.  NULL (and *n 0) for SQL NULL. */
const void *col_blob(struct stmt *s, int i, size_t *n);
/* A JSON column as desk prints it: col_text through text_json_safe, so
 * no JSON desk writes carries a raw C1, DEL, U+2028/9 or bidi control. */
char *col_json(struct stmt *s, int i);
/* What a column of the current row holds, the same on both engines
 * (SQLite: its storage class; PostgreSQL: the column's type, NULL for a
 * null): what a copy binds it as. */
enum col_type { COL_NULL, COL_INT, COL_FLOAT, COL_TEXT, COL_BLOB };
enum col_type col_type(struct stmt *s, int i);

#endif
