/* test_outbound_new.c: a ticket an agent starts by mailing the customer
 * (core_ticket_start with MSG_REPLY): the first message is the agent's
 * reply, queued and mailed like any reply (no "Re:", nothing to answer,
 * its copies), the ticket is the agent's and pending, the customer's
 * answer threads in by In-Reply-To, the report does not take it for an
 * unanswered inbound ticket, and every refusal creates nothing. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../../src/tui/format.h"
#include "core.h"
#include "mail.h"
#include "metrics.h"
#include "priv.h"
#include "report.h"
#include "testlib.h"
#include "util.h"

struct fx {
	char *dir, *db, *sent;
	struct config cfg;
	struct desk d;
};

/* A scratch desk whose stand-in sendmail appends its arguments and the
 * message to DIR/sent; with_mail false: no mail config at all. */
static void fx_open(struct fx *f, bool with_mail)
{
	memset(f, 0, sizeof *f);
	f->dir = test_tmpdir();
	f->sent = xasprintf("%s/sent", f->dir);
	char *script = xasprintf("%s/sendmail", f->dir);
	FILE *s = fopen(script, "w");
	ck_assert_ptr_nonnull(s);
	fprintf(s, "#!/bin/sh\nfor a in \"$@\"; do echo \"ARG $a\"; done >> '%s'\ncat >> '%s'\n",
		f->sent, f->sent);
	fclose(s);
	chmod(script, 0755);
	char *yaml = with_mail ? xasprintf("mail:\n  support_address: \"Desk <help@desk.test>\"\n"
					   "  sendmail: [\"%s\", \"-t\", \"-oi\"]\n",
					   script)
			       : xstrdup("");
	char *cname = xasprintf("%s/config.yaml", f->dir);
	f->db = test_db_path(f->dir);
	struct derr e = {0};
	ck_assert_msg(config_load_string(yaml, cname, &f->cfg, &e) == DESK_OK, "%s", e.msg);
	ck_assert_msg(desk_init(&f->d, f->db, &f->cfg, NULL, &e) == DESK_OK, "%s", e.msg);
	free(cname);
	free(yaml);
	free(script);
}

static void fx_close(struct fx *f)
{
	desk_close(&f->d);
	config_free(&f->cfg);
	test_db_drop(&f->db);
	test_tmpdir_cleanup(&f->dir);
	free(f->sent);
}

static void outbound(struct new_ticket *nt)
{
	new_ticket_init(nt);
	nt->subject = "Your renewal";
	nt->customer_email = "ann@example.com";
	nt->customer_name = "Ann Lee";
	nt->body = "Hi Ann,\r\nyour plan renews on Monday.\r\n\r\n";
	nt->body_kind = MSG_REPLY;
}

static int64_t tickets(struct fx *f)
{
	int64_t n = -1;
	struct derr e = {0};
	ck_assert_int_eq(store_ticket_count(f->d.st, &n, &e), DESK_OK);
	return n;
}

static struct metric_group totals(struct fx *f, struct metrics *m)
{
	struct derr e = {0};
	int64_t now = time_now();
	struct metrics_query q = {.since = now - 86400, .until = now + 86400, .now = now + 1};
	ck_assert_msg(store_metrics(f->d.st, &q, m, &e) == DESK_OK, "%s", e.msg);
	report_derive(&m->total);
	return m->total;
}

