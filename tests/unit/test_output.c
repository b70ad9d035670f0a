/* test_output.c: what desk prints for hostile text: invisible and blank
 * characters made visible, emoji sequences printed as parts whose width
 * every terminal agrees on, JSON made safe to print, and the caps and
 * name rule of caps.h. */
#include <check.h>
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "caps.h"
#include "nameset.h"
#include "testlib.h"
#include "text.h"
#include "util.h"

static char *saved_locale;

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

#define SAN(in, want)                                                          \
	do {                                                                   \
		char *got_ = text_sanitize((in), 0);                           \
		ck_assert_str_eq(got_, (want));                                \
		free(got_);                                                    \
	} while (0)

/* --- invisible characters ----------------------------------------------- */

START_TEST(invisibles_are_shown)
{
	SAN("a\xe2\x80\x8b" "b", "a<U+200B>b");                /* ZWSP */
	SAN("pay\xc2\xadpal", "pay<U+00AD>pal");               /* soft hyphen */
	SAN("x\xe2\x81\xa0y", "x<U+2060>y");                   /* word joiner */
	SAN("\xe3\x85\xa4", "<U+3164>");                       /* Hangul filler */
	SAN("\xe1\x85\x9f\xe1\x85\xa0", "<U+115F><U+1160>");   /* choseong/jungseong fillers */
	SAN("\xef\xbe\xa0", "<U+FFA0>");                       /* halfwidth filler */
	SAN("\xe2\xa0\x80", "<U+2800>");                       /* braille blank */
	/* tag characters smuggle ASCII ("hi" here) past a reader */
	SAN("ok\xf3\xa0\x81\xa8\xf3\xa0\x81\xa9", "ok<U+E0068><U+E0069>");
	/* zero-width characters with nothing drawn before them */
	SAN("\xef\xb8\x8f", "<U+FE0F>");
	SAN("\xcc\x81x", "<U+0301>x");
	SAN(" \xcc\x81", " <U+0301>");
	SAN("\xe2\x80\x8d", "<U+200D>");
	/* ... but with a letter before them they are its marks */
	SAN("e\xcc\x81", "e\xcc\x81");
	SAN("\xe8\xbe\xbb\xf3\xa0\x84\x80", "\xe8\xbe\xbb\xf3\xa0\x84\x80"); /* IVS */
	/* A joiner between letters shapes the script (Devanagari KSSA) */
	SAN("\xe0\xa4\x95\xe0\xa5\x8d\xe2\x80\x8d\xe0\xa4\xb7",
	    "\xe0\xa4\x95\xe0\xa5\x8d\xe2\x80\x8d\xe0\xa4\xb7");
	/* Spaces of other kinds stay, unless they are all there is */
	SAN("a\xc2\xa0" "b", "a\xc2\xa0" "b");
	SAN("\xc2\xa0\xe3\x80\x80", "<U+00A0><U+3000>");
}
END_TEST

/* A name made of nothing visible must not look blank, whatever it is
 * made of. */
START_TEST(no_name_looks_blank)
{
	static const char *const names[] = {
		"\xe2\x80\x8b\xe2\x80\x8b\xe2\x80\x8b", /* ZWSP */
		"\xe2\x80\x8c",                         /* ZWNJ */
		"\xef\xbb\xbf",                         /* BOM */
		"\xe2\x80\x8f\xe2\x80\x8e",             /* RLM LRM */
		"\xe2\x80\xae",                         /* RLO */
		"\xe2\x81\xa6\xe2\x81\xa9",             /* isolates */
		"\xef\xb8\x8f\xef\xb8\x8e",             /* variation selectors */
		"\xcd\x8f",                             /* CGJ */
		"\xe1\x9e\xb4",                         /* Khmer inherent vowel */
		"\xf3\xa0\x80\x81",                     /* language tag */
		"\xe3\x85\xa4\xe3\x85\xa4",             /* Hangul fillers */
		"\xe2\x80\x80\xe2\x80\x8a",             /* en quad, hair space */
		"\xe2\x81\x9f",                         /* math space */
		"\xcc\x81\xcc\x81",                     /* marks without a base */
	};
	for (size_t i = 0; i < ARRAY_LEN(names); i++) {
		char *out = text_sanitize(names[i], 0);
		ck_assert_msg(strstr(out, "<U+") == out, "name %zu shows as \"%s\"", i, out);
		ck_assert_int_gt(text_width(out), 0);
		free(out);
	}
}
END_TEST

