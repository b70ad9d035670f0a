/* importbase.c: bench-import-base, the floor desk import is compared with.
 *
 *   bench-import-base DB FILE
 *
 * Loads the tickets and messages of FILE (desk's JSON Lines export) into
 * DB, a database desk made (same schema: same indexes, same triggers
 * that keep the report's facts), with bare SQLite: one transaction,
 * plain INSERTs of the very rows (SQLite's own JSON functions pick the
 * fields out of each line), the FTS triggers dropped for the load and
 * both indexes rebuilt once at the end, synchronous=FULL like desk.  No
 * checking, no customers, agents, events or SLA: only what any loader
 * must do.  Prints "tickets N messages M ms T". */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int die(sqlite3 *db, const char *what)
{
	fprintf(stderr, "bench-import-base: %s: %s\n", what, db ? sqlite3_errmsg(db) : "?");
	return 1;
}

static const char ticket_sql[] =
	"INSERT INTO tickets (external_id, subject, status, priority, channel, queue,"
	" created_at, updated_at, first_solved_at, solved_at, closed_at, reopens)"
	" SELECT j->>'external_id', j->>'subject', coalesce(j->>'status', 'new'),"
	" CASE j->>'priority' WHEN 'low' THEN 0 WHEN 'high' THEN 2 WHEN 'urgent' THEN 3"
	"  ELSE 1 END,"
	" coalesce(j->>'channel', 'email'), coalesce(j->>'queue', 'general'),"
	" unixepoch(j->>'created_at'), unixepoch(j->>'updated_at'),"
	" unixepoch(j->>'first_solved_at'), unixepoch(j->>'solved_at'),"
	" unixepoch(j->>'closed_at'), coalesce(j->>'reopens', 0)"
	" FROM (SELECT ?1 AS j)";

static const char message_sql[] =
	"INSERT INTO messages (ticket_id, kind, body, created_at, message_id, auto)"
	" SELECT ?2, value->>'kind', value->>'body', unixepoch(value->>'at'),"
	" value->>'message_id', coalesce(value->>'auto', 0)"
	" FROM json_each(?1, '$.messages')";

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: bench-import-base DB FILE\n");
		return 2;
	}
	FILE *in = fopen(argv[2], "r");
	if (!in) {
		perror(argv[2]);
		return 1;
	}
	sqlite3 *db;
	if (sqlite3_open(argv[1], &db) != SQLITE_OK)
		return die(db, argv[1]);
	double t0 = now_ms();
	if (sqlite3_exec(db,
			 "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
			 " PRAGMA foreign_keys = ON; BEGIN IMMEDIATE;"
			 " DROP TRIGGER tickets_fts_ai; DROP TRIGGER messages_fts_ai;",
			 NULL, NULL, NULL) != SQLITE_OK)
		return die(db, "starting");
	sqlite3_stmt *t, *m;
	if (sqlite3_prepare_v2(db, ticket_sql, -1, &t, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, message_sql, -1, &m, NULL) != SQLITE_OK)
		return die(db, "preparing");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	long tickets = 0;
	while ((len = getline(&line, &cap, in)) > 0) {
		sqlite3_bind_text(t, 1, line, (int)len, SQLITE_STATIC);
		if (sqlite3_step(t) != SQLITE_DONE)
			return die(db, "a ticket");
		sqlite3_reset(t);
		sqlite3_bind_text(m, 1, line, (int)len, SQLITE_STATIC);
		sqlite3_bind_int64(m, 2, sqlite3_last_insert_rowid(db));
		if (sqlite3_step(m) != SQLITE_DONE)
			return die(db, "its messages");
		sqlite3_reset(m);
		tickets++;
	}
	free(line);
	fclose(in);
	sqlite3_finalize(t);
	sqlite3_finalize(m);
	/* the triggers back as desk's schema has them, and one rebuild */
	if (sqlite3_exec(db,
			 "CREATE TRIGGER tickets_fts_ai AFTER INSERT ON tickets BEGIN"
			 "  INSERT INTO ticket_fts(rowid, subject) VALUES (new.id, new.subject);"
			 "END;"
			 "CREATE TRIGGER messages_fts_ai AFTER INSERT ON messages BEGIN"
			 "  INSERT INTO message_fts(rowid, body) VALUES (new.id, new.body);"
			 "END;"
			 "INSERT INTO ticket_fts(ticket_fts) VALUES ('rebuild');"
			 "INSERT INTO message_fts(message_fts) VALUES ('rebuild');"
			 "COMMIT",
			 NULL, NULL, NULL) != SQLITE_OK)
		return die(db, "indexing");
	double ms = now_ms() - t0;
	sqlite3_stmt *c;
	long messages = 0;
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM messages", -1, &c, NULL) == SQLITE_OK &&
	    sqlite3_step(c) == SQLITE_ROW)
		messages = (long)sqlite3_column_int64(c, 0);
	sqlite3_finalize(c);
	sqlite3_close(db);
	printf("tickets %ld messages %ld ms %.0f\n", tickets, messages, ms);
	return 0;
}
