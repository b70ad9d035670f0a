/* queue.c: the queue pane.  It holds only the rows on screen and asks
 * the store for neighbours by keyset (store_queue_page): moving, paging,
 * `G` and refreshing cost the same on ten tickets or a million.
 *
 * The ticket under the cursor is the one the agent is working on: when a
 * change (theirs or another agent's) moves it in the sort order or out of
 * the view, its row is held where it was, marked with what happened,
 * until the cursor leaves it.  The conversation never slides to another
 * customer's ticket, and J/K go on from where the agent was. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "text.h"
#include "ui.h"
#include "util.h"

struct queue_pane {
	struct pane base; /* first: a struct pane * is a struct queue_pane * */
	struct queue_page page;
	size_t sel;
	int64_t sel_id;
	bool loaded;
	/* The held row: the ticket id and the sort key it had when it was
	 * held (a fresh copy of the same ticket elsewhere on the page has
	 * another key), and what happened to it, shown on the row. */
	bool held;
	int64_t held_id;
	struct queue_key held_key;
	char held_why[200];
};

static struct queue_pane *qp(struct app *a)
{
	return (struct queue_pane *)a->pane[PANE_QUEUE];
}

static int nrows(const struct pane *p)
{
	return p->h > 2 ? p->h - 2 : 1; /* title and column titles */
}

/* --- pages of rows ----------------------------------------------------- */

static void row_free(struct queue_row *r)
{
	free(r->customer);
	free(r->subject);
	free(r->assignee);
	free(r->tags);
}

static void drop_front(struct queue_page *p, size_t n)
{
	if (n > p->n)
		n = p->n;
	for (size_t i = 0; i < n; i++)
		row_free(&p->rows[i]);
	memmove(p->rows, p->rows + n, (p->n - n) * sizeof *p->rows);
	p->n -= n;
}

static void drop_back(struct queue_page *p, size_t keep)
{
	while (p->n > keep)
		row_free(&p->rows[--p->n]);
}

/* Moves the rows of `more` after (or before) those of p; empties more. */
static void join(struct queue_page *p, struct queue_page *more, bool before)
{
	if (!more->n) {
		queue_page_free(more);
		return;
	}
	xgrow((void **)&p->rows, &p->cap, p->n + more->n, sizeof *p->rows);
	if (before) {
		memmove(p->rows + more->n, p->rows, p->n * sizeof *p->rows);
		memcpy(p->rows, more->rows, more->n * sizeof *p->rows);
	} else {
		memcpy(p->rows + p->n, more->rows, more->n * sizeof *p->rows);
	}
	p->n += more->n;
	free(more->rows);
	memset(more, 0, sizeof *more);
}

/* Rows straight from the store, with their text made safe to draw. */
static int fetch(struct app *a, const struct queue_filter *f, const struct queue_key *after,
		 bool backward, int limit, struct queue_page *out)
{
	struct derr e = {0};
	if (limit <= 0)
		return DESK_OK;
	size_t first = out->n;
	struct queue_filter marked = f ? *f : a->view.filter;
	marked.drafts_of = a->d->me.id; /* the page marks the agent's drafts */
	int rc = store_queue_page(a->d->st, &marked, a->view.sort, a->view.reverse, after,
				  backward, limit, out, &e);
	if (rc) {
		app_error(a, &e);
		return rc;
	}
	for (size_t i = first; i < out->n; i++) {
		struct queue_row *r = &out->rows[i];
		char **fields[] = {&r->customer, &r->subject, &r->assignee, &r->tags};
		for (size_t j = 0; j < ARRAY_LEN(fields); j++) {
			if (!*fields[j])
				continue;
			char *safe = text_sanitize(*fields[j], 0);
			free(*fields[j]);
			*fields[j] = safe;
		}
	}
	return DESK_OK;
}

/* A key just before row r, so that "after it" includes r.  Every sort
 * ends with the ticket id: the last key equal to the id is nudged. */
