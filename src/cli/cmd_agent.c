/* cmd_agent.c: desk agent add|remove|list|role (admins change, all list). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "text.h"
#include "util.h"

static int agent_list(struct desk *d, struct derr *e)
{
	struct agent_list l = {0};
	int rc = store_agent_list(d->st, &l, e);
	if (rc == DESK_OK)
		printf("%-16s %-11s %-8s %s\n", "LOGIN", "ROLE", "ACTIVE", "NAME");
	for (size_t i = 0; rc == DESK_OK && i < l.n; i++) {
		char *login = text_sanitize(l.v[i].login, 0);
		printf("%-16s %-11s %-8s ", login, role_name(l.v[i].role),
		       l.v[i].active ? "yes" : "no");
		free(login);
		cli_print_safe(l.v[i].name, false);
		fputc('\n', stdout);
	}
	agent_list_free(&l);
	return rc;
}

/* "desk: LOGIN WHAT": the login as typed, sanitized. */
static void done(const char *login, const char *what, const char *more)
{
	fputs("desk: ", stdout);
	cli_print_safe(login, false);
	printf("%s", what);
	cli_print_safe(more, false);
	fputc('\n', stdout);
}

static int exec_agent(struct cli_ctx *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"name", required_argument, NULL, 'n'},
		{"role", required_argument, NULL, 'r'},
		{0},
	};
	const char *name = NULL;
	int role = ROLE_AGENT, o;
	if (argc < 2)
		return cli_usage(c, "expected add, remove, list or role");
	const char *sub = argv[1];
	argc--, argv++;
	while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		if (o == 'n')
			name = optarg;
		else if (o == 'r' && (role = role_from_name(optarg)) < 0)
			return cli_usage(c, "--role %s: expected agent, supervisor or admin", optarg);
		else if (o != 'r')
			return cli_option_error(c, o, argv);
	}
	int nargs = argc - optind;
	char **args = argv + optind;
	bool is_list = strcmp(sub, "list") == 0, is_add = strcmp(sub, "add") == 0;
	bool is_remove = strcmp(sub, "remove") == 0, is_role = strcmp(sub, "role") == 0;
	if (!is_list && !is_add && !is_remove && !is_role)
		return cli_usage(c, "\"%s\": expected add, remove, list or role", sub);
	if ((is_list && nargs != 0) || ((is_add || is_remove) && nargs != 1) ||
	    (is_role && nargs != 2))
		return cli_usage(c, "wrong number of arguments for agent %s", sub);
	if (is_role && role_from_name(args[1]) < 0)
		return cli_usage(c, "role \"%s\": expected agent, supervisor or admin", args[1]);

	struct desk d;
	int rc = cli_open(c, &d, is_list ? DESK_OPEN_READONLY : 0);
	if (rc)
		return rc;
	struct derr e = {0};
	if (is_list) {
		rc = agent_list(&d, &e);
	} else if (is_add) {
		rc = core_agent_add(&d, args[0], name, (enum role)role, &e);
		if (rc == DESK_OK)
			done(args[0], " added as ", role_name((enum role)role));
	} else if (is_remove) {
		rc = core_agent_set_active(&d, args[0], false, &e);
		if (rc == DESK_OK)
			done(args[0], " deactivated (their history stays)", "");
	} else {
		rc = core_agent_set_role(&d, args[0], (enum role)role_from_name(args[1]), &e);
		if (rc == DESK_OK)
			done(args[0], " is now ", args[1]);
	}
	desk_close(&d);
	return rc ? cli_fail(&e) : EXIT_OK;
}

const struct cli_cmd cmd_agent = {
	.name = "agent",
	.args = "list | add LOGIN [--name NAME] [--role ROLE] | remove LOGIN | role LOGIN ROLE",
	.summary = "list the agents; admins add, deactivate and change roles",
	.help = "An agent is a Unix login.  Roles: agent, supervisor, admin.  `remove`\n"
		"deactivates: the agent's history and tickets stay.\n",
	.exec = exec_agent,
};
