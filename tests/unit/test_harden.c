/* test_harden.c: the database is desk's and files on the box cannot be
 * planted: new databases private (0600), the schema verified at open
 * (foreign triggers and views refused by name), defensive connections,
 * desk's group lowered and dropped (priv.h, in children of a root test
 * run that play a setgid desk), --shared folders taken only when empty,
 * and attachments written without following planted links. */
#define _GNU_SOURCE /* setresgid, getresgid */
#include <check.h>
#include <errno.h>
#include <grp.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>

#include "core.h"
#include "mail.h"
#include "priv.h"
#include "testlib.h"
#include "util.h"
/* Only to reach the store's own connection (defensive mode). */
#include "../../src/store/internal.h"

static void raw(const char *path, const char *sql)
{
	sqlite3 *db;
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	char *err = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &err);
	ck_assert_msg(rc == SQLITE_OK, "%s: %s", sql, err ? err : "");
	sqlite3_close(db);
}

static int64_t raw_int(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	int64_t v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

static char *new_db(char **dir)
{
	*dir = test_tmpdir();
	char *path = xasprintf("%s/desk.db", *dir);
	struct store *st = NULL;
	struct derr e = {0};
	ck_assert_msg(store_open(path, STORE_CREATE, &st, &e) == DESK_OK, "%s", e.msg);
	struct agent a = {.login = "ann", .name = "Ann", .role = ROLE_AGENT, .active = true};
	ck_assert_int_eq(store_agent_insert(st, &a, &e), DESK_OK);
	store_close(&st);
	return path;
}

/* Opening path is refused with DESK_ESCHEMA and a message holding want. */
static void expect_refused(const char *path, const char *want)
{
	struct store *st = NULL;
	struct derr e = {0};
	ck_assert_int_eq(store_open(path, 0, &st, &e), DESK_ESCHEMA);
	ck_assert_ptr_null(st);
	ck_assert_msg(strstr(e.msg, want) != NULL, "message: %s", e.msg);
	ck_assert_int_eq(store_open(path, STORE_READONLY, &st, &e), DESK_ESCHEMA);
	ck_assert_ptr_null(st);
}

static void expect_opens(const char *path)
{
	struct store *st = NULL;
	struct derr e = {0};
	ck_assert_msg(store_open(path, 0, &st, &e) == DESK_OK, "%s", e.msg);
	store_close(&st);
}

START_TEST(new_database_is_private)
{
	mode_t old = umask(022);
	char *dir, *path = new_db(&dir);
	umask(old);
	struct stat sb;
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 07777, 0600);
	free(path);
	test_tmpdir_cleanup(&dir);
}
END_TEST

START_TEST(foreign_trigger_refused)
{
	char *dir, *path = new_db(&dir);
	/* made to re-grant admin whenever desk writes an event */
	raw(path, "CREATE TRIGGER regrant AFTER INSERT ON events BEGIN"
		  " UPDATE agents SET role = 'admin'; END");
	expect_refused(path, ": the database holds a trigger \"regrant\" that desk did not make; "
			     "desk refuses to open a database whose schema was changed outside desk");
	ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM agents WHERE role = 'admin'"), 0);
	raw(path, "DROP TRIGGER regrant");
	expect_opens(path);
	free(path);
	test_tmpdir_cleanup(&dir);
}
END_TEST

START_TEST(negative_version_refused)
{
	char *dir, *path = new_db(&dir);
	/* user_version is anyone's to set; a negative one indexed the
	 * migrations out of bounds and skipped the schema check */
	raw(path, "PRAGMA user_version = -5");
	expect_refused(path, ": not a desk database (schema version -5, or unreadable)");
	free(path);
	test_tmpdir_cleanup(&dir);
}
END_TEST

