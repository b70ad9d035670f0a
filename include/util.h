/* util.h: allocation that never returns NULL, a growable string buffer,
 * and time helpers (RFC 3339, durations like "4h"). */
#ifndef DESK_UTIL_H
#define DESK_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Called before aborting on out-of-memory, so the TUI can restore the
 * terminal first.  NULL by default. */
extern void (*xalloc_fail_hook)(void);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
/* Grows *v (an array of *cap elements of `size`) to hold at least need. */
void xgrow(void **v, size_t *cap, size_t need, size_t size);
char *xstrdup(const char *s);    /* NULL stays NULL */
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);

/* free(*p) and *p = NULL. */
void xfree(char **p);

struct strbuf {
	char *s; /* always NUL-terminated once anything was added */
	size_t len, cap;
};
void sb_add(struct strbuf *b, const char *s);
void sb_addn(struct strbuf *b, const char *s, size_t n);
void sb_addc(struct strbuf *b, char c);
void sb_addf(struct strbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The buffer's string ("" if empty), owned by b. */
const char *sb_str(const struct strbuf *b);
/* Hands the string to the caller and empties b. */
char *sb_take(struct strbuf *b);
void sb_reset(struct strbuf *b);
void sb_free(struct strbuf *b);

/* Current time, UTC seconds.  $DESK_NOW (seconds or RFC 3339) overrides
 * it, so tests and the demo generator get a fixed clock. */
int64_t time_now(void);

/* Parses RFC 3339 ("2026-11-01T09:30:00Z", "...+02:00", fractional seconds
 * allowed and dropped) into UTC seconds.  Also takes a plain date
 * "2026-11-01" as midnight UTC.  Returns false if malformed. */
bool time_parse_rfc3339(const char *s, int64_t *out);
/* Formats UTC seconds as "2026-11-01T09:30:00Z" into buf (>= 21 bytes). */
void time_format_rfc3339(int64_t t, char *buf, size_t size);
/* Local time, "2026-11-01 10:30", for people. */
void time_format_local(int64_t t, char *buf, size_t size);
/* A short age or span: "45s", "12m", "3h", "5d", "8w"; negative gets "-". */
void time_format_span(int64_t seconds, char *buf, size_t size);
/* A waiting ticket's follow-up time as the queue's due column shows it:
 * "f" and the time left ("f3d"), or how long ago it came ("f-2h"). */
void time_format_follow_up(int64_t at, int64_t now, char *buf, size_t size);

/* Parses a duration: an integer followed by s, m, h, d or w ("30m", "4h",
 * "2d"), or several ("1h30m").  Returns false if malformed or not > 0. */
bool duration_parse(const char *s, int64_t *seconds);
/* An exact duration, largest units first, zero units left out: "45s",
 * "4m12s", "1h30m", and 7205 seconds "2h5s"; 0 is "0s". */
void time_format_duration(int64_t seconds, char *buf, size_t size);

/* An "until" time as people write it, in local time: a span from now
 * ("3d", "4h", "1h30m"), "2026-12-24 09:00" (a date alone: 09:00),
 * "today 17:00", "tomorrow [HH:MM]", "[next] monday [HH:MM]" (the coming
 * one, never today; 09:00 unless a time is given).  Returns NULL and
 * sets *out, or a message saying what was expected. */
const char *when_parse(const char *text, int64_t now, int64_t *out);
/* "Mon 7 Dec 09:00" in local time (the year added when not now's). */
void when_format(int64_t t, int64_t now, char *buf, size_t size);

/* Case-insensitive ASCII substring search; NULL-safe (NULL never matches). */
bool str_icontains(const char *hay, const char *needle);
bool str_empty(const char *s); /* NULL or "" */
/* The folder part of a file name ("." when it has none), a new string. */
char *path_dir(const char *path);
/* Whether two names are one existing file (device and inode). */
bool path_same_file(const char *a, const char *b);
/* Whether a database setting names a PostgreSQL server (a postgresql://
 * or postgres:// URL, or libpq keywords such as "host=... dbname=...")
 * rather than a SQLite file. */
bool database_is_server(const char *setting);
/* Trims ASCII whitespace at both ends, in place; returns s. */
char *str_trim(char *s);
/* The Levenshtein distance of two short strings (names up to 64 bytes;
 * longer ones are 99 apart). */
int str_distance(const char *a, const char *b);
/* The candidate nearest to name, at most max_edits away and not name
 * itself (ties: the first), or NULL: for "did you mean" messages. */
const char *str_suggest(const char *name, const char *const *cands, size_t n, int max_edits);

/* Reads a whole stream into a new string; NULL and errno on read error. */
char *read_all(void *stdio_file, size_t *len);
/* Reads a whole file; NULL and errno on failure. */
char *read_file(const char *path, size_t *len);

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
