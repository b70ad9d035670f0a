/* test_survey.c: surveys desk mails itself (issue 14): tokens, the
 * sample, reading a score out of a reply, the surveys: config, desk
 * tick's decisions (once per solve, once per customer in min_interval,
 * never after automatic mail, never resampled) and answers by mail
 * (recorded by token, never reopening, a second one replacing). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "core.h"
#include "mail.h"
#include "testlib.h"
#include "util.h"

#define T0 1800000000LL
#define DAY 86400LL

/* --- tokens ------------------------------------------------------------ */

START_TEST(tokens_random_valid_found)
{
	struct derr e = {0};
	char a[SURVEY_TOKEN_LEN + 1], b[SURVEY_TOKEN_LEN + 1], got[SURVEY_TOKEN_LEN + 1];
	ck_assert_int_eq(survey_token_new(a, &e), DESK_OK);
	ck_assert_int_eq(survey_token_new(b, &e), DESK_OK);
	ck_assert_int_eq(strlen(a), SURVEY_TOKEN_LEN);
	ck_assert(survey_token_valid(a));
	ck_assert_str_ne(a, b);
	ck_assert(!survey_token_valid("0123"));
	ck_assert(!survey_token_valid("0123456789abcdef0123456789ABCDEF"));
	ck_assert(!survey_token_valid(NULL));

	char *mid = xasprintf("desk-survey.%s@desk.test", a);
	ck_assert(survey_token_find(mid, got));
	ck_assert_str_eq(got, a);
	char *quoted = xasprintf("5\n\n> (Survey reference: desk-survey.%s; please keep it)\n", b);
	ck_assert(survey_token_find(quoted, got));
	ck_assert_str_eq(got, b);
	/* a mark without a whole token, then a good one */
	char *two = xasprintf("desk-survey.abc desk-survey.%s", a);
	ck_assert(survey_token_find(two, got));
	ck_assert_str_eq(got, a);
	ck_assert(!survey_token_find("desk-survey.0123456789abcdef0123456789abcde@x", got));
	ck_assert(!survey_token_find("desk-survey.0123456789abcdef0123456789abcdef0", got));
	ck_assert(!survey_token_find("Re: How did we do? [#12]", got));
	ck_assert(!survey_token_find(NULL, got));
	free(mid);
	free(quoted);
	free(two);
}
END_TEST

/* --- the sample -------------------------------------------------------- */

START_TEST(sampling_is_deterministic)
{
	int in = 0;
	for (int64_t id = 1; id <= 2000; id++) {
		bool s = survey_sampled(id, T0 + id * 37, 30);
		ck_assert(s == survey_sampled(id, T0 + id * 37, 30)); /* the same, asked again */
		in += s;
		ck_assert(survey_sampled(id, T0, 100));
		ck_assert(!survey_sampled(id, T0, 0));
	}
	/* about 30 % of 2000 */
	ck_assert_msg(in > 500 && in < 700, "%d of 2000 sampled at 30%%", in);
	/* another solve of the same ticket is decided anew */
	int differ = 0;
	for (int64_t id = 1; id <= 200; id++)
		differ += survey_sampled(id, T0, 50) != survey_sampled(id, T0 + DAY, 50);
	ck_assert_int_gt(differ, 0);
}
END_TEST

/* --- scores in replies ------------------------------------------------- */

static void score_ok(const char *text, enum survey_kind k, int want, const char *comment)
{
	struct derr e = {0};
	int score = -1;
	char *c = NULL;
	int rc = survey_parse_answer(text, k, &score, &c, &e);
	ck_assert_msg(rc == DESK_OK, "\"%s\": %s", text, e.msg);
	ck_assert_int_eq(score, want);
	if (comment)
		ck_assert_msg(c && strcmp(c, comment) == 0, "\"%s\": comment \"%s\", want \"%s\"",
			      text, c ? c : "(null)", comment);
	else
		ck_assert_msg(!c, "\"%s\": comment \"%s\", want none", text, c);
	free(c);
}

