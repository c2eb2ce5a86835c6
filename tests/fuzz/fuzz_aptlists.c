/* SPDX-License-Identifier: MIT */
/*
 * dpkg status and APT package lists, and dpkg's version order. The input
 * is cut at its first NUL byte: the status before, a security list after
 * (a missing NUL gives the same text to both). Checks every recorded
 * security version is above the installed one, the installed packages
 * stay sorted by name, and the version order is antisymmetric on the two
 * Version values of the input's first lines.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/audit/audit_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

/* The first line of p[0..n) as a string (at most 255 bytes). */
static void first_line(const char *p, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n && i < 255 && p[i] != '\n' && p[i] != '\0'; i++)
		out[i] = p[i];
	out[i] = '\0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size ? size : 1), a[256], b[256];
	const char *nul = size ? memchr(data, '\0', size) : NULL;
	size_t ns = nul ? (size_t)(nul - (const char *)data) : size, i;
	struct audit_apt apt;

	if (!copy)
		return 0;
	if (size)
		memcpy(copy, data, size);
	memset(&apt, 0, sizeof(apt));
	if (audit_apt_installed(&apt, copy, ns) < 0)
		goto out;
	if (nul ? audit_apt_offer(&apt, copy + ns + 1, size - ns - 1) < 0
		: audit_apt_offer(&apt, copy, size) < 0)
		goto out;
	for (i = 0; i < apt.n; i++) {
		const struct audit_apt_pkg *p = &apt.v[i];
		if (i && strcmp(apt.v[i - 1].name, p->name) > 0)
			abort();
		if (p->newer && audit_vercmp(p->newer, p->version) <= 0)
			abort();
	}
	first_line(copy, ns, a);
	first_line(nul ? copy + ns + 1 : copy, nul ? size - ns - 1 : size, b);
	if (audit_vercmp(a, a) != 0 || audit_vercmp(b, b) != 0 ||
	    sign(audit_vercmp(a, b)) != -sign(audit_vercmp(b, a)))
		abort();
out:
	audit_apt_release(&apt);
	free(copy);
	return 0;
}
