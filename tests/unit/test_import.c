/* test_import.c: desk export and desk import (JSON Lines): the lossless
 * round trip, every kind of bad line with its exact message, all or
 * nothing, --skip-bad, re-imports that update instead of duplicating,
 * and what an import fills in (times, customers, agents, SLA). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "core.h"
#include "testlib.h"
#include "text.h"
#include "util.h"

/* --- helpers ----------------------------------------------------------- */

static void ok(int rc, const struct derr *e)
{
	ck_assert_msg(rc == DESK_OK, "%s", e->msg);
}
#define ok_rc ok

#define T0 "\"at\":\"2026-11-01T09:30:00Z\""

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

static char *db_path(const char *name)
{
	return test_db_named(dir, name);
}

static void new_desk(struct desk *d, const char *name)
{
	char *path = db_path(name);
	struct derr e = {0};
	int rc = desk_init(d, path, &cfg, "tester", &e);
	ck_assert_msg(rc == DESK_OK, "%s", e.msg);
	free(path);
}

/* The same database as another agent (the test owns the file, so --as
 * is allowed). */
static void open_as(struct desk *d, const char *name, const char *login)
{
	char *path = db_path(name);
	struct derr e = {0};
	int rc = desk_open(d, path, &cfg, login, 0, &e);
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

/* Every ticket as export writes it, but without the audit events. */
static char *export_without_events(struct desk *d)
{
	struct strbuf b = {0};
	struct derr e = {0};
	int64_t id = 0;
	for (;;) {
		ok_rc(store_ticket_next_id(d->st, id, &id, &e), &e);
		if (!id)
			break;
		char *json;
		ok_rc(store_ticket_json(d->st, id, false, true, &json, &e), &e);
		sb_addf(&b, "%s\n", json);
		free(json);
	}
	char *s = xstrdup(sb_str(&b));
	sb_free(&b);
	return s;
}

/* Ticket id of b holds ticket id of a's events, in order, and then
 * those of the imports into b: `imports` events by tester naming
 * t.jsonl:LINE, the line where the ticket was. */
static void events_then_imports(struct desk *a, struct desk *b, int64_t id, int imports,
				long line)
{
	struct derr e = {0};
	struct event_list la = {0}, lb = {0};
	ok_rc(store_events(a->st, id, &la, &e), &e);
	ok_rc(store_events(b->st, id, &lb, &e), &e);
	ck_assert_uint_eq(lb.n, la.n + (size_t)imports);
	for (size_t i = 0; i < la.n; i++) {
		const struct event *x = &la.v[i], *y = &lb.v[i];
		ck_assert_int_eq(x->at, y->at);
		ck_assert_pstr_eq(x->agent_login, y->agent_login);
		ck_assert_str_eq(x->action, y->action);
		ck_assert_pstr_eq(x->field, y->field);
		ck_assert_pstr_eq(x->old_value, y->old_value);
		ck_assert_pstr_eq(x->new_value, y->new_value);
	}
	char where[32];
	snprintf(where, sizeof where, "t.jsonl:%ld", line);
	for (size_t i = la.n; i < lb.n; i++) {
		ck_assert_str_eq(lb.v[i].action, "import");
		ck_assert_str_eq(lb.v[i].agent_login, "tester");
		ck_assert_str_eq(lb.v[i].new_value, where);
	}
	event_list_free(&la);
	event_list_free(&lb);
}

/* Imports `len` bytes of text as "t.jsonl"; the report lands in *report. */
static int import_bytes(struct desk *d, const char *text, size_t len, bool skip_bad,
			struct import_result *r, char **report, struct derr *e)
{
	FILE *in = tmpfile();
	ck_assert_ptr_nonnull(in);
	ck_assert_uint_eq(fwrite(text, 1, len, in), len);
	rewind(in);
	size_t rlen = 0;
	FILE *rep = open_memstream(report, &rlen);
	struct import_opts o = {.skip_bad = skip_bad, .name = "t.jsonl"};
	int rc = core_import(d, in, &o, r, rep, e);
	fclose(rep);
	fclose(in);
	return rc;
}

static int import_text(struct desk *d, const char *text, bool skip_bad, struct import_result *r,
		       char **report, struct derr *e)
{
	return import_bytes(d, text, strlen(text), skip_bad, r, report, e);
}

/* Imports text that must load cleanly. */
static struct import_result import_ok(struct desk *d, const char *text)
{
	struct import_result r;
	struct derr e = {0};
	char *report = NULL;
	int rc = import_text(d, text, false, &r, &report, &e);
	ck_assert_msg(rc == DESK_OK, "%s", e.msg);
	ck_assert_str_eq(report, "");
	free(report);
	return r;
}

static int64_t ticket_count(struct desk *d)
{
	int64_t n;
	struct derr e = {0};
	ck_assert_int_eq(store_ticket_count(d->st, &n, &e), DESK_OK);
	return n;
}

static int64_t customer_count(struct desk *d)
{
	int64_t n;
	struct derr e = {0};
	ck_assert_int_eq(store_customer_count(d->st, &n, &e), DESK_OK);
	return n;
}


/* --- the round trip ----------------------------------------------------- */

static int64_t new_ticket(struct desk *d, const char *subject, const char *body,
			  enum channel ch, enum priority p, const char *name, const char *email,
			  const char *assignee, const char *const *tags)
{
	struct new_ticket nt;
	new_ticket_init(&nt);
	nt.subject = subject;
	nt.body = body;
	nt.channel = ch;
	nt.priority = p;
	nt.customer_name = name;
	nt.customer_email = email;
	nt.assignee = assignee;
	nt.tags = tags;
	int64_t id;
	struct derr e = {0};
	ok(core_ticket_new(d, &nt, &id, &e), &e);
	return id;
}

static void survey(struct desk *d, int64_t id, enum survey_kind k, int score)
{
	struct survey s = {.ticket_id = id, .kind = k, .score = score, .answered_at = time_now()};
	struct derr e = {0};
	ok(store_survey_insert(d->st, &s, &e), &e);
}

/* A desk built the way people build one, through the core actions:
 * every message kind, every status, tags, surveys, events, reopens,
 * merges in both directions, text that JSON must escape. */
static void build_desk(struct desk *a)
{
	struct derr e = {0};
	ok(core_agent_add(a, "alice", "Alice Martin", ROLE_AGENT, &e), &e);
	ok(core_agent_add(a, "bob", "Bob", ROLE_SUPERVISOR, &e), &e);
	struct desk al;
	open_as(&al, "a.db", "alice");

	static const char *const tags1[] = {"refund", "vip", NULL};
	int64_t t1 = new_ticket(a, "Refund for order #1234 — «€» 🧾",
				"Hello,\n\nI paid \"twice\" \\ see C:\\bills\\x.pdf\n"
				"日本語のテキスト 🙂 and a tab:\there",
				CH_EMAIL, PRIO_HIGH, "Zoë Ünal", "zoe@example.com", "alice", tags1);
	ok(core_reply(&al, t1, "Hi Zoë,\n\nWe're on it. 👍", &e), &e);
	ok(core_note(a, t1, "Checked the ledger: <b>duplicate</b> & 'quoted'", &e), &e);
	ok(core_customer_message(a, t1, "Any news?\r\nThanks", 0, "<m1@mail.example>", &e), &e);
	ok(core_set_status(&al, t1, ST_SOLVED, &e), &e);
	survey(a, t1, SURVEY_CSAT, 5);
	survey(a, t1, SURVEY_CES, 6);
	survey(a, t1, SURVEY_NPS, 0);
	ok(core_customer_message(a, t1, "It's back 😕", 0, NULL, &e), &e);
	ok(core_reply(&al, t1, "Fixed for good this time.", &e), &e);
	ok(core_set_status(&al, t1, ST_SOLVED, &e), &e);
	ok(core_set_status(&al, t1, ST_CLOSED, &e), &e);

	/* no email: a customer of its own */
	int64_t t2 = new_ticket(a, "Walk-in about a broken lamp", "Lamp is broken.", CH_WALK_IN,
				PRIO_URGENT, "Wanda 王", NULL, NULL, NULL);
	ok(core_claim(&al, t2, &e), &e);
	ok(core_reply(&al, t2, "Can you send a photo?", &e), &e);
	ok(core_set_status(&al, t2, ST_PENDING, &e), &e);

	int64_t t3 = new_ticket(a, "Invoice", "Where is my invoice?", CH_CHAT, PRIO_LOW, "Bob B",
				"bob@example.com", "alice", NULL);
	int64_t t4 = new_ticket(a, "Invoice again", "Hello?", CH_WEB, PRIO_NORMAL, "Bob B",
				"BOB@example.com", NULL, NULL);
	int64_t t5 = new_ticket(a, "Invoice, third time", "HELLO??", CH_SOCIAL, PRIO_NORMAL,
				"Bob B", "bob@example.com", NULL, NULL);
	int64_t t6 = new_ticket(a, "Invoice 4", "Still nothing", CH_PHONE, PRIO_NORMAL, "Bob B",
				"bob@example.com", "bob", NULL);
	ok(core_merge(a, t5, t4, &e), &e); /* into an older ticket */
	ok(core_merge(a, t3, t6, &e), &e); /* into a newer one: a forward reference */
	struct field_change ch[] = {{FIELD_QUEUE, "billing"}, {FIELD_STATUS, "on_hold"}};
	ok(core_apply(&al, t6, ch, 2, &e), &e);
	ok(core_reply(&al, t6, "Waiting for finance.", &e), &e);

	struct customer c;
	ok(store_customer_by_email(a->st, "bob@example.com", &c, &e), &e);
	free(c.organization);
	c.organization = xstrdup("Bob's Büro \"GmbH\"");
	free(c.tier);
	c.tier = xstrdup("pro");
	free(c.notes);
	c.notes = xstrdup("line one\nline two\ttabbed \\ backslash");
	ok(store_customer_update(a->st, &c, &e), &e);
	customer_free(&c);
	desk_close(&al);
}

START_TEST(round_trip_is_lossless)
{
	struct desk a, b;
	new_desk(&a, "a.db");
	build_desk(&a);
	char *ea = export_all(&a);
	/* one line per ticket, escaped by SQLite's JSON */
	int lines = 0;
	for (const char *p = ea; *p; p++)
		lines += *p == '\n';
	ck_assert_int_eq(lines, 6);
	ck_assert_ptr_nonnull(strstr(ea, "🧾"));
	ck_assert_ptr_nonnull(strstr(ea, "\\\"twice\\\" \\\\ see C:\\\\bills"));
	const char *mi = strstr(ea, "\"merged_into\":\"desk-");
	ck_assert_ptr_nonnull(mi);
	ck_assert(strncmp(mi + strlen("\"merged_into\":\"desk-0123456789ab"), "-6\"", 3) == 0);
	ck_assert_ptr_nonnull(strstr(ea, "\"reopens\":1"));

	new_desk(&b, "b.db");
	struct import_result r = import_ok(&b, ea);
	ck_assert_int_eq(r.created, 6);
	ck_assert_int_eq(r.updated, 0);
	ck_assert_int_eq(r.bad, 0);
	char *eb = export_without_events(&b);
	char *ea_bare = export_without_events(&a);
	ck_assert_str_eq(eb, ea_bare);
	free(ea_bare);
	/* the events too, and then who imported each ticket */
	for (int64_t id = 1; id <= 6; id++)
		events_then_imports(&a, &b, id, 1, (long)id);

	/* what the format leaves out is recomputed the same way */
	struct derr e = {0};
	for (int64_t id = 1; id <= 6; id++) {
		struct ticket ta, tb;
		ok(store_ticket_get(a.st, id, &ta, &e), &e);
		ok(store_ticket_get(b.st, id, &tb, &e), &e);
		ck_assert_int_eq(tb.first_response_at, ta.first_response_at);
		ck_assert_int_eq(tb.first_response_due, ta.first_response_due);
		ck_assert_int_eq(tb.resolution_due, ta.resolution_due);
		ck_assert_int_eq(tb.next_response_due, ta.next_response_due);
		ck_assert_int_eq(tb.next_due, ta.next_due);
		ck_assert_int_eq(tb.pending_since, ta.pending_since);
		ck_assert_int_eq(tb.paused_seconds, ta.paused_seconds);
		ck_assert_int_eq(tb.merged_into, ta.merged_into);
		ck_assert_int_eq(tb.customer_id != 0, ta.customer_id != 0);
		/* A's own tickets have none; their export names them
		 * desk-INSTANCE-ID after A */
		ck_assert_ptr_null(ta.external_id);
		char tail[32];
		snprintf(tail, sizeof tail, "-%lld", (long long)id);
		ck_assert_int_eq(strlen(tb.external_id), strlen("desk-0123456789ab") + strlen(tail));
		ck_assert(strncmp(tb.external_id, "desk-", 5) == 0);
		ck_assert_str_eq(tb.external_id + strlen("desk-0123456789ab"), tail);
		ticket_free(&ta);
		ticket_free(&tb);
	}
	/* bob matched by email however written; the two without email are
	 * one customer each */
	ck_assert_int_eq(customer_count(&b), customer_count(&a));

	free(ea);
	free(eb);
	desk_close(&a);
	desk_close(&b);
}
END_TEST

START_TEST(reimport_updates_instead_of_duplicating)
{
	struct desk a, b;
	new_desk(&a, "a.db");
	build_desk(&a);
	char *ea = export_all(&a);
	new_desk(&b, "b.db");
	import_ok(&b, ea);
	int64_t customers = customer_count(&b);
	struct import_result r = import_ok(&b, ea);
	ck_assert_int_eq(r.created, 0);
	ck_assert_int_eq(r.updated, 6);
	ck_assert_int_eq(ticket_count(&b), 6);
	/* the two customers without email are created again: nothing to
	 * match them by */
	ck_assert_int_eq(customer_count(&b), customers + 1);
	char *eb = export_without_events(&b);
	char *ea_bare = export_without_events(&a);
	ck_assert_str_eq(eb, ea_bare);
	free(ea_bare);
	/* the trail is append-only: the second import adds only its own
	 * event, not the file's events again */
	for (int64_t id = 1; id <= 6; id++)
		events_then_imports(&a, &b, id, 2, (long)id);
	/* A's own export, back into A: its tickets are found by their
	 * desk-INSTANCE-ID names, not copied */
	r = import_ok(&a, ea);
	ck_assert_int_eq(r.created, 0);
	ck_assert_int_eq(r.updated, 6);
	ck_assert_int_eq(ticket_count(&a), 6);
	free(ea);
	free(eb);
	desk_close(&a);
	desk_close(&b);
}
END_TEST

START_TEST(external_id_update_replaces_everything)
{
	struct desk d;
	new_desk(&d, "d.db");
	import_ok(&d, "{\"external_id\":\"Z-1001\",\"subject\":\"First\",\"status\":\"open\","
		      "\"tags\":[\"a\",\"b\"],\"messages\":["
		      "{\"kind\":\"customer\",\"at\":\"2026-11-01T09:30:00Z\",\"body\":\"one\"},"
		      "{\"kind\":\"reply\",\"author\":\"alice\",\"at\":\"2026-11-01T10:00:00Z\","
		      "\"body\":\"two\"}],"
		      "\"surveys\":[{\"kind\":\"csat\",\"score\":3,\"at\":\"2026-11-02T00:00:00Z\"}],"
		      "\"events\":[{\"at\":\"2026-11-01T09:30:00Z\",\"action\":\"create\"}]}\n");
	struct import_result r = import_ok(
		&d, "{\"external_id\":\"Z-1001\",\"subject\":\"Second\",\"status\":\"solved\","
		    "\"assignee\":\"bob\",\"tags\":[\"c\"],\"messages\":["
		    "{\"kind\":\"customer\",\"at\":\"2026-11-01T09:30:00Z\",\"body\":\"only\"}]}\n");
	ck_assert_int_eq(r.created, 0);
	ck_assert_int_eq(r.updated, 1);
	ck_assert_int_eq(ticket_count(&d), 1);
	struct derr e = {0};
	int64_t id;
	ok(store_ticket_by_external_id(d.st, "Z-1001", &id, &e), &e);
	struct ticket t;
	ok(store_ticket_get(d.st, id, &t, &e), &e);
	ck_assert_str_eq(t.subject, "Second");
	ck_assert_int_eq(t.status, ST_SOLVED);
	ck_assert_str_eq(t.assignee_login, "bob");
	ck_assert_uint_eq(t.ntags, 1);
	ck_assert_str_eq(t.tags[0], "c");
	ck_assert_int_eq(t.first_response_at, 0);
	ticket_free(&t);
	struct message_list ml = {0};
	ok(store_messages(d.st, id, &ml, &e), &e);
	ck_assert_uint_eq(ml.n, 1);
	ck_assert_str_eq(ml.v[0].body, "only");
	message_list_free(&ml);
	struct survey_list sl = {0};
	ok(store_surveys(d.st, id, &sl, &e), &e);
	ck_assert_uint_eq(sl.n, 0);
	survey_list_free(&sl);
	/* the audit trail is kept: the first line's event and its import,
	 * then the second import, by the importer */
	struct event_list el = {0};
	ok(store_events(d.st, id, &el, &e), &e);
	ck_assert_uint_eq(el.n, 3);
	ck_assert_str_eq(el.v[0].action, "create");
	ck_assert_str_eq(el.v[1].action, "import");
	ck_assert_str_eq(el.v[2].action, "import");
	ck_assert_str_eq(el.v[2].agent_login, "tester");
	ck_assert_str_eq(el.v[2].new_value, "t.jsonl:1");
	event_list_free(&el);

	/* without an external_id, every import is a new ticket with none */
	r = import_ok(&d, "{\"subject\":\"anon\"}\n{\"subject\":\"anon\"}\n");
	ck_assert_int_eq(r.created, 2);
	ck_assert_int_eq(ticket_count(&d), 3);
	ok(store_ticket_get(d.st, 3, &t, &e), &e);
	ck_assert_ptr_null(t.external_id);
	ticket_free(&t);
	desk_close(&d);
}
END_TEST

/* --- what an import fills in ------------------------------------------ */

START_TEST(import_fills_in_and_converts)
{
	struct desk d;
	new_desk(&d, "d.db");
	/* BOM, CRLF, blank lines, an offset, a customer known by another
	 * spelling of the email, an unknown agent */
	const char *text =
		"\xEF\xBB\xBF{\"external_id\":\"X1\",\"subject\":\"Hi\",\"priority\":\"high\","
		"\"created_at\":\"2026-11-01T11:30:00+02:00\",\"assignee\":\"newbie\","
		"\"customer\":{\"name\":\"Ana\",\"email\":\"Ana@Example.com\"},\"messages\":["
		"{\"kind\":\"reply\",\"author\":\"newbie\",\"at\":\"2026-11-01T09:35:00Z\",\"body\":\"early\"},"
		"{\"kind\":\"customer\",\"at\":\"2026-11-01T09:40:00Z\",\"body\":\"q\"},"
		"{\"kind\":\"note\",\"author\":\"newbie\",\"at\":\"2026-11-01T09:45:00Z\",\"body\":\"n\"},"
		"{\"kind\":\"reply\",\"author\":\"newbie\",\"at\":\"2026-11-01T10:00:00+00:00\",\"body\":\"a\"}"
		"]}\r\n"
		"\r\n"
		"   \n"
		"{\"external_id\":\"X2\",\"subject\":\"Again\",\"assignee\":null,"
		"\"customer\":{\"email\":\"ana@example.COM\",\"phone\":\"+1 555\",\"name\":\"Other\"},"
		"\"messages\":[{\"kind\":\"customer\"," T0 ",\"body\":\"Out of office\","
		"\"auto\":true},{\"kind\":\"customer\"," T0 ",\"body\":\"real\",\"auto\":false}]}\n";
	struct import_result r = import_ok(&d, text);
	ck_assert_int_eq(r.created, 2);
	struct derr e = {0};
	int64_t id;
	ok(store_ticket_by_external_id(d.st, "X1", &id, &e), &e);
	struct ticket t;
	ok(store_ticket_get(d.st, id, &t, &e), &e);
	ck_assert_int_eq(t.created_at, 1793525400); /* 2026-11-01T09:30:00Z */
	ck_assert_int_eq(t.updated_at, 1793525400 + 30 * 60);
	ck_assert_int_eq(t.first_response_at, 1793525400 + 30 * 60);
	/* the first-response clock starts when the customer first wrote */
	ck_assert_int_eq(t.first_response_due,
			 1793525400 + 10 * 60 + cfg.sla[PRIO_HIGH].first_response);
	ck_assert_int_eq(t.resolution_due, 1793525400 + cfg.sla[PRIO_HIGH].resolution);
	ck_assert_int_eq(t.next_due, t.resolution_due);
	ck_assert_str_eq(t.queue, "general");
	ck_assert_int_eq(t.status, ST_NEW);
	ck_assert_int_eq(t.channel, CH_EMAIL);
	ck_assert_str_eq(t.customer_name, "Ana");
	int64_t cust = t.customer_id;
	ticket_free(&t);
	ok(store_ticket_by_external_id(d.st, "X2", &id, &e), &e);
	ok(store_ticket_get(d.st, id, &t, &e), &e);
	ck_assert_int_eq(t.customer_id, cust);
	ck_assert_int_eq(t.assignee_id, 0);
	struct message_list ml = {0};
	ok(store_messages(d.st, id, &ml, &e), &e);
	ck_assert_uint_eq(ml.n, 2);
	ck_assert(ml.v[0].automatic);
	ck_assert(!ml.v[1].automatic);
	message_list_free(&ml);
	ticket_free(&t);
	/* an automatic message says so in the export; others say nothing */
	char *out = export_all(&d);
	ck_assert_ptr_nonnull(strstr(out, "\"body\":\"Out of office\",\"auto\":true}"));
	ck_assert_ptr_nonnull(strstr(out, "\"body\":\"real\"}"));
	free(out);
	/* the known customer kept its name and gained the phone it lacked */
	struct customer c;
	ok(store_customer_get(d.st, cust, &c, &e), &e);
	ck_assert_str_eq(c.name, "Ana");
	ck_assert_str_eq(c.phone, "+1 555");
	customer_free(&c);
	ck_assert_int_eq(customer_count(&d), 1);
	struct agent a;
	ok(store_agent_by_login(d.st, "newbie", &a, &e), &e);
	ck_assert_int_eq(a.role, ROLE_AGENT);
	ck_assert_str_eq(a.name, "newbie");
	ck_assert(a.active);
	agent_free(&a);
	desk_close(&d);
}
END_TEST

START_TEST(import_reads_long_lines_and_empty_files)
{
	struct desk d;
	new_desk(&d, "d.db");
	struct import_result r = import_ok(&d, "");
	ck_assert_int_eq(r.created + r.updated + r.bad, 0);
	char *empty = export_all(&d);
	ck_assert_str_eq(empty, "");
	free(empty);

	size_t n = 300000;
	char *body = xmalloc(n + 1);
	for (size_t i = 0; i < n; i++)
		body[i] = (char)('a' + i % 26);
	body[n] = '\0';
	char *line = xasprintf("{\"subject\":\"long\",\"messages\":[{\"kind\":\"customer\","
			       "\"at\":\"2026-11-01T09:30:00Z\",\"body\":\"%s\"}]}",
			       body);
	r = import_ok(&d, line);
	ck_assert_int_eq(r.created, 1);
	struct message_list ml = {0};
	struct derr e = {0};
	ok(store_messages(d.st, 1, &ml, &e), &e);
	ck_assert_uint_eq(ml.n, 1);
	ck_assert_str_eq(ml.v[0].body, body);
	message_list_free(&ml);
	free(line);
	free(body);
	desk_close(&d);
}
END_TEST

/* Invalid UTF-8 is stored as U+FFFD, so the export is valid UTF-8 JSON,
 * and it loads back unchanged. */
START_TEST(invalid_utf8_is_replaced)
{
	struct desk d;
	new_desk(&d, "d.db");
	import_ok(&d, "{\"external_id\":\"U\",\"subject\":\"caf\xe9\",\"messages\":[{"
		      "\"kind\":\"customer\"," T0 ",\"body\":\"bad \xff\xfe bytes\"}]}\n");
	struct derr e = {0};
	struct ticket t;
	ok(store_ticket_get(d.st, 1, &t, &e), &e);
	ck_assert_str_eq(t.subject, "caf\uFFFD");
	ticket_free(&t);
	char *out = export_all(&d);
	ck_assert_ptr_nonnull(strstr(out, "\"body\":\"bad \uFFFD\uFFFD bytes\""));
	ck_assert(text_is_utf8(out));
	struct desk b;
	new_desk(&b, "b.db");
	import_ok(&b, out);
	char *again = export_without_events(&b);
	char *bare = export_without_events(&d);
	ck_assert_str_eq(again, bare);
	free(bare);
	free(out);
	free(again);
	desk_close(&b);
	desk_close(&d);
}
END_TEST

/* --- bad lines ---------------------------------------------------------- */

static const struct {
	const char *line, *msg;
} bad_lines[] = {
	{"{\"subject\":\"x\",\"status\":\"finished\"}",
	 "status: expected one of new, open, pending, on_hold, solved, closed, got \"finished\""},
	{"{\"subject\":\"x\",\"status\":5}",
	 "status: expected one of new, open, pending, on_hold, solved, closed, got a number"},
	{"{\"subject\":\"x\",\"priority\":\"asap\"}",
	 "priority: expected one of low, normal, high, urgent, got \"asap\""},
	{"{\"subject\":\"x\",\"channel\":\"fax\"}",
	 "channel: expected one of email, phone, chat, web, social, walk_in, got \"fax\""},
	{"{\"subject\":\"x\",\"created_at\":\"yesterday\"}",
	 "created_at: expected an RFC 3339 time like 2026-11-01T09:30:00Z, got \"yesterday\""},
	{"{\"subject\":\"x\",\"solved_at\":\"2026-11-01T09:30:00\"}",
	 "solved_at: expected an RFC 3339 time like 2026-11-01T09:30:00Z, got "
	 "\"2026-11-01T09:30:00\""},
	{"{\"subject\":\"x\",\"messages\":[{\"kind\":\"customer\"," T0 ",\"body\":\"a\"},"
	 "{\"kind\":\"note\",\"author\":\"alice\"," T0 ",\"body\":\"b\"},"
	 "{\"kind\":\"tweet\"," T0 ",\"body\":\"c\"}]}",
	 "messages[2].kind: expected one of customer, reply, note, system, got \"tweet\""},
	{"{\"subject\":\"x\"", "not valid JSON"},
	{"{'subject':'x'}", "not valid JSON"},
	{"{\"status\":\"new\"}", "subject: required"},
	{"{\"subject\":null}", "subject: required"},
	{"{\"subject\":\" \\t \"}", "subject: must not be empty"},
	{"{\"subject\":12}", "subject: expected a string, got a number"},
	{"{\"subject\":\"x\",\"frobnicate\":true}",
	 "frobnicate: unknown field; expected one of external_id, subject, status, priority, "
	 "channel, queue, assignee, created_at, updated_at, first_solved_at, solved_at, "
	 "closed_at, reopens, merged_into, customer, tags, messages, surveys, events, time"},
	{"{\"subject\":\"x\",\"sub ject\":1}",
	 "\"sub ject\": unknown field; expected one of external_id, subject, status, priority, "
	 "channel, queue, assignee, created_at, updated_at, first_solved_at, solved_at, "
	 "closed_at, reopens, merged_into, customer, tags, messages, surveys, events, time"},
	{"{\"subject\":\"x\",\"subject\":\"y\"}", "subject: given twice"},
	{"[1,2]", "expected a JSON object (one ticket), got an array"},
	{"\"just text\"", "expected a JSON object (one ticket), got a string"},
	{"{\"subject\":\"x\",\"external_id\":\"\"}", "external_id: must not be empty"},
	{"{\"subject\":\"x\",\"queue\":\"two words\"}",
	 "queue: expected a queue name (" LABEL_RULE "), got \"two words\""},
	{"{\"subject\":\"x\",\"tags\":\"refund\"}", "tags: expected an array, got a string"},
	{"{\"subject\":\"x\",\"tags\":[\"ok\",\"two words\"]}",
	 "tags[1]: expected a tag name (" LABEL_RULE "), got \"two words\""},
	{"{\"subject\":\"x\",\"tags\":[true]}", "tags[0]: expected a string, got true"},
	{"{\"subject\":\"x\",\"reopens\":-1}", "reopens: expected a whole number from 0 up, got -1"},
	{"{\"subject\":\"x\",\"reopens\":\"2\"}",
	 "reopens: expected a whole number from 0 up, got a string"},
	{"{\"subject\":\"x\",\"reopens\":1.5}",
	 "reopens: expected a whole number from 0 up, got 1.5"},
	{"{\"subject\":\"x\",\"customer\":\"Ann\"}", "customer: expected an object, got a string"},
	{"{\"subject\":\"x\",\"customer\":{\"nmae\":\"Ann\"}}",
	 "customer.nmae: unknown field; expected one of name, email, phone, organization, tier, "
	 "notes"},
	{"{\"subject\":\"x\",\"customer\":{\"email\":\"nobody\"}}",
	 "customer.email: expected an address like name@example.com, got \"nobody\""},
	{"{\"subject\":\"x\",\"customer\":{\"phone\":5551234}}",
	 "customer.phone: expected a string, got a number"},
	{"{\"subject\":\"x\",\"messages\":{}}", "messages: expected an array, got an object"},
	{"{\"subject\":\"x\",\"messages\":[5]}", "messages[0]: expected an object, got a number"},
	{"{\"subject\":\"x\",\"messages\":[{\"kind\":\"customer\",\"body\":\"a\"}]}",
	 "messages[0].at: required"},
	{"{\"subject\":\"x\",\"messages\":[{\"kind\":\"customer\"," T0 "}]}",
	 "messages[0].body: required"},
	{"{\"subject\":\"x\",\"messages\":[{\"kind\":\"reply\"," T0 ",\"body\":\"a\"}]}",
	 "messages[0].author: required for a reply (an agent's login)"},
	{"{\"subject\":\"x\",\"messages\":[{\"kind\":\"customer\",\"author\":\"ann\"," T0
	 ",\"body\":\"a\"}]}",
	 "messages[0].author: a customer message has no author (the ticket's customer wrote it)"},
	{"{\"subject\":\"x\",\"messages\":[{\"kind\":\"customer\"," T0 ",\"body\":\"a\","
	 "\"from\":\"x\"}]}",
	 "messages[0].from: unknown field; expected one of kind, author, at, body, message_id, "
	 "auto, attachments"},
	{"{\"subject\":\"x\",\"messages\":[{\"kind\":\"customer\"," T0 ",\"body\":\"a\","
	 "\"auto\":\"yes\"}]}",
	 "messages[0].auto: expected true or false, got a string"},
	{"{\"subject\":\"x\",\"messages\":[{\"kind\":\"customer\"," T0 ",\"body\":\"a\","
	 "\"message_id\":\"<m1>\"},{\"kind\":\"customer\"," T0 ",\"body\":\"b\","
	 "\"message_id\":\"<m1>\"}]}",
	 "messages[1].message_id: \"<m1>\" is already the id of messages[0]"},
	{"{\"subject\":\"x\",\"surveys\":[{\"kind\":\"csat\",\"score\":9," T0 "}]}",
	 "surveys[0].score: expected 1 to 5 for csat, got 9"},
	{"{\"subject\":\"x\",\"surveys\":[{\"kind\":\"ces\",\"score\":0," T0 "}]}",
	 "surveys[0].score: expected 1 to 7 for ces, got 0"},
	{"{\"subject\":\"x\",\"surveys\":[{\"kind\":\"nps\",\"score\":11," T0 "}]}",
	 "surveys[0].score: expected 0 to 10 for nps, got 11"},
	{"{\"subject\":\"x\",\"surveys\":[{\"kind\":\"csat\",\"score\":\"5\"," T0 "}]}",
	 "surveys[0].score: expected 1 to 5 for csat, got a string"},
	{"{\"subject\":\"x\",\"surveys\":[{\"kind\":\"stars\",\"score\":5," T0 "}]}",
	 "surveys[0].kind: expected one of csat, ces, nps, got \"stars\""},
	{"{\"subject\":\"x\",\"events\":[{" T0 "}]}", "events[0].action: required"},
	{"{\"subject\":\"x\",\"events\":[{" T0 ",\"action\":\"set\",\"old\":1}]}",
	 "events[0].old: expected a string, got a number"},
	{"{\"subject\":\"x\",\"assignee\":\"bad login\"}",
	 "assignee: \"bad login\" is not a valid login (letters, digits, '.', '_', '-'; at most "
	 "32)"},
	{"{\"subject\":\"x\",\"events\":[{" T0 ",\"action\":\"set\",\"agent\":\"-x\"}]}",
	 "events[0].agent: \"-x\" is not a valid login (letters, digits, '.', '_', '-'; at most "
	 "32)"},
	{"{\"subject\":\"x\",\"external_id\":\"A\",\"merged_into\":\"A\"}",
	 "merged_into: a ticket cannot be merged into itself"},
	{"{\"subject\":\"x\",\"merged_into\":\"nope\"}",
	 "merged_into: no ticket \"nope\" in the file or the desk"},
	{"{\"subject\":\"a\\u0000b\"}",
	 "a string holds \\u0000 (a NUL character), which desk cannot store"},
	{"{\"subject\":\"x\",\"created_at\":\"1970-01-01T00:00:00Z\"}",
	 "created_at: expected a time after 1970, got \"1970-01-01T00:00:00Z\""},
	{"{\"subject\":\"x\",\"status\":\"say \\\"hi\\\"\\n\\u001b[31m\"}",
	 "status: expected one of new, open, pending, on_hold, solved, closed, got "
	 "\"say \\\"hi\\\"\\n\\u001b[31m\""},
};

/* Each bad line alone: refused with its exact message, reported on the
 * report stream, and nothing stored. */
START_TEST(bad_line_messages)
{
	struct desk d;
	new_desk(&d, "d.db");
	const char *line = bad_lines[_i].line, *msg = bad_lines[_i].msg;
	struct import_result r;
	struct derr e = {0};
	char *report = NULL;
	char *text = xasprintf("%s\n", line);
	int rc = import_text(&d, text, false, &r, &report, &e);
	ck_assert_msg(rc == DESK_EINVAL, "line %s: rc %d", line, rc);
	char *want = xasprintf("t.jsonl:1: %s", msg);
	ck_assert_str_eq(e.msg, want);
	char *want_report = xasprintf("%s\n", want);
	ck_assert_str_eq(report, want_report);
	ck_assert_int_eq(r.created, 0);
	ck_assert_int_eq(r.bad, 1);
	ck_assert_int_eq(ticket_count(&d), 0);
	ck_assert_int_eq(customer_count(&d), 0);
	struct agent_list al = {0};
	ck_assert_int_eq(store_agent_list(d.st, &al, &e), DESK_OK);
	ck_assert_uint_eq(al.n, 1);
	agent_list_free(&al);
	free(want_report);
	free(want);
	free(text);
	free(report);
	desk_close(&d);
}
END_TEST

START_TEST(nul_byte_and_huge_numbers)
{
	struct desk d;
	new_desk(&d, "d.db");
	struct import_result r;
	struct derr e = {0};
	char *report = NULL;
	static const char nul[] = "{\"subject\":\"a\0b\"}\n";
	ck_assert_int_eq(import_bytes(&d, nul, sizeof nul - 1, false, &r, &report, &e),
			 DESK_EINVAL);
	ck_assert_str_eq(e.msg, "t.jsonl:1: holds a NUL byte; not valid JSON");
	free(report);
	e = (struct derr){0};
	ck_assert_int_eq(import_text(&d, "{\"subject\":\"x\",\"reopens\":123456789012345678901}",
				     false, &r, &report, &e),
			 DESK_EINVAL);
	ck_assert_msg(strncmp(e.msg, "t.jsonl:1: reopens: expected a whole number from 0 up, got ",
			      59) == 0,
		      "%s", e.msg);
	free(report);
	ck_assert_int_eq(ticket_count(&d), 0);
	desk_close(&d);
}
END_TEST

START_TEST(read_error_stops_the_import)
{
	struct desk d;
	new_desk(&d, "d.db");
	FILE *in = fopen("/dev/null", "w"); /* reading it fails */
	ck_assert_ptr_nonnull(in);
	char *report = NULL;
	size_t rlen = 0;
	FILE *rep = open_memstream(&report, &rlen);
	struct import_opts o = {.name = "t.jsonl"};
	struct import_result r;
	struct derr e = {0};
	ck_assert_int_eq(core_import(&d, in, &o, &r, rep, &e), DESK_EIO);
	fclose(rep);
	fclose(in);
	ck_assert_str_eq(e.msg, "t.jsonl: cannot read: Bad file descriptor");
	ck_assert_str_eq(report, "t.jsonl: cannot read: Bad file descriptor\n");
	ck_assert(!store_in_transaction(d.st));
	free(report);
	desk_close(&d);
}
END_TEST

static const char mixed[] =
	"{\"external_id\":\"G1\",\"subject\":\"good one\"}\n"
	"{\"external_id\":\"G2\",\"subject\":\"good two\",\"assignee\":\"alice\"}\n"
	"{\"external_id\":\"B3\",\"subject\":\"bad\",\"status\":\"finished\"}\n"
	"{\"external_id\":\"G4\",\"subject\":\"good four\"}\n"
	/* fails half-way through writing: the agent and the ticket are
	 * already in when its event's agent turns out bad */
	"{\"external_id\":\"B5\",\"subject\":\"half\",\"assignee\":\"newbie\","
	"\"customer\":{\"email\":\"half@example.com\"},"
	"\"events\":[{" T0 ",\"action\":\"set\",\"agent\":\"bad login\"}]}\n"
	"{\"external_id\":\"G6\",\"subject\":\"good six\",\"merged_into\":\"G1\"}\n";

START_TEST(all_or_nothing)
{
	struct desk d;
	new_desk(&d, "d.db");
	new_ticket(&d, "Already here", "Hello", CH_EMAIL, PRIO_NORMAL, "Old", "old@example.com",
		   NULL, NULL);
	char *before = export_all(&d);
	struct import_result r;
	struct derr e = {0};
	char *report = NULL;
	ck_assert_int_eq(import_text(&d, mixed, false, &r, &report, &e), DESK_EINVAL);
	const char *want = "t.jsonl:3: status: expected one of new, open, pending, on_hold, "
			   "solved, closed, got \"finished\"";
	ck_assert_str_eq(e.msg, want);
	char *want_report = xasprintf("%s\n", want);
	ck_assert_str_eq(report, want_report);
	ck_assert_int_eq(r.created, 0);
	ck_assert_int_eq(r.updated, 0);
	ck_assert_int_eq(r.bad, 1);
	char *after = export_all(&d);
	ck_assert_str_eq(after, before);
	ck_assert_int_eq(ticket_count(&d), 1);
	struct agent a;
	ck_assert_int_eq(store_agent_by_login(d.st, "alice", &a, &e), DESK_ENOTFOUND);
	/* the desk still works: the transaction is gone */
	ck_assert(!store_in_transaction(d.st));
	new_ticket(&d, "After", "x", CH_EMAIL, PRIO_NORMAL, "Old", "old@example.com", NULL, NULL);
	free(want_report);
	free(before);
	free(after);
	free(report);
	desk_close(&d);
}
END_TEST

START_TEST(skip_bad_imports_the_good_lines)
{
	struct desk d;
	new_desk(&d, "d.db");
	struct import_result r;
	struct derr e = {0};
	char *report = NULL;
	ck_assert_int_eq(import_text(&d, mixed, true, &r, &report, &e), DESK_OK);
	ck_assert_int_eq(r.created, 4);
	ck_assert_int_eq(r.updated, 0);
	ck_assert_int_eq(r.bad, 2);
	ck_assert_str_eq(report,
			 "t.jsonl:3: status: expected one of new, open, pending, on_hold, solved, "
			 "closed, got \"finished\"\n"
			 "t.jsonl:5: events[0].agent: \"bad login\" is not a valid login (letters, "
			 "digits, '.', '_', '-'; at most 32)\n");
	ck_assert_int_eq(ticket_count(&d), 4);
	int64_t id;
	ck_assert_int_eq(store_ticket_by_external_id(d.st, "B5", &id, &e), DESK_ENOTFOUND);
	/* nothing of the half-written line is left */
	struct agent a;
	ck_assert_int_eq(store_agent_by_login(d.st, "newbie", &a, &e), DESK_ENOTFOUND);
	ck_assert_int_eq(customer_count(&d), 0);
	ok(store_agent_by_login(d.st, "alice", &a, &e), &e);
	agent_free(&a);
	int64_t g1, g6;
	ok(store_ticket_by_external_id(d.st, "G1", &g1, &e), &e);
	ok(store_ticket_by_external_id(d.st, "G6", &g6, &e), &e);
	struct ticket t;
	ok(store_ticket_get(d.st, g6, &t, &e), &e);
	ck_assert_int_eq(t.merged_into, g1);
	ticket_free(&t);
	free(report);

	/* a merge target that never comes: reported at the end, counted bad */
	report = NULL;
	ck_assert_int_eq(import_text(&d, "{\"external_id\":\"M\",\"subject\":\"m\","
					 "\"merged_into\":\"ghost\"}\n",
				     true, &r, &report, &e),
			 DESK_OK);
	ck_assert_int_eq(r.created, 1);
	ck_assert_int_eq(r.bad, 1);
	ck_assert_str_eq(report, "t.jsonl:1: merged_into: no ticket \"ghost\" in the file or the "
				 "desk; imported without the link\n");
	free(report);
	desk_close(&d);
}
END_TEST

START_TEST(merge_target_later_in_the_file)
{
	struct desk d;
	new_desk(&d, "d.db");
	import_ok(&d, "{\"external_id\":\"A\",\"subject\":\"dup\",\"status\":\"closed\","
		      "\"merged_into\":\"B\"}\n"
		      "{\"external_id\":\"B\",\"subject\":\"main\"}\n");
	struct derr e = {0};
	int64_t a, b;
	ok(store_ticket_by_external_id(d.st, "A", &a, &e), &e);
	ok(store_ticket_by_external_id(d.st, "B", &b, &e), &e);
	struct ticket t;
	ok(store_ticket_get(d.st, a, &t, &e), &e);
	ck_assert_int_eq(t.merged_into, b);
	ticket_free(&t);
	char *out = export_all(&d);
	ck_assert_ptr_nonnull(strstr(out, "\"merged_into\":\"B\""));
	free(out);
	desk_close(&d);
}
END_TEST

/* An agent could otherwise replace any ticket, write messages as any
 * author, forge events and add agents; a supervisor too. */
START_TEST(import_and_export_are_for_admins)
{
	struct desk admin, who;
	new_desk(&admin, "d.db");
	struct derr e = {0};
	ok(core_agent_add(&admin, "alice", "Alice", ROLE_AGENT, &e), &e);
	ok(core_agent_add(&admin, "sam", "Sam", ROLE_SUPERVISOR, &e), &e);
	import_ok(&admin, "{\"external_id\":\"K\",\"subject\":\"kept\"}\n");
	static const char *const logins[] = {"alice", "sam"};
	static const char *const roles[] = {"an agent", "a supervisor"};
	for (size_t i = 0; i < ARRAY_LEN(logins); i++) {
		open_as(&who, "d.db", logins[i]);
		struct import_result r;
		char *report = NULL;
		derr_clear(&e);
		int rc = import_text(&who,
				     "{\"external_id\":\"K\",\"subject\":\"stolen\",\"messages\":"
				     "[{\"kind\":\"reply\",\"author\":\"mallory\"," T0
				     ",\"body\":\"forged\"}]}\n",
				     false, &r, &report, &e);
		ck_assert_int_eq(rc, DESK_EDENIED);
		char want[256];
		snprintf(want, sizeof want,
			 "importing is for admins: an import replaces tickets, names their "
			 "authors and adds agents (you are %s, %s)",
			 logins[i], roles[i]);
		ck_assert_str_eq(e.msg, want);
		ck_assert_int_eq(r.created + r.updated, 0);
		free(report);
		derr_clear(&e);
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		ck_assert_int_eq(core_export(&who, f, &e), DESK_EDENIED);
		fclose(f);
		ck_assert_str_eq(buf, "");
		free(buf);
		snprintf(want, sizeof want,
			 "exporting is for admins: an export holds every customer's details and "
			 "the whole audit trail (you are %s, %s)",
			 logins[i], roles[i]);
		ck_assert_str_eq(e.msg, want);
		desk_close(&who);
	}
	/* nothing changed: the subject, no mallory */
	struct ticket t;
	ok(store_ticket_get(admin.st, 1, &t, &e), &e);
	ck_assert_str_eq(t.subject, "kept");
	ticket_free(&t);
	struct agent m;
	ck_assert_int_eq(store_agent_by_login(admin.st, "mallory", &m, &e), DESK_ENOTFOUND);
	desk_close(&admin);
}
END_TEST

/* A re-import can no longer wipe a ticket's history: the events stay
 * and the import says who ran it, even when the line brings events. */
START_TEST(reimport_keeps_the_audit_trail)
{
	struct desk d;
	new_desk(&d, "d.db");
	struct derr e = {0};
	int64_t id = new_ticket(&d, "history", "hello", CH_EMAIL, PRIO_NORMAL, "C", "c@example.com",
				NULL, NULL);
	ok(core_claim(&d, id, &e), &e);
	ok(core_set_status(&d, id, ST_SOLVED, &e), &e);
	struct event_list before = {0};
	ok(store_events(d.st, id, &before, &e), &e);
	ck_assert_uint_ge(before.n, 3);
	char *line = export_all(&d);
	/* the same ticket, but its events replaced by one forged event */
	char *ev = strstr(line, "\"events\":[");
	ck_assert_ptr_nonnull(ev);
	char *forged = xasprintf("%.*s\"events\":[{" T0 ",\"agent\":\"tester\","
				 "\"action\":\"set\",\"field\":\"status\",\"old\":\"new\","
				 "\"new\":\"closed\"}]}\n",
				 (int)(ev - line), line);
	import_ok(&d, forged);
	struct event_list after = {0};
	ok(store_events(d.st, id, &after, &e), &e);
	ck_assert_uint_eq(after.n, before.n + 2);
	for (size_t i = 0; i < before.n; i++) {
		ck_assert_int_eq(after.v[i].id, before.v[i].id);
		ck_assert_str_eq(after.v[i].action, before.v[i].action);
		ck_assert_pstr_eq(after.v[i].new_value, before.v[i].new_value);
	}
	ck_assert_str_eq(after.v[before.n].action, "set");
	ck_assert_str_eq(after.v[before.n].new_value, "closed");
	ck_assert_str_eq(after.v[before.n + 1].action, "import");
	ck_assert_str_eq(after.v[before.n + 1].agent_login, "tester");
	event_list_free(&before);
	event_list_free(&after);
	free(forged);
	free(line);
	desk_close(&d);
}
END_TEST

Suite *suite_import(void)
{
	Suite *s = suite_create("import");
	TCase *t = tcase_create("round trip");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_set_timeout(t, 30);
	tcase_add_test(t, round_trip_is_lossless);
	tcase_add_test(t, reimport_updates_instead_of_duplicating);
	tcase_add_test(t, external_id_update_replaces_everything);
	tcase_add_test(t, import_fills_in_and_converts);
	tcase_add_test(t, import_reads_long_lines_and_empty_files);
	tcase_add_test(t, merge_target_later_in_the_file);
	tcase_add_test(t, invalid_utf8_is_replaced);
	tcase_add_test(t, import_and_export_are_for_admins);
	tcase_add_test(t, reimport_keeps_the_audit_trail);
	suite_add_tcase(s, t);

	t = tcase_create("bad lines");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_set_timeout(t, 30);
	tcase_add_loop_test(t, bad_line_messages, 0, (int)ARRAY_LEN(bad_lines));
	tcase_add_test(t, nul_byte_and_huge_numbers);
	tcase_add_test(t, read_error_stops_the_import);
	tcase_add_test(t, all_or_nothing);
	tcase_add_test(t, skip_bad_imports_the_good_lines);
	suite_add_tcase(s, t);
	return s;
}
