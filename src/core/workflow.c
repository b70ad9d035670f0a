/* workflow.c: changing a ticket's fields under the workflow's rules,
 * each change with its audit event, all in one transaction. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "core.h"
#include "internal_core.h"
#include "sla.h"
#include "util.h"

int field_change_parse(const char *text, struct field_change *out, char *buf, size_t bufsize,
		       struct derr *e)
{
	static const struct {
		const char *name;
		enum field field;
	} names[] = {
		{"status", FIELD_STATUS},     {"priority", FIELD_PRIORITY},
		{"queue", FIELD_QUEUE},       {"assignee", FIELD_ASSIGNEE},
		{"subject", FIELD_SUBJECT},   {"tag+", FIELD_TAG_ADD},
		{"tag-", FIELD_TAG_REMOVE},   {"tags+", FIELD_TAG_ADD},
		{"tags-", FIELD_TAG_REMOVE},  {"until", FIELD_FOLLOW_UP},
	};
	const char *eq = strchr(text, '=');
	if (!eq)
		return derr_set(e, DESK_EUSAGE,
				"\"%s\": expected FIELD=VALUE (status, priority, queue, "
				"assignee, subject, until) or tag+=TAG / tag-=TAG",
				text);
	size_t klen = (size_t)(eq - text);
	if (klen + 1 > bufsize)
		return derr_set(e, DESK_EUSAGE, "\"%s\": unknown field", text);
	memcpy(buf, text, klen);
	buf[klen] = '\0';
	for (size_t i = 0; i < ARRAY_LEN(names); i++) {
		if (strcmp(buf, names[i].name) == 0) {
			out->field = names[i].field;
			out->value = eq + 1;
			return DESK_OK;
		}
	}
	return derr_set(e, DESK_EUSAGE,
			"\"%s\": unknown field \"%s\"; expected status, priority, queue, "
			"assignee, subject, until, tag+ or tag-",
			text, buf);
}

int core_event(struct desk *d, int64_t ticket_id, const char *action, const char *field,
	       const char *old_value, const char *new_value, struct derr *e)
{
	struct event ev = {
		.ticket_id = ticket_id,
		.agent_id = d->me.id,
		.at = time_now(),
		.action = (char *)action,
		.field = (char *)field,
		.old_value = (char *)old_value,
		.new_value = (char *)new_value,
		.change_id = d->change_id ? d->change_id : EVENT_NEW_CHANGE,
	};
	int rc = store_event_insert(d->st, &ev, e);
	if (rc == DESK_OK && !d->change_id) {
		d->change_id = ev.change_id;
		d->change_fresh = true;
	}
	return rc;
}

int core_begin(struct desk *d, struct derr *e)
{
	if (!d->change_hold)
		d->change_id = 0;
	d->change_fresh = false;
	return store_begin(d->st, e);
}

void core_end(struct desk *d, bool ok)
{
	/* A rolled-back event's id may be taken by another desk's next
	 * event: a change never goes on under it. */
	if (!ok && d->change_fresh)
		d->change_id = 0;
	d->change_fresh = false;
}

bool status_may_follow_up(enum status s)
{
	return s == ST_PENDING || s == ST_ON_HOLD;
}

/* The audit log keeps follow-up times as RFC 3339 UTC, NULL for none. */
static int follow_up_event(struct desk *d, struct ticket *t, int64_t to, struct derr *e)
{
	char old[32], new[32];
	if (t->follow_up_at == to)
		return DESK_OK;
	time_format_rfc3339(t->follow_up_at, old, sizeof old);
	time_format_rfc3339(to, new, sizeof new);
	int rc = core_event(d, t->id, "set", "follow_up", t->follow_up_at ? old : NULL,
			    to ? new : NULL, e);
	t->follow_up_at = to;
	return rc;
}

