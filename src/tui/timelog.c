/* timelog.c: time spent on tickets in the console: the stopwatch fed
 * by the loop and the editor, and W (log-time), which asks for a
 * duration (the time measured offered: Enter takes it) and a note. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui.h"
#include "util.h"

bool timelog_on(const struct app *a)
{
	return !a->cfg || a->cfg->time_tracking.enabled;
}

void timelog_touch(struct app *a)
{
	if (!timelog_on(a))
		return;
	bool away = a->overlay && a->overlay->ops->off_ticket;
	stopwatch_touch(&a->sw, away ? 0 : a->cur_id, app_now_ms());
}

int64_t timelog_measured(struct app *a, int64_t ticket)
{
	if (!timelog_on(a))
		return 0;
	/* to the nearest second: 4m11.6s is offered as 4m12s */
	return (stopwatch_ms(&a->sw, ticket, app_now_ms()) + 500) / 1000;
}

void timelog_recorded(struct app *a, int64_t ticket)
{
	stopwatch_reset(&a->sw, ticket, app_now_ms());
}

/* What W asked so far: the ticket, the duration, and whether it is the
 * time measured as offered. */
struct logging {
	int64_t ticket;
	int64_t seconds;
	bool measured;
	char offered[32]; /* "" when nothing was measured */
};

static int log_now(struct app *a, const struct logging *lg, const char *note)
{
	struct time_log tl = {.seconds = lg->seconds, .measured = lg->measured, .note = note};
	struct derr e = {0};
	if (core_time_log(a->d, lg->ticket, &tl, &e))
		return app_error(a, &e);
	timelog_recorded(a, lg->ticket);
	int64_t total = 0;
	store_time_total(a->d->st, lg->ticket, &total, NULL);
	char dur[32], sum[32];
	time_format_duration(lg->seconds, dur, sizeof dur);
	time_format_duration(total, sum, sizeof sum);
	app_msg(a, "Logged %s on #%lld (%s in all).", dur, (long long)lg->ticket, sum);
	return app_changed(a) | RD_STATUS;
}

static int note_given(struct app *a, const char *text, void *data)
{
	if (!text) {
		app_msg(a, "No time logged.");
		return RD_STATUS;
	}
	return log_now(a, data, text);
}

static int ask_duration(struct app *a, struct logging *lg, const char *initial,
			const char *bad);

static int duration_given(struct app *a, const char *text, void *data)
{
	struct logging *lg = data;
	if (!text || !*text) {
		app_msg(a, "No time logged.");
		return RD_STATUS;
	}
	if (!duration_parse(text, &lg->seconds)) {
		struct logging *again = xmalloc(sizeof *again);
		*again = *lg;
		return ask_duration(a, again, text, text);
	}
	lg->measured = lg->offered[0] && strcmp(text, lg->offered) == 0;
	struct logging *next = xmalloc(sizeof *next);
	*next = *lg;
	char *label = xasprintf("Note for %s on #%lld (Enter: none): ", text, (long long)lg->ticket);
	struct prompt_spec s = {.label = label, .history = PH_ARG, .mode = "log time",
				.done = note_given, .data = next, .free_data = free};
	int flags = prompt_open(a, &s);
	free(label);
	return flags;
}

/* Takes lg (freed with the prompt).  bad: what was typed before and
 * could not be read, said in the question (the message line is under
 * the prompt). */
static int ask_duration(struct app *a, struct logging *lg, const char *initial,
			const char *bad)
{
	char *label = bad ? xasprintf("\"%.20s\": expected a duration like 15m. Time spent on "
				      "#%lld: ",
				      bad, (long long)lg->ticket)
			  : xasprintf("Time spent on #%lld (15m, 1h30m, 90s): ",
				      (long long)lg->ticket);
	struct prompt_spec s = {.label = label, .initial = initial, .history = -1,
				.mode = "log time", .done = duration_given, .data = lg,
				.free_data = free};
	int flags = prompt_open(a, &s);
	free(label);
	return flags;
}

int act_log_time(struct app *a, const char *arg)
{
	struct logging lg = {.ticket = a->cur_id};
	int64_t measured = timelog_measured(a, a->cur_id);
	if (measured > 0)
		time_format_duration(measured, lg.offered, sizeof lg.offered);
	if (arg) {
		/* `:log-time 15m the rest is the note` */
		char *span = xstrdup(arg);
		span[strcspn(span, " ")] = '\0';
		const char *note = arg + strlen(span);
		note += strspn(note, " ");
		int flags;
		if (!duration_parse(span, &lg.seconds)) {
			app_fail(a, "log-time %.40s: expected a duration like 15m, 1h30m or 90s.", span);
			flags = RD_STATUS;
		} else {
			flags = log_now(a, &lg, note);
		}
		free(span);
		return flags;
	}
	struct logging *p = xmalloc(sizeof *p);
	*p = lg;
	return ask_duration(a, p, lg.offered, NULL);
}
