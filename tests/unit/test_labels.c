/* test_labels.c: queues and tags as managed lists (issue 12, item 4):
 * the team's queues: list held by the config and by every way of
 * setting a queue, "did you mean", the queues and tags offered to
 * complete, and which tags are new. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "config.h"
#include "core.h"
#include "testlib.h"
#include "util.h"

START_TEST(suggest_nearest)
{
	ck_assert_int_eq(str_distance("biling", "billing"), 1);
	ck_assert_int_eq(str_distance("", "abc"), 3);
	ck_assert_int_eq(str_distance("kitten", "sitting"), 3);
	const char *q[] = {"general", "billing", "tech"};
	ck_assert_str_eq(str_suggest("biling", q, 3, 2), "billing");
	ck_assert_str_eq(str_suggest("tehc", q, 3, 2), "tech");
	ck_assert_ptr_null(str_suggest("zzz", q, 3, 2));
	ck_assert_ptr_null(str_suggest("billing", q, 3, 2)); /* itself is no suggestion */
	ck_assert_ptr_null(str_suggest(NULL, q, 3, 2));
}
END_TEST

static void config_err(const char *text, const char *want)
{
	struct config c;
	struct derr e = {0};
	ck_assert_int_eq(config_load_string(text, "config.yaml", &c, &e), DESK_EINVAL);
	ck_assert_str_eq(e.msg, want);
	config_free(&c);
}

START_TEST(config_queue_list)
{
	struct config c;
	struct derr e = {0};
	ck_assert_int_eq(config_load_string("queues: [general, billing, tech]\n"
					    "mail: {default_queue: billing}\n"
					    "sla:\n  policies:\n"
					    "    - {priority: high, queue: tech, first_response: 1h}\n"
					    "views:\n  - {name: b, filter: \"queue:billing status:open\"}\n",
					    "config.yaml", &c, &e),
			 DESK_OK);
	ck_assert_uint_eq(c.nqueues, 3);
	ck_assert_str_eq(c.queues[1], "billing");
	ck_assert(config_queue_allowed(&c, "tech"));
	ck_assert(!config_queue_allowed(&c, "biling"));
	ck_assert_int_eq(config_queue_refuse(&c, "biling", &e), DESK_EINVAL);
	ck_assert_str_eq(e.msg, "no queue \"biling\"; did you mean \"billing\"?");
	ck_assert_int_eq(config_queue_refuse(&c, "zzz", &e), DESK_EINVAL);
	ck_assert_str_eq(e.msg, "no queue \"zzz\": the team's queues are general, billing, tech");
	config_free(&c);

	/* No list: any queue name is taken. */
	ck_assert_int_eq(config_load_string("default_queue: inbox\n", "config.yaml", &c, &e),
			 DESK_OK);
	ck_assert_uint_eq(c.nqueues, 0);
	ck_assert(config_queue_allowed(&c, "anything"));
	config_free(&c);

	config_err("queues: [general, billing]\ndefault_queue: biling\n",
		   "config.yaml:2:16: default_queue: no queue \"biling\"; did you mean \"billing\"?");
	config_err("queues: [billing, tech]\n",
		   "config.yaml:1:9: default_queue is \"general\" (the default), which queues does "
		   "not list: add it, or set default_queue to one of them");
	config_err("queues: [general, billing]\nmail:\n  default_queue: zzz\n",
		   "config.yaml:3:18: mail.default_queue: no queue \"zzz\": the team's queues are "
		   "general, billing");
	config_err("queues: [general, tech]\nsla:\n  policies:\n"
		   "    - {priority: high, queue: tehc, first_response: 1h}\n",
		   "config.yaml:4:31: sla.policies: no queue \"tehc\"; did you mean \"tech\"?");
	config_err("queues: [general, billing]\nviews:\n"
		   "  - {name: b, filter: \"status:open queue:biling\"}\n",
		   "config.yaml:3:23: the view's filter: no queue \"biling\"; did you mean "
		   "\"billing\"?");
	config_err("queues: [general, billing, general]\n",
		   "config.yaml:1:28: queue \"general\" is listed twice; first on line 1");
	config_err("queues: []\n",
		   "config.yaml:1:9: expected a list of queue names, got an empty list (leave "
		   "queues out to take any queue name)");
	config_err("queues: [general, Billing]\n",
		   "config.yaml:1:19: expected a queue name (" LABEL_RULE "), got \"Billing\"");
	config_err("queues: general\n",
		   "config.yaml:1:9: expected a list of queue names like [general, billing], got "
		   "\"general\"");
}
END_TEST

