/* fresh.c: what is new to the agent, told without their looking.
 *
 * - Seen: the ticket shown in the conversation pane is recorded as seen
 *   (core_seen_mark) at the loop's next tick, and again whenever it
 *   changes while shown, so the agent's own changes never make it new.
 * - The queue marks the rows on screen that are new to the agent: one
 *   query for the page (store_seen_page), kept until the page or the
 *   data changes.
 * - The status line counts the new tickets of the agent's views and the
 *   tickets someone else assigned to them ("3 new · 1 yours"): counted
 *   when idle (never on a key's way), at most every COUNT_MS after a
 *   change, capped at FRESH_LIMIT.
 * - Each count also yields events (a ticket new in the agent's views,
 *   one assigned to them by someone else, an SLA due within
 *   notify.sla_warning), each told once per ticket per console: bell,
 *   desktop notification (OSC 777 / OSC 9, written after the frame), the
 *   hook command (notify.c).  The agent's follow-ups that have come due
 *   are counted ("2 follow-ups") and told once too.  What was already so when the console
 *   started is counted, not announced.
 * - The console's row for `:who` (written at start, refreshed with
 *   presence, updated when the ticket or view shown changes). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "format.h"
#include "notify.h"
#include "text.h"
#include "ui.h"
#include "util.h"

#define FRESH_LIMIT 99   /* counts stop here: "99+" */
#define COUNT_MS 1000    /* a change is counted within this */
#define RESCAN_MS 30000  /* SLA due times come nearer without any change */
#define DESKTOP_MAX 3    /* notifications per count, the rest summed up */
#define HOOKS_MAX 10     /* hook runs per count */

extern char **environ;

struct idset {
	int64_t *v;
	size_t n, cap;
};

static bool idset_has(const struct idset *s, int64_t id)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i] == id)
			return true;
	return false;
}

/* Adds id; false when it was there already. */
static bool idset_add(struct idset *s, int64_t id)
{
	if (idset_has(s, id))
		return false;
	xgrow((void **)&s->v, &s->cap, s->n + 1, sizeof *s->v);
	s->v[s->n++] = id;
	return true;
}

struct fresh {
	int64_t since; /* the agent's baseline (core_seen_baseline) */
	int64_t own_after; /* events up to this id were looked at by core_seen_own */
	/* The queue page's marks. */
	int64_t *ids;
	bool *unseen;
	size_t n, cap;
	bool page_ok;
	/* The counts and the events told. */
	size_t nfresh, nassigned, nfollow;
	bool fresh_more, assigned_more, follow_more, counted;
	bool count_due;
	int64_t counted_ms;
	struct idset told[NOTIFY__COUNT];
	bool primed;
	struct strbuf osc; /* desktop notifications to write after the frame */
	pid_t *hooks;      /* hook processes not reaped yet */
	size_t nhooks, caphooks;
	bool hook_missing_said;
	/* This console's row for :who. */
	int64_t console_id, console_ticket, ticket_since, console_written, console_tried;
	char *console_view;
};

static struct fresh *state(struct app *a)
{
	if (!a->fresh)
		a->fresh = xcalloc(1, sizeof *a->fresh);
	return a->fresh;
}

void fresh_start(struct app *a)
{
	struct fresh *f = state(a);
	int64_t now = time_now();
	core_seen_baseline(a->d, now, &f->since, NULL);
	int64_t mark[3];
	if (store_content_mark(a->d->st, mark, NULL) == DESK_OK)
		f->own_after = mark[0];
	f->count_due = true;
}

/* --- the queue's marks ------------------------------------------------- */

void fresh_page(struct app *a, const struct queue_page *p)
{
	struct fresh *f = state(a);
	bool same = f->page_ok && f->n == p->n;
	for (size_t i = 0; same && i < p->n; i++)
		same = f->ids[i] == p->rows[i].id;
	if (same)
		return;
	xgrow((void **)&f->ids, &f->cap, p->n ? p->n : 1, sizeof *f->ids);
	f->unseen = xrealloc(f->unseen, f->cap * sizeof *f->unseen);
	f->n = p->n;
	for (size_t i = 0; i < p->n; i++)
		f->ids[i] = p->rows[i].id;
	struct derr e = {0};
	/* A failure marks nothing: the next change tries again. */
	f->page_ok = store_seen_page(a->d->st, a->d->me.id, f->since, f->ids, f->n, f->unseen,
				     &e) == DESK_OK;
}

