/* cmd_init.c: desk init [--demo [--seed N]] */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "util.h"

static int exec_init(struct cli_ctx *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"demo", no_argument, NULL, 'd'},
		{"seed", required_argument, NULL, 's'},
		{"shared", required_argument, NULL, 'g'},
		{0},
	};
	const char *group = NULL;
	bool demo = false;
	unsigned seed = 1;
	int o;
	while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		if (o == 'd') {
			demo = true;
		} else if (o == 'g') {
			group = optarg;
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
	struct derr e = {0};
	struct desk d = {0}; /* desk_close-able whether or not the init got far */
	char *path = optind < argc ? xstrdup(argv[optind]) : desk_db_path(c->db_opt, &c->cfg);
	int rc = group ? desk_init_shared(&d, group, path, &c->cfg, c->as_login, &e)
		       : desk_init(&d, path, &c->cfg, c->as_login, &e);
	if (rc == DESK_OK && demo)
		rc = core_demo_fill(&d, seed, time_now(), &e);
	if (rc == DESK_OK)
		printf("desk: created %s%s%s%s; %s is its admin\n", path,
		       group ? " for group " : "", group ? group : "",
		       demo ? " with a month of demo data" : "", d.me.login);
	if (rc == DESK_OK || d.st)
		desk_close(&d);
	free(path);
	return rc ? cli_fail(&e) : EXIT_OK;
}

const struct cli_cmd cmd_init = {
	.name = "init",
	.args = "[--demo [--seed N]] [--shared GROUP [PATH]]",
	.summary = "create the database and make yourself its admin",
	.help = "Creates the database (see --db) and its folder, and makes the Unix user\n"
		"running it the first admin agent.  With --demo, fills it with a believable\n"
		"month of a support team's work (the same for the same --seed).\n"
		"With --shared GROUP, the database's folder (PATH's, or --db's) is given to\n"
		"the Unix group GROUP with mode 2770 (setgid) and the database is 0660, so\n"
		"every member can work in it and nobody else can read it.\n",
	.exec = exec_init,
};
