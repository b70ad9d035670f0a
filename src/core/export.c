/* export.c: desk export: every ticket as one JSON Lines record, in id
 * order, in the format desk import reads back.
 *
 * The store writes each record with SQLite's JSON functions (the
 * escaping is SQLite's), one ticket at a time by id, so memory stays
 * flat however big the desk is.  There is no transaction around the
 * walk: holding one read snapshot through a long export would stop
 * checkpoints for every agent; each line is consistent on its own, and
 * a ticket deleted meanwhile is simply left out. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "util.h"

int core_export(struct desk *d, void *stdio_out, struct derr *e)
{
	/* Every customer's details and messages and the whole audit trail
	 * in one file: a backup or a move to another desk, which is an
	 * admin's job.  Agents read tickets one at a time, through desk. */
	if (d->me.role != ROLE_ADMIN)
		return derr_set(e, DESK_EDENIED,
				"exporting is for admins: an export holds every customer's "
				"details and the whole audit trail (you are %s, a%s %s)",
				d->me.login, d->me.role == ROLE_AGENT ? "n" : "",
				role_name(d->me.role));
	FILE *out = stdio_out;
	int64_t id = 0;
	for (;;) {
		int rc = store_ticket_next_id(d->st, id, &id, e);
		if (rc)
			return rc;
		if (!id)
			break;
		char *json;
		rc = store_ticket_json(d->st, id, true, true, &json, e);
		if (rc == DESK_ENOTFOUND)
			continue;
		if (rc)
			return rc;
		bool ok = fputs(json, out) >= 0 && putc('\n', out) != EOF;
		free(json);
		if (!ok)
			return derr_set(e, DESK_EIO, "writing the export: %s", strerror(errno));
	}
	if (fflush(out) != 0 || ferror(out))
		return derr_set(e, DESK_EIO, "writing the export: %s", strerror(errno));
	return DESK_OK;
}
