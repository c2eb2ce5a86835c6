/* SPDX-License-Identifier: MIT */
/*
 * Digests (lib/verify/digest.c) and OpenPGP checks (lib/verify/pgp.c).
 * The OpenPGP cases use keys and signatures gpg makes in a temporary
 * home at the start of the test (skipped when gpg is not installed).
 */
#include <fcntl.h>
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

#include "mamori/verify.h"

static char dir[256];
static bool have_gpg;

static const char *tpath(const char *name)
{
	static char buf[8][512];
	static int k;

	k = (k + 1) % 8;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", dir, name);
	return buf[k];
}

static void write_file(const char *name, const void *p, size_t n)
{
	FILE *f = fopen(tpath(name), "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	fclose(f);
}

static void read_all(const char *name, struct mm_buf *b)
{
	struct mm_err err;

	mm_buf_init(b, 64u << 20);
	assert_int_equal(mm_verify_read_file(tpath(name), 64u << 20, false, b, &err), 0);
}

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static int setup(void **state)
{
	char tmpl[] = "/tmp/mamori-test-verify.XXXXXX";

	(void)state;
	if (!mkdtemp(tmpl))
		return -1;
	snprintf(dir, sizeof(dir), "%s", tmpl);
	write_file("data.txt", "abc", 3);
	have_gpg = sh("command -v gpg >/dev/null 2>&1") == 0;
	if (!have_gpg)
		return 0;
	/* good key, second key, key with a signing subkey, key expired after signing */
	if (sh("(cd %s && export GNUPGHOME=%s/gh && mkdir -m700 gh && "
	       "G='gpg --batch -q --passphrase= --pinentry-mode loopback' && "
	       "$G --quick-gen-key 'Good <good@example.org>' ed25519 sign never && "
	       "$G --quick-gen-key 'Other <other@example.org>' ed25519 sign never && "
	       "$G --quick-gen-key 'Sub <sub@example.org>' ed25519 cert never && "
	       "SF=$(gpg --with-colons -k sub@example.org | awk -F: '/^fpr/{print $10; exit}') && "
	       "$G --quick-add-key $SF ed25519 sign never && "
	       "$G --faked-system-time 20200101T000000! --quick-gen-key "
	       "'Old <old@example.org>' ed25519 sign 2020-06-01 && "
	       "$G -u good@example.org --detach-sign -o data.sig data.txt && "
	       "$G -u good@example.org --armor --detach-sign -o data.asc data.txt && "
	       "$G -u other@example.org --detach-sign -o other.sig data.txt && "
	       "$G -u sub@example.org --detach-sign -o sub.sig data.txt && "
	       "$G --faked-system-time 20200301T000000! -u old@example.org --detach-sign "
	       "-o old.sig data.txt && "
	       "$G -u good@example.org --clearsign -o clear.txt data.txt && "
	       "gpg --export good@example.org > good.pub && "
	       "gpg --export --armor other@example.org > other.asc && "
	       "gpg --export sub@example.org > sub.pub && "
	       "gpg --export old@example.org > old.pub && "
	       "gpg --with-colons -k good@example.org | awk -F: '/^fpr/{print $10; exit}' "
	       "> good.fpr && "
	       "echo $SF > sub.fpr && gpgconf --kill all) >/dev/null 2>&1",
	       dir, dir) != 0)
		have_gpg = false;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sh("GNUPGHOME=%s/gh gpgconf --kill all >/dev/null 2>&1; rm -rf %s", dir, dir);
	return 0;
}

static void test_digest_vectors(void **state)
{
	unsigned char md[MM_VH_MAXLEN];
	char hex[2 * MM_VH_MAXLEN + 1];

	(void)state;
	assert_int_equal(mm_digest_mem(MM_VH_SHA256, "abc", 3, md), 0);
	mm_digest_hex(md, 32, hex);
	assert_string_equal(hex,
			    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(mm_digest_mem(MM_VH_SHA512, "abc", 3, md), 0);
	mm_digest_hex(md, 8, hex);
	assert_string_equal(hex, "ddaf35a193617aba");
	assert_int_equal(mm_digest_mem(MM_VH_NONE, "abc", 3, md), MM_ERR_UNSUPPORTED);
	assert_true(
	    mm_digest_equal((const unsigned char *)"abcd", (const unsigned char *)"abcd", 4));
	assert_false(
	    mm_digest_equal((const unsigned char *)"abcd", (const unsigned char *)"abce", 4));
}

/* over the read-ahead threshold (16 reads of 1 MiB) */
#define BIG (24u << 20)

static void test_digest_files(void **state)
{
	struct mm_digest_job j[4];
	unsigned char md[MM_VH_MAXLEN];
	char *big = malloc(BIG);
	size_t i;

	(void)state;
	assert_non_null(big);
	for (i = 0; i < BIG; i++)
		big[i] = (char)(i * 7 + (i >> 13));
	write_file("big.bin", big, BIG);
	memset(j, 0, sizeof(j));
	j[0].path = tpath("big.bin");
	j[1].path = tpath("data.txt");
	j[2].path = tpath("big.bin");
	j[3].path = tpath("nonexistent");
	for (i = 0; i < 4; i++)
		j[i].alg = i == 2 ? MM_VH_SHA384 : MM_VH_SHA256;
	assert_int_equal(mm_digest_files(j, 4, 2, NULL, NULL), 0);
	assert_int_equal(j[0].rc, 0);
	assert_int_equal(j[0].size, BIG);
	assert_false(j[0].changed);
	assert_int_equal(mm_digest_mem(MM_VH_SHA256, big, BIG, md), 0);
	assert_memory_equal(j[0].md, md, 32);
	assert_int_equal(mm_digest_mem(MM_VH_SHA384, big, BIG, md), 0);
	assert_memory_equal(j[2].md, md, 48);
	assert_int_equal(j[1].rc, 0);
	assert_int_equal(j[3].rc, MM_ERR_NOTFOUND);
	/* one file alone: read-ahead thread on a multi-CPU machine */
	memset(&j[0].md, 0, sizeof(j[0].md));
	assert_int_equal(mm_digest_file(&j[0]), 0);
	assert_int_equal(j[0].size, BIG);
	assert_int_equal(mm_digest_mem(MM_VH_SHA256, big, BIG, md), 0);
	assert_memory_equal(j[0].md, md, 32);
	free(big);
}

/* The size fstat gave at open differs from what was read: flagged. procfs
 * files say 0 bytes and then have content, which makes this repeatable. */
static void test_digest_changed(void **state)
{
	struct mm_digest_job j;

	(void)state;
	memset(&j, 0, sizeof(j));
	j.alg = MM_VH_SHA256;
	j.path = "/proc/self/status";
	assert_int_equal(mm_digest_file(&j), 0);
	assert_true(j.size > 0);
	assert_true(j.changed);
	j.path = tpath("data.txt");
	assert_int_equal(mm_digest_file(&j), 0);
	assert_false(j.changed);
}

static void test_refuse_special(void **state)
{
	struct mm_digest_job j;
	struct mm_buf b;
	struct mm_err err;

	(void)state;
	assert_int_equal(symlink("data.txt", tpath("link")), 0);
	assert_int_equal(mkdir(tpath("adir"), 0700), 0);
	assert_int_equal(mkfifo(tpath("fifo"), 0600), 0);
	memset(&j, 0, sizeof(j));
	j.alg = MM_VH_SHA256;
	j.path = tpath("link");
	assert_int_equal(mm_digest_file(&j), MM_ERR_INVAL);
	assert_non_null(strstr(j.err.msg, "symbolic link"));
	j.flags = MM_DIGEST_ALLOW_SPECIAL;
	assert_int_equal(mm_digest_file(&j), 0);
	j.flags = 0;
	j.path = tpath("adir");
	assert_int_equal(mm_digest_file(&j), MM_ERR_INVAL);
	assert_non_null(strstr(j.err.msg, "directory"));
	j.path = tpath("fifo"); /* must not hang waiting for a writer */
	assert_int_equal(mm_digest_file(&j), MM_ERR_INVAL);
	mm_buf_init(&b, 1 << 20);
	assert_int_equal(mm_verify_read_file(tpath("link"), 100, false, &b, &err), MM_ERR_INVAL);
	assert_int_equal(mm_verify_read_file(tpath("data.txt"), 2, false, &b, &err), MM_ERR_TOOBIG);
	mm_buf_release(&b);
}

/* Verify data.txt (or clearsigned) with keyfile/sigfile; returns the status. */
static enum mm_sig_status check(const char *keyfile, const char *sigfile, const char *pin,
				struct mm_pgp_result *r, struct mm_buf *text)
{
	struct mm_buf keys, data, sig;
	struct mm_pgp_req req = {0};
	struct mm_err err;
	char fpr[64] = "";

	read_all(keyfile, &keys);
	read_all(sigfile ? "data.txt" : "clear.txt", &data);
	mm_buf_init(&sig, 1 << 20);
	if (sigfile)
		read_all(sigfile, &sig);
	if (pin) {
		struct mm_buf f;

		read_all(pin, &f);
		snprintf(fpr, sizeof(fpr), "%.40s", f.data);
		mm_buf_release(&f);
	}
	req.keys = keys.data;
	req.keys_len = keys.len;
	req.pin = pin ? fpr : NULL;
	req.data = data.data;
	req.data_len = data.len;
	req.sig = sigfile ? sig.data : NULL;
	req.sig_len = sig.len;
	assert_int_equal(mm_pgp_verify(&req, r, text, &err), 0);
	mm_buf_release(&keys);
	mm_buf_release(&data);
	mm_buf_release(&sig);
	return r->status;
}

static void test_pgp(void **state)
{
	struct mm_pgp_result r;
	struct mm_buf text;

	(void)state;
	if (!have_gpg)
		skip();
	mm_buf_init(&text, 1 << 20);
	assert_int_equal(check("good.pub", "data.sig", "good.fpr", &r, NULL), MM_SIG_OK);
	assert_false(r.subkey);
	assert_int_equal(check("good.pub", "data.asc", "good.fpr", &r, NULL), MM_SIG_OK);
	assert_int_equal(check("good.pub", "data.sig", NULL, &r, NULL), MM_SIG_OK);
	/* wrong key: the signer's key is not there */
	assert_int_equal(check("other.asc", "data.sig", NULL, &r, NULL), MM_SIG_NOKEY);
	/* good signature, but not by the pinned key */
	write_file("both.pub", "", 0);
	sh("cat %s %s > %s", tpath("good.pub"), tpath("sub.pub"), tpath("both.pub"));
	assert_int_equal(check("both.pub", "sub.sig", "good.fpr", &r, NULL), MM_SIG_WRONGKEY);
	/* subkey signature maps to its primary */
	assert_int_equal(check("sub.pub", "sub.sig", "sub.fpr", &r, NULL), MM_SIG_OK);
	assert_true(r.subkey);
	assert_string_not_equal(r.key_fpr, r.primary_fpr);
	/* tampered data */
	write_file("data.txt", "abd", 3);
	assert_int_equal(check("good.pub", "data.sig", NULL, &r, NULL), MM_SIG_BAD);
	write_file("data.txt", "abc", 3);
	/* key expired after it signed: good, with a note */
	assert_int_equal(check("old.pub", "old.sig", NULL, &r, NULL), MM_SIG_OK);
	assert_true(r.key_expired_now);
	/* clearsigned: only the signed text comes back */
	assert_int_equal(check("good.pub", NULL, "good.fpr", &r, &text), MM_SIG_OK);
	/* clearsigning ends the text with a line break */
	assert_true(text.len == 3 || (text.len == 4 && text.data[3] == '\n'));
	assert_memory_equal(text.data, "abc", 3);
	mm_buf_release(&text);
}

static void test_pgp_inputs(void **state)
{
	struct mm_pgp_result r;
	struct mm_pgp_req req = {0};
	struct mm_err err;

	(void)state;
	req.keys = "junk";
	req.keys_len = 4;
	req.data = "abc";
	req.data_len = 3;
	req.sig = "junk";
	req.sig_len = 4;
	assert_int_equal(mm_pgp_verify(&req, &r, NULL, &err), MM_ERR_PARSE);
	req.pin = "not a fingerprint";
	assert_int_equal(mm_pgp_verify(&req, &r, NULL, &err), MM_ERR_INVAL);
	assert_true(mm_pgp_is_clearsigned("x\n-----BEGIN PGP SIGNED MESSAGE-----\n", 37));
	assert_false(mm_pgp_is_clearsigned("x -----BEGIN PGP SIGNED MESSAGE-----\n", 37));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_digest_vectors),
	    cmocka_unit_test(test_digest_files),
	    cmocka_unit_test(test_digest_changed),
	    cmocka_unit_test(test_refuse_special),
	    cmocka_unit_test(test_pgp),
	    cmocka_unit_test(test_pgp_inputs),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
