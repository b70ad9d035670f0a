/* compose.c: writing replies, notes and a new ticket's first note in
 * the agent's $EDITOR, calcurse-style: curses is suspended, the editor
 * runs on a private file (mkstemp, 0600, in a 0700 directory) prefilled
 * with the canned response and the customer's last message quoted below
 * a marker line, then the terminal comes back at its new size.  While
 * the editor runs, desk polls it (waitpid WNOHANG) and saves the file's
 * text as a draft whenever it changed, so a kill -9, a crash or a
 * dropped ssh session loses at most the last second or two.  On return:
 * send, edit again, postpone (a draft in the database, offered next
 * time) or discard.  Before sending, a customer message or another
 * agent's reply that arrived meanwhile is shown, with the choice to send
 * anyway, edit again or postpone.  Work is never lost: a failed send, a
 * signal or a lost terminal keeps the text as a draft (or in its file).
 * A reply's copies are lines "Cc: ADDR" and "Bcc: ADDR" at the top of
 * its text (compose_copies), taken off and checked before sending; a
 * bad address asks again with the text kept.
 *
 * This file holds the lifecycle: the compose file, drafts, sending,
 * editing again and rescue on exit; compose.h lists the files that do
 * the other parts. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compose.h"
#include "format.h"
#include "mail.h"
#include "priv.h"
#include "text.h"
#include "ui.h"
#include "util.h"

void compose_free(struct compose **cp)
{
	struct compose *c = *cp;
	if (!c)
		return;
	if (!c->keep_file) {
		if (c->path)
			unlink(c->path);
		if (c->dir)
			rmdir(c->dir);
	}
	free(c->dir);
	free(c->path);
	free(c->body);
	free(c->saved);
	free(c->signature);
	free(c->kb_slug);
	free(c->kb_marker);
	free(c->name);
	free(c->email);
	free(c->subject);
	free(c);
	*cp = NULL;
}

/* The agent's own file (editfile.c), named for what it holds. */
int compose_write_file(struct compose *c, const char *content, struct derr *e)
{
	return editfile_make(c->purpose == P_NEW ? "ticket" : c->kind == MSG_NOTE ? "note" : "reply",
			     content, &c->dir, &c->path, e);
}

/* Reads the file back; false (and the file kept) if it cannot be read. */
static bool read_back(struct app *a, struct compose *c)
{
	char *text = priv_read_file(c->path, NULL);
	if (!text) {
		c->keep_file = true;
		app_fail(a, "Cannot read %s back (%s); your text stays there.", c->path,
			 strerror(errno));
		return false;
	}
	free(c->body);
	c->body = compose_strip(text);
	free(text);
	return true;
}

