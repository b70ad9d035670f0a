/* text.c: untrusted text made safe for the terminal (text_sanitize), and
 * measured, clipped and wrapped by display width.  See text.h. */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "text.h"
#include "util.h"

#define REPLACEMENT 0xFFFDu
#define ELLIPSIS "\xe2\x80\xa6" /* U+2026, one column */

/* Decodes one code point from the NUL-terminated s.  Anything that is not
 * strict UTF-8 (overlongs, surrogates, > U+10FFFF, truncated sequences)
 * gives U+FFFD and consumes only its maximal subpart, as Unicode
 * recommends, so a stray lead byte never swallows the valid text or the
 * newline after it.  Returns the bytes consumed, at least 1; a NUL is
 * never a continuation byte, so this never reads past the string. */
static size_t utf8_decode(const char *str, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned char b = s[0], lo = 0x80, hi = 0xBF;
	size_t need;
	uint32_t c;

	if (b < 0x80) {
		*cp = b;
		return 1;
	}
	if (b >= 0xC2 && b <= 0xDF) {
		need = 1;
		c = b & 0x1F;
	} else if (b >= 0xE0 && b <= 0xEF) {
		need = 2;
		c = b & 0x0F;
		if (b == 0xE0)
			lo = 0xA0; /* below is overlong */
		else if (b == 0xED)
			hi = 0x9F; /* above is a surrogate */
	} else if (b >= 0xF0 && b <= 0xF4) {
		need = 3;
		c = b & 0x07;
		if (b == 0xF0)
			lo = 0x90; /* below is overlong */
		else if (b == 0xF4)
			hi = 0x8F; /* above is past U+10FFFF */
	} else {
		/* 0x80-0xC1 (continuation or overlong lead) and 0xF5-0xFF */
		*cp = REPLACEMENT;
		return 1;
	}
	for (size_t i = 1; i <= need; i++) {
		if (s[i] < lo || s[i] > hi) {
			*cp = REPLACEMENT;
			return i;
		}
		c = c << 6 | (s[i] & 0x3F);
		lo = 0x80;
		hi = 0xBF;
	}
	*cp = c;
	return need + 1;
}

static void utf8_put(struct strbuf *b, uint32_t c)
{
	char u[4];
	size_t n;

	if (c < 0x80) {
		u[0] = (char)c;
		n = 1;
	} else if (c < 0x800) {
		u[0] = (char)(0xC0 | c >> 6);
		u[1] = (char)(0x80 | (c & 0x3F));
		n = 2;
	} else if (c < 0x10000) {
		u[0] = (char)(0xE0 | c >> 12);
		u[1] = (char)(0x80 | (c >> 6 & 0x3F));
		u[2] = (char)(0x80 | (c & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | c >> 18);
		u[1] = (char)(0x80 | (c >> 12 & 0x3F));
		u[2] = (char)(0x80 | (c >> 6 & 0x3F));
		u[3] = (char)(0x80 | (c & 0x3F));
		n = 4;
	}
	sb_addn(b, u, n);
}

/* Invisible characters that reorder or hide the text around them: a
 * customer could make a line read differently from what it contains
 * ("Trojan Source"), so they go (a BOM at the very start too).  Only
 * when nothing visible would be left are they shown instead. */
static bool is_dropped(uint32_t c)
{
	return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) ||
	       c == 0x061C || c == 0x200E || c == 0x200F;
}

/* Characters that draw nothing, or only blank, wherever they are: they
 * hide text (a "blank" name, words smuggled in tag characters), so they
 * are always shown as "<U+200B>". */
static bool is_invisible(uint32_t c)
{
	return c == 0x00AD || c == 0x034F || c == 0x115F || c == 0x1160 || c == 0x17B4 ||
	       c == 0x17B5 || (c >= 0x180B && c <= 0x180F) || c == 0x200B || c == 0x2028 ||
	       c == 0x2029 || (c >= 0x2060 && c <= 0x2064) || (c >= 0x206A && c <= 0x206F) ||
	       c == 0x2800 || c == 0x3164 || c == 0xFEFF || c == 0xFFA0 ||
	       (c >= 0xFFF9 && c <= 0xFFFB) || (c >= 0x1BCA0 && c <= 0x1BCA3) ||
	       (c >= 0x1D173 && c <= 0x1D17A) || (c >= 0xE0000 && c <= 0xE007F);
}

