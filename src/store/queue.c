/* queue.c: one page of the queue at a time, by keyset.
 *
 * Every sort is a list of integer keys ending in the ticket id, so "the
 * rows after this one" is a row-value comparison that an index on the
 * same expressions answers without scanning: the cost of a page grows
 * with the page, not with the queue.  The SQL text is put together from
 * fixed fragments only; every value a person typed is a bound parameter. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "util.h"

#define NO_DUE "9223372036854775807"
/* A search looks at the newest this many matching subjects and messages. */
#define SEARCH_WINDOW 2000

struct sort_def {
	const char *name;
	int nkeys;
	const char *keys[3];
};

/* Must match the expression indexes in schema.c. */
static const struct sort_def sorts[SORT__COUNT] = {
	[SORT_URGENCY] = {"urgency", 3,
			  {"coalesce(t.next_due, " NO_DUE ")", "-t.priority", "t.id"}},
	[SORT_PRIORITY] = {"priority", 3,
			   {"-t.priority", "coalesce(t.next_due, " NO_DUE ")", "t.id"}},
	[SORT_CREATED] = {"created", 2, {"t.created_at", "t.id"}},
	[SORT_UPDATED] = {"updated", 2, {"-t.updated_at", "t.id"}},
	[SORT_ID] = {"id", 1, {"t.id"}},
};

const char *queue_sort_name(enum queue_sort s)
{
	return (unsigned)s < SORT__COUNT ? sorts[s].name : "?";
}

int queue_sort_from_name(const char *s)
{
	for (int i = 0; s && i < SORT__COUNT; i++)
		if (strcmp(sorts[i].name, s) == 0)
			return i;
	return -1;
}

/* A query being built: its text and the values to bind, in order. */
struct qb {
	struct strbuf sql;
	int n;
	struct {
		bool is_text;
		int64_t i;
		char *s; /* owned */
	} p[48];
};

static void qb_int(struct qb *q, int64_t v)
{
	q->p[q->n].is_text = false;
	q->p[q->n++].i = v;
	sb_addf(&q->sql, "?%d", q->n);
}

static void qb_text(struct qb *q, const char *v)
{
	q->p[q->n].is_text = true;
	q->p[q->n++].s = xstrdup(v);
	sb_addf(&q->sql, "?%d", q->n);
}

static void qb_free(struct qb *q)
{
	for (int i = 0; i < q->n; i++)
		if (q->p[i].is_text)
			free(q->p[i].s);
	sb_free(&q->sql);
}

static void qb_bind(struct qb *q, sqlite3_stmt *s)
{
	for (int i = 0; i < q->n; i++) {
		if (q->p[i].is_text)
			sqlite3_bind_text(s, i + 1, q->p[i].s, -1, SQLITE_TRANSIENT);
		else
			sqlite3_bind_int64(s, i + 1, q->p[i].i);
	}
}

/* Turns what a person typed into an FTS5 query: each word a quoted
 * string (so FTS5's own syntax cannot be injected), a trailing '*'
 * kept as a prefix search, all words required.  NULL if no words. */
static char *fts_query(const char *text)
{
	struct strbuf b = {0};
	const char *p = text;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		const char *start = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n')
			p++;
		size_t len = (size_t)(p - start);
		bool prefix = len > 1 && start[len - 1] == '*';
		if (prefix)
			len--;
		if (len == 0 || (len == 1 && *start == '*'))
			continue;
		if (b.len)
			sb_addc(&b, ' ');
		sb_addc(&b, '"');
		for (size_t i = 0; i < len; i++) {
			if (start[i] == '"')
				sb_addc(&b, '"');
			sb_addc(&b, start[i]);
		}
		sb_addc(&b, '"');
		if (prefix)
			sb_addc(&b, '*');
	}
	return b.len ? sb_take(&b) : (sb_free(&b), NULL);
}

static void add_mask_in(struct qb *q, const char *col, unsigned mask, int count,
			const char *(*name)(int))
{
	/* Several values: "+" keeps the planner off the column's index, whose
	 * IN ranges would each come out in their own order and force a sort
	 * of every matching row (a whole open queue) before the LIMIT; the
	 * sort's own index then finds a page by walking in order.  One value
	 * is an equality that tickets_status (status, urgency keys) serves. */
	bool several = (mask & (mask - 1)) != 0;
	sb_addf(&q->sql, " AND %s%s IN (", several ? "+" : "", col);
	bool first = true;
	for (int i = 0; i < count; i++) {
		if (!(mask & (1u << i)))
			continue;
		if (!first)
			sb_add(&q->sql, ", ");
		first = false;
		qb_text(q, name(i));
	}
	sb_add(&q->sql, ")");
}

