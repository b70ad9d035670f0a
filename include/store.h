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

#define STORE_SCHEMA_VERSION 21

struct store;

enum {
	STORE_CREATE = 1 << 0,   /* create the file and schema if missing */
	STORE_READONLY = 1 << 1, /* open for reading only */
	STORE_MUST_EXIST = 1 << 2,
	/* store_changed will be asked (a console).  On a server the
	 * connection then listens for other desks' notices; without it
	 * store_changed there tells only of a reconnection. */
	STORE_WATCH = 1 << 3,
};

/* Opens (and with STORE_CREATE creates) the database at path, sets WAL,
 * foreign keys, synchronous=FULL and a busy timeout, then migrates the
 * schema up to STORE_SCHEMA_VERSION.  A database written by a newer desk
 * is refused with DESK_ESCHEMA. */
int store_open(const char *path, int flags, struct store **out, struct derr *e);
/* Finalizes statements and closes; sets *st = NULL.  After a change,
 * and if the write gate is free, first merges the full-text index a
 * step (and refreshes statistics after a big change). */
void store_close(struct store **st);
/* The housekeeping desk tick does: a step of full-text merging and
 * PRAGMA optimize, only if the write gate is free this instant. */
void store_upkeep(struct store *st);
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

/* --- copying a whole database (src/store/copy.c, copy_tables.c) ---------- */
/* desk db copy: every table, in an order the foreign keys allow, from a
 * database on either engine into an empty one on either.  begin opens a
 * read snapshot of from and one write transaction on to (refused
 * unless to holds no rows); rows copies table i, calling page(done,
 * arg) after each page (false stops it); commit writes what comes last,
 * checks every table's row count against from's, and commits.  On any
 * failure, abandon rolls to back: it is left as empty as it was. */
struct store_copy;
size_t store_copy_tables(void);
const char *store_copy_table(size_t i);
/* False for a table the target's triggers fill (the search indexes). */
bool store_copy_table_copied(size_t i);
int store_copy_begin(struct store *from, struct store *to, struct store_copy **out,
		     struct derr *e);
/* The rows table i has to copy (0 for one not copied). */
int store_copy_count(struct store_copy *c, size_t i, int64_t *rows, struct derr *e);
int store_copy_rows(struct store_copy *c, size_t i, bool (*page)(int64_t done, void *arg),
		    void *arg, struct derr *e);
/* Ends *c either way (sets it NULL). */
int store_copy_commit(struct store_copy **c, struct derr *e);
void store_copy_abandon(struct store_copy **c);

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
 * data_version; on a server, the notices a STORE_WATCH connection
 * heard): cheap enough to poll several times a second. */
bool store_changed(struct store *st);
/* A database on a server: NULL while the connection is up, else why it
 * is down (the store's, until the next call) and since when (*since,
 * Unix seconds); store_changed reconnects meanwhile, without blocking.
 * A file is never down: NULL. */
const char *store_link_down(struct store *st, int64_t *since);

/* While set, long reads call give_up(arg) every few thousand steps and
 * stop with an error when it returns true (the console counts its view
 * only while no key waits).  NULL clears it. */
void store_set_give_up(struct store *st, bool (*give_up)(void *arg), void *arg);
/* A count that moves whenever this connection writes (or may have: a
 * transaction begun, a statement run to change rows), so that a reader
 * keeping what it read can tell it may be out of date. */
unsigned long store_writes(const struct store *st);

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
/* A customer's tickets, newest first, at most limit (negative: all). */
int store_customer_tickets(struct store *st, int64_t customer_id, int limit,
			   struct ticket_list *out, struct derr *e);
/* What the console's panes show of a ticket and its customer, each
 * pane's reads sent together (src/store/panes.c: one round trip on
 * PostgreSQL).  The thread: the ticket's messages (store_messages; the
 * answer is theirs), and, left empty (0) when they cannot be read, its
 * surveys, the customer's addresses (none read for customer_id 0), its
 * attachments (store_ticket_attachments), the time recorded on it and
 * agent_id's kinds of draft on it (store_draft_kinds). */
