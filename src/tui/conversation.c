/* conversation.c: the selected ticket's thread, every message in order
 * with its kind (customer, reply, internal note, system) told apart by
 * colour and by label, bodies sanitized once and wrapped to the pane's
 * width (rewrapped only when the width changes).  A ticket opens at its
 * latest messages, so only those are sanitized and wrapped at first (a
 * few screens' worth); the older ones are when the agent scrolls up to
 * them: a 200-message thread then opens as fast as a short one.  Survey
 * answers (score, how they came, the customer's words) stand in the
 * thread after the message they followed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "mail.h"
#include "text.h"
#include "ui.h"
#include "util.h"

struct cline {
	char *text;
	int el;
};

struct conv_pane {
	struct pane base;
	int64_t id;     /* the ticket loaded; 0: none */
	bool stale;     /* reload at the next draw */
	bool have;      /* t and msgs are valid */
	struct ticket t;
	struct name_list addrs; /* the customer's addresses */
	struct message_list msgs;
	struct survey_list surveys;
	struct attachment_list atts; /* the ticket's files, numbered as `L` lists them */
	char **bodies;  /* sanitized, one per message; NULL until needed */
	char *info;     /* sanitized header line */
	char err[1200];
	char draft[96]; /* "unsent reply (r resumes) · " or "" */
	int width;      /* lines are wrapped for this width; -1: none */
	struct cline *lines;
	size_t nlines, cap;
	size_t last_header; /* line of the latest message's header */
	size_t from;        /* lines hold messages from this one on */
	size_t top;
	size_t shown_h;     /* the view's height when last shown; 0: not yet */
};

static int view_h(const struct pane *p)
{
	return p->h > 2 ? p->h - 2 : 1; /* title and info line */
}

static void lines_free(struct conv_pane *c)
{
	for (size_t i = 0; i < c->nlines; i++)
		free(c->lines[i].text);
	free(c->lines);
	c->lines = NULL;
	c->nlines = c->cap = 0;
	c->width = -1;
}

static void unload(struct conv_pane *c)
{
	lines_free(c);
	if (c->have) {
		for (size_t i = 0; i < c->msgs.n; i++)
			free(c->bodies[i]);
		free(c->bodies);
		c->bodies = NULL;
		message_list_free(&c->msgs);
		survey_list_free(&c->surveys);
		ticket_free(&c->t);
	}
	name_list_free(&c->addrs);
	attachment_list_free(&c->atts);
	memset(&c->msgs, 0, sizeof c->msgs);
	xfree(&c->info);
	c->have = false;
	c->err[0] = '\0';
	c->draft[0] = '\0';
}

static void push(struct conv_pane *c, char *text, int el)
{
	xgrow((void **)&c->lines, &c->cap, c->nlines + 1, sizeof *c->lines);
	c->lines[c->nlines++] = (struct cline){text, el};
}

static const char *kind_label(enum msg_kind k)
{
	switch (k) {
	case MSG_CUSTOMER: return "CUSTOMER";
	case MSG_REPLY: return "REPLY";
	case MSG_NOTE: return "NOTE (internal)";
	default: return "SYSTEM";
	}
}

static const char *body(struct conv_pane *c, size_t i)
{
	if (!c->bodies[i])
		c->bodies[i] = text_sanitize(c->msgs.v[i].body, SAN_KEEP_NEWLINES);
	return c->bodies[i];
}

/* A message's body wrapped to the pane's width. */
struct wrapped {
	char **line;
	size_t n;
};

/* Appends the survey answers given in [lo, hi): a header with the score
 * and how it came, the customer's words (sanitized, wrapped), a blank. */