START_TEST(foreign_view_and_table_refused)
{
	char *dir, *path = new_db(&dir);
	raw(path, "CREATE VIEW mine AS SELECT * FROM agents");
	expect_refused(path, "the database holds a view \"mine\" that desk did not make");
	raw(path, "DROP VIEW mine; CREATE TABLE stash (x)");
	expect_refused(path, "the database holds a table \"stash\" that desk did not make");
	raw(path, "DROP TABLE stash");
	expect_opens(path);
	free(path);
	test_tmpdir_cleanup(&dir);
}
END_TEST

START_TEST(changed_or_missing_object_refused)
{
	char *dir, *path = new_db(&dir);
	/* an index of desk's name over something else */
	raw(path, "DROP INDEX events_ticket; CREATE INDEX events_ticket ON events (agent_id)");
	expect_refused(path, "desk's index \"events_ticket\" was changed");
	raw(path, "DROP INDEX events_ticket");
	expect_refused(path, "desk's index \"events_ticket\" is missing");
	raw(path, "CREATE INDEX events_ticket ON events (ticket_id, id)");
	/* a trigger of desk's replaced by one that does more */
	raw(path, "DROP TRIGGER messages_facts_reply; CREATE TRIGGER messages_facts_reply AFTER "
		  "INSERT ON messages BEGIN DELETE FROM events; END");
	expect_refused(path, "desk's trigger \"messages_facts_reply\" was changed");
	free(path);
	test_tmpdir_cleanup(&dir);
}
END_TEST

START_TEST(tolerated_differences)
{
	char *dir, *path = new_db(&dir);
	/* the planner's statistics, and the FTS triggers a dead bulk load
	 * leaves dropped */
	raw(path, "ANALYZE; DROP TRIGGER messages_fts_ai");
	expect_opens(path);
	free(path);
	test_tmpdir_cleanup(&dir);
}
END_TEST

/* A foreign trigger in an old database is found before any migration
 * runs a statement that would fire it. */
START_TEST(old_version_checked_before_migrating)
{
	char *dir = test_tmpdir();
	char *path = xasprintf("%s/old.db", dir);
	struct store *st = NULL;
	struct derr e = {0};
	ck_assert_int_eq(store_open_memory(&st, &e), DESK_OK); /* the API works */
	store_close(&st);
	raw(path, "PRAGMA journal_mode = WAL");
	/* version 5 as the migrations make it, plus a trigger */
	{
		struct store *old = xcalloc(1, sizeof *old);
		old->path = xstrdup(path);
		ck_assert_int_eq(sqlite3_open(path, &old->db), SQLITE_OK);
		ck_assert_msg(schema_create(old, 5, &e) == DESK_OK, "%s", e.msg);
		store_close(&old);
	}
	raw(path, "CREATE TRIGGER t_evil AFTER UPDATE ON tickets BEGIN DELETE FROM events; END");
	expect_refused(path, "trigger \"t_evil\" that desk did not make");
	ck_assert_int_eq(raw_int(path, "PRAGMA user_version"), 5);
	free(path);
	test_tmpdir_cleanup(&dir);
}
END_TEST

/* The fast path's constant matches what the migrations make; when a
 * migration is added, this says what to write in schema_check.c. */
START_TEST(schema_fingerprint_current)
{
	struct derr e = {0};
	char *fp = schema_reference_fingerprint(&e);
	ck_assert_msg(fp != NULL, "%s", e.msg);
	char *dir, *path = new_db(&dir);
	struct store *st = NULL;
	ck_assert_int_eq(store_open(path, 0, &st, &e), DESK_OK);
	store_close(&st);
	ck_assert_msg(schema_fast_path_known(fp),
		      "src/store/schema_check.c: set known_schema to {%d, \"%s\"}",
		      STORE_SCHEMA_VERSION, fp);
	free(fp);
	free(path);
	test_tmpdir_cleanup(&dir);
}
END_TEST

