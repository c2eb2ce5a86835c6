/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "mamori/addr.h"
#include "mamori/buf.h"
#include "mamori/cursor.h"
#include "mamori/error.h"
#include "mamori/services.h"
#include "mamori/time.h"

static void test_buf_cap(void **state)
{
	struct mm_buf b;

	(void)state;
	mm_buf_init(&b, 8);
	assert_int_equal(mm_buf_adds(&b, "12345678"), 0);
	assert_int_equal(mm_buf_addc(&b, '9'), MM_ERR_TOOBIG);
	assert_string_equal(b.data, "12345678");
	mm_buf_reset(&b);
	assert_int_equal(mm_buf_addf(&b, "%d-%s", 42, "x"), 0);
	assert_string_equal(b.data, "42-x");
	/* the text fits the storage only after growing, then not the cap */
	assert_int_equal(mm_buf_addf(&b, "%s", "5678"), 0);
	assert_string_equal(b.data, "42-x5678");
	assert_int_equal(mm_buf_addf(&b, "%d", 9), MM_ERR_TOOBIG);
	assert_string_equal(b.data, "42-x5678");
	mm_buf_release(&b);
	mm_buf_release(NULL);
	/* many short appends in one storage, and one longer than it */
	mm_buf_init(&b, 1024);
	for (int i = 0; i < 100; i++)
		assert_int_equal(mm_buf_addf(&b, "%d,", i % 10), 0);
	assert_int_equal(b.len, 200);
	assert_int_equal(mm_buf_addf(&b, "%0300d", 7), 0);
	assert_int_equal(b.len, 500);
	assert_int_equal(b.data[499], '7');
	assert_int_equal(b.data[500], '\0');
	mm_buf_release(&b);
}

/* The number and time writers that avoid printf give printf's text. */
static void test_grow(void **state)
{
	uint32_t *v = NULL;
	size_t cap = 0, n, i;
	char *big = NULL;
	size_t bigcap = SIZE_MAX / 2 + 1;

	(void)state;
	for (n = 0; n < 1000; n++) {
		assert_int_equal(MM_GROW(v, cap, n, 4), 0);
		assert_true(n < cap);
		v[n] = (uint32_t)n;
	}
	assert_int_equal(cap, 1024);
	for (i = 0; i < n; i++)
		assert_int_equal(v[i], i);
	assert_int_equal(MM_GROW(v, cap, 10, 4), 0); /* room: nothing moves */
	assert_int_equal(cap, 1024);
	free(v);
	/* doubling that would overflow fails and changes nothing */
	assert_int_equal(MM_GROW(big, bigcap, bigcap, 16), MM_ERR_NOMEM);
	assert_null(big);
	assert_int_equal(bigcap, SIZE_MAX / 2 + 1);
}

static void test_buf_numbers(void **state)
{
	static const uint64_t vals[] = {0,   1,	    9,		 10,	      99,
					100, 65535, 4294967295u, 4294967296u, UINT64_MAX};
	char want[64];
	struct mm_buf b;
	size_t i;

	(void)state;
	mm_buf_init(&b, 1024);
	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		mm_buf_reset(&b);
		assert_int_equal(mm_buf_addu(&b, vals[i]), 0);
		snprintf(want, sizeof(want), "%llu", (unsigned long long)vals[i]);
		assert_string_equal(b.data, want);
	}
	mm_buf_release(&b);
	/* formatted into the room left, and when it does not fit */
	mm_buf_init(&b, 1 << 20);
	for (i = 0; i < 200; i++)
		assert_int_equal(mm_buf_addf(&b, "%zu,%s;", i, i % 7 ? "x" : "a longer piece"), 0);
	assert_int_equal(strlen(b.data), b.len);
	assert_memory_equal(b.data, "0,a longer piece;1,x;2,x;", 25);
	mm_buf_release(&b);
	for (i = 0; i < 256; i++) {
		struct mm_addr a = {MM_AF_INET,
				    {(uint8_t)i, (uint8_t)(255 - i), (uint8_t)(i * 7), 0}};
		char s[MM_ADDR_STRLEN];

		snprintf(want, sizeof(want), "%u.%u.%u.%u", a.b[0], a.b[1], a.b[2], a.b[3]);
		assert_string_equal(mm_addr_format(&a, s), want);
	}
	mm_buf_init(&b, 10);
	assert_int_equal(mm_buf_addf(&b, "%s", "0123456"), 0);
	assert_int_equal(mm_buf_addf(&b, "%s", "abcd"), MM_ERR_TOOBIG);
	assert_string_equal(b.data, "0123456");
	assert_int_equal(mm_buf_addf(&b, "%s", "abc"), 0);
	assert_string_equal(b.data, "0123456abc");
	mm_buf_release(&b);
}