/* Spaces other than ASCII's: shown as they are, unless they are all
 * there is (then a name would look blank). */
static bool is_other_space(uint32_t c)
{
	return c == 0x00A0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x202F ||
	       c == 0x205F || c == 0x3000;
}

/* Emoji and the symbol blocks terminals draw as emoji (roughly Unicode's
 * Extended_Pictographic): what a ZWJ would glue into one glyph. */
static bool is_pictographic(uint32_t c)
{
	return (c >= 0x2190 && c <= 0x2BFF) || (c >= 0x1F000 && c <= 0x1FAFF) || c == 0x00A9 ||
	       c == 0x00AE || c == 0x203C || c == 0x2049 || c == 0x2122 || c == 0x2139 ||
	       c == 0x3030 || c == 0x303D || c == 0x3297 || c == 0x3299;
}

static bool is_regional(uint32_t c)
{
	return c >= 0x1F1E6 && c <= 0x1F1FF;
}

static bool is_skin_tone(uint32_t c)
{
	return c >= 0x1F3FB && c <= 0x1F3FF;
}

/* Columns a code point takes.  Non-printables only reach here in text
 * that was not sanitized; the sanitizer would show them as at least one
 * column, and a width must never be negative for the layout code. */
static int cp_width(uint32_t c)
{
	int w = wcwidth((wchar_t)c);
	return w < 0 ? 1 : w;
}

static int sat_add(int a, int b)
{
	return a > INT_MAX - b ? INT_MAX : a + b;
}

/* Length of the character at s (which must not be at its NUL) together
 * with the zero-width code points after it: combining marks, ZWJ,
 * variation selectors; and a flag's pair of letters.  Cutting between
 * them would draw a mark on the wrong base, so every measure below
 * works in these units.  A newline
 * has no width 0, so it is never taken along. */
static size_t next_cluster(const char *s, int *width)
{
	uint32_t c;
	size_t n = utf8_decode(s, &c);

	*width = cp_width(c);
	if (is_regional(c) && s[n]) {
		/* a flag's two letters: a lone one draws wider in some
		 * terminals, so a cut never parts them */
		uint32_t d;
		size_t m = utf8_decode(s + n, &d);
		if (is_regional(d)) {
			n += m;
			*width += cp_width(d);
		}
	}
	while (s[n]) {
		size_t m = utf8_decode(s + n, &c);
		if (wcwidth((wchar_t)c) != 0)
			break;
		n += m;
	}
	return n;
}

/* True when s shows nothing: only ASCII blanks, other spaces and
 * dropped characters, at least one of the latter two (plain ASCII
 * spaces are left as they are). */
static bool only_hidden(const char *s)
{
	bool hidden = false;
	while (*s) {
		uint32_t c;
		s += utf8_decode(s, &c);
		if (c == ' ' || c == '\t' || c == '\n')
			continue;
		if (!is_dropped(c) && !is_other_space(c) && c != 0xFEFF)
			return false;
		hidden = true;
	}
	return hidden;
}

/* "<U+200B>"; *w receives its width. */
static void put_marker(struct strbuf *b, uint32_t c, int *w)
{
	size_t before = b->len;
	sb_addf(b, "<U+%04X>", (unsigned)c);
	*w = (int)(b->len - before);
}

/* Whether c draws something of its own (a base a joiner may follow). */
static bool draws(uint32_t c)
{
	return c > 0x20 && c != 0x7F && !(c >= 0x80 && c <= 0x9F) && wcwidth((wchar_t)c) > 0 &&
	       !is_invisible(c) && !is_other_space(c);
}

