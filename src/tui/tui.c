/* tui.c: the console's entry points and its loop.  Keys, canned
 * responses and the theme are loaded and checked before curses starts.
 * The loop reads a key (polling the database for other agents' changes
 * every half second), maps it to an action, runs it, and draws what the
 * handler said changed, with one doupdate().  Signal handlers only set
 * flags; the loop saves unsent work and leaves. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "priv.h"
#include "text.h"
#include "tui.h"
#include "ui.h"
#include "util.h"

#define POLL_MS 500
/* While mail is with sendmail, the loop looks at it this often (a key
 * never waits for it: the wait is curses' own input timeout). */
#define MAIL_POLL_MS 50
/* Other agents' writes recount the view at most this often (the rows
 * on screen refresh at once); a change made here recounts when idle. */
#define RECOUNT_MS 3000

static volatile sig_atomic_t got_term, got_int;

static void on_term(int sig)
{
	got_term = sig;
}

bool app_quitting(void)
{
	return got_term != 0;
}

static void on_int(int sig)
{
	got_int = 1;
}

static void on_fatal(int sig)
{
	endwin(); /* leave the terminal usable, then die as we would have */
	signal(sig, SIG_DFL);
	raise(sig);
}

static void restore_terminal(void)
{
	endwin();
}

static int64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t app_now_ms(void)
{
	return now_us() / 1000;
}

/* --- config files ------------------------------------------------------ */

/* Loads the keys, canned responses and theme the config names. */
static int load_files(const struct config *cfg, struct keymap *km, struct canned_list *canned,
		      struct theme *theme, struct derr *e)
{
	memset(canned, 0, sizeof *canned);
	int rc = DESK_OK;
	if (cfg && cfg->canned_file &&
	    ((rc = canned_load(cfg->canned_file, canned, e)) || (rc = canned_check(canned, cfg, e)))) {
		canned_list_free(canned);
		return rc;
	}
	/* The keys file may name canned responses: they are known first. */
	struct keymap_check chk = {cfg, cfg && cfg->canned_file ? canned : NULL};
	if ((rc = keymap_load(km, cfg ? cfg->keys_file : NULL, &chk, e))) {
		canned_list_free(canned);
		return rc;
	}
	/* Every placeholder must be known before anyone replies with it. */
	struct customer cu = {.name = "A Customer", .email = "a@example.com"};
	struct agent ag = {.login = "agent", .name = "An Agent"};
	struct ticket t = {.id = 1, .subject = "subject", .queue = "general"};
	struct canned_ctx ctx = {&cu, &ag, &t};
	for (size_t i = 0; !rc && i < canned->n; i++) {
		char *out = NULL;
		if (!canned->v[i].body)
			continue;
		if ((rc = canned_expand(canned->v[i].body, &ctx, &out, e)))
			derr_prefix(e, "%s:%d: canned response \"%s\": body", canned->path,
				    canned->v[i].line, canned->v[i].name);
		free(out);
	}
	if (!rc)
		rc = theme_from_config(theme, cfg, e);
	if (rc) {
		keymap_free(km);
		canned_list_free(canned);
	}
	return rc;
}

int tui_check_config(const struct config *cfg, struct derr *e)
{
	struct keymap km;
	struct canned_list canned;
	struct theme theme;
	int rc = load_files(cfg, &km, &canned, &theme, e);
	if (rc == DESK_OK) {
		/* desk tick would fail on each ticket: said now, with where */
		rc = follow_up_rules_check(cfg, cfg && cfg->canned_file ? &canned : NULL, e);
		keymap_free(&km);
		canned_list_free(&canned);
	}
	return rc;
}

int tui_print_keymap(const struct config *cfg, FILE *out, FILE *notes, struct derr *e)
{
	struct keymap km;
	struct canned_list canned = {0};
	int rc = DESK_OK;
	if (cfg && cfg->canned_file &&
	    ((rc = canned_load(cfg->canned_file, &canned, e)) || (rc = canned_check(&canned, cfg, e)))) {
		canned_list_free(&canned);
		return rc;
	}
	struct keymap_check chk = {cfg, cfg && cfg->canned_file ? &canned : NULL};
	rc = keymap_load(&km, cfg ? cfg->keys_file : NULL, &chk, e);
	canned_list_free(&canned);
	if (rc)
		return rc;
	keymap_print(&km, out);
	for (size_t i = 0; notes && i < km.ntakeovers; i++) {
		char *safe = text_sanitize(km.takeovers[i], 0);
		fprintf(notes, "desk: %s\n", safe);
		free(safe);
	}
	keymap_free(&km);
	return DESK_OK;
}

