/* cmd_ingest.c: desk ingest: one mail message from the MTA on standard
 * input into a ticket.  Exit codes are sysexits(3), which MTAs read:
 * 0 stored (or already there), 65 a message desk can never take (the
 * MTA bounces it), 75 try again later (busy, disk full, broken setup:
 * the MTA keeps the mail). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mail.h"
#include "util.h"

static int exec_ingest(struct cli_ctx *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"queue", required_argument, NULL, 'q'},
		{"verbose", no_argument, NULL, 'v'},
		{0},
	};
	struct ingest_opts io = {0};
	bool verbose = false;
	int o;
	while ((o = getopt_long(argc, argv, ":q:v", opts, NULL)) != -1) {
		if (o == 'q')
			io.queue = optarg;
		else if (o == 'v')
			verbose = true;
		else
			return cli_option_error(c, o, argv), 64;
	}
	if (optind < argc)
		return cli_usage(c, "unexpected argument \"%s\"", argv[optind]), 64;

	struct derr e = {0};
	size_t len = 0;
	char *data = read_all(stdin, &len);
	if (!data && !ferror(stdin)) /* nothing at all: the parser says so */
		data = xstrdup("");
	if (!data) {
		fprintf(stderr, "desk ingest: reading standard input: %s\n", strerror(errno));
		return mail_sysexit(DESK_EIO, false);
	}
	/* The MTA runs us as its own user, who is no agent: events are
	 * written by "desk" itself. */
	struct desk d;
	char *path = desk_db_path(c->db_opt, &c->cfg);
	int rc = desk_open(&d, path, &c->cfg, NULL, DESK_OPEN_NO_AGENT, &e);
	free(path);
	bool fault = false;
	struct ingest_result r;
	if (rc == DESK_OK) {
		rc = core_ingest(&d, data, len, &io, &r, &fault, &e);
		desk_close(&d);
	}
	free(data);
	if (rc) {
		cli_warn("desk ingest", e.msg);
		return mail_sysexit(rc, fault);
	}
	if (r.ack_error[0]) {
		char what[64];
		snprintf(what, sizeof what, "desk ingest: ticket %lld", (long long)r.ticket_id);
		cli_warn(what, r.ack_error);
	}
	if (verbose) {
		static const char *const what[] = {"new ticket", "added to ticket",
						   "duplicate, already in ticket"};
		printf("desk: %s %lld (message %lld%s%s%s%s%s)\n", what[r.outcome],
		       (long long)r.ticket_id, (long long)r.msg_row,
		       r.automatic ? ", automatic" : "",
		       r.stranger ? ", held aside: not from the ticket's customer" : "",
		       r.acknowledged ? ", acknowledged" : "",
		       r.survey ? ", survey answer: " : "", r.survey ? r.survey_said : "");
	}
	return 0;
}

/* A broken config is fixed and the mail retried: the MTA keeps it
 * queued on EX_TEMPFAIL, where the usual 1 would bounce it. */
static int ingest_fail_code(int desk_rc)
{
	return mail_sysexit(desk_rc, false);
}

const struct cli_cmd cmd_ingest = {
	.name = "ingest",
	.args = "[--queue NAME] [--verbose] < MESSAGE",
	.summary = "store one mail message from the MTA (for an alias pipe)",
	.help = "Reads one RFC 5322 message on standard input.  A reply to a message desk\n"
		"stored or sent (In-Reply-To, References) or with a [#ID] tag in its\n"
		"subject joins that ticket; anything else opens a ticket in --queue (else\n"
		"mail.default_queue, else default_queue).  A Message-ID already stored is\n"
		"ignored.  Runs as any user that may write the database; needs no agent.\n"
		"Exit status (sysexits): 0 stored or duplicate, 65 a message that can never\n"
		"be taken, 75 temporary failure (the MTA retries).  See desk-mail(7).\n",
	.exec = exec_ingest,
	.fail_code = ingest_fail_code,
};
