/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

void mm_die_msg(const char *fmt, ...)
{
	va_list ap;

	fputs("mamori: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void mm_warn(const char *fmt, ...)
{
	va_list ap;

	fputs("mamori: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

bool mm_progress_enabled(void)
{
	return isatty(2) && !getenv("MAMORI_NO_PROGRESS");
}

void mm_default_geo_dir(char *out, size_t size)
{
	const char *env = getenv("MAMORI_GEO_DIR");
	struct stat st;

	if (env && *env)
		snprintf(out, size, "%s", env);
	else if (stat("data/geo", &st) == 0 && S_ISDIR(st.st_mode))
		snprintf(out, size, "data/geo");
	else
		snprintf(out, size, "/var/lib/mamori/geo");
}
