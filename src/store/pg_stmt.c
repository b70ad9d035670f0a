/* pg_stmt.c: the PostgreSQL engine's statements: SQLite's ?N parameters
 * rewritten to $N, values bound with their types, prepared once per
 * connection and type signature, results read as SQLite's would be.
 *
 * What shared SQL must allow for: an int binds as bigint (a function
 * taking integer, like substr, needs CAST(?1 AS INTEGER)); a text binds
 * as text (no silent conversion into a bigint column); a NULL takes the
 * type the SQL gives it, so a parameter used only as "?1 IS NULL" needs
 * a CAST.  A statement reads its whole result at the first step (or
 * with others at pg_run_together), and is checked by the server only
 * then.  Statements are freed before their connection. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg.h"
#include "pg_internal.h"
#include "stmt.h"
#include "util.h"

/* The type OIDs desk binds (pg_type.h is server-side only). */
#define OID_BYTEA 17
#define OID_INT8 20
#define OID_TEXT 25
#define OID_FLOAT8 701
#define OID_BOOL 16
#define OID_INT2 21
#define OID_INT4 23
#define OID_FLOAT4 700
#define OID_NUMERIC 1700
/* PostgreSQL's own limit on a statement's parameters. */
#define MAX_PARAMS 65535

struct param {
	Oid type;    /* 0: NULL, or unset, of a type the server infers */
	char *value; /* NULL for SQL NULL */
	int len;     /* a blob's size (sent in binary) */
	bool binary;
};

/* One server-side prepared statement: the types it was prepared for. */
struct prepared {
	char name[32];
	Oid *types;
	unsigned long generation;
	struct prepared *next;
};

struct blob {
	unsigned char *p; /* PQunescapeBytea's (PQfreemem) */
	size_t len;
};

struct pg_stmt {
	struct pg_conn *c;
	char *sql; /* rewritten: $1, $2, ... */
	int nparams;
	char *bad; /* why the statement cannot run (a misuse), or NULL */
	/* Per parameter: whether the SQL names it.  One it skips (?1, ?3)
	 * goes as text, since the server cannot infer an unused one's type. */
	bool *used;
	struct param *params;
	struct prepared *prepared;
	PGresult *res;
	int row, nrows;
	bool started, finished;
	/* Holds a result that pg_step has not read yet (it came back with
	 * the statement, maybe in a pipeline); failed: a failure it reports. */
	bool ahead, failed;
	bool ran_unnamed; /* run once without a server-side statement */
	struct blob *blobs; /* decoded bytea per column of the current row */
	int nblobs;
};

/* --- rewriting ?N to $N ------------------------------------------------ */

static bool ident_char(char ch)
{
	return isalnum((unsigned char)ch) || ch == '_' || (unsigned char)ch >= 0x80;
}

/* The end of a $tag$ that opens a dollar-quoted string at p, or NULL. */
static const char *dollar_tag_end(const char *p)
{
	const char *q = p + 1;
	if (isdigit((unsigned char)*q))
		return NULL; /* $1 is a parameter */
	while (ident_char(*q))
		q++;
	return *q == '$' ? q + 1 : NULL;
}

/* Copies what lies at p up to the end of the quoted string, identifier
 * or comment starting there; returns where it ended, or p if nothing
 * quoted starts at p. */
static const char *skip_quoted(const char *sql, const char *p, struct strbuf *out)
{
	const char *q = p;
	if (*p == '\'' || *p == '"') {
		char quote = *p;
		/* E'...' strings take backslash escapes (PostgreSQL only). */
		bool esc = quote == '\'' && p > sql && (p[-1] == 'E' || p[-1] == 'e') &&
			   (p - 1 == sql || !ident_char(p[-2]));
		for (q = p + 1; *q; q++) {
			if (esc && *q == '\\' && q[1])
				q++;
			else if (*q == quote && q[1] == quote)
				q++;
			else if (*q == quote)
				break;
		}
		if (*q)
			q++;
	} else if (p[0] == '-' && p[1] == '-') {
		q = p + strcspn(p, "\n");
	} else if (p[0] == '/' && p[1] == '*') {
		int depth = 0; /* PostgreSQL's comments nest */
		for (q = p; *q; q++) {
			if (q[0] == '/' && q[1] == '*') {
				depth++;
				q++;
			} else if (q[0] == '*' && q[1] == '/') {
				q++;
				if (--depth == 0) {
					q++;
					break;
				}
			}
		}
	} else if (*p == '$' && (p == sql || !ident_char(p[-1]))) {
		const char *tag_end = dollar_tag_end(p);
		if (!tag_end)
			return p;
		size_t tag_len = (size_t)(tag_end - p);
		for (q = tag_end; *q && strncmp(q, p, tag_len) != 0; q++)
			;
		q = *q ? q + tag_len : q;
	} else {
		return p;
	}
	sb_addn(out, p, (size_t)(q - p));
	return q;
}

