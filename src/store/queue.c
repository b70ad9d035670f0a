/* queue.c: one page of the queue at a time, by keyset.
 *
 * Every sort is a list of integer keys ending in the ticket id, so "the
 * rows after this one" is exact; it is read as key ranges that an index
 * on the same expressions seeks (seek_ranges), per status where a status
 * filter would otherwise be tested row by row (page_by_status,
 * page_by_priority), so that the cost of a page grows with the page, not
 * with its depth in the queue; or, when an assignee or solved-within
 * filter leaves few rows, picked among those from one index (page_bag).
 * The SQL text is put together from fixed fragments only; every value a
 * person typed is a bound parameter.
 *
 * On PostgreSQL the same text less SQLite's planner hints (INDEXED BY,
 * and "+" to keep a column's index out): there the planner costs each
 * index by its statistics, and the indexes of pg_schema.c are the same
 * expressions, so the same seeks serve a page.  A search reads the
 * tsvector tables (search_pg.c) where SQLite reads FTS5.  There each
 * statement is a round trip to the server: the ranges SQLite steps one
 * after the other go in one statement (merge_pg). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "search.h"
#include "util.h"

#define NO_DUE "9223372036854775807"
/* SQLite's lower(), which folds ASCII only, on PostgreSQL: lower() under
 * the "C" collation folds bytes A-Z and nothing else (17x faster than
 * translate() with the alphabet, 27 against 470 ms over 100k subjects,
 * and a collation like desk_nocase is left out of it). */
#define PG_LOWER(x) "lower((" x ") COLLATE \"C\")"
/* A search looks at the newest this many matching subjects and messages. */
#define SEARCH_WINDOW 2000

struct sort_def {
	const char *name;
	int nkeys;
	const char *keys[4];
	const char *by_status; /* the index of (status, keys), for page_by_status */
	/* keys[0] is the status's tier (TIER_KEY, status_tier): constant
	 * within a status, so page_by_status seeks each status on the keys
	 * after it, on every page, whatever the filter's statuses. */
	bool tiered;
};

/* The urgency sort puts the work that waits on the agent (new, open)
 * before the work that waits on others (pending: the customer; on hold:
 * a third party), and finished tickets last.  TIER_KEY and status_tier
 * must agree. */
#define TIER_KEY                                                                  \
	"CASE t.status WHEN 'new' THEN 0 WHEN 'open' THEN 0 WHEN 'pending' THEN 1" \
	" WHEN 'on_hold' THEN 1 ELSE 2 END"

static int64_t status_tier(enum status s)
{
	switch (s) {
	case ST_NEW:
	case ST_OPEN: return 0;
	case ST_PENDING:
	case ST_ON_HOLD: return 1;
	default: return 2;
	}
}

/* Must match the expression indexes in schema.c.  The by-status index
 * is named (INDEXED BY): with several indexes starting with the status,
 * the planner took one whose order was not the sort's and sorted every
 * row of the status (a page of the open view: 0.5-1.7 s). */
static const struct sort_def sorts[SORT__COUNT] = {
	[SORT_URGENCY] = {"urgency", 4,
			  {TIER_KEY, "coalesce(t.next_due, " NO_DUE ")", "-t.priority", "t.id"},
			  "tickets_status", true},
	[SORT_PRIORITY] = {"priority", 3,
			   {"-t.priority", "coalesce(t.next_due, " NO_DUE ")", "t.id"}, NULL, false},
	[SORT_CREATED] = {"created", 2, {"t.created_at", "t.id"}, "tickets_status_created", false},
	[SORT_UPDATED] = {"updated", 2, {"-t.updated_at", "t.id"}, "tickets_status_updated", false},
	[SORT_ID] = {"id", 1, {"t.id"}, "tickets_status_id", false},
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
	bool pg;          /* for PostgreSQL (qb_for): no planner hints */
	bool status_walk; /* "+" on the status test even for one value */
	bool status_seek; /* no "+" on the status test even for several */
	int n;
	size_t cap;
	struct qparam {
		bool is_text;
		int64_t i;
		char *s; /* owned */
		char fts; /* an enum search_table: s is a search, see qb_search */
	} *p;
};

static void qb_for(struct qb *q, const struct store *st)
{
	q->pg = st_engine(st) == ENGINE_POSTGRESQL;
}

/* A new parameter's slot (zeroed); its number is q->n. */
static struct qparam *qb_param(struct qb *q)
{
	xgrow((void **)&q->p, &q->cap, (size_t)q->n + 1, sizeof *q->p);
	struct qparam *p = &q->p[q->n++];
	memset(p, 0, sizeof *p);
	return p;
}

static void qb_int(struct qb *q, int64_t v)
{
	qb_param(q)->i = v;
	sb_addf(&q->sql, "?%d", q->n);
}

static void qb_text(struct qb *q, const char *v)
{
	struct qparam *p = qb_param(q);
	p->is_text = true;
	p->s = xstrdup(v);
	sb_addf(&q->sql, "?%d", q->n);
}

static void qb_free(struct qb *q)
{
	for (int i = 0; i < q->n; i++)
		if (q->p[i].is_text)
			free(q->p[i].s);
	free(q->p);
	sb_free(&q->sql);
}

static int qb_scalar(struct store *st, struct qb *q, int64_t *out, const char *what,
		     struct derr *e);

/* What a person searched for, bound as the FTS5 query of one full-text
 * table: built at bind time, when the connection is at hand to spell
 * out prefixes (search.c). */
static void qb_search(struct qb *q, const char *text, enum search_table table)
{
	qb_text(q, text);
	q->p[q->n - 1].fts = (char)table;
}

static void qb_bind(struct store *st, struct qb *q, struct stmt *s)
{
	for (int i = 0; i < q->n; i++) {
		if (q->p[i].is_text && q->p[i].fts) {
			char *fq = search_fts_query(st->db, q->p[i].s,
						    (enum search_table)q->p[i].fts);
			bind_text(s, i + 1, fq);
			free(fq);
		} else if (q->p[i].is_text) {
			bind_text(s, i + 1, q->p[i].s);
		} else {
			bind_int(s, i + 1, q->p[i].i);
		}
	}
}

/* The matches of a search among the tickets (subjects, then messages'
 * bodies), newest first, on SQLite's FTS5 tables: see add_where. */
