/* test_pg_roles.c: on PostgreSQL desk knows an agent by the role they
 * connected as, --as is an admin's (or a superuser's), and desk's own
 * writes for an agent pass the grants and row policies of pg_roles_sql.c
 * when made under the agent's role (the rest of the unit suites connect
 * as the superuser, which no grant or policy binds).
 * tests/pg/roles_test.sh tries the refusals with psql. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "util.h"

#define T0 1767225600 /* 2026-01-01 00:00 UTC */

struct rfx {
	char *dir, *path;
	struct config cfg;
	struct desk owner; /* "tester", made by the superuser's init */
};

static void rfx_open(struct rfx *x)
{
	struct derr e = {0};
	test_set_now(T0);
	x->dir = test_tmpdir();
	x->path = test_db_path(x->dir);
	config_defaults(&x->cfg);
	ck_assert_msg(desk_init(&x->owner, x->path, &x->cfg, "tester", &e) == DESK_OK, "%s",
		      e.msg);
	ck_assert_int_eq(core_agent_add(&x->owner, "alice", "Alice", ROLE_AGENT, &e), DESK_OK);
	ck_assert_int_eq(core_agent_add(&x->owner, "bob", "Bob", ROLE_AGENT, &e), DESK_OK);
}

static void rfx_close(struct rfx *x)
{
	desk_close(&x->owner);
	config_free(&x->cfg);
	test_db_drop(&x->path);
	test_tmpdir_cleanup(&x->dir);
	unsetenv("DESK_NOW");
}

/* Opens the database connected as role (libpq takes the last user=). */
static int open_role(struct rfx *x, struct desk *d, const char *role, const char *as,
		     struct derr *e)
{
	char *conninfo = xasprintf("%s user=%s", x->path, role);
	int rc = desk_open(d, conninfo, &x->cfg, as, 0, e);
	free(conninfo);
	return rc;
}

START_TEST(the_connected_role_is_the_agent)
{
	struct rfx x;
	rfx_open(&x);
	struct desk d;
	struct derr e = {0};
	ck_assert_msg(open_role(&x, &d, "alice", NULL, &e) == DESK_OK, "%s", e.msg);
	ck_assert_str_eq(d.me.login, "alice");
	ck_assert_int_eq(d.me.role, ROLE_AGENT);
	desk_close(&d);
	/* A role that is no agent's (the superuser) is refused by name. */
	ck_assert_int_eq(open_role(&x, &d, "postgres", NULL, &e), DESK_EDENIED);
	ck_assert_msg(strstr(e.msg, "postgres is not an agent"), "%s", e.msg);
	rfx_close(&x);
}
END_TEST

START_TEST(as_is_refused_to_an_agent_and_allowed_to_an_admin)
{
	struct rfx x;
	rfx_open(&x);
	struct derr e = {0};
	ck_assert_int_eq(core_agent_add(&x.owner, "carol", "Carol", ROLE_ADMIN, &e), DESK_OK);
	struct desk d;
	ck_assert_int_eq(open_role(&x, &d, "alice", "bob", &e), DESK_EDENIED);
	ck_assert_msg(strstr(e.msg, "--as bob: on PostgreSQL only an admin's database role"),
		      "%s", e.msg);
	ck_assert_ptr_null(d.st);
	ck_assert_msg(open_role(&x, &d, "carol", "bob", &e) == DESK_OK, "%s", e.msg);
	ck_assert_str_eq(d.me.login, "bob");
	desk_close(&d);
	/* A deactivated admin is an admin no more. */
	ck_assert_int_eq(core_agent_set_active(&x.owner, "carol", false, &e), DESK_OK);
	ck_assert_int_ne(open_role(&x, &d, "carol", "bob", &e), DESK_OK);
	rfx_close(&x);
}
END_TEST

