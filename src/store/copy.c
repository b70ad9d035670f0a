/* copy.c: a whole desk database copied into an empty one, either engine
 * to either (desk db copy), table by table as copy_tables.c lists them.
 *
 * The source is read inside one snapshot (SQLite: one read transaction;
 * PostgreSQL: REPEATABLE READ, READ ONLY), so agents may go on working
 * on it and the copy is of one instant.  The target is written in one
 * transaction, committed only once every table is in and its row count
 * checked against the source's: a failure or an interruption leaves it
 * as it was, empty.
 *
 * Rows are read in keyset pages (the PostgreSQL engine holds a whole
 * result in memory) and written in multi-row INSERTs (one round trip to
 * the server for many rows), each value bound as the type it has on the
 * source, ids included; into PostgreSQL, a page at a time by COPY (in
 * its text format: the server parses no statement per row), except
 * where an INSERT is needed: a conflict clause, or a bytea column. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "copy_tables.h"
#include "internal.h"
#include "util.h"

/* Rows a page reads, and at most how many an INSERT writes (SQLite
 * takes up to 32766 parameters a statement). */
#define PAGE_ROWS 1000
#define BATCH_ROWS 100
#define MAX_PARAMS 30000
/* Attachments hold their files: a page of them is kept small. */
#define BLOB_PAGE_ROWS 16

struct store_copy {
	struct store *from, *to;
	struct store_bulk *fts; /* SQLite target: its FTS indexing deferred */
	bool pg_deferred;       /* PostgreSQL target: copy_pg_defer's */
	bool reading;           /* the source's snapshot is open */
};

/* A value read from the source, kept until its batch is written (and a
 * page's last key, to ask for the next page). */
struct value {
	enum col_type type;
	int64_t i;
	double f;
	char *bytes; /* text or blob */
	size_t len;
};

static void value_clear(struct value *v)
{
	free(v->bytes);
	*v = (struct value){0};
}

static void value_keep(struct value *v, struct stmt *s, int col)
{
	value_clear(v);
	v->type = col_type(s, col);
	const void *p = NULL;
	if (v->type == COL_INT) {
		v->i = col_int(s, col);
	} else if (v->type == COL_FLOAT) {
		v->f = col_double(s, col);
	} else if (v->type == COL_TEXT) {
		p = col_str(s, col);
		v->len = col_len(s, col);
	} else if (v->type == COL_BLOB) {
		p = col_blob(s, col, &v->len);
	}
	if (v->type == COL_TEXT || v->type == COL_BLOB) {
		v->bytes = xmalloc(v->len + 1);
		if (v->len)
			memcpy(v->bytes, p, v->len);
		v->bytes[v->len] = '\0';
	}
}

/* Binds v as parameter param, as the type it had on the source (an
 * empty blob stays an empty blob, not NULL). */
static void value_bind(struct stmt *s, int param, const struct value *v)
{
	switch (v->type) {
	case COL_INT:
		bind_int(s, param, v->i);
		break;
	case COL_FLOAT:
		bind_double(s, param, v->f);
		break;
	case COL_TEXT:
		bind_text_len(s, param, v->bytes, v->len);
		break;
	case COL_BLOB:
		bind_blob(s, param, v->bytes, v->len);
		break;
	default:
		bind_null(s, param);
	}
}

/* What follows the backslash that stands for c in COPY's text format
 * (0: c stands for itself). */
static char copy_escape(char c)
{
	switch (c) {
	case '\\':
		return '\\';
	case '\t':
		return 't';
	case '\n':
		return 'n';
	case '\r':
		return 'r';
	default:
		return 0;
	}
}

/* v as a field of COPY's text format: \N for NULL; text with its
 * backslashes, tabs and line ends escaped; a blob as bytea's hex, its
 * backslash escaped in turn.  A float is written as pg_bind_double
 * writes one (17 digits: it reads back exact). */
