/* test_store.c: the data-access layer against a real database (a SQLite
 * file, or with $DESK_TEST_PG a PostgreSQL one; the tests of SQLite's own
 * file, WAL and migrations say they are skipped there): opening,
 * refusing and migrating databases, every table's reads and writes, the
 * schema's constraints, keyset paging in every order, the queue filters,
 * full-text search kept in step, change notices between connections and
 * JSON through SQLite. */
#include <check.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store.h"
#include "testlib.h"
#include "testlib_sql.h"
#include "util.h"
/* Only to build a database at an earlier schema version: store_open
 * always migrates to the newest, so the migration test makes a bare
 * struct store around a plain connection (see build_version). */
#include "../../src/store/internal.h"

/* --- helpers ----------------------------------------------------------- */

struct fx {
	char *dir;
	char *path;
	struct store *st;
};

/* A new database: a SQLite file, or with $DESK_TEST_PG a PostgreSQL
 * database (test_db_path). */
static void fx_open(struct fx *f)
{
	struct derr e = {0};
	f->dir = test_tmpdir();
	f->path = test_db_path(f->dir);
	int rc = store_open(f->path, STORE_CREATE, &f->st, &e);
	ck_assert_msg(rc == DESK_OK, "store_open: %s", e.msg);
}

static void fx_close(struct fx *f)
{
	store_close(&f->st);
	ck_assert_ptr_null(f->st);
	test_db_drop(&f->path);
	test_tmpdir_cleanup(&f->dir);
}

/* SQL on a connection of its own (testlib_sql.h), either engine. */
static enum test_sql_rc raw_exec(const char *path, const char *sql, char *err, size_t errsize)
{
	return test_sql_exec(path, sql, err, errsize);
}

static void raw_ok(const char *path, const char *sql)
{
	char err[256];
	enum test_sql_rc rc = raw_exec(path, sql, err, sizeof err);
	ck_assert_msg(rc == TEST_SQL_OK, "%s: %s", sql, err);
}

/* The first column of the first row of sql, as text (a new string, or
 * NULL for SQL NULL or no row). */
static char *raw_text(const char *path, const char *sql)
{
	return test_sql_text(path, sql);
}

static int64_t raw_int(const char *path, const char *sql)
{
	return test_sql_int(path, sql);
}

/* The engine's own words for a refused write: SQLite's, or
 * PostgreSQL's naming the constraint. */
#define ENGINE_MSG(path, sqlite_msg, pg_msg) (test_sql_on_pg(path) ? (pg_msg) : (sqlite_msg))

/* The whole schema as text, for comparing two databases (without the
 * statistics tables that PRAGMA optimize may add on close). */
static char *schema_text(const char *path)
{
	return raw_text(path, "SELECT group_concat(type || ' ' || name || ' ' || tbl_name || ' '"
			      " || coalesce(sql, ''), char(10)) FROM (SELECT * FROM sqlite_schema"
			      " WHERE name NOT LIKE 'sqlite_stat%' ORDER BY type, name)");
}

static int64_t add_agent(struct store *st, const char *login, enum role role)
{
	struct derr e = {0};
	struct agent a = {.login = (char *)login, .name = (char *)login, .role = role,
			  .active = true, .created_at = 100};
	ck_assert_int_eq(store_agent_insert(st, &a, &e), DESK_OK);
	return a.id;
}

static int64_t add_customer(struct store *st, const char *name, const char *email)
{
	struct derr e = {0};
	struct customer c = {.name = (char *)name, .email = (char *)email, .created_at = 100};
	int rc = store_customer_insert(st, &c, &e);
	ck_assert_msg(rc == DESK_OK, "%s", e.msg);
	return c.id;
}

static int64_t insert_ticket(struct store *st, struct ticket *t)
{
	struct derr e = {0};
	int rc = store_ticket_insert(st, t, &e);
	ck_assert_msg(rc == DESK_OK, "store_ticket_insert: %s", e.msg);
	return t->id;
}

static int64_t simple_ticket(struct store *st, const char *subject)
{
	struct ticket t = {.subject = (char *)subject, .created_at = 1000};
	return insert_ticket(st, &t);
}

static int64_t add_message(struct store *st, int64_t ticket, enum msg_kind kind,
			   int64_t author, const char *body, int64_t at)
{
	struct derr e = {0};
	struct message m = {.ticket_id = ticket, .kind = kind, .author_id = author,
			    .body = (char *)body, .created_at = at};
	int rc = store_message_insert(st, &m, &e);
	ck_assert_msg(rc == DESK_OK, "%s", e.msg);
	return m.id;
}

static void write_text_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	fputs(text, fp);
	fclose(fp);
}

/* A database at schema version v, made by the store's own migrations. */
static void build_version(const char *path, int v)
{
	struct derr e = {0};
	struct store *st = xcalloc(1, sizeof *st);
	st->path = xstrdup(path);
	ck_assert_int_eq(sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
					 NULL),
			 SQLITE_OK);
	int rc = store_create_schema_version(st, v, &e);
	ck_assert_msg(rc == DESK_OK, "version %d: %s", v, e.msg);
	ck_assert_int_eq(store_schema_version(st), v);
	store_close(&st);
}

/* Any connection's UPDATE or DELETE of an event is refused, a deleted
 * ticket's cascade included, and the events stay as they were. */
static void expect_append_only(const char *path)
{
	static const char *const sql[] = {
		"UPDATE events SET new_value = 'forged'",
		"UPDATE events SET agent_id = NULL",
		"DELETE FROM events",
		"DELETE FROM tickets WHERE id IN (SELECT ticket_id FROM events)",
	};
	int64_t n = raw_int(path, "SELECT count(*) FROM events");
	static const char every[] = "SELECT id, agent_id, new_value FROM events ORDER BY id";
	char *before = test_sql_rows(path, every, 0, NULL);
	ck_assert_int_gt(n, 0);
	for (size_t i = 0; i < ARRAY_LEN(sql); i++) {
		char err[256];
		ck_assert_int_eq(raw_exec(path, sql[i], err, sizeof err), TEST_SQL_CONSTRAINT);
		ck_assert_msg(strstr(err, "the audit trail is append-only") != NULL, "%s: %s", sql[i],
			      err);
	}
	ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM events"), n);
	char *after = test_sql_rows(path, every, 0, NULL);
	ck_assert_str_eq(after, before);
	free(before);
	free(after);
	/* inserting still works */
	raw_ok(path, "INSERT INTO events (at, action) VALUES (1, 'appended')");
}

/* --- opening ----------------------------------------------------------- */

START_TEST(open_creates_wal_database)
{
	if (test_sqlite_only("open_creates_wal_database",
			     "a new SQLite file, its WAL and its errors"))
		return;
	struct derr e = {0};
	char *dir = test_tmpdir();
	char *path = xasprintf("%s/desk.db", dir);
	struct store *st = (struct store *)1;

	ck_assert_int_eq(store_open(path, 0, &st, &e), DESK_ENOTFOUND);
	ck_assert_ptr_null(st);
	char *want = xasprintf("%s: no database here (create one with: desk init)", path);
	ck_assert_str_eq(e.msg, want);
	free(want);

	ck_assert_int_eq(store_open(dir, STORE_CREATE, &st, &e), DESK_EINVAL);
	want = xasprintf("%s: is a directory, not a database file", dir);
	ck_assert_str_eq(e.msg, want);
	free(want);

	char *nodir = xasprintf("%s/no/such/dir/desk.db", dir);
	ck_assert_int_eq(store_open(nodir, STORE_CREATE, &st, &e), DESK_EIO);
	want = xasprintf("%s: cannot create the database: No such file or directory", nodir);
	ck_assert_str_eq(e.msg, want);
	ck_assert_ptr_null(st);
	free(want);
	free(nodir);

	ck_assert_int_eq(store_open(path, STORE_CREATE, &st, &e), DESK_OK);
	ck_assert_str_eq(store_path(st), path);
	ck_assert_int_eq(store_schema_version(st), STORE_SCHEMA_VERSION);
	ck_assert(!store_in_transaction(st));

	char *mode = raw_text(path, "PRAGMA journal_mode");
	ck_assert_str_eq(mode, "wal");
	free(mode);
	ck_assert_int_eq(raw_int(path, "PRAGMA user_version"), STORE_SCHEMA_VERSION);

	/* Foreign keys are enforced on the store's connection. */
	struct ticket t = {.subject = "x", .created_at = 5, .customer_id = 999};
	ck_assert_int_eq(store_ticket_insert(st, &t, &e), DESK_EINVAL);
	ck_assert_str_eq(e.msg, "adding a ticket: FOREIGN KEY constraint failed");
	struct message m = {.ticket_id = 12345, .kind = MSG_NOTE, .body = "b", .created_at = 1};
	ck_assert_int_eq(store_message_insert(st, &m, &e), DESK_EINVAL);
	ck_assert_str_eq(e.msg, "adding a message: FOREIGN KEY constraint failed");
	int64_t n = -1;
	ck_assert_int_eq(store_ticket_count(st, &n, &e), DESK_OK);
	ck_assert_int_eq(n, 0);
	store_close(&st);

	/* Reopening an existing database keeps its version; opening it
	 * read-only works too. */
	ck_assert_int_eq(store_open(path, STORE_MUST_EXIST, &st, &e), DESK_OK);
	ck_assert_int_eq(store_schema_version(st), STORE_SCHEMA_VERSION);
	store_close(&st);
	ck_assert_int_eq(store_open(path, STORE_READONLY, &st, &e), DESK_OK);
	struct agent a = {.login = "x", .name = "x", .active = true};
	ck_assert_int_eq(store_agent_insert(st, &a, &e), DESK_EIO);
	want = xasprintf("%s: the database is read-only for you while adding an agent (check the "
			 "file's and its folder's owner and mode)",
			 path);
	ck_assert_str_eq(e.msg, want);
	free(want);
	store_close(&st);
	store_close(&st); /* closing twice is harmless */

	free(path);
	test_tmpdir_cleanup(&dir);
}
END_TEST

START_TEST(open_refuses_newer_schema)
{
	struct fx f;
	struct derr e = {0};
	fx_open(&f);
	add_agent(f.st, "kept", ROLE_ADMIN);
	store_close(&f.st);
	bool pg = test_sql_on_pg(f.path);
	/* Where each engine keeps its version (PostgreSQL: the meta table). */
	const char *version = pg ? "SELECT value FROM meta WHERE key = 'schema_version'"
				 : "PRAGMA user_version";
	raw_ok(f.path, pg ? "UPDATE meta SET value = '99' WHERE key = 'schema_version'"
			  : "PRAGMA user_version = 99");

	char *want = xasprintf("%s: database schema version 99 is newer than this desk "
			       "understands (%d); use a newer desk",
			       f.path, STORE_SCHEMA_VERSION);
	ck_assert_int_eq(store_open(f.path, 0, &f.st, &e), DESK_ESCHEMA);
	ck_assert_int_eq(e.code, DESK_ESCHEMA);
	ck_assert_str_eq(e.msg, want);
	ck_assert_ptr_null(f.st);
	ck_assert_int_eq(store_open(f.path, STORE_READONLY, &f.st, &e), DESK_ESCHEMA);
	ck_assert_str_eq(e.msg, want);
	ck_assert_ptr_null(f.st);
	free(want);
	/* Refusing touched nothing. */
	ck_assert_int_eq(raw_int(f.path, version), 99);
	ck_assert_int_eq(raw_int(f.path, "SELECT count(*) FROM agents WHERE login = 'kept'"), 1);
	fx_close(&f);
}
END_TEST

START_TEST(open_refuses_non_database)
{
	if (test_sqlite_only("open_refuses_non_database", "a file that is not a SQLite database"))
		return;
	struct derr e = {0};
	char *dir = test_tmpdir();
	char *path = xasprintf("%s/notes.txt", dir);
	struct strbuf b = {0};
	for (int i = 0; i < 40; i++)
		sb_add(&b, "This is a shopping list, not a database.\n");
	write_text_file(path, sb_str(&b));
	sb_free(&b);

	struct store *st = NULL;
	ck_assert_int_eq(store_open(path, 0, &st, &e), DESK_EIO);
	ck_assert_ptr_null(st);
	char *want = xasprintf("%s: not a desk database, or damaged (file is not a database)",
			       path);
	ck_assert_str_eq(e.msg, want);
	ck_assert_int_eq(store_open(path, STORE_CREATE, &st, &e), DESK_EIO);
	ck_assert_str_eq(e.msg, want);
	ck_assert_int_eq(store_open(path, STORE_READONLY, &st, &e), DESK_EIO);
	ck_assert_str_eq(e.msg, want);
	free(want);
	/* The file is left exactly as it was. */
	size_t len;
	char *text = read_file(path, &len);
	ck_assert_uint_eq(len, 40 * strlen("This is a shopping list, not a database.\n"));
	free(text);

	free(path);
	test_tmpdir_cleanup(&dir);
}
END_TEST

/* store_backup_to: the copy holds what was committed, reports it, is
 * one file in rollback-journal mode and passes integrity_check; the
 * live database goes on being written. */
START_TEST(backup_copies_a_consistent_whole)
{
	if (test_sqlite_only("backup_copies_a_consistent_whole",
			     "store_backup_to copies a SQLite file"))
		return;
	struct fx f;
	struct derr e = {0};
	fx_open(&f);
	int64_t id = simple_ticket(f.st, "Backed up");
	int64_t last = add_message(f.st, id, MSG_NOTE, 0, "before the backup", 100);
	char *copy = xasprintf("%s/copy.db", f.dir);
	write_text_file(copy, "");
	struct store_backup_info info;
	ck_assert_int_eq(store_backup_to(f.st, copy, &info, &e), DESK_OK);
	ck_assert_int_eq(info.tickets, 1);
	ck_assert_int_eq(info.messages, 1);
	ck_assert_int_eq(info.last_message_id, last);
	ck_assert_int_gt(info.snapshot_ms, 0);
	add_message(f.st, id, MSG_NOTE, 0, "after the backup", 200);
	ck_assert_int_eq(raw_int(copy, "SELECT count(*) FROM messages"), 1);
	char *mode = raw_text(copy, "PRAGMA journal_mode");
	ck_assert_str_eq(mode, "delete");
	free(mode);
	/* The copy opens as a desk database of its own. */
	struct store *back = NULL;
	ck_assert_int_eq(store_open(copy, 0, &back, &e), DESK_OK);
	store_close(&back);
	free(copy);
	fx_close(&f);
}
END_TEST

