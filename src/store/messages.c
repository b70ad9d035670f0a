/* messages.c: the messages of a ticket's conversation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "util.h"

void read_message(struct stmt *s, struct message *m)
{
	memset(m, 0, sizeof *m);
	m->id = col_int(s, 0);
	m->ticket_id = col_int(s, 1);
	const char *k = col_str(s, 2);
	int kind = k ? msg_kind_from_name((const char *)k) : -1;
	m->kind = kind < 0 ? MSG_SYSTEM : (enum msg_kind)kind;
	m->author_id = col_int(s, 3);
	m->author = col_text(s, 4);
	m->body = col_text(s, 5);
	m->created_at = col_int(s, 6);
	m->message_id = col_text(s, 7);
	m->automatic = col_int(s, 8) != 0;
	m->delivery = col_text(s, 9);
	m->delivery_error = col_text(s, 10);
	m->mail_from = col_text(s, 11);
	m->send_after = col_int(s, 12);
	m->cc = col_text(s, 13);
	m->bcc = col_text(s, 14);
	m->forward_to = col_text(s, 15);
}

int store_message_insert(struct store *st, struct message *m, struct derr *e)
{
	struct stmt *s = st_prep_insert(st,
				  "INSERT INTO messages (ticket_id, kind, author_id, body,"
				  " created_at, message_id, auto, delivery, delivery_error,"
				  " mail_from, send_after, cc, bcc, forward_to)"
				  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, m->ticket_id);
	bind_text(s, 2, msg_kind_name(m->kind));
	bind_id(s, 3, m->author_id);
	bind_text(s, 4, m->body ? m->body : "");
	bind_int(s, 5, m->created_at ? m->created_at : time_now());
	bind_text(s, 6, m->message_id);
	bind_int(s, 7, m->automatic);
	bind_text(s, 8, m->delivery);
	bind_text(s, 9, m->delivery_error);
	bind_text(s, 10, m->mail_from);
	bind_id(s, 11, m->send_after);
	bind_text(s, 12, m->cc);
	bind_text(s, 13, m->bcc);
	bind_text(s, 14, m->forward_to);
	return st_insert(st, s, &m->id, e, "adding a message");
}

struct stmt *messages_ask(struct store *st, int64_t ticket_id, struct derr *e)
{
	struct stmt *s = st_prep(st,
				  "SELECT " MESSAGE_COLS MESSAGE_FROM
				  " WHERE m.ticket_id = ?1 ORDER BY m.created_at, m.id",
				  e);
	if (s)
		bind_int(s, 1, ticket_id);
	return s;
}

int store_messages(struct store *st, int64_t ticket_id, struct message_list *out,
		   struct derr *e)
{
	struct stmt *s = messages_ask(st, ticket_id, e);
	return s ? messages_take(st, s, out, e) : derr_code(e);
}

int messages_take(struct store *st, struct stmt *s, struct message_list *out, struct derr *e)
{
	int rc;
	while ((rc = st_step(s)) == ST_ROW) {
		xgrow((void **)&out->v, &out->cap, out->n + 1, sizeof *out->v);
		read_message(s, &out->v[out->n++]);
	}
	st_done(s);
	return rc == ST_DONE ? DESK_OK : st_fail(st, e, "reading messages");
}

int store_message_last(struct store *st, int64_t ticket_id, enum msg_kind kind,
		       struct message *out, struct derr *e)
{
	struct stmt *s = st_prep(st,
				  "SELECT " MESSAGE_COLS MESSAGE_FROM
				  " WHERE m.ticket_id = ?1 AND m.kind = ?2"
				  " ORDER BY m.created_at DESC, m.id DESC LIMIT 1",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, ticket_id);
	bind_text(s, 2, msg_kind_name(kind));
	int rc = st_step(s);
	if (rc == ST_ROW)
		read_message(s, out);
	st_done(s);
	if (rc == ST_DONE)
		return derr_set(e, DESK_ENOTFOUND, "ticket %lld has no %s message",
				(long long)ticket_id, msg_kind_name(kind));
	return rc == ST_ROW ? DESK_OK : st_fail(st, e, "reading a message");
}

int store_message_count(struct store *st, int64_t ticket_id, enum msg_kind kind, int64_t *n,
			struct derr *e)
{
	struct stmt *s = st_prep(
		st, "SELECT count(*) FROM messages WHERE ticket_id = ?1 AND kind = ?2", e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, ticket_id);
	bind_text(s, 2, msg_kind_name(kind));
	int rc = st_step(s);
	*n = rc == ST_ROW ? col_int(s, 0) : 0;
	st_done(s);
	return rc == ST_ROW ? DESK_OK : st_fail(st, e, "counting messages");
}
