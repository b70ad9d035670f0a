/* pg_roles_sql.c: desk's roles as PostgreSQL rights, so that an agent
 * connected with psql under their own role cannot do what desk would
 * refuse them (issue 17).
 *
 * - Group roles desk_agent, desk_supervisor, desk_admin (NOLOGIN);
 *   desk_supervisor is a member of desk_agent and desk_admin of
 *   desk_supervisor, so each has the rights of the roles below it.  Roles
 *   belong to the cluster, not to a database: two desk databases on one
 *   server share them (their grants are each database's own).
 * - Every desk role reads every table (desk shows them all).  Writes are
 *   granted only where desk writes, table by table, and column by column
 *   where desk changes some columns only:
 *     agents    an agent: signature and seen_since, of their own row
 *               (row policy); admins add agents and change name, role and
 *               active.  Nobody but the owner changes login or id.
 *     events    INSERT only, for everyone: the audit trail is changed by
 *               nobody but the database's owner (its triggers refuse the
 *               owner too, unless the owner drops them).  A row policy
 *               keeps an agent from writing events in another's name.
 *     messages  INSERT of a message by oneself or by nobody (a customer's,
 *               a system message); UPDATE of the columns desk changes on a
 *               message after it was written (the merge moving it, mail
 *               marks, delivery state, held replies) and never its body,
 *               author, kind or time; DELETE of one's own queued reply
 *               only (unsending it).  Admins, who import history naming
 *               any author, are not held to the author rules; supervisors
 *               finish an import an admin started, so they may name any
 *               author too.
 *     drafts    each agent's own only (row policy), admins any.
 *     import_*  supervisors and admins (desk import resume, desk import).
 *   The row policies bind desk's roles only: the owner (who ran desk init)
 *   is not subject to them, and superusers never are.
 * - desk_me(): the agent id of the role this session logged in as
 *   (session_user, which SET ROLE does not change).
 * - desk_agent_role(login, role, active) is how desk agent add, role and
 *   remove reach the server: it runs as the owner (SECURITY DEFINER; only
 *   desk_admin may call it), makes the agent's login role when missing
 *   (LOGIN, no password: peer authentication, ~/.pgpass or a service
 *   file), moves it into the group of its desk role, and takes LOGIN away
 *   from a deactivated agent.  So only the owner needs CREATEROLE, and an
 *   admin cannot use it to become the owner. */
#include "pg_roles.h"

