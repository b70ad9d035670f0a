/* unsent.c: the text of a reply or note the database would not take
 * (disk full, locked past the bound, read-only), kept in a file private
 * to the agent so that nothing they wrote is lost.
 *
 * The file is the agent's own: made with desk's group lowered (priv.h),
 * mode 0600 in a 0700 folder, under $XDG_STATE_HOME/desk/unsent (else
 * ~/.local/state/desk/unsent); when that cannot be written (the same
 * full disk), in a new private folder under $TMPDIR or /tmp. */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core.h"
#include "priv.h"
#include "util.h"

/* mkdir -p with mode 0700 for what it makes. */
static bool make_dirs(const char *path)
{
	char *p = xstrdup(path);
	bool ok = true;
	for (char *s = p + 1; ok && *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		ok = mkdir(p, 0700) == 0 || errno == EEXIST;
		*s = '/';
	}
	ok = ok && (mkdir(p, 0700) == 0 || errno == EEXIST);
	free(p);
	return ok;
}

static char *state_dir(void)
{
	const char *xdg = getenv("XDG_STATE_HOME");
	if (!str_empty(xdg) && xdg[0] == '/')
		return xasprintf("%s/desk/unsent", xdg);
	const char *home = getenv("HOME");
	if (str_empty(home) || home[0] != '/') {
		struct passwd *pw = getpwuid(getuid());
		home = pw ? pw->pw_dir : NULL;
	}
	return str_empty(home) ? NULL : xasprintf("%s/.local/state/desk/unsent", home);
}

static char *tmp_dir(void)
{
	const char *tmp = getenv("TMPDIR");
	char *dir = xasprintf("%s/desk-unsent-XXXXXX",
			      !str_empty(tmp) && tmp[0] == '/' ? tmp : "/tmp");
	if (!mkdtemp(dir)) /* mode 0700 */
		xfree(&dir);
	return dir;
}

/* Writes text into a new file in dir; its path, or NULL with *err. */
static char *write_in(const char *dir, const char *stem, const char *text, int *err)
{
	char *path = xasprintf("%s/%s-XXXXXX.txt", dir, stem);
	int fd = mkstemps(path, 4); /* mode 0600, O_EXCL */
	if (fd < 0) {
		*err = errno;
		free(path);
		return NULL;
	}
	size_t len = strlen(text), off = 0;
	bool ok = true;
	while (ok && off < len) {
		ssize_t w = write(fd, text + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		ok = w > 0;
		if (ok)
			off += (size_t)w;
	}
	/* fsync: the agent is told the text is safe. */
	ok = ok && fsync(fd) == 0;
	if (!ok)
		*err = errno ? errno : EIO;
	if (close(fd) != 0 && ok) {
		ok = false;
		*err = errno;
	}
	if (!ok) {
		unlink(path);
		xfree(&path);
	}
	return path;
}

static char *keep_as_agent(int64_t ticket, enum msg_kind kind, const char *text,
			   struct derr *e)
{
	char when[32];
	time_t now = time(NULL);
	struct tm tm;
	strftime(when, sizeof when, "%Y%m%d-%H%M%S", gmtime_r(&now, &tm));
	char *stem = xasprintf("%s-%lld-%s", msg_kind_name(kind), (long long)ticket, when);
	int err = 0;
	char *path = NULL, *dir = state_dir();
	if (dir && make_dirs(dir))
		path = write_in(dir, stem, text, &err);
	else if (dir)
		err = errno;
	free(dir);
	if (!path && (dir = tmp_dir()) != NULL) {
		path = write_in(dir, stem, text, &err);
		if (!path)
			rmdir(dir);
		free(dir);
	}
	if (!path)
		derr_set(e, DESK_EIO, "cannot keep the text in a file either: %s",
			 strerror(err ? err : errno));
	free(stem);
	return path;
}

char *unsent_keep(int64_t ticket, enum msg_kind kind, const char *text, struct derr *e)
{
	priv_lower();
	char *path = keep_as_agent(ticket, kind, text, e);
	priv_raise();
	return path;
}
