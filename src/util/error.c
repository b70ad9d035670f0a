/* error.c: setting and prefixing struct derr messages. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

int derr_set(struct derr *e, int code, const char *fmt, ...)
{
	if (!e)
		return code;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	e->code = code;
	return code;
}

void derr_prefix(struct derr *e, const char *fmt, ...)
{
	if (!e)
		return;
	char prefix[512], old[sizeof e->msg];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof prefix, fmt, ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof old);
	/* Truncation is fine here: the start of a message says the most. */
	size_t n = strlen(prefix);
	if (n > sizeof e->msg - 3)
		n = sizeof e->msg - 3;
	memcpy(e->msg, prefix, n);
	memcpy(e->msg + n, ": ", 2);
	size_t rest = sizeof e->msg - n - 3;
	size_t m = strnlen(old, rest);
	memcpy(e->msg + n + 2, old, m);
	e->msg[n + 2 + m] = '\0';
}

void derr_clear(struct derr *e)
{
	if (!e)
		return;
	e->code = 0;
	e->msg[0] = '\0';
}
