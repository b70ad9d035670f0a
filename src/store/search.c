/* search.c: what a person typed in the search box, as an FTS5 query.
 *
 * Prefix words ("refun*") are the costly part.  FTS5 as of SQLite 3.40
 * answers a prefix by merging the postings of every term with that
 * prefix, in memory, before it hands out the first row: on 9.5M messages
 * "refun*" took 0.6-1 s and 50 MB, "th*" 7-8 s and 430 MB, although the
 * queue shows only the newest matches.  The same query written as an OR
 * of the terms themselves is merged lazily, newest first, and stops with
 * the LIMIT (1-5 ms).  So a prefix word is spelled out here as the terms
 * of the index it stands for, found through an fts5vocab table: one
 * seek per term, no postings merged ("refun*": 4 seeks, 20-40 ms; each
 * seek reads past the postings of the term before it, so a prefix of
 * the most common words, "th*", still takes 0.1-1.4 s, in little
 * memory).  The matches are the same by construction: a prefix matches
 * exactly the terms that start with it.  A prefix of more than
 * SEARCH_MAX_TERMS terms (typically short numbers in subjects, whose
 * postings are small and cheap to merge) is left to FTS5, and so is any
 * word when something fails: slower, never different. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "search.h"
#include "util.h"

/* A prefix standing for more terms than this is left to FTS5. */
#define SEARCH_MAX_TERMS 64
/* The longest term looked up; longer prefixes are left to FTS5. */
#define SEARCH_MAX_TERM_BYTES 512

struct tokens {
	char **v;
	size_t n;
};

struct expander {
	sqlite3 *db;
	sqlite3_stmt *probe; /* probe_prep; NULL leaves prefixes to FTS5 */
	fts5_tokenizer tk;
	Fts5Tokenizer *tok; /* created on the first prefix word */
	bool broken; /* no tokenizer: leave prefixes to FTS5 */
	bool failed; /* a lookup failed (interrupted, say): not to be cached */
};

/* The last few queries built, by connection, table and text: a page of
 * the queue, the count after it and the next pages each bind the same
 * search.  An entry holds
 * while nothing was written: the connection's data_version (commits of
 * others) and total_changes (its own writes) as they were.  A
 * connection closed and another opened at the same address cannot hit:
 * the new one lacks the vocabulary table, and making it drops the
 * address's entries.  Not thread-safe; desk is single-threaded. */
#define CACHE_SIZE 4
static struct cached {
	sqlite3 *db;
	enum search_table table;
	sqlite3_int64 data_version, changes;
	char *text, *query;
} cache[CACHE_SIZE];
static unsigned cache_next;

/* Appends the word as one FTS5 string (its '"' doubled), then '*' for a
 * prefix: FTS5 tokenizes the string itself. */
static void add_quoted(struct strbuf *b, const char *w, size_t len, bool prefix)
{
	sb_addc(b, '"');
	for (size_t i = 0; i < len; i++) {
		if (w[i] == '"')
			sb_addc(b, '"');
		sb_addc(b, w[i]);
	}
	sb_addc(b, '"');
	if (prefix)
		sb_addc(b, '*');
}

static fts5_api *fts5_of(sqlite3 *db)
{
	fts5_api *api = NULL;
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_pointer(s, 1, (void *)&api, "fts5_api_ptr", NULL);
		sqlite3_step(s);
	}
	sqlite3_finalize(s);
	return api;
}

/* The statement that finds the first term >= ?1 of the table's index.
 * The 'instance' type of fts5vocab seeks to ?1 and stops at the first
 * posting, where 'row' and 'col' count every posting of each term.  The
 * table lives in this connection's temp schema: nothing to migrate, and
 * it works on a read-only database. */
