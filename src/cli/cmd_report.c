/* cmd_report.c: desk report: the team's figures over a period, as a
 * plain-text table for a cron mail, JSON or CSV (desk-report(1)). */
#include <getopt.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "report.h"
#include "text.h"
#include "util.h"

#define LABEL 18         /* width of the group column */
#define BREACHES_SHOWN 50 /* in the text; --json lists them all */
#define COMMENTS_SHOWN 10 /* survey comments in the text; desk survey list has all */

/* --- formatting ---------------------------------------------------------- */

static void utc(int64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(buf, size, "%Y-%m-%d %H:%M", &tm);
}

/* "45s", "12m 05s", "3h 07m", "2d 04h": two units are enough to read. */
static const char *dur(const struct metric_dist *d, double v, char *buf, size_t size)
{
	if (!d->n)
		return "-";
	long long s = llround(v);
	if (s < 60)
		snprintf(buf, size, "%llds", s);
	else if (s < 3600)
		snprintf(buf, size, "%lldm %02llds", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, size, "%lldh %02lldm", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, size, "%lldd %02lldh", s / 86400, s % 86400 / 3600);
	return buf;
}

static const char *pct(double v, char *buf, size_t size)
{
	if (isnan(v))
		return "-";
	snprintf(buf, size, "%.1f%%", v);
	return buf;
}

static const char *group_name(const struct metrics *m, const struct metric_group *g)
{
	return g->key ? metrics_group_label(m->q.by, g->key) : "all";
}

/* The group column: sanitized (names are typed by people), clipped. */
static void label(const struct metrics *m, const struct metric_group *g)
{
	char *safe = text_sanitize(group_name(m, g), 0);
	char *clip = text_clip(safe, LABEL, true);
	fputs(clip, stdout);
	free(clip);
	free(safe);
}

/* Calls row() for the total, then each group. */
static void rows(const struct metrics *m,
		 void (*row)(const struct metrics *, const struct metric_group *))
{
	row(m, &m->total);
	for (size_t i = 0; i < m->n; i++)
		row(m, &m->groups[i]);
	fputc('\n', stdout);
}

/* --- the text report ----------------------------------------------------- */

static void volume_row(const struct metrics *m, const struct metric_group *g)
{
	char a[16];
	label(m, g);
	printf(" %8lld %8lld %10s %8lld\n", (long long)g->created, (long long)g->solved,
	       pct(g->resolution_rate_pct, a, sizeof a), (long long)g->backlog);
}

static void frt_row(const struct metrics *m, const struct metric_group *g)
{
	char a[32], b[32], c[32];
	label(m, g);
	printf(" %8lld %8lld %9lld %9s %9s %9s\n", (long long)g->inbound,
	       (long long)(g->created - g->inbound), (long long)g->answered,
	       dur(&g->frt, g->frt.median, a, sizeof a), dur(&g->frt, g->frt.p90, b, sizeof b),
	       dur(&g->frt, g->frt.mean, c, sizeof c));
}

static void frt_business_row(const struct metrics *m, const struct metric_group *g)
{
	char a[32], b[32], c[32];
	const struct metric_dist *d = &g->frt_business;
	label(m, g);
	printf(" %9lld %9s %9s %9s\n", (long long)d->n, dur(d, d->median, a, sizeof a),
	       dur(d, d->p90, b, sizeof b), dur(d, d->mean, c, sizeof c));
}

static void resolution_row(const struct metrics *m, const struct metric_group *g)
{
	char a[32], b[32], c[32], f[32], x[16], y[16];
	label(m, g);
	const struct metric_dist *fr = &g->first_resolution, *fu = &g->full_resolution;
	printf(" %6lld %9s %9s %9s %9s %6s %6s\n", (long long)g->solved,
	       dur(fr, fr->median, a, sizeof a), dur(fr, fr->p90, b, sizeof b),
	       dur(fu, fu->median, c, sizeof c), dur(fu, fu->p90, f, sizeof f),
	       pct(g->fcr_pct, x, sizeof x), pct(g->reopen_pct, y, sizeof y));
}

static void backlog_row(const struct metrics *m, const struct metric_group *g)
{
	label(m, g);
	printf(" %5lld |", (long long)g->backlog);
	for (int i = 0; i < AGE__COUNT; i++)
		printf(" %4lld", (long long)g->backlog_age[i]);
	printf(" |");
	for (int i = 0; i <= ST_ON_HOLD; i++)
		printf(" %4lld", (long long)g->backlog_status[i]);
	printf(" |");
	for (int i = 0; i < PRIO__COUNT; i++)
		printf(" %4lld", (long long)g->backlog_priority[i]);
	fputc('\n', stdout);
}

