/* SPDX-License-Identifier: MIT */
/*
 * nft rendering and the backends: the exact text of a representative
 * ruleset (tests/data/fw/render.rules -> render.nft), re-validation of a
 * model that did not come from the parser, and that a failing backend
 * leaves nothing half-applied.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "corpus.h"
#include "mamori/fw.h"

#define NOW 1800000000

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *p;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	p = malloc((size_t)n + 1);
	assert_non_null(p);
	assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
	p[n] = '\0';
	fclose(f);
	return p;
}

static void load(struct mm_fw_ruleset *rs, const char *rel)
{
	struct mm_err err = {0};

	mm_fw_ruleset_init(rs);
	if (mm_fw_load(rs, mm_test_data(rel), NOW, &err) < 0)
		fail_msg("%s", err.msg);
}

static void test_exact_text(void **state)
{
	struct mm_fw_ruleset rs;
	struct mm_err err = {0};
	struct mm_buf b;
	char *want;

	(void)state;
	load(&rs, "fw/render.rules");
	mm_buf_init(&b, 1 << 20);
	assert_int_equal(mm_fw_render(&rs, NOW, &b, &err), 0);
	if (getenv("MM_FW_REGEN")) {
		FILE *f = fopen(mm_test_data("fw/render.nft"), "w");

		assert_non_null(f);
		fputs(b.data, f);
		fclose(f);
	}
	want = slurp(mm_test_data("fw/render.nft"));
	if (strcmp(want, b.data) != 0)
		fprintf(stderr, "got:\n%s", b.data);
	assert_string_equal(want, b.data);
	free(want);
	mm_buf_release(&b);
	mm_fw_ruleset_release(&rs);
}

static void test_defaults(void **state)
{
	struct mm_fw_ruleset rs;
	struct mm_err err = {0};
	struct mm_buf b;

	(void)state;
	mm_fw_ruleset_init(&rs);
	mm_buf_init(&b, 1 << 20);
	assert_int_equal(mm_fw_render(&rs, NOW, &b, &err), 0);
	/* one transaction: create-if-missing, delete, full definition */
	assert_int_equal(
	    strncmp(b.data, "table inet mamori {}\ndelete table inet mamori\ntable inet mamori {\n",
		    66),
	    0);
	assert_non_null(strstr(b.data, "type filter hook input priority filter; policy drop;"));
	assert_non_null(strstr(b.data, "type filter hook output priority filter; policy accept;"));
	assert_non_null(strstr(b.data, "icmpv6 type { nd-router-advert, nd-neighbor-solicit"));
	assert_non_null(strstr(b.data, "packet-too-big"));
	assert_null(strstr(b.data, "elements"));
	/* never anything but table inet mamori */
	assert_null(strstr(b.data, "flush ruleset"));
	mm_buf_reset(&b);
	assert_int_equal(mm_fw_render_remove(&b), 0);
	assert_string_equal(b.data, "table inet mamori {}\ndelete table inet mamori\n");
	mm_buf_release(&b);
	mm_fw_ruleset_release(&rs);
}

static void test_revalidate(void **state)
{
	struct mm_fw_ruleset rs;
	struct mm_err err = {0};
	struct mm_buf b;
	struct mm_fw_rule r;
	const char *ok = "allow 22/tcp";

	(void)state;
	mm_fw_ruleset_init(&rs);
	mm_buf_init(&b, 1 << 20);
	assert_int_equal(mm_fw_rule_parse(ok, strlen(ok), &r, &err), 0);

	r.comment[0] = '"'; /* would end the nft string */
	r.comment[1] = '\0';
	mm_fw_rule_add(&rs, &r, 0);
	assert_int_equal(mm_fw_render(&rs, NOW, &b, &err), MM_ERR_INVAL);
	assert_int_equal(b.len, 0);
	mm_fw_rule_del(&rs, 1);

	r.comment[0] = '\0';
	r.dport.r[0].lo = 0;
	mm_fw_rule_add(&rs, &r, 0);
	assert_int_equal(mm_fw_render(&rs, NOW, &b, &err), MM_ERR_INVAL);
	mm_fw_rule_del(&rs, 1);

	r.dport.r[0].lo = 22;
	r.has_src = true;
	assert_int_equal(mm_prefix_parse("10.0.0.0/8", 10, &r.src), 0);
	r.src.addr.b[3] = 1; /* host bits set */
	mm_fw_rule_add(&rs, &r, 0);
	assert_int_equal(mm_fw_render(&rs, NOW, &b, &err), MM_ERR_INVAL);
	mm_fw_rule_del(&rs, 1);

	r.src.addr.b[3] = 0;
	r.src.len = 40;
	mm_fw_rule_add(&rs, &r, 0);
	assert_int_equal(mm_fw_render(&rs, NOW, &b, &err), MM_ERR_INVAL);
	mm_fw_rule_del(&rs, 1);

	r.src.len = 8;
	memcpy(r.iface, "a\"b", 4);
	mm_fw_rule_add(&rs, &r, 0);
	assert_int_equal(mm_fw_render(&rs, NOW, &b, &err), MM_ERR_INVAL);
	mm_fw_rule_del(&rs, 1);

	rs.policy[0] = 9;
	assert_int_equal(mm_fw_render(&rs, NOW, &b, &err), MM_ERR_INVAL);
	assert_int_equal(b.len, 0);
	mm_buf_release(&b);
	mm_fw_ruleset_release(&rs);
}

