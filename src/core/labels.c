/* labels.c: the queues and tags an agent can pick from. */
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "util.h"

/* How many names completion and "did you mean" look at. */
#define NAMES_MAX 500

static void add_unique(struct name_list *l, const char *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return;
	xgrow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v);
	l->v[l->n++] = xstrdup(s);
}

int core_known_queues(struct desk *d, struct name_list *out, struct derr *e)
{
	const struct config *c = d->cfg;
	if (c && c->nqueues) {
		for (size_t i = 0; i < c->nqueues; i++)
			add_unique(out, c->queues[i]);
		return DESK_OK;
	}
	int rc = store_queue_names(d->st, NAMES_MAX, out, e);
	add_unique(out, c && c->default_queue ? c->default_queue : "general");
	if (c)
		add_unique(out, c->mail.default_queue);
	return rc;
}

int core_tag_is_new(struct desk *d, const char *tag, bool *is_new, char **near,
		    struct derr *e)
{
	*near = NULL;
	bool used = false;
	int rc = store_tag_in_use(d->st, tag, &used, e);
	*is_new = rc == DESK_OK && !used;
	if (rc || used)
		return rc;
	struct name_list all = {0};
	rc = store_tag_names(d->st, "", NAMES_MAX, &all, e);
	const char *n = str_suggest(tag, (const char *const *)all.v, all.n, 2);
	if (n)
		*near = xstrdup(n);
	name_list_free(&all);
	return rc;
}
