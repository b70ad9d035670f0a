/* main.c: desk's entry point. */
#include "cli.h"
#include "priv.h"

int main(int argc, char **argv)
{
	priv_init(); /* before anything reads the environment */
	return cli_main(argc, argv);
}
