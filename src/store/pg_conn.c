/* pg_conn.c: the PostgreSQL engine's connection: telling a conninfo from
 * a path, connecting, transactions (serialized by an advisory lock,
 * released before the commit's flush),
 * change notices, and PostgreSQL's errors as messages a person can act
 * on. */
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "pg.h"
#include "pg_internal.h"
#include "priv.h"
#include "text.h"
#include "util.h"

/* The one advisory lock every desk writer takes after BEGIN ("desk" in
 * ASCII), so writers run one at a time as on SQLite. */
#define WRITER_LOCK_KEY "1684370283"
/* How long pg_begin waits for another desk's transaction (ms): bounded,
 * like the write gate on SQLite, so a stuck writer gives a message naming
 * it, not a hang. */
#define WRITER_LOCK_WAIT_MS 30000LL
#define CHANNEL "desk_changes"
/* Seconds a connection attempt may take, unless the setting says. */
#define CONNECT_TIMEOUT "10"

/* --- telling a conninfo from a path ------------------------------------ */

static bool has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

static bool is_url(const char *s)
{
	return has_prefix(s, "postgresql://") || has_prefix(s, "postgres://");
}

bool pg_is_conninfo(const char *database)
{
	return database_is_server(database);
}

/* --- masking a password ------------------------------------------------ */

static void mask_url(const char *s, struct strbuf *out)
{
	const char *p = strstr(s, "://") + 3;
	sb_addn(out, s, (size_t)(p - s));
	/* As libpq reads it: user[:password]@ before the first '/'. */
	const char *at = p;
	while (*at && *at != '@' && *at != '/')
		at++;
	if (*at == '@') {
		const char *colon = memchr(p, ':', (size_t)(at - p));
		if (colon) {
			sb_addn(out, p, (size_t)(colon - p));
			sb_add(out, ":***");
		} else {
			sb_addn(out, p, (size_t)(at - p));
		}
		p = at;
	}
	const char *q = strchr(p, '?');
	if (!q) {
		sb_add(out, p);
		return;
	}
	sb_addn(out, p, (size_t)(q - p) + 1);
	for (q++; *q;) {
		size_t n = strcspn(q, "&");
		size_t klen = strcspn(q, "=&");
		if (klen < n && klen == strlen("password") &&
		    strncmp(q, "password", klen) == 0) {
			sb_add(out, "password=***");
		} else {
			sb_addn(out, q, n);
		}
		q += n;
		if (*q == '&')
			sb_addc(out, *q++);
	}
}

/* Where the value starting at v ends in a keyword=value string, as
 * libpq's parser reads it: '...' with backslash escapes, or up to the
 * next space. */
static const char *value_end(const char *v)
{
	if (*v == '\'') {
		for (v++; *v && *v != '\''; v++)
			if (*v == '\\' && v[1])
				v++;
		return *v ? v + 1 : v;
	}
	for (; *v && !isspace((unsigned char)*v); v++)
		if (*v == '\\' && v[1])
			v++;
	return v;
}

static void mask_keywords(const char *s, struct strbuf *out)
{
	const char *p = s;
	while (*p) {
		const char *k = p;
		while (*p && !isspace((unsigned char)*p) && *p != '=')
			p++;
		bool password = (size_t)(p - k) == strlen("password") &&
				strncmp(k, "password", (size_t)(p - k)) == 0;
		while (isspace((unsigned char)*p))
			p++;
		if (*p != '=') { /* not keyword=value: keep the rest as it is */
			sb_add(out, k);
			return;
		}
		p++;
		while (isspace((unsigned char)*p))
			p++;
		const char *end = value_end(p);
		if (password) {
			sb_addn(out, k, (size_t)(p - k));
			sb_add(out, "***");
		} else {
			sb_addn(out, k, (size_t)(end - k));
		}
		p = end;
		const char *ws = p;
		while (isspace((unsigned char)*p))
			p++;
		sb_addn(out, ws, (size_t)(p - ws));
	}
}

char *pg_display_name(const char *conninfo)
{
	if (!conninfo)
		return xstrdup("");
	struct strbuf out = {0};
	if (is_url(conninfo))
		mask_url(conninfo, &out);
	else if (pg_is_conninfo(conninfo))
		mask_keywords(conninfo, &out);
	else
		sb_add(&out, conninfo);
	return sb_take(&out);
}

