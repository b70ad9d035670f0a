/* outbound.c: replies and acknowledgements out through the configured
 * sendmail command.
 *
 * The message is built with GMime from the stored row (From the support
 * address, "[#ID]" in the subject, In-Reply-To and References from the
 * thread, the Message-ID recorded when the row was written) and handed
 * to the command on its standard input: fork and execvp of the argv in
 * the config, never a shell, so no customer text is ever a command. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gmime/gmime.h>

#include "core.h"
#include "internal_core.h"
#include "mail.h"
#include "priv.h"
#include "util.h"

/* References: the first id and the latest ones, as RFC 5322 suggests
 * trimming a long thread. */
#define MAX_REFERENCES 10

bool outbound_plan(const struct desk *d, const struct ticket *t, char *why, size_t size)
{
	const char *no = NULL;
	char buf[160];
	if (!d->cfg || str_empty(d->cfg->mail.support_address)) {
		no = "mail is not set up (mail.support_address)";
	} else if (t->channel < 0 || t->channel >= CH__COUNT ||
		   !d->cfg->mail.reply_by_mail[t->channel]) {
		snprintf(buf, sizeof buf, "replies on %s tickets are not mailed (mail.reply_by_mail)",
			 channel_name(t->channel));
		no = buf;
	} else if (str_empty(t->customer_email)) {
		no = "the customer has no email address";
	} else if (!mail_addr_valid(t->customer_email)) {
		no = "the customer's address is not one desk can mail";
	}
	if (why && size)
		snprintf(why, size, "%s", no ? no : "");
	return !no;
}

bool outbound_wanted(const struct desk *d, const struct ticket *t)
{
	return outbound_plan(d, t, NULL, 0);
}

const char *delivery_label(const char *delivery)
{
	return delivery ? delivery : "not mailed";
}

/* The domain of the support address ("desk.invalid" if it has none). */
static char *support_domain(const struct desk *d)
{
	const char *a = d->cfg ? d->cfg->mail.support_address : NULL;
	const char *at = a ? strrchr(a, '@') : NULL;
	if (!at)
		return xstrdup("desk.invalid");
	size_t n = strcspn(at + 1, "> \t\"");
	return n ? xstrndup(at + 1, n) : xstrdup("desk.invalid");
}

char *outbound_new_message_id(const struct desk *d, int64_t ticket_id)
{
	char *dom = support_domain(d);
	/* GLib seeds its generator from /dev/urandom: ids never repeat
	 * across processes started in the same second. */
	char *id = xasprintf("desk.%lld.%lld.%08x%08x@%s", (long long)ticket_id,
			     (long long)time_now(), g_random_int(), g_random_int(), dom);
	free(dom);
	return id;
}

/* "Re: <subject> [#ID]", unless the subject already carries the tag;
 * without "Re:" when the reply opens the thread (an agent-started
 * ticket's first mail answers nothing). */
static char *reply_subject(const struct ticket *t, bool opens)
{
	char tag[32];
	snprintf(tag, sizeof tag, "[#%lld]", (long long)t->id);
	const char *s = t->subject ? t->subject : "";
	bool re = opens || g_ascii_strncasecmp(s, "re:", 3) == 0;
	if (strstr(s, tag))
		return xasprintf("%s%s", re ? "" : "Re: ", s);
	return xasprintf("%s%s %s", re ? "" : "Re: ", s, tag);
}

/* "Fwd: <subject> [#ID]": the tag lets the third party's answer be
 * seen for what it is; it threads by In-Reply-To, never by the tag. */
static char *forward_subject(const struct ticket *t)
{
	char tag[32];
	snprintf(tag, sizeof tag, "[#%lld]", (long long)t->id);
	const char *s = t->subject ? t->subject : "";
	return xasprintf("Fwd: %s%s%s", s, strstr(s, tag) ? "" : " ", strstr(s, tag) ? "" : tag);
}

/* "How did we do? [#ID]": a survey's own subject (surveys: subject). */
static char *survey_subject(const struct desk *d, const struct ticket *t)
{
	const char *s = d->cfg && d->cfg->surveys.subject ? d->cfg->surveys.subject
							   : SURVEY_DEFAULT_SUBJECT;
	return xasprintf("%s [#%lld]", s, (long long)t->id);
}

