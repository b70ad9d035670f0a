/* core.h: the actions and rules that the command line and the console
 * share.  No curses and no SQL here: core/ speaks to store/ in domain
 * structs, wraps every action in one short write transaction together
 * with its audit events, and enforces the workflow:
 *
 *   new -> open -> pending / on_hold -> solved -> closed
 *
 * - a customer message on a pending, on-hold or solved ticket reopens it
 *   (to open); leaving solved for anything but closed counts a reopen;
 * - closed is final, and only a solved ticket can be closed;
 * - a ticket cannot be solved while nobody is assigned, unless the team's config
 *   says allow_solve_unassigned;
 * - nothing goes back to new. */
#ifndef DESK_CORE_H
#define DESK_CORE_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "error.h"
#include "model.h"
#include "store.h"

/* An open desk: the database, the config and who is acting. */
struct desk {
	struct store *st;
	/* The report_database, opened read-only by the first report or
	 * dashboard that needs it (core_report_store). */
	struct store *report_st;
	const struct config *cfg; /* borrowed */
	struct agent me;
	/* The change the events being written belong to (an agent's one
	 * action, what `u` undoes: see core_undo): 0 until its first event
	 * gives it that event's id.  Each transaction core begins starts a
	 * new one, unless change_hold keeps it across several (a bulk
	 * change); change_fresh says it began in the open transaction, so a
	 * rollback forgets it. */
	int64_t change_id;
	bool change_fresh, change_hold;
	/* A reply that leaves by mail is held this long before sendmail may
	 * have it (send_after), so it can be taken back: the console's
	 * undo_send_seconds; 0 (the CLI) sends at once. */
	int reply_hold_seconds;
};

enum {
	DESK_OPEN_CREATE = 1 << 0, /* create the database (desk init) */
	DESK_OPEN_NO_AGENT = 1 << 1, /* do not require a known agent */
	/* Reading only (list, show, export, ...): no write and no write
	 * lock, not even for statistics at exit, so it never waits behind
	 * (or holds up) a writer. */
	DESK_OPEN_READONLY = 1 << 2,
	/* Told of other desks' changes (store_changed): the console. */
	DESK_OPEN_WATCH = 1 << 3,
};

/* Resolves the database path: explicit, then $DESK_DB, then the config,
 * then $XDG_DATA_HOME/desk/desk.db (else ~/.local/share/desk/desk.db).
 * Returns a new string. */
char *desk_db_path(const char *explicit_path, const struct config *cfg);

/* The login of the process's real user (getpwuid), in a new string. */
char *desk_unix_login(void);

/* Opens the store and identifies the acting agent: the Unix login, or
 * as_login (allowed only for root).  A database outside desk's own
 * folder is opened after desk dropped its group for good (priv.h). */
int desk_open(struct desk *d, const char *db_path, const struct config *cfg,
	      const char *as_login, int flags, struct derr *e);
void desk_close(struct desk *d);

/* desk init: creates the database and makes the creator an admin. */
int desk_init(struct desk *d, const char *db_path, const struct config *cfg,
	      const char *as_login, struct derr *e);

/* desk init --shared GROUP (root only): the database's folder, new,
 * empty or already desk's, given to root:GROUP with mode 2770, the file
 * root:GROUP 0660, then desk_init.  GROUP is the group desk is
 * installed setgid to. */
int desk_init_shared(struct desk *d, const char *group, const char *db_path,
		     const struct config *cfg, const char *as_login, struct derr *e);
/* Whether this desk runs setgid to `group` (init --shared by root with
 * another desk warns). */
bool desk_shared_setgid_ok(const char *group);
/* Before opening db_path: in desk's own trusted folder, keeps desk's
 * group and gives the checked path to open (*open_path, a new string);
 * anywhere else drops the group for good and checks that the database,
 * its -wal and -shm files and its folder can be used by this user,
 * explaining precisely what to fix when not (an old database shared
 * through the agents' own group included). */
int desk_check_access(const char *db_path, bool creating, char **open_path, struct derr *e);

/* --- tickets ----------------------------------------------------------- */
struct new_ticket {
	const char *subject;
	const char *body;           /* first message; may be NULL */
	/* MSG_CUSTOMER (default), MSG_NOTE, or MSG_REPLY: an agent-started
	 * ticket whose first message is the agent's, mailed to the customer
	 * (outbound); it must be mailed (outbound_plan), else nothing is
	 * created */
	enum msg_kind body_kind;
	const char *cc, *bcc;       /* MSG_REPLY only: copies, as desk reply's */
	int status;                 /* after creation; -1: new, or pending for
				     * MSG_REPLY (waiting on the customer) */
	const char *follow_up;      /* "until" for a pending or on-hold start */
	enum channel channel;
	enum priority priority;
	const char *queue;          /* NULL: the config's default queue */
	int64_t customer_id;        /* or, when 0, find/create by these: */
	const char *customer_name;
	const char *customer_email;
	const char *customer_phone;
	const char *assignee;       /* login or NULL */
	const char *const *tags;    /* NULL-terminated or NULL */
};
void new_ticket_init(struct new_ticket *nt);
int core_ticket_new(struct desk *d, const struct new_ticket *nt, int64_t *id, struct derr *e);
/* The same, with the first message's row in *msg_id (0: none).  An
 * outbound start (MSG_REPLY) is assigned to the acting agent unless
 * nt->assignee says otherwise; its reply is stored "queued" and the
 * caller sends it (outbound_send, or the console's mailer). */
