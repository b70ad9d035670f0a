/* cmd_backup.c: desk backup [--force] PATH */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cli.h"
#include "util.h"

static int exec_backup(struct cli_ctx *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"force", no_argument, NULL, 'f'},
		{0},
	};
	bool force = false;
	int o;
	while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		if (o == 'f')
			force = true;
		else
			return cli_option_error(c, o, argv);
	}
	if (optind >= argc)
		return cli_usage(c, "where to? give the backup's file name");
	if (optind + 1 < argc)
		return cli_usage(c, "unexpected argument \"%s\"", argv[optind + 1]);
	const char *path = argv[optind];
	struct desk d;
	int rc = cli_open(c, &d, DESK_OPEN_READONLY);
	if (rc)
		return rc;
	struct derr e = {0};
	struct store_backup_info info;
	rc = core_backup(&d, path, force, &info, &e);
	desk_close(&d);
	if (rc)
		return cli_fail(&e);
	time_t secs = (time_t)(info.snapshot_ms / 1000);
	struct tm tm;
	char when[32];
	strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", gmtime_r(&secs, &tm));
	char *line = xasprintf("backup written to %s: %lld tickets, %lld messages (the last #%lld), "
			       "integrity ok; snapshot taken at %s.%03d UTC (every change saved "
			       "before then is in it)",
			       path, (long long)info.tickets, (long long)info.messages,
			       (long long)info.last_message_id, when,
			       (int)(info.snapshot_ms % 1000));
	fputs("desk: ", stdout);
	cli_print_safe(line, false);
	fputc('\n', stdout);
	free(line);
	return EXIT_OK;
}

const struct cli_cmd cmd_backup = {
	.name = "backup",
	.args = "[--force] PATH",
	.summary = "write a consistent copy of the database (admins)",
	.help = "Copies the database to PATH while agents keep working (SQLite's online\n"
		"backup, inside one read snapshot), checks the copy with integrity_check,\n"
		"and only then puts it at PATH: a new file, private to you (mode 0600).\n"
		"An existing PATH is replaced only with --force.  Prints when the snapshot\n"
		"was taken: every change saved before then is in the copy.  For admins:\n"
		"the copy holds everything, agents' drafts and the audit trail included.\n"
		"To restore, see desk(1), BACKUP.\n",
	.exec = exec_backup,
};
