/* keymap.c: key names, the built-in bindings from the action table, and
 * the keys file laid over them, with every mistake reported as
 * FILE:LINE:COL before curses starts. */
#define NCURSES_WIDECHAR 1
#include <curses.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

#include "actions.h"
#include "keymap.h"
#include "util.h"

static const char *const ctx_names[KC__COUNT] = {"global", "queue", "conversation", "history",
						 "prompt"};

const char *kctx_name(enum kctx c)
{
	return (unsigned)c < KC__COUNT ? ctx_names[c] : "?";
}

int kctx_from_name(const char *s)
{
	for (int i = 0; s && i < KC__COUNT; i++)
		if (strcmp(ctx_names[i], s) == 0)
			return i;
	return -1;
}

/* Named keys; the first name of a key is its canonical one. */
static const struct {
	const char *name;
	int key;
} named[] = {
	{"Enter", KEY_ENTER_CODE},
	{"Return", KEY_ENTER_CODE},
	{"Tab", 9},
	{"BTab", KEYF(KEY_BTAB)},
	{"S-Tab", KEYF(KEY_BTAB)},
	{"Esc", KEY_ESC_CODE},
	{"Escape", KEY_ESC_CODE},
	{"Space", ' '},
	{"Backspace", KEYF(KEY_BACKSPACE)},
	{"Delete", KEYF(KEY_DC)},
	{"Del", KEYF(KEY_DC)},
	{"Insert", KEYF(KEY_IC)},
	{"Up", KEYF(KEY_UP)},
	{"Down", KEYF(KEY_DOWN)},
	{"Left", KEYF(KEY_LEFT)},
	{"Right", KEYF(KEY_RIGHT)},
	{"Home", KEYF(KEY_HOME)},
	{"End", KEYF(KEY_END)},
	{"PgUp", KEYF(KEY_PPAGE)},
	{"PageUp", KEYF(KEY_PPAGE)},
	{"PgDn", KEYF(KEY_NPAGE)},
	{"PageDown", KEYF(KEY_NPAGE)},
};

int key_parse(const char *name)
{
	if (!name || !*name)
		return -1;
	for (size_t i = 0; i < ARRAY_LEN(named); i++)
		if (strcasecmp(named[i].name, name) == 0)
			return named[i].key;
	if ((name[0] == 'F' || name[0] == 'f') && name[1] >= '1' && name[1] <= '9') {
		char *end;
		long n = strtol(name + 1, &end, 10);
		if (!*end && n >= 1 && n <= 12)
			return KEYF(KEY_F(n));
		return -1;
	}
	if ((name[0] == 'C' || name[0] == 'c') && name[1] == '-' && name[2]) {
		const char *k = name + 2;
		if (strcasecmp(k, "Space") == 0 || strcmp(k, "@") == 0)
			return 0;
		if (k[1])
			return -1;
		char c = k[0];
		if (c >= 'a' && c <= 'z')
			return c - 'a' + 1;
		if (c >= 'A' && c <= 'Z')
			return c - 'A' + 1;
		const char *punct = "[\\]^_";
		const char *p = strchr(punct, c);
		return p ? 27 + (int)(p - punct) : -1;
	}
	/* One printable character (UTF-8), not a space. */
	mbstate_t st = {0};
	wchar_t wc;
	size_t len = strlen(name);
	size_t n = mbrtowc(&wc, name, len, &st);
	if (n == (size_t)-1 || n == (size_t)-2 || n != len || wc <= ' ' || wc == 0x7f ||
	    (wc >= 0x80 && wc < 0xa0))
		return -1;
	return (int)wc;
}

void key_label(int key, char *buf, size_t size)
{
	for (size_t i = 0; i < ARRAY_LEN(named); i++) {
		if (named[i].key == key) {
			snprintf(buf, size, "%s", named[i].name);
			return;
		}
	}
	if (key & KEY_FN) {
		int code = key & ~KEY_FN;
		if (code >= KEY_F(1) && code <= KEY_F(12))
			snprintf(buf, size, "F%d", code - KEY_F0);
		else if (code == KEY_RESIZE)
			snprintf(buf, size, "Resize");
		else if (code == KEY_MOUSE)
			snprintf(buf, size, "Mouse");
		else
			snprintf(buf, size, "<%#o>", code);
		return;
	}
	if (key == 0) {
		snprintf(buf, size, "C-Space");
	} else if (key < 27) {
		snprintf(buf, size, "C-%c", 'a' + key - 1);
	} else if (key < 32) {
		snprintf(buf, size, "C-%c", "[\\]^_"[key - 27]);
	} else {
		char mb[MB_LEN_MAX + 1];
		mbstate_t st = {0};
		size_t n = wcrtomb(mb, (wchar_t)key, &st);
		if (n == (size_t)-1 || key == 0x7f || (key >= 0x80 && key < 0xa0))
			snprintf(buf, size, "<U+%04X>", (unsigned)key);
		else
			snprintf(buf, size, "%.*s", (int)n, mb);
	}
}

