/* compose.c: writing replies, notes and a new ticket's first note in
 * the agent's $EDITOR, calcurse-style: curses is suspended, the editor
 * runs on a private file (mkstemp, 0600, in a 0700 directory) prefilled
 * with the canned response and the customer's last message quoted below
 * a marker line, then the terminal comes back at its new size.  On
 * return: send, edit again, postpone (a draft in the database, offered
 * next time) or discard.  Work is never lost: a failed send, a signal or
 * a lost terminal keeps the text as a draft (or in its file). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "format.h"
#include "text.h"
#include "ui.h"
#include "util.h"

#define MAX_CHANGES 16

enum purpose { P_POST, P_NEW };

struct compose {
	enum purpose purpose;
	enum msg_kind kind;
	int64_t ticket;
	char *dir, *path;
	const struct canned *canned;
	int64_t last_customer, last_reply; /* to notice others writing meanwhile */
	bool collision_ok;
	char *body; /* what was read back from the file */
	bool keep_file;
	/* a new ticket */
	int64_t customer_id;
	char *name, *email, *subject;
	enum channel channel;
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
	free(c->name);
	free(c->email);
	free(c->subject);
	free(c);
	*cp = NULL;
}

/* --- the editor -------------------------------------------------------- */

int editor_run(struct app *a, const char *path, struct derr *e)
{
	const char *ed = getenv("VISUAL");
	if (str_empty(ed))
		ed = getenv("EDITOR");
	if (str_empty(ed))
		ed = "vi";
	/* The editor command is the agent's own setting; the file name goes
	 * in as "$1", never into the shell string. */
	char *script = xasprintf("%s \"$@\"", ed);
	struct sigaction ign = {0}, old_int, old_quit;
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	def_prog_mode();
	endwin();
	fflush(stdout);
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGQUIT, &ign, &old_quit);
	int rc = DESK_OK, status = 0;
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		execl("/bin/sh", "sh", "-c", script, "sh", path, (char *)NULL);
		_exit(127);
	}
	if (pid < 0)
		rc = derr_set(e, DESK_EIO, "cannot start the editor: %s", strerror(errno));
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
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

static int write_file(struct compose *c, const char *content, struct derr *e)
{
	const char *tmp = getenv("TMPDIR");
	c->dir = xasprintf("%s/desk-XXXXXX", !str_empty(tmp) && tmp[0] == '/' ? tmp : "/tmp");
	if (!mkdtemp(c->dir)) { /* mode 0700 */
		int err = errno;
		xfree(&c->dir);
		return derr_set(e, DESK_EIO, "cannot make a private folder for the text: %s",
				strerror(err));
	}
	c->path = xasprintf("%s/%s-XXXXXX.txt", c->dir,
			    c->purpose == P_NEW ? "ticket" : c->kind == MSG_NOTE ? "note" : "reply");
	int fd = mkstemps(c->path, 4); /* mode 0600 */
	if (fd < 0)
		return derr_set(e, DESK_EIO, "cannot make %s: %s", c->path, strerror(errno));
	size_t len = strlen(content), off = 0;
	while (off < len) {
		ssize_t w = write(fd, content + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int err = errno;
			close(fd);
			return derr_set(e, DESK_EIO, "writing %s: %s", c->path, strerror(err));
		}
		off += (size_t)w;
	}
	if (close(fd) != 0)
		return derr_set(e, DESK_EIO, "writing %s: %s", c->path, strerror(errno));
	return DESK_OK;
}

