/* mail_parse.c: one RFC 5322 message into struct mail_in with GMime:
 * threading ids, sender, decoded subject, the text (text/plain preferred,
 * HTML made readable, every charset made UTF-8), attachments, and
 * whether a machine sent it (auto-replies, bounces, lists, loops). */
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gmime/gmime.h>

#include "mail.h"
#include "text.h"
#include "util.h"

#define MAX_REFS 64
#define MAX_FILENAME 200
/* MIME nesting deeper than this is hostile, not mail. */
#define MAX_DEPTH 32

/* GMime does not come back cleanly from g_mime_shutdown (its charset
 * tables stay gone), so it is started once per process and released at
 * exit, before LeakSanitizer looks (atexit runs handlers in reverse). */
static bool lib_ready, lib_done;

void mail_lib_shutdown(void)
{
	if (!lib_ready || lib_done)
		return;
	g_mime_shutdown();
	lib_done = true;
}

void mail_lib_init(void)
{
	if (lib_ready)
		return;
	g_mime_init();
	lib_ready = true;
	atexit(mail_lib_shutdown);
}

void mail_in_free(struct mail_in *m)
{
	if (!m)
		return;
	free(m->message_id);
	for (size_t i = 0; i < m->nrefs; i++)
		free(m->refs[i]);
	free(m->refs);
	free(m->from_addr);
	free(m->from_name);
	free(m->subject);
	free(m->body);
	free(m->auto_reason);
	for (size_t i = 0; i < m->nparts; i++) {
		free(m->parts[i].filename);
		free(m->parts[i].content_type);
		free(m->parts[i].data);
		free(m->parts[i].dropped);
	}
	free(m->parts);
	memset(m, 0, sizeof *m);
}

/* --- charsets ---------------------------------------------------------- */

/* Valid UTF-8 without NUL bytes (C strings end there), invalid
 * sequences replaced by U+FFFD: a new string. */
static char *clean_utf8(const char *s, size_t len)
{
	struct strbuf b = {0};
	sb_add(&b, "");
	const char *p = s, *end = s + len;
	while (p < end) {
		const char *nul = memchr(p, '\0', (size_t)(end - p));
		size_t n = nul ? (size_t)(nul - p) : (size_t)(end - p);
		gchar *v = g_utf8_make_valid(p, (gssize)n);
		sb_add(&b, v);
		g_free(v);
		if (nul)
			sb_add(&b, "\xEF\xBF\xBD");
		p += n + (nul ? 1 : 0);
	}
	return sb_take(&b);
}

static bool is_latin1(const char *cs)
{
	static const char *const names[] = {"iso-8859-1", "iso8859-1", "iso_8859-1", "latin1",
					    "latin-1", "l1", "us-ascii", "ascii", "ansi_x3.4-1968",
					    "cp819", "ibm819", "iso-ir-100"};
	for (size_t i = 0; i < ARRAY_LEN(names); i++)
		if (strcasecmp(cs, names[i]) == 0)
			return true;
	return false;
}

/* iconv with every undecodable byte replaced by U+FFFD; NULL when the
 * charset is unknown to iconv. */
static char *convert(const char *data, size_t len, const char *charset)
{
	mail_lib_init(); /* GMime's iconv cache and charset aliases */
	iconv_t cd = g_mime_iconv_open("UTF-8", charset);
	if (cd == (iconv_t)-1)
		return NULL;
	struct strbuf b = {0};
	char buf[4096];
	char *in = (char *)data;
	size_t inleft = len;
	for (;;) {
		char *out = buf;
		size_t outleft = sizeof buf;
		size_t r = iconv(cd, inleft ? &in : NULL, inleft ? &inleft : NULL, &out,
				 &outleft);
		sb_addn(&b, buf, sizeof buf - outleft);
		if (r != (size_t)-1) {
			if (!inleft)
				break;
			continue;
		}
		if (errno == E2BIG)
			continue;
		if (errno == EILSEQ || errno == EINVAL) {
			/* Skip one byte, say so, and go on from a fresh state. */
			sb_add(&b, "\xEF\xBF\xBD");
			in++;
			inleft--;
			iconv(cd, NULL, NULL, NULL, NULL);
			if (!inleft)
				break;
			continue;
		}
		break;
	}
	g_mime_iconv_close(cd);
	/* by length: a NUL the charset decoded must show, not cut the text */
	size_t n = b.len;
	char *s = sb_take(&b);
	if (!s)
		return xstrdup("");
	char *clean = clean_utf8(s, n);
	free(s);
	return clean;
}

char *mail_to_utf8(const char *data, size_t len, const char *charset)
{
	if (!data)
		return xstrdup("");
	bool valid = g_utf8_validate(data, (gssize)len, NULL);
	/* Undeclared, ASCII or Latin-1: windows-1252 is what such mail is
	 * in practice (browsers read it so too), unless it is UTF-8 already. */
	if (!charset || !*charset || is_latin1(charset)) {
		if (valid)
			return clean_utf8(data, len);
		charset = "windows-1252";
	}
	if (strcasecmp(charset, "utf-8") == 0 || strcasecmp(charset, "utf8") == 0)
		return clean_utf8(data, len);
	char *s = convert(data, len, charset);
	if (s)
		return s;
	/* A charset nobody knows: keep what can be kept. */
	return valid ? clean_utf8(data, len) : convert(data, len, "windows-1252");
}

/* --- HTML to text ------------------------------------------------------ */

struct html_out {
	struct strbuf b;
	int pending_nl;     /* line breaks owed before the next text */
	bool pending_space; /* a space owed before the next text */
	int pre;            /* inside <pre>: whitespace kept */
	int skip;           /* inside <script>, <style>, <head>: text dropped */
	int list_depth;
};

static void out_text(struct html_out *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (o->skip)
			return;
		if (!o->pre && (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f')) {
			if (o->b.len && !o->pending_nl)
				o->pending_space = true;
			continue;
		}
		if (o->pending_nl && o->b.len) {
			for (int k = 0; k < o->pending_nl; k++)
				sb_addc(&o->b, '\n');
		} else if (o->pending_space && o->b.len) {
			sb_addc(&o->b, ' ');
		}
		o->pending_nl = 0;
		o->pending_space = false;
		if (c == '\r')
			continue;
		sb_addc(&o->b, (char)c);
	}
}

