/* ticket_new.c: opening a ticket, finding or adding its customer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "core.h"
#include "internal_core.h"
#include "mail.h"
#include "util.h"

void new_ticket_init(struct new_ticket *nt)
{
	memset(nt, 0, sizeof *nt);
	nt->body_kind = MSG_CUSTOMER;
	nt->channel = CH_EMAIL;
	nt->priority = PRIO_NORMAL;
	nt->status = -1;
}

/* Customers are matched by email (case-insensitively); without one, a
 * new customer is made from the name or phone. */
int core_find_or_add_customer(struct desk *d, const char *name, const char *email,
			      const char *phone, int64_t *id, struct derr *e)
{
	struct customer c = {0};
	int rc;
	if ((rc = caps_check("customer name", name, DESK_MAX_NAME, e)) ||
	    (rc = caps_check("customer phone", phone, DESK_MAX_NAME, e)))
		return rc;
	if (!str_empty(email)) {
		if (!strchr(email, '@'))
			return derr_set(e, DESK_EINVAL, "customer email \"%s\": expected an address "
							"like name@example.com",
					email);
		rc = store_customer_by_email(d->st, email, &c, e);
		if (rc == DESK_OK) {
			*id = c.id;
			customer_free(&c);
			return DESK_OK;
		}
		if (rc != DESK_ENOTFOUND)
			return rc;
	} else if (str_empty(name) && str_empty(phone)) {
		return derr_set(e, DESK_EINVAL, "a customer needs an email, a name or a phone");
	}
	c.name = (char *)(name ? name : "");
	c.email = (char *)email;
	c.phone = (char *)phone;
	rc = store_customer_insert(d->st, &c, e);
	*id = c.id;
	return rc;
}

/* What an outbound start needs before anything is stored: a text to
 * mail, and copies that are all addresses.  *cc and *bcc: joined, new. */
static int outbound_check(const struct new_ticket *nt, char **cc, char **bcc, struct derr *e)
{
	*cc = *bcc = NULL;
	if (str_empty(nt->body) || strspn(nt->body, " \t\r\n") == strlen(nt->body))
		return derr_set(e, DESK_EINVAL, "a ticket started by mail needs the text to send "
						"the customer; nothing was created");
	const char *one[1];
	int rc;
	one[0] = nt->cc;
	if ((rc = mail_recipients_join(one, nt->cc ? 1 : 0, "Cc", cc, e)))
		return rc;
	one[0] = nt->bcc;
	if ((rc = mail_recipients_join(one, nt->bcc ? 1 : 0, "Bcc", bcc, e)))
		xfree(cc);
	return rc;
}

/* Inside the transaction: the agent's first message, to be mailed.  The
 * customer's address is on the ticket for outbound_plan, which must say
 * yes: a ticket started "by mail" that is not mailed would be a lie. */
static int first_reply(struct desk *d, struct ticket *t, const struct new_ticket *nt,
		       const char *cc, const char *bcc, int64_t *msg_id, struct derr *e)
{
	struct customer cu = {0};
	int rc = store_customer_get(d->st, t->customer_id, &cu, e);
	if (rc)
		return rc;
	free(t->customer_email);
	t->customer_email = cu.email;
	cu.email = NULL;
	customer_free(&cu);
	char why[200];
	if (!outbound_plan(d, t, why, sizeof why))
		return derr_set(e, DESK_EINVAL,
				"a ticket started by mail must be mailed, and %s; nothing was "
				"created",
				why);
	struct message m = {.ticket_id = t->id, .kind = MSG_REPLY, .author_id = d->me.id,
			    .body = (char *)nt->body, .created_at = t->created_at};
	if ((rc = core_agent_message_locked(d, t, &m, cc, bcc, e)))
		return rc;
	*msg_id = m.id;
	char idbuf[32];
	snprintf(idbuf, sizeof idbuf, "%lld", (long long)m.id);
	return core_event(d, t->id, msg_kind_name(MSG_REPLY), "message", NULL, idbuf, e);
}

int core_ticket_new(struct desk *d, const struct new_ticket *nt, int64_t *id, struct derr *e)
{
	int64_t msg_id;
	return core_ticket_start(d, nt, id, &msg_id, e);
}

