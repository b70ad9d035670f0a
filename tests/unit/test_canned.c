/* test_canned.c: expanding canned responses: every placeholder, friendly
 * first names, fallbacks, mistakes named with their line, customer text
 * never expanded twice; the field changes a canned response carries, and
 * one sent as a reply through core. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "core.h"
#include "testlib.h"
#include "util.h"

#define KNOWN                                                                             \
	"known: customer.name, customer.first_name, customer.email, customer.organization, " \
	"agent.name, agent.first_name, agent.login, ticket.id, ticket.subject, ticket.queue, " \
	"ticket.status, ticket.priority"

static struct customer zoe = {.id = 7, .name = "Zoë Martin", .email = "zoe@example.com",
			      .organization = "Acme & Co"};
static struct agent alice = {.id = 2, .login = "alice", .name = "Alice Smith"};
static struct ticket ticket42 = {.id = 42, .subject = "Printer on fire", .queue = "billing",
				 .status = ST_PENDING, .priority = PRIO_HIGH};

static char *expand_ok(const char *tmpl, const struct canned_ctx *ctx)
{
	struct derr e = {0};
	char *out = NULL;
	int rc = canned_expand(tmpl, ctx, &out, &e);
	ck_assert_msg(rc == DESK_OK, "%s: %s", tmpl, e.msg);
	ck_assert_ptr_nonnull(out);
	return out;
}

#define EXPECT_EXPANDS(tmpl, ctx, want)                  \
	do {                                             \
		char *out_ = expand_ok((tmpl), (ctx));   \
		ck_assert_str_eq(out_, (want));          \
		free(out_);                              \
	} while (0)

static void expect_error(const char *tmpl, const struct canned_ctx *ctx, const char *msg)
{
	struct derr e = {0};
	char *out = (char *)1;
	ck_assert_int_eq(canned_expand(tmpl, ctx, &out, &e), DESK_EINVAL);
	ck_assert_int_eq(e.code, DESK_EINVAL);
	ck_assert_str_eq(e.msg, msg);
	ck_assert_ptr_null(out);
}

START_TEST(every_placeholder)
{
	struct canned_ctx ctx = {&zoe, &alice, &ticket42};
	EXPECT_EXPANDS("Hi {{customer.first_name}},\n"
		       "{{customer.name}} <{{customer.email}}> of {{customer.organization}}\n"
		       "-- {{agent.first_name}} ({{agent.name}}, {{agent.login}})\n"
		       "#{{ticket.id}} {{ticket.subject}} [{{ticket.queue}}/{{ticket.status}}/"
		       "{{ticket.priority}}]\n",
		       &ctx,
		       "Hi Zoë,\n"
		       "Zoë Martin <zoe@example.com> of Acme & Co\n"
		       "-- Alice (Alice Smith, alice)\n"
		       "#42 Printer on fire [billing/pending/high]\n");
	/* Spaces inside the braces are allowed; text around is kept. */
	EXPECT_EXPANDS("{{ customer.first_name }}!{{ticket.id}}{{ticket.id}}", &ctx, "Zoë!4242");
	EXPECT_EXPANDS("no placeholders { here } }} {", &ctx, "no placeholders { here } }} {");
	EXPECT_EXPANDS("", &ctx, "");
	EXPECT_EXPANDS(NULL, &ctx, "");
	/* Every status and priority by its name. */
	for (int s = 0; s < ST__COUNT; s++) {
		struct ticket t = ticket42;
		t.status = (enum status)s;
		struct canned_ctx c = {&zoe, &alice, &t};
		EXPECT_EXPANDS("{{ticket.status}}", &c, status_name((enum status)s));
	}
	for (int p = 0; p < PRIO__COUNT; p++) {
		struct ticket t = ticket42;
		t.priority = (enum priority)p;
		struct canned_ctx c = {&zoe, &alice, &t};
		EXPECT_EXPANDS("{{ticket.priority}}", &c, priority_name((enum priority)p));
	}
}
END_TEST

