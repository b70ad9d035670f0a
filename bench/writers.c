/* writers.c: bench-writers, many agents writing to one database at once.
 *
 *   bench-writers --db PATH [--procs 16] [--notes 100] [--tickets 2000]
 *                 [--gap-ms 200] [--seed S]
 *   bench-writers --baseline PATH [--procs 16] [--notes 100] [--gap-ms 200]
 *   bench-writers --baseline CONNINFO --unlocked [...]
 *
 * Forks PROCS processes; each opens the database as its own agent (as
 * `desk note` would, through core/), then adds NOTES internal notes to
 * random open tickets (of the first 2000 in the open queue; closed ones
 * take no notes) with core_note, sleeping a random 0..GAP ms between
 * them (after one untimed warm-up note, a start line all writers wait
 * at, then a random start within one gap).  Each core_note is one
 * BEGIN IMMEDIATE ... COMMIT with its audit event; its wall time
 * (waiting for the write lock included) is what is measured.  Prints p50/p99/max over all notes,
 * the failures (which must be 0) and the commits per second.
 *
 * --baseline is the floor to compare with: the same processes, pauses
 * and timing, each "note" one row inserted by bare SQLite into its own
 * database PATH (made if missing: WAL, synchronous=FULL like desk) behind
 * the same gate desk uses (flock on PATH-gate around BEGIN IMMEDIATE ...
 * COMMIT).
 *
 * On PostgreSQL (--db CONNINFO) each writer connects as its agent's own
 * login role (CONNINFO user=agentNNN; desk db copy made them), as an
 * agent's desk does, so the row policies apply.  --baseline CONNINFO is
 * then bare libpq on a connection of its own per process: BEGIN and the
 * advisory lock desk's writers take (pg_conn.c), one INSERT, COMMIT and
 * the wait for its flush as desk does them, four round trips, into a
 * table of its own in that database; with --unlocked, BEGIN, INSERT,
 * COMMIT and no lock, the box's own limit. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core.h"
#include "util.h"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The start line: every writer opens the database and writes its
 * warm-up note first, then says so on ready_fd and waits on go_fd until
 * the parent closes it, once all are ready.  Without it the first notes
 * measured the other processes' start-up (each parses the schema: 128
 * of them on two cores is a second of CPU), not the writes. */
static void wait_for_start(int ready_fd, int go_fd)
{
	char c = 'r';
	if (write(ready_fd, &c, 1) != 1)
		return;
	while (read(go_fd, &c, 1) < 0 && errno == EINTR)
		;
}

static int64_t *ids;
static size_t nids;

/* The tickets to write to: open ones, by keyset through the queue. */
static int load_ids(const char *db, long max)
{
	struct store *st;
	struct derr e = {0};
	if (store_open(db, 0, &st, &e)) { /* read-write: migrates an older file */
		fprintf(stderr, "bench-writers: %s\n", e.msg);
		return -1;
	}
	struct queue_filter f = {.status_mask = 1u << ST_NEW | 1u << ST_OPEN |
						1u << ST_PENDING | 1u << ST_ON_HOLD};
	struct queue_page p = {0};
	int rc = store_queue_page(st, &f, SORT_ID, false, NULL, false, (int)max, &p, &e);
	ids = calloc(p.n + 1, sizeof *ids);
	for (size_t i = 0; i < p.n; i++)
		ids[nids++] = p.rows[i].id;
	queue_page_free(&p);
	store_close(&st);
	if (rc || !nids) {
		fprintf(stderr, "bench-writers: no open tickets%s%s\n", rc ? ": " : "", e.msg);
		return -1;
	}
	return 0;
}

