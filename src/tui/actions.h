/* actions.h: every action of the console, defined once.
 *
 * One line per action gives its id, its name (used in the keys file, at
 * the `:` prompt and in the man page), its flags, the argument it takes
 * from the `:` prompt, its handler, its default keys and its help line.
 * `?` help, the command prompt's completion, `desk keys` and the
 * built-in keymap all read this one list, so they cannot drift apart.
 *
 * Default keys are written as in the keys file: names separated by
 * spaces, each bound in the global context (the prompt context for
 * F_PROMPT actions) unless prefixed with "CONTEXT:". */
#ifndef DESK_TUI_ACTIONS_H
#define DESK_TUI_ACTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct app;

enum {
	F_TICKET = 1 << 0, /* needs a selected ticket */
	F_PANE = 1 << 1,   /* handled by the focused pane (movement) */
	F_PROMPT = 1 << 2, /* a line-editor action: prompt context only */
	F_BULK = 1 << 3,   /* with tickets marked, acts on them (marks_action) */
};

/* What an action takes after its name at the `:` prompt (and completes). */
enum arg_kind {
	ARG_NONE,
	ARG_TEXT,
	ARG_TICKET,
	ARG_VIEW,
	ARG_SORT,
	ARG_STATUS,
	ARG_PRIORITY,
	ARG_AGENT,
	ARG_TAG,
	ARG_TICKET_TAG, /* one of the ticket's tags */
	ARG_CANNED,
	ARG_QUEUE,
};