/* An id the store holds (without <>, or with them as an import may
 * have kept it) as it may be written: NULL unless a valid msg-id. */
static char *header_id(const char *stored)
{
	if (!stored)
		return NULL;
	size_t n = strlen(stored);
	char *bare = n > 1 && stored[0] == '<' && stored[n - 1] == '>'
			     ? xstrndup(stored + 1, n - 2)
			     : xstrdup(stored);
	if (!mail_msgid_valid(bare))
		xfree(&bare);
	return bare;
}

/* Whether m is the first message of its ticket's thread: no message of
 * the ticket, the customer's or desk's, came before it. */
static bool opens_thread(struct desk *d, const struct message *m)
{
	struct message_list l = {0};
	if (store_messages(d->st, m->ticket_id, &l, NULL) != DESK_OK) {
		message_list_free(&l);
		return false;
	}
	bool first = true;
	for (size_t i = 0; i < l.n && first; i++)
		if (l.v[i].id != m->id &&
		    (l.v[i].kind == MSG_CUSTOMER || l.v[i].kind == MSG_REPLY) &&
		    (l.v[i].created_at < m->created_at ||
		     (l.v[i].created_at == m->created_at && l.v[i].id < m->id)))
			first = false;
	message_list_free(&l);
	return first;
}

/* In-Reply-To and References from the thread's stored ids: each one
 * checked again here, whatever wrote it (an old desk, an import). */
