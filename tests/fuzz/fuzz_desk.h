/* fuzz_desk.h: the scratch desk the fuzz targets that write share. */
#ifndef DESK_FUZZ_DESK_H
#define DESK_FUZZ_DESK_H

#include "config.h"
#include "core.h"

/* The target's config (its own to fill before fuzz_desk_open) and desk. */
extern struct config fuzz_cfg;
extern struct desk fuzz_d;

/* Makes the scratch folder (tmpfs when there is one: synchronous=FULL
 * costs an fsync a commit) and returns it; name prefixes messages. */
const char *fuzz_dir_make(const char *name);
/* Opens the first database; everything goes at exit. */
void fuzz_desk_open(void);
/* Counts one input, and every `renew` inputs starts a fresh database
 * so a long run stays fast.  Returns the count. */
unsigned long fuzz_desk_next(unsigned long renew);

#endif
