/* main.c: desk's entry point. */
#include <signal.h>
#include <stdlib.h>

#include "cli.h"
#include "config.h"
#include "priv.h"

int main(int argc, char **argv)
{
	priv_init(); /* before anything reads the environment */
	/* SIGCHLD ignored by a parent (some MTA pipes and daemons) is kept
	 * across exec, and then sendmail's exit status is lost: every mail
	 * would count as failed and be sent again. */
	signal(SIGCHLD, SIG_DFL);
	/* The file in place of /etc/desk/config.yaml: a database on a server
	 * has no folder for its team's file, and one box may serve several
	 * teams (and the tests).  Not when setgid: then the policy is the
	 * administrator's, not the caller's. */
	const char *system_file = priv_setid() ? NULL : getenv("DESK_SYSTEM_CONFIG");
	if (system_file && *system_file)
		config_system_path = system_file;
	return cli_main(argc, argv);
}
