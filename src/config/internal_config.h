/* internal_config.h: what config.c gives layers.c. */
#ifndef DESK_INTERNAL_CONFIG_H
#define DESK_INTERNAL_CONFIG_H

#include <stdbool.h>

#include "config.h"
#include "yamldoc.h"

/* Reads a parsed file into c (the defaults first).  A personal file
 * refuses the policy keys, saying they belong `team_hint` ("in
 * /srv/desk/config.yaml, the team's file").  c always ends up holding
 * a config (the defaults when the file is wrong) that must be freed. */
int config_read_doc(const struct ydoc *d, bool personal, const char *team_hint,
		    struct config *c, struct derr *e);
/* The file's database key alone (the path resolved as config_read_doc
 * does), or *db_path = NULL when it has none. */
int config_read_database(const struct ydoc *d, char **db_path, int *line, struct derr *e);
/* With a queues: list in c (read from d), every queue the file names
 * must be on it: default_queue (its default too), mail.default_queue,
 * sla.policies' queues, views' queue: terms.  Else an error naming
 * file:line:col. */
int config_check_queue_names(const struct ydoc *d, const struct config *c, struct derr *e);
/* The personal views' queue: terms, against the team's list in c. */
int config_check_personal_views(const struct config *c, struct derr *e);

/* The notify mapping (notify.c) into n, which holds the defaults or an
 * earlier value; errors name file:line:column. */
int config_read_notify(const struct ydoc *d, const struct ynode *map, struct notify_config *n,
		       struct derr *e);
void notify_config_free(struct notify_config *n);
/* follow_up_rules (follow_up.c) into c, replacing what it held. */
int config_read_follow_up_rules(const struct ydoc *d, const struct ynode *seq, struct config *c,
				struct derr *e);
void follow_up_rules_free(struct config *c);
/* surveys (surveys.c) into s, which holds the defaults. */
void survey_config_defaults(struct survey_config *s);
int config_read_surveys(const struct ydoc *d, const struct ynode *map, struct survey_config *s,
			struct derr *e);
void survey_config_free(struct survey_config *s);

#endif
