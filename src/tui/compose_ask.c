/* compose_ask.c: the question after the editor closes (send, send and
 * solve or wait, edit again, time spent, postpone, discard) and what
 * each answer does.  The question says what sending will do, so the
 * agent need not guess: whether the reply is mailed (and to which
 * copies), or why not, and the time that will be recorded with it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compose.h"
#include "format.h"
#include "mail.h"
#include "text.h"
#include "ui.h"
#include "util.h"

static int ask_time(struct app *a, const char *bad);

static int confirm_discard(struct app *a, const char *answer, void *data)
{
	if (!a->compose)
		return 0;
	if (answer && answer[0] == 'y') {
		app_msg(a, "Discarded.");
		compose_drop_draft(a, a->compose);
		compose_free(&a->compose);
		return RD_STATUS | app_changed(a); /* the queue row's draft mark */
	}
	return compose_ask_what_now(a, NULL);
}

static int what_now(struct app *a, const char *answer, void *data)
{
	struct compose *c = a->compose;
	if (!c)
		return 0;
	switch (answer ? answer[0] : 0) {
	case 's': c->finish = -1; return compose_send(a);
	case 'S': c->finish = ST_SOLVED; return compose_send(a);
	case 'W': c->finish = ST_PENDING; return compose_send(a);
	case 'e': return compose_edit(a);
	case 't': return ask_time(a, NULL);
	case 'd': {
		char *label = xasprintf("Discard this %s? (y/n) ", compose_what(c));
		struct prompt_spec s = {.label = label, .choices = "yn", .history = -1,
					.mode = "discard", .done = confirm_discard};
		int flags = prompt_open(a, &s);
		free(label);
		return flags;
	}
	case 'p':
		if (c->purpose == P_POST)
			return compose_postpone(a);
		return compose_ask_what_now(a, NULL);
	default:
		/* Esc: nothing is lost, the text waits as a draft. */
		if (c->purpose == P_POST)
			return compose_postpone(a);
		return compose_ask_what_now(a, NULL);
	}
}

/* The copies the text asks for, for the question: ", Cc a@x, Bcc b@y"
 * (sanitized, as typed), or "". */
static const char *copies_hint(const struct compose *c)
{
	static char hint[160];
	char *cc, *bcc, *rest;
	compose_copies(c->body, &cc, &bcc, &rest);
	char *safe_cc = cc ? text_sanitize(cc, 0) : NULL;
	char *safe_bcc = bcc ? text_sanitize(bcc, 0) : NULL;
	snprintf(hint, sizeof hint, "%s%s%s%s", cc ? ", Cc " : "", cc ? safe_cc : "",
		 bcc ? ", Bcc " : "", bcc ? safe_bcc : "");
	free(safe_cc);
	free(safe_bcc);
	free(cc);
	free(bcc);
	free(rest);
	return hint;
}

/* Whether the reply will be mailed, for the question: " (by mail)" or
 * " (not mailed: a phone ticket)". */
static const char *mail_hint(struct app *a, const struct compose *c)
{
	static char hint[96];
	struct ticket t;
	if (store_ticket_get(a->d->st, c->ticket, &t, NULL) != DESK_OK)
		return "";
	char why[200];
	if (outbound_plan(a->d, &t, why, sizeof why))
		snprintf(hint, sizeof hint, " (by mail%s)", copies_hint(c));
	else if (!a->cfg || str_empty(a->cfg->mail.support_address))
		hint[0] = '\0'; /* this desk sends no mail: nothing to say */
	else if (str_empty(t.customer_email) || !strchr(t.customer_email, '@'))
		snprintf(hint, sizeof hint, " (not mailed: no address)");
	else
		snprintf(hint, sizeof hint, " (not mailed: a %s ticket)", channel_name(t.channel));
	ticket_free(&t);
	return hint;
}

/* The time offered with the message: "time 4m12s, " ("" when the
 * team does not track time).  The measured time is read when the
 * question is asked, so what is shown is what is recorded. */
static const char *time_hint(struct app *a, struct compose *c, char *buf, size_t size)
{
	if (!timelog_on(a))
		return "";
	if (!c->time_edited) {
		c->time_seconds = timelog_measured(a, c->ticket);
		c->time_measured = true;
	}
	char dur[32] = "none";
	if (c->time_seconds > 0)
		time_format_duration(c->time_seconds, dur, sizeof dur);
	snprintf(buf, size, " time %s,", dur);
	return buf;
}

static int time_answer(struct app *a, const char *answer, void *data)
{
	struct compose *c = a->compose;
	if (!c)
		return 0;
	if (!answer) /* Esc: as it was */
		return compose_ask_what_now(a, NULL);
	int64_t secs = 0;
	if (*answer && !duration_parse(answer, &secs))
		return ask_time(a, answer);
	char offered[32] = "";
	if (c->time_seconds > 0)
		time_format_duration(c->time_seconds, offered, sizeof offered);
	/* Taken as offered stays measured; typed is the agent's own. */
	c->time_measured = c->time_measured && strcmp(answer, offered) == 0;
	c->time_seconds = secs;
	c->time_edited = true;
	return compose_ask_what_now(a, NULL);
}

/* bad: what was typed before and could not be read (said in the
 * question: the message line is under the prompt). */
static int ask_time(struct app *a, const char *bad)
{
	struct compose *c = a->compose;
	char offered[32] = "";
	if (c->time_seconds > 0)
		time_format_duration(c->time_seconds, offered, sizeof offered);
	char *label = bad ? xasprintf("\"%.20s\": expected a duration like 15m. Time spent on "
				      "#%lld: ",
				      bad, (long long)c->ticket)
			  : xasprintf("Time spent on #%lld (15m, 1h30m; empty: none): ",
				      (long long)c->ticket);
	struct prompt_spec s = {.label = label, .initial = bad ? bad : offered, .history = -1,
				.mode = "time spent", .done = time_answer};
	int flags = prompt_open(a, &s);
	free(label);
	return flags;
}

int compose_ask_what_now(struct app *a, const char *why)
{
	struct compose *c = a->compose;
	char *label;
	const char *choices;
	if (c->purpose == P_NEW && c->outbound) {
		char *to = text_sanitize(c->email ? c->email : "the customer", 0);
		label = xasprintf("%s%sCreate the ticket and mail it to %s%s? (s)end, (e)dit, "
				  "(d)iscard: ",
				  why ? why : "", why ? ". " : "", to, copies_hint(c));
		free(to);
		choices = "sed";
	} else if (c->purpose == P_NEW) {
		label = xasprintf("Create the ticket? (s)ave, (e)dit, (d)iscard: ");
		choices = "sed";
	} else {
		bool note = c->kind == MSG_NOTE;
		char spent[48] = "";
		const char *hint = time_hint(a, c, spent, sizeof spent);
		label = xasprintf("%s%s%s #%lld?%s%s (s)end, %s%s(e)dit, (p)ostpone, (d)iscard: ",
				  why ? why : "", why ? ". " : "",
				  note ? "Add the note to" : "Send the reply on", (long long)c->ticket,
				  note ? "" : mail_hint(a, c), hint,
				  note ? "" : "(S)end+solve, send+(W)ait (pending), ",
				  *hint ? "(t)ime, " : "");
		choices = !*hint ? (note ? "sepd" : "sepdSW") : note ? "sepdt" : "sepdSWt";
	}
	struct prompt_spec s = {.label = label, .choices = choices, .history = -1,
				.mode = c->purpose == P_NEW ? "new ticket" : compose_what(c),
				.done = what_now};
	int flags = prompt_open(a, &s);
	free(label);
	return flags;
}
