/* priv.h: desk's group privilege.
 *
 * An installed desk is setgid to its own group (default "desk"), which
 * owns the shared database's folder; agents are not in that group, so
 * they reach the data only through desk.  The privilege serves the
 * shared database and nothing else:
 * - every child desk starts (editor, sendmail, pager, hooks) drops it
 *   for good first (priv_child);
 * - files the agent names (their config, an import file, the editor's
 *   text, a trace file) are opened with it lowered (priv_lower), so
 *   desk never reads or writes one on the agent's behalf;
 * - a database outside a trusted folder of the group is opened only
 *   after dropping it for good (priv_drop).
 * Without a setgid bit (a plain build) every call is a no-op. */
#ifndef DESK_PRIV_H
#define DESK_PRIV_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "error.h"

/* The group and shared folder `make install` sets up (Makefile), for
 * messages and for a desk that runs without its setgid bit. */
#ifndef DESK_GROUP
#define DESK_GROUP "desk"
#endif
#ifndef DESK_SHAREDDIR
#define DESK_SHAREDDIR "/var/lib/desk"
#endif

/* Called first thing in main: when running set-id, removes from the
 * environment what must not steer a privileged process (the test clock
 * and other test hooks, SQLite's and GLib's own variables). */
void priv_init(void);

/* True while desk holds a group it was given by its setgid bit. */
bool priv_setid(void);
/* The group desk was given (its saved set-group-ID); the real group
 * when it runs without a setgid bit. */
gid_t priv_group(void);

/* Drops the group for good (real, effective and saved), and checks it
 * is gone.  DESK_OK when not set-id. */
int priv_drop(struct derr *e);

/* In a child between fork and exec: drops the group for good, or ends
 * the child (status 126) with a message on its stderr.  Only
 * async-signal-safe calls. */
void priv_child(void);

/* Lowers the effective group to the real one until priv_raise; nests. */
void priv_lower(void);
void priv_raise(void);

/* fopen and read_file with the group lowered: for files the agent
 * names. */
FILE *priv_fopen(const char *path, const char *mode);
char *priv_read_file(const char *path, size_t *len);

/* Every folder that leads to dir is root's, and nobody else can rename
 * or replace what is in it (not writable by others, or sticky). */
bool priv_path_safe(const char *dir);
/* Reads a file of the team's policy (the team's config.yaml, the canned
 * responses it names): with desk's group when it is a root-owned *.yaml
 * in desk's own folder (the team's, shown to agents through desk anyway,
 * closed to them otherwise), else as the agent.  Only for files the team
 * names, never for one the agent names. */
char *priv_read_team_yaml(const char *path, size_t *len);

#endif
