/* test_kb.c: the knowledge base: front matter (and its errors as
 * file:line:col), the index kept in step with the folder (a new,
 * touched, edited, removed or broken file), search, the Markdown
 * rendering, the public link, and an article used in a reply counted
 * for the report (and gone again with a reply taken back). */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "core.h"
#include "markdown.h"
#include "report.h"
#include "testlib.h"
#include "util.h"

/* --- front matter ------------------------------------------------------ */

START_TEST(front_matter_read)
{
	struct kb_doc d;
	struct derr e = {0};
	const char *text = "---\n"
			   "title: Resetting your password\n"
			   "tags: [account, password]\n"
			   "audience: public\n"
			   "---\n"
			   "# Hello\n";
	ck_assert_int_eq(kb_parse("a.md", text, &d, &e), DESK_OK);
	ck_assert_str_eq(d.title, "Resetting your password");
	ck_assert_uint_eq(d.ntags, 2);
	ck_assert_str_eq(d.tags[0], "account");
	ck_assert_str_eq(d.tags[1], "password");
	ck_assert(d.public_);
	ck_assert_str_eq(d.body, "# Hello\n");
	ck_assert_int_eq(d.body_line, 6);
	kb_doc_free(&d);

	/* audience defaults to internal; one tag may be written alone */
	ck_assert_int_eq(kb_parse("b.md", "---\ntitle: T\ntags: billing\n---\n", &d, &e), DESK_OK);
	ck_assert(!d.public_);
	ck_assert_uint_eq(d.ntags, 1);
	ck_assert_str_eq(d.tags[0], "billing");
	ck_assert_str_eq(d.body, "");
	kb_doc_free(&d);
}
END_TEST

static void parse_fails(const char *text, const char *want)
{
	struct kb_doc d;
	struct derr e = {0};
	ck_assert_int_eq(kb_parse("kb/x.md", text, &d, &e), DESK_EINVAL);
	ck_assert_msg(strstr(e.msg, want) != NULL, "wanted \"%s\" in: %s", want, e.msg);
	ck_assert_ptr_null(d.title);
	ck_assert_ptr_null(d.body);
}

START_TEST(front_matter_errors_name_file_and_line)
{
	parse_fails("# no front matter\n", "kb/x.md:1: expected front matter");
	parse_fails("---\ntitle: T\nbody\n", "kb/x.md:1: the front matter opened here is never closed");
	parse_fails("---\ntags: [a]\n---\nbody\n", "kb/x.md:2:1: missing key \"title\"");
	parse_fails("---\ntitle: T\naudiance: public\n---\n",
		    "kb/x.md:3:1: unknown key \"audiance\" in the front matter; expected one of: "
		    "title, tags, audience");
	parse_fails("---\ntitle: T\naudience: everyone\n---\n", "kb/x.md:3:11:");
	parse_fails("---\ntitle: [a, b]\n---\n", "kb/x.md:2:8: title: expected the article's title");
	parse_fails("---\ntitle: T\ntags: [Bad Tag]\n---\n", "kb/x.md:3:8: tags: expected");
	parse_fails("---\ntitle: 'T\n---\n", "kb/x.md:");
	parse_fails("---\n---\nbody\n", "kb/x.md:1: the front matter is empty");
}
END_TEST

/* --- rendering --------------------------------------------------------- */