static struct queue_key key_before(const struct queue_row *r, bool reverse)
{
	struct queue_key k = r->key;
	for (int i = (int)ARRAY_LEN(k.k) - 1; i >= 0; i--) {
		if (k.k[i] == r->id) {
			k.k[i] += reverse ? 1 : -1;
			break;
		}
	}
	return k;
}

static size_t index_of(const struct queue_page *p, int64_t id);
static void release_held(struct queue_pane *q, struct app *a, size_t *i);

static void select_row(struct queue_pane *q, struct app *a, size_t i, int *flags)
{
	if (q->held)
		release_held(q, a, &i);
	if (!q->page.n) {
		q->sel = 0;
		if (q->sel_id) {
			q->sel_id = 0;
			if (a->cur_from_queue)
				*flags |= app_show(a, 0, true);
		}
		return;
	}
	if (i >= q->page.n)
		i = q->page.n - 1;
	q->sel = i;
	int64_t id = q->page.rows[i].id;
	if (id != q->sel_id || (a->cur_from_queue && a->cur_id != id)) {
		q->sel_id = id;
		if (a->cur_from_queue)
			*flags |= app_show(a, id, true);
	}
}

static size_t index_of(const struct queue_page *p, int64_t id)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->rows[i].id == id)
			return i;
	return (size_t)-1;
}

/* Fills the screen around row r (its key), with r on screen row `at`. */
static void fill_around(struct queue_pane *q, struct app *a, const struct queue_row *r,
			int at, struct queue_page *out)
{
	int rows = nrows(&q->base);
	struct queue_page above = {0}, below = {0};
	if (at >= rows)
		at = rows - 1;
	fetch(a, NULL, &r->key, true, at, &above);
	struct queue_key kb = key_before(r, a->view.reverse);
	fetch(a, NULL, &kb, false, rows - (int)above.n, &below);
	int missing = rows - (int)(above.n + below.n);
	if (missing > 0 && (int)above.n == at) {
		struct queue_page more = {0};
		fetch(a, NULL, above.n ? &above.rows[0].key : &r->key, true, missing, &more);
		join(&above, &more, true);
	}
	join(&above, &below, false);
	queue_page_free(out);
	*out = above;
}

/* Where is ticket id in this view?  The store finds its sort key (a
 * lookup by id), so a ticket that moved far in the sort order is found
 * at the same cost as one that stayed; the screen is filled around it. */
static bool locate(struct queue_pane *q, struct app *a, int64_t id, size_t at)
{
	struct derr e = {0};
	struct queue_row r = {.id = id};
	if (store_queue_locate(a->d->st, &a->view.filter, a->view.sort, a->view.reverse, id, NULL,
			       &r.key, &e) != DESK_OK)
		return false;
	struct queue_page np = {0};
	fill_around(q, a, &r, (int)at, &np);
	if (index_of(&np, id) == (size_t)-1) {
		queue_page_free(&np);
		return false;
	}
	queue_page_free(&q->page);
	q->page = np;
	return true;
}

/* --- the held row ------------------------------------------------------ */

static size_t held_index(const struct queue_pane *q)
{
	for (size_t i = 0; q->held && i < q->page.n; i++)
		if (q->page.rows[i].id == q->held_id &&
		    memcmp(&q->page.rows[i].key, &q->held_key, sizeof q->held_key) == 0)
			return i;
	return (size_t)-1;
}

static bool same_text(const char *x, const char *y)
{
	return x == y || (x && y && strcmp(x, y) == 0);
}

/* Which field a change to the ticket concerns, for finding who made it. */
static const char *changed_field(const struct ticket *t, const struct queue_row *was)
{
	if (t->merged_into)
		return "merged_into";
	if (!same_text(t->assignee_login, was->assignee))
		return "assignee";
	if (t->status != was->status)
		return "status";
	if (t->priority != was->priority)
		return "priority";
	return NULL;
}

