/* ingest.c: one mail message into a ticket, all of it or none of it.
 *
 * A reply (In-Reply-To or References naming a Message-ID desk stored or
 * sent, or a "[#123]" subject tag from that ticket's customer) joins its
 * ticket through the same customer-message path as every other channel,
 * which reopens a solved ticket; anything else opens a ticket (or, with
 * mail.stranger_tag: join, a stranger's tagged mail joins held aside).
 * Mail sent by machines is kept but marked, reopens nothing and is never
 * answered.  An answer to a survey desk mailed (its token in a reference,
 * the subject or the quoted text) is kept the same way, and its score
 * and words recorded on the ticket (survey_mail.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "caps.h"
#include "config.h"
#include "core.h"
#include "internal_core.h"
#include "mail.h"
#include "util.h"

/* Bigger than any MTA's default limit; past it, a message is refused. */
#define MAX_MAIL_BYTES (64u << 20)
/* At most one acknowledgement per customer in this time. */
#define ACK_INTERVAL 3600
/* Merges chain; a loop in the data must not hang the MTA. */
#define MAX_MERGE_HOPS 16

int mail_sysexit(int rc, bool message_fault)
{
	if (rc == DESK_OK)
		return 0;
	if (message_fault)
		return 65; /* EX_DATAERR: bounce it, a retry cannot help */
	if (rc == DESK_EUSAGE)
		return 64; /* EX_USAGE: the alias line is wrong */
	return 75;         /* EX_TEMPFAIL: keep it queued and try again */
}

/* The text stored: the mail's words, then a line for each attachment
 * not kept, saying why (those kept are rows of attachments, which
 * every front end lists under the message). */
static char *body_with_parts(const struct mail_in *m)
{
	struct strbuf b = {0};
	sb_add(&b, str_empty(m->body) ? "(no text)" : m->body);
	bool first = true;
	for (size_t i = 0; i < m->nparts; i++) {
		const struct mail_part *p = &m->parts[i];
		if (!p->dropped)
			continue;
		char size[32];
		attachment_size_text((int64_t)p->size, size, sizeof size);
		sb_addf(&b, "%s[attachment not kept: %s (%s, %s): %s]", first ? "\n\n" : "\n",
			p->filename, p->content_type, size, p->dropped);
		first = false;
	}
	return sb_take(&b);
}

/* attachments.max_size and max_total: a part over them is not kept
 * (its data freed, the reason in p->dropped), the mail is: the
 * customer's words matter more than a file, and refusing would bounce
 * them.  Parts are taken in order while the total allows. */
static void apply_limits(const struct config *cfg, struct mail_in *m)
{
	int64_t max_size = cfg ? cfg->attachments.max_size : ATTACH_MAX_SIZE_DEFAULT;
	int64_t max_total = cfg ? cfg->attachments.max_total : ATTACH_MAX_TOTAL_DEFAULT;
	int64_t total = 0;
	for (size_t i = 0; i < m->nparts; i++) {
		struct mail_part *p = &m->parts[i];
		char max[32];
		if ((int64_t)p->size > max_size)
			p->dropped = xasprintf("more than attachments.max_size (%s)",
					       attachment_size_text(max_size, max, sizeof max));
		else if (total + (int64_t)p->size > max_total)
			p->dropped = xasprintf("the mail's attachments pass attachments.max_total "
					       "(%s)",
					       attachment_size_text(max_total, max, sizeof max));
		if (p->dropped) {
			free(p->data);
			p->data = NULL;
		} else {
			total += (int64_t)p->size;
		}
	}
}

/* --- threading --------------------------------------------------------- */

/* Follows merges to the ticket that lives on; 0 when it is closed (a
 * closed ticket is final: the mail opens a new one). */
static int live_ticket(struct desk *d, int64_t id, int64_t *out, struct derr *e)
{
	*out = 0;
	for (int hop = 0; id && hop < MAX_MERGE_HOPS; hop++) {
		struct ticket t;
		int rc = store_ticket_get(d->st, id, &t, e);
		if (rc == DESK_ENOTFOUND)
			return DESK_OK;
		if (rc)
			return rc;
		int64_t next = t.merged_into;
		bool closed = t.status == ST_CLOSED;
		ticket_free(&t);
		if (!next) {
			*out = closed ? 0 : id;
			return DESK_OK;
		}
		id = next;
	}
	return DESK_OK;
}

