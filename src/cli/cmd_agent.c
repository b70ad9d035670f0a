/* cmd_agent.c: desk agent add|remove|list|role (admins change, all
 * list) and signature (each their own; admins anyone's). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "priv.h"
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

/* The new signature's text from --text, --file (- : standard input);
 * NULL with e set when it cannot be read. */
static char *signature_text(const char *text, const char *file, struct derr *e)
{
	if (text)
		return xstrdup(text);
	if (strcmp(file, "-") == 0)
		return cli_read_body(NULL, e);
	char *s = priv_read_file(file, NULL);
	if (!s)
		derr_set(e, DESK_EIO, "%s: %s", file, strerror(errno));
	return s;
}

/* desk agent signature [--agent LOGIN] [--text T | --file F | --clear] */
static int agent_signature(struct cli_ctx *c, const char *login, const char *text,
			   const char *file, bool clear)
{
	bool setting = text || file || clear;
	struct desk d;
	int rc = cli_open(c, &d, setting ? 0 : DESK_OPEN_READONLY);
	if (rc)
		return rc;
	struct derr e = {0};
	char *sig = NULL;
	if (!setting) {
		rc = core_signature_get(&d, login, &sig, &e);
		if (rc == DESK_OK && !str_empty(sig)) {
			cli_print_safe(sig, true);
			fputc('\n', stdout);
		} else if (rc == DESK_OK) {
			fputs("desk: no signature is set", stderr);
			fputs(login ? " for that agent\n" : "\n", stderr);
		}
		/* The console uses the personal file's first: say so. */
		const struct config *cfg = &c->cfg;
		if (rc == DESK_OK && (!login || strcmp(login, d.me.login) == 0) &&
		    cfg->signature && cfg->origin[CFG_SIGNATURE].from == FROM_PERSONAL) {
			fputs("desk: note: replies get the signature of your personal file (", stderr);
			char *where = text_sanitize(cfg->personal, 0);
			fprintf(stderr, "%s:%d) instead\n", where, cfg->origin[CFG_SIGNATURE].line);
			free(where);
		}
	} else {
		if (!clear && !(sig = signature_text(text, file, &e)))
			rc = derr_code(&e);
		if (rc == DESK_OK)
			rc = core_signature_set(&d, login, clear ? NULL : sig, &e);
		if (rc == DESK_OK)
			done(login ? login : d.me.login,
			     clear || str_empty(sig) ? ": signature cleared" : ": signature set", "");
	}
	free(sig);
	desk_close(&d);
	return rc ? cli_fail(&e) : EXIT_OK;
}

static int exec_agent(struct cli_ctx *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"name", required_argument, NULL, 'n'},
		{"role", required_argument, NULL, 'r'},
		{"agent", required_argument, NULL, 'a'},
		{"text", required_argument, NULL, 't'},
		{"file", required_argument, NULL, 'f'},
		{"clear", no_argument, NULL, 'c'},
		{0},
	};
	const char *name = NULL, *agent = NULL, *text = NULL, *file = NULL;
	bool clear = false, sig_opt = false;
	int role = ROLE_AGENT, o;
	if (argc < 2)
		return cli_usage(c, "expected add, remove, list, role or signature");
	const char *sub = argv[1];
	argc--, argv++;
	while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		if (o == 'n')
			name = optarg;
		else if (o == 'r' && (role = role_from_name(optarg)) < 0)
			return cli_usage(c, "--role %s: expected agent, supervisor or admin", optarg);
		else if (o == 'a' || o == 't' || o == 'f' || o == 'c') {
			sig_opt = true;
			if (o == 'a')
				agent = optarg;
			else if (o == 't')
				text = optarg;
			else if (o == 'f')
				file = optarg;
			else
				clear = true;
		} else if (o != 'r')
			return cli_option_error(c, o, argv);
	}
	int nargs = argc - optind;
	char **args = argv + optind;
	if (strcmp(sub, "signature") == 0) {
		if (nargs != 0)
			return cli_usage(c, "agent signature takes no arguments, only options");
		if ((text != NULL) + (file != NULL) + clear > 1)
			return cli_usage(c, "give one of --text, --file and --clear");
		return agent_signature(c, agent, text, file, clear);
	}
	if (sig_opt)
		return cli_usage(c, "--agent, --text, --file and --clear are for agent signature");
	bool is_list = strcmp(sub, "list") == 0, is_add = strcmp(sub, "add") == 0;
	bool is_remove = strcmp(sub, "remove") == 0, is_role = strcmp(sub, "role") == 0;
	if (!is_list && !is_add && !is_remove && !is_role)
		return cli_usage(c, "\"%s\": expected add, remove, list, role or signature", sub);
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
	.args = "list | add LOGIN [--name NAME] [--role ROLE] | remove LOGIN | role LOGIN ROLE | "
		"signature [--agent LOGIN] [--text TEXT | --file PATH | --clear]",
	.summary = "list the agents; admins add, deactivate and change roles; signatures",
	.help = "An agent is a Unix login.  Roles: agent, supervisor, admin.  `remove`\n"
		"deactivates: the agent's history and tickets stay.  On PostgreSQL, add also\n"
		"makes the agent's database role (no password) in the group desk_agent,\n"
		"desk_supervisor or desk_admin, role moves it, and remove takes its login\n"
		"away (see desk(1), POSTGRESQL).\n"
		"`signature` prints your signature, the text the console adds below your\n"
		"replies after a \"-- \" line (never to notes); --text or --file (- reads\n"
		"standard input) sets it, --clear removes it.  Plain text, at most 2 KiB.\n"
		"A `signature:` in your personal config file comes first.  Admins may\n"
		"read or set another agent's with --agent LOGIN.\n",
	.exec = exec_agent,
};
