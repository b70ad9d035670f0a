/* bulk.c: what import, export and the demo generator need beyond the
 * one-ticket-at-a-time functions: walking every ticket by id, clearing
 * a ticket's children for a re-import, and savepoints, so one bad line
 * of an import can be undone without undoing the lines before it. */
#include <stdlib.h>

#include "internal.h"
#include "util.h"

int store_ticket_next_id(struct store *st, int64_t after, int64_t *id, struct derr *e)
{
	*id = 0;
	struct stmt *s =
		st_prep(st, "SELECT id FROM tickets WHERE id > ?1 ORDER BY id LIMIT 1", e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, after);
	int rc = st_step(s);
	if (rc == ST_ROW)
		*id = col_int(s, 0);
	st_done(s);
	return rc == ST_ROW || rc == ST_DONE ? DESK_OK
						     : st_fail(st, e, "listing tickets");
}

int store_ticket_clear(struct store *st, int64_t id, struct derr *e)
{
	static const char *const sql[] = {
		"DELETE FROM ticket_tags WHERE ticket_id = ?1",
		/* before the messages its entries may name */
		"DELETE FROM time_entries WHERE ticket_id = ?1",
		"DELETE FROM messages WHERE ticket_id = ?1",
		"DELETE FROM surveys WHERE ticket_id = ?1",
	};
	for (size_t i = 0; i < ARRAY_LEN(sql); i++) {
		struct stmt *s = st_prep(st, sql[i], e);
		if (!s)
			return derr_code(e);
		bind_int(s, 1, id);
		int rc = st_exec_stmt(st, s, e, "replacing a ticket's history");
		if (rc)
			return rc;
	}
	return DESK_OK;
}

int store_ticket_set_merged_into(struct store *st, int64_t id, int64_t into, struct derr *e)
{
	struct stmt *s = st_prep(st, "UPDATE tickets SET merged_into = ?2 WHERE id = ?1", e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, id);
	bind_id(s, 2, into);
	return st_exec_stmt(st, s, e, "linking a merged ticket");
}

int store_message_id_owner(struct store *st, const char *message_id, int64_t *ticket_id,
			   struct derr *e)
{
	*ticket_id = 0;
	struct stmt *s =
		st_prep(st, "SELECT ticket_id FROM messages WHERE message_id = ?1", e);
	if (!s)
		return derr_code(e);
	bind_text(s, 1, message_id);
	int rc = st_step(s);
	if (rc == ST_ROW)
		*ticket_id = col_int(s, 0);
	st_done(s);
	return rc == ST_ROW || rc == ST_DONE ? DESK_OK
						     : st_fail(st, e, "finding a message");
}

/* One fixed name: savepoints here do not nest, and a name cannot be a
 * bound parameter anyway. */
int store_savepoint(struct store *st, struct derr *e)
{
	if (!st->in_txn)
		return derr_set(e, DESK_EINVAL, "internal error: savepoint outside a transaction");
	struct stmt *s = st_prep(st, "SAVEPOINT desk_bulk", e);
	return s ? st_exec_stmt(st, s, e, "marking a savepoint") : derr_code(e);
}

int store_release(struct store *st, struct derr *e)
{
	struct stmt *s = st_prep(st, "RELEASE desk_bulk", e);
	return s ? st_exec_stmt(st, s, e, "releasing a savepoint") : derr_code(e);
}

/* ROLLBACK TO keeps the savepoint open; RELEASE then pops it, leaving
 * the enclosing transaction as it was before store_savepoint. */
void store_rollback_to(struct store *st)
{
	struct stmt *s = st_prep(st, "ROLLBACK TO desk_bulk", NULL);
	if (s)
		st_exec_stmt(st, s, NULL, "undoing to a savepoint");
	s = st_prep(st, "RELEASE desk_bulk", NULL);
	if (s)
		st_exec_stmt(st, s, NULL, "releasing a savepoint");
}
