/* copy_pg.c: desk db copy's read snapshot on a PostgreSQL source, and
 * its deferred search index and report facts on a PostgreSQL target.
 *
 * The snapshot is a REPEATABLE READ, READ ONLY transaction, without the
 * writers' advisory lock (pg_begin's), so agents' writes go on beside a
 * long copy.  The engine reconnects after a lost connection outside its
 * own transactions, so after each read the copy asks whether the
 * snapshot still stands: rows read after a reconnect would come from
 * another instant. */
#include <stdlib.h>

#include "copy_tables.h"
#include "internal.h"
#include "pg.h"
#include "pg_internal.h"
#include "pg_schema.h"
#include "util.h"

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

/* The target's derived rows made after its last row, not row by row
 * (pg_schema.c, pg_copy_defer_sql, says why), when the copy runs as the
 * owner of the tables concerned (only it may turn their triggers off);
 * otherwise the triggers make them as each row comes, as for any other
 * writer: slower, the same rows. */
int copy_pg_defer(struct store *to, bool *deferred, struct derr *e)
{
	*deferred = false;
	struct stmt *s = st_prep(to,
				 "SELECT bool_and(pg_has_role(relowner, 'USAGE')) FROM pg_class"
				 " WHERE oid IN ('tickets'::regclass, 'messages'::regclass,"
				 " 'ticket_fts'::regclass, 'message_fts'::regclass)",
				 e);
	if (!s)
		return derr_code(e);
	int rc = st_step(s);
	bool owner = rc == ST_ROW && col_int(s, 0);
	st_done(s);
	if (rc != ST_ROW)
		return st_fail(to, e, "reading who owns the tables");
	if (!owner)
		return DESK_OK;
	if ((rc = pg_exec(to->pg, to->path, pg_copy_defer_sql, e)))
		return rc;
	*deferred = true;
	return DESK_OK;
}

int copy_pg_rights(struct store *to, struct derr *e)
{
	/* A target desk init made (then emptied) has them already. */
	struct stmt *s = st_prep(to, "SELECT to_regprocedure('desk_me()') IS NOT NULL", e);
	if (!s)
		return derr_code(e);
	int rc = st_step(s);
	bool have = rc == ST_ROW && col_int(s, 0);
	st_done(s);
	if (rc != ST_ROW)
		return st_fail(to, e, "looking for desk's rights");
	struct agent_list agents = {0};
	rc = have ? DESK_OK : store_rights_setup(to, e);
	if (rc == DESK_OK)
		rc = store_agent_list(to, &agents, e);
	for (size_t i = 0; rc == DESK_OK && i < agents.n; i++)
		rc = store_agent_rights(to, agents.v[i].login, agents.v[i].role,
					agents.v[i].active, e);
	agent_list_free(&agents);
	return rc;
}

int copy_pg_catch_up(struct store *to, struct derr *e)
{
	int rc = pg_exec(to->pg, to->path, pg_copy_catch_up_sql, e);
	if (rc)
		derr_prefix(e, "indexing the copied tickets and messages for search, and "
			       "checking their report facts");
	return rc;
}

/* --- writing rows by COPY ----------------------------------------------- */

int copy_pg_streams(struct store *to, const char *table, bool *yes, struct derr *e)
{
	*yes = false;
	struct stmt *s = st_prep(to,
				 "SELECT count(*) FROM pg_attribute WHERE attrelid = ?1::regclass"
				 " AND attnum > 0 AND NOT attisdropped AND atttypid = 'bytea'::regtype",
				 e);
	if (!s)
		return derr_code(e);
	bind_text(s, 1, table);
	int rc = st_step(s);
	*yes = rc == ST_ROW && col_int(s, 0) == 0;
	st_done(s);
	return rc == ST_ROW ? DESK_OK : st_fail(to, e, "reading the columns' types");
}

/* PQputCopyData takes an int's worth at a time. */
#define COPY_CHUNK (1 << 20)

int copy_pg_put(struct store *to, const char *table, const char *cols, const char *data,
		size_t len, struct derr *e)
{
	struct pg_conn *c = to->pg;
	pg_clear_error(c);
	if (!pg_ready(c))
		return pg_fail(c, to->path, e, "writing rows");
	char *sql = xasprintf("COPY %s (%s) FROM STDIN", table, cols);
	PGresult *res = PQexec(c->pg, sql);
	free(sql);
	bool ok = PQresultStatus(res) == PGRES_COPY_IN;
	if (!ok)
		pg_keep_error(c, res);
	PQclear(res);
	if (!ok)
		return pg_fail(c, to->path, e, "writing rows");
	for (size_t at = 0; ok && at < len; at += COPY_CHUNK) {
		size_t n = len - at < COPY_CHUNK ? len - at : COPY_CHUNK;
		ok = PQputCopyData(c->pg, data + at, (int)n) == 1;
	}
	if (!ok)
		pg_keep_error(c, NULL); /* the connection's: it broke */
	/* Ended either way, so that the connection leaves COPY mode. */
	if (PQputCopyEnd(c->pg, ok ? NULL : "desk db copy could not send the rows") != 1 && ok) {
		pg_keep_error(c, NULL);
		ok = false;
	}
	bool answered = false;
	while ((res = PQgetResult(c->pg)) != NULL) {
		answered = true;
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			if (ok)
				pg_keep_error(c, res);
			ok = false;
		}
		PQclear(res);
	}
	if (ok && !answered) {
		pg_keep_error(c, NULL);
		ok = false;
	}
	if (!ok)
		return pg_fail(c, to->path, e, "writing rows");
	return DESK_OK;
}