static void score_bad(const char *text, enum survey_kind k, const char *why)
{
	struct derr e = {0};
	int score = -1;
	char *c = NULL;
	ck_assert_int_eq(survey_parse_answer(text, k, &score, &c, &e), DESK_EINVAL);
	ck_assert_msg(strstr(e.msg, why), "\"%s\": %s", text, e.msg);
	ck_assert_int_eq(score, -1);
	free(c);
}

START_TEST(scores_read_from_replies)
{
	score_ok("5", SURVEY_CSAT, 5, NULL);
	score_ok("  4\n", SURVEY_CSAT, 4, NULL);
	score_ok("4 - quick, but the\nhinge was late.", SURVEY_CSAT, 4,
		 "quick, but the\nhinge was late.");
	score_ok("5/5 thank you!", SURVEY_CSAT, 5, "thank you!");
	score_ok("I'd say 3.", SURVEY_CSAT, 3, "I'd say");
	score_ok("\n\nHello,\n\n10! Great team.\n\n-- \nBob\n", SURVEY_NPS, 10, "Hello,\n\nGreat team.");
	score_ok("0", SURVEY_NPS, 0, NULL);
	score_ok("7\n\nOn Mon, 1 Jan 2027, Support wrote:\n> reply with 1 to 5\n", SURVEY_CES, 7,
		 NULL);
	/* the quoted survey's numbers are not the customer's */
	score_ok("> from 1 (not at all) to 5\n2\n", SURVEY_CSAT, 2, NULL);
	/* "2nd" is a word, not a score */
	score_ok("my 2nd try: 4", SURVEY_CSAT, 4, "my 2nd try:");
	score_bad("Great service!", SURVEY_CSAT, "no score");
	score_bad("", SURVEY_CSAT, "no score");
	score_bad("> 5\n", SURVEY_CSAT, "no score");
	score_bad("6", SURVEY_CSAT, "score 6 is out of range: csat takes 1 to 5");
	score_bad("8 out of 7", SURVEY_CES, "score 8 is out of range: ces takes 1 to 7");
	score_bad("11", SURVEY_NPS, "out of range: nps takes 0 to 10");
	score_bad("99999999999999999999", SURVEY_NPS, "out of range");
	/* a number far down is something said, not the answer */
	score_bad("Thanks.\nAll good.\nReally.\nOrder 5 arrived.", SURVEY_CSAT, "no score");
}
END_TEST

START_TEST(agent_lines_parsed)
{
	struct derr e = {0};
	enum survey_kind k;
	int score = 0;
	const char *c;
	ck_assert_int_eq(survey_line_parse("csat 5 very kind", SURVEY_NPS, &k, &score, &c, &e),
			 DESK_OK);
	ck_assert_int_eq(k, SURVEY_CSAT);
	ck_assert_int_eq(score, 5);
	ck_assert_str_eq(c, "very kind");
	ck_assert_int_eq(survey_line_parse(" 9 ", SURVEY_NPS, &k, &score, &c, &e), DESK_OK);
	ck_assert_int_eq(k, SURVEY_NPS);
	ck_assert_int_eq(score, 9);
	ck_assert_ptr_null(c);
	ck_assert_int_eq(survey_line_parse("ces 8", SURVEY_CSAT, &k, &score, &c, &e), DESK_EINVAL);
	ck_assert_str_eq(e.msg, "score 8 is out of range: ces takes 1 to 7");
	ck_assert_int_eq(survey_line_parse("good 5", SURVEY_CSAT, &k, &score, &c, &e), DESK_EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "expected csat, ces or nps"));
	ck_assert_int_eq(survey_line_parse("csat", SURVEY_CSAT, &k, &score, &c, &e), DESK_EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "expected a score"));
	ck_assert_int_eq(survey_line_parse("4x", SURVEY_CSAT, &k, &score, &c, &e), DESK_EINVAL);
}
END_TEST

