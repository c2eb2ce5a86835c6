/* SPDX-License-Identifier: MIT */
/* Runs the data-driven corpus tests/data/logs/sshd.txt through the line pipeline. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include <cmocka.h>

#include "corpus.h"

static void test_corpus(void **state)
{
	(void)state;
	assert_int_equal(mm_corpus_run(mm_test_data("logs/sshd.txt")), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus),
	};

	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
