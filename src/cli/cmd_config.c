/* cmd_config.c: desk config check|show: both layers checked, and the
 * effective config with where each value came from. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "tui.h"
#include "util.h"

/* "4h", "2d", "90m": the largest unit that divides it; "none" for 0. */
static void duration(int64_t s, char *buf, size_t size)
{
	static const struct {
		int64_t seconds;
		char unit;
	} units[] = {{7 * 86400, 'w'}, {86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}};
	if (s <= 0) {
		snprintf(buf, size, "none");
		return;
	}
	for (size_t i = 0; i < ARRAY_LEN(units); i++) {
		if (s % units[i].seconds == 0) {
			snprintf(buf, size, "%" PRId64 "%c", s / units[i].seconds, units[i].unit);
			return;
		}
	}
}

/* "  # /srv/desk/config.yaml:12", "  # --db", "  # default". */
static void origin(const struct config *c, enum config_key k)
{
	const struct config_origin *o = &c->origin[k];
	const char *file = o->from == FROM_TEAM       ? c->source
			   : o->from == FROM_PERSONAL ? c->personal
			   : o->from == FROM_SYSTEM   ? config_system_path
						      : NULL;
	fputs("  # ", stdout);
	if (file) {
		cli_print_safe(file, false);
		printf(":%d\n", o->line);
	} else {
		puts(o->from == FROM_DB_OPTION ? "--db"
		     : o->from == FROM_DB_ENV  ? "$DESK_DB"
					       : "default");
	}
}

/* KEY: VALUE  # where; the value is printed safe (a path or a name
 * someone typed), or as "(what it means)" when unset. */
static void line(const struct config *c, enum config_key k, const char *value,
		 const char *unset)
{
	printf("%s: ", config_key_name(k));
	if (value)
		cli_print_safe(value, false);
	else
		fputs(unset, stdout);
	origin(c, k);
}

static void sla(const struct config *c)
{
	static const char *const names[PRIO__COUNT] = {"low", "normal", "high", "urgent"};
	printf("%s:", config_key_name(CFG_SLA));
	origin(c, CFG_SLA);
	printf("  warn_percent: %d\n", c->sla_warn_percent);
	for (int p = PRIO__COUNT - 1; p >= 0; p--) {
		char f[32], n[32], r[32];
		duration(c->sla[p].first_response, f, sizeof f);
		duration(c->sla[p].next_response, n, sizeof n);
		duration(c->sla[p].resolution, r, sizeof r);
		printf("  %s: {first_response: %s, next_response: %s, resolution: %s}\n",
		       names[p], f, n, r);
	}
	if (c->nsla_policies)
		printf("  policies: %zu\n", c->nsla_policies);
}

static void hours(const struct config *c)
{
	static const char *const days[7] = {"sunday",   "monday", "tuesday", "wednesday",
					    "thursday", "friday", "saturday"};
	const struct business_hours *h = &c->hours;
	printf("%s:%s", config_key_name(CFG_BUSINESS_HOURS), h->enabled ? "" : " around the clock");
	origin(c, CFG_BUSINESS_HOURS);
	if (!h->enabled)
		return;
	if (h->timezone) {
		fputs("  timezone: ", stdout);
		cli_print_safe(h->timezone, false);
		fputc('\n', stdout);
	}
	for (int i = 1; i <= 7; i++) {
		int d = i % 7;
		if (h->open[d] < 0)
			printf("  %s: closed\n", days[d]);
		else
			printf("  %s: \"%02d:%02d-%02d:%02d\"\n", days[d], h->open[d] / 60,
			       h->open[d] % 60, h->close[d] / 60, h->close[d] % 60);
	}
	if (h->nholidays)
		printf("  holidays: %zu\n", h->nholidays);
}

static void mail(const struct config *c)
{
	const struct mail_config *m = &c->mail;
	printf("%s:", config_key_name(CFG_MAIL));
	origin(c, CFG_MAIL);
	fputs("  support_address: ", stdout);
	cli_print_safe(m->support_address ? m->support_address : "none (no mail out)", false);
	fputs("\n  sendmail: [", stdout);
	for (size_t i = 0; i < m->nsendmail; i++) {
		fputs(i ? ", " : "", stdout);
		cli_print_safe(m->sendmail[i], false);
	}
	fputs("]\n  attachments_dir: ", stdout);
	cli_print_safe(m->attachments_dir ? m->attachments_dir : "none (in the database)", false);
	printf("\n  acknowledge: %s\n", m->ack_enabled ? "on" : "off");
	printf("  sendmail_timeout: %llds\n  reply_by_mail: {", (long long)m->sendmail_timeout);
	for (int ch = 0; ch < CH__COUNT; ch++)
		printf("%s%s: %s", ch ? ", " : "", channel_name((enum channel)ch),
		       m->reply_by_mail[ch] ? "true" : "false");
	fputs("}\n", stdout);
	if (m->default_queue) {
		fputs("  default_queue: ", stdout);
		cli_print_safe(m->default_queue, false);
		fputc('\n', stdout);
	}
}

