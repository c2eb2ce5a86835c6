/* SPDX-License-Identifier: MIT */
/*
 * Other tables that can refuse what mamori allows: nft's "list ruleset"
 * text (the recording backend's canned output) read for base chains on
 * input/forward/output with a drop policy or refusing rules (a wrapped
 * rule counted once, a "drop" in a comment not at all, rules of the
 * chains a base chain jumps or goes to counted with it, loops followed
 * once); mamori's own table, accept-only chains and other hooks are not
 * reported.
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
    "\tset block4 {\n"
    "\t\ttype ipv4_addr\n"
    "\t\tflags interval\n"
    "\t\telements = { 192.0.2.0/24,\n"
    "\t\t\t     198.51.100.0/24 }\n"
    "\t}\n"
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
    "\tchain FORWARD {\n"
    "\t\ttype filter hook forward priority filter; policy accept;\n"
    "\t\tcounter packets 0 bytes 0 jump DOCKER-USER\n"
    "\t\toifname \"docker0\" counter packets 0 bytes 0 jump DOCKER\n"
    "\t}\n"
    "\tchain DOCKER {\n"
    "\t\tip daddr 172.17.0.2 tcp dport 80 accept\n"
    "\t}\n"
    "\tchain DOCKER-USER {\n"
    "\t\tip saddr 203.0.113.0/24 counter packets 0 bytes 0 drop\n"
    "\t\tgoto DOCKER-DEEP\n"
    "\t}\n"
    "\tchain DOCKER-DEEP {\n"
    "\t\tip saddr 198.51.100.0/24 reject\n"
    "\t\tjump DOCKER-USER\n"
    "\t}\n"
    "}\n"
    "table ip6 guard {\n"
    "\tchain fwd {\n"
    "\t\ttype filter hook forward priority filter + 10; policy accept;\n"
    "\t\tip6 saddr 2001:db8::/32 counter packets 3 bytes 180 drop\n"
    "\t\ttcp dport 25 reject with tcp reset comment \"no smtp\"\n"
    "\t\ttcp dport 26 accept comment \"a drop in a comment\"\n"
    "\t\tip6 saddr { 2001:db8:1::1, 2001:db8:1::2,\n"
    "\t\t\t     2001:db8:1::3 } drop\n"
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
	bool loaded = false;
	int n;

	(void)state;
	mm_buf_init(&log, 1 << 20);
	mm_buf_init(&out, 1 << 16);
	be = mm_fw_backend_record_new(&log, 0, listing);
	assert_non_null(be);
	n = mm_fw_foreign_check(be, &out, &loaded, &err);
	assert_true(loaded);
	assert_int_equal(n, 3);
	assert_string_equal(out.data, "table ip filter, chain INPUT (hook input, priority filter): "
				      "policy drop\n"
				      "table ip filter, chain FORWARD (hook forward, priority "
				      "filter): 2 rules that drop or reject\n"
				      "table ip6 guard, chain fwd (hook forward, priority filter + "
				      "10): 3 rules that drop or reject\n");
	assert_string_equal(log.data, "list ruleset---\n");
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
	bool loaded = false;

	(void)state;
	mm_buf_init(&log, 1 << 20);
	mm_buf_init(&out, 1 << 16);
	be = mm_fw_backend_record_new(&log, 0, quiet);
	assert_int_equal(mm_fw_foreign_check(be, &out, &loaded, &err), 0);
	assert_true(loaded);
	assert_int_equal(out.len, 0);
	mm_fw_backend_free(be);
	be = mm_fw_backend_record_new(&log, 1, quiet);
	assert_int_equal(mm_fw_foreign_check(be, &out, &loaded, &err), MM_ERR_IO);
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
