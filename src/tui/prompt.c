/* prompt.c: the line editor on the two bottom lines (a hint or the
 * completions above, the input below): UTF-8 aware editing, history,
 * Tab completion, single-key questions, and incremental callbacks.
 * Redrawn at any size; the database refreshing underneath never
 * touches what is being typed. */
#include <limits.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>
#include <wctype.h>

#include "text.h"
#include "ui.h"
#include "util.h"

struct prompt {
	struct pane base;
	struct prompt_spec s;
	char *label, *choices, *mode;
	char **detail;  /* lines above the hint (a collision's messages) */
	size_t ndetail, capdetail;
	struct strbuf buf;
	size_t cur;     /* byte offset of the cursor */
	size_t hpos;    /* position in the history while browsing */
	char *typed;    /* what was typed before browsing the history */
	char *hint;     /* completions or a short help */
	int cx;         /* where the cursor was drawn */
};

/* --- strings ----------------------------------------------------------- */

void strlist_add(struct strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return;
	xgrow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v);
	l->v[l->n++] = xstrdup(s);
}

void strlist_free(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof *l);
}

static const char *text(struct prompt *p)
{
	return sb_str(&p->buf);
}

static void set_text(struct prompt *p, const char *s)
{
	sb_reset(&p->buf);
	sb_add(&p->buf, s ? s : "");
	p->cur = p->buf.len;
}

static size_t prev_char(const char *s, size_t i)
{
	if (!i)
		return 0;
	do
		i--;
	while (i && ((unsigned char)s[i] & 0xC0) == 0x80);
	return i;
}

static size_t next_char(const char *s, size_t len, size_t i)
{
	if (i >= len)
		return len;
	do
		i++;
	while (i < len && ((unsigned char)s[i] & 0xC0) == 0x80);
	return i;
}

static void cut(struct prompt *p, size_t from, size_t to)
{
	if (to <= from)
		return;
	char *s = p->buf.s;
	memmove(s + from, s + to, p->buf.len - to + 1);
	p->buf.len -= to - from;
	p->cur = from;
}

static void ins_text(struct prompt *p, const char *bytes, size_t n)
{
	char *rest = xstrdup(text(p) + p->cur);
	p->buf.len = p->cur;
	if (p->buf.s)
		p->buf.s[p->cur] = '\0';
	sb_addn(&p->buf, bytes, n);
	sb_add(&p->buf, rest);
	p->cur += n;
	free(rest);
}

/* --- completion -------------------------------------------------------- */

static void add_if(struct strlist *out, const char *cand, const char *prefix)
{
	if (cand && strncasecmp(cand, prefix, strlen(prefix)) == 0)
		strlist_add(out, cand);
}