static void value_copy_text(struct strbuf *out, const struct value *v)
{
	static const char hex[] = "0123456789abcdef";
	switch (v->type) {
	case COL_INT:
		sb_addf(out, "%" PRId64, v->i);
		break;
	case COL_FLOAT:
		if (isnan(v->f))
			sb_add(out, "NaN");
		else if (isinf(v->f))
			sb_add(out, v->f > 0 ? "Infinity" : "-Infinity");
		else
			sb_addf(out, "%.17g", v->f);
		break;
	case COL_TEXT: {
		size_t from = 0;
		for (size_t i = 0; i < v->len; i++) {
			char esc = copy_escape(v->bytes[i]);
			if (!esc)
				continue;
			sb_addn(out, v->bytes + from, i - from);
			sb_addc(out, '\\');
			sb_addc(out, esc);
			from = i + 1;
		}
		sb_addn(out, v->bytes + from, v->len - from);
		break;
	}
	case COL_BLOB:
		sb_add(out, "\\\\x");
		for (size_t i = 0; i < v->len; i++) {
			sb_addc(out, hex[(unsigned char)v->bytes[i] >> 4]);
			sb_addc(out, hex[(unsigned char)v->bytes[i] & 15]);
		}
		break;
	default:
		sb_add(out, "\\N");
	}
}

static bool on_sqlite(const struct store *st)
{
	return st_engine(st) == ENGINE_SQLITE;
}

static const char *cols_of(const struct copy_table *t, const struct store *st)
{
	return on_sqlite(st) && t->sqlite_cols ? t->sqlite_cols : t->cols;
}

/* The columns copied from or to st: with the derived ones where the
 * target computes none row by row (copy_pg_defer), which it then
 * checks (copy_pg_catch_up).  A new string. */
static char *copied_cols(const struct store_copy *c, const struct copy_table *t,
			 const struct store *st)
{
	if (c->pg_deferred && t->derived)
		return xasprintf("%s, %s", cols_of(t, st), t->derived);
	return xstrdup(cols_of(t, st));
}

static const char *key_of(const struct copy_table *t, const struct store *st)
{
	return on_sqlite(st) && t->sqlite_key ? t->sqlite_key : t->key;
}

/* The number of names in a column list. */
static int count_cols(const char *list)
{
	int n = 1;
	for (const char *p = list; *p; p++)
		n += *p == ',';
	return n;
}

static int page_rows(const struct copy_table *t)
{
	return strcmp(t->name, "attachments") == 0 ? BLOB_PAGE_ROWS : PAGE_ROWS;
}

size_t store_copy_tables(void)
{
	return copy_tables_n;
}

const char *store_copy_table(size_t i)
{
	return i < copy_tables_n ? copy_tables[i].name : NULL;
}

bool store_copy_table_copied(size_t i)
{
	return i < copy_tables_n && copy_tables[i].how == COPY_ROWS;
}

/* --- counting --------------------------------------------------------- */

static int count_rows(struct store *st, const struct copy_table *t, int64_t *n, struct derr *e)
{
	struct strbuf q = {0};
	sb_addf(&q, "SELECT count(*) FROM %s", t->name);
	if (t->where)
		sb_addf(&q, " WHERE %s", t->where);
	struct stmt *s = st_prep(st, sb_str(&q), e);
	sb_free(&q);
	if (!s)
		return derr_code(e);
	int rc = st_step(s);
	*n = rc == ST_ROW ? col_int(s, 0) : 0;
	st_done(s);
	if (rc != ST_ROW) {
		rc = st_fail(st, e, "counting rows");
		derr_prefix(e, "%s", t->name);
		return rc;
	}
	return DESK_OK;
}

int store_copy_count(struct store_copy *c, size_t i, int64_t *rows, struct derr *e)
{
	*rows = 0;
	if (!store_copy_table_copied(i))
		return DESK_OK;
	return count_rows(c->from, &copy_tables[i], rows, e);
}

/* --- starting and ending ---------------------------------------------- */

/* The target holds nothing but what its schema made (meta's rows). */
static int check_empty(struct store *to, struct derr *e)
{
	for (size_t i = 0; i < copy_tables_n; i++) {
		const struct copy_table *t = &copy_tables[i];
		if (t->how != COPY_ROWS || strcmp(t->name, "meta") == 0)
			continue;
		int64_t n;
		int rc = count_rows(to, t, &n, e);
		if (rc)
			return rc;
		if (n)
			return derr_set(e, DESK_EINVAL,
					"%s: is not empty (its %s table holds %" PRId64
					" rows); desk db copy writes only into a new or "
					"empty database",
					to->path, t->name, n);
	}
	return DESK_OK;
}

static int open_snapshot(struct store *from, struct derr *e)
{
	/* SQLite: the read transaction's snapshot starts at its first read
	 * and holds to its end, as PostgreSQL's REPEATABLE READ. */
	return on_sqlite(from) ? st_exec(from, "BEGIN", e) : copy_pg_snapshot_begin(from, e);
}

