/* history.c: who the customer is (profile and notes) and what happened
 * to them before: their other tickets, newest first, each openable. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "format.h"
#include "text.h"
#include "ui.h"
#include "util.h"

#define MAX_TICKETS 200
/* Tickets read past the last one needed: more than a tall pane shows.
 * A customer with hundreds of tickets cost a page read for each of the
 * 200 on every move to one of their tickets (~210 reads, where a move
 * costs ~20 otherwise at 1M); now the list is read as far as it is
 * shown or moved through. */
#define HIST_WINDOW 64
#define NOTE_LINES 4

struct hist_pane {
	struct pane base;
	int64_t id; /* the ticket whose customer is shown */
	bool stale, have;
	struct customer c;
	int64_t cust;
	size_t total; /* the customer's tickets, up to MAX_TICKETS */
	struct ticket_list tickets; /* the first of them, newest first */
	char **subjects; /* sanitized */
	char *notes_safe; /* the customer's notes, sanitized; NULL: none */
	char *also;       /* their other addresses, comma-separated; NULL: none */
	char **notes;     /* notes_safe wrapped for notes_w */
	size_t nnotes;
	int notes_w;      /* -1: not wrapped yet */
	char err[1200];
	size_t sel, top;
};

static void notes_free(struct hist_pane *h)
{
	text_lines_free(h->notes, h->nnotes);
	h->notes = NULL;
	h->nnotes = 0;
	h->notes_w = -1;
}

static void unload(struct hist_pane *h)
{
	notes_free(h);
	xfree(&h->notes_safe);
	xfree(&h->also);
	if (h->have) {
		customer_free(&h->c);
		for (size_t i = 0; i < h->tickets.n; i++)
			free(h->subjects[i]);
		free(h->subjects);
		h->subjects = NULL;
		ticket_list_free(&h->tickets);
	}
	memset(&h->c, 0, sizeof h->c);
	memset(&h->tickets, 0, sizeof h->tickets);
	h->total = 0;
	h->have = false;
	h->err[0] = '\0';
}

static void load(struct hist_pane *h, struct app *a)
{
	struct derr e = {0};
	int64_t keep = h->id == a->cur_id && h->sel < h->tickets.n ? h->tickets.v[h->sel].id : 0;
	size_t was = h->tickets.n;
	unload(h);
	h->id = a->cur_id;
	h->stale = false;
	if (!h->id)
		return;
	struct ticket t;
	if (app_ticket(a, h->id, &t, &e) != DESK_OK) {
		snprintf(h->err, sizeof h->err, "%s", e.msg);
		return;
	}
	int64_t cust = t.customer_id;
	int total = 0, before = 0;
	int rc = store_customer_ticket_span(a->d->st, cust, t.created_at, t.id, MAX_TICKETS,
					    &total, &before, &e);
	ticket_free(&t);
	/* As far as the shown ticket and a window past it; a reload after
	 * a change keeps what was read. */
	size_t want = (size_t)before + HIST_WINDOW;
	if (keep && was > want)
		want = was;
	if (want > (size_t)total)
		want = (size_t)total;
	struct name_list addrs = {0};
	if (rc == DESK_OK)
		rc = store_customer_card(a->d->st, cust, (int)want, &h->c, &h->tickets, &addrs, &e);
	if (rc != DESK_OK) {
		snprintf(h->err, sizeof h->err, "customer %lld: %s", (long long)cust, e.msg);
		customer_free(&h->c);
		ticket_list_free(&h->tickets);
		memset(&h->c, 0, sizeof h->c);
		memset(&h->tickets, 0, sizeof h->tickets);
		return;
	}
	h->have = true;
	h->cust = cust;
	/* Fewer than asked for: some went meanwhile, the list ends there. */
	h->total = h->tickets.n < want ? h->tickets.n : (size_t)total;
	if (addrs.n) {
		struct strbuf b = {0};
		for (size_t i = 0; i < addrs.n; i++)
			if (!h->c.email || strcasecmp(addrs.v[i], h->c.email) != 0)
				sb_addf(&b, "%s%s", b.len ? ", " : "", addrs.v[i]);
		h->also = b.len ? sb_take(&b) : NULL;
		sb_free(&b);
	}
	name_list_free(&addrs);
	if (!str_empty(h->c.notes))
		h->notes_safe = text_sanitize(h->c.notes, SAN_KEEP_NEWLINES);
	h->subjects = xcalloc(h->tickets.n + 1, sizeof *h->subjects);
	h->sel = 0;
	for (size_t i = 0; i < h->tickets.n; i++) {
		h->subjects[i] = text_sanitize(h->tickets.v[i].subject, 0);
		if (h->tickets.v[i].id == (keep ? keep : h->id))
			h->sel = i;
	}
}

