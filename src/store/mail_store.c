/* mail_store.c: what the mail channel keeps: attachments, the delivery
 * state of outbound mail, Message-ID lookups for threading, and when a
 * customer was last acknowledged. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "mail.h"
#include "util.h"

void attachment_free(struct attachment *a)
{
	if (!a)
		return;
	free(a->filename);
	free(a->content_type);
	free(a->path);
	memset(a, 0, sizeof *a);
}

void attachment_list_free(struct attachment_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		attachment_free(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof *l);
}

int store_attachment_insert(struct store *st, struct attachment *a, const void *content,
			    struct derr *e)
{
	struct stmt *s = st_prep_insert(st,
				  "INSERT INTO attachments (message_id, filename, content_type,"
				  " size, content, path) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, a->message_id);
	bind_text(s, 2, a->filename);
	bind_text(s, 3, a->content_type);
	bind_int(s, 4, a->size);
	if (a->path)
		bind_null(s, 5);
	else /* a zero-length blob, not NULL, for an empty file */
		bind_blob(s, 5, content ? content : "", (size_t)a->size);
	bind_text(s, 6, a->path);
	return st_insert(st, s, &a->id, e, "storing an attachment");
}

int attachments_take(struct store *st, struct stmt *s, struct attachment_list *out,
		     struct derr *e)
{
	int rc;
	while ((rc = st_step(s)) == ST_ROW) {
		xgrow((void **)&out->v, &out->cap, out->n + 1, sizeof *out->v);
		struct attachment *a = &out->v[out->n++];
		a->id = col_int(s, 0);
		a->message_id = col_int(s, 1);
		a->filename = col_text(s, 2);
		a->content_type = col_text(s, 3);
		a->size = col_int(s, 4);
		a->path = col_text(s, 5);
	}
	st_done(s);
	return rc == ST_DONE ? DESK_OK : st_fail(st, e, "reading attachments");
}

int store_attachments(struct store *st, int64_t message_id, struct attachment_list *out,
		      struct derr *e)
{
	struct stmt *s = st_prep(st,
				  "SELECT id, message_id, filename, content_type, size, path"
				  " FROM attachments WHERE message_id = ?1 ORDER BY id",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, message_id);
	return attachments_take(st, s, out, e);
}

struct stmt *ticket_attachments_ask(struct store *st, int64_t ticket_id, struct derr *e)
{
	struct stmt *s = st_prep(st,
				  "SELECT a.id, a.message_id, a.filename, a.content_type, a.size,"
				  " a.path FROM messages m JOIN attachments a ON a.message_id = m.id"
				  " WHERE m.ticket_id = ?1 ORDER BY m.created_at, m.id, a.id",
				  e);
	if (s)
		bind_int(s, 1, ticket_id);
	return s;
}

int store_ticket_attachments(struct store *st, int64_t ticket_id, struct attachment_list *out,
			     struct derr *e)
{
	struct stmt *s = ticket_attachments_ask(st, ticket_id, e);
	return s ? attachments_take(st, s, out, e) : derr_code(e);
}

int store_attachment_content(struct store *st, int64_t attachment_id, void **data, size_t *len,
			     struct derr *e)
{
	*data = NULL;
	*len = 0;
	struct stmt *s = st_prep(st, "SELECT content FROM attachments WHERE id = ?1", e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, attachment_id);
	int rc = st_step(s);
	if (rc == ST_ROW && !col_is_null(s, 0)) {
		const void *b = col_blob(s, 0, len);
		*data = xmalloc(*len ? *len : 1);
		if (*len)
			memcpy(*data, b, *len);
	}
	st_done(s);
	if (rc == ST_DONE)
		return derr_set(e, DESK_ENOTFOUND, "no attachment %lld", (long long)attachment_id);
	return rc == ST_ROW ? DESK_OK : st_fail(st, e, "reading an attachment");
}

static int one_message(struct store *st, struct stmt *s, struct message *out,
		       const char *what, struct derr *e)
{
	int rc = st_step(s);
	if (rc == ST_ROW)
		read_message(s, out);
	st_done(s);
	if (rc == ST_DONE)
		return derr_set(e, DESK_ENOTFOUND, "%s", what);
	return rc == ST_ROW ? DESK_OK : st_fail(st, e, "reading a message");
}

