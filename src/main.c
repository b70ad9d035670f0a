/* main.c: desk's entry point. */
#include <signal.h>

#include "cli.h"
#include "priv.h"

int main(int argc, char **argv)
{
	priv_init(); /* before anything reads the environment */
	/* SIGCHLD ignored by a parent (some MTA pipes and daemons) is kept
	 * across exec, and then sendmail's exit status is lost: every mail
	 * would count as failed and be sent again. */
	signal(SIGCHLD, SIG_DFL);
	return cli_main(argc, argv);
}
