/* test_sla.c: business time (a weekend, a holiday, both DST changes of
 * Europe/Paris), which policy applies, and the due times a ticket gets
 * through the workflow: first and next response, the pending pause, on
 * hold not pausing, priority and queue changes, outbound tickets. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "core.h"
#include "sla.h"
#include "testlib.h"
#include "util.h"

#define H INT64_C(3600)
#define D INT64_C(86400)

static int64_t T(const char *rfc3339)
{
	int64_t t;
	ck_assert_msg(time_parse_rfc3339(rfc3339, &t), "%s", rfc3339);
	return t;
}

static void load(struct config *c, const char *yaml)
{
	struct derr e = {0};
	ck_assert_msg(config_load_string(yaml, "config.yaml", c, &e) == DESK_OK, "%s", e.msg);
}

/* Paris, Monday to Friday 09:00-17:00, Wednesday 2026-03-25 off. */
static const char office[] = "business_hours:\n"
			     "  timezone: Europe/Paris\n"
			     "  monday: \"09:00-17:00\"\n"
			     "  tuesday: \"09:00-17:00\"\n"
			     "  wednesday: \"09:00-17:00\"\n"
			     "  thursday: \"09:00-17:00\"\n"
			     "  friday: \"09:00-17:00\"\n"
			     "  holidays: [\"2026-03-25\"]\n";

START_TEST(bh_weekend_holiday_dst)
{
	struct config c;
	char *tz = xstrdup(getenv("TZ"));
	load(&c, office);
	const struct business_hours *h = &c.hours;
	/* Friday 16:00 CET (15:00Z) + 2h: one hour on Friday, one on
	 * Monday from 09:00 CET (08:00Z). */
	ck_assert_int_eq(bh_add(h, T("2026-03-20T15:00:00Z"), 2 * H), T("2026-03-23T09:00:00Z"));
	ck_assert_int_eq(bh_seconds(h, T("2026-03-20T15:00:00Z"), T("2026-03-23T09:00:00Z")),
			 2 * H);
	/* Tuesday 16:00 + 2h: Wednesday is a holiday, so Thursday 10:00. */
	ck_assert_int_eq(bh_add(h, T("2026-03-24T15:00:00Z"), 2 * H), T("2026-03-26T09:00:00Z"));
	ck_assert_int_eq(bh_seconds(h, T("2026-03-24T15:00:00Z"), T("2026-03-26T09:00:00Z")),
			 2 * H);
	/* Across the spring change (Sunday 2026-03-29): Friday 16:00 CET
	 * (15:00Z) + 2h is Monday 10:00 CEST, 08:00Z, not 09:00Z. */
	ck_assert_int_eq(bh_add(h, T("2026-03-27T15:00:00Z"), 2 * H), T("2026-03-30T08:00:00Z"));
	ck_assert_int_eq(bh_seconds(h, T("2026-03-27T15:00:00Z"), T("2026-03-30T08:00:00Z")),
			 2 * H);
	/* A target that ends at closing time is due then, not next morning. */
	ck_assert_int_eq(bh_add(h, T("2026-03-23T08:00:00Z"), 8 * H), T("2026-03-23T16:00:00Z"));
	/* Starting outside the hours: Saturday noon, Monday 07:00. */
	ck_assert_int_eq(bh_add(h, T("2026-03-21T11:00:00Z"), H), T("2026-03-23T09:00:00Z"));
	ck_assert_int_eq(bh_add(h, T("2026-03-23T06:00:00Z"), 1800), T("2026-03-23T08:30:00Z"));
	ck_assert_int_eq(bh_seconds(h, T("2026-03-21T00:00:00Z"), T("2026-03-22T23:00:00Z")), 0);
	/* 3d of business time is nine 8-hour days from Monday 23 09:00:
	 * 23 24 (25 off) 26 27 30 31, April 1 2 3: Friday April 3 17:00
	 * CEST = 15:00Z. */
	ck_assert_int_eq(bh_add(h, T("2026-03-23T08:00:00Z"), 3 * D), T("2026-04-03T15:00:00Z"));
	ck_assert_int_eq(bh_seconds(h, T("2026-03-23T08:00:00Z"), T("2026-04-03T15:00:00Z")),
			 3 * D);
	/* Asking about a much later day grows the table and keeps it right. */
	ck_assert_int_eq(bh_seconds(h, T("2027-06-07T07:00:00Z"), T("2027-06-07T15:00:00Z")),
			 8 * H);
	ck_assert_int_eq(bh_add(h, T("2026-03-20T15:00:00Z"), 2 * H), T("2026-03-23T09:00:00Z"));
	/* Empty and reversed spans. */
	ck_assert_int_eq(bh_seconds(h, T("2026-03-23T10:00:00Z"), T("2026-03-23T09:00:00Z")), 0);
	ck_assert_int_eq(bh_add(h, T("2026-03-21T11:00:00Z"), 0), T("2026-03-21T11:00:00Z"));
	/* TZ is left as it was. */
	if (tz)
		ck_assert_str_eq(getenv("TZ"), tz);
	else
		ck_assert_ptr_null(getenv("TZ"));
	free(tz);
	config_free(&c);
}
END_TEST

