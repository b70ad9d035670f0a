/* post.c: adding messages to a ticket: replies, notes, the customer's
 * words, each with what it does to the ticket's status and clocks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "config.h"
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
	return core_post_with(d, id, kind, body, NULL, ch, n, msg_id, e);
}

/* cc or bcc as stored: checked again (a caller may not have joined
 * them), NULL when empty. */
static int copies(const char *given, const char *what, char **out, struct derr *e)
{
	const char *one[] = {given};
	return mail_recipients_join(one, given ? 1 : 0, what, out, e);
}

int core_post_copies(struct desk *d, int64_t id, enum msg_kind kind, const char *body,
		     const char *cc, const char *bcc, const struct field_change *ch, size_t n,
		     int64_t *msg_id, struct derr *e)
{
	struct post_extras x = {.cc = cc, .bcc = bcc};
	return core_post_with(d, id, kind, body, &x, ch, n, msg_id, e);
}

/* The files against attachments.max_size and max_total, whoever read
 * them (outgoing_file_load checks too, naming the path). */
static int check_files(const struct desk *d, const struct outgoing_file *f, size_t nf,
		       struct derr *e)
{
	int64_t max_size = d->cfg ? d->cfg->attachments.max_size : ATTACH_MAX_SIZE_DEFAULT;
	int64_t max_total = d->cfg ? d->cfg->attachments.max_total : ATTACH_MAX_TOTAL_DEFAULT;
	int64_t total = 0;
	char a[32], b[32];
	for (size_t i = 0; i < nf; i++) {
		total += (int64_t)f[i].size;
		if ((int64_t)f[i].size > max_size)
			return derr_set(e, DESK_EINVAL,
					"%s: %s, more than attachments.max_size (%s); nothing was "
					"sent",
					f[i].filename, attachment_size_text((int64_t)f[i].size, a, sizeof a),
					attachment_size_text(max_size, b, sizeof b));
	}
	if (total > max_total)
		return derr_set(e, DESK_EINVAL,
				"the files together are %s, more than attachments.max_total (%s); "
				"nothing was sent",
				attachment_size_text(total, a, sizeof a),
				attachment_size_text(max_total, b, sizeof b));
	return DESK_OK;
}

/* The files kept in attachments_dir, before the transaction (as
 * ingest does); *paths NULL when they go into the database. */
static int save_files(const struct desk *d, const struct outgoing_file *f, size_t nf,
		      char ***paths, struct derr *e)
{
	*paths = NULL;
	const char *dir = d->cfg ? d->cfg->mail.attachments_dir : NULL;
	if (!dir || !nf)
		return DESK_OK;
	*paths = xcalloc(nf, sizeof **paths);
	int rc = DESK_OK;
	for (size_t i = 0; rc == DESK_OK && i < nf; i++)
		rc = attachment_dir_save(dir, f[i].data, f[i].size, &(*paths)[i], e);
	return rc;
}

