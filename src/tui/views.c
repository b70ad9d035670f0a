/* views.c: what the queue shows: a named view (built-in or the
 * config's), narrowed by an incremental filter, or full-text search
 * results; its sort; and the actions that change them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "ui.h"
#include "util.h"

#define FIRST_VIEW "open"
/* The filter being typed is applied after this long without a key: a
 * filter query walks the view until a screenful matches (seconds on a
 * million tickets), so running one per character made typing wait. */
#define FILTER_PAUSE_MS 150

int views_rebuild(struct app *a, struct derr *e)
{
	struct view nv;
	int rc = a->search ? view_parse("search", "", SORT_UPDATED, false, a->d, &nv, e)
			   : view_by_name(a->d, a->view_name, &nv, e);
	if (rc)
		return rc;
	if (a->filter && (rc = view_narrow(&nv, a->filter, a->d, e))) {
		view_free(&nv);
		return rc;
	}
	if (a->search) {
		char *s = xstrdup(a->search);
		xgrow((void **)&nv.owned, &nv.capowned, nv.nowned + 1, sizeof *nv.owned);
		nv.owned[nv.nowned++] = s;
		nv.filter.search = s;
	}
	if (a->sort >= 0)
		nv.sort = (enum queue_sort)a->sort;
	if (a->reverse)
		nv.reverse = !nv.reverse;
	view_free(&a->view);
	a->view = nv;
	a->count_stale = true;
	return DESK_OK;
}

int views_init(struct app *a, struct derr *e)
{
	a->view_name = xstrdup(FIRST_VIEW);
	a->sort = -1;
	return views_rebuild(a, e);
}

void views_free(struct app *a)
{
	view_free(&a->view);
	xfree(&a->view_name);
	xfree(&a->prev_view);
	xfree(&a->filter);
	xfree(&a->search);
	xfree(&a->filter_next);
	a->filter_pending = false;
}

const char *views_title(struct app *a, char *buf, size_t size)
{
	if (a->search)
		snprintf(buf, size, "search \"%s\"%s%s", a->search, a->filter ? " | " : "",
			 a->filter ? a->filter : "");
	else
		snprintf(buf, size, "%s%s%s", a->view_name, a->filter ? " | " : "",
			 a->filter ? a->filter : "");
	return buf;
}

/* Applies a change of view state; on error restores the old state. */
static int switch_to_at(struct app *a, char *name, char *filter, char *search, int64_t at)
{
	struct derr e = {0};
	char *old_name = a->view_name, *old_filter = a->filter, *old_search = a->search;
	a->view_name = name;
	a->filter = filter;
	a->search = search;
	if (views_rebuild(a, &e) != DESK_OK) {
		a->view_name = old_name;
		a->filter = old_filter;
		a->search = old_search;
		if (name != old_name)
			free(name);
		if (filter != old_filter)
			free(filter);
		if (search != old_search)
			free(search);
		return app_error(a, &e);
	}
	if (name != old_name)
		free(old_name);
	if (filter != old_filter)
		free(old_filter);
	if (search != old_search)
		free(old_search);
	return queue_reset_at(a, at) | RD_ALL;
}

static int switch_to(struct app *a, char *name, char *filter, char *search)
{
	return switch_to_at(a, name, filter, search, 0);
}

/* --- view -------------------------------------------------------------- */

static int view_chosen(struct app *a, const char *value, void *data)
{
	return value ? act_view(a, value) : 0;
}

int act_view(struct app *a, const char *arg)
{
	if (arg) {
		xfree(&a->prev_view);
		int flags = switch_to(a, xstrdup(arg), NULL, NULL);
		return flags | app_focus(a, PANE_QUEUE);
	}
	struct view_def defs[64];
	size_t n = view_defs(a->cfg, defs, ARRAY_LEN(defs));
	struct picker_spec s = {.title = "View", .done = view_chosen, .preview = true};
	size_t cap = 0;
	for (size_t i = 0; i < n; i++) {
		char *label = xasprintf("%-16s %s", defs[i].name, defs[i].filter);
		char *preview = xasprintf("filter: %s\nsort: %s%s", *defs[i].filter ? defs[i].filter : "(all tickets)",
					  queue_sort_name(defs[i].sort), defs[i].reverse ? ", reversed" : "");
		picker_add(&s.items, &s.n, &cap, label, defs[i].name, preview);
		if (strcmp(defs[i].name, a->view_name) == 0)
			s.selected = i;
		free(label);
		free(preview);
	}
	s.preview = false;
	return picker_open(a, &s);
}

