/* test_copy.c: desk db copy (core_db_copy): the demo desk, with a row in
 * every table the demo leaves empty, copied SQLite -> SQLite and (with
 * $DESK_TEST_PG) SQLite -> PostgreSQL -> SQLite comes back whole: the
 * same export bytes, every table's every row, the same search results
 * and report; the target's search index and the report's facts as the
 * triggers make them; a non-empty target refused; a stopped copy leaves
 * the target empty; and the table list covers the whole schema. */
#include <check.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/store/copy_tables.h"
#include "../../src/store/stmt.h"
#include "core.h"
#include "report.h"
#include "testlib.h"
#include "util.h"

#define NOW 1793525400 /* 2026-11-01T09:30:00Z */
#define DAY 86400

static char *dir;
static struct config cfg;

static void setup(void)
{
	dir = test_tmpdir();
	config_defaults(&cfg);
	test_set_now(NOW);
}

static void teardown(void)
{
	config_free(&cfg);
	test_tmpdir_cleanup(&dir);
}

static char *file_in_dir(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

static void sql_on(const char *path, const char *sql)
{
	sqlite3 *db;
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	char *err = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &err);
	ck_assert_msg(rc == SQLITE_OK, "%s: %s", sql, err ? err : "?");
	sqlite3_close(db);
}

/* The demo desk, plus a row in each table the demo leaves empty, and
 * values that are easy to lose: binary and empty attachments, text
 * beyond ASCII, a ticket merged into a newer one, text with tabs, line
 * ends and backslashes. */
static char *source_desk(void)
{
	char *path = file_in_dir("from.db");
	struct desk d;
	struct derr e = {0};
	ck_assert_msg(desk_init(&d, path, &cfg, "tester", &e) == DESK_OK, "%s", e.msg);
	ck_assert_msg(core_demo_fill(&d, 7, NOW, &e) == DESK_OK, "%s", e.msg);
	desk_close(&d);
	sql_on(path,
	       "PRAGMA foreign_keys = ON;"
	       "INSERT INTO attachments (message_id, filename, content_type, size, content)"
	       "  SELECT min(id), 'bytes.bin', 'application/octet-stream', 4, X'00FF0A80'"
	       "  FROM messages;"
	       "INSERT INTO attachments (message_id, filename, content_type, size, content)"
	       "  SELECT max(id), 'empty.txt', 'text/plain', 0, X'' FROM messages;"
	       "INSERT INTO kb_files (id, file, slug, mtime_ns, size, sha256, title, audience)"
	       "  VALUES (5, 'refunds.md', 'refunds', 1700000000123456789, 42, 'abc',"
	       "  'Refunds — how', 'public');"
	       "INSERT INTO kb_fts (rowid, slug, title, tags, body)"
	       "  VALUES (5, 'refunds', 'Refunds — how', 'billing money',"
	       "  'Send the café form; ünïcode ✓');"
	       "INSERT INTO kb_uses (slug, ticket_id, message_id, agent_id, at)"
	       "  SELECT 'refunds', ticket_id, id, 1, created_at FROM messages"
	       "  WHERE kind = 'reply' LIMIT 1;"
	       "INSERT INTO drafts (ticket_id, agent_id, kind, body, updated_at, kb_slug)"
	       "  VALUES (3, 1, 'reply', 'half a reply ✓', 1793520000, 'refunds');"
	       "INSERT INTO presence VALUES (1, 4, 'viewing', 1793520000);"
	       "INSERT INTO ticket_seen VALUES (1, 5, 1793520000);"
	       "INSERT INTO consoles (agent_id, pid, started_at, seen_at, ticket_id, view)"
	       "  VALUES (1, 4242, 1793510000, 1793520000, 6, 'mine');"
	       "INSERT INTO time_entries (ticket_id, agent_id, seconds, source, note, created_at)"
	       "  VALUES (2, 1, 600, 'manual', 'call', 1793500000);"
	       "INSERT INTO import_runs (id, started_at, agent_id, name, state)"
	       "  VALUES (3, 1793500000, 1, 'old.jsonl', 'checking');"
	       "INSERT INTO import_lines VALUES (3, 1, '{\"subject\":\"x\"}'),"
	       "  (3, 2, '{\"subject\":\"y\"}');"
	       "INSERT INTO import_merges VALUES (3, 2, 7, 'ext-9'), (3, 1, 7, 'ext-8');"
	       "UPDATE tickets SET merged_into = (SELECT max(id) FROM tickets) WHERE id = 1;"
	       /* What COPY's text format escapes, or reads as its own. */
	       "UPDATE messages SET body = body || char(9) || '\\N' || char(13) || char(10)"
	       "  || '\\.' || char(10) || 'C:\\temp\\new\\' WHERE id = (SELECT max(id)"
	       "  FROM messages WHERE kind = 'customer');"
	       "UPDATE tickets SET subject = subject || char(9) || 'a\\b' WHERE id = 2;"
	       "UPDATE customers SET notes = '\\N' WHERE id = (SELECT min(id) FROM customers);");
	return path;
}

