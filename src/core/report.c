/* report.c: desk report: who may read it, its period, and the ratios
 * derived from the counts the store made (definitions: desk-report(1)). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "sla.h"
#include "util.h"

int core_report_allowed(const struct desk *d, struct derr *e)
{
	if (d->me.role == ROLE_SUPERVISOR || d->me.role == ROLE_ADMIN)
		return DESK_OK;
	return derr_set(e, DESK_EDENIED, "reports are for supervisors and admins");
}

int core_report_store(struct desk *d, struct store **st, struct derr *e)
{
	*st = d->st;
	const char *path = d->cfg ? d->cfg->report_db_path : NULL;
	if (!path)
		return DESK_OK;
	if (!d->report_st) {
		/* A replica on a server checks who connects itself; going
		 * through desk_check_access would drop desk's group in the
		 * middle of the session, which the database still needs. */
		char *open_path = NULL;
		int rc = database_is_server(path) ? DESK_OK
						  : desk_check_access(path, false, &open_path, e);
		if (rc == DESK_OK)
			rc = store_open(open_path ? open_path : path, STORE_READONLY,
					&d->report_st, e);
		free(open_path);
		if (rc) {
			derr_prefix(e, "report_database");
			return rc;
		}
	}
	*st = d->report_st;
	return DESK_OK;
}

/* The store core_report_open chose (it stays for the report's life). */
static struct store *report_st(const struct desk *d)
{
	return d->report_st ? d->report_st : d->st;
}

static double pct(int64_t part, int64_t whole)
{
	return whole > 0 ? 100.0 * (double)part / (double)whole : NAN;
}

void report_derive(struct metric_group *g)
{
	g->fcr_pct = pct(g->fcr, g->solved);
	g->reopen_pct = pct(g->reopened, g->solved);
	g->resolution_rate_pct = pct(g->solved, g->created);
	g->fr_sla_pct = pct(g->fr_met, g->fr_met + g->fr_breached);
	g->res_sla_pct = pct(g->res_met, g->res_met + g->res_breached);
	g->csat = pct(g->csat_satisfied, g->csat_n);
	g->ces = g->ces_n > 0 ? (double)g->ces_sum / (double)g->ces_n : NAN;
	g->nps = pct(g->nps_promoters - g->nps_detractors, g->nps_n);
}

static int64_t business_seconds(void *ctx, int64_t a, int64_t b)
{
	return bh_seconds(ctx, a, b);
}

int core_report_open(struct desk *d, const struct report_opts *o, struct metrics *m,
		     struct derr *e)
{
	memset(m, 0, sizeof *m);
	int rc = core_report_allowed(d, e);
	if (rc)
		return rc;
	struct metrics_query q = {
		.now = time_now(),
		.until = o->until,
		.since = o->since,
		.by = o->by,
	};
	if (!q.until)
		q.until = q.now;
	if (!q.since)
		q.since = q.until - REPORT_DEFAULT_DAYS * 86400;
	if (q.since >= q.until)
		return derr_set(e, DESK_EUSAGE,
				"the period is empty: --since must be before --until");
	if (d->cfg && d->cfg->hours.enabled) {
		q.business = business_seconds;
		q.business_ctx = (void *)&d->cfg->hours;
	}
	struct store *st;
	if ((rc = core_report_store(d, &st, e)) || (rc = store_read_begin(st, e)))
		return rc;
	if ((rc = store_metrics(st, &q, m, e))) {
		store_read_end(st);
		return rc;
	}
	report_derive(&m->total);
	for (size_t i = 0; i < m->n; i++)
		report_derive(&m->groups[i]);
	return DESK_OK;
}

int core_report_breaches(struct desk *d, const struct metrics *m, int64_t limit,
			 int (*fn)(void *ctx, const struct sla_breach *b), void *ctx,
			 struct derr *e)
{
	int rc = core_report_allowed(d, e);
	return rc ? rc : store_sla_breaches(report_st(d), m, limit, fn, ctx, e);
}

int core_report_json(struct desk *d, const struct metrics *m, char **json, struct derr *e)
{
	*json = NULL;
	char *figures = NULL;
	int rc = core_report_allowed(d, e);
	if (rc == DESK_OK)
		rc = store_metrics_json_figures(report_st(d), m, &figures, e);
	char *timed = NULL;
	if (rc == DESK_OK)
		rc = store_time_report_json(report_st(d), m->q.since, m->q.until, figures, &timed, e);
	if (rc == DESK_OK)
		rc = store_report_lists_json(report_st(d), m->q.since, m->q.until, timed, json, e);
	if (rc == DESK_OK)
		rc = store_metrics_json_breaches(report_st(d), m, json, e);
	if (rc)
		xfree(json);
	free(timed);
	free(figures);
	return rc;
}

int core_report_time(struct desk *d, const struct metrics *m, enum time_by by,
		     struct time_groups *out, struct derr *e)
{
	memset(out, 0, sizeof *out);
	int rc = core_report_allowed(d, e);
	return rc ? rc : store_time_report(report_st(d), m->q.since, m->q.until, by, out, e);
}

int core_report_kb_uses(struct desk *d, const struct metrics *m, struct kb_use_counts *out,
			struct derr *e)
{
	memset(out, 0, sizeof *out);
	int rc = core_report_allowed(d, e);
	return rc ? rc : store_kb_use_counts(report_st(d), m->q.since, m->q.until, out, e);
}

void core_report_close(struct desk *d, struct metrics *m)
{
	store_read_end(report_st(d));
	metrics_free(m);
}
