/* macro.c: a key bound to steps, "status solved" or a list of them,
 * run one after the other through the same path as a key (role checks,
 * core, the audit trail).  A step that fails ends the macro, saying
 * which; a step that asks (a prompt, a picker, the question after the
 * editor) ends it too, and the question goes on as usual. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui.h"
#include "util.h"

int app_run_steps(struct app *a, const struct kstep *steps, size_t n)
{
	int flags = 0;
	for (size_t i = 0; i < n; i++) {
		const struct pane *before = a->overlay;
		a->msg_error = false; /* a step's news stays unless the next says something */
		flags |= app_run_action(a, steps[i].action, steps[i].arg);
		if (a->quit)
			break;
		if (a->msg_error) {
			if (n > 1) {
				char *why = xstrdup(a->msg);
				int w = snprintf(a->msg, sizeof a->msg, "Step %zu of %zu (%s%s%s) failed: ",
						 i + 1, n, actions[steps[i].action].name,
						 steps[i].arg ? " " : "", steps[i].arg ? steps[i].arg : "");
				if (w > 0 && (size_t)w < sizeof a->msg)
					snprintf(a->msg + w, sizeof a->msg - (size_t)w, "%s", why);
				free(why);
			}
			flags |= RD_STATUS;
			break;
		}
		if (a->overlay && a->overlay != before)
			break; /* it asks: the answer is the agent's, the rest is not run */
	}
	return flags;
}