static void out_break(struct html_out *o, int n)
{
	if (o->pending_nl < n)
		o->pending_nl = n;
	o->pending_space = false;
}

static void out_codepoint(struct html_out *o, gunichar u)
{
	char buf[8];
	if (u == 0 || u > 0x10FFFF || (u >= 0xD800 && u <= 0xDFFF))
		u = 0xFFFD;
	if (u == 0xA0) { /* &nbsp; is a space that does not fold away */
		out_text(o, "\xC2\xA0", 2);
		return;
	}
	int n = g_unichar_to_utf8(u, buf);
	out_text(o, buf, (size_t)n);
}

/* Decodes the entity at s (just after '&'); returns how many bytes it
 * took, 0 if it is no entity (then '&' is text). */
static size_t entity(struct html_out *o, const char *s, const char *end)
{
	static const struct {
		const char *name;
		gunichar u;
	} named[] = {
		{"amp", '&'},      {"lt", '<'},        {"gt", '>'},        {"quot", '"'},
		{"apos", '\''},    {"nbsp", 0xA0},     {"copy", 0xA9},     {"reg", 0xAE},
		{"trade", 0x2122}, {"hellip", 0x2026}, {"mdash", 0x2014},  {"ndash", 0x2013},
		{"lsquo", 0x2018}, {"rsquo", 0x2019},  {"ldquo", 0x201C},  {"rdquo", 0x201D},
		{"laquo", 0xAB},   {"raquo", 0xBB},    {"bull", 0x2022},   {"middot", 0xB7},
		{"euro", 0x20AC},  {"pound", 0xA3},    {"yen", 0xA5},      {"cent", 0xA2},
		{"times", 0xD7},   {"deg", 0xB0},      {"eacute", 0xE9},   {"egrave", 0xE8},
		{"agrave", 0xE0},  {"ccedil", 0xE7},   {"uuml", 0xFC},     {"ouml", 0xF6},
		{"auml", 0xE4},    {"szlig", 0xDF},    {"Eacute", 0xC9},   {"Uuml", 0xDC},
		{"Ouml", 0xD6},    {"Auml", 0xC4},     {"shy", 0xAD},      {"zwnj", 0x200C},
	};
	const char *p = s;
	if (p < end && *p == '#') {
		p++;
		int base = 10;
		if (p < end && (*p == 'x' || *p == 'X')) {
			base = 16;
			p++;
		}
		gunichar u = 0;
		int digits = 0;
		while (p < end && g_ascii_isxdigit(*p) && (base == 16 || g_ascii_isdigit(*p)) &&
		       digits < 8) {
			u = u * (gunichar)base + (gunichar)g_ascii_xdigit_value(*p);
			p++;
			digits++;
		}
		if (!digits)
			return 0;
		if (p < end && *p == ';')
			p++;
		/* Numeric references to C1 are windows-1252 in practice. */
		if (u >= 0x80 && u <= 0x9F) {
			char c = (char)u;
			char *w = mail_to_utf8(&c, 1, "windows-1252");
			out_text(o, w, strlen(w));
			free(w);
		} else {
			out_codepoint(o, u);
		}
		return (size_t)(p - s);
	}
	size_t n = 0;
	while (s + n < end && g_ascii_isalnum(s[n]) && n < 10)
		n++;
	for (size_t i = 0; i < ARRAY_LEN(named); i++) {
		if (strlen(named[i].name) == n && strncmp(s, named[i].name, n) == 0) {
			out_codepoint(o, named[i].u);
			return n + (s + n < end && s[n] == ';' ? 1 : 0);
		}
	}
	return 0;
}

/* The value of attribute `name` inside a tag's text, or NULL. */
static char *attr(const char *tag, size_t len, const char *name)
{
	size_t nlen = strlen(name);
	const char *end = tag + len;
	const char *p = tag;
	while (p < end && !g_ascii_isspace(*p)) /* the tag name */
		p++;
	while (p < end) {
		while (p < end && (g_ascii_isspace(*p) || *p == '/'))
			p++;
		const char *k = p;
		while (p < end && !g_ascii_isspace(*p) && *p != '=' && *p != '>')
			p++;
		size_t klen = (size_t)(p - k);
		while (p < end && g_ascii_isspace(*p))
			p++;
		const char *v = NULL;
		size_t vlen = 0;
		if (p < end && *p == '=') {
			p++;
			while (p < end && g_ascii_isspace(*p))
				p++;
			if (p < end && (*p == '"' || *p == '\'')) {
				char q = *p++;
				v = p;
				while (p < end && *p != q)
					p++;
				vlen = (size_t)(p - v);
				if (p < end)
					p++;
			} else {
				v = p;
				while (p < end && !g_ascii_isspace(*p))
					p++;
				vlen = (size_t)(p - v);
			}
		}
		if (klen == nlen && g_ascii_strncasecmp(k, name, nlen) == 0)
			return v ? xstrndup(v, vlen) : xstrdup("");
		if (!klen && p < end)
			p++;
	}
	return NULL;
}

static bool tag_is(const char *name, size_t n, const char *what)
{
	return strlen(what) == n && g_ascii_strncasecmp(name, what, n) == 0;
}

static bool tag_in(const char *name, size_t n, const char *const *list)
{
	for (; *list; list++)
		if (tag_is(name, n, *list))
			return true;
	return false;
}

/* Entities inside an attribute value (an href), decoded on their own. */
static char *decode_entities(const char *s)
{
	struct html_out o = {.pre = 1};
	const char *end = s + strlen(s);
	for (const char *p = s; p < end; p++) {
		size_t n = *p == '&' ? entity(&o, p + 1, end) : 0;
		if (n)
			p += n;
		else
			out_text(&o, p, 1);
	}
	char *r = sb_take(&o.b);
	return r ? r : xstrdup("");
}