/* Rewrites sql's parameters; sets *max to the highest number, *bad to
 * a reason when a number is out of range. */
static char *rewrite(const char *sql, int *max, char **bad, bool **used)
{
	size_t cap = 0;
	*used = NULL;
	struct strbuf out = {0};
	*max = 0;
	*bad = NULL;
	const char *p = sql;
	while (*p) {
		const char *q = skip_quoted(sql, p, &out);
		if (q != p) {
			p = q;
			continue;
		}
		if (*p != '?') {
			sb_addc(&out, *p++);
			continue;
		}
		p++;
		long n;
		if (isdigit((unsigned char)*p)) {
			char *end;
			errno = 0;
			n = strtol(p, &end, 10);
			p = end;
			if (errno || n < 1 || n > MAX_PARAMS) {
				if (!*bad)
					*bad = xasprintf("parameter ?%.*s is out of range "
							 "(1 to %d)",
							 (int)(p - q - 1), q + 1, MAX_PARAMS);
				n = 1;
			}
		} else {
			/* As SQLite numbers a bare ?: one past the highest yet. */
			n = *max + 1;
			if (n > MAX_PARAMS && !*bad)
				*bad = xasprintf("more than %d parameters", MAX_PARAMS);
		}
		if (n > *max)
			*max = (int)n;
		xgrow((void **)used, &cap, (size_t)n + 1, sizeof **used);
		(*used)[n - 1] = true;
		sb_addf(&out, "$%ld", n);
	}
	if (!out.s)
		sb_add(&out, "");
	return sb_take(&out);
}

struct pg_stmt *pg_stmt_new(struct pg_conn *c, const char *sql)
{
	struct pg_stmt *s = xcalloc(1, sizeof *s);
	s->c = c;
	s->sql = rewrite(sql, &s->nparams, &s->bad, &s->used);
	if (s->bad)
		s->nparams = 0;
	s->params = xcalloc((size_t)s->nparams + 1, sizeof *s->params);
	return s;
}

/* --- results ----------------------------------------------------------- */

static void drop_blobs(struct pg_stmt *s)
{
	for (int i = 0; i < s->nblobs; i++)
		if (s->blobs[i].p)
			PQfreemem(s->blobs[i].p);
	free(s->blobs);
	s->blobs = NULL;
	s->nblobs = 0;
}

static void drop_result(struct pg_stmt *s)
{
	drop_blobs(s);
	PQclear(s->res);
	s->res = NULL;
	s->row = s->nrows = 0;
	s->started = s->finished = s->ahead = s->failed = false;
}

static void clear_param(struct param *p)
{
	free(p->value);
	*p = (struct param){0};
}

void pg_stmt_reset(struct pg_stmt *s, bool clear_bindings)
{
	if (!s)
		return;
	drop_result(s);
	if (clear_bindings)
		for (int i = 0; i < s->nparams; i++)
			clear_param(&s->params[i]);
}

void pg_stmt_free(struct pg_stmt *s)
{
	if (!s)
		return;
	pg_stmt_reset(s, true);
	struct prepared *next;
	for (struct prepared *p = s->prepared; p; p = next) {
		next = p->next;
		if (p->generation == s->c->generation)
			pg_deallocate(s->c, p->name);
		free(p->types);
		free(p);
	}
	free(s->params);
	free(s->used);
	free(s->sql);
	free(s->bad);
	free(s);
}

/* --- bindings ---------------------------------------------------------- */

/* The parameter numbered i (1-based), emptied; NULL when out of range
 * (the statement then refuses to run, as a misuse). */
static struct param *slot(struct pg_stmt *s, int i)
{
	if (i < 1 || i > s->nparams) {
		if (!s->bad)
			s->bad = xasprintf("parameter %d is out of range (the statement takes %d)",
					   i, s->nparams);
		return NULL;
	}
	struct param *p = &s->params[i - 1];
	clear_param(p);
	return p;
}

void pg_bind_int(struct pg_stmt *s, int i, int64_t v)
{
	struct param *p = slot(s, i);
	if (p)
		*p = (struct param){.type = OID_INT8, .value = xasprintf("%" PRId64, v)};
}