void complete_candidates(struct app *a, int kind, const char *prefix, struct strlist *out)
{
	struct derr e = {0};
	switch (kind) {
	case COMPLETE_COMMAND:
		for (int i = 0; i < ACT__COUNT; i++)
			if (!(actions[i].flags & F_PROMPT))
				add_if(out, actions[i].name, prefix);
		break;
	case ARG_VIEW: {
		struct view_def defs[64];
		size_t n = view_defs(a->cfg, defs, ARRAY_LEN(defs));
		for (size_t i = 0; i < n; i++)
			add_if(out, defs[i].name, prefix);
		break;
	}
	case ARG_SORT:
		for (int i = 0; i < SORT__COUNT; i++)
			add_if(out, queue_sort_name((enum queue_sort)i), prefix);
		break;
	case ARG_STATUS:
		for (int i = 0; i < ST__COUNT; i++)
			add_if(out, status_name((enum status)i), prefix);
		break;
	case ARG_PRIORITY:
		for (int i = 0; i < PRIO__COUNT; i++)
			add_if(out, priority_name((enum priority)i), prefix);
		break;
	case ARG_AGENT: {
		struct agent_list l = {0};
		if (store_agent_complete(a->d->st, prefix, 50, &l, &e) == DESK_OK)
			for (size_t i = 0; i < l.n; i++)
				add_if(out, l.v[i].login, prefix);
		agent_list_free(&l);
		add_if(out, "none", prefix);
		break;
	}
	case ARG_QUEUE: {
		/* The team's queues (every one, whatever the page shows). */
		struct name_list l = {0};
		core_known_queues(a->d, &l, &e);
		for (size_t i = 0; i < l.n; i++)
			add_if(out, l.v[i], prefix);
		name_list_free(&l);
		break;
	}
	case ARG_TAG:
	case ARG_TICKET_TAG: {
		struct strlist all = {0};
		struct ticket t;
		bool have = a->cur_id && store_ticket_get(a->d->st, a->cur_id, &t, &e) == DESK_OK;
		for (size_t i = 0; have && i < t.ntags; i++)
			strlist_add(&all, t.tags[i]);
		if (kind == ARG_TAG) {
			/* Every tag in use with this prefix, not only the page's. */
			struct name_list used = {0};
			char *low = xstrdup(prefix);
			for (char *c = low; *c; c++)
				*c = (char)tolower((unsigned char)*c);
			store_tag_names(a->d->st, low, 50, &used, &e);
			free(low);
			for (size_t i = 0; i < used.n; i++)
				strlist_add(&all, used.v[i]);
			name_list_free(&used);
			for (size_t i = 0; i < a->canned.n; i++)
				for (size_t j = 0; j < a->canned.v[i].nadd_tags; j++)
					strlist_add(&all, a->canned.v[i].add_tags[j]);
		}
		if (have)
			ticket_free(&t);
		for (size_t i = 0; i < all.n; i++)
			add_if(out, all.v[i], prefix);
		strlist_free(&all);
		break;
	}
	case ARG_CANNED:
		for (size_t i = 0; i < a->canned.n; i++)
			add_if(out, a->canned.v[i].name, prefix);
		break;
	case COMPLETE_CUSTOMER: {
		struct customer_list l = {0};
		if (*prefix && store_customer_search(a->d->st, prefix, 20, &l, &e) == DESK_OK)
			for (size_t i = 0; i < l.n; i++)
				strlist_add(out, str_empty(l.v[i].email) ? l.v[i].name : l.v[i].email);
		customer_list_free(&l);
		break;
	}
	default: break;
	}
}

static void complete(struct prompt *p, struct app *a)
{
	const char *s = text(p);
	/* The word under completion: from the last space to the end. */
	size_t start = p->buf.len;
	while (start && s[start - 1] != ' ')
		start--;
	int kind = p->s.complete;
	if (kind == COMPLETE_COMMAND && start > 0) {
		char name[64];
		size_t n = strcspn(s, " ");
		snprintf(name, sizeof name, "%.*s", (int)(n < 63 ? n : 63), s);
		int id = action_find(name);
		kind = id >= 0 ? (int)actions[id].arg : ARG_NONE;
	}
	if (kind == COMPLETE_CUSTOMER)
		start = 0; /* names have spaces */
	char *prefix = xstrdup(s + start);
	struct strlist c = {0};
	complete_candidates(a, kind, prefix, &c);
	free(p->hint);
	p->hint = NULL;
	if (c.n == 0) {
		p->hint = xstrdup("(no completions)");
	} else {
		/* The longest common prefix of all candidates. */
		size_t common = strlen(c.v[0]);
		for (size_t i = 1; i < c.n; i++) {
			size_t k = 0;
			while (k < common && c.v[i][k] && c.v[i][k] == c.v[0][k])
				k++;
			common = k;
		}
		if (c.n == 1 || common > strlen(prefix)) {
			p->buf.len = start;
			if (p->buf.s)
				p->buf.s[start] = '\0';
			sb_addn(&p->buf, c.v[0], common);
			if (c.n == 1 && kind != COMPLETE_CUSTOMER)
				sb_addc(&p->buf, ' ');
			p->cur = p->buf.len;
		}
		if (c.n > 1) {
			struct strbuf h = {0};
			for (size_t i = 0; i < c.n; i++)
				sb_addf(&h, "%s%s", i ? "  " : "", c.v[i]);
			p->hint = sb_take(&h);
		}
	}
	strlist_free(&c);
	free(prefix);
}

/* --- the pane ---------------------------------------------------------- */

static int finish(struct prompt *p, struct app *a, const char *answer)
{
	prompt_done_fn done = p->s.done;
	void *data = p->s.data;
	void (*free_data)(void *) = p->s.free_data;
	char *copy = answer ? xstrdup(answer) : NULL;
	if (copy && *copy && p->s.history >= 0 && p->s.history < PH__COUNT)
		strlist_add(&a->hist[p->s.history], copy);
	p->s.data = NULL; /* handed to done() */
	int flags = app_close_overlay(a);
	flags |= done ? done(a, copy, data) : 0;
	if (free_data)
		free_data(data);
	free(copy);
	return flags;
}

