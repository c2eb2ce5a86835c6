/* SPDX-License-Identifier: MIT */
/*
 * iptables-legacy rules: the corpus tests/data/fw/legacy.txt
 * (iptables-legacy-save output, the chains reported or the exact error),
 * the streaming parser fed line by line, its limits, and the whole check
 * on stand-in table lists and save tools.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "corpus.h"
#include "mamori/fw.h"

static int run_case(const char *path, unsigned long at, const char *title, struct mm_buf *text,
		    struct mm_buf *want)
{
	struct mm_err err = {0};
	struct mm_buf got, out;
	int rc, fails = 0;

	mm_buf_init(&got, 1 << 16);
	mm_buf_init(&out, 1 << 16);
	rc = mm_fw_legacy_parse_buffer("s", text->data ? text->data : "", text->len, "legacy", &out,
				       &err);
	if (rc < 0) {
		(void)mm_buf_addf(&got, "! %s\n", err.msg);
	} else {
		const char *p = out.data;

		while (p && *p) {
			size_t k = strcspn(p, "\n");

			(void)mm_buf_addf(&got, "> %.*s\n", (int)k, p);
			p += k + (p[k] == '\n');
		}
		(void)mm_buf_addf(&got, "= %d\n", rc);
	}
	if (!got.data || !want->data || strcmp(got.data, want->data) != 0) {
		fprintf(stderr, "%s:%lu: %s:\n  got:\n%s  want:\n%s", path, at, title,
			got.data ? got.data : "", want->data ? want->data : "");
		fails++;
	}
	mm_buf_release(&got);
	mm_buf_release(&out);
	return fails;
}

static void test_corpus(void **state)
{
	int cases, fails;

	(void)state;
	fails = mm_case_file_run(mm_test_data("fw/legacy.txt"), ">!=", false, run_case, &cases);
	assert_true(cases >= 20);
	assert_int_equal(fails, 0);
}

/* The streaming API gives what the whole buffer gives; NUL bytes are refused. */
static void test_streaming(void **state)
{
	static const char *const lines[] = {"*filter",	       ":INPUT ACCEPT [0:0]",
					    ":jail - [0:0]",   "-A INPUT -j jail",
					    "-A jail -j DROP", "COMMIT"};
	struct mm_fw_legacy *lp = mm_fw_legacy_new("s");
	struct mm_err err = {0};
	struct mm_buf out;
	size_t i;

	(void)state;
	assert_non_null(lp);
	mm_buf_init(&out, 4096);
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		assert_int_equal(mm_fw_legacy_line(lp, lines[i], strlen(lines[i]), &err), 0);
	assert_int_equal(mm_fw_legacy_finish(lp, "L", &out, &err), 1);
	assert_string_equal(out.data,
			    "L table filter, chain INPUT: 1 rule that drops or rejects\n");
	mm_fw_legacy_free(lp);
	mm_fw_legacy_free(NULL);

	lp = mm_fw_legacy_new("s");
	assert_true(mm_fw_legacy_line(lp, "*fil\0ter", 8, &err) < 0);
	assert_string_equal(err.msg, "s:1: NUL byte in line");
	mm_fw_legacy_free(lp);
	mm_buf_release(&out);
}

/* Thousands of chains jumping in a ring (as kube-proxy makes): each reached once, no
 * recursion, found by hash. */
