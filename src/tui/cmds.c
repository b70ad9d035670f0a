/* cmds.c: the handlers of the action table that are not about views or
 * composing: moving between panes and tickets, the workflow actions on
 * the selected ticket (each through core/, exactly as the command line
 * does them), and the command prompt.  Handlers never draw: they
 * return what must be redrawn. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "ui.h"
#include "util.h"

#define MAX_TAGS 32

/* --- moving ------------------------------------------------------------ */

int act_pane(struct app *a, const char *arg)
{
	struct pane *p = a->pane[a->focus];
	int flags = p->ops->key(p, a, a->action, 0);
	return flags & RD_UNHANDLED ? 0 : flags;
}

static bool parse_id(const char *s, int64_t *id)
{
	char *end;
	while (*s == ' ' || *s == '#')
		s++;
	long long v = strtoll(s, &end, 10);
	while (*end == ' ')
		end++;
	if (end == s || *end || v <= 0)
		return false;
	*id = v;
	return true;
}

int act_open(struct app *a, const char *arg)
{
	if (!arg) {
		struct pane *p = a->pane[a->focus];
		int flags = p->ops->key(p, a, ACT_OPEN, 0);
		return flags & RD_UNHANDLED ? 0 : flags;
	}
	int64_t id;
	struct ticket t;
	struct derr e = {0};
	if (!parse_id(arg, &id)) {
		app_fail(a, "\"%s\" is not a ticket number.", arg);
		return RD_STATUS;
	}
	if (store_ticket_get(a->d->st, id, &t, &e))
		return app_error(a, &e);
	ticket_free(&t);
	return app_show(a, id, false) | app_focus(a, PANE_CONV);
}

int act_focus_next(struct app *a, const char *arg)
{
	return app_focus(a, (enum pane_id)((a->focus + 1) % PANE__COUNT));
}

int act_focus_prev(struct app *a, const char *arg)
{
	return app_focus(a, (enum pane_id)((a->focus + PANE__COUNT - 1) % PANE__COUNT));
}

int act_history(struct app *a, const char *arg)
{
	return app_focus(a, PANE_HIST);
}

static int ticket_step(struct app *a, int dir)
{
	int flags = RD_STATUS;
	if (!queue_step(a, dir, &flags))
		app_msg(a, dir > 0 ? "That is the last ticket of the view."
				   : "That is the first ticket of the view.");
	return flags | app_show(a, queue_selected(a), true);
}

int act_next_ticket(struct app *a, const char *arg)
{
	/* Nothing done since the view came up: its first, most urgent
	 * ticket is the next one to work on, not the one after it. */
	if (a->was_view_fresh && queue_selected(a))
		return app_show(a, queue_selected(a), true) | app_focus(a, PANE_CONV);
	return ticket_step(a, 1);
}

int act_prev_ticket(struct app *a, const char *arg)
{
	return ticket_step(a, -1);
}

/* --- changing the ticket ----------------------------------------------- */

