/* cmd_post.c: desk reply ID and desk note ID, with optional changes,
 * and what became of the reply's mail: sendmail runs before desk reply
 * returns (at most mail.sendmail_timeout), and the exit status says
 * whether the customer has it. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mail.h"
#include "text.h"
#include "util.h"

/* sysexits(3) EX_TEMPFAIL: the reply is stored, its mail is not gone. */
#define EXIT_MAIL_PENDING 75

struct outcome {
	const char *delivery; /* "sent", "failed", "queued", "not mailed"; NULL: a note */
	char reason[1200];    /* failed, queued: the error; not mailed: why not */
	bool quiet;           /* not mailed because this desk sends no mail */
};

/* Sends the reply if it is for mail and says what became of it. */
static void deliver(struct desk *d, int64_t ticket, int64_t msg_id, struct outcome *o)
{
	struct message m = {0};
	struct derr e = {0};
	o->delivery = "not mailed";
	if (store_mail_message_get(d->st, msg_id, &m, &e) != DESK_OK) {
		o->delivery = "queued";
		snprintf(o->reason, sizeof o->reason, "%s", e.msg);
		return;
	}
	bool queued = m.delivery && strcmp(m.delivery, "queued") == 0;
	message_free(&m);
	if (!queued) {
		struct ticket t;
		if (store_ticket_get(d->st, ticket, &t, &e) == DESK_OK) {
			outbound_plan(d, &t, o->reason, sizeof o->reason);
			ticket_free(&t);
		}
		o->quiet = !d->cfg || str_empty(d->cfg->mail.support_address);
		return;
	}
	int rc = outbound_send(d, msg_id, &e);
	/* The stored state is the truth (a send that could not be recorded
	 * is still queued). */
	if (store_mail_message_get(d->st, msg_id, &m, NULL) == DESK_OK) {
		o->delivery = m.delivery && strcmp(m.delivery, "sent") == 0     ? "sent"
			      : m.delivery && strcmp(m.delivery, "failed") == 0 ? "failed"
										: "queued";
		message_free(&m);
	} else {
		o->delivery = rc ? "failed" : "sent";
	}
	if (rc)
		snprintf(o->reason, sizeof o->reason, "%s", e.msg);
}

static void report(enum msg_kind kind, int64_t ticket, int64_t msg_id, const struct outcome *o,
		   bool json)
{
	if (json) {
		printf("{\"ticket\": %lld, \"message\": %lld, \"kind\": \"%s\", \"delivery\": ",
		       (long long)ticket, (long long)msg_id, msg_kind_name(kind));
		cli_json_string(o->delivery);
		fputs(", \"reason\": ", stdout);
		cli_json_string(o->reason[0] ? o->reason : NULL);
		fputs("}\n", stdout);
	} else {
		printf("desk: %s %lld added to ticket %lld\n", kind == MSG_REPLY ? "reply" : "note",
		       (long long)msg_id, (long long)ticket);
	}
	if (!o->delivery || o->quiet)
		return;
	char *line;
	if (strcmp(o->delivery, "sent") == 0)
		line = xasprintf("reply %lld mailed: sendmail accepted it", (long long)msg_id);
	else if (strcmp(o->delivery, "not mailed") == 0)
		line = xasprintf("reply %lld is not mailed: %s", (long long)msg_id, o->reason);
	else
		line = xasprintf("reply %lld saved on ticket %lld; mail %s: %s, kept in the outbox "
				 "(desk outbox --retry)",
				 (long long)msg_id, (long long)ticket, o->delivery, o->reason);
	fflush(stdout);
	cli_warn("desk", line);
	free(line);
}

#define MAX_CHANGES 32

/* After the failure was printed: where the text is now. */
static void keep_unsent(int64_t id, enum msg_kind kind, const char *body)
{
	if (!*body || strspn(body, " \t\r\n") == strlen(body))
		return;
	struct derr e = {0};
	char *path = unsent_keep(id, kind, body, &e);
	char *line = path ? xasprintf("the %s was not stored; its text is kept in %s",
				      msg_kind_name(kind), path)
			  : xasprintf("the %s was not stored, and %s", msg_kind_name(kind), e.msg);
	cli_warn("desk", line);
	free(line);
	free(path);
}

#define MAX_COPIES 50
#define MAX_FILES 50

/* Every --attach file read and checked before anything is stored. */
static int load_files(const struct config *cfg, const char *const *paths, size_t n,
		      struct outgoing_file **files, struct derr *e)
{
	*files = n ? xcalloc(n, sizeof **files) : NULL;
	size_t total = 0;
	for (size_t i = 0; i < n; i++) {
		int rc = outgoing_file_load(cfg, paths[i], total, &(*files)[i], e);
		if (rc) {
			derr_prefix(e, "--attach");
			outgoing_files_free(files, i);
			return rc;
		}
		total += (*files)[i].size;
	}
	return DESK_OK;
}

