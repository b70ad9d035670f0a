/* dashboard.c: the supervisors' dashboard, `D`: a full-screen overlay
 * with the backlog now by status and priority, its age buckets, the
 * load per agent (open, pending, breaching), the SLA risk list, and
 * sparklines per day of tickets created and solved and of the backlog
 * over the period (`P` cycles 7, 14, 30 and 90 days; `:period 30`).
 *
 * j/k move over the rows that lead somewhere, Tab to the next section;
 * Enter jumps: a status, an age bucket or an agent to the queue showing
 * those tickets (the "all" view narrowed by filter terms, q goes back),
 * a risk row to its ticket.  The figures come from core_dashboard
 * (store-computed, one snapshot); other agents' changes reload them at
 * most every few seconds.  Customer text is sanitized before drawing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "format.h"
#include "report.h"
#include "text.h"
#include "ui.h"
#include "util.h"

#define RELOAD_SECONDS 5
#define OPEN_FILTER "status:new,open,pending,on_hold"
#define TWO_COLUMNS 110 /* columns from which the sections go side by side */

enum section { SEC_STATUS, SEC_AGE, SEC_AGENT, SEC_RISK, SEC__COUNT };

struct dline {
	char *text; /* drawable (sanitized) */
	int el;
	int col, y;
	int item; /* index in items, or -1 */
};

struct ditem {
	enum section sec;
	char *filter;   /* the queue narrowed by this, or NULL: */
	int64_t ticket; /* this ticket */
	int line;
};

struct dash_pane {
	struct pane base;
	struct dashboard db;
	bool loaded;
	int64_t loaded_at;
	struct dline *lines;
	size_t nlines, caplines;
	struct ditem *items;
	size_t nitems, capitems;
	size_t sel;
	int top, rows;
	int colx[2], colw[2];
};

/* The period, kept from one opening to the next. */
static int period_days = DASH_DEFAULT_DAYS;
static const int periods[] = {7, 14, 30, 90};

/* --- building the lines ---------------------------------------------------- */

static void clear_lines(struct dash_pane *dp)
{
	for (size_t i = 0; i < dp->nlines; i++)
		free(dp->lines[i].text);
	for (size_t i = 0; i < dp->nitems; i++)
		free(dp->items[i].filter);
	dp->nlines = dp->nitems = 0;
}

static int add_line(struct dash_pane *dp, int col, int *y, int el, char *text)
{
	xgrow((void **)&dp->lines, &dp->caplines, dp->nlines + 1, sizeof *dp->lines);
	dp->lines[dp->nlines] = (struct dline){text, el, col, (*y)++, -1};
	if (*y > dp->rows)
		dp->rows = *y;
	return (int)dp->nlines++;
}

static void add_item(struct dash_pane *dp, int line, enum section sec, char *filter,
		     int64_t ticket)
{
	xgrow((void **)&dp->items, &dp->capitems, dp->nitems + 1, sizeof *dp->items);
	dp->items[dp->nitems] = (struct ditem){sec, filter, ticket, line};
	dp->lines[line].item = (int)dp->nitems++;
}

/* s (sanitized) clipped or padded to exactly w columns. */
static void cell(struct strbuf *b, const char *s, int w)
{
	char *c = text_clip(s, w, true);
	sb_add(b, c);
	free(c);
}

