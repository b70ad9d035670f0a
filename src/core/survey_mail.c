/* survey_mail.c: a customer's answer to a survey desk mailed, recorded
 * inside `desk ingest`'s transaction.  The mail itself is kept on the
 * ticket as an automatic customer message (ingest.c): it never reopens
 * the ticket, never counts as the customer's turn and is never answered.
 * Here the score and words become the survey's answer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "internal_core.h"
#include "util.h"

int core_survey_answer_locked(struct desk *d, const struct survey_request *sr,
			      const char *text, bool automatic, int64_t live, int64_t via,
			      char *said, size_t size, struct derr *e)
{
	if (automatic) {
		/* a vacation notice's "back on the 3rd" is no score */
		snprintf(said, size, "automatic mail: no score taken");
		return core_event(d, live, "survey", "unanswered", NULL, "automatic mail", e);
	}
	int score;
	char *comment = NULL;
	struct derr pe = {0};
	if (survey_parse_answer(text, sr->kind, &score, &comment, &pe)) {
		free(comment);
		snprintf(said, size, "%s; kept as a message", pe.msg);
		return core_event(d, live, "survey", "unanswered", NULL, pe.msg, e);
	}
	char value[32];
	survey_score_text(sr->kind, score, value, sizeof value);
	int rc;
	if (sr->survey_id) {
		/* A second answer to the same survey replaces the first: the
		 * customer's latest word counts, once. */
		struct survey_list l = {0};
		char old[32] = "";
		if ((rc = store_surveys(d->st, live, &l, e)) == DESK_OK)
			for (size_t i = 0; i < l.n; i++)
				if (l.v[i].id == sr->survey_id)
					survey_score_text(l.v[i].kind, l.v[i].score, old, sizeof old);
		survey_list_free(&l);
		if (rc == DESK_OK)
			rc = store_survey_update(d->st, sr->survey_id, score, comment, time_now(), e);
		if (rc == DESK_OK)
			rc = core_event(d, live, "survey", "answer", old[0] ? old : NULL, value, e);
		snprintf(said, size, "%s recorded, replacing the earlier answer", value);
	} else {
		struct survey sv = {.ticket_id = live, .kind = sr->kind, .score = score,
				    .answered_at = time_now(), .comment = comment,
				    .request_id = sr->id, .merged_from = via};
		if ((rc = store_survey_insert(d->st, &sv, e)) == DESK_OK)
			rc = core_event(d, live, "survey", "answer", NULL, value, e);
		snprintf(said, size, "%s recorded", value);
	}
	free(comment);
	return rc;
}
