/* testlib.h: helpers shared by the unit tests. */
#ifndef DESK_TESTLIB_H
#define DESK_TESTLIB_H

#include <check.h>
#include <stdint.h>

#include "config.h"
#include "core.h"

/* A new empty scratch directory (removed by test_tmpdir_cleanup). */
char *test_tmpdir(void);
void test_tmpdir_cleanup(char **dir);
/* Path of a file under tests/data ($DESK_TESTDATA). */
char *test_data(const char *name);

/* DESK_NOW, the clock desk reads, set to t. */
void test_set_now(int64_t t);

/* Many agents on one database: d is "tester", the admin who made it,
 * and alice and bob are agents, each with a desk of their own.  The
 * clock is set to t0; closing removes everything and unsets it. */
struct team_fx {
	char *dir, *path;
	struct config cfg;
	struct desk d, alice, bob;
};
void team_fx_open(struct team_fx *x, int64_t t0);
void team_fx_close(struct team_fx *x);

#define SUITE(name) Suite *suite_##name(void);
#include "suites.def"
#undef SUITE

#endif