static int set_follow_up(struct desk *d, struct ticket *t, const char *value, struct derr *e)
{
	if (str_empty(value) || strcmp(value, "none") == 0)
		return follow_up_event(d, t, 0, e);
	int64_t now = time_now(), at;
	const char *why = when_parse(value, now, &at);
	if (why)
		return derr_set(e, DESK_EINVAL, "until \"%s\": %s", value, why);
	if (at <= now)
		return derr_set(e, DESK_EINVAL, "until \"%s\": that is not in the future", value);
	if (!status_may_follow_up(t->status))
		return derr_set(e, DESK_EINVAL,
				"until \"%s\": ticket %lld is %s; only a pending or on_hold "
				"ticket waits until a time (status=pending until=%s)",
				value, (long long)t->id, status_name(t->status), value);
	return follow_up_event(d, t, at, e);
}

int core_check_status(struct desk *d, const struct ticket *t, enum status to, struct derr *e)
{
	long long id = (long long)t->id;
	if (t->status == to)
		return DESK_OK;
	if (t->status == ST_CLOSED)
		return derr_set(e, DESK_EDENIED,
				"ticket %lld is closed, and closed is final; open a new ticket", id);
	if (to == ST_NEW)
		return derr_set(e, DESK_EDENIED, "ticket %lld cannot go back to new", id);
	if (to == ST_CLOSED && t->status != ST_SOLVED)
		return derr_set(e, DESK_EDENIED,
				"ticket %lld is %s; only a solved ticket can be closed", id,
				status_name(t->status));
	if (to == ST_SOLVED && !t->assignee_id && !(d->cfg && d->cfg->allow_solve_unassigned))
		return derr_set(e, DESK_EDENIED,
				"ticket %lld has no assignee; claim or assign it before solving "
				"(or set allow_solve_unassigned in the team's config)",
				id);
	return DESK_OK;
}

int core_change_status(struct desk *d, struct ticket *t, enum status to, struct derr *e)
{
	int rc = core_check_status(d, t, to, e);
	if (rc || t->status == to)
		return rc;
	int64_t now = time_now();
	enum status from = t->status;
	if (from == ST_SOLVED && to != ST_CLOSED) {
		t->reopens++;
		char old[16], new[16];
		snprintf(old, sizeof old, "%d", t->reopens - 1);
		snprintf(new, sizeof new, "%d", t->reopens);
		if ((rc = core_event(d, t->id, "reopen", "reopens", old, new, e)))
			return rc;
	}
	if (to == ST_SOLVED) {
		t->solved_at = now;
		if (!t->first_solved_at)
			t->first_solved_at = now;
	}
	if (to == ST_CLOSED)
		t->closed_at = now;
	/* pending stops the resolution clock; on_hold does not */
	sla_status_change(d->cfg, t, from, to, now);
	t->status = to;
	rc = core_event(d, t->id, "set", "status", status_name(from), status_name(to), e);
	/* Waiting is over once the ticket stops waiting: the follow-up goes
	 * with it, audited so that undo brings it back. */
	if (rc == DESK_OK && !status_may_follow_up(to))
		rc = follow_up_event(d, t, 0, e);
	return rc;
}

/* The old, looser rule for names: what a ticket may still hold. */
static bool valid_name(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (isspace((unsigned char)s[i]) || (unsigned char)s[i] < 0x20 || s[i] == ',')
			return false;
	return true;
}

static int set_assignee(struct desk *d, struct ticket *t, const char *login, struct derr *e)
{
	struct agent a = {0};
	int rc;
	if (!str_empty(login) && strcmp(login, "none") != 0) {
		if ((rc = store_agent_by_login(d->st, login, &a, e)))
			return rc == DESK_ENOTFOUND
				       ? derr_set(e, DESK_ENOTFOUND,
						  "no agent \"%s\" (desk agent list shows them)", login)
				       : rc;
		if (!a.active) {
			agent_free(&a);
			return derr_set(e, DESK_EDENIED, "agent %s is deactivated", login);
		}
	}
	/* Another agent's ticket changes hands only by a supervisor or an
	 * admin, unless the config trusts agents with it. */
	if (a.id != t->assignee_id && t->assignee_id && t->assignee_id != d->me.id &&
	    d->me.role == ROLE_AGENT && !(d->cfg && d->cfg->agents_may_reassign)) {
		agent_free(&a);
		return derr_set(e, DESK_EDENIED,
				"ticket %lld belongs to %s; only a supervisor or an admin can "
				"reassign it (or set agents_may_reassign in the team's config)",
				(long long)t->id, t->assignee_login ? t->assignee_login : "another agent");
	}
	if (a.id != t->assignee_id) {
		rc = core_event(d, t->id, "set", "assignee", t->assignee_login, a.login, e);
		if (rc == DESK_OK) {
			t->assignee_id = a.id;
			free(t->assignee_login);
			t->assignee_login = a.login;
			a.login = NULL;
		}
	} else {
		rc = DESK_OK;
	}
	agent_free(&a);
	return rc;
}