START_TEST(open_readonly_needs_current_schema)
{
	if (test_sqlite_only("open_readonly_needs_current_schema", "SQLite's migrations"))
		return;
	struct derr e = {0};
	char *dir = test_tmpdir();
	char *path = xasprintf("%s/old.db", dir);
	build_version(path, 1);
	struct store *st = NULL;
	ck_assert_int_eq(store_open(path, STORE_READONLY, &st, &e), DESK_ESCHEMA);
	char *want = xasprintf("%s: database needs upgrading; open it once read-write (the "
			       "console, or any command that changes something)",
			       path);
	ck_assert_str_eq(e.msg, want);
	free(want);
	ck_assert_ptr_null(st);
	free(path);
	test_tmpdir_cleanup(&dir);
}
END_TEST

/* Every earlier schema version migrates to the current one, ending with
 * exactly the schema a new database gets, and keeps the data it had. */
START_TEST(migrates_from_every_version)
{
	if (test_sqlite_only("migrates_from_every_version",
			     "SQLite's migrations (PostgreSQL's schema is made whole)"))
		return;
	struct derr e = {0};
	char *dir = test_tmpdir();
	char *fresh = xasprintf("%s/fresh.db", dir);
	struct store *st = NULL;
	ck_assert_int_eq(store_open(fresh, STORE_CREATE, &st, &e), DESK_OK);
	store_close(&st);
	char *want = schema_text(fresh);
	ck_assert_ptr_nonnull(want);

	for (int v = 0; v < STORE_SCHEMA_VERSION; v++) {
		char *path = xasprintf("%s/v%d.db", dir, v);
		build_version(path, v);
		ck_assert_int_eq(raw_int(path, "PRAGMA user_version"), v);
		if (v >= 1)
			raw_ok(path, "INSERT INTO agents (login, name, role, created_at)"
				     " VALUES ('old', 'Old Timer', 'supervisor', 77)");
		/* A solved ticket from before version 6: the report's facts
		 * are filled from its messages by the migration. */
		if (v >= 1)
			raw_ok(path, "INSERT INTO tickets (id, subject, status, created_at,"
				     " updated_at, first_solved_at, solved_at) VALUES"
				     " (500, 'old', 'solved', 100, 400, 400, 400);"
				     "INSERT INTO messages (ticket_id, kind, body, created_at)"
				     " VALUES (500, 'reply', 'hi', 90), (500, 'customer', 'q', 100),"
				     " (500, 'note', 'n', 150), (500, 'reply', 'a', 200),"
				     " (500, 'reply', 'late', 500);"
				     "INSERT INTO events (ticket_id, at, action, field, new_value)"
				     " VALUES (500, 400, 'set', 'status', 'solved')");
		/* Version 0 is an empty file: only desk init (STORE_CREATE)
		 * makes a database of it, a plain open refuses it. */
		if (v == 0) {
			ck_assert_int_eq(store_open(path, 0, &st, &e), DESK_EIO);
			ck_assert_ptr_null(st);
			ck_assert_msg(strstr(e.msg, "the file is empty (0 bytes), not a database") &&
					      strstr(e.msg, "desk init"),
				      "%s", e.msg);
		}
		int rc = store_open(path, v == 0 ? STORE_CREATE : 0, &st, &e);
		ck_assert_msg(rc == DESK_OK, "from version %d: %s", v, e.msg);
		ck_assert_int_eq(store_schema_version(st), STORE_SCHEMA_VERSION);
		if (v >= 1) {
			struct agent a;
			ck_assert_int_eq(store_agent_by_login(st, "old", &a, &e), DESK_OK);
			ck_assert_str_eq(a.name, "Old Timer");
			ck_assert_int_eq(a.role, ROLE_SUPERVISOR);
			ck_assert_int_eq(a.created_at, 77);
			agent_free(&a);
		}
		/* The migrated database works: a ticket with a message is
		 * found by full-text search. */
		int64_t id = simple_ticket(st, "Migrated printer");
		add_message(st, id, MSG_CUSTOMER, 0, "toner everywhere", 1001);
		struct queue_filter qf = {.search = "toner"};
		struct queue_page p = {0};
		ck_assert_int_eq(store_queue_page(st, &qf, SORT_ID, false, NULL, false, 10, &p, &e),
				 DESK_OK);
		ck_assert_uint_eq(p.n, 1);
		ck_assert_int_eq(p.rows[0].id, id);
		queue_page_free(&p);
		store_close(&st);
		if (v >= 1) {
			ck_assert_int_eq(raw_int(path, "SELECT first_customer_at FROM tickets"
						       " WHERE id = 500"), 100);
			ck_assert_int_eq(raw_int(path, "SELECT first_answer_at FROM tickets"
						       " WHERE id = 500"), 200);
			/* 90 and 200, not 500 (after the solve) */
			ck_assert_int_eq(raw_int(path, "SELECT replies_to_first_solve FROM tickets"
						       " WHERE id = 500"), 2);
		}
		/* The old audit trail came along, and is append-only now. */
		if (v >= 1) {
			expect_append_only(path);
			ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM events WHERE ticket_id = 500"
						       " AND new_value = 'solved'"), 1);
		}
		char *got = schema_text(path);
		ck_assert_msg(strcmp(got, want) == 0, "schema after migrating from %d differs", v);
		free(got);
		free(path);
	}
	free(want);
	free(fresh);
	test_tmpdir_cleanup(&dir);
}
END_TEST

START_TEST(schema_version_bounds)
{
	if (test_sqlite_only("schema_version_bounds", "SQLite's migrations"))
		return;
	struct fx f;
	struct derr e = {0};
	fx_open(&f);
	ck_assert_int_eq(store_create_schema_version(f.st, -1, &e), DESK_EINVAL);
	ck_assert_str_eq(e.msg, "no schema version -1");
	ck_assert_int_eq(store_create_schema_version(f.st, STORE_SCHEMA_VERSION + 1, &e),
			 DESK_EINVAL);
	char want[64];
	snprintf(want, sizeof want, "no schema version %d", STORE_SCHEMA_VERSION + 1);
	ck_assert_str_eq(e.msg, want);
	/* Asking for the version it already has changes nothing. */
	ck_assert_int_eq(store_create_schema_version(f.st, STORE_SCHEMA_VERSION, &e), DESK_OK);
	ck_assert_int_eq(store_schema_version(f.st), STORE_SCHEMA_VERSION);
	fx_close(&f);
}
END_TEST

/* --- transactions ------------------------------------------------------ */