/* --- errors ------------------------------------------------------------ */

/* The first line of a libpq message, without its trailing newline. */
static char *first_line(const char *msg)
{
	if (!msg || !*msg)
		return xstrdup("no reason given");
	return xstrndup(msg, strcspn(msg, "\n"));
}

void pg_clear_error(struct pg_conn *c)
{
	c->sqlstate[0] = '\0';
	xfree(&c->err_msg);
}

void pg_keep_error(struct pg_conn *c, const PGresult *res)
{
	pg_clear_error(c);
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	if (state)
		snprintf(c->sqlstate, sizeof c->sqlstate, "%s", state);
	c->err_msg = first_line(msg ? msg : PQerrorMessage(c->pg));
}

const char *pg_sqlstate(struct pg_conn *c)
{
	return c->sqlstate;
}

void pg_keep_own_error(struct pg_conn *c, const char *msg)
{
	pg_clear_error(c);
	c->err_msg = xstrdup(msg);
}

static bool lost(struct pg_conn *c)
{
	const char *s = c->sqlstate;
	return PQstatus(c->pg) == CONNECTION_BAD || has_prefix(s, "08") ||
	       strcmp(s, "57P01") == 0 || strcmp(s, "57P02") == 0 ||
	       strcmp(s, "57P03") == 0;
}

int pg_fail(struct pg_conn *c, const char *display, struct derr *e, const char *what)
{
	const char *s = c->sqlstate;
	const char *msg = c->err_msg ? c->err_msg : "unknown error";
	if (lost(c))
		return derr_set(e, DESK_EIO,
				"%s: lost the connection to the database server while %s "
				"(%s); %s",
				display, what, msg,
				c->in_txn ? "nothing of this change was saved, try again"
					  : "desk reconnects at the next try");
	if (has_prefix(s, "23"))
		return derr_set(e, DESK_EINVAL, "%s: %s", what, msg);
	if (has_prefix(s, "22")) /* a value the column's type refuses */
		return derr_set(e, DESK_EINVAL, "%s: %s", what, msg);
	if (strcmp(s, "40001") == 0 || strcmp(s, "40P01") == 0)
		return derr_set(e, DESK_EBUSY,
				"%s: another desk's change collided with this one while %s "
				"(%s); nothing was changed, try again",
				display, what, msg);
	if (strcmp(s, "55P03") == 0)
		return derr_set(e, DESK_EBUSY,
				"%s: the database stayed locked by another desk while %s; "
				"nothing was changed, try again",
				display, what);
	if (strcmp(s, "57014") == 0)
		return derr_set(e, DESK_EBUSY,
				"%s: the database server stopped the query while %s "
				"(canceled or timed out); nothing was changed, try again",
				display, what);
	if (strcmp(s, "53100") == 0)
		return derr_set(e, DESK_EIO,
				"%s: disk full while %s: the database server's disk has no "
				"space left (its admin must free some); nothing was changed",
				display, what);
	if (has_prefix(s, "53"))
		return derr_set(e, DESK_EIO,
				"%s: the database server is short of resources while %s (%s); "
				"nothing was changed",
				display, what, msg);
	if (strcmp(s, "42501") == 0)
		return derr_set(e, DESK_EIO, "%s: permission denied while %s (%s)", display,
				what, msg);
	if (strcmp(s, "25006") == 0)
		return derr_set(e, DESK_EIO,
				"%s: the database is read-only for this desk while %s; "
				"nothing was changed",
				display, what);
	return derr_set(e, DESK_EIO, "%s: %s: %s", display, what, msg);
}

/* --- connecting -------------------------------------------------------- */

/* The server's notices (NOTICE, WARNING) are not for the agent's
 * terminal: libpq would print them over the console. */
static void no_notices(void *arg, const char *message)
{
}

/* The connect_timeout in force (the setting's own, else desk's), ms. */
static int connect_timeout_ms(PGconn *pg)
{
	long s = 0;
	PQconninfoOption *opts = PQconninfo(pg);
	for (PQconninfoOption *o = opts; o && o->keyword; o++)
		if (strcmp(o->keyword, "connect_timeout") == 0 && o->val)
			s = strtol(o->val, NULL, 10);
	PQconninfoFree(opts);
	return (int)(s > 0 ? s : strtol(CONNECT_TIMEOUT, NULL, 10)) * 1000;
}