/* --- config ------------------------------------------------------------ */

static void config_bad(const char *text, const char *msg)
{
	struct config c;
	struct derr e = {0};
	ck_assert_int_eq(config_load_string(text, "config.yaml", &c, &e), DESK_EINVAL);
	ck_assert_msg(strcmp(e.msg, msg) == 0, "got: %s\nwant: %s", e.msg, msg);
	ck_assert(!c.surveys.enabled);
	config_free(&c);
}

START_TEST(config_surveys)
{
	struct config c;
	struct derr e = {0};
	ck_assert_int_eq(config_load_string("mail: {}\n", "config.yaml", &c, &e), DESK_OK);
	ck_assert(!c.surveys.enabled);
	config_free(&c);
	ck_assert_int_eq(config_load_string("surveys:\n  kind: nps\n  delay: 2h\n"
					    "  channels: [email, web]\n  sample: 25\n"
					    "  min_interval: 14d\n  subject: Quick question\n"
					    "  question: Would you recommend us?\n",
					    "config.yaml", &c, &e),
			 DESK_OK);
	ck_assert(c.surveys.enabled);
	ck_assert_int_eq(c.surveys.kind, SURVEY_NPS);
	ck_assert_int_eq(c.surveys.delay, 2 * 3600);
	ck_assert(c.surveys.channels[CH_EMAIL] && c.surveys.channels[CH_WEB]);
	ck_assert(!c.surveys.channels[CH_PHONE]);
	ck_assert_int_eq(c.surveys.sample, 25);
	ck_assert_int_eq(c.surveys.min_interval, 14 * DAY);
	ck_assert_str_eq(c.surveys.subject, "Quick question");
	ck_assert_str_eq(c.surveys.question, "Would you recommend us?");
	config_free(&c);
	/* the defaults: csat, a day, email, everyone, 30 days */
	ck_assert_int_eq(config_load_string("surveys: {}\n", "config.yaml", &c, &e), DESK_OK);
	ck_assert(c.surveys.enabled);
	ck_assert_int_eq(c.surveys.kind, SURVEY_CSAT);
	ck_assert_int_eq(c.surveys.delay, DAY);
	ck_assert(c.surveys.channels[CH_EMAIL] && !c.surveys.channels[CH_WEB]);
	ck_assert_int_eq(c.surveys.sample, 100);
	ck_assert_int_eq(c.surveys.min_interval, 30 * DAY);
	config_free(&c);

	config_bad("surveys:\n  kind: stars\n",
		   "config.yaml:2:9: expected csat, ces or nps, got \"stars\"");
	config_bad("surveys:\n  sample: 120\n",
		   "config.yaml:2:11: expected an integer from 0 to 100, got \"120\"");
	config_bad("surveys:\n  delay: soon\n",
		   "config.yaml:2:10: expected a duration like 30m, 4h or 2d, got \"soon\"");
	config_bad("surveys:\n  channels: [email, fax]\n",
		   "config.yaml:2:21: expected email, phone, chat, web, social or walk_in, got "
		   "\"fax\"");
	config_bad("surveys:\n  channels: []\n",
		   "config.yaml:2:13: surveys: channels is an empty list (leave surveys out to "
		   "send none)");
	config_bad("surveys:\n  colour: red\n",
		   "config.yaml:2:3: unknown key \"colour\" in surveys; expected one of: kind, "
		   "delay, channels, sample, min_interval, subject, question");
	config_bad("surveys: yes\n",
		   "config.yaml:1:10: expected a mapping of survey settings like {kind: csat}, got "
		   "\"yes\"");
}
END_TEST

/* --- desk tick and answers by mail -------------------------------------- */

struct sfx {
	char *dir, *path;
	struct config cfg;
	struct desk d;
};

