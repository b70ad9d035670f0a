/* config.c: reading one config.yaml into struct config, with every
 * mistake reported as file:line:col and what was expected (layers.c
 * finds the files and puts the two layers together). */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "caps.h"
#include "config.h"
#include "internal_config.h"
#include "nameset.h"
#include "text.h"
#include "util.h"
#include "yamldoc.h"

const char *config_system_path = "/etc/desk/config.yaml";

/* Where things are read from while loading one file. */
struct loader {
	const struct ydoc *d;
	char *dir; /* folder of the file, for relative paths; NULL: as is */
	struct derr *e;
	/* A personal file: policy keys are refused, saying where they go. */
	bool personal;
	const char *team_hint; /* "in /srv/desk/config.yaml, the team's file" */
};

static const char *const top_keys[CFG__COUNT + 1] = {
	[CFG_DATABASE] = "database",
	[CFG_THEME] = "theme",
	[CFG_KEYS] = "keys",
	[CFG_CANNED] = "canned",
	[CFG_THEMES_DIR] = "themes_dir",
	[CFG_DEFAULT_QUEUE] = "default_queue",
	[CFG_QUEUES] = "queues",
	[CFG_ALLOW_SOLVE_UNASSIGNED] = "allow_solve_unassigned",
	[CFG_SLA] = "sla",
	[CFG_BUSINESS_HOURS] = "business_hours",
	[CFG_VIEWS] = "views",
	[CFG_MAIL] = "mail",
	[CFG_AGENTS_MAY_REASSIGN] = "agents_may_reassign",
	[CFG_AGENTS_MAY_BULK_EDIT] = "agents_may_bulk_edit",
	[CFG_SIGNATURE] = "signature",
	[CFG_UNDO_SEND_SECONDS] = "undo_send_seconds",
	[CFG_CLAIM_ON_REPLY] = "claim_on_reply",
	[CFG_NOTIFY] = "notify",
	[CFG_FOLLOW_UP_RULES] = "follow_up_rules",
	[CFG_SURVEYS] = "surveys",
	[CFG_ATTACHMENTS] = "attachments",
	[CFG_TIME_TRACKING] = "time_tracking",
	[CFG_KNOWLEDGE_BASE] = "knowledge_base",
	[CFG_REPORT_DATABASE] = "report_database",
	[CFG__COUNT] = NULL,
};

/* What a personal file may say, for its "expected one of" message. */
static const char *const personal_keys[] = {"database", "theme", "keys", "themes_dir", "views",
					    "signature",
					    "undo_send_seconds", "notify", NULL};

const char *config_key_name(enum config_key k)
{
	return k < CFG__COUNT ? top_keys[k] : "?";
}

bool config_key_is_personal(enum config_key k)
{
	return k == CFG_DATABASE || k == CFG_THEME || k == CFG_KEYS || k == CFG_THEMES_DIR ||
	       k == CFG_VIEWS || k == CFG_SIGNATURE ||
	       k == CFG_UNDO_SEND_SECONDS || k == CFG_NOTIFY;
}

static const struct sla_target default_sla[PRIO__COUNT] = {
	[PRIO_LOW] = {86400, 2 * 86400, 7 * 86400},
	[PRIO_NORMAL] = {8 * 3600, 86400, 3 * 86400},
	[PRIO_HIGH] = {4 * 3600, 8 * 3600, 86400},
	[PRIO_URGENT] = {3600, 2 * 3600, 4 * 3600},
};

void config_defaults(struct config *c)
{
	memset(c, 0, sizeof *c);
	c->theme = xstrdup("default");
	c->default_queue = xstrdup("general");
	c->claim_on_reply = true;
	memcpy(c->sla, default_sla, sizeof c->sla);
	static const char *const sendmail[] = {"/usr/sbin/sendmail", "-t", "-oi"};
	c->mail.nsendmail = ARRAY_LEN(sendmail);
	c->mail.sendmail = xcalloc(c->mail.nsendmail + 1, sizeof *c->mail.sendmail);
	for (size_t i = 0; i < c->mail.nsendmail; i++)
		c->mail.sendmail[i] = xstrdup(sendmail[i]);
	c->mail.sendmail_timeout = SENDMAIL_TIMEOUT_DEFAULT;
	c->attachments.max_size = ATTACH_MAX_SIZE_DEFAULT;
	c->attachments.max_total = ATTACH_MAX_TOTAL_DEFAULT;
	/* The channels whose customers expect the answer in their mailbox:
	 * a phone call, a chat or a social post is answered there. */
	c->mail.reply_by_mail[CH_EMAIL] = c->mail.reply_by_mail[CH_WEB] = true;
	c->sla_warn_percent = 25;
	c->undo_send_seconds = UNDO_SEND_DEFAULT;
	c->notify.sla_warning = NOTIFY_SLA_WARNING_DEFAULT;
	survey_config_defaults(&c->surveys);
	c->time_tracking.enabled = true;
	c->time_tracking.idle = TIME_IDLE_DEFAULT;
	/* Business hours off means the SLA clock runs around the clock. */
	for (int i = 0; i < 7; i++) {
		c->hours.open[i] = 0;
		c->hours.close[i] = 24 * 60;
	}
}

