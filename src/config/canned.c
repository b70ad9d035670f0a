/* canned.c: the canned responses file: a list of named reply templates,
 * each optionally changing status, priority and tags when sent. */
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
		for (size_t j = 0; j < c->nadd_tags; j++)
			free(c->add_tags[j]);
		free(c->add_tags);
	}
	free(l->v);
	free(l->path);
	memset(l, 0, sizeof *l);
}

static int read_tags(const struct ydoc *d, const struct ynode *seq, struct canned *c,
		     struct derr *e)
{
	int rc = y_expect(d, seq, Y_SEQ, "a list of tags", e);
	if (rc)
		return rc;
	for (size_t i = 0; i < c->nadd_tags; i++)
		free(c->add_tags[i]);
	free(c->add_tags);
	c->add_tags = xcalloc(seq->nkids + 1, sizeof *c->add_tags);
	c->nadd_tags = 0;
	for (size_t i = 0; i < seq->nkids; i++) {
		const struct ynode *n = seq->kids[i];
		if (n->type != Y_SCALAR || y_is_null(n) || !label_is_valid(n->value)) {
			char got[128];
			y_describe(n, got, sizeof got);
			return yerr(e, d, n, "expected a tag name (" LABEL_RULE "), got %s", got);
		}
		c->add_tags[c->nadd_tags++] = xstrdup(n->value);
	}
	return DESK_OK;
}

static int read_set(const struct ydoc *d, const struct ynode *map, const char *section,
		    struct canned *c, struct derr *e)
{
	static const char *const keys[] = {"status", "priority", "tags", NULL};
	const char *status_names[ST__COUNT + 1], *prio_names[PRIO__COUNT + 1];
	for (int i = 0; i < ST__COUNT; i++)
		status_names[i] = status_name((enum status)i);
	status_names[ST__COUNT] = NULL;
	for (int i = 0; i < PRIO__COUNT; i++)
		prio_names[i] = priority_name((enum priority)i);
	prio_names[PRIO__COUNT] = NULL;

	int rc = y_expect(d, map, Y_MAP, "a mapping of fields to set (status, priority, tags)",
			  e);
	for (size_t i = 0; !rc && i < map->nkids; i += 2) {
		int k, v;
		if ((rc = y_key(d, map->kids[i], section, keys, &k, e)))
			break;
		const struct ynode *n = map->kids[i + 1];
		if (k == 0) {
			if (!(rc = y_enum(d, n, status_names, &v, e)))
				c->set_status = status_from_name(status_names[v]);
		} else if (k == 1) {
			if (!(rc = y_enum(d, n, prio_names, &v, e)))
				c->set_priority = priority_from_name(prio_names[v]);
		} else {
			rc = read_tags(d, n, c, e);
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
	int rc = y_expect(d, map, Y_MAP, "a mapping with name, title and body", e);
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
	const char *missing = !c->name ? "name" : !c->title ? "title" : !c->body ? "body" : NULL;
	if (missing)
		return yerr(e, d, map, "missing key \"%s\" in %s", missing, section);
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