#define MAX_ARTICLES 20

/* --article names an article of the knowledge base as it is now (the
 * index brought in step first): a typo is refused before anything is
 * stored. */
static int articles_known(struct desk *d, const char *const *slugs, size_t n, struct derr *e)
{
	struct kb_sync s;
	int rc = core_kb_sync(d, &s, e);
	for (size_t i = 0; rc == DESK_OK && i < n; i++) {
		struct kb_article a;
		if ((rc = store_kb_get(d->st, slugs[i], &a, e)) == DESK_OK)
			kb_article_free(&a);
		else
			derr_prefix(e, "--article");
	}
	return rc;
}

static int post(struct cli_ctx *c, int argc, char **argv, enum msg_kind kind)
{
	static const struct option opts[] = {
		{"body", required_argument, NULL, 'b'},
		{"json", no_argument, NULL, 'j'},
		{"cc", required_argument, NULL, 'c'},
		{"bcc", required_argument, NULL, 'B'},
		{"attach", required_argument, NULL, 'A'},
		{"time", required_argument, NULL, 't'},
		{"article", required_argument, NULL, 'a'},
		{0},
	};
	const char *body_opt = NULL;
	struct time_log tl = {0};
	bool timed = false;
	const char *cc_opt[MAX_COPIES], *bcc_opt[MAX_COPIES], *attach_opt[MAX_FILES];
	size_t ncc = 0, nbcc = 0, nattach = 0;
	const char *articles[MAX_ARTICLES];
	size_t narticles = 0;
	bool json = false;
	int o;
	while ((o = getopt_long(argc, argv, ":b:", opts, NULL)) != -1) {
		if (o == 'b') {
			body_opt = optarg;
		} else if (o == 'j') {
			json = true;
		} else if (o == 'A' && kind != MSG_REPLY) {
			return cli_usage(c, "--attach is for replies");
		} else if (o == 'A') {
			if (nattach == MAX_FILES)
				return cli_usage(c, "at most %d --attach options", MAX_FILES);
			attach_opt[nattach++] = optarg;
		} else if (o == 't') {
			/* time spent, recorded with the message (as typed: manual) */
			if (!duration_parse(optarg, &tl.seconds))
				return cli_usage(c, "--time %s: expected a duration like 15m, 1h30m "
						    "or 90s", optarg);
			timed = true;
		} else if (o == 'a' && kind != MSG_REPLY) {
			return cli_usage(c, "--article is for replies: a note is not counted");
		} else if (o == 'a') {
			if (narticles == MAX_ARTICLES)
				return cli_usage(c, "at most %d --article options", MAX_ARTICLES);
			articles[narticles++] = optarg;
		} else if ((o == 'c' || o == 'B') && kind != MSG_REPLY) {
			return cli_usage(c, "a note is never mailed: --cc and --bcc are for replies");
		} else if (o == 'c' || o == 'B') {
			size_t *n = o == 'c' ? &ncc : &nbcc;
			if (*n == MAX_COPIES)
				return cli_usage(c, "at most %d --%s options", MAX_COPIES,
						 o == 'c' ? "cc" : "bcc");
			(o == 'c' ? cc_opt : bcc_opt)[(*n)++] = optarg;
		} else {
			return cli_option_error(c, o, argv);
		}
	}
	if (optind >= argc)
		return cli_usage(c, "which ticket?");
	int64_t id;
	if (!cli_ticket_id(c, argv[optind], &id))
		return EXIT_USAGE;
	struct field_change ch[MAX_CHANGES];
	char keybuf[MAX_CHANGES][32];
	size_t n = 0;
	struct derr e = {0};
	/* every address checked before anything is read or stored */
	char *cc = NULL, *bcc = NULL;
	if (mail_recipients_join(cc_opt, ncc, "--cc", &cc, &e) ||
	    mail_recipients_join(bcc_opt, nbcc, "--bcc", &bcc, &e)) {
		free(cc);
		return cli_usage(c, "%s", e.msg);
	}
	for (int i = optind + 1; i < argc; i++) {
		int bad = n == MAX_CHANGES ? 1
			  : field_change_parse(argv[i], &ch[n], keybuf[n], sizeof keybuf[n], &e)
				  ? 2
				  : 0;
		if (bad) {
			free(cc);
			free(bcc);
			return bad == 1 ? cli_usage(c, "at most %d changes at once", MAX_CHANGES)
					: cli_usage(c, "%s", e.msg);
		}
		n++;
	}
	struct outgoing_file *files = NULL;
	if (load_files(&c->cfg, attach_opt, nattach, &files, &e)) {
		free(cc);
		free(bcc);
		return cli_fail(&e);
	}
	/* The text first: if the database then cannot take it (full,
	 * locked, read-only), it is kept, never lost. */
	char *body = cli_read_body(body_opt, &e);
	if (!body) {
		outgoing_files_free(&files, nattach);
		free(cc);
		free(bcc);
		return cli_fail(&e);
	}
	struct desk d;
	char *path = desk_db_path(c->db_opt, &c->cfg);
	int rc = desk_open(&d, path, &c->cfg, c->as_login, 0, &e);
	free(path);
	int64_t msg_id = 0;
	struct outcome out = {0};
	if (rc == DESK_OK && narticles)
		rc = articles_known(&d, articles, narticles, &e);
	if (rc == DESK_OK) {
		struct post_extras x = {.cc = cc, .bcc = bcc, .files = files, .nfiles = nattach,
					.time = timed ? &tl : NULL, .articles = articles,
					.narticles = narticles};
		rc = core_post_with(&d, id, kind, body, &x, ch, n, &msg_id, &e);
		if (rc == DESK_OK && kind == MSG_REPLY)
			deliver(&d, id, msg_id, &out);
		if (rc == DESK_OK)
			report(kind, id, msg_id, &out, json);
		desk_close(&d);
	}
	outgoing_files_free(&files, nattach);
	free(cc);
	free(bcc);
	if (rc == DESK_OK) {
		free(body);
		return out.delivery && (strcmp(out.delivery, "failed") == 0 ||
					strcmp(out.delivery, "queued") == 0)
			       ? EXIT_MAIL_PENDING
			       : EXIT_OK;
	}
	int code = cli_fail(&e);
	/* Refused for what was asked (no such ticket, a closed one, a bad
	 * field): said, and the text is the caller's to send again. */
	if (rc == DESK_EIO || rc == DESK_EBUSY)
		keep_unsent(id, kind, body);
	free(body);
	return code;
}

