/* pty.c: bench-pty, a pseudo-terminal harness for timing full-screen
 * programs the way a person meets them.
 *
 *   bench-pty [--cols 200] [--rows 50] [--runs N] [--timeout S]
 *             [--until TEXT [--quiet MS]] [--keys FILE --trace FILE]
 *             [--verbose] -- PROGRAM ARGS...
 *
 * Each run forks PROGRAM on a new pty of the given size (TERM is taken
 * from the environment; run.sh sets xterm-256color), drains everything
 * it writes, and measures from just before fork:
 *  - by default, until the program exits (desk with
 *    DESK_EXIT_AFTER_FIRST_FRAME=1, or the sqlite3 shell);
 *  - with --until, until TEXT has appeared in the output and the output
 *    then stayed quiet for MS ms: the time of the last byte before the
 *    quiet (neomutt's index, which never exits by itself);
 *  - with --keys, it waits for the first screen, then types a key
 *    script, each key only after the program has written the trace line
 *    of the one before (DESK_TRACE: "key-name microseconds" per key), and
 *    prints p50/p99/max of the traced times per script label.
 * Also prints the median time of the last byte written (for desk: the
 * end of the first frame and of endwin, before the database is closed)
 * and the peak RSS (ru_maxrss of the child).  Output lines are
 * "name value" pairs for bench/run.sh to read. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_KEYS 100000
#define MAX_LABELS 32
#define MAX_RUNS 100

struct key {
	int label;
	char name[32];  /* as the trace names it */
	char bytes[16]; /* what the terminal sends */
	int len;
};

static struct key *keys;
static int nkeys;
/* Per key, as the harness sees it: from writing the key to the pty until
 * its trace line appeared, so time the program spent before reading it
 * (say, counting the queue after the previous frame) is included. */
static double *wall;
static char labels[MAX_LABELS][32];
static int nlabels;

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* xterm's sequences in keypad-transmit mode, as curses asks for them. */
static const struct {
	const char *name, *bytes;
} named[] = {
	{"Down", "\033OB"},   {"Up", "\033OA"},       {"Right", "\033OC"},  {"Left", "\033OD"},
	{"Home", "\033OH"},   {"End", "\033OF"},      {"PgDn", "\033[6~"},  {"PgUp", "\033[5~"},
	{"Enter", "\r"},      {"Tab", "\t"},          {"Space", " "},       {"Backspace", "\177"},
	{"Esc", "\033"},
};

static int add_key(int label, const char *spec)
{
	if (nkeys == MAX_KEYS)
		return -1;
	struct key *k = &keys[nkeys];
	memset(k, 0, sizeof *k);
	k->label = label;
	for (size_t i = 0; i < sizeof named / sizeof named[0]; i++) {
		if (strcmp(named[i].name, spec) == 0) {
			snprintf(k->name, sizeof k->name, "%s", spec);
			k->len = (int)strlen(named[i].bytes);
			memcpy(k->bytes, named[i].bytes, (size_t)k->len);
			nkeys++;
			return 0;
		}
	}
	if (strncmp(spec, "C-", 2) == 0 && spec[2] >= 'a' && spec[2] <= 'z' && !spec[3]) {
		snprintf(k->name, sizeof k->name, "%s", spec);
		k->bytes[0] = (char)(spec[2] - 'a' + 1);
		k->len = 1;
		nkeys++;
		return 0;
	}
	size_t n = strlen(spec); /* one character, UTF-8 */
	if (n == 0 || n > 4)
		return -1;
	snprintf(k->name, sizeof k->name, "%s", spec);
	memcpy(k->bytes, spec, n);
	k->len = (int)n;
	nkeys++;
	return 0;
}

/* Script lines: "LABEL KEY [COUNT]" or "LABEL text:WORDS" (each
 * character a key; '_' types a space); '#' starts a comment.  A label
 * "-" is typed but not reported. */
static int load_script(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "bench-pty: %s: %s\n", path, strerror(errno));
		return -1;
	}
	keys = calloc(MAX_KEYS, sizeof *keys);
	wall = calloc(MAX_KEYS, sizeof *wall);
	char line[512];
	int lineno = 0;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		char lab[32], spec[256];
		int count = 1;
		if (line[0] == '#' || sscanf(line, "%31s %255s %d", lab, spec, &count) < 2)
			continue;
		int li = -1;
		for (int i = 0; i < nlabels; i++)
			if (strcmp(labels[i], lab) == 0)
				li = i;
		if (li < 0 && nlabels < MAX_LABELS) {
			li = nlabels++;
			snprintf(labels[li], sizeof labels[li], "%s", lab);
		}
		for (int c = 0; c < count; c++) {
			if (strncmp(spec, "text:", 5) == 0) {
				for (const char *p = spec + 5; *p; p++) {
					char one[2] = {*p == '_' ? ' ' : *p, 0};
					if (add_key(li, *p == '_' ? "Space" : one))
						goto bad;
				}
			} else if (add_key(li, spec)) {
				goto bad;
			}
		}
	}
	fclose(f);
	return 0;