/* What happened to the ticket of row `was` ("claimed by chen", "pending
 * by you", "merged into #7 by ben"), from the ticket as it is now and the
 * latest audit event on what changed, sanitized into buf; the row's
 * columns are brought up to date.  False when the ticket did not change
 * since the row was last brought up to date (buf is left as it is). */
static bool held_reason(struct app *a, struct queue_row *was, char *buf, size_t size)
{
	struct ticket t = {0};
	struct event ev = {0};
	struct derr e = {0};
	if (store_ticket_get(a->d->st, was->id, &t, &e) != DESK_OK) {
		snprintf(buf, size, "gone");
		return true;
	}
	if (t.updated_at == was->updated_at && *buf) {
		ticket_free(&t);
		return false;
	}
	const char *field = changed_field(&t, was), *by = NULL;
	if (store_event_last(a->d->st, was->id, field, &ev, &e) == DESK_OK)
		by = ev.agent_login;
	const char *who = !by ? "the system" : same_text(by, a->d->me.login) ? "you" : by;
	char what[200];
	if (t.merged_into)
		snprintf(what, sizeof what, "merged into #%lld by %s", (long long)t.merged_into, who);
	else if (field && strcmp(field, "assignee") == 0 && !t.assignee_login)
		snprintf(what, sizeof what, "unassigned by %s", who);
	else if (field && strcmp(field, "assignee") == 0 && same_text(by, t.assignee_login))
		snprintf(what, sizeof what, "claimed by %s", who);
	else if (field && strcmp(field, "assignee") == 0)
		snprintf(what, sizeof what, "assigned to %s by %s",
			 same_text(t.assignee_login, a->d->me.login) ? "you" : t.assignee_login, who);
	else if (field && strcmp(field, "status") == 0)
		snprintf(what, sizeof what, "%s by %s", status_name(t.status), who);
	else if (field)
		snprintf(what, sizeof what, "%s priority by %s", priority_name(t.priority), who);
	else
		snprintf(what, sizeof what, "changed by %s", who);
	char *safe = text_sanitize(what, 0); /* logins come from the database */
	snprintf(buf, size, "%s", safe);
	free(safe);
	/* The row shows the ticket as it is now, at the place it had. */
	was->status = t.status;
	was->priority = t.priority;
	was->updated_at = t.updated_at;
	free(was->assignee);
	was->assignee = t.assignee_login ? text_sanitize(t.assignee_login, 0) : NULL;
	event_free(&ev);
	ticket_free(&t);
	return true;
}

/* The cursor leaves the held row: it goes, and the page is read again
 * around the row the cursor moves to (*i is its index, kept in step). */
static void release_held(struct queue_pane *q, struct app *a, size_t *i)
{
	size_t h = held_index(q);
	if (h == *i)
		return;
	q->held = false;
	if (h == (size_t)-1)
		return;
	int64_t to = *i < q->page.n ? q->page.rows[*i].id : 0;
	row_free(&q->page.rows[h]);
	memmove(q->page.rows + h, q->page.rows + h + 1, (q->page.n - h - 1) * sizeof *q->page.rows);
	q->page.n--;
	if (*i > h && *i != (size_t)-1)
		(*i)--;
	/* The rows around the one the cursor goes to, without a gap. */
	if (to && *i < q->page.n) {
		struct queue_row r = q->page.rows[*i];
		struct queue_page np = {0};
		fill_around(q, a, &r, (int)*i, &np);
		size_t j = index_of(&np, to);
		if (j != (size_t)-1) {
			queue_page_free(&q->page);
			q->page = np;
			*i = j;
		} else {
			queue_page_free(&np);
		}
	}
}

/* Puts `keep` (the cursor's ticket, which changed) back on page np at
 * screen row `at`, held there; any other copy of it on np goes.  What
 * happened is said when it is new. */
