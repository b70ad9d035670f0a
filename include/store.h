/* store.h: the data-access layer, the only code that knows SQL.
 *
 * Everything is a prepared statement with bound parameters; statements
 * are cached per connection and reset right after use, so no read
 * transaction is left open.  Writes happen between store_begin() (BEGIN
 * IMMEDIATE with bounded, retried waits) and store_commit(); core/ wraps
 * each action in one such transaction together with its audit event.
 *
 * All functions return DESK_OK (0) or a negative derr code with e set. */
#ifndef DESK_STORE_H
#define DESK_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "model.h"

#define STORE_SCHEMA_VERSION 15

struct store;

enum {
	STORE_CREATE = 1 << 0,   /* create the file and schema if missing */
	STORE_READONLY = 1 << 1, /* open for reading only */
	STORE_MUST_EXIST = 1 << 2,
};

/* Opens (and with STORE_CREATE creates) the database at path, sets WAL,
 * foreign keys, synchronous=FULL and a busy timeout, then migrates the
 * schema up to STORE_SCHEMA_VERSION.  A database written by a newer desk
 * is refused with DESK_ESCHEMA. */
int store_open(const char *path, int flags, struct store **out, struct derr *e);
/* Runs PRAGMA optimize, finalizes statements, closes; sets *st = NULL. */
void store_close(struct store **st);
const char *store_path(const struct store *st);
int store_schema_version(struct store *st);

/* Migrates a database at `from` version up to `to` (tests use this to
 * build each earlier version and migrate it). */
int store_create_schema_version(struct store *st, int version, struct derr *e);

/* --- backup -------------------------------------------------------------- */
struct store_backup_info {
	int64_t snapshot_ms; /* Unix ms just before the snapshot: every commit
				acknowledged before then is in the copy */
	int64_t tickets, messages, last_message_id; /* what the copy holds */
};
/* Copies the database into dest, an empty file the caller made, inside
 * one read transaction (writers go on), as one self-contained file
 * (no -wal), and checks the copy with integrity_check. */
int store_backup_to(struct store *st, const char *dest, struct store_backup_info *info,
		    struct derr *e);

/* --- transactions ------------------------------------------------------ */
/* store_begin queues on the write gate (a flock on PATH-gate, first come
 * first served) and then BEGIN IMMEDIATE; the gate is left at commit or
 * rollback.  It waits as long as the gate keeps moving (a new holder, or
 * the holder still running statements) and fails (DESK_EBUSY, naming the
 * holder's pid and command) only when one writer has held it past a
 * bound of 30 s without either. */
int store_begin(struct store *st, struct derr *e);
int store_commit(struct store *st, struct derr *e);
void store_rollback(struct store *st);
bool store_in_transaction(const struct store *st);

/* True when another connection committed since the last call (PRAGMA
 * data_version): cheap enough to poll several times a second. */
bool store_changed(struct store *st);

/* While set, long reads call give_up(arg) every few thousand steps and
 * stop with an error when it returns true (the console counts its view
 * only while no key waits).  NULL clears it. */
void store_set_give_up(struct store *st, bool (*give_up)(void *arg), void *arg);

/* Who this connection writes as (an agent's login), written into the
 * gate while it holds it so that a waiter can name a stuck writer. */
void store_set_gate_label(struct store *st, const char *label);
/* NULL, or why this process wrote without the write gate (its file could
 * not be opened: a read-only folder, someone else's file): a warning. */
const char *store_gate_problem(void);

/* --- agents ------------------------------------------------------------ */
int store_agent_get(struct store *st, int64_t id, struct agent *out, struct derr *e);
int store_agent_by_login(struct store *st, const char *login, struct agent *out,
			 struct derr *e);
int store_agent_insert(struct store *st, struct agent *a, struct derr *e); /* sets a->id */
int store_agent_update(struct store *st, const struct agent *a, struct derr *e);
int store_agent_list(struct store *st, struct agent_list *out, struct derr *e);
/* Logins starting with prefix (for completion), at most limit. */
int store_agent_complete(struct store *st, const char *prefix, int limit,
			 struct agent_list *out, struct derr *e);

