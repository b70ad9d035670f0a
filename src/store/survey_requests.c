/* survey_requests.c: the surveys desk mails after a solve (`desk tick`),
 * found again by their token when the customer answers, and the answers
 * listed for supervisors and the report. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "util.h"

void survey_request_free(struct survey_request *r)
{
	free(r->reason);
	free(r->token);
	memset(r, 0, sizeof *r);
}

void survey_entries_free(struct survey_entries *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].s.comment);
		free(l->v[i].s.agent_login);
		free(l->v[i].customer);
		free(l->v[i].subject);
	}
	free(l->v);
	memset(l, 0, sizeof *l);
}

int store_survey_candidates(struct store *st, const bool channels[CH__COUNT],
			    int64_t solved_from, int64_t solved_to,
			    struct survey_candidate **out, size_t *n, struct derr *e)
{
	*out = NULL;
	*n = 0;
	/* One parameter per channel, NULL for those not surveyed (a NULL
	 * matches nothing): one statement whatever the list, on either
	 * engine. */
	_Static_assert(CH__COUNT == 6, "a parameter per channel below");
	struct stmt *s = st_prep(st,
				  "SELECT t.id, t.customer_id, t.solved_at FROM tickets t"
				  " WHERE t.solved_at BETWEEN ?1 AND ?2"
				  " AND t.status IN ('solved', 'closed') AND t.merged_into IS NULL"
				  " AND t.channel IN (?3, ?4, ?5, ?6, ?7, ?8)"
				  " AND NOT EXISTS (SELECT 1 FROM survey_requests r"
				  "   WHERE r.ticket_id = t.id AND r.solved_at = t.solved_at)"
				  " ORDER BY t.solved_at, t.id",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, solved_from);
	bind_int(s, 2, solved_to);
	for (int c = 0; c < CH__COUNT; c++)
		bind_text(s, 3 + c, channels[c] ? channel_name((enum channel)c) : NULL);
	size_t cap = 0;
	int rc;
	while ((rc = st_step(s)) == ST_ROW) {
		xgrow((void **)out, &cap, *n + 1, sizeof **out);
		struct survey_candidate *c = &(*out)[(*n)++];
		c->ticket_id = col_int(s, 0);
		c->customer_id = col_int(s, 1);
		c->solved_at = col_int(s, 2);
	}
	st_done(s);
	if (rc != ST_DONE) {
		free(*out);
		*out = NULL;
		*n = 0;
		return st_fail(st, e, "finding the solves to survey");
	}
	return DESK_OK;
}

int store_survey_last_sent(struct store *st, int64_t customer_id, int64_t *at, struct derr *e)
{
	*at = 0;
	struct stmt *s = st_prep(st,
				  "SELECT max(decided_at) FROM survey_requests"
				  " WHERE customer_id = ?1 AND outcome = 'sent'",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, customer_id);
	int rc = st_step(s);
	if (rc == ST_ROW)
		*at = col_int(s, 0);
	st_done(s);
	return rc == ST_ROW ? DESK_OK : st_fail(st, e, "reading when a customer was surveyed");
}

int store_survey_mail_trouble(struct store *st, int64_t ticket_id, char **why, struct derr *e)
{
	*why = NULL;
	struct stmt *s = st_prep(st,
				  "SELECT CASE WHEN EXISTS (SELECT 1 FROM messages m"
				  "   WHERE m.ticket_id = ?1 AND m.kind = 'customer' AND m.auto = 1)"
				  " THEN 'automatic mail (an auto-reply or a bounce) on the ticket'"
				  " WHEN EXISTS (SELECT 1 FROM messages m WHERE m.ticket_id = ?1"
				  "   AND m.delivery = 'failed')"
				  " THEN 'a mail to the customer failed' END",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, ticket_id);
	int rc = st_step(s);
	if (rc == ST_ROW)
		*why = col_text(s, 0);
	st_done(s);
	return rc == ST_ROW ? DESK_OK : st_fail(st, e, "reading a ticket's mail");
}

