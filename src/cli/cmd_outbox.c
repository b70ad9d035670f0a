/* cmd_outbox.c: desk outbox: mail that has not left yet, and sending it
 * again. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mail.h"
#include "util.h"

/* A queued message this old was left by a desk that died while sending. */
#define STALE_QUEUED 600

static void list(const struct message_list *l)
{
	if (l->n == 0) {
		printf("desk: the outbox is empty: all mail was sent\n");
		return;
	}
	printf("%-8s %-8s %-7s %-16s %s\n", "MESSAGE", "TICKET", "STATE", "WRITTEN", "ERROR");
	for (size_t i = 0; i < l->n; i++) {
		const struct message *m = &l->v[i];
		char when[32];
		time_format_local(m->created_at, when, sizeof when);
		printf("%-8lld #%-7lld %-7s %-16s ", (long long)m->id, (long long)m->ticket_id,
		       m->delivery, when);
		cli_print_safe(m->delivery_error ? m->delivery_error : "-", false);
		fputc('\n', stdout);
	}
}

static bool wanted(int64_t id, char **ids, int n)
{
	if (n == 0)
		return true;
	for (int i = 0; i < n; i++)
		if (strtoll(ids[i][0] == '#' ? ids[i] + 1 : ids[i], NULL, 10) == id)
			return true;
	return false;
}

static int retry(struct desk *d, const struct message_list *l, char **ids, int nids)
{
	int failed = 0, sent = 0;
	int64_t stale = time_now() - STALE_QUEUED;
	for (size_t i = 0; i < l->n; i++) {
		const struct message *m = &l->v[i];
		if (!wanted(m->id, ids, nids))
			continue;
		struct derr e = {0};
		bool taken = false;
		int rc = store_begin(d->st, &e);
		if (rc == DESK_OK) {
			/* A named message is sent even if queued only just now. */
			rc = store_mail_take_for_retry(d->st, m->id, nids ? time_now() + 1 : stale,
						       &taken, &e);
			rc = rc ? (store_rollback(d->st), rc) : store_commit(d->st, &e);
		}
		if (rc == DESK_OK && !taken)
			continue; /* sent meanwhile, or another desk is on it */
		if (rc == DESK_OK)
			rc = outbound_send(d, m->id, &e);
		printf("desk: message %lld (ticket %lld): ", (long long)m->id,
		       (long long)m->ticket_id);
		if (rc == DESK_OK) {
			printf("sent\n");
			sent++;
		} else {
			printf("failed: ");
			cli_print_safe(e.msg, false);
			fputc('\n', stdout);
			failed++;
		}
	}
	printf("desk: %d sent, %d failed\n", sent, failed);
	return failed ? EXIT_FAIL : EXIT_OK;
}

static int exec_outbox(struct cli_ctx *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"retry", no_argument, NULL, 'r'},
		{0},
	};
	bool again = false;
	int o;
	while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		if (o == 'r')
			again = true;
		else
			return cli_option_error(c, o, argv);
	}
	for (int i = optind; i < argc; i++) {
		int64_t id;
		if (!cli_ticket_id(c, argv[i], &id))
			return EXIT_USAGE;
	}
	if (optind < argc && !again)
		return cli_usage(c, "message numbers go with --retry");
	struct desk d;
	int rc = cli_open(c, &d, again ? 0 : DESK_OPEN_READONLY);
	if (rc)
		return rc;
	struct derr e = {0};
	struct message_list l = {0};
	rc = store_outbox(d.st, &l, &e);
	if (rc == DESK_OK && again)
		rc = retry(&d, &l, argv + optind, argc - optind);
	else if (rc == DESK_OK)
		list(&l);
	else
		rc = cli_fail(&e);
	message_list_free(&l);
	desk_close(&d);
	return rc;
}

const struct cli_cmd cmd_outbox = {
	.name = "outbox",
	.args = "[--retry [MESSAGE...]]",
	.summary = "list mail not sent yet; --retry sends it again",
	.help = "Lists replies and acknowledgements that are queued or failed, with the\n"
		"error.  --retry sends the failed ones again, those a console left queued\n"
		"when it quit while sendmail ran, and queued ones left for more than 10\n"
		"minutes by a desk that stopped while sending; or only the messages named.\n"
		"Exit status 1 when any still fails.  A cron line such as\n"
		"  */15 * * * * desk outbox --retry >/dev/null\n"
		"keeps mail moving after an outage.  See desk-mail(7).\n",
	.exec = exec_outbox,
};
