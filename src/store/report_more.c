/* report_more.c: the parts of desk report's JSON that are lists rather
 * than figures: the period's survey comments and the knowledge base
 * articles its replies used, the same rows the text report prints
 * (SURVEY COMMENTS, KNOWLEDGE BASE), all of them. */
#include <stdlib.h>

#include "internal.h"
#include "util.h"

int store_report_lists_json(struct store *st, int64_t since, int64_t until, const char *doc,
			    char **out, struct derr *e)
{
	*out = NULL;
	struct stmt *s = st_prep(st,
		"SELECT json_set(?1,"
		" '$.survey_comments', (SELECT json_group_array(json_object("
		"   'ticket', ticket_id,"
		"   'answered_at', strftime('%Y-%m-%dT%H:%M:%SZ', answered_at, 'unixepoch'),"
		"   'kind', kind, 'score', score, 'comment', comment))"
		"  FROM (SELECT ticket_id, answered_at, kind, score, comment FROM surveys"
		"   WHERE answered_at >= ?2 AND answered_at < ?3"
		"   AND comment IS NOT NULL AND comment <> ''"
		"   ORDER BY answered_at, id)),"
		" '$.knowledge_base', (SELECT json_group_array(json_object("
		"   'slug', slug, 'title', title, 'uses', n))"
		"  FROM (SELECT u.slug, f.title, count(*) AS n FROM kb_uses u"
		"   LEFT JOIN kb_files f ON f.slug = u.slug"
		"   WHERE u.at >= ?2 AND u.at < ?3"
		"   GROUP BY u.slug ORDER BY n DESC, u.slug)))",
		e);
	if (!s)
		return derr_code(e);
	bind_text(s, 1, doc);
	bind_int(s, 2, since);
	bind_int(s, 3, until);
	int step = st_step(s);
	if (step == ST_ROW)
		*out = col_json(s, 0);
	st_done(s);
	return step == ST_ROW ? DESK_OK : st_fail(st, e, "writing the report's lists as JSON");
}
