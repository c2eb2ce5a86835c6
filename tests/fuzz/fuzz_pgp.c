/* SPDX-License-Identifier: MIT */
/*
 * OpenPGP input: keys, detached signature and signed data (or a
 * clearsigned file) all come from the fuzzer. Layout: two little-endian
 * 16-bit lengths (keys, signature), the keys, the signature, then the
 * data; a signature length of 0 means the data is clearsigned. Checks
 * that signed text only comes back for a good signature and never
 * exceeds the input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mamori/verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mm_pgp_req req = {0};
	struct mm_pgp_result r;
	struct mm_buf text;
	struct mm_err err;
	size_t klen, slen;
	int rc;

	if (size < 4)
		return 0;
	klen = (size_t)data[0] | (size_t)data[1] << 8;
	slen = (size_t)data[2] | (size_t)data[3] << 8;
	data += 4;
	size -= 4;
	if (klen > size || slen > size - klen)
		return 0;
	req.keys = data;
	req.keys_len = klen;
	req.sig = slen ? data + klen : NULL;
	req.sig_len = slen;
	req.data = data + klen + slen;
	req.data_len = size - klen - slen;
	mm_buf_init(&text, 1u << 20);
	rc = mm_pgp_verify(&req, &r, &text, &err);
	if (rc < 0 && text.len)
		abort();
	if (rc == 0) {
		if (r.status != MM_SIG_OK && text.len)
			abort(); /* unverified text handed out */
		if (text.len > req.data_len || (slen && text.len))
			abort();
		if (r.status == MM_SIG_OK && (!r.key_fpr[0] || !r.primary_fpr[0]))
			abort();
		if (r.before + r.after > req.data_len)
			abort();
	}
	mm_buf_release(&text);
	return 0;
}
