/* kb.c: the knowledge base's index: which article files were read (and
 * how they looked then, so only changed ones are read again), their
 * words in FTS5, the replies that used an article, and the article a
 * reply draft holds. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "search.h"
#include "util.h"

/* Words of a search: at most this many are looked up. */
#define KB_MAX_WORDS 24

void kb_article_free(struct kb_article *a)
{
	if (!a)
		return;
	free(a->file);
	free(a->slug);
	free(a->title);
	free(a->tags);
	free(a->audience);
	free(a->body);
	free(a->sha256);
	memset(a, 0, sizeof *a);
}

void kb_list_free(struct kb_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		kb_article_free(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof *l);
}

void kb_use_counts_free(struct kb_use_counts *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].slug);
		free(l->v[i].title);
	}
	free(l->v);
	memset(l, 0, sizeof *l);
}

int store_kb_files(struct store *st, struct kb_list *out, struct derr *e)
{
	memset(out, 0, sizeof *out);
	struct stmt *s = st_prep(st,
				  "SELECT id, file, slug, mtime_ns, size, sha256 FROM kb_files"
				  " ORDER BY file",
				  e);
	if (!s)
		return derr_code(e);
	int rc;
	while ((rc = st_step(s)) == ST_ROW) {
		xgrow((void **)&out->v, &out->cap, out->n + 1, sizeof *out->v);
		struct kb_article *a = &out->v[out->n++];
		memset(a, 0, sizeof *a);
		a->id = col_int(s, 0);
		a->file = col_text(s, 1);
		a->slug = col_text(s, 2);
		a->mtime_ns = col_int(s, 3);
		a->size = col_int(s, 4);
		a->sha256 = col_text(s, 5);
	}
	st_done(s);
	return rc == ST_DONE ? DESK_OK : st_fail(st, e, "listing the knowledge base's files");
}

int store_kb_drop(struct store *st, const char *file, struct derr *e)
{
	struct stmt *s = st_prep2(st,
				   "DELETE FROM kb_fts WHERE rowid ="
				   " (SELECT id FROM kb_files WHERE file = ?1)",
				   "DELETE FROM kb_fts WHERE id ="
				   " (SELECT id FROM kb_files WHERE file = ?1)",
				   e);
	if (!s)
		return derr_code(e);
	bind_text(s, 1, file);
	int rc = st_exec_stmt(st, s, e, "dropping an article from the index");
	if (rc)
		return rc;
	if (!(s = st_prep(st, "DELETE FROM kb_files WHERE file = ?1", e)))
		return derr_code(e);
	bind_text(s, 1, file);
	return st_exec_stmt(st, s, e, "dropping an article from the index");
}

int store_kb_put(struct store *st, const struct kb_article *a, struct derr *e)
{
	int rc = store_kb_drop(st, a->file, e);
	if (rc)
		return rc;
	struct stmt *s = st_prep_insert(st,
				  "INSERT INTO kb_files (file, slug, mtime_ns, size, sha256, title,"
				  " audience) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
				  e);
	if (!s)
		return derr_code(e);
	bind_text(s, 1, a->file);
	bind_text(s, 2, a->slug);
	bind_int(s, 3, a->mtime_ns);
	bind_int(s, 4, a->size);
	bind_text(s, 5, a->sha256);
	bind_text(s, 6, a->title);
	bind_text(s, 7, a->audience);
	int64_t id;
	if ((rc = st_insert(st, s, &id, e, "indexing an article")))
		return rc;
	if (!(s = st_prep2(st,
			   "INSERT INTO kb_fts (rowid, slug, title, tags, body)"
			   " VALUES (?1, ?2, ?3, ?4, ?5)",
			   "INSERT INTO kb_fts (id, slug, title, tags, body)"
			   " VALUES (?1, ?2, ?3, ?4, ?5)",
			   e)))
		return derr_code(e);
	bind_int(s, 1, id);
	bind_text(s, 2, a->slug);
	bind_text(s, 3, a->title);
	bind_text(s, 4, a->tags ? a->tags : "");
	bind_text(s, 5, a->body ? a->body : "");
	return st_exec_stmt(st, s, e, "indexing an article");
}

int store_kb_restat(struct store *st, const char *file, int64_t mtime_ns, int64_t size,
		    struct derr *e)
{
	struct stmt *s = st_prep(st, "UPDATE kb_files SET mtime_ns = ?2, size = ?3 WHERE file = ?1",
				  e);
	if (!s)
		return derr_code(e);
	bind_text(s, 1, file);
	bind_int(s, 2, mtime_ns);
	bind_int(s, 3, size);
	return st_exec_stmt(st, s, e, "updating the knowledge base's index");
}

