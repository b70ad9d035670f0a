/* test_fresh.c: knowing what is new, and who is online (issue 13).
 * The rules of "new to an agent" (changed by someone else since they
 * last saw it; the backlog older than their baseline is not new), the
 * counts and events the console reads (core_fresh_read), the consoles
 * table behind :who, the notify config mapping, and what reaches a
 * terminal or a hook: the OSC encoder and sanitizer, the hook's argv,
 * environment and start. */
#include <check.h>
#include <fcntl.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../src/tui/notify.h"
#include "../../src/tui/ui.h"
#include "config.h"
#include "core.h"
#include "testlib.h"
#include "text.h"
#include "util.h"

#define T0 1800000000LL

static int64_t ticket(struct team_fx *x, const char *subject, const char *assignee)
{
	struct derr e = {0};
	struct new_ticket nt;
	new_ticket_init(&nt);
	nt.subject = subject;
	nt.body = "hello";
	nt.customer_name = "Ann Lee";
	nt.customer_email = "ann@example.com";
	nt.assignee = assignee;
	int64_t id = 0;
	ck_assert_msg(core_ticket_new(&x->d, &nt, &id, &e) == DESK_OK, "%s", e.msg);
	return id;
}

/* Which of ids are new to d (baseline since), as "1 0 1". */
static char *page(struct desk *d, int64_t since, const int64_t *ids, size_t n)
{
	bool unseen[16];
	struct derr e = {0};
	ck_assert_msg(store_seen_page(d->st, d->me.id, since, ids, n, unseen, &e) == DESK_OK, "%s",
		      e.msg);
	struct strbuf b = {0};
	for (size_t i = 0; i < n; i++)
		sb_addf(&b, "%s%d", i ? " " : "", unseen[i] ? 1 : 0);
	return sb_take(&b);
}

#define PAGE_IS(d, since, ids, want)                                      \
	do {                                                              \
		char *got_ = page(d, since, ids, ARRAY_LEN(ids));         \
		ck_assert_str_eq(got_, want);                             \
		free(got_);                                               \
	} while (0)

/* The backlog before the baseline is not new; another agent's change
 * is; seeing it clears it; the agent's own change, seen as the console
 * sees it, is not new; a ticket never seen that changed after the
 * baseline is. */