static void section_backlog(struct dash_pane *dp, int col, int *y)
{
	const struct dash_backlog *bl = &dp->db.backlog;
	static const char *const prio_head[PRIO__COUNT] = {"low", "normal", "high", "urgent"};
	struct strbuf b = {0};
	sb_addf(&b, "BACKLOG NOW: %lld open", (long long)bl->total);
	add_line(dp, col, y, EL_HELP_SECTION, sb_take(&b));
	sb_addf(&b, "  %-10s", "status");
	for (int p = PRIO__COUNT - 1; p >= 0; p--)
		sb_addf(&b, "%7s", prio_head[p]);
	sb_addf(&b, "%7s", "total");
	add_line(dp, col, y, EL_COLUMNS, sb_take(&b));
	int64_t col_total[PRIO__COUNT] = {0};
	for (int s = ST_NEW; s <= ST_ON_HOLD; s++) {
		int64_t row = 0;
		sb_addf(&b, "  %-10s", status_name((enum status)s));
		for (int p = PRIO__COUNT - 1; p >= 0; p--) {
			sb_addf(&b, "%7lld", (long long)bl->by[s][p]);
			row += bl->by[s][p];
			col_total[p] += bl->by[s][p];
		}
		sb_addf(&b, "%7lld", (long long)row);
		int l = add_line(dp, col, y, EL_NORMAL, sb_take(&b));
		add_item(dp, l, SEC_STATUS, xasprintf("status:%s", status_name((enum status)s)), 0);
	}
	sb_addf(&b, "  %-10s", "total");
	for (int p = PRIO__COUNT - 1; p >= 0; p--)
		sb_addf(&b, "%7lld", (long long)col_total[p]);
	sb_addf(&b, "%7lld", (long long)bl->total);
	add_line(dp, col, y, EL_INFO, sb_take(&b));
	(*y)++;
}

static void section_age(struct dash_pane *dp, int col, int *y, bool utf8)
{
	static const char *const label[AGE__COUNT] = {"< 1 day", "1-3 days", "3-7 days",
						      "> 7 days"};
	static const char *const term[AGE__COUNT] = {"age:<1d", "age:1d-3d", "age:3d-7d",
						     "age:>7d"};
	const struct dash_backlog *bl = &dp->db.backlog;
	int64_t max = 1;
	for (int i = 0; i < AGE__COUNT; i++)
		if (bl->age[i] > max)
			max = bl->age[i];
	add_line(dp, col, y, EL_HELP_SECTION, xstrdup("AGE OF THE OPEN TICKETS"));
	int barw = dp->colw[col] - 24;
	if (barw > 30)
		barw = 30;
	for (int i = 0; i < AGE__COUNT; i++) {
		struct strbuf b = {0};
		sb_addf(&b, "  %-10s%7lld  ", label[i], (long long)bl->age[i]);
		int n = barw > 0 ? (int)(bl->age[i] * barw / max) : 0;
		for (int k = 0; k < n; k++)
			sb_add(&b, utf8 ? "█" : "#");
		int l = add_line(dp, col, y, EL_NORMAL, sb_take(&b));
		add_item(dp, l, SEC_AGE, xasprintf(OPEN_FILTER " %s", term[i]), 0);
	}
	(*y)++;
}

static void section_trends(struct dash_pane *dp, int col, int *y, bool utf8)
{
	const struct dashboard *db = &dp->db;
	size_t n = (size_t)db->ndays;
	int64_t *created = xcalloc(n + 1, sizeof *created), *solved = xcalloc(n + 1, sizeof *solved),
		*backlog = xcalloc(n + 1, sizeof *backlog);
	int64_t tc = 0, ts = 0;
	for (size_t i = 0; i < n; i++) {
		created[i] = db->days[i].created;
		solved[i] = db->days[i].solved;
		backlog[i] = db->days[i].backlog;
		tc += created[i];
		ts += solved[i];
	}
	char first[32] = "", last[32] = "";
	if (n) {
		time_t t0 = (time_t)db->days[0].start, t1 = (time_t)db->days[n - 1].start;
		struct tm tm;
		strftime(first, sizeof first, "%m-%d", localtime_r(&t0, &tm));
		strftime(last, sizeof last, "%m-%d", localtime_r(&t1, &tm));
	}
	add_line(dp, col, y, EL_HELP_SECTION,
		 xasprintf("PER DAY, LAST %d DAYS (%s to %s, oldest left)", db->ndays, first, last));
	/* Room for the sparkline: the latest days when the column is narrow. */
	int room = dp->colw[col] - 12 - 22;
	size_t show = room > 0 && (size_t)room < n ? (size_t)room : n;
	size_t from = n - show;
	struct {
		const char *name;
		int64_t *v;
		char *sum;
	} rows[] = {
		{"created", created, xasprintf("%lld in all", (long long)tc)},
		{"solved", solved, xasprintf("%lld in all", (long long)ts)},
		{"backlog", backlog,
		 xasprintf("%lld now, %lld at start", n ? (long long)backlog[n - 1] : 0LL,
			   n ? (long long)backlog[0] : 0LL)},
	};
	for (size_t r = 0; r < ARRAY_LEN(rows); r++) {
		char *spark = sparkline(rows[r].v + from, show, utf8);
		add_line(dp, col, y, EL_NORMAL,
			 xasprintf("  %-10s%s  %s", rows[r].name, spark, rows[r].sum));
		free(spark);
		free(rows[r].sum);
	}
	free(created);
	free(solved);
	free(backlog);
	(*y)++;
}

