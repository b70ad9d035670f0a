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

/* A sendmail that neither finishes nor fails within this is killed. */
#define SEND_TIMEOUT_MS 120000
/* References: the first id and the latest ones, as RFC 5322 suggests
 * trimming a long thread. */
#define MAX_REFERENCES 10

bool outbound_wanted(const struct desk *d, const struct ticket *t)
{
	return d->cfg && !str_empty(d->cfg->mail.support_address) && t->channel == CH_EMAIL &&
	       !str_empty(t->customer_email) && strchr(t->customer_email, '@');
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

/* "Re: <subject> [#ID]", unless the subject already carries the tag. */
static char *reply_subject(const struct ticket *t)
{
	char tag[32];
	snprintf(tag, sizeof tag, "[#%lld]", (long long)t->id);
	const char *s = t->subject ? t->subject : "";
	bool re = g_ascii_strncasecmp(s, "re:", 3) == 0;
	if (strstr(s, tag))
		return xasprintf("%s%s", re ? "" : "Re: ", s);
	return xasprintf("%s%s %s", re ? "" : "Re: ", s, tag);
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

static GMimeMessage *build(struct desk *d, const struct message *m, const struct ticket *t,
			   const struct customer *cu, struct derr *e)
{
	const char *support = d->cfg ? d->cfg->mail.support_address : NULL;
	if (str_empty(support)) {
		derr_set(e, DESK_EINVAL, "mail is not set up: mail.support_address is not in "
					 "the config");
		return NULL;
	}
	if (str_empty(cu->email) || !strchr(cu->email, '@')) {
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
	char *name = mail_clean_line(cu->name);
	g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_TO, name, cu->email);
	free(name);
	char *subject = reply_subject(t);
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
	set_references(o, d, m);
	/* RFC 3834: what desk sends by itself says so, so that other
	 * robots do not answer it. */
	if (m->kind != MSG_REPLY)
		g_mime_object_set_header(o, "Auto-Submitted", "auto-replied", NULL);
	char tid[32];
	snprintf(tid, sizeof tid, "%lld", (long long)t->id);
	g_mime_object_set_header(o, "X-Desk-Ticket", tid, NULL);

	GMimeTextPart *body = g_mime_text_part_new_with_subtype("plain");
	g_mime_text_part_set_text(body, m->body ? m->body : "");
	g_mime_part_set_content_encoding(
		GMIME_PART(body),
		g_mime_part_get_best_content_encoding(GMIME_PART(body),
						      GMIME_ENCODING_CONSTRAINT_7BIT));
	g_mime_message_set_mime_part(msg, GMIME_OBJECT(body));
	g_object_unref(body);
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

/* Runs argv with input on its standard input; its standard output and
 * error are collected (never on the agent's terminal). */
static int run(char *const *argv, const char *input, size_t len, struct derr *e)
{
	int in[2], out[2];
	if (pipe(in) != 0)
		return derr_set(e, DESK_EIO, "cannot run %s: %s", argv[0], strerror(errno));
	if (pipe(out) != 0) {
		close(in[0]);
		close(in[1]);
		return derr_set(e, DESK_EIO, "cannot run %s: %s", argv[0], strerror(errno));
	}
	/* Only the child's own ends survive exec: no stray pipe keeps a
	 * later command waiting for an end of file. */
	for (int i = 0; i < 2; i++) {
		fcntl(in[i], F_SETFD, FD_CLOEXEC);
		fcntl(out[i], F_SETFD, FD_CLOEXEC);
	}
	/* The command may stop reading early; that must not kill us. */
	struct sigaction ign = {.sa_handler = SIG_IGN}, old;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, &old);
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		priv_child(); /* the command never runs with desk's group */
		signal(SIGPIPE, SIG_DFL);
		if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0 || dup2(out[1], 2) < 0)
			_exit(126);
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
		sigaction(SIGPIPE, &old, NULL);
		return derr_set(e, DESK_EIO, "cannot run %s: %s", argv[0], strerror(err));
	}
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	char said[512];
	size_t nsaid = 0;
	size_t off = 0;
	bool writing = true, reading = true, short_write = false;
	if (len == 0) {
		close(in[1]);
		writing = false;
	}
	int64_t deadline = now_ms() + SEND_TIMEOUT_MS;
	bool timed_out = false;
	while (writing || reading) {
		struct pollfd p[2];
		nfds_t n = 0;
		int wi = -1, ri = -1;
		if (writing) {
			p[n] = (struct pollfd){.fd = in[1], .events = POLLOUT};
			wi = (int)n++;
		}
		if (reading) {
			p[n] = (struct pollfd){.fd = out[0], .events = POLLIN};
			ri = (int)n++;
		}
		int64_t left = deadline - now_ms();
		if (left <= 0) {
			timed_out = true;
			break;
		}
		int pr = poll(p, n, (int)(left > 1000 ? 1000 : left));
		if (pr < 0 && errno != EINTR)
			break;
		if (pr <= 0)
			continue;
		if (wi >= 0 && p[wi].revents) {
			ssize_t w = write(in[1], input + off, len - off);
			if (w > 0)
				off += (size_t)w;
			if ((w < 0 && errno != EAGAIN && errno != EINTR) || off == len) {
				short_write = off < len;
				close(in[1]);
				writing = false;
			}
		}
		if (ri >= 0 && p[ri].revents) {
			char buf[1024];
			ssize_t r = read(out[0], buf, sizeof buf);
			if (r > 0) {
				size_t keep = sizeof said - 1 - nsaid;
				if ((size_t)r < keep)
					keep = (size_t)r;
				memcpy(said + nsaid, buf, keep);
				nsaid += keep;
			} else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
				reading = false;
			}
		}
	}
	if (writing)
		close(in[1]);
	close(out[0]);
	if (timed_out)
		kill(pid, SIGKILL);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	sigaction(SIGPIPE, &old, NULL);
	said[nsaid] = '\0';
	one_line(said);
	const char *sep = *said ? ": " : "";
	if (timed_out)
		return derr_set(e, DESK_EIO, "%s did not finish within %d seconds%s%s", argv[0],
				SEND_TIMEOUT_MS / 1000, sep, said);
	if (WIFSIGNALED(status))
		return derr_set(e, DESK_EIO, "%s was killed by signal %d%s%s", argv[0],
				WTERMSIG(status), sep, said);
	if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		return derr_set(e, DESK_EIO, "%s exited with status %d%s%s", argv[0],
				WEXITSTATUS(status), sep, said);
	if (short_write)
		return derr_set(e, DESK_EIO, "%s stopped reading the message%s%s", argv[0], sep,
				said);
	return DESK_OK;
}

/* Records the outcome in its own short transaction, with an event. */
static int record(struct desk *d, int64_t msg_row, const char *error, struct derr *e)
{
	struct message m = {0};
	int rc = store_begin(d->st, e);
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

int outbound_send(struct desk *d, int64_t msg_row, struct derr *e)
{
	struct derr local = {0};
	if (!e)
		e = &local;
	char *text;
	size_t len;
	int rc = outbound_render(d, msg_row, &text, &len, e);
	if (rc == DESK_OK) {
		const struct mail_config *mc = &d->cfg->mail;
		if (!mc->sendmail || !mc->nsendmail)
			rc = derr_set(e, DESK_EINVAL, "mail.sendmail is empty");
		else
			rc = run(mc->sendmail, text, len, e);
		free(text);
	}
	if (rc == DESK_ENOTFOUND)
		return rc; /* no such message: nothing to record */
	struct derr re = {0};
	int rrc = record(d, msg_row, rc ? e->msg : NULL, &re);
	if (rc == DESK_OK && rrc) {
		/* Sent, but the database did not hear of it: say so. */
		derr_set(e, rrc, "message %lld was sent, but recording it failed: %s",
			 (long long)msg_row, re.msg);
		return rrc;
	}
	return rc;
}
