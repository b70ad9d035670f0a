/* test_customers.c: customers with several addresses: finding one by any
 * of them, editing (with its audit events and its refusals), merging
 * two (tickets, addresses, details, the role check), and the tag rule of
 * mail threading, which now takes any of the customer's addresses. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "mail.h"
#include "testlib.h"
#include "testlib_sql.h"
#include "util.h"

static char *dir, *path;
static struct config cfg;
static struct desk d;

static void setup(void)
{
	struct derr e = {0};
	dir = test_tmpdir();
	config_defaults(&cfg);
	path = test_db_path(dir);
	ck_assert_msg(desk_init(&d, path, &cfg, "tester", &e) == DESK_OK, "%s", e.msg);
	ck_assert_msg(core_agent_add(&d, "ann", "Ann", ROLE_AGENT, &e) == DESK_OK, "%s", e.msg);
}

static void teardown(void)
{
	desk_close(&d);
	config_free(&cfg);
	test_db_drop(&path);
	test_tmpdir_cleanup(&dir);
}

static int64_t ticket_for(const char *name, const char *email)
{
	struct new_ticket nt;
	new_ticket_init(&nt);
	nt.subject = "Help";
	nt.body = "hello";
	nt.customer_name = name;
	nt.customer_email = email;
	int64_t id = 0;
	struct derr e = {0};
	ck_assert_msg(core_ticket_new(&d, &nt, &id, &e) == DESK_OK, "%s", e.msg);
	return id;
}

static int64_t customer_of(int64_t ticket)
{
	struct ticket t;
	struct derr e = {0};
	ck_assert_int_eq(store_ticket_get(d.st, ticket, &t, &e), DESK_OK);
	int64_t id = t.customer_id;
	ticket_free(&t);
	return id;
}

static int64_t find(const char *spec)
{
	int64_t id = 0;
	struct derr e = {0};
	ck_assert_msg(core_customer_find(&d, spec, &id, &e) == DESK_OK, "%s: %s", spec, e.msg);
	return id;
}

/* The customer's audit events, counted on a connection of its own. */
static size_t customer_events(int64_t id)
{
	char name[32];
	snprintf(name, sizeof name, "customer:%lld", (long long)id);
	const char *params[] = {name};
	char *n = test_sql_rows(path,
				"SELECT count(*) FROM events WHERE ticket_id IS NULL"
				" AND (field = ?1 OR field LIKE ?1 || '.%')",
				1, params);
	size_t count = (size_t)strtoull(n, NULL, 10);
	free(n);
	return count;
}

/* A customer's addresses: the main one first (whatever its case), then
 * in NOCASE's order, A-Z folded then the bytes, on both engines (ICU's
 * order, desk_nocase's, puts "_" before "-" and "."). */
START_TEST(addresses_in_nocase_order)
{
	int64_t t = ticket_for("Zed", "Zed@Example.com");
	int64_t c = customer_of(t);
	struct derr e = {0};
	const char *add[] = {"a_b@x.example", "A-c@x.example", "a.b@x.example"};
	struct customer_edit ed = {.add = add, .nadd = 3};
	ck_assert_msg(core_customer_edit(&d, c, &ed, &e) == DESK_OK, "%s", e.msg);
	struct name_list l = {0};
	ck_assert_int_eq(store_customer_emails(d.st, c, &l, &e), DESK_OK);
	ck_assert_uint_eq(l.n, 4);
	ck_assert_str_eq(l.v[0], "Zed@Example.com");
	ck_assert_str_eq(l.v[1], "A-c@x.example");
	ck_assert_str_eq(l.v[2], "a.b@x.example");
	ck_assert_str_eq(l.v[3], "a_b@x.example");
	name_list_free(&l);
}
END_TEST

/* What the console's panes read together (store_ticket_thread,
 * store_customer_card: one round trip each on PostgreSQL) is what each
 * read gives alone. */
