/* panes.c: what the console reads for the ticket it shows, each pane's
 * reads sent together (st_run_together): on PostgreSQL a move in the
 * queue was a round trip per read, a dozen, each a wakeup of the server
 * process and of the console on a loaded box. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "mail.h"
#include "util.h"

/* Hands back the statements v[from..n) unread. */
static void leave(struct stmt **v, size_t from, size_t n)
{
	for (size_t i = from; i < n; i++)
		st_done(v[i]);
}

int store_ticket_thread(struct store *st, int64_t ticket_id, int64_t customer_id,
			int64_t agent_id, struct message_list *msgs, struct survey_list *surveys,
			struct name_list *addrs, struct attachment_list *atts, int64_t *seconds,
			unsigned *draft_kinds, struct derr *e)
{
	*seconds = 0;
	*draft_kinds = 0;
	struct stmt *v[6] = {messages_ask(st, ticket_id, e)};
	if (!v[0])
		return derr_code(e);
	v[1] = surveys_ask(st, ticket_id, NULL);
	v[2] = customer_id ? emails_ask(st, customer_id, NULL) : NULL;
	v[3] = ticket_attachments_ask(st, ticket_id, NULL);
	v[4] = time_total_ask(st, ticket_id, NULL);
	v[5] = draft_kinds_ask(st, ticket_id, agent_id, NULL);
	st_run_together(st, v, ARRAY_LEN(v));
	int rc = messages_take(st, v[0], msgs, e);
	if (rc != DESK_OK) {
		leave(v, 1, ARRAY_LEN(v));
		return rc;
	}
	/* The rest is shown when it could be read, and left out if not. */
	if (v[1] && surveys_take(st, v[1], surveys, NULL) != DESK_OK)
		survey_list_free(surveys);
	if (v[2] && emails_take(st, v[2], addrs, NULL) != DESK_OK)
		name_list_free(addrs);
	if (v[3] && attachments_take(st, v[3], atts, NULL) != DESK_OK)
		attachment_list_free(atts);
	if (v[4] && time_total_take(st, v[4], seconds, NULL) != DESK_OK)
		*seconds = 0;
	if (v[5] && draft_kinds_take(st, v[5], draft_kinds, NULL) != DESK_OK)
		*draft_kinds = 0;
	return DESK_OK;
}

int store_customer_card(struct store *st, int64_t customer_id, int limit, struct customer *c,
			struct ticket_list *tickets, struct name_list *addrs, struct derr *e)
{
	struct stmt *v[3] = {customer_ask(st, customer_id, e)};
	if (!v[0])
		return derr_code(e);
	v[1] = customer_tickets_ask(st, customer_id, limit, e);
	if (!v[1]) {
		st_done(v[0]);
		return derr_code(e);
	}
	v[2] = emails_ask(st, customer_id, NULL);
	st_run_together(st, v, ARRAY_LEN(v));
	int rc = customer_take(st, v[0], customer_id, c, e);
	if (rc == DESK_OK)
		rc = customer_tickets_take(st, v[1], tickets, e);
	else
		st_done(v[1]);
	if (v[2] && (rc != DESK_OK || emails_take(st, v[2], addrs, NULL) != DESK_OK)) {
		st_done(v[2]);
		name_list_free(addrs);
	}
	return rc;
}
