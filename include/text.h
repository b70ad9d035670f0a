/* text.h: untrusted text made safe for the terminal, and measured.
 *
 * Everything a customer wrote goes through text_sanitize() before it is
 * drawn (the terminal title too).  The result is valid UTF-8 holding no
 * byte that a terminal would interpret: C0 controls and DEL become
 * visible "^X" (ESC becomes "^["), C1 controls U+0080-U+009F become
 * "<U+009B>"-style text, bidi embeddings, overrides and isolates
 * (U+202A-U+202E, U+2066-U+2069), U+061C, LRM/RLM, and BOM are dropped,
 * and invalid UTF-8 becomes U+FFFD.  Tab becomes spaces to the next
 * multiple of 8 columns and newline is kept only when asked. */
#ifndef DESK_TEXT_H
#define DESK_TEXT_H

#include <stdbool.h>
#include <stddef.h>

enum {
	SAN_KEEP_NEWLINES = 1 << 0, /* keep '\n' (bodies); else shown as ^J */
};

/* Returns a new sanitized string (caller frees).  NULL gives "". */
char *text_sanitize(const char *s, int flags);

/* A copy of s in which every invalid UTF-8 sequence is U+FFFD and all
 * else is unchanged (control characters included: they are the
 * sanitizer's job when drawing).  What desk stores is valid UTF-8, so
 * its JSON is too.  NULL gives "". */
char *text_utf8_fix(const char *s);
bool text_is_utf8(const char *s);
/* Where s first holds what text_sanitize would change or hide (invalid
 * UTF-8, a control character other than newline and tab, DEL, a C1
 * control, a bidi control or an invisible character), or NULL when it
 * holds none: for text an agent sets once and desk then shows and mails
 * as it is (a signature). */
const char *text_first_unplain(const char *s);

/* JSON text (valid, as SQLite writes it) made safe to print: DEL, the
 * C1 controls U+0080-U+009F, U+2028/U+2029 and the bidi controls
 * (U+061C, U+200E/F, U+202A-U+202E, U+2066-U+2069) become "\u009b"
 * escapes, which mean the same to any JSON reader.  Outside strings
 * JSON is ASCII, so they can only be inside one.  Other bytes, invalid
 * UTF-8 included, are copied as they are.  A new string. */
char *text_json_safe(const char *json);

/* Display width in terminal columns of valid UTF-8 (wcwidth; wide CJK
 * and emoji count 2, combining marks 0).  Input should be sanitized. */
int text_width(const char *s);

/* Byte length of the longest prefix of s that fits in `cols` columns
 * without splitting a character or separating a combining mark from its
 * base; *used receives its width. */
size_t text_fit(const char *s, int cols, int *used);

/* Copies s truncated to `cols` columns into a new string, ending in "…"
 * when cut, padded with spaces to exactly `cols` when pad is true. */
char *text_clip(const char *s, int cols, bool pad);

/* Word-wraps sanitized text to `cols` columns.  Breaks at spaces;
 * a word longer than the width is split by characters; existing newlines
 * start new lines; trailing spaces at a break are dropped.  Returns the
 * number of lines and sets *lines to a new array of new strings. */
size_t text_wrap(const char *s, int cols, char ***lines);
void text_lines_free(char **lines, size_t n);

/* For a terminal whose locale is not UTF-8 (LANG=C): each character of s
 * as one ASCII character, lines and dots as their look-alikes and
 * anything else as '?', so nothing shows as blanks or stray bytes.  A new
 * string; NULL gives "". */
char *text_ascii(const char *s);

#endif
