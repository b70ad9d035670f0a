/* gate.c: the write gate, a lock file beside the database (PATH-gate)
 * that every desk writer holds with flock(LOCK_EX) from just before
 * BEGIN IMMEDIATE to just after COMMIT or ROLLBACK.
 *
 * Why: SQLite's busy handler sleeps and retries with no order, so under
 * a storm of writers some wait for seconds and give up while others
 * write again and again.  Waiters on flock sleep in the kernel and are
 * woken the moment the gate is free, so a write waits only for the
 * writers ahead of it, and BEGIN IMMEDIATE inside the gate finds the
 * database free.
 *
 * The holder writes "pid start-ms label beats" into the file, and
 * rewrites it once a second while it runs statements (gate_heartbeat).  A waiter wakes
 * every GATE_SLICE_MS to read it: while the record changes the gate is
 * moving and it waits on, however long the queue; a record unchanged for
 * the bound (GATE_STUCK_MS) is a stuck writer, which the waiter names.
 *
 * A long job that writes batch after batch (an import) lets the agents
 * waiting go first between its batches: a waiter holds a shared lock on
 * the byte after the record while it waits (an OFD byte-range lock,
 * which does not touch the flock), and store_let_waiters_first waits
 * until that byte is free.  flock wakes every waiter and the first to
 * run wins, so without this the importer, straight back at the gate,
 * often beat agents the scheduler had not run yet.
 *
 * A gate that cannot be opened (a read-only folder, a file of someone
 * else's) is not an error: the writer goes on with SQLite's busy handler
 * alone, and store_gate_problem() says why once. */
/* F_OFD_SETLK and F_OFD_GETLK: Linux's open-file-description locks. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "priv.h"
#include "text.h"
#include "util.h"

#define GATE_SLICE_MS 500
#define GATE_STUCK_MS 30000
#define GATE_RECORD 128 /* bytes: "pid start-ms label", space padded */
#define GATE_WAITING GATE_RECORD /* the byte a waiter holds shared while it waits */

static char gate_problem[512];

const char *store_gate_problem(void)
{
	return gate_problem[0] ? gate_problem : NULL;
}

static long long wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long long mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The bound after which an unmoving gate is a stuck writer; tests shorten
 * it (never an installed, set-id desk). */
static long long stuck_ms(void)
{
	const char *env = priv_setid() ? NULL : getenv("DESK_GATE_STUCK_MS");
	long long v = env ? atoll(env) : 0;
	return v > 0 ? v : GATE_STUCK_MS;
}

/* Opens PATH-gate (or another PATH-SUFFIX lock file: import_spool.c),
 * made like SQLite makes -wal and -shm: the database's mode bits (so a
 * group-shared database gets a group-writable gate, the group coming
 * from the setgid folder), owned like the database when root makes it. */
