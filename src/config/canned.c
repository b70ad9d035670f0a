/* canned.c: the canned responses file: a list of named reply templates,
 * each optionally changing fields (status, priority, assignee, queue,
 * tags) when sent; one without a body only changes fields (a macro). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "config.h"
#include "nameset.h"
#include "util.h"
#include "yamldoc.h"

void canned_list_free(struct canned_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++) {
		struct canned *c = &l->v[i];
		free(c->name);
		free(c->title);
		free(c->body);
		free(c->set_assignee);
		free(c->set_queue);
		for (size_t j = 0; j < c->nadd_tags; j++)
			free(c->add_tags[j]);
		free(c->add_tags);
		for (size_t j = 0; j < c->nremove_tags; j++)
			free(c->remove_tags[j]);
		free(c->remove_tags);
	}
	free(l->v);
	free(l->path);
	memset(l, 0, sizeof *l);
}

static int read_tags(const struct ydoc *d, const struct ynode *seq, char ***tags, size_t *n,
		     struct derr *e)
{
	int rc = y_expect(d, seq, Y_SEQ, "a list of tags", e);
	if (rc)
		return rc;
	for (size_t i = 0; i < *n; i++)
		free((*tags)[i]);
	free(*tags);
	*tags = xcalloc(seq->nkids + 1, sizeof **tags);
	*n = 0;
	for (size_t i = 0; i < seq->nkids; i++) {
		const struct ynode *t = seq->kids[i];
		if (t->type != Y_SCALAR || y_is_null(t) || !label_is_valid(t->value)) {
			char got[128];
			y_describe(t, got, sizeof got);
			return yerr(e, d, t, "expected a tag name (" LABEL_RULE "), got %s", got);
		}
		(*tags)[(*n)++] = xstrdup(t->value);
	}
	return DESK_OK;
}

/* A login, "me" or "none": the login itself is checked when applied
 * (agents come and go in the database, not in this file). */
static int read_assignee(const struct ydoc *d, const struct ynode *n, struct canned *c,
			 struct derr *e)
{
	if (n->type != Y_SCALAR || y_is_null(n) || !n->value[0] ||
	    n->value[strcspn(n->value, " \t\r\n,:")]) {
		char got[128];
		y_describe(n, got, sizeof got);
		return yerr(e, d, n, "expected an agent's login, me or none, got %s", got);
	}
	free(c->set_assignee);
	c->set_assignee = xstrdup(n->value);
	return DESK_OK;
}

static int read_queue(const struct ydoc *d, const struct ynode *n, struct canned *c,
		      struct derr *e)
{
	if (n->type != Y_SCALAR || y_is_null(n) || !label_is_valid(n->value)) {
		char got[128];
		y_describe(n, got, sizeof got);
		return yerr(e, d, n, "expected a queue name (" LABEL_RULE "), got %s", got);
	}
	free(c->set_queue);
	c->set_queue = xstrdup(n->value);
	c->queue_line = n->line;
	c->queue_col = n->col;
	return DESK_OK;
}

static int read_set(const struct ydoc *d, const struct ynode *map, const char *section,
		    struct canned *c, struct derr *e)
{
	static const char *const keys[] = {"status", "priority", "tags", "remove_tags",
					   "assignee", "queue", NULL};
	const char *status_names[ST__COUNT + 1], *prio_names[PRIO__COUNT + 1];
	for (int i = 0; i < ST__COUNT; i++)
		status_names[i] = status_name((enum status)i);
	status_names[ST__COUNT] = NULL;
	for (int i = 0; i < PRIO__COUNT; i++)
		prio_names[i] = priority_name((enum priority)i);
	prio_names[PRIO__COUNT] = NULL;

	int rc = y_expect(d, map, Y_MAP,
			  "a mapping of fields to set (status, priority, assignee, queue, tags, "
			  "remove_tags)",
			  e);
	for (size_t i = 0; !rc && i < map->nkids; i += 2) {
		int k, v;
		if ((rc = y_key(d, map->kids[i], section, keys, &k, e)))
			break;
		const struct ynode *n = map->kids[i + 1];
		switch (k) {
		case 0:
			if (!(rc = y_enum(d, n, status_names, &v, e)))
				c->set_status = status_from_name(status_names[v]);
			break;
		case 1:
			if (!(rc = y_enum(d, n, prio_names, &v, e)))
				c->set_priority = priority_from_name(prio_names[v]);
			break;
		case 2: rc = read_tags(d, n, &c->add_tags, &c->nadd_tags, e); break;
		case 3: rc = read_tags(d, n, &c->remove_tags, &c->nremove_tags, e); break;
		case 4: rc = read_assignee(d, n, c, e); break;
		default: rc = read_queue(d, n, c, e); break;
		}
	}
	return rc;
}

