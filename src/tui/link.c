/* link.c: the console when the database server goes away and comes
 * back.  Until then the panes still hold what was read before: the
 * status bar says OFFLINE since when, so nobody takes it for current. */
#include "store.h"
#include "ui.h"
#include "util.h"

int link_tick(struct app *a)
{
	int64_t since = 0;
	const char *why = store_link_down(a->d->st, &since);
	if (why && !a->link_down_since) {
		a->link_down_since = since;
		char at[32];
		time_format_local(since, at, sizeof at);
		app_fail(a,
			 "Offline since %s: the screen shows what was read before; desk reconnects "
			 "by itself. (%s)",
			 at + 11, why);
		return RD_STATUS;
	}
	if (!why && a->link_down_since) {
		a->link_down_since = 0;
		app_msg(a, "The database server is back; the screen is up to date again.");
		/* store_changed said so too: the panes are read again. */
		return RD_STATUS;
	}
	return 0;
}