static void set_references(GMimeObject *o, struct desk *d, const struct message *m)
{
	struct message last = {0};
	struct derr e = {0};
	if (store_mail_last_customer(d->st, m->ticket_id, &last, &e) == DESK_OK) {
		char *id = header_id(last.message_id);
		if (id) {
			char *v = xasprintf("<%s>", id);
			g_mime_object_set_header(o, "In-Reply-To", v, NULL);
			free(v);
		}
		free(id);
	}
	message_free(&last);
	char **ids = NULL;
	size_t n = 0;
	if (store_mail_thread_ids(d->st, m->ticket_id, &ids, &n, &e) == DESK_OK) {
		/* Not the message itself, nor what comes after it. */
		size_t upto = n;
		for (size_t i = 0; i < n; i++)
			if (m->message_id && strcmp(ids[i], m->message_id) == 0)
				upto = i;
		struct strbuf b = {0};
		for (size_t i = 0; i < upto; i++) {
			if (i > 0 && upto > MAX_REFERENCES && i < upto - (MAX_REFERENCES - 1))
				continue;
			/* an id that cannot sit in a header is left out */
			char *id = header_id(ids[i]);
			if (id)
				sb_addf(&b, "%s<%s>", b.len ? " " : "", id);
			free(id);
		}
		if (b.len)
			g_mime_object_set_header(o, "References", sb_str(&b), NULL);
		sb_free(&b);
	}
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

/* A stored content type as it may be written: "type/subtype" of token
 * characters, else application/octet-stream (an import may hold
 * anything). */
static void split_type(const char *ct, char **type, char **sub)
{
	static const char token[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "0123456789!#$&-^_.+";
	const char *slash = ct ? strchr(ct, '/') : NULL;
	size_t n = slash ? (size_t)(slash - ct) : 0;
	if (slash && n && n < 64 && strspn(ct, token) == n && slash[1] &&
	    strspn(slash + 1, token) == strlen(slash + 1) && strlen(slash + 1) < 64) {
		*type = xstrndup(ct, n);
		*sub = xstrdup(slash + 1);
	} else {
		*type = xstrdup("application");
		*sub = xstrdup("octet-stream");
	}
}

static GMimePart *file_part(const struct attachment *a, const unsigned char *data, size_t len)
{
	char *type, *sub;
	split_type(a->content_type, &type, &sub);
	GMimePart *p = g_mime_part_new_with_type(type, sub);
	free(type);
	free(sub);
	/* one line, no control characters: GMime encodes the rest (RFC 2231) */
	char *name = mail_clean_line(a->filename);
	g_mime_part_set_filename(p, name);
	free(name);
	GMimeStream *st = g_mime_stream_mem_new_with_buffer((const char *)data, len);
	GMimeDataWrapper *w = g_mime_data_wrapper_new_with_stream(st, GMIME_CONTENT_ENCODING_DEFAULT);
	g_mime_part_set_content(p, w);
	g_object_unref(w);
	g_object_unref(st);
	g_mime_part_set_content_encoding(p, GMIME_CONTENT_ENCODING_BASE64);
	return p;
}

/* The message's stored files after its text, as multipart/mixed
 * (*top, a new reference); *top stays the text alone when it has none.
 * A file that cannot be read fails the mail: a reply is never sent
 * without what it said it carried. */
static int with_files(struct desk *d, const struct message *m, GMimeTextPart *body,
		      GMimeObject **top, struct derr *e)
{
	struct attachment_list l = {0};
	int rc = m->id ? store_attachments(d->st, m->id, &l, e) : DESK_OK;
	if (rc || !l.n) {
		attachment_list_free(&l);
		return rc;
	}
	GMimeMultipart *mixed = g_mime_multipart_new_with_subtype("mixed");
	g_mime_multipart_add(mixed, GMIME_OBJECT(body));
	for (size_t i = 0; rc == DESK_OK && i < l.n; i++) {
		unsigned char *data;
		size_t len;
		if ((rc = core_attachment_read(d, &l.v[i], &data, &len, e))) {
			derr_prefix(e, "refused to send message %lld", (long long)m->id);
			break;
		}
		GMimePart *p = file_part(&l.v[i], data, len);
		g_mime_multipart_add(mixed, GMIME_OBJECT(p));
		g_object_unref(p);
		free(data);
	}
	attachment_list_free(&l);
	if (rc) {
		g_object_unref(mixed);
		return rc;
	}
	g_object_unref(body); /* the multipart holds it now */
	*top = GMIME_OBJECT(mixed);
	return DESK_OK;
}

static GMimeMessage *build(struct desk *d, const struct message *m, const struct ticket *t,
			   const struct customer *cu, struct derr *e)
{
	const char *support = d->cfg ? d->cfg->mail.support_address : NULL;
	if (str_empty(support)) {
		derr_set(e, DESK_EINVAL, "mail is not set up: mail.support_address is not in "
					 "the config");
		return NULL;
	}
	/* a forward (forward.c) goes to the third party, not the customer */
	bool fwd = m->forward_to != NULL;
	if (fwd && (!mail_addr_valid(m->forward_to) || m->forward_to[0] == '-')) {
		derr_set(e, DESK_EINVAL,
			 "refused to send: message %lld is forwarded to an address desk cannot "
			 "write in a header",
			 (long long)m->id);
		return NULL;
	}
	if (fwd) {
		/* the customer's address is not used */
	} else if (str_empty(cu->email) || !strchr(cu->email, '@')) {
		derr_set(e, DESK_EINVAL, "the customer of ticket %lld has no email address",
			 (long long)t->id);
		return NULL;
	}
	if (!mail_addr_valid(cu->email)) {
		derr_set(e, DESK_EINVAL,
			 "refused to send: the email address of the customer of ticket %lld is "
			 "not a plain address desk can write in a header",
			 (long long)t->id);
		return NULL;
	}
	/* stored copies are checked again: an import or an old desk may
	 * have written them */
	const char *const stored[] = {m->cc, m->bcc};
	char *again = NULL;
	for (size_t i = 0; i < 2; i++) {
		if (mail_recipients_join(&stored[i], stored[i] ? 1 : 0, i ? "Bcc" : "Cc", &again,
					 e)) {
			derr_prefix(e, "refused to send message %lld", (long long)m->id);
			return NULL;
		}
		xfree(&again);
	}
	char *own_id = m->message_id ? header_id(m->message_id) : NULL;
	if (m->message_id && !own_id) {
		derr_set(e, DESK_EINVAL, "refused to send: message %lld has an invalid Message-ID",
			 (long long)m->id);
		return NULL;
	}
	InternetAddressList *from = internet_address_list_parse(NULL, support);
	if (!from || internet_address_list_length(from) < 1) {
		if (from)
			g_object_unref(from);
		free(own_id);
		derr_set(e, DESK_EINVAL, "mail.support_address \"%s\" is not an address", support);
		return NULL;
	}
	GMimeMessage *msg = g_mime_message_new(TRUE);
	GMimeObject *o = GMIME_OBJECT(msg);
	internet_address_list_append(g_mime_message_get_from(msg), from);
	g_object_unref(from);
	/* names and subjects may come from anywhere (import, an old desk):
	 * one line, no control characters, whatever the store holds */
	char *name = mail_clean_line(fwd ? "" : cu->name);
	g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_TO, name,
				   fwd ? m->forward_to : cu->email);
	free(name);
	size_t ncc;
	char **cc = mail_recipients_split(m->cc, &ncc);
	for (size_t i = 0; i < ncc; i++)
		g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_CC, NULL, cc[i]);
	mail_recipients_free(&cc, ncc);
	/* a survey: the system message a survey request names */
	struct survey_request sr = {0};
	struct derr se = {0};
	bool survey = m->kind == MSG_SYSTEM &&
		      store_survey_request_get(d->st, NULL, m->id, &sr, &se) == DESK_OK;
	survey_request_free(&sr);
	char *subject = fwd	 ? forward_subject(t)
			: survey ? survey_subject(d, t)
				 : reply_subject(t, opens_thread(d, m));
	char *clean = mail_clean_line(subject);
	g_mime_message_set_subject(msg, clean, "utf-8");
	free(clean);
	free(subject);
	GDateTime *when = g_date_time_new_from_unix_local(m->created_at ? m->created_at
									: time_now());
	g_mime_message_set_date(msg, when);
	g_date_time_unref(when);
	if (own_id)
		g_mime_message_set_message_id(msg, own_id);
	free(own_id);
	/* a forward starts a thread of its own with the third party: the
	 * customer's ids are not theirs to see */
	if (!fwd)
		set_references(o, d, m);
	/* RFC 3834: what desk sends by itself says so, so that other
	 * robots do not answer it. */
	if (m->kind != MSG_REPLY && !fwd)
		g_mime_object_set_header(o, "Auto-Submitted",
					 survey ? "auto-generated" : "auto-replied", NULL);
	char tid[32];
	snprintf(tid, sizeof tid, "%lld", (long long)t->id);
	g_mime_object_set_header(o, "X-Desk-Ticket", tid, NULL);

	GMimeTextPart *body = g_mime_text_part_new_with_subtype("plain");
	g_mime_text_part_set_text(body, m->body ? m->body : "");
	g_mime_part_set_content_encoding(
		GMIME_PART(body),
		g_mime_part_get_best_content_encoding(GMIME_PART(body),
						      GMIME_ENCODING_CONSTRAINT_7BIT));
	GMimeObject *top = GMIME_OBJECT(body);
	if (with_files(d, m, body, &top, e) != DESK_OK) {
		g_object_unref(body);
		g_object_unref(msg);
		return NULL;
	}
	g_mime_message_set_mime_part(msg, top);
	g_object_unref(top);
	return msg;
}