/* The dotted-quad rules as first written, digit by digit: the reference. */
static int ref_v4(const char *s, size_t n, uint8_t out[4])
{
	size_t i = 0;
	int part;

	for (part = 0; part < 4; part++) {
		unsigned v = 0, digits = 0;

		if (part > 0) {
			if (i >= n || s[i] != '.')
				return MM_ERR_PARSE;
			i++;
		}
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			v = v * 10 + (unsigned)(s[i] - '0');
			if (++digits > 3 || v > 255)
				return MM_ERR_PARSE;
			i++;
		}
		if (digits == 0 || (digits > 1 && s[i - digits] == '0'))
			return MM_ERR_PARSE;
		out[part] = (uint8_t)v;
	}
	return i == n ? 0 : MM_ERR_PARSE;
}

static void test_addr_v4_rules(void **state)
{
	static const char alpha[] = "0123456789.:a";
	uint64_t x = 88172645463325252ULL;
	struct mm_addr a;
	uint8_t want[4];
	char s[20];
	int k, ok = 0;

	(void)state;
	for (k = 0; k < 400000; k++) {
		size_t n, i;
		int r;

		/* xorshift64: strings of digits and dots, now and then a ':' */
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		n = 1 + (size_t)(x % 16);
		for (i = 0; i < n; i++)
			s[i] = alpha[(x >> (4 + 3 * i)) % ((x >> 60) ? 11 : 13)];
		/* and many near-quads: digits with a dot every 1-4 places */
		if (k % 2) {
			for (i = 0; i < n; i++)
				s[i] = (char)('0' + (x >> (2 * i)) % 10);
			for (i = 1 + (x >> 50) % 4; i < n; i += 1 + (x >> (40 + i)) % 4)
				s[i] = '.';
		}
		r = ref_v4(s, n, want);
		if (memchr(s, ':', n))
			continue;
		assert_int_equal(mm_addr_parse(s, n, &a), r);
		if (r == 0) {
			assert_int_equal(a.family, MM_AF_INET);
			assert_memory_equal(a.b, want, 4);
			ok++;
		}
	}
	assert_true(ok > 1000);
}

static void test_time_format(void **state)
{
	static const int16_t offs[] = {0, 540, -300, 345, -570, 840, -720, 5999, -6000};
	char buf[MM_TIME_STRLEN], want[MM_TIME_STRLEN], fr[8];
	struct mm_time t;
	int64_t us = (-62167219200LL - 400 * 86400) * 1000000; /* in year -1 */
	size_t i;
	int k;

	(void)state;
	for (k = 0; k < 4000; k++) {
		int64_t local, secs, days, sod, z, era, doe, yoe, doy, mp, y;
		unsigned m, d;
		int off;

		t.us = us;
		t.off = offs[k % (int)(sizeof(offs) / sizeof(offs[0]))];
		t.set = true;
		/* the reference: civil date by the same algorithm, text by printf */
		local = t.us + (int64_t)t.off * 60000000;
		secs = local / 1000000 - (local % 1000000 < 0);
		days = secs / 86400 - (secs % 86400 < 0);
		sod = secs - days * 86400;
		z = days + 719468;
		era = (z >= 0 ? z : z - 146096) / 146097;
		doe = z - era * 146097;
		yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
		doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
		mp = (5 * doy + 2) / 153;
		d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
		m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
		y = yoe + era * 400 + (m <= 2);
		off = t.off < 0 ? -t.off : t.off;
		for (i = 0; i < 2; i++) {
			fr[0] = '\0';
			if (i)
				snprintf(fr, sizeof(fr), ".%06d", (int)(local - secs * 1000000));
			snprintf(want, sizeof(want), "%04d-%02u-%02uT%02d:%02d:%02d%s%c%02d:%02d",
				 (int)y, m, d, (int)(sod / 3600), (int)(sod / 60 % 60),
				 (int)(sod % 60), fr, t.off < 0 ? '-' : '+', off / 60, off % 60);
			assert_string_equal(mm_time_format(&t, i == 1, buf), want);
		}
		/* odd steps of about 2.5 years: every field, years -1 to beyond 9999 */
		us += 79000000000000LL + 1234567891;
	}
}

static void test_buf_json(void **state)
{
	struct mm_buf b;

	(void)state;
	mm_buf_init(&b, 1024);
	assert_int_equal(mm_buf_add_json_str(&b, "a\"b\\c\n\x01\xff\xc3\xa9", 10), 0);
	assert_string_equal(b.data, "a\\\"b\\\\c\\n\\u0001\xef\xbf\xbd\xc3\xa9");
	mm_buf_reset(&b);
	/* NUL inside and a truncated UTF-8 sequence at the end */
	assert_int_equal(mm_buf_add_json_str(&b, "x\0y\xe3\x81", 5), 0);
	assert_string_equal(b.data, "x\\u0000y\xef\xbf\xbd\xef\xbf\xbd");
	mm_buf_release(&b);
}

