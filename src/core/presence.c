/* presence.c: who else is looking at or replying to a ticket.  Each
 * console says where its agent is (viewing, replying, nowhere) in one
 * short transaction; presence is best-effort, so a busy or read-only
 * database costs nothing but a stale row, which fades on its own. */
#include <stdlib.h>

#include "core.h"
#include "util.h"

int core_presence_set(struct desk *d, int64_t ticket_id, bool replying, struct derr *e)
{
	struct derr scratch = {0};
	if (!e)
		e = &scratch;
	if (!d->me.id)
		return DESK_OK;
	int rc = store_begin(d->st, e);
	if (rc)
		return rc;
	rc = store_presence_set(d->st, d->me.id, ticket_id, replying, time_now(), e);
	if (rc) {
		store_rollback(d->st);
		return rc;
	}
	return store_commit(d->st, e);
}

int core_presence_others(struct desk *d, struct presence_rows *out, struct derr *e)
{
	return store_presence_all(d->st, time_now() - PRESENCE_FRESH_SECONDS, d->me.id, out, e);
}
