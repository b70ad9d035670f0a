/* customer_edit.c: `e` in the customer pane: the customer's details as a
 * short form in the agent's $EDITOR ("name: ...", one field a line, the
 * notes last and as long as they like), then what changed goes to
 * core_customer_edit in one transaction.  The form shows the stored
 * values sanitized, and a field whose line comes back as it was shown
 * is left alone, so a control character in a name is neither shown raw
 * nor rewritten by an edit of the phone number.  A change core refuses
 * (an address that is another customer's) keeps the form for another
 * try. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "priv.h"
#include "text.h"
#include "ui.h"
#include "util.h"

enum { F_NAME, F_EMAIL, F_ALSO, F_PHONE, F_ORG, F_TIER, F_NOTES, F__COUNT };
static const char *const field_names[F__COUNT] = {"name", "email", "also", "phone",
						  "organization", "tier", "notes"};

struct cedit {
	int64_t id;
	char *dir, *path;
	char *shown[F__COUNT]; /* what the form showed (sanitized) */
};

static void cedit_free(void *data)
{
	struct cedit *c = data;
	editfile_remove(&c->dir, &c->path);
	for (int i = 0; i < F__COUNT; i++)
		free(c->shown[i]);
	free(c);
}

static char *one_line(const char *s)
{
	return text_sanitize(s ? s : "", 0);
}

static int fill(struct app *a, struct cedit *c, struct strbuf *form, struct derr *e)
{
	struct customer cu;
	int rc = store_customer_get(a->d->st, c->id, &cu, e);
	if (rc)
		return rc;
	struct name_list addrs = {0};
	if ((rc = store_customer_emails(a->d->st, c->id, &addrs, e))) {
		customer_free(&cu);
		return rc;
	}
	struct strbuf also = {0};
	sb_add(&also, "");
	for (size_t i = 0; i < addrs.n; i++)
		if (!cu.email || strcasecmp(addrs.v[i], cu.email) != 0)
			sb_addf(&also, "%s%s", also.len ? ", " : "", addrs.v[i]);
	c->shown[F_NAME] = str_trim(one_line(cu.name));
	c->shown[F_EMAIL] = str_trim(one_line(cu.email));
	c->shown[F_ALSO] = str_trim(one_line(sb_str(&also)));
	c->shown[F_PHONE] = str_trim(one_line(cu.phone));
	c->shown[F_ORG] = str_trim(one_line(cu.organization));
	c->shown[F_TIER] = str_trim(one_line(cu.tier));
	c->shown[F_NOTES] = str_trim(text_sanitize(cu.notes ? cu.notes : "", SAN_KEEP_NEWLINES));
	sb_free(&also);
	name_list_free(&addrs);
	customer_free(&cu);
	sb_addf(form,
		"# Customer #%lld.  Change what you need and save; lines starting with #\n"
		"# are left out, and an empty value clears the field.\n"
		"# email: the main address (replies go there); also: the others, comma-separated.\n"
		"# notes: everything after its line.\n",
		(long long)c->id);
	for (int i = 0; i < F_NOTES; i++)
		sb_addf(form, "%s: %s\n", field_names[i], c->shown[i]);
	sb_addf(form, "notes:\n%s\n", c->shown[F_NOTES]);
	return DESK_OK;
}

/* The form read back: each field's value (new strings; NULL: the line
 * is gone, which leaves the field).  Returns false with why set on a
 * line that is no field. */
static bool parse_form(const char *text, char *out[F__COUNT], char *why, size_t size)
{
	const char *p = text;
	int lineno = 0;
	while (*p) {
		size_t len = strcspn(p, "\n");
		lineno++;
		char *ln = xstrndup(p, len);
		p += len + (p[len] == '\n');
		str_trim(ln);
		if (!*ln || ln[0] == '#') {
			free(ln);
			continue;
		}
		char *colon = strchr(ln, ':');
		int f = -1;
		if (colon) {
			*colon = '\0';
			for (int i = 0; i < F__COUNT; i++)
				if (strcasecmp(ln, field_names[i]) == 0)
					f = i;
		}
		if (f < 0) {
			snprintf(why, size, "line %d: expected \"field: value\" with field one of name, "
				 "email, also, phone, organization, tier, notes", lineno);
			free(ln);
			return false;
		}
		free(out[f]);
		if (f == F_NOTES) {
			/* the rest of the file, from what follows "notes:" on */
			struct strbuf b = {0};
			sb_add(&b, str_trim(colon + 1));
			if (b.len && *p)
				sb_addc(&b, '\n');
			sb_add(&b, p);
			out[f] = str_trim(sb_take(&b));
			free(ln);
			return true;
		}
		out[f] = xstrdup(str_trim(colon + 1));
		free(ln);
	}
	return true;
}

/* The addresses of a comma- or space-separated list, as new strings. */
static size_t split_addresses(const char *s, char ***out)
{
	size_t n = 0, cap = 0;
	*out = NULL;
	char *copy = xstrdup(s ? s : "");
	for (char *save = NULL, *tok = strtok_r(copy, ", \t", &save); tok;
	     tok = strtok_r(NULL, ", \t", &save)) {
		xgrow((void **)out, &cap, n + 1, sizeof **out);
		(*out)[n++] = xstrdup(tok);
	}
	free(copy);
	return n;
}