static void sfx_open(struct sfx *x, int sample)
{
	struct derr e = {0};
	test_set_now(T0);
	x->dir = test_tmpdir();
	x->path = test_db_path(x->dir);
	config_defaults(&x->cfg);
	x->cfg.mail.support_address = xstrdup("Support <help@desk.test>");
	x->cfg.surveys.enabled = true;
	x->cfg.surveys.sample = sample;
	ck_assert_int_eq(desk_init(&x->d, x->path, &x->cfg, "tester", &e), DESK_OK);
}

static void sfx_close(struct sfx *x)
{
	desk_close(&x->d);
	config_free(&x->cfg);
	test_db_drop(&x->path);
	test_tmpdir_cleanup(&x->dir);
	unsetenv("DESK_NOW");
}

/* A mail ticket of `email`, solved now. */
static int64_t solved_ticket(struct sfx *x, const char *email)
{
	struct derr e = {0};
	struct new_ticket nt;
	new_ticket_init(&nt);
	nt.subject = "Broken hinge";
	nt.body = "The hinge broke.";
	nt.customer_name = "Cy Young";
	nt.customer_email = email;
	nt.assignee = "tester";
	int64_t id = 0;
	ck_assert_int_eq(core_ticket_new(&x->d, &nt, &id, &e), DESK_OK);
	ck_assert_int_eq(core_set_status(&x->d, id, ST_SOLVED, &e), DESK_OK);
	return id;
}

struct tally {
	size_t sent, skipped, failed;
	char reasons[8][160];
	int64_t msgs[8];
	size_t n;
};

static void note(const struct survey_action *a, void *arg)
{
	struct tally *t = arg;
	if (t->n < 8) {
		snprintf(t->reasons[t->n], sizeof t->reasons[0], "%s", a->reason);
		t->msgs[t->n++] = a->msg;
	}
}

static struct tally tick(struct sfx *x, bool dry)
{
	struct tally t = {0};
	struct derr e = {0};
	ck_assert_int_eq(core_survey_tick(&x->d, dry, note, &t, &t.sent, &t.skipped, &t.failed, &e),
			 DESK_OK);
	return t;
}

/* Every answer stored, through the store's own list (no SQL here). */
static size_t answers(struct sfx *x)
{
	struct derr e = {0};
	struct survey_entries l = {0};
	struct survey_query q = {.kind = -1};
	ck_assert_int_eq(store_survey_list(x->d.st, &q, &l, &e), DESK_OK);
	size_t n = l.n;
	survey_entries_free(&l);
	return n;
}

