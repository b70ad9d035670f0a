/* notify.c: the notify mapping of config.yaml: how the console tells an
 * agent what is new (bell, desktop notification, a hook command), for
 * which views, and how long before an SLA due time it warns. */
#include <stdlib.h>
#include <string.h>

#include "internal_config.h"
#include "util.h"

void notify_config_free(struct notify_config *n)
{
	for (size_t i = 0; i < n->nhook; i++)
		free(n->hook[i]);
	free(n->hook);
	for (size_t i = 0; i < n->nviews; i++)
		free(n->views[i]);
	free(n->views);
	free(n->view_lines);
	free(n->file);
	int64_t warning = n->sla_warning;
	memset(n, 0, sizeof *n);
	n->sla_warning = warning;
}

/* A list of plain, non-empty words (a command's argv, view names). */
static int read_words(const struct ydoc *d, const struct ynode *seq, const char *what,
		      const char *word, struct derr *e)
{
	int rc = y_expect(d, seq, Y_SEQ, what, e);
	if (rc)
		return rc;
	if (seq->nkids == 0)
		return yerr(e, d, seq, "expected %s, got an empty list", what);
	for (size_t i = 0; i < seq->nkids; i++) {
		const struct ynode *n = seq->kids[i];
		if (n->type != Y_SCALAR || y_is_null(n) || !n->value[0]) {
			char got[128];
			y_describe(n, got, sizeof got);
			return yerr(e, d, n, "expected %s, got %s", word, got);
		}
	}
	return DESK_OK;
}

static int read_hook(const struct ydoc *d, const struct ynode *seq, struct notify_config *n,
		     struct derr *e)
{
	int rc = read_words(d, seq, "a command as a list like [notify-send-desk, --urgent]",
			    "a word of the command", e);
	if (rc)
		return rc;
	for (size_t i = 0; i < n->nhook; i++)
		free(n->hook[i]);
	free(n->hook);
	n->hook = xcalloc(seq->nkids + 1, sizeof *n->hook);
	for (n->nhook = 0; n->nhook < seq->nkids; n->nhook++)
		n->hook[n->nhook] = xstrdup(seq->kids[n->nhook]->value);
	return DESK_OK;
}

static int read_views(const struct ydoc *d, const struct ynode *seq, struct notify_config *n,
		      struct derr *e)
{
	int rc = read_words(d, seq, "a list of view names like [mine, unassigned]", "a view name", e);
	if (rc)
		return rc;
	for (size_t i = 0; i < n->nviews; i++)
		free(n->views[i]);
	free(n->views);
	free(n->view_lines);
	n->views = xcalloc(seq->nkids, sizeof *n->views);
	n->view_lines = xcalloc(seq->nkids, sizeof *n->view_lines);
	for (n->nviews = 0; n->nviews < seq->nkids; n->nviews++) {
		n->views[n->nviews] = xstrdup(seq->kids[n->nviews]->value);
		n->view_lines[n->nviews] = seq->kids[n->nviews]->line;
	}
	return DESK_OK;
}

int config_read_notify(const struct ydoc *d, const struct ynode *map, struct notify_config *n,
		       struct derr *e)
{
	static const char *const keys[] = {"bell", "desktop", "hook", "sla_warning", "views", NULL};
	int rc = y_expect(d, map, Y_MAP, "a mapping of notify settings", e);
	for (size_t i = 0; !rc && i < map->nkids; i += 2) {
		int k;
		if ((rc = y_key(d, map->kids[i], "notify", keys, &k, e)))
			break;
		const struct ynode *v = map->kids[i + 1];
		switch (k) {
		case 0: rc = y_bool(d, v, &n->bell, e); break;
		case 1: rc = y_bool(d, v, &n->desktop, e); break;
		case 2: rc = read_hook(d, v, n, e); break;
		case 3: rc = y_duration(d, v, &n->sla_warning, e); break;
		default: rc = read_views(d, v, n, e); break;
		}
	}
	if (rc == DESK_OK) {
		free(n->file);
		n->file = xstrdup(d->path ? d->path : "config");
	}
	return rc;
}