START_TEST(outbound_start_is_the_agents_reply_mailed)
{
	struct fx f;
	fx_open(&f, true);
	struct new_ticket nt;
	outbound(&nt);
	nt.cc = "boss@example.com";
	nt.bcc = "audit@example.com, boss@example.com";
	struct derr e = {0};
	int64_t id = 0, msg = 0;
	ck_assert_msg(core_ticket_start(&f.d, &nt, &id, &msg, &e) == DESK_OK, "%s", e.msg);
	ck_assert_int_gt(id, 0);
	ck_assert_int_gt(msg, 0);
	struct ticket t;
	ck_assert_int_eq(store_ticket_get(f.d.st, id, &t, &e), DESK_OK);
	ck_assert_int_eq(t.status, ST_PENDING);
	ck_assert_int_eq(t.channel, CH_EMAIL);
	ck_assert_int_eq(t.assignee_id, f.d.me.id);
	/* nobody is waiting on an answer: no first-response clock */
	ck_assert_int_eq(t.first_response_due, 0);
	ck_assert_int_eq(t.first_response_at, 0);
	ticket_free(&t);
	struct message m = {0};
	ck_assert_int_eq(store_mail_message_get(f.d.st, msg, &m, &e), DESK_OK);
	ck_assert_int_eq(m.kind, MSG_REPLY);
	ck_assert_str_eq(m.body, "Hi Ann,\nyour plan renews on Monday.");
	ck_assert_str_eq(m.delivery, "queued");
	ck_assert_str_eq(m.cc, "boss@example.com");
	ck_assert_str_eq(m.bcc, "audit@example.com, boss@example.com");
	ck_assert_ptr_nonnull(m.message_id);
	char *mid = xstrdup(m.message_id);
	message_free(&m);

	ck_assert_msg(outbound_send(&f.d, msg, &e) == DESK_OK, "%s", e.msg);
	char *sent = priv_read_file(f.sent, NULL);
	ck_assert_ptr_nonnull(sent);
	char *subject = xasprintf("Subject: Your renewal [#%lld]\n", (long long)id);
	ck_assert_msg(strstr(sent, subject), "%s", sent);
	ck_assert(!strstr(sent, "Re: "));
	ck_assert(!strstr(sent, "In-Reply-To"));
	ck_assert(!strstr(sent, "References"));
	ck_assert(strstr(sent, "To: Ann Lee <ann@example.com>\n"));
	ck_assert(strstr(sent, "Cc: boss@example.com\n"));
	ck_assert(strstr(sent, "ARG audit@example.com\n"));
	ck_assert(!strstr(sent, "Bcc"));
	free(subject);
	free(sent);

	/* the customer's answer threads in by In-Reply-To, not by a tag */
	char *answer = xasprintf("From: Ann Lee <ann@example.com>\nTo: help@desk.test\n"
				 "Subject: Re: renewal\nMessage-ID: <a1@example.com>\n"
				 "In-Reply-To: <%s>\n\nPlease renew it.\n",
				 mid);
	struct ingest_result r;
	bool fault;
	ck_assert_msg(core_ingest(&f.d, answer, strlen(answer), NULL, &r, &fault, &e) == DESK_OK,
		      "%s", e.msg);
	ck_assert_int_eq(r.outcome, INGEST_APPENDED);
	ck_assert_int_eq(r.ticket_id, id);
	ck_assert_int_eq(store_ticket_get(f.d.st, id, &t, &e), DESK_OK);
	ck_assert_int_eq(t.status, ST_OPEN);
	ticket_free(&t);
	free(answer);
	free(mid);
	fx_close(&f);
}
END_TEST

/* The report: an agent-started ticket is no unanswered inbound one,
 * nor after the customer's out-of-office answers it. */
START_TEST(outbound_start_is_not_inbound)
{
	struct fx f;
	fx_open(&f, true);
	struct new_ticket nt;
	outbound(&nt);
	struct derr e = {0};
	int64_t id = 0, msg = 0;
	ck_assert_msg(core_ticket_start(&f.d, &nt, &id, &msg, &e) == DESK_OK, "%s", e.msg);
	struct message m = {0};
	ck_assert_int_eq(store_mail_message_get(f.d.st, msg, &m, &e), DESK_OK);
	char *away = xasprintf("From: ann@example.com\nTo: help@desk.test\nSubject: Away\n"
			       "Auto-Submitted: auto-replied\nMessage-ID: <away@example.com>\n"
			       "In-Reply-To: <%s>\n\nI am away.\n",
			       m.message_id);
	message_free(&m);
	struct metrics mt = {0};
	struct metric_group g = totals(&f, &mt);
	ck_assert_int_eq(g.created, 1);
	ck_assert_int_eq(g.inbound, 0);
	ck_assert_int_eq(g.frt.n, 0);
	metrics_free(&mt);
	struct ingest_result r;
	bool fault;
	ck_assert_msg(core_ingest(&f.d, away, strlen(away), NULL, &r, &fault, &e) == DESK_OK,
		      "%s", e.msg);
	ck_assert_int_eq(r.ticket_id, id);
	ck_assert(r.automatic);
	memset(&mt, 0, sizeof mt);
	g = totals(&f, &mt);
	ck_assert_int_eq(g.inbound, 0);
	ck_assert_int_eq(g.answered, 0);
	metrics_free(&mt);
	free(away);
	fx_close(&f);
}
END_TEST

