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

/* Prints the key bindings, one "CONTEXT KEY ACTION HELP" line each, then
 * actions without a key as "CONTEXT none ACTION HELP": the built-in ones
 * when cfg is NULL (the man page is checked against them), else with the
 * config's keys file laid over them, each key it took from another
 * action said on `notes` ("FILE:LINE:COL: j in global now runs reply,
 * no longer down").  A broken keys file: DESK_EINVAL and e set. */
int tui_print_keymap(const struct config *cfg, FILE *out, FILE *notes, struct derr *e);

#endif
