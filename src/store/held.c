/* held.c: replies the console holds before sendmail gets them (undo
 * send): taking one back before anyone sends it, and letting one go. */
#include "internal.h"
#include "mail.h"
#include "util.h"

int store_mail_unsend(struct store *st, int64_t msg_row, int64_t agent_id, bool *taken,
		      struct derr *e)
{
	*taken = false;
	/* The same row store_mail_claim updates: inside a write transaction
	 * either the claim came first (no row here: it is leaving) or this
	 * delete did (the claim finds nothing to send). */
	struct stmt *s = st_prep(st,
				  "DELETE FROM messages WHERE id = ?1 AND author_id = ?2"
				  " AND kind = 'reply' AND delivery = 'queued'"
				  " AND (sending_until IS NULL OR sending_until < ?3)",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, msg_row);
	bind_int(s, 2, agent_id);
	bind_int(s, 3, time_now());
	int rc = st_exec_stmt(st, s, e, "taking a reply back");
	if (rc == DESK_OK)
		*taken = st_changes(st) == 1;
	return rc;
}

int store_mail_release(struct store *st, int64_t msg_row, struct derr *e)
{
	struct stmt *s = st_prep(st,
				  "UPDATE messages SET send_after = NULL WHERE id = ?1"
				  " AND delivery = 'queued'",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, msg_row);
	return st_exec_stmt(st, s, e, "letting a held reply go");
}