/* --- app helpers ------------------------------------------------------- */

void app_msg(struct app *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(a->msg, sizeof a->msg, fmt, ap);
	va_end(ap);
	a->msg_error = false;
	a->dirty |= RD_STATUS;
}

void app_fail(struct app *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(a->msg, sizeof a->msg, fmt, ap);
	va_end(ap);
	a->msg_error = true;
	a->dirty |= RD_STATUS;
}

int app_error(struct app *a, const struct derr *e)
{
	snprintf(a->msg, sizeof a->msg, "%s", e && e->msg[0] ? e->msg : "failed");
	a->msg_error = true;
	beep();
	return RD_STATUS;
}

static void shown_drop(struct app *a)
{
	if (a->shown_ok)
		ticket_free(&a->shown);
	a->shown_ok = false;
}

/* On PostgreSQL every read is a round trip to the server: a move in the
 * queue read the ticket three times (here, the conversation, the
 * history), where once does. */
int app_ticket(struct app *a, int64_t id, struct ticket *out, struct derr *e)
{
	if (a->shown_ok && a->shown.id == id && a->shown_writes == store_writes(a->d->st)) {
		ticket_copy(out, &a->shown);
		return DESK_OK;
	}
	return store_ticket_get(a->d->st, id, out, e);
}

int app_show(struct app *a, int64_t id, bool from_queue)
{
	a->cur_from_queue = from_queue;
	if (id == a->cur_id)
		return 0;
	a->cur_id = id;
	/* What the agent saw when the ticket came up: a reply to a ticket
	 * they saw unassigned claims it, or says who was faster (compose_start.c). */
	struct ticket t;
	a->cur_seen_unassigned = false;
	shown_drop(a);
	if (id && store_ticket_get(a->d->st, id, &t, NULL) == DESK_OK) {
		a->cur_seen_unassigned = !t.assignee_id;
		a->shown = t;
		a->shown_ok = true;
		a->shown_writes = store_writes(a->d->st);
	}
	return RD_CONV | RD_HIST | RD_STATUS;
}

/* The data changed: reload what is shown; the count waits (count_due). */
static int data_changed(struct app *a)
{
	int flags = RD_STATUS;
	shown_drop(a);
	a->count_due = true;
	for (int i = 0; i < PANE__COUNT; i++)
		flags |= a->pane[i]->ops->data_changed(a->pane[i], a);
	if (a->overlay)
		flags |= a->overlay->ops->data_changed(a->overlay, a);
	return flags;
}

/* Another process committed: was it more than someone's presence?  A
 * team's consoles refresh their presence every 20 s, which must not make
 * every console re-read its panes. */
static bool content_moved(struct app *a)
{
	int64_t mark[3];
	struct derr e = {0};
	if (store_content_mark(a->d->st, mark, &e) != DESK_OK)
		return true; /* refresh: its errors show there */
	bool moved = !a->have_content_mark || memcmp(mark, a->content_mark, sizeof mark) != 0;
	memcpy(a->content_mark, mark, sizeof mark);
	a->have_content_mark = true;
	return moved;
}

int app_changed(struct app *a)
{
	int flags = data_changed(a);
	a->count_at = 0; /* our own change: recount as soon as idle */
	return flags;
}

int app_set_overlay(struct app *a, struct pane *ov)
{
	if (a->overlay) /* one at a time: the new one replaces it */
		app_close_overlay(a);
	a->overlay = ov;
	ov->ops->resize(ov, a);
	return RD_OVERLAY | RD_PANES | RD_STATUS;
}

int app_close_overlay(struct app *a)
{
	struct pane *ov = a->overlay;
	if (!ov)
		return 0;
	a->overlay = NULL;
	ov->ops->destroy(ov);
	/* What it covered shows again. */
	return RD_ALL;
}

int app_focus(struct app *a, enum pane_id id)
{
	int flags = RD_PANES | RD_STATUS;
	if (id == PANE_QUEUE && queue_selected(a) && !a->cur_from_queue)
		flags |= app_show(a, queue_selected(a), true);
	if (a->focus == id)
		return flags;
	a->focus = id;
	if (a->layout == LAYOUT_NARROW)
		flags |= RD_LAYOUT;
	return flags;
}

