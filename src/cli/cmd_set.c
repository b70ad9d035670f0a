/* cmd_set.c: desk set ID FIELD=VALUE..., desk claim ID, desk merge. */
#include <stdio.h>

#include "cli.h"
#include "util.h"

#define MAX_CHANGES 32

static int exec_set(struct cli_ctx *c, int argc, char **argv)
{
	if (argc < 2)
		return cli_usage(c, "which ticket?");
	int64_t id;
	if (!cli_ticket_id(c, argv[1], &id))
		return EXIT_USAGE;
	if (argc < 3)
		return cli_usage(c, "nothing to set");
	struct field_change ch[MAX_CHANGES];
	char keybuf[MAX_CHANGES][32];
	size_t n = 0;
	struct derr e = {0};
	for (int i = 2; i < argc; i++) {
		if (n == MAX_CHANGES)
			return cli_usage(c, "at most %d changes at once", MAX_CHANGES);
		if (field_change_parse(argv[i], &ch[n], keybuf[n], sizeof keybuf[n], &e))
			return cli_usage(c, "%s", e.msg);
		n++;
	}
	struct desk d;
	int rc = cli_open(c, &d, 0);
	if (rc)
		return rc;
	rc = core_apply(&d, id, ch, n, &e);
	if (rc) {
		desk_close(&d);
		return cli_fail(&e);
	}
	/* Say a follow-up time back as desk understood it: "next monday"
	 * is easy to get wrong by a week. */
	struct ticket t;
	char until[64] = "";
	if (store_ticket_get(d.st, id, &t, NULL) == DESK_OK) {
		if (t.follow_up_at) {
			char when[48];
			when_format(t.follow_up_at, time_now(), when, sizeof when);
			snprintf(until, sizeof until, ", %s until %s", status_name(t.status), when);
		}
		ticket_free(&t);
	}
	desk_close(&d);
	printf("desk: ticket %lld updated%s\n", (long long)id, until);
	return EXIT_OK;
}

const struct cli_cmd cmd_set = {
	.name = "set",
	.args = "ID FIELD=VALUE...",
	.summary = "change a ticket's status, priority, queue, assignee, subject or tags",
	.help = "Fields: status=new|open|pending|on_hold|solved|closed,\n"
		"priority=low|normal|high|urgent, queue=NAME, assignee=LOGIN (or none),\n"
		"subject=TEXT, tag+=TAG, tag-=TAG, until=WHEN (pending and on_hold only:\n"
		"3d, 4h, tomorrow, next monday 14:00, 2026-12-24 09:00, or none).  All\n"
		"changes are made together or not at all, in the order given.\n",
	.exec = exec_set,
};

static int exec_claim(struct cli_ctx *c, int argc, char **argv)
{
	if (argc != 2)
		return cli_usage(c, argc < 2 ? "which ticket?" : "one ticket at a time");
	int64_t id;
	if (!cli_ticket_id(c, argv[1], &id))
		return EXIT_USAGE;
	struct desk d;
	int rc = cli_open(c, &d, 0);
	if (rc)
		return rc;
	struct derr e = {0};
	rc = core_claim(&d, id, &e);
	if (rc == DESK_OK)
		printf("desk: ticket %lld is yours, %s\n", (long long)id, d.me.login);
	desk_close(&d);
	return rc ? cli_fail(&e) : EXIT_OK;
}

const struct cli_cmd cmd_claim = {
	.name = "claim",
	.args = "ID",
	.summary = "take an unassigned ticket",
	.help = "Fails, naming who has it, if another agent holds the ticket.\n",
	.exec = exec_claim,
};

static int exec_merge(struct cli_ctx *c, int argc, char **argv)
{
	if (argc != 3)
		return cli_usage(c, "expected two tickets");
	int64_t from, into;
	if (!cli_ticket_id(c, argv[1], &from) || !cli_ticket_id(c, argv[2], &into))
		return EXIT_USAGE;
	struct desk d;
	int rc = cli_open(c, &d, 0);
	if (rc)
		return rc;
	struct derr e = {0};
	rc = core_merge(&d, from, into, &e);
	desk_close(&d);
	if (rc)
		return cli_fail(&e);
	printf("desk: ticket %lld merged into %lld\n", (long long)from, (long long)into);
	return EXIT_OK;
}

const struct cli_cmd cmd_merge = {
	.name = "merge",
	.args = "FROM INTO",
	.summary = "merge a duplicate ticket into another",
	.help = "Moves FROM's messages, tags and surveys to INTO and closes FROM.\n",
	.exec = exec_merge,
};
