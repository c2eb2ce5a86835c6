/* SPDX-License-Identifier: MIT */
/*
 * OpenPGP signature checks with librnp (its only user). rnp says whether
 * a signature is cryptographically good; the policy is ours: the signer
 * must be the pinned primary key (a subkey counts as its primary), not
 * revoked, and valid at the time it signed. A key that expired after it
 * signed still vouches for what it signed then; that is reported as a
 * note. For clearsigned input only the bytes from the BEGIN line to the
 * END line reach rnp, and only rnp's output (the dash-unescaped signed
 * text) is handed back, so nothing appended around the block can be
 * mistaken for signed data.
 *
 * librnp is opened with dlopen() on the first verification, not linked:
 * it pulls in Botan and the C++ runtime, whose relocations cost about
 * 5 ms at every start of the program, and most commands (a firewall rule
 * added from a script a thousand times) never verify anything. The
 * prototypes still come from <rnp/rnp.h>, so every call is type-checked.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rnp/rnp.h>
#include <rnp/rnp_err.h>

#include "mamori/dl.h"
#include "mamori/verify.h"

#ifndef MM_RNP_SONAME
#define MM_RNP_SONAME "librnp.so.0"
#endif

/* Every librnp function this file calls: one pointer each, filled by mm_dl_load(). */
#define RNP_FUNCS(X)                                                                               \
	X(rnp_buffer_destroy)                                                                      \
	X(rnp_detect_key_format)                                                                   \
	X(rnp_ffi_create)                                                                          \
	X(rnp_ffi_destroy)                                                                         \
	X(rnp_ffi_set_log_fd)                                                                      \
	X(rnp_get_public_key_count)                                                                \
	X(rnp_input_destroy)                                                                       \
	X(rnp_input_from_memory)                                                                   \
	X(rnp_key_get_creation)                                                                    \
	X(rnp_key_get_expiration)                                                                  \
	X(rnp_key_get_fprint)                                                                      \
	X(rnp_key_get_primary_fprint)                                                              \
	X(rnp_key_get_primary_uid)                                                                 \
	X(rnp_key_handle_destroy)                                                                  \
	X(rnp_key_is_revoked)                                                                      \
	X(rnp_key_is_sub)                                                                          \
	X(rnp_load_keys)                                                                           \
	X(rnp_locate_key)                                                                          \
	X(rnp_op_verify_create)                                                                    \
	X(rnp_op_verify_destroy)                                                                   \
	X(rnp_op_verify_detached_create)                                                           \
	X(rnp_op_verify_execute)                                                                   \
	X(rnp_op_verify_get_signature_at)                                                          \
	X(rnp_op_verify_get_signature_count)                                                       \
	X(rnp_op_verify_signature_get_handle)                                                      \
	X(rnp_op_verify_signature_get_key)                                                         \
	X(rnp_op_verify_signature_get_status)                                                      \
	X(rnp_op_verify_signature_get_times)                                                       \
	X(rnp_output_destroy)                                                                      \
	X(rnp_output_memory_get_buf)                                                               \
	X(rnp_output_to_memory)                                                                    \
	X(rnp_result_to_string)                                                                    \
	X(rnp_signature_get_key_fprint)                                                            \
	X(rnp_signature_get_keyid)                                                                 \
	X(rnp_signature_handle_destroy)

static struct {
	RNP_FUNCS(MM_DL_FIELD)
} rnp_lib;
static const char *const rnp_names[] = {RNP_FUNCS(MM_DL_NAME)};
static struct mm_dl rnp_dl = MM_DL_INIT(MM_RNP_SONAME, "librnp0", "OpenPGP", rnp_names, rnp_lib);

