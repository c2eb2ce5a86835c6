/* SPDX-License-Identifier: MIT */
/*
 * Rule grammar and rules file: the corpus tests/data/fw/rules.txt (input
 * line, canonical form or exact error), round trips, the file parser's
 * line numbers, the model's insert/delete/block semantics and the
 * lockout check.
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

static void test_corpus(void **state)
{
	const char *path = mm_test_data("fw/rules.txt");
	FILE *f = fopen(path, "r");
	char line[8192], input[8192] = "";
	unsigned long lineno = 0, cases = 0;
	int fails = 0;
	bool have = false;

	(void)state;
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		size_t n = strlen(line);
		struct mm_fw_rule r;
		struct mm_err err = {0};
		struct mm_buf b;
		int rc;

		lineno++;
		if (n && line[n - 1] == '\n')
			line[--n] = '\0';
		if (n == 0 || line[0] == '#')
			continue;
		if (strncmp(line, "< ", 2) == 0 || strcmp(line, "<") == 0) {
			snprintf(input, sizeof(input), "%s", n > 2 ? line + 2 : "");
			have = true;
			continue;
		}
		assert_true(have);
		have = false;
		cases++;
		rc = mm_fw_rule_parse(input, strlen(input), &r, &err);
		if (line[0] == '>') {
			mm_buf_init(&b, 8192);
			if (rc < 0) {
				fprintf(stderr, "%s:%lu: '%s': unexpected error: %s\n", path,
					lineno, input, err.msg);
				fails++;
			} else if (mm_fw_rule_format(&r, &b) < 0 || strcmp(b.data, line + 2) != 0) {
				fprintf(stderr, "%s:%lu: '%s':\n  got  %s\n  want %s\n", path,
					lineno, input, b.data ? b.data : "(null)", line + 2);
				fails++;
			} else {
				/* the canonical form parses back to the same rule and text */
				struct mm_fw_rule r2;
				struct mm_buf b2;

				mm_buf_init(&b2, 8192);
				if (mm_fw_rule_parse(b.data, b.len, &r2, &err) < 0 ||
				    !mm_fw_rule_eq(&r, &r2) || mm_fw_rule_format(&r2, &b2) < 0 ||
				    strcmp(b.data, b2.data) != 0 ||
				    mm_fw_rule_validate(&r2, &err) < 0) {
					fprintf(stderr,
						"%s:%lu: canonical form does not round-trip\n",
						path, lineno);
					fails++;
				}
				mm_buf_release(&b2);
			}
			mm_buf_release(&b);
		} else if (line[0] == '!') {
			if (rc >= 0 || strcmp(err.msg, line + 2) != 0) {
				fprintf(stderr, "%s:%lu: '%s':\n  got  error %s\n  want error %s\n",
					path, lineno, input, rc < 0 ? err.msg : "(none)", line + 2);
				fails++;
			}
		} else {
			fail_msg("%s:%lu: bad corpus line", path, lineno);
		}
	}
	fclose(f);
	assert_true(cases > 70);
	assert_int_equal(fails, 0);
}

static void test_file_errors(void **state)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
	    {"allow 22\nallow 99999\n", "f:2: port 99999 out of range (1-65535)"},
	    {"# c\n\nenabled maybe\n", "f:3: 'enabled' takes yes or no"},
	    {"default deny\n", "f:1: 'default deny' needs incoming, outgoing or routed"},
	    {"default drop incoming\n", "f:1: 'default' takes allow, deny or reject"},
	    {"logging loud\n", "f:1: 'logging' takes off, low, medium or high"},
	    {"logging low extra\n", "f:1: unexpected text at the end of the line"},
	    {"limit-rate 6/0s\n",
	     "f:1: 'limit-rate' takes HITS/SECONDSs, e.g. 6/30s (1-10000, 1-86400)"},
	    {"block 10.0.0.300\n", "f:1: block needs an address or prefix"},
	    {"block 10.0.0.1 until tomorrow\n", "f:1: 'until' needs an ISO 8601 time"},
	    {"block 10.0.0.1 forever\n", "f:1: unexpected text after block"},
	    {"allow 22\r\nallow 23 x\r\n", "f:2: unexpected 'x'"},
	    {"allow 22\nallow\0 23\n", "f:2: NUL byte in line"},
	    {"app default maybe\n", "f:1: 'app default' takes allow, deny, reject or skip"},
	    {"app update OpenSSH\n", "f:1: 'app' takes 'default' in a rules file"},
	    {"app default allow now\n", "f:1: unexpected text at the end of the line"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mm_fw_ruleset rs;
		struct mm_err err = {0};
		size_t n = strlen(cases[i].text);

		if (strstr(cases[i].msg, "NUL"))
			n = 20;
		mm_fw_ruleset_init(&rs);
		assert_true(mm_fw_parse_buffer(&rs, "f", cases[i].text, n, 1000, &err) < 0);
		assert_string_equal(err.msg, cases[i].msg);
		mm_fw_ruleset_release(&rs);
	}
}

