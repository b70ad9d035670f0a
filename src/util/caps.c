/* caps.c: checking and cutting text against desk's caps, and the rule
 * for queue and tag names.  See caps.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "util.h"

const char *caps_describe(size_t bytes, char *buf, size_t size)
{
	if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0)
		snprintf(buf, size, "%zu MiB", bytes / (1024 * 1024));
	else
		snprintf(buf, size, "%zu bytes", bytes);
	return buf;
}

int caps_check(const char *what, const char *s, size_t max, struct derr *e)
{
	size_t n = s ? strlen(s) : 0;
	if (n <= max)
		return DESK_OK;
	char cap[32];
	return derr_set(e, DESK_EINVAL, "%s: %zu bytes, more than the %s desk takes", what, n,
			caps_describe(max, cap, sizeof cap));
}

char *caps_cut(const char *s, size_t max, const char *note)
{
	size_t n = s ? strlen(s) : 0;
	if (n <= max)
		return xstrdup(s ? s : "");
	/* back to the start of a UTF-8 character */
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	struct strbuf b = {0};
	sb_addn(&b, s, max);
	sb_add(&b, note ? note : "");
	return sb_take(&b);
}

bool caps_fit(char **s, size_t max, bool say_so)
{
	size_t n = *s ? strlen(*s) : 0;
	if (n <= max)
		return false;
	char cap[32], *note;
	if (say_so)
		note = xasprintf("\n\n[desk: the text was cut here: it was %zu bytes, more than "
				 "the %s desk keeps]",
				 n, caps_describe(max, cap, sizeof cap));
	else
		note = xstrdup("\xe2\x80\xa6"); /* U+2026 */
	/* the note counts: what is kept fits the cap */
	size_t room = strlen(note) < max ? max - strlen(note) : 0;
	char *cut = caps_cut(*s, room, note);
	free(note);
	free(*s);
	*s = cut;
	return true;
}

bool label_is_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > DESK_MAX_LABEL)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
		if (!alnum && (i == 0 || !strchr("-_./", c)))
			return false;
	}
	return true;
}
