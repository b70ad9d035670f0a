/* cmd_tick.c: desk tick, run by cron or a systemd timer: the team's
 * follow_up_rules once over the tickets left waiting, then the surveys
 * that are due. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "mail.h"
#include "util.h"

struct tick_out {
	struct desk *d;
	bool dry_run;
};

/* A reply that leaves by mail goes to sendmail now, as desk reply's
 * does; what became of it is said on the action's line. */
static const char *send_reply(struct desk *d, int64_t msg)
{
	struct message m = {0};
	struct derr e = {0};
	if (!msg || store_mail_message_get(d->st, msg, &m, NULL) != DESK_OK)
		return "";
	bool queued = m.delivery && strcmp(m.delivery, "queued") == 0;
	message_free(&m);
	if (!queued)
		return ", reply stored";
	return outbound_send(d, msg, &e) == DESK_OK ? ", reply mailed"
						    : ", reply not mailed (kept in the outbox)";
}

static void print_action(const struct tick_action *a, void *arg)
{
	struct tick_out *o = arg;
	const struct follow_up_rule *r = a->rule;
	char what[160];
	snprintf(what, sizeof what, "%s%s%s", r->canned ? "reply " : "",
		 r->canned ? r->canned : "", r->canned ? ", " : "");
	if (o->dry_run) {
		printf("would: ticket %lld: rule %s: %sstatus %s -> %s\n", (long long)a->ticket,
		       r->name, what, status_name(r->when), status_name(r->status));
	} else if (a->done) {
		printf("ticket %lld: rule %s: %sstatus %s -> %s%s\n", (long long)a->ticket, r->name,
		       what, status_name(r->when), status_name(r->status), send_reply(o->d, a->msg));
	} else {
		char *line = xasprintf("ticket %lld: rule %s not applied: %s", (long long)a->ticket,
				       r->name, a->err.msg);
		cli_warn("desk tick", line);
		free(line);
	}
}

/* A survey mailed now, as a reply would be; one line per solve looked at. */
static void print_survey(const struct survey_action *a, void *arg)
{
	struct tick_out *o = arg;
	if (a->failed) {
		char *line = xasprintf("ticket %lld: survey not recorded: %s", (long long)a->ticket,
				       a->err.msg);
		cli_warn("desk tick", line);
		free(line);
	} else if (!a->sent) {
		printf("%sticket %lld: no survey: %s\n", o->dry_run ? "would: " : "",
		       (long long)a->ticket, a->reason);
	} else if (o->dry_run) {
		printf("would: ticket %lld: survey %s\n", (long long)a->ticket,
		       survey_kind_name(o->d->cfg->surveys.kind));
	} else {
		struct derr e = {0};
		bool ok = a->msg && outbound_send(o->d, a->msg, &e) == DESK_OK;
		printf("ticket %lld: survey %s %s\n", (long long)a->ticket,
		       survey_kind_name(o->d->cfg->surveys.kind),
		       ok ? "mailed" : "not mailed (kept in the outbox)");
		if (!ok && e.code)
			cli_warn("desk tick", e.msg);
	}
}

static int exec_tick(struct cli_ctx *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"dry-run", no_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	bool dry_run = false;
	int o;
	optind = 1;
	while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		if (o == 'n')
			dry_run = true;
		else if (o == 'h')
			return cli_help(c);
		else
			return cli_option_error(c, o, argv);
	}
	if (optind != argc)
		return cli_usage(c, "desk tick takes no arguments");
	struct desk d;
	int rc = cli_open(c, &d, 0);
	if (rc)
		return rc;
	struct derr e = {0};
	struct tick_out out = {&d, dry_run};
	size_t acted = 0, failed = 0;
	/* An import stopped after its commit point is finished here (cron);
	 * one that is running is left to its importer. */
	struct import_result ir = {0};
	if (!dry_run && (d.me.role == ROLE_ADMIN || d.me.role == ROLE_SUPERVISOR)) {
		int irc = core_import_resume(&d, NULL, &ir, stderr, &e);
		if (irc == DESK_OK)
			printf("desk tick: finished a stopped import (%ld more tickets; %ld new and "
			       "%ld updated in all)\n",
			       ir.resumed, ir.created, ir.updated);
		else if (irc != DESK_ENOTFOUND && irc != DESK_EBUSY)
			cli_warn("desk tick", e.msg);
		derr_clear(&e);
	}
	rc = core_tick(&d, dry_run, print_action, &out, &acted, &failed, &e);
	size_t nrules = d.cfg ? d.cfg->nrules : 0;
	size_t sent = 0, skipped = 0, sfailed = 0;
	bool surveys = d.cfg && d.cfg->surveys.enabled;
	if (rc == DESK_OK)
		rc = core_survey_tick(&d, dry_run, print_survey, &out, &sent, &skipped, &sfailed,
				      &e);
	if (rc == DESK_OK && !dry_run)
		core_upkeep(&d);
	desk_close(&d);
	if (rc)
		return cli_fail(&e);
	printf("desk tick: %zu rule%s, %zu ticket%s %s, %zu failed\n", nrules,
	       nrules == 1 ? "" : "s", acted, acted == 1 ? "" : "s",
	       dry_run ? "would be acted on (dry run)" : "acted on", failed);
	if (surveys)
		printf("desk tick: surveys: %zu %s, %zu skipped, %zu failed\n", sent,
		       dry_run ? "would be mailed (dry run)" : "mailed", skipped, sfailed);
	return failed || sfailed ? EXIT_FAIL : EXIT_OK;
}

const struct cli_cmd cmd_tick = {
	.name = "tick",
	.args = "[--dry-run]",
	.summary = "run the follow-up rules and mail due surveys (from cron or a systemd timer)",
	.help = "Applies follow_up_rules (see desk.yaml(5)) to the tickets left waiting, then\n"
		"mails the surveys that are due (surveys:): one line per action, then a\n"
		"summary.  Run as a supervisor or an admin; the changes are audited under\n"
		"that agent.  A ticket acted on has left the rule's status, and each solve is\n"
		"decided for a survey once (recorded), so a second run does nothing more.\n"
		"--dry-run lists what would be done.  Exit 1 if an action failed (the others\n"
		"are done).  Then, if no one is writing that instant, refreshes the query\n"
		"planner's statistics and merges the full-text index a step.  Crontab, every\n"
		"10 minutes:\n"
		"  */10 * * * * desk tick\n",
	.exec = exec_tick,
};
