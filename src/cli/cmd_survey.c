/* cmd_survey.c: desk survey ID KIND SCORE [--comment TEXT], an answer
 * given by phone or in person, recorded by the agent; desk survey list,
 * the answers for supervisors. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "util.h"

static bool parse_score(const char *s, int *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < -1000 || v > 1000)
		return false;
	*out = (int)v;
	return true;
}

static void utc(int64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(buf, size, "%Y-%m-%d %H:%M", &tm);
}

static void print_entry_json(const struct survey_entry *x, bool first)
{
	char at[40];
	time_format_rfc3339(x->s.answered_at, at, sizeof at);
	printf("%s{\"ticket\":%lld,\"kind\":\"%s\",\"score\":%d,\"at\":\"%s\",\"via\":",
	       first ? "" : ",\n", (long long)x->s.ticket_id, survey_kind_name(x->s.kind),
	       x->s.score, at);
	cli_json_string(x->s.request_id ? "mail" : x->s.agent_login ? "agent" : "import");
	printf(",\"agent\":");
	cli_json_string(x->s.agent_login);
	printf(",\"customer\":");
	cli_json_string(x->customer);
	printf(",\"comment\":");
	cli_json_string(x->s.comment);
	printf("}");
}

static void print_entry(const struct survey_entry *x)
{
	char at[32], score[32];
	utc(x->s.answered_at, at, sizeof at);
	survey_score_text(x->s.kind, x->s.score, score, sizeof score);
	printf("%s  #%-6lld %-10s ", at, (long long)x->s.ticket_id, score);
	if (x->s.request_id)
		printf("mail  ");
	else if (x->s.agent_login) {
		printf("by ");
		cli_print_safe(x->s.agent_login, false);
		printf("  ");
	} else
		printf("import  ");
	cli_print_safe(x->customer ? x->customer : "-", false);
	if (x->s.comment) {
		char *flat = xstrdup(x->s.comment); /* one line: its breaks as spaces */
		for (char *c = flat; *c; c++)
			if (*c == '\n')
				*c = ' ';
		printf(": ");
		cli_print_safe(flat, false);
		free(flat);
	}
	fputc('\n', stdout);
}

static int exec_list(struct cli_ctx *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"since", required_argument, NULL, 's'},
		{"kind", required_argument, NULL, 'k'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	struct survey_query q = {.kind = -1};
	bool json = false;
	int o;
	optind = 0; /* a fresh getopt over list's own arguments (glibc) */
	while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		if (o == 's') {
			if (!time_parse_rfc3339(optarg, &q.since))
				return cli_usage(c, "--since %s: expected a date like 2026-03-01 "
						    "(midnight UTC) or an RFC 3339 time",
						 optarg);
		} else if (o == 'k') {
			if ((q.kind = survey_kind_from_name(optarg)) < 0)
				return cli_usage(c, "--kind %s: expected csat, ces or nps", optarg);
		} else if (o == 'j') {
			json = true;
		} else if (o == 'h') {
			return cli_help(c);
		} else {
			return cli_option_error(c, o, argv);
		}
	}
	if (optind < argc)
		return cli_usage(c, "unexpected argument \"%s\"", argv[optind]);
	struct desk d;
	int rc = cli_open(c, &d, DESK_OPEN_READONLY);
	if (rc)
		return rc;
	struct derr e = {0};
	struct survey_entries l = {0};
	rc = core_survey_list(&d, &q, &l, &e);
	if (rc == DESK_OK && json) {
		printf("[");
		for (size_t i = 0; i < l.n; i++)
			print_entry_json(&l.v[i], i == 0);
		printf("]\n");
	} else if (rc == DESK_OK) {
		for (size_t i = 0; i < l.n; i++)
			print_entry(&l.v[i]);
		printf("desk survey list: %zu answer%s\n", l.n, l.n == 1 ? "" : "s");
	}
	survey_entries_free(&l);
	desk_close(&d);
	return rc ? cli_fail(&e) : EXIT_OK;
}

static int exec_record(struct cli_ctx *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"comment", required_argument, NULL, 'c'},
		{0},
	};
	const char *comment = NULL;
	int o;
	while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		if (o == 'c')
			comment = optarg;
		else
			return cli_option_error(c, o, argv);
	}
	if (argc - optind != 3)
		return cli_usage(c, "expected a ticket, a kind (csat, ces or nps) and a score");
	int64_t id;
	if (!cli_ticket_id(c, argv[optind], &id))
		return EXIT_USAGE;
	int kind = survey_kind_from_name(argv[optind + 1]);
	if (kind < 0)
		return cli_usage(c, "\"%s\": expected a kind: csat, ces or nps", argv[optind + 1]);
	int score, lo, hi;
	survey_range((enum survey_kind)kind, &lo, &hi);
	if (!parse_score(argv[optind + 2], &score))
		return cli_usage(c, "\"%s\": expected a score, a number from %d to %d for %s",
				 argv[optind + 2], lo, hi, argv[optind + 1]);
	struct desk d;
	int rc = cli_open(c, &d, 0);
	if (rc)
		return rc;
	struct derr e = {0};
	bool replaced = false;
	rc = core_survey_record(&d, id, (enum survey_kind)kind, score, comment, NULL, &replaced,
				&e);
	desk_close(&d);
	if (rc)
		return cli_fail(&e);
	char text[32];
	survey_score_text((enum survey_kind)kind, score, text, sizeof text);
	printf("desk: ticket %lld: survey %s recorded%s\n", (long long)id, text,
	       replaced ? ", replacing the answer recorded before" : "");
	return EXIT_OK;
}

static int exec_survey(struct cli_ctx *c, int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--help") == 0)
		return cli_help(c);
	if (argc > 1 && strcmp(argv[1], "list") == 0)
		return exec_list(c, argc - 1, argv + 1);
	return exec_record(c, argc, argv);
}

const struct cli_cmd cmd_survey = {
	.name = "survey",
	.args = "ID csat|ces|nps SCORE [--comment TEXT] | list [--since DATE] [--kind K] [--json]",
	.summary = "record a survey answer given by phone or in person; list the answers",
	.help = "desk survey ID KIND SCORE records the customer's answer on the ticket (a\n"
		"merged ticket's goes to the one it was merged into), with an audit event:\n"
		"CSAT 1-5, CES 1-7, NPS 0-10.  Any agent may.  Each call adds one answer.\n"
		"desk survey list (supervisors and admins) lists the answers oldest first:\n"
		"when (UTC), ticket, score, how it came (mail, by AGENT, import), customer\n"
		"and comment.  --since DATE (YYYY-MM-DD or RFC 3339), --kind, --json.\n"
		"Surveys desk mails itself: surveys: in desk.yaml(5), and desk tick.\n",
	.exec = exec_survey,
};