char *mail_html_to_text(const char *html, size_t len)
{
	static const char *const para[] = {"p", "h1", "h2", "h3", "h4", "h5", "h6",
					   "blockquote", "table", "ul", "ol", "dl", "pre",
					   "address", "figure", "hr", NULL};
	static const char *const line[] = {"div", "tr", "li", "dt", "dd", "section", "article",
					   "header", "footer", "nav", "main", "aside", "form",
					   "center", "caption", "title", "fieldset", NULL};
	static const char *const hidden[] = {"script", "style", "head", "template", "noscript",
					     NULL};
	struct html_out o = {0};
	const char *p = html, *end = html + len;
	char *href = NULL;
	size_t link_start = 0;
	while (p < end) {
		if (*p == '&') {
			size_t n = entity(&o, p + 1, end);
			if (n) {
				p += n + 1;
				continue;
			}
			out_text(&o, p++, 1);
			continue;
		}
		if (*p != '<') {
			out_text(&o, p++, 1);
			continue;
		}
		if (end - p >= 4 && strncmp(p, "<!--", 4) == 0) {
			const char *c = g_strstr_len(p + 4, end - p - 4, "-->");
			p = c ? c + 3 : end;
			continue;
		}
		const char *q = p + 1;
		bool closing = q < end && *q == '/';
		if (closing)
			q++;
		if (q >= end || !(g_ascii_isalpha(*q) || *q == '!' || *q == '?')) {
			out_text(&o, p++, 1); /* a lone "<" is text */
			continue;
		}
		const char *name = q;
		while (q < end && (g_ascii_isalnum(*q) || *q == '-' || *q == ':'))
			q++;
		size_t nlen = (size_t)(q - name);
		/* The end of the tag, skipping quoted attribute values. */
		const char *t = q;
		char quote = 0;
		while (t < end && (quote || *t != '>')) {
			if (quote && *t == quote)
				quote = 0;
			else if (!quote && (*t == '"' || *t == '\''))
				quote = *t;
			t++;
		}
		const char *tag = name;
		size_t tlen = (size_t)(t - name);
		p = t < end ? t + 1 : end;
		if (tag_in(name, nlen, hidden)) {
			if (closing) {
				if (o.skip)
					o.skip--;
			} else if (!(tlen && tag[tlen - 1] == '/')) {
				o.skip++;
			}
			continue;
		}
		if (o.skip)
			continue;
		if (tag_is(name, nlen, "br")) {
			/* <br><br> is a blank line */
			o.pending_nl = o.pending_nl ? 2 : 1;
			o.pending_space = false;
			continue;
		}
		if (tag_is(name, nlen, "pre"))
			o.pre += closing ? (o.pre ? -1 : 0) : 1;
		if (tag_is(name, nlen, "ul") || tag_is(name, nlen, "ol"))
			o.list_depth += closing ? (o.list_depth ? -1 : 0) : 1;
		if (tag_in(name, nlen, para)) {
			out_break(&o, 2);
			if (tag_is(name, nlen, "hr") && !closing) {
				out_text(&o, "----", 4);
				out_break(&o, 2);
			}
			continue;
		}
		if (tag_in(name, nlen, line)) {
			out_break(&o, 1);
			if (tag_is(name, nlen, "li") && !closing) {
				for (int i = 1; i < o.list_depth; i++)
					out_text(&o, "\xC2\xA0\xC2\xA0", 4);
				out_text(&o, "-\xC2\xA0", 3);
			}
			continue;
		}
		if (tag_is(name, nlen, "td") || tag_is(name, nlen, "th")) {
			if (!closing && o.b.len && !o.pending_nl)
				o.pending_space = true;
			continue;
		}
		if (tag_is(name, nlen, "img") && !closing) {
			char *alt = attr(tag, tlen, "alt");
			if (alt && *alt) {
				char *a = decode_entities(alt);
				out_text(&o, "[", 1);
				out_text(&o, a, strlen(a));
				out_text(&o, "]", 1);
				free(a);
			}
			free(alt);
			continue;
		}
		if (tag_is(name, nlen, "a")) {
			if (!closing) {
				free(href);
				char *raw = attr(tag, tlen, "href");
				href = raw ? decode_entities(raw) : NULL;
				free(raw);
				link_start = o.b.len;
			} else if (href) {
				/* Show the address unless the text already is it. */
				const char *shown = o.b.s ? o.b.s + link_start : "";
				const char *target = href;
				if (g_ascii_strncasecmp(target, "mailto:", 7) == 0)
					target += 7;
				bool web = g_ascii_strncasecmp(href, "http://", 7) == 0 ||
					   g_ascii_strncasecmp(href, "https://", 8) == 0 ||
					   target != href;
				if (web && *target && !strstr(shown, target)) {
					out_text(&o, " <", 2);
					/* the URL's own spaces are not folded */
					out_text(&o, target, strlen(target));
					out_text(&o, ">", 1);
				}
				xfree(&href);
			}
			continue;
		}
	}
	free(href);
	char *s = sb_take(&o.b);
	if (!s)
		return xstrdup("");
	/* No-break spaces were only there to survive folding. */
	struct strbuf b = {0};
	sb_add(&b, "");
	for (const char *c = s; *c; c++) {
		if ((unsigned char)c[0] == 0xC2 && (unsigned char)c[1] == 0xA0) {
			sb_addc(&b, ' ');
			c++;
		} else {
			sb_addc(&b, *c);
		}
	}
	free(s);
	/* Spaces at the ends of lines say nothing. */
	char *t = sb_take(&b), *w = t;
	for (char *r = t; *r; r++) {
		if (*r == '\n')
			while (w > t && w[-1] == ' ')
				w--;
		*w++ = *r;
	}
	while (w > t && (w[-1] == ' ' || w[-1] == '\n'))
		w--;
	*w = '\0';
	return t;
}

/* --- headers ----------------------------------------------------------- */

int64_t mail_subject_ticket(const char *subject)
{
	for (const char *p = subject ? strstr(subject, "[#") : NULL; p;
	     p = strstr(p + 2, "[#")) {
		const char *d = p + 2;
		int64_t n = 0;
		int digits = 0;
		while (*d >= '0' && *d <= '9' && digits < 18) {
			n = n * 10 + (*d++ - '0');
			digits++;
		}
		if (digits && *d == ']' && n > 0)
			return n;
	}
	return 0;
}

static const char *header(GMimeObject *o, const char *name)
{
	return g_mime_object_get_header(o, name);
}

/* The header's value as it came, undecoded (encoded words stay words). */
static const char *raw_header(GMimeObject *o, const char *name)
{
	GMimeHeaderList *l = g_mime_object_get_header_list(o);
	GMimeHeader *h = l ? g_mime_header_list_get_header(l, name) : NULL;
	return h ? g_mime_header_get_raw_value(h) : NULL;
}