START_TEST(panes_read_as_alone)
{
	int64_t t = ticket_for("Zed", "zed@example.com");
	ticket_for("Zed", "zed@example.com");
	int64_t c = customer_of(t);
	struct derr e = {0};
	const char *add[] = {"z2@x.example"};
	struct customer_edit ed = {.add = add, .nadd = 1};
	ck_assert_msg(core_customer_edit(&d, c, &ed, &e) == DESK_OK, "%s", e.msg);
	ck_assert_int_eq(store_draft_save(d.st, t, d.me.id, MSG_NOTE, "half", &e), DESK_OK);
	struct time_entry te = {.ticket_id = t, .agent_id = d.me.id, .seconds = 90,
				.created_at = 1000};
	ck_assert_int_eq(store_begin(d.st, &e), DESK_OK);
	ck_assert_int_eq(store_time_insert(d.st, &te, &e), DESK_OK);
	ck_assert_int_eq(store_commit(d.st, &e), DESK_OK);

	struct message_list m = {0}, m1 = {0};
	struct survey_list sv = {0};
	struct name_list a = {0}, a1 = {0};
	struct attachment_list at = {0};
	int64_t secs = -1;
	unsigned kinds = 0;
	ck_assert_msg(store_ticket_thread(d.st, t, c, d.me.id, &m, &sv, &a, &at, &secs, &kinds,
					  &e) == DESK_OK, "%s", e.msg);
	ck_assert_int_eq(store_messages(d.st, t, &m1, &e), DESK_OK);
	ck_assert_uint_eq(m.n, m1.n);
	ck_assert_uint_ge(m.n, 1);
	for (size_t i = 0; i < m.n; i++) {
		ck_assert_int_eq(m.v[i].id, m1.v[i].id);
		ck_assert_str_eq(m.v[i].body, m1.v[i].body);
	}
	ck_assert_int_eq(store_customer_emails(d.st, c, &a1, &e), DESK_OK);
	ck_assert_uint_eq(a.n, 2);
	ck_assert_uint_eq(a1.n, 2);
	ck_assert_str_eq(a.v[0], a1.v[0]);
	ck_assert_str_eq(a.v[1], a1.v[1]);
	ck_assert_uint_eq(sv.n, 0);
	ck_assert_uint_eq(at.n, 0);
	ck_assert_int_eq(secs, 90);
	ck_assert_uint_eq(kinds, 1u << MSG_NOTE);
	message_list_free(&m);
	message_list_free(&m1);
	name_list_free(&a);
	name_list_free(&a1);
	/* no customer: no addresses */
	ck_assert_int_eq(store_ticket_thread(d.st, t, 0, d.me.id, &m, &sv, &a, &at, &secs, &kinds,
					     &e), DESK_OK);
	ck_assert_uint_eq(a.n, 0);
	message_list_free(&m);

	struct customer cu = {0};
	struct ticket_list tl = {0}, tl1 = {0};
	ck_assert_msg(store_customer_card(d.st, c, 1, &cu, &tl, &a, &e) == DESK_OK, "%s", e.msg);
	ck_assert_str_eq(cu.name, "Zed");
	ck_assert_int_eq(store_customer_tickets(d.st, c, 1, &tl1, &e), DESK_OK);
	ck_assert_uint_eq(tl.n, 1);
	ck_assert_int_eq(tl.v[0].id, tl1.v[0].id);
	ck_assert_uint_eq(a.n, 2);
	customer_free(&cu);
	ticket_list_free(&tl);
	ticket_list_free(&tl1);
	name_list_free(&a);
	/* no such customer: its failure, and nothing else */
	memset(&cu, 0, sizeof cu);
	ck_assert_int_eq(store_customer_card(d.st, 999999, 5, &cu, &tl, &a, &e), DESK_ENOTFOUND);
	ck_assert_uint_eq(tl.n, 0);
	ck_assert_uint_eq(a.n, 0);
}
END_TEST