static void append_surveys(struct conv_pane *c, int64_t lo, int64_t hi, int width)
{
	for (size_t i = 0; i < c->surveys.n; i++) {
		const struct survey *s = &c->surveys.v[i];
		if (s->answered_at < lo || s->answered_at >= hi)
			continue;
		char when[64], score[32];
		time_format_local(s->answered_at, when, sizeof when);
		survey_score_text(s->kind, s->score, score, sizeof score);
		char *by = s->request_id ? xstrdup("answered by mail")
			   : s->agent_login ? xasprintf("recorded by %s", s->agent_login)
					    : xstrdup("imported");
		struct strbuf h = {0};
		sb_addf(&h, "── SURVEY %s · %s · %s ", score, by, when);
		free(by);
		char *safe = text_sanitize(sb_str(&h), 0);
		sb_free(&h);
		struct strbuf line = {0};
		sb_add(&line, safe);
		free(safe);
		for (int w = text_width(sb_str(&line)); w < width; w++)
			sb_add(&line, "─");
		push(c, text_clip(sb_str(&line), width, false), EL_MSG_SYSTEM);
		sb_free(&line);
		if (s->comment) {
			char *text = text_sanitize(s->comment, SAN_KEEP_NEWLINES);
			char **lines = NULL;
			size_t n = text_wrap(text, width, &lines);
			for (size_t j = 0; j < n; j++)
				push(c, lines[j], EL_NORMAL);
			free(lines);
			free(text);
		}
		push(c, xstrdup(""), EL_NORMAL);
	}
}

/* Appends message i: its header, its body (wrapped to width, taken
 * over), a blank; then the survey answers given after it. */
static void append_message(struct conv_pane *c, size_t i, int width, struct wrapped wb)
{
	static const int header_el[MSG__COUNT] = {EL_MSG_CUSTOMER, EL_MSG_REPLY, EL_MSG_NOTE,
						  EL_MSG_SYSTEM};
	const struct message *m = &c->msgs.v[i];
	char when[64];
	time_format_local(m->created_at, when, sizeof when);
	/* who really wrote it, when that is not the ticket's customer */
	const char *foreign = mail_foreign_sender(m, &c->addrs);
	char *who = foreign ? xasprintf("%s (not the customer)", foreign) : NULL;
	char *author = text_sanitize(who ? who : m->author ? m->author : "", 0);
	free(who);
	struct strbuf h = {0};
	sb_addf(&h, "── %s · %s · %s ", kind_label(m->kind), *author ? author : "?", when);
	free(author);
	/* A reply says whether the customer has it: "sent" only when
	 * sendmail accepted it. */
	bool failed = m->delivery && strcmp(m->delivery, "failed") == 0;
	if (m->kind == MSG_REPLY || m->delivery)
		sb_addf(&h, "· %s ", failed ? "MAIL FAILED" : delivery_label(m->delivery));
	for (int w = text_width(sb_str(&h)); w < width; w++)
		sb_add(&h, "─");
	char *clipped = text_clip(sb_str(&h), width, false);
	sb_free(&h);
	c->last_header = c->nlines;
	push(c, clipped, failed ? EL_ERROR : header_el[m->kind % MSG__COUNT]);
	if (m->delivery_error && m->delivery && strcmp(m->delivery, "sent") != 0) {
		/* why, and what happens next: the MTA's words, sanitized */
		/* (the note of a stopped send says what happens next itself) */
		bool says_next = strstr(m->delivery_error, "desk outbox --retry") != NULL;
		char *why = xasprintf("%s %s%s", failed ? "mail failed:" : "mail queued:",
				      m->delivery_error,
				      says_next ? "" : "; kept in the outbox (desk outbox --retry)");
		char *safe = text_sanitize(why, 0);
		char **lines = NULL;
		size_t n = text_wrap(safe, width, &lines);
		for (size_t j = 0; j < n; j++)
			push(c, lines[j], EL_ERROR);
		free(lines);
		free(safe);
		free(why);
	}
	/* a reply's copies, so the agent sees who else has it */
	static const char *const copy_label[3] = {"Cc", "Bcc", "Forwarded to"};
	const char *const copy[3] = {m->cc, m->bcc, m->forward_to};
	for (size_t k = 0; k < 3; k++) {
		if (!copy[k])
			continue;
		char *line = xasprintf("%s: %s", copy_label[k], copy[k]);
		char *safe = text_sanitize(line, 0);
		push(c, text_clip(safe, width, false), EL_NOTE_BODY);
		free(safe);
		free(line);
	}
	for (size_t j = 0; j < wb.n; j++) {
		int el = m->kind == MSG_NOTE ? EL_NOTE_BODY
			 : wb.line[j][0] == '>' ? EL_QUOTE
						: EL_NORMAL;
		push(c, wb.line[j], el);
	}
	free(wb.line);
	/* its files, with the number `L` and desk attachment know them by */
	for (size_t k = 0; k < c->atts.n; k++) {
		const struct attachment *at = &c->atts.v[k];
		if (at->message_id != m->id)
			continue;
		char size[32];
		char *line = xasprintf("[%zu] %s · %s · %s", k + 1, at->filename, at->content_type,
				       attachment_size_text(at->size, size, sizeof size));
		char *safe = text_sanitize(line, 0);
		push(c, text_clip(safe, width, false), EL_NOTE_BODY);
		free(safe);
		free(line);
	}
	push(c, xstrdup(""), EL_NORMAL);
	if (c->surveys.n)
		append_surveys(c, i ? m->created_at : INT64_MIN,
			       i + 1 < c->msgs.n ? c->msgs.v[i + 1].created_at : INT64_MAX, width);
}