static void test_backends(void **state)
{
	struct mm_fw_ruleset rs;
	struct mm_err err = {0};
	struct mm_buf log, out;
	struct mm_fw_backend *be;
	bool loaded = true;

	(void)state;
	load(&rs, "fw/render.rules");
	mm_buf_init(&log, 1 << 20);
	mm_buf_init(&out, 1 << 20);

	be = mm_fw_backend_null_new();
	assert_non_null(be);
	assert_int_equal(mm_fw_apply(be, &rs, NOW, &err), 0);
	assert_int_equal(mm_fw_loaded(be, &loaded, &err), 0);
	assert_false(loaded);
	mm_fw_backend_free(be);
	mm_fw_backend_free(NULL);

	/* recording: one run per apply, exactly the rendered text */
	be = mm_fw_backend_record_new(&log, 0, "table inet filter\ntable inet mamori\n");
	assert_int_equal(mm_fw_apply(be, &rs, NOW, &err), 0);
	assert_int_equal(mm_fw_render(&rs, NOW, &out, &err), 0);
	assert_int_equal(mm_buf_adds(&out, "---\n"), 0);
	assert_string_equal(log.data, out.data);
	assert_int_equal(mm_fw_loaded(be, &loaded, &err), 0);
	assert_true(loaded);
	mm_buf_reset(&log);
	assert_int_equal(mm_fw_remove(be, &err), 0);
	assert_string_equal(log.data, "table inet mamori {}\ndelete table inet mamori\n---\n");
	mm_fw_backend_free(be);

	/* a failing backend: nothing recorded, the error passed up */
	mm_buf_reset(&log);
	be = mm_fw_backend_record_new(&log, 1, NULL);
	assert_int_equal(mm_fw_apply(be, &rs, NOW, &err), MM_ERR_IO);
	assert_int_equal(log.len, 0);
	assert_non_null(strstr(err.msg, "fails as asked"));
	mm_fw_backend_free(be);

	/* a ruleset that fails validation never reaches the backend */
	be = mm_fw_backend_record_new(&log, 0, NULL);
	rs.rules[0].dport.n = 200;
	assert_int_equal(mm_fw_apply(be, &rs, NOW, &err), MM_ERR_INVAL);
	assert_int_equal(log.len, 0);
	mm_fw_backend_free(be);

	mm_buf_release(&log);
	mm_buf_release(&out);
	mm_fw_ruleset_release(&rs);
}

static void test_limit_rate(void **state)
{
	struct mm_fw_ruleset rs;
	struct mm_err err = {0};
	struct mm_buf b;
	const char *text = "limit-rate 7/45s\nlimit 22/tcp\n";

	(void)state;
	mm_fw_ruleset_init(&rs);
	mm_buf_init(&b, 1 << 20);
	assert_int_equal(mm_fw_parse_buffer(&rs, "f", text, strlen(text), NOW, &err), 0);
	assert_int_equal(mm_fw_render(&rs, NOW, &b, &err), 0);
	/* 7 per 45 s = 28 per 3 minutes: per hour is the first whole rate */
	assert_non_null(strstr(b.data, "limit rate over 560/hour burst 7 packets"));
	mm_buf_release(&b);
	mm_fw_ruleset_release(&rs);
}

