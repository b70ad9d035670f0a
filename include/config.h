/* config.h: config.yaml loaded into structs, in two layers like git's.
 *
 * The TEAM file holds the team's policy and may set every key: the
 * config.yaml in the database's folder (the real one, links resolved)
 * when there is one, else /etc/desk/config.yaml.  Only its place picks
 * it: no flag or environment variable can, or an agent would pick their
 * own policy.  The PERSONAL file (--config, $DESK_CONFIG,
 * $XDG_CONFIG_HOME/desk/config.yaml with an absolute $XDG_CONFIG_HOME,
 * else ~/.config/desk/config.yaml) may set only personal things: theme,
 * themes_dir, keys, views of one's own (after the team's, with names of
 * their own) and database, which chooses the desk to work in (--db,
 * $DESK_DB, the personal file, /etc/desk/config.yaml, then the default).
 * A policy key there is an error naming file:line:column, the key and
 * the team file.  Unknown keys, wrong types, bad durations and bad enum
 * values are errors naming file:line:column and what was expected.  See
 * config.example.yaml for every key. */
#ifndef DESK_CONFIG_H
#define DESK_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "model.h"
#include "store.h"

/* A saved view of the queue. */
struct view_def {
	char *name;
	char *filter;  /* filter language, see core.h view_parse_filter() */
	enum queue_sort sort;
	bool reverse;
	bool personal; /* from the personal file (else the team's) */
	int line;      /* where it is defined; 0: built in */
};

struct sla_target {
	int64_t first_response; /* seconds; 0: no target */
	int64_t next_response;
	int64_t resolution;
};

/* Targets for one priority narrowed to a queue and/or a channel
 * (sla.policies); the most specific match wins, see sla_target_for(). */
struct sla_policy {
	enum priority priority;
	char *queue; /* NULL: any queue */
	int channel; /* enum channel, or -1: any channel */
	struct sla_target target;
	int line;    /* where it is defined, for messages */
};

struct business_hours {
	bool enabled;
	char *timezone;   /* TZ name, e.g. "Europe/Paris"; NULL: local */
	int open[7];      /* minutes after midnight, Sunday = 0; -1: closed */
	int close[7];
	char **holidays;  /* "YYYY-MM-DD", NULL-terminated */
	size_t nholidays;
};

/* The mail channel (see desk-mail(7)).  Outbound mail is on only when
 * support_address is set. */
struct mail_config {
	char *support_address; /* "Support <help@example.com>"; NULL: no mail out */
	char **sendmail;       /* argv of the sending command, NULL-terminated */
	size_t nsendmail;
	char *attachments_dir; /* NULL: attachments are kept in the database */
	bool ack_enabled;      /* acknowledge new tickets by mail */
	char *ack_canned;      /* the canned response that says so */
	char *default_queue;   /* queue of tickets opened by mail; NULL: default_queue */
	bool stranger_joins;   /* stranger_tag: join; a "[#N]" mail from someone
				* not the ticket's customer joins it, held aside
				* (default new_ticket: it opens a ticket) */
	int64_t sendmail_timeout; /* seconds; a command still running then is
				   * killed and its mail kept for retry */
	bool reply_by_mail[CH__COUNT]; /* a reply on a ticket of this channel
					* whose customer has an address is
					* mailed (default: email and web) */
};
/* The bounds of mail.sendmail_timeout: under the 10 minutes after which
 * `desk outbox --retry` takes a queued message for abandoned. */
#define SENDMAIL_TIMEOUT_DEFAULT 60
#define SENDMAIL_TIMEOUT_MAX 300
/* The bounds of undo_send_seconds: long enough to notice, short enough
 * that a reply is not late. */
#define UNDO_SEND_DEFAULT 10
#define UNDO_SEND_MAX 120

/* attachments (team; see desk.yaml(5)): the most a file may weigh,
 * and all files of one message together, for the files a reply sends
 * (refused) and for those a mail brings (not kept, the mail is). */
struct attachment_limits {
	int64_t max_size;  /* bytes */
	int64_t max_total; /* bytes */
};
#define ATTACH_MAX_SIZE_DEFAULT (10 << 20)
#define ATTACH_MAX_TOTAL_DEFAULT (25 << 20)

