/* queues.c: the team's list of queues (queues: in the team file), and
 * every queue the config names held to it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "internal_config.h"
#include "util.h"

bool config_queue_allowed(const struct config *c, const char *q)
{
	if (!c || !c->nqueues)
		return true;
	for (size_t i = 0; i < c->nqueues; i++)
		if (strcmp(c->queues[i], q) == 0)
			return true;
	return false;
}

/* "; did you mean \"billing\"?", or ": the team's queues are a, b, c". */
static void queue_hint(const struct config *c, const char *q, char *buf, size_t size)
{
	const char *near = str_suggest(q, (const char *const *)c->queues, c->nqueues, 2);
	if (near) {
		snprintf(buf, size, "; did you mean \"%s\"?", near);
		return;
	}
	struct strbuf b = {0};
	sb_add(&b, ": the team's queues are ");
	size_t shown = c->nqueues < 12 ? c->nqueues : 12;
	for (size_t i = 0; i < shown; i++)
		sb_addf(&b, "%s%s", i ? ", " : "", c->queues[i]);
	if (shown < c->nqueues)
		sb_addf(&b, " and %zu more", c->nqueues - shown);
	snprintf(buf, size, "%s", sb_str(&b));
	sb_free(&b);
}

int config_queue_refuse(const struct config *c, const char *q, struct derr *e)
{
	char hint[600];
	queue_hint(c, q, hint, sizeof hint);
	return derr_set(e, DESK_EINVAL, "no queue \"%s\"%s", q, hint);
}

/* The first queue:NAME term of filter that is not listed, into name. */
static bool unlisted_term(const struct config *c, const char *filter, char *name, size_t size)
{
	char *copy = xstrdup(filter);
	bool found = false;
	for (char *save = NULL, *w = strtok_r(copy, " \t", &save); w && !found;
	     w = strtok_r(NULL, " \t", &save)) {
		if (strncmp(w, "queue:", 6) == 0 && !config_queue_allowed(c, w + 6)) {
			snprintf(name, size, "%s", w + 6);
			found = true;
		}
	}
	free(copy);
	return found;
}

static int refuse_at(const struct ydoc *d, const struct ynode *n, const struct config *c,
		     const char *what, const char *q, struct derr *e)
{
	char hint[600];
	queue_hint(c, q, hint, sizeof hint);
	return yerr(e, d, n, "%s: no queue \"%s\"%s", what, q, hint);
}

int config_check_queue_names(const struct ydoc *d, const struct config *c, struct derr *e)
{
	if (!c->nqueues)
		return DESK_OK;
	const struct ynode *root = d->root;
	if (!config_queue_allowed(c, c->default_queue)) {
		const struct ynode *n = y_get(root, "default_queue");
		if (n)
			return refuse_at(d, n, c, "default_queue", c->default_queue, e);
		return yerr(e, d, y_get(root, "queues"),
			    "default_queue is \"%s\" (the default), which queues does not list: "
			    "add it, or set default_queue to one of them",
			    c->default_queue);
	}
	const struct ynode *mail = y_get(root, "mail");
	const struct ynode *n = mail && mail->type == Y_MAP ? y_get(mail, "default_queue") : NULL;
	if (n && !config_queue_allowed(c, c->mail.default_queue))
		return refuse_at(d, n, c, "mail.default_queue", c->mail.default_queue, e);
	const struct ynode *sla = y_get(root, "sla");
	const struct ynode *pol = sla && sla->type == Y_MAP ? y_get(sla, "policies") : NULL;
	for (size_t i = 0; pol && pol->type == Y_SEQ && i < pol->nkids; i++) {
		const struct ynode *q =
			pol->kids[i]->type == Y_MAP ? y_get(pol->kids[i], "queue") : NULL;
		if (q && q->type == Y_SCALAR && !config_queue_allowed(c, q->value))
			return refuse_at(d, q, c, "sla.policies", q->value, e);
	}
	const struct ynode *views = y_get(root, "views");
	for (size_t i = 0; views && views->type == Y_SEQ && i < views->nkids; i++) {
		const struct ynode *f =
			views->kids[i]->type == Y_MAP ? y_get(views->kids[i], "filter") : NULL;
		char name[80];
		if (f && f->type == Y_SCALAR && unlisted_term(c, f->value, name, sizeof name))
			return refuse_at(d, f, c, "the view's filter", name, e);
	}
	return DESK_OK;
}

int config_check_personal_views(const struct config *c, struct derr *e)
{
	for (size_t i = 0; c->nqueues && i < c->nviews; i++) {
		const struct view_def *v = &c->views[i];
		char name[80], hint[600];
		if (!v->personal || !unlisted_term(c, v->filter, name, sizeof name))
			continue;
		queue_hint(c, name, hint, sizeof hint);
		return derr_set(e, DESK_EINVAL, "%s:%d: view \"%s\": no queue \"%s\"%s",
				c->personal, v->line, v->name, name, hint);
	}
	return DESK_OK;
}