/* From here on each rnp_*() call goes through the table. */
#define rnp_buffer_destroy (*rnp_lib.rnp_buffer_destroy)
#define rnp_detect_key_format (*rnp_lib.rnp_detect_key_format)
#define rnp_ffi_create (*rnp_lib.rnp_ffi_create)
#define rnp_ffi_destroy (*rnp_lib.rnp_ffi_destroy)
#define rnp_ffi_set_log_fd (*rnp_lib.rnp_ffi_set_log_fd)
#define rnp_get_public_key_count (*rnp_lib.rnp_get_public_key_count)
#define rnp_input_destroy (*rnp_lib.rnp_input_destroy)
#define rnp_input_from_memory (*rnp_lib.rnp_input_from_memory)
#define rnp_key_get_creation (*rnp_lib.rnp_key_get_creation)
#define rnp_key_get_expiration (*rnp_lib.rnp_key_get_expiration)
#define rnp_key_get_fprint (*rnp_lib.rnp_key_get_fprint)
#define rnp_key_get_primary_fprint (*rnp_lib.rnp_key_get_primary_fprint)
#define rnp_key_get_primary_uid (*rnp_lib.rnp_key_get_primary_uid)
#define rnp_key_handle_destroy (*rnp_lib.rnp_key_handle_destroy)
#define rnp_key_is_revoked (*rnp_lib.rnp_key_is_revoked)
#define rnp_key_is_sub (*rnp_lib.rnp_key_is_sub)
#define rnp_load_keys (*rnp_lib.rnp_load_keys)
#define rnp_locate_key (*rnp_lib.rnp_locate_key)
#define rnp_op_verify_create (*rnp_lib.rnp_op_verify_create)
#define rnp_op_verify_destroy (*rnp_lib.rnp_op_verify_destroy)
#define rnp_op_verify_detached_create (*rnp_lib.rnp_op_verify_detached_create)
#define rnp_op_verify_execute (*rnp_lib.rnp_op_verify_execute)
#define rnp_op_verify_get_signature_at (*rnp_lib.rnp_op_verify_get_signature_at)
#define rnp_op_verify_get_signature_count (*rnp_lib.rnp_op_verify_get_signature_count)
#define rnp_op_verify_signature_get_handle (*rnp_lib.rnp_op_verify_signature_get_handle)
#define rnp_op_verify_signature_get_key (*rnp_lib.rnp_op_verify_signature_get_key)
#define rnp_op_verify_signature_get_status (*rnp_lib.rnp_op_verify_signature_get_status)
#define rnp_op_verify_signature_get_times (*rnp_lib.rnp_op_verify_signature_get_times)
#define rnp_output_destroy (*rnp_lib.rnp_output_destroy)
#define rnp_output_memory_get_buf (*rnp_lib.rnp_output_memory_get_buf)
#define rnp_output_to_memory (*rnp_lib.rnp_output_to_memory)
#define rnp_result_to_string (*rnp_lib.rnp_result_to_string)
#define rnp_signature_get_key_fprint (*rnp_lib.rnp_signature_get_key_fprint)
#define rnp_signature_get_keyid (*rnp_lib.rnp_signature_get_keyid)
#define rnp_signature_handle_destroy (*rnp_lib.rnp_signature_handle_destroy)

#define BEGIN_SIGNED "-----BEGIN PGP SIGNED MESSAGE-----"
#define END_SIG "-----END PGP SIGNATURE-----"

const char *mm_sig_status_name(enum mm_sig_status st)
{
	switch (st) {
	case MM_SIG_OK:
		return "OK";
	case MM_SIG_BAD:
		return "BAD";
	case MM_SIG_NOKEY:
		return "NOKEY";
	case MM_SIG_WRONGKEY:
		return "WRONGKEY";
	case MM_SIG_KEYINVALID:
		return "KEYINVALID";
	}
	return "?";
}

/* Offset of the line starting with lit at or after from; -1 when absent. */
static long find_line(const char *p, size_t n, size_t from, const char *lit)
{
	size_t l = strlen(lit), i = from;

	while (i + l <= n) {
		const char *hit = memmem(p + i, n - i, lit, l);

		if (!hit)
			return -1;
		if (hit == p || hit[-1] == '\n')
			return (long)(hit - p);
		i = (size_t)(hit - p) + 1;
	}
	return -1;
}

bool mm_pgp_is_clearsigned(const void *buf, size_t n)
{
	const char *p = buf;

	return find_line(p, n, 0, BEGIN_SIGNED) >= 0;
}

/* Upper-case hex without spaces or "0x"; false when not 40 hex digits. */
static bool norm_fpr(const char *in, char out[41])
{
	size_t k = 0;

	if (in[0] == '0' && (in[1] == 'x' || in[1] == 'X'))
		in += 2;
	for (; *in; in++) {
		char c = *in;

		if (c == ' ' || c == ':')
			continue;
		if (c >= 'a' && c <= 'f')
			c = (char)(c - 'a' + 'A');
		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F')) || k >= 40)
			return false;
		out[k++] = c;
	}
	out[k] = '\0';
	return k == 40;
}

static void copy_rnp_str(char *dst, size_t size, char *s)
{
	snprintf(dst, size, "%s", s ? s : "");
	rnp_buffer_destroy(s);
}