static void attachments(const struct config *c)
{
	printf("%s:", config_key_name(CFG_ATTACHMENTS));
	origin(c, CFG_ATTACHMENTS);
	printf("  max_size: %lld bytes\n  max_total: %lld bytes\n",
	       (long long)c->attachments.max_size, (long long)c->attachments.max_total);
}

static void follow_up_rules(const struct config *c)
{
	printf("%s:%s", config_key_name(CFG_FOLLOW_UP_RULES), c->nrules ? "" : " none");
	origin(c, CFG_FOLLOW_UP_RULES);
	for (size_t i = 0; i < c->nrules; i++) {
		const struct follow_up_rule *r = &c->rules[i];
		char after[32];
		duration(r->after, after, sizeof after);
		fputs("  - name: ", stdout);
		cli_print_safe(r->name, false);
		fputs("  # ", stdout);
		cli_print_safe(c->rules_file ? c->rules_file : "?", false);
		printf(":%d\n    when: %s\n    after: %s%s\n    do: {status: %s, canned: ",
		       r->line, status_name(r->when), after,
		       r->without_customer_reply ? "\n    without: customer_reply" : "",
		       status_name(r->status));
		cli_print_safe(r->canned ? r->canned : "none", false);
		fputs("}\n", stdout);
	}
}

static void surveys(const struct config *c)
{
	const struct survey_config *v = &c->surveys;
	printf("%s:%s", config_key_name(CFG_SURVEYS), v->enabled ? "" : " off");
	origin(c, CFG_SURVEYS);
	if (!v->enabled)
		return;
	char delay[32], interval[32];
	duration(v->delay, delay, sizeof delay);
	duration(v->min_interval, interval, sizeof interval);
	printf("  kind: %s\n  delay: %s\n  channels: ", survey_kind_name(v->kind), delay);
	bool first = true;
	for (int ch = 0; ch < CH__COUNT; ch++)
		if (v->channels[ch]) {
			printf("%s%s", first ? "[" : ", ", channel_name((enum channel)ch));
			first = false;
		}
	printf("%s\n  sample: %d%%\n  min_interval: %s\n  subject: ", first ? "[]" : "]",
	       v->sample, interval);
	cli_print_safe(v->subject ? v->subject : SURVEY_DEFAULT_SUBJECT, false);
	fputc('\n', stdout);
}

static void views(const struct config *c)
{
	printf("%s:%s", config_key_name(CFG_VIEWS), c->nviews ? "" : " none but the built-in ones");
	origin(c, CFG_VIEWS);
	for (size_t i = 0; i < c->nviews; i++) {
		const struct view_def *v = &c->views[i];
		fputs("  - name: ", stdout);
		cli_print_safe(v->name, false);
		fputs("  # ", stdout);
		cli_print_safe(v->personal ? c->personal : c->source, false);
		printf(":%d\n    filter: \"", v->line);
		cli_print_safe(v->filter, false);
		printf("\"\n    sort: %s\n", queue_sort_name(v->sort));
		if (v->reverse)
			puts("    reverse: true");
	}
}

static void notify(const struct config *c)
{
	const struct notify_config *n = &c->notify;
	printf("%s:", config_key_name(CFG_NOTIFY));
	origin(c, CFG_NOTIFY);
	printf("  bell: %s\n  desktop: %s\n  hook: ", n->bell ? "true" : "false",
	       n->desktop ? "true" : "false");
	if (!n->nhook)
		fputs("none", stdout);
	for (size_t i = 0; i < n->nhook; i++) {
		fputs(i ? ", " : "[", stdout);
		cli_print_safe(n->hook[i], false);
	}
	printf("%s\n  sla_warning: %llds%s\n  views: ", n->nhook ? "]" : "",
	       (long long)n->sla_warning, n->sla_warning ? "" : " (no SLA events)");
	if (!n->nviews)
		fputs("[mine, unassigned]", stdout);
	for (size_t i = 0; i < n->nviews; i++) {
		fputs(i ? ", " : "[", stdout);
		cli_print_safe(n->views[i], false);
	}
	puts(n->nviews ? "]" : "");
}

static void queues(const struct config *c)
{
	printf("%s:", config_key_name(CFG_QUEUES));
	if (!c->nqueues)
		fputs(" none listed (any queue name is taken)", stdout);
	for (size_t i = 0; i < c->nqueues; i++) {
		fputs(i ? ", " : " [", stdout);
		cli_print_safe(c->queues[i], false);
	}
	if (c->nqueues)
		fputc(']', stdout);
	origin(c, CFG_QUEUES);
}

