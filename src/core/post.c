/* post.c: adding messages to a ticket: replies, notes, the customer's
 * words, each with what it does to the ticket's status and clocks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "core.h"
#include "internal_core.h"
#include "mail.h"
#include "util.h"

static bool blank(const char *s)
{
	for (; s && *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return false;
	return true;
}

/* CRLF (mail, Windows editors) becomes LF; a lone CR is kept, and shown
 * as ^M by the sanitizer. */
char *core_normalize_body(const char *body)
{
	size_t n = strlen(body);
	char *out = xmalloc(n + 1), *o = out;
	for (const char *p = body; *p; p++)
		if (!(p[0] == '\r' && p[1] == '\n'))
			*o++ = *p;
	/* trailing blank lines say nothing */
	while (o > out && (o[-1] == '\n' || o[-1] == ' ' || o[-1] == '\t'))
		o--;
	*o = '\0';
	return out;
}

int core_post(struct desk *d, int64_t id, enum msg_kind kind, const char *body,
	      const struct field_change *ch, size_t n, int64_t *msg_id, struct derr *e)
{
	return core_post_copies(d, id, kind, body, NULL, NULL, ch, n, msg_id, e);
}

/* cc or bcc as stored: checked again (a caller may not have joined
 * them), NULL when empty. */
static int copies(const char *given, const char *what, char **out, struct derr *e)
{
	const char *one[] = {given};
	return mail_recipients_join(one, given ? 1 : 0, what, out, e);
}

/* Inside the reply's transaction: the articles it used, each with an
 * event undo.c (is_message) takes for part of the reply, never for a
 * change of its own. */
static int record_articles(struct desk *d, const struct message *m, const char *const *slugs,
			   size_t nslugs, struct derr *e)
{
	int rc = DESK_OK;
	for (size_t i = 0; rc == DESK_OK && i < nslugs; i++) {
		/* One taken out of the knowledge base meanwhile is not
		 * counted; the reply goes all the same. */
		struct kb_article a;
		if ((rc = store_kb_get(d->st, slugs[i], &a, e)) == DESK_ENOTFOUND) {
			derr_clear(e);
			rc = DESK_OK;
			continue;
		}
		kb_article_free(&a);
		if (rc == DESK_OK)
			rc = store_kb_use_add(d->st, slugs[i], m->ticket_id, m->id, d->me.id,
					      m->created_at, e);
		if (rc == DESK_OK)
			rc = core_event(d, m->ticket_id, "reply", "kb_article", NULL, slugs[i], e);
	}
	return rc;
}

static int post(struct desk *d, int64_t id, enum msg_kind kind, const char *body,
		const char *cc_in, const char *bcc_in, const struct field_change *ch, size_t n,
		const char *const *slugs, size_t nslugs, int64_t *msg_id, struct derr *e)
{
	if (kind != MSG_REPLY && kind != MSG_NOTE)
		return derr_set(e, DESK_EINVAL, "internal error: post of kind %s",
				msg_kind_name(kind));
	if (blank(body))
		return derr_set(e, DESK_EINVAL, "the %s is empty: nothing was sent",
				kind == MSG_REPLY ? "reply" : "note");
	int rc = caps_check(kind == MSG_REPLY ? "the reply" : "the note", body, DESK_MAX_BODY, e);
	if (rc)
		return rc;
	char *cc = NULL, *bcc = NULL;
	if ((rc = copies(cc_in, "Cc", &cc, e)) || (rc = copies(bcc_in, "Bcc", &bcc, e))) {
		free(cc);
		return rc;
	}
	if ((cc || bcc) && kind != MSG_REPLY) {
		free(cc);
		free(bcc);
		return derr_set(e, DESK_EINVAL, "a note is never mailed: Cc and Bcc are for replies");
	}
	struct ticket t;
	rc = core_ticket_begin(d, id, &t, e);
	if (rc) {
		free(cc);
		free(bcc);
		return rc;
	}
	char *text = core_normalize_body(body);
	struct message m = {
		.ticket_id = id,
		.kind = kind,
		.author_id = d->me.id,
		.body = text,
		.created_at = time_now(),
	};
	/* Mail (outbound.c): a reply that leaves by mail is stored
	 * "queued" in this transaction; the caller hands it to sendmail
	 * after the commit (the CLI waits for it, the console does not), and
	 * a failure leaves it "failed" for `desk outbox`. */
	char *mail_id = kind == MSG_REPLY && outbound_wanted(d, &t)
				? outbound_new_message_id(d, id) : NULL;
	if (mail_id) {
		m.message_id = mail_id;
		m.delivery = (char *)"queued";
		if (d->reply_hold_seconds > 0)
			m.send_after = m.created_at + d->reply_hold_seconds;
		m.cc = cc;
		m.bcc = bcc;
	} else if (cc || bcc) {
		char why[200];
		outbound_plan(d, &t, why, sizeof why);
		rc = derr_set(e, DESK_EINVAL,
			      "ticket %lld: Cc and Bcc need a reply that is mailed, and %s; "
			      "nothing was sent",
			      (long long)id, why);
	}
	if (rc == DESK_OK && t.status == ST_CLOSED)
		rc = derr_set(e, DESK_EDENIED,
			      "ticket %lld is closed; nothing was sent (open a new ticket)",
			      (long long)id);
	if (rc == DESK_OK)
		rc = store_message_insert(d->st, &m, e);
	if (rc == DESK_OK && kind == MSG_REPLY) {
		int64_t ncust = 0;
		rc = store_message_count(d->st, id, MSG_CUSTOMER, &ncust, e);
		if (rc == DESK_OK && !t.first_response_at && ncust > 0)
			t.first_response_at = m.created_at;
		if (rc == DESK_OK && t.status == ST_NEW)
			rc = core_change_status(d, &t, ST_OPEN, e);
	}
	if (rc == DESK_OK && nslugs)
		rc = record_articles(d, &m, slugs, nslugs, e);
	char idbuf[32];
	snprintf(idbuf, sizeof idbuf, "%lld", (long long)m.id);
	if (rc == DESK_OK)
		rc = core_event(d, id, msg_kind_name(kind), "message", NULL, idbuf, e);
	for (size_t i = 0; i < n && rc == DESK_OK; i++)
		rc = core_change(d, &t, &ch[i], e);
	if (rc == DESK_OK)
		rc = store_draft_delete(d->st, id, d->me.id, kind, e);
	rc = core_ticket_finish(d, &t, rc, true, e);
	if (rc == DESK_OK && msg_id)
		*msg_id = m.id;
	free(mail_id);
	free(text);
	free(cc);
	free(bcc);
	return rc;
}