static void sla_row(const struct metrics *m, const struct metric_group *g)
{
	char a[16], b[16];
	label(m, g);
	printf(" %7lld %8lld %7s %8lld %8lld %7s\n", (long long)g->fr_met,
	       (long long)g->fr_breached, pct(g->fr_sla_pct, a, sizeof a), (long long)g->res_met,
	       (long long)g->res_breached, pct(g->res_sla_pct, b, sizeof b));
}

static void survey_row(const struct metrics *m, const struct metric_group *g)
{
	char a[16], c[16] = "-", n[16] = "-";
	label(m, g);
	if (!isnan(g->ces))
		snprintf(c, sizeof c, "%.2f", g->ces);
	if (!isnan(g->nps))
		snprintf(n, sizeof n, "%+.1f", g->nps);
	printf(" %6lld %7s %6lld %6s %6lld %7s\n", (long long)g->csat_n,
	       pct(g->csat, a, sizeof a), (long long)g->ces_n, c, (long long)g->nps_n, n);
}

/* The period's survey answers that came with words: how many, and the
 * latest, one line each (customers wrote them: sanitized, clipped). */
static int print_comments(struct desk *d, const struct metrics *m, struct derr *e)
{
	struct survey_query q = {.since = m->q.since, .until = m->q.until, .kind = -1,
				 .with_comment = true};
	struct survey_entries l = {0};
	struct store *st;
	int rc = core_report_store(d, &st, e);
	if (rc == DESK_OK)
		rc = store_survey_list(st, &q, &l, e);
	if (rc == DESK_OK && !l.n)
		printf("SURVEY COMMENTS: none\n");
	else if (rc == DESK_OK)
		printf("SURVEY COMMENTS: %zu%s\n", l.n,
		       l.n > COMMENTS_SHOWN ? ", the latest (desk survey list has them all)" : "");
	for (size_t i = l.n > COMMENTS_SHOWN ? l.n - COMMENTS_SHOWN : 0; rc == DESK_OK && i < l.n;
	     i++) {
		const struct survey_entry *x = &l.v[i];
		char at[32], score[32];
		utc(x->s.answered_at, at, sizeof at);
		survey_score_text(x->s.kind, x->s.score, score, sizeof score);
		char *flat = xstrdup(x->s.comment); /* one line: its breaks as spaces */
		for (char *c = flat; *c; c++)
			if (*c == '\n')
				*c = ' ';
		char *line = text_sanitize(flat, 0);
		free(flat);
		char *cut = text_clip(line, 60, false);
		printf("  #%-6lld %s  %-10s %s\n", (long long)x->s.ticket_id, at, score, cut);
		free(cut);
		free(line);
	}
	survey_entries_free(&l);
	fputc('\n', stdout);
	return rc;
}

static int print_breach(void *ctx, const struct sla_breach *b)
{
	(void)ctx;
	char due[32], done[32] = "not yet", late[32];
	utc(b->due, due, sizeof due);
	if (b->done_at)
		utc(b->done_at, done, sizeof done);
	int64_t by = (b->done_at ? b->done_at : time_now()) - b->due;
	struct metric_dist one = {.n = 1};
	printf("  #%-6lld %-14s due %s  done %-16s %9s late  %-6s ", (long long)b->ticket_id,
	       b->target, due, done, dur(&one, (double)by, late, sizeof late),
	       priority_name(b->priority));
	cli_print_safe(b->queue ? b->queue : "-", false);
	fputc(' ', stdout);
	cli_print_safe(b->assignee ? b->assignee : "(unassigned)", false);
	fputc('\n', stdout);
	return 0;
}

/* A whole number of seconds as dur() writes durations. */
static const char *secs(double v, char *buf, size_t size)
{
	struct metric_dist one = {.n = 1};
	return dur(&one, v, buf, size);
}

/* TIME SPENT: the total, then by agent, queue and channel, each a
 * table of its own (desk-report(1), "Time spent"). */