/* How a mail found its ticket. */
enum thread_how {
	THREAD_NONE,     /* a new ticket */
	THREAD_REF,      /* In-Reply-To/References name a message of the ticket */
	THREAD_CUSTOMER, /* a "[#N]" tag, from the ticket's customer */
	THREAD_STRANGER, /* a "[#N]" tag from anyone else, joined held aside
			  * (mail.stranger_tag: join) */
	THREAD_FORWARD,  /* an answer to a forward (or to that answer): a note */
	THREAD_SURVEY,   /* an answer to a survey: kept, never reopening */
};

/* The survey whose token the mail carries: in a reference (its
 * Message-ID), else in the subject or the text (quoted); only a token
 * desk mailed counts.  sr->id is 0 when none. */
static int find_survey(struct desk *d, const struct mail_in *m, struct survey_request *sr,
		       struct derr *e)
{
	memset(sr, 0, sizeof *sr);
	char token[SURVEY_TOKEN_LEN + 1];
	for (size_t i = 0; i <= m->nrefs + 1; i++) {
		const char *where = i < m->nrefs ? m->refs[i] : i == m->nrefs ? m->subject : m->body;
		if (!survey_token_find(where, token))
			continue;
		int rc = store_survey_request_get(d->st, token, 0, sr, e);
		if (rc == DESK_ENOTFOUND) {
			derr_clear(e);
			continue;
		}
		if (rc || sr->sent)
			return rc;
		survey_request_free(sr);
	}
	return DESK_OK;
}

/* Whether the message at row went to or came from a third party: a
 * forward, or a note that came by mail (its answer). */
static int third_party(struct desk *d, int64_t row, bool *yes, struct derr *e)
{
	struct message m = {0};
	int rc = store_mail_message_get(d->st, row, &m, e);
	*yes = rc == DESK_OK &&
	       (m.forward_to || (m.kind == MSG_NOTE && m.mail_from && !m.author_id));
	message_free(&m);
	return rc;
}

/* Whether the sender may thread by a subject tag alone: the ticket's
 * customer, from any of their addresses.  Desk mails only the
 * customer's addresses, so that is also every address the ticket has
 * mailed. */
static int tag_sender_ok(struct desk *d, int64_t ticket_id, const char *from, bool *ok,
			 struct derr *e)
{
	*ok = false;
	if (str_empty(from))
		return DESK_OK;
	struct ticket t;
	int rc = store_ticket_get(d->st, ticket_id, &t, e);
	if (rc)
		return rc;
	int64_t owner = 0;
	rc = store_customer_email_owner(d->st, from, &owner, e);
	*ok = rc == DESK_OK && owner && owner == t.customer_id;
	ticket_free(&t);
	return rc;
}

/* A reference to a Message-ID desk sent or received on a ticket threads
 * into it, whoever writes; a subject tag is not an identity: it counts
 * only from the ticket's customer.  *ignored_tag is the ticket a
 * stranger's tag named when that opens a new ticket instead. */
static int find_thread(struct desk *d, const struct mail_in *m, int64_t *ticket_id,
		       enum thread_how *how, int64_t *ignored_tag, struct survey_request *sr,
		       int64_t *via, struct derr *e)
{
	*ticket_id = *ignored_tag = *via = 0;
	*how = THREAD_NONE;
	int src = find_survey(d, m, sr, e);
	if (src || sr->id) {
		*how = THREAD_SURVEY;
		return src ? src : core_survey_live_ticket(d, sr->ticket_id, ticket_id, via, e);
	}
	for (size_t i = 0; i < m->nrefs; i++) {
		int64_t row, tid;
		int rc = store_mail_find_message_id(d->st, m->refs[i], &row, &tid, e);
		if (rc)
			return rc;
		if (tid) {
			if ((rc = live_ticket(d, tid, ticket_id, e)))
				return rc;
			if (*ticket_id) {
				bool fwd = false;
				if ((rc = third_party(d, row, &fwd, e)))
					return rc;
				*how = fwd ? THREAD_FORWARD : THREAD_REF;
				return DESK_OK;
			}
		}
	}
	int64_t tag = mail_subject_ticket(m->subject), tid = 0;
	int rc = tag ? live_ticket(d, tag, &tid, e) : DESK_OK;
	if (rc || !tid)
		return rc;
	bool ok;
	if ((rc = tag_sender_ok(d, tid, m->from_addr, &ok, e)))
		return rc;
	if (ok) {
		*ticket_id = tid;
		*how = THREAD_CUSTOMER;
	} else if (d->cfg && d->cfg->mail.stranger_joins) {
		*ticket_id = tid;
		*how = THREAD_STRANGER;
	} else {
		*ignored_tag = tid;
	}
	return DESK_OK;
}