/* --- filter, as you type ----------------------------------------------- */

struct filter_state {
	char *before; /* the filter when the prompt opened */
};

static void filter_state_free(void *data)
{
	struct filter_state *f = data;
	free(f->before);
	free(f);
}

static int set_filter(struct app *a, const char *text, bool quiet)
{
	struct derr e = {0};
	char *old = a->filter;
	a->filter = text && *text ? xstrdup(text) : NULL;
	if (views_rebuild(a, &e) != DESK_OK) {
		free(a->filter);
		a->filter = old;
		if (quiet) { /* half-typed "status:op": say so, keep the last good one */
			snprintf(a->msg, sizeof a->msg, "%s", e.msg);
			a->msg_error = true;
			return RD_STATUS;
		}
		return app_error(a, &e);
	}
	free(old);
	a->msg[0] = '\0';
	return queue_reset(a) | RD_ALL;
}

static void filter_drop_pending(struct app *a)
{
	xfree(&a->filter_next);
	a->filter_pending = false;
}

/* A key in the filter prompt: the filter runs once typing pauses
 * (views_idle); the prompt itself redraws at once. */
static int filter_changed(struct app *a, const char *text, void *data)
{
	free(a->filter_next);
	a->filter_next = xstrdup(text ? text : "");
	a->filter_pending = true;
	a->filter_next_at = app_now_ms() + FILTER_PAUSE_MS;
	return 0;
}

int64_t views_idle_at(const struct app *a)
{
	return a->filter_pending ? a->filter_next_at : -1;
}

int views_idle(struct app *a, int64_t now_ms)
{
	if (!a->filter_pending || now_ms < a->filter_next_at)
		return 0;
	char *text = a->filter_next;
	a->filter_next = NULL;
	a->filter_pending = false;
	int flags = set_filter(a, text, true);
	free(text);
	return flags;
}

static int filter_done(struct app *a, const char *text, void *data)
{
	struct filter_state *f = data;
	bool pending = a->filter_pending;
	filter_drop_pending(a); /* Enter and Esc decide now */
	const char *want = text ? text : f->before; /* cancelled: back to how it was */
	/* Already shown (typing paused before Enter): no need to run it again. */
	if (!pending && strcmp(want ? want : "", a->filter ? a->filter : "") == 0) {
		a->msg[0] = '\0';
		return RD_ALL;
	}
	return set_filter(a, want, false);
}

int act_filter(struct app *a, const char *arg)
{
	if (arg)
		return set_filter(a, arg, false) | app_focus(a, PANE_QUEUE);
	struct filter_state *f = xcalloc(1, sizeof *f);
	f->before = xstrdup(a->filter);
	struct prompt_spec s = {
		.label = "Filter: ",
		.initial = a->filter,
		.history = PH_FILTER,
		.mode = "filter: words, or terms like tag:vip status:open priority:urgent",
		.done = filter_done,
		.changed = filter_changed,
		.data = f,
		.free_data = filter_state_free,
	};
	return prompt_open(a, &s) | app_focus(a, PANE_QUEUE);
}

/* --- search ------------------------------------------------------------ */

static int search_done(struct app *a, const char *text, void *data)
{
	if (!text)
		return 0;
	return act_search(a, text);
}

int act_search(struct app *a, const char *arg)
{
	if (!arg) {
		struct prompt_spec s = {
			.label = "Search: ",
			.history = PH_SEARCH,
			.mode = "full-text search of subjects and messages",
			.done = search_done,
		};
		return prompt_open(a, &s);
	}
	char *words = xstrdup(arg);
	str_trim(words);
	if (!*words) {
		free(words);
		return a->search ? switch_to(a, a->view_name, a->filter, NULL) : 0;
	}
	char *want = xstrdup(words);
	int flags = switch_to(a, a->view_name, NULL, words);
	if (a->search && strcmp(a->search, want) == 0) {
		if (!queue_selected(a))
			app_msg(a, "Nothing found for \"%s\".", want);
		else
			app_msg(a, "Search results: n and N open the next and previous; q goes back.");
	}
	free(want);
	return flags | app_focus(a, PANE_QUEUE);
}

