/* when.c: "until" times as people write them ("3d", "tomorrow",
 * "next monday 14:00", "2026-12-24 09:00"), read in local time. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "util.h"

/* A day named without a time means the start of a working day, not
 * midnight: nobody wants a follow-up at 00:00. */
#define WHEN_DEFAULT_HOUR 9

static const char *const weekdays[] = {"sunday",   "monday", "tuesday", "wednesday",
				       "thursday", "friday", "saturday"};

/* "HH:MM" (or "H:MM") and nothing after it. */
static bool parse_clock(const char *s, int *h, int *m)
{
	char *end;
	if (!isdigit((unsigned char)*s))
		return false;
	long hh = strtol(s, &end, 10);
	if (*end != ':' || end - s > 2 || !isdigit((unsigned char)end[1]) ||
	    !isdigit((unsigned char)end[2]) || end[3] != '\0')
		return false;
	long mm = (end[1] - '0') * 10 + (end[2] - '0');
	if (hh > 23 || mm > 59)
		return false;
	*h = (int)hh;
	*m = (int)mm;
	return true;
}

/* Local midnight-relative: day `tm` plus `add_days`, at h:m, through
 * mktime so DST changes land on the wall-clock time asked for. */
static int64_t local_at(const struct tm *day, int add_days, int h, int m)
{
	struct tm tm = *day;
	tm.tm_mday += add_days;
	tm.tm_hour = h;
	tm.tm_min = m;
	tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm);
}

/* Splits "word rest" at the first space; rest is "" when none. */
static const char *split_word(const char *s, char *word, size_t size)
{
	size_t n = strcspn(s, " ");
	if (n >= size)
		n = size - 1;
	memcpy(word, s, n);
	word[n] = '\0';
	s += strcspn(s, " ");
	while (*s == ' ')
		s++;
	return s;
}

static int weekday_of(const char *w)
{
	for (int i = 0; i < 7; i++)
		if (strcasecmp(w, weekdays[i]) == 0 || (strlen(w) == 3 &&
							 strncasecmp(w, weekdays[i], 3) == 0))
			return i;
	return -1;
}

const char *when_parse(const char *text, int64_t now, int64_t *out)
{
	static const char expected[] =
		"expected a span (3d, 4h, 1h30m), a date and time (2026-12-24 09:00), "
		"today/tomorrow [HH:MM] or [next] DAY [HH:MM]";
	if (!text)
		return expected;
	char buf[64];
	size_t len = strlen(text);
	if (len == 0 || len >= sizeof buf)
		return expected;
	memcpy(buf, text, len + 1);
	char *s = str_trim(buf);

	int64_t span;
	if (duration_parse(s, &span)) {
		*out = now + span;
		return NULL;
	}

	time_t tnow = (time_t)now;
	struct tm today;
	localtime_r(&tnow, &today);
	int h = WHEN_DEFAULT_HOUR, m = 0;

	int y, mo, d;
	char rest[16] = "";
	int used = 0;
	if (isdigit((unsigned char)*s)) {
		if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &used) != 3 || used != 10)
			return expected;
		const char *p = s + used;
		if (*p == ' ' || *p == 'T') {
			snprintf(rest, sizeof rest, "%s", p + 1);
			if (!parse_clock(rest, &h, &m))
				return "the time after a date is HH:MM, e.g. 2026-12-24 09:00";
		} else if (*p) {
			return expected;
		}
		struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
				.tm_hour = h, .tm_min = m, .tm_isdst = -1};
		int64_t t = (int64_t)mktime(&tm);
		/* mktime normalises 2026-02-30 into March: refuse instead */
		if (tm.tm_mon != mo - 1 || tm.tm_mday != d || tm.tm_year != y - 1900)
			return "no such date";
		*out = t;
		return NULL;
	}

	char word[16];
	const char *after = split_word(s, word, sizeof word);
	int add;
	if (strcasecmp(word, "today") == 0 || strcasecmp(word, "tomorrow") == 0) {
		add = strcasecmp(word, "tomorrow") == 0;
	} else {
		bool next = strcasecmp(word, "next") == 0;
		if (next)
			after = split_word(after, word, sizeof word);
		int wd = weekday_of(word);
		if (wd < 0)
			return expected;
		/* "monday" and "next monday" both mean the coming one, never
		 * today: a follow-up is for a later day. */
		add = (wd - today.tm_wday + 7) % 7;
		if (add == 0)
			add = 7;
	}
	if (*after && !parse_clock(after, &h, &m))
		return "the time after a day is HH:MM, e.g. tomorrow 14:00";
	*out = local_at(&today, add, h, m);
	return NULL;
}

void when_format(int64_t t, int64_t now, char *buf, size_t size)
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	time_t tt = (time_t)t, tn = (time_t)now;
	struct tm tm, tmn;
	localtime_r(&tt, &tm);
	localtime_r(&tn, &tmn);
	if (tm.tm_year == tmn.tm_year)
		snprintf(buf, size, "%s %d %s %02d:%02d", days[tm.tm_wday], tm.tm_mday,
			 months[tm.tm_mon], tm.tm_hour, tm.tm_min);
	else
		snprintf(buf, size, "%s %d %s %d %02d:%02d", days[tm.tm_wday], tm.tm_mday,
			 months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min);
}
