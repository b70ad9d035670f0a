/* layout.c: where the panes go for the terminal's size.
 *
 *   wide   (>= 160 columns): queue | conversation | history
 *   medium (>= 100 columns): queue | conversation over history
 *   narrow: the focused pane alone; Tab switches
 * Below MIN_COLS x MIN_LINES a centred "terminal too small" message.
 * The two bottom lines are the status bar and the message/prompt line. */
#include "ui.h"

static void place(struct pane *p, int y, int x, int h, int w, bool sep)
{
	p->y = y;
	p->x = x;
	p->h = h;
	p->w = w;
	p->sep = sep;
	p->visible = true;
}

static WINDOW *remake(WINDOW *old, int h, int w, int y, int x)
{
	if (old)
		delwin(old);
	return h > 0 && w > 0 ? newwin(h, w, y, x) : NULL;
}

bool pane_shown(const struct app *a, enum pane_id id)
{
	return a->pane[id] && a->pane[id]->visible && a->layout != LAYOUT_TOO_SMALL;
}

void layout_apply(struct app *a)
{
	int cols = COLS, lines = LINES;
	int h = lines - 2;
	for (int i = 0; i < PANE__COUNT; i++)
		a->pane[i]->visible = false;
	if (cols < MIN_COLS || lines < MIN_LINES) {
		a->layout = LAYOUT_TOO_SMALL;
	} else if (cols >= WIDE_COLS) {
		a->layout = LAYOUT_WIDE;
		int qw = cols * 45 / 100, hw = cols * 22 / 100;
		int cw = cols - qw - hw;
		place(a->pane[PANE_QUEUE], 0, 0, h, qw, false);
		place(a->pane[PANE_CONV], 0, qw, h, cw, true);
		place(a->pane[PANE_HIST], 0, qw + cw, h, hw, true);
	} else if (cols >= MEDIUM_COLS) {
		a->layout = LAYOUT_MEDIUM;
		int qw = cols / 2, ch = h * 62 / 100;
		place(a->pane[PANE_QUEUE], 0, 0, h, qw, false);
		place(a->pane[PANE_CONV], 0, qw, ch, cols - qw, true);
		place(a->pane[PANE_HIST], ch, qw, h - ch, cols - qw, true);
	} else {
		a->layout = LAYOUT_NARROW;
		for (int i = 0; i < PANE__COUNT; i++) {
			place(a->pane[i], 0, 0, h, cols, false);
			a->pane[i]->visible = i == (int)a->focus;
		}
	}
	for (int i = 0; i < PANE__COUNT; i++) {
		struct pane *p = a->pane[i];
		if (a->layout == LAYOUT_TOO_SMALL) {
			if (p->win)
				delwin(p->win);
			p->win = NULL;
			continue;
		}
		p->win = remake(p->win, p->h, p->w, p->y, p->x);
		p->ops->resize(p, a);
	}
	bool small = a->layout == LAYOUT_TOO_SMALL;
	a->statuswin = remake(a->statuswin, small ? 0 : 1, cols, lines - 2, 0);
	a->msgwin = remake(a->msgwin, small ? 0 : 1, cols, lines - 1, 0);
	if (a->overlay)
		a->overlay->ops->resize(a->overlay, a);
}

void layout_free(struct app *a)
{
	for (int i = 0; i < PANE__COUNT; i++) {
		if (a->pane[i] && a->pane[i]->win) {
			delwin(a->pane[i]->win);
			a->pane[i]->win = NULL;
		}
	}
	if (a->statuswin)
		delwin(a->statuswin);
	if (a->msgwin)
		delwin(a->msgwin);
	a->statuswin = a->msgwin = NULL;
}

bool overlay_fill_screen(struct pane *p, struct app *a)
{
	if (p->win)
		delwin(p->win);
	p->win = NULL;
	if (a->layout == LAYOUT_TOO_SMALL)
		return false;
	p->y = p->x = 0;
	p->h = LINES - 2;
	p->w = COLS;
	p->win = newwin(p->h, p->w, 0, 0);
	return true;
}

void overlay_resize(struct pane *p, struct app *a)
{
	overlay_fill_screen(p, a);
}