/* X(ID, name, flags, arg, handler, default keys, help) */
#define DESK_ACTIONS(X)                                                                   \
	X(DOWN, "down", F_PANE, ARG_NONE, act_pane, "j Down", "move down one line")       \
	X(UP, "up", F_PANE, ARG_NONE, act_pane, "k Up", "move up one line")               \
	X(PAGE_DOWN, "page-down", F_PANE, ARG_NONE, act_pane, "PgDn C-f Space",           \
	  "move down one screen")                                                         \
	X(PAGE_UP, "page-up", F_PANE, ARG_NONE, act_pane, "PgUp C-b", "move up one screen") \
	X(HALF_DOWN, "half-down", F_PANE, ARG_NONE, act_pane, "C-d", "move down half a screen") \
	X(HALF_UP, "half-up", F_PANE, ARG_NONE, act_pane, "C-u", "move up half a screen") \
	X(TOP, "top", F_PANE, ARG_NONE, act_pane, "g Home", "go to the first line")       \
	X(BOTTOM, "bottom", F_PANE, ARG_NONE, act_pane, "G End",                          \
	  "go to the last line (the latest message)")                                     \
	X(OPEN, "open", 0, ARG_TICKET, act_open, "Enter",                                 \
	  "open the selected ticket (`:open ID` opens any ticket)")                        \
	X(FOCUS_NEXT, "focus-next", 0, ARG_NONE, act_focus_next, "Tab",                   \
	  "next pane: queue, conversation, history")                                      \
	X(FOCUS_PREV, "focus-prev", 0, ARG_NONE, act_focus_prev, "BTab", "previous pane") \
	X(HISTORY, "history", 0, ARG_NONE, act_history, "h",                              \
	  "the customer's profile and other tickets")                                     \
	X(BACK, "back", 0, ARG_NONE, act_back, "q Esc",                                   \
	  "close the pane, search or filter; back to the queue")                          \
	X(NEXT_TICKET, "next-ticket", 0, ARG_NONE, act_next_ticket, "J ]",                \
	  "open the next ticket of the queue (after a view change: its first)")           \
	X(PREV_TICKET, "prev-ticket", 0, ARG_NONE, act_prev_ticket, "K [",                \
	  "open the previous ticket of the queue")                                        \
	X(VIEW, "view", 0, ARG_VIEW, act_view, "v", "switch to another view of the queue") \
	X(FILTER, "filter", 0, ARG_TEXT, act_filter, "f |",                               \
	  "narrow the view as you type (words or terms like tag:vip)")                    \
	X(SEARCH, "search", 0, ARG_TEXT, act_search, "/",                                 \
	  "full-text search of subjects and messages")                                    \
	X(SEARCH_NEXT, "search-next", 0, ARG_NONE, act_search_next, "n",                  \
	  "open the next search result")                                                  \
	X(SEARCH_PREV, "search-prev", 0, ARG_NONE, act_search_prev, "N",                  \
	  "open the previous search result")                                              \
	X(SORT, "sort", 0, ARG_SORT, act_sort, "o",                                       \
	  "sort by urgency, priority, created, updated or id")                            \
	X(REVERSE, "reverse", 0, ARG_NONE, act_reverse, "O", "reverse the sort order")    \
	X(CUSTOMER_TICKETS, "customer-tickets", F_TICKET, ARG_NONE, act_customer_tickets, \
	  "H", "show all tickets of this ticket's customer in the queue")                 \
	X(CUSTOMER_EDIT, "customer-edit", F_TICKET, ARG_NONE, act_customer_edit, "history:e", \
	  "edit the customer's name, addresses, phone, organization, tier and notes")     \
	X(AUDIT, "audit", F_TICKET, ARG_NONE, act_audit, "A",                             \
	  "the ticket's audit trail: who changed what, when, old and new")                \
	X(ATTACHMENTS, "attachments", F_TICKET, ARG_NONE, act_attachments, "L",           \
	  "the ticket's attachments: Enter opens one (mailcap), s saves it")              \
	X(REPLY, "reply", F_TICKET, ARG_NONE, act_reply, "r",                             \
	  "reply to the customer in $EDITOR")                                             \
	X(CANNED_REPLY, "canned-reply", F_TICKET, ARG_CANNED, act_canned_reply, "R",      \
	  "reply starting from a canned response")                                        \
	X(NOTE, "note", F_TICKET, ARG_NONE, act_note, "i",                                \
	  "add an internal note (agents only)")                                           \
	X(CANNED_NOTE, "canned-note", F_TICKET, ARG_CANNED, act_canned_note, "I",         \
	  "add an internal note from a canned response")                                  \
	X(KB, "kb", 0, ARG_TEXT, act_kb, "B",                                              \
	  "the knowledge base: search articles; Enter inserts one in a reply, Tab its link") \
	X(DRAFTS, "drafts", 0, ARG_NONE, act_drafts, "d",                                 \
	  "your unsent drafts on every ticket: Enter resumes, Delete deletes")            \
	X(CLAIM, "claim", F_TICKET, ARG_NONE, act_claim, "c", "take the ticket")          \
	X(ASSIGN, "assign", F_TICKET | F_BULK, ARG_AGENT, act_assign, "a",                \
	  "assign the ticket to an agent")                                                \
	X(UNASSIGN, "unassign", F_TICKET | F_BULK, ARG_NONE, act_unassign, "U",           \
	  "give the ticket back to the queue")                                            \
	X(STATUS, "status", F_TICKET | F_BULK, ARG_STATUS, act_status, "s", "set the status") \
	X(PRIORITY, "priority", F_TICKET | F_BULK, ARG_PRIORITY, act_priority, "p",       \
	  "set the priority")                                                             \
	X(TAG_ADD, "tag-add", F_TICKET | F_BULK, ARG_TAG, act_tag_add, "t", "add tags")   \
	X(TAG_REMOVE, "tag-remove", F_TICKET | F_BULK, ARG_TICKET_TAG, act_tag_remove, "T", \
	  "remove tags")                                                                  \
	X(QUEUE, "queue", F_TICKET, ARG_QUEUE, act_queue, "M",                            \
	  "move the ticket to another queue")                                             \
	X(MERGE, "merge", F_TICKET, ARG_TICKET, act_merge, "m",                           \
	  "merge the ticket into another one")                                            \
	X(FORWARD, "forward", F_TICKET, ARG_TEXT, act_forward, "",                        \
	  "mail the thread to an address (`:forward ADDR`); the answer comes back as a note") \
	X(SURVEY, "survey", F_TICKET, ARG_TEXT, act_survey, "V",                            \
	  "record the customer's survey answer given by phone or in person (`:survey csat 5 words`)") \
	X(LOG_TIME, "log-time", F_TICKET, ARG_TEXT, act_log_time, "W",                    \
	  "log time spent on the ticket (`:log-time 15m NOTE`); offers the time measured") \
	X(UNDO, "undo", 0, ARG_NONE, act_undo, "u",                                       \
	  "take back a reply still held, else undo your last change (not a redo)")       \
	X(MARK, "mark", 0, ARG_TICKET, act_mark, "x",                                     \
	  "mark or unmark the ticket; a, U, s, p, t, T then change every marked one")     \
	X(UNMARK_ALL, "unmark-all", 0, ARG_NONE, act_unmark_all, "X", "clear every mark")  \
	X(DASHBOARD, "dashboard", 0, ARG_NONE, act_dashboard, "D",                        \
	  "supervisors' dashboard: backlog, age, load per agent, SLA risk, trends")       \
	X(PERIOD, "period", 0, ARG_TEXT, act_period, "P",                                 \
	  "the dashboard's period: 7, 14, 30 or 90 days (`:period 30`)")                  \
	X(NEW_TICKET, "new-ticket", 0, ARG_NONE, act_new_ticket, "C",                     \
	  "new ticket: log a call or walk-in, or mail a customer")                        \
	X(REFRESH, "refresh", 0, ARG_NONE, act_refresh, "C-r F5", "reload from the database") \
	X(REDRAW, "redraw", 0, ARG_NONE, act_redraw, "C-l", "repaint the screen")         \
	X(MOUSE, "mouse", 0, ARG_NONE, act_mouse, "",                                     \
	  "turn the mouse on or off (click selects, wheel scrolls)")                      \
	X(WHO, "who", 0, ARG_NONE, act_who, "",                                           \
	  "who has a console open: on which ticket or view, since when")                  \
	X(DISMISS, "dismiss", 0, ARG_NONE, act_dismiss, "",                               \
	  "hide the notice naming the file that keeps unsent text (the file stays)")    \
	X(HELP, "help", 0, ARG_NONE, act_help, "? F1", "this help")                       \
	X(COMMAND, "command", 0, ARG_NONE, act_command, ":",                              \
	  "run an action by name, e.g. `:status solved`")                                 \
	X(QUIT, "quit", 0, ARG_NONE, act_quit, "Q", "leave desk")                         \
	X(ACCEPT, "accept", F_PROMPT, ARG_NONE, act_pane, "Enter C-j", "accept the input") \
	X(CANCEL, "cancel", F_PROMPT, ARG_NONE, act_pane, "Esc C-g", "cancel")            \
	X(COMPLETE, "complete", F_PROMPT, ARG_NONE, act_pane, "Tab", "complete the word") \
	X(HISTORY_PREV, "history-prev", F_PROMPT, ARG_NONE, act_pane, "Up C-p",           \
	  "earlier input; in a list, the item above")                                     \
	X(HISTORY_NEXT, "history-next", F_PROMPT, ARG_NONE, act_pane, "Down C-n",         \
	  "later input; in a list, the item below")                                       \
	X(LEFT, "left", F_PROMPT, ARG_NONE, act_pane, "Left C-b", "cursor left")          \
	X(RIGHT, "right", F_PROMPT, ARG_NONE, act_pane, "Right C-f", "cursor right")      \
	X(HOME, "home", F_PROMPT, ARG_NONE, act_pane, "Home C-a", "cursor to the start")  \
	X(END, "end", F_PROMPT, ARG_NONE, act_pane, "End C-e", "cursor to the end")       \
	X(BACKSPACE, "backspace", F_PROMPT, ARG_NONE, act_pane, "Backspace C-h",          \
	  "delete the character before the cursor")                                       \
	X(DELETE, "delete", F_PROMPT, ARG_NONE, act_pane, "Delete C-d",                   \
	  "delete the character under the cursor")                                        \
	X(KILL_START, "kill-start", F_PROMPT, ARG_NONE, act_pane, "C-u",                  \
	  "delete to the start of the line")                                              \
	X(KILL_END, "kill-end", F_PROMPT, ARG_NONE, act_pane, "C-k",                      \
	  "delete to the end of the line")                                                \
	X(KILL_WORD, "kill-word", F_PROMPT, ARG_NONE, act_pane, "C-w",                    \
	  "delete the word before the cursor")

