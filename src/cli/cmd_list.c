/* cmd_list.c: desk list: a view of the queue, as a table or JSON. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "text.h"
#include "util.h"

#define PAGE 256

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

static void print_row(const struct queue_row *r, int64_t now)
{
	char due[16] = "-", age[16];
	/* a waiting ticket is due when it is to be followed up */
	if (r->follow_up_at && status_may_follow_up(r->status))
		time_format_follow_up(r->follow_up_at, now, due, sizeof due);
	else if (r->next_due)
		time_format_span(r->next_due - now, due, sizeof due);
	time_format_span(now - r->created_at, age, sizeof age);
	printf("%6lld ", (long long)r->id);
	cell(priority_name(r->priority), 6, false);
	cell(status_name(r->status), 7, false);
	cell(due, 5, false);
	cell(age, 4, false);
	cell(r->customer, 18, false);
	cell(r->subject, 36, false);
	cell(r->assignee ? r->assignee : "-", 10, false);
	cell(r->tags, 30, true);
	fputc('\n', stdout);
}

static int exec_list(struct cli_ctx *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"view", required_argument, NULL, 'v'},
		{"sort", required_argument, NULL, 's'},
		{"reverse", no_argument, NULL, 'r'},
		{"filter", required_argument, NULL, 'f'},
		{"search", required_argument, NULL, 'S'},
		{"limit", required_argument, NULL, 'n'},
		{"json", no_argument, NULL, 'j'},
		{0},
	};
	const char *view_name = "open", *filter = NULL, *search = NULL;
	int sort = -1;
	bool reverse = false, json = false;
	long limit = -1;
	int o;
	char *end;
	while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (o) {
		case 'v': view_name = optarg; break;
		case 's':
			if ((sort = queue_sort_from_name(optarg)) < 0)
				return cli_usage(c, "--sort %s: expected urgency, priority, "
						    "created, updated or id", optarg);
			break;
		case 'r': reverse = true; break;
		case 'f': filter = optarg; break;
		case 'S': search = optarg; break;
		case 'n':
			limit = strtol(optarg, &end, 10);
			if (*end || !*optarg || limit < 0)
				return cli_usage(c, "--limit %s: expected a number", optarg);
			break;
		case 'j': json = true; break;
		default: return cli_option_error(c, o, argv);
		}
	}
	if (optind < argc)
		return cli_usage(c, "unexpected argument \"%s\"", argv[optind]);

	struct desk d;
	int rc = cli_open(c, &d, DESK_OPEN_READONLY);
	if (rc)
		return rc;
	struct derr e = {0};
	struct view v;
	if ((rc = view_by_name(&d, view_name, &v, &e))) {
		desk_close(&d);
		return cli_fail(&e);
	}
	if (filter && (rc = view_narrow(&v, filter, &d, &e)))
		derr_prefix(&e, "--filter");
	if (rc == DESK_OK) {
		if (search)
			v.filter.search = search;
		if (sort >= 0)
			v.sort = (enum queue_sort)sort;
		if (reverse)
			v.reverse = !v.reverse;
		int64_t now = time_now();
		struct queue_key last;
		bool have_last = false;
		long shown = 0;
		if (json)
			fputc('[', stdout);
		else
			printf("%6s %-6s %-7s %-5s %-4s %-18s %-36s %-10s %s\n", "ID", "PRI",
			       "STATUS", "DUE", "AGE", "CUSTOMER", "SUBJECT", "ASSIGNEE", "TAGS");
		for (;;) {
			struct queue_page page = {0};
			int want = limit >= 0 && limit - shown < PAGE ? (int)(limit - shown) : PAGE;
			if (want == 0)
				break;
			rc = store_queue_page(d.st, &v.filter, v.sort, v.reverse,
					      have_last ? &last : NULL, false, want, &page, &e);
			for (size_t i = 0; rc == DESK_OK && i < page.n; i++, shown++) {
				if (json) {
					char *row;
					rc = store_ticket_summary_json(d.st, page.rows[i].id, &row, &e);
					if (rc == DESK_OK)
						printf("%s%s", shown ? ",\n " : "", row);
					free(row);
				} else {
					print_row(&page.rows[i], now);
				}
			}
			size_t n = page.n;
			if (n)
				last = page.rows[n - 1].key, have_last = true;
			queue_page_free(&page);
			if (rc || n < (size_t)want)
				break;
		}
		if (json && rc == DESK_OK)
			fputs("]\n", stdout);
	}
	view_free(&v);
	desk_close(&d);
	return rc ? cli_fail(&e) : EXIT_OK;
}

const struct cli_cmd cmd_list = {
	.name = "list",
	.args = "[--view NAME] [--filter TERMS] [--search WORDS] [--sort KEY] [--reverse] "
		"[--limit N] [--json]",
	.summary = "list the tickets of a view (default: open)",
	.help = "Views: mine, unassigned, open, pending, on-hold, follow-up, solved,\n"
		"breaching, all, and those in the config.  --filter adds terms of the view language, e.g.\n"
		"'priority:high,urgent queue:billing tag:vip assignee:none refund'.\n"
		"--search finds words in subjects and messages (a trailing * matches a\n"
		"prefix).  --sort: urgency, priority, created, updated, id.\n",
	.exec = exec_list,
};