static void free_paths(char ***paths, size_t n)
{
	for (size_t i = 0; *paths && i < n; i++)
		free((*paths)[i]);
	free(*paths);
	*paths = NULL;
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

int core_post_with(struct desk *d, int64_t id, enum msg_kind kind, const char *body,
		   const struct post_extras *x, const struct field_change *ch, size_t n,
		   int64_t *msg_id, struct derr *e)
{
	static const struct post_extras none = {0};
	if (!x)
		x = &none;
	const char *cc_in = x->cc, *bcc_in = x->bcc;
	const struct outgoing_file *files = x->files;
	size_t nfiles = x->nfiles;
	const struct time_log *tl = x->time;
	const char *const *slugs = x->articles;
	size_t nslugs = x->narticles;
	if (kind != MSG_REPLY && kind != MSG_NOTE)
		return derr_set(e, DESK_EINVAL, "internal error: post of kind %s",
				msg_kind_name(kind));
	if (blank(body))
		return derr_set(e, DESK_EINVAL, "the %s is empty: nothing was sent",
				kind == MSG_REPLY ? "reply" : "note");
	if (nslugs && kind != MSG_REPLY)
		return derr_set(e, DESK_EINVAL, "internal error: articles on a note");
	int rc = caps_check(kind == MSG_REPLY ? "the reply" : "the note", body, DESK_MAX_BODY, e);
	if (rc || (tl && (rc = core_time_check(tl, e))))
		return rc;
	if ((rc = check_files(d, files, nfiles, e)))
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
	char **paths = NULL;
	struct ticket t;
	if ((rc = save_files(d, files, nfiles, &paths, e)) == DESK_OK)
		rc = core_ticket_begin(d, id, &t, e);
	if (rc) {
		free_paths(&paths, nfiles);
		free(cc);
		free(bcc);
		return rc;
	}
	struct message m = {
		.ticket_id = id,
		.kind = kind,
		.author_id = d->me.id,
		.body = (char *)body,
		.created_at = time_now(),
	};
	if (t.status == ST_CLOSED)
		rc = derr_set(e, DESK_EDENIED,
			      "ticket %lld is closed; nothing was sent (open a new ticket)",
			      (long long)id);
	if (rc == DESK_OK)
		rc = core_agent_message_locked(d, &t, &m, cc, bcc, e);
	for (size_t i = 0; rc == DESK_OK && i < nfiles; i++) {
		struct attachment a = {.message_id = m.id, .filename = files[i].filename,
				       .content_type = files[i].content_type,
				       .size = (int64_t)files[i].size,
				       .path = paths ? paths[i] : NULL};
		rc = store_attachment_insert(d->st, &a, files[i].data, e);
		if (rc == DESK_OK)
			rc = core_event(d, id, "attach", "message", NULL, files[i].filename, e);
	}
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
	if (rc == DESK_OK && tl)
		rc = core_time_log_locked(d, id, tl, m.id, e);
	for (size_t i = 0; i < n && rc == DESK_OK; i++)
		rc = core_change(d, &t, &ch[i], e);
	if (rc == DESK_OK)
		rc = store_draft_delete(d->st, id, d->me.id, kind, e);
	rc = core_ticket_finish(d, &t, rc, true, e);
	if (rc == DESK_OK && msg_id)
		*msg_id = m.id;
	free(cc);
	free(bcc);
	free_paths(&paths, nfiles);
	return rc;
}

int core_agent_message_locked(struct desk *d, const struct ticket *t, struct message *m,
			      const char *cc, const char *bcc, struct derr *e)
{
	/* Mail (outbound.c): a reply that leaves by mail is stored
	 * "queued" in this transaction; the caller hands it to sendmail
	 * after the commit (the CLI waits for it, the console does not), and
	 * a failure leaves it "failed" for `desk outbox`. */
	char *mail_id = m->kind == MSG_REPLY && outbound_wanted(d, t)
				? outbound_new_message_id(d, t->id) : NULL;
	int rc = DESK_OK;
	if (mail_id) {
		m->message_id = mail_id;
		m->delivery = (char *)"queued";
		if (d->reply_hold_seconds > 0)
			m->send_after = m->created_at + d->reply_hold_seconds;
		m->cc = (char *)cc;
		m->bcc = (char *)bcc;
	} else if (cc || bcc) {
		char why[200];
		outbound_plan(d, t, why, sizeof why);
		rc = derr_set(e, DESK_EINVAL,
			      "ticket %lld: Cc and Bcc need a reply that is mailed, and %s; "
			      "nothing was sent",
			      (long long)t->id, why);
	}
	char *given = m->body;
	char *text = core_normalize_body(given ? given : "");
	m->body = text;
	if (rc == DESK_OK)
		rc = store_message_insert(d->st, m, e);
	/* the row's strings were the caller's or ours for the insert only */
	m->body = given;
	m->message_id = NULL;
	m->delivery = NULL;
	m->cc = m->bcc = NULL;
	free(text);
	free(mail_id);
	return rc;
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