/* Knowing what is new (personal; see desk.yaml(5), "notify"): what
 * counts as the agent's views, and how the console tells of new
 * tickets, tickets assigned to the agent and SLAs about to be missed. */
struct notify_config {
	bool bell;            /* the terminal's bell */
	bool desktop;         /* OSC 777 and OSC 9 desktop notifications */
	char **hook;          /* argv of a command run for each event, NULL-terminated; NULL: none */
	size_t nhook;
	int64_t sla_warning;  /* seconds before an SLA due time; 0: no SLA events */
	char **views;         /* the agent's views, by name; NULL: mine and unassigned */
	int *view_lines;      /* where each is named */
	size_t nviews;
	char *file;           /* the file notify was read from (for messages) */
};
#define NOTIFY_SLA_WARNING_DEFAULT (15 * 60)

/* time_tracking (the team's; see desk.yaml(5)): whether the console
 * measures the time spent on each ticket and offers it with a reply,
 * and after how long without a key its clock stops. */
struct time_tracking_config {
	bool enabled;
	int64_t idle; /* seconds */
};
#define TIME_IDLE_DEFAULT (5 * 60)

/* follow_up_rules (team; see desk.yaml(5)): what `desk tick` does to a
 * ticket left waiting.  A rule matches a ticket in status `when` for at
 * least `after` (since it last entered that status), with no customer
 * message since when without_customer_reply; it then posts the canned
 * response's body as a reply (if canned) and sets `status`, which must
 * differ from `when`: so a ticket acted on no longer matches and a
 * second run does nothing. */
struct follow_up_rule {
	char *name;
	enum status when;          /* pending or on_hold */
	int64_t after;             /* seconds */
	bool without_customer_reply;
	enum status status;        /* what the ticket becomes */
	char *canned;              /* NULL: no reply */
	int line;                  /* where the rule is, for messages */
	int canned_line, canned_col; /* where do: canned is */
};

/* surveys (team; see desk.yaml(5)): what `desk tick` mails after a
 * ticket is solved.  On when the section is there.  A solve of a ticket
 * of one of `channels`, at least `delay` ago (and not more than
 * SURVEY_STALE_AFTER later than that, so turning surveys on does not
 * mail the whole history), is considered once: sampled at `sample` %,
 * skipped for a customer surveyed less than `min_interval` ago. */
struct survey_config {
	bool enabled;
	enum survey_kind kind;        /* csat (default), ces or nps */
	int64_t delay;                /* seconds after the solve */
	bool channels[CH__COUNT];     /* default: email only */
	int sample;                   /* percent, 0-100 (default 100) */
	int64_t min_interval;         /* seconds; default 30 days */
	char *subject;                /* NULL: "How did we do?" */
	char *question;               /* body, with canned placeholders; NULL: the kind's */
	int line;                     /* where the section is, for messages */
};
#define SURVEY_DELAY_DEFAULT (24 * 3600)
#define SURVEY_MIN_INTERVAL_DEFAULT (30 * 86400)
#define SURVEY_STALE_AFTER (7 * 86400)

/* The top-level keys, in the order config.c reads them. */
enum config_key {
	CFG_DATABASE,
	CFG_THEME,
	CFG_KEYS,
	CFG_CANNED,
	CFG_THEMES_DIR,
	CFG_DEFAULT_QUEUE,
	CFG_QUEUES,
	CFG_ALLOW_SOLVE_UNASSIGNED,
	CFG_SLA,
	CFG_BUSINESS_HOURS,
	CFG_VIEWS,
	CFG_MAIL,
	CFG_AGENTS_MAY_REASSIGN,
	CFG_AGENTS_MAY_BULK_EDIT,
	CFG_SIGNATURE,
	CFG_UNDO_SEND_SECONDS,
	CFG_CLAIM_ON_REPLY,
	CFG_NOTIFY,
	CFG_FOLLOW_UP_RULES,
	CFG_SURVEYS,
	CFG_ATTACHMENTS,
	CFG_TIME_TRACKING,
	CFG_KNOWLEDGE_BASE,
	CFG_REPORT_DATABASE,
	CFG__COUNT
};
/* The key's name in the file ("agents_may_reassign"). */
const char *config_key_name(enum config_key k);
/* True for the keys a personal file may set. */
bool config_key_is_personal(enum config_key k);

