/* schema.c: the database schema and its versioned migrations.
 *
 * PRAGMA user_version holds the schema version.  migrations[i] takes a
 * database from version i to i + 1; a new desk that changes the schema
 * appends one, never edits an old one, so every earlier database
 * migrates forward the same way.  A database with a version above ours
 * was written by a newer desk and is refused. */
#include <stdio.h>

#include "internal.h"
#include "util.h"

/* Version 0 -> 1: the whole data model of DESIGN.md. */
static const char schema_v1[] =
	"CREATE TABLE agents ("
	"  id INTEGER PRIMARY KEY,"
	"  login TEXT NOT NULL UNIQUE CHECK (length(login) BETWEEN 1 AND 64),"
	"  name TEXT NOT NULL,"
	"  role TEXT NOT NULL DEFAULT 'agent'"
	"    CHECK (role IN ('agent','supervisor','admin')),"
	"  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0,1)),"
	"  created_at INTEGER NOT NULL"
	");"
	"CREATE TABLE customers ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL DEFAULT '',"
	"  email TEXT COLLATE NOCASE UNIQUE,"
	"  phone TEXT,"
	"  organization TEXT,"
	"  tier TEXT,"
	"  notes TEXT,"
	"  created_at INTEGER NOT NULL"
	");"
	"CREATE TABLE tickets ("
	"  id INTEGER PRIMARY KEY,"
	"  external_id TEXT UNIQUE,"
	"  subject TEXT NOT NULL,"
	"  status TEXT NOT NULL DEFAULT 'new' CHECK (status IN"
	"    ('new','open','pending','on_hold','solved','closed')),"
	"  priority INTEGER NOT NULL DEFAULT 1 CHECK (priority BETWEEN 0 AND 3),"
	"  channel TEXT NOT NULL DEFAULT 'email' CHECK (channel IN"
	"    ('email','phone','chat','web','social','walk_in')),"
	"  queue TEXT NOT NULL DEFAULT 'general',"
	"  customer_id INTEGER REFERENCES customers(id),"
	"  assignee_id INTEGER REFERENCES agents(id),"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  first_response_at INTEGER,"
	"  first_solved_at INTEGER,"
	"  solved_at INTEGER,"
	"  closed_at INTEGER,"
	"  first_response_due INTEGER,"
	"  resolution_due INTEGER,"
	"  next_due INTEGER,"
	"  reopens INTEGER NOT NULL DEFAULT 0 CHECK (reopens >= 0),"
	"  merged_into INTEGER REFERENCES tickets(id)"
	");"
	/* The queue's sorts.  Walking one of these in order and filtering
	 * as it goes finds a screenful of rows without sorting the table;
	 * solved and closed tickets have no next_due and sort last. */
	"CREATE INDEX tickets_urgency ON tickets ("
	"  coalesce(next_due, 9223372036854775807), -priority, id);"
	"CREATE INDEX tickets_priority ON tickets ("
	"  -priority, coalesce(next_due, 9223372036854775807), id);"
	"CREATE INDEX tickets_created ON tickets (created_at, id);"
	"CREATE INDEX tickets_updated ON tickets (-updated_at, id);"
	"CREATE INDEX tickets_status ON tickets (status,"
	"  coalesce(next_due, 9223372036854775807), -priority, id);"
	"CREATE INDEX tickets_assignee ON tickets (assignee_id, status);"
	"CREATE INDEX tickets_customer ON tickets (customer_id, created_at);"
	"CREATE INDEX tickets_solved ON tickets (solved_at);"
	"CREATE TABLE ticket_tags ("
	"  ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,"
	"  tag TEXT NOT NULL CHECK (length(tag) BETWEEN 1 AND 64),"
	"  PRIMARY KEY (ticket_id, tag)"
	") WITHOUT ROWID;"
	"CREATE INDEX ticket_tags_tag ON ticket_tags (tag, ticket_id);"
	"CREATE TABLE messages ("
	"  id INTEGER PRIMARY KEY,"
	"  ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,"
	"  kind TEXT NOT NULL CHECK (kind IN ('customer','reply','note','system')),"
	"  author_id INTEGER REFERENCES agents(id),"
	"  body TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  message_id TEXT UNIQUE"
	");"
	"CREATE INDEX messages_ticket ON messages (ticket_id, created_at, id);"
	"CREATE TABLE surveys ("
	"  id INTEGER PRIMARY KEY,"
	"  ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,"
	"  kind TEXT NOT NULL CHECK (kind IN ('csat','ces','nps')),"
	"  score INTEGER NOT NULL,"
	"  answered_at INTEGER NOT NULL,"
	"  CHECK ((kind = 'csat' AND score BETWEEN 1 AND 5) OR"
	"         (kind = 'ces' AND score BETWEEN 1 AND 7) OR"
	"         (kind = 'nps' AND score BETWEEN 0 AND 10))"
	");"
	"CREATE INDEX surveys_ticket ON surveys (ticket_id);"
	"CREATE INDEX surveys_answered ON surveys (answered_at);"
	"CREATE TABLE events ("
	"  id INTEGER PRIMARY KEY,"
	"  ticket_id INTEGER REFERENCES tickets(id) ON DELETE CASCADE,"
	"  agent_id INTEGER REFERENCES agents(id),"
	"  at INTEGER NOT NULL,"
	"  action TEXT NOT NULL,"
	"  field TEXT,"
	"  old_value TEXT,"
	"  new_value TEXT"
	");"
	"CREATE INDEX events_ticket ON events (ticket_id, id);"
	"CREATE TABLE presence ("
	"  agent_id INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,"
	"  ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,"
	"  state TEXT NOT NULL CHECK (state IN ('viewing','replying')),"
	"  seen_at INTEGER NOT NULL,"
	"  PRIMARY KEY (agent_id, ticket_id)"
	") WITHOUT ROWID;"
	"CREATE TABLE drafts ("
	"  ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,"
	"  agent_id INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,"
	"  kind TEXT NOT NULL CHECK (kind IN ('reply','note')),"
	"  body TEXT NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  PRIMARY KEY (ticket_id, agent_id, kind)"
	") WITHOUT ROWID;"
	/* Full-text search over subjects and bodies: external-content tables
	 * kept in step by triggers, so the text is stored once. */
	"CREATE VIRTUAL TABLE ticket_fts USING fts5("
	"  subject, content='tickets', content_rowid='id',"
	"  tokenize='unicode61 remove_diacritics 2');"
	"CREATE VIRTUAL TABLE message_fts USING fts5("
	"  body, content='messages', content_rowid='id',"
	"  tokenize='unicode61 remove_diacritics 2');"
	"CREATE TRIGGER tickets_fts_ai AFTER INSERT ON tickets BEGIN"
	"  INSERT INTO ticket_fts(rowid, subject) VALUES (new.id, new.subject);"
	"END;"
	"CREATE TRIGGER tickets_fts_ad AFTER DELETE ON tickets BEGIN"
	"  INSERT INTO ticket_fts(ticket_fts, rowid, subject)"
	"    VALUES ('delete', old.id, old.subject);"
	"END;"
	"CREATE TRIGGER tickets_fts_au AFTER UPDATE OF subject ON tickets BEGIN"
	"  INSERT INTO ticket_fts(ticket_fts, rowid, subject)"
	"    VALUES ('delete', old.id, old.subject);"
	"  INSERT INTO ticket_fts(rowid, subject) VALUES (new.id, new.subject);"
	"END;"
	"CREATE TRIGGER messages_fts_ai AFTER INSERT ON messages BEGIN"
	"  INSERT INTO message_fts(rowid, body) VALUES (new.id, new.body);"
	"END;"
	"CREATE TRIGGER messages_fts_ad AFTER DELETE ON messages BEGIN"
	"  INSERT INTO message_fts(message_fts, rowid, body)"
	"    VALUES ('delete', old.id, old.body);"
	"END;"
	"CREATE TRIGGER messages_fts_au AFTER UPDATE OF body ON messages BEGIN"
	"  INSERT INTO message_fts(message_fts, rowid, body)"
	"    VALUES ('delete', old.id, old.body);"
	"  INSERT INTO message_fts(rowid, body) VALUES (new.id, new.body);"
	"END;";