int core_ticket_start(struct desk *d, const struct new_ticket *nt, int64_t *id, int64_t *msg_id,
		      struct derr *e);

struct strbuf;

/* A change of one field, as `desk set` and the console make them. */
enum field {
	FIELD_STATUS,
	FIELD_PRIORITY,
	FIELD_QUEUE,
	FIELD_ASSIGNEE, /* value: a login, or "" / "none" to unassign */
	FIELD_TAG_ADD,
	FIELD_TAG_REMOVE,
	FIELD_SUBJECT,
	FIELD_FOLLOW_UP, /* "until=3d": pending/on_hold until then; "none" clears */
	/* Not a change: fails (DESK_ECONFLICT) unless the ticket's status
	 * is the value, so an action decided on an earlier read (desk tick)
	 * is refused, with all its transaction, when the ticket moved on. */
	FIELD_REQUIRE_STATUS,
};
struct field_change {
	enum field field;
	const char *value;
};
/* Parses "status=solved", "tag+=refund", "tag-=x", "assignee=bob",
 * "until=3d".
 * The change points into `text`, which must outlive it. */
int field_change_parse(const char *text, struct field_change *out, char *buf, size_t bufsize,
		       struct derr *e);

/* Applies changes to one ticket in one transaction, all or nothing. */
int core_apply(struct desk *d, int64_t id, const struct field_change *ch, size_t n,
	       struct derr *e);
int core_set_status(struct desk *d, int64_t id, enum status s, struct derr *e);
/* Whether a ticket in this status may wait for a follow-up time. */
bool status_may_follow_up(enum status s);
int core_set_priority(struct desk *d, int64_t id, enum priority p, struct derr *e);
int core_set_queue(struct desk *d, int64_t id, const char *queue, struct derr *e);
int core_tag(struct desk *d, int64_t id, const char *tag, bool add, struct derr *e);

/* The queues a ticket can be put in, for completion: the team's queues:
 * list; without one, the queues of the unfinished tickets and the
 * default queues (src/core/labels.c). */
int core_known_queues(struct desk *d, struct name_list *out, struct derr *e);
/* Whether no ticket carries tag yet (the console asks before making
 * one); *near is then the closest tag in use, or NULL, owned. */
int core_tag_is_new(struct desk *d, const char *tag, bool *is_new, char **near,
		    struct derr *e);

/* Takes an unassigned ticket (or one already ours).  If someone else has
 * it: DESK_ECONFLICT, "ticket 12 is already assigned to bob". */
int core_claim(struct desk *d, int64_t id, struct derr *e);
int core_assign(struct desk *d, int64_t id, const char *login, struct derr *e);
int core_unassign(struct desk *d, int64_t id, struct derr *e);

/* Public reply (kind MSG_REPLY) or internal note (MSG_NOTE), with optional
 * field changes applied in the same transaction (a canned macro).  An
 * empty or all-whitespace body is DESK_EINVAL and stores nothing.  A
 * reply that leaves by mail (outbound_plan) is stored "queued" and not
 * sent here: the caller hands *msg_id to outbound_send (waiting) or
 * outbound_job_start (not waiting), see mail.h. */
int core_post(struct desk *d, int64_t id, enum msg_kind kind, const char *body,
	      const struct field_change *ch, size_t n, int64_t *msg_id, struct derr *e);
/* The same with copies: cc and bcc (NULL: none) are address lists as
 * mail_recipients_join makes them, checked again here.  Copies are for a
 * reply that leaves by mail only: on a note, or on a ticket whose replies
 * are not mailed (outbound_plan says why), DESK_EINVAL and nothing is
 * stored. */
int core_post_copies(struct desk *d, int64_t id, enum msg_kind kind, const char *body,
		     const char *cc, const char *bcc, const struct field_change *ch, size_t n,
		     int64_t *msg_id, struct derr *e);
/* What may go with a reply or note besides its text and field changes
 * (core_post_with); every member is optional, zero for none. */