START_TEST(bh_dst_day_lengths)
{
	struct config c;
	load(&c, "business_hours:\n  timezone: Europe/Paris\n  monday: \"00:00-24:00\"\n"
		 "  tuesday: \"00:00-24:00\"\n  wednesday: \"00:00-24:00\"\n"
		 "  thursday: \"00:00-24:00\"\n  friday: \"00:00-24:00\"\n"
		 "  saturday: \"00:00-24:00\"\n  sunday: \"00:00-24:00\"\n");
	const struct business_hours *h = &c.hours;
	/* Sunday 2026-03-29 has 23 hours, Sunday 2026-10-25 has 25. */
	ck_assert_int_eq(bh_seconds(h, T("2026-03-28T23:00:00Z"), T("2026-03-29T22:00:00Z")),
			 23 * H);
	ck_assert_int_eq(bh_seconds(h, T("2026-03-27T23:00:00Z"), T("2026-03-29T22:00:00Z")),
			 47 * H);
	ck_assert_int_eq(bh_seconds(h, T("2026-10-24T22:00:00Z"), T("2026-10-25T23:00:00Z")),
			 25 * H);
	/* Open around the clock, business time is calendar time. */
	ck_assert_int_eq(bh_add(h, T("2026-03-28T12:00:00Z"), 2 * D), T("2026-03-30T12:00:00Z"));
	config_free(&c);
}
END_TEST

START_TEST(bh_disabled_is_calendar)
{
	struct config c;
	config_defaults(&c);
	ck_assert(!c.hours.enabled);
	ck_assert_int_eq(bh_add(&c.hours, 1000, 3 * D), 1000 + 3 * D);
	ck_assert_int_eq(bh_seconds(&c.hours, 1000, 5000), 4000);
	ck_assert_int_eq(bh_add(NULL, 1000, 60), 1060);
	ck_assert_int_eq(sla_clock_seconds(&c, 0, 90), 90);
	config_free(&c);
}
END_TEST

START_TEST(sla_policy_choice)
{
	struct config c;
	load(&c, "sla:\n"
		 "  high: {first_response: 4h, next_response: 8h, resolution: 1d}\n"
		 "  policies:\n"
		 "    - {priority: high, channel: email, first_response: 3h}\n"
		 "    - {priority: high, queue: billing, first_response: 2h}\n"
		 "    - {priority: high, queue: billing, channel: email, first_response: 1h}\n");
	ck_assert_int_eq(sla_target_for(&c, PRIO_HIGH, "billing", CH_EMAIL)->first_response, H);
	ck_assert_int_eq(sla_target_for(&c, PRIO_HIGH, "billing", CH_CHAT)->first_response,
			 2 * H);
	ck_assert_int_eq(sla_target_for(&c, PRIO_HIGH, "general", CH_EMAIL)->first_response,
			 3 * H);
	ck_assert_int_eq(sla_target_for(&c, PRIO_HIGH, "general", CH_CHAT)->first_response,
			 4 * H);
	ck_assert_int_eq(sla_target_for(&c, PRIO_LOW, "billing", CH_EMAIL)->first_response, D);
	/* what a policy leaves out is its priority's */
	ck_assert_int_eq(sla_target_for(&c, PRIO_HIGH, "billing", CH_EMAIL)->resolution, D);
	config_free(&c);
}
END_TEST

