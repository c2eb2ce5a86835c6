/* SPDX-License-Identifier: MIT */
/*
 * nginx and Apache configuration readers: the input is fed to both; an
 * nginx include feeds the same input again, so nesting and its cap are
 * exercised. Checks that every collected root is absolute and every
 * collected string is NUL-terminated within its buffer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/audit/audit_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct in {
	const char *p;
	size_t n;
	unsigned calls;
};

static int inc(struct audit_web *w, const char *pattern, void *ctx)
{
	struct in *in = ctx;

	(void)pattern;
	if (++in->calls > 32)
		return 0;
	return audit_nginx_feed(w, "inc", in->p, in->n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct audit_web *w = calloc(1, sizeof(*w));
	char *copy = malloc(size ? size : 1);
	struct in in;
	size_t i;

	if (!w || !copy)
		goto out;
	if (size)
		memcpy(copy, data, size);
	in.p = copy;
	in.n = size;
	in.calls = 0;
	w->include = inc;
	w->ctx = &in;
	if (audit_nginx_feed(w, "nginx.conf", copy, size) < 0 ||
	    audit_apache_feed(w, "apache.conf", copy, size) < 0)
		abort();
	if (w->nroots > AUDIT_WEB_ROOTS_MAX || w->nusers > AUDIT_WEB_USERS_MAX ||
	    w->names.n > AUDIT_NAMES_MAX || w->nsites > AUDIT_WEB_SITES_MAX)
		abort();
	for (i = 0; i < w->nsites; i++)
		if (!w->sites[i].port || !w->sites[i].name[0] ||
		    strnlen(w->sites[i].name, AUDIT_NAME_MAX) == AUDIT_NAME_MAX)
			abort();
	for (i = 0; i < w->nroots; i++)
		if (w->roots[i].path[0] != '/' ||
		    strnlen(w->roots[i].path, sizeof(w->roots[i].path)) == sizeof(w->roots[i].path))
			abort();
	for (i = 0; i < w->nusers; i++)
		if (!w->users[i].name[0] ||
		    strnlen(w->users[i].name, sizeof(w->users[i].name)) == sizeof(w->users[i].name))
			abort();
	for (i = 0; i < w->names.n; i++)
		if (!w->names.v[i][0] || strnlen(w->names.v[i], AUDIT_NAME_MAX) == AUDIT_NAME_MAX)
			abort();
out:
	free(copy);
	free(w);
	return 0;
}