/* --- the transaction --------------------------------------------------- */

static int new_ticket(struct desk *d, const struct mail_in *m, const char *queue,
		      int64_t customer_id, struct ticket *t, struct derr *e)
{
	memset(t, 0, sizeof *t);
	char *subject = str_trim(xstrdup(m->subject));
	if (!*subject) {
		free(subject);
		subject = xstrdup("(no subject)");
	}
	t->subject = subject;
	t->status = ST_NEW;
	t->priority = PRIO_NORMAL;
	t->channel = CH_EMAIL;
	t->queue = xstrdup(d->cfg && d->cfg->default_queue ? d->cfg->default_queue : "general");
	t->customer_id = customer_id;
	t->created_at = t->updated_at = time_now();
	sla_apply(d->cfg, t);
	int rc = store_ticket_insert(d->st, t, e);
	if (rc == DESK_OK)
		rc = core_event(d, t->id, "create", NULL, NULL, t->subject, e);
	if (rc == DESK_OK && queue) {
		/* validates the name as any later change would */
		struct field_change c = {FIELD_QUEUE, queue};
		rc = core_change(d, t, &c, e);
	}
	if (rc == DESK_OK && m->automatic) {
		struct field_change c = {FIELD_TAG_ADD, "auto"};
		rc = core_change(d, t, &c, e);
	}
	return rc;
}

/* The sender as a customer: found by address, or added with the display
 * name; a known customer without a name takes the one the mail gives. */
static int customer_of(struct desk *d, const struct mail_in *m, int64_t *id, struct derr *e)
{
	int rc = core_find_or_add_customer(d, m->from_name, m->from_addr, NULL, id, e);
	if (rc || str_empty(m->from_name))
		return rc;
	struct customer c = {0};
	if ((rc = store_customer_get(d->st, *id, &c, e)))
		return rc;
	if (str_empty(c.name)) {
		free(c.name);
		c.name = xstrdup(m->from_name);
		rc = store_customer_update(d->st, &c, e);
	}
	customer_free(&c);
	return rc;
}

static int add_message(struct desk *d, struct ticket *t, const struct mail_in *m,
		       enum thread_how how, char *const *paths, int64_t *row, struct derr *e)
{
	char *text = body_with_parts(m);
	int64_t now = time_now();
	bool stranger = how == THREAD_STRANGER;
	int rc;
	if (how == THREAD_FORWARD) {
		/* The third party's answer: for the agents only.  Never the
		 * customer's turn, never reopening, never answered. */
		char *body = core_normalize_body(text);
		struct message msg = {.ticket_id = t->id, .kind = MSG_NOTE, .body = body,
				      .created_at = now, .message_id = m->message_id,
				      .automatic = m->automatic,
				      .mail_from = m->from_addr ? m->from_addr
								: (char *)"(unknown sender)"};
		rc = store_message_insert(d->st, &msg, e);
		free(body);
		*row = msg.id;
		if (rc == DESK_OK)
			rc = core_event(d, t->id, "mail", "forward_answer", NULL, msg.mail_from, e);
	} else if (m->automatic || stranger || how == THREAD_SURVEY) {
		/* Kept for the record, but a vacation notice, or a stranger
		 * writing into someone's ticket, must not reopen a solved
		 * ticket or count as the customer's turn. */
		char *body = core_normalize_body(text);
		struct message msg = {.ticket_id = t->id, .kind = MSG_CUSTOMER, .body = body,
				      .created_at = now, .message_id = m->message_id,
				      .automatic = true, .mail_from = m->from_addr};
		rc = store_message_insert(d->st, &msg, e);
		free(body);
		*row = msg.id;
		char idbuf[32];
		snprintf(idbuf, sizeof idbuf, "%lld", (long long)msg.id);
		if (rc == DESK_OK)
			rc = core_event(d, t->id, "customer", "message", NULL, idbuf, e);
		if (rc == DESK_OK && m->automatic && m->auto_reason)
			rc = core_event(d, t->id, "mail", "auto", NULL, m->auto_reason, e);
		if (rc == DESK_OK && stranger)
			rc = core_event(d, t->id, "mail", "stranger", NULL,
					m->from_addr ? m->from_addr : m->from_name, e);
		if (rc == DESK_OK && how == THREAD_SURVEY)
			rc = core_event(d, t->id, "mail", "survey_answer", NULL, idbuf, e);
	} else {
		int64_t tid;
		rc = core_customer_message_locked(d, t, text, now, m->message_id, e);
		if (rc == DESK_OK)
			rc = store_mail_find_message_id(d->st, m->message_id, row, &tid, e);
		if (rc == DESK_OK)
			rc = store_mail_mark_inbound(d->st, *row, false, m->from_addr, e);
	}
	free(text);
	for (size_t i = 0; rc == DESK_OK && i < m->nparts; i++) {
		const struct mail_part *p = &m->parts[i];
		if (p->dropped) {
			rc = core_event(d, t->id, "mail", "attachment_dropped", NULL, p->filename, e);
			continue;
		}
		struct attachment a = {.message_id = *row, .filename = p->filename,
				       .content_type = p->content_type,
				       .size = (int64_t)p->size,
				       .path = paths ? paths[i] : NULL};
		rc = store_attachment_insert(d->st, &a, p->data, e);
	}
	return rc;
}