/* Version 1 -> 2: what the mail channel and the SLA clocks need.
 * - next_response_due, and the pending pause of the resolution clock;
 * - per message: automatic mail (auto-replies, bounces, lists: never
 *   answered automatically), outbound delivery state, the sender;
 * - attachments, kept in the database or as a path in a directory;
 * - when a customer was last sent an acknowledgement. */
static const char schema_v2[] =
	"ALTER TABLE tickets ADD COLUMN next_response_due INTEGER;"
	"ALTER TABLE tickets ADD COLUMN pending_since INTEGER;"
	"ALTER TABLE tickets ADD COLUMN paused_seconds INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE messages ADD COLUMN auto INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE messages ADD COLUMN delivery TEXT CHECK (delivery IS NULL OR"
	"  delivery IN ('queued','sent','failed'));"
	"ALTER TABLE messages ADD COLUMN delivery_error TEXT;"
	"ALTER TABLE messages ADD COLUMN mail_from TEXT;"
	"CREATE INDEX messages_undelivered ON messages (delivery)"
	"  WHERE delivery IN ('queued','failed');"
	"CREATE TABLE attachments ("
	"  id INTEGER PRIMARY KEY,"
	"  message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,"
	"  filename TEXT NOT NULL,"
	"  content_type TEXT NOT NULL,"
	"  size INTEGER NOT NULL CHECK (size >= 0),"
	"  content BLOB,"
	"  path TEXT,"
	"  CHECK (content IS NOT NULL OR path IS NOT NULL)"
	");"
	"CREATE INDEX attachments_message ON attachments (message_id);"
	"ALTER TABLE customers ADD COLUMN last_ack_at INTEGER;";

/* Version 2 -> 3: what the report reads per ticket.  First response
 * times, the SLA clocks and first contact resolution look for a ticket's
 * first customer message, its first reply after it and its replies
 * before the first solve: with the kind in the index these are seeks in
 * the index alone, instead of a read of each message row (and its body)
 * of every ticket in the period. */
static const char schema_v3[] =
	"CREATE INDEX messages_kind ON messages (ticket_id, kind, created_at, id);";

/* Version 3 -> 4: this database's own name.  Export writes a ticket
 * that came without an external id as "desk-INSTANCE-ID", so importing
 * the file back into the same database updates that ticket instead of
 * adding a copy, while another database keeps it as a foreign id. */
static const char schema_v4[] =
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
	"INSERT INTO meta (key, value) VALUES ('instance', lower(hex(randomblob(6))));";

/* Version 4 -> 5: a draft remembers the canned response it started
 * from, so a postponed (or rescued) canned reply keeps its macro. */
static const char schema_v5[] =
	"ALTER TABLE drafts ADD COLUMN canned TEXT;";

