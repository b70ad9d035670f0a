/* kb.c: `B`: the knowledge base over the whole screen.  Before anything
 * is typed it lists the articles the open ticket's subject suggests;
 * typing searches (every word a prefix); the selected article is shown
 * below, rendered for the terminal (markdown.h, sanitized).  Enter puts
 * the article's text into a reply, Tab its public link (public articles
 * only), and the reply editor opens on it (after the agent's draft when
 * there is one).  The index is brought in step with the folder each time
 * the overlay opens, so an article saved a moment ago is there. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#include "markdown.h"
#include "text.h"
#include "ui.h"
#include "util.h"

#define KB_HITS 50
#define KB_LIST_MIN 3

struct kbview {
	struct pane base;
	int64_t ticket;  /* the ticket shown when opened; 0: none */
	char *subject;   /* its subject, for suggestions */
	struct strbuf query;
	struct kb_list hits;
	bool suggested;  /* hits are the subject's suggestions */
	size_t sel, top; /* in hits */
	int list_h;
	/* the selected article rendered, for the width it was rendered at */
	struct md_doc preview;
	int64_t preview_id;
	int preview_w;
	size_t preview_top;
	int preview_h;
};

static void research(struct kbview *v, struct app *a)
{
	struct derr e = {0};
	kb_list_free(&v->hits);
	v->sel = v->top = 0;
	v->preview_id = 0;
	const char *q = sb_str(&v->query);
	v->suggested = !*q;
	const char *text = v->suggested ? (v->subject ? v->subject : "") : q;
	if (store_kb_search(a->d->st, text, v->suggested ? KB_ANY_WORD : KB_ALL_WORDS, KB_HITS,
			    &v->hits, &e))
		app_error(a, &e);
}

static const struct kb_article *selected(const struct kbview *v)
{
	return v->sel < v->hits.n ? &v->hits.v[v->sel] : NULL;
}

/* Closes the overlay and opens the reply with the article in it. */
static int insert(struct kbview *v, struct app *a, bool link)
{
	const struct kb_article *art = selected(v);
	if (!art)
		return RD_OVERLAY;
	if (!v->ticket || v->ticket != a->cur_id) {
		app_fail(a, "Open a ticket first: an article goes into a reply to it.");
		return RD_OVERLAY | RD_STATUS;
	}
	struct derr e = {0};
	char *text, *marker;
	if (link) {
		char *url = core_kb_link(a->cfg, art, &e);
		if (!url) {
			app_error(a, &e);
			return RD_OVERLAY | RD_STATUS;
		}
		text = xasprintf("%s: %s", art->title, url);
		marker = url;
	} else {
		text = core_kb_reply_text(art);
		marker = xstrdup(art->title);
	}
	char *slug = xstrdup(art->slug);
	int flags = app_close_overlay(a); /* v is gone */
	flags |= compose_insert_article(a, text, slug, marker);
	free(text);
	free(marker);
	free(slug);
	return flags;
}

static int k_key(struct pane *pane, struct app *a, int action, int key)
{
	struct kbview *v = (struct kbview *)pane;
	if (action < 0 && (key & KEY_FN)) /* PgDn and the like, from global */
		action = keymap_lookup(&a->km, KC_GLOBAL, key);
	switch (action) {
	case ACT_ACCEPT: return insert(v, a, false);
	case ACT_COMPLETE: return insert(v, a, true);
	case ACT_CANCEL: return app_close_overlay(a);
	case ACT_QUIT: a->quit = true; return app_close_overlay(a);
	case ACT_HISTORY_NEXT:
	case ACT_DOWN:
		if (v->sel + 1 < v->hits.n)
			v->sel++;
		break;
	case ACT_HISTORY_PREV:
	case ACT_UP:
		if (v->sel)
			v->sel--;
		break;
	case ACT_PAGE_DOWN:
	case ACT_PAGE_UP:
	case ACT_HALF_DOWN:
	case ACT_HALF_UP:
		/* the preview scrolls: the list moves with the arrows */
		ui_scroll(&v->preview_top, v->preview.n,
			  (size_t)(v->preview_h > 0 ? v->preview_h : 1), action);
		break;
	case ACT_BACKSPACE:
		if (v->query.len) {
			size_t i = v->query.len;
			do
				i--;
			while (i && ((unsigned char)v->query.s[i] & 0xC0) == 0x80);
			v->query.len = i;
			v->query.s[i] = '\0';
			research(v, a);
		}
		break;
	case ACT_KILL_START:
	case ACT_KILL_WORD:
		sb_reset(&v->query);
		research(v, a);
		break;
	default:
		if (!(key & KEY_FN) && key >= ' ' && key != 0x7f && iswprint((wint_t)key)) {
			char mb[MB_LEN_MAX];
			mbstate_t st = {0};
			size_t n = wcrtomb(mb, (wchar_t)key, &st);
			if (n != (size_t)-1) {
				sb_addn(&v->query, mb, n);
				research(v, a);
			}
		}
		break;
	}
	return RD_OVERLAY | RD_STATUS;
}

static void render_preview(struct kbview *v, const struct kb_article *art, int width)
{
	if (art && v->preview_id == art->id && v->preview_w == width)
		return;
	md_doc_free(&v->preview);
	v->preview_top = 0;
	v->preview_id = art ? art->id : 0;
	v->preview_w = width;
	if (art)
		md_render(art->body, width, &v->preview);
}