static sqlite3_stmt *probe_prep(sqlite3 *db, enum search_table table, bool *created)
{
	const char *probe = table == SEARCH_TICKETS
				    ? "SELECT term FROM temp.desk_ticket_terms"
				      " WHERE term >= ?1 LIMIT 1"
				    : "SELECT term FROM temp.desk_message_terms"
				      " WHERE term >= ?1 LIMIT 1";
	const char *create = table == SEARCH_TICKETS
				     ? "CREATE VIRTUAL TABLE IF NOT EXISTS temp.desk_ticket_terms"
				       " USING fts5vocab(main, ticket_fts, instance)"
				     : "CREATE VIRTUAL TABLE IF NOT EXISTS temp.desk_message_terms"
				       " USING fts5vocab(main, message_fts, instance)";
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(db, probe, -1, &s, NULL) == SQLITE_OK)
		return s;
	if (sqlite3_exec(db, create, NULL, NULL, NULL) != SQLITE_OK)
		return NULL;
	*created = true;
	if (sqlite3_prepare_v2(db, probe, -1, &s, NULL) != SQLITE_OK) {
		sqlite3_finalize(s);
		return NULL;
	}
	return s;
}

static bool expander_start(struct expander *x)
{
	if (x->broken || !x->probe)
		return false;
	if (x->tok)
		return true;
	x->broken = true;
	fts5_api *api = fts5_of(x->db);
	void *ud = NULL;
	if (!api || api->xFindTokenizer(api, "unicode61", &ud, &x->tk) != SQLITE_OK)
		return false;
	/* Must match tokenize= of ticket_fts and message_fts (schema.c). */
	const char *args[] = {"remove_diacritics", "2"};
	if (x->tk.xCreate(ud, args, 2, &x->tok) != SQLITE_OK) {
		x->tok = NULL;
		return false;
	}
	x->broken = false;
	return true;
}

static void expander_end(struct expander *x)
{
	if (x->tok)
		x->tk.xDelete(x->tok);
}

static int on_token(void *ctx, int tflags, const char *token, int n, int start, int end)
{
	(void)start;
	(void)end;
	struct tokens *t = ctx;
	if (tflags & FTS5_TOKEN_COLOCATED)
		return SQLITE_OK;
	t->v = xrealloc(t->v, (t->n + 1) * sizeof *t->v);
	t->v[t->n++] = xstrndup(token, (size_t)n);
	return SQLITE_OK;
}

static void tokens_free(struct tokens *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i]);
	free(t->v);
}

/* One alternative of a prefix word: the word's tokens before the last,
 * then `term`, as one FTS5 phrase. */
static void add_phrase(struct strbuf *b, const struct tokens *t, const char *term)
{
	struct strbuf p = {0};
	for (size_t i = 0; i + 1 < t->n; i++) {
		sb_add(&p, t->v[i]);
		sb_addc(&p, ' ');
	}
	sb_add(&p, term);
	add_quoted(b, sb_str(&p), p.len, false);
	sb_free(&p);
}

/* Appends the prefix word as the terms it stands for: ("t1" OR "t2"),
 * or, for a word of several tokens ("e-mai*"), the same phrases with
 * each term in the last place.  False (and nothing appended) to leave
 * the word to FTS5. */