int store_mail_message_get(struct store *st, int64_t id, struct message *out, struct derr *e)
{
	struct stmt *s = st_prep(st,
				  "SELECT " MESSAGE_COLS MESSAGE_FROM " WHERE m.id = ?1",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, id);
	char what[64];
	snprintf(what, sizeof what, "no message %lld", (long long)id);
	return one_message(st, s, out, what, e);
}

int store_mail_last_customer(struct store *st, int64_t ticket_id, struct message *out,
			     struct derr *e)
{
	struct stmt *s = st_prep(st,
				  "SELECT " MESSAGE_COLS MESSAGE_FROM
				  " WHERE m.ticket_id = ?1 AND m.kind = 'customer' AND m.auto = 0"
				  " AND m.message_id IS NOT NULL"
				  " ORDER BY m.created_at DESC, m.id DESC LIMIT 1",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, ticket_id);
	char what[80];
	snprintf(what, sizeof what, "ticket %lld has no mail from the customer",
		 (long long)ticket_id);
	return one_message(st, s, out, what, e);
}

int store_mail_find_message_id(struct store *st, const char *mid, int64_t *msg_row,
			       int64_t *ticket_id, struct derr *e)
{
	*msg_row = *ticket_id = 0;
	/* Imports may have kept the brackets; desk stores ids without. */
	size_t n = strlen(mid);
	char *bare = mid[0] == '<' && n > 1 && mid[n - 1] == '>' ? xstrndup(mid + 1, n - 2)
								    : xstrdup(mid);
	char *bracketed = xasprintf("<%s>", bare);
	struct stmt *s = st_prep(st,
				  "SELECT id, ticket_id FROM messages WHERE message_id IN (?1, ?2)"
				  " ORDER BY id LIMIT 1",
				  e);
	int rc = s ? DESK_OK : derr_code(e);
	if (s) {
		bind_text(s, 1, bare);
		bind_text(s, 2, bracketed);
		int step = st_step(s);
		if (step == ST_ROW) {
			*msg_row = col_int(s, 0);
			*ticket_id = col_int(s, 1);
		}
		st_done(s);
		if (step != ST_ROW && step != ST_DONE)
			rc = st_fail(st, e, "looking up a Message-ID");
	}
	free(bare);
	free(bracketed);
	return rc;
}

int store_mail_thread_ids(struct store *st, int64_t ticket_id, char ***ids, size_t *n,
			  struct derr *e)
{
	*ids = NULL;
	*n = 0;
	struct stmt *s = st_prep(st,
				  "SELECT message_id FROM messages WHERE ticket_id = ?1"
				  " AND message_id IS NOT NULL ORDER BY created_at, id",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, ticket_id);
	size_t cap = 0;
	int rc;
	while ((rc = st_step(s)) == ST_ROW) {
		xgrow((void **)ids, &cap, *n + 2, sizeof **ids);
		(*ids)[(*n)++] = col_text(s, 0);
		(*ids)[*n] = NULL;
	}
	st_done(s);
	return rc == ST_DONE ? DESK_OK : st_fail(st, e, "reading a thread's Message-IDs");
}

int store_mail_mark_inbound(struct store *st, int64_t msg_row, bool automatic,
			    const char *mail_from, struct derr *e)
{
	/* The address alone when auto is already right (ingest's every
	 * customer reply: stored with auto 0): an UPDATE naming auto runs
	 * messages_facts_moved, which works out the ticket's report facts
	 * again from all its messages for nothing (on PostgreSQL, ~5 ms of
	 * a new session's first run of it, an ingest's every time). */
	struct stmt *s = st_prep(
		st, "UPDATE messages SET mail_from = ?3 WHERE id = ?1 AND auto = ?2", e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, msg_row);
	bind_int(s, 2, automatic);
	bind_text(s, 3, mail_from);
	int rc = st_exec_stmt(st, s, e, "marking a message as mail");
	if (rc || st_changes(st) > 0)
		return rc;
	if (!(s = st_prep(st, "UPDATE messages SET auto = ?2, mail_from = ?3 WHERE id = ?1", e)))
		return derr_code(e);
	bind_int(s, 1, msg_row);
	bind_int(s, 2, automatic);
	bind_text(s, 3, mail_from);
	return st_exec_stmt(st, s, e, "marking a message as mail");
}

