/* mailer.c: replies on their way to sendmail while the console goes on.
 * A reply is stored "queued" (core_post); its sendmail command is then
 * started without waiting (outbound_job_start) and looked at from the
 * loop between keys, never blocking, until it ends or reaches
 * mail.sendmail_timeout; its outcome is recorded ("sent" only when the
 * command exited 0) and said on the status line.  Quitting with mail in
 * flight stops the commands and leaves their messages queued for
 * `desk outbox --retry`, which the console says on its way out. */
#include <stdio.h>
#include <stdlib.h>

#include "mail.h"
#include "ui.h"
#include "util.h"

struct flight {
	struct outbound_job *job;
	int64_t ticket;
};

struct mailer {
	struct flight *v;
	size_t n, cap;
};

bool mailer_busy(const struct app *a)
{
	return a->mailer && a->mailer->n > 0;
}

/* The status line after the outcome of the reply on ticket. */
static void say(struct app *a, int64_t ticket, int rc, const struct derr *e)
{
	if (rc == DESK_OK)
		app_msg(a, "Reply on #%lld sent: sendmail accepted it.", (long long)ticket);
	else
		app_fail(a, "Reply saved on #%lld; mail failed: %s, kept in the outbox (desk outbox "
			    "--retry).",
			 (long long)ticket, e->msg);
}

int mailer_send(struct app *a, int64_t ticket, int64_t msg_row)
{
	struct derr e = {0};
	struct outbound_job *job = NULL;
	if (outbound_job_start(a->d, msg_row, &job, &e)) {
		say(a, ticket, e.code ? e.code : DESK_EIO, &e);
		return RD_STATUS | app_changed(a);
	}
	if (!a->mailer)
		a->mailer = xcalloc(1, sizeof *a->mailer);
	struct mailer *m = a->mailer;
	xgrow((void **)&m->v, &m->cap, m->n + 1, sizeof *m->v);
	m->v[m->n++] = (struct flight){job, ticket};
	app_msg(a, "Reply saved on #%lld; sendmail is taking it (queued)…", (long long)ticket);
	return RD_STATUS;
}

int mailer_poll(struct app *a)
{
	struct mailer *m = a->mailer;
	int flags = 0;
	for (size_t i = 0; m && i < m->n;) {
		struct flight *f = &m->v[i];
		if (!outbound_job_step(f->job)) {
			i++;
			continue;
		}
		int64_t ticket = f->ticket;
		struct derr e = {0};
		int rc = outbound_job_finish(a->d, &f->job, &e);
		m->v[i] = m->v[--m->n];
		say(a, ticket, rc, &e);
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
	free(m->v);
	free(m);
	a->mailer = NULL;
}