/* --- customers --------------------------------------------------------- */
int store_customer_get(struct store *st, int64_t id, struct customer *out, struct derr *e);
int store_customer_by_email(struct store *st, const char *email, struct customer *out,
			    struct derr *e);
int store_customer_insert(struct store *st, struct customer *c, struct derr *e);
int store_customer_update(struct store *st, const struct customer *c, struct derr *e);
/* Customers whose name or email contains text (case-insensitive). */
int store_customer_search(struct store *st, const char *text, int limit,
			  struct customer_list *out, struct derr *e);
/* Every address of a customer, the main one (customers.email) first. */
struct name_list;
int store_customer_emails(struct store *st, int64_t id, struct name_list *out, struct derr *e);
/* The customer an address belongs to (in any case), 0 if none. */
int store_customer_email_owner(struct store *st, const char *email, int64_t *id, struct derr *e);
/* Gives the customer one more address (one of anyone's already is a
 * constraint error: check with store_customer_email_owner first). */
int store_customer_email_add(struct store *st, int64_t id, const char *email, struct derr *e);
int store_customer_email_remove(struct store *st, int64_t id, const char *email,
				struct derr *e);
/* Inside a transaction: from's tickets and addresses become into's, and
 * from is deleted. */
int store_customer_move(struct store *st, int64_t from, int64_t into, struct derr *e);
/* A customer's tickets, newest first, at most limit. */
int store_customer_tickets(struct store *st, int64_t customer_id, int limit,
			   struct ticket_list *out, struct derr *e);
int store_customer_count(struct store *st, int64_t *n, struct derr *e);

/* --- tickets ----------------------------------------------------------- */
/* Reads one ticket with its tags and the joined customer/assignee names. */
int store_ticket_get(struct store *st, int64_t id, struct ticket *out, struct derr *e);
/* Finds a ticket by external id; "desk-INSTANCE-N" as export writes it
 * for this database's own tickets finds ticket N. */
int store_ticket_by_external_id(struct store *st, const char *xid, int64_t *id,
				struct derr *e);
/* Inserts t (its id is set; tags are inserted too). */
int store_ticket_insert(struct store *st, struct ticket *t, struct derr *e);
/* Writes every mutable column of t (not its tags). */
int store_ticket_update(struct store *st, const struct ticket *t, struct derr *e);
int store_ticket_count(struct store *st, int64_t *n, struct derr *e);
/* Highest ticket id, 0 if none. */
int store_ticket_max_id(struct store *st, int64_t *id, struct derr *e);

/* Returns DESK_OK and sets *changed to whether the row was added/removed. */
int store_tag_add(struct store *st, int64_t ticket_id, const char *tag, bool *changed,
		  struct derr *e);
/* Names, owned: the queues and tags in use (src/store/labels.c). */
struct name_list {
	char **v;
	size_t n, cap;
};
void name_list_free(struct name_list *l);
/* The distinct tags on any ticket that start with prefix ("" : all), in
 * order, at most limit: a seek in ticket_tags_tag for each, however
 * many tickets carry them. */
int store_tag_names(struct store *st, const char *prefix, int limit, struct name_list *out,
		    struct derr *e);
/* Whether any ticket carries tag. */
int store_tag_in_use(struct store *st, const char *tag, bool *in_use, struct derr *e);
/* The distinct queues of the tickets not finished yet (new, open,
 * pending, on hold), in order, at most limit: read from the index of
 * those tickets (tickets_backlog), not from every ticket. */
int store_queue_names(struct store *st, int limit, struct name_list *out, struct derr *e);
int store_tag_remove(struct store *st, int64_t ticket_id, const char *tag, bool *changed,
		     struct derr *e);

