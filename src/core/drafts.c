/* drafts.c: what the drafts list says about a draft (its age, its
 * first line) and where a draft of a merged ticket goes on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core.h"
#include "util.h"

/* Local calendar days from then to now (0: the same day). */
static long days_between(int64_t then, int64_t now)
{
	time_t a = (time_t)then, b = (time_t)now;
	struct tm ta, tb;
	localtime_r(&a, &ta);
	localtime_r(&b, &tb);
	/* Noon of each day, through mktime, so a DST change does not count. */
	ta.tm_hour = tb.tm_hour = 12;
	ta.tm_min = tb.tm_min = ta.tm_sec = tb.tm_sec = 0;
	ta.tm_isdst = tb.tm_isdst = -1;
	double d = difftime(mktime(&tb), mktime(&ta)) / 86400.0;
	return (long)(d + (d < 0 ? -0.5 : 0.5));
}

void draft_age(int64_t then, int64_t now, char *buf, size_t size)
{
	int64_t s = now - then;
	long days = days_between(then, now);
	if (s < 60)
		snprintf(buf, size, "just now");
	else if (s < 3600)
		snprintf(buf, size, "%lld min", (long long)(s / 60));
	else if (s < 12 * 3600 || days == 0)
		snprintf(buf, size, "%lld h", (long long)(s / 3600));
	else if (days == 1)
		snprintf(buf, size, "yesterday");
	else if (days < 7)
		snprintf(buf, size, "%ld days", days);
	else {
		time_t t = (time_t)then;
		struct tm tm;
		localtime_r(&t, &tm);
		strftime(buf, size, "%Y-%m-%d", &tm);
	}
}

char *draft_first_line(const char *body)
{
	const char *p = body ? body : "";
	for (;;) {
		size_t n = strcspn(p, "\n");
		for (size_t i = 0; i < n; i++)
			if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
				return xstrndup(p + i, n - i);
		if (!p[n])
			return xstrdup("");
		p += n + 1;
	}
}

int core_draft_follow_merge(struct desk *d, int64_t ticket, enum msg_kind kind, int64_t *into,
			    struct derr *e)
{
	*into = ticket;
	/* A chain of merges ends at the ticket that lives on; a loop (only
	 * an import could make one) ends after a few steps. */
	for (int hops = 0; hops < 16; hops++) {
		struct ticket t;
		int rc = store_ticket_get(d->st, *into, &t, e);
		if (rc)
			return rc;
		int64_t next = t.merged_into;
		ticket_free(&t);
		if (!next)
			break;
		*into = next;
	}
	if (*into == ticket)
		return DESK_OK;
	int rc = store_begin(d->st, e);
	if (rc == DESK_OK && (rc = store_draft_move(d->st, ticket, *into, d->me.id, kind, e)) == DESK_OK)
		rc = store_commit(d->st, e);
	if (rc) {
		store_rollback(d->st);
		if (rc == DESK_ECONFLICT)
			derr_set(e, rc,
				 "ticket %lld was merged into %lld, where you have a %s draft "
				 "already: resume that one and copy what you need from this one",
				 (long long)ticket, (long long)*into, msg_kind_name(kind));
	}
	return rc;
}