int core_post_copies(struct desk *d, int64_t id, enum msg_kind kind, const char *body,
		     const char *cc, const char *bcc, const struct field_change *ch, size_t n,
		     int64_t *msg_id, struct derr *e)
{
	return post(d, id, kind, body, cc, bcc, ch, n, NULL, 0, msg_id, e);
}

int core_post_articles(struct desk *d, int64_t id, const char *body, const char *cc,
		       const char *bcc, const struct field_change *ch, size_t n,
		       const char *const *slugs, size_t nslugs, int64_t *msg_id, struct derr *e)
{
	return post(d, id, MSG_REPLY, body, cc, bcc, ch, n, slugs, nslugs, msg_id, e);
}

int core_reply(struct desk *d, int64_t id, const char *body, struct derr *e)
{
	return core_post(d, id, MSG_REPLY, body, NULL, 0, NULL, e);
}

int core_note(struct desk *d, int64_t id, const char *body, struct derr *e)
{
	return core_post(d, id, MSG_NOTE, body, NULL, 0, NULL, e);
}

/* Inside a transaction: the customer wrote; waiting and solved tickets
 * come back to the agents. */
int core_customer_message_locked(struct desk *d, struct ticket *t, const char *body,
				 int64_t at, const char *message_id, struct derr *e)
{
	char *text = core_normalize_body(body);
	struct message m = {
		.ticket_id = t->id,
		.kind = MSG_CUSTOMER,
		.body = text,
		.created_at = at ? at : time_now(),
		.message_id = (char *)message_id,
	};
	int rc = store_message_insert(d->st, &m, e);
	free(text);
	if (rc)
		return rc;
	char idbuf[32];
	snprintf(idbuf, sizeof idbuf, "%lld", (long long)m.id);
	if ((rc = core_event(d, t->id, "customer", "message", NULL, idbuf, e)))
		return rc;
	if (t->status == ST_PENDING || t->status == ST_ON_HOLD || t->status == ST_SOLVED)
		rc = core_change_status(d, t, ST_OPEN, e);
	return rc;
}

int core_customer_message(struct desk *d, int64_t id, const char *body, int64_t at,
			  const char *message_id, struct derr *e)
{
	if (blank(body))
		return derr_set(e, DESK_EINVAL, "the message is empty: nothing was stored");
	int rc = caps_check("the message", body, DESK_MAX_BODY, e);
	if (rc)
		return rc;
	struct ticket t;
	rc = core_ticket_begin(d, id, &t, e);
	if (rc)
		return rc;
	if (t.status == ST_CLOSED)
		rc = derr_set(e, DESK_EDENIED, "ticket %lld is closed; open a new ticket",
			      (long long)id);
	if (rc == DESK_OK)
		rc = core_customer_message_locked(d, &t, body, at, message_id, e);
	return core_ticket_finish(d, &t, rc, true, e);
}