struct lfx {
	char *dir, *path;
	struct config cfg;
	struct desk d;
};

static void lfx_open(struct lfx *x, const char *config_text)
{
	struct derr e = {0};
	x->dir = test_tmpdir();
	x->path = test_db_path(x->dir);
	ck_assert_msg(config_load_string(config_text, "config.yaml", &x->cfg, &e) == DESK_OK, "%s",
		      e.msg);
	ck_assert_msg(desk_init(&x->d, x->path, &x->cfg, "tester", &e) == DESK_OK, "%s", e.msg);
}

static void lfx_close(struct lfx *x)
{
	desk_close(&x->d);
	config_free(&x->cfg);
	test_db_drop(&x->path);
	test_tmpdir_cleanup(&x->dir);
}

static int ticket_in(struct lfx *x, const char *queue, int64_t *id, struct derr *e)
{
	struct new_ticket nt;
	new_ticket_init(&nt);
	nt.subject = "help";
	nt.body = "hello";
	nt.customer_email = "ann@example.com";
	nt.queue = queue;
	return core_ticket_new(&x->d, &nt, id, e);
}

static char *queue_of(struct lfx *x, int64_t id)
{
	struct ticket t;
	struct derr e = {0};
	ck_assert_int_eq(store_ticket_get(x->d.st, id, &t, &e), DESK_OK);
	char *q = xstrdup(t.queue);
	ticket_free(&t);
	return q;
}

START_TEST(queue_set_held_to_list)
{
	struct lfx x;
	struct derr e = {0};
	lfx_open(&x, "queues: [general, billing, tech]\n");
	int64_t id = 0;
	ck_assert_int_eq(ticket_in(&x, NULL, &id, &e), DESK_OK);
	/* set queue=biling, the console's M and desk set alike */
	ck_assert_int_eq(core_set_queue(&x.d, id, "biling", &e), DESK_EINVAL);
	ck_assert_str_eq(e.msg, "no queue \"biling\"; did you mean \"billing\"?");
	char *q = queue_of(&x, id);
	ck_assert_str_eq(q, "general");
	free(q);
	ck_assert_int_eq(core_set_queue(&x.d, id, "billing", &e), DESK_OK);
	q = queue_of(&x, id);
	ck_assert_str_eq(q, "billing");
	free(q);
	/* a whole change list is refused with it, nothing half done */
	struct field_change ch[] = {{FIELD_PRIORITY, "high"}, {FIELD_QUEUE, "tehc"}};
	ck_assert_int_eq(core_apply(&x.d, id, ch, 2, &e), DESK_EINVAL);
	ck_assert_str_eq(e.msg, "no queue \"tehc\"; did you mean \"tech\"?");
	struct ticket t;
	ck_assert_int_eq(store_ticket_get(x.d.st, id, &t, &e), DESK_OK);
	ck_assert_int_eq(t.priority, PRIO_NORMAL);
	ticket_free(&t);
	/* desk new --queue: refused before anything is made */
	int64_t other = 0;
	ck_assert_int_eq(ticket_in(&x, "tehc", &other, &e), DESK_EINVAL);
	ck_assert_str_eq(e.msg, "no queue \"tehc\"; did you mean \"tech\"?");
	ck_assert_int_eq(other, 0);
	ck_assert_int_eq(ticket_in(&x, "tech", &other, &e), DESK_OK);
	/* completion offers every listed queue, none in use or not */
	struct name_list l = {0};
	ck_assert_int_eq(core_known_queues(&x.d, &l, &e), DESK_OK);
	ck_assert_uint_eq(l.n, 3);
	ck_assert_str_eq(l.v[0], "general");
	ck_assert_str_eq(l.v[1], "billing");
	ck_assert_str_eq(l.v[2], "tech");
	name_list_free(&l);
	lfx_close(&x);
}
END_TEST

