/* markdown.c: Markdown to lines for a terminal or a plain-text reply.
 *
 * cmark parses (CommonMark, the same as the web pages the articles are
 * also published to); this file only walks its tree.  A container is
 * rendered as its children's lines at the width left inside it, then
 * each line is prefixed ("> " for a quote, the bullet or number for a
 * list item's first line, spaces for the next), so nesting needs no
 * state. */
#include <cmark.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "markdown.h"
#include "text.h"
#include "util.h"

#define MD_MIN_WIDTH 20

static void add_line(struct md_doc *d, char *text, enum md_style style)
{
	xgrow((void **)&d->v, &d->cap, d->n + 1, sizeof *d->v);
	d->v[d->n++] = (struct md_line){text, style};
}

void md_doc_free(struct md_doc *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i].text);
	free(d->v);
	memset(d, 0, sizeof *d);
}

/* A node's inline content as one unsanitized string. */
static void inlines(cmark_node *n, struct strbuf *b)
{
	for (cmark_node *c = cmark_node_first_child(n); c; c = cmark_node_next(c)) {
		const char *lit = cmark_node_get_literal(c);
		switch (cmark_node_get_type(c)) {
		case CMARK_NODE_TEXT:
		case CMARK_NODE_HTML_INLINE:
		case CMARK_NODE_CUSTOM_INLINE:
			sb_add(b, lit ? lit : "");
			break;
		case CMARK_NODE_SOFTBREAK: sb_addc(b, ' '); break;
		case CMARK_NODE_LINEBREAK: sb_addc(b, '\n'); break;
		case CMARK_NODE_CODE:
			sb_addc(b, '`');
			sb_add(b, lit ? lit : "");
			sb_addc(b, '`');
			break;
		case CMARK_NODE_LINK: {
			const char *url = cmark_node_get_url(c);
			struct strbuf t = {0};
			inlines(c, &t);
			/* An autolink's text is its address: said once. */
			if (!t.len || (url && strcmp(sb_str(&t), url) == 0)) {
				sb_addf(b, "<%s>", url ? url : "");
			} else {
				sb_add(b, sb_str(&t));
				if (url && *url)
					sb_addf(b, " <%s>", url);
			}
			sb_free(&t);
			break;
		}
		case CMARK_NODE_IMAGE: {
			const char *url = cmark_node_get_url(c);
			sb_add(b, "[image: ");
			inlines(c, b);
			sb_addf(b, "] <%s>", url ? url : "");
			break;
		}
		default: /* emphasis, strong: their text, the markers dropped */
			inlines(c, b);
			break;
		}
	}
}

/* Wraps raw text to width into out, each line with style. */
static void add_wrapped(struct md_doc *out, const char *raw, int width, enum md_style style)
{
	char *safe = text_sanitize(raw, SAN_KEEP_NEWLINES);
	char **lines;
	size_t n = text_wrap(safe, width, &lines);
	free(safe);
	for (size_t i = 0; i < n; i++) {
		add_line(out, lines[i], style);
		lines[i] = NULL;
	}
	text_lines_free(lines, n);
}

static void blocks(cmark_node *parent, int width, bool tight, struct md_doc *out);

/* Adds sub's lines to out, each after first (the first line) or rest. */
static void prefixed(struct md_doc *out, struct md_doc *sub, const char *first, const char *rest)
{
	for (size_t i = 0; i < sub->n; i++) {
		const char *p = i == 0 ? first : rest;
		char *line = *sub->v[i].text || i == 0 ? xasprintf("%s%s", p, sub->v[i].text)
						       : xstrdup("");
		/* a blank line inside a quote keeps its marker */
		if (!*sub->v[i].text && i && rest[0] == '>')
			free(line), line = xstrdup(">");
		add_line(out, line, sub->v[i].style);
	}
	md_doc_free(sub);
}

static void heading(cmark_node *n, int width, struct md_doc *out)
{
	struct strbuf b = {0};
	inlines(n, &b);
	size_t first = out->n;
	add_wrapped(out, sb_str(&b), width, MD_HEADING);
	sb_free(&b);
	int level = cmark_node_get_heading_level(n);
	if (level > 2)
		return;
	int w = 0;
	for (size_t i = first; i < out->n; i++) {
		int tw = text_width(out->v[i].text);
		w = tw > w ? tw : w;
	}
	char *rule = xmalloc((size_t)w + 1);
	memset(rule, level == 1 ? '=' : '-', (size_t)w);
	rule[w] = '\0';
	add_line(out, rule, MD_HEADING);
}

