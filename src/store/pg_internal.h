/* pg_internal.h: what pg_conn.c and pg_stmt.c share about a connection. */
#ifndef DESK_STORE_PG_INTERNAL_H
#define DESK_STORE_PG_INTERNAL_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

struct pg_conn {
	PGconn *pg;
	bool readonly;
	bool watch; /* LISTENs: PG_WATCH */
	bool in_txn;  /* between pg_begin and pg_commit/pg_rollback */
	bool missed;  /* reconnected: notices may have been lost */
	/* Bumped at every reconnect: a statement prepared under an older
	 * generation is prepared again (the server forgot it). */
	unsigned long generation;
	unsigned long next_name; /* for naming prepared statements */
	int64_t changes;
	/* The last failure, for pg_fail: the server's SQLSTATE and message,
	 * or one of ours (no SQLSTATE). */
	char sqlstate[6];
	char *err_msg;
	/* Prepared statements freed inside a failed transaction: the server
	 * refuses DEALLOCATE there, so they go after the rollback. */
	char **dealloc;
	size_t n_dealloc, cap_dealloc;
	/* Between statements (pg_link.c): the connection found lost, since
	 * when (Unix seconds) and why; a reconnection under way without
	 * blocking, what its socket waits for, and when to try again. */
	bool lost;
	int64_t lost_at;
	char *lost_why;
	bool resetting;
	PostgresPollingStatusType reset_wait;
	int64_t reset_started_ms, retry_at_ms;
};

/* Makes sure c has a live connection before a statement runs: after a
 * lost connection, and only outside a transaction, reconnects once.
 * False (with the failure kept for pg_fail) when it cannot. */
bool pg_ready(struct pg_conn *c);
/* After a reconnect: prepared statements and notices of the old session
 * are gone; LISTEN and the session's settings again.  False (failure
 * kept) when the new session cannot be set up. */
bool pg_after_reset(struct pg_conn *c);
/* Keeps res's failure (or the connection's, for a NULL res) for
 * pg_fail; res stays the caller's. */
void pg_keep_error(struct pg_conn *c, const PGresult *res);
/* Keeps a failure of desk's own making (a misuse), for pg_fail. */
void pg_keep_own_error(struct pg_conn *c, const char *msg);
void pg_clear_error(struct pg_conn *c);
/* Notes the row count of an INSERT, UPDATE or DELETE for pg_changes. */
void pg_note_changes(struct pg_conn *c, const PGresult *res);
/* Drops a prepared statement on the server, now or after the rollback. */
void pg_deallocate(struct pg_conn *c, const char *name);

#endif
