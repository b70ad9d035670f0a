/* attach.c: `L`, the open ticket's attachments in a list, numbered as
 * the conversation and `desk attachment list` number them.  Enter opens
 * one through the system's mailcap (run-mailcap --action=view), or
 * $PAGER for text when mailcap has nothing; `s` saves one to a path
 * asked for.
 *
 * A file is opened only as a private copy: a new folder (mkdtemp,
 * 0700) holding one file (0600), both made as the agent, named
 * "attachment" plus the extension when that is plain letters and
 * digits, removed once the viewer returns.  The customer's file name
 * never reaches a command line, and no customer text is ever part of a
 * shell string (the pager's is the agent's own $PAGER, the file "$1"). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>

#include "mail.h"
#include "priv.h"
#include "ui.h"
#include "util.h"

/* --- the private copy -------------------------------------------------- */

struct copy {
	char *dir, *path;
};

static void copy_remove(struct copy *c)
{
	if (c->path)
		unlink(c->path);
	if (c->dir)
		rmdir(c->dir);
	xfree(&c->path);
	xfree(&c->dir);
}

static int copy_make_as_agent(const struct attachment *at, const unsigned char *data,
			      size_t len, struct copy *c, struct derr *e)
{
	const char *tmp = getenv("TMPDIR");
	c->dir = xasprintf("%s/desk-XXXXXX", !str_empty(tmp) && tmp[0] == '/' ? tmp : "/tmp");
	if (!mkdtemp(c->dir)) {
		int err = errno;
		xfree(&c->dir);
		return derr_set(e, DESK_EIO, "cannot make a private folder for the file: %s",
				strerror(err));
	}
	char *name = attachment_command_name(at->filename);
	c->path = xasprintf("%s/%s", c->dir, name);
	free(name);
	int fd = open(c->path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return derr_set(e, DESK_EIO, "cannot make %s: %s", c->path, strerror(errno));
	size_t off = 0;
	int err = 0;
	while (off < len && !err) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			err = w < 0 ? errno : EIO;
		else
			off += (size_t)w;
	}
	if (close(fd) != 0 && !err)
		err = errno;
	return err ? derr_set(e, DESK_EIO, "writing %s: %s", c->path, strerror(err)) : DESK_OK;
}

static int copy_make(const struct attachment *at, const unsigned char *data, size_t len,
		     struct copy *c, struct derr *e)
{
	memset(c, 0, sizeof *c);
	priv_lower();
	int rc = copy_make_as_agent(at, data, len, c, e);
	priv_raise();
	if (rc)
		copy_remove(c);
	return rc;
}

/* The stored type as mailcap may see it: letters, digits and . + - on
 * each side of the slash (mailcap puts %t into a shell command), else
 * application/octet-stream. */
static char *viewer_type(const char *ct)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyz0123456789.+-";
	const char *slash = ct ? strchr(ct, '/') : NULL;
	if (slash && slash > ct && slash[1] && strlen(ct) < 128 &&
	    strspn(ct, ok) == (size_t)(slash - ct) && strspn(slash + 1, ok) == strlen(slash + 1))
		return xstrdup(ct);
	return xstrdup("application/octet-stream");
}

/* --- files a reply sends ------------------------------------------------ */

#define MAX_COMPOSE_FILES 50

int compose_take_files(const struct config *cfg, char **body, struct outgoing_file **files,
		       size_t *n, struct derr *e)
{
	*files = NULL;
	*n = 0;
	const char *p = *body, *home = getenv("HOME");
	size_t total = 0;
	int rc = DESK_OK;
	while (rc == DESK_OK && strncasecmp(p, "Attach:", 7) == 0) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		char *path = str_trim(xstrndup(p + 7, len - 7));
		char *full = strncmp(path, "~/", 2) == 0 && !str_empty(home)
				     ? xasprintf("%s/%s", home, path + 2)
				     : xstrdup(path);
		if (!*path) {
			rc = derr_set(e, DESK_EINVAL, "an Attach: line names no file");
		} else if (*n == MAX_COMPOSE_FILES) {
			rc = derr_set(e, DESK_EINVAL, "at most %d Attach: lines", MAX_COMPOSE_FILES);
		} else {
			*files = xrealloc(*files, (*n + 1) * sizeof **files);
			rc = outgoing_file_load(cfg, full, total, &(*files)[*n], e);
			if (rc == DESK_OK)
				total += (*files)[(*n)++].size;
		}
		free(full);
		free(path);
		p = eol ? eol + 1 : p + len;
	}
	if (rc) {
		outgoing_files_free(files, *n);
		*n = 0;
		return rc;
	}
	/* the text after the Attach: lines, and the blank line below them */
	while (*n && *p == '\n')
		p++;
	char *rest = xstrdup(p);
	free(*body);
	*body = rest;
	return DESK_OK;
}

/* --- the list ---------------------------------------------------------- */

/* The attachment whose id is value, among the ticket's (read again:
 * the list may have changed). */
static int find(struct app *a, int64_t ticket, const char *value, struct attachment_list *l,
		const struct attachment **at, struct derr *e)
{
	*at = NULL;
	int rc = core_attachments(a->d, ticket, l, e);
	long long id = value ? strtoll(value, NULL, 10) : 0;
	for (size_t i = 0; rc == DESK_OK && i < l->n && !*at; i++)
		if (l->v[i].id == id)
			*at = &l->v[i];
	if (rc == DESK_OK && !*at)
		rc = derr_set(e, DESK_ENOTFOUND, "that attachment of #%lld is gone",
			      (long long)ticket);
	return rc;
}

