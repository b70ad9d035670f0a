/* yamldoc.h: a YAML file loaded into a small tree that remembers where
 * each node came from, so every config error can name file:line:column.
 * Built on libyaml's parser; anchors/aliases are refused (configs do not
 * need them and they make "where" ambiguous). */
#ifndef DESK_YAMLDOC_H
#define DESK_YAMLDOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

enum ynode_type { Y_SCALAR, Y_SEQ, Y_MAP };

struct ynode {
	enum ynode_type type;
	char *value;   /* Y_SCALAR: the text; else NULL */
	bool quoted;   /* scalar was quoted ('...' or "...") */
	int line, col; /* 1-based */
	/* Y_SEQ: items; Y_MAP: keys at even, values at odd indexes. */
	struct ynode **kids;
	size_t nkids;
};

struct ydoc {
	char *path;
	struct ynode *root; /* NULL for an empty file */
};

/* Loads path; a syntax error is DESK_EINVAL "path:line:col: problem". */
int ydoc_load(const char *path, struct ydoc *out, struct derr *e);
/* The same for a file of the team's policy (priv_read_team_yaml). */
int ydoc_load_team(const char *path, struct ydoc *out, struct derr *e);
/* Same, from a string (the path is used in messages only). */
int ydoc_load_string(const char *text, const char *path, struct ydoc *out, struct derr *e);
void ydoc_free(struct ydoc *d);

/* Error helper: sets e to "path:line:col: <message>" for node n. */
int yerr(struct derr *e, const struct ydoc *d, const struct ynode *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Typed readers: each checks the node's type and sets e on mismatch,
 * naming what was expected ("expected a boolean (true/false)"). */
int y_string(const struct ydoc *d, const struct ynode *n, char **out, struct derr *e);
int y_bool(const struct ydoc *d, const struct ynode *n, bool *out, struct derr *e);
int y_int(const struct ydoc *d, const struct ynode *n, long lo, long hi, long *out,
	  struct derr *e);
int y_duration(const struct ydoc *d, const struct ynode *n, int64_t *seconds, struct derr *e);
/* A size in bytes: "10MB", "512KB", "1GB" (1024-based), or a bare count. */
int y_size(const struct ydoc *d, const struct ynode *n, int64_t *bytes, struct derr *e);
/* One of a NULL-terminated list of names; returns the index. */
int y_enum(const struct ydoc *d, const struct ynode *n, const char *const *names, int *out,
	   struct derr *e);
/* Describes n for a message: "a mapping", "a sequence", "an empty value"
 * or its text quoted with control characters escaped ("\"4x\""). */
void y_describe(const struct ynode *n, char *buf, size_t size);
/* True for a plain empty scalar, "~" or "null" (YAML's null). */
bool y_is_null(const struct ynode *n);

/* The value of key in mapping map, or NULL. */
const struct ynode *y_get(const struct ynode *map, const char *key);
/* Looks a mapping key up in a NULL-terminated list of names and returns its
 * index; else "unknown key \"x\" in SECTION; expected one of: a, b, c". */
int y_key(const struct ydoc *d, const struct ynode *key, const char *section,
	  const char *const *names, int *out, struct derr *e);

/* Expects a mapping / sequence (e.g. "expected a mapping of queue names"). */
int y_expect(const struct ydoc *d, const struct ynode *n, enum ynode_type t, const char *what,
	     struct derr *e);

#endif