static void history_move(struct prompt *p, struct app *a, int dir)
{
	if (p->s.history < 0)
		return;
	struct strlist *h = &a->hist[p->s.history];
	if (p->hpos == h->n && dir < 0) {
		free(p->typed);
		p->typed = xstrdup(text(p));
	}
	if (dir < 0 && p->hpos > 0)
		p->hpos--;
	else if (dir > 0 && p->hpos < h->n)
		p->hpos++;
	set_text(p, p->hpos < h->n ? h->v[p->hpos] : p->typed);
}

static int p_key(struct pane *pane, struct app *a, int action, int key)
{
	struct prompt *p = (struct prompt *)pane;
	const char *s = text(p);
	size_t len = p->buf.len;
	bool edited = false;
	if (p->choices) {
		if (action == ACT_CANCEL)
			return finish(p, a, NULL);
		if (!(key & KEY_FN) && key > ' ' && key < 0x7f) {
			char c[2] = {(char)key, '\0'};
			if (strchr(p->choices, c[0]))
				return finish(p, a, c);
		}
		free(p->hint);
		p->hint = xstrdup("Please answer with one of the letters shown.");
		return RD_OVERLAY;
	}
	switch (action) {
	case ACT_ACCEPT: return finish(p, a, s);
	case ACT_CANCEL: return finish(p, a, NULL);
	case ACT_COMPLETE:
		if (p->s.complete != ARG_NONE) {
			complete(p, a);
			edited = true;
		}
		break;
	case ACT_HISTORY_PREV: history_move(p, a, -1); edited = true; break;
	case ACT_HISTORY_NEXT: history_move(p, a, 1); edited = true; break;
	case ACT_LEFT: p->cur = prev_char(s, p->cur); break;
	case ACT_RIGHT: p->cur = next_char(s, len, p->cur); break;
	case ACT_HOME: p->cur = 0; break;
	case ACT_END: p->cur = len; break;
	case ACT_BACKSPACE:
		if (!len && p->s.changed == NULL)
			return finish(p, a, NULL); /* like readline in mutt: empty + BS cancels */
		cut(p, prev_char(s, p->cur), p->cur);
		edited = true;
		break;
	case ACT_DELETE: cut(p, p->cur, next_char(s, len, p->cur)); edited = true; break;
	case ACT_KILL_START: cut(p, 0, p->cur); edited = true; break;
	case ACT_KILL_END: cut(p, p->cur, len); edited = true; break;
	case ACT_KILL_WORD: {
		size_t i = p->cur;
		while (i && s[i - 1] == ' ')
			i--;
		while (i && s[i - 1] != ' ')
			i--;
		cut(p, i, p->cur);
		edited = true;
		break;
	}
	default:
		if (!(key & KEY_FN) && key >= ' ' && key != 0x7f && iswprint((wint_t)key)) {
			char mb[MB_LEN_MAX];
			mbstate_t st = {0};
			size_t n = wcrtomb(mb, (wchar_t)key, &st);
			if (n != (size_t)-1) {
				ins_text(p, mb, n);
				edited = true;
			}
		}
		break;
	}
	int flags = RD_OVERLAY;
	if (edited && action != ACT_COMPLETE) {
		free(p->hint);
		p->hint = NULL;
	}
	if (edited && p->s.changed)
		flags |= p->s.changed(a, text(p), p->s.data);
	return flags;
}

/* The detail lines that fit: the last rows are the hint and the input. */
static int detail_rows(const struct prompt *p)
{
	int room = LINES - 3; /* keep a line of what is behind */
	int n = (int)p->ndetail;
	return n < room ? n : room > 0 ? room : 0;
}

