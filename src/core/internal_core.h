/* internal_core.h: what core's files share inside one transaction. */
#ifndef DESK_INTERNAL_CORE_H
#define DESK_INTERNAL_CORE_H

#include "core.h"

/* Writes an audit event by the acting agent. */
int core_event(struct desk *d, int64_t ticket_id, const char *action, const char *field,
	       const char *old_value, const char *new_value, struct derr *e);
/* BEGIN IMMEDIATE for an action of the agent: its events make one new
 * change (unless d->change_hold). */
int core_begin(struct desk *d, struct derr *e);
/* After the transaction core_begin opened ended (committed when ok). */
void core_end(struct desk *d, bool ok);
/* Reads a ticket that may be changed (not merged away). */
int core_load_for_change(struct desk *d, int64_t id, struct ticket *t, struct derr *e);
/* Applies one change to t (tags go to the store at once). */
int core_change(struct desk *d, struct ticket *t, const struct field_change *c,
		struct derr *e);
int core_check_status(struct desk *d, const struct ticket *t, enum status to, struct derr *e);
int core_change_status(struct desk *d, struct ticket *t, enum status to, struct derr *e);
/* Stamps updated_at, recomputes next_due and writes t. */
int core_save(struct desk *d, struct ticket *t, struct derr *e);
/* A change of one ticket: BEGIN IMMEDIATE, then the ticket read (not a
 * merged one).  On failure nothing is left open. */
int core_ticket_begin(struct desk *d, int64_t id, struct ticket *t, struct derr *e);
/* Ends it: when rc is DESK_OK saves t (if save) and commits, else rolls
 * back; frees t either way.  Returns the final result. */
int core_ticket_finish(struct desk *d, struct ticket *t, int rc, bool save, struct derr *e);

/* CRLF to LF, trailing blank lines dropped; a new string. */
char *core_normalize_body(const char *body);
/* Inside a transaction: stores the customer's message on t and reopens
 * t if it was waiting or solved (t is saved by the caller). */
int core_customer_message_locked(struct desk *d, struct ticket *t, const char *body,
				 int64_t at, const char *message_id, struct derr *e);
/* Inside a transaction: the agent's reply or note m (ticket, kind,
 * author, body and time set by the caller; the body is normalized
 * here) stored on t.  A reply that leaves by mail (outbound_wanted)
 * gets a new Message-ID, "queued", the hold of undo send and the copies
 * cc and bcc (joined and checked); copies on anything else are
 * DESK_EINVAL.  Sets m->id; the other strings of m stay the caller's. */
int core_agent_message_locked(struct desk *d, const struct ticket *t, struct message *m,
			      const char *cc, const char *bcc, struct derr *e);
/* Finds a customer by email, or adds one; inside a transaction. */
int core_find_or_add_customer(struct desk *d, const char *name, const char *email,
			      const char *phone, int64_t *id, struct derr *e);
/* Surveys (survey.c): the ticket that lives on after id's merges
 * (*live) and the last one merged into it on the way (*via, 0: none);
 * ending a change begun with core_begin (commit, or roll back). */
int core_survey_live_ticket(struct desk *d, int64_t id, int64_t *live, int64_t *via,
			    struct derr *e);
int core_survey_finish(struct desk *d, int rc, struct derr *e);
/* Inside ingest's transaction, the mail already kept on ticket live
 * (via: see core_survey_live_ticket): records the score and words of
 * `text` as the answer to sr, or replaces an earlier answer to it (the
 * customer's latest word counts); automatic mail and a reply without a
 * usable score record none (an event says why).  said: what was done. */
int core_survey_answer_locked(struct desk *d, const struct survey_request *sr,
			      const char *text, bool automatic, int64_t live, int64_t via,
			      char *said, size_t size, struct derr *e);
/* Keeps size bytes in dir (mail.attachments_dir) under their SHA-256
 * (attach_dir.c): *path a new string naming the file.  Called before
 * the transaction that records it; the same content is kept once. */
int attachment_dir_save(const char *dir, const unsigned char *data, size_t size, char **path,
			struct derr *e);
/* Inside a transaction: records tl (checked) on ticket id, tied to
 * message msg_id (0: none), with its "time" event. */
int core_time_log_locked(struct desk *d, int64_t id, const struct time_log *tl, int64_t msg_id,
			 struct derr *e);

#endif