/* Reads the list on to row `upto` (and a window past it) when it was
 * not read that far; a list that came out shorter than counted (tickets
 * merged or moved meanwhile) ends there. */
static void read_to(struct hist_pane *h, struct app *a, size_t upto)
{
	if (!h->have || upto <= h->tickets.n || h->tickets.n >= h->total)
		return;
	size_t want = upto + HIST_WINDOW < h->total ? upto + HIST_WINDOW : h->total;
	struct ticket_list more = {0};
	struct derr e = {0};
	if (store_customer_tickets(a->d->st, h->cust, (int)want, &more, &e) != DESK_OK) {
		ticket_list_free(&more);
		h->total = h->tickets.n; /* what was read is what there is */
		return;
	}
	char **subjects = xcalloc(more.n + 1, sizeof *subjects);
	for (size_t i = 0; i < more.n; i++)
		subjects[i] = i < h->tickets.n && more.v[i].id == h->tickets.v[i].id
				      ? xstrdup(h->subjects[i])
				      : text_sanitize(more.v[i].subject, 0);
	for (size_t i = 0; i < h->tickets.n; i++)
		free(h->subjects[i]);
	free(h->subjects);
	ticket_list_free(&h->tickets);
	h->tickets = more;
	h->subjects = subjects;
	if (more.n < want)
		h->total = more.n;
}

/* Rows of the profile above the ticket list, as drawn. */
struct prow {
	const char *label;
	const char *value;
};

static size_t profile(const struct hist_pane *h, struct prow *out)
{
	size_t n = 0;
	const struct customer *c = &h->c;
	out[n++] = (struct prow){"Name", c->name};
	if (!str_empty(c->email))
		out[n++] = (struct prow){"Email", c->email};
	if (h->also)
		out[n++] = (struct prow){"Also", h->also};
	if (!str_empty(c->phone))
		out[n++] = (struct prow){"Phone", c->phone};
	if (!str_empty(c->organization))
		out[n++] = (struct prow){"Org", c->organization};
	if (!str_empty(c->tier))
		out[n++] = (struct prow){"Tier", c->tier};
	return n;
}

/* The customer's notes wrapped for width, sanitized once per load and
 * wrapped again only when the width changes. */
static void wrap_notes(struct hist_pane *h, int width)
{
	if (!h->notes_safe || h->notes_w == width)
		return;
	notes_free(h);
	h->nnotes = text_wrap(h->notes_safe, width > 3 ? width - 2 : 1, &h->notes);
	h->notes_w = width;
}

/* The first row of the ticket list, for this pane width. */
static int list_y(struct hist_pane *h, int width)
{
	struct prow rows[8];
	int y = 1 + (int)profile(h, rows);
	wrap_notes(h, width);
	if (h->nnotes)
		y += 1 + (h->nnotes > NOTE_LINES ? NOTE_LINES : (int)h->nnotes);
	return y + 1; /* "Tickets" heading */
}