static bool header_is(GMimeObject *o, const char *name, const char *const *values)
{
	const char *v = header(o, name);
	if (!v)
		return false;
	while (g_ascii_isspace(*v))
		v++;
	for (; *values; values++) {
		size_t n = strlen(*values);
		if (g_ascii_strncasecmp(v, *values, n) == 0 &&
		    (!v[n] || g_ascii_isspace(v[n]) || v[n] == ';'))
			return true;
	}
	return false;
}

/* Whether a comma or space separated list (X-Auto-Response-Suppress:
 * "DR, AutoReply") holds one of values. */
static bool header_lists(GMimeObject *o, const char *name, const char *const *values)
{
	const char *v = header(o, name);
	while (v && *v) {
		while (*v == ',' || *v == ';' || g_ascii_isspace(*v))
			v++;
		size_t n = strcspn(v, ",; \t\r\n");
		for (const char *const *w = values; n && *w; w++)
			if (strlen(*w) == n && g_ascii_strncasecmp(v, *w, n) == 0)
				return true;
		v += n;
	}
	return false;
}

/* Whether the local part of addr (an address, maybe in <>) is one of
 * names. */
static bool local_part_is(const char *addr, const char *const *names)
{
	if (!addr)
		return false;
	while (g_ascii_isspace(*addr) || *addr == '<')
		addr++;
	size_t n = strcspn(addr, "@> \t\r\n");
	for (; *names; names++)
		if (strlen(*names) == n && g_ascii_strncasecmp(addr, *names, n) == 0)
			return true;
	return false;
}

static const char *const daemons[] = {"mailer-daemon", "mailerdaemon", "mail-daemon", NULL};
static const char *const postmasters[] = {"postmaster", "mailer-daemon", "mailerdaemon",
					  "mail-daemon", "mail.daemon", "mdaemon", NULL};

static bool contains_nocase(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (const char *p = hay; p && *p; p++)
		if (g_ascii_strncasecmp(p, needle, n) == 0)
			return true;
	return false;
}

/* What real MTAs title a delivery failure or delay (Postfix, Exim,
 * Sendmail, qmail, Exchange, Domino, GroupWise and friends). */
static bool failure_subject(const char *subject)
{
	static const char *const words[] = {
		"undeliverable", "undelivered", "delivery status notification",
		"delivery failure", "delivery failed", "delivery has failed",
		"mail delivery failed", "returned mail", "failure notice", "non-delivery",
		"nondeliverable", "not delivered", "could not be delivered",
		"delivery notification", "delayed mail", "delivery delayed",
		"could not send message", "mail system error", "delivery problem",
		"returned to sender", NULL};
	for (const char *const *w = words; *w; w++)
		if (contains_nocase(subject, *w))
			return true;
	return false;
}

/* The subjects out-of-office programs give when they set no header. */
static bool auto_reply_subject(const char *subject)
{
	static const char *const prefixes[] = {"automatic reply:", "auto-reply:", "autoreply:",
					       "auto reply:", "out of office:",
					       "out of office reply", "out of office autoreply",
					       NULL};
	for (const char *const *p = prefixes; *p; p++)
		if (g_ascii_strncasecmp(subject, *p, strlen(*p)) == 0)
			return true;
	/* Lotus Notes: "AUTO: Name is out of the office (returning ...)" */
	if (g_ascii_strncasecmp(subject, "auto:", 5) == 0 &&
	    (contains_nocase(subject, "out of the office") ||
	     contains_nocase(subject, "out of office")))
		return true;
	return contains_nocase(subject, "(automatic response)") ||
	       contains_nocase(subject, "(auto-reply)");
}

/* RFC 3834 and 3464 and the de-facto headers of vacation programs,
 * bounces and list servers.  The first one found is the reason given;
 * a delivery report deeper in the MIME tree is found by the walk. */
static const char *machine_sent(GMimeMessage *msg, const char *from_addr, const char *subject,
				const char *self)
{
	GMimeObject *o = GMIME_OBJECT(msg);
	const char *v = header(o, "Auto-Submitted");
	if (v) {
		while (g_ascii_isspace(*v))
			v++;
		if (g_ascii_strncasecmp(v, "no", 2) != 0 || g_ascii_isalnum(v[2]))
			return "Auto-Submitted";
	}
	static const char *const bulk[] = {"bulk", "junk", "list", "auto_reply", NULL};
	if (header_is(o, "Precedence", bulk))
		return "Precedence";
	v = header(o, "Return-Path");
	if (v) {
		while (g_ascii_isspace(*v))
			v++;
		const char *in = v;
		if (*in == '<')
			for (in++; g_ascii_isspace(*in); in++)
				;
		if (*in == '>' || !*in)
			return "Return-Path <>";
		if (local_part_is(v, daemons))
			return "Return-Path MAILER-DAEMON";
	}
	static const char *const names[] = {"X-Autoreply", "X-Autorespond", "X-Autoresponder",
					    "X-Autogenerated", "X-Auto-Reply-From",
					    "X-Mail-Autoreply", "X-Loop", "List-Id",
					    "X-FC-MachineGenerated", "X-Failed-Recipients", NULL};
	for (size_t i = 0; names[i]; i++)
		if (header(o, names[i]))
			return names[i];
	static const char *const suppress[] = {"All", "OOF", "AutoReply", NULL};
	if (header_lists(o, "X-Auto-Response-Suppress", suppress))
		return "X-Auto-Response-Suppress";
	if (from_addr) {
		if (local_part_is(from_addr, daemons))
			return "From MAILER-DAEMON";
		if (local_part_is(from_addr, postmasters) && failure_subject(subject))
			return "From postmaster, a delivery failure";
		if (self && g_ascii_strcasecmp(from_addr, self) == 0)
			return "From the support address (a loop)";
	} else {
		/* "From: <>": the null sender only machines use */
		const char *f = header(o, "From");
		while (f && g_ascii_isspace(*f))
			f++;
		if (f && strncmp(f, "<>", 2) == 0)
			return "From <>";
	}
	if (auto_reply_subject(subject))
		return "an auto-reply subject";
	return NULL;
}