static void draw_list(struct kbview *v, struct app *a, WINDOW *w, int y0, int width)
{
	if (v->sel < v->top)
		v->top = v->sel;
	if (v->list_h > 0 && v->sel >= v->top + (size_t)v->list_h)
		v->top = v->sel - (size_t)v->list_h + 1;
	for (int i = 0; i < v->list_h && v->top + (size_t)i < v->hits.n; i++) {
		size_t k = v->top + (size_t)i;
		const struct kb_article *art = &v->hits.v[k];
		attr_t at = k == v->sel ? a->attr[EL_SELECTED] : a->attr[EL_NORMAL];
		if (k == v->sel)
			ui_fill(w, y0 + i, 0, width, at);
		char *label = xasprintf("%-24s %-8s %s  [%s]", art->slug, art->audience, art->title,
					art->tags && *art->tags ? art->tags : "");
		ui_put_untrusted(w, y0 + i, 1, width - 2, label, at);
		free(label);
	}
	if (!v->hits.n)
		ui_put(w, y0, 1, width - 2,
		       v->suggested ? "Nothing suggested by the subject: type to search."
				    : "No article matches.",
		       a->attr[EL_INFO]);
}

static void k_draw(struct pane *pane, struct app *a)
{
	struct kbview *v = (struct kbview *)pane;
	WINDOW *w = pane->win;
	int h = pane->h, width = pane->w;
	werase(w);
	ui_fill(w, 0, 0, width, a->attr[EL_TITLE_FOCUS]);
	ui_put(w, 0, 1, width - 1,
	       "Knowledge base: Enter inserts the text in a reply, Tab the public link, Esc closes",
	       a->attr[EL_TITLE_FOCUS]);
	char *q = text_sanitize(sb_str(&v->query), 0);
	char *line;
	if (v->suggested) {
		char *s = text_sanitize(v->subject ? v->subject : "", 0);
		line = xasprintf("Search: %s   (suggested for \"%s\")", q, s);
		free(s);
	} else {
		line = xasprintf("Search: %s", q);
	}
	ui_put(w, 1, 1, width - 2, line, a->attr[EL_PROMPT]);
	free(line);
	free(q);
	int inner = h - 3; /* title, search, rule */
	int list_h = (int)v->hits.n < inner / 3 ? (int)v->hits.n : inner / 3;
	if (list_h < KB_LIST_MIN)
		list_h = inner < KB_LIST_MIN ? inner : KB_LIST_MIN;
	v->list_h = list_h;
	draw_list(v, a, w, 2, width);
	int py = 2 + list_h;
	if (py >= h)
		return;
	wattrset(w, a->attr[EL_BORDER]);
	mvwhline_set(w, py, 0, WACS_HLINE, width);
	wattrset(w, A_NORMAL);
	const struct kb_article *art = selected(v);
	render_preview(v, art, width - 4);
	v->preview_h = h - py - 1;
	if (!art)
		return;
	char *head = xasprintf(" %s ", art->title);
	ui_put_untrusted(w, py, 2, width - 4, head, a->attr[EL_TITLE] | A_BOLD);
	free(head);
	if (v->preview_top >= v->preview.n)
		v->preview_top = v->preview.n ? v->preview.n - 1 : 0;
	for (int i = 0; i < v->preview_h && v->preview_top + (size_t)i < v->preview.n; i++) {
		const struct md_line *l = &v->preview.v[v->preview_top + (size_t)i];
		attr_t at = l->style == MD_HEADING ? a->attr[EL_NORMAL] | A_BOLD
			    : l->style == MD_CODE  ? a->attr[EL_QUOTE]
						   : a->attr[EL_NORMAL];
		/* md_render sanitized every line */
		ui_put(w, py + 1 + i, 2, width - 4, l->text, at);
	}
}

static bool k_cursor(struct pane *pane, struct app *a, int *y, int *x)
{
	struct kbview *v = (struct kbview *)pane;
	char *q = text_sanitize(sb_str(&v->query), 0);
	int cx = 1 + 8 + text_width(q); /* after "Search: " */
	free(q);
	if (cx >= pane->w)
		return false;
	*y = pane->y + 1;
	*x = pane->x + cx;
	return true;
}

static int k_data_changed(struct pane *pane, struct app *a)
{
	return 0; /* the index changes with the folder, not the database */
}

static void k_destroy(struct pane *pane)
{
	struct kbview *v = (struct kbview *)pane;
	kb_list_free(&v->hits);
	md_doc_free(&v->preview);
	sb_free(&v->query);
	free(v->subject);
	if (pane->win)
		delwin(pane->win);
	free(v);
}

static const struct pane_ops kb_ops = {
	.name = "Knowledge base",
	.ctx = KC_PROMPT,
	.draw = k_draw,
	.key = k_key,
	.resize = overlay_resize,
	.data_changed = k_data_changed,
	.destroy = k_destroy,
	.cursor = k_cursor,
};

int act_kb(struct app *a, const char *arg)
{
	struct derr e = {0};
	struct kb_sync s;
	if (core_kb_sync(a->d, &s, &e))
		return app_error(a, &e);
	struct kbview *v = xcalloc(1, sizeof *v);
	v->base.ops = &kb_ops;
	v->base.flag = RD_OVERLAY;
	v->ticket = a->cur_id;
	struct ticket t;
	if (v->ticket && store_ticket_get(a->d->st, v->ticket, &t, NULL) == DESK_OK) {
		v->subject = xstrdup(t.subject);
		ticket_free(&t);
	}
	if (arg)
		sb_add(&v->query, arg);
	research(v, a);
	if (s.skipped)
		app_fail(a, "%zu knowledge base file%s with a problem left out (desk kb check "
			    "names them).",
			 s.skipped, s.skipped == 1 ? "" : "s");
	return app_set_overlay(a, &v->base) | RD_STATUS;
}