/* Version 5 -> 6: what the report needs of each ticket, kept on the
 * ticket as messages come, so that a report over any period reads the
 * tickets alone (one pass over a million tickets' own columns instead of
 * ten message lookups for each):
 * - first_customer_at / first_customer_msg: the first customer message
 *   in thread order (created_at, then id);
 * - first_answer_at: the first public reply after it (a reply in the
 *   same second counts if its id is higher); unlike first_response_at,
 *   which core sets when it posts, this follows the messages however
 *   they arrive (import, merge, back-dated mail);
 * - replies_to_first_solve: public replies written at or before the
 *   first solve (all of them while never solved), counted up to 2: the
 *   first contact resolution test needs "at most one".
 * Triggers keep them: an insert moves them forward cheaply; a message
 * moved (merge), re-dated or deleted, or a new earliest customer
 * message, recomputes the ticket's from its messages (FACTS_SET).
 * Their names avoid "_fts": bulkload.c swaps the triggers named so.
 * The indexes: tickets_report_created / _solved hold all that the
 * report counts of the tickets created / first solved in a period, and
 * tickets_backlog (the open tickets only) and surveys_answered what it
 * counts of those, so it reads these indexes alone; tickets_frt, _first_resolution and
 * _full_resolution hold each distribution in value order, so the median
 * and p90 of a whole report are read off an index instead of sorting a
 * million values; tickets_frd / tickets_rd list breaches by due time. */
#define FIRST_CUSTOMER_MSG(col, X)                                              \
	"(SELECT m." col " FROM messages m WHERE m.ticket_id = " X                \
	" AND m.kind = 'customer' ORDER BY m.created_at, m.id LIMIT 1)"
#define FACTS_SET(X)                                                            \
	" first_customer_at = " FIRST_CUSTOMER_MSG("created_at", X) ","          \
	" first_customer_msg = " FIRST_CUSTOMER_MSG("id", X) ","                 \
	" first_answer_at = (SELECT r.created_at FROM messages r, (SELECT"      \
	"  m.created_at AS a, m.id AS i FROM messages m WHERE m.ticket_id = " X  \
	"  AND m.kind = 'customer' ORDER BY m.created_at, m.id LIMIT 1) f"      \
	"  WHERE r.ticket_id = " X " AND r.kind = 'reply' AND r.created_at >= f.a" \
	"  AND (r.created_at > f.a OR r.id > f.i) ORDER BY r.created_at, r.id LIMIT 1)," \
	" replies_to_first_solve = (SELECT count(*) FROM (SELECT 1 FROM messages m" \
	"  WHERE m.ticket_id = " X " AND m.kind = 'reply' AND (tickets.first_solved_at" \
	"  IS NULL OR m.created_at <= tickets.first_solved_at) LIMIT 2))"
static const char schema_v6[] =
	"ALTER TABLE tickets ADD COLUMN first_customer_at INTEGER;"
	"ALTER TABLE tickets ADD COLUMN first_customer_msg INTEGER;"
	"ALTER TABLE tickets ADD COLUMN first_answer_at INTEGER;"
	"ALTER TABLE tickets ADD COLUMN replies_to_first_solve INTEGER NOT NULL DEFAULT 0;"
	"UPDATE tickets SET" FACTS_SET("tickets.id") ";"
	"CREATE TRIGGER messages_facts_customer AFTER INSERT ON messages"
	"  WHEN new.kind = 'customer' BEGIN"
	"  UPDATE tickets SET" FACTS_SET("new.ticket_id") " WHERE id = new.ticket_id"
	"    AND (first_customer_at IS NULL OR first_customer_at > new.created_at"
	"    OR (first_customer_at = new.created_at AND first_customer_msg > new.id));"
	"END;"
	"CREATE TRIGGER messages_facts_reply AFTER INSERT ON messages"
	"  WHEN new.kind = 'reply' BEGIN"
	"  UPDATE tickets SET first_answer_at = new.created_at WHERE id = new.ticket_id"
	"    AND first_customer_at IS NOT NULL AND (new.created_at > first_customer_at"
	"    OR (new.created_at = first_customer_at AND new.id > first_customer_msg))"
	"    AND (first_answer_at IS NULL OR first_answer_at > new.created_at);"
	"  UPDATE tickets SET replies_to_first_solve = replies_to_first_solve + 1"
	"    WHERE id = new.ticket_id AND replies_to_first_solve < 2"
	"    AND (first_solved_at IS NULL OR new.created_at <= first_solved_at);"
	"END;"
	"CREATE TRIGGER messages_facts_moved AFTER UPDATE OF ticket_id, kind, created_at"
	"  ON messages BEGIN"
	"  UPDATE tickets SET" FACTS_SET("tickets.id")
	"    WHERE id IN (old.ticket_id, new.ticket_id);"
	"END;"
	"CREATE TRIGGER messages_facts_deleted AFTER DELETE ON messages"
	"  WHEN old.kind IN ('customer', 'reply') BEGIN"
	"  UPDATE tickets SET" FACTS_SET("tickets.id") " WHERE id = old.ticket_id;"
	"END;"
	"CREATE TRIGGER tickets_facts_solved AFTER UPDATE OF first_solved_at ON tickets"
	"  WHEN new.first_solved_at IS NOT old.first_solved_at BEGIN"
	"  UPDATE tickets SET replies_to_first_solve = (SELECT count(*) FROM (SELECT 1"
	"    FROM messages m WHERE m.ticket_id = new.id AND m.kind = 'reply'"
	"    AND (new.first_solved_at IS NULL OR m.created_at <= new.first_solved_at)"
	"    LIMIT 2)) WHERE id = new.id;"
	"END;"
	"CREATE INDEX tickets_frt ON tickets (first_answer_at - first_customer_at, created_at)"
	"  WHERE first_answer_at IS NOT NULL AND merged_into IS NULL;"
	"CREATE INDEX tickets_first_resolution ON tickets"
	"  (first_solved_at - created_at, first_solved_at)"
	"  WHERE first_solved_at IS NOT NULL AND merged_into IS NULL;"
	"CREATE INDEX tickets_full_resolution ON tickets"
	"  (solved_at - created_at, first_solved_at)"
	"  WHERE first_solved_at IS NOT NULL AND merged_into IS NULL;"
	"CREATE INDEX tickets_report_created ON tickets (created_at, merged_into,"
	"  first_customer_at, first_answer_at, first_response_due, resolution_due,"
	"  first_solved_at, pending_since);"
	"CREATE INDEX tickets_report_solved ON tickets (first_solved_at, merged_into,"
	"  solved_at, created_at, reopens, replies_to_first_solve);"
	"CREATE INDEX tickets_backlog ON tickets (status, merged_into, created_at, updated_at,"
	"  priority, solved_at, closed_at, assignee_id, queue, channel)"
	"  WHERE status IN ('new', 'open', 'pending', 'on_hold');"
	"DROP INDEX surveys_answered;"
	"CREATE INDEX surveys_answered ON surveys (answered_at, kind, score, ticket_id);"
	"CREATE INDEX tickets_frd ON tickets (first_response_due);"
	"CREATE INDEX tickets_rd ON tickets (resolution_due);";