static void section_load(struct dash_pane *dp, int col, int *y)
{
	const struct dash_load_list *ld = &dp->db.load;
	add_line(dp, col, y, EL_HELP_SECTION, xstrdup("LOAD PER AGENT"));
	struct strbuf b = {0};
	sb_add(&b, "  ");
	cell(&b, "agent", 16);
	sb_addf(&b, "%7s%9s%11s", "open", "pending", "breaching");
	add_line(dp, col, y, EL_COLUMNS, sb_take(&b));
	for (size_t i = 0; i < ld->n; i++) {
		const struct dash_load *l = &ld->v[i];
		char *login = text_sanitize(l->login ? l->login : "(unassigned)", 0);
		sb_add(&b, "  ");
		cell(&b, login, 16);
		sb_addf(&b, "%7lld%9lld%11lld", (long long)l->open, (long long)l->pending,
			(long long)l->breaching);
		int line = add_line(dp, col, y, l->breaching ? EL_SLA_NEAR : EL_NORMAL, sb_take(&b));
		/* A login is one word without spaces or colons; anything else
		 * cannot be a filter term, so it leads nowhere. */
		bool plain = l->login && !strpbrk(l->login, " \t:");
		if (!l->login || plain)
			add_item(dp, line, SEC_AGENT,
				 xasprintf("assignee:%s " OPEN_FILTER, l->login ? l->login : "none"), 0);
		free(login);
	}
	if (!ld->n)
		add_line(dp, col, y, EL_INFO, xstrdup("  (no agents)"));
	(*y)++;
}

static void section_risk(struct dash_pane *dp, int col, int *y)
{
	const struct dash_risk_list *rl = &dp->db.risk;
	add_line(dp, col, y, EL_HELP_SECTION, xstrdup("SLA RISK: NEXT TO BREACH"));
	int subw = dp->colw[col] - 2 - 8 - 8 - 5 - 5 - 11;
	for (size_t i = 0; i < rl->n; i++) {
		const struct dash_risk *r = &rl->v[i];
		char due[32], id[32];
		sla_cell(r->due, dp->db.now, 0, 0, due, sizeof due);
		snprintf(id, sizeof id, "#%lld", (long long)r->id);
		char *who = text_sanitize(r->assignee ? r->assignee : "-", 0);
		char *subject = text_sanitize(r->subject, 0);
		struct strbuf b = {0};
		sb_addf(&b, "  %-8s%7s %-5s%-5s", id, due, priority_label(r->priority),
			status_label(r->status));
		cell(&b, who, 10);
		sb_add(&b, " ");
		if (subw > 0)
			cell(&b, subject, subw);
		int line = add_line(dp, col, y, r->due < dp->db.now ? EL_SLA_PAST : EL_NORMAL,
				    sb_take(&b));
		add_item(dp, line, SEC_RISK, NULL, r->id);
		free(who);
		free(subject);
	}
	if (!rl->n)
		add_line(dp, col, y, EL_INFO, xstrdup("  (no open ticket has a due time)"));
	(*y)++;
}