int core_change(struct desk *d, struct ticket *t, const struct field_change *c, struct derr *e)
{
	int v, rc;
	bool changed;
	switch (c->field) {
	case FIELD_STATUS:
		if ((v = status_from_name(c->value)) < 0)
			return derr_set(e, DESK_EINVAL,
					"status \"%s\": expected new, open, pending, on_hold, "
					"solved or closed",
					c->value);
		return core_change_status(d, t, (enum status)v, e);
	case FIELD_PRIORITY:
		if ((v = priority_from_name(c->value)) < 0)
			return derr_set(e, DESK_EINVAL,
					"priority \"%s\": expected low, normal, high or urgent",
					c->value);
		if ((enum priority)v == t->priority)
			return DESK_OK;
		rc = core_event(d, t->id, "set", "priority", priority_name(t->priority),
				priority_name((enum priority)v), e);
		t->priority = (enum priority)v;
		sla_apply(d->cfg, t);
		return rc;
	case FIELD_QUEUE:
		if (!label_is_valid(c->value))
			return derr_set(e, DESK_EINVAL, "queue \"%s\": expected a queue name: " LABEL_RULE,
					c->value);
		if (t->queue && strcmp(t->queue, c->value) == 0)
			return DESK_OK;
		if (!config_queue_allowed(d->cfg, c->value))
			return config_queue_refuse(d->cfg, c->value, e);
		rc = core_event(d, t->id, "set", "queue", t->queue, c->value, e);
		free(t->queue);
		t->queue = xstrdup(c->value);
		return rc;
	case FIELD_ASSIGNEE:
		return set_assignee(d, t, c->value, e);
	case FIELD_FOLLOW_UP:
		return set_follow_up(d, t, c->value, e);
	case FIELD_REQUIRE_STATUS:
		if (strcmp(status_name(t->status), c->value) != 0)
			return derr_set(e, DESK_ECONFLICT, "ticket %lld is %s now, no longer %s",
					(long long)t->id, status_name(t->status), c->value);
		return DESK_OK;
	case FIELD_SUBJECT: {
		if ((rc = caps_check("subject", c->value, DESK_MAX_SUBJECT, e)))
			return rc;
		char *s = str_trim(xstrdup(c->value));
		if (!*s) {
			free(s);
			return derr_set(e, DESK_EINVAL, "subject: must not be empty");
		}
		rc = strcmp(s, t->subject) ? core_event(d, t->id, "set", "subject", t->subject, s, e)
					   : DESK_OK;
		free(t->subject);
		t->subject = s;
		return rc;
	}
	case FIELD_TAG_ADD:
	case FIELD_TAG_REMOVE: {
		bool add = c->field == FIELD_TAG_ADD;
		/* A tag from before the rule can still be taken off. */
		if (add ? !label_is_valid(c->value) : !valid_name(c->value, 64))
			return derr_set(e, DESK_EINVAL, "tag \"%s\": expected a tag name: " LABEL_RULE,
					c->value);
		rc = add ? store_tag_add(d->st, t->id, c->value, &changed, e)
			 : store_tag_remove(d->st, t->id, c->value, &changed, e);
		if (rc || !changed)
			return rc;
		return core_event(d, t->id, "set", "tags", add ? NULL : c->value,
				  add ? c->value : NULL, e);
	}
	}
	return derr_set(e, DESK_EINVAL, "unknown field");
}

