/* test_core.c: the actions and rules: opening a desk, new tickets, the
 * status workflow from every status to every other, reopens, first
 * responses, the audit log and all-or-nothing changes, claims (also
 * between processes racing for one ticket), assignment, merging, SLA
 * due times, agent roles and the --as rule. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "caps.h"
#include "core.h"
#include "testlib.h"
#include "testlib_sql.h"
#include "util.h"

#define T0 1800000000LL

/* --- helpers ----------------------------------------------------------- */

struct cfx {
	char *dir;
	char *path;
	struct config cfg;
	struct desk d;
	int64_t alice, bob;
};

static int64_t agent_id(struct desk *d, const char *login)
{
	struct derr e = {0};
	struct agent a;
	ck_assert_int_eq(store_agent_by_login(d->st, login, &a, &e), DESK_OK);
	int64_t id = a.id;
	agent_free(&a);
	return id;
}

/* A new desk made by "tester" (an admin) with agents alice and bob; the
 * clock stands at T0.  sqlite_file: on a SQLite file whatever
 * $DESK_TEST_PG says, for the tests that chown the file. */
static void cfx_start(struct cfx *x, bool sqlite_file)
{
	struct derr e = {0};
	test_set_now(T0);
	x->dir = test_tmpdir();
	x->path = sqlite_file ? xasprintf("%s/desk.db", x->dir) : test_db_path(x->dir);
	config_defaults(&x->cfg);
	int rc = desk_init(&x->d, x->path, &x->cfg, "tester", &e);
	ck_assert_msg(rc == DESK_OK, "desk_init: %s", e.msg);
	ck_assert_int_eq(core_agent_add(&x->d, "alice", "Alice Smith", ROLE_AGENT, &e), DESK_OK);
	ck_assert_int_eq(core_agent_add(&x->d, "bob", "Bob Jones", ROLE_AGENT, &e), DESK_OK);
	x->alice = agent_id(&x->d, "alice");
	x->bob = agent_id(&x->d, "bob");
}

static void cfx_open(struct cfx *x)
{
	cfx_start(x, false);
}

static void cfx_open_sqlite(struct cfx *x)
{
	cfx_start(x, true);
}

static void cfx_close(struct cfx *x)
{
	desk_close(&x->d);
	ck_assert_ptr_null(x->d.st);
	config_free(&x->cfg);
	test_db_drop(&x->path);
	test_tmpdir_cleanup(&x->dir);
	unsetenv("DESK_NOW");
}

/* Another desk on the same file, acting as login. */
static void open_as(struct cfx *x, struct desk *d, const char *login)
{
	struct derr e = {0};
	int rc = desk_open(d, x->path, &x->cfg, login, 0, &e);
	ck_assert_msg(rc == DESK_OK, "desk_open as %s: %s", login, e.msg);
}

/* A ticket from Ann, with her first message when body is set. */
static int64_t new_ticket(struct cfx *x, const char *subject, const char *body)
{
	struct derr e = {0};
	struct new_ticket nt;
	new_ticket_init(&nt);
	nt.subject = subject;
	nt.body = body;
	nt.customer_name = "Ann Lee";
	nt.customer_email = "ann@example.com";
	int64_t id = 0;
	int rc = core_ticket_new(&x->d, &nt, &id, &e);
	ck_assert_msg(rc == DESK_OK, "core_ticket_new: %s", e.msg);
	ck_assert_int_gt(id, 0);
	return id;
}

static struct ticket get(struct cfx *x, int64_t id)
{
	struct derr e = {0};
	struct ticket t;
	int rc = store_ticket_get(x->d.st, id, &t, &e);
	ck_assert_msg(rc == DESK_OK, "%s", e.msg);
	return t;
}

/* Puts a ticket straight into a status (and assignee) through the store,
 * to start a transition from there. */
static void force(struct cfx *x, int64_t id, enum status s, int64_t assignee)
{
	struct derr e = {0};
	struct ticket t = get(x, id);
	t.status = s;
	t.assignee_id = assignee;
	ck_assert_int_eq(store_ticket_update(x->d.st, &t, &e), DESK_OK);
	ticket_free(&t);
}

static size_t event_count(struct cfx *x, int64_t id)
{
	struct derr e = {0};
	struct event_list l = {0};
	ck_assert_int_eq(store_events(x->d.st, id, &l, &e), DESK_OK);
	size_t n = l.n;
	event_list_free(&l);
	return n;
}

/* The events of a ticket from index `from` on, one per line:
 * "action field old new agent", "-" for none; each must be at `at`. */
static char *events_since(struct cfx *x, int64_t id, size_t from, int64_t at)
{
	struct derr e = {0};
	struct event_list l = {0};
	ck_assert_int_eq(store_events(x->d.st, id, &l, &e), DESK_OK);
	struct strbuf b = {0};
#define OR_DASH(s) ((s) ? (s) : "-")
	for (size_t i = from; i < l.n; i++) {
		const struct event *ev = &l.v[i];
		sb_addf(&b, "%s %s %s %s %s\n", ev->action, OR_DASH(ev->field),
			OR_DASH(ev->old_value), OR_DASH(ev->new_value), OR_DASH(ev->agent_login));
		if (at)
			ck_assert_int_eq(ev->at, at);
		ck_assert_int_eq(ev->ticket_id, id);
	}
#undef OR_DASH
	event_list_free(&l);
	return sb_take(&b);
}

#define EXPECT_EVENTS(x, id, from, at, want)                         \
	do {                                                         \
		char *got_ = events_since((x), (id), (from), (at));  \
		ck_assert_str_eq(got_, (want));                      \
		free(got_);                                          \
	} while (0)

static size_t message_count(struct cfx *x, int64_t id)
{
	struct derr e = {0};
	struct message_list l = {0};
	ck_assert_int_eq(store_messages(x->d.st, id, &l, &e), DESK_OK);
	size_t n = l.n;
	message_list_free(&l);
	return n;
}

static int64_t last_message_id(struct cfx *x, int64_t id)
{
	struct derr e = {0};
	struct message_list l = {0};
	ck_assert_int_eq(store_messages(x->d.st, id, &l, &e), DESK_OK);
	ck_assert_uint_gt(l.n, 0);
	int64_t mid = l.v[l.n - 1].id;
	message_list_free(&l);
	return mid;
}

static char *msg(const char *fmt, long long a)
{
	return xasprintf(fmt, a);
}

