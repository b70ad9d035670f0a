/* follow_up.c: the follow_up_rules list of the team's config.yaml, what
 * `desk tick` does to tickets left waiting:
 *   follow_up_rules:
 *     - name: no-reply-close
 *       when: pending
 *       after: 7d
 *       without: customer_reply
 *       do: {status: solved, canned: no-reply-close}
 */
#include <stdlib.h>
#include <string.h>

#include "internal_config.h"
#include "util.h"

void follow_up_rules_free(struct config *c)
{
	for (size_t i = 0; i < c->nrules; i++) {
		free(c->rules[i].name);
		free(c->rules[i].canned);
	}
	free(c->rules);
	free(c->rules_file);
	c->rules = NULL;
	c->nrules = 0;
	c->rules_file = NULL;
}

static int read_status(const struct ydoc *d, const struct ynode *n, const char *const *names,
		       enum status *out, struct derr *e)
{
	int k;
	int rc = y_enum(d, n, names, &k, e);
	if (rc == DESK_OK)
		*out = (enum status)status_from_name(names[k]);
	return rc;
}

static int read_do(const struct ydoc *d, const struct ynode *map, struct follow_up_rule *r,
		   struct derr *e)
{
	static const char *const keys[] = {"status", "canned", NULL};
	static const char *const to[] = {"open", "pending", "on_hold", "solved", "closed", NULL};
	bool has_status = false;
	int rc = y_expect(d, map, Y_MAP, "a mapping like {status: solved, canned: NAME}", e);
	for (size_t i = 0; !rc && i < map->nkids; i += 2) {
		int k;
		if ((rc = y_key(d, map->kids[i], "follow_up_rules: do", keys, &k, e)))
			break;
		const struct ynode *v = map->kids[i + 1];
		if (k == 0) {
			rc = read_status(d, v, to, &r->status, e);
			has_status = true;
		} else {
			free(r->canned);
			r->canned = NULL;
			rc = y_string(d, v, &r->canned, e);
			r->canned_line = v->line;
			r->canned_col = v->col;
		}
	}
	if (!rc && !has_status)
		rc = yerr(e, d, map, "follow_up_rules: do needs a status (what the ticket becomes)");
	return rc;
}

static int read_rule(const struct ydoc *d, const struct ynode *map, struct follow_up_rule *r,
		     struct derr *e)
{
	static const char *const keys[] = {"name", "when", "after", "without", "do", NULL};
	static const char *const waiting[] = {"pending", "on_hold", NULL};
	static const char *const without[] = {"customer_reply", NULL};
	const struct ynode *do_node = NULL;
	bool has_after = false;
	r->line = map->line;
	int rc = y_expect(d, map, Y_MAP, "a rule: a mapping with name, when, after and do", e);
	for (size_t i = 0; !rc && i < map->nkids; i += 2) {
		int k, w;
		if ((rc = y_key(d, map->kids[i], "follow_up_rules", keys, &k, e)))
			break;
		const struct ynode *v = map->kids[i + 1];
		switch (k) {
		case 0:
			free(r->name);
			r->name = NULL;
			rc = y_string(d, v, &r->name, e);
			break;
		case 1: rc = read_status(d, v, waiting, &r->when, e); break;
		case 2:
			rc = y_duration(d, v, &r->after, e);
			has_after = true;
			break;
		case 3:
			rc = y_enum(d, v, without, &w, e);
			r->without_customer_reply = rc == DESK_OK;
			break;
		default:
			do_node = v;
			rc = read_do(d, v, r, e);
			break;
		}
	}
	if (rc)
		return rc;
	if (str_empty(r->name))
		return yerr(e, d, map, "follow_up_rules: a rule needs a name");
	if (r->when != ST_PENDING && r->when != ST_ON_HOLD)
		return yerr(e, d, map, "follow_up_rules: rule \"%s\" needs when: pending or on_hold",
			    r->name);
	if (!has_after)
		return yerr(e, d, map, "follow_up_rules: rule \"%s\" needs after: a duration like 7d",
			    r->name);
	if (!do_node)
		return yerr(e, d, map, "follow_up_rules: rule \"%s\" needs do: {status: ...}",
			    r->name);
	if (r->status == r->when)
		return yerr(e, d, do_node,
			    "follow_up_rules: rule \"%s\" must change the status (it is already %s)",
			    r->name, status_name(r->when));
	return DESK_OK;
}

int config_read_follow_up_rules(const struct ydoc *d, const struct ynode *seq, struct config *c,
				struct derr *e)
{
	int rc = y_expect(d, seq, Y_SEQ, "a list of follow-up rules", e);
	if (rc)
		return rc;
	follow_up_rules_free(c);
	c->rules = xcalloc(seq->nkids ? seq->nkids : 1, sizeof *c->rules);
	for (size_t i = 0; i < seq->nkids; i++) {
		struct follow_up_rule *r = &c->rules[c->nrules++];
		r->when = ST__COUNT; /* not yet given */
		if ((rc = read_rule(d, seq->kids[i], r, e)))
			return rc;
		for (size_t j = 0; j + 1 < c->nrules; j++)
			if (strcmp(c->rules[j].name, r->name) == 0)
				return yerr(e, d, seq->kids[i],
					    "follow_up_rules: a second rule named \"%s\"", r->name);
	}
	c->rules_file = xstrdup(d->path ? d->path : "config");
	return DESK_OK;
}

int follow_up_rules_check(const struct config *c, const struct canned_list *l,
			  struct derr *e)
{
	for (size_t i = 0; c && i < c->nrules; i++) {
		const struct follow_up_rule *r = &c->rules[i];
		if (!r->canned)
			continue;
		const char *file = c->rules_file ? c->rules_file : "config";
		if (!l)
			return derr_set(e, DESK_EINVAL,
					"%s:%d:%d: follow_up_rules: rule \"%s\" sends canned response "
					"\"%s\", but the config has no canned file (canned:)",
					file, r->canned_line, r->canned_col, r->name, r->canned);
		bool found = false;
		for (size_t k = 0; k < l->n && !found; k++)
			found = strcmp(l->v[k].name, r->canned) == 0;
		if (!found)
			return derr_set(e, DESK_EINVAL,
					"%s:%d:%d: follow_up_rules: rule \"%s\" sends canned response "
					"\"%s\", which is not in %s",
					file, r->canned_line, r->canned_col, r->name, r->canned,
					l->path ? l->path : "the canned file");
	}
	return DESK_OK;
}