/* Each refusal says why and creates no ticket. */
START_TEST(outbound_refusals_create_nothing)
{
	struct fx f;
	fx_open(&f, true);
	struct new_ticket nt;
	struct derr e = {0};
	int64_t id = 0, msg = 0;

	outbound(&nt);
	nt.body = "  \n";
	ck_assert_int_eq(core_ticket_start(&f.d, &nt, &id, &msg, &e), DESK_EINVAL);
	ck_assert_msg(strstr(e.msg, "needs the text"), "%s", e.msg);

	outbound(&nt);
	nt.cc = "boss@example.com, not-an-address";
	ck_assert_int_eq(core_ticket_start(&f.d, &nt, &id, &msg, &e), DESK_EINVAL);
	ck_assert_msg(strstr(e.msg, "Cc address \"not-an-address\""), "%s", e.msg);

	outbound(&nt);
	nt.bcc = "-oQ/tmp@x";
	ck_assert_int_eq(core_ticket_start(&f.d, &nt, &id, &msg, &e), DESK_EINVAL);
	ck_assert_msg(strstr(e.msg, "Bcc address"), "%s", e.msg);

	outbound(&nt);
	nt.channel = CH_PHONE;
	ck_assert_int_eq(core_ticket_start(&f.d, &nt, &id, &msg, &e), DESK_EINVAL);
	ck_assert_msg(strstr(e.msg, "must be mailed, and replies on phone tickets are not mailed"),
		      "%s", e.msg);

	outbound(&nt);
	nt.customer_email = "ann lee@example.com";
	ck_assert_int_eq(core_ticket_start(&f.d, &nt, &id, &msg, &e), DESK_EINVAL);
	ck_assert_msg(strstr(e.msg, "the customer's address is not one desk can mail"), "%s",
		      e.msg);

	outbound(&nt);
	nt.customer_email = NULL;
	nt.customer_phone = "555 0100";
	ck_assert_int_eq(core_ticket_start(&f.d, &nt, &id, &msg, &e), DESK_EINVAL);
	ck_assert_msg(strstr(e.msg, "the customer has no email address"), "%s", e.msg);

	new_ticket_init(&nt);
	nt.subject = "a call";
	nt.customer_name = "Bo";
	nt.cc = "boss@example.com";
	ck_assert_int_eq(core_ticket_start(&f.d, &nt, &id, &msg, &e), DESK_EINVAL);
	ck_assert_msg(strstr(e.msg, "Cc and Bcc are for a ticket started by mail"), "%s", e.msg);

	ck_assert_int_eq(tickets(&f), 0);
	ck_assert_int_eq(id, 0);
	ck_assert_int_eq(msg, 0);
	fx_close(&f);

	/* a desk that sends no mail cannot start a ticket by mail */
	fx_open(&f, false);
	outbound(&nt);
	ck_assert_int_eq(core_ticket_start(&f.d, &nt, &id, &msg, &e), DESK_EINVAL);
	ck_assert_msg(strstr(e.msg, "mail is not set up"), "%s", e.msg);
	ck_assert_int_eq(tickets(&f), 0);
	fx_close(&f);
}
END_TEST

/* Told otherwise: another status and a follow-up time, another owner. */
START_TEST(outbound_start_status_and_until_as_given)
{
	struct fx f;
	fx_open(&f, true);
	struct derr e = {0};
	ck_assert_msg(core_agent_add(&f.d, "bob", "Bob", ROLE_AGENT, &e) == DESK_OK, "%s", e.msg);
	struct new_ticket nt;
	outbound(&nt);
	nt.status = ST_ON_HOLD;
	nt.follow_up = "3d";
	nt.assignee = "bob";
	int64_t id = 0, msg = 0, before = time_now();
	ck_assert_msg(core_ticket_start(&f.d, &nt, &id, &msg, &e) == DESK_OK, "%s", e.msg);
	struct ticket t;
	ck_assert_int_eq(store_ticket_get(f.d.st, id, &t, &e), DESK_OK);
	ck_assert_int_eq(t.status, ST_ON_HOLD);
	ck_assert_int_ge(t.follow_up_at, before + 3 * 86400);
	ck_assert_int_le(t.follow_up_at, time_now() + 3 * 86400);
	ck_assert_str_eq(t.assignee_login, "bob");
	ticket_free(&t);
	/* a follow-up time on a ticket that does not wait: refused whole */
	outbound(&nt);
	nt.status = ST_OPEN;
	nt.follow_up = "3d";
	ck_assert_int_eq(core_ticket_start(&f.d, &nt, &id, &msg, &e), DESK_EINVAL);
	ck_assert_int_eq(tickets(&f), 1);
	fx_close(&f);
}
END_TEST

/* Held (undo send) like any reply; taken back, its text and copies are
 * the agent's draft again, copies as the console writes them. */