/* --- emoji: what desk counts is what any terminal draws --------------- */

static bool pictographic(uint32_t c)
{
	return (c >= 0x2190 && c <= 0x2BFF) || (c >= 0x1F000 && c <= 0x1FAFF);
}

static size_t decode(const char *s, uint32_t *cp)
{
	mbstate_t st = {0};
	wchar_t w;
	size_t n = mbrtowc(&w, s, 4, &st);
	ck_assert(n > 0 && n <= 4);
	*cp = (uint32_t)w;
	return n;
}

/* The width a terminal that knows nothing of emoji sequences gives:
 * each code point's wcwidth. */
static int naive_width(const char *s)
{
	int w = 0;
	for (uint32_t c; *s; w += wcwidth((wchar_t)c))
		s += decode(s, &c);
	return w;
}

/* The width a terminal that draws emoji sequences as one glyph gives
 * (VTE, kitty, WezTerm, iTerm2): a ZWJ sequence, a base with its skin
 * tone, a base with VS16 and a flag's letter pair are two columns; a
 * lone flag letter is two as well. */
static int cluster_width(const char *s)
{
	int w = 0;
	uint32_t prev = 0;
	bool ri_open = false, joined = false;
	while (*s) {
		uint32_t c;
		s += decode(s, &c);
		if (c == 0x200D && pictographic(prev)) {
			joined = true;
			continue;
		}
		if (joined) {
			joined = false;
			prev = c;
			continue; /* drawn in the glyph before */
		}
		if (c >= 0x1F3FB && c <= 0x1F3FF && prev >= 0x80) {
			continue;
		}
		if (c == 0xFE0F && prev) {
			if (wcwidth((wchar_t)prev) == 1)
				w += 1;
			continue;
		}
		if (c >= 0x1F1E6 && c <= 0x1F1FF) {
			if (!ri_open)
				w += 2;
			ri_open = !ri_open;
			prev = c;
			continue;
		}
		ri_open = false;
		w += wcwidth((wchar_t)c);
		prev = c;
	}
	return w;
}

static const char *const emoji[] = {
	"\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7", /* family */
	"\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd",                                          /* thumbs, tone */
	"\xf0\x9f\x91\xa9\xf0\x9f\x8f\xbd\xe2\x80\x8d\xf0\x9f\x9a\x80",              /* astronaut */
	"\xf0\x9f\x87\xab\xf0\x9f\x87\xb7",                                          /* flag FR */
	"\xf0\x9f\x87\xab",                                                          /* lone letter */
	"\xf0\x9f\x87\xab\xf0\x9f\x87\xb7\xf0\x9f\x87\xa9",                          /* pair + one */
	"\xe2\x9d\xa4\xef\xb8\x8f",                                                  /* heart VS16 */
	"\xf0\x9f\x8f\xb3\xef\xb8\x8f\xe2\x80\x8d\xf0\x9f\x8c\x88",                  /* rainbow flag */
	"1\xef\xb8\x8f\xe2\x83\xa3",                                                 /* keycap */
	"\xe2\x98\x9d\xf0\x9f\x8f\xbf",                                              /* narrow base */
	"\xf0\x9f\x8f\xb4\xf3\xa0\x81\xa7\xf3\xa0\x81\xa2\xf3\xa0\x81\xb3\xf3\xa0\x81\xbf",
};