static bool in_list(char **v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(v[i], s) == 0)
			return true;
	return false;
}

static void strings_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int ask_again(struct app *a, struct cedit *c, const char *why);
static int edit(struct app *a, struct cedit *c);

/* What changed, to core.  Returns flags. */
static int apply(struct app *a, struct cedit *c, char *got[F__COUNT])
{
	struct customer_edit ed = {0};
	const char **slots[] = {[F_NAME] = &ed.name, [F_EMAIL] = &ed.email, [F_PHONE] = &ed.phone,
				[F_ORG] = &ed.organization, [F_TIER] = &ed.tier,
				[F_NOTES] = &ed.notes};
	for (int i = 0; i < F__COUNT; i++)
		if (i != F_ALSO && got[i] && strcmp(got[i], c->shown[i]) != 0)
			*slots[i] = got[i];
	char **was = NULL, **now = NULL;
	size_t nwas = split_addresses(c->shown[F_ALSO], &was), nnow = 0;
	if (got[F_ALSO] && strcmp(got[F_ALSO], c->shown[F_ALSO]) != 0)
		nnow = split_addresses(got[F_ALSO], &now);
	const char **add = xcalloc(nnow + 1, sizeof *add), **rem = xcalloc(nwas + 1, sizeof *rem);
	for (size_t i = 0; i < nnow; i++)
		if (!in_list(was, nwas, now[i]))
			add[ed.nadd++] = now[i];
	for (size_t i = 0; now && i < nwas; i++)
		if (!in_list(now, nnow, was[i]) &&
		    !(ed.email && strcasecmp(ed.email, was[i]) == 0))
			rem[ed.nremove++] = was[i];
	ed.add = add;
	ed.remove = rem;
	int flags;
	struct derr e = {0};
	if (!ed.name && !ed.email && !ed.phone && !ed.organization && !ed.tier && !ed.notes &&
	    !ed.nadd && !ed.nremove) {
		app_msg(a, "Customer #%lld: nothing changed.", (long long)c->id);
		cedit_free(c);
		flags = RD_STATUS;
	} else if (core_customer_edit(a->d, c->id, &ed, &e) == DESK_OK) {
		app_msg(a, "Customer #%lld saved.", (long long)c->id);
		cedit_free(c);
		flags = app_changed(a) | RD_HIST | RD_STATUS;
	} else {
		flags = ask_again(a, c, e.msg);
	}
	free(add);
	free(rem);
	strings_free(was, nwas);
	strings_free(now, nnow);
	return flags;
}

static int again_answer(struct app *a, const char *answer, void *data)
{
	struct cedit *c = data;
	if (answer && answer[0] == 'e')
		return edit(a, c);
	app_msg(a, "Customer #%lld: not changed.", (long long)c->id);
	cedit_free(c);
	return RD_STATUS;
}

static int ask_again(struct app *a, struct cedit *c, const char *why)
{
	char *safe = text_sanitize(why, 0);
	char *label = xasprintf("Not saved: %s.  (e)dit again, (d)iscard: ", safe);
	free(safe);
	struct prompt_spec s = {.label = label, .choices = "ed", .history = -1,
				.mode = "customer", .done = again_answer, .data = c,
				.free_data = NULL};
	int flags = prompt_open(a, &s);
	free(label);
	return flags;
}

static int edit(struct app *a, struct cedit *c)
{
	struct derr e = {0};
	if (editor_run(a, c->path, NULL, NULL, &e)) {
		app_error(a, &e);
		cedit_free(c);
		return RD_ALL;
	}
	char *text = priv_read_file(c->path, NULL);
	if (!text) {
		app_fail(a, "Cannot read the form back; the customer is unchanged.");
		cedit_free(c);
		return RD_ALL;
	}
	char *got[F__COUNT] = {0};
	char why[200];
	int flags;
	if (parse_form(text, got, why, sizeof why))
		flags = apply(a, c, got);
	else
		flags = ask_again(a, c, why);
	for (int i = 0; i < F__COUNT; i++)
		free(got[i]);
	free(text);
	return flags | RD_ALL;
}

int act_customer_edit(struct app *a, const char *arg)
{
	struct ticket t;
	struct derr e = {0};
	if (store_ticket_get(a->d->st, a->cur_id, &t, &e))
		return app_error(a, &e);
	int64_t id = t.customer_id;
	ticket_free(&t);
	if (!id) {
		app_msg(a, "This ticket has no customer to edit.");
		return RD_STATUS;
	}
	struct cedit *c = xcalloc(1, sizeof *c);
	c->id = id;
	struct strbuf form = {0};
	int rc = fill(a, c, &form, &e);
	if (rc == DESK_OK)
		rc = editfile_make("customer", sb_str(&form), &c->dir, &c->path, &e);
	sb_free(&form);
	if (rc) {
		cedit_free(c);
		return app_error(a, &e);
	}
	return edit(a, c);
}
