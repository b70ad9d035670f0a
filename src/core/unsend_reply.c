/* unsend_reply.c: undo send, taking back a reply the console still
 * holds: the message goes (it never left), its text is the agent's
 * draft again, and what it changed on the ticket is undone when nobody
 * changed the ticket since. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "internal_core.h"
#include "mail.h"
#include "util.h"

/* The text back as the draft; a draft begun since (another reply on the
 * same ticket) is kept after it, not lost. */
static int restore_draft(struct desk *d, int64_t ticket, const char *body, const char *canned,
			 struct derr *e)
{
	char *had = NULL, *had_canned = NULL;
	int rc = store_draft_get_canned(d->st, ticket, d->me.id, MSG_REPLY, &had, &had_canned, e);
	if (rc == DESK_OK) {
		char *text = had && *had ? xasprintf("%s\n\n%s", body, had) : xstrdup(body);
		rc = store_draft_save_canned(d->st, ticket, d->me.id, MSG_REPLY, text,
					     canned ? canned : had_canned, e);
		free(text);
	}
	free(had);
	free(had_canned);
	return rc;
}

static int take_back(struct desk *d, int64_t msg_row, const char *canned, int64_t *ticket,
		     size_t *files, struct derr *e)
{
	struct message m = {0};
	struct ticket t = {0};
	int rc = core_begin(d, e);
	if (rc)
		return rc;
	bool loaded = false, taken = false;
	if ((rc = store_mail_message_get(d->st, msg_row, &m, e)) == DESK_ENOTFOUND)
		rc = derr_set(e, DESK_EBUSY, "too late: that reply is no longer waiting");
	if (rc == DESK_OK && (rc = store_ticket_get(d->st, m.ticket_id, &t, e)) == DESK_OK)
		loaded = true;
	/* Its files go with the message: the draft is text only, and the
	 * caller says so (their paths are not known any more). */
	struct attachment_list al = {0};
	if (rc == DESK_OK && (rc = store_attachments(d->st, msg_row, &al, e)) == DESK_OK)
		*files = al.n;
	attachment_list_free(&al);
	if (rc == DESK_OK)
		rc = store_mail_unsend(d->st, msg_row, d->me.id, &taken, e);
	if (rc == DESK_OK && !taken)
		rc = derr_set(e, DESK_EBUSY,
			      "too late: the reply to #%lld is already with sendmail (or was sent)",
			      (long long)m.ticket_id);
	int64_t replies = 0;
	if (rc == DESK_OK)
		rc = store_message_count(d->st, t.id, MSG_REPLY, &replies, e);
	/* It was never an answer: the first response is not this one. */
	if (rc == DESK_OK && !replies)
		t.first_response_at = 0;
	/* Its copies come back as the console writes them: lines at the top
	 * of the text (src/tui/format.c, compose_copies). */
	struct strbuf b = {0};
	if (m.cc)
		sb_addf(&b, "Cc: %s\n", m.cc);
	if (m.bcc)
		sb_addf(&b, "Bcc: %s\n", m.bcc);
	if (b.len)
		sb_addc(&b, '\n');
	sb_add(&b, m.body ? m.body : "");
	char *text = sb_take(&b);
	if (rc == DESK_OK)
		rc = restore_draft(d, t.id, text, canned, e);
	free(text);
	char idbuf[32];
	snprintf(idbuf, sizeof idbuf, "%lld", (long long)msg_row);
	if (rc == DESK_OK)
		rc = core_event(d, t.id, "unsend", "message", idbuf, NULL, e);
	if (rc == DESK_OK)
		rc = core_save(d, &t, e);
	if (rc == DESK_OK)
		rc = store_commit(d->st, e);
	else
		store_rollback(d->st);
	core_end(d, rc == DESK_OK);
	*ticket = m.ticket_id;
	if (loaded)
		ticket_free(&t);
	message_free(&m);
	return rc;
}

int core_unsend(struct desk *d, int64_t msg_row, int64_t change, const char *canned,
		struct unsend_result *r, struct derr *e)
{
	memset(r, 0, sizeof *r);
	int rc = take_back(d, msg_row, canned, &r->ticket, &r->files, e);
	if (rc || !change)
		return rc;
	struct derr fe = {0};
	int frc = core_undo_change(d, change, true, &r->fields, &fe);
	if (frc == DESK_OK)
		r->fields_undone = r->fields.ok > 0;
	else if (frc != DESK_ENOTFOUND)
		snprintf(r->fields_why, sizeof r->fields_why, "%.*s", (int)sizeof r->fields_why - 1,
			 fe.msg);
	return DESK_OK;
}