START_TEST(emoji_widths_agree)
{
	for (size_t i = 0; i < ARRAY_LEN(emoji); i++) {
		char *in = xasprintf("a %s b", emoji[i]);
		char *out = text_sanitize(in, 0);
		int w = text_width(out);
		ck_assert_msg(naive_width(out) == w && cluster_width(out) == w,
			      "emoji %zu: desk counts %d, terminals draw %d or %d (\"%s\")", i, w,
			      naive_width(out), cluster_width(out), out);
		free(out);
		free(in);
	}
}
END_TEST

/* A pane line: a subject of emoji clipped and padded to the column's
 * width is exactly that wide in every terminal, so the border after it
 * stays in its column. */
START_TEST(emoji_pane_line_keeps_its_width)
{
	struct strbuf subject = {0};
	for (size_t i = 0; i < ARRAY_LEN(emoji); i++)
		sb_addf(&subject, "%s ", emoji[i]);
	char *safe = text_sanitize(sb_str(&subject), 0);
	for (int cols = 1; cols <= 40; cols++) {
		char *cell = text_clip(safe, cols, true);
		ck_assert_int_eq(text_width(cell), cols);
		ck_assert_int_eq(naive_width(cell), cols);
		ck_assert_msg(cluster_width(cell) == cols, "%d columns drawn as %d: \"%s\"", cols,
			      cluster_width(cell), cell);
		free(cell);
	}
	free(safe);
	sb_free(&subject);
}
END_TEST

START_TEST(emoji_parts_are_kept)
{
	/* the family: its members, side by side */
	SAN("\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9",
	    "\xf0\x9f\x91\xa8\xf0\x9f\x91\xa9");
	/* a flag pair stays a flag */
	SAN("\xf0\x9f\x87\xab\xf0\x9f\x87\xb7", "\xf0\x9f\x87\xab\xf0\x9f\x87\xb7");
	SAN("\xf0\x9f\x87\xab" "x", "<U+1F1EB>x");
	/* the skin tone goes with its base; alone it is a swatch */
	SAN("\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd", "\xf0\x9f\x91\x8d");
	SAN("a\xf0\x9f\x8f\xbd", "a\xf0\x9f\x8f\xbd");
}
END_TEST

/* --- JSON -------------------------------------------------------------- */

START_TEST(json_escapes_what_drives_terminals)
{
	char *got = text_json_safe("{\"s\":\"a\x7f" "b\xc2\x9b" "31m\xc2\x85\xe2\x80\xa8\xe2\x80\xa9"
				   "\xe2\x80\xae\xe2\x81\xa6\xd8\x9c\xe2\x80\x8e\xe2\x80\x8f\"}");
	ck_assert_str_eq(got, "{\"s\":\"a\\u007fb\\u009b31m\\u0085\\u2028\\u2029\\u202e\\u2066"
			      "\\u061c\\u200e\\u200f\"}");
	free(got);
	/* the rest as it was: text, emoji, escapes, invalid UTF-8 */
	const char *keep = "{\"k\":\"caf\xc3\xa9 \xf0\x9f\x98\x80 \\u001b \xff\xfe\"}";
	got = text_json_safe(keep);
	ck_assert_str_eq(got, keep);
	free(got);
	got = text_json_safe(NULL);
	ck_assert_str_eq(got, "");
	free(got);
}
END_TEST

/* --- caps and names ---------------------------------------------------- */

START_TEST(caps_name_the_field_and_the_cap)
{
	struct derr e = {0};
	char *big = xmalloc(DESK_MAX_BODY + 2);
	memset(big, 'a', DESK_MAX_BODY + 1);
	big[DESK_MAX_BODY + 1] = '\0';
	ck_assert_int_eq(caps_check("messages[2].body", big, DESK_MAX_BODY, &e), DESK_EINVAL);
	ck_assert_str_eq(e.msg, "messages[2].body: 1048577 bytes, more than the 1 MiB desk takes");
	big[DESK_MAX_BODY] = '\0';
	ck_assert_int_eq(caps_check("body", big, DESK_MAX_BODY, NULL), DESK_OK);
	ck_assert_int_eq(caps_check("x", NULL, 0, NULL), DESK_OK);
	ck_assert_int_eq(caps_check("subject", "abcd", 3, &e), DESK_EINVAL);
	ck_assert_str_eq(e.msg, "subject: 4 bytes, more than the 3 bytes desk takes");
	free(big);
}
END_TEST