START_TEST(seen_rules)
{
	struct team_fx x;
	team_fx_open(&x, T0);
	struct derr e = {0};
	int64_t t1 = ticket(&x, "one", NULL), t2 = ticket(&x, "two", NULL);
	/* alice's first console, later: desk does not know her yet. */
	test_set_now(T0 + 10);
	int64_t since = 0;
	ck_assert_int_eq(core_seen_baseline(&x.alice, T0 + 10, &since, &e), DESK_OK);
	ck_assert_int_eq(since, T0 + 10);
	int64_t ids[] = {t1, t2};
	PAGE_IS(&x.alice, since, ids, "0 0");
	/* bob changes t1: new to alice, not to... bob's own view of it. */
	test_set_now(T0 + 20);
	ck_assert_int_eq(core_set_priority(&x.bob, t1, PRIO_HIGH, &e), DESK_OK);
	PAGE_IS(&x.alice, since, ids, "1 0");
	bool stale = false;
	ck_assert_int_eq(core_seen_stale(&x.alice, t1, &stale, &e), DESK_OK);
	ck_assert(stale);
	/* alice opens it. */
	test_set_now(T0 + 30);
	ck_assert_int_eq(core_seen_mark(&x.alice, t1, &e), DESK_OK);
	ck_assert(!store_in_transaction(x.alice.st));
	PAGE_IS(&x.alice, since, ids, "0 0");
	ck_assert_int_eq(core_seen_stale(&x.alice, t1, &stale, &e), DESK_OK);
	ck_assert(!stale);
	/* her own change to it, later: to be marked again while shown */
	test_set_now(T0 + 35);
	ck_assert_int_eq(core_set_priority(&x.alice, t1, PRIO_URGENT, &e), DESK_OK);
	ck_assert_int_eq(core_seen_stale(&x.alice, t1, &stale, &e), DESK_OK);
	ck_assert(stale);
	ck_assert_int_eq(core_seen_mark(&x.alice, t1, &e), DESK_OK);
	/* alice changes t2 while it is shown: the console marks it again. */
	test_set_now(T0 + 40);
	ck_assert_int_eq(core_set_priority(&x.alice, t2, PRIO_LOW, &e), DESK_OK);
	ck_assert_int_eq(core_seen_stale(&x.alice, t2, &stale, &e), DESK_OK);
	ck_assert(stale);
	ck_assert_int_eq(core_seen_mark(&x.alice, t2, &e), DESK_OK);
	PAGE_IS(&x.alice, since, ids, "0 0");
	/* bob again: new again. */
	test_set_now(T0 + 50);
	ck_assert_int_eq(core_set_status(&x.bob, t1, ST_PENDING, &e), DESK_OK);
	PAGE_IS(&x.alice, since, ids, "1 0");
	/* A ticket made after the baseline, never seen: new. */
	test_set_now(T0 + 60);
	int64_t t3 = ticket(&x, "three", NULL);
	int64_t ids3[] = {t1, t2, t3};
	PAGE_IS(&x.alice, since, ids3, "1 0 1");
	/* To bob, who never looked, with his own baseline a second later:
	 * nothing before it is new, whoever changed it. */
	int64_t bob_since = 0;
	ck_assert_int_eq(core_seen_baseline(&x.bob, T0 + 61, &bob_since, &e), DESK_OK);
	PAGE_IS(&x.bob, bob_since, ids3, "0 0 0");
	/* Her baseline is her first console's start, not a later one's,
	 * however often she saw tickets again meanwhile: what changed in
	 * between stays new. */
	ck_assert_int_eq(core_seen_baseline(&x.alice, T0 + 1000, &since, &e), DESK_OK);
	ck_assert_int_eq(since, T0 + 10);
	/* Marking never moves back. */
	test_set_now(T0 + 5);
	ck_assert_int_eq(core_seen_mark(&x.alice, t2, &e), DESK_OK);
	int64_t seen = 0, updated = 0;
	ck_assert_int_eq(store_seen_state(x.alice.st, x.alice.me.id, t2, &seen, &updated, &e),
			 DESK_OK);
	ck_assert_int_eq(seen, T0 + 40);
	team_fx_close(&x);
}
END_TEST

/* The agent's own changes, made anywhere (a bulk change, the command
 * line) are not new to them; someone else's after are. */
START_TEST(own_changes_seen)
{
	struct team_fx x;
	team_fx_open(&x, T0);
	struct derr e = {0};
	int64_t t1 = ticket(&x, "one", NULL), t2 = ticket(&x, "two", NULL);
	int64_t since = T0 + 1, last = 0, mark[3];
	ck_assert_int_eq(store_content_mark(x.alice.st, mark, &e), DESK_OK);
	last = mark[0];
	int64_t ids[] = {t1, t2};
	bool marked = true;
	ck_assert_int_eq(core_seen_own(&x.alice, &last, &marked, &e), DESK_OK);
	ck_assert(!marked);
	test_set_now(T0 + 10);
	ck_assert_int_eq(core_set_priority(&x.bob, t1, PRIO_HIGH, &e), DESK_OK);
	ck_assert_int_eq(core_set_priority(&x.alice, t2, PRIO_HIGH, &e), DESK_OK);
	PAGE_IS(&x.alice, since, ids, "1 1");
	ck_assert_int_eq(core_seen_own(&x.alice, &last, &marked, &e), DESK_OK);
	ck_assert(marked);
	ck_assert(!store_in_transaction(x.alice.st));
	/* bob's change stays new; her own is seen */
	PAGE_IS(&x.alice, since, ids, "1 0");
	/* nothing more of hers: nothing written */
	ck_assert_int_eq(core_seen_own(&x.alice, &last, &marked, &e), DESK_OK);
	ck_assert(!marked);
	ck_assert_int_eq(store_content_mark(x.alice.st, mark, &e), DESK_OK);
	ck_assert_int_eq(last, mark[0]);
	test_set_now(T0 + 20);
	ck_assert_int_eq(core_set_status(&x.bob, t2, ST_PENDING, &e), DESK_OK);
	ck_assert_int_eq(core_seen_own(&x.alice, &last, &marked, &e), DESK_OK);
	ck_assert(!marked);
	PAGE_IS(&x.alice, since, ids, "1 1");
	team_fx_close(&x);
}
END_TEST

