/* test_demo.c: desk init --demo: the same seed gives the same desk,
 * another seed another one, and the month it fills in looks like a real
 * team's (every status, priority, channel and queue; threads of 1 to 8
 * messages; surveys, reopens, merges, SLA breaches; all in the past). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "testlib.h"
#include "util.h"

#define NOW 1793525400 /* 2026-11-01T09:30:00Z */
#define DAY 86400

static char *dir;
static struct config cfg;

static void setup(void)
{
	dir = test_tmpdir();
	config_defaults(&cfg);
}

static void teardown(void)
{
	config_free(&cfg);
	test_tmpdir_cleanup(&dir);
}

static void demo_desk(struct desk *d, const char *name, unsigned seed)
{
	char *path = test_db_named(dir, name);
	struct derr e = {0};
	int rc = desk_init(d, path, &cfg, "tester", &e);
	ck_assert_msg(rc == DESK_OK, "%s", e.msg);
	rc = core_demo_fill(d, seed, NOW, &e);
	ck_assert_msg(rc == DESK_OK, "%s", e.msg);
	free(path);
}

static char *export_all(struct desk *d)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(f);
	struct derr e = {0};
	int rc = core_export(d, f, &e);
	ck_assert_msg(rc == DESK_OK, "%s", e.msg);
	fclose(f);
	return buf;
}

/* Tickets without an external id export as "desk-INSTANCE-ID", and each
 * database has its own instance: compare without it. */