#undef FACTS_SET
#undef FIRST_CUSTOMER_MSG

/* Version 6 -> 7: pages of views whose filter few rows pass (queue.c).
 * - tickets_status_created / _updated / _id: the created, updated and
 *   id sorts within one status, so a status filter is a seek per status
 *   instead of a walk of the whole sort index testing each row (a page
 *   of the on-hold or pending view in the updated sort passed ~7 000
 *   tickets of other statuses);
 * - tickets_assignee and tickets_solved, same names and first columns,
 *   now also hold the status, merged_into and every sort key: the rows
 *   of one agent (or none) in some statuses, or solved since a time, are
 *   read from the index alone and the page's rows picked among them,
 *   where a walk in sort order passed hundreds of thousands of others. */
static const char schema_v7[] =
	"CREATE INDEX tickets_status_created ON tickets (status, created_at, id);"
	"CREATE INDEX tickets_status_updated ON tickets (status, -updated_at, id);"
	"CREATE INDEX tickets_status_id ON tickets (status, id);"
	"DROP INDEX tickets_assignee;"
	"CREATE INDEX tickets_assignee ON tickets (assignee_id, status, merged_into,"
	"  next_due, priority, created_at, updated_at);"
	"DROP INDEX tickets_solved;"
	"CREATE INDEX tickets_solved ON tickets (solved_at, status, merged_into,"
	"  next_due, priority, created_at, updated_at);";

/* Version 7 -> 8: the audit trail is append-only.  desk only ever
 * inserts events (a merge leaves each ticket's events where they were;
 * a re-import adds the file's new events beside the old ones), so any
 * UPDATE or DELETE of one is someone else's and is refused.  Deleting a
 * ticket would cascade to its events: a ticket with history stays. */
static const char schema_v8[] =
	"CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events BEGIN"
	"  SELECT RAISE(ABORT, 'the audit trail is append-only: events are never changed');"
	"END;"
	"CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events BEGIN"
	"  SELECT RAISE(ABORT, 'the audit trail is append-only: events are never deleted');"
	"END;";

/* v9: a message being handed to the MTA carries a lease (until when one
 * desk is sending it), so no other desk sends it at the same time. */
static const char schema_v9[] = "ALTER TABLE messages ADD COLUMN sending_until INTEGER;";

/* Version 9 -> 10: a shorter loop and knowing what is new (issue 13).
 * - events.change_id: the events one action of an agent wrote (a
 *   macro's several fields, a bulk change over many tickets, a merge)
 *   share it, so `u` undoes that whole action; events_undo finds an
 *   agent's latest change at once;
 * - messages.send_after: a reply held for undo-send is not handed to
 *   the MTA before this time (NULL: at once);
 * - messages.merged_from / surveys.merged_from: the ticket a message or
 *   survey was moved from by a merge, so undoing the merge moves
 *   exactly those back;
 * - agents.signature: added below a reply in compose;
 * - ticket_seen: when an agent last saw each ticket (a row changed since
 *   is marked new to them);
 * - consoles: one row per open console (its process), what it shows
 *   and since when, for `:who`. */
static const char schema_v10[] =
	"ALTER TABLE events ADD COLUMN change_id INTEGER;"
	"CREATE INDEX events_undo ON events (agent_id, change_id) WHERE change_id IS NOT NULL;"
	"ALTER TABLE messages ADD COLUMN send_after INTEGER;"
	"ALTER TABLE messages ADD COLUMN merged_from INTEGER;"
	"ALTER TABLE surveys ADD COLUMN merged_from INTEGER;"
	"ALTER TABLE agents ADD COLUMN signature TEXT;"
	"CREATE TABLE ticket_seen ("
	"  agent_id INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,"
	"  ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,"
	"  seen_at INTEGER NOT NULL,"
	"  PRIMARY KEY (agent_id, ticket_id)"
	") WITHOUT ROWID;"
	"CREATE TABLE consoles ("
	"  id INTEGER PRIMARY KEY,"
	"  agent_id INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,"
	"  pid INTEGER NOT NULL,"
	"  started_at INTEGER NOT NULL,"
	"  seen_at INTEGER NOT NULL,"
	"  ticket_id INTEGER REFERENCES tickets(id) ON DELETE SET NULL,"
	"  ticket_since INTEGER,"
	"  view TEXT"
	");"
	"CREATE INDEX consoles_agent ON consoles (agent_id);";