int store_survey_decided(struct store *st, int64_t ticket_id, int64_t solved_at, bool *yes,
			 struct derr *e)
{
	*yes = false;
	struct stmt *s = st_prep(st,
				  "SELECT 1 FROM survey_requests WHERE ticket_id = ?1"
				  " AND solved_at = ?2",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, ticket_id);
	bind_int(s, 2, solved_at);
	int rc = st_step(s);
	*yes = rc == ST_ROW;
	st_done(s);
	return rc == ST_ROW || rc == ST_DONE ? DESK_OK
						     : st_fail(st, e, "reading a survey decision");
}

int store_survey_request_insert(struct store *st, struct survey_request *r, struct derr *e)
{
	struct stmt *s = st_prep_insert(st,
				  "INSERT INTO survey_requests (ticket_id, customer_id, solved_at,"
				  " decided_at, outcome, reason, kind, token, message_row)"
				  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, r->ticket_id);
	bind_id(s, 2, r->customer_id);
	bind_int(s, 3, r->solved_at);
	bind_int(s, 4, r->decided_at);
	bind_text(s, 5, r->sent ? "sent" : "skipped");
	bind_text(s, 6, r->reason);
	bind_text(s, 7, survey_kind_name(r->kind));
	bind_text(s, 8, r->token);
	bind_id(s, 9, r->message_row);
	return st_insert(st, s, &r->id, e, "recording a survey");
}

int store_survey_request_get(struct store *st, const char *token, int64_t message_row,
			     struct survey_request *out, struct derr *e)
{
	memset(out, 0, sizeof *out);
	/* The CAST types a NULL token for PostgreSQL, which reads ?1 IS
	 * NULL before the comparison that would tell it. */
	struct stmt *s = st_prep(st,
				  "SELECT r.id, r.ticket_id, r.customer_id, r.solved_at,"
				  " r.decided_at, r.outcome, r.reason, r.kind, r.token,"
				  " r.message_row, (SELECT v.id FROM surveys v"
				  "   WHERE v.request_id = r.id)"
				  " FROM survey_requests r"
				  " WHERE CASE WHEN CAST(?1 AS TEXT) IS NULL THEN r.message_row = ?2"
				  "   ELSE r.token = ?1 END",
				  e);
	if (!s)
		return derr_code(e);
	bind_text(s, 1, token);
	bind_int(s, 2, message_row);
	int rc = st_step(s);
	if (rc == ST_ROW) {
		out->id = col_int(s, 0);
		out->ticket_id = col_int(s, 1);
		out->customer_id = col_int(s, 2);
		out->solved_at = col_int(s, 3);
		out->decided_at = col_int(s, 4);
		const char *o = col_str(s, 5);
		out->sent = o && strcmp(o, "sent") == 0;
		out->reason = col_text(s, 6);
		int k = survey_kind_from_name(col_str(s, 7));
		out->kind = k < 0 ? SURVEY_CSAT : (enum survey_kind)k;
		out->token = col_text(s, 8);
		out->message_row = col_int(s, 9);
		out->survey_id = col_int(s, 10);
	}
	st_done(s);
	if (rc == ST_DONE)
		return derr_set(e, DESK_ENOTFOUND, "no such survey");
	return rc == ST_ROW ? DESK_OK : st_fail(st, e, "reading a survey");
}

int store_survey_recorded(struct store *st, int64_t ticket, enum survey_kind kind,
			  int64_t *survey_id, int *score, struct derr *e)
{
	*survey_id = 0;
	*score = 0;
	struct stmt *s = st_prep(st,
				  "SELECT id, score FROM surveys WHERE ticket_id = ?1 AND kind = ?2"
				  " AND request_id IS NULL AND agent_id IS NOT NULL"
				  " ORDER BY answered_at DESC, id DESC LIMIT 1",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, ticket);
	bind_text(s, 2, survey_kind_name(kind));
	int rc = st_step(s);
	if (rc == ST_ROW) {
		*survey_id = col_int(s, 0);
		*score = (int)col_int(s, 1);
	}
	st_done(s);
	return rc == ST_ROW || rc == ST_DONE ? DESK_OK
						      : st_fail(st, e, "reading a recorded survey answer");
}

