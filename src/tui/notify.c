/* notify.c: desktop notifications (OSC 777, OSC 9) and the hook
 * command, built from untrusted text made safe first.  See notify.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "notify.h"
#include "priv.h"
#include "text.h"
#include "util.h"

const char *notify_kind_name(enum notify_kind k)
{
	static const char *const names[NOTIFY__COUNT] = {"new", "assigned", "sla",
							  "follow-up"};
	return (unsigned)k < NOTIFY__COUNT ? names[k] : "?";
}

char *notify_clean(const char *s, size_t max)
{
	char *safe = text_sanitize(s, 0);
	for (char *p = safe; *p; p++)
		if (*p == ';')
			*p = ',';
	size_t n = strlen(safe);
	if (n > max) {
		n = max;
		/* Back to the start of a character: never half of one. */
		while (n > 0 && ((unsigned char)safe[n] & 0xC0) == 0x80)
			n--;
		safe[n] = '\0';
	}
	return safe;
}

char *notify_osc(const char *title, const char *body)
{
	char *t = notify_clean(title, NOTIFY_TEXT_MAX);
	char *b = notify_clean(body, NOTIFY_TEXT_MAX);
	char *osc = xasprintf("\033]777;notify;%s;%s\033\\\033]9;%s: %s\033\\", t, b, t, b);
	free(t);
	free(b);
	return osc;
}

char *notify_tmux_wrap(const char *seq)
{
	struct strbuf b = {0};
	sb_add(&b, "\033Ptmux;");
	for (const char *p = seq; *p; p++) {
		if (*p == '\033')
			sb_addc(&b, '\033');
		sb_addc(&b, *p);
	}
	sb_add(&b, "\033\\");
	return sb_take(&b);
}

char **notify_hook_argv(char *const *hook, size_t nhook, enum notify_kind k, int64_t ticket,
			const char *subject)
{
	char **v = xcalloc(nhook + 4, sizeof *v);
	size_t n = 0;
	for (size_t i = 0; i < nhook; i++)
		v[n++] = xstrdup(hook[i]);
	v[n++] = xstrdup(notify_kind_name(k));
	v[n++] = xasprintf("%lld", (long long)ticket);
	v[n++] = notify_clean(subject, NOTIFY_TEXT_MAX);
	return v;
}

char **notify_hook_env(char *const *env, enum notify_kind k, int64_t ticket,
		       const char *subject)
{
	static const char *const ours[] = {"DESK_EVENT=", "DESK_TICKET=", "DESK_SUBJECT="};
	size_t n = 0;
	while (env && env[n])
		n++;
	char **v = xcalloc(n + ARRAY_LEN(ours) + 1, sizeof *v);
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		bool mine = false;
		for (size_t j = 0; j < ARRAY_LEN(ours); j++)
			mine = mine || strncmp(env[i], ours[j], strlen(ours[j])) == 0;
		if (!mine)
			v[m++] = xstrdup(env[i]);
	}
	char *clean = notify_clean(subject, NOTIFY_TEXT_MAX);
	v[m++] = xasprintf("DESK_EVENT=%s", notify_kind_name(k));
	v[m++] = xasprintf("DESK_TICKET=%lld", (long long)ticket);
	v[m++] = xasprintf("DESK_SUBJECT=%s", clean);
	free(clean);
	return v;
}

void notify_strv_free(char ***v)
{
	if (!*v)
		return;
	for (char **p = *v; *p; p++)
		free(*p);
	free(*v);
	*v = NULL;
}

char *notify_find_program(const char *name, const char *path)
{
	if (str_empty(name))
		return NULL;
	if (strchr(name, '/'))
		return xstrdup(name);
	const char *p = path ? path : "/usr/local/bin:/usr/bin:/bin";
	while (*p) {
		size_t len = strcspn(p, ":");
		/* An empty entry means the current folder: not for a hook. */
		if (len) {
			char *cand = xasprintf("%.*s/%s", (int)len, p, name);
			if (access(cand, X_OK) == 0)
				return cand;
			free(cand);
		}
		p += len;
		if (*p == ':')
			p++;
	}
	return NULL;
}

pid_t notify_spawn(const char *program, char *const *argv, char *const *env, struct derr *e)
{
	pid_t pid = fork();
	if (pid == 0) {
		priv_child();
		setsid();
		int fd = open("/dev/null", O_RDWR);
		if (fd >= 0) {
			dup2(fd, STDIN_FILENO);
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
			if (fd > STDERR_FILENO)
				close(fd);
		}
		execve(program, argv, env);
		_exit(127);
	}
	if (pid < 0)
		derr_set(e, DESK_EIO, "cannot start the notify hook: %s", strerror(errno));
	return pid;
}
