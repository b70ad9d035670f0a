/* customers.c: editing and merging customers.
 *
 * Any agent may correct a customer's details and addresses (the person
 * on the phone said so); merging two customers moves tickets between
 * people's histories, so it is a supervisor's or an admin's.  Every
 * change is one transaction with its audit events: on the customer
 * ("customer:ID.FIELD", no ticket) and, for a merge, on each ticket that
 * changed hands (action and field "customer", old id, new id).  These
 * are changes `u` does not take back (undo.c): a customer is corrected
 * by editing it again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "internal_core.h"
#include "mail.h"
#include "text.h"
#include "util.h"

int core_customer_find(struct desk *d, const char *spec, int64_t *id, struct derr *e)
{
	*id = 0;
	if (str_empty(spec))
		return derr_set(e, DESK_EINVAL, "expected a customer: a number or an address");
	const char *digits = spec[0] == '#' ? spec + 1 : spec;
	char *end;
	long long n = strtoll(digits, &end, 10);
	if (*digits && !*end && n > 0) {
		struct customer c;
		int rc = store_customer_get(d->st, n, &c, e);
		if (rc == DESK_OK) {
			*id = c.id;
			customer_free(&c);
		}
		return rc;
	}
	int rc = store_customer_email_owner(d->st, spec, id, e);
	if (rc == DESK_OK && !*id) {
		char *safe = text_sanitize(spec, 0);
		rc = derr_set(e, DESK_ENOTFOUND, "no customer with the address %s", safe);
		free(safe);
	}
	return rc;
}

static int event(struct desk *d, int64_t id, const char *action, const char *field,
		 const char *old_value, const char *new_value, struct derr *e)
{
	char name[64];
	snprintf(name, sizeof name, "customer:%lld%s%s", (long long)id, field ? "." : "",
		 field ? field : "");
	return core_event(d, 0, action, name, old_value, new_value, e);
}

/* One text field: NULL leaves it, "" clears it (a name cannot be
 * cleared: it becomes ""), anything else is checked against the cap. */
static int set_field(struct desk *d, int64_t id, const char *what, char **field,
		     const char *value, size_t max, struct derr *e)
{
	if (!value)
		return DESK_OK;
	int rc = caps_check(what, value, max, e);
	if (rc)
		return rc;
	if (strchr(value, '\n') && strcmp(what, "notes") != 0)
		return derr_set(e, DESK_EINVAL, "%s: one line only", what);
	const char *old = *field ? *field : "";
	if (strcmp(old, value) == 0)
		return DESK_OK;
	if ((rc = event(d, id, "set", what, old, value, e)))
		return rc;
	free(*field);
	*field = *value || strcmp(what, "name") == 0 ? xstrdup(value) : NULL;
	return DESK_OK;
}

/* An address that can be this customer's: valid, and nobody else's. */
static int check_address(struct desk *d, int64_t id, const char *email, bool *theirs,
			 struct derr *e)
{
	*theirs = false;
	if (!mail_addr_valid(email)) {
		char *safe = text_sanitize(email, 0);
		int rc = derr_set(e, DESK_EINVAL,
				  "\"%s\" is not an address desk can write to (like "
				  "name@example.com)",
				  safe);
		free(safe);
		return rc;
	}
	int64_t owner = 0;
	int rc = store_customer_email_owner(d->st, email, &owner, e);
	if (rc)
		return rc;
	if (owner && owner != id)
		return derr_set(e, DESK_ECONFLICT,
				"%s is customer #%lld's address; to make them one customer: "
				"desk customer merge %lld %lld",
				email, (long long)owner, (long long)owner, (long long)id);
	*theirs = owner == id;
	return DESK_OK;
}

static int add_address(struct desk *d, int64_t id, const char *email, struct derr *e)
{
	bool theirs;
	int rc = check_address(d, id, email, &theirs, e);
	if (rc || theirs)
		return rc;
	if ((rc = store_customer_email_add(d->st, id, email, e)))
		return rc;
	return event(d, id, "add", "email", NULL, email, e);
}

static int remove_address(struct desk *d, struct customer *c, const char *email,
			  struct derr *e)
{
	int64_t owner = 0;
	int rc = store_customer_email_owner(d->st, email, &owner, e);
	if (rc)
		return rc;
	if (owner != c->id) {
		char *safe = text_sanitize(email, 0);
		rc = derr_set(e, DESK_ENOTFOUND, "%s is not an address of customer #%lld", safe,
			      (long long)c->id);
		free(safe);
		return rc;
	}
	if (c->email && strcasecmp(c->email, email) == 0)
		return derr_set(e, DESK_EINVAL,
				"%s is where replies go; make another address the main one "
				"first (--email)",
				email);
	if ((rc = store_customer_email_remove(d->st, c->id, email, e)))
		return rc;
	return event(d, c->id, "remove", "email", email, NULL, e);
}

