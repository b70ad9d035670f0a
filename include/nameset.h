/* nameset.h: "was this name seen before, and where?" in constant time,
 * for duplicate checks over lists that can be long (40,000 canned
 * responses or views must not cost seconds at every start).  A thin
 * wrapper over the C library's hash table (hsearch_r); the names are
 * not copied and must outlive the set. */
#ifndef DESK_NAMESET_H
#define DESK_NAMESET_H

#include <stddef.h>

struct nameset {
	void *table; /* glibc's struct hsearch_data (a GNU extension) */
};

/* A set for up to n names. */
void nameset_init(struct nameset *s, size_t n);
/* Adds name, seen at index; returns the index it was first seen at, or
 * -1 when it is new. */
long nameset_add(struct nameset *s, const char *name, long index);
void nameset_free(struct nameset *s);

#endif