static void mail_config_free(struct mail_config *m)
{
	free(m->support_address);
	for (size_t i = 0; i < m->nsendmail; i++)
		free(m->sendmail[i]);
	free(m->sendmail);
	free(m->attachments_dir);
	free(m->ack_canned);
	free(m->default_queue);
	memset(m, 0, sizeof *m);
}

void config_free(struct config *c)
{
	if (!c)
		return;
	free(c->source);
	free(c->personal);
	free(c->team_folder);
	free(c->db_path);
	free(c->report_db_path);
	free(c->theme);
	free(c->keys_file);
	free(c->canned_file);
	free(c->themes_dir);
	free(c->signature);
	free(c->default_queue);
	for (size_t i = 0; i < c->nqueues; i++)
		free(c->queues[i]);
	free(c->queues);
	for (size_t i = 0; i < c->nviews; i++) {
		free(c->views[i].name);
		free(c->views[i].filter);
	}
	free(c->views);
	notify_config_free(&c->notify);
	follow_up_rules_free(c);
	survey_config_free(&c->surveys);
	free(c->kb_path);
	free(c->kb_public_url);
	free(c->hours.timezone);
	for (size_t i = 0; i < c->hours.nholidays; i++)
		free(c->hours.holidays[i]);
	free(c->hours.holidays);
	for (size_t i = 0; i < c->nsla_policies; i++)
		free(c->sla_policies[i].queue);
	free(c->sla_policies);
	mail_config_free(&c->mail);
	memset(c, 0, sizeof *c);
}

/* Replaces *field with the non-empty string n; what names the expected
 * value in the message ("expected a theme name, got a sequence"). */
static int read_str(struct loader *l, const struct ynode *n, const char *what, char **field)
{
	if (n->type != Y_SCALAR || y_is_null(n) || !n->value[0]) {
		char got[128];
		y_describe(n, got, sizeof got);
		return yerr(l->e, l->d, n, "expected %s, got %s", what, got);
	}
	free(*field);
	*field = xstrdup(n->value);
	return DESK_OK;
}

/* A queue name, by the rule every other way of naming one follows. */
static int read_queue(struct loader *l, const struct ynode *n, char **field)
{
	if (n->type == Y_SCALAR && !y_is_null(n) && n->value[0] && !label_is_valid(n->value)) {
		char got[128];
		y_describe(n, got, sizeof got);
		return yerr(l->e, l->d, n, "expected a queue name (" LABEL_RULE "), got %s", got);
	}
	return read_str(l, n, "a queue name", field);
}

/* queues: a list of queue names, each once. */
static int read_queues(struct loader *l, const struct ynode *seq, struct config *c)
{
	int rc = y_expect(l->d, seq, Y_SEQ, "a list of queue names like [general, billing]", l->e);
	if (rc)
		return rc;
	if (seq->nkids == 0)
		return yerr(l->e, l->d, seq,
			    "expected a list of queue names, got an empty list (leave queues out "
			    "to take any queue name)");
	for (size_t i = 0; i < c->nqueues; i++)
		free(c->queues[i]);
	free(c->queues);
	c->queues = xcalloc(seq->nkids, sizeof *c->queues);
	c->nqueues = 0;
	struct nameset seen;
	nameset_init(&seen, seq->nkids);
	for (size_t i = 0; !rc && i < seq->nkids; i++) {
		const struct ynode *n = seq->kids[i];
		if ((rc = read_queue(l, n, &c->queues[c->nqueues])))
			break;
		c->nqueues++;
		long j = nameset_add(&seen, c->queues[i], (long)i);
		if (j >= 0)
			rc = yerr(l->e, l->d, n, "queue \"%s\" is listed twice; first on line %d",
				  c->queues[i], seq->kids[j]->line);
	}
	nameset_free(&seen);
	return rc;
}

/* The queue: and tag: names in a view's filter follow the same rule: a
 * view of a name no ticket can have is a typo worth naming. */
static int check_filter_names(struct loader *l, const struct ynode *n, const char *filter)
{
	char *copy = xstrdup(filter);
	int rc = DESK_OK;
	for (char *save = NULL, *w = strtok_r(copy, " \t", &save); w && !rc;
	     w = strtok_r(NULL, " \t", &save)) {
		const char *key = strncmp(w, "queue:", 6) == 0 ? "queue"
				  : strncmp(w, "tag:", 4) == 0  ? "tag"
								  : NULL;
		const char *name = key ? strchr(w, ':') + 1 : NULL;
		if (key && !label_is_valid(name)) {
			char got[128];
			y_describe(n, got, sizeof got);
			rc = yerr(l->e, l->d, n, "%s:%.80s: expected a %s name (" LABEL_RULE "), in %s",
				  key, name, key, got);
		}
	}
	free(copy);
	return rc;
}

/* A file name: "~/" is the home folder; relative names are taken from
 * the config file's folder, so a config works from any directory. */
static int read_path(struct loader *l, const struct ynode *n, char **field)
{
	char *s = NULL;
	int rc = read_str(l, n, "a file path", &s);
	if (rc)
		return rc;
	/* "~" in the team's file is its owner's home, never that of whoever
	 * runs desk (an agent would choose the team's canned responses). */
	const char *home = getenv("HOME");
	struct stat sb;
	struct passwd *pw;
	if (!l->personal && l->d->path && stat(l->d->path, &sb) == 0 &&
	    (pw = getpwuid(sb.st_uid)) != NULL)
		home = pw->pw_dir;
	free(*field);
	if (s[0] == '~' && s[1] == '/' && home && *home)
		*field = xasprintf("%s%s", home, s + 1);
	else if (s[0] != '/' && l->dir)
		*field = xasprintf("%s/%s", l->dir, s);
	else
		*field = xstrdup(s);
	free(s);
	return DESK_OK;
}

