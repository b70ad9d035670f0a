/* business_hours.c: time counted in the team's working hours.
 *
 * Every local day of the configured zone has one opening interval,
 * [open, close) in UTC, empty on closed days and holidays.  A table of
 * days holding, for each, the business seconds before it turns "seconds
 * between a and b" and "a plus n business seconds" into lookups: the
 * metrics call this once per ticket, so it must not walk the calendar.
 *
 * The table is built per configuration and kept (one cache, compared by
 * content), and grown by a year at a time when asked about other days.
 * Local times come from the C library: TZ is set to the zone around each
 * build and restored after, so DST and the zone's history are the tz
 * database's.  desk is single-threaded; nothing else reads TZ meanwhile. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "priv.h"
#include "sla.h"
#include "util.h"

#define DAY 86400
/* 1970-01-01 .. 2200-01-01: past the range, the answer is clamped. */
#define T_MIN 0
#define T_MAX INT64_C(7258118400)
#define GROW_DAYS 366

struct bh_day {
	int64_t midnight; /* UTC instant of the local day's start */
	int64_t open, close;
	int64_t before; /* business seconds from the table's first day */
};

static struct {
	bool built;
	/* What the table was built for. */
	char *zone;   /* NULL: the process's local zone, see tz_env */
	char *tz_env; /* $TZ at build time, when zone is NULL */
	int open[7], close[7];
	char **holiday_text; /* as configured, to compare */
	size_t nholiday_text;
	int64_t *holidays; /* local day numbers, sorted */
	size_t nholidays;
	/* Days first .. first + n - 1. */
	int64_t first;
	size_t n;
	struct bh_day *days;
} cal;

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int64_t clamp_t(int64_t t)
{
	return t < T_MIN ? T_MIN : t > T_MAX ? T_MAX : t;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* The zone the team's hours are in: the configured one; without one, the
 * box's own (/etc/localtime) for an installed, setgid desk, whose due
 * times must not follow an agent's $TZ; else the process's local zone. */
static const char *team_zone(const struct business_hours *h)
{
	return h->timezone ? h->timezone : priv_setid() ? ":/etc/localtime" : NULL;
}

/* Whether the cache was built for h (and, for the local zone, $TZ). */
static bool cache_matches(const struct business_hours *h)
{
	if (!cal.built || !same_str(cal.zone, team_zone(h)))
		return false;
	if (!team_zone(h) && !same_str(cal.tz_env, getenv("TZ")))
		return false;
	if (memcmp(cal.open, h->open, sizeof cal.open) ||
	    memcmp(cal.close, h->close, sizeof cal.close))
		return false;
	if (cal.nholiday_text != h->nholidays)
		return false;
	for (size_t i = 0; i < h->nholidays; i++)
		if (strcmp(cal.holiday_text[i], h->holidays[i]) != 0)
			return false;
	return true;
}

static void cache_reset(const struct business_hours *h)
{
	free(cal.zone);
	free(cal.tz_env);
	for (size_t i = 0; i < cal.nholiday_text; i++)
		free(cal.holiday_text[i]);
	free(cal.holiday_text);
	free(cal.holidays);
	free(cal.days);
	memset(&cal, 0, sizeof cal);
	cal.built = true;
	cal.zone = xstrdup(team_zone(h));
	if (!cal.zone)
		cal.tz_env = xstrdup(getenv("TZ"));
	memcpy(cal.open, h->open, sizeof cal.open);
	memcpy(cal.close, h->close, sizeof cal.close);
	cal.holidays = xcalloc(h->nholidays + 1, sizeof *cal.holidays);
	cal.holiday_text = xcalloc(h->nholidays + 1, sizeof *cal.holiday_text);
	for (size_t i = 0; i < h->nholidays; i++) {
		int64_t t;
		cal.holiday_text[cal.nholiday_text++] = xstrdup(h->holidays[i]);
		/* The config checked the dates; a bad one is no holiday. */
		if (time_parse_rfc3339(h->holidays[i], &t))
			cal.holidays[cal.nholidays++] = floor_div(t, DAY);
	}
	qsort(cal.holidays, cal.nholidays, sizeof *cal.holidays, cmp_i64);
}

/* --- the zone ----------------------------------------------------------- */

struct tz_saved {
	bool switched, had;
	char *old;
};

static void tz_enter(struct tz_saved *s)
{
	memset(s, 0, sizeof *s);
	if (!cal.zone)
		return;
	const char *old = getenv("TZ");
	s->had = old != NULL;
	s->old = xstrdup(old);
	s->switched = true;
	setenv("TZ", cal.zone, 1);
	tzset();
}

static void tz_leave(struct tz_saved *s)
{
	if (!s->switched)
		return;
	if (s->had)
		setenv("TZ", s->old, 1);
	else
		unsetenv("TZ");
	tzset();
	free(s->old);
}

/* The zone's offset from UTC at instant t, in seconds east. */
static int64_t offset_at(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!localtime_r(&tt, &tm))
		return 0;
	return tm.tm_gmtoff;
}

