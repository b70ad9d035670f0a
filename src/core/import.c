/* import.c: desk import: JSON Lines, one ticket a line, the format that
 * desk export writes (see store_ticket_json in src/store/json.c).
 *
 * Each line is first parsed and checked field by field into an in_ticket
 * (nothing written yet, every problem named "field: problem"), then
 * written with the store functions directly: an import keeps history as
 * it was (times, statuses, reopens), which the core actions would stamp
 * with the present.  Only admins import, and every ticket an import
 * creates or replaces gets an "import" event naming who ran it; events
 * already on a replaced ticket stay (the trail is append-only).
 *
 * This file is one line: import_check (everything writing it could
 * refuse, nothing written) and import_write.  The file as a whole, in
 * batches with a commit point, is import_run.c.
 *
 * Text is stored as given, invalid UTF-8 included: SQLite's JSON accepts
 * it, desk export writes what the database holds (mail can bring such
 * bytes in), and a file desk wrote must load back.  The terminal side
 * replaces invalid UTF-8 when it shows text. */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <glib.h>

#include "caps.h"
#include "import_internal.h"
#include "core.h"
#include "mail.h"
#include "sla.h"
#include "text.h"
#include "util.h"

struct in_customer {
	const char *name, *email, *phone, *organization, *tier, *notes;
};

/* An attachment: its bytes decoded from the line's base64. */
struct in_file {
	char *filename; /* made safe as ingest makes it (mail_safe_filename) */
	const char *content_type;
	unsigned char *data;
	size_t size;
};

struct in_message {
	enum msg_kind kind;
	const char *author, *body, *message_id;
	int64_t at;
	bool automatic; /* an auto-reply or bounce: awaits no answer */
	struct in_file *files;
	size_t nfiles;
};

struct in_survey {
	enum survey_kind kind;
	int score;
	int64_t at;
	const char *comment; /* NULL: none */
};

/* Time spent: message is the place (from 1) in the line's messages of
 * the reply or note it was sent with; 0: none. */
struct in_time {
	const char *agent, *note;
	int64_t seconds, at;
	bool measured;
	int message;
};

struct in_event {
	int64_t at;
	const char *agent, *action, *field, *old_value, *new_value;
};

/* One line, checked.  The strings point into the line's JSON tree. */
struct in_ticket {
	const char *external_id, *subject, *queue, *assignee, *merged_into;
	enum status status;
	enum priority priority;
	enum channel channel;
	int64_t created_at, updated_at, first_solved_at, solved_at, closed_at;
	int reopens;
	bool has_customer;
	struct in_customer customer;
	const char **tags;
	size_t ntags;
	struct in_message *messages;
	size_t nmessages;
	struct in_survey *surveys;
	size_t nsurveys;
	struct in_event *events;
	size_t nevents;
	struct in_time *times;
	size_t ntimes;
};

static const char *const ticket_keys[] = {
	"external_id", "subject",	  "status",    "priority",  "channel",
	"queue",       "assignee",	  "created_at", "updated_at", "first_solved_at",
	"solved_at",   "closed_at",	  "reopens",   "merged_into", "customer",
	"tags",	       "messages",	  "surveys",   "events",    "time",
};
static const char *const customer_keys[] = {"name", "email", "phone", "organization",
					    "tier", "notes"};
static const char *const message_keys[] = {"kind", "author", "at", "body", "message_id",
					   "auto", "attachments"};
static const char *const file_keys[] = {"filename", "content_type", "size", "data"};
static const char *const survey_keys[] = {"kind", "score", "at", "comment"};
static const char *const time_keys[] = {"agent", "seconds", "source", "note", "at", "message"};
static const char *const event_keys[] = {"at", "agent", "action", "field", "old", "new"};

/* A "FILE:LINE: ..." report line: the message quotes the file, which
 * is anybody's text. */
void import_report(FILE *report, const char *msg)
{
	char *safe = text_sanitize(msg, 0);
	fprintf(report, "%s\n", safe);
	free(safe);
}

/* --- checking one line ------------------------------------------------- */

/* A value shown back in a message: quoted, escaped so it cannot upset a
 * terminal, and cut short (at a character boundary) when long.  40
 * characters of at most 6 bytes each (\u001b) fit in QUOTED. */
#define QUOTED 256
static void quote(char *buf, size_t size, const char *s)
{
	struct strbuf b = {0};
	sb_addc(&b, '"');
	size_t shown = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (shown >= 40 && (*p & 0xC0) != 0x80) {
			sb_add(&b, "...");
			break;
		}
		if (*p == '"' || *p == '\\')
			sb_addf(&b, "\\%c", *p);
		else if (*p == '\n')
			sb_add(&b, "\\n");
		else if (*p == '\t')
			sb_add(&b, "\\t");
		else if (*p < 0x20 || *p == 0x7f)
			sb_addf(&b, "\\u%04x", *p);
		else
			sb_addc(&b, (char)*p);
		shown++;
	}
	sb_addc(&b, '"');
	snprintf(buf, size, "%s", sb_str(&b));
	sb_free(&b);
}

static const char *type_desc(const struct json_node *n)
{
	switch (n->type) {
	case JSON_NULL: return "null";
	case JSON_TRUE: return "true";
	case JSON_FALSE: return "false";
	case JSON_INTEGER:
	case JSON_REAL: return "a number";
	case JSON_TEXT: return "a string";
	case JSON_ARRAY: return "an array";
	case JSON_OBJECT: return "an object";
	}
	return "something else";
}

/* A name that reads fine unquoted in a message. */
static bool plain(const char *s)
{
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-' && *p != '.')
			return false;
	return *s != '\0';
}

/* Unknown and repeated members are mistakes worth naming: a typo in a
 * field name would otherwise drop that field without a word. */
static int check_keys(const struct json_node *obj, const char *prefix, const char *const *keys,
		      size_t nkeys, struct derr *e)
{
	for (const struct json_node *n = obj->child; n; n = n->next) {
		const char *key = n->key ? n->key : "";
		bool known = false;
		for (size_t i = 0; i < nkeys && !known; i++)
			known = strcmp(key, keys[i]) == 0;
		if (!known) {
			char q[QUOTED];
			if (plain(key))
				snprintf(q, sizeof q, "%.100s", key);
			else
				quote(q, sizeof q, key);
			struct strbuf list = {0};
			for (size_t i = 0; i < nkeys; i++)
				sb_addf(&list, "%s%s", i ? ", " : "", keys[i]);
			derr_set(e, DESK_EINVAL, "%s%s: unknown field; expected one of %s", prefix,
				 q, sb_str(&list));
			sb_free(&list);
			return DESK_EINVAL;
		}
		for (const struct json_node *m = obj->child; m != n; m = m->next)
			if (m->key && strcmp(m->key, key) == 0)
				return derr_set(e, DESK_EINVAL, "%s%s: given twice", prefix, key);
	}
	return DESK_OK;
}