/* Its size only: the text is for replies, `desk agent signature` prints
 * the one in effect. */
static void signature(const struct config *c)
{
	char what[64];
	int lines = 1;
	for (const char *p = c->signature; p && *p; p++)
		lines += *p == '\n' && p[1];
	snprintf(what, sizeof what, "%d line%s (desk agent signature prints it)", lines,
		 lines == 1 ? "" : "s");
	line(c, CFG_SIGNATURE, c->signature ? what : NULL,
	     "none here (desk agent signature sets one)");
}

static void show(const struct config *c)
{
	fputs("# team file: ", stdout);
	cli_print_safe(c->source ? c->source : "none (the built-in policy)", false);
	fputs("\n# personal file: ", stdout);
	cli_print_safe(c->personal ? c->personal : "none", false);
	fputc('\n', stdout);
	line(c, CFG_DATABASE, c->db_path, "");
	line(c, CFG_REPORT_DATABASE, c->report_db_path, "none (reports read the database)");
	line(c, CFG_THEME, c->theme, "default");
	line(c, CFG_THEMES_DIR, c->themes_dir, "none (the installed themes)");
	line(c, CFG_KEYS, c->keys_file, "none (the built-in bindings)");
	line(c, CFG_CANNED, c->canned_file, "none");
	line(c, CFG_KNOWLEDGE_BASE, c->kb_path, "none");
	if (c->kb_path) {
		fputs("  public_url: ", stdout);
		cli_print_safe(c->kb_public_url ? c->kb_public_url : "none (articles are not linked)",
			       false);
		fputc('\n', stdout);
	}
	line(c, CFG_DEFAULT_QUEUE, c->default_queue, "general");
	queues(c);
	line(c, CFG_ALLOW_SOLVE_UNASSIGNED, c->allow_solve_unassigned ? "true" : "false", "");
	line(c, CFG_AGENTS_MAY_REASSIGN, c->agents_may_reassign ? "true" : "false", "");
	line(c, CFG_AGENTS_MAY_BULK_EDIT, c->agents_may_bulk_edit ? "true" : "false", "");
	char undo_send[16];
	snprintf(undo_send, sizeof undo_send, "%d", c->undo_send_seconds);
	line(c, CFG_UNDO_SEND_SECONDS, undo_send, "");
	line(c, CFG_CLAIM_ON_REPLY, c->claim_on_reply ? "true" : "false", "");
	char tracking[64], idle[16];
	time_format_duration(c->time_tracking.idle, idle, sizeof idle);
	snprintf(tracking, sizeof tracking, "{enabled: %s, idle: %s}",
		 c->time_tracking.enabled ? "true" : "false", idle);
	line(c, CFG_TIME_TRACKING, tracking, "");
	sla(c);
	hours(c);
	mail(c);
	attachments(c);
	views(c);
	signature(c);
	notify(c);
	follow_up_rules(c);
	surveys(c);
}

static int exec_config(struct cli_ctx *c, int argc, char **argv)
{
	bool is_show = argc == 2 && strcmp(argv[1], "show") == 0;
	if (argc != 2 || (!is_show && strcmp(argv[1], "check") != 0))
		return cli_usage(c, "expected: desk config check, or desk config show");
	if (is_show) {
		show(&c->cfg);
		return EXIT_OK;
	}
	/* cli_main already loaded (and so checked) both files themselves. */
	struct derr e = {0};
	if (tui_check_config(&c->cfg, &e))
		return cli_fail(&e);
	if (c->cfg.source) {
		fputs("desk: ", stdout);
		cli_print_safe(c->cfg.source, false);
		puts(" (the team's file) is valid");
	}
	if (c->cfg.personal) {
		fputs("desk: ", stdout);
		cli_print_safe(c->cfg.personal, false);
		puts(" (your personal file) is valid");
	}
	if (!c->cfg.source && !c->cfg.personal)
		puts("desk: the built-in config is valid");
	return EXIT_OK;
}

const struct cli_cmd cmd_config = {
	.name = "config",
	.args = "check | show",
	.summary = "check the config files, or show the effective config and where each "
		   "value came from",
	.help = "check: both layers (the team's file beside the database, else\n"
		"/etc/desk/config.yaml, and your personal file), the keys, canned responses\n"
		"and theme they name; exit 0 or 1.  Each problem is reported as\n"
		"FILE:LINE:COLUMN: what was expected.\n"
		"show: every setting in effect, each with the file and line it came from\n"
		"(or --db, $DESK_DB, default).\n",
	.exec = exec_config,
};
