/* test_text.c: the sanitizer (escape sequences, controls, bidi, invalid
 * UTF-8), display widths, and fitting, clipping and wrapping by width. */
#include <check.h>
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "text.h"
#include "util.h"

#define FFFD "\xef\xbf\xbd"

static char *saved_locale;

/* wcwidth follows LC_CTYPE; the program gets a UTF-8 one from the
 * environment, the tests must not depend on the environment. */
static void setup(void)
{
	saved_locale = xstrdup(setlocale(LC_CTYPE, NULL));
	ck_assert_ptr_nonnull(setlocale(LC_CTYPE, "C.UTF-8"));
}

static void teardown(void)
{
	setlocale(LC_CTYPE, saved_locale);
	xfree(&saved_locale);
}

#define SAN(in, flags, want)                                                   \
	do {                                                                   \
		char *got_ = text_sanitize((in), (flags));                     \
		ck_assert_str_eq(got_, (want));                                \
		free(got_);                                                    \
	} while (0)

#define CLIP(in, cols, pad, want)                                              \
	do {                                                                   \
		char *got_ = text_clip((in), (cols), (pad));                   \
		ck_assert_str_eq(got_, (want));                                \
		free(got_);                                                    \
	} while (0)

static void check_wrap(const char *in, int cols, const char **want, size_t n)
{
	char **lines;
	size_t got = text_wrap(in, cols, &lines);

	ck_assert_msg(got == n, "wrap(\"%s\", %d): %zu lines, want %zu", in, cols,
		      got, n);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(strcmp(lines[i], want[i]) == 0,
			      "wrap(\"%s\", %d) line %zu: \"%s\", want \"%s\"", in,
			      cols, i, lines[i], want[i]);
	text_lines_free(lines, got);
}

#define WRAP(in, cols, ...)                                                    \
	check_wrap((in), (cols), (const char *[]){__VA_ARGS__},                \
		   ARRAY_LEN(((const char *[]){__VA_ARGS__})))

/* Sanitizer */

START_TEST(san_passes_ordinary_text)
{
	SAN("hello, world", 0, "hello, world");
	SAN("h\xc3\xa9llo \xe6\xbc\xa2\xe5\xad\x97 \xf0\x9f\x98\x80", 0,
	    "h\xc3\xa9llo \xe6\xbc\xa2\xe5\xad\x97 \xf0\x9f\x98\x80");
	SAN("e\xcc\x81", 0, "e\xcc\x81");
	SAN("\xc2\xa0nbsp", 0, "\xc2\xa0nbsp");
	SAN("", 0, "");
	SAN(NULL, 0, "");
	SAN(NULL, SAN_KEEP_NEWLINES, "");
}
END_TEST

START_TEST(san_csi_colour)
{
	SAN("\x1b[31mred\x1b[0m", 0, "^[[31mred^[[0m");
	SAN("\x1b[38;5;196mx\x1b[m", 0, "^[[38;5;196mx^[[m");
}
END_TEST

START_TEST(san_cursor_movement)
{
	SAN("\x1b[2J\x1b[Hgone", 0, "^[[2J^[[Hgone");
	SAN("a\x1b[10;5Hb\x1b[Ac\x1b" "7\x1b" "8", 0, "a^[[10;5Hb^[[Ac^[7^[8");
}
END_TEST

START_TEST(san_osc_title)
{
	SAN("\x1b]0;pwned\x07", 0, "^[]0;pwned^G");
	SAN("\x1b]2;x\x1b\\", 0, "^[]2;x^[\\");
}
END_TEST

START_TEST(san_osc52_clipboard)
{
	SAN("\x1b]52;c;Y3VybCBldmlsfHNo\x07", 0, "^[]52;c;Y3VybCBldmlsfHNo^G");
	SAN("\x1b]52;c;?\x1b\\", 0, "^[]52;c;?^[\\");
}
END_TEST

START_TEST(san_c0_and_del)
{
	SAN("ding\x07", 0, "ding^G");
	SAN("safe\rEVIL", 0, "safe^MEVIL");
	SAN("abc\b\b\bxyz", 0, "abc^H^H^Hxyz");
	SAN("a\x7f", 0, "a^?");
	SAN("\x01\x1a\x1c\x1f", 0, "^A^Z^\\^_");
	SAN("\x0b\x0c", SAN_KEEP_NEWLINES, "^K^L");
}
END_TEST