START_TEST(transactions)
{
	struct fx f;
	struct derr e = {0};
	fx_open(&f);
	ck_assert_int_eq(store_begin(f.st, &e), DESK_OK);
	ck_assert(store_in_transaction(f.st));
	ck_assert_int_eq(store_begin(f.st, &e), DESK_EINVAL);
	ck_assert_str_eq(e.msg, "internal error: nested transaction");
	add_agent(f.st, "gone", ROLE_AGENT);
	store_rollback(f.st);
	ck_assert(!store_in_transaction(f.st));
	struct agent a;
	ck_assert_int_eq(store_agent_by_login(f.st, "gone", &a, &e), DESK_ENOTFOUND);

	ck_assert_int_eq(store_begin(f.st, &e), DESK_OK);
	add_agent(f.st, "kept", ROLE_AGENT);
	/* Not visible to another connection before the commit. */
	ck_assert_int_eq(raw_int(f.path, "SELECT count(*) FROM agents"), 0);
	ck_assert_int_eq(store_commit(f.st, &e), DESK_OK);
	ck_assert(!store_in_transaction(f.st));
	ck_assert_int_eq(raw_int(f.path, "SELECT count(*) FROM agents WHERE login = 'kept'"), 1);

	/* A writer elsewhere holding the lock makes a write fail with a
	 * message that says so (after the short busy wait). */
	if (test_sqlite_only("transactions", "a SQLite writer's lock held elsewhere")) {
		fx_close(&f);
		return;
	}
	sqlite3 *db;
	ck_assert_int_eq(sqlite3_open(f.path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	struct agent b = {.login = "late", .name = "late", .active = true};
	ck_assert_int_eq(store_agent_insert(f.st, &b, &e), DESK_EBUSY);
	char *want = xasprintf("%s: the database stayed locked by another desk while adding an "
			       "agent; nothing was changed, try again",
			       f.path);
	ck_assert_str_eq(e.msg, want);
	free(want);
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(db);
	fx_close(&f);
}
END_TEST

/* --- agents, customers ------------------------------------------------- */

START_TEST(agents_crud)
{
	struct fx f;
	struct derr e = {0};
	fx_open(&f);
	setenv("DESK_NOW", "1700000000", 1);
	struct agent a = {.login = "carol", .name = "Carol King", .role = ROLE_SUPERVISOR,
			  .active = true};
	ck_assert_int_eq(store_agent_insert(f.st, &a, &e), DESK_OK);
	ck_assert_int_eq(a.id, 1);
	struct agent b = {.login = "bob", .role = ROLE_AGENT, .active = true, .created_at = 42};
	ck_assert_int_eq(store_agent_insert(f.st, &b, &e), DESK_OK);
	ck_assert_int_eq(b.id, 2);
	struct agent c = {.login = "bobby", .name = "Bobby", .role = ROLE_ADMIN, .active = false,
			  .created_at = 43};
	ck_assert_int_eq(store_agent_insert(f.st, &c, &e), DESK_OK);
	unsetenv("DESK_NOW");

	struct agent dup = {.login = "bob", .name = "Other Bob", .active = true};
	ck_assert_int_eq(store_agent_insert(f.st, &dup, &e), DESK_ECONFLICT);
	ck_assert_str_eq(e.msg, "agent \"bob\" already exists");
	struct agent empty = {.login = "", .name = "Nobody", .active = true};
	ck_assert_int_eq(store_agent_insert(f.st, &empty, &e), DESK_EINVAL);

	struct agent g;
	ck_assert_int_eq(store_agent_get(f.st, 1, &g, &e), DESK_OK);
	ck_assert_int_eq(g.id, 1);
	ck_assert_str_eq(g.login, "carol");
	ck_assert_str_eq(g.name, "Carol King");
	ck_assert_int_eq(g.role, ROLE_SUPERVISOR);
	ck_assert(g.active);
	ck_assert_int_eq(g.created_at, 1700000000);
	agent_free(&g);
	ck_assert_int_eq(store_agent_by_login(f.st, "bob", &g, &e), DESK_OK);
	ck_assert_int_eq(g.id, 2);
	ck_assert_str_eq(g.name, "bob"); /* no name: the login */
	ck_assert_int_eq(g.role, ROLE_AGENT);
	ck_assert_int_eq(g.created_at, 42);
	agent_free(&g);
	ck_assert_int_eq(store_agent_get(f.st, 99, &g, &e), DESK_ENOTFOUND);
	ck_assert_str_eq(e.msg, "no agent #99");
	ck_assert_int_eq(store_agent_by_login(f.st, "zed", &g, &e), DESK_ENOTFOUND);
	ck_assert_str_eq(e.msg, "no agent \"zed\"");
	ck_assert_int_eq(store_agent_by_login(f.st, "BOB", &g, &e), DESK_ENOTFOUND);

	struct agent u = {.id = 2, .login = "bob", .name = "Robert", .role = ROLE_ADMIN,
			  .active = false};
	ck_assert_int_eq(store_agent_update(f.st, &u, &e), DESK_OK);
	ck_assert_int_eq(store_agent_get(f.st, 2, &g, &e), DESK_OK);
	ck_assert_str_eq(g.name, "Robert");
	ck_assert_int_eq(g.role, ROLE_ADMIN);
	ck_assert(!g.active);
	ck_assert_int_eq(g.created_at, 42);
	agent_free(&g);

	struct agent_list l = {0};
	ck_assert_int_eq(store_agent_list(f.st, &l, &e), DESK_OK);
	ck_assert_uint_eq(l.n, 3);
	ck_assert_str_eq(l.v[0].login, "bob");
	ck_assert_str_eq(l.v[1].login, "bobby");
	ck_assert_str_eq(l.v[2].login, "carol");
	ck_assert(!l.v[1].active);
	agent_list_free(&l);
	ck_assert_ptr_null(l.v);

	/* Completion offers active agents only. */
	u.active = true;
	ck_assert_int_eq(store_agent_update(f.st, &u, &e), DESK_OK);
	ck_assert_int_eq(store_agent_complete(f.st, "bo", 10, &l, &e), DESK_OK);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.v[0].login, "bob");
	agent_list_free(&l);
	ck_assert_int_eq(store_agent_complete(f.st, "", 2, &l, &e), DESK_OK);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_str_eq(l.v[0].login, "bob");
	ck_assert_str_eq(l.v[1].login, "carol");
	agent_list_free(&l);
	ck_assert_int_eq(store_agent_complete(f.st, "%", 10, &l, &e), DESK_OK);
	ck_assert_uint_eq(l.n, 0);
	agent_list_free(&l);
	fx_close(&f);
}
END_TEST

START_TEST(customers_crud)
{
	struct fx f;
	struct derr e = {0};
	fx_open(&f);
	struct customer c = {.name = "Zoë Martin", .email = "Zoe@Example.com", .phone = "+33 1 23",
			     .organization = "Acme 100%", .tier = "gold", .notes = "VIP\nline 2",
			     .created_at = 555};
	ck_assert_int_eq(store_customer_insert(f.st, &c, &e), DESK_OK);
	ck_assert_int_eq(c.id, 1);

	struct customer g;
	ck_assert_int_eq(store_customer_get(f.st, 1, &g, &e), DESK_OK);
	ck_assert_int_eq(g.id, 1);
	ck_assert_str_eq(g.name, "Zoë Martin");
	ck_assert_str_eq(g.email, "Zoe@Example.com");
	ck_assert_str_eq(g.phone, "+33 1 23");
	ck_assert_str_eq(g.organization, "Acme 100%");
	ck_assert_str_eq(g.tier, "gold");
	ck_assert_str_eq(g.notes, "VIP\nline 2");
	ck_assert_int_eq(g.created_at, 555);
	customer_free(&g);

	/* Email is unique and matched without regard to case. */
	ck_assert_int_eq(store_customer_by_email(f.st, "zoe@example.COM", &g, &e), DESK_OK);
	ck_assert_int_eq(g.id, 1);
	customer_free(&g);
	struct customer dup = {.name = "Impostor", .email = "ZOE@EXAMPLE.COM"};
	ck_assert_int_eq(store_customer_insert(f.st, &dup, &e), DESK_EINVAL);
	ck_assert_str_eq(e.msg, ENGINE_MSG(f.path,
					   "adding a customer: UNIQUE constraint failed: customers.email",
					   "adding a customer: duplicate key value violates unique "
					   "constraint \"customers_email_key\""));
	ck_assert_int_eq(store_customer_by_email(f.st, "nobody@example.com", &g, &e),
			 DESK_ENOTFOUND);
	ck_assert_str_eq(e.msg, "no customer with email nobody@example.com");
	ck_assert_int_eq(store_customer_get(f.st, 42, &g, &e), DESK_ENOTFOUND);
	ck_assert_str_eq(e.msg, "no customer #42");

	/* No email (NULL or "") is not a duplicate of another. */
	struct customer n1 = {.name = "Phone Only", .phone = "555-1234", .created_at = 1};
	struct customer n2 = {.name = "Walk In", .email = "", .created_at = 2};
	struct customer n3 = {.email = "x_y@example.org", .created_at = 3};
	ck_assert_int_eq(store_customer_insert(f.st, &n1, &e), DESK_OK);
	ck_assert_int_eq(store_customer_insert(f.st, &n2, &e), DESK_OK);
	ck_assert_int_eq(store_customer_insert(f.st, &n3, &e), DESK_OK);
	ck_assert_int_eq(store_customer_get(f.st, n2.id, &g, &e), DESK_OK);
	ck_assert_ptr_null(g.email);
	ck_assert_ptr_null(g.phone);
	customer_free(&g);
	ck_assert_int_eq(store_customer_get(f.st, n3.id, &g, &e), DESK_OK);
	ck_assert_str_eq(g.name, "");
	customer_free(&g);
	int64_t count;
	ck_assert_int_eq(store_customer_count(f.st, &count, &e), DESK_OK);
	ck_assert_int_eq(count, 4);

	struct customer u = {.id = n1.id, .name = "Phone Person", .email = "pp@example.com",
			     .tier = "free"};
	ck_assert_int_eq(store_customer_update(f.st, &u, &e), DESK_OK);
	ck_assert_int_eq(store_customer_get(f.st, n1.id, &g, &e), DESK_OK);
	ck_assert_str_eq(g.name, "Phone Person");
	ck_assert_str_eq(g.email, "pp@example.com");
	ck_assert_ptr_null(g.phone);
	ck_assert_str_eq(g.tier, "free");
	ck_assert_int_eq(g.created_at, 1);
	customer_free(&g);
	u.email = "zoe@example.com"; /* taken */
	ck_assert_int_eq(store_customer_update(f.st, &u, &e), DESK_EINVAL);

	/* Search: name, email or organization, case-insensitive, % and _
	 * are plain characters; ordered by name. */
	struct customer_list l = {0};
	ck_assert_int_eq(store_customer_search(f.st, "EXAMPLE.com", 10, &l, &e), DESK_OK);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_str_eq(l.v[0].name, "Phone Person");
	ck_assert_str_eq(l.v[1].name, "Zoë Martin");
	customer_list_free(&l);
	ck_assert_int_eq(store_customer_search(f.st, "100%", 10, &l, &e), DESK_OK);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_int_eq(l.v[0].id, 1);
	customer_list_free(&l);
	ck_assert_int_eq(store_customer_search(f.st, "x_y", 10, &l, &e), DESK_OK);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_int_eq(l.v[0].id, n3.id);
	customer_list_free(&l);
	ck_assert_int_eq(store_customer_search(f.st, "_", 10, &l, &e), DESK_OK);
	ck_assert_uint_eq(l.n, 1);
	customer_list_free(&l);
	ck_assert_int_eq(store_customer_search(f.st, "", 2, &l, &e), DESK_OK);
	ck_assert_uint_eq(l.n, 2);
	customer_list_free(&l);

	/* A customer's tickets, newest first. */
	struct ticket t1 = {.subject = "first", .customer_id = 1, .created_at = 10};
	struct ticket t2 = {.subject = "second", .customer_id = 1, .created_at = 30};
	struct ticket t3 = {.subject = "third", .customer_id = 1, .created_at = 30};
	struct ticket t4 = {.subject = "other", .customer_id = n1.id, .created_at = 20};
	insert_ticket(f.st, &t1);
	insert_ticket(f.st, &t2);
	insert_ticket(f.st, &t3);
	insert_ticket(f.st, &t4);
	struct ticket_list tl = {0};
	ck_assert_int_eq(store_customer_tickets(f.st, 1, 10, &tl, &e), DESK_OK);
	ck_assert_uint_eq(tl.n, 3);
	ck_assert_str_eq(tl.v[0].subject, "third");
	ck_assert_str_eq(tl.v[1].subject, "second");
	ck_assert_str_eq(tl.v[2].subject, "first");
	ck_assert_str_eq(tl.v[0].customer_name, "Zoë Martin");
	ticket_list_free(&tl);
	ck_assert_int_eq(store_customer_tickets(f.st, 1, 1, &tl, &e), DESK_OK);
	ck_assert_uint_eq(tl.n, 1);
	ck_assert_int_eq(tl.v[0].id, t3.id);
	ticket_list_free(&tl);
	fx_close(&f);
}
END_TEST

/* --- tickets ----------------------------------------------------------- */

static void check_full_ticket(const struct ticket *g, const struct ticket *w)
{
	ck_assert_int_eq(g->id, w->id);
	ck_assert_str_eq(g->external_id, w->external_id);
	ck_assert_str_eq(g->subject, w->subject);
	ck_assert_int_eq(g->status, w->status);
	ck_assert_int_eq(g->priority, w->priority);
	ck_assert_int_eq(g->channel, w->channel);
	ck_assert_str_eq(g->queue, w->queue);
	ck_assert_int_eq(g->customer_id, w->customer_id);
	ck_assert_int_eq(g->assignee_id, w->assignee_id);
	ck_assert_int_eq(g->created_at, w->created_at);
	ck_assert_int_eq(g->updated_at, w->updated_at);
	ck_assert_int_eq(g->first_response_at, w->first_response_at);
	ck_assert_int_eq(g->first_solved_at, w->first_solved_at);
	ck_assert_int_eq(g->solved_at, w->solved_at);
	ck_assert_int_eq(g->closed_at, w->closed_at);
	ck_assert_int_eq(g->first_response_due, w->first_response_due);
	ck_assert_int_eq(g->resolution_due, w->resolution_due);
	ck_assert_int_eq(g->next_response_due, w->next_response_due);
	ck_assert_int_eq(g->next_due, w->next_due);
	ck_assert_int_eq(g->pending_since, w->pending_since);
	ck_assert_int_eq(g->paused_seconds, w->paused_seconds);
	ck_assert_int_eq(g->reopens, w->reopens);
	ck_assert_int_eq(g->merged_into, w->merged_into);
}

START_TEST(tickets_round_trip)
{
	struct fx f;
	struct derr e = {0};
	fx_open(&f);
	int64_t alice = add_agent(f.st, "alice", ROLE_AGENT);
	int64_t bob = add_agent(f.st, "bob", ROLE_AGENT);
	int64_t ann = add_customer(f.st, "Ann Lee", "ann@example.com");
	int64_t ben = add_customer(f.st, "", "ben@example.com");
	int64_t target = simple_ticket(f.st, "merge target");

	struct ticket w = {
		.external_id = "zd-1234",
		.subject = "Everything, \"quoted\" & ünïcödé",
		.status = ST_ON_HOLD,
		.priority = PRIO_URGENT,
		.channel = CH_WALK_IN,
		.queue = "billing",
		.customer_id = ann,
		.assignee_id = alice,
		.created_at = 1000,
		.updated_at = 2000,
		.first_response_at = 1100,
		.first_solved_at = 1200,
		.solved_at = 1300,
		.closed_at = 1400,
		.first_response_due = 1500,
		.resolution_due = 1600,
		.next_response_due = 1650,
		.next_due = 1700,
		.pending_since = 1750,
		.paused_seconds = 33,
		.reopens = 4,
		.merged_into = target,
		.tags = (char *[]){"zeta", "alpha", "mid", NULL},
		.ntags = 3,
	};
	int64_t id = insert_ticket(f.st, &w);
	ck_assert_int_eq(id, target + 1);

	struct ticket g;
	ck_assert_int_eq(store_ticket_get(f.st, id, &g, &e), DESK_OK);
	check_full_ticket(&g, &w);
	ck_assert_str_eq(g.customer_name, "Ann Lee");
	ck_assert_str_eq(g.customer_email, "ann@example.com");
	ck_assert_str_eq(g.assignee_login, "alice");
	ck_assert_uint_eq(g.ntags, 3);
	ck_assert_str_eq(g.tags[0], "alpha");
	ck_assert_str_eq(g.tags[1], "mid");
	ck_assert_str_eq(g.tags[2], "zeta");
	ck_assert_ptr_null(g.tags[3]);
	ticket_free(&g);

	/* Every mutable column changes. */
	struct ticket u = {
		.id = id,
		.external_id = "zd-9",
		.subject = "Changed",
		.status = ST_PENDING,
		.priority = PRIO_LOW,
		.channel = CH_SOCIAL,
		.queue = "general",
		.customer_id = ben,
		.assignee_id = bob,
		.created_at = 1001,
		.updated_at = 2001,
		.first_response_at = 1101,
		.first_solved_at = 1201,
		.solved_at = 1301,
		.closed_at = 1401,
		.first_response_due = 1501,
		.resolution_due = 1601,
		.next_response_due = 1651,
		.next_due = 1701,
		.pending_since = 1751,
		.paused_seconds = 34,
		.reopens = 5,
		.merged_into = 0,
	};
	ck_assert_int_eq(store_ticket_update(f.st, &u, &e), DESK_OK);
	ck_assert_int_eq(store_ticket_get(f.st, id, &g, &e), DESK_OK);
	check_full_ticket(&g, &u);
	ck_assert_str_eq(g.customer_name, "");
	ck_assert_str_eq(g.customer_email, "ben@example.com");
	ck_assert_str_eq(g.assignee_login, "bob");
	ck_assert_uint_eq(g.ntags, 3); /* update leaves tags alone */
	ticket_free(&g);

	/* Zero means unset: NULL in the database, 0 when read back. */
	struct ticket z = {.id = id, .subject = "bare", .created_at = 7};
	ck_assert_int_eq(store_ticket_update(f.st, &z, &e), DESK_OK);
	ck_assert_int_eq(store_ticket_get(f.st, id, &g, &e), DESK_OK);
	ck_assert_ptr_null(g.external_id);
	ck_assert_ptr_null(g.customer_name);
	ck_assert_ptr_null(g.assignee_login);
	ck_assert_str_eq(g.queue, "general");
	ck_assert_int_eq(g.updated_at, 7); /* defaults to created_at */
	ck_assert_int_eq(g.status, ST_NEW);
	ck_assert_int_eq(g.priority, PRIO_LOW);
	ck_assert_int_eq(g.channel, CH_EMAIL);
	ticket_free(&g);
	char *sql = xasprintf("SELECT count(*) FROM tickets WHERE id = %lld AND assignee_id IS NULL"
			      " AND customer_id IS NULL AND next_due IS NULL AND solved_at IS NULL"
			      " AND merged_into IS NULL AND external_id IS NULL",
			      (long long)id);
	ck_assert_int_eq(raw_int(f.path, sql), 1);
	free(sql);

	int64_t xid;
	ck_assert_int_eq(store_ticket_by_external_id(f.st, "zd-1234", &xid, &e), DESK_ENOTFOUND);
	ck_assert_str_eq(e.msg, "no ticket with external id zd-1234");
	struct ticket x = {.subject = "imported", .external_id = "rt-77", .created_at = 3};
	insert_ticket(f.st, &x);
	ck_assert_int_eq(store_ticket_by_external_id(f.st, "rt-77", &xid, &e), DESK_OK);
	ck_assert_int_eq(xid, x.id);
	struct ticket x2 = {.subject = "again", .external_id = "rt-77", .created_at = 3};
	ck_assert_int_eq(store_ticket_insert(f.st, &x2, &e), DESK_EINVAL);
	ck_assert_str_eq(e.msg,
			 ENGINE_MSG(f.path, "adding a ticket: UNIQUE constraint failed: tickets.external_id",
				    "adding a ticket: duplicate key value violates unique "
				    "constraint \"tickets_external_id_key\""));

	/* An explicit id is kept. */
	struct ticket at = {.id = 500, .subject = "numbered", .created_at = 3};
	insert_ticket(f.st, &at);
	ck_assert_int_eq(at.id, 500);

	int64_t n;
	ck_assert_int_eq(store_ticket_count(f.st, &n, &e), DESK_OK);
	ck_assert_int_eq(n, 4);
	ck_assert_int_eq(store_ticket_max_id(f.st, &n, &e), DESK_OK);
	ck_assert_int_eq(n, 500);

	ck_assert_int_eq(store_ticket_get(f.st, 999, &g, &e), DESK_ENOTFOUND);
	ck_assert_str_eq(e.msg, "no ticket 999");
	struct ticket missing = {.id = 999, .subject = "nope", .created_at = 1};
	ck_assert_int_eq(store_ticket_update(f.st, &missing, &e), DESK_ENOTFOUND);
	ck_assert_str_eq(e.msg, "no ticket 999");
	fx_close(&f);
}
END_TEST

START_TEST(tags_add_remove)
{
	struct fx f;
	struct derr e = {0};
	fx_open(&f);
	int64_t id = simple_ticket(f.st, "tagged");
	bool changed = false;
	ck_assert_int_eq(store_tag_add(f.st, id, "vip", &changed, &e), DESK_OK);
	ck_assert(changed);
	ck_assert_int_eq(store_tag_add(f.st, id, "vip", &changed, &e), DESK_OK);
	ck_assert(!changed);
	ck_assert_int_eq(store_tag_add(f.st, id, "VIP", &changed, &e), DESK_OK);
	ck_assert(changed); /* tags are case-sensitive */
	ck_assert_int_eq(store_tag_add(f.st, id, "billing", &changed, &e), DESK_OK);
	ck_assert_int_eq(store_tag_remove(f.st, id, "nosuch", &changed, &e), DESK_OK);
	ck_assert(!changed);
	ck_assert_int_eq(store_tag_remove(f.st, id, "VIP", &changed, &e), DESK_OK);
	ck_assert(changed);
	struct ticket g;
	ck_assert_int_eq(store_ticket_get(f.st, id, &g, &e), DESK_OK);
	ck_assert_uint_eq(g.ntags, 2);
	ck_assert_str_eq(g.tags[0], "billing");
	ck_assert_str_eq(g.tags[1], "vip");
	ticket_free(&g);
	/* No tag on a ticket that does not exist. */
	ck_assert_int_eq(store_tag_add(f.st, 777, "x", &changed, &e), DESK_EINVAL);
	ck_assert_str_eq(e.msg, ENGINE_MSG(f.path, "changing tags: FOREIGN KEY constraint failed",
					   "changing tags: insert or update on table \"ticket_tags\""
					   " violates foreign key constraint"
					   " \"ticket_tags_ticket_id_fkey\""));
	ck_assert(!changed);
	fx_close(&f);
}
END_TEST

/* The schema's CHECKs reject what desk would never write. */
START_TEST(constraints)
{
	struct fx f;
	struct derr e = {0};
	char err[256];
	fx_open(&f);
	int64_t id = simple_ticket(f.st, "constrained");
	char *sql = xasprintf("UPDATE tickets SET status = 'bogus' WHERE id = %lld", (long long)id);
	ck_assert_int_eq(raw_exec(f.path, sql, err, sizeof err), TEST_SQL_CONSTRAINT);
	ck_assert_ptr_nonnull(strstr(err, ENGINE_MSG(f.path, "CHECK constraint failed",
						    "violates check constraint \"tickets_status_check\"")));
	free(sql);
	ck_assert_int_eq(raw_exec(f.path, "INSERT INTO tickets (subject, channel, created_at,"
					  " updated_at) VALUES ('x', 'fax', 1, 1)",
				  err, sizeof err),
			 TEST_SQL_CONSTRAINT);
	ck_assert_int_eq(raw_exec(f.path, "INSERT INTO messages (ticket_id, kind, body, created_at)"
					  " VALUES (1, 'shout', 'x', 1)",
				  err, sizeof err),
			 TEST_SQL_CONSTRAINT);
	ck_assert_int_eq(raw_exec(f.path, "INSERT INTO agents (login, name, role, created_at)"
					  " VALUES ('x', 'x', 'king', 1)",
				  err, sizeof err),
			 TEST_SQL_CONSTRAINT);

	struct ticket t;
	ck_assert_int_eq(store_ticket_get(f.st, id, &t, &e), DESK_OK);
	t.priority = (enum priority)7;
	ck_assert_int_eq(store_ticket_update(f.st, &t, &e), DESK_EINVAL);
	ck_assert_str_eq(e.msg, ENGINE_MSG(f.path,
					   "updating a ticket: CHECK constraint failed: priority BETWEEN 0 AND 3",
					   "updating a ticket: new row for relation \"tickets\" violates"
					   " check constraint \"tickets_priority_check\""));
	t.priority = (enum priority)-1;
	ck_assert_int_eq(store_ticket_update(f.st, &t, &e), DESK_EINVAL);
	t.priority = PRIO_HIGH;
	t.reopens = -1;
	ck_assert_int_eq(store_ticket_update(f.st, &t, &e), DESK_EINVAL);
	ticket_free(&t);
	struct ticket bad = {.subject = "p", .priority = (enum priority)7, .created_at = 1};
	ck_assert_int_eq(store_ticket_insert(f.st, &bad, &e), DESK_EINVAL);
	int64_t count;
	ck_assert_int_eq(store_ticket_count(f.st, &count, &e), DESK_OK);
	ck_assert_int_eq(count, 1);

	/* Tags: 1 to 64 characters. */
	char tag[80];
	memset(tag, 't', 65);
	tag[65] = '\0';
	bool changed = true;
	ck_assert_int_eq(store_tag_add(f.st, id, tag, &changed, &e), DESK_EINVAL);
	ck_assert_str_eq(e.msg, ENGINE_MSG(f.path,
					   "changing tags: CHECK constraint failed: length(tag) BETWEEN 1 AND 64",
					   "changing tags: new row for relation \"ticket_tags\" violates"
					   " check constraint \"ticket_tags_tag_check\""));
	ck_assert(!changed);
	ck_assert_int_eq(store_tag_add(f.st, id, "", &changed, &e), DESK_EINVAL);
	tag[64] = '\0';
	ck_assert_int_eq(store_tag_add(f.st, id, tag, &changed, &e), DESK_OK);
	ck_assert(changed);
	/* A too-long tag on a new ticket fails the insert. */
	struct ticket tt = {.subject = "long tag", .created_at = 1,
			    .tags = (char *[]){"this-tag-is-way-too-long-for-desk-because-it-has-"
					       "more-than-sixty-four-characters", NULL},
			    .ntags = 1};
	ck_assert_int_eq(store_ticket_insert(f.st, &tt, &e), DESK_EINVAL);
	ck_assert_int_eq(raw_int(f.path, "SELECT count(*) FROM ticket_tags"), 1);
	fx_close(&f);
}
END_TEST

/* --- messages, surveys, events, drafts --------------------------------- */

START_TEST(messages_crud)
{
	struct fx f;
	struct derr e = {0};
	fx_open(&f);
	int64_t alice = add_agent(f.st, "alice", ROLE_AGENT);
	int64_t ann = add_customer(f.st, "Ann Lee", "ann@example.com");
	int64_t anon = add_customer(f.st, "", "anon@example.com");
	struct ticket t = {.subject = "thread", .customer_id = ann, .created_at = 100};
	int64_t id = insert_ticket(f.st, &t);
	struct ticket t2 = {.subject = "anon", .customer_id = anon, .created_at = 100};
	int64_t id2 = insert_ticket(f.st, &t2);

	struct message m1 = {.ticket_id = id, .kind = MSG_CUSTOMER, .body = "Help!\nPlease",
			     .created_at = 200, .message_id = "<a@mail>", .mail_from = "ann@example.com"};
	ck_assert_int_eq(store_message_insert(f.st, &m1, &e), DESK_OK);
	/* Same time as the next: ordered by id then. */
	int64_t r1 = add_message(f.st, id, MSG_REPLY, alice, "On it", 300);
	int64_t n1 = add_message(f.st, id, MSG_NOTE, alice, "internal", 300);
	int64_t s1 = add_message(f.st, id, MSG_SYSTEM, 0, "merged", 250);
	struct message out = {.ticket_id = id, .kind = MSG_REPLY, .author_id = alice,
			      .body = "Sent by mail", .created_at = 400, .automatic = true,
			      .delivery = "queued"};
	ck_assert_int_eq(store_message_insert(f.st, &out, &e), DESK_OK);
	add_message(f.st, id2, MSG_CUSTOMER, 0, "who am I", 100);

	struct message dupid = {.ticket_id = id, .kind = MSG_CUSTOMER, .body = "again",
				.created_at = 500, .message_id = "<a@mail>"};
	ck_assert_int_eq(store_message_insert(f.st, &dupid, &e), DESK_EINVAL);
	ck_assert_str_eq(e.msg, ENGINE_MSG(f.path,
					   "adding a message: UNIQUE constraint failed: messages.message_id",
					   "adding a message: duplicate key value violates unique "
					   "constraint \"messages_message_id_key\""));

	struct message_list l = {0};
	ck_assert_int_eq(store_messages(f.st, id, &l, &e), DESK_OK);
	ck_assert_uint_eq(l.n, 5);
	ck_assert_int_eq(l.v[0].id, m1.id);
	ck_assert_int_eq(l.v[1].id, s1);
	ck_assert_int_eq(l.v[2].id, r1);
	ck_assert_int_eq(l.v[3].id, n1);
	ck_assert_int_eq(l.v[4].id, out.id);
	ck_assert_int_eq(l.v[0].ticket_id, id);
	ck_assert_int_eq(l.v[0].kind, MSG_CUSTOMER);
	ck_assert_int_eq(l.v[0].author_id, 0);
	ck_assert_str_eq(l.v[0].author, "Ann Lee");
	ck_assert_str_eq(l.v[0].body, "Help!\nPlease");
	ck_assert_int_eq(l.v[0].created_at, 200);
	ck_assert_str_eq(l.v[0].message_id, "<a@mail>");
	ck_assert_str_eq(l.v[0].mail_from, "ann@example.com");
	ck_assert(!l.v[0].automatic);
	ck_assert_ptr_null(l.v[0].delivery);
	ck_assert_int_eq(l.v[1].kind, MSG_SYSTEM);
	ck_assert_ptr_null(l.v[1].author);
	ck_assert_int_eq(l.v[2].kind, MSG_REPLY);
	ck_assert_int_eq(l.v[2].author_id, alice);
	ck_assert_str_eq(l.v[2].author, "alice");
	ck_assert_ptr_null(l.v[2].message_id);
	ck_assert_int_eq(l.v[3].kind, MSG_NOTE);
	ck_assert_str_eq(l.v[3].body, "internal");
	ck_assert(l.v[4].automatic);
	ck_assert_str_eq(l.v[4].delivery, "queued");
	message_list_free(&l);

	/* A customer without a name shows as the email. */
	ck_assert_int_eq(store_messages(f.st, id2, &l, &e), DESK_OK);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.v[0].author, "anon@example.com");
	message_list_free(&l);

	struct message last;
	ck_assert_int_eq(store_message_last(f.st, id, MSG_REPLY, &last, &e), DESK_OK);
	ck_assert_int_eq(last.id, out.id);
	message_free(&last);
	ck_assert_int_eq(store_message_last(f.st, id, MSG_CUSTOMER, &last, &e), DESK_OK);
	ck_assert_int_eq(last.id, m1.id);
	message_free(&last);
	ck_assert_int_eq(store_message_last(f.st, id2, MSG_NOTE, &last, &e), DESK_ENOTFOUND);
	char want[64];
	snprintf(want, sizeof want, "ticket %lld has no note message", (long long)id2);
	ck_assert_str_eq(e.msg, want);

	int64_t n;
	ck_assert_int_eq(store_message_count(f.st, id, MSG_REPLY, &n, &e), DESK_OK);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(store_message_count(f.st, id, MSG_CUSTOMER, &n, &e), DESK_OK);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(store_message_count(f.st, id2, MSG_REPLY, &n, &e), DESK_OK);
	ck_assert_int_eq(n, 0);
	fx_close(&f);
}
END_TEST

