/* ui.h: what the console's files share: the app, the pane interface
 * (a struct whose first member is the base, with a const vtable), the
 * redraw flags handlers return, and the drawing helpers.
 *
 * The loop (tui.c) reads a key, maps it through the keymap to an action,
 * runs the action's handler (actions never draw: they change state and
 * return what must be redrawn), then draws the dirty parts and calls
 * doupdate() once. */
#ifndef DESK_TUI_UI_H
#define DESK_TUI_UI_H

#define NCURSES_WIDECHAR 1
#include <curses.h>
#include <stdbool.h>
#include <stdint.h>

#include "actions.h"
#include "config.h"
#include "core.h"
#include "keymap.h"
#include "stopwatch.h"
#include "theme.h"

/* Redraw flags: what a handler changed. */
enum {
	RD_QUEUE = 1 << 0,
	RD_CONV = 1 << 1,
	RD_HIST = 1 << 2,
	RD_STATUS = 1 << 3,
	RD_OVERLAY = 1 << 4,
	RD_LAYOUT = 1 << 5, /* sizes or the visible panes changed */
	RD_FULL = 1 << 6,   /* repaint the whole terminal (C-l, after $EDITOR) */
	RD_PANES = RD_QUEUE | RD_CONV | RD_HIST,
	RD_ALL = RD_PANES | RD_STATUS | RD_OVERLAY,
	RD_UNHANDLED = 1 << 20, /* a pane's key(): not mine */
};

enum pane_id { PANE_QUEUE, PANE_CONV, PANE_HIST, PANE__COUNT };

enum layout_kind { LAYOUT_TOO_SMALL, LAYOUT_NARROW, LAYOUT_MEDIUM, LAYOUT_WIDE };
#define MIN_COLS 20
#define MIN_LINES 6
#define MEDIUM_COLS 100
#define WIDE_COLS 160

struct app;
struct pane;

struct pane_ops {
	const char *name; /* shown in titles and the status line */
	enum kctx ctx;    /* keys are looked up here, then in global */
	/* Draws the whole pane into p->win (erased first by the caller). */
	void (*draw)(struct pane *p, struct app *a);
	/* An action bound to a key (or -1, with the raw key).  Returns
	 * redraw flags, or RD_UNHANDLED. */
	int (*key)(struct pane *p, struct app *a, int action, int key);
	/* p->h / p->w changed. */
	void (*resize)(struct pane *p, struct app *a);
	/* The database changed (or the ticket shown did).  Returns flags. */
	int (*data_changed)(struct pane *p, struct app *a);
	/* A mouse click at (y, x) inside the pane.  May be NULL. */
	int (*click)(struct pane *p, struct app *a, int y, int x);
	/* Frees the pane. */
	void (*destroy)(struct pane *p);
	/* Overlays: where the cursor goes (false: hidden).  May be NULL. */
	bool (*cursor)(struct pane *p, struct app *a, int *y, int *x);
	/* Overlays: it takes the agent away from the ticket (help, the
	 * dashboard, :who): the ticket's stopwatch does not run under it. */
	bool off_ticket;
};

struct pane {
	const struct pane_ops *ops;
	WINDOW *win;
	int y, x, h, w;
	bool visible;
	bool sep;  /* a vertical rule in column 0 */
	int flag;  /* its RD_* flag */
};

struct compose;
struct mailer;

/* Prompt histories. */
enum { PH_COMMAND, PH_SEARCH, PH_FILTER, PH_ARG, PH__COUNT };
struct strlist {
	char **v;
	size_t n, cap;
};

struct app {
	struct desk *d;
	const struct config *cfg;
	struct keymap km;
	struct theme theme;
	attr_t attr[EL__COUNT];
	struct canned_list canned;

	struct pane *pane[PANE__COUNT];
	struct pane *overlay; /* a prompt, picker or help; NULL */
	enum pane_id focus;
	enum layout_kind layout;
	WINDOW *statuswin, *msgwin;
	int dirty;
	int action; /* the action being run (for act_pane) */

	/* The queue's view: a named view, narrowed by a filter, or a search. */
	struct view view;
	char *view_name;
	char *prev_view; /* to go back to from a customer's tickets */
	char *filter;
	char *search;
	int sort;     /* -1: the view's own */
	bool reverse; /* flips the view's order */
	int64_t count;
	bool count_more;  /* at least count (counting stopped there) */
	bool count_stale; /* not counted yet for this view: shown as "…" */
	bool count_due;   /* the data changed since: recount when idle */
	int64_t content_mark[3]; /* store_content_mark at the last refresh */
	bool have_content_mark;
	int64_t count_at; /* app_now_ms() of the last count; 0: recount at once */
	bool count_gave_up; /* the last count stopped for a key */
	/* The filter typed so far, applied once typing pauses (views.c). */
	char *filter_next;
	bool filter_pending;
	int64_t filter_next_at; /* app_now_ms() when it is due */