static bool listed(const struct ticket_briefs *l, int64_t id)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].id == id)
			return true;
	return false;
}

/* The counts: new in the agent's views (mine and unassigned by
 * default; each ticket once; capped), assigned to them by someone else
 * (not their own claim), SLAs due soon (theirs or unassigned). */
/* Times are whole seconds: another agent's change in the very second
 * the agent's first console started is new (the e2e test once typed a
 * note a moment after the console opened and it was never marked), in
 * the page, the view's count and as an assignment. */
START_TEST(baseline_second)
{
	struct team_fx x;
	team_fx_open(&x, T0);
	struct derr e = {0};
	int64_t t1 = ticket(&x, "one", NULL), t2 = ticket(&x, "two", NULL);
	int64_t t3 = ticket(&x, "three", NULL);
	test_set_now(T0 + 10);
	int64_t since = 0;
	ck_assert_int_eq(core_seen_baseline(&x.alice, T0 + 10, &since, &e), DESK_OK);
	ck_assert_int_eq(core_note(&x.bob, t1, "same second", &e), DESK_OK);
	ck_assert_int_eq(core_assign(&x.bob, t3, "alice", &e), DESK_OK);
	int64_t ids[] = {t1, t2, t3};
	PAGE_IS(&x.alice, since, ids, "1 0 1");
	struct fresh_news n;
	ck_assert_int_eq(core_fresh_read(&x.alice, NULL, 0, since, 0, 10, &n, &e), DESK_OK);
	ck_assert(listed(&n.fresh, t1) && !listed(&n.fresh, t2));
	ck_assert(listed(&n.assigned, t3));
	fresh_news_free(&n);
	/* a look covers its own second */
	ck_assert_int_eq(core_seen_mark(&x.alice, t1, &e), DESK_OK);
	PAGE_IS(&x.alice, since, ids, "0 0 1");
	team_fx_close(&x);
}
END_TEST

