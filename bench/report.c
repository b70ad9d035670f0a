/* report.c: bench-report, desk report and the supervisors' dashboard
 * timed in-process, phase by phase and statement by statement.
 *
 *   bench-report --db PATH [--since EPOCH] [--until EPOCH] [--runs N]
 *                [--json] [--trace] [--plans] [--dashboard DAYS] [--as LOGIN]
 *
 * Each run opens the database read-only as desk report does and times
 * core_report_open (the figures), then what the text report reads
 * beside them (survey comments, time spent, breaches, knowledge base)
 * or, with --json, core_report_json; with --dashboard, core_dashboard
 * over DAYS days instead.  Prints the median of N runs of each phase.
 * --trace prints every statement the store stepped with its mean time
 * per run (sqlite3_trace_v2 SQLITE_TRACE_PROFILE, whole milliseconds
 * summed over the runs), the slowest first; --plans adds EXPLAIN QUERY
 * PLAN of each.  No --since: the
 * report's default (the 30 days up to now); --since 0: every ticket. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../src/store/internal.h"
#include "config.h"
#include "core.h"
#include "report.h"
#include "util.h"

#define MAX_RUNS 64
#define MAX_STMTS 256

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

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_d);
	return v[n / 2];
}

/* The statements of the traced run: SQL (unexpanded) and time. */
struct stmt_time {
	char *sql;
	double ms;
	int calls;
};
static struct stmt_time stmts[MAX_STMTS];
static int nstmts;
static bool tracing;

static int on_trace(unsigned type, void *ctx, void *p, void *x)
{
	(void)ctx;
	if (!tracing || type != SQLITE_TRACE_PROFILE)
		return 0;
	const char *sql = sqlite3_sql(p);
	double ms = (double)*(sqlite3_int64 *)x / 1e6;
	if (!sql)
		return 0;
	for (int i = 0; i < nstmts; i++)
		if (strcmp(stmts[i].sql, sql) == 0) {
			stmts[i].ms += ms;
			stmts[i].calls++;
			return 0;
		}
	if (nstmts < MAX_STMTS) {
		stmts[nstmts].sql = xstrdup(sql);
		stmts[nstmts].ms = ms;
		stmts[nstmts++].calls = 1;
	}
	return 0;
}

static int cmp_stmt(const void *a, const void *b)
{
	double x = ((const struct stmt_time *)a)->ms, y = ((const struct stmt_time *)b)->ms;
	return x > y ? -1 : x < y;
}

static void plan(sqlite3 *db, const char *sql)
{
	char *q = xasprintf("EXPLAIN QUERY PLAN %s", sql);
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(db, q, -1, &s, NULL) == SQLITE_OK) {
		while (sqlite3_step(s) == SQLITE_ROW)
			printf("      plan: %s\n", (const char *)sqlite3_column_text(s, 3));
	} else {
		printf("      plan: (%s)\n", sqlite3_errmsg(db));
	}
	sqlite3_finalize(s);
	free(q);
}

static int quiet_breach(void *ctx, const struct sla_breach *b)
{
	(void)b;
	++*(int *)ctx;
	return 0;
}

/* What print_text reads beside the figures (src/cli/cmd_report.c). */
static int text_extras(struct desk *d, const struct metrics *m, struct derr *e)
{
	struct survey_query q = {.since = m->q.since, .until = m->q.until, .kind = -1,
				 .with_comment = true};
	struct survey_entries l = {0};
	int rc = store_survey_list(d->st, &q, &l, e);
	survey_entries_free(&l);
	for (int b = 0; rc == DESK_OK && b < TIME_BY__COUNT; b++) {
		struct time_groups g;
		rc = core_report_time(d, m, (enum time_by)b, &g, e);
		time_groups_free(&g);
	}
	int n = 0;
	if (rc == DESK_OK && m->total.fr_breached + m->total.res_breached)
		rc = core_report_breaches(d, m, 50, quiet_breach, &n, e);
	struct kb_use_counts k;
	if (rc == DESK_OK && (rc = core_report_kb_uses(d, m, &k, e)) == DESK_OK)
		kb_use_counts_free(&k);
	return rc;
}