/* As PQconnectdbParams, with no_notices in place from the start: a
 * server going down during the handshake sends a WARNING that libpq's
 * default would print on stderr, raw, over the console.  The timeout
 * counts from the last step forward, as libpq's does for each host. */
static PGconn *connect_quietly(const char *const *keys, const char *const *vals,
			       bool *timed_out)
{
	*timed_out = false;
	PGconn *pg = PQconnectStartParams(keys, vals, 1);
	if (!pg || PQstatus(pg) == CONNECTION_BAD)
		return pg;
	PQsetNoticeProcessor(pg, no_notices, NULL);
	int timeout = connect_timeout_ms(pg);
	PostgresPollingStatusType st = PGRES_POLLING_WRITING;
	while (st != PGRES_POLLING_OK && st != PGRES_POLLING_FAILED) {
		struct pollfd p = {.fd = PQsocket(pg),
				   .events = st == PGRES_POLLING_READING ? POLLIN : POLLOUT};
		int n = poll(&p, 1, timeout);
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0) {
			*timed_out = true;
			return pg;
		}
		st = PQconnectPoll(pg);
	}
	return pg;
}

/* What every session of desk's sets up: on connecting and after a
 * reconnect (the server forgets it with the old session). */
static bool session_setup(struct pg_conn *c)
{
	/* A hot standby (reports on a replica) refuses LISTEN: no notices
	 * there, only what each read finds. */
	const char *standby = PQparameterStatus(c->pg, "in_hot_standby");
	bool listen = c->watch && !(standby && strcmp(standby, "on") == 0);
	/* "Saved" must survive a crash of the server: a commit desk reports
	 * is flushed to the primary's WAL even where synchronous_commit is
	 * off (a stronger setting, e.g. waiting for a standby, stays).  One
	 * round trip in all: the answer is the last statement's. */
	struct strbuf sql = {0};
	if (listen)
		sb_add(&sql, "LISTEN " CHANNEL "; ");
	sb_add(&sql, c->readonly ? "SET default_transaction_read_only = on"
				 : "SELECT set_config('synchronous_commit', 'local', false)"
				   " WHERE current_setting('synchronous_commit') = 'off'");
	PGresult *res = PQexec(c->pg, sb_str(&sql));
	sb_free(&sql);
	ExecStatusType st = PQresultStatus(res);
	bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
	if (!ok)
		pg_keep_error(c, res);
	PQclear(res);
	return ok;
}

static bool has_password(const PQconninfoOption *opts)
{
	for (const PQconninfoOption *o = opts; o->keyword; o++)
		if (strcmp(o->keyword, "password") == 0 && o->val && *o->val)
			return true;
	return false;
}