static void add_search_sqlite(struct qb *q, const char *search)
{
	sb_add(&q->sql, " AND t.id IN (SELECT rowid FROM (SELECT rowid FROM ticket_fts"
			" WHERE ticket_fts MATCH ");
	qb_search(q, search, SEARCH_TICKETS);
	sb_addf(&q->sql, " ORDER BY rowid DESC LIMIT %d)"
			 " UNION ALL SELECT m.ticket_id FROM messages m"
			 " WHERE m.id IN (SELECT rowid FROM message_fts"
			 " WHERE message_fts MATCH ",
		SEARCH_WINDOW);
	qb_search(q, search, SEARCH_MESSAGES);
	sb_addf(&q->sql, " ORDER BY rowid DESC LIMIT %d))", SEARCH_WINDOW);
}

/* The same on PostgreSQL's tsvector tables: one parameter a word, used
 * by both tables' tsquery.  False when the search holds no word. */
static bool add_search_pg(struct qb *q, const char *search)
{
	struct search_word *w = NULL;
	size_t n = 0, cap = 0;
	struct search_word one;
	for (const char *p = search; search_word_next(&p, &one);) {
		xgrow((void **)&w, &cap, n + 1, sizeof *w);
		w[n++] = one;
	}
	if (!n) {
		free(w);
		return false;
	}
	int first = q->n + 1;
	for (size_t i = 0; i < n; i++) {
		struct qparam *p = qb_param(q);
		p->is_text = true;
		p->s = xstrndup(w[i].p, w[i].len);
	}
	sb_add(&q->sql, " AND t.id IN (SELECT id FROM (SELECT id FROM ticket_fts WHERE subject @@ ");
	search_pg_tsquery(&q->sql, w, n, first, false);
	sb_addf(&q->sql, " ORDER BY id DESC LIMIT %d) AS s"
			 " UNION ALL SELECT m.ticket_id FROM messages m"
			 " WHERE m.id IN (SELECT id FROM message_fts WHERE body @@ ",
		SEARCH_WINDOW);
	search_pg_tsquery(&q->sql, w, n, first, false);
	sb_addf(&q->sql, " ORDER BY id DESC LIMIT %d))", SEARCH_WINDOW);
	free(w);
	return true;
}

