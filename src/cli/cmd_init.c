/* cmd_init.c: desk init [--demo [--seed N]] [--shared GROUP [PATH] |
 * --postgresql CONNINFO] */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "text.h"
#include "util.h"

static int exec_init(struct cli_ctx *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"demo", no_argument, NULL, 'd'},
		{"seed", required_argument, NULL, 's'},
		{"shared", required_argument, NULL, 'g'},
		{"postgresql", required_argument, NULL, 'p'},
		{0},
	};
	const char *group = NULL, *server = NULL;
	bool demo = false;
	unsigned seed = 1;
	int o;
	while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		if (o == 'd') {
			demo = true;
		} else if (o == 'g') {
			group = optarg;
		} else if (o == 'p') {
			if (!database_is_server(optarg))
				return cli_usage(c, "--postgresql \"%s\": expected a postgresql:// URL "
						    "or libpq keywords (host=... dbname=...)",
						 optarg);
			server = optarg;
		} else if (o == 's') {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);
			if (*end || !*optarg)
				return cli_usage(c, "--seed \"%s\": expected a number", optarg);
			seed = (unsigned)v;
		} else {
			return cli_option_error(c, o, argv);
		}
	}
	if (optind + 1 < argc || (optind < argc && !group))
		return cli_usage(c, "unexpected argument \"%s\"", argv[optind + (group ? 1 : 0)]);
	if (server && group)
		return cli_usage(c, "--shared is for a SQLite file; on PostgreSQL the server's "
				    "roles keep agents out");
	struct derr e = {0};
	struct desk d = {0}; /* desk_close-able whether or not the init got far */
	char *path = server	    ? xstrdup(server)
		     : optind < argc ? xstrdup(argv[optind])
				     : desk_db_path(c->db_opt, &c->cfg);
	int rc = group ? desk_init_shared(&d, group, path, &c->cfg, c->as_login, &e)
		       : desk_init(&d, path, &c->cfg, c->as_login, &e);
	if (rc == DESK_OK && demo)
		rc = core_demo_fill(&d, seed, time_now(), &e);
	/* The path and group come from argv, which may come from anywhere;
	 * a server's setting is shown as the store shows it (no password),
	 * and a server's role name may hold any character. */
	const char *shown = rc == DESK_OK && database_is_server(path) ? store_path(d.st) : path;
	char *safe_path = text_sanitize(shown, 0), *safe_group = text_sanitize(group, 0);
	char *safe_me = rc == DESK_OK ? text_sanitize(d.me.login, 0) : NULL;
	if (rc == DESK_OK)
		printf("desk: created %s%s%s%s; %s is its admin\n", safe_path,
		       group ? " for group " : "", group ? safe_group : "",
		       demo ? " with a month of demo data" : "", safe_me);
	free(safe_me);
	if (rc == DESK_OK && group && !desk_shared_setgid_ok(group))
		fprintf(stderr, "desk: note: this desk is not setgid to group %s; agents must "
				"run one that is (make install, as root)\n",
			safe_group);
	free(safe_path);
	free(safe_group);
	if (rc == DESK_OK || d.st)
		desk_close(&d);
	free(path);
	return rc ? cli_fail(&e) : EXIT_OK;
}

const struct cli_cmd cmd_init = {
	.name = "init",
	.args = "[--demo [--seed N]] [--shared GROUP [PATH] | --postgresql CONNINFO]",
	.summary = "create the database and make yourself its admin",
	.help = "Creates the database (see --db) and its folder, and makes the Unix user\n"
		"running it the first admin agent.  With --demo, fills it with a believable\n"
		"month of a support team's work (the same for the same --seed).\n"
		"The database is private to you (mode 0600).\n"
		"With --shared GROUP (root only), the database is the team's: GROUP is the\n"
		"group desk is installed setgid to (make install makes \"desk\"), which agents\n"
		"are not in.  The folder (PATH's, or --db's) must be new, empty or already\n"
		"desk's; it becomes root:GROUP mode 2770 and the database root:GROUP 0660, so\n"
		"agents reach it only through desk.  See desk(1), SHARED DATABASE.\n"
		"With --postgresql CONNINFO (or --db CONNINFO), the database is an empty\n"
		"PostgreSQL database that your role owns (it needs CREATEROLE): desk makes\n"
		"its tables, the group roles desk_agent, desk_supervisor and desk_admin with\n"
		"their grants, and makes your role (the one you log in as) its first admin.\n"
		"See desk(1), POSTGRESQL.\n",
	.exec = exec_init,
};
