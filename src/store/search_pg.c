/* search_pg.c: a search's words as a PostgreSQL tsquery, matching what
 * FTS5 matches for the same words on SQLite (search.c, kb.c).
 *
 * Each word is desk_fts_query(word, prefix) (pg_schema.c): its tokens as
 * a phrase, the last a prefix for "refun*".  The words are then joined
 * with && (all) or || (any).  PostgreSQL drops an operand with no
 * lexemes from && ("refund --" would match as "refund"), where FTS5's
 * empty phrase makes the whole AND match nothing: so with all words
 * required, a word that gives no lexeme makes the query NULL, which
 * matches no row.  The words are parameters: nothing a person typed is
 * ever read as query syntax. */
#include "search.h"
#include "util.h"

static void add_word(struct strbuf *sql, const struct search_word *w, int param)
{
	sb_addf(sql, "desk_fts_query(?%d, %s)", param, w->prefix ? "true" : "false");
}

void search_pg_tsquery(struct strbuf *sql, const struct search_word *w, size_t n, int first,
		       bool any)
{
	if (any) {
		sb_addc(sql, '(');
		for (size_t i = 0; i < n; i++) {
			if (i)
				sb_add(sql, " || ");
			add_word(sql, &w[i], first + (int)i);
		}
		sb_addc(sql, ')');
		return;
	}
	sb_add(sql, "(CASE WHEN ");
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_add(sql, " OR ");
		sb_add(sql, "numnode(");
		add_word(sql, &w[i], first + (int)i);
		sb_add(sql, ") = 0");
	}
	sb_add(sql, " THEN NULL ELSE ");
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_add(sql, " && ");
		add_word(sql, &w[i], first + (int)i);
	}
	sb_add(sql, " END)");
}