START_TEST(fresh_counts)
{
	struct team_fx x;
	team_fx_open(&x, T0);
	struct derr e = {0};
	int64_t mine = ticket(&x, "mine", "alice"), theirs = ticket(&x, "bob's", "bob");
	int64_t free1 = ticket(&x, "unassigned", NULL), claimed = ticket(&x, "to claim", NULL);
	test_set_now(T0 + 10);
	int64_t since = T0 + 10; /* alice's first console */
	struct fresh_news n;
	ck_assert_int_eq(core_fresh_read(&x.alice, NULL, 0, since, 0, 10, &n, &e), DESK_OK);
	ck_assert_uint_eq(n.fresh.n + n.assigned.n + n.soon.n, 0);
	fresh_news_free(&n);
	test_set_now(T0 + 20);
	ck_assert_int_eq(core_set_priority(&x.bob, theirs, PRIO_HIGH, &e), DESK_OK);
	ck_assert_int_eq(core_set_priority(&x.bob, free1, PRIO_HIGH, &e), DESK_OK);
	ck_assert_int_eq(core_note(&x.bob, mine, "a note", &e), DESK_OK);
	ck_assert_int_eq(core_claim(&x.alice, claimed, &e), DESK_OK);
	int64_t given = ticket(&x, "given", NULL);
	test_set_now(T0 + 30);
	ck_assert_int_eq(core_assign(&x.d, given, "alice", &e), DESK_OK);
	ck_assert_int_eq(core_fresh_read(&x.alice, NULL, 0, since, 0, 10, &n, &e), DESK_OK);
	/* bob's own ticket is in neither of alice's views */
	ck_assert(!listed(&n.fresh, theirs));
	ck_assert(listed(&n.fresh, free1) && listed(&n.fresh, mine) && listed(&n.fresh, given));
	/* her own claim changed the ticket but nobody assigned it to her;
	 * the console marks it seen as she claims it */
	ck_assert(!listed(&n.assigned, claimed));
	ck_assert_uint_eq(n.assigned.n, 1);
	ck_assert_int_eq(n.assigned.v[0].id, given);
	ck_assert_str_eq(n.assigned.v[0].subject, "given");
	ck_assert(!n.fresh_more && !n.assigned_more);
	fresh_news_free(&n);
	/* each ticket once, whatever the number of views naming it */
	char *views[] = {"mine", "open", "unassigned"};
	ck_assert_int_eq(core_fresh_read(&x.alice, views, 3, since, 0, 10, &n, &e), DESK_OK);
	ck_assert(listed(&n.fresh, theirs));
	for (size_t i = 0; i < n.fresh.n; i++)
		for (size_t j = i + 1; j < n.fresh.n; j++)
			ck_assert_int_ne(n.fresh.v[i].id, n.fresh.v[j].id);
	fresh_news_free(&n);
	/* capped: "2+" */
	ck_assert_int_eq(core_fresh_read(&x.alice, NULL, 0, since, 0, 2, &n, &e), DESK_OK);
	ck_assert_uint_eq(n.fresh.n, 2);
	ck_assert(n.fresh_more);
	fresh_news_free(&n);
	/* seen: no longer counted */
	ck_assert_int_eq(core_seen_mark(&x.alice, given, &e), DESK_OK);
	ck_assert_int_eq(core_fresh_read(&x.alice, NULL, 0, since, 0, 10, &n, &e), DESK_OK);
	ck_assert_uint_eq(n.assigned.n, 0);
	ck_assert(!listed(&n.fresh, given));
	fresh_news_free(&n);
	/* SLA due within a day (normal: first response in 8h): hers and the
	 * unassigned ones, not bob's */
	ck_assert_int_eq(core_fresh_read(&x.alice, NULL, 0, since, 86400, 10, &n, &e), DESK_OK);
	ck_assert(listed(&n.soon, mine) && listed(&n.soon, free1));
	ck_assert(!listed(&n.soon, theirs));
	fresh_news_free(&n);
	/* within a minute: none */
	ck_assert_int_eq(core_fresh_read(&x.alice, NULL, 0, since, 60, 10, &n, &e), DESK_OK);
	ck_assert_uint_eq(n.soon.n, 0);
	fresh_news_free(&n);
	team_fx_close(&x);
}
END_TEST

/* :who: a row per console, what it shows and since when; a row not
 * refreshed for a minute is gone (and swept by the next start); a swept
 * row comes back at the next refresh; closing removes it. */
