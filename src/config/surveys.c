/* surveys.c: the surveys mapping of the team's config.yaml, what
 * `desk tick` mails after a ticket is solved:
 *   surveys:
 *     kind: csat            # or ces, nps
 *     delay: 1d             # after the solve
 *     channels: [email]
 *     sample: 100           # percent of solves
 *     min_interval: 30d     # at most one survey per customer in this time
 *     subject: How did we do?
 *     question: |
 *       ...
 */
#include <stdlib.h>
#include <string.h>

#include "internal_config.h"
#include "util.h"

void survey_config_defaults(struct survey_config *s)
{
	memset(s, 0, sizeof *s);
	s->kind = SURVEY_CSAT;
	s->delay = SURVEY_DELAY_DEFAULT;
	s->channels[CH_EMAIL] = true;
	s->sample = 100;
	s->min_interval = SURVEY_MIN_INTERVAL_DEFAULT;
}

void survey_config_free(struct survey_config *s)
{
	free(s->subject);
	free(s->question);
	survey_config_defaults(s);
}

static int read_channels(const struct ydoc *d, const struct ynode *seq, struct survey_config *s,
			 struct derr *e)
{
	static const char *const names[] = {"email", "phone", "chat", "web", "social", "walk_in",
					    NULL};
	int rc = y_expect(d, seq, Y_SEQ, "a list of channels like [email, web]", e);
	if (rc)
		return rc;
	if (seq->nkids == 0)
		return yerr(e, d, seq, "surveys: channels is an empty list (leave surveys out to "
				       "send none)");
	bool on[CH__COUNT] = {0};
	for (size_t i = 0; i < seq->nkids; i++) {
		int k;
		if ((rc = y_enum(d, seq->kids[i], names, &k, e)))
			return rc;
		on[channel_from_name(names[k])] = true;
	}
	memcpy(s->channels, on, sizeof on);
	return DESK_OK;
}

/* A line of text: no control characters (the subject goes in a header). */
static int read_subject(const struct ydoc *d, const struct ynode *n, char **out, struct derr *e)
{
	char *v = NULL;
	int rc = y_string(d, n, &v, e);
	if (rc)
		return rc;
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if (*p < 0x20 || *p == 0x7f) {
			free(v);
			return yerr(e, d, n, "surveys: subject must be one line of text");
		}
	if (!*v) {
		free(v);
		return yerr(e, d, n, "surveys: subject is empty");
	}
	free(*out);
	*out = v;
	return DESK_OK;
}

int config_read_surveys(const struct ydoc *d, const struct ynode *map, struct survey_config *s,
			struct derr *e)
{
	static const char *const keys[] = {"kind",    "delay",   "channels", "sample",
					   "min_interval", "subject", "question", NULL};
	static const char *const kinds[] = {"csat", "ces", "nps", NULL};
	int rc = y_expect(d, map, Y_MAP, "a mapping of survey settings like {kind: csat}", e);
	if (rc)
		return rc;
	survey_config_free(s);
	s->enabled = true;
	s->line = map->line;
	for (size_t i = 0; !rc && i < map->nkids; i += 2) {
		int k, kind;
		long pct;
		if ((rc = y_key(d, map->kids[i], "surveys", keys, &k, e)))
			break;
		const struct ynode *v = map->kids[i + 1];
		switch (k) {
		case 0:
			if ((rc = y_enum(d, v, kinds, &kind, e)) == DESK_OK)
				s->kind = (enum survey_kind)survey_kind_from_name(kinds[kind]);
			break;
		case 1: /* 0: as soon as desk tick runs after the solve */
			if (v->type == Y_SCALAR && v->value && strcmp(v->value, "0") == 0)
				s->delay = 0;
			else
				rc = y_duration(d, v, &s->delay, e);
			break;
		case 2: rc = read_channels(d, v, s, e); break;
		case 3:
			if ((rc = y_int(d, v, 0, 100, &pct, e)) == DESK_OK)
				s->sample = (int)pct;
			break;
		case 4: rc = y_duration(d, v, &s->min_interval, e); break;
		case 5: rc = read_subject(d, v, &s->subject, e); break;
		default:
			free(s->question);
			s->question = NULL;
			rc = y_string(d, v, &s->question, e);
			if (rc == DESK_OK && str_empty(s->question))
				rc = yerr(e, d, v, "surveys: question is empty");
			break;
		}
	}
	return rc;
}
