/* yamldoc.c: YAML text to a located ynode tree (libyaml's event parser),
 * and the typed readers every config loader uses for its messages. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "priv.h"
#include "util.h"
#include "yamldoc.h"

/* Deep enough for any config; bounds our recursion on hostile input. */
#define YDOC_MAX_DEPTH 64

struct builder {
	yaml_parser_t parser;
	const struct ydoc *doc;
	const char *text;
	size_t len;
	struct derr *e;
};

static void node_free(struct ynode *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->nkids; i++)
		node_free(n->kids[i]);
	free(n->kids);
	free(n->value);
	free(n);
}

static struct ynode *node_new(enum ynode_type t, const yaml_mark_t *m)
{
	struct ynode *n = xcalloc(1, sizeof *n);
	n->type = t;
	n->line = (int)m->line + 1;
	n->col = (int)m->column + 1;
	return n;
}

static void node_add(struct ynode *parent, struct ynode *kid, size_t *cap)
{
	xgrow((void **)&parent->kids, cap, parent->nkids + 1, sizeof *parent->kids);
	parent->kids[parent->nkids++] = kid;
}

static int err_at(struct builder *b, size_t line, size_t col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int err_at(struct builder *b, size_t line, size_t col, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return derr_set(b->e, DESK_EINVAL, "%s:%zu:%zu: %s", b->doc->path, line, col, msg);
}

static int err_mark(struct builder *b, const yaml_mark_t *m, const char *what)
{
	return err_at(b, m->line + 1, m->column + 1, "%s", what);
}

/* libyaml's own diagnosis of malformed text.  Reader errors (bad UTF-8,
 * control characters) carry a byte offset rather than a mark. */
static int syntax_error(struct builder *b)
{
	yaml_parser_t *p = &b->parser;
	const char *problem = p->problem ? p->problem : "malformed YAML";
	switch (p->error) {
	case YAML_MEMORY_ERROR:
		return derr_set(b->e, DESK_EIO, "%s: out of memory", b->doc->path);
	case YAML_READER_ERROR: {
		size_t line = 1, col = 1;
		for (size_t i = 0; i < p->problem_offset && i < b->len; i++) {
			if (b->text[i] == '\n') {
				line++;
				col = 1;
			} else if (((unsigned char)b->text[i] & 0xC0) != 0x80) {
				col++;
			}
		}
		return err_at(b, line, col, "%s", problem);
	}
	default:
		return err_mark(b, &p->problem_mark, problem);
	}
}

static int next_event(struct builder *b, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&b->parser, ev))
		return syntax_error(b);
	return DESK_OK;
}

/* Anchors, aliases and tags are refused: a value that means something else
 * somewhere else would make "file:line:col" point at the wrong place. */
static int check_props(struct builder *b, const yaml_event_t *ev, const yaml_char_t *anchor,
		       const yaml_char_t *tag)
{
	char what[160];
	if (anchor) {
		snprintf(what, sizeof what, "anchors (&%.60s) are not supported here", anchor);
		return err_mark(b, &ev->start_mark, what);
	}
	if (tag) {
		/* Shown as written: libyaml hands "!!str" over resolved. */
		const char *t = (const char *)tag, *std = "tag:yaml.org,2002:";
		bool short_form = strncmp(t, std, strlen(std)) == 0;
		snprintf(what, sizeof what, "tags (%s%.60s) are not supported here",
			 short_form ? "!!" : "", short_form ? t + strlen(std) : t);
		return err_mark(b, &ev->start_mark, what);
	}
	return DESK_OK;
}

static int build_node(struct builder *b, yaml_event_t *ev, int depth, struct ynode **out);

static int build_seq(struct builder *b, struct ynode *n, int depth)
{
	size_t cap = 0;
	for (;;) {
		yaml_event_t ev;
		int rc = next_event(b, &ev);
		if (rc)
			return rc;
		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			return DESK_OK;
		}
		struct ynode *kid = NULL;
		rc = build_node(b, &ev, depth + 1, &kid);
		if (rc)
			return rc;
		node_add(n, kid, &cap);
	}
}

static int build_map(struct builder *b, struct ynode *n, int depth)
{
	size_t cap = 0;
	for (;;) {
		yaml_event_t ev;
		int rc = next_event(b, &ev);
		if (rc)
			return rc;
		if (ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			return DESK_OK;
		}
		struct ynode *key = NULL;
		rc = build_node(b, &ev, depth + 1, &key);
		if (rc)
			return rc;
		/* Added before checking so that n owns it on every path. */
		node_add(n, key, &cap);
		if (key->type != Y_SCALAR) {
			char got[64];
			y_describe(key, got, sizeof got);
			return err_at(b, (size_t)key->line, (size_t)key->col,
				      "expected a plain key, got %s", got);
		}
		for (size_t i = 0; i + 1 < n->nkids; i += 2) {
			if (strcmp(n->kids[i]->value, key->value) == 0) {
				char got[128];
				y_describe(key, got, sizeof got);
				return err_at(b, (size_t)key->line, (size_t)key->col,
					      "duplicate key %s; first defined on line %d", got,
					      n->kids[i]->line);
			}
		}
		rc = next_event(b, &ev);
		if (rc)
			return rc;
		struct ynode *val = NULL;
		rc = build_node(b, &ev, depth + 1, &val);
		if (rc)
			return rc;
		node_add(n, val, &cap);
	}
}