START_TEST(tick_once_per_solve_and_dry_run)
{
	struct sfx x;
	sfx_open(&x, 100);
	int64_t id = solved_ticket(&x, "cy@example.com");
	/* not yet: the delay (a day) has not passed */
	struct tally t = tick(&x, false);
	ck_assert_int_eq(t.n, 0);
	test_set_now(T0 + DAY + 60);
	t = tick(&x, true);
	ck_assert_int_eq(t.sent, 1);
	ck_assert_int_eq(t.msgs[0], 0); /* dry: nothing stored */
	t = tick(&x, false);
	ck_assert_int_eq(t.sent, 1);
	ck_assert_int_gt(t.msgs[0], 0);
	/* the survey: a system message, queued, its Message-ID the token's */
	struct message m = {0};
	struct derr e = {0};
	ck_assert_int_eq(store_mail_message_get(x.d.st, t.msgs[0], &m, &e), DESK_OK);
	ck_assert_int_eq(m.kind, MSG_SYSTEM);
	ck_assert_str_eq(m.delivery, "queued");
	char tok[SURVEY_TOKEN_LEN + 1], tok2[SURVEY_TOKEN_LEN + 1];
	ck_assert(survey_token_find(m.message_id, tok));
	ck_assert(survey_token_find(m.body, tok2));
	ck_assert_str_eq(tok, tok2);
	ck_assert_ptr_nonnull(strstr(m.body, "from 1 (not at all) to 5"));
	/* the subject says what it is; the rendered mail is checked */
	char *text = NULL;
	size_t len;
	ck_assert_int_eq(outbound_render(&x.d, m.id, &text, &len, &e), DESK_OK);
	ck_assert_ptr_nonnull(strstr(text, "Subject: How did we do? [#"));
	ck_assert_ptr_nonnull(strstr(text, "Auto-Submitted: auto-generated"));
	free(text);
	message_free(&m);
	/* a second run: nothing more for that solve */
	t = tick(&x, false);
	ck_assert_int_eq(t.n, 0);
	/* reopened and solved again later: a new solve, but the customer
	 * was surveyed within min_interval (30 days) */
	test_set_now(T0 + 2 * DAY);
	ck_assert_int_eq(core_set_status(&x.d, id, ST_OPEN, &e), DESK_OK);
	ck_assert_int_eq(core_set_status(&x.d, id, ST_SOLVED, &e), DESK_OK);
	test_set_now(T0 + 3 * DAY + 60);
	t = tick(&x, false);
	ck_assert_int_eq(t.skipped, 1);
	ck_assert_ptr_nonnull(strstr(t.reasons[0], "surveyed on"));
	ck_assert_ptr_nonnull(strstr(t.reasons[0], "min_interval"));
	t = tick(&x, false);
	ck_assert_int_eq(t.n, 0);
	sfx_close(&x);
}
END_TEST

START_TEST(tick_once_per_customer_in_interval)
{
	struct sfx x;
	sfx_open(&x, 100);
	solved_ticket(&x, "cy@example.com");
	solved_ticket(&x, "cy@example.com");
	solved_ticket(&x, "di@example.com");
	test_set_now(T0 + DAY + 60);
	struct tally t = tick(&x, false);
	/* in solve order: cy's first, then cy's second skipped, then di's */
	ck_assert_int_eq(t.n, 3);
	ck_assert_int_eq(t.sent, 2);
	ck_assert_int_eq(t.skipped, 1);
	ck_assert_str_eq(t.reasons[0], "");
	ck_assert_ptr_nonnull(strstr(t.reasons[1], "surveyed on"));
	ck_assert_str_eq(t.reasons[2], "");
	/* past the interval, cy's next solve is surveyed again */
	struct derr e = {0};
	test_set_now(T0 + 40 * DAY);
	solved_ticket(&x, "cy@example.com");
	test_set_now(T0 + 41 * DAY + 60);
	t = tick(&x, false);
	ck_assert_int_eq(t.sent, 1);
	(void)e;
	sfx_close(&x);
}
END_TEST

START_TEST(tick_never_after_automatic_mail)
{
	struct sfx x;
	sfx_open(&x, 100);
	/* a ticket opened by an auto-reply: kept, never surveyed */
	static const char mail[] = "From: Robot <robot@example.com>\r\n"
				   "To: help@desk.test\r\n"
				   "Subject: Out of office\r\n"
				   "Message-ID: <auto1@example.com>\r\n"
				   "Auto-Submitted: auto-replied\r\n\r\n"
				   "I am away.\r\n";
	struct ingest_result r;
	bool fault;
	struct derr e = {0};
	ck_assert_int_eq(core_ingest(&x.d, mail, strlen(mail), NULL, &r, &fault, &e), DESK_OK);
	ck_assert_int_eq(core_assign(&x.d, r.ticket_id, "tester", &e), DESK_OK);
	ck_assert_int_eq(core_set_status(&x.d, r.ticket_id, ST_SOLVED, &e), DESK_OK);
	/* and a customer without an address */
	struct new_ticket nt;
	new_ticket_init(&nt);
	nt.subject = "Call";
	nt.customer_name = "No Mail";
	nt.customer_phone = "+1 555 0100";
	nt.assignee = "tester";
	int64_t id = 0;
	ck_assert_int_eq(core_ticket_new(&x.d, &nt, &id, &e), DESK_OK);
	ck_assert_int_eq(core_set_status(&x.d, id, ST_SOLVED, &e), DESK_OK);
	test_set_now(T0 + DAY + 60);
	struct tally t = tick(&x, false);
	ck_assert_int_eq(t.sent, 0);
	ck_assert_int_eq(t.skipped, 2);
	ck_assert_ptr_nonnull(strstr(t.reasons[0], "automatic mail"));
	ck_assert_ptr_nonnull(strstr(t.reasons[1], "no address"));
	sfx_close(&x);
}
END_TEST

