/* undo.c: `u`, taking back the acting agent's latest change.
 *
 * A change is what one action of the agent wrote: its events share one
 * change_id (internal_core.h core_begin).  Undoing it reads those events
 * and writes the old values back, each with an "undo" event, plus one
 * "undo change ID" event per ticket that names the change undone: that
 * is how a change is known to be undone, and the undo is a change of its
 * own (an undo of an undo is not a redo: `u` again goes one change
 * further back).
 *
 * Nothing is undone on a ticket that anyone changed since (another agent,
 * a customer's message, a change of ours not undone yet), nor on one that
 * is not as the change left it; the refusal says who did what and when.
 * A ticket is undone whole or not at all: one change of one ticket, or a
 * merge's two, in one transaction; a bulk change ticket by ticket like
 * core_bulk_apply, reporting the tickets that could not be undone. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "internal_core.h"
#include "sla.h"
#include "util.h"

void undo_result_free(struct undo_result *r)
{
	free(r->failed);
	memset(r, 0, sizeof *r);
}

static bool eq(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

static bool is(const struct event *ev, const char *action, const char *field)
{
	return eq(ev->action, action) && (!field || eq(ev->field, field));
}

/* A file sent with a reply ("attach") and a reply's knowledge base
 * article (post.c) are written with it and part of it, never a change
 * of their own. */
static bool is_message(const struct event *ev)
{
	return is(ev, "reply", "message") || is(ev, "note", "message") ||
	       is(ev, "attach", "message") || is(ev, "reply", "kb_article");
}

static bool is_field_change(const struct event *ev)
{
	return is(ev, "set", NULL) || is(ev, "claim", NULL) || is(ev, "merge", NULL) ||
	       is(ev, "reopen", NULL);
}

/* The changes an "undo change" event names. */
struct id_set {
	int64_t *v;
	size_t n, cap;
};

static void id_add(struct id_set *s, int64_t id)
{
	xgrow((void **)&s->v, &s->cap, s->n + 1, sizeof *s->v);
	s->v[s->n++] = id;
}

static bool id_has(const struct id_set *s, int64_t id)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i] == id)
			return true;
	return false;
}

static int64_t undone_id(const struct event *ev)
{
	return is(ev, "undo", "change") && ev->new_value ? strtoll(ev->new_value, NULL, 10) : 0;
}

/* --- finding the latest change ----------------------------------------- */

/* The walk sees the agent's events newest first.  Within a change, the
 * field changes seen before its reply or note (written after it) are the
 * ones asked for; those written before it came with the message (a
 * reply opens a new ticket) and are not undone on their own.  What the
 * agent did not choose (a customer's message they stored, reopening the
 * ticket; a ticket made; mail taken in) is not a change to undo, and
 * neither is a change of a customer's or an agent's record (events of
 * no ticket; a customer is corrected by editing it again). */
struct finder {
	struct id_set undone; /* undo events come after what they undo */
	int64_t change;       /* the change being read */
	bool asked, message, an_undo, not_agents;
	int64_t found;
};

static bool finder_settle(struct finder *f)
{
	if (f->change && !f->an_undo && !f->not_agents && f->asked &&
	    !id_has(&f->undone, f->change))
		f->found = f->change;
	return f->found != 0;
}

static int finder_step(void *ctx, const struct event *ev)
{
	struct finder *f = ctx;
	if (ev->change_id != f->change) {
		if (finder_settle(f))
			return 1;
		f->change = ev->change_id;
		f->asked = f->message = f->an_undo = f->not_agents = false;
	}
	int64_t u = undone_id(ev);
	if (u)
		id_add(&f->undone, u);
	if (!ev->ticket_id)
		f->not_agents = true; /* a customer's or an agent's record, not a ticket */
	else if (is(ev, "undo", NULL) || is(ev, "unsend", NULL))
		f->an_undo = true;
	else if (is(ev, "time", NULL))
		; /* time spent, logged with a reply or alone: not a change to undo */
	else if (is_message(ev))
		f->message = true;
	else if (is_field_change(ev) && !f->message)
		f->asked = true;
	else if (!is_field_change(ev))
		f->not_agents = true; /* a customer's message stored, a ticket made, ... */
	return 0;
}

static int latest_change(struct desk *d, int64_t *change, struct derr *e)
{
	struct finder f = {0};
	int rc = store_changes_walk(d->st, d->me.id, finder_step, &f, e);
	if (rc == DESK_OK && !f.found)
		finder_settle(&f);
	free(f.undone.v);
	*change = f.found;
	if (rc == DESK_OK && !f.found)
		rc = derr_set(e, DESK_ENOTFOUND, "nothing to undo: you have no change left to take back");
	return rc;
}

