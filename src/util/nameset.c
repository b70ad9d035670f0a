/* nameset.c: duplicate names found in constant time.  See nameset.h. */
#define _GNU_SOURCE /* hsearch_r */
#include <search.h>
#include <stdint.h>
#include <stdlib.h>

#include "nameset.h"
#include "util.h"

void nameset_init(struct nameset *s, size_t n)
{
	s->table = xcalloc(1, sizeof(struct hsearch_data));
	/* hsearch_r fails once the table is full: room to spare. */
	if (!hcreate_r(2 * n + 16, s->table))
		abort(); /* out of memory, as xmalloc would */
}

long nameset_add(struct nameset *s, const char *name, long index)
{
	ENTRY item = {.key = (char *)name, .data = (void *)(intptr_t)index};
	ENTRY *found = NULL;
	if (!hsearch_r(item, ENTER, &found, s->table))
		abort(); /* more names than nameset_init was told */
	long first = (long)(intptr_t)found->data;
	return first == index ? -1 : first;
}

void nameset_free(struct nameset *s)
{
	hdestroy_r(s->table);
	free(s->table);
	s->table = NULL;
}
