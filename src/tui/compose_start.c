/* compose_start.c: starting a reply or note on the ticket shown: an
 * unsent draft is offered first (resume it or start anew), a reply to
 * an unassigned ticket claims it (claim_on_reply), and the editor opens
 * on the draft, the canned response or a knowledge base article, signed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compose.h"
#include "format.h"
#include "text.h"
#include "ui.h"
#include "util.h"

struct start {
	enum msg_kind kind;
	const struct canned *canned;
	int64_t ticket;
	char *draft;
	const struct canned *draft_canned; /* the one the draft started from */
};

static void start_free(void *data)
{
	struct start *s = data;
	free(s->draft);
	free(s);
}

/* A reply's signature goes below its text (add: a new text, not a
 * resumed draft, which has it already); it is the agent's to edit. */
void compose_sign(struct app *a, struct compose *c, char **body, bool add)
{
	if (c->kind != MSG_REPLY)
		return;
	c->signature = core_signature_for_replies(a->d);
	if (add && c->signature) {
		char *signed_body = core_sign(*body, c->signature);
		free(*body);
		*body = signed_body;
	}
}

/* A knowledge base article going into the reply (compose_insert_article). */
struct kb_put {
	const char *slug, *marker;
};

/* Opens the editor: on draft as it is, else on text (may be NULL) or
 * the canned response, signed. */
static int begin_with(struct app *a, int64_t id, enum msg_kind kind, const struct canned *canned,
		      const char *draft, const char *text, const struct kb_put *kb)
{
	struct derr e = {0};
	struct ticket t;
	struct customer cu = {0};
	if (store_ticket_get(a->d->st, id, &t, &e))
		return app_error(a, &e);
	if (t.customer_id)
		store_customer_get(a->d->st, t.customer_id, &cu, NULL);
	char *body = NULL;
	int rc = DESK_OK;
	if (draft) {
		body = xstrdup(draft);
	} else if (text) {
		body = xstrdup(text);
	} else if (canned) {
		struct canned_ctx ctx = {&cu, &a->d->me, &t};
		if ((rc = canned_expand(canned->body, &ctx, &body, &e)))
			derr_prefix(&e, "canned response \"%s\" (%s:%d)", canned->name,
				    a->canned.path ? a->canned.path : "canned", canned->line);
	}
	struct compose *c = NULL;
	if (rc == DESK_OK) {
		c = xcalloc(1, sizeof *c);
		c->purpose = P_POST;
		c->kind = kind;
		c->finish = -1;
		c->ticket = id;
		c->canned = canned;
		if (kb) {
			c->kb_slug = xstrdup(kb->slug);
			c->kb_marker = xstrdup(kb->marker);
		} else if (draft && kind == MSG_REPLY) {
			/* a draft goes on with the article put in it */
			store_draft_article_get(a->d->st, id, a->d->me.id, &c->kb_slug,
						&c->kb_marker, NULL);
		}
		struct message_list l = {0};
		if (store_messages(a->d->st, id, &l, NULL) == DESK_OK)
			for (size_t i = 0; i < l.n; i++)
				if (l.v[i].id > c->seen_msg)
					c->seen_msg = l.v[i].id;
		message_list_free(&l);
		compose_sign(a, c, &body, !draft);
		c->saved = xstrdup(body ? body : "");
		char *below = compose_below_marker(a, c, &t, &cu);
		char *content = compose_build(body, below);
		rc = compose_write_file(c, content, &e);
		free(content);
		free(below);
	}
	free(body);
	ticket_free(&t);
	customer_free(&cu);
	if (rc) {
		compose_free(&c);
		return app_error(a, &e);
	}
	a->compose = c;
	return compose_edit(a);
}

static int begin(struct app *a, int64_t id, enum msg_kind kind, const struct canned *canned,
		 const char *draft)
{
	return begin_with(a, id, kind, canned, draft, NULL, NULL);
}

static int draft_answer(struct app *a, const char *answer, void *data)
{
	struct start *s = data;
	if (!answer || answer[0] == 'c')
		return 0;
	if (answer[0] == 'r')
		return begin(a, s->ticket, s->kind, s->draft_canned, s->draft);
	return begin(a, s->ticket, s->kind, s->canned, NULL);
}

/* The canned response a draft started from, if it is still there. */
static const struct canned *canned_named(const struct app *a, const char *name)
{
	for (size_t i = 0; name && i < a->canned.n; i++)
		if (strcmp(a->canned.v[i].name, name) == 0)
			return &a->canned.v[i];
	return NULL;
}

