/* cli.c: global options, the table of subcommands, and the helpers
 * every subcommand shares. */
#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "text.h"
#include "tui.h"
#include "util.h"

static const struct cli_cmd *const commands[] = {
	&cmd_init,  &cmd_new,    &cmd_list,   &cmd_show,   &cmd_reply,  &cmd_forward, &cmd_note,  &cmd_set,
	&cmd_claim, &cmd_merge,  &cmd_import, &cmd_export, &cmd_agent,  &cmd_customer, &cmd_config,
	&cmd_keys, &cmd_ingest, &cmd_outbox, &cmd_report, &cmd_backup, &cmd_drafts, &cmd_undo,
	&cmd_tick, &cmd_survey, &cmd_attachment, &cmd_time, &cmd_kb, &cmd_db,
};

static void main_usage(FILE *out)
{
	fprintf(out, "usage: desk [--db PATH] [--config PATH] [--as LOGIN] [COMMAND [ARGS...]]\n"
		     "\nWithout a command, desk opens the console.\n\nCommands:\n");
	int width = 0; /* the longest name, so the summaries line up */
	for (size_t i = 0; i < ARRAY_LEN(commands); i++)
		if ((int)strlen(commands[i]->name) > width)
			width = (int)strlen(commands[i]->name);
	for (size_t i = 0; i < ARRAY_LEN(commands); i++)
		fprintf(out, "  %-*s %s\n", width, commands[i]->name, commands[i]->summary);
	fprintf(out, "\nOptions:\n"
		     "  --db PATH       the database (default: $DESK_DB, the config's, then\n"
		     "                  $XDG_DATA_HOME/desk/desk.db)\n"
		     "  --config PATH   the config file (default: $DESK_CONFIG, then\n"
		     "                  $XDG_CONFIG_HOME/desk/config.yaml, /etc/desk/config.yaml)\n"
		     "  --as LOGIN      act as another agent (root or the database's owner only;\n"
		     "                  on PostgreSQL an admin's database role)\n"
		     "  --help          this help; `desk COMMAND --help` for a command's\n"
		     "  --version       the version\n"
		     "\nSee desk(1) and desk.yaml(5).\n");
}

void cli_warn(const char *prefix, const char *msg)
{
	/* Messages quote what they were given (a tag, a line of a file, a
	 * mailer's output): sanitized like any other text that reaches the
	 * terminal. */
	char *safe = text_sanitize(msg, 0);
	fprintf(stderr, "%s: %s\n", prefix, safe);
	free(safe);
}

/* A usage error before any command: the argument it quotes sanitized. */
static int main_usage_error(const char *fmt, const char *arg)
	__attribute__((format(printf, 1, 0)));
static int main_usage_error(const char *fmt, const char *arg)
{
	char *problem = xasprintf(fmt, arg);
	cli_warn("desk", problem);
	fputs("Try 'desk --help'.\n", stderr);
	free(problem);
	return EXIT_USAGE;
}

int cli_fail(const struct derr *e)
{
	cli_warn("desk", e->msg[0] ? e->msg : "failed");
	return e->code == DESK_EUSAGE ? EXIT_USAGE : EXIT_FAIL;
}

int cli_usage(const struct cli_ctx *c, const char *fmt, ...)
{
	/* The problem quotes the arguments, which a script may have taken
	 * from a mail: `desk show $'\e]52;c;...\a'` must not reach the
	 * terminal as an escape sequence. */
	va_list ap;
	va_start(ap, fmt);
	char *problem = xvasprintf(fmt, ap);
	va_end(ap);
	char *prefix = xasprintf("desk %s", c->cmd->name);
	cli_warn(prefix, problem);
	fprintf(stderr, "usage: desk %s %s\nTry 'desk %s --help'.\n", c->cmd->name, c->cmd->args,
		c->cmd->name);
	free(prefix);
	free(problem);
	return EXIT_USAGE;
}

int cli_help(const struct cli_ctx *c)
{
	printf("usage: desk %s %s\n\n%s\n", c->cmd->name, c->cmd->args, c->cmd->summary);
	if (c->cmd->help)
		printf("\n%s", c->cmd->help);
	return EXIT_OK;
}

int cli_option_error(const struct cli_ctx *c, int o, char **argv)
{
	/* With a leading ':' in the option string getopt returns ':' for a
	 * missing value and '?' for an unknown option; argv[optind - 1] is the
	 * option as typed (optopt is 0 for long options). */
	const char *opt = optind > 0 ? argv[optind - 1] : "?";
	if (o == ':')
		return cli_usage(c, "option \"%s\" needs a value", opt);
	return cli_usage(c, "unknown option \"%s\"", opt);
}

