/* sla_store.c: the facts of a conversation that the SLA clocks start
 * from: the first customer message as the ticket keeps it (schema 6,
 * the report's fact too), the message awaiting an answer read through
 * messages_ticket (ticket_id, created_at, id). */
#include "internal.h"
#include "metrics.h"

int store_sla_facts(struct store *st, int64_t ticket_id, struct sla_facts *f, struct derr *e)
{
	/* Messages are ordered by (created_at, id), as the thread shows
	 * them; automatic mail (auto-replies, bounces) awaits no answer. */
	struct stmt *s = st_prep(
		st,
		"SELECT (SELECT t.first_customer_at FROM tickets t WHERE t.id = ?1),"
		" (SELECT m.created_at FROM messages m WHERE m.ticket_id = ?1"
		"   AND m.kind = 'customer' AND m.auto = 0"
		"   AND (m.created_at, m.id) > (SELECT r.created_at, r.id FROM messages r"
		"     WHERE r.ticket_id = ?1 AND r.kind = 'reply' AND r.auto = 0"
		"     ORDER BY r.created_at DESC, r.id DESC LIMIT 1)"
		"   ORDER BY m.created_at, m.id LIMIT 1)",
		e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, ticket_id);
	int rc = st_step(s);
	if (rc == ST_ROW) {
		f->first_customer_at = col_int(s, 0);
		f->awaiting_since = col_int(s, 1);
	}
	st_done(s);
	return rc == ST_ROW ? DESK_OK : st_fail(st, e, "reading a ticket's SLA clocks");
}