static struct wrapped wrap_body(struct conv_pane *c, size_t i, int width)
{
	struct wrapped wb;
	wb.n = text_wrap(body(c, i), width, &wb.line);
	return wb;
}

/* Wraps the thread for width: every message, or (!all) the latest
 * ones that fill three screens at least, each wrapped once. */
static void build(struct conv_pane *c, int width, bool all)
{
	lines_free(c);
	c->width = width;
	c->last_header = 0;
	if (width < 1)
		width = 1;
	size_t vh = (size_t)view_h(&c->base), want = 3 * vh > 60 ? 3 * vh : 60;
	size_t n = c->msgs.n, from = n, lines = 0;
	struct wrapped *tail = xcalloc(n + 1, sizeof *tail);
	while (from > 0 && (all || lines < want)) {
		from--;
		tail[from] = wrap_body(c, from, width);
		lines += tail[from].n + 2; /* header and blank */
	}
	c->from = from;
	for (size_t i = from; i < n; i++)
		append_message(c, i, width, tail[i]);
	if (!n) /* answers on a ticket without messages (a phone call logged bare) */
		append_surveys(c, INT64_MIN, INT64_MAX, width);
	free(tail);
}

/* Puts the messages before c->from in front, keeping what is shown. */
static void build_older(struct conv_pane *c)
{
	if (!c->from)
		return;
	struct cline *newer = c->lines;
	size_t n_newer = c->nlines, last = c->last_header;
	int width = c->width < 1 ? 1 : c->width;
	c->lines = NULL;
	c->nlines = c->cap = 0;
	for (size_t i = 0; i < c->from; i++)
		append_message(c, i, width, wrap_body(c, i, width));
	size_t added = c->nlines;
	for (size_t j = 0; j < n_newer; j++)
		push(c, newer[j].text, newer[j].el);
	free(newer);
	c->last_header = last + added;
	c->top += added;
	c->from = 0;
}

