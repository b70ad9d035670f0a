/* cmd_forward.c: desk forward ID --to ADDR: the ticket's thread (or
 * chosen messages) mailed to a third party, recorded as an internal
 * note; sendmail runs before desk forward returns, as for desk reply. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mail.h"
#include "util.h"

/* sysexits(3) EX_TEMPFAIL: the note is stored, its mail is not gone. */
#define EXIT_MAIL_PENDING 75
#define MAX_CHOSEN 100

static bool message_number(const char *s, int64_t *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v <= 0)
		return false;
	*out = v;
	return true;
}

static int exec_forward(struct cli_ctx *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"to", required_argument, NULL, 't'},
		{"message", required_argument, NULL, 'm'},
		{"body", required_argument, NULL, 'b'},
		{0},
	};
	const char *to = NULL, *text = NULL;
	int64_t ids[MAX_CHOSEN];
	size_t n = 0;
	int o;
	while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		if (o == 't') {
			to = optarg;
		} else if (o == 'b') {
			text = optarg;
		} else if (o == 'm') {
			if (n == MAX_CHOSEN)
				return cli_usage(c, "at most %d --message options", MAX_CHOSEN);
			if (!message_number(optarg, &ids[n]))
				return cli_usage(c, "--message takes a message number, not \"%s\"",
						 optarg);
			n++;
		} else {
			return cli_option_error(c, o, argv);
		}
	}
	if (optind >= argc)
		return cli_usage(c, "which ticket?");
	if (optind + 1 < argc)
		return cli_usage(c, "one ticket at a time");
	if (!to)
		return cli_usage(c, "forward to whom? (--to ADDR)");
	if (!mail_addr_valid(to) || to[0] == '-')
		return cli_usage(c, "--to \"%s\" is not a plain address desk can mail "
				    "(like name@example.com)", to);
	int64_t id;
	if (!cli_ticket_id(c, argv[optind], &id))
		return EXIT_USAGE;
	struct desk d;
	struct derr e = {0};
	char *path = desk_db_path(c->db_opt, &c->cfg);
	int rc = desk_open(&d, path, &c->cfg, c->as_login, 0, &e);
	free(path);
	if (rc)
		return cli_fail(&e);
	int64_t row = 0;
	rc = core_forward(&d, id, to, ids, n, text, &row, &e);
	if (rc) {
		desk_close(&d);
		return cli_fail(&e);
	}
	printf("desk: note %lld added to ticket %lld: forwarded to %s\n", (long long)row,
	       (long long)id, to);
	fflush(stdout);
	rc = outbound_send(&d, row, &e);
	desk_close(&d);
	char *line = rc ? xasprintf("forward %lld saved on ticket %lld; mail failed: %s, kept in "
				    "the outbox (desk outbox --retry)",
				    (long long)row, (long long)id, e.msg)
			: xasprintf("forward %lld mailed: sendmail accepted it", (long long)row);
	cli_warn("desk", line);
	free(line);
	return rc ? EXIT_MAIL_PENDING : EXIT_OK;
}

const struct cli_cmd cmd_forward = {
	.name = "forward",
	.args = "ID --to ADDR [--message N]... [--body TEXT]",
	.summary = "mail a ticket's thread to a third party; their answer comes back as a note",
	.help = "Mails the ticket's customer messages and replies (or only the messages\n"
		"--message names, notes too) quoted below TEXT to ADDR, from the support\n"
		"address, and records it on the ticket as an internal note.  The answer\n"
		"to it (In-Reply-To its Message-ID) is added as an internal note with its\n"
		"sender: never the customer's message, never reopening the ticket.\n"
		"Exit status: 0 stored and sent, 75 stored but its mail failed or is\n"
		"queued (desk outbox --retry), 1 nothing stored, 2 usage.\n",
	.exec = exec_forward,
};