/* What a terminal draws depends on more than each code point's width:
 * one that knows emoji draws a ZWJ sequence, a skin tone on its base, a
 * flag's letter pair and VS16 as one double-width glyph; one that does
 * not draws the parts.  Desk cannot know which it runs in, so it prints
 * only what every terminal draws at wcwidth's count: a ZWJ next to an
 * emoji, a skin tone after a base and VS15/VS16 are dropped (the parts
 * are shown and the pane border stays put), a flag's letters are kept
 * in pairs and a letter without its pair is shown as "<U+1F1E6>".  A
 * zero-width character with nothing drawn before it (a combining mark
 * or variation selector alone, a joiner at an edge) would land on
 * whatever the terminal has there, so it is shown as "<U+XXXX>" too. */
char *text_sanitize(const char *s, int flags)
{
	struct strbuf b = {0};
	/* Only the column modulo 8 matters (for tabs); keeping just that
	 * means no overflow however long the line. */
	int col = 0;
	/* The last character drawn when it can carry a mark (else 0), and
	 * whether it was a flag letter waiting for its pair. */
	uint32_t base = 0;
	bool flag_open = false;
	bool reveal = s && only_hidden(s);
	bool first = true;

	if (!s)
		return sb_take(&b);
	while (*s) {
		uint32_t c, next = 0, shown = 0;
		int w = 0;
		bool at_start = first;

		first = false;
		s += utf8_decode(s, &c);
		if (*s)
			utf8_decode(s, &next);
		if (c == '\n' && (flags & SAN_KEEP_NEWLINES)) {
			sb_addc(&b, '\n');
			col = 0;
			base = 0;
			flag_open = false;
			continue;
		}
		if (c == '\t') {
			for (w = 8 - col; w > 0; w--)
				sb_addc(&b, ' ');
			col = 0;
			base = 0;
			flag_open = false;
			continue;
		}
		if (c < 0x20 || c == 0x7F) {
			sb_addc(&b, '^');
			sb_addc(&b, c == 0x7F ? '?' : (char)(c + 0x40));
			w = 2;
		} else if (c >= 0x80 && c <= 0x9F) {
			put_marker(&b, c, &w);
		} else if (is_dropped(c) || (c == 0xFEFF && at_start)) {
			if (!reveal)
				continue; /* the base stays what it was */
			put_marker(&b, c, &w);
		} else if (is_other_space(c)) {
			if (reveal) {
				put_marker(&b, c, &w);
			} else {
				utf8_put(&b, c);
				w = cp_width(c);
			}
		} else if (is_invisible(c)) {
			put_marker(&b, c, &w);
		} else if (c == 0x200D || c == 0x200C) {
			/* Between letters a joiner shapes Arabic or Indic
			 * script; next to an emoji it glues a glyph whose
			 * width terminals disagree on; at an edge it hides. */
			bool joins = base && draws(next);
			if (joins && (is_pictographic(base) || is_regional(base) ||
				      is_pictographic(next) || is_regional(next) || is_skin_tone(next)))
				continue;
			if (joins) {
				utf8_put(&b, c);
				shown = base;
			} else {
				put_marker(&b, c, &w);
			}
		} else if ((c == 0xFE0E || c == 0xFE0F) && base) {
			continue;
		} else if (is_skin_tone(c) && base >= 0x80) {
			continue;
		} else if (is_regional(c)) {
			if (flag_open || is_regional(next)) {
				utf8_put(&b, c);
				w = cp_width(c);
				shown = c;
				col = (col + w) % 8;
				flag_open = !flag_open;
				base = shown;
				continue;
			}
			put_marker(&b, c, &w);
		} else {
			w = wcwidth((wchar_t)c);
			if (w < 0) {
				c = REPLACEMENT;
				w = 1;
			}
			if (w == 0 && !base) {
				put_marker(&b, c, &w);
			} else {
				utf8_put(&b, c);
				shown = w == 0 ? base : c == ' ' ? 0 : c;
			}
		}
		flag_open = false;
		base = shown;
		col = (col + w) % 8;
	}
	return sb_take(&b);
}

int text_width(const char *s)
{
	int w = 0;

	if (!s)
		return 0;
	while (*s) {
		uint32_t c;
		s += utf8_decode(s, &c);
		w = sat_add(w, cp_width(c));
	}
	return w;
}