struct outgoing_file; /* mail.h */
struct time_log;
struct post_extras {
	/* Copies, as for core_post_copies. */
	const char *cc, *bcc;
	/* Files (read by outgoing_file_load): checked against
	 * attachments.max_size and max_total (DESK_EINVAL, nothing stored),
	 * stored with the message (in attachments_dir when it is set, else
	 * the database), each with an "attach" event; a mailed reply carries
	 * them (outbound_render: multipart/mixed, base64). */
	const struct outgoing_file *files;
	size_t nfiles;
	/* The time spent, recorded in the same transaction and tied to the
	 * message (nothing stored if either fails). */
	const struct time_log *time;
	/* Knowledge base articles a reply used (their text or link): one
	 * kb_uses row and one audit event ("reply", field "kb_article") per
	 * slug, so `desk report` counts them; a slug no longer indexed is
	 * not counted (the reply is sent all the same). */
	const char *const *articles;
	size_t narticles;
};
/* core_post with its extras (x may be NULL), all in one transaction. */
int core_post_with(struct desk *d, int64_t id, enum msg_kind kind, const char *body,
		   const struct post_extras *x, const struct field_change *ch, size_t n,
		   int64_t *msg_id, struct derr *e);
/* desk forward: the ticket's thread (its customer messages and replies),
 * or the messages ids[0..n) of the ticket, quoted below text (may be
 * NULL) and stored as an internal note to be mailed to `to` (checked by
 * mail_addr_valid), "queued" with a new Message-ID, in one transaction
 * with a "forward" event.  The caller sends *msg_id (outbound_send).  A
 * third party's answer to that id comes back as an internal note. */
int core_forward(struct desk *d, int64_t id, const char *to, const int64_t *ids, size_t n,
		 const char *text, int64_t *msg_id, struct derr *e);
/* desk backup PATH (admins only): a consistent copy of the database,
 * made while agents keep writing, as the caller, mode 0600, checked
 * with integrity_check, then moved to PATH; an existing PATH is
 * replaced only with force (never the database itself). */
int core_backup(struct desk *d, const char *path, bool force, struct store_backup_info *info,
		struct derr *e);

/* --- time spent on tickets (src/core/time_log.c) ----------------------- */
/* One entry: measured by the console's stopwatch (and accepted as
 * offered) or logged by hand (desk time, W, or the offered time edited). */
struct time_log {
	int64_t seconds;   /* 1 .. TIME_ENTRY_MAX */
	bool measured;
	const char *note;  /* NULL or "": none; one line, at most TIME_NOTE_MAX bytes */
	const char *agent; /* whose time, a login; NULL: the acting agent's.
			      Another agent's: supervisors and admins only */
};
#define TIME_NOTE_MAX 500
/* DESK_EINVAL saying what is wrong with tl (before anything is stored). */
int core_time_check(const struct time_log *tl, struct derr *e);
/* Records tl on ticket id in its own transaction with a "time" event
 * ("15m manual: NOTE").  Any ticket but a merged-away one, closed
 * ones too (time is often logged after the fact). */
int core_time_log(struct desk *d, int64_t id, const struct time_log *tl, struct derr *e);

/* The text of a reply or note that could not be stored, kept in a new
 * file private to the agent (mode 0600, made as the agent, under
 * $XDG_STATE_HOME/desk/unsent, else ~/.local/state/desk/unsent, else a
 * private folder in $TMPDIR or /tmp): its path, or NULL with e set. */
char *unsent_keep(int64_t ticket, enum msg_kind kind, const char *text, struct derr *e);
int core_reply(struct desk *d, int64_t id, const char *body, struct derr *e);
int core_note(struct desk *d, int64_t id, const char *body, struct derr *e);
/* A message from the customer (phone log, mail, import): reopens. */
int core_customer_message(struct desk *d, int64_t id, const char *body, int64_t at,
			  const char *message_id, struct derr *e);

/* Merges `from` into `into`: messages, tags and surveys move; `from` is
 * closed with a note pointing at `into`.  Each keeps its own audit
 * events (the trail is append-only), so `from`'s history stays readable
 * under its number.  An agent may merge away only a ticket that is
 * unassigned or theirs (the reassign rule), unless agents_may_reassign. */
int core_merge(struct desk *d, int64_t from, int64_t into, struct derr *e);

/* Recomputes first_response_due, resolution_due and next_due of t from
 * the config's SLA targets and policies, in business time when the config
 * has business hours (see sla.h for the whole clock). */
void sla_apply(const struct config *cfg, struct ticket *t);

/* --- agents ------------------------------------------------------------ */
/* Admins only.  Each writes an audit event. */
int core_agent_add(struct desk *d, const char *login, const char *name, enum role role,
		   struct derr *e);
int core_agent_set_role(struct desk *d, const char *login, enum role role, struct derr *e);
int core_agent_set_active(struct desk *d, const char *login, bool active, struct derr *e);
/* The audit event of an agent change: field "agent:LOGIN", old and new
 * role ("inactive" when deactivated).  Inside a transaction. */
int core_agent_event(struct desk *d, const char *login, const char *old_value,
		     enum role role, struct derr *e);