START_TEST(consoles_rows)
{
	struct team_fx x;
	team_fx_open(&x, T0);
	struct derr e = {0};
	int64_t t1 = ticket(&x, "Refund \033[31mnow", NULL);
	int64_t a_id = 0, b_id = 0;
	ck_assert_int_eq(core_console_open(&x.alice, 101, &a_id, &e), DESK_OK);
	ck_assert_int_eq(core_console_open(&x.bob, 202, &b_id, &e), DESK_OK);
	test_set_now(T0 + 5);
	ck_assert_int_eq(core_console_update(&x.alice, 101, &a_id, t1, T0 + 5, "open", &e), DESK_OK);
	ck_assert_int_eq(core_console_update(&x.bob, 202, &b_id, 0, 0, "mine", &e), DESK_OK);
	struct console_rows r = {0};
	ck_assert_int_eq(core_consoles(&x.d, &r, &e), DESK_OK);
	ck_assert_uint_eq(r.n, 2);
	ck_assert_str_eq(r.v[0].login, "alice");
	ck_assert_int_eq(r.v[0].ticket_id, t1);
	ck_assert_int_eq(r.v[0].ticket_since, T0 + 5);
	ck_assert_str_eq(r.v[0].subject, "Refund \033[31mnow");
	ck_assert_str_eq(r.v[1].login, "bob");
	ck_assert_int_eq(r.v[1].ticket_id, 0);
	ck_assert_str_eq(r.v[1].view, "mine");
	/* the line :who shows: the subject sanitized */
	char *line = who_line(&r.v[0], T0 + 65, false);
	ck_assert_msg(strstr(line, "#") && strstr(line, "Refund ^[[31mnow") && !strchr(line, '\033'),
		      "%s", line);
	ck_assert_msg(strstr(line, "for 1m"), "%s", line);
	free(line);
	console_rows_free(&r);
	/* a minute on, only alice refreshed */
	test_set_now(T0 + 66);
	ck_assert_int_eq(core_console_update(&x.alice, 101, &a_id, t1, T0 + 5, "open", &e), DESK_OK);
	ck_assert_int_eq(core_consoles(&x.d, &r, &e), DESK_OK);
	ck_assert_uint_eq(r.n, 1);
	ck_assert_str_eq(r.v[0].login, "alice");
	console_rows_free(&r);
	/* a new console sweeps bob's dead row; bob's next refresh writes
	 * it anew */
	int64_t c_id = 0;
	ck_assert_int_eq(core_console_open(&x.d, 303, &c_id, &e), DESK_OK);
	int64_t old_b = b_id;
	ck_assert_int_eq(core_console_update(&x.bob, 202, &b_id, 0, 0, "mine", &e), DESK_OK);
	ck_assert_int_ne(b_id, old_b);
	ck_assert_int_eq(core_consoles(&x.d, &r, &e), DESK_OK);
	ck_assert_uint_eq(r.n, 3);
	console_rows_free(&r);
	ck_assert_int_eq(core_console_close(&x.alice, a_id, &e), DESK_OK);
	ck_assert_int_eq(core_consoles(&x.d, &r, &e), DESK_OK);
	ck_assert_uint_eq(r.n, 2);
	ck_assert(strcmp(r.v[0].login, "alice") != 0 && strcmp(r.v[1].login, "alice") != 0);
	console_rows_free(&r);
	ck_assert(!store_in_transaction(x.bob.st));
	team_fx_close(&x);
}
END_TEST

/* No byte a terminal would act on: C0, DEL, C1 (as UTF-8), and valid
 * UTF-8 throughout. */
static void assert_inert(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		ck_assert_msg(*p >= 0x20 && *p != 0x7f, "control byte 0x%02x in \"%s\"", *p, s);
		ck_assert_msg(!(p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f), "C1 in \"%s\"", s);
	}
	ck_assert(text_is_utf8(s));
}

START_TEST(osc_sanitized)
{
	/* The console runs in the terminal's UTF-8 locale; so does this. */
	ck_assert_ptr_nonnull(setlocale(LC_CTYPE, "C.UTF-8"));
	/* ESC, BEL, ST, a C1 CSI, ';' (the field separator), bad UTF-8 */
	const char *evil = "Hi\033]777;notify;pwned\a\033\\ \xc2\x9b" "31m;x\xff\xfe end";
	char *c = notify_clean(evil, NOTIFY_TEXT_MAX);
	assert_inert(c);
	ck_assert_msg(!strchr(c, ';'), "%s", c);
	ck_assert_msg(strstr(c, "Hi^[]777,notify,pwned^G^[\\") == c, "%s", c);
	free(c);
	/* capped on a character boundary */
	struct strbuf b = {0};
	for (int i = 0; i < 300; i++)
		sb_add(&b, "é");
	c = notify_clean(sb_str(&b), NOTIFY_TEXT_MAX);
	ck_assert_uint_le(strlen(c), NOTIFY_TEXT_MAX);
	ck_assert_uint_gt(strlen(c), NOTIFY_TEXT_MAX - 4); /* less a character at most */
	assert_inert(c);
	free(c);
	sb_free(&b);
	/* the sequence: OSC 777 then OSC 9, each ended by ST; nothing of
	 * the text can end it early */
	char *osc = notify_osc("desk: new", "#7 Bonjour; \033\\ ça va\a");
	ck_assert_str_eq(osc, "\033]777;notify;desk: new;#7 Bonjour, ^[\\ ça va^G\033\\"
			      "\033]9;desk: new: #7 Bonjour, ^[\\ ça va^G\033\\");
	free(osc);
	/* for tmux: one DCS, every ESC inside doubled */
	char *w = notify_tmux_wrap("\033]9;a\033\\");
	ck_assert_str_eq(w, "\033Ptmux;\033\033]9;a\033\033\\\033\\");
	free(w);
}
END_TEST

