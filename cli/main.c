/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "mm_config.h"

/* The command table: one entry per verb, one file per verb (cmd_<verb>.c). */
static const struct mm_command commands[] = {
    {"logs", cmd_logs, "find who is scanning and attacking this server in its logs", usage_logs},
    {"geo", cmd_geo, "look up country and network of addresses; import ASN data", usage_geo},
    {"audit", cmd_audit, "security posture of this server, with the fix for each finding",
     usage_audit},
    {"verify", cmd_verify, "check downloads against signed SHA-256 sums (OpenPGP)", usage_verify},
    {"firewall", cmd_firewall, "ufw-simple host firewall on one nftables table", usage_firewall},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	size_t i;

	fprintf(out,
		"usage: mamori [--version] [--help] <command> [<args>]\n\n"
		"mamori keeps an Internet-facing Linux server from becoming the next incident.\n\n"
		"commands:\n");
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "  %-10s %s\n", "help", "show help for a command");
	fprintf(out, "\n'mamori help <command>' or 'man mamori-<command>' for details.\n");
}

static const struct mm_command *find(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	const struct mm_command *cmd;

	if (argc < 2) {
		usage(stderr);
		return MM_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return MM_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("mamori %s\n", MM_VERSION);
		return MM_EXIT_OK;
	}
	if (strcmp(argv[1], "help") == 0) {
		if (argc < 3) {
			usage(stdout);
			return MM_EXIT_OK;
		}
		cmd = find(argv[2]);
		if (!cmd) {
			mm_die_msg("no such command '%s'; see 'mamori --help'", argv[2]);
			return MM_EXIT_USAGE;
		}
		cmd->usage(stdout);
		return MM_EXIT_OK;
	}
	cmd = find(argv[1]);
	if (!cmd) {
		mm_die_msg("no such command '%s'; see 'mamori --help'", argv[1]);
		return MM_EXIT_USAGE;
	}
	return cmd->fn(argc - 1, argv + 1);
}