void pg_bind_double(struct pg_stmt *s, int i, double v)
{
	struct param *p = slot(s, i);
	if (!p)
		return;
	char *text = isnan(v)    ? xstrdup("NaN")
		     : isinf(v) ? xstrdup(v > 0 ? "Infinity" : "-Infinity")
				: xasprintf("%.17g", v);
	*p = (struct param){.type = OID_FLOAT8, .value = text};
}

void pg_bind_null(struct pg_stmt *s, int i)
{
	slot(s, i);
}

void pg_bind_text(struct pg_stmt *s, int i, const char *v)
{
	struct param *p = slot(s, i);
	if (p && v)
		*p = (struct param){.type = OID_TEXT, .value = xstrdup(v)};
}

void pg_bind_blob(struct pg_stmt *s, int i, const void *v, size_t n)
{
	struct param *p = slot(s, i);
	if (!p || !v)
		return;
	if (n > INT32_MAX) {
		s->bad = s->bad ? s->bad : xasprintf("parameter %d: a blob over 2 GiB", i);
		return;
	}
	*p = (struct param){.type = OID_BYTEA, .value = xmalloc(n ? n : 1),
			    .len = (int)n, .binary = true};
	memcpy(p->value, v, n);
}

int pg_param_count(struct pg_stmt *s)
{
	return s->nparams;
}

/* --- running ----------------------------------------------------------- */

/* The bound values as libpq takes them (args_free). */
struct args {
	Oid *types;
	const char **values;
	int *lens, *formats;
};

static void args_make(struct pg_stmt *s, struct args *a)
{
	int n = s->nparams;
	a->types = xcalloc((size_t)n + 1, sizeof *a->types);
	a->values = xcalloc((size_t)n + 1, sizeof *a->values);
	a->lens = xcalloc((size_t)n + 1, sizeof *a->lens);
	a->formats = xcalloc((size_t)n + 1, sizeof *a->formats);
	for (int i = 0; i < n; i++) {
		a->types[i] = s->used[i] ? s->params[i].type : OID_TEXT;
		a->values[i] = s->params[i].value;
		a->lens[i] = s->params[i].len;
		a->formats[i] = s->params[i].binary;
	}
}

static void args_free(struct args *a)
{
	free(a->types);
	free(a->values);
	free(a->lens);
	free(a->formats);
}

/* The server-side statement prepared for the bound types on this
 * connection, or NULL. */
static struct prepared *prepared_find(struct pg_stmt *s, const Oid *types)
{
	struct pg_conn *c = s->c;
	size_t tsize = (size_t)s->nparams * sizeof *types;
	struct prepared **link = &s->prepared;
	while (*link) {
		struct prepared *p = *link;
		if (p->generation != c->generation) { /* forgot with the old session */
			*link = p->next;
			free(p->types);
			free(p);
			continue;
		}
		if (tsize == 0 || memcmp(p->types, types, tsize) == 0)
			return p;
		link = &p->next;
	}
	return NULL;
}

/* A name and a record for a statement about to be prepared; linked to
 * s by prepared_keep once the server has it. */
static struct prepared *prepared_new(struct pg_stmt *s, const Oid *types)
{
	size_t tsize = (size_t)s->nparams * sizeof *types;
	struct prepared *p = xcalloc(1, sizeof *p);
	snprintf(p->name, sizeof p->name, "desk_%lu", ++s->c->next_name);
	p->types = xmalloc(tsize ? tsize : 1);
	memcpy(p->types, types, tsize);
	p->generation = s->c->generation;
	return p;
}

static void prepared_keep(struct pg_stmt *s, struct prepared *p)
{
	p->next = s->prepared;
	s->prepared = p;
}

/* Takes a command's result as the statement's: its rows, or its failure
 * (reported at the statement's first pg_step). */
static void take_result(struct pg_stmt *s, PGresult *res)
{
	ExecStatusType st = PQresultStatus(res);
	s->res = res;
	s->failed = st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK;
	if (!s->failed)
		pg_note_changes(s->c, res);
	s->nrows = s->failed ? 0 : PQntuples(res);
	s->row = 0;
	s->started = true;
	s->ahead = true;
}

/* The next command's result in a pipeline, past the NULL that ends it;
 * NULL when there is none (the connection failed). */
static PGresult *pipe_take(PGconn *pg)
{
	PGresult *r = PQgetResult(pg);
	if (r && PQresultStatus(r) != PGRES_PIPELINE_SYNC) {
		PGresult *more;
		while ((more = PQgetResult(pg)) != NULL)
			PQclear(more);
	}
	return r;
}

/* How a statement goes in a pipeline. */
enum how { HOW_SKIP, HOW_UNNAMED, HOW_PREPARED, HOW_PREPARE };

