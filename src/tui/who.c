/* who.c: `:who`: the consoles open now (store_consoles through
 * core_consoles), one line each: the agent, what the console shows (a
 * ticket and its subject, or the view) and since when.  An overlay like
 * the audit trail's, reread every few seconds while open (other
 * consoles' rows change without touching the tickets).  Subjects and
 * view names are sanitized: a subject is a customer's text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "text.h"
#include "ui.h"
#include "util.h"

#define REREAD_MS 2000

struct who {
	struct pane base;
	char **lines; /* sanitized */
	size_t n, cap;
	size_t top;
	size_t consoles;
	int64_t read_ms;
};

static const struct pane_ops who_ops;

static void add(struct who *v, char *line)
{
	xgrow((void **)&v->lines, &v->cap, v->n + 1, sizeof *v->lines);
	v->lines[v->n++] = line;
}

static void lines_clear(struct who *v)
{
	text_lines_free(v->lines, v->n);
	v->lines = NULL;
	v->n = v->cap = 0;
}

/* "#12 Refund not received" or "view mine", for one console. */
static char *showing(const struct console_row *r)
{
	if (r->ticket_id)
		return xasprintf("#%lld %s", (long long)r->ticket_id, r->subject ? r->subject : "");
	return xasprintf("view %s", r->view ? r->view : "?");
}

/* s clipped and padded to exactly width columns. */
static void cell(struct strbuf *b, const char *s, int width)
{
	char *safe = text_sanitize(s, 0);
	char *clipped = text_clip(safe, width, true);
	sb_add(b, clipped);
	free(clipped);
	free(safe);
}

char *who_line(const struct console_row *r, int64_t now, bool mine)
{
	char since[32], open_for[32];
	int64_t at = r->ticket_id && r->ticket_since ? r->ticket_since : r->started_at;
	time_format_span(now - at, since, sizeof since);
	time_format_span(now - r->started_at, open_for, sizeof open_for);
	char *what = showing(r);
	struct strbuf b = {0};
	cell(&b, r->login ? r->login : "?", 12);
	sb_addc(&b, ' ');
	cell(&b, what, 48);
	sb_addf(&b, "  %s %s  (console open %s)%s", r->ticket_id ? "for" : "since", since,
		open_for, mine ? "  <- you" : "");
	free(what);
	return sb_take(&b);
}

static void load(struct who *v, struct app *a)
{
	struct console_rows rows = {0};
	struct derr e = {0};
	lines_clear(v);
	v->read_ms = app_now_ms();
	if (core_consoles(a->d, &rows, &e) != DESK_OK) {
		add(v, xasprintf("The open consoles could not be read: %s", e.msg));
		console_rows_free(&rows);
		return;
	}
	if (!rows.n)
		add(v, xstrdup("No console is open."));
	v->consoles = rows.n;
	int64_t now = time_now();
	for (size_t i = 0; i < rows.n; i++)
		add(v, who_line(&rows.v[i], now,
				rows.v[i].pid == (int64_t)getpid() && rows.v[i].login &&
					a->d->me.login &&
					strcmp(rows.v[i].login, a->d->me.login) == 0));
	console_rows_free(&rows);
	size_t h = v->base.h > 1 ? (size_t)v->base.h - 1 : 1;
	if (v->top + h > v->n)
		v->top = v->n > h ? v->n - h : 0;
}

static int vis(const struct pane *p)
{
	return p->h > 1 ? p->h - 1 : 1;
}

static void v_draw(struct pane *pane, struct app *a)
{
	struct who *v = (struct who *)pane;
	WINDOW *w = pane->win;
	werase(w);
	ui_fill(w, 0, 0, pane->w, a->attr[EL_TITLE_FOCUS]);
	char title[128];
	snprintf(title, sizeof title, "Who is online: %zu console%s (q or Esc closes, j/k scroll)",
		 v->consoles, v->consoles == 1 ? "" : "s");
	ui_put(w, 0, 1, pane->w - 1, title, a->attr[EL_TITLE_FOCUS]);
	for (int i = 0; i < vis(pane) && v->top + (size_t)i < v->n; i++)
		ui_put(w, 1 + i, 1, pane->w - 1, v->lines[v->top + (size_t)i], a->attr[EL_NORMAL]);
}

static int v_key(struct pane *pane, struct app *a, int action, int key)
{
	struct who *v = (struct who *)pane;
	if (ui_scroll(&v->top, v->n, (size_t)vis(pane), action))
		return RD_OVERLAY;
	switch (action) {
	case ACT_QUIT: a->quit = true; return app_close_overlay(a);
	case ACT_BACK:
	case ACT_WHO:
	case ACT_CANCEL: return app_close_overlay(a);
	default: return RD_OVERLAY;
	}
}

static int v_data_changed(struct pane *pane, struct app *a)
{
	load((struct who *)pane, a);
	return RD_OVERLAY;
}

static void v_destroy(struct pane *pane)
{
	struct who *v = (struct who *)pane;
	lines_clear(v);
	if (pane->win)
		delwin(pane->win);
	free(v);
}

static const struct pane_ops who_ops = {
	.name = "Who",
	.ctx = KC_GLOBAL,
	.draw = v_draw,
	.key = v_key,
	.resize = overlay_resize,
	.data_changed = v_data_changed,
	.destroy = v_destroy,
	.off_ticket = true,
};

int who_tick(struct app *a, bool db_changed)
{
	struct who *v = (struct who *)a->overlay;
	if (!v || v->base.ops != &who_ops)
		return 0;
	if (!db_changed && app_now_ms() - v->read_ms < REREAD_MS)
		return 0;
	load(v, a);
	return RD_OVERLAY;
}

int act_who(struct app *a, const char *arg)
{
	struct who *v = xcalloc(1, sizeof *v);
	v->base.ops = &who_ops;
	v->base.flag = RD_OVERLAY;
	int flags = app_set_overlay(a, &v->base);
	load(v, a);
	return flags;
}