static int print_time(struct desk *d, const struct metrics *m, struct derr *e)
{
	static const char *const heads[TIME_BY__COUNT] = {"TIME SPENT", "TIME BY AGENT",
							  "TIME BY QUEUE", "TIME BY CHANNEL"};
	for (int b = 0; b < TIME_BY__COUNT; b++) {
		struct time_groups g;
		int rc = core_report_time(d, m, (enum time_by)b, &g, e);
		if (rc)
			return rc;
		printf("%-*s %8s %8s %9s %11s\n", LABEL, heads[b], "tickets", "entries", "total",
		       "med/ticket");
		if (b == TIME_BY_ALL && !g.n)
			printf("%-*s %8d %8d %9s %11s\n", LABEL, "all", 0, 0, "-", "-");
		for (size_t i = 0; i < g.n; i++) {
			char a[32], c[32];
			char *safe = text_sanitize(g.v[i].key ? g.v[i].key : "all", 0);
			char *clip = text_clip(safe, LABEL, true);
			fputs(clip, stdout);
			free(clip);
			free(safe);
			printf(" %8lld %8lld %9s %11s\n", (long long)g.v[i].tickets,
			       (long long)g.v[i].entries, secs((double)g.v[i].seconds, a, sizeof a),
			       secs(g.v[i].median, c, sizeof c));
		}
		bool none = b == TIME_BY_ALL && !g.n;
		time_groups_free(&g);
		fputc('\n', stdout);
		if (none)
			break; /* no entries: no breakdowns to show */
	}
	return DESK_OK;
}

/* Knowledge base articles by the replies of the period that used them
 * (their text or their link), whatever the ticket: not broken down. */
static int print_kb_uses(struct desk *d, const struct metrics *m, struct derr *e)
{
	struct kb_use_counts l;
	int rc = core_report_kb_uses(d, m, &l, e);
	if (rc)
		return rc;
	printf("KNOWLEDGE BASE: articles used in replies%s\n", l.n ? "" : ": none");
	for (size_t i = 0; i < l.n; i++) {
		printf("  %6lld  ", (long long)l.v[i].uses);
		cli_print_safe(l.v[i].slug, false);
		fputs("  ", stdout);
		cli_print_safe(l.v[i].title ? l.v[i].title : "(no longer in the knowledge base)",
			       false);
		fputc('\n', stdout);
	}
	kb_use_counts_free(&l);
	return DESK_OK;
}

static int print_text(struct desk *d, const struct metrics *m, struct derr *e)
{
	char since[32], until[32];
	utc(m->q.since, since, sizeof since);
	utc(m->q.until, until, sizeof until);
	printf("desk report: %s to %s UTC (the end excluded)\n", since, until);
	if (m->q.by != BY_NONE)
		printf("Broken down by %s.\n", metrics_by_name(m->q.by));
	printf("Definitions: man desk-report.\n\n");

	printf("%-*s %8s %8s %10s %8s\n", LABEL, "TICKETS", "created", "solved", "res. rate",
	       "backlog");
	rows(m, volume_row);
	printf("%-*s %8s %8s %9s %9s %9s %9s\n", LABEL, "FIRST RESPONSE", "inbound", "outbound",
	       "answered", "median", "p90", "mean");
	rows(m, frt_row);
	if (m->q.business) {
		printf("%-*s %9s %9s %9s %9s\n", LABEL, "IN BUSINESS HOURS", "answered", "median",
		       "p90", "mean");
		rows(m, frt_business_row);
	}
	printf("%-*s %6s %9s %9s %9s %9s %6s %6s\n", LABEL, "RESOLUTION", "solved", "1st med",
	       "1st p90", "full med", "full p90", "FCR", "reopen");
	rows(m, resolution_row);
	printf("BACKLOG AT %s UTC\n", until);
	printf("%-*s %5s | %4s %4s %4s %4s | %4s %4s %4s %4s | %4s %4s %4s %4s\n", LABEL, "",
	       "total", "<1d", "1-3d", "3-7d", ">7d", "new", "open", "pend", "hold", "low",
	       "norm", "high", "urg");
	rows(m, backlog_row);
	printf("%-*s %7s %8s %7s %8s %8s %7s\n", LABEL, "SLA", "1st met", "breached", "1st %",
	       "res met", "breached", "res %");
	rows(m, sla_row);
	printf("%-*s %6s %7s %6s %6s %6s %7s\n", LABEL, "SURVEYS", "CSAT n", "CSAT", "CES n", "CES",
	       "NPS n", "NPS");
	rows(m, survey_row);
	int rc = print_comments(d, m, e);
	if (rc == DESK_OK)
		rc = print_time(d, m, e);
	if (rc)
		return rc;

	/* The breaches are the SLA table's, so its counts say how many
	 * follow before the list is read. */
	int64_t n = m->total.fr_breached + m->total.res_breached;
	if (!n) {
		printf("SLA BREACHES: none\n");
	} else {
		printf("SLA BREACHES: %lld, by due time (UTC)\n", (long long)n);
		rc = core_report_breaches(d, m, BREACHES_SHOWN, print_breach, NULL, e);
		if (rc == DESK_OK && n > BREACHES_SHOWN)
			printf("  ... and %lld more (desk report --json lists them all)\n",
			       (long long)(n - BREACHES_SHOWN));
	}
	return rc ? rc : print_kb_uses(d, m, e);
}

