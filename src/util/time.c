/* time.c: UTC seconds, RFC 3339, spans and durations. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

int64_t time_now(void)
{
	const char *fixed = getenv("DESK_NOW");
	if (fixed && *fixed) {
		int64_t t;
		char *end;
		long long v = strtoll(fixed, &end, 10);
		if (*end == '\0')
			return v;
		if (time_parse_rfc3339(fixed, &t))
			return t;
	}
	return (int64_t)time(NULL);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil), so no timegm() and no TZ games are needed. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static bool digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

static int days_in_month(int y, int m)
{
	static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : dm[m - 1];
}

bool time_parse_rfc3339(const char *s, int64_t *out)
{
	int y, mo, d, h = 0, mi = 0, sec = 0;
	if (!s || strlen(s) < 10 || !digits(s, 4, &y) || s[4] != '-' ||
	    !digits(s + 5, 2, &mo) || s[7] != '-' || !digits(s + 8, 2, &d))
		return false;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
		return false;
	const char *p = s + 10;
	int64_t offset = 0;
	if (*p != '\0') {
		if ((*p != 'T' && *p != 't' && *p != ' ') || !digits(p + 1, 2, &h) ||
		    p[3] != ':' || !digits(p + 4, 2, &mi) || p[6] != ':' ||
		    !digits(p + 7, 2, &sec))
			return false;
		if (h > 23 || mi > 59 || sec > 60)
			return false;
		p += 9;
		if (*p == '.') {
			p++;
			if (!isdigit((unsigned char)*p))
				return false;
			while (isdigit((unsigned char)*p))
				p++;
		}
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int oh, om;
			if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om) ||
			    oh > 23 || om > 59)
				return false;
			offset = (oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
			p += 6;
		} else {
			return false;
		}
		if (*p != '\0')
			return false;
	}
	*out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset;
	return true;
}

void time_format_rfc3339(int64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void time_format_local(int64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;
	localtime_r(&tt, &tm);
	strftime(buf, size, "%Y-%m-%d %H:%M", &tm);
}

void time_format_span(int64_t s, char *buf, size_t size)
{
	const char *sign = s < 0 ? "-" : "";
	int64_t a = s < 0 ? -s : s;
	if (a < 60)
		snprintf(buf, size, "%s%llds", sign, (long long)a);
	else if (a < 3600)
		snprintf(buf, size, "%s%lldm", sign, (long long)(a / 60));
	else if (a < 86400)
		snprintf(buf, size, "%s%lldh", sign, (long long)(a / 3600));
	else if (a < 86400 * 14)
		snprintf(buf, size, "%s%lldd", sign, (long long)(a / 86400));
	else
		snprintf(buf, size, "%s%lldw", sign, (long long)(a / (86400 * 7)));
}

void time_format_follow_up(int64_t at, int64_t now, char *buf, size_t size)
{
	char span[32];
	time_format_span(at - now, span, sizeof span);
	snprintf(buf, size, "f%s", span);
}

bool duration_parse(const char *s, int64_t *seconds)
{
	if (!s || !*s)
		return false;
	int64_t total = 0;
	const char *p = s;
	while (*p) {
		if (!isdigit((unsigned char)*p))
			return false;
		int64_t v = 0;
		while (isdigit((unsigned char)*p)) {
			v = v * 10 + (*p - '0');
			if (v > 100000000)
				return false;
			p++;
		}
		int64_t unit;
		switch (*p) {
		case 's': unit = 1; break;
		case 'm': unit = 60; break;
		case 'h': unit = 3600; break;
		case 'd': unit = 86400; break;
		case 'w': unit = 7 * 86400; break;
		default: return false;
		}
		p++;
		total += v * unit;
	}
	if (total <= 0)
		return false;
	*seconds = total;
	return true;
}

void time_format_duration(int64_t s, char *buf, size_t size)
{
	if (s <= 0) {
		snprintf(buf, size, "0s");
		return;
	}
	int64_t h = s / 3600, m = s % 3600 / 60, sec = s % 60;
	size_t len = 0;
	buf[0] = '\0';
	if (h)
		len += (size_t)snprintf(buf + len, size - len, "%lldh", (long long)h);
	if (m && len < size)
		len += (size_t)snprintf(buf + len, size - len, "%lldm", (long long)m);
	if (sec && len < size)
		snprintf(buf + len, size - len, "%llds", (long long)sec);
}