	int64_t cur_id;       /* the ticket shown; 0: none */
	bool cur_from_queue;  /* it follows the queue's cursor */
	bool cur_seen_unassigned; /* nobody had it when it was first shown */
	/* The ticket as app_show read it, for the panes that show it next
	 * (app_ticket): kept until the next frame is drawn, and only while
	 * nothing was written (store_writes) and nothing changed. */
	struct ticket shown;
	bool shown_ok;
	unsigned long shown_writes;
	/* The queue is as the view put it, cursor on its first (most
	 * urgent) ticket, and the agent has done nothing since;
	 * was_view_fresh: the same before the action being run. */
	bool view_fresh, was_view_fresh;

	char msg[1024];
	bool msg_error;
	/* The database server unreachable since (Unix seconds; 0: it is
	 * reachable, or the database is a file): link.c. */
	int64_t link_down_since;
	/* The file keeping a reply or note the database would not take: named
	 * in the message line until the agent dismisses it. */
	char *unsent;
	struct compose *compose;
	struct mailer *mailer; /* replies with sendmail now (mailer.c) */
	struct marks *marks;   /* tickets marked for a bulk change (marks.c) */
	/* Presence: what this console last wrote, and everyone else's. */
	int64_t pres_ticket;
	bool pres_replying;
	int64_t pres_written; /* time_now() of the last write; 0: never */
	struct presence_rows others;
	int64_t others_read;  /* time_now() of the last read */
	struct fresh *fresh;  /* what is new to the agent, their console row (fresh.c) */
	struct strlist hist[PH__COUNT];
	/* Time spent per ticket (config time_tracking; timelog.c). */
	struct stopwatch sw;
	bool mouse;
	bool quit;
};