START_TEST(move_children)
{
	struct fx f;
	struct derr e = {0};
	fx_open(&f);
	int64_t alice = add_agent(f.st, "alice", ROLE_AGENT);
	struct ticket a = {.subject = "from", .created_at = 1, .tags = (char *[]){"x", "both", NULL},
			   .ntags = 2};
	struct ticket b = {.subject = "into", .created_at = 1, .tags = (char *[]){"both", "y", NULL},
			   .ntags = 2};
	insert_ticket(f.st, &a);
	insert_ticket(f.st, &b);
	add_message(f.st, a.id, MSG_CUSTOMER, 0, "one", 10);
	add_message(f.st, b.id, MSG_CUSTOMER, 0, "two", 5);
	struct survey sv = {.ticket_id = a.id, .kind = SURVEY_CSAT, .score = 4, .answered_at = 9};
	ck_assert_int_eq(store_survey_insert(f.st, &sv, &e), DESK_OK);
	ck_assert_int_eq(store_draft_save(f.st, a.id, alice, MSG_REPLY, "draft", &e), DESK_OK);

	ck_assert_int_eq(store_ticket_move_children(f.st, a.id, b.id, &e), DESK_OK);
	struct message_list l = {0};
	ck_assert_int_eq(store_messages(f.st, b.id, &l, &e), DESK_OK);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_str_eq(l.v[0].body, "two");
	ck_assert_str_eq(l.v[1].body, "one");
	message_list_free(&l);
	ck_assert_int_eq(store_messages(f.st, a.id, &l, &e), DESK_OK);
	ck_assert_uint_eq(l.n, 0);
	message_list_free(&l);
	struct ticket g;
	ck_assert_int_eq(store_ticket_get(f.st, b.id, &g, &e), DESK_OK);
	ck_assert_uint_eq(g.ntags, 3);
	ck_assert_str_eq(g.tags[0], "both");
	ck_assert_str_eq(g.tags[1], "x");
	ck_assert_str_eq(g.tags[2], "y");
	ticket_free(&g);
	ck_assert_int_eq(store_ticket_get(f.st, a.id, &g, &e), DESK_OK);
	ck_assert_uint_eq(g.ntags, 0);
	ck_assert_ptr_null(g.tags);
	ticket_free(&g);
	struct survey_list sl = {0};
	ck_assert_int_eq(store_surveys(f.st, b.id, &sl, &e), DESK_OK);
	ck_assert_uint_eq(sl.n, 1);
	ck_assert_int_eq(sl.v[0].id, sv.id);
	survey_list_free(&sl);
	/* A draft stays on the merged ticket: its agent's unsent work, which
	 * the drafts list shows marked and carries over when resumed. */
	char *body = NULL;
	ck_assert_int_eq(store_draft_get(f.st, a.id, alice, MSG_REPLY, &body, &e), DESK_OK);
	ck_assert_ptr_nonnull(body);
	free(body);
	fx_close(&f);
}
END_TEST

