/* SPDX-License-Identifier: MIT */
/*
 * Netfilter LOG parser on arbitrary bytes (the message part of a kernel
 * line). Besides memory safety, checks what a caller relies on: every span
 * points inside the input, numbers are in range, and a packet always has
 * both addresses of the same family and a protocol.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "mamori/logs.h"

/*
 * Only this file is compiled with -fsanitize=fuzzer, so the parser is
 * built into it: libFuzzer then sees its coverage. The copy in libmamori.a
 * is never linked (nothing else here refers to mm_parse_netfilter).
 */
#include "../../lib/logs/parse_netfilter.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_span(struct mm_span s, const char *p, size_t n)
{
	if (s.p && (s.p < p || s.n > n || s.p + s.n > p + n))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	struct mm_event ev;
	struct mm_buf out;

	mm_event_clear(&ev);
	if (mm_parse_netfilter(p, size, &ev) != 1) {
		if (ev.kind != MM_EV_NONE)
			abort();
		return 0;
	}
	if (ev.kind != MM_EV_PACKET || ev.src.family == MM_AF_NONE ||
	    ev.src.family != ev.dst.family || ev.proto < 0 || ev.proto > 255)
		abort();
	if (ev.src_port > 65535 || ev.dst_port > 65535 || ev.ttl > 255 || ev.window > 65535 ||
	    ev.icmp_type > 255 || ev.icmp_code > 255)
		abort();
	check_span(ev.prefix, p, size);
	check_span(ev.in_if, p, size);
	check_span(ev.out_if, p, size);
	check_span(ev.mac, p, size);
	mm_buf_init(&out, 1 << 16);
	if (mm_event_to_json(&ev, true, &out) < 0)
		abort();
	mm_buf_release(&out);
	return 0;
}