static void close_snapshot(struct store_copy *c)
{
	if (!c->reading)
		return;
	struct derr ignored = {0};
	st_cache_clear(c->from); /* no statement keeps the snapshot open */
	st_exec(c->from, on_sqlite(c->from) ? "COMMIT" : "ROLLBACK", &ignored);
	c->reading = false;
}

void store_copy_abandon(struct store_copy **cp)
{
	struct store_copy *c = *cp;
	if (!c)
		return;
	if (store_in_transaction(c->to))
		store_rollback(c->to); /* undoes the deferred indexing's DDL too */
	store_bulk_abandon(&c->fts);
	close_snapshot(c);
	free(c);
	*cp = NULL;
}

int store_copy_begin(struct store *from, struct store *to, struct store_copy **out,
		     struct derr *e)
{
	*out = NULL;
	if (to->readonly)
		return derr_set(e, DESK_EINVAL, "%s: opened read-only; cannot copy into it",
				to->path);
	struct store_copy *c = xcalloc(1, sizeof *c);
	c->from = from;
	c->to = to;
	int rc = open_snapshot(from, e);
	c->reading = rc == DESK_OK;
	if (rc == DESK_OK)
		rc = store_begin(to, e);
	if (rc == DESK_OK)
		rc = check_empty(to, e);
	/* On SQLite, indexing each row as it comes makes FTS5 flush at each
	 * statement: the new rows are indexed in one pass at the end. */
	if (rc == DESK_OK && on_sqlite(to))
		rc = store_fts_defer(to, &c->fts, e);
	if (rc == DESK_OK && !on_sqlite(to))
		rc = copy_pg_defer(to, &c->pg_deferred, e);
	if (rc) {
		store_copy_abandon(&c);
		return rc;
	}
	*out = c;
	return DESK_OK;
}

/* --- reading pages, writing batches ------------------------------------ */

/* The SELECT of one page: the key's columns first (when paged), then
 * the copied ones. */
static char *page_sql(const struct copy_table *t, struct store *from, const char *cols,
		      bool first)
{
	struct strbuf q = {0};
	const char *key = key_of(t, from);
	sb_add(&q, "SELECT ");
	if (key)
		sb_addf(&q, "%s, ", key);
	sb_addf(&q, "%s FROM %s", cols, t->name);
	if (t->where || (key && !first))
		sb_add(&q, " WHERE ");
	if (t->where)
		sb_addf(&q, "(%s)", t->where);
	if (key && !first) {
		sb_addf(&q, "%s(%s) > (", t->where ? " AND " : "", key);
		for (int k = 1; k <= count_cols(key); k++)
			sb_addf(&q, "%s?%d", k > 1 ? ", " : "", k);
		sb_add(&q, ")");
	}
	if (key)
		sb_addf(&q, " ORDER BY %s LIMIT %d", key, page_rows(t));
	else
		sb_addf(&q, " ORDER BY %s", t->order);
	return sb_take(&q);
}

static char *insert_sql(const struct copy_table *t, const char *cols, int ncols, int rows)
{
	struct strbuf q = {0};
	sb_addf(&q, "INSERT INTO %s (%s) VALUES ", t->name, cols);
	int p = 1;
	for (int r = 0; r < rows; r++) {
		sb_add(&q, r ? ", (" : "(");
		for (int i = 0; i < ncols; i++)
			sb_addf(&q, "%s?%d", i ? ", " : "", p++);
		sb_add(&q, ")");
	}
	if (t->on_conflict)
		sb_addf(&q, " %s", t->on_conflict);
	return sb_take(&q);
}

/* Rows read and not yet written: one multi-row INSERT's worth. */
struct batch {
	const struct copy_table *t;
	const char *cols; /* the target's names of them */
	int ncols, max_rows, rows;
	struct value *vals; /* max_rows * ncols */
};

static int batch_write(struct store_copy *c, struct batch *b, struct derr *e)
{
	if (b->rows == 0)
		return DESK_OK;
	char *sql = insert_sql(b->t, b->cols, b->ncols, b->rows);
	struct stmt *s = st_prep(c->to, sql, e);
	free(sql);
	int rc = s ? DESK_OK : derr_code(e);
	for (int i = 0; i < b->rows * b->ncols; i++) {
		if (s)
			value_bind(s, i + 1, &b->vals[i]);
		value_clear(&b->vals[i]);
	}
	if (rc == DESK_OK)
		rc = st_exec_stmt(c->to, s, e, "writing rows");
	b->rows = 0;
	return rc;
}

