/* compose_frame.c: the text around the agent's own in the compose file.
 * Above it, a reply's copies: lines "Cc: ADDR" and "Bcc: ADDR"
 * (compose_copies), taken off and checked before sending; a bad
 * address asks again with the text kept.  Below the marker line: who
 * the text is for, whether it will be mailed, what a canned response
 * will change, and the customer's last message quoted, all sanitized. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compose.h"
#include "format.h"
#include "mail.h"
#include "text.h"
#include "ui.h"
#include "util.h"

/* The copies at the top of a reply's text, checked (every address, as
 * desk reply --cc does), and the text below them: new strings. */
int compose_copies_of(const struct compose *c, char **cc, char **bcc, char **text,
		      struct derr *e)
{
	char *given_cc, *given_bcc;
	compose_copies(c->body, &given_cc, &given_bcc, text);
	const char *one[1] = {given_cc};
	int rc = mail_recipients_join(one, given_cc ? 1 : 0, "Cc", cc, e);
	one[0] = given_bcc;
	if (rc == DESK_OK && (rc = mail_recipients_join(one, given_bcc ? 1 : 0, "Bcc", bcc, e)))
		xfree(cc);
	free(given_cc);
	free(given_bcc);
	if (rc)
		xfree(text);
	return rc;
}

/* What goes below the marker: who it is for, what the canned response
 * will change, and the customer's last message quoted.  Sanitized. */
char *compose_below_marker(struct app *a, const struct compose *c, const struct ticket *t,
			   const struct customer *cu)
{
	struct strbuf b = {0};
	struct derr e = {0};
	sb_addf(&b, "%s #%lld \"%s\", %s <%s>\n",
		c->kind == MSG_NOTE ? "Internal note (not sent to the customer) on"
				    : "Reply to the customer on",
		(long long)t->id, t->subject ? t->subject : "", cu->name ? cu->name : "",
		cu->email ? cu->email : "");
	if (c->kind == MSG_REPLY) {
		char why[200];
		if (outbound_plan(a->d, t, why, sizeof why))
			sb_addf(&b, "It will be mailed to %s.\n%s", t->customer_email, COPIES_HELP);
		else
			sb_addf(&b, "It will NOT be mailed: %s.\n", why);
		sb_add(&b, "To send files with it, start the text with a line \"Attach: /path/to/file\" "
			   "for each.\n");
	}
	if (c->canned) {
		struct field_change ch[MAX_CHANGES];
		size_t n = canned_changes(c->canned, a->d->me.login, ch, MAX_CHANGES);
		sb_addf(&b, "Canned response: %s", c->canned->name);
		if (n) {
			sb_add(&b, "; on sending also sets ");
			field_changes_text(ch, n, &b);
		}
		sb_addc(&b, '\n');
	}
	struct message m;
	if (store_message_last(a->d->st, t->id, MSG_CUSTOMER, &m, &e) == DESK_OK) {
		char when[64];
		time_format_local(m.created_at, when, sizeof when);
		char *q = compose_quote(m.body);
		sb_addf(&b, "\nOn %s, %s wrote:\n%s", when, m.author ? m.author : "the customer", q);
		free(q);
		message_free(&m);
	}
	char *safe = text_sanitize(sb_str(&b), SAN_KEEP_NEWLINES);
	sb_free(&b);
	return safe;
}