bool cli_ticket_id(const struct cli_ctx *c, const char *s, int64_t *id)
{
	char *end;
	const char *p = s && s[0] == '#' ? s + 1 : s;
	long long v = p ? strtoll(p, &end, 10) : 0;
	if (!p || !*p || *end || v <= 0) {
		cli_usage(c, "\"%s\" is not a ticket number", s ? s : "");
		return false;
	}
	*id = v;
	return true;
}

char *cli_read_body(const char *body_opt, struct derr *e)
{
	if (body_opt)
		return xstrdup(body_opt);
	if (isatty(STDIN_FILENO))
		fprintf(stderr, "desk: reading the text from the terminal; end it with Ctrl-D\n");
	char *s = read_all(stdin, NULL);
	if (!s)
		derr_set(e, DESK_EIO, "reading standard input: %s", strerror(errno));
	return s;
}

void cli_print_safe(const char *s, bool keep_newlines)
{
	char *safe = text_sanitize(s, keep_newlines ? SAN_KEEP_NEWLINES : 0);
	fputs(safe, stdout);
	free(safe);
}

/* s as a JSON string (NULL: null), safe for a terminal. */
void cli_json_string(const char *s)
{
	if (!s) {
		fputs("null", stdout);
		return;
	}
	char *fixed = text_utf8_fix(s);
	struct strbuf b = {0};
	sb_addc(&b, '"');
	for (const unsigned char *p = (const unsigned char *)fixed; *p; p++) {
		if (*p == '"' || *p == '\\')
			sb_addf(&b, "\\%c", *p);
		else if (*p < 0x20)
			sb_addf(&b, "\\u%04x", *p);
		else
			sb_addc(&b, (char)*p);
	}
	sb_addc(&b, '"');
	char *safe = text_json_safe(sb_str(&b));
	fputs(safe, stdout);
	free(safe);
	sb_free(&b);
	free(fixed);
}

int cli_open(struct cli_ctx *c, struct desk *d, int flags)
{
	struct derr e = {0};
	char *path = desk_db_path(c->db_opt, &c->cfg);
	int rc = desk_open(d, path, &c->cfg, c->as_login, flags, &e);
	free(path);
	return rc ? cli_fail(&e) : EXIT_OK;
}

static int run_console(struct cli_ctx *c)
{
	struct desk d;
	int rc = cli_open(c, &d, DESK_OPEN_WATCH);
	if (rc)
		return rc;
	struct derr e = {0};
	rc = tui_main(&d, &e);
	desk_close(&d);
	if (rc && e.msg[0])
		cli_warn("desk", e.msg);
	return rc;
}

int cli_main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"config", required_argument, NULL, 'c'},
		{"as", required_argument, NULL, 'a'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{0},
	};
	struct cli_ctx c = {0};
	int o;
	opterr = 0;
	while ((o = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		switch (o) {
		case 'd': c.db_opt = optarg; break;
		case 'c': c.config_opt = optarg; break;
		case 'a': c.as_login = optarg; break;
		case 'h': main_usage(stdout); return EXIT_OK;
		case 'V': printf("desk %s\n", DESK_VERSION); return EXIT_OK;
		case ':':
			return main_usage_error("option \"%s\" needs a value", argv[optind - 1]);
		default:
			return main_usage_error("unknown option \"%s\"", argv[optind - 1]);
		}
	}
	const struct cli_cmd *cmd = NULL;
	if (optind < argc) {
		for (size_t i = 0; i < ARRAY_LEN(commands); i++)
			if (strcmp(commands[i]->name, argv[optind]) == 0)
				cmd = commands[i];
		if (!cmd)
			return main_usage_error("unknown command \"%s\"", argv[optind]);
	}
	struct derr e = {0};
	if (config_load(c.config_opt, c.db_opt, &c.cfg, &e) != DESK_OK ||
	    view_check_config(&c.cfg, &e) != DESK_OK) {
		config_free(&c.cfg);
		int code = cli_fail(&e);
		return cmd && cmd->fail_code ? cmd->fail_code(e.code) : code;
	}
	int rc;
	if (!cmd) {
		rc = run_console(&c);
	} else {
		c.cmd = cmd;
		int sub_argc = argc - optind;
		char **sub_argv = argv + optind;
		bool help = false;
		for (int i = 1; i < sub_argc; i++)
			if (strcmp(sub_argv[i], "--help") == 0)
				help = true;
		optind = 0; /* reset getopt for the subcommand (glibc) */
		rc = help ? cli_help(&c) : cmd->exec(&c, sub_argc, sub_argv);
	}
	config_free(&c.cfg);
	if (store_gate_problem())
		cli_warn("desk", store_gate_problem());
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "desk: writing the output: %s\n", strerror(errno));
		rc = EXIT_FAIL;
	}
	return rc;
}
