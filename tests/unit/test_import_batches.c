/* test_import_batches.c: desk import in batches with a commit point
 * (src/core/import_run.c): each batch is its own transaction, so another
 * connection writes between them; a bad line before the commit point
 * leaves nothing, spool included; the spool of a dead import that never
 * reached its commit point is removed; a run stopped after it is
 * finished by core_import_resume exactly as an uninterrupted import. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "testlib.h"
#include "util.h"

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

static void ok(int rc, const struct derr *e)
{
	ck_assert_msg(rc == DESK_OK, "%s", e->msg);
}

static void new_desk(struct desk *d, const char *name)
{
	char *path = test_db_named(dir, name);
	struct derr e = {0};
	ok(desk_init(d, path, &cfg, "tester", &e), &e);
	free(path);
}

static void open_again(struct desk *d, const char *name)
{
	char *path = test_db_named(dir, name);
	struct derr e = {0};
	ok(desk_open(d, path, &cfg, "tester", 0, &e), &e);
	free(path);
}

static int64_t ticket_count(struct desk *d)
{
	int64_t n;
	struct derr e = {0};
	ok(store_ticket_count(d->st, &n, &e), &e);
	return n;
}

static size_t run_count(struct desk *d)
{
	struct import_run *runs;
	size_t n;
	struct derr e = {0};
	ok(store_import_runs(d->st, &runs, &n, &e), &e);
	import_runs_free(runs, n);
	return n;
}

/* Lines X1..Xn, each with a customer message (so FTS has work). */
static char *lines(int n, int bad_at)
{
	struct strbuf b = {0};
	for (int i = 1; i <= n; i++) {
		if (i == bad_at) {
			sb_add(&b, "{\"subject\":\"x\",\"status\":\"finished\"}\n");
			continue;
		}
		sb_addf(&b,
			"{\"external_id\":\"X%d\",\"subject\":\"ticket %d\",\"messages\":"
			"[{\"kind\":\"customer\",\"at\":\"2026-11-01T09:30:00Z\",\"body\":\"word%d\"}]}\n",
			i, i, i);
	}
	char *s = xstrdup(sb_str(&b));
	sb_free(&b);
	return s;
}

static int import_str(struct desk *d, const char *text, const struct import_opts *o,
		      struct import_result *r, struct derr *e)
{
	FILE *in = fmemopen((void *)text, strlen(text), "r");
	ck_assert_ptr_nonnull(in);
	char *report = NULL;
	size_t rlen = 0;
	FILE *rep = open_memstream(&report, &rlen);
	int rc = core_import(d, in, o, r, rep, e);
	fclose(rep);
	fclose(in);
	free(report);
	return rc;
}

/* What a second agent does between batches: its note must go in while
 * the import runs, and the tickets it sees are exactly the batches
 * committed so far. */
struct between {
	long batches;
	long notes;
	bool seen_right;
};

static void between_batches(const struct import_progress *p, void *arg)
{
	struct between *b = arg;
	if (p->checking)
		return;
	b->batches++;
	struct desk other;
	open_again(&other, "d.db");
	int64_t first;
	struct derr e = {0};
	ok(store_ticket_by_external_id(other.st, "X1", &first, &e), &e);
	int64_t note;
	ok(core_post(&other, first, MSG_NOTE, "between batches", NULL, 0, &note, &e), &e);
	b->notes++;
	b->seen_right = b->seen_right && ticket_count(&other) == p->n;
	desk_close(&other);
}

START_TEST(batches_commit_separately)
{
	struct desk d;
	new_desk(&d, "d.db");
	char *text = lines(5, 0);
	struct between b = {.seen_right = true};
	struct import_opts o = {.name = "t.jsonl", .batch_tickets = 1,
				.progress = between_batches, .progress_arg = &b};
	struct import_result r;
	struct derr e = {0};
	ok(import_str(&d, text, &o, &r, &e), &e);
	ck_assert_int_eq(r.created, 5);
	/* one batch a ticket, and one more that finds the spool empty */
	ck_assert_int_ge(b.batches, 5);
	ck_assert_int_eq(b.notes, b.batches);
	ck_assert_msg(b.seen_right, "another connection saw a batch half-done");
	ck_assert_uint_eq(run_count(&d), 0);
	/* every ticket is found by search: indexed batch by batch */
	for (int i = 1; i <= 5; i++) {
		char word[16];
		snprintf(word, sizeof word, "word%d", i);
		struct queue_filter f = {.search = word};
		int64_t n = -1;
		ok(store_queue_count(d.st, &f, &n, &e), &e);
		ck_assert_msg(n == 1, "%s: %lld hits", word, (long long)n);
	}
	free(text);
	desk_close(&d);
}
END_TEST

