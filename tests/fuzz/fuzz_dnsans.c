/* SPDX-License-Identifier: MIT */
/*
 * DNS answers, as a blocklist or an attacker's PTR record may send them,
 * through the code of lib/enrich/dnsbl.c that turns them into results:
 * c-ares' parsers followed by our code checks, name sanitizing and
 * forward matching. The first byte picks the address family (bit 0) and
 * which interpretation runs first; the next 16 bytes are the address;
 * the rest is the DNS message. The same message is also fed to the name
 * sanitizer as a raw name. Checks that results stay within their ranges
 * and names are NUL-terminated hostnames-or-'?'.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/enrich/dnsbl_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_name(const char *name, size_t cap)
{
	size_t n = strnlen(name, cap), i;

	if (n >= cap)
		abort();
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)name[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.' || ch == '?'))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mm_addr a;
	struct mm_dnsbl_result r;
	const unsigned char *msg;
	char name[256], small[8], qname[320];
	bool bogus, clean;
	enum mm_dns_status st;
	int mlen;

	if (size < 17)
		return 0;
	memset(&a, 0, sizeof(a));
	a.family = (data[0] & 1) ? MM_AF_INET6 : MM_AF_INET;
	memcpy(a.b, data + 1, a.family == MM_AF_INET ? 4 : 16);
	msg = data + 17;
	mlen = (int)(size - 17);

	mm_dnsbl_interpret(msg, mlen, &r, &bogus);
	if (r.status > MM_DNS_ERROR || (r.status != MM_DNS_LISTED && r.code != 0))
		abort();
	if (bogus && r.status != MM_DNS_ERROR)
		abort();

	memset(name, 'x', sizeof(name));
	st = mm_dnsbl_interpret_ptr(msg, mlen, &a, name, sizeof(name), &clean);
	if (st > MM_DNS_ERROR)
		abort();
	check_name(name, sizeof(name));
	if (st != MM_DNS_LISTED && (clean || name[0]))
		abort();
	if (st == MM_DNS_LISTED && !name[0])
		abort();

	(void)mm_dnsbl_forward_has(msg, mlen, &a);

	/* the message as a raw name, into a roomy and a tiny buffer */
	clean = mm_dnsbl_sanitize_name((const char *)msg, (size_t)mlen, name, sizeof(name));
	check_name(name, sizeof(name));
	if (clean && !name[0])
		abort();
	(void)mm_dnsbl_sanitize_name((const char *)msg, (size_t)mlen, small, sizeof(small));
	check_name(small, sizeof(small));

	/* a sanitized name is always usable as a zone in a query name */
	if (mm_dnsbl_qname(&a, name, qname, sizeof(qname)) == 0 &&
	    strnlen(qname, sizeof(qname)) >= sizeof(qname))
		abort();
	return 0;
}