/* The database: a file's path, or a PostgreSQL server's URL or
 * keywords, taken as written. */
static int read_database(struct loader *l, const struct ynode *n, char **field)
{
	if (n->type == Y_SCALAR && n->value && database_is_server(n->value))
		return read_str(l, n, "a postgresql:// URL", field);
	return read_path(l, n, field);
}

/* An SLA target: a duration, or "none" for no target. */
static int read_target(struct loader *l, const struct ynode *n, int64_t *out)
{
	if (n->type == Y_SCALAR && strcmp(n->value, "none") == 0) {
		*out = 0;
		return DESK_OK;
	}
	return y_duration(l->d, n, out, l->e);
}

static int read_sla_level(struct loader *l, const struct ynode *map, const char *section,
			  struct sla_target *t)
{
	static const char *const keys[] = {"first_response", "next_response", "resolution",
					   NULL};
	int rc = y_expect(l->d, map, Y_MAP, "a mapping of SLA targets", l->e);
	for (size_t i = 0; !rc && i < map->nkids; i += 2) {
		int k;
		if ((rc = y_key(l->d, map->kids[i], section, keys, &k, l->e)))
			break;
		int64_t *field = k == 0 ? &t->first_response
				 : k == 1 ? &t->next_response
					  : &t->resolution;
		rc = read_target(l, map->kids[i + 1], field);
	}
	return rc;
}

/* One of sla.policies: a priority narrowed by queue and/or channel.
 * Targets left out are -1 until read_sla fills them from the priority's,
 * which may come later in the file. */
static int read_policy(struct loader *l, const struct ynode *map, const char *section,
		       struct sla_policy *p)
{
	static const char *const keys[] = {"priority",       "queue",         "channel",
					   "first_response", "next_response", "resolution",
					   NULL};
	static const char *const prios[] = {"low", "normal", "high", "urgent", NULL};
	static const char *const chans[] = {"email", "phone", "chat", "web", "social",
					    "walk_in", NULL};
	int rc = y_expect(l->d, map, Y_MAP,
			  "a mapping with a priority, a queue or channel, and targets", l->e);
	if (rc)
		return rc;
	int prio = -1;
	p->channel = -1;
	p->line = map->line;
	p->target = (struct sla_target){-1, -1, -1};
	for (size_t i = 0; !rc && i < map->nkids; i += 2) {
		int k;
		if ((rc = y_key(l->d, map->kids[i], section, keys, &k, l->e)))
			break;
		const struct ynode *v = map->kids[i + 1];
		switch (k) {
		case 0: rc = y_enum(l->d, v, prios, &prio, l->e); break;
		case 1: rc = read_queue(l, v, &p->queue); break;
		case 2: rc = y_enum(l->d, v, chans, &p->channel, l->e); break;
		case 3: rc = read_target(l, v, &p->target.first_response); break;
		case 4: rc = read_target(l, v, &p->target.next_response); break;
		default: rc = read_target(l, v, &p->target.resolution); break;
		}
	}
	if (rc)
		return rc;
	if (prio < 0)
		return yerr(l->e, l->d, map, "missing key \"priority\" in %s", section);
	p->priority = (enum priority)prio;
	if (!p->queue && p->channel < 0)
		return yerr(l->e, l->d, map,
			    "%s narrows nothing: give it a queue or a channel (sla.%s sets "
			    "the targets of every %s ticket)",
			    section, prios[prio], prios[prio]);
	return DESK_OK;
}

static int read_policies(struct loader *l, const struct ynode *seq, struct config *c)
{
	int rc = y_expect(l->d, seq, Y_SEQ, "a list of SLA policies", l->e);
	if (rc)
		return rc;
	for (size_t i = 0; i < c->nsla_policies; i++)
		free(c->sla_policies[i].queue);
	free(c->sla_policies);
	c->sla_policies = xcalloc(seq->nkids + 1, sizeof *c->sla_policies);
	c->nsla_policies = 0;
	for (size_t i = 0; i < seq->nkids; i++) {
		/* Counted first, so that config_free frees a half-read one. */
		struct sla_policy *p = &c->sla_policies[c->nsla_policies++];
		char section[40];
		snprintf(section, sizeof section, "sla.policies[%zu]", i);
		if ((rc = read_policy(l, seq->kids[i], section, p)))
			return rc;
		for (size_t j = 0; j < i; j++) {
			const struct sla_policy *q = &c->sla_policies[j];
			bool same_queue = (!p->queue && !q->queue) ||
					  (p->queue && q->queue && strcmp(p->queue, q->queue) == 0);
			if (q->priority == p->priority && same_queue && q->channel == p->channel)
				return yerr(l->e, l->d, seq->kids[i],
					    "%s repeats the policy defined on line %d", section,
					    q->line);
		}
	}
	return DESK_OK;
}

