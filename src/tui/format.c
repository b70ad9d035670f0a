/* format.c: queue cells and column layout, and the compose file's
 * marker line.  Pure functions, unit-tested. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "format.h"
#include "util.h"

enum sla_state sla_cell(int64_t due, int64_t now, int64_t target, int warn_percent, char *buf,
			size_t size)
{
	if (size)
		buf[0] = '\0';
	if (due <= 0)
		return SLA_NONE;
	int64_t left = due - now;
	if (left < 0) {
		char span[32];
		time_format_span(-left, span, sizeof span);
		snprintf(buf, size, "-%s", span);
		return SLA_PAST;
	}
	time_format_span(left, buf, size);
	if (target <= 0)
		target = 3600;
	if (warn_percent < 0)
		warn_percent = 0;
	/* left <= target * warn% without overflow or rounding surprises */
	return left * 100 <= target * warn_percent ? SLA_NEAR : SLA_OK;
}

const char *priority_label(enum priority p)
{
	static const char *const l[PRIO__COUNT] = {"low", "norm", "high", "URG"};
	return (unsigned)p < PRIO__COUNT ? l[p] : "?";
}

const char *status_label(enum status s)
{
	static const char *const l[ST__COUNT] = {"new", "open", "pend", "hold", "solv", "clsd"};
	return (unsigned)s < ST__COUNT ? l[s] : "?";
}

const char *const qcol_titles[QC__COUNT] = {
	[QC_ID] = "#",	      [QC_PRIO] = "Pri",      [QC_STATUS] = "Stat",
	[QC_SLA] = "SLA",     [QC_AGE] = "Age",	      [QC_CUSTOMER] = "Customer",
	[QC_SUBJECT] = "Subject", [QC_ASSIGNEE] = "Agent", [QC_TAGS] = "Tags",
};

void queue_columns(int width, int idw, struct qcols *out)
{
	static const struct {
		enum qcol c;
		int w;
	} optional[] = {
		{QC_SLA, 5},	  {QC_STATUS, 4},  {QC_PRIO, 4}, {QC_CUSTOMER, 16},
		{QC_AGE, 4},	  {QC_ASSIGNEE, 9}, {QC_TAGS, 12},
	};
	const int order[QC__COUNT] = {QC_ID,	   QC_PRIO,    QC_STATUS,   QC_SLA, QC_AGE,
				      QC_CUSTOMER, QC_SUBJECT, QC_ASSIGNEE, QC_TAGS};
	memset(out, 0, sizeof *out);
	if (idw < 1)
		idw = 1;
	if (width < 1)
		width = 1;
	out->shown[QC_ID] = out->shown[QC_SUBJECT] = true;
	out->w[QC_ID] = idw;
	/* The subject keeps at least this much before a column is added. */
	int min_subject = width >= 60 ? 24 : 8;
	int used = idw + 1;
	for (size_t i = 0; i < ARRAY_LEN(optional); i++) {
		if (used + optional[i].w + 1 + min_subject > width)
			continue;
		out->shown[optional[i].c] = true;
		out->w[optional[i].c] = optional[i].w;
		used += optional[i].w + 1;
	}
	/* Wide panes: give the customer and tags a little more. */
	int spare = width - used - 40;
	if (spare > 0 && out->shown[QC_CUSTOMER]) {
		int more = spare / 3 < 8 ? spare / 3 : 8;
		out->w[QC_CUSTOMER] += more;
		used += more;
	}
	out->w[QC_SUBJECT] = width - used > 1 ? width - used : 1;
	int x = 0;
	for (int i = 0; i < QC__COUNT; i++) {
		enum qcol c = (enum qcol)order[i];
		if (!out->shown[c])
			continue;
		out->x[c] = x;
		x += out->w[c] + 1;
	}
}

const char compose_marker[] = "-- everything below this line is removed --";

char *compose_build(const char *body, const char *below)
{
	struct strbuf b = {0};
	sb_add(&b, body ? body : "");
	if (b.len && b.s[b.len - 1] != '\n')
		sb_addc(&b, '\n');
	sb_addc(&b, '\n');
	sb_add(&b, compose_marker);
	sb_addc(&b, '\n');
	if (below && *below) {
		sb_add(&b, below);
		if (below[strlen(below) - 1] != '\n')
			sb_addc(&b, '\n');
	}
	return sb_take(&b);
}

