/* model.c: names of the domain enums and destructors of domain structs. */
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "util.h"

static const char *const status_names[ST__COUNT] = {
	"new", "open", "pending", "on_hold", "solved", "closed"};
static const char *const priority_names[PRIO__COUNT] = {"low", "normal", "high", "urgent"};
static const char *const channel_names[CH__COUNT] = {"email", "phone", "chat",
						     "web",   "social", "walk_in"};
static const char *const msg_kind_names[MSG__COUNT] = {"customer", "reply", "note", "system"};
static const char *const role_names[ROLE__COUNT] = {"agent", "supervisor", "admin"};
static const char *const survey_names[SURVEY__COUNT] = {"csat", "ces", "nps"};

static int lookup(const char *const *names, int n, const char *s)
{
	if (!s)
		return -1;
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

#define NAME_FN(type, fn, arr, count)                                      \
	const char *fn##_name(enum type v)                                 \
	{                                                                  \
		return (unsigned)v < (count) ? arr[v] : "?";               \
	}                                                                  \
	int fn##_from_name(const char *s)                                  \
	{                                                                  \
		return lookup(arr, (count), s);                            \
	}

NAME_FN(status, status, status_names, ST__COUNT)
NAME_FN(priority, priority, priority_names, PRIO__COUNT)
NAME_FN(channel, channel, channel_names, CH__COUNT)
NAME_FN(msg_kind, msg_kind, msg_kind_names, MSG__COUNT)
NAME_FN(role, role, role_names, ROLE__COUNT)
NAME_FN(survey_kind, survey_kind, survey_names, SURVEY__COUNT)

void survey_range(enum survey_kind k, int *lo, int *hi)
{
	switch (k) {
	case SURVEY_CSAT: *lo = 1; *hi = 5; break;
	case SURVEY_CES: *lo = 1; *hi = 7; break;
	default: *lo = 0; *hi = 10; break;
	}
}

void agent_free(struct agent *a)
{
	free(a->login);
	free(a->name);
	memset(a, 0, sizeof *a);
}

void customer_free(struct customer *c)
{
	free(c->name);
	free(c->email);
	free(c->phone);
	free(c->organization);
	free(c->tier);
	free(c->notes);
	memset(c, 0, sizeof *c);
}

void ticket_free(struct ticket *t)
{
	free(t->external_id);
	free(t->subject);
	free(t->queue);
	free(t->customer_name);
	free(t->customer_email);
	free(t->assignee_login);
	for (size_t i = 0; i < t->ntags; i++)
		free(t->tags[i]);
	free(t->tags);
	memset(t, 0, sizeof *t);
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void ticket_copy(struct ticket *dst, const struct ticket *src)
{
	*dst = *src;
	dst->external_id = dup_or_null(src->external_id);
	dst->subject = dup_or_null(src->subject);
	dst->queue = dup_or_null(src->queue);
	dst->customer_name = dup_or_null(src->customer_name);
	dst->customer_email = dup_or_null(src->customer_email);
	dst->assignee_login = dup_or_null(src->assignee_login);
	dst->tags = NULL;
	if (src->tags) {
		dst->tags = xcalloc(src->ntags + 1, sizeof *dst->tags);
		for (size_t i = 0; i < src->ntags; i++)
			dst->tags[i] = xstrdup(src->tags[i]);
	}
}

void message_free(struct message *m)
{
	free(m->author);
	free(m->body);
	free(m->message_id);
	free(m->delivery);
	free(m->delivery_error);
	free(m->mail_from);
	free(m->cc);
	free(m->bcc);
	free(m->forward_to);
	memset(m, 0, sizeof *m);
}

void event_free(struct event *ev)
{
	free(ev->agent_login);
	free(ev->action);
	free(ev->field);
	free(ev->old_value);
	free(ev->new_value);
	memset(ev, 0, sizeof *ev);
}

#define LIST_FREE(fn, list, elem_free)                                     \
	void fn(struct list *l)                                            \
	{                                                                  \
		for (size_t i = 0; i < l->n; i++)                          \
			elem_free(&l->v[i]);                               \
		free(l->v);                                                \
		memset(l, 0, sizeof *l);                                   \
	}

static void survey_free(struct survey *s)
{
	free(s->comment);
	free(s->agent_login);
	memset(s, 0, sizeof *s);
}

LIST_FREE(message_list_free, message_list, message_free)
LIST_FREE(ticket_list_free, ticket_list, ticket_free)
LIST_FREE(event_list_free, event_list, event_free)
LIST_FREE(survey_list_free, survey_list, survey_free)
LIST_FREE(agent_list_free, agent_list, agent_free)
LIST_FREE(customer_list_free, customer_list, customer_free)
