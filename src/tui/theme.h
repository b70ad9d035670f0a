/* theme.h: colour themes.  A theme file maps an element name to a style:
 *
 *   queue.selected: {fg: black, bg: cyan, attrs: [bold]}
 *
 * fg/bg: default (the terminal's own), black, red, green, yellow, blue,
 * magenta, cyan, white, bright-black .. bright-white, or 0-255 (mapped
 * to the nearest of 8 colours on terminals with fewer than 256).
 * attrs: bold, dim, underline, reverse, standout, blink, italic.
 * Elements a file leaves out get no colour.  When an element ends up
 * without colour (NO_COLOR, a terminal without colours, a mono theme)
 * it gets its "mono" attributes, so selection and warnings still show.
 * Parsing is curses-free (checked before initscr). */
#ifndef DESK_TUI_THEME_H
#define DESK_TUI_THEME_H

#include <stdbool.h>

#include "config.h"
#include "error.h"

/* X(ID, name, fg, bg, attrs, mono attrs) for the built-in default. */
#define DESK_ELEMENTS(X)                                                         \
	X(NORMAL, "normal", C_DEF, C_DEF, 0, 0)                                  \
	X(BORDER, "border", C_DEF, C_DEF, TA_DIM, 0)                                      \
	X(TITLE, "title", 7, 4, 0, TA_REVERSE)                                   \
	X(TITLE_FOCUS, "title.focus", 0, 6, TA_BOLD, TA_REVERSE | TA_BOLD)       \
	X(COLUMNS, "columns", C_DEF, C_DEF, TA_BOLD | TA_UNDERLINE, TA_UNDERLINE) \
	X(SELECTED, "selected", 0, 6, 0, TA_REVERSE)                             \
	X(SELECTED_DIM, "selected.unfocused", 0, 7, 0, TA_UNDERLINE)             \
	X(STATUSBAR, "statusbar", 7, 4, 0, TA_REVERSE)                           \
	X(INFO, "info", C_DEF, C_DEF, TA_BOLD, 0)                                          \
	X(ERROR, "error", 1, C_DEF, TA_BOLD, TA_BOLD)                            \
	X(PROMPT, "prompt", C_DEF, C_DEF, TA_BOLD, TA_BOLD)                      \
	X(SLA_OK, "sla.ok", C_DEF, C_DEF, 0, 0)                                      \
	X(SLA_NEAR, "sla.near", 0, 3, 0, TA_BOLD)                      \
	X(SLA_PAST, "sla.past", 1, C_DEF, TA_BOLD, TA_BOLD | TA_UNDERLINE)       \
	X(PRIO_URGENT, "priority.urgent", 1, C_DEF, TA_BOLD, TA_BOLD)            \
	X(PRIO_HIGH, "priority.high", 5, C_DEF, 0, TA_BOLD)                      \
	X(PRIO_NORMAL, "priority.normal", C_DEF, C_DEF, 0, 0)                    \
	X(PRIO_LOW, "priority.low", C_DEF, C_DEF, TA_DIM, TA_DIM)                \
	X(STATE_NEW, "state.new", 5, C_DEF, TA_BOLD, TA_BOLD)                    \
	X(STATE_DONE, "state.done", C_DEF, C_DEF, TA_DIM, TA_DIM)                \
	X(DRAFT, "draft", 0, 2, 0, TA_BOLD | TA_UNDERLINE)                            \
	X(UNSEEN, "unseen", 5, C_DEF, TA_BOLD, TA_BOLD)                          \
	X(MSG_CUSTOMER, "message.customer", 0, 6, 0, TA_BOLD)          \
	X(MSG_REPLY, "message.reply", 0, 2, 0, TA_BOLD)                \
	X(MSG_NOTE, "message.note", 0, 3, 0, TA_BOLD | TA_REVERSE)     \
	X(MSG_SYSTEM, "message.system", 5, C_DEF, 0, TA_DIM)                     \
	X(NOTE_BODY, "note.body", 5, C_DEF, 0, 0)                                \
	X(QUOTE, "quote", C_DEF, C_DEF, TA_DIM, TA_DIM)                          \
	X(LABEL, "label", C_DEF, C_DEF, TA_BOLD, TA_BOLD)                                  \
	X(HELP_KEY, "help.key", 5, C_DEF, TA_BOLD, TA_BOLD)                      \
	X(HELP_SECTION, "help.section", C_DEF, C_DEF, TA_BOLD | TA_UNDERLINE,    \
	  TA_BOLD | TA_UNDERLINE)                                                \
	X(PICKER, "picker", C_DEF, C_DEF, 0, 0)                                  \
	X(PICKER_BORDER, "picker.border", C_DEF, C_DEF, TA_BOLD, 0)

#define C_DEF (-1)   /* the terminal's own colour */
#define C_UNSET (-2) /* not given */

enum {
	TA_BOLD = 1 << 0,
	TA_DIM = 1 << 1,
	TA_UNDERLINE = 1 << 2,
	TA_REVERSE = 1 << 3,
	TA_STANDOUT = 1 << 4,
	TA_BLINK = 1 << 5,
	TA_ITALIC = 1 << 6,
};

enum element {
#define X(id, name, fg, bg, at, mono) EL_##id,
	DESK_ELEMENTS(X)
#undef X
	EL__COUNT
};

struct style {
	short fg, bg; /* C_DEF, C_UNSET or 0-255 */
	unsigned attrs;
};

struct theme {
	struct style el[EL__COUNT];
};

extern const char *const element_names[EL__COUNT + 1]; /* NULL-terminated */
extern const unsigned element_mono[EL__COUNT];

/* The compiled-in default theme (themes/default.yaml says the same). */
void theme_builtin(struct theme *t);
/* Loads a theme file (elements it leaves out get no colour). */
int theme_load(struct theme *t, const char *path, struct derr *e);
int theme_load_string(struct theme *t, const char *text, const char *name, struct derr *e);
/* Resolves the config's theme to a file: a name containing '/' is a
 * path; else NAME.yaml in cfg->themes_dir, or in DESK_DATADIR/themes
 * then ./themes.  *path is NULL for "default" when no file exists (the
 * built-in is used).  Returns DESK_ENOTFOUND for other missing names. */
int theme_find(const struct config *cfg, char **path, struct derr *e);
/* theme_find + theme_load (or the built-in). */
int theme_from_config(struct theme *t, const struct config *cfg, struct derr *e);
/* The nearest of the 8 basic colours to an xterm 256-colour index. */
int color_to_8(int c);

#endif