static const char *status_n(int i) { return status_name((enum status)i); }
static const char *channel_n(int i) { return channel_name((enum channel)i); }

/* Appends the WHERE clause of f (always starting with "WHERE").
 * Returns false when the filter cannot match anything. */
static bool add_where(struct qb *q, const struct queue_filter *f)
{
	sb_add(&q->sql, " WHERE t.merged_into IS NULL");
	if (f->status_mask)
		add_mask_in(q, "t.status", f->status_mask, ST__COUNT, status_n);
	if (f->channel_mask)
		add_mask_in(q, "t.channel", f->channel_mask, CH__COUNT, channel_n);
	if (f->priority_mask) {
		sb_add(&q->sql, " AND ((");
		qb_int(q, f->priority_mask);
		sb_add(&q->sql, " >> t.priority) & 1)");
	}
	if (f->assignee == ASSIGNEE_NONE) {
		sb_add(&q->sql, " AND t.assignee_id IS NULL");
	} else if (f->assignee == ASSIGNEE_IS) {
		sb_add(&q->sql, " AND t.assignee_id = ");
		qb_int(q, f->assignee_id);
	}
	if (f->queue) {
		sb_add(&q->sql, " AND t.queue = ");
		qb_text(q, f->queue);
	}
	if (f->tag) {
		sb_add(&q->sql, " AND EXISTS (SELECT 1 FROM ticket_tags g"
				" WHERE g.ticket_id = t.id AND g.tag = ");
		qb_text(q, f->tag);
		sb_add(&q->sql, ")");
	}
	if (f->customer_id) {
		sb_add(&q->sql, " AND t.customer_id = ");
		qb_int(q, f->customer_id);
	}
	if (f->created_after) {
		sb_add(&q->sql, " AND t.created_at > ");
		qb_int(q, f->created_after);
	}
	if (f->created_until) {
		sb_add(&q->sql, " AND t.created_at <= ");
		qb_int(q, f->created_until);
	}
	if (f->solved_since) {
		sb_add(&q->sql, " AND t.solved_at >= ");
		qb_int(q, f->solved_since);
	}
	if (f->due_before) {
		/* On the urgency index's own expression (NULL sorts as never
		 * due, so this is the same test): a range the index can seek,
		 * where "t.next_due <" made the walk from the end pass every
		 * solved and closed ticket first. */
		sb_add(&q->sql, " AND coalesce(t.next_due, " NO_DUE ") < ");
		qb_int(q, f->due_before);
	}
	if (!str_empty(f->text)) {
		/* instr() rather than LIKE: % and _ are plain characters. */
		int at = q->n + 1;
		sb_add(&q->sql, " AND (instr(lower(t.subject), lower(");
		qb_text(q, f->text);
		sb_addf(&q->sql, ")) OR instr(lower(coalesce(c.name, '')), lower(?%d))"
				 " OR instr(lower(coalesce(c.email, '')), lower(?%d)))",
			at, at);
	}
	if (f->search) {
		char *fq = fts_query(f->search);
		if (!fq)
			return false;
		int at = q->n + 1;
		sb_add(&q->sql, " AND (t.id IN (SELECT rowid FROM ticket_fts"
				" WHERE ticket_fts MATCH ");
		qb_text(q, fq);
		/* The newest SEARCH_WINDOW matches only, newest first: FTS5
		 * hands rowids out in that order at no cost, where reading every
		 * match of a common word (millions) took seconds. */
		sb_addf(&q->sql, " ORDER BY rowid DESC LIMIT %d)"
				 " OR t.id IN (SELECT m.ticket_id FROM messages m"
				 " WHERE m.id IN (SELECT rowid FROM message_fts"
				 " WHERE message_fts MATCH ?%d ORDER BY rowid DESC LIMIT %d)))",
			SEARCH_WINDOW, at, SEARCH_WINDOW);
		free(fq);
	}
	return true;
}

void queue_page_free(struct queue_page *p)
{
	for (size_t i = 0; i < p->n; i++) {
		struct queue_row *r = &p->rows[i];
		free(r->customer);
		free(r->subject);
		free(r->assignee);
		free(r->tags);
	}
	free(p->rows);
	memset(p, 0, sizeof *p);
}

