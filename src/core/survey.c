/* survey.c: what surveys are made of (tokens, the sample, reading a
 * score out of a reply) and the answers agents record and supervisors
 * list.  Mailing them is survey_tick.c; answers by mail, survey_mail.c. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "caps.h"
#include "core.h"
#include "internal_core.h"
#include "text.h"
#include "util.h"

/* How many of a reply's own non-blank lines may hold the score: past
 * them a number is part of what the customer says, not the answer. */
#define SCORE_LINES 3

int survey_token_new(char out[SURVEY_TOKEN_LEN + 1], struct derr *e)
{
	unsigned char r[SURVEY_TOKEN_LEN / 2];
	if (getentropy(r, sizeof r) != 0)
		return derr_set(e, DESK_EIO, "no random bytes for a survey token (getentropy)");
	for (size_t i = 0; i < sizeof r; i++)
		snprintf(out + 2 * i, 3, "%02x", r[i]);
	return DESK_OK;
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

bool survey_token_valid(const char *s)
{
	if (!s || strlen(s) != SURVEY_TOKEN_LEN)
		return false;
	for (const char *p = s; *p; p++)
		if (!is_hex(*p))
			return false;
	return true;
}

bool survey_token_find(const char *text, char out[SURVEY_TOKEN_LEN + 1])
{
	const size_t mark = strlen(SURVEY_TOKEN_MARK);
	for (const char *p = text ? strstr(text, SURVEY_TOKEN_MARK) : NULL; p;
	     p = strstr(p + 1, SURVEY_TOKEN_MARK)) {
		const char *t = p + mark;
		size_t n = 0;
		while (n <= SURVEY_TOKEN_LEN && is_hex(t[n]))
			n++;
		if (n == SURVEY_TOKEN_LEN) {
			memcpy(out, t, SURVEY_TOKEN_LEN);
			out[SURVEY_TOKEN_LEN] = '\0';
			return true;
		}
	}
	return false;
}

bool survey_sampled(int64_t ticket_id, int64_t solved_at, int percent)
{
	if (percent >= 100)
		return true;
	if (percent <= 0)
		return false;
	/* splitmix64 of the solve: spread evenly, the same every time */
	uint64_t x = (uint64_t)ticket_id * 0x9e3779b97f4a7c15u ^ (uint64_t)solved_at;
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9u;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebu;
	x ^= x >> 31;
	return (int)(x % 100) < percent;
}

/* Where the reply's own words end: a quote header ("On ... wrote:"),
 * an Outlook separator, or a signature. */
static bool ends_own_text(const char *line, size_t len)
{
	while (len && (line[len - 1] == ' ' || line[len - 1] == '\r'))
		len--;
	if (len == 3 && memcmp(line, "-- ", 3) == 0)
		return true;
	if (len == 2 && memcmp(line, "--", 2) == 0)
		return true;
	if (len >= 6 && strncmp(line + len - 6, "wrote:", 6) == 0)
		return true;
	return len >= 26 && strncmp(line, "-----Original Message-----", 26) == 0;
}

/* The first number standing alone (not inside a word like "2nd" or
 * "a1b") in line[0..len): its start and length, or false. */
static bool find_number(const char *line, size_t len, size_t *at, size_t *n)
{
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)line[i]))
			continue;
		size_t j = i;
		while (j < len && isdigit((unsigned char)line[j]))
			j++;
		bool before = i > 0 && isalnum((unsigned char)line[i - 1]);
		bool after = j < len && isalpha((unsigned char)line[j]);
		if (!before && !after) {
			*at = i;
			*n = j - i;
			return true;
		}
		i = j;
	}
	return false;
}

