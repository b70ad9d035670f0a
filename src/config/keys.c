/* keys.c: the key bindings file read into (context, key, action) triples.
 * Only the shape is checked here; the TUI checks key and action names
 * against its tables and reports them with the line/col kept here. */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "util.h"
#include "yamldoc.h"

static const char *const contexts[] = {"global", "queue", "conversation", "history", "prompt",
				       NULL};

void keybind_list_free(struct keybind_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].context);
		free(l->v[i].key);
		free(l->v[i].action);
	}
	free(l->v);
	free(l->path);
	memset(l, 0, sizeof *l);
}

static int read_context(const struct ydoc *d, const char *context, const struct ynode *map,
			struct keybind_list *l, struct derr *e)
{
	int rc = y_expect(d, map, Y_MAP, "a mapping of keys to action names", e);
	for (size_t i = 0; !rc && i < map->nkids; i += 2) {
		const struct ynode *k = map->kids[i], *v = map->kids[i + 1];
		if (y_is_null(k) || !k->value[0]) {
			char got[64];
			y_describe(k, got, sizeof got);
			return yerr(e, d, k, "expected a key like j, C-d or Enter, got %s", got);
		}
		char *action;
		if (v->type != Y_SCALAR || y_is_null(v) || !v->value[0]) {
			char got[128];
			y_describe(v, got, sizeof got);
			return yerr(e, d, v, "expected an action name (or none), got %s", got);
		}
		action = xstrdup(v->value);
		xgrow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v);
		struct keybind *b = &l->v[l->n++];
		b->context = xstrdup(context);
		b->key = xstrdup(k->value);
		b->action = action;
		b->line = k->line;
		b->col = k->col;
	}
	return rc;
}

int keys_load(const char *path, struct keybind_list *out, struct derr *e)
{
	memset(out, 0, sizeof *out);
	struct ydoc d;
	int rc = ydoc_load(path, &d, e);
	if (rc)
		return rc;
	out->path = xstrdup(path);
	const struct ynode *root = d.root;
	if (root)
		rc = y_expect(&d, root, Y_MAP, "a mapping of contexts (global, queue, ...)", e);
	for (size_t i = 0; root && !rc && i < root->nkids; i += 2) {
		const struct ynode *k = root->kids[i];
		int ctx;
		for (ctx = 0; contexts[ctx]; ctx++)
			if (strcmp(k->value, contexts[ctx]) == 0)
				break;
		if (!contexts[ctx]) {
			struct strbuf list = {0};
			for (int j = 0; contexts[j]; j++)
				sb_addf(&list, "%s%s", j ? ", " : "", contexts[j]);
			char got[128];
			y_describe(k, got, sizeof got);
			rc = yerr(e, &d, k, "unknown context %s; expected one of: %s", got,
				  sb_str(&list));
			sb_free(&list);
			break;
		}
		rc = read_context(&d, contexts[ctx], root->kids[i + 1], out, e);
	}
	ydoc_free(&d);
	if (rc)
		keybind_list_free(out);
	return rc;
}