/* Reads the file back; false (and the file kept) if it cannot be read. */
static bool read_back(struct app *a, struct compose *c)
{
	char *text = read_file(c->path, NULL);
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
static int edit(struct app *a);

static const char *what(const struct compose *c)
{
	return c->purpose == P_NEW ? "ticket" : c->kind == MSG_NOTE ? "note" : "reply";
}

static int postpone(struct app *a)
{
	struct compose *c = a->compose;
	struct derr e = {0};
	if (store_draft_save(a->d->st, c->ticket, a->d->me.id, c->kind, c->body, &e)) {
		c->keep_file = true;
		app_fail(a, "Could not save the draft (%s); your text is in %s", e.msg, c->path);
	} else {
		app_msg(a, "Draft saved: %s on #%lld offers it again.",
			c->kind == MSG_NOTE ? "a note" : "a reply", (long long)c->ticket);
	}
	compose_free(&a->compose);
	return RD_STATUS;
}

/* Someone wrote on the ticket since we began? */
static const char *collision(struct app *a, struct compose *c)
{
	struct message m;
	struct derr e = {0};
	int64_t cust = 0, reply = 0;
	if (store_message_last(a->d->st, c->ticket, MSG_CUSTOMER, &m, &e) == DESK_OK) {
		cust = m.id;
		message_free(&m);
	}
	if (store_message_last(a->d->st, c->ticket, MSG_REPLY, &m, &e) == DESK_OK) {
		reply = m.id;
		message_free(&m);
	}
	if (cust != c->last_customer)
		return "the customer wrote again while you were writing";
	if (reply != c->last_reply)
		return "another reply was sent while you were writing";
	return NULL;
}

static int do_send(struct app *a)
{
	struct compose *c = a->compose;
	struct derr e = {0};
	int rc;
	if (c->purpose == P_NEW) {
		struct new_ticket nt;
		new_ticket_init(&nt);
		nt.subject = c->subject;
		nt.body = blank(c->body) ? NULL : c->body;
		nt.body_kind = MSG_NOTE;
		nt.channel = c->channel;
		nt.customer_id = c->customer_id;
		nt.customer_name = c->name;
		nt.customer_email = c->email;
		int64_t id = 0;
		if ((rc = core_ticket_new(a->d, &nt, &id, &e))) {
			c->keep_file = true;
			app_fail(a, "Ticket not created: %s (your text is in %s)", e.msg, c->path);
			compose_free(&a->compose);
			return RD_STATUS;
		}
		compose_free(&a->compose);
		int flags = app_changed(a) | app_show(a, id, false) | app_focus(a, PANE_CONV);
		app_msg(a, "Ticket #%lld created.", (long long)id);
		return flags | RD_STATUS;
	}
	if (!c->collision_ok) {
		const char *why = collision(a, c);
		if (why) {
			c->collision_ok = true;
			return ask_what_now(a, why);
		}
	}
	struct field_change ch[MAX_CHANGES];
	size_t n = c->canned ? canned_changes(c->canned, ch, MAX_CHANGES) : 0;
	rc = core_post(a->d, c->ticket, c->kind, c->body, ch, n, NULL, &e);
	if (rc) {
		struct derr e2 = {0};
		if (store_draft_save(a->d->st, c->ticket, a->d->me.id, c->kind, c->body, &e2)) {
			c->keep_file = true;
			app_fail(a, "Not sent: %s; your text is in %s", e.msg, c->path);
		} else {
			app_fail(a, "Not sent: %s; kept as a draft.", e.msg);
		}
		compose_free(&a->compose);
		return RD_STATUS;
	}
	int64_t id = c->ticket;
	bool note = c->kind == MSG_NOTE;
	compose_free(&a->compose);
	int flags = app_changed(a);
	app_msg(a, "%s #%lld.", note ? "Note added to" : "Reply sent on", (long long)id);
	return flags | RD_STATUS;
}

static int confirm_discard(struct app *a, const char *answer, void *data)
{
	if (!a->compose)
		return 0;
	if (answer && answer[0] == 'y') {
		app_msg(a, "Discarded.");
		compose_free(&a->compose);
		return RD_STATUS;
	}
	return ask_what_now(a, NULL);
}

static int what_now(struct app *a, const char *answer, void *data)
{
	struct compose *c = a->compose;
	if (!c)
		return 0;
	switch (answer ? answer[0] : 0) {
	case 's': return do_send(a);
	case 'e': return edit(a);
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

static int ask_what_now(struct app *a, const char *why)
{
	struct compose *c = a->compose;
	char *label;
	const char *choices;
	if (c->purpose == P_NEW) {
		label = xasprintf("Create the ticket? (s)ave, (e)dit, (d)iscard: ");
		choices = "sed";
	} else {
		label = xasprintf("%s%s%s #%lld? (s)end%s, (e)dit, (p)ostpone, (d)iscard: ",
				  why ? why : "", why ? ". " : "",
				  c->kind == MSG_NOTE ? "Add the note to" : "Send the reply on",
				  (long long)c->ticket, why ? " anyway" : "");
		choices = "sepd";
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
	int rc = editor_run(a, c->path, &e);
	if (!read_back(a, c)) {
		compose_free(&a->compose);
		return RD_ALL;
	}
	if (rc)
		app_error(a, &e);
	if (c->purpose == P_POST && blank(c->body)) {
		app_msg(a, "The %s is empty: nothing was sent.", what(c));
		compose_free(&a->compose);
		return RD_ALL;
	}
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
	if (c->canned) {
		struct field_change ch[MAX_CHANGES];
		size_t n = canned_changes(c->canned, ch, MAX_CHANGES);
		sb_addf(&b, "Canned response: %s", c->canned->name);
		for (size_t i = 0; i < n; i++) {
			static const char *const f[] = {[FIELD_STATUS] = "status=",
							[FIELD_PRIORITY] = "priority=",
							[FIELD_TAG_ADD] = "tag+=",
							[FIELD_TAG_REMOVE] = "tag-=",
							[FIELD_QUEUE] = "queue=",
							[FIELD_ASSIGNEE] = "assignee=",
							[FIELD_SUBJECT] = "subject="};
			sb_addf(&b, "%s%s%s", i ? ", " : "; on sending also sets ",
				f[ch[i].field] ? f[ch[i].field] : "", ch[i].value);
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
};

static void start_free(void *data)
{
	struct start *s = data;
	free(s->draft);
	free(s);
}

static int begin(struct app *a, int64_t id, enum msg_kind kind, const struct canned *canned,
		 const char *draft)
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
		c->ticket = id;
		c->canned = draft ? NULL : canned;
		struct message m;
		if (store_message_last(a->d->st, id, MSG_CUSTOMER, &m, NULL) == DESK_OK) {
			c->last_customer = m.id;
			message_free(&m);
		}
		if (store_message_last(a->d->st, id, MSG_REPLY, &m, NULL) == DESK_OK) {
			c->last_reply = m.id;
			message_free(&m);
		}
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

static int draft_answer(struct app *a, const char *answer, void *data)
{
	struct start *s = data;
	if (!answer || answer[0] == 'c')
		return 0;
	return begin(a, s->ticket, s->kind, s->canned, answer[0] == 'r' ? s->draft : NULL);
}

int compose_start(struct app *a, enum msg_kind kind, const struct canned *canned)
{
	struct derr e = {0};
	int64_t id = a->cur_id;
	if (a->compose) {
		app_msg(a, "Finish the text you are writing first.");
		return RD_STATUS;
	}
	char *draft = NULL;
	if (store_draft_get(a->d->st, id, a->d->me.id, kind, &draft, &e))
		return app_error(a, &e);
	if (!draft)
		return begin(a, id, kind, canned, NULL);
	struct start *s = xcalloc(1, sizeof *s);
	*s = (struct start){kind, canned, id, draft};
	char *label = xasprintf("You have an unsent %s on #%lld: (r)esume it, start a (n)ew one, "
				"(c)ancel: ",
				kind == MSG_NOTE ? "note" : "reply", (long long)id);
	struct prompt_spec p = {.label = label, .choices = "rnc", .history = -1, .mode = "draft",
				.done = draft_answer, .data = s, .free_data = start_free};
	int flags = prompt_open(a, &p);
	free(label);
	return flags;
}

int compose_new_ticket(struct app *a, int64_t customer_id, const char *name, const char *email,
		       const char *subject, enum channel ch)
{
	struct derr e = {0};
	struct compose *c = xcalloc(1, sizeof *c);
	c->purpose = P_NEW;
	c->kind = MSG_NOTE;
	c->customer_id = customer_id;
	c->name = xstrdup(name);
	c->email = xstrdup(email);
	c->subject = xstrdup(subject);
	c->channel = ch;
	char *info = xasprintf("New %s ticket for %s%s%s%s: \"%s\".\n"
			       "Write your notes of the conversation above; they are kept as an "
			       "internal note.\nLeave it empty to create the ticket without one.\n",
			       channel_name(ch), name ? name : "", email ? " <" : "",
			       email ? email : "", email ? ">" : "", subject);
	char *safe = text_sanitize(info, SAN_KEEP_NEWLINES);
	char *content = compose_build("", safe);
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
	char *text = read_file(c->path, NULL);
	if (text) {
		free(c->body);
		c->body = compose_strip(text);
		free(text);
	}
	struct derr e = {0};
	if (c->purpose == P_POST && c->body && !blank(c->body) &&
	    store_draft_save(a->d->st, c->ticket, a->d->me.id, c->kind, c->body, &e) == DESK_OK) {
		line = xasprintf("your unsent %s on #%lld was kept as a draft", what(c),
				 (long long)c->ticket);
	} else if (c->body && !blank(c->body)) {
		c->keep_file = true;
		line = xasprintf("your unsent text is in %s", c->path);
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

static int canned_chosen(struct app *a, const char *name, void *data)
{
	const struct canned_pick *p = data;
	if (!name)
		return 0;
	for (size_t i = 0; i < a->canned.n; i++)
		if (strcmp(a->canned.v[i].name, name) == 0)
			return compose_start(a, p->kind, &a->canned.v[i]);
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
				return compose_start(a, kind, &a->canned.v[i]);
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
		if (canned_expand(c->body, &ctx, &text, &ee))
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
