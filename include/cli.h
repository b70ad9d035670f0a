/* cli.h: the command line.  Each subcommand is one file in src/cli/
 * holding a const struct cli_cmd; cli.c gathers them in one table that
 * also makes `desk --help`.  A subcommand is a thin shell over core/. */
#ifndef DESK_CLI_H
#define DESK_CLI_H

#include <stdbool.h>

#include "config.h"
#include "core.h"
#include "error.h"

/* Exit codes: 0 done, 1 failed (a message says what and where), 2 usage. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

/* What the global options gave, shared by every subcommand. */
struct cli_ctx {
	const char *db_opt;     /* --db */
	const char *config_opt; /* --config */
	const char *as_login;   /* --as */
	struct config cfg;
	const struct cli_cmd *cmd;
};

struct cli_cmd {
	const char *name;
	const char *args;    /* "ID [--body TEXT] [FIELD=VALUE...]" */
	const char *summary; /* one line for `desk --help` */
	const char *help;    /* the rest of `desk CMD --help`, or NULL */
	int (*exec)(struct cli_ctx *c, int argc, char **argv);
	/* The exit code when something fails before exec (the config), for a
	 * command whose caller reads exit codes its own way; NULL: 1. */
	int (*fail_code)(int desk_rc);
};

int cli_main(int argc, char **argv);

/* Opens the database as the acting agent; prints the error and returns
 * the exit code on failure, 0 on success. */
int cli_open(struct cli_ctx *c, struct desk *d, int flags);
/* Prints "desk: <message>" and returns 2 for usage errors, else 1. */
/* Prints "PREFIX: MSG" on stderr, MSG sanitized. */
void cli_warn(const char *prefix, const char *msg);
int cli_fail(const struct derr *e);
/* Prints "desk CMD: <problem>", the usage line and a hint; returns 2. */
int cli_usage(const struct cli_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The usage error for what getopt_long returned ('?' or ':'). */
int cli_option_error(const struct cli_ctx *c, int o, char **argv);
/* Prints the command's full help to stdout; returns 0. */
int cli_help(const struct cli_ctx *c);
/* Parses a ticket number; prints a usage error and returns false if bad. */
bool cli_ticket_id(const struct cli_ctx *c, const char *s, int64_t *id);
/* The body from --body, else standard input (all of it).  New string. */
char *cli_read_body(const char *body_opt, struct derr *e);
/* Prints untrusted text sanitized; with newlines kept or not. */
void cli_print_safe(const char *s, bool keep_newlines);
/* Prints s as a JSON string (NULL: null), safe for a terminal. */
void cli_json_string(const char *s);

extern const struct cli_cmd cmd_init, cmd_new, cmd_list, cmd_show, cmd_reply, cmd_forward, cmd_note,
	cmd_set, cmd_claim, cmd_merge, cmd_import, cmd_export, cmd_agent, cmd_config, cmd_keys,
	cmd_ingest, cmd_outbox, cmd_report, cmd_backup, cmd_customer, cmd_drafts,
	cmd_undo, cmd_tick, cmd_survey, cmd_attachment, cmd_time, cmd_kb, cmd_db;

#endif
