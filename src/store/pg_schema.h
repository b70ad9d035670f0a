/* pg_schema.h: desk's PostgreSQL schema, created in one step (pg_schema.c). */
#ifndef DESK_STORE_PG_SCHEMA_H
#define DESK_STORE_PG_SCHEMA_H

/* The schema version pg_schema_sql creates: the SQLite migrations'
 * STORE_SCHEMA_VERSION it mirrors, also written to meta's
 * 'schema_version' row. */
#define PG_SCHEMA_VERSION 21

/* The whole schema at PG_SCHEMA_VERSION: several statements, no
 * parameters, for pg_exec inside one transaction on an empty database. */
extern const char pg_schema_sql[];

/* desk db copy into an empty PostgreSQL database (pg_schema.c says
 * why): pg_copy_defer_sql after BEGIN, before the first row, turns the
 * triggers that derive rows from new tickets and messages off and drops
 * the search indexes; pg_copy_catch_up_sql after the last row derives
 * those rows in one statement each and puts everything back.  Only the
 * tables' owner may run them. */
extern const char pg_copy_defer_sql[];
extern const char pg_copy_catch_up_sql[];

#endif