START_TEST(san_newlines)
{
	SAN("a\nb", 0, "a^Jb");
	SAN("a\nb\n", SAN_KEEP_NEWLINES, "a\nb\n");
	/* CR is never a line ending here: it could overwrite the line. */
	SAN("a\r\nb", SAN_KEEP_NEWLINES, "a^M\nb");
}
END_TEST

START_TEST(san_tabs)
{
	SAN("\tx", 0, "        x");
	SAN("ab\tc", 0, "ab      c");
	SAN("abcdefgh\tx", 0, "abcdefgh        x");
	/* Columns, not bytes or code points. */
	SAN("\xe6\xbc\xa2\tx", 0, "\xe6\xbc\xa2      x");
	SAN("e\xcc\x81\tx", 0, "e\xcc\x81       x");
	SAN("\x1b\tx", 0, "^[      x");
	SAN("\xc2\x9b\tx", 0, "<U+009B>        x");
	/* A kept newline starts a new line; ^J does not. */
	SAN("abc\n\tx", SAN_KEEP_NEWLINES, "abc\n        x");
	SAN("abcd\n\tx", 0, "abcd^J  x");
}
END_TEST

START_TEST(san_c1_controls)
{
	/* A raw 0x9b is not UTF-8 at all. */
	SAN("\x9b" "31m", 0, FFFD "31m");
	SAN("\xc2\x9b" "31m", 0, "<U+009B>31m");
	SAN("\xc2\x80\xc2\x85\xc2\x9f", 0, "<U+0080><U+0085><U+009F>");
}
END_TEST

START_TEST(san_bidi_and_invisibles)
{
	SAN("abc\xe2\x80\xae" "fdp.exe", 0, "abcfdp.exe");
	/* Nothing but dropped ones: shown, so that a name is never blank. */
	SAN("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad\xe2\x80\xae", 0,
	    "<U+202A><U+202B><U+202C><U+202D><U+202E>");
	SAN("\xe2\x81\xa6x\xe2\x81\xa7y\xe2\x81\xa8z\xe2\x81\xa9", 0, "xyz");
	/* A BOM is dropped at the start; anywhere else it hides a gap. */
	SAN("\xef\xbb\xbf\xd8\x9c" "a\xe2\x80\x8e" "b\xe2\x80\x8f" "c", 0, "abc");
	SAN("c\xef\xbb\xbf", 0, "c<U+FEFF>");
	/* Neighbours of the dropped ones are not dropped: ZWJ (U+200D),
	 * narrow no-break space (U+202F), superscript zero (U+2070). */
	SAN("a\xe2\x80\x8d" "b\xe2\x80\xaf\xe2\x81\xb0", 0,
	    "a\xe2\x80\x8d" "b\xe2\x80\xaf\xe2\x81\xb0");
	/* U+2029 would break the line: shown. */
	SAN("\xe2\x80\xa9", 0, "<U+2029>");
}
END_TEST

START_TEST(san_invalid_utf8)
{
	SAN("\xff", 0, FFFD);
	SAN("a\xfe" "b", 0, "a" FFFD "b");
	SAN("\x80", 0, FFFD);
	/* Overlong "/": C0 is never a lead byte, so two replacements. */
	SAN("\xc0\xaf", 0, FFFD FFFD);
	SAN("\xe0\x80\xaf", 0, FFFD FFFD FFFD);
	SAN("\xf0\x82\x82\xac", 0, FFFD FFFD FFFD FFFD);
	/* A truncated sequence is one maximal subpart: one replacement,
	 * and the text after it survives. */
	SAN("\xe2\x82", 0, FFFD);
	SAN("\xe2\x82x", 0, FFFD "x");
	SAN("\xf0\x9f\x98", 0, FFFD);
	SAN("\xc3", 0, FFFD);
	SAN("\xe2\x82\n", SAN_KEEP_NEWLINES, FFFD "\n");
	SAN("\xe2\x82\x1b[1m", 0, FFFD "^[[1m");
	/* Surrogates and past U+10FFFF. */
	SAN("\xed\xa0\x80", 0, FFFD FFFD FFFD);
	SAN("\xf4\x90\x80\x80", 0, FFFD FFFD FFFD FFFD);
	SAN("\xf5\x80\x80\x80", 0, FFFD FFFD FFFD FFFD);
	/* Just inside the limits is valid (and then judged by wcwidth). */
	SAN("\xed\x9f\xbf", 0, FFFD); /* U+D7FF is unassigned */
	SAN("\xee\x80\x80", 0, "\xee\x80\x80"); /* U+E000 private use */
	SAN("\xf0\x90\x80\x80", 0, "\xf0\x90\x80\x80"); /* U+10000 */
}
END_TEST