/* Lays the sections out for the pane's width: side by side when wide. */
static void build(struct dash_pane *dp)
{
	int64_t keep_ticket = 0;
	char *keep_filter = NULL;
	if (dp->sel < dp->nitems) {
		keep_ticket = dp->items[dp->sel].ticket;
		keep_filter = xstrdup(dp->items[dp->sel].filter);
	}
	clear_lines(dp);
	dp->rows = 0;
	if (!dp->loaded) {
		free(keep_filter);
		return;
	}
	int w = dp->base.w;
	bool two = w >= TWO_COLUMNS;
	dp->colx[0] = 1;
	dp->colw[0] = two ? w / 2 - 2 : w - 2;
	dp->colx[1] = two ? w / 2 + 1 : 1;
	dp->colw[1] = two ? w - w / 2 - 2 : w - 2;
	bool utf8 = ui_utf8();
	int y0 = 0, y1 = 0;
	section_backlog(dp, 0, &y0);
	section_age(dp, 0, &y0, utf8);
	section_trends(dp, 0, &y0, utf8);
	int *yr = two ? &y1 : &y0;
	section_load(dp, two ? 1 : 0, yr);
	section_risk(dp, two ? 1 : 0, yr);
	/* Items in reading order: the left column's, then the right's. */
	dp->sel = 0;
	for (size_t i = 0; i < dp->nitems; i++) {
		const struct ditem *it = &dp->items[i];
		if ((keep_ticket && it->ticket == keep_ticket) ||
		    (keep_filter && it->filter && strcmp(it->filter, keep_filter) == 0)) {
			dp->sel = i;
			break;
		}
	}
	free(keep_filter);
}

static int load(struct dash_pane *dp, struct app *a)
{
	struct derr e = {0};
	dashboard_free(&dp->db);
	dp->loaded_at = time_now();
	int rc = core_dashboard(a->d, period_days, &dp->db, &e);
	dp->loaded = rc == DESK_OK;
	build(dp);
	if (rc)
		return app_error(a, &e);
	return RD_OVERLAY;
}

/* --- the pane ---------------------------------------------------------------- */

static int vis(const struct pane *p)
{
	return p->h > 1 ? p->h - 1 : 1;
}

static void keep_visible(struct dash_pane *dp)
{
	if (dp->sel >= dp->nitems)
		return;
	int y = dp->lines[dp->items[dp->sel].line].y;
	int v = vis(&dp->base);
	/* Show the section's title with its first row. */
	if (y - 2 < dp->top)
		dp->top = y - 2 > 0 ? y - 2 : 0;
	if (y >= dp->top + v)
		dp->top = y - v + 1;
}

static void d_draw(struct pane *p, struct app *a)
{
	struct dash_pane *dp = (struct dash_pane *)p;
	WINDOW *w = p->win;
	werase(w);
	char head[256], at[32] = "";
	time_t now = (time_t)(dp->loaded ? dp->db.now : time_now());
	struct tm tm;
	strftime(at, sizeof at, "%H:%M", localtime_r(&now, &tm));
	snprintf(head, sizeof head,
		 "Dashboard · last %d days · as of %s   j/k move  Enter shows the tickets  "
		 "Tab next section  P period  q close",
		 period_days, at);
	ui_fill(w, 0, 0, p->w, a->attr[EL_TITLE_FOCUS]);
	ui_put(w, 0, 1, p->w - 1, head, a->attr[EL_TITLE_FOCUS]);
	if (!dp->loaded) {
		ui_put(w, 2, 2, p->w - 2, "The dashboard could not be read (see below).",
		       a->attr[EL_ERROR]);
		return;
	}
	keep_visible(dp);
	int v = vis(p);
	for (size_t i = 0; i < dp->nlines; i++) {
		const struct dline *l = &dp->lines[i];
		int row = l->y - dp->top;
		if (row < 0 || row >= v)
			continue;
		bool sel = l->item >= 0 && (size_t)l->item == dp->sel;
		attr_t attr = a->attr[sel ? EL_SELECTED : l->el];
		if (sel)
			ui_fill(w, 1 + row, dp->colx[l->col], dp->colw[l->col], attr);
		ui_put(w, 1 + row, dp->colx[l->col], dp->colw[l->col], l->text, attr);
	}
}