int key_from_input(int ch, bool is_fn)
{
	if (is_fn)
		return ch == KEY_ENTER ? KEY_ENTER_CODE : KEYF(ch);
	if (ch == 0x7f)
		return KEYF(KEY_BACKSPACE);
	return ch;
}

/* --- bindings ---------------------------------------------------------- */

static struct kbinding *find(struct keymap *km, enum kctx c, int key)
{
	for (size_t i = 0; i < km->ctx[c].n; i++)
		if (km->ctx[c].v[i].key == key)
			return &km->ctx[c].v[i];
	return NULL;
}

static void unset(struct keymap *km, enum kctx c, int key)
{
	struct kbinding *b = find(km, c, key);
	if (!b)
		return;
	size_t i = (size_t)(b - km->ctx[c].v);
	memmove(b, b + 1, (km->ctx[c].n - i - 1) * sizeof *b);
	km->ctx[c].n--;
}

static void set(struct keymap *km, enum kctx c, int key, int action)
{
	struct kbinding *b = find(km, c, key);
	if (b) {
		b->action = action;
		return;
	}
	xgrow((void **)&km->ctx[c].v, &km->ctx[c].cap, km->ctx[c].n + 1, sizeof *b);
	km->ctx[c].v[km->ctx[c].n++] = (struct kbinding){key, action};
}

void keymap_free(struct keymap *km)
{
	for (int c = 0; c < KC__COUNT; c++)
		free(km->ctx[c].v);
	for (size_t i = 0; i < km->ntakeovers; i++)
		free(km->takeovers[i]);
	free(km->takeovers);
	memset(km, 0, sizeof *km);
}

/* A key of the file that was another action's: said, naming both, since
 * the agent may not know the key had a job (a rebinding is allowed). */
static void note_takeover(struct keymap *km, const char *path, const struct keybind *b,
			  enum kctx c, int key, int act)
{
	int old = keymap_get(km, c, key);
	if (old < 0 || old == act)
		return;
	char *line = act == KM_UNBOUND
			     ? xasprintf("%s:%d:%d: %s in %s no longer runs %s (unbound)", path,
					 b->line, b->col, b->key, kctx_name(c), actions[old].name)
			     : xasprintf("%s:%d:%d: %s in %s now runs %s, no longer %s", path,
					 b->line, b->col, b->key, kctx_name(c), actions[act].name,
					 actions[old].name);
	km->takeovers = xrealloc(km->takeovers, (km->ntakeovers + 1) * sizeof *km->takeovers);
	km->takeovers[km->ntakeovers++] = line;
}

int keymap_defaults(struct keymap *km, struct derr *e)
{
	memset(km, 0, sizeof *km);
	for (int a = 0; a < ACT__COUNT; a++) {
		char *spec = xstrdup(actions[a].keys);
		int rc = DESK_OK;
		for (char *save = NULL, *tok = strtok_r(spec, " ", &save); tok && !rc;
		     tok = strtok_r(NULL, " ", &save)) {
			enum kctx c = actions[a].flags & F_PROMPT ? KC_PROMPT : KC_GLOBAL;
			char *colon = strchr(tok, ':');
			if (colon && colon != tok && colon[1]) {
				*colon = '\0';
				int ci = kctx_from_name(tok);
				if (ci < 0)
					*colon = ':';
				else {
					c = (enum kctx)ci;
					tok = colon + 1;
				}
			}
			int key = key_parse(tok);
			const struct kbinding *old = key < 0 ? NULL : find(km, c, key);
			if (key < 0)
				rc = derr_set(e, DESK_EINVAL, "built-in keys of %s: bad key \"%s\"",
					      actions[a].name, tok);
			else if (old)
				rc = derr_set(e, DESK_EINVAL,
					      "built-in keys: %s in %s is bound to both %s and %s",
					      tok, kctx_name(c), actions[old->action].name,
					      actions[a].name);
			else
				set(km, c, key, a);
		}
		free(spec);
		if (rc) {
			keymap_free(km);
			return rc;
		}
	}
	return DESK_OK;
}

