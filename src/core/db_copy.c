/* db_copy.c: desk db copy FROM TO: moving a whole database between
 * SQLite and PostgreSQL (or to another SQLite file), table by table as
 * the store lists them, with a progress report after each page.
 *
 * It copies everything, every agent's drafts and the audit trail
 * included, so it asks for no role in the database: it runs with the
 * caller's own rights, desk's group dropped for good first, so it reads
 * only a database its caller may read anyway (an admin, the owner of
 * the file, a PostgreSQL role allowed to).  The copy adds no audit
 * event: the target holds the source's trail, unchanged. */
#include <string.h>

#include "core.h"
#include "priv.h"
#include "util.h"

struct page_arg {
	const struct db_copy_opts *o;
	struct db_copy_progress p;
};

static bool on_page(int64_t done, void *arg)
{
	struct page_arg *pa = arg;
	pa->p.done = done;
	return !pa->o || !pa->o->progress || pa->o->progress(&pa->p, pa->o->progress_arg);
}

static bool same_database(const char *from, const char *to)
{
	if (strcmp(from, to) == 0)
		return true;
	return !database_is_server(from) && !database_is_server(to) && path_same_file(from, to);
}

/* *started: the target's transaction was open, so a failure since
 * rolled rows back. */
static int copy_all(struct store *from, struct store *to, const struct db_copy_opts *o,
		    struct db_copy_result *r, bool *started, struct derr *e)
{
	struct store_copy *c;
	int rc = store_copy_begin(from, to, &c, e);
	if (rc)
		return rc;
	*started = true;
	for (size_t i = 0; rc == DESK_OK && i < store_copy_tables(); i++) {
		if (!store_copy_table_copied(i))
			continue;
		struct page_arg pa = {.o = o, .p = {.table = store_copy_table(i)}};
		rc = store_copy_count(c, i, &pa.p.total, e);
		if (rc == DESK_OK && !on_page(0, &pa))
			rc = derr_set(e, DESK_EINVAL, "stopped before %s", pa.p.table);
		if (rc == DESK_OK)
			rc = store_copy_rows(c, i, on_page, &pa, e);
		if (rc == DESK_OK) {
			r->rows += pa.p.done;
			r->tables++;
		}
	}
	if (rc) {
		store_copy_abandon(&c);
		return rc;
	}
	return store_copy_commit(&c, e);
}

int core_db_copy(const char *from, const char *to, const struct db_copy_opts *o,
		 struct db_copy_result *r, struct derr *e)
{
	*r = (struct db_copy_result){0};
	if (same_database(from, to))
		return derr_set(e, DESK_EINVAL, "%s: FROM and TO are the same database", to);
	int rc = priv_drop(e);
	if (rc)
		return rc;
	struct store *src = NULL, *dst = NULL;
	if ((rc = store_open(from, STORE_READONLY | STORE_MUST_EXIST, &src, e)))
		return rc;
	if ((rc = store_open(to, STORE_CREATE, &dst, e))) {
		store_close(&src);
		return rc;
	}
	bool started = false;
	rc = copy_all(src, dst, o, r, &started, e);
	if (rc && started) {
		/* Whatever broke (a lost server, a full disk, Ctrl-C), the
		 * target's one transaction went with it. */
		char why[sizeof e->msg];
		memcpy(why, e->msg, sizeof why);
		derr_set(e, rc, "%s; nothing was copied: %s holds no rows", why,
			 store_path(dst));
		*r = (struct db_copy_result){0};
	}
	store_close(&dst);
	store_close(&src);
	return rc;
}
