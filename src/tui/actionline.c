/* actionline.c: an action with its argument, "status solved", as typed
 * at the `:` prompt and written in the keys file: one parser for both,
 * and the checks of the argument that need no database (for the keys
 * file, so a mistake is said before the console starts). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "caps.h"
#include "config.h"
#include "core.h"
#include "util.h"

int action_line_parse(const char *text, int *id, char **arg, const char **near)
{
	*id = -1;
	*arg = NULL;
	*near = NULL;
	char *line = xstrdup(text ? text : "");
	str_trim(line);
	if (!*line) {
		free(line);
		return AL_EMPTY;
	}
	char *rest = line + strcspn(line, " \t");
	if (*rest) {
		*rest++ = '\0';
		rest += strspn(rest, " \t");
	}
	int rc = AL_OK;
	*id = action_find(line);
	if (*id < 0) {
		*near = action_suggest(line);
		rc = AL_UNKNOWN;
	} else if (actions[*id].flags & F_PROMPT) {
		rc = AL_PROMPT;
	} else if (*rest && actions[*id].arg == ARG_NONE) {
		rc = AL_NO_ARG;
	} else if (*rest) {
		*arg = xstrdup(rest);
	}
	free(line);
	return rc;
}

static bool bad(char *why, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static bool bad(char *why, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, size, fmt, ap);
	va_end(ap);
	return false;
}

static bool names_ok(const char *arg, const char *what, const char *const *names, int n,
		     char *why, size_t size)
{
	struct strbuf list = {0};
	for (int i = 0; i < n; i++) {
		if (!names[i])
			continue;
		if (strcmp(names[i], arg) == 0) {
			sb_free(&list);
			return true;
		}
		sb_addf(&list, "%s%s", list.len ? ", " : "", names[i]);
	}
	bad(why, size, "unknown %s \"%s\"; expected one of: %s", what, arg, sb_str(&list));
	sb_free(&list);
	return false;
}

bool action_arg_check(int id, const char *arg, const struct config *cfg,
		      const struct canned_list *canned, char *why, size_t size)
{
	if (!arg)
		return true;
	switch (actions[id].arg) {
	case ARG_NONE: return bad(why, size, "\"%s\" takes no argument", actions[id].name);
	case ARG_STATUS: {
		const char *names[ST__COUNT];
		for (int i = 0; i < ST__COUNT; i++)
			names[i] = i == ST_NEW ? NULL : status_name((enum status)i);
		/* "pending 3d": the status, then an optional follow-up time */
		char word[32];
		size_t n = strcspn(arg, " ");
		if (n >= sizeof word)
			n = sizeof word - 1;
		memcpy(word, arg, n);
		word[n] = '\0';
		const char *until = arg + strcspn(arg, " ");
		while (*until == ' ')
			until++;
		int64_t at;
		const char *bad_time = *until ? when_parse(until, time_now(), &at) : NULL;
		if (bad_time)
			return bad(why, size, "status %s %s: %s", word, until, bad_time);
		return names_ok(word, "status", names, ST__COUNT, why, size);
	}
	case ARG_PRIORITY: {
		const char *names[PRIO__COUNT];
		for (int i = 0; i < PRIO__COUNT; i++)
			names[i] = priority_name((enum priority)i);
		return names_ok(arg, "priority", names, PRIO__COUNT, why, size);
	}
	case ARG_SORT: {
		const char *names[SORT__COUNT];
		for (int i = 0; i < SORT__COUNT; i++)
			names[i] = queue_sort_name((enum queue_sort)i);
		return names_ok(arg, "sort", names, SORT__COUNT, why, size);
	}
	case ARG_CANNED: {
		if (cfg && !cfg->canned_file)
			return bad(why, size,
				   "canned response \"%s\": the config names no canned file "
				   "(canned:)",
				   arg);
		if (!canned)
			return true;
		const char **names = xcalloc(canned->n + 1, sizeof *names);
		for (size_t i = 0; i < canned->n; i++)
			names[i] = canned->v[i].name;
		bool ok = names_ok(arg, "canned response", names, (int)canned->n, why, size);
		free(names);
		return ok;
	}
	case ARG_QUEUE:
		if (!label_is_valid(arg))
			return bad(why, size, "\"%s\" is not a queue name (" LABEL_RULE ")", arg);
		if (cfg && !config_queue_allowed(cfg, arg)) {
			struct derr e = {0};
			config_queue_refuse(cfg, arg, &e);
			return bad(why, size, "%s", e.msg);
		}
		return true;
	case ARG_VIEW: {
		struct view_def defs[64];
		size_t n = view_defs(cfg, defs, ARRAY_LEN(defs));
		const char *names[64];
		for (size_t i = 0; i < n; i++)
			names[i] = defs[i].name;
		return names_ok(arg, "view", names, (int)n, why, size);
	}
	case ARG_TICKET: {
		char *end;
		const char *s = arg + (arg[0] == '#');
		long long v = strtoll(s, &end, 10);
		if (end == s || *end || v <= 0)
			return bad(why, size, "\"%s\" is not a ticket number", arg);
		return true;
	}
	case ARG_TAG:
	case ARG_TICKET_TAG: {
		char *copy = xstrdup(arg);
		bool ok = true;
		for (char *save = NULL, *t = strtok_r(copy, " ,", &save); t && ok;
		     t = strtok_r(NULL, " ,", &save))
			if (!label_is_valid(t))
				ok = bad(why, size, "\"%s\" is not a tag name (" LABEL_RULE ")", t);
		free(copy);
		return ok;
	}
	case ARG_AGENT: /* logins are in the database: checked when run */
	case ARG_TEXT: return true;
	}
	return true;
}
