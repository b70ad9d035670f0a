/* search.h: what a person typed in the search box, as an FTS5 query. */
#ifndef DESK_STORE_SEARCH_H
#define DESK_STORE_SEARCH_H

#include <sqlite3.h>

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

#endif
