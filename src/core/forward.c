/* forward.c: a ticket's thread (or chosen messages) mailed to a third
 * party, e.g. engineering, quoted below the agent's words.  It is stored
 * as an internal note with forward_to and a desk Message-ID; the answer
 * to that id comes back as a note (ingest.c), never as the customer's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "core.h"
#include "internal_core.h"
#include "mail.h"
#include "util.h"

static bool chosen(const struct message *m, const int64_t *ids, size_t n)
{
	if (!n) /* the thread: what the customer and the agents said */
		return m->kind == MSG_CUSTOMER || m->kind == MSG_REPLY;
	for (size_t i = 0; i < n; i++)
		if (ids[i] == m->id)
			return true;
	return false;
}

/* The agent's text, then each message quoted with who and when. */
static char *forward_body(const char *text, const struct message_list *l, const int64_t *ids,
			  size_t n)
{
	struct strbuf b = {0};
	sb_add(&b, "");
	if (text && *text)
		sb_addf(&b, "%s\n\n", text);
	for (size_t i = 0; i < l->n; i++) {
		const struct message *m = &l->v[i];
		if (!chosen(m, ids, n))
			continue;
		char when[32];
		time_format_local(m->created_at, when, sizeof when);
		char *who = mail_clean_line(m->mail_from && m->kind == MSG_CUSTOMER ? m->mail_from
					    : m->author ? m->author : "desk");
		sb_addf(&b, "On %s, %s wrote (%s):\n", when, who, msg_kind_name(m->kind));
		free(who);
		const char *p = m->body ? m->body : "";
		while (*p) {
			size_t len = strcspn(p, "\n");
			sb_addf(&b, ">%s%.*s\n", len ? " " : "", (int)len, p);
			p += len + (p[len] == '\n');
		}
		sb_add(&b, "\n");
	}
	return sb_take(&b);
}

int core_forward(struct desk *d, int64_t id, const char *to, const int64_t *ids, size_t n,
		 const char *text, int64_t *msg_id, struct derr *e)
{
	if (!to || !mail_addr_valid(to) || to[0] == '-') {
		char *shown = mail_clean_line(to); /* said back: one line */
		derr_set(e, DESK_EINVAL,
			 "forward address \"%.200s\" is not a plain address desk can mail "
			 "(like name@example.com)",
			 shown);
		free(shown);
		return DESK_EINVAL;
	}
	if (!d->cfg || str_empty(d->cfg->mail.support_address))
		return derr_set(e, DESK_EINVAL, "mail is not set up (mail.support_address): "
						"nothing was forwarded");
	struct message_list l = {0};
	int rc = store_messages(d->st, id, &l, e);
	for (size_t i = 0; rc == DESK_OK && i < n; i++) {
		size_t k = 0;
		while (k < l.n && l.v[k].id != ids[i])
			k++;
		if (k == l.n)
			rc = derr_set(e, DESK_ENOTFOUND, "ticket %lld has no message %lld",
				      (long long)id, (long long)ids[i]);
	}
	char *body = rc == DESK_OK ? forward_body(text, &l, ids, n) : NULL;
	message_list_free(&l);
	if (rc == DESK_OK && (rc = caps_check("the forward", body, DESK_MAX_BODY, e)) == DESK_OK &&
	    strspn(body, " \t\n") == strlen(body))
		rc = derr_set(e, DESK_EINVAL, "ticket %lld: nothing to forward", (long long)id);
	struct ticket t;
	if (rc == DESK_OK)
		rc = core_ticket_begin(d, id, &t, e);
	if (rc) {
		free(body);
		return rc;
	}
	char *mail_id = outbound_new_message_id(d, id);
	struct message m = {
		.ticket_id = id,
		.kind = MSG_NOTE,
		.author_id = d->me.id,
		.body = body,
		.created_at = time_now(),
		.message_id = mail_id,
		.delivery = (char *)"queued",
		.forward_to = (char *)to,
	};
	rc = store_message_insert(d->st, &m, e);
	if (rc == DESK_OK)
		rc = core_event(d, id, "forward", "to", NULL, to, e);
	rc = core_ticket_finish(d, &t, rc, false, e);
	if (rc == DESK_OK && msg_id)
		*msg_id = m.id;
	free(mail_id);
	free(body);
	return rc;
}
