/* mail_check.c: what may cross from a mail into a header and back:
 * RFC 5322 msg-ids and addresses checked, header text made one line
 * without control characters, and the last look at a rendered message
 * before it goes to sendmail (no header desk did not mean to write). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mail.h"
#include "util.h"

/* Longer ids are hostile or broken; RFC 5322 lines stop at 998. */
#define MAX_MSGID 250
/* RFC 5321: a path is at most 256 octets with its brackets. */
#define MAX_ADDR 254

/* RFC 5322 atext: what a dot-atom is made of. */
static bool is_atext(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

/* dot-atom-text over [p, end): atoms of atext joined by single dots. */
static bool dot_atom(const char *p, const char *end)
{
	if (p >= end || *p == '.' || end[-1] == '.')
		return false;
	for (const char *q = p; q < end; q++) {
		if (*q == '.') {
			if (q[1] == '.')
				return false;
		} else if (!is_atext((unsigned char)*q)) {
			return false;
		}
	}
	return true;
}

/* no-fold-literal: "[" *dtext "]", dtext printable ASCII but [ ] \ */
static bool no_fold_literal(const char *p, const char *end)
{
	if (end - p < 2 || *p != '[' || end[-1] != ']')
		return false;
	for (const char *q = p + 1; q < end - 1; q++) {
		unsigned char c = (unsigned char)*q;
		if (c < 33 || c > 126 || c == '[' || c == ']' || c == '\\')
			return false;
	}
	return true;
}

bool mail_msgid_valid(const char *id)
{
	if (!id)
		return false;
	size_t n = strlen(id);
	const char *at = n && n <= MAX_MSGID ? strrchr(id, '@') : NULL;
	if (!at)
		return false;
	const char *end = id + n;
	return dot_atom(id, at) && (dot_atom(at + 1, end) || no_fold_literal(at + 1, end));
}

char *mail_msgid_from_header(const char *raw)
{
	if (!raw)
		return NULL;
	/* unfolded and trimmed: the one "<id-left@id-right>" it must be */
	struct strbuf b = {0};
	sb_add(&b, "");
	for (const char *p = raw; *p; p++)
		if (*p != '\r' && *p != '\n')
			sb_addc(&b, *p);
	char *v = sb_take(&b);
	char *s = v;
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	char *id = NULL;
	if (n > 2 && s[0] == '<' && s[n - 1] == '>') {
		id = xstrndup(s + 1, n - 2);
		if (!mail_msgid_valid(id))
			xfree(&id);
	}
	free(v);
	return id;
}

bool mail_addr_valid(const char *addr)
{
	if (!addr)
		return false;
	size_t n = strlen(addr);
	const char *at = strrchr(addr, '@');
	if (!n || n > MAX_ADDR || !at || at == addr || !at[1])
		return false;
	for (const char *p = addr; *p; p++) {
		unsigned char c = (unsigned char)*p;
		/* no space, control, quote or bracket: nothing that could end
		 * the address inside a header or start another one */
		if (c <= ' ' || c == 0x7f || strchr("<>()[],;:\\\"", c))
			return false;
		if (c == 0xC2 && (unsigned char)p[1] >= 0x80 && (unsigned char)p[1] <= 0x9F)
			return false; /* C1 control */
	}
	return strchr(addr, '@') == at; /* one '@' only */
}

char *mail_clean_line(const char *s)
{
	struct strbuf b = {0};
	sb_add(&b, "");
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			sb_addc(&b, ' ');
		} else if (p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F) {
			sb_addc(&b, ' '); /* C1 control, two bytes in UTF-8 */
			p++;
		} else {
			sb_addc(&b, (char)*p);
		}
	}
	char *r = sb_take(&b);
	return str_trim(r);
}

/* The headers outbound.c writes; each at most once.  Never Bcc: blind
 * copies go to the envelope only (outbound.c). */
static const char *const written[] = {
	"From",       "To",           "Subject",      "Date",       "Cc",
	"Message-Id", "In-Reply-To",  "References",   "Auto-Submitted",
	"X-Desk-Ticket", "MIME-Version", "Content-Type", "Content-Transfer-Encoding",
};

/* A header name made printable for an error message. */
static void name_for_error(char *out, size_t size, const char *p, size_t n)
{
	size_t w = 0;
	for (size_t i = 0; i < n && w + 1 < size && i < 40; i++) {
		unsigned char c = (unsigned char)p[i];
		out[w++] = c > ' ' && c < 0x7f ? (char)c : '?';
	}
	out[w] = '\0';
}

int mail_check_headers(const char *text, size_t len, struct derr *e)
{
	bool seen[ARRAY_LEN(written)] = {false};
	const char *p = text, *end = text + len;
	int line = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		line++;
		if (eol == p)
			break; /* the blank line: the body follows */
		if (memchr(p, '\0', (size_t)(eol - p)) || memchr(p, '\r', (size_t)(eol - p)))
			return derr_set(e, DESK_EINVAL,
					"refused to send: header line %d holds a CR or NUL byte",
					line);
		if (*p == ' ' || *p == '\t') { /* folded: part of the header above */
			if (line == 1)
				return derr_set(e, DESK_EINVAL,
						"refused to send: the message starts with a "
						"continuation line");
			p = eol + 1;
			continue;
		}
		const char *colon = memchr(p, ':', (size_t)(eol - p));
		size_t n = colon ? (size_t)(colon - p) : (size_t)(eol - p);
		size_t k = 0;
		while (k < ARRAY_LEN(written) &&
		       !(colon && strlen(written[k]) == n && strncasecmp(p, written[k], n) == 0))
			k++;
		char name[48];
		name_for_error(name, sizeof name, p, n);
		if (k == ARRAY_LEN(written))
			return derr_set(e, DESK_EINVAL,
					"refused to send: header line %d (\"%s\") is not a header "
					"desk writes; the message may carry injected headers",
					line, name);
		if (seen[k])
			return derr_set(e, DESK_EINVAL,
					"refused to send: header \"%s\" appears twice (line %d)",
					name, line);
		seen[k] = true;
		p = eol + 1;
	}
	if (!seen[1])
		return derr_set(e, DESK_EINVAL, "refused to send: the message has no To header");
	return DESK_OK;
}

const char *mail_foreign_sender(const struct message *m, const struct name_list *addresses)
{
	if (!m || m->kind != MSG_CUSTOMER || str_empty(m->mail_from))
		return NULL;
	for (size_t i = 0; addresses && i < addresses->n; i++)
		if (strcasecmp(m->mail_from, addresses->v[i]) == 0)
			return NULL;
	return m->mail_from;
}