static int read_sla(struct loader *l, const struct ynode *map, struct config *c)
{
	static const char *const keys[] = {"warn_percent", "urgent", "high",     "normal",
					   "low",          "policies", NULL};
	static const int prio[] = {-1, PRIO_URGENT, PRIO_HIGH, PRIO_NORMAL, PRIO_LOW};
	int rc = y_expect(l->d, map, Y_MAP, "a mapping of SLA settings", l->e);
	for (size_t i = 0; !rc && i < map->nkids; i += 2) {
		int k;
		if ((rc = y_key(l->d, map->kids[i], "sla", keys, &k, l->e)))
			break;
		const struct ynode *v = map->kids[i + 1];
		if (k == 0) {
			long pct;
			if (!(rc = y_int(l->d, v, 1, 99, &pct, l->e)))
				c->sla_warn_percent = (int)pct;
		} else if (k == 5) {
			rc = read_policies(l, v, c);
		} else {
			char section[32];
			snprintf(section, sizeof section, "sla.%s", keys[k]);
			rc = read_sla_level(l, v, section, &c->sla[prio[k]]);
		}
	}
	/* A policy's missing targets are its priority's. */
	for (size_t i = 0; !rc && i < c->nsla_policies; i++) {
		struct sla_policy *p = &c->sla_policies[i];
		const struct sla_target *d = &c->sla[p->priority];
		if (p->target.first_response < 0)
			p->target.first_response = d->first_response;
		if (p->target.next_response < 0)
			p->target.next_response = d->next_response;
		if (p->target.resolution < 0)
			p->target.resolution = d->resolution;
	}
	return rc;
}

/* "HH:MM" (hour 0..24; 24:00 ends a day) into minutes after midnight. */
static bool parse_hhmm(const char **p, int *minutes)
{
	const char *s = *p;
	int h = 0, digits = 0;
	while (*s >= '0' && *s <= '9' && digits < 2) {
		h = h * 10 + (*s++ - '0');
		digits++;
	}
	if (!digits || *s++ != ':' || !(s[0] >= '0' && s[0] <= '9') ||
	    !(s[1] >= '0' && s[1] <= '9'))
		return false;
	int m = (s[0] - '0') * 10 + (s[1] - '0');
	if (h > 24 || m > 59 || (h == 24 && m != 0))
		return false;
	*minutes = h * 60 + m;
	*p = s + 2;
	return true;
}

static int read_day(struct loader *l, const struct ynode *n, int *open, int *close)
{
	if (n->type == Y_SCALAR && strcmp(n->value, "closed") == 0) {
		*open = *close = -1;
		return DESK_OK;
	}
	const char *p = n->type == Y_SCALAR ? n->value : "";
	int o, c;
	bool ok = parse_hhmm(&p, &o);
	while (ok && *p == ' ')
		p++;
	ok = ok && *p++ == '-';
	while (ok && *p == ' ')
		p++;
	ok = ok && parse_hhmm(&p, &c) && *p == '\0';
	char got[128];
	y_describe(n, got, sizeof got);
	if (!ok)
		return yerr(l->e, l->d, n,
			    "expected opening hours like \"09:00-17:30\" or \"closed\", got %s",
			    got);
	if (c <= o)
		return yerr(l->e, l->d, n,
			    "expected the closing time after the opening time, got %s", got);
	*open = o;
	*close = c;
	return DESK_OK;
}

static int read_holidays(struct loader *l, const struct ynode *seq, struct business_hours *h)
{
	int rc = y_expect(l->d, seq, Y_SEQ, "a list of dates like [\"2026-12-25\"]", l->e);
	if (rc)
		return rc;
	for (size_t i = 0; i < h->nholidays; i++)
		free(h->holidays[i]);
	free(h->holidays);
	h->holidays = xcalloc(seq->nkids + 1, sizeof *h->holidays);
	h->nholidays = 0;
	for (size_t i = 0; i < seq->nkids; i++) {
		const struct ynode *n = seq->kids[i];
		int64_t t;
		/* A date only: time_parse_rfc3339 also takes full timestamps. */
		if (n->type != Y_SCALAR || strlen(n->value) != 10 ||
		    !time_parse_rfc3339(n->value, &t)) {
			char got[128];
			y_describe(n, got, sizeof got);
			return yerr(l->e, l->d, n, "expected a date like 2026-12-25, got %s", got);
		}
		h->holidays[h->nholidays++] = xstrdup(n->value);
	}
	return DESK_OK;
}

/* A tz database name, checked against the zone files: the C library
 * would quietly take an unknown name for UTC and shift every due time. */
static int read_zone(struct loader *l, const struct ynode *n, char **zone)
{
	int rc = read_str(l, n, "a time zone like Europe/Paris", zone);
	if (rc)
		return rc;
	const char *dir = getenv("TZDIR");
	char *path = xasprintf("%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", *zone);
	struct stat sb;
	bool ok = (*zone)[0] != '/' && !strstr(*zone, "..") && stat(path, &sb) == 0 &&
		  S_ISREG(sb.st_mode);
	free(path);
	if (ok)
		return DESK_OK;
	char got[128];
	y_describe(n, got, sizeof got);
	return yerr(l->e, l->d, n, "expected a time zone like Europe/Paris, got %s", got);
}