START_TEST(edit_addresses_and_details)
{
	int64_t t = ticket_for("Cy Young", "cy@example.com");
	int64_t c = customer_of(t);
	struct derr e = {0};
	const char *add[] = {"cy@work.example", "CY@HOME.example"};
	struct customer_edit ed = {.phone = "+1 555 0100", .tier = "gold", .add = add, .nadd = 2};
	ck_assert_msg(core_customer_edit(&d, c, &ed, &e) == DESK_OK, "%s", e.msg);
	/* found by any address, in any case, or by number */
	ck_assert_int_eq(find("cy@home.example"), c);
	ck_assert_int_eq(find("Cy@Work.Example"), c);
	ck_assert_int_eq(find("#1"), c);
	struct name_list l = {0};
	ck_assert_int_eq(store_customer_emails(d.st, c, &l, &e), DESK_OK);
	ck_assert_uint_eq(l.n, 3);
	ck_assert_str_eq(l.v[0], "cy@example.com"); /* the main one first */
	name_list_free(&l);
	/* a new main address; the old one stays theirs */
	struct customer_edit main = {.email = "cy@work.example"};
	ck_assert_int_eq(core_customer_edit(&d, c, &main, &e), DESK_OK);
	struct customer cu;
	ck_assert_int_eq(store_customer_get(d.st, c, &cu, &e), DESK_OK);
	ck_assert_str_eq(cu.email, "cy@work.example");
	ck_assert_str_eq(cu.phone, "+1 555 0100");
	ck_assert_str_eq(cu.tier, "gold");
	customer_free(&cu);
	ck_assert_int_eq(find("cy@example.com"), c);
	/* phone, tier, two addresses, the main one: five events */
	ck_assert_uint_eq(customer_events(c), 5);
	/* an empty value clears; the same value is no change */
	struct customer_edit clear = {.tier = "", .phone = "+1 555 0100"};
	ck_assert_int_eq(core_customer_edit(&d, c, &clear, &e), DESK_OK);
	ck_assert_int_eq(store_customer_get(d.st, c, &cu, &e), DESK_OK);
	ck_assert_ptr_null(cu.tier);
	customer_free(&cu);
	ck_assert_uint_eq(customer_events(c), 6);
	const char *rem[] = {"cy@home.example"};
	struct customer_edit drop = {.remove = rem, .nremove = 1};
	ck_assert_int_eq(core_customer_edit(&d, c, &drop, &e), DESK_OK);
	int64_t owner = -1;
	ck_assert_int_eq(store_customer_email_owner(d.st, "cy@home.example", &owner, &e), DESK_OK);
	ck_assert_int_eq(owner, 0);
}
END_TEST

START_TEST(edit_refusals_change_nothing)
{
	int64_t c1 = customer_of(ticket_for("Cy", "cy@example.com"));
	int64_t c2 = customer_of(ticket_for("Di", "di@example.com"));
	struct derr e = {0};
	/* another customer's address, named with how to merge */
	const char *add[] = {"DI@example.com"};
	struct customer_edit ed = {.phone = "123", .add = add, .nadd = 1};
	ck_assert_int_eq(core_customer_edit(&d, c1, &ed, &e), DESK_ECONFLICT);
	char want[160];
	snprintf(want, sizeof want, "DI@example.com is customer #%lld's address; to make them one "
				    "customer: desk customer merge %lld %lld",
		 (long long)c2, (long long)c2, (long long)c1);
	ck_assert_str_eq(e.msg, want);
	struct customer cu;
	ck_assert_int_eq(store_customer_get(d.st, c1, &cu, &e), DESK_OK);
	ck_assert_ptr_null(cu.phone); /* all or nothing */
	customer_free(&cu);
	/* not an address */
	const char *bad[] = {"cy at example"};
	struct customer_edit ed2 = {.add = bad, .nadd = 1};
	ck_assert_int_eq(core_customer_edit(&d, c1, &ed2, &e), DESK_EINVAL);
	/* the main address cannot be removed */
	const char *rem[] = {"cy@example.com"};
	struct customer_edit ed3 = {.remove = rem, .nremove = 1};
	ck_assert_int_eq(core_customer_edit(&d, c1, &ed3, &e), DESK_EINVAL);
	ck_assert_msg(strstr(e.msg, "is where replies go"), "%s", e.msg);
	/* a name on two lines */
	struct customer_edit ed4 = {.name = "Cy\nYoung"};
	ck_assert_int_eq(core_customer_edit(&d, c1, &ed4, &e), DESK_EINVAL);
	ck_assert_uint_eq(customer_events(c1), 0);
}
END_TEST