bool compose_blank(const char *s)
{
	for (; s && *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return false;
	return true;
}

const char *compose_what(const struct compose *c)
{
	return c->purpose == P_NEW ? "ticket" : c->kind == MSG_NOTE ? "note" : "reply";
}

/* The text as a draft, with the canned response it started from and the
 * knowledge base article put in it. */
static int save_draft(struct app *a, struct compose *c, const char *body, struct derr *e)
{
	int rc = store_draft_save_canned(a->d->st, c->ticket, a->d->me.id, c->kind, body,
					 c->canned ? c->canned->name : NULL, e);
	if (rc == DESK_OK && c->kb_slug && c->kind == MSG_REPLY)
		rc = store_draft_article_set(a->d->st, c->ticket, a->d->me.id, c->kb_slug,
					     c->kb_marker, e);
	return rc;
}

/* The draft is not wanted any more (discarded, emptied). */
void compose_drop_draft(struct app *a, struct compose *c)
{
	if (c->purpose == P_POST)
		store_draft_delete(a->d->st, c->ticket, a->d->me.id, c->kind, NULL);
}

/* Called about every second while the editor runs: this agent is still
 * replying, and the file's text is saved when it changed. */
static void autosave(struct app *a, void *data)
{
	struct compose *c = data;
	presence_tick(a, false);
	if (c->purpose != P_POST)
		return;
	char *text = priv_read_file(c->path, NULL);
	if (!text)
		return;
	char *body = compose_strip(text);
	free(text);
	if (!compose_blank(body) && (!c->saved || strcmp(c->saved, body) != 0) &&
	    save_draft(a, c, body, NULL) == DESK_OK) {
		free(c->saved);
		c->saved = body;
		body = NULL;
	}
	free(body);
}

int64_t compose_ticket(const struct app *a)
{
	return a->compose && a->compose->purpose == P_POST ? a->compose->ticket : 0;
}

int compose_postpone(struct app *a)
{
	struct compose *c = a->compose;
	struct derr e = {0};
	if (save_draft(a, c, c->body, &e)) {
		c->keep_file = true;
		app_fail(a, "Could not save the draft (%s); your text is in %s", e.msg, c->path);
	} else {
		app_msg(a, "Draft saved: %s on #%lld offers it again.",
			c->kind == MSG_NOTE ? "a note" : "a reply", (long long)c->ticket);
	}
	compose_free(&a->compose);
	return RD_STATUS | app_changed(a); /* the queue row's draft mark */
}

/* The database took neither the text nor its draft: into a file of the
 * agent's, named in the message line until dismissed. */
static void keep_unsent(struct app *a, struct compose *c, const char *why)
{
	struct derr e = {0};
	char *path = unsent_keep(c->ticket, c->kind, c->body, &e);
	const char *what = c->kind == MSG_NOTE ? "Note not added" : "Reply not sent";
	if (path) {
		free(a->unsent);
		a->unsent = path;
		/* The path first: the reason may be longer than the line. */
		app_fail(a, "%s; its text is kept in %s: %s", what, path, why);
	} else {
		c->keep_file = true;
		app_fail(a, "%s: %s; your text is in %s", what, why, c->path);
	}
}

int compose_send(struct app *a)
{
	struct compose *c = a->compose;
	struct derr e = {0};
	int rc = DESK_OK;
	if (c->purpose == P_NEW)
		return compose_create_ticket(a);
	int count = 0;
	char *detail = compose_collision(a, c, &count);
	if (detail) {
		int flags = compose_ask_collision(a, detail, count);
		free(detail);
		return flags;
	}
	struct field_change ch[MAX_CHANGES + 1];
	size_t n = c->canned ? canned_changes(c->canned, a->d->me.login, ch, MAX_CHANGES) : 0;
	if (c->finish >= 0) {
		/* "send and solve" wins over the canned response's status,
		 * in the same transaction as the reply. */
		size_t k = 0;
		for (size_t i = 0; i < n; i++)
			if (ch[i].field != FIELD_STATUS)
				ch[k++] = ch[i];
		n = k;
		ch[n++] = (struct field_change){FIELD_STATUS, status_name((enum status)c->finish)};
	}
	int finish = c->finish;
	int64_t msg_id = 0;
	struct time_log tl = {.seconds = c->time_seconds, .measured = c->time_measured};
	bool timed = timelog_on(a) && tl.seconds > 0;
	/* the header block on top: Cc:, Bcc: and Attach: lines, then a
	 * blank line; the draft keeps them */
	char *cc = NULL, *bcc = NULL, *text = NULL;
	struct outgoing_file *files = NULL;
	size_t nfiles = 0;
	if (c->kind == MSG_REPLY) {
		if ((rc = compose_copies_of(c, &cc, &bcc, &text, &e)))
			return compose_ask_what_now(a, e.msg); /* the text stays: e edits it */
		rc = compose_take_files(a->d->cfg, &text, &files, &nfiles, &e);
	}
	/* an article counts as used only if the reply still holds it */
	const char *slugs[] = {c->kb_slug};
	bool used = c->kb_slug && c->kind == MSG_REPLY && strstr(c->body, c->kb_marker);
	struct post_extras x = {.cc = cc, .bcc = bcc, .files = files, .nfiles = nfiles,
				.time = timed ? &tl : NULL, .articles = used ? slugs : NULL,
				.narticles = used ? 1 : 0};
	if (rc == DESK_OK)
		rc = core_post_with(a->d, c->ticket, c->kind, text ? text : c->body, &x, ch, n,
				    &msg_id, &e);
	outgoing_files_free(&files, nfiles);
	free(cc);
	free(bcc);
	free(text);
	if (rc) {
		struct derr e2 = {0};
		if (save_draft(a, c, c->body, &e2) == DESK_OK)
			app_fail(a, "Not %s: %s; kept as a draft.", c->kind == MSG_NOTE ? "added" : "sent",
				 e.msg);
		else
			keep_unsent(a, c, e.msg);
		compose_free(&a->compose);
		return RD_STATUS;
	}
	int64_t id = c->ticket;
	bool note = c->kind == MSG_NOTE;
	char *canned = c->canned ? xstrdup(c->canned->name) : NULL;
	if (timelog_on(a))
		timelog_recorded(a, id); /* offered: taken, edited or declined */
	compose_free(&a->compose);
	int flags = app_changed(a);
	const char *also = finish >= 0 ? status_name((enum status)finish) : NULL;
	if (note) {
		free(canned);
		app_msg(a, "Note added to #%lld%s%s.", (long long)id, also ? "; now " : "",
			also ? also : "");
		return flags | RD_STATUS;
	}
	/* "Sent" only once sendmail took it: until then it is queued, and
	 * the console goes on meanwhile. */
	struct message m = {0};
	bool queued = store_mail_message_get(a->d->st, msg_id, &m, NULL) == DESK_OK &&
		      m.delivery && strcmp(m.delivery, "queued") == 0;
	message_free(&m);
	if (queued) {
		/* Held for undo send: the change core_post made goes with it. */
		flags |= mailer_send_held(a, id, msg_id, a->d->change_id, canned);
		free(canned);
		return flags;
	}
	free(canned);
	char why[200] = "";
	struct ticket t;
	if (store_ticket_get(a->d->st, id, &t, NULL) == DESK_OK) {
		outbound_plan(a->d, &t, why, sizeof why);
		ticket_free(&t);
	}
	app_msg(a, "Reply saved on #%lld%s%s; not mailed%s%s.", (long long)id,
		also ? ", now " : "", also ? also : "", *why ? ": " : "", why);
	return flags | RD_STATUS;
}

int compose_edit(struct app *a)
{
	struct compose *c = a->compose;
	struct derr e = {0};
	int rc = editor_run(a, c->path, autosave, c, &e);
	if (!read_back(a, c)) {
		compose_free(&a->compose);
		return RD_ALL;
	}
	if (rc)
		app_error(a, &e);
	if (c->purpose == P_POST && (compose_blank(c->body) || core_signature_only(c->body, c->signature))) {
		app_msg(a, "The %s is empty: nothing was sent.", compose_what(c));
		compose_drop_draft(a, c);
		compose_free(&a->compose);
		return RD_ALL;
	}
	/* A bad copy is said at once, not only when sending. */
	char *cc = NULL, *bcc = NULL, *text = NULL;
	if (c->kind == MSG_REPLY && compose_copies_of(c, &cc, &bcc, &text, &e))
		return compose_ask_what_now(a, e.msg) | RD_ALL;
	free(cc);
	free(bcc);
	free(text);
	return compose_ask_what_now(a, NULL) | RD_ALL;
}

char *compose_rescue(struct app *a)
{
	struct compose *c = a->compose;
	if (!c)
		return NULL;
	char *line = NULL;
	char *text = priv_read_file(c->path, NULL);
	if (text) {
		free(c->body);
		c->body = compose_strip(text);
		free(text);
	}
	struct derr e = {0};
	if (c->purpose == P_POST && c->body && !compose_blank(c->body) &&
	    save_draft(a, c, c->body, &e) == DESK_OK) {
		line = xasprintf("your unsent %s on #%lld was kept as a draft", compose_what(c),
				 (long long)c->ticket);
	} else if (c->body && !compose_blank(c->body)) {
		char *kept = c->purpose == P_POST ? unsent_keep(c->ticket, c->kind, c->body, &e)
						  : NULL;
		if (kept) {
			line = xasprintf("your unsent %s on #%lld is kept in %s", compose_what(c),
					 (long long)c->ticket, kept);
			free(kept);
		} else {
			c->keep_file = true;
			line = xasprintf("your unsent text is in %s", c->path);
		}
	}
	compose_free(&a->compose);
	return line;
}