/* Appends w as one FTS5 string ('"' doubled): FTS5 tokenizes it, and
 * nothing the agent or a subject holds can be read as query syntax. */
static void add_string(struct strbuf *b, const char *w, size_t len)
{
	sb_addc(b, '"');
	for (size_t i = 0; i < len; i++) {
		if (w[i] == '"')
			sb_addc(b, '"');
		sb_addc(b, w[i]);
	}
	sb_addc(b, '"');
}

/* Whether a word holds something FTS5's tokenizer keeps (a letter or a
 * digit of any script): a phrase of none ("--", "?") is left out. */
static bool has_token(const char *w, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)w[i];
		if (c >= 0x80 || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))
			return true;
	}
	return false;
}

/* The words of text that are looked up, at most KB_MAX_WORDS, into w:
 * each without its trailing '*'s, a prefix when every word must match
 * (what an agent types), whole otherwise.  Returns how many. */
static size_t kb_words(const char *text, enum kb_match how, struct search_word *w)
{
	const char *p = text;
	size_t n = 0;
	while (*p && n < KB_MAX_WORDS) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		const char *start = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
			p++;
		size_t len = (size_t)(p - start);
		while (len && start[len - 1] == '*')
			len--;
		if (!len || !has_token(start, len))
			continue;
		w[n++] = (struct search_word){start, len, how == KB_ALL_WORDS};
	}
	return n;
}

/* The FTS5 query for the words (n > 0). */
static char *kb_query(const struct search_word *w, size_t n, enum kb_match how)
{
	struct strbuf b = {0};
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_add(&b, how == KB_ANY_WORD ? " OR " : " AND ");
		add_string(&b, w[i].p, w[i].len);
		if (w[i].prefix)
			sb_addc(&b, '*');
	}
	return sb_take(&b);
}

#define KB_COLS                                                                        \
	"f.id, f.file, f.slug, f.title, k.tags, f.audience, k.body, f.mtime_ns, f.size," \
	" f.sha256"

static void read_article(struct stmt *s, struct kb_article *a)
{
	memset(a, 0, sizeof *a);
	a->id = col_int(s, 0);
	a->file = col_text(s, 1);
	a->slug = col_text(s, 2);
	a->title = col_text(s, 3);
	a->tags = col_text(s, 4);
	a->audience = col_text(s, 5);
	a->body = col_text(s, 6);
	a->mtime_ns = col_int(s, 7);
	a->size = col_int(s, 8);
	a->sha256 = col_text(s, 9);
}

/* The search's statement on either engine, bound: ?1 the limit, then
 * (PostgreSQL) a parameter a word, or (SQLite) the FTS5 query.  The
 * weights by column: slug (not indexed), title 10, tags 5, body 1; on
 * PostgreSQL, ts_rank's weights of the classes D (body), C, B (tags)
 * and A (title) that kb_fts.words gives them.  ts_rank is not bm25: the
 * same matches, an order that may differ where scores are close. */
static struct stmt *kb_search_stmt(struct store *st, const struct search_word *w, size_t n,
				   enum kb_match how, struct derr *e)
{
	if (st_engine(st) == ENGINE_SQLITE) {
		struct stmt *s = st_prep(st,
					  "SELECT " KB_COLS " FROM kb_fts k JOIN kb_files f ON f.id = k.rowid"
					  " WHERE kb_fts MATCH ?2"
					  " ORDER BY bm25(kb_fts, 0.0, 10.0, 5.0, 1.0), f.slug LIMIT ?1",
					  e);
		if (s) {
			char *q = kb_query(w, n, how);
			bind_text(s, 2, q);
			free(q);
		}
		return s;
	}
	struct strbuf q = {0};
	search_pg_tsquery(&q, w, n, 2, how == KB_ANY_WORD);
	struct strbuf sql = {0};
	sb_addf(&sql,
		"SELECT " KB_COLS " FROM kb_fts k JOIN kb_files f ON f.id = k.id"
		" WHERE k.words @@ %s"
		" ORDER BY ts_rank('{0.1, 0, 0.5, 1}', k.words, %s) DESC, f.slug LIMIT ?1",
		sb_str(&q), sb_str(&q));
	struct stmt *s = st_prep(st, sb_str(&sql), e);
	sb_free(&sql);
	sb_free(&q);
	for (size_t i = 0; s && i < n; i++) {
		char *word = xstrndup(w[i].p, w[i].len);
		bind_text(s, 2 + (int)i, word);
		free(word);
	}
	return s;
}