/* --- messages ---------------------------------------------------------- */
int store_message_insert(struct store *st, struct message *m, struct derr *e); /* sets m->id */
/* Every message of a ticket in order (created_at, id). */
int store_messages(struct store *st, int64_t ticket_id, struct message_list *out,
		   struct derr *e);
/* The latest message of the given kind; DESK_ENOTFOUND if none. */
int store_message_last(struct store *st, int64_t ticket_id, enum msg_kind kind,
		       struct message *out, struct derr *e);
int store_message_count(struct store *st, int64_t ticket_id, enum msg_kind kind,
			int64_t *n, struct derr *e);
/* Moves every message (and tag, and survey) of one ticket onto another;
 * the messages and surveys remember where from (merged_from); drafts
 * stay where they are (see core_draft_follow_merge). */
int store_ticket_move_children(struct store *st, int64_t from, int64_t to, struct derr *e);

/* --- surveys and events ------------------------------------------------ */
int store_survey_insert(struct store *st, struct survey *s, struct derr *e);
int store_surveys(struct store *st, int64_t ticket_id, struct survey_list *out,
		  struct derr *e);
int store_event_insert(struct store *st, struct event *ev, struct derr *e);
/* The ticket's latest event on field (any field when NULL);
 * DESK_ENOTFOUND when there is none. */
int store_event_last(struct store *st, int64_t ticket_id, const char *field, struct event *out,
		     struct derr *e);
/* Events of one ticket in order. */
int store_events(struct store *st, int64_t ticket_id, struct event_list *out,
		 struct derr *e);

/* --- undo (src/store/undo.c) ---------------------------------------------- */
/* Hands fn the agent's events that belong to a change (change_id set),
 * newest change first and, within one, newest event first, until fn
 * returns non-zero. */
int store_changes_walk(struct store *st, int64_t agent_id,
		       int (*fn)(void *ctx, const struct event *ev), void *ctx, struct derr *e);
/* The events of one change of the agent, oldest first. */
int store_change_events(struct store *st, int64_t agent_id, int64_t change_id,
			struct event_list *out, struct derr *e);
/* The ticket's events after event after_id, oldest first. */
int store_events_after(struct store *st, int64_t ticket_id, int64_t after_id,
		       struct event_list *out, struct derr *e);
/* When the ticket was last solved before event before_id (0: never). */
int store_last_solved_before(struct store *st, int64_t ticket_id, int64_t before_id,
			     int64_t *at, struct derr *e);
/* Moves the messages and surveys a merge moved from `from` onto `into`
 * (merged_from) back to `from`. */
int store_unmerge_children(struct store *st, int64_t from, int64_t into, struct derr *e);

/* --- drafts ------------------------------------------------------------ */
int store_draft_save(struct store *st, int64_t ticket_id, int64_t agent_id,
		     enum msg_kind kind, const char *body, struct derr *e);
/* *body is NULL (and DESK_OK returned) when there is no draft. */
int store_draft_get(struct store *st, int64_t ticket_id, int64_t agent_id,
		    enum msg_kind kind, char **body, struct derr *e);
int store_draft_delete(struct store *st, int64_t ticket_id, int64_t agent_id,
		       enum msg_kind kind, struct derr *e);

/* --- presence ---------------------------------------------------------- */
/* Records that agent_id is viewing (or replying to) ticket_id now; one
 * row per agent.  ticket_id 0 clears the agent's presence.  Outside a
 * transaction it commits on its own. */
int store_presence_set(struct store *st, int64_t agent_id, int64_t ticket_id, bool replying,
		       int64_t now, struct derr *e);
struct presence { char *login; bool replying; };
struct presence_list { struct presence *v; size_t n, cap; };
void presence_list_free(struct presence_list *l);
/* A fingerprint of everything but presence (audit events, messages,
 * undelivered mail): unchanged after a commit means only presence moved. */
int store_content_mark(struct store *st, int64_t mark[3], struct derr *e);
/* Others (not except_agent) on a ticket seen since fresh_since, the
 * ones replying first. */
