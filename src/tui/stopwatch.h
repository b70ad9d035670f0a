/* stopwatch.h: the console's per-ticket stopwatch (time tracking).
 *
 * The clock runs for the ticket shown in the conversation while the
 * agent works: each sign of work (a key, the editor still running)
 * counts the time since the previous one for the ticket shown
 * meanwhile, but never more than the idle timeout: after that long
 * without a key the clock stopped.  Leaving a ticket pauses its clock
 * (its time is kept; coming back goes on from there).  Pure: the caller
 * gives the time, a monotonic count of milliseconds, so tests drive it. */
#ifndef DESK_TUI_STOPWATCH_H
#define DESK_TUI_STOPWATCH_H

#include <stdint.h>

#define STOPWATCH_SLOTS 32 /* tickets remembered; the least recently worked on goes */

struct stopwatch {
	int64_t idle_ms; /* no sign of work for this long: paused */
	int64_t ticket;  /* shown since the last sign of work; 0: none */
	int64_t last_ms; /* that sign's time; -1: none yet */
	struct {
		int64_t ticket, ms, used; /* ms measured; used: last worked on */
	} slot[STOPWATCH_SLOTS];
};

void stopwatch_init(struct stopwatch *sw, int64_t idle_ms);
/* A sign of work at now_ms, ticket shown from now on (0: none). */
void stopwatch_touch(struct stopwatch *sw, int64_t ticket, int64_t now_ms);
/* The time measured on ticket up to now_ms, in milliseconds. */
int64_t stopwatch_ms(const struct stopwatch *sw, int64_t ticket, int64_t now_ms);
/* Its time was recorded: the ticket's clock starts again from nothing. */
void stopwatch_reset(struct stopwatch *sw, int64_t ticket, int64_t now_ms);

#endif
