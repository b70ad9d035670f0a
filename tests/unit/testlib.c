/* testlib.c: scratch directories and test data paths. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"
#include "util.h"

char *test_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *tmpl = xasprintf("%s/desk-test-XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(tmpl)) {
		perror("mkdtemp");
		abort();
	}
	return tmpl;
}

void test_tmpdir_cleanup(char **dir)
{
	if (!*dir)
		return;
	/* Test directories hold a few flat files only. */
	char *cmd[] = {"rm", "-rf", *dir, NULL};
	pid_t pid = fork();
	if (pid == 0) {
		execvp(cmd[0], cmd);
		_exit(127);
	}
	int status;
	while (pid > 0 && waitpid(pid, &status, 0) < 0)
		;
	xfree(dir);
}

char *test_data(const char *name)
{
	const char *base = getenv("DESK_TESTDATA");
	return xasprintf("%s/%s", base && *base ? base : "tests/data", name);
}