/* The member, or NULL when absent or null (null counts as absent). */
static const struct json_node *member(const struct json_node *obj, const char *key)
{
	const struct json_node *n = json_get(obj, key);
	return n && n->type != JSON_NULL ? n : NULL;
}

static int get_text(const struct json_node *obj, const char *prefix, const char *key,
		    bool required, const char **out, struct derr *e)
{
	*out = NULL;
	const struct json_node *n = member(obj, key);
	if (!n)
		return required ? derr_set(e, DESK_EINVAL, "%s%s: required", prefix, key) : DESK_OK;
	if (n->type != JSON_TEXT)
		return derr_set(e, DESK_EINVAL, "%s%s: expected a string, got %s", prefix, key,
				type_desc(n));
	*out = n->text ? n->text : "";
	return DESK_OK;
}

/* get_text, and no longer than max bytes (caps.h). */
static int get_capped(const struct json_node *obj, const char *prefix, const char *key,
		      bool required, size_t max, const char **out, struct derr *e)
{
	int rc = get_text(obj, prefix, key, required, out, e);
	if (rc || !*out)
		return rc;
	char what[64];
	snprintf(what, sizeof what, "%s%s", prefix, key);
	return caps_check(what, *out, max, e);
}

/* A string that must hold something when given. */
static int get_word(const struct json_node *obj, const char *prefix, const char *key,
		    bool required, const char **out, struct derr *e)
{
	int rc = get_text(obj, prefix, key, required, out, e);
	if (rc == DESK_OK && *out && !**out)
		return derr_set(e, DESK_EINVAL, "%s%s: must not be empty", prefix, key);
	return rc;
}

/* Times are stored as UTC seconds, and 0 means "not set" throughout, so
 * the epoch itself and earlier are refused. */
static int get_time(const struct json_node *obj, const char *prefix, const char *key,
		    bool required, int64_t *out, struct derr *e)
{
	*out = 0;
	const char *s;
	int rc = get_text(obj, prefix, key, required, &s, e);
	if (rc || !s)
		return rc;
	char q[QUOTED];
	quote(q, sizeof q, s);
	if (!time_parse_rfc3339(s, out))
		return derr_set(e, DESK_EINVAL,
				"%s%s: expected an RFC 3339 time like 2026-11-01T09:30:00Z, got %s",
				prefix, key, q);
	if (*out <= 0)
		return derr_set(e, DESK_EINVAL, "%s%s: expected a time after 1970, got %s", prefix,
				key, q);
	return DESK_OK;
}

/* One of the names of an enum (name(0) .. name(count - 1)); *out keeps
 * its default when the member is absent. */
static int get_enum(const struct json_node *obj, const char *prefix, const char *key,
		    bool required, const char *(*name)(int), int count, int *out,
		    struct derr *e)
{
	const struct json_node *n = member(obj, key);
	if (!n)
		return required ? derr_set(e, DESK_EINVAL, "%s%s: required", prefix, key) : DESK_OK;
	for (int i = 0; n->type == JSON_TEXT && n->text && i < count; i++) {
		if (strcmp(n->text, name(i)) == 0) {
			*out = i;
			return DESK_OK;
		}
	}
	struct strbuf list = {0};
	for (int i = 0; i < count; i++)
		sb_addf(&list, "%s%s", i ? ", " : "", name(i));
	char q[QUOTED];
	if (n->type == JSON_TEXT)
		quote(q, sizeof q, n->text ? n->text : "");
	else
		snprintf(q, sizeof q, "%s", type_desc(n));
	derr_set(e, DESK_EINVAL, "%s%s: expected one of %s, got %s", prefix, key, sb_str(&list), q);
	sb_free(&list);
	return DESK_EINVAL;
}

/* The enums' name functions take their own enum; these adapt them. */
static const char *status_at(int i) { return status_name((enum status)i); }
static const char *priority_at(int i) { return priority_name((enum priority)i); }
static const char *channel_at(int i) { return channel_name((enum channel)i); }
static const char *msg_kind_at(int i) { return msg_kind_name((enum msg_kind)i); }
static const char *survey_at(int i) { return survey_kind_name((enum survey_kind)i); }

/* A whole number in lo..hi; `what` describes the range for the message. */
static int get_int(const struct json_node *obj, const char *prefix, const char *key,
		   bool required, int64_t lo, int64_t hi, const char *what, int *out,
		   struct derr *e)
{
	const struct json_node *n = member(obj, key);
	if (!n)
		return required ? derr_set(e, DESK_EINVAL, "%s%s: required", prefix, key) : DESK_OK;
	if (n->type != JSON_INTEGER && n->type != JSON_REAL)
		return derr_set(e, DESK_EINVAL, "%s%s: expected %s, got %s", prefix, key, what,
				type_desc(n));
	/* A huge integer comes back from SQLite as a real ("1.2e+19"), so
	 * its written form decides, not the clamped integer. */
	bool whole = n->type == JSON_INTEGER && n->text && !strpbrk(n->text, ".eE");
	if (!whole || n->integer < lo || n->integer > hi)
		return derr_set(e, DESK_EINVAL, "%s%s: expected %s, got %s", prefix, key, what,
				n->text ? n->text : "?");
	*out = (int)n->integer;
	return DESK_OK;
}

static int get_array(const struct json_node *obj, const char *prefix, const char *key,
		     const struct json_node **out, size_t *count, struct derr *e)
{
	*out = NULL;
	*count = 0;
	const struct json_node *n = member(obj, key);
	if (!n)
		return DESK_OK;
	if (n->type != JSON_ARRAY)
		return derr_set(e, DESK_EINVAL, "%s%s: expected an array, got %s", prefix, key,
				type_desc(n));
	*out = n;
	for (const struct json_node *c = n->child; c; c = c->next)
		(*count)++;
	return DESK_OK;
}

static int need_object(const struct json_node *n, const char *field, struct derr *e)
{
	if (n->type == JSON_OBJECT)
		return DESK_OK;
	return derr_set(e, DESK_EINVAL, "%s: expected an object, got %s", field, type_desc(n));
}

/* A Unix login, as core_agent_add accepts it: for agents an import adds. */
static bool valid_login(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 32 || s[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!isalnum(c) && c != '_' && c != '-' && c != '.')
			return false;
	}
	return true;
}

