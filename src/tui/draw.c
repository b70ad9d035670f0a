/* draw.c: the theme turned into curses attributes, and the few drawing
 * primitives every pane uses.  Text reaching ui_put is sanitized already;
 * ui_put_untrusted sanitizes it first. */
#include <langinfo.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "text.h"
#include "ui.h"
#include "util.h"

static attr_t curses_attrs(unsigned ta)
{
	attr_t at = A_NORMAL;
	if (ta & TA_BOLD)
		at |= A_BOLD;
	if (ta & TA_DIM)
		at |= A_DIM;
	if (ta & TA_UNDERLINE)
		at |= A_UNDERLINE;
	if (ta & TA_REVERSE)
		at |= A_REVERSE;
	if (ta & TA_STANDOUT)
		at |= A_STANDOUT;
	if (ta & TA_BLINK)
		at |= A_BLINK;
#ifdef A_ITALIC
	if (ta & TA_ITALIC)
		at |= A_ITALIC;
#endif
	return at;
}

/* A theme colour for this terminal: -1 (its own), or an index it has. */
static short term_color(short c, bool fg, bool defaults)
{
	if (c == C_UNSET || c == C_DEF)
		return defaults ? -1 : (fg ? COLOR_WHITE : COLOR_BLACK);
	if (c >= COLORS)
		c = (short)(COLORS >= 16 && c < 16 ? c : color_to_8(c));
	return c;
}

void colors_init(struct app *a)
{
	const char *nc = getenv("NO_COLOR");
	bool color = has_colors() && !(nc && *nc);
	bool defaults = false;
	if (color) {
		start_color();
		defaults = use_default_colors() == OK;
	}
	short pair = 0;
	for (int i = 0; i < EL__COUNT; i++) {
		const struct style *s = &a->theme.el[i];
		attr_t at = curses_attrs(s->attrs);
		bool colored = color && (s->fg >= 0 || s->bg >= 0) && pair + 1 < COLOR_PAIRS;
		if (colored) {
			pair++;
			init_pair(pair, term_color(s->fg, true, defaults),
				  term_color(s->bg, false, defaults));
			at |= COLOR_PAIR(pair);
		} else {
			at |= curses_attrs(element_mono[i]);
		}
		a->attr[i] = at;
	}
}

bool ui_utf8(void)
{
	static int utf8 = -1;
	if (utf8 < 0) {
		const char *cs = nl_langinfo(CODESET);
		utf8 = cs && (strcasecmp(cs, "UTF-8") == 0 || strcasecmp(cs, "UTF8") == 0);
	}
	return utf8;
}

int ui_put(WINDOW *w, int y, int x, int maxw, const char *s, attr_t at)
{
	if (!w || maxw <= 0 || !s)
		return 0;
	/* Under LANG=C curses would show UTF-8 as blanks or byte soup. */
	char *ascii = ui_utf8() ? NULL : text_ascii(s);
	if (ascii)
		s = ascii;
	int used;
	size_t n = text_fit(s, maxw, &used);
	wattrset(w, at);
	if (n)
		mvwaddnstr(w, y, x, s, (int)n);
	wattrset(w, A_NORMAL);
	free(ascii);
	return used;
}

int ui_put_untrusted(WINDOW *w, int y, int x, int maxw, const char *s, attr_t at)
{
	char *safe = text_sanitize(s, 0);
	int used = ui_put(w, y, x, maxw, safe, at);
	free(safe);
	return used;
}

void ui_fill(WINDOW *w, int y, int x, int n, attr_t at)
{
	if (!w || n <= 0)
		return;
	wattrset(w, at);
	mvwhline(w, y, x, ' ', n);
	wattrset(w, A_NORMAL);
}

void ui_title(struct app *a, struct pane *p, const char *title)
{
	bool focus = a->focus < PANE__COUNT && a->pane[a->focus] == p && !a->overlay;
	attr_t at = a->attr[focus ? EL_TITLE_FOCUS : EL_TITLE];
	if (p->sep) {
		wattrset(p->win, a->attr[EL_BORDER]);
		mvwvline_set(p->win, 0, 0, WACS_VLINE, p->h);
		wattrset(p->win, A_NORMAL);
	}
	int x0 = pane_x0(p), w = pane_w(p);
	ui_fill(p->win, 0, x0, w, at);
	ui_put(p->win, 0, x0 + 1, w - 1, title, at);
}

bool ui_scroll(size_t *top, size_t n, size_t visible, int action)
{
	size_t end = n > visible ? n - visible : 0, page = visible ? visible : 1;
	size_t half = page > 1 ? page / 2 : 1, t = *top;
	switch (action) {
	case ACT_DOWN: t = t < end ? t + 1 : end; break;
	case ACT_UP: t = t ? t - 1 : 0; break;
	case ACT_PAGE_DOWN: t = t + page < end ? t + page : end; break;
	case ACT_HALF_DOWN: t = t + half < end ? t + half : end; break;
	case ACT_PAGE_UP: t = t > page ? t - page : 0; break;
	case ACT_HALF_UP: t = t > half ? t - half : 0; break;
	case ACT_TOP: t = 0; break;
	case ACT_BOTTOM: t = end; break;
	default: return false;
	}
	*top = t;
	return true;
}