static int view(struct app *a, const struct attachment *at, const char *path)
{
	char *type = viewer_type(at->content_type);
	char *arg = xasprintf("%s:%s", type, path);
	char *mailcap = g_find_program_in_path("run-mailcap");
	int status = -1, rc = DESK_OK;
	struct derr e = {0};
	if (mailcap) {
		char *argv[] = {mailcap, "--action=view", arg, NULL};
		rc = terminal_run(a, argv, "the viewer", NULL, NULL, &status, &e);
	}
	bool viewed = rc == DESK_OK && status == 0;
	if (!viewed && rc == DESK_OK && strncmp(type, "text/", 5) == 0) {
		/* the agent's own $PAGER; the file is "$1", never in the string */
		char *argv[] = {"sh", "-c", "exec ${PAGER:-more} \"$1\"", "sh", (char *)path, NULL};
		rc = terminal_run(a, argv, "the viewer", NULL, NULL, &status, &e);
		viewed = rc == DESK_OK && status == 0;
	}
	if (rc)
		app_error(a, &e);
	else if (viewed)
		app_msg(a, "Viewed %s (a private copy, now removed).", at->filename);
	else if (!mailcap)
		app_fail(a, "No viewer for %s: run-mailcap is not installed (package mailcap); "
			    "s in the list saves the file.",
			 type);
	else
		app_fail(a, "No viewer for %s in mailcap (run-mailcap exited %d); s in the list "
			    "saves the file.",
			 type, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	g_free(mailcap);
	free(arg);
	free(type);
	return RD_STATUS | RD_FULL;
}

static int open_chosen(struct app *a, const char *value, void *data)
{
	if (!value)
		return 0;
	int64_t ticket = *(int64_t *)data;
	struct attachment_list l = {0};
	const struct attachment *at;
	struct derr e = {0};
	unsigned char *bytes = NULL;
	size_t len = 0;
	struct copy c = {0};
	int flags;
	if (find(a, ticket, value, &l, &at, &e) || core_attachment_read(a->d, at, &bytes, &len, &e) ||
	    copy_make(at, bytes, len, &c, &e))
		flags = app_error(a, &e);
	else
		flags = view(a, at, c.path);
	copy_remove(&c);
	free(bytes);
	attachment_list_free(&l);
	return flags;
}

struct save_req {
	int64_t ticket;
	char value[32];
};

static int save_answer(struct app *a, const char *path, void *data)
{
	const struct save_req *r = data;
	if (str_empty(path))
		return 0;
	const char *home = getenv("HOME");
	char *full = strncmp(path, "~/", 2) == 0 && !str_empty(home)
			     ? xasprintf("%s/%s", home, path + 2)
			     : xstrdup(path);
	struct attachment_list l = {0};
	const struct attachment *at;
	struct derr e = {0};
	unsigned char *bytes = NULL;
	size_t len = 0;
	int flags = RD_STATUS;
	if (find(a, r->ticket, r->value, &l, &at, &e) ||
	    core_attachment_read(a->d, at, &bytes, &len, &e) ||
	    attachment_write_file(full, bytes, len, false, &e)) {
		flags = app_error(a, &e);
	} else {
		char size[32];
		app_msg(a, "Saved %s to %s (%s).", at->filename, full,
			attachment_size_text((int64_t)len, size, sizeof size));
	}
	free(bytes);
	free(full);
	attachment_list_free(&l);
	return flags;
}

static int save_chosen(struct app *a, const char *value, void *data)
{
	int64_t ticket = *(int64_t *)data;
	struct attachment_list l = {0};
	const struct attachment *at;
	struct derr e = {0};
	if (find(a, ticket, value, &l, &at, &e)) {
		attachment_list_free(&l);
		return app_error(a, &e);
	}
	struct save_req *r = xcalloc(1, sizeof *r);
	r->ticket = ticket;
	snprintf(r->value, sizeof r->value, "%s", value);
	char *label = xasprintf("Save %s to: ", at->filename);
	struct prompt_spec p = {.label = label, .initial = at->filename, .history = -1,
				.mode = "save attachment", .done = save_answer, .data = r,
				.free_data = free};
	int flags = prompt_open(a, &p);
	free(label);
	attachment_list_free(&l);
	return flags;
}

int act_attachments(struct app *a, const char *arg)
{
	(void)arg;
	struct attachment_list l = {0};
	struct derr e = {0};
	if (core_attachments(a->d, a->cur_id, &l, &e)) {
		attachment_list_free(&l);
		return app_error(a, &e);
	}
	if (!l.n) {
		attachment_list_free(&l);
		app_msg(a, "#%lld has no attachments.", (long long)a->cur_id);
		return RD_STATUS;
	}
	char *title = xasprintf("Attachments of #%lld: Enter opens, s saves",
				(long long)a->cur_id);
	int64_t *ticket = xmalloc(sizeof *ticket);
	*ticket = a->cur_id;
	struct picker_spec s = {.title = title, .done = open_chosen, .alt_key = 's',
				.alt = save_chosen, .data = ticket, .free_data = free};
	size_t cap = 0;
	for (size_t i = 0; i < l.n; i++) {
		const struct attachment *at = &l.v[i];
		char size[32], value[32];
		snprintf(value, sizeof value, "%lld", (long long)at->id);
		char *label = xasprintf("%2zu  %s  %s  %s", i + 1, at->filename, at->content_type,
					attachment_size_text(at->size, size, sizeof size));
		picker_add(&s.items, &s.n, &cap, label, value, NULL);
		free(label);
	}
	attachment_list_free(&l);
	int flags = picker_open(a, &s);
	free(title);
	return flags;
}