/* The sender: From, else Sender, else Reply-To; the first mailbox. */
static void sender(GMimeMessage *msg, struct mail_in *m)
{
	static const GMimeAddressType order[] = {GMIME_ADDRESS_TYPE_FROM,
						 GMIME_ADDRESS_TYPE_SENDER,
						 GMIME_ADDRESS_TYPE_REPLY_TO};
	for (size_t i = 0; i < ARRAY_LEN(order); i++) {
		InternetAddressList *l = g_mime_message_get_addresses(msg, order[i]);
		int n = l ? internet_address_list_length(l) : 0;
		for (int j = 0; j < n; j++) {
			InternetAddress *ia = internet_address_list_get_address(l, j);
			InternetAddress *box = ia;
			if (INTERNET_ADDRESS_IS_GROUP(ia)) {
				InternetAddressList *g =
					internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia));
				box = g && internet_address_list_length(g) > 0
					      ? internet_address_list_get_address(g, 0)
					      : NULL;
			}
			if (!box || !INTERNET_ADDRESS_IS_MAILBOX(box))
				continue;
			const char *addr =
				internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(box));
			char *a = addr ? mail_to_utf8(addr, strlen(addr), "utf-8") : NULL;
			/* an address desk could not write back safely is none */
			if (!mail_addr_valid(a)) {
				free(a);
				continue;
			}
			m->from_addr = a;
			const char *name = internet_address_get_name(box);
			if (!name)
				name = internet_address_get_name(ia);
			char *u = mail_to_utf8(name ? name : "", name ? strlen(name) : 0, "utf-8");
			m->from_name = mail_clean_line(u);
			free(u);
			if (strcmp(m->from_name, m->from_addr) == 0)
				m->from_name[0] = '\0';
			return;
		}
	}
	/* No address to answer ("From: foo", "From: MAILER DAEMON <>", none
	 * at all): the mail is still someone's words, kept under the name
	 * it gives, with nobody to mail back. */
	const char *raw = header(GMIME_OBJECT(msg), "From");
	if (!raw)
		raw = header(GMIME_OBJECT(msg), "Sender");
	char *decoded = raw ? g_mime_utils_header_decode_text(NULL, raw) : NULL;
	char *name = decoded ? mail_to_utf8(decoded, strlen(decoded), "utf-8") : xstrdup("");
	g_free(decoded);
	/* "Name <>" keeps the name only */
	char *lt = strchr(name, '<');
	if (lt)
		*lt = '\0';
	g_strstrip(name);
	size_t n = strlen(name);
	if (n >= 2 && name[0] == '"' && name[n - 1] == '"') {
		memmove(name, name + 1, n - 2);
		name[n - 2] = '\0';
	}
	char *clean = mail_clean_line(name);
	free(name);
	if (!*clean) {
		free(clean);
		clean = xstrdup("(unknown sender)");
	}
	m->from_name = clean;
}

/* Only valid msg-ids: a reference is looked up, and one day written. */
static void add_ref(struct mail_in *m, size_t *cap, const char *id)
{
	if (!mail_msgid_valid(id) || m->nrefs >= MAX_REFS)
		return;
	for (size_t i = 0; i < m->nrefs; i++)
		if (strcmp(m->refs[i], id) == 0)
			return;
	xgrow((void **)&m->refs, cap, m->nrefs + 1, sizeof *m->refs);
	m->refs[m->nrefs++] = xstrdup(id);
}

/* Every "<...>" of an In-Reply-To outside quoted strings and comments,
 * the last first.  MH and nmh write "Message from Joe <joe@x> of
 * "date." <id@host>", and with a bare address, an apostrophe or a
 * comma among the words GMime's parser gives up on the whole value; the
 * id is the last one, and an address among them matches no message. */
static void reply_to_ids(const char *v, struct mail_in *m, size_t *cap)
{
	char *found[MAX_REFS];
	size_t n = 0;
	int depth = 0;
	bool quoted = false;
	for (const char *p = v; *p; p++) {
		if (*p == '\\' && (quoted || depth) && p[1]) {
			p++;
		} else if (quoted) {
			quoted = *p != '"';
		} else if (*p == '"' && !depth) {
			quoted = true;
		} else if (*p == '(') {
			depth++;
		} else if (*p == ')' && depth) {
			depth--;
		} else if (*p == '<' && !depth) {
			const char *end = strchr(p + 1, '>');
			if (!end)
				break;
			struct strbuf b = {0};
			sb_add(&b, "");
			for (const char *q = p + 1; q < end; q++)
				if (*q != ' ' && *q != '\t' && *q != '\r' && *q != '\n')
					sb_addc(&b, *q);
			if (n < ARRAY_LEN(found))
				found[n++] = sb_take(&b);
			else
				sb_free(&b);
			p = end;
		}
	}
	while (n > 0) {
		n--;
		add_ref(m, cap, found[n]);
		free(found[n]);
	}
}

/* From the raw headers: an encoded word is never an id. */
static void references(GMimeMessage *msg, GMimeParserOptions *po, struct mail_in *m,
		       size_t *cap)
{
	const char *irt = raw_header(GMIME_OBJECT(msg), "In-Reply-To");
	if (irt)
		reply_to_ids(irt, m, cap);
	/* References lists the oldest first; the newest is the best guess. */
	const char *refs = raw_header(GMIME_OBJECT(msg), "References");
	GMimeReferences *r = refs ? g_mime_references_parse(po, refs) : NULL;
	for (int i = r ? g_mime_references_length(r) - 1 : -1; i >= 0; i--)
		add_ref(m, cap, g_mime_references_get_message_id(r, i));
	if (r)
		g_mime_references_free(r);
}

/* --- the MIME tree ----------------------------------------------------- */

struct walk {
	struct mail_in *m;
	size_t parts_cap;
	size_t *refs_cap;
	struct strbuf body;
	bool have_body;
	int nattach;
	const char *report; /* a delivery or disposition report seen: which */
	int in_report;      /* inside a multipart/report now */
};

/* RFC 3464 and 8098 say a machine wrote this, at whatever depth. */
static void note_report(struct walk *w, GMimeContentType *ct)
{
	static const char *const kinds[] = {"delivery-status", "global-delivery-status",
					    "disposition-notification",
					    "global-disposition-notification", NULL};
	if (!ct || w->report)
		return;
	if (g_mime_content_type_is_type(ct, "multipart", "report")) {
		w->report = "multipart/report";
		return;
	}
	for (const char *const *k = kinds; *k; k++)
		if (g_mime_content_type_is_type(ct, "message", *k))
			w->report = "a delivery report";
}

/* The Message-ID line of a text/rfc822-headers part: the message a
 * report is about, so a bounce of desk's own mail finds its ticket. */