/* Queues the acknowledgement of a new ticket: at most one an hour per
 * customer, from the configured canned response.  A missing canned
 * response is no reason to lose the mail: it is reported, not fatal. */
static int queue_ack(struct desk *d, struct ticket *t, struct ingest_result *r,
		     int64_t *ack_row, struct derr *e)
{
	const struct mail_config *mc = &d->cfg->mail;
	int64_t last = 0, now = time_now();
	int rc = store_customer_last_ack(d->st, t->customer_id, &last, e);
	if (rc || (last && now - last < ACK_INTERVAL))
		return rc;
	struct ticket full;
	/* the joined customer email, as outbound_wanted reads it */
	if ((rc = store_ticket_get(d->st, t->id, &full, e)))
		return rc;
	bool wanted = outbound_wanted(d, &full);
	ticket_free(&full);
	if (!wanted)
		return DESK_OK;
	struct canned_list cl = {0};
	struct derr ce = {0};
	const struct canned *c = NULL;
	if (!d->cfg->canned_file)
		derr_set(&ce, DESK_ENOTFOUND, "no canned responses file in the config");
	else if (canned_load(d->cfg->canned_file, &cl, &ce) == DESK_OK)
		for (size_t i = 0; i < cl.n && !c; i++)
			if (strcmp(cl.v[i].name, mc->ack_canned) == 0)
				c = &cl.v[i];
	if (!c && !ce.code)
		derr_set(&ce, DESK_ENOTFOUND, "no canned response \"%s\" in %s", mc->ack_canned,
			 d->cfg->canned_file);
	if (c && !c->body) {
		derr_set(&ce, DESK_EINVAL, "canned response \"%s\" (%s:%d) has no body to send",
			 c->name, d->cfg->canned_file, c->line);
		c = NULL;
	}
	char *body = NULL;
	if (c) {
		struct customer cu = {0};
		if ((rc = store_customer_get(d->st, t->customer_id, &cu, e))) {
			canned_list_free(&cl);
			return rc;
		}
		struct canned_ctx ctx = {.customer = &cu, .ticket = t};
		if (canned_expand(c->body, &ctx, &body, &ce))
			derr_prefix(&ce, "canned response \"%s\"", c->name);
		customer_free(&cu);
	}
	canned_list_free(&cl);
	if (!body) {
		snprintf(r->ack_error, sizeof r->ack_error, "acknowledgement not sent: %s",
			 ce.msg);
		return DESK_OK;
	}
	char *mid = outbound_new_message_id(d, t->id);
	char *text = core_normalize_body(body);
	struct message msg = {.ticket_id = t->id, .kind = MSG_SYSTEM, .body = text,
			      .created_at = now, .message_id = mid, .delivery = (char *)"queued"};
	rc = store_message_insert(d->st, &msg, e);
	char idbuf[32];
	snprintf(idbuf, sizeof idbuf, "%lld", (long long)msg.id);
	if (rc == DESK_OK)
		rc = core_event(d, t->id, "acknowledge", "message", NULL, idbuf, e);
	if (rc == DESK_OK)
		rc = store_customer_set_last_ack(d->st, t->customer_id, now, e);
	if (rc == DESK_OK) {
		*ack_row = msg.id;
		r->acknowledged = true;
	}
	free(text);
	free(mid);
	free(body);
	return rc;
}

