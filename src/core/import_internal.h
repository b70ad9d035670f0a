/* import_internal.h: what import.c (one line: check it, write it) and
 * import_run.c (the file: spool, commit point, batches) share. */
#ifndef DESK_IMPORT_INTERNAL_H
#define DESK_IMPORT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <glib.h>

#include "core.h"

/* A merged_into naming a ticket not written yet: it may come later in
 * the file (export writes in id order, and a ticket can be merged into a
 * newer one), so it is linked once the file is in. */
struct pending_merge {
	int64_t ticket_id;
	long line;
	char *xid;
};

struct importer {
	struct desk *d;
	const char *name; /* for messages: the file name or "stdin" */
	long line;
	int64_t now;      /* when the import started: its events' time */
	int64_t agent_id; /* who ran it: its events' agent */
	bool skip_bad;
	/* writing: the merges of the lines written since the last take */
	struct pending_merge *pend;
	size_t npend, cappend;
	GHashTable *agent_ids; /* login -> id, for agents known or added */
	/* checking: what the file holds so far, to check across lines */
	GHashTable *logins_ok; /* logins known to be agents or valid to add */
	GHashTable *xids;      /* external ids of the good lines */
	GHashTable *msg_ids;   /* message_id -> its line (a GINT_TO_POINTER) */
	GHashTable *msg_xids;  /* message_id -> its line's external id */
	struct pending_merge *targets; /* merged_into not in the desk */
	size_t ntargets, captargets;
};

void importer_init(struct importer *im, struct desk *d, const char *name, int64_t now,
		   int64_t agent_id, bool skip_bad);
void importer_free(struct importer *im);
/* "FILE:LINE: ..." on report, sanitized: the message quotes the file. */
void import_report(FILE *report, const char *msg);
bool import_blank(const char *s);

/* Checks the line im->line as writing it would, without writing:
 * DESK_EINVAL with "field: problem" for a bad line; any other code is
 * trouble with the database. */
int import_check(struct importer *im, const char *text, size_t len, struct derr *e);
/* After the last line: each merged_into that names neither a good line
 * of the file nor a ticket of the desk.  Without skip_bad the first is
 * the error ("FILE:LINE: merged_into: ..."); with it each is reported
 * and counted in *bad, and the line is imported without the link. */
int import_check_merges(struct importer *im, FILE *report, long *bad, struct derr *e);
/* Writes the line im->line (checked before) inside the open transaction;
 * a merge whose target is not in yet goes to im->pend. */
int import_write(struct importer *im, const char *text, size_t len, bool *created,
		 struct derr *e);
/* Forgets what a rolled-back line may have added (agents). */
void import_forget(struct importer *im);
void import_drop_pending(struct importer *im, size_t keep);

#endif