START_TEST(surveys_checked)
{
	struct fx f;
	struct derr e = {0};
	fx_open(&f);
	int64_t id = simple_ticket(f.st, "rated");
	static const struct {
		enum survey_kind kind;
		int score;
		bool ok;
	} cases[] = {
		{SURVEY_CSAT, 1, true},  {SURVEY_CSAT, 5, true},  {SURVEY_CSAT, 0, false},
		{SURVEY_CSAT, 6, false}, {SURVEY_CES, 1, true},   {SURVEY_CES, 7, true},
		{SURVEY_CES, 0, false},  {SURVEY_CES, 8, false},  {SURVEY_NPS, 0, true},
		{SURVEY_NPS, 10, true},  {SURVEY_NPS, 11, false}, {SURVEY_NPS, -1, false},
	};
	int stored = 0;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct survey sv = {.ticket_id = id, .kind = cases[i].kind, .score = cases[i].score,
				    .answered_at = 100 - (int64_t)i};
		int rc = store_survey_insert(f.st, &sv, &e);
		ck_assert_msg(rc == (cases[i].ok ? DESK_OK : DESK_EINVAL), "%s %d: %d",
			      survey_kind_name(cases[i].kind), cases[i].score, rc);
		if (!cases[i].ok)
			ck_assert_ptr_nonnull(
				strstr(e.msg, ENGINE_MSG(f.path, "adding a survey answer: CHECK constraint failed",
						 "adding a survey answer: new row for relation"
						 " \"surveys\" violates check constraint")));
		else
			stored++;
		int lo, hi;
		survey_range(cases[i].kind, &lo, &hi);
		ck_assert_int_eq(cases[i].score >= lo && cases[i].score <= hi, cases[i].ok);
	}
	struct survey_list l = {0};
	ck_assert_int_eq(store_surveys(f.st, id, &l, &e), DESK_OK);
	ck_assert_uint_eq(l.n, (size_t)stored);
	/* by answered_at: the last inserted first */
	ck_assert_int_eq(l.v[0].kind, SURVEY_NPS);
	ck_assert_int_eq(l.v[0].score, 10);
	ck_assert_int_eq(l.v[0].answered_at, 91);
	ck_assert_int_eq(l.v[0].ticket_id, id);
	ck_assert_int_eq(l.v[stored - 1].kind, SURVEY_CSAT);
	ck_assert_int_eq(l.v[stored - 1].score, 1);
	ck_assert_int_eq(l.v[stored - 1].answered_at, 100);
	survey_list_free(&l);
	fx_close(&f);
}
END_TEST

START_TEST(events_crud)
{
	struct fx f;
	struct derr e = {0};
	fx_open(&f);
	int64_t alice = add_agent(f.st, "alice", ROLE_AGENT);
	int64_t id = simple_ticket(f.st, "audited");
	int64_t other = simple_ticket(f.st, "other");
	struct event e1 = {.ticket_id = id, .agent_id = alice, .at = 50, .action = "set",
			   .field = "status", .old_value = "new", .new_value = "open"};
	struct event e2 = {.ticket_id = id, .at = 40, .action = "create", .new_value = "audited"};
	struct event e3 = {.ticket_id = other, .agent_id = alice, .at = 60, .action = "note"};
	struct event e4 = {.agent_id = alice, .at = 70, .action = "agent", .field = "agent:bob",
			   .new_value = "agent"};
	ck_assert_int_eq(store_event_insert(f.st, &e1, &e), DESK_OK);
	ck_assert_int_eq(store_event_insert(f.st, &e2, &e), DESK_OK);
	ck_assert_int_eq(store_event_insert(f.st, &e3, &e), DESK_OK);
	ck_assert_int_eq(store_event_insert(f.st, &e4, &e), DESK_OK);
	ck_assert_int_eq(e2.id, e1.id + 1);

	struct event_list l = {0};
	ck_assert_int_eq(store_events(f.st, id, &l, &e), DESK_OK);
	ck_assert_uint_eq(l.n, 2);
	/* in insertion order, whatever their times */
	ck_assert_int_eq(l.v[0].id, e1.id);
	ck_assert_int_eq(l.v[0].ticket_id, id);
	ck_assert_int_eq(l.v[0].agent_id, alice);
	ck_assert_str_eq(l.v[0].agent_login, "alice");
	ck_assert_int_eq(l.v[0].at, 50);
	ck_assert_str_eq(l.v[0].action, "set");
	ck_assert_str_eq(l.v[0].field, "status");
	ck_assert_str_eq(l.v[0].old_value, "new");
	ck_assert_str_eq(l.v[0].new_value, "open");
	ck_assert_int_eq(l.v[1].agent_id, 0);
	ck_assert_ptr_null(l.v[1].agent_login);
	ck_assert_ptr_null(l.v[1].field);
	ck_assert_ptr_null(l.v[1].old_value);
	ck_assert_str_eq(l.v[1].new_value, "audited");
	event_list_free(&l);
	ck_assert_int_eq(raw_int(f.path, "SELECT count(*) FROM events WHERE ticket_id IS NULL"
					 " AND action = 'agent' AND field = 'agent:bob'"),
			 1);
	struct event bad = {.ticket_id = 999, .at = 1, .action = "set"};
	ck_assert_int_eq(store_event_insert(f.st, &bad, &e), DESK_EINVAL);
	ck_assert_str_eq(e.msg, ENGINE_MSG(f.path, "writing the audit log: FOREIGN KEY constraint failed",
					   "writing the audit log: insert or update on table \"events\""
					   " violates foreign key constraint \"events_ticket_id_fkey\""));
	expect_append_only(f.path);
	fx_close(&f);
}
END_TEST

START_TEST(drafts_crud)
{
	struct fx f;
	struct derr e = {0};
	fx_open(&f);
	int64_t alice = add_agent(f.st, "alice", ROLE_AGENT);
	int64_t bob = add_agent(f.st, "bob", ROLE_AGENT);
	int64_t id = simple_ticket(f.st, "drafty");
	char *body = (char *)1;
	ck_assert_int_eq(store_draft_get(f.st, id, alice, MSG_REPLY, &body, &e), DESK_OK);
	ck_assert_ptr_null(body);

	setenv("DESK_NOW", "5000", 1);
	ck_assert_int_eq(store_draft_save(f.st, id, alice, MSG_REPLY, "Dear Ann,", &e), DESK_OK);
	setenv("DESK_NOW", "5060", 1);
	ck_assert_int_eq(store_draft_save(f.st, id, alice, MSG_REPLY, "Dear Ann,\nfixed.", &e),
			 DESK_OK);
	unsetenv("DESK_NOW");
	ck_assert_int_eq(store_draft_save(f.st, id, alice, MSG_NOTE, "note to self", &e), DESK_OK);
	ck_assert_int_eq(store_draft_save(f.st, id, bob, MSG_REPLY, "bob's", &e), DESK_OK);
	ck_assert_int_eq(raw_int(f.path, "SELECT count(*) FROM drafts"), 3);
	ck_assert_int_eq(raw_int(f.path, "SELECT updated_at FROM drafts WHERE agent_id = 1 AND"
					 " kind = 'reply'"),
			 5060);

	ck_assert_int_eq(store_draft_get(f.st, id, alice, MSG_REPLY, &body, &e), DESK_OK);
	ck_assert_str_eq(body, "Dear Ann,\nfixed.");
	free(body);
	ck_assert_int_eq(store_draft_get(f.st, id, alice, MSG_NOTE, &body, &e), DESK_OK);
	ck_assert_str_eq(body, "note to self");
	free(body);
	ck_assert_int_eq(store_draft_get(f.st, id, bob, MSG_REPLY, &body, &e), DESK_OK);
	ck_assert_str_eq(body, "bob's");
	free(body);

	ck_assert_int_eq(store_draft_delete(f.st, id, alice, MSG_REPLY, &e), DESK_OK);
	ck_assert_int_eq(store_draft_get(f.st, id, alice, MSG_REPLY, &body, &e), DESK_OK);
	ck_assert_ptr_null(body);
	ck_assert_int_eq(store_draft_delete(f.st, id, alice, MSG_REPLY, &e), DESK_OK);
	ck_assert_int_eq(store_draft_get(f.st, id, bob, MSG_REPLY, &body, &e), DESK_OK);
	ck_assert_str_eq(body, "bob's");
	free(body);
	/* only replies and notes have drafts */
	ck_assert_int_eq(store_draft_save(f.st, id, alice, MSG_SYSTEM, "x", &e), DESK_EINVAL);
	fx_close(&f);
}
END_TEST

/* --- the queue: keyset paging ------------------------------------------ */

struct qt {
	int64_t id;
	int prio;
	int64_t due; /* 0: none */
	int64_t created, updated;
};

static int key_of(enum queue_sort s, const struct qt *t, int64_t k[4])
{
	int64_t due = t->due ? t->due : INT64_MAX;
	switch (s) {
	case SORT_URGENCY: /* fill_paging: the dated ones open (0), the rest solved (2) */
		k[0] = t->due ? 0 : 2, k[1] = due, k[2] = -t->prio, k[3] = t->id;
		return 4;
	case SORT_PRIORITY:
		k[0] = -t->prio, k[1] = due, k[2] = t->id;
		return 3;
	case SORT_CREATED:
		k[0] = t->created, k[1] = t->id;
		return 2;
	case SORT_UPDATED:
		k[0] = -t->updated, k[1] = t->id;
		return 2;
	default:
		k[0] = t->id;
		return 1;
	}
}

static int cmp_qt(enum queue_sort s, bool reverse, const struct qt *a, const struct qt *b)
{
	int64_t ka[4], kb[4];
	int n = key_of(s, a, ka);
	key_of(s, b, kb);
	for (int i = 0; i < n; i++)
		if (ka[i] != kb[i])
			return (ka[i] < kb[i] ? -1 : 1) * (reverse ? -1 : 1);
	return 0;
}

/* The expected order, by insertion sort on the sort's keys. */
static void expected_order(const struct qt *all, size_t n, enum queue_sort s, bool reverse,
			   int64_t *ids)
{
	const struct qt **v = xcalloc(n, sizeof *v);
	for (size_t i = 0; i < n; i++) {
		size_t j = i;
		while (j > 0 && cmp_qt(s, reverse, v[j - 1], &all[i]) > 0) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = &all[i];
	}
	for (size_t i = 0; i < n; i++)
		ids[i] = v[i]->id;
	free(v);
}

#define PAGE 7

static size_t walk_forward(struct store *st, const struct queue_filter *f, enum queue_sort s,
			   bool rev, int64_t *ids, size_t max)
{
	struct derr e = {0};
	struct queue_key key;
	bool have = false;
	size_t n = 0;
	for (int guard = 0; guard < 100; guard++) {
		struct queue_page p = {0};
		ck_assert_int_eq(store_queue_page(st, f, s, rev, have ? &key : NULL, false, PAGE, &p,
						  &e),
				 DESK_OK);
		ck_assert_uint_le(p.n, PAGE);
		for (size_t i = 0; i < p.n; i++) {
			ck_assert_uint_lt(n, max);
			ids[n++] = p.rows[i].id;
		}
		size_t got = p.n;
		if (got) {
			key = p.rows[got - 1].key;
			have = true;
		}
		queue_page_free(&p);
		if (got < PAGE)
			break;
	}
	return n;
}

static size_t walk_backward(struct store *st, const struct queue_filter *f, enum queue_sort s,
			    bool rev, int64_t *ids, size_t max)
{
	struct derr e = {0};
	struct queue_key key;
	bool have = false;
	size_t pos = max;
	for (int guard = 0; guard < 100; guard++) {
		struct queue_page p = {0};
		ck_assert_int_eq(store_queue_page(st, f, s, rev, have ? &key : NULL, true, PAGE, &p,
						  &e),
				 DESK_OK);
		ck_assert_uint_le(p.n, PAGE);
		ck_assert_uint_le(p.n, pos);
		pos -= p.n;
		for (size_t i = 0; i < p.n; i++)
			ids[pos + i] = p.rows[i].id;
		size_t got = p.n;
		if (got) {
			key = p.rows[0].key;
			have = true;
		}
		queue_page_free(&p);
		if (got < PAGE)
			break;
	}
	memmove(ids, ids + pos, (max - pos) * sizeof *ids);
	return max - pos;
}

#define NQ 50

static void fill_paging(struct store *st, struct qt *all)
{
	struct derr e = {0};
	int64_t cust = add_customer(st, "Pat", "pat@example.com");
	ck_assert_int_eq(store_begin(st, &e), DESK_OK);
	for (int i = 0; i < NQ; i++) {
		struct qt *q = &all[i];
		/* Few distinct values in every key: ties everywhere. */
		q->prio = (i * 7) % 4;
		q->due = i % 3 == 0 ? 0 : 10000 + (i % 4) * 600;
		q->created = 500 + (i * 3) % 5;
		q->updated = 900 + (i * 5) % 3;
		char subject[32];
		snprintf(subject, sizeof subject, "paged %d", i);
		struct ticket t = {.subject = subject, .priority = (enum priority)q->prio,
				   .status = q->due ? ST_OPEN : ST_SOLVED, .customer_id = cust,
				   .next_due = q->due, .created_at = q->created,
				   .updated_at = q->updated};
		q->id = insert_ticket(st, &t);
	}
	ck_assert_int_eq(store_commit(st, &e), DESK_OK);
}

