/* view.c: queue views: the built-in ones, the config's, and the small
 * filter language both are written in. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "util.h"

#define OPEN_STATUSES "status:new,open,pending,on_hold"

static const struct view_def builtin_views[] = {
	{.name = "mine",
	 .filter = "assignee:me " OPEN_STATUSES,
	 .sort = SORT_URGENCY,
	 .reverse = false},
	{.name = "unassigned",
	 .filter = "assignee:none " OPEN_STATUSES,
	 .sort = SORT_URGENCY,
	 .reverse = false},
	{.name = "open",
	 .filter = OPEN_STATUSES,
	 .sort = SORT_URGENCY,
	 .reverse = false},
	{.name = "pending",
	 .filter = "status:pending",
	 .sort = SORT_URGENCY,
	 .reverse = false},
	{.name = "on-hold",
	 .filter = "status:on_hold",
	 .sort = SORT_URGENCY,
	 .reverse = false},
	{.name = "follow-up",
	 .filter = "assignee:me follow-up:due",
	 .sort = SORT_URGENCY,
	 .reverse = false},
	{.name = "solved",
	 .filter = "status:solved,closed solved-within:7d",
	 .sort = SORT_UPDATED,
	 .reverse = false},
	{.name = "breaching",
	 .filter = "status:new,open,on_hold due-within:4h",
	 .sort = SORT_URGENCY,
	 .reverse = false},
	{.name = "all",
	 .filter = "",
	 .sort = SORT_CREATED,
	 .reverse = true},
};

size_t view_defs(const struct config *cfg, struct view_def *out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < ARRAY_LEN(builtin_views) && n < max; i++) {
		bool overridden = false;
		for (size_t j = 0; cfg && j < cfg->nviews; j++)
			if (strcmp(cfg->views[j].name, builtin_views[i].name) == 0)
				overridden = true;
		if (!overridden)
			out[n++] = builtin_views[i];
	}
	for (size_t j = 0; cfg && j < cfg->nviews && n < max; j++)
		out[n++] = cfg->views[j];
	return n;
}

static const char *keep(struct view *v, char *s)
{
	xgrow((void **)&v->owned, &v->capowned, v->nowned + 1, sizeof *v->owned);
	v->owned[v->nowned++] = s;
	return s;
}

/* "a,b,c" of enum names into a bit mask. */
static int parse_set(const char *key, const char *list, int (*from_name)(const char *),
		     const char *allowed, unsigned *mask, struct derr *e)
{
	char *copy = xstrdup(list);
	int rc = DESK_OK;
	*mask = 0;
	for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		int v = from_name(tok);
		if (v < 0) {
			rc = derr_set(e, DESK_EINVAL, "%s:%s: unknown value \"%s\"; expected %s", key,
				      list, tok, allowed);
			break;
		}
		*mask |= 1u << v;
	}
	if (rc == DESK_OK && !*mask)
		rc = derr_set(e, DESK_EINVAL, "%s: expected %s", key, allowed);
	free(copy);
	return rc;
}

/* age:A-B (at least A old, less than B), age:<B, age:>A (at least A):
 * the dashboard's age buckets.  Age is now - created. */
static int parse_age(struct queue_filter *f, const char *val, struct derr *e)
{
	int64_t lo = 0, hi = 0;
	char *copy = xstrdup(val);
	char *dash = strchr(copy, '-');
	bool ok;
	if (copy[0] == '<')
		ok = duration_parse(copy + 1, &hi);
	else if (copy[0] == '>')
		ok = duration_parse(copy + 1, &lo);
	else
		ok = dash && (*dash = '\0', duration_parse(copy, &lo)) &&
		     duration_parse(dash + 1, &hi) && lo < hi;
	free(copy);
	if (!ok)
		return derr_set(e, DESK_EINVAL,
				"age:%s: expected <DURATION, >DURATION or FROM-TO, like age:<1d, "
				"age:1d-3d or age:>7d",
				val);
	int64_t now = time_now();
	f->created_until = lo ? now - lo : 0;
	f->created_after = hi ? now - hi : 0;
	return DESK_OK;
}

