/* agents.c: adding agents and changing their roles (admins only). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "core.h"
#include "util.h"

static int require_admin(struct desk *d, const char *what, struct derr *e)
{
	if (d->me.role == ROLE_ADMIN)
		return DESK_OK;
	return derr_set(e, DESK_EDENIED, "%s: only an admin may do that (you are %s, a%s %s)",
			what, d->me.login, d->me.role == ROLE_AGENT ? "n" : "",
			role_name(d->me.role));
}

/* A Unix login: what useradd accepts, roughly. */
static bool valid_login(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 32 || s[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!isalnum(c) && c != '_' && c != '-' && c != '.')
			return false;
	}
	return true;
}

int core_agent_event(struct desk *d, const char *login, const char *old_value,
		     enum role role, struct derr *e)
{
	char field[96];
	snprintf(field, sizeof field, "agent:%s", login);
	struct event ev = {
		.agent_id = d->me.id,
		.action = "agent",
		.field = field,
		.old_value = (char *)old_value,
		.new_value = (char *)role_name(role),
	};
	return store_event_insert(d->st, &ev, e);
}

int core_agent_add(struct desk *d, const char *login, const char *name, enum role role,
		   struct derr *e)
{
	int rc = require_admin(d, "adding an agent", e);
	if (rc)
		return rc;
	if (!valid_login(login))
		return derr_set(e, DESK_EINVAL,
				"\"%s\" is not a valid login (letters, digits, '.', '_', '-'; "
				"at most 32)",
				login);
	if ((rc = caps_check("--name", name, DESK_MAX_NAME, e)))
		return rc;
	if ((rc = store_begin(d->st, e)))
		return rc;
	struct agent a = {
		.login = (char *)login,
		.name = (char *)(str_empty(name) ? login : name),
		.role = role,
		.active = true,
	};
	if ((rc = store_agent_insert(d->st, &a, e)) ||
	    (rc = core_agent_event(d, login, NULL, role, e)) ||
	    (rc = store_agent_rights(d->st, login, role, true, e)) ||
	    (rc = store_commit(d->st, e))) {
		store_rollback(d->st);
		return rc;
	}
	return DESK_OK;
}

static int change_agent(struct desk *d, const char *login, int role, int active,
			struct derr *e)
{
	int rc = require_admin(d, "changing an agent", e);
	if (rc || (rc = store_begin(d->st, e)))
		return rc;
	struct agent a = {0};
	if ((rc = store_agent_by_login(d->st, login, &a, e)))
		goto fail;
	const char *old = a.active ? role_name(a.role) : "inactive";
	/* Setting what is already there changes nothing and logs nothing. */
	bool same = (role < 0 || (enum role)role == a.role) &&
		    (active < 0 || (active != 0) == a.active);
	if (role >= 0)
		a.role = (enum role)role;
	if (active >= 0)
		a.active = active;
	if (a.id == d->me.id && (a.role != ROLE_ADMIN || !a.active)) {
		rc = derr_set(e, DESK_EDENIED,
			      "you cannot demote or deactivate yourself; another admin can");
		goto fail;
	}
	if (same) {
		store_rollback(d->st);
		agent_free(&a);
		return DESK_OK;
	}
	char field[96];
	snprintf(field, sizeof field, "agent:%s", login);
	struct event ev = {
		.agent_id = d->me.id,
		.action = "agent",
		.field = field,
		.old_value = (char *)old,
		.new_value = (char *)(a.active ? role_name(a.role) : "inactive"),
	};
	if ((rc = store_agent_update(d->st, &a, e)) || (rc = store_event_insert(d->st, &ev, e)) ||
	    (rc = store_agent_rights(d->st, a.login, a.role, a.active, e)) ||
	    (rc = store_commit(d->st, e)))
		goto fail;
	agent_free(&a);
	return DESK_OK;
fail:
	store_rollback(d->st);
	agent_free(&a);
	return rc;
}

int core_agent_set_role(struct desk *d, const char *login, enum role role, struct derr *e)
{
	return change_agent(d, login, (int)role, -1, e);
}

int core_agent_set_active(struct desk *d, const char *login, bool active, struct derr *e)
{
	return change_agent(d, login, -1, active, e);
}
