/* cmd_customer.c: desk customer list|show|edit|merge|tickets. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "text.h"
#include "util.h"

#define LIST_LIMIT 1000

static void print_json_list_item(const char *json, bool first)
{
	printf("%s%s", first ? "" : ",\n ", json);
}

static int customer_list(struct desk *d, const char *text, bool json, struct derr *e)
{
	struct customer_list l = {0};
	int rc = store_customer_search(d->st, text ? text : "", LIST_LIMIT, &l, e);
	if (rc == DESK_OK && json)
		fputc('[', stdout);
	else if (rc == DESK_OK)
		printf("%6s %-32s %-24s %s\n", "ID", "EMAIL", "ORGANIZATION", "NAME");
	for (size_t i = 0; rc == DESK_OK && i < l.n; i++) {
		const struct customer *c = &l.v[i];
		if (json) {
			char *row;
			if ((rc = store_customer_json(d->st, c->id, &row, e)) == DESK_OK)
				print_json_list_item(row, i == 0);
			free(row);
			continue;
		}
		char *email = text_sanitize(c->email ? c->email : "-", 0);
		char *org = text_sanitize(c->organization ? c->organization : "-", 0);
		printf("%6lld %-32s %-24s ", (long long)c->id, email, org);
		free(email);
		free(org);
		cli_print_safe(c->name, false);
		fputc('\n', stdout);
	}
	if (rc == DESK_OK && json)
		fputs("]\n", stdout);
	customer_list_free(&l);
	return rc;
}

static void line(const char *label, const char *value)
{
	if (str_empty(value))
		return;
	printf("%-13s ", label);
	cli_print_safe(value, false);
	fputc('\n', stdout);
}

static int customer_show(struct desk *d, int64_t id, bool json, struct derr *e)
{
	if (json) {
		char *out;
		int rc = store_customer_json(d->st, id, &out, e);
		if (rc == DESK_OK)
			printf("%s\n", out);
		free(out);
		return rc;
	}
	struct customer c;
	int rc = store_customer_get(d->st, id, &c, e);
	if (rc)
		return rc;
	struct name_list addrs = {0};
	struct ticket_list tl = {0};
	if ((rc = store_customer_emails(d->st, id, &addrs, e)) == DESK_OK)
		rc = store_customer_tickets(d->st, id, -1, &tl, e);
	if (rc == DESK_OK) {
		printf("Customer #%lld\n", (long long)c.id);
		line("name:", c.name);
		line("email:", c.email);
		for (size_t i = 0; i < addrs.n; i++)
			if (!c.email || strcasecmp(addrs.v[i], c.email) != 0)
				line("also:", addrs.v[i]);
		line("phone:", c.phone);
		line("organization:", c.organization);
		line("tier:", c.tier);
		size_t open = 0;
		for (size_t i = 0; i < tl.n; i++)
			open += tl.v[i].status < ST_SOLVED;
		printf("%-13s %zu (%zu open); desk customer tickets %lld\n", "tickets:", tl.n, open,
		       (long long)c.id);
		if (!str_empty(c.notes)) {
			printf("notes:\n");
			cli_print_safe(c.notes, true);
			fputc('\n', stdout);
		}
	}
	ticket_list_free(&tl);
	name_list_free(&addrs);
	customer_free(&c);
	return rc;
}

static int customer_tickets(struct desk *d, int64_t id, bool json, struct derr *e)
{
	struct ticket_list tl = {0};
	int rc = store_customer_tickets(d->st, id, -1, &tl, e);
	if (rc == DESK_OK && json)
		fputc('[', stdout);
	else if (rc == DESK_OK)
		printf("%6s %-8s %-16s %s\n", "ID", "STATUS", "CREATED", "SUBJECT");
	for (size_t i = 0; rc == DESK_OK && i < tl.n; i++) {
		const struct ticket *t = &tl.v[i];
		if (json) {
			char *row;
			if ((rc = store_ticket_summary_json(d->st, t->id, &row, e)) == DESK_OK)
				print_json_list_item(row, i == 0);
			free(row);
			continue;
		}
		char when[32];
		time_format_local(t->created_at, when, sizeof when);
		printf("%6lld %-8s %-16.16s ", (long long)t->id, status_name(t->status), when);
		cli_print_safe(t->subject, false);
		fputc('\n', stdout);
	}
	if (rc == DESK_OK && json)
		fputs("]\n", stdout);
	ticket_list_free(&tl);
	return rc;
}

enum { O_NAME = 1, O_EMAIL, O_ADD, O_REMOVE, O_PHONE, O_ORG, O_TIER, O_NOTES, O_JSON };

struct edit_args {
	struct customer_edit ed;
	const char **add, **remove;
	bool json;
};

static int parse_options(struct cli_ctx *c, int argc, char **argv, struct edit_args *a)
{
	static const struct option opts[] = {
		{"name", required_argument, NULL, O_NAME},
		{"email", required_argument, NULL, O_EMAIL},
		{"add-email", required_argument, NULL, O_ADD},
		{"remove-email", required_argument, NULL, O_REMOVE},
		{"phone", required_argument, NULL, O_PHONE},
		{"organization", required_argument, NULL, O_ORG},
		{"tier", required_argument, NULL, O_TIER},
		{"notes", required_argument, NULL, O_NOTES},
		{"json", no_argument, NULL, O_JSON},
		{0},
	};
	int o;
	while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (o) {
		case O_NAME: a->ed.name = optarg; break;
		case O_EMAIL: a->ed.email = optarg; break;
		case O_ADD: a->add[a->ed.nadd++] = optarg; break;
		case O_REMOVE: a->remove[a->ed.nremove++] = optarg; break;
		case O_PHONE: a->ed.phone = optarg; break;
		case O_ORG: a->ed.organization = optarg; break;
		case O_TIER: a->ed.tier = optarg; break;
		case O_NOTES: a->ed.notes = optarg; break;
		case O_JSON: a->json = true; break;
		default: return cli_option_error(c, o, argv);
		}
	}
	a->ed.add = a->add;
	a->ed.remove = a->remove;
	return EXIT_OK;
}

static bool edits_something(const struct customer_edit *ed)
{
	return ed->name || ed->email || ed->phone || ed->organization || ed->tier || ed->notes ||
	       ed->nadd || ed->nremove;
}

static int exec_customer(struct cli_ctx *c, int argc, char **argv)
{
	if (argc < 2)
		return cli_usage(c, "expected list, show, edit, merge or tickets");
	const char *sub = argv[1];
	argc--, argv++;
	struct edit_args a = {0};
	a.add = xcalloc((size_t)argc + 1, sizeof *a.add);
	a.remove = xcalloc((size_t)argc + 1, sizeof *a.remove);
	int rc = parse_options(c, argc, argv, &a);
	int nargs = argc - optind;
	char **args = argv + optind;
	bool list = strcmp(sub, "list") == 0, show = strcmp(sub, "show") == 0;
	bool edit = strcmp(sub, "edit") == 0, merge = strcmp(sub, "merge") == 0;
	bool tickets = strcmp(sub, "tickets") == 0;
	if (rc == EXIT_OK && !list && !show && !edit && !merge && !tickets)
		rc = cli_usage(c, "\"%s\": expected list, show, edit, merge or tickets", sub);
	else if (rc == EXIT_OK && ((list && nargs > 1) || ((show || edit || tickets) && nargs != 1) ||
				   (merge && nargs != 2)))
		rc = cli_usage(c, "wrong number of arguments for customer %s", sub);
	else if (rc == EXIT_OK && !edit && edits_something(&a.ed))
		rc = cli_usage(c, "the field options go with customer edit");
	else if (rc == EXIT_OK && edit && !edits_something(&a.ed))
		rc = cli_usage(c, "nothing to change: give --name, --email, --add-email, ...");
	else if (rc == EXIT_OK && a.json && (edit || merge))
		rc = cli_usage(c, "--json goes with list, show and tickets");
	struct desk d;
	if (rc == EXIT_OK)
		rc = cli_open(c, &d, list || show || tickets ? DESK_OPEN_READONLY : 0);
	if (rc != EXIT_OK) {
		free(a.add);
		free(a.remove);
		return rc;
	}
	struct derr e = {0};
	int64_t id = 0, into = 0;
	if (list) {
		rc = customer_list(&d, nargs ? args[0] : NULL, a.json, &e);
	} else if ((rc = core_customer_find(&d, args[0], &id, &e)) == DESK_OK) {
		if (show)
			rc = customer_show(&d, id, a.json, &e);
		else if (tickets)
			rc = customer_tickets(&d, id, a.json, &e);
		else if (edit && (rc = core_customer_edit(&d, id, &a.ed, &e)) == DESK_OK)
			printf("desk: customer #%lld changed\n", (long long)id);
		else if (merge && (rc = core_customer_find(&d, args[1], &into, &e)) == DESK_OK &&
			 (rc = core_customer_merge(&d, id, into, &e)) == DESK_OK)
			printf("desk: customer #%lld merged into #%lld\n", (long long)id,
			       (long long)into);
	}
	desk_close(&d);
	free(a.add);
	free(a.remove);
	return rc ? cli_fail(&e) : EXIT_OK;
}

const struct cli_cmd cmd_customer = {
	.name = "customer",
	.args = "list [TEXT] | show C | tickets C | edit C [--name N] [--email ADDR] "
		"[--add-email ADDR] [--remove-email ADDR] [--phone P] [--organization O] "
		"[--tier T] [--notes TEXT] | merge FROM INTO",
	.summary = "find, show, correct and merge customers",
	.help = "C is a customer's number (as `desk show` prints it) or any of their\n"
		"addresses.  list finds customers by name, organization or address;\n"
		"show and tickets take --json.  edit: any agent; an empty value clears\n"
		"a field; --email makes an address the main one (replies go there; the\n"
		"old one stays theirs), --add-email and --remove-email change the\n"
		"others (each may repeat).  merge (supervisors and admins): FROM's\n"
		"tickets and addresses become INTO's, INTO keeps its details and takes\n"
		"those it lacks, their notes are joined, and FROM is gone.  Every\n"
		"change is in the audit trail.\n",
	.exec = exec_customer,
};
