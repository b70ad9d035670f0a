/* search.h: what a person typed in the search box, as an FTS5 query
 * (SQLite, search.c) or a tsquery (PostgreSQL, search_pg.c). */
#ifndef DESK_STORE_SEARCH_H
#define DESK_STORE_SEARCH_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

struct strbuf;

/* The full-text tables a search reads (schema.c). */
enum search_table { SEARCH_TICKETS = 't', SEARCH_MESSAGES = 'm' };

/* The FTS5 query for `text` on one table: each word a quoted string (so
 * FTS5's own syntax cannot be injected), all words required, a trailing
 * '*' a prefix search.  With db, each prefix word is spelled out as the
 * terms of that table's index it stands for ("refund" OR "refunds"),
 * the same matches without FTS5 3.40 merging every matching term's
 * postings in memory before the first row; db NULL leaves prefixes to
 * FTS5.  A new string, or NULL when the text holds no words. */
char *search_fts_query(sqlite3 *db, const char *text, enum search_table table);

/* One word of a search: words are split at blanks; a trailing '*' (not
 * part of p) makes it a prefix word.  A lone "*" is no word. */
struct search_word {
	const char *p;
	size_t len;
	bool prefix;
};
/* The next word of *text, which it moves past; false when none is left. */
bool search_word_next(const char **text, struct search_word *w);

/* PostgreSQL (search_pg.c): appends to sql the tsquery that matches what
 * FTS5 matches for the n words w (pg_schema.c's top comment says how the
 * words map): all of them (any false; a word of no letter or digit then
 * matches nothing, as FTS5's empty phrase does) or any of them.  Word i
 * is the text parameter ?(first + i): the caller binds it to the word's
 * text, without its '*'. */
void search_pg_tsquery(struct strbuf *sql, const struct search_word *w, size_t n, int first,
		       bool any);

#endif