/* After a core action: the error, or the news and a reload. */
static int result(struct app *a, int rc, const struct derr *e, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int result(struct app *a, int rc, const struct derr *e, const char *fmt, ...)
{
	if (rc)
		return app_error(a, e);
	int flags = app_changed(a);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(a->msg, sizeof a->msg, fmt, ap);
	va_end(ap);
	a->msg_error = false;
	return flags | RD_STATUS;
}

static int confirm_merge(struct app *a, const char *answer, void *data)
{
	const int64_t *ids = data;
	if (!answer || answer[0] != 'y') {
		app_msg(a, "Not merged.");
		return RD_STATUS;
	}
	struct derr e = {0};
	int rc = core_merge(a->d, ids[0], ids[1], &e);
	int flags = result(a, rc, &e, "Ticket #%lld merged into #%lld.", (long long)ids[0],
			   (long long)ids[1]);
	if (!rc)
		flags |= app_show(a, ids[1], false);
	return flags;
}

static int merge(struct app *a, int64_t id, const char *arg)
{
	int64_t into;
	struct ticket t;
	struct derr e = {0};
	if (!parse_id(arg, &into)) {
		app_fail(a, "\"%s\" is not a ticket number.", arg);
		return RD_STATUS;
	}
	if (store_ticket_get(a->d->st, into, &t, &e))
		return app_error(a, &e);
	char *subject = text_sanitize(t.subject, 0);
	char *label = xasprintf("Merge #%lld into #%lld \"%s\"? (y/n) ", (long long)id,
				(long long)into, subject);
	free(subject);
	ticket_free(&t);
	int64_t *ids = xcalloc(2, sizeof *ids);
	ids[0] = id;
	ids[1] = into;
	struct prompt_spec s = {.label = label, .choices = "yn", .history = -1, .mode = "merge",
				.done = confirm_merge, .data = ids, .free_data = free};
	int flags = prompt_open(a, &s);
	free(label);
	return flags;
}

static int apply_asked(struct app *a, int action, int64_t id, const char *arg, bool asked);

static int tags_yes(struct app *a, const char *list, void *data)
{
	const int64_t *id = data;
	return apply_asked(a, ACT_TAG_ADD, *id, list, true);
}

/* Runs action on ticket id with its argument (from `:` or a prompt). */
static int apply(struct app *a, int action, int64_t id, const char *arg)
{
	return apply_asked(a, action, id, arg, false);
}

/* The same; asked: the agent said yes to the new tags already. */
static int apply_asked(struct app *a, int action, int64_t id, const char *arg, bool asked)
{
	struct derr e = {0};
	char *v = xstrdup(arg);
	str_trim(v);
	int rc, flags = RD_STATUS, x;
	switch (action) {
	case ACT_STATUS: {
		/* ":status pending 3d": a follow-up time after the status */
		char *until = v + strcspn(v, " ");
		if (*until)
			*until++ = '\0';
		until = str_trim(until);
		if ((x = status_from_name(v)) < 0) {
			app_fail(a, "Unknown status \"%s\": new, open, pending, on_hold, solved or closed.", v);
			break;
		}
		if (!*until) {
			rc = core_set_status(a->d, id, (enum status)x, &e);
			flags = result(a, rc, &e, "#%lld is now %s.", (long long)id, v);
			break;
		}
		struct field_change ch[] = {{FIELD_STATUS, v}, {FIELD_FOLLOW_UP, until}};
		rc = core_apply(a->d, id, ch, 2, &e);
		struct ticket t;
		char when[48] = "?";
		if (rc == DESK_OK && store_ticket_get(a->d->st, id, &t, NULL) == DESK_OK) {
			when_format(t.follow_up_at, time_now(), when, sizeof when);
			ticket_free(&t);
		}
		flags = result(a, rc, &e, "#%lld is now %s until %s.", (long long)id, v, when);
		break;
	}
	case ACT_PRIORITY:
		if ((x = priority_from_name(v)) < 0) {
			app_fail(a, "Unknown priority \"%s\": low, normal, high or urgent.", v);
			break;
		}
		rc = core_set_priority(a->d, id, (enum priority)x, &e);
		flags = result(a, rc, &e, "#%lld is now %s priority.", (long long)id, v);
		break;
	case ACT_ASSIGN:
		if (!*v || strcmp(v, "none") == 0) {
			rc = core_unassign(a->d, id, &e);
			flags = result(a, rc, &e, "#%lld is unassigned.", (long long)id);
		} else {
			const char *who = strcmp(v, "me") == 0 ? a->d->me.login : v;
			rc = core_assign(a->d, id, who, &e);
			flags = result(a, rc, &e, "#%lld is assigned to %s.", (long long)id, who);
		}
		break;
	case ACT_QUEUE:
		if (!*v)
			break;
		rc = core_set_queue(a->d, id, v, &e);
		flags = result(a, rc, &e, "#%lld moved to queue %s.", (long long)id, v);
		break;
	case ACT_TAG_ADD:
	case ACT_TAG_REMOVE: {
		if (action == ACT_TAG_ADD && !asked) {
			int64_t *idp = xmalloc(sizeof *idp);
			*idp = id;
			if (newtags_ask(a, v, tags_yes, idp, free, &flags))
				break;
			free(idp);
		}
		struct field_change ch[MAX_TAGS];
		size_t n = 0;
		for (char *save = NULL, *t = strtok_r(v, " ,", &save); t && n < MAX_TAGS;
		     t = strtok_r(NULL, " ,", &save))
			ch[n++] = (struct field_change){
				action == ACT_TAG_ADD ? FIELD_TAG_ADD : FIELD_TAG_REMOVE, t};
		if (!n)
			break;
		char *list = xstrdup(arg);
		str_trim(list);
		rc = core_apply(a->d, id, ch, n, &e);
		flags = result(a, rc, &e, "#%lld: %s %s.", (long long)id,
			       action == ACT_TAG_ADD ? "tagged" : "untagged", list);
		free(list);
		break;
	}
	case ACT_MERGE: flags = merge(a, id, v); break;
	case ACT_FORWARD: {
		int64_t row = 0;
		rc = core_forward(a->d, id, v, NULL, 0, NULL, &row, &e);
		flags = result(a, rc, &e, "#%lld forwarded to %s (an internal note).",
			       (long long)id, v);
		if (rc == DESK_OK)
			flags |= mailer_send(a, id, row);
		break;
	}
	case ACT_SURVEY: {
		enum survey_kind kind = SURVEY_CSAT;
		int score = 0;
		const char *words = NULL;
		const struct config *cfg = a->d->cfg;
		bool replaced = false;
		if ((rc = survey_line_parse(v, cfg ? cfg->surveys.kind : SURVEY_CSAT, &kind, &score,
					    &words, &e)) == DESK_OK)
			rc = core_survey_record(a->d, id, kind, score, words, NULL, &replaced, &e);
		char text[32];
		survey_score_text(kind, score, text, sizeof text);
		flags = result(a, rc, &e, "#%lld: survey %s recorded%s.", (long long)id, text,
			       replaced ? ", replacing the one recorded before" : "");
		break;
	}
	default: break;
	}
	free(v);
	return flags;
}

struct ask {
	int64_t id;
	int action;
};

static int ask_done(struct app *a, const char *text, void *data)
{
	const struct ask *k = data;
	if (!text)
		return 0;
	return apply(a, k->action, k->id, text);
}

static struct ask *ask_new(struct app *a, int action)
{
	struct ask *k = xcalloc(1, sizeof *k);
	k->id = a->cur_id;
	k->action = action;
	return k;
}

/* Asks for the argument in a prompt with completion. */
static int ask_line(struct app *a, int action, const char *fmt, const char *initial)
{
	char *label = xasprintf(fmt, (long long)a->cur_id);
	struct prompt_spec s = {
		.label = label,
		.initial = initial,
		.complete = (int)actions[action].arg,
		.history = PH_ARG,
		.mode = actions[action].name,
		.done = ask_done,
		.data = ask_new(a, action),
		.free_data = free,
	};
	int flags = prompt_open(a, &s);
	free(label);
	return flags;
}

/* Asks for one of a few names in a picker. */
static int ask_pick(struct app *a, int action, const char *title, const char *const *names,
		    int n, int current)
{
	struct picker_spec s = {.title = title, .done = ask_done, .data = ask_new(a, action),
				.free_data = free};
	size_t cap = 0;
	for (int i = 0; i < n; i++) {
		if (!names[i])
			continue;
		if (i == current)
			s.selected = s.n;
		picker_add(&s.items, &s.n, &cap, names[i], names[i], NULL);
	}
	return picker_open(a, &s);
}

static bool current(struct app *a, struct ticket *t)
{
	struct derr e = {0};
	if (store_ticket_get(a->d->st, a->cur_id, t, &e) == DESK_OK)
		return true;
	app_error(a, &e);
	return false;
}

int act_claim(struct app *a, const char *arg)
{
	struct derr e = {0};
	int64_t id = a->cur_id;
	int rc = core_claim(a->d, id, &e);
	return result(a, rc, &e, "#%lld is yours.", (long long)id);
}

int act_assign(struct app *a, const char *arg)
{
	if (arg)
		return apply(a, ACT_ASSIGN, a->cur_id, arg);
	return ask_line(a, ACT_ASSIGN, "Assign #%lld to (login, Tab completes): ", NULL);
}

int act_unassign(struct app *a, const char *arg)
{
	return apply(a, ACT_ASSIGN, a->cur_id, "none");
}

int act_status(struct app *a, const char *arg)
{
	if (arg)
		return apply(a, ACT_STATUS, a->cur_id, arg);
	struct ticket t;
	if (!current(a, &t))
		return RD_STATUS;
	const char *names[ST__COUNT];
	for (int i = 0; i < ST__COUNT; i++)
		names[i] = i == ST_NEW ? NULL : status_name((enum status)i);
	char title[64];
	snprintf(title, sizeof title, "Status of #%lld", (long long)t.id);
	int cur = (int)t.status;
	ticket_free(&t);
	return ask_pick(a, ACT_STATUS, title, names, ST__COUNT, cur);
}

int act_priority(struct app *a, const char *arg)
{
	if (arg)
		return apply(a, ACT_PRIORITY, a->cur_id, arg);
	struct ticket t;
	if (!current(a, &t))
		return RD_STATUS;
	const char *names[PRIO__COUNT];
	for (int i = 0; i < PRIO__COUNT; i++)
		names[i] = priority_name((enum priority)(PRIO__COUNT - 1 - i));
	char title[64];
	snprintf(title, sizeof title, "Priority of #%lld", (long long)t.id);
	int cur = PRIO__COUNT - 1 - (int)t.priority;
	ticket_free(&t);
	return ask_pick(a, ACT_PRIORITY, title, names, PRIO__COUNT, cur);
}

int act_tag_add(struct app *a, const char *arg)
{
	if (arg)
		return apply(a, ACT_TAG_ADD, a->cur_id, arg);
	return ask_line(a, ACT_TAG_ADD, "Add tags to #%lld (space-separated): ", NULL);
}

int act_tag_remove(struct app *a, const char *arg)
{
	if (arg)
		return apply(a, ACT_TAG_REMOVE, a->cur_id, arg);
	struct ticket t;
	if (!current(a, &t))
		return RD_STATUS;
	int flags;
	if (!t.ntags) {
		app_msg(a, "#%lld has no tags.", (long long)t.id);
		flags = RD_STATUS;
	} else {
		char title[64];
		snprintf(title, sizeof title, "Remove a tag from #%lld", (long long)t.id);
		flags = ask_pick(a, ACT_TAG_REMOVE, title, (const char *const *)t.tags,
				 (int)t.ntags, 0);
	}
	ticket_free(&t);
	return flags;
}

int act_queue(struct app *a, const char *arg)
{
	if (arg)
		return apply(a, ACT_QUEUE, a->cur_id, arg);
	return ask_line(a, ACT_QUEUE, "Move #%lld to queue: ", NULL);
}

int act_merge(struct app *a, const char *arg)
{
	if (arg)
		return apply(a, ACT_MERGE, a->cur_id, arg);
	return ask_line(a, ACT_MERGE, "Merge #%lld into ticket number: ", NULL);
}

int act_forward(struct app *a, const char *arg)
{
	if (arg)
		return apply(a, ACT_FORWARD, a->cur_id, arg);
	return ask_line(a, ACT_FORWARD, "Forward the thread of #%lld to (address): ", NULL);
}

int act_survey(struct app *a, const char *arg)
{
	if (arg)
		return apply(a, ACT_SURVEY, a->cur_id, arg);
	const struct config *cfg = a->d->cfg;
	char initial[16];
	snprintf(initial, sizeof initial, "%s ",
		 survey_kind_name(cfg ? cfg->surveys.kind : SURVEY_CSAT));
	return ask_line(a, ACT_SURVEY,
			"Survey answer for #%lld (csat 1-5, ces 1-7, nps 0-10; KIND SCORE words): ",
			initial);
}

/* --- the rest ---------------------------------------------------------- */

int act_refresh(struct app *a, const char *arg)
{
	int flags = app_changed(a);
	app_msg(a, "Reloaded.");
	return flags | RD_ALL;
}

int act_redraw(struct app *a, const char *arg)
{
	return RD_FULL | RD_LAYOUT | RD_ALL;
}

int act_mouse(struct app *a, const char *arg)
{
	a->mouse = !a->mouse;
	mousemask(a->mouse ? BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED
			   : 0,
		  NULL);
	app_msg(a, a->mouse ? "Mouse on: click selects, the wheel scrolls." : "Mouse off.");
	return RD_STATUS;
}

int act_dismiss(struct app *a, const char *arg)
{
	if (!a->unsent) {
		app_msg(a, "No notice to dismiss.");
		return RD_STATUS;
	}
	app_msg(a, "Dismissed; the text stays in %s.", a->unsent);
	xfree(&a->unsent);
	return RD_STATUS;
}

int act_help(struct app *a, const char *arg)
{
	return help_open(a);
}

int act_quit(struct app *a, const char *arg)
{
	a->quit = true;
	return 0;
}

static int command_done(struct app *a, const char *text, void *data)
{
	if (!text)
		return 0;
	int id;
	char *arg;
	const char *near;
	/* The same reading as a keys file's "status solved". */
	int r = action_line_parse(text, &id, &arg, &near);
	char *name = xstrdup(text);
	str_trim(name);
	name[strcspn(name, " \t")] = '\0';
	int flags = RD_STATUS;
	switch (r) {
	case AL_EMPTY: flags = 0; break;
	case AL_UNKNOWN:
		if (near)
			app_fail(a, "No action \"%s\"; did you mean \"%s\"?", name, near);
		else
			app_fail(a, "No action \"%s\"; ? lists them.", name);
		break;
	case AL_PROMPT: app_fail(a, "\"%s\" works only while typing in a prompt.", name); break;
	case AL_NO_ARG: app_fail(a, "\"%s\" takes no argument.", name); break;
	default: flags = app_run_action(a, id, arg); break;
	}
	free(name);
	free(arg);
	return flags;
}

int act_command(struct app *a, const char *arg)
{
	struct prompt_spec s = {
		.label = ":",
		.complete = COMPLETE_COMMAND,
		.history = PH_COMMAND,
		.mode = "command: an action name, e.g. status solved",
		.done = command_done,
	};
	return prompt_open(a, &s);
}