/* Where a top-level value came from, for `desk config show`. */
enum config_from {
	FROM_DEFAULT,   /* built in */
	FROM_TEAM,      /* the team file (config.source), at line */
	FROM_PERSONAL,  /* the personal file (config.personal), at line */
	FROM_SYSTEM,    /* /etc/desk/config.yaml's database, when another file is the team's */
	FROM_DB_OPTION, /* --db */
	FROM_DB_ENV,    /* $DESK_DB */
};
struct config_origin {
	enum config_from from;
	int line;
};

struct config {
	char *source;     /* the team file, or NULL: built-in policy */
	char *personal;   /* the personal file, or NULL: none */
	/* The database's real folder when the team file was looked for
	 * beside it (config_load); desk opens the database with its group
	 * only in this same folder, so that a link swapped in between cannot
	 * pair desk's database with a policy of the agent's. */
	char *team_folder;
	struct config_origin origin[CFG__COUNT];
	char *db_path;    /* NULL: $DESK_DB, then $XDG_DATA_HOME/desk/desk.db */
	/* Where desk report and the dashboard read (a streaming replica of
	 * db_path); NULL: db_path itself. */
	char *report_db_path;
	char *theme;      /* theme name (themes/NAME.yaml) or a path */
	char *keys_file;  /* NULL: built-in bindings only */
	char *canned_file;
	char *themes_dir; /* NULL: the installed themes directory */
	struct view_def *views;
	size_t nviews;
	struct sla_target sla[PRIO__COUNT];
	struct sla_policy *sla_policies;
	size_t nsla_policies;
	int sla_warn_percent; /* colour "near" when <= this % of target left */
	struct business_hours hours;
	bool allow_solve_unassigned;
	bool agents_may_reassign; /* agents may take or hand over others' tickets */
	bool agents_may_bulk_edit; /* agents may change marked tickets in one action */
	/* How long the console holds a reply before sendmail gets it, so `u`
	 * can take it back (0: at once).  The team's default; an agent's own
	 * file may set theirs. */
	int undo_send_seconds;
	bool claim_on_reply; /* starting a reply to an unassigned ticket claims it */
	char *default_queue;
	/* queues: the team's queues, the only ones a ticket may be moved
	 * to; NULL (nqueues 0): no list, any queue name is taken. */
	char **queues;
	size_t nqueues;
	struct mail_config mail;
	struct attachment_limits attachments;
	/* signature: below every reply (core_signature_for_replies says
	 * which one wins); NULL: none.  Personal, or the team's default. */
	char *signature;
	struct notify_config notify;
	struct time_tracking_config time_tracking;
	struct follow_up_rule *rules;
	size_t nrules;
	char *rules_file; /* the file follow_up_rules came from */
	struct survey_config surveys;
	/* knowledge_base (team; see desk.yaml(5)): the folder of Markdown
	 * articles (NULL: no knowledge base) and the public address of an
	 * article, "{slug}" standing for its slug (NULL: articles are not
	 * linked, only their text is inserted). */
	char *kb_path;
	char *kb_public_url;
};

/* Whether a ticket may be put in queue q: it is one of queues:, or the
 * config has no such list. */
bool config_queue_allowed(const struct config *c, const char *q);
/* Refuses queue q: DESK_EINVAL with 'no queue "biling"; did you mean
 * "billing"?' (the nearest listed name), else with the list. */
int config_queue_refuse(const struct config *c, const char *q, struct derr *e);

/* Fills c with the built-in defaults. */
void config_defaults(struct config *c);
/* The system-wide file, "/etc/desk/config.yaml" (tests point it elsewhere). */
extern const char *config_system_path;
/* Finds and loads both layers as described above: explicit (--config)
 * and db_option (--db) may be NULL.  c->db_path ends up holding the
 * database chosen.  Each config_load* call fills c (with the defaults
 * when it fails), so c must not hold a config already, and is
 * config_free'd afterwards. */
