/* compose.h: what the compose files share (compose*.c), private to
 * them.  One reply, note or new ticket being written is a struct compose
 * (a->compose); its lifecycle is in compose.c, and the other files each
 * do one part of it, so they need its fields and each other's steps:
 *   compose.c            the lifecycle: the file, drafts, send, edit, rescue
 *   compose_start.c      starting a reply or note (drafts offered, claim)
 *   compose_new_ticket.c a new ticket from the compose file
 *   compose_ask.c        the question after the editor, and its answers
 *   compose_collision.c  messages that arrived while the agent wrote
 *   compose_frame.c      the text around the agent's: copies above, marker below
 *   compose_actions.c    the actions r, n and the canned response picker
 * The editor itself is editor.c (ui.h: editor_run). */
#ifndef DESK_TUI_COMPOSE_H
#define DESK_TUI_COMPOSE_H

#include <stdbool.h>
#include <stdint.h>

#include "ui.h"

#define MAX_CHANGES CANNED_MAX_CHANGES
/* Said below the marker of a mailed reply. */
#define COPIES_HELP                                                                  \
	"Copies: begin the text with lines like \"Cc: name@example.com\" and \"Bcc: "   \
	"name@example.com\",\nthen an empty line; desk takes them off and checks every " \
	"address.\n"

enum purpose { P_POST, P_NEW };

struct compose {
	enum purpose purpose;
	enum msg_kind kind;
	int64_t ticket;
	char *dir, *path;
	const struct canned *canned;
	int finish;       /* the status the reply also sets (S, W), or -1 */
	int64_t seen_msg; /* the latest message when composing began */
	char *body;  /* what was read back from the file */
	char *saved; /* the text last saved as a draft (or resumed) */
	char *signature; /* a reply's (core_signature_for_replies), or NULL */
	/* The time spent offered with it (timelog.c): measured until the
	 * agent edits it (t); 0: none recorded. */
	int64_t time_seconds;
	bool time_edited, time_measured;
	/* A knowledge base article put in (B): its slug, and what shows it
	 * is still in the text when sent (its title, or its link). */
	char *kb_slug, *kb_marker;
	bool keep_file;
	/* a new ticket */
	int64_t customer_id;
	char *name, *email, *subject;
	enum channel channel;
	bool outbound; /* its first message is the agent's mail (kind MSG_REPLY) */
};


/* --- compose.c ----------------------------------------------------------- */
int compose_write_file(struct compose *c, const char *content, struct derr *e);
bool compose_blank(const char *s);
const char *compose_what(const struct compose *c);
void compose_drop_draft(struct app *a, struct compose *c);
int compose_postpone(struct app *a);
int compose_send(struct app *a);
int compose_edit(struct app *a);

/* --- compose_ask.c ------------------------------------------------------- */
/* why: said first in the question (a bad copy, an empty mail), or NULL. */
int compose_ask_what_now(struct app *a, const char *why);

/* --- compose_collision.c ------------------------------------------------- */
char *compose_collision(struct app *a, struct compose *c, int *count);
int compose_ask_collision(struct app *a, const char *detail, int count);

/* --- compose_frame.c ----------------------------------------------------- */
int compose_copies_of(const struct compose *c, char **cc, char **bcc, char **text,
		      struct derr *e);
char *compose_below_marker(struct app *a, const struct compose *c, const struct ticket *t,
			   const struct customer *cu);

/* --- compose_start.c ----------------------------------------------------- */
void compose_sign(struct app *a, struct compose *c, char **body, bool add);

/* --- compose_new_ticket.c ------------------------------------------------ */
int compose_create_ticket(struct app *a);

#endif
