/* metrics_pass.c: the report's one pass over its rows (metrics_pass.h):
 * groups found by key in a hash, durations kept and their medians and
 * p90s picked out by selection. */
#include <stdlib.h>
#include <string.h>

#include "metrics_pass.h"
#include "util.h"

/* --- distributions ------------------------------------------------------ */

void dist_vals_push(struct dist_vals *d, int64_t x)
{
	if (d->n == d->cap) { /* not xgrow: zeroing what is written next cost 6 % */
		d->cap = d->cap ? 2 * d->cap : 1024;
		d->v = xrealloc(d->v, d->cap * sizeof *d->v);
	}
	d->v[d->n++] = x;
	if (x != DIST_NULL)
		d->sum += x;
}

void dist_vals_free(struct dist_vals *d)
{
	free(d->v);
	memset(d, 0, sizeof *d);
}

static void swap(int64_t *a, int64_t *b)
{
	int64_t t = *a;
	*a = *b;
	*b = t;
}

/* Moves the k-th smallest (0-based) of v[0..n) to v[k], the smaller
 * ones before it and the others after (Hoare's selection, pivot the
 * median of three): linear on average, where sorting a million values
 * per distribution and group would not be. */
static void select_kth(int64_t *v, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1;
	while (hi > lo) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid] < v[lo])
			swap(&v[mid], &v[lo]);
		if (v[hi] < v[lo])
			swap(&v[hi], &v[lo]);
		if (v[hi] < v[mid])
			swap(&v[hi], &v[mid]);
		int64_t pivot = v[mid];
		size_t i = lo, j = hi;
		while (i <= j) {
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i <= j) {
				swap(&v[i], &v[j]);
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		/* v[lo..j] <= pivot <= v[i..hi], and lo..j, i..hi are
		 * both shorter than lo..hi */
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			return; /* between the two: equal to the pivot */
	}
}

/* The smallest of v[0..n), moved to v[0]. */
static void select_min(int64_t *v, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (v[i] < v[0])
			swap(&v[i], &v[0]);
}

static double value(int64_t x)
{
	return x == DIST_NULL ? 0 : (double)x;
}

void dist_vals_result(struct dist_vals *d, struct metric_dist *out)
{
	memset(out, 0, sizeof *out);
	size_t n = d->n;
	out->n = (int64_t)n;
	if (!n)
		return;
	/* 1-based ranks: the median's (n + 1) / 2 and (n + 2) / 2 (the
	 * same when n is odd), the p90's ceil(0.9 n) = (9 n + 9) / 10. */
	size_t lo = (n + 1) / 2 - 1, hi = (n + 2) / 2 - 1, p90 = (9 * n + 9) / 10 - 1;
	select_kth(d->v, n, lo);
	if (hi > lo)
		select_min(d->v + hi, n - hi); /* v[lo + 1..] are all >= v[lo] */
	if (p90 > hi)
		select_kth(d->v + hi + 1, n - hi - 1, p90 - hi - 1);
	out->median = (value(d->v[lo]) + value(d->v[hi])) / 2;
	out->p90 = value(d->v[p90]);
	out->mean = (double)d->sum / (double)n;
}

/* --- groups --------------------------------------------------------------- */

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603u; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

static void rehash(struct metrics_pass *p)
{
	free(p->slots);
	p->nslots = p->nslots ? p->nslots * 2 : 64;
	p->slots = xcalloc(p->nslots, sizeof *p->slots);
	for (size_t i = 0; i < p->m->n; i++) {
		size_t at = hash(p->m->groups[i].key) & (p->nslots - 1);
		while (p->slots[at])
			at = (at + 1) & (p->nslots - 1);
		p->slots[at] = (uint32_t)(i + 1);
	}
}

/* The index in m->groups of the group with this key, made when new. */
static size_t group_index(struct metrics_pass *p, const char *key)
{
	struct metrics *m = p->m;
	if (2 * (m->n + 1) > p->nslots)
		rehash(p);
	size_t at = hash(key) & (p->nslots - 1);
	for (; p->slots[at]; at = (at + 1) & (p->nslots - 1))
		if (strcmp(m->groups[p->slots[at] - 1].key, key) == 0)
			return p->slots[at] - 1;
	/* The groups other statements made (metrics.c) before this pass
	 * are in the hash from its first rehash; a new one goes in both. */
	xgrow((void **)&m->groups, &m->cap, m->n + 1, sizeof *m->groups);
	struct metric_group *g = &m->groups[m->n];
	memset(g, 0, sizeof *g);
	g->key = xstrdup(key);
	p->slots[at] = (uint32_t)(m->n + 1);
	return m->n++;
}

int metrics_pass_targets(struct metrics_pass *p, const char *key, struct metric_group **g,
			 struct dist_vals **d)
{
	int n = 0;
	if (p->total) {
		g[n] = &p->m->total;
		d[n++] = p->total_d;
	}
	if (p->by != BY_NONE) {
		size_t i = group_index(p, key ? key : "");
		if (i >= p->group_d_cap) {
			size_t old = p->group_d_cap;
			xgrow((void **)&p->group_d, &p->group_d_cap, i + 1, sizeof *p->group_d);
			memset(p->group_d + old, 0, (p->group_d_cap - old) * sizeof *p->group_d);
		}
		g[n] = &p->m->groups[i];
		d[n++] = p->group_d[i];
	}
	return n;
}

static void finish_group(struct metric_group *g, struct dist_vals *d, bool business)
{
	/* A distribution no row reached keeps what the group had. */
	struct metric_dist *out[DV__COUNT] = {
		[DV_FRT] = &g->frt,
		[DV_FRT_BUSINESS] = business ? &g->frt_business : NULL,
		[DV_FIRST_RES] = &g->first_resolution,
		[DV_FULL_RES] = &g->full_resolution,
	};
	for (int i = 0; i < DV__COUNT; i++)
		if (out[i] && d[i].n)
			dist_vals_result(&d[i], out[i]);
}

void metrics_pass_finish(struct metrics_pass *p, bool business)
{
	if (p->total)
		finish_group(&p->m->total, p->total_d, business);
	for (size_t i = 0; i < p->group_d_cap && i < p->m->n; i++)
		finish_group(&p->m->groups[i], p->group_d[i], business);
	metrics_pass_free(p);
}

void metrics_pass_free(struct metrics_pass *p)
{
	for (int i = 0; i < DV__COUNT; i++)
		dist_vals_free(&p->total_d[i]);
	for (size_t g = 0; g < p->group_d_cap; g++)
		for (int i = 0; i < DV__COUNT; i++)
			dist_vals_free(&p->group_d[g][i]);
	free(p->group_d);
	free(p->slots);
	p->group_d = NULL;
	p->slots = NULL;
	p->group_d_cap = p->nslots = 0;
	memset(p->total_d, 0, sizeof p->total_d);
}