static int parse_term(struct view *v, struct desk *d, const char *key, const char *val,
		      struct derr *e)
{
	struct queue_filter *f = &v->filter;
	int64_t secs;
	if (strcmp(key, "status") == 0)
		return parse_set(key, val, status_from_name,
				 "new, open, pending, on_hold, solved, closed", &f->status_mask, e);
	if (strcmp(key, "priority") == 0) {
		if (strncmp(val, ">=", 2) == 0) {
			int p = priority_from_name(val + 2);
			if (p < 0)
				return derr_set(e, DESK_EINVAL,
						"priority:%s: expected low, normal, high or urgent",
						val);
			f->priority_mask = ((1u << PRIO__COUNT) - 1) & ~((1u << p) - 1);
			return DESK_OK;
		}
		return parse_set(key, val, priority_from_name, "low, normal, high, urgent",
				 &f->priority_mask, e);
	}
	if (strcmp(key, "channel") == 0)
		return parse_set(key, val, channel_from_name,
				 "email, phone, chat, web, social, walk_in", &f->channel_mask, e);
	if (strcmp(key, "assignee") == 0) {
		if (strcmp(val, "any") == 0) {
			f->assignee = ASSIGNEE_ANY;
		} else if (strcmp(val, "none") == 0) {
			f->assignee = ASSIGNEE_NONE;
		} else if (strcmp(val, "me") == 0) {
			f->assignee = ASSIGNEE_IS;
			f->assignee_id = d ? d->me.id : 0;
		} else {
			struct agent a = {0};
			if (!d) { /* a config being checked: agents are looked up when used */
				f->assignee = ASSIGNEE_IS;
				return DESK_OK;
			}
			if (store_agent_by_login(d->st, val, &a, NULL) != DESK_OK)
				return derr_set(e, DESK_EINVAL, "assignee:%s: no such agent", val);
			f->assignee = ASSIGNEE_IS;
			f->assignee_id = a.id;
			agent_free(&a);
		}
		return DESK_OK;
	}
	if (strcmp(key, "queue") == 0) {
		f->queue = keep(v, xstrdup(val));
		return DESK_OK;
	}
	if (strcmp(key, "tag") == 0) {
		f->tag = keep(v, xstrdup(val));
		return DESK_OK;
	}
	if (strcmp(key, "customer") == 0) {
		char *end;
		long long id = strtoll(val, &end, 10);
		if (*end || id <= 0)
			return derr_set(e, DESK_EINVAL, "customer:%s: expected a customer number",
					val);
		f->customer_id = id;
		return DESK_OK;
	}
	if (strcmp(key, "solved-within") == 0 || strcmp(key, "due-within") == 0) {
		if (!duration_parse(val, &secs))
			return derr_set(e, DESK_EINVAL,
					"%s:%s: expected a duration like 30m, 4h or 7d", key, val);
		if (key[0] == 's')
			f->solved_since = time_now() - secs;
		else
			f->due_before = time_now() + secs;
		return DESK_OK;
	}
	if (strcmp(key, "age") == 0)
		return parse_age(f, val, e);
	if (strcmp(key, "follow-up") == 0) {
		/* Only pending and on_hold tickets hold a follow-up time: a
		 * status that leaves them clears it (workflow.c). */
		if (strcmp(val, "due") == 0)
			f->follow_up_due = time_now();
		else if (strcmp(val, "set") == 0)
			f->follow_up_set = true;
		else
			return derr_set(e, DESK_EINVAL, "follow-up:%s: expected follow-up:due or "
					"follow-up:set", val);
		return DESK_OK;
	}
	return derr_set(e, DESK_EINVAL,
			"unknown filter \"%s:\"; expected status, priority, channel, assignee, "
			"queue, tag, customer, solved-within, due-within, age or follow-up",
			key);
}

