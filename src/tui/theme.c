/* theme.c: theme files parsed into styles, and where they are found.
 * Turning styles into curses colour pairs is draw.c's job. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "theme.h"
#include "util.h"
#include "yamldoc.h"

#ifndef DESK_DATADIR
#define DESK_DATADIR "/usr/local/share/desk"
#endif

const char *const element_names[EL__COUNT + 1] = {
#define X(id, name, fg, bg, at, mono) [EL_##id] = name,
	DESK_ELEMENTS(X)
#undef X
};

const unsigned element_mono[EL__COUNT] = {
#define X(id, name, fg, bg, at, mono) [EL_##id] = (mono),
	DESK_ELEMENTS(X)
#undef X
};

static const struct style builtin[EL__COUNT] = {
#define X(id, name, fg, bg, at, mono) [EL_##id] = {(fg), (bg), (at)},
	DESK_ELEMENTS(X)
#undef X
};

void theme_builtin(struct theme *t)
{
	memcpy(t->el, builtin, sizeof t->el);
}

static const char *const color_names[] = {
	"black",	"red",	      "green",	      "yellow",	      "blue",
	"magenta",	"cyan",	      "white",	      "bright-black", "bright-red",
	"bright-green", "bright-yellow", "bright-blue", "bright-magenta", "bright-cyan",
	"bright-white",
};

static const char *const attr_names[] = {"bold",  "dim",   "underline", "reverse",
					 "standout", "blink", "italic",	 NULL};

static int read_color(const struct ydoc *d, const struct ynode *n, short *out, struct derr *e)
{
	if (n->type == Y_SCALAR && n->value[0]) {
		const char *v = n->value;
		if (strcmp(v, "default") == 0) {
			*out = C_DEF;
			return DESK_OK;
		}
		for (size_t i = 0; i < ARRAY_LEN(color_names); i++) {
			if (strcmp(v, color_names[i]) == 0) {
				*out = (short)i;
				return DESK_OK;
			}
		}
		char *end;
		long c = strtol(v, &end, 10);
		if (v[0] >= '0' && v[0] <= '9' && !*end && c <= 255) {
			*out = (short)c;
			return DESK_OK;
		}
	}
	char got[128];
	y_describe(n, got, sizeof got);
	return yerr(e, d, n,
		    "expected a colour (default, black, red, green, yellow, blue, magenta, "
		    "cyan, white, bright-black .. bright-white, or 0-255), got %s",
		    got);
}

static int read_attr(const struct ydoc *d, const struct ynode *n, unsigned *attrs,
		     struct derr *e)
{
	int i;
	int rc = y_enum(d, n, attr_names, &i, e);
	if (rc == DESK_OK)
		*attrs |= 1u << i;
	return rc;
}

static int read_style(const struct ydoc *d, const struct ynode *map, const char *elem,
		      struct style *s, struct derr *e)
{
	static const char *const keys[] = {"fg", "bg", "attrs", NULL};
	*s = (struct style){C_UNSET, C_UNSET, 0};
	if (y_is_null(map))
		return DESK_OK;
	int rc = y_expect(d, map, Y_MAP, "a mapping with fg, bg and attrs", e);
	for (size_t i = 0; !rc && i < map->nkids; i += 2) {
		int k;
		if ((rc = y_key(d, map->kids[i], elem, keys, &k, e)))
			break;
		const struct ynode *v = map->kids[i + 1];
		if (k == 0)
			rc = read_color(d, v, &s->fg, e);
		else if (k == 1)
			rc = read_color(d, v, &s->bg, e);
		else if (v->type == Y_SEQ)
			for (size_t j = 0; !rc && j < v->nkids; j++)
				rc = read_attr(d, v->kids[j], &s->attrs, e);
		else
			rc = read_attr(d, v, &s->attrs, e);
	}
	return rc;
}

static int load_doc(struct theme *t, const struct ydoc *d, struct derr *e)
{
	struct theme nt;
	for (int i = 0; i < EL__COUNT; i++)
		nt.el[i] = (struct style){C_UNSET, C_UNSET, 0};
	const struct ynode *root = d->root;
	int rc = root ? y_expect(d, root, Y_MAP, "a mapping of elements to styles", e) : 0;
	for (size_t i = 0; root && !rc && i < root->nkids; i += 2) {
		int el;
		if ((rc = y_key(d, root->kids[i], "the theme", element_names, &el, e)))
			break;
		rc = read_style(d, root->kids[i + 1], element_names[el], &nt.el[el], e);
	}
	if (rc == DESK_OK)
		*t = nt;
	return rc;
}

int theme_load_string(struct theme *t, const char *text, const char *name, struct derr *e)
{
	struct ydoc d;
	int rc = ydoc_load_string(text, name, &d, e);
	if (rc)
		return rc;
	rc = load_doc(t, &d, e);
	ydoc_free(&d);
	return rc;
}

int theme_load(struct theme *t, const char *path, struct derr *e)
{
	struct ydoc d;
	int rc = ydoc_load(path, &d, e);
	if (rc)
		return rc;
	rc = load_doc(t, &d, e);
	ydoc_free(&d);
	return rc;
}

int theme_find(const struct config *cfg, char **path, struct derr *e)
{
	*path = NULL;
	const char *name = cfg && !str_empty(cfg->theme) ? cfg->theme : "default";
	if (strchr(name, '/')) {
		*path = xstrdup(name);
		return DESK_OK;
	}
	const char *dirs[3] = {0};
	size_t n = 0;
	if (cfg && !str_empty(cfg->themes_dir)) {
		dirs[n++] = cfg->themes_dir;
	} else {
		dirs[n++] = DESK_DATADIR "/themes";
		dirs[n++] = "themes";
	}
	struct strbuf tried = {0};
	for (size_t i = 0; i < n; i++) {
		char *p = xasprintf("%s/%s.yaml", dirs[i], name);
		if (access(p, F_OK) == 0) {
			*path = p;
			sb_free(&tried);
			return DESK_OK;
		}
		sb_addf(&tried, "%s%s", i ? ", " : "", p);
		free(p);
	}
	int rc = DESK_OK;
	if (strcmp(name, "default") != 0)
		rc = derr_set(e, DESK_ENOTFOUND, "theme \"%s\" not found (looked for %s)", name,
			      sb_str(&tried));
	sb_free(&tried);
	return rc;
}

int theme_from_config(struct theme *t, const struct config *cfg, struct derr *e)
{
	char *path;
	theme_builtin(t);
	int rc = theme_find(cfg, &path, e);
	if (rc == DESK_OK && path)
		rc = theme_load(t, path, e);
	free(path);
	return rc;
}

int color_to_8(int c)
{
	if (c < 0)
		return c;
	if (c < 8)
		return c;
	if (c < 16)
		return c - 8;
	if (c >= 232)
		return (c - 232) * 10 + 8 >= 128 ? 7 : 0;
	int i = c - 16;
	int r = i / 36, g = (i / 6) % 6, b = i % 6;
	/* Cube levels 0, 95, 135, 175, 215, 255: 135 and up is "on". */
	return (r >= 2 ? 1 : 0) | (g >= 2 ? 2 : 0) | (b >= 2 ? 4 : 0);
}