static void test_cursor(void **state)
{
	const char *s = "SPT=65535 DPT=70000 ab";
	struct mm_cur c = mm_cur_make(s, strlen(s));
	struct mm_span w;
	uint32_t v;

	(void)state;
	assert_false(mm_cur_lit(&c, "DPT="));
	assert_true(mm_cur_lit(&c, "SPT="));
	assert_true(mm_cur_u32(&c, &v, 65535));
	assert_int_equal(v, 65535);
	mm_cur_skip_ws(&c);
	assert_true(mm_cur_lit(&c, "DPT="));
	/* overflow leaves the cursor where it was */
	assert_false(mm_cur_u32(&c, &v, 65535));
	assert_true(mm_cur_word(&c, &w));
	assert_int_equal(w.n, 5);
	mm_cur_skip_ws(&c);
	assert_true(mm_cur_until(&c, 'b', &w));
	assert_int_equal(w.n, 1);
	assert_false(mm_cur_until(&c, 'z', &w));
	{
		static const char hay[] = "a from b from c";
		assert_ptr_equal(mm_memrmem(hay, 15, "from", 4), &hay[9]);
	}
}

struct addr_case {
	const char *in;
	const char *out; /* NULL: must fail */
};

/* Equal: the same family and the bytes that family uses, nothing else. */
static void test_addr_eq(void **state)
{
	struct mm_addr a, b, n1 = {MM_AF_NONE, {1}}, n2 = {MM_AF_NONE, {2}};

	(void)state;
	assert_int_equal(mm_addr_parse("192.0.2.7", 9, &a), 0);
	b = a;
	b.b[4] = 0x5a; /* unused by IPv4 */
	b.b[15] = 1;
	assert_true(mm_addr_eq(&a, &b));
	b.b[3] ^= 1;
	assert_false(mm_addr_eq(&a, &b));
	assert_int_equal(mm_addr_parse("2001:db8::7", 11, &a), 0);
	b = a;
	assert_true(mm_addr_eq(&a, &b));
	b.b[15] ^= 0x80;
	assert_false(mm_addr_eq(&a, &b));
	b = a;
	b.b[0] ^= 1;
	assert_false(mm_addr_eq(&a, &b));
	b = a;
	b.family = MM_AF_INET;
	assert_false(mm_addr_eq(&a, &b));
	assert_true(mm_addr_eq(&n1, &n2));
}

static void test_addr(void **state)
{
	static const struct addr_case cases[] = {
	    {"1.2.3.4", "1.2.3.4"},
	    {"255.255.255.255", "255.255.255.255"},
	    {"0.0.0.0", "0.0.0.0"},
	    {"10.100.9.200", "10.100.9.200"},
	    {"99.109.190.250", "99.109.190.250"},
	    {"256.1.1.1", NULL},
	    {"1.2.3", NULL},
	    {"1.2.3.4.5", NULL},
	    {"01.2.3.4", NULL},
	    {"1..3.4", NULL},
	    {"::", "::"},
	    {"::1", "::1"},
	    {"2001:db8::1", "2001:db8::1"},
	    {"2001:DB8:0:0:0:0:0:1", "2001:db8::1"},
	    {"fd00:0099:0000:0000:0000:0000:0000:0001", "fd00:99::1"},
	    {"::ffff:203.0.113.9", "203.0.113.9"},
	    {"::ffff:cb00:7109", "203.0.113.9"},
	    {"2001:db8::1::2", NULL},
	    {"2001:db8:1:2:3:4:5:6:7", NULL},
	    {"2001:db8:", NULL},
	    {":2001:db8::1", NULL},
	    {"12345::1", NULL},
	    {"64:ff9b::192.0.2.33", "64:ff9b::c000:221"},
	    {"1.2.3.4 ", NULL},
	    {"", NULL},
	};
	char buf[MM_ADDR_STRLEN];
	struct mm_addr a;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = mm_addr_parse(cases[i].in, strlen(cases[i].in), &a);
		if (!cases[i].out) {
			if (r == 0)
				fail_msg("%s parsed but should fail", cases[i].in);
			continue;
		}
		if (r != 0)
			fail_msg("%s failed to parse", cases[i].in);
		assert_string_equal(mm_addr_format(&a, buf), cases[i].out);
	}
}