int pg_connect(const char *conninfo, int flags, struct pg_conn **out, struct derr *e)
{
	*out = NULL;
	char *display = pg_display_name(conninfo);
	char *perr = NULL;
	PQconninfoOption *opts = PQconninfoParse(conninfo, &perr);
	if (!opts) {
		char *why = first_line(perr);
		int rc = derr_set(e, DESK_EINVAL,
				  "%s: not a PostgreSQL connection setting desk can read: %s",
				  display, why);
		free(why);
		PQfreemem(perr);
		free(display);
		return rc;
	}
	bool pw = has_password(opts);
	PQconninfoFree(opts);
	if (pw) {
		int rc = derr_set(e, DESK_EINVAL,
				  "%s: the database setting holds a password: put it in "
				  "~/.pgpass (or a service file, ~/.pg_service.conf) instead; "
				  "a team config must never carry a shared password",
				  display);
		free(display);
		return rc;
	}
	/* These ride along in libpq's own parameters, so PQreset keeps them.
	 * libpq takes the last of a repeated keyword: the setting may give
	 * its own connect_timeout (before it), not another encoding (after).
	 * Without a timeout, an unreachable server hangs the console. */
	const char *keys[] = {"connect_timeout", "dbname", "client_encoding",
			      "application_name", NULL};
	const char *vals[] = {CONNECT_TIMEOUT, conninfo, "UTF8", "desk", NULL};
	struct pg_conn *c = xcalloc(1, sizeof *c);
	c->readonly = flags & PG_READONLY;
	c->watch = flags & PG_WATCH;
	bool timed_out;
	c->pg = connect_quietly(keys, vals, &timed_out);
	if (!c->pg || timed_out || PQstatus(c->pg) != CONNECTION_OK) {
		char *why = first_line(!c->pg      ? "out of memory"
				       : timed_out ? "timeout expired" /* as libpq says it */
						   : PQerrorMessage(c->pg));
		int rc = derr_set(e, DESK_EIO, "%s: cannot connect to the database: %s",
				  display, why);
		free(why);
		free(display);
		pg_disconnect(&c);
		return rc;
	}
	const char *enc = PQparameterStatus(c->pg, "server_encoding");
	if (enc && strcmp(enc, "UTF8") != 0) {
		int rc = derr_set(e, DESK_EINVAL,
				  "%s: the database's encoding is %s; desk keeps UTF-8 text "
				  "(create it with: createdb -E UTF8 -T template0)",
				  display, enc);
		free(display);
		pg_disconnect(&c);
		return rc;
	}
	if (!session_setup(c)) {
		int rc = pg_fail(c, display, e, "setting up the connection");
		free(display);
		pg_disconnect(&c);
		return rc;
	}
	free(display);
	*out = c;
	return DESK_OK;
}

void pg_closing(struct pg_conn *c)
{
	if (c)
		c->generation++; /* pg_stmt_free: nothing left to DEALLOCATE */
}

void pg_disconnect(struct pg_conn **cp)
{
	struct pg_conn *c = *cp;
	if (!c)
		return;
	if (c->pg)
		PQfinish(c->pg);
	pg_clear_error(c);
	for (size_t i = 0; i < c->n_dealloc; i++)
		free(c->dealloc[i]);
	free(c->dealloc);
	free(c->lost_why);
	free(c);
	*cp = NULL;
}

bool pg_ready(struct pg_conn *c)
{
	if (PQstatus(c->pg) == CONNECTION_OK)
		return true;
	/* Inside a transaction the work so far died with the session: the
	 * caller must roll back first, or later statements would run alone. */
	if (c->in_txn) {
		pg_keep_own_error(c, "the connection broke during the transaction");
		return false;
	}
	c->resetting = false; /* pg_link.c's, overtaken by this one */
	PQreset(c->pg);
	if (PQstatus(c->pg) != CONNECTION_OK) {
		pg_keep_error(c, NULL);
		return false;
	}
	return pg_after_reset(c);
}

bool pg_after_reset(struct pg_conn *c)
{
	c->generation++;
	c->missed = true;
	for (size_t i = 0; i < c->n_dealloc; i++)
		free(c->dealloc[i]);
	c->n_dealloc = 0;
	if (!session_setup(c))
		return false;
	c->lost = false;
	free(c->lost_why);
	c->lost_why = NULL;
	return true;
}

/* --- running SQL ------------------------------------------------------- */

void pg_note_changes(struct pg_conn *c, const PGresult *res)
{
	const char *cmd = PQcmdStatus((PGresult *)res);
	if (!has_prefix(cmd, "INSERT") && !has_prefix(cmd, "UPDATE") &&
	    !has_prefix(cmd, "DELETE") && !has_prefix(cmd, "MERGE"))
		return;
	c->changes = strtoll(PQcmdTuples((PGresult *)res), NULL, 10);
	/* A change outside pg_begin's transaction committed on its own: it
	 * is announced as pg_commit announces one (SQLite's data_version
	 * moves for every commit). */
	if (!c->in_txn && !c->readonly && c->changes > 0)
		PQclear(PQexec(c->pg, "NOTIFY " CHANNEL));
}

/* PQexec's answer: true when every statement in sql succeeded (the
 * answer is the last statement's); the failure is kept otherwise. */
static bool run(struct pg_conn *c, const char *sql)
{
	PGresult *res = PQexec(c->pg, sql);
	ExecStatusType st = PQresultStatus(res);
	bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY;
	if (ok)
		pg_note_changes(c, res);
	else
		pg_keep_error(c, res);
	PQclear(res);
	return ok;
}