/* --- customers (src/core/customers.c) ---------------------------------- */
/* A customer named by number ("12", "#12") or by any of their addresses. */
int core_customer_find(struct desk *d, const char *spec, int64_t *id, struct derr *e);
/* What to change: NULL leaves a field; "" clears it.  email makes an
 * address the main one, where replies go (the old one stays theirs);
 * add and remove change the others.  An address must be valid and
 * nobody else's (DESK_ECONFLICT names whose, and how to merge). */
struct customer_edit {
	const char *name, *email, *phone, *organization, *tier, *notes;
	const char *const *add;
	size_t nadd;
	const char *const *remove;
	size_t nremove;
};
/* Any agent; one transaction, an audit event per field changed. */
int core_customer_edit(struct desk *d, int64_t id, const struct customer_edit *ed,
		       struct derr *e);
/* Supervisors and admins: from's tickets and addresses become into's
 * (mail from either finds into), into keeps its details and takes the
 * ones it lacks, their notes are joined, and from is gone.  Each moved
 * ticket gets an audit event. */
int core_customer_merge(struct desk *d, int64_t from, int64_t into, struct derr *e);
/* --- signatures (src/core/signature.c) --------------------------------- */
/* The signature added below a reply, the most personal first: the
 * personal config's `signature:`, else the agent's stored one (`desk
 * agent signature`), else the team config's; NULL when none.  A new
 * string. */
char *core_signature_for_replies(struct desk *d);
/* The stored signature of login (NULL: the acting agent; another's:
 * admins only); *sig NULL when none. */
int core_signature_get(struct desk *d, const char *login, char **sig, struct derr *e);
/* Sets it (NULL or blank text clears it), with an audit event "agent"
 * on field "signature:LOGIN"; another agent's: admins only.  CRLF
 * becomes LF, trailing blank lines and a leading "-- " line go. */
int core_signature_set(struct desk *d, const char *login, const char *text, struct derr *e);
/* DESK_EINVAL naming `what` when text is longer than DESK_MAX_SIGNATURE
 * or holds what a terminal would interpret or hide. */
int core_signature_check(const char *text, const char *what, struct derr *e);
/* body, a blank line, "-- " and sig (body alone when sig is empty).  A
 * new string. */
char *core_sign(const char *body, const char *sig);
/* Whether body is nothing but sig as core_sign added it (an empty reply). */
bool core_signature_only(const char *body, const char *sig);

/* --- drafts (src/core/drafts.c) ----------------------------------------- */
/* "just now", "3 min", "2 h", "yesterday", "3 days", then the date. */
void draft_age(int64_t then, int64_t now, char *buf, size_t size);
/* The first line of body holding more than blanks, its leading blanks
 * gone ("" if none); untrusted, as body was.  A new string. */
char *draft_first_line(const char *body);
/* When ticket was merged (into a ticket that may itself have been
 * merged...), moves the agent's draft of this kind to the ticket that
 * lives on; *into is where the draft now is (ticket when not merged).
 * DESK_ECONFLICT, saying so, when that one has a draft of the kind. */
int core_draft_follow_merge(struct desk *d, int64_t ticket, enum msg_kind kind, int64_t *into,
			    struct derr *e);

/* --- views ------------------------------------------------------------- */
/* A queue view: a filter, an order and a name.  Owns its strings. */
struct view {
	char *name;
	struct queue_filter filter;
	enum queue_sort sort;
	bool reverse;
	char **owned; /* strings that filter points into */
	size_t nowned, capowned;
};
/* Parses the filter language (see man desk, "VIEWS"), e.g.
 * "status:new,open assignee:none queue:billing tag:vip priority:high,urgent
 *  channel:email solved-within:7d due-within:4h customer:ID word word".
 * `me` resolves assignee:me; words become a text filter. */
int view_parse(const char *name, const char *filter, enum queue_sort sort, bool reverse,
	       struct desk *d, struct view *out, struct derr *e);
/* Adds the terms of `filter` to v (a later term of a kind replaces an
 * earlier one). */
int view_narrow(struct view *v, const char *filter, struct desk *d, struct derr *e);
void view_free(struct view *v);
/* Built-in views followed by the config's.  Returns the count. */
size_t view_defs(const struct config *cfg, struct view_def *out, size_t max);
/* Every view of the config parses (agents named in assignee: terms are
 * looked up only when the view is used); else "FILE:LINE: view "NAME":
 * ..." in e. */
int view_check_config(const struct config *cfg, struct derr *e);
/* Finds a view by name among view_defs() and parses it. */
int view_by_name(struct desk *d, const char *name, struct view *out, struct derr *e);

