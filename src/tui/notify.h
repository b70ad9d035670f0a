/* notify.h: telling the agent of an event outside the screen: the
 * terminal's desktop notification (OSC 777 and OSC 9) and the agent's
 * hook command.  No curses here: the console writes what these build. */
#ifndef DESK_TUI_NOTIFY_H
#define DESK_TUI_NOTIFY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

enum notify_kind { NOTIFY_NEW, NOTIFY_ASSIGNED, NOTIFY_SLA, NOTIFY_FOLLOW_UP, NOTIFY__COUNT };
/* "new", "assigned", "sla", "follow-up": the word the hook is given. */
const char *notify_kind_name(enum notify_kind k);

/* The longest text (bytes) of one field that reaches the terminal or a
 * hook: a customer's subject may be kilobytes. */
#define NOTIFY_TEXT_MAX 200
/* Untrusted text made safe inside an OSC string: sanitized (no ESC,
 * BEL, C0 or C1 control, no bidi control, valid UTF-8), ';' (the OSC
 * field separator) shown as ',', cut to at most max bytes on a
 * character boundary.  A new string. */
char *notify_clean(const char *s, size_t max);
/* The bytes that ask the terminal for a desktop notification: OSC 777
 * (notify;TITLE;BODY: urxvt, foot, kitty, Ghostty, VTE terminals) then
 * OSC 9 (TITLE: BODY: iTerm2, Windows Terminal, WezTerm, kitty), each
 * ended by ST; a terminal ignores the one it does not know.  Title and
 * body go through notify_clean.  A new string. */
char *notify_osc(const char *title, const char *body);
/* seq wrapped for tmux's passthrough (DCS tmux; ... ST, each ESC
 * doubled): inside tmux, with `allow-passthrough on`, it reaches the
 * terminal tmux runs in; a bare OSC 777 or 9 stops at tmux. */
char *notify_tmux_wrap(const char *seq);

/* The hook's argv: the configured words, then KIND, the ticket id and
 * the subject (notify_clean'ed) as three more elements; never a shell
 * string.  NULL-terminated; free with notify_strv_free. */
char **notify_hook_argv(char *const *hook, size_t nhook, enum notify_kind k, int64_t ticket,
			const char *subject);
/* env (NULL-terminated) with DESK_EVENT, DESK_TICKET and DESK_SUBJECT
 * set to the same (any earlier ones dropped). */
char **notify_hook_env(char *const *env, enum notify_kind k, int64_t ticket,
		       const char *subject);
void notify_strv_free(char ***v);
/* The program a hook's first word names: as is with a '/', else the
 * first executable file of that name along path (a $PATH value).  A new
 * string, or NULL when there is none. */
char *notify_find_program(const char *name, const char *path);
/* Starts argv[0] (a path) with env, its group dropped (priv_child), in
 * a session of its own (no terminal signals), stdin, stdout and stderr
 * on /dev/null; never waited for here.  Returns its pid, or -1 with e. */
pid_t notify_spawn(const char *program, char *const *argv, char *const *env, struct derr *e);

#endif