/* --- what was changed since -------------------------------------------- */

static void describe(const struct event *ev, const struct desk *d, char *buf, size_t size)
{
	char when[32];
	time_format_local(ev->at, when, sizeof when);
	const char *who = ev->agent_id == d->me.id ? "you" : ev->agent_login ? ev->agent_login
									  : "desk";
	if (is(ev, "customer", NULL))
		snprintf(buf, size, "the customer wrote at %s", when);
	else if (eq(ev->field, "tags"))
		snprintf(buf, size, "%s %s tag %s at %s", who, ev->new_value ? "added" : "removed",
			 ev->new_value ? ev->new_value : ev->old_value ? ev->old_value : "?", when);
	else if (is(ev, "set", "subject") || is(ev, "undo", "subject"))
		snprintf(buf, size, "%s changed the subject at %s", who, when);
	else if (ev->field && (is(ev, "set", NULL) || is(ev, "claim", NULL) || is(ev, "undo", NULL)))
		snprintf(buf, size, "%s %s %s %s -> %s at %s", who,
			 is(ev, "undo", NULL) ? "undid" : "set", ev->field,
			 ev->old_value ? ev->old_value : "none", ev->new_value ? ev->new_value : "none",
			 when);
	else
		snprintf(buf, size, "%s: %s%s%s at %s", who, ev->action ? ev->action : "change",
			 ev->field ? " " : "", ev->field ? ev->field : "", when);
}

/* The first event after `after` on the ticket that changed it: anyone
 * else's, a customer's, or one of ours that is not undone and not a
 * message's own (a reply, a note, their mail). */
static int changed_since(struct desk *d, int64_t ticket, int64_t after, char *why, size_t size,
			 bool *changed, struct derr *e)
{
	struct event_list l = {0};
	*changed = false;
	int rc = store_events_after(d->st, ticket, after, &l, e);
	struct id_set undone = {0};
	for (size_t i = 0; rc == DESK_OK && i < l.n; i++)
		if (l.v[i].agent_id == d->me.id && undone_id(&l.v[i]))
			id_add(&undone, undone_id(&l.v[i]));
	for (size_t i = 0; rc == DESK_OK && i < l.n && !*changed; i++) {
		const struct event *ev = &l.v[i];
		/* Mail going out and time spent on the ticket change nothing of it. */
		if (is(ev, "mail-sent", NULL) || is(ev, "mail-failed", NULL) || is(ev, "time", NULL))
			continue;
		if (ev->agent_id == d->me.id) {
			if (is_message(ev) || is(ev, "undo", NULL) || is(ev, "unsend", NULL))
				continue;
			if (is_field_change(ev) && id_has(&undone, ev->change_id))
				continue;
			bool with_message = false; /* before its own reply or note */
			for (size_t j = i + 1; j < l.n && is_field_change(ev); j++)
				if (l.v[j].change_id == ev->change_id && is_message(&l.v[j]))
					with_message = true;
			if (with_message)
				continue;
		}
		*changed = true;
		char what[200];
		describe(ev, d, what, sizeof what);
		snprintf(why, size, "ticket %lld changed since your change (%s)", (long long)ticket,
			 what);
	}
	free(undone.v);
	event_list_free(&l);
	return rc;
}

/* --- undoing one ticket ------------------------------------------------ */

/* The change's events on one ticket, and where it stands. */
struct part {
	int64_t ticket;
	const struct event **ev; /* the change's events on it, in order */
	size_t n, cap;
};

/* What the ticket must still look like for the change to be undone. */
static bool still_as_left(const struct ticket *t, const struct event *ev, char *why, size_t size)
{
	const char *now = NULL;
	bool ok = true;
	if (!ev->field || is(ev, "reopen", NULL) || is(ev, "merge", "merged_from"))
		return true;
	if (strcmp(ev->field, "status") == 0)
		ok = eq(now = status_name(t->status), ev->new_value);
	else if (strcmp(ev->field, "priority") == 0)
		ok = eq(now = priority_name(t->priority), ev->new_value);
	else if (strcmp(ev->field, "queue") == 0)
		ok = eq(now = t->queue, ev->new_value);
	else if (strcmp(ev->field, "assignee") == 0)
		ok = eq(now = t->assignee_login, ev->new_value);
	else if (strcmp(ev->field, "subject") == 0)
		ok = eq(t->subject, ev->new_value), now = "another subject";
	else if (strcmp(ev->field, "follow_up") == 0) {
		int64_t want = 0;
		if (ev->new_value && !time_parse_rfc3339(ev->new_value, &want))
			want = -1;
		ok = t->follow_up_at == want, now = "another time";
	} else if (strcmp(ev->field, "merged_into") == 0)
		ok = t->merged_into && t->merged_into == strtoll(ev->new_value ? ev->new_value : "0",
								  NULL, 10),
		now = "not merged";
	else if (strcmp(ev->field, "tags") == 0) {
		const char *tag = ev->new_value ? ev->new_value : ev->old_value;
		bool has = false;
		for (size_t i = 0; tag && i < t->ntags; i++)
			has = has || strcmp(t->tags[i], tag) == 0;
		ok = has == (ev->new_value != NULL);
		now = has ? "tagged" : "not tagged";
	}
	if (!ok)
		snprintf(why, size, "ticket %lld is no longer as your change left it (%s is %s)",
			 (long long)t->id, ev->field, now ? now : "none");
	return ok;
}

