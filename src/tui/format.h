/* format.h: pure helpers of the console (no curses, no database):
 * queue cells and columns, and the compose file's marker. */
#ifndef DESK_TUI_FORMAT_H
#define DESK_TUI_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

enum sla_state { SLA_NONE, SLA_OK, SLA_NEAR, SLA_PAST };

/* The SLA cell: time left until `due` ("3h", "45m"), or overdue
 * ("-2h"); "" when there is no due time.  Near when at most
 * warn_percent of `target` (seconds; 0: unknown, then 1h) is left. */
enum sla_state sla_cell(int64_t due, int64_t now, int64_t target, int warn_percent, char *buf,
			size_t size);

/* Short labels that fit the queue's narrow columns. */
const char *priority_label(enum priority p); /* "urg", "high", "norm", "low" */
const char *status_label(enum status s);     /* "new", "open", "pend", "hold", ... */

enum qcol { QC_ID, QC_PRIO, QC_STATUS, QC_SLA, QC_AGE, QC_CUSTOMER, QC_SUBJECT, QC_ASSIGNEE,
	    QC_TAGS, QC__COUNT };
struct qcols {
	bool shown[QC__COUNT];
	int x[QC__COUNT], w[QC__COUNT];
};
extern const char *const qcol_titles[QC__COUNT];
/* Lays the queue's columns out in `width` columns: the id (idw digits)
 * and subject always, the others as room allows, most useful first. */
void queue_columns(int width, int idw, struct qcols *out);

/* A sparkline of n values, one character each, scaled to the largest
 * (0 is the lowest step; all zero: all lowest): ▁▂▃▄▅▆▇█ when utf8,
 * else the ASCII steps _.-:=+*#.  A new string. */
char *sparkline(const int64_t *v, size_t n, bool utf8);

/* The compose file: what is above this line is sent. */
extern const char compose_marker[];
/* body, a blank line, the marker, then `below` (information and the
 * quoted message, already sanitized).  A new string. */
char *compose_build(const char *body, const char *below);
/* The text above the marker line (all of it if the marker was deleted),
 * without trailing blank lines.  A new string. */
char *compose_strip(const char *text);
/* Every line of s prefixed with "> ".  A new string. */
char *compose_quote(const char *s);
/* The copies a reply's text asks for, mutt's edit_headers style: lines
 * "Cc: ADDR, ADDR" and "Bcc: ADDR" (any case, repeatable) at the very
 * top of the text, up to the first other line; one blank line after
 * them is dropped too.  *cc and *bcc: what they name, joined by ", "
 * in order (new strings, NULL when none; not checked here: the caller
 * checks each with mail_recipients_join); *rest: the text below them, a
 * new string (the whole text when it has none). */
void compose_copies(const char *text, char **cc, char **bcc, char **rest);

#endif