START_TEST(tick_samples_once)
{
	struct sfx x;
	sfx_open(&x, 0);
	solved_ticket(&x, "cy@example.com");
	test_set_now(T0 + DAY + 60);
	struct tally t = tick(&x, false);
	ck_assert_int_eq(t.skipped, 1);
	ck_assert_ptr_nonnull(strstr(t.reasons[0], "not in the 0% sample"));
	/* the rate goes up: the solve was decided, and stays so */
	x.cfg.surveys.sample = 100;
	t = tick(&x, false);
	ck_assert_int_eq(t.n, 0);
	sfx_close(&x);
}
END_TEST

START_TEST(tick_agents_may_not)
{
	struct sfx x;
	sfx_open(&x, 100);
	struct derr e = {0};
	ck_assert_int_eq(core_agent_add(&x.d, "alice", "Alice", ROLE_AGENT, &e), DESK_OK);
	struct desk al;
	ck_assert_int_eq(desk_open(&al, x.path, &x.cfg, "alice", 0, &e), DESK_OK);
	size_t a, b, c;
	ck_assert_int_eq(core_survey_tick(&al, false, NULL, NULL, &a, &b, &c, &e), DESK_EDENIED);
	struct survey_entries l = {0};
	struct survey_query q = {.kind = -1};
	ck_assert_int_eq(core_survey_list(&al, &q, &l, &e), DESK_EDENIED);
	desk_close(&al);
	/* on without mail: said, with where */
	free(x.cfg.mail.support_address);
	x.cfg.mail.support_address = NULL;
	ck_assert_int_eq(core_survey_tick(&x.d, false, NULL, NULL, &a, &b, &c, &e), DESK_EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "mail.support_address"));
	sfx_close(&x);
}
END_TEST

/* The customer's answer to the survey of ticket id, by mail. */
static struct ingest_result answer(struct sfx *x, int64_t msg, const char *mid, const char *text,
				   bool by_reference)
{
	struct message m = {0};
	struct derr e = {0};
	ck_assert_int_eq(store_mail_message_get(x->d.st, msg, &m, &e), DESK_OK);
	char tok[SURVEY_TOKEN_LEN + 1];
	ck_assert(survey_token_find(m.message_id, tok));
	char *mail = by_reference
			     ? xasprintf("From: Cy <cy@example.com>\r\nTo: help@desk.test\r\n"
					 "Subject: Re: How did we do?\r\nMessage-ID: <%s>\r\n"
					 "In-Reply-To: <%s>\r\n\r\n%s\r\n",
					 mid, m.message_id, text)
			     : xasprintf("From: Cy <cy@example.com>\r\nTo: help@desk.test\r\n"
					 "Subject: my rating\r\nMessage-ID: <%s>\r\n\r\n%s\r\n\r\n"
					 "> (Survey reference: desk-survey.%s; please keep it)\r\n",
					 mid, text, tok);
	message_free(&m);
	struct ingest_result r;
	bool fault;
	ck_assert_int_eq(core_ingest(&x->d, mail, strlen(mail), NULL, &r, &fault, &e), DESK_OK);
	free(mail);
	return r;
}

