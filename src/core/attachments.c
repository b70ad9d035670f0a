/* attachments.c: a ticket's attachments read back (listed, numbered,
 * their bytes), saved where the agent says, and the files an agent
 * sends with a reply read in and checked against the team's limits. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>

#include "config.h"
#include "core.h"
#include "mail.h"
#include "priv.h"
#include "util.h"

const char *attachment_size_text(int64_t bytes, char *buf, size_t size)
{
	if (bytes < 1024)
		snprintf(buf, size, "%lld bytes", (long long)bytes);
	else if (bytes < 1024 * 1024)
		snprintf(buf, size, "%.1f KB", (double)bytes / 1024.0);
	else
		snprintf(buf, size, "%.1f MB", (double)bytes / (1024.0 * 1024.0));
	return buf;
}

int core_attachments(struct desk *d, int64_t ticket_id, struct attachment_list *out,
		     struct derr *e)
{
	memset(out, 0, sizeof *out);
	struct ticket t;
	int rc = store_ticket_get(d->st, ticket_id, &t, e);
	if (rc)
		return rc;
	ticket_free(&t);
	return store_ticket_attachments(d->st, ticket_id, out, e);
}

int core_attachment_pick(const struct attachment_list *l, int64_t ticket, long n,
			 const struct attachment **out, struct derr *e)
{
	*out = NULL;
	if (l->n == 0)
		return derr_set(e, DESK_ENOTFOUND, "ticket %lld has no attachments",
				(long long)ticket);
	if (n == 0 && l->n > 1)
		return derr_set(e, DESK_EUSAGE,
				"ticket %lld has %zu attachments: say which (1 to %zu; desk "
				"attachment list %lld)",
				(long long)ticket, l->n, l->n, (long long)ticket);
	if (n == 0)
		n = 1;
	if (n < 1 || (size_t)n > l->n)
		return derr_set(e, DESK_ENOTFOUND, "ticket %lld has no attachment %ld (it has %zu)",
				(long long)ticket, n, l->n);
	*out = &l->v[n - 1];
	return DESK_OK;
}

int core_attachment_read(struct desk *d, const struct attachment *a, unsigned char **data,
			 size_t *len, struct derr *e)
{
	*data = NULL;
	*len = 0;
	if (!a->path)
		return store_attachment_content(d->st, a->id, (void **)data, len, e);
	/* Kept in attachments_dir: desk's group reads it, as ingest wrote it. */
	char *bytes = read_file(a->path, len);
	if (!bytes)
		return derr_set(e, DESK_EIO, "attachment %s: its file %s cannot be read: %s",
				a->filename, a->path, strerror(errno));
	if ((int64_t)*len != a->size) {
		free(bytes);
		*len = 0;
		return derr_set(e, DESK_EIO,
				"attachment %s: its file %s holds %zu bytes, not the %lld stored; "
				"it was changed outside desk",
				a->filename, a->path, *len, (long long)a->size);
	}
	*data = (unsigned char *)bytes;
	return DESK_OK;
}

char *attachment_command_name(const char *filename)
{
	const char *dot = filename ? strrchr(filename, '.') : NULL;
	struct strbuf b = {0};
	sb_add(&b, "attachment");
	if (dot && dot[1] && strlen(dot) <= 16) {
		bool ok = true;
		for (const char *p = dot + 1; *p && ok; p++)
			ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			     (*p >= '0' && *p <= '9') || *p == '_' || *p == '-';
		if (ok)
			sb_add(&b, dot);
	}
	return sb_take(&b);
}

static int write_all(int fd, const unsigned char *p, size_t len)
{
	size_t off = 0;
	while (off < len) {
		ssize_t w = write(fd, p + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? errno : EIO;
		off += (size_t)w;
	}
	return 0;
}

static int write_as_agent(const char *path, const void *data, size_t len, bool force,
			  struct derr *e)
{
	struct stat sb;
	if (!force && lstat(path, &sb) == 0)
		return derr_set(e, DESK_ECONFLICT, "%s already exists; nothing was written "
						   "(--force replaces it)",
				path);
	char *dir = path_dir(path);
	char *tmp = xasprintf("%s/.desk-save-XXXXXX", dir);
	free(dir);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		int err = errno;
		free(tmp);
		return derr_set(e, DESK_EIO, "%s: cannot write there: %s", path, strerror(err));
	}
	/* mkstemp makes it 0600; a saved file gets the mode any new file of
	 * the agent's would. */
	mode_t mask = umask(0);
	umask(mask);
	int err = fchmod(fd, 0666 & ~mask) != 0 ? errno : 0;
	if (!err)
		err = write_all(fd, data, len);
	if (!err && fsync(fd) != 0)
		err = errno;
	if (close(fd) != 0 && !err)
		err = errno;
	int rc = DESK_OK;
	if (err) {
		rc = derr_set(e, DESK_EIO, "%s: %s; nothing was written", path,
			      err == ENOSPC ? "the disk is full" : strerror(err));
	} else if (force) {
		if (rename(tmp, path) != 0)
			rc = derr_set(e, DESK_EIO, "%s: %s", path, strerror(errno));
	} else if (link(tmp, path) != 0) {
		/* link, not rename: a file made there meanwhile is not replaced */
		rc = errno == EEXIST
			     ? derr_set(e, DESK_ECONFLICT,
					"%s already exists; nothing was written (--force replaces it)",
					path)
			     : derr_set(e, DESK_EIO, "%s: %s", path, strerror(errno));
	}
	unlink(tmp);
	free(tmp);
	return rc;
}