int outbound_render(struct desk *d, int64_t msg_row, char **text, size_t *len,
		    struct derr *e)
{
	*text = NULL;
	*len = 0;
	mail_lib_init();
	struct message m = {0};
	struct ticket t = {0};
	struct customer cu = {0};
	int rc = store_mail_message_get(d->st, msg_row, &m, e);
	if (rc == DESK_OK)
		rc = store_ticket_get(d->st, m.ticket_id, &t, e);
	if (rc == DESK_OK)
		rc = store_customer_get(d->st, t.customer_id, &cu, e);
	GMimeMessage *msg = rc == DESK_OK ? build(d, &m, &t, &cu, e) : NULL;
	if (rc == DESK_OK && !msg)
		rc = e ? e->code : DESK_EINVAL;
	if (msg) {
		GMimeStream *mem = g_mime_stream_mem_new();
		g_mime_object_write_to_stream(GMIME_OBJECT(msg), NULL, mem);
		GByteArray *a = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
		/* the backstop: whatever went wrong above, no header desk
		 * did not mean to write reaches sendmail */
		rc = mail_check_headers((const char *)a->data, a->len, e);
		if (rc == DESK_OK) {
			*len = a->len;
			*text = xmalloc(a->len + 1);
			memcpy(*text, a->data, a->len);
			(*text)[a->len] = '\0';
		}
		g_object_unref(mem);
		g_object_unref(msg);
	}
	message_free(&m);
	ticket_free(&t);
	customer_free(&cu);
	return rc;
}

