/* test_gate.c: the write gate's hand-over: a writer queued at the gate
 * says so while it waits, and a long job between two transactions
 * (store_let_waiters_first) lets it take the gate first. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "store.h"
#include "testlib.h"
#include "util.h"

static int64_t agents(struct store *st)
{
	struct agent_list l = {0};
	struct derr e = {0};
	ck_assert_msg(store_agent_list(st, &l, &e) == DESK_OK, "%s", e.msg);
	int64_t n = (int64_t)l.n;
	agent_list_free(&l);
	return n;
}

/* The child: one write, queued behind the parent's transaction, once
 * the parent says go (forked before the parent opened the database: a
 * child must not inherit SQLite's view of its parent's locks). */
static void write_one(const char *path, int go)
{
	char byte;
	if (read(go, &byte, 1) != 1)
		_exit(2);
	struct store *st = NULL;
	struct derr e = {0};
	struct agent a = {.login = "queued", .name = "Queued", .role = ROLE_AGENT, .active = true};
	if (store_open(path, 0, &st, &e) || store_begin(st, &e) ||
	    store_agent_insert(st, &a, &e) || store_commit(st, &e)) {
		fprintf(stderr, "the queued writer: %s\n", e.msg);
		_exit(1);
	}
	store_close(&st);
	_exit(0);
}

START_TEST(waiters_go_first)
{
	char *dir = test_tmpdir(), *path = xasprintf("%s/desk.db", dir);
	struct store *st = NULL;
	struct derr e = {0};
	ck_assert_msg(store_open(path, STORE_CREATE, &st, &e) == DESK_OK, "%s", e.msg);
	int64_t before = agents(st);
	ck_assert(!store_gate_waiting(st));
	store_close(&st);

	int go[2];
	ck_assert_int_eq(pipe(go), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(go[1]);
		write_one(path, go[0]);
	}
	close(go[0]);
	ck_assert_msg(store_open(path, 0, &st, &e) == DESK_OK, "%s", e.msg);
	ck_assert_msg(store_begin(st, &e) == DESK_OK, "%s", e.msg);
	ck_assert_int_eq(write(go[1], "g", 1), 1);
	close(go[1]);
	/* Until the child stands at the gate (it is held by us). */
	for (int i = 0; i < 10000 && !store_gate_waiting(st); i++)
		usleep(1000);
	ck_assert_msg(store_gate_waiting(st), "the queued writer does not show at the gate");
	ck_assert_msg(store_commit(st, &e) == DESK_OK, "%s", e.msg);

	/* The courtesy: back once the child has the gate, so the next
	 * transaction comes after its write. */
	store_let_waiters_first(st, 20000);
	ck_assert(!store_gate_waiting(st));
	ck_assert_msg(store_begin(st, &e) == DESK_OK, "%s", e.msg);
	int64_t during = agents(st);
	store_rollback(st);
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(during, before + 1);

	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* Nobody waiting: it returns at once. */
	store_let_waiters_first(st, 20000);
	store_close(&st);
	free(path);
	test_tmpdir_cleanup(&dir);
}
END_TEST

Suite *suite_gate(void)
{
	Suite *s = suite_create("gate");
	TCase *tc = tcase_create("gate");
	tcase_add_test(tc, waiters_go_first);
	suite_add_tcase(s, tc);
	return s;
}