/* Whether the target can hold the row just kept: PostgreSQL's text
 * cannot hold a NUL byte, which SQLite's may. */
static int check_row(struct store_copy *c, const struct value *row, int ncols, struct derr *e)
{
	if (on_sqlite(c->to))
		return DESK_OK;
	for (int i = 0; i < ncols; i++)
		if (row[i].type == COL_TEXT && memchr(row[i].bytes, '\0', row[i].len))
			return derr_set(e, DESK_EINVAL,
					"column %d holds text with a NUL byte, which PostgreSQL "
					"cannot store",
					i + 1);
	return DESK_OK;
}

/* What names the row a failure happened at: its key, or its place. */
static void name_row(struct derr *e, const struct copy_table *t, const char *key_cols,
		     const struct value *key, int nk, int64_t place)
{
	struct strbuf w = {0};
	for (int k = 0; k < nk; k++) {
		if (key[k].type == COL_INT)
			sb_addf(&w, "%s%" PRId64, k ? ", " : "", key[k].i);
		else if (key[k].type == COL_TEXT)
			sb_addf(&w, "%s\"%.60s\"", k ? ", " : "", key[k].bytes);
	}
	if (nk && w.s)
		derr_prefix(e, "copying %s (near the row %s = %s)", t->name, key_cols, sb_str(&w));
	else
		derr_prefix(e, "copying %s (near row %" PRId64 ")", t->name, place);
	sb_free(&w);
}

int store_copy_rows(struct store_copy *c, size_t ti, bool (*page)(int64_t done, void *arg),
		    void *arg, struct derr *e)
{
	if (!store_copy_table_copied(ti))
		return DESK_OK;
	const struct copy_table *t = &copy_tables[ti];
	const char *key = key_of(t, c->from);
	int nk = key ? count_cols(key) : 0;
	char *from_cols = copied_cols(c, t, c->from), *to_cols = copied_cols(c, t, c->to);
	int ncols = count_cols(from_cols);
	struct batch b = {.t = t, .ncols = ncols};
	b.max_rows = MAX_PARAMS / ncols < BATCH_ROWS ? MAX_PARAMS / ncols : BATCH_ROWS;
	if (b.max_rows > page_rows(t))
		b.max_rows = page_rows(t);
	b.vals = xcalloc((size_t)(b.max_rows * ncols), sizeof *b.vals);
	struct value *last = xcalloc((size_t)nk + 1, sizeof *last);
	b.cols = to_cols;
	char *first_sql = page_sql(t, c->from, from_cols, true);
	char *next_sql = page_sql(t, c->from, from_cols, false);
	int64_t done = 0;
	int rc = DESK_OK;
	/* Into PostgreSQL by COPY, a page at a time, where it may. */
	bool stream = false;
	struct strbuf lines = {0};
	if (!on_sqlite(c->to) && !t->on_conflict)
		rc = copy_pg_streams(c->to, t->name, &stream, e);
	for (bool first = true, more = true; rc == DESK_OK && more; first = false) {
		struct stmt *s = st_prep(c->from, first ? first_sql : next_sql, e);
		if (!s) {
			rc = derr_code(e);
			break;
		}
		for (int k = 0; !first && k < nk; k++)
			value_bind(s, k + 1, &last[k]);
		int got = 0, step;
		while ((step = st_step(s)) == ST_ROW) {
			struct value *row = &b.vals[b.rows * ncols];
			for (int i = 0; i < ncols; i++)
				value_keep(&row[i], s, nk + i);
			for (int k = 0; k < nk; k++)
				value_keep(&last[k], s, k);
			got++;
			b.rows++;
			if ((rc = check_row(c, row, ncols, e)))
				break;
			if (stream) {
				for (int i = 0; i < ncols; i++) {
					if (i)
						sb_addc(&lines, '\t');
					value_copy_text(&lines, &row[i]);
					value_clear(&row[i]);
				}
				sb_addc(&lines, '\n');
				b.rows = 0;
			} else if (b.rows == b.max_rows && (rc = batch_write(c, &b, e))) {
				break;
			}
		}
		if (rc == DESK_OK && step != ST_DONE)
			rc = st_fail(c->from, e, "reading rows");
		st_done(s);
		if (rc == DESK_OK && !on_sqlite(c->from))
			rc = copy_pg_snapshot_check(c->from, e);
		if (rc == DESK_OK && stream && lines.len)
			rc = copy_pg_put(c->to, t->name, to_cols, lines.s, lines.len, e);
		sb_reset(&lines);
		if (rc == DESK_OK && (!key || got < page_rows(t)))
			rc = batch_write(c, &b, e); /* the table's last rows */
		if (rc)
			name_row(e, t, key, last, nk, done + got);
		done += got;
		more = key && got == page_rows(t);
		if (rc == DESK_OK && page && !page(done, arg))
			rc = derr_set(e, DESK_EINVAL, "stopped while copying %s", t->name);
	}
	for (int i = 0; i < b.max_rows * ncols; i++)
		value_clear(&b.vals[i]);
	free(b.vals);
	sb_free(&lines);
	for (int k = 0; k < nk; k++)
		value_clear(&last[k]);
	free(last);
	free(first_sql);
	free(next_sql);
	free(from_cols);
	free(to_cols);
	return rc;
}