static int writer(const char *db, int idx, int notes, int gap_ms, unsigned seed, int out_fd,
		  int ready_fd, int go_fd)
{
	struct config cfg;
	struct derr e = {0};
	config_defaults(&cfg);
	struct desk d;
	char login[32];
	snprintf(login, sizeof login, "agent%03d", idx % 8 + 1); /* bench-gen makes >= 8 */
	/* On PostgreSQL the server knows the agent by the role. */
	bool server = database_is_server(db);
	char *conn = server ? xasprintf("%s user=%s", db, login) : xstrdup(db);
	int rc_open = desk_open(&d, conn, &cfg, server ? NULL : login, 0, &e);
	free(conn);
	if (rc_open) {
		fprintf(stderr, "bench-writers: %s\n", e.msg);
		return 1;
	}
	unsigned r = seed * 7919u + (unsigned)idx;
	/* One note first, untimed, that prepares the statements and warms
	 * the page cache; then agents do not all start typing at the same
	 * instant: a random start within one gap. */
	core_note(&d, ids[(size_t)rand_r(&r) % nids], "Bench warm-up note.", &e);
	wait_for_start(ready_fd, go_fd);
	if (gap_ms)
		usleep((useconds_t)(rand_r(&r) % (gap_ms * 1000 + 1)));
	for (int i = 0; i < notes; i++) {
		int64_t id = ids[(size_t)rand_r(&r) % nids];
		char body[128];
		snprintf(body, sizeof body, "Bench note %d from writer %d: checked with the courier.",
			 i, idx);
		double t0 = now_ms();
		int rc = core_note(&d, id, body, &e);
		double ms = rc == DESK_OK ? now_ms() - t0 : -1;
		if (write(out_fd, &ms, sizeof ms) != sizeof ms)
			break;
		if (rc && i == 0)
			fprintf(stderr, "bench-writers: %s\n", e.msg);
		if (gap_ms)
			usleep((useconds_t)(rand_r(&r) % (gap_ms * 1000 + 1)));
	}
	desk_close(&d);
	config_free(&cfg);
	return 0;
}