/* --- desk tick: follow-up rules -------------------------------------- */
/* One action of a rule on a ticket, as it is done (or would be). */
struct tick_action {
	const struct follow_up_rule *rule;
	int64_t ticket;
	bool done;       /* false: dry run, or failed (err set) */
	int64_t msg;     /* the reply posted (queued when it leaves by mail); 0: none */
	struct derr err; /* why it failed; code 0 when it did not */
};
/* Runs the config's follow_up_rules once, as d->me (a supervisor or an
 * admin), each action through core with its audit events; each ticket
 * in its own transaction(s), so one failure stops nothing else.  With
 * dry_run nothing changes.  report is called once per action.  *acted
 * counts the actions done (or, dry, that would be), *failed the failed. */
int core_tick(struct desk *d, bool dry_run, void (*report)(const struct tick_action *, void *),
	      void *arg, size_t *acted, size_t *failed, struct derr *e);
/* Housekeeping for desk tick: statistics and a step of full-text merging,
 * skipped if anyone is writing that instant (never waits). */
void core_upkeep(struct desk *d);

/* --- surveys (src/core/survey*.c) -------------------------------------- */
/* A survey's token: 32 lower-case hex digits from getentropy (128 bits:
 * nobody guesses one), written into the survey mail's Message-ID
 * ("desk-survey.TOKEN@domain") and its text ("desk-survey.TOKEN"), so
 * an answer is recognised by it, never by the subject. */
#define SURVEY_TOKEN_LEN 32
#define SURVEY_TOKEN_MARK "desk-survey."
int survey_token_new(char out[SURVEY_TOKEN_LEN + 1], struct derr *e);
bool survey_token_valid(const char *s);
/* The token after the first "desk-survey." in text (a Message-ID, a
 * subject, a body quoting the survey), into out; false when none. */
bool survey_token_find(const char *text, char out[SURVEY_TOKEN_LEN + 1]);
/* Whether a solve falls in the sample of `percent` %: decided by a hash
 * of the ticket and the solve time, so a second look (a dry run, the
 * real run) says the same; the decision is also recorded. */
bool survey_sampled(int64_t ticket_id, int64_t solved_at, int percent);
/* The answer in a reply's text: the first number in its first lines
 * (quoted lines, a quote header "On ... wrote:" and what follows, and a
 * signature are not the reply's own), checked against kind's range;
 * *comment (a new string, or NULL when none) is the rest of the reply's
 * own words.  DESK_EINVAL saying what is wrong (no number, out of
 * range) and *comment still set when there is no usable score. */
int survey_parse_answer(const char *text, enum survey_kind kind, int *score, char **comment,
			struct derr *e);
/* What an agent types for an answer (the console's `:survey`):
 * "[KIND] SCORE [words]", KIND csat, ces or nps (dflt when left out).
 * *comment points into line (NULL when no words).  DESK_EINVAL saying
 * what is wrong. */
int survey_line_parse(const char *line, enum survey_kind dflt, enum survey_kind *kind,
		      int *score, const char **comment, struct derr *e);
/* "csat 4/5", "nps 9/10": the score as shown. */
void survey_score_text(enum survey_kind kind, int score, char *buf, size_t size);
/* The question mailed for kind when the config gives none. */
const char *survey_default_question(enum survey_kind kind);
#define SURVEY_DEFAULT_SUBJECT "How did we do?"

/* An answer given by phone or in person, recorded by the agent (any
 * agent) on ticket id (a merged ticket's goes to the one it was merged
 * into): score in kind's range, comment optional (plain text, capped
 * like a message).  One transaction with a "survey" event.  An answer of
 * that kind an agent recorded on the ticket before is replaced (a
 * correction; the event keeps the old score) and *replaced says so.
 * *survey_id the row (either may be NULL). */
int core_survey_record(struct desk *d, int64_t id, enum survey_kind kind, int score,
		       const char *comment, int64_t *survey_id, bool *replaced, struct derr *e);
/* `desk survey list` (supervisors and admins). */
int core_survey_list(struct desk *d, const struct survey_query *q, struct survey_entries *out,
		     struct derr *e);

/* One solve desk tick looked at for a survey. */
struct survey_action {
	int64_t ticket;
	bool sent;            /* mailed (or, dry, would be) */
	char reason[160];     /* why not, when skipped */
	int64_t msg;          /* the survey's message row, queued for sendmail */
	bool failed;          /* the decision could not be recorded (err) */
	struct derr err;
};
/* Mails the surveys that are due (see struct survey_config), each solve
 * decided once in its own transaction (a survey_requests row and a
 * "survey" event): the survey is stored as a queued system message that
 * the caller hands to outbound_send.  Supervisors and admins only.
 * Nothing when surveys are off; DESK_EINVAL when they are on without
 * mail.support_address.  dry_run decides and reports, writing nothing. */
int core_survey_tick(struct desk *d, bool dry_run,
		     void (*report)(const struct survey_action *, void *), void *arg,
		     size_t *sent, size_t *skipped, size_t *failed, struct derr *e);

