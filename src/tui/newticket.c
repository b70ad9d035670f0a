/* newticket.c: logging a phone call or a walk-in as a new ticket:
 * customer (looked up by name or email, or added), subject, channel,
 * then the agent's notes in $EDITOR; or, as the last "channel", an
 * email ticket the agent starts: their first mail to the customer,
 * written in $EDITOR and mailed (compose_new_ticket.c). */
#include <stdlib.h>
#include <string.h>

#include "ui.h"
#include "util.h"

struct newt {
	int64_t customer_id;
	char *name, *email, *subject;
};

static void newt_free(void *data)
{
	struct newt *n = data;
	free(n->name);
	free(n->email);
	free(n->subject);
	free(n);
}

static struct newt *newt_copy(const struct newt *n)
{
	struct newt *c = xcalloc(1, sizeof *c);
	c->customer_id = n->customer_id;
	c->name = xstrdup(n->name);
	c->email = xstrdup(n->email);
	c->subject = xstrdup(n->subject);
	return c;
}

/* The picker's value for an email ticket the agent starts by mailing
 * the customer (not a channel name). */
#define OUTBOUND "outbound"

static int channel_chosen(struct app *a, const char *value, void *data)
{
	const struct newt *n = data;
	bool outbound = value && strcmp(value, OUTBOUND) == 0;
	int ch = outbound ? CH_EMAIL : value ? channel_from_name(value) : -1;
	if (ch < 0)
		return 0;
	return compose_new_ticket(a, n->customer_id, n->name, n->email, n->subject,
				  (enum channel)ch, outbound);
}

static int subject_done(struct app *a, const char *text, void *data)
{
	struct newt *n = data;
	if (!text)
		return 0;
	char *s = xstrdup(text);
	str_trim(s);
	if (!*s) {
		free(s);
		app_msg(a, "A ticket needs a subject; nothing was created.");
		return RD_STATUS;
	}
	struct newt *c = newt_copy(n);
	c->subject = s;
	static const enum channel order[] = {CH_PHONE, CH_WALK_IN, CH_EMAIL, CH_CHAT, CH_WEB,
					     CH_SOCIAL};
	struct picker_spec p = {.title = "How did they get in touch?", .done = channel_chosen,
				.data = c, .free_data = newt_free};
	size_t cap = 0;
	for (size_t i = 0; i < ARRAY_LEN(order); i++)
		picker_add(&p.items, &p.n, &cap, channel_name(order[i]), channel_name(order[i]),
			   NULL);
	/* Only where mail goes out: the ticket would be a lie otherwise. */
	if (a->cfg && !str_empty(a->cfg->mail.support_address))
		picker_add(&p.items, &p.n, &cap, "email: write to the customer (mailed by desk)",
			   OUTBOUND, NULL);
	return picker_open(a, &p);
}

static int ask_subject(struct app *a, const struct newt *n)
{
	struct prompt_spec s = {.label = "Subject: ", .history = -1, .mode = "new ticket",
				.done = subject_done, .data = newt_copy(n), .free_data = newt_free};
	return prompt_open(a, &s);
}

static int customer_chosen(struct app *a, const char *value, void *data)
{
	const struct newt *typed = data;
	if (!value)
		return 0;
	struct newt n = {0};
	if (value[0] == '+') { /* a new customer */
		if (strchr(typed->name, '@'))
			n.email = typed->name;
		else
			n.name = typed->name;
		return ask_subject(a, &n);
	}
	n.customer_id = strtoll(value, NULL, 10);
	return ask_subject(a, &n);
}

static int customer_done(struct app *a, const char *text, void *data)
{
	if (!text)
		return 0;
	char *who = xstrdup(text);
	str_trim(who);
	if (!*who) {
		free(who);
		return 0;
	}
	struct customer_list l = {0};
	struct derr e = {0};
	if (store_customer_search(a->d->st, who, 30, &l, &e)) {
		free(who);
		return app_error(a, &e);
	}
	struct newt *typed = xcalloc(1, sizeof *typed);
	typed->name = who;
	struct picker_spec p = {.title = "Which customer?", .done = customer_chosen, .data = typed,
				.free_data = newt_free};
	size_t cap = 0;
	for (size_t i = 0; i < l.n; i++) {
		const struct customer *c = &l.v[i];
		char *label = xasprintf("%s <%s>%s%s", c->name ? c->name : "", c->email ? c->email : "",
					c->organization ? ", " : "", c->organization ? c->organization : "");
		char *value = xasprintf("%lld", (long long)c->id);
		picker_add(&p.items, &p.n, &cap, label, value, NULL);
		free(label);
		free(value);
	}
	customer_list_free(&l);
	char *label = xasprintf("New customer: %s", who);
	picker_add(&p.items, &p.n, &cap, label, "+", NULL);
	free(label);
	return picker_open(a, &p);
}

int act_new_ticket(struct app *a, const char *arg)
{
	if (arg)
		return customer_done(a, arg, NULL);
	struct prompt_spec s = {.label = "Customer (name or email, Tab completes): ",
				.complete = COMPLETE_CUSTOMER, .history = -1, .mode = "new ticket",
				.done = customer_done};
	return prompt_open(a, &s);
}