START_TEST(merge_moves_tickets_and_addresses)
{
	int64_t t1 = ticket_for("Cy Young", "cy@example.com");
	int64_t t2 = ticket_for("", "cy.young@work.example");
	int64_t c1 = customer_of(t1), c2 = customer_of(t2);
	struct derr e = {0};
	struct customer_edit ed = {.organization = "Work Inc", .notes = "VIP at work"};
	ck_assert_int_eq(core_customer_edit(&d, c2, &ed, &e), DESK_OK);
	struct customer_edit ed1 = {.notes = "Prefers mail"};
	ck_assert_int_eq(core_customer_edit(&d, c1, &ed1, &e), DESK_OK);

	/* agents may not merge */
	struct desk ann;
	ck_assert_int_eq(desk_open(&ann, path, &cfg, "ann", 0, &e), DESK_OK);
	ck_assert_int_eq(core_customer_merge(&ann, c2, c1, &e), DESK_EDENIED);
	desk_close(&ann);

	ck_assert_msg(core_customer_merge(&d, c2, c1, &e) == DESK_OK, "%s", e.msg);
	ck_assert_int_eq(customer_of(t2), c1);
	ck_assert_int_eq(find("cy.young@work.example"), c1);
	struct customer cu;
	ck_assert_int_eq(store_customer_get(d.st, c2, &cu, &e), DESK_ENOTFOUND);
	ck_assert_int_eq(store_customer_get(d.st, c1, &cu, &e), DESK_OK);
	ck_assert_str_eq(cu.name, "Cy Young");
	ck_assert_str_eq(cu.email, "cy@example.com");
	ck_assert_str_eq(cu.organization, "Work Inc"); /* what c1 lacked */
	ck_assert_str_eq(cu.notes, "Prefers mail\n\nVIP at work");
	customer_free(&cu);
	/* the moved ticket says so in its trail */
	struct event_list l = {0};
	ck_assert_int_eq(store_events(d.st, t2, &l, &e), DESK_OK);
	bool moved = false;
	for (size_t i = 0; i < l.n; i++)
		moved |= l.v[i].field && strcmp(l.v[i].field, "customer") == 0;
	event_list_free(&l);
	ck_assert(moved);
	ck_assert_int_eq(core_customer_merge(&d, c1, c1, &e), DESK_EINVAL);
}
END_TEST

/* The customers whose name, organization or any address holds text
 * (any case), as "id,id," in the search's order (name, id). */
static char *search(const char *text)
{
	struct customer_list l = {0};
	struct derr e = {0};
	ck_assert_msg(store_customer_search(d.st, text, 10, &l, &e) == DESK_OK, "%s", e.msg);
	struct strbuf b = {0};
	for (size_t i = 0; i < l.n; i++)
		sb_addf(&b, "%lld,", (long long)l.v[i].id);
	customer_list_free(&l);
	if (!b.s)
		sb_add(&b, "");
	return sb_take(&b);
}

#define EXPECT_SEARCH(text, want)                  \
	do {                                       \
		char *got_ = search(text);         \
		ck_assert_str_eq(got_, (want));    \
		free(got_);                        \
	} while (0)

/* Found by a piece of the name, the organization or any address, in
 * any case; % and _ are plain characters, not patterns; at most limit,
 * and a customer's tickets all of them when the limit is negative. */