/* Sends v[0..n) in one round trip (libpq's pipeline mode: each one's
 * parse, bind and execute, then one sync) and leaves each with its
 * result for pg_step.  A statement that has a result, or cannot run (a
 * misuse), is skipped; one the server skipped after another's failure,
 * or that a failing connection left without a result, is left unrun,
 * and its pg_step runs it alone, failing as it would alone. */
static void run_pipeline(struct pg_conn *c, struct pg_stmt **v, size_t n)
{
	if (PQenterPipelineMode(c->pg) != 1)
		return;
	enum how *how = xcalloc(n + 1, sizeof *how);
	struct prepared **fresh = xcalloc(n + 1, sizeof *fresh);
	bool ok = true;
	for (size_t i = 0; i < n && ok; i++) {
		struct pg_stmt *s = v[i];
		if (!s || s->bad || s->started)
			continue;
		struct args a;
		args_make(s, &a);
		int np = s->nparams;
		struct prepared *p = prepared_find(s, a.types);
		if (p) {
			how[i] = HOW_PREPARED;
			ok = PQsendQueryPrepared(c->pg, p->name, np, a.values, a.lens, a.formats, 0);
		} else if (!s->ran_unnamed) {
			/* A statement's first run goes unnamed: many run once
			 * per process (a CLI command, a console's start), and
			 * a named one would be DEALLOCATEd when the cache lets
			 * it go.  One run again is prepared. */
			how[i] = HOW_UNNAMED;
			s->ran_unnamed = true;
			ok = PQsendQueryParams(c->pg, s->sql, np, a.types, a.values, a.lens, a.formats,
					       0);
		} else {
			how[i] = HOW_PREPARE;
			fresh[i] = prepared_new(s, a.types);
			ok = PQsendPrepare(c->pg, fresh[i]->name, s->sql, np, a.types) &&
			     PQsendQueryPrepared(c->pg, fresh[i]->name, np, a.values, a.lens,
						 a.formats, 0);
		}
		args_free(&a);
	}
	/* A send that failed (the connection, or memory) leaves every
	 * statement unrun: what came back is drained below. */
	ok = PQpipelineSync(c->pg) == 1 && ok;
	for (size_t i = 0; i < n && ok; i++) {
		if (how[i] == HOW_SKIP)
			continue;
		struct pg_stmt *s = v[i];
		PGresult *prep = how[i] == HOW_PREPARE ? pipe_take(c->pg) : NULL;
		PGresult *res = pipe_take(c->pg);
		ExecStatusType pst = prep ? PQresultStatus(prep) : PGRES_COMMAND_OK;
		if (prep && pst == PGRES_COMMAND_OK) {
			prepared_keep(s, fresh[i]);
			fresh[i] = NULL;
		}
		if (how[i] == HOW_PREPARE && !prep) {
			PQclear(res); /* lost with the connection: unrun */
		} else if (pst != PGRES_COMMAND_OK && pst != PGRES_PIPELINE_ABORTED) {
			take_result(s, prep); /* its parse failed */
			prep = NULL;
			PQclear(res);
		} else if (res && pst == PGRES_COMMAND_OK &&
			   PQresultStatus(res) != PGRES_PIPELINE_ABORTED) {
			take_result(s, res);
		} else {
			PQclear(res);
		}
		PQclear(prep);
	}
	/* The sync's own result; a failed send or connection may leave
	 * more, which a bounded drain takes so that the pipeline can end. */
	for (size_t left = 4 * n + 8; left > 0 && PQpipelineStatus(c->pg) != PQ_PIPELINE_OFF;
	     left--) {
		if (PQexitPipelineMode(c->pg) == 1)
			break;
		PQclear(PQgetResult(c->pg));
	}
	for (size_t i = 0; i < n; i++)
		if (fresh[i]) {
			free(fresh[i]->types);
			free(fresh[i]);
		}
	free(fresh);
	free(how);
}

void pg_run_together(struct pg_conn *c, struct pg_stmt **v, size_t n)
{
	pg_clear_error(c);
	if (n > 1 && pg_ready(c))
		run_pipeline(c, v, n);
}

