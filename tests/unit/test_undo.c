/* test_undo.c: change ids (one per action, across a bulk change's
 * transactions), core_undo of every kind of change, its refusals when
 * someone (another agent in the same database, the customer) changed a
 * ticket since, undo of a bulk change and of a merge, and undo send
 * racing a sender's claim. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "core.h"
#include "mail.h"
#include "testlib.h"
#include "testlib_sql.h"
#include "util.h"

#define T0 1800000000LL

static int64_t new_ticket(struct team_fx *x, const char *subject)
{
	struct derr e = {0};
	struct new_ticket nt;
	new_ticket_init(&nt);
	nt.subject = subject;
	nt.body = "It is broken.";
	nt.customer_name = "Ann Lee";
	nt.customer_email = "ann@example.com";
	int64_t id = 0;
	ck_assert_int_eq(core_ticket_new(&x->d, &nt, &id, &e), DESK_OK);
	return id;
}

static struct ticket get(struct team_fx *x, int64_t id)
{
	struct derr e = {0};
	struct ticket t;
	int rc = store_ticket_get(x->d.st, id, &t, &e);
	ck_assert_msg(rc == DESK_OK, "%s", e.msg);
	return t;
}

static bool has_tag(const struct ticket *t, const char *tag)
{
	for (size_t i = 0; i < t->ntags; i++)
		if (strcmp(t->tags[i], tag) == 0)
			return true;
	return false;
}

/* One line per event of the ticket from index `from`: "action field old
 * new agent". */
static char *events_since(struct team_fx *x, int64_t id, size_t from)
{
	struct derr e = {0};
	struct event_list l = {0};
	ck_assert_int_eq(store_events(x->d.st, id, &l, &e), DESK_OK);
	struct strbuf b = {0};
#define OR_DASH(s) ((s) ? (s) : "-")
	for (size_t i = from; i < l.n; i++)
		sb_addf(&b, "%s %s %s %s %s\n", l.v[i].action, OR_DASH(l.v[i].field),
			OR_DASH(l.v[i].old_value), OR_DASH(l.v[i].new_value),
			OR_DASH(l.v[i].agent_login));
#undef OR_DASH
	event_list_free(&l);
	return sb_take(&b);
}

static size_t event_count(struct team_fx *x, int64_t id)
{
	struct derr e = {0};
	struct event_list l = {0};
	ck_assert_int_eq(store_events(x->d.st, id, &l, &e), DESK_OK);
	size_t n = l.n;
	event_list_free(&l);
	return n;
}

/* The change ids of the ticket's events from index `from`, and how
 * many distinct ones; each must be the id of some event. */