static int parse_customer(const struct json_node *n, struct in_customer *c, struct derr *e)
{
	int rc;
	const char *p = "customer.";
	if ((rc = need_object(n, "customer", e)) ||
	    (rc = check_keys(n, p, customer_keys, ARRAY_LEN(customer_keys), e)) ||
	    (rc = get_capped(n, p, "name", false, DESK_MAX_NAME, &c->name, e)) ||
	    (rc = get_capped(n, p, "email", false, DESK_MAX_NAME, &c->email, e)) ||
	    (rc = get_capped(n, p, "phone", false, DESK_MAX_NAME, &c->phone, e)) ||
	    (rc = get_capped(n, p, "organization", false, DESK_MAX_NAME, &c->organization, e)) ||
	    (rc = get_capped(n, p, "tier", false, DESK_MAX_NAME, &c->tier, e)) ||
	    (rc = get_capped(n, p, "notes", false, DESK_MAX_BODY, &c->notes, e)))
		return rc;
	if (c->email && !strchr(c->email, '@')) {
		char q[QUOTED];
		quote(q, sizeof q, c->email);
		return derr_set(e, DESK_EINVAL,
				"customer.email: expected an address like name@example.com, got %s",
				q);
	}
	return DESK_OK;
}

/* Strict base64 (RFC 4648, padded): GLib's decoder skips what it does
 * not know, and a file must come back whole or not at all. */
static bool base64_valid(const char *s)
{
	size_t n = strlen(s), pad = 0;
	if (n % 4)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '=') {
			pad++;
			continue;
		}
		if (pad || !(isalnum(c) || c == '+' || c == '/'))
			return false;
	}
	return pad <= 2;
}

/* A MIME type as desk writes it: type/subtype of token characters. */
static bool content_type_valid(const char *s)
{
	static const char token[] = "abcdefghijklmnopqrstuvwxyz0123456789!#$&-^_.+";
	const char *slash = strchr(s, '/');
	return slash && slash > s && strlen(s) < 128 && strspn(s, token) == (size_t)(slash - s) &&
	       slash[1] && strspn(slash + 1, token) == strlen(slash + 1);
}

static int parse_file(const struct json_node *n, const char *msg, size_t i, struct in_file *f,
		      struct derr *e)
{
	char p[80];
	snprintf(p, sizeof p, "%sattachments[%zu]", msg, i);
	int rc = need_object(n, p, e);
	if (rc)
		return rc;
	strcat(p, ".");
	const char *name, *data;
	if ((rc = check_keys(n, p, file_keys, ARRAY_LEN(file_keys), e)) ||
	    (rc = get_word(n, p, "filename", true, &name, e)) ||
	    (rc = get_word(n, p, "content_type", true, &f->content_type, e)) ||
	    (rc = get_text(n, p, "data", true, &data, e)))
		return rc;
	if (!content_type_valid(f->content_type)) {
		char q[QUOTED];
		quote(q, sizeof q, f->content_type);
		return derr_set(e, DESK_EINVAL,
				"%scontent_type: expected a lower-case MIME type like "
				"application/pdf, got %s",
				p, q);
	}
	if (!base64_valid(data))
		return derr_set(e, DESK_EINVAL, "%sdata: not base64 (RFC 4648, padded)", p);
	gsize len = 0;
	guchar *bytes = *data ? g_base64_decode(data, &len) : NULL;
	f->data = xmalloc(len ? len : 1);
	if (len)
		memcpy(f->data, bytes, len);
	g_free(bytes);
	f->size = len;
	f->filename = mail_safe_filename(name, f->content_type, (int)i + 1);
	const struct json_node *sz = member(n, "size");
	if (sz && (sz->type != JSON_INTEGER || sz->integer != (int64_t)len))
		return derr_set(e, DESK_EINVAL, "%ssize: %s, but data holds %zu bytes", p,
				sz->text ? sz->text : type_desc(sz), (size_t)len);
	return DESK_OK;
}

static int parse_message(const struct json_node *n_msg, size_t i, struct in_message *m,
			 struct derr *e)
{
	const struct json_node *n = n_msg;
	char p[48];
	snprintf(p, sizeof p, "messages[%zu]", i);
	int rc = need_object(n, p, e);
	if (rc)
		return rc;
	strcat(p, ".");
	int kind = MSG_CUSTOMER;
	if ((rc = check_keys(n, p, message_keys, ARRAY_LEN(message_keys), e)) ||
	    (rc = get_enum(n, p, "kind", true, msg_kind_at, MSG__COUNT, &kind, e)) ||
	    (rc = get_word(n, p, "author", false, &m->author, e)) ||
	    (rc = get_time(n, p, "at", true, &m->at, e)) ||
	    (rc = get_capped(n, p, "body", true, DESK_MAX_BODY, &m->body, e)) ||
	    (rc = get_word(n, p, "message_id", false, &m->message_id, e)))
		return rc;
	m->kind = (enum msg_kind)kind;
	const struct json_node *a = member(n, "auto");
	if (a && a->type != JSON_TRUE && a->type != JSON_FALSE)
		return derr_set(e, DESK_EINVAL, "%sauto: expected true or false, got %s", p,
				type_desc(a));
	m->automatic = a && a->type == JSON_TRUE;
	if ((m->kind == MSG_REPLY || m->kind == MSG_NOTE) && !m->author)
		return derr_set(e, DESK_EINVAL, "%sauthor: required for a %s (an agent's login)", p,
				msg_kind_name(m->kind));
	if (m->kind == MSG_CUSTOMER && m->author)
		return derr_set(e, DESK_EINVAL,
				"%sauthor: a customer message has no author (the ticket's "
				"customer wrote it)",
				p);
	const struct json_node *arr;
	size_t nf;
	if ((rc = get_array(n_msg, p, "attachments", &arr, &nf, e)))
		return rc;
	/* one more, zeroed: in_ticket_free reads up to the one that failed */
	m->files = nf ? xcalloc(nf + 1, sizeof *m->files) : NULL;
	for (const struct json_node *x = arr ? arr->child : NULL; x; x = x->next) {
		if ((rc = parse_file(x, p, m->nfiles, &m->files[m->nfiles], e)))
			return rc;
		m->nfiles++;
	}
	return DESK_OK;
}

static int parse_survey(const struct json_node *n, size_t i, struct in_survey *s,
			struct derr *e)
{
	char p[48];
	snprintf(p, sizeof p, "surveys[%zu]", i);
	int rc = need_object(n, p, e);
	if (rc)
		return rc;
	strcat(p, ".");
	int kind = SURVEY_CSAT;
	if ((rc = check_keys(n, p, survey_keys, ARRAY_LEN(survey_keys), e)) ||
	    (rc = get_enum(n, p, "kind", true, survey_at, SURVEY__COUNT, &kind, e)))
		return rc;
	s->kind = (enum survey_kind)kind;
	int lo, hi;
	survey_range(s->kind, &lo, &hi);
	char what[64];
	snprintf(what, sizeof what, "%d to %d for %s", lo, hi, survey_kind_name(s->kind));
	if ((rc = get_int(n, p, "score", true, lo, hi, what, &s->score, e)) ||
	    (rc = get_time(n, p, "at", true, &s->at, e)) ||
	    (rc = get_capped(n, p, "comment", false, DESK_MAX_BODY, &s->comment, e)))
		return rc;
	return DESK_OK;
}

static const char *time_source_at(int i) { return i ? "measured" : "manual"; }