static void test_large(void **state)
{
	struct mm_buf in, out;
	struct mm_err err = {0};
	int i;

	(void)state;
	mm_buf_init(&in, 1u << 22);
	mm_buf_init(&out, 4096);
	assert_int_equal(mm_buf_adds(&in, "*filter\n:INPUT ACCEPT [0:0]\n"), 0);
	for (i = 0; i < 8000; i++)
		assert_int_equal(mm_buf_addf(&in, ":c%d - [0:0]\n", i), 0);
	assert_int_equal(mm_buf_adds(&in, "-A INPUT -j c0\n"), 0);
	for (i = 0; i < 8000; i++)
		assert_int_equal(
		    mm_buf_addf(&in, "-A c%d -j DROP\n-A c%d -j c%d\n", i, i, (i + 1) % 8000), 0);
	assert_int_equal(mm_buf_adds(&in, "COMMIT\n"), 0);
	assert_int_equal(mm_fw_legacy_parse_buffer("s", in.data, in.len, "L", &out, &err), 1);
	assert_string_equal(out.data,
			    "L table filter, chain INPUT: 8000 rules that drop or reject\n");
	/* past the chain limit: an error, not a cut-off report */
	mm_buf_reset(&in);
	assert_int_equal(mm_buf_adds(&in, "*filter\n"), 0);
	for (i = 0; i < 65537; i++)
		assert_int_equal(mm_buf_addf(&in, ":c%d - [0:0]\n", i), 0);
	assert_true(mm_fw_legacy_parse_buffer("s", in.data, in.len, "L", &out, &err) < 0);
	assert_string_equal(err.msg, "s:65538: more than 65536 chains");
	mm_buf_release(&in);
	mm_buf_release(&out);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

/*
 * The whole check, on stand-ins for the kernel's table names and for
 * iptables-legacy-save: a script that prints a ruleset, one that fails,
 * one that prints junk, and none at all.
 */
static void test_check(void **state)
{
	char dir[] = "/tmp/mm-legacy.XXXXXX", names4[128], names6[128], ok[128], bad[128],
	     junk[128], none[128], want[1024];
	struct mm_fw_legacy_src src[2] = {{names4, "v4", {NULL, NULL}},
					  {names6, "v6", {NULL, NULL}}};
	struct mm_err err = {0};
	struct mm_buf out;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(names4, sizeof(names4), "%s/ip_tables_names", dir);
	snprintf(names6, sizeof(names6), "%s/ip6_tables_names", dir);
	snprintf(ok, sizeof(ok), "%s/save-ok", dir);
	snprintf(bad, sizeof(bad), "%s/save-bad", dir);
	snprintf(junk, sizeof(junk), "%s/save-junk", dir);
	snprintf(none, sizeof(none), "%s/save-none", dir);
	write_file(ok, "#!/bin/sh\nprintf '*filter\\n:INPUT DROP [0:0]\\nCOMMIT\\n'\n", 0755);
	write_file(bad, "#!/bin/sh\necho 'iptables: Permission denied.' >&2\nexit 4\n", 0755);
	write_file(junk, "#!/bin/sh\necho nonsense\n", 0755);
	mm_buf_init(&out, 1 << 16);
	src[0].save[0] = src[1].save[0] = ok;

	/* no names file (ip_tables not loaded), or an empty one: nothing */
	assert_int_equal(mm_fw_legacy_check_at(src, &out, &err), 0);
	write_file(names4, "", 0644);
	assert_int_equal(mm_fw_legacy_check_at(src, &out, &err), 0);
	assert_true(out.len == 0);

	/* the first save tool missing, the second read; the IPv6 one fails */
	write_file(names4, "filter\nnat\n", 0644);
	write_file(names6, "filter\n", 0644);
	src[0].save[0] = none;
	src[0].save[1] = ok;
	src[1].save[0] = bad;
	assert_int_equal(mm_fw_legacy_check_at(src, &out, &err), 2);
	snprintf(want, sizeof(want),
		 "v4 table filter, chain INPUT: policy DROP\n"
		 "v6 tables filter are loaded, their rules not checked: %s failed: iptables: "
		 "Permission denied.\n",
		 bad);
	assert_string_equal(out.data, want);

	/* no save tool at all; output that does not parse */
	mm_buf_reset(&out);
	src[0].save[1] = NULL;
	src[1].save[0] = junk;
	assert_int_equal(mm_fw_legacy_check_at(src, &out, &err), 2);
	snprintf(want, sizeof(want),
		 "v4 tables filter, nat are loaded, their rules not checked: no %s (Debian "
		 "package iptables)\n"
		 "v6 tables filter are loaded, their rules not checked: %s:1: unexpected line\n",
		 none, junk);
	assert_string_equal(out.data, want);
	mm_buf_release(&out);
	unlink(names4);
	unlink(names6);
	unlink(ok);
	unlink(bad);
	unlink(junk);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_corpus),
	    cmocka_unit_test(test_streaming),
	    cmocka_unit_test(test_large),
	    cmocka_unit_test(test_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