/* Version 10 -> 11: honest report facts.
 * - Automatic mail (an out-of-office, a bounce, an auto-responder's
 *   reply) is neither the customer's turn nor an answer: the facts of
 *   schema 6 now skip messages with auto = 1, and are recomputed when a
 *   message's auto flag changes (ingest marks it after the insert).
 *   The tickets that hold such a message get their facts again.
 * - A ticket solved once has both solve times: an imported solved or
 *   closed ticket without first_solved_at (not merged away: that one
 *   was closed, never solved) takes its latest solve, else its last
 *   message, else its close or last update; one without
 *   solved_at (solved, reopened, not solved again) takes its last
 *   change to solved in the audit trail, else its first solve, so that
 *   full resolution time is its latest solve and never 0 s. */
#define FIRST_CUSTOMER_MSG(col, X)                                              \
	"(SELECT m." col " FROM messages m WHERE m.ticket_id = " X                \
	" AND m.kind = 'customer' AND m.auto = 0 ORDER BY m.created_at, m.id LIMIT 1)"
#define FACTS_SET(X)                                                            \
	" first_customer_at = " FIRST_CUSTOMER_MSG("created_at", X) ","          \
	" first_customer_msg = " FIRST_CUSTOMER_MSG("id", X) ","                 \
	" first_answer_at = (SELECT r.created_at FROM messages r, (SELECT"      \
	"  m.created_at AS a, m.id AS i FROM messages m WHERE m.ticket_id = " X  \
	"  AND m.kind = 'customer' AND m.auto = 0 ORDER BY m.created_at, m.id LIMIT 1) f" \
	"  WHERE r.ticket_id = " X " AND r.kind = 'reply' AND r.auto = 0"       \
	"  AND r.created_at >= f.a"                                             \
	"  AND (r.created_at > f.a OR r.id > f.i) ORDER BY r.created_at, r.id LIMIT 1)," \
	" replies_to_first_solve = (SELECT count(*) FROM (SELECT 1 FROM messages m" \
	"  WHERE m.ticket_id = " X " AND m.kind = 'reply' AND m.auto = 0"        \
	"  AND (tickets.first_solved_at"                                        \
	"  IS NULL OR m.created_at <= tickets.first_solved_at) LIMIT 2))"
static const char schema_v11[] =
	"DROP TRIGGER messages_facts_customer;"
	"DROP TRIGGER messages_facts_reply;"
	"DROP TRIGGER messages_facts_moved;"
	"DROP TRIGGER messages_facts_deleted;"
	"DROP TRIGGER tickets_facts_solved;"
	"CREATE TRIGGER messages_facts_customer AFTER INSERT ON messages"
	"  WHEN new.kind = 'customer' AND new.auto = 0 BEGIN"
	"  UPDATE tickets SET" FACTS_SET("new.ticket_id") " WHERE id = new.ticket_id"
	"    AND (first_customer_at IS NULL OR first_customer_at > new.created_at"
	"    OR (first_customer_at = new.created_at AND first_customer_msg > new.id));"
	"END;"
	"CREATE TRIGGER messages_facts_reply AFTER INSERT ON messages"
	"  WHEN new.kind = 'reply' AND new.auto = 0 BEGIN"
	"  UPDATE tickets SET first_answer_at = new.created_at WHERE id = new.ticket_id"
	"    AND first_customer_at IS NOT NULL AND (new.created_at > first_customer_at"
	"    OR (new.created_at = first_customer_at AND new.id > first_customer_msg))"
	"    AND (first_answer_at IS NULL OR first_answer_at > new.created_at);"
	"  UPDATE tickets SET replies_to_first_solve = replies_to_first_solve + 1"
	"    WHERE id = new.ticket_id AND replies_to_first_solve < 2"
	"    AND (first_solved_at IS NULL OR new.created_at <= first_solved_at);"
	"END;"
	"CREATE TRIGGER messages_facts_moved AFTER UPDATE OF ticket_id, kind, created_at, auto"
	"  ON messages BEGIN"
	"  UPDATE tickets SET" FACTS_SET("tickets.id")
	"    WHERE id IN (old.ticket_id, new.ticket_id);"
	"END;"
	"CREATE TRIGGER messages_facts_deleted AFTER DELETE ON messages"
	"  WHEN old.kind IN ('customer', 'reply') BEGIN"
	"  UPDATE tickets SET" FACTS_SET("tickets.id") " WHERE id = old.ticket_id;"
	"END;"
	"CREATE TRIGGER tickets_facts_solved AFTER UPDATE OF first_solved_at ON tickets"
	"  WHEN new.first_solved_at IS NOT old.first_solved_at BEGIN"
	"  UPDATE tickets SET replies_to_first_solve = (SELECT count(*) FROM (SELECT 1"
	"    FROM messages m WHERE m.ticket_id = new.id AND m.kind = 'reply' AND m.auto = 0"
	"    AND (new.first_solved_at IS NULL OR m.created_at <= new.first_solved_at)"
	"    LIMIT 2)) WHERE id = new.id;"
	"END;"
	"UPDATE tickets SET" FACTS_SET("tickets.id")
	"  WHERE id IN (SELECT ticket_id FROM messages WHERE auto = 1);"
	"UPDATE tickets SET first_solved_at = coalesce(solved_at,"
	"  (SELECT max(m.created_at) FROM messages m WHERE m.ticket_id = tickets.id),"
	"  closed_at, updated_at)"
	"  WHERE first_solved_at IS NULL AND status IN ('solved', 'closed')"
	"  AND merged_into IS NULL;"
	"UPDATE tickets SET solved_at = coalesce((SELECT max(v.at) FROM events v"
	"  WHERE v.ticket_id = tickets.id AND v.field = 'status' AND v.new_value = 'solved'),"
	"  first_solved_at)"
	"  WHERE solved_at IS NULL AND first_solved_at IS NOT NULL;";