int app_run_action(struct app *a, int action, const char *arg)
{
	if (action < 0 || action >= ACT__COUNT)
		return 0;
	const struct action *ac = &actions[action];
	if (ac->flags & F_PROMPT)
		return 0;
	/* Marked tickets first: they need no selected ticket. */
	if ((ac->flags & F_BULK) && marks_count(a)) {
		a->action = action;
		return marks_action(a, action, arg);
	}
	if ((ac->flags & F_TICKET) && !a->cur_id) {
		app_fail(a, "No ticket selected.");
		return RD_STATUS;
	}
	a->action = action;
	/* Whether the queue is as the view put it (act_next_ticket opens
	 * the first ticket then); any action ends that, unless it resets
	 * the view again. */
	a->was_view_fresh = a->view_fresh;
	a->view_fresh = false;
	return ac->fn(a, arg);
}

/* --- keys and the mouse ------------------------------------------------ */

static int mouse(struct app *a)
{
	MEVENT ev;
	if (getmouse(&ev) != OK || a->overlay || a->layout == LAYOUT_TOO_SMALL)
		return 0;
	a->view_fresh = false;
	for (int i = 0; i < PANE__COUNT; i++) {
		struct pane *p = a->pane[i];
		if (!pane_shown(a, (enum pane_id)i) || ev.y < p->y || ev.y >= p->y + p->h ||
		    ev.x < p->x || ev.x >= p->x + p->w)
			continue;
		int flags = app_focus(a, (enum pane_id)i);
		if (ev.bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED)) {
			for (int k = 0; k < 3; k++)
				flags |= p->ops->key(p, a, ev.bstate & BUTTON4_PRESSED ? ACT_UP : ACT_DOWN,
						     0) & ~RD_UNHANDLED;
		} else if (p->ops->click) {
			flags |= p->ops->click(p, a, ev.y - p->y, ev.x - p->x);
		}
		return flags;
	}
	return 0;
}

static int handle_key(struct app *a, int key)
{
	if (key == KEYF(KEY_RESIZE))
		return RD_LAYOUT | RD_ALL;
	if (key == KEYF(KEY_MOUSE))
		return mouse(a);
	int flags = a->msg[0] ? RD_STATUS : 0;
	a->msg[0] = '\0';
	a->msg_error = false;
	if (a->overlay) {
		struct pane *ov = a->overlay;
		int act = keymap_lookup(&a->km, ov->ops->ctx, key);
		return flags | (ov->ops->key(ov, a, act, key) & ~RD_UNHANDLED);
	}
	struct pane *p = a->pane[a->focus];
	const struct kbinding *b = keymap_binding(&a->km, p->ops->ctx, key);
	if (b && b->action == KM_STEPS)
		return flags | app_run_steps(a, b->steps, b->nsteps);
	int act = keymap_lookup(&a->km, p->ops->ctx, key);
	if (act < 0) {
		char name[32];
		key_label(key, name, sizeof name);
		char k[32] = "";
		if (keymap_keys(&a->km, KC_GLOBAL, ACT_HELP, k, sizeof k))
			k[strcspn(k, " ")] = '\0';
		app_msg(a, "%s does nothing here%s%s%s.", name, *k ? " (" : "", k,
			*k ? " lists the keys)" : "");
		return flags;
	}
	return flags | app_run_action(a, act, NULL);
}

/* --- drawing ----------------------------------------------------------- */

static void draw(struct app *a)
{
	if (a->dirty & RD_LAYOUT) {
		layout_apply(a);
		a->dirty |= RD_ALL;
	}
	if (a->dirty & RD_FULL)
		clearok(curscr, TRUE);
	int dirty = a->dirty;
	a->dirty = 0;
	if (a->layout == LAYOUT_TOO_SMALL) {
		curs_set(0);
		too_small_draw(a);
		doupdate();
		return;
	}
	bool any = false;
	for (int i = 0; i < PANE__COUNT; i++) {
		struct pane *p = a->pane[i];
		if (!pane_shown(a, (enum pane_id)i) || !(dirty & p->flag) || !p->win)
			continue;
		werase(p->win);
		p->ops->draw(p, a);
		wnoutrefresh(p->win);
		any = true;
	}
	/* Drawing may have found an error to show. */
	dirty |= a->dirty & RD_STATUS;
	a->dirty &= ~RD_STATUS;
	if (dirty & RD_STATUS) {
		status_draw(a);
		if (a->statuswin)
			wnoutrefresh(a->statuswin);
		if (a->msgwin)
			wnoutrefresh(a->msgwin);
	}
	int cy = 0, cx = 0;
	bool cursor = false;
	struct pane *ov = a->overlay;
	if (ov && ov->win) {
		if (dirty & (RD_OVERLAY | RD_STATUS) || any) {
			werase(ov->win);
			ov->ops->draw(ov, a);
			touchwin(ov->win);
		}
		cursor = ov->ops->cursor && ov->ops->cursor(ov, a, &cy, &cx);
		if (cursor)
			wmove(ov->win, cy, cx);
		wnoutrefresh(ov->win);
	}
	curs_set(cursor ? 1 : 0);
	doupdate();
	fresh_flush(a);
}

