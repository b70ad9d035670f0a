/* presence.c: "bob is replying", "alice, carol viewing".  The console
 * writes where its agent is (the ticket shown in the conversation, or
 * the one being replied to) when that changes and every
 * PRESENCE_REFRESH_SECONDS while it stays so, and reads everyone else's
 * presence only when the database changed or every few seconds: one
 * small query, whatever the number of agents' rows.  Stale rows (a
 * console killed without clearing its row) are ignored. */
#include <stdio.h>
#include <string.h>

#include "ui.h"
#include "util.h"

#define OTHERS_EVERY 5 /* seconds: stale rows fade even if nothing changes */

/* Where this agent is now. */
static void wanted(const struct app *a, int64_t *ticket, bool *replying)
{
	int64_t c = compose_ticket(a);
	*replying = c != 0;
	if (c)
		*ticket = c;
	else if (a->cur_id && pane_shown(a, PANE_CONV))
		*ticket = a->cur_id;
	else
		*ticket = 0;
}

static bool same_rows(const struct presence_rows *x, const struct presence_rows *y)
{
	if (x->n != y->n)
		return false;
	for (size_t i = 0; i < x->n; i++)
		if (x->v[i].ticket_id != y->v[i].ticket_id || x->v[i].replying != y->v[i].replying ||
		    strcmp(x->v[i].login ? x->v[i].login : "", y->v[i].login ? y->v[i].login : ""))
			return false;
	return true;
}

int presence_tick(struct app *a, bool db_changed)
{
	int64_t now = time_now(), ticket;
	bool replying;
	wanted(a, &ticket, &replying);
	bool moved = ticket != a->pres_ticket || replying != a->pres_replying;
	bool due = ticket && now - a->pres_written >= PRESENCE_REFRESH_SECONDS;
	if (moved || due) {
		/* Best-effort: a failure leaves the old row to fade. */
		if (core_presence_set(a->d, ticket, replying, NULL) == DESK_OK || moved) {
			a->pres_ticket = ticket;
			a->pres_replying = replying;
			a->pres_written = now;
		}
	}
	if (!db_changed && now - a->others_read < OTHERS_EVERY)
		return 0;
	a->others_read = now;
	struct presence_rows fresh = {0};
	if (core_presence_others(a->d, &fresh, NULL) != DESK_OK) {
		presence_rows_free(&fresh);
		return 0;
	}
	if (same_rows(&fresh, &a->others)) {
		presence_rows_free(&fresh);
		return 0;
	}
	presence_rows_free(&a->others);
	a->others = fresh;
	return RD_QUEUE | RD_CONV;
}

/* Appends the logins on ticket of one kind, "a, b"; returns how many. */
static int logins(const struct app *a, int64_t ticket, bool replying, struct strbuf *b)
{
	int n = 0;
	for (size_t i = 0; i < a->others.n; i++) {
		const struct presence_row *r = &a->others.v[i];
		if (r->ticket_id != ticket || r->replying != replying)
			continue;
		sb_addf(b, "%s%s", n ? ", " : "", r->login ? r->login : "?");
		n++;
	}
	return n;
}

void presence_text(const struct app *a, int64_t ticket, char *buf, size_t size)
{
	struct strbuf b = {0};
	int nr = logins(a, ticket, true, &b);
	if (nr)
		sb_add(&b, nr == 1 ? " is replying" : " are replying");
	struct strbuf v = {0};
	int nv = logins(a, ticket, false, &v);
	if (nv)
		sb_addf(&b, "%s%s %s", nr ? " · " : "", sb_str(&v), nv == 1 ? "is viewing" : "viewing");
	snprintf(buf, size, "%s", sb_str(&b));
	sb_free(&v);
	sb_free(&b);
}

void presence_marker(const struct app *a, int64_t ticket, char *buf, size_t size)
{
	struct strbuf b = {0};
	for (size_t i = 0; i < a->others.n; i++) {
		const struct presence_row *r = &a->others.v[i];
		if (r->ticket_id != ticket)
			continue;
		sb_addf(&b, "%s%s%s", b.len ? "," : "[", r->login ? r->login : "?",
			r->replying ? "✎" : "");
	}
	if (b.len)
		sb_add(&b, "] ");
	snprintf(buf, size, "%s", sb_str(&b));
	sb_free(&b);
}

void presence_leave(struct app *a)
{
	if (a->pres_ticket)
		core_presence_set(a->d, 0, false, NULL);
	a->pres_ticket = 0;
	a->pres_replying = false;
	presence_rows_free(&a->others);
}
