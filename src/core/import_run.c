/* import_run.c: desk import of a whole file, in batches, all or nothing.
 *
 * A file of 30,000 tickets takes seconds to write, and one transaction
 * for it would hold the write gate all that time: every agent's note
 * would wait.  Batches let agents in between, but a reader would then
 * see half an import, and a killed import would leave half of it.  So
 * the import works like a database journal:
 *
 * 1. Check: every line is read and checked as writing it would check it
 *    (import_check), and each good line is kept in the spool
 *    (import_lines, schema 19) in short transactions.  Nothing an agent
 *    sees changes.  A bad line (without skip_bad) ends the import and
 *    the spool is deleted.
 * 2. Commit point: one small transaction marks the run ready.
 * 3. Publish: batches of about IMPORT_BATCH_MS each write the next
 *    lines' tickets, index them for search in one pass, and delete
 *    their lines and advance the run's count in the same transaction.
 *
 * Killed before the commit point, the run is left 'checking' with no
 * importer: the next import or resume deletes its spool (the importer
 * holds PATH-import locked for its whole run, so a run whose lock is
 * free is dead).  Killed after it, the next resume (desk import
 * --resume, desk tick) or import finishes the run: never undoes it,
 * since agents may already be working on its first tickets. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#include "caps.h"
#include "core.h"
#include "import_internal.h"
#include "util.h"

/* The spool is written in transactions of at most this many bytes:
 * 4 MiB took 60-320 ms on a loaded machine, 512 KiB stays near 20. */
#define SPOOL_BATCH_BYTES (512 << 10)
/* A stopped run's spool is deleted this many lines a transaction. */
#define DROP_BATCH_LINES 2000
/* A batch stops taking lines when what it has taken, plus what its
 * ending took last time (indexing, putting the FTS triggers back, the
 * commit's fsync: 20 to 120 ms on a loaded machine), fills
 * IMPORT_BATCH_MS; but it takes lines for at least LINES_MIN_MS, or
 * the endings would be all it did. */
#define LINES_MIN_MS 10.0
/* Lines read from the spool at a time while publishing. */
#define FETCH_LINES 64

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void pause_ms(long ms)
{
	if (ms <= 0)
		return;
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0)
		;
}

static void progress(const struct import_opts *o, bool checking, long n, long total,
		     double per_second)
{
	if (o && o->progress) {
		struct import_progress p = {checking, n, total, per_second};
		o->progress(&p, o->progress_arg);
	}
}

/* --- the spool of a run that will not be published ------------------------ */

static int drop_run(struct desk *d, int64_t run, struct derr *e)
{
	bool left = true;
	while (left) {
		int rc = store_begin(d->st, e);
		if (rc == DESK_OK && (rc = store_import_run_drop(d->st, run, DROP_BATCH_LINES,
								  &left, e)) == DESK_OK)
			rc = store_commit(d->st, e);
		else if (rc != DESK_EBUSY)
			store_rollback(d->st);
		if (rc)
			return rc;
	}
	return DESK_OK;
}

/* --- publishing ----------------------------------------------------------- */

/* The merges of the lines just written: linked now when their target is
 * in, else kept in the spool for the end. */
static int keep_merges(struct importer *im, int64_t run, struct derr *e)
{
	for (size_t i = 0; i < im->npend; i++) {
		struct pending_merge *p = &im->pend[i];
		int64_t into = 0;
		int rc = store_ticket_by_external_id(im->d->st, p->xid, &into, e);
		if (rc == DESK_OK)
			rc = store_ticket_set_merged_into(im->d->st, p->ticket_id, into, e);
		else if (rc == DESK_ENOTFOUND) {
			derr_clear(e);
			struct import_merge m = {p->ticket_id, p->line, p->xid};
			rc = store_import_merge_add(im->d->st, run, &m, e);
		}
		if (rc)
			return rc;
	}
	import_drop_pending(im, 0);
	return DESK_OK;
}

/* The end: every merge left is linked.  Their targets were checked
 * before the commit point; one still missing was reported then (with
 * skip_bad), or went since: then it is reported now. */