START_TEST(queue_keyset_paging)
{
	struct fx f;
	struct derr e = {0};
	fx_open(&f);
	struct qt all[NQ];
	fill_paging(f.st, all);
	struct queue_filter none = {0};
	int64_t want[NQ], fwd[NQ], back[NQ];

	for (int s = 0; s < SORT__COUNT; s++) {
		for (int r = 0; r < 2; r++) {
			bool rev = r;
			const char *name = queue_sort_name((enum queue_sort)s);
			expected_order(all, NQ, (enum queue_sort)s, rev, want);

			/* One big page. */
			struct queue_page big = {0};
			ck_assert_int_eq(store_queue_page(f.st, &none, (enum queue_sort)s, rev, NULL,
							  false, 1000, &big, &e),
					 DESK_OK);
			ck_assert_uint_eq(big.n, NQ);
			for (size_t i = 0; i < NQ; i++) {
				ck_assert_msg(big.rows[i].id == want[i],
					      "%s%s: row %zu is %lld, expected %lld", name,
					      rev ? " reversed" : "", i, (long long)big.rows[i].id,
					      (long long)want[i]);
				/* The row's key is the sort's keys. */
				const struct qt *q = &all[want[i] - all[0].id];
				int64_t k[4];
				int nk = key_of((enum queue_sort)s, q, k);
				for (int j = 0; j < nk; j++)
					ck_assert_int_eq(big.rows[i].key.k[j], k[j]);
				ck_assert_int_eq(big.rows[i].priority, q->prio);
				ck_assert_int_eq(big.rows[i].next_due, q->due);
				ck_assert_int_eq(big.rows[i].created_at, q->created);
				ck_assert_int_eq(big.rows[i].updated_at, q->updated);
			}

			size_t nf = walk_forward(f.st, &none, (enum queue_sort)s, rev, fwd, NQ);
			ck_assert_uint_eq(nf, NQ);
			size_t nb = walk_backward(f.st, &none, (enum queue_sort)s, rev, back, NQ);
			ck_assert_uint_eq(nb, NQ);
			for (size_t i = 0; i < NQ; i++) {
				ck_assert_msg(fwd[i] == big.rows[i].id, "%s%s forward: row %zu", name,
					      rev ? " reversed" : "", i);
				ck_assert_msg(back[i] == big.rows[i].id, "%s%s backward: row %zu",
					      name, rev ? " reversed" : "", i);
			}

			/* Backward from the middle: the rows just before it. */
			struct queue_key mid = big.rows[20].key;
			struct queue_page p = {0};
			ck_assert_int_eq(store_queue_page(f.st, &none, (enum queue_sort)s, rev, &mid,
							  true, PAGE, &p, &e),
					 DESK_OK);
			ck_assert_uint_eq(p.n, PAGE);
			for (size_t i = 0; i < PAGE; i++)
				ck_assert_int_eq(p.rows[i].id, big.rows[13 + i].id);
			queue_page_free(&p);
			/* Forward from the last row: nothing. */
			struct queue_key end = big.rows[NQ - 1].key;
			ck_assert_int_eq(store_queue_page(f.st, &none, (enum queue_sort)s, rev, &end,
							  false, PAGE, &p, &e),
					 DESK_OK);
			ck_assert_uint_eq(p.n, 0);
			queue_page_free(&p);
			queue_page_free(&big);
		}
	}

	/* Paging under a filter: only high and urgent. */
	struct queue_filter hi = {.priority_mask = 1u << PRIO_HIGH | 1u << PRIO_URGENT};
	struct qt sel[NQ];
	size_t nsel = 0;
	for (int i = 0; i < NQ; i++)
		if (all[i].prio >= PRIO_HIGH)
			sel[nsel++] = all[i];
	expected_order(sel, nsel, SORT_URGENCY, false, want);
	size_t nf = walk_forward(f.st, &hi, SORT_URGENCY, false, fwd, NQ);
	ck_assert_uint_eq(nf, nsel);
	size_t nb = walk_backward(f.st, &hi, SORT_URGENCY, false, back, nsel);
	ck_assert_uint_eq(nb, nsel);
	for (size_t i = 0; i < nsel; i++) {
		ck_assert_int_eq(fwd[i], want[i]);
		ck_assert_int_eq(back[i], want[i]);
	}
	int64_t count;
	ck_assert_int_eq(store_queue_count(f.st, &hi, &count, &e), DESK_OK);
	ck_assert_int_eq(count, (int64_t)nsel);

	ck_assert_int_eq(store_queue_page(f.st, &none, SORT__COUNT, false, NULL, false, 5,
					  &(struct queue_page){0}, &e),
			 DESK_EINVAL);
	ck_assert_str_eq(e.msg, "unknown sort 5");
	fx_close(&f);
}
END_TEST

/* The urgency sort: what waits on the agent (new, open) before what
 * waits on others (pending, on hold), even when those are due sooner;
 * finished tickets last.  In each group: due, priority, id. */
START_TEST(queue_urgency_agent_work_first)
{
	struct fx f;
	struct derr e = {0};
	fx_open(&f);
	static const struct {
		enum status status;
		int64_t due;
		enum priority prio;
	} mk[] = {
		{ST_PENDING, 100, PRIO_URGENT}, /* 0 */
		{ST_ON_HOLD, 50, PRIO_NORMAL},  /* 1 */
		{ST_OPEN, 0, PRIO_LOW},         /* 2: never due */
		{ST_NEW, 200, PRIO_NORMAL},     /* 3 */
		{ST_SOLVED, 0, PRIO_URGENT},    /* 4 */
		{ST_OPEN, 200, PRIO_HIGH},      /* 5 */
		{ST_PENDING, 0, PRIO_HIGH},     /* 6 */
	};
	int64_t id[ARRAY_LEN(mk)];
	ck_assert_int_eq(store_begin(f.st, &e), DESK_OK);
	for (size_t i = 0; i < ARRAY_LEN(mk); i++) {
		struct ticket t = {.subject = "u", .status = mk[i].status, .priority = mk[i].prio,
				   .next_due = mk[i].due, .created_at = 1, .updated_at = 1};
		id[i] = insert_ticket(f.st, &t);
	}
	ck_assert_int_eq(store_commit(f.st, &e), DESK_OK);
	const size_t want[] = {5, 3, 2, 1, 0, 6, 4};
	struct queue_filter any = {0};
	struct queue_filter live = {.status_mask = 1u << ST_NEW | 1u << ST_OPEN |
						   1u << ST_PENDING | 1u << ST_ON_HOLD};
	for (int rev = 0; rev < 2; rev++) {
		for (int fi = 0; fi < 2; fi++) {
			const struct queue_filter *q = fi ? &live : &any;
			size_t n = fi ? ARRAY_LEN(want) - 1 : ARRAY_LEN(want);
			struct queue_page p = {0};
			ck_assert_int_eq(store_queue_page(f.st, q, SORT_URGENCY, rev, NULL, false, 20,
							  &p, &e),
					 DESK_OK);
			ck_assert_uint_eq(p.n, n);
			for (size_t i = 0; i < n; i++) {
				size_t w = rev ? want[n - 1 - i] : want[i];
				ck_assert_msg(p.rows[i].id == id[w], "%s%s: row %zu is %lld, expected %lld",
					      fi ? "live" : "all", rev ? " reversed" : "", i,
					      (long long)p.rows[i].id, (long long)id[w]);
			}
			queue_page_free(&p);
			/* One row at a time from each row's key: the same order. */
			struct queue_key k;
			for (size_t i = 0; i < n; i++) {
				ck_assert_int_eq(store_queue_page(f.st, q, SORT_URGENCY, rev,
								  i ? &k : NULL, false, 1, &p, &e),
						 DESK_OK);
				ck_assert_uint_eq(p.n, 1);
				ck_assert_int_eq(p.rows[0].id, id[rev ? want[n - 1 - i] : want[i]]);
				k = p.rows[0].key;
				queue_page_free(&p);
			}
		}
	}
	fx_close(&f);
}
END_TEST

START_TEST(queue_sort_names)
{
	static const char *const names[] = {"urgency", "priority", "created", "updated", "id"};
	for (int i = 0; i < SORT__COUNT; i++) {
		ck_assert_str_eq(queue_sort_name((enum queue_sort)i), names[i]);
		ck_assert_int_eq(queue_sort_from_name(names[i]), i);
	}
	ck_assert_int_eq(queue_sort_from_name("Urgency"), -1);
	ck_assert_int_eq(queue_sort_from_name(NULL), -1);
	ck_assert_str_eq(queue_sort_name(SORT__COUNT), "?");
}
END_TEST

/* --- the queue: filters ------------------------------------------------ */

struct ft {
	const char *subject;
	enum status status;
	enum priority prio;
	enum channel ch;
	int assignee; /* 0 none, 1 alice, 2 bob */
	const char *queue;
	const char *tags[3];
	int customer; /* 0 none, 1..3 */
	int64_t solved_at, next_due;
	int64_t merged_into;
};

static const struct ft filter_data[] = {
	/* 1 */ {"Cannot log in", ST_NEW, PRIO_LOW, CH_EMAIL, 0, "general", {0}, 1, 0, 5000, 0},
	/* 2 */ {"Refund 50% off", ST_OPEN, PRIO_NORMAL, CH_PHONE, 1, "billing", {"vip"}, 1, 0,
		 3000, 0},
	/* 3 */ {"Invoice a_b wrong", ST_PENDING, PRIO_HIGH, CH_CHAT, 2, "billing",
		 {"vip", "refund"}, 2, 0, 8000, 0},
	/* 4 */ {"Shipping delay", ST_ON_HOLD, PRIO_URGENT, CH_WEB, 1, "general", {"refund"}, 2, 0,
		 0, 0},
	/* 5 */ {"Thanks!", ST_SOLVED, PRIO_NORMAL, CH_EMAIL, 1, "general", {0}, 3, 9000, 0, 0},
	/* 6 */ {"Old issue", ST_CLOSED, PRIO_HIGH, CH_SOCIAL, 2, "billing", {"vip"}, 3, 2000, 0, 0},
	/* 7 */ {"Printer on fire", ST_OPEN, PRIO_URGENT, CH_WALK_IN, 0, "general", {0}, 1, 0, 1000,
		 0},
	/* 8 */ {"Merged dup of fire", ST_CLOSED, PRIO_NORMAL, CH_EMAIL, 0, "general", {"vip"}, 1, 0,
		 0, 7},
	/* 9 */ {"axb issue", ST_NEW, PRIO_LOW, CH_EMAIL, 0, "general", {0}, 0, 0, 7000, 0},
};

struct filter_fx {
	struct fx f;
	int64_t alice, bob, cust[4];
};

static void fill_filters(struct filter_fx *x)
{
	fx_open(&x->f);
	x->alice = add_agent(x->f.st, "alice", ROLE_AGENT);
	x->bob = add_agent(x->f.st, "bob", ROLE_AGENT);
	x->cust[0] = 0; /* no customer */
	x->cust[1] = add_customer(x->f.st, "Ann Lee", "ann@example.com");
	x->cust[2] = add_customer(x->f.st, "Ben 100%", "ben_k@example.org");
	x->cust[3] = add_customer(x->f.st, "", "carl@example.net");
	for (size_t i = 0; i < ARRAY_LEN(filter_data); i++) {
		const struct ft *d = &filter_data[i];
		int64_t who[] = {0, x->alice, x->bob};
		char *tags[4] = {0};
		size_t nt = 0;
		while (nt < 3 && d->tags[nt]) {
			tags[nt] = (char *)d->tags[nt];
			nt++;
		}
		struct ticket t = {.subject = (char *)d->subject, .status = d->status,
				   .priority = d->prio, .channel = d->ch,
				   .assignee_id = who[d->assignee], .queue = (char *)d->queue,
				   .customer_id = x->cust[d->customer], .solved_at = d->solved_at,
				   .next_due = d->next_due, .merged_into = d->merged_into,
				   .created_at = 100 + (int64_t)i, .tags = tags, .ntags = nt};
		ck_assert_int_eq(insert_ticket(x->f.st, &t), (int64_t)i + 1);
	}
}

/* The ids the filter selects, in id order, are exactly `want`, and
 * store_queue_count agrees. */
static void expect_ids(struct store *st, const struct queue_filter *qf, const char *what,
		       const int64_t *want, size_t nwant)
{
	struct derr e = {0};
	struct queue_page p = {0};
	int rc = store_queue_page(st, qf, SORT_ID, false, NULL, false, 100, &p, &e);
	ck_assert_msg(rc == DESK_OK, "%s: %s", what, e.msg);
	struct strbuf got = {0}, exp = {0};
	for (size_t i = 0; i < p.n; i++)
		sb_addf(&got, "%s%lld", i ? "," : "", (long long)p.rows[i].id);
	for (size_t i = 0; i < nwant; i++)
		sb_addf(&exp, "%s%lld", i ? "," : "", (long long)want[i]);
	ck_assert_msg(strcmp(sb_str(&got), sb_str(&exp)) == 0, "%s: got [%s], expected [%s]", what,
		      sb_str(&got), sb_str(&exp));
	int64_t n = -1;
	rc = store_queue_count(st, qf, &n, &e);
	ck_assert_msg(rc == DESK_OK, "%s count: %s", what, e.msg);
	ck_assert_msg(n == (int64_t)p.n, "%s: count %lld, page %zu", what, (long long)n, p.n);
	sb_free(&got);
	sb_free(&exp);
	queue_page_free(&p);
}

#define EXPECT(qf, ...)                                                                   \
	do {                                                                              \
		const int64_t want_[] = {0, __VA_ARGS__};                                 \
		expect_ids(x.f.st, &(qf), #qf " " #__VA_ARGS__, want_ + 1,                 \
			   ARRAY_LEN(want_) - 1);                                         \
	} while (0)

