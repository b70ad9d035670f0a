/* marks.c: tickets marked for a bulk change.  `x` marks or unmarks the
 * queue's selected ticket (and moves down), `X` clears the marks; while
 * any ticket is marked, assign, unassign, status, priority, tag-add and
 * tag-remove ask once and change every marked ticket through
 * core_bulk_apply (one audited transaction per ticket), then say in the
 * status line what happened: "3 tickets reassigned to bob; 1 failed:
 * ticket 12 is closed".  The tickets that failed stay marked.  Marks
 * are ticket ids, kept across views, sorted for lookups while drawing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "ui.h"
#include "util.h"

#define MAX_TAGS 32

struct marks {
	int64_t *v; /* sorted */
	size_t n, cap;
};

static size_t find(const struct marks *m, int64_t id, bool *found)
{
	size_t lo = 0, hi = m ? m->n : 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->v[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = m && lo < m->n && m->v[lo] == id;
	return lo;
}

bool marks_has(const struct app *a, int64_t id)
{
	bool found;
	find(a->marks, id, &found);
	return found;
}

size_t marks_count(const struct app *a)
{
	return a->marks ? a->marks->n : 0;
}

void marks_free(struct app *a)
{
	if (!a->marks)
		return;
	free(a->marks->v);
	free(a->marks);
	a->marks = NULL;
}

static void mark_set(struct app *a, int64_t id, bool on)
{
	if (!a->marks)
		a->marks = xcalloc(1, sizeof *a->marks);
	struct marks *m = a->marks;
	bool found;
	size_t i = find(m, id, &found);
	if (on && !found) {
		xgrow((void **)&m->v, &m->cap, m->n + 1, sizeof *m->v);
		memmove(m->v + i + 1, m->v + i, (m->n - i) * sizeof *m->v);
		m->v[i] = id;
		m->n++;
	} else if (!on && found) {
		memmove(m->v + i, m->v + i + 1, (m->n - i - 1) * sizeof *m->v);
		m->n--;
	}
}

static void marks_clear(struct app *a)
{
	if (a->marks)
		a->marks->n = 0;
}

/* --- the actions x and X -------------------------------------------------- */

int act_mark(struct app *a, const char *arg)
{
	int flags = RD_QUEUE | RD_STATUS;
	int64_t id = 0;
	bool from_queue = !arg && a->focus == PANE_QUEUE;
	if (arg) {
		char *end;
		long long v = strtoll(arg + strspn(arg, " #"), &end, 10);
		if (v <= 0 || *end) {
			app_fail(a, "\"%s\" is not a ticket number.", arg);
			return RD_STATUS;
		}
		id = v;
	} else {
		id = from_queue ? queue_selected(a) : a->cur_id;
	}
	if (!id) {
		app_msg(a, "No ticket selected.");
		return RD_STATUS;
	}
	bool on = !marks_has(a, id);
	mark_set(a, id, on);
	size_t n = marks_count(a);
	if (on)
		app_msg(a, "#%lld marked; %zu marked: a, U, s, p, t and T change them all, X clears.",
			(long long)id, n);
	else
		app_msg(a, "#%lld unmarked; %zu marked.", (long long)id, n);
	if (from_queue)
		queue_step(a, 1, &flags);
	return flags;
}

int act_unmark_all(struct app *a, const char *arg)
{
	size_t n = marks_count(a);
	marks_clear(a);
	app_msg(a, n ? "Marks cleared (%zu)." : "No ticket is marked.", n);
	return RD_QUEUE | RD_STATUS;
}

/* --- bulk changes --------------------------------------------------------- */

/* Changes every marked ticket: `what` says what was done, for the
 * summary ("reassigned to bob"). */
static int run_bulk(struct app *a, const struct field_change *ch, size_t nch, const char *what)
{
	struct derr e = {0};
	struct bulk_result r;
	size_t n = marks_count(a);
	int64_t *ids = xcalloc(n + 1, sizeof *ids);
	if (n)
		memcpy(ids, a->marks->v, n * sizeof *ids);
	int rc = core_bulk_apply(a->d, ids, n, ch, nch, &r, &e);
	free(ids);
	if (rc)
		return app_error(a, &e);
	/* The ones that failed stay marked, to be looked at. */
	marks_clear(a);
	for (size_t i = 0; i < r.nfailed; i++)
		mark_set(a, r.failed[i].id, true);
	int flags = app_changed(a) | RD_QUEUE | RD_STATUS;
	struct strbuf b = {0};
	sb_addf(&b, "%zu ticket%s %s", r.ok, r.ok == 1 ? "" : "s", what);
	if (r.nfailed) {
		sb_addf(&b, "; %zu failed: %s", r.nfailed, r.failed[0].msg);
		if (r.nfailed > 1)
			sb_addf(&b, " (and %zu more)", r.nfailed - 1);
		sb_add(&b, "; they stay marked");
	}
	sb_add(&b, ".");
	if (r.ok)
		app_msg(a, "%s", sb_str(&b));
	else
		app_fail(a, "%s", sb_str(&b));
	sb_free(&b);
	bulk_result_free(&r);
	return flags;
}

static int bulk_with_asked(struct app *a, int action, const char *arg, bool asked);

static int bulk_tags_yes(struct app *a, const char *list, void *data)
{
	return bulk_with_asked(a, ACT_TAG_ADD, list, true);
}

static int bulk_with(struct app *a, int action, const char *arg)
{
	return bulk_with_asked(a, action, arg, false);
}

/* asked: the agent said yes to the new tags already. */
static int bulk_with_asked(struct app *a, int action, const char *arg, bool asked)
{
	char *v = str_trim(xstrdup(arg ? arg : ""));
	int flags = RD_STATUS, x;
	char *what = NULL;
	struct field_change ch[MAX_TAGS];
	size_t n = 0;
	switch (action) {
	case ACT_ASSIGN:
	case ACT_UNASSIGN:
		if (action == ACT_UNASSIGN || !*v || strcmp(v, "none") == 0) {
			ch[n++] = (struct field_change){FIELD_ASSIGNEE, ""};
			what = xstrdup("unassigned");
		} else {
			const char *who = strcmp(v, "me") == 0 ? a->d->me.login : v;
			ch[n++] = (struct field_change){FIELD_ASSIGNEE, who};
			what = xasprintf("reassigned to %s", who);
		}
		break;
	case ACT_STATUS:
		if ((x = status_from_name(v)) < 0) {
			app_fail(a, "Unknown status \"%s\": open, pending, on_hold, solved or closed.", v);
			break;
		}
		ch[n++] = (struct field_change){FIELD_STATUS, status_name((enum status)x)};
		what = xasprintf("set to %s", status_name((enum status)x));
		break;
	case ACT_PRIORITY:
		if ((x = priority_from_name(v)) < 0) {
			app_fail(a, "Unknown priority \"%s\": low, normal, high or urgent.", v);
			break;
		}
		ch[n++] = (struct field_change){FIELD_PRIORITY, priority_name((enum priority)x)};
		what = xasprintf("set to %s priority", priority_name((enum priority)x));
		break;
	case ACT_TAG_ADD:
	case ACT_TAG_REMOVE: {
		if (action == ACT_TAG_ADD && !asked && newtags_ask(a, v, bulk_tags_yes, NULL, NULL, &flags))
			break;
		char *list = xstrdup(v);
		for (char *save = NULL, *t = strtok_r(v, " ,", &save); t && n < MAX_TAGS;
		     t = strtok_r(NULL, " ,", &save))
			ch[n++] = (struct field_change){
				action == ACT_TAG_ADD ? FIELD_TAG_ADD : FIELD_TAG_REMOVE, t};
		if (n)
			what = xasprintf("%s %s", action == ACT_TAG_ADD ? "tagged" : "untagged", list);
		free(list);
		break;
	}
	default: break;
	}
	if (n && what) {
		/* What a person typed reaches the status line sanitized. */
		char *safe = text_sanitize(what, 0);
		flags = run_bulk(a, ch, n, safe);
		free(safe);
	}
	free(what);
	free(v);
	return flags;
}

static int bulk_done(struct app *a, const char *text, void *data)
{
	const int *action = data;
	if (!text)
		return 0;
	return bulk_with(a, *action, text);
}

static int *action_data(int action)
{
	int *p = xmalloc(sizeof *p);
	*p = action;
	return p;
}

static int bulk_ask_line(struct app *a, int action, const char *fmt, int complete)
{
	char *label = xasprintf(fmt, marks_count(a));
	struct prompt_spec s = {
		.label = label,
		.complete = complete,
		.history = PH_ARG,
		.mode = actions[action].name,
		.done = bulk_done,
		.data = action_data(action),
		.free_data = free,
	};
	int flags = prompt_open(a, &s);
	free(label);
	return flags;
}

static int bulk_ask_pick(struct app *a, int action, const char *what, const char *const *names,
			 int n)
{
	char *title = xasprintf("%s of %zu marked tickets", what, marks_count(a));
	struct picker_spec s = {.title = title, .done = bulk_done, .data = action_data(action),
				.free_data = free};
	size_t cap = 0;
	for (int i = 0; i < n; i++)
		if (names[i])
			picker_add(&s.items, &s.n, &cap, names[i], names[i], NULL);
	int flags = picker_open(a, &s);
	free(title);
	return flags;
}

int marks_action(struct app *a, int action, const char *arg)
{
	struct derr e = {0};
	if (core_bulk_allowed(a->d, &e))
		return app_error(a, &e);
	if (arg || action == ACT_UNASSIGN)
		return bulk_with(a, action, arg);
	switch (action) {
	case ACT_ASSIGN:
		return bulk_ask_line(a, action, "Assign %zu marked tickets to (login, Tab completes): ",
				     ARG_AGENT);
	case ACT_TAG_ADD:
		return bulk_ask_line(a, action, "Add tags to %zu marked tickets (space-separated): ",
				     ARG_TAG);
	case ACT_TAG_REMOVE:
		return bulk_ask_line(a, action,
				     "Remove tags from %zu marked tickets (space-separated): ",
				     ARG_TAG);
	case ACT_STATUS: {
		const char *names[ST__COUNT];
		for (int i = 0; i < ST__COUNT; i++)
			names[i] = i == ST_NEW ? NULL : status_name((enum status)i);
		return bulk_ask_pick(a, action, "Status", names, ST__COUNT);
	}
	case ACT_PRIORITY: {
		const char *names[PRIO__COUNT];
		for (int i = 0; i < PRIO__COUNT; i++)
			names[i] = priority_name((enum priority)(PRIO__COUNT - 1 - i));
		return bulk_ask_pick(a, action, "Priority", names, PRIO__COUNT);
	}
	default: return 0;
	}
}