/* Enter: the queue showing the item's tickets, or its ticket. */
static int jump(struct dash_pane *dp, struct app *a)
{
	if (dp->sel >= dp->nitems)
		return RD_OVERLAY;
	int64_t ticket = dp->items[dp->sel].ticket;
	char *filter = xstrdup(dp->items[dp->sel].filter);
	int flags = app_close_overlay(a); /* frees dp */
	if (!filter) {
		char id[32];
		snprintf(id, sizeof id, "%lld", (long long)ticket);
		return flags | act_open(a, id);
	}
	char *prev = a->prev_view ? xstrdup(a->prev_view) : xstrdup(a->view_name);
	flags |= act_view(a, "all");
	flags |= act_filter(a, filter);
	if (a->filter && strcmp(a->filter, filter) == 0 && strcmp(a->view_name, "all") == 0) {
		free(a->prev_view);
		a->prev_view = prev; /* q goes back there */
		app_msg(a, "From the dashboard: %s; q goes back, D to the dashboard.", filter);
	} else {
		free(prev);
	}
	free(filter);
	return flags | RD_ALL;
}

static void step(struct dash_pane *dp, int delta)
{
	if (!dp->nitems)
		return;
	long s = (long)dp->sel + delta;
	if (s < 0)
		s = 0;
	if (s >= (long)dp->nitems)
		s = (long)dp->nitems - 1;
	dp->sel = (size_t)s;
}

static void next_section(struct dash_pane *dp, int dir)
{
	if (!dp->nitems)
		return;
	enum section cur = dp->items[dp->sel].sec;
	if (dir > 0) {
		for (size_t i = dp->sel + 1; i < dp->nitems; i++)
			if (dp->items[i].sec != cur) {
				dp->sel = i;
				return;
			}
		dp->sel = 0; /* around to the first */
		return;
	}
	/* back: to the first item of the previous section */
	size_t i = dp->sel;
	while (i > 0 && dp->items[i - 1].sec == cur)
		i--;
	if (i == 0) {
		i = dp->nitems - 1;
	} else {
		i--;
	}
	cur = dp->items[i].sec;
	while (i > 0 && dp->items[i - 1].sec == cur)
		i--;
	dp->sel = i;
}

static int cycle_period(struct dash_pane *dp, struct app *a)
{
	size_t i = 0;
	while (i < ARRAY_LEN(periods) && periods[i] <= period_days)
		i++;
	period_days = periods[i % ARRAY_LEN(periods)];
	int flags = load(dp, a);
	app_msg(a, "The dashboard's period: the last %d days.", period_days);
	return flags | RD_STATUS;
}