static int run_page(struct store *st, struct qb *q, int nkeys, struct queue_page *out,
		    struct derr *e)
{
	sqlite3_stmt *s = st_prep(st, sb_str(&q->sql), e);
	if (!s)
		return e->code;
	qb_bind(q, s);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		xgrow((void **)&out->rows, &out->cap, out->n + 1, sizeof *out->rows);
		struct queue_row *r = &out->rows[out->n++];
		memset(r, 0, sizeof *r);
		r->id = col_int(s, 0);
		int stt = status_from_name((const char *)sqlite3_column_text(s, 1));
		r->status = stt < 0 ? ST_NEW : (enum status)stt;
		r->priority = (enum priority)col_int(s, 2);
		r->next_due = col_int(s, 3);
		r->created_at = col_int(s, 4);
		r->updated_at = col_int(s, 5);
		r->customer = col_text(s, 6);
		r->subject = col_text(s, 7);
		r->assignee = col_text(s, 8);
		r->tags = col_text(s, 9);
		if (!r->tags)
			r->tags = xstrdup("");
		for (int k = 0; k < nkeys; k++)
			r->key.k[k] = col_int(s, 10 + k);
	}
	st_done(s);
	return rc == SQLITE_DONE ? DESK_OK : st_fail(st, e, "reading the queue");
}

int store_queue_page(struct store *st, const struct queue_filter *f, enum queue_sort sort,
		     bool reverse, const struct queue_key *after, bool backward, int limit,
		     struct queue_page *out, struct derr *e)
{
	if ((unsigned)sort >= SORT__COUNT)
		return derr_set(e, DESK_EINVAL, "unknown sort %d", (int)sort);
	const struct sort_def *sd = &sorts[sort];
	bool desc = reverse != backward;
	struct qb q = {0};
	sb_add(&q.sql, "SELECT t.id, t.status, t.priority, t.next_due, t.created_at,"
		       " t.updated_at, coalesce(nullif(c.name, ''), c.email, c.phone, ''), t.subject,"
		       " a.login, (SELECT group_concat(tag, ' ') FROM"
		       " (SELECT tag FROM ticket_tags WHERE ticket_id = t.id ORDER BY tag))");
	for (int k = 0; k < sd->nkeys; k++)
		sb_addf(&q.sql, ", %s", sd->keys[k]);
	sb_add(&q.sql, " FROM tickets t LEFT JOIN customers c ON c.id = t.customer_id"
		       " LEFT JOIN agents a ON a.id = t.assignee_id");
	if (!add_where(&q, f)) {
		qb_free(&q);
		return DESK_OK;
	}
	if (after) {
		/* The row-value comparison alone is exact but SQLite 3.40 does not
		 * seek an expression index with it; the bound on the first key
		 * (implied by it) lets the planner start at the right place. */
		sb_addf(&q.sql, " AND %s %s ", sd->keys[0], desc ? "<=" : ">=");
		qb_int(&q, after->k[0]);
		sb_add(&q.sql, " AND (");
		for (int k = 0; k < sd->nkeys; k++)
			sb_addf(&q.sql, "%s%s", k ? ", " : "", sd->keys[k]);
		sb_addf(&q.sql, ") %s (", desc ? "<" : ">");
		for (int k = 0; k < sd->nkeys; k++) {
			if (k)
				sb_add(&q.sql, ", ");
			qb_int(&q, after->k[k]);
		}
		sb_add(&q.sql, ")");
	}
	sb_add(&q.sql, " ORDER BY ");
	for (int k = 0; k < sd->nkeys; k++)
		sb_addf(&q.sql, "%s%s %s", k ? ", " : "", sd->keys[k], desc ? "DESC" : "ASC");
	sb_add(&q.sql, " LIMIT ");
	qb_int(&q, limit);

	size_t first = out->n;
	int rc = run_page(st, &q, sd->nkeys, out, e);
	qb_free(&q);
	if (rc == DESK_OK && backward) {
		for (size_t i = first, j = out->n; i + 1 < j; i++, j--) {
			struct queue_row tmp = out->rows[i];
			out->rows[i] = out->rows[j - 1];
			out->rows[j - 1] = tmp;
		}
	}
	return rc;
}