/* Builds the node that starts with ev (which this takes and deletes). */
static int build_node(struct builder *b, yaml_event_t *ev, int depth, struct ynode **out)
{
	int rc = DESK_OK;
	*out = NULL;
	if (depth > YDOC_MAX_DEPTH) {
		char what[64];
		snprintf(what, sizeof what, "nested deeper than %d levels", YDOC_MAX_DEPTH);
		rc = err_mark(b, &ev->start_mark, what);
		yaml_event_delete(ev);
		return rc;
	}
	switch (ev->type) {
	case YAML_ALIAS_EVENT: {
		char what[160];
		snprintf(what, sizeof what, "aliases (*%.60s) are not supported here",
			 ev->data.alias.anchor);
		rc = err_mark(b, &ev->start_mark, what);
		break;
	}
	case YAML_SCALAR_EVENT: {
		rc = check_props(b, ev, ev->data.scalar.anchor, ev->data.scalar.tag);
		if (rc)
			break;
		const char *v = (const char *)ev->data.scalar.value;
		size_t len = ev->data.scalar.length;
		/* "\0" in a double-quoted string would silently cut our C string. */
		if (memchr(v, '\0', len)) {
			rc = err_mark(b, &ev->start_mark, "NUL characters are not allowed");
			break;
		}
		struct ynode *n = node_new(Y_SCALAR, &ev->start_mark);
		n->value = xstrndup(v, len);
		n->quoted = ev->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
			    ev->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
		*out = n;
		break;
	}
	case YAML_SEQUENCE_START_EVENT:
		rc = check_props(b, ev, ev->data.sequence_start.anchor,
				 ev->data.sequence_start.tag);
		if (rc)
			break;
		*out = node_new(Y_SEQ, &ev->start_mark);
		rc = build_seq(b, *out, depth);
		break;
	case YAML_MAPPING_START_EVENT:
		rc = check_props(b, ev, ev->data.mapping_start.anchor,
				 ev->data.mapping_start.tag);
		if (rc)
			break;
		*out = node_new(Y_MAP, &ev->start_mark);
		rc = build_map(b, *out, depth);
		break;
	default:
		/* The parser only hands us node events here. */
		rc = err_mark(b, &ev->start_mark, "unexpected YAML event");
		break;
	}
	yaml_event_delete(ev);
	if (rc) {
		node_free(*out);
		*out = NULL;
	}
	return rc;
}

/* Expects an event of type t and drops it. */
static int expect_event(struct builder *b, yaml_event_type_t t)
{
	yaml_event_t ev;
	int rc = next_event(b, &ev);
	if (rc)
		return rc;
	if (ev.type != t)
		rc = err_mark(b, &ev.start_mark, "unexpected YAML event");
	yaml_event_delete(&ev);
	return rc;
}

static int build_doc(struct builder *b, struct ydoc *d)
{
	int rc = expect_event(b, YAML_STREAM_START_EVENT);
	if (rc)
		return rc;
	yaml_event_t ev;
	if ((rc = next_event(b, &ev)))
		return rc;
	if (ev.type == YAML_STREAM_END_EVENT) { /* nothing but comments */
		yaml_event_delete(&ev);
		return DESK_OK;
	}
	yaml_event_delete(&ev); /* the document start */
	if ((rc = next_event(b, &ev)))
		return rc;
	if ((rc = build_node(b, &ev, 0, &d->root)))
		return rc;
	if ((rc = expect_event(b, YAML_DOCUMENT_END_EVENT)))
		return rc;
	if ((rc = next_event(b, &ev)))
		return rc;
	if (ev.type == YAML_DOCUMENT_START_EVENT)
		rc = err_mark(b, &ev.start_mark,
			      "a second YAML document (---); one file holds one document");
	yaml_event_delete(&ev);
	if (!rc && y_is_null(d->root)) {
		node_free(d->root);
		d->root = NULL;
	}
	return rc;
}