int config_load(const char *explicit_path, const char *db_option, struct config *c,
		struct derr *e);
/* The database when nothing names one: $XDG_DATA_HOME/desk/desk.db
 * (absolute only), else ~/.local/share/desk/desk.db.  A new string. */
char *config_default_db_path(void);
/* The team file for the database at db_path: config.yaml beside the
 * database file (links resolved) when it exists, else
 * config_system_path when that exists, else NULL.  A new string. */
char *config_team_path(const char *db_path);
/* Loads one file as a team file, every key allowed (relative paths
 * inside it resolve against its folder). */
int config_load_file(const char *path, struct config *c, struct derr *e);
/* The team's file: read with desk's group when it is root's in desk's
 * folder (priv_read_team_yaml). */
int config_load_team_file(const char *path, struct config *c, struct derr *e);
int config_load_string(const char *text, const char *name, struct config *c, struct derr *e);
void config_free(struct config *c);

/* Key bindings file: context -> key -> an action with its argument
 * ("status solved"), "none", or a list of them (a macro). */
struct keystep {
	char *text; /* "status solved", as written */
	int line, col;
};
struct keybind {
	char *context; /* global, queue, conversation, history, prompt */
	char *key;     /* as written: "j", "C-d", "PgDn", "Enter", "none" */
	char *action;  /* the value ("next-ticket", "status solved", "none"); a
			* macro's first step */
	struct keystep *steps; /* every step: one for a plain value */
	size_t nsteps;
	bool macro;    /* written as a list */
	int line, col; /* of the key */
};
struct keybind_list {
	struct keybind *v;
	size_t n, cap;
	char *path;
};
int keys_load(const char *path, struct keybind_list *out, struct derr *e);
void keybind_list_free(struct keybind_list *l);

/* Canned responses file. */
struct canned {
	char *name;  /* short id, unique */
	char *title;
	char *body;  /* with {{placeholders}}; NULL: field changes only */
	/* Field changes applied when the reply is sent, or at once for a
	 * canned response without a body (a macro): */
	int set_status;     /* -1: unchanged */
	int set_priority;   /* -1: unchanged */
	char *set_assignee; /* a login, "me" or "none"; NULL: unchanged */
	char *set_queue;    /* NULL: unchanged */
	int queue_line, queue_col; /* where set.queue is, for canned_check */
	char **add_tags;    /* NULL-terminated or NULL */
	size_t nadd_tags;
	char **remove_tags; /* NULL-terminated or NULL */
	size_t nremove_tags;
	int line;
};
struct canned_list {
	struct canned *v;
	size_t n, cap;
	char *path;
};
int canned_load(const char *path, struct canned_list *out, struct derr *e);
/* What canned_load cannot know alone: a set.queue that is not one of
 * the team's queues: list is an error "FILE:LINE:COL: ...". */
int canned_check(const struct canned_list *l, const struct config *c, struct derr *e);
/* Whether every canned response the follow-up rules name is in l (the
 * config's canned file, loaded; NULL when the config names none):
 * DESK_EINVAL with FILE:LINE:COLUMN of the first that is not. */
int follow_up_rules_check(const struct config *c, const struct canned_list *l,
			  struct derr *e);
void canned_list_free(struct canned_list *l);

/* A knowledge base article (kb_front.c): a Markdown file that starts
 * with YAML front matter between two "---" lines:
 *   ---
 *   title: Resetting your password
 *   tags: [account, password]
 *   audience: public        # or internal (the default)
 *   ---
 *   Markdown...
 * A missing or unclosed front matter, an unknown key, a missing title or
 * a wrong type is DESK_EINVAL "FILE:LINE:COL: what", lines counted in
 * the whole file. */
struct kb_doc {
	char *title;
	char **tags; /* ntags of them */
	size_t ntags;
	bool public_; /* audience: public (may be linked in a reply) */
	char *body;   /* the Markdown after the front matter */
	int body_line; /* the file's line where the body starts */
};
int kb_parse(const char *file, const char *text, struct kb_doc *out, struct derr *e);
void kb_doc_free(struct kb_doc *d);

#endif
