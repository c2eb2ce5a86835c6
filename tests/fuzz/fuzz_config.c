/* SPDX-License-Identifier: MIT */
/*
 * mamori.conf through mm_config_load(), from a memory file, and through
 * the firewall's allowlist reader. Checks that a file that fails changes
 * nothing, that string settings stay NUL-terminated within their fields,
 * and that every allowlist entry is a clean network (no host bits) that
 * reads back as itself.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mamori/config.h"
#include "mamori/fw.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void allowlist(const uint8_t *data, size_t size)
{
	struct mm_fw_allowlist al;
	struct mm_err err = {0, ""};
	char *text = malloc(size + 1), a[MM_PREFIX_STRLEN];
	size_t i;

	if (!text)
		return;
	if (size)
		memcpy(text, data, size);
	text[size] = '\0';
	if (mm_fw_allowlist_parse(text, "c", &al, &err) < 0 && (al.n || !strchr(err.msg, ':')))
		abort();
	if (al.n > MM_FW_ALLOW_MAX)
		abort();
	for (i = 0; i < al.n; i++) {
		struct mm_prefix back;
		mm_fw_prefix_short(&al.v[i], a);
		if (mm_prefix_parse(a, strlen(a), &back) < 0 || back.len != al.v[i].len ||
		    memcmp(&back.addr, &al.v[i].addr, sizeof(back.addr)) != 0)
			abort();
	}
	mm_fw_allowlist_release(&al);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mm_analyze_opts o, before;
	struct mm_err err = {0, ""};
	char path[64];
	int fd = memfd_create("mamori.conf", MFD_CLOEXEC), rc;

	if (fd < 0)
		return 0;
	if (size && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	mm_analyze_opts_defaults(&o);
	before = o;
	rc = mm_config_load(path, &o, &err);
	close(fd);
	if (rc < 0 && memcmp(&o, &before, sizeof(o)) != 0)
		abort(); /* nothing partial is applied */
	if (rc < 0 && (!err.msg[0] || !strchr(err.msg, ':')))
		abort(); /* an error names the file (and line) */
	if (strnlen(o.enrich.geo_dir, sizeof(o.enrich.geo_dir)) == sizeof(o.enrich.geo_dir) ||
	    strnlen(o.enrich.dnsbl_zones, sizeof(o.enrich.dnsbl_zones)) ==
		sizeof(o.enrich.dnsbl_zones) ||
	    strnlen(o.enrich.dns_server, sizeof(o.enrich.dns_server)) ==
		sizeof(o.enrich.dns_server))
		abort();
	allowlist(data, size);
	return 0;
}
