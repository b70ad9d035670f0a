/* pg_roles.h: desk's roles as PostgreSQL rights (pg_roles_sql.c holds
 * the SQL, pg_roles.c runs it). */
#ifndef DESK_STORE_PG_ROLES_H
#define DESK_STORE_PG_ROLES_H

/* Run once by the database's owner at desk init, after the schema and
 * inside a transaction: the group roles desk_agent, desk_supervisor and
 * desk_admin (NOLOGIN, each a member of the next-weaker one, made once
 * per cluster), their grants table by table, the row policies, and
 * desk_agent_role(), which gives an agent's login role its group.  No
 * parameters. */
extern const char pg_roles_sql[];

#endif