static void usage(void)
{
	fprintf(stderr, "usage: bench-report --db PATH [--since EPOCH] [--until EPOCH] [--runs N]"
			" [--json] [--trace] [--plans] [--dashboard DAYS] [--as LOGIN]\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},   {"since", required_argument, NULL, 's'},
		{"until", required_argument, NULL, 'u'}, {"runs", required_argument, NULL, 'r'},
		{"json", no_argument, NULL, 'j'},        {"trace", no_argument, NULL, 't'},
		{"plans", no_argument, NULL, 'p'},       {"dashboard", required_argument, NULL, 'D'},
		{"as", required_argument, NULL, 'a'},    {"help", no_argument, NULL, 'h'},
		{0},
	};
	const char *db = NULL, *as = NULL;
	struct report_opts ro = {0};
	bool json = false, trace = false, plans = false, since_set = false;
	int runs = 5, dash_days = 0, o;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'd': db = optarg; break;
		case 's': ro.since = atoll(optarg); since_set = true; break;
		case 'u': ro.until = atoll(optarg); break;
		case 'r': runs = atoi(optarg); break;
		case 'j': json = true; break;
		case 't': trace = true; break;
		case 'p': plans = trace = true; break;
		case 'D': dash_days = atoi(optarg); break;
		case 'a': as = optarg; break;
		default: usage(); return o == 'h' ? 0 : 2;
		}
	}
	if (!db || runs < 1 || runs > MAX_RUNS || optind < argc) {
		usage();
		return 2;
	}
	/* --since 0 means every ticket: the store's periods start after 0. */
	if (since_set && ro.since == 0)
		ro.since = 1;
	struct config cfg;
	config_defaults(&cfg);
	struct derr e = {0};
	double t_open[MAX_RUNS], t_fig[MAX_RUNS], t_rest[MAX_RUNS], t_all[MAX_RUNS];
	int rc = 0;
	for (int r = 0; r < runs && !rc; r++) {
		tracing = trace;
		double t0 = now_ms();
		struct desk d;
		if ((rc = desk_open(&d, db, &cfg, as, DESK_OPEN_READONLY, &e)))
			break;
		if (d.st->db) /* not on PostgreSQL: no --trace there */
			sqlite3_trace_v2(d.st->db, SQLITE_TRACE_PROFILE, on_trace, NULL);
		double t1 = now_ms(), t2 = t1;
		if (dash_days) {
			struct dashboard dash;
			rc = core_dashboard(&d, dash_days, &dash, &e);
			t2 = now_ms();
			dashboard_free(&dash);
		} else {
			struct metrics m;
			rc = core_report_open(&d, &ro, &m, &e);
			t2 = now_ms();
			if (rc == DESK_OK && json) {
				char *text = NULL;
				rc = core_report_json(&d, &m, &text, &e);
				free(text);
			} else if (rc == DESK_OK) {
				rc = text_extras(&d, &m, &e);
			}
			core_report_close(&d, &m);
		}
		double t3 = now_ms();
		if (plans && r == runs - 1)
			for (int i = 0; i < nstmts; i++)
				if (strncmp(stmts[i].sql, "SELECT", 6) == 0 ||
				    strncmp(stmts[i].sql, "WITH", 4) == 0) {
					printf("    %s\n", stmts[i].sql);
					plan(d.st->db, stmts[i].sql);
				}
		desk_close(&d);
		t_open[r] = t1 - t0;
		t_fig[r] = t2 - t1;
		t_rest[r] = t3 - t2;
		t_all[r] = now_ms() - t0;
	}
	if (rc) {
		fprintf(stderr, "bench-report: %s\n", e.msg);
		config_free(&cfg);
		return 1;
	}
	printf("open %.1f\n", median(t_open, runs));
	printf("%s %.1f\n", dash_days ? "dashboard" : "figures", median(t_fig, runs));
	if (!dash_days)
		printf("%s %.1f\n", json ? "json" : "text-extras", median(t_rest, runs));
	printf("total %.1f\n", median(t_all, runs));
	if (trace) {
		qsort(stmts, (size_t)nstmts, sizeof stmts[0], cmp_stmt);
		printf("statements, slowest first (mean ms per run, calls per run):\n");
		for (int i = 0; i < nstmts; i++)
			printf("%9.2f %4d  %.300s\n", stmts[i].ms / runs, stmts[i].calls / runs,
			       stmts[i].sql);
	}
	for (int i = 0; i < nstmts; i++)
		free(stmts[i].sql);
	config_free(&cfg);
	return 0;
}
