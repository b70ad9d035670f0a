/* copy_tables.h: what desk db copy copies, table by table (copy_tables.c
 * holds the list; copy.c runs it). */
#ifndef DESK_STORE_COPY_TABLES_H
#define DESK_STORE_COPY_TABLES_H

#include <stdbool.h>
#include <stddef.h>

enum copy_how {
	COPY_ROWS,     /* every row read from one side, written on the other */
	COPY_TRIGGERS, /* not copied: the other side's triggers fill it */
};

struct copy_table {
	const char *name;
	enum copy_how how;
	/* The columns copied, as a list for SQL.  key: a unique key the
	 * rows are read by in pages (keyset); NULL for a small table read
	 * at once, in the order `order`. */
	const char *cols, *key, *order;
	/* SQLite's spelling of cols and key where it differs (an FTS5
	 * table's id is its rowid). */
	const char *sqlite_cols, *sqlite_key;
	/* Columns not copied: the triggers on the other side compute them
	 * from the rows copied after (the report's facts on a ticket). */
	const char *derived;
	/* A column written after every table (it may name a row of its own
	 * table that comes later: a ticket merged into a newer one). */
	const char *later;
	/* Which rows (meta: not the engine's own schema_version). */
	const char *where;
	/* For rows the other side's triggers wrote already (a customer's
	 * main address in customer_emails; meta's instance, made with the
	 * schema), as both engines write it. */
	const char *on_conflict;
};

/* In an order that every foreign key allows. */
extern const struct copy_table copy_tables[];
extern const size_t copy_tables_n;

struct store;
struct derr;
/* The read snapshot on a PostgreSQL source (copy_pg.c): begun, and
 * still standing after a read (not lost with the connection). */
int copy_pg_snapshot_begin(struct store *st, struct derr *e);
int copy_pg_snapshot_check(struct store *st, struct derr *e);
/* On a PostgreSQL target, inside its transaction: the search index
 * made once after the last row rather than by the triggers row by row,
 * and the report's facts copied (the derived columns) and checked then,
 * when the copying role owns the tables (*deferred then; the copy reads
 * and writes t->derived too, and copy_pg_catch_up makes the index,
 * corrects any fact the source had wrong, and restores the triggers
 * and indexes). */
int copy_pg_defer(struct store *to, bool *deferred, struct derr *e);
int copy_pg_catch_up(struct store *to, struct derr *e);
/* After the rows, by the owner of the tables (the database was made by
 * this copy): what desk init and desk agent add would have given it,
 * desk's group roles, grants and row policies, and each copied agent's
 * login role in its group; without them no agent could use the copy. */
int copy_pg_rights(struct store *to, struct derr *e);
/* Whether a table's rows may go to a PostgreSQL target by COPY: not
 * when it has a bytea column (COPY would read a text value sent there
 * as bytea's escapes, where an INSERT refuses it). */
int copy_pg_streams(struct store *to, const char *table, bool *yes, struct derr *e);
/* Writes rows in COPY's text format (data: whole lines) into
 * table (cols). */
int copy_pg_put(struct store *to, const char *table, const char *cols, const char *data,
		size_t len, struct derr *e);

#endif
