/* SPDX-License-Identifier: MIT */
/*
 * Other tables that can refuse what mamori allows: nft's listing (as the
 * recording backend returns it for every command) read for base chains
 * on input/forward/output with a drop policy or refusing rules; mamori's
 * own table, accept-only chains and other hooks are not reported.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "mamori/fw.h"

static const char listing[] =
    "table inet mamori {\n"
    "\tchain input {\n"
    "\t\ttype filter hook input priority filter; policy drop;\n"
    "\t\ttcp dport 9 drop\n"
    "\t}\n"
    "}\n"
    "table ip filter {\n"
    "\tchain INPUT {\n"
    "\t\ttype filter hook input priority filter; policy drop;\n"
    "\t\tct state established,related counter packets 0 bytes 0 accept\n"
    "\t}\n"
    "\tchain DOCKER {\n"
    "\t\tip daddr 172.17.0.2 tcp dport 80 accept\n"
    "\t}\n"
    "}\n"
    "table ip6 guard {\n"
    "\tchain fwd {\n"
    "\t\ttype filter hook forward priority filter + 10; policy accept;\n"
    "\t\tip6 saddr 2001:db8::/32 counter packets 3 bytes 180 drop\n"
    "\t\ttcp dport 25 reject with tcp reset comment \"no smtp\"\n"
    "\t\ttcp dport 26 accept comment \"a drop in a comment\"\n"
    "\t}\n"
    "}\n"
    "table inet friendly {\n"
    "\tchain in {\n"
    "\t\ttype filter hook input priority 0; policy accept;\n"
    "\t\ttcp dport 22 accept\n"
    "\t}\n"
    "}\n"
    "table ip nat {\n"
    "\tchain PREROUTING {\n"
    "\t\ttype nat hook prerouting priority dstnat; policy accept;\n"
    "\t}\n"
    "}\n"
    "table netdev edge {\n"
    "\tchain ingress {\n"
    "\t\ttype filter hook ingress device \"eth0\" priority -500; policy drop;\n"
    "\t}\n"
    "}\n";

static void test_foreign(void **state)
{
	struct mm_buf log, out;
	struct mm_fw_backend *be;
	struct mm_err err = {0};
	int n;

	(void)state;
	mm_buf_init(&log, 1 << 20);
	mm_buf_init(&out, 1 << 16);
	be = mm_fw_backend_record_new(&log, 0, listing);
	assert_non_null(be);
	n = mm_fw_foreign_check(be, &out, &err);
	/* the canned listing answers every command, so listing one chain
	 * returns every table's rules: which chains are reported is what is
	 * checked here (the netns test checks the counts against nft) */
	assert_int_equal(n, 3);
	assert_non_null(strstr(out.data,
			       "table ip filter, chain INPUT (hook input, priority filter): "
			       "policy drop"));
	assert_non_null(strstr(out.data, "table ip6 guard, chain fwd (hook forward, priority "
					 "filter + 10): "));
	assert_non_null(
	    strstr(out.data, "table inet friendly, chain in (hook input, priority 0): "));
	assert_null(strstr(out.data, "mamori"));
	assert_null(strstr(out.data, "nat"));
	assert_null(strstr(out.data, "netdev"));
	assert_non_null(strstr(log.data, "list chains---\nlist chain ip filter INPUT---\n"));
	mm_fw_backend_free(be);
	mm_buf_release(&log);
	mm_buf_release(&out);
}

static void test_foreign_none(void **state)
{
	static const char quiet[] = "table inet mamori {\n"
				    "\tchain input {\n"
				    "\t\ttype filter hook input priority filter; policy drop;\n"
				    "\t}\n"
				    "}\n"
				    "table inet friendly {\n"
				    "\tchain in {\n"
				    "\t\ttype filter hook input priority 0; policy accept;\n"
				    "\t\ttcp dport 22 accept\n"
				    "\t}\n"
				    "}\n";
	struct mm_buf log, out;
	struct mm_fw_backend *be;
	struct mm_err err = {0};

	(void)state;
	mm_buf_init(&log, 1 << 20);
	mm_buf_init(&out, 1 << 16);
	be = mm_fw_backend_record_new(&log, 0, quiet);
	assert_int_equal(mm_fw_foreign_check(be, &out, &err), 0);
	assert_int_equal(out.len, 0);
	mm_fw_backend_free(be);
	be = mm_fw_backend_record_new(&log, 1, quiet);
	assert_int_equal(mm_fw_foreign_check(be, &out, &err), MM_ERR_IO);
	mm_fw_backend_free(be);
	mm_buf_release(&log);
	mm_buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_foreign),
	    cmocka_unit_test(test_foreign_none),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