static void test_file_roundtrip(void **state)
{
	const char *text = "enabled yes\n"
			   "default reject incoming\n"
			   "default deny outgoing\n"
			   "default allow routed\n"
			   "logging high\n"
			   "limit-rate 10/60s\n"
			   "app default deny\n"
			   "allow 22/tcp\n"
			   "allow 22/tcp\n" /* duplicate: kept once */
			   "limit in on eth0 80/tcp comment \"web\"\n"
			   "block 192.0.2.0/24\n"
			   "block 192.0.2.7\n" /* inside the /24: dropped */
			   "block 2001:db8::1 until 2030-01-01T00:00:00Z comment \"scanner\"\n"
			   "block 198.51.100.1 until 2000-01-01T00:00:00Z\n"; /* expired */
	struct mm_fw_ruleset rs, rs2;
	struct mm_err err = {0};
	struct mm_buf b, b2;

	(void)state;
	mm_fw_ruleset_init(&rs);
	mm_fw_ruleset_init(&rs2);
	mm_buf_init(&b, 1 << 16);
	mm_buf_init(&b2, 1 << 16);
	assert_int_equal(mm_fw_parse_buffer(&rs, "f", text, strlen(text), 1700000000, &err), 0);
	assert_true(rs.enabled);
	assert_int_equal(rs.policy[MM_FW_INCOMING], MM_FW_REJECT);
	assert_int_equal(rs.policy[MM_FW_OUTGOING], MM_FW_DENY);
	assert_int_equal(rs.policy[MM_FW_ROUTED], MM_FW_ALLOW);
	assert_int_equal(rs.level, MM_FW_LEVEL_HIGH);
	assert_int_equal(rs.limit_hits, 10);
	assert_int_equal(rs.app_default, MM_FW_DENY);
	assert_int_equal(rs.nrules, 2);
	assert_int_equal(rs.nblocks, 2);
	assert_int_equal(mm_fw_serialize(&rs, &b), 0);
	assert_non_null(strstr(b.data, "\napp default deny\n"));
	assert_non_null(strstr(
	    b.data, "block 2001:db8::1 until 2030-01-01T00:00:00+00:00 comment \"scanner\"\n"));
	assert_int_equal(mm_fw_parse_buffer(&rs2, "f", b.data, b.len, 1700000000, &err), 0);
	assert_int_equal(mm_fw_serialize(&rs2, &b2), 0);
	assert_string_equal(b.data, b2.data);
	mm_buf_release(&b);
	mm_buf_release(&b2);
	mm_fw_ruleset_release(&rs);
	mm_fw_ruleset_release(&rs2);
}

static struct mm_fw_rule rule(const char *s)
{
	struct mm_fw_rule r;
	struct mm_err err = {0};

	if (mm_fw_rule_parse(s, strlen(s), &r, &err) < 0)
		fail_msg("%s: %s", s, err.msg);
	return r;
}