bad:
	fprintf(stderr, "bench-pty: %s:%d: bad key or too many keys\n", path, lineno);
	fclose(f);
	return -1;
}

struct run {
	double ms;      /* the measured time */
	double exit_ms; /* fork to exit (or kill) */
	double last_ms; /* fork to the last byte the program wrote */
	long maxrss_kb;
	bool timed_out;
	int status;
};

/* Reads what is there; returns bytes read, 0 at EOF/EIO. */
static ssize_t drain(int fd, char *tail, size_t tailsz, size_t *taillen)
{
	char buf[65536];
	ssize_t n = read(fd, buf, sizeof buf);
	if (n <= 0)
		return n < 0 && errno == EAGAIN ? -1 : 0;
	/* Keep the last bytes for pattern matching across reads. */
	for (ssize_t i = 0; i < n; i++) {
		if (*taillen + 1 >= tailsz) {
			memmove(tail, tail + tailsz / 2, *taillen - tailsz / 2);
			*taillen -= tailsz / 2;
		}
		tail[(*taillen)++] = buf[i];
	}
	tail[*taillen] = '\0';
	return n;
}

static long count_lines(const char *path, long *offset)
{
	static long lines;
	if (*offset == 0)
		lines = 0;
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	fseek(f, *offset, SEEK_SET);
	int c;
	while ((c = fgetc(f)) != EOF) {
		(*offset)++;
		if (c == '\n')
			lines++;
	}
	fclose(f);
	return lines;
}

static double pct(double *v, int n, double p)
{
	if (n == 0)
		return 0;
	for (int i = 1; i < n; i++) /* insertion sort: n is small */
		for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
			double t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	int idx = (int)(p * (n - 1) + 0.5);
	return v[idx];
}

/* Per-label p50/p99/max from the trace, matched to the keys in order. */
static void report_trace(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		printf("trace_missing 1\n");
		return;
	}
	double *us = calloc((size_t)nkeys + 1, sizeof *us);
	int k = 0, extra = 0;
	char line[256];
	while (fgets(line, sizeof line, f) && k < nkeys) {
		char name[64];
		double v;
		if (sscanf(line, "%63s %lf", name, &v) != 2)
			continue;
		if (strcmp(name, keys[k].name) != 0) {
			extra++; /* a key the script did not type (resize, ...) */
			continue;
		}
		us[k++] = v;
	}
	fclose(f);
	printf("trace_keys %d of %d (unmatched lines %d)\n", k, nkeys, extra);
	double *v = calloc((size_t)nkeys + 1, sizeof *v);
	double *w = calloc((size_t)nkeys + 1, sizeof *w);
	for (int l = 0; l < nlabels; l++) {
		if (strcmp(labels[l], "-") == 0)
			continue;
		int n = 0, nw = 0;
		for (int i = 0; i < k; i++) {
			if (keys[i].label != l)
				continue;
			v[n++] = us[i] / 1000.0;
			if (wall[i] > 0)
				w[nw++] = wall[i];
		}
		if (n)
			printf("key %s n=%d p50=%.3f p99=%.3f max=%.3f wall_p50=%.3f wall_p99=%.3f\n",
			       labels[l], n, pct(v, n, 0.5), pct(v, n, 0.99), pct(v, n, 1.0),
			       pct(w, nw, 0.5), pct(w, nw, 0.99));
		else
			printf("key %s n=0\n", labels[l]);
	}
	free(w);
	free(v);
	free(us);
}

