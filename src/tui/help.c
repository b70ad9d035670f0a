/* help.c: `?`: every action with the keys bound to it now, read from
 * the live keymap and the action table, so it is never out of date. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui.h"
#include "util.h"

struct hline {
	char *text;
	int el;
};

struct help {
	struct pane base;
	struct hline *v;
	size_t n, cap;
	size_t top;
};

static void add(struct help *h, int el, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void add(struct help *h, int el, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	xgrow((void **)&h->v, &h->cap, h->n + 1, sizeof *h->v);
	h->v[h->n++] = (struct hline){xvasprintf(fmt, ap), el};
	va_end(ap);
}

static void entry(struct help *h, const char *keys, const struct action *ac)
{
	add(h, EL_NORMAL, "  %-16s %-17s %s", keys, ac->name, ac->help);
}

/* What the marks before a queue row's subject say. */
static void legend(struct help *h)
{
	add(h, EL_NORMAL, "%s", "");
	add(h, EL_HELP_SECTION, "Marks on queue rows");
	add(h, EL_NORMAL, "  %-16s %s", "[x]", "marked for a change of them all (x)");
	add(h, EL_NORMAL, "  %-16s %s", DRAFT_MARK, "you have an unsent draft on it (d lists them)");
	add(h, EL_NORMAL, "  %-16s %s", "[bob✎] [bob]", "another agent replying to it, viewing it");
}

static void build(struct help *h, struct app *a)
{
	char keys[256];
	add(h, EL_HELP_SECTION, "Everywhere");
	for (int i = 0; i < ACT__COUNT; i++) {
		if (actions[i].flags & F_PROMPT)
			continue;
		if (keymap_keys(&a->km, KC_GLOBAL, i, keys, sizeof keys) == 0)
			snprintf(keys, sizeof keys, "(:%s)", actions[i].name);
		entry(h, keys, &actions[i]);
	}
	static const enum kctx panes[] = {KC_QUEUE, KC_CONV, KC_HIST};
	for (size_t p = 0; p < ARRAY_LEN(panes); p++) {
		const struct keymap *km = &a->km;
		if (!km->ctx[panes[p]].n)
			continue;
		add(h, EL_NORMAL, "%s", "");
		add(h, EL_HELP_SECTION, "In the %s pane", kctx_name(panes[p]));
		for (size_t i = 0; i < km->ctx[panes[p]].n; i++) {
			const struct kbinding *b = &km->ctx[panes[p]].v[i];
			key_label(b->key, keys, sizeof keys);
			if (b->action == KM_STEPS) {
				char text[512];
				kbinding_text(b, text, sizeof text);
				add(h, EL_NORMAL, "  %-16s %s", keys, text);
			} else if (b->action < 0)
				add(h, EL_NORMAL, "  %-16s (does nothing here)", keys);
			else
				entry(h, keys, &actions[b->action]);
		}
	}
	/* The keys file's actions with arguments and macros, everywhere. */
	bool any = false;
	for (size_t i = 0; i < a->km.ctx[KC_GLOBAL].n; i++) {
		const struct kbinding *b = &a->km.ctx[KC_GLOBAL].v[i];
		if (b->action != KM_STEPS)
			continue;
		if (!any) {
			add(h, EL_NORMAL, "%s", "");
			add(h, EL_HELP_SECTION, "Your keys with arguments and macros");
			any = true;
		}
		char text[512];
		key_label(b->key, keys, sizeof keys);
		kbinding_text(b, text, sizeof text);
		add(h, EL_NORMAL, "  %-16s %s", keys, text);
	}
	add(h, EL_NORMAL, "%s", "");
	add(h, EL_HELP_SECTION, "In prompts and lists");
	for (int i = 0; i < ACT__COUNT; i++) {
		if (!(actions[i].flags & F_PROMPT))
			continue;
		keymap_keys(&a->km, KC_PROMPT, i, keys, sizeof keys);
		entry(h, keys, &actions[i]);
	}
	legend(h);
	add(h, EL_NORMAL, "%s", "");
	add(h, EL_HELP_SECTION, "The command prompt");
	add(h, EL_NORMAL, "%s", "  Type an action's name and what it needs, Tab completes:");
	add(h, EL_NORMAL, "%s", "  :status solved   :assign bob   :tag-add vip refund   :view mine");
	add(h, EL_NORMAL, "%s", "  :open 123   :merge 45   :sort priority   :canned-reply greeting");
	add(h, EL_NORMAL, "%s", "");
	add(h, EL_HELP_SECTION, "Marks in the queue");
	add(h, EL_NORMAL, "%s", "  N       new to you: changed by someone else since you last saw it");
	add(h, EL_NORMAL, "%s", "  [x]     marked for a bulk change");
	add(h, EL_NORMAL, "%s", "  [bob✎]  bob is replying (bob alone: viewing)");
	add(h, EL_NORMAL, "%s", "  Status line: \"3 new · 1 yours\": new tickets in your views,");
	add(h, EL_NORMAL, "%s", "  tickets someone else assigned to you since you last saw them.");
	add(h, EL_NORMAL, "%s", "");
	add(h, EL_NORMAL, "%s", "  Keys are changed in the keys file (see desk.yaml(5)).");
}

