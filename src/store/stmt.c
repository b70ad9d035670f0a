/* stmt.c: stmt.h on both engines: the per-connection statement cache,
 * and each call handed to SQLite or to pg_stmt.c. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "pg.h"
#include "text.h"
#include "util.h"

struct stmt {
	struct store *st;
	sqlite3_stmt *lite; /* exactly one of lite and pg is set */
	struct pg_stmt *pg;
};

enum engine st_engine(const struct store *st)
{
	return st->pg ? ENGINE_POSTGRESQL : ENGINE_SQLITE;
}

static void stmt_free(struct stmt *s)
{
	if (!s)
		return;
	if (s->lite)
		sqlite3_finalize(s->lite);
	if (s->pg)
		pg_stmt_free(s->pg);
	free(s);
}

static struct stmt *stmt_new(struct store *st, const char *sql, struct derr *e)
{
	struct stmt *s = xcalloc(1, sizeof *s);
	s->st = st;
	if (st->pg) {
		s->pg = pg_stmt_new(st->pg, sql);
		return s;
	}
	if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->lite, NULL) !=
	    SQLITE_OK) {
		st_fail(st, e, "preparing a query");
		free(s);
		return NULL;
	}
	return s;
}

static void stmt_clear(struct stmt *s)
{
	if (s->pg) {
		pg_stmt_reset(s->pg, true);
		return;
	}
	sqlite3_reset(s->lite);
	sqlite3_clear_bindings(s->lite);
}

struct stmt *st_prep(struct store *st, const char *sql, struct derr *e)
{
	struct stmt_slot *free_slot = NULL, *oldest = &st->cache[0];
	st->tick++;
	gate_heartbeat(st);
	for (size_t i = 0; i < STMT_CACHE_SIZE; i++) {
		struct stmt_slot *sl = &st->cache[i];
		if (!sl->sql) {
			if (!free_slot)
				free_slot = sl;
			continue;
		}
		if (strcmp(sl->sql, sql) == 0) {
			sl->last_used = st->tick;
			stmt_clear(sl->stmt);
			return sl->stmt;
		}
		if (sl->last_used < oldest->last_used)
			oldest = sl;
	}
	struct stmt *s = stmt_new(st, sql, e);
	if (!s)
		return NULL;
	struct stmt_slot *sl = free_slot ? free_slot : oldest;
	if (sl->sql) {
		stmt_free(sl->stmt);
		free(sl->sql);
	}
	sl->sql = xstrdup(sql);
	sl->stmt = s;
	sl->last_used = st->tick;
	return s;
}

struct stmt *st_prep2(struct store *st, const char *sqlite_sql, const char *pg_sql,
		      struct derr *e)
{
	return st_prep(st, st->pg ? pg_sql : sqlite_sql, e);
}

void st_cache_clear(struct store *st)
{
	for (size_t i = 0; i < STMT_CACHE_SIZE; i++) {
		if (st->cache[i].sql) {
			stmt_free(st->cache[i].stmt);
			free(st->cache[i].sql);
			st->cache[i].sql = NULL;
			st->cache[i].stmt = NULL;
		}
	}
}

int st_step(struct stmt *s)
{
	return s->pg ? pg_step(s->pg) : sqlite3_step(s->lite);
}

void st_run_together(struct store *st, struct stmt **v, size_t n)
{
	if (!st->pg || n < 2)
		return;
	struct pg_stmt **p = xcalloc(n, sizeof *p);
	for (size_t i = 0; i < n; i++)
		p[i] = v[i] ? v[i]->pg : NULL;
	pg_run_together(st->pg, p, n);
	free(p);
}

void st_done(struct stmt *s)
{
	if (!s)
		return;
	if (s->pg)
		pg_stmt_reset(s->pg, false);
	else
		sqlite3_reset(s->lite);
}

bool st_is_readonly(struct stmt *s)
{
	return s->lite ? sqlite3_stmt_readonly(s->lite) : false;
}

sqlite3_stmt *st_sqlite(struct stmt *s)
{
	return s->lite;
}

unsigned long store_writes(const struct store *st)
{
	return st->writes;
}

/* Steps s to its end or its first row, which *first (when given) takes
 * the first column of.  Every statement counts as a possible write
 * (store_writes): telling reads apart is not worth a stale pane. */
static int step_once(struct store *st, struct stmt *s, int64_t *first, struct derr *e,
		     const char *what)
{
	st->writes++;
	/* A write outside store_begin (the console's presence and heartbeat)
	 * queues on the gate like any other, for its one statement. */
	bool gated = !st->pg && !st->in_txn && !st->readonly && !st_is_readonly(s);
	int grc = gated ? gate_enter(st, e) : DESK_OK;
	if (grc) {
		st_done(s);
		return grc;
	}
	int rc = st_step(s);
	int out = DESK_OK;
	if (rc == ST_ROW && first)
		*first = col_int(s, 0);
	if (rc != ST_DONE && rc != ST_ROW)
		out = st_fail(st, e, what);
	else if (rc == ST_DONE && first && s->lite)
		*first = sqlite3_last_insert_rowid(st->db);
	else if (rc == ST_DONE && first)
		out = derr_set(e, DESK_EIO, "internal error: no row id while %s", what);
	st_done(s);
	if (gated) {
		gate_leave(st);
		upkeep_after_commit(st);
	}
	return out;
}