static int read_hours(struct loader *l, const struct ynode *map, struct business_hours *h)
{
	/* Index 1..7 is Monday..Sunday; i % 7 is then struct tm's wday. */
	static const char *const keys[] = {"timezone", "monday",   "tuesday", "wednesday",
					   "thursday", "friday",   "saturday", "sunday",
					   "holidays", NULL};
	int rc = y_expect(l->d, map, Y_MAP, "a mapping of business hours", l->e);
	if (rc)
		return rc;
	h->enabled = true;
	/* Listing the days that are open is enough: the others are closed. */
	for (int i = 0; i < 7; i++)
		h->open[i] = h->close[i] = -1;
	for (size_t i = 0; !rc && i < map->nkids; i += 2) {
		int k;
		if ((rc = y_key(l->d, map->kids[i], "business_hours", keys, &k, l->e)))
			break;
		const struct ynode *v = map->kids[i + 1];
		if (k == 0)
			rc = read_zone(l, v, &h->timezone);
		else if (k == 8)
			rc = read_holidays(l, v, h);
		else
			rc = read_day(l, v, &h->open[k % 7], &h->close[k % 7]);
	}
	if (rc)
		return rc;
	for (int i = 0; i < 7; i++)
		if (h->open[i] >= 0)
			return DESK_OK;
	/* Else no SLA clock would ever run. */
	return yerr(l->e, l->d, map,
		    "expected opening hours for at least one day (e.g. monday: "
		    "\"09:00-17:30\"), got every day closed");
}

static int read_view(struct loader *l, const struct ynode *map, const char *section,
		     struct view_def *v)
{
	static const char *const keys[] = {"name", "filter", "sort", "reverse", NULL};
	const char *sort_names[SORT__COUNT + 1];
	for (int i = 0; i < SORT__COUNT; i++)
		sort_names[i] = queue_sort_name((enum queue_sort)i);
	sort_names[SORT__COUNT] = NULL;

	int rc = y_expect(l->d, map, Y_MAP, "a mapping with a view's name and filter", l->e);
	if (rc)
		return rc;
	v->sort = SORT_URGENCY;
	v->personal = l->personal;
	v->line = map->line;
	for (size_t i = 0; !rc && i < map->nkids; i += 2) {
		int k, s;
		if ((rc = y_key(l->d, map->kids[i], section, keys, &k, l->e)))
			break;
		const struct ynode *n = map->kids[i + 1];
		switch (k) {
		case 0:
			rc = read_str(l, n, "a view name", &v->name);
			break;
		case 1:
			/* Quoted "" is allowed: a view of every ticket. */
			if (n->type == Y_SCALAR && n->quoted) {
				free(v->filter);
				v->filter = xstrdup(n->value);
			} else {
				rc = read_str(l, n, "a filter like \"status:open queue:billing\"",
					      &v->filter);
			}
			if (rc == DESK_OK)
				rc = check_filter_names(l, n, v->filter);
			break;
		case 2:
			if (!(rc = y_enum(l->d, n, sort_names, &s, l->e)))
				v->sort = (enum queue_sort)queue_sort_from_name(sort_names[s]);
			break;
		default:
			rc = y_bool(l->d, n, &v->reverse, l->e);
			break;
		}
	}
	if (rc)
		return rc;
	const char *missing = !v->name ? "name" : !v->filter ? "filter" : NULL;
	if (missing)
		return yerr(l->e, l->d, map, "missing key \"%s\" in %s", missing, section);
	return DESK_OK;
}

static int read_views(struct loader *l, const struct ynode *seq, struct config *c)
{
	int rc = y_expect(l->d, seq, Y_SEQ, "a list of views", l->e);
	if (rc)
		return rc;
	c->views = xcalloc(seq->nkids, sizeof *c->views);
	struct nameset seen;
	nameset_init(&seen, seq->nkids);
	for (size_t i = 0; !rc && i < seq->nkids; i++) {
		/* Counted first, so that config_free frees a half-read view. */
		c->nviews = i + 1;
		char section[32];
		snprintf(section, sizeof section, "views[%zu]", i);
		if ((rc = read_view(l, seq->kids[i], section, &c->views[i])))
			break;
		long j = nameset_add(&seen, c->views[i].name, (long)i);
		if (j >= 0) {
			const struct ynode *n = y_get(seq->kids[i], "name");
			char got[128];
			y_describe(n, got, sizeof got);
			rc = yerr(l->e, l->d, n, "duplicate view name %s; first defined on line %d", got,
				  y_get(seq->kids[j], "name")->line);
		}
	}
	nameset_free(&seen);
	return rc;
}