static void test_model(void **state)
{
	struct mm_fw_ruleset rs;
	struct mm_fw_rule r;
	struct mm_prefix p;

	(void)state;
	mm_fw_ruleset_init(&rs);
	r = rule("allow 22/tcp");
	assert_int_equal(mm_fw_rule_add(&rs, &r, 0), 0);
	r = rule("allow 80/tcp");
	assert_int_equal(mm_fw_rule_add(&rs, &r, 0), 0);
	r = rule("deny from 10.0.0.1");
	assert_int_equal(mm_fw_rule_add(&rs, &r, 1), 0);
	assert_int_equal(mm_fw_rule_add(&rs, &r, 0), 1);
	assert_int_equal(mm_fw_rule_add(&rs, &r, 9), MM_ERR_RANGE);
	assert_int_equal(rs.rules[0].action, MM_FW_DENY);
	assert_int_equal(mm_fw_rule_find(&rs, &r), 1);
	assert_int_equal(mm_fw_rule_del(&rs, 1), 0);
	assert_int_equal(mm_fw_rule_del(&rs, 3), MM_ERR_RANGE);
	assert_int_equal(mm_fw_rule_del(&rs, 0), MM_ERR_RANGE);
	assert_int_equal(rs.nrules, 2);

	assert_int_equal(mm_prefix_parse("10.0.0.1", 8, &p), 0);
	assert_int_equal(mm_fw_block_add(&rs, &p, 0, NULL), 0);
	assert_int_equal(mm_prefix_parse("10.0.0.0/8", 10, &p), 0);
	assert_int_equal(mm_fw_block_add(&rs, &p, 5, "x"), 0);
	assert_int_equal(rs.nblocks, 1); /* replaced the /32 */
	assert_int_equal(mm_prefix_parse("10.9.9.9", 8, &p), 0);
	assert_int_equal(mm_fw_block_add(&rs, &p, 0, NULL), 1);
	assert_int_equal(mm_fw_block_del(&rs, &p), MM_ERR_NOTFOUND);
	assert_int_equal(mm_prefix_parse("10.0.0.0/8", 10, &p), 0);
	assert_int_equal(mm_fw_block_del(&rs, &p), 0);
	assert_int_equal(rs.nblocks, 0);
	mm_fw_ruleset_release(&rs);
	mm_fw_ruleset_release(NULL);
}

static void test_duration(void **state)
{
	struct mm_err err = {0};
	int64_t s;

	(void)state;
	assert_int_equal(mm_fw_duration_parse("90s", 3, &s, &err), 0);
	assert_int_equal(s, 90);
	assert_int_equal(mm_fw_duration_parse("1h30m", 5, &s, &err), 0);
	assert_int_equal(s, 5400);
	assert_int_equal(mm_fw_duration_parse("2w", 2, &s, &err), 0);
	assert_int_equal(s, 14 * 86400);
	assert_int_equal(mm_fw_duration_parse("45", 2, &s, &err), 0);
	assert_int_equal(s, 45);
	assert_true(mm_fw_duration_parse("", 0, &s, &err) < 0);
	assert_true(mm_fw_duration_parse("1x", 2, &s, &err) < 0);
	assert_true(mm_fw_duration_parse("h", 1, &s, &err) < 0);
	assert_true(mm_fw_duration_parse("0s", 2, &s, &err) < 0);
	assert_true(mm_fw_duration_parse("400d", 4, &s, &err) < 0);
	assert_string_equal(err.msg, "duration longer than 365 days");
}

static void test_lockout(void **state)
{
	struct mm_fw_ruleset rs;
	struct mm_addr c, s;
	uint16_t cp, sp;
	struct mm_fw_rule r;
	struct mm_prefix p;
	char why[256];

	(void)state;
	assert_int_equal(
	    mm_fw_parse_ssh_connection("192.0.2.10 50000 192.0.2.1 22", &c, &cp, &s, &sp), 0);
	assert_int_equal(cp, 50000);
	assert_int_equal(sp, 22);
	assert_true(mm_fw_parse_ssh_connection("192.0.2.10 50000 192.0.2.1", &c, &cp, &s, &sp) < 0);
	assert_true(mm_fw_parse_ssh_connection("x 1 y 2", &c, &cp, &s, &sp) < 0);
	assert_true(mm_fw_parse_ssh_connection("1.2.3.4 0 1.2.3.5 22", &c, &cp, &s, &sp) < 0);
	assert_int_equal(
	    mm_fw_parse_ssh_connection("2001:db8::2 4 2001:db8::1 2222", &c, &cp, &s, &sp), 0);
	assert_int_equal(
	    mm_fw_parse_ssh_connection("192.0.2.10 50000 192.0.2.1 22", &c, &cp, &s, &sp), 0);

	mm_fw_ruleset_init(&rs);
	assert_false(mm_fw_would_lock_out(&rs, &c, cp, &s, sp, why, sizeof(why))); /* disabled */
	rs.enabled = true;
	assert_true(mm_fw_would_lock_out(&rs, &c, cp, &s, sp, why, sizeof(why)));
	assert_string_equal(why,
			    "no rule allows port 22/tcp and the default incoming policy is deny");
	r = rule("limit ssh");
	mm_fw_rule_add(&rs, &r, 0);
	assert_false(mm_fw_would_lock_out(&rs, &c, cp, &s, sp, why, sizeof(why)));
	r = rule("deny from 192.0.2.0/24");
	mm_fw_rule_add(&rs, &r, 1);
	assert_true(mm_fw_would_lock_out(&rs, &c, cp, &s, sp, why, sizeof(why)));
	assert_string_equal(why, "rule 1 (deny from 192.0.2.0/24 to any) refuses the SSH client");
	mm_fw_rule_del(&rs, 1);
	r = rule("allow in on eth0 22/tcp"); /* interface unknown: not counted */
	mm_fw_rule_add(&rs, &r, 1);
	mm_fw_rule_del(&rs, 2);
	assert_true(mm_fw_would_lock_out(&rs, &c, cp, &s, sp, why, sizeof(why)));
	r = rule("allow from 192.0.2.10 proto tcp");
	mm_fw_rule_add(&rs, &r, 0);
	assert_false(mm_fw_would_lock_out(&rs, &c, cp, &s, sp, why, sizeof(why)));
	assert_int_equal(mm_prefix_parse("192.0.2.8/29", 12, &p), 0);
	mm_fw_block_add(&rs, &p, 0, NULL);
	assert_true(mm_fw_would_lock_out(&rs, &c, cp, &s, sp, why, sizeof(why)));
	assert_string_equal(why, "block 192.0.2.8/29 covers the SSH client 192.0.2.10");
	mm_fw_ruleset_release(&rs);
}

