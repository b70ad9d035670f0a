/* copy_pg.c: desk db copy's read snapshot on a PostgreSQL source.
 *
 * The snapshot is a REPEATABLE READ, READ ONLY transaction, without the
 * writers' advisory lock (pg_begin's), so agents' writes go on beside a
 * long copy.  The engine reconnects after a lost connection outside its
 * own transactions, so after each read the copy asks whether the
 * snapshot still stands: rows read after a reconnect would come from
 * another instant. */
#include "copy_tables.h"
#include "internal.h"
#include "pg.h"

int copy_pg_snapshot_begin(struct store *st, struct derr *e)
{
	return pg_exec(st->pg, st->path, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", e);
}

int copy_pg_snapshot_check(struct store *st, struct derr *e)
{
	if (pg_in_transaction(st->pg))
		return DESK_OK;
	return derr_set(e, DESK_EIO,
			"%s: the connection was lost during the copy, and the snapshot "
			"it read from with it",
			st->path);
}
