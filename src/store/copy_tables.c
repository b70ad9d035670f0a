/* copy_tables.c: every table of desk's schema, as desk db copy moves it
 * between engines: the one place a migration that adds a table or a
 * column updates (the copy unit suite fails while a table or column of
 * either engine's schema is missing here).
 *
 * What is not copied, and why:
 * - ticket_fts and message_fts: the insert triggers of tickets and
 *   messages index every row copied, on either engine, exactly as they
 *   index a new ticket or message (SQLite's FTS5 and PostgreSQL's
 *   tsvector tables hold different things; neither can be copied
 *   across).  kb_fts is filled by desk kb, not by a trigger: copied.
 *   (Into PostgreSQL, as the tables' owner, the same rows are made in
 *   one pass after the last row: copy_pg.c.)
 * - the report's facts on a ticket (first_customer_at, first_customer_msg,
 *   first_answer_at, replies_to_first_solve): the message triggers
 *   compute them as the messages arrive, as they did on the source (and
 *   SQLite's reply trigger adds to replies_to_first_solve, so a copied
 *   value would be counted twice).  Into PostgreSQL as the tables'
 *   owner they are copied, with those triggers off, and checked against
 *   the messages once all are in (copy_pg.c).
 * - meta's schema_version: PostgreSQL's own (SQLite keeps it in the file
 *   header); the target has it from its schema. */
#include "copy_tables.h"
#include "util.h"

const struct copy_table copy_tables[] = {
	{.name = "agents", .key = "id",
	 .cols = "id, login, name, role, active, created_at, signature, seen_since"},
	{.name = "customers", .key = "id",
	 .cols = "id, name, email, phone, organization, tier, notes, created_at, last_ack_at"},
	{.name = "customer_emails", .key = "email", .cols = "email, customer_id",
	 .on_conflict = "ON CONFLICT (email) DO NOTHING"},
	{.name = "tickets", .key = "id",
	 .cols = "id, external_id, subject, status, priority, channel, queue, customer_id,"
		 " assignee_id, created_at, updated_at, first_response_at, first_solved_at,"
		 " solved_at, closed_at, first_response_due, resolution_due, next_due, reopens,"
		 " next_response_due, pending_since, paused_seconds, follow_up_at",
	 .derived = "first_customer_at, first_customer_msg, first_answer_at,"
		    " replies_to_first_solve",
	 .later = "merged_into"},
	{.name = "ticket_fts", .how = COPY_TRIGGERS},
	{.name = "ticket_tags", .key = "ticket_id, tag", .cols = "ticket_id, tag"},
	{.name = "messages", .key = "id",
	 .cols = "id, ticket_id, kind, author_id, body, created_at, message_id, auto, delivery,"
		 " delivery_error, mail_from, sending_until, send_after, merged_from, cc, bcc,"
		 " forward_to"},
	{.name = "message_fts", .how = COPY_TRIGGERS},
	{.name = "attachments", .key = "id",
	 .cols = "id, message_id, filename, content_type, size, content, path"},
	{.name = "survey_requests", .key = "id",
	 .cols = "id, ticket_id, customer_id, solved_at, decided_at, outcome, reason, kind,"
		 " token, message_row"},
	{.name = "surveys", .key = "id",
	 .cols = "id, ticket_id, kind, score, answered_at, merged_from, comment, request_id,"
		 " agent_id"},
	{.name = "events", .key = "id",
	 .cols = "id, ticket_id, agent_id, at, action, field, old_value, new_value, change_id"},
	{.name = "presence", .key = "agent_id, ticket_id",
	 .cols = "agent_id, ticket_id, state, seen_at"},
	{.name = "drafts", .key = "ticket_id, agent_id, kind",
	 .cols = "ticket_id, agent_id, kind, body, updated_at, canned, kb_slug, kb_marker"},
	{.name = "ticket_seen", .key = "agent_id, ticket_id",
	 .cols = "agent_id, ticket_id, seen_at"},
	{.name = "consoles", .key = "id",
	 .cols = "id, agent_id, pid, started_at, seen_at, ticket_id, ticket_since, view"},
	{.name = "time_entries", .key = "id",
	 .cols = "id, ticket_id, agent_id, seconds, source, note, created_at, message_id"},
	{.name = "kb_files", .key = "id",
	 .cols = "id, file, slug, mtime_ns, size, sha256, title, audience"},
	{.name = "kb_fts", .key = "id", .cols = "id, slug, title, tags, body",
	 .sqlite_key = "rowid", .sqlite_cols = "rowid, slug, title, tags, body"},
	{.name = "kb_uses", .key = "id", .cols = "id, slug, ticket_id, message_id, agent_id, at"},
	{.name = "import_runs", .key = "id",
	 .cols = "id, started_at, agent_id, name, skip_bad, total, done, created, updated, bad,"
		 " state"},
	{.name = "import_lines", .key = "run_id, seq", .cols = "run_id, seq, json"},
	/* No unique key; written in file order, so read back by line. */
	{.name = "import_merges", .cols = "run_id, ticket_id, line, target",
	 .order = "run_id, line, ticket_id, target"},
	{.name = "meta", .key = "key", .cols = "key, value", .where = "key <> 'schema_version'",
	 .on_conflict = "ON CONFLICT (key) DO UPDATE SET value = excluded.value"},
};

const size_t copy_tables_n = ARRAY_LEN(copy_tables);