static void h_draw(struct pane *p, struct app *a)
{
	struct hist_pane *h = (struct hist_pane *)p;
	WINDOW *w = p->win;
	int x0 = pane_x0(p), width = pane_w(p);
	if (h->id != a->cur_id || h->stale)
		load(h, a);
	if (!h->have) {
		ui_title(a, p, "Customer");
		ui_put(w, 2, x0 + 1, width - 1, h->err[0] ? "Could not load the customer:" : "No ticket selected.",
		       a->attr[h->err[0] ? EL_ERROR : EL_NORMAL]);
		if (h->err[0])
			ui_put_untrusted(w, 3, x0 + 1, width - 1, h->err, a->attr[EL_ERROR]);
		return;
	}
	char *name = text_sanitize(str_empty(h->c.name) ? h->c.email : h->c.name, 0);
	char *title = xasprintf("Customer #%lld: %s", (long long)h->c.id, name);
	ui_title(a, p, title);
	free(title);
	free(name);

	struct prow rows[8];
	size_t n = profile(h, rows);
	int y = 1;
	for (size_t i = 0; i < n && y < p->h; i++, y++) {
		ui_put(w, y, x0 + 1, width - 1, rows[i].label, a->attr[EL_LABEL]);
		ui_put_untrusted(w, y, x0 + 8, width - 8, rows[i].value ? rows[i].value : "",
				 a->attr[EL_NORMAL]);
	}
	int ly = list_y(h, width);
	if (h->nnotes) {
		ui_put(w, y++, x0 + 1, width - 1, "Notes", a->attr[EL_LABEL]);
		for (size_t i = 0; i < h->nnotes && i < NOTE_LINES && y < p->h; i++, y++)
			ui_put(w, y, x0 + 2, width - 2,
			       i == NOTE_LINES - 1 && h->nnotes > NOTE_LINES ? "…" : h->notes[i],
			       a->attr[EL_NOTE_BODY]);
	}
	char head[64];
	snprintf(head, sizeof head, "Tickets (%zu%s)", h->total,
		 h->total >= MAX_TICKETS ? "+" : "");
	if (ly - 1 < p->h)
		ui_put(w, ly - 1, x0 + 1, width - 1, head, a->attr[EL_COLUMNS]);
	int rows_left = p->h - ly;
	if (rows_left <= 0)
		return;
	if (h->sel < h->top)
		h->top = h->sel;
	if (h->sel >= h->top + (size_t)rows_left)
		h->top = h->sel - (size_t)rows_left + 1;
	read_to(h, a, h->top + (size_t)rows_left);
	bool focus = a->focus == PANE_HIST && !a->overlay;
	for (int i = 0; i < rows_left && h->top + (size_t)i < h->tickets.n; i++) {
		size_t k = h->top + (size_t)i;
		const struct ticket *t = &h->tickets.v[k];
		char date[64], line[128];
		time_format_local(t->created_at, date, sizeof date);
		date[10] = '\0';
		snprintf(line, sizeof line, "%c#%lld %-4s %s ", t->id == a->cur_id ? '*' : ' ',
			 (long long)t->id, status_label(t->status), date);
		attr_t at = k == h->sel && focus ? a->attr[EL_SELECTED] : a->attr[EL_NORMAL];
		if (k == h->sel && focus)
			ui_fill(w, ly + i, x0, width, at);
		int used = ui_put(w, ly + i, x0, width, line, at);
		ui_put(w, ly + i, x0 + used, width - used, h->subjects[k], at);
	}
}

static int h_key(struct pane *p, struct app *a, int action, int key)
{
	struct hist_pane *h = (struct hist_pane *)p;
	size_t n = h->total;
	size_t page = p->h > 10 ? (size_t)p->h / 2 : 3;
	if (!n || !h->tickets.n)
		return action == ACT_OPEN ? RD_UNHANDLED : 0;
	switch (action) {
	case ACT_DOWN: h->sel = h->sel + 1 < n ? h->sel + 1 : n - 1; break;
	case ACT_UP: h->sel = h->sel ? h->sel - 1 : 0; break;
	case ACT_PAGE_DOWN:
	case ACT_HALF_DOWN: h->sel = h->sel + page < n ? h->sel + page : n - 1; break;
	case ACT_PAGE_UP:
	case ACT_HALF_UP: h->sel = h->sel > page ? h->sel - page : 0; break;
	case ACT_TOP: h->sel = 0; break;
	case ACT_BOTTOM: h->sel = n - 1; break;
	case ACT_OPEN: {
		int64_t id = h->tickets.v[h->sel].id;
		int flags = app_show(a, id, false);
		return flags | app_focus(a, PANE_CONV) | RD_HIST;
	}
	default: return RD_UNHANDLED;
	}
	read_to(h, a, h->sel + 1);
	if (h->sel >= h->tickets.n) /* shorter than counted */
		h->sel = h->tickets.n ? h->tickets.n - 1 : 0;
	return RD_HIST;
}

static int h_click(struct pane *p, struct app *a, int y, int x)
{
	struct hist_pane *h = (struct hist_pane *)p;
	int ly = list_y(h, pane_w(p));
	if (y >= ly && h->top + (size_t)(y - ly) < h->tickets.n)
		h->sel = h->top + (size_t)(y - ly);
	return RD_HIST;
}

static void h_resize(struct pane *p, struct app *a)
{
	(void)p;
	(void)a;
}

static int h_data_changed(struct pane *p, struct app *a)
{
	((struct hist_pane *)p)->stale = true;
	return RD_HIST;
}

static void h_destroy(struct pane *p)
{
	struct hist_pane *h = (struct hist_pane *)p;
	unload(h);
	free(h);
}

static const struct pane_ops hist_ops = {
	.name = "History",
	.ctx = KC_HIST,
	.draw = h_draw,
	.key = h_key,
	.resize = h_resize,
	.data_changed = h_data_changed,
	.click = h_click,
	.destroy = h_destroy,
};

struct pane *hist_pane_new(struct app *a)
{
	struct hist_pane *h = xcalloc(1, sizeof *h);
	h->base.ops = &hist_ops;
	h->base.flag = RD_HIST;
	h->notes_w = -1;
	return &h->base;
}