/* --- CSV ------------------------------------------------------------------ */

struct csv_col {
	const char *name;
	char type;   /* i: integer, r: real (NAN empty), d: of a distribution */
	size_t off;  /* of the value in struct metric_group */
	size_t n_off; /* d: of the distribution's n (0 values: empty) */
};

#define G(f) offsetof(struct metric_group, f)
#define CI(name, f) {name, 'i', G(f), 0}
#define CR(name, f) {name, 'r', G(f), 0}
#define CD(name, d)                                                                   \
	{name "_median_s", 'd', G(d.median), G(d.n)}, {name "_p90_s", 'd', G(d.p90), G(d.n)}, \
	{                                                                             \
		name "_mean_s", 'd', G(d.mean), G(d.n)                                \
	}

/* The columns after "by" and "key"; desk-report(1) lists the same. */
static const struct csv_col csv_cols[] = {
	CI("created", created),
	CI("inbound", inbound),
	CI("answered", answered),
	CD("frt", frt),
	CD("frt_business", frt_business),
	CI("solved", solved),
	CD("first_resolution", first_resolution),
	CD("full_resolution", full_resolution),
	CI("fcr", fcr),
	CR("fcr_percent", fcr_pct),
	CI("reopened", reopened),
	CR("reopen_percent", reopen_pct),
	CR("resolution_rate_percent", resolution_rate_pct),
	CI("backlog", backlog),
	CI("backlog_under_1d", backlog_age[AGE_UNDER_1D]),
	CI("backlog_1d_to_3d", backlog_age[AGE_1D_3D]),
	CI("backlog_3d_to_7d", backlog_age[AGE_3D_7D]),
	CI("backlog_over_7d", backlog_age[AGE_OVER_7D]),
	CI("backlog_new", backlog_status[ST_NEW]),
	CI("backlog_open", backlog_status[ST_OPEN]),
	CI("backlog_pending", backlog_status[ST_PENDING]),
	CI("backlog_on_hold", backlog_status[ST_ON_HOLD]),
	CI("backlog_low", backlog_priority[PRIO_LOW]),
	CI("backlog_normal", backlog_priority[PRIO_NORMAL]),
	CI("backlog_high", backlog_priority[PRIO_HIGH]),
	CI("backlog_urgent", backlog_priority[PRIO_URGENT]),
	CI("sla_first_response_met", fr_met),
	CI("sla_first_response_breached", fr_breached),
	CR("sla_first_response_percent", fr_sla_pct),
	CI("sla_resolution_met", res_met),
	CI("sla_resolution_breached", res_breached),
	CR("sla_resolution_percent", res_sla_pct),
	CI("csat_answers", csat_n),
	CI("csat_satisfied", csat_satisfied),
	CR("csat", csat),
	CI("ces_answers", ces_n),
	CI("ces_sum", ces_sum),
	CR("ces", ces),
	CI("nps_answers", nps_n),
	CI("nps_promoters", nps_promoters),
	CI("nps_passives", nps_passives),
	CI("nps_detractors", nps_detractors),
	CR("nps", nps),
};

/* RFC 4180: quoted when it holds a comma, a quote, CR or LF, or spaces
 * at either end; quotes doubled. */
static void csv_field(const char *s)
{
	size_t n = strlen(s);
	bool quote = strpbrk(s, ",\"\r\n") || (n && (s[0] == ' ' || s[n - 1] == ' '));
	if (!quote) {
		fputs(s, stdout);
		return;
	}
	fputc('"', stdout);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', stdout);
		fputc(*s, stdout);
	}
	fputc('"', stdout);
}

/* A field of people's text (a queue, a tag, a login).  A CSV is read in
 * terminals and spreadsheets: controls and escape sequences are made
 * visible as everywhere else, and a leading = + - @ gets a ' so that no
 * spreadsheet takes the field for a formula. */
static void csv_text(const char *raw)
{
	char *safe = text_sanitize(raw, 0);
	if (safe[0] && strchr("=+-@", safe[0])) {
		char *quoted = xasprintf("'%s", safe);
		free(safe);
		safe = quoted;
	}
	csv_field(safe);
	free(safe);
}