bool fresh_row_new(const struct app *a, int64_t id)
{
	const struct fresh *f = a->fresh;
	for (size_t i = 0; f && f->page_ok && i < f->n; i++)
		if (f->ids[i] == id)
			return f->unseen[i];
	return false;
}

int fresh_column(struct qcols *c)
{
	/* Just before the subject, in columns the customer's name can
	 * spare (the subject keeps its width: it says the most), else the
	 * subject's first two. */
	if (c->shown[QC_CUSTOMER] && c->w[QC_CUSTOMER] > 10) {
		c->w[QC_CUSTOMER] -= 2;
		return c->x[QC_CUSTOMER] + c->w[QC_CUSTOMER] + 1;
	}
	if (c->w[QC_SUBJECT] < 6)
		return -1;
	c->x[QC_SUBJECT] += 2;
	c->w[QC_SUBJECT] -= 2;
	return c->x[QC_SUBJECT] - 2;
}

void fresh_mark(struct app *a, WINDOW *w, int y, int x, int64_t id, attr_t base, bool sel)
{
	if (fresh_row_new(a, id))
		ui_put(w, y, x, 1, "N", sel ? base : a->attr[EL_UNSEEN]);
}

/* --- the counts and the events ------------------------------------------ */

void fresh_status(const struct app *a, char *buf, size_t size)
{
	const struct fresh *f = a->fresh;
	buf[0] = '\0';
	if (!f || !f->counted || (!f->nfresh && !f->nassigned && !f->nfollow))
		return;
	char one[32] = "", two[32] = "", three[48] = "";
	if (f->nfresh)
		snprintf(one, sizeof one, "%zu%s new", f->nfresh, f->fresh_more ? "+" : "");
	if (f->nassigned)
		snprintf(two, sizeof two, "%zu%s yours", f->nassigned, f->assigned_more ? "+" : "");
	if (f->nfollow)
		snprintf(three, sizeof three, "%zu%s follow-up%s", f->nfollow,
			 f->follow_more ? "+" : "", f->nfollow == 1 && !f->follow_more ? "" : "s");
	snprintf(buf, size, "%s%s%s%s%s", one, *one && *two ? " · " : "", two,
		 (*one || *two) && *three ? " · " : "", three);
}

static void reap(struct fresh *f)
{
	for (size_t i = 0; i < f->nhooks;) {
		int status;
		pid_t r = waitpid(f->hooks[i], &status, WNOHANG);
		if (r == 0) {
			i++;
			continue;
		}
		f->hooks[i] = f->hooks[--f->nhooks]; /* ended (or not ours any more) */
	}
}

static void run_hook(struct app *a, struct fresh *f, enum notify_kind k,
		     const struct ticket_brief *t)
{
	const struct notify_config *n = &a->cfg->notify;
	char *program = notify_find_program(n->hook[0], getenv("PATH"));
	if (!program) {
		if (!f->hook_missing_said) {
			char *safe = text_sanitize(n->hook[0], 0);
			app_fail(a, "notify.hook: no program \"%s\" (in %s)", safe,
				 n->file ? n->file : "the config");
			free(safe);
		}
		f->hook_missing_said = true;
		return;
	}
	char **argv = notify_hook_argv(n->hook, n->nhook, k, t->id, t->subject);
	char **env = notify_hook_env(environ, k, t->id, t->subject);
	struct derr e = {0};
	pid_t pid = notify_spawn(program, argv, env, &e);
	if (pid > 0) {
		xgrow((void **)&f->hooks, &f->caphooks, f->nhooks + 1, sizeof *f->hooks);
		f->hooks[f->nhooks++] = pid;
	} else {
		app_error(a, &e);
	}
	notify_strv_free(&argv);
	notify_strv_free(&env);
	free(program);
}