START_TEST(markdown_rendered_for_a_terminal)
{
	const char *md = "# Title\n\n"
			 "Some **strong** and *emphasised* text with `code` and a "
			 "[link](https://example.com/a).\n\n"
			 "- one\n- two\n\n"
			 "3. three\n4. four\n\n"
			 "> quoted\n\n"
			 "    code block\n\n"
			 "## Sub\n\n"
			 "<https://example.com/auto> and ![logo](https://example.com/l.png)\n";
	char *t = md_render_text(md, 80);
	const char *want = "Title\n"
			   "=====\n"
			   "\n"
			   "Some strong and emphasised text with `code` and a link "
			   "<https://example.com/a>.\n"
			   "\n"
			   "- one\n"
			   "- two\n"
			   "\n"
			   "3. three\n"
			   "4. four\n"
			   "\n"
			   "> quoted\n"
			   "\n"
			   "    code block\n"
			   "\n"
			   "Sub\n"
			   "---\n"
			   "\n"
			   "<https://example.com/auto> and [image: logo] <https://example.com/l.png>";
	ck_assert_str_eq(t, want);
	free(t);

	struct md_doc d;
	md_render("# H\n\ntext\n\n```\nx = 1\n```\n", 80, &d);
	ck_assert_uint_eq(d.n, 6);
	ck_assert_int_eq(d.v[0].style, MD_HEADING);
	ck_assert_int_eq(d.v[1].style, MD_HEADING); /* its underline */
	ck_assert_str_eq(d.v[2].text, "");
	ck_assert_int_eq(d.v[3].style, MD_TEXT);
	ck_assert_int_eq(d.v[5].style, MD_CODE);
	ck_assert_str_eq(d.v[5].text, "    x = 1");
	md_doc_free(&d);
}
END_TEST

START_TEST(markdown_wraps_and_sanitizes)
{
	/* wrapped to the width, list items with a hanging indent */
	char *t = md_render_text("- aaaa bbbb cccc dddd eeee ffff gggg\n", 20);
	ck_assert_str_eq(t, "- aaaa bbbb cccc\n  dddd eeee ffff\n  gggg");
	free(t);
	/* an escape sequence in an article never reaches the terminal */
	t = md_render_text("evil \x1b[31mred\x1b[0m\n\n    \x1b]0;title\x07\n", 80);
	ck_assert_ptr_null(strchr(t, '\x1b'));
	ck_assert_ptr_null(strchr(t, '\x07'));
	ck_assert_ptr_nonnull(strstr(t, "^["));
	free(t);
	/* raw HTML is shown as the text it is */
	t = md_render_text("<script>alert(1)</script>\n", 80);
	ck_assert_str_eq(t, "<script>alert(1)</script>");
	free(t);
}
END_TEST

/* --- the index --------------------------------------------------------- */

struct kfx {
	char *dir, *kb, *path;
	struct config cfg;
	struct desk d;
};

static void write_file(const char *dir, const char *name, const char *text)
{
	char *p = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	free(p);
}

/* Moves a file's mtime by delta seconds (a sync looks at mtime and size). */
static void touch_by(const char *dir, const char *name, long delta)
{
	char *p = xasprintf("%s/%s", dir, name);
	struct stat sb;
	ck_assert_int_eq(stat(p, &sb), 0);
	struct timespec ts[2] = {sb.st_atim, sb.st_mtim};
	ts[1].tv_sec += delta;
	ck_assert_int_eq(utimensat(AT_FDCWD, p, ts, 0), 0);
	free(p);
}

static void kfx_open(struct kfx *x)
{
	struct derr e = {0};
	x->dir = test_tmpdir();
	x->kb = xasprintf("%s/kb", x->dir);
	ck_assert_int_eq(mkdir(x->kb, 0700), 0);
	x->path = test_db_path(x->dir);
	config_defaults(&x->cfg);
	x->cfg.kb_path = xstrdup(x->kb);
	x->cfg.kb_public_url = xstrdup("https://help.example.com/kb/{slug}?from=desk");
	ck_assert_int_eq(desk_init(&x->d, x->path, &x->cfg, "tester", &e), DESK_OK);
	write_file(x->kb, "reset-password.md",
		   "---\ntitle: Resetting your password\ntags: [account]\naudience: public\n---\n"
		   "Open the **sign-in** page.\n");
	write_file(x->kb, "refunds.md",
		   "---\ntitle: Refund policy\ntags: [billing]\n---\nRefund within 30 days.\n");
}

static void kfx_close(struct kfx *x)
{
	desk_close(&x->d);
	config_free(&x->cfg);
	test_db_drop(&x->path);
	free(x->kb);
	test_tmpdir_cleanup(&x->dir);
}

static struct kb_sync sync_ok(struct kfx *x)
{
	struct kb_sync s;
	struct derr e = {0};
	ck_assert_int_eq(core_kb_sync(&x->d, &s, &e), DESK_OK);
	return s;
}