int view_narrow(struct view *v, const char *filter, struct desk *d, struct derr *e)
{
	char *copy = xstrdup(filter ? filter : "");
	struct strbuf words = {0};
	int rc = DESK_OK;
	for (char *save = NULL, *tok = strtok_r(copy, " \t", &save); tok && rc == DESK_OK;
	     tok = strtok_r(NULL, " \t", &save)) {
		char *colon = strchr(tok, ':');
		if (!colon || colon == tok) {
			if (words.len)
				sb_addc(&words, ' ');
			sb_add(&words, tok);
			continue;
		}
		*colon = '\0';
		rc = parse_term(v, d, tok, colon + 1, e);
	}
	if (rc == DESK_OK && words.len)
		v->filter.text = keep(v, sb_take(&words));
	sb_free(&words);
	free(copy);
	return rc;
}

int view_parse(const char *name, const char *filter, enum queue_sort sort, bool reverse,
	       struct desk *d, struct view *out, struct derr *e)
{
	memset(out, 0, sizeof *out);
	out->name = xstrdup(name);
	out->sort = sort;
	out->reverse = reverse;
	int rc = view_narrow(out, filter, d, e);
	if (rc) {
		derr_prefix(e, "view \"%s\"", name);
		view_free(out);
	}
	return rc;
}

void view_free(struct view *v)
{
	free(v->name);
	for (size_t i = 0; i < v->nowned; i++)
		free(v->owned[i]);
	free(v->owned);
	memset(v, 0, sizeof *v);
}

int view_by_name(struct desk *d, const char *name, struct view *out, struct derr *e)
{
	struct view_def defs[64];
	size_t n = view_defs(d->cfg, defs, ARRAY_LEN(defs));
	for (size_t i = 0; i < n; i++)
		if (strcmp(defs[i].name, name) == 0)
			return view_parse(defs[i].name, defs[i].filter, defs[i].sort,
					  defs[i].reverse, d, out, e);
	struct strbuf names = {0};
	for (size_t i = 0; i < n; i++)
		sb_addf(&names, "%s%s", i ? ", " : "", defs[i].name);
	int rc = derr_set(e, DESK_ENOTFOUND, "no view \"%s\"; the views are: %s", name,
			  sb_str(&names));
	sb_free(&names);
	return rc;
}

/* notify.views names views that exist (built in or the config's). */
static int notify_views_check(const struct config *cfg, struct derr *e)
{
	const struct notify_config *n = cfg ? &cfg->notify : NULL;
	struct view_def defs[256];
	size_t ndefs = view_defs(cfg, defs, ARRAY_LEN(defs));
	for (size_t i = 0; n && i < n->nviews; i++) {
		bool found = false;
		for (size_t j = 0; !found && j < ndefs; j++)
			found = strcmp(defs[j].name, n->views[i]) == 0;
		if (found)
			continue;
		struct strbuf names = {0};
		for (size_t j = 0; j < ndefs; j++)
			sb_addf(&names, "%s%s", j ? ", " : "", defs[j].name);
		derr_set(e, DESK_EINVAL, "%s:%d: notify.views: no view \"%s\"; the views are: %s",
			 n->file ? n->file : "config", n->view_lines[i], n->views[i], sb_str(&names));
		sb_free(&names);
		return DESK_EINVAL;
	}
	return DESK_OK;
}

int view_check_config(const struct config *cfg, struct derr *e)
{
	for (size_t i = 0; cfg && i < cfg->nviews; i++) {
		const struct view_def *vd = &cfg->views[i];
		struct view v;
		int rc = view_parse(vd->name, vd->filter, vd->sort, vd->reverse, NULL, &v, e);
		view_free(&v);
		if (rc) {
			const char *file = vd->personal ? cfg->personal : cfg->source;
			derr_prefix(e, "%s:%d", file ? file : "config", vd->line);
			return rc;
		}
	}
	return notify_views_check(cfg, e);
}