static void test_incremental(void **state)
{
	struct mm_fw_ruleset rs;
	struct mm_err err = {0};
	struct mm_buf b;
	struct mm_fw_block blk;
	const char *text = "allow 22/tcp\nlimit out 1\n";
	const char *t2 = "allow 22/tcp\nlimit from 192.0.2.0/24 to any port 25 proto tcp\nallow "
			 "out 53 comment \"dns\"\n";

	(void)state;
	mm_fw_ruleset_init(&rs);
	mm_buf_init(&b, 1 << 20);
	assert_true(mm_fw_parse_buffer(&rs, "f", text, strlen(text), NOW, &err) < 0);
	assert_int_equal(mm_fw_parse_buffer(&rs, "f", t2, strlen(t2), NOW, &err), 0);
	assert_int_equal(mm_fw_render_append(&rs, 1, &b, &err), 0);
	assert_string_equal(
	    b.data,
	    "add set inet mamori lim2_4 { type ipv4_addr; size 65535; flags dynamic,timeout; "
	    "timeout 60s; }\n"
	    "add set inet mamori lim2_6 { type ipv6_addr; size 65535; flags dynamic,timeout; "
	    "timeout 60s; }\n"
	    "add rule inet mamori user_in ip saddr 192.0.2.0/24 tcp dport 25 ct state new update "
	    "@lim2_4 { ip saddr limit rate over 12/minute burst 6 packets } goto limit_hit\n"
	    "add rule inet mamori user_in ip saddr 192.0.2.0/24 tcp dport 25 counter accept\n");
	mm_buf_reset(&b);
	assert_int_equal(mm_fw_render_append(&rs, 2, &b, &err), 0);
	assert_string_equal(b.data, "add rule inet mamori user_out meta l4proto { tcp, udp } th "
				    "dport 53 counter accept comment \"dns\"\n");
	assert_int_equal(mm_fw_render_append(&rs, 3, &b, &err), MM_ERR_RANGE);

	mm_buf_reset(&b);
	memset(&blk, 0, sizeof(blk));
	assert_int_equal(mm_prefix_parse("2001:db8::/32", 13, &blk.pfx), 0);
	blk.until = NOW + 60;
	assert_int_equal(mm_fw_render_block(&blk, true, NOW, &b, &err), 0);
	assert_int_equal(mm_fw_render_block(&blk, false, NOW, &b, &err), 0);
	assert_string_equal(b.data, "add element inet mamori block6 { 2001:db8::/32 timeout 60s }\n"
				    "delete element inet mamori block6 { 2001:db8::/32 }\n");
	assert_int_equal(mm_fw_render_block(&blk, true, NOW + 60, &b, &err), MM_ERR_RANGE);
	blk.pfx.len = 200;
	assert_int_equal(mm_fw_render_block(&blk, true, NOW, &b, &err), MM_ERR_INVAL);
	mm_buf_release(&b);
	mm_fw_ruleset_release(&rs);
}

static void test_block_overlaps_in_file(void **state)
{
	struct mm_fw_ruleset rs;
	struct mm_err err = {0};
	char a[MM_PREFIX_STRLEN];
	const char *text = "block 10.1.2.3\nblock 10.0.0.0/8\nblock 10.0.0.0/8 comment \"later\"\n"
			   "block 192.0.2.1\nblock 2001:db8::1\nblock 192.0.2.0/31\n";

	(void)state;
	mm_fw_ruleset_init(&rs);
	assert_int_equal(mm_fw_parse_buffer(&rs, "f", text, strlen(text), NOW, &err), 0);
	assert_int_equal(rs.nblocks, 3);
	assert_string_equal(mm_prefix_format(&rs.blocks[0].pfx, a), "10.0.0.0/8");
	assert_string_equal(rs.blocks[0].comment, "later");
	assert_string_equal(mm_prefix_format(&rs.blocks[1].pfx, a), "192.0.2.0/31");
	assert_string_equal(mm_prefix_format(&rs.blocks[2].pfx, a), "2001:db8::1/128");
	mm_fw_ruleset_release(&rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_exact_text),
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_revalidate),
	    cmocka_unit_test(test_backends),
	    cmocka_unit_test(test_limit_rate),
	    cmocka_unit_test(test_incremental),
	    cmocka_unit_test(test_block_overlaps_in_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
