/* editfile.c: the private file an agent's $EDITOR works on: a new
 * folder (mkdtemp, 0700) in $TMPDIR or /tmp holding one file (mkstemps,
 * 0600), both made as the agent with desk's group lowered, so nobody
 * else reads a reply or a customer's details being edited. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "priv.h"
#include "ui.h"
#include "util.h"

static int make_as_agent(const char *kind, const char *content, char **dirp, char **pathp,
			 struct derr *e)
{
	const char *tmp = getenv("TMPDIR");
	char *dir = xasprintf("%s/desk-XXXXXX", !str_empty(tmp) && tmp[0] == '/' ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		int err = errno;
		free(dir);
		return derr_set(e, DESK_EIO, "cannot make a private folder for the text: %s",
				strerror(err));
	}
	*dirp = dir;
	char *path = xasprintf("%s/%s-XXXXXX.txt", dir, kind);
	*pathp = path;
	int fd = mkstemps(path, 4);
	if (fd < 0)
		return derr_set(e, DESK_EIO, "cannot make %s: %s", path, strerror(errno));
	size_t len = strlen(content), off = 0;
	while (off < len) {
		ssize_t w = write(fd, content + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int err = errno;
			close(fd);
			return derr_set(e, DESK_EIO, "writing %s: %s", path, strerror(err));
		}
		off += (size_t)w;
	}
	if (close(fd) != 0)
		return derr_set(e, DESK_EIO, "writing %s: %s", path, strerror(errno));
	return DESK_OK;
}

int editfile_make(const char *kind, const char *content, char **dir, char **path,
		  struct derr *e)
{
	*dir = *path = NULL;
	priv_lower();
	int rc = make_as_agent(kind, content, dir, path, e);
	priv_raise();
	return rc;
}

void editfile_remove(char **dir, char **path)
{
	if (*path)
		unlink(*path);
	if (*dir)
		rmdir(*dir);
	xfree(path);
	xfree(dir);
}