START_TEST(outbound_start_held_and_taken_back)
{
	struct fx f;
	fx_open(&f, true);
	f.d.reply_hold_seconds = 30;
	struct new_ticket nt;
	outbound(&nt);
	nt.cc = "boss@example.com";
	nt.bcc = "audit@example.com";
	struct derr e = {0};
	int64_t id = 0, msg = 0;
	ck_assert_msg(core_ticket_start(&f.d, &nt, &id, &msg, &e) == DESK_OK, "%s", e.msg);
	struct message m = {0};
	ck_assert_int_eq(store_mail_message_get(f.d.st, msg, &m, &e), DESK_OK);
	ck_assert_int_ge(m.send_after, m.created_at + 30);
	message_free(&m);
	/* held: not sent before its time */
	ck_assert_int_eq(outbound_send(&f.d, msg, &e), DESK_EBUSY);
	struct unsend_result r;
	ck_assert_msg(core_unsend(&f.d, msg, 0, NULL, &r, &e) == DESK_OK, "%s", e.msg);
	undo_result_free(&r.fields);
	char *draft = NULL;
	ck_assert_int_eq(store_draft_get(f.d.st, id, f.d.me.id, MSG_REPLY, &draft, &e), DESK_OK);
	ck_assert_str_eq(draft, "Cc: boss@example.com\nBcc: audit@example.com\n\n"
				"Hi Ann,\nyour plan renews on Monday.");
	char *cc, *bcc, *rest;
	compose_copies(draft, &cc, &bcc, &rest);
	ck_assert_str_eq(cc, "boss@example.com");
	ck_assert_str_eq(bcc, "audit@example.com");
	ck_assert_str_eq(rest, "Hi Ann,\nyour plan renews on Monday.");
	free(cc);
	free(bcc);
	free(rest);
	free(draft);
	ck_assert(priv_read_file(f.sent, NULL) == NULL);
	fx_close(&f);
}
END_TEST

static void copies_are(const char *text, const char *cc, const char *bcc, const char *rest)
{
	char *c, *b, *r;
	compose_copies(text, &c, &b, &r);
	if (cc)
		ck_assert_msg(c && strcmp(c, cc) == 0, "cc of \"%s\": %s", text, c ? c : "NULL");
	else
		ck_assert_msg(!c, "cc of \"%s\": %s", text, c);
	if (bcc)
		ck_assert_msg(b && strcmp(b, bcc) == 0, "bcc of \"%s\": %s", text, b ? b : "NULL");
	else
		ck_assert_msg(!b, "bcc of \"%s\": %s", text, b);
	ck_assert_str_eq(r, rest);
	free(c);
	free(b);
	free(r);
}

/* The console's copies: header lines at the very top of the text. */
START_TEST(compose_copies_from_the_top_only)
{
	copies_are("Hello", NULL, NULL, "Hello");
	copies_are("", NULL, NULL, "");
	copies_are("Cc: a@x.org\n\nHello\nCc: b@x.org", "a@x.org", NULL, "Hello\nCc: b@x.org");
	copies_are("cc: a@x.org, b@x.org\nBCC:  c@x.org \r\nCc: d@x.org\r\n\r\nHi",
		   "a@x.org, b@x.org, d@x.org", "c@x.org", "Hi");
	/* the block ends at the first other line; one blank line is dropped */
	copies_are("Bcc: c@x.org\nHi\n\nthere", NULL, "c@x.org", "Hi\n\nthere");
	copies_are("Cc:\n\n\nHi", NULL, NULL, "\nHi");
	/* "Cc" inside a line, or indented, is text */
	copies_are(" Cc: a@x.org\nHi", NULL, NULL, " Cc: a@x.org\nHi");
	copies_are("Ccx a@x.org", NULL, NULL, "Ccx a@x.org");
	/* what they name is given back as typed: the caller checks it */
	copies_are("Cc: nope\n\nHi", "nope", NULL, "Hi");
	/* Attach: lines belong to the same block, in any order, and stay on
	 * top of the rest for compose_take_files */
	copies_are("Attach: /tmp/a.pdf\nCc: a@x.org\nattach: b.txt\n\nHi", "a@x.org", NULL,
		   "Attach: /tmp/a.pdf\nattach: b.txt\n\nHi");
	copies_are("Attach: a.pdf\nHi", NULL, NULL, "Attach: a.pdf\n\nHi");
}
END_TEST

Suite *suite_outbound_new(void)
{
	Suite *s = suite_create("outbound_new");
	TCase *tc = tcase_create("start");
	tcase_add_test(tc, outbound_start_is_the_agents_reply_mailed);
	tcase_add_test(tc, outbound_start_is_not_inbound);
	tcase_add_test(tc, outbound_refusals_create_nothing);
	tcase_add_test(tc, outbound_start_status_and_until_as_given);
	tcase_add_test(tc, outbound_start_held_and_taken_back);
	tcase_add_test(tc, compose_copies_from_the_top_only);
	suite_add_tcase(s, tc);
	return s;
}
