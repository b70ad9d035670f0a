/* keys.c: the key bindings file read into (context, key, steps): a
 * value is an action with its argument ("status solved"), "none", or a
 * list of such actions (a macro).  Only the shape is checked here; the
 * TUI checks key and action names and arguments against its tables and
 * reports them with the line/col kept here. */
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
		for (size_t j = 0; j < l->v[i].nsteps; j++)
			free(l->v[i].steps[j].text);
		free(l->v[i].steps);
	}
	free(l->v);
	free(l->path);
	memset(l, 0, sizeof *l);
}

static int read_context(const struct ydoc *d, const char *context, const struct ynode *map,
			struct keybind_list *l, struct derr *e)
{
	int rc = y_expect(d, map, Y_MAP, "a mapping of keys to actions", e);
	for (size_t i = 0; !rc && i < map->nkids; i += 2) {
		const struct ynode *k = map->kids[i], *v = map->kids[i + 1];
		if (y_is_null(k) || !k->value[0]) {
			char got[64];
			y_describe(k, got, sizeof got);
			return yerr(e, d, k, "expected a key like j, C-d or Enter, got %s", got);
		}
		const struct ynode *const *items = &v;
		size_t nitems = 1;
		bool macro = v->type == Y_SEQ;
		if (macro) {
			items = (const struct ynode *const *)v->kids;
			nitems = v->nkids;
			if (!nitems)
				return yerr(e, d, v,
					    "expected a list of actions (a macro), got an empty list");
		}
		for (size_t j = 0; j < nitems; j++) {
			const struct ynode *s = items[j];
			if (s->type != Y_SCALAR || y_is_null(s) || !s->value[0]) {
				char got[128];
				y_describe(s, got, sizeof got);
				return yerr(e, d, s,
					    macro ? "expected an action name (with its argument), got %s"
						  : "expected an action name (with its argument), a list "
						    "of them, or none, got %s",
					    got);
			}
		}
		xgrow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v);
		struct keybind *b = &l->v[l->n++];
		memset(b, 0, sizeof *b);
		b->context = xstrdup(context);
		b->key = xstrdup(k->value);
		b->action = xstrdup(items[0]->value);
		b->macro = macro;
		b->steps = xcalloc(nitems, sizeof *b->steps);
		for (size_t j = 0; j < nitems; j++)
			b->steps[b->nsteps++] = (struct keystep){xstrdup(items[j]->value),
								items[j]->line, items[j]->col};
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