static char *export_of(const char *path)
{
	struct desk d;
	struct derr e = {0};
	ck_assert_msg(desk_open(&d, path, &cfg, "tester", DESK_OPEN_READONLY, &e) == DESK_OK,
		      "%s: %s", path, e.msg);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(f);
	ck_assert_msg(core_export(&d, f, &e) == DESK_OK, "%s", e.msg);
	fclose(f);
	desk_close(&d);
	return buf;
}

static char *report_of(const char *path)
{
	struct desk d;
	struct derr e = {0};
	ck_assert_msg(desk_open(&d, path, &cfg, "tester", DESK_OPEN_READONLY, &e) == DESK_OK,
		      "%s", e.msg);
	struct report_opts o = {.since = NOW - 30 * DAY, .until = NOW};
	struct metrics m = {0};
	char *json = NULL;
	ck_assert_msg(core_report_open(&d, &o, &m, &e) == DESK_OK, "%s", e.msg);
	ck_assert_msg(core_report_json(&d, &m, &json, &e) == DESK_OK, "%s", e.msg);
	core_report_close(&d, &m);
	desk_close(&d);
	return json;
}

/* Every row of every table of a SQLite desk (the search indexes' shadow
 * tables aside), each value with its storage class. */
static char *dump_of(const char *path)
{
	sqlite3 *db;
	ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	struct strbuf out = {0};
	sqlite3_stmt *tables;
	ck_assert_int_eq(sqlite3_prepare_v2(db,
					    "SELECT name FROM pragma_table_list WHERE schema = 'main'"
					    " AND type = 'table' AND name NOT LIKE 'sqlite%'"
					    " ORDER BY name",
					    -1, &tables, NULL),
			 SQLITE_OK);
	while (sqlite3_step(tables) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(tables, 0);
		char *q = xasprintf("SELECT * FROM \"%s\" ORDER BY 1, 2, 3", name);
		if (strcmp(name, "customer_emails") == 0 || strcmp(name, "meta") == 0 ||
		    strcmp(name, "ticket_tags") == 0)
			q[strlen(q) - 3] = '\0'; /* two columns */
		sqlite3_stmt *s;
		ck_assert_msg(sqlite3_prepare_v2(db, q, -1, &s, NULL) == SQLITE_OK, "%s: %s", q,
			      sqlite3_errmsg(db));
		sb_addf(&out, "== %s\n", name);
		while (sqlite3_step(s) == SQLITE_ROW) {
			for (int i = 0; i < sqlite3_column_count(s); i++) {
				int t = sqlite3_column_type(s, i);
				if (t == SQLITE_BLOB) {
					const unsigned char *b = sqlite3_column_blob(s, i);
					sb_add(&out, "B:");
					for (int k = 0; k < sqlite3_column_bytes(s, i); k++)
						sb_addf(&out, "%02x", b[k]);
				} else {
					sb_addf(&out, "%d:%s", t,
						t == SQLITE_NULL ? ""
								 : (const char *)sqlite3_column_text(s, i));
				}
				sb_add(&out, "|");
			}
			sb_add(&out, "\n");
		}
		sqlite3_finalize(s);
		free(q);
	}
	sqlite3_finalize(tables);
	sqlite3_close(db);
	return sb_take(&out);
}