int pg_exec(struct pg_conn *c, const char *display, const char *sql, struct derr *e)
{
	pg_clear_error(c);
	if (!pg_ready(c) || !run(c, sql))
		return pg_fail(c, display, e, "updating the database");
	return DESK_OK;
}

int64_t pg_changes(struct pg_conn *c)
{
	return c->changes;
}

void pg_deallocate(struct pg_conn *c, const char *name)
{
	if (PQstatus(c->pg) != CONNECTION_OK)
		return; /* the server forgets it with the session */
	if (PQtransactionStatus(c->pg) == PQTRANS_INERROR) {
		if (c->n_dealloc == c->cap_dealloc) {
			c->cap_dealloc = c->cap_dealloc ? 2 * c->cap_dealloc : 8;
			c->dealloc = xrealloc(c->dealloc, c->cap_dealloc * sizeof *c->dealloc);
		}
		c->dealloc[c->n_dealloc++] = xstrdup(name);
		return;
	}
	char *sql = xasprintf("DEALLOCATE \"%s\"", name);
	PQclear(PQexec(c->pg, sql));
	free(sql);
}

/* --- transactions ------------------------------------------------------ */

/* The bound on waiting for the writers' lock; tests shorten it by the
 * write gate's knob (never an installed, set-id desk). */
static long long writer_wait_ms(void)
{
	const char *env = priv_setid() ? NULL : getenv("DESK_GATE_STUCK_MS");
	long long v = env ? atoll(env) : 0;
	return v > 0 ? v : WRITER_LOCK_WAIT_MS;
}

/* "alice (server pid 4242, \"desk\") for 31 s": who holds the writers'
 * lock in this database, as the server tells it (another role's start
 * time and address are the server's to hide), or NULL.  After the
 * failed BEGIN is rolled back. */
static char *lock_holder(struct pg_conn *c)
{
	PGresult *res = PQexec(
		c->pg,
		"SELECT a.usename, a.pid, a.application_name, host(a.client_addr),"
		" floor(extract(epoch FROM clock_timestamp() - a.xact_start))::bigint"
		" FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
		" WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0"
		" AND l.objid = " WRITER_LOCK_KEY " AND l.objsubid = 1"
		" AND l.database = (SELECT oid FROM pg_database"
		" WHERE datname = current_database())");
	char *out = NULL;
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
		char *who = text_sanitize(PQgetisnull(res, 0, 0) ? "?" : PQgetvalue(res, 0, 0), 0);
		char *app = text_sanitize(PQgetvalue(res, 0, 2), 0);
		struct strbuf b = {0};
		sb_addf(&b, "%s (server pid %s", who, PQgetvalue(res, 0, 1));
		if (*app)
			sb_addf(&b, ", \"%s\"", app);
		if (!PQgetisnull(res, 0, 3))
			sb_addf(&b, ", from %s", PQgetvalue(res, 0, 3));
		sb_addc(&b, ')');
		if (!PQgetisnull(res, 0, 4))
			sb_addf(&b, " for %s s", PQgetvalue(res, 0, 4));
		out = sb_take(&b);
		free(who);
		free(app);
	}
	PQclear(res);
	return out;
}

int pg_begin(struct pg_conn *c, const char *display, struct derr *e)
{
	pg_clear_error(c);
	if (!pg_ready(c))
		return pg_fail(c, display, e, "starting a change");
	c->in_txn = true;
	long long wait = writer_wait_ms();
	char *sql = xasprintf("BEGIN; SET LOCAL lock_timeout = %lld; "
			      "SELECT pg_advisory_xact_lock(" WRITER_LOCK_KEY "); "
			      "SET LOCAL lock_timeout TO DEFAULT",
			      wait);
	bool ok = run(c, sql);
	free(sql);
	if (ok)
		return DESK_OK;
	bool stuck = strcmp(c->sqlstate, "55P03") == 0;
	int rc = pg_fail(c, display, e, "waiting to write");
	pg_rollback(c);
	char *who = stuck ? lock_holder(c) : NULL;
	if (who) {
		rc = derr_set(e, DESK_EBUSY,
			      "%s: another desk has held the database's write lock for over "
			      "%lld s without finishing: %s; nothing was changed (if it is "
			      "stuck, end it, then try again)",
			      display, wait / 1000, who);
		free(who);
	}
	return rc;
}