struct told_now {
	size_t n, desktop, hooks;
};

static void tell(struct app *a, struct fresh *f, enum notify_kind k, const struct ticket_brief *t,
		 struct told_now *now)
{
	static const char *const titles[NOTIFY__COUNT] = {"desk: new", "desk: assigned to you",
							   "desk: SLA due soon",
							   "desk: follow-up due"};
	const struct notify_config *n = &a->cfg->notify;
	now->n++;
	if (n->desktop && now->desktop++ < DESKTOP_MAX) {
		char *body = xasprintf("#%lld %s", (long long)t->id, t->subject ? t->subject : "");
		char *osc = notify_osc(titles[k], body);
		sb_add(&f->osc, osc);
		free(osc);
		free(body);
	}
	if (n->nhook && now->hooks++ < HOOKS_MAX)
		run_hook(a, f, k, t);
}

/* Tells each event not told before (all of them only recorded on the
 * first count). */
static void events(struct app *a, struct fresh *f, const struct fresh_news *news)
{
	struct told_now now = {0};
	const struct ticket_briefs *lists[NOTIFY__COUNT] = {
		[NOTIFY_NEW] = &news->fresh, [NOTIFY_ASSIGNED] = &news->assigned,
		[NOTIFY_SLA] = &news->soon, [NOTIFY_FOLLOW_UP] = &news->follow_ups};
	/* A ticket assigned to the agent is told as that, not also as new. */
	static const enum notify_kind order[] = {NOTIFY_ASSIGNED, NOTIFY_NEW, NOTIFY_SLA,
						 NOTIFY_FOLLOW_UP};
	for (size_t o = 0; o < ARRAY_LEN(order); o++) {
		enum notify_kind k = order[o];
		for (size_t i = 0; i < lists[k]->n; i++) {
			const struct ticket_brief *t = &lists[k]->v[i];
			if (!idset_add(&f->told[k], t->id))
				continue;
			if (k == NOTIFY_ASSIGNED)
				idset_add(&f->told[NOTIFY_NEW], t->id);
			if (f->primed)
				tell(a, f, k, t, &now);
		}
	}
	f->primed = true;
	if (now.n && a->cfg->notify.bell)
		beep();
	if (now.desktop > DESKTOP_MAX) {
		char *more = xasprintf("and %zu more", now.desktop - DESKTOP_MAX);
		char *osc = notify_osc("desk", more);
		sb_add(&f->osc, osc);
		free(osc);
		free(more);
	}
}

static int count(struct app *a, struct fresh *f)
{
	const struct notify_config *n = &a->cfg->notify;
	struct fresh_news news;
	struct derr e = {0};
	f->count_due = false;
	f->counted_ms = app_now_ms();
	if (core_fresh_read(a->d, n->nviews ? n->views : NULL, n->nviews, f->since, n->sla_warning,
			    FRESH_LIMIT, &news, &e) != DESK_OK) {
		fresh_news_free(&news);
		return 0; /* best-effort: the next change counts again */
	}
	bool moved = !f->counted || f->nfresh != news.fresh.n || f->nassigned != news.assigned.n ||
		     f->fresh_more != news.fresh_more || f->assigned_more != news.assigned_more ||
		     f->nfollow != news.follow_ups.n || f->follow_more != news.follow_ups_more;
	f->nfollow = news.follow_ups.n;
	f->follow_more = news.follow_ups_more;
	f->nfresh = news.fresh.n;
	f->nassigned = news.assigned.n;
	f->fresh_more = news.fresh_more;
	f->assigned_more = news.assigned_more;
	f->counted = true;
	events(a, f, &news);
	fresh_news_free(&news);
	return moved || f->osc.len ? RD_STATUS | RD_QUEUE : 0;
}

int fresh_idle(struct app *a)
{
	struct fresh *f = state(a);
	int64_t now = app_now_ms();
	bool due = (f->count_due && now - f->counted_ms >= COUNT_MS) ||
		   now - f->counted_ms >= RESCAN_MS;
	return due ? count(a, f) : 0;
}

