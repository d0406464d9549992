/* The end of every unit-test binary: run the suite, exit non-zero when a
 * test failed. Check prints its "N%: Checks: ..." summary line. */
#ifndef LMGRANTD_CHECK_MAIN_H
#define LMGRANTD_CHECK_MAIN_H

#include <check.h>
#include <stdlib.h>

static inline int run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
