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

static const char *const migrations[] = {
	schema_v1,
	schema_v2,
	schema_v3,
	schema_v4,
	schema_v5,
};

_Static_assert(sizeof migrations / sizeof migrations[0] == STORE_SCHEMA_VERSION,
	       "one migration per schema version");

static int user_version(struct store *st, int *v, struct derr *e)
{
	sqlite3_stmt *s = st_prep(st, "PRAGMA user_version", e);
	if (!s)
		return e ? e->code : DESK_EIO;
	int rc = sqlite3_step(s);
	*v = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
	st_done(s);
	return rc == SQLITE_ROW ? DESK_OK : st_fail(st, e, "reading the schema version");
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
	user_version(st, &v, NULL);
	return v;
}