/* Rank of a failure: the most telling one is reported when none is OK. */
static int rank(enum mm_sig_status st)
{
	switch (st) {
	case MM_SIG_OK:
		return 5;
	case MM_SIG_KEYINVALID:
		return 4;
	case MM_SIG_WRONGKEY:
		return 3;
	case MM_SIG_NOKEY:
		return 2;
	case MM_SIG_BAD:
		return 1;
	}
	return 0;
}

/* Was key valid at time t (created before, not expired by then)? Is it expired now? */
static bool valid_at(rnp_key_handle_t key, uint32_t t, bool *expired_now, uint32_t *expiry)
{
	uint32_t created = 0, exp = 0;
	uint64_t end;

	if (rnp_key_get_creation(key, &created) || rnp_key_get_expiration(key, &exp))
		return false;
	if (exp) {
		end = (uint64_t)created + exp;
		if ((uint64_t)time(NULL) >= end)
			*expired_now = true;
		if (!*expiry || end < *expiry)
			*expiry = (uint32_t)(end > UINT32_MAX ? UINT32_MAX : end);
		if ((uint64_t)t >= end)
			return false;
	}
	return created <= t;
}

static void judge(rnp_ffi_t ffi, rnp_op_verify_signature_t s, const char *pin,
		  struct mm_pgp_result *r)
{
	rnp_result_t st = rnp_op_verify_signature_get_status(s);
	rnp_key_handle_t key = NULL, primary = NULL;
	bool sub = false, rev = false, ok;
	char *str = NULL;

	r->status = MM_SIG_BAD;
	(void)rnp_op_verify_signature_get_times(s, &r->sig_time, NULL);
	if (st == RNP_ERROR_KEY_NOT_FOUND) {
		rnp_signature_handle_t h = NULL;

		r->status = MM_SIG_NOKEY;
		if (rnp_op_verify_signature_get_handle(s, &h) == RNP_SUCCESS) {
			if (rnp_signature_get_key_fprint(h, &str) == RNP_SUCCESS && str) {
				copy_rnp_str(r->key_fpr, sizeof(r->key_fpr), str);
			} else {
				rnp_buffer_destroy(str);
				str = NULL;
				if (rnp_signature_get_keyid(h, &str) == RNP_SUCCESS)
					copy_rnp_str(r->key_fpr, sizeof(r->key_fpr), str);
			}
			rnp_signature_handle_destroy(h);
		}
		snprintf(r->detail, sizeof(r->detail), "no public key for signer %s",
			 r->key_fpr[0] ? r->key_fpr : "(unknown)");
		return;
	}
	if (st == RNP_ERROR_SIGNATURE_EXPIRED) {
		snprintf(r->detail, sizeof(r->detail), "the signature itself has expired");
		return;
	}
	if (st != RNP_SUCCESS) {
		/* rnp also calls a signature by a revoked or expired key invalid: say which */
		if (rnp_op_verify_signature_get_key(s, &key) == RNP_SUCCESS && key) {
			bool exp_now = false;
			uint32_t expiry = 0;

			(void)rnp_key_is_revoked(key, &rev);
			if (!rev && rnp_key_is_sub(key, &sub) == RNP_SUCCESS && sub &&
			    rnp_key_get_primary_fprint(key, &str) == RNP_SUCCESS && str) {
				if (rnp_locate_key(ffi, "fingerprint", str, &primary) ==
					RNP_SUCCESS &&
				    primary)
					(void)rnp_key_is_revoked(primary, &rev);
			}
			rnp_buffer_destroy(str);
			str = NULL;
			if (rnp_key_get_fprint(key, &str) == RNP_SUCCESS)
				copy_rnp_str(r->key_fpr, sizeof(r->key_fpr), str);
			str = NULL;
			r->key_revoked = rev;
			if (rev) {
				r->status = MM_SIG_KEYINVALID;
				snprintf(r->detail, sizeof(r->detail), "signing key %s is revoked",
					 r->key_fpr);
				goto out;
			}
			if (!valid_at(key, r->sig_time, &exp_now, &expiry) ||
			    (primary && !valid_at(primary, r->sig_time, &exp_now, &expiry))) {
				r->status = MM_SIG_KEYINVALID;
				snprintf(
				    r->detail, sizeof(r->detail),
				    "signing key %s was expired or not yet valid when it signed",
				    r->key_fpr);
				goto out;
			}
		}
		snprintf(r->detail, sizeof(r->detail), "signature does not match the data (%s)",
			 rnp_result_to_string(st));
		goto out;
	}
	if (rnp_op_verify_signature_get_key(s, &key) != RNP_SUCCESS || !key) {
		snprintf(r->detail, sizeof(r->detail), "good signature but no key handle");
		return;
	}
	if (rnp_key_get_fprint(key, &str) == RNP_SUCCESS)
		copy_rnp_str(r->key_fpr, sizeof(r->key_fpr), str);
	str = NULL;
	(void)rnp_key_is_sub(key, &sub);
	r->subkey = sub;
	if (sub) {
		if (rnp_key_get_primary_fprint(key, &str) != RNP_SUCCESS || !str) {
			rnp_buffer_destroy(str);
			r->status = MM_SIG_NOKEY;
			snprintf(r->detail, sizeof(r->detail),
				 "signing subkey %s has no known primary key", r->key_fpr);
			goto out;
		}
		copy_rnp_str(r->primary_fpr, sizeof(r->primary_fpr), str);
		if (rnp_locate_key(ffi, "fingerprint", r->primary_fpr, &primary) != RNP_SUCCESS)
			primary = NULL;
	} else {
		snprintf(r->primary_fpr, sizeof(r->primary_fpr), "%s", r->key_fpr);
	}
	if (rnp_key_get_primary_uid(primary ? primary : key, &str) == RNP_SUCCESS)
		copy_rnp_str(r->uid, sizeof(r->uid), str);
	if (pin && strcmp(pin, r->primary_fpr) != 0) {
		r->status = MM_SIG_WRONGKEY;
		snprintf(r->detail, sizeof(r->detail),
			 "good signature by key %s, not by the pinned key %s", r->primary_fpr, pin);
		goto out;
	}
	(void)rnp_key_is_revoked(key, &rev);
	if (!rev && primary)
		(void)rnp_key_is_revoked(primary, &rev);
	r->key_revoked = rev;
	if (rev) {
		r->status = MM_SIG_KEYINVALID;
		snprintf(r->detail, sizeof(r->detail), "signing key %s is revoked", r->key_fpr);
		goto out;
	}
	ok = valid_at(key, r->sig_time, &r->key_expired_now, &r->key_expiry);
	if (ok && primary)
		ok = valid_at(primary, r->sig_time, &r->key_expired_now, &r->key_expiry);
	if (!ok) {
		r->status = MM_SIG_KEYINVALID;
		snprintf(r->detail, sizeof(r->detail),
			 "signing key %s was expired or not yet valid when it signed", r->key_fpr);
		goto out;
	}
	r->status = MM_SIG_OK;
out:
	rnp_key_handle_destroy(primary);
	rnp_key_handle_destroy(key);
}

