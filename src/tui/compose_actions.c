/* compose_actions.c: the console's actions that start writing: reply
 * (r), note (n), and the canned response picker, whose preview shows
 * each text as it will be for this ticket; a canned response without
 * text changes the ticket at once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compose.h"
#include "format.h"
#include "ui.h"
#include "util.h"

int act_reply(struct app *a, const char *arg)
{
	return compose_start(a, MSG_REPLY, NULL);
}

int act_note(struct app *a, const char *arg)
{
	return compose_start(a, MSG_NOTE, NULL);
}

struct canned_pick {
	enum msg_kind kind;
};

/* A canned response without a body changes fields at once, no editor;
 * one with a body starts the reply or note. */
static int canned_use(struct app *a, enum msg_kind kind, const struct canned *c)
{
	if (c->body)
		return compose_start(a, kind, c);
	struct derr e = {0};
	int64_t id = a->cur_id;
	if (canned_apply(a->d, id, c, a->canned.path, &e))
		return app_error(a, &e);
	struct field_change ch[MAX_CHANGES];
	size_t n = canned_changes(c, a->d->me.login, ch, MAX_CHANGES);
	struct strbuf b = {0};
	field_changes_text(ch, n, &b);
	int flags = app_changed(a);
	app_msg(a, "#%lld: %s (canned %s).", (long long)id, sb_str(&b), c->name);
	sb_free(&b);
	return flags | RD_STATUS;
}

static int canned_chosen(struct app *a, const char *name, void *data)
{
	const struct canned_pick *p = data;
	if (!name)
		return 0;
	for (size_t i = 0; i < a->canned.n; i++)
		if (strcmp(a->canned.v[i].name, name) == 0)
			return canned_use(a, p->kind, &a->canned.v[i]);
	return 0;
}

static int canned_open(struct app *a, const char *arg, enum msg_kind kind)
{
	if (!a->canned.n) {
		app_msg(a, "No canned responses: name a file with `canned:` in config.yaml.");
		return RD_STATUS;
	}
	if (arg) {
		for (size_t i = 0; i < a->canned.n; i++)
			if (strcmp(a->canned.v[i].name, arg) == 0)
				return canned_use(a, kind, &a->canned.v[i]);
		app_fail(a, "No canned response \"%s\" (Tab completes the names).", arg);
		return RD_STATUS;
	}
	/* The preview shows the text as it will be, for this ticket. */
	struct ticket t;
	struct customer cu = {0};
	struct derr e = {0};
	bool have = store_ticket_get(a->d->st, a->cur_id, &t, &e) == DESK_OK;
	if (have && t.customer_id)
		store_customer_get(a->d->st, t.customer_id, &cu, NULL);
	struct canned_ctx ctx = {&cu, &a->d->me, have ? &t : NULL};
	struct canned_pick *pick = xcalloc(1, sizeof *pick);
	pick->kind = kind;
	struct picker_spec s = {.title = kind == MSG_NOTE ? "Canned note" : "Canned reply",
				.preview = true, .done = canned_chosen, .data = pick,
				.free_data = free};
	size_t cap = 0;
	for (size_t i = 0; i < a->canned.n; i++) {
		const struct canned *c = &a->canned.v[i];
		char *text = NULL;
		struct derr ee = {0};
		if (!c->body) {
			struct field_change ch[MAX_CHANGES];
			size_t n = canned_changes(c, a->d->me.login, ch, MAX_CHANGES);
			struct strbuf b = {0};
			sb_add(&b, "(no text: changes the ticket at once) ");
			field_changes_text(ch, n, &b);
			text = sb_take(&b);
		} else if (canned_expand(c->body, &ctx, &text, &ee))
			text = xasprintf("(cannot be used: %s)", ee.msg);
		char *label = xasprintf("%-18s %s", c->name, c->title);
		picker_add(&s.items, &s.n, &cap, label, c->name, text);
		free(label);
		free(text);
	}
	if (have)
		ticket_free(&t);
	customer_free(&cu);
	return picker_open(a, &s);
}

int act_canned_reply(struct app *a, const char *arg)
{
	return canned_open(a, arg, MSG_REPLY);
}

int act_canned_note(struct app *a, const char *arg)
{
	return canned_open(a, arg, MSG_NOTE);
}
