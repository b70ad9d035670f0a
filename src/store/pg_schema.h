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

#endif