static const char *tag_of(const struct event *ev)
{
	return ev->new_value ? ev->new_value : ev->old_value;
}

/* Whether a later event of the change set the same field (or tag) again:
 * only the last one says what the change left. */
static bool superseded(const struct part *p, size_t j)
{
	const struct event *ev = p->ev[j];
	for (size_t k = j + 1; k < p->n; k++)
		if (eq(p->ev[k]->field, ev->field) &&
		    (!eq(ev->field, "tags") || eq(tag_of(p->ev[k]), tag_of(ev))))
			return true;
	return false;
}

static int undo_event(struct desk *d, struct ticket *t, const char *field, const char *was,
		      const char *back, struct derr *e)
{
	return core_event(d, t->id, "undo", field, was, back, e);
}

static int system_note(struct desk *d, int64_t ticket, const char *text, struct derr *e)
{
	struct message m = {.ticket_id = ticket, .kind = MSG_SYSTEM, .author_id = d->me.id,
			    .body = (char *)text, .created_at = time_now()};
	return store_message_insert(d->st, &m, e);
}

/* Puts back the value one event replaced. */
static int reverse(struct desk *d, struct ticket *t, const struct event *ev, struct derr *e)
{
	const char *f = ev->field ? ev->field : "";
	int rc = DESK_OK;
	if (is(ev, "reopen", NULL)) {
		t->reopens = ev->old_value ? atoi(ev->old_value) : 0;
		return undo_event(d, t, f, ev->new_value, ev->old_value, e);
	}
	if (strcmp(f, "status") == 0) {
		int to = status_from_name(ev->old_value ? ev->old_value : "");
		if (to < 0)
			return derr_set(e, DESK_EINVAL, "ticket %lld: unknown status \"%s\" in the audit log",
					(long long)t->id, ev->old_value ? ev->old_value : "");
		enum status from = t->status;
		if (from == ST_SOLVED) {
			if ((rc = store_last_solved_before(d->st, t->id, ev->id, &t->solved_at, e)))
				return rc;
			if (!t->solved_at)
				t->first_solved_at = 0;
		}
		if (from == ST_CLOSED)
			t->closed_at = 0;
		sla_status_change(d->cfg, t, from, (enum status)to, time_now());
		t->status = (enum status)to;
		return undo_event(d, t, f, status_name(from), status_name(t->status), e);
	}
	if (strcmp(f, "priority") == 0) {
		int p = priority_from_name(ev->old_value ? ev->old_value : "");
		if (p < 0)
			return derr_set(e, DESK_EINVAL, "ticket %lld: unknown priority in the audit log",
					(long long)t->id);
		rc = undo_event(d, t, f, priority_name(t->priority), ev->old_value, e);
		t->priority = (enum priority)p;
		sla_apply(d->cfg, t);
		return rc;
	}
	if (strcmp(f, "queue") == 0 || strcmp(f, "subject") == 0) {
		char **slot = f[0] == 'q' ? &t->queue : &t->subject;
		if (!ev->old_value)
			return derr_set(e, DESK_EINVAL, "ticket %lld: no earlier %s in the audit log",
					(long long)t->id, f);
		rc = undo_event(d, t, f, *slot, ev->old_value, e);
		free(*slot);
		*slot = xstrdup(ev->old_value);
		return rc;
	}
	if (strcmp(f, "follow_up") == 0) {
		int64_t was = 0;
		if (ev->old_value && !time_parse_rfc3339(ev->old_value, &was))
			return derr_set(e, DESK_EINVAL, "ticket %lld: bad follow-up time in the audit log",
					(long long)t->id);
		rc = undo_event(d, t, f, ev->new_value, ev->old_value, e);
		t->follow_up_at = was;
		return rc;
	}
	if (strcmp(f, "assignee") == 0) {
		struct agent a = {0};
		if (!str_empty(ev->old_value) &&
		    (rc = store_agent_by_login(d->st, ev->old_value, &a, e)))
			return rc;
		if (a.id && !a.active) { /* as core_assign: nothing goes to them now */
			agent_free(&a);
			return derr_set(e, DESK_EDENIED,
					"ticket %lld: it was %s's, who is deactivated since; assign "
					"it to someone else",
					(long long)t->id, ev->old_value);
		}
		rc = undo_event(d, t, f, t->assignee_login, a.login, e);
		t->assignee_id = a.id;
		free(t->assignee_login);
		t->assignee_login = a.login;
		a.login = NULL;
		agent_free(&a);
		return rc;
	}
	if (strcmp(f, "tags") == 0) {
		bool changed;
		const char *tag = ev->new_value ? ev->new_value : ev->old_value;
		rc = ev->new_value ? store_tag_remove(d->st, t->id, tag, &changed, e)
				   : store_tag_add(d->st, t->id, tag, &changed, e);
		return rc ? rc : undo_event(d, t, f, ev->new_value, ev->old_value, e);
	}
	if (strcmp(f, "merged_into") == 0) {
		int64_t into = t->merged_into;
		char *text = xasprintf("The merge into ticket #%lld was undone.", (long long)into);
		t->merged_into = 0;
		if ((rc = store_unmerge_children(d->st, t->id, into, e)) == DESK_OK &&
		    (rc = system_note(d, t->id, text, e)) == DESK_OK)
			rc = undo_event(d, t, f, ev->new_value, NULL, e);
		free(text);
		return rc;
	}
	if (strcmp(f, "merged_from") == 0) {
		char *text = xasprintf("The merge of ticket #%s into this ticket was undone.",
				       ev->new_value ? ev->new_value : "?");
		rc = system_note(d, t->id, text, e);
		free(text);
		return rc ? rc : undo_event(d, t, f, ev->new_value, NULL, e);
	}
	return derr_set(e, DESK_EINVAL, "ticket %lld: cannot undo a change of %s",
			(long long)t->id, f[0] ? f : "this kind");
}