static int load_buf(const char *text, size_t len, const char *path, struct ydoc *out,
		    struct derr *e)
{
	memset(out, 0, sizeof *out);
	out->path = xstrdup(path ? path : "<string>");
	struct builder b = {.doc = out, .text = text, .len = len, .e = e};
	if (!yaml_parser_initialize(&b.parser)) {
		ydoc_free(out);
		return derr_set(e, DESK_EIO, "%s: out of memory", path);
	}
	yaml_parser_set_input_string(&b.parser, (const unsigned char *)text, len);
	yaml_parser_set_encoding(&b.parser, YAML_UTF8_ENCODING);
	int rc = build_doc(&b, out);
	yaml_parser_delete(&b.parser);
	if (rc)
		ydoc_free(out);
	return rc;
}

static int load_with(char *(*reader)(const char *, size_t *), const char *path,
		     struct ydoc *out, struct derr *e)
{
	size_t len;
	char *text = reader(path, &len);
	if (!text) {
		int err = errno;
		memset(out, 0, sizeof *out);
		/* Callers tell "not there" (skip it) from "there but unreadable". */
		int code = err == ENOENT || err == ENOTDIR ? DESK_ENOTFOUND : DESK_EIO;
		return derr_set(e, code, "%s: %s", path, strerror(err));
	}
	int rc = load_buf(text, len, path, out, e);
	free(text);
	return rc;
}

int ydoc_load(const char *path, struct ydoc *out, struct derr *e)
{
	/* The agent names the file: read as the agent, never with desk's
	 * group. */
	return load_with(priv_read_file, path, out, e);
}

int ydoc_load_team(const char *path, struct ydoc *out, struct derr *e)
{
	return load_with(priv_read_team_yaml, path, out, e);
}

int ydoc_load_string(const char *text, const char *path, struct ydoc *out, struct derr *e)
{
	return load_buf(text, strlen(text), path, out, e);
}

void ydoc_free(struct ydoc *d)
{
	if (!d)
		return;
	node_free(d->root);
	d->root = NULL;
	xfree(&d->path);
}

int yerr(struct derr *e, const struct ydoc *d, const struct ynode *n, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (!n)
		return derr_set(e, DESK_EINVAL, "%s: %s", d->path, msg);
	return derr_set(e, DESK_EINVAL, "%s:%d:%d: %s", d->path, n->line, n->col, msg);
}

bool y_is_null(const struct ynode *n)
{
	return n && n->type == Y_SCALAR && !n->quoted &&
	       (!n->value[0] || strcmp(n->value, "~") == 0 || strcmp(n->value, "null") == 0 ||
		strcmp(n->value, "Null") == 0 || strcmp(n->value, "NULL") == 0);
}

/* Quotes s into buf, escaping what could upset a terminal or a reader. */
static void quote(const char *s, char *buf, size_t size)
{
	const size_t max_shown = 60;
	struct strbuf b = {0};
	size_t shown = 0;
	sb_addc(&b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (shown++ == max_shown) {
			sb_add(&b, "...");
			break;
		}
		if (*p == '"' || *p == '\\') {
			sb_addc(&b, '\\');
			sb_addc(&b, (char)*p);
		} else if (*p == '\n') {
			sb_add(&b, "\\n");
		} else if (*p == '\t') {
			sb_add(&b, "\\t");
		} else if (*p < 0x20 || *p == 0x7f) {
			sb_addf(&b, "\\x%02x", *p);
		} else if (*p == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F) {
			/* C1 controls (U+0080..U+009F) act on terminals too. */
			sb_addf(&b, "\\u%04x", p[1]);
			p++;
		} else {
			sb_addc(&b, (char)*p);
		}
	}
	sb_addc(&b, '"');
	snprintf(buf, size, "%s", sb_str(&b));
	sb_free(&b);
}

void y_describe(const struct ynode *n, char *buf, size_t size)
{
	if (!n)
		snprintf(buf, size, "nothing");
	else if (n->type == Y_MAP)
		snprintf(buf, size, "a mapping");
	else if (n->type == Y_SEQ)
		snprintf(buf, size, "a sequence");
	else if (y_is_null(n))
		snprintf(buf, size, "an empty value");
	else
		quote(n->value, buf, size);
}

/* "expected WHAT, got <n>" at n. */
static int expected(struct derr *e, const struct ydoc *d, const struct ynode *n,
		    const char *what)
{
	char got[128];
	y_describe(n, got, sizeof got);
	return yerr(e, d, n, "expected %s, got %s", what, got);
}

static bool is_value(const struct ynode *n)
{
	return n && n->type == Y_SCALAR && !y_is_null(n);
}

int y_string(const struct ydoc *d, const struct ynode *n, char **out, struct derr *e)
{
	if (!is_value(n))
		return expected(e, d, n, "a string");
	*out = xstrdup(n->value);
	return DESK_OK;
}

