/* internal.h: what the store's files share and nobody else sees. */
#ifndef DESK_STORE_INTERNAL_H
#define DESK_STORE_INTERNAL_H

#include <sqlite3.h>

#include "stmt.h"
#include "store.h"

#define STMT_CACHE_SIZE 96
/* How long one BEGIN IMMEDIATE attempt waits inside SQLite (db.c
 * retries it, with jitter). */
#define BUSY_SLICE_MS 200
/* How long anything else waits for a lock: a read waits only for a
 * connection that is closing as the last one (SQLite then locks the
 * whole database to copy the WAL back and delete it), a few hundred ms
 * on a loaded machine; 200 ms made 2 of 855 `desk note`s with 128
 * agents flat out fail "stayed locked". */
#define BUSY_WAIT_MS 10000

struct stmt_slot {
	char *sql;
	struct stmt *stmt;
	unsigned long last_used;
};

struct store {
	sqlite3 *db;         /* SQLite, or */
	struct pg_conn *pg;  /* PostgreSQL (pg.h) */
	char *path;
	struct stmt_slot cache[STMT_CACHE_SIZE];
	unsigned long tick;
	unsigned long writes; /* store_writes */
	bool in_txn;
	bool readonly; /* STORE_READONLY: no write at all, not even at close */
	int64_t data_version;
	bool (*give_up)(void *arg); /* store_set_give_up */
	void *give_up_arg;
	bool wrote;       /* committed a change: statistics may be due at close */
	int gate_fd;      /* PATH-gate (gate.c), open once gate_ready */
	bool gate_ready;
	bool gate_held;
	bool gate_off;    /* the gate could not be opened: busy handler alone */
	char *gate_label; /* who this writer is, for naming a stuck one */
	long long gate_since, gate_beat_at; /* gate.c's record: taken, last beat */
	long gate_beats;
	int import_fd;     /* PATH-import (import_spool.c), open while locked */
	bool import_locked;
	int wal_frames; /* the WAL's size after this connection's last commit */
	struct store *json_scratch; /* PostgreSQL: SQLite that reads JSON (json.c) */
};

/* Reads in two halves, so that several can go at once (st_run_together,
 * panes.c): X_ask prepares and binds (NULL with e set on failure),
 * X_take steps and reads what store_X reads, and hands the statement
 * back. */
struct stmt *messages_ask(struct store *st, int64_t ticket_id, struct derr *e);
int messages_take(struct store *st, struct stmt *s, struct message_list *out, struct derr *e);
struct stmt *surveys_ask(struct store *st, int64_t ticket_id, struct derr *e);
int surveys_take(struct store *st, struct stmt *s, struct survey_list *out, struct derr *e);
struct stmt *draft_kinds_ask(struct store *st, int64_t ticket_id, int64_t agent_id,
			     struct derr *e);
int draft_kinds_take(struct store *st, struct stmt *s, unsigned *kinds, struct derr *e);
struct stmt *customer_ask(struct store *st, int64_t id, struct derr *e);
int customer_take(struct store *st, struct stmt *s, int64_t id, struct customer *out,
		  struct derr *e);
struct stmt *emails_ask(struct store *st, int64_t id, struct derr *e);
int emails_take(struct store *st, struct stmt *s, struct name_list *out, struct derr *e);
struct attachment_list;
struct stmt *ticket_attachments_ask(struct store *st, int64_t ticket_id, struct derr *e);
int attachments_take(struct store *st, struct stmt *s, struct attachment_list *out,
		     struct derr *e);
struct stmt *time_total_ask(struct store *st, int64_t ticket_id, struct derr *e);
int time_total_take(struct store *st, struct stmt *s, int64_t *seconds, struct derr *e);
struct stmt *customer_tickets_ask(struct store *st, int64_t customer_id, int limit,
				  struct derr *e);
int customer_tickets_take(struct store *st, struct stmt *s, struct ticket_list *out,
			  struct derr *e);

/* Finalizes every cached statement (at close, or before the schema
 * changes under them). */
void st_cache_clear(struct store *st);
/* Whether a statement only reads (SQLite; false on PostgreSQL, where
 * no write gate is needed). */
bool st_is_readonly(struct stmt *s);
/* The SQLite statement behind s (NULL on PostgreSQL), for the
 * SQLite-only files. */
sqlite3_stmt *st_sqlite(struct stmt *s);
/* upkeep.c: housekeeping kept out of writers' transactions.  attach
 * (a read-write connection) takes over SQLite's checkpoint; after_commit
 * runs it once the WAL is large, outside the gate; fts_settings makes
 * FTS5 write small segments (once per database); at_close merges them
 * and refreshes statistics when the gate is free. */
void upkeep_attach(struct store *st);
void upkeep_after_commit(struct store *st);
int upkeep_fts_settings(struct store *st, struct derr *e);
void upkeep_at_close(struct store *st);
/* The SQL functions desk's own statements use (json.c: desk_base64). */
int st_json_functions(struct store *st, struct derr *e);

