/* error.h: one small error value passed down every layer.
 *
 * Functions that can fail take a `struct derr *` and return a negative
 * code.  The message is written once, by whoever knows what and where,
 * and carried up unchanged to the CLI (stderr) or the TUI (status line). */
#ifndef DESK_ERROR_H
#define DESK_ERROR_H

enum derr_code {
	DESK_OK = 0,
	DESK_EINVAL = -1,    /* bad input: a value, a flag, a file */
	DESK_ENOTFOUND = -2, /* no such ticket, agent, customer, view */
	DESK_ECONFLICT = -3, /* someone else got there first (claim, merge) */
	DESK_EDENIED = -4,   /* the rules or the agent's role forbid it */
	DESK_EBUSY = -5,     /* the database stayed locked past our retries */
	DESK_EIO = -6,       /* disk full, read-only, permissions, corruption */
	DESK_ESCHEMA = -7,   /* database from a newer desk, or not ours */
	DESK_EUSAGE = -8,    /* command-line usage error: exit 2 */
};

struct derr {
	int code;
	char msg[1024];
};

/* e's code, for e that may be NULL (the caller did not want the words):
 * a store function's failure is then still a failure. */
static inline int derr_code(const struct derr *e)
{
	return e ? e->code : DESK_EIO;
}

/* Sets e->code and e->msg (printf-style) and returns code, so callers can
 * write `return derr_set(e, DESK_EINVAL, "...")`.  e may be NULL. */
int derr_set(struct derr *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prefixes the existing message with "prefix: " (e.g. a file:line). */
void derr_prefix(struct derr *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void derr_clear(struct derr *e);

#endif
