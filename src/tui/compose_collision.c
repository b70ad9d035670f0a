/* compose_collision.c: before sending, a customer message or another
 * agent's reply that arrived while the agent wrote is shown, with the
 * choice to send anyway, edit again or postpone, so nobody answers a
 * question the customer has since changed or a colleague has answered. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compose.h"
#include "text.h"
#include "ui.h"
#include "util.h"

#define COLLISION_LINES 3    /* lines of each new message shown */

/* Messages that arrived since composing began and that the agent must
 * see before sending: the customer's, and other agents' public replies.
 * Returns them as lines to show (sanitized), or NULL when none; moves
 * c->seen_msg on so the same ones are not shown twice. */
char *compose_collision(struct app *a, struct compose *c, int *count)
{
	struct message_list l = {0};
	struct derr e = {0};
	*count = 0;
	if (store_messages(a->d->st, c->ticket, &l, &e) != DESK_OK) {
		message_list_free(&l);
		return NULL;
	}
	struct strbuf b = {0};
	int64_t top = c->seen_msg;
	for (size_t i = 0; i < l.n; i++) {
		const struct message *m = &l.v[i];
		if (m->id > top)
			top = m->id;
		if (m->id <= c->seen_msg)
			continue;
		bool theirs = m->kind == MSG_CUSTOMER ||
			      (m->kind == MSG_REPLY && m->author_id != a->d->me.id);
		if (!theirs)
			continue;
		char when[64];
		time_format_local(m->created_at, when, sizeof when);
		char *who = text_sanitize(m->author ? m->author : "?", 0);
		sb_addf(&b, "%s── %s %s at %s:\n", b.len ? "\n" : "", who,
			m->kind == MSG_CUSTOMER ? "(customer) wrote" : "replied", when);
		free(who);
		char *body = text_sanitize(m->body ? m->body : "", SAN_KEEP_NEWLINES);
		const char *p = body;
		int n = 0;
		while (*p && n < COLLISION_LINES) {
			size_t len = strcspn(p, "\n");
			if (len || n) {
				sb_add(&b, "   ");
				sb_addn(&b, p, len);
				sb_addc(&b, '\n');
				n++;
			}
			p += len + (p[len] == '\n');
		}
		if (*p)
			sb_add(&b, "   …\n");
		free(body);
		(*count)++;
	}
	message_list_free(&l);
	c->seen_msg = top;
	if (!b.len) {
		sb_free(&b);
		return NULL;
	}
	return sb_take(&b);
}

static int collision_answer(struct app *a, const char *answer, void *data)
{
	struct compose *c = a->compose;
	if (!c)
		return 0;
	switch (answer ? answer[0] : 0) {
	case 's': return compose_send(a) | RD_CONV;
	case 'e': return compose_edit(a);
	default: return compose_postpone(a) | RD_CONV; /* p, or Esc: nothing is lost */
	}
}

/* Shows what arrived meanwhile above the question. */
int compose_ask_collision(struct app *a, const char *detail, int count)
{
	struct compose *c = a->compose;
	char *label = xasprintf("%s: (s)end anyway%s%s, (e)dit again, (p)ostpone: ",
				count == 1 ? "A new message since you began" : "New messages since you began",
				c->finish >= 0 ? " and set " : "",
				c->finish >= 0 ? status_name((enum status)c->finish) : "");
	struct prompt_spec s = {.label = label, .choices = "sep", .history = -1,
				.mode = c->kind == MSG_NOTE ? "note: collision" : "reply: collision",
				.detail = detail, .done = collision_answer};
	int flags = prompt_open(a, &s);
	free(label);
	/* The conversation shows the new messages too. */
	return flags | app_changed(a);
}
