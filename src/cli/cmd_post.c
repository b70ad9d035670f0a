/* cmd_post.c: desk reply ID and desk note ID, with optional changes. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util.h"

#define MAX_CHANGES 32

/* After the failure was printed: where the text is now. */
static void keep_unsent(int64_t id, enum msg_kind kind, const char *body)
{
	if (!*body || strspn(body, " \t\r\n") == strlen(body))
		return;
	struct derr e = {0};
	char *path = unsent_keep(id, kind, body, &e);
	char *line = path ? xasprintf("the %s was not stored; its text is kept in %s",
				      msg_kind_name(kind), path)
			  : xasprintf("the %s was not stored, and %s", msg_kind_name(kind), e.msg);
	cli_warn("desk", line);
	free(line);
	free(path);
}

static int post(struct cli_ctx *c, int argc, char **argv, enum msg_kind kind)
{
	static const struct option opts[] = {
		{"body", required_argument, NULL, 'b'},
		{0},
	};
	const char *body_opt = NULL;
	int o;
	while ((o = getopt_long(argc, argv, ":b:", opts, NULL)) != -1) {
		if (o == 'b')
			body_opt = optarg;
		else
			return cli_option_error(c, o, argv);
	}
	if (optind >= argc)
		return cli_usage(c, "which ticket?");
	int64_t id;
	if (!cli_ticket_id(c, argv[optind], &id))
		return EXIT_USAGE;
	struct field_change ch[MAX_CHANGES];
	char keybuf[MAX_CHANGES][32];
	size_t n = 0;
	struct derr e = {0};
	for (int i = optind + 1; i < argc; i++) {
		if (n == MAX_CHANGES)
			return cli_usage(c, "at most %d changes at once", MAX_CHANGES);
		if (field_change_parse(argv[i], &ch[n], keybuf[n], sizeof keybuf[n], &e))
			return cli_usage(c, "%s", e.msg);
		n++;
	}
	/* The text first: if the database then cannot take it (full,
	 * locked, read-only), it is kept, never lost. */
	char *body = cli_read_body(body_opt, &e);
	if (!body)
		return cli_fail(&e);
	struct desk d;
	char *path = desk_db_path(c->db_opt, &c->cfg);
	int rc = desk_open(&d, path, &c->cfg, c->as_login, 0, &e);
	free(path);
	int64_t msg_id = 0;
	if (rc == DESK_OK) {
		rc = core_post(&d, id, kind, body, ch, n, &msg_id, &e);
		desk_close(&d);
	}
	if (rc == DESK_OK) {
		printf("desk: %s %lld added to ticket %lld\n", kind == MSG_REPLY ? "reply" : "note",
		       (long long)msg_id, (long long)id);
		free(body);
		return EXIT_OK;
	}
	int code = cli_fail(&e);
	/* Refused for what was asked (no such ticket, a closed one, a bad
	 * field): said, and the text is the caller's to send again. */
	if (rc == DESK_EIO || rc == DESK_EBUSY)
		keep_unsent(id, kind, body);
	free(body);
	return code;
}

static int exec_reply(struct cli_ctx *c, int argc, char **argv)
{
	return post(c, argc, argv, MSG_REPLY);
}

static int exec_note(struct cli_ctx *c, int argc, char **argv)
{
	return post(c, argc, argv, MSG_NOTE);
}

#define POST_HELP                                                                    \
	"The text comes from --body, or else from standard input.  An empty text\n"  \
	"sends nothing.  FIELD=VALUE changes (as for desk set) are made in the same\n" \
	"step, e.g.: desk reply 12 --body 'Refunded.' status=solved tag+=refund\n"

const struct cli_cmd cmd_reply = {
	.name = "reply",
	.args = "ID [--body TEXT] [FIELD=VALUE...]",
	.summary = "reply to the customer on a ticket",
	.help = POST_HELP,
	.exec = exec_reply,
};

const struct cli_cmd cmd_note = {
	.name = "note",
	.args = "ID [--body TEXT] [FIELD=VALUE...]",
	.summary = "add an internal note (never shown to the customer)",
	.help = POST_HELP,
	.exec = exec_note,
};