#undef FACTS_SET
#undef FIRST_CUSTOMER_MSG

/* Version 11 -> 12: a customer has several addresses.  customer_emails
 * holds every address of every customer, the main one (customers.email,
 * where replies go) included, so finding a customer by any of them is
 * one lookup; an address belongs to one customer.  The triggers add the
 * main address when a customer is added or given a new one (the old one
 * stays theirs: mail from it still finds them); one already another
 * customer's is refused by the primary key. */
static const char schema_v12[] =
	"CREATE TABLE customer_emails ("
	"  email TEXT NOT NULL COLLATE NOCASE PRIMARY KEY,"
	"  customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE"
	") WITHOUT ROWID;"
	"CREATE INDEX customer_emails_customer ON customer_emails (customer_id);"
	"INSERT INTO customer_emails (email, customer_id)"
	"  SELECT email, id FROM customers WHERE email IS NOT NULL;"
	"CREATE TRIGGER customers_email_ai AFTER INSERT ON customers"
	"  WHEN new.email IS NOT NULL BEGIN"
	"  INSERT INTO customer_emails (email, customer_id) SELECT new.email, new.id"
	"    WHERE NOT EXISTS (SELECT 1 FROM customer_emails"
	"      WHERE email = new.email AND customer_id = new.id);"
	"END;"
	"CREATE TRIGGER customers_email_au AFTER UPDATE OF email ON customers"
	"  WHEN new.email IS NOT NULL BEGIN"
	"  INSERT INTO customer_emails (email, customer_id) SELECT new.email, new.id"
	"    WHERE NOT EXISTS (SELECT 1 FROM customer_emails"
	"      WHERE email = new.email AND customer_id = new.id);"
	"END;";
/* Version 12 -> 13: agents.seen_since, when desk first knew what the
 * agent had seen (their first console): a ticket they never saw is new
 * to them only when it changed after that, so the backlog from before
 * is not all new.  Set once; min(ticket_seen.seen_at) would not do, as
 * seeing a ticket again moves its row's time on. */
static const char schema_v13[] = "ALTER TABLE agents ADD COLUMN seen_since INTEGER;";
/* Version 13 -> 14: the copies of a reply and forwards (issue 14).
 * messages.cc and messages.bcc hold the addresses, each checked by
 * mail_addr_valid, joined by ", " (NULL: none): Cc goes in the header,
 * Bcc only to the envelope (outbound.c).  messages.forward_to: the
 * address an internal note was mailed to (desk forward); an answer to
 * its Message-ID comes back as a note (ingest.c). */
static const char schema_v14[] = "ALTER TABLE messages ADD COLUMN cc TEXT;"
				 "ALTER TABLE messages ADD COLUMN bcc TEXT;"
				 "ALTER TABLE messages ADD COLUMN forward_to TEXT;";
/* Version 14 -> 15: tickets.follow_up_at, when a pending or on-hold
 * ticket comes back to its assignee (issue 14, follow-ups).  NULL when
 * none.  The partial index keeps "which follow-ups are due" cheap: only
 * the few tickets waiting with a date are in it. */
static const char schema_v15[] =
	"ALTER TABLE tickets ADD COLUMN follow_up_at INTEGER;"
	"CREATE INDEX tickets_follow_up ON tickets (follow_up_at)"
	"  WHERE follow_up_at IS NOT NULL;";
/* Version 15 -> 16: surveys desk mails itself (issue 14).  One
 * survey_requests row per solve desk considered (UNIQUE: a second
 * `desk tick` never decides again): 'sent' with its unguessable token
 * and the system message that carries it (messages.message_id holds the
 * token too), or 'skipped' with why (sampled out, surveyed lately,
 * automatic mail...).  The answer is a surveys row; surveys.comment
 * keeps the customer's words, surveys.request_id the survey it answers
 * (NULL: imported or recorded by an agent), surveys.agent_id who
 * recorded it (NULL: the customer by mail, or an import). */
