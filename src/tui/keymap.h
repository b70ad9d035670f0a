/* keymap.h: key names <-> key codes, and the bindings per context: the
 * built-in defaults from the action table with the keys file laid over
 * them.  No curses calls: loading and checking happen before initscr
 * (and in `desk config check`). */
#ifndef DESK_TUI_KEYMAP_H
#define DESK_TUI_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "config.h"
#include "error.h"

enum kctx { KC_GLOBAL, KC_QUEUE, KC_CONV, KC_HIST, KC_PROMPT, KC__COUNT };

const char *kctx_name(enum kctx c);
int kctx_from_name(const char *s);

/* A key is a Unicode code point (a typed character, or a control
 * character like C-d = 4), or KEY_FN | a curses KEY_* code. */
#define KEY_FN 0x1000000
#define KEYF(code) (KEY_FN | (code))
#define KEY_ENTER_CODE 13
#define KEY_ESC_CODE 27

/* Parses "j", "G", "?", "é", "C-d", "Enter", "Tab", "BTab", "Esc",
 * "Space", "Backspace", "Delete", "Insert", "Up", "Down", "Left",
 * "Right", "Home", "End", "PgUp", "PgDn", "F1".."F12".  -1 if unknown. */
int key_parse(const char *name);
/* The canonical name of a key ("C-d", "PgDn", "j"). */
void key_label(int key, char *buf, size_t size);
/* A key as read by get_wch (is_fn: KEY_CODE_YES) in our encoding. */
int key_from_input(int ch, bool is_fn);

/* An action id from actions.h, or KM_UNBOUND: the key is explicitly
 * unbound in this context and the global binding does not apply; or
 * KM_STEPS: the key runs steps (an action with its argument, or a
 * macro). */
#define KM_UNBOUND (-2)
#define KM_STEPS (-3)

/* One step of a binding: an action and its argument (NULL: none, the
 * action asks as when its key is pressed). */
struct kstep {
	int action;
	char *arg;
};

struct kbinding {
	int key;
	int action;          /* an id, KM_UNBOUND or KM_STEPS */
	struct kstep *steps; /* KM_STEPS: owned */
	size_t nsteps;
	bool macro;          /* written as a list */
};

/* What a keys file's arguments are checked against (either may be
 * NULL: not checked). */
struct keymap_check {
	const struct config *cfg;
	const struct canned_list *canned;
};

struct keymap {
	struct {
		struct kbinding *v;
		size_t n, cap;
	} ctx[KC__COUNT];
	/* Keys a keys file took from another action, one line each:
	 * "keys.yaml:3:3: j in global now runs reply, no longer down". */
	char **takeovers;
	size_t ntakeovers;
};

/* The built-in bindings from the action table. */
int keymap_defaults(struct keymap *km, struct derr *e);
/* Lays a keys file over km: an unknown key name or action, a prompt
 * action outside the prompt context (or the reverse), or one key bound
 * to two actions in one context is an error "FILE:LINE:COL: ...".
 * So is an argument the action does not take or cannot use (a status,
 * priority, sort, view, canned response or queue name that does not
 * exist, see action_arg_check), reported at the step's place. */
int keymap_apply(struct keymap *km, const struct keybind_list *l,
		 const struct keymap_check *chk, struct derr *e);
/* Defaults, then the file at path (NULL: none). */
int keymap_load(struct keymap *km, const char *path, const struct keymap_check *chk,
		struct derr *e);
void keymap_free(struct keymap *km);

/* The action bound to key in exactly this context: an action id,
 * KM_UNBOUND, or -1 when the context says nothing. */
int keymap_get(const struct keymap *km, enum kctx c, int key);
/* The pane context, then global.  -1 when unbound or bound to steps. */
int keymap_lookup(const struct keymap *km, enum kctx c, int key);
/* The binding of key in the pane context, then global; NULL when none
 * (or explicitly unbound). */
const struct kbinding *keymap_binding(const struct keymap *km, enum kctx c, int key);
/* "status solved" or "[status solved, next-ticket]", as written. */
void kbinding_text(const struct kbinding *b, char *buf, size_t size);
/* The keys bound to action in context c, space-separated ("j Down");
 * returns how many. */
int keymap_keys(const struct keymap *km, enum kctx c, int action, char *buf, size_t size);
/* "context key action help" lines, every binding, then unbound actions
 * with key "none" (for `desk keys` and checking the man page). */
void keymap_print(const struct keymap *km, FILE *out);

#endif
