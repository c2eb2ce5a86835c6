/* SPDX-License-Identifier: MIT */
/*
 * Sums file parser (lib/verify/sums.c), driven by tests/data/sums/:
 * lines.txt holds one case per line with the entry it must give, the
 * other files are whole sums files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mamori/verify.h"

static char *slurp(const char *name, size_t *len)
{
	char path[1024];
	const char *src = getenv("MM_SRCDIR");
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/tests/data/sums/%s", src ? src : ".", name);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Decode \n \r \t \\ \xHH into out; returns the length. */
static size_t unesc(const char *p, size_t n, char *out)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (p[i] != '\\' || i + 1 >= n) {
			out[k++] = p[i];
			continue;
		}
		i++;
		switch (p[i]) {
		case 'n':
			out[k++] = '\n';
			break;
		case 'r':
			out[k++] = '\r';
			break;
		case 't':
			out[k++] = '\t';
			break;
		case 'x': {
			char hx[3] = {p[i + 1], p[i + 2], 0};

			out[k++] = (char)strtol(hx, NULL, 16);
			i += 2;
			break;
		}
		default:
			out[k++] = p[i];
		}
	}
	out[k] = '\0';
	return k;
}

static void test_corpus(void **state)
{
	size_t len, cases = 0;
	char *buf = slurp("lines.txt", &len), *p = buf, *end = buf + len;
	char in[8192], want[8192];
	size_t inlen = 0;
	enum mm_vhash hint = MM_VH_NONE;
	struct mm_sums s;
	struct mm_err err;
	int rc = 0;

	(void)state;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (n >= 2 && p[0] == '=' && p[1] == ' ') {
			hint = mm_vhash_parse(p + 2, n - 2);
		} else if (n >= 1 && p[0] == '<') {
			inlen = n > 2 ? unesc(p + 2, n - 2, in) : 0;
			mm_sums_init(&s, hint);
			rc = mm_sums_line(&s, in, inlen, &err);
		} else if (n >= 2 && p[0] == '>') {
			char line[8192];

			memcpy(line, p + 2, n - 2);
			line[n - 2] = '\0';
			cases++;
			if (strcmp(line, "skip") == 0) {
				if (rc != 0)
					fail_msg("line '%s': want skip, got %d", in, rc);
			} else if (strcmp(line, "bad") == 0) {
				if (rc != MM_ERR_PARSE || s.bad != 1)
					fail_msg("line '%s': want bad, got %d", in, rc);
			} else {
				char *sp1 = strchr(line, ' '),
				     *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
				char hex[2 * MM_VH_MAXLEN + 1];
				size_t wl;

				assert_non_null(sp2);
				*sp1 = *sp2 = '\0';
				if (rc != 1 || s.n != 1)
					fail_msg("line '%s': want entry, got %d (%s)", in, rc,
						 err.msg);
				assert_string_equal(mm_vhash_name(s.v[0].alg), line);
				mm_digest_hex(s.v[0].digest, mm_vhash_len(s.v[0].alg), hex);
				assert_string_equal(hex, sp1 + 1);
				wl = unesc(sp2 + 1, strlen(sp2 + 1), want);
				assert_int_equal(s.v[0].name_len, wl);
				assert_memory_equal(s.v[0].name, want, wl);
			}
			mm_sums_release(&s);
		}
		p += n + (nl ? 1 : 0);
	}
	assert_true(cases >= 35);
	free(buf);
}

static void test_mixed_file(void **state)
{
	size_t len;
	char *buf = slurp("mixed.sums", &len);
	struct mm_sums s;
	struct mm_err err;
	const struct mm_sums_entry *e;

	(void)state;
	mm_sums_init(&s, MM_VH_NONE);
	assert_int_equal(mm_sums_parse(&s, buf, len, &err), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.bad, 0);
	e = mm_sums_find(&s, "b.iso", 5, NULL);
	assert_non_null(e);
	assert_true(e->binary);
	assert_int_equal(e->line, 2);
	e = mm_sums_find(&s, "c.iso", 5, NULL);
	assert_non_null(e);
	assert_int_equal(e->alg, MM_VH_SHA512);
	assert_null(mm_sums_find(&s, "d.iso", 5, NULL));
	mm_sums_release(&s);
	free(buf);
}