static void csv_row(const struct metrics *m, const struct metric_group *g)
{
	csv_text(g->key ? metrics_by_name(m->q.by) : "all");
	fputc(',', stdout);
	csv_text(g->key ? group_name(m, g) : "");
	for (size_t i = 0; i < ARRAY_LEN(csv_cols); i++) {
		const struct csv_col *c = &csv_cols[i];
		const char *base = (const char *)g;
		fputc(',', stdout);
		if (c->type == 'i') {
			printf("%lld", (long long)*(const int64_t *)(base + c->off));
			continue;
		}
		double v = *(const double *)(base + c->off);
		if (c->type == 'd' && *(const int64_t *)(base + c->n_off) == 0)
			continue;
		if (!isnan(v))
			printf("%.2f", v);
	}
	fputs("\r\n", stdout);
}

static void print_csv(const struct metrics *m)
{
	fputs("by,key", stdout);
	for (size_t i = 0; i < ARRAY_LEN(csv_cols); i++)
		printf(",%s", csv_cols[i].name);
	fputs("\r\n", stdout);
	csv_row(m, &m->total);
	for (size_t i = 0; i < m->n; i++)
		csv_row(m, &m->groups[i]);
}

/* --- the command ---------------------------------------------------------- */

static bool parse_date(const struct cli_ctx *c, const char *opt, const char *s, int64_t *t)
{
	if (time_parse_rfc3339(s, t))
		return true;
	cli_usage(c, "%s %s: expected a date like 2026-03-01 (midnight UTC) or an RFC 3339 "
		     "time like 2026-03-01T09:00:00+01:00",
		  opt, s);
	return false;
}

static int exec_report(struct cli_ctx *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"since", required_argument, NULL, 's'},
		{"until", required_argument, NULL, 'u'},
		{"by", required_argument, NULL, 'b'},
		{"json", no_argument, NULL, 'j'},
		{"csv", no_argument, NULL, 'c'},
		{0},
	};
	struct report_opts ro = {0};
	bool json = false, csv = false;
	int o, by;
	while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (o) {
		case 's':
			if (!parse_date(c, "--since", optarg, &ro.since))
				return EXIT_USAGE;
			break;
		case 'u':
			if (!parse_date(c, "--until", optarg, &ro.until))
				return EXIT_USAGE;
			break;
		case 'b':
			by = metrics_by_from_name(optarg);
			if (by <= BY_NONE)
				return cli_usage(c, "--by %s: expected agent, queue, channel, "
						    "priority or tag", optarg);
			ro.by = (enum metrics_by)by;
			break;
		case 'j': json = true; break;
		case 'c': csv = true; break;
		default: return cli_option_error(c, o, argv);
		}
	}
	if (optind < argc)
		return cli_usage(c, "unexpected argument \"%s\"", argv[optind]);
	if (json && csv)
		return cli_usage(c, "--json and --csv: choose one");
	if (ro.since && ro.until && ro.since >= ro.until)
		return cli_usage(c, "--since must be before --until");
	if (!ro.since && ro.until && ro.until <= REPORT_DEFAULT_DAYS * 86400)
		return cli_usage(c, "--until is too early");

	struct desk d;
	int rc = cli_open(c, &d, DESK_OPEN_READONLY);
	if (rc)
		return rc;
	struct derr e = {0};
	struct metrics m;
	if ((rc = core_report_open(&d, &ro, &m, &e)) == DESK_OK) {
		if (json) {
			char *text = NULL;
			if ((rc = core_report_json(&d, &m, &text, &e)) == DESK_OK)
				printf("%s\n", text);
			free(text);
		} else if (csv) {
			print_csv(&m);
		} else {
			rc = print_text(&d, &m, &e);
		}
	}
	core_report_close(&d, &m);
	desk_close(&d);
	return rc ? cli_fail(&e) : EXIT_OK;
}

const struct cli_cmd cmd_report = {
	.name = "report",
	.args = "[--since DATE] [--until DATE] [--by agent|queue|channel|priority|tag] "
		"[--json|--csv]",
	.summary = "the team's figures over a period (supervisors and admins)",
	.help = "The period is [--since, --until): the start included, the end excluded.\n"
		"DATE is YYYY-MM-DD (midnight UTC) or an RFC 3339 time.  Default: the 30\n"
		"days up to now.  --by breaks every figure down by the ticket's assignee,\n"
		"queue, channel, priority or tag.  --json holds every figure with its\n"
		"counts and the SLA breaches; --csv one row per group.  Every definition\n"
		"is in desk-report(1).\n",
	.exec = exec_report,
};