int store_presence_list(struct store *st, int64_t ticket_id, int64_t fresh_since,
			int64_t except_agent, struct presence_list *out, struct derr *e);

/* --- the queue: one page at a time, by keyset -------------------------- */
enum assignee_filter { ASSIGNEE_ANY, ASSIGNEE_NONE, ASSIGNEE_IS };

struct queue_filter {
	unsigned status_mask;   /* bit (1 << status); 0: any */
	unsigned priority_mask; /* bit (1 << priority); 0: any */
	unsigned channel_mask;  /* bit (1 << channel); 0: any */
	enum assignee_filter assignee;
	int64_t assignee_id;  /* with ASSIGNEE_IS */
	const char *queue;    /* NULL: any */
	const char *tag;      /* NULL: any */
	const char *text;     /* substring of subject, customer name or email */
	const char *search;   /* full-text words over subjects and bodies */
	int64_t solved_since; /* solved_at >= this; 0: no limit */
	int64_t due_before;   /* next SLA due time < this; 0: no limit */
	int64_t customer_id;  /* 0: any */
	int64_t created_after; /* created_at > this (age:); 0: no limit */
	int64_t created_until; /* created_at <= this (age:); 0: no limit */
	int64_t follow_up_due; /* follow_up_at <= this (follow-up:due); 0: no limit */
	bool follow_up_set;    /* only tickets with a follow-up time (follow-up:set) */
	/* Not a filter: the page marks the rows where this agent has a
	 * draft (queue_row.has_draft); 0: none marked. */
	int64_t drafts_of;
};

enum queue_sort {
	SORT_URGENCY,  /* new and open, then pending and on hold, then the rest;
			* in each: next SLA due, then priority, then id */
	SORT_PRIORITY, /* priority (highest first), then due */
	SORT_CREATED,  /* oldest first */
	SORT_UPDATED,  /* most recently updated first */
	SORT_ID,
	SORT__COUNT
};
const char *queue_sort_name(enum queue_sort s);
int queue_sort_from_name(const char *s);

/* The position of a row in its sort order: the sort's integer keys
 * (unused ones 0). */
struct queue_key {
	int64_t k[4];
};

struct queue_row {
	int64_t id;
	enum status status;
	enum priority priority;
	int64_t next_due; /* 0: none */
	int64_t created_at, updated_at;
	char *customer;
	char *subject;
	char *assignee; /* NULL when unassigned */
	char *tags;     /* space-separated, "" when none */
	bool has_draft; /* filter.drafts_of has an unsent draft on it */
	int64_t follow_up_at; /* 0: none */
	struct queue_key key;
};

struct queue_page {
	struct queue_row *rows;
	size_t n, cap;
};
void queue_page_free(struct queue_page *p);

/* Fills `out` with at most `limit` rows in sort order (reversed when
 * `reverse`), starting strictly after `after` (NULL: from the start).
 * With `backward`, returns the `limit` rows just before `after` (NULL:
 * the last rows), still in display order. */
int store_queue_page(struct store *st, const struct queue_filter *f, enum queue_sort sort,
		     bool reverse, const struct queue_key *after, bool backward, int limit,
		     struct queue_page *out, struct derr *e);
/* The tickets in status `when` since at or before entered_by (when they
 * last entered it), not merged; with without_customer_reply, none with
 * a customer message (not automatic) since then.  *ids is new, by id. */
int store_follow_up_candidates(struct store *st, enum status when, int64_t entered_by,
			       bool without_customer_reply, int64_t **ids, size_t *n,
			       struct derr *e);
int store_queue_count(struct store *st, const struct queue_filter *f, int64_t *n,
		      struct derr *e);

/* --- JSON through SQLite's JSON functions ------------------------------ */
/* One ticket as a JSON Lines record (see man desk, "import format"). */
int store_ticket_json(struct store *st, int64_t id, bool with_events, char **json,
		      struct derr *e);

