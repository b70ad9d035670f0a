/* cmd_kb.c: desk kb search|show|check, the knowledge base for scripts
 * (the console's is the B overlay). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "markdown.h"
#include "util.h"

#define KB_SEARCH_LIMIT 20
#define KB_SHOW_WIDTH 80

/* The index in step with the folder; files left out are said once. */
static int sync(struct desk *d, struct derr *e)
{
	struct kb_sync s;
	int rc = core_kb_sync(d, &s, e);
	if (rc == DESK_OK && s.skipped) {
		char *msg = xasprintf("%zu file%s with a problem left out (desk kb check names them)",
				      s.skipped, s.skipped == 1 ? "" : "s");
		cli_warn("desk kb", msg);
		free(msg);
	}
	return rc;
}

static void json_tags(const char *tags)
{
	fputc('[', stdout);
	const char *p = tags ? tags : "";
	for (bool first = true; *p; first = false) {
		size_t n = strcspn(p, ",");
		char *t = xstrndup(p, n);
		fputs(first ? "" : ",", stdout);
		cli_json_string(t);
		free(t);
		p += n;
		while (*p == ',' || *p == ' ')
			p++;
	}
	fputc(']', stdout);
}

static void print_article_json(const struct desk *d, const struct kb_article *a)
{
	char *url = core_kb_link(d->cfg, a, NULL);
	fputs("{\"slug\":", stdout);
	cli_json_string(a->slug);
	fputs(",\"title\":", stdout);
	cli_json_string(a->title);
	fputs(",\"tags\":", stdout);
	json_tags(a->tags);
	fputs(",\"audience\":", stdout);
	cli_json_string(a->audience);
	fputs(",\"file\":", stdout);
	cli_json_string(a->file);
	fputs(",\"url\":", stdout);
	cli_json_string(url);
	fputc('}', stdout);
	free(url);
}

static int kb_search(struct cli_ctx *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	bool json = false;
	int o;
	optind = 0; /* 0: glibc starts afresh, options may follow the words */
	while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		if (o == 'j')
			json = true;
		else if (o == 'h')
			return cli_help(c);
		else
			return cli_option_error(c, o, argv);
	}
	if (optind == argc)
		return cli_usage(c, "desk kb search: what words?");
	struct strbuf words = {0};
	for (int i = optind; i < argc; i++)
		sb_addf(&words, "%s%s", i > optind ? " " : "", argv[i]);
	struct desk d;
	int rc = cli_open(c, &d, 0);
	if (rc) {
		sb_free(&words);
		return rc;
	}
	struct derr e = {0};
	struct kb_list l = {0};
	if ((rc = sync(&d, &e)) == DESK_OK)
		rc = store_kb_search(d.st, sb_str(&words), KB_ALL_WORDS, KB_SEARCH_LIMIT, &l, &e);
	if (rc == DESK_OK && json) {
		fputc('[', stdout);
		for (size_t i = 0; i < l.n; i++) {
			fputs(i ? ",\n" : "", stdout);
			print_article_json(&d, &l.v[i]);
		}
		fputs("]\n", stdout);
	} else if (rc == DESK_OK) {
		for (size_t i = 0; i < l.n; i++) {
			const struct kb_article *a = &l.v[i];
			cli_print_safe(a->slug, false);
			fputs("\t", stdout);
			cli_print_safe(a->title, false);
			printf("\t%s\t", a->audience);
			cli_print_safe(a->tags, false);
			fputc('\n', stdout);
		}
		if (!l.n)
			fputs("desk kb search: no article matches\n", stderr);
	}
	size_t found = l.n;
	kb_list_free(&l);
	desk_close(&d);
	sb_free(&words);
	if (rc)
		return cli_fail(&e);
	return found || json ? EXIT_OK : EXIT_FAIL;
}