/* SQL fragments the report (metrics.c) and the dashboard (dashboard.c)
 * share, for ticket t.  OPEN_NOW: the open statuses, written as the very
 * IN list of tickets_backlog's WHERE so that the planner reads that
 * partial index (every column the backlog needs) and no ticket row.
 * STATUS_AT: the status t had at instant ?2: unchanged since if it was
 * not updated since; else the last status change before ?2, or the
 * status the first change after ?2 left; a ticket without any status
 * event (imported without history) is judged by its timestamps. */
#define OPEN_NOW "t.status IN ('new', 'open', 'pending', 'on_hold')"
#define STATUS_AT                                                                      \
	"CASE WHEN t.updated_at < ?2 THEN t.status ELSE coalesce("                     \
	"(SELECT e.new_value FROM events e WHERE e.ticket_id = t.id"                   \
	"  AND e.field = 'status' AND e.at < ?2 ORDER BY e.at DESC, e.id DESC LIMIT 1)," \
	"(SELECT e.old_value FROM events e WHERE e.ticket_id = t.id"                   \
	"  AND e.field = 'status' AND e.at >= ?2 ORDER BY e.at, e.id LIMIT 1),"        \
	"CASE WHEN t.closed_at < ?2 THEN 'closed' WHEN t.solved_at < ?2 THEN 'solved'" \
	" WHEN t.status IN ('solved', 'closed') THEN 'open' ELSE t.status END) END"
/* Solved or closed now, but maybe open at ?2 (solved since). */
#define SOLVED_SINCE "+t.status IN ('solved', 'closed') AND t.solved_at >= ?2"

/* A message row as struct message reads it (messages.c): the author
 * shown is the agent's login for replies and notes, the customer's name
 * for customer messages, the sender for a note that came by mail (the
 * answer to a forward).  read_message zeroes m, then fills it. */
#define MESSAGE_COLS                                                        \
	"m.id, m.ticket_id, m.kind, m.author_id,"                           \
	" CASE WHEN m.kind = 'customer' THEN coalesce(nullif(c.name, ''), c.email, c.phone)" \
	" WHEN m.author_id IS NULL AND m.mail_from IS NOT NULL THEN m.mail_from" \
	" ELSE a.login END, m.body, m.created_at, m.message_id, m.auto, m.delivery," \
	" m.delivery_error, m.mail_from, m.send_after, m.cc, m.bcc, m.forward_to"
#define MESSAGE_FROM                                               \
	" FROM messages m JOIN tickets t ON t.id = m.ticket_id"      \
	" LEFT JOIN customers c ON c.id = t.customer_id"             \
	" LEFT JOIN agents a ON a.id = m.author_id"
void read_message(struct stmt *s, struct message *m);

/* The write gate (gate.c): taken before BEGIN IMMEDIATE, left after
 * COMMIT or ROLLBACK.  gate_enter waits as long as the gate moves and
 * fails (DESK_EBUSY, naming the holder) only when one holder keeps it
 * past the bound; without a usable gate file it lets the writer through.
 * gate_try takes it only if free now (true also without a gate). */
int gate_enter(struct store *st, struct derr *e);
bool gate_try(struct store *st);
void gate_leave(struct store *st);
void gate_close(struct store *st);
/* Opens PATH-SUFFIX beside the database as the gate's file is made; -1
 * with *why (a new string) when it cannot. */
int lockfile_open(const char *db_path, const char *suffix, char **why);
/* While the gate is held: at most once a second, tells the waiters the
 * holder is still at work (st_prep calls it for every statement). */
void gate_heartbeat(struct store *st);

int schema_create(struct store *st, int version, struct derr *e);
int schema_migrate(struct store *st, struct derr *e);
/* Refuses (DESK_ESCHEMA, naming it) any table, index, view or trigger
 * that desk's migrations to `version` do not make, or make otherwise. */
int schema_verify(struct store *st, int version, struct derr *e);
/* The SHA-256 schema_verify compares first, of the reference at
 * STORE_SCHEMA_VERSION (for the test that keeps it current). */
char *schema_reference_fingerprint(struct derr *e);
bool schema_fast_path_known(const char *sha256);
/* Before SQLite opens an existing file (walcheck.c): refuses an empty
 * file unless creating, and a -shm counting commits whose -wal is gone. */
struct stat;
int store_precheck(const char *path, const struct stat *db, bool creating, struct derr *e);
/* pg_store.c: store_open for a PostgreSQL setting; the version in
 * meta (0 for an empty database, -1 for an unreadable one). */
int pg_store_open(const char *conninfo, int flags, struct store **out, struct derr *e);
int pg_schema_version(struct store *st, int *v, struct derr *e);
/* A scratch in-memory store, configured as store_open does. */
int store_open_memory(struct store **out, struct derr *e);

#endif
