/* SPDX-License-Identifier: MIT */
/*
 * Country and network lookups (lib/enrich/geo.c) against databases made
 * by the MMDB writer (lib/enrich/mmdb_write.c), and the ASN CSV importer.
 * tests/cli/04-geo.sh checks the writer's files with mmdblookup as well.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/enrich/mmdb_write.h"
#include "mamori/enrich.h"

static char dir[256];

static const char *tpath(const char *name)
{
	static char buf[8][512];
	static int k;

	k = (k + 1) % 8;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", dir, name);
	return buf[k];
}

static struct mm_addr A(const char *s) {
	struct mm_addr a;

	assert_int_equal(mm_addr_parse(s, strlen(s), &a), 0);
	return a;
}

/* An IPv6-family address with the given 16 bytes' text form, unnormalised. */
static struct mm_addr
A6raw(const char *v4mapped_prefix_ffff, const char *v4)
{
	struct mm_addr a = A(v4), r;

	memset(&r, 0, sizeof(r));
	r.family = MM_AF_INET6;
	if (v4mapped_prefix_ffff) {
		r.b[10] = 0xff;
		r.b[11] = 0xff;
	}
	memcpy(r.b + 12, a.b, 4);
	return r;
}

static void range(struct mm_mmdb_writer *w, const char *a, const char *b, int id)
{
	struct mm_addr x = A(a), y = A(b);

	assert_true(mm_mmdb_writer_insert_range(w, &x, &y, id) > 0);
}

static void write_db(struct mm_mmdb_writer *w, const char *path)
{
	struct mm_err err = {0};

	if (mm_mmdb_writer_write_file(w, path, &err) < 0)
		fail_msg("%s", err.msg);
	mm_mmdb_writer_free(w);
}

static struct mm_geo *open_ok(const char *country, const char *asn)
{
	struct mm_geo *g = NULL;
	struct mm_err err = {0};

	if (mm_geo_open(country, asn, &g, &err) < 0)
		fail_msg("open: %s", err.msg);
	return g;
}

static void expect_cc(const struct mm_geo *g, struct mm_addr a, const char *cc)
{
	struct mm_geo_info gi;
	char s[MM_ADDR_STRLEN];

	assert_int_equal(mm_geo_lookup(g, &a, &gi), 0);
	if (!cc) {
		if (gi.have_country)
			fail_msg("%s: want no country, got %s", mm_addr_format(&a, s), gi.country);
		return;
	}
	if (!gi.have_country || strcmp(gi.country, cc) != 0)
		fail_msg("%s: want %s, got %s", mm_addr_format(&a, s), cc,
			 gi.have_country ? gi.country : "none");
}

static void expect_asn(const struct mm_geo *g, struct mm_addr a, uint32_t asn, const char *org)
{
	struct mm_geo_info gi;
	char s[MM_ADDR_STRLEN];

	assert_int_equal(mm_geo_lookup(g, &a, &gi), 0);
	if (asn == 0) {
		if (gi.have_asn)
			fail_msg("%s: want no ASN, got %u", mm_addr_format(&a, s), gi.asn);
		return;
	}
	if (!gi.have_asn || gi.asn != asn)
		fail_msg("%s: want AS%u, got %s%u", mm_addr_format(&a, s), asn,
			 gi.have_asn ? "AS" : "none ", gi.asn);
	if (org && strcmp(gi.org, org) != 0)
		fail_msg("%s: want org '%s', got '%s'", mm_addr_format(&a, s), org, gi.org);
}

static int cc_record(struct mm_mmdb_writer *w, const char *cc, const char *reg)
{
	struct mm_mmdb_field c1 = {"iso_code", MM_MMDB_STR, cc, 0, NULL, 0};
	struct mm_mmdb_field c2 = {"iso_code", MM_MMDB_STR, reg, 0, NULL, 0};
	struct mm_mmdb_field geoname = {"geoname_id", MM_MMDB_U32, NULL, 6252001, NULL, 0};
	struct mm_mmdb_field f[3];
	size_t n = 0;

	if (cc)
		f[n++] = (struct mm_mmdb_field){"country", MM_MMDB_MAP, NULL, 0, &c1, 1};
	if (reg)
		f[n++] = (struct mm_mmdb_field){"registered_country", MM_MMDB_MAP, NULL, 0, &c2, 1};
	f[n++] = (struct mm_mmdb_field){"continent", MM_MMDB_MAP, NULL, 0, &geoname, 1};
	return mm_mmdb_writer_record(w, f, n);
}

