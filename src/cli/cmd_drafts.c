/* cmd_drafts.c: desk drafts: the acting agent's unsent replies and
 * notes, the newest first, as the console's `:drafts` lists them. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "text.h"
#include "util.h"

/* One cell: sanitized, clipped or padded to `cols` display columns. */
static void cell(const char *s, int cols, bool last)
{
	char *safe = text_sanitize(s ? s : "", 0);
	char *clip = text_clip(safe, cols, !last);
	fputs(clip, stdout);
	if (!last)
		fputc(' ', stdout);
	free(clip);
	free(safe);
}

static void print_row(const struct draft_row *r, int64_t now)
{
	char age[32], id[32], where[64] = "";
	draft_age(r->updated_at, now, age, sizeof age);
	snprintf(id, sizeof id, "%lld", (long long)r->ticket_id);
	if (r->merged_into)
		snprintf(where, sizeof where, "merged>%lld", (long long)r->merged_into);
	else if (r->status == ST_CLOSED)
		snprintf(where, sizeof where, "closed");
	char *first = draft_first_line(r->body);
	printf("%6s ", id);
	cell(msg_kind_name(r->kind), 5, false);
	cell(age, 10, false);
	cell(where, 12, false);
	cell(r->subject, 30, false);
	cell(first, 50, true);
	fputc('\n', stdout);
	free(first);
}

static void print_json(const struct draft_row *r, int64_t now, bool first)
{
	char at[40], age[32];
	time_format_rfc3339(r->updated_at, at, sizeof at);
	draft_age(r->updated_at, now, age, sizeof age);
	printf("%s\n  {\"ticket\": %lld, \"kind\": \"%s\", \"updated_at\": \"%s\", \"age\": ",
	       first ? "" : ",", (long long)r->ticket_id, msg_kind_name(r->kind), at);
	cli_json_string(age);
	fputs(", \"subject\": ", stdout);
	cli_json_string(r->subject);
	printf(", \"status\": \"%s\", \"merged_into\": ", status_name(r->status));
	if (r->merged_into)
		printf("%lld", (long long)r->merged_into);
	else
		fputs("null", stdout);
	fputs(", \"canned\": ", stdout);
	cli_json_string(r->canned);
	fputs(", \"body\": ", stdout);
	cli_json_string(r->body);
	fputc('}', stdout);
}

static int exec_drafts(struct cli_ctx *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{0},
	};
	bool json = false;
	int o;
	while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		if (o == 'j')
			json = true;
		else
			return cli_option_error(c, o, argv);
	}
	if (optind != argc)
		return cli_usage(c, "desk drafts takes no arguments");
	struct desk d;
	int rc = cli_open(c, &d, DESK_OPEN_READONLY);
	if (rc)
		return rc;
	struct derr e = {0};
	struct draft_list l = {0};
	rc = store_drafts_of(d.st, d.me.id, &l, &e);
	int64_t now = time_now();
	if (rc == DESK_OK && json) {
		fputc('[', stdout);
		for (size_t i = 0; i < l.n; i++)
			print_json(&l.v[i], now, i == 0);
		puts(l.n ? "\n]" : "]");
	} else if (rc == DESK_OK && l.n) {
		printf("%6s %-5s %-10s %-12s %-30s %s\n", "TICKET", "KIND", "SAVED", "STATE", "SUBJECT",
		       "FIRST LINE");
		for (size_t i = 0; i < l.n; i++)
			print_row(&l.v[i], now);
	} else if (rc == DESK_OK) {
		fputs("desk: you have no unsent drafts\n", stderr);
	}
	draft_list_free(&l);
	desk_close(&d);
	return rc ? cli_fail(&e) : EXIT_OK;
}

const struct cli_cmd cmd_drafts = {
	.name = "drafts",
	.args = "[--json]",
	.summary = "your unsent replies and notes, the newest first",
	.help = "Lists the drafts the console keeps for you (postponed, or saved while the\n"
		"editor ran): ticket, kind, when saved, where it stands (closed, or merged\n"
		"into another ticket: the console's drafts list moves it there when you\n"
		"resume it), subject and first line.  --json adds the whole text.  The\n"
		"console's `d` (:drafts) resumes and deletes them.\n",
	.exec = exec_drafts,
};
