/* tui.h: the console. */
#ifndef DESK_TUI_H
#define DESK_TUI_H

#include <stdio.h>

#include "config.h"
#include "core.h"
#include "error.h"

/* Runs the console on an open desk until the agent quits.  Loads keys,
 * canned responses and the theme first; a bad file is an error returned
 * before curses starts.  Returns an exit code. */
int tui_main(struct desk *d, struct derr *e);

/* Loads and checks the keys file, the canned responses and the theme the
 * config names, without starting curses (desk config check). */
int tui_check_config(const struct config *cfg, struct derr *e);

/* Prints the built-in key bindings, one "CONTEXT KEY ACTION HELP" line
 * each, then actions without a key as "CONTEXT none ACTION HELP" (for
 * `desk keys` and for checking the man page against the action table). */
void tui_print_keymap(FILE *out);

#endif
