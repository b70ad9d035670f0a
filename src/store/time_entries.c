/* time_entries.c: time spent on tickets (schema 17): the entries of a
 * ticket, and the sums and per-ticket medians desk report shows. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "report_json.h"
#include "util.h"

void time_entry_list_free(struct time_entry_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].agent_login);
		free(l->v[i].note);
	}
	free(l->v);
	memset(l, 0, sizeof *l);
}

int store_time_insert(struct store *st, struct time_entry *te, struct derr *e)
{
	struct stmt *s = st_prep_insert(st,
				  "INSERT INTO time_entries (ticket_id, agent_id, seconds, source,"
				  " note, created_at, message_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, te->ticket_id);
	bind_int(s, 2, te->agent_id);
	bind_int(s, 3, te->seconds);
	bind_text(s, 4, te->measured ? "measured" : "manual");
	bind_text(s, 5, te->note);
	bind_int(s, 6, te->created_at);
	bind_id(s, 7, te->message_id);
	return st_insert(st, s, &te->id, e, "recording time spent");
}

int store_time_entries(struct store *st, int64_t ticket_id, struct time_entry_list *out,
		       struct derr *e)
{
	struct stmt *s = st_prep(st,
				  "SELECT te.id, te.ticket_id, te.agent_id, a.login, te.seconds,"
				  " te.source, te.note, te.created_at, te.message_id"
				  " FROM time_entries te LEFT JOIN agents a ON a.id = te.agent_id"
				  " WHERE te.ticket_id = ?1 ORDER BY te.created_at, te.id",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, ticket_id);
	int rc;
	while ((rc = st_step(s)) == ST_ROW) {
		xgrow((void **)&out->v, &out->cap, out->n + 1, sizeof *out->v);
		struct time_entry *te = &out->v[out->n++];
		te->id = col_int(s, 0);
		te->ticket_id = col_int(s, 1);
		te->agent_id = col_int(s, 2);
		te->agent_login = col_text(s, 3);
		te->seconds = col_int(s, 4);
		const char *src = col_str(s, 5);
		te->measured = src && strcmp(src, "measured") == 0;
		te->note = col_text(s, 6);
		te->created_at = col_int(s, 7);
		te->message_id = col_int(s, 8);
	}
	st_done(s);
	return rc == ST_DONE ? DESK_OK : st_fail(st, e, "reading time spent");
}

struct stmt *time_total_ask(struct store *st, int64_t ticket_id, struct derr *e)
{
	struct stmt *s = st_prep(
		st, "SELECT coalesce(sum(seconds), 0) FROM time_entries WHERE ticket_id = ?1", e);
	if (s)
		bind_int(s, 1, ticket_id);
	return s;
}

int store_time_total(struct store *st, int64_t ticket_id, int64_t *seconds, struct derr *e)
{
	struct stmt *s = time_total_ask(st, ticket_id, e);
	return s ? time_total_take(st, s, seconds, e) : derr_code(e);
}

int time_total_take(struct store *st, struct stmt *s, int64_t *seconds, struct derr *e)
{
	int rc = st_step(s);
	*seconds = rc == ST_ROW ? col_int(s, 0) : 0;
	st_done(s);
	return rc == ST_ROW ? DESK_OK : st_fail(st, e, "reading time spent");
}

static const char *const by_names[TIME_BY__COUNT] = {"all", "agent", "queue", "channel"};

const char *time_by_name(enum time_by b)
{
	return b < TIME_BY__COUNT ? by_names[b] : "?";
}

void time_groups_free(struct time_groups *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->v[i].key);
	free(g->v);
	memset(g, 0, sizeof *g);
}

/* The period's entries (?1 <= created_at < ?2) come off
 * time_entries_created; each ticket's sum per group (?3: all, agent,
 * queue or channel) is ranked within its group, and the one or two
 * middle sums make the median (n odd: rank (n+1)/2 twice; even: n/2 and
 * n/2 + 1).  Columns: k, entries, tickets, secs, median. */
#define TIME_GROUPS_SQL                                                                   \
	"WITH per AS (SELECT CASE ?3 WHEN 'agent' THEN a.login WHEN 'queue' THEN t.queue" \
	"   WHEN 'channel' THEN t.channel END AS k, te.ticket_id, count(*) AS entries,"    \
	"   sum(te.seconds) AS secs"                                                        \
	"  FROM time_entries te JOIN tickets t ON t.id = te.ticket_id"                      \
	"  LEFT JOIN agents a ON a.id = te.agent_id"                                        \
	"  WHERE te.created_at >= ?1 AND te.created_at < ?2 GROUP BY k, te.ticket_id),"     \
	" ranked AS (SELECT k, entries, secs,"                                              \
	"   row_number() OVER (PARTITION BY k ORDER BY secs) AS rn,"                        \
	"   count(*) OVER (PARTITION BY k) AS n FROM per)"                                  \
	" SELECT k, sum(entries) AS entries, count(*) AS tickets, sum(secs) AS secs,"       \
	"  avg(CASE WHEN rn IN ((n + 1) / 2, (n + 2) / 2) THEN secs END) AS median"        \
	" FROM ranked GROUP BY k ORDER BY k"