/* --- running the command ----------------------------------------------- */

struct outbound_job {
	int64_t msg_row;
	pid_t pid;
	int in, out;        /* our ends of its stdin and of its stdout+stderr; -1: closed */
	char *input;        /* the message */
	size_t len, off;
	char said[512];     /* what it said, for the error */
	size_t nsaid;
	bool exited, timed_out, short_write, lost;
	int status;
	int64_t deadline;   /* now_ms() */
	int timeout_s;
	char *cmd;          /* argv[0] without its folder, for messages */
};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* What the command said, on one line, for the delivery error. */
static void one_line(char *s)
{
	char *w = s;
	for (char *r = s; *r; r++) {
		unsigned char c = (unsigned char)*r;
		if (c == '\n' || c == '\r' || c == '\t')
			c = ' ';
		if (c < 0x20 || c == 0x7f)
			continue;
		if (c == ' ' && w > s && w[-1] == ' ')
			continue;
		*w++ = (char)c;
	}
	while (w > s && w[-1] == ' ')
		w--;
	*w = '\0';
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void job_free(struct outbound_job **jp)
{
	struct outbound_job *j = *jp;
	if (!j)
		return;
	close_fd(&j->in);
	close_fd(&j->out);
	free(j->input);
	free(j->cmd);
	free(j);
	*jp = NULL;
}

/* Starts argv with the job's input to go on its standard input; its
 * standard output and error go to a pipe (never the agent's terminal). */
static int spawn(struct outbound_job *j, char *const *argv, struct derr *e)
{
	int in[2], out[2];
	if (pipe(in) != 0)
		return derr_set(e, DESK_EIO, "cannot run %s: %s", j->cmd, strerror(errno));
	if (pipe(out) != 0) {
		close(in[0]);
		close(in[1]);
		return derr_set(e, DESK_EIO, "cannot run %s: %s", j->cmd, strerror(errno));
	}
	/* Only the child's own ends survive exec: no stray pipe keeps a
	 * later command waiting for an end of file. */
	for (int i = 0; i < 2; i++) {
		fcntl(in[i], F_SETFD, FD_CLOEXEC);
		fcntl(out[i], F_SETFD, FD_CLOEXEC);
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		/* Its output to the pipe first: what priv_child says if it
		 * must refuse belongs in the delivery error, not on screen. */
		if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0 || dup2(out[1], 2) < 0)
			_exit(126);
		priv_child(); /* the command never runs with desk's group */
		/* A process group of its own: the terminal's C-c is desk's
		 * to act on (the console only cancels a prompt; the CLI stops
		 * the command and leaves the mail queued, outbound_send), and
		 * the whole group (a script's own children, a sleep) is killed
		 * at the deadline. */
		setpgid(0, 0);
		signal(SIGPIPE, SIG_DFL);
		execvp(argv[0], argv);
		char msg[512];
		int n = snprintf(msg, sizeof msg, "cannot run %s: %s\n", argv[0], strerror(errno));
		if (n > 0 && write(2, msg, (size_t)n) < 0)
			_exit(127);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	if (pid < 0) {
		int err = errno;
		close(in[1]);
		close(out[0]);
		return derr_set(e, DESK_EIO, "cannot run %s: %s", j->cmd, strerror(err));
	}
	setpgid(pid, pid); /* also here: whichever runs first */
	j->pid = pid;
	j->in = in[1];
	j->out = out[0];
	fcntl(j->in, F_SETFL, O_NONBLOCK);
	fcntl(j->out, F_SETFL, O_NONBLOCK);
	if (j->len == 0)
		close_fd(&j->in);
	j->deadline = now_ms() + (int64_t)j->timeout_s * 1000;
	return DESK_OK;
}

/* Writes what the command takes now.  A command that stops reading
 * must not kill us: SIGPIPE is ignored around the write (it is raised
 * in the writing call, so nothing else of the program's is touched). */
static void feed(struct outbound_job *j)
{
	struct sigaction ign = {.sa_handler = SIG_IGN}, old;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, &old);
	while (j->in >= 0) {
		ssize_t w = write(j->in, j->input + j->off, j->len - j->off);
		if (w > 0)
			j->off += (size_t)w;
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN)
			break;
		if (w < 0 || j->off == j->len) {
			j->short_write = j->off < j->len;
			close_fd(&j->in);
		}
	}
	sigaction(SIGPIPE, &old, NULL);
}