/* The tickets a search finds (the queue's full-text filter). */
static char *search_of(const char *path, const char *words)
{
	struct desk d;
	struct derr e = {0};
	ck_assert_msg(desk_open(&d, path, &cfg, "tester", DESK_OPEN_READONLY, &e) == DESK_OK,
		      "%s", e.msg);
	struct queue_filter f = {.search = words};
	struct queue_page p = {0};
	ck_assert_msg(store_queue_page(d.st, &f, SORT_ID, false, NULL, false, 500, &p, &e) ==
			      DESK_OK,
		      "%s", e.msg);
	struct strbuf out = {0};
	for (size_t i = 0; i < p.n; i++)
		sb_addf(&out, "%lld ", (long long)p.rows[i].id);
	queue_page_free(&p);
	desk_close(&d);
	return out.s ? sb_take(&out) : xstrdup("");
}

static int copy(const char *from, const char *to, struct derr *e)
{
	struct db_copy_result r;
	return core_db_copy(from, to, NULL, &r, e);
}

/* b came from a whole: the same export, rows, search and report. */
static void assert_same_desk(const char *a, const char *b)
{
	char *ea = export_of(a), *eb = export_of(b);
	ck_assert_uint_gt(strlen(ea), 10000);
	ck_assert_msg(strcmp(ea, eb) == 0, "the exports differ");
	free(ea);
	free(eb);
	char *da = dump_of(a), *db = dump_of(b);
	ck_assert_msg(strstr(da, "B:00ff0a80|") && strstr(da, "|B:|"), "%s", "fixture");
	if (strcmp(da, db) != 0) {
		size_t i = 0;
		while (da[i] && da[i] == db[i])
			i++;
		size_t from = i > 200 ? i - 200 : 0;
		ck_abort_msg("the tables differ near:\n%.300s\n--- vs ---\n%.300s", da + from,
			     db + from);
	}
	free(da);
	free(db);
	static const char *const words[] = {"refund", "password", "invoice", "e-mail", "the"};
	for (size_t i = 0; i < ARRAY_LEN(words); i++) {
		char *sa = search_of(a, words[i]), *sb = search_of(b, words[i]);
		ck_assert_str_eq(sa, sb);
		free(sa);
		free(sb);
	}
	char *ra = report_of(a), *rb = report_of(b);
	ck_assert_str_eq(ra, rb);
	free(ra);
	free(rb);
	sql_on(b, "INSERT INTO ticket_fts(ticket_fts) VALUES ('integrity-check');"
		  "INSERT INTO message_fts(message_fts) VALUES ('integrity-check');"
		  "INSERT INTO kb_fts(kb_fts) VALUES ('integrity-check');");
}

START_TEST(sqlite_to_sqlite_whole)
{
	char *from = source_desk(), *to = file_in_dir("to.db");
	struct derr e = {0};
	struct db_copy_result r;
	ck_assert_msg(core_db_copy(from, to, NULL, &r, &e) == DESK_OK, "%s", e.msg);
	ck_assert_int_gt(r.rows, 3000);
	assert_same_desk(from, to);
	/* Searching still finds what the search words match. */
	char *found = search_of(to, "refund");
	ck_assert_msg(strlen(found) > 0, "nothing found");
	free(found);
	free(from);
	free(to);
}
END_TEST

/* The tickets' report facts and search index on PostgreSQL, as its
 * triggers make them, against the source's. */