START_TEST(bad_line_leaves_nothing)
{
	struct desk d;
	new_desk(&d, "d.db");
	/* tiny spool batches: the good lines before the bad one were
	 * spooled in transactions of their own, and must go too */
	char *text = lines(6, 5);
	struct import_opts o = {.name = "t.jsonl", .batch_tickets = 1};
	struct import_result r;
	struct derr e = {0};
	ck_assert_int_eq(import_str(&d, text, &o, &r, &e), DESK_EINVAL);
	ck_assert_msg(strstr(e.msg, "t.jsonl:5: status:") != NULL, "%s", e.msg);
	ck_assert_int_eq(r.bad, 1);
	ck_assert_int_eq(r.created, 0);
	ck_assert(!r.committed);
	ck_assert_int_eq(ticket_count(&d), 0);
	ck_assert_uint_eq(run_count(&d), 0);
	free(text);
	desk_close(&d);
}
END_TEST

/* A run as an importer killed at some point leaves it: its row, and
 * its lines (all, or those not published yet). */
static int64_t leave_run(struct desk *d, const char *text, bool ready)
{
	struct derr e = {0};
	struct import_run run = {.started_at = 1793491200, .agent_id = d->me.id,
				 .name = "t.jsonl"};
	ok(store_begin(d->st, &e), &e);
	ok(store_import_run_add(d->st, &run, &e), &e);
	long seq = 0;
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *line = xstrndup(p, len);
		ok(store_import_line_add(d->st, run.id, ++seq, line, len, &e), &e);
		free(line);
		p += len + (nl != NULL);
	}
	if (ready)
		ok(store_import_run_ready(d->st, run.id, seq, 0, &e), &e);
	ok(store_commit(d->st, &e), &e);
	return run.id;
}

START_TEST(dead_spool_is_removed)
{
	struct desk d;
	new_desk(&d, "d.db");
	char *text = lines(3, 0);
	leave_run(&d, text, false);
	ck_assert_uint_eq(run_count(&d), 1);
	/* the next import takes the lock (nobody holds it: the importer is
	 * gone) and removes the garbage before its own work */
	struct import_opts o = {.name = "u.jsonl"};
	struct import_result r;
	struct derr e = {0};
	ok(import_str(&d, "{\"external_id\":\"Y\",\"subject\":\"y\"}\n", &o, &r, &e), &e);
	ck_assert_int_eq(r.created, 1);
	ck_assert_int_eq(r.resumed, 0);
	ck_assert_uint_eq(run_count(&d), 0);
	ck_assert_int_eq(ticket_count(&d), 1); /* none of the dead run's lines */
	/* and resume has nothing to finish */
	ck_assert_int_eq(core_import_resume(&d, NULL, &r, NULL, &e), DESK_ENOTFOUND);
	free(text);
	desk_close(&d);
}
END_TEST

START_TEST(resume_finishes_a_run)
{
	char *text = lines(4, 0);
	struct derr e = {0};
	struct import_result r;
	/* the whole import, uninterrupted, at the same time */
	struct desk a;
	new_desk(&a, "a.db");
	struct import_opts o = {.name = "t.jsonl"};
	setenv("DESK_NOW", "1793491200", 1);
	ok(import_str(&a, text, &o, &r, &e), &e);
	/* the same run stopped right after its commit point */
	struct desk b;
	new_desk(&b, "b.db");
	leave_run(&b, text, true);
	ok(core_import_resume(&b, &o, &r, NULL, &e), &e);
	unsetenv("DESK_NOW");
	ck_assert_int_eq(r.created, 4);
	ck_assert_int_eq(r.resumed, 4);
	ck_assert_uint_eq(run_count(&b), 0);
	char *ea = NULL, *eb = NULL;
	size_t la = 0, lb = 0;
	FILE *fa = open_memstream(&ea, &la), *fb = open_memstream(&eb, &lb);
	ok(core_export(&a, fa, &e), &e);
	ok(core_export(&b, fb, &e), &e);
	fclose(fa);
	fclose(fb);
	ck_assert_str_eq(ea, eb);
	free(ea);
	free(eb);
	free(text);
	desk_close(&a);
	desk_close(&b);
}
END_TEST

START_TEST(one_import_at_a_time)
{
	struct desk d, other;
	new_desk(&d, "d.db");
	open_again(&other, "d.db");
	struct derr e = {0};
	ok(store_import_lock(other.st, &e), &e);
	struct import_opts o = {.name = "t.jsonl"};
	struct import_result r;
	ck_assert_int_eq(import_str(&d, "{\"subject\":\"y\"}\n", &o, &r, &e), DESK_EBUSY);
	ck_assert_msg(strstr(e.msg, "another desk import is running") != NULL, "%s", e.msg);
	ck_assert_int_eq(ticket_count(&d), 0);
	store_import_unlock(other.st);
	ok(import_str(&d, "{\"subject\":\"y\"}\n", &o, &r, &e), &e);
	ck_assert_int_eq(ticket_count(&d), 1);
	desk_close(&other);
	desk_close(&d);
}
END_TEST