/* The slugs that match, best first, joined by spaces. */
static char *found(struct kfx *x, const char *words, enum kb_match how)
{
	struct kb_list l;
	struct derr e = {0};
	ck_assert_int_eq(store_kb_search(x->d.st, words, how, 10, &l, &e), DESK_OK);
	struct strbuf b = {0};
	for (size_t i = 0; i < l.n; i++)
		sb_addf(&b, "%s%s", i ? " " : "", l.v[i].slug);
	kb_list_free(&l);
	return sb_take(&b);
}

#define ck_found(x, words, how, want)                        \
	do {                                                 \
		char *got_ = found(x, words, how);           \
		ck_assert_str_eq(got_, want);                \
		free(got_);                                  \
	} while (0)

START_TEST(index_follows_the_folder)
{
	struct kfx x;
	kfx_open(&x);
	struct kb_sync s = sync_ok(&x);
	ck_assert_uint_eq(s.articles, 2);
	ck_assert_uint_eq(s.read, 2);
	ck_found(&x, "pass", KB_ALL_WORDS, "reset-password");
	ck_found(&x, "refund 30", KB_ALL_WORDS, "refunds");
	ck_found(&x, "billing", KB_ALL_WORDS, "refunds"); /* tags are searched */
	ck_found(&x, "refund nothing", KB_ALL_WORDS, "");

	/* nothing changed: nothing read */
	s = sync_ok(&x);
	ck_assert_uint_eq(s.read, 0);
	ck_assert_uint_eq(s.articles, 2);

	/* touched, same text: read once (its hash), not re-indexed, and
	 * not read again after */
	touch_by(x.kb, "refunds.md", 10);
	s = sync_ok(&x);
	ck_assert_uint_eq(s.read, 1);
	s = sync_ok(&x);
	ck_assert_uint_eq(s.read, 0);

	/* edited: the new words are found, the old ones no longer */
	write_file(x.kb, "refunds.md",
		   "---\ntitle: Refund policy\ntags: [billing]\n---\nRefund within 60 days.\n");
	touch_by(x.kb, "refunds.md", 20);
	s = sync_ok(&x);
	ck_assert_uint_eq(s.read, 1);
	ck_found(&x, "60", KB_ALL_WORDS, "refunds");
	ck_found(&x, "30", KB_ALL_WORDS, "");

	/* a new file in a subfolder is found; a hidden one and a non-.md
	 * one are not articles */
	char *sub = xasprintf("%s/billing", x.kb);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	write_file(sub, "invoices.md", "---\ntitle: Invoices\ntags: billing\n---\nPDF invoices.\n");
	write_file(x.kb, ".draft.md", "---\ntitle: Hidden invoices\n---\n");
	write_file(x.kb, "notes.txt", "invoices");
	s = sync_ok(&x);
	ck_assert_uint_eq(s.articles, 3);
	ck_found(&x, "invoice", KB_ALL_WORDS, "invoices");
	struct kb_article a;
	struct derr e = {0};
	ck_assert_int_eq(store_kb_get(x.d.st, "invoices", &a, &e), DESK_OK);
	ck_assert_str_eq(a.file, "billing/invoices.md");
	ck_assert_str_eq(a.audience, "internal");
	kb_article_free(&a);

	/* deleted: dropped */
	char *p = xasprintf("%s/invoices.md", sub);
	ck_assert_int_eq(unlink(p), 0);
	free(p);
	s = sync_ok(&x);
	ck_assert_uint_eq(s.dropped, 1);
	ck_assert_uint_eq(s.articles, 2);
	ck_found(&x, "invoice", KB_ALL_WORDS, "");
	ck_assert_int_eq(store_kb_get(x.d.st, "invoices", &a, &e), DESK_ENOTFOUND);

	/* broken now: dropped and counted, back once fixed */
	write_file(x.kb, "refunds.md", "---\ntags: [billing]\n---\nRefund within 60 days.\n");
	touch_by(x.kb, "refunds.md", 30);
	s = sync_ok(&x);
	ck_assert_uint_eq(s.skipped, 1);
	ck_found(&x, "refund", KB_ALL_WORDS, "");
	write_file(x.kb, "refunds.md",
		   "---\ntitle: Refund policy\n---\nRefund within 90 days.\n");
	touch_by(x.kb, "refunds.md", 40);
	s = sync_ok(&x);
	ck_assert_uint_eq(s.skipped, 0);
	ck_found(&x, "90", KB_ALL_WORDS, "refunds");

	/* a second file with a slug taken is left out, the first kept */
	write_file(sub, "refunds.md", "---\ntitle: Other refunds\n---\nOther.\n");
	s = sync_ok(&x);
	ck_assert_uint_eq(s.skipped, 1);
	ck_assert_int_eq(store_kb_get(x.d.st, "refunds", &a, &e), DESK_OK);
	ck_assert_str_eq(a.file, "refunds.md");
	kb_article_free(&a);
	free(sub);
	kfx_close(&x);
}
END_TEST

