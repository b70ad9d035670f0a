/* drafts.c: an agent's unsent drafts across tickets: the list `:drafts`
 * and `desk drafts` show, the queue page's draft marks, and carrying a
 * draft over to the ticket its own was merged into. */
#include <stdlib.h>
#include <string.h>

#include "id_set.h"
#include "internal.h"
#include "util.h"

void draft_list_free(struct draft_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].body);
		free(l->v[i].canned);
		free(l->v[i].subject);
	}
	free(l->v);
	memset(l, 0, sizeof *l);
}

int store_drafts_of(struct store *st, int64_t agent_id, struct draft_list *out, struct derr *e)
{
	struct stmt *s = st_prep(st,
				  "SELECT d.ticket_id, d.kind, d.body, d.canned, d.updated_at,"
				  " t.subject, t.status, t.merged_into"
				  " FROM drafts d JOIN tickets t ON t.id = d.ticket_id"
				  " WHERE d.agent_id = ?1"
				  " ORDER BY d.updated_at DESC, d.ticket_id DESC, d.kind",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, agent_id);
	int rc;
	while ((rc = st_step(s)) == ST_ROW) {
		xgrow((void **)&out->v, &out->cap, out->n + 1, sizeof *out->v);
		struct draft_row *r = &out->v[out->n++];
		memset(r, 0, sizeof *r);
		r->ticket_id = col_int(s, 0);
		r->kind = strcmp(col_str(s, 1), "note") == 0 ? MSG_NOTE
											: MSG_REPLY;
		r->body = col_text(s, 2);
		r->canned = col_text(s, 3);
		r->updated_at = col_int(s, 4);
		r->subject = col_text(s, 5);
		int stt = status_from_name(col_str(s, 6));
		r->status = stt < 0 ? ST_NEW : (enum status)stt;
		r->merged_into = col_int(s, 7);
		if (!r->body)
			r->body = xstrdup("");
	}
	st_done(s);
	return rc == ST_DONE ? DESK_OK : st_fail(st, e, "listing drafts");
}

/* The page's rows in one statement, the same whatever the page's size:
 * its ids go in as one JSON array (id_set.h), each looked up in the
 * drafts' primary key, however many drafts there are. */
int store_draft_marks(struct store *st, int64_t agent_id, struct queue_row *rows, size_t n,
		      struct derr *e)
{
	for (size_t i = 0; i < n; i++)
		rows[i].has_draft = false;
	if (!agent_id || !n)
		return DESK_OK;
	struct strbuf ids = {0};
	for (size_t i = 0; i < n; i++)
		sb_addf(&ids, "%s%lld", i ? "," : "[", (long long)rows[i].id);
	sb_addc(&ids, ']');
#define DRAFT_MARKS(ids) \
	"SELECT DISTINCT d.ticket_id FROM drafts d WHERE d.ticket_id IN " ids " AND d.agent_id = ?1"
	struct stmt *s = st_prep2(st, DRAFT_MARKS(ID_SET_SQLITE("?2")), DRAFT_MARKS(ID_SET_PG("?2")),
				  e);
#undef DRAFT_MARKS
	if (!s) {
		sb_free(&ids);
		return derr_code(e);
	}
	bind_int(s, 1, agent_id);
	bind_text(s, 2, sb_str(&ids));
	int rc;
	while ((rc = st_step(s)) == ST_ROW) {
		int64_t id = col_int(s, 0);
		for (size_t i = 0; i < n; i++)
			if (rows[i].id == id)
				rows[i].has_draft = true;
	}
	st_done(s);
	sb_free(&ids);
	return rc == ST_DONE ? DESK_OK : st_fail(st, e, "reading the drafts of the page");
}

int store_draft_move(struct store *st, int64_t from, int64_t to, int64_t agent_id,
		     enum msg_kind kind, struct derr *e)
{
	struct stmt *s = st_prep(st,
				  "UPDATE drafts SET ticket_id = ?2 WHERE ticket_id = ?1"
				  " AND agent_id = ?3 AND kind = ?4",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, from);
	bind_int(s, 2, to);
	bind_int(s, 3, agent_id);
	bind_text(s, 4, msg_kind_name(kind));
	int rc = st_step(s);
	st_done(s);
	if (rc == ST_DONE)
		return st_changes(st) ? DESK_OK
					       : derr_set(e, DESK_ENOTFOUND,
							  "no %s draft on ticket %lld",
							  msg_kind_name(kind), (long long)from);
	if (st_failed_duplicate(st))
		return derr_set(e, DESK_ECONFLICT, "ticket %lld already has a %s draft of yours",
				(long long)to, msg_kind_name(kind));
	return st_fail(st, e, "moving a draft");
}