START_TEST(connection_is_defensive)
{
	char *dir, *path = new_db(&dir);
	struct store *st = NULL;
	struct derr e = {0};
	ck_assert_int_eq(store_open(path, 0, &st, &e), DESK_OK);
	/* writable_schema would let a statement rewrite the schema itself */
	ck_assert_int_ne(st_exec(st, "PRAGMA writable_schema = ON; UPDATE sqlite_schema SET "
				     "sql = '' WHERE name = 'agents'",
				 &e),
			 DESK_OK);
	store_close(&st);
	expect_opens(path);
	free(path);
	test_tmpdir_cleanup(&dir);
}
END_TEST

/* --- the group privilege, as a setgid desk run by an agent has it ------ */

#define AGENT_UID 65534
#define DESK_GID 4242 /* any group nobody is in */

/* In a child of a root test run: real uid/gid nobody, effective and saved
 * group DESK_GID, as exec of a setgid desk gives. */
static void become_setgid_desk(void)
{
	if (setgroups(0, NULL) != 0 || setresgid(AGENT_UID, DESK_GID, DESK_GID) != 0 ||
	    setresuid(AGENT_UID, AGENT_UID, AGENT_UID) != 0)
		_exit(10);
}

static void run_child(void (*fn)(const char *), const char *arg)
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		become_setgid_desk();
		fn(arg);
		_exit(0);
	}
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child failed: %d",
		      WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status));
}

#define CHILD_CHECK(cond)                                                        \
	do {                                                                     \
		if (!(cond)) {                                                   \
			fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #cond); \
			_exit(1);                                                \
		}                                                                \
	} while (0)

static void lower_raise_drop(const char *unused)
{
	setenv("DESK_NOW", "1000", 1);
	setenv("G_DEBUG", "fatal-warnings", 1);
	setenv("DESK_DB", "/kept.db", 1);
	priv_init();
	CHILD_CHECK(getenv("DESK_NOW") == NULL && getenv("G_DEBUG") == NULL);
	CHILD_CHECK(getenv("DESK_DB") != NULL);
	CHILD_CHECK(time_now() > 1000);
	CHILD_CHECK(priv_setid() && priv_group() == DESK_GID);
	priv_lower();
	priv_lower();
	CHILD_CHECK(getegid() == AGENT_UID && priv_setid());
	priv_raise();
	CHILD_CHECK(getegid() == AGENT_UID);
	priv_raise();
	CHILD_CHECK(getegid() == DESK_GID);
	struct derr e = {0};
	CHILD_CHECK(priv_drop(&e) == DESK_OK);
	CHILD_CHECK(!priv_setid() && getegid() == AGENT_UID);
	CHILD_CHECK(setegid(DESK_GID) != 0); /* gone for good */
	CHILD_CHECK(priv_drop(&e) == DESK_OK);
}

/* Checked in the child itself: a shell would hide a missing drop (dash
 * and bash drop a set-id group themselves, but not every command is
 * run through one). */
static void child_has_no_group(const char *unused)
{
	pid_t pid = fork();
	if (pid == 0) {
		priv_child();
		gid_t r, e, s;
		bool dropped = getresgid(&r, &e, &s) == 0 && r == AGENT_UID && e == AGENT_UID &&
			       s == AGENT_UID && setegid(DESK_GID) != 0;
		_exit(dropped ? 0 : 1);
	}
	int status;
	CHILD_CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		    WEXITSTATUS(status) == 0);
	CHILD_CHECK(getegid() == DESK_GID); /* the parent keeps it */
}

static void files_as_agent(const char *dir)
{
	/* a file only desk's group may read: not read for the agent */
	char *secret = xasprintf("%s/secret", dir);
	errno = 0;
	CHILD_CHECK(read_file(secret, NULL) != NULL);
	CHILD_CHECK(priv_read_file(secret, NULL) == NULL && errno == EACCES);
	CHILD_CHECK(priv_fopen(secret, "r") == NULL && errno == EACCES);
	CHILD_CHECK(getegid() == DESK_GID);
	free(secret);
}