static void test_release(void **state)
{
	size_t len;
	char *buf = slurp("Release.sample", &len);
	struct mm_sums s;
	struct mm_err err;
	const struct mm_sums_entry *e;
	size_t i, best = 0;

	(void)state;
	mm_sums_init(&s, MM_VH_NONE);
	assert_int_equal(mm_sums_parse(&s, buf, len, &err), 0);
	assert_true(s.release);
	assert_int_equal(s.bad, 0);
	assert_int_equal(s.n, 5);
	/* the strongest entry wins for a name listed in MD5Sum and SHA256 */
	e = mm_sums_find(&s, "main/binary-amd64/Packages", 26, NULL);
	assert_non_null(e);
	assert_int_equal(e->alg, MM_VH_SHA256);
	for (i = 0; i < s.n; i++)
		best += mm_sums_is_best(&s, &s.v[i]);
	assert_int_equal(best, 3);
	mm_sums_release(&s);
	free(buf);
}

static void test_conflict(void **state)
{
	static const char txt[] =
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  x.iso\n"
	    "0000000000000000000000000000000000000000000000000000000000000000  x.iso\n";
	struct mm_sums s;
	struct mm_err err;
	bool conflict = false;

	(void)state;
	mm_sums_init(&s, MM_VH_NONE);
	assert_int_equal(mm_sums_parse(&s, txt, sizeof(txt) - 1, &err), 0);
	assert_non_null(mm_sums_find(&s, "x.iso", 5, &conflict));
	assert_true(conflict);
	mm_sums_release(&s);
}

static void test_junk_and_caps(void **state)
{
	size_t len, i;
	char *buf = slurp("junk.bin", &len), *big;
	struct mm_sums s;
	struct mm_err err;

	(void)state;
	mm_sums_init(&s, MM_VH_NONE);
	assert_int_equal(mm_sums_parse(&s, buf, len, &err), MM_ERR_PARSE);
	assert_int_equal(s.n, 0);
	mm_sums_release(&s);
	free(buf);
	/* empty */
	mm_sums_init(&s, MM_VH_NONE);
	assert_int_equal(mm_sums_parse(&s, "", 0, &err), MM_ERR_PARSE);
	mm_sums_release(&s);
	/* over the cap, whole and line by line */
	len = (size_t)MM_SUMS_MAX_BYTES + 10;
	big = malloc(len);
	assert_non_null(big);
	memset(big, '\n', len);
	mm_sums_init(&s, MM_VH_NONE);
	assert_int_equal(mm_sums_parse(&s, big, len, &err), MM_ERR_TOOBIG);
	mm_sums_release(&s);
	mm_sums_init(&s, MM_VH_NONE);
	for (i = 0; i < 20; i++)
		if (mm_sums_line(&s, big, 1u << 20, &err) == MM_ERR_TOOBIG)
			break;
	assert_true(i < 20);
	mm_sums_release(&s);
	free(big);
}

static void test_names(void **state)
{
	struct mm_buf b;

	(void)state;
	assert_int_equal(mm_vhash_from_filename("/x/SHA256SUMS"), MM_VH_SHA256);
	assert_int_equal(mm_vhash_from_filename("sha256sum.txt"), MM_VH_SHA256);
	assert_int_equal(mm_vhash_from_filename("SHA512SUMS"), MM_VH_SHA512);
	assert_int_equal(mm_vhash_from_filename("MD5SUMS"), MM_VH_MD5);
	assert_int_equal(mm_vhash_from_filename("debian.iso.sha512"), MM_VH_SHA512);
	assert_int_equal(mm_vhash_from_filename("x.sha256sum"), MM_VH_SHA256);
	assert_int_equal(mm_vhash_from_filename("InRelease"), MM_VH_NONE);
	assert_int_equal(mm_vhash_from_filename("sums.txt"), MM_VH_NONE);
	assert_int_equal(mm_vhash_parse("SHA-256", 7), MM_VH_SHA256);
	assert_int_equal(mm_vhash_parse("MD5Sum", 6), MM_VH_MD5);
	assert_true(mm_vhash_weak(MM_VH_SHA1));
	assert_false(mm_vhash_weak(MM_VH_SHA224));
	mm_buf_init(&b, 100);
	assert_true(mm_sums_escape_name(&b, "a\\b\nc", 5));
	assert_string_equal(b.data, "a\\\\b\\nc");
	mm_buf_reset(&b);
	assert_false(mm_sums_escape_name(&b, "plain", 5));
	assert_string_equal(b.data, "plain");
	mm_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_corpus),	  cmocka_unit_test(test_mixed_file),
	    cmocka_unit_test(test_release),	  cmocka_unit_test(test_conflict),
	    cmocka_unit_test(test_junk_and_caps), cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
