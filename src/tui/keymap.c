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

static void steps_free(struct kstep *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].arg);
	free(v);
}

static void unset(struct keymap *km, enum kctx c, int key)
{
	struct kbinding *b = find(km, c, key);
	if (!b)
		return;
	steps_free(b->steps, b->nsteps);
	size_t i = (size_t)(b - km->ctx[c].v);
	memmove(b, b + 1, (km->ctx[c].n - i - 1) * sizeof *b);
	km->ctx[c].n--;
}

/* Binds key to nb (whose steps the map takes over). */
static void set_binding(struct keymap *km, enum kctx c, const struct kbinding *nb)
{
	struct kbinding *b = find(km, c, nb->key);
	if (b) {
		steps_free(b->steps, b->nsteps);
		*b = *nb;
		return;
	}
	xgrow((void **)&km->ctx[c].v, &km->ctx[c].cap, km->ctx[c].n + 1, sizeof *b);
	km->ctx[c].v[km->ctx[c].n++] = *nb;
}

static void set(struct keymap *km, enum kctx c, int key, int action)
{
	struct kbinding nb = {.key = key, .action = action};
	set_binding(km, c, &nb);
}

void keymap_free(struct keymap *km)
{
	for (int c = 0; c < KC__COUNT; c++) {
		for (size_t i = 0; i < km->ctx[c].n; i++)
			steps_free(km->ctx[c].v[i].steps, km->ctx[c].v[i].nsteps);
		free(km->ctx[c].v);
	}
	for (size_t i = 0; i < km->ntakeovers; i++)
		free(km->takeovers[i]);
	free(km->takeovers);
	memset(km, 0, sizeof *km);
}

void kbinding_text(const struct kbinding *b, char *buf, size_t size)
{
	if (b->action >= 0) {
		snprintf(buf, size, "%s", actions[b->action].name);
		return;
	}
	if (b->action == KM_UNBOUND) {
		snprintf(buf, size, "none");
		return;
	}
	struct strbuf t = {0};
	for (size_t i = 0; i < b->nsteps; i++)
		sb_addf(&t, "%s%s%s%s", i ? ", " : "", actions[b->steps[i].action].name,
			b->steps[i].arg ? " " : "", b->steps[i].arg ? b->steps[i].arg : "");
	if (b->macro)
		snprintf(buf, size, "[%s]", sb_str(&t));
	else
		snprintf(buf, size, "%s", sb_str(&t));
	sb_free(&t);
}

/* A key of the file that was another action's: said, naming both, since
 * the agent may not know the key had a job (a rebinding is allowed). */