static void test_load_missing_and_write(void **state)
{
	char dir[] = "/tmp/mm-fwrule.XXXXXX", path[256], tmp[512];
	struct mm_fw_ruleset rs, rs2;
	struct mm_err err = {0};
	struct mm_fw_rule r;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/fw.rules", dir);
	mm_fw_ruleset_init(&rs);
	mm_fw_ruleset_init(&rs2);
	assert_int_equal(mm_fw_load(&rs, path, 0, &err), 0); /* missing: defaults */
	assert_false(rs.enabled);
	r = rule("allow 22/tcp comment \"ssh\"");
	mm_fw_rule_add(&rs, &r, 0);
	assert_int_equal(mm_fw_write_tmp(&rs, path, tmp, sizeof(tmp), &err), 0);
	assert_int_equal(access(path, F_OK), -1); /* not in place before commit */
	assert_int_equal(mm_fw_commit_file(tmp, path, &err), 0);
	assert_int_equal(mm_fw_load(&rs2, path, 0, &err), 0);
	assert_int_equal(rs2.nrules, 1);
	assert_string_equal(rs2.rules[0].comment, "ssh");
	unlink(path);
	rmdir(dir);
	mm_fw_ruleset_release(&rs);
	mm_fw_ruleset_release(&rs2);
}

/* Many rules, duplicates spread among them: the first of each kept, in order. */
static void test_dedupe_order(void **state)
{
	struct mm_fw_ruleset rs;
	struct mm_err err = {0};
	struct mm_buf in, out, want;
	int i;

	(void)state;
	mm_fw_ruleset_init(&rs);
	mm_buf_init(&in, 1 << 20);
	mm_buf_init(&out, 1 << 20);
	mm_buf_init(&want, 1 << 20);
	for (i = 0; i < 3000; i++) {
		/* rule i % 1000: every rule three times, the later copies in
		 * other places; the same port from two sources is not a copy */
		int k = (i * 7) % 1000;

		assert_int_equal(mm_buf_addf(&in,
					     "allow from 10.%d.%d.0/24 to any port %d proto tcp\n",
					     k / 250, k % 250, 1000 + k % 500),
				 0);
		if (i < 1000)
			assert_int_equal(
			    mm_buf_addf(&want,
					"allow from 10.%d.%d.0/24 to any port %d proto tcp\n",
					k / 250, k % 250, 1000 + k % 500),
			    0);
	}
	assert_int_equal(mm_fw_parse_buffer(&rs, "f", in.data, in.len, 0, &err), 0);
	assert_int_equal(rs.nrules, 1000);
	for (i = 0; i < (int)rs.nrules; i++) {
		assert_int_equal(mm_fw_rule_format(&rs.rules[i], &out), 0);
		assert_int_equal(mm_buf_addc(&out, '\n'), 0);
	}
	assert_string_equal(out.data, want.data);
	mm_buf_release(&in);
	mm_buf_release(&out);
	mm_buf_release(&want);
	mm_fw_ruleset_release(&rs);
}

