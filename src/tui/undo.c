/* undo.c: `u` in the console: a reply still held is taken back first
 * (mailer.c), else the agent's last change is undone (core_undo). */
#include "core.h"
#include "ui.h"

int act_undo(struct app *a, const char *arg)
{
	if (mailer_holds(a))
		return mailer_unsend(a);
	struct derr e = {0};
	struct undo_result r;
	int rc = core_undo(a->d, &r, &e);
	if (rc) {
		undo_result_free(&r);
		return app_error(a, &e);
	}
	int flags = app_changed(a) | RD_STATUS;
	if (r.nfailed)
		app_fail(a, "Undone: %s; #%lld and %zu more not: %s", r.what,
			 (long long)r.failed[0].id, r.nfailed - 1, r.failed[0].msg);
	else
		app_msg(a, "Undone: %s.", r.what);
	undo_result_free(&r);
	return flags;
}