/* Waits until the commit just made is on disk (and wherever the
 * session's synchronous_commit asks, a standby included): a tiny
 * transaction of its own that writes WAL commits with the session's
 * setting, and its flush covers every record before it.  Run after the
 * writers' lock is gone, so the flushes of many writers go together.
 * False (the failure kept) when that cannot be told. */
static bool flush_own_commit(struct pg_conn *c)
{
	PGresult *res = PQexec(c->pg, "SELECT pg_logical_emit_message(true, 'desk', '')");
	bool ok = PQresultStatus(res) == PGRES_TUPLES_OK;
	if (!ok)
		pg_keep_error(c, res);
	PQclear(res);
	return ok;
}

int pg_commit(struct pg_conn *c, const char *display, struct derr *e)
{
	pg_clear_error(c);
	if (PQtransactionStatus(c->pg) == PQTRANS_INERROR) {
		pg_rollback(c);
		return derr_set(e, DESK_EIO,
				"%s: the change was not saved: a statement in it had failed, "
				"so the database server rolled it back",
				display);
	}
	/* A read-only transaction may not NOTIFY, and changed nothing.
	 * A write commits without waiting for its WAL flush, which releases
	 * the writers' lock at once: the next writer sees it meanwhile, and
	 * the flush (a millisecond or more of disk) no longer keeps every
	 * other writer waiting.  "Saved" is said only after flush_own_commit
	 * below; a crash before it loses the change together with anything
	 * that saw it (later in the WAL, so also unflushed), never alone. */
	PGresult *res = PQexec(c->pg, c->readonly ? "COMMIT"
						  : "NOTIFY " CHANNEL "; SET LOCAL synchronous_commit = off; "
						    "COMMIT");
	ExecStatusType st = PQresultStatus(res);
	bool lost_it = PQstatus(c->pg) == CONNECTION_BAD;
	/* COMMIT of a transaction an error aborted answers ROLLBACK. */
	bool rolled_back = st == PGRES_COMMAND_OK && strcmp(PQcmdStatus(res), "ROLLBACK") == 0;
	bool unconfirmed = !lost_it && !rolled_back && st == PGRES_COMMAND_OK &&
			   !c->readonly && !flush_own_commit(c);
	const char *unsure =
		unconfirmed ? "the database server took the change but could not confirm it is on disk"
		: lost_it   ? "lost the connection to the database server while saving the change"
			    : NULL;
	if (lost_it)
		pg_keep_error(c, res);
	int rc = DESK_OK;
	if (unsure) {
		rc = derr_set(e, DESK_EIO,
			      "%s: %s (%s): it may or may not have been saved; look before "
			      "doing it again",
			      display, unsure, c->err_msg);
	} else if (rolled_back) {
		rc = derr_set(e, DESK_EIO,
			      "%s: the change was not saved: a statement in it had failed, "
			      "so the database server rolled it back",
			      display);
	} else if (st != PGRES_COMMAND_OK) {
		pg_keep_error(c, res);
		rc = pg_fail(c, display, e, "saving the change");
	}
	PQclear(res);
	if (rc != DESK_OK)
		pg_rollback(c);
	c->in_txn = false;
	return rc;
}

void pg_rollback(struct pg_conn *c)
{
	PGTransactionStatusType ts = PQtransactionStatus(c->pg);
	if (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR)
		PQclear(PQexec(c->pg, "ROLLBACK"));
	c->in_txn = false;
	if (PQtransactionStatus(c->pg) != PQTRANS_IDLE)
		return;
	for (size_t i = 0; i < c->n_dealloc; i++) {
		pg_deallocate(c, c->dealloc[i]);
		free(c->dealloc[i]);
	}
	c->n_dealloc = 0;
}

bool pg_in_transaction(struct pg_conn *c)
{
	PGTransactionStatusType ts = PQtransactionStatus(c->pg);
	return c->in_txn || ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR ||
	       ts == PQTRANS_ACTIVE;
}