int mm_pgp_verify(const struct mm_pgp_req *req, struct mm_pgp_result *res, struct mm_buf *text,
		  struct mm_err *err)
{
	rnp_ffi_t ffi = NULL;
	rnp_input_t kin = NULL, din = NULL, sin = NULL;
	rnp_output_t out = NULL;
	rnp_op_verify_t op = NULL;
	char pin[41], *fmt = NULL;
	const char *data = req->data;
	size_t dlen = req->data_len, nsigs = 0, nkeys = 0, i;
	int rc = 0, devnull = -1;

	memset(res, 0, sizeof(*res));
	res->status = MM_SIG_BAD;
	if (req->pin && !norm_fpr(req->pin, pin))
		return mm_err_set(err, MM_ERR_INVAL,
				  "fingerprint '%s' is not 40 hex digits (a v4 primary key)",
				  req->pin);
	if (req->keys_len > MM_PGP_MAX_KEY_BYTES || req->sig_len > MM_PGP_MAX_SIG_BYTES ||
	    (!req->sig && dlen > MM_SUMS_MAX_BYTES))
		return mm_err_set(err, MM_ERR_TOOBIG, "key, signature or signed file over the cap");
	rc = mm_dl_load(&rnp_dl, err);
	if (rc < 0)
		return rc;
	if (rnp_ffi_create(&ffi, "GPG", "GPG") != RNP_SUCCESS)
		return mm_err_set(err, MM_ERR_NOMEM, "cannot create an rnp context");
	/* rnp logs to stderr; the library does not print */
	devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (devnull >= 0)
		(void)rnp_ffi_set_log_fd(ffi, devnull);
	for (i = 0; i <= req->nmore_keys; i++) {
		const void *kp = i ? req->more_keys[i - 1].p : req->keys;
		size_t kn = i ? req->more_keys[i - 1].n : req->keys_len;

		if (kn > MM_PGP_MAX_KEY_BYTES) {
			rc = mm_err_set(err, MM_ERR_TOOBIG, "key file %zu over the cap", i + 1);
			goto out;
		}
		if (rnp_detect_key_format(kp, kn, &fmt) != RNP_SUCCESS || !fmt) {
			rnp_buffer_destroy(fmt);
			fmt = NULL;
		}
		if (rnp_input_from_memory(&kin, kp, kn, false) != RNP_SUCCESS ||
		    rnp_load_keys(ffi, fmt && strcmp(fmt, "KBX") == 0 ? "KBX" : "GPG", kin,
				  RNP_LOAD_SAVE_PUBLIC_KEYS) != RNP_SUCCESS) {
			rc = mm_err_set(err, MM_ERR_PARSE,
					"key file %zu: no OpenPGP public key could be read", i + 1);
			goto out;
		}
		rnp_input_destroy(kin);
		kin = NULL;
		rnp_buffer_destroy(fmt);
		fmt = NULL;
	}
	if (rnp_get_public_key_count(ffi, &nkeys) != RNP_SUCCESS || nkeys == 0) {
		rc = mm_err_set(err, MM_ERR_PARSE, "no OpenPGP public key could be read");
		goto out;
	}
	if (!req->sig) {
		long b = find_line(data, dlen, 0, BEGIN_SIGNED), e;
		const char *nl;

		if (b < 0) {
			snprintf(res->detail, sizeof(res->detail), "not a clearsigned message");
			goto out;
		}
		e = find_line(data, dlen, (size_t)b, END_SIG);
		if (e < 0) {
			snprintf(res->detail, sizeof(res->detail),
				 "clearsigned message without its signature");
			goto out;
		}
		nl = memchr(data + e, '\n', dlen - (size_t)e);
		res->before = (size_t)b;
		res->after = nl ? dlen - (size_t)(nl + 1 - data) : 0;
		dlen = dlen - res->before - res->after;
		data += b;
	}
	if (rnp_input_from_memory(&din, (const uint8_t *)data, dlen, false) != RNP_SUCCESS) {
		rc = mm_err_set(err, MM_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (req->sig) {
		if (rnp_input_from_memory(&sin, req->sig, req->sig_len, false) != RNP_SUCCESS ||
		    rnp_op_verify_detached_create(&op, ffi, din, sin) != RNP_SUCCESS) {
			rc = mm_err_set(err, MM_ERR_NOMEM, "cannot set up the verification");
			goto out;
		}
	} else {
		if (rnp_output_to_memory(&out, MM_SUMS_MAX_BYTES) != RNP_SUCCESS ||
		    rnp_op_verify_create(&op, ffi, din, out) != RNP_SUCCESS) {
			rc = mm_err_set(err, MM_ERR_NOMEM, "cannot set up the verification");
			goto out;
		}
	}
	(void)rnp_op_verify_execute(op); /* per-signature status below says why */
	if (rnp_op_verify_get_signature_count(op, &nsigs) != RNP_SUCCESS || nsigs == 0) {
		snprintf(res->detail, sizeof(res->detail), "no OpenPGP signature found");
		goto out;
	}
	res->nsigs = (unsigned)nsigs;
	for (i = 0; i < nsigs && i < 64; i++) {
		rnp_op_verify_signature_t s = NULL;
		struct mm_pgp_result one;

		if (rnp_op_verify_get_signature_at(op, i, &s) != RNP_SUCCESS)
			continue;
		memset(&one, 0, sizeof(one));
		judge(ffi, s, req->pin ? pin : NULL, &one);
		one.nsigs = res->nsigs;
		one.before = res->before;
		one.after = res->after;
		if (i == 0 || rank(one.status) > rank(res->status))
			*res = one;
		if (res->status == MM_SIG_OK)
			break;
	}
	if (res->status == MM_SIG_OK && out) {
		uint8_t *buf = NULL;
		size_t len = 0;

		if (rnp_output_memory_get_buf(out, &buf, &len, false) != RNP_SUCCESS) {
			rc = mm_err_set(err, MM_ERR_INTERNAL, "no signed text from rnp");
			goto out;
		}
		if (text && mm_buf_add(text, buf, len) < 0) {
			rc = mm_err_set(err, MM_ERR_TOOBIG, "signed text over the cap");
			goto out;
		}
	}
out:
	if (rc < 0)
		res->status = MM_SIG_BAD;
	rnp_op_verify_destroy(op);
	rnp_output_destroy(out);
	rnp_input_destroy(sin);
	rnp_input_destroy(din);
	rnp_input_destroy(kin);
	rnp_buffer_destroy(fmt);
	rnp_ffi_destroy(ffi);
	if (devnull >= 0)
		close(devnull);
	return rc;
}