START_TEST(search_text_is_never_query_syntax)
{
	struct kfx x;
	kfx_open(&x);
	sync_ok(&x);
	/* FTS5 operators and quotes are words like any other */
	ck_found(&x, "\"pass", KB_ALL_WORDS, "reset-password");
	ck_found(&x, "NEAR( OR pass", KB_ALL_WORDS, "");
	ck_found(&x, "password: ---", KB_ALL_WORDS, "reset-password");
	ck_found(&x, "*", KB_ALL_WORDS, "");
	/* suggestions: any whole word of a subject, best first */
	ck_found(&x, "Re: my refund?", KB_ANY_WORD, "refunds");
	ck_found(&x, "I forgot my password!", KB_ANY_WORD, "reset-password");
	char *both = found(&x, "password refund", KB_ANY_WORD);
	ck_assert_msg(strcmp(both, "refunds reset-password") == 0 ||
			      strcmp(both, "reset-password refunds") == 0,
		      "%s", both);
	free(both);
	kfx_close(&x);
}
END_TEST

/* The best match first on either engine: a word in the title before one
 * in the tags before one in the body (even twice there); a tie by slug. */
START_TEST(search_ranks_title_tags_body)
{
	struct kfx x;
	kfx_open(&x);
	write_file(x.kb, "body-only.md",
		   "---\ntitle: General notes\ntags: [misc]\n---\n"
		   "Delivery takes a week. Delivery is tracked.\n");
	write_file(x.kb, "in-tags.md",
		   "---\ntitle: Couriers\ntags: [delivery]\n---\nWe use two couriers.\n");
	write_file(x.kb, "in-title.md",
		   "---\ntitle: Delivery times\ntags: [shipping]\n---\nSee the table.\n");
	write_file(x.kb, "a-title.md",
		   "---\ntitle: Delivery times\ntags: [shipping]\n---\nSee the table.\n");
	sync_ok(&x);
	ck_found(&x, "deliver*", KB_ALL_WORDS, "a-title in-title in-tags body-only");
	ck_found(&x, "delivery couriers", KB_ANY_WORD, "in-tags a-title in-title body-only");
	kfx_close(&x);
}
END_TEST

static void collect(void *ctx, const char *problem)
{
	struct strbuf *b = ctx;
	sb_addf(b, "%s\n", problem);
}

