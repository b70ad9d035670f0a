/* dbsetting.c: whether the database setting names a file or a server
 * (one rule for the config, core's folder checks and the store). */
#include <ctype.h>
#include <libpq-fe.h>
#include <string.h>

#include "util.h"

/* Whether s starts with one of libpq's own keywords and '=': a setting
 * meant as a conninfo even if it does not parse (libpq then says why). */
static bool starts_with_keyword(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = 0;
	while (s[n] && (isalnum((unsigned char)s[n]) || s[n] == '_'))
		n++;
	const char *after = s + n;
	while (isspace((unsigned char)*after))
		after++;
	if (n == 0 || *after != '=')
		return false;
	bool known = false;
	PQconninfoOption *defs = PQconndefaults();
	for (PQconninfoOption *o = defs; o && o->keyword; o++)
		if (strlen(o->keyword) == n && strncmp(o->keyword, s, n) == 0)
			known = true;
	PQconninfoFree(defs);
	return known;
}

bool database_is_server(const char *setting)
{
	if (!setting)
		return false;
	if (strncmp(setting, "postgresql://", 13) == 0 || strncmp(setting, "postgres://", 11) == 0)
		return true;
	/* A file name holding '=' ("my=file.db", "/srv/a=b/desk.db") fails
	 * to parse: its "keyword" is none of libpq's. */
	if (!strchr(setting, '='))
		return false;
	char *err = NULL;
	PQconninfoOption *opts = PQconninfoParse(setting, &err);
	PQfreemem(err);
	if (opts) {
		PQconninfoFree(opts);
		return true;
	}
	return starts_with_keyword(setting);
}
