/* SPDX-License-Identifier: MIT */
/* being written */
#include "cli.h"
void usage_logs(FILE *out)
{
	fprintf(out, "usage: mamori logs [options] [FILE...]\n");
}
int cmd_logs(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return MM_EXIT_OK;
}