START_TEST(group_lowered_and_dropped)
{
	if (getuid() != 0)
		return; /* only root can play a setgid desk; CI runs as root */
	run_child(lower_raise_drop, NULL);
	char *dir = test_tmpdir();
	ck_assert_int_eq(chmod(dir, 0777), 0);
	run_child(child_has_no_group, NULL);
	char *secret = xasprintf("%s/secret", dir);
	FILE *f = fopen(secret, "w");
	ck_assert_ptr_nonnull(f);
	fputs("only for desk", f);
	fclose(f);
	ck_assert_int_eq(chown(secret, 0, DESK_GID), 0);
	ck_assert_int_eq(chmod(secret, 0640), 0);
	run_child(files_as_agent, dir);
	free(secret);
	test_tmpdir_cleanup(&dir);
}
END_TEST

/* The agent's own database elsewhere: opened after the group is dropped
 * for good; desk's trusted folder: kept. */
static void open_where(const char *dir)
{
	char *own = xasprintf("%s/own/desk.db", dir);
	char *theirs = xasprintf("%s/shared/desk.db", dir);
	struct derr e = {0};
	char *path = NULL;
	CHILD_CHECK(desk_check_access(theirs, false, &path, &e) == DESK_OK);
	CHILD_CHECK(path && priv_setid() && getegid() == DESK_GID);
	free(path);
	struct store *st = NULL;
	if (store_open(theirs, 0, &st, &e) != DESK_OK)
		fprintf(stderr, "%s\n", e.msg);
	CHILD_CHECK(st != NULL);
	store_close(&st);
	CHILD_CHECK(desk_check_access(own, true, &path, &e) == DESK_OK);
	CHILD_CHECK(!priv_setid() && getegid() == AGENT_UID);
	free(path);
	CHILD_CHECK(store_open(theirs, 0, &st, &e) != DESK_OK);
	free(own);
	free(theirs);
}

START_TEST(privilege_only_for_desks_folder)
{
	if (getuid() != 0)
		return;
	char *dir = test_tmpdir();
	ck_assert_int_eq(chmod(dir, 0755), 0);
	char *own = xasprintf("%s/own", dir), *shared = xasprintf("%s/shared", dir);
	ck_assert_int_eq(mkdir(own, 0700), 0);
	ck_assert_int_eq(chown(own, AGENT_UID, AGENT_UID), 0);
	ck_assert_int_eq(mkdir(shared, 02770), 0);
	ck_assert_int_eq(chown(shared, 0, DESK_GID), 0);
	ck_assert_int_eq(chmod(shared, 02770), 0); /* past the umask */
	char *db = xasprintf("%s/desk.db", shared);
	struct store *st = NULL;
	struct derr e = {0};
	ck_assert_int_eq(store_open(db, STORE_CREATE, &st, &e), DESK_OK);
	store_close(&st);
	/* As desk(1) has an admin do it: the database and the -wal and -shm
	 * that stay beside it. */
	for (const char *const *suffix = (const char *const[]){"", "-wal", "-shm", NULL};
	     *suffix; suffix++) {
		char *file = xasprintf("%s%s", db, *suffix);
		ck_assert_int_eq(chown(file, 0, DESK_GID), 0);
		ck_assert_int_eq(chmod(file, 0660), 0);
		free(file);
	}
	run_child(open_where, dir);
	free(db);
	free(own);
	free(shared);
	test_tmpdir_cleanup(&dir);
}
END_TEST

/* --- init --shared takes only a new, empty or desk's folder ------------- */