int st_exec_stmt(struct store *st, struct stmt *s, struct derr *e, const char *what)
{
	return step_once(st, s, NULL, e, what);
}

int st_insert(struct store *st, struct stmt *s, int64_t *id, struct derr *e, const char *what)
{
	return step_once(st, s, id, e, what);
}

bool st_failed_duplicate(struct store *st)
{
	if (st->pg)
		return strcmp(pg_sqlstate(st->pg), "23505") == 0;
	int rc = sqlite3_extended_errcode(st->db);
	return rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY;
}

int st_exec(struct store *st, const char *sql, struct derr *e)
{
	st->writes++;
	if (st->pg)
		return pg_exec(st->pg, st->path, sql, e);
	char *err = NULL;
	if (sqlite3_exec(st->db, sql, NULL, NULL, &err) != SQLITE_OK) {
		int rc = st_fail(st, e, "updating the database");
		sqlite3_free(err);
		return rc;
	}
	return DESK_OK;
}

int64_t st_changes(struct store *st)
{
	return st->pg ? pg_changes(st->pg) : sqlite3_changes64(st->db);
}

int st_param_count(struct stmt *s)
{
	return s->pg ? pg_param_count(s->pg) : sqlite3_bind_parameter_count(s->lite);
}

void bind_int(struct stmt *s, int i, int64_t v)
{
	if (s->pg)
		pg_bind_int(s->pg, i, v);
	else
		sqlite3_bind_int64(s->lite, i, v);
}

void bind_double(struct stmt *s, int i, double v)
{
	if (s->pg)
		pg_bind_double(s->pg, i, v);
	else
		sqlite3_bind_double(s->lite, i, v);
}

void bind_null(struct stmt *s, int i)
{
	if (s->pg)
		pg_bind_null(s->pg, i);
	else
		sqlite3_bind_null(s->lite, i);
}

/* Every string that enters the database passes here: invalid UTF-8
 * (from mail, an import, a terminal in another charset) is stored as
 * U+FFFD, so what desk keeps, shows and exports is always valid UTF-8. */
void bind_text(struct stmt *s, int i, const char *v)
{
	if (!v) {
		bind_null(s, i);
		return;
	}
	char *fixed = text_is_utf8(v) ? NULL : text_utf8_fix(v);
	if (s->pg)
		pg_bind_text(s->pg, i, fixed ? fixed : v);
	else
		sqlite3_bind_text(s->lite, i, fixed ? fixed : v, -1, SQLITE_TRANSIENT);
	free(fixed);
}

void bind_id(struct stmt *s, int i, int64_t v)
{
	if (v)
		bind_int(s, i, v);
	else
		bind_null(s, i);
}

void bind_blob(struct stmt *s, int i, const void *p, size_t n)
{
	if (s->pg)
		pg_bind_blob(s->pg, i, p, n);
	else
		sqlite3_bind_blob64(s->lite, i, p, (sqlite3_uint64)n, SQLITE_TRANSIENT);
}

void bind_text_len(struct stmt *s, int i, const char *p, size_t n)
{
	if (s->pg) {
		char *copy = xstrndup(p, n);
		pg_bind_text(s->pg, i, copy);
		free(copy);
	} else {
		sqlite3_bind_text64(s->lite, i, p, (sqlite3_uint64)n, SQLITE_TRANSIENT, SQLITE_UTF8);
	}
}

size_t col_len(struct stmt *s, int i)
{
	return s->pg ? pg_col_len(s->pg, i) : (size_t)sqlite3_column_bytes(s->lite, i);
}

int64_t col_int(struct stmt *s, int i)
{
	return s->pg ? pg_col_int(s->pg, i) : sqlite3_column_int64(s->lite, i);
}

double col_double(struct stmt *s, int i)
{
	return s->pg ? pg_col_double(s->pg, i) : sqlite3_column_double(s->lite, i);
}

bool col_is_null(struct stmt *s, int i)
{
	return s->pg ? pg_col_is_null(s->pg, i) : sqlite3_column_type(s->lite, i) == SQLITE_NULL;
}

const char *col_str(struct stmt *s, int i)
{
	return s->pg ? pg_col_str(s->pg, i) : (const char *)sqlite3_column_text(s->lite, i);
}

char *col_text(struct stmt *s, int i)
{
	const char *t = col_str(s, i);
	return t ? xstrdup(t) : NULL;
}

const void *col_blob(struct stmt *s, int i, size_t *n)
{
	if (s->pg)
		return pg_col_blob(s->pg, i, n);
	const void *b = sqlite3_column_blob(s->lite, i);
	*n = b ? (size_t)sqlite3_column_bytes(s->lite, i) : 0;
	return b;
}

char *col_json(struct stmt *s, int i)
{
	char *raw = col_text(s, i);
	if (!raw)
		return NULL;
	char *safe = text_json_safe(raw);
	free(raw);
	return safe;
}

enum col_type col_type(struct stmt *s, int i)
{
	if (s->pg)
		return pg_col_type(s->pg, i);
	switch (sqlite3_column_type(s->lite, i)) {
	case SQLITE_INTEGER:
		return COL_INT;
	case SQLITE_FLOAT:
		return COL_FLOAT;
	case SQLITE_TEXT:
		return COL_TEXT;
	case SQLITE_BLOB:
		return COL_BLOB;
	default:
		return COL_NULL;
	}
}