START_TEST(caps_cut_at_characters)
{
	char *s = caps_cut("ab\xc3\xa9" "cd", 3, "|");
	ck_assert_str_eq(s, "ab|"); /* not half of the é */
	free(s);
	s = caps_cut("abc", 3, "|");
	ck_assert_str_eq(s, "abc");
	free(s);
	char *body = xmalloc(201);
	memset(body, 'x', 200);
	body[200] = '\0';
	ck_assert(!caps_fit(&body, 200, true));
	ck_assert(caps_fit(&body, 150, true));
	const char *note = "\n\n[desk: the text was cut here: it was 200 bytes, more than the 150 "
			   "bytes desk keeps]";
	/* the note counts: what is kept fits the cap */
	ck_assert_uint_eq(strlen(body), 150);
	ck_assert_str_eq(body + 150 - strlen(note), note);
	free(body);
	char *name = xstrdup("Ada Lovelace");
	ck_assert(caps_fit(&name, 6, false));
	ck_assert_str_eq(name, "Ada\xe2\x80\xa6");
	free(name);
	char *none = NULL;
	ck_assert(!caps_fit(&none, 1, true));
}
END_TEST

START_TEST(label_rule)
{
	static const char *const good[] = {"billing", "l2", "2nd-line", "eu/west", "a.b_c", "x"};
	static const char *const bad[] = {
		"",       "Billing", "two words", "a,b",  "-x",      "/x",   ".x",
		"tab\t",  "esc\x1b", "del\x7f",   "caf\xc3\xa9", "a\xe2\x80\x8b",
		"\xd0\xb0" /* Cyrillic a */,
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", /* 65 */
	};
	for (size_t i = 0; i < ARRAY_LEN(good); i++)
		ck_assert_msg(label_is_valid(good[i]), "\"%s\" refused", good[i]);
	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		ck_assert_msg(!label_is_valid(bad[i]), "bad name %zu taken", i);
	ck_assert(!label_is_valid(NULL));
	ck_assert(label_is_valid("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
}
END_TEST

START_TEST(nameset_finds_the_first)
{
	struct nameset s;
	nameset_init(&s, 3);
	ck_assert_int_eq(nameset_add(&s, "a", 0), -1);
	ck_assert_int_eq(nameset_add(&s, "b", 1), -1);
	ck_assert_int_eq(nameset_add(&s, "a", 2), 0);
	ck_assert_int_eq(nameset_add(&s, "b", 3), 1);
	nameset_free(&s);
}
END_TEST

Suite *suite_output(void)
{
	Suite *s = suite_create("output");
	TCase *tc = tcase_create("terminal");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, invisibles_are_shown);
	tcase_add_test(tc, no_name_looks_blank);
	tcase_add_test(tc, emoji_widths_agree);
	tcase_add_test(tc, emoji_pane_line_keeps_its_width);
	tcase_add_test(tc, emoji_parts_are_kept);
	suite_add_tcase(s, tc);

	tc = tcase_create("json");
	tcase_add_test(tc, json_escapes_what_drives_terminals);
	suite_add_tcase(s, tc);

	tc = tcase_create("caps");
	tcase_add_test(tc, caps_name_the_field_and_the_cap);
	tcase_add_test(tc, caps_cut_at_characters);
	tcase_add_test(tc, label_rule);
	tcase_add_test(tc, nameset_finds_the_first);
	suite_add_tcase(s, tc);
	return s;
}