START_TEST(check_names_every_problem)
{
	char *dir = test_data("kb-broken");
	struct config cfg;
	config_defaults(&cfg);
	cfg.kb_path = dir;
	struct strbuf b = {0};
	size_t articles = 0, problems = 0;
	struct derr e = {0};
	ck_assert_int_eq(core_kb_check(&cfg, collect, &b, &articles, &problems, &e), DESK_OK);
	ck_assert_uint_eq(articles, 5);
	ck_assert_uint_eq(problems, 4);
	const char *s = sb_str(&b);
	char *want[4];
	want[0] = xasprintf("%s/bad-key.md:3:1: unknown key \"audiance\"", dir);
	want[1] = xasprintf("%s/no-title.md:2:1: missing key \"title\"", dir);
	want[2] = xasprintf("%s/old/good.md:1: duplicate slug \"good\"", dir);
	want[3] = xasprintf("%s/unclosed.md:1: the front matter opened here is never closed", dir);
	for (int i = 0; i < 4; i++) {
		ck_assert_msg(strstr(s, want[i]) != NULL, "wanted \"%s\" in:\n%s", want[i], s);
		free(want[i]);
	}
	sb_free(&b);
	/* the sample knowledge base has none */
	free(cfg.kb_path);
	cfg.kb_path = test_data("kb");
	ck_assert_int_eq(core_kb_check(&cfg, collect, &b, &articles, &problems, &e), DESK_OK);
	ck_assert_uint_eq(problems, 0);
	ck_assert_uint_eq(articles, 3);
	sb_free(&b);
	/* no knowledge base */
	free(cfg.kb_path);
	cfg.kb_path = NULL;
	ck_assert_int_eq(core_kb_check(&cfg, collect, &b, &articles, &problems, &e),
			 DESK_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(e.msg, "knowledge_base"));
	config_free(&cfg);
}
END_TEST

START_TEST(links_only_for_public_articles)
{
	struct kfx x;
	kfx_open(&x);
	sync_ok(&x);
	struct kb_article a;
	struct derr e = {0};
	ck_assert_int_eq(store_kb_get(x.d.st, "reset-password", &a, &e), DESK_OK);
	char *url = core_kb_link(&x.cfg, &a, &e);
	ck_assert_str_eq(url, "https://help.example.com/kb/reset-password?from=desk");
	free(url);
	char *text = core_kb_reply_text(&a);
	ck_assert_str_eq(text, "Resetting your password\n\nOpen the sign-in page.");
	free(text);
	kb_article_free(&a);
	ck_assert_int_eq(store_kb_get(x.d.st, "refunds", &a, &e), DESK_OK);
	ck_assert_ptr_null(core_kb_link(&x.cfg, &a, &e));
	ck_assert_int_eq(e.code, DESK_EDENIED);
	ck_assert_ptr_nonnull(strstr(e.msg, "internal article"));
	kb_article_free(&a);
	kfx_close(&x);
}
END_TEST

START_TEST(config_knowledge_base)
{
	struct config c;
	struct derr e = {0};
	ck_assert_int_eq(config_load_string("knowledge_base:\n  path: /srv/kb\n"
					    "  public_url: https://h.example.com/{slug}\n",
					    "/etc/desk/config.yaml", &c, &e),
			 DESK_OK);
	ck_assert_str_eq(c.kb_path, "/srv/kb");
	ck_assert_str_eq(c.kb_public_url, "https://h.example.com/{slug}");
	config_free(&c);
	/* relative to the config's folder */
	ck_assert_int_eq(config_load_string("knowledge_base: {path: kb}\n", "/etc/desk/config.yaml",
					    &c, &e),
			 DESK_OK);
	ck_assert_str_eq(c.kb_path, "/etc/desk/kb");
	ck_assert_ptr_null(c.kb_public_url);
	config_free(&c);
	ck_assert_int_eq(config_load_string("knowledge_base:\n  path: /srv/kb\n"
					    "  public_url: https://h.example.com/kb\n",
					    "t.yaml", &c, &e),
			 DESK_EINVAL);
	ck_assert_msg(strstr(e.msg, "t.yaml:3:15: knowledge_base.public_url") != NULL, "%s", e.msg);
	config_free(&c);
	ck_assert_int_eq(config_load_string("knowledge_base:\n  public_url: https://h/{slug}\n",
					    "t.yaml", &c, &e),
			 DESK_EINVAL);
	ck_assert_msg(strstr(e.msg, "t.yaml:2:3: missing key \"path\"") != NULL, "%s", e.msg);
	config_free(&c);
}
END_TEST

/* --- used in a reply, counted ------------------------------------------ */

