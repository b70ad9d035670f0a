/* testlib.h: helpers shared by the unit tests. */
#ifndef DESK_TESTLIB_H
#define DESK_TESTLIB_H

#include <check.h>

/* A new empty scratch directory (removed by test_tmpdir_cleanup). */
char *test_tmpdir(void);
void test_tmpdir_cleanup(char **dir);
/* Path of a file under tests/data ($DESK_TESTDATA). */
char *test_data(const char *name);

#define SUITE(name) Suite *suite_##name(void);
#include "suites.def"
#undef SUITE

#endif
