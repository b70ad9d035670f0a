/* statusline.c: the status bar (agent, view, count, sort, mode, key
 * hints from the live keymap) and the message line under it; and the
 * "terminal too small" screen. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "ui.h"
#include "util.h"

/* The first key bound to an action, for hints ("?"), or "" if none. */
static void first_key(struct app *a, int action, char *buf, size_t size)
{
	char keys[128];
	buf[0] = '\0';
	if (keymap_keys(&a->km, KC_GLOBAL, action, keys, sizeof keys) > 0)
		snprintf(buf, size, "%.*s", (int)strcspn(keys, " "), keys);
}

void count_label(const struct app *a, char *buf, size_t size)
{
	if (a->count_stale)
		snprintf(buf, size, "…");
	else
		snprintf(buf, size, "%lld%s", (long long)a->count, a->count_more ? "+" : "");
}

void status_draw(struct app *a)
{
	WINDOW *w = a->statuswin;
	if (w) {
		attr_t at = a->attr[EL_STATUSBAR];
		int cols = getmaxx(w);
		werase(w);
		ui_fill(w, 0, 0, cols, at);
		char view[256], count[32], left[512], right[256];
		views_title(a, view, sizeof view);
		count_label(a, count, sizeof count);
		char news[64]; /* "3 new · 1 yours" (fresh.c) */
		fresh_status(a, news, sizeof news);
		char down[64] = "";
		if (a->link_down_since) {
			char when[32];
			time_format_local(a->link_down_since, when, sizeof when);
			snprintf(down, sizeof down, " │ OFFLINE since %s", when + 11);
		}
		snprintf(left, sizeof left, " %s │ %s (%s) │ %s%s%s%s%s",
			 a->d->me.login ? a->d->me.login : "?", view, count,
			 queue_sort_name(a->view.sort), a->view.reverse ? " ↑" : "",
			 *news ? " │ " : "", news, down);
		char *safe = text_sanitize(left, 0);
		char khelp[32], kcmd[32], kquit[32];
		first_key(a, ACT_HELP, khelp, sizeof khelp);
		first_key(a, ACT_COMMAND, kcmd, sizeof kcmd);
		first_key(a, ACT_QUIT, kquit, sizeof kquit);
		struct strbuf r = {0};
		if (a->mouse)
			sb_add(&r, "[mouse] ");
		if (*khelp)
			sb_addf(&r, "%s help  ", khelp);
		if (*kcmd)
			sb_addf(&r, "%s command  ", kcmd);
		if (*kquit)
			sb_addf(&r, "%s quit ", kquit);
		snprintf(right, sizeof right, "%s", sb_str(&r));
		sb_free(&r);
		int rw = text_width(right);
		int lw = ui_put(w, 0, 0, cols - (rw < cols / 2 ? rw : 0), safe, at);
		if (rw < cols / 2 && lw + rw <= cols)
			ui_put(w, 0, cols - rw, rw, right, at);
		free(safe);
	}
	w = a->msgwin;
	if (w) {
		werase(w);
		if (!a->msg[0] && a->unsent) {
			char *notice = xasprintf("Unsent text kept in %s (:dismiss hides this)",
						 a->unsent);
			ui_put_untrusted(w, 0, 0, getmaxx(w), notice, a->attr[EL_ERROR]);
			free(notice);
		} else {
			ui_put_untrusted(w, 0, 0, getmaxx(w), a->msg,
					 a->attr[a->msg_error ? EL_ERROR : EL_INFO]);
		}
	}
}

void too_small_draw(struct app *a)
{
	char need[64];
	snprintf(need, sizeof need, "(need %dx%d)", MIN_COLS, MIN_LINES);
	const char *lines[] = {"terminal too small", need};
	werase(stdscr);
	int n = LINES < 2 ? LINES : 2;
	for (int i = 0; i < n; i++) {
		int tw = text_width(lines[i]);
		int x = COLS > tw ? (COLS - tw) / 2 : 0;
		int y = LINES / 2 - 1 + i;
		if (y < 0)
			y = i;
		ui_put(stdscr, y, x, COLS, lines[i], a->attr[EL_ERROR]);
	}
	wnoutrefresh(stdscr);
}