static int kb_show(struct cli_ctx *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"raw", no_argument, NULL, 'r'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	bool raw = false;
	int o;
	optind = 0; /* 0: glibc starts afresh, options may follow the words */
	while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		if (o == 'r')
			raw = true;
		else if (o == 'h')
			return cli_help(c);
		else
			return cli_option_error(c, o, argv);
	}
	if (optind + 1 != argc)
		return cli_usage(c, "desk kb show takes one SLUG");
	struct desk d;
	int rc = cli_open(c, &d, 0);
	if (rc)
		return rc;
	struct derr e = {0};
	struct kb_article a = {0};
	if ((rc = sync(&d, &e)) == DESK_OK)
		rc = store_kb_get(d.st, argv[optind], &a, &e);
	if (rc == DESK_OK && raw) {
		cli_print_safe(a.body, true);
	} else if (rc == DESK_OK) {
		char *url = core_kb_link(d.cfg, &a, NULL);
		fputs("Title: ", stdout);
		cli_print_safe(a.title, false);
		fputs("\nSlug: ", stdout);
		cli_print_safe(a.slug, false);
		fputs("\nTags: ", stdout);
		cli_print_safe(a.tags, false);
		printf("\nAudience: %s\n", a.audience);
		fputs("File: ", stdout);
		cli_print_safe(a.file, false);
		if (url) {
			fputs("\nLink: ", stdout);
			cli_print_safe(url, false);
		}
		fputs("\n\n", stdout);
		/* md_render sanitizes every line. */
		char *text = md_render_text(a.body, KB_SHOW_WIDTH);
		puts(text);
		free(text);
		free(url);
	}
	kb_article_free(&a);
	desk_close(&d);
	return rc ? cli_fail(&e) : EXIT_OK;
}

static void print_problem(void *ctx, const char *problem)
{
	(void)ctx;
	cli_print_safe(problem, false);
	fputc('\n', stdout);
}

static int kb_check(struct cli_ctx *c, int argc, char **argv)
{
	if (argc != 1)
		return cli_usage(c, "desk kb check takes no arguments");
	struct derr e = {0};
	size_t articles = 0, problems = 0;
	int rc = core_kb_check(&c->cfg, print_problem, NULL, &articles, &problems, &e);
	if (rc)
		return cli_fail(&e);
	if (problems) {
		fprintf(stderr, "desk kb check: %zu problem%s in %zu article file%s\n", problems,
			problems == 1 ? "" : "s", articles, articles == 1 ? "" : "s");
		return EXIT_FAIL;
	}
	printf("desk kb check: %zu article%s, no problems\n", articles, articles == 1 ? "" : "s");
	return EXIT_OK;
}

static int exec_kb(struct cli_ctx *c, int argc, char **argv)
{
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
		return cli_help(c);
	if (argc < 2)
		return cli_usage(c, "expected: desk kb search WORDS, desk kb show SLUG, or desk kb "
				    "check");
	if (strcmp(argv[1], "search") == 0)
		return kb_search(c, argc - 1, argv + 1);
	if (strcmp(argv[1], "show") == 0)
		return kb_show(c, argc - 1, argv + 1);
	if (strcmp(argv[1], "check") == 0)
		return kb_check(c, argc - 1, argv + 1);
	return cli_usage(c, "unknown kb command \"%s\": expected search, show or check", argv[1]);
}

const struct cli_cmd cmd_kb = {
	.name = "kb",
	.args = "search WORDS... [--json] | show SLUG [--raw] | check",
	.summary = "the knowledge base: search, show an article, check the folder",
	.help = "The team's knowledge base is a folder of Markdown articles (knowledge_base in\n"
		"config.yaml, see desk.yaml(5)); desk indexes it when it is used, reading only\n"
		"new or changed files.\n"
		"  search WORDS  articles holding every word (each a prefix), best first: slug,\n"
		"                title, audience and tags, tab-separated; --json an array.\n"
		"                Exit 1 when none matches.\n"
		"  show SLUG     the article rendered as plain text below its title, tags,\n"
		"                audience, file and public link; --raw its Markdown.\n"
		"  check         every article file's front matter: one FILE:LINE:COL: problem\n"
		"                line each (no title, a wrong key or type, a duplicate slug);\n"
		"                exit 1 when there is any.\n",
	.exec = exec_kb,
};
