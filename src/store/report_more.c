/* report_more.c: the parts of desk report's JSON that are lists rather
 * than figures: the period's survey comments and the knowledge base
 * articles its replies used, the same rows the text report prints
 * (SURVEY COMMENTS, KNOWLEDGE BASE), all of them.  SQLite's json
 * functions write them on both engines (metrics_pass.h), so the lists
 * read the same byte for byte. */
#include <stdlib.h>

#include "internal.h"
#include "report_json.h"
#include "util.h"

#define COMMENT_JSON(ticket, at, kind, score, comment)                               \
	"json_object('ticket', " ticket ", 'answered_at', " ISO(at) ", 'kind', " kind \
	", 'score', " score ", 'comment', " comment ")"
#define KB_USE_JSON(slug, title, n) "json_object('slug', " slug ", 'title', " title ", 'uses', " n ")"

/* The rows, oldest first and most used first; ?A and ?B the period. */
#define COMMENT_ROWS(a, b)                                                  \
	"SELECT ticket_id, answered_at, kind, score, comment FROM surveys"   \
	" WHERE answered_at >= " a " AND answered_at < " b                   \
	" AND comment IS NOT NULL AND comment <> '' ORDER BY answered_at, id"
/* by: the group (SQLite takes the title of the one kb_files row of a
 * slug as it is; PostgreSQL groups by it) and the slugs' order, byte
 * by byte on both. */
#define KB_ROWS(a, b, by, slug_order)                                         \
	"SELECT u.slug, f.title, count(*) AS n FROM kb_uses u"                 \
	" LEFT JOIN kb_files f ON f.slug = u.slug WHERE u.at >= " a            \
	" AND u.at < " b " GROUP BY " by " ORDER BY n DESC, " slug_order

static int lists_sqlite(struct store *st, int64_t since, int64_t until, const char *doc,
			char **out, struct derr *e)
{
	struct stmt *s = st_prep(st,
		"SELECT json_set(?1,"
		" '$.survey_comments', (SELECT json_group_array("
		COMMENT_JSON("ticket_id", "answered_at", "kind", "score", "comment") ")"
		"  FROM (" COMMENT_ROWS("?2", "?3") ")),"
		" '$.knowledge_base', (SELECT json_group_array(" KB_USE_JSON("slug", "title", "n") ")"
		"  FROM (" KB_ROWS("?2", "?3", "u.slug", "u.slug") ")))",
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

/* The rows read from PostgreSQL, each written by SQLite as above. */
static int lists_pg(struct store *st, int64_t since, int64_t until, const char *doc,
		    char **out, struct derr *e)
{
	char *comments = NULL, *kb = NULL;
	struct stmt *s = st_prep(st, COMMENT_ROWS("?1", "?2"), e);
	int rc = s ? DESK_OK : derr_code(e);
	if (rc == DESK_OK) {
		bind_int(s, 1, since);
		bind_int(s, 2, until);
		rc = report_json_array(st, s, "iitit",
				       "SELECT " COMMENT_JSON("?1", "?2", "?3", "?4", "?5"), 0,
				       &comments, e);
	}
	if (rc == DESK_OK) {
		s = st_prep(st, KB_ROWS("?1", "?2", "u.slug, f.title", "u.slug COLLATE \"C\""), e);
		rc = s ? DESK_OK : derr_code(e);
	}
	if (rc == DESK_OK) {
		bind_int(s, 1, since);
		bind_int(s, 2, until);
		rc = report_json_array(st, s, "tti", "SELECT " KB_USE_JSON("?1", "?2", "?3"), 0, &kb,
				       e);
	}
	struct store *js = NULL;
	if (rc == DESK_OK)
		rc = report_json_store(st, &js, e);
	if (rc == DESK_OK) {
		s = st_prep(js,
			    "SELECT json_set(?1, '$.survey_comments', json(?2),"
			    " '$.knowledge_base', json(?3))",
			    e);
		rc = s ? DESK_OK : derr_code(e);
		if (rc == DESK_OK) {
			bind_text(s, 1, doc);
			bind_text(s, 2, comments);
			bind_text(s, 3, kb);
			int step = st_step(s);
			if (step == ST_ROW)
				*out = col_json(s, 0);
			st_done(s);
			if (step != ST_ROW)
				rc = st_fail(js, e, "writing the report's lists as JSON");
		}
		report_json_store_done(st, &js);
	}
	free(comments);
	free(kb);
	return rc;
}

int store_report_lists_json(struct store *st, int64_t since, int64_t until, const char *doc,
			    char **out, struct derr *e)
{
	*out = NULL;
	return st_engine(st) == ENGINE_SQLITE ? lists_sqlite(st, since, until, doc, out, e)
					      : lists_pg(st, since, until, doc, out, e);
}
