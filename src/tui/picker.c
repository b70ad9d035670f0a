/* picker.c: choose one item from a list in a box over the panes: type
 * to filter, arrows to move, Enter to choose, with an optional preview
 * of the selected item (canned responses), and optionally Delete or a
 * key of the list's own to act on the selected item another way
 * (drafts, attachments).  Used for canned responses,
 * views, sorts, statuses, priorities, customers, channels and drafts. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>
#include <wctype.h>

#include "text.h"
#include "ui.h"
#include "util.h"

struct picker {
	struct pane base;
	struct picker_spec s;
	char *title;
	struct strbuf filter;
	size_t *match, nmatch;
	size_t sel, top; /* in match */
	int list_h;
};

void picker_add(struct picker_item **items, size_t *n, size_t *cap, const char *label,
		const char *value, const char *preview)
{
	xgrow((void **)items, cap, *n + 1, sizeof **items);
	(*items)[(*n)++] = (struct picker_item){xstrdup(label), xstrdup(value), xstrdup(preview)};
}

/* How an item matches what was typed, best first: 0 the whole of its
 * value or label, 1 the start of one, 2 inside one; -1 not at all. */
static int match_rank(const struct picker_item *it, const char *typed)
{
	const char *texts[] = {it->value, it->label};
	size_t n = strlen(typed);
	int best = -1;
	for (size_t i = 0; i < ARRAY_LEN(texts); i++) {
		const char *t = texts[i];
		int r = !t ? -1
			: strcasecmp(t, typed) == 0 ? 0
			: strncasecmp(t, typed, n) == 0 ? 1
			: str_icontains(t, typed) ? 2 : -1;
		if (r >= 0 && (best < 0 || r < best))
			best = r;
	}
	return best;
}

/* The items that match, exact ones first, then prefixes, then the rest,
 * each in the list's order; the first is the one Enter takes, so it is
 * selected.  With nothing typed, every item, the selection kept. */
static void refilter(struct picker *p)
{
	const char *f = sb_str(&p->filter);
	size_t keep = p->nmatch ? p->match[p->sel] : p->s.selected;
	p->nmatch = 0;
	p->sel = 0;
	p->top = 0;
	if (!*f) {
		for (size_t i = 0; i < p->s.n; i++) {
			if (i == keep)
				p->sel = p->nmatch;
			p->match[p->nmatch++] = i;
		}
		return;
	}
	/* ranked once each, then gathered rank by rank (a stable bucket sort) */
	size_t count[3] = {0};
	int *rank = xcalloc(p->s.n + 1, sizeof *rank);
	for (size_t i = 0; i < p->s.n; i++)
		if ((rank[i] = match_rank(&p->s.items[i], f)) >= 0)
			count[rank[i]]++;
	size_t at[3] = {0, count[0], count[0] + count[1]};
	for (size_t i = 0; i < p->s.n; i++)
		if (rank[i] >= 0)
			p->match[at[rank[i]]++] = i;
	p->nmatch = count[0] + count[1] + count[2];
	free(rank);
}

static int finish_with(struct picker *p, struct app *a, const char *value, prompt_done_fn done)
{
	void *data = p->s.data;
	void (*free_data)(void *) = p->s.free_data;
	char *copy = xstrdup(value);
	p->s.data = NULL;
	int flags = app_close_overlay(a);
	flags |= done ? done(a, copy, data) : 0;
	if (free_data)
		free_data(data);
	free(copy);
	return flags;
}

static int finish(struct picker *p, struct app *a, const char *value)
{
	return finish_with(p, a, value, p->s.done);
}

static int k_key(struct pane *pane, struct app *a, int action, int key)
{
	struct picker *p = (struct picker *)pane;
	size_t page = p->list_h > 1 ? (size_t)p->list_h - 1 : 1;
	if (action < 0 && (key & KEY_FN)) /* PgDn and the like, from global */
		action = keymap_lookup(&a->km, KC_GLOBAL, key);
	switch (action) {
	case ACT_ACCEPT:
		if (!p->nmatch)
			return RD_OVERLAY;
		return finish(p, a, p->s.items[p->match[p->sel]].value);
	case ACT_CANCEL: return finish(p, a, NULL);
	case ACT_DELETE:
		if (!p->s.remove || !p->nmatch)
			return RD_OVERLAY;
		return finish_with(p, a, p->s.items[p->match[p->sel]].value, p->s.remove);
	case ACT_HISTORY_NEXT:
	case ACT_DOWN:
		if (p->sel + 1 < p->nmatch)
			p->sel++;
		break;
	case ACT_HISTORY_PREV:
	case ACT_UP:
		if (p->sel)
			p->sel--;
		break;
	case ACT_PAGE_DOWN:
		p->sel = p->sel + page < p->nmatch ? p->sel + page : (p->nmatch ? p->nmatch - 1 : 0);
		break;
	case ACT_PAGE_UP: p->sel = p->sel > page ? p->sel - page : 0; break;
	case ACT_TOP: p->sel = 0; break;
	case ACT_BOTTOM: p->sel = p->nmatch ? p->nmatch - 1 : 0; break;
	case ACT_BACKSPACE:
		if (p->filter.len) {
			size_t i = p->filter.len;
			do
				i--;
			while (i && ((unsigned char)p->filter.s[i] & 0xC0) == 0x80);
			p->filter.len = i;
			p->filter.s[i] = '\0';
			refilter(p);
		}
		break;
	case ACT_KILL_START:
	case ACT_KILL_WORD:
		sb_reset(&p->filter);
		refilter(p);
		break;
	default:
		/* the list's own key (attachments: s saves), while nothing is typed */
		if (p->s.alt && key == p->s.alt_key && !p->filter.len && p->nmatch)
			return finish_with(p, a, p->s.items[p->match[p->sel]].value, p->s.alt);
		if (!(key & KEY_FN) && key >= ' ' && key != 0x7f && iswprint((wint_t)key)) {
			char mb[MB_LEN_MAX];
			mbstate_t st = {0};
			size_t n = wcrtomb(mb, (wchar_t)key, &st);
			if (n != (size_t)-1) {
				sb_addn(&p->filter, mb, n);
				refilter(p);
			}
		}
		break;
	}
	return RD_OVERLAY;
}

