/* audit.c: `A`: the selected ticket's audit trail (store_events) in an
 * overlay, oldest first: when, who, what, which field, old → new.  Every
 * value is sanitized: an old subject may hold a customer's escape codes.
 * It follows changes made meanwhile (data_changed reloads it). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "ui.h"
#include "util.h"

struct audit {
	struct pane base;
	int64_t ticket;
	char **lines; /* sanitized */
	size_t n, cap;
	size_t top;
	bool follow; /* at the end: stays there as events arrive */
};

static void add(struct audit *v, char *line)
{
	xgrow((void **)&v->lines, &v->cap, v->n + 1, sizeof *v->lines);
	v->lines[v->n++] = line;
}

static void lines_clear(struct audit *v)
{
	text_lines_free(v->lines, v->n);
	v->lines = NULL;
	v->n = v->cap = 0;
}

static int vis(const struct pane *p)
{
	return p->h > 1 ? p->h - 1 : 1;
}

static void load(struct audit *v, struct app *a)
{
	struct event_list l = {0};
	struct derr e = {0};
	lines_clear(v);
	if (store_events(a->d->st, v->ticket, &l, &e) != DESK_OK) {
		add(v, xasprintf("The audit trail could not be read: %s", e.msg));
		event_list_free(&l);
		return;
	}
	if (!l.n)
		add(v, xstrdup("No changes recorded for this ticket."));
	for (size_t i = 0; i < l.n; i++) {
		const struct event *ev = &l.v[i];
		char when[64];
		time_format_local(ev->at, when, sizeof when);
		struct strbuf b = {0};
		sb_addf(&b, "%-16.16s  %-12s %-8s", when, ev->agent_login ? ev->agent_login : "(system)",
			ev->action ? ev->action : "?");
		if (ev->field)
			sb_addf(&b, " %s", ev->field);
		if (ev->old_value || ev->new_value)
			sb_addf(&b, "%s %s → %s", ev->field ? ":" : "", ev->old_value ? ev->old_value : "-",
				ev->new_value ? ev->new_value : "-");
		add(v, text_sanitize(sb_str(&b), 0));
		sb_free(&b);
	}
	event_list_free(&l);
	size_t h = (size_t)vis(&v->base);
	size_t end = v->n > h ? v->n - h : 0;
	if (v->follow || v->top > end)
		v->top = end;
}

static void v_draw(struct pane *pane, struct app *a)
{
	struct audit *v = (struct audit *)pane;
	WINDOW *w = pane->win;
	werase(w);
	ui_fill(w, 0, 0, pane->w, a->attr[EL_TITLE_FOCUS]);
	char title[128];
	snprintf(title, sizeof title, "History of #%lld: who changed what (q or Esc closes, j/k scroll)",
		 (long long)v->ticket);
	ui_put(w, 0, 1, pane->w - 1, title, a->attr[EL_TITLE_FOCUS]);
	for (int i = 0; i < vis(pane) && v->top + (size_t)i < v->n; i++)
		ui_put(w, 1 + i, 1, pane->w - 1, v->lines[v->top + (size_t)i], a->attr[EL_NORMAL]);
}

static int v_key(struct pane *pane, struct app *a, int action, int key)
{
	struct audit *v = (struct audit *)pane;
	size_t h = (size_t)vis(pane);
	if (!ui_scroll(&v->top, v->n, h, action)) {
		switch (action) {
		case ACT_QUIT: a->quit = true; return app_close_overlay(a);
		case ACT_BACK:
		case ACT_AUDIT:
		case ACT_CANCEL: return app_close_overlay(a);
		default: break;
		}
	}
	v->follow = v->top + h >= v->n;
	return RD_OVERLAY;
}

static void v_resize(struct pane *pane, struct app *a)
{
	struct audit *v = (struct audit *)pane;
	if (!overlay_fill_screen(pane, a))
		return;
	size_t h = (size_t)vis(pane);
	size_t end = v->n > h ? v->n - h : 0;
	if (v->follow || v->top > end)
		v->top = end;
}

static int v_data_changed(struct pane *pane, struct app *a)
{
	load((struct audit *)pane, a);
	return RD_OVERLAY;
}

static void v_destroy(struct pane *pane)
{
	struct audit *v = (struct audit *)pane;
	lines_clear(v);
	if (pane->win)
		delwin(pane->win);
	free(v);
}

static const struct pane_ops audit_ops = {
	.name = "History",
	.ctx = KC_GLOBAL,
	.draw = v_draw,
	.key = v_key,
	.resize = v_resize,
	.data_changed = v_data_changed,
	.destroy = v_destroy,
};

int audit_open(struct app *a, int64_t ticket)
{
	struct audit *v = xcalloc(1, sizeof *v);
	v->base.ops = &audit_ops;
	v->base.flag = RD_OVERLAY;
	v->ticket = ticket;
	v->follow = true; /* the latest changes first in view */
	int flags = app_set_overlay(a, &v->base);
	load(v, a);
	return flags;
}

int act_audit(struct app *a, const char *arg)
{
	return audit_open(a, a->cur_id);
}
