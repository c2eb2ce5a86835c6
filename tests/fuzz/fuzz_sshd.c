/* SPDX-License-Identifier: MIT */
/*
 * sshd parser: newline-separated messages fed to one mm_sshd, so the
 * session table (learning, reuse, closing, forgetting) is exercised. The
 * first byte of each line picks the pid (a handful of values, plus "no
 * pid") and the program; the rest is the message. Checks that spans stay
 * inside the message and that every event renders as JSON.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mamori/logs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_span(struct mm_span s, const char *msg, size_t n)
{
	if (!s.p)
		return;
	/* the one span not taken from the line: the literal "root" */
	if (s.n == 4 && memcmp(s.p, "root", 4) == 0)
		return;
	if (s.p < msg || s.p + s.n > msg + n)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mm_sshd *s = mm_sshd_new();
	const char *p = (const char *)data, *end = p + size;
	struct mm_buf out;

	if (!s)
		return 0;
	mm_buf_init(&out, 1 << 20);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct mm_envelope env;
		struct mm_event ev;

		if (n > 0) {
			unsigned sel = (unsigned char)p[0];
			memset(&env, 0, sizeof(env));
			env.pid = (sel & 7) == 7 ? -1 : (int64_t)(sel & 7) + 1000;
			env.program =
			    (sel & 8) ? mm_span_make("sshd-session", 12) : mm_span_make("sshd", 4);
			env.msg = mm_span_make(p + 1, n - 1);
			mm_event_clear(&ev);
			ev.pid = env.pid;
			ev.program = env.program;
			if (mm_sshd_line(s, &env, &ev) == 1) {
				check_span(ev.user, env.msg.p, env.msg.n);
				if (ev.kind == MM_EV_NONE)
					abort();
				mm_buf_reset(&out);
				if (mm_event_to_json(&ev, true, &out) < 0)
					abort();
			}
		}
		p += n + (nl ? 1 : 0);
	}
	mm_buf_release(&out);
	mm_sshd_free(s);
	return 0;
}
