/* cmd_new.c: desk new: open a ticket (phone call, walk-in, mail by
 * hand), or start one by mailing the customer first (--send). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "mail.h"
#include "util.h"

#define MAX_TAGS 32
#define MAX_COPIES 50
/* sysexits(3) EX_TEMPFAIL: the ticket is stored, its mail is not gone. */
#define EXIT_MAIL_PENDING 75

/* The first mail of an outbound ticket goes to sendmail now, as desk
 * reply's does; standard error says what became of it. */
static int send_first(struct desk *d, int64_t id, int64_t msg_id)
{
	struct derr e = {0};
	int rc = outbound_send(d, msg_id, &e);
	char *line = rc ? xasprintf("ticket %lld saved; its first mail failed: %s, kept in the "
				    "outbox (desk outbox --retry)",
				    (long long)id, e.msg)
			: xasprintf("ticket %lld mailed to the customer: sendmail accepted it",
				    (long long)id);
	cli_warn("desk", line);
	free(line);
	return rc ? EXIT_MAIL_PENDING : EXIT_OK;
}

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
		{"send", no_argument, NULL, 'S'},
		{"cc", required_argument, NULL, 'C'},
		{"bcc", required_argument, NULL, 'B'},
		{"status", required_argument, NULL, 'T'},
		{"until", required_argument, NULL, 'u'},
		{0},
	};
	struct new_ticket nt;
	new_ticket_init(&nt);
	const char *tags[MAX_TAGS + 1] = {0};
	size_t ntags = 0;
	const char *body_opt = NULL;
	const char *cc_opt[MAX_COPIES], *bcc_opt[MAX_COPIES];
	size_t ncc = 0, nbcc = 0;
	bool note = false;
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
		case 'N': note = true; break;
		case 'S': nt.body_kind = MSG_REPLY; break;
		case 'u': nt.follow_up = optarg; break;
		case 'C':
		case 'B': {
			size_t *n = o == 'C' ? &ncc : &nbcc;
			if (*n == MAX_COPIES)
				return cli_usage(c, "at most %d --%s options", MAX_COPIES,
						 o == 'C' ? "cc" : "bcc");
			(o == 'C' ? cc_opt : bcc_opt)[(*n)++] = optarg;
			break;
		}
		case 'T':
			if ((v = status_from_name(optarg)) < 0)
				return cli_usage(c, "--status %s: expected new, open, pending, on_hold, "
						    "solved or closed", optarg);
			nt.status = v;
			break;
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
	bool send = nt.body_kind == MSG_REPLY;
	if (note && send)
		return cli_usage(c, "--note or --send: the first message is either your note "
				    "or your mail to the customer");
	if (note)
		nt.body_kind = MSG_NOTE;
	if ((ncc || nbcc) && !send)
		return cli_usage(c, "--cc and --bcc are for a ticket started by mail (--send)");
	if (send && !nt.customer_email)
		return cli_usage(c, "--send mails the customer: give their --email");
	struct derr e = {0};
	/* every address checked before anything is read or stored */
	char *cc = NULL, *bcc = NULL;
	if (mail_recipients_join(cc_opt, ncc, "--cc", &cc, &e) ||
	    mail_recipients_join(bcc_opt, nbcc, "--bcc", &bcc, &e)) {
		free(cc);
		return cli_usage(c, "%s", e.msg);
	}
	nt.cc = cc;
	nt.bcc = bcc;
	nt.tags = tags;
	struct desk d;
	int rc = cli_open(c, &d, 0);
	if (rc) {
		free(cc);
		free(bcc);
		return rc;
	}
	/* Standard input holds the first message only when it is not a terminal:
	 * `desk new` typed by hand should not sit waiting for Ctrl-D. */
	char *body = body_opt || !isatty(STDIN_FILENO) ? cli_read_body(body_opt, &e) : NULL;
	int64_t id = 0, msg_id = 0;
	if (body || !e.code) {
		nt.body = body;
		rc = core_ticket_start(&d, &nt, &id, &msg_id, &e);
	} else {
		rc = e.code;
	}
	int code = EXIT_OK;
	if (rc == DESK_OK) {
		printf("desk: ticket %lld created\n", (long long)id);
		fflush(stdout);
		if (send)
			code = send_first(&d, id, msg_id);
	}
	free(body);
	free(cc);
	free(bcc);
	desk_close(&d);
	return rc ? cli_fail(&e) : code;
}

const struct cli_cmd cmd_new = {
	.name = "new",
	.args = "--subject TEXT (--email ADDR | --name NAME | --phone NUMBER) [--channel C] "
		"[--priority P] [--queue Q] [--tag T]... [--assign LOGIN] [--note] "
		"[--body TEXT] [--status S] [--until WHEN] [--send [--cc ADDR]... [--bcc ADDR]...]",
	.summary = "open a ticket, e.g. to log a phone call or a walk-in, or mail a customer "
		   "first",
	.help = "The customer is found by email, or added.  The first message comes from\n"
		"--body or standard input (unless it is a terminal); it is the customer's\n"
		"words, or with --note an internal note (your log of a call).\n"
		"--send starts the conversation yourself: the text is your reply, mailed to\n"
		"the customer's --email (with --cc and --bcc copies, as desk reply's); the\n"
		"ticket is yours and pending (waiting on the customer) unless --status and\n"
		"--assign say otherwise, and their answer threads into it.  --status sets\n"
		"the status it starts in, --until (with pending or on_hold) when to follow up.\n"
		"Exit status: 0 created (and mailed), 75 created but its mail failed or is\n"
		"queued (desk outbox --retry), 1 nothing created, 2 usage.\n",
	.exec = exec_new,
};