static void strip_instance(char *s)
{
	char *o = s;
	for (const char *p = s; *p;) {
		if (strncmp(p, "desk-", 5) == 0 && strspn(p + 5, "0123456789abcdef") == 12 &&
		    p[17] == '-') {
			memcpy(o, "desk-", 5);
			o += 5;
			p += 18;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
}

START_TEST(same_seed_same_desk)
{
	struct desk a, b;
	demo_desk(&a, "a.db", 42);
	demo_desk(&b, "b.db", 42);
	char *ea = export_all(&a), *eb = export_all(&b);
	ck_assert_uint_gt(strlen(ea), 10000);
	ck_assert_msg(strstr(ea, "\"external_id\":\"desk-") != NULL, "no instance ids");
	strip_instance(ea);
	strip_instance(eb);
	ck_assert_msg(strcmp(ea, eb) == 0, "two demo desks of one seed differ");
	free(ea);
	free(eb);
	desk_close(&a);
	desk_close(&b);
}
END_TEST

START_TEST(other_seed_other_desk)
{
	struct desk a, b;
	demo_desk(&a, "a.db", 1);
	demo_desk(&b, "b.db", 2);
	char *ea = export_all(&a), *eb = export_all(&b);
	ck_assert_str_ne(ea, eb);
	free(ea);
	free(eb);
	desk_close(&a);
	desk_close(&b);
}
END_TEST

struct stats {
	int tickets, statuses[ST__COUNT], priorities[PRIO__COUNT], channels[CH__COUNT];
	int kinds[MSG__COUNT], surveys[SURVEY__COUNT];
	int queues[5], reopened, merged, overdue, tagged;
};

static const char *const queues[] = {"general", "billing", "technical", "shipping", "accounts"};

static void check_ticket(struct desk *d, int64_t id, struct stats *s)
{
	struct derr e = {0};
	struct ticket t;
	ck_assert_int_eq(store_ticket_get(d->st, id, &t, &e), DESK_OK);
	s->tickets++;
	s->statuses[t.status]++;
	s->priorities[t.priority]++;
	s->channels[t.channel]++;
	bool known = false;
	for (size_t q = 0; q < ARRAY_LEN(queues); q++)
		if (strcmp(t.queue, queues[q]) == 0) {
			s->queues[q]++;
			known = true;
		}
	ck_assert_msg(known, "queue %s", t.queue);
	s->reopened += t.reopens > 0;
	s->merged += t.merged_into != 0;
	s->overdue += t.next_due && t.next_due < NOW;
	s->tagged += t.ntags > 0;
	ck_assert_int_ge(t.created_at, NOW - 30 * DAY);
	ck_assert_int_lt(t.updated_at, NOW);
	ck_assert_int_ge(t.updated_at, t.created_at);
	ck_assert_int_ne(t.customer_id, 0);
	if (t.status != ST_NEW)
		ck_assert_int_ne(t.assignee_id, 0);
	if (t.status == ST_SOLVED || (t.status == ST_CLOSED && !t.merged_into)) {
		ck_assert_int_ne(t.solved_at, 0);
		ck_assert_int_ge(t.solved_at, t.first_solved_at);
		ck_assert_int_ne(t.first_response_at, 0);
	}
	if (t.status == ST_CLOSED)
		ck_assert_int_ge(t.closed_at, t.created_at);
	if (t.merged_into)
		ck_assert_int_eq(t.status, ST_CLOSED);
	/* pending stops the resolution clock, so only an awaited answer
	 * can make a pending ticket due */
	if (t.status == ST_SOLVED || t.status == ST_CLOSED)
		ck_assert_int_eq(t.next_due, 0);
	else if (t.status != ST_PENDING)
		ck_assert_int_ne(t.next_due, 0);
	if (t.status == ST_PENDING)
		ck_assert_int_ne(t.pending_since, 0);
	else
		ck_assert_int_eq(t.pending_since, 0);

	struct message_list ml = {0};
	ck_assert_int_eq(store_messages(d->st, id, &ml, &e), DESK_OK);
	ck_assert_msg(ml.n >= 1 && ml.n <= 8, "ticket %lld has %zu messages", (long long)id, ml.n);
	for (size_t i = 0; i < ml.n; i++) {
		s->kinds[ml.v[i].kind]++;
		ck_assert_int_ge(ml.v[i].created_at, t.created_at);
		ck_assert_int_lt(ml.v[i].created_at, NOW);
		ck_assert_int_gt(strlen(ml.v[i].body), 0);
		static const char *const holes[] = {"{first}", "{name}", "{agent}", "{order}",
						    "{invoice}", "{amount}", "{product}",
						    "{last4}"};
		for (size_t k = 0; k < ARRAY_LEN(holes); k++)
			ck_assert_ptr_null(strstr(ml.v[i].body, holes[k]));
		if (ml.v[i].kind == MSG_REPLY || ml.v[i].kind == MSG_NOTE)
			ck_assert_int_ne(ml.v[i].author_id, 0);
		else if (ml.v[i].kind == MSG_CUSTOMER)
			ck_assert_int_eq(ml.v[i].author_id, 0);
	}
	message_list_free(&ml);

	struct survey_list sl = {0};
	ck_assert_int_eq(store_surveys(d->st, id, &sl, &e), DESK_OK);
	for (size_t i = 0; i < sl.n; i++) {
		s->surveys[sl.v[i].kind]++;
		ck_assert_int_lt(sl.v[i].answered_at, NOW);
	}
	if (sl.n)
		ck_assert(t.status == ST_SOLVED || t.status == ST_CLOSED);
	survey_list_free(&sl);

	struct event_list el = {0};
	ck_assert_int_eq(store_events(d->st, id, &el, &e), DESK_OK);
	ck_assert_uint_gt(el.n, 0);
	ck_assert_str_eq(el.v[0].action, "create");
	for (size_t i = 0; i < el.n; i++) {
		ck_assert_int_lt(el.v[i].at, NOW);
		if (i > 0)
			ck_assert_int_ge(el.v[i].at, el.v[i - 1].at);
	}
	event_list_free(&el);
	ticket_free(&t);
}

START_TEST(a_believable_month)
{
	struct desk d;
	demo_desk(&d, "d.db", (unsigned)_i);
	struct stats s = {0};
	struct derr e = {0};
	for (int64_t id = 0;;) {
		ck_assert_int_eq(store_ticket_next_id(d.st, id, &id, &e), DESK_OK);
		if (!id)
			break;
		check_ticket(&d, id, &s);
	}
	ck_assert_int_ge(s.tickets, 180);
	ck_assert_int_le(s.tickets, 220);
	for (int i = 0; i < ST__COUNT; i++)
		ck_assert_msg(s.statuses[i] > 0, "no %s ticket", status_name((enum status)i));
	for (int i = 0; i < PRIO__COUNT; i++)
		ck_assert_msg(s.priorities[i] > 0, "no %s ticket", priority_name((enum priority)i));
	for (int i = 0; i < CH__COUNT; i++)
		ck_assert_msg(s.channels[i] > 0, "no %s ticket", channel_name((enum channel)i));
	for (size_t i = 0; i < ARRAY_LEN(queues); i++)
		ck_assert_msg(s.queues[i] > 0, "no ticket in %s", queues[i]);
	for (int i = 0; i < MSG__COUNT; i++)
		ck_assert_msg(s.kinds[i] > 0, "no %s message", msg_kind_name((enum msg_kind)i));
	for (int i = 0; i < SURVEY__COUNT; i++)
		ck_assert_msg(s.surveys[i] > 0, "no %s answer",
			      survey_kind_name((enum survey_kind)i));
	/* most solved tickets got a CSAT answer */
	ck_assert_int_gt(s.surveys[SURVEY_CSAT], (s.statuses[ST_SOLVED] + s.statuses[ST_CLOSED]) / 3);
	ck_assert_int_ge(s.reopened, 3);
	ck_assert_int_eq(s.merged, 2);
	ck_assert_int_ge(s.overdue, 3);
	ck_assert_int_gt(s.tagged, s.tickets / 2);
	/* most of the work is done; some is waiting */
	ck_assert_int_gt(s.statuses[ST_SOLVED] + s.statuses[ST_CLOSED], s.tickets / 3);

	int64_t n;
	ck_assert_int_eq(store_customer_count(d.st, &n, &e), DESK_OK);
	ck_assert_int_eq(n, 40);
	struct agent_list al = {0};
	ck_assert_int_eq(store_agent_list(d.st, &al, &e), DESK_OK);
	ck_assert_uint_eq(al.n, 9);
	int roles[ROLE__COUNT] = {0};
	for (size_t i = 0; i < al.n; i++)
		roles[al.v[i].role]++;
	ck_assert_int_eq(roles[ROLE_SUPERVISOR], 1);
	ck_assert_int_eq(roles[ROLE_ADMIN], 1);
	ck_assert_int_eq(roles[ROLE_AGENT], 7);
	agent_list_free(&al);
	ck_assert_int_eq(d.me.role, ROLE_ADMIN);

	/* people from everywhere */
	struct customer_list cl = {0};
	ck_assert_int_eq(store_customer_search(d.st, "田中", 5, &cl, &e), DESK_OK);
	ck_assert_uint_eq(cl.n, 1);
	customer_list_free(&cl);
	ck_assert_int_eq(store_customer_search(d.st, "🌸", 5, &cl, &e), DESK_OK);
	ck_assert_uint_ge(cl.n, 1);
	ck_assert_ptr_nonnull(cl.v[0].tier);
	customer_list_free(&cl);
	desk_close(&d);
}
END_TEST

/* b's export is a's, line by line, with one more event at the end of
 * each ticket's events: the import's own, by whoever ran it. */
static void same_but_import_events(const char *a, const char *b)
{
	while (*a) {
		const char *ea = strchr(a, '\n'), *eb = strchr(b, '\n');
		ck_assert_ptr_nonnull(ea);
		ck_assert_ptr_nonnull(eb);
		size_t keep = (size_t)(ea - a) - 2; /* all but the closing "]}" */
		ck_assert(strncmp(a + keep, "]}", 2) == 0);
		ck_assert_msg(strncmp(a, b, keep) == 0, "%.*s", (int)(ea - a), a);
		const char *tail = b + keep;
		ck_assert(*tail == ',' || (*tail == '{' && tail[-1] == '['));
		ck_assert_ptr_nonnull(strstr(tail, "\"agent\":\"tester\",\"action\":\"import\""));
		ck_assert(strncmp(eb - 2, "]}", 2) == 0);
		a = ea + 1;
		b = eb + 1;
	}
	ck_assert_str_eq(b, "");
}

/* What the demo writes is what an export/import carries: a second desk
 * loaded from its export exports the same bytes, but for the events
 * that say who imported each ticket. */
START_TEST(demo_survives_export_and_import)
{
	struct desk a, b;
	demo_desk(&a, "a.db", 7);
	char *ea = export_all(&a);
	char *path = test_db_named(dir, "b.db");
	struct derr e = {0};
	ck_assert_int_eq(desk_init(&b, path, &cfg, "tester", &e), DESK_OK);
	FILE *in = fmemopen(ea, strlen(ea), "r");
	ck_assert_ptr_nonnull(in);
	struct import_opts o = {.name = "demo.jsonl"};
	struct import_result r;
	int rc = core_import(&b, in, &o, &r, stderr, &e);
	ck_assert_msg(rc == DESK_OK, "%s", e.msg);
	fclose(in);
	ck_assert_int_eq(r.bad, 0);
	char *eb = export_all(&b);
	same_but_import_events(ea, eb);
	free(ea);
	free(eb);
	free(path);
	desk_close(&a);
	desk_close(&b);
}
END_TEST

/* A second fill adds tickets but reuses the agents and customers. */
START_TEST(demo_twice_reuses_people)
{
	struct desk d;
	demo_desk(&d, "d.db", 3);
	struct derr e = {0};
	ck_assert_int_eq(core_demo_fill(&d, 4, NOW, &e), DESK_OK);
	int64_t n;
	ck_assert_int_eq(store_customer_count(d.st, &n, &e), DESK_OK);
	ck_assert_int_eq(n, 40);
	ck_assert_int_eq(store_ticket_count(d.st, &n, &e), DESK_OK);
	ck_assert_int_ge(n, 360);
	desk_close(&d);
}
END_TEST

Suite *suite_demo(void)
{
	Suite *s = suite_create("demo");
	TCase *t = tcase_create("demo");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_set_timeout(t, 60);
	tcase_add_test(t, same_seed_same_desk);
	tcase_add_test(t, other_seed_other_desk);
	tcase_add_loop_test(t, a_believable_month, 1, 6);
	tcase_add_test(t, demo_survives_export_and_import);
	tcase_add_test(t, demo_twice_reuses_people);
	suite_add_tcase(s, t);
	return s;
}
