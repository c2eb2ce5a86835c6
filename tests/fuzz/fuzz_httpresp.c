/* SPDX-License-Identifier: MIT */
/*
 * The head of an HTTP response as a local web server sends it to the
 * audit's plain HTTP probe. Checks that a parsed status is three digits,
 * and that the copied headers are NUL-terminated within their buffers.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/audit/audit_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct audit_http_resp r;
	char *copy = malloc(size ? size : 1);

	if (!copy)
		return 0;
	if (size)
		memcpy(copy, data, size); /* exactly size bytes: ASan sees any overread */
	if (audit_http_parse(copy, size, &r) == 0) {
		if (r.status < 100 || r.status > 999)
			abort();
		if (strnlen(r.reason, sizeof(r.reason)) == sizeof(r.reason) ||
		    strnlen(r.location, sizeof(r.location)) == sizeof(r.location) ||
		    strnlen(r.server, sizeof(r.server)) == sizeof(r.server))
			abort();
	}
	free(copy);
	return 0;
}