/* The UTC instant showing local wall time `local` (seconds since the
 * epoch as if the zone were UTC).  A wall time skipped by a DST change
 * moves forward by the change, as mktime does. */
static int64_t local_to_utc(int64_t local)
{
	int64_t t1 = local - offset_at(local);
	int64_t t2 = local - offset_at(t1);
	if (t2 + offset_at(t2) == local)
		return t2;
	/* In a gap the two guesses straddle the change: the later one is
	 * the wall time read on the clock after it. */
	int64_t t3 = local - offset_at(t2);
	return t2 > t3 ? t2 : t3;
}

static bool is_holiday(int64_t day)
{
	return bsearch(&day, cal.holidays, cal.nholidays, sizeof day, cmp_i64) != NULL;
}

/* Fills the table for days [first, first + n), TZ already set. */
static void fill_days(int64_t first, size_t n)
{
	struct bh_day *v = xcalloc(n, sizeof *v);
	int64_t before = 0;
	for (size_t i = 0; i < n; i++) {
		int64_t day = first + (int64_t)i;
		int wday = (int)(((day % 7) + 7 + 4) % 7); /* 1970-01-01 was a Thursday */
		struct bh_day *d = &v[i];
		d->midnight = local_to_utc(day * DAY);
		d->before = before;
		if (cal.open[wday] < 0 || is_holiday(day)) {
			d->open = d->close = d->midnight;
			continue;
		}
		d->open = local_to_utc(day * DAY + cal.open[wday] * 60);
		d->close = local_to_utc(day * DAY + cal.close[wday] * 60);
		if (d->open < d->midnight)
			d->open = d->midnight;
		if (d->close < d->open)
			d->close = d->open;
		before += d->close - d->open;
	}
	free(cal.days);
	cal.days = v;
	cal.first = first;
	cal.n = n;
}

/* Makes the table cover local days lo..hi (with the day after hi, so
 * every covered day has its end). */
static void cover(int64_t lo, int64_t hi)
{
	int64_t first = cal.first, last = cal.first + (int64_t)cal.n - 1;
	if (cal.n && lo >= first && hi + 1 <= last)
		return;
	if (cal.n) {
		lo = lo < first ? lo - GROW_DAYS : first;
		hi = hi + 1 > last ? hi + GROW_DAYS : last;
	} else {
		lo -= 7;
		hi += GROW_DAYS;
	}
	struct tz_saved s;
	tz_enter(&s);
	fill_days(lo, (size_t)(hi - lo + 1));
	tz_leave(&s);
}

static void prepare(const struct business_hours *h)
{
	if (!cache_matches(h))
		cache_reset(h);
}

/* Index in cal.days of the local day holding instant t. */
static size_t day_index(int64_t t)
{
	/* Zone offsets are within a day of UTC. */
	int64_t g = floor_div(t, DAY);
	cover(g - 2, g + 2);
	size_t i = (size_t)(g - cal.first);
	while (i > 0 && t < cal.days[i].midnight)
		i--;
	while (i + 1 < cal.n && t >= cal.days[i + 1].midnight)
		i++;
	return i;
}

static int64_t day_len(const struct bh_day *d)
{
	return d->close - d->open;
}

/* Business seconds from the table's first day up to instant t. */
static int64_t running(int64_t t)
{
	const struct bh_day *d = &cal.days[day_index(t)];
	int64_t in = t - d->open;
	if (in < 0)
		in = 0;
	if (in > day_len(d))
		in = day_len(d);
	return d->before + in;
}

int64_t bh_seconds(const struct business_hours *h, int64_t a, int64_t b)
{
	if (b <= a)
		return 0;
	if (!h || !h->enabled)
		return b - a;
	prepare(h);
	a = clamp_t(a);
	b = clamp_t(b);
	/* Cover both ends first: growing the table renumbers "before". */
	cover(floor_div(a, DAY) - 2, floor_div(b, DAY) + 2);
	return running(b) - running(a);
}

int64_t bh_add(const struct business_hours *h, int64_t start, int64_t secs)
{
	if (secs <= 0)
		return start;
	if (!h || !h->enabled)
		return start + secs;
	prepare(h);
	start = clamp_t(start);
	int64_t g = floor_div(start, DAY);
	/* A week holds at least one open day; holidays may add a few. */
	int64_t span = secs / 3600 + 14;
	for (int tries = 0; tries < 64; tries++, span *= 2) {
		if (g + span > T_MAX / DAY)
			break;
		cover(g - 2, g + span);
		int64_t target = running(start) + secs;
		/* The first day whose running total reaches target. */
		size_t lo = day_index(start), hi = cal.n - 1;
		if (cal.days[hi].before + day_len(&cal.days[hi]) < target)
			continue;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (cal.days[mid].before + day_len(&cal.days[mid]) >= target)
				hi = mid;
			else
				lo = mid + 1;
		}
		return cal.days[lo].open + (target - cal.days[lo].before);
	}
	return T_MAX;
}
