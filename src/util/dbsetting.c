/* dbsetting.c: whether the database setting names a file or a server. */
#include <ctype.h>
#include <string.h>

#include "util.h"

/* libpq's connection keywords (PostgreSQL 15's list, abridged to those
 * a desk setting would start with). */
static const char *const keywords[] = {
	"host",	     "hostaddr", "port",	"dbname",	    "user",
	"service",   "options",	 "sslmode",	"application_name", "connect_timeout",
	"passfile",  "sslcert",	 "sslkey",	"sslrootcert",	    "target_session_attrs",
	"keepalives", "gssencmode", "require_auth", "channel_binding", "krbsrvname",
};

static bool starts_with_keyword(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strcspn(s, " \t=");
	const char *after = s + n;
	while (*after == ' ' || *after == '\t')
		after++;
	if (*after != '=')
		return false;
	for (size_t i = 0; i < ARRAY_LEN(keywords); i++)
		if (strlen(keywords[i]) == n && strncmp(s, keywords[i], n) == 0)
			return true;
	return false;
}

bool database_is_server(const char *setting)
{
	if (!setting)
		return false;
	return strncmp(setting, "postgresql://", 13) == 0 ||
	       strncmp(setting, "postgres://", 11) == 0 || starts_with_keyword(setting);
}