START_TEST(sla_urgency_levels)
{
	struct config c;
	config_defaults(&c); /* warn at 25 % left */
	int64_t due = 10000;
	ck_assert_int_eq(sla_urgency_of(&c, 0, 4 * H, 0), SLA_NONE);
	ck_assert_int_eq(sla_urgency_of(&c, due, 4 * H, due - 2 * H), SLA_OK);
	ck_assert_int_eq(sla_urgency_of(&c, due, 4 * H, due - H), SLA_NEAR); /* 25 % left */
	ck_assert_int_eq(sla_urgency_of(&c, due, 4 * H, due - H - 1), SLA_OK);
	ck_assert_int_eq(sla_urgency_of(&c, due, 4 * H, due), SLA_PAST);
	config_free(&c);
}
END_TEST

/* --- through the workflow ------------------------------------------------ */

static char *dir, *db_path;
static struct desk d;
static struct config cfg;

static void wf_setup(void)
{
	struct derr e = {0};
	dir = test_tmpdir();
	db_path = test_db_path(dir);
	load(&cfg, "sla:\n  policies:\n    - {priority: urgent, queue: billing, resolution: 2d}\n");
	memset(&d, 0, sizeof d);
	d.cfg = &cfg;
	ck_assert_int_eq(store_open(db_path, STORE_CREATE, &d.st, &e), DESK_OK);
	d.me = (struct agent){.login = xstrdup("ann"), .name = xstrdup("Ann"),
			      .role = ROLE_ADMIN, .active = true, .created_at = 1};
	ck_assert_int_eq(store_begin(d.st, &e), DESK_OK);
	ck_assert_int_eq(store_agent_insert(d.st, &d.me, &e), DESK_OK);
	ck_assert_int_eq(store_commit(d.st, &e), DESK_OK);
}

static void wf_teardown(void)
{
	unsetenv("DESK_NOW");
	desk_close(&d);
	config_free(&cfg);
	test_db_drop(&db_path);
	test_tmpdir_cleanup(&dir);
}

static void at(int64_t t)
{
	char buf[32];
	snprintf(buf, sizeof buf, "%lld", (long long)t);
	setenv("DESK_NOW", buf, 1);
}

static void get(int64_t id, struct ticket *t)
{
	struct derr e = {0};
	ticket_free(t);
	ck_assert_int_eq(store_ticket_get(d.st, id, t, &e), DESK_OK);
}

static int64_t new_ticket(enum msg_kind kind)
{
	struct derr e = {0};
	struct new_ticket nt;
	new_ticket_init(&nt);
	nt.subject = "the printer";
	nt.body = "it is on fire";
	nt.body_kind = kind;
	nt.customer_email = "bo@example.com";
	int64_t id;
	ck_assert_msg(core_ticket_new(&d, &nt, &id, &e) == DESK_OK, "%s", e.msg);
	return id;
}

/* Normal priority by default: first response 8h, next response 1d,
 * resolution 3d, calendar time. */