START_TEST(answers_by_mail)
{
	struct sfx x;
	sfx_open(&x, 100);
	int64_t id = solved_ticket(&x, "cy@example.com");
	test_set_now(T0 + DAY + 60);
	struct tally t = tick(&x, false);
	ck_assert_int_eq(t.sent, 1);
	struct derr e = {0};

	struct ingest_result r = answer(&x, t.msgs[0], "a1@example.com", "4 - quick, thanks", true);
	ck_assert(r.survey);
	ck_assert_int_eq(r.ticket_id, id);
	ck_assert_str_eq(r.survey_said, "csat 4/5 recorded");
	ck_assert(!r.acknowledged);
	struct ticket tk;
	ck_assert_int_eq(store_ticket_get(x.d.st, id, &tk, &e), DESK_OK);
	ck_assert_int_eq(tk.status, ST_SOLVED); /* never reopened */
	ck_assert_int_eq(tk.reopens, 0);
	ticket_free(&tk);
	struct survey_list sl = {0};
	ck_assert_int_eq(store_surveys(x.d.st, id, &sl, &e), DESK_OK);
	ck_assert_int_eq(sl.n, 1);
	ck_assert_int_eq(sl.v[0].score, 4);
	ck_assert_str_eq(sl.v[0].comment, "quick, thanks");
	ck_assert_int_gt(sl.v[0].request_id, 0);
	survey_list_free(&sl);

	/* the token in the quoted text alone is enough; a second answer
	 * replaces the first */
	r = answer(&x, t.msgs[0], "a2@example.com", "Sorry, 5!", false);
	ck_assert(r.survey);
	ck_assert_str_eq(r.survey_said, "csat 5/5 recorded, replacing the earlier answer");
	ck_assert_int_eq(store_surveys(x.d.st, id, &sl, &e), DESK_OK);
	ck_assert_int_eq(sl.n, 1);
	ck_assert_int_eq(sl.v[0].score, 5);
	ck_assert_str_eq(sl.v[0].comment, "Sorry,");
	survey_list_free(&sl);

	/* words without a score: kept as a message, no answer changed */
	r = answer(&x, t.msgs[0], "a3@example.com", "Who are you?", true);
	ck_assert(r.survey);
	ck_assert_ptr_nonnull(strstr(r.survey_said, "no score"));
	ck_assert_int_eq(store_surveys(x.d.st, id, &sl, &e), DESK_OK);
	ck_assert_int_eq(sl.n, 1);
	ck_assert_int_eq(sl.v[0].score, 5);
	survey_list_free(&sl);
	ck_assert_int_eq(store_ticket_get(x.d.st, id, &tk, &e), DESK_OK);
	ck_assert_int_eq(tk.status, ST_SOLVED);
	ticket_free(&tk);
	ck_assert_int_eq(answers(&x), 1);

	/* a forged token is nobody's survey: an ordinary new ticket */
	static const char forged[] =
		"From: Eve <eve@example.com>\r\nTo: help@desk.test\r\nSubject: 1\r\n"
		"Message-ID: <f1@example.com>\r\n"
		"In-Reply-To: <desk-survey.0123456789abcdef0123456789abcdef@desk.test>\r\n\r\n1\r\n";
	bool fault;
	ck_assert_int_eq(core_ingest(&x.d, forged, strlen(forged), NULL, &r, &fault, &e), DESK_OK);
	ck_assert(!r.survey);
	ck_assert_int_eq(r.outcome, INGEST_NEW_TICKET);
	ck_assert_int_eq(answers(&x), 1);
	sfx_close(&x);
}
END_TEST

