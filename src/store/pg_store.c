/* pg_store.c: opening a desk database on PostgreSQL: connecting,
 * making the schema in an empty database, and refusing one that is not
 * desk's or is newer than this desk. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "pg.h"
#include "pg_schema.h"
#include "util.h"

/* The version as meta holds it: -1 when text is not one. */
static int version_of(const char *text)
{
	char *end = NULL;
	long n = text ? strtol(text, &end, 10) : -1;
	return text && end != text && *end == '\0' && n > 0 && n < 100000 ? (int)n : -1;
}

int pg_schema_version(struct store *st, int *v, struct derr *e)
{
	*v = -1;
	char *text;
	if (pg_schema_read(st->pg, &text)) { /* read while connecting */
		*v = version_of(text);
		free(text);
		return DESK_OK;
	}
	/* An empty database has no meta table yet: version 0 (asked apart:
	 * PostgreSQL refuses a statement naming a missing table even where
	 * it would not read it). */
	struct stmt *s = st_prep(st, "SELECT to_regclass('meta') IS NOT NULL", e);
	if (!s)
		return derr_code(e);
	int rc = st_step(s);
	bool has_meta = rc == ST_ROW && col_int(s, 0);
	st_done(s);
	if (rc != ST_ROW)
		return st_fail(st, e, "reading the schema version");
	if (!has_meta) {
		*v = 0;
		return DESK_OK;
	}
	if (!(s = st_prep(st, "SELECT value FROM meta WHERE key = 'schema_version'", e)))
		return derr_code(e);
	rc = st_step(s);
	*v = version_of(rc == ST_ROW ? col_str(s, 0) : NULL);
	st_done(s);
	return rc == ST_ROW || rc == ST_DONE ? DESK_OK
					     : st_fail(st, e, "reading the schema version");
}

static int create_schema(struct store *st, struct derr *e)
{
	int rc = store_begin(st, e);
	if (rc)
		return rc;
	if ((rc = st_exec(st, pg_schema_sql, e))) {
		store_rollback(st);
		derr_prefix(e, "%s: creating desk's tables", st->path);
		return rc;
	}
	return store_commit(st, e);
}

static int check_version(struct store *st, int flags, struct derr *e)
{
	int v;
	int rc = pg_schema_version(st, &v, e);
	if (rc)
		return rc;
	if (v == 0 && (flags & STORE_CREATE) && !(flags & STORE_READONLY)) {
		if ((rc = create_schema(st, e)) || (rc = pg_schema_version(st, &v, e)))
			return rc;
	}
	if (v == 0)
		return derr_set(e, DESK_ENOTFOUND,
				"%s: no desk database here (create one with: desk init)", st->path);
	if (v < 0)
		return derr_set(e, DESK_ESCHEMA,
				"%s: not a desk database (its schema version is unreadable)",
				st->path);
	if (v > PG_SCHEMA_VERSION)
		return derr_set(e, DESK_ESCHEMA,
				"%s: database schema version %d is newer than this desk "
				"understands (%d); use a newer desk",
				st->path, v, PG_SCHEMA_VERSION);
	if (v < PG_SCHEMA_VERSION)
		return derr_set(e, DESK_ESCHEMA,
				"%s: database schema version %d is older than this desk's (%d), "
				"and PostgreSQL databases have no upgrade path yet",
				st->path, v, PG_SCHEMA_VERSION);
	return DESK_OK;
}

int pg_store_open(const char *conninfo, int flags, struct store **out, struct derr *e)
{
	*out = NULL;
	struct store *st = xcalloc(1, sizeof *st);
	st->path = pg_display_name(conninfo);
	st->readonly = flags & STORE_READONLY;
	st->gate_off = true; /* the advisory lock of pg_begin takes its place */
	int rc = pg_connect(conninfo,
			    PG_SCHEMA | (st->readonly ? PG_READONLY : 0) |
				    (flags & STORE_WATCH ? PG_WATCH : 0),
			    &st->pg, e);
	if (rc == DESK_OK)
		rc = check_version(st, flags, e);
	if (rc) {
		store_close(&st);
		return rc;
	}
	*out = st;
	return DESK_OK;
}