START_TEST(sla_workflow_clocks)
{
	struct derr e = {0};
	struct ticket t = {0};
	int64_t t0 = T("2026-03-02T08:00:00Z");
	at(t0);
	int64_t id = new_ticket(MSG_CUSTOMER);
	get(id, &t);
	ck_assert_int_eq(t.first_response_due, t0 + 8 * H);
	ck_assert_int_eq(t.resolution_due, t0 + 3 * D);
	ck_assert_int_eq(t.next_response_due, 0);
	ck_assert_int_eq(t.next_due, t0 + 8 * H);

	at(t0 + H); /* the first response: resolution is what is due next */
	ck_assert_int_eq(core_reply(&d, id, "on my way", &e), DESK_OK);
	get(id, &t);
	ck_assert_int_eq(t.first_response_at, t0 + H);
	ck_assert_int_eq(t.first_response_due, t0 + 8 * H); /* kept, for the report */
	ck_assert_int_eq(t.next_due, t0 + 3 * D);

	at(t0 + 2 * H); /* pending: the resolution clock stops */
	ck_assert_int_eq(core_set_status(&d, id, ST_PENDING, &e), DESK_OK);
	get(id, &t);
	ck_assert_int_eq(t.pending_since, t0 + 2 * H);
	ck_assert_int_eq(t.next_due, 0);

	at(t0 + 12 * H); /* the customer answers: 10h paused; a next response due */
	ck_assert_int_eq(core_customer_message(&d, id, "still burning", 0, NULL, &e), DESK_OK);
	get(id, &t);
	ck_assert_int_eq(t.status, ST_OPEN);
	ck_assert_int_eq(t.pending_since, 0);
	ck_assert_int_eq(t.paused_seconds, 10 * H);
	ck_assert_int_eq(t.resolution_due, t0 + 3 * D + 10 * H);
	ck_assert_int_eq(t.next_response_due, t0 + 12 * H + D);
	ck_assert_int_eq(t.next_due, t0 + 12 * H + D);

	at(t0 + 12 * H + 30 * 60); /* writing again keeps the older due time */
	ck_assert_int_eq(core_customer_message(&d, id, "hello?", 0, NULL, &e), DESK_OK);
	get(id, &t);
	ck_assert_int_eq(t.next_response_due, t0 + 12 * H + D);

	at(t0 + 13 * H); /* a note does not answer; a reply does */
	ck_assert_int_eq(core_note(&d, id, "calling the fire brigade", &e), DESK_OK);
	get(id, &t);
	ck_assert_int_eq(t.next_response_due, t0 + 12 * H + D);
	ck_assert_int_eq(core_reply(&d, id, "done", &e), DESK_OK);
	get(id, &t);
	ck_assert_int_eq(t.next_response_due, 0);
	ck_assert_int_eq(t.next_due, t0 + 3 * D + 10 * H);

	at(t0 + 14 * H); /* on hold does not stop anything */
	ck_assert_int_eq(core_set_status(&d, id, ST_ON_HOLD, &e), DESK_OK);
	get(id, &t);
	ck_assert_int_eq(t.pending_since, 0);
	ck_assert_int_eq(t.next_due, t0 + 3 * D + 10 * H);
	at(t0 + D + 14 * H);
	ck_assert_int_eq(core_set_status(&d, id, ST_OPEN, &e), DESK_OK);
	get(id, &t);
	ck_assert_int_eq(t.paused_seconds, 10 * H);
	ck_assert_int_eq(t.resolution_due, t0 + 3 * D + 10 * H);

	at(t0 + D + 15 * H); /* urgent: 1h / 4h, the pause still counts */
	ck_assert_int_eq(core_set_priority(&d, id, PRIO_URGENT, &e), DESK_OK);
	get(id, &t);
	ck_assert_int_eq(t.first_response_due, t0 + H);
	ck_assert_int_eq(t.resolution_due, t0 + 4 * H + 10 * H);
	ck_assert_int_eq(t.next_due, t0 + 14 * H);

	at(t0 + D + 16 * H); /* the billing queue's urgent policy: 2d */
	ck_assert_int_eq(core_set_queue(&d, id, "billing", &e), DESK_OK);
	get(id, &t);
	ck_assert_int_eq(t.resolution_due, t0 + 2 * D + 10 * H);
	ck_assert_int_eq(t.first_response_due, t0 + H); /* left out: urgent's */
	ck_assert_int_eq(sla_ticket_urgency(&cfg, &t, t0 + D + 16 * H), SLA_OK);
	ck_assert_int_eq(sla_ticket_urgency(&cfg, &t, t0 + 2 * D), SLA_NEAR);
	ck_assert_int_eq(sla_ticket_urgency(&cfg, &t, t0 + 2 * D + 10 * H), SLA_PAST);

	/* solved: nothing is due */
	at(t0 + D + 17 * H);
	ck_assert_int_eq(core_claim(&d, id, &e), DESK_OK);
	ck_assert_int_eq(core_set_status(&d, id, ST_SOLVED, &e), DESK_OK);
	get(id, &t);
	ck_assert_int_eq(t.next_due, 0);
	ck_assert_int_eq(t.resolution_due, t0 + 2 * D + 10 * H);
	ticket_free(&t);
}
END_TEST