static void k_resize(struct pane *pane, struct app *a)
{
	struct picker *p = (struct picker *)pane;
	if (pane->win)
		delwin(pane->win);
	pane->win = NULL;
	if (a->layout == LAYOUT_TOO_SMALL)
		return;
	int avail_h = LINES - 2, avail_w = COLS;
	int w = avail_w * 2 / 3;
	if (w < 50)
		w = avail_w - 2;
	if (w > 100)
		w = 100;
	if (w < 10)
		w = avail_w;
	int want = (int)p->s.n + 3 + (p->s.preview ? 12 : 0);
	int h = want < avail_h - 2 ? want : avail_h - 2;
	if (h < 4)
		h = avail_h < 4 ? avail_h : 4;
	pane->h = h;
	pane->w = w;
	pane->y = (avail_h - h) / 2;
	pane->x = (avail_w - w) / 2;
	pane->win = newwin(h, w, pane->y, pane->x);
}

static void k_draw(struct pane *pane, struct app *a)
{
	struct picker *p = (struct picker *)pane;
	WINDOW *w = pane->win;
	int h = pane->h, width = pane->w;
	wbkgdset(w, ' ' | a->attr[EL_PICKER]);
	werase(w);
	wattrset(w, a->attr[EL_PICKER_BORDER]);
	box_set(w, WACS_VLINE, WACS_HLINE);
	wattrset(w, A_NORMAL);
	char *title = text_sanitize(p->title, 0);
	char *t = xasprintf(" %s ", title);
	ui_put(w, 0, 2, width - 4, t, a->attr[EL_PICKER_BORDER] | A_BOLD);
	free(t);
	free(title);
	char *f = text_sanitize(sb_str(&p->filter), 0);
	char *fl = xasprintf("Filter: %s", f);
	ui_put(w, 1, 1, width - 2, fl, a->attr[EL_PROMPT]);
	free(fl);
	free(f);
	int inner = h - 3; /* box and filter line */
	int list_h = p->s.preview ? (inner > 8 ? inner / 2 : inner) : inner;
	if (p->s.preview && list_h > (int)p->nmatch && p->nmatch)
		list_h = (int)p->nmatch;
	p->list_h = list_h;
	if (p->sel < p->top)
		p->top = p->sel;
	if (list_h > 0 && p->sel >= p->top + (size_t)list_h)
		p->top = p->sel - (size_t)list_h + 1;
	for (int i = 0; i < list_h && p->top + (size_t)i < p->nmatch; i++) {
		size_t k = p->top + (size_t)i;
		attr_t at = k == p->sel ? a->attr[EL_SELECTED] : a->attr[EL_PICKER];
		if (k == p->sel)
			ui_fill(w, 2 + i, 1, width - 2, at);
		ui_put_untrusted(w, 2 + i, 2, width - 4, p->s.items[p->match[k]].label, at);
	}
	if (!p->nmatch)
		ui_put(w, 2, 2, width - 4, "(nothing matches)", a->attr[EL_INFO]);
	const char *preview = p->nmatch ? p->s.items[p->match[p->sel]].preview : NULL;
	int py = 2 + list_h;
	if (p->s.preview && preview && py + 1 < h - 1) {
		wattrset(w, a->attr[EL_PICKER_BORDER]);
		mvwhline_set(w, py, 1, WACS_HLINE, width - 2);
		wattrset(w, A_NORMAL);
		char *safe = text_sanitize(preview, SAN_KEEP_NEWLINES);
		char **lines;
		size_t n = text_wrap(safe, width - 4, &lines);
		free(safe);
		for (size_t i = 0; i < n && py + 1 + (int)i < h - 1; i++)
			ui_put(w, py + 1 + (int)i, 2, width - 4, lines[i], a->attr[EL_PICKER]);
		text_lines_free(lines, n);
	}
}

static int k_data_changed(struct pane *pane, struct app *a)
{
	return 0;
}

static void k_destroy(struct pane *pane)
{
	struct picker *p = (struct picker *)pane;
	if (p->s.free_data && p->s.data)
		p->s.free_data(p->s.data);
	for (size_t i = 0; i < p->s.n; i++) {
		free(p->s.items[i].label);
		free(p->s.items[i].value);
		free(p->s.items[i].preview);
	}
	free(p->s.items);
	free(p->match);
	free(p->title);
	sb_free(&p->filter);
	if (pane->win)
		delwin(pane->win);
	free(p);
}

static const struct pane_ops picker_ops = {
	.name = "Picker",
	.ctx = KC_PROMPT,
	.draw = k_draw,
	.key = k_key,
	.resize = k_resize,
	.data_changed = k_data_changed,
	.destroy = k_destroy,
};

int picker_open(struct app *a, struct picker_spec *s)
{
	struct picker *p = xcalloc(1, sizeof *p);
	p->base.ops = &picker_ops;
	p->base.flag = RD_OVERLAY;
	p->s = *s;
	p->title = xstrdup(s->title ? s->title : "");
	p->s.title = NULL;
	p->match = xcalloc(s->n + 1, sizeof *p->match);
	refilter(p);
	memset(s, 0, sizeof *s); /* the picker owns the items now */
	return app_set_overlay(a, &p->base);
}