static int flat_record(struct mm_mmdb_writer *w, const char *cc)
{
	struct mm_mmdb_field f = {"country_code", MM_MMDB_STR, cc, 0, NULL, 0};

	return mm_mmdb_writer_record(w, &f, 1);
}

static int asn_record(struct mm_mmdb_writer *w, uint32_t asn, const char *org)
{
	struct mm_mmdb_field f[2] = {
	    {"autonomous_system_number", MM_MMDB_U32, NULL, asn, NULL, 0},
	    {"autonomous_system_organization", MM_MMDB_STR, org, 0, NULL, 0},
	};

	return mm_mmdb_writer_record(w, f, org ? 2 : 1);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "%s/mamori-geo.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[600];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* GeoLite2 / DB-IP schema: country.iso_code, registered_country fallback. */
static void test_geolite_schema(void **state)
{
	struct mm_mmdb_writer *w;
	struct mm_geo *g;
	int us, de, jp;

	(void)state;
	assert_int_equal(mm_mmdb_writer_new("GeoLite2-Country", "test", 0, &w), 0);
	us = cc_record(w, "US", "US");
	de = cc_record(w, NULL, "DE"); /* only the registered country known */
	jp = cc_record(w, "JP", NULL);
	assert_true(us >= 0 && de >= 0 && jp >= 0);
	assert_int_equal(cc_record(w, "US", "US"), us); /* stored once */
	range(w, "8.8.8.0", "8.8.8.255", us);
	range(w, "10.0.0.0", "10.255.255.255", de);
	range(w, "2001:4860::", "2001:4860:ffff:ffff:ffff:ffff:ffff:ffff", us);
	range(w, "2400:4000::", "2400:4000::ff", jp);
	write_db(w, tpath("geolite.mmdb"));

	g = open_ok(tpath("geolite.mmdb"), NULL);
	assert_non_null(strstr(mm_geo_describe(g), "GeoLite2-Country"));
	assert_non_null(strstr(mm_geo_describe(g), tpath("geolite.mmdb")));
	expect_cc(g, A("8.8.8.8"), "US");
	expect_cc(g, A("8.8.8.0"), "US");
	expect_cc(g, A("8.8.8.255"), "US");
	expect_cc(g, A("8.8.7.255"), NULL);
	expect_cc(g, A("8.8.9.0"), NULL);
	expect_cc(g, A("10.1.2.3"), "DE");
	expect_cc(g, A("11.0.0.0"), NULL);
	expect_cc(g, A("2001:4860:4860::8888"), "US");
	expect_cc(g, A("2001:4861::"), NULL);
	expect_cc(g, A("2400:4000::ff"), "JP");
	expect_cc(g, A("2400:4000::100"), NULL);
	/* v4-mapped: normalised by the parser, and as raw IPv6 bytes */
	expect_cc(g, A("::ffff:8.8.8.8"), "US");
	expect_cc(g, A6raw("ffff", "8.8.8.8"), "US");
	expect_cc(g, A6raw(NULL, "8.8.8.8"), "US");
	expect_cc(g, A6raw("ffff", "9.9.9.9"), NULL);
	mm_geo_free(g);
}

/* ip-location-db schema: flat country_code. */
static void test_flat_schema(void **state)
{
	struct mm_mmdb_writer *w;
	struct mm_geo *g;
	int au, us, lower;

	(void)state;
	assert_int_equal(mm_mmdb_writer_new("country ipvAll", NULL, 0, &w), 0);
	au = flat_record(w, "AU");
	us = flat_record(w, "US");
	lower = flat_record(w, "nz");
	range(w, "1.0.0.0", "1.0.0.255", au);
	range(w, "1.0.1.0", "1.0.3.255", us); /* adjacent, different */
	range(w, "1.0.4.7", "1.0.4.7", au);   /* a single address */
	range(w, "1.0.5.3", "1.0.9.200", lower);
	range(w, "2001:200::", "2001:200::", us);
	write_db(w, tpath("flat.mmdb"));

	g = open_ok(tpath("flat.mmdb"), NULL);
	expect_cc(g, A("1.0.0.0"), "AU");
	expect_cc(g, A("1.0.0.255"), "AU");
	expect_cc(g, A("1.0.1.0"), "US");
	expect_cc(g, A("1.0.3.255"), "US");
	expect_cc(g, A("1.0.4.6"), NULL);
	expect_cc(g, A("1.0.4.7"), "AU");
	expect_cc(g, A("1.0.4.8"), NULL);
	expect_cc(g, A("1.0.5.2"), NULL);
	expect_cc(g, A("1.0.5.3"), "NZ");
	expect_cc(g, A("1.0.7.0"), "NZ");
	expect_cc(g, A("1.0.9.200"), "NZ");
	expect_cc(g, A("1.0.9.201"), NULL);
	expect_cc(g, A("2001:200::"), "US");
	expect_cc(g, A("2001:200::1"), NULL);
	expect_cc(g, A("2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff"), NULL);
	mm_geo_free(g);
}

/* Whole spaces: 0.0.0.0/0 and ::/0; and later inserts overwrite. */
static void test_whole_space(void **state)
{
	struct mm_mmdb_writer *w;
	struct mm_geo *g;
	int a, b;

	(void)state;
	assert_int_equal(mm_mmdb_writer_new("country ipv4", NULL, 0, &w), 0);
	a = flat_record(w, "AA");
	b = flat_record(w, "BB");
	range(w, "0.0.0.0", "255.255.255.255", a);
	range(w, "128.0.0.1", "128.0.0.1", b);
	write_db(w, tpath("v4all.mmdb"));
	g = open_ok(tpath("v4all.mmdb"), NULL);
	expect_cc(g, A("0.0.0.0"), "AA");
	expect_cc(g, A("255.255.255.255"), "AA");
	expect_cc(g, A("128.0.0.0"), "AA");
	expect_cc(g, A("128.0.0.1"), "BB");
	expect_cc(g, A("128.0.0.2"), "AA");
	expect_cc(g, A6raw("ffff", "1.2.3.4"), "AA");
	expect_cc(g, A("2001:db8::1"), NULL);
	mm_geo_free(g);

	assert_int_equal(mm_mmdb_writer_new("country ipv6", NULL, 0, &w), 0);
	a = flat_record(w, "AA");
	b = flat_record(w, "BB");
	range(w, "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", a);
	range(w, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
	      "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", b);
	write_db(w, tpath("v6all.mmdb"));
	g = open_ok(tpath("v6all.mmdb"), NULL);
	expect_cc(g, A("::1"), "AA");
	expect_cc(g, A("1.2.3.4"), "AA");
	expect_cc(g, A("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"), "AA");
	expect_cc(g, A("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), "BB");
	mm_geo_free(g);
}

static uint32_t rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*s >> 33);
}

static struct mm_addr v4(uint32_t x)
{
	struct mm_addr a;

	memset(&a, 0, sizeof(a));
	a.family = MM_AF_INET;
	a.b[0] = (uint8_t)(x >> 24);
	a.b[1] = (uint8_t)(x >> 16);
	a.b[2] = (uint8_t)(x >> 8);
	a.b[3] = (uint8_t)x;
	return a;
}

/* Random disjoint ranges at every record size, checked against a scan. */
static void test_random_ranges(void **state)
{
	static const unsigned sizes[] = {24, 28, 32};
	enum { N = 300 };
	uint32_t lo[N], hi[N], asn[N];
	uint64_t seed = 42;

	(void)state;
	for (size_t si = 0; si < 3; si++) {
		struct mm_mmdb_writer *w;
		struct mm_geo *g;
		uint32_t at = rnd(&seed) % 1000;
		char name[32];

		assert_int_equal(mm_mmdb_writer_new("test-asn", NULL, sizes[si], &w), 0);
		for (int i = 0; i < N; i++) {
			struct mm_addr x, y;
			int id;
			lo[i] = at + rnd(&seed) % 5000000;
			hi[i] = lo[i] + (i % 7 == 0 ? 0 : rnd(&seed) % 3000000);
			at = hi[i] + 1;
			asn[i] = 1 + (uint32_t)(i % 37) * 1000 + (uint32_t)si; /* repeats: dedupe */
			id = asn_record(w, asn[i], i % 5 ? "Org, \"Quoted\" Ltd" : NULL);
			assert_true(id >= 0);
			x = v4(lo[i]);
			y = v4(hi[i]);
			assert_true(mm_mmdb_writer_insert_range(w, &x, &y, id) > 0);
		}
		snprintf(name, sizeof(name), "rand%u.mmdb", sizes[si]);
		write_db(w, tpath(name));
		g = open_ok(NULL, tpath(name));
		for (int i = 0; i < N; i++) {
			expect_asn(g, v4(lo[i]), asn[i], i % 5 ? "Org, \"Quoted\" Ltd" : "");
			expect_asn(g, v4(hi[i]), asn[i], NULL);
			expect_asn(g, v4(lo[i] + (hi[i] - lo[i]) / 2), asn[i], NULL);
			if (lo[i] > 0 && (i == 0 || hi[i - 1] != lo[i] - 1))
				expect_asn(g, v4(lo[i] - 1), 0, NULL);
		}
		expect_asn(g, v4(at + 1), 0, NULL);
		mm_geo_free(g);
	}
}

static void write_file(const char *path, const char *text, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

static void write_str(const char *path, const char *text)
{
	write_file(path, text, strlen(text));
}

static void expect_open_error(const char *country, const char *asn, const char *want)
{
	struct mm_geo *g = (struct mm_geo *)1;
	struct mm_err err = {0};
	const char *file = country ? country : asn;

	assert_true(mm_geo_open(country, asn, &g, &err) < 0);
	assert_null(g);
	if (!strstr(err.msg, file) || !strstr(err.msg, want))
		fail_msg("error '%s' lacks '%s' or '%s'", err.msg, file, want);
}

static void test_bad_files(void **state)
{
	struct mm_mmdb_writer *w;
	struct mm_buf b;
	struct mm_mmdb_field weird = {"city", MM_MMDB_STR, "Paris", 0, NULL, 0};
	int id;

	(void)state;
	/* a good ASN database and a good flat country database */
	assert_int_equal(mm_mmdb_writer_new("GeoLite2-ASN", NULL, 0, &w), 0);
	range(w, "8.8.8.0", "8.8.8.255", asn_record(w, 15169, "GOOGLE"));
	mm_buf_init(&b, 1 << 20);
	assert_int_equal(mm_mmdb_writer_finish(w, &b), 0);
	mm_mmdb_writer_free(w);
	write_file(tpath("asn.mmdb"), b.data, b.len);
	write_file(tpath("trunc.mmdb"), b.data, b.len / 2);
	write_file(tpath("trunc2.mmdb"), b.data, b.len - 10);
	mm_buf_release(&b);
	write_file(tpath("garbage.mmdb"), "this is not a database\n", 23);
	write_file(tpath("empty.mmdb"), "", 0);

	assert_int_equal(mm_mmdb_writer_new("country ipvAll", NULL, 0, &w), 0);
	range(w, "8.8.8.0", "8.8.8.255", flat_record(w, "US"));
	write_db(w, tpath("country.mmdb"));

	/* a type that names neither kind, and records without the fields */
	assert_int_equal(mm_mmdb_writer_new("Something-Else", NULL, 0, &w), 0);
	id = mm_mmdb_writer_record(w, &weird, 1);
	range(w, "8.8.8.0", "8.8.8.255", id);
	write_db(w, tpath("weird.mmdb"));
	assert_int_equal(mm_mmdb_writer_new("Something-Else", NULL, 0, &w), 0);
	write_db(w, tpath("norecords.mmdb"));

	expect_open_error(tpath("missing.mmdb"), NULL, "No such file");
	expect_open_error(tpath("trunc.mmdb"), NULL, "truncated");
	expect_open_error(tpath("trunc2.mmdb"), NULL, "truncated");
	expect_open_error(tpath("garbage.mmdb"), NULL, "not a MaxMind DB");
	expect_open_error(NULL, tpath("empty.mmdb"), "");
	expect_open_error(tpath("asn.mmdb"), NULL, "not a country database");
	expect_open_error(NULL, tpath("country.mmdb"), "not an ASN database");
	expect_open_error(tpath("weird.mmdb"), NULL, "country_code");
	expect_open_error(NULL, tpath("weird.mmdb"), "autonomous_system_number");
	expect_open_error(tpath("norecords.mmdb"), NULL, "no records");
	/* the good pair opens; the bad one of a pair is named */
	mm_geo_free(open_ok(tpath("country.mmdb"), tpath("asn.mmdb")));
	expect_open_error(NULL, tpath("trunc.mmdb"), "truncated");
	{
		struct mm_geo *g = NULL;
		struct mm_err err = {0};
		assert_true(mm_geo_open(tpath("country.mmdb"), tpath("garbage.mmdb"), &g, &err) <
			    0);
		assert_non_null(strstr(err.msg, "garbage.mmdb"));
	}
	/* nothing open: every lookup is unknown */
	{
		struct mm_geo *g = open_ok(NULL, NULL);
		expect_cc(g, A("8.8.8.8"), NULL);
		expect_asn(g, A("8.8.8.8"), 0, NULL);
		mm_geo_free(g);
	}
	mm_geo_free(NULL);
}

static void test_writer_checks(void **state)
{
	struct mm_mmdb_writer *w;
	struct mm_mmdb_field bad_utf8 = {"k", MM_MMDB_STR, "\xc3\x28", 0, NULL, 0};
	struct mm_mmdb_field big16 = {"k", MM_MMDB_U16, NULL, 70000, NULL, 0};
	struct mm_mmdb_field nokey = {"", MM_MMDB_U32, NULL, 1, NULL, 0};
	struct mm_mmdb_field ok = {"k", MM_MMDB_U64, NULL, UINT64_MAX, NULL, 0};
	struct mm_addr x = A("1.2.3.4"), y = A("1.2.3.3"), z = A("::1");
	struct mm_prefix p;

	(void)state;
	assert_int_equal(mm_mmdb_writer_new("t", NULL, 20, &w), MM_ERR_INVAL);
	assert_int_equal(mm_mmdb_writer_new("t", NULL, 0, &w), 0);
	assert_int_equal(mm_mmdb_writer_record(w, &bad_utf8, 1), MM_ERR_INVAL);
	assert_int_equal(mm_mmdb_writer_record(w, &big16, 1), MM_ERR_INVAL);
	assert_int_equal(mm_mmdb_writer_record(w, &nokey, 1), MM_ERR_INVAL);
	assert_int_equal(mm_mmdb_writer_record(w, &ok, 1), 0);
	assert_int_equal(mm_mmdb_writer_insert_range(w, &x, &y, 0), MM_ERR_INVAL);
	assert_int_equal(mm_mmdb_writer_insert_range(w, &x, &z, 0), MM_ERR_INVAL);
	assert_int_equal(mm_mmdb_writer_insert_range(w, &x, &x, 1), MM_ERR_INVAL);
	/* 1.2.3.4 - 1.2.3.11 is 1.2.3.4/30 and 1.2.3.8/30 */
	y = A("1.2.3.11");
	assert_int_equal(mm_mmdb_writer_insert_range(w, &x, &y, 0), 2);
	assert_int_equal(mm_prefix_parse("10.0.0.0/8", 10, &p), 0);
	assert_int_equal(mm_mmdb_writer_insert_prefix(w, &p, 0), 1);
	x = A("::");
	y = A("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	assert_int_equal(mm_mmdb_writer_insert_range(w, &x, &y, 0), 1);
	mm_mmdb_writer_free(w);
	mm_mmdb_writer_free(NULL);
}

/* ---- CSV --------------------------------------------------------------- */

static void test_csv_line(void **state)
{
	struct mm_asn_row r;
	const char *what = NULL;

	(void)state;
#define LINE(s) s, sizeof(s) - 1
	assert_int_equal(mm_asn_csv_parse_line(LINE("1.0.0.0,1.0.0.255,13335,\"Cloudflare, Inc.\""),
					       false, &r, &what),
			 1);
	assert_string_equal(r.org, "Cloudflare, Inc.");
	assert_int_equal(r.asn, 13335);
	assert_int_equal(r.start.family, MM_AF_INET);
	assert_int_equal(mm_asn_csv_parse_line(LINE("2.26.200.0,2.26.215.255,201907,\"LLC "
						    "\"\"SPUTNIK\"\"\"\r"),
					       false, &r, &what),
			 1);
	assert_string_equal(r.org, "LLC \"SPUTNIK\"");
	assert_int_equal(mm_asn_csv_parse_line(LINE("2001::,2001::ffff:ffff:ffff:ffff:ffff:ffff,"
						    "6939,Hurricane Electric LLC"),
					       false, &r, &what),
			 1);
	assert_int_equal(r.start.family, MM_AF_INET6);
	assert_string_equal(r.org, "Hurricane Electric LLC");
	assert_int_equal(
	    mm_asn_csv_parse_line(LINE("5.5.5.5,5.5.5.5,4294967295,"), false, &r, &what), 1);
	assert_int_equal(r.asn, 4294967295u);
	assert_int_equal(r.org_len, 0);
	assert_int_equal(mm_asn_csv_parse_line(LINE("5.5.5.5,5.5.5.5,7,\"\""), false, &r, &what),
			 1);
	assert_int_equal(r.org_len, 0);
	assert_int_equal(mm_asn_csv_parse_line(LINE("\r"), false, &r, &what), 0);
	assert_int_equal(
	    mm_asn_csv_parse_line(LINE("ip_range_start,ip_range_end,asn,org"), true, &r, &what), 0);

#define BAD(s, want)                                                                               \
	do {                                                                                       \
		what = NULL;                                                                       \
		assert_int_equal(mm_asn_csv_parse_line(LINE(s), false, &r, &what), MM_ERR_PARSE);  \
		assert_non_null(what);                                                             \
		if (!strstr(what, want))                                                           \
			fail_msg("%s: '%s' lacks '%s'", s, what, want);                            \
	} while (0)
	BAD("ip_range_start,ip_range_end,asn,org", "start address");
	BAD("1.0.0.0", "too few fields");
	BAD("1.0.0.0,1.0.0.255", "too few fields");
	BAD("1.0.0.0,1.0.0.255,", "AS number");
	BAD("1.0.0.0,1.0.0.255,x,Org", "AS number");
	BAD("1.0.0.0,1.0.0.255,4294967296,Org", "AS number");
	BAD("1.0.0.0,1.0.0.255,-1,Org", "AS number");
	BAD("1.0.0.256,1.0.0.255,1,Org", "start address");
	BAD("1.0.0.0,::1,1,Org", "different families");
	BAD("1.0.0.9,1.0.0.8,1,Org", "after end");
	BAD("1.0.0.0,1.0.0.255,1,\"Org", "unterminated");
	BAD("1.0.0.0,1.0.0.255,1,\"Org\"x", "after the closing quote");
	BAD("1.0.0.0,1.0.0.255,1,Org \"x\"", "quote inside");
	BAD("1.0.0.0,1.0.0.255,1,Org, Inc", "more than 4 fields");
	BAD("1.0.0.0,1.0.0.255,1,Org\tX", "control character");
	BAD("1.0.0.0,1.0.0.255,1,Org\xff", "UTF-8");
	BAD("::,::ffff,1,Org", "IPv4");
	BAD("::fffe:0:0,::1:0:0:0,1,Org", "IPv4");
	BAD(" 1.0.0.0,1.0.0.255,1,Org", "start address");
#undef BAD
#undef LINE
}

static void expect_import_error(const char *csv_text, const char *want)
{
	struct mm_err err = {0};
	struct stat st;
	int rc;

	write_file(tpath("bad.csv"), csv_text, strlen(csv_text));
	unlink(tpath("bad.mmdb"));
	rc = mm_geo_import_asn(tpath("bad.csv"), tpath("bad.mmdb"), &err);
	assert_true(rc < 0);
	if (!strstr(err.msg, want))
		fail_msg("import error '%s' lacks '%s'", err.msg, want);
	assert_int_equal(stat(tpath("bad.mmdb"), &st), -1);
	assert_int_equal(stat(tpath("bad.mmdb.tmp"), &st), -1);
}

static void test_csv_import(void **state)
{
	static const char csv[] =
	    "1.0.0.0,1.0.0.255,13335,\"Cloudflare, Inc.\"\n"
	    "2.26.200.0,2.26.215.255,201907,\"LLC \"\"SPUTNIK\"\"\"\r\n"
	    "8.8.4.0,8.8.4.255,15169,Google LLC\n"
	    "\n"
	    "2001:4860::,2001:4860:ffff:ffff:ffff:ffff:ffff:ffff,15169,Google LLC\n"
	    "2001:db8::1,2001:db8::1,64496,\n"
	    "9.9.9.9,9.9.9.9,19281,Quad9"; /* out of order, no final newline */
	struct mm_err err = {0};
	struct mm_geo *g;
	struct stat st;

	(void)state;
	write_file(tpath("asn.csv"), csv, sizeof(csv) - 1);
	assert_int_equal(mm_geo_import_asn(tpath("asn.csv"), tpath("imp.mmdb"), &err), 6);
	assert_string_equal(err.msg, "");
	assert_int_equal(stat(tpath("imp.mmdb.tmp"), &st), -1);
	g = open_ok(NULL, tpath("imp.mmdb"));
	assert_non_null(strstr(mm_geo_describe(g), "mamori-asn"));
	expect_asn(g, A("1.0.0.0"), 13335, "Cloudflare, Inc.");
	expect_asn(g, A("1.0.0.255"), 13335, "Cloudflare, Inc.");
	expect_asn(g, A("1.0.1.0"), 0, NULL);
	expect_asn(g, A("2.26.210.1"), 201907, "LLC \"SPUTNIK\"");
	expect_asn(g, A("8.8.4.4"), 15169, "Google LLC");
	expect_asn(g, A("9.9.9.9"), 19281, "Quad9");
	expect_asn(g, A("9.9.9.10"), 0, NULL);
	expect_asn(g, A("2001:4860:4860::8888"), 15169, "Google LLC");
	expect_asn(g, A("2001:db8::1"), 64496, "");
	expect_asn(g, A("2001:db8::2"), 0, NULL);
	expect_asn(g, A("::ffff:1.0.0.1"), 13335, NULL);
	expect_asn(g, A6raw("ffff", "1.0.0.1"), 13335, NULL);
	mm_geo_free(g);

	/* overlapping rows: counted, the narrower range wins */
	write_str(tpath("ov.csv"), "214.95.0.0,215.0.255.255,749,DoD\n"
				   "215.0.0.0,215.1.3.255,721,DoD NIC\n"
				   "215.0.0.128,215.0.0.128,1,One\n");
	assert_int_equal(mm_geo_import_asn(tpath("ov.csv"), tpath("ov.mmdb"), &err), 3);
	assert_non_null(strstr(err.msg, "overlap"));
	assert_non_null(strstr(err.msg, "lines 1 and 2"));
	g = open_ok(NULL, tpath("ov.mmdb"));
	expect_asn(g, A("214.95.0.0"), 749, "DoD");
	expect_asn(g, A("214.255.255.255"), 749, NULL);
	expect_asn(g, A("215.0.0.0"), 721, NULL); /* 721's range is the narrower */
	expect_asn(g, A("215.0.255.255"), 721, NULL);
	expect_asn(g, A("215.0.0.128"), 1, "One");
	expect_asn(g, A("215.1.0.0"), 721, "DoD NIC");
	expect_asn(g, A("215.1.3.255"), 721, NULL);
	mm_geo_free(g);

	/* bad rows name file and line; nothing is written */
	expect_import_error("1.0.0.0,1.0.0.255,1,A\n1.0.1.0,1.0.1.255,2,B\n1.0.2.0,1.0.2.x,3,C\n",
			    "bad.csv:3: bad end address");
	expect_import_error("1.0.0.0,1.0.0.255,1,\"A\n", "bad.csv:1: unterminated");
	expect_import_error("\n\n", "no rows");
	expect_import_error("1.0.0.0,1.0.0.255,1,A\n\n1.0.0.0,1.0.0.255,99999999999,A\n",
			    "bad.csv:3: bad AS number");
	/* an existing output survives a failed import */
	write_str(tpath("bad.csv"), "1.2.3.4,1.2.3.4,1,x,y\n");
	assert_true(mm_geo_import_asn(tpath("bad.csv"), tpath("imp.mmdb"), &err) < 0);
	assert_non_null(strstr(err.msg, "bad.csv:1: more than 4 fields"));
	g = open_ok(NULL, tpath("imp.mmdb"));
	expect_asn(g, A("9.9.9.9"), 19281, "Quad9");
	mm_geo_free(g);
	/* missing input */
	assert_int_equal(mm_geo_import_asn(tpath("nope.csv"), tpath("x.mmdb"), &err),
			 MM_ERR_NOTFOUND);
	assert_non_null(strstr(err.msg, "nope.csv"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_geolite_schema), cmocka_unit_test(test_flat_schema),
	    cmocka_unit_test(test_whole_space),	   cmocka_unit_test(test_random_ranges),
	    cmocka_unit_test(test_bad_files),	   cmocka_unit_test(test_writer_checks),
	    cmocka_unit_test(test_csv_line),	   cmocka_unit_test(test_csv_import),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