/* The many-row writes an import uses (bulk_rows.c: one statement each on
 * PostgreSQL) store what the one-row functions store, ids in the rows'
 * order: text that an array literal must quote (quotes, backslashes,
 * braces, commas, the word NULL, invalid UTF-8), NULLs, a Message-ID
 * looked up beside ones nobody has. */
START_TEST(many_rows_as_one_row_each)
{
	struct desk d;
	new_desk(&d, "m.db");
	struct derr e = {0};
	struct store *st = d.st;
	ok(store_begin(st, &e), &e);
	struct ticket t = {.subject = "bulk", .status = ST_OPEN, .created_at = 1000,
			   .updated_at = 1000};
	ok(store_ticket_insert(st, &t, &e), &e);
	const char *bodies[] = {"plain", "a \"quoted\" {brace}, comma\\", "NULL", "",
				"bad \xff byte"};
	struct message m[5];
	for (int i = 0; i < 5; i++)
		m[i] = (struct message){.ticket_id = t.id, .kind = i % 2 ? MSG_REPLY : MSG_CUSTOMER,
					.body = (char *)bodies[i], .created_at = 2000 - i,
					.message_id = i == 1 ? "<one@x>" : i == 3 ? "<three@x>" : NULL,
					.cc = i == 2 ? "c@x" : NULL};
	ok(store_messages_insert(st, m, 5, &e), &e);
	for (int i = 1; i < 5; i++)
		ck_assert_int_gt(m[i].id, m[i - 1].id);
	struct message_list got = {0};
	ok(store_messages(st, t.id, &got, &e), &e); /* by created_at: reversed */
	ck_assert_uint_eq(got.n, 5);
	for (int i = 0; i < 5; i++) {
		const struct message *g = &got.v[4 - i];
		ck_assert_int_eq(g->id, m[i].id);
		ck_assert_int_eq(g->kind, m[i].kind);
		ck_assert_int_eq(g->created_at, m[i].created_at);
		ck_assert_str_eq(g->body, i == 4 ? "bad \xef\xbf\xbd byte" : bodies[i]);
		ck_assert_pstr_eq(g->message_id, m[i].message_id);
		ck_assert_pstr_eq(g->cc, m[i].cc);
		ck_assert_ptr_null(g->delivery);
	}
	message_list_free(&got);
	const char *ids[] = {"<none@x>", NULL, "<three@x>", "<one@x>"};
	int64_t owners[4];
	ok(store_message_id_owners(st, ids, 4, owners, &e), &e);
	ck_assert_int_eq(owners[0], 0);
	ck_assert_int_eq(owners[1], 0);
	ck_assert_int_eq(owners[2], t.id);
	ck_assert_int_eq(owners[3], t.id);
	struct event ev[3] = {
		{.ticket_id = t.id, .at = 5, .action = "set", .field = "status",
		 .old_value = "new", .new_value = "open"},
		{.ticket_id = t.id, .at = 6, .action = "note", .change_id = EVENT_NEW_CHANGE},
		{.ticket_id = t.id, .at = 7, .action = "import", .new_value = "f:1"},
	};
	ok(store_events_insert(st, ev, 3, &e), &e);
	ck_assert_int_eq(ev[1].id, ev[0].id + 1);
	ck_assert_int_eq(ev[2].id, ev[1].id + 1);
	ck_assert_int_eq(ev[1].change_id, ev[1].id);
	struct event_list evs = {0};
	ok(store_events(st, t.id, &evs, &e), &e);
	ck_assert_uint_eq(evs.n, 3);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(evs.v[i].id, ev[i].id);
		ck_assert_str_eq(evs.v[i].action, ev[i].action);
		ck_assert_pstr_eq(evs.v[i].new_value, ev[i].new_value);
	}
	event_list_free(&evs);
	char *tags[] = {"b", "a,\"x\"", "b"};
	ok(store_tags_add(st, t.id, tags, 3, &e), &e);
	ok(store_commit(st, &e), &e);
	struct ticket back;
	ok(store_ticket_get(st, t.id, &back, &e), &e);
	ck_assert_uint_eq(back.ntags, 2);
	ck_assert_str_eq(back.tags[0], "a,\"x\"");
	ck_assert_str_eq(back.tags[1], "b");
	ticket_free(&back);
	desk_close(&d);
}
END_TEST


Suite *suite_import_batches(void)
{
	Suite *s = suite_create("import_batches");
	TCase *t = tcase_create("batches");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_set_timeout(t, 60);
	tcase_add_test(t, batches_commit_separately);
	tcase_add_test(t, bad_line_leaves_nothing);
	tcase_add_test(t, dead_spool_is_removed);
	tcase_add_test(t, resume_finishes_a_run);
	tcase_add_test(t, one_import_at_a_time);
	tcase_add_test(t, many_rows_as_one_row_each);
	suite_add_tcase(s, t);
	return s;
}