static int link_merges(struct importer *im, struct import_run *run, FILE *report,
		       struct derr *e)
{
	struct import_merge *v;
	size_t n;
	int rc = store_import_merges_take(im->d->st, run->id, &v, &n, e);
	for (size_t i = 0; rc == DESK_OK && i < n; i++) {
		int64_t into = 0;
		rc = store_ticket_by_external_id(im->d->st, v[i].target, &into, e);
		if (rc == DESK_OK) {
			rc = store_ticket_set_merged_into(im->d->st, v[i].ticket_id, into, e);
			continue;
		}
		if (rc != DESK_ENOTFOUND)
			break;
		derr_clear(e);
		rc = DESK_OK;
		if (run->skip_bad)
			continue; /* reported when checked */
		struct derr le = {0};
		derr_set(&le, DESK_EINVAL,
			 "%s:%ld: merged_into: the ticket it names is gone; imported without the "
			 "link",
			 run->name, v[i].line);
		if (report)
			import_report(report, le.msg);
		run->bad++;
	}
	import_merges_free(v, n);
	return rc;
}

/* One line of a batch under its own savepoint.  A line refused now was
 * good when checked: the desk changed since (a Message-ID taken by mail
 * that came in meanwhile).  The run is past its commit point, so that
 * line is reported and skipped, not the import undone. */
static int publish_line(struct importer *im, struct import_run *run,
			const struct import_line *l, FILE *report, struct derr *e)
{
	im->line = l->seq;
	size_t npend = im->npend;
	bool created = false;
	struct derr le = {0};
	int rc = store_savepoint(im->d->st, e);
	if (rc)
		return rc;
	rc = import_write(im, l->text, l->len, &created, &le);
	if (rc == DESK_OK) {
		if ((rc = store_release(im->d->st, e)))
			return rc;
		if (created)
			run->created++;
		else
			run->updated++;
		return DESK_OK;
	}
	store_rollback_to(im->d->st);
	import_drop_pending(im, npend);
	import_forget(im);
	if (rc != DESK_EINVAL) {
		*e = le;
		return rc;
	}
	derr_prefix(&le, "%s:%ld", run->name, l->seq);
	if (report) {
		char *msg = xasprintf("%s (the desk changed since it was checked; skipped)",
				      le.msg);
		import_report(report, msg);
		free(msg);
	}
	run->bad++;
	return DESK_OK;
}

/* Lines read from the spool and not yet written.  A batch often ends
 * after a few of the FETCH_LINES it read (on PostgreSQL a ticket costs
 * milliseconds of round trips), and the rest stay in the spool until
 * written, so the next batch starts on them rather than reading them
 * again. */
struct line_cache {
	struct import_line *v;
	size_t n, next;
};

static void line_cache_free(struct line_cache *c)
{
	import_lines_free(c->v, c->n);
	*c = (struct line_cache){0};
}

/* One batch: the next lines for about IMPORT_BATCH_MS (or
 * o->batch_tickets of them), their search index, their lines out of the
 * spool and the count, in one transaction.  *more: lines are left. */
static int publish_batch(struct importer *im, struct import_run *run,
			 const struct import_opts *o, FILE *report, struct line_cache *cache,
			 long *last, bool *more, double *ending_ms, struct derr *e)
{
	struct store *st = im->d->st;
	struct store_bulk *fts = NULL;
	int rc = store_begin(st, e);
	if (rc)
		return rc;
	/* The batch's time counts from here: swapping the FTS triggers and
	 * back is part of what other writers wait for. */
	double t0 = mono_s();
	if ((rc = store_fts_defer(st, &fts, e))) {
		store_rollback(st);
		return rc;
	}
	double lines_ms = IMPORT_BATCH_MS - *ending_ms - (mono_s() - t0) * 1000;
	if (lines_ms < LINES_MIN_MS)
		lines_ms = LINES_MIN_MS;
	long limit = o && o->batch_tickets > 0 ? o->batch_tickets : 0, written = 0;
	*more = true;
	while (rc == DESK_OK && !(limit && written >= limit)) {
		if (cache->next == cache->n) {
			line_cache_free(cache);
			long want = FETCH_LINES;
			if (limit && limit - written < want)
				want = limit - written;
			if ((rc = store_import_lines_next(st, run->id, *last, want, &cache->v,
							  &cache->n, e)))
				break;
			if (cache->n == 0) {
				*more = false;
				break;
			}
		}
		rc = publish_line(im, run, &cache->v[cache->next], report, e);
		if (rc)
			break;
		*last = cache->v[cache->next++].seq;
		run->done++;
		written++;
		if (!limit && (mono_s() - t0) * 1000 >= lines_ms)
			break;
	}
	if (rc == DESK_OK)
		rc = keep_merges(im, run->id, e);
	if (rc == DESK_OK && !*more) {
		bool left;
		if ((rc = link_merges(im, run, report, e)) == DESK_OK &&
		    (rc = store_import_lines_done(st, run->id, *last, e)) == DESK_OK)
			rc = store_import_run_drop(st, run->id, DROP_BATCH_LINES, &left, e);
		if (rc == DESK_OK && left)
			rc = derr_set(e, DESK_EIO, "internal error: import lines left at the end");
	} else if (rc == DESK_OK) {
		if ((rc = store_import_lines_done(st, run->id, *last, e)) == DESK_OK)
			rc = store_import_run_progress(st, run, e);
	}
	double t1 = mono_s();
	if (rc == DESK_OK && (rc = store_fts_catch_up(st, &fts, e)) == DESK_OK)
		rc = store_commit(st, e); /* rolls back by itself when it fails */
	else
		store_rollback(st);
	*ending_ms = (mono_s() - t1) * 1000;
	store_bulk_abandon(&fts);
	return rc;
}