static void code_block(cmark_node *n, struct md_doc *out)
{
	const char *lit = cmark_node_get_literal(n);
	const char *p = lit ? lit : "";
	while (*p) {
		size_t len = strcspn(p, "\n");
		char *raw = xstrndup(p, len);
		char *safe = text_sanitize(raw, 0);
		add_line(out, xasprintf("    %s", safe), MD_CODE);
		free(safe);
		free(raw);
		p += len + (p[len] == '\n');
	}
}

static void list(cmark_node *n, int width, struct md_doc *out)
{
	bool ordered = cmark_node_get_list_type(n) == CMARK_ORDERED_LIST;
	bool tight = cmark_node_get_list_tight(n);
	int number = cmark_node_get_list_start(n);
	for (cmark_node *item = cmark_node_first_child(n); item; item = cmark_node_next(item)) {
		char bullet[24];
		if (ordered)
			snprintf(bullet, sizeof bullet, "%d. ", number++);
		else
			snprintf(bullet, sizeof bullet, "- ");
		int bw = (int)strlen(bullet);
		char rest[24];
		memset(rest, ' ', (size_t)bw);
		rest[bw] = '\0';
		struct md_doc sub = {0};
		blocks(item, width - bw, tight, &sub);
		if (!sub.n)
			add_line(&sub, xstrdup(""), MD_TEXT);
		if (item != cmark_node_first_child(n) && !tight)
			add_line(out, xstrdup(""), MD_TEXT);
		prefixed(out, &sub, bullet, rest);
	}
}

static void block(cmark_node *n, int width, struct md_doc *out)
{
	if (width < 8)
		width = 8;
	switch (cmark_node_get_type(n)) {
	case CMARK_NODE_PARAGRAPH: {
		struct strbuf b = {0};
		inlines(n, &b);
		add_wrapped(out, sb_str(&b), width, MD_TEXT);
		sb_free(&b);
		break;
	}
	case CMARK_NODE_HEADING: heading(n, width, out); break;
	case CMARK_NODE_CODE_BLOCK: code_block(n, out); break;
	case CMARK_NODE_HTML_BLOCK: {
		const char *lit = cmark_node_get_literal(n);
		size_t len = lit ? strlen(lit) : 0;
		char *raw = xstrndup(lit ? lit : "", len && lit[len - 1] == '\n' ? len - 1 : len);
		add_wrapped(out, raw, width, MD_TEXT);
		free(raw);
		break;
	}
	case CMARK_NODE_THEMATIC_BREAK: {
		int w = width < 40 ? width : 40;
		char *rule = xmalloc((size_t)w + 1);
		memset(rule, '-', (size_t)w);
		rule[w] = '\0';
		add_line(out, rule, MD_TEXT);
		break;
	}
	case CMARK_NODE_BLOCK_QUOTE: {
		struct md_doc sub = {0};
		blocks(n, width - 2, false, &sub);
		prefixed(out, &sub, "> ", "> ");
		break;
	}
	case CMARK_NODE_LIST: list(n, width, out); break;
	default: blocks(n, width, false, out); break;
	}
}

/* The children of parent, a blank line between two (none when tight). */
static void blocks(cmark_node *parent, int width, bool tight, struct md_doc *out)
{
	for (cmark_node *c = cmark_node_first_child(parent); c; c = cmark_node_next(c)) {
		if (c != cmark_node_first_child(parent) && !tight)
			add_line(out, xstrdup(""), MD_TEXT);
		block(c, width, out);
	}
}

void md_render(const char *markdown, int width, struct md_doc *out)
{
	memset(out, 0, sizeof *out);
	const char *text = markdown ? markdown : "";
	/* cmark's allocator aborts rather than return NULL, as ours does. */
	cmark_node *doc = cmark_parse_document(text, strlen(text), CMARK_OPT_DEFAULT);
	blocks(doc, width < MD_MIN_WIDTH ? MD_MIN_WIDTH : width, false, out);
	cmark_node_free(doc);
	while (out->n && !*out->v[out->n - 1].text)
		free(out->v[--out->n].text);
}

char *md_render_text(const char *markdown, int width)
{
	struct md_doc d;
	md_render(markdown, width, &d);
	struct strbuf b = {0};
	for (size_t i = 0; i < d.n; i++) {
		if (i)
			sb_addc(&b, '\n');
		sb_add(&b, d.v[i].text);
	}
	md_doc_free(&d);
	return sb_take(&b);
}
