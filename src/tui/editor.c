/* editor.c: running a program on the terminal with curses suspended,
 * calcurse-style: the agent's $EDITOR for the compose files (compose.c)
 * and the customer editor (customer_edit.c), a viewer or pager for an
 * attachment (attach.c).  The editor is polled rather than waited
 * for, so a caller's tick (compose.c saves the text as a draft) runs
 * about every second while it is open, mail sent before keeps going,
 * and a SIGTERM or SIGHUP still gets the text saved before desk goes.
 * A file of its own: screens other than compose use it too. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "priv.h"
#include "ui.h"
#include "util.h"

#define EDITOR_POLL_MS 100   /* how often the editor is looked at */
#define AUTOSAVE_MS 1000     /* how often its file is saved as a draft */

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL); /* a signal cuts it short: fine */
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int terminal_run(struct app *a, char *const argv[], const char *what, editor_tick_fn tick,
		 void *data, int *status, struct derr *e)
{
	/* As calcurse and mutt do: the program owns the terminal; C-c and
	 * C-\\ are its own (ignored here), and C-z stops both it and us (the
	 * default action), the shell's fg continuing both. */
	struct sigaction ign = {0}, dfl = {0}, old_int, old_quit, old_tstp;
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	def_prog_mode();
	endwin();
	fflush(stdout);
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGQUIT, &ign, &old_quit);
	sigaction(SIGTSTP, &dfl, &old_tstp);
	int rc = DESK_OK;
	*status = 0;
	pid_t pid = fork();
	if (pid == 0) {
		priv_child();
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		signal(SIGTSTP, SIG_DFL);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (pid < 0)
		rc = derr_set(e, DESK_EIO, "cannot start %s: %s", what, strerror(errno));
	/* Not a blocking wait: the caller's tick runs every second meanwhile. */
	int64_t last = mono_ms(), quit_at = 0;
	while (pid > 0) {
		pid_t r = waitpid(pid, status, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR) {
			rc = derr_set(e, DESK_EIO, "waiting for %s: %s", what, strerror(errno));
			break;
		}
		int64_t now = mono_ms();
		bool quitting = app_quitting();
		timelog_touch(a); /* time in the editor or a viewer is work on the ticket */
		/* Mail sent before keeps going; its outcome shows on return. */
		a->dirty |= mailer_poll(a);
		if (tick && (now - last >= AUTOSAVE_MS || (quitting && !quit_at))) {
			tick(a, data);
			last = now;
		}
		/* Told to leave (SIGTERM, SIGHUP): the text is saved; give the
		 * program a moment to end with its terminal, then go. */
		if (quitting && !quit_at)
			quit_at = now;
		if (quit_at && now - quit_at > 3000) {
			rc = derr_set(e, DESK_EIO, "interrupted while %s ran", what);
			*status = 0;
			break;
		}
		sleep_ms(EDITOR_POLL_MS);
	}
	if (tick && pid > 0)
		tick(a, data); /* what the program wrote last */
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	sigaction(SIGTSTP, &old_tstp, NULL);
	reset_prog_mode();
	/* The terminal may have been resized while the program ran. */
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0 &&
	    (ws.ws_row != LINES || ws.ws_col != COLS))
		resize_term(ws.ws_row, ws.ws_col);
	a->dirty |= RD_FULL | RD_LAYOUT | RD_ALL;
	return rc;
}

int editor_run(struct app *a, const char *path, editor_tick_fn tick, void *data,
	       struct derr *e)
{
	const char *ed = getenv("VISUAL");
	if (str_empty(ed))
		ed = getenv("EDITOR");
	if (str_empty(ed))
		ed = "vi";
	/* The editor command is the agent's own setting; the file name goes
	 * in as "$1", never into the shell string. */
	char *script = xasprintf("%s \"$@\"", ed);
	char *argv[] = {"/bin/sh", "-c", script, "sh", (char *)path, NULL};
	int status = 0;
	int rc = terminal_run(a, argv, "the editor", tick, data, &status, e);
	if (rc == DESK_OK && WIFEXITED(status) && WEXITSTATUS(status) == 127)
		rc = derr_set(e, DESK_EIO, "the editor \"%s\" could not be run (set $VISUAL or $EDITOR)",
			      ed);
	else if (rc == DESK_OK && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
		rc = derr_set(e, DESK_EIO, "the editor \"%s\" failed (status %d)", ed,
			      WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	free(script);
	return rc;
}