START_TEST(first_names)
{
	static const struct {
		const char *name, *first;
	} cases[] = {
		{"Zoë Martin", "Zoë"},
		{"  Zoë  Martin ", "Zoë"},
		{"Cher", "Cher"},
		{"Jean\tLuc Picard", "Jean"},
		{"José María García", "José"},
		{"李 小龙", "李"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct customer c = {.name = (char *)cases[i].name, .email = "x@example.com"};
		struct agent a = {.login = "a", .name = (char *)cases[i].name};
		struct canned_ctx ctx = {&c, &a, NULL};
		char *want = xasprintf("%s|%s", cases[i].first, cases[i].first);
		EXPECT_EXPANDS("{{customer.first_name}}|{{agent.first_name}}", &ctx, want);
		free(want);
	}
}
END_TEST

START_TEST(fallbacks)
{
	/* No name: the email stands in. */
	struct customer noname = {.name = NULL, .email = "pat@example.com"};
	struct customer emptyname = {.name = "", .email = "sam@example.com"};
	struct customer nothing = {.name = "", .email = NULL};
	struct canned_ctx ctx = {&noname, &alice, &ticket42};
	EXPECT_EXPANDS("Hi {{customer.first_name}} ({{customer.name}})", &ctx,
		       "Hi pat@example.com (pat@example.com)");
	ctx.customer = &emptyname;
	EXPECT_EXPANDS("Hi {{customer.first_name}} ({{customer.name}})", &ctx,
		       "Hi sam@example.com (sam@example.com)");
	ctx.customer = &nothing;
	EXPECT_EXPANDS("Hi {{customer.first_name}}({{customer.name}}){{customer.organization}}.",
		       &ctx, "Hi ().");
	/* Nothing known at all: every placeholder is empty, none is an error. */
	struct canned_ctx none = {NULL, NULL, NULL};
	EXPECT_EXPANDS("[{{customer.name}}{{customer.first_name}}{{customer.email}}"
		       "{{customer.organization}}{{agent.name}}{{agent.first_name}}{{agent.login}}"
		       "{{ticket.id}}{{ticket.subject}}{{ticket.queue}}{{ticket.status}}"
		       "{{ticket.priority}}]",
		       &none, "[]");
}
END_TEST

START_TEST(mistakes)
{
	struct canned_ctx ctx = {&zoe, &alice, &ticket42};
	expect_error("Hi {{customer.age}}", &ctx, "line 1: unknown placeholder {{customer.age}}; " KNOWN);
	expect_error("Hi,\n\nyour {{ ticket.owner }} here", &ctx,
		     "line 3: unknown placeholder {{ticket.owner}}; " KNOWN);
	expect_error("{{Customer.Name}}", &ctx, "line 1: unknown placeholder {{Customer.Name}}; " KNOWN);
	expect_error("a {{}} b", &ctx, "line 1: unknown placeholder {{}}; " KNOWN);
	/* The good placeholders before a bad one don't hide it. */
	expect_error("{{customer.name}}\n{{agent.name}}\n{{nope}}", &ctx,
		     "line 3: unknown placeholder {{nope}}; " KNOWN);
	expect_error("Hello {{customer.name", &ctx, "line 1: \"{{\" is never closed by \"}}\"");
	expect_error("one\ntwo {{customer.name\n}} three", &ctx,
		     "line 2: \"{{\" is never closed by \"}}\"");
	expect_error("{{", &ctx, "line 1: \"{{\" is never closed by \"}}\"");
	expect_error("x\n\n\n{{ticket.id}} {{ticket.id", &ctx,
		     "line 4: \"{{\" is never closed by \"}}\"");
	/* A very long name is cut in the message. */
	struct strbuf b = {0};
	sb_add(&b, "{{");
	for (int i = 0; i < 70; i++)
		sb_addc(&b, 'a' + i % 26);
	sb_add(&b, "}}");
	expect_error(sb_str(&b), &ctx,
		     "line 1: unknown placeholder {{abcdefghijklmnopqrstuvwxyzabcdefghijklmn...}}");
	sb_free(&b);
}
END_TEST

/* What a placeholder puts in is never looked at again. */
START_TEST(no_double_expansion)
{
	struct customer sly = {.name = "{{agent.name}}", .email = "{{ticket.id}}@x",
			       .organization = "{{unknown}} {{"};
	struct ticket t = ticket42;
	t.subject = "{{customer.email}} {{";
	struct canned_ctx ctx = {&sly, &alice, &t};
	EXPECT_EXPANDS("Hi {{customer.name}}, {{customer.first_name}}, {{customer.email}}, "
		       "{{customer.organization}}, re: {{ticket.subject}} -- {{agent.name}}",
		       &ctx,
		       "Hi {{agent.name}}, {{agent.name}}, {{ticket.id}}@x, {{unknown}} {{, re: "
		       "{{customer.email}} {{ -- Alice Smith");
}
END_TEST

START_TEST(changes_of_canned)
{
	struct field_change ch[16];
	char *tags[] = {"waiting", "vip", NULL};
	struct canned c = {.name = "x", .set_status = ST_PENDING, .set_priority = PRIO_HIGH,
			   .add_tags = tags, .nadd_tags = 2};
	size_t n = canned_changes(&c, "me", ch, ARRAY_LEN(ch));
	ck_assert_uint_eq(n, 4);
	ck_assert_int_eq(ch[0].field, FIELD_STATUS);
	ck_assert_str_eq(ch[0].value, "pending");
	ck_assert_int_eq(ch[1].field, FIELD_PRIORITY);
	ck_assert_str_eq(ch[1].value, "high");
	ck_assert_int_eq(ch[2].field, FIELD_TAG_ADD);
	ck_assert_str_eq(ch[2].value, "waiting");
	ck_assert_int_eq(ch[3].field, FIELD_TAG_ADD);
	ck_assert_str_eq(ch[3].value, "vip");

	/* At most max. */
	ck_assert_uint_eq(canned_changes(&c, "me", ch, 2), 2);
	ck_assert_int_eq(ch[1].field, FIELD_PRIORITY);
	ck_assert_uint_eq(canned_changes(&c, "me", ch, 0), 0);

	struct canned none = {.name = "y", .set_status = -1, .set_priority = -1};
	ck_assert_uint_eq(canned_changes(&none, "me", ch, ARRAY_LEN(ch)), 0);
	struct canned tags_only = {.name = "z", .set_status = -1, .set_priority = -1,
				   .add_tags = tags, .nadd_tags = 2};
	n = canned_changes(&tags_only, "me", ch, ARRAY_LEN(ch));
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(ch[0].field, FIELD_TAG_ADD);
	ck_assert_str_eq(ch[0].value, "waiting");
	struct canned solve = {.name = "s", .set_status = ST_SOLVED, .set_priority = -1};
	n = canned_changes(&solve, "me", ch, ARRAY_LEN(ch));
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(ch[0].value, "solved");
	struct canned low = {.name = "l", .set_status = -1, .set_priority = PRIO_LOW};
	n = canned_changes(&low, "me", ch, ARRAY_LEN(ch));
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(ch[0].field, FIELD_PRIORITY);
	ck_assert_str_eq(ch[0].value, "low");
}
END_TEST

/* The test data's canned responses all expand, and their changes parse
 * as changes core accepts. */
START_TEST(canned_file_expands)
{
	struct derr e = {0};
	struct canned_list l = {0};
	char *path = test_data("canned.yaml");
	int rc = canned_load(path, &l, &e);
	ck_assert_msg(rc == DESK_OK, "%s", e.msg);
	ck_assert_uint_gt(l.n, 0);
	struct canned_ctx ctx = {&zoe, &alice, &ticket42};
	for (size_t i = 0; i < l.n; i++) {
		char *out = expand_ok(l.v[i].body, &ctx);
		ck_assert_ptr_null(strstr(out, "{{"));
		ck_assert_ptr_null(strstr(out, "}}"));
		free(out);
		struct field_change ch[16];
		size_t n = canned_changes(&l.v[i], "me", ch, ARRAY_LEN(ch));
		for (size_t j = 0; j < n; j++) {
			ck_assert_ptr_nonnull(ch[j].value);
			ck_assert_str_ne(ch[j].value, "?");
		}
	}
	canned_list_free(&l);
	free(path);
}
END_TEST

/* A canned reply sent through core: the expanded text is stored, and its
 * changes come with it. */
START_TEST(canned_reply_through_core)
{
	struct derr e = {0};
	setenv("DESK_NOW", "1800000000", 1);
	char *dir = test_tmpdir();
	char *path = test_db_path(dir);
	struct config cfg;
	config_defaults(&cfg);
	struct desk d;
	ck_assert_int_eq(desk_init(&d, path, &cfg, "tester", &e), DESK_OK);
	struct new_ticket nt;
	new_ticket_init(&nt);
	nt.subject = "Where is my refund?";
	nt.body = "Hello";
	nt.customer_name = "Zoë Martin";
	nt.customer_email = "zoe@example.com";
	int64_t id;
	ck_assert_int_eq(core_ticket_new(&d, &nt, &id, &e), DESK_OK);

	struct ticket t;
	ck_assert_int_eq(store_ticket_get(d.st, id, &t, &e), DESK_OK);
	struct customer cu;
	ck_assert_int_eq(store_customer_get(d.st, t.customer_id, &cu, &e), DESK_OK);
	struct canned_ctx ctx = {&cu, &d.me, &t};
	char *tags[] = {"refund", NULL};
	struct canned c = {.name = "refund-approved",
			   .body = "Hi {{customer.first_name}},\n\nticket #{{ticket.id}} "
				   "({{ticket.subject}}) is solved.\n\n{{agent.name}}\n",
			   .set_status = ST_SOLVED, .set_priority = -1, .add_tags = tags,
			   .nadd_tags = 1};
	char *body = expand_ok(c.body, &ctx);
	struct field_change ch[16];
	size_t n = canned_changes(&c, "me", ch, ARRAY_LEN(ch));
	ck_assert_uint_eq(n, 2);
	customer_free(&cu);
	ticket_free(&t);

	/* Solving needs an assignee: nothing is sent. */
	int64_t mid = 0;
	ck_assert_int_eq(core_post(&d, id, MSG_REPLY, body, ch, n, &mid, &e), DESK_EDENIED);
	ck_assert_int_eq(core_claim(&d, id, &e), DESK_OK);
	ck_assert_int_eq(core_post(&d, id, MSG_REPLY, body, ch, n, &mid, &e), DESK_OK);
	struct message m;
	ck_assert_int_eq(store_message_last(d.st, id, MSG_REPLY, &m, &e), DESK_OK);
	ck_assert_int_eq(m.id, mid);
	char *want = xasprintf("Hi Zoë,\n\nticket #%lld (Where is my refund?) is solved.\n\ntester",
			       (long long)id);
	ck_assert_str_eq(m.body, want);
	free(want);
	message_free(&m);
	ck_assert_int_eq(store_ticket_get(d.st, id, &t, &e), DESK_OK);
	ck_assert_int_eq(t.status, ST_SOLVED);
	ck_assert_uint_eq(t.ntags, 1);
	ck_assert_str_eq(t.tags[0], "refund");
	ck_assert_int_eq(t.first_response_at, 1800000000);
	ticket_free(&t);
	free(body);
	desk_close(&d);
	config_free(&cfg);
	test_db_drop(&path);
	test_tmpdir_cleanup(&dir);
	unsetenv("DESK_NOW");
}
END_TEST

/* The new fields: queue and assignee first (a solve after them sees the
 * ticket assigned), "me" as the agent applying it, "none" unassigns. */
START_TEST(changes_of_fields)
{
	struct field_change ch[16];
	char *add[] = {"vip", NULL}, *rm[] = {"waiting", "new-customer", NULL};
	struct canned c = {.name = "x", .set_status = ST_SOLVED, .set_priority = -1,
			   .set_assignee = "me", .set_queue = "billing", .add_tags = add,
			   .nadd_tags = 1, .remove_tags = rm, .nremove_tags = 2};
	size_t n = canned_changes(&c, "alice", ch, ARRAY_LEN(ch));
	ck_assert_uint_eq(n, 6);
	ck_assert_int_eq(ch[0].field, FIELD_QUEUE);
	ck_assert_str_eq(ch[0].value, "billing");
	ck_assert_int_eq(ch[1].field, FIELD_ASSIGNEE);
	ck_assert_str_eq(ch[1].value, "alice");
	ck_assert_int_eq(ch[2].field, FIELD_STATUS);
	ck_assert_int_eq(ch[3].field, FIELD_TAG_ADD);
	ck_assert_int_eq(ch[4].field, FIELD_TAG_REMOVE);
	ck_assert_str_eq(ch[4].value, "waiting");
	ck_assert_str_eq(ch[5].value, "new-customer");
	struct strbuf b = {0};
	field_changes_text(ch, n, &b);
	ck_assert_str_eq(sb_str(&b), "queue=billing, assignee=alice, status=solved, tag+=vip, "
				     "tag-=waiting, tag-=new-customer");
	sb_free(&b);

	c.set_assignee = "none";
	n = canned_changes(&c, "alice", ch, ARRAY_LEN(ch));
	ck_assert_str_eq(ch[1].value, "");
	field_changes_text(ch, 2, &b);
	ck_assert_str_eq(sb_str(&b), "queue=billing, assignee=none");
	sb_free(&b);
	c.set_assignee = "bob";
	n = canned_changes(&c, "alice", ch, ARRAY_LEN(ch));
	ck_assert_str_eq(ch[1].value, "bob");
}
END_TEST

static char *write_text(const char *dir, const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	return path;
}

/* A canned response with only `set` is a macro; its queue is checked
 * against the team's list. */
START_TEST(field_only_and_queue_check)
{
	char *dir = test_tmpdir();
	char *path = write_text(dir, "canned.yaml",
				"- name: escalate\n"
				"  title: Escalate to billing\n"
				"  set:\n"
				"    queue: billing\n"
				"    assignee: me\n"
				"    priority: high\n"
				"    tags: [escalated]\n"
				"    remove_tags: [waiting]\n");
	struct canned_list l;
	struct derr e = {0};
	ck_assert_msg(canned_load(path, &l, &e) == DESK_OK, "%s", e.msg);
	ck_assert_uint_eq(l.n, 1);
	const struct canned *c = &l.v[0];
	ck_assert_ptr_null(c->body);
	ck_assert_str_eq(c->set_queue, "billing");
	ck_assert_str_eq(c->set_assignee, "me");
	ck_assert_int_eq(c->set_priority, PRIO_HIGH);
	ck_assert_str_eq(c->add_tags[0], "escalated");
	ck_assert_str_eq(c->remove_tags[0], "waiting");
	ck_assert_int_eq(c->queue_line, 4);
	ck_assert_int_eq(c->queue_col, 12);

	struct config cfg;
	config_defaults(&cfg);
	ck_assert_int_eq(canned_check(&l, &cfg, &e), DESK_OK); /* no queues: list */
	cfg.queues = xcalloc(2, sizeof *cfg.queues);
	cfg.queues[0] = xstrdup("general");
	cfg.queues[1] = xstrdup("billing-eu");
	cfg.nqueues = 2;
	ck_assert_int_eq(canned_check(&l, &cfg, &e), DESK_EINVAL);
	char *want = xasprintf("%s:4:12: canned response \"escalate\": set.queue: no queue "
			       "\"billing\": the team's queues are general, billing-eu",
			       path);
	ck_assert_str_eq(e.msg, want);
	free(want);
	config_free(&cfg);
	canned_list_free(&l);
	free(path);
	test_tmpdir_cleanup(&dir);
}
END_TEST

/* Applied at once through core: "me" is whoever applies it; a login
 * that is not an agent names the canned response and its place. */
START_TEST(canned_apply_through_core)
{
	struct derr e = {0};
	setenv("DESK_NOW", "1800000000", 1);
	char *dir = test_tmpdir();
	char *path = test_db_path(dir);
	struct config cfg;
	config_defaults(&cfg);
	struct desk d;
	ck_assert_int_eq(desk_init(&d, path, &cfg, "tester", &e), DESK_OK);
	struct new_ticket nt;
	new_ticket_init(&nt);
	nt.subject = "Invoice wrong";
	nt.body = "Hello";
	nt.customer_email = "zoe@example.com";
	const char *tags[] = {"waiting", NULL};
	nt.tags = tags;
	int64_t id;
	ck_assert_int_eq(core_ticket_new(&d, &nt, &id, &e), DESK_OK);

	char *add[] = {"escalated", NULL}, *rm[] = {"waiting", NULL};
	struct canned c = {.name = "escalate", .set_status = ST_SOLVED, .set_priority = PRIO_HIGH,
			   .set_assignee = "me", .set_queue = "billing", .add_tags = add,
			   .nadd_tags = 1, .remove_tags = rm, .nremove_tags = 1, .line = 7};
	/* Solving needs the assignee, set first in the same change. */
	ck_assert_msg(canned_apply(&d, id, &c, "canned.yaml", &e) == DESK_OK, "%s", e.msg);
	struct ticket t;
	ck_assert_int_eq(store_ticket_get(d.st, id, &t, &e), DESK_OK);
	ck_assert_str_eq(t.assignee_login, "tester");
	ck_assert_str_eq(t.queue, "billing");
	ck_assert_int_eq(t.status, ST_SOLVED);
	ck_assert_int_eq(t.priority, PRIO_HIGH);
	ck_assert_uint_eq(t.ntags, 1);
	ck_assert_str_eq(t.tags[0], "escalated");
	ticket_free(&t);

	c.set_assignee = "nobody";
	c.set_status = ST_OPEN;
	ck_assert_int_eq(canned_apply(&d, id, &c, "canned.yaml", &e), DESK_ENOTFOUND);
	ck_assert_msg(strncmp(e.msg, "canned response \"escalate\" (canned.yaml:7): ", 44) == 0,
		      "%s", e.msg);
	ck_assert_ptr_nonnull(strstr(e.msg, "nobody"));
	/* All or nothing. */
	ck_assert_int_eq(store_ticket_get(d.st, id, &t, &e), DESK_OK);
	ck_assert_int_eq(t.status, ST_SOLVED);
	ticket_free(&t);
	desk_close(&d);
	config_free(&cfg);
	test_db_drop(&path);
	test_tmpdir_cleanup(&dir);
	unsetenv("DESK_NOW");
}
END_TEST

Suite *suite_canned(void)
{
	Suite *s = suite_create("canned");
	TCase *t = tcase_create("expand");
	tcase_add_test(t, every_placeholder);
	tcase_add_test(t, first_names);
	tcase_add_test(t, fallbacks);
	tcase_add_test(t, mistakes);
	tcase_add_test(t, no_double_expansion);
	tcase_add_test(t, changes_of_canned);
	tcase_add_test(t, canned_file_expands);
	tcase_add_test(t, canned_reply_through_core);
	tcase_add_test(t, changes_of_fields);
	tcase_add_test(t, field_only_and_queue_check);
	tcase_add_test(t, canned_apply_through_core);
	suite_add_tcase(s, t);
	return s;
}
