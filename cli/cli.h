/* SPDX-License-Identifier: MIT */
#ifndef MM_CLI_H
#define MM_CLI_H

#include <stdbool.h>
#include <stdio.h>

/* Exit codes shared by every subcommand (documented in mamori(1)). */
enum {
	MM_EXIT_OK = 0,	      /* ran; nothing to report (or report printed, no findings) */
	MM_EXIT_FINDINGS = 1, /* ran; findings were reported */
	MM_EXIT_USAGE = 2,    /* bad command line */
	MM_EXIT_INPUT = 3,    /* input could not be read or parsed */
	MM_EXIT_INTERNAL = 4, /* internal error (out of memory, bug) */
};

struct mm_command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
	void (*usage)(FILE *out);
};

int cmd_logs(int argc, char **argv);
void usage_logs(FILE *out);
int cmd_geo(int argc, char **argv);
void usage_geo(FILE *out);
int cmd_audit(int argc, char **argv);
void usage_audit(FILE *out);
int cmd_verify(int argc, char **argv);
void usage_verify(FILE *out);
int cmd_firewall(int argc, char **argv);
void usage_firewall(FILE *out);

/* "mamori: " + message + newline on stderr. */
void mm_die_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void mm_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* True when fd 2 is a terminal and MAMORI_NO_PROGRESS is unset. */
bool mm_progress_enabled(void);
/*
 * Where the geo data lives unless told: $MAMORI_GEO_DIR, else data/geo
 * (a source tree, as ./run fetches it), else /var/lib/mamori/geo.
 */
void mm_default_geo_dir(char *out, size_t size);

#endif