/* One bare SQLite writer: what a note costs with nothing of desk. */
static int baseline_writer(const char *path, int idx, int notes, int gap_ms, unsigned seed,
			   int out_fd, int ready_fd, int go_fd)
{
	sqlite3 *db;
	char *gate = xasprintf("%s-gate", path);
	int fd = open(gate, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	free(gate);
	if (fd < 0 || sqlite3_open(path, &db) != SQLITE_OK) {
		fprintf(stderr, "bench-writers: %s: cannot open\n", path);
		return 1;
	}
	sqlite3_busy_timeout(db, 200);
	sqlite3_exec(db, "PRAGMA synchronous = FULL", NULL, NULL, NULL);
	sqlite3_stmt *begin, *ins, *commit;
	sqlite3_prepare_v2(db, "BEGIN IMMEDIATE", -1, &begin, NULL);
	sqlite3_prepare_v2(db, "INSERT INTO notes (writer, body) VALUES (?1, ?2)", -1, &ins, NULL);
	sqlite3_prepare_v2(db, "COMMIT", -1, &commit, NULL);
	unsigned r = seed * 7919u + (unsigned)idx;
	for (int i = -1; i < notes; i++) { /* -1: the untimed warm-up */
		if (i == 0) {
			wait_for_start(ready_fd, go_fd);
			if (gap_ms)
				usleep((useconds_t)(rand_r(&r) % (gap_ms * 1000 + 1)));
		}
		char body[128];
		snprintf(body, sizeof body, "Bench note %d from writer %d: checked with the courier.",
			 i, idx);
		double t0 = now_ms();
		while (flock(fd, LOCK_EX) != 0 && errno == EINTR)
			;
		int rc = sqlite3_step(begin);
		sqlite3_reset(begin);
		if (rc == SQLITE_DONE) {
			sqlite3_bind_int(ins, 1, idx);
			sqlite3_bind_text(ins, 2, body, -1, SQLITE_TRANSIENT);
			rc = sqlite3_step(ins);
			sqlite3_reset(ins);
			if (rc == SQLITE_DONE)
				rc = sqlite3_step(commit);
			sqlite3_reset(commit);
			if (rc != SQLITE_DONE)
				sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		}
		flock(fd, LOCK_UN);
		double ms = rc == SQLITE_DONE ? now_ms() - t0 : -1;
		if (i >= 0 && write(out_fd, &ms, sizeof ms) != sizeof ms)
			break;
		if (gap_ms && i >= 0)
			usleep((useconds_t)(rand_r(&r) % (gap_ms * 1000 + 1)));
	}
	sqlite3_finalize(begin);
	sqlite3_finalize(ins);
	sqlite3_finalize(commit);
	sqlite3_close(db);
	close(fd);
	return 0;
}

/* The advisory lock every desk writer takes, and how it commits: the
 * lock goes before the WAL flush, then a tiny transaction waits for it
 * (pg_conn.c's). */
#define PG_WRITER_LOCK "SELECT pg_advisory_xact_lock(1684370283)"
#define PG_COMMIT "SET LOCAL synchronous_commit = off; COMMIT"
#define PG_FLUSHED "SELECT pg_logical_emit_message(true, 'desk', '')"
/* --unlocked: no lock at all and a plain synchronous COMMIT, what the
 * box itself allows when nothing serializes the writers. */
static bool unlocked;

static bool pg_ok(PGresult *r)
{
	ExecStatusType st = PQresultStatus(r);
	PQclear(r);
	return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

/* One bare libpq writer: the PostgreSQL floor. */
static int baseline_pg_writer(const char *conninfo, int idx, int notes, int gap_ms,
			      unsigned seed, int out_fd, int ready_fd, int go_fd)
{
	PGconn *c = PQconnectdb(conninfo);
	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "bench-writers: %s", PQerrorMessage(c));
		PQfinish(c);
		return 1;
	}
	unsigned r = seed * 7919u + (unsigned)idx;
	char writer[16];
	snprintf(writer, sizeof writer, "%d", idx);
	for (int i = -1; i < notes; i++) { /* -1: the untimed warm-up */
		if (i == 0) {
			wait_for_start(ready_fd, go_fd);
			if (gap_ms)
				usleep((useconds_t)(rand_r(&r) % (gap_ms * 1000 + 1)));
		}
		char body[128];
		snprintf(body, sizeof body, "Bench note %d from writer %d: checked with the courier.",
			 i, idx);
		const char *params[2] = {writer, body};
		double t0 = now_ms();
		bool ok = pg_ok(PQexec(c, unlocked ? "BEGIN" : "BEGIN; " PG_WRITER_LOCK)) &&
			  pg_ok(PQexecParams(c, "INSERT INTO bench_notes (writer, body)"
						" VALUES ($1::bigint, $2)",
					     2, NULL, params, NULL, NULL, 0)) &&
			  (unlocked ? pg_ok(PQexec(c, "COMMIT"))
				    : pg_ok(PQexec(c, PG_COMMIT)) && pg_ok(PQexec(c, PG_FLUSHED)));
		if (!ok)
			pg_ok(PQexec(c, "ROLLBACK"));
		double ms = ok ? now_ms() - t0 : -1;
		if (i >= 0 && write(out_fd, &ms, sizeof ms) != sizeof ms)
			break;
		if (gap_ms && i >= 0)
			usleep((useconds_t)(rand_r(&r) % (gap_ms * 1000 + 1)));
	}
	PQfinish(c);
	return 0;
}

static int baseline_pg_create(const char *conninfo)
{
	PGconn *c = PQconnectdb(conninfo);
	bool ok = PQstatus(c) == CONNECTION_OK &&
		  pg_ok(PQexec(c, "SET client_min_messages = warning;"
				  "CREATE TABLE IF NOT EXISTS bench_notes (id bigint GENERATED"
				  " BY DEFAULT AS IDENTITY PRIMARY KEY, writer bigint NOT NULL,"
				  " body text NOT NULL)"));
	if (!ok)
		fprintf(stderr, "bench-writers: %s", PQerrorMessage(c));
	PQfinish(c);
	return ok ? 0 : -1;
}

