/* SPDX-License-Identifier: MIT */
/* being written */
#include "cli.h"
void usage_geo(FILE *out)
{
	fprintf(out, "usage: mamori geo lookup ADDR... | mamori geo import-asn FILE.csv -o OUT\n");
}
int cmd_geo(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	usage_geo(stderr);
	return MM_EXIT_USAGE;
}