static int64_t new_ticket(struct kfx *x)
{
	struct derr e = {0};
	struct new_ticket nt;
	new_ticket_init(&nt);
	nt.subject = "I forgot my password";
	nt.body = "Help";
	nt.customer_name = "Ann Lee";
	nt.customer_email = "ann@example.com";
	int64_t id = 0;
	ck_assert_msg(core_ticket_new(&x->d, &nt, &id, &e) == DESK_OK, "%s", e.msg);
	return id;
}

static int64_t uses_of(struct kfx *x, const char *slug)
{
	struct kb_use_counts l;
	struct derr e = {0};
	ck_assert_int_eq(store_kb_use_counts(x->d.st, 0, time_now() + 3600, &l, &e), DESK_OK);
	int64_t n = 0;
	for (size_t i = 0; i < l.n; i++)
		if (strcmp(l.v[i].slug, slug) == 0)
			n = l.v[i].uses;
	kb_use_counts_free(&l);
	return n;
}

START_TEST(article_use_counted_with_the_reply)
{
	struct kfx x;
	kfx_open(&x);
	sync_ok(&x);
	int64_t id = new_ticket(&x);
	struct derr e = {0};
	const char *slugs[] = {"reset-password", "refunds"};
	int64_t msg = 0;
	ck_assert_int_eq(core_post_with(&x.d, id, MSG_REPLY, "See below.",
					&(struct post_extras){.articles = slugs, .narticles = 2},
					NULL, 0, &msg, &e),
			 DESK_OK);
	ck_assert_int_gt(msg, 0);
	ck_assert_int_eq(uses_of(&x, "reset-password"), 1);
	ck_assert_int_eq(uses_of(&x, "refunds"), 1);
	ck_assert_int_eq(core_post_with(&x.d, id, MSG_REPLY, "Again.",
					&(struct post_extras){.articles = slugs, .narticles = 1},
					NULL, 0, NULL, &e),
			 DESK_OK);
	ck_assert_int_eq(uses_of(&x, "reset-password"), 2);

	/* audited with the reply */
	struct event_list ev = {0};
	ck_assert_int_eq(store_events(x.d.st, id, &ev, &e), DESK_OK);
	int seen = 0;
	for (size_t i = 0; i < ev.n; i++)
		if (ev.v[i].field && strcmp(ev.v[i].field, "kb_article") == 0 &&
		    strcmp(ev.v[i].new_value, "reset-password") == 0)
			seen++;
	ck_assert_int_eq(seen, 2);
	event_list_free(&ev);

	/* an article taken out meanwhile: the reply goes, not counted */
	const char *gone[] = {"no-such-article"};
	ck_assert_int_eq(core_post_with(&x.d, id, MSG_REPLY, "Third.",
					&(struct post_extras){.articles = gone, .narticles = 1},
					NULL, 0, NULL, &e),
			 DESK_OK);
	ck_assert_int_eq(uses_of(&x, "no-such-article"), 0);
	int64_t replies = 0;
	ck_assert_int_eq(store_message_count(x.d.st, id, MSG_REPLY, &replies, &e), DESK_OK);
	ck_assert_int_eq(replies, 3);

	/* the report's section, through core (supervisors and admins) */
	struct metrics m;
	struct report_opts ro = {.since = time_now() - 3600, .until = time_now() + 3600};
	ck_assert_int_eq(core_report_open(&x.d, &ro, &m, &e), DESK_OK);
	struct kb_use_counts l;
	ck_assert_int_eq(core_report_kb_uses(&x.d, &m, &l, &e), DESK_OK);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_str_eq(l.v[0].slug, "reset-password");
	ck_assert_int_eq(l.v[0].uses, 2);
	ck_assert_str_eq(l.v[0].title, "Resetting your password");
	kb_use_counts_free(&l);
	core_report_close(&x.d, &m);
	kfx_close(&x);
}
END_TEST

/* The article's audit event is part of its reply: `u` after a reply
 * that used an article and set a status takes the status back, as it
 * would without the article. */