int y_bool(const struct ydoc *d, const struct ynode *n, bool *out, struct derr *e)
{
	/* YAML 1.1's on/off/y/n are left out: too easy to write by accident. */
	if (is_value(n)) {
		if (!strcasecmp(n->value, "true") || !strcasecmp(n->value, "yes")) {
			*out = true;
			return DESK_OK;
		}
		if (!strcasecmp(n->value, "false") || !strcasecmp(n->value, "no")) {
			*out = false;
			return DESK_OK;
		}
	}
	return expected(e, d, n, "a boolean (true/false/yes/no)");
}

int y_int(const struct ydoc *d, const struct ynode *n, long lo, long hi, long *out,
	  struct derr *e)
{
	if (is_value(n)) {
		const char *s = n->value;
		char *end;
		errno = 0;
		long v = strtol(s, &end, 10);
		if ((isdigit((unsigned char)s[0]) || ((s[0] == '-' || s[0] == '+') &&
						      isdigit((unsigned char)s[1]))) &&
		    !*end && errno == 0 && v >= lo && v <= hi) {
			*out = v;
			return DESK_OK;
		}
	}
	char what[96];
	snprintf(what, sizeof what, "an integer from %ld to %ld", lo, hi);
	return expected(e, d, n, what);
}

int y_duration(const struct ydoc *d, const struct ynode *n, int64_t *seconds, struct derr *e)
{
	if (is_value(n) && duration_parse(n->value, seconds))
		return DESK_OK;
	return expected(e, d, n, "a duration like 30m, 4h or 2d");
}

/* "10MB", "512 KB", "2GiB", "4096": a count of bytes, units 1024-based
 * (B, KB or KiB, MB or MiB, GB or GiB, any case). */
static bool size_parse(const char *s, int64_t *out)
{
	static const struct { const char *unit; int64_t mult; } units[] = {
		{"", 1}, {"b", 1}, {"kb", 1 << 10}, {"kib", 1 << 10}, {"k", 1 << 10},
		{"mb", 1 << 20}, {"mib", 1 << 20}, {"m", 1 << 20},
		{"gb", 1 << 30}, {"gib", 1 << 30}, {"g", 1 << 30},
	};
	char *end;
	errno = 0;
	if (!isdigit((unsigned char)*s))
		return false;
	long long v = strtoll(s, &end, 10);
	if (errno)
		return false;
	while (*end == ' ')
		end++;
	for (size_t i = 0; i < sizeof units / sizeof *units; i++) {
		if (strcasecmp(end, units[i].unit) == 0) {
			if (v > INT64_MAX / units[i].mult)
				return false;
			*out = v * units[i].mult;
			return true;
		}
	}
	return false;
}

int y_size(const struct ydoc *d, const struct ynode *n, int64_t *bytes, struct derr *e)
{
	if (is_value(n) && size_parse(n->value, bytes))
		return DESK_OK;
	return expected(e, d, n, "a size like 10MB, 512KB or 1GB");
}

int y_enum(const struct ydoc *d, const struct ynode *n, const char *const *names, int *out,
	   struct derr *e)
{
	int count = 0;
	while (names[count])
		count++;
	if (is_value(n)) {
		for (int i = 0; i < count; i++) {
			if (strcmp(n->value, names[i]) == 0) {
				*out = i;
				return DESK_OK;
			}
		}
	}
	/* "a, b or c" */
	struct strbuf what = {0};
	for (int i = 0; i < count; i++) {
		if (i)
			sb_add(&what, i == count - 1 ? " or " : ", ");
		sb_add(&what, names[i]);
	}
	int rc = expected(e, d, n, sb_str(&what));
	sb_free(&what);
	return rc;
}

int y_expect(const struct ydoc *d, const struct ynode *n, enum ynode_type t, const char *what,
	     struct derr *e)
{
	if (n && n->type == t)
		return DESK_OK;
	if (!what)
		what = t == Y_MAP ? "a mapping" : t == Y_SEQ ? "a sequence" : "a value";
	return expected(e, d, n, what);
}

const struct ynode *y_get(const struct ynode *map, const char *key)
{
	if (!map || map->type != Y_MAP)
		return NULL;
	for (size_t i = 0; i + 1 < map->nkids; i += 2)
		if (strcmp(map->kids[i]->value, key) == 0)
			return map->kids[i + 1];
	return NULL;
}

int y_key(const struct ydoc *d, const struct ynode *key, const char *section,
	  const char *const *names, int *out, struct derr *e)
{
	for (int i = 0; names[i]; i++) {
		if (strcmp(key->value, names[i]) == 0) {
			*out = i;
			return DESK_OK;
		}
	}
	struct strbuf list = {0};
	for (int i = 0; names[i]; i++) {
		if (i)
			sb_add(&list, ", ");
		sb_add(&list, names[i]);
	}
	char got[128];
	quote(key->value, got, sizeof got);
	int rc = yerr(e, d, key, "unknown key %s in %s; expected one of: %s", got, section,
		      sb_str(&list));
	sb_free(&list);
	return rc;
}