static void load(struct conv_pane *c, struct app *a)
{
	struct derr e = {0};
	unload(c);
	c->id = a->cur_id;
	c->stale = false;
	if (!c->id)
		return;
	if (app_ticket(a, c->id, &c->t, &e) != DESK_OK) {
		snprintf(c->err, sizeof c->err, "ticket %lld: %s", (long long)c->id, e.msg);
		return;
	}
	int64_t spent = 0;   /* the time recorded on it (desk(1), TIME SPENT) */
	unsigned have = 0; /* the kinds of this agent's drafts on it */
	if (store_ticket_thread(a->d->st, c->id, c->t.customer_id, a->d->me.id, &c->msgs,
				&c->surveys, &c->addrs, &c->atts, &spent, &have, &e) != DESK_OK) {
		snprintf(c->err, sizeof c->err, "ticket %lld: %s", (long long)c->id, e.msg);
		message_list_free(&c->msgs);
		ticket_free(&c->t);
		return;
	}
	c->have = true;
	c->bodies = xcalloc(c->msgs.n + 1, sizeof *c->bodies);
	const struct ticket *t = &c->t;
	struct strbuf b = {0};
	sb_addf(&b, "%s · %s · %s · %s", status_name(t->status), priority_name(t->priority),
		t->queue ? t->queue : "-", t->assignee_login ? t->assignee_login : "unassigned");
	if (t->ntags) {
		sb_add(&b, " ·");
		for (size_t i = 0; i < t->ntags; i++)
			sb_addf(&b, " %s", t->tags[i]);
	}
	if (t->next_due && t->status != ST_SOLVED && t->status != ST_CLOSED) {
		char span[32];
		int64_t left = t->next_due - time_now();
		time_format_span(left < 0 ? -left : left, span, sizeof span);
		sb_addf(&b, " · SLA %s%s", left < 0 ? "overdue " : "", span);
	}
	if (t->merged_into)
		sb_addf(&b, " · merged into #%lld", (long long)t->merged_into);
	if (spent > 0) {
		char dur[32];
		time_format_duration(spent, dur, sizeof dur);
		sb_addf(&b, " · time %s", dur);
	}
	c->info = text_sanitize(sb_str(&b), 0);
	sb_free(&b);
	/* This agent's own unsent work on the ticket (saved while writing,
	 * postponed, or rescued after a crash) is pointed out. */
	static const enum msg_kind kinds[] = {MSG_REPLY, MSG_NOTE};
	static const int acts[] = {ACT_REPLY, ACT_NOTE};
	for (size_t i = 0; i < ARRAY_LEN(kinds) && !c->draft[0]; i++) {
		if (have & (1u << kinds[i])) {
			char k[32] = "";
			if (keymap_keys(&a->km, KC_GLOBAL, acts[i], k, sizeof k))
				k[strcspn(k, " ")] = '\0';
			snprintf(c->draft, sizeof c->draft, "unsent %s draft%s%s%s · ",
				 kinds[i] == MSG_NOTE ? "note" : "reply", *k ? " (" : "", k,
				 *k ? " resumes)" : "");
		}
	}
}

/* Shows the latest message: its header at the top when it fits. */
static void to_latest(struct conv_pane *c)
{
	size_t vh = (size_t)view_h(&c->base);
	size_t end = c->nlines > vh ? c->nlines - vh : 0;
	c->top = c->last_header < end ? c->last_header : end;
}

static void clamp(struct conv_pane *c)
{
	size_t vh = (size_t)view_h(&c->base);
	size_t end = c->nlines > vh ? c->nlines - vh : 0;
	if (c->top > end)
		c->top = end;
}

/* Brings the loaded thread up to date with the ticket to show. */
static void sync_thread(struct conv_pane *c, struct app *a)
{
	int width = pane_w(&c->base);
	bool same = c->id == a->cur_id;
	size_t vh = (size_t)view_h(&c->base);
	bool at_end = c->nlines <= vh || c->top + vh >= c->nlines;
	size_t old_n = c->nlines, old_top = c->top;
	/* Away from the end of a thread read in full: keep it whole. */
	bool all = same && old_n && !at_end && c->from == 0;
	if (!same || c->stale)
		load(c, a);
	if (c->width != width) {
		build(c, width, all);
		if (!same)
			to_latest(c);
		else if (at_end && old_n)
			c->top = c->nlines > vh ? c->nlines - vh : 0;
		else if (old_n)
			c->top = old_top * c->nlines / old_n; /* about the same place */
	}
	clamp(c);
	c->shown_h = vh;
}