static void hold(struct queue_pane *q, struct app *a, struct queue_page *np, struct queue_row *keep,
		 size_t at, int *flags)
{
	/* The held copy is old; its draft mark must not be. */
	store_draft_marks(a->d->st, a->d->me.id, keep, 1, NULL);
	size_t dup = index_of(np, keep->id);
	bool in_view = dup != (size_t)-1;
	if (dup != (size_t)-1) {
		row_free(&np->rows[dup]);
		memmove(np->rows + dup, np->rows + dup + 1, (np->n - dup - 1) * sizeof *np->rows);
		np->n--;
	}
	if (!q->held)
		q->held_why[0] = '\0';
	if (held_reason(a, keep, q->held_why, sizeof q->held_why)) {
		struct derr e = {0};
		in_view = in_view || store_queue_locate(a->d->st, &a->view.filter, a->view.sort,
							a->view.reverse, keep->id, NULL, NULL,
							&e) == DESK_OK;
		app_msg(a, "#%lld %s, %s: it stays here until you move.", (long long)keep->id,
			q->held_why, in_view ? "moved in this view" : "no longer in this view");
		*flags |= RD_STATUS;
	}
	if (at > np->n)
		at = np->n;
	xgrow((void **)&np->rows, &np->cap, np->n + 1, sizeof *np->rows);
	memmove(np->rows + at + 1, np->rows + at, (np->n - at) * sizeof *np->rows);
	np->rows[at] = *keep;
	np->n++;
	memset(keep, 0, sizeof *keep);
	q->held = true;
	q->held_id = np->rows[at].id;
	q->held_key = np->rows[at].key;
	drop_back(np, (size_t)nrows(&q->base) > at + 1 ? (size_t)nrows(&q->base) : at + 1);
}

/* Reloads the rows from the top one down, keeping the cursor on its
 * ticket.  When that ticket moved in the sort order or left the view,
 * its row is held where it was (see the top of this file). */
static int reload(struct queue_pane *q, struct app *a)
{
	int rows = nrows(&q->base), flags = RD_QUEUE | RD_STATUS;
	int64_t want = q->sel_id;
	size_t at = q->sel;
	struct queue_page np = {0};
	struct queue_key k = {{0}};
	if (q->page.n) /* before the cursor's row is taken out: it may be the top one */
		k = key_before(&q->page.rows[0], a->view.reverse);
	struct queue_row keep = {0};
	if (want > 0 && at < q->page.n && q->page.rows[at].id == want) {
		keep = q->page.rows[at];
		memset(&q->page.rows[at], 0, sizeof q->page.rows[at]);
	}
	if (fetch(a, NULL, q->page.n ? &k : NULL, false, rows, &np)) {
		queue_page_free(&np);
		if (keep.id)
			q->page.rows[at] = keep;
		return flags;
	}
	if ((int)np.n < rows) {
		struct queue_page before = {0};
		fetch(a, NULL, np.n ? &np.rows[0].key : NULL, true, rows - (int)np.n, &before);
		join(&np, &before, true);
	}
	queue_page_free(&q->page);
	q->loaded = true;
	size_t i = want ? index_of(&np, want) : (size_t)-1;
	if (keep.id) {
		/* Still in the view with the same sort key: nothing to hold. */
		bool stayed = !q->held && i != (size_t)-1 &&
			      memcmp(&np.rows[i].key, &keep.key, sizeof keep.key) == 0;
		if (!stayed) {
			hold(q, a, &np, &keep, at, &flags);
			i = at < np.n ? at : np.n - 1;
		}
		row_free(&keep);
	}
	q->page = np;
	if (i == (size_t)-1 && want && locate(q, a, want, at))
		i = index_of(&q->page, want);
	select_row(q, a, i != (size_t)-1 ? i : at, &flags);
	return flags;
}