static int parse_time(const struct json_node *n, size_t i, size_t nmessages, struct in_time *t,
		      struct derr *e)
{
	char p[48];
	snprintf(p, sizeof p, "time[%zu]", i);
	int rc = need_object(n, p, e);
	if (rc)
		return rc;
	strcat(p, ".");
	int seconds = 0, source = 0, message = 0;
	char most[64];
	snprintf(most, sizeof most, "a whole number of seconds from 1 to %d", TIME_ENTRY_MAX);
	if ((rc = check_keys(n, p, time_keys, ARRAY_LEN(time_keys), e)) ||
	    (rc = get_word(n, p, "agent", true, &t->agent, e)) ||
	    (rc = get_int(n, p, "seconds", true, 1, TIME_ENTRY_MAX, most, &seconds, e)) ||
	    (rc = get_enum(n, p, "source", false, time_source_at, 2, &source, e)) ||
	    (rc = get_text(n, p, "note", false, &t->note, e)) ||
	    (rc = get_time(n, p, "at", true, &t->at, e)) ||
	    (rc = get_int(n, p, "message", false, 1, 1000000000, "the place of a message (from 1)",
			  &message, e)))
		return rc;
	t->seconds = seconds;
	t->measured = source == 1;
	t->message = message;
	if ((size_t)message > nmessages)
		return derr_set(e, DESK_EINVAL, "%smessage: %d, but the ticket has %zu message%s", p,
				message, nmessages, nmessages == 1 ? "" : "s");
	struct time_log tl = {.seconds = t->seconds, .note = t->note};
	if ((rc = core_time_check(&tl, e)))
		derr_prefix(e, "%snote", p);
	return rc;
}

static int parse_event(const struct json_node *n, size_t i, struct in_event *ev,
		       struct derr *e)
{
	char p[48];
	snprintf(p, sizeof p, "events[%zu]", i);
	int rc = need_object(n, p, e);
	if (rc)
		return rc;
	strcat(p, ".");
	if ((rc = check_keys(n, p, event_keys, ARRAY_LEN(event_keys), e)) ||
	    (rc = get_time(n, p, "at", true, &ev->at, e)) ||
	    (rc = get_word(n, p, "agent", false, &ev->agent, e)) ||
	    (rc = get_word(n, p, "action", true, &ev->action, e)) ||
	    (rc = get_text(n, p, "field", false, &ev->field, e)) ||
	    (rc = get_capped(n, p, "old", false, DESK_MAX_BODY, &ev->old_value, e)) ||
	    (rc = get_capped(n, p, "new", false, DESK_MAX_BODY, &ev->new_value, e)))
		return rc;
	return DESK_OK;
}

static void in_ticket_free(struct in_ticket *t)
{
	free(t->tags);
	for (size_t i = 0; t->messages && i <= t->nmessages; i++) {
		struct in_message *m = &t->messages[i];
		for (size_t j = 0; m->files && j <= m->nfiles; j++) {
			free(m->files[j].filename);
			free(m->files[j].data);
		}
		free(m->files);
	}
	free(t->messages);
	free(t->surveys);
	free(t->events);
	free(t->times);
	memset(t, 0, sizeof *t);
}

bool import_blank(const char *s)
{
	for (; *s; s++)
		if (!isspace((unsigned char)*s))
			return false;
	return true;
}

/* Fills t from the line's tree, or says which field is wrong and why. */
static int parse_ticket(const struct json_node *root, struct in_ticket *t, struct derr *e)
{
	memset(t, 0, sizeof *t);
	if (root->type != JSON_OBJECT)
		return derr_set(e, DESK_EINVAL, "expected a JSON object (one ticket), got %s",
				type_desc(root));
	int status = ST_NEW, priority = PRIO_NORMAL, channel = CH_EMAIL;
	int rc;
	if ((rc = check_keys(root, "", ticket_keys, ARRAY_LEN(ticket_keys), e)) ||
	    (rc = get_word(root, "", "external_id", false, &t->external_id, e)) ||
	    (rc = get_capped(root, "", "subject", true, DESK_MAX_SUBJECT, &t->subject, e)))
		return rc;
	if (import_blank(t->subject))
		return derr_set(e, DESK_EINVAL, "subject: must not be empty");
	if ((rc = get_enum(root, "", "status", false, status_at, ST__COUNT, &status, e)) ||
	    (rc = get_enum(root, "", "priority", false, priority_at, PRIO__COUNT, &priority, e)) ||
	    (rc = get_enum(root, "", "channel", false, channel_at, CH__COUNT, &channel, e)) ||
	    (rc = get_text(root, "", "queue", false, &t->queue, e)) ||
	    (rc = get_word(root, "", "assignee", false, &t->assignee, e)) ||
	    (rc = get_time(root, "", "created_at", false, &t->created_at, e)) ||
	    (rc = get_time(root, "", "updated_at", false, &t->updated_at, e)) ||
	    (rc = get_time(root, "", "first_solved_at", false, &t->first_solved_at, e)) ||
	    (rc = get_time(root, "", "solved_at", false, &t->solved_at, e)) ||
	    (rc = get_time(root, "", "closed_at", false, &t->closed_at, e)) ||
	    (rc = get_int(root, "", "reopens", false, 0, 1000000, "a whole number from 0 up",
			  &t->reopens, e)) ||
	    (rc = get_word(root, "", "merged_into", false, &t->merged_into, e)))
		return rc;
	t->status = (enum status)status;
	t->priority = (enum priority)priority;
	t->channel = (enum channel)channel;
	if (t->queue && !label_is_valid(t->queue)) {
		char q[QUOTED];
		quote(q, sizeof q, t->queue);
		return derr_set(e, DESK_EINVAL, "queue: expected a queue name (" LABEL_RULE "), got %s",
				q);
	}
	if (t->merged_into && t->external_id && strcmp(t->merged_into, t->external_id) == 0)
		return derr_set(e, DESK_EINVAL,
				"merged_into: a ticket cannot be merged into itself");

	const struct json_node *c = member(root, "customer");
	if (c) {
		t->has_customer = true;
		if ((rc = parse_customer(c, &t->customer, e)))
			return rc;
	}

	const struct json_node *arr;
	size_t n, i;
	if ((rc = get_array(root, "", "tags", &arr, &n, e)))
		return rc;
	t->tags = xcalloc(n + 1, sizeof *t->tags);
	i = 0;
	for (const struct json_node *x = arr ? arr->child : NULL; x; x = x->next, i++) {
		char q[QUOTED];
		if (x->type != JSON_TEXT)
			return derr_set(e, DESK_EINVAL, "tags[%zu]: expected a string, got %s", i,
					type_desc(x));
		quote(q, sizeof q, x->text ? x->text : "");
		if (!x->text || !label_is_valid(x->text))
			return derr_set(e, DESK_EINVAL,
					"tags[%zu]: expected a tag name (" LABEL_RULE "), got %s", i, q);
		t->tags[t->ntags++] = x->text;
	}

	if ((rc = get_array(root, "", "messages", &arr, &n, e)))
		return rc;
	t->messages = xcalloc(n + 1, sizeof *t->messages);
	for (const struct json_node *x = arr ? arr->child : NULL; x; x = x->next) {
		if ((rc = parse_message(x, t->nmessages, &t->messages[t->nmessages], e)))
			return rc;
		t->nmessages++;
	}

	if ((rc = get_array(root, "", "surveys", &arr, &n, e)))
		return rc;
	t->surveys = xcalloc(n + 1, sizeof *t->surveys);
	for (const struct json_node *x = arr ? arr->child : NULL; x; x = x->next) {
		if ((rc = parse_survey(x, t->nsurveys, &t->surveys[t->nsurveys], e)))
			return rc;
		t->nsurveys++;
	}

	if ((rc = get_array(root, "", "time", &arr, &n, e)))
		return rc;
	t->times = xcalloc(n + 1, sizeof *t->times);
	for (const struct json_node *x = arr ? arr->child : NULL; x; x = x->next) {
		if ((rc = parse_time(x, t->ntimes, t->nmessages, &t->times[t->ntimes], e)))
			return rc;
		t->ntimes++;
	}

	if ((rc = get_array(root, "", "events", &arr, &n, e)))
		return rc;
	t->events = xcalloc(n + 1, sizeof *t->events);
	for (const struct json_node *x = arr ? arr->child : NULL; x; x = x->next) {
		if ((rc = parse_event(x, t->nevents, &t->events[t->nevents], e)))
			return rc;
		t->nevents++;
	}
	return DESK_OK;
}