size_t text_fit(const char *s, int cols, int *used)
{
	size_t n = 0;
	int w = 0;

	while (s && s[n]) {
		int cw;
		size_t len = next_cluster(s + n, &cw);
		if (cw > cols - w)
			break;
		n += len;
		w += cw;
	}
	if (used)
		*used = w;
	return n;
}

char *text_clip(const char *s, int cols, bool pad)
{
	struct strbuf b = {0};
	int used;
	size_t n;

	if (!s)
		s = "";
	if (cols < 0)
		cols = 0;
	n = text_fit(s, cols, &used);
	if (!s[n]) {
		sb_addn(&b, s, n);
	} else if (cols > 0) {
		/* Cut one column earlier to make room for the ellipsis;
		 * a wide character there may leave a column for padding. */
		n = text_fit(s, cols - 1, &used);
		sb_addn(&b, s, n);
		sb_add(&b, ELLIPSIS);
		used++;
	}
	for (; pad && used < cols; used++)
		sb_addc(&b, ' ');
	return sb_take(&b);
}

struct lines {
	char **v;
	size_t n, cap;
};

static void lines_push(struct lines *l, struct strbuf *line)
{
	void *v = l->v;

	xgrow(&v, &l->cap, l->n + 1, sizeof *l->v);
	l->v = v;
	l->v[l->n++] = sb_take(line);
}

static bool is_space(const char *s, size_t len)
{
	/* A space carrying a combining mark is a visible character. */
	return len == 1 && *s == ' ';
}

/* Wraps one line of the input, [p, end) where *end is '\n' or NUL.
 * Spaces are written lazily, just before the next word on the same
 * line, so the spaces at a break are dropped without backtracking. */
static void wrap_para(struct lines *out, const char *p, const char *end,
		      int cols)
{
	struct strbuf line = {0};
	int w = 0, spaces = 0;

	while (p < end) {
		const char *word = p;
		int ww = 0, cw;
		size_t len = next_cluster(p, &cw);

		if (is_space(p, len)) {
			/* More than a line's worth never fits anyway. */
			if (spaces < cols)
				spaces++;
			p++;
			continue;
		}
		while (p < end) {
			len = next_cluster(p, &cw);
			if (is_space(p, len))
				break;
			p += len;
			ww = sat_add(ww, cw);
		}

		if (line.len && ww > cols - w - spaces) {
			lines_push(out, &line);
			w = spaces = 0;
		} else if (!line.len && ww > cols - spaces) {
			/* Indentation that leaves no room for the first
			 * word is dropped rather than wrapped alone. */
			spaces = 0;
		}
		if (ww <= cols - w - spaces) {
			for (; spaces > 0; spaces--, w++)
				sb_addc(&line, ' ');
			sb_addn(&line, word, (size_t)(p - word));
			w += ww;
			continue;
		}

		/* Longer than a whole line (which is empty here): split by
		 * characters.  A character wider than the line still gets a
		 * line of its own, so there is always progress. */
		for (const char *q = word; q < p; q += len) {
			len = next_cluster(q, &cw);
			if (line.len && cw > cols - w) {
				lines_push(out, &line);
					w = 0;
			}
			sb_addn(&line, q, len);
			w += cw;
		}
	}
	lines_push(out, &line);
}

size_t text_wrap(const char *s, int cols, char ***lines)
{
	struct lines out = {0};

	if (!s)
		s = "";
	if (cols < 1)
		cols = 1;
	for (;;) {
		const char *nl = strchr(s, '\n');
		const char *end = nl ? nl : s + strlen(s);

		wrap_para(&out, s, end, cols);
		if (!nl)
			break;
		s = nl + 1;
	}
	*lines = out.v;
	return out.n;
}

