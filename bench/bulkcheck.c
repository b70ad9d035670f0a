/* bulkcheck.c: bench-bulkcheck, the test of store_bulk_begin/end.
 *
 *   bench-bulkcheck DIR
 *
 * Creates a database in DIR, records its schema (sqlite_schema: type,
 * name, table and SQL of everything), loads tickets and messages between
 * store_bulk_begin and store_bulk_end, and checks that
 *  - during the load the FTS triggers are gone, afterwards the schema is
 *    exactly what it was, byte for byte;
 *  - the rebuilt full-text indexes find what was loaded (and pass
 *    FTS5's own integrity-check);
 *  - after the load the triggers work again: a new message is found;
 *  - store_fts_defer/catch_up inside one transaction, with old rows
 *    deleted and retitled, new rows updated and deleted and the highest
 *    id reused, leave an index that FTS5's integrity-check accepts and
 *    the same schema; and a rollback instead undoes all of it.
 * Prints "bulkcheck: N passed, 0 failed" or what failed; exits 1 then. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/store/internal.h"
#include "util.h"

static int passed, failed;

static void check(bool ok, const char *what)
{
	if (ok) {
		passed++;
	} else {
		failed++;
		printf("bulkcheck: FAILED: %s\n", what);
	}
}

static char *schema_text(struct store *st)
{
	struct strbuf b = {0};
	sqlite3_stmt *s;
	sqlite3_prepare_v2(st->db,
			   "SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_schema"
			   " ORDER BY type, name",
			   -1, &s, NULL);
	while (sqlite3_step(s) == SQLITE_ROW)
		for (int i = 0; i < 4; i++)
			sb_addf(&b, "%s%c", (const char *)sqlite3_column_text(s, i), i == 3 ? '\n' : '|');
	sqlite3_finalize(s);
	return sb_take(&b);
}

static int64_t scalar(struct store *st, const char *sql)
{
	sqlite3_stmt *s;
	int64_t v = -1;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: bench-bulkcheck DIR\n");
		return 2;
	}
	char path[4096];
	snprintf(path, sizeof path, "%s/bulkcheck.db", argv[1]);
	unlink(path);
	struct store *st;
	struct derr e = {0};
	if (store_open(path, STORE_CREATE, &st, &e)) {
		printf("bulkcheck: %s\n", e.msg);
		return 1;
	}
	char *before = schema_text(st);
	struct store_bulk *b = NULL;
	check(store_bulk_begin(st, &b, &e) == DESK_OK && b, "store_bulk_begin");
	bool ok = true;
	check(scalar(st, "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger'"
			 " AND sql LIKE '%_fts%'") == 0,
	      "no FTS triggers during the load");
	check(store_begin(st, &e) == DESK_OK, "store_begin in a bulk load");
	for (int i = 1; i <= 300; i++) {
		char subj[64], body[128];
		snprintf(subj, sizeof subj, "Bulk ticket %d %s", i, i % 3 ? "parcel" : "zebra");
		struct ticket t = {.subject = subj, .created_at = 1000 + i};
		ok &= store_ticket_insert(st, &t, &e) == DESK_OK;
		for (int k = 0; k < 3; k++) {
			snprintf(body, sizeof body, "Message %d of %d: café %s", k, i,
				 k == 2 && i % 10 == 0 ? "quokka" : "lorem");
			struct message m = {.ticket_id = t.id, .kind = MSG_CUSTOMER, .body = body,
					    .created_at = 2000 + i};
			ok &= store_message_insert(st, &m, &e) == DESK_OK;
		}
	}
	check(ok, "inserts during the load");
	check(store_commit(st, &e) == DESK_OK, "commit");
	check(scalar(st, "SELECT count(*) FROM message_fts WHERE message_fts MATCH 'quokka'") == 0,
	      "nothing indexed before the rebuild");
	check(store_bulk_end(st, &b, &e) == DESK_OK && !b, "store_bulk_end");
	char *after = schema_text(st);
	check(strcmp(before, after) == 0, "schema after the load equals the schema before");
	if (strcmp(before, after) != 0)
		printf("--- before\n%s--- after\n%s", before, after);
	check(scalar(st, "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger'"
			 " AND sql LIKE '%_fts%'") == 6,
	      "six FTS triggers");
	check(scalar(st, "SELECT count(*) FROM message_fts WHERE message_fts MATCH 'quokka'") == 30,
	      "rebuilt message index finds the loaded words");
	check(scalar(st, "SELECT count(*) FROM message_fts WHERE message_fts MATCH 'cafe'") == 900,
	      "diacritics folded as the schema asks");
	check(scalar(st, "SELECT count(*) FROM ticket_fts WHERE ticket_fts MATCH 'zebra'") == 100,
	      "rebuilt ticket index");
	check(sqlite3_exec(st->db,
			   "INSERT INTO message_fts(message_fts, rank) VALUES ('integrity-check', 1);"
			   "INSERT INTO ticket_fts(ticket_fts, rank) VALUES ('integrity-check', 1)",
			   NULL, NULL, NULL) == SQLITE_OK,
	      "FTS5 integrity-check against the content tables");
	check(scalar(st, "PRAGMA synchronous") == 2, "synchronous back to FULL");
	/* The recreated triggers fire. */
	check(store_begin(st, &e) == DESK_OK, "begin after the load");
	struct message m = {.ticket_id = 1, .kind = MSG_NOTE, .body = "wombat", .created_at = 9};
	check(store_message_insert(st, &m, &e) == DESK_OK, "insert after the load");
	check(store_commit(st, &e) == DESK_OK, "commit after the load");
	check(scalar(st, "SELECT count(*) FROM message_fts WHERE message_fts MATCH 'wombat'") == 1,
	      "triggers index new messages again");

	/* Deferred indexing inside one transaction. */
	struct store_bulk *d = NULL;
	check(store_begin(st, &e) == DESK_OK, "begin (defer)");
	check(store_fts_defer(st, &d, &e) == DESK_OK && d, "store_fts_defer");
	ok = true;
	/* An old ticket retitled, an old message deleted. */
	ok &= sqlite3_exec(st->db, "UPDATE tickets SET subject = 'Renamed narwhal' WHERE id = 3;"
				   "DELETE FROM messages WHERE id = 5", NULL, NULL, NULL) == SQLITE_OK;
	/* The highest message id deleted, so the next insert reuses it. */
	int64_t top = scalar(st, "SELECT max(id) FROM messages");
	char sql[128];
	snprintf(sql, sizeof sql, "DELETE FROM messages WHERE id = %lld", (long long)top);
	ok &= sqlite3_exec(st->db, sql, NULL, NULL, NULL) == SQLITE_OK;
	for (int i = 0; i < 20; i++) {
		struct ticket t = {.subject = "Deferred ocelot", .created_at = 5000 + i};
		ok &= store_ticket_insert(st, &t, &e) == DESK_OK;
		struct message m2 = {.ticket_id = t.id, .kind = MSG_CUSTOMER,
				     .body = "deferred platypus", .created_at = 5000 + i};
		ok &= store_message_insert(st, &m2, &e) == DESK_OK;
		if (i == 0)
			check(m2.id == top, "the highest id is reused");
		if (i % 5 == 0) { /* new rows updated and deleted */
			t.subject = "Deferred lynx";
			ok &= store_ticket_update(st, &t, &e) == DESK_OK;
			snprintf(sql, sizeof sql, "DELETE FROM messages WHERE id = %lld",
				 (long long)m2.id);
			ok &= sqlite3_exec(st->db, sql, NULL, NULL, NULL) == SQLITE_OK;
		}
	}
	check(ok, "writes while deferred");
	check(store_fts_catch_up(st, &d, &e) == DESK_OK && !d, "store_fts_catch_up");
	check(store_commit(st, &e) == DESK_OK, "commit (defer)");
	char *deferred = schema_text(st);
	check(strcmp(before, deferred) == 0, "schema after deferring equals the schema before");
	check(scalar(st, "SELECT count(*) FROM ticket_fts WHERE ticket_fts MATCH 'narwhal'") == 1,
	      "a retitled old ticket is found by its new title");
	check(scalar(st, "SELECT count(*) FROM ticket_fts WHERE ticket_fts MATCH 'ocelot'") == 16,
	      "new tickets indexed with their last title");
	check(scalar(st, "SELECT count(*) FROM ticket_fts WHERE ticket_fts MATCH 'lynx'") == 4,
	      "new tickets retitled while deferred");
	check(scalar(st, "SELECT count(*) FROM message_fts WHERE message_fts MATCH 'platypus'") == 16,
	      "new messages indexed, deleted ones not");
	check(sqlite3_exec(st->db,
			   "INSERT INTO message_fts(message_fts, rank) VALUES ('integrity-check', 1);"
			   "INSERT INTO ticket_fts(ticket_fts, rank) VALUES ('integrity-check', 1)",
			   NULL, NULL, NULL) == SQLITE_OK,
	      "FTS5 integrity-check after deferred indexing");
	/* A rollback undoes the swap too. */
	check(store_begin(st, &e) == DESK_OK && store_fts_defer(st, &d, &e) == DESK_OK,
	      "defer again");
	struct ticket gone = {.subject = "Rolled back", .created_at = 1};
	check(store_ticket_insert(st, &gone, &e) == DESK_OK, "insert before a rollback");
	store_rollback(st);
	store_bulk_abandon(&d);
	char *rolled = schema_text(st);
	check(strcmp(before, rolled) == 0, "schema after a rollback equals the schema before");
	free(rolled);
	free(deferred);
	free(before);
	free(after);
	store_close(&st);
	unlink(path);
	printf("bulkcheck: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
