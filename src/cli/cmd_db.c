/* cmd_db.c: desk db copy FROM TO: a whole database moved between
 * engines (SQLite file <-> PostgreSQL) or copied to a new file. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "util.h"

/* Ctrl-C (or a kill) asks the copy to stop after the page it is on; its
 * one transaction is then rolled back, and the target left empty. */
static volatile sig_atomic_t stop_asked;

static void on_stop(int sig)
{
	(void)sig;
	stop_asked = 1;
}

/* The progress line, on a terminal only, rewritten in place. */
struct progress_line {
	bool on, shown;
};

static bool show_progress(const struct db_copy_progress *p, void *arg)
{
	struct progress_line *pl = arg;
	if (pl->on) {
		fprintf(stderr, "\rdesk: copying %s: %lld of %lld rows\033[K", p->table,
			(long long)p->done, (long long)p->total);
		fflush(stderr);
		pl->shown = true;
	}
	return !stop_asked;
}

static int exec_copy(struct cli_ctx *c, int argc, char **argv)
{
	if (argc < 3)
		return cli_usage(c, "copy from where to where? give FROM and TO");
	if (argc > 3)
		return cli_usage(c, "unexpected argument \"%s\"", argv[3]);
	struct sigaction sa = {.sa_handler = on_stop}, old_int, old_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	struct progress_line pl = {.on = isatty(STDERR_FILENO)};
	struct db_copy_opts o = {.progress = show_progress, .progress_arg = &pl};
	struct db_copy_result r;
	struct derr e = {0};
	int rc = core_db_copy(argv[1], argv[2], &o, &r, &e);
	if (pl.shown)
		fputc('\n', stderr);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (rc)
		return cli_fail(&e);
	char *line = xasprintf("copied %lld rows of %d tables from %s to %s", (long long)r.rows,
			       r.tables, argv[1], argv[2]);
	fputs("desk: ", stdout);
	cli_print_safe(line, false);
	fputc('\n', stdout);
	free(line);
	return EXIT_OK;
}

static int exec_db(struct cli_ctx *c, int argc, char **argv)
{
	if (argc < 2)
		return cli_usage(c, "which? desk db copy FROM TO");
	if (strcmp(argv[1], "copy") == 0)
		return exec_copy(c, argc - 1, argv + 1);
	return cli_usage(c, "unknown db command \"%s\" (there is: copy)", argv[1]);
}

const struct cli_cmd cmd_db = {
	.name = "db",
	.args = "copy FROM TO",
	.summary = "copy a whole database between SQLite and PostgreSQL",
	.help = "desk db copy FROM TO copies every table of the desk database FROM into TO:\n"
		"tickets, messages, customers, agents, the audit trail, attachments, drafts,\n"
		"surveys, time, the knowledge base's index, everything, with their ids.\n"
		"Each is a SQLite file's path or a PostgreSQL database (a postgresql:// URL\n"
		"or libpq keywords such as \"host=/run/postgresql dbname=desk\"), so it moves\n"
		"a desk from SQLite to PostgreSQL, back, or into another file.  FROM is only\n"
		"read, inside one snapshot (agents may go on working).  TO must be new or\n"
		"empty: its schema is made as desk init makes it, without an agent of its\n"
		"own.  Everything is written in one transaction: if the copy fails or is\n"
		"interrupted (Ctrl-C), TO holds no rows.  The search index is rebuilt on TO.\n"
		"Runs with your own rights only: you must be able to read FROM and write TO\n"
		"yourself.  On a terminal a progress line shows the table and rows done.\n",
	.exec = exec_db,
};
