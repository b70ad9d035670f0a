/* labels.c: the queue and tag names in use, for completion, "did you
 * mean" and the question before a new tag. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "util.h"

void name_list_free(struct name_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof *l);
}

static void add_name(struct name_list *l, char *owned)
{
	xgrow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v);
	l->v[l->n++] = owned;
}

int store_tag_names(struct store *st, const char *prefix, int limit, struct name_list *out,
		    struct derr *e)
{
	/* The first tag from prefix on, then the next after the last one,
	 * a seek each: a DISTINCT would read every ticket's entry of each
	 * tag (100k for a common one). */
	const char *p = prefix ? prefix : "";
	size_t plen = strlen(p);
	char *last = NULL;
	int rc = DESK_OK;
	while ((int)out->n < limit) {
		struct stmt *s = st_prep(st, last ? "SELECT min(tag) FROM ticket_tags WHERE tag > ?1"
						   : "SELECT min(tag) FROM ticket_tags WHERE tag >= ?1",
					  e);
		if (!s) {
			rc = derr_code(e);
			break;
		}
		bind_text(s, 1, last ? last : p);
		int r = st_step(s);
		char *tag = r == ST_ROW ? col_text(s, 0) : NULL;
		st_done(s);
		if (r != ST_ROW) {
			rc = st_fail(st, e, "reading tags");
			break;
		}
		if (!tag || strncmp(tag, p, plen) != 0) {
			free(tag);
			break;
		}
		add_name(out, tag);
		last = tag;
	}
	return rc;
}

int store_tag_in_use(struct store *st, const char *tag, bool *in_use, struct derr *e)
{
	*in_use = false;
	struct stmt *s = st_prep(st, "SELECT 1 FROM ticket_tags WHERE tag = ?1 LIMIT 1", e);
	if (!s)
		return derr_code(e);
	bind_text(s, 1, tag);
	int r = st_step(s);
	*in_use = r == ST_ROW;
	st_done(s);
	return r == ST_ROW || r == ST_DONE ? DESK_OK : st_fail(st, e, "reading tags");
}

int store_queue_names(struct store *st, int limit, struct name_list *out, struct derr *e)
{
	struct stmt *s = st_prep(st,
				  "SELECT DISTINCT queue FROM tickets"
				  " WHERE status IN ('new', 'open', 'pending', 'on_hold')"
				  " ORDER BY queue LIMIT ?1",
				  e);
	if (!s)
		return derr_code(e);
	bind_int(s, 1, limit);
	int r;
	while ((r = st_step(s)) == ST_ROW)
		add_name(out, col_text(s, 0));
	st_done(s);
	return r == ST_DONE ? DESK_OK : st_fail(st, e, "reading queues");
}