/* --- the loop ---------------------------------------------------------- */

struct trace {
	FILE *f;
	struct {
		char name[32];
		int64_t t0;
	} pending[64];
	int n;
};

static void trace_frame(struct trace *t)
{
	if (!t->f)
		return;
	int64_t now = now_us();
	for (int i = 0; i < t->n; i++)
		fprintf(t->f, "%s %lld\n", t->pending[i].name, (long long)(now - t->pending[i].t0));
	t->n = 0;
	fflush(t->f);
}

static bool input_pending(WINDOW *in)
{
	wint_t wch;
	wtimeout(in, 0);
	int r = wget_wch(in, &wch);
	if (r == ERR)
		return false;
	if (r == KEY_CODE_YES)
		ungetch((int)wch);
	else
		unget_wch((wchar_t)wch);
	return true;
}

/* Is the terminal gone (hung up, closed)? */
static bool tty_gone(void)
{
	struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
	if (!isatty(STDIN_FILENO))
		return true;
	return poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLHUP | POLLERR | POLLNVAL));
}

static int poll_store(struct app *a, int64_t *last_poll, int *minute)
{
	int64_t now = now_us() / 1000;
	if (now - *last_poll < POLL_MS)
		return 0;
	*last_poll = now;
	int flags = 0;
	bool changed = store_changed(a->d->st);
	flags |= link_tick(a);
	if (a->link_down_since) /* nothing to read or write until it is back */
		return flags;
	bool moved = changed && content_moved(a);
	if (moved)
		flags |= data_changed(a);
	flags |= presence_tick(a, changed);
	flags |= fresh_tick(a, changed, moved);
	int m = (int)(time_now() / 60);
	if (m != *minute) { /* ages and SLA times move on */
		*minute = m;
		flags |= RD_QUEUE | RD_CONV;
	}
	return flags;
}

/* A key waiting on the terminal (the count gives up for it). */
static bool key_waiting(void *arg)
{
	bool *gave_up = arg;
	struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
	if (poll(&pfd, 1, 0) > 0 && (pfd.revents & POLLIN))
		*gave_up = true;
	return *gave_up;
}

/* Counts the view, unless a key arrives meanwhile: then the count stays
 * pending and runs at the next pause.  Once it gave up without a key
 * being read after it (a terminal that polls readable and yields
 * nothing), it counts to the end. */
static void count_now(struct app *a)
{
	struct derr e = {0};
	int64_t n = 0;
	bool gave_up = false;
	if (!a->count_gave_up)
		store_set_give_up(a->d->st, key_waiting, &gave_up);
	/* A huge view is not counted to the end: "10000+" says enough. */
	int rc = store_queue_count_upto(a->d->st, &a->view.filter, COUNT_LIMIT, &n, &e);
	store_set_give_up(a->d->st, NULL, NULL);
	if (gave_up) {
		a->count_gave_up = true;
		return;
	}
	a->count_gave_up = false;
	if (rc == DESK_OK) {
		a->count = n;
		a->count_more = n >= COUNT_LIMIT;
	} else
		app_error(a, &e);
	a->count_stale = a->count_due = false;
	a->count_at = app_now_ms();
	a->dirty |= RD_STATUS | RD_QUEUE;
}

/* When the next idle job is due (app_now_ms() time), or -1: the filter
 * being typed, then the count (at once for a new view, at most every
 * RECOUNT_MS after other agents' writes). */
static int64_t idle_at(const struct app *a)
{
	int64_t at = views_idle_at(a);
	if (at >= 0) /* the count waits for the filter it would count */
		return at;
	if (a->count_stale)
		return 0;
	if (a->count_due)
		return a->count_at ? a->count_at + RECOUNT_MS : 0;
	return -1;
}