START_TEST(queue_filters)
{
	struct filter_fx x;
	fill_filters(&x);
	struct queue_filter all = {0};
	EXPECT(all, 1, 2, 3, 4, 5, 6, 7, 9); /* never the merged-away 8 */

	struct queue_filter st_open = {.status_mask = 1u << ST_OPEN};
	EXPECT(st_open, 2, 7);
	struct queue_filter st_np = {.status_mask = 1u << ST_NEW | 1u << ST_PENDING};
	EXPECT(st_np, 1, 3, 9);
	struct queue_filter st_done = {.status_mask = 1u << ST_SOLVED | 1u << ST_CLOSED};
	EXPECT(st_done, 5, 6);

	struct queue_filter pr_hi = {.priority_mask = 1u << PRIO_HIGH | 1u << PRIO_URGENT};
	EXPECT(pr_hi, 3, 4, 6, 7);
	struct queue_filter pr_low = {.priority_mask = 1u << PRIO_LOW};
	EXPECT(pr_low, 1, 9);

	struct queue_filter ch_mail = {.channel_mask = 1u << CH_EMAIL};
	EXPECT(ch_mail, 1, 5, 9);
	struct queue_filter ch_pc = {.channel_mask = 1u << CH_PHONE | 1u << CH_CHAT};
	EXPECT(ch_pc, 2, 3);
	struct queue_filter ch_walk = {.channel_mask = 1u << CH_WALK_IN | 1u << CH_SOCIAL};
	EXPECT(ch_walk, 6, 7);

	struct queue_filter as_none = {.assignee = ASSIGNEE_NONE};
	EXPECT(as_none, 1, 7, 9);
	struct queue_filter as_alice = {.assignee = ASSIGNEE_IS, .assignee_id = x.alice};
	EXPECT(as_alice, 2, 4, 5);
	struct queue_filter as_bob = {.assignee = ASSIGNEE_IS, .assignee_id = x.bob};
	EXPECT(as_bob, 3, 6);
	struct queue_filter as_any = {.assignee = ASSIGNEE_ANY, .assignee_id = x.bob};
	EXPECT(as_any, 1, 2, 3, 4, 5, 6, 7, 9);

	struct queue_filter q_billing = {.queue = "billing"};
	EXPECT(q_billing, 2, 3, 6);
	struct queue_filter q_none = {.queue = "Billing"};
	EXPECT(q_none);

	struct queue_filter tag_vip = {.tag = "vip"};
	EXPECT(tag_vip, 2, 3, 6);
	struct queue_filter tag_refund = {.tag = "refund"};
	EXPECT(tag_refund, 3, 4);
	struct queue_filter tag_none = {.tag = "nosuch"};
	EXPECT(tag_none);

	struct queue_filter cust1 = {.customer_id = x.cust[1]};
	EXPECT(cust1, 1, 2, 7);
	struct queue_filter cust3 = {.customer_id = x.cust[3]};
	EXPECT(cust3, 5, 6);

	struct queue_filter tx_name = {.text = "ann"};
	EXPECT(tx_name, 1, 2, 7);
	struct queue_filter tx_email = {.text = "EXAMPLE.NET"};
	EXPECT(tx_email, 5, 6);
	struct queue_filter tx_pct = {.text = "%"};
	EXPECT(tx_pct, 2, 3, 4); /* "50% off", and customer "Ben 100%" */
	struct queue_filter tx_us = {.text = "a_b"};
	EXPECT(tx_us, 3); /* not "axb" */
	struct queue_filter tx_subj = {.text = "refund"};
	EXPECT(tx_subj, 2); /* subjects, not tags */
	struct queue_filter tx_sp = {.text = "on fire"};
	EXPECT(tx_sp, 7);
	struct queue_filter tx_empty = {.text = ""};
	EXPECT(tx_empty, 1, 2, 3, 4, 5, 6, 7, 9);

	struct queue_filter solved_5k = {.solved_since = 5000};
	EXPECT(solved_5k, 5);
	struct queue_filter solved_1 = {.solved_since = 1};
	EXPECT(solved_1, 5, 6);
	struct queue_filter solved_9k = {.solved_since = 9000};
	EXPECT(solved_9k, 5);
	struct queue_filter solved_late = {.solved_since = 9001};
	EXPECT(solved_late);

	struct queue_filter due_4k = {.due_before = 4000};
	EXPECT(due_4k, 2, 7);
	struct queue_filter due_1k = {.due_before = 1000};
	EXPECT(due_1k);
	struct queue_filter due_1k1 = {.due_before = 1001};
	EXPECT(due_1k1, 7);
	struct queue_filter due_far = {.due_before = INT64_MAX};
	EXPECT(due_far, 1, 2, 3, 7, 9);

	struct queue_filter combo1 = {.status_mask = 1u << ST_OPEN, .assignee = ASSIGNEE_NONE};
	EXPECT(combo1, 7);
	struct queue_filter combo2 = {.queue = "billing", .tag = "vip",
				      .priority_mask = 1u << PRIO_HIGH};
	EXPECT(combo2, 3, 6);
	struct queue_filter combo3 = {.text = "e", .customer_id = x.cust[2], .tag = "refund",
				      .channel_mask = 1u << CH_WEB};
	EXPECT(combo3, 4);

	/* The rows carry what the queue shows. */
	struct derr e = {0};
	struct queue_page p = {0};
	struct queue_filter three = {.tag = "refund", .assignee = ASSIGNEE_IS, .assignee_id = x.bob};
	ck_assert_int_eq(store_queue_page(x.f.st, &three, SORT_ID, false, NULL, false, 10, &p, &e),
			 DESK_OK);
	ck_assert_uint_eq(p.n, 1);
	ck_assert_int_eq(p.rows[0].id, 3);
	ck_assert_int_eq(p.rows[0].status, ST_PENDING);
	ck_assert_int_eq(p.rows[0].priority, PRIO_HIGH);
	ck_assert_int_eq(p.rows[0].next_due, 8000);
	ck_assert_int_eq(p.rows[0].created_at, 102);
	ck_assert_str_eq(p.rows[0].customer, "Ben 100%");
	ck_assert_str_eq(p.rows[0].subject, "Invoice a_b wrong");
	ck_assert_str_eq(p.rows[0].assignee, "bob");
	ck_assert_str_eq(p.rows[0].tags, "refund vip");
	queue_page_free(&p);
	struct queue_filter five = {.customer_id = x.cust[3], .status_mask = 1u << ST_SOLVED};
	ck_assert_int_eq(store_queue_page(x.f.st, &five, SORT_ID, false, NULL, false, 10, &p, &e),
			 DESK_OK);
	ck_assert_uint_eq(p.n, 1);
	ck_assert_str_eq(p.rows[0].customer, "carl@example.net"); /* no name: the email */
	ck_assert_str_eq(p.rows[0].tags, "");
	ck_assert_str_eq(p.rows[0].assignee, "alice");
	queue_page_free(&p);
	struct queue_filter nine = {.text = "axb"};
	ck_assert_int_eq(store_queue_page(x.f.st, &nine, SORT_ID, false, NULL, false, 10, &p, &e),
			 DESK_OK);
	ck_assert_uint_eq(p.n, 1);
	ck_assert_str_eq(p.rows[0].customer, ""); /* no customer */
	ck_assert_ptr_null(p.rows[0].assignee);
	queue_page_free(&p);
	fx_close(&x.f);
}
END_TEST

/* --- full-text search -------------------------------------------------- */

START_TEST(fts_in_step)
{
	struct fx f;
	struct derr e = {0};
	fx_open(&f);
	int64_t refund = simple_ticket(f.st, "Refund for order 42");
	int64_t parcel = simple_ticket(f.st, "Delivery question");
	int64_t other = simple_ticket(f.st, "Password reset");
	int64_t msg = add_message(f.st, parcel, MSG_CUSTOMER, 0, "The parcel arrived damaged.", 5);
	add_message(f.st, other, MSG_NOTE, 0, "Café crème, naïve résumé", 6);

	struct queue_filter s_refund = {.search = "refund"};
	const int64_t want_refund[] = {refund};
	expect_ids(f.st, &s_refund, "refund", want_refund, 1);
	struct queue_filter s_damaged = {.search = "DAMAGED"};
	const int64_t want_parcel[] = {parcel};
	expect_ids(f.st, &s_damaged, "damaged", want_parcel, 1);
	struct queue_filter s_prefix = {.search = "refu*"};
	expect_ids(f.st, &s_prefix, "refu*", want_refund, 1);
	struct queue_filter s_two = {.search = "parcel damaged"};
	expect_ids(f.st, &s_two, "parcel damaged", want_parcel, 1);
	struct queue_filter s_both = {.search = "refund damaged"};
	expect_ids(f.st, &s_both, "refund damaged", NULL, 0); /* all words required */
	struct queue_filter s_diac = {.search = "creme resume"};
	const int64_t want_other[] = {other};
	if (!test_sqlite_only("fts_in_step", "letters without their accents (FTS5's "
					      "remove_diacritics; see pg_schema.c)"))
		expect_ids(f.st, &s_diac, "creme resume", want_other, 1);
	struct queue_filter s_combined = {.search = "refund", .status_mask = 1u << ST_OPEN};
	expect_ids(f.st, &s_combined, "refund, open only", NULL, 0);

	/* A subject changed through the store: the old word goes, the new
	 * one comes. */
	struct ticket t;
	ck_assert_int_eq(store_ticket_get(f.st, refund, &t, &e), DESK_OK);
	free(t.subject);
	t.subject = xstrdup("Return request");
	ck_assert_int_eq(store_ticket_update(f.st, &t, &e), DESK_OK);
	ticket_free(&t);
	expect_ids(f.st, &s_refund, "refund after update", NULL, 0);
	expect_ids(f.st, &s_prefix, "refu* after update", NULL, 0);
	struct queue_filter s_return = {.search = "return"};
	expect_ids(f.st, &s_return, "return", want_refund, 1);

	/* Rows deleted behind desk's back leave the index too. */
	char *sql = xasprintf("DELETE FROM messages WHERE id = %lld", (long long)msg);
	raw_ok(f.path, sql);
	free(sql);
	expect_ids(f.st, &s_damaged, "damaged after delete", NULL, 0);
	sql = xasprintf("DELETE FROM tickets WHERE id = %lld", (long long)refund);
	raw_ok(f.path, sql);
	free(sql);
	expect_ids(f.st, &s_return, "return after delete", NULL, 0);
	/* The index is consistent with its content tables. */
	if (!test_sqlite_only("fts_in_step", "FTS5's own integrity-check")) {
		raw_ok(f.path, "INSERT INTO ticket_fts(ticket_fts) VALUES ('integrity-check')");
		raw_ok(f.path, "INSERT INTO message_fts(message_fts) VALUES ('integrity-check')");
	}

	/* What a person types is never FTS5 syntax. */
	static const char *const odd[] = {
		"\"", "\"unbalanced", "(reset", "reset)", "NEAR(password reset)", "NEAR",
		"-reset", "*", "**", "AND OR", "password AND", "OR", "NOT reset", "^reset",
		"subject:reset", "a\"b", "{reset}", "reset + password", ":", "''", "\t \n",
	};
	for (size_t i = 0; i < ARRAY_LEN(odd); i++) {
		struct queue_filter q = {.search = odd[i]};
		struct queue_page p = {0};
		int rc = store_queue_page(f.st, &q, SORT_ID, false, NULL, false, 10, &p, &e);
		ck_assert_msg(rc == DESK_OK, "search %s: %s", odd[i], e.msg);
		int64_t n;
		rc = store_queue_count(f.st, &q, &n, &e);
		ck_assert_msg(rc == DESK_OK, "count %s: %s", odd[i], e.msg);
		ck_assert_int_eq(n, (int64_t)p.n);
		queue_page_free(&p);
	}
	/* Quoted words are still words. */
	struct queue_filter s_paren = {.search = "(password"};
	expect_ids(f.st, &s_paren, "(password", want_other, 1);
	struct queue_filter s_and = {.search = "password AND"};
	expect_ids(f.st, &s_and, "password AND", NULL, 0);
	struct queue_filter s_star = {.search = "*"};
	expect_ids(f.st, &s_star, "*", NULL, 0);
	fx_close(&f);
}
END_TEST

/* --- change notices ---------------------------------------------------- */

/* store_changed after a round trip on st's connection.  SQLite answers
 * from shared memory at once; PostgreSQL's notices come on the
 * connection after the commit that sent them, and a statement's answer
 * comes after any notice sent before it, so one read makes the answer
 * as certain there. */
static bool changed_now(struct store *st)
{
	struct derr e = {0};
	int64_t n;
	ck_assert_int_eq(store_ticket_count(st, &n, &e), DESK_OK);
	return store_changed(st);
}

START_TEST(changed_by_other_connection)
{
	struct fx f;
	struct derr e = {0};
	fx_open(&f);
	/* As a console opens it: told of other desks' commits. */
	store_close(&f.st);
	ck_assert_int_eq(store_open(f.path, STORE_WATCH, &f.st, &e), DESK_OK);
	struct store *other = NULL;
	ck_assert_int_eq(store_open(f.path, STORE_WATCH, &other, &e), DESK_OK);
	ck_assert(!changed_now(f.st));
	ck_assert(!changed_now(other));

	add_agent(other, "alice", ROLE_AGENT);
	ck_assert(changed_now(f.st));
	ck_assert(!changed_now(f.st)); /* once per change */
	ck_assert(!changed_now(other)); /* its own commit is no news */

	/* Its own writes are no news to itself. */
	simple_ticket(f.st, "mine");
	ck_assert(!changed_now(f.st));
	ck_assert(changed_now(other));

	/* A rolled-back transaction elsewhere changed nothing. */
	ck_assert_int_eq(store_begin(other, &e), DESK_OK);
	add_agent(other, "ghost", ROLE_AGENT);
	store_rollback(other);
	ck_assert(!changed_now(f.st));

	/* Nor does a read. */
	int64_t n;
	ck_assert_int_eq(store_ticket_count(other, &n, &e), DESK_OK);
	ck_assert(!changed_now(f.st));

	/* A raw connection counts as another desk too. */
	if (test_sqlite_only("changed_by_other_connection",
			     "a write by another program sends no notice")) {
		store_close(&other);
		fx_close(&f);
		return;
	}
	raw_ok(f.path, "UPDATE tickets SET queue = 'x'");
	ck_assert(changed_now(f.st));
	ck_assert(changed_now(other));
	ck_assert(!changed_now(f.st));
	store_close(&other);
	fx_close(&f);
}
END_TEST