/* Publishes a ready run to its end.  t0: when the import began, for the
 * rate. */
static int publish(struct desk *d, struct import_run *run, const struct import_opts *o,
		   FILE *report, double t0, struct derr *e)
{
	struct importer im;
	importer_init(&im, d, run->name, run->started_at, run->agent_id, run->skip_bad);
	long last = 0, start_done = run->done, analyze_at = 8;
	double ending_ms = 0;
	bool more = true;
	int rc = DESK_OK;
	struct line_cache cache = {0};
	store_bulk_wal(d->st, true);
	while (more && rc == DESK_OK) {
		rc = publish_batch(&im, run, o, report, &cache, &last, &more, &ending_ms, e);
		/* After every batch: a WAL left to grow past 1000 pages is
		 * checkpointed by the next agent's commit, inside the gate
		 * (measured: writers' p99 673 ms with a checkpoint a second,
		 * 273 ms with one a batch, 330 ms with no import at all). */
		store_checkpoint_passive(d->st);
		/* Plans made while the tables were empty go as they fill:
		 * looked at each time this run's count doubles. */
		if (run->done - start_done >= analyze_at) {
			store_analyze_grown(d->st);
			analyze_at *= 2;
		}
		/* The agents who queued during the batch write before the next. */
		store_let_waiters_first(d->st, IMPORT_BATCH_MS * 2);
		if (rc == DESK_OK) {
			double s = mono_s() - t0;
			progress(o, false, run->done, run->total,
				 s > 0 ? (double)(run->done - start_done) / s : 0);
			if (more)
				pause_ms(o ? o->pause_ms : 0);
		}
	}
	/* The last batches made durable before the import says it is done. */
	store_bulk_wal(d->st, false);
	store_checkpoint_passive(d->st);
	line_cache_free(&cache);
	importer_free(&im);
	if (rc)
		derr_prefix(e, "%s: stopped after %ld of %ld tickets (finish it with desk import "
			       "--resume)",
			    run->name, run->done, run->total);
	return rc;
}

/* Runs left by imports that stopped: the spool of each that had not
 * reached its commit point is deleted; each that had is finished, and
 * its counts added to *r.  *finished: how many were.  Holds the import
 * lock. */
static int finish_stopped(struct desk *d, const struct import_opts *o, FILE *report,
			  struct import_result *r, int *finished, struct derr *e)
{
	*finished = 0;
	struct import_run *runs;
	size_t n;
	int rc = store_import_runs(d->st, &runs, &n, e);
	for (size_t i = 0; rc == DESK_OK && i < n; i++) {
		struct import_run *run = &runs[i];
		if (run->state == IMPORT_CHECKING) {
			rc = drop_run(d, run->id, e);
			continue;
		}
		if (report) {
			char *msg = xasprintf("desk: finishing the import of %s first: it stopped "
					      "after %ld of %ld tickets",
					      run->name, run->done, run->total);
			import_report(report, msg);
			free(msg);
		}
		long before = run->done;
		if ((rc = publish(d, run, o, report, mono_s(), e)))
			break;
		r->created += run->created;
		r->updated += run->updated;
		r->bad += run->bad;
		r->resumed += run->done - before;
		(*finished)++;
	}
	import_runs_free(runs, n);
	return rc;
}

int core_import_resume(struct desk *d, const struct import_opts *o, struct import_result *r,
		       void *stdio_report, struct derr *e)
{
	struct import_result res = {0};
	if (r)
		*r = res;
	if (d->me.role != ROLE_ADMIN && d->me.role != ROLE_SUPERVISOR)
		return derr_set(e, DESK_EDENIED,
				"finishing an import is for admins and supervisors (you are %s, "
				"an agent)",
				d->me.login);
	int rc = store_import_lock(d->st, e);
	if (rc)
		return rc;
	int finished = 0;
	rc = finish_stopped(d, o, stdio_report, &res, &finished, e);
	store_import_unlock(d->st);
	if (r)
		*r = res;
	if (rc == DESK_OK && !finished)
		return derr_set(e, DESK_ENOTFOUND, "no stopped import to finish");
	return rc;
}