int core_load_for_change(struct desk *d, int64_t id, struct ticket *t, struct derr *e)
{
	int rc = store_ticket_get(d->st, id, t, e);
	if (rc)
		return rc;
	if (t->merged_into) {
		rc = derr_set(e, DESK_EDENIED, "ticket %lld was merged into ticket %lld",
			      (long long)id, (long long)t->merged_into);
		ticket_free(t);
	}
	return rc;
}

int core_save(struct desk *d, struct ticket *t, struct derr *e)
{
	t->updated_at = time_now();
	/* Every change may move a due time: priority, queue, status, a
	 * message, an edited policy.  Recomputed here, once per action. */
	int rc = sla_refresh(d, t, e);
	return rc ? rc : store_ticket_update(d->st, t, e);
}

int core_ticket_begin(struct desk *d, int64_t id, struct ticket *t, struct derr *e)
{
	int rc = core_begin(d, e);
	if (rc == DESK_OK && (rc = core_load_for_change(d, id, t, e))) {
		store_rollback(d->st);
		core_end(d, false);
	}
	return rc;
}

int core_ticket_finish(struct desk *d, struct ticket *t, int rc, bool save, struct derr *e)
{
	if (rc == DESK_OK && save)
		rc = core_save(d, t, e);
	if (rc == DESK_OK)
		rc = store_commit(d->st, e);
	else
		store_rollback(d->st);
	core_end(d, rc == DESK_OK);
	ticket_free(t);
	return rc;
}

int core_apply(struct desk *d, int64_t id, const struct field_change *ch, size_t n,
	       struct derr *e)
{
	struct ticket t;
	int rc = core_ticket_begin(d, id, &t, e);
	if (rc)
		return rc;
	for (size_t i = 0; i < n && rc == DESK_OK; i++)
		rc = core_change(d, &t, &ch[i], e);
	return core_ticket_finish(d, &t, rc, true, e);
}

int core_set_status(struct desk *d, int64_t id, enum status s, struct derr *e)
{
	struct field_change c = {FIELD_STATUS, status_name(s)};
	return core_apply(d, id, &c, 1, e);
}

int core_set_priority(struct desk *d, int64_t id, enum priority p, struct derr *e)
{
	struct field_change c = {FIELD_PRIORITY, priority_name(p)};
	return core_apply(d, id, &c, 1, e);
}

int core_set_queue(struct desk *d, int64_t id, const char *queue, struct derr *e)
{
	struct field_change c = {FIELD_QUEUE, queue};
	return core_apply(d, id, &c, 1, e);
}

int core_tag(struct desk *d, int64_t id, const char *tag, bool add, struct derr *e)
{
	struct field_change c = {add ? FIELD_TAG_ADD : FIELD_TAG_REMOVE, tag};
	return core_apply(d, id, &c, 1, e);
}

int core_assign(struct desk *d, int64_t id, const char *login, struct derr *e)
{
	struct field_change c = {FIELD_ASSIGNEE, login};
	return core_apply(d, id, &c, 1, e);
}

int core_unassign(struct desk *d, int64_t id, struct derr *e)
{
	return core_assign(d, id, "", e);
}

/* The check and the write happen inside one BEGIN IMMEDIATE
 * transaction, so of two agents claiming at once the second sees the
 * first's claim. */
int core_claim(struct desk *d, int64_t id, struct derr *e)
{
	struct ticket t;
	int rc = core_ticket_begin(d, id, &t, e);
	if (rc)
		return rc;
	bool claimed = false;
	if (t.assignee_id == d->me.id) {
		rc = DESK_OK;
	} else if (t.assignee_id) {
		rc = derr_set(e, DESK_ECONFLICT, "ticket %lld is already assigned to %s",
			      (long long)id, t.assignee_login ? t.assignee_login : "someone");
	} else if (t.status == ST_CLOSED) {
		rc = derr_set(e, DESK_EDENIED, "ticket %lld is closed", (long long)id);
	} else {
		rc = core_event(d, id, "claim", "assignee", NULL, d->me.login, e);
		t.assignee_id = d->me.id;
		claimed = true;
	}
	return core_ticket_finish(d, &t, rc, claimed, e);
}
