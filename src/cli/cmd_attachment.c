/* cmd_attachment.c: desk attachment list TICKET and desk attachment get
 * TICKET [N] [-o FILE]: a ticket's attachments, numbered as the console
 * numbers them, and one of them saved or written out. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "mail.h"
#include "text.h"
#include "util.h"

/* The message an attachment came with: "customer 2026-11-01 09:30". */
static void message_words(struct desk *d, int64_t row, char *buf, size_t size)
{
	struct message m = {0};
	char at[32] = "";
	if (store_mail_message_get(d->st, row, &m, NULL) == DESK_OK) {
		time_format_local(m.created_at, at, sizeof at);
		snprintf(buf, size, "%s %s", msg_kind_name(m.kind), at);
	} else {
		snprintf(buf, size, "message %lld", (long long)row);
	}
	message_free(&m);
}

static void list_text(struct desk *d, const struct attachment_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct attachment *a = &l->v[i];
		char size[32], from[96];
		attachment_size_text(a->size, size, sizeof size);
		message_words(d, a->message_id, from, sizeof from);
		printf("%3zu  ", i + 1);
		cli_print_safe(a->filename, false);
		fputs("  ", stdout);
		cli_print_safe(a->content_type, false);
		printf("  %s  (%s)\n", size, from);
	}
}

static void list_json(struct desk *d, const struct attachment_list *l)
{
	fputc('[', stdout);
	for (size_t i = 0; i < l->n; i++) {
		const struct attachment *a = &l->v[i];
		struct message m = {0};
		char at[40] = "";
		bool have = store_mail_message_get(d->st, a->message_id, &m, NULL) == DESK_OK;
		if (have)
			time_format_rfc3339(m.created_at, at, sizeof at);
		printf("%s\n  {\"n\": %zu, \"message\": %lld, \"kind\": ", i ? "," : "", i + 1,
		       (long long)a->message_id);
		cli_json_string(have ? msg_kind_name(m.kind) : NULL);
		fputs(", \"at\": ", stdout);
		cli_json_string(have ? at : NULL);
		fputs(", \"filename\": ", stdout);
		cli_json_string(a->filename);
		fputs(", \"content_type\": ", stdout);
		cli_json_string(a->content_type);
		printf(", \"size\": %lld}", (long long)a->size);
		message_free(&m);
	}
	fputs(l->n ? "\n]\n" : "]\n", stdout);
}

static int write_stdout(const unsigned char *data, size_t len, struct derr *e)
{
	if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0)
		return derr_set(e, DESK_EIO, "writing to standard output: %s", strerror(errno));
	return DESK_OK;
}

/* -o FILE, -o - (standard output), or none: standard output when it is
 * not a terminal, else a file of the attachment's (sanitized) name in
 * the current folder. */
static int get_one(struct desk *d, const struct attachment *a, const char *out, bool force,
		   struct derr *e)
{
	bool to_stdout = out ? strcmp(out, "-") == 0 : !isatty(STDOUT_FILENO);
	const char *path = out && !to_stdout ? out : a->filename;
	unsigned char *data;
	size_t len;
	int rc = core_attachment_read(d, a, &data, &len, e);
	if (rc)
		return rc;
	if (to_stdout) {
		rc = write_stdout(data, len, e);
	} else if ((rc = attachment_write_file(path, data, len, force, e)) == DESK_OK) {
		char size[32];
		char *line = xasprintf("saved %s (%s)", path,
				       attachment_size_text((int64_t)len, size, sizeof size));
		cli_warn("desk", line);
		free(line);
	}
	free(data);
	return rc;
}

static bool attachment_number(const char *s, long *n)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 1)
		return false;
	*n = v;
	return true;
}

static int exec_attachment(struct cli_ctx *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"output", required_argument, NULL, 'o'},
		{"force", no_argument, NULL, 'f'},
		{0},
	};
	if (argc < 2)
		return cli_usage(c, "expected list or get");
	const char *sub = argv[1];
	bool list = strcmp(sub, "list") == 0, get = strcmp(sub, "get") == 0;
	if (!list && !get)
		return cli_usage(c, "\"%s\": expected list or get", sub);
	argc--, argv++;
	bool json = false, force = false;
	const char *out = NULL;
	int o;
	while ((o = getopt_long(argc, argv, ":o:f", opts, NULL)) != -1) {
		if (o == 'j')
			json = true;
		else if (o == 'o')
			out = optarg;
		else if (o == 'f')
			force = true;
		else
			return cli_option_error(c, o, argv);
	}
	int nargs = argc - optind;
	if (nargs < 1)
		return cli_usage(c, "which ticket?");
	if ((list && nargs != 1) || (get && nargs > 2))
		return cli_usage(c, "wrong number of arguments for attachment %s", sub);
	if (list && (out || force))
		return cli_usage(c, "-o and --force go with attachment get");
	if (get && json)
		return cli_usage(c, "--json goes with attachment list");
	int64_t id;
	if (!cli_ticket_id(c, argv[optind], &id))
		return EXIT_USAGE;
	long n = 0;
	if (nargs == 2 && !attachment_number(argv[optind + 1], &n))
		return cli_usage(c, "\"%s\" is not an attachment number (1, 2, ...; desk "
				    "attachment list %lld)",
				 argv[optind + 1], (long long)id);
	struct desk d;
	int rc = cli_open(c, &d, DESK_OPEN_READONLY);
	if (rc)
		return rc;
	struct derr e = {0};
	struct attachment_list l = {0};
	rc = core_attachments(&d, id, &l, &e);
	if (rc == DESK_OK && list) {
		if (json)
			list_json(&d, &l);
		else if (l.n)
			list_text(&d, &l);
		else
			printf("desk: ticket %lld has no attachments\n", (long long)id);
	} else if (rc == DESK_OK) {
		const struct attachment *a;
		if ((rc = core_attachment_pick(&l, id, n, &a, &e)) == DESK_OK)
			rc = get_one(&d, a, out, force, &e);
	}
	attachment_list_free(&l);
	desk_close(&d);
	return rc ? cli_fail(&e) : EXIT_OK;
}

const struct cli_cmd cmd_attachment = {
	.name = "attachment",
	.args = "list TICKET [--json] | get TICKET [N] [-o FILE|-] [--force]",
	.summary = "list a ticket's attachments, or save one",
	.help = "list numbers the files of every message of the ticket, oldest first\n"
		"(the numbers the console shows): name, type, size and the message\n"
		"they came with; --json prints [{\"n\", \"message\", \"kind\", \"at\",\n"
		"\"filename\", \"content_type\", \"size\"}].\n"
		"get writes attachment N (it may be left out when there is only one)\n"
		"byte for byte: to FILE with -o, to standard output with -o - (or when\n"
		"standard output is not a terminal), else to a file of its own name\n"
		"in the current folder.  A file that exists is left alone unless\n"
		"--force; the file is written beside it and renamed into place.\n",
	.exec = exec_attachment,
};