void fresh_flush(struct app *a)
{
	struct fresh *f = a->fresh;
	if (!f || !f->osc.len)
		return;
	/* Straight to the terminal after curses' frame: an OSC string moves
	 * no cursor and draws nothing, so curses' picture stays true. */
	fflush(stdout);
	const char *tmux = getenv("TMUX");
	if (tmux && *tmux) {
		char *wrapped = notify_tmux_wrap(sb_str(&f->osc));
		sb_reset(&f->osc);
		sb_add(&f->osc, wrapped);
		free(wrapped);
	}
	const char *p = sb_str(&f->osc);
	size_t left = f->osc.len;
	while (left) {
		ssize_t w = write(STDOUT_FILENO, p, left);
		if (w <= 0)
			break;
		p += w;
		left -= (size_t)w;
	}
	sb_free(&f->osc);
}

/* --- the loop's tick ------------------------------------------------------ */

/* Records as seen what the agent changed (anywhere: marked tickets, the
 * command line) and the ticket shown when it is not seen (or changed
 * since: someone else's change made while it is shown is seen too). */
static int see(struct app *a, struct fresh *f)
{
	bool own = false;
	if (core_seen_own(a->d, &f->own_after, &own, NULL) == DESK_OK && own) {
		f->page_ok = false;
		f->count_due = true;
	}
	int flags = own ? RD_QUEUE : 0;
	if (!a->cur_id || !pane_shown(a, PANE_CONV))
		return flags;
	bool stale = false;
	if (core_seen_stale(a->d, a->cur_id, &stale, NULL) != DESK_OK || !stale)
		return flags;
	if (core_seen_mark(a->d, a->cur_id, NULL) != DESK_OK)
		return flags;
	f->page_ok = false;
	f->count_due = true;
	return RD_QUEUE;
}

static void console_row(struct app *a, struct fresh *f)
{
	int64_t now = time_now();
	if (!f->console_id) { /* after the first frame, not before it */
		if (f->console_tried && now - f->console_tried < PRESENCE_REFRESH_SECONDS)
			return; /* a read-only database: not every tick */
		f->console_tried = now;
		if (core_console_open(a->d, (int64_t)getpid(), &f->console_id, NULL) != DESK_OK ||
		    !f->console_id)
			return;
		f->console_written = 0;
	}
	int64_t ticket = a->cur_id && pane_shown(a, PANE_CONV) ? a->cur_id : 0;
	char view[256];
	views_title(a, view, sizeof view);
	bool moved = ticket != f->console_ticket || !f->console_view ||
		     strcmp(view, f->console_view) != 0;
	if (!moved && now - f->console_written < PRESENCE_REFRESH_SECONDS)
		return;
	if (ticket != f->console_ticket)
		f->ticket_since = now;
	/* Best-effort: a failure leaves the row to be written next time. */
	if (core_console_update(a->d, (int64_t)getpid(), &f->console_id, ticket, f->ticket_since,
				view, NULL) != DESK_OK)
		return;
	f->console_ticket = ticket;
	free(f->console_view);
	f->console_view = xstrdup(view);
	f->console_written = now;
}

int fresh_tick(struct app *a, bool db_changed, bool content_moved)
{
	struct fresh *f = state(a);
	if (content_moved) {
		f->page_ok = false;
		f->count_due = true;
	}
	reap(f);
	int flags = see(a, f);
	console_row(a, f);
	return flags | who_tick(a, db_changed);
}

void fresh_leave(struct app *a)
{
	struct fresh *f = a->fresh;
	if (!f)
		return;
	core_console_close(a->d, f->console_id, NULL);
	f->console_id = 0;
	reap(f); /* the rest end on their own, reparented */
}

void fresh_free(struct app *a)
{
	struct fresh *f = a->fresh;
	if (!f)
		return;
	free(f->ids);
	free(f->unseen);
	for (int k = 0; k < NOTIFY__COUNT; k++)
		free(f->told[k].v);
	sb_free(&f->osc);
	free(f->hooks);
	free(f->console_view);
	free(f);
	a->fresh = NULL;
}
