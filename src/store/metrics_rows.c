/* metrics_rows.c: what one row of each of the report's passes adds to
 * its groups (metrics_pass.h), the same on both engines: SQLite's
 * aggregate functions (metrics.c) and PostgreSQL's rows (metrics_pg.c)
 * both end here, so the figures come from one piece of arithmetic. */
#include <string.h>

#include "metrics_pass.h"
#include "model.h"

static enum verdict verdict(struct opt_i64 done, struct opt_i64 due, int64_t late_after)
{
	if (due.null)
		return V_NONE;
	if (!done.null)
		return done.v <= due.v ? V_MET : V_BREACHED;
	return due.v < late_after ? V_BREACHED : V_OPEN;
}

enum verdict fr_verdict(const struct opt_i64 a[4])
{
	return a[0].null ? V_NONE : verdict(a[1], a[2], a[3].v);
}

enum verdict res_verdict(const struct opt_i64 a[4])
{
	return verdict(a[0], a[1], a[2].null ? a[3].v : a[2].v);
}

/* A ticket created in the period, counted in its groups, its first
 * response time kept for the distributions. */
void pass_created(struct metrics_pass *p, const char *key, const struct opt_i64 a[CREATED_COLS])
{
	struct metric_group *g[2];
	struct dist_vals *d[2];
	int n = metrics_pass_targets(p, key, g, d);
	bool inbound = !a[0].null, answered = inbound && !a[1].null;
	int64_t frt = 0, business = 0;
	if (answered) {
		frt = a[1].v - a[0].v;
		if (p->business)
			business = p->business(p->business_ctx, a[0].v, a[1].v);
	}
	enum verdict fr = fr_verdict(a), res = res_verdict(a + 4);
	for (int i = 0; i < n; i++) {
		g[i]->created++;
		g[i]->inbound += inbound;
		g[i]->answered += answered;
		if (answered) {
			dist_vals_push(&d[i][DV_FRT], frt);
			if (p->business)
				dist_vals_push(&d[i][DV_FRT_BUSINESS], business);
		}
		g[i]->fr_met += fr == V_MET;
		g[i]->fr_breached += fr == V_BREACHED;
		g[i]->res_met += res == V_MET;
		g[i]->res_breached += res == V_BREACHED;
	}
}

/* A ticket first solved in the period.  First contact resolution: never
 * reopened, and exactly one public reply up to the first solve (solved
 * without a word is not resolved on first contact). */
void pass_solved(struct metrics_pass *p, const char *key, const struct opt_i64 a[SOLVED_COLS])
{
	struct metric_group *g[2];
	struct dist_vals *d[2];
	int n = metrics_pass_targets(p, key, g, d);
	int64_t created = a[0].v, reopens = a[3].v;
	int64_t first = a[1].v - created;
	int64_t full = a[2].null ? DIST_NULL : a[2].v - created;
	bool fcr = reopens == 0 && a[4].v == 1;
	for (int i = 0; i < n; i++) {
		g[i]->solved++;
		g[i]->fcr += fcr;
		g[i]->reopened += reopens > 0;
		dist_vals_push(&d[i][DV_FIRST_RES], first);
		dist_vals_push(&d[i][DV_FULL_RES], full);
	}
}

/* An answer of the period.  CSAT 4 or 5 is satisfied; NPS 9-10
 * promotes, 7-8 is passive, 0-6 detracts. */
void pass_survey(struct metrics_pass *p, const char *key, const char *kind, int64_t score)
{
	struct metric_group *g[2];
	struct dist_vals *d[2];
	int n = metrics_pass_targets(p, key, g, d);
	bool csat = kind && strcmp(kind, "csat") == 0, ces = kind && strcmp(kind, "ces") == 0,
	     nps = kind && strcmp(kind, "nps") == 0;
	for (int i = 0; i < n; i++) {
		g[i]->csat_n += csat;
		g[i]->csat_satisfied += csat && score >= 4;
		g[i]->ces_n += ces;
		g[i]->ces_sum += ces ? score : 0;
		g[i]->nps_n += nps;
		g[i]->nps_promoters += nps && score >= 9;
		g[i]->nps_passives += nps && (score == 7 || score == 8);
		g[i]->nps_detractors += nps && score <= 6;
	}
}

/* A ticket open at the end of the period, by its age then (under 1 day,
 * 1-3, 3-7, over 7), its status then and its priority now. */
void pass_backlog(struct metrics_pass *p, const char *key, int64_t age, const char *status,
		  int64_t priority)
{
	struct metric_group *g[2];
	struct dist_vals *d[2];
	int n = metrics_pass_targets(p, key, g, d);
	int age_at = age < 86400 ? AGE_UNDER_1D : age < 259200 ? AGE_1D_3D
		     : age < 604800 ? AGE_3D_7D : AGE_OVER_7D;
	int st = status_from_name(status);
	for (int i = 0; i < n; i++) {
		g[i]->backlog++;
		g[i]->backlog_age[age_at]++;
		if (st >= 0 && st <= ST_ON_HOLD) /* the statement's WHERE */
			g[i]->backlog_status[st]++;
		if (priority >= 0 && priority < PRIO__COUNT) /* a CHECK constraint */
			g[i]->backlog_priority[priority]++;
	}
}

/* --- PostgreSQL's rows: a group at once ------------------------------------ */

void pass_created_sums(struct metrics_pass *p, const char *key, const struct created_sums *c,
		       const int64_t *frt, const int64_t *fca, size_t n)
{
	struct metric_group *g[2];
	struct dist_vals *d[2];
	int nt = metrics_pass_targets(p, key, g, d);
	for (int i = 0; i < nt; i++) {
		g[i]->created += c->created;
		g[i]->inbound += c->inbound;
		g[i]->answered += c->answered;
		g[i]->fr_met += c->fr_met;
		g[i]->fr_breached += c->fr_breached;
		g[i]->res_met += c->res_met;
		g[i]->res_breached += c->res_breached;
	}
	bool business = p->business && fca;
	for (size_t j = 0; j < n; j++) {
		int64_t b = business ? p->business(p->business_ctx, fca[j], fca[j] + frt[j]) : 0;
		for (int i = 0; i < nt; i++) {
			dist_vals_push(&d[i][DV_FRT], frt[j]);
			if (business)
				dist_vals_push(&d[i][DV_FRT_BUSINESS], b);
		}
	}
}

void pass_solved_sums(struct metrics_pass *p, const char *key, int64_t fcr, int64_t reopened,
		      const int64_t *first, const int64_t *full, size_t n)
{
	struct metric_group *g[2];
	struct dist_vals *d[2];
	int nt = metrics_pass_targets(p, key, g, d);
	for (int i = 0; i < nt; i++) {
		g[i]->solved += (int64_t)n;
		g[i]->fcr += fcr;
		g[i]->reopened += reopened;
		for (size_t j = 0; j < n; j++) {
			dist_vals_push(&d[i][DV_FIRST_RES], first[j]);
			dist_vals_push(&d[i][DV_FULL_RES], full[j]);
		}
	}
}