/* A queue row as `desk list --json` prints it. */
int store_ticket_summary_json(struct store *st, int64_t id, char **json, struct derr *e);
/* A customer as `desk customer show --json` prints it: details, the
 * main address ("email") and all of them ("emails", in the order of the
 * index), and how many tickets (open ones too). */
int store_customer_json(struct store *st, int64_t id, char **json, struct derr *e);
/* The export record with "id" added, as `desk show --json` prints it. */
int store_ticket_show_json(struct store *st, int64_t id, char **json, struct derr *e);

enum json_type { JSON_NULL, JSON_TRUE, JSON_FALSE, JSON_INTEGER, JSON_REAL,
		 JSON_TEXT, JSON_ARRAY, JSON_OBJECT };
struct json_node {
	enum json_type type;
	char *key;   /* member name inside an object, else NULL */
	char *text;  /* TEXT value, or the number as written */
	int64_t integer;
	struct json_node *child, *next;
};
/* Parses text with json_tree() into a tree; DESK_EINVAL if not JSON. */
int store_json_parse(struct store *st, const char *text, struct json_node **root,
		     struct derr *e);
void json_node_free(struct json_node **n);
/* The member `key` of an object node, or NULL. */
const struct json_node *json_get(const struct json_node *obj, const char *key);

/* --- bulk work: import, export, demo (src/store/bulk.c) ----------------- */
/* The smallest ticket id above `after`, or *id = 0 when there is none:
 * walks every ticket without holding them all in memory. */
int store_ticket_next_id(struct store *st, int64_t after, int64_t *id, struct derr *e);
/* Deletes a ticket's tags, messages and surveys (not the ticket, not
 * drafts, never its audit events: the trail is append-only), so an
 * import can write them again. */
int store_ticket_clear(struct store *st, int64_t id, struct derr *e);
/* Sets (or with 0 clears) the ticket a ticket was merged into. */
int store_ticket_set_merged_into(struct store *st, int64_t id, int64_t into,
				 struct derr *e);
/* The ticket holding the message with this RFC 5322 Message-ID, or
 * *ticket_id = 0 when none does. */
int store_message_id_owner(struct store *st, const char *message_id, int64_t *ticket_id,
			   struct derr *e);
/* One level of savepoint inside a transaction: store_rollback_to undoes
 * everything since store_savepoint and ends the savepoint, as
 * store_release keeps it and ends it. */
int store_savepoint(struct store *st, struct derr *e);
int store_release(struct store *st, struct derr *e);
void store_rollback_to(struct store *st);

/* --- bulk loading (src/store/bulkload.c; bench/gen) -------------------- */
/* For filling a database that nobody else writes meanwhile.  Begin drops
 * the FTS triggers (keeping their SQL as sqlite_schema had it) and turns
 * durability down; the caller then writes in store_begin/store_commit
 * batches as usual; end recreates the very same triggers, rebuilds
 * ticket_fts and message_fts from their tables, restores synchronous=FULL
 * and checkpoints.  If the process dies in between, the triggers are
 * gone: load again into a fresh file. */
struct store_bulk;
int store_bulk_begin(struct store *st, struct store_bulk **out, struct derr *e);
/* On failure *b is kept, for another try or store_bulk_abandon. */
int store_bulk_end(struct store *st, struct store_bulk **b, struct derr *e);
void store_bulk_abandon(struct store_bulk **b);
/* The same inside one write transaction of a live database (an import):
 * after store_begin, store_fts_defer swaps the FTS triggers for TEMP ones
 * that only note new rows (rows already there stay indexed right when
 * deleted or retitled); store_fts_catch_up, before store_commit, indexes
 * the new rows in one pass and restores the triggers exactly.  On a
 * rollback instead, call store_bulk_abandon: the rollback undoes it all. */
int store_fts_defer(struct store *st, struct store_bulk **out, struct derr *e);
int store_fts_catch_up(struct store *st, struct store_bulk **b, struct derr *e);

