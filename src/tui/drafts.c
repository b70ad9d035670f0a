/* drafts.c: `:drafts`, like neomutt's postponed list: the agent's
 * unsent replies and notes on every ticket, the newest first, with the
 * whole text as preview.  Enter resumes one (its ticket shown, the
 * editor on the draft with the canned response it started from);
 * Delete removes one after a y/n question.  A draft of a ticket merged
 * away goes on on the ticket it was merged into; one of a closed ticket
 * is shown, marked, but cannot be sent there. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "ui.h"
#include "util.h"

#define SUBJECT_COLS 28

struct draft_key {
	int64_t ticket;
	enum msg_kind kind;
};

/* An item's value: "TICKET:KIND". */
static bool parse_key(const char *value, struct draft_key *k)
{
	char kind[8];
	long long id;
	if (!value || sscanf(value, "%lld:%7s", &id, kind) != 2 || id <= 0)
		return false;
	k->ticket = id;
	k->kind = strcmp(kind, "note") == 0 ? MSG_NOTE : MSG_REPLY;
	return true;
}

/* What the list says about where the draft can go, "" when anywhere. */
static void where_note(const struct draft_row *r, char *buf, size_t size)
{
	if (r->merged_into)
		snprintf(buf, size, "[merged into #%lld] ", (long long)r->merged_into);
	else if (r->status == ST_CLOSED)
		snprintf(buf, size, "[closed] ");
	else
		buf[0] = '\0';
}

static char *label_of(const struct draft_row *r, int64_t now)
{
	char age[32], where[64];
	draft_age(r->updated_at, now, age, sizeof age);
	where_note(r, where, sizeof where);
	char *subject = text_sanitize(r->subject, 0);
	char *clipped = text_clip(subject, SUBJECT_COLS, true);
	char *line = draft_first_line(r->body);
	char *first = text_sanitize(line, 0);
	char *label = xasprintf("#%-6lld %-5s %-10s %s%s  %s", (long long)r->ticket_id,
				msg_kind_name(r->kind), age, where, clipped, first);
	free(first);
	free(line);
	free(clipped);
	free(subject);
	return label;
}

static char *preview_of(const struct draft_row *r)
{
	const char *kind = r->kind == MSG_NOTE ? "Note" : "Reply";
	char *head;
	if (r->merged_into)
		head = xasprintf("%s on #%lld, merged into #%lld: Enter moves the draft there and "
				 "resumes it.",
				 kind, (long long)r->ticket_id, (long long)r->merged_into);
	else if (r->status == ST_CLOSED)
		head = xasprintf("%s on #%lld, which is closed: it cannot be sent there "
				 "(Delete removes it).",
				 kind, (long long)r->ticket_id);
	else
		head = xasprintf("%s on #%lld%s%s%s:", kind, (long long)r->ticket_id,
				 r->canned ? ", from canned \"" : "", r->canned ? r->canned : "",
				 r->canned ? "\"" : "");
	char *preview = xasprintf("%s\n\n%s", head, r->body);
	free(head);
	return preview;
}

static int chosen(struct app *a, const char *value, void *data);
static int delete_asked(struct app *a, const char *value, void *data);

int act_drafts(struct app *a, const char *arg)
{
	struct draft_list l = {0};
	struct derr e = {0};
	if (store_drafts_of(a->d->st, a->d->me.id, &l, &e)) {
		draft_list_free(&l);
		return app_error(a, &e);
	}
	if (!l.n) {
		draft_list_free(&l);
		app_msg(a, "You have no unsent drafts.");
		return RD_STATUS;
	}
	struct picker_spec s = {.title = "Your drafts: Enter resumes, Delete deletes",
				.preview = true, .done = chosen, .remove = delete_asked};
	size_t cap = 0;
	int64_t now = time_now();
	for (size_t i = 0; i < l.n; i++) {
		const struct draft_row *r = &l.v[i];
		char value[48];
		snprintf(value, sizeof value, "%lld:%s", (long long)r->ticket_id,
			 msg_kind_name(r->kind));
		char *label = label_of(r, now);
		char *preview = preview_of(r);
		picker_add(&s.items, &s.n, &cap, label, value, preview);
		free(preview);
		free(label);
	}
	draft_list_free(&l);
	return picker_open(a, &s);
}

static int chosen(struct app *a, const char *value, void *data)
{
	struct draft_key k;
	if (!parse_key(value, &k))
		return 0;
	struct derr e = {0};
	struct ticket t;
	if (store_ticket_get(a->d->st, k.ticket, &t, &e))
		return app_error(a, &e);
	bool merged = t.merged_into != 0, closed = t.status == ST_CLOSED;
	ticket_free(&t);
	int64_t id = k.ticket;
	if (merged && core_draft_follow_merge(a->d, k.ticket, k.kind, &id, &e))
		return app_show(a, k.ticket, false) | app_focus(a, PANE_CONV) | app_error(a, &e);
	int flags = app_show(a, id, false) | app_focus(a, PANE_CONV);
	if (!merged && closed) {
		app_fail(a, "#%lld is closed: the %s draft cannot be sent there (open a new "
			    "ticket; Delete in :drafts removes it).",
			 (long long)id, msg_kind_name(k.kind));
		return flags | RD_STATUS;
	}
	if (merged)
		app_msg(a, "#%lld was merged into #%lld: your draft goes on there.",
			(long long)k.ticket, (long long)id);
	return flags | compose_resume(a, k.kind) | RD_STATUS;
}

/* Back to the list, while there is one. */
static int reopen(struct app *a)
{
	struct draft_list l = {0};
	bool any = store_drafts_of(a->d->st, a->d->me.id, &l, NULL) == DESK_OK && l.n;
	draft_list_free(&l);
	return any ? act_drafts(a, NULL) : 0;
}

static int delete_answer(struct app *a, const char *answer, void *data)
{
	const struct draft_key *k = data;
	if (answer && answer[0] == 'y') {
		struct derr e = {0};
		if (store_draft_delete(a->d->st, k->ticket, a->d->me.id, k->kind, &e))
			return app_error(a, &e);
		app_msg(a, "Deleted your %s draft on #%lld.", msg_kind_name(k->kind),
			(long long)k->ticket);
		/* The mark on its queue row and the conversation's notice go. */
		return app_changed(a) | reopen(a);
	}
	return act_drafts(a, NULL);
}

static int delete_asked(struct app *a, const char *value, void *data)
{
	struct draft_key k;
	if (!parse_key(value, &k))
		return 0;
	struct draft_key *copy = xmalloc(sizeof *copy);
	*copy = k;
	char *label = xasprintf("Delete your %s draft on #%lld? (y/n) ", msg_kind_name(k.kind),
				(long long)k.ticket);
	struct prompt_spec p = {.label = label, .choices = "yn", .history = -1,
				.mode = "delete draft", .done = delete_answer, .data = copy,
				.free_data = free};
	int flags = prompt_open(a, &p);
	free(label);
	return flags;
}