static int vis(const struct pane *p)
{
	return p->h > 1 ? p->h - 1 : 1;
}

static void e_draw(struct pane *pane, struct app *a)
{
	struct help *h = (struct help *)pane;
	WINDOW *w = pane->win;
	werase(w);
	ui_fill(w, 0, 0, pane->w, a->attr[EL_TITLE_FOCUS]);
	ui_put(w, 0, 1, pane->w - 1, "Help: keys and actions (q or Esc closes, j/k scroll)",
	       a->attr[EL_TITLE_FOCUS]);
	for (int i = 0; i < vis(pane) && h->top + (size_t)i < h->n; i++) {
		const struct hline *l = &h->v[h->top + (size_t)i];
		if (l->el == EL_NORMAL && l->text[0] == ' ' && l->text[1] == ' ' && l->text[2] != ' ') {
			/* key column highlighted */
			int used = ui_put(w, 1 + i, 0, 19 < pane->w ? 19 : pane->w, l->text,
					  a->attr[EL_HELP_KEY]);
			if ((int)strlen(l->text) > 19)
				ui_put(w, 1 + i, used, pane->w - used, l->text + 19, a->attr[EL_NORMAL]);
		} else {
			ui_put(w, 1 + i, 0, pane->w, l->text, a->attr[l->el]);
		}
	}
}

static int e_key(struct pane *pane, struct app *a, int action, int key)
{
	struct help *h = (struct help *)pane;
	if (ui_scroll(&h->top, h->n, (size_t)vis(pane), action))
		return RD_OVERLAY;
	switch (action) {
	case ACT_QUIT: a->quit = true; return app_close_overlay(a);
	case ACT_BACK:
	case ACT_HELP:
	case ACT_CANCEL: return app_close_overlay(a);
	default: return RD_OVERLAY;
	}
}

static int e_data_changed(struct pane *pane, struct app *a)
{
	return 0;
}

static void e_destroy(struct pane *pane)
{
	struct help *h = (struct help *)pane;
	for (size_t i = 0; i < h->n; i++)
		free(h->v[i].text);
	free(h->v);
	if (pane->win)
		delwin(pane->win);
	free(h);
}

static const struct pane_ops help_ops = {
	.name = "Help",
	.ctx = KC_GLOBAL,
	.draw = e_draw,
	.key = e_key,
	.resize = overlay_resize,
	.data_changed = e_data_changed,
	.destroy = e_destroy,
	.off_ticket = true,
};

int help_open(struct app *a)
{
	struct help *h = xcalloc(1, sizeof *h);
	h->base.ops = &help_ops;
	h->base.flag = RD_OVERLAY;
	build(h, a);
	return app_set_overlay(a, &h->base);
}