void text_lines_free(char **lines, size_t n)
{
	if (!lines)
		return;
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

char *text_utf8_fix(const char *s)
{
	struct strbuf b = {0};
	sb_add(&b, "");
	for (const char *p = s ? s : ""; *p;) {
		uint32_t c;
		size_t n = utf8_decode(p, &c);
		if (c == REPLACEMENT)
			utf8_put(&b, c);
		else
			sb_addn(&b, p, n);
		p += n;
	}
	return sb_take(&b);
}

bool text_is_utf8(const char *s)
{
	for (const char *p = s ? s : ""; *p;) {
		if ((unsigned char)*p < 0x80) {
			p++;
			continue;
		}
		uint32_t c;
		size_t n = utf8_decode(p, &c);
		/* a real U+FFFD in the text is valid; a decoding error is not */
		if (c == REPLACEMENT && !(n == 3 && memcmp(p, "\xEF\xBF\xBD", 3) == 0))
			return false;
		p += n;
	}
	return true;
}

const char *text_first_unplain(const char *s)
{
	for (const char *p = s ? s : ""; *p;) {
		unsigned char b = (unsigned char)*p;
		if (b < 0x80) {
			if ((b < 0x20 && b != '\n' && b != '\t') || b == 0x7F)
				return p;
			p++;
			continue;
		}
		uint32_t c;
		size_t n = utf8_decode(p, &c);
		if ((c == REPLACEMENT && !(n == 3 && memcmp(p, "\xEF\xBF\xBD", 3) == 0)) ||
		    (c >= 0x80 && c <= 0x9F) || is_dropped(c) || is_invisible(c))
			return p;
		p += n;
	}
	return NULL;
}

/* The ASCII look-alike of a character a non-UTF-8 terminal cannot show. */
static char ascii_look_alike(uint32_t c)
{
	if (c >= 0x2500 && c <= 0x257F) { /* box drawing */
		switch (c) {
		case 0x2500: case 0x2501: case 0x2504: case 0x2505: case 0x2508:
		case 0x2509: case 0x254C: case 0x254D: case 0x2550:
			return '-';
		case 0x2502: case 0x2503: case 0x2506: case 0x2507: case 0x250A:
		case 0x250B: case 0x254E: case 0x254F: case 0x2551:
			return '|';
		default:
			return '+';
		}
	}
	switch (c) {
	case 0x00A0: return ' ';
	case 0x00B7: case 0x2026: case 0x2022: case 0x2219: return '.';
	case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014: case 0x2212: return '-';
	case 0x2018: case 0x2019: case 0x201A: return '\'';
	case 0x201C: case 0x201D: case 0x201E: return '"';
	case 0x2190: return '<';
	case 0x2192: return '>';
	case 0x2191: case 0x25B2: return '^';
	case 0x2193: case 0x25BC: return 'v';
	case 0x270E: case 0x2605: case 0x2606: return '*';
	default: return '?';
	}
}

char *text_ascii(const char *s)
{
	struct strbuf b = {0};
	for (const char *p = s ? s : ""; *p;) {
		uint32_t c;
		size_t n = utf8_decode(p, &c);
		sb_addc(&b, c < 0x80 ? (char)c : ascii_look_alike(c));
		p += n;
	}
	return sb_take(&b);
}

/* Printed raw, these drive a terminal (C1: CSI, OSC), end a line in
 * JavaScript (U+2028/9) or reorder what is shown (bidi). */
static bool json_must_escape(uint32_t c)
{
	return (c >= 0x7F && c <= 0x9F) || c == 0x2028 || c == 0x2029 || is_dropped(c);
}

char *text_json_safe(const char *json)
{
	struct strbuf b = {0};
	sb_add(&b, "");
	for (const char *p = json ? json : ""; *p;) {
		/* A run of ASCII (below DEL) goes at once: a report's JSON is
		 * megabytes of it, a copy per character cost it 5-10 %. */
		size_t run = 0;
		while (p[run] && (unsigned char)p[run] < 0x7F)
			run++;
		if (run) {
			sb_addn(&b, p, run);
			p += run;
			continue;
		}
		uint32_t c;
		size_t n = utf8_decode(p, &c);
		if (json_must_escape(c))
			sb_addf(&b, "\\u%04x", (unsigned)c);
		else
			sb_addn(&b, p, n);
		p += n;
	}
	return sb_take(&b);
}