static size_t change_ids(struct team_fx *x, int64_t ticket, size_t from, int64_t *first)
{
	char id[32];
	snprintf(id, sizeof id, "%lld", (long long)ticket);
	const char *params[] = {id};
	char *rows = test_sql_rows(x->path,
				   "SELECT change_id, (SELECT count(*) FROM events f"
				   " WHERE f.id = e.change_id) FROM events e"
				   " WHERE ticket_id = CAST(?1 AS INTEGER) ORDER BY id",
				   1, params);
	size_t i = 0, distinct = 0;
	int64_t last = 0;
	char *save = NULL;
	for (char *line = strtok_r(rows, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (i++ < from)
			continue;
		long long c = 0, n = 0;
		ck_assert_msg(sscanf(line, "%lld|%lld", &c, &n) == 2, "%s", line);
		ck_assert_int_gt(c, 0);
		ck_assert_int_eq(n, 1);
		if (c != last)
			distinct++;
		if (!last)
			*first = c;
		last = c;
	}
	free(rows);
	return distinct;
}

START_TEST(one_change_id_per_action)
{
	struct team_fx x;
	struct derr e = {0};
	team_fx_open(&x, T0);
	int64_t a = new_ticket(&x, "one"), b = new_ticket(&x, "two"), c = new_ticket(&x, "three");
	size_t na = event_count(&x, a);
	struct field_change ch[] = {{FIELD_PRIORITY, "high"}, {FIELD_TAG_ADD, "vip"},
				    {FIELD_QUEUE, "billing"}};
	ck_assert_int_eq(core_apply(&x.alice, a, ch, 3, &e), DESK_OK);
	int64_t first1 = 0, first2 = 0;
	ck_assert_uint_eq(change_ids(&x, a, na, &first1), 1);
	/* the change's id is its first event's */
	struct event_list l = {0};
	ck_assert_int_eq(store_events(x.d.st, a, &l, &e), DESK_OK);
	ck_assert_int_eq(first1, l.v[na].id);
	event_list_free(&l);
	ck_assert_int_eq(core_set_status(&x.alice, a, ST_PENDING, &e), DESK_OK);
	ck_assert_uint_eq(change_ids(&x, a, na, &first2), 2);

	/* a bulk change: one id over its tickets' separate transactions,
	 * even with another agent's change in between the tickets */
	int64_t ids[] = {a, b, c};
	struct field_change st = {FIELD_STATUS, "open"};
	size_t nb = event_count(&x, b), nc = event_count(&x, c);
	struct bulk_result r;
	ck_assert_int_eq(core_bulk_apply(&x.d, ids, 3, &st, 1, &r, &e), DESK_OK);
	ck_assert_uint_eq(r.ok, 3);
	bulk_result_free(&r);
	int64_t ca = 0, cb = 0, cc = 0;
	change_ids(&x, a, event_count(&x, a) - 1, &ca);
	ck_assert_uint_eq(change_ids(&x, b, nb, &cb), 1);
	ck_assert_uint_eq(change_ids(&x, c, nc, &cc), 1);
	ck_assert_int_eq(ca, cb);
	ck_assert_int_eq(cb, cc);
	ck_assert_int_ne(ca, first2);

	/* a merge: both tickets' events share one */
	nb = event_count(&x, b);
	nc = event_count(&x, c);
	ck_assert_int_eq(core_merge(&x.d, b, c, &e), DESK_OK);
	ck_assert_uint_eq(change_ids(&x, b, nb, &cb), 1);
	ck_assert_uint_eq(change_ids(&x, c, nc, &cc), 1);
	ck_assert_int_eq(cb, cc);
	ck_assert_int_ne(cb, ca);
	team_fx_close(&x);
}
END_TEST

START_TEST(undo_each_field_then_the_change_before)
{
	struct team_fx x;
	struct derr e = {0};
	team_fx_open(&x, T0);
	int64_t a = new_ticket(&x, "Printer");
	ck_assert_int_eq(core_claim(&x.alice, a, &e), DESK_OK);
	test_set_now(T0 + 10);
	struct field_change ch[] = {{FIELD_STATUS, "solved"}, {FIELD_PRIORITY, "urgent"},
				    {FIELD_QUEUE, "billing"}, {FIELD_TAG_ADD, "vip"},
				    {FIELD_SUBJECT, "Printer on fire"}, {FIELD_ASSIGNEE, "bob"}};
	x.cfg.agents_may_reassign = true;
	ck_assert_int_eq(core_apply(&x.alice, a, ch, 6, &e), DESK_OK);
	size_t n = event_count(&x, a);
	test_set_now(T0 + 20);
	struct undo_result r;
	int rc = core_undo(&x.alice, &r, &e);
	ck_assert_msg(rc == DESK_OK, "%s", e.msg);
	ck_assert_str_eq(r.what, "#1: assignee back to alice, subject back, tag vip off, queue back "
				 "to general, priority back to normal, status back to new");
	int64_t undone = r.change_id;
	undo_result_free(&r);
	struct ticket t = get(&x, a);
	ck_assert_int_eq(t.status, ST_NEW); /* where it was, though nothing goes back to new */
	ck_assert_int_eq(t.priority, PRIO_NORMAL);
	ck_assert_str_eq(t.queue, "general");
	ck_assert_str_eq(t.subject, "Printer");
	ck_assert_str_eq(t.assignee_login, "alice");
	ck_assert(!has_tag(&t, "vip"));
	/* it had never been solved: no solve time, no reopen */
	ck_assert_int_eq(t.solved_at, 0);
	ck_assert_int_eq(t.first_solved_at, 0);
	ck_assert_int_eq(t.reopens, 0);
	ticket_free(&t);
	char *got = events_since(&x, a, n);
	char *want = xasprintf("undo change - %lld alice\n"
			       "undo assignee bob alice alice\n"
			       "undo subject Printer on fire Printer alice\n"
			       "undo tags vip - alice\n"
			       "undo queue billing general alice\n"
			       "undo priority urgent normal alice\n"
			       "undo status solved new alice\n",
			       (long long)undone);
	ck_assert_str_eq(got, want);
	free(got);
	free(want);

	/* u again is not a redo: it takes back the change before (the
	 * claim), then there is nothing left */
	ck_assert_int_eq(core_undo(&x.alice, &r, &e), DESK_OK);
	ck_assert_str_eq(r.what, "#1: assignee back to none");
	undo_result_free(&r);
	t = get(&x, a);
	ck_assert_int_eq(t.assignee_id, 0);
	ticket_free(&t);
	ck_assert_int_eq(core_undo(&x.alice, &r, &e), DESK_ENOTFOUND);
	ck_assert_str_eq(e.msg, "nothing to undo: you have no change left to take back");
	undo_result_free(&r);
	/* and only one's own: bob has nothing */
	ck_assert_int_eq(core_undo(&x.bob, &r, &e), DESK_ENOTFOUND);
	undo_result_free(&r);
	team_fx_close(&x);
}
END_TEST

/* Undo hands a ticket back only to an agent who can still take it: as
 * core_assign, never to one deactivated since; the ticket stays as it
 * is and nothing is written. */
START_TEST(undo_never_assigns_to_a_deactivated_agent)
{
	struct team_fx x;
	struct derr e = {0};
	team_fx_open(&x, T0);
	int64_t a = new_ticket(&x, "Printer");
	ck_assert_int_eq(core_claim(&x.alice, a, &e), DESK_OK);
	test_set_now(T0 + 10);
	ck_assert_int_eq(core_assign(&x.d, a, "bob", &e), DESK_OK);
	ck_assert_int_eq(core_agent_set_active(&x.d, "alice", false, &e), DESK_OK);
	size_t n = event_count(&x, a);
	struct undo_result r;
	ck_assert_int_eq(core_undo(&x.d, &r, &e), DESK_EDENIED);
	ck_assert_str_eq(e.msg, "ticket 1: it was alice's, who is deactivated since; assign it to "
				"someone else");
	undo_result_free(&r);
	struct ticket t = get(&x, a);
	ck_assert_str_eq(t.assignee_login, "bob");
	ticket_free(&t);
	ck_assert_uint_eq(event_count(&x, a), n);
	team_fx_close(&x);
}
END_TEST

START_TEST(undo_takes_back_a_reopen_and_a_close)
{
	struct team_fx x;
	struct derr e = {0};
	team_fx_open(&x, T0);
	int64_t a = new_ticket(&x, "Printer");
	ck_assert_int_eq(core_claim(&x.alice, a, &e), DESK_OK);
	ck_assert_int_eq(core_set_status(&x.alice, a, ST_SOLVED, &e), DESK_OK);
	test_set_now(T0 + 30);
	ck_assert_int_eq(core_set_status(&x.alice, a, ST_OPEN, &e), DESK_OK);
	struct ticket t = get(&x, a);
	ck_assert_int_eq(t.reopens, 1);
	ticket_free(&t);
	struct undo_result r;
	ck_assert_int_eq(core_undo(&x.alice, &r, &e), DESK_OK);
	undo_result_free(&r);
	t = get(&x, a);
	ck_assert_int_eq(t.status, ST_SOLVED);
	ck_assert_int_eq(t.reopens, 0);
	ck_assert_int_eq(t.solved_at, T0);
	ticket_free(&t);
	test_set_now(T0 + 40);
	ck_assert_int_eq(core_set_status(&x.alice, a, ST_CLOSED, &e), DESK_OK);
	ck_assert_int_eq(core_undo(&x.alice, &r, &e), DESK_OK);
	undo_result_free(&r);
	t = get(&x, a);
	ck_assert_int_eq(t.status, ST_SOLVED);
	ck_assert_int_eq(t.closed_at, 0);
	ticket_free(&t);
	team_fx_close(&x);
}
END_TEST

START_TEST(refused_after_another_agents_change)
{
	struct team_fx x;
	struct derr e = {0};
	team_fx_open(&x, T0);
	int64_t a = new_ticket(&x, "Printer");
	ck_assert_int_eq(core_set_status(&x.alice, a, ST_PENDING, &e), DESK_OK);
	test_set_now(T0 + 60);
	ck_assert_int_eq(core_set_priority(&x.bob, a, PRIO_HIGH, &e), DESK_OK);
	size_t n = event_count(&x, a);
	struct undo_result r;
	ck_assert_int_eq(core_undo(&x.alice, &r, &e), DESK_ECONFLICT);
	char when[32];
	time_format_local(T0 + 60, when, sizeof when);
	char *want = xasprintf("nothing was undone: ticket %lld changed since your change (bob "
			       "set priority normal -> high at %s)",
			       (long long)a, when);
	ck_assert_str_eq(e.msg, want);
	free(want);
	undo_result_free(&r);
	ck_assert_uint_eq(event_count(&x, a), n);
	struct ticket t = get(&x, a);
	ck_assert_int_eq(t.status, ST_PENDING);
	ticket_free(&t);

	/* a customer's message counts too, whoever stored it */
	int64_t b = new_ticket(&x, "Scanner");
	ck_assert_int_eq(core_set_status(&x.alice, b, ST_PENDING, &e), DESK_OK);
	test_set_now(T0 + 90);
	ck_assert_int_eq(core_customer_message(&x.alice, b, "any news?", 0, NULL, &e), DESK_OK);
	ck_assert_int_eq(core_undo(&x.alice, &r, &e), DESK_ECONFLICT);
	time_format_local(T0 + 90, when, sizeof when);
	want = xasprintf("nothing was undone: ticket %lld changed since your change (the "
			 "customer wrote at %s)",
			 (long long)b, when);
	ck_assert_str_eq(e.msg, want);
	free(want);
	undo_result_free(&r);

	/* our own reply in between does not count */
	int64_t c = new_ticket(&x, "Fax");
	ck_assert_int_eq(core_claim(&x.alice, c, &e), DESK_OK);
	ck_assert_int_eq(core_tag(&x.alice, c, "fax", true, &e), DESK_OK);
	ck_assert_int_eq(core_note(&x.alice, c, "checked the fax", &e), DESK_OK);
	ck_assert_int_eq(core_undo(&x.alice, &r, &e), DESK_OK);
	ck_assert_str_eq(r.what, "#3: tag fax off");
	undo_result_free(&r);
	team_fx_close(&x);
}
END_TEST

START_TEST(undo_a_bulk_change_ticket_by_ticket)
{
	struct team_fx x;
	struct derr e = {0};
	team_fx_open(&x, T0);
	int64_t ids[3];
	for (int i = 0; i < 3; i++)
		ids[i] = new_ticket(&x, "same trouble");
	struct field_change ch[] = {{FIELD_PRIORITY, "high"}, {FIELD_TAG_ADD, "outage"}};
	struct bulk_result b;
	ck_assert_int_eq(core_bulk_apply(&x.d, ids, 3, ch, 2, &b, &e), DESK_OK);
	bulk_result_free(&b);
	test_set_now(T0 + 5);
	ck_assert_int_eq(core_set_queue(&x.bob, ids[1], "billing", &e), DESK_OK);
	struct undo_result r;
	ck_assert_int_eq(core_undo(&x.d, &r, &e), DESK_OK);
	ck_assert_uint_eq(r.ok, 2);
	ck_assert_uint_eq(r.nfailed, 1);
	ck_assert_int_eq(r.failed[0].id, ids[1]);
	ck_assert_msg(strstr(r.failed[0].msg, "changed since your change (bob set queue") != NULL,
		      "%s", r.failed[0].msg);
	ck_assert_str_eq(r.what, "2 of 3 tickets: tag outage off, priority back to normal");
	undo_result_free(&r);
	for (int i = 0; i < 3; i++) {
		struct ticket t = get(&x, ids[i]);
		ck_assert_int_eq(t.priority, i == 1 ? PRIO_HIGH : PRIO_NORMAL);
		ck_assert(has_tag(&t, "outage") == (i == 1));
		ticket_free(&t);
	}
	/* the bulk change counts as undone: the next u finds nothing */
	ck_assert_int_eq(core_undo(&x.d, &r, &e), DESK_ENOTFOUND);
	undo_result_free(&r);
	team_fx_close(&x);
}
END_TEST

START_TEST(undo_a_merge)
{
	struct team_fx x;
	struct derr e = {0};
	team_fx_open(&x, T0);
	int64_t a = new_ticket(&x, "Printer jam"), b = new_ticket(&x, "Printer broken");
	ck_assert_int_eq(core_tag(&x.d, a, "both", true, &e), DESK_OK);
	ck_assert_int_eq(core_tag(&x.d, a, "fromonly", true, &e), DESK_OK);
	ck_assert_int_eq(core_tag(&x.d, b, "both", true, &e), DESK_OK);
	ck_assert_int_eq(core_claim(&x.alice, a, &e), DESK_OK);
	ck_assert_int_eq(core_set_status(&x.alice, a, ST_PENDING, &e), DESK_OK);
	struct survey sv = {.ticket_id = a, .kind = SURVEY_CSAT, .score = 2, .answered_at = T0};
	ck_assert_int_eq(store_survey_insert(x.d.st, &sv, &e), DESK_OK);
	test_set_now(T0 + 50);
	ck_assert_int_eq(core_merge(&x.alice, a, b, &e), DESK_OK);
	test_set_now(T0 + 70);
	struct undo_result r;
	int rc = core_undo(&x.alice, &r, &e);
	ck_assert_msg(rc == DESK_OK, "%s", e.msg);
	undo_result_free(&r);
	struct ticket ta = get(&x, a), tb = get(&x, b);
	ck_assert_int_eq(ta.merged_into, 0);
	ck_assert_int_eq(ta.status, ST_PENDING);
	ck_assert_int_eq(ta.closed_at, 0);
	ck_assert_str_eq(ta.assignee_login, "alice");
	ck_assert_uint_eq(ta.ntags, 2);
	ck_assert(has_tag(&ta, "both") && has_tag(&ta, "fromonly"));
	ck_assert_uint_eq(tb.ntags, 1);
	ck_assert(has_tag(&tb, "both"));
	ticket_free(&ta);
	ticket_free(&tb);
	struct message_list l = {0};
	ck_assert_int_eq(store_messages(x.d.st, a, &l, &e), DESK_OK);
	ck_assert_uint_eq(l.n, 3); /* her words, "merged into", "undone" */
	ck_assert_str_eq(l.v[0].body, "It is broken.");
	ck_assert_str_eq(l.v[2].body, "The merge into ticket #2 was undone.");
	message_list_free(&l);
	ck_assert_int_eq(store_messages(x.d.st, b, &l, &e), DESK_OK);
	ck_assert_uint_eq(l.n, 3); /* its own, "was merged into this", "undone" */
	ck_assert_str_eq(l.v[2].body, "The merge of ticket #1 into this ticket was undone.");
	message_list_free(&l);
	struct survey_list sl = {0};
	ck_assert_int_eq(store_surveys(x.d.st, a, &sl, &e), DESK_OK);
	ck_assert_uint_eq(sl.n, 1);
	survey_list_free(&sl);
	/* both tickets take changes again; the next u goes to the status */
	ck_assert_int_eq(core_undo(&x.alice, &r, &e), DESK_OK);
	ck_assert_str_eq(r.what, "#1: status back to new");
	undo_result_free(&r);

	/* a merge someone added to since is not undone */
	int64_t c = new_ticket(&x, "dup"), dd = new_ticket(&x, "orig");
	ck_assert_int_eq(core_merge(&x.alice, c, dd, &e), DESK_OK);
	ck_assert_int_eq(core_note(&x.bob, dd, "seen it", &e), DESK_OK);
	ck_assert_int_eq(core_undo(&x.alice, &r, &e), DESK_ECONFLICT);
	undo_result_free(&r);
	ta = get(&x, c);
	ck_assert_int_eq(ta.merged_into, dd);
	ticket_free(&ta);
	team_fx_close(&x);
}
END_TEST

/* --- undo send --------------------------------------------------------- */

/* Mail out (through the default sendmail, never run here); alice's
 * replies are held for 10 s, as the console holds them. */
static void with_mail(struct team_fx *x)
{
	x->cfg.mail.support_address = xstrdup("help@desk.test");
	x->alice.reply_hold_seconds = 10;
}

static int64_t held_reply(struct team_fx *x, int64_t ticket, const char *body,
			  const struct field_change *ch, size_t n, int64_t *change)
{
	struct derr e = {0};
	int64_t msg = 0;
	int rc = core_post(&x->alice, ticket, MSG_REPLY, body, ch, n, &msg, &e);
	ck_assert_msg(rc == DESK_OK, "%s", e.msg);
	*change = x->alice.change_id;
	struct message m = {0};
	ck_assert_int_eq(store_mail_message_get(x->d.st, msg, &m, &e), DESK_OK);
	ck_assert_str_eq(m.delivery, "queued");
	message_free(&m);
	return msg;
}

static bool message_exists(struct team_fx *x, int64_t msg)
{
	struct message m = {0};
	int rc = store_mail_message_get(x->d.st, msg, &m, NULL);
	message_free(&m);
	return rc == DESK_OK;
}

START_TEST(unsend_takes_a_held_reply_back)
{
	struct team_fx x;
	struct derr e = {0};
	team_fx_open(&x, T0);
	with_mail(&x);
	int64_t a = new_ticket(&x, "Printer");
	ck_assert_int_eq(core_claim(&x.alice, a, &e), DESK_OK);
	struct field_change solve = {FIELD_STATUS, "solved"};
	int64_t change;
	int64_t msg = held_reply(&x, a, "Turn it off and on.", &solve, 1, &change);
	/* held: no desk may claim it for sendmail before its time */
	bool taken = true;
	ck_assert_int_eq(store_mail_claim(x.bob.st, msg, T0 + 100, &taken, &e), DESK_OK);
	ck_assert(!taken);
	test_set_now(T0 + 5);
	struct unsend_result r;
	int rc = core_unsend(&x.alice, msg, change, "restart", &r, &e);
	ck_assert_msg(rc == DESK_OK, "%s", e.msg);
	ck_assert_int_eq(r.ticket, a);
	ck_assert_msg(r.fields_undone, "%s", r.fields_why);
	ck_assert_str_eq(r.fields_why, "");
	undo_result_free(&r.fields);
	ck_assert(!message_exists(&x, msg));
	char *body = NULL, *canned = NULL;
	ck_assert_int_eq(store_draft_get_canned(x.d.st, a, x.alice.me.id, MSG_REPLY, &body, &canned,
						&e),
			 DESK_OK);
	ck_assert_str_eq(body, "Turn it off and on.");
	ck_assert_str_eq(canned, "restart");
	free(body);
	free(canned);
	/* what the reply did is undone too: not solved, not even opened */
	struct ticket t = get(&x, a);
	ck_assert_int_eq(t.status, ST_NEW);
	ck_assert_int_eq(t.first_response_at, 0);
	ticket_free(&t);
	char *got = events_since(&x, a, event_count(&x, a) - 4);
	ck_assert_msg(strstr(got, "unsend message") != NULL, "%s", got);
	free(got);
	team_fx_close(&x);
}
END_TEST

START_TEST(unsend_races_a_claim)
{
	struct team_fx x;
	struct derr e = {0};
	team_fx_open(&x, T0);
	with_mail(&x);
	int64_t a = new_ticket(&x, "Printer");
	int64_t change;
	int64_t msg = held_reply(&x, a, "First answer.", NULL, 0, &change);
	/* the time is up and another desk claims it first: it is leaving */
	test_set_now(T0 + 11);
	bool taken = false;
	ck_assert_int_eq(store_mail_claim(x.bob.st, msg, T0 + 100, &taken, &e), DESK_OK);
	ck_assert(taken);
	struct unsend_result r;
	ck_assert_int_eq(core_unsend(&x.alice, msg, change, NULL, &r, &e), DESK_EBUSY);
	ck_assert_str_eq(e.msg, "too late: the reply to #1 is already with sendmail (or was sent)");
	undo_result_free(&r.fields);
	ck_assert(message_exists(&x, msg));
	char *body = NULL;
	ck_assert_int_eq(store_draft_get(x.d.st, a, x.alice.me.id, MSG_REPLY, &body, &e), DESK_OK);
	ck_assert_ptr_null(body);

	/* the other way round: taken back first, there is nothing to claim */
	msg = held_reply(&x, a, "Second answer.", NULL, 0, &change);
	test_set_now(T0 + 30);
	ck_assert_int_eq(core_unsend(&x.alice, msg, change, NULL, &r, &e), DESK_OK);
	undo_result_free(&r.fields);
	ck_assert_int_eq(store_mail_claim(x.bob.st, msg, T0 + 100, &taken, &e), DESK_OK);
	ck_assert(!taken);
	team_fx_close(&x);
}
END_TEST

START_TEST(unsend_after_another_agents_change_keeps_the_fields)
{
	struct team_fx x;
	struct derr e = {0};
	team_fx_open(&x, T0);
	with_mail(&x);
	int64_t a = new_ticket(&x, "Printer");
	ck_assert_int_eq(core_claim(&x.alice, a, &e), DESK_OK);
	struct field_change tag = {FIELD_TAG_ADD, "answered"};
	int64_t change;
	int64_t msg = held_reply(&x, a, "On its way.", &tag, 1, &change);
	test_set_now(T0 + 3);
	ck_assert_int_eq(core_set_priority(&x.bob, a, PRIO_HIGH, &e), DESK_OK);
	struct unsend_result r;
	ck_assert_int_eq(core_unsend(&x.alice, msg, change, NULL, &r, &e), DESK_OK);
	ck_assert(!r.fields_undone);
	ck_assert_msg(strstr(r.fields_why, "changed since your change (bob set priority") != NULL,
		      "%s", r.fields_why);
	undo_result_free(&r.fields);
	/* the text is back all the same; the tag and bob's change stay */
	ck_assert(!message_exists(&x, msg));
	char *body = NULL;
	ck_assert_int_eq(store_draft_get(x.d.st, a, x.alice.me.id, MSG_REPLY, &body, &e), DESK_OK);
	ck_assert_str_eq(body, "On its way.");
	free(body);
	struct ticket t = get(&x, a);
	ck_assert(has_tag(&t, "answered"));
	ck_assert_int_eq(t.priority, PRIO_HIGH);
	ticket_free(&t);
	team_fx_close(&x);
}
END_TEST

Suite *suite_undo(void)
{
	Suite *s = suite_create("undo");
	TCase *t = tcase_create("undo");
	tcase_add_test(t, one_change_id_per_action);
	tcase_add_test(t, undo_each_field_then_the_change_before);
	tcase_add_test(t, undo_never_assigns_to_a_deactivated_agent);
	tcase_add_test(t, undo_takes_back_a_reopen_and_a_close);
	tcase_add_test(t, refused_after_another_agents_change);
	tcase_add_test(t, undo_a_bulk_change_ticket_by_ticket);
	tcase_add_test(t, undo_a_merge);
	tcase_add_test(t, unsend_takes_a_held_reply_back);
	tcase_add_test(t, unsend_races_a_claim);
	tcase_add_test(t, unsend_after_another_agents_change_keeps_the_fields);
	suite_add_tcase(s, t);
	return s;
}
