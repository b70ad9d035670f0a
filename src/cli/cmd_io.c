/* cmd_io.c: desk import and desk export (JSON Lines). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "priv.h"
#include "util.h"

static int exec_import(struct cli_ctx *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"skip-bad", no_argument, NULL, 'k'},
		{0},
	};
	struct import_opts io = {0};
	int o;
	while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		if (o == 'k')
			io.skip_bad = true;
		else
			return cli_option_error(c, o, argv);
	}
	if (optind + 1 != argc)
		return cli_usage(c, optind >= argc ? "which file? (- for standard input)"
						    : "one file at a time");
	const char *path = argv[optind];
	FILE *in = strcmp(path, "-") == 0 ? stdin : priv_fopen(path, "r");
	if (!in) {
		char *msg = xasprintf("%s: %s", path, strerror(errno));
		cli_warn("desk", msg); /* the path is an argument: sanitized */
		free(msg);
		return EXIT_FAIL;
	}
	io.name = in == stdin ? "stdin" : path;
	struct desk d;
	int rc = cli_open(c, &d, 0);
	if (rc == 0) {
		struct derr e = {0};
		struct import_result r = {0};
		rc = core_import(&d, in, &io, &r, stderr, &e);
		if (rc == DESK_OK) {
			printf("desk: imported %ld new and %ld updated tickets", r.created, r.updated);
			if (r.bad)
				printf("; %ld bad lines skipped (listed above)", r.bad);
			printf("\n");
			rc = r.bad ? EXIT_FAIL : EXIT_OK;
		} else if (rc == DESK_EDENIED) {
			rc = cli_fail(&e);
		} else {
			fprintf(stderr, "desk: nothing was imported\n");
			rc = EXIT_FAIL;
		}
		desk_close(&d);
	}
	if (in != stdin)
		fclose(in);
	return rc;
}

const struct cli_cmd cmd_import = {
	.name = "import",
	.args = "[--skip-bad] FILE|-",
	.summary = "load tickets from JSON Lines (the export format)",
	.help = "One ticket per line; see desk(1), IMPORT FORMAT.  A bad line is reported\n"
		"as FILE:LINE: field: problem and nothing is imported, unless --skip-bad,\n"
		"which imports the good lines (and still exits 1).  A ticket whose\n"
		"external_id is already there is updated, not duplicated.\n",
	.exec = exec_import,
};

static int exec_export(struct cli_ctx *c, int argc, char **argv)
{
	if (argc > 1)
		return cli_usage(c, "unexpected argument \"%s\"", argv[1]);
	struct desk d;
	int rc = cli_open(c, &d, DESK_OPEN_READONLY);
	if (rc)
		return rc;
	struct derr e = {0};
	rc = core_export(&d, stdout, &e);
	desk_close(&d);
	return rc ? cli_fail(&e) : EXIT_OK;
}

const struct cli_cmd cmd_export = {
	.name = "export",
	.args = "",
	.summary = "write every ticket as JSON Lines to standard output",
	.help = "With messages, tags, surveys and the audit events: `desk import` takes it\n"
		"back unchanged.\n",
	.exec = exec_export,
};