static int exec_reply(struct cli_ctx *c, int argc, char **argv)
{
	return post(c, argc, argv, MSG_REPLY);
}

static int exec_note(struct cli_ctx *c, int argc, char **argv)
{
	return post(c, argc, argv, MSG_NOTE);
}

#define POST_HELP                                                                    \
	"The text comes from --body, or else from standard input.  An empty text\n"  \
	"sends nothing.  FIELD=VALUE changes (as for desk set) are made in the same\n" \
	"step, e.g.: desk reply 12 --body 'Refunded.' status=solved tag+=refund\n"   \
	"--time DURATION (15m, 1h30m, 90s) records the time spent with it.\n"       \
	"--json prints {\"ticket\", \"message\", \"kind\", \"delivery\", \"reason\"}.\n"

const struct cli_cmd cmd_reply = {
	.name = "reply",
	.args = "ID [--body TEXT] [--cc ADDR]... [--bcc ADDR]... [--attach FILE]... "
		"[--article SLUG]... [--time DURATION] [--json] "
		"[FIELD=VALUE...]",
	.summary = "reply to the customer on a ticket",
	.help = POST_HELP
	"--cc and --bcc (each repeatable, or several addresses separated by commas)\n"
	"send copies of a mailed reply: Cc in the header, Bcc to the envelope only.\n"
	"Every address is checked first; a bad one stores and sends nothing.\n"
	"--attach FILE (repeatable) sends the file with the reply (multipart/mixed,\n"
	"its type guessed from its name and content); each file and all of them\n"
	"together are held to attachments.max_size and max_total.\n"
	"--article SLUG (repeatable) says the reply used that knowledge base article\n"
	"(its text or link, as `desk kb show` gives them): desk report counts it.  An\n"
	"article not in the knowledge base is refused, nothing stored.\n"
	"A reply on a ticket whose replies are mailed (mail.reply_by_mail) goes to\n"
	"sendmail before desk returns (at most mail.sendmail_timeout); standard\n"
	"error says what became of it, --json's delivery too: sent (sendmail\n"
	"exited 0), failed (with the reason; kept for desk outbox --retry) or not\n"
	"mailed (with why not).  Exit status: 0 stored and sent or not mailed,\n"
	"75 stored but its mail failed or is still queued, 1 nothing stored.\n",
	.exec = exec_reply,
};

const struct cli_cmd cmd_note = {
	.name = "note",
	.args = "ID [--body TEXT] [--time DURATION] [--json] [FIELD=VALUE...]",
	.summary = "add an internal note (never shown to the customer)",
	.help = POST_HELP,
	.exec = exec_note,
};