START_TEST(search_and_tickets)
{
	int64_t t1 = ticket_for("Cy Young", "cy@example.com");
	int64_t t2 = ticket_for("Ann_Lee", "ann@home.example");
	int64_t c1 = customer_of(t1), c2 = customer_of(t2);
	struct derr e = {0};
	const char *add[] = {"Ann.Lee@WORK.example"};
	struct customer_edit ed = {.organization = "100% Tea", .add = add, .nadd = 1};
	ck_assert_int_eq(core_customer_edit(&d, c2, &ed, &e), DESK_OK);
	char want[64];
	snprintf(want, sizeof want, "%lld,", (long long)c2);
	EXPECT_SEARCH("ANN", want);
	EXPECT_SEARCH("lee@work", want);   /* the second address */
	EXPECT_SEARCH("0% t", want);       /* the organization */
	EXPECT_SEARCH("n_L", want);        /* _ is no wildcard */
	EXPECT_SEARCH("%", want);          /* nor is % */
	snprintf(want, sizeof want, "%lld,", (long long)c1);
	EXPECT_SEARCH("young", want);
	snprintf(want, sizeof want, "%lld,%lld,", (long long)c2, (long long)c1);
	EXPECT_SEARCH("example", want);    /* by name: Ann_Lee before Cy Young */
	EXPECT_SEARCH("nobody", "");

	ticket_for("Cy Young", "cy@example.com");
	struct ticket_list tl = {0};
	ck_assert_int_eq(store_customer_tickets(d.st, c1, -1, &tl, &e), DESK_OK);
	ck_assert_uint_eq(tl.n, 2);
	ticket_list_free(&tl);
	ck_assert_int_eq(store_customer_tickets(d.st, c1, 1, &tl, &e), DESK_OK);
	ck_assert_uint_eq(tl.n, 1);
	ck_assert_int_gt(tl.v[0].id, t1); /* the newest */
	ticket_list_free(&tl);
}
END_TEST

/* A "[#N]" subject tag threads from any of the customer's addresses. */
START_TEST(tag_threads_from_any_address)
{
	struct config mcfg;
	config_defaults(&mcfg);
	free(mcfg.mail.support_address);
	mcfg.mail.support_address = xstrdup("Support <help@desk.test>");
	d.cfg = &mcfg;
	int64_t t = ticket_for("Cy", "cy@example.com");
	int64_t c = customer_of(t);
	struct derr e = {0};
	const char *add[] = {"cy@work.example"};
	struct customer_edit ed = {.add = add, .nadd = 1};
	ck_assert_int_eq(core_customer_edit(&d, c, &ed, &e), DESK_OK);
	char *mail = xasprintf("From: Cy <cy@work.example>\nSubject: Re: [#%lld] Help\n"
			       "Message-ID: <w1@work.example>\n\nmore\n",
			       (long long)t);
	struct ingest_result r;
	bool fault;
	int rc = core_ingest(&d, mail, strlen(mail), NULL, &r, &fault, &e);
	ck_assert_msg(rc == DESK_OK, "%s", e.msg);
	ck_assert_int_eq(r.outcome, INGEST_APPENDED);
	ck_assert_int_eq(r.ticket_id, t);
	free(mail);
	d.cfg = &cfg;
	config_free(&mcfg);
}
END_TEST

/* `u` does not take back a customer's correction (edited again, it is
 * undone), and it does not hide the ticket change before it either. */
START_TEST(undo_passes_over_customer_changes)
{
	int64_t t = ticket_for("Cy", "cy@example.com");
	int64_t c = customer_of(t);
	struct derr e = {0};
	ck_assert_int_eq(core_set_priority(&d, t, PRIO_HIGH, &e), DESK_OK);
	struct customer_edit ed = {.phone = "123"};
	ck_assert_int_eq(core_customer_edit(&d, c, &ed, &e), DESK_OK);
	struct undo_result r = {0};
	ck_assert_msg(core_undo(&d, &r, &e) == DESK_OK, "%s", e.msg);
	undo_result_free(&r);
	struct ticket tk;
	ck_assert_int_eq(store_ticket_get(d.st, t, &tk, &e), DESK_OK);
	ck_assert_int_eq(tk.priority, PRIO_NORMAL);
	ticket_free(&tk);
	struct customer cu;
	ck_assert_int_eq(store_customer_get(d.st, c, &cu, &e), DESK_OK);
	ck_assert_str_eq(cu.phone, "123");
	customer_free(&cu);
}
END_TEST

Suite *suite_customers(void)
{
	Suite *s = suite_create("customers");
	TCase *tc = tcase_create("customers");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, edit_addresses_and_details);
	tcase_add_test(tc, addresses_in_nocase_order);
	tcase_add_test(tc, panes_read_as_alone);
	tcase_add_test(tc, edit_refusals_change_nothing);
	tcase_add_test(tc, merge_moves_tickets_and_addresses);
	tcase_add_test(tc, tag_threads_from_any_address);
	tcase_add_test(tc, undo_passes_over_customer_changes);
	tcase_add_test(tc, search_and_tickets);
	suite_add_tcase(s, tc);
	return s;
}
