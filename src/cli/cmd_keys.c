/* cmd_keys.c: desk keys: the console's built-in key bindings, straight
 * from the action table (the man page is checked against it). */
#include <stdio.h>

#include "cli.h"
#include "tui.h"

static int exec_keys(struct cli_ctx *c, int argc, char **argv)
{
	if (argc > 1)
		return cli_usage(c, "unexpected argument \"%s\"", argv[1]);
	tui_print_keymap(stdout);
	return EXIT_OK;
}

const struct cli_cmd cmd_keys = {
	.name = "keys",
	.args = "",
	.summary = "list the console's built-in key bindings and actions",
	.help = "One line per binding: context, key, action, help.  Actions with no key\n"
		"are listed with key \"none\" (use them from the : prompt).  A keys file\n"
		"named in the config changes these; see desk.yaml(5).\n",
	.exec = exec_keys,
};
