/* stopwatch.c: the per-ticket stopwatch (see stopwatch.h). */
#include <string.h>

#include "stopwatch.h"

void stopwatch_init(struct stopwatch *sw, int64_t idle_ms)
{
	memset(sw, 0, sizeof *sw);
	sw->idle_ms = idle_ms > 0 ? idle_ms : 1;
	sw->last_ms = -1;
}

/* The ticket's slot, made (in place of the least recently used) when
 * make is set; -1 when it has none. */
static int slot_of(const struct stopwatch *sw, int64_t ticket, int make)
{
	int oldest = 0;
	for (int i = 0; i < STOPWATCH_SLOTS; i++) {
		if (sw->slot[i].ticket == ticket)
			return i;
		if (sw->slot[i].used < sw->slot[oldest].used)
			oldest = i;
	}
	return make ? oldest : -1;
}

/* The time since the last sign of work that counts: up to idle_ms. */
static int64_t pending(const struct stopwatch *sw, int64_t now_ms)
{
	if (!sw->ticket || sw->last_ms < 0 || now_ms <= sw->last_ms)
		return 0;
	int64_t gap = now_ms - sw->last_ms;
	return gap < sw->idle_ms ? gap : sw->idle_ms;
}

void stopwatch_touch(struct stopwatch *sw, int64_t ticket, int64_t now_ms)
{
	int64_t add = pending(sw, now_ms);
	if (add > 0) {
		int i = slot_of(sw, sw->ticket, 1);
		if (sw->slot[i].ticket != sw->ticket)
			sw->slot[i].ticket = sw->ticket, sw->slot[i].ms = 0;
		sw->slot[i].ms += add;
		sw->slot[i].used = now_ms;
	}
	sw->ticket = ticket;
	if (now_ms > sw->last_ms)
		sw->last_ms = now_ms;
}

int64_t stopwatch_ms(const struct stopwatch *sw, int64_t ticket, int64_t now_ms)
{
	if (!ticket)
		return 0;
	int i = slot_of(sw, ticket, 0);
	int64_t ms = i >= 0 ? sw->slot[i].ms : 0;
	return ms + (ticket == sw->ticket ? pending(sw, now_ms) : 0);
}

void stopwatch_reset(struct stopwatch *sw, int64_t ticket, int64_t now_ms)
{
	int i = slot_of(sw, ticket, 0);
	if (i >= 0)
		memset(&sw->slot[i], 0, sizeof sw->slot[i]);
	if (ticket == sw->ticket)
		sw->last_ms = now_ms; /* what came before is recorded */
}
