/* schema_check.c: a database holds desk's schema and nothing else.
 *
 * Anyone who could once write the file (an older group-writable set-up,
 * a restored copy) could have left a trigger that re-grants admin or
 * rewrites the audit trail whenever desk writes, or a view that hides
 * rows.  So before desk runs a statement that could fire one, it
 * compares the database's sqlite_schema (type, name, table, SQL) with a
 * reference the same migrations build in an in-memory database at the
 * same version: an object desk's migrations do not make, or one whose
 * SQL differs, is refused by name.
 *
 * Building the reference costs more than the rest of a CLI command
 * (ALTER TABLE makes SQLite re-parse the whole schema: ~40M
 * instructions), so a SHA-256 of the current version's reference is
 * compiled in (known_schema) and a database whose schema hashes to it
 * is accepted at once; anything else takes the full comparison.  The
 * constant only saves time: a stale one costs the slow path, never a
 * wrong answer, and the unit test "harden" says when to update it.
 *
 * The tables a virtual table makes for itself (FTS5's _data, _idx, ...)
 * are compared by name only: their SQL is FTS5's, and changes with the
 * SQLite version, not with desk.
 *
 * A missing object is refused too, except the FTS triggers: a bulk load
 * that died half-way leaves them dropped (bulkload.c), which loses
 * search results, not rules. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "internal.h"
#include "util.h"

/* Printed by the harden unit test when the migrations change. */
static const struct {
	int version;
	const char *sha256;
} known_schema = {21, "7b21abb6814bcc14786142091f036951866e654edaf08f0a2446705099ca9f33"};

struct schema_obj {
	char *type, *name, *tbl, *sql;
};

struct schema_list {
	struct schema_obj *v;
	size_t n, cap;
};

static void list_free(struct schema_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].type);
		free(l->v[i].name);
		free(l->v[i].tbl);
		free(l->v[i].sql);
	}
	free(l->v);
	memset(l, 0, sizeof *l);
}

/* ANALYZE's statistics tables (PRAGMA optimize makes them) steer only
 * the planner and cannot hold code. */
static const char list_sql[] =
	"SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_schema"
	" WHERE NOT (type = 'table' AND name IN"
	"  ('sqlite_stat1', 'sqlite_stat2', 'sqlite_stat3', 'sqlite_stat4'))"
	" ORDER BY type, name";

static char *lite_text(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return t ? xstrdup((const char *)t) : NULL;
}

static int read_list(struct store *st, struct schema_list *l, struct derr *e)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db, list_sql, -1, &s, NULL) != SQLITE_OK)
		return st_fail(st, e, "reading the schema");
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		xgrow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v);
		struct schema_obj *o = &l->v[l->n++];
		o->type = lite_text(s, 0);
		o->name = lite_text(s, 1);
		o->tbl = lite_text(s, 2);
		o->sql = lite_text(s, 3);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		list_free(l);
		return st_fail(st, e, "reading the schema");
	}
	return DESK_OK;
}

/* The reference for one version, built by the migrations themselves. */
static struct schema_list cached;
static int cached_version = -1;

static int reference(int version, const struct schema_list **out, struct derr *e)
{
	if (cached_version == version) {
		*out = &cached;
		return DESK_OK;
	}
	struct store *mem = NULL;
	int rc = store_open_memory(&mem, e);
	if (rc == DESK_OK && (rc = schema_create(mem, version, e)) == DESK_OK) {
		list_free(&cached);
		cached_version = -1;
		if ((rc = read_list(mem, &cached, e)) == DESK_OK)
			cached_version = version;
	}
	store_close(&mem);
	if (rc)
		return derr_set(e, rc, "internal error: building the reference schema: %s",
				e ? e->msg : "");
	*out = &cached;
	return DESK_OK;
}