/* A required, non-empty string field. */
static int read_text(const struct ydoc *d, const struct ynode *n, const char *what,
		     char **field, struct derr *e)
{
	if (n->type != Y_SCALAR || y_is_null(n) || !n->value[0]) {
		char got[128];
		y_describe(n, got, sizeof got);
		return yerr(e, d, n, "expected %s, got %s", what, got);
	}
	free(*field);
	*field = xstrdup(n->value);
	return DESK_OK;
}

static int read_canned(const struct ydoc *d, const struct ynode *map, const char *section,
		       struct canned *c, struct derr *e)
{
	static const char *const keys[] = {"name", "title", "body", "set", NULL};
	c->set_status = c->set_priority = -1;
	c->line = map->line;
	int rc = y_expect(d, map, Y_MAP, "a mapping with name, title, and body and/or set", e);
	for (size_t i = 0; !rc && i < map->nkids; i += 2) {
		int k;
		if ((rc = y_key(d, map->kids[i], section, keys, &k, e)))
			break;
		const struct ynode *n = map->kids[i + 1];
		switch (k) {
		case 0: rc = read_text(d, n, "a short name like refund-approved", &c->name, e); break;
		case 1: rc = read_text(d, n, "a title", &c->title, e); break;
		case 2: rc = read_text(d, n, "the text of the reply", &c->body, e); break;
		default: {
			char sub[48];
			snprintf(sub, sizeof sub, "%s.set", section);
			rc = read_set(d, n, sub, c, e);
			break;
		}
		}
	}
	if (rc)
		return rc;
	const char *missing = !c->name ? "name" : !c->title ? "title" : NULL;
	if (missing)
		return yerr(e, d, map, "missing key \"%s\" in %s", missing, section);
	/* Without a body it is a macro: it must change something. */
	if (!c->body && c->set_status < 0 && c->set_priority < 0 && !c->set_assignee &&
	    !c->set_queue && !c->nadd_tags && !c->nremove_tags)
		return yerr(e, d, map, "%s has neither a body nor fields to set", section);
	return DESK_OK;
}

int canned_load(const char *path, struct canned_list *out, struct derr *e)
{
	memset(out, 0, sizeof *out);
	struct ydoc d;
	/* Canned responses are the team's (named only by the team's file). */
	int rc = ydoc_load_team(path, &d, e);
	if (rc)
		return rc;
	out->path = xstrdup(path);
	const struct ynode *root = d.root;
	if (root)
		rc = y_expect(&d, root, Y_SEQ, "a list of canned responses", e);
	struct nameset seen;
	nameset_init(&seen, root && !rc ? root->nkids : 0);
	for (size_t i = 0; root && !rc && i < root->nkids; i++) {
		xgrow((void **)&out->v, &out->cap, out->n + 1, sizeof *out->v);
		/* Counted first, so that canned_list_free frees a half-read one. */
		struct canned *c = &out->v[out->n++];
		char section[32];
		snprintf(section, sizeof section, "canned[%zu]", i);
		if ((rc = read_canned(&d, root->kids[i], section, c, e)))
			break;
		long j = nameset_add(&seen, c->name, (long)i);
		if (j >= 0) {
			const struct ynode *n = y_get(root->kids[i], "name");
			char got[128];
			y_describe(n, got, sizeof got);
			rc = yerr(e, &d, n, "duplicate canned response name %s; first defined on line %d",
				  got, y_get(root->kids[j], "name")->line);
		}
	}
	nameset_free(&seen);
	ydoc_free(&d);
	if (rc)
		canned_list_free(out);
	return rc;
}

int canned_check(const struct canned_list *l, const struct config *c, struct derr *e)
{
	for (size_t i = 0; l && i < l->n; i++) {
		const struct canned *k = &l->v[i];
		if (!k->set_queue || config_queue_allowed(c, k->set_queue))
			continue;
		int rc = config_queue_refuse(c, k->set_queue, e);
		derr_prefix(e, "%s:%d:%d: canned response \"%s\": set.queue", l->path,
			    k->queue_line, k->queue_col, k->name);
		return rc;
	}
	return DESK_OK;
}