/* --- reading and checking the file ------------------------------------ */

/* Reads one line into *buf without its '\n' (a NUL after it), keeping
 * at most max bytes of it (and a CR after those); a longer line is read
 * to its end all the same, so the next call starts on the next line.
 * Returns the bytes kept, -1 at the end of the input; *whole receives
 * the line's length.  So a line of gigabytes costs no memory, only the
 * time to skip it. */
static ssize_t read_line_capped(FILE *in, char **buf, size_t *cap, size_t max, size_t *whole)
{
	size_t n = 0;
	int ch;
	bool any = false;
	*whole = 0;
	while ((ch = getc_unlocked(in)) != EOF) {
		any = true;
		if (ch == '\n')
			break;
		(*whole)++;
		if (n < max + 1) {
			xgrow((void **)buf, cap, n + 2, 1);
			(*buf)[n++] = (char)ch;
		}
	}
	if (!any)
		return -1;
	xgrow((void **)buf, cap, n + 1, 1);
	(*buf)[n] = '\0';
	return (ssize_t)n;
}

/* Checked lines waiting to go into the spool. */
struct spool {
	struct import_run run;
	bool started; /* the run's row is in */
	struct import_line *v;
	size_t n, cap, bytes;
	long lines; /* spooled in all */
};

static void spool_clear(struct spool *sp)
{
	for (size_t i = 0; i < sp->n; i++)
		free(sp->v[i].text);
	sp->n = sp->bytes = 0;
}

/* Writes the waiting lines in one transaction (with the run's row the
 * first time); with ready, also the commit point. */
static int spool_flush(struct desk *d, struct spool *sp, bool ready, long bad, struct derr *e)
{
	int rc = store_begin(d->st, e);
	if (rc)
		return rc;
	bool adding = !sp->started;
	if (adding)
		rc = store_import_run_add(d->st, &sp->run, e);
	if (rc == DESK_OK)
		rc = store_import_lines_add(d->st, sp->run.id, sp->v, sp->n, e);
	if (rc == DESK_OK && ready)
		rc = store_import_run_ready(d->st, sp->run.id, sp->lines + (long)sp->n, bad, e);
	if (rc == DESK_OK)
		rc = store_commit(d->st, e);
	else
		store_rollback(d->st);
	if (rc)
		return rc;
	sp->started = true;
	sp->lines += (long)sp->n;
	spool_clear(sp);
	return DESK_OK;
}

static void spool_add(struct spool *sp, long seq, const char *text, size_t len)
{
	xgrow((void **)&sp->v, &sp->cap, sp->n + 1, sizeof *sp->v);
	char *copy = xmalloc(len + 1);
	memcpy(copy, text, len + 1);
	sp->v[sp->n++] = (struct import_line){seq, copy, len};
	sp->bytes += len;
}

/* Step 1: every line checked, the good ones spooled.  On DESK_OK the
 * run is ready (the commit point passed).  le: the line's message. */
