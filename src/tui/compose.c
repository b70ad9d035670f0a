/* compose.c: writing replies, notes and a new ticket's first note in
 * the agent's $EDITOR, calcurse-style: curses is suspended, the editor
 * runs on a private file (mkstemp, 0600, in a 0700 directory) prefilled
 * with the canned response and the customer's last message quoted below
 * a marker line, then the terminal comes back at its new size.  While
 * the editor runs, desk polls it (waitpid WNOHANG) and saves the file's
 * text as a draft whenever it changed, so a kill -9, a crash or a
 * dropped ssh session loses at most the last second or two.  On return:
 * send, edit again, postpone (a draft in the database, offered next
 * time) or discard.  Before sending, a customer message or another
 * agent's reply that arrived meanwhile is shown, with the choice to send
 * anyway, edit again or postpone.  Work is never lost: a failed send, a
 * signal or a lost terminal keeps the text as a draft (or in its file).
 * A reply's copies are lines "Cc: ADDR" and "Bcc: ADDR" at the top of
 * its text (compose_copies), taken off and checked before sending; a
 * bad address asks again with the text kept. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "format.h"
#include "mail.h"
#include "priv.h"
#include "text.h"
#include "ui.h"
#include "util.h"

#define MAX_CHANGES CANNED_MAX_CHANGES
#define EDITOR_POLL_MS 100   /* how often the editor is looked at */
#define AUTOSAVE_MS 1000     /* how often its file is saved as a draft */
#define COLLISION_LINES 3    /* lines of each new message shown */
/* Said below the marker of a mailed reply. */
#define COPIES_HELP                                                                  \
	"Copies: begin the text with lines like \"Cc: name@example.com\" and \"Bcc: "   \
	"name@example.com\",\nthen an empty line; desk takes them off and checks every " \
	"address.\n"

enum purpose { P_POST, P_NEW };

struct compose {
	enum purpose purpose;
	enum msg_kind kind;
	int64_t ticket;
	char *dir, *path;
	const struct canned *canned;
	int finish;       /* the status the reply also sets (S, W), or -1 */
	int64_t seen_msg; /* the latest message when composing began */
	char *body;  /* what was read back from the file */
	char *saved; /* the text last saved as a draft (or resumed) */
	char *signature; /* a reply's (core_signature_for_replies), or NULL */
	/* The time spent offered with it (timelog.c): measured until the
	 * agent edits it (t); 0: none recorded. */
	int64_t time_seconds;
	bool time_edited, time_measured;
	/* A knowledge base article put in (B): its slug, and what shows it
	 * is still in the text when sent (its title, or its link). */
	char *kb_slug, *kb_marker;
	bool keep_file;
	/* a new ticket */
	int64_t customer_id;
	char *name, *email, *subject;
	enum channel channel;
	bool outbound; /* its first message is the agent's mail (kind MSG_REPLY) */
};

void compose_free(struct compose **cp)
{
	struct compose *c = *cp;
	if (!c)
		return;
	if (!c->keep_file) {
		if (c->path)
			unlink(c->path);
		if (c->dir)
			rmdir(c->dir);
	}
	free(c->dir);
	free(c->path);
	free(c->body);
	free(c->saved);
	free(c->signature);
	free(c->kb_slug);
	free(c->kb_marker);
	free(c->name);
	free(c->email);
	free(c->subject);
	free(c);
	*cp = NULL;
}

