/* pgroles.c: bench-pg-roles, desk's rights on a PostgreSQL database that
 * `desk db copy` made.
 *
 *   bench-pg-roles --db CONNINFO
 *
 * desk init sets up desk's group roles, grants and row policies
 * (store_rights_setup) and gives its admin a login role; desk db copy
 * copies rows only, so on a copied database no agent's role may read a
 * table and `desk agent add` fails (desk_agent_role() is missing).  This
 * does, as the database's owner and in one transaction, what desk init
 * and desk agent add would have: the rights once, then every agent's
 * login role in the group of its desk role (made when missing; LOGIN
 * taken from the inactive).  bench/run.sh runs it on the PostgreSQL
 * data set, so that each writer connects as its own role, as an agent's
 * desk does. */
#include <getopt.h>
#include <stdio.h>

#include "store.h"
#include "util.h"

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{0},
	};
	const char *db = NULL;
	int o;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o != 'd')
			return 2;
		db = optarg;
	}
	if (!db || !database_is_server(db)) {
		fprintf(stderr, "usage: bench-pg-roles --db CONNINFO (a PostgreSQL database)\n");
		return 2;
	}
	struct store *st = NULL;
	struct derr e = {0};
	struct agent_list agents = {0};
	int rc = store_open(db, STORE_MUST_EXIST, &st, &e);
	if (rc == DESK_OK && (rc = store_agent_list(st, &agents, &e)) == DESK_OK &&
	    (rc = store_begin(st, &e)) == DESK_OK) {
		rc = store_rights_setup(st, &e);
		for (size_t i = 0; rc == DESK_OK && i < agents.n; i++)
			rc = store_agent_rights(st, agents.v[i].login, agents.v[i].role,
						agents.v[i].active, &e);
		rc = rc ? rc : store_commit(st, &e);
		if (rc)
			store_rollback(st);
	}
	if (rc == DESK_OK)
		printf("bench-pg-roles: rights set up, %zu agents' roles\n", agents.n);
	else
		fprintf(stderr, "bench-pg-roles: %s\n", e.msg);
	agent_list_free(&agents);
	if (st)
		store_close(&st);
	return rc ? 1 : 0;
}