static const char schema_v16[] =
	"CREATE TABLE survey_requests ("
	"  id INTEGER PRIMARY KEY,"
	"  ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,"
	"  customer_id INTEGER REFERENCES customers(id) ON DELETE SET NULL,"
	"  solved_at INTEGER NOT NULL,"
	"  decided_at INTEGER NOT NULL,"
	"  outcome TEXT NOT NULL CHECK (outcome IN ('sent','skipped')),"
	"  reason TEXT,"
	"  kind TEXT NOT NULL CHECK (kind IN ('csat','ces','nps')),"
	"  token TEXT UNIQUE CHECK (token IS NULL OR length(token) = 32),"
	"  message_row INTEGER REFERENCES messages(id) ON DELETE SET NULL,"
	"  CHECK ((outcome = 'sent') = (token IS NOT NULL)),"
	"  UNIQUE (ticket_id, solved_at)"
	");"
	"CREATE INDEX survey_requests_customer ON survey_requests (customer_id, decided_at)"
	"  WHERE outcome = 'sent';"
	"CREATE INDEX survey_requests_message ON survey_requests (message_row);"
	"ALTER TABLE surveys ADD COLUMN comment TEXT;"
	"ALTER TABLE surveys ADD COLUMN request_id INTEGER"
	"  REFERENCES survey_requests(id) ON DELETE SET NULL;"
	"ALTER TABLE surveys ADD COLUMN agent_id INTEGER REFERENCES agents(id);"
	"CREATE UNIQUE INDEX surveys_request ON surveys (request_id)"
	"  WHERE request_id IS NOT NULL;";

/* Version 16 -> 17: time spent on tickets (issue 15, time tracking).
 * One row per entry: measured by the console (from opening the ticket to
 * sending, paused while the agent is elsewhere or idle) or logged by
 * hand; message_id ties a measured entry to the reply or note it was
 * sent with (NULL when that message is taken back).  An entry is at
 * most a day: more is a typo.  time_entries_ticket serves desk show and
 * export; time_entries_created the report's period. */
static const char schema_v17[] =
	"CREATE TABLE time_entries ("
	"  id INTEGER PRIMARY KEY,"
	"  ticket_id INTEGER NOT NULL REFERENCES tickets(id),"
	"  agent_id INTEGER NOT NULL REFERENCES agents(id),"
	"  seconds INTEGER NOT NULL CHECK (seconds BETWEEN 1 AND 86400),"
	"  source TEXT NOT NULL CHECK (source IN ('measured','manual')),"
	"  note TEXT,"
	"  created_at INTEGER NOT NULL,"
	"  message_id INTEGER REFERENCES messages(id) ON DELETE SET NULL"
	");"
	"CREATE INDEX time_entries_ticket ON time_entries (ticket_id, created_at);"
	"CREATE INDEX time_entries_created ON time_entries (created_at, ticket_id);"
	"CREATE INDEX time_entries_message ON time_entries (message_id)"
	"  WHERE message_id IS NOT NULL;";

/* Version 17 -> 18: the knowledge base (issue 15).
 * - kb_files: one row per article file of the team's knowledge_base
 *   folder that desk indexed (file: its name inside the folder), with
 *   what tells a changed file (mtime in ns, size, SHA-256 of its text),
 *   so a sync re-reads only changed files; the slug (the file's name
 *   without .md) is unique, title and audience are from its front matter.
 * - kb_fts: the articles' words, rowid = kb_files.id (a contentful FTS5
 *   table: the Markdown is kept once, here).
 * - kb_uses: a reply that used an article (its text or its link),
 *   written with the reply; a reply taken back (undo send) deletes its
 *   message and so its uses.
 * - drafts.kb_slug, drafts.kb_marker: the article put in a reply draft
 *   and what shows it is still there (its title or link), so a reply
 *   postponed and sent later counts it too. */
static const char schema_v18[] =
	"CREATE TABLE kb_files ("
	"  id INTEGER PRIMARY KEY,"
	"  file TEXT NOT NULL UNIQUE,"
	"  slug TEXT NOT NULL UNIQUE,"
	"  mtime_ns INTEGER NOT NULL,"
	"  size INTEGER NOT NULL,"
	"  sha256 TEXT NOT NULL,"
	"  title TEXT NOT NULL,"
	"  audience TEXT NOT NULL CHECK (audience IN ('internal','public'))"
	");"
	"CREATE VIRTUAL TABLE kb_fts USING fts5("
	"  slug UNINDEXED, title, tags, body,"
	"  tokenize='unicode61 remove_diacritics 2');"
	"CREATE TABLE kb_uses ("
	"  id INTEGER PRIMARY KEY,"
	"  slug TEXT NOT NULL,"
	"  ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,"
	"  message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,"
	"  agent_id INTEGER REFERENCES agents(id),"
	"  at INTEGER NOT NULL"
	");"
	"CREATE INDEX kb_uses_at ON kb_uses (at);"
	"CREATE INDEX kb_uses_message ON kb_uses (message_id);"
	"ALTER TABLE drafts ADD COLUMN kb_slug TEXT;"
	"ALTER TABLE drafts ADD COLUMN kb_marker TEXT;";

/* Version 19: the spool of a bulk import (import.c, import_run.c).  An
 * import first checks every line of its file and keeps each good one in
 * import_lines (run state 'checking': nothing an agent sees); one small
 * transaction then marks the run 'ready', the import's commit point;
 * then batches publish the lines as tickets, each batch deleting its
 * lines and advancing done in the same transaction.  A run left
 * 'checking' by an importer that died is garbage; one left 'ready' is
 * finished by the next desk import or desk tick.
 * - import_merges: a published ticket merged into one later in the file,
 *   linked when the last batch is in. */