int queue_reset_at(struct app *a, int64_t id)
{
	struct queue_pane *q = qp(a);
	int flags = RD_QUEUE | RD_STATUS;
	queue_page_free(&q->page);
	q->held = false; /* a new page: nothing of the old one is held */
	q->sel = 0;
	q->loaded = true;
	a->cur_from_queue = true;
	fetch(a, NULL, NULL, false, nrows(&q->base), &q->page);
	q->sel_id = -1; /* force app_show */
	size_t i = id ? index_of(&q->page, id) : (size_t)-1;
	select_row(q, a, i != (size_t)-1 ? i : 0, &flags);
	a->view_fresh = i == (size_t)-1 || i == 0;
	return flags;
}

int queue_reset(struct app *a)
{
	return queue_reset_at(a, 0);
}

int64_t queue_selected(struct app *a)
{
	struct queue_pane *q = qp(a);
	return q->page.n ? q->page.rows[q->sel].id : 0;
}

/* Moves the cursor by delta rows, scrolling as little as possible. */
bool queue_step(struct app *a, int delta, int *flags)
{
	struct queue_pane *q = qp(a);
	size_t rows = (size_t)nrows(&q->base);
	if (!q->page.n)
		return false;
	long target = (long)q->sel + delta;
	if (target >= (long)q->page.n) {
		struct queue_page more = {0};
		fetch(a, NULL, &q->page.rows[q->page.n - 1].key, false,
		      (int)(target - (long)q->page.n + 1), &more);
		join(&q->page, &more, false);
		if (target >= (long)q->page.n)
			target = (long)q->page.n - 1;
		if ((size_t)target >= rows) {
			size_t drop = (size_t)target - rows + 1;
			drop_front(&q->page, drop);
			target -= (long)drop;
		}
		drop_back(&q->page, rows);
	} else if (target < 0) {
		struct queue_page more = {0};
		fetch(a, NULL, &q->page.rows[0].key, true, (int)-target, &more);
		target += (long)more.n;
		join(&q->page, &more, true);
		if (target < 0)
			target = 0;
		drop_back(&q->page, rows);
	}
	bool moved = (size_t)target != q->sel || q->page.rows[target].id != q->sel_id;
	select_row(q, a, (size_t)target, flags);
	*flags |= RD_QUEUE;
	return moved;
}

/* Scrolls by n rows (a page or half), the cursor keeping its screen row;
 * at an end the cursor goes to the first or last row. */
static void scroll_by(struct queue_pane *q, struct app *a, int n, int *flags)
{
	size_t rows = (size_t)nrows(&q->base);
	if (!q->page.n)
		return;
	struct queue_page more = {0};
	size_t sel = q->sel;
	if (n > 0) {
		fetch(a, NULL, &q->page.rows[q->page.n - 1].key, false, n, &more);
		size_t got = more.n;
		join(&q->page, &more, false);
		if (q->page.n > rows)
			drop_front(&q->page, q->page.n - rows);
		if (got < (size_t)n)
			sel = q->page.n - 1;
	} else {
		fetch(a, NULL, &q->page.rows[0].key, true, -n, &more);
		size_t got = more.n;
		join(&q->page, &more, true);
		drop_back(&q->page, rows);
		if (got < (size_t)-n)
			sel = 0;
	}
	select_row(q, a, sel, flags);
	*flags |= RD_QUEUE;
}

static void ends(struct queue_pane *q, struct app *a, bool bottom, int *flags)
{
	struct queue_page np = {0};
	if (fetch(a, NULL, NULL, bottom, nrows(&q->base), &np)) {
		queue_page_free(&np);
		return;
	}
	queue_page_free(&q->page);
	q->page = np;
	q->held = false;
	select_row(q, a, bottom && np.n ? np.n - 1 : 0, flags);
	*flags |= RD_QUEUE;
}

/* --- the pane ---------------------------------------------------------- */