int keymap_apply(struct keymap *km, const struct keybind_list *l, struct derr *e)
{
	const char *path = l->path ? l->path : "keys";
	int *keys = xcalloc(l->n + 1, sizeof *keys);
	int *acts = xcalloc(l->n + 1, sizeof *acts);
	int rc = DESK_OK;
	for (size_t i = 0; i < l->n && !rc; i++) {
		const struct keybind *b = &l->v[i];
		int c = kctx_from_name(b->context);
		int key = key_parse(b->key);
		int act = strcmp(b->action, "none") == 0 ? KM_UNBOUND : action_find(b->action);
		if (c < 0) {
			rc = derr_set(e, DESK_EINVAL, "%s:%d:%d: unknown context \"%s\"", path,
				      b->line, b->col, b->context);
			break;
		}
		if (key < 0) {
			rc = derr_set(e, DESK_EINVAL,
				      "%s:%d:%d: unknown key \"%s\"; expected a character, C-x, "
				      "Enter, Tab, BTab, Esc, Space, Backspace, Delete, Insert, "
				      "Up, Down, Left, Right, Home, End, PgUp, PgDn or F1-F12",
				      path, b->line, b->col, b->key);
			break;
		}
		if (act == -1) {
			const char *near = action_suggest(b->action);
			if (near)
				rc = derr_set(e, DESK_EINVAL,
					      "%s:%d:%d: unknown action \"%s\" (did you mean "
					      "\"%s\"?)",
					      path, b->line, b->col, b->action, near);
			else
				rc = derr_set(e, DESK_EINVAL,
					      "%s:%d:%d: unknown action \"%s\"; `desk keys` lists "
					      "them",
					      path, b->line, b->col, b->action);
			break;
		}
		if (act >= 0 && (c == KC_PROMPT) != !!(actions[act].flags & F_PROMPT)) {
			rc = derr_set(e, DESK_EINVAL,
				      c == KC_PROMPT
					      ? "%s:%d:%d: \"%s\" is not a prompt action; bind it "
						"outside prompt:"
					      : "%s:%d:%d: \"%s\" is a prompt action; bind it under "
						"prompt:",
				      path, b->line, b->col, b->action);
			break;
		}
		for (size_t j = 0; j < i; j++) {
			const struct keybind *o = &l->v[j];
			if (keys[j] == key && acts[j] != act && strcmp(o->context, b->context) == 0) {
				rc = derr_set(e, DESK_EINVAL,
					      "%s:%d:%d: key \"%s\" in %s is already bound to "
					      "\"%s\" at line %d",
					      path, b->line, b->col, b->key, b->context, o->action,
					      o->line);
				break;
			}
		}
		keys[i] = key;
		acts[i] = act;
	}
	/* All checked: now change the map, so a bad file changes nothing. */
	for (size_t i = 0; i < l->n && !rc; i++) {
		enum kctx c = (enum kctx)kctx_from_name(l->v[i].context);
		note_takeover(km, path, &l->v[i], c, keys[i], acts[i]);
		if (acts[i] == KM_UNBOUND && (c == KC_GLOBAL || c == KC_PROMPT))
			unset(km, c, keys[i]);
		else
			set(km, c, keys[i], acts[i]);
	}
	free(keys);
	free(acts);
	return rc;
}

int keymap_load(struct keymap *km, const char *path, struct derr *e)
{
	int rc = keymap_defaults(km, e);
	if (rc || !path)
		return rc;
	struct keybind_list l;
	if ((rc = keys_load(path, &l, e))) {
		keymap_free(km);
		return rc;
	}
	rc = keymap_apply(km, &l, e);
	keybind_list_free(&l);
	if (rc)
		keymap_free(km);
	return rc;
}

int keymap_get(const struct keymap *km, enum kctx c, int key)
{
	for (size_t i = 0; i < km->ctx[c].n; i++)
		if (km->ctx[c].v[i].key == key)
			return km->ctx[c].v[i].action;
	return -1;
}

int keymap_lookup(const struct keymap *km, enum kctx c, int key)
{
	int a = keymap_get(km, c, key);
	if (a == -1 && c != KC_GLOBAL && c != KC_PROMPT)
		a = keymap_get(km, KC_GLOBAL, key);
	return a < 0 ? -1 : a;
}

int keymap_keys(const struct keymap *km, enum kctx c, int action, char *buf, size_t size)
{
	int n = 0;
	size_t len = 0;
	if (size)
		buf[0] = '\0';
	for (size_t i = 0; i < km->ctx[c].n; i++) {
		if (km->ctx[c].v[i].action != action)
			continue;
		char name[32];
		key_label(km->ctx[c].v[i].key, name, sizeof name);
		int w = snprintf(buf + len, size > len ? size - len : 0, "%s%s", n ? " " : "",
				 name);
		if (w > 0 && len + (size_t)w < size)
			len += (size_t)w;
		n++;
	}
	return n;
}

void keymap_print(const struct keymap *km, FILE *out)
{
	bool bound[ACT__COUNT] = {0};
	for (int c = 0; c < KC__COUNT; c++) {
		for (int a = 0; a < ACT__COUNT; a++) {
			for (size_t i = 0; i < km->ctx[c].n; i++) {
				const struct kbinding *b = &km->ctx[c].v[i];
				char name[32];
				if (b->action != a)
					continue;
				key_label(b->key, name, sizeof name);
				fprintf(out, "%s %s %s %s\n", kctx_name((enum kctx)c), name,
					actions[a].name, actions[a].help);
				bound[a] = true;
			}
		}
	}
	for (int a = 0; a < ACT__COUNT; a++)
		if (!bound[a])
			fprintf(out, "%s none %s %s\n",
				actions[a].flags & F_PROMPT ? "prompt" : "global", actions[a].name,
				actions[a].help);
}