int core_ticket_start(struct desk *d, const struct new_ticket *nt, int64_t *id, int64_t *msg_id,
		      struct derr *e)
{
	*id = *msg_id = 0;
	int rc;
	if ((rc = caps_check("subject", nt->subject, DESK_MAX_SUBJECT, e)) ||
	    (rc = caps_check("body", nt->body, DESK_MAX_BODY, e)))
		return rc;
	bool outbound = nt->body_kind == MSG_REPLY;
	if ((nt->cc || nt->bcc) && !outbound)
		return derr_set(e, DESK_EINVAL, "Cc and Bcc are for a ticket started by mail; "
						"nothing was created");
	char *cc = NULL, *bcc = NULL;
	if (outbound && (rc = outbound_check(nt, &cc, &bcc, e)))
		return rc;
	char *subject = str_trim(xstrdup(nt->subject ? nt->subject : ""));
	if (!*subject) {
		free(subject);
		free(cc);
		free(bcc);
		return derr_set(e, DESK_EINVAL, "a new ticket needs a subject");
	}
	/* The queue it is made in is held to the team's list like a move. */
	if (!str_empty(nt->queue) && label_is_valid(nt->queue) &&
	    !config_queue_allowed(d->cfg, nt->queue)) {
		free(subject);
		free(cc);
		free(bcc);
		return config_queue_refuse(d->cfg, nt->queue, e);
	}
	rc = core_begin(d, e);
	if (rc) {
		free(subject);
		free(cc);
		free(bcc);
		return rc;
	}
	struct ticket t = {
		.subject = subject,
		.status = ST_NEW,
		.priority = nt->priority,
		.channel = nt->channel,
		.queue = xstrdup(nt->queue ? nt->queue
					   : d->cfg && d->cfg->default_queue ? d->cfg->default_queue
									     : "general"),
		.customer_id = nt->customer_id,
		.created_at = time_now(),
	};
	t.updated_at = t.created_at;
	if (!t.customer_id)
		rc = core_find_or_add_customer(d, nt->customer_name, nt->customer_email,
					       nt->customer_phone, &t.customer_id, e);
	if (rc == DESK_OK) {
		sla_apply(d->cfg, &t);
		rc = store_ticket_insert(d->st, &t, e);
	}
	if (rc == DESK_OK)
		rc = core_event(d, t.id, "create", NULL, NULL, t.subject, e);
	if (rc == DESK_OK && outbound) {
		rc = first_reply(d, &t, nt, cc, bcc, msg_id, e);
	} else if (rc == DESK_OK && !str_empty(nt->body)) {
		if (nt->body_kind == MSG_CUSTOMER) {
			rc = core_customer_message_locked(d, &t, nt->body, t.created_at, NULL, e);
		} else {
			char *text = core_normalize_body(nt->body);
			struct message m = {.ticket_id = t.id, .kind = MSG_NOTE,
					    .author_id = d->me.id, .body = text,
					    .created_at = t.created_at};
			rc = store_message_insert(d->st, &m, e);
			free(text);
			*msg_id = m.id;
		}
	}
	struct field_change c;
	if (rc == DESK_OK && !str_empty(nt->queue)) {
		/* validates the name the same way a later change would */
		c = (struct field_change){FIELD_QUEUE, nt->queue};
		rc = core_change(d, &t, &c, e);
	}
	/* The agent who writes first owns the conversation they start. */
	const char *assignee = !str_empty(nt->assignee) ? nt->assignee
			       : outbound			? d->me.login
								: NULL;
	if (rc == DESK_OK && assignee) {
		c = (struct field_change){FIELD_ASSIGNEE, assignee};
		rc = core_change(d, &t, &c, e);
	}
	for (size_t i = 0; rc == DESK_OK && nt->tags && nt->tags[i]; i++) {
		c = (struct field_change){FIELD_TAG_ADD, nt->tags[i]};
		rc = core_change(d, &t, &c, e);
	}
	/* An outbound start waits on the customer unless told otherwise. */
	int status = nt->status >= 0 ? nt->status : outbound ? ST_PENDING : -1;
	if (rc == DESK_OK && status >= 0)
		rc = core_change_status(d, &t, (enum status)status, e);
	if (rc == DESK_OK && !str_empty(nt->follow_up)) {
		c = (struct field_change){FIELD_FOLLOW_UP, nt->follow_up};
		rc = core_change(d, &t, &c, e);
	}
	if (rc == DESK_OK)
		rc = core_save(d, &t, e);
	if (rc == DESK_OK)
		rc = store_commit(d->st, e);
	else
		store_rollback(d->st);
	core_end(d, rc == DESK_OK);
	if (rc == DESK_OK)
		*id = t.id;
	else
		*msg_id = 0;
	ticket_free(&t);
	free(cc);
	free(bcc);
	return rc;
}
