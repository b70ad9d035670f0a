/* markdown.h: a knowledge base article's Markdown, rendered for a
 * terminal or a plain-text reply (src/util/markdown.c, on cmark, the
 * CommonMark reference parser).
 *
 * Headings, paragraphs, lists, block quotes, emphasis (its markers
 * dropped), inline code (in backquotes), code blocks (indented, never
 * wrapped), links as "text <url>", images as "[image: alt] <url>";
 * raw HTML is shown as the text it is.  Every line is sanitized
 * (text_sanitize): nothing in an article reaches the terminal raw. */
#ifndef DESK_MARKDOWN_H
#define DESK_MARKDOWN_H

#include <stddef.h>

enum md_style {
	MD_TEXT,
	MD_HEADING, /* a heading and its underline */
	MD_CODE,    /* a line of a code block */
};

struct md_line {
	char *text; /* sanitized, at most the width asked (code may be wider) */
	enum md_style style;
};

struct md_doc {
	struct md_line *v;
	size_t n, cap;
};

/* Renders markdown word-wrapped to width columns (at least 20) into
 * out, which is emptied first; no blank line first or last. */
void md_render(const char *markdown, int width, struct md_doc *out);
void md_doc_free(struct md_doc *d);
/* The same as one text, lines joined by '\n' (no newline at the end):
 * what `desk kb show` prints and what goes into a reply.  New string. */
char *md_render_text(const char *markdown, int width);

#endif
