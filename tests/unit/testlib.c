/* testlib.c: scratch directories, test data paths, the clock and the
 * many-agents fixture. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
	test_db_drop_dir(*dir);
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

void test_set_now(int64_t t)
{
	char buf[32];
	snprintf(buf, sizeof buf, "%lld", (long long)t);
	setenv("DESK_NOW", buf, 1);
}

static void open_as(struct team_fx *x, struct desk *d, const char *login)
{
	struct derr e = {0};
	int rc = desk_open(d, x->path, &x->cfg, login, 0, &e);
	ck_assert_msg(rc == DESK_OK, "desk_open as %s: %s", login, e.msg);
}

static void team_fx_start(struct team_fx *x, int64_t t0, bool sqlite_file)
{
	struct derr e = {0};
	test_set_now(t0);
	x->dir = test_tmpdir();
	x->path = sqlite_file ? xasprintf("%s/desk.db", x->dir) : test_db_path(x->dir);
	config_defaults(&x->cfg);
	ck_assert_msg(desk_init(&x->d, x->path, &x->cfg, "tester", &e) == DESK_OK, "%s", e.msg);
	ck_assert_int_eq(core_agent_add(&x->d, "alice", "Alice", ROLE_AGENT, &e), DESK_OK);
	ck_assert_int_eq(core_agent_add(&x->d, "bob", "Bob", ROLE_AGENT, &e), DESK_OK);
	open_as(x, &x->alice, "alice");
	open_as(x, &x->bob, "bob");
}

void team_fx_open(struct team_fx *x, int64_t t0)
{
	team_fx_start(x, t0, false);
}

void team_fx_open_sqlite(struct team_fx *x, int64_t t0)
{
	team_fx_start(x, t0, true);
}

void team_fx_close(struct team_fx *x)
{
	desk_close(&x->alice);
	desk_close(&x->bob);
	desk_close(&x->d);
	config_free(&x->cfg);
	test_db_drop(&x->path);
	test_tmpdir_cleanup(&x->dir);
	unsetenv("DESK_NOW");
}

const char mail_fx_yaml[] = "mail:\n"
			    "  support_address: \"Desk Support <help@desk.test>\"\n"
			    "  sendmail: [\"%s\", \"-t\", \"-oi\"]\n";

void mail_fx_open(struct mail_fx *f, const char *yaml_fmt, bool log_args)
{
	memset(f, 0, sizeof *f);
	f->dir = test_tmpdir();
	f->db = test_db_path(f->dir);
	f->sent = xasprintf("%s/sent", f->dir);
	char *script = xasprintf("%s/sendmail", f->dir);
	FILE *s = fopen(script, "w");
	ck_assert_ptr_nonnull(s);
	if (log_args)
		fprintf(s, "#!/bin/sh\nfor a in \"$@\"; do echo \"ARG $a\"; done >> '%s'\n"
			   "cat >> '%s'\necho '--END--' >> '%s'\n",
			f->sent, f->sent, f->sent);
	else
		fprintf(s, "#!/bin/sh\ncat > '%s'\n", f->sent);
	fclose(s);
	chmod(script, 0755);
	char *yaml = xasprintf(yaml_fmt ? yaml_fmt : "", script, script);
	char *cname = xasprintf("%s/config.yaml", f->dir);
	struct derr e = {0};
	ck_assert_msg(config_load_string(yaml, cname, &f->cfg, &e) == DESK_OK, "%s", e.msg);
	ck_assert_msg(desk_init(&f->d, f->db, &f->cfg, NULL, &e) == DESK_OK, "%s", e.msg);
	free(cname);
	free(yaml);
	free(script);
}

void mail_fx_close(struct mail_fx *f)
{
	desk_close(&f->d);
	config_free(&f->cfg);
	test_db_drop(&f->db);
	test_tmpdir_cleanup(&f->dir);
	free(f->sent);
}

struct ingest_result mail_fx_ingest(struct mail_fx *f, const char *text)
{
	struct ingest_result r;
	struct derr e = {0};
	bool fault;
	int rc = core_ingest(&f->d, text, strlen(text), NULL, &r, &fault, &e);
	ck_assert_msg(rc == DESK_OK, "%s", e.msg);
	return r;
}
