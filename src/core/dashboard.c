/* dashboard.c: the supervisors' dashboard in the console: who may see
 * it, its period in local calendar days, and its figures read from the
 * store in one snapshot (the counts themselves: src/store/dashboard.c). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report.h"
#include "util.h"

void dashboard_free(struct dashboard *db)
{
	free(db->days);
	dash_load_list_free(&db->load);
	dash_risk_list_free(&db->risk);
	memset(db, 0, sizeof *db);
}

/* Local midnight `back` days before the day of t (mktime normalises
 * the day of the month and finds each day's own DST offset). */
static int64_t local_midnight(int64_t t, int back)
{
	time_t tt = (time_t)t;
	struct tm tm;
	localtime_r(&tt, &tm);
	tm.tm_mday -= back;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm);
}

int core_dashboard(struct desk *d, int ndays, struct dashboard *out, struct derr *e)
{
	memset(out, 0, sizeof *out);
	int rc = core_report_allowed(d, e);
	if (rc)
		return derr_set(e, DESK_EDENIED, "the dashboard is for supervisors and admins");
	if (ndays < 1 || ndays > DASH_MAX_DAYS)
		return derr_set(e, DESK_EINVAL, "the dashboard's period is 1 to %d days, not %d",
				DASH_MAX_DAYS, ndays);
	out->now = time_now();
	out->ndays = ndays;
	out->days = xcalloc((size_t)ndays, sizeof *out->days);
	for (int i = 0; i < ndays; i++)
		out->days[i].start = local_midnight(out->now, ndays - 1 - i);
	int64_t until = local_midnight(out->now, -1); /* tomorrow */
	struct store *st;
	if ((rc = core_report_store(d, &st, e)) || (rc = store_read_begin(st, e)))
		return rc;
	if (!(rc = store_dash_backlog(st, out->now, &out->backlog, e)) &&
	    !(rc = store_dash_load(st, out->now + DASH_BREACH_SECONDS, &out->load, e)) &&
	    !(rc = store_dash_risk(st, DASH_RISK_ROWS, &out->risk, e)))
		rc = store_dash_days(st, out->days, (size_t)ndays, until, out->now, e);
	store_read_end(st);
	return rc;
}