/* Undoes the parts, in one transaction: all of them or none. */
static int undo_parts(struct desk *d, int64_t change, const struct part *parts, size_t n,
		      char *why, size_t size, struct derr *e)
{
	struct ticket *t = xcalloc(n, sizeof *t);
	size_t loaded = 0;
	int rc = core_begin(d, e);
	bool began = rc == DESK_OK;
	for (size_t i = 0; rc == DESK_OK && i < n; i++) {
		const struct part *p = &parts[i];
		if ((rc = store_ticket_get(d->st, p->ticket, &t[i], e)))
			break;
		loaded++;
		bool changed = false;
		why[0] = '\0';
		rc = changed_since(d, p->ticket, p->ev[p->n - 1]->id, why, size, &changed, e);
		for (size_t j = 0; rc == DESK_OK && !changed && j < p->n; j++)
			changed = !superseded(p, j) && !still_as_left(&t[i], p->ev[j], why, size);
		if (rc == DESK_OK && changed)
			rc = derr_set(e, DESK_ECONFLICT, "nothing was undone: %s", why);
	}
	char idbuf[32];
	snprintf(idbuf, sizeof idbuf, "%lld", (long long)change);
	for (size_t i = 0; rc == DESK_OK && i < n; i++) {
		rc = core_event(d, t[i].id, "undo", "change", NULL, idbuf, e);
		for (size_t j = parts[i].n; rc == DESK_OK && j-- > 0;)
			rc = reverse(d, &t[i], parts[i].ev[j], e);
	}
	for (size_t i = 0; rc == DESK_OK && i < n; i++)
		rc = core_save(d, &t[i], e);
	if (rc == DESK_OK)
		rc = store_commit(d->st, e);
	else if (began)
		store_rollback(d->st);
	if (began)
		core_end(d, rc == DESK_OK);
	for (size_t i = 0; i < loaded; i++)
		ticket_free(&t[i]);
	free(t);
	return rc;
}

/* --- one change -------------------------------------------------------- */

static struct part *part_for(struct part **v, size_t *n, size_t *cap, int64_t ticket)
{
	for (size_t i = 0; i < *n; i++)
		if ((*v)[i].ticket == ticket)
			return &(*v)[i];
	xgrow((void **)v, cap, *n + 1, sizeof **v);
	struct part *p = &(*v)[(*n)++];
	memset(p, 0, sizeof *p);
	p->ticket = ticket;
	return p;
}