static bool add_expanded(struct expander *x, const char *word, size_t len, struct strbuf *b)
{
	if (!expander_start(x))
		return false;
	struct tokens t = {0};
	int rc = x->tk.xTokenize(x->tok, &t, FTS5_TOKENIZE_QUERY | FTS5_TOKENIZE_PREFIX, word,
				 (int)len, on_token);
	size_t plen = t.n ? strlen(t.v[t.n - 1]) : 0;
	if (rc != SQLITE_OK || t.n == 0 || plen >= SEARCH_MAX_TERM_BYTES) {
		tokens_free(&t);
		return false;
	}
	const char *prefix = t.v[t.n - 1];
	/* Terms in index order: the first >= the prefix, then each next one
	 * found by seeking just past the last (its bytes and a NUL, which no
	 * term contains), until one no longer starts with the prefix. */
	char key[SEARCH_MAX_TERM_BYTES + 1];
	size_t klen = plen;
	memcpy(key, prefix, plen);
	char *terms[SEARCH_MAX_TERMS];
	size_t n = 0;
	bool ok = true;
	for (;;) {
		sqlite3_bind_text(x->probe, 1, key, (int)klen, SQLITE_TRANSIENT);
		rc = sqlite3_step(x->probe);
		if (rc != SQLITE_ROW) {
			ok = rc == SQLITE_DONE;
			x->failed |= !ok;
			break;
		}
		const char *term = (const char *)sqlite3_column_text(x->probe, 0);
		size_t tlen = (size_t)sqlite3_column_bytes(x->probe, 0);
		if (!term || tlen < plen || memcmp(term, prefix, plen) != 0)
			break;
		if (n == SEARCH_MAX_TERMS || tlen >= SEARCH_MAX_TERM_BYTES ||
		    memchr(term, '\0', tlen)) {
			ok = false;
			break;
		}
		terms[n++] = xstrndup(term, tlen);
		memcpy(key, term, tlen);
		key[tlen] = '\0';
		klen = tlen + 1;
		sqlite3_reset(x->probe);
	}
	sqlite3_reset(x->probe);
	sqlite3_clear_bindings(x->probe);
	if (ok && n == 0) {
		/* No term starts with the prefix, so none equals it either: the
		 * exact phrase matches nothing, as the prefix would. */
		add_phrase(b, &t, prefix);
	} else if (ok) {
		sb_addc(b, '(');
		for (size_t i = 0; i < n; i++) {
			if (i)
				sb_add(b, " OR ");
			add_phrase(b, &t, terms[i]);
		}
		sb_addc(b, ')');
	}
	for (size_t i = 0; i < n; i++)
		free(terms[i]);
	tokens_free(&t);
	return ok;
}

bool search_word_next(const char **text, struct search_word *w)
{
	const char *p = *text;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p) {
			*text = p;
			return false;
		}
		const char *start = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n')
			p++;
		size_t len = (size_t)(p - start);
		bool prefix = len > 1 && start[len - 1] == '*';
		if (prefix)
			len--;
		if (len == 1 && *start == '*')
			continue;
		*w = (struct search_word){start, len, prefix};
		*text = p;
		return true;
	}
}

/* The query with prefixes expanded by x (none when x->probe is NULL). */
static char *build(struct expander *x, const char *text)
{
	struct strbuf b = {0};
	struct search_word w;
	while (search_word_next(&text, &w)) {
		/* Explicit AND: FTS5 takes "a" "b" as both, but not ("a") "b". */
		if (b.len)
			sb_add(&b, " AND ");
		if (!w.prefix || !add_expanded(x, w.p, w.len, &b))
			add_quoted(&b, w.p, w.len, w.prefix);
	}
	expander_end(x);
	return b.len ? sb_take(&b) : (sb_free(&b), NULL);
}

static bool data_version(sqlite3 *db, sqlite3_int64 *v)
{
	sqlite3_stmt *s = NULL;
	bool ok = sqlite3_prepare_v2(db, "PRAGMA data_version", -1, &s, NULL) == SQLITE_OK &&
		  sqlite3_step(s) == SQLITE_ROW;
	if (ok)
		*v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return ok;
}

char *search_fts_query(sqlite3 *db, const char *text, enum search_table table)
{
	struct expander x = {.db = db};
	if (!db || !strstr(text, "*"))
		return build(&x, text);
	bool created = false;
	x.probe = probe_prep(db, table, &created);
	sqlite3_int64 dv = 0, changes = sqlite3_total_changes64(db);
	bool cacheable = x.probe && data_version(db, &dv);
	struct cached *c = NULL;
	for (int i = 0; i < CACHE_SIZE; i++) {
		c = &cache[i];
		if (c->db != db || c->table != table)
			continue;
		if (created) {
			c->db = NULL;
			continue;
		}
		if (cacheable && c->data_version == dv && c->changes == changes &&
		    strcmp(c->text, text) == 0) {
			sqlite3_finalize(x.probe);
			return xstrdup(c->query);
		}
	}
	char *q = build(&x, text);
	sqlite3_finalize(x.probe);
	if (cacheable && q && !x.failed) {
		c = &cache[cache_next++ % CACHE_SIZE];
		free(c->text);
		free(c->query);
		*c = (struct cached){db, table, dv, changes, xstrdup(text), xstrdup(q)};
	}
	return q;
}