START_TEST(san_non_printables)
{
	SAN("\xcd\xb8", 0, FFFD); /* U+0378 unassigned */
	SAN("\xef\xbf\xbe", 0, FFFD); /* U+FFFE noncharacter */
	SAN("\xf4\x8f\xbf\xbf", 0, FFFD); /* U+10FFFF */
	SAN(FFFD, 0, FFFD);
}
END_TEST

/* Strict UTF-8 check written independently of the decoder under test. */
static bool valid_utf8(const unsigned char *s)
{
	while (*s) {
		uint32_t c;
		int n;
		if (*s < 0x80) {
			s++;
			continue;
		} else if ((*s & 0xE0) == 0xC0) {
			n = 1;
			c = *s & 0x1F;
		} else if ((*s & 0xF0) == 0xE0) {
			n = 2;
			c = *s & 0x0F;
		} else if ((*s & 0xF8) == 0xF0) {
			n = 3;
			c = *s & 0x07;
		} else {
			return false;
		}
		s++;
		for (int i = 0; i < n; i++, s++) {
			if ((*s & 0xC0) != 0x80)
				return false;
			c = c << 6 | (*s & 0x3F);
		}
		static const uint32_t min[] = {0, 0x80, 0x800, 0x10000};
		if (c < min[n] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
			return false;
	}
	return true;
}

static void assert_safe(const char *out, int flags)
{
	ck_assert(valid_utf8((const unsigned char *)out));
	for (const unsigned char *p = (const unsigned char *)out; *p; p++) {
		if (*p == '\n' && (flags & SAN_KEEP_NEWLINES))
			continue;
		ck_assert_msg(*p >= 0x20 && *p != 0x7F, "byte 0x%02x in output", *p);
	}
	/* Nothing an attacker needs survives as such, even split: C1 as
	 * UTF-8 (C2 80-9F) and the bidi controls. */
	ck_assert_ptr_null(strstr(out, "\xe2\x80\xae"));
	for (const char *p = out; (p = strchr(p, '\xc2')); p++)
		ck_assert((unsigned char)p[1] > 0x9F);
}

START_TEST(san_output_always_safe)
{
	/* Every single byte, then random strings drawn mostly from the
	 * bytes that matter; the output must be safe and sanitizing it
	 * again must change nothing. */
	static const unsigned char pick[] = {
		0x00, 0x07, 0x08, 0x09, 0x0a, 0x0d, 0x1b, '[', ']', ';', 'a', ' ',
		0x7f, 0x80, 0x9b, 0xbf, 0xc0, 0xc2, 0xcc, 0xd8, 0xe0, 0xe2, 0xe6,
		0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 0x81, 0xa0, 0xae, 0xa6, 0x9f};
	char in[64];
	uint32_t seed = 12345;

	for (int f = 0; f <= SAN_KEEP_NEWLINES; f++) {
		for (int c = 1; c < 256; c++) {
			in[0] = (char)c;
			in[1] = '\0';
			char *out = text_sanitize(in, f);
			assert_safe(out, f);
			free(out);
		}
		for (int round = 0; round < 20000; round++) {
			int n = 0;
			seed = seed * 1103515245u + 12345u;
			int len = (int)(seed >> 16) % 24;
			while (n < len) {
				seed = seed * 1103515245u + 12345u;
				unsigned b = pick[(seed >> 16) % sizeof pick];
				/* 0 in the table stands for any byte. */
				if (!b)
					b = (seed >> 8) & 0xFF;
				in[n++] = (char)(b ? b : 1);
			}
			in[n] = '\0';
			char *out = text_sanitize(in, f);
			assert_safe(out, f);
			char *again = text_sanitize(out, f);
			ck_assert_str_eq(again, out);
			free(again);
			free(out);
		}
	}
}
END_TEST

/* Width and fitting */

START_TEST(width_by_script)
{
	ck_assert_int_eq(text_width(NULL), 0);
	ck_assert_int_eq(text_width(""), 0);
	ck_assert_int_eq(text_width("abc"), 3);
	ck_assert_int_eq(text_width("h\xc3\xa9llo"), 5);
	ck_assert_int_eq(text_width("\xe6\xbc\xa2\xe5\xad\x97"), 4); /* CJK */
	ck_assert_int_eq(text_width("\xf0\x9f\x98\x80"), 2); /* emoji */
	ck_assert_int_eq(text_width("e\xcc\x81"), 1); /* combining acute */
	ck_assert_int_eq(text_width("\xe2\x80\xa6"), 1); /* ellipsis */
	ck_assert_int_eq(text_width("a\xf0\x9f\x98\x80\xe6\xbc\xa2" "e\xcc\x81"), 6);
}
END_TEST

START_TEST(fit_whole_characters)
{
	int used = -1;

	ck_assert_uint_eq(text_fit("abc", 2, &used), 2);
	ck_assert_int_eq(used, 2);
	ck_assert_uint_eq(text_fit("abc", 10, &used), 3);
	ck_assert_int_eq(used, 3);
	/* A wide character that does not fit is left out whole. */
	ck_assert_uint_eq(text_fit("\xe6\xbc\xa2\xe5\xad\x97", 3, &used), 3);
	ck_assert_int_eq(used, 2);
	ck_assert_uint_eq(text_fit("\xe6\xbc\xa2", 1, &used), 0);
	ck_assert_int_eq(used, 0);
	/* The combining mark stays with its base. */
	ck_assert_uint_eq(text_fit("e\xcc\x81x", 1, &used), 3);
	ck_assert_int_eq(used, 1);
	ck_assert_uint_eq(text_fit("e\xcc\x81", 0, &used), 0);
	ck_assert_uint_eq(text_fit("abc", -3, &used), 0);
	ck_assert_int_eq(used, 0);
	ck_assert_uint_eq(text_fit(NULL, 5, &used), 0);
	ck_assert_uint_eq(text_fit("abc", 1, NULL), 1);
}
END_TEST

/* Clipping */

START_TEST(clip_ascii)
{
	CLIP("hello world", 8, false, "hello w\xe2\x80\xa6");
	CLIP("hello", 5, false, "hello");
	CLIP("hello", 4, false, "hel\xe2\x80\xa6");
	CLIP("hello", 1, false, "\xe2\x80\xa6");
	CLIP("hello", 0, true, "");
	CLIP("hello", -2, true, "");
	CLIP("hi", 5, false, "hi");
	CLIP("hi", 5, true, "hi   ");
	CLIP("", 3, true, "   ");
	CLIP(NULL, 2, true, "  ");
	CLIP(NULL, 2, false, "");
}
END_TEST

START_TEST(clip_wide_and_combining)
{
	const char *kanji = "\xe6\xbc\xa2\xe5\xad\x97\xe6\xbc\xa2\xe5\xad\x97";

	CLIP(kanji, 8, false, kanji);
	CLIP(kanji, 5, false, "\xe6\xbc\xa2\xe5\xad\x97\xe2\x80\xa6");
	/* The ellipsis cannot share a wide character's column: a gap
	 * remains, filled only when padding. */
	CLIP(kanji, 4, false, "\xe6\xbc\xa2\xe2\x80\xa6");
	CLIP(kanji, 4, true, "\xe6\xbc\xa2\xe2\x80\xa6 ");
	CLIP(kanji, 2, true, "\xe2\x80\xa6 ");
	CLIP("\xe6\xbc\xa2", 1, true, "\xe2\x80\xa6");
	CLIP("\xf0\x9f\x98\x80\xf0\x9f\x98\x80", 3, true,
	     "\xf0\x9f\x98\x80\xe2\x80\xa6");
	CLIP("e\xcc\x81" "e\xcc\x81" "e\xcc\x81", 3, false,
	     "e\xcc\x81" "e\xcc\x81" "e\xcc\x81");
	CLIP("e\xcc\x81" "e\xcc\x81" "e\xcc\x81", 2, false, "e\xcc\x81\xe2\x80\xa6");

	for (int cols = 0; cols <= 9; cols++) {
		char *s = text_clip(kanji, cols, true);
		ck_assert_int_eq(text_width(s), cols);
		free(s);
		s = text_clip(kanji, cols, false);
		ck_assert_int_le(text_width(s), cols);
		free(s);
	}
}
END_TEST

/* Wrapping */

START_TEST(wrap_at_spaces)
{
	WRAP("the quick brown fox", 10, "the quick", "brown fox");
	WRAP("the quick brown fox", 19, "the quick brown fox");
	WRAP("the quick brown fox", 9, "the quick", "brown fox");
	WRAP("the quick brown fox", 8, "the", "quick", "brown", "fox");
	/* Spaces at a break go; spaces between words stay. */
	WRAP("aaa     bbb", 4, "aaa", "bbb");
	WRAP("a  b", 10, "a  b");
	WRAP("a b   ", 10, "a b");
	/* Indentation stays unless it leaves no room for the word. */
	WRAP("  ab cd", 10, "  ab cd");
	WRAP("    abcd", 6, "abcd");
	WRAP("   ", 2, "");
}
END_TEST

START_TEST(wrap_splits_long_words)
{
	WRAP("abcdefghij", 4, "abcd", "efgh", "ij");
	WRAP("hi abcdefghij", 4, "hi", "abcd", "efgh", "ij");
	WRAP("abcdefghij xy", 4, "abcd", "efgh", "ij", "xy");
	WRAP("abcdefghij xy", 5, "abcde", "fghij", "xy");
	WRAP("abcdefg xy", 4, "abcd", "efg", "xy");
	WRAP("abcdef x", 4, "abcd", "ef x");
}
END_TEST

START_TEST(wrap_wide_never_straddles)
{
	const char *k5 = "\xe6\xbc\xa2\xe5\xad\x97\xe6\xbc\xa2\xe5\xad\x97\xe6\xbc\xa2";

	WRAP(k5, 5, "\xe6\xbc\xa2\xe5\xad\x97", "\xe6\xbc\xa2\xe5\xad\x97",
	     "\xe6\xbc\xa2");
	WRAP(k5, 3, "\xe6\xbc\xa2", "\xe5\xad\x97", "\xe6\xbc\xa2", "\xe5\xad\x97",
	     "\xe6\xbc\xa2");
	WRAP("a\xe6\xbc\xa2\xe5\xad\x97", 4, "a\xe6\xbc\xa2", "\xe5\xad\x97");
	WRAP("\xf0\x9f\x98\x80\xf0\x9f\x98\x80 ok", 3, "\xf0\x9f\x98\x80",
	     "\xf0\x9f\x98\x80", "ok");
	/* Too narrow for a wide character: it gets a line of its own
	 * rather than looping or being cut in half. */
	WRAP("\xe6\xbc\xa2" "a", 1, "\xe6\xbc\xa2", "a");
}
END_TEST

START_TEST(wrap_newlines)
{
	WRAP("a\nb", 10, "a", "b");
	WRAP("a\n\nb", 10, "a", "", "b");
	WRAP("a\n", 10, "a", "");
	WRAP("\n", 10, "", "");
	WRAP("", 10, "");
	WRAP(NULL, 10, "");
	WRAP("one two\nthree four", 9, "one two", "three", "four");
	WRAP("ab  \n  cd", 10, "ab", "  cd");
}
END_TEST

START_TEST(wrap_keeps_combining_marks)
{
	WRAP("e\xcc\x81" "e\xcc\x81" "e\xcc\x81", 2, "e\xcc\x81" "e\xcc\x81",
	     "e\xcc\x81");
	WRAP("cafe\xcc\x81 cafe\xcc\x81", 5, "cafe\xcc\x81", "cafe\xcc\x81");
	WRAP("cafe\xcc\x81", 3, "caf", "e\xcc\x81");
	/* A space carrying a mark is a visible character, not a break. */
	WRAP("ab \xcc\x81" "cd", 3, "ab \xcc\x81", "cd");
	WRAP("ab \xcc\x81" "cd", 4, "ab \xcc\x81" "c", "d");
}
END_TEST

START_TEST(wrap_narrow_widths)
{
	WRAP("ab", 0, "a", "b");
	WRAP("ab", -5, "a", "b");
	WRAP("a b", 1, "a", "b");
}
END_TEST

START_TEST(wrap_loses_nothing)
{
	/* For many inputs and widths: no line is wider than asked, and
	 * only spaces at breaks go missing. */
	static const char *const pieces[] = {
		"a", "bc", "defghijkl", " ", "  ", "\n", "\xe6\xbc\xa2",
		"\xf0\x9f\x98\x80", "e\xcc\x81", "\xe2\x80\xa6"};
	uint32_t seed = 7;

	for (int round = 0; round < 3000; round++) {
		struct strbuf in = {0};
		seed = seed * 1103515245u + 12345u;
		int n = (int)(seed >> 16) % 30;
		for (int i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			sb_add(&in, pieces[(seed >> 16) % ARRAY_LEN(pieces)]);
		}
		int cols = 2 + round % 12;
		char **lines;
		size_t nl = text_wrap(sb_str(&in), cols, &lines);
		struct strbuf joined = {0}, want = {0};
		size_t newlines = 0;

		for (const char *p = sb_str(&in); *p; p++) {
			if (*p == '\n')
				newlines++;
			else if (*p != ' ')
				sb_addc(&want, *p);
		}
		ck_assert_uint_ge(nl, newlines + 1);
		for (size_t i = 0; i < nl; i++) {
			ck_assert_int_le(text_width(lines[i]), cols);
			ck_assert(!strchr(lines[i], '\n'));
			size_t len = strlen(lines[i]);
			ck_assert(len == 0 || lines[i][len - 1] != ' ');
			for (const char *p = lines[i]; *p; p++)
				if (*p != ' ')
					sb_addc(&joined, *p);
		}
		ck_assert_str_eq(sb_str(&joined), sb_str(&want));
		text_lines_free(lines, nl);
		sb_free(&in);
		sb_free(&joined);
		sb_free(&want);
	}
}
END_TEST

/* What enters the database: only invalid sequences change. */
START_TEST(utf8_fix_replaces_only_invalid)
{
	const struct {
		const char *in, *out;
	} cases[] = {
		{"caf\xc3\xa9 \xe6\xbc\xa2 \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe6\xbc\xa2 \xf0\x9f\x98\x80"},
		{"\x1b[31mred\x07", "\x1b[31mred\x07"}, /* controls are the sanitizer's */
		{"caf\xe9", "caf\xef\xbf\xbd"},
		{"\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd"},
		{"x\xe2\x82", "x\xef\xbf\xbd"},
		{"\xef\xbf\xbd", "\xef\xbf\xbd"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char *got = text_utf8_fix(cases[i].in);
		ck_assert_str_eq(got, cases[i].out);
		ck_assert(text_is_utf8(got));
		ck_assert_int_eq(text_is_utf8(cases[i].in), strcmp(cases[i].in, cases[i].out) == 0);
		free(got);
	}
}
END_TEST

Suite *suite_text(void)
{
	Suite *s = suite_create("text");
	TCase *tc = tcase_create("sanitize");
	tcase_add_checked_fixture(tc, setup, teardown);
	/* 80,000 random strings: seconds on a loaded machine, more with ASan */
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, san_passes_ordinary_text);
	tcase_add_test(tc, utf8_fix_replaces_only_invalid);
	tcase_add_test(tc, san_csi_colour);
	tcase_add_test(tc, san_cursor_movement);
	tcase_add_test(tc, san_osc_title);
	tcase_add_test(tc, san_osc52_clipboard);
	tcase_add_test(tc, san_c0_and_del);
	tcase_add_test(tc, san_newlines);
	tcase_add_test(tc, san_tabs);
	tcase_add_test(tc, san_c1_controls);
	tcase_add_test(tc, san_bidi_and_invisibles);
	tcase_add_test(tc, san_invalid_utf8);
	tcase_add_test(tc, san_non_printables);
	tcase_add_test(tc, san_output_always_safe);
	suite_add_tcase(s, tc);

	tc = tcase_create("measure");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, width_by_script);
	tcase_add_test(tc, fit_whole_characters);
	tcase_add_test(tc, clip_ascii);
	tcase_add_test(tc, clip_wide_and_combining);
	suite_add_tcase(s, tc);

	tc = tcase_create("wrap");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, wrap_at_spaces);
	tcase_add_test(tc, wrap_splits_long_words);
	tcase_add_test(tc, wrap_wide_never_straddles);
	tcase_add_test(tc, wrap_newlines);
	tcase_add_test(tc, wrap_keeps_combining_marks);
	tcase_add_test(tc, wrap_narrow_widths);
	tcase_add_test(tc, wrap_loses_nothing);
	suite_add_tcase(s, tc);
	return s;
}