START_TEST(hook_argv_and_env)
{
	char *hook[] = {"/usr/local/bin/tell", "--urgent"};
	char **argv = notify_hook_argv(hook, 2, NOTIFY_ASSIGNED, 42, "Refund; $(rm -rf ~) \033[2J");
	ck_assert_str_eq(argv[0], "/usr/local/bin/tell");
	ck_assert_str_eq(argv[1], "--urgent");
	ck_assert_str_eq(argv[2], "assigned");
	ck_assert_str_eq(argv[3], "42");
	/* one element, as it was, only made inert: never a shell string */
	ck_assert_str_eq(argv[4], "Refund, $(rm -rf ~) ^[[2J");
	ck_assert_ptr_null(argv[5]);
	notify_strv_free(&argv);
	ck_assert_ptr_null(argv);
	char *env[] = {"PATH=/bin", "DESK_EVENT=stale", "HOME=/h", NULL};
	char **v = notify_hook_env(env, NOTIFY_SLA, 7, "due\nsoon");
	int events = 0;
	bool path = false, subject = false, ticket = false;
	for (char **p = v; *p; p++) {
		events += strncmp(*p, "DESK_EVENT=", 11) == 0;
		ck_assert(strcmp(*p, "DESK_EVENT=stale") != 0);
		path = path || strcmp(*p, "PATH=/bin") == 0;
		subject = subject || strcmp(*p, "DESK_SUBJECT=due^Jsoon") == 0;
		ticket = ticket || strcmp(*p, "DESK_TICKET=7") == 0;
	}
	ck_assert_int_eq(events, 1);
	ck_assert(path && subject && ticket);
	notify_strv_free(&v);
}
END_TEST

START_TEST(hook_program_and_spawn)
{
	char *p = notify_find_program("sh", "/nonexistent::/bin");
	ck_assert_str_eq(p, "/bin/sh");
	free(p);
	ck_assert_ptr_null(notify_find_program("no-such-desk-hook", "/bin:/usr/bin"));
	p = notify_find_program("./rel/hook", "/bin");
	ck_assert_str_eq(p, "./rel/hook"); /* a path is taken as written */
	free(p);
	/* it runs with the argv and environment given, stdout on /dev/null */
	char *dir = test_tmpdir();
	char *out = xasprintf("%s/out", dir);
	char *script = xasprintf("printf '%%s|' \"$@\" \"$DESK_EVENT\" >%s; echo to-stdout", out);
	char *hook[] = {"sh", "-c", script, "sh"};
	char **argv = notify_hook_argv(hook, 4, NOTIFY_NEW, 9, "Printer; jammed");
	char *env0[] = {"PATH=/bin:/usr/bin", NULL};
	char **env = notify_hook_env(env0, NOTIFY_NEW, 9, "Printer; jammed");
	struct derr e = {0};
	pid_t pid = notify_spawn("/bin/sh", argv, env, &e);
	ck_assert_int_gt(pid, 0);
	int status = 0;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	size_t len = 0;
	char *got = read_file(out, &len);
	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got, "new|9|Printer, jammed|new|");
	free(got);
	notify_strv_free(&argv);
	notify_strv_free(&env);
	free(script);
	free(out);
	test_tmpdir_cleanup(&dir);
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