/* --- writing one line -------------------------------------------------- */

/* An agent by login; one the desk has never seen is added as a plain
 * agent named after the login (an admin can rename and promote later),
 * with the audit event core_agent_add would write. */
static int agent_for(struct importer *im, const char *field, const char *login, int64_t *id,
		     struct derr *e)
{
	gpointer known;
	if (g_hash_table_lookup_extended(im->agent_ids, login, NULL, &known)) {
		*id = (int64_t)(intptr_t)known;
		return DESK_OK;
	}
	struct agent a = {0};
	int rc = store_agent_by_login(im->d->st, login, &a, e);
	if (rc == DESK_OK) {
		*id = a.id;
		g_hash_table_insert(im->agent_ids, g_strdup(login), (gpointer)(intptr_t)a.id);
		agent_free(&a);
		return DESK_OK;
	}
	if (rc != DESK_ENOTFOUND)
		return rc;
	if (!valid_login(login)) {
		char q[QUOTED];
		quote(q, sizeof q, login);
		return derr_set(e, DESK_EINVAL,
				"%s: %s is not a valid login (letters, digits, '.', '_', '-'; at "
				"most 32)",
				field, q);
	}
	a.login = (char *)login;
	a.name = (char *)login;
	a.role = ROLE_AGENT;
	a.active = true;
	a.created_at = im->now;
	if ((rc = store_agent_insert(im->d->st, &a, e)) ||
	    (rc = core_agent_event(im->d, login, NULL, ROLE_AGENT, e)))
		return rc;
	*id = a.id;
	g_hash_table_insert(im->agent_ids, g_strdup(login), (gpointer)(intptr_t)a.id);
	return DESK_OK;
}

static bool fill(char **dst, const char *src)
{
	if (!src || !str_empty(*dst))
		return false;
	free(*dst);
	*dst = xstrdup(src);
	return true;
}

/* Matched by email (case-insensitively, as the column is NOCASE) or
 * added.  A known customer only gains the details it lacked: an import
 * of old tickets must not overwrite what agents have since recorded. */
static int customer_for(struct importer *im, const struct in_customer *c, int64_t created,
			int64_t *id, struct derr *e)
{
	int rc;
	if (c->email) {
		struct customer old = {0};
		rc = store_customer_by_email(im->d->st, c->email, &old, e);
		if (rc == DESK_OK) {
			bool changed = fill(&old.name, c->name);
			changed |= fill(&old.phone, c->phone);
			changed |= fill(&old.organization, c->organization);
			changed |= fill(&old.tier, c->tier);
			changed |= fill(&old.notes, c->notes);
			if (changed)
				rc = store_customer_update(im->d->st, &old, e);
			*id = old.id;
			customer_free(&old);
			return rc;
		}
		if (rc != DESK_ENOTFOUND)
			return rc;
	}
	struct customer n = {
		.name = (char *)c->name,
		.email = (char *)c->email,
		.phone = (char *)c->phone,
		.organization = (char *)c->organization,
		.tier = (char *)c->tier,
		.notes = (char *)c->notes,
		.created_at = created,
	};
	rc = store_customer_insert(im->d->st, &n, e);
	*id = n.id;
	return rc;
}