START_TEST(queues_without_list)
{
	struct lfx x;
	struct derr e = {0};
	lfx_open(&x, "default_queue: inbox\nmail: {default_queue: mailbox}\n");
	int64_t id = 0, id2 = 0;
	ck_assert_int_eq(ticket_in(&x, "sales", &id, &e), DESK_OK);
	ck_assert_int_eq(ticket_in(&x, NULL, &id2, &e), DESK_OK);
	ck_assert_int_eq(core_set_queue(&x.d, id2, "anything", &e), DESK_OK);
	/* known: the queues in use by unfinished tickets, and the defaults */
	struct name_list l = {0};
	ck_assert_int_eq(core_known_queues(&x.d, &l, &e), DESK_OK);
	ck_assert_uint_eq(l.n, 4);
	ck_assert_str_eq(l.v[0], "anything");
	ck_assert_str_eq(l.v[1], "sales");
	ck_assert_str_eq(l.v[2], "inbox");
	ck_assert_str_eq(l.v[3], "mailbox");
	name_list_free(&l);
	lfx_close(&x);
}
END_TEST

START_TEST(tags_in_use)
{
	struct lfx x;
	struct derr e = {0};
	lfx_open(&x, "");
	static const char *const tags[] = {"refund", "refund-late", "vip", "billing", "ref"};
	for (int i = 0; i < 12; i++) {
		int64_t id = 0;
		ck_assert_int_eq(ticket_in(&x, NULL, &id, &e), DESK_OK);
		/* many tickets per tag: each is still listed once */
		ck_assert_int_eq(core_tag(&x.d, id, tags[i % 5], true, &e), DESK_OK);
	}
	struct name_list l = {0};
	ck_assert_int_eq(store_tag_names(x.d.st, "ref", 50, &l, &e), DESK_OK);
	ck_assert_uint_eq(l.n, 3);
	ck_assert_str_eq(l.v[0], "ref");
	ck_assert_str_eq(l.v[1], "refund");
	ck_assert_str_eq(l.v[2], "refund-late");
	name_list_free(&l);
	ck_assert_int_eq(store_tag_names(x.d.st, "", 2, &l, &e), DESK_OK); /* bounded */
	ck_assert_uint_eq(l.n, 2);
	ck_assert_str_eq(l.v[0], "billing");
	ck_assert_str_eq(l.v[1], "ref");
	name_list_free(&l);
	ck_assert_int_eq(store_tag_names(x.d.st, "zz", 50, &l, &e), DESK_OK);
	ck_assert_uint_eq(l.n, 0);
	name_list_free(&l);

	bool is_new = true;
	char *near = NULL;
	ck_assert_int_eq(core_tag_is_new(&x.d, "vip", &is_new, &near, &e), DESK_OK);
	ck_assert(!is_new);
	ck_assert_ptr_null(near);
	ck_assert_int_eq(core_tag_is_new(&x.d, "refnd", &is_new, &near, &e), DESK_OK);
	ck_assert(is_new);
	ck_assert_str_eq(near, "refund");
	free(near);
	ck_assert_int_eq(core_tag_is_new(&x.d, "warranty", &is_new, &near, &e), DESK_OK);
	ck_assert(is_new);
	ck_assert_ptr_null(near);
	lfx_close(&x);
}
END_TEST

Suite *suite_labels(void)
{
	Suite *s = suite_create("labels");
	TCase *t = tcase_create("labels");
	tcase_add_test(t, suggest_nearest);
	tcase_add_test(t, config_queue_list);
	tcase_add_test(t, queue_set_held_to_list);
	tcase_add_test(t, queues_without_list);
	tcase_add_test(t, tags_in_use);
	suite_add_tcase(s, t);
	return s;
}
