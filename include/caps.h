/* caps.h: the most desk takes in one piece, and the rule for queue and
 * tag names.  One set of numbers for every way text comes in (the CLI,
 * the console, import, mail), so a ticket can never hold what another
 * path would have refused.
 *
 * Why caps: every agent's console loads what a ticket holds; a 100 MB
 * body once cost each of them seconds and hundreds of megabytes just to
 * open the ticket.  The numbers are generous for people and small for
 * the machine.  (Named caps.h, not limits.h: -Iinclude would shadow the
 * C library's <limits.h>.) */
#ifndef DESK_CAPS_H
#define DESK_CAPS_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

#define DESK_MAX_BODY (1024 * 1024)              /* a message, a note: 1 MiB */
#define DESK_MAX_SUBJECT 1000                    /* bytes: a subject line */
#define DESK_MAX_NAME 256                        /* bytes: a person's name */
#define DESK_MAX_IMPORT_LINE (64 * 1024 * 1024) /* one import line: 64 MiB */
#define DESK_MAX_LABEL 64                        /* a queue or tag name */
#define DESK_MAX_SIGNATURE 2048                  /* bytes: an agent's signature */

/* "1 MiB", "1000 bytes": a cap in words for messages; buf >= 32. */
const char *caps_describe(size_t bytes, char *buf, size_t size);

/* DESK_EINVAL naming `what` and the cap when s is longer than max bytes:
 * "subject: 2000 bytes, more than the 1000 bytes desk takes". */
int caps_check(const char *what, const char *s, size_t max, struct derr *e);

/* A copy of s cut at a character boundary to at most max bytes,
 * followed by `note` when cut (so a cut is visible).  New string. */
char *caps_cut(const char *s, size_t max, const char *note);

/* Cuts *s in place to at most max bytes, the note included (caps_cut),
 * when it is longer: the note is a line saying so ("[desk: the text was
 * cut here: it was N bytes, more than the 1 MiB desk keeps]") when
 * say_so, else "…".
 * For what is kept rather than refused (mail).  NULL stays NULL.
 * Returns whether it cut. */
bool caps_fit(char **s, size_t max, bool say_so);

/* Queue and tag names: 1 to 64 characters, lowercase letters a-z,
 * digits and - _ . /, starting with a letter or a digit.  No spaces,
 * controls, commas or look-alike Unicode: a name goes into filters
 * ("queue:billing"), lists and terminals as it is. */
bool label_is_valid(const char *s);
#define LABEL_RULE "1 to 64 of a-z, 0-9, '-', '_', '.', '/', starting with a letter or digit"

#endif
