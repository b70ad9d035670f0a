/* cmd_undo.c: desk undo, a thin shell over core_undo for scripts. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "util.h"

static int exec_undo(struct cli_ctx *c, int argc, char **argv)
{
	if (argc != 1)
		return cli_usage(c, "desk undo takes no arguments");
	struct desk d;
	int rc = cli_open(c, &d, 0);
	if (rc)
		return rc;
	struct derr e = {0};
	struct undo_result r;
	rc = core_undo(&d, &r, &e);
	desk_close(&d);
	if (rc) {
		undo_result_free(&r);
		return cli_fail(&e);
	}
	/* Old tags were held to a looser rule: sanitized like any text. */
	fputs("desk: undone: ", stdout);
	cli_print_safe(r.what, false);
	putchar('\n');
	for (size_t i = 0; i < r.nfailed; i++) {
		char *line = xasprintf("ticket %lld not undone: %s", (long long)r.failed[i].id,
				       r.failed[i].msg);
		cli_warn("desk", line);
		free(line);
	}
	rc = r.nfailed ? EXIT_FAIL : EXIT_OK;
	undo_result_free(&r);
	return rc;
}

const struct cli_cmd cmd_undo = {
	.name = "undo",
	.args = "",
	.summary = "take back your latest change",
	.help = "Undoes the latest change you made that is not undone yet (a set, a claim, the\n"
		"field changes of a reply, a bulk change, a merge) and prints what it put back.\n"
		"Refused, naming who changed what and when, if anyone changed the ticket since.\n"
		"An undo is not undone again: desk undo once more takes back the change before.\n"
		"A bulk change is undone ticket by ticket; the tickets that could not be are\n"
		"listed on stderr and the exit status is 1.\n",
	.exec = exec_undo,
};
