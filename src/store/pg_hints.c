/* pg_hints.c: shared SQL's SQLite planner hints dropped for PostgreSQL
 * (pg_hints.h).  Quoted strings and identifiers are copied as they are. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "pg_hints.h"
#include "stmt.h"
#include "util.h"

static bool word_char(char ch)
{
	return isalnum((unsigned char)ch) || ch == '_';
}

/* Whether p starts the keyword pair INDEXED BY (any case). */
static bool at_indexed_by(const char *sql, const char *p)
{
	if (p > sql && word_char(p[-1]))
		return false;
	if (strncasecmp(p, "INDEXED", 7) != 0 || !isspace((unsigned char)p[7]))
		return false;
	const char *q = p + 7;
	while (isspace((unsigned char)*q))
		q++;
	return strncasecmp(q, "BY", 2) == 0 && isspace((unsigned char)q[2]);
}

char *pg_drop_hints(const char *sql)
{
	struct strbuf b = {0};
	for (const char *p = sql; *p; p++) {
		if (*p == '\'' || *p == '"') {
			const char *end = strchr(p + 1, *p);
			size_t n = end ? (size_t)(end - p) + 1 : strlen(p);
			sb_addn(&b, p, n);
			p += n - 1;
			continue;
		}
		if (*p == '+' && p > sql && (p[-1] == ' ' || p[-1] == '(') &&
		    isalpha((unsigned char)p[1]))
			continue;
		if (at_indexed_by(sql, p)) {
			/* INDEXED BY name, and the spaces after it (the one
			 * before it stays) */
			p += 7;
			while (isspace((unsigned char)*p))
				p++;
			p += 2;
			while (isspace((unsigned char)*p))
				p++;
			while (word_char(*p))
				p++;
			while (isspace((unsigned char)*p))
				p++;
			p--;
			continue;
		}
		sb_addc(&b, *p);
	}
	return sb_take(&b);
}

struct stmt *st_prep_hinted(struct store *st, const char *sql, struct derr *e)
{
	if (st_engine(st) == ENGINE_SQLITE)
		return st_prep(st, sql, e);
	char *pg = pg_drop_hints(sql);
	struct stmt *s = st_prep(st, pg, e);
	free(pg);
	return s;
}