/* --- finishing ---------------------------------------------------------- */

/* The columns written after every table (copy_table.later). */
static int copy_later(struct store_copy *c, const struct copy_table *t, struct derr *e)
{
	struct strbuf q = {0}, u = {0};
	sb_addf(&q, "SELECT id, %s FROM %s WHERE %s IS NOT NULL AND id > ?1 ORDER BY id LIMIT %d",
		t->later, t->name, t->later, PAGE_ROWS);
	sb_addf(&u, "UPDATE %s SET %s = ?2 WHERE id = ?1", t->name, t->later);
	int64_t after = 0;
	int rc = DESK_OK;
	for (bool more = true; rc == DESK_OK && more;) {
		struct stmt *s = st_prep(c->from, sb_str(&q), e);
		if (!s) {
			rc = derr_code(e);
			break;
		}
		bind_int(s, 1, after);
		int got = 0, step;
		while (rc == DESK_OK && (step = st_step(s)) == ST_ROW) {
			struct stmt *w = st_prep(c->to, sb_str(&u), e);
			if (!w) {
				rc = derr_code(e);
				break;
			}
			after = col_int(s, 0);
			bind_int(w, 1, after);
			bind_int(w, 2, col_int(s, 1));
			rc = st_exec_stmt(c->to, w, e, "writing rows");
			got++;
		}
		if (rc == DESK_OK && step != ST_DONE)
			rc = st_fail(c->from, e, "reading rows");
		st_done(s);
		more = got == PAGE_ROWS;
	}
	if (rc)
		derr_prefix(e, "copying %s.%s (near id %" PRId64 ")", t->name, t->later, after);
	sb_free(&q);
	sb_free(&u);
	return rc;
}

/* Every table holds as many rows as the source's: nothing was lost to
 * a conflict, and no trigger added a row the source did not have. */
static int check_counts(struct store_copy *c, struct derr *e)
{
	for (size_t i = 0; i < copy_tables_n; i++) {
		const struct copy_table *t = &copy_tables[i];
		if (t->how != COPY_ROWS)
			continue;
		int64_t want, have;
		int rc = count_rows(c->from, t, &want, e);
		if (rc == DESK_OK)
			rc = count_rows(c->to, t, &have, e);
		if (rc)
			return rc;
		if (want != have)
			return derr_set(e, DESK_EIO,
					"%s: the copy's %s table holds %" PRId64
					" rows where %s holds %" PRId64,
					c->to->path, t->name, have, c->from->path, want);
	}
	return DESK_OK;
}

int store_copy_commit(struct store_copy **cp, struct derr *e)
{
	struct store_copy *c = *cp;
	int rc = DESK_OK;
	for (size_t i = 0; rc == DESK_OK && i < copy_tables_n; i++)
		if (copy_tables[i].later)
			rc = copy_later(c, &copy_tables[i], e);
	if (rc == DESK_OK)
		rc = store_fts_catch_up(c->to, &c->fts, e);
	if (rc == DESK_OK && c->pg_deferred)
		rc = copy_pg_catch_up(c->to, e);
	if (rc == DESK_OK && c->pg_deferred)
		rc = copy_pg_rights(c->to, e);
	if (rc == DESK_OK)
		rc = check_counts(c, e);
	if (rc == DESK_OK && !on_sqlite(c->from))
		rc = copy_pg_snapshot_check(c->from, e);
	if (rc == DESK_OK)
		rc = store_commit(c->to, e);
	store_copy_abandon(cp);
	return rc;
}
