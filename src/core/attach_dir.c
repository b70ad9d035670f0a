/* attach_dir.c: attachments kept as files in mail.attachments_dir
 * (content-addressed), for ingest and for the files a reply sends. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "internal_core.h"
#include "util.h"

static int io_error(struct derr *e, int err, const char *what, const char *path)
{
	if (err == ENOSPC || err == EDQUOT)
		return derr_set(e, DESK_EIO, "%s: the disk is full while %s; nothing was stored",
				path, what);
	return derr_set(e, DESK_EIO, "%s: %s: %s", path, what, strerror(err));
}

/* Content-addressed (DIR/ab/abcdef...): written before the transaction,
 * complete (fsync, rename) or not at all, and harmless if the
 * transaction then fails; the same file sent twice is kept once.
 *
 * The folder may be writable by others (a group's), so nothing in it is
 * trusted by name: the subfolder is opened without following a link,
 * the content goes to a new file made exclusively under a random name
 * (never through a link someone planted), and a file already there
 * under the content's name is reused only when its content hashes to
 * that name; anything else there is replaced, never written through. */
static bool same_content(int dfd, const char *name, const char *sum)
{
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return false;
	struct stat sb;
	bool same = false;
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode)) {
		GChecksum *ck = g_checksum_new(G_CHECKSUM_SHA256);
		unsigned char buf[65536];
		ssize_t n;
		while ((n = read(fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
			if (n > 0)
				g_checksum_update(ck, buf, (gssize)n);
		same = n == 0 && strcmp(g_checksum_get_string(ck), sum) == 0;
		g_checksum_free(ck);
	}
	close(fd);
	return same;
}

/* A new file in dfd, made exclusively under a random name (openat has
 * no mkstemp); the name in tmp[]. */
static int create_temp(int dfd, char tmp[static 32])
{
	static const char abc[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	for (int attempt = 0; attempt < 100; attempt++) {
		unsigned char r[12];
		if (getentropy(r, sizeof r) != 0)
			return -1;
		memcpy(tmp, ".tmp.", 5);
		for (size_t i = 0; i < sizeof r; i++)
			tmp[5 + i] = abc[r[i] % (sizeof abc - 1)];
		tmp[5 + sizeof r] = '\0';
		int fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	errno = EEXIST;
	return -1;
}

int attachment_dir_save(const char *dir, const unsigned char *data, size_t size, char **path,
			struct derr *e)
{
	gchar *sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256, data, size);
	char sub[3] = {sum[0], sum[1], '\0'};
	char *subpath = xasprintf("%s/%s", dir, sub);
	*path = xasprintf("%s/%s", subpath, sum);
	int rc = DESK_OK, dfd = -1, fd = -1;
	char tmp[32] = "";
	if (mkdir(dir, 02770) != 0 && errno != EEXIST) {
		rc = io_error(e, errno, "creating the attachments folder", dir);
		goto out;
	}
	int top = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (top < 0) {
		rc = io_error(e, errno, "opening the attachments folder", dir);
		goto out;
	}
	if (mkdirat(top, sub, 02770) != 0 && errno != EEXIST)
		rc = io_error(e, errno, "creating a folder", subpath);
	else if ((dfd = openat(top, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		rc = io_error(e, errno == ELOOP ? ENOTDIR : errno, "opening a folder", subpath);
	close(top);
	if (rc || same_content(dfd, sum, sum))
		goto out;
	if ((fd = create_temp(dfd, tmp)) < 0) {
		rc = io_error(e, errno, "saving an attachment", subpath);
		goto out;
	}
	size_t off = 0;
	while (off < size) {
		ssize_t w = write(fd, data + off, size - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rc = io_error(e, w < 0 ? errno : EIO, "saving an attachment", *path);
			break;
		}
		off += (size_t)w;
	}
	if (rc == DESK_OK && fsync(fd) != 0)
		rc = io_error(e, errno, "saving an attachment", *path);
	if (close(fd) != 0 && rc == DESK_OK)
		rc = io_error(e, errno, "saving an attachment", *path);
	/* rename replaces whatever had the name (a link included), never
	 * writing through it. */
	if (rc == DESK_OK && renameat(dfd, tmp, dfd, sum) != 0)
		rc = io_error(e, errno, "saving an attachment", *path);
	if (rc)
		unlinkat(dfd, tmp, 0);
out:
	if (dfd >= 0)
		close(dfd);
	g_free(sum);
	free(subpath);
	if (rc)
		xfree(path);
	return rc;
}