static void read_all(const char *path, char *buf, size_t sz)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sz - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* The rules file through its spare: exchanged, never a new file once both exist. */
static void test_spare_write(void **state)
{
	char dir[] = "/tmp/mm-fwspare.XXXXXX", path[256], prev[300], victim[300], buf[4096];
	struct mm_fw_tmpfile *t;
	struct mm_err err = {0};
	struct stat a, b;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/fw.rules", dir);
	snprintf(prev, sizeof(prev), "%s.prev", path);
	snprintf(victim, sizeof(victim), "%s/victim", dir);

	/* no file yet: the spare becomes it */
	assert_int_equal(mm_fw_tmp_begin(path, "one\n", 4, MM_FW_TMP_SPARE, &t, &err), 0);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(mm_fw_tmp_commit(t, path, &err), 0);
	read_all(path, buf, sizeof(buf));
	assert_string_equal(buf, "one\n");

	/* then the two swap: the previous version stays beside it */
	assert_int_equal(
	    mm_fw_tmp_begin(path, "two two\n", 8, MM_FW_TMP_SPARE | MM_FW_TMP_BACKGROUND, &t, &err),
	    0);
	read_all(path, buf, sizeof(buf));
	assert_string_equal(buf, "one\n"); /* not in place before the commit */
	assert_int_equal(mm_fw_tmp_commit(t, path, &err), 0);
	read_all(path, buf, sizeof(buf));
	assert_string_equal(buf, "two two\n");
	read_all(prev, buf, sizeof(buf));
	assert_string_equal(buf, "one\n");
	assert_int_equal(stat(path, &a), 0);
	assert_int_equal(stat(prev, &b), 0);

	/* a shorter version: the spare is cut to it; the inodes only swap */
	assert_int_equal(mm_fw_tmp_begin(path, "3\n", 2, MM_FW_TMP_SPARE, &t, &err), 0);
	assert_int_equal(mm_fw_tmp_commit(t, path, &err), 0);
	read_all(path, buf, sizeof(buf));
	assert_string_equal(buf, "3\n");
	read_all(prev, buf, sizeof(buf));
	assert_string_equal(buf, "two two\n");
	{
		struct stat a2, b2;

		assert_int_equal(stat(path, &a2), 0);
		assert_int_equal(stat(prev, &b2), 0);
		assert_true(a2.st_ino == b.st_ino && b2.st_ino == a.st_ino);
		assert_int_equal(a2.st_mode & 0777, 0644);
	}

	/* abandoned: nothing changes */
	assert_int_equal(
	    mm_fw_tmp_begin(path, "4\n", 2, MM_FW_TMP_SPARE | MM_FW_TMP_BACKGROUND, &t, &err), 0);
	mm_fw_tmp_abandon(t);
	read_all(path, buf, sizeof(buf));
	assert_string_equal(buf, "3\n");

	/* a symbolic link or a second link as the spare is never written through */
	put(victim, "victim\n");
	assert_int_equal(unlink(prev), 0);
	assert_int_equal(symlink(victim, prev), 0);
	assert_int_equal(mm_fw_tmp_begin(path, "5\n", 2, MM_FW_TMP_SPARE, &t, &err), 0);
	assert_int_equal(mm_fw_tmp_commit(t, path, &err), 0);
	read_all(path, buf, sizeof(buf));
	assert_string_equal(buf, "5\n");
	read_all(victim, buf, sizeof(buf));
	assert_string_equal(buf, "victim\n");
	assert_int_equal(unlink(prev), 0);
	assert_int_equal(link(victim, prev), 0);
	assert_int_equal(mm_fw_tmp_begin(path, "6\n", 2, MM_FW_TMP_SPARE, &t, &err), 0);
	assert_int_equal(mm_fw_tmp_commit(t, path, &err), 0);
	read_all(path, buf, sizeof(buf));
	assert_string_equal(buf, "6\n");
	read_all(victim, buf, sizeof(buf));
	assert_string_equal(buf, "victim\n");

	unlink(path);
	unlink(prev);
	unlink(victim);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_corpus),
	    cmocka_unit_test(test_file_errors),
	    cmocka_unit_test(test_file_roundtrip),
	    cmocka_unit_test(test_model),
	    cmocka_unit_test(test_duration),
	    cmocka_unit_test(test_lockout),
	    cmocka_unit_test(test_load_missing_and_write),
	    cmocka_unit_test(test_dedupe_order),
	    cmocka_unit_test(test_spare_write),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