/* --- canned responses -------------------------------------------------- */
struct canned_ctx {
	const struct customer *customer;
	const struct agent *agent;
	const struct ticket *ticket;
};
/* Expands {{customer.name}}, {{customer.first_name}}, {{customer.email}},
 * {{customer.organization}}, {{agent.name}}, {{agent.first_name}},
 * {{agent.login}}, {{ticket.id}}, {{ticket.subject}}, {{ticket.queue}},
 * {{ticket.status}}, {{ticket.priority}}.  Substituted text is never
 * expanded again.  An unknown or unclosed placeholder is DESK_EINVAL
 * naming it and its line. */
int canned_expand(const char *tmpl, const struct canned_ctx *ctx, char **out, struct derr *e);
/* The field changes a canned response carries, in the order they are
 * applied (queue, assignee, status, priority, tags added, removed);
 * me is the login "assignee: me" stands for.  The values point into c
 * (and me), which must outlive them. */
#define CANNED_MAX_CHANGES 64
size_t canned_changes(const struct canned *c, const char *me, struct field_change *out,
		      size_t max);
/* "status=solved, assignee=bob, tag+=vip" for showing changes. */
void field_changes_text(const struct field_change *ch, size_t n, struct strbuf *out);
/* Applies a canned response's changes to ticket id at once (one without
 * a body, a macro): through core_apply, all or nothing; an error names
 * the canned response and where it is defined (path:line). */
int canned_apply(struct desk *d, int64_t id, const struct canned *c, const char *path,
		 struct derr *e);

/* --- import / export / demo -------------------------------------------- */
/* Where an import is, for a progress line: after each batch. */
struct import_progress {
	bool checking;     /* reading and checking the file, else publishing */
	long n, total;     /* lines checked (total 0), or tickets published of total */
	double per_second; /* tickets published a second, so far */
};
struct import_opts {
	bool skip_bad;   /* import good lines, report bad ones */
	const char *name; /* file name for messages ("-" is "stdin") */
	/* For tests: at most this many tickets a batch (0: as many as fit
	 * in IMPORT_BATCH_MS), and a pause after each batch. */
	long batch_tickets, pause_ms;
	void (*progress)(const struct import_progress *p, void *arg);
	void *progress_arg;
};
struct import_result {
	long created, updated, bad;
	long resumed;   /* tickets of an earlier, stopped import published first */
	bool committed; /* past the commit point: a failure since stopped it half-way */
};
/* Reads JSON Lines from stream, in three steps (src/core/import_run.c):
 * every line is checked and kept in a spool nobody sees; one small
 * transaction then marks the import ready (its commit point); then the
 * tickets are written in batches of about IMPORT_BATCH_MS, so other
 * agents write in between.  A bad line ends it before the commit point
 * with nothing left behind, unless skip_bad (bad lines are reported on
 * `report` as "FILE:LINE: field: problem" and skipped).  An import
 * stopped after its commit point is finished by core_import_resume, or
 * first thing by the next core_import.  Admins only (else DESK_EDENIED,
 * nothing read); each ticket created or replaced gets an "import" event
 * by the acting agent, and a replaced ticket keeps its events (the
 * file's new ones are added). */
#define IMPORT_BATCH_MS 50
int core_import(struct desk *d, void *stdio_in, const struct import_opts *o,
		struct import_result *r, void *stdio_report, struct derr *e);
/* Finishes an import stopped after its commit point, and removes the
 * spool of one stopped before it.  *r counts what the finished import
 * wrote in all; DESK_ENOTFOUND when there was nothing to finish.
 * DESK_EBUSY when an import is running.  Admins and supervisors (desk
 * tick). */
int core_import_resume(struct desk *d, const struct import_opts *o, struct import_result *r,
		       void *stdio_report, struct derr *e);
/* Writes every ticket as JSON Lines, events included.  Admins only. */
int core_export(struct desk *d, void *stdio_out, struct derr *e);

/* desk db copy FROM TO (src/core/db_copy.c): the whole database at
 * `from` (a SQLite file or a PostgreSQL setting) copied into `to` (the
 * same, new or empty: its schema is made as desk init makes it, with no
 * agent of its own), every table's rows with their ids, in one
 * transaction on `to`.  from is only read.  Runs with the caller's own
 * rights (desk's group dropped for good first).  On failure, or when
 * progress returns false (an interrupt), to holds no rows. */
struct db_copy_progress {
	const char *table;
	int64_t done, total; /* rows of this table */
};
struct db_copy_opts {
	/* After each page of rows; false stops the copy. */
	bool (*progress)(const struct db_copy_progress *p, void *arg);
	void *progress_arg;
};
struct db_copy_result {
	int64_t rows; /* copied, over every table */
	int tables;
};
int core_db_copy(const char *from, const char *to, const struct db_copy_opts *o,
		 struct db_copy_result *r, struct derr *e);