static int search_step(struct app *a, int dir)
{
	int flags = RD_STATUS;
	if (!a->search) {
		app_msg(a, "No search yet: / searches subjects and messages.");
		return flags;
	}
	if (!queue_step(a, dir, &flags))
		app_msg(a, dir > 0 ? "That was the last result." : "That was the first result.");
	return flags | app_show(a, queue_selected(a), true);
}

int act_search_next(struct app *a, const char *arg)
{
	return search_step(a, 1);
}

int act_search_prev(struct app *a, const char *arg)
{
	return search_step(a, -1);
}

/* --- sort -------------------------------------------------------------- */

static int sort_chosen(struct app *a, const char *value, void *data)
{
	return value ? act_sort(a, value) : 0;
}

int act_sort(struct app *a, const char *arg)
{
	if (arg) {
		int s = queue_sort_from_name(arg);
		if (s < 0) {
			app_fail(a, "Unknown sort \"%s\": urgency, priority, created, updated or id.", arg);
			return RD_STATUS;
		}
		struct derr e = {0};
		a->sort = s;
		if (views_rebuild(a, &e))
			return app_error(a, &e);
		return queue_reset(a) | RD_ALL;
	}
	static const char *const help[SORT__COUNT] = {
		[SORT_URGENCY] = "next SLA due time, then priority",
		[SORT_PRIORITY] = "highest priority first, then due time",
		[SORT_CREATED] = "oldest first",
		[SORT_UPDATED] = "most recently updated first",
		[SORT_ID] = "ticket number",
	};
	struct picker_spec s = {.title = "Sort by", .done = sort_chosen};
	size_t cap = 0;
	for (int i = 0; i < SORT__COUNT; i++) {
		char *label = xasprintf("%-10s %s", queue_sort_name((enum queue_sort)i), help[i]);
		picker_add(&s.items, &s.n, &cap, label, queue_sort_name((enum queue_sort)i), NULL);
		if (i == (int)a->view.sort)
			s.selected = (size_t)i;
		free(label);
	}
	return picker_open(a, &s);
}

int act_reverse(struct app *a, const char *arg)
{
	struct derr e = {0};
	a->reverse = !a->reverse;
	if (views_rebuild(a, &e))
		return app_error(a, &e);
	return queue_reset(a) | RD_ALL;
}

/* --- a customer's tickets, and back ------------------------------------ */

int act_customer_tickets(struct app *a, const char *arg)
{
	struct ticket t;
	struct derr e = {0};
	if (store_ticket_get(a->d->st, a->cur_id, &t, &e))
		return app_error(a, &e);
	char *filter = xasprintf("customer:%lld", (long long)t.customer_id);
	ticket_free(&t);
	char *prev = xstrdup(a->view_name);
	char *want = xstrdup(filter);
	int flags = switch_to_at(a, xstrdup("all"), filter, NULL, a->cur_id);
	bool ok = a->filter && strcmp(a->filter, want) == 0;
	free(want);
	if (ok && !a->prev_view) {
		a->prev_view = prev;
		app_msg(a, "All tickets of this customer; q goes back.");
	} else if (ok) {
		free(prev);
		app_msg(a, "All tickets of this customer; q goes back.");
	} else {
		free(prev);
	}
	return flags | app_focus(a, PANE_QUEUE);
}

int act_back(struct app *a, const char *arg)
{
	if (a->focus != PANE_QUEUE)
		return app_focus(a, PANE_QUEUE);
	if (a->search)
		return switch_to(a, a->view_name, a->filter, NULL);
	if (a->prev_view) {
		char *prev = a->prev_view;
		a->prev_view = NULL;
		return switch_to(a, prev, NULL, NULL);
	}
	if (a->filter)
		return switch_to(a, a->view_name, NULL, a->search);
	char k[32] = "";
	if (keymap_keys(&a->km, KC_GLOBAL, ACT_QUIT, k, sizeof k))
		k[strcspn(k, " ")] = '\0';
	app_msg(a, "%s%s leaves desk.", *k ? "Press " : "Use :quit; nothing ", *k ? k : "");
	return RD_STATUS;
}
