/* testlib_named.c: several databases in one test, each known by a
 * name ("a.db", "b.db"): on SQLite the file of that name in the test's
 * directory, on PostgreSQL ($DESK_TEST_PG) a fresh database made the
 * first time the name is asked for and the same one after, so a test
 * can open "d.db" again as another agent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "util.h"

struct named_db {
	char *dir, *name, *path;
	struct named_db *next;
};
static struct named_db *named;

char *test_db_named(const char *dir, const char *name)
{
	if (!test_db_on_pg())
		return xasprintf("%s/%s", dir, name);
	for (struct named_db *n = named; n; n = n->next)
		if (strcmp(n->dir, dir) == 0 && strcmp(n->name, name) == 0)
			return xstrdup(n->path);
	struct named_db *n = xcalloc(1, sizeof *n);
	n->dir = xstrdup(dir);
	n->name = xstrdup(name);
	n->path = test_db_path(dir);
	n->next = named;
	named = n;
	return xstrdup(n->path);
}

void test_db_named_drop(const char *dir)
{
	for (struct named_db **link = &named; *link;) {
		struct named_db *n = *link;
		if (strcmp(n->dir, dir) != 0) {
			link = &n->next;
			continue;
		}
		*link = n->next;
		test_db_drop(&n->path);
		free(n->dir);
		free(n->name);
		free(n);
	}
}