/* Fills the database with a believable month of a support team's work,
 * deterministic for the seed, in the 30 days before `now`. */
int core_demo_fill(struct desk *d, unsigned seed, int64_t now, struct derr *e);

/* --- presence (best-effort; see src/core/presence.c) ------------------- */
#define PRESENCE_FRESH_SECONDS 60   /* older rows are ignored */
#define PRESENCE_REFRESH_SECONDS 20 /* a console rewrites its row this often */
/* Where the acting agent is: on ticket_id (0: nowhere), replying or
 * only viewing.  One short transaction; callers may ignore failures. */
int core_presence_set(struct desk *d, int64_t ticket_id, bool replying, struct derr *e);
/* Every other agent's fresh presence, replying first on each ticket. */
int core_presence_others(struct desk *d, struct presence_rows *out, struct derr *e);

/* --- bulk changes (src/core/bulk.c) ------------------------------------ */
/* The same changes applied to several tickets, as the console does for
 * marked tickets.  Only supervisors and admins may, unless the team's config
 * says agents_may_bulk_edit (else DESK_EDENIED and nothing is changed).
 * Each ticket is changed in its own transaction, exactly as core_apply
 * does it (all of its changes or none, each with its audit event, every
 * workflow and role rule checked), so one ticket that fails leaves the
 * others changed, and no write lock is held for the whole batch.  A
 * closed ticket is not changed (closed is final).  Duplicate ids count
 * once.  Returns DESK_OK when the batch ran, whatever failed in it. */
struct bulk_failure {
	int64_t id;
	char msg[256];
};
struct bulk_result {
	size_t ok;                    /* tickets changed (or already so) */
	struct bulk_failure *failed;  /* in the order given */
	size_t nfailed, cap;
};
void bulk_result_free(struct bulk_result *r);
int core_bulk_allowed(const struct desk *d, struct derr *e);
int core_bulk_apply(struct desk *d, const int64_t *ids, size_t n, const struct field_change *ch,
		    size_t nch, struct bulk_result *r, struct derr *e);

/* --- undo (src/core/undo.c) -------------------------------------------- */
/* Takes back the acting agent's latest change not yet undone (only their
 * own: one action of theirs, whatever it touched): status, priority,
 * queue, tags, assignee, subject; the field changes a reply or note
 * made (the message itself stays: it left); every ticket of a bulk
 * change, each in its own transaction, failures listed like
 * core_bulk_apply's; a merge (the messages and surveys it moved go back,
 * the tags it took off and added are put back and taken off, `from` is
 * no longer merged and has its status back).
 *
 * The old values come back as they were, outside the workflow's forward
 * rules: a merged (closed) ticket opens again, a solve undone leaves
 * solved without counting a reopen (and with no solve time if it never
 * was solved before), a reopen undone takes its count back, an undone
 * move out of new goes back to new.  That is safe because nothing else
 * happened to the ticket in between: a ticket anyone changed since (any
 * other agent, a customer's message, a change of ours not undone yet;
 * our own replies, notes and their mail do not count) or that is not as
 * the change left it is not touched, and the refusal (DESK_ECONFLICT)
 * says who did what when.  Each ticket is undone whole or not at all.
 *
 * The undo writes "undo" events (FIELD, the value it replaced, the
 * value put back) and one "undo change ID" per ticket, as a change of
 * its own.  An undo is never undone: `u` again takes back the change
 * before (there is no redo).  DESK_ENOTFOUND when nothing is left. */
struct undo_result {
	int64_t change_id;           /* the change undone */
	char what[256];              /* "#12: status back to open, tag vip off" */
	size_t ok;                   /* tickets undone */
	struct bulk_failure *failed; /* tickets that were not (a bulk change) */
	size_t nfailed, cap;
};
void undo_result_free(struct undo_result *r);
int core_undo(struct desk *d, struct undo_result *r, struct derr *e);
/* Undoes the given change of the agent; with_message_changes also
 * takes back what its reply or note did by itself (a new ticket opened),
 * for a reply that never left (undo send). */
int core_undo_change(struct desk *d, int64_t change, bool with_message_changes,
		     struct undo_result *r, struct derr *e);

/* Undo send (src/core/unsend_reply.c): takes back the agent's reply
 * msg_row while it is held, before any desk claimed it for sendmail
 * (atomic against store_mail_claim): the message is deleted (it never
 * left; an "unsend" event says so), its text becomes the agent's reply
 * draft of the ticket again (with the canned response's name), and
 * `change` (the one core_post made, 0: none) is undone with its reply's
 * own changes, under core_undo's rules: when someone changed the ticket
 * since, the text still comes back but the fields stay, and fields_why
 * says why.  DESK_EBUSY when it is too late (being sent, or sent). */
