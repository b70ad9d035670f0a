/* cmd_new.c: desk new: open a ticket (phone call, walk-in, mail by hand). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"
#include "util.h"

#define MAX_TAGS 32

static int exec_new(struct cli_ctx *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"subject", required_argument, NULL, 's'},
		{"email", required_argument, NULL, 'e'},
		{"name", required_argument, NULL, 'n'},
		{"phone", required_argument, NULL, 'p'},
		{"channel", required_argument, NULL, 'c'},
		{"priority", required_argument, NULL, 'P'},
		{"queue", required_argument, NULL, 'q'},
		{"tag", required_argument, NULL, 't'},
		{"assign", required_argument, NULL, 'a'},
		{"body", required_argument, NULL, 'b'},
		{"note", no_argument, NULL, 'N'},
		{0},
	};
	struct new_ticket nt;
	new_ticket_init(&nt);
	const char *tags[MAX_TAGS + 1] = {0};
	size_t ntags = 0;
	const char *body_opt = NULL;
	int o, v;
	while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (o) {
		case 's': nt.subject = optarg; break;
		case 'e': nt.customer_email = optarg; break;
		case 'n': nt.customer_name = optarg; break;
		case 'p': nt.customer_phone = optarg; break;
		case 'q': nt.queue = optarg; break;
		case 'a': nt.assignee = optarg; break;
		case 'b': body_opt = optarg; break;
		case 'N': nt.body_kind = MSG_NOTE; break;
		case 'c':
			if ((v = channel_from_name(optarg)) < 0)
				return cli_usage(c, "--channel %s: expected email, phone, chat, web, "
						    "social or walk_in", optarg);
			nt.channel = (enum channel)v;
			break;
		case 'P':
			if ((v = priority_from_name(optarg)) < 0)
				return cli_usage(c, "--priority %s: expected low, normal, high or "
						    "urgent", optarg);
			nt.priority = (enum priority)v;
			break;
		case 't':
			if (ntags == MAX_TAGS)
				return cli_usage(c, "at most %d tags", MAX_TAGS);
			tags[ntags++] = optarg;
			break;
		default: return cli_option_error(c, o, argv);
		}
	}
	if (optind < argc)
		return cli_usage(c, "unexpected argument \"%s\"", argv[optind]);
	if (!nt.subject)
		return cli_usage(c, "--subject is required");
	if (!nt.customer_email && !nt.customer_name && !nt.customer_phone)
		return cli_usage(c, "who is the customer? give --email, --name or --phone");
	nt.tags = tags;
	struct desk d;
	int rc = cli_open(c, &d, 0);
	if (rc)
		return rc;
	struct derr e = {0};
	/* Standard input holds the first message only when it is not a terminal:
	 * `desk new` typed by hand should not sit waiting for Ctrl-D. */
	char *body = body_opt || !isatty(STDIN_FILENO) ? cli_read_body(body_opt, &e) : NULL;
	int64_t id = 0;
	if (body || !e.code) {
		nt.body = body;
		rc = core_ticket_new(&d, &nt, &id, &e);
	} else {
		rc = e.code;
	}
	if (rc == DESK_OK)
		printf("desk: ticket %lld created\n", (long long)id);
	free(body);
	desk_close(&d);
	return rc ? cli_fail(&e) : EXIT_OK;
}

const struct cli_cmd cmd_new = {
	.name = "new",
	.args = "--subject TEXT (--email ADDR | --name NAME | --phone NUMBER) [--channel C] "
		"[--priority P] [--queue Q] [--tag T]... [--assign LOGIN] [--note] "
		"[--body TEXT]",
	.summary = "open a ticket, e.g. to log a phone call or a walk-in",
	.help = "The customer is found by email, or added.  The first message comes from\n"
		"--body or standard input (unless it is a terminal); it is the customer's\n"
		"words, or with --note an internal note (your log of a call).\n",
	.exec = exec_new,
};
