/* sla.h: SLA policies, due times and business hours (core/).
 *
 * The clocks, as desk keeps them on each ticket:
 *   first_response_due  first customer message + first_response target
 *                       (0 while the ticket has no customer message);
 *   next_response_due   oldest customer message after the latest public
 *                       reply + next_response target, once a first
 *                       response was given (0: nothing awaits an answer);
 *   resolution_due      created + resolution target + paused_seconds;
 *   next_due            the due time that matters now, for the queue.
 * Targets count business time when business hours are configured, else
 * calendar time.  Time spent pending stops the resolution clock only;
 * on_hold stops nothing.  See desk-report(1), "SLA". */
#ifndef DESK_SLA_H
#define DESK_SLA_H

#include <stdint.h>

#include "config.h"
#include "core.h"
#include "metrics.h"
#include "model.h"

/* --- business hours (src/core/business_hours.c) ----------------------- */
/* Business seconds in [a, b) (0 when b <= a).  With h disabled (or
 * NULL), calendar seconds.  Instants are clamped to 1970..2200. */
int64_t bh_seconds(const struct business_hours *h, int64_t a, int64_t b);
/* The instant at which `secs` business seconds after `start` have run
 * out: a due time.  A target ending exactly at closing time is due at
 * closing time, not at the next opening. */
int64_t bh_add(const struct business_hours *h, int64_t start, int64_t secs);

/* --- policies and due times (src/core/sla.c) --------------------------- */
/* The targets for a ticket: the most specific policy of its priority
 * (queue and channel > queue > channel; ties go to the first listed),
 * else the priority's defaults.  Never NULL. */
const struct sla_target *sla_target_for(const struct config *cfg, enum priority p,
					const char *queue, enum channel ch);

/* Seconds on the SLA clock between a and b: business or calendar. */
int64_t sla_clock_seconds(const struct config *cfg, int64_t a, int64_t b);

/* Recomputes every due time of t from the config and the facts of its
 * conversation (store_sla_facts). */
void sla_compute(const struct config *cfg, struct ticket *t, const struct sla_facts *f);

/* Reads the facts and recomputes t's due times: what core_save does
 * before writing a ticket, so every change keeps the clocks right. */
int sla_refresh(struct desk *d, struct ticket *t, struct derr *e);

/* The pending pause, called by core_change_status: entering pending
 * starts it; leaving adds it to paused_seconds (in clock units). */
void sla_status_change(const struct config *cfg, struct ticket *t, enum status from,
		       enum status to, int64_t now);

/* How close a due time is, for colouring the queue: past due, near
 * (at most warn_percent of the target left), or fine. */
enum sla_urgency { SLA_NONE, SLA_OK, SLA_NEAR, SLA_PAST };
enum sla_urgency sla_urgency_of(const struct config *cfg, int64_t due, int64_t target,
				int64_t now);
/* The same for a ticket's next_due, with the target it belongs to. */
enum sla_urgency sla_ticket_urgency(const struct config *cfg, const struct ticket *t,
				    int64_t now);

#endif