static void note_takeover(struct keymap *km, const char *path, const struct keybind *b,
			  enum kctx c, const struct kbinding *nb)
{
	const struct kbinding *ob = find(km, c, nb->key);
	if (!ob || ob->action == KM_UNBOUND)
		return;
	char old[256], now[256];
	kbinding_text(ob, old, sizeof old);
	kbinding_text(nb, now, sizeof now);
	if (strcmp(old, now) == 0)
		return;
	char *line = nb->action == KM_UNBOUND
			     ? xasprintf("%s:%d:%d: %s in %s no longer runs %s (unbound)", path,
					 b->line, b->col, b->key, kctx_name(c), old)
			     : xasprintf("%s:%d:%d: %s in %s now runs %s, no longer %s", path,
					 b->line, b->col, b->key, kctx_name(c), now, old);
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

/* One step of a binding read into st; an error names its place. */
static int read_step(const char *path, const struct keybind *b, const struct keystep *ks,
		     int ctx, const struct keymap_check *chk, struct kstep *st, struct derr *e)
{
	const char *near;
	int id;
	int r = action_line_parse(ks->text, &id, &st->arg, &near);
	const char *name = ks->text + strspn(ks->text, " \t");
	int len = (int)strcspn(name, " \t");
	int at = (int)(name - ks->text) + len + (int)strspn(name + len, " \t");
	switch (r) {
	case AL_EMPTY:
		return derr_set(e, DESK_EINVAL, "%s:%d:%d: expected an action name, got blanks", path,
				ks->line, ks->col);
	case AL_UNKNOWN:
		if (strcmp(name, "none") == 0)
			return derr_set(e, DESK_EINVAL,
					"%s:%d:%d: none unbinds a key; it cannot be a step of a list",
					path, ks->line, ks->col);
		if (near)
			return derr_set(e, DESK_EINVAL,
					"%s:%d:%d: unknown action \"%.*s\" (did you mean \"%s\"?)",
					path, ks->line, ks->col, len, name, near);
		return derr_set(e, DESK_EINVAL,
				"%s:%d:%d: unknown action \"%.*s\"; `desk keys` lists them", path,
				ks->line, ks->col, len, name);
	case AL_NO_ARG:
		return derr_set(e, DESK_EINVAL,
				"%s:%d:%d: \"%.*s\" takes no argument (got \"%s\")", path,
				ks->line, ks->col, len, name, name + len + strspn(name + len, " \t"));
	case AL_PROMPT:
		if (ctx == KC_PROMPT && !b->macro && b->nsteps == 1 && !name[len])
			break;
		return derr_set(e, DESK_EINVAL,
				ctx == KC_PROMPT
					? "%s:%d:%d: \"%s\": prompt keys take one action, with no "
					  "argument"
					: "%s:%d:%d: \"%s\" is a prompt action; bind it under prompt:",
				path, ks->line, ks->col, name);
	default: break;
	}
	if (ctx == KC_PROMPT && r != AL_PROMPT) {
		free(st->arg);
		st->arg = NULL;
		return derr_set(e, DESK_EINVAL,
				"%s:%d:%d: \"%.*s\" is not a prompt action; bind it outside prompt:",
				path, ks->line, ks->col, len, name);
	}
	st->action = id;
	char why[600];
	if (!action_arg_check(id, st->arg, chk ? chk->cfg : NULL, chk ? chk->canned : NULL, why,
			      sizeof why)) {
		free(st->arg);
		st->arg = NULL;
		return derr_set(e, DESK_EINVAL, "%s:%d:%d: %s: %s", path, ks->line, ks->col + at,
				actions[id].name, why);
	}
	return DESK_OK;
}

/* A binding of the file: a plain action, none, or steps. */
static int read_binding(const char *path, const struct keybind *b, int ctx,
			const struct keymap_check *chk, struct kbinding *out, struct derr *e)
{
	if (!b->macro && strcmp(b->action, "none") == 0) {
		out->action = KM_UNBOUND;
		return DESK_OK;
	}
	struct kstep *st = xcalloc(b->nsteps ? b->nsteps : 1, sizeof *st);
	int rc = DESK_OK;
	size_t n = 0;
	for (; n < b->nsteps && !rc; n++)
		rc = read_step(path, b, &b->steps[n], ctx, chk, &st[n], e);
	if (rc) {
		steps_free(st, n);
		return rc;
	}
	out->macro = b->macro;
	if (!b->macro && !st[0].arg) { /* a plain action, as the built-in ones */
		out->action = st[0].action;
		steps_free(st, n);
		return DESK_OK;
	}
	out->action = KM_STEPS;
	out->steps = st;
	out->nsteps = n;
	return DESK_OK;
}

int keymap_apply(struct keymap *km, const struct keybind_list *l,
		 const struct keymap_check *chk, struct derr *e)
{
	const char *path = l->path ? l->path : "keys";
	struct kbinding *nb = xcalloc(l->n + 1, sizeof *nb);
	size_t done = 0;
	int rc = DESK_OK;
	for (size_t i = 0; i < l->n && !rc; i++) {
		const struct keybind *b = &l->v[i];
		int c = kctx_from_name(b->context);
		int key = key_parse(b->key);
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
		nb[i].key = key;
		if ((rc = read_binding(path, b, c, chk, &nb[i], e)))
			break;
		done = i + 1;
		char now[256];
		kbinding_text(&nb[i], now, sizeof now);
		for (size_t j = 0; j < i; j++) {
			const struct keybind *o = &l->v[j];
			char was[256];
			kbinding_text(&nb[j], was, sizeof was);
			if (nb[j].key == key && strcmp(was, now) != 0 &&
			    strcmp(o->context, b->context) == 0) {
				rc = derr_set(e, DESK_EINVAL,
					      "%s:%d:%d: key \"%s\" in %s is already bound to "
					      "\"%s\" at line %d",
					      path, b->line, b->col, b->key, b->context, was, o->line);
				break;
			}
		}
	}
	/* All checked: now change the map, so a bad file changes nothing. */
	for (size_t i = 0; i < l->n && !rc; i++) {
		enum kctx c = (enum kctx)kctx_from_name(l->v[i].context);
		note_takeover(km, path, &l->v[i], c, &nb[i]);
		if (nb[i].action == KM_UNBOUND && (c == KC_GLOBAL || c == KC_PROMPT))
			unset(km, c, nb[i].key);
		else
			set_binding(km, c, &nb[i]);
		nb[i].steps = NULL; /* the map's now */
		nb[i].nsteps = 0;
	}
	for (size_t i = 0; i < done; i++)
		steps_free(nb[i].steps, nb[i].nsteps);
	free(nb);
	return rc;
}

int keymap_load(struct keymap *km, const char *path, const struct keymap_check *chk,
		struct derr *e)
{
	int rc = keymap_defaults(km, e);
	if (rc || !path)
		return rc;
	struct keybind_list l;
	if ((rc = keys_load(path, &l, e))) {
		keymap_free(km);
		return rc;
	}
	rc = keymap_apply(km, &l, chk, e);
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

const struct kbinding *keymap_binding(const struct keymap *km, enum kctx c, int key)
{
	const struct kbinding *b = find((struct keymap *)km, c, key);
	if (!b && c != KC_GLOBAL && c != KC_PROMPT)
		b = find((struct keymap *)km, KC_GLOBAL, key);
	return b && b->action != KM_UNBOUND ? b : NULL;
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
	/* The keys file's actions with arguments and macros. */
	for (int c = 0; c < KC__COUNT; c++) {
		for (size_t i = 0; i < km->ctx[c].n; i++) {
			const struct kbinding *b = &km->ctx[c].v[i];
			if (b->action != KM_STEPS)
				continue;
			char name[32], text[512];
			key_label(b->key, name, sizeof name);
			kbinding_text(b, text, sizeof text);
			if (b->macro)
				fprintf(out, "%s %s %s a macro: each step in order, stopping at the "
					"first that fails or asks\n",
					kctx_name((enum kctx)c), name, text);
			else
				fprintf(out, "%s %s %s %s\n", kctx_name((enum kctx)c), name, text,
					actions[b->steps[0].action].help);
		}
	}
}
