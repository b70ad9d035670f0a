/* cmd_io.c: desk import and desk export (JSON Lines). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "priv.h"
#include "util.h"

/* The progress line, on a terminal only: rewritten in place, ended with
 * a newline by progress_end. */
struct progress_line {
	bool on, shown;
};

static void show_progress(const struct import_progress *p, void *arg)
{
	struct progress_line *pl = arg;
	if (!pl->on)
		return;
	if (p->checking)
		fprintf(stderr, "\rdesk: checked %ld lines\033[K", p->n);
	else
		fprintf(stderr, "\rdesk: imported %ld of %ld tickets (%.0f/s)\033[K", p->n, p->total,
			p->per_second);
	fflush(stderr);
	pl->shown = true;
}

static void progress_end(struct progress_line *pl)
{
	if (pl->shown)
		fputc('\n', stderr);
	pl->shown = false;
}

/* Test knobs (never for an installed, set-id desk): tiny batches and a
 * pause after each, so a test can stop an import half-way. */
static long knob(const char *name)
{
	const char *v = priv_setid() ? NULL : getenv(name);
	return v ? atol(v) : 0;
}

static void print_result(const struct import_result *r)
{
	if (r->resumed)
		printf("desk: finished a stopped import first (%ld more tickets)\n", r->resumed);
	printf("desk: imported %ld new and %ld updated tickets", r->created, r->updated);
	if (r->bad)
		printf("; %ld bad lines skipped (listed above)", r->bad);
	printf("\n");
}

static int exec_resume(struct cli_ctx *c, struct import_opts *io, struct progress_line *pl)
{
	struct desk d;
	int rc = cli_open(c, &d, 0);
	if (rc)
		return rc;
	struct derr e = {0};
	struct import_result r = {0};
	rc = core_import_resume(&d, io, &r, stderr, &e);
	progress_end(pl);
	desk_close(&d);
	if (rc == DESK_ENOTFOUND) {
		printf("desk: no stopped import to finish\n");
		return EXIT_OK;
	}
	if (rc)
		return cli_fail(&e);
	print_result(&r);
	return r.bad ? EXIT_FAIL : EXIT_OK;
}

static int exec_import(struct cli_ctx *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"skip-bad", no_argument, NULL, 'k'},
		{"resume", no_argument, NULL, 'r'},
		{0},
	};
	struct progress_line pl = {.on = isatty(STDERR_FILENO)};
	struct import_opts io = {.batch_tickets = knob("DESK_IMPORT_BATCH_TICKETS"),
				 .pause_ms = knob("DESK_IMPORT_PAUSE_MS"),
				 .progress = show_progress,
				 .progress_arg = &pl};
	bool resume = false;
	int o;
	while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		if (o == 'k')
			io.skip_bad = true;
		else if (o == 'r')
			resume = true;
		else
			return cli_option_error(c, o, argv);
	}
	if (resume) {
		if (optind != argc || io.skip_bad)
			return cli_usage(c, "--resume takes no file: it finishes a stopped import");
		return exec_resume(c, &io, &pl);
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
		progress_end(&pl);
		if (rc == DESK_OK) {
			print_result(&r);
			rc = r.bad ? EXIT_FAIL : EXIT_OK;
		} else if (rc == DESK_EDENIED) {
			rc = cli_fail(&e);
		} else if (r.committed) {
			fprintf(stderr, "desk: the import stopped half-way; desk import --resume "
					"(or the next desk tick) finishes it\n");
			rc = EXIT_FAIL;
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
	.args = "[--skip-bad] FILE|-  |  --resume",
	.summary = "load tickets from JSON Lines (the export format)",
	.help = "One ticket per line; see desk(1), IMPORT FORMAT.  A bad line is reported\n"
		"as FILE:LINE: field: problem and nothing is imported, unless --skip-bad,\n"
		"which imports the good lines (and still exits 1).  A ticket whose\n"
		"external_id is already there is updated, not duplicated.  The file is\n"
		"checked whole first; then tickets are written in short batches that let\n"
		"other agents write in between.  Killed while checking, nothing is left;\n"
		"killed while writing, --resume (or the next desk import or desk tick)\n"
		"finishes it.  On a terminal a progress line shows how far it is.\n",
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