int store_survey_update(struct store *st, int64_t survey_id, int score, const char *comment,
			int64_t at, struct derr *e)
{
	struct stmt *s = st_prep(st,
				  "UPDATE surveys SET score = ?2, comment = ?3, answered_at = ?4"
				  " WHERE id = ?1",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, survey_id);
	bind_int(s, 2, score);
	bind_text(s, 3, comment);
	bind_int(s, 4, at);
	return st_exec_stmt(st, s, e, "replacing a survey answer");
}

int store_survey_list(struct store *st, const struct survey_query *q,
		      struct survey_entries *out, struct derr *e)
{
	/* The latest `limit` (newest first inside), shown oldest first.
	 * Those with a comment come off surveys_commented, whose WHERE the
	 * statement repeats so that it applies: reading every answer's
	 * row to test its comment cost a lookup per answer.  The CAST types
	 * a NULL kind for PostgreSQL; the largest bigint is no limit (it
	 * refuses SQLite's -1). */
#define SURVEY_LIST(comment)                                                    \
	"SELECT * FROM (SELECT v.id, v.ticket_id, v.kind, v.score,"              \
	" v.answered_at, v.comment, v.request_id, v.agent_id, a.login,"          \
	" coalesce(nullif(c.name, ''), c.email, c.phone), t.subject"             \
	" FROM surveys v JOIN tickets t ON t.id = v.ticket_id"                   \
	" LEFT JOIN customers c ON c.id = t.customer_id"                         \
	" LEFT JOIN agents a ON a.id = v.agent_id"                               \
	" WHERE v.answered_at >= ?1 AND (?2 = 0 OR v.answered_at < ?2)"          \
	" AND (CAST(?3 AS TEXT) IS NULL OR v.kind = ?3) AND ?4 = ?4" comment    \
	" ORDER BY v.answered_at DESC, v.id DESC"                                \
	" LIMIT CASE WHEN ?5 > 0 THEN ?5 ELSE 9223372036854775807 END) AS latest" \
	" ORDER BY answered_at, id"
	struct stmt *s = st_prep(st,
				  q->with_comment
					  ? SURVEY_LIST(" AND v.comment IS NOT NULL AND v.comment <> ''")
					  : SURVEY_LIST(""),
				  e);
#undef SURVEY_LIST
	if (!s)
		return derr_code(e);
	bind_int(s, 1, q->since);
	bind_int(s, 2, q->until);
	bind_text(s, 3, q->kind >= 0 ? survey_kind_name((enum survey_kind)q->kind) : NULL);
	bind_int(s, 4, q->with_comment);
	bind_int(s, 5, q->limit);
	int rc;
	while ((rc = st_step(s)) == ST_ROW) {
		xgrow((void **)&out->v, &out->cap, out->n + 1, sizeof *out->v);
		struct survey_entry *x = &out->v[out->n++];
		memset(x, 0, sizeof *x);
		x->s.id = col_int(s, 0);
		x->s.ticket_id = col_int(s, 1);
		int k = survey_kind_from_name(col_str(s, 2));
		x->s.kind = k < 0 ? SURVEY_CSAT : (enum survey_kind)k;
		x->s.score = (int)col_int(s, 3);
		x->s.answered_at = col_int(s, 4);
		x->s.comment = col_text(s, 5);
		x->s.request_id = col_int(s, 6);
		x->s.agent_id = col_int(s, 7);
		x->s.agent_login = col_text(s, 8);
		x->customer = col_text(s, 9);
		x->subject = col_text(s, 10);
	}
	st_done(s);
	return rc == ST_DONE ? DESK_OK : st_fail(st, e, "listing survey answers");
}
