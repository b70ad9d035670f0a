/* config.h: config.yaml loaded into structs.
 *
 * Search order: --config, $DESK_CONFIG, $XDG_CONFIG_HOME/desk/config.yaml
 * (absolute only, else ~/.config/desk/config.yaml), /etc/desk/config.yaml,
 * then built-in defaults.  Unknown keys, wrong types, bad durations and
 * bad enum values are errors naming file:line:column and what was
 * expected.  See config.example.yaml for every key. */
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
};

struct config {
	char *source;     /* file it came from, or NULL for built-in defaults */
	char *db_path;    /* NULL: $DESK_DB, then $XDG_DATA_HOME/desk/desk.db */
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
	char *default_queue;
	struct mail_config mail;
};

/* Fills c with the built-in defaults. */
void config_defaults(struct config *c);
/* The system-wide file, "/etc/desk/config.yaml" (tests point it elsewhere). */
extern const char *config_system_path;
/* Finds and loads the config as described above.  explicit may be NULL.
 * Each config_load* call fills c (with the defaults when it fails), so c
 * must not hold a config already, and is config_free'd afterwards. */
int config_load(const char *explicit_path, struct config *c, struct derr *e);
/* Loads one file (relative paths inside it resolve against its folder). */
int config_load_file(const char *path, struct config *c, struct derr *e);
int config_load_string(const char *text, const char *name, struct config *c, struct derr *e);
void config_free(struct config *c);

/* Key bindings file: context -> key -> action name. */
struct keybind {
	char *context; /* global, queue, conversation, history, prompt */
	char *key;     /* as written: "j", "C-d", "PgDn", "Enter", "none" */
	char *action;  /* action name, or "none" to unbind */
	int line, col;
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
	char *body;  /* with {{placeholders}} */
	/* Field changes applied when the reply is sent (a macro): */
	int set_status;   /* -1: unchanged */
	int set_priority; /* -1: unchanged */
	char **add_tags;  /* NULL-terminated or NULL */
	size_t nadd_tags;
	int line;
};
struct canned_list {
	struct canned *v;
	size_t n, cap;
	char *path;
};
int canned_load(const char *path, struct canned_list *out, struct derr *e);
void canned_list_free(struct canned_list *l);

#endif