static int d_key(struct pane *p, struct app *a, int action, int key)
{
	struct dash_pane *dp = (struct dash_pane *)p;
	int page = vis(p) / 2 > 0 ? vis(p) / 2 : 1;
	switch (action) {
	case ACT_DOWN: step(dp, 1); break;
	case ACT_UP: step(dp, -1); break;
	case ACT_PAGE_DOWN:
	case ACT_HALF_DOWN: step(dp, page); break;
	case ACT_PAGE_UP:
	case ACT_HALF_UP: step(dp, -page); break;
	case ACT_TOP: dp->sel = 0; dp->top = 0; break;
	case ACT_BOTTOM: step(dp, (int)dp->nitems); break;
	case ACT_FOCUS_NEXT: next_section(dp, 1); break;
	case ACT_FOCUS_PREV: next_section(dp, -1); break;
	case ACT_OPEN: return jump(dp, a);
	case ACT_PERIOD: return cycle_period(dp, a);
	case ACT_REFRESH: {
		int flags = load(dp, a);
		if (dp->loaded)
			app_msg(a, "Reloaded.");
		return flags | RD_STATUS;
	}
	case ACT_REDRAW: return RD_FULL | RD_LAYOUT | RD_ALL;
	case ACT_QUIT: a->quit = true; return app_close_overlay(a);
	case ACT_BACK:
	case ACT_DASHBOARD:
	case ACT_CANCEL: return app_close_overlay(a);
	case ACT_HELP:
	case ACT_COMMAND:
		/* These open an overlay of their own, which replaces this one. */
		return app_run_action(a, action, NULL);
	default:
		if (action >= 0)
			app_msg(a, "%s does not work in the dashboard; q closes it.",
				actions[action].name);
		return RD_STATUS;
	}
	return RD_OVERLAY;
}

static void d_resize(struct pane *p, struct app *a)
{
	struct dash_pane *dp = (struct dash_pane *)p;
	if (!overlay_fill_screen(p, a))
		return;
	dp->top = 0;
	build(dp);
}

static int d_data_changed(struct pane *p, struct app *a)
{
	struct dash_pane *dp = (struct dash_pane *)p;
	/* Other agents' work: figures at most a few seconds old, without
	 * recounting on every change of a busy team. */
	if (time_now() - dp->loaded_at < RELOAD_SECONDS)
		return 0;
	return load(dp, a);
}

static void d_destroy(struct pane *p)
{
	struct dash_pane *dp = (struct dash_pane *)p;
	clear_lines(dp);
	free(dp->lines);
	free(dp->items);
	dashboard_free(&dp->db);
	if (p->win)
		delwin(p->win);
	free(dp);
}

static const struct pane_ops dashboard_ops = {
	.name = "Dashboard",
	.ctx = KC_GLOBAL,
	.draw = d_draw,
	.key = d_key,
	.resize = d_resize,
	.data_changed = d_data_changed,
	.destroy = d_destroy,
	.off_ticket = true,
};

int act_dashboard(struct app *a, const char *arg)
{
	struct derr e = {0};
	/* Agents are told at once, before anything is counted. */
	if (core_report_allowed(a->d, &e)) {
		app_fail(a, "The dashboard is for supervisors and admins.");
		return RD_STATUS;
	}
	struct dash_pane *dp = xcalloc(1, sizeof *dp);
	dp->base.ops = &dashboard_ops;
	dp->base.flag = RD_OVERLAY;
	int flags = app_set_overlay(a, &dp->base); /* sizes it */
	return flags | load(dp, a);
}

int act_period(struct app *a, const char *arg)
{
	if (!arg) {
		if (a->overlay && a->overlay->ops == &dashboard_ops)
			return cycle_period((struct dash_pane *)a->overlay, a);
		app_msg(a, "The period is the dashboard's: D opens it, then P changes it.");
		return RD_STATUS;
	}
	int64_t secs;
	char *end;
	long days = strtol(arg, &end, 10);
	if (*end == '\0' && days > 0)
		secs = days * 86400;
	else if (!duration_parse(arg, &secs))
		secs = 0;
	if (secs < 86400 || secs % 86400 || secs / 86400 > DASH_MAX_DAYS) {
		app_fail(a, "Period \"%s\": a number of days from 1 to %d, like 30 or 30d.", arg,
			 DASH_MAX_DAYS);
		return RD_STATUS;
	}
	period_days = (int)(secs / 86400);
	if (a->overlay && a->overlay->ops == &dashboard_ops)
		return load((struct dash_pane *)a->overlay, a);
	return act_dashboard(a, NULL);
}