struct unsend_result {
	int64_t ticket;
	size_t files; /* the files it carried: not in the draft */
	bool fields_undone;
	struct undo_result fields; /* undo_result_free it */
	char fields_why[320];
};
int core_unsend(struct desk *d, int64_t msg_row, int64_t change, const char *canned,
		struct unsend_result *r, struct derr *e);
/* --- what is new, and who is online (src/core/seen.c) ------------------ */
/* Records that the acting agent saw ticket_id now (its row in the queue
 * is no longer new to them).  One short transaction. */
int core_seen_mark(struct desk *d, int64_t ticket_id, struct derr *e);
/* Whether the agent must record ticket_id as seen again: never seen, or
 * changed since (the agent looking at it as it changes sees the change). */
int core_seen_stale(struct desk *d, int64_t ticket_id, bool *stale, struct derr *e);
/* The agent's own changes are never new to them, wherever they made
 * them (this console, a bulk change, the command line): every ticket
 * with an event of theirs newer than event id *last is recorded as
 * seen now (*marked: some were), and *last moves to the newest event.
 * A console starts *last at the newest event when it starts (the first
 * of store_content_mark's figures). */
int core_seen_own(struct desk *d, int64_t *last, bool *marked, struct derr *e);
/* The agent's baseline for tickets they never saw: such a ticket is new
 * to them only when it changed after it.  It is their first console's
 * start (`start` the first time, kept in agents.seen_since): the
 * backlog of tickets an agent never opened before is not new.  On
 * failure (a read-only database) *since is start. */
int core_seen_baseline(struct desk *d, int64_t start, int64_t *since, struct derr *e);
/* What is new to the agent, each list capped at limit: tickets of the
 * named views new to them (views NULL: mine and unassigned; each ticket
 * once), their tickets someone else assigned to them since they last
 * saw them, and (sla_warning > 0) their or unassigned new/open tickets
 * due within sla_warning seconds. */
struct fresh_news {
	struct ticket_briefs fresh, assigned, soon;
	struct ticket_briefs follow_ups; /* the agent's, whose follow-up time has come */
	bool fresh_more, assigned_more, follow_ups_more; /* limit reached: "limit+" */
};
int core_fresh_read(struct desk *d, char *const *views, size_t nviews, int64_t since,
		    int64_t sla_warning, int limit, struct fresh_news *out, struct derr *e);
void fresh_news_free(struct fresh_news *n);

#define CONSOLE_FRESH_SECONDS 60 /* a console row older than this is gone */
/* This console's row for `:who` (pid: the process), its id in *id. */
int core_console_open(struct desk *d, int64_t pid, int64_t *id, struct derr *e);
/* Refreshes it with what it shows: a ticket (since when) or a view.  A
 * row swept meanwhile (the console slept past CONSOLE_FRESH_SECONDS) is
 * written anew, *id updated. */
int core_console_update(struct desk *d, int64_t pid, int64_t *id, int64_t ticket_id,
			int64_t ticket_since, const char *view, struct derr *e);
int core_console_close(struct desk *d, int64_t id, struct derr *e);
/* Every console open now, the agent's own included. */
int core_consoles(struct desk *d, struct console_rows *out, struct derr *e);

/* --- the knowledge base (src/core/kb.c) -------------------------------- */
struct kb_article;
/* What a sync did. */
struct kb_sync {
	size_t articles; /* indexed now */
	size_t read;     /* files read again (new or changed) */
	size_t dropped;  /* files gone from the folder or broken now */
	size_t skipped;  /* files with a problem (desk kb check names them) */
};
/* Brings the index in step with the team's knowledge_base folder, no
 * restart needed: every *.md file under it (hidden names and links
 * skipped) is looked at with stat; one whose mtime or size changed is
 * read, and indexed again when its SHA-256 changed.  A file that went
 * away is dropped, and so is one that no longer parses.  Writes in one
 * transaction, none when nothing changed.  No knowledge base
 * configured: DESK_ENOTFOUND saying how to set one. */
int core_kb_sync(struct desk *d, struct kb_sync *out, struct derr *e);
/* Reads every article of cfg's knowledge base and hands fn each
 * problem as "FILE:LINE:COL: what" (front matter that does not parse, a
 * missing title, a file name that makes no slug, a slug twice).
 * *articles: the files looked at; *problems: how many were named.  A
 * folder that cannot be read is an error. */
int core_kb_check(const struct config *cfg, void (*fn)(void *ctx, const char *problem),
		  void *ctx, size_t *articles, size_t *problems, struct derr *e);
/* The article's public address (public_url with its slug), or NULL with
 * e saying why: an internal article is never linked for a customer, and
 * without public_url no article is. */
char *core_kb_link(const struct config *cfg, const struct kb_article *a, struct derr *e);
/* The article as text for a reply: its title, then its Markdown
 * rendered for plain text (72 columns).  A new string. */
char *core_kb_reply_text(const struct kb_article *a);
#define KB_REPLY_WIDTH 72

#endif