/* --- console additions: counts, locating, drafts, presence ------------- */
/* Counts the rows of a view, but stops at `limit`: *n == limit means
 * "limit or more" (a status line shows "10000+" without a full count). */
int store_queue_count_upto(struct store *st, const struct queue_filter *f, int64_t limit,
			   int64_t *n, struct derr *e);
/* Whether ticket id is in the view: its sort key in *key (may be NULL)
 * and, when row is not NULL, its 0-based row (that costs a count of the
 * rows before it).  DESK_ENOTFOUND when the view does not hold it. */
int store_queue_locate(struct store *st, const struct queue_filter *f, enum queue_sort sort,
		       bool reverse, int64_t id, int64_t *row, struct queue_key *key,
		       struct derr *e);
/* Drafts that remember the canned response they started from (canned
 * may be NULL; *canned is NULL when the draft has none). */
int store_draft_save_canned(struct store *st, int64_t ticket_id, int64_t agent_id,
			    enum msg_kind kind, const char *body, const char *canned,
			    struct derr *e);
int store_draft_get_canned(struct store *st, int64_t ticket_id, int64_t agent_id,
			   enum msg_kind kind, char **body, char **canned, struct derr *e);
/* Everyone else's fresh presence (seen_at >= fresh_since), on any
 * ticket: one row per agent, replying first. */
struct presence_row { int64_t ticket_id; char *login; bool replying; };
struct presence_rows { struct presence_row *v; size_t n, cap; };
void presence_rows_free(struct presence_rows *l);
int store_presence_all(struct store *st, int64_t fresh_since, int64_t except_agent,
		       struct presence_rows *out, struct derr *e);

/* --- an agent's drafts across tickets (src/store/drafts.c) ------------- */
struct draft_row {
	int64_t ticket_id;
	enum msg_kind kind; /* MSG_REPLY or MSG_NOTE */
	char *body;
	char *canned;       /* the canned response it started from, or NULL */
	int64_t updated_at;
	char *subject;      /* the ticket's, unsanitized */
	enum status status;
	int64_t merged_into; /* 0: not merged */
};
struct draft_list { struct draft_row *v; size_t n, cap; };
void draft_list_free(struct draft_list *l);
/* Every draft of the agent, the most recently saved first. */
int store_drafts_of(struct store *st, int64_t agent_id, struct draft_list *out, struct derr *e);
/* Sets has_draft on the rows where agent_id has a draft: one query for
 * all of them (store_queue_page calls it when filter.drafts_of is set). */
int store_draft_marks(struct store *st, int64_t agent_id, struct queue_row *rows, size_t n,
		      struct derr *e);
/* Moves the agent's draft of a kind from one ticket to another:
 * DESK_ENOTFOUND when there is none, DESK_ECONFLICT when `to` has one. */
int store_draft_move(struct store *st, int64_t from, int64_t to, int64_t agent_id,
		     enum msg_kind kind, struct derr *e);

/* --- signatures (src/store/agents.c) ---------------------------------- */
/* The agent's stored signature; *sig is NULL when none is set. */
int store_agent_signature(struct store *st, int64_t agent_id, char **sig, struct derr *e);
/* Sets it (NULL clears it). */
int store_agent_set_signature(struct store *st, int64_t agent_id, const char *sig,
			      struct derr *e);

/* --- what is new to an agent (src/store/seen.c) ------------------------ */
/* A ticket is new to an agent when it changed (updated_at) after the
 * agent last saw it (ticket_seen.seen_at), or, never seen, after `since`,
 * the agent's baseline (see src/core/seen.c). */
struct ticket_brief { int64_t id; char *subject; };
struct ticket_briefs { struct ticket_brief *v; size_t n, cap; };
void ticket_briefs_add(struct ticket_briefs *l, int64_t id, char *subject); /* takes subject */
void ticket_briefs_free(struct ticket_briefs *l);
/* Records that the agent saw the ticket at `now` (never moves back).
 * Inside a transaction. */
