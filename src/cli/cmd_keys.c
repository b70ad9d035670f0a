/* cmd_keys.c: desk keys [--builtin]: the console's key bindings as the
 * config makes them, or the built-in ones straight from the action table
 * (the man page is checked against those). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "tui.h"

static int exec_keys(struct cli_ctx *c, int argc, char **argv)
{
	bool builtin = argc > 1 && strcmp(argv[1], "--builtin") == 0;
	if (argc > (builtin ? 2 : 1))
		return cli_usage(c, "unexpected argument \"%s\"", argv[builtin ? 2 : 1]);
	struct derr e = {0};
	if (tui_print_keymap(builtin ? NULL : &c->cfg, stdout, stderr, &e))
		return cli_fail(&e);
	return EXIT_OK;
}

const struct cli_cmd cmd_keys = {
	.name = "keys",
	.args = "[--builtin]",
	.summary = "list the console's key bindings and actions",
	.help = "One line per binding: context, key, action, help, as the console has\n"
		"them: the built-in ones with the keys file named in the config laid\n"
		"over them (--builtin: without it).  Actions with no key are listed with\n"
		"key \"none\" (use them from the : prompt).  Each key the keys file took\n"
		"from another action is said on stderr, naming both; see desk.yaml(5).\n",
	.exec = exec_keys,
};