/* Runs a built query that returns one integer; frees q. */
static int qb_scalar(struct store *st, struct qb *q, int64_t *out, const char *what,
		     struct derr *e)
{
	sqlite3_stmt *s = st_prep(st, sb_str(&q->sql), e);
	if (!s) {
		qb_free(q);
		return e->code;
	}
	qb_bind(q, s);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = col_int(s, 0);
	st_done(s);
	qb_free(q);
	return rc == SQLITE_ROW ? DESK_OK : st_fail(st, e, what);
}

int store_queue_count(struct store *st, const struct queue_filter *f, int64_t *n,
		      struct derr *e)
{
	*n = 0;
	struct qb q = {0};
	sb_add(&q.sql, "SELECT count(*) FROM tickets t");
	if (!str_empty(f->text))
		sb_add(&q.sql, " LEFT JOIN customers c ON c.id = t.customer_id");
	if (!add_where(&q, f)) {
		qb_free(&q);
		return DESK_OK;
	}
	return qb_scalar(st, &q, n, "counting the queue", e);
}

int store_queue_count_upto(struct store *st, const struct queue_filter *f, int64_t limit,
			   int64_t *n, struct derr *e)
{
	*n = 0;
	struct qb q = {0};
	/* The inner LIMIT stops the scan once `limit` rows matched. */
	sb_add(&q.sql, "SELECT count(*) FROM (SELECT 1 FROM tickets t");
	if (!str_empty(f->text))
		sb_add(&q.sql, " LEFT JOIN customers c ON c.id = t.customer_id");
	if (!add_where(&q, f)) {
		qb_free(&q);
		return DESK_OK;
	}
	sb_add(&q.sql, " LIMIT ");
	qb_int(&q, limit > 0 ? limit : 1);
	sb_add(&q.sql, ")");
	return qb_scalar(st, &q, n, "counting the queue", e);
}

int store_queue_locate(struct store *st, const struct queue_filter *f, enum queue_sort sort,
		       bool reverse, int64_t id, int64_t *row, struct queue_key *key,
		       struct derr *e)
{
	if ((unsigned)sort >= SORT__COUNT)
		return derr_set(e, DESK_EINVAL, "unknown sort %d", (int)sort);
	const struct sort_def *sd = &sorts[sort];
	struct queue_key k = {{0}};
	struct qb q = {0};
	sb_add(&q.sql, "SELECT ");
	for (int i = 0; i < sd->nkeys; i++)
		sb_addf(&q.sql, "%s%s", i ? ", " : "", sd->keys[i]);
	sb_add(&q.sql, " FROM tickets t LEFT JOIN customers c ON c.id = t.customer_id");
	bool can = add_where(&q, f);
	sb_add(&q.sql, " AND t.id = ");
	qb_int(&q, id);
	int rc = DESK_OK;
	bool found = false;
	if (can) {
		sqlite3_stmt *s = st_prep(st, sb_str(&q.sql), e);
		if (!s) {
			qb_free(&q);
			return e->code;
		}
		qb_bind(&q, s);
		int r = sqlite3_step(s);
		if (r == SQLITE_ROW) {
			found = true;
			for (int i = 0; i < sd->nkeys; i++)
				k.k[i] = col_int(s, i);
		}
		st_done(s);
		if (r != SQLITE_ROW && r != SQLITE_DONE)
			rc = st_fail(st, e, "finding a ticket in the queue");
	}
	qb_free(&q);
	if (rc)
		return rc;
	if (!found)
		return derr_set(e, DESK_ENOTFOUND, "ticket %lld is not in this view", (long long)id);
	if (key)
		*key = k;
	if (!row)
		return DESK_OK;
	/* Its row: the rows before its key in display order (costs a scan
	 * of those rows; pass row NULL when only the key is wanted). */
	struct qb c = {0};
	sb_add(&c.sql, "SELECT count(*) FROM tickets t LEFT JOIN customers c ON c.id = t.customer_id");
	add_where(&c, f);
	sb_add(&c.sql, " AND (");
	for (int i = 0; i < sd->nkeys; i++)
		sb_addf(&c.sql, "%s%s", i ? ", " : "", sd->keys[i]);
	sb_addf(&c.sql, ") %s (", reverse ? ">" : "<");
	for (int i = 0; i < sd->nkeys; i++) {
		if (i)
			sb_add(&c.sql, ", ");
		qb_int(&c, k.k[i]);
	}
	sb_add(&c.sql, ")");
	return qb_scalar(st, &c, row, "finding a ticket in the queue", e);
}
