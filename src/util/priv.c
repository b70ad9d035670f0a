/* priv.c: holding, lowering and dropping desk's group privilege (see
 * priv.h for the rules).  Modelled on what setgid programs such as
 * crontab do: the saved set-group-ID keeps the group while the
 * effective one is lowered, and setresgid drops all three for good. */
#define _GNU_SOURCE /* getresgid, setresgid */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "priv.h"
#include "util.h"

extern char **environ;

static int lowered; /* depth of priv_lower calls */

bool priv_setid(void)
{
	gid_t r, e, s;
	if (getresgid(&r, &e, &s) != 0)
		return getegid() != getgid();
	return e != r || s != r;
}

gid_t priv_group(void)
{
	gid_t r, e, s;
	if (getresgid(&r, &e, &s) != 0)
		return getegid();
	return s != r ? s : e;
}

/* Variables read by code that is not ours but runs with the group:
 * SQLite's temporary folder, GLib's and GIO's debugging and module
 * hooks (GMime runs on GLib).  glibc's secure mode already removes
 * LD_*, TMPDIR, TZDIR, LOCPATH, NLSPATH and GCONV_PATH. */
static bool unsafe_name(const char *name, size_t n)
{
	static const char *const exact[] = {
		"DESK_NOW", "DESK_EXIT_AFTER_FIRST_FRAME", "SQLITE_TMPDIR",
	};
	static const char *const prefix[] = {"G_", "GIO_", "GSETTINGS_", "GMIME_"};
	for (size_t i = 0; i < ARRAY_LEN(exact); i++)
		if (strlen(exact[i]) == n && memcmp(name, exact[i], n) == 0)
			return true;
	for (size_t i = 0; i < ARRAY_LEN(prefix); i++)
		if (n >= strlen(prefix[i]) && memcmp(name, prefix[i], strlen(prefix[i])) == 0)
			return true;
	return false;
}

void priv_init(void)
{
	if (!priv_setid())
		return;
	/* Collected first: unsetenv reshuffles environ. */
	char *names[64];
	size_t n = 0;
	for (char **v = environ; v && *v && n < ARRAY_LEN(names); v++) {
		const char *eq = strchr(*v, '=');
		size_t len = eq ? (size_t)(eq - *v) : strlen(*v);
		if (unsafe_name(*v, len))
			names[n++] = xstrndup(*v, len);
	}
	for (size_t i = 0; i < n; i++) {
		unsetenv(names[i]);
		free(names[i]);
	}
	if (n == ARRAY_LEN(names)) /* more than we took: another round */
		priv_init();
}

int priv_drop(struct derr *e)
{
	gid_t r = getgid();
	if (!priv_setid())
		return DESK_OK;
	gid_t gr, ge, gs;
	if (setresgid(r, r, r) != 0 || getresgid(&gr, &ge, &gs) != 0 || gr != r || ge != r ||
	    gs != r)
		return derr_set(e, DESK_EIO, "cannot drop desk's group: %s", strerror(errno));
	lowered = 0;
	return DESK_OK;
}

void priv_child(void)
{
	gid_t r = getgid(), gr, ge, gs;
	if (setresgid(r, r, r) == 0 && getresgid(&gr, &ge, &gs) == 0 && gr == r && ge == r &&
	    gs == r)
		return;
	static const char msg[] = "desk: cannot drop its group before running a command\n";
	if (write(2, msg, sizeof msg - 1) < 0)
		_exit(126);
	_exit(126);
}

void priv_lower(void)
{
	if (lowered++ > 0 || !priv_setid())
		return;
	/* Lowering to the real group is always allowed; if it ever failed,
	 * going on would act with the group on the agent's behalf. */
	if (setegid(getgid()) != 0)
		abort();
}

void priv_raise(void)
{
	if (lowered == 0 || --lowered > 0 || !priv_setid())
		return;
	if (setegid(priv_group()) != 0)
		abort();
}

FILE *priv_fopen(const char *path, const char *mode)
{
	priv_lower();
	FILE *f = fopen(path, mode);
	int err = errno;
	priv_raise();
	errno = err;
	return f;
}

char *priv_read_file(const char *path, size_t *len)
{
	priv_lower();
	char *s = read_file(path, len);
	int err = errno;
	priv_raise();
	errno = err;
	return s;
}

bool priv_path_safe(const char *dir)
{
	char *p = xstrdup(dir);
	bool safe = true;
	for (char *slash = strrchr(p, '/'); safe && slash; slash = strrchr(p, '/')) {
		*slash = '\0';
		struct stat sb;
		const char *here = slash == p ? "/" : p;
		if (stat(here, &sb) != 0 || sb.st_uid != 0 ||
		    ((sb.st_mode & (S_IWGRP | S_IWOTH)) && !(sb.st_mode & S_ISVTX)))
			safe = false;
		if (slash == p)
			break;
	}
	free(p);
	return safe;
}

/* The team's YAML in desk's folder, opened: a root-owned regular *.yaml
 * (by its real name) whose real folder is root's, of desk's group,
 * closed to others, on a path only root can change; -1 otherwise.  The
 * checks are made on what was opened, so no link swapped in between
 * can point the read elsewhere. */
static int open_team_yaml(const char *path)
{
	if (!priv_setid() || !path)
		return -1;
	char *real = realpath(path, NULL);
	if (!real)
		return -1;
	size_t n = strlen(real);
	char *slash = strrchr(real, '/');
	int fd = -1;
	if (n >= 5 && strcmp(real + n - 5, ".yaml") == 0 && slash) {
		char *dir = slash == real ? xstrdup("/") : xstrndup(real, (size_t)(slash - real));
		struct stat fs, ds;
		if (stat(dir, &ds) == 0 && S_ISDIR(ds.st_mode) && ds.st_uid == 0 &&
		    ds.st_gid == priv_group() && !(ds.st_mode & S_IRWXO) && priv_path_safe(dir) &&
		    (fd = open(real, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) >= 0 &&
		    (fstat(fd, &fs) != 0 || !S_ISREG(fs.st_mode) || fs.st_uid != 0)) {
			close(fd);
			fd = -1;
		}
		free(dir);
	}
	free(real);
	return fd;
}

char *priv_read_team_yaml(const char *path, size_t *len)
{
	int fd = open_team_yaml(path);
	if (fd < 0)
		return priv_read_file(path, len);
	FILE *f = fdopen(fd, "rb");
	if (!f) {
		close(fd);
		return NULL;
	}
	char *s = read_all(f, len);
	int saved = errno;
	fclose(f);
	errno = saved;
	return s;
}