/* --- the editor -------------------------------------------------------- */

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL); /* a signal cuts it short: fine */
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int editor_run(struct app *a, const char *path, editor_tick_fn tick, void *data,
	       struct derr *e)
{
	const char *ed = getenv("VISUAL");
	if (str_empty(ed))
		ed = getenv("EDITOR");
	if (str_empty(ed))
		ed = "vi";
	/* The editor command is the agent's own setting; the file name goes
	 * in as "$1", never into the shell string. */
	char *script = xasprintf("%s \"$@\"", ed);
	/* As calcurse and mutt do: the editor owns the terminal; C-c and C-\\
	 * are its own (ignored here), and C-z stops both it and us (the
	 * default action), the shell's fg continuing both. */
	struct sigaction ign = {0}, dfl = {0}, old_int, old_quit, old_tstp;
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	def_prog_mode();
	endwin();
	fflush(stdout);
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGQUIT, &ign, &old_quit);
	sigaction(SIGTSTP, &dfl, &old_tstp);
	int rc = DESK_OK, status = 0;
	pid_t pid = fork();
	if (pid == 0) {
		priv_child();
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		signal(SIGTSTP, SIG_DFL);
		execl("/bin/sh", "sh", "-c", script, "sh", path, (char *)NULL);
		_exit(127);
	}
	if (pid < 0)
		rc = derr_set(e, DESK_EIO, "cannot start the editor: %s", strerror(errno));
	/* Not a blocking wait: the text is saved every second meanwhile. */
	int64_t last = mono_ms(), quit_at = 0;
	while (pid > 0) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR) {
			rc = derr_set(e, DESK_EIO, "waiting for the editor: %s", strerror(errno));
			break;
		}
		int64_t now = mono_ms();
		bool quitting = app_quitting();
		timelog_touch(a); /* time in the editor is work on the ticket */
		/* Mail sent before keeps going; its outcome shows on return. */
		a->dirty |= mailer_poll(a);
		if (tick && (now - last >= AUTOSAVE_MS || (quitting && !quit_at))) {
			tick(a, data);
			last = now;
		}
		/* Told to leave (SIGTERM, SIGHUP): the text is saved; give the
		 * editor a moment to end with its terminal, then go. */
		if (quitting && !quit_at)
			quit_at = now;
		if (quit_at && now - quit_at > 3000) {
			rc = derr_set(e, DESK_EIO, "interrupted while the editor ran");
			status = 0;
			break;
		}
		sleep_ms(EDITOR_POLL_MS);
	}
	if (tick && pid > 0)
		tick(a, data); /* what the editor wrote last */
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	sigaction(SIGTSTP, &old_tstp, NULL);
	reset_prog_mode();
	/* The terminal may have been resized while the editor ran. */
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0 &&
	    (ws.ws_row != LINES || ws.ws_col != COLS))
		resize_term(ws.ws_row, ws.ws_col);
	a->dirty |= RD_FULL | RD_LAYOUT | RD_ALL;
	if (rc == DESK_OK && WIFEXITED(status) && WEXITSTATUS(status) == 127)
		rc = derr_set(e, DESK_EIO, "the editor \"%s\" could not be run (set $VISUAL or $EDITOR)",
			      ed);
	else if (rc == DESK_OK && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
		rc = derr_set(e, DESK_EIO, "the editor \"%s\" failed (status %d)", ed,
			      WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	free(script);
	return rc;
}

/* --- the compose file -------------------------------------------------- */

/* The agent's own file (editfile.c), named for what it holds. */
static int write_file(struct compose *c, const char *content, struct derr *e)
{
	return editfile_make(c->purpose == P_NEW ? "ticket" : c->kind == MSG_NOTE ? "note" : "reply",
			     content, &c->dir, &c->path, e);
}

/* Reads the file back; false (and the file kept) if it cannot be read. */
static bool read_back(struct app *a, struct compose *c)
{
	char *text = priv_read_file(c->path, NULL);
	if (!text) {
		c->keep_file = true;
		app_fail(a, "Cannot read %s back (%s); your text stays there.", c->path,
			 strerror(errno));
		return false;
	}
	free(c->body);
	c->body = compose_strip(text);
	free(text);
	return true;
}

static bool blank(const char *s)
{
	for (; s && *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return false;
	return true;
}

/* --- after the editor: send, edit, postpone, discard ---------------------- */

static int ask_what_now(struct app *a, const char *why);
static int ask_time(struct app *a, const char *bad);
static int edit(struct app *a);

static const char *what(const struct compose *c)
{
	return c->purpose == P_NEW ? "ticket" : c->kind == MSG_NOTE ? "note" : "reply";
}

/* The text as a draft, with the canned response it started from and the
 * knowledge base article put in it. */
static int save_draft(struct app *a, struct compose *c, const char *body, struct derr *e)
{
	int rc = store_draft_save_canned(a->d->st, c->ticket, a->d->me.id, c->kind, body,
					 c->canned ? c->canned->name : NULL, e);
	if (rc == DESK_OK && c->kb_slug && c->kind == MSG_REPLY)
		rc = store_draft_article_set(a->d->st, c->ticket, a->d->me.id, c->kb_slug,
					     c->kb_marker, e);
	return rc;
}

/* The draft is not wanted any more (discarded, emptied). */
static void drop_draft(struct app *a, struct compose *c)
{
	if (c->purpose == P_POST)
		store_draft_delete(a->d->st, c->ticket, a->d->me.id, c->kind, NULL);
}

/* Called about every second while the editor runs: this agent is still
 * replying, and the file's text is saved when it changed. */
static void autosave(struct app *a, void *data)
{
	struct compose *c = data;
	presence_tick(a, false);
	if (c->purpose != P_POST)
		return;
	char *text = priv_read_file(c->path, NULL);
	if (!text)
		return;
	char *body = compose_strip(text);
	free(text);
	if (!blank(body) && (!c->saved || strcmp(c->saved, body) != 0) &&
	    save_draft(a, c, body, NULL) == DESK_OK) {
		free(c->saved);
		c->saved = body;
		body = NULL;
	}
	free(body);
}

int64_t compose_ticket(const struct app *a)
{
	return a->compose && a->compose->purpose == P_POST ? a->compose->ticket : 0;
}

static int postpone(struct app *a)
{
	struct compose *c = a->compose;
	struct derr e = {0};
	if (save_draft(a, c, c->body, &e)) {
		c->keep_file = true;
		app_fail(a, "Could not save the draft (%s); your text is in %s", e.msg, c->path);
	} else {
		app_msg(a, "Draft saved: %s on #%lld offers it again.",
			c->kind == MSG_NOTE ? "a note" : "a reply", (long long)c->ticket);
	}
	compose_free(&a->compose);
	return RD_STATUS | app_changed(a); /* the queue row's draft mark */
}

/* Messages that arrived since composing began and that the agent must
 * see before sending: the customer's, and other agents' public replies.
 * Returns them as lines to show (sanitized), or NULL when none; moves
 * c->seen_msg on so the same ones are not shown twice. */
static char *collision(struct app *a, struct compose *c, int *count)
{
	struct message_list l = {0};
	struct derr e = {0};
	*count = 0;
	if (store_messages(a->d->st, c->ticket, &l, &e) != DESK_OK) {
		message_list_free(&l);
		return NULL;
	}
	struct strbuf b = {0};
	int64_t top = c->seen_msg;
	for (size_t i = 0; i < l.n; i++) {
		const struct message *m = &l.v[i];
		if (m->id > top)
			top = m->id;
		if (m->id <= c->seen_msg)
			continue;
		bool theirs = m->kind == MSG_CUSTOMER ||
			      (m->kind == MSG_REPLY && m->author_id != a->d->me.id);
		if (!theirs)
			continue;
		char when[64];
		time_format_local(m->created_at, when, sizeof when);
		char *who = text_sanitize(m->author ? m->author : "?", 0);
		sb_addf(&b, "%s── %s %s at %s:\n", b.len ? "\n" : "", who,
			m->kind == MSG_CUSTOMER ? "(customer) wrote" : "replied", when);
		free(who);
		char *body = text_sanitize(m->body ? m->body : "", SAN_KEEP_NEWLINES);
		const char *p = body;
		int n = 0;
		while (*p && n < COLLISION_LINES) {
			size_t len = strcspn(p, "\n");
			if (len || n) {
				sb_add(&b, "   ");
				sb_addn(&b, p, len);
				sb_addc(&b, '\n');
				n++;
			}
			p += len + (p[len] == '\n');
		}
		if (*p)
			sb_add(&b, "   …\n");
		free(body);
		(*count)++;
	}
	message_list_free(&l);
	c->seen_msg = top;
	if (!b.len) {
		sb_free(&b);
		return NULL;
	}
	return sb_take(&b);
}

static int ask_collision(struct app *a, const char *detail, int count);

/* The database took neither the text nor its draft: into a file of the
 * agent's, named in the message line until dismissed. */
static void keep_unsent(struct app *a, struct compose *c, const char *why)
{
	struct derr e = {0};
	char *path = unsent_keep(c->ticket, c->kind, c->body, &e);
	const char *what = c->kind == MSG_NOTE ? "Note not added" : "Reply not sent";
	if (path) {
		free(a->unsent);
		a->unsent = path;
		/* The path first: the reason may be longer than the line. */
		app_fail(a, "%s; its text is kept in %s: %s", what, path, why);
	} else {
		c->keep_file = true;
		app_fail(a, "%s: %s; your text is in %s", what, why, c->path);
	}
}

/* The copies at the top of a reply's text, checked (every address, as
 * desk reply --cc does), and the text below them: new strings. */
static int copies_of(const struct compose *c, char **cc, char **bcc, char **text,
		     struct derr *e)
{
	char *given_cc, *given_bcc;
	compose_copies(c->body, &given_cc, &given_bcc, text);
	const char *one[1] = {given_cc};
	int rc = mail_recipients_join(one, given_cc ? 1 : 0, "Cc", cc, e);
	one[0] = given_bcc;
	if (rc == DESK_OK && (rc = mail_recipients_join(one, given_bcc ? 1 : 0, "Bcc", bcc, e)))
		xfree(cc);
	free(given_cc);
	free(given_bcc);
	if (rc)
		xfree(text);
	return rc;
}

/* A new ticket from the compose file: the agent's note of a call, or
 * (outbound) their first mail to the customer, handed to the mailer:
 * the status line says "sent" only once sendmail took it. */
static int create_ticket(struct app *a)
{
	struct compose *c = a->compose;
	struct derr e = {0};
	struct new_ticket nt;
	new_ticket_init(&nt);
	nt.subject = c->subject;
	nt.channel = c->channel;
	nt.customer_id = c->customer_id;
	nt.customer_name = c->name;
	nt.customer_email = c->email;
	char *cc = NULL, *bcc = NULL, *text = NULL;
	if (c->outbound) {
		if (copies_of(c, &cc, &bcc, &text, &e))
			return ask_what_now(a, e.msg);
		if (strncasecmp(text, "Attach:", 7) == 0) {
			free(cc);
			free(bcc);
			free(text);
			return ask_what_now(a, "A first mail carries no files yet: send them with a "
					       "reply once the ticket is open");
		}
		if (blank(text) || core_signature_only(text, c->signature)) {
			free(cc);
			free(bcc);
			free(text);
			return ask_what_now(a, "The mail is empty");
		}
		nt.body_kind = MSG_REPLY;
		nt.body = text;
		nt.cc = cc;
		nt.bcc = bcc;
	} else {
		nt.body = blank(c->body) ? NULL : c->body;
		nt.body_kind = MSG_NOTE;
	}
	int64_t id = 0, msg_id = 0;
	int rc = core_ticket_start(a->d, &nt, &id, &msg_id, &e);
	free(cc);
	free(bcc);
	free(text);
	if (rc == DESK_EINVAL && c->outbound)
		return ask_what_now(a, e.msg); /* not mailable as written: fix it, or discard */
	if (rc) {
		c->keep_file = true;
		app_fail(a, "Ticket not created: %s (your text is in %s)", e.msg, c->path);
		compose_free(&a->compose);
		return RD_STATUS;
	}
	bool outbound = c->outbound;
	compose_free(&a->compose);
	int flags = app_changed(a) | app_show(a, id, false) | app_focus(a, PANE_CONV);
	app_msg(a, "Ticket #%lld created.", (long long)id);
	if (outbound)
		flags |= mailer_send_held(a, id, msg_id, 0, NULL);
	return flags | RD_STATUS;
}

static int do_send(struct app *a)
{
	struct compose *c = a->compose;
	struct derr e = {0};
	int rc = DESK_OK;
	if (c->purpose == P_NEW)
		return create_ticket(a);
	int count = 0;
	char *detail = collision(a, c, &count);
	if (detail) {
		int flags = ask_collision(a, detail, count);
		free(detail);
		return flags;
	}
	struct field_change ch[MAX_CHANGES + 1];
	size_t n = c->canned ? canned_changes(c->canned, a->d->me.login, ch, MAX_CHANGES) : 0;
	if (c->finish >= 0) {
		/* "send and solve" wins over the canned response's status,
		 * in the same transaction as the reply. */
		size_t k = 0;
		for (size_t i = 0; i < n; i++)
			if (ch[i].field != FIELD_STATUS)
				ch[k++] = ch[i];
		n = k;
		ch[n++] = (struct field_change){FIELD_STATUS, status_name((enum status)c->finish)};
	}
	int finish = c->finish;
	int64_t msg_id = 0;
	struct time_log tl = {.seconds = c->time_seconds, .measured = c->time_measured};
	bool timed = timelog_on(a) && tl.seconds > 0;
	/* the header block on top: Cc:, Bcc: and Attach: lines, then a
	 * blank line; the draft keeps them */
	char *cc = NULL, *bcc = NULL, *text = NULL;
	struct outgoing_file *files = NULL;
	size_t nfiles = 0;
	if (c->kind == MSG_REPLY) {
		if ((rc = copies_of(c, &cc, &bcc, &text, &e)))
			return ask_what_now(a, e.msg); /* the text stays: e edits it */
		rc = compose_take_files(a->d->cfg, &text, &files, &nfiles, &e);
	}
	/* an article counts as used only if the reply still holds it */
	const char *slugs[] = {c->kb_slug};
	bool used = c->kb_slug && c->kind == MSG_REPLY && strstr(c->body, c->kb_marker);
	struct post_extras x = {.cc = cc, .bcc = bcc, .files = files, .nfiles = nfiles,
				.time = timed ? &tl : NULL, .articles = used ? slugs : NULL,
				.narticles = used ? 1 : 0};
	if (rc == DESK_OK)
		rc = core_post_with(a->d, c->ticket, c->kind, text ? text : c->body, &x, ch, n,
				    &msg_id, &e);
	outgoing_files_free(&files, nfiles);
	free(cc);
	free(bcc);
	free(text);
	if (rc) {
		struct derr e2 = {0};
		if (save_draft(a, c, c->body, &e2) == DESK_OK)
			app_fail(a, "Not %s: %s; kept as a draft.", c->kind == MSG_NOTE ? "added" : "sent",
				 e.msg);
		else
			keep_unsent(a, c, e.msg);
		compose_free(&a->compose);
		return RD_STATUS;
	}
	int64_t id = c->ticket;
	bool note = c->kind == MSG_NOTE;
	char *canned = c->canned ? xstrdup(c->canned->name) : NULL;
	if (timelog_on(a))
		timelog_recorded(a, id); /* offered: taken, edited or declined */
	compose_free(&a->compose);
	int flags = app_changed(a);
	const char *also = finish >= 0 ? status_name((enum status)finish) : NULL;
	if (note) {
		free(canned);
		app_msg(a, "Note added to #%lld%s%s.", (long long)id, also ? "; now " : "",
			also ? also : "");
		return flags | RD_STATUS;
	}
	/* "Sent" only once sendmail took it: until then it is queued, and
	 * the console goes on meanwhile. */
	struct message m = {0};
	bool queued = store_mail_message_get(a->d->st, msg_id, &m, NULL) == DESK_OK &&
		      m.delivery && strcmp(m.delivery, "queued") == 0;
	message_free(&m);
	if (queued) {
		/* Held for undo send: the change core_post made goes with it. */
		flags |= mailer_send_held(a, id, msg_id, a->d->change_id, canned);
		free(canned);
		return flags;
	}
	free(canned);
	char why[200] = "";
	struct ticket t;
	if (store_ticket_get(a->d->st, id, &t, NULL) == DESK_OK) {
		outbound_plan(a->d, &t, why, sizeof why);
		ticket_free(&t);
	}
	app_msg(a, "Reply saved on #%lld%s%s; not mailed%s%s.", (long long)id,
		also ? ", now " : "", also ? also : "", *why ? ": " : "", why);
	return flags | RD_STATUS;
}

static int confirm_discard(struct app *a, const char *answer, void *data)
{
	if (!a->compose)
		return 0;
	if (answer && answer[0] == 'y') {
		app_msg(a, "Discarded.");
		drop_draft(a, a->compose);
		compose_free(&a->compose);
		return RD_STATUS | app_changed(a); /* the queue row's draft mark */
	}
	return ask_what_now(a, NULL);
}

static int what_now(struct app *a, const char *answer, void *data)
{
	struct compose *c = a->compose;
	if (!c)
		return 0;
	switch (answer ? answer[0] : 0) {
	case 's': c->finish = -1; return do_send(a);
	case 'S': c->finish = ST_SOLVED; return do_send(a);
	case 'W': c->finish = ST_PENDING; return do_send(a);
	case 'e': return edit(a);
	case 't': return ask_time(a, NULL);
	case 'd': {
		char *label = xasprintf("Discard this %s? (y/n) ", what(c));
		struct prompt_spec s = {.label = label, .choices = "yn", .history = -1,
					.mode = "discard", .done = confirm_discard};
		int flags = prompt_open(a, &s);
		free(label);
		return flags;
	}
	case 'p':
		if (c->purpose == P_POST)
			return postpone(a);
		return ask_what_now(a, NULL);
	default:
		/* Esc: nothing is lost, the text waits as a draft. */
		if (c->purpose == P_POST)
			return postpone(a);
		return ask_what_now(a, NULL);
	}
}

static int collision_answer(struct app *a, const char *answer, void *data)
{
	struct compose *c = a->compose;
	if (!c)
		return 0;
	switch (answer ? answer[0] : 0) {
	case 's': return do_send(a) | RD_CONV;
	case 'e': return edit(a);
	default: return postpone(a) | RD_CONV; /* p, or Esc: nothing is lost */
	}
}

/* Shows what arrived meanwhile above the question. */
static int ask_collision(struct app *a, const char *detail, int count)
{
	struct compose *c = a->compose;
	char *label = xasprintf("%s: (s)end anyway%s%s, (e)dit again, (p)ostpone: ",
				count == 1 ? "A new message since you began" : "New messages since you began",
				c->finish >= 0 ? " and set " : "",
				c->finish >= 0 ? status_name((enum status)c->finish) : "");
	struct prompt_spec s = {.label = label, .choices = "sep", .history = -1,
				.mode = c->kind == MSG_NOTE ? "note: collision" : "reply: collision",
				.detail = detail, .done = collision_answer};
	int flags = prompt_open(a, &s);
	free(label);
	/* The conversation shows the new messages too. */
	return flags | app_changed(a);
}

/* The copies the text asks for, for the question: ", Cc a@x, Bcc b@y"
 * (sanitized, as typed), or "". */
static const char *copies_hint(const struct compose *c)
{
	static char hint[160];
	char *cc, *bcc, *rest;
	compose_copies(c->body, &cc, &bcc, &rest);
	char *safe_cc = cc ? text_sanitize(cc, 0) : NULL;
	char *safe_bcc = bcc ? text_sanitize(bcc, 0) : NULL;
	snprintf(hint, sizeof hint, "%s%s%s%s", cc ? ", Cc " : "", cc ? safe_cc : "",
		 bcc ? ", Bcc " : "", bcc ? safe_bcc : "");
	free(safe_cc);
	free(safe_bcc);
	free(cc);
	free(bcc);
	free(rest);
	return hint;
}

/* Whether the reply will be mailed, for the question: " (by mail)" or
 * " (not mailed: a phone ticket)". */
static const char *mail_hint(struct app *a, const struct compose *c)
{
	static char hint[96];
	struct ticket t;
	if (store_ticket_get(a->d->st, c->ticket, &t, NULL) != DESK_OK)
		return "";
	char why[200];
	if (outbound_plan(a->d, &t, why, sizeof why))
		snprintf(hint, sizeof hint, " (by mail%s)", copies_hint(c));
	else if (!a->cfg || str_empty(a->cfg->mail.support_address))
		hint[0] = '\0'; /* this desk sends no mail: nothing to say */
	else if (str_empty(t.customer_email) || !strchr(t.customer_email, '@'))
		snprintf(hint, sizeof hint, " (not mailed: no address)");
	else
		snprintf(hint, sizeof hint, " (not mailed: a %s ticket)", channel_name(t.channel));
	ticket_free(&t);
	return hint;
}

/* The time offered with the message: "time 4m12s, " ("" when the
 * team does not track time).  The measured time is read when the
 * question is asked, so what is shown is what is recorded. */
static const char *time_hint(struct app *a, struct compose *c, char *buf, size_t size)
{
	if (!timelog_on(a))
		return "";
	if (!c->time_edited) {
		c->time_seconds = timelog_measured(a, c->ticket);
		c->time_measured = true;
	}
	char dur[32] = "none";
	if (c->time_seconds > 0)
		time_format_duration(c->time_seconds, dur, sizeof dur);
	snprintf(buf, size, " time %s,", dur);
	return buf;
}

static int time_answer(struct app *a, const char *answer, void *data)
{
	struct compose *c = a->compose;
	if (!c)
		return 0;
	if (!answer) /* Esc: as it was */
		return ask_what_now(a, NULL);
	int64_t secs = 0;
	if (*answer && !duration_parse(answer, &secs))
		return ask_time(a, answer);
	char offered[32] = "";
	if (c->time_seconds > 0)
		time_format_duration(c->time_seconds, offered, sizeof offered);
	/* Taken as offered stays measured; typed is the agent's own. */
	c->time_measured = c->time_measured && strcmp(answer, offered) == 0;
	c->time_seconds = secs;
	c->time_edited = true;
	return ask_what_now(a, NULL);
}

/* bad: what was typed before and could not be read (said in the
 * question: the message line is under the prompt). */
static int ask_time(struct app *a, const char *bad)
{
	struct compose *c = a->compose;
	char offered[32] = "";
	if (c->time_seconds > 0)
		time_format_duration(c->time_seconds, offered, sizeof offered);
	char *label = bad ? xasprintf("\"%.20s\": expected a duration like 15m. Time spent on "
				      "#%lld: ",
				      bad, (long long)c->ticket)
			  : xasprintf("Time spent on #%lld (15m, 1h30m; empty: none): ",
				      (long long)c->ticket);
	struct prompt_spec s = {.label = label, .initial = bad ? bad : offered, .history = -1,
				.mode = "time spent", .done = time_answer};
	int flags = prompt_open(a, &s);
	free(label);
	return flags;
}

static int ask_what_now(struct app *a, const char *why)
{
	struct compose *c = a->compose;
	char *label;
	const char *choices;
	if (c->purpose == P_NEW && c->outbound) {
		char *to = text_sanitize(c->email ? c->email : "the customer", 0);
		label = xasprintf("%s%sCreate the ticket and mail it to %s%s? (s)end, (e)dit, "
				  "(d)iscard: ",
				  why ? why : "", why ? ". " : "", to, copies_hint(c));
		free(to);
		choices = "sed";
	} else if (c->purpose == P_NEW) {
		label = xasprintf("Create the ticket? (s)ave, (e)dit, (d)iscard: ");
		choices = "sed";
	} else {
		bool note = c->kind == MSG_NOTE;
		char spent[48] = "";
		const char *hint = time_hint(a, c, spent, sizeof spent);
		label = xasprintf("%s%s%s #%lld?%s%s (s)end, %s%s(e)dit, (p)ostpone, (d)iscard: ",
				  why ? why : "", why ? ". " : "",
				  note ? "Add the note to" : "Send the reply on", (long long)c->ticket,
				  note ? "" : mail_hint(a, c), hint,
				  note ? "" : "(S)end+solve, send+(W)ait (pending), ",
				  *hint ? "(t)ime, " : "");
		choices = !*hint ? (note ? "sepd" : "sepdSW") : note ? "sepdt" : "sepdSWt";
	}
	struct prompt_spec s = {.label = label, .choices = choices, .history = -1,
				.mode = c->purpose == P_NEW ? "new ticket" : what(c),
				.done = what_now};
	int flags = prompt_open(a, &s);
	free(label);
	return flags;
}

static int edit(struct app *a)
{
	struct compose *c = a->compose;
	struct derr e = {0};
	int rc = editor_run(a, c->path, autosave, c, &e);
	if (!read_back(a, c)) {
		compose_free(&a->compose);
		return RD_ALL;
	}
	if (rc)
		app_error(a, &e);
	if (c->purpose == P_POST && (blank(c->body) || core_signature_only(c->body, c->signature))) {
		app_msg(a, "The %s is empty: nothing was sent.", what(c));
		drop_draft(a, c);
		compose_free(&a->compose);
		return RD_ALL;
	}
	/* A bad copy is said at once, not only when sending. */
	char *cc = NULL, *bcc = NULL, *text = NULL;
	if (c->kind == MSG_REPLY && copies_of(c, &cc, &bcc, &text, &e))
		return ask_what_now(a, e.msg) | RD_ALL;
	free(cc);
	free(bcc);
	free(text);
	return ask_what_now(a, NULL) | RD_ALL;
}

/* --- starting ------------------------------------------------------------ */

/* What goes below the marker: who it is for, what the canned response
 * will change, and the customer's last message quoted.  Sanitized. */
static char *below_marker(struct app *a, const struct compose *c, const struct ticket *t,
			  const struct customer *cu)
{
	struct strbuf b = {0};
	struct derr e = {0};
	sb_addf(&b, "%s #%lld \"%s\", %s <%s>\n",
		c->kind == MSG_NOTE ? "Internal note (not sent to the customer) on"
				    : "Reply to the customer on",
		(long long)t->id, t->subject ? t->subject : "", cu->name ? cu->name : "",
		cu->email ? cu->email : "");
	if (c->kind == MSG_REPLY) {
		char why[200];
		if (outbound_plan(a->d, t, why, sizeof why))
			sb_addf(&b, "It will be mailed to %s.\n%s", t->customer_email, COPIES_HELP);
		else
			sb_addf(&b, "It will NOT be mailed: %s.\n", why);
		sb_add(&b, "To send files with it, start the text with a line \"Attach: /path/to/file\" "
			   "for each.\n");
	}
	if (c->canned) {
		struct field_change ch[MAX_CHANGES];
		size_t n = canned_changes(c->canned, a->d->me.login, ch, MAX_CHANGES);
		sb_addf(&b, "Canned response: %s", c->canned->name);
		if (n) {
			sb_add(&b, "; on sending also sets ");
			field_changes_text(ch, n, &b);
		}
		sb_addc(&b, '\n');
	}
	struct message m;
	if (store_message_last(a->d->st, t->id, MSG_CUSTOMER, &m, &e) == DESK_OK) {
		char when[64];
		time_format_local(m.created_at, when, sizeof when);
		char *q = compose_quote(m.body);
		sb_addf(&b, "\nOn %s, %s wrote:\n%s", when, m.author ? m.author : "the customer", q);
		free(q);
		message_free(&m);
	}
	char *safe = text_sanitize(sb_str(&b), SAN_KEEP_NEWLINES);
	sb_free(&b);
	return safe;
}

struct start {
	enum msg_kind kind;
	const struct canned *canned;
	int64_t ticket;
	char *draft;
	const struct canned *draft_canned; /* the one the draft started from */
};

static void start_free(void *data)
{
	struct start *s = data;
	free(s->draft);
	free(s);
}

/* A reply's signature goes below its text (add: a new text, not a
 * resumed draft, which has it already); it is the agent's to edit. */
static void sign(struct app *a, struct compose *c, char **body, bool add)
{
	if (c->kind != MSG_REPLY)
		return;
	c->signature = core_signature_for_replies(a->d);
	if (add && c->signature) {
		char *signed_body = core_sign(*body, c->signature);
		free(*body);
		*body = signed_body;
	}
}

/* A knowledge base article going into the reply (compose_insert_article). */
struct kb_put {
	const char *slug, *marker;
};

/* Opens the editor: on draft as it is, else on text (may be NULL) or
 * the canned response, signed. */
static int begin_with(struct app *a, int64_t id, enum msg_kind kind, const struct canned *canned,
		      const char *draft, const char *text, const struct kb_put *kb)
{
	struct derr e = {0};
	struct ticket t;
	struct customer cu = {0};
	if (store_ticket_get(a->d->st, id, &t, &e))
		return app_error(a, &e);
	if (t.customer_id)
		store_customer_get(a->d->st, t.customer_id, &cu, NULL);
	char *body = NULL;
	int rc = DESK_OK;
	if (draft) {
		body = xstrdup(draft);
	} else if (text) {
		body = xstrdup(text);
	} else if (canned) {
		struct canned_ctx ctx = {&cu, &a->d->me, &t};
		if ((rc = canned_expand(canned->body, &ctx, &body, &e)))
			derr_prefix(&e, "canned response \"%s\" (%s:%d)", canned->name,
				    a->canned.path ? a->canned.path : "canned", canned->line);
	}
	struct compose *c = NULL;
	if (rc == DESK_OK) {
		c = xcalloc(1, sizeof *c);
		c->purpose = P_POST;
		c->kind = kind;
		c->finish = -1;
		c->ticket = id;
		c->canned = canned;
		if (kb) {
			c->kb_slug = xstrdup(kb->slug);
			c->kb_marker = xstrdup(kb->marker);
		} else if (draft && kind == MSG_REPLY) {
			/* a draft goes on with the article put in it */
			store_draft_article_get(a->d->st, id, a->d->me.id, &c->kb_slug,
						&c->kb_marker, NULL);
		}
		struct message_list l = {0};
		if (store_messages(a->d->st, id, &l, NULL) == DESK_OK)
			for (size_t i = 0; i < l.n; i++)
				if (l.v[i].id > c->seen_msg)
					c->seen_msg = l.v[i].id;
		message_list_free(&l);
		sign(a, c, &body, !draft);
		c->saved = xstrdup(body ? body : "");
		char *below = below_marker(a, c, &t, &cu);
		char *content = compose_build(body, below);
		rc = write_file(c, content, &e);
		free(content);
		free(below);
	}
	free(body);
	ticket_free(&t);
	customer_free(&cu);
	if (rc) {
		compose_free(&c);
		return app_error(a, &e);
	}
	a->compose = c;
	return edit(a);
}

static int begin(struct app *a, int64_t id, enum msg_kind kind, const struct canned *canned,
		 const char *draft)
{
	return begin_with(a, id, kind, canned, draft, NULL, NULL);
}

static int draft_answer(struct app *a, const char *answer, void *data)
{
	struct start *s = data;
	if (!answer || answer[0] == 'c')
		return 0;
	if (answer[0] == 'r')
		return begin(a, s->ticket, s->kind, s->draft_canned, s->draft);
	return begin(a, s->ticket, s->kind, s->canned, NULL);
}

/* The canned response a draft started from, if it is still there. */
static const struct canned *canned_named(const struct app *a, const char *name)
{
	for (size_t i = 0; name && i < a->canned.n; i++)
		if (strcmp(a->canned.v[i].name, name) == 0)
			return &a->canned.v[i];
	return NULL;
}

int compose_resume(struct app *a, enum msg_kind kind)
{
	struct derr e = {0};
	if (a->compose) {
		app_msg(a, "Finish the text you are writing first.");
		return RD_STATUS;
	}
	char *draft = NULL, *cname = NULL;
	if (store_draft_get_canned(a->d->st, a->cur_id, a->d->me.id, kind, &draft, &cname, &e))
		return app_error(a, &e);
	int flags;
	if (draft) {
		flags = begin(a, a->cur_id, kind, canned_named(a, cname), draft);
	} else {
		app_fail(a, "Your %s draft on #%lld is gone (sent or deleted meanwhile).",
			 msg_kind_name(kind), (long long)a->cur_id);
		flags = RD_STATUS;
	}
	free(draft);
	free(cname);
	return flags;
}

/* claim_on_reply: starting a reply to an unassigned ticket claims it,
 * atomically as `c` does, so two agents do not write the same answer.
 * If someone else took the ticket since the agent saw it unassigned
 * (or wins the claim), the editor does not open and the agent is told
 * who has it; the ticket is theirs now, so replying again (r) goes
 * ahead without claiming.  False: do not start (said why). */
static bool claim_for_reply(struct app *a, int64_t id, int *flags)
{
	if (a->cfg && !a->cfg->claim_on_reply)
		return true;
	struct derr e = {0};
	struct ticket t;
	if (store_ticket_get(a->d->st, id, &t, &e)) {
		*flags |= app_error(a, &e);
		return false;
	}
	int rc = DESK_OK;
	bool seen_free = id == a->cur_id && a->cur_seen_unassigned;
	if (!t.assignee_id && t.status != ST_CLOSED) {
		ticket_free(&t);
		if ((rc = core_claim(a->d, id, &e)) == DESK_OK) {
			*flags |= app_changed(a);
			app_msg(a, "#%lld is yours.", (long long)id);
			return true;
		}
		if (rc != DESK_ECONFLICT || store_ticket_get(a->d->st, id, &t, NULL) != DESK_OK) {
			*flags |= app_error(a, &e);
			return false;
		}
	} else if (!seen_free || t.assignee_id == a->d->me.id) {
		ticket_free(&t);
		return true;
	}
	a->cur_seen_unassigned = false; /* the agent knows now: r replies anyway */
	char *who = text_sanitize(t.assignee_login ? t.assignee_login : "someone", 0);
	app_fail(a, "#%lld was claimed by %s a moment ago; r replies anyway.", (long long)id, who);
	free(who);
	ticket_free(&t);
	*flags |= app_changed(a) | RD_STATUS;
	return false;
}

int compose_start(struct app *a, enum msg_kind kind, const struct canned *canned)
{
	struct derr e = {0};
	int64_t id = a->cur_id;
	if (a->compose) {
		app_msg(a, "Finish the text you are writing first.");
		return RD_STATUS;
	}
	int flags = 0;
	if (kind == MSG_REPLY && !claim_for_reply(a, id, &flags))
		return flags;
	char *draft = NULL, *cname = NULL;
	if (store_draft_get_canned(a->d->st, id, a->d->me.id, kind, &draft, &cname, &e))
		return app_error(a, &e);
	if (!draft) {
		free(cname);
		return flags | begin(a, id, kind, canned, NULL);
	}
	struct start *s = xcalloc(1, sizeof *s);
	*s = (struct start){kind, canned, id, draft, canned_named(a, cname)};
	char *from = cname ? text_sanitize(cname, 0) : NULL;
	char *label = xasprintf("You have an unsent %s on #%lld%s%s%s: (r)esume it, start a (n)ew "
				"one, (c)ancel: ",
				kind == MSG_NOTE ? "note" : "reply", (long long)id,
				from ? " (canned \"" : "", from ? from : "", from ? "\")" : "");
	free(from);
	free(cname);
	struct prompt_spec p = {.label = label, .choices = "rnc", .history = -1, .mode = "draft",
				.done = draft_answer, .data = s, .free_data = start_free};
	flags |= prompt_open(a, &p);
	free(label);
	return flags;
}

int compose_insert_article(struct app *a, const char *text, const char *slug,
			   const char *marker)
{
	struct derr e = {0};
	int64_t id = a->cur_id;
	if (a->compose) {
		app_msg(a, "Finish the text you are writing first.");
		return RD_STATUS;
	}
	int flags = 0;
	if (!claim_for_reply(a, id, &flags))
		return flags;
	char *draft = NULL, *cname = NULL;
	if (store_draft_get_canned(a->d->st, id, a->d->me.id, MSG_REPLY, &draft, &cname, &e))
		return flags | app_error(a, &e);
	struct kb_put kb = {slug, marker};
	if (draft && *draft) {
		/* After what the agent wrote: nothing of theirs moves. */
		char *both = xasprintf("%s\n\n%s", draft, text);
		flags |= begin_with(a, id, MSG_REPLY, canned_named(a, cname), both, NULL, &kb);
		free(both);
	} else {
		flags |= begin_with(a, id, MSG_REPLY, NULL, NULL, text, &kb);
	}
	free(draft);
	free(cname);
	return flags;
}

int compose_new_ticket(struct app *a, int64_t customer_id, const char *name, const char *email,
		       const char *subject, enum channel ch, bool outbound)
{
	struct derr e = {0};
	struct compose *c = xcalloc(1, sizeof *c);
	c->purpose = P_NEW;
	c->kind = outbound ? MSG_REPLY : MSG_NOTE;
	c->outbound = outbound;
	c->finish = -1;
	c->customer_id = customer_id;
	c->name = xstrdup(name);
	c->email = xstrdup(email);
	c->subject = xstrdup(subject);
	c->channel = ch;
	char *info = outbound ? xasprintf("New email ticket for %s%s%s%s: \"%s\".\n"
					  "Write your first mail to the customer above; it is "
					  "mailed to them when you send it,\nand their answer comes "
					  "back into the ticket.\n%s",
					  name ? name : "", email ? " <" : "", email ? email : "",
					  email ? ">" : "", subject, COPIES_HELP)
			      : xasprintf("New %s ticket for %s%s%s%s: \"%s\".\n"
					  "Write your notes of the conversation above; they are kept "
					  "as an internal note.\nLeave it empty to create the ticket "
					  "without one.\n",
					  channel_name(ch), name ? name : "", email ? " <" : "",
					  email ? email : "", email ? ">" : "", subject);
	char *safe = text_sanitize(info, SAN_KEEP_NEWLINES);
	char *body = NULL;
	if (outbound)
		sign(a, c, &body, true);
	char *content = compose_build(body ? body : "", safe);
	free(body);
	int rc = write_file(c, content, &e);
	free(content);
	free(safe);
	free(info);
	if (rc) {
		compose_free(&c);
		return app_error(a, &e);
	}
	a->compose = c;
	return edit(a);
}

char *compose_rescue(struct app *a)
{
	struct compose *c = a->compose;
	if (!c)
		return NULL;
	char *line = NULL;
	char *text = priv_read_file(c->path, NULL);
	if (text) {
		free(c->body);
		c->body = compose_strip(text);
		free(text);
	}
	struct derr e = {0};
	if (c->purpose == P_POST && c->body && !blank(c->body) &&
	    save_draft(a, c, c->body, &e) == DESK_OK) {
		line = xasprintf("your unsent %s on #%lld was kept as a draft", what(c),
				 (long long)c->ticket);
	} else if (c->body && !blank(c->body)) {
		char *kept = c->purpose == P_POST ? unsent_keep(c->ticket, c->kind, c->body, &e)
						  : NULL;
		if (kept) {
			line = xasprintf("your unsent %s on #%lld is kept in %s", what(c),
					 (long long)c->ticket, kept);
			free(kept);
		} else {
			c->keep_file = true;
			line = xasprintf("your unsent text is in %s", c->path);
		}
	}
	compose_free(&a->compose);
	return line;
}

/* --- the actions --------------------------------------------------------- */

int act_reply(struct app *a, const char *arg)
{
	return compose_start(a, MSG_REPLY, NULL);
}

int act_note(struct app *a, const char *arg)
{
	return compose_start(a, MSG_NOTE, NULL);
}

struct canned_pick {
	enum msg_kind kind;
};

/* A canned response without a body changes fields at once, no editor;
 * one with a body starts the reply or note. */
static int canned_use(struct app *a, enum msg_kind kind, const struct canned *c)
{
	if (c->body)
		return compose_start(a, kind, c);
	struct derr e = {0};
	int64_t id = a->cur_id;
	if (canned_apply(a->d, id, c, a->canned.path, &e))
		return app_error(a, &e);
	struct field_change ch[MAX_CHANGES];
	size_t n = canned_changes(c, a->d->me.login, ch, MAX_CHANGES);
	struct strbuf b = {0};
	field_changes_text(ch, n, &b);
	int flags = app_changed(a);
	app_msg(a, "#%lld: %s (canned %s).", (long long)id, sb_str(&b), c->name);
	sb_free(&b);
	return flags | RD_STATUS;
}

static int canned_chosen(struct app *a, const char *name, void *data)
{
	const struct canned_pick *p = data;
	if (!name)
		return 0;
	for (size_t i = 0; i < a->canned.n; i++)
		if (strcmp(a->canned.v[i].name, name) == 0)
			return canned_use(a, p->kind, &a->canned.v[i]);
	return 0;
}

static int canned_open(struct app *a, const char *arg, enum msg_kind kind)
{
	if (!a->canned.n) {
		app_msg(a, "No canned responses: name a file with `canned:` in config.yaml.");
		return RD_STATUS;
	}
	if (arg) {
		for (size_t i = 0; i < a->canned.n; i++)
			if (strcmp(a->canned.v[i].name, arg) == 0)
				return canned_use(a, kind, &a->canned.v[i]);
		app_fail(a, "No canned response \"%s\" (Tab completes the names).", arg);
		return RD_STATUS;
	}
	/* The preview shows the text as it will be, for this ticket. */
	struct ticket t;
	struct customer cu = {0};
	struct derr e = {0};
	bool have = store_ticket_get(a->d->st, a->cur_id, &t, &e) == DESK_OK;
	if (have && t.customer_id)
		store_customer_get(a->d->st, t.customer_id, &cu, NULL);
	struct canned_ctx ctx = {&cu, &a->d->me, have ? &t : NULL};
	struct canned_pick *pick = xcalloc(1, sizeof *pick);
	pick->kind = kind;
	struct picker_spec s = {.title = kind == MSG_NOTE ? "Canned note" : "Canned reply",
				.preview = true, .done = canned_chosen, .data = pick,
				.free_data = free};
	size_t cap = 0;
	for (size_t i = 0; i < a->canned.n; i++) {
		const struct canned *c = &a->canned.v[i];
		char *text = NULL;
		struct derr ee = {0};
		if (!c->body) {
			struct field_change ch[MAX_CHANGES];
			size_t n = canned_changes(c, a->d->me.login, ch, MAX_CHANGES);
			struct strbuf b = {0};
			sb_add(&b, "(no text: changes the ticket at once) ");
			field_changes_text(ch, n, &b);
			text = sb_take(&b);
		} else if (canned_expand(c->body, &ctx, &text, &ee))
			text = xasprintf("(cannot be used: %s)", ee.msg);
		char *label = xasprintf("%-18s %s", c->name, c->title);
		picker_add(&s.items, &s.n, &cap, label, c->name, text);
		free(label);
		free(text);
	}
	if (have)
		ticket_free(&t);
	customer_free(&cu);
	return picker_open(a, &s);
}

int act_canned_reply(struct app *a, const char *arg)
{
	return canned_open(a, arg, MSG_REPLY);
}

int act_canned_note(struct app *a, const char *arg)
{
	return canned_open(a, arg, MSG_NOTE);
}
