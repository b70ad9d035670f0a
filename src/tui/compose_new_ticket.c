/* compose_new_ticket.c: a new ticket written in the editor: the agent's
 * notes of a call, or (outbound) their first mail to the customer, and
 * creating the ticket from it when the agent sends. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compose.h"
#include "format.h"
#include "text.h"
#include "ui.h"
#include "util.h"

/* A new ticket from the compose file: the agent's note of a call, or
 * (outbound) their first mail to the customer, handed to the mailer:
 * the status line says "sent" only once sendmail took it. */
int compose_create_ticket(struct app *a)
{
	struct compose *c = a->compose;
	struct derr e = {0};
	struct new_ticket nt;
	new_ticket_init(&nt);
	nt.subject = c->subject;
	nt.channel = c->channel;
	nt.customer_id = c->customer_id;
	nt.customer_name = c->name;
	nt.customer_email = c->email;
	char *cc = NULL, *bcc = NULL, *text = NULL;
	if (c->outbound) {
		if (compose_copies_of(c, &cc, &bcc, &text, &e))
			return compose_ask_what_now(a, e.msg);
		if (strncasecmp(text, "Attach:", 7) == 0) {
			free(cc);
			free(bcc);
			free(text);
			return compose_ask_what_now(a, "A first mail carries no files yet: send them with a "
					       "reply once the ticket is open");
		}
		if (compose_blank(text) || core_signature_only(text, c->signature)) {
			free(cc);
			free(bcc);
			free(text);
			return compose_ask_what_now(a, "The mail is empty");
		}
		nt.body_kind = MSG_REPLY;
		nt.body = text;
		nt.cc = cc;
		nt.bcc = bcc;
	} else {
		nt.body = compose_blank(c->body) ? NULL : c->body;
		nt.body_kind = MSG_NOTE;
	}
	int64_t id = 0, msg_id = 0;
	int rc = core_ticket_start(a->d, &nt, &id, &msg_id, &e);
	free(cc);
	free(bcc);
	free(text);
	if (rc == DESK_EINVAL && c->outbound)
		return compose_ask_what_now(a, e.msg); /* not mailable as written: fix it, or discard */
	if (rc) {
		c->keep_file = true;
		app_fail(a, "Ticket not created: %s (your text is in %s)", e.msg, c->path);
		compose_free(&a->compose);
		return RD_STATUS;
	}
	bool outbound = c->outbound;
	compose_free(&a->compose);
	int flags = app_changed(a) | app_show(a, id, false) | app_focus(a, PANE_CONV);
	app_msg(a, "Ticket #%lld created.", (long long)id);
	if (outbound)
		flags |= mailer_send_held(a, id, msg_id, 0, NULL);
	return flags | RD_STATUS;
}

int compose_new_ticket(struct app *a, int64_t customer_id, const char *name, const char *email,
		       const char *subject, enum channel ch, bool outbound)
{
	struct derr e = {0};
	struct compose *c = xcalloc(1, sizeof *c);
	c->purpose = P_NEW;
	c->kind = outbound ? MSG_REPLY : MSG_NOTE;
	c->outbound = outbound;
	c->finish = -1;
	c->customer_id = customer_id;
	c->name = xstrdup(name);
	c->email = xstrdup(email);
	c->subject = xstrdup(subject);
	c->channel = ch;
	char *info = outbound ? xasprintf("New email ticket for %s%s%s%s: \"%s\".\n"
					  "Write your first mail to the customer above; it is "
					  "mailed to them when you send it,\nand their answer comes "
					  "back into the ticket.\n%s",
					  name ? name : "", email ? " <" : "", email ? email : "",
					  email ? ">" : "", subject, COPIES_HELP)
			      : xasprintf("New %s ticket for %s%s%s%s: \"%s\".\n"
					  "Write your notes of the conversation above; they are kept "
					  "as an internal note.\nLeave it empty to create the ticket "
					  "without one.\n",
					  channel_name(ch), name ? name : "", email ? " <" : "",
					  email ? email : "", email ? ">" : "", subject);
	char *safe = text_sanitize(info, SAN_KEEP_NEWLINES);
	char *body = NULL;
	if (outbound)
		compose_sign(a, c, &body, true);
	char *content = compose_build(body ? body : "", safe);
	free(body);
	int rc = compose_write_file(c, content, &e);
	free(content);
	free(safe);
	free(info);
	if (rc) {
		compose_free(&c);
		return app_error(a, &e);
	}
	a->compose = c;
	return compose_edit(a);
}