enum action_id {
#define X(id, name, flags, arg, fn, keys, help) ACT_##id,
	DESK_ACTIONS(X)
#undef X
	ACT__COUNT
};

/* Handler: runs the action on the app; `arg` is what followed its name
 * at the `:` prompt, or NULL from a key (then it asks for what it
 * needs).  Returns redraw flags (ui.h); never draws. */
typedef int (*action_fn)(struct app *a, const char *arg);

struct action {
	const char *name;
	int flags;
	enum arg_kind arg;
	action_fn fn;
	const char *keys;
	const char *help;
};

extern const struct action actions[ACT__COUNT];

struct config;
struct canned_list;

/* The action's id, or -1. */
int action_find(const char *name);

/* An action line, "status solved" (actionline.c): the `:` prompt and the
 * keys file read it the same way. */
enum { AL_OK, AL_EMPTY, AL_UNKNOWN, AL_PROMPT, AL_NO_ARG };
/* Splits text into an action (*id) and its argument (*arg, owned; NULL
 * when none).  AL_UNKNOWN: no such action (*near: a close name or
 * NULL); AL_PROMPT: a line-editor action; AL_NO_ARG: an argument to an
 * action that takes none. */
int action_line_parse(const char *text, int *id, char **arg, const char **near);
/* Whether arg suits action id as far as can be told without the
 * database: status, priority, sort and view names, canned response
 * names (when canned is given), the team's queues (when cfg is given),
 * ticket numbers and tag names.  False with why set. */
bool action_arg_check(int id, const char *arg, const struct config *cfg,
		      const struct canned_list *canned, char *why, size_t size);
/* The closest known action name to a misspelt one, or NULL. */
const char *action_suggest(const char *name);

#define X(id, name, flags, arg, fn, keys, help) int fn(struct app *a, const char *arg_);
DESK_ACTIONS(X)
#undef X

#endif