static int edit_locked(struct desk *d, struct customer *c, const struct customer_edit *ed,
		       struct derr *e)
{
	int rc;
	if ((rc = set_field(d, c->id, "name", &c->name, ed->name, DESK_MAX_NAME, e)) ||
	    (rc = set_field(d, c->id, "phone", &c->phone, ed->phone, DESK_MAX_NAME, e)) ||
	    (rc = set_field(d, c->id, "organization", &c->organization, ed->organization,
			    DESK_MAX_NAME, e)) ||
	    (rc = set_field(d, c->id, "tier", &c->tier, ed->tier, DESK_MAX_NAME, e)) ||
	    (rc = set_field(d, c->id, "notes", &c->notes, ed->notes, DESK_MAX_BODY, e)))
		return rc;
	for (size_t i = 0; i < ed->nadd; i++)
		if ((rc = add_address(d, c->id, ed->add[i], e)))
			return rc;
	if (ed->email && !(c->email && strcasecmp(c->email, ed->email) == 0)) {
		bool theirs;
		if ((rc = check_address(d, c->id, ed->email, &theirs, e)))
			return rc;
		/* The old main address stays theirs; the trigger adds the new. */
		if ((rc = event(d, c->id, "set", "email", c->email, ed->email, e)))
			return rc;
		free(c->email);
		c->email = xstrdup(ed->email);
	}
	if ((rc = store_customer_update(d->st, c, e)))
		return rc;
	for (size_t i = 0; i < ed->nremove; i++)
		if ((rc = remove_address(d, c, ed->remove[i], e)))
			return rc;
	return DESK_OK;
}

/* Ends a change begun with core_begin: commits it, or rolls it back. */
static int finish(struct desk *d, int rc, struct derr *e)
{
	if (rc == DESK_OK)
		rc = store_commit(d->st, e);
	else
		store_rollback(d->st);
	core_end(d, rc == DESK_OK);
	return rc;
}

int core_customer_edit(struct desk *d, int64_t id, const struct customer_edit *ed,
		       struct derr *e)
{
	int rc = core_begin(d, e);
	if (rc) {
		core_end(d, false);
		return rc;
	}
	struct customer c = {0};
	if ((rc = store_customer_get(d->st, id, &c, e)) == DESK_OK)
		rc = edit_locked(d, &c, ed, e);
	customer_free(&c);
	return finish(d, rc, e);
}

/* Joins two notes, each kept whole. */
static char *both_notes(const char *a, const char *b)
{
	if (str_empty(a))
		return str_empty(b) ? NULL : xstrdup(b);
	if (str_empty(b))
		return xstrdup(a);
	return xasprintf("%s\n\n%s", a, b);
}

static int merge_locked(struct desk *d, struct customer *from, struct customer *into,
			struct derr *e)
{
	struct ticket_list tl = {0};
	int rc = store_customer_tickets(d->st, from->id, -1, &tl, e);
	char old_id[24], new_id[24];
	snprintf(old_id, sizeof old_id, "%lld", (long long)from->id);
	snprintf(new_id, sizeof new_id, "%lld", (long long)into->id);
	for (size_t i = 0; rc == DESK_OK && i < tl.n; i++)
		rc = core_event(d, tl.v[i].id, "customer", "customer", old_id, new_id, e);
	ticket_list_free(&tl);
	/* What into lacks, from gives; into's own details win. */
	char **fields[] = {&into->phone, &into->organization, &into->tier};
	char *const given[] = {from->phone, from->organization, from->tier};
	for (size_t i = 0; i < ARRAY_LEN(fields) && rc == DESK_OK; i++)
		if (str_empty(*fields[i]) && !str_empty(given[i])) {
			free(*fields[i]);
			*fields[i] = xstrdup(given[i]);
		}
	if (rc == DESK_OK && str_empty(into->name) && !str_empty(from->name)) {
		free(into->name);
		into->name = xstrdup(from->name);
	}
	char *notes = both_notes(into->notes, from->notes);
	free(into->notes);
	into->notes = notes;
	if (rc == DESK_OK && !into->email && from->email)
		into->email = xstrdup(from->email);
	char *from_desc = xasprintf("#%lld %s", (long long)from->id,
				    from->email ? from->email : from->name ? from->name : "");
	if (rc == DESK_OK)
		rc = store_customer_move(d->st, from->id, into->id, e);
	if (rc == DESK_OK)
		rc = store_customer_update(d->st, into, e);
	if (rc == DESK_OK)
		rc = event(d, into->id, "merge", NULL, from_desc, new_id, e);
	free(from_desc);
	return rc;
}

int core_customer_merge(struct desk *d, int64_t from, int64_t into, struct derr *e)
{
	if (d->me.role == ROLE_AGENT)
		return derr_set(e, DESK_EDENIED,
				"merging customers is for supervisors and admins; %s is an agent",
				d->me.login);
	if (from == into)
		return derr_set(e, DESK_EINVAL, "customer #%lld is already itself",
				(long long)from);
	int rc = core_begin(d, e);
	if (rc) {
		core_end(d, false);
		return rc;
	}
	struct customer a = {0}, b = {0};
	if ((rc = store_customer_get(d->st, from, &a, e)) == DESK_OK &&
	    (rc = store_customer_get(d->st, into, &b, e)) == DESK_OK)
		rc = merge_locked(d, &a, &b, e);
	customer_free(&a);
	customer_free(&b);
	return finish(d, rc, e);
}