/* One idle job, if one is due: the loop draws between two. */
static bool idle_work(struct app *a)
{
	int64_t now = app_now_ms(), at = idle_at(a);
	if (at < 0 || now < at)
		return false;
	if (a->filter_pending)
		a->dirty |= views_idle(a, now);
	else
		count_now(a);
	return true;
}

static void run(struct app *a, WINDOW *in, struct trace *tr, bool exit_first)
{
	int64_t last_poll = now_us() / 1000;
	int minute = (int)(time_now() / 60), fast_errs = 0;
	a->dirty = RD_LAYOUT | RD_ALL;
	bool first = true;
	while (!a->quit && !got_term) {
		if (a->dirty && (first || !input_pending(in))) {
			draw(a);
			shown_drop(a); /* the panes have it now */
			trace_frame(tr);
			/* The first frame shows the rows, the conversation and the
			 * history; only the count may still be "…" (it runs next). */
			if (first && exit_first)
				break;
			first = false;
		}
		int timeout = POLL_MS;
		int64_t at = idle_at(a);
		if (at >= 0) {
			int64_t wait = at - app_now_ms();
			timeout = wait <= 0 ? 0 : wait < POLL_MS ? (int)wait : POLL_MS;
		}
		if (mailer_busy(a) && timeout > MAIL_POLL_MS)
			timeout = MAIL_POLL_MS;
		wtimeout(in, timeout);
		untouchwin(in);
		wint_t wch;
		int64_t before = now_us();
		int r = wget_wch(in, &wch);
		int64_t t0 = now_us();
		if (r == ERR) {
			if (got_term)
				break;
			if (got_int) {
				got_int = 0;
				if (a->overlay)
					a->dirty |= a->overlay->ops->key(a->overlay, a, ACT_CANCEL,
									 KEY_ESC_CODE) & ~RD_UNHANDLED;
				else
					app_msg(a, "Interrupted; Q quits.");
				continue;
			}
			/* A read that fails at once, again and again: the terminal went away. */
			if (timeout > 0 && t0 - before < timeout * 250) {
				if (++fast_errs > 20 || tty_gone())
					break;
			} else if (timeout > 0) {
				fast_errs = 0;
			}
			a->dirty |= mailer_poll(a);
			if (!idle_work(a)) {
				a->dirty |= poll_store(a, &last_poll, &minute);
				a->dirty |= fresh_idle(a);
			}
			continue;
		}
		fast_errs = 0;
		a->count_gave_up = false;
		int key = key_from_input((int)wch, r == KEY_CODE_YES);
		if (tr->f && tr->n < (int)ARRAY_LEN(tr->pending)) {
			key_label(key, tr->pending[tr->n].name, sizeof tr->pending[tr->n].name);
			tr->pending[tr->n++].t0 = t0;
		}
		a->dirty |= handle_key(a, key);
		timelog_touch(a); /* the agent is at work, on the ticket shown now */
		a->dirty |= mailer_poll(a);
		a->dirty |= poll_store(a, &last_poll, &minute);
	}
}

static void app_free(struct app *a)
{
	shown_drop(a);
	if (a->overlay) {
		a->overlay->ops->destroy(a->overlay);
		a->overlay = NULL;
	}
	layout_free(a);
	for (int i = 0; i < PANE__COUNT; i++)
		if (a->pane[i])
			a->pane[i]->ops->destroy(a->pane[i]);
	compose_free(&a->compose);
	free(a->unsent);
	mailer_free(a);
	marks_free(a);
	presence_rows_free(&a->others);
	fresh_free(a);
	views_free(a);
	for (int i = 0; i < PH__COUNT; i++)
		strlist_free(&a->hist[i]);
	keymap_free(&a->km);
	canned_list_free(&a->canned);
}

/* Ctrl-S and Ctrl-Q are keys in the console, not XOFF and XON: with flow
 * control on, a stray Ctrl-S would freeze the screen until Ctrl-Q.  curses
 * keeps this mode for the program and gives the shell its own back. */
static void flow_control_off(void)
{
	struct termios t;
	if (tcgetattr(STDIN_FILENO, &t) == 0) {
		t.c_iflag &= ~(tcflag_t)(IXON | IXOFF);
		tcsetattr(STDIN_FILENO, TCSANOW, &t);
	}
	def_prog_mode(); /* curses' own copy of the mode, used from now on */
}

