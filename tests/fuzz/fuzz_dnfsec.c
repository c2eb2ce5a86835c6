/* SPDX-License-Identifier: MIT */
/*
 * Output of `dnf -q --cacheonly updateinfo list --security` and the
 * os-release file that decides whether dnf is asked. Checks the counts
 * add up and every recorded field is a non-empty NUL-terminated word.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/audit/audit_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct audit_dnf d;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size ? size : 1), name[128];
	size_t i;

	if (!copy)
		return 0;
	if (size)
		memcpy(copy, data, size);
	if (audit_dnf_parse(copy, size, &d) != 0)
		abort();
	if (d.n > AUDIT_DNF_MAX || d.n + d.unparsed + d.dropped > d.lines)
		abort();
	for (i = 0; i < d.n; i++) {
		const struct audit_dnf_adv *a = &d.v[i];
		if (!a->advisory[0] || !a->package[0] || strchr(a->package, ' ') ||
		    strnlen(a->severity, sizeof(a->severity)) == sizeof(a->severity))
			abort();
	}
	if (audit_os_release_rhel(copy, size, name, sizeof(name)) < 0 ||
	    strnlen(name, sizeof(name)) == sizeof(name))
		abort();
	free(copy);
	return 0;
}