int lockfile_open(const char *db_path, const char *suffix, char **why)
{
	struct stat db;
	if (stat(db_path, &db) != 0) {
		*why = xasprintf("%s", strerror(errno));
		return -1;
	}
	char *path = xasprintf("%s-%s", db_path, suffix);
	mode_t mode = db.st_mode & 0666;
	int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0) {
		*why = xasprintf("%s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	struct stat gs;
	if (fstat(fd, &gs) != 0 || !S_ISREG(gs.st_mode)) {
		*why = xasprintf("%s: not a regular file", path);
		close(fd);
		free(path);
		return -1;
	}
	/* Made just now (ours, empty) under a umask that took bits the
	 * database has: give them back, as SQLite does for its files. */
	if (gs.st_uid == geteuid() && gs.st_size == 0 && (gs.st_mode & 0777) != mode)
		if (fchmod(fd, mode) != 0) { /* best effort: the gate still works for us */
		}
	if (geteuid() == 0 && gs.st_size == 0 && (gs.st_uid != db.st_uid || gs.st_gid != db.st_gid))
		if (fchown(fd, db.st_uid, db.st_gid) != 0) {
		}
	free(path);
	return fd;
}

static volatile sig_atomic_t slice_over;

static void on_alarm(int sig)
{
	(void)sig;
	slice_over = 1;
}

/* flock(LOCK_EX) for at most about ms: true when taken.  A repeating
 * timer interrupts the wait (no SA_RESTART), so an alarm that fires
 * just before flock starts is followed by another. */
static bool lock_for(int fd, long ms)
{
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return true;
	struct sigaction sa = {.sa_handler = on_alarm}, old_sa;
	sigemptyset(&sa.sa_mask);
	struct itimerval it = {.it_value = {ms / 1000, (ms % 1000) * 1000},
			       .it_interval = {0, 50000}},
			 old_it, off = {0};
	sigaction(SIGALRM, &sa, &old_sa);
	slice_over = 0;
	setitimer(ITIMER_REAL, &it, &old_it);
	bool taken = false;
	while (!taken && !slice_over) {
		if (flock(fd, LOCK_EX) == 0)
			taken = true;
		else if (errno != EINTR)
			break;
	}
	setitimer(ITIMER_REAL, &off, NULL);
	sigaction(SIGALRM, &old_sa, NULL);
	/* Give back a timer someone else had running (none in desk today). */
	if (old_it.it_value.tv_sec || old_it.it_value.tv_usec)
		setitimer(ITIMER_REAL, &old_it, NULL);
	return taken;
}

static void read_record(int fd, char *buf)
{
	ssize_t n = pread(fd, buf, GATE_RECORD, 0);
	buf[n > 0 ? n : 0] = '\0';
}

/* "alice (pid 4242, `desk note 5`) for 31 s": who holds the gate, from
 * its record and, when readable, the holder's command line. */
static char *describe_holder(const char *gate, const char *record, long long now)
{
	long pid = 0;
	long long since = 0;
	char label[GATE_RECORD] = "";
	if (sscanf(record, "%ld %lld %127s", &pid, &since, label) < 2 || pid <= 0 ||
	    (kill((pid_t)pid, 0) != 0 && errno == ESRCH))
		return xasprintf("a program that is not desk holds it (`fuser %s` names it)",
				 gate);
	bool named = label[0] && strcmp(label, "-") != 0;
	struct strbuf b = {0};
	sb_addf(&b, "%s%spid %ld", named ? label : "", named ? " (" : "(", pid);
	char *procpath = xasprintf("/proc/%ld/cmdline", pid);
	FILE *f = fopen(procpath, "r");
	free(procpath);
	if (f) {
		char cmd[160];
		size_t n = fread(cmd, 1, sizeof cmd - 1, f);
		fclose(f);
		for (size_t i = 0; i + 1 < n; i++)
			if (cmd[i] == '\0')
				cmd[i] = ' ';
		cmd[n] = '\0';
		if (n) {
			char *safe = text_sanitize(cmd, 0);
			sb_addf(&b, ", \"%s\"", safe);
			free(safe);
		}
	}
	sb_addf(&b, ") for %lld s", since > 0 && now > since ? (now - since) / 1000 : 0);
	char *out = xstrdup(sb_str(&b));
	sb_free(&b);
	return out;
}

/* "pid start-ms label beats": beats counts the holder's heartbeats. */
static void write_record(struct store *st)
{
	char rec[GATE_RECORD];
	memset(rec, ' ', sizeof rec);
	int n = snprintf(rec, sizeof rec, "%ld %lld %s %ld\n", (long)getpid(), st->gate_since,
			 st->gate_label ? st->gate_label : "-", st->gate_beats);
	if (n > 0 && n < GATE_RECORD)
		rec[n] = ' ';
	rec[GATE_RECORD - 1] = '\n';
	st->gate_beat_at = mono_ms();
	/* The record is for naming a stuck holder only: a failed write
	 * costs nothing but that name. */
	if (pwrite(st->gate_fd, rec, sizeof rec, 0) != (ssize_t)sizeof rec) {
	}
}

/* A long transaction that is still running statements (an import, a
 * migration) is not stuck: once a second it changes its record, which
 * the waiters see as the gate moving.  A holder that is stopped, or
 * waiting on a writer that bypasses the gate, runs no statement and
 * does not beat. */
void gate_heartbeat(struct store *st)
{
	if (st->gate_held && st->gate_ready && mono_ms() - st->gate_beat_at >= 1000) {
		st->gate_beats++;
		write_record(st);
	}
}

/* Says (on) or unsays that this process waits for the gate.  Best
 * effort: a failure costs only the importer's courtesy. */
static void set_waiting(int fd, bool on)
{
	struct flock fl = {.l_type = on ? F_RDLCK : F_UNLCK, .l_whence = SEEK_SET,
			   .l_start = GATE_WAITING, .l_len = 1};
	if (fcntl(fd, F_OFD_SETLK, &fl) != 0) {
	}
}

bool store_gate_waiting(struct store *st)
{
	if (!st->gate_ready)
		return false;
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = GATE_WAITING,
			   .l_len = 1};
	return fcntl(st->gate_fd, F_OFD_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
}

static int gate_taken(struct store *st)
{
	st->gate_since = wall_ms();
	st->gate_beats = 0;
	write_record(st);
	st->gate_held = true;
	return DESK_OK;
}

int gate_enter(struct store *st, struct derr *e)
{
	if (st->gate_held)
		return DESK_OK;
	if (!st->gate_ready && !st->gate_off) {
		char *why = NULL;
		st->gate_fd = lockfile_open(st->path, "gate", &why);
		st->gate_ready = st->gate_fd >= 0;
		if (!st->gate_ready) {
			st->gate_off = true;
			snprintf(gate_problem, sizeof gate_problem,
				 "cannot use the write gate beside %s (%s); writing without it, "
				 "so many writers at once may wait longer",
				 st->path, why);
			free(why);
		}
	}
	if (st->gate_off)
		return DESK_OK;
	if (flock(st->gate_fd, LOCK_EX | LOCK_NB) == 0)
		return gate_taken(st);
	char seen[GATE_RECORD + 1] = "", now_rec[GATE_RECORD + 1];
	long long bound = stuck_ms(), same_since = mono_ms();
	read_record(st->gate_fd, seen);
	set_waiting(st->gate_fd, true);
	while (!lock_for(st->gate_fd, GATE_SLICE_MS)) {
		read_record(st->gate_fd, now_rec);
		if (strcmp(now_rec, seen) != 0) { /* the gate moved: wait on */
			memcpy(seen, now_rec, sizeof seen);
			same_since = mono_ms();
			continue;
		}
		if (mono_ms() - same_since >= bound) {
			char *gate = xasprintf("%s-gate", st->path);
			char *who = describe_holder(gate, now_rec, wall_ms());
			free(gate);
			derr_set(e, DESK_EBUSY,
				 "%s: another desk has held the database's write gate for over "
				 "%lld s without finishing: %s; nothing was changed (if it is stuck, "
				 "end it, then try again)",
				 st->path, bound / 1000, who);
			free(who);
			set_waiting(st->gate_fd, false);
			return DESK_EBUSY;
		}
	}
	set_waiting(st->gate_fd, false);
	return gate_taken(st);
}

void store_let_waiters_first(struct store *st, long max_ms)
{
	if (!st->gate_ready || st->gate_held)
		return;
	long long until = mono_ms() + max_ms;
	while (store_gate_waiting(st) && mono_ms() < until) {
		struct timespec ms = {0, 1000000};
		nanosleep(&ms, NULL);
	}
}

bool gate_try(struct store *st)
{
	if (st->gate_held || st->gate_off)
		return true;
	if (!st->gate_ready)
		return false;
	if (flock(st->gate_fd, LOCK_EX | LOCK_NB) != 0)
		return false;
	st->gate_held = true;
	return true;
}

void gate_leave(struct store *st)
{
	if (!st->gate_held)
		return;
	flock(st->gate_fd, LOCK_UN);
	st->gate_held = false;
}

void gate_close(struct store *st)
{
	gate_leave(st);
	if (st->gate_ready)
		close(st->gate_fd);
	st->gate_ready = false;
	free(st->gate_label);
	st->gate_label = NULL;
}

void store_set_gate_label(struct store *st, const char *label)
{
	free(st->gate_label);
	st->gate_label = NULL;
	if (!label)
		return;
	/* One word in the record: no spaces or control characters. */
	char *l = xstrdup(label);
	for (char *p = l; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			*p = '_';
	st->gate_label = l;
}