int tui_main(struct desk *d, struct derr *e)
{
	struct app a = {0};
	a.d = d;
	/* Replies wait this long for `u` before sendmail has them. */
	d->reply_hold_seconds = d->cfg ? d->cfg->undo_send_seconds : 0;
	a.cfg = d->cfg;
	stopwatch_init(&a.sw, (d->cfg ? d->cfg->time_tracking.idle : TIME_IDLE_DEFAULT) * 1000);
	if (load_files(d->cfg, &a.km, &a.canned, &a.theme, e))
		return 1;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		keymap_free(&a.km);
		canned_list_free(&a.canned);
		derr_set(e, DESK_EUSAGE, "the console needs a terminal; `desk --help` lists the "
					 "commands for scripts");
		return 1;
	}
	if (views_init(&a, e)) {
		app_free(&a);
		return 1;
	}
	struct trace tr = {0};
	const char *trace = getenv("DESK_TRACE");
	if (!str_empty(trace) && !(tr.f = priv_fopen(trace, "a"))) {
		derr_set(e, DESK_EIO, "DESK_TRACE=%s: %s", trace, strerror(errno));
		app_free(&a);
		return 1;
	}
	const char *ef = getenv("DESK_EXIT_AFTER_FIRST_FRAME");
	bool exit_first = ef && strcmp(ef, "1") == 0;

	SCREEN *scr = newterm(NULL, stdout, stdin);
	if (!scr) {
		const char *term = getenv("TERM");
		derr_set(e, DESK_EIO, "cannot use the terminal (TERM=%s)", term ? term : "");
		if (tr.f)
			fclose(tr.f);
		app_free(&a);
		return 1;
	}
	xalloc_fail_hook = restore_terminal;
	struct sigaction sa = {0}, old_term, old_hup, old_int;
	sa.sa_handler = on_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	sa.sa_handler = on_int;
	sigaction(SIGINT, &sa, &old_int);
	struct sigaction fatal = {0};
	fatal.sa_handler = on_fatal;
	sigemptyset(&fatal.sa_mask);
	fatal.sa_flags = (int)SA_RESETHAND;
	sigaction(SIGSEGV, &fatal, NULL);
	sigaction(SIGBUS, &fatal, NULL);
	sigaction(SIGFPE, &fatal, NULL);
	sigaction(SIGABRT, &fatal, NULL);

	cbreak();
	flow_control_off();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	set_escdelay(25);
	curs_set(0);
	WINDOW *in = newwin(1, 1, 0, 0);
	keypad(in, TRUE);
	colors_init(&a);
	a.pane[PANE_QUEUE] = queue_pane_new(&a);
	a.pane[PANE_CONV] = conv_pane_new(&a);
	a.pane[PANE_HIST] = hist_pane_new(&a);
	a.focus = PANE_QUEUE;
	layout_apply(&a);
	fresh_start(&a);
	a.dirty |= queue_reset(&a);
	if (a.km.ntakeovers) /* said once, at the start; `desk keys` lists them all */
		app_msg(&a, "%s%s", a.km.takeovers[0],
			a.km.ntakeovers > 1 ? " (and more: desk keys lists them)" : "");

	run(&a, in, &tr, exit_first);

	char *rescued = compose_rescue(&a);
	/* A notice not dismissed is said once more, where it stays. */
	char *unsent = a.unsent;
	a.unsent = NULL;
	char held_report[200];
	mailer_quit_held(&a, held_report, sizeof held_report);
	int in_flight = mailer_quit(&a);
	presence_leave(&a);
	fresh_leave(&a);
	if (a.mouse)
		mousemask(0, NULL);
	delwin(in);
	app_free(&a);
	endwin();
	delscreen(scr);
	xalloc_fail_hook = NULL;
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	sigaction(SIGINT, &old_int, NULL);
	if (tr.f)
		fclose(tr.f);
	if (unsent) {
		fprintf(stderr, "desk: unsent text is kept in %s\n", unsent);
		free(unsent);
	}
	if (rescued) {
		fprintf(stderr, "desk: %s\n", rescued);
		free(rescued);
	}
	if (held_report[0])
		fprintf(stderr, "desk: %s\n", held_report);
	if (in_flight)
		fprintf(stderr,
			"desk: %d %s not mailed yet (sendmail was still running): kept in "
			"the outbox; `desk outbox --retry` sends %s\n",
			in_flight, in_flight == 1 ? "reply was" : "replies were",
			in_flight == 1 ? "it" : "them");
	got_term = 0;
	return 0;
}