/* A ticket the team opened (an internal note first) has no first
 * response clock until the customer writes. */
START_TEST(sla_workflow_outbound)
{
	struct derr e = {0};
	struct ticket t = {0};
	int64_t t0 = T("2026-03-02T08:00:00Z");
	at(t0);
	int64_t id = new_ticket(MSG_NOTE);
	get(id, &t);
	ck_assert_int_eq(t.first_response_due, 0);
	ck_assert_int_eq(t.next_due, t0 + 3 * D);
	at(t0 + H);
	ck_assert_int_eq(core_reply(&d, id, "we noticed your printer", &e), DESK_OK);
	get(id, &t);
	ck_assert_int_eq(t.first_response_at, 0); /* nobody asked yet */
	at(t0 + 2 * H);
	ck_assert_int_eq(core_customer_message(&d, id, "thanks", 0, NULL, &e), DESK_OK);
	get(id, &t);
	ck_assert_int_eq(t.first_response_due, t0 + 2 * H + 8 * H);
	ck_assert_int_eq(t.next_response_due, 0); /* the first response clock runs */
	ck_assert_int_eq(t.next_due, t0 + 10 * H);
	ticket_free(&t);
}
END_TEST

/* With business hours, the pause is counted in business time. */
START_TEST(sla_pending_in_business_hours)
{
	struct config c;
	load(&c, office);
	struct ticket t = {.created_at = T("2026-03-20T08:00:00Z"), .priority = PRIO_NORMAL,
			   .status = ST_OPEN, .queue = "general"};
	struct sla_facts f = {.first_customer_at = t.created_at};
	sla_compute(&c, &t, &f);
	/* normal: 8h first response = Friday 17:00; 3d = nine business days:
	 * 20 23 24 (25 off) 26 27 30 31, April 1 2 -> Thursday April 2,
	 * 17:00 CEST = 15:00Z */
	ck_assert_int_eq(t.first_response_due, T("2026-03-20T16:00:00Z"));
	ck_assert_int_eq(t.resolution_due, T("2026-04-02T15:00:00Z"));
	/* pending from Friday 16:00 CET to Monday 10:00 CET: 2h of business */
	sla_status_change(&c, &t, ST_OPEN, ST_PENDING, T("2026-03-20T15:00:00Z"));
	t.status = ST_PENDING;
	ck_assert_int_eq(t.pending_since, T("2026-03-20T15:00:00Z"));
	sla_status_change(&c, &t, ST_PENDING, ST_OPEN, T("2026-03-23T09:00:00Z"));
	t.status = ST_OPEN;
	ck_assert_int_eq(t.paused_seconds, 2 * H);
	ck_assert_int_eq(t.pending_since, 0);
	sla_compute(&c, &t, &f);
	ck_assert_int_eq(t.resolution_due, T("2026-04-03T09:00:00Z")); /* Friday 11:00 CEST */
	/* on hold: no pause */
	sla_status_change(&c, &t, ST_OPEN, ST_ON_HOLD, T("2026-03-23T10:00:00Z"));
	sla_status_change(&c, &t, ST_ON_HOLD, ST_OPEN, T("2026-03-24T10:00:00Z"));
	ck_assert_int_eq(t.paused_seconds, 2 * H);
	ck_assert_int_eq(t.pending_since, 0);
	config_free(&c);
}
END_TEST

Suite *suite_sla(void)
{
	Suite *s = suite_create("sla");
	TCase *t = tcase_create("business_hours");
	tcase_add_test(t, bh_weekend_holiday_dst);
	tcase_add_test(t, bh_dst_day_lengths);
	tcase_add_test(t, bh_disabled_is_calendar);
	tcase_add_test(t, sla_policy_choice);
	tcase_add_test(t, sla_urgency_levels);
	tcase_add_test(t, sla_pending_in_business_hours);
	suite_add_tcase(s, t);
	t = tcase_create("workflow");
	tcase_add_checked_fixture(t, wf_setup, wf_teardown);
	tcase_add_test(t, sla_workflow_clocks);
	tcase_add_test(t, sla_workflow_outbound);
	suite_add_tcase(s, t);
	return s;
}