int attachment_write_file(const char *path, const void *data, size_t len, bool force,
			  struct derr *e)
{
	priv_lower();
	int rc = write_as_agent(path, data, len, force, e);
	priv_raise();
	return rc;
}

/* --- files sent with a reply ------------------------------------------- */

static int over_limit(const char *path, bool total, int64_t size, int64_t limit,
		      struct derr *e)
{
	char has[32], max[32];
	return derr_set(e, DESK_EINVAL, "%s: %s%s, more than attachments.%s (%s)", path,
			total ? "with the files before it, " : "",
			attachment_size_text(size, has, sizeof has), total ? "max_total" : "max_size",
			attachment_size_text(limit, max, sizeof max));
}

static int load_as_agent(const struct config *cfg, const char *path, size_t total,
			 struct outgoing_file *out, struct derr *e)
{
	int64_t max_size = cfg ? cfg->attachments.max_size : ATTACH_MAX_SIZE_DEFAULT;
	int64_t max_total = cfg ? cfg->attachments.max_total : ATTACH_MAX_TOTAL_DEFAULT;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return derr_set(e, DESK_EINVAL, "%s: cannot attach it: %s", path, strerror(errno));
	struct stat sb;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return derr_set(e, DESK_EINVAL, "%s: cannot attach it: not a regular file", path);
	}
	/* Checked before reading: a file of gigabytes is never loaded. */
	int rc = DESK_OK;
	if (sb.st_size > max_size)
		rc = over_limit(path, false, sb.st_size, max_size, e);
	else if ((int64_t)total + sb.st_size > max_total)
		rc = over_limit(path, true, (int64_t)total + sb.st_size, max_total, e);
	if (rc) {
		close(fd);
		return rc;
	}
	FILE *f = fdopen(fd, "rb");
	size_t len = 0;
	char *data = f ? read_all(f, &len) : NULL;
	int err = errno;
	if (f)
		fclose(f);
	else
		close(fd);
	if (!data)
		return derr_set(e, DESK_EINVAL, "%s: cannot read it: %s", path, strerror(err));
	if ((int64_t)len > max_size || (int64_t)(total + len) > max_total) {
		free(data);
		return derr_set(e, DESK_EINVAL, "%s: it grew while being read; try again", path);
	}
	const char *slash = strrchr(path, '/');
	gboolean uncertain = FALSE;
	gchar *guess = g_content_type_guess(slash ? slash + 1 : path, (const guchar *)data, len,
					    &uncertain);
	gchar *mime = guess ? g_content_type_get_mime_type(guess) : NULL;
	/* Sniffing takes binary that merely starts like a script for it
	 * ("%" is MATLAB): text never holds a NUL byte. */
	bool text = mime && strncmp(mime, "text/", 5) == 0;
	if (text && memchr(data, '\0', len)) {
		g_free(mime);
		mime = NULL;
	}
	out->content_type = xstrdup(mime && strchr(mime, '/') ? mime : "application/octet-stream");
	g_free(mime);
	g_free(guess);
	out->filename = mail_safe_filename(slash ? slash + 1 : path, out->content_type, 1);
	out->data = (unsigned char *)data;
	out->size = len;
	return DESK_OK;
}

int outgoing_file_load(const struct config *cfg, const char *path, size_t total,
		       struct outgoing_file *out, struct derr *e)
{
	memset(out, 0, sizeof *out);
	priv_lower();
	int rc = load_as_agent(cfg, path, total, out, e);
	priv_raise();
	return rc;
}

void outgoing_files_free(struct outgoing_file **v, size_t n)
{
	for (size_t i = 0; *v && i < n; i++) {
		free((*v)[i].filename);
		free((*v)[i].content_type);
		free((*v)[i].data);
	}
	free(*v);
	*v = NULL;
}