static int baseline_create(const char *path)
{
	sqlite3 *db;
	int rc = sqlite3_open(path, &db);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "PRAGMA journal_mode = WAL;"
				      "CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY,"
				      " writer INTEGER NOT NULL, body TEXT NOT NULL)",
				  NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		fprintf(stderr, "bench-writers: %s: %s\n", path, sqlite3_errmsg(db));
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"procs", required_argument, NULL, 'p'},
		{"notes", required_argument, NULL, 'n'},
		{"tickets", required_argument, NULL, 't'},
		{"gap-ms", required_argument, NULL, 'g'},
		{"seed", required_argument, NULL, 's'},
		{"baseline", required_argument, NULL, 'b'},
		{"unlocked", no_argument, NULL, 'u'},
		{0},
	};
	const char *db = NULL, *base = NULL;
	int procs = 16, notes = 100, gap = 200;
	long tickets = 2000;
	unsigned seed = 1;
	int o;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'd': db = optarg; break;
		case 'p': procs = atoi(optarg); break;
		case 'n': notes = atoi(optarg); break;
		case 't': tickets = atol(optarg); break;
		case 'g': gap = atoi(optarg); break;
		case 's': seed = (unsigned)atoi(optarg); break;
		case 'b': base = optarg; break;
		case 'u': unlocked = true; break;
		default: return 2;
		}
	}
	if (!db == !base || procs < 1 || notes < 1 || tickets < 1 || gap < 0 ||
	    (unlocked && !(base && database_is_server(base)))) {
		fprintf(stderr, "usage: bench-writers --db PATH [--procs N] [--notes N]"
				" [--tickets N] [--gap-ms MS] [--seed S]\n"
				"       bench-writers --baseline PATH [--procs N] [--notes N]"
				" [--gap-ms MS] [--seed S]\n"
				"       bench-writers --baseline CONNINFO --unlocked [...]\n");
		return 2;
	}
	bool base_pg = base && database_is_server(base);
	if (base ? base_pg ? baseline_pg_create(base) : baseline_create(base)
		 : load_ids(db, tickets))
		return 1;
	int fds[2], ready[2], go[2];
	if (pipe(fds) || pipe(ready) || pipe(go)) {
		perror("bench-writers: pipe");
		return 1;
	}
	for (int i = 0; i < procs; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			close(fds[0]);
			close(ready[0]);
			close(go[1]);
			_exit(base_pg ? baseline_pg_writer(base, i, notes, gap, seed, fds[1], ready[1],
							   go[0])
			      : base  ? baseline_writer(base, i, notes, gap, seed, fds[1], ready[1], go[0])
				      : writer(db, i, notes, gap, seed, fds[1], ready[1], go[0]));
		}
		if (pid < 0) {
			perror("bench-writers: fork");
			return 1;
		}
	}
	close(fds[1]);
	close(ready[1]);
	close(go[0]);
	/* All ready (or gone: a writer that failed to open closes its end). */
	char c;
	for (int got = 0; got < procs && read(ready[0], &c, 1) == 1; got++)
		;
	close(ready[0]);
	double t0 = now_ms();
	close(go[1]);
	size_t n = 0, cap = (size_t)procs * (size_t)notes;
	double *ms = calloc(cap, sizeof *ms), v;
	long failed = 0;
	while (read(fds[0], &v, sizeof v) == sizeof v) {
		if (v < 0)
			failed++;
		else if (n < cap)
			ms[n++] = v;
	}
	int bad = 0, st;
	while (wait(&st) > 0)
		bad += !WIFEXITED(st) || WEXITSTATUS(st) != 0;
	double wall = now_ms() - t0;
	qsort(ms, n, sizeof *ms, cmp_d);
	if (n)
		printf("writers %d notes %zu failed %ld p50_ms %.2f p99_ms %.2f max_ms %.2f "
		       "commits_per_s %.0f\n",
		       procs, n, failed, ms[n / 2], ms[(size_t)(0.99 * (double)(n - 1) + 0.5)],
		       ms[n - 1], n / (wall / 1000));
	else
		printf("writers %d notes 0 failed %ld\n", procs, failed);
	free(ms);
	return bad || failed || !n;
}
