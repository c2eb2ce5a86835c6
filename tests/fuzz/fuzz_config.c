/* SPDX-License-Identifier: MIT */
/*
 * mamori.conf through mm_config_load(), from a memory file. Checks that a
 * file that fails changes nothing, and that string settings stay
 * NUL-terminated within their fields.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mamori/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
	return 0;
}
