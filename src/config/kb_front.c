/* kb_front.c: a knowledge base article's front matter (title, tags,
 * audience), read with the config's YAML reader so that a mistake is
 * named by file:line:column like any other. */
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "config.h"
#include "util.h"
#include "yamldoc.h"

void kb_doc_free(struct kb_doc *d)
{
	if (!d)
		return;
	free(d->title);
	for (size_t i = 0; i < d->ntags; i++)
		free(d->tags[i]);
	free(d->tags);
	free(d->body);
	memset(d, 0, sizeof *d);
}

/* Whether the line at p is "---" (trailing blanks and CR allowed). */
static bool fence(const char *p)
{
	if (strncmp(p, "---", 3) != 0)
		return false;
	for (p += 3; *p == ' ' || *p == '\t' || *p == '\r'; p++)
		;
	return *p == '\n' || *p == '\0';
}

static int read_tags(const struct ydoc *y, const struct ynode *n, struct kb_doc *d,
		     struct derr *e)
{
	/* "tags: billing" is taken for a list of one. */
	const struct ynode *one[] = {n};
	const struct ynode *const *items = one;
	size_t count = 1;
	if (n->type == Y_SEQ) {
		items = (const struct ynode *const *)n->kids;
		count = n->nkids;
	}
	for (size_t i = 0; i < count; i++) {
		const struct ynode *t = items[i];
		if (t->type != Y_SCALAR || y_is_null(t) || !label_is_valid(t->value)) {
			char got[128];
			y_describe(t, got, sizeof got);
			return yerr(e, y, t, "tags: expected a list of tags (" LABEL_RULE "), got %s",
				    got);
		}
		d->tags = xrealloc(d->tags, (d->ntags + 1) * sizeof *d->tags);
		d->tags[d->ntags++] = xstrdup(t->value);
	}
	return DESK_OK;
}

static int read_front(const struct ydoc *y, struct kb_doc *d, struct derr *e)
{
	static const char *const keys[] = {"title", "tags", "audience", NULL};
	static const char *const audiences[] = {"internal", "public", NULL};
	const struct ynode *root = y->root;
	if (!root)
		return derr_set(e, DESK_EINVAL, "%s:1: the front matter is empty: it needs a title",
				y->path);
	int rc = y_expect(y, root, Y_MAP, "front matter: a mapping with title, tags, audience", e);
	for (size_t i = 0; !rc && i < root->nkids; i += 2) {
		int k, v;
		if ((rc = y_key(y, root->kids[i], "the front matter", keys, &k, e)))
			break;
		const struct ynode *n = root->kids[i + 1];
		if (k == 0) {
			if (n->type != Y_SCALAR || y_is_null(n) || !n->value[0] ||
			    strchr(n->value, '\n')) {
				char got[128];
				y_describe(n, got, sizeof got);
				rc = yerr(e, y, n, "title: expected the article's title on one line, got %s",
					  got);
			} else {
				free(d->title);
				d->title = xstrdup(n->value);
			}
		} else if (k == 1) {
			for (size_t j = 0; j < d->ntags; j++)
				free(d->tags[j]);
			d->ntags = 0;
			rc = read_tags(y, n, d, e);
		} else if (!(rc = y_enum(y, n, audiences, &v, e))) {
			d->public_ = v == 1;
		}
	}
	if (!rc && !d->title)
		rc = yerr(e, y, root, "missing key \"title\" in the front matter");
	return rc;
}

int kb_parse(const char *file, const char *text, struct kb_doc *out, struct derr *e)
{
	memset(out, 0, sizeof *out);
	if (!fence(text))
		return derr_set(e, DESK_EINVAL,
				"%s:1: expected front matter: a first line \"---\", then title: "
				"(and tags:, audience:), then \"---\"",
				file);
	/* The YAML is the text up to the closing fence, the opening "---"
	 * included (YAML's own document start), so its lines are the file's. */
	const char *p = strchr(text, '\n');
	int line = 2;
	while (p && !fence(p + 1)) {
		p = strchr(p + 1, '\n');
		line++;
	}
	if (!p)
		return derr_set(e, DESK_EINVAL,
				"%s:1: the front matter opened here is never closed by a \"---\" line",
				file);
	char *yaml = xstrndup(text, (size_t)(p + 1 - text));
	struct ydoc y;
	int rc = ydoc_load_string(yaml, file, &y, e);
	free(yaml);
	if (rc)
		return rc;
	rc = read_front(&y, out, e);
	ydoc_free(&y);
	if (rc) {
		kb_doc_free(out);
		return rc;
	}
	const char *body = strchr(p + 1, '\n');
	out->body = xstrdup(body ? body + 1 : "");
	out->body_line = line + 1;
	return DESK_OK;
}
