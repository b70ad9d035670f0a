/* survey_tick.c: the surveys `desk tick` mails.  Each solve that is due
 * is decided once, in its own transaction, and the decision recorded
 * (survey_requests, UNIQUE per solve): a second run, or two at once,
 * never mails a second survey for one solve, and never samples again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "internal_core.h"
#include "mail.h"
#include "util.h"

/* The survey's text: the question (canned placeholders expanded), then
 * the token's line, which a reply quoting the survey carries back even
 * when its mail program drops In-Reply-To. */
static int survey_body(struct desk *d, const struct ticket *t, const char *token, char **out,
		       struct derr *e)
{
	const struct survey_config *sc = &d->cfg->surveys;
	const char *q = sc->question ? sc->question : survey_default_question(sc->kind);
	struct customer cu = {0};
	int rc = store_customer_get(d->st, t->customer_id, &cu, e);
	char *text = NULL;
	if (rc == DESK_OK) {
		struct canned_ctx ctx = {.customer = &cu, .agent = NULL, .ticket = t};
		if ((rc = canned_expand(q, &ctx, &text, e)))
			derr_prefix(e, "surveys: question");
	}
	customer_free(&cu);
	if (rc)
		return rc;
	*out = xasprintf("%s\n\n(Survey reference: " SURVEY_TOKEN_MARK "%s; please keep it "
			 "in your reply.)\n",
			 text, token);
	free(text);
	return DESK_OK;
}

/* Why the solve gets no survey, into why ("" when it gets one). */
static int decide(struct desk *d, const struct ticket *t, const struct survey_candidate *c,
		  int64_t now, char *why, size_t size, struct derr *e)
{
	const struct survey_config *sc = &d->cfg->surveys;
	why[0] = '\0';
	if (str_empty(t->customer_email) || !mail_addr_valid(t->customer_email)) {
		snprintf(why, size, "the customer has no address desk can mail");
		return DESK_OK;
	}
	char *trouble = NULL;
	int rc = store_survey_mail_trouble(d->st, t->id, &trouble, e);
	if (rc)
		return rc;
	if (trouble) {
		snprintf(why, size, "%s", trouble);
		free(trouble);
		return DESK_OK;
	}
	if (!survey_sampled(t->id, c->solved_at, sc->sample)) {
		snprintf(why, size, "not in the %d%% sample (surveys: sample)", sc->sample);
		return DESK_OK;
	}
	int64_t last = 0;
	if ((rc = store_survey_last_sent(d->st, t->customer_id, &last, e)))
		return rc;
	if (last && now - last < sc->min_interval) {
		char when[40];
		time_format_rfc3339(last, when, sizeof when);
		snprintf(why, size, "the customer was surveyed on %s (surveys: min_interval)", when);
	}
	return DESK_OK;
}

/* One solve, in one transaction: decided, recorded, and when sent its
 * message queued. */
static int consider(struct desk *d, const struct survey_candidate *c, bool dry_run,
		    struct survey_action *a, struct derr *e)
{
	const struct survey_config *sc = &d->cfg->surveys;
	int64_t now = time_now();
	int rc = dry_run ? DESK_OK : core_begin(d, e);
	if (rc) {
		core_end(d, false);
		return rc;
	}
	struct ticket t = {0};
	bool gone = false, decided = false;
	if ((rc = store_ticket_get(d->st, c->ticket_id, &t, e)) == DESK_OK)
		/* read again inside the transaction: merged or reopened since,
		 * or decided by another desk tick running at the same time */
		rc = store_survey_decided(d->st, t.id, c->solved_at, &decided, e);
	if (rc == DESK_OK)
		gone = decided || t.merged_into || t.solved_at != c->solved_at ||
		       (t.status != ST_SOLVED && t.status != ST_CLOSED);
	if (rc == DESK_OK && !gone)
		rc = decide(d, &t, c, now, a->reason, sizeof a->reason, e);
	a->sent = rc == DESK_OK && !gone && !a->reason[0];
	if (dry_run || gone || rc) {
		if (!dry_run) { /* nothing was written */
			store_rollback(d->st);
			core_end(d, false);
		}
		if (gone)
			snprintf(a->reason, sizeof a->reason, "%s",
				 decided ? "decided by another desk tick meanwhile"
					 : "the ticket changed meanwhile");
		ticket_free(&t);
		return rc;
	}
	struct survey_request r = {.ticket_id = t.id, .customer_id = t.customer_id,
				   .solved_at = c->solved_at, .decided_at = now, .kind = sc->kind};
	char token[SURVEY_TOKEN_LEN + 1];
	char *body = NULL, *mid = NULL, *dom = NULL;
	if (a->sent) {
		rc = survey_token_new(token, e);
		if (rc == DESK_OK)
			rc = survey_body(d, &t, token, &body, e);
		if (rc == DESK_OK) {
			char *any = outbound_new_message_id(d, t.id);
			dom = xstrdup(strchr(any, '@') + 1);
			free(any);
			mid = xasprintf(SURVEY_TOKEN_MARK "%s@%s", token, dom);
			struct message m = {.ticket_id = t.id, .kind = MSG_SYSTEM, .body = body,
					    .created_at = now, .message_id = mid,
					    .delivery = (char *)"queued"};
			if ((rc = store_message_insert(d->st, &m, e)) == DESK_OK)
				a->msg = r.message_row = m.id;
		}
		r.sent = true;
		r.token = token;
	} else {
		r.reason = a->reason;
	}
	if (rc == DESK_OK)
		rc = store_survey_request_insert(d->st, &r, e);
	if (rc == DESK_OK)
		rc = core_event(d, t.id, "survey", a->sent ? "sent" : "skipped", NULL,
				a->sent ? survey_kind_name(sc->kind) : a->reason, e);
	rc = core_survey_finish(d, rc, e);
	if (rc)
		a->msg = 0;
	free(body);
	free(mid);
	free(dom);
	ticket_free(&t);
	return rc;
}

int core_survey_tick(struct desk *d, bool dry_run,
		     void (*report)(const struct survey_action *, void *), void *arg,
		     size_t *sent, size_t *skipped, size_t *failed, struct derr *e)
{
	*sent = *skipped = *failed = 0;
	if (d->me.role != ROLE_SUPERVISOR && d->me.role != ROLE_ADMIN)
		return derr_set(e, DESK_EDENIED,
				"desk tick mails every agent's customers: only a supervisor or an "
				"admin may run it (%s is an agent)",
				d->me.login);
	const struct survey_config *sc = d->cfg ? &d->cfg->surveys : NULL;
	if (!sc || !sc->enabled)
		return DESK_OK;
	if (str_empty(d->cfg->mail.support_address))
		return derr_set(e, DESK_EINVAL,
				"%s:%d: surveys are on, but mail is not set up "
				"(mail.support_address): no survey can be mailed",
				d->cfg->source ? d->cfg->source : "config", sc->line);
	int64_t now = time_now();
	struct survey_candidate *c = NULL;
	size_t n = 0;
	int rc = store_survey_candidates(d->st, sc->channels, now - sc->delay - SURVEY_STALE_AFTER,
					 now - sc->delay, &c, &n, e);
	for (size_t i = 0; rc == DESK_OK && i < n; i++) {
		struct survey_action a = {.ticket = c[i].ticket_id};
		if (consider(d, &c[i], dry_run, &a, &a.err)) {
			a.failed = true;
			++*failed;
		} else if (a.sent) {
			++*sent;
		} else if (a.reason[0]) {
			++*skipped;
		}
		if (report)
			report(&a, arg);
	}
	free(c);
	return rc;
}
