/* time_log.c: time spent on a ticket, measured by the console or
 * logged by hand, each entry with its "time" audit event. */
#include <stdio.h>
#include <string.h>

#include "caps.h"
#include "core.h"
#include "internal_core.h"
#include "text.h"
#include "util.h"

int core_time_check(const struct time_log *tl, struct derr *e)
{
	char most[16];
	time_format_duration(TIME_ENTRY_MAX, most, sizeof most);
	if (tl->seconds <= 0)
		return derr_set(e, DESK_EINVAL, "the time spent must be more than nothing");
	if (tl->seconds > TIME_ENTRY_MAX)
		return derr_set(e, DESK_EINVAL,
				"%lld seconds is more than one entry may hold (%s); log the days "
				"separately",
				(long long)tl->seconds, most);
	if (!tl->note)
		return DESK_OK;
	int rc = caps_check("the time note", tl->note, TIME_NOTE_MAX, e);
	if (rc)
		return rc;
	/* One line of the agent's own words: what a terminal would act on
	 * or hide is refused rather than stored. */
	if (strchr(tl->note, '\n') || text_first_unplain(tl->note))
		return derr_set(e, DESK_EINVAL,
				"the time note must be one line of plain text (no control or "
				"invisible characters)");
	return DESK_OK;
}

/* Whose time: the acting agent's, or (supervisors and admins) another's. */
static int entry_agent(struct desk *d, const char *login, int64_t *id, struct derr *e)
{
	if (!login || strcmp(login, d->me.login) == 0) {
		*id = d->me.id;
		return DESK_OK;
	}
	if (d->me.role != ROLE_SUPERVISOR && d->me.role != ROLE_ADMIN)
		return derr_set(e, DESK_EDENIED,
				"only supervisors and admins log time for another agent");
	struct agent a = {0};
	int rc = store_agent_by_login(d->st, login, &a, e);
	if (rc == DESK_ENOTFOUND)
		rc = derr_set(e, DESK_ENOTFOUND, "no agent \"%s\" (desk agent list)", login);
	*id = a.id;
	agent_free(&a);
	return rc;
}

int core_time_log_locked(struct desk *d, int64_t id, const struct time_log *tl, int64_t msg_id,
			 struct derr *e)
{
	int rc = core_time_check(tl, e);
	struct time_entry te = {
		.ticket_id = id,
		.seconds = tl->seconds,
		.measured = tl->measured,
		.note = tl->note && *tl->note ? (char *)tl->note : NULL,
		.created_at = time_now(),
		.message_id = msg_id,
	};
	if (rc == DESK_OK)
		rc = entry_agent(d, tl->agent, &te.agent_id, e);
	if (rc == DESK_OK)
		rc = store_time_insert(d->st, &te, e);
	if (rc)
		return rc;
	char dur[32];
	time_format_duration(tl->seconds, dur, sizeof dur);
	struct strbuf what = {0};
	sb_addf(&what, "%s %s", dur, tl->measured ? "measured" : "manual");
	if (te.agent_id != d->me.id)
		sb_addf(&what, " for %s", tl->agent);
	if (te.note)
		sb_addf(&what, ": %s", te.note);
	rc = core_event(d, id, "time", NULL, NULL, sb_str(&what), e);
	sb_free(&what);
	return rc;
}

int core_time_log(struct desk *d, int64_t id, const struct time_log *tl, struct derr *e)
{
	int rc = core_time_check(tl, e);
	if (rc)
		return rc;
	struct ticket t;
	if ((rc = core_ticket_begin(d, id, &t, e)))
		return rc;
	rc = core_time_log_locked(d, id, tl, 0, e);
	/* The ticket itself does not change: it is not saved (updated_at
	 * stays, nobody's queue sees it as new). */
	return core_ticket_finish(d, &t, rc, false, e);
}