/* A table a virtual table of the list made for itself (NAME_suffix). */
static bool shadow_table(const struct schema_list *l, const struct schema_obj *o)
{
	if (strcmp(o->type, "table") != 0)
		return false;
	for (size_t i = 0; i < l->n; i++) {
		const struct schema_obj *v = &l->v[i];
		size_t n = strlen(v->name);
		if (strcmp(v->type, "table") == 0 && strncmp(v->sql, "CREATE VIRTUAL TABLE", 20) == 0 &&
		    strncmp(o->name, v->name, n) == 0 && o->name[n] == '_')
			return true;
	}
	return false;
}

static char *fingerprint(const struct schema_list *l)
{
	GChecksum *ck = g_checksum_new(G_CHECKSUM_SHA256);
	for (size_t i = 0; i < l->n; i++) {
		const struct schema_obj *o = &l->v[i];
		const char *parts[] = {o->type, o->name, o->tbl, shadow_table(l, o) ? "" : o->sql};
		for (size_t k = 0; k < ARRAY_LEN(parts); k++)
			g_checksum_update(ck, (const guchar *)parts[k], (gssize)strlen(parts[k]) + 1);
	}
	char *out = xstrdup(g_checksum_get_string(ck));
	g_checksum_free(ck);
	return out;
}

bool schema_fast_path_known(const char *sha256)
{
	return known_schema.version == STORE_SCHEMA_VERSION && strcmp(known_schema.sha256, sha256) == 0;
}

char *schema_reference_fingerprint(struct derr *e)
{
	const struct schema_list *ref;
	return reference(STORE_SCHEMA_VERSION, &ref, e) ? NULL : fingerprint(ref);
}

static int cmp_obj(const struct schema_obj *a, const struct schema_obj *b)
{
	int c = strcmp(a->type, b->type);
	return c ? c : strcmp(a->name, b->name);
}

static bool fts_trigger(const struct schema_obj *o)
{
	return strcmp(o->type, "trigger") == 0 && strstr(o->sql, "_fts");
}

static int refuse(struct store *st, struct derr *e, const struct schema_obj *o, const char *what)
{
	return derr_set(e, DESK_ESCHEMA,
			"%s: %s %s \"%s\" %s; desk refuses to open a database whose schema was "
			"changed outside desk (see: sqlite3 '%s' .schema), until an admin "
			"restores it from a backup or removes what desk did not make",
			st->path, strcmp(what, "that desk did not make") == 0 ? "the database holds a"
									 : "desk's",
			o->type, o->name, what, st->path);
}

int schema_verify(struct store *st, int version, struct derr *e)
{
	struct schema_list have = {0};
	int rc = read_list(st, &have, e);
	if (rc)
		return rc;
	if (version == known_schema.version) {
		char *fp = fingerprint(&have);
		bool known = strcmp(fp, known_schema.sha256) == 0;
		free(fp);
		if (known) {
			list_free(&have);
			return DESK_OK;
		}
	}
	const struct schema_list *ref;
	if ((rc = reference(version, &ref, e))) {
		list_free(&have);
		return rc;
	}
	size_t i = 0, j = 0;
	while (rc == DESK_OK && (i < have.n || j < ref->n)) {
		int c = i == have.n ? 1 : j == ref->n ? -1 : cmp_obj(&have.v[i], &ref->v[j]);
		if (c < 0) {
			rc = refuse(st, e, &have.v[i], "that desk did not make");
		} else if (c > 0) {
			if (!fts_trigger(&ref->v[j]))
				rc = refuse(st, e, &ref->v[j], "is missing");
			j++;
		} else {
			if (strcmp(have.v[i].tbl, ref->v[j].tbl) != 0 ||
			    (strcmp(have.v[i].sql, ref->v[j].sql) != 0 &&
			     !shadow_table(&have, &have.v[i])))
				rc = refuse(st, e, &have.v[i], "was changed");
			i++;
			j++;
		}
	}
	list_free(&have);
	return rc;
}