int compose_resume(struct app *a, enum msg_kind kind)
{
	struct derr e = {0};
	if (a->compose) {
		app_msg(a, "Finish the text you are writing first.");
		return RD_STATUS;
	}
	char *draft = NULL, *cname = NULL;
	if (store_draft_get_canned(a->d->st, a->cur_id, a->d->me.id, kind, &draft, &cname, &e))
		return app_error(a, &e);
	int flags;
	if (draft) {
		flags = begin(a, a->cur_id, kind, canned_named(a, cname), draft);
	} else {
		app_fail(a, "Your %s draft on #%lld is gone (sent or deleted meanwhile).",
			 msg_kind_name(kind), (long long)a->cur_id);
		flags = RD_STATUS;
	}
	free(draft);
	free(cname);
	return flags;
}

/* claim_on_reply: starting a reply to an unassigned ticket claims it,
 * atomically as `c` does, so two agents do not write the same answer.
 * If someone else took the ticket since the agent saw it unassigned
 * (or wins the claim), the editor does not open and the agent is told
 * who has it; the ticket is theirs now, so replying again (r) goes
 * ahead without claiming.  False: do not start (said why). */
static bool claim_for_reply(struct app *a, int64_t id, int *flags)
{
	if (a->cfg && !a->cfg->claim_on_reply)
		return true;
	struct derr e = {0};
	struct ticket t;
	if (store_ticket_get(a->d->st, id, &t, &e)) {
		*flags |= app_error(a, &e);
		return false;
	}
	int rc = DESK_OK;
	bool seen_free = id == a->cur_id && a->cur_seen_unassigned;
	if (!t.assignee_id && t.status != ST_CLOSED) {
		ticket_free(&t);
		if ((rc = core_claim(a->d, id, &e)) == DESK_OK) {
			*flags |= app_changed(a);
			app_msg(a, "#%lld is yours.", (long long)id);
			return true;
		}
		if (rc != DESK_ECONFLICT || store_ticket_get(a->d->st, id, &t, NULL) != DESK_OK) {
			*flags |= app_error(a, &e);
			return false;
		}
	} else if (!seen_free || t.assignee_id == a->d->me.id) {
		ticket_free(&t);
		return true;
	}
	a->cur_seen_unassigned = false; /* the agent knows now: r replies anyway */
	char *who = text_sanitize(t.assignee_login ? t.assignee_login : "someone", 0);
	app_fail(a, "#%lld was claimed by %s a moment ago; r replies anyway.", (long long)id, who);
	free(who);
	ticket_free(&t);
	*flags |= app_changed(a) | RD_STATUS;
	return false;
}

int compose_start(struct app *a, enum msg_kind kind, const struct canned *canned)
{
	struct derr e = {0};
	int64_t id = a->cur_id;
	if (a->compose) {
		app_msg(a, "Finish the text you are writing first.");
		return RD_STATUS;
	}
	int flags = 0;
	if (kind == MSG_REPLY && !claim_for_reply(a, id, &flags))
		return flags;
	char *draft = NULL, *cname = NULL;
	if (store_draft_get_canned(a->d->st, id, a->d->me.id, kind, &draft, &cname, &e))
		return app_error(a, &e);
	if (!draft) {
		free(cname);
		return flags | begin(a, id, kind, canned, NULL);
	}
	struct start *s = xcalloc(1, sizeof *s);
	*s = (struct start){kind, canned, id, draft, canned_named(a, cname)};
	char *from = cname ? text_sanitize(cname, 0) : NULL;
	char *label = xasprintf("You have an unsent %s on #%lld%s%s%s: (r)esume it, start a (n)ew "
				"one, (c)ancel: ",
				kind == MSG_NOTE ? "note" : "reply", (long long)id,
				from ? " (canned \"" : "", from ? from : "", from ? "\")" : "");
	free(from);
	free(cname);
	struct prompt_spec p = {.label = label, .choices = "rnc", .history = -1, .mode = "draft",
				.done = draft_answer, .data = s, .free_data = start_free};
	flags |= prompt_open(a, &p);
	free(label);
	return flags;
}

int compose_insert_article(struct app *a, const char *text, const char *slug,
			   const char *marker)
{
	struct derr e = {0};
	int64_t id = a->cur_id;
	if (a->compose) {
		app_msg(a, "Finish the text you are writing first.");
		return RD_STATUS;
	}
	int flags = 0;
	if (!claim_for_reply(a, id, &flags))
		return flags;
	char *draft = NULL, *cname = NULL;
	if (store_draft_get_canned(a->d->st, id, a->d->me.id, MSG_REPLY, &draft, &cname, &e))
		return flags | app_error(a, &e);
	struct kb_put kb = {slug, marker};
	if (draft && *draft) {
		/* After what the agent wrote: nothing of theirs moves. */
		char *both = xasprintf("%s\n\n%s", draft, text);
		flags |= begin_with(a, id, MSG_REPLY, canned_named(a, cname), both, NULL, &kb);
		free(both);
	} else {
		flags |= begin_with(a, id, MSG_REPLY, NULL, NULL, text, &kb);
	}
	free(draft);
	free(cname);
	return flags;
}
