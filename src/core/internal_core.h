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
/* Finds a customer by email, or adds one; inside a transaction. */
int core_find_or_add_customer(struct desk *d, const char *name, const char *email,
			      const char *phone, int64_t *id, struct derr *e);
/* Inside a transaction: records tl (checked) on ticket id, tied to
 * message msg_id (0: none), with its "time" event. */
int core_time_log_locked(struct desk *d, int64_t id, const struct time_log *tl, int64_t msg_id,
			 struct derr *e);

#endif