int store_mail_set_delivery(struct store *st, int64_t msg_row, const char *delivery,
			    const char *error, struct derr *e)
{
	struct stmt *s = st_prep(st,
				  "UPDATE messages SET delivery = ?2, delivery_error = ?3,"
				  " sending_until = NULL WHERE id = ?1",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, msg_row);
	bind_text(s, 2, delivery);
	bind_text(s, 3, error);
	return st_exec_stmt(st, s, e, "recording a delivery");
}

int store_mail_take_for_retry(struct store *st, int64_t msg_row, int64_t stale_before,
			      bool *taken, struct derr *e)
{
	*taken = false;
	/* Never a message another desk is sending now (its lease runs);
	 * the sending itself is claimed by store_mail_claim. */
	struct stmt *s = st_prep(st,
				  "UPDATE messages SET delivery = 'queued', delivery_error = NULL"
				  " WHERE id = ?1 AND (sending_until IS NULL OR sending_until < ?3)"
				  " AND (send_after IS NULL OR send_after <= ?3)"
				  " AND (delivery = 'failed'"
				  " OR (delivery = 'queued' AND (delivery_error IS NOT NULL"
				  "  OR (?2 > 0 AND created_at < ?2))))",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, msg_row);
	bind_int(s, 2, stale_before);
	bind_int(s, 3, time_now());
	int rc = st_exec_stmt(st, s, e, "taking a message for sending");
	if (rc == DESK_OK)
		*taken = st_changes(st) == 1;
	return rc;
}

int store_mail_claim(struct store *st, int64_t msg_row, int64_t until, bool *taken,
		     struct derr *e)
{
	*taken = false;
	/* A compare-and-set: of two desks, one sees its UPDATE change the row. */
	struct stmt *s = st_prep(st,
				  "UPDATE messages SET sending_until = ?2 WHERE id = ?1"
				  " AND delivery = 'queued'"
				  " AND (sending_until IS NULL OR sending_until < ?3)"
				  " AND (send_after IS NULL OR send_after <= ?3)",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, msg_row);
	bind_int(s, 2, until);
	bind_int(s, 3, time_now());
	int rc = st_exec_stmt(st, s, e, "claiming a message for sending");
	if (rc == DESK_OK)
		*taken = st_changes(st) == 1;
	return rc;
}

int store_outbox(struct store *st, struct message_list *out, struct derr *e)
{
	/* Served by the partial index messages_undelivered. */
	struct stmt *s = st_prep(st,
				  "SELECT " MESSAGE_COLS MESSAGE_FROM
				  " WHERE m.delivery IN ('queued','failed') ORDER BY m.id",
				  e);
	if (!s)
		return derr_code(e);
	int rc;
	while ((rc = st_step(s)) == ST_ROW) {
		xgrow((void **)&out->v, &out->cap, out->n + 1, sizeof *out->v);
		read_message(s, &out->v[out->n++]);
	}
	st_done(s);
	return rc == ST_DONE ? DESK_OK : st_fail(st, e, "reading the outbox");
}

int store_customer_last_ack(struct store *st, int64_t customer_id, int64_t *at,
			    struct derr *e)
{
	*at = 0;
	struct stmt *s = st_prep(st, "SELECT last_ack_at FROM customers WHERE id = ?1", e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, customer_id);
	int rc = st_step(s);
	if (rc == ST_ROW)
		*at = col_int(s, 0);
	st_done(s);
	if (rc == ST_DONE)
		return derr_set(e, DESK_ENOTFOUND, "no customer %lld", (long long)customer_id);
	return rc == ST_ROW ? DESK_OK : st_fail(st, e, "reading a customer");
}

int store_customer_set_last_ack(struct store *st, int64_t customer_id, int64_t at,
				struct derr *e)
{
	struct stmt *s =
		st_prep(st, "UPDATE customers SET last_ack_at = ?2 WHERE id = ?1", e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, customer_id);
	bind_int(s, 2, at);
	return st_exec_stmt(st, s, e, "recording an acknowledgement");
}