int store_kb_search(struct store *st, const char *text, enum kb_match how, int limit,
		    struct kb_list *out, struct derr *e)
{
	memset(out, 0, sizeof *out);
	struct search_word w[KB_MAX_WORDS];
	size_t n = kb_words(text ? text : "", how, w);
	if (!n)
		return DESK_OK;
	struct stmt *s = kb_search_stmt(st, w, n, how, e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, limit);
	int rc;
	while ((rc = st_step(s)) == ST_ROW) {
		xgrow((void **)&out->v, &out->cap, out->n + 1, sizeof *out->v);
		read_article(s, &out->v[out->n++]);
	}
	st_done(s);
	if (rc != ST_DONE) {
		kb_list_free(out);
		return st_fail(st, e, "searching the knowledge base");
	}
	return DESK_OK;
}

int store_kb_get(struct store *st, const char *slug, struct kb_article *out, struct derr *e)
{
	memset(out, 0, sizeof *out);
	struct stmt *s = st_prep2(st,
				   "SELECT " KB_COLS " FROM kb_files f JOIN kb_fts k ON k.rowid = f.id"
				   " WHERE f.slug = ?1",
				   "SELECT " KB_COLS " FROM kb_files f JOIN kb_fts k ON k.id = f.id"
				   " WHERE f.slug = ?1",
				   e);
	if (!s)
		return derr_code(e);
	bind_text(s, 1, slug);
	int rc = st_step(s);
	if (rc == ST_ROW)
		read_article(s, out);
	st_done(s);
	if (rc == ST_ROW)
		return DESK_OK;
	if (rc == ST_DONE)
		return derr_set(e, DESK_ENOTFOUND, "no article \"%s\" in the knowledge base", slug);
	return st_fail(st, e, "reading an article");
}

int store_kb_use_add(struct store *st, const char *slug, int64_t ticket_id, int64_t msg_id,
		     int64_t agent_id, int64_t at, struct derr *e)
{
	struct stmt *s = st_prep(st,
				  "INSERT INTO kb_uses (slug, ticket_id, message_id, agent_id, at)"
				  " VALUES (?1, ?2, ?3, ?4, ?5)",
				  e);
	if (!s)
		return derr_code(e);
	bind_text(s, 1, slug);
	bind_int(s, 2, ticket_id);
	bind_int(s, 3, msg_id);
	bind_id(s, 4, agent_id);
	bind_int(s, 5, at);
	return st_exec_stmt(st, s, e, "recording the article a reply used");
}

int store_kb_use_counts(struct store *st, int64_t since, int64_t until,
			struct kb_use_counts *out, struct derr *e)
{
	memset(out, 0, sizeof *out);
	struct stmt *s = st_prep(st,
				  "SELECT u.slug, max(f.title), count(*) AS n FROM kb_uses u"
				  " LEFT JOIN kb_files f ON f.slug = u.slug"
				  " WHERE u.at >= ?1 AND u.at < ?2"
				  " GROUP BY u.slug ORDER BY n DESC, u.slug",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, since);
	bind_int(s, 2, until);
	int rc;
	while ((rc = st_step(s)) == ST_ROW) {
		xgrow((void **)&out->v, &out->cap, out->n + 1, sizeof *out->v);
		struct kb_use_count *c = &out->v[out->n++];
		c->slug = col_text(s, 0);
		c->title = col_text(s, 1);
		c->uses = col_int(s, 2);
	}
	st_done(s);
	if (rc != ST_DONE) {
		kb_use_counts_free(out);
		return st_fail(st, e, "counting the articles used");
	}
	return DESK_OK;
}

int store_draft_article_set(struct store *st, int64_t ticket_id, int64_t agent_id,
			    const char *slug, const char *marker, struct derr *e)
{
	struct stmt *s = st_prep(st,
				  "UPDATE drafts SET kb_slug = ?3, kb_marker = ?4 WHERE ticket_id = ?1"
				  " AND agent_id = ?2 AND kind = 'reply'",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, ticket_id);
	bind_int(s, 2, agent_id);
	bind_text(s, 3, slug);
	bind_text(s, 4, marker);
	return st_exec_stmt(st, s, e, "saving a draft's article");
}

int store_draft_article_get(struct store *st, int64_t ticket_id, int64_t agent_id, char **slug,
			    char **marker, struct derr *e)
{
	*slug = *marker = NULL;
	struct stmt *s = st_prep(st,
				  "SELECT kb_slug, kb_marker FROM drafts WHERE ticket_id = ?1"
				  " AND agent_id = ?2 AND kind = 'reply' AND kb_slug IS NOT NULL"
				  " AND kb_marker IS NOT NULL",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, ticket_id);
	bind_int(s, 2, agent_id);
	int rc = st_step(s);
	if (rc == ST_ROW) {
		*slug = col_text(s, 0);
		*marker = col_text(s, 1);
	}
	st_done(s);
	return rc == ST_ROW || rc == ST_DONE ? DESK_OK
						     : st_fail(st, e, "reading a draft's article");
}
