/* recipients.c: the copies of a reply (Cc, Bcc) as the agent gives them
 * and as the store keeps them: every address checked by mail_addr_valid,
 * joined by ", ", and split again for the header and the envelope. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mail.h"
#include "util.h"

/* Whether addr is already among the n words of list. */
static bool listed(char **list, size_t n, const char *addr)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(list[i], addr) == 0)
			return true;
	return false;
}

char **mail_recipients_split(const char *joined, size_t *n)
{
	*n = 0;
	char **v = xcalloc(1, sizeof *v);
	const char *p = joined ? joined : "";
	while (*p) {
		p += strspn(p, ", \t\r\n");
		size_t len = strcspn(p, ", \t\r\n");
		if (!len)
			break;
		char *a = xstrndup(p, len);
		if (listed(v, *n, a)) {
			free(a);
		} else {
			v = xrealloc(v, (*n + 2) * sizeof *v);
			v[(*n)++] = a;
			v[*n] = NULL;
		}
		p += len;
	}
	return v;
}

void mail_recipients_free(char ***v, size_t n)
{
	for (size_t i = 0; *v && i < n; i++)
		free((*v)[i]);
	free(*v);
	*v = NULL;
}

int mail_recipients_join(const char *const *given, size_t ngiven, const char *what,
			 char **out, struct derr *e)
{
	*out = NULL;
	struct strbuf b = {0};
	char **seen = xcalloc(1, sizeof *seen);
	size_t nseen = 0;
	int rc = DESK_OK;
	for (size_t i = 0; i < ngiven && rc == DESK_OK; i++) {
		size_t n;
		char **v = mail_recipients_split(given[i], &n);
		for (size_t k = 0; k < n && rc == DESK_OK; k++) {
			if (!mail_addr_valid(v[k]) || v[k][0] == '-') {
				char *shown = mail_clean_line(v[k]);
				rc = derr_set(e, DESK_EINVAL,
					      "%s address \"%.200s\" is not a plain address desk can "
					      "mail (like name@example.com)",
					      what, shown);
				free(shown);
			} else if (!listed(seen, nseen, v[k])) {
				seen = xrealloc(seen, (nseen + 1) * sizeof *seen);
				seen[nseen++] = xstrdup(v[k]);
				sb_addf(&b, "%s%s", b.len ? ", " : "", v[k]);
			}
		}
		mail_recipients_free(&v, n);
	}
	for (size_t i = 0; i < nseen; i++)
		free(seen[i]);
	free(seen);
	if (rc == DESK_OK && b.len)
		*out = sb_take(&b);
	else
		sb_free(&b);
	return rc;
}