static int ingest_locked(struct desk *d, const struct mail_in *m, char *const *paths,
			 const char *queue, struct ingest_result *r, int64_t *ack_row,
			 struct derr *e)
{
	int64_t row, tid;
	int rc = store_mail_find_message_id(d->st, m->message_id, &row, &tid, e);
	if (rc)
		return rc;
	if (row) {
		r->outcome = INGEST_DUPLICATE;
		r->ticket_id = tid;
		r->msg_row = row;
		return DESK_OK;
	}
	enum thread_how how;
	int64_t ignored_tag, via;
	struct survey_request sr;
	if ((rc = find_thread(d, m, &tid, &how, &ignored_tag, &sr, &via, e))) {
		survey_request_free(&sr);
		return rc;
	}
	struct ticket t = {0};
	if (tid) {
		r->outcome = INGEST_APPENDED;
		rc = core_load_for_change(d, tid, &t, e);
	} else {
		r->outcome = INGEST_NEW_TICKET;
		int64_t cid;
		if ((rc = customer_of(d, m, &cid, e)) == DESK_OK)
			rc = new_ticket(d, m, queue, cid, &t, e);
		if (rc == DESK_OK && ignored_tag) {
			/* say why "[#N]" did not join #N: its sender is not N's customer */
			char tag[32];
			snprintf(tag, sizeof tag, "#%lld", (long long)ignored_tag);
			rc = core_event(d, t.id, "mail", "stranger_tag", NULL, tag, e);
		}
	}
	r->stranger = how == THREAD_STRANGER;
	if (rc == DESK_OK)
		rc = add_message(d, &t, m, how, paths, &r->msg_row, e);
	if (rc == DESK_OK && how == THREAD_SURVEY) {
		r->survey = true;
		rc = core_survey_answer_locked(d, &sr, m->body, m->automatic, t.id, via,
					       r->survey_said, sizeof r->survey_said, e);
	}
	survey_request_free(&sr);
	if (rc == DESK_OK)
		rc = core_save(d, &t, e);
	r->ticket_id = t.id;
	const struct mail_config *mc = d->cfg ? &d->cfg->mail : NULL;
	if (rc == DESK_OK && r->outcome == INGEST_NEW_TICKET && !m->automatic && mc &&
	    mc->ack_enabled && mc->ack_canned)
		rc = queue_ack(d, &t, r, ack_row, e);
	ticket_free(&t);
	return rc;
}

int core_ingest(struct desk *d, const char *data, size_t len, const struct ingest_opts *o,
		struct ingest_result *r, bool *message_fault, struct derr *e)
{
	memset(r, 0, sizeof *r);
	*message_fault = false;
	if (len > MAX_MAIL_BYTES) {
		*message_fault = true;
		return derr_set(e, DESK_EINVAL, "the message is %zu bytes; desk takes at most %u",
				len, MAX_MAIL_BYTES);
	}
	const struct mail_config *mc = d->cfg ? &d->cfg->mail : NULL;
	const char *queue = o && o->queue ? o->queue : mc ? mc->default_queue : NULL;
	struct mail_in m;
	int rc = mail_parse(data, len, mc ? mc->support_address : NULL, &m, e);
	if (rc) {
		*message_fault = true;
		return rc;
	}
	/* caps.h: an oversized mail is kept, cut where it says so */
	caps_fit(&m.body, DESK_MAX_BODY, true);
	caps_fit(&m.subject, DESK_MAX_SUBJECT, false);
	caps_fit(&m.from_name, DESK_MAX_NAME, false);
	r->automatic = m.automatic;
	apply_limits(d->cfg, &m);
	char **paths = NULL;
	if (mc && mc->attachments_dir && m.nparts) {
		paths = xcalloc(m.nparts, sizeof *paths);
		for (size_t i = 0; rc == DESK_OK && i < m.nparts; i++)
			if (!m.parts[i].dropped)
				rc = attachment_dir_save(mc->attachments_dir, m.parts[i].data,
							 m.parts[i].size, &paths[i], e);
	}
	int64_t ack_row = 0;
	if (rc == DESK_OK)
		rc = core_begin(d, e);
	if (rc == DESK_OK) {
		rc = ingest_locked(d, &m, paths, queue, r, &ack_row, e);
		/* A duplicate changes nothing: roll back, not commit. */
		if (rc == DESK_OK && r->outcome != INGEST_DUPLICATE)
			rc = store_commit(d->st, e);
		else
			store_rollback(d->st);
		/* A bad --queue name is the setup's fault, not the message's. */
	}
	if (rc == DESK_OK && ack_row) {
		struct derr se = {0};
		if (outbound_send(d, ack_row, &se))
			snprintf(r->ack_error, sizeof r->ack_error, "acknowledgement not sent: %s",
				 se.msg);
	}
	if (rc) {
		r->acknowledged = false;
		r->ticket_id = r->msg_row = 0;
	}
	for (size_t i = 0; paths && i < m.nparts; i++)
		free(paths[i]);
	free(paths);
	mail_in_free(&m);
	return rc;
}