/* The groups of one breakdown as the SQL gives them: a key may be NULL
 * (the total's, or an entry whose agent is gone). */
static int read_groups(struct store *st, int64_t since, int64_t until, enum time_by by,
		       struct time_groups *out, struct derr *e)
{
	memset(out, 0, sizeof *out);
	struct stmt *s = st_prep(st, TIME_GROUPS_SQL, e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, since);
	bind_int(s, 2, until);
	bind_text(s, 3, time_by_name(by));
	int rc;
	while ((rc = st_step(s)) == ST_ROW) {
		xgrow((void **)&out->v, &out->cap, out->n + 1, sizeof *out->v);
		struct time_group *g = &out->v[out->n++];
		g->key = by == TIME_BY_ALL ? NULL : col_text(s, 0);
		g->entries = col_int(s, 1);
		g->tickets = col_int(s, 2);
		g->seconds = col_int(s, 3);
		g->median = col_double(s, 4);
	}
	st_done(s);
	if (rc != ST_DONE) {
		time_groups_free(out);
		return st_fail(st, e, "reading time spent for the report");
	}
	return DESK_OK;
}

int store_time_report(struct store *st, int64_t since, int64_t until, enum time_by by,
		      struct time_groups *out, struct derr *e)
{
	int rc = read_groups(st, since, until, by, out, e);
	for (size_t i = 0; rc == DESK_OK && by != TIME_BY_ALL && i < out->n; i++)
		if (!out->v[i].key)
			out->v[i].key = xstrdup("");
	return rc;
}

/* One breakdown as a JSON array of groups (a NULL key left out). */
static int groups_json(struct store *js, const struct time_groups *g, char **out,
		       struct derr *e)
{
	*out = NULL;
	struct strbuf arr = {0};
	sb_addc(&arr, '[');
	int rc = DESK_OK;
	for (size_t i = 0; i < g->n && rc == DESK_OK; i++) {
		struct stmt *s = st_prep(js,
					  "SELECT json_patch('{}', json_object('key', ?1,"
					  " 'tickets', ?2, 'entries', ?3, 'seconds', ?4,"
					  " 'median_per_ticket_seconds', round(?5, 1)))",
					  e);
		if (!s) {
			rc = derr_code(e);
			break;
		}
		bind_text(s, 1, g->v[i].key);
		bind_int(s, 2, g->v[i].tickets);
		bind_int(s, 3, g->v[i].entries);
		bind_int(s, 4, g->v[i].seconds);
		bind_double(s, 5, g->v[i].median);
		if (st_step(s) == ST_ROW) {
			if (i)
				sb_addc(&arr, ',');
			sb_add(&arr, col_str(s, 0));
		} else {
			rc = st_fail(js, e, "writing time spent as JSON");
		}
		st_done(s);
	}
	sb_addc(&arr, ']');
	if (rc == DESK_OK)
		*out = sb_take(&arr);
	sb_free(&arr);
	return rc;
}

int store_time_report_json(struct store *st, int64_t since, int64_t until, const char *doc,
			   char **out, struct derr *e)
{
	*out = NULL;
	struct store *js = NULL;
	char *arr[TIME_BY__COUNT] = {0};
	int rc = report_json_store(st, &js, e);
	for (int b = 0; b < TIME_BY__COUNT && rc == DESK_OK; b++) {
		struct time_groups g;
		rc = read_groups(st, since, until, (enum time_by)b, &g, e);
		if (rc == DESK_OK)
			rc = groups_json(js, &g, &arr[b], e);
		time_groups_free(&g);
	}
	struct stmt *s = rc ? NULL : st_prep(js,
		"SELECT json_set(?1, '$.time_spent', json_object("
		" 'total', json(coalesce(json_extract(?2, '$[0]'),"
		"   '{\"tickets\":0,\"entries\":0,\"seconds\":0}')),"
		" 'by_agent', json(?3), 'by_queue', json(?4), 'by_channel', json(?5)))",
		e);
	if (s) {
		bind_text(s, 1, doc);
		for (int b = 0; b < TIME_BY__COUNT; b++)
			bind_text(s, b + 2, arr[b]);
		int step = st_step(s);
		if (step == ST_ROW)
			*out = col_json(s, 0);
		st_done(s);
		if (step != ST_ROW)
			rc = st_fail(js, e, "writing time spent as JSON");
	} else if (rc == DESK_OK) {
		rc = derr_code(e);
	}
	for (int b = 0; b < TIME_BY__COUNT; b++)
		free(arr[b]);
	report_json_store_done(st, &js);
	return rc;
}