START_TEST(article_use_leaves_undo_as_it_was)
{
	struct kfx x;
	kfx_open(&x);
	sync_ok(&x);
	int64_t id = new_ticket(&x);
	struct derr e = {0};
	struct field_change ch[1];
	char key[32];
	ck_assert_int_eq(field_change_parse("priority=high", &ch[0], key, sizeof key, &e), DESK_OK);
	const char *slugs[] = {"reset-password"};
	ck_assert_int_eq(core_post_with(&x.d, id, MSG_REPLY, "See the article.",
					&(struct post_extras){.articles = slugs, .narticles = 1},
					ch, 1, NULL, &e),
			 DESK_OK);
	struct undo_result r;
	ck_assert_int_eq(core_undo(&x.d, &r, &e), DESK_OK);
	ck_assert_msg(strstr(r.what, "priority back to normal") != NULL, "%s", r.what);
	undo_result_free(&r);
	struct ticket t;
	ck_assert_int_eq(store_ticket_get(x.d.st, id, &t, &e), DESK_OK);
	ck_assert_int_eq(t.priority, PRIO_NORMAL);
	ticket_free(&t);
	/* the reply and its use stay: undo takes back changes, not replies */
	ck_assert_int_eq(uses_of(&x, "reset-password"), 1);
	kfx_close(&x);
}
END_TEST

/* The article a reply draft holds outlives saves of its body, and goes
 * with the draft when the reply is sent. */
START_TEST(draft_keeps_its_article)
{
	struct kfx x;
	kfx_open(&x);
	int64_t id = new_ticket(&x);
	struct derr e = {0};
	char *slug, *marker;
	int64_t me = x.d.me.id;
	/* no draft: nothing set, nothing read */
	ck_assert_int_eq(store_draft_article_set(x.d.st, id, me, "a", "A", &e), DESK_OK);
	ck_assert_int_eq(store_draft_article_get(x.d.st, id, me, &slug, &marker, &e), DESK_OK);
	ck_assert_ptr_null(slug);
	ck_assert_ptr_null(marker);
	ck_assert_int_eq(store_draft_save_canned(x.d.st, id, me, MSG_REPLY, "one", NULL, &e),
			 DESK_OK);
	ck_assert_int_eq(store_draft_article_set(x.d.st, id, me, "reset-password",
						 "Resetting your password", &e),
			 DESK_OK);
	ck_assert_int_eq(store_draft_save_canned(x.d.st, id, me, MSG_REPLY, "two", NULL, &e),
			 DESK_OK);
	ck_assert_int_eq(store_draft_article_get(x.d.st, id, me, &slug, &marker, &e), DESK_OK);
	ck_assert_str_eq(slug, "reset-password");
	ck_assert_str_eq(marker, "Resetting your password");
	free(slug);
	free(marker);
	ck_assert_int_eq(core_post(&x.d, id, MSG_REPLY, "two", NULL, 0, NULL, &e), DESK_OK);
	ck_assert_int_eq(store_draft_article_get(x.d.st, id, me, &slug, &marker, &e), DESK_OK);
	ck_assert_ptr_null(slug);
	kfx_close(&x);
}
END_TEST

Suite *suite_kb(void)
{
	Suite *s = suite_create("kb");
	TCase *tc = tcase_create("front");
	tcase_add_test(tc, front_matter_read);
	tcase_add_test(tc, front_matter_errors_name_file_and_line);
	tcase_add_test(tc, config_knowledge_base);
	suite_add_tcase(s, tc);
	tc = tcase_create("markdown");
	tcase_add_test(tc, markdown_rendered_for_a_terminal);
	tcase_add_test(tc, markdown_wraps_and_sanitizes);
	suite_add_tcase(s, tc);
	tc = tcase_create("index");
	tcase_add_test(tc, index_follows_the_folder);
	tcase_add_test(tc, search_text_is_never_query_syntax);
	tcase_add_test(tc, search_ranks_title_tags_body);
	tcase_add_test(tc, check_names_every_problem);
	tcase_add_test(tc, links_only_for_public_articles);
	tcase_add_test(tc, article_use_counted_with_the_reply);
	tcase_add_test(tc, article_use_leaves_undo_as_it_was);
	tcase_add_test(tc, draft_keeps_its_article);
	suite_add_tcase(s, tc);
	return s;
}
