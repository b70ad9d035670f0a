/* mailer.c: replies on their way to sendmail while the console goes on.
 * A reply is stored "queued" (core_post).  While undo_send_seconds is
 * not 0 it is held first (send_after): the status line counts down and
 * `u` takes it back (core_unsend); at its time it goes on like any.
 * Its sendmail command is started without waiting (outbound_job_start) and looked at from the
 * loop between keys, never blocking, until it ends or reaches
 * mail.sendmail_timeout; its outcome is recorded ("sent" only when the
 * command exited 0) and said on the status line.  Quitting with mail in
 * flight stops the commands and leaves their messages queued for
 * `desk outbox --retry`, which the console says on its way out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail.h"
#include "ui.h"
#include "util.h"

struct flight {
	struct outbound_job *job;
	int64_t ticket;
};

/* A reply held before sendmail may have it. */
struct held {
	int64_t ticket, msg_row, send_after;
	int64_t change; /* what core_post changed with it */
	char *canned;   /* the canned response it began from, or NULL */
};

struct mailer {
	struct flight *v;
	size_t n, cap;
	struct held *held; /* oldest first */
	size_t nheld, capheld;
	char countdown[160]; /* the status line as the countdown last set it */
};

bool mailer_busy(const struct app *a)
{
	return a->mailer && (a->mailer->n > 0 || a->mailer->nheld > 0);
}

static struct mailer *mailer_of(struct app *a)
{
	if (!a->mailer)
		a->mailer = xcalloc(1, sizeof *a->mailer);
	return a->mailer;
}

static void held_drop(struct mailer *m, size_t i)
{
	free(m->held[i].canned);
	memmove(&m->held[i], &m->held[i + 1], (m->nheld - i - 1) * sizeof *m->held);
	m->nheld--;
}

/* The status line after the outcome of the reply (or forward, a note:
 * forward.c) msg_row on ticket. */
static void say(struct app *a, int64_t ticket, int64_t msg_row, int rc, const struct derr *e)
{
	struct message m = {0};
	bool fwd = store_mail_message_get(a->d->st, msg_row, &m, NULL) == DESK_OK && m.forward_to;
	const char *what = fwd ? "Forward" : "Reply";
	if (rc == DESK_EBUSY) /* not a failure: it is not ours to send */
		app_msg(a, "%s on #%lld is being sent by another desk, or was sent: desk outbox "
			   "shows which.",
			what, (long long)ticket);
	else if (rc == DESK_OK && fwd)
		app_msg(a, "Forward on #%lld to %s sent: sendmail accepted it.", (long long)ticket,
			m.forward_to);
	else if (rc == DESK_OK)
		app_msg(a, "Reply on #%lld sent: sendmail accepted it.", (long long)ticket);
	else
		app_fail(a, "%s saved on #%lld; mail failed: %s, kept in the outbox (desk outbox "
			    "--retry).",
			 what, (long long)ticket, e->msg);
	message_free(&m);
}

static int start(struct app *a, int64_t ticket, int64_t msg_row)
{
	struct derr e = {0};
	struct outbound_job *job = NULL;
	if (outbound_job_start(a->d, msg_row, &job, &e)) {
		say(a, ticket, msg_row, e.code ? e.code : DESK_EIO, &e);
		return RD_STATUS | app_changed(a);
	}
	struct mailer *m = mailer_of(a);
	xgrow((void **)&m->v, &m->cap, m->n + 1, sizeof *m->v);
	m->v[m->n++] = (struct flight){job, ticket};
	app_msg(a, "Reply saved on #%lld; sendmail is taking it (queued)…", (long long)ticket);
	return RD_STATUS;
}

/* "Reply to #12 leaves in 8 s — u takes it back", while the status line
 * shows nothing newer than the countdown. */
static int count_down(struct app *a)
{
	struct mailer *m = a->mailer;
	if (!m || !m->nheld)
		return 0;
	bool ours = !m->countdown[0] || strcmp(a->msg, m->countdown) == 0;
	if (!ours)
		return 0;
	const struct held *h = &m->held[m->nheld - 1];
	int64_t left = h->send_after - time_now();
	char line[sizeof m->countdown];
	snprintf(line, sizeof line, "Reply to #%lld leaves in %lld s — u takes it back%s",
		 (long long)h->ticket, (long long)(left > 0 ? left : 0),
		 m->nheld > 1 ? " (the latest of them)" : "");
	if (strcmp(line, a->msg) == 0)
		return 0;
	app_msg(a, "%s", line);
	memcpy(m->countdown, line, sizeof line);
	return RD_STATUS;
}

int mailer_send_held(struct app *a, int64_t ticket, int64_t msg_row, int64_t change,
		     const char *canned)
{
	struct message msg = {0};
	int64_t after = 0;
	if (store_mail_message_get(a->d->st, msg_row, &msg, NULL) == DESK_OK)
		after = msg.send_after;
	message_free(&msg);
	if (after <= time_now())
		return start(a, ticket, msg_row);
	struct mailer *m = mailer_of(a);
	xgrow((void **)&m->held, &m->capheld, m->nheld + 1, sizeof *m->held);
	m->held[m->nheld++] = (struct held){ticket, msg_row, after, change,
					    canned ? xstrdup(canned) : NULL};
	m->countdown[0] = '\0';
	return count_down(a);
}