static int check_file(struct importer *im, FILE *in, struct spool *sp,
		      const struct import_opts *o, FILE *report, struct import_result *res,
		      struct derr *e)
{
	char *buf = NULL;
	size_t cap = 0, whole;
	ssize_t len;
	int rc = DESK_OK;
	double flushed = mono_s();
	store_bulk_wal(im->d->st, true);
	while ((len = read_line_capped(in, &buf, &cap, DESK_MAX_IMPORT_LINE, &whole)) >= 0) {
		im->line++;
		char *text = buf;
		size_t n = (size_t)len;
		/* over the cap, unless what is over is the CR of a CRLF */
		bool cut = whole > n || (n > DESK_MAX_IMPORT_LINE && text[n - 1] != '\r');
		if (im->line == 1 && n >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
			text += 3;
			n -= 3;
		}
		while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r'))
			text[--n] = '\0';
		if (strlen(text) == n && import_blank(text))
			continue;
		struct derr le = {0};
		if (cut) {
			char most[32];
			rc = derr_set(&le, DESK_EINVAL,
				      "the line is %zu bytes, more than the %s desk takes in one line",
				      whole, caps_describe(DESK_MAX_IMPORT_LINE, most, sizeof most));
		} else {
			rc = import_check(im, text, n, &le);
		}
		if (rc == DESK_OK) {
			spool_add(sp, im->line, text, n);
			long limit = o && o->batch_tickets > 0 ? o->batch_tickets : 0;
			bool due = limit ? (long)sp->n >= limit
					 : sp->bytes >= SPOOL_BATCH_BYTES ||
						   (mono_s() - flushed) * 1000 >= IMPORT_BATCH_MS * 4;
			if (due) {
				if ((rc = spool_flush(im->d, sp, false, 0, e)))
					break;
				store_checkpoint_passive(im->d->st); /* as after a batch */
				store_let_waiters_first(im->d->st, IMPORT_BATCH_MS * 2);
				flushed = mono_s();
				progress(o, true, im->line, 0, 0);
				pause_ms(o ? o->pause_ms : 0);
			}
			continue;
		}
		derr_prefix(&le, "%s:%ld", im->name, im->line);
		if (report)
			import_report(report, le.msg);
		if (rc == DESK_EINVAL && im->skip_bad) {
			res->bad++;
			rc = DESK_OK; /* skipped: the file goes on, even when it was the last line */
			continue;
		}
		*e = le;
		if (rc == DESK_EINVAL)
			res->bad = 1;
		break;
	}
	free(buf);
	/* The commit point, below, with synchronous=FULL: once it says
	 * ready, the whole spool is on disk. */
	store_bulk_wal(im->d->st, false);
	if (rc)
		return rc;
	if (ferror(in))
		return derr_set(e, DESK_EIO, "%s: cannot read: %s", im->name, strerror(errno));
	if ((rc = import_check_merges(im, report, &res->bad, e))) {
		res->bad = 1;
		return rc;
	}
	progress(o, true, im->line, 0, 0);
	return spool_flush(im->d, sp, true, res->bad, e);
}

int core_import(struct desk *d, void *stdio_in, const struct import_opts *o,
		struct import_result *r, void *stdio_report, struct derr *e)
{
	FILE *in = stdio_in, *report = stdio_report;
	const char *name =
		o && !str_empty(o->name) && strcmp(o->name, "-") != 0 ? o->name : "stdin";
	struct import_result res = {0};
	if (r)
		*r = res;
	/* An import writes history as the file tells it: it replaces
	 * tickets, names any author and adds agents.  That is an admin's
	 * migration tool, not an agent's. */
	if (d->me.role != ROLE_ADMIN)
		return derr_set(e, DESK_EDENIED,
				"importing is for admins: an import replaces tickets, names their "
				"authors and adds agents (you are %s, a%s %s)",
				d->me.login, d->me.role == ROLE_AGENT ? "n" : "",
				role_name(d->me.role));
	double t0 = mono_s();
	int rc = store_import_lock(d->st, e);
	if (rc) {
		if (report)
			import_report(report, e->msg);
		return rc;
	}
	int finished = 0;
	struct import_result before = {0};
	if ((rc = finish_stopped(d, o, report, &before, &finished, e))) {
		if (report)
			import_report(report, e->msg);
		store_import_unlock(d->st);
		return rc;
	}
	struct importer im;
	importer_init(&im, d, name, time_now(), d->me.id, o && o->skip_bad);
	struct spool sp = {.run = {.started_at = im.now, .agent_id = d->me.id,
				   .name = (char *)name, .skip_bad = im.skip_bad}};
	rc = check_file(&im, in, &sp, o, report, &res, e);
	importer_free(&im);
	spool_clear(&sp);
	free(sp.v);
	if (rc) {
		/* Before the commit point: the spool goes, nothing is left. */
		struct derr de = {0};
		if (sp.started && drop_run(d, sp.run.id, &de) && report)
			import_report(report, de.msg);
		if (rc != DESK_EINVAL && report)
			import_report(report, e->msg);
		if (rc != DESK_EINVAL)
			res.bad = 0;
		store_import_unlock(d->st);
		if (r) {
			*r = (struct import_result){.bad = res.bad};
		}
		return rc;
	}
	sp.run.state = IMPORT_READY;
	sp.run.total = sp.lines;
	sp.run.bad = res.bad;
	/* sp.run.name is borrowed; publish copies nothing of it */
	res.committed = true;
	if (r)
		r->committed = true;
	rc = publish(d, &sp.run, o, report, t0, e);
	store_import_unlock(d->st);
	if (rc) {
		if (report)
			import_report(report, e->msg);
		return rc;
	}
	res.created = sp.run.created + before.created;
	res.updated = sp.run.updated + before.updated;
	res.bad = sp.run.bad + before.bad;
	res.resumed = before.resumed;
	res.committed = true;
	if (r)
		*r = res;
	return DESK_OK;
}