static void returned_headers_id(struct walk *w, const unsigned char *data, size_t len)
{
	const char *p = (const char *)data, *end = p + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		if (eol - p > 11 && g_ascii_strncasecmp(p, "message-id:", 11) == 0) {
			char *raw = xstrndup(p + 11, (size_t)(eol - p - 11));
			char *id = mail_msgid_from_header(raw);
			if (id)
				add_ref(w->m, w->refs_cap, id);
			free(id);
			free(raw);
			return;
		}
		p = eol + 1;
	}
}

/* The decoded content of a leaf part (transfer encoding undone). */
static GByteArray *part_bytes(GMimePart *part, GMimeStream **keep)
{
	GMimeDataWrapper *w = g_mime_part_get_content(part);
	GMimeStream *mem = g_mime_stream_mem_new();
	if (w)
		g_mime_data_wrapper_write_to_stream(w, mem);
	*keep = mem;
	return g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
}

char *mail_safe_filename(const char *name, const char *type, int n)
{
	char *u = name ? mail_to_utf8(name, strlen(name), "utf-8") : xstrdup("");
	/* The last path component only: a name is never a place. */
	const char *base = u;
	for (const char *p = u; *p; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	struct strbuf b = {0};
	for (const char *p = base; *p && b.len < MAX_FILENAME; p++) {
		unsigned char c = (unsigned char)*p;
		if (c < 0x20 || c == 0x7f)
			sb_addc(&b, '_');
		else
			sb_addc(&b, (char)c);
	}
	free(u);
	char *s = sb_take(&b);
	if (s)
		g_strstrip(s);
	/* Cut at MAX_FILENAME may have split a character. */
	if (s) {
		char *v = clean_utf8(s, strlen(s));
		free(s);
		s = v;
	}
	/* A bidi override or an invisible character lets a name pose as
	 * another ("invoice<U+202E>fdp.exe" shows as "invoiceexe.pdf"). */
	for (const char *bad; s && (bad = text_first_unplain(s));) {
		size_t at = (size_t)(bad - s);
		size_t len = (size_t)(g_utf8_next_char(bad) - bad);
		s[at] = '_';
		memmove(s + at + 1, s + at + len, strlen(s + at + len) + 1);
	}
	while (s && s[0] == '.') /* no hidden files, no ".." */
		memmove(s, s + 1, strlen(s));
	if (!s || !*s) {
		free(s);
		const char *ext = strcmp(type, "message/rfc822") == 0 ? ".eml"
				  : strcmp(type, "text/plain") == 0    ? ".txt"
				  : strcmp(type, "text/html") == 0     ? ".html"
								       : "";
		s = xasprintf("attachment-%d%s", n, ext);
	}
	return s;
}

static void add_part(struct walk *w, const char *filename, const char *type,
		     const unsigned char *data, size_t len)
{
	struct mail_in *m = w->m;
	xgrow((void **)&m->parts, &w->parts_cap, m->nparts + 1, sizeof *m->parts);
	struct mail_part *p = &m->parts[m->nparts++];
	w->nattach++;
	p->content_type = g_ascii_strdown(type, -1);
	char *ct = xstrdup(p->content_type);
	g_free(p->content_type);
	p->content_type = ct;
	p->filename = mail_safe_filename(filename, ct, w->nattach);
	p->size = len;
	p->data = xmalloc(len ? len : 1);
	if (len)
		memcpy(p->data, data, len);
}

/* The charset an HTML document names in its head, <meta charset="x">
 * or <meta http-equiv="Content-Type" content="text/html; charset=x">,
 * as browsers read it (in the first 1024 bytes); NULL when none. */
static char *html_meta_charset(const unsigned char *data, size_t len)
{
	size_t n = len < 1024 ? len : 1024;
	for (size_t i = 0; i + 5 < n; i++) {
		if (data[i] != '<' || g_ascii_strncasecmp((const char *)data + i + 1, "meta", 4) != 0)
			continue;
		size_t end = i + 5;
		while (end < n && data[end] != '>')
			end++;
		for (size_t j = i + 5; j + 7 < end; j++) {
			if (g_ascii_strncasecmp((const char *)data + j, "charset", 7) != 0)
				continue;
			size_t k = j + 7;
			while (k < end && data[k] == ' ')
				k++;
			if (k >= end || data[k] != '=')
				continue;
			k++;
			while (k < end && (data[k] == ' ' || data[k] == '"' || data[k] == '\''))
				k++;
			size_t start = k;
			while (k < end && (g_ascii_isalnum(data[k]) || strchr("-_.:", data[k])))
				k++;
			if (k > start && k - start < 40)
				return xstrndup((const char *)data + start, k - start);
		}
		i = end;
	}
	return NULL;
}

static char *part_text(GMimePart *part, bool html)
{
	GMimeStream *mem;
	GByteArray *a = part_bytes(part, &mem);
	GMimeContentType *ct = g_mime_object_get_content_type(GMIME_OBJECT(part));
	const char *cs = ct ? g_mime_content_type_get_parameter(ct, "charset") : NULL;
	/* MIME's word first; an HTML part without one says it itself. */
	char *meta = html && str_empty(cs) ? html_meta_charset(a->data, a->len) : NULL;
	if (meta)
		cs = meta;
	char *u = mail_to_utf8((const char *)a->data, a->len, cs);
	free(meta);
	g_object_unref(mem);
	if (!html)
		return u;
	char *t = mail_html_to_text(u, strlen(u));
	free(u);
	return t;
}

static void add_body(struct walk *w, char *text)
{
	if (w->have_body && *text) {
		while (w->body.len && (w->body.s[w->body.len - 1] == '\n' ||
				       w->body.s[w->body.len - 1] == ' '))
			w->body.s[--w->body.len] = '\0';
		sb_add(&w->body, "\n\n");
	}
	sb_add(&w->body, text);
	w->have_body = true;
	free(text);
}

static void walk(struct walk *w, GMimeObject *o, int depth);

static void leaf(struct walk *w, GMimePart *part)
{
	GMimeObject *o = GMIME_OBJECT(part);
	GMimeContentType *ct = g_mime_object_get_content_type(o);
	char *type = ct ? g_mime_content_type_get_mime_type(ct) : g_strdup("text/plain");
	GMimeContentDisposition *cd = g_mime_object_get_content_disposition(o);
	bool attached = cd && g_mime_content_disposition_is_attachment(cd);
	const char *filename = g_mime_part_get_filename(part);
	bool plain = ct && g_mime_content_type_is_type(ct, "text", "plain");
	bool html = ct && g_mime_content_type_is_type(ct, "text", "html");
	/* A named text part after the body is a file someone attached. */
	bool text_body = (plain || html) && !attached && !(filename && w->have_body);
	if (text_body) {
		add_body(w, part_text(part, html));
	} else {
		GMimeStream *mem;
		GByteArray *a = part_bytes(part, &mem);
		if (w->in_report && ct && g_mime_content_type_is_type(ct, "text", "rfc822-headers"))
			returned_headers_id(w, a->data, a->len);
		add_part(w, filename, type, a->data, a->len);
		g_object_unref(mem);
	}
	g_free(type);
}

/* multipart/alternative: the plain text if there is one, else HTML,
 * else the richest part that holds either. */
static void alternative(struct walk *w, GMimeMultipart *mp, int depth)
{
	int n = g_mime_multipart_get_count(mp);
	GMimeObject *html = NULL, *nested = NULL;
	for (int i = 0; i < n; i++) {
		GMimeObject *c = g_mime_multipart_get_part(mp, i);
		GMimeContentType *ct = g_mime_object_get_content_type(c);
		if (GMIME_IS_PART(c) && ct && g_mime_content_type_is_type(ct, "text", "plain")) {
			leaf(w, GMIME_PART(c));
			return;
		}
		if (GMIME_IS_PART(c) && ct && g_mime_content_type_is_type(ct, "text", "html"))
			html = c;
		else if (GMIME_IS_MULTIPART(c) && !nested)
			nested = c;
	}
	if (html)
		leaf(w, GMIME_PART(html));
	else if (nested)
		walk(w, nested, depth + 1);
	else if (n > 0)
		walk(w, g_mime_multipart_get_part(mp, 0), depth + 1);
}

static void walk(struct walk *w, GMimeObject *o, int depth)
{
	if (!o || depth > MAX_DEPTH)
		return;
	note_report(w, g_mime_object_get_content_type(o));
	if (GMIME_IS_MESSAGE_PART(o)) {
		GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(o));
		if (inner && w->in_report) {
			char *id = mail_msgid_from_header(
				raw_header(GMIME_OBJECT(inner), "Message-ID"));
			if (id)
				add_ref(w->m, w->refs_cap, id);
			free(id);
		}
		GMimeStream *mem = g_mime_stream_mem_new();
		if (inner)
			g_mime_object_write_to_stream(GMIME_OBJECT(inner), NULL, mem);
		GByteArray *a = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
		const char *subj = inner ? g_mime_message_get_subject(inner) : NULL;
		char *name = subj && *subj ? g_strdup_printf("%s.eml", subj) : NULL;
		GMimeContentDisposition *cd = g_mime_object_get_content_disposition(o);
		const char *fn = cd ? g_mime_content_disposition_get_parameter(cd, "filename")
				    : NULL;
		add_part(w, fn ? fn : name, "message/rfc822", a->data, a->len);
		g_free(name);
		g_object_unref(mem);
		return;
	}
	if (GMIME_IS_MULTIPART(o)) {
		GMimeMultipart *mp = GMIME_MULTIPART(o);
		GMimeContentType *ct = g_mime_object_get_content_type(o);
		if (ct && g_mime_content_type_is_type(ct, "multipart", "alternative")) {
			alternative(w, mp, depth);
			return;
		}
		int n = g_mime_multipart_get_count(mp);
		/* A signature says nothing a person reads. */
		if (ct && g_mime_content_type_is_type(ct, "multipart", "signed") && n > 0)
			n = 1;
		bool report = ct && g_mime_content_type_is_type(ct, "multipart", "report");
		w->in_report += report;
		for (int i = 0; i < n; i++)
			walk(w, g_mime_multipart_get_part(mp, i), depth + 1);
		w->in_report -= report;
		return;
	}
	if (GMIME_IS_PART(o))
		leaf(w, GMIME_PART(o));
}

