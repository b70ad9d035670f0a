/* strings.c: small string and file helpers. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

bool str_empty(const char *s)
{
	return !s || !*s;
}

bool str_icontains(const char *hay, const char *needle)
{
	if (!hay || !needle)
		return false;
	size_t n = strlen(needle);
	if (n == 0)
		return true;
	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return true;
	return false;
}

char *str_trim(char *s)
{
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	size_t i = 0;
	while (isspace((unsigned char)s[i]))
		i++;
	if (i)
		memmove(s, s + i, n - i + 1);
	return s;
}

char *read_all(void *stdio_file, size_t *len)
{
	FILE *f = stdio_file;
	struct strbuf b = {0};
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		sb_addn(&b, chunk, n);
	if (ferror(f)) {
		int saved = errno ? errno : EIO;
		sb_free(&b);
		errno = saved;
		return NULL;
	}
	if (len)
		*len = b.len;
	return sb_take(&b);
}

char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *s = read_all(f, len);
	int saved = errno;
	fclose(f);
	errno = saved;
	return s;
}