START_TEST(an_agent_keeps_drafts_under_their_own_role)
{
	struct rfx x;
	rfx_open(&x);
	struct derr e = {0};
	struct ticket t = {.subject = "Printer", .created_at = T0};
	ck_assert_int_eq(store_begin(x.owner.st, &e), DESK_OK);
	ck_assert_msg(store_ticket_insert(x.owner.st, &t, &e) == DESK_OK, "%s", e.msg);
	ck_assert_int_eq(store_commit(x.owner.st, &e), DESK_OK);
	struct desk alice, bob;
	ck_assert_msg(open_role(&x, &alice, "alice", NULL, &e) == DESK_OK, "%s", e.msg);
	ck_assert_msg(open_role(&x, &bob, "bob", NULL, &e) == DESK_OK, "%s", e.msg);
	ck_assert_msg(store_draft_save(alice.st, t.id, alice.me.id, MSG_REPLY, "Dear Ann", &e) ==
			      DESK_OK,
		      "%s", e.msg);
	char *body = NULL;
	ck_assert_int_eq(store_draft_get(alice.st, t.id, alice.me.id, MSG_REPLY, &body, &e),
			 DESK_OK);
	ck_assert_str_eq(body, "Dear Ann");
	free(body);
	/* Bob reads no draft of alice's, and cannot write one for her. */
	ck_assert_int_eq(store_draft_get(bob.st, t.id, alice.me.id, MSG_REPLY, &body, &e),
			 DESK_OK);
	ck_assert_ptr_null(body);
	ck_assert_int_ne(store_draft_save(bob.st, t.id, alice.me.id, MSG_NOTE, "as alice", &e),
			 DESK_OK);
	ck_assert_msg(strstr(e.msg, "row-level security"), "%s", e.msg);
	ck_assert_int_eq(store_draft_delete(alice.st, t.id, alice.me.id, MSG_REPLY, &e), DESK_OK);
	desk_close(&alice);
	desk_close(&bob);
	rfx_close(&x);
}
END_TEST

START_TEST(role_changes_move_the_login_role)
{
	struct rfx x;
	rfx_open(&x);
	struct derr e = {0};
	ck_assert_int_eq(core_agent_add(&x.owner, "dora", "Dora", ROLE_AGENT, &e), DESK_OK);
	struct desk d;
	ck_assert_msg(open_role(&x, &d, "dora", NULL, &e) == DESK_OK, "%s", e.msg);
	desk_close(&d);
	ck_assert_int_eq(core_agent_set_role(&x.owner, "dora", ROLE_ADMIN, &e), DESK_OK);
	/* Now an admin's role: --as is hers. */
	ck_assert_msg(open_role(&x, &d, "dora", "alice", &e) == DESK_OK, "%s", e.msg);
	desk_close(&d);
	ck_assert_int_eq(core_agent_set_active(&x.owner, "dora", false, &e), DESK_OK);
	ck_assert_int_ne(open_role(&x, &d, "dora", NULL, &e), DESK_OK);
	ck_assert_msg(strstr(e.msg, "not permitted to log in"), "%s", e.msg);
	/* Back again: LOGIN returns. */
	ck_assert_int_eq(core_agent_set_active(&x.owner, "dora", true, &e), DESK_OK);
	ck_assert_msg(open_role(&x, &d, "dora", NULL, &e) == DESK_OK, "%s", e.msg);
	desk_close(&d);
	rfx_close(&x);
}
END_TEST

Suite *suite_pg_roles(void)
{
	Suite *s = suite_create("pg_roles");
	/* Roles and grants are the server's; on SQLite the file's
	 * permissions do their job (tests/priv). */
	if (!test_db_on_pg()) {
		fprintf(stderr, "pg_roles: skipped on SQLite: PostgreSQL roles and grants "
				"(make unit-pg runs this suite)\n");
		return s;
	}
	TCase *tc = tcase_create("postgresql");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, the_connected_role_is_the_agent);
	tcase_add_test(tc, as_is_refused_to_an_agent_and_allowed_to_an_admin);
	tcase_add_test(tc, an_agent_keeps_drafts_under_their_own_role);
	tcase_add_test(tc, role_changes_move_the_login_role);
	suite_add_tcase(s, tc);
	return s;
}
