/* ticket_new.c: opening a ticket, finding or adding its customer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "core.h"
#include "internal_core.h"
#include "util.h"

void new_ticket_init(struct new_ticket *nt)
{
	memset(nt, 0, sizeof *nt);
	nt->body_kind = MSG_CUSTOMER;
	nt->channel = CH_EMAIL;
	nt->priority = PRIO_NORMAL;
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

int core_ticket_new(struct desk *d, const struct new_ticket *nt, int64_t *id, struct derr *e)
{
	*id = 0;
	int rc;
	if ((rc = caps_check("subject", nt->subject, DESK_MAX_SUBJECT, e)) ||
	    (rc = caps_check("body", nt->body, DESK_MAX_BODY, e)))
		return rc;
	char *subject = str_trim(xstrdup(nt->subject ? nt->subject : ""));
	if (!*subject) {
		free(subject);
		return derr_set(e, DESK_EINVAL, "a new ticket needs a subject");
	}
	/* The queue it is made in is held to the team's list like a move. */
	if (!str_empty(nt->queue) && label_is_valid(nt->queue) &&
	    !config_queue_allowed(d->cfg, nt->queue)) {
		free(subject);
		return config_queue_refuse(d->cfg, nt->queue, e);
	}
	rc = core_begin(d, e);
	if (rc) {
		free(subject);
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
	if (rc == DESK_OK && !str_empty(nt->body)) {
		if (nt->body_kind == MSG_CUSTOMER) {
			rc = core_customer_message_locked(d, &t, nt->body, t.created_at, NULL, e);
		} else {
			char *text = core_normalize_body(nt->body);
			struct message m = {.ticket_id = t.id, .kind = MSG_NOTE,
					    .author_id = d->me.id, .body = text,
					    .created_at = t.created_at};
			rc = store_message_insert(d->st, &m, e);
			free(text);
		}
	}
	struct field_change c;
	if (rc == DESK_OK && !str_empty(nt->queue)) {
		/* validates the name the same way a later change would */
		c = (struct field_change){FIELD_QUEUE, nt->queue};
		rc = core_change(d, &t, &c, e);
	}
	if (rc == DESK_OK && !str_empty(nt->assignee)) {
		c = (struct field_change){FIELD_ASSIGNEE, nt->assignee};
		rc = core_change(d, &t, &c, e);
	}
	for (size_t i = 0; rc == DESK_OK && nt->tags && nt->tags[i]; i++) {
		c = (struct field_change){FIELD_TAG_ADD, nt->tags[i]};
		rc = core_change(d, &t, &c, e);
	}
	if (rc == DESK_OK)
		rc = core_save(d, &t, e);
	if (rc == DESK_OK)
		rc = store_commit(d->st, e);
	else
		store_rollback(d->st);
	if (rc == DESK_OK)
		*id = t.id;
	ticket_free(&t);
	return rc;
}