START_TEST(notify_config)
{
	struct config c;
	struct derr e = {0};
	ck_assert_msg(config_load_string("notify:\n"
					 "  bell: true\n"
					 "  desktop: true\n"
					 "  hook: [notify-me, --from, desk]\n"
					 "  sla_warning: 30m\n"
					 "  views: [mine, open]\n",
					 "c.yaml", &c, &e) == DESK_OK,
		      "%s", e.msg);
	ck_assert(c.notify.bell && c.notify.desktop);
	ck_assert_uint_eq(c.notify.nhook, 3);
	ck_assert_str_eq(c.notify.hook[2], "desk");
	ck_assert_ptr_null(c.notify.hook[3]);
	ck_assert_int_eq(c.notify.sla_warning, 1800);
	ck_assert_uint_eq(c.notify.nviews, 2);
	ck_assert_int_eq(c.notify.view_lines[1], 6);
	ck_assert_int_eq(view_check_config(&c, &e), DESK_OK);
	config_free(&c);
	/* defaults: all off, 15 minutes */
	ck_assert_int_eq(config_load_string("theme: default\n", "c.yaml", &c, &e), DESK_OK);
	ck_assert(!c.notify.bell && !c.notify.desktop && !c.notify.nhook && !c.notify.nviews);
	ck_assert_int_eq(c.notify.sla_warning, 15 * 60);
	config_free(&c);
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{"notify:\n  beep: true\n", "c.yaml:2:3: unknown key \"beep\" in notify"},
		{"notify:\n  hook: \"notify-send $SUBJECT\"\n", "c.yaml:2:9: expected a command as a list"},
		{"notify:\n  hook: []\n", "c.yaml:2:9: expected a command as a list"},
		{"notify:\n  sla_warning: soon\n", "c.yaml:2:16: "},
		{"notify:\n  bell: loud\n", "c.yaml:2:9: "},
	};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		derr_clear(&e);
		ck_assert_int_ne(config_load_string(bad[i].text, "c.yaml", &c, &e), DESK_OK);
		ck_assert_msg(strncmp(e.msg, bad[i].msg, strlen(bad[i].msg)) == 0, "%s", e.msg);
		config_free(&c);
	}
	/* a view that does not exist: file:line, and the views there are */
	ck_assert_int_eq(config_load_string("notify:\n  views:\n    - mine\n    - minr\n", "c.yaml",
					    &c, &e),
			 DESK_OK);
	ck_assert_int_ne(view_check_config(&c, &e), DESK_OK);
	ck_assert_msg(strncmp(e.msg, "c.yaml:4: notify.views: no view \"minr\"; the views are: mine,",
			      60) == 0,
		      "%s", e.msg);
	config_free(&c);
	/* a personal file may set it, and it replaces the team's */
	char *dir = test_tmpdir();
	char *db = write_text(dir, "desk.db", "");
	char *team = write_text(dir, "config.yaml", "notify: {bell: true, sla_warning: 5m}\n");
	char *mine = write_text(dir, "mine.yaml", "notify:\n  desktop: true\n");
	unsetenv("DESK_CONFIG");
	ck_assert_msg(config_load(mine, db, &c, &e) == DESK_OK, "%s", e.msg);
	ck_assert(c.notify.desktop && !c.notify.bell);
	ck_assert_int_eq(c.notify.sla_warning, 15 * 60);
	ck_assert_int_eq(c.origin[CFG_NOTIFY].from, FROM_PERSONAL);
	config_free(&c);
	free(db);
	free(team);
	free(mine);
	test_tmpdir_cleanup(&dir);
}
END_TEST

Suite *suite_fresh(void)
{
	Suite *s = suite_create("fresh");
	TCase *tc = tcase_create("fresh");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, seen_rules);
	tcase_add_test(tc, own_changes_seen);
	tcase_add_test(tc, fresh_counts);
	tcase_add_test(tc, baseline_second);
	tcase_add_test(tc, consoles_rows);
	tcase_add_test(tc, osc_sanitized);
	tcase_add_test(tc, hook_argv_and_env);
	tcase_add_test(tc, hook_program_and_spawn);
	tcase_add_test(tc, notify_config);
	suite_add_tcase(s, tc);
	return s;
}