const char pg_roles_sql[] =
	/* The groups: made by the first desk database of the cluster. */
	"DO $$"
	"DECLARE g text;"
	"BEGIN"
	"  FOREACH g IN ARRAY ARRAY['desk_agent', 'desk_supervisor', 'desk_admin'] LOOP"
	"    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = g) THEN"
	"      BEGIN"
	"        EXECUTE format('CREATE ROLE %I NOLOGIN', g);"
	"      EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;"
	"      END;"
	"    END IF;"
	"  END LOOP;"
	"  IF NOT EXISTS (SELECT 1 FROM pg_auth_members WHERE roleid = 'desk_agent'::regrole"
	"      AND member = 'desk_supervisor'::regrole) THEN"
	"    GRANT desk_agent TO desk_supervisor;"
	"  END IF;"
	"  IF NOT EXISTS (SELECT 1 FROM pg_auth_members WHERE roleid = 'desk_supervisor'::regrole"
	"      AND member = 'desk_admin'::regrole) THEN"
	"    GRANT desk_supervisor TO desk_admin;"
	"  END IF;"
	"  EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA %I TO desk_agent',"
	"    current_schema());"
	"  EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO desk_agent',"
	"    current_schema());"
	"END $$;"
	/* An id given (the audit trail's next id, an import's, a copy's)
	 * moves the sequence past it with setval, which needs UPDATE on the
	 * sequence: the trigger does it as the owner, so nobody else may set
	 * a sequence where they like. */
	"ALTER FUNCTION desk_id_past() SECURITY DEFINER SET search_path = pg_catalog, pg_temp;"

	"GRANT INSERT ON events TO desk_agent;"
	"GRANT UPDATE (signature, seen_since) ON agents TO desk_agent;"
	"GRANT INSERT, UPDATE (name, role, active) ON agents TO desk_admin;"
	"GRANT INSERT, UPDATE ON tickets TO desk_agent;"
	"GRANT INSERT, DELETE ON ticket_tags TO desk_agent;"
	"GRANT INSERT, DELETE, UPDATE (ticket_id, merged_from, auto, mail_from, delivery,"
	"  delivery_error, sending_until, send_after) ON messages TO desk_agent;"
	"GRANT INSERT, UPDATE, DELETE ON customers, customer_emails TO desk_agent;"
	"GRANT INSERT, UPDATE ON survey_requests, surveys TO desk_agent;"
	"GRANT INSERT, UPDATE, DELETE ON presence, drafts, ticket_seen, consoles TO desk_agent;"
	"GRANT INSERT ON attachments, time_entries, kb_uses TO desk_agent;"
	/* The KB index follows the files; any console refreshes it. */
	"GRANT INSERT, UPDATE, DELETE ON kb_files, kb_fts TO desk_agent;"
	/* The search triggers write these as the one writing the row. */
	"GRANT INSERT, UPDATE ON ticket_fts, message_fts TO desk_agent;"
	"GRANT INSERT, UPDATE, DELETE ON import_runs, import_lines, import_merges"
	"  TO desk_supervisor;"
	/* An import replaces a ticket's history (store_ticket_clear). */
	"GRANT DELETE ON surveys, time_entries TO desk_admin;"

	"CREATE FUNCTION desk_me() RETURNS bigint LANGUAGE sql STABLE"
	"  RETURN (SELECT id FROM agents WHERE login = session_user);"

	"ALTER TABLE agents ENABLE ROW LEVEL SECURITY;"
	"CREATE POLICY agents_read ON agents FOR SELECT TO desk_agent USING (true);"
	"CREATE POLICY agents_own ON agents FOR UPDATE TO desk_agent"
	"  USING (login = session_user) WITH CHECK (login = session_user);"
	"CREATE POLICY agents_admin ON agents FOR ALL TO desk_admin"
	"  USING (true) WITH CHECK (true);"

	"ALTER TABLE events ENABLE ROW LEVEL SECURITY;"
	"CREATE POLICY events_read ON events FOR SELECT TO desk_agent USING (true);"
	"CREATE POLICY events_own ON events FOR INSERT TO desk_agent"
	"  WITH CHECK (agent_id IS NULL OR agent_id = desk_me());"
	"CREATE POLICY events_admin ON events FOR INSERT TO desk_admin WITH CHECK (true);"

	"ALTER TABLE messages ENABLE ROW LEVEL SECURITY;"
	"CREATE POLICY messages_read ON messages FOR SELECT TO desk_agent USING (true);"
	"CREATE POLICY messages_own ON messages FOR INSERT TO desk_agent"
	"  WITH CHECK (author_id IS NULL OR author_id = desk_me());"
	"CREATE POLICY messages_any_author ON messages FOR INSERT TO desk_supervisor"
	"  WITH CHECK (true);"
	/* The columns an agent may change are the grant's. */
	"CREATE POLICY messages_update ON messages FOR UPDATE TO desk_agent"
	"  USING (true) WITH CHECK (true);"
	"CREATE POLICY messages_unsend ON messages FOR DELETE TO desk_agent"
	"  USING (author_id = desk_me() AND kind = 'reply' AND delivery = 'queued');"
	"CREATE POLICY messages_admin ON messages FOR DELETE TO desk_admin USING (true);"

	"ALTER TABLE drafts ENABLE ROW LEVEL SECURITY;"
	"CREATE POLICY drafts_own ON drafts FOR ALL TO desk_agent"
	"  USING (agent_id = desk_me()) WITH CHECK (agent_id = desk_me());"
	"CREATE POLICY drafts_admin ON drafts FOR ALL TO desk_admin"
	"  USING (true) WITH CHECK (true);"

	"CREATE FUNCTION desk_agent_role(agent_login text, desk_role text, active boolean)"
	"  RETURNS void LANGUAGE plpgsql SECURITY DEFINER"
	"  SET search_path = pg_catalog, pg_temp AS $$"
	"DECLARE"
	"  grp text := 'desk_' || desk_role;"
	"  super boolean;"
	"  other text;"
	"BEGIN"
	"  IF desk_role IS NULL OR desk_role NOT IN ('agent', 'supervisor', 'admin') THEN"
	"    RAISE EXCEPTION 'desk role \"%\" is none of agent, supervisor, admin', desk_role"
	"      USING ERRCODE = 'check_violation';"
	"  END IF;"
	"  IF agent_login IS NULL"
	"      OR agent_login IN ('desk_agent', 'desk_supervisor', 'desk_admin') THEN"
	"    RAISE EXCEPTION 'login \"%\" is one of desk''s group roles', agent_login"
	"      USING ERRCODE = 'check_violation';"
	"  END IF;"
	"  SELECT rolsuper INTO super FROM pg_roles WHERE rolname = agent_login;"
	"  IF NOT FOUND THEN"
	"    BEGIN"
	"      EXECUTE format('CREATE ROLE %I LOGIN', agent_login);"
	"    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;"
	"    END;"
	"    super := false;"
	"  END IF;"
	/* Only the memberships that exist are revoked, and only a missing one
	 * granted: PostgreSQL warns of the others. */
	"  FOR other IN SELECT g.rolname FROM pg_auth_members m"
	"      JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member"
	"      WHERE u.rolname = agent_login AND g.rolname <> grp"
	"      AND g.rolname IN ('desk_agent', 'desk_supervisor', 'desk_admin') LOOP"
	"    EXECUTE format('REVOKE %I FROM %I', other, agent_login);"
	"  END LOOP;"
	"  IF NOT EXISTS (SELECT 1 FROM pg_auth_members m"
	"      JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member"
	"      WHERE u.rolname = agent_login AND g.rolname = grp) THEN"
	"    EXECUTE format('GRANT %I TO %I', grp, agent_login);"
	"  END IF;"
	/* A superuser's and the owner's own LOGIN are not desk's to take. */
	"  IF NOT super AND agent_login <> current_user THEN"
	"    EXECUTE format('ALTER ROLE %I %s', agent_login,"
	"      CASE WHEN active THEN 'LOGIN' ELSE 'NOLOGIN' END);"
	"  END IF;"
	"END $$;"
	"REVOKE ALL ON FUNCTION desk_agent_role(text, text, boolean) FROM PUBLIC;"
	"GRANT EXECUTE ON FUNCTION desk_agent_role(text, text, boolean) TO desk_admin;";