int store_seen_mark(struct store *st, int64_t agent_id, int64_t ticket_id, int64_t now,
		    struct derr *e);
/* The newest event id after `after` (else 0), and the newest of those
 * written by agent_id (else 0): reads only the events since `after`. */
int store_events_since(struct store *st, int64_t agent_id, int64_t after, int64_t *newest,
		       int64_t *mine, struct derr *e);
/* Records as seen at now every ticket with an event of agent_id's
 * with an id in (after, upto].  Inside a transaction. */
int store_seen_mark_own(struct store *st, int64_t agent_id, int64_t after, int64_t upto,
			int64_t now, struct derr *e);
/* The ticket's updated_at and when the agent saw it (0: never). */
int store_seen_state(struct store *st, int64_t agent_id, int64_t ticket_id, int64_t *seen_at,
		     int64_t *updated_at, struct derr *e);
/* The agent's baseline (agents.seen_since), 0 when not set yet. */
int store_seen_since_get(struct store *st, int64_t agent_id, int64_t *since, struct derr *e);
/* The same, set to `start` the first time (then *since == start).
 * Inside a transaction. */
int store_seen_since(struct store *st, int64_t agent_id, int64_t start, int64_t *since,
		     struct derr *e);
/* For the n tickets ids (a page of the queue), whether each is new to
 * the agent: one query, whatever the size of the table. */
int store_seen_page(struct store *st, int64_t agent_id, int64_t since, const int64_t *ids,
		    size_t n, bool *unseen, struct derr *e);
/* Up to limit tickets of view f new to the agent, latest change first. */
int store_queue_unseen(struct store *st, const struct queue_filter *f, int64_t agent_id,
		       int64_t since, int limit, struct ticket_briefs *out, struct derr *e);
/* Up to limit open tickets of the agent's that someone else (or desk)
 * assigned to them after they last saw the ticket. */
int store_seen_assigned(struct store *st, int64_t agent_id, int64_t since, int limit,
			struct ticket_briefs *out, struct derr *e);
/* Up to limit new or open tickets, the agent's or unassigned, whose
 * next SLA due time is after now and at most until, soonest first. */
int store_sla_soon(struct store *st, int64_t agent_id, int64_t now, int64_t until, int limit,
		   struct ticket_briefs *out, struct derr *e);

/* Up to limit of the agent's tickets whose follow-up time has come,
 * earliest first (src/store/follow_up.c). */
int store_follow_ups_due(struct store *st, int64_t agent_id, int64_t now, int limit,
			 struct ticket_briefs *out, struct derr *e);

/* --- consoles open now, for `:who` (src/store/consoles.c) --------------- */
/* Removes rows last refreshed before stale_before, then adds this
 * console's row; its id in *id.  Inside a transaction. */
int store_console_open(struct store *st, int64_t agent_id, int64_t pid, int64_t now,
		       int64_t stale_before, int64_t *id, struct derr *e);
/* Refreshes row id of agent_id's console pid: the ticket shown (0:
 * none) since when, and the view.  *gone (may be NULL): the row was
 * swept meanwhile (its id may be another console's now). */
int store_console_update(struct store *st, int64_t id, int64_t agent_id, int64_t pid,
			 int64_t ticket_id, int64_t ticket_since, const char *view, int64_t now,
			 bool *gone, struct derr *e);
int store_console_close(struct store *st, int64_t id, struct derr *e);
struct console_row {
	int64_t id, pid, started_at, ticket_id, ticket_since;
	char *login, *name, *subject, *view; /* subject: NULL without a ticket */
};
struct console_rows { struct console_row *v; size_t n, cap; };
void console_rows_free(struct console_rows *l);
/* Every console refreshed since fresh_since, by login then age. */
int store_consoles(struct store *st, int64_t fresh_since, struct console_rows *out,
		   struct derr *e);

#endif