struct attachment_list;
int store_ticket_thread(struct store *st, int64_t ticket_id, int64_t customer_id,
			int64_t agent_id, struct message_list *msgs, struct survey_list *surveys,
			struct name_list *addrs, struct attachment_list *atts, int64_t *seconds,
			unsigned *draft_kinds, struct derr *e);
/* The customer (store_customer_get), their newest tickets, at most
 * limit (store_customer_tickets), and their addresses (left empty when
 * they cannot be read, or the rest failed). */
int store_customer_card(struct store *st, int64_t customer_id, int limit, struct customer *c,
			struct ticket_list *tickets, struct name_list *addrs, struct derr *e);
/* How many tickets the customer has, counted up to limit, and how many
 * of them come before the ticket (created_at, id) newest first, also up
 * to limit: from the tickets_customer index alone, where reading the
 * tickets themselves costs a page each. */
int store_customer_ticket_span(struct store *st, int64_t customer_id, int64_t created_at,
			       int64_t id, int limit, int *total, int *before, struct derr *e);
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

/* --- surveys desk mails (src/store/survey_requests.c) ------------------ */
/* A solve desk considered for a survey (schema v16): mailed (sent, with
 * its token and message) or skipped (reason). */
struct survey_request {
	int64_t id, ticket_id, customer_id;
	int64_t solved_at, decided_at;
	bool sent;
	char *reason;        /* why skipped; NULL when sent */
	enum survey_kind kind;
	char *token;         /* 32 hex digits; NULL when skipped */
	int64_t message_row; /* the system message that mails it; 0: none */
	int64_t survey_id;   /* its answer (read only); 0: none yet */
};
void survey_request_free(struct survey_request *r);
/* A solved (or closed) ticket, not merged away, of one of the channels,
 * solved in [solved_from, solved_to], whose solve has no request yet. */
struct survey_candidate {
	int64_t ticket_id, customer_id, solved_at;
};
int store_survey_candidates(struct store *st, const bool channels[CH__COUNT],
			    int64_t solved_from, int64_t solved_to,
			    struct survey_candidate **out, size_t *n, struct derr *e);
/* When the customer was last mailed a survey (0: never). */
int store_survey_last_sent(struct store *st, int64_t customer_id, int64_t *at,
			   struct derr *e);
/* Why the ticket's mail says no survey should go (*why a new string,
 * NULL when nothing does): an automatic message (auto-reply, bounce) from
 * the customer's side, or a mail to them that failed. */
int store_survey_mail_trouble(struct store *st, int64_t ticket_id, char **why, struct derr *e);
/* Whether that solve of the ticket was decided already (read inside the
 * deciding transaction: another desk tick may have done it meanwhile). */
int store_survey_decided(struct store *st, int64_t ticket_id, int64_t solved_at, bool *yes,
			 struct derr *e);
/* Inside a transaction; sets r->id.  A second request for one solve is
 * refused by the UNIQUE constraint (DESK_EINVAL). */
int store_survey_request_insert(struct store *st, struct survey_request *r, struct derr *e);
/* The request with this token, or (token NULL) the one mailed by
 * message_row; DESK_ENOTFOUND when none. */
int store_survey_request_get(struct store *st, const char *token, int64_t message_row,
			     struct survey_request *out, struct derr *e);
/* The answer of this kind an agent recorded on ticket (desk survey, V),
 * not one that came by mail or import: *survey_id 0 when none, else its
 * id and score. */
int store_survey_recorded(struct store *st, int64_t ticket, enum survey_kind kind,
			  int64_t *survey_id, int *score, struct derr *e);
/* A new answer replacing survey_id's score, comment and time. */
int store_survey_update(struct store *st, int64_t survey_id, int score, const char *comment,
			int64_t at, struct derr *e);
/* Answers for `desk survey list` and the report, newest last. */
struct survey_query {
	int64_t since, until; /* answered in [since, until); 0: no bound */
	int kind;             /* enum survey_kind, or -1: any */
	bool with_comment;    /* only answers with a comment */
	int limit;            /* the latest `limit` only; 0: all */
};
struct survey_entry {
	struct survey s;
	char *customer; /* name, else address (untrusted) */
	char *subject;  /* the ticket's (untrusted) */
};
struct survey_entries { struct survey_entry *v; size_t n, cap; };
void survey_entries_free(struct survey_entries *l);
int store_survey_list(struct store *st, const struct survey_query *q,
		      struct survey_entries *out, struct derr *e);

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
/* Which kinds (bits 1 << enum msg_kind) agent_id has a draft of on the
 * ticket: one statement for what store_draft_get tells kind by kind. */