/* Reads what the command said so far (the first bytes are kept). */
static void drain(struct outbound_job *j)
{
	while (j->out >= 0) {
		char buf[1024];
		ssize_t r = read(j->out, buf, sizeof buf);
		if (r > 0) {
			size_t keep = sizeof j->said - 1 - j->nsaid;
			if ((size_t)r < keep)
				keep = (size_t)r;
			memcpy(j->said + j->nsaid, buf, keep);
			j->nsaid += keep;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0 || errno != EAGAIN)
			close_fd(&j->out);
		break;
	}
}

static void kill_command(struct outbound_job *j)
{
	/* its group: a script's own children (a sleep) go with it */
	kill(-j->pid, SIGKILL);
	kill(j->pid, SIGKILL);
	while (waitpid(j->pid, &j->status, 0) < 0 && errno == EINTR)
		;
	j->exited = true;
}

/* One step: waits at most wait_ms for the command to take input, say
 * something or end.  True once it is over (ended, or killed at the
 * deadline). */
static bool step(struct outbound_job *j, int wait_ms)
{
	if (j->exited)
		return true;
	struct pollfd p[2];
	nfds_t n = 0;
	if (j->in >= 0)
		p[n++] = (struct pollfd){.fd = j->in, .events = POLLOUT};
	if (j->out >= 0)
		p[n++] = (struct pollfd){.fd = j->out, .events = POLLIN};
	int64_t left = j->deadline - now_ms();
	if (wait_ms > left)
		wait_ms = left < 0 ? 0 : (int)left;
	/* Both pipes closed: the command is about to end; look again soon. */
	if (n == 0 && wait_ms > 20)
		wait_ms = 20;
	if (n)
		poll(p, n, wait_ms);
	else if (wait_ms > 0)
		nanosleep(&(struct timespec){0, (long)wait_ms * 1000000L}, NULL);
	feed(j);
	drain(j);
	pid_t r = waitpid(j->pid, &j->status, WNOHANG);
	if (r < 0 && errno == ECHILD)
		j->lost = true; /* reaped by someone else: its status is unknown */
	if (r == j->pid || j->lost) {
		/* What it said before it ended is in the pipe (a child of its
		 * own may keep the pipe open: not waited for). */
		j->exited = true;
		drain(j);
		if (j->in >= 0) {
			j->short_write = j->off < j->len;
			close_fd(&j->in);
		}
		return true;
	}
	if (now_ms() >= j->deadline) {
		j->timed_out = true;
		kill_command(j);
		return true;
	}
	return false;
}

/* The job's outcome as a delivery error, or DESK_OK when the command
 * took the message (exited 0 having read all of it). */
static int outcome(struct outbound_job *j, struct derr *e)
{
	j->said[j->nsaid] = '\0';
	one_line(j->said);
	const char *said = j->said, *sep = *said ? ": " : "";
	int st = j->status;
	if (j->timed_out)
		return derr_set(e, DESK_EIO,
				"%s did not finish within %d seconds (mail.sendmail_timeout)%s%s",
				j->cmd, j->timeout_s, sep, said);
	if (j->lost)
		return derr_set(e, DESK_EIO, "%s ended, but its exit status was lost%s%s", j->cmd,
				sep, said);
	if (WIFSIGNALED(st))
		return derr_set(e, DESK_EIO, "%s was killed by signal %d%s%s", j->cmd,
				WTERMSIG(st), sep, said);
	if (WIFEXITED(st) && WEXITSTATUS(st) != 0)
		return derr_set(e, DESK_EIO, "%s exited with status %d%s%s", j->cmd,
				WEXITSTATUS(st), sep, said);
	if (j->short_write)
		return derr_set(e, DESK_EIO, "%s stopped reading the message%s%s", j->cmd, sep,
				said);
	return DESK_OK;
}