static void assert_pg_derived(const char *from, const char *pg)
{
	PGconn *c = PQconnectdb(pg);
	ck_assert_msg(PQstatus(c) == CONNECTION_OK, "%s", PQerrorMessage(c));
	static const char facts[] = "SELECT id, first_customer_at, first_customer_msg,"
				    " first_answer_at, replies_to_first_solve FROM tickets"
				    " ORDER BY id";
	PGresult *r = PQexec(c, facts);
	ck_assert_int_eq(PQresultStatus(r), PGRES_TUPLES_OK);
	struct strbuf on_pg = {0}, on_lite = {0};
	for (int i = 0; i < PQntuples(r); i++)
		for (int k = 0; k < 5; k++)
			sb_addf(&on_pg, "%s%s", PQgetvalue(r, i, k), k == 4 ? "\n" : "|");
	PQclear(r);
	sqlite3 *db;
	ck_assert_int_eq(sqlite3_open_v2(from, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	sqlite3_stmt *s;
	ck_assert_int_eq(sqlite3_prepare_v2(db, facts, -1, &s, NULL), SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW)
		for (int k = 0; k < 5; k++) {
			const unsigned char *v = sqlite3_column_text(s, k);
			sb_addf(&on_lite, "%s%s", v ? (const char *)v : "", k == 4 ? "\n" : "|");
		}
	sqlite3_finalize(s);
	ck_assert_msg(on_lite.s && strcmp(sb_str(&on_pg), sb_str(&on_lite)) == 0,
		      "the report's facts differ on PostgreSQL");
	sb_free(&on_pg);
	sb_free(&on_lite);
	/* Every ticket and message indexed, and a word finds what it finds
	 * on SQLite. */
	r = PQexec(c, "SELECT (SELECT count(*) FROM ticket_fts) = (SELECT count(*) FROM tickets),"
		      " (SELECT count(*) FROM message_fts) = (SELECT count(*) FROM messages),"
		      " (SELECT count(*) FROM message_fts"
		      "   WHERE body @@ desk_fts_query('refund', false))");
	ck_assert_int_eq(PQresultStatus(r), PGRES_TUPLES_OK);
	ck_assert_str_eq(PQgetvalue(r, 0, 0), "t");
	ck_assert_str_eq(PQgetvalue(r, 0, 1), "t");
	long pg_hits = atol(PQgetvalue(r, 0, 2));
	PQclear(r);
	PQfinish(c);
	ck_assert_int_eq(sqlite3_prepare_v2(db,
					    "SELECT count(*) FROM message_fts WHERE message_fts"
					    " MATCH 'refund'",
					    -1, &s, NULL),
			 SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	long lite_hits = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	ck_assert_int_gt(lite_hits, 0);
	ck_assert_int_eq(pg_hits, lite_hits);
}

START_TEST(through_postgresql_whole)
{
	if (!test_db_on_pg()) {
		fputs("copy: through_postgresql_whole skipped: no $DESK_TEST_PG "
		      "(tests/pg/cluster.sh)\n",
		      stderr);
		return;
	}
	char *from = source_desk(), *pg = test_db_path(dir), *back = file_in_dir("back.db");
	struct derr e = {0};
	ck_assert_msg(copy(from, pg, &e) == DESK_OK, "%s", e.msg);
	assert_pg_derived(from, pg);
	ck_assert_msg(copy(pg, back, &e) == DESK_OK, "%s", e.msg);
	assert_same_desk(from, back);
	test_db_drop(&pg);
	free(from);
	free(back);
}
END_TEST

static void quiet(void *arg, const char *message)
{
}

/* Runs sql on a PostgreSQL database; the first row's first value, if
 * any (a new string). */
static char *pg_sql(const char *conninfo, const char *sql)
{
	PGconn *c = PQconnectdb(conninfo);
	ck_assert_msg(PQstatus(c) == CONNECTION_OK, "%s", PQerrorMessage(c));
	PQsetNoticeProcessor(c, quiet, NULL);
	PGresult *r = PQexec(c, sql);
	ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK ||
			      PQresultStatus(r) == PGRES_TUPLES_OK,
		      "%s: %s", sql, PQerrorMessage(c));
	char *v = PQntuples(r) > 0 ? xstrdup(PQgetvalue(r, 0, 0)) : NULL;
	PQclear(r);
	PQfinish(c);
	return v;
}

/* The search index's identity: desk db copy builds it anew after the
 * rows when it may (as the tables' owner), else leaves it. */
static char *fts_index_of(const char *pg)
{
	return pg_sql(pg, "SELECT 'message_fts_body'::regclass::oid");
}

/* Into PostgreSQL as the tables' owner, the facts come with the tickets
 * and are checked after the messages: a source whose facts are wrong
 * gets them right on the target, as the triggers would have made them
 * (a ticket with none given some, others changed). */
START_TEST(postgresql_puts_wrong_facts_right)
{
	if (!test_db_on_pg()) {
		fputs("copy: postgresql_puts_wrong_facts_right skipped: no $DESK_TEST_PG\n",
		      stderr);
		return;
	}
	char *from = source_desk(), *good = file_in_dir("good.db"), *bad = file_in_dir("bad.db");
	char *pg = test_db_path(dir);
	struct derr e = {0};
	/* A ticket with no message, so no facts, beside the others. */
	ck_assert_msg(copy(from, good, &e) == DESK_OK, "%s", e.msg);
	sql_on(good, "INSERT INTO tickets (subject, status, priority, channel, queue, customer_id,"
		     "  created_at, updated_at) SELECT 'no messages', status, priority, channel,"
		     "  queue, customer_id, created_at, updated_at FROM tickets WHERE id = 3;");
	ck_assert_msg(copy(good, bad, &e) == DESK_OK, "%s", e.msg);
	sql_on(bad, "UPDATE tickets SET first_customer_at = 1, first_customer_msg = NULL,"
		    "  first_answer_at = NULL, replies_to_first_solve = 2 WHERE id ="
		    "  (SELECT min(ticket_id) FROM messages WHERE kind = 'customer' AND auto = 0);"
		    "UPDATE tickets SET first_customer_at = 4, first_customer_msg = 5,"
		    "  first_answer_at = 6, replies_to_first_solve = 1"
		    "  WHERE subject = 'no messages';"
		    "UPDATE tickets SET replies_to_first_solve = 0 WHERE id ="
		    "  (SELECT max(ticket_id) FROM messages WHERE kind = 'reply' AND auto = 0);");
	struct store *st;
	ck_assert_msg(store_open(pg, STORE_CREATE, &st, &e) == DESK_OK, "%s", e.msg);
	store_close(&st);
	char *index = fts_index_of(pg);
	ck_assert_msg(copy(bad, pg, &e) == DESK_OK, "%s", e.msg);
	assert_pg_derived(good, pg);
	/* The facts were copied and checked, not counted row by row. */
	char *after = fts_index_of(pg);
	ck_assert_str_ne(index, after);
	free(index);
	free(after);
	test_db_drop(&pg);
	free(from);
	free(good);
	free(bad);
}
END_TEST

/* A role that may write every table but owns none cannot turn their
 * triggers off: the triggers index and count row by row, to the same
 * result. */
START_TEST(into_postgresql_as_a_role_that_owns_nothing)
{
	if (!test_db_on_pg()) {
		fputs("copy: into_postgresql_as_a_role_that_owns_nothing skipped: no "
		      "$DESK_TEST_PG\n",
		      stderr);
		return;
	}
	char *from = source_desk(), *pg = test_db_path(dir);
	struct store *st;
	struct derr e = {0};
	ck_assert_msg(store_open(pg, STORE_CREATE, &st, &e) == DESK_OK, "%s", e.msg);
	store_close(&st);
	char role[64];
	snprintf(role, sizeof role, "desk_t_copier_%ld", (long)getpid());
	char *sql = xasprintf("DROP ROLE IF EXISTS %s; CREATE ROLE %s LOGIN;"
			      "GRANT ALL ON ALL TABLES IN SCHEMA public TO %s;"
			      "GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO %s;",
			      role, role, role, role);
	free(pg_sql(pg, sql));
	free(sql);
	char *as_copier = xasprintf("%s user=%s", pg, role);
	char *index = fts_index_of(pg);
	ck_assert_msg(copy(from, as_copier, &e) == DESK_OK, "%s", e.msg);
	assert_pg_derived(from, pg);
	char *after = fts_index_of(pg);
	ck_assert_str_eq(index, after);
	free(index);
	free(after);
	free(as_copier);
	test_db_drop(&pg);
	sql = xasprintf("DROP ROLE %s", role);
	free(pg_sql(getenv("DESK_TEST_PG"), sql));
	free(sql);
	free(from);
}
END_TEST

/* Tickets in a database of either engine, counted directly. */
static int64_t tickets_in(const char *path)
{
	int64_t n = -1;
	if (database_is_server(path)) {
		PGconn *c = PQconnectdb(path);
		PGresult *r = PQexec(c, "SELECT count(*) FROM tickets");
		ck_assert_int_eq(PQresultStatus(r), PGRES_TUPLES_OK);
		n = atoll(PQgetvalue(r, 0, 0));
		PQclear(r);
		PQfinish(c);
		return n;
	}
	sqlite3 *db;
	sqlite3_stmt *s;
	ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM tickets", -1, &s, NULL),
			 SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return n;
}

START_TEST(refuses_a_target_with_rows)
{
	char *from = source_desk(), *to = test_db_path(dir);
	struct derr e = {0};
	ck_assert_msg(copy(from, to, &e) == DESK_OK, "%s", e.msg);
	int64_t before = tickets_in(to);
	ck_assert_int_eq(copy(from, to, &e), DESK_EINVAL);
	ck_assert_msg(strstr(e.msg, "is not empty (its agents table holds"), "%s", e.msg);
	ck_assert_int_eq(tickets_in(to), before);
	/* And one database onto itself, named the same way. */
	ck_assert_int_eq(copy(from, from, &e), DESK_EINVAL);
	ck_assert_msg(strstr(e.msg, "the same database"), "%s", e.msg);
	test_db_drop(&to);
	free(from);
}
END_TEST

struct stopper {
	const char *at;
	int pages;
};

static bool stop_at(const struct db_copy_progress *p, void *arg)
{
	struct stopper *s = arg;
	if (strcmp(p->table, s->at) != 0)
		return true;
	return ++s->pages < 2; /* after a first page of it is written */
}

START_TEST(a_stopped_copy_leaves_the_target_empty)
{
	char *from = source_desk(), *to = test_db_path(dir);
	struct stopper s = {.at = "messages"};
	struct db_copy_opts o = {.progress = stop_at, .progress_arg = &s};
	struct db_copy_result r;
	struct derr e = {0};
	ck_assert_int_ne(core_db_copy(from, to, &o, &r, &e), DESK_OK);
	ck_assert_msg(strstr(e.msg, "stopped") && strstr(e.msg, "nothing was copied"), "%s",
		      e.msg);
	ck_assert_int_eq(s.pages, 2);
	ck_assert_int_eq(tickets_in(to), 0);
	/* Empty again, so the copy may simply be run again. */
	ck_assert_msg(copy(from, to, &e) == DESK_OK, "%s", e.msg);
	ck_assert_int_eq(tickets_in(to), tickets_in(from));
	test_db_drop(&to);
	free(from);
}
END_TEST

/* Ends every other session on the database conninfo names (its last
 * dbname=), as a server restart or a network cut would. */
struct cutter {
	const char *conninfo, *at;
	bool done;
};

static bool cut_at(const struct db_copy_progress *p, void *arg)
{
	struct cutter *k = arg;
	if (k->done || strcmp(p->table, k->at) != 0 || p->done == 0)
		return true;
	const char *name = strrchr(k->conninfo, '=') + 1;
	PGconn *c = PQconnectdb(k->conninfo);
	const char *params[1] = {name};
	PGresult *r = PQexecParams(c,
				   "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
				   " WHERE datname = $1 AND pid <> pg_backend_pid()",
				   1, NULL, params, NULL, NULL, 0);
	ck_assert_int_eq(PQresultStatus(r), PGRES_TUPLES_OK);
	ck_assert_int_eq(PQntuples(r), 1);
	PQclear(r);
	PQfinish(c);
	k->done = true;
	return true;
}

START_TEST(a_lost_server_leaves_the_target_empty)
{
	if (!test_db_on_pg()) {
		fputs("copy: a_lost_server_leaves_the_target_empty skipped: no $DESK_TEST_PG\n",
		      stderr);
		return;
	}
	char *from = source_desk(), *pg = test_db_path(dir), *back = file_in_dir("back.db");
	struct derr e = {0};
	struct db_copy_result r;
	/* The target's server goes away in the middle: nothing stays. */
	struct cutter k = {.conninfo = pg, .at = "tickets"};
	struct db_copy_opts o = {.progress = cut_at, .progress_arg = &k};
	ck_assert_int_ne(core_db_copy(from, pg, &o, &r, &e), DESK_OK);
	ck_assert(k.done);
	ck_assert_msg(strstr(e.msg, "nothing was copied") && strstr(e.msg, "connection"), "%s",
		      e.msg);
	ck_assert_int_eq(tickets_in(pg), 0);
	ck_assert_msg(copy(from, pg, &e) == DESK_OK, "%s", e.msg);
	/* The source's: the snapshot is gone with it, so the copy stops. */
	k = (struct cutter){.conninfo = pg, .at = "tickets"};
	ck_assert_int_ne(core_db_copy(pg, back, &o, &r, &e), DESK_OK);
	ck_assert(k.done);
	ck_assert_msg(strstr(e.msg, "nothing was copied") && strstr(e.msg, "connection"), "%s",
		      e.msg);
	ck_assert_int_eq(tickets_in(back), 0);
	test_db_drop(&pg);
	free(from);
	free(back);
}
END_TEST

static const struct copy_table *listed(const char *name)
{
	for (size_t i = 0; i < copy_tables_n; i++)
		if (strcmp(copy_tables[i].name, name) == 0)
			return &copy_tables[i];
	return NULL;
}

/* Whether the column lists name exactly the columns of `have` (a
 * sorted ", "-joined list). */
static char *sorted_cols(const struct copy_table *t)
{
	struct strbuf all = {0};
	sb_addf(&all, "%s", t->cols);
	if (t->derived)
		sb_addf(&all, ", %s", t->derived);
	if (t->later)
		sb_addf(&all, ", %s", t->later);
	char *list = sb_take(&all);
	char *names[64];
	size_t n = 0;
	for (char *tok = strtok(list, ", "); tok && n < 64; tok = strtok(NULL, ", "))
		names[n++] = tok;
	for (size_t i = 1; i < n; i++) /* insertion sort: few names */
		for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			char *x = names[j];
			names[j] = names[j - 1];
			names[j - 1] = x;
		}
	struct strbuf out = {0};
	for (size_t i = 0; i < n; i++)
		sb_addf(&out, "%s%s", i ? "," : "", names[i]);
	free(list);
	return sb_take(&out);
}

START_TEST(the_list_covers_the_sqlite_schema)
{
	char *path = file_in_dir("schema.db");
	struct store *st;
	struct derr e = {0};
	ck_assert_msg(store_open(path, STORE_CREATE, &st, &e) == DESK_OK, "%s", e.msg);
	store_close(&st);
	sqlite3 *db;
	ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	sqlite3_stmt *s;
	/* Columns of the ordinary tables; an FTS5 table's id is its rowid. */
	ck_assert_int_eq(sqlite3_prepare_v2(
				 db,
				 "SELECT t.name, t.type, (SELECT group_concat(name, ',') FROM"
				 "  (SELECT c.name FROM pragma_table_xinfo(t.name) c WHERE c.hidden = 0"
				 "   UNION ALL SELECT 'id' WHERE t.type = 'virtual' ORDER BY 1))"
				 " FROM pragma_table_list t WHERE t.schema = 'main'"
				 " AND t.type IN ('table', 'virtual') AND t.name NOT LIKE 'sqlite%'",
				 -1, &s, NULL),
			 SQLITE_OK);
	int tables = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(s, 0);
		const char *cols = (const char *)sqlite3_column_text(s, 2);
		const struct copy_table *t = listed(name);
		ck_assert_msg(t, "table %s is missing from src/store/copy_tables.c", name);
		tables++;
		if (t->how != COPY_ROWS)
			continue;
		char *mine = sorted_cols(t);
		ck_assert_msg(strcmp(mine, cols) == 0,
			      "copy_tables.c's %s has columns %s; the schema's are %s", name, mine,
			      cols);
		free(mine);
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
	ck_assert_int_eq(tables, (int)copy_tables_n);
	free(path);
}
END_TEST

START_TEST(the_list_covers_the_postgresql_schema)
{
	if (!test_db_on_pg()) {
		fputs("copy: the_list_covers_the_postgresql_schema skipped: no $DESK_TEST_PG\n",
		      stderr);
		return;
	}
	char *pg = test_db_path(dir);
	struct store *st;
	struct derr e = {0};
	ck_assert_msg(store_open(pg, STORE_CREATE, &st, &e) == DESK_OK, "%s", e.msg);
	store_close(&st);
	PGconn *c = PQconnectdb(pg);
	ck_assert_msg(PQstatus(c) == CONNECTION_OK, "%s", PQerrorMessage(c));
	/* kb_fts's words is generated from the copied columns. */
	PGresult *r = PQexec(c, "SELECT table_name, string_agg(column_name::text, ','"
				"  ORDER BY column_name::text COLLATE \"C\")"
				" FROM information_schema.columns WHERE table_schema = 'public'"
				" AND is_generated = 'NEVER' GROUP BY table_name");
	ck_assert_int_eq(PQresultStatus(r), PGRES_TUPLES_OK);
	ck_assert_int_eq(PQntuples(r), (int)copy_tables_n);
	for (int i = 0; i < PQntuples(r); i++) {
		const struct copy_table *t = listed(PQgetvalue(r, i, 0));
		ck_assert_msg(t, "table %s is missing from src/store/copy_tables.c",
			      PQgetvalue(r, i, 0));
		if (t->how != COPY_ROWS)
			continue;
		char *mine = sorted_cols(t);
		ck_assert_msg(strcmp(mine, PQgetvalue(r, i, 1)) == 0,
			      "copy_tables.c's %s has columns %s; PostgreSQL's are %s", t->name,
			      mine, PQgetvalue(r, i, 1));
		free(mine);
	}
	PQclear(r);
	PQfinish(c);
	test_db_drop(&pg);
}
END_TEST

/* col_type reads what a copy binds each value as, on either engine. */
START_TEST(col_type_on_the_engine)
{
	char *path = test_db_path(dir);
	struct store *st;
	struct derr e = {0};
	ck_assert_msg(store_open(path, STORE_CREATE, &st, &e) == DESK_OK, "%s", e.msg);
	struct stmt *s = st_prep2(st, "SELECT 7, 2.5, 'x', NULL, X'00ff', 1 = 1",
				  "SELECT CAST(7 AS bigint), CAST(2.5 AS double precision), 'x',"
				  " NULL, '\\x00ff'::bytea, 1 = 1",
				  &e);
	ck_assert_msg(s, "%s", e.msg);
	ck_assert_int_eq(st_step(s), ST_ROW);
	ck_assert_int_eq(col_type(s, 0), COL_INT);
	ck_assert_int_eq(col_type(s, 1), COL_FLOAT);
	ck_assert_int_eq(col_type(s, 2), COL_TEXT);
	ck_assert_int_eq(col_type(s, 3), COL_NULL);
	ck_assert_int_eq(col_type(s, 4), COL_BLOB);
	ck_assert_int_eq(col_type(s, 5), COL_INT);
	size_t n;
	const unsigned char *b = col_blob(s, 4, &n);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(b[1], 0xff);
	st_done(s);
	store_close(&st);
	test_db_drop(&path);
}
END_TEST

Suite *suite_copy(void)
{
	Suite *s = suite_create("copy");
	TCase *tc = tcase_create("copy");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, sqlite_to_sqlite_whole);
	tcase_add_test(tc, through_postgresql_whole);
	tcase_add_test(tc, postgresql_puts_wrong_facts_right);
	tcase_add_test(tc, into_postgresql_as_a_role_that_owns_nothing);
	tcase_add_test(tc, refuses_a_target_with_rows);
	tcase_add_test(tc, a_stopped_copy_leaves_the_target_empty);
	tcase_add_test(tc, a_lost_server_leaves_the_target_empty);
	tcase_add_test(tc, the_list_covers_the_sqlite_schema);
	tcase_add_test(tc, the_list_covers_the_postgresql_schema);
	tcase_add_test(tc, col_type_on_the_engine);
	suite_add_tcase(s, tc);
	return s;
}