/* --- JSON -------------------------------------------------------------- */

static const char nasty[] = "Zoë said \"hi\" \\ back\nline 2\ttab\r\x01" "A\x1b[31m\x1f\x7f"
			    " 日本語 😀 </script>";

START_TEST(json_round_trip)
{
	struct fx f;
	struct derr e = {0};
	fx_open(&f);
	int64_t alice = add_agent(f.st, "alice", ROLE_AGENT);
	struct customer c = {.name = (char *)nasty, .email = "zoe@example.com", .tier = "gold",
			     .created_at = 1};
	ck_assert_int_eq(store_customer_insert(f.st, &c, &e), DESK_OK);
	struct ticket t = {.subject = (char *)nasty, .status = ST_SOLVED, .priority = PRIO_HIGH,
			   .channel = CH_CHAT, .queue = "billing", .customer_id = c.id,
			   .assignee_id = alice, .created_at = 1793525400,
			   .updated_at = 1793525460, .solved_at = 1793529000,
			   .first_solved_at = 1793529000, .reopens = 3,
			   .tags = (char *[]){"vip", "a\"b", NULL}, .ntags = 2};
	int64_t id = insert_ticket(f.st, &t);
	add_message(f.st, id, MSG_CUSTOMER, 0, nasty, 1793525400);
	add_message(f.st, id, MSG_REPLY, alice, "plain", 1793525500);
	struct survey sv = {.ticket_id = id, .kind = SURVEY_NPS, .score = 9,
			    .answered_at = 1793530000};
	ck_assert_int_eq(store_survey_insert(f.st, &sv, &e), DESK_OK);
	struct event ev = {.ticket_id = id, .agent_id = alice, .at = 1793525500, .action = "set",
			   .field = "status", .old_value = "open", .new_value = "solved"};
	ck_assert_int_eq(store_event_insert(f.st, &ev, &e), DESK_OK);

	char *json = NULL;
	ck_assert_int_eq(store_ticket_json(f.st, id, false, true, &json, &e), DESK_OK);
	/* One line, control characters escaped. */
	ck_assert_ptr_null(strchr(json, '\n'));
	ck_assert_ptr_null(strchr(json, '\r'));
	ck_assert_ptr_null(strchr(json, '\x1b'));
	ck_assert_ptr_nonnull(strstr(json, "\\u0001"));
	ck_assert_ptr_nonnull(strstr(json, "\\\"hi\\\""));

	struct json_node *root = NULL;
	ck_assert_int_eq(store_json_parse(f.st, json, &root, &e), DESK_OK);
	ck_assert_int_eq(root->type, JSON_OBJECT);
	ck_assert_ptr_null(root->key);
	const struct json_node *n = json_get(root, "subject");
	ck_assert_int_eq(n->type, JSON_TEXT);
	ck_assert_str_eq(n->text, nasty);
	/* desk-INSTANCE-1: this database's name, then the ticket's id */
	const char *xid = json_get(root, "external_id")->text;
	ck_assert_int_eq(strlen(xid), strlen("desk-0123456789ab-1"));
	ck_assert(strncmp(xid, "desk-", 5) == 0 && strcmp(xid + 17, "-1") == 0);
	int64_t found = 0;
	ck_assert_int_eq(store_ticket_by_external_id(f.st, xid, &found, &e), DESK_OK);
	ck_assert_int_eq(found, 1);
	ck_assert_int_eq(store_ticket_by_external_id(f.st, "desk-000000000000-1", &found, &e),
			 DESK_ENOTFOUND);
	ck_assert_str_eq(json_get(root, "status")->text, "solved");
	ck_assert_str_eq(json_get(root, "priority")->text, "high");
	ck_assert_str_eq(json_get(root, "channel")->text, "chat");
	ck_assert_str_eq(json_get(root, "queue")->text, "billing");
	ck_assert_str_eq(json_get(root, "assignee")->text, "alice");
	ck_assert_str_eq(json_get(root, "created_at")->text, "2026-11-01T09:30:00Z");
	ck_assert_str_eq(json_get(root, "updated_at")->text, "2026-11-01T09:31:00Z");
	ck_assert_str_eq(json_get(root, "solved_at")->text, "2026-11-01T10:30:00Z");
	ck_assert_ptr_null(json_get(root, "closed_at")); /* unset: absent, not null */
	ck_assert_ptr_null(json_get(root, "events"));
	n = json_get(root, "reopens");
	ck_assert_int_eq(n->type, JSON_INTEGER);
	ck_assert_int_eq(n->integer, 3);
	const struct json_node *cu = json_get(root, "customer");
	ck_assert_int_eq(cu->type, JSON_OBJECT);
	ck_assert_str_eq(json_get(cu, "name")->text, nasty);
	ck_assert_str_eq(json_get(cu, "email")->text, "zoe@example.com");
	ck_assert_str_eq(json_get(cu, "tier")->text, "gold");
	ck_assert_ptr_null(json_get(cu, "phone"));
	const struct json_node *tags = json_get(root, "tags");
	ck_assert_int_eq(tags->type, JSON_ARRAY);
	ck_assert_str_eq(tags->child->text, "a\"b");
	ck_assert_ptr_null(tags->child->key);
	ck_assert_str_eq(tags->child->next->text, "vip");
	ck_assert_ptr_null(tags->child->next->next);
	const struct json_node *msgs = json_get(root, "messages");
	ck_assert_int_eq(msgs->type, JSON_ARRAY);
	const struct json_node *m0 = msgs->child;
	ck_assert_int_eq(m0->type, JSON_OBJECT);
	ck_assert_str_eq(json_get(m0, "kind")->text, "customer");
	ck_assert_str_eq(json_get(m0, "body")->text, nasty);
	ck_assert_str_eq(json_get(m0, "at")->text, "2026-11-01T09:30:00Z");
	ck_assert_ptr_null(json_get(m0, "author"));
	ck_assert_str_eq(json_get(m0->next, "author")->text, "alice");
	ck_assert_str_eq(json_get(m0->next, "body")->text, "plain");
	ck_assert_ptr_null(m0->next->next);
	const struct json_node *sv0 = json_get(root, "surveys")->child;
	ck_assert_str_eq(json_get(sv0, "kind")->text, "nps");
	ck_assert_int_eq(json_get(sv0, "score")->integer, 9);
	json_node_free(&root);
	ck_assert_ptr_null(root);
	free(json);

	/* With events; and the show form adds the id. */
	ck_assert_int_eq(store_ticket_json(f.st, id, true, true, &json, &e), DESK_OK);
	ck_assert_int_eq(store_json_parse(f.st, json, &root, &e), DESK_OK);
	const struct json_node *evs = json_get(root, "events");
	ck_assert_int_eq(evs->type, JSON_ARRAY);
	ck_assert_str_eq(json_get(evs->child, "agent")->text, "alice");
	ck_assert_str_eq(json_get(evs->child, "action")->text, "set");
	ck_assert_str_eq(json_get(evs->child, "field")->text, "status");
	ck_assert_str_eq(json_get(evs->child, "old")->text, "open");
	ck_assert_str_eq(json_get(evs->child, "new")->text, "solved");
	ck_assert_str_eq(json_get(evs->child, "at")->text, "2026-11-01T09:31:40Z");
	json_node_free(&root);
	free(json);
	ck_assert_int_eq(store_ticket_show_json(f.st, id, &json, &e), DESK_OK);
	ck_assert_int_eq(store_json_parse(f.st, json, &root, &e), DESK_OK);
	ck_assert_int_eq(json_get(root, "id")->integer, id);
	ck_assert_str_eq(json_get(root, "subject")->text, nasty);
	json_node_free(&root);
	free(json);
	ck_assert_int_eq(store_ticket_summary_json(f.st, id, &json, &e), DESK_OK);
	ck_assert_int_eq(store_json_parse(f.st, json, &root, &e), DESK_OK);
	ck_assert_int_eq(json_get(root, "id")->integer, id);
	ck_assert_str_eq(json_get(root, "customer")->text, nasty);
	ck_assert_str_eq(json_get(root, "customer_email")->text, "zoe@example.com");
	ck_assert_ptr_null(json_get(root, "next_due"));
	ck_assert_str_eq(json_get(root, "tags")->child->text, "a\"b");
	json_node_free(&root);
	free(json);

	ck_assert_int_eq(store_ticket_json(f.st, 999, false, true, &json, &e), DESK_ENOTFOUND);
	ck_assert_ptr_null(json);
	ck_assert_str_eq(e.msg, "no ticket 999");
	ck_assert_int_eq(store_ticket_summary_json(f.st, 999, &json, &e), DESK_ENOTFOUND);
	ck_assert_int_eq(store_ticket_show_json(f.st, 999, &json, &e), DESK_ENOTFOUND);
	fx_close(&f);
}
END_TEST

START_TEST(json_parse_values)
{
	struct fx f;
	struct derr e = {0};
	fx_open(&f);
	struct json_node *root = NULL;
	const char *text = "{\"a\": [1, 2.5, true, false, null, \"x\\u00e9\\n\"],"
			   " \"b\": {\"c\": {}}, \"e\": -7, \"k\\\"ey\": []}";
	ck_assert_int_eq(store_json_parse(f.st, text, &root, &e), DESK_OK);
	const struct json_node *a = json_get(root, "a");
	ck_assert_int_eq(a->type, JSON_ARRAY);
	ck_assert_str_eq(a->key, "a");
	const struct json_node *v = a->child;
	ck_assert_int_eq(v->type, JSON_INTEGER);
	ck_assert_int_eq(v->integer, 1);
	ck_assert_str_eq(v->text, "1");
	v = v->next;
	ck_assert_int_eq(v->type, JSON_REAL);
	ck_assert_str_eq(v->text, "2.5");
	v = v->next;
	ck_assert_int_eq(v->type, JSON_TRUE);
	v = v->next;
	ck_assert_int_eq(v->type, JSON_FALSE);
	v = v->next;
	ck_assert_int_eq(v->type, JSON_NULL);
	ck_assert_ptr_null(v->text);
	v = v->next;
	ck_assert_int_eq(v->type, JSON_TEXT);
	ck_assert_str_eq(v->text, "xé\n");
	ck_assert_ptr_null(v->next);
	const struct json_node *b = json_get(root, "b");
	ck_assert_int_eq(b->type, JSON_OBJECT);
	const struct json_node *c = json_get(b, "c");
	ck_assert_int_eq(c->type, JSON_OBJECT);
	ck_assert_ptr_null(c->child);
	ck_assert_int_eq(json_get(root, "e")->integer, -7);
	ck_assert_int_eq(json_get(root, "k\"ey")->type, JSON_ARRAY);
	ck_assert_ptr_null(json_get(root, "missing"));
	ck_assert_ptr_null(json_get(a, "0")); /* not an object */
	ck_assert_ptr_null(json_get(NULL, "a"));
	json_node_free(&root);

	/* A bare value is a document too. */
	ck_assert_int_eq(store_json_parse(f.st, "\"just text\"", &root, &e), DESK_OK);
	ck_assert_int_eq(root->type, JSON_TEXT);
	ck_assert_str_eq(root->text, "just text");
	json_node_free(&root);

	static const char *const bad[] = {"", "{", "{\"a\": 1,}", "[1 2]", "nope", "{'a': 1}",
					  "{\"a\": 1} trailing"};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		root = (struct json_node *)1;
		ck_assert_int_eq(store_json_parse(f.st, bad[i], &root, &e), DESK_EINVAL);
		ck_assert_str_eq(e.msg, "not valid JSON");
		ck_assert_ptr_null(root);
	}

	/* Deep nesting is refused, not overflowing anything. */
	struct strbuf deep = {0};
	for (int i = 0; i < 100; i++)
		sb_addc(&deep, '[');
	for (int i = 0; i < 100; i++)
		sb_addc(&deep, ']');
	ck_assert_int_eq(store_json_parse(f.st, sb_str(&deep), &root, &e), DESK_EINVAL);
	ck_assert_str_eq(e.msg, "JSON nested too deeply");
	ck_assert_ptr_null(root);
	sb_free(&deep);
	fx_close(&f);
}
END_TEST

Suite *suite_store(void)
{
	Suite *s = suite_create("store");
	TCase *t = tcase_create("open");
	/* Check's 4 s default: one database migrated from each of the
	 * fifteen-odd versions outgrew it on a loaded machine. */
	tcase_set_timeout(t, 60);
	tcase_add_test(t, open_creates_wal_database);
	tcase_add_test(t, open_refuses_newer_schema);
	tcase_add_test(t, open_refuses_non_database);
	tcase_add_test(t, open_readonly_needs_current_schema);
	tcase_add_test(t, backup_copies_a_consistent_whole);
	tcase_add_test(t, migrates_from_every_version);
	tcase_add_test(t, schema_version_bounds);
	tcase_add_test(t, transactions);
	suite_add_tcase(s, t);

	t = tcase_create("tables");
	tcase_add_test(t, agents_crud);
	tcase_add_test(t, customers_crud);
	tcase_add_test(t, tickets_round_trip);
	tcase_add_test(t, tags_add_remove);
	tcase_add_test(t, constraints);
	tcase_add_test(t, messages_crud);
	tcase_add_test(t, move_children);
	tcase_add_test(t, surveys_checked);
	tcase_add_test(t, events_crud);
	tcase_add_test(t, drafts_crud);
	suite_add_tcase(s, t);

	t = tcase_create("queue");
	tcase_set_timeout(t, 30);
	tcase_add_test(t, queue_keyset_paging);
	tcase_add_test(t, queue_urgency_agent_work_first);
	tcase_add_test(t, queue_sort_names);
	tcase_add_test(t, queue_filters);
	tcase_add_test(t, fts_in_step);
	suite_add_tcase(s, t);

	t = tcase_create("shared");
	tcase_add_test(t, changed_by_other_connection);
	tcase_add_test(t, json_round_trip);
	tcase_add_test(t, json_parse_values);
	suite_add_tcase(s, t);
	return s;
}