int store_draft_kinds(struct store *st, int64_t ticket_id, int64_t agent_id, unsigned *kinds,
		      struct derr *e);
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
/* One ticket as a JSON Lines record (see man desk, "import format");
 * with_data: each attachment's bytes in base64 ("data"), else only its
 * name, type and size. */
int store_ticket_json(struct store *st, int64_t id, bool with_events, bool with_data,
		      char **json, struct derr *e);

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
/* Deletes a ticket's tags, messages, surveys and time entries (not the ticket, not
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
/* Many rows in one statement where that saves round trips (PostgreSQL),
 * each row as the one-row function writes it (src/store/bulk_rows.c):
 * owners[i] is store_message_id_owner's answer for ids[i] (a NULL id
 * has 0); each message's and event's id is set. */
int store_message_id_owners(struct store *st, const char *const *ids, size_t n,
			    int64_t *owners, struct derr *e);
int store_messages_insert(struct store *st, struct message *v, size_t n, struct derr *e);
int store_events_insert(struct store *st, struct event *v, size_t n, struct derr *e);
int store_tags_add(struct store *st, int64_t ticket_id, char *const *tags, size_t n,
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

/* --- the spool of a bulk import (src/store/import_spool.c) -------------- */
/* Only one import runs at a time: it holds an flock on PATH-import for
 * its whole run, so a run in import_runs whose lock is free has lost its
 * importer.  store_import_lock fails with DESK_EBUSY while another holds
 * it; store_close lets it go. */
int store_import_lock(struct store *st, struct derr *e);
void store_import_unlock(struct store *st);

/* A bulk writer's WAL: with on, this connection no longer checkpoints
 * at its commits (inside the write gate, where every other writer waits
 * for the copy and its fsync), and commits with synchronous=NORMAL (no
 * fsync each: a batch lost to a power cut is lost whole, with its own
 * bookkeeping, and done again); store_checkpoint_passive then syncs and
 * folds the WAL back between batches, outside the gate, beside other
 * writers (a PASSIVE checkpoint takes no write lock).  Off restores
 * synchronous=FULL and the default checkpoints. */
void store_bulk_wal(struct store *st, bool on);
/* Between two transactions of a long job (an import's batches): waits,
 * at most max_ms, while other writers are queued at the write gate, so
 * that they go first. */
void store_let_waiters_first(struct store *st, long max_ms);
/* Whether another process waits at the write gate now. */
bool store_gate_waiting(struct store *st);
void store_checkpoint_passive(struct store *st);
/* Between two transactions of a long job that fills tables: on
 * PostgreSQL, the statistics of those that doubled since their last
 * ANALYZE made again, so that plans made while they were empty go
 * (import_spool.c).  Nothing on SQLite. */
void store_analyze_grown(struct store *st);

enum import_state { IMPORT_CHECKING, IMPORT_READY };
struct import_run {
	int64_t id, started_at, agent_id;
	char *name;
	bool skip_bad;
	long total, done, created, updated, bad;
	enum import_state state;
};
void import_run_free(struct import_run *r);
/* Every run in the spool, oldest first. */
int store_import_runs(struct store *st, struct import_run **runs, size_t *n, struct derr *e);
void import_runs_free(struct import_run *runs, size_t n);
/* Inside a write transaction: a new run, in state checking. */
int store_import_run_add(struct store *st, struct import_run *r, struct derr *e);
int store_import_line_add(struct store *st, int64_t run, long seq, const char *json,
			  size_t len, struct derr *e);
/* store_import_line_add for each line, in one statement on PostgreSQL. */
struct import_line;
int store_import_lines_add(struct store *st, int64_t run, const struct import_line *v, size_t n,
			   struct derr *e);
/* The commit point: the run is ready with `total` lines to publish. */
int store_import_run_ready(struct store *st, int64_t run, long total, long bad,
			   struct derr *e);
/* Writes done, created, updated and bad of r. */
int store_import_run_progress(struct store *st, const struct import_run *r, struct derr *e);
/* Deletes at most `limit` of the run's lines (the lowest first), and the
 * run itself once it has none: *left says whether any line is left. */
int store_import_run_drop(struct store *st, int64_t run, long limit, bool *left,
			  struct derr *e);
/* A spooled line: text is a new string. */
struct import_line {
	long seq;
	char *text;
	size_t len;
};
/* The next lines after seq `after`, at most `limit`, in order. */
int store_import_lines_next(struct store *st, int64_t run, long after, long limit,
			    struct import_line **lines, size_t *n, struct derr *e);
void import_lines_free(struct import_line *lines, size_t n);
/* Deletes the run's lines up to seq `upto`. */
int store_import_lines_done(struct store *st, int64_t run, long upto, struct derr *e);
/* A merge to link once its target (an external id) is in. */
struct import_merge {
	int64_t ticket_id;
	long line;
	char *target;
};
int store_import_merge_add(struct store *st, int64_t run, const struct import_merge *m,
			   struct derr *e);
/* Takes out (reads and deletes) every merge the run has left. */
int store_import_merges_take(struct store *st, int64_t run, struct import_merge **v, size_t *n,
			     struct derr *e);
void import_merges_free(struct import_merge *v, size_t n);

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
/* The knowledge base article a reply draft holds (slug, and the text
 * that shows it is still there), kept across saves of its body; set on
 * an existing draft.  get: both NULL when none (or no draft). */
int store_draft_article_set(struct store *st, int64_t ticket_id, int64_t agent_id,
			    const char *slug, const char *marker, struct derr *e);
int store_draft_article_get(struct store *st, int64_t ticket_id, int64_t agent_id, char **slug,
			    char **marker, struct derr *e);
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

/* --- time spent on tickets (src/store/time_entries.c) ------------------ */
struct time_entry {
	int64_t id, ticket_id, agent_id;
	char *agent_login;  /* read back; ignored on insert */
	int64_t seconds;    /* 1 .. TIME_ENTRY_MAX */
	bool measured;      /* the console's stopwatch; else logged by hand */
	char *note;         /* NULL: none */
	int64_t created_at;
	int64_t message_id; /* the reply or note it was sent with; 0: none */
};
#define TIME_ENTRY_MAX 86400 /* seconds in one entry (schema 20's CHECK) */
struct time_entry_list { struct time_entry *v; size_t n, cap; };
void time_entry_list_free(struct time_entry_list *l);
/* Inside a transaction; sets te->id. */
int store_time_insert(struct store *st, struct time_entry *te, struct derr *e);
/* A ticket's entries, oldest first, and their sum. */
int store_time_entries(struct store *st, int64_t ticket_id, struct time_entry_list *out,
		       struct derr *e);
int store_time_total(struct store *st, int64_t ticket_id, int64_t *seconds, struct derr *e);
/* desk report's "Time spent": entries made in [since, until), summed
 * per ticket, then per group: the total (by TIME_BY_ALL, one row with
 * key NULL) or by the entry's agent, the ticket's queue or channel.
 * median: the middle per-ticket sum, or the mean of the two middle ones. */
enum time_by { TIME_BY_ALL, TIME_BY_AGENT, TIME_BY_QUEUE, TIME_BY_CHANNEL, TIME_BY__COUNT };
const char *time_by_name(enum time_by b); /* "all", "agent", "queue", "channel" */
struct time_group {
	char *key; /* NULL for the total */
	int64_t entries, tickets, seconds;
	double median; /* per ticket */
};
struct time_groups { struct time_group *v; size_t n, cap; };
void time_groups_free(struct time_groups *g);
int store_time_report(struct store *st, int64_t since, int64_t until, enum time_by by,
		      struct time_groups *out, struct derr *e);
/* doc (desk report's JSON) with "survey_comments" (every answer of the
 * period with words: ticket, answered_at, kind, score, comment, oldest
 * first) and "knowledge_base" (slug, title, uses; most used first) set
 * (src/store/report_more.c).  A new string in *out. */
int store_report_lists_json(struct store *st, int64_t since, int64_t until, const char *doc,
			    char **out, struct derr *e);
/* doc (desk report's JSON) with "time_spent" set: {"total": {tickets,
 * entries, seconds, median_per_ticket_seconds}, "by_agent": [{key, ...}],
 * "by_queue", "by_channel"}.  A new string in *out. */
int store_time_report_json(struct store *st, int64_t since, int64_t until, const char *doc,
			   char **out, struct derr *e);
/* --- the knowledge base's index (src/store/kb.c) ------------------------ */
/* One article file as indexed.  The listing of files (store_kb_files)
 * fills file, slug, mtime_ns, size and sha256 only. */
struct kb_article {
	int64_t id;
	char *file;     /* its name inside the knowledge_base folder */
	char *slug;     /* the file's name without ".md": unique */
	char *title;
	char *tags;     /* ", "-separated, or "" */
	char *audience; /* "internal" or "public" */
	char *body;     /* the Markdown after the front matter */
	int64_t mtime_ns, size;
	char *sha256;
};
struct kb_list {
	struct kb_article *v;
	size_t n, cap;
};
void kb_article_free(struct kb_article *a); /* frees members, not a */
void kb_list_free(struct kb_list *l);
/* Every indexed file, by file name. */
int store_kb_files(struct store *st, struct kb_list *out, struct derr *e);
/* Inside a transaction: indexes a (every field but id) in place of the
 * same file's row; a slug another file holds is a constraint error. */
int store_kb_put(struct store *st, const struct kb_article *a, struct derr *e);
/* Inside a transaction: the same text under a new mtime or size. */
int store_kb_restat(struct store *st, const char *file, int64_t mtime_ns, int64_t size,
		    struct derr *e);
/* Inside a transaction: the file is gone (or no longer an article). */
int store_kb_drop(struct store *st, const char *file, struct derr *e);
enum kb_match {
	KB_ALL_WORDS, /* every word, each as a prefix (what an agent types) */
	KB_ANY_WORD,  /* any of the words, whole (suggestions from a subject) */
};
/* Up to limit articles matching text, best first (bm25: title, then
 * tags, then body); text is only ever an FTS5 string, never syntax. */
int store_kb_search(struct store *st, const char *text, enum kb_match how, int limit,
		    struct kb_list *out, struct derr *e);
/* One article with its body; DESK_ENOTFOUND when no such slug. */
int store_kb_get(struct store *st, const char *slug, struct kb_article *out, struct derr *e);
/* Inside a transaction: reply msg_id on ticket_id used the article. */
int store_kb_use_add(struct store *st, const char *slug, int64_t ticket_id, int64_t msg_id,
		     int64_t agent_id, int64_t at, struct derr *e);
/* How often each article was used in replies in [since, until), most
 * used first; title is the article's now (NULL once it is gone). */
struct kb_use_count {
	char *slug, *title;
	int64_t uses;
};
struct kb_use_counts {
	struct kb_use_count *v;
	size_t n, cap;
};
void kb_use_counts_free(struct kb_use_counts *l);
int store_kb_use_counts(struct store *st, int64_t since, int64_t until,
			struct kb_use_counts *out, struct derr *e);

/* --- identity and rights on PostgreSQL (src/store/pg_roles.c) --------- */
/* On SQLite, the file's permissions are the rights and these do nothing. */
/* The role this connection logged in as (session_user, which SET ROLE
 * does not change) and whether it is a superuser; *login NULL on SQLite. */
int store_session_role(struct store *st, char **login, bool *superuser, struct derr *e);
/* Inside a transaction, once, by the database's owner (desk init): the
 * group roles desk_agent, desk_supervisor, desk_admin, their grants and
 * row policies (pg_roles_sql.c).  Needs CREATEROLE. */
int store_rights_setup(struct store *st, struct derr *e);
/* Inside a transaction, after the agents row changed: the agent's login
 * role joins the group of its desk role (made, LOGIN without password,
 * when missing), and loses LOGIN while inactive. */
int store_agent_rights(struct store *st, const char *login, enum role role, bool active,
		       struct derr *e);

#endif