int survey_parse_answer(const char *text, enum survey_kind kind, int *score, char **comment,
			struct derr *e)
{
	*score = -1;
	*comment = NULL;
	struct strbuf own = {0};
	const char *p = text ? text : "";
	int lines = 0;
	bool found = false;
	long value = -1;
	while (*p) {
		size_t len = strcspn(p, "\n");
		const char *line = p;
		p += len + (p[len] == '\n');
		size_t lead = 0;
		while (lead < len && (line[lead] == ' ' || line[lead] == '\t'))
			lead++;
		if (lead < len && line[lead] == '>')
			continue; /* quoted: the survey itself, or older mail */
		if (ends_own_text(line, len))
			break;
		bool blank = lead == len;
		size_t at, n;
		if (!found && !blank && lines < SCORE_LINES && find_number(line, len, &at, &n)) {
			found = true;
			char digits[8] = "";
			value = n < sizeof digits ? strtol(memcpy(digits, line + at, n), NULL, 10)
						  : 1000;
			/* the number goes, and "/5" after it and what joins it
			 * to the words ("5 - great", "4: fine") */
			size_t end = at + n;
			if (end + 1 < len && line[end] == '/' && isdigit((unsigned char)line[end + 1]))
				for (end++; end < len && isdigit((unsigned char)line[end]); end++)
					;
			while (end < len && strchr(" \t-:.,;!)", line[end]))
				end++;
			sb_addn(&own, line, at);
			sb_addn(&own, line + end, len - end);
			sb_add(&own, "\n");
			lines++;
			continue;
		}
		lines += !blank;
		sb_addn(&own, line, len);
		sb_add(&own, "\n");
	}
	char *c = str_trim(sb_take(&own));
	if (*c)
		*comment = c;
	else
		free(c);
	if (*comment && strlen(*comment) > DESK_MAX_BODY)
		caps_fit(comment, DESK_MAX_BODY, true);
	int lo, hi;
	survey_range(kind, &lo, &hi);
	if (!found)
		return derr_set(e, DESK_EINVAL, "no score: the reply's first lines hold no number "
						"(%s takes %d to %d)",
				survey_kind_name(kind), lo, hi);
	if (value < lo || value > hi)
		return derr_set(e, DESK_EINVAL, "score %ld is out of range: %s takes %d to %d", value,
				survey_kind_name(kind), lo, hi);
	*score = (int)value;
	return DESK_OK;
}

int survey_line_parse(const char *line, enum survey_kind dflt, enum survey_kind *kind,
		      int *score, const char **comment, struct derr *e)
{
	const char *p = line ? line : "";
	*kind = dflt;
	*comment = NULL;
	while (*p == ' ' || *p == '\t')
		p++;
	size_t w = strcspn(p, " \t");
	char word[8];
	if (w && w < sizeof word && !isdigit((unsigned char)*p)) {
		memcpy(word, p, w);
		word[w] = '\0';
		int k = survey_kind_from_name(word);
		if (k < 0)
			return derr_set(e, DESK_EINVAL, "\"%s\": expected csat, ces or nps, then a "
							"score",
					word);
		*kind = (enum survey_kind)k;
		p += w;
		while (*p == ' ' || *p == '\t')
			p++;
		w = strcspn(p, " \t");
	}
	int lo, hi;
	survey_range(*kind, &lo, &hi);
	char *end;
	long v = w ? strtol(p, &end, 10) : -1;
	if (!w || end != p + w)
		return derr_set(e, DESK_EINVAL, "expected a score: %s takes %d to %d",
				survey_kind_name(*kind), lo, hi);
	if (v < lo || v > hi)
		return derr_set(e, DESK_EINVAL, "score %ld is out of range: %s takes %d to %d", v,
				survey_kind_name(*kind), lo, hi);
	*score = (int)v;
	p += w;
	while (*p == ' ' || *p == '\t')
		p++;
	*comment = *p ? p : NULL;
	return DESK_OK;
}

void survey_score_text(enum survey_kind kind, int score, char *buf, size_t size)
{
	int lo, hi;
	survey_range(kind, &lo, &hi);
	snprintf(buf, size, "%s %d/%d", survey_kind_name(kind), score, hi);
}

const char *survey_default_question(enum survey_kind kind)
{
	switch (kind) {
	case SURVEY_CES:
		return "How easy was it to get your request \"{{ticket.subject}}\" handled?\n\n"
		       "Reply to this mail with a number from 1 (very difficult) to 7 (very "
		       "easy)\non the first line, and any words you like below it.";
	case SURVEY_NPS:
		return "How likely are you to recommend us to a friend or colleague?\n\n"
		       "Reply to this mail with a number from 0 (not at all likely) to 10\n"
		       "(extremely likely) on the first line, and any words you like below it.";
	default:
		return "How satisfied are you with the help you got with \"{{ticket.subject}}\"?\n\n"
		       "Reply to this mail with a number from 1 (not at all) to 5 (very "
		       "satisfied)\non the first line, and any words you like below it.";
	}
}