static void test_prefix(void **state)
{
	struct mm_prefix p;
	struct mm_addr a;
	char buf[MM_PREFIX_STRLEN];

	(void)state;
	assert_int_equal(mm_prefix_parse("203.0.113.77/24", 15, &p), 0);
	assert_string_equal(mm_prefix_format(&p, buf), "203.0.113.0/24");
	assert_int_equal(mm_addr_parse("203.0.113.200", 13, &a), 0);
	assert_true(mm_prefix_contains(&p, &a));
	assert_int_equal(mm_addr_parse("203.0.114.1", 11, &a), 0);
	assert_false(mm_prefix_contains(&p, &a));
	assert_int_equal(mm_prefix_parse("2001:db8::/33", 13, &p), 0);
	assert_int_equal(mm_addr_parse("2001:db8:7fff::1", 16, &a), 0);
	assert_true(mm_prefix_contains(&p, &a));
	assert_int_equal(mm_addr_parse("2001:db8:8000::1", 16, &a), 0);
	assert_false(mm_prefix_contains(&p, &a));
	assert_int_equal(mm_prefix_parse("10.0.0.0/33", 11, &p), MM_ERR_RANGE);
	assert_int_equal(mm_prefix_parse("10.0.0.0/", 9, &p), MM_ERR_PARSE);
	assert_int_equal(mm_prefix_parse("0.0.0.0/0", 9, &p), 0);
	assert_string_equal(mm_prefix_format(&p, buf), "0.0.0.0/0");
	assert_int_equal(mm_prefix_parse("2001:db8::/128", 14, &p), 0);
	assert_string_equal(mm_prefix_format(&p, buf), "2001:db8::/128");
	assert_int_equal(mm_prefix_parse("10.1.2.3/32", 11, &p), 0);
	assert_string_equal(mm_prefix_format(&p, buf), "10.1.2.3/32");
	assert_int_equal(mm_prefix_parse("0.0.0.0/0", 9, &p), 0);
	assert_true(mm_prefix_contains(&p, &a) == false); /* v6 address, v4 prefix */
}

static void test_time(void **state)
{
	struct mm_time t;
	char buf[MM_TIME_STRLEN];
	int64_t sec;

	(void)state;
	assert_int_equal(mm_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(mm_days_from_civil(2000, 3, 1), 11017);
	assert_int_equal(mm_time_parse_iso("2026-11-21T03:12:45.123456+09:00", 32, 0, &t), 32);
	assert_string_equal(mm_time_format(&t, true, buf), "2026-11-21T03:12:45.123456+09:00");
	assert_string_equal(mm_time_format(&t, false, buf), "2026-11-21T03:12:45+09:00");
	assert_int_equal(t.us / 1000000, 1795198365);
	assert_int_equal(mm_time_parse_iso("2026-11-21T03:12:45+0900", 24, 0, &t), 24);
	assert_int_equal(t.off, 540);
	assert_int_equal(mm_time_parse_iso("2026-02-29T00:00:00Z", 20, 0, &t), MM_ERR_PARSE);
	assert_int_equal(mm_time_parse_iso("2024-02-29 23:59:60Z", 20, 0, &t), 20);
	assert_int_equal(mm_time_parse_iso("2026-01-01", 10, -300, &t), 10);
	assert_string_equal(mm_time_format(&t, false, buf), "2026-01-01T00:00:00-05:00");
	assert_int_equal(mm_time_parse_arg("-2h", 7200000000LL, &t), 0);
	assert_int_equal(t.us, 0);
	assert_int_equal(mm_time_parse_arg("yesterday", 0, &t), MM_ERR_PARSE);
	assert_int_equal(mm_duration_parse("5m", &sec), 0);
	assert_int_equal(sec, 300);
	assert_int_equal(mm_duration_parse("5x", &sec), MM_ERR_PARSE);
	assert_int_equal(mm_duration_parse("", &sec), MM_ERR_PARSE);
}

static void test_services(void **state)
{
	(void)state;
	assert_string_equal(mm_service_lookup(17, 5060)->name, "sip");
	assert_string_equal(mm_service_lookup(6, 22)->name, "ssh");
	assert_null(mm_service_lookup(6, 1));
	assert_null(mm_service_lookup(17, 65535));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_buf_cap),	  cmocka_unit_test(test_grow),
	    cmocka_unit_test(test_buf_numbers),	  cmocka_unit_test(test_time_format),
	    cmocka_unit_test(test_addr_v4_rules), cmocka_unit_test(test_addr_eq),
	    cmocka_unit_test(test_buf_json),	  cmocka_unit_test(test_cursor),
	    cmocka_unit_test(test_addr),	  cmocka_unit_test(test_prefix),
	    cmocka_unit_test(test_time),	  cmocka_unit_test(test_services),
	};

	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
