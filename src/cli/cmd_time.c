/* cmd_time.c: desk time ID DURATION: logs time spent on a ticket by
 * hand, a thin shell over core_time_log. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "util.h"

static int exec_time(struct cli_ctx *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"note", required_argument, NULL, 'n'},
		{"agent", required_argument, NULL, 'a'},
		{0},
	};
	struct time_log tl = {0};
	int o;
	while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		if (o == 'n')
			tl.note = optarg;
		else if (o == 'a')
			tl.agent = optarg;
		else
			return cli_option_error(c, o, argv);
	}
	if (optind >= argc)
		return cli_usage(c, "which ticket?");
	if (optind + 1 >= argc)
		return cli_usage(c, "how long? (a duration like 15m, 1h30m or 90s)");
	if (optind + 2 < argc)
		return cli_usage(c, "unexpected argument \"%s\"", argv[optind + 2]);
	int64_t id;
	if (!cli_ticket_id(c, argv[optind], &id))
		return EXIT_USAGE;
	const char *span = argv[optind + 1];
	if (!duration_parse(span, &tl.seconds))
		return cli_usage(c, "\"%s\": expected a duration like 15m, 1h30m or 90s", span);
	struct derr e = {0};
	if (core_time_check(&tl, &e))
		return cli_fail(&e);
	struct desk d;
	int rc = cli_open(c, &d, 0);
	if (rc)
		return rc;
	int64_t total = 0;
	if ((rc = core_time_log(&d, id, &tl, &e)) == DESK_OK)
		store_time_total(d.st, id, &total, NULL);
	desk_close(&d);
	if (rc)
		return cli_fail(&e);
	char dur[32], sum[32];
	time_format_duration(tl.seconds, dur, sizeof dur);
	time_format_duration(total, sum, sizeof sum);
	printf("desk: %s logged on #%lld (%s in all)\n", dur, (long long)id, sum);
	return EXIT_OK;
}

const struct cli_cmd cmd_time = {
	.name = "time",
	.args = "ID DURATION [--note TEXT] [--agent LOGIN]",
	.summary = "log time spent on a ticket by hand",
	.help = "DURATION is a number with s, m or h, or several: 90s, 15m, 1h30m; at most\n"
		"24h in one entry.  --note says what the time went on (one line).  --agent\n"
		"logs it for another agent (supervisors and admins).  desk show lists the\n"
		"entries; desk report sums them (\"Time spent\").\n",
	.exec = exec_time,
};