/* An address that goes into mail headers as it is: one line, with an @. */
static int read_address(struct loader *l, const struct ynode *n, char **field)
{
	const char *v = n->type == Y_SCALAR ? n->value : "";
	bool ok = strchr(v, '@') != NULL;
	for (const char *p = v; ok && *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			ok = false;
	if (!ok || y_is_null(n)) {
		char got[128];
		y_describe(n, got, sizeof got);
		return yerr(l->e, l->d, n,
			    "expected an address like \"Support <help@example.com>\", got %s",
			    got);
	}
	return read_str(l, n, "an address", field);
}

/* The sending command as a list, so that no shell ever splits it. */
static int read_argv(struct loader *l, const struct ynode *seq, struct mail_config *m)
{
	const char *what = "a command as a list like [/usr/sbin/sendmail, -t, -oi]";
	int rc = y_expect(l->d, seq, Y_SEQ, what, l->e);
	if (rc)
		return rc;
	if (seq->nkids == 0)
		return yerr(l->e, l->d, seq, "expected %s, got an empty list", what);
	for (size_t i = 0; i < seq->nkids; i++) {
		const struct ynode *n = seq->kids[i];
		if (n->type != Y_SCALAR || y_is_null(n) || !n->value[0]) {
			char got[128];
			y_describe(n, got, sizeof got);
			return yerr(l->e, l->d, n, "expected a word of the command, got %s", got);
		}
	}
	for (size_t i = 0; i < m->nsendmail; i++)
		free(m->sendmail[i]);
	free(m->sendmail);
	m->sendmail = xcalloc(seq->nkids + 1, sizeof *m->sendmail);
	for (m->nsendmail = 0; m->nsendmail < seq->nkids; m->nsendmail++)
		m->sendmail[m->nsendmail] = xstrdup(seq->kids[m->nsendmail]->value);
	return DESK_OK;
}

static int read_ack(struct loader *l, const struct ynode *map, struct mail_config *m)
{
	static const char *const keys[] = {"enabled", "canned", NULL};
	int rc = y_expect(l->d, map, Y_MAP, "a mapping with enabled and canned", l->e);
	for (size_t i = 0; !rc && i < map->nkids; i += 2) {
		int k;
		if ((rc = y_key(l->d, map->kids[i], "mail.acknowledge", keys, &k, l->e)))
			break;
		const struct ynode *v = map->kids[i + 1];
		if (k == 0)
			rc = y_bool(l->d, v, &m->ack_enabled, l->e);
		else
			rc = read_str(l, v, "the name of a canned response", &m->ack_canned);
	}
	if (!rc && m->ack_enabled && !m->ack_canned)
		rc = yerr(l->e, l->d, map,
			  "missing key \"canned\" in mail.acknowledge: which canned response "
			  "says the mail arrived?");
	return rc;
}

/* mail.reply_by_mail: channel -> true/false; channels not named keep
 * their default. */
static int read_reply_by_mail(struct loader *l, const struct ynode *map, struct mail_config *m)
{
	static const char *const chans[] = {"email", "phone", "chat", "web", "social",
					    "walk_in", NULL};
	int rc = y_expect(l->d, map, Y_MAP, "a mapping of channels to true or false", l->e);
	for (size_t i = 0; !rc && i < map->nkids; i += 2) {
		int ch;
		if ((rc = y_key(l->d, map->kids[i], "mail.reply_by_mail", chans, &ch, l->e)))
			break;
		rc = y_bool(l->d, map->kids[i + 1], &m->reply_by_mail[ch], l->e);
	}
	return rc;
}

static int read_sendmail_timeout(struct loader *l, const struct ynode *n, struct mail_config *m)
{
	int64_t s = 0;
	int rc = y_duration(l->d, n, &s, l->e);
	if (rc == DESK_OK && s > SENDMAIL_TIMEOUT_MAX)
		rc = yerr(l->e, l->d, n,
			  "mail.sendmail_timeout is at most %ds (5m): a message queued longer "
			  "is taken for abandoned by desk outbox --retry",
			  SENDMAIL_TIMEOUT_MAX);
	if (rc == DESK_OK)
		m->sendmail_timeout = s;
	return rc;
}

static int read_mail(struct loader *l, const struct ynode *map, struct mail_config *m)
{
	static const char *const keys[] = {"support_address", "sendmail", "attachments_dir",
					   "acknowledge", "default_queue", "stranger_tag",
					   "sendmail_timeout", "reply_by_mail", NULL};
	static const char *const stranger[] = {"new_ticket", "join", NULL};
	int choice;
	int rc = y_expect(l->d, map, Y_MAP, "a mapping of mail settings", l->e);
	for (size_t i = 0; !rc && i < map->nkids; i += 2) {
		int k;
		if ((rc = y_key(l->d, map->kids[i], "mail", keys, &k, l->e)))
			break;
		const struct ynode *v = map->kids[i + 1];
		switch (k) {
		case 0: rc = read_address(l, v, &m->support_address); break;
		case 1: rc = read_argv(l, v, m); break;
		case 2: rc = read_path(l, v, &m->attachments_dir); break;
		case 3: rc = read_ack(l, v, m); break;
		case 4: rc = read_queue(l, v, &m->default_queue); break;
		case 6: rc = read_sendmail_timeout(l, v, m); break;
		case 7: rc = read_reply_by_mail(l, v, m); break;
		default:
			if ((rc = y_enum(l->d, v, stranger, &choice, l->e)) == DESK_OK)
				m->stranger_joins = choice == 1;
			break;
		}
	}
	return rc;
}

/* attachments: max_size and max_total, each at least one byte; a file
 * bigger than all files together may be is a contradiction worth
 * naming. */
static int read_attachments(struct loader *l, const struct ynode *map,
			    struct attachment_limits *a)
{
	static const char *const keys[] = {"max_size", "max_total", NULL};
	int rc = y_expect(l->d, map, Y_MAP, "a mapping with max_size and max_total", l->e);
	const struct ynode *size_at = NULL;
	for (size_t i = 0; !rc && i < map->nkids; i += 2) {
		int k;
		if ((rc = y_key(l->d, map->kids[i], "attachments", keys, &k, l->e)))
			break;
		const struct ynode *v = map->kids[i + 1];
		int64_t *field = k == 0 ? &a->max_size : &a->max_total;
		if ((rc = y_size(l->d, v, field, l->e)))
			break;
		if (*field < 1)
			rc = yerr(l->e, l->d, v, "attachments.%s: at least 1 byte", keys[k]);
		if (k == 0)
			size_at = v;
	}
	if (rc == DESK_OK && a->max_size > a->max_total)
		rc = yerr(l->e, l->d, size_at ? size_at : map,
			  "attachments.max_size (%lld bytes) is more than max_total (%lld bytes)",
			  (long long)a->max_size, (long long)a->max_total);
	return rc;
}

/* signature: plain text of a few lines (a `|` block keeps them), held
 * to the rules of `desk agent signature` (core_signature_check). */
static int read_signature(struct loader *l, const struct ynode *n, char **field)
{
	int rc = read_str(l, n, "the signature's text (a `|` block for several lines)", field);
	if (rc == DESK_OK && strlen(*field) > DESK_MAX_SIGNATURE) {
		char cap[32];
		return yerr(l->e, l->d, n, "signature: %zu bytes, more than the %s desk takes",
			    strlen(*field), caps_describe(DESK_MAX_SIGNATURE, cap, sizeof cap));
	}
	const char *bad = rc ? NULL : text_first_unplain(*field);
	if (bad) {
		int line = 1;
		for (const char *p = *field; p < bad; p++)
			line += *p == '\n';
		return yerr(l->e, l->d, n,
			    "signature: its line %d holds a control, invisible or invalid "
			    "character; a signature is plain text",
			    line);
	}
	return rc;
}

/* time_tracking: {enabled: true, idle: 5m}; idle from 10s to 1h (a
 * shorter one stops the clock while the agent reads, a longer one
 * counts a coffee break). */
static int read_time_tracking(struct loader *l, const struct ynode *map,
			      struct time_tracking_config *t)
{
	static const char *const keys[] = {"enabled", "idle", NULL};
	int rc = y_expect(l->d, map, Y_MAP, "a mapping like {enabled: true, idle: 5m}", l->e);
	for (size_t i = 0; !rc && i < map->nkids; i += 2) {
		int k;
		if ((rc = y_key(l->d, map->kids[i], "time_tracking", keys, &k, l->e)))
			break;
		const struct ynode *v = map->kids[i + 1];
		if (k == 0) {
			rc = y_bool(l->d, v, &t->enabled, l->e);
			continue;
		}
		if ((rc = y_duration(l->d, v, &t->idle, l->e)))
			break;
		if (t->idle < 10 || t->idle > 3600)
			rc = yerr(l->e, l->d, v, "time_tracking.idle: expected 10s to 1h, got %s",
				  v->value);
	}
	return rc;
}

/* knowledge_base: {path: FOLDER, public_url: "https://.../{slug}"}.  The
 * address is put in replies to customers: an http(s) URL holding
 * {slug} once, and nothing a mail or a terminal would take for more
 * than a URL (no space or control character). */
static int read_kb(struct loader *l, const struct ynode *map, struct config *c)
{
	static const char *const keys[] = {"path", "public_url", NULL};
	int rc = y_expect(l->d, map, Y_MAP,
			  "a mapping with path (the articles' folder) and public_url", l->e);
	const struct ynode *path = NULL;
	for (size_t i = 0; !rc && i < map->nkids; i += 2) {
		int k;
		if ((rc = y_key(l->d, map->kids[i], "knowledge_base", keys, &k, l->e)))
			break;
		const struct ynode *v = map->kids[i + 1];
		if (k == 0) {
			path = v;
			rc = read_path(l, v, &c->kb_path);
			continue;
		}
		if ((rc = read_str(l, v, "an address like https://help.example.com/kb/{slug}",
				   &c->kb_public_url)))
			break;
		const char *u = c->kb_public_url, *at = strstr(u, "{slug}");
		bool http = strncmp(u, "https://", 8) == 0 || strncmp(u, "http://", 7) == 0;
		bool plain = true;
		for (const char *p = u; *p; p++)
			plain = plain && (unsigned char)*p > ' ' && *p != 0x7f;
		if (!http || !at || strstr(at + 1, "{slug}") || !plain)
			rc = yerr(l->e, l->d, v,
				  "knowledge_base.public_url: expected an http(s) address holding "
				  "{slug} once, with no space or control character, like "
				  "https://help.example.com/kb/{slug}");
	}
	if (!rc && !path)
		rc = yerr(l->e, l->d, map, "missing key \"path\" in knowledge_base");
	return rc;
}

/* A top-level key: a personal file's policy key is refused here,
 * naming the team file it belongs in. */
static int read_top_key(struct loader *l, const struct ynode *key, int *k)
{
	int rc = y_key(l->d, key, "the top level", top_keys, k, l->e);
	if (!l->personal)
		return rc;
	if (rc == DESK_OK && config_key_is_personal((enum config_key)*k))
		return DESK_OK;
	if (rc == DESK_OK)
		return yerr(l->e, l->d, key,
			    "%s is the team's policy, not a personal setting: it belongs %s",
			    top_keys[*k], l->team_hint);
	/* Unknown: list only what a personal file may hold. */
	derr_clear(l->e);
	return y_key(l->d, key, "the top level", personal_keys, k, l->e);
}

static int read_config(struct loader *l, const struct ynode *root, struct config *c)
{
	if (!root) /* an empty file: every default */
		return DESK_OK;
	int rc = y_expect(l->d, root, Y_MAP, "a mapping of settings", l->e);
	for (size_t i = 0; !rc && i < root->nkids; i += 2) {
		int k;
		if ((rc = read_top_key(l, root->kids[i], &k)))
			break;
		const struct ynode *v = root->kids[i + 1];
		c->origin[k] = (struct config_origin){l->personal ? FROM_PERSONAL : FROM_TEAM,
						      root->kids[i]->line};
		switch ((enum config_key)k) {
		case CFG_DATABASE: rc = read_database(l, v, &c->db_path); break;
		case CFG_THEME: rc = read_str(l, v, "a theme name or path", &c->theme); break;
		case CFG_KEYS: rc = read_path(l, v, &c->keys_file); break;
		case CFG_CANNED: rc = read_path(l, v, &c->canned_file); break;
		case CFG_THEMES_DIR: rc = read_path(l, v, &c->themes_dir); break;
		case CFG_DEFAULT_QUEUE: rc = read_queue(l, v, &c->default_queue); break;
		case CFG_QUEUES: rc = read_queues(l, v, c); break;
		case CFG_ALLOW_SOLVE_UNASSIGNED:
			rc = y_bool(l->d, v, &c->allow_solve_unassigned, l->e);
			break;
		case CFG_SLA: rc = read_sla(l, v, c); break;
		case CFG_BUSINESS_HOURS: rc = read_hours(l, v, &c->hours); break;
		case CFG_VIEWS: rc = read_views(l, v, c); break;
		case CFG_MAIL: rc = read_mail(l, v, &c->mail); break;
		case CFG_AGENTS_MAY_REASSIGN:
			rc = y_bool(l->d, v, &c->agents_may_reassign, l->e);
			break;
		case CFG_SIGNATURE: rc = read_signature(l, v, &c->signature); break;
		case CFG_NOTIFY: rc = config_read_notify(l->d, v, &c->notify, l->e); break;
		case CFG_FOLLOW_UP_RULES:
			rc = config_read_follow_up_rules(l->d, v, c, l->e);
			break;
		case CFG_SURVEYS:
			rc = config_read_surveys(l->d, v, &c->surveys, l->e);
			break;
		case CFG_ATTACHMENTS: rc = read_attachments(l, v, &c->attachments); break;
		case CFG_TIME_TRACKING: rc = read_time_tracking(l, v, &c->time_tracking); break;
		case CFG_AGENTS_MAY_BULK_EDIT:
			rc = y_bool(l->d, v, &c->agents_may_bulk_edit, l->e);
			break;
		case CFG_UNDO_SEND_SECONDS: {
			long s = 0;
			rc = y_int(l->d, v, 0, UNDO_SEND_MAX, &s, l->e);
			c->undo_send_seconds = (int)s;
			break;
		}
		case CFG_KNOWLEDGE_BASE: rc = read_kb(l, v, c); break;
		case CFG_REPORT_DATABASE: rc = read_database(l, v, &c->report_db_path); break;
		case CFG_CLAIM_ON_REPLY:
		case CFG__COUNT:
			rc = y_bool(l->d, v, &c->claim_on_reply, l->e);
			break;
		}
	}
	return rc;
}

/* The folder part of path, or NULL when it has none (names in the file
 * then stay as written, relative to where desk runs). */
static char *dir_of(const char *path)
{
	return path && strchr(path, '/') ? path_dir(path) : NULL;
}

int config_read_doc(const struct ydoc *d, bool personal, const char *team_hint,
		    struct config *c, struct derr *e)
{
	config_defaults(c);
	struct loader l = {.d = d, .dir = dir_of(d->path), .e = e, .personal = personal,
			   .team_hint = team_hint};
	int rc = read_config(&l, d->root, c);
	if (rc == DESK_OK && !personal)
		rc = config_check_queue_names(d, c, e);
	free(l.dir);
	if (rc) {
		config_free(c);
		config_defaults(c);
		return rc;
	}
	if (personal)
		c->personal = xstrdup(d->path);
	else
		c->source = xstrdup(d->path);
	return DESK_OK;
}

int config_read_database(const struct ydoc *d, char **db_path, int *line, struct derr *e)
{
	*db_path = NULL;
	const struct ynode *n = d->root && d->root->type == Y_MAP ? y_get(d->root, "database")
								   : NULL;
	if (!n)
		return DESK_OK;
	struct loader l = {.d = d, .dir = dir_of(d->path), .e = e};
	int rc = read_database(&l, n, db_path);
	free(l.dir);
	*line = n->line;
	return rc;
}

int config_load_string(const char *text, const char *name, struct config *c, struct derr *e)
{
	struct ydoc d;
	int rc = ydoc_load_string(text, name, &d, e);
	if (rc) {
		config_defaults(c);
		return rc;
	}
	rc = config_read_doc(&d, false, NULL, c, e);
	ydoc_free(&d);
	return rc;
}

static int load_file(int (*loader)(const char *, struct ydoc *, struct derr *),
		     const char *path, struct config *c, struct derr *e)
{
	struct ydoc d;
	int rc = loader(path, &d, e);
	if (rc) {
		config_defaults(c);
		return rc;
	}
	rc = config_read_doc(&d, false, NULL, c, e);
	ydoc_free(&d);
	return rc;
}

int config_load_file(const char *path, struct config *c, struct derr *e)
{
	return load_file(ydoc_load, path, c, e);
}

int config_load_team_file(const char *path, struct config *c, struct derr *e)
{
	return load_file(ydoc_load_team, path, c, e);
}
