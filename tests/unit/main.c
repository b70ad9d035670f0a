/* main.c: runs every Check suite listed in suites.def. */
#include <check.h>
#include <stdlib.h>

#include "testlib.h"

int main(void)
{
	/* Check's 4 s default, read as each tcase is made, was outgrown by
	 * tests that build databases when the machine is loaded (queue_deep,
	 * dashboard, store); a hang is still caught, and an explicit
	 * tcase_set_timeout or CK_DEFAULT_TIMEOUT wins. */
	setenv("CK_DEFAULT_TIMEOUT", "30", 0);
	SRunner *sr = srunner_create(NULL);
#define SUITE(name) srunner_add_suite(sr, suite_##name());
#include "suites.def"
#undef SUITE
	test_db_begin();
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	test_db_end(failed > 0);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
