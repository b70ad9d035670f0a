/* test_report_replica.c: report_database, where desk report and the
 * dashboard read (a streaming replica on PostgreSQL; here a SQLite
 * copy made by desk backup stands in for a replica that lags). */
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "testlib.h"
#include "util.h"

#define T0 1790000000

static void ticket(struct team_fx *x, const char *subject)
{
	struct derr e = {0};
	struct new_ticket nt;
	new_ticket_init(&nt);
	nt.subject = subject;
	nt.body = "Help";
	nt.customer_email = "ann@example.com";
	int64_t id = 0;
	ck_assert_msg(core_ticket_new(&x->d, &nt, &id, &e) == DESK_OK, "%s", e.msg);
}

static int64_t created(struct team_fx *x)
{
	struct derr e = {0};
	struct report_opts o = {.since = T0 - 86400, .until = T0 + 86400};
	struct metrics m;
	ck_assert_msg(core_report_open(&x->d, &o, &m, &e) == DESK_OK, "%s", e.msg);
	int64_t n = m.total.created;
	core_report_close(&x->d, &m);
	return n;
}

static int64_t backlog(struct team_fx *x)
{
	struct derr e = {0};
	struct dashboard db;
	ck_assert_msg(core_dashboard(&x->d, 7, &db, &e) == DESK_OK, "%s", e.msg);
	int64_t n = db.backlog.total;
	dashboard_free(&db);
	return n;
}

/* The replica has two tickets, the database three: reports count two. */
START_TEST(reports_read_the_replica)
{
	if (test_sqlite_only("reports_read_the_replica",
			     "a SQLite copy stands in for the replica; PostgreSQL's is a "
			     "streaming standby, a server of its own"))
		return;
	struct team_fx x;
	team_fx_open(&x, T0);
	ticket(&x, "First");
	ticket(&x, "Second");
	char *replica = xasprintf("%s/replica.db", x.dir);
	struct derr e = {0};
	struct store_backup_info info;
	ck_assert_msg(core_backup(&x.d, replica, false, &info, &e) == DESK_OK, "%s", e.msg);
	ticket(&x, "Third");
	ck_assert_int_eq(created(&x), 3);
	ck_assert_int_eq(backlog(&x), 3);

	x.cfg.report_db_path = replica;
	ck_assert_int_eq(created(&x), 2);
	ck_assert_int_eq(backlog(&x), 2);
	ck_assert_ptr_nonnull(x.d.report_st);
	x.cfg.report_db_path = NULL;
	team_fx_close(&x);
	free(replica);
}
END_TEST

/* A replica that is not there: the report says so, naming the setting,
 * and the desk goes on working on its own database. */
START_TEST(missing_replica_is_named)
{
	struct team_fx x;
	team_fx_open(&x, T0);
	char *replica = xasprintf("%s/nowhere.db", x.dir);
	x.cfg.report_db_path = replica;
	struct derr e = {0};
	struct report_opts o = {.since = T0 - 86400, .until = T0 + 86400};
	struct metrics m;
	ck_assert_int_ne(core_report_open(&x.d, &o, &m, &e), DESK_OK);
	ck_assert_msg(strncmp(e.msg, "report_database: ", 17) == 0 && strstr(e.msg, "nowhere.db"),
		      "%s", e.msg);
	metrics_free(&m);
	x.cfg.report_db_path = NULL;
	ticket(&x, "Still works");
	ck_assert_int_eq(created(&x), 1);
	team_fx_close(&x);
	free(replica);
}
END_TEST

Suite *suite_report_replica(void)
{
	Suite *s = suite_create("report_replica");
	TCase *t = tcase_create("replica");
	tcase_add_test(t, reports_read_the_replica);
	tcase_add_test(t, missing_replica_is_named);
	suite_add_tcase(s, t);
	return s;
}
