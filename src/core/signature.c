/* signature.c: an agent's signature, added below the text of a reply
 * (never a note) after the "-- " line of mail convention.
 *
 * Where it comes from, the most personal first: the personal config's
 * `signature:`, else the one stored with `desk agent signature`, else
 * a `signature:` in the team's config (a default for everyone).  It is
 * plain text, checked when it is set: no control characters (but
 * newline and tab), no invisible or bidi characters, valid UTF-8, at
 * most DESK_MAX_SIGNATURE bytes, so it can be shown and mailed as it
 * is.  Placeholders are not expanded in it: it is the same under
 * every reply. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "core.h"
#include "internal_core.h"
#include "text.h"
#include "util.h"

#define SIG_SEPARATOR "-- \n"

int core_signature_check(const char *text, const char *what, struct derr *e)
{
	int rc = caps_check(what, text, DESK_MAX_SIGNATURE, e);
	if (rc)
		return rc;
	const char *bad = text_first_unplain(text);
	if (!bad)
		return DESK_OK;
	int line = 1;
	for (const char *p = text; p < bad; p++)
		line += *p == '\n';
	char shown[16];
	unsigned char b = (unsigned char)*bad;
	if (b < 0x20 || b == 0x7F)
		snprintf(shown, sizeof shown, "^%c", b == 0x7F ? '?' : b + '@');
	else
		snprintf(shown, sizeof shown, "byte 0x%02X", b);
	return derr_set(e, DESK_EINVAL,
			"%s, line %d: holds a control, invisible or invalid character (%s); a "
			"signature is plain text",
			what, line, shown);
}

/* The text as it is stored: CRLF as LF, trailing blank lines and a
 * leading "-- " line (desk adds its own) dropped.  A new string. */
static char *normalize(const char *text)
{
	char *t = core_normalize_body(text ? text : "");
	const char *p = t;
	while (*p == '\n')
		p++;
	if (strncmp(p, "-- \n", 4) == 0 || strncmp(p, "--\n", 3) == 0)
		p = strchr(p, '\n') + 1;
	else if (strcmp(p, "--") == 0 || strcmp(p, "-- ") == 0)
		p += strlen(p);
	char *out = xstrdup(p);
	free(t);
	return out;
}

/* The agent named by login (NULL: the acting one); another's only for
 * an admin. */
static int whose(struct desk *d, const char *login, const char *what, struct agent *out,
		 struct derr *e)
{
	if (!login || strcmp(login, d->me.login) == 0)
		return store_agent_get(d->st, d->me.id, out, e);
	if (d->me.role != ROLE_ADMIN)
		return derr_set(e, DESK_EDENIED,
				"%s of another agent: only an admin may do that (you are %s, a%s %s)",
				what, d->me.login, d->me.role == ROLE_AGENT ? "n" : "",
				role_name(d->me.role));
	return store_agent_by_login(d->st, login, out, e);
}

int core_signature_get(struct desk *d, const char *login, char **sig, struct derr *e)
{
	*sig = NULL;
	struct agent a = {0};
	int rc = whose(d, login, "reading the signature", &a, e);
	if (rc == DESK_OK)
		rc = store_agent_signature(d->st, a.id, sig, e);
	agent_free(&a);
	return rc;
}

int core_signature_set(struct desk *d, const char *login, const char *text, struct derr *e)
{
	char *sig = normalize(text);
	int rc = core_signature_check(sig, "the signature", e);
	if (rc) {
		free(sig);
		return rc;
	}
	struct agent a = {0};
	char *old = NULL;
	if ((rc = store_begin(d->st, e))) {
		free(sig);
		return rc;
	}
	if ((rc = whose(d, login, *sig ? "setting the signature" : "clearing the signature", &a,
			e)) ||
	    (rc = store_agent_signature(d->st, a.id, &old, e)))
		goto fail;
	/* Setting what is already there changes nothing and logs nothing. */
	if (strcmp(old ? old : "", sig) == 0) {
		store_rollback(d->st);
		goto out;
	}
	char field[96];
	snprintf(field, sizeof field, "signature:%s", a.login);
	if ((rc = store_agent_set_signature(d->st, a.id, *sig ? sig : NULL, e)) ||
	    (rc = core_event(d, 0, "agent", field, old, *sig ? sig : NULL, e)) ||
	    (rc = store_commit(d->st, e)))
		goto fail;
	goto out;
fail:
	store_rollback(d->st);
out:
	free(old);
	free(sig);
	agent_free(&a);
	return rc;
}

char *core_signature_for_replies(struct desk *d)
{
	const struct config *c = d->cfg;
	bool personal = c && c->signature && c->origin[CFG_SIGNATURE].from == FROM_PERSONAL;
	if (personal)
		return xstrdup(c->signature);
	char *sig = NULL;
	if (store_agent_signature(d->st, d->me.id, &sig, NULL) == DESK_OK && !str_empty(sig))
		return sig;
	free(sig);
	return c && !str_empty(c->signature) ? xstrdup(c->signature) : NULL;
}

char *core_sign(const char *body, const char *sig)
{
	if (str_empty(sig))
		return xstrdup(body ? body : "");
	struct strbuf b = {0};
	size_t n = body ? strlen(body) : 0;
	while (n && (body[n - 1] == '\n' || body[n - 1] == ' ' || body[n - 1] == '\t'))
		n--;
	sb_addn(&b, body ? body : "", n);
	sb_add(&b, "\n\n" SIG_SEPARATOR);
	sb_add(&b, sig);
	return sb_take(&b);
}

bool core_signature_only(const char *body, const char *sig)
{
	if (str_empty(sig) || !body)
		return false;
	const char *sep = NULL;
	for (const char *p = body; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p))
		if (strncmp(p, SIG_SEPARATOR, strlen(SIG_SEPARATOR)) == 0)
			sep = p;
	if (!sep)
		return false;
	for (const char *p = body; p < sep; p++)
		if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
			return false;
	/* What follows is the signature as it was added, give or take the
	 * blank space an editor leaves at the end. */
	const char *rest = sep + strlen(SIG_SEPARATOR);
	size_t n = strlen(rest), m = strlen(sig);
	while (n && (rest[n - 1] == '\n' || rest[n - 1] == ' ' || rest[n - 1] == '\r'))
		n--;
	while (m && (sig[m - 1] == '\n' || sig[m - 1] == ' '))
		m--;
	return n == m && memcmp(rest, sig, n) == 0;
}