/* Follows merges to the ticket that lives on: *live, and *via the one
 * merged into it last (what surveys.merged_from says, so undoing that
 * merge takes the answer back with the rest), 0 when not merged. */
int core_survey_live_ticket(struct desk *d, int64_t id, int64_t *live, int64_t *via,
			    struct derr *e)
{
	*via = 0;
	for (int hop = 0; hop < 16; hop++) {
		struct ticket t;
		int rc = store_ticket_get(d->st, id, &t, e);
		if (rc)
			return rc;
		int64_t next = t.merged_into;
		ticket_free(&t);
		if (!next) {
			*live = id;
			return DESK_OK;
		}
		*via = id;
		id = next;
	}
	return derr_set(e, DESK_EINVAL, "ticket %lld: its merges go round in a loop",
			(long long)id);
}

int core_survey_record(struct desk *d, int64_t id, enum survey_kind kind, int score,
		       const char *comment, int64_t *survey_id, bool *replaced, struct derr *e)
{
	int lo, hi;
	survey_range(kind, &lo, &hi);
	if (score < lo || score > hi)
		return derr_set(e, DESK_EINVAL, "score %d is out of range: %s takes %d to %d", score,
				survey_kind_name(kind), lo, hi);
	char *text = NULL;
	if (comment) {
		text = str_trim(core_normalize_body(comment));
		if (!*text)
			xfree(&text);
	}
	if (text && caps_check("the comment", text, DESK_MAX_BODY, e)) {
		free(text);
		return DESK_EINVAL;
	}
	int rc = core_begin(d, e);
	if (rc) {
		core_end(d, false);
		free(text);
		return rc;
	}
	int64_t live = id, via = 0;
	if ((rc = core_survey_live_ticket(d, id, &live, &via, e)) == DESK_OK) {
		struct survey sv = {.ticket_id = live, .kind = kind, .score = score,
				    .answered_at = time_now(), .comment = text,
				    .agent_id = d->me.id, .merged_from = via};
		char value[32], was[32];
		survey_score_text(kind, score, value, sizeof value);
		/* One answer of a kind per ticket from what agents record: a
		 * second is a correction (a mistyped score), not a second
		 * customer's voice to count twice. */
		int64_t old_id = 0;
		int old_score = 0;
		rc = store_survey_recorded(d->st, live, kind, &old_id, &old_score, e);
		if (rc == DESK_OK && old_id) {
			survey_score_text(kind, old_score, was, sizeof was);
			sv.id = old_id;
			if ((rc = store_survey_update(d->st, old_id, score, text, sv.answered_at, e)) ==
			    DESK_OK)
				rc = core_event(d, live, "survey", "recorded", was, value, e);
		} else if (rc == DESK_OK &&
			   (rc = store_survey_insert(d->st, &sv, e)) == DESK_OK) {
			rc = core_event(d, live, "survey", "recorded", NULL, value, e);
		}
		if (rc == DESK_OK && survey_id)
			*survey_id = sv.id;
		if (rc == DESK_OK && replaced)
			*replaced = old_id != 0;
	}
	free(text);
	return core_survey_finish(d, rc, e);
}

int core_survey_finish(struct desk *d, int rc, struct derr *e)
{
	if (rc == DESK_OK)
		rc = store_commit(d->st, e);
	else
		store_rollback(d->st);
	core_end(d, rc == DESK_OK);
	return rc;
}

int core_survey_list(struct desk *d, const struct survey_query *q, struct survey_entries *out,
		     struct derr *e)
{
	if (d->me.role != ROLE_SUPERVISOR && d->me.role != ROLE_ADMIN)
		return derr_set(e, DESK_EDENIED,
				"survey answers are for supervisors and admins (%s is an agent)",
				d->me.login);
	return store_survey_list(d->st, q, out, e);
}