START_TEST(shared_init_refuses_someones_folder)
{
	if (getuid() != 0)
		return;
	char *dir = test_tmpdir();
	char *home = xasprintf("%s/home", dir);
	ck_assert_int_eq(mkdir(home, 0755), 0);
	ck_assert_int_eq(chown(home, AGENT_UID, AGENT_UID), 0);
	char *rc_file = xasprintf("%s/.bashrc", home);
	FILE *f = fopen(rc_file, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	const char *group = "root"; /* a group that surely exists */
	struct config cfg;
	config_defaults(&cfg);
	struct desk d = {0};
	struct derr e = {0};
	char *db = xasprintf("%s/desk.db", home);
	ck_assert_int_eq(desk_init_shared(&d, group, db, &cfg, NULL, &e), DESK_EDENIED);
	ck_assert_msg(strstr(e.msg, "the folder has files in it and is not desk's") != NULL, "%s",
		      e.msg);
	struct stat sb;
	ck_assert_int_eq(stat(home, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 07777, 0755);
	ck_assert_int_eq(sb.st_uid, AGENT_UID);
	ck_assert_int_eq(access(db, F_OK), -1);
	/* an empty one is taken, made root's */
	char *fresh = xasprintf("%s/team", dir);
	ck_assert_int_eq(mkdir(fresh, 0777), 0);
	char *db2 = xasprintf("%s/desk.db", fresh);
	ck_assert_msg(desk_init_shared(&d, group, db2, &cfg, NULL, &e) == DESK_OK, "%s", e.msg);
	desk_close(&d);
	ck_assert_int_eq(stat(fresh, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 07777, 02770);
	ck_assert_int_eq(stat(db2, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 07777, 0660);
	config_free(&cfg);
	free(db);
	free(db2);
	free(fresh);
	free(rc_file);
	free(home);
	test_tmpdir_cleanup(&dir);
}
END_TEST

/* --- attachments in a folder others can write ---------------------------- */

static const char mail_with_png[] = "From: ann@example.com\n"
				    "Subject: invoice\n"
				    "Message-ID: <att1@x>\n"
				    "Content-Type: multipart/mixed; boundary=B\n"
				    "\n"
				    "--B\n"
				    "Content-Type: text/plain\n"
				    "\n"
				    "see attached\n"
				    "--B\n"
				    "Content-Type: image/png\n"
				    "Content-Disposition: attachment; filename=\"shot.png\"\n"
				    "Content-Transfer-Encoding: base64\n"
				    "\n"
				    "iVBORw0KGgo=\n"
				    "--B--\n";

struct afx {
	char *dir, *files, *victim, *sub, *name;
	struct config cfg;
	struct desk d;
};

static void afx_open(struct afx *f)
{
	memset(f, 0, sizeof *f);
	f->dir = test_tmpdir();
	f->files = xasprintf("%s/files", f->dir);
	f->victim = xasprintf("%s/victim", f->dir);
	FILE *v = fopen(f->victim, "w");
	ck_assert_ptr_nonnull(v);
	fputs("the MTA user's own file", v);
	fclose(v);
	gchar *sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256,
						 (const guchar *)"\x89PNG\r\n\x1a\n", 8);
	f->sub = xasprintf("%s/%.2s", f->files, sum);
	f->name = xasprintf("%s/%s", f->sub, sum);
	g_free(sum);
	ck_assert_int_eq(mkdir(f->files, 02770), 0);
	struct derr e = {0};
	char *yaml = xasprintf("mail:\n  attachments_dir: %s\n", f->files);
	char *cname = xasprintf("%s/config.yaml", f->dir);
	ck_assert_msg(config_load_string(yaml, cname, &f->cfg, &e) == DESK_OK, "%s", e.msg);
	char *db = xasprintf("%s/desk.db", f->dir);
	ck_assert_msg(desk_init(&f->d, db, &f->cfg, NULL, &e) == DESK_OK, "%s", e.msg);
	free(db);
	free(cname);
	free(yaml);
}

static void afx_close(struct afx *f)
{
	desk_close(&f->d);
	config_free(&f->cfg);
	test_tmpdir_cleanup(&f->dir);
	free(f->files);
	free(f->victim);
	free(f->sub);
	free(f->name);
}

static int ingest_png(struct afx *f, struct derr *e)
{
	struct ingest_result r;
	bool fault;
	return core_ingest(&f->d, mail_with_png, strlen(mail_with_png), NULL, &r, &fault, e);
}

static void expect_victim_intact(struct afx *f)
{
	char *text = read_file(f->victim, NULL);
	ck_assert_ptr_nonnull(text);
	ck_assert_str_eq(text, "the MTA user's own file");
	free(text);
}

static void expect_attachment_saved(struct afx *f)
{
	struct stat sb;
	ck_assert_int_eq(lstat(f->name, &sb), 0);
	ck_assert(S_ISREG(sb.st_mode));
	size_t len;
	char *data = read_file(f->name, &len);
	ck_assert_uint_eq(len, 8);
	ck_assert(memcmp(data, "\x89PNG\r\n\x1a\n", 8) == 0);
	free(data);
}

START_TEST(attachment_not_written_through_links)
{
	struct afx f;
	afx_open(&f);
	ck_assert_int_eq(mkdir(f.sub, 02770), 0);
	/* a link where the file goes, and where the old code's temporary
	 * file (NAME.tmp.PID) went */
	ck_assert_int_eq(symlink(f.victim, f.name), 0);
	char *tmp = xasprintf("%s.tmp.%ld", f.name, (long)getpid());
	ck_assert_int_eq(symlink(f.victim, tmp), 0);
	struct derr e = {0};
	ck_assert_msg(ingest_png(&f, &e) == DESK_OK, "%s", e.msg);
	expect_victim_intact(&f);
	expect_attachment_saved(&f);
	free(tmp);
	afx_close(&f);
}
END_TEST

START_TEST(attachment_of_right_size_but_other_content_replaced)
{
	struct afx f;
	afx_open(&f);
	ck_assert_int_eq(mkdir(f.sub, 02770), 0);
	FILE *p = fopen(f.name, "w");
	ck_assert_ptr_nonnull(p);
	fputs("EVILEVIL", p); /* 8 bytes, like the real one */
	fclose(p);
	struct derr e = {0};
	ck_assert_msg(ingest_png(&f, &e) == DESK_OK, "%s", e.msg);
	expect_attachment_saved(&f);
	afx_close(&f);
}
END_TEST

START_TEST(attachment_folder_link_refused)
{
	struct afx f;
	afx_open(&f);
	char *elsewhere = xasprintf("%s/elsewhere", f.dir);
	ck_assert_int_eq(mkdir(elsewhere, 0700), 0);
	ck_assert_int_eq(symlink(elsewhere, f.sub), 0);
	struct derr e = {0};
	ck_assert_int_eq(ingest_png(&f, &e), DESK_EIO);
	ck_assert_msg(strstr(e.msg, "opening a folder") != NULL, "%s", e.msg);
	char *inside = xasprintf("%s/%s", elsewhere, strrchr(f.name, '/') + 1);
	ck_assert_int_eq(access(inside, F_OK), -1);
	free(inside);
	free(elsewhere);
	afx_close(&f);
}
END_TEST

Suite *suite_harden(void)
{
	Suite *s = suite_create("harden");
	TCase *t = tcase_create("schema");
	tcase_set_timeout(t, 30);
	tcase_add_test(t, new_database_is_private);
	tcase_add_test(t, foreign_trigger_refused);
	tcase_add_test(t, negative_version_refused);
	tcase_add_test(t, foreign_view_and_table_refused);
	tcase_add_test(t, changed_or_missing_object_refused);
	tcase_add_test(t, tolerated_differences);
	tcase_add_test(t, old_version_checked_before_migrating);
	tcase_add_test(t, connection_is_defensive);
	tcase_add_test(t, schema_fingerprint_current);
	suite_add_tcase(s, t);
	t = tcase_create("priv");
	tcase_set_timeout(t, 30);
	tcase_add_test(t, group_lowered_and_dropped);
	tcase_add_test(t, privilege_only_for_desks_folder);
	tcase_add_test(t, shared_init_refuses_someones_folder);
	suite_add_tcase(s, t);
	t = tcase_create("attachments");
	tcase_set_timeout(t, 30);
	tcase_add_test(t, attachment_not_written_through_links);
	tcase_add_test(t, attachment_of_right_size_but_other_content_replaced);
	tcase_add_test(t, attachment_folder_link_refused);
	suite_add_tcase(s, t);
	return s;
}