/* Records the outcome in its own short transaction, with an event. */
static int record(struct desk *d, int64_t msg_row, const char *error, struct derr *e)
{
	struct message m = {0};
	int rc = core_begin(d, e);
	if (rc)
		return rc;
	if ((rc = store_mail_message_get(d->st, msg_row, &m, e)) == DESK_OK)
		rc = store_mail_set_delivery(d->st, msg_row, error ? "failed" : "sent", error, e);
	char idbuf[32];
	snprintf(idbuf, sizeof idbuf, "%lld", (long long)msg_row);
	if (rc == DESK_OK)
		rc = core_event(d, m.ticket_id, error ? "mail-failed" : "mail-sent", "message",
				NULL, idbuf, e);
	if (rc == DESK_OK)
		rc = store_commit(d->st, e);
	else
		store_rollback(d->st);
	message_free(&m);
	return rc;
}

/* Records a failure that happened before any command ran. */
static int fail_early(struct desk *d, int64_t msg_row, int rc, struct derr *e)
{
	if (rc == DESK_ENOTFOUND)
		return rc; /* no such message: nothing to record */
	struct derr re = {0};
	record(d, msg_row, e->msg, &re);
	return rc;
}

/* The command to run for msg_row: the configured one, except for a
 * message with blind copies.  Those are never in a header, so "-t"
 * (recipients from the headers) would lose them and what a sendmail does
 * with -t and addresses together differs (exim drops the addresses):
 * then -t is left out and every recipient, To, Cc and Bcc, is named
 * after "--".  A new NULL-terminated array of new strings; NULL with e
 * set when the message cannot be read. */
static char **envelope_argv(struct desk *d, int64_t msg_row, struct derr *e)
{
	const struct mail_config *mc = &d->cfg->mail;
	struct message m = {0};
	struct ticket t = {0};
	struct customer cu = {0};
	char **argv = NULL;
	if (store_mail_message_get(d->st, msg_row, &m, e) == DESK_OK &&
	    store_ticket_get(d->st, m.ticket_id, &t, e) == DESK_OK &&
	    store_customer_get(d->st, t.customer_id, &cu, e) == DESK_OK) {
		size_t ncc = 0, nbcc = 0, n = 0;
		char **cc = mail_recipients_split(m.cc, &ncc);
		char **bcc = mail_recipients_split(m.bcc, &nbcc);
		argv = xcalloc(mc->nsendmail + ncc + nbcc + 4, sizeof *argv);
		for (size_t i = 0; i < mc->nsendmail; i++)
			if (!nbcc || i == 0 || strcmp(mc->sendmail[i], "-t") != 0)
				argv[n++] = xstrdup(mc->sendmail[i]);
		if (nbcc) {
			argv[n++] = xstrdup("--");
			argv[n++] = xstrdup(cu.email ? cu.email : "");
			for (size_t i = 0; i < ncc; i++)
				argv[n++] = xstrdup(cc[i]);
			for (size_t i = 0; i < nbcc; i++)
				argv[n++] = xstrdup(bcc[i]);
		}
		mail_recipients_free(&cc, ncc);
		mail_recipients_free(&bcc, nbcc);
	}
	message_free(&m);
	ticket_free(&t);
	customer_free(&cu);
	return argv;
}

static void argv_free(char ***argv)
{
	for (size_t i = 0; *argv && (*argv)[i]; i++)
		free((*argv)[i]);
	free(*argv);
	*argv = NULL;
}

