/* canned.c: expanding {{placeholders}} in canned responses.
 *
 * One pass over the template: what a placeholder expands to is copied
 * out and never looked at again, so a customer named "{{agent.name}}"
 * stays exactly that. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "util.h"

/* The first word of a name, for friendly greetings. */
static void first_word(struct strbuf *b, const char *name)
{
	if (!name)
		return;
	while (*name == ' ')
		name++;
	size_t n = strcspn(name, " \t");
	sb_addn(b, name, n);
}

static bool expand_one(struct strbuf *b, const char *key, const struct canned_ctx *c)
{
	const struct customer *cu = c->customer;
	const struct agent *ag = c->agent;
	const struct ticket *t = c->ticket;
	const char *v = NULL;
	if (strcmp(key, "customer.name") == 0)
		v = cu ? (str_empty(cu->name) ? cu->email : cu->name) : NULL;
	else if (strcmp(key, "customer.first_name") == 0) {
		if (cu && !str_empty(cu->name))
			first_word(b, cu->name);
		else if (cu)
			sb_add(b, cu->email ? cu->email : "");
		return true;
	} else if (strcmp(key, "customer.email") == 0)
		v = cu ? cu->email : NULL;
	else if (strcmp(key, "customer.organization") == 0)
		v = cu ? cu->organization : NULL;
	else if (strcmp(key, "agent.name") == 0)
		v = ag ? ag->name : NULL;
	else if (strcmp(key, "agent.first_name") == 0) {
		if (ag)
			first_word(b, ag->name);
		return true;
	} else if (strcmp(key, "agent.login") == 0)
		v = ag ? ag->login : NULL;
	else if (strcmp(key, "ticket.id") == 0) {
		if (t)
			sb_addf(b, "%lld", (long long)t->id);
		return true;
	} else if (strcmp(key, "ticket.subject") == 0)
		v = t ? t->subject : NULL;
	else if (strcmp(key, "ticket.queue") == 0)
		v = t ? t->queue : NULL;
	else if (strcmp(key, "ticket.status") == 0)
		v = t ? status_name(t->status) : NULL;
	else if (strcmp(key, "ticket.priority") == 0)
		v = t ? priority_name(t->priority) : NULL;
	else
		return false;
	sb_add(b, v ? v : "");
	return true;
}

int canned_expand(const char *tmpl, const struct canned_ctx *ctx, char **out, struct derr *e)
{
	*out = NULL;
	struct strbuf b = {0};
	int line = 1;
	const char *p = tmpl ? tmpl : "";
	while (*p) {
		if (p[0] != '{' || p[1] != '{') {
			if (*p == '\n')
				line++;
			sb_addc(&b, *p++);
			continue;
		}
		const char *close = strstr(p + 2, "}}");
		const char *nl = strchr(p + 2, '\n');
		if (!close || (nl && nl < close)) {
			sb_free(&b);
			return derr_set(e, DESK_EINVAL, "line %d: \"{{\" is never closed by \"}}\"",
					line);
		}
		char key[64];
		const char *k = p + 2;
		while (*k == ' ')
			k++;
		size_t n = (size_t)(close - k);
		while (n && k[n - 1] == ' ')
			n--;
		if (n >= sizeof key) {
			sb_free(&b);
			return derr_set(e, DESK_EINVAL, "line %d: unknown placeholder {{%.40s...}}",
					line, k);
		}
		memcpy(key, k, n);
		key[n] = '\0';
		if (!expand_one(&b, key, ctx)) {
			sb_free(&b);
			return derr_set(e, DESK_EINVAL,
					"line %d: unknown placeholder {{%s}}; known: customer.name, "
					"customer.first_name, customer.email, "
					"customer.organization, agent.name, agent.first_name, "
					"agent.login, ticket.id, ticket.subject, ticket.queue, "
					"ticket.status, ticket.priority",
					line, key);
		}
		p = close + 2;
	}
	*out = sb_take(&b);
	return DESK_OK;
}

size_t canned_changes(const struct canned *c, const char *me, struct field_change *out,
		      size_t max)
{
	size_t n = 0;
	/* Queue and assignee first: a solve later in the list then sees
	 * the ticket assigned (the workflow refuses to solve it otherwise). */
	if (c->set_queue && n < max)
		out[n++] = (struct field_change){FIELD_QUEUE, c->set_queue};
	if (c->set_assignee && n < max) {
		const char *who = c->set_assignee;
		if (strcmp(who, "me") == 0)
			who = me ? me : "";
		else if (strcmp(who, "none") == 0)
			who = "";
		out[n++] = (struct field_change){FIELD_ASSIGNEE, who};
	}
	if (c->set_status >= 0 && n < max)
		out[n++] = (struct field_change){FIELD_STATUS, status_name(c->set_status)};
	if (c->set_priority >= 0 && n < max)
		out[n++] = (struct field_change){FIELD_PRIORITY, priority_name(c->set_priority)};
	for (size_t i = 0; i < c->nadd_tags && n < max; i++)
		out[n++] = (struct field_change){FIELD_TAG_ADD, c->add_tags[i]};
	for (size_t i = 0; i < c->nremove_tags && n < max; i++)
		out[n++] = (struct field_change){FIELD_TAG_REMOVE, c->remove_tags[i]};
	return n;
}

void field_changes_text(const struct field_change *ch, size_t n, struct strbuf *out)
{
	static const char *const f[] = {[FIELD_STATUS] = "status=",
					[FIELD_PRIORITY] = "priority=",
					[FIELD_TAG_ADD] = "tag+=",
					[FIELD_TAG_REMOVE] = "tag-=",
					[FIELD_QUEUE] = "queue=",
					[FIELD_ASSIGNEE] = "assignee=",
					[FIELD_SUBJECT] = "subject=",
					[FIELD_FOLLOW_UP] = "until=",
					[FIELD_REQUIRE_STATUS] = "if status="};
	for (size_t i = 0; i < n; i++) {
		bool unassign = ch[i].field == FIELD_ASSIGNEE && str_empty(ch[i].value);
		sb_addf(out, "%s%s%s", i ? ", " : "", f[ch[i].field] ? f[ch[i].field] : "",
			unassign ? "none" : ch[i].value);
	}
}

int canned_apply(struct desk *d, int64_t id, const struct canned *c, const char *path,
		 struct derr *e)
{
	struct field_change ch[CANNED_MAX_CHANGES];
	size_t n = canned_changes(c, d->me.login, ch, CANNED_MAX_CHANGES);
	int rc = core_apply(d, id, ch, n, e);
	if (rc)
		derr_prefix(e, "canned response \"%s\" (%s:%d)", c->name, path ? path : "canned",
			    c->line);
	return rc;
}