/* Whether the line [p, end) is the marker, give or take trailing spaces
 * and a CR an editor may add. */
static bool is_marker(const char *p, const char *end)
{
	size_t n = strlen(compose_marker);
	if ((size_t)(end - p) < n || memcmp(p, compose_marker, n) != 0)
		return false;
	for (p += n; p < end; p++)
		if (*p != ' ' && *p != '\t' && *p != '\r')
			return false;
	return true;
}

char *compose_strip(const char *text)
{
	const char *p = text ? text : "", *cut = NULL;
	while (*p) {
		const char *nl = strchr(p, '\n');
		const char *end = nl ? nl : p + strlen(p);
		if (is_marker(p, end)) {
			cut = p;
			break;
		}
		p = nl ? nl + 1 : end;
	}
	size_t n = cut ? (size_t)(cut - text) : strlen(text ? text : "");
	while (n && (text[n - 1] == '\n' || text[n - 1] == '\r' || text[n - 1] == ' ' ||
		     text[n - 1] == '\t'))
		n--;
	return xstrndup(text ? text : "", n);
}

char *compose_quote(const char *s)
{
	struct strbuf b = {0};
	const char *p = s ? s : "";
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		sb_add(&b, n ? "> " : ">");
		sb_addn(&b, p, n);
		sb_addc(&b, '\n');
		p += n + (nl ? 1 : 0);
	}
	return b.len ? sb_take(&b) : (sb_free(&b), xstrdup(""));
}

/* The value of a "Cc:" (or "Bcc:") line [p, end) with its name, any
 * case; NULL when the line is not one. */
static const char *copy_value(const char *p, const char *end, const char *name)
{
	size_t n = strlen(name);
	if ((size_t)(end - p) < n || strncasecmp(p, name, n) != 0)
		return NULL;
	return p + n;
}

static void add_copies(struct strbuf *b, const char *v, const char *end)
{
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	if (end > v) {
		if (b->len)
			sb_add(b, ", ");
		sb_addn(b, v, (size_t)(end - v));
	}
}

void compose_copies(const char *text, char **cc, char **bcc, char **rest)
{
	struct strbuf c = {0}, bc = {0}, files = {0};
	const char *p = text ? text : "";
	bool any = false;
	while (*p) {
		const char *nl = strchr(p, '\n');
		const char *end = nl ? nl : p + strlen(p);
		const char *v;
		if ((v = copy_value(p, end, "cc:"))) {
			add_copies(&c, v, end);
		} else if ((v = copy_value(p, end, "bcc:"))) {
			add_copies(&bc, v, end);
		} else if (copy_value(p, end, "attach:")) {
			/* one header block in any order: the files' lines stay
			 * on top of the rest for compose_take_files */
			sb_addn(&files, p, (size_t)(end - p));
			sb_addc(&files, '\n');
		} else {
			break;
		}
		any = true;
		p = nl ? nl + 1 : end;
	}
	/* the blank line that ends a header block */
	if (any && (*p == '\n' || (p[0] == '\r' && p[1] == '\n')))
		p += *p == '\n' ? 1 : 2;
	*cc = c.len ? sb_take(&c) : (sb_free(&c), NULL);
	*bcc = bc.len ? sb_take(&bc) : (sb_free(&bc), NULL);
	if (files.len) {
		sb_addc(&files, '\n');
		sb_add(&files, p);
		*rest = sb_take(&files);
	} else {
		*rest = xstrdup(p);
	}
}

char *sparkline(const int64_t *v, size_t n, bool utf8)
{
	static const char *const blocks[8] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
	static const char ascii[] = "_.-:=+*#";
	int64_t max = 0;
	for (size_t i = 0; i < n; i++)
		if (v[i] > max)
			max = v[i];
	char *out = xmalloc(n * 3 + 1), *p = out;
	for (size_t i = 0; i < n; i++) {
		int64_t x = v[i] > 0 ? v[i] : 0;
		/* 0 stays at the bottom; the largest is at the top. */
		int level = max ? (int)((x * 7 + max / 2) / max) : 0;
		if (utf8) {
			memcpy(p, blocks[level], 3);
			p += 3;
		} else {
			*p++ = ascii[level];
		}
	}
	*p = '\0';
	return out;
}