static void add_mask_in(struct qb *q, const char *col, unsigned mask, int count,
			const char *(*name)(int))
{
	/* Several values: "+" keeps the planner off the column's index, whose
	 * IN ranges would each come out in their own order and force a sort
	 * of every matching row (a whole open queue) before the LIMIT; the
	 * sort's own index then finds a page by walking in order.  One value
	 * is an equality that tickets_status (status, urgency keys) serves. */
	bool status = strcmp(col, "t.status") == 0;
	bool several = (mask & (mask - 1)) != 0 || (q->status_walk && status);
	if (q->status_seek && status)
		several = false; /* a bag (page_bag): seek each status's rows */
	sb_addf(&q->sql, " AND %s%s IN (", several && !q->pg ? "+" : "", col);
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
		/* PostgreSQL shifts a bigint by an integer only, and wants a
		 * boolean, not a number, after AND. */
		sb_add(&q->sql, " AND ((");
		qb_int(q, f->priority_mask);
		sb_add(&q->sql, " >> CAST(t.priority AS INTEGER)) & 1) = 1");
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
	if (f->follow_up_due) {
		sb_add(&q->sql, " AND t.follow_up_at <= ");
		qb_int(q, f->follow_up_due);
	} else if (f->follow_up_set) {
		sb_add(&q->sql, " AND t.follow_up_at IS NOT NULL");
	}
	if (f->due_before) {
		/* On the urgency index's own expression (NULL sorts as never
		 * due, so this is the same test): a range the index can seek,
		 * where "t.next_due <" made the walk from the end pass every
		 * solved and closed ticket first. */
		sb_add(&q->sql, " AND coalesce(t.next_due, " NO_DUE ") < ");
		qb_int(q, f->due_before);
	}
	if (!str_empty(f->text) && !q->pg) {
		/* instr() rather than LIKE: % and _ are plain characters. */
		int at = q->n + 1;
		sb_add(&q->sql, " AND (instr(lower(t.subject), lower(");
		qb_text(q, f->text);
		sb_addf(&q->sql, ")) OR instr(lower(coalesce(c.name, '')), lower(?%d))"
				 " OR instr(lower(coalesce(c.email, '')), lower(?%d)))",
			at, at);
	} else if (!str_empty(f->text)) {
		/* strpos() for instr(); SQLite's lower() folds ASCII only, and
		 * so does PG_LOWER.  The e-mail's collation (desk_nocase)
		 * refuses a substring search: PG_LOWER's "C" replaces it. */
		int at = q->n + 1;
		sb_add(&q->sql, " AND (strpos(" PG_LOWER("t.subject") ", lower((");
		qb_text(q, f->text);
		sb_addf(&q->sql, ") COLLATE \"C\")) > 0"
				 " OR strpos(" PG_LOWER("coalesce(c.name, '')") ", "
				 PG_LOWER("?%d") ") > 0"
				 " OR strpos(" PG_LOWER("coalesce(c.email, '')") ", "
				 PG_LOWER("?%d") ") > 0)",
			at, at);
	}
	if (f->search && q->pg) {
		if (!add_search_pg(q, f->search))
			return false; /* no words */
	} else if (f->search) {
		char *fq = search_fts_query(NULL, f->search, SEARCH_TICKETS);
		if (!fq)
			return false; /* no words */
		free(fq);
		/* The newest SEARCH_WINDOW matches only, newest first: FTS5
		 * hands rowids out in that order at no cost, where reading every
		 * match of a common word (millions) took seconds.  One list of
		 * candidate tickets (UNION ALL): as "IN (subjects) OR IN
		 * (messages)" the planner coded each list twice, once to find
		 * the rows and once more to test them, and ran the full-text
		 * queries and the messages' lookups twice. */
		add_search_sqlite(q, f->search);
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

/* Reads the row a page query's statement is on. */
static void read_row(struct stmt *s, int nkeys, struct queue_row *r)
{
	memset(r, 0, sizeof *r);
	r->id = col_int(s, 0);
	int stt = status_from_name(col_str(s, 1));
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
	r->follow_up_at = col_int(s, 10);
	for (int k = 0; k < nkeys; k++)
		r->key.k[k] = col_int(s, 11 + k);
}

static void row_free(struct queue_row *r)
{
	free(r->customer);
	free(r->subject);
	free(r->assignee);
	free(r->tags);
}

#define DUE_KEY "coalesce(t.next_due, " NO_DUE ")"
static const char *const due_id[] = {DUE_KEY, "t.id"};

/* One condition of a key range: expr op value. */
struct cond {
	const char *expr;
	const char *op;
	int64_t v;
};

/* A key range of a page: conditions, then the expressions it is ordered
 * by (all ascending or all descending); status_walk: see struct qb. */
struct range {
	struct cond c[4];
	int nc;
	const char *const *order;
	int norder;
	bool status_walk;
	const char *index; /* INDEXED BY this, or NULL */
	const struct queue_key *after; /* instead of c: all keys past this */
	bool bag; /* index holds every row's keys: pick the page among them */
	/* PostgreSQL: with c, the row of the keys `order` past these values
	 * (seek_ranges) */
	const int64_t *row_after;
};

static void add_order(struct qb *q, const struct range *r, bool desc)
{
	sb_add(&q->sql, " ORDER BY ");
	for (int k = 0; k < r->norder; k++)
		sb_addf(&q->sql, "%s%s %s", k ? ", " : "", r->order[k], desc ? "DESC" : "ASC");
}

/* A queue row's columns before its keys (read_row), of t, c and a. */
#define ROW_COLS                                                                        \
	"t.id, t.status, t.priority, t.next_due, t.created_at, t.updated_at,"             \
	" coalesce(nullif(c.name, ''), c.email, c.phone, ''), t.subject, a.login, "
#define PG_TAGS_COL                                                                     \
	"(SELECT string_agg(tag, ' ' ORDER BY tag) FROM ticket_tags WHERE ticket_id = t.id),"

/* Appends to q the query for the rows matching f and range r, at most
 * limit, with the keys of sort sd; false when f matches nothing.
 * ids_only (merge_pg): the id and the keys only, no row's columns. */
static bool range_sql(struct qb *q, const struct queue_filter *f, const struct sort_def *sd,
		      const struct range *r, bool desc, int limit, bool ids_only)
{
	/* A bound of the range and the same kind of bound in the filter on
	 * the same expression: one bound, the tighter.  With two, SQLite
	 * seeks on either, and on the filter's a page deep in the breaching
	 * view walked every row from the filter's bound to the page. */
	struct queue_filter g = *f;
	struct cond c[4];
	memcpy(c, r->c, sizeof c);
	for (int i = 0; i < r->nc; i++) {
		if (g.due_before && strcmp(c[i].expr, DUE_KEY) == 0 && strcmp(c[i].op, "<") == 0) {
			if (g.due_before < c[i].v)
				c[i].v = g.due_before;
			g.due_before = 0;
		}
		if (g.created_after && strcmp(c[i].expr, "t.created_at") == 0 &&
		    strcmp(c[i].op, ">") == 0) {
			if (g.created_after > c[i].v)
				c[i].v = g.created_after;
			g.created_after = 0;
		}
		if (g.created_until && g.created_until < INT64_MAX &&
		    strcmp(c[i].expr, "t.created_at") == 0 && strcmp(c[i].op, "<") == 0) {
			if (g.created_until + 1 < c[i].v) /* "<= u" is "< u + 1" */
				c[i].v = g.created_until + 1;
			g.created_until = 0;
		}
	}
	/* A search's bag is its candidates (add_where): the status is tested
	 * on them, never sought in an index ("+", status_walk). */
	q->status_walk = r->status_walk || (r->bag && f->search);
	q->status_seek = r->bag && !f->search;
	if (ids_only) {
		sb_add(&q->sql, "SELECT t.id");
	} else {
		sb_add(&q->sql, "SELECT " ROW_COLS);
		sb_add(&q->sql, q->pg ? PG_TAGS_COL
				     : "(SELECT group_concat(tag, ' ') FROM"
				       " (SELECT tag FROM ticket_tags WHERE ticket_id = t.id ORDER BY tag)),");
		sb_add(&q->sql, " t.follow_up_at");
	}
	for (int k = 0; k < sd->nkeys; k++)
		sb_addf(&q->sql, ", %s", sd->keys[k]);
	sb_add(&q->sql, " FROM tickets t");
	if (r->bag) {
		/* The page's ids first, from the index alone where the filter
		 * allows (the customer join is left out unless a text filter
		 * reads it); the columns then for those rows only: read as
		 * the rows are sorted, they cost a lookup in three tables
		 * for every row of the bag. */
		sb_add(&q->sql, " LEFT JOIN customers c ON c.id = t.customer_id"
			        " LEFT JOIN agents a ON a.id = t.assignee_id"
			        " WHERE t.id IN (SELECT t.id FROM tickets t");
	}
	if (r->index && !q->pg)
		sb_addf(&q->sql, " INDEXED BY %s", r->index);
	if (r->bag)
		sb_add(&q->sql, " LEFT JOIN customers c ON c.id = t.customer_id");
	else
		sb_add(&q->sql, " LEFT JOIN customers c ON c.id = t.customer_id"
			        " LEFT JOIN agents a ON a.id = t.assignee_id");
	if (!add_where(q, &g))
		return false;
	for (int i = 0; i < r->nc; i++) {
		sb_addf(&q->sql, " AND %s %s ", c[i].expr, c[i].op);
		qb_int(q, c[i].v);
	}
	if (r->after) {
		/* One statement: the first key's bound, then the exact row value */
		sb_addf(&q->sql, " AND %s %s ", sd->keys[0], desc ? "<=" : ">=");
		qb_int(q, r->after->k[0]);
		sb_add(&q->sql, " AND (");
		for (int k = 0; k < sd->nkeys; k++)
			sb_addf(&q->sql, "%s%s", k ? ", " : "", sd->keys[k]);
		sb_addf(&q->sql, ") %s (", desc ? "<" : ">");
		for (int k = 0; k < sd->nkeys; k++) {
			if (k)
				sb_add(&q->sql, ", ");
			qb_int(q, r->after->k[k]);
		}
		sb_add(&q->sql, ")");
	}
	if (r->row_after) {
		sb_add(&q->sql, " AND (");
		for (int k = 0; k < r->norder; k++)
			sb_addf(&q->sql, "%s%s", k ? ", " : "", r->order[k]);
		sb_addf(&q->sql, ") %s (", desc ? "<" : ">");
		for (int k = 0; k < r->norder; k++) {
			if (k)
				sb_add(&q->sql, ", ");
			qb_int(q, r->row_after[k]);
		}
		sb_add(&q->sql, ")");
	}
	add_order(q, r, desc);
	sb_add(&q->sql, " LIMIT ");
	qb_int(q, limit);
	if (r->bag) {
		sb_add(&q->sql, ")");
		add_order(q, r, desc);
		sb_add(&q->sql, " LIMIT ");
		qb_int(q, limit);
	}
	return true;
}

/* A statement for the rows matching f and range r, at most limit, with
 * the keys of sort sd; NULL with *none set when f matches nothing, NULL
 * with e set on error.  copy > 0 makes the text (and so the cached
 * statement) one of its own, for stepping several at once. */
static struct stmt *range_open(struct store *st, const struct queue_filter *f,
				const struct sort_def *sd, const struct range *r, bool desc,
				int limit, int copy, bool *none, struct derr *e)
{
	struct qb q = {0};
	qb_for(&q, st);
	*none = !range_sql(&q, f, sd, r, desc, limit, false);
	if (*none) {
		qb_free(&q);
		return NULL;
	}
	if (copy)
		sb_addf(&q.sql, " -- %d", copy);
	struct stmt *s = st_prep(st, sb_str(&q.sql), e);
	if (s)
		qb_bind(st, &q, s);
	qb_free(&q);
	return s;
}

/* Rows in sort order from ranges run one after the other, read a row at
 * a time: a merge of several streams reads no further in each than the
 * page needs (with a filter that few rows pass, reading a page's worth
 * from each would walk several times as far). */
struct stream {
	struct queue_filter f;
	struct range r[4];
	int nr, next;
	int copy;
	struct stmt *s;
	bool have; /* head holds the next row */
	struct queue_row head;
};

static int stream_step(struct store *st, struct stream *x, const struct sort_def *sd,
		       bool desc, int limit, struct derr *e)
{
	x->have = false;
	for (;;) {
		if (!x->s) {
			if (x->next >= x->nr)
				return DESK_OK;
			bool none;
			x->s = range_open(st, &x->f, sd, &x->r[x->next++], desc, limit, x->copy, &none,
					  e);
			if (!x->s) {
				if (none)
					continue;
				return derr_code(e);
			}
		}
		int rc = st_step(x->s);
		if (rc == ST_ROW) {
			read_row(x->s, sd->nkeys, &x->head);
			x->have = true;
			return DESK_OK;
		}
		st_done(x->s);
		x->s = NULL;
		if (rc != ST_DONE)
			return st_fail(st, e, "reading the queue");
	}
}

static int key_cmp(const struct queue_row *a, const struct queue_row *b)
{
	for (size_t k = 0; k < ARRAY_LEN(a->key.k); k++)
		if (a->key.k[k] != b->key.k[k])
			return a->key.k[k] < b->key.k[k] ? -1 : 1;
	return 0;
}

/* merge on PostgreSQL: every range of every stream in one statement,
 * each a branch of a UNION ALL with its own ORDER BY and LIMIT (the same
 * seeks), sorted by the keys and cut at `limit` by the server.  Each
 * range as a statement of its own cost a round trip to the server and
 * back (a page deep in the open queue: a dozen, and BEGIN and COMMIT
 * around them); one statement also sees one snapshot.  The drafts'
 * marks come with the rows (store_draft_marks' test). */
static int merge_pg(struct store *st, struct stream *x, int n, const struct sort_def *sd,
		    bool desc, int limit, struct queue_page *out, struct derr *e)
{
	struct qb q = {0};
	qb_for(&q, st);
	int64_t drafts_of = n ? x[0].f.drafts_of : 0;
	/* The branches give ids and keys only; the page's rows are read
	 * once it is cut, with their customer, assignee, tags and draft
	 * mark: a branch may give as many rows as the page, and every one
	 * read whole cost a new session ~10 ms more on its first screen
	 * (4 statuses, 184 rows read for 46). */
	sb_add(&q.sql, "SELECT " ROW_COLS PG_TAGS_COL " t.follow_up_at");
	for (int k = 1; k <= sd->nkeys; k++)
		sb_addf(&q.sql, ", u.c%d", k);
	if (drafts_of) {
		sb_add(&q.sql, ", EXISTS (SELECT 1 FROM drafts d WHERE d.ticket_id = t.id"
			       " AND d.agent_id = ");
		qb_int(&q, drafts_of);
		sb_add(&q.sql, ")");
	}
	sb_add(&q.sql, " FROM (SELECT * FROM (");
	int branches = 0;
	for (int i = 0; i < n; i++) {
		for (int j = 0; j < x[i].nr; j++) {
			size_t len = q.sql.len;
			int np = q.n;
			if (branches)
				sb_add(&q.sql, " UNION ALL ");
			sb_add(&q.sql, "(");
			if (!range_sql(&q, &x[i].f, sd, &x[i].r[j], desc, limit, true)) {
				q.sql.len = len; /* the branch goes: f matches nothing */
				q.sql.s[len] = '\0';
				while (q.n > np)
					if (q.p[--q.n].is_text)
						free(q.p[q.n].s);
				continue;
			}
			sb_add(&q.sql, ")");
			branches++;
		}
	}
	if (!branches) {
		qb_free(&q);
		return DESK_OK;
	}
	/* Named by place (a branch's names repeat: t.id is a key too). */
	sb_add(&q.sql, ") AS u (");
	for (int k = 0; k <= sd->nkeys; k++)
		sb_addf(&q.sql, "%sc%d", k ? ", " : "", k);
	sb_add(&q.sql, ") ORDER BY ");
	for (int k = 0; k < sd->nkeys; k++)
		sb_addf(&q.sql, "%s%d %s", k ? ", " : "", 2 + k, desc ? "DESC" : "ASC");
	sb_add(&q.sql, " LIMIT ");
	qb_int(&q, limit);
	sb_add(&q.sql, ") AS u JOIN tickets t ON t.id = u.c0"
		       " LEFT JOIN customers c ON c.id = t.customer_id"
		       " LEFT JOIN agents a ON a.id = t.assignee_id ORDER BY ");
	for (int k = 1; k <= sd->nkeys; k++)
		sb_addf(&q.sql, "%su.c%d %s", k > 1 ? ", " : "", k, desc ? "DESC" : "ASC");
	struct stmt *s = st_prep(st, sb_str(&q.sql), e);
	if (!s) {
		qb_free(&q);
		return derr_code(e);
	}
	qb_bind(st, &q, s);
	qb_free(&q);
	int rc;
	while ((rc = st_step(s)) == ST_ROW) {
		xgrow((void **)&out->rows, &out->cap, out->n + 1, sizeof *out->rows);
		struct queue_row *r = &out->rows[out->n++];
		read_row(s, sd->nkeys, r);
		r->has_draft = drafts_of && col_int(s, 11 + sd->nkeys);
	}
	st_done(s);
	return rc == ST_DONE ? DESK_OK : st_fail(st, e, "reading the queue");
}

/* Appends the first rows of the streams, merged in sort order, until out
 * holds `limit` rows more; ends the streams. */
static int merge(struct store *st, struct stream *x, int n, const struct sort_def *sd,
		 bool desc, int limit, struct queue_page *out, struct derr *e)
{
	if (st_engine(st) == ENGINE_POSTGRESQL)
		return merge_pg(st, x, n, sd, desc, limit, out, e);
	int rc = DESK_OK;
	for (int i = 0; i < n && rc == DESK_OK; i++)
		rc = stream_step(st, &x[i], sd, desc, limit, e);
	for (int got = 0; rc == DESK_OK && got < limit; got++) {
		int best = -1;
		for (int i = 0; i < n; i++) {
			if (!x[i].have)
				continue;
			int c = best < 0 ? 0 : key_cmp(&x[i].head, &x[best].head);
			if (best < 0 || (desc ? c > 0 : c < 0))
				best = i;
		}
		if (best < 0)
			break;
		xgrow((void **)&out->rows, &out->cap, out->n + 1, sizeof *out->rows);
		out->rows[out->n++] = x[best].head;
		x[best].have = false;
		if (got + 1 < limit)
			rc = stream_step(st, &x[best], sd, desc, limit, e);
	}
	for (int i = 0; i < n; i++) {
		if (x[i].have)
			row_free(&x[i].head);
		x[i].have = false;
		st_done(x[i].s);
		x[i].s = NULL;
	}
	return rc;
}

/* The ranges of the rows after `after` (NULL: all of them), in sort order.
 *
 * "(k1, k2, k3) > (v1, v2, v3)" is exact, but SQLite 3.40 seeks an index
 * with a row value on its first column at most, and not at all on
 * expression columns: past the first key, a page walked every row from
 * the start of its first key's value (the ~950k tickets that are never
 * due share one).  Split into the ranges "k1 = v1 AND k2 = v2 AND k3 >
 * v3", then "k1 = v1 AND k2 > v2", then "k1 > v1", each is equalities
 * then one inequality on a prefix of the sort's index, a seek, and they
 * come one after the other in sort order.  Each orders by its free keys
 * only: with the equal keys in ORDER BY too, the planner does not see
 * that an expression index gives that order already, and sorts the
 * whole range before the LIMIT. */
static void seek_ranges(struct store *st, struct stream *x, const char *const *keys, int nkeys,
			bool desc, const int64_t *after)
{
	x->nr = 0;
	if (!after) {
		x->r[x->nr++] = (struct range){.order = keys, .norder = nkeys};
		return;
	}
	/* PostgreSQL seeks an index on the row value itself, expression
	 * columns too ("Index Cond: (k1, k2, k3) > (...)"): one range, one
	 * branch of merge_pg's statement to plan where there were three. */
	if (st_engine(st) == ENGINE_POSTGRESQL) {
		x->r[x->nr++] = (struct range){.order = keys, .norder = nkeys, .row_after = after};
		return;
	}
	for (int eq = nkeys - 1; eq >= 0; eq--) {
		struct range *r = &x->r[x->nr++];
		*r = (struct range){.nc = eq + 1, .order = keys + eq, .norder = nkeys - eq};
		for (int k = 0; k <= eq; k++)
			r->c[k] = (struct cond){keys[k], k < eq ? "=" : desc ? "<" : ">", after[k]};
	}
}

static void sort_ranges(struct store *st, struct stream *x, const struct sort_def *sd, bool desc,
			const struct queue_key *after)
{
	seek_ranges(st, x, sd->keys, sd->nkeys, desc, after ? after->k : NULL);
}

/* The first limit rows of f after `after` (NULL: from the start).  A
 * full-text search is one statement: its matches are few (the newest
 * SEARCH_WINDOW) and sorted anyway, and each statement would look them
 * up in the full-text index again. */
static int page_seek(struct store *st, const struct queue_filter *f, const struct sort_def *sd,
		     bool desc, const struct queue_key *after, int limit, struct queue_page *out,
		     struct derr *e)
{
	struct stream x = {.f = *f};
	if (f->search) {
		/* A bag: the page's ids from the candidates, sorted on the
		 * ticket's own columns; the customer, agent and tags then for
		 * the page's rows only, not for every candidate. */
		x.r[0] = (struct range){.order = sd->keys, .norder = sd->nkeys, .after = after,
					.bag = true};
		x.nr = 1;
	} else {
		sort_ranges(st, &x, sd, desc, after);
	}
	return merge(st, &x, 1, sd, desc, limit, out, e);
}

/* Several statuses in the urgency sort: a seek per status in
 * tickets_status (status, then the urgency keys after the tier), merged
 * here.  Walking tickets_urgency and testing the status instead passes
 * every solved and closed ticket among the never-due ones (pending
 * tickets are there too): hundreds of milliseconds a page deep in the
 * open queue.  In the urgency sort a status's tier is one value: a
 * status whose tier lies before the page's start is left out, one past
 * it is read from its start, and only the start's own tier seeks past
 * the start's keys; without a status filter, every status is read so.
 * The created, updated and id sorts the same way, under any status
 * filter, on their tickets_status_* index: walking the sort's own
 * index, a page of a status few tickets have (on hold, pending) passed
 * thousands of others. */
static int page_by_status(struct store *st, const struct queue_filter *f,
			  const struct sort_def *sd, bool desc, const struct queue_key *after,
			  int limit, struct queue_page *out, struct derr *e)
{
	struct stream x[ST__COUNT];
	int n = 0;
	unsigned mask = f->status_mask ? f->status_mask : (1u << ST__COUNT) - 1;
	for (int s = 0; s < ST__COUNT; s++) {
		if (!(mask & (1u << s)))
			continue;
		x[n] = (struct stream){.f = *f, .copy = n + 1};
		x[n].f.status_mask = 1u << s;
		if (sd->tiered) {
			int64_t tier = status_tier((enum status)s);
			const int64_t *start = after ? after->k + 1 : NULL;
			if (after && tier != after->k[0]) {
				if (desc ? tier > after->k[0] : tier < after->k[0])
					continue; /* before the start */
				start = NULL;
			}
			seek_ranges(st, &x[n], sd->keys + 1, sd->nkeys - 1, desc, start);
		} else {
			sort_ranges(st, &x[n], sd, desc, after);
		}
		for (int i = 0; i < x[n].nr; i++)
			x[n].r[i].index = sd->by_status;
		n++;
	}
	return merge(st, x, n, sd, desc, limit, out, e);
}

/* A bag: the rows of a filter's narrow part that one index holds with
 * every sort key (tickets_assignee: an agent's, or nobody's, in some
 * statuses; tickets_solved: solved since a time), when they are fewer
 * than BAG_MAX.  A page reads them all from the index, in no useful
 * order, and keeps the first `limit` past `after`: at most BAG_MAX index
 * entries, where a walk in sort order testing the filter passed every
 * row of the others (the unassigned and mine views a page: 20-80 ms;
 * the solved view in any sort but its own: 130-630 ms at 1M).  Past
 * BAG_MAX a walk is the cheaper: it reads about limit x (all rows /
 * matching rows), which is then under 50 x 1M / BAG_MAX. */
#define BAG_MAX 8000

/* Tests set it to 0 (never a bag) to reach the walks with few rows. */
int store_queue_bag_max = BAG_MAX;

static const char *bag_index(const struct queue_filter *f)
{
	if (f->search)
		return NULL;
	if (f->assignee == ASSIGNEE_NONE || f->assignee == ASSIGNEE_IS)
		return "tickets_assignee";
	if (f->solved_since)
		return "tickets_solved";
	return NULL;
}

/* Whether f's bag in `index` holds fewer than BAG_MAX rows (counted in
 * the index alone, up to BAG_MAX). */
static int bag_small(struct store *st, const struct queue_filter *f, const char *index,
		     bool *small, struct derr *e)
{
	struct qb q = {.status_seek = true};
	qb_for(&q, st);
	sb_add(&q.sql, "SELECT count(*) FROM (SELECT 1 FROM tickets t");
	if (!q.pg)
		sb_addf(&q.sql, " INDEXED BY %s", index);
	sb_add(&q.sql, " WHERE ");
	if (strcmp(index, "tickets_solved") == 0) {
		sb_add(&q.sql, "t.solved_at >= ");
		qb_int(&q, f->solved_since);
	} else if (f->assignee == ASSIGNEE_NONE) {
		sb_add(&q.sql, "t.assignee_id IS NULL");
	} else {
		sb_add(&q.sql, "t.assignee_id = ");
		qb_int(&q, f->assignee_id);
	}
	if (f->status_mask)
		add_mask_in(&q, "t.status", f->status_mask, ST__COUNT, status_n);
	/* PostgreSQL: the index's order makes reading it the cheap plan,
	 * where a walk of the whole table was chosen instead; and a LIMIT
	 * written out, not bound: a generic plan takes a bound LIMIT for a
	 * tenth of the rows, so "walk until that many" looked cheap, and
	 * with an agent's few tickets it walked every row. */
	if (q.pg)
		sb_add(&q.sql, strcmp(index, "tickets_solved") == 0 ? " ORDER BY t.solved_at"
								     : " ORDER BY t.assignee_id");
	sb_addf(&q.sql, " LIMIT %d) AS b", store_queue_bag_max);
	int64_t n = store_queue_bag_max;
	int rc = qb_scalar(st, &q, &n, "reading the queue", e);
	*small = n < store_queue_bag_max;
	return rc;
}

static int page_bag(struct store *st, const struct queue_filter *f, const struct sort_def *sd,
		    bool desc, const struct queue_key *after, const char *index, int limit,
		    struct queue_page *out, struct derr *e)
{
	struct stream x = {.f = *f, .nr = 1};
	x.r[0] = (struct range){.order = sd->keys, .norder = sd->nkeys, .after = after,
				.index = index, .bag = true};
	return merge(st, &x, 1, sd, desc, limit, out, e);
}

/* Whether some ticket in status s is due strictly between lo and hi. */
static int has_dated(struct store *st, int s, int64_t lo, int64_t hi, bool *yes,
		     struct derr *e)
{
	/* PostgreSQL: the ORDER BY of tickets_status's own order makes its
	 * seek the cheap plan; a walk of the table "until the first one" was
	 * chosen instead, which passes every row when the status has none. */
#define DATED_WHERE " WHERE t.status = ?1 AND " DUE_KEY " > ?2 AND " DUE_KEY " < ?3"
	struct stmt *q = st_prep2(st,
				  "SELECT 1 FROM tickets t INDEXED BY tickets_status" DATED_WHERE
				  " LIMIT 1",
				  "SELECT 1 FROM tickets t" DATED_WHERE " ORDER BY " DUE_KEY " LIMIT 1", e);
#undef DATED_WHERE
	if (!q)
		return derr_code(e);
	bind_text(q, 1, status_name((enum status)s));
	bind_int(q, 2, lo);
	bind_int(q, 3, hi);
	int rc = st_step(q);
	*yes = rc == ST_ROW;
	st_done(q);
	return rc == ST_ROW || rc == ST_DONE ? DESK_OK : st_fail(st, e, "reading the queue");
}

/* The priority sort, one priority's rows (they never interleave with
 * another's), in (due, id) order, after after2 (due and id; NULL: all).
 * The dated ones walk tickets_priority's range of that priority (with
 * the status tested as it goes: dated tickets are nearly all in an open
 * status).  The never-due ones are a seek per status in tickets_status
 * (status, due, -priority, id), merged: tickets_priority walked there
 * passes every solved and closed ticket of the priority, and a walk of
 * tickets_status testing the priority passes every ticket of the
 * status that has another priority. */
static int page_prio(struct store *st, const struct queue_filter *f, const struct sort_def *sd,
		     bool desc, int prio, const int64_t *after2, int limit,
		     struct queue_page *out, struct derr *e)
{
	size_t first = out->n;
	int rc = DESK_OK;
	bool in_never = after2 && after2[0] == INT64_MAX;
	static const int order[2][3] = {{0, 1, 2}, {2, 0, 1}};
	for (int part = 0; part < 3 && rc == DESK_OK; part++) {
		int got = (int)(out->n - first);
		if (got >= limit)
			break;
		int which = order[desc][part]; /* 0 same due, 1 dated, 2 never */
		struct stream x = {.f = *f};
		struct range *r = &x.r[0];
		*r = (struct range){.c = {{"-t.priority", "=", -prio}}, .nc = 1};
		x.nr = 1;
		if (which == 2) {
			if (after2 && !in_never && desc)
				continue; /* descending from a dated row: none */
			r->c[r->nc++] = (struct cond){DUE_KEY, "=", INT64_MAX};
			if (in_never)
				r->c[r->nc++] = (struct cond){"t.id", desc ? "<" : ">", after2[1]};
			r->order = due_id + 1;
			r->norder = 1;
			struct stream xs[ST__COUNT];
			int n = 0;
			for (int s = 0; s < ST__COUNT; s++) {
				if (!(f->status_mask & (1u << s)))
					continue;
				xs[n] = x;
				xs[n].r[0].index = "tickets_status";
				xs[n].copy = n + 1;
				xs[n++].f.status_mask = 1u << s;
			}
			rc = merge(st, xs, n, sd, desc, limit - got, out, e);
			continue;
		}
		if (in_never && (!desc || which == 0))
			continue; /* nothing dated after the never due; their
				   * own due is the never-due seek's */
		r->status_walk = true;
		if (which == 0) {
			if (!after2)
				continue;
			r->c[r->nc++] = (struct cond){DUE_KEY, "=", after2[0]};
			r->c[r->nc++] = (struct cond){"t.id", desc ? "<" : ">", after2[1]};
			r->order = due_id + 1;
			r->norder = 1;
		} else {
			int64_t lo = after2 && !desc ? after2[0] : INT64_MIN;
			int64_t hi = after2 && desc ? after2[0] : INT64_MAX;
			r->c[r->nc++] = (struct cond){DUE_KEY, "<", hi};
			if (after2 && !desc)
				r->c[r->nc++] = (struct cond){DUE_KEY, ">", lo};
			r->order = due_id;
			r->norder = 2;
			/* Only the statuses with dated tickets there (a seek each):
			 * past the last dated row of its own, the walk for a status
			 * that has none (pending) passed every other dated one. */
			unsigned dated = 0;
			for (int s = 0; s < ST__COUNT && rc == DESK_OK; s++) {
				bool yes = false;
				if (f->status_mask & (1u << s))
					rc = has_dated(st, s, lo, hi, &yes, e);
				if (yes)
					dated |= 1u << s;
			}
			if (rc || !dated)
				continue;
			x.f.status_mask = dated;
		}
		rc = merge(st, &x, 1, sd, desc, limit - got, out, e);
	}
	return rc;
}

/* The priority sort under a status filter: a priority at a time. */
static int page_by_priority(struct store *st, const struct queue_filter *f,
			    const struct sort_def *sd, bool desc, const struct queue_key *after,
			    int limit, struct queue_page *out, struct derr *e)
{
	size_t first = out->n;
	int rc = DESK_OK;
	for (int i = 0; i < PRIO__COUNT && rc == DESK_OK; i++) {
		int got = (int)(out->n - first);
		if (got >= limit)
			break;
		int prio = desc ? i : PRIO__COUNT - 1 - i; /* the first key is -priority */
		if (f->priority_mask && !(f->priority_mask & (1u << prio)))
			continue;
		const int64_t *after2 = NULL;
		if (after) {
			if (desc ? -prio > after->k[0] : -prio < after->k[0])
				continue;
			if (-prio == after->k[0])
				after2 = &after->k[1];
		}
		rc = page_prio(st, f, sd, desc, prio, after2, limit - got, out, e);
	}
	return rc;
}

/* The updated sort with solved-within: the rows updated since then
 * (-updated_at <= -since: a bounded range of tickets_updated), then the
 * rest, read through tickets_solved.  Without the bound, the last page
 * and End walked every ticket updated before then to find none (0.9 s
 * at 1M).  A ticket solved since then but updated before it would be an
 * odd one; if there is any, the second part still finds it. */
static int page_solved(struct store *st, const struct queue_filter *f, const struct sort_def *sd,
		       bool desc, const struct queue_key *after, int limit,
		       struct queue_page *out, struct derr *e)
{
	int64_t bound = -f->solved_since;
	bool after_in_recent = after && after->k[0] <= bound;
	size_t first = out->n;
	int rc = DESK_OK;
	for (int part = 0; part < 2 && rc == DESK_OK; part++) {
		int got = (int)(out->n - first);
		if (got >= limit)
			break;
		bool recent = desc ? part == 1 : part == 0;
		struct stream x = {.f = *f};
		if (recent) {
			if (after && !after_in_recent && !desc)
				continue; /* after the recent ones already */
			sort_ranges(st, &x, sd, desc, after_in_recent ? after : NULL);
			for (int i = 0; i < x.nr; i++) {
				struct range *r = &x.r[i];
				/* descending from a recent row, its own bound is the tighter */
				if (!(desc && after_in_recent))
					r->c[r->nc++] = (struct cond){"-t.updated_at", "<=", bound};
			}
		} else {
			if (after_in_recent && desc)
				continue; /* before the recent ones: none of these */
			sort_ranges(st, &x, sd, desc, after_in_recent ? NULL : after);
			for (int i = 0; i < x.nr; i++) {
				struct range *r = &x.r[i];
				r->c[r->nc++] = (struct cond){"-t.updated_at", ">", bound};
				r->index = "tickets_solved";
			}
		}
		rc = merge(st, &x, 1, sd, desc, limit - got, out, e);
	}
	return rc;
}

/* Whether a transaction is open on the connection: the caller's (it
 * then holds the page's statements together already). */
static bool in_transaction(struct store *st)
{
	if (st_engine(st) == ENGINE_POSTGRESQL)
		return store_in_transaction(st);
	return !sqlite3_get_autocommit(st->db);
}

/* A read transaction around a page's statements.  PostgreSQL gives each
 * statement of a READ COMMITTED transaction a snapshot of its own: one
 * for all of them takes REPEATABLE READ. */
static int read_begin(struct store *st, struct derr *e)
{
	if (st_engine(st) == ENGINE_POSTGRESQL)
		return st_exec(st, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", e);
	struct stmt *b = st_prep(st, "BEGIN", e);
	if (!b)
		return derr_code(e);
	return st_exec_stmt(st, b, e, "reading the queue");
}

static void read_end(struct store *st)
{
	struct derr ce = {0};
	if (st_engine(st) == ENGINE_POSTGRESQL) {
		if (st_exec(st, "COMMIT", &ce))
			st_exec(st, "ROLLBACK", &ce);
		return;
	}
	struct stmt *c = st_prep(st, "COMMIT", &ce);
	if (!c || st_exec_stmt(st, c, &ce, "reading the queue"))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

int store_queue_page(struct store *st, const struct queue_filter *f, enum queue_sort sort,
		     bool reverse, const struct queue_key *after, bool backward, int limit,
		     struct queue_page *out, struct derr *e)
{
	if ((unsigned)sort >= SORT__COUNT)
		return derr_set(e, DESK_EINVAL, "unknown sort %d", (int)sort);
	if (limit <= 0)
		return DESK_OK;
	const struct sort_def *sd = &sorts[sort];
	bool desc = reverse != backward;
	unsigned m = f->status_mask;
	const char *bag = bag_index(f);
	bool small = false;
	if (bag) {
		int rc = bag_small(st, f, bag, &small, e);
		if (rc)
			return rc;
	}
	bool by_status = !small && !f->search && sd->by_status && (m != 0 || sd->tiered);
	bool by_prio = !small && sort == SORT_PRIORITY && m != 0 && !f->search;
	bool solved = !small && sort == SORT_UPDATED && f->solved_since && !f->search;
	/* A page can take several statements: one read transaction makes
	 * them see the same data (a ticket changed meanwhile could else
	 * come twice or not at all).  On PostgreSQL a merge is one
	 * statement (merge_pg), so only a page of several merges needs it. */
	bool pg = st_engine(st) == ENGINE_POSTGRESQL;
	bool own_read = !in_transaction(st) && !small &&
			(pg ? by_prio || solved
			    : by_status || by_prio || solved ||
				      (after && sd->nkeys > 1 && !f->search));
	if (own_read && read_begin(st, e))
		return derr_code(e);
	size_t first = out->n;
	int rc = small	     ? page_bag(st, f, sd, desc, after, bag, limit, out, e)
		 : by_prio   ? page_by_priority(st, f, sd, desc, after, limit, out, e)
		 : by_status ? page_by_status(st, f, sd, desc, after, limit, out, e)
		 : solved    ? page_solved(st, f, sd, desc, after, limit, out, e)
			     : page_seek(st, f, sd, desc, after, limit, out, e);
	if (rc == DESK_OK && f->drafts_of && !pg) /* merge_pg marked them */
		rc = store_draft_marks(st, f->drafts_of, out->rows + first, out->n - first, e);
	if (own_read)
		read_end(st);
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
	struct stmt *s = st_prep(st, sb_str(&q->sql), e);
	if (!s) {
		qb_free(q);
		return derr_code(e);
	}
	qb_bind(st, q, s);
	int rc = st_step(s);
	if (rc == ST_ROW)
		*out = col_int(s, 0);
	st_done(s);
	qb_free(q);
	return rc == ST_ROW ? DESK_OK : st_fail(st, e, what);
}

int store_queue_count(struct store *st, const struct queue_filter *f, int64_t *n,
		      struct derr *e)
{
	*n = 0;
	struct qb q = {0};
	qb_for(&q, st);
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
	qb_for(&q, st);
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
	sb_add(&q.sql, ") AS m");
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
	qb_for(&q, st);
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
		struct stmt *s = st_prep(st, sb_str(&q.sql), e);
		if (!s) {
			qb_free(&q);
			return derr_code(e);
		}
		qb_bind(st, &q, s);
		int r = st_step(s);
		if (r == ST_ROW) {
			found = true;
			for (int i = 0; i < sd->nkeys; i++)
				k.k[i] = col_int(s, i);
		}
		st_done(s);
		if (r != ST_ROW && r != ST_DONE)
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
	qb_for(&c, st);
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

int store_queue_unseen(struct store *st, const struct queue_filter *f, int64_t agent_id,
		       int64_t since, int limit, struct ticket_briefs *out, struct derr *e)
{
	struct qb q = {0};
	qb_for(&q, st);
	/* Only tickets changed after the baseline can be new: the range on
	 * tickets_updated (-updated_at) bounds the walk to recent changes. */
	sb_add(&q.sql, "SELECT t.id, t.subject FROM tickets t"
		       " LEFT JOIN customers c ON c.id = t.customer_id"
		       " LEFT JOIN ticket_seen s ON s.ticket_id = t.id AND s.agent_id = ");
	qb_int(&q, agent_id);
	if (!add_where(&q, f)) {
		qb_free(&q);
		return DESK_OK;
	}
	sb_add(&q.sql, " AND -t.updated_at <= "); /* the baseline's second counts: seen.c */
	qb_int(&q, -since);
	sb_add(&q.sql, " AND (s.seen_at IS NULL OR t.updated_at > s.seen_at)"
		       " ORDER BY -t.updated_at, t.id LIMIT ");
	qb_int(&q, limit > 0 ? limit : 1);
	struct stmt *s = st_prep(st, sb_str(&q.sql), e);
	if (!s) {
		qb_free(&q);
		return derr_code(e);
	}
	qb_bind(st, &q, s);
	int rc;
	while ((rc = st_step(s)) == ST_ROW)
		ticket_briefs_add(out, col_int(s, 0), col_text(s, 1));
	st_done(s);
	qb_free(&q);
	return rc == ST_DONE ? DESK_OK : st_fail(st, e, "reading the view's new tickets");
}