static void p_draw(struct pane *pane, struct app *a)
{
	struct prompt *p = (struct prompt *)pane;
	WINDOW *w = pane->win;
	int cols = getmaxx(w);
	int nd = pane->h - 2;
	for (int i = 0; i < nd && (size_t)i < p->ndetail; i++) {
		ui_fill(w, i, 0, cols, a->attr[EL_NORMAL]);
		ui_put_untrusted(w, i, 0, cols, p->detail[i],
				 a->attr[strncmp(p->detail[i], "──", 3) == 0 ? EL_SLA_NEAR : EL_NORMAL]);
	}
	if (nd > 0 && (size_t)nd < p->ndetail)
		ui_put(w, nd - 1, 0, cols, "   …", a->attr[EL_NORMAL]);
	/* The hint and the input are the window's last two lines. */
	int y0 = nd > 0 ? nd : 0;
	attr_t bar = a->attr[EL_STATUSBAR];
	ui_fill(w, y0, 0, cols, bar);
	char *hint;
	if (p->hint)
		hint = text_sanitize(p->hint, 0);
	else if (p->choices)
		hint = xasprintf(" -- %s --  press a letter; Esc cancels", p->mode ? p->mode : "question");
	else
		hint = xasprintf(" -- %s --  Enter: accept  Esc: cancel%s", p->mode ? p->mode : "input",
				 p->s.complete != ARG_NONE ? "  Tab: complete" : "");
	ui_put(w, y0, 0, cols, hint, bar);
	free(hint);
	char *label = text_sanitize(p->label, 0);
	int lw = ui_put(w, y0 + 1, 0, cols - 1, label, a->attr[EL_PROMPT]);
	free(label);
	/* Scroll the input so the cursor shows. */
	const char *s = text(p);
	char *before = xstrndup(s, p->cur);
	int avail = cols - lw - 1;
	size_t off = 0;
	while (avail > 0 && text_width(before + off) > avail)
		off = next_char(before, p->cur, off);
	char *shown = text_sanitize(s + off, 0);
	ui_put(w, y0 + 1, lw, avail > 0 ? avail : 0, shown, a->attr[EL_NORMAL]);
	p->cx = lw + (avail > 0 ? text_width(before + off) : 0);
	free(shown);
	free(before);
}

static bool p_cursor(struct pane *pane, struct app *a, int *y, int *x)
{
	struct prompt *p = (struct prompt *)pane;
	*y = pane->h - 1;
	*x = p->cx < getmaxx(pane->win) ? p->cx : getmaxx(pane->win) - 1;
	return true;
}

static void p_resize(struct pane *pane, struct app *a)
{
	if (pane->win)
		delwin(pane->win);
	pane->win = NULL;
	if (a->layout == LAYOUT_TOO_SMALL || LINES < 2)
		return;
	struct prompt *p = (struct prompt *)pane;
	int h = 2 + detail_rows(p);
	pane->y = LINES - h;
	pane->x = 0;
	pane->h = h;
	pane->w = COLS;
	pane->win = newwin(h, COLS, LINES - h, 0);
}

static int p_data_changed(struct pane *pane, struct app *a)
{
	return 0; /* what is being typed stays as it is */
}

static void p_destroy(struct pane *pane)
{
	struct prompt *p = (struct prompt *)pane;
	if (p->s.free_data && p->s.data)
		p->s.free_data(p->s.data);
	if (pane->win)
		delwin(pane->win);
	free(p->label);
	text_lines_free(p->detail, p->ndetail);
	free(p->choices);
	free(p->mode);
	free(p->typed);
	free(p->hint);
	sb_free(&p->buf);
	free(p);
}

static const struct pane_ops prompt_ops = {
	.name = "Prompt",
	.ctx = KC_PROMPT,
	.draw = p_draw,
	.key = p_key,
	.resize = p_resize,
	.data_changed = p_data_changed,
	.destroy = p_destroy,
	.cursor = p_cursor,
};

int prompt_open(struct app *a, const struct prompt_spec *s)
{
	struct prompt *p = xcalloc(1, sizeof *p);
	p->base.ops = &prompt_ops;
	p->base.flag = RD_OVERLAY;
	p->s = *s;
	p->label = xstrdup(s->label ? s->label : "");
	p->choices = xstrdup(s->choices);
	p->mode = xstrdup(s->mode);
	if (s->detail) {
		const char *d = s->detail;
		while (*d) {
			size_t len = strcspn(d, "\n");
			xgrow((void **)&p->detail, &p->capdetail, p->ndetail + 1, sizeof *p->detail);
			p->detail[p->ndetail++] = xstrndup(d, len);
			d += len + (d[len] == '\n');
		}
	}
	p->s.label = p->s.initial = p->s.choices = p->s.mode = p->s.detail = NULL;
	set_text(p, s->initial);
	p->hpos = s->history >= 0 && s->history < PH__COUNT ? a->hist[s->history].n : 0;
	return app_set_overlay(a, &p->base);
}