static int64_t latest(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

/* Times the line leaves out: created_at falls back to the earliest
 * message, then event, then now; updated_at to the latest thing that
 * happened. */
static void fill_times(struct importer *im, struct in_ticket *in)
{
	if (!in->created_at) {
		for (size_t i = 0; i < in->nmessages; i++)
			if (!in->created_at || in->messages[i].at < in->created_at)
				in->created_at = in->messages[i].at;
		for (size_t i = 0; i < in->nevents && !in->created_at; i++)
			in->created_at = in->events[i].at;
		if (!in->created_at)
			in->created_at = im->now;
	}
	if (!in->updated_at) {
		int64_t u = latest(in->created_at, latest(in->solved_at, in->closed_at));
		for (size_t i = 0; i < in->nmessages; i++)
			u = latest(u, in->messages[i].at);
		for (size_t i = 0; i < in->nevents; i++)
			u = latest(u, in->events[i].at);
		in->updated_at = u;
	}
}

/* The solve times a line leaves out, which the report cannot do without:
 * a ticket solved once has a first and a latest solve.  They come from
 * the line's status events (the first and last change to solved), then
 * from each other, then, for a ticket solved or closed now, from its
 * last message (it was solved after its last word); a solved or closed
 * ticket with none of these cannot be placed in time and is refused.
 * A ticket merged into another needs none: it was closed, not solved. */
static int fill_solves(struct in_ticket *in, struct derr *e)
{
	int64_t first_ev = 0, last_ev = 0;
	for (size_t i = 0; i < in->nevents; i++) {
		const struct in_event *x = &in->events[i];
		if (!x->field || strcmp(x->field, "status") != 0 || !x->new_value ||
		    strcmp(x->new_value, "solved") != 0)
			continue;
		if (!first_ev || x->at < first_ev)
			first_ev = x->at;
		last_ev = latest(last_ev, x->at);
	}
	if (!in->first_solved_at)
		in->first_solved_at = first_ev ? first_ev : in->solved_at;
	if (!in->solved_at)
		in->solved_at = last_ev ? last_ev : in->first_solved_at;
	/* A ticket merged away is closed without being solved. */
	bool solved_now = (in->status == ST_SOLVED || in->status == ST_CLOSED) && !in->merged_into;
	if (solved_now && !in->first_solved_at) {
		int64_t last_msg = 0;
		for (size_t i = 0; i < in->nmessages; i++)
			last_msg = latest(last_msg, in->messages[i].at);
		if (!last_msg)
			return derr_set(e, DESK_EINVAL,
					"status: a %s ticket needs first_solved_at or solved_at "
					"(or a status event or a message to date its solve)",
					status_name(in->status));
		in->first_solved_at = in->solved_at = last_msg;
	}
	if (in->solved_at && in->solved_at < in->first_solved_at)
		return derr_set(e, DESK_EINVAL,
				"solved_at: the latest solve is before first_solved_at");
	return DESK_OK;
}

/* The first reply after the customer first wrote, as core_post counts
 * it; 0 if the customer never wrote or nobody answered.  Automatic mail
 * (an out-of-office, an auto-responder) is neither. */
static int64_t first_response(const struct in_ticket *in)
{
	int64_t asked = 0, answered = 0;
	for (size_t i = 0; i < in->nmessages; i++)
		if (in->messages[i].kind == MSG_CUSTOMER && !in->messages[i].automatic &&
		    (!asked || in->messages[i].at < asked))
			asked = in->messages[i].at;
	for (size_t i = 0; asked && i < in->nmessages; i++) {
		const struct in_message *m = &in->messages[i];
		if (m->kind == MSG_REPLY && !m->automatic && m->at >= asked &&
		    (!answered || m->at < answered))
			answered = m->at;
	}
	return answered;
}

/* Time spent pending stops the resolution clock.  The line's status
 * events tell when the ticket went pending and came back, and replaying
 * them through sla_status_change gives the pause core would have
 * counted; a ticket pending without such events is taken to have been
 * pending since its last update. */
static void pause_from_events(const struct config *cfg, struct ticket *t,
			      const struct in_ticket *in)
{
	t->pending_since = 0;
	t->paused_seconds = 0;
	for (size_t i = 0; i < in->nevents; i++) {
		const struct in_event *x = &in->events[i];
		if (!x->field || strcmp(x->field, "status") != 0)
			continue;
		int from = status_from_name(x->old_value), to = status_from_name(x->new_value);
		if (from >= 0 && to >= 0)
			sla_status_change(cfg, t, (enum status)from, (enum status)to, x->at);
	}
	if (t->status != ST_PENDING)
		t->pending_since = 0;
	else if (!t->pending_since)
		t->pending_since = t->updated_at;
}

static bool same_text(const char *a, const char *b)
{
	return a && b ? strcmp(a, b) == 0 : a == b;
}

/* The audit trail is append-only, so a re-imported ticket keeps its
 * events and gains only the file's events it does not hold yet: an
 * event of the file matches one of the ticket's (each used once) when
 * every member is the same.  Exporting and importing back adds nothing
 * but the import's own event. */
static bool already_there(const struct event_list *had, bool *used, const struct in_event *x)
{
	for (size_t j = 0; had && j < had->n; j++) {
		const struct event *o = &had->v[j];
		if (!used[j] && o->at == x->at && same_text(o->agent_login, x->agent) &&
		    same_text(o->action, x->action) && same_text(o->field, x->field) &&
		    same_text(o->old_value, x->old_value) &&
		    same_text(o->new_value, x->new_value)) {
			used[j] = true;
			return true;
		}
	}
	return false;
}

/* had: the events of the ticket being replaced (NULL for a new one);
 * used has one flag per event of had. */
/* msg_ids gets the id of each message written, for the time entries. */
static int write_rows(struct importer *im, int64_t id, const struct in_ticket *in,
		      const struct event_list *had, bool *used, int64_t *msg_ids, struct derr *e)
{
	struct store *st = im->d->st;
	int rc = DESK_OK;
	char field[64];
	/* The messages are written in one go (store_messages_insert: one
	 * statement on PostgreSQL), after their checks, in the order each
	 * message's checks came before its own INSERT: none of them is in
	 * yet, and the line's Message-IDs differ from each other. */
	size_t nm = in->nmessages;
	struct message *rows = xcalloc(nm + 1, sizeof *rows);
	const char **mids = xcalloc(nm + 1, sizeof *mids);
	int64_t *owners = xcalloc(nm + 1, sizeof *owners);
	for (size_t i = 0; i < nm; i++)
		mids[i] = in->messages[i].message_id;
	rc = store_message_id_owners(st, mids, nm, owners, e);
	for (size_t i = 0; rc == DESK_OK && i < nm; i++) {
		const struct in_message *m = &in->messages[i];
		rows[i] = (struct message){.ticket_id = id, .kind = m->kind, .body = (char *)m->body,
					   .created_at = m->at, .message_id = (char *)m->message_id,
					   .automatic = m->automatic};
		if (m->message_id && owners[i]) {
			char q[QUOTED];
			quote(q, sizeof q, m->message_id);
			rc = derr_set(e, DESK_EINVAL,
				      "messages[%zu].message_id: %s is already the id of a "
				      "message of ticket %lld",
				      i, q, (long long)owners[i]);
			break;
		}
		snprintf(field, sizeof field, "messages[%zu].author", i);
		if (m->author)
			rc = agent_for(im, field, m->author, &rows[i].author_id, e);
	}
	if (rc == DESK_OK)
		rc = store_messages_insert(st, rows, nm, e);
	for (size_t i = 0; rc == DESK_OK && i < nm; i++) {
		const struct in_message *m = &in->messages[i];
		for (size_t j = 0; rc == DESK_OK && j < m->nfiles; j++) {
			struct attachment a = {.message_id = rows[i].id,
					       .filename = m->files[j].filename,
					       .content_type = (char *)m->files[j].content_type,
					       .size = (int64_t)m->files[j].size};
			rc = store_attachment_insert(st, &a, m->files[j].data, e);
		}
		msg_ids[i] = rows[i].id;
	}
	free(rows);
	free(mids);
	free(owners);
	if (rc)
		return rc;
	for (size_t i = 0; i < in->ntimes; i++) {
		const struct in_time *x = &in->times[i];
		struct time_entry te = {.ticket_id = id, .seconds = x->seconds,
					.measured = x->measured, .note = (char *)x->note,
					.created_at = x->at,
					.message_id = x->message ? msg_ids[x->message - 1] : 0};
		if (te.note && !*te.note)
			te.note = NULL;
		snprintf(field, sizeof field, "time[%zu].agent", i);
		if ((rc = agent_for(im, field, x->agent, &te.agent_id, e)) ||
		    (rc = store_time_insert(st, &te, e)))
			return rc;
	}
	for (size_t i = 0; i < in->nsurveys; i++) {
		struct survey s = {.ticket_id = id, .kind = in->surveys[i].kind,
				   .score = in->surveys[i].score, .answered_at = in->surveys[i].at,
				   .comment = (char *)in->surveys[i].comment};
		if ((rc = store_survey_insert(st, &s, e)))
			return rc;
	}
	/* The file's events and the import's own, in one go as well. */
	struct event *evs = xcalloc(in->nevents + 1, sizeof *evs);
	size_t nev = 0;
	for (size_t i = 0; rc == DESK_OK && i < in->nevents; i++) {
		const struct in_event *x = &in->events[i];
		if (already_there(had, used, x))
			continue;
		struct event *ev = &evs[nev++];
		*ev = (struct event){.ticket_id = id, .at = x->at, .action = (char *)x->action,
				     .field = (char *)x->field, .old_value = (char *)x->old_value,
				     .new_value = (char *)x->new_value};
		snprintf(field, sizeof field, "events[%zu].agent", i);
		if (x->agent)
			rc = agent_for(im, field, x->agent, &ev->agent_id, e);
	}
	/* Who loaded or replaced the ticket, and from where: in the same
	 * transaction as what it wrote, whatever the file says. */
	char where[256];
	snprintf(where, sizeof where, "%s:%ld", im->name, im->line);
	evs[nev++] = (struct event){.ticket_id = id, .agent_id = im->agent_id, .at = im->now,
				    .action = "import", .new_value = where};
	if (rc == DESK_OK)
		rc = store_events_insert(st, evs, nev, e);
	free(evs);
	return rc;
}

static int write_children(struct importer *im, int64_t id, const struct in_ticket *in,
			  const struct event_list *had, bool *used, struct derr *e)
{
	int64_t *msg_ids = xcalloc(in->nmessages + 1, sizeof *msg_ids);
	int rc = write_rows(im, id, in, had, used, msg_ids, e);
	free(msg_ids);
	return rc;
}

static int write_ticket(struct importer *im, struct in_ticket *in, bool *created,
			struct derr *e)
{
	struct store *st = im->d->st;
	int64_t existing = 0;
	int rc;
	if (in->external_id) {
		rc = store_ticket_by_external_id(st, in->external_id, &existing, e);
		if (rc && rc != DESK_ENOTFOUND)
			return rc;
	}
	fill_times(im, in);
	if ((rc = fill_solves(in, e)))
		return rc;
	const char *queue = in->queue ? in->queue
			    : im->d->cfg && im->d->cfg->default_queue ? im->d->cfg->default_queue
								       : "general";
	/* Borrowed strings only: t is never ticket_free'd. */
	struct ticket t = {
		.id = existing,
		.external_id = (char *)in->external_id,
		.subject = (char *)in->subject,
		.status = in->status,
		.priority = in->priority,
		.channel = in->channel,
		.queue = (char *)queue,
		.created_at = in->created_at,
		.updated_at = in->updated_at,
		.first_response_at = first_response(in),
		.first_solved_at = in->first_solved_at,
		.solved_at = in->solved_at,
		.closed_at = in->closed_at,
		.reopens = in->reopens,
		.tags = (char **)in->tags,
		.ntags = in->ntags,
	};
	if (in->has_customer && (rc = customer_for(im, &in->customer, in->created_at,
						   &t.customer_id, e)))
		return rc;
	if (in->assignee && (rc = agent_for(im, "assignee", in->assignee, &t.assignee_id, e)))
		return rc;
	bool defer = false;
	if (in->merged_into) {
		rc = store_ticket_by_external_id(st, in->merged_into, &t.merged_into, e);
		if (rc == DESK_ENOTFOUND)
			defer = true;
		else if (rc)
			return rc;
		if (t.merged_into && t.merged_into == existing)
			return derr_set(e, DESK_EINVAL,
					"merged_into: a ticket cannot be merged into itself");
	}
	if (existing) {
		if ((rc = store_ticket_update(st, &t, e)) || (rc = store_ticket_clear(st, t.id, e)))
			return rc;
		if ((rc = store_tags_add(st, t.id, (char *const *)in->tags, in->ntags, e)))
			return rc;
	} else if ((rc = store_ticket_insert(st, &t, e))) {
		return rc;
	}
	/* The clocks, as core_save would leave them, now that the thread
	 * they are read from is in. */
	pause_from_events(im->d->cfg, &t, in);
	struct event_list had = {0};
	if (existing && (rc = store_events(st, existing, &had, e))) {
		event_list_free(&had);
		return rc;
	}
	bool *used = xcalloc(had.n + 1, sizeof *used);
	rc = write_children(im, t.id, in, existing ? &had : NULL, used, e);
	free(used);
	event_list_free(&had);
	if (rc || (rc = sla_refresh(im->d, &t, e)) || (rc = store_ticket_update(st, &t, e)))
		return rc;
	if (defer) {
		xgrow((void **)&im->pend, &im->cappend, im->npend + 1, sizeof *im->pend);
		im->pend[im->npend++] = (struct pending_merge){t.id, im->line,
								xstrdup(in->merged_into)};
	}
	*created = !existing;
	return DESK_OK;
}

/* --- one line: checking, writing --------------------------------------- */

void importer_init(struct importer *im, struct desk *d, const char *name, int64_t now,
		   int64_t agent_id, bool skip_bad)
{
	*im = (struct importer){.d = d, .name = name, .now = now, .agent_id = agent_id,
				.skip_bad = skip_bad};
	im->agent_ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	im->logins_ok = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	im->xids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	im->msg_ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	im->msg_xids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
}

void import_drop_pending(struct importer *im, size_t keep)
{
	while (im->npend > keep)
		free(im->pend[--im->npend].xid);
}

void importer_free(struct importer *im)
{
	import_drop_pending(im, 0);
	free(im->pend);
	for (size_t i = 0; i < im->ntargets; i++)
		free(im->targets[i].xid);
	free(im->targets);
	g_hash_table_destroy(im->agent_ids);
	g_hash_table_destroy(im->logins_ok);
	g_hash_table_destroy(im->xids);
	g_hash_table_destroy(im->msg_ids);
	g_hash_table_destroy(im->msg_xids);
	memset(im, 0, sizeof *im);
}

void import_forget(struct importer *im)
{
	g_hash_table_remove_all(im->agent_ids);
}

/* A login the write would take: an agent's, or one it may add. */
static int check_login(struct importer *im, const char *field, const char *login,
		       struct derr *e)
{
	if (!login || g_hash_table_contains(im->logins_ok, login))
		return DESK_OK;
	struct agent a = {0};
	int rc = store_agent_by_login(im->d->st, login, &a, e);
	agent_free(&a);
	if (rc != DESK_OK && rc != DESK_ENOTFOUND)
		return rc;
	if (rc == DESK_ENOTFOUND && !valid_login(login)) {
		char q[QUOTED];
		quote(q, sizeof q, login);
		return derr_set(e, DESK_EINVAL,
				"%s: %s is not a valid login (letters, digits, '.', '_', '-'; at "
				"most 32)",
				field, q);
	}
	derr_clear(e);
	g_hash_table_add(im->logins_ok, g_strdup(login));
	return DESK_OK;
}

static int check_logins(struct importer *im, const struct in_ticket *in, struct derr *e)
{
	char field[64];
	int rc = check_login(im, "assignee", in->assignee, e);
	for (size_t i = 0; rc == DESK_OK && i < in->nmessages; i++) {
		snprintf(field, sizeof field, "messages[%zu].author", i);
		rc = check_login(im, field, in->messages[i].author, e);
	}
	for (size_t i = 0; rc == DESK_OK && i < in->ntimes; i++) {
		snprintf(field, sizeof field, "time[%zu].agent", i);
		rc = check_login(im, field, in->times[i].agent, e);
	}
	for (size_t i = 0; rc == DESK_OK && i < in->nevents; i++) {
		snprintf(field, sizeof field, "events[%zu].agent", i);
		rc = check_login(im, field, in->events[i].agent, e);
	}
	return rc;
}

/* A Message-ID belongs to one message: not another ticket's in the desk
 * (the ticket this line replaces loses its own messages first), not
 * another line's unless that line is the same ticket, replaced again.
 * owners: the ticket in the desk of each message's Message-ID, 0 for
 * none. */
static int check_message_owners(struct importer *im, const struct in_ticket *in,
				const int64_t *owners, struct derr *e)
{
	int64_t existing = -1;
	for (size_t i = 0; i < in->nmessages; i++) {
		const char *mid = in->messages[i].message_id;
		if (!mid)
			continue;
		char q[QUOTED];
		quote(q, sizeof q, mid);
		for (size_t j = 0; j < i; j++)
			if (in->messages[j].message_id && strcmp(in->messages[j].message_id, mid) == 0)
				return derr_set(e, DESK_EINVAL,
						"messages[%zu].message_id: %s is already the id of "
						"messages[%zu]",
						i, q, j);
		gpointer seen;
		if (g_hash_table_lookup_extended(im->msg_ids, mid, NULL, &seen)) {
			long on = (long)GPOINTER_TO_INT(seen);
			const char *xid = g_hash_table_lookup(im->msg_xids, mid);
			if (on == im->line || !in->external_id || !xid || strcmp(xid, in->external_id))
				return derr_set(e, DESK_EINVAL,
						"messages[%zu].message_id: %s is already the id of a "
						"message on line %ld",
						i, q, on);
		}
		int64_t owner = owners[i];
		if (owner && existing < 0) {
			int rc;
			existing = 0;
			if (in->external_id) {
				rc = store_ticket_by_external_id(im->d->st, in->external_id,
								 &existing, e);
				if (rc && rc != DESK_ENOTFOUND)
					return rc;
				derr_clear(e);
			}
		}
		if (owner && owner != existing)
			return derr_set(e, DESK_EINVAL,
					"messages[%zu].message_id: %s is already the id of a message "
					"of ticket %lld",
					i, q, (long long)owner);
	}
	for (size_t i = 0; i < in->nmessages; i++) {
		const char *mid = in->messages[i].message_id;
		if (!mid)
			continue;
		g_hash_table_insert(im->msg_ids, g_strdup(mid), GINT_TO_POINTER((int)im->line));
		g_hash_table_insert(im->msg_xids, g_strdup(mid),
				    g_strdup(in->external_id ? in->external_id : ""));
	}
	return DESK_OK;
}

static int check_message_ids(struct importer *im, const struct in_ticket *in, struct derr *e)
{
	const char **mids = xcalloc(in->nmessages + 1, sizeof *mids);
	int64_t *owners = xcalloc(in->nmessages + 1, sizeof *owners);
	for (size_t i = 0; i < in->nmessages; i++)
		mids[i] = in->messages[i].message_id;
	int rc = store_message_id_owners(im->d->st, mids, in->nmessages, owners, e);
	if (rc == DESK_OK)
		rc = check_message_owners(im, in, owners, e);
	free(mids);
	free(owners);
	return rc;
}

int import_check(struct importer *im, const char *text, size_t len, struct derr *e)
{
	if (strlen(text) != len)
		return derr_set(e, DESK_EINVAL, "holds a NUL byte; not valid JSON");
	struct json_node *root = NULL;
	int rc = store_json_parse(im->d->st, text, &root, e);
	if (rc)
		return rc;
	struct in_ticket in;
	rc = parse_ticket(root, &in, e);
	if (rc == DESK_OK)
		rc = fill_solves(&in, e);
	if (rc == DESK_OK)
		rc = check_logins(im, &in, e);
	if (rc == DESK_OK)
		rc = check_message_ids(im, &in, e);
	if (rc == DESK_OK && in.merged_into) {
		int64_t into = 0;
		rc = store_ticket_by_external_id(im->d->st, in.merged_into, &into, e);
		if (rc == DESK_ENOTFOUND) {
			/* in the file, maybe later: known at the end */
			derr_clear(e);
			xgrow((void **)&im->targets, &im->captargets, im->ntargets + 1,
			      sizeof *im->targets);
			im->targets[im->ntargets++] =
				(struct pending_merge){0, im->line, xstrdup(in.merged_into)};
			rc = DESK_OK;
		}
	}
	if (rc == DESK_OK && in.external_id)
		g_hash_table_add(im->xids, g_strdup(in.external_id));
	in_ticket_free(&in);
	json_node_free(&root);
	return rc;
}

int import_check_merges(struct importer *im, FILE *report, long *bad, struct derr *e)
{
	for (size_t i = 0; i < im->ntargets; i++) {
		const struct pending_merge *p = &im->targets[i];
		if (g_hash_table_contains(im->xids, p->xid))
			continue;
		char q[QUOTED];
		quote(q, sizeof q, p->xid);
		derr_set(e, DESK_EINVAL,
			 "%s:%ld: merged_into: no ticket %s in the file or the desk%s", im->name,
			 p->line, q, im->skip_bad ? "; imported without the link" : "");
		if (report)
			import_report(report, e->msg);
		if (!im->skip_bad)
			return DESK_EINVAL;
		(*bad)++;
		derr_clear(e);
	}
	return DESK_OK;
}

int import_write(struct importer *im, const char *text, size_t len, bool *created,
		 struct derr *e)
{
	if (strlen(text) != len)
		return derr_set(e, DESK_EINVAL, "holds a NUL byte; not valid JSON");
	struct json_node *root = NULL;
	int rc = store_json_parse(im->d->st, text, &root, e);
	if (rc)
		return rc;
	struct in_ticket in;
	rc = parse_ticket(root, &in, e);
	if (rc == DESK_OK)
		rc = write_ticket(im, &in, created, e);
	in_ticket_free(&in);
	json_node_free(&root);
	return rc;
}