/* --- app (tui.c) ------------------------------------------------------- */
void app_msg(struct app *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same, shown as an error. */
void app_fail(struct app *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int app_error(struct app *a, const struct derr *e); /* returns RD_STATUS */
/* Shows ticket id in the conversation and history (from_queue: it
 * follows the queue's cursor from now on).  Returns flags. */
int app_show(struct app *a, int64_t id, bool from_queue);
/* Ticket id as store_ticket_get reads it, or as app_show just did. */
int app_ticket(struct app *a, int64_t id, struct ticket *out, struct derr *e);
/* After a change made here: reload what is shown, keep the cursor. */
int app_changed(struct app *a);
/* A monotonic clock in milliseconds. */
int64_t app_now_ms(void);
int app_run_action(struct app *a, int action, const char *arg);
/* Runs a key's steps (macro.c): each through app_run_action as its own
 * key would, stopping at the first that fails (the message says which)
 * or that asks for something (a prompt, a picker, the editor's
 * question), which then goes on as usual. */
int app_run_steps(struct app *a, const struct kstep *steps, size_t n);
int app_set_overlay(struct app *a, struct pane *ov);
int app_close_overlay(struct app *a);
int app_focus(struct app *a, enum pane_id id);
/* A signal asked the console to leave (SIGTERM, SIGHUP). */
bool app_quitting(void);
void strlist_add(struct strlist *l, const char *s);
void strlist_free(struct strlist *l);

/* --- layout.c / draw.c / statusline.c ------------------------------------ */
void layout_apply(struct app *a);
void layout_free(struct app *a);
bool pane_shown(const struct app *a, enum pane_id id);
/* A full-screen overlay's resize: its window over all but the two
 * bottom lines (the status and message lines); false, and no window,
 * when the terminal is too small. */
bool overlay_fill_screen(struct pane *p, struct app *a);
/* The same as a pane_ops resize, for overlays with nothing else to do. */
void overlay_resize(struct pane *p, struct app *a);
void colors_init(struct app *a);
/* Whether the terminal's locale speaks UTF-8 (asked once: the locale is
 * set before the console starts and never changes). */
bool ui_utf8(void);
/* Draws sanitized text clipped to maxw columns; returns columns used. */
int ui_put(WINDOW *w, int y, int x, int maxw, const char *s, attr_t at);
/* Moves *top, the first of n lines shown `visible` at a time, for a
 * movement action (down, up, pages, top, bottom); false for any other
 * action.  The overlays that are plain scrolling text share it. */
bool ui_scroll(size_t *top, size_t n, size_t visible, int action);
/* Same for untrusted text: sanitized first (newlines shown as ^J). */
int ui_put_untrusted(WINDOW *w, int y, int x, int maxw, const char *s, attr_t at);
void ui_fill(WINDOW *w, int y, int x, int n, attr_t at);
/* The pane's title row (and its rule), content below from row 1. */
void ui_title(struct app *a, struct pane *p, const char *title);
/* The first usable column inside p (after its rule). */
static inline int pane_x0(const struct pane *p) { return p->sep ? 1 : 0; }
static inline int pane_w(const struct pane *p) { return p->w - (p->sep ? 1 : 0); }
void status_draw(struct app *a);
/* The view's count as shown: "…" while counting, "10000+" when capped. */
void count_label(const struct app *a, char *buf, size_t size);
#define COUNT_LIMIT 10000
void too_small_draw(struct app *a);

/* --- panes ------------------------------------------------------------- */
struct pane *queue_pane_new(struct app *a);
struct pane *conv_pane_new(struct app *a);
struct pane *hist_pane_new(struct app *a);
/* The queue: back to the top of a (new) view; move the cursor by delta
 * rows (returns false at an end); the selected ticket. */
int queue_reset(struct app *a);
int queue_reset_at(struct app *a, int64_t id); /* the cursor on id if on the page */
bool queue_step(struct app *a, int delta, int *flags);
int64_t queue_selected(struct app *a);

/* --- newtags.c: asking before a tag no ticket carries is made ---------- */
typedef int (*newtags_yes_fn)(struct app *a, const char *list, void *data);
/* When a tag of list (as typed: words, spaces or commas) is on no
 * ticket, asks whether to create it and returns true: on y, yes(a,
 * list, data) runs; data is freed with free_data either way.  Else
 * returns false and keeps nothing (data stays the caller's). */
bool newtags_ask(struct app *a, const char *list, newtags_yes_fn yes, void *data,
		 void (*free_data)(void *data), int *flags);

/* --- views.c ----------------------------------------------------------- */
int views_init(struct app *a, struct derr *e);
void views_free(struct app *a);
/* Rebuilds a->view from the name, filter, search and sort. */
int views_rebuild(struct app *a, struct derr *e);
/* Work that waits for a pause in typing (the filter being typed), when
 * now_ms reached it; returns redraw flags.  views_idle_at: when that is
 * (app_now_ms() time), or -1 for nothing waiting. */
int views_idle(struct app *a, int64_t now_ms);
int64_t views_idle_at(const struct app *a);
const char *views_title(struct app *a, char *buf, size_t size);

/* --- prompt.c: the line editor on the bottom lines ----------------------- */
enum { COMPLETE_COMMAND = 100, COMPLETE_CUSTOMER };
/* Called with the text on Enter, or NULL when cancelled.  Returns
 * flags.  `data` belongs to the prompt until then; free_data frees it. */
typedef int (*prompt_done_fn)(struct app *a, const char *text, void *data);
struct prompt_spec {
	const char *label;
	const char *initial;
	int complete;        /* an enum arg_kind, COMPLETE_*, or ARG_NONE */
	int history;         /* PH_*, or -1 */
	const char *choices; /* single-key answers (e.g. "sepd"); NULL: a line */
	const char *detail;  /* lines shown above the question (sanitized); NULL */
	const char *mode;    /* shown in the status line, e.g. "filter" */
	prompt_done_fn done;
	prompt_done_fn changed; /* each edit (incremental filter); may be NULL */
	void *data;
	void (*free_data)(void *data);
};
int prompt_open(struct app *a, const struct prompt_spec *s);
/* Completion candidates for a kind and a prefix. */
void complete_candidates(struct app *a, int kind, const char *prefix, struct strlist *out);

/* --- mailer.c: replies on their way to sendmail, never waited for ----- */
/* Starts mailing the stored reply msg_row on ticket; returns flags. */
int mailer_send(struct app *a, int64_t ticket, int64_t msg_row);
/* The same for a reply core_post may have held (send_after): kept, with
 * the change it made and its canned response, until its time; the
 * status line counts down meanwhile. */
int mailer_send_held(struct app *a, int64_t ticket, int64_t msg_row, int64_t change,
		     const char *canned);
/* Whether a reply is held; mailer_unsend takes the latest back (`u`). */
bool mailer_holds(const struct app *a);
int mailer_unsend(struct app *a);
/* Quitting: the held replies go now, waited for; report says so (empty
 * when none).  Returns how many were not sent. */
int mailer_quit_held(struct app *a, char *report, size_t size);
/* Moves every mail in flight on without blocking; records and says the
 * outcome of those that ended.  Returns flags. */
int mailer_poll(struct app *a);
/* Mail in flight or held: the loop then looks at it often. */
bool mailer_busy(const struct app *a);
/* Quitting: stops what is still running; its mail stays queued for
 * `desk outbox --retry`.  Returns how many replies were not sent. */
int mailer_quit(struct app *a);
void mailer_free(struct app *a);

/* --- picker.c: a list to choose from, type to filter ---------------------- */
struct picker_item {
	char *label;   /* untrusted is fine: sanitized when shown */
	char *value;
	char *preview; /* may be NULL */
};
typedef int (*picker_done_fn)(struct app *a, const char *value, void *data);
struct picker_spec {
	const char *title;
	struct picker_item *items; /* taken over by the picker */
	size_t n;
	size_t selected;
	bool preview;
	prompt_done_fn done; /* the chosen value, or NULL when cancelled */
	/* Delete (the `delete` key): the picker closes and this gets the
	 * selected value instead of done; NULL: Delete does nothing. */
	prompt_done_fn remove;
	/* alt_key (a character) while nothing is typed: the picker closes
	 * and alt gets the selected value; NULL: none. */
	int alt_key;
	prompt_done_fn alt;
	void *data;
	void (*free_data)(void *data);
};
int picker_open(struct app *a, struct picker_spec *s);
void picker_add(struct picker_item **items, size_t *n, size_t *cap, const char *label,
		const char *value, const char *preview);

/* --- attach.c: the ticket's attachments (`L`) ----------------------------- */
/* "Attach: PATH" lines at the top of a reply's text (~/ is $HOME): each
 * file read as the agent and checked against the limits, the lines (and
 * a blank line after them) cut from *body.  On failure e names the file
 * and *body is left as it was. */
struct outgoing_file;
int compose_take_files(const struct config *cfg, char **body, struct outgoing_file **files,
		       size_t *n, struct derr *e);

/* --- drafts.c: the agent's drafts ----------------------------------------- */
/* Before the subject of a queue row where the agent has a draft. */
#define DRAFT_MARK "[d] "

/* --- link.c: the database server's connection ----------------------- */
/* Every poll, after store_changed: tells once when the server became
 * unreachable (the screen then shows what was read before) and when it
 * is back.  Returns flags. */
int link_tick(struct app *a);

/* --- presence.c: who else is on which ticket ---------------------------- */
/* Writes this agent's presence when it changed or is due for a refresh,
 * and rereads the others' when the database changed or every few
 * seconds.  Returns flags (panes to redraw when the others changed). */
int presence_tick(struct app *a, bool db_changed);
/* "bob is replying · alice, carol viewing" for a ticket ("" if nobody). */
void presence_text(const struct app *a, int64_t ticket, char *buf, size_t size);
/* A short marker for a queue row ("[bob✎] "), "" if nobody. */
void presence_marker(const struct app *a, int64_t ticket, char *buf, size_t size);
/* Clears this agent's presence (leaving the console). */
void presence_leave(struct app *a);

/* --- fresh.c: what is new to the agent, notifications, :who ---------- */
/* At the start: the agent's baseline, this console's row. */
void fresh_start(struct app *a);
/* Every poll: records the agent's own changes and the ticket shown as
 * seen, refreshes the console's row, reaps hooks; recounts soon when
 * content_moved (another process changed more than presence, see
 * store_content_mark).  Returns flags. */
int fresh_tick(struct app *a, bool db_changed, bool content_moved);
/* When idle: counts what is new and tells of events, when due.  Flags. */
int fresh_idle(struct app *a);
/* Writes desktop notifications waiting for the end of a frame. */
void fresh_flush(struct app *a);
/* The queue's page: which rows are new to the agent (one query, only
 * when the page or the data changed). */
void fresh_page(struct app *a, const struct queue_page *p);
bool fresh_row_new(const struct app *a, int64_t id);
/* Makes room in the queue's columns for the "N" of new rows (format.h
 * struct qcols); returns its column, or -1 when there is no room. */
struct qcols;
int fresh_column(struct qcols *c);
/* "N" at (y, x) when ticket id is new to the agent. */
void fresh_mark(struct app *a, WINDOW *w, int y, int x, int64_t id, attr_t base, bool sel);
/* "3 new · 1 yours" for the status line; "" when nothing is new. */
void fresh_status(const struct app *a, char *buf, size_t size);
void fresh_leave(struct app *a);
void fresh_free(struct app *a);
/* who.c: the :who overlay rereads while open.  Returns flags. */
int who_tick(struct app *a, bool db_changed);
/* One line of :who (sanitized; a new string). */
char *who_line(const struct console_row *r, int64_t now, bool mine);

/* --- timelog.c: time spent on tickets ---------------------------------- */
/* Whether the team tracks time (config time_tracking.enabled). */
bool timelog_on(const struct app *a);
/* A sign of work now (a key, the editor running) with the ticket shown. */
void timelog_touch(struct app *a);
/* The seconds measured on ticket and not recorded yet; 0 when the team
 * does not track time. */
int64_t timelog_measured(struct app *a, int64_t ticket);
/* They were recorded (with a reply or by W): the clock starts again. */
void timelog_recorded(struct app *a, int64_t ticket);

/* --- audit.c ----------------------------------------------------------- */
/* The ticket's audit trail in a scrollable overlay. */
int audit_open(struct app *a, int64_t ticket);

/* --- help.c ------------------------------------------------------------ */
int help_open(struct app *a);

/* --- marks.c: tickets marked for a bulk change -------------------------- */
bool marks_has(const struct app *a, int64_t id);
size_t marks_count(const struct app *a);
void marks_free(struct app *a);
/* With tickets marked: assign, unassign, status, priority, tag-add or
 * tag-remove on all of them (asking for what it needs when arg is NULL),
 * through core_bulk_apply; the summary goes to the status line. */
int marks_action(struct app *a, int action, const char *arg);

/* --- editor.c ---------------------------------------------------------- */
/* Runs $VISUAL / $EDITOR / vi on path with curses suspended; tick (may
 * be NULL) is called about every second while it runs. */
typedef void (*editor_tick_fn)(struct app *a, void *data);
int editor_run(struct app *a, const char *path, editor_tick_fn tick, void *data,
	       struct derr *e);
/* Runs argv (argv[0] looked up in $PATH) with the terminal handed over
 * (curses suspended, desk's group dropped in the child), tick as for
 * editor_run; what names it in errors ("the viewer").  *status is its
 * wait status. */
int terminal_run(struct app *a, char *const argv[], const char *what, editor_tick_fn tick,
		 void *data, int *status, struct derr *e);
/* --- editfile.c: the private file $EDITOR works on ----------------------- */
/* Makes a new private folder and in it a file named after kind ("reply",
 * "customer") holding content, as the agent; *dir and *path are new
 * strings (set as far as they were made, even on failure). */
int editfile_make(const char *kind, const char *content, char **dir, char **path,
		  struct derr *e);
/* Removes the file and its folder; frees and clears both names. */
void editfile_remove(char **dir, char **path);

/* --- compose*.c (compose.h lists which does what) ----------------------- */
/* The ticket being replied to (or noted on), 0 when not composing. */
int64_t compose_ticket(const struct app *a);
/* Keeps unsent work when the console must exit; returns a line for
 * stderr (or NULL). */
char *compose_rescue(struct app *a);
void compose_free(struct compose **c);
/* Starts a reply or note (canned: an entry of a->canned or NULL). */
int compose_start(struct app *a, enum msg_kind kind, const struct canned *canned);
/* Opens the editor on the agent's draft of kind on the ticket shown
 * (a->cur_id), with the canned response it started from, without asking
 * (the drafts list chose it). */
int compose_resume(struct app *a, enum msg_kind kind);
/* Opens the reply editor on the ticket shown with text (a knowledge base
 * article's, or its link) after the agent's reply draft when there is
 * one.  When the reply is sent still holding marker (the article's
 * title, or its link), the use of article slug is recorded with it. */
int compose_insert_article(struct app *a, const char *text, const char *slug,
			   const char *marker);
/* Starts a new ticket's first note for an agreed customer and subject;
 * with outbound, the first mail to the customer instead (an email
 * ticket the agent starts: core_ticket_start with MSG_REPLY). */
int compose_new_ticket(struct app *a, int64_t customer_id, const char *name, const char *email,
		       const char *subject, enum channel ch, bool outbound);

#endif