static int execute(struct pg_stmt *s)
{
	struct pg_conn *c = s->c;
	if (s->bad) {
		pg_keep_own_error(c, s->bad);
		return -1;
	}
	if (!pg_ready(c))
		return -1;
	struct args a;
	args_make(s, &a);
	int n = s->nparams;
	struct prepared *p = prepared_find(s, a.types);
	bool sent = p || !s->ran_unnamed;
	PGresult *res = NULL;
	if (p) {
		res = PQexecPrepared(c->pg, p->name, n, a.values, a.lens, a.formats, 0);
	} else if (!s->ran_unnamed) { /* as in run_pipeline */
		s->ran_unnamed = true;
		res = PQexecParams(c->pg, s->sql, n, a.types, a.values, a.lens, a.formats, 0);
	}
	args_free(&a);
	if (sent) {
		take_result(s, res); /* NULL: the connection's failure */
	} else {
		/* Prepared and run in one round trip, not two. */
		run_pipeline(c, &s, 1);
		if (!s->started) {
			pg_keep_error(c, NULL);
			return -1;
		}
	}
	return 0;
}

int pg_step(struct pg_stmt *s)
{
	if (s->finished) /* as sqlite3_step: a finished statement runs again */
		drop_result(s);
	if (!s->started) {
		pg_clear_error(s->c);
		if (execute(s) != 0)
			return -1;
	}
	if (s->ahead) { /* the result came with the statement: its first row */
		s->ahead = false;
		pg_clear_error(s->c);
		if (s->failed) {
			pg_keep_error(s->c, s->res);
			drop_result(s);
			return -1;
		}
	} else {
		drop_blobs(s);
		s->row++;
	}
	if (s->row < s->nrows)
		return ST_ROW;
	s->finished = true;
	return ST_DONE;
}

/* --- columns ----------------------------------------------------------- */

static bool on_row(struct pg_stmt *s, int i)
{
	return s->res && s->row < s->nrows && i >= 0 && i < PQnfields(s->res);
}

bool pg_col_is_null(struct pg_stmt *s, int i)
{
	return !on_row(s, i) || PQgetisnull(s->res, s->row, i);
}

const char *pg_col_str(struct pg_stmt *s, int i)
{
	return pg_col_is_null(s, i) ? NULL : PQgetvalue(s->res, s->row, i);
}

size_t pg_col_len(struct pg_stmt *s, int i)
{
	return pg_col_is_null(s, i) ? 0 : (size_t)PQgetlength(s->res, s->row, i);
}

static bool is_bool(const char *v, int64_t *out)
{
	if (strcmp(v, "t") == 0 || strcmp(v, "f") == 0) {
		*out = v[0] == 't';
		return true;
	}
	return false;
}

int64_t pg_col_int(struct pg_stmt *s, int i)
{
	const char *v = pg_col_str(s, i);
	int64_t b;
	if (!v)
		return 0;
	if (is_bool(v, &b))
		return b;
	char *end;
	errno = 0;
	long long n = strtoll(v, &end, 10);
	if (*end == '.' || *end == 'e' || *end == 'E') { /* numeric or float text */
		double d = strtod(v, NULL);
		if (isnan(d))
			return 0;
		if (d >= 9223372036854775807.0)
			return INT64_MAX;
		if (d <= -9223372036854775808.0)
			return INT64_MIN;
		return (int64_t)d;
	}
	return n;
}

double pg_col_double(struct pg_stmt *s, int i)
{
	const char *v = pg_col_str(s, i);
	int64_t b;
	if (!v)
		return 0.0;
	if (is_bool(v, &b))
		return (double)b;
	return strtod(v, NULL);
}

const void *pg_col_blob(struct pg_stmt *s, int i, size_t *n)
{
	*n = 0;
	const char *v = pg_col_str(s, i);
	if (!v)
		return NULL;
	if (PQftype(s->res, i) != OID_BYTEA) { /* text reads as its bytes */
		*n = (size_t)PQgetlength(s->res, s->row, i);
		return v;
	}
	if (!s->blobs) {
		s->nblobs = PQnfields(s->res);
		s->blobs = xcalloc((size_t)s->nblobs, sizeof *s->blobs);
	}
	struct blob *b = &s->blobs[i];
	if (!b->p) {
		b->p = PQunescapeBytea((const unsigned char *)v, &b->len);
		if (!b->p) { /* libpq's only failure here is memory */
			if (xalloc_fail_hook)
				xalloc_fail_hook();
			fputs("desk: out of memory\n", stderr);
			abort();
		}
	}
	*n = b->len;
	return b->p;
}

int pg_col_type(struct pg_stmt *s, int i)
{
	if (pg_col_is_null(s, i))
		return COL_NULL;
	switch (PQftype(s->res, i)) {
	case OID_INT8:
	case OID_INT4:
	case OID_INT2:
	case OID_BOOL:
		return COL_INT;
	case OID_FLOAT8:
	case OID_FLOAT4:
	case OID_NUMERIC:
		return COL_FLOAT;
	case OID_BYTEA:
		return COL_BLOB;
	default:
		return COL_TEXT;
	}
}