static const char schema_v19[] =
	"CREATE TABLE import_runs ("
	"  id INTEGER PRIMARY KEY,"
	"  started_at INTEGER NOT NULL,"
	"  agent_id INTEGER REFERENCES agents(id),"
	"  name TEXT NOT NULL,"
	"  skip_bad INTEGER NOT NULL DEFAULT 0,"
	"  total INTEGER NOT NULL DEFAULT 0,"
	"  done INTEGER NOT NULL DEFAULT 0,"
	"  created INTEGER NOT NULL DEFAULT 0,"
	"  updated INTEGER NOT NULL DEFAULT 0,"
	"  bad INTEGER NOT NULL DEFAULT 0,"
	"  state TEXT NOT NULL CHECK (state IN ('checking','ready'))"
	");"
	"CREATE TABLE import_lines ("
	"  run_id INTEGER NOT NULL REFERENCES import_runs(id) ON DELETE CASCADE,"
	"  seq INTEGER NOT NULL,"
	"  json TEXT NOT NULL,"
	"  UNIQUE (run_id, seq)"
	");"
	"CREATE TABLE import_merges ("
	"  run_id INTEGER NOT NULL REFERENCES import_runs(id) ON DELETE CASCADE,"
	"  ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,"
	"  line INTEGER NOT NULL,"
	"  target TEXT NOT NULL"
	");"
	"CREATE INDEX import_merges_run ON import_merges (run_id);";

/* Version 19 -> 20 (issue 16, keys at 1M): a search maps its newest matching
 * messages (up to 2000 FTS5 rowids) to their tickets.  By the table,
 * each lookup reads the leaf holding the whole message, one page for
 * nearly every match of a word that is not everywhere (refund: 900
 * pages at 100k, read from disk on the first search of a session); this
 * index holds (id, ticket_id) alone, some 300 to a page, and grows at
 * its end like the table. */
static const char schema_v20[] =
	"CREATE INDEX messages_id_ticket ON messages (id, ticket_id);";


/* Version 20 -> 21: desk report at a million tickets.
 * - surveys_commented: the answers that came with words, by time.  The
 *   report's SURVEY COMMENTS read every answer of the period's row to
 *   find the few with a comment (a table lookup per answer: 320 000 at
 *   a million tickets); now only those.
 * - tickets_frt, tickets_first_resolution, tickets_full_resolution go:
 *   the report picks its medians and p90s out of the values its one
 *   pass keeps (metrics_pass.c), so nothing reads them, and every
 *   ticket write paid for them. */
static const char schema_v21[] =
	"CREATE INDEX surveys_commented ON surveys (answered_at, id)"
	"  WHERE comment IS NOT NULL AND comment <> '';"
	"DROP INDEX tickets_frt;"
	"DROP INDEX tickets_first_resolution;"
	"DROP INDEX tickets_full_resolution;";

static const char *const migrations[] = {
	schema_v1,
	schema_v2,
	schema_v3,
	schema_v4,
	schema_v5,
	schema_v6,
	schema_v7,
	schema_v8,
	schema_v9,
	schema_v10,
	schema_v11,
	schema_v12,
	schema_v13,
	schema_v14,
	schema_v15,
	schema_v16,
	schema_v17,
	schema_v18,
	schema_v19,
	schema_v20,
	schema_v21,
};

_Static_assert(sizeof migrations / sizeof migrations[0] == STORE_SCHEMA_VERSION,
	       "one migration per schema version");

static int user_version(struct store *st, int *v, struct derr *e)
{
	struct stmt *s = st_prep(st, "PRAGMA user_version", e);
	if (!s)
		return derr_code(e);
	int rc = st_step(s);
	*v = rc == ST_ROW ? col_int(s, 0) : 0;
	st_done(s);
	return rc == ST_ROW ? DESK_OK : st_fail(st, e, "reading the schema version");
}

/* Runs migrations from the current version up to `target`, each in its
 * own transaction with the version bump, so a crash leaves a database at
 * some whole version. */
static int migrate_to(struct store *st, int target, struct derr *e)
{
	int v;
	int rc = user_version(st, &v, e);
	if (rc)
		return rc;
	if (v > STORE_SCHEMA_VERSION)
		return derr_set(e, DESK_ESCHEMA,
				"%s: database schema version %d is newer than this desk "
				"understands (%d); use a newer desk",
				st->path, v, STORE_SCHEMA_VERSION);
	if (v < 0)
		return derr_set(e, DESK_ESCHEMA, "%s: not a desk database (schema version %d)",
				st->path, v);
	for (; v < target; v++) {
		if ((rc = store_begin(st, e)))
			return rc;
		char bump[64];
		snprintf(bump, sizeof bump, "PRAGMA user_version = %d", v + 1);
		if ((rc = st_exec(st, migrations[v], e)) || (rc = st_exec(st, bump, e))) {
			store_rollback(st);
			derr_prefix(e, "%s: migrating the schema to version %d", st->path, v + 1);
			return rc;
		}
		if ((rc = store_commit(st, e)))
			return rc;
	}
	return DESK_OK;
}

int schema_migrate(struct store *st, struct derr *e)
{
	return migrate_to(st, STORE_SCHEMA_VERSION, e);
}

int schema_create(struct store *st, int version, struct derr *e)
{
	if (version < 0 || version > STORE_SCHEMA_VERSION)
		return derr_set(e, DESK_EINVAL, "no schema version %d", version);
	return migrate_to(st, version, e);
}

int store_create_schema_version(struct store *st, int version, struct derr *e)
{
	return schema_create(st, version, e);
}

int store_schema_version(struct store *st)
{
	int v = -1;
	if (st->pg) {
		pg_schema_version(st, &v, NULL);
		return v;
	}
	user_version(st, &v, NULL);
	return v;
}