int mailer_send(struct app *a, int64_t ticket, int64_t msg_row)
{
	return mailer_send_held(a, ticket, msg_row, 0, NULL);
}

bool mailer_holds(const struct app *a)
{
	return a->mailer && a->mailer->nheld > 0;
}

int mailer_unsend(struct app *a)
{
	struct mailer *m = a->mailer;
	if (!m || !m->nheld)
		return 0;
	size_t i = m->nheld - 1;
	struct held h = m->held[i];
	struct derr e = {0};
	struct unsend_result r;
	int rc = core_unsend(a->d, h.msg_row, h.change, h.canned, &r, &e);
	/* Too late (another desk is sending it) or not: it is no longer ours
	 * to hold. */
	held_drop(m, i);
	m->countdown[0] = '\0';
	if (rc) {
		undo_result_free(&r.fields);
		return app_error(a, &e);
	}
	char files[96] = "";
	if (r.files)
		snprintf(files, sizeof files, " (without its %zu file%s: add the Attach: line%s again)",
			 r.files, r.files == 1 ? "" : "s", r.files == 1 ? "" : "s");
	if (r.fields_why[0])
		app_fail(a, "Reply to #%lld taken back: it is your draft again%s; its changes stay: %s",
			 (long long)h.ticket, files, r.fields_why);
	else if (r.files)
		app_fail(a, "Reply to #%lld taken back: it never left, it is your draft again%s%s.",
			 (long long)h.ticket, files,
			 r.fields_undone ? "; its changes are undone" : "");
	else
		app_msg(a, "Reply to #%lld taken back: it never left, it is your draft again%s.",
			(long long)h.ticket, r.fields_undone ? " and its changes are undone" : "");
	undo_result_free(&r.fields);
	return RD_STATUS | app_changed(a);
}

/* The held replies whose time came go to sendmail. */
static int release_due(struct app *a)
{
	struct mailer *m = a->mailer;
	int flags = 0;
	for (size_t i = 0; m && i < m->nheld;) {
		if (m->held[i].send_after > time_now()) {
			i++;
			continue;
		}
		int64_t ticket = m->held[i].ticket, row = m->held[i].msg_row;
		held_drop(m, i);
		m->countdown[0] = '\0';
		flags |= start(a, ticket, row);
	}
	return flags;
}

int mailer_quit_held(struct app *a, char *report, size_t size)
{
	struct mailer *m = a->mailer;
	int sent = 0, failed = 0;
	report[0] = '\0';
	if (m && m->nheld) {
		/* sendmail may take seconds: a frozen screen must say why. */
		app_msg(a, "Sending %zu held %s before leaving…", m->nheld,
			m->nheld == 1 ? "reply" : "replies");
		status_draw(a);
		if (a->msgwin)
			wrefresh(a->msgwin);
	}
	while (m && m->nheld) {
		struct derr e = {0};
		int64_t row = m->held[0].msg_row;
		held_drop(m, 0);
		/* It is what the agent asked for: it goes now, and we wait. */
		int rc = store_mail_release(a->d->st, row, &e);
		if (rc == DESK_OK)
			rc = outbound_send(a->d, row, &e);
		if (rc == DESK_OK)
			sent++;
		else
			failed++;
	}
	if (failed)
		snprintf(report, size,
			 "%d held %s: %d sent, %d not sent and kept in the outbox (desk outbox "
			 "--retry)",
			 sent + failed, sent + failed == 1 ? "reply" : "replies", sent, failed);
	else if (sent)
		snprintf(report, size, "%d held %s sent on the way out (sendmail accepted %s)",
			 sent, sent == 1 ? "reply was" : "replies were", sent == 1 ? "it" : "them");
	return failed;
}

int mailer_poll(struct app *a)
{
	struct mailer *m = a->mailer;
	int flags = release_due(a) | count_down(a);
	for (size_t i = 0; m && i < m->n;) {
		struct flight *f = &m->v[i];
		if (!outbound_job_step(f->job)) {
			i++;
			continue;
		}
		int64_t ticket = f->ticket;
		int64_t row = outbound_job_message(f->job);
		struct derr e = {0};
		int rc = outbound_job_finish(a->d, &f->job, &e);
		m->v[i] = m->v[--m->n];
		say(a, ticket, row, rc, &e);
		flags |= RD_STATUS | app_changed(a);
	}
	return flags;
}

int mailer_quit(struct app *a)
{
	mailer_poll(a); /* what ended already is recorded as it ended */
	struct mailer *m = a->mailer;
	int left = 0;
	for (size_t i = 0; m && i < m->n; i++) {
		struct derr e = {0};
		if (outbound_job_abandon(a->d, &m->v[i].job, &e) != DESK_OK)
			left++;
	}
	if (m)
		m->n = 0;
	return left;
}

void mailer_free(struct app *a)
{
	struct mailer *m = a->mailer;
	if (!m)
		return;
	mailer_quit(a);
	while (m->nheld)
		held_drop(m, 0);
	free(m->held);
	free(m->v);
	free(m);
	a->mailer = NULL;
}
