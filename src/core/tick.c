/* tick.c: desk tick, the scheduled pass over the team's follow-up rules:
 * a ticket left waiting long enough gets the rule's canned reply and
 * status, each through core_post / core_apply with its audit events. */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "core.h"
#include "util.h"

/* The canned response's body, expanded for the ticket: *out new. */
static int canned_body(struct desk *d, const struct canned_list *cl, const char *name,
		       int64_t ticket, char **out, struct derr *e)
{
	const struct canned *c = NULL;
	for (size_t i = 0; i < cl->n && !c; i++)
		if (strcmp(cl->v[i].name, name) == 0)
			c = &cl->v[i];
	if (!c)
		return derr_set(e, DESK_ENOTFOUND, "no canned response \"%s\" in %s", name,
				cl->path ? cl->path : "the canned responses file");
	if (!c->body)
		return derr_set(e, DESK_EINVAL, "canned response \"%s\" (%s:%d) has no body to send",
				name, cl->path ? cl->path : "canned", c->line);
	struct ticket t;
	struct customer cu = {0};
	int rc = store_ticket_get(d->st, ticket, &t, e);
	if (rc)
		return rc;
	if ((rc = store_customer_get(d->st, t.customer_id, &cu, e)) == DESK_OK) {
		struct canned_ctx ctx = {.customer = &cu, .agent = &d->me, .ticket = &t};
		if ((rc = canned_expand(c->body, &ctx, out, e)))
			derr_prefix(e, "canned response \"%s\"", name);
		customer_free(&cu);
	}
	ticket_free(&t);
	return rc;
}

static int act(struct desk *d, const struct follow_up_rule *r, const struct canned_list *cl,
	       int64_t id, int64_t *msg, struct derr *e)
{
	/* The ticket was read before this transaction: if the customer
	 * answered since, it is no longer r->when and nothing is done. */
	struct field_change ch[] = {{FIELD_REQUIRE_STATUS, status_name(r->when)},
				    {FIELD_STATUS, status_name(r->status)}};
	if (!r->canned)
		return core_apply(d, id, ch, 2, e);
	char *body = NULL;
	int rc = canned_body(d, cl, r->canned, id, &body, e);
	if (rc == DESK_OK)
		rc = core_post(d, id, MSG_REPLY, body, ch, 2, msg, e);
	free(body);
	return rc;
}

int core_tick(struct desk *d, bool dry_run, void (*report)(const struct tick_action *, void *),
	      void *arg, size_t *acted, size_t *failed, struct derr *e)
{
	*acted = *failed = 0;
	if (d->me.role != ROLE_SUPERVISOR && d->me.role != ROLE_ADMIN)
		return derr_set(e, DESK_EDENIED,
				"desk tick acts on every agent's tickets: only a supervisor or an "
				"admin may run it (%s is an agent)",
				d->me.login);
	const struct config *cfg = d->cfg;
	if (!cfg || cfg->nrules == 0)
		return DESK_OK;
	struct canned_list cl = {0};
	bool need_canned = false;
	for (size_t i = 0; i < cfg->nrules; i++)
		need_canned = need_canned || cfg->rules[i].canned;
	if (need_canned) {
		if (!cfg->canned_file)
			return derr_set(e, DESK_EINVAL, "%s: follow_up_rules name canned responses, "
					"but the config has no canned file",
					cfg->rules_file ? cfg->rules_file : "config");
		int rc = canned_load(cfg->canned_file, &cl, e);
		if (rc)
			return rc;
	}
	int64_t now = time_now();
	int rc = DESK_OK;
	for (size_t i = 0; i < cfg->nrules && rc == DESK_OK; i++) {
		const struct follow_up_rule *r = &cfg->rules[i];
		int64_t *ids = NULL;
		size_t n = 0;
		rc = store_follow_up_candidates(d->st, r->when, now - r->after,
						r->without_customer_reply, &ids, &n, e);
		for (size_t j = 0; rc == DESK_OK && j < n; j++) {
			struct tick_action a = {.rule = r, .ticket = ids[j]};
			if (!dry_run) {
				a.done = act(d, r, &cl, ids[j], &a.msg, &a.err) == DESK_OK;
				*failed += !a.done;
			}
			*acted += dry_run || a.done;
			if (report)
				report(&a, arg);
		}
		free(ids);
	}
	canned_list_free(&cl);
	return rc;
}

void core_upkeep(struct desk *d)
{
	store_upkeep(d->st);
}