/* --- the whole message ------------------------------------------------- */

static char *digest_id(const char *data, size_t len)
{
	gchar *sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)data, len);
	char *id = xasprintf("desk-sha256-%.40s@desk.invalid", sum);
	g_free(sum);
	return id;
}

/* Bytes that can never start an RFC 5322 message: no header line. */
static bool has_header(const char *data, size_t len)
{
	size_t i = 0;
	/* An mbox "From " line before the headers is common in pipes. */
	if (len > 5 && strncmp(data, "From ", 5) == 0) {
		const char *nl = memchr(data, '\n', len);
		if (!nl)
			return false;
		i = (size_t)(nl - data) + 1;
	}
	size_t start = i;
	while (i < len && data[i] != ':' && data[i] != '\n' && (unsigned char)data[i] > ' ')
		i++;
	return i > start && i < len && data[i] == ':';
}

/* Raw 8-bit header text (no encoded words) that is not UTF-8 is read in
 * the charset named by `declared` (the message's own), then
 * windows-1252; NULL: UTF-8, then windows-1252. */
static GMimeParserOptions *parser_options(const char *declared)
{
	GMimeParserOptions *po = g_mime_parser_options_new();
	const char *fallback[] = {"utf-8", declared ? declared : "windows-1252",
				  declared ? "windows-1252" : NULL, NULL};
	g_mime_parser_options_set_fallback_charsets(po, fallback);
	g_mime_parser_options_set_rfc2047_compliance_mode(po, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_address_compliance_mode(po, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_parameter_compliance_mode(po, GMIME_RFC_COMPLIANCE_LOOSE);
	return po;
}

static GMimeMessage *construct(const char *data, size_t len, GMimeParserOptions *po)
{
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(data, len);
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	g_mime_parser_set_format(parser, len > 5 && strncmp(data, "From ", 5) == 0
						 ? GMIME_FORMAT_MBOX
						 : GMIME_FORMAT_MESSAGE);
	GMimeMessage *msg = g_mime_parser_construct_message(parser, po);
	g_object_unref(parser);
	g_object_unref(stream);
	return msg;
}

/* Encoded words of the message's header block labelled ISO-8859-1 (or
 * an alias), relabelled windows-1252, as desk-mail(7) reads bodies:
 * mail that says Latin-1 is written in windows-1252 in practice, and
 * read strictly its curly quotes and dashes become C1 controls.  A new
 * buffer (its length in *out_len), or NULL when there is none. */
static char *latin1_words_relabelled(const char *data, size_t len, size_t *out_len)
{
	size_t end = 0;
	while (end < len && !(data[end] == '\n' && end + 1 < len &&
			      (data[end + 1] == '\n' ||
			       (data[end + 1] == '\r' && end + 2 < len && data[end + 2] == '\n'))))
		end++;
	struct strbuf b = {0};
	size_t copied = 0;
	for (size_t i = 0; i + 2 < end; i++) {
		if (data[i] != '=' || data[i + 1] != '?')
			continue;
		size_t cs = i + 2, ce = cs;
		while (ce < end && ce - cs < 32 && data[ce] != '?' && data[ce] != '*' &&
		       (unsigned char)data[ce] > ' ')
			ce++;
		if (ce >= end || (data[ce] != '?' && data[ce] != '*') || ce == cs)
			continue;
		char name[33];
		memcpy(name, data + cs, ce - cs);
		name[ce - cs] = '\0';
		if (!is_latin1(name))
			continue;
		if (!b.s)
			sb_add(&b, "");
		sb_addn(&b, data + copied, cs - copied);
		sb_add(&b, "windows-1252");
		copied = ce;
		i = ce;
	}
	if (!b.s)
		return NULL;
	sb_addn(&b, data + copied, len - copied);
	*out_len = b.len;
	return sb_take(&b);
}

/* The charset a message declares for its text: its own Content-Type's,
 * else its first text part's. */
static const char *declared_charset(GMimeObject *o, int depth)
{
	if (!o || depth > 8)
		return NULL;
	GMimeContentType *ct = g_mime_object_get_content_type(o);
	const char *cs = ct ? g_mime_content_type_get_parameter(ct, "charset") : NULL;
	if (!str_empty(cs))
		return cs;
	if (GMIME_IS_MULTIPART(o)) {
		GMimeMultipart *mp = GMIME_MULTIPART(o);
		for (int i = 0; i < g_mime_multipart_get_count(mp); i++)
			if ((cs = declared_charset(g_mime_multipart_get_part(mp, i), depth + 1)))
				return cs;
	}
	return NULL;
}

/* The charset to read the message's raw 8-bit headers in again, a new
 * string, or NULL when the first reading (UTF-8, then windows-1252)
 * was right: no such header, or a message that declares nothing else. */
static char *header_charset_to_retry(GMimeMessage *msg)
{
	static const char *const names[] = {"Subject", "From", "Sender", "Reply-To"};
	bool eight_bit = false;
	for (size_t i = 0; i < ARRAY_LEN(names) && !eight_bit; i++) {
		const char *v = raw_header(GMIME_OBJECT(msg), names[i]);
		if (!v)
			continue;
		bool high = false;
		for (const char *p = v; *p && !high; p++)
			high = (unsigned char)*p >= 0x80;
		eight_bit = high && !g_utf8_validate(v, -1, NULL);
	}
	GMimeObject *top = GMIME_OBJECT(msg);
	GMimeContentType *ct = g_mime_object_get_content_type(top);
	const char *cs = ct ? g_mime_content_type_get_parameter(ct, "charset") : NULL;
	if (str_empty(cs))
		cs = declared_charset(g_mime_message_get_mime_part(msg), 0);
	if (!eight_bit || str_empty(cs) || is_latin1(cs) || strcasecmp(cs, "utf-8") == 0 ||
	    strcasecmp(cs, "utf8") == 0 || strcasecmp(cs, "windows-1252") == 0)
		return NULL;
	return xstrdup(cs);
}

int mail_parse(const char *data, size_t len, const char *self, struct mail_in *out,
	       struct derr *e)
{
	memset(out, 0, sizeof *out);
	if (!data || len == 0)
		return derr_set(e, DESK_EINVAL, "the message is empty");
	if (!has_header(data, len))
		return derr_set(e, DESK_EINVAL,
				"not a mail message: it does not start with a header line");
	mail_lib_init();
	size_t plen = len;
	char *relabelled = latin1_words_relabelled(data, len, &plen);
	const char *pdata = relabelled ? relabelled : data;
	GMimeParserOptions *po = parser_options(NULL);
	GMimeMessage *msg = construct(pdata, plen, po);
	char *retry = msg ? header_charset_to_retry(msg) : NULL;
	if (retry) {
		g_object_unref(msg);
		g_mime_parser_options_free(po);
		po = parser_options(retry);
		msg = construct(pdata, plen, po);
		free(retry);
	}
	free(relabelled);
	if (!msg) {
		g_mime_parser_options_free(po);
		return derr_set(e, DESK_EINVAL, "not a mail message: GMime could not parse it");
	}

	/* The raw header: an encoded word decoding to CR LF is no id. */
	out->message_id = mail_msgid_from_header(raw_header(GMIME_OBJECT(msg), "Message-ID"));
	if (!out->message_id)
		out->message_id = digest_id(data, len);
	size_t refs_cap = 0;
	references(msg, po, out, &refs_cap);
	sender(msg, out);
	const char *subj = g_mime_message_get_subject(msg);
	char *u = mail_to_utf8(subj ? subj : "", subj ? strlen(subj) : 0, "utf-8");
	out->subject = mail_clean_line(u);
	free(u);

	char *self_addr = NULL;
	if (self) {
		InternetAddressList *l = internet_address_list_parse(po, self);
		InternetAddress *ia = l && internet_address_list_length(l) > 0
					      ? internet_address_list_get_address(l, 0)
					      : NULL;
		if (ia && INTERNET_ADDRESS_IS_MAILBOX(ia))
			self_addr = xstrdup(
				internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia)));
		if (l)
			g_object_unref(l);
	}
	const char *why = machine_sent(msg, out->from_addr, out->subject, self_addr);
	free(self_addr);

	struct walk w = {.m = out, .refs_cap = &refs_cap};
	sb_add(&w.body, "");
	walk(&w, g_mime_message_get_mime_part(msg), 0);
	out->body = sb_take(&w.body);
	if (!why)
		why = w.report;
	out->automatic = why != NULL;
	out->auto_reason = xstrdup(why);

	g_object_unref(msg);
	g_mime_parser_options_free(po);
	return DESK_OK;
}