static int q_key(struct pane *p, struct app *a, int action, int key)
{
	struct queue_pane *q = (struct queue_pane *)p;
	int rows = nrows(p), flags = 0;
	switch (action) {
	case ACT_DOWN: queue_step(a, 1, &flags); break;
	case ACT_UP: queue_step(a, -1, &flags); break;
	case ACT_PAGE_DOWN: scroll_by(q, a, rows, &flags); break;
	case ACT_PAGE_UP: scroll_by(q, a, -rows, &flags); break;
	case ACT_HALF_DOWN: scroll_by(q, a, rows / 2 ? rows / 2 : 1, &flags); break;
	case ACT_HALF_UP: scroll_by(q, a, -(rows / 2 ? rows / 2 : 1), &flags); break;
	case ACT_TOP: ends(q, a, false, &flags); break;
	case ACT_BOTTOM: ends(q, a, true, &flags); break;
	case ACT_OPEN:
		if (!q->page.n)
			return RD_UNHANDLED;
		flags = app_show(a, q->page.rows[q->sel].id, true);
		flags |= app_focus(a, PANE_CONV);
		break;
	default: return RD_UNHANDLED;
	}
	return flags;
}

static int q_click(struct pane *p, struct app *a, int y, int x)
{
	struct queue_pane *q = (struct queue_pane *)p;
	int flags = RD_QUEUE;
	if (y >= 2 && (size_t)(y - 2) < q->page.n) {
		a->cur_from_queue = true;
		select_row(q, a, (size_t)(y - 2), &flags);
	}
	return flags;
}

static void q_resize(struct pane *p, struct app *a)
{
	struct queue_pane *q = (struct queue_pane *)p;
	size_t rows = (size_t)nrows(p);
	int flags = 0;
	if (!q->loaded)
		return;
	if (q->page.n > rows) {
		if (q->sel >= rows) {
			size_t drop = q->sel - rows + 1;
			drop_front(&q->page, drop);
			q->sel -= drop;
		}
		drop_back(&q->page, rows);
	} else if (q->page.n < rows && q->page.n) {
		struct queue_page more = {0};
		fetch(a, NULL, &q->page.rows[q->page.n - 1].key, false, (int)(rows - q->page.n),
		      &more);
		join(&q->page, &more, false);
		if (q->page.n < rows) {
			fetch(a, NULL, &q->page.rows[0].key, true, (int)(rows - q->page.n), &more);
			q->sel += more.n;
			join(&q->page, &more, true);
		}
	}
	select_row(q, a, q->sel, &flags);
	a->dirty |= flags;
}

static int q_data_changed(struct pane *p, struct app *a)
{
	return reload((struct queue_pane *)p, a);
}

static void put_cell(WINDOW *w, int y, int x, int width, const char *s, bool right, attr_t at)
{
	char *cell;
	if (right) {
		int tw = text_width(s);
		char pad[64];
		int n = width - tw > 0 ? width - tw : 0;
		if (n > (int)sizeof pad - 1)
			n = (int)sizeof pad - 1;
		memset(pad, ' ', (size_t)n);
		pad[n] = '\0';
		cell = xasprintf("%s%s", pad, s);
	} else {
		cell = text_clip(s, width, false);
	}
	ui_put(w, y, x, width, cell, at);
	free(cell);
}