static int run_once(char **argv, int cols, int rows, double timeout_ms, const char *until,
		    int quiet_ms, const char *trace_path, bool verbose, struct run *out)
{
	const char *trace = trace_path; /* NULL once the script is typed */
	memset(out, 0, sizeof *out);
	struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
	int fd;
	if (trace)
		unlink(trace);
	double t0 = now_ms();
	pid_t pid = forkpty(&fd, NULL, NULL, &ws);
	if (pid < 0) {
		perror("bench-pty: forkpty");
		return -1;
	}
	if (pid == 0) {
		execvp(argv[0], argv);
		fprintf(stderr, "bench-pty: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	fcntl(fd, F_SETFL, O_NONBLOCK);
	char tail[8192];
	size_t taillen = 0;
	double last_byte = 0, seen_at = 0;
	bool seen = false, eof = false;
	int ki = 0;                  /* next key to type */
	long want_lines = 0, tr_off = 0, tr_lines = 0;
	bool typing = false;
	double key_sent = 0, ready_at = 0;
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int pr = eof ? 0 : poll(&p, 1, 1);
		double t = now_ms();
		if (pr > 0) {
			ssize_t n;
			while ((n = drain(fd, tail, sizeof tail, &taillen)) > 0)
				last_byte = t;
			if (n == 0)
				eof = true;
		}
		if (eof) {
			int st;
			struct rusage ru;
			double left = timeout_ms - (now_ms() - t0);
			while (wait4(pid, &st, WNOHANG, &ru) == 0) {
				if (left-- < 0) {
					kill(pid, SIGKILL);
					out->timed_out = true;
				}
				usleep(1000);
			}
			out->exit_ms = now_ms() - t0;
			out->last_ms = last_byte - t0;
			out->ms = until ? last_byte - t0 : out->exit_ms;
			out->maxrss_kb = ru.ru_maxrss;
			out->status = st;
			break;
		}
		if (until && !seen && strstr(tail, until)) {
			seen = true;
			seen_at = t;
		}
		if (until && seen && t - last_byte > quiet_ms && t - seen_at > quiet_ms) {
			out->ms = last_byte - t0;
			kill(pid, SIGTERM);
			until = NULL; /* now wait for the exit */
			timeout_ms = now_ms() - t0 + 2000;
			continue;
		}
		if (trace && !typing && last_byte > 0 && t - last_byte > 300) {
			typing = true; /* the first screen is up and settled */
			ready_at = t;
			tr_lines = count_lines(trace, &tr_off);
			want_lines = tr_lines;
		}
		if (typing) {
			if (ki > 0 && tr_lines < want_lines) {
				tr_lines = count_lines(trace, &tr_off);
				if (tr_lines < want_lines && t - key_sent < 120000)
					continue;
				if (tr_lines < want_lines && verbose)
					fprintf(stderr, "bench-pty: no trace line for key %d (%s)\n", ki,
						keys[ki - 1].name);
				wall[ki - 1] = tr_lines < want_lines ? -1 : t - key_sent;
				want_lines = tr_lines;
			}
			if (ki < nkeys) {
				if (write(fd, keys[ki].bytes, (size_t)keys[ki].len) < 0)
					perror("bench-pty: write");
				key_sent = t;
				ki++;
				want_lines++;
			} else {
				kill(pid, SIGTERM);
				typing = false;
				trace = NULL;
				timeout_ms = now_ms() - t0 + 3000;
			}
		}
		if (t - t0 > timeout_ms && !out->timed_out) {
			out->timed_out = true;
			kill(pid, SIGKILL);
		}
	}
	close(fd);
	if (verbose)
		fprintf(stderr, "bench-pty: %.2f ms (exit %.2f ms, ready %.0f ms), rss %ld KiB%s\n",
			out->ms, out->exit_ms, ready_at ? ready_at - t0 : 0, out->maxrss_kb,
			out->timed_out ? ", timed out" : "");
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"cols", required_argument, NULL, 'c'},
		{"rows", required_argument, NULL, 'r'},
		{"runs", required_argument, NULL, 'n'},
		{"timeout", required_argument, NULL, 't'},
		{"until", required_argument, NULL, 'u'},
		{"quiet", required_argument, NULL, 'q'},
		{"keys", required_argument, NULL, 'k'},
		{"trace", required_argument, NULL, 'T'},
		{"verbose", no_argument, NULL, 'v'},
		{0},
	};
	int cols = 200, rows = 50, runs = 1, quiet_ms = 300;
	double timeout_s = 60;
	const char *until = NULL, *script = NULL, *trace = NULL;
	bool verbose = false;
	int o;
	while ((o = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (o) {
		case 'c': cols = atoi(optarg); break;
		case 'r': rows = atoi(optarg); break;
		case 'n': runs = atoi(optarg); break;
		case 't': timeout_s = atof(optarg); break;
		case 'u': until = optarg; break;
		case 'q': quiet_ms = atoi(optarg); break;
		case 'k': script = optarg; break;
		case 'T': trace = optarg; break;
		case 'v': verbose = true; break;
		default: return 2;
		}
	}
	if (optind >= argc || runs < 1 || runs > MAX_RUNS || (script && !trace)) {
		fprintf(stderr, "usage: bench-pty [--cols N] [--rows N] [--runs N] [--timeout S]\n"
				"       [--until TEXT [--quiet MS]] [--keys FILE --trace FILE]\n"
				"       [--verbose] -- PROGRAM ARGS...\n");
		return 2;
	}
	if (script && load_script(script))
		return 1;
	signal(SIGPIPE, SIG_IGN);
	double ms[MAX_RUNS], last[MAX_RUNS];
	long rss = 0;
	int ok = 0, failed = 0;
	for (int i = 0; i < runs; i++) {
		struct run r;
		if (run_once(argv + optind, cols, rows, timeout_s * 1000, until, quiet_ms, trace,
			     verbose, &r))
			return 1;
		if (r.timed_out || (!until && !script && (!WIFEXITED(r.status) ||
							   WEXITSTATUS(r.status) != 0))) {
			failed++;
			continue;
		}
		last[ok] = r.last_ms;
		ms[ok++] = r.ms;
		if (r.maxrss_kb > rss)
			rss = r.maxrss_kb;
	}
	printf("runs %d failed %d\n", ok, failed);
	if (ok) {
		printf("median_ms %.2f\n", pct(ms, ok, 0.5));
		printf("min_ms %.2f\n", pct(ms, ok, 0.0));
		printf("median_last_byte_ms %.2f\n", pct(last, ok, 0.5));
		printf("maxrss_kb %ld\n", rss);
	}
	if (script)
		report_trace(trace);
	return ok ? 0 : 1;
}
