/* pg_link.c: the connection between statements, as a console polls it:
 * other desks' change notices (LISTEN/NOTIFY), a connection found lost,
 * and reconnecting without blocking the console, so that it can say the
 * server is gone rather than show old data as if it were current. */
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pg.h"
#include "pg_internal.h"
#include "util.h"

/* Between two attempts to reconnect, and how long one may take (a
 * server that answers nothing is given up on, then tried again). */
#define RETRY_MS 2000
#define ATTEMPT_MS 10000

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* libpq's message for the connection, its first line (the rest is
 * hints such as "Is the server running...?"). */
static void keep_why(struct pg_conn *c)
{
	const char *msg = PQerrorMessage(c->pg);
	if (!msg || !*msg)
		msg = "the server closed the connection";
	free(c->lost_why);
	c->lost_why = xstrndup(msg, strcspn(msg, "\n"));
}

static void note_lost(struct pg_conn *c)
{
	if (c->lost)
		return;
	c->lost = true;
	c->lost_at = time_now();
	keep_why(c);
	c->retry_at_ms = 0;
}

/* Whether the socket of a reconnection under way is ready for what
 * PQresetPoll last asked; no socket: let PQresetPoll say what failed. */
static bool socket_ready(struct pg_conn *c)
{
	int fd = PQsocket(c->pg);
	if (fd < 0)
		return true;
	struct pollfd p = {.fd = fd,
			   .events = c->reset_wait == PGRES_POLLING_READING ? POLLIN : POLLOUT};
	return poll(&p, 1, 0) > 0;
}

/* One step of reconnecting; never waits. */
static void reconnect_step(struct pg_conn *c)
{
	int64_t now = mono_ms();
	if (c->resetting && now - c->reset_started_ms > ATTEMPT_MS)
		c->resetting = false; /* the next PQresetStart closes it */
	if (!c->resetting) {
		if (now < c->retry_at_ms)
			return;
		c->retry_at_ms = now + RETRY_MS;
		if (!PQresetStart(c->pg)) {
			keep_why(c);
			return;
		}
		c->resetting = true;
		c->reset_started_ms = now;
		c->reset_wait = PGRES_POLLING_WRITING; /* as libpq's docs begin */
	}
	while (socket_ready(c)) {
		PostgresPollingStatusType p = PQresetPoll(c->pg);
		if (p == PGRES_POLLING_OK || p == PGRES_POLLING_FAILED) {
			c->resetting = false;
			if (p == PGRES_POLLING_FAILED || !pg_after_reset(c))
				keep_why(c);
			return;
		}
		c->reset_wait = p;
	}
}

bool pg_changed(struct pg_conn *c)
{
	/* Still lost with a live connection: its session could not be set
	 * up again (pg_after_reset), so it is tried anew. */
	if (!c->in_txn && (c->lost || c->resetting || PQstatus(c->pg) != CONNECTION_OK ||
			   !PQconsumeInput(c->pg))) {
		note_lost(c);
		reconnect_step(c);
	}
	/* Reconnected: what happened meanwhile was not heard. */
	bool changed = c->missed;
	c->missed = false;
	if (c->lost)
		return changed;
	int self = PQbackendPID(c->pg);
	PGnotify *n;
	while ((n = PQnotifies(c->pg)) != NULL) {
		if (n->be_pid != self)
			changed = true;
		PQfreemem(n);
	}
	return changed;
}

const char *pg_link_down(struct pg_conn *c, int64_t *since)
{
	if (!c->lost)
		return NULL;
	*since = c->lost_at;
	return c->lost_why;
}