static void q_draw(struct pane *p, struct app *a)
{
	struct queue_pane *q = (struct queue_pane *)p;
	WINDOW *w = p->win;
	char title[384], view[256], count[32];
	views_title(a, view, sizeof view);
	count_label(a, count, sizeof count);
	char marked[48] = "";
	if (marks_count(a))
		snprintf(marked, sizeof marked, " [%zu marked]", marks_count(a));
	snprintf(title, sizeof title, "Queue: %s (%s)%s%s", view, count, marked,
		 a->layout == LAYOUT_NARROW ? "  [Tab: next pane]" : "");
	char *safe = text_sanitize(title, 0);
	ui_title(a, p, safe);
	free(safe);

	int x0 = pane_x0(p), width = pane_w(p);
	int64_t maxid = 0;
	for (size_t i = 0; i < q->page.n; i++)
		if (q->page.rows[i].id > maxid)
			maxid = q->page.rows[i].id;
	int idw = snprintf(NULL, 0, "%lld", (long long)maxid);
	if (idw < 2)
		idw = 2;
	struct qcols c;
	queue_columns(width, idw, &c);
	for (int k = 0; k < QC__COUNT; k++)
		if (c.shown[k])
			put_cell(w, 1, x0 + c.x[k], c.w[k], qcol_titles[k], k == QC_ID,
				 a->attr[EL_COLUMNS]);
	if (!q->page.n) {
		ui_put(w, 3, x0 + 1, width - 1, "No tickets in this view.", a->attr[EL_NORMAL]);
		ui_put(w, 4, x0 + 1, width - 1, "v: another view   /: search   C: new ticket",
		       a->attr[EL_INFO]);
		return;
	}
	bool focus = a->focus == PANE_QUEUE && !a->overlay;
	int64_t now = time_now();
	fresh_page(a, &q->page); /* which rows are new to the agent: one query */
	int nx = fresh_column(&c); /* where their "N" goes */
	size_t held = held_index(q);
	for (size_t i = 0; i < q->page.n && (int)i + 2 < p->h; i++) {
		const struct queue_row *r = &q->page.rows[i];
		int y = 2 + (int)i;
		bool sel = i == q->sel;
		attr_t base = sel ? a->attr[focus ? EL_SELECTED : EL_SELECTED_DIM] : a->attr[EL_NORMAL];
		if (sel)
			ui_fill(w, y, x0, width, base);
		char buf[64];
		snprintf(buf, sizeof buf, "%lld", (long long)r->id);
		put_cell(w, y, x0 + c.x[QC_ID], c.w[QC_ID], buf, true, base);
		if (c.shown[QC_PRIO]) {
			static const int pel[PRIO__COUNT] = {EL_PRIO_LOW, EL_PRIO_NORMAL, EL_PRIO_HIGH,
							     EL_PRIO_URGENT};
			attr_t at = sel ? base : a->attr[pel[r->priority % PRIO__COUNT]];
			put_cell(w, y, x0 + c.x[QC_PRIO], c.w[QC_PRIO], priority_label(r->priority),
				 false, at);
		}
		if (c.shown[QC_STATUS]) {
			attr_t at = base;
			if (!sel && r->status == ST_NEW)
				at = a->attr[EL_STATE_NEW];
			else if (!sel && (r->status == ST_SOLVED || r->status == ST_CLOSED))
				at = a->attr[EL_STATE_DONE];
			put_cell(w, y, x0 + c.x[QC_STATUS], c.w[QC_STATUS], status_label(r->status),
				 false, at);
		}
		if (c.shown[QC_SLA]) {
			const struct sla_target *tg = &a->cfg->sla[r->priority % PRIO__COUNT];
			int64_t target = tg->first_response ? tg->first_response : tg->resolution;
			enum sla_state s = sla_cell(r->next_due, now, target,
						    a->cfg->sla_warn_percent, buf, sizeof buf);
			static const int sel_el[] = {EL_NORMAL, EL_SLA_OK, EL_SLA_NEAR, EL_SLA_PAST};
			attr_t at = sel && s != SLA_PAST ? base : a->attr[sel_el[s]];
			if (r->status == ST_SOLVED || r->status == ST_CLOSED || r->status == ST_PENDING)
				buf[0] = '\0';
			/* a waiting ticket: when to follow it up, "f3d" */
			if (r->follow_up_at && status_may_follow_up(r->status)) {
				time_format_follow_up(r->follow_up_at, now, buf, sizeof buf);
				at = sel || r->follow_up_at > now ? base : a->attr[EL_SLA_NEAR];
			}
			put_cell(w, y, x0 + c.x[QC_SLA], c.w[QC_SLA], buf, true, at);
		}
		if (c.shown[QC_AGE]) {
			time_format_span(now - r->created_at, buf, sizeof buf);
			put_cell(w, y, x0 + c.x[QC_AGE], c.w[QC_AGE], buf, true, base);
		}
		if (c.shown[QC_CUSTOMER])
			put_cell(w, y, x0 + c.x[QC_CUSTOMER], c.w[QC_CUSTOMER], r->customer, false,
				 base);
		if (nx >= 0)
			fresh_mark(a, w, y, x0 + nx, r->id, base, sel);
		int mw = 0; /* a marked ticket (marks.c): "[x] " before the subject */
		if (marks_has(a, r->id)) {
			mw = ui_put(w, y, x0 + c.x[QC_SUBJECT], c.w[QC_SUBJECT], "[x] ",
				    sel ? base : a->attr[EL_HELP_KEY]);
			c.x[QC_SUBJECT] += mw;
			c.w[QC_SUBJECT] -= mw;
		}
		if (r->has_draft && c.w[QC_SUBJECT] > 0) { /* drafts.c: "[d] " */
			int used = ui_put(w, y, x0 + c.x[QC_SUBJECT], c.w[QC_SUBJECT], DRAFT_MARK,
					  sel ? base : a->attr[EL_DRAFT]);
			mw += used;
			c.x[QC_SUBJECT] += used;
			c.w[QC_SUBJECT] -= used;
		}
		/* a follow-up time that has come: "[F] " before the subject */
		if (r->follow_up_at && r->follow_up_at <= time_now() && c.w[QC_SUBJECT] > 0) {
			int used = ui_put(w, y, x0 + c.x[QC_SUBJECT], c.w[QC_SUBJECT], "[F] ",
					  sel ? base : a->attr[EL_SLA_NEAR]);
			mw += used;
			c.x[QC_SUBJECT] += used;
			c.w[QC_SUBJECT] -= used;
		}
		char who[128];
		presence_marker(a, r->id, who, sizeof who);
		if (*who) { /* others on it: "[bob✎] " before the subject */
			int used = ui_put_untrusted(w, y, x0 + c.x[QC_SUBJECT], c.w[QC_SUBJECT], who,
						    sel ? base : a->attr[EL_SLA_NEAR]);
			mw += used;
			c.x[QC_SUBJECT] += used;
			c.w[QC_SUBJECT] -= used;
		}
		if (i == held && c.w[QC_SUBJECT] > 0) { /* "[claimed by chen] " */
			char why[sizeof q->held_why + 4];
			snprintf(why, sizeof why, "[%s] ", q->held_why);
			int used = ui_put(w, y, x0 + c.x[QC_SUBJECT], c.w[QC_SUBJECT], why,
					  sel ? base : a->attr[EL_SLA_NEAR]);
			mw += used;
			c.x[QC_SUBJECT] += used;
			c.w[QC_SUBJECT] -= used;
		}
		if (c.w[QC_SUBJECT] > 0)
			put_cell(w, y, x0 + c.x[QC_SUBJECT], c.w[QC_SUBJECT], r->subject, false, base);
		c.x[QC_SUBJECT] -= mw;
		c.w[QC_SUBJECT] += mw;
		if (c.shown[QC_ASSIGNEE])
			put_cell(w, y, x0 + c.x[QC_ASSIGNEE], c.w[QC_ASSIGNEE],
				 r->assignee ? r->assignee : "-", false, base);
		if (c.shown[QC_TAGS])
			put_cell(w, y, x0 + c.x[QC_TAGS], c.w[QC_TAGS], r->tags, false, base);
	}
}

static void q_destroy(struct pane *p)
{
	struct queue_pane *q = (struct queue_pane *)p;
	queue_page_free(&q->page);
	free(q);
}

static const struct pane_ops queue_ops = {
	.name = "Queue",
	.ctx = KC_QUEUE,
	.draw = q_draw,
	.key = q_key,
	.resize = q_resize,
	.data_changed = q_data_changed,
	.click = q_click,
	.destroy = q_destroy,
};

struct pane *queue_pane_new(struct app *a)
{
	struct queue_pane *q = xcalloc(1, sizeof *q);
	q->base.ops = &queue_ops;
	q->base.flag = RD_QUEUE;
	return &q->base;
}