/* "status back to open, tag refund off" for the status line. */
static void summarize(const struct part *p, char *buf, size_t size)
{
	size_t len = 0;
	buf[0] = '\0';
	for (size_t j = p->n; j-- > 0 && len < size;) {
		const struct event *ev = p->ev[j];
		const char *f = ev->field ? ev->field : "";
		char one[160];
		if (is(ev, "reopen", NULL) || strcmp(f, "merged_from") == 0)
			continue;
		if (strcmp(f, "tags") == 0)
			snprintf(one, sizeof one, "tag %s %s",
				 ev->new_value ? ev->new_value : ev->old_value,
				 ev->new_value ? "off" : "back");
		else if (strcmp(f, "merged_into") == 0)
			snprintf(one, sizeof one, "merge into #%s undone",
				 ev->new_value ? ev->new_value : "?");
		else if (strcmp(f, "subject") == 0)
			snprintf(one, sizeof one, "subject back");
		else
			snprintf(one, sizeof one, "%s back to %s", f,
				 ev->old_value ? ev->old_value : "none");
		len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? ", " : "", one);
	}
}

int core_undo_change(struct desk *d, int64_t change, bool with_message_changes,
		     struct undo_result *r, struct derr *e)
{
	struct event_list l = {0};
	int rc = store_change_events(d->st, d->me.id, change, &l, e);
	struct part *parts = NULL;
	size_t nparts = 0, cap = 0;
	bool merge = false, message = false;
	/* The parts asked for: after the change's reply or note, unless the
	 * message itself is being taken back (undo send). */
	for (size_t i = l.n; rc == DESK_OK && i-- > 0;) {
		const struct event *ev = &l.v[i];
		if (is_message(ev))
			message = true;
		if (!is_field_change(ev) || (message && !with_message_changes) || !ev->ticket_id)
			continue;
		merge = merge || is(ev, "merge", NULL);
		part_for(&parts, &nparts, &cap, ev->ticket_id);
	}
	/* each part's events in their order */
	message = false;
	for (size_t i = l.n; rc == DESK_OK && i-- > 0;) {
		const struct event *ev = &l.v[i];
		if (is_message(ev))
			message = true;
		if (!is_field_change(ev) || (message && !with_message_changes) || !ev->ticket_id)
			continue;
		struct part *p = part_for(&parts, &nparts, &cap, ev->ticket_id);
		xgrow((void **)&p->ev, &p->cap, p->n + 1, sizeof *p->ev);
		memmove(p->ev + 1, p->ev, p->n * sizeof *p->ev);
		p->ev[0] = ev;
		p->n++;
	}
	r->change_id = change;
	if (rc == DESK_OK && !nparts)
		rc = derr_set(e, DESK_ENOTFOUND, "nothing to undo in that change");
	char why[320];
	if (rc == DESK_OK && (merge || nparts == 1)) {
		rc = undo_parts(d, change, parts, nparts, why, sizeof why, e);
		if (rc == DESK_OK) {
			r->ok = nparts;
			char what[200];
			summarize(&parts[0], what, sizeof what);
			snprintf(r->what, sizeof r->what, "#%lld: %s", (long long)parts[0].ticket, what);
		}
	} else if (rc == DESK_OK) {
		/* A bulk change: each ticket on its own, as it was made. */
		d->change_id = 0;
		d->change_hold = true;
		for (size_t i = 0; i < nparts; i++) {
			struct derr one = {0};
			if (undo_parts(d, change, &parts[i], 1, why, sizeof why, &one) == DESK_OK) {
				r->ok++;
				continue;
			}
			xgrow((void **)&r->failed, &r->cap, r->nfailed + 1, sizeof *r->failed);
			struct bulk_failure *f = &r->failed[r->nfailed++];
			f->id = parts[i].ticket;
			snprintf(f->msg, sizeof f->msg, "%.*s", (int)sizeof f->msg - 1,
				 one.msg[0] ? one.msg : "failed");
		}
		d->change_hold = false;
		char what[200];
		summarize(&parts[0], what, sizeof what);
		snprintf(r->what, sizeof r->what, "%zu of %zu tickets: %s", r->ok, nparts, what);
		if (!r->ok)
			rc = derr_set(e, DESK_ECONFLICT, "%s", r->failed[0].msg);
	}
	for (size_t i = 0; i < nparts; i++)
		free(parts[i].ev);
	free(parts);
	event_list_free(&l);
	return rc;
}

int core_undo(struct desk *d, struct undo_result *r, struct derr *e)
{
	memset(r, 0, sizeof *r);
	int64_t change;
	int rc = latest_change(d, &change, e);
	return rc ? rc : core_undo_change(d, change, false, r, e);
}