int outbound_job_start(struct desk *d, int64_t msg_row, struct outbound_job **jp,
		       struct derr *e)
{
	*jp = NULL;
	const struct mail_config *mc = &d->cfg->mail;
	int timeout_s = mc->sendmail_timeout > 0 ? (int)mc->sendmail_timeout
						 : SENDMAIL_TIMEOUT_DEFAULT;
	/* Ours to send until the deadline and a minute more (the command is
	 * killed at the deadline): no other desk sends it meanwhile. */
	bool taken = false;
	int rc = store_mail_claim(d->st, msg_row, time_now() + timeout_s + 60, &taken, e);
	if (rc)
		return rc;
	if (!taken)
		return derr_set(e, DESK_EBUSY,
				"message %lld is not waiting to be sent (it was sent, or another "
				"desk is sending it now)",
				(long long)msg_row);
	struct outbound_job *j = xcalloc(1, sizeof *j);
	j->msg_row = msg_row;
	j->in = j->out = -1;
	j->timeout_s = timeout_s;
	rc = outbound_render(d, msg_row, &j->input, &j->len, e);
	if (rc == DESK_OK && (!mc->sendmail || !mc->nsendmail))
		rc = derr_set(e, DESK_EINVAL, "mail.sendmail is empty");
	char **argv = rc == DESK_OK ? envelope_argv(d, msg_row, e) : NULL;
	if (rc == DESK_OK && !argv)
		rc = e->code ? e->code : DESK_EIO;
	if (rc == DESK_OK) {
		const char *slash = strrchr(mc->sendmail[0], '/');
		j->cmd = xstrdup(slash && slash[1] ? slash + 1 : mc->sendmail[0]);
		rc = spawn(j, argv, e);
	}
	argv_free(&argv);
	if (rc == DESK_OK)
		feed(j); /* what the pipe holds goes now: most replies whole */
	if (rc) {
		job_free(&j);
		return fail_early(d, msg_row, rc, e);
	}
	*jp = j;
	return DESK_OK;
}

int64_t outbound_job_message(const struct outbound_job *j)
{
	return j->msg_row;
}

bool outbound_job_step(struct outbound_job *j)
{
	return step(j, 0);
}

int outbound_job_finish(struct desk *d, struct outbound_job **jp, struct derr *e)
{
	struct outbound_job *j = *jp;
	int rc = outcome(j, e);
	int64_t row = j->msg_row;
	job_free(jp);
	struct derr re = {0};
	int rrc = record(d, row, rc ? e->msg : NULL, &re);
	if (rc == DESK_OK && rrc) {
		/* Sent, but the database did not hear of it: say so. */
		derr_set(e, rrc, "message %lld was sent, but recording it failed: %s",
			 (long long)row, re.msg);
		return rrc;
	}
	return rc;
}

int outbound_job_abandon(struct desk *d, struct outbound_job **jp, struct derr *e)
{
	struct outbound_job *j = *jp;
	if (step(j, 0)) /* it ended meanwhile: its outcome is known */
		return outbound_job_finish(d, jp, e);
	kill_command(j);
	int64_t row = j->msg_row;
	job_free(jp);
	/* Still queued, with a note: nobody is sending it any more, so
	 * `desk outbox --retry` takes it at once. */
	derr_set(e, DESK_EIO, "%s", OUTBOUND_LEFT_NOTE);
	struct derr re = {0};
	if (store_mail_set_delivery(d->st, row, "queued", OUTBOUND_LEFT_NOTE, &re))
		derr_set(e, re.code, "message %lld stays queued, but noting it failed: %s",
			 (long long)row, re.msg);
	return DESK_EIO;
}

static volatile sig_atomic_t send_stopped; /* the signal that came, or 0 */

static void on_stop(int sig)
{
	send_stopped = sig;
}

int outbound_send(struct desk *d, int64_t msg_row, struct derr *e)
{
	struct derr local = {0};
	if (!e)
		e = &local;
	struct outbound_job *j;
	int rc = outbound_job_start(d, msg_row, &j, e);
	if (rc)
		return rc;
	/* C-c, a hang-up or a TERM while the command runs: it is stopped and
	 * the mail left queued with the note (never sent behind desk's back
	 * while the row says queued), then the signal does what it does. */
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
	struct sigaction sa = {0}, old[3];
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	send_stopped = 0;
	for (size_t i = 0; i < 3; i++)
		sigaction(sigs[i], &sa, &old[i]);
	while (!send_stopped && !step(j, 1000))
		;
	int sig = send_stopped;
	rc = sig ? outbound_job_abandon(d, &j, e) : outbound_job_finish(d, &j, e);
	for (size_t i = 0; i < 3; i++)
		sigaction(sigs[i], &old[i], NULL);
	if (sig)
		raise(sig);
	return rc;
}