START_TEST(agent_records_answer)
{
	struct sfx x;
	sfx_open(&x, 100);
	int64_t a = solved_ticket(&x, "cy@example.com");
	int64_t b = solved_ticket(&x, "di@example.com");
	struct derr e = {0};
	ck_assert_int_eq(core_survey_record(&x.d, a, SURVEY_CSAT, 6, NULL, NULL, NULL, &e), DESK_EINVAL);
	ck_assert_str_eq(e.msg, "score 6 is out of range: csat takes 1 to 5");
	ck_assert_int_eq(core_survey_record(&x.d, a, SURVEY_CSAT, 3, "  \n", NULL, NULL, &e), DESK_OK);
	/* b merged into a: b's answer goes to a */
	ck_assert_int_eq(core_merge(&x.d, b, a, &e), DESK_OK);
	int64_t sid = 0;
	ck_assert_int_eq(core_survey_record(&x.d, b, SURVEY_NPS, 9, "Nice\r\nfolks", &sid, NULL, &e),
			 DESK_OK);
	struct survey_list sl = {0};
	ck_assert_int_eq(store_surveys(x.d.st, a, &sl, &e), DESK_OK);
	ck_assert_int_eq(sl.n, 2);
	ck_assert_ptr_null(sl.v[0].comment); /* blank words are none */
	ck_assert_int_eq(sl.v[1].id, sid);
	ck_assert_str_eq(sl.v[1].comment, "Nice\nfolks");
	ck_assert_str_eq(sl.v[1].agent_login, "tester");
	survey_list_free(&sl);
	struct event ev;
	ck_assert_int_eq(store_event_last(x.d.st, a, "recorded", &ev, &e), DESK_OK);
	ck_assert_str_eq(ev.action, "survey");
	ck_assert_str_eq(ev.new_value, "nps 9/10");
	event_free(&ev);
	struct survey_entries l = {0};
	struct survey_query q = {.kind = SURVEY_NPS};
	ck_assert_int_eq(core_survey_list(&x.d, &q, &l, &e), DESK_OK);
	ck_assert_int_eq(l.n, 1);
	ck_assert_str_eq(l.v[0].customer, "Cy Young");
	survey_entries_free(&l);
	/* recorded again: a correction replaces it, counted once, the event
	 * keeping the old score */
	bool replaced = false;
	int64_t sid2 = 0;
	ck_assert_int_eq(core_survey_record(&x.d, a, SURVEY_NPS, 7, "misheard", &sid2, &replaced, &e),
			 DESK_OK);
	ck_assert(replaced);
	ck_assert_int_eq(sid2, sid);
	ck_assert_int_eq(store_surveys(x.d.st, a, &sl, &e), DESK_OK);
	ck_assert_int_eq(sl.n, 2);
	ck_assert_int_eq(sl.v[1].score, 7);
	ck_assert_str_eq(sl.v[1].comment, "misheard");
	survey_list_free(&sl);
	ck_assert_int_eq(store_event_last(x.d.st, a, "recorded", &ev, &e), DESK_OK);
	ck_assert_str_eq(ev.old_value, "nps 9/10");
	ck_assert_str_eq(ev.new_value, "nps 7/10");
	event_free(&ev);
	sfx_close(&x);
}
END_TEST

Suite *suite_survey(void)
{
	Suite *s = suite_create("survey");
	TCase *tc = tcase_create("parts");
	tcase_add_test(tc, tokens_random_valid_found);
	tcase_add_test(tc, sampling_is_deterministic);
	tcase_add_test(tc, scores_read_from_replies);
	tcase_add_test(tc, agent_lines_parsed);
	tcase_add_test(tc, config_surveys);
	suite_add_tcase(s, tc);
	tc = tcase_create("desk");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, tick_once_per_solve_and_dry_run);
	tcase_add_test(tc, tick_once_per_customer_in_interval);
	tcase_add_test(tc, tick_never_after_automatic_mail);
	tcase_add_test(tc, tick_samples_once);
	tcase_add_test(tc, tick_agents_may_not);
	tcase_add_test(tc, answers_by_mail);
	tcase_add_test(tc, agent_records_answer);
	suite_add_tcase(s, tc);
	return s;
}