/* call fails with exactly this code and message (e is the caller's). */
#define EXPECT_ERR(call, want_code, ...)                                          \
	do {                                                                      \
		int rc_ = (call);                                                 \
		ck_assert_msg(rc_ == (want_code), "%s: %d (%s)", #call, rc_, e.msg); \
		char *want_ = xasprintf(__VA_ARGS__);                             \
		ck_assert_str_eq(e.msg, want_);                                   \
		ck_assert_int_eq(e.code, (want_code));                            \
		free(want_);                                                      \
	} while (0)

/* --- opening ----------------------------------------------------------- */

START_TEST(init_and_open)
{
	struct derr e = {0};
	test_set_now(T0);
	char *dir = test_tmpdir();
	char *path = xasprintf("%s/sub/dir/desk.db", dir);
	struct config cfg;
	config_defaults(&cfg);
	struct desk d;
	ck_assert_int_eq(desk_init(&d, path, &cfg, "tester", &e), DESK_OK);
	ck_assert_str_eq(d.me.login, "tester");
	ck_assert_str_eq(d.me.name, "tester");
	ck_assert_int_eq(d.me.role, ROLE_ADMIN);
	ck_assert(d.me.active);
	ck_assert_int_gt(d.me.id, 0);
	ck_assert_ptr_eq(d.cfg, &cfg);
	struct agent a;
	ck_assert_int_eq(store_agent_by_login(d.st, "tester", &a, &e), DESK_OK);
	ck_assert_int_eq(a.role, ROLE_ADMIN);
	ck_assert_int_eq(a.created_at, T0);
	agent_free(&a);
	desk_close(&d);
	ck_assert_ptr_null(d.st);

	/* Once is enough. */
	EXPECT_ERR(desk_init(&d, path, &cfg, "tester", &e), DESK_EINVAL,
		   "%s already holds a desk database with 1 agent", path);
	ck_assert_ptr_null(d.st);

	ck_assert_int_eq(desk_open(&d, path, &cfg, "tester", 0, &e), DESK_OK);
	ck_assert_int_eq(d.me.role, ROLE_ADMIN);
	desk_close(&d);

	EXPECT_ERR(desk_open(&d, path, &cfg, "zed", 0, &e), DESK_EDENIED,
		   "zed is not an agent of the desk at %s; an admin can add you with: desk agent "
		   "add zed",
		   path);
	ck_assert_ptr_null(d.st);
	ck_assert_ptr_null(d.me.login);

	/* Without --as, the Unix login is who acts. */
	char *me = desk_unix_login();
	ck_assert_ptr_nonnull(me);
	EXPECT_ERR(desk_open(&d, path, &cfg, NULL, 0, &e), DESK_EDENIED,
		   "%s is not an agent of the desk at %s; an admin can add you with: desk agent "
		   "add %s",
		   me, path, me);
	ck_assert_int_eq(desk_open(&d, path, &cfg, NULL, DESK_OPEN_NO_AGENT, &e), DESK_OK);
	ck_assert_str_eq(d.me.login, me);
	ck_assert_int_eq(d.me.id, 0);
	desk_close(&d);
	free(me);

	char *missing = xasprintf("%s/nothing.db", dir);
	EXPECT_ERR(desk_open(&d, missing, &cfg, "tester", 0, &e), DESK_ENOTFOUND,
		   "%s: no database here (create one with: desk init)", missing);
	free(missing);

	/* The database path: explicit, $DESK_DB, the config, XDG. */
	char *p = desk_db_path("/x/explicit.db", &cfg);
	ck_assert_str_eq(p, "/x/explicit.db");
	free(p);
	setenv("DESK_DB", "/x/env.db", 1);
	p = desk_db_path(NULL, &cfg);
	ck_assert_str_eq(p, "/x/env.db");
	free(p);
	unsetenv("DESK_DB");
	cfg.db_path = xstrdup("/x/config.db");
	p = desk_db_path("", &cfg);
	ck_assert_str_eq(p, "/x/config.db");
	free(p);
	config_free(&cfg);
	free(path);
	test_tmpdir_cleanup(&dir);
	unsetenv("DESK_NOW");
}
END_TEST

/* --- new tickets ------------------------------------------------------- */

START_TEST(ticket_new_fields)
{
	struct cfx x;
	struct derr e = {0};
	cfx_open(&x);
	struct new_ticket nt;
	new_ticket_init(&nt);
	ck_assert_int_eq(nt.body_kind, MSG_CUSTOMER);
	ck_assert_int_eq(nt.channel, CH_EMAIL);
	ck_assert_int_eq(nt.priority, PRIO_NORMAL);
	const char *tags[] = {"vip", "refund", NULL};
	nt.subject = "  Billing question \n";
	nt.body = "Hello,\r\nI was charged twice.\r\n\r\n\n";
	nt.channel = CH_PHONE;
	nt.priority = PRIO_HIGH;
	nt.queue = "billing";
	nt.customer_name = "Ann Lee";
	nt.customer_email = "ann@example.com";
	nt.customer_phone = "555-0100";
	nt.assignee = "alice";
	nt.tags = tags;
	int64_t id;
	ck_assert_int_eq(core_ticket_new(&x.d, &nt, &id, &e), DESK_OK);

	struct ticket t = get(&x, id);
	ck_assert_str_eq(t.subject, "Billing question");
	ck_assert_int_eq(t.status, ST_NEW);
	ck_assert_int_eq(t.priority, PRIO_HIGH);
	ck_assert_int_eq(t.channel, CH_PHONE);
	ck_assert_str_eq(t.queue, "billing");
	ck_assert_str_eq(t.customer_name, "Ann Lee");
	ck_assert_str_eq(t.customer_email, "ann@example.com");
	ck_assert_str_eq(t.assignee_login, "alice");
	ck_assert_int_eq(t.created_at, T0);
	ck_assert_int_eq(t.updated_at, T0);
	ck_assert_int_eq(t.first_response_at, 0);
	ck_assert_int_eq(t.reopens, 0);
	ck_assert_uint_eq(t.ntags, 2);
	ck_assert_str_eq(t.tags[0], "refund");
	ck_assert_str_eq(t.tags[1], "vip");
	int64_t cust = t.customer_id;
	ticket_free(&t);

	struct message_list ml = {0};
	ck_assert_int_eq(store_messages(x.d.st, id, &ml, &e), DESK_OK);
	ck_assert_uint_eq(ml.n, 1);
	ck_assert_int_eq(ml.v[0].kind, MSG_CUSTOMER);
	ck_assert_str_eq(ml.v[0].body, "Hello,\nI was charged twice.");
	ck_assert_int_eq(ml.v[0].created_at, T0);
	ck_assert_int_eq(ml.v[0].author_id, 0);
	char *want = xasprintf("create - - Billing question tester\n"
			       "customer message - %lld tester\n"
			       "set assignee - alice tester\n"
			       "set tags - vip tester\n"
			       "set tags - refund tester\n",
			       (long long)ml.v[0].id);
	message_list_free(&ml);
	EXPECT_EVENTS(&x, id, 0, T0, want);
	free(want);

	/* The same customer, however the email is written. */
	nt.customer_email = "ANN@Example.COM";
	nt.customer_name = "Someone Else";
	nt.assignee = NULL;
	nt.tags = NULL;
	nt.queue = NULL;
	nt.body = "note body";
	nt.body_kind = MSG_NOTE;
	int64_t id2;
	ck_assert_int_eq(core_ticket_new(&x.d, &nt, &id2, &e), DESK_OK);
	t = get(&x, id2);
	ck_assert_int_eq(t.customer_id, cust);
	ck_assert_str_eq(t.customer_name, "Ann Lee");
	ck_assert_str_eq(t.queue, "general"); /* the config's default queue */
	ck_assert_ptr_null(t.assignee_login);
	ticket_free(&t);
	ck_assert_int_eq(store_messages(x.d.st, id2, &ml, &e), DESK_OK);
	ck_assert_uint_eq(ml.n, 1);
	ck_assert_int_eq(ml.v[0].kind, MSG_NOTE);
	ck_assert_str_eq(ml.v[0].author, "tester");
	message_list_free(&ml);
	EXPECT_EVENTS(&x, id2, 0, T0, "create - - Billing question tester\n");

	/* The config's default queue; a phone-only customer. */
	free(x.cfg.default_queue);
	x.cfg.default_queue = xstrdup("frontline");
	new_ticket_init(&nt);
	nt.subject = "Call";
	nt.customer_phone = "555-0199";
	int64_t id3;
	ck_assert_int_eq(core_ticket_new(&x.d, &nt, &id3, &e), DESK_OK);
	t = get(&x, id3);
	ck_assert_str_eq(t.queue, "frontline");
	ck_assert_int_ne(t.customer_id, cust);
	ck_assert_ptr_null(t.customer_email);
	ticket_free(&t);
	ck_assert_uint_eq(message_count(&x, id3), 0);

	/* Refusals store nothing at all. */
	int64_t nbefore, cbefore, n;
	ck_assert_int_eq(store_ticket_count(x.d.st, &nbefore, &e), DESK_OK);
	ck_assert_int_eq(store_customer_count(x.d.st, &cbefore, &e), DESK_OK);
	int64_t bad = 77;
	new_ticket_init(&nt);
	nt.subject = " \t ";
	nt.customer_email = "new@example.com";
	EXPECT_ERR(core_ticket_new(&x.d, &nt, &bad, &e), DESK_EINVAL, "a new ticket needs a subject");
	ck_assert_int_eq(bad, 0);
	nt.subject = "x";
	nt.customer_email = "nope";
	EXPECT_ERR(core_ticket_new(&x.d, &nt, &bad, &e), DESK_EINVAL,
		   "customer email \"nope\": expected an address like name@example.com");
	nt.customer_email = NULL;
	EXPECT_ERR(core_ticket_new(&x.d, &nt, &bad, &e), DESK_EINVAL,
		   "a customer needs an email, a name or a phone");
	nt.customer_email = "new@example.com";
	nt.queue = "bad queue";
	EXPECT_ERR(core_ticket_new(&x.d, &nt, &bad, &e), DESK_EINVAL,
		   "queue \"bad queue\": expected a queue name: " LABEL_RULE);
	nt.queue = NULL;
	nt.assignee = "zed";
	EXPECT_ERR(core_ticket_new(&x.d, &nt, &bad, &e), DESK_ENOTFOUND,
		   "no agent \"zed\" (desk agent list shows them)");
	nt.assignee = NULL;
	const char *badtags[] = {"ok", "not ok", NULL};
	nt.tags = badtags;
	EXPECT_ERR(core_ticket_new(&x.d, &nt, &bad, &e), DESK_EINVAL,
		   "tag \"not ok\": expected a tag name: " LABEL_RULE);
	ck_assert_int_eq(bad, 0);
	ck_assert_int_eq(store_ticket_count(x.d.st, &n, &e), DESK_OK);
	ck_assert_int_eq(n, nbefore);
	ck_assert_int_eq(store_customer_count(x.d.st, &n, &e), DESK_OK);
	ck_assert_int_eq(n, cbefore);
	ck_assert(!store_in_transaction(x.d.st));
	cfx_close(&x);
}
END_TEST

/* --- the status workflow ----------------------------------------------- */

enum { OK = 0, BACK = 1, FINAL = 2, NOTSOLVED = 3 };

/* From (row) to (column): new, open, pending, on_hold, solved, closed. */
static const int transitions[ST__COUNT][ST__COUNT] = {
	/* new */ {OK, OK, OK, OK, OK, NOTSOLVED},
	/* open */ {BACK, OK, OK, OK, OK, NOTSOLVED},
	/* pending */ {BACK, OK, OK, OK, OK, NOTSOLVED},
	/* on_hold */ {BACK, OK, OK, OK, OK, NOTSOLVED},
	/* solved */ {BACK, OK, OK, OK, OK, OK},
	/* closed */ {FINAL, FINAL, FINAL, FINAL, FINAL, OK},
};

START_TEST(status_every_transition)
{
	struct cfx x;
	cfx_open(&x);
	/* One assigned ticket in each status for each target, made in one
	 * transaction (fewer fsyncs). */
	int64_t ids[ST__COUNT][ST__COUNT];
	struct derr e0 = {0};
	ck_assert_int_eq(store_begin(x.d.st, &e0), DESK_OK);
	for (int from = 0; from < ST__COUNT; from++) {
		for (int to = 0; to < ST__COUNT; to++) {
			struct ticket t = {.subject = "transition", .status = (enum status)from,
					   .assignee_id = x.d.me.id, .created_at = T0};
			ck_assert_int_eq(store_ticket_insert(x.d.st, &t, &e0), DESK_OK);
			ids[from][to] = t.id;
		}
	}
	ck_assert_int_eq(store_commit(x.d.st, &e0), DESK_OK);
	test_set_now(T0 + 60);
	for (int from = 0; from < ST__COUNT; from++) {
		for (int to = 0; to < ST__COUNT; to++) {
			struct derr e = {0};
			int64_t id = ids[from][to];
			size_t nev = 0;
			int rc = core_set_status(&x.d, id, (enum status)to, &e);
			int kind = transitions[from][to];
			const char *fn = status_name((enum status)from);
			const char *tn = status_name((enum status)to);
			struct ticket t = get(&x, id);
			if (kind != OK) {
				ck_assert_msg(rc == DESK_EDENIED, "%s -> %s allowed", fn, tn);
				char *want =
					kind == BACK ? msg("ticket %lld cannot go back to new", id)
					: kind == FINAL
						? msg("ticket %lld is closed, and closed is final; "
						      "open a new ticket",
						      id)
						: xasprintf("ticket %lld is %s; only a solved ticket "
							    "can be closed",
							    (long long)id, fn);
				ck_assert_str_eq(e.msg, want);
				free(want);
				ck_assert_int_eq(t.status, from);
				ck_assert_uint_eq(event_count(&x, id), nev);
				ck_assert_int_eq(t.reopens, 0);
				ck_assert_int_eq(t.updated_at, T0);
			} else {
				ck_assert_msg(rc == DESK_OK, "%s -> %s: %s", fn, tn, e.msg);
				ck_assert_int_eq(t.status, to);
				bool reopen = from == ST_SOLVED && to != ST_SOLVED && to != ST_CLOSED;
				ck_assert_int_eq(t.reopens, reopen ? 1 : 0);
				char *want =
					from == to ? xstrdup("")
					: reopen
						? xasprintf("reopen reopens 0 1 tester\n"
							    "set status %s %s tester\n",
							    fn, tn)
						: xasprintf("set status %s %s tester\n", fn, tn);
				EXPECT_EVENTS(&x, id, nev, T0 + 60, want);
				free(want);
				if (from != to && to == ST_SOLVED) {
					ck_assert_int_eq(t.solved_at, T0 + 60);
					ck_assert_int_eq(t.first_solved_at, T0 + 60);
					ck_assert_int_eq(t.next_due, 0);
				}
				if (from != to && to == ST_CLOSED)
					ck_assert_int_eq(t.closed_at, T0 + 60);
				if (to != ST_CLOSED)
					ck_assert_int_eq(t.closed_at, 0);
			}
			ticket_free(&t);
		}
	}
	cfx_close(&x);
}
END_TEST

START_TEST(solve_needs_assignee)
{
	struct cfx x;
	struct derr e = {0};
	cfx_open(&x);
	int64_t id = new_ticket(&x, "unowned", "help");
	EXPECT_ERR(core_set_status(&x.d, id, ST_SOLVED, &e), DESK_EDENIED,
		   "ticket %lld has no assignee; claim or assign it before solving (or set "
		   "allow_solve_unassigned in the team's config)",
		   (long long)id);
	struct ticket t = get(&x, id);
	ck_assert_int_eq(t.status, ST_NEW);
	ck_assert_int_eq(t.solved_at, 0);
	ticket_free(&t);
	/* The same through a reply that would solve it: nothing is sent. */
	struct field_change solve = {FIELD_STATUS, "solved"};
	int64_t mid = -1;
	ck_assert_int_eq(core_post(&x.d, id, MSG_REPLY, "Done!", &solve, 1, &mid, &e), DESK_EDENIED);
	ck_assert_int_eq(mid, -1);
	ck_assert_uint_eq(message_count(&x, id), 1);

	/* Assigning and solving in one change works: the assignee comes first. */
	struct field_change both[] = {{FIELD_ASSIGNEE, "alice"}, {FIELD_STATUS, "solved"}};
	ck_assert_int_eq(core_apply(&x.d, id, both, 2, &e), DESK_OK);
	t = get(&x, id);
	ck_assert_int_eq(t.status, ST_SOLVED);
	ck_assert_int_eq(t.assignee_id, x.alice);
	ticket_free(&t);

	x.cfg.allow_solve_unassigned = true;
	int64_t id2 = new_ticket(&x, "unowned too", "help");
	ck_assert_int_eq(core_set_status(&x.d, id2, ST_SOLVED, &e), DESK_OK);
	t = get(&x, id2);
	ck_assert_int_eq(t.status, ST_SOLVED);
	ck_assert_int_eq(t.assignee_id, 0);
	ticket_free(&t);
	cfx_close(&x);
}
END_TEST

START_TEST(reopen_counting)
{
	struct cfx x;
	struct derr e = {0};
	cfx_open(&x);
	int64_t id = new_ticket(&x, "comes back", "help");
	ck_assert_int_eq(core_claim(&x.d, id, &e), DESK_OK);
	ck_assert_int_eq(core_set_status(&x.d, id, ST_SOLVED, &e), DESK_OK);
	size_t nev = event_count(&x, id);

	/* By an agent: solved -> open counts. */
	test_set_now(T0 + 100);
	ck_assert_int_eq(core_set_status(&x.d, id, ST_OPEN, &e), DESK_OK);
	struct ticket t = get(&x, id);
	ck_assert_int_eq(t.reopens, 1);
	ck_assert_int_eq(t.status, ST_OPEN);
	ticket_free(&t);
	EXPECT_EVENTS(&x, id, nev, T0 + 100,
		      "reopen reopens 0 1 tester\nset status solved open tester\n");

	/* solved -> pending counts too; solved -> closed does not. */
	ck_assert_int_eq(core_set_status(&x.d, id, ST_SOLVED, &e), DESK_OK);
	ck_assert_int_eq(core_set_status(&x.d, id, ST_PENDING, &e), DESK_OK);
	t = get(&x, id);
	ck_assert_int_eq(t.reopens, 2);
	ticket_free(&t);

	/* The customer writing on a solved ticket reopens it, counted. */
	ck_assert_int_eq(core_set_status(&x.d, id, ST_SOLVED, &e), DESK_OK);
	nev = event_count(&x, id);
	test_set_now(T0 + 200);
	ck_assert_int_eq(core_customer_message(&x.d, id, "It broke again", 0, "<r1@mail>", &e),
			 DESK_OK);
	t = get(&x, id);
	ck_assert_int_eq(t.status, ST_OPEN);
	ck_assert_int_eq(t.reopens, 3);
	ck_assert_int_eq(t.updated_at, T0 + 200);
	ticket_free(&t);
	char *want = xasprintf("customer message - %lld tester\n"
			       "reopen reopens 2 3 tester\n"
			       "set status solved open tester\n",
			       (long long)last_message_id(&x, id));
	EXPECT_EVENTS(&x, id, nev, T0 + 200, want);
	free(want);

	ck_assert_int_eq(core_set_status(&x.d, id, ST_SOLVED, &e), DESK_OK);
	ck_assert_int_eq(core_set_status(&x.d, id, ST_CLOSED, &e), DESK_OK);
	t = get(&x, id);
	ck_assert_int_eq(t.reopens, 3);
	ck_assert_int_eq(t.status, ST_CLOSED);
	ticket_free(&t);
	cfx_close(&x);
}
END_TEST

START_TEST(customer_message_effects)
{
	struct cfx x;
	struct derr e = {0};
	cfx_open(&x);
	static const struct {
		enum status from, to;
	} cases[] = {
		{ST_NEW, ST_NEW},         {ST_OPEN, ST_OPEN},     {ST_PENDING, ST_OPEN},
		{ST_ON_HOLD, ST_OPEN},    {ST_SOLVED, ST_OPEN},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		test_set_now(T0);
		int64_t id = new_ticket(&x, "waiting", "first");
		force(&x, id, cases[i].from, x.bob);
		size_t nev = event_count(&x, id);
		test_set_now(T0 + 300);
		char mailid[32];
		snprintf(mailid, sizeof mailid, "<m%zu@x>", i);
		ck_assert_int_eq(core_customer_message(&x.d, id, "more\r\n", T0 + 250, mailid, &e),
				 DESK_OK);
		struct ticket t = get(&x, id);
		ck_assert_int_eq(t.status, cases[i].to);
		ck_assert_int_eq(t.reopens, cases[i].from == ST_SOLVED ? 1 : 0);
		ck_assert_int_eq(t.updated_at, T0 + 300);
		ck_assert_int_eq(t.assignee_id, x.bob);
		ticket_free(&t);
		struct message m;
		ck_assert_int_eq(store_message_last(x.d.st, id, MSG_CUSTOMER, &m, &e), DESK_OK);
		ck_assert_str_eq(m.body, "more");
		ck_assert_int_eq(m.created_at, T0 + 250);
		ck_assert_str_eq(m.message_id, mailid);
		struct strbuf w = {0};
		sb_addf(&w, "customer message - %lld tester\n", (long long)m.id);
		if (cases[i].from == ST_SOLVED)
			sb_add(&w, "reopen reopens 0 1 tester\n");
		if (cases[i].from != cases[i].to)
			sb_addf(&w, "set status %s open tester\n", status_name(cases[i].from));
		EXPECT_EVENTS(&x, id, nev, T0 + 300, sb_str(&w));
		sb_free(&w);
		message_free(&m);
		/* Message-IDs are unique: the same mail twice is refused. */
		ck_assert_int_eq(core_customer_message(&x.d, id, "dup", 0, mailid, &e), DESK_EINVAL);
		ck_assert_uint_eq(message_count(&x, id), 2);
	}
	/* No clock given: now. */
	int64_t id = new_ticket(&x, "now", NULL);
	ck_assert_int_eq(core_customer_message(&x.d, id, "hi", 0, NULL, &e), DESK_OK);
	struct message m;
	ck_assert_int_eq(store_message_last(x.d.st, id, MSG_CUSTOMER, &m, &e), DESK_OK);
	ck_assert_int_eq(m.created_at, T0 + 300);
	ck_assert_ptr_null(m.message_id);
	message_free(&m);

	/* Closed tickets take no more messages. */
	force(&x, id, ST_CLOSED, x.bob);
	EXPECT_ERR(core_customer_message(&x.d, id, "hello?", 0, NULL, &e), DESK_EDENIED,
		   "ticket %lld is closed; open a new ticket", (long long)id);
	EXPECT_ERR(core_reply(&x.d, id, "hello?", &e), DESK_EDENIED,
		   "ticket %lld is closed; nothing was sent (open a new ticket)", (long long)id);
	ck_assert_uint_eq(message_count(&x, id), 1);
	EXPECT_ERR(core_customer_message(&x.d, 999, "x", 0, NULL, &e), DESK_ENOTFOUND,
		   "no ticket 999");
	cfx_close(&x);
}
END_TEST

/* --- replies and notes ------------------------------------------------- */

START_TEST(first_response)
{
	struct cfx x;
	struct derr e = {0};
	cfx_open(&x);
	/* The customer wrote: the first reply is the first response. */
	int64_t a = new_ticket(&x, "with message", "help");
	test_set_now(T0 + 600);
	ck_assert_int_eq(core_note(&x.d, a, "looking", &e), DESK_OK);
	struct ticket t = get(&x, a);
	ck_assert_int_eq(t.first_response_at, 0); /* a note is not a response */
	ck_assert_int_eq(t.status, ST_NEW);       /* nor does it open the ticket */
	ticket_free(&t);
	test_set_now(T0 + 700);
	ck_assert_int_eq(core_reply(&x.d, a, "On it", &e), DESK_OK);
	test_set_now(T0 + 900);
	ck_assert_int_eq(core_reply(&x.d, a, "Done", &e), DESK_OK);
	t = get(&x, a);
	ck_assert_int_eq(t.first_response_at, T0 + 700);
	ck_assert_int_eq(t.updated_at, T0 + 900);
	ticket_free(&t);

	/* Nobody wrote in yet (an outbound ticket): a reply is not a
	 * response to anything; the first one after the customer is. */
	test_set_now(T0);
	int64_t b = new_ticket(&x, "outbound", NULL);
	test_set_now(T0 + 600);
	ck_assert_int_eq(core_reply(&x.d, b, "We noticed a problem", &e), DESK_OK);
	t = get(&x, b);
	ck_assert_int_eq(t.first_response_at, 0);
	ticket_free(&t);
	test_set_now(T0 + 700);
	ck_assert_int_eq(core_customer_message(&x.d, b, "What problem?", 0, NULL, &e), DESK_OK);
	test_set_now(T0 + 800);
	ck_assert_int_eq(core_reply(&x.d, b, "This one", &e), DESK_OK);
	t = get(&x, b);
	ck_assert_int_eq(t.first_response_at, T0 + 800);
	ticket_free(&t);
	cfx_close(&x);
}
END_TEST

START_TEST(reply_opens_new_ticket)
{
	struct cfx x;
	struct derr e = {0};
	cfx_open(&x);
	int64_t id = new_ticket(&x, "fresh", "help");
	size_t nev = event_count(&x, id);
	test_set_now(T0 + 60);
	int64_t mid = 0;
	ck_assert_int_eq(core_post(&x.d, id, MSG_REPLY, "Hi Ann,\r\n\r\nsure.\n\n", NULL, 0, &mid, &e),
			 DESK_OK);
	ck_assert_int_gt(mid, 0);
	struct ticket t = get(&x, id);
	ck_assert_int_eq(t.status, ST_OPEN);
	ck_assert_int_eq(t.updated_at, T0 + 60);
	ticket_free(&t);
	char *want = xasprintf("set status new open tester\nreply message - %lld tester\n",
			       (long long)mid);
	EXPECT_EVENTS(&x, id, nev, T0 + 60, want);
	free(want);
	struct message m;
	ck_assert_int_eq(store_message_last(x.d.st, id, MSG_REPLY, &m, &e), DESK_OK);
	ck_assert_int_eq(m.id, mid);
	ck_assert_str_eq(m.body, "Hi Ann,\n\nsure.");
	ck_assert_int_eq(m.author_id, x.d.me.id);
	ck_assert_str_eq(m.author, "tester");
	ck_assert_int_eq(m.created_at, T0 + 60);
	message_free(&m);

	/* A reply on pending or solved leaves the status alone. */
	force(&x, id, ST_PENDING, x.d.me.id);
	ck_assert_int_eq(core_reply(&x.d, id, "Any news?", &e), DESK_OK);
	t = get(&x, id);
	ck_assert_int_eq(t.status, ST_PENDING);
	ticket_free(&t);

	/* A note's event; posting deletes the agent's draft of that kind. */
	ck_assert_int_eq(store_draft_save(x.d.st, id, x.d.me.id, MSG_NOTE, "half a note", &e),
			 DESK_OK);
	ck_assert_int_eq(store_draft_save(x.d.st, id, x.d.me.id, MSG_REPLY, "half a reply", &e),
			 DESK_OK);
	nev = event_count(&x, id);
	ck_assert_int_eq(core_post(&x.d, id, MSG_NOTE, "internal", NULL, 0, &mid, &e), DESK_OK);
	want = xasprintf("note message - %lld tester\n", (long long)mid);
	EXPECT_EVENTS(&x, id, nev, T0 + 60, want);
	free(want);
	char *body;
	ck_assert_int_eq(store_draft_get(x.d.st, id, x.d.me.id, MSG_NOTE, &body, &e), DESK_OK);
	ck_assert_ptr_null(body);
	ck_assert_int_eq(store_draft_get(x.d.st, id, x.d.me.id, MSG_REPLY, &body, &e), DESK_OK);
	ck_assert_str_eq(body, "half a reply");
	free(body);

	EXPECT_ERR(core_post(&x.d, id, MSG_CUSTOMER, "x", NULL, 0, NULL, &e), DESK_EINVAL,
		   "internal error: post of kind customer");
	EXPECT_ERR(core_reply(&x.d, 999, "x", &e), DESK_ENOTFOUND, "no ticket 999");
	cfx_close(&x);
}
END_TEST

START_TEST(empty_body_rejected)
{
	struct cfx x;
	struct derr e = {0};
	cfx_open(&x);
	int64_t id = new_ticket(&x, "quiet", "help");
	ck_assert_int_eq(store_draft_save(x.d.st, id, x.d.me.id, MSG_REPLY, "keep me", &e), DESK_OK);
	size_t nev = event_count(&x, id), nmsg = message_count(&x, id);
	static const char *const blanks[] = {"", " ", "\n\n", " \t\r\n "};
	for (size_t i = 0; i < ARRAY_LEN(blanks); i++) {
		EXPECT_ERR(core_reply(&x.d, id, blanks[i], &e), DESK_EINVAL,
			   "the reply is empty: nothing was sent");
		EXPECT_ERR(core_note(&x.d, id, blanks[i], &e), DESK_EINVAL,
			   "the note is empty: nothing was sent");
		EXPECT_ERR(core_customer_message(&x.d, id, blanks[i], 0, NULL, &e), DESK_EINVAL,
			   "the message is empty: nothing was stored");
	}
	struct field_change c = {FIELD_PRIORITY, "urgent"};
	EXPECT_ERR(core_post(&x.d, id, MSG_REPLY, "  ", &c, 1, NULL, &e), DESK_EINVAL,
		   "the reply is empty: nothing was sent");
	ck_assert_uint_eq(event_count(&x, id), nev);
	ck_assert_uint_eq(message_count(&x, id), nmsg);
	struct ticket t = get(&x, id);
	ck_assert_int_eq(t.status, ST_NEW);
	ck_assert_int_eq(t.priority, PRIO_NORMAL);
	ticket_free(&t);
	char *body;
	ck_assert_int_eq(store_draft_get(x.d.st, id, x.d.me.id, MSG_REPLY, &body, &e), DESK_OK);
	ck_assert_str_eq(body, "keep me");
	free(body);
	cfx_close(&x);
}
END_TEST

/* --- changes and the audit log ----------------------------------------- */

START_TEST(field_changes_parse)
{
	struct derr e = {0};
	struct field_change c;
	char buf[32];
	static const struct {
		const char *text;
		enum field field;
		const char *value;
	} good[] = {
		{"status=solved", FIELD_STATUS, "solved"},
		{"priority=high", FIELD_PRIORITY, "high"},
		{"queue=billing", FIELD_QUEUE, "billing"},
		{"assignee=", FIELD_ASSIGNEE, ""},
		{"subject=a=b", FIELD_SUBJECT, "a=b"},
		{"tag+=refund", FIELD_TAG_ADD, "refund"},
		{"tags+=x", FIELD_TAG_ADD, "x"},
		{"tag-=x", FIELD_TAG_REMOVE, "x"},
		{"tags-=y", FIELD_TAG_REMOVE, "y"},
	};
	for (size_t i = 0; i < ARRAY_LEN(good); i++) {
		ck_assert_int_eq(field_change_parse(good[i].text, &c, buf, sizeof buf, &e), DESK_OK);
		ck_assert_int_eq(c.field, good[i].field);
		ck_assert_str_eq(c.value, good[i].value);
	}
	EXPECT_ERR(field_change_parse("solved", &c, buf, sizeof buf, &e), DESK_EUSAGE,
		   "\"solved\": expected FIELD=VALUE (status, priority, queue, assignee, subject, until) "
		   "or tag+=TAG / tag-=TAG");
	EXPECT_ERR(field_change_parse("colour=red", &c, buf, sizeof buf, &e), DESK_EUSAGE,
		   "\"colour=red\": unknown field \"colour\"; expected status, priority, queue, "
		   "assignee, subject, until, tag+ or tag-");
	EXPECT_ERR(field_change_parse("Status=open", &c, buf, sizeof buf, &e), DESK_EUSAGE,
		   "\"Status=open\": unknown field \"Status\"; expected status, priority, queue, "
		   "assignee, subject, until, tag+ or tag-");
	EXPECT_ERR(field_change_parse("a-very-long-field-name-indeed-yes=1", &c, buf, sizeof buf, &e),
		   DESK_EUSAGE, "\"a-very-long-field-name-indeed-yes=1\": unknown field");
}
END_TEST

START_TEST(audit_events)
{
	struct cfx x;
	struct derr e = {0};
	cfx_open(&x);
	int64_t id = new_ticket(&x, "Old subject", "help");
	int64_t mid = last_message_id(&x, id);
	char *want = xasprintf("create - - Old subject tester\ncustomer message - %lld tester\n",
			       (long long)mid);
	EXPECT_EVENTS(&x, id, 0, T0, want);
	free(want);

	test_set_now(T0 + 10);
	struct field_change ch[] = {
		{FIELD_PRIORITY, "high"},
		{FIELD_QUEUE, "billing"},
		{FIELD_TAG_ADD, "vip"},
		{FIELD_ASSIGNEE, "alice"},
		{FIELD_SUBJECT, "  New subject "},
	};
	ck_assert_int_eq(core_apply(&x.d, id, ch, ARRAY_LEN(ch), &e), DESK_OK);
	EXPECT_EVENTS(&x, id, 2, T0 + 10,
		      "set priority normal high tester\n"
		      "set queue general billing tester\n"
		      "set tags - vip tester\n"
		      "set assignee - alice tester\n"
		      "set subject Old subject New subject tester\n");
	struct ticket t = get(&x, id);
	ck_assert_int_eq(t.priority, PRIO_HIGH);
	ck_assert_str_eq(t.queue, "billing");
	ck_assert_str_eq(t.assignee_login, "alice");
	ck_assert_str_eq(t.subject, "New subject");
	ck_assert_uint_eq(t.ntags, 1);
	ck_assert_int_eq(t.updated_at, T0 + 10);
	ticket_free(&t);

	/* Setting what is already there writes no event. */
	test_set_now(T0 + 20);
	ck_assert_int_eq(core_apply(&x.d, id, ch, ARRAY_LEN(ch), &e), DESK_OK);
	ck_assert_uint_eq(event_count(&x, id), 7);
	ck_assert_int_eq(core_tag(&x.d, id, "nosuch", false, &e), DESK_OK);
	ck_assert_uint_eq(event_count(&x, id), 7);

	/* Each single-field action, by another agent (a supervisor: alice
	 * holds the ticket). */
	struct desk d2;
	ck_assert_int_eq(core_agent_set_role(&x.d, "bob", ROLE_SUPERVISOR, &e), DESK_OK);
	open_as(&x, &d2, "bob");
	test_set_now(T0 + 30);
	ck_assert_int_eq(core_tag(&d2, id, "vip", false, &e), DESK_OK);
	ck_assert_int_eq(core_set_priority(&d2, id, PRIO_URGENT, &e), DESK_OK);
	ck_assert_int_eq(core_set_queue(&d2, id, "general", &e), DESK_OK);
	ck_assert_int_eq(core_unassign(&d2, id, &e), DESK_OK);
	ck_assert_int_eq(core_assign(&d2, id, "bob", &e), DESK_OK);
	ck_assert_int_eq(core_assign(&d2, id, "none", &e), DESK_OK);
	ck_assert_int_eq(core_set_status(&d2, id, ST_ON_HOLD, &e), DESK_OK);
	EXPECT_EVENTS(&x, id, 7, T0 + 30,
		      "set tags vip - bob\n"
		      "set priority high urgent bob\n"
		      "set queue billing general bob\n"
		      "set assignee alice - bob\n"
		      "set assignee - bob bob\n"
		      "set assignee bob - bob\n"
		      "set status new on_hold bob\n");
	desk_close(&d2);

	/* Bad values name what was expected. */
	struct field_change bad;
	bad = (struct field_change){FIELD_PRIORITY, "extreme"};
	EXPECT_ERR(core_apply(&x.d, id, &bad, 1, &e), DESK_EINVAL,
		   "priority \"extreme\": expected low, normal, high or urgent");
	bad = (struct field_change){FIELD_STATUS, "done"};
	EXPECT_ERR(core_apply(&x.d, id, &bad, 1, &e), DESK_EINVAL,
		   "status \"done\": expected new, open, pending, on_hold, solved or closed");
	bad = (struct field_change){FIELD_QUEUE, "bad queue"};
	EXPECT_ERR(core_apply(&x.d, id, &bad, 1, &e), DESK_EINVAL,
		   "queue \"bad queue\": expected a queue name: " LABEL_RULE);
	bad = (struct field_change){FIELD_QUEUE, ""};
	ck_assert_int_eq(core_apply(&x.d, id, &bad, 1, &e), DESK_EINVAL);
	bad = (struct field_change){FIELD_TAG_ADD, "a,b"};
	EXPECT_ERR(core_apply(&x.d, id, &bad, 1, &e), DESK_EINVAL,
		   "tag \"a,b\": expected a tag name: " LABEL_RULE);
	char longtag[70];
	memset(longtag, 'x', 65);
	longtag[65] = '\0';
	bad = (struct field_change){FIELD_TAG_ADD, longtag};
	ck_assert_int_eq(core_apply(&x.d, id, &bad, 1, &e), DESK_EINVAL);
	bad = (struct field_change){FIELD_SUBJECT, " \t "};
	EXPECT_ERR(core_apply(&x.d, id, &bad, 1, &e), DESK_EINVAL, "subject: must not be empty");
	bad = (struct field_change){FIELD_ASSIGNEE, "zed"};
	EXPECT_ERR(core_apply(&x.d, id, &bad, 1, &e), DESK_ENOTFOUND,
		   "no agent \"zed\" (desk agent list shows them)");
	EXPECT_ERR(core_apply(&x.d, 999, &bad, 1, &e), DESK_ENOTFOUND, "no ticket 999");
	ck_assert_uint_eq(event_count(&x, id), 14);
	ck_assert(!store_in_transaction(x.d.st));
	cfx_close(&x);
}
END_TEST

/* A change that fails part-way leaves no trace: no field, no tag, no
 * event, no message. */
START_TEST(failed_apply_changes_nothing)
{
	struct cfx x;
	struct derr e = {0};
	cfx_open(&x);
	int64_t id = new_ticket(&x, "atomic", "help");
	struct ticket before = get(&x, id);
	size_t nev = event_count(&x, id);
	test_set_now(T0 + 50);

	struct field_change a[] = {{FIELD_PRIORITY, "high"}, {FIELD_STATUS, "bogus"}};
	EXPECT_ERR(core_apply(&x.d, id, a, 2, &e), DESK_EINVAL,
		   "status \"bogus\": expected new, open, pending, on_hold, solved or closed");
	struct field_change b[] = {{FIELD_TAG_ADD, "vip"},
				   {FIELD_QUEUE, "billing"},
				   {FIELD_ASSIGNEE, "alice"},
				   {FIELD_SUBJECT, "renamed"},
				   {FIELD_ASSIGNEE, "zed"}};
	ck_assert_int_eq(core_apply(&x.d, id, b, ARRAY_LEN(b), &e), DESK_ENOTFOUND);
	struct field_change c[] = {{FIELD_TAG_ADD, "vip"}, {FIELD_STATUS, "closed"}};
	ck_assert_int_eq(core_apply(&x.d, id, c, 2, &e), DESK_EDENIED);
	struct field_change d[] = {{FIELD_PRIORITY, "urgent"}, {FIELD_STATUS, "solved"}};
	ck_assert_int_eq(core_post(&x.d, id, MSG_REPLY, "Solved!", d, 2, NULL, &e), DESK_EDENIED);

	struct ticket after = get(&x, id);
	ck_assert_int_eq(after.priority, before.priority);
	ck_assert_int_eq(after.status, ST_NEW);
	ck_assert_str_eq(after.queue, "general");
	ck_assert_str_eq(after.subject, "atomic");
	ck_assert_int_eq(after.assignee_id, 0);
	ck_assert_uint_eq(after.ntags, 0);
	ck_assert_int_eq(after.updated_at, before.updated_at);
	ck_assert_int_eq(after.next_due, before.next_due);
	ck_assert_int_eq(after.first_response_at, 0);
	ticket_free(&after);
	ticket_free(&before);
	ck_assert_uint_eq(event_count(&x, id), nev);
	ck_assert_uint_eq(message_count(&x, id), 1);
	ck_assert(!store_in_transaction(x.d.st));

	/* And the desk still works afterwards. */
	ck_assert_int_eq(core_apply(&x.d, id, a, 1, &e), DESK_OK);
	ck_assert_uint_eq(event_count(&x, id), nev + 1);
	cfx_close(&x);
}
END_TEST

/* A canned macro: reply and changes together. */
START_TEST(post_with_changes)
{
	struct cfx x;
	struct derr e = {0};
	cfx_open(&x);
	int64_t id = new_ticket(&x, "macro", "help");
	ck_assert_int_eq(core_claim(&x.d, id, &e), DESK_OK);
	size_t nev = event_count(&x, id);
	test_set_now(T0 + 90);
	struct field_change ch[] = {{FIELD_STATUS, "pending"},
				    {FIELD_PRIORITY, "low"},
				    {FIELD_TAG_ADD, "waiting"}};
	int64_t mid;
	ck_assert_int_eq(core_post(&x.d, id, MSG_REPLY, "Could you send a screenshot?", ch, 3, &mid,
				   &e),
			 DESK_OK);
	struct ticket t = get(&x, id);
	ck_assert_int_eq(t.status, ST_PENDING);
	ck_assert_int_eq(t.priority, PRIO_LOW);
	ck_assert_uint_eq(t.ntags, 1);
	ck_assert_str_eq(t.tags[0], "waiting");
	ck_assert_int_eq(t.first_response_at, T0 + 90);
	ticket_free(&t);
	char *want = xasprintf("set status new open tester\n"
			       "reply message - %lld tester\n"
			       "set status open pending tester\n"
			       "set priority normal low tester\n"
			       "set tags - waiting tester\n",
			       (long long)mid);
	EXPECT_EVENTS(&x, id, nev, T0 + 90, want);
	free(want);
	cfx_close(&x);
}
END_TEST

/* --- claiming and assigning -------------------------------------------- */

START_TEST(claim_rules)
{
	struct cfx x;
	struct derr e = {0};
	cfx_open(&x);
	int64_t id = new_ticket(&x, "up for grabs", "help");
	size_t nev = event_count(&x, id);
	test_set_now(T0 + 5);
	ck_assert_int_eq(core_claim(&x.d, id, &e), DESK_OK);
	struct ticket t = get(&x, id);
	ck_assert_int_eq(t.assignee_id, x.d.me.id);
	ck_assert_str_eq(t.assignee_login, "tester");
	ck_assert_int_eq(t.updated_at, T0 + 5);
	ticket_free(&t);
	EXPECT_EVENTS(&x, id, nev, T0 + 5, "claim assignee - tester tester\n");
	/* Claiming one's own ticket again is fine and changes nothing. */
	test_set_now(T0 + 6);
	ck_assert_int_eq(core_claim(&x.d, id, &e), DESK_OK);
	ck_assert_uint_eq(event_count(&x, id), nev + 1);
	t = get(&x, id);
	ck_assert_int_eq(t.updated_at, T0 + 5);
	ticket_free(&t);

	/* Someone else's. */
	struct desk alice;
	open_as(&x, &alice, "alice");
	EXPECT_ERR(core_claim(&alice, id, &e), DESK_ECONFLICT,
		   "ticket %lld is already assigned to tester", (long long)id);
	int64_t id2 = new_ticket(&x, "alice's", "help");
	ck_assert_int_eq(core_claim(&alice, id2, &e), DESK_OK);
	EXPECT_ERR(core_claim(&x.d, id2, &e), DESK_ECONFLICT,
		   "ticket %lld is already assigned to alice", (long long)id2);
	t = get(&x, id2);
	ck_assert_int_eq(t.assignee_id, x.alice);
	ticket_free(&t);
	desk_close(&alice);

	/* Closed tickets are not claimed. */
	int64_t id3 = new_ticket(&x, "closed", "help");
	force(&x, id3, ST_CLOSED, 0);
	EXPECT_ERR(core_claim(&x.d, id3, &e), DESK_EDENIED, "ticket %lld is closed", (long long)id3);
	EXPECT_ERR(core_claim(&x.d, 999, &e), DESK_ENOTFOUND, "no ticket 999");
	ck_assert(!store_in_transaction(x.d.st));
	cfx_close(&x);
}
END_TEST

/* Agents in separate processes claim one ticket at the same moment:
 * exactly one gets it, the others are told who has it. */
START_TEST(claim_race)
{
	struct cfx x;
	struct derr e = {0};
	cfx_open(&x);
	static const char *const logins[] = {"carol", "dave", "erin", "frank", "grace", "heidi"};
	enum { N = ARRAY_LEN(logins) };
	for (int i = 0; i < N; i++)
		ck_assert_int_eq(core_agent_add(&x.d, logins[i], NULL, ROLE_AGENT, &e), DESK_OK);
	int64_t id = new_ticket(&x, "everyone wants it", "help");
	char *prefix = xasprintf("ticket %lld is already assigned to ", (long long)id);

	int go[2];
	ck_assert_int_eq(pipe(go), 0);
	pid_t pids[N];
	for (int i = 0; i < N; i++) {
		pids[i] = fork();
		ck_assert_int_ge(pids[i], 0);
		if (pids[i] == 0) {
			close(go[1]);
			struct desk d;
			struct derr ce = {0};
			if (desk_open(&d, x.path, &x.cfg, logins[i], 0, &ce))
				_exit(3);
			char c;
			if (read(go[0], &c, 1) != 1)
				_exit(4);
			int rc = core_claim(&d, id, &ce);
			int out = rc == DESK_OK ? 0
				  : rc == DESK_ECONFLICT && strncmp(ce.msg, prefix, strlen(prefix)) == 0
					  ? 1
					  : 2;
			desk_close(&d);
			_exit(out);
		}
	}
	close(go[0]);
	char start[N];
	memset(start, 'g', sizeof start);
	ck_assert_int_eq(write(go[1], start, N), N);
	close(go[1]);
	int winners = 0, losers = 0, winner = -1;
	for (int i = 0; i < N; i++) {
		int status;
		ck_assert_int_eq(waitpid(pids[i], &status, 0), pids[i]);
		ck_assert(WIFEXITED(status));
		int code = WEXITSTATUS(status);
		ck_assert_msg(code == 0 || code == 1, "%s exited %d", logins[i], code);
		if (code == 0) {
			winners++;
			winner = i;
		} else {
			losers++;
		}
	}
	ck_assert_int_eq(winners, 1);
	ck_assert_int_eq(losers, N - 1);
	struct ticket t = get(&x, id);
	ck_assert_str_eq(t.assignee_login, logins[winner]);
	ticket_free(&t);
	char *want = xasprintf("claim assignee - %s %s\n", logins[winner], logins[winner]);
	size_t n = event_count(&x, id);
	EXPECT_EVENTS(&x, id, n - 1, T0, want);
	free(want);
	free(prefix);
	cfx_close(&x);
}
END_TEST

START_TEST(assign_rules)
{
	struct cfx x;
	struct derr e = {0};
	cfx_open(&x);
	int64_t id = new_ticket(&x, "hand over", "help");
	ck_assert_int_eq(core_assign(&x.d, id, "alice", &e), DESK_OK);
	EXPECT_ERR(core_assign(&x.d, id, "zed", &e), DESK_ENOTFOUND,
		   "no agent \"zed\" (desk agent list shows them)");
	EXPECT_ERR(core_assign(&x.d, id, "ALICE", &e), DESK_ENOTFOUND,
		   "no agent \"ALICE\" (desk agent list shows them)");
	ck_assert_int_eq(core_agent_set_active(&x.d, "bob", false, &e), DESK_OK);
	EXPECT_ERR(core_assign(&x.d, id, "bob", &e), DESK_EDENIED, "agent bob is deactivated");
	struct ticket t = get(&x, id);
	ck_assert_str_eq(t.assignee_login, "alice");
	ticket_free(&t);
	ck_assert_int_eq(core_unassign(&x.d, id, &e), DESK_OK);
	t = get(&x, id);
	ck_assert_int_eq(t.assignee_id, 0);
	ck_assert_ptr_null(t.assignee_login);
	ticket_free(&t);
	/* Unassigning the unassigned: nothing to record. */
	size_t nev = event_count(&x, id);
	ck_assert_int_eq(core_unassign(&x.d, id, &e), DESK_OK);
	ck_assert_uint_eq(event_count(&x, id), nev);
	cfx_close(&x);
}
END_TEST

/* An agent hands over their own tickets and takes unassigned ones, but
 * only a supervisor or an admin takes a ticket another agent holds. */
START_TEST(reassign_roles)
{
	struct cfx x;
	struct derr e = {0};
	cfx_open(&x);
	int64_t id = new_ticket(&x, "whose is it", "help");
	struct desk alice, bob;
	open_as(&x, &alice, "alice");
	open_as(&x, &bob, "bob");
	ck_assert_int_eq(core_assign(&alice, id, "alice", &e), DESK_OK);
	EXPECT_ERR(core_assign(&bob, id, "bob", &e), DESK_EDENIED,
		   "ticket 1 belongs to alice; only a supervisor or an admin can reassign it "
		   "(or set agents_may_reassign in the team's config)");
	EXPECT_ERR(core_unassign(&bob, id, &e), DESK_EDENIED,
		   "ticket 1 belongs to alice; only a supervisor or an admin can reassign it "
		   "(or set agents_may_reassign in the team's config)");
	ck_assert_int_eq(core_assign(&alice, id, "bob", &e), DESK_OK); /* hand over */
	ck_assert_int_eq(core_assign(&x.d, id, "alice", &e), DESK_OK); /* admin */
	x.cfg.agents_may_reassign = true;
	ck_assert_int_eq(core_assign(&bob, id, "bob", &e), DESK_OK);
	struct ticket t = get(&x, id);
	ck_assert_str_eq(t.assignee_login, "bob");
	ticket_free(&t);
	desk_close(&alice);
	desk_close(&bob);
	cfx_close(&x);
}
END_TEST

/* --- merging ----------------------------------------------------------- */

/* Merging closes the duplicate: an agent may not close another agent's
 * ticket that way, any more than take it. */
START_TEST(merge_follows_the_reassign_rule)
{
	struct cfx x;
	struct derr e = {0};
	cfx_open(&x);
	int64_t a = new_ticket(&x, "alice's", "one");
	int64_t b = new_ticket(&x, "bob's", "two");
	struct desk alice, bob;
	open_as(&x, &alice, "alice");
	open_as(&x, &bob, "bob");
	ck_assert_int_eq(core_claim(&alice, a, &e), DESK_OK);
	ck_assert_int_eq(core_claim(&bob, b, &e), DESK_OK);
	size_t nev = event_count(&x, a);
	EXPECT_ERR(core_merge(&bob, a, b, &e), DESK_EDENIED,
		   "ticket %lld belongs to alice; only a supervisor or an admin can merge it away "
		   "(or set agents_may_reassign in the team's config)",
		   (long long)a);
	struct ticket t = get(&x, a);
	ck_assert_int_eq(t.merged_into, 0);
	ck_assert_int_ne(t.status, ST_CLOSED);
	ticket_free(&t);
	ck_assert_uint_eq(event_count(&x, a), nev);
	/* into another's ticket is fine: nothing of it is taken */
	ck_assert_int_eq(core_merge(&alice, a, b, &e), DESK_OK);
	int64_t c = new_ticket(&x, "alice's too", "three");
	ck_assert_int_eq(core_claim(&alice, c, &e), DESK_OK);
	x.cfg.agents_may_reassign = true;
	ck_assert_int_eq(core_merge(&bob, c, b, &e), DESK_OK);
	/* the merged tickets' own events stay on them */
	struct event_list l = {0};
	ck_assert_int_eq(store_events(x.d.st, a, &l, &e), DESK_OK);
	ck_assert_uint_eq(l.n, nev + 2); /* merged_into, status closed */
	event_list_free(&l);
	desk_close(&alice);
	desk_close(&bob);
	cfx_close(&x);
}
END_TEST

START_TEST(merge_moves_everything)
{
	struct cfx x;
	struct derr e = {0};
	cfx_open(&x);
	int64_t a = new_ticket(&x, "Printer jam", "first words");
	int64_t b = new_ticket(&x, "Printer broken", "second words");
	ck_assert_int_eq(core_tag(&x.d, a, "both", true, &e), DESK_OK);
	ck_assert_int_eq(core_tag(&x.d, a, "fromonly", true, &e), DESK_OK);
	ck_assert_int_eq(core_tag(&x.d, b, "both", true, &e), DESK_OK);
	ck_assert_int_eq(core_tag(&x.d, b, "intoonly", true, &e), DESK_OK);
	struct survey sv = {.ticket_id = a, .kind = SURVEY_CSAT, .score = 2, .answered_at = T0};
	ck_assert_int_eq(store_survey_insert(x.d.st, &sv, &e), DESK_OK);
	ck_assert_int_eq(core_claim(&x.d, b, &e), DESK_OK);
	size_t nev_a = event_count(&x, a), nev_b = event_count(&x, b);

	test_set_now(T0 + 50);
	ck_assert_int_eq(core_merge(&x.d, a, b, &e), DESK_OK);

	struct message_list l = {0};
	ck_assert_int_eq(store_messages(x.d.st, b, &l, &e), DESK_OK);
	ck_assert_uint_eq(l.n, 3);
	ck_assert_str_eq(l.v[0].body, "first words");
	ck_assert_int_eq(l.v[0].ticket_id, b);
	ck_assert_str_eq(l.v[1].body, "second words");
	ck_assert_int_eq(l.v[2].kind, MSG_SYSTEM);
	char *want = xasprintf("Ticket #%lld (Printer jam) was merged into this ticket.",
			       (long long)a);
	ck_assert_str_eq(l.v[2].body, want);
	free(want);
	ck_assert_int_eq(l.v[2].created_at, T0 + 50);
	message_list_free(&l);
	ck_assert_int_eq(store_messages(x.d.st, a, &l, &e), DESK_OK);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_int_eq(l.v[0].kind, MSG_SYSTEM);
	want = xasprintf("Merged into ticket #%lld.", (long long)b);
	ck_assert_str_eq(l.v[0].body, want);
	free(want);
	message_list_free(&l);

	struct ticket ta = get(&x, a), tb = get(&x, b);
	ck_assert_int_eq(ta.status, ST_CLOSED);
	ck_assert_int_eq(ta.merged_into, b);
	ck_assert_int_eq(ta.closed_at, T0 + 50);
	ck_assert_int_eq(ta.next_due, 0);
	ck_assert_uint_eq(ta.ntags, 0);
	ck_assert_int_eq(tb.status, ST_NEW);
	ck_assert_int_eq(tb.merged_into, 0);
	ck_assert_int_eq(tb.updated_at, T0 + 50);
	ck_assert_uint_eq(tb.ntags, 3);
	ck_assert_str_eq(tb.tags[0], "both");
	ck_assert_str_eq(tb.tags[1], "fromonly");
	ck_assert_str_eq(tb.tags[2], "intoonly");
	ticket_free(&ta);
	ticket_free(&tb);
	struct survey_list sl = {0};
	ck_assert_int_eq(store_surveys(x.d.st, b, &sl, &e), DESK_OK);
	ck_assert_uint_eq(sl.n, 1);
	ck_assert_int_eq(sl.v[0].score, 2);
	survey_list_free(&sl);

	/* the tags it took off and added are recorded, for undo */
	want = xasprintf("merge tags both - tester\nmerge tags fromonly - tester\n"
			 "merge merged_into - %lld tester\nset status new closed tester\n",
			 (long long)b);
	EXPECT_EVENTS(&x, a, nev_a, T0 + 50, want);
	free(want);
	want = xasprintf("merge tags - fromonly tester\nmerge merged_from - %lld tester\n",
			 (long long)a);
	EXPECT_EVENTS(&x, b, nev_b, T0 + 50, want);
	free(want);

	/* The merged-away ticket takes no more changes. */
	char *gone = xasprintf("ticket %lld was merged into ticket %lld", (long long)a,
			       (long long)b);
	EXPECT_ERR(core_set_status(&x.d, a, ST_OPEN, &e), DESK_EDENIED, "%s", gone);
	EXPECT_ERR(core_set_priority(&x.d, a, PRIO_HIGH, &e), DESK_EDENIED, "%s", gone);
	EXPECT_ERR(core_tag(&x.d, a, "x", true, &e), DESK_EDENIED, "%s", gone);
	EXPECT_ERR(core_reply(&x.d, a, "hello?", &e), DESK_EDENIED, "%s", gone);
	EXPECT_ERR(core_note(&x.d, a, "hello?", &e), DESK_EDENIED, "%s", gone);
	EXPECT_ERR(core_customer_message(&x.d, a, "me again", 0, NULL, &e), DESK_EDENIED, "%s",
		   gone);
	EXPECT_ERR(core_claim(&x.d, a, &e), DESK_EDENIED, "%s", gone);
	EXPECT_ERR(core_assign(&x.d, a, "alice", &e), DESK_EDENIED, "%s", gone);
	int64_t c = new_ticket(&x, "third", "x");
	EXPECT_ERR(core_merge(&x.d, a, c, &e), DESK_EDENIED, "%s", gone);
	EXPECT_ERR(core_merge(&x.d, c, a, &e), DESK_EDENIED, "%s", gone);
	free(gone);
	ck_assert_uint_eq(event_count(&x, a), nev_a + 4);
	ck_assert_uint_eq(message_count(&x, c), 1);
	cfx_close(&x);
}
END_TEST

START_TEST(merge_refusals)
{
	struct cfx x;
	struct derr e = {0};
	cfx_open(&x);
	int64_t a = new_ticket(&x, "one", "x");
	int64_t b = new_ticket(&x, "two", "y");
	int64_t c = new_ticket(&x, "three", "z");
	force(&x, c, ST_CLOSED, x.alice);
	EXPECT_ERR(core_merge(&x.d, a, a, &e), DESK_EINVAL, "cannot merge ticket %lld into itself",
		   (long long)a);
	EXPECT_ERR(core_merge(&x.d, a, c, &e), DESK_EDENIED,
		   "ticket %lld is closed; closed tickets are not merged", (long long)c);
	EXPECT_ERR(core_merge(&x.d, c, a, &e), DESK_EDENIED,
		   "ticket %lld is closed; closed tickets are not merged", (long long)c);
	EXPECT_ERR(core_merge(&x.d, a, 999, &e), DESK_ENOTFOUND, "no ticket 999");
	EXPECT_ERR(core_merge(&x.d, 999, a, &e), DESK_ENOTFOUND, "no ticket 999");
	for (int64_t id = a; id <= c; id++) {
		struct ticket t = get(&x, id);
		ck_assert_int_eq(t.merged_into, 0);
		ticket_free(&t);
		ck_assert_uint_eq(message_count(&x, id), 1);
		ck_assert_uint_eq(event_count(&x, id), 2);
	}
	/* A solved ticket merges, and ends closed. */
	force(&x, a, ST_SOLVED, x.alice);
	ck_assert_int_eq(core_merge(&x.d, a, b, &e), DESK_OK);
	struct ticket t = get(&x, a);
	ck_assert_int_eq(t.status, ST_CLOSED);
	ticket_free(&t);
	ck_assert(!store_in_transaction(x.d.st));
	cfx_close(&x);
}
END_TEST

/* --- SLA --------------------------------------------------------------- */

START_TEST(sla_due_times)
{
	struct cfx x;
	struct derr e = {0};
	cfx_open(&x);
	static const struct sla_target targets[PRIO__COUNT] = {
		[PRIO_LOW] = {0, 0, 0}, /* no targets at all */
		[PRIO_NORMAL] = {4 * 3600, 0, 24 * 3600},
		[PRIO_HIGH] = {3600, 0, 8 * 3600},
		[PRIO_URGENT] = {1800, 0, 4 * 3600},
	};
	memcpy(x.cfg.sla, targets, sizeof targets);

	for (int p = 0; p < PRIO__COUNT; p++) {
		test_set_now(T0);
		struct new_ticket nt;
		new_ticket_init(&nt);
		nt.subject = "timed";
		nt.body = "help";
		nt.priority = (enum priority)p;
		nt.customer_email = "ann@example.com";
		int64_t id;
		ck_assert_int_eq(core_ticket_new(&x.d, &nt, &id, &e), DESK_OK);
		struct ticket t = get(&x, id);
		const struct sla_target *g = &targets[p];
		ck_assert_int_eq(t.first_response_due, g->first_response ? T0 + g->first_response : 0);
		ck_assert_int_eq(t.resolution_due, g->resolution ? T0 + g->resolution : 0);
		ck_assert_int_eq(t.next_due, g->first_response ? T0 + g->first_response : 0);
		ticket_free(&t);
	}

	/* A new priority moves the due times, counted from creation. */
	test_set_now(T0);
	int64_t id = new_ticket(&x, "escalates", "help");
	test_set_now(T0 + 1000);
	ck_assert_int_eq(core_set_priority(&x.d, id, PRIO_URGENT, &e), DESK_OK);
	struct ticket t = get(&x, id);
	ck_assert_int_eq(t.first_response_due, T0 + 1800);
	ck_assert_int_eq(t.resolution_due, T0 + 4 * 3600);
	ck_assert_int_eq(t.next_due, T0 + 1800);
	ticket_free(&t);
	ck_assert_int_eq(core_set_priority(&x.d, id, PRIO_LOW, &e), DESK_OK);
	t = get(&x, id);
	ck_assert_int_eq(t.first_response_due, 0);
	ck_assert_int_eq(t.resolution_due, 0);
	ck_assert_int_eq(t.next_due, 0);
	ticket_free(&t);
	ck_assert_int_eq(core_set_priority(&x.d, id, PRIO_HIGH, &e), DESK_OK);
	t = get(&x, id);
	ck_assert_int_eq(t.first_response_due, T0 + 3600);
	ck_assert_int_eq(t.resolution_due, T0 + 8 * 3600);
	ck_assert_int_eq(t.next_due, T0 + 3600);
	ticket_free(&t);

	/* Answered: the resolution is what is due next. */
	test_set_now(T0 + 2000);
	ck_assert_int_eq(core_reply(&x.d, id, "on it", &e), DESK_OK);
	t = get(&x, id);
	ck_assert_int_eq(t.first_response_at, T0 + 2000);
	ck_assert_int_eq(t.first_response_due, T0 + 3600);
	ck_assert_int_eq(t.next_due, T0 + 8 * 3600);
	ticket_free(&t);

	/* Solved: nothing is due; reopened: the resolution again. */
	ck_assert_int_eq(core_claim(&x.d, id, &e), DESK_OK);
	ck_assert_int_eq(core_set_status(&x.d, id, ST_SOLVED, &e), DESK_OK);
	t = get(&x, id);
	ck_assert_int_eq(t.next_due, 0);
	ck_assert_int_eq(t.resolution_due, T0 + 8 * 3600);
	ticket_free(&t);
	ck_assert_int_eq(core_customer_message(&x.d, id, "still broken", 0, NULL, &e), DESK_OK);
	t = get(&x, id);
	ck_assert_int_eq(t.status, ST_OPEN);
	ck_assert_int_eq(t.next_due, T0 + 8 * 3600);
	ticket_free(&t);
	ck_assert_int_eq(core_set_status(&x.d, id, ST_SOLVED, &e), DESK_OK);
	ck_assert_int_eq(core_set_status(&x.d, id, ST_CLOSED, &e), DESK_OK);
	t = get(&x, id);
	ck_assert_int_eq(t.next_due, 0);
	ticket_free(&t);

	/* sla_apply on its own: the first response while unanswered, the
	 * earlier of the two when the resolution comes first. */
	struct ticket s = {.created_at = 1000, .priority = PRIO_NORMAL, .status = ST_OPEN};
	x.cfg.sla[PRIO_NORMAL] = (struct sla_target){7200, 0, 3600};
	sla_apply(&x.cfg, &s);
	ck_assert_int_eq(s.first_response_due, 8200);
	ck_assert_int_eq(s.resolution_due, 4600);
	ck_assert_int_eq(s.next_due, 4600);
	x.cfg.sla[PRIO_NORMAL] = (struct sla_target){0, 0, 3600};
	sla_apply(&x.cfg, &s);
	ck_assert_int_eq(s.next_due, 4600);
	s.status = ST_SOLVED;
	sla_apply(NULL, &s); /* keeps the due times, drops next_due */
	ck_assert_int_eq(s.resolution_due, 4600);
	ck_assert_int_eq(s.next_due, 0);
	cfx_close(&x);
}
END_TEST

/* --- agents and roles -------------------------------------------------- */

/* The audit events about one agent (they belong to no ticket), one per
 * line: "old new by", "-" for none; read on a connection of its own. */
static char *agent_events(struct cfx *x, const char *login)
{
	const char *params[] = {login};
	char *rows = test_sql_rows(x->path,
				   "SELECT e.action, coalesce(e.old_value, '-'),"
				   " coalesce(e.new_value, '-'), a.login, e.at,"
				   " e.ticket_id IS NULL FROM events e"
				   " JOIN agents a ON a.id = e.agent_id"
				   " WHERE e.field = 'agent:' || ?1 ORDER BY e.id",
				   1, params);
	struct strbuf b = {0};
	char *save = NULL;
	for (char *line = strtok_r(rows, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char action[32], old[64], new_[64], by[64];
		long long at = 0;
		int no_ticket = 0;
		ck_assert_msg(sscanf(line, "%31[^|]|%63[^|]|%63[^|]|%63[^|]|%lld|%d", action, old, new_,
				     by, &at, &no_ticket) == 6,
			      "%s", line);
		ck_assert_str_eq(action, "agent");
		ck_assert_int_eq(no_ticket, 1);
		sb_addf(&b, "%s %s %s @%lld\n", old, new_, by, at - T0);
	}
	free(rows);
	if (!b.s)
		sb_add(&b, "");
	return sb_take(&b);
}

#define EXPECT_AGENT_EVENTS(x, login, want)                  \
	do {                                                 \
		char *got_ = agent_events((x), (login));     \
		ck_assert_str_eq(got_, (want));              \
		free(got_);                                  \
	} while (0)

START_TEST(agent_roles)
{
	struct cfx x;
	struct derr e = {0};
	cfx_open(&x);
	struct agent a;
	ck_assert_int_eq(store_agent_by_login(x.d.st, "alice", &a, &e), DESK_OK);
	ck_assert_str_eq(a.name, "Alice Smith");
	ck_assert_int_eq(a.role, ROLE_AGENT);
	ck_assert(a.active);
	ck_assert_int_eq(a.created_at, T0);
	agent_free(&a);

	/* Logins are checked; a name defaults to the login. */
	static const char *const bad[] = {"", "-x", "a b", "x/y", "tab\t", "ünï",
					  "abcdefghijklmnopqrstuvwxyz0123456"};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		EXPECT_ERR(core_agent_add(&x.d, bad[i], NULL, ROLE_AGENT, &e), DESK_EINVAL,
			   "\"%s\" is not a valid login (letters, digits, '.', '_', '-'; at most 32)",
			   bad[i]);
	ck_assert_int_eq(core_agent_add(&x.d, "abcdefghijklmnopqrstuvwxyz012345", "", ROLE_AGENT, &e),
			 DESK_OK);
	ck_assert_int_eq(core_agent_add(&x.d, "j.doe_2-x", NULL, ROLE_SUPERVISOR, &e), DESK_OK);
	ck_assert_int_eq(store_agent_by_login(x.d.st, "j.doe_2-x", &a, &e), DESK_OK);
	ck_assert_str_eq(a.name, "j.doe_2-x");
	ck_assert_int_eq(a.role, ROLE_SUPERVISOR);
	agent_free(&a);
	EXPECT_ERR(core_agent_add(&x.d, "alice", "Other Alice", ROLE_ADMIN, &e), DESK_ECONFLICT,
		   "agent \"alice\" already exists");
	ck_assert(!store_in_transaction(x.d.st));

	/* Only admins add agents or change roles. */
	struct desk al;
	open_as(&x, &al, "alice");
	EXPECT_ERR(core_agent_add(&al, "mallory", NULL, ROLE_ADMIN, &e), DESK_EDENIED,
		   "adding an agent: only an admin may do that (you are alice, an agent)");
	EXPECT_ERR(core_agent_set_role(&al, "alice", ROLE_ADMIN, &e), DESK_EDENIED,
		   "changing an agent: only an admin may do that (you are alice, an agent)");
	EXPECT_ERR(core_agent_set_active(&al, "bob", false, &e), DESK_EDENIED,
		   "changing an agent: only an admin may do that (you are alice, an agent)");
	desk_close(&al);
	ck_assert_int_eq(store_agent_by_login(x.d.st, "mallory", &a, &e), DESK_ENOTFOUND);

	test_set_now(T0 + 100);
	ck_assert_int_eq(core_agent_set_role(&x.d, "bob", ROLE_SUPERVISOR, &e), DESK_OK);
	struct desk bo;
	open_as(&x, &bo, "bob");
	ck_assert_int_eq(bo.me.role, ROLE_SUPERVISOR);
	EXPECT_ERR(core_agent_add(&bo, "mallory", NULL, ROLE_AGENT, &e), DESK_EDENIED,
		   "adding an agent: only an admin may do that (you are bob, a supervisor)");
	desk_close(&bo);

	/* Nobody demotes or deactivates themselves. */
	EXPECT_ERR(core_agent_set_role(&x.d, "tester", ROLE_AGENT, &e), DESK_EDENIED,
		   "you cannot demote or deactivate yourself; another admin can");
	EXPECT_ERR(core_agent_set_active(&x.d, "tester", false, &e), DESK_EDENIED,
		   "you cannot demote or deactivate yourself; another admin can");
	ck_assert_int_eq(core_agent_set_role(&x.d, "tester", ROLE_ADMIN, &e), DESK_OK);
	ck_assert_int_eq(store_agent_by_login(x.d.st, "tester", &a, &e), DESK_OK);
	ck_assert_int_eq(a.role, ROLE_ADMIN);
	ck_assert(a.active);
	agent_free(&a);
	EXPECT_ERR(core_agent_set_role(&x.d, "zed", ROLE_AGENT, &e), DESK_ENOTFOUND, "no agent \"zed\"");

	/* Another admin can. */
	ck_assert_int_eq(core_agent_set_role(&x.d, "alice", ROLE_ADMIN, &e), DESK_OK);
	open_as(&x, &al, "alice");
	ck_assert_int_eq(core_agent_set_role(&al, "tester", ROLE_SUPERVISOR, &e), DESK_OK);
	desk_close(&al);

	/* Deactivated agents cannot open the desk. */
	ck_assert_int_eq(core_agent_set_active(&x.d, "bob", false, &e), DESK_OK);
	EXPECT_ERR(desk_open(&bo, x.path, &x.cfg, "bob", 0, &e), DESK_EDENIED,
		   "agent bob is deactivated on %s", x.path);
	ck_assert_ptr_null(bo.st);
	ck_assert_int_eq(core_agent_set_active(&x.d, "bob", true, &e), DESK_OK);
	open_as(&x, &bo, "bob");
	desk_close(&bo);

	/* Each change is in the audit log, by whoever made it. */
	EXPECT_AGENT_EVENTS(&x, "tester", "- admin tester @0\nadmin supervisor alice @100\n");
	EXPECT_AGENT_EVENTS(&x, "alice", "- agent tester @0\nagent admin tester @100\n");
	EXPECT_AGENT_EVENTS(&x, "bob", "- agent tester @0\nagent supervisor tester @100\n"
				       "supervisor inactive tester @100\ninactive supervisor tester @100\n");
	EXPECT_AGENT_EVENTS(&x, "j.doe_2-x", "- supervisor tester @0\n");
	EXPECT_AGENT_EVENTS(&x, "mallory", "");
	cfx_close(&x);
}
END_TEST

/* Runs desk_open (or desk_init when path is `fresh`) --as alice as uid
 * nobody in a child; 0 when refused with want. */
static int as_nobody(struct cfx *x, const char *path, bool create, const char *want)
{
	const uid_t nobody = 65534;
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (setgid(nobody) || setuid(nobody))
			_exit(10);
		struct desk cd;
		struct derr ce = {0};
		int rc = create ? desk_init(&cd, path, &x->cfg, "alice", &ce)
				: desk_open(&cd, path, &x->cfg, "alice", 0, &ce);
		if (rc != DESK_EDENIED || strcmp(ce.msg, want) != 0) {
			fprintf(stderr, "as_rule: %d %s\n", rc, ce.msg);
			_exit(1);
		}
		_exit(0);
	}
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	return WEXITSTATUS(status);
}

START_TEST(as_rule)
{
	struct cfx x;
	cfx_open_sqlite(&x);
	/* Root may act as another agent. */
	struct desk d;
	open_as(&x, &d, "alice");
	ck_assert_str_eq(d.me.login, "alice");
	ck_assert_int_eq(d.me.id, x.alice);
	desk_close(&d);
	if (getuid() != 0) {
		cfx_close(&x);
		return;
	}
	/* As root, check the rule for an ordinary user (in a child that
	 * drops to nobody): refused before the file is even opened, even
	 * when they own the file (whoever could replace the file could once
	 * pass the old owner rule), and when creating one. */
	desk_close(&x.d);
	const char *want = "--as alice: only root may act as another agent";
	ck_assert_int_eq(as_nobody(&x, x.path, false, want), 0);
	const uid_t nobody = 65534;
	ck_assert_int_eq(chown(x.path, nobody, nobody), 0);
	ck_assert_int_eq(chown(x.dir, nobody, nobody), 0);
	ck_assert_int_eq(as_nobody(&x, x.path, false, want), 0);
	char *fresh = xasprintf("%s/fresh.db", x.dir);
	ck_assert_int_eq(as_nobody(&x, fresh, true, want), 0);
	ck_assert_int_eq(access(fresh, F_OK), -1);
	free(fresh);
	ck_assert_int_eq(chown(x.path, 0, 0), 0);
	ck_assert_int_eq(chown(x.dir, 0, 0), 0);
	open_as(&x, &x.d, "tester");
	cfx_close(&x);
}
END_TEST

Suite *suite_core(void)
{
	Suite *s = suite_create("core");
	TCase *t = tcase_create("tickets");
	tcase_set_timeout(t, 30);
	tcase_add_test(t, init_and_open);
	tcase_add_test(t, ticket_new_fields);
	tcase_add_test(t, status_every_transition);
	tcase_add_test(t, solve_needs_assignee);
	tcase_add_test(t, reopen_counting);
	tcase_add_test(t, customer_message_effects);
	tcase_add_test(t, first_response);
	tcase_add_test(t, reply_opens_new_ticket);
	tcase_add_test(t, empty_body_rejected);
	tcase_add_test(t, field_changes_parse);
	tcase_add_test(t, audit_events);
	tcase_add_test(t, failed_apply_changes_nothing);
	tcase_add_test(t, post_with_changes);
	suite_add_tcase(s, t);

	t = tcase_create("ownership");
	tcase_set_timeout(t, 30);
	tcase_add_test(t, claim_rules);
	tcase_add_test(t, claim_race);
	tcase_add_test(t, assign_rules);
	tcase_add_test(t, reassign_roles);
	tcase_add_test(t, merge_moves_everything);
	tcase_add_test(t, merge_follows_the_reassign_rule);
	tcase_add_test(t, merge_refusals);
	tcase_add_test(t, sla_due_times);
	tcase_add_test(t, agent_roles);
	tcase_add_test(t, as_rule);
	suite_add_tcase(s, t);
	return s;
}