static void c_draw(struct pane *p, struct app *a)
{
	struct conv_pane *c = (struct conv_pane *)p;
	WINDOW *w = p->win;
	int x0 = pane_x0(p), width = pane_w(p);
	sync_thread(c, a);
	if (!c->id || !c->have) {
		ui_title(a, p, "Conversation");
		ui_put(w, 2, x0 + 1, width - 1,
		       c->err[0] ? "This ticket could not be shown:" : "No ticket selected.",
		       a->attr[c->err[0] ? EL_ERROR : EL_NORMAL]);
		if (c->err[0])
			ui_put_untrusted(w, 3, x0 + 1, width - 1, c->err, a->attr[EL_ERROR]);
		return;
	}
	char *subject = text_sanitize(c->t.subject, 0);
	char *title = xasprintf("#%lld %s", (long long)c->t.id, subject);
	ui_title(a, p, title);
	free(title);
	free(subject);
	char who[512];
	presence_text(a, c->id, who, sizeof who);
	int used = 0;
	if (*who) { /* others on this ticket come first: they matter most */
		char *line = xasprintf("%s · ", who);
		used = ui_put_untrusted(w, 1, x0, width, line, a->attr[EL_SLA_NEAR]);
		free(line);
	}
	if (c->draft[0] && used < width)
		used += ui_put(w, 1, x0 + used, width - used, c->draft, a->attr[EL_ERROR]);
	if (used < width)
		ui_put(w, 1, x0 + used, width - used, c->info, a->attr[EL_LABEL]);
	int vh = view_h(p);
	for (int i = 0; i < vh && c->top + (size_t)i < c->nlines; i++) {
		const struct cline *l = &c->lines[c->top + (size_t)i];
		ui_put(w, 2 + i, x0, width, l->text, a->attr[l->el]);
	}
	if (c->nlines > (size_t)vh || c->from) {
		char pos[48];
		size_t end = c->top + (size_t)vh;
		if (c->from) /* older messages not wrapped yet: no true share */
			snprintf(pos, sizeof pos, " %zu older above ", c->from);
		else
			snprintf(pos, sizeof pos, " %zu%% ",
				 (end > c->nlines ? c->nlines : end) * 100 / c->nlines);
		int pw = (int)strlen(pos);
		if (pw < width)
			ui_put(w, 0, x0 + width - pw, pw, pos, a->attr[EL_TITLE]);
	}
}

static int c_key(struct pane *p, struct app *a, int action, int key)
{
	struct conv_pane *c = (struct conv_pane *)p;
	size_t vh = (size_t)view_h(p);
	bool up = action == ACT_UP || action == ACT_PAGE_UP || action == ACT_HALF_UP;
	if (c->from && (action == ACT_TOP || (up && c->top < vh)))
		build_older(c);
	if (!ui_scroll(&c->top, c->nlines, vh, action))
		return RD_UNHANDLED;
	return RD_CONV;
}

/* At the end of the thread before, at the end after: a reader following
 * new messages keeps following them whatever the terminal's new size. */
static void c_resize(struct pane *p, struct app *a)
{
	struct conv_pane *c = (struct conv_pane *)p;
	size_t vh = (size_t)view_h(p), was = c->shown_h ? c->shown_h : vh;
	bool at_end = c->nlines <= was || c->top + was >= c->nlines;
	c->shown_h = vh;
	if (at_end)
		c->top = c->nlines > vh ? c->nlines - vh : 0;
	clamp(c);
}

static int c_data_changed(struct pane *p, struct app *a)
{
	struct conv_pane *c = (struct conv_pane *)p;
	c->stale = true;
	c->width = -1;
	return RD_CONV;
}

static void c_destroy(struct pane *p)
{
	struct conv_pane *c = (struct conv_pane *)p;
	unload(c);
	free(c);
}

static const struct pane_ops conv_ops = {
	.name = "Conversation",
	.ctx = KC_CONV,
	.draw = c_draw,
	.key = c_key,
	.resize = c_resize,
	.data_changed = c_data_changed,
	.destroy = c_destroy,
};

struct pane *conv_pane_new(struct app *a)
{
	struct conv_pane *c = xcalloc(1, sizeof *c);
	c->base.ops = &conv_ops;
	c->base.flag = RD_CONV;
	c->width = -1;
	return &c->base;
}
