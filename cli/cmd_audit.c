/* SPDX-License-Identifier: MIT */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "mamori/audit.h"
#include "mamori/buf.h"

/* mamori audit: run the checks of lib/audit and render text or JSON. */

#define MAX_SKIP 128

void usage_audit(FILE *out)
{
	fprintf(
	    out,
	    "usage: mamori audit [--only AREA,...] [--skip ID,...] [--json]\n"
	    "                    [--fail-on none|info|low|medium|high] [--root DIR]\n"
	    "                    [--sshd-config FILE] [--sshd PATH] [--dnf PATH]\n"
	    "                    [--timeout MS]\n"
	    "       mamori audit explain ID\n"
	    "       mamori audit list\n"
	    "\n"
	    "The security posture of this server: sshd, accounts, files, firewall,\n"
	    "exposed services, pending security updates, TLS and HTTPS, each finding\n"
	    "with its evidence and the fix.\n"
	    "  --only AREA,...     areas: sshd, accounts, files, firewall, exposure, updates,\n"
	    "                      tls\n"
	    "  --skip ID,...       do not report these check IDs\n"
	    "  --json              one JSON object: score, findings, notes\n"
	    "  --fail-on SEV       exit 1 when a finding is at least this severe (default low)\n"
	    "  --root DIR          audit a mounted image or container root (file-based\n"
	    "                      checks; firewall and exposure need the running system)\n"
	    "  --sshd-config FILE  sshd configuration to judge (default /etc/ssh/sshd_config)\n"
	    "  --sshd PATH         sshd binary for 'sshd -T' (default /usr/sbin/sshd;\n"
	    "                      '' reads the files only)\n"
	    "  --dnf PATH          dnf or yum for RHEL-family security updates (default\n"
	    "                      /usr/bin/dnf, else /usr/bin/yum)\n"
	    "  --timeout MS        limit for each external probe (default 3000; dnf 10000)\n"
	    "Runs without root; the checks that needed it are listed as skipped.\n"
	    "\n"
	    "exit status: 0 nothing at or above --fail-on, 1 findings, 2 usage error,\n"
	    "3 the audit could not run, 4 internal error\n");
}

static int explain(const char *id)
{
	const struct mm_audit_check *c = mm_audit_check_find(id);

	if (!c) {
		mm_die_msg("no check '%s'; 'mamori audit list' shows them", id);
		return MM_EXIT_USAGE;
	}
	printf("%s (%s, %s)\n%s\n\nwhy: %s\nfix: %s\n", c->id, mm_audit_area_name(c->area),
	       mm_audit_sev_name(c->sev), c->title, c->explain, c->fix);
	return MM_EXIT_OK;
}

static int list(void)
{
	const struct mm_audit_check *c;
	size_t n, i;

	c = mm_audit_checks(&n);
	for (i = 0; i < n; i++)
		printf("%-24s %-9s %-7s %s\n", c[i].id, mm_audit_area_name(c[i].area),
		       mm_audit_sev_name(c[i].sev), c[i].title);
	return MM_EXIT_OK;
}

static void render_text(const struct mm_audit_report *r, bool color)
{
	static const char *const sevcol[] = {"\033[36m", "\033[33m", "\033[35m", "\033[1;31m"};
	const char *rst = color ? "\033[0m" : "", *bold = color ? "\033[1m" : "";
	int a;
	size_t i;

	for (a = 0; a < MM_AUDIT_NAREAS; a++) {
		bool head = false;
		for (i = 0; i < r->nfindings + r->nnotes; i++) {
			bool isf = i < r->nfindings;
			const struct mm_audit_finding *f = isf ? &r->findings[i] : NULL;
			const struct mm_audit_note *nt = isf ? NULL : &r->notes[i - r->nfindings];
			if ((isf ? (int)f->check->area : (int)nt->area) != a)
				continue;
			if (!head) {
				printf("%s== %s ==%s\n", bold,
				       mm_audit_area_name((enum mm_audit_area)a), rst);
				head = true;
			}
			if (isf)
				printf("%s%-6s%s %s %s\n       evidence: %s\n       fix: %s\n",
				       color ? sevcol[f->check->sev] : "",
				       mm_audit_sev_name(f->check->sev), rst, f->check->id,
				       f->check->title, f->evidence, f->check->fix);
			else
				printf("note   %s%s\n", nt->text,
				       nt->needs_root ? " [needs root]" : "");
		}
		if (!head && (r->areas_run & (1u << a)))
			printf("%s== %s ==%s\nok\n", bold,
			       mm_audit_area_name((enum mm_audit_area)a), rst);
	}
	printf("\n%sscore %d/100%s, %zu finding%s\n", bold, mm_audit_score(r), rst, r->nfindings,
	       r->nfindings == 1 ? "" : "s");
}

/* Split a comma list in place into v (at most max). */
static size_t split(char *s, const char **v, size_t max)
{
	size_t n = 0;
	char *p = s;

	while (p && *p && n < max) {
		char *c = strchr(p, ',');
		if (c)
			*c = '\0';
		if (*p)
			v[n++] = p;
		p = c ? c + 1 : NULL;
	}
	return n;
}

int cmd_audit(int argc, char **argv)
{
	static const struct option lopts[] = {
	    {"only", required_argument, NULL, 'o'},
	    {"skip", required_argument, NULL, 's'},
	    {"json", no_argument, NULL, 'j'},
	    {"fail-on", required_argument, NULL, 'f'},
	    {"root", required_argument, NULL, 'r'},
	    {"sshd-config", required_argument, NULL, 'c'},
	    {"sshd", required_argument, NULL, 'S'},
	    {"timeout", required_argument, NULL, 't'},
	    {"dnf", required_argument, NULL, 'D'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct mm_audit_opts opts;
	struct mm_audit_report rep;
	struct mm_err err = {0, ""};
	const char *skip[MAX_SKIP];
	bool json = false;
	int fail_on = MM_SEV_LOW, ch, rc = MM_EXIT_OK, r;

	memset(&opts, 0, sizeof(opts));
	memset(&rep, 0, sizeof(rep));
	opts.skip = skip;
	if (argc >= 2 && strcmp(argv[1], "explain") == 0) {
		if (argc != 3) {
			usage_audit(stderr);
			return MM_EXIT_USAGE;
		}
		return explain(argv[2]);
	}
	if (argc >= 2 && strcmp(argv[1], "list") == 0)
		return list();
	while ((ch = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
		switch (ch) {
		case 'o': {
			const char *v[16];
			size_t n = split(optarg, v, 16), i;
			for (i = 0; i < n; i++) {
				int a = mm_audit_area_parse(v[i]);
				if (a < 0) {
					mm_die_msg("--only: unknown area '%s'", v[i]);
					return MM_EXIT_USAGE;
				}
				opts.areas |= 1u << a;
			}
			break;
		}
		case 's': {
			size_t n = split(optarg, skip + opts.nskip, MAX_SKIP - opts.nskip), i;
			for (i = 0; i < n; i++)
				if (!mm_audit_check_find(skip[opts.nskip + i])) {
					mm_die_msg("--skip: unknown check '%s'",
						   skip[opts.nskip + i]);
					return MM_EXIT_USAGE;
				}
			opts.nskip += n;
			break;
		}
		case 'j':
			json = true;
			break;
		case 'f':
			fail_on = strcmp(optarg, "none") == 0 ? MM_SEV_HIGH + 1
							      : mm_audit_sev_parse(optarg);
			if (fail_on < 0) {
				mm_die_msg("--fail-on: none, info, low, medium or high");
				return MM_EXIT_USAGE;
			}
			break;
		case 'r':
			opts.root = optarg;
			break;
		case 'c':
			opts.sshd_config = optarg;
			break;
		case 'S':
			opts.sshd_bin = optarg;
			break;
		case 'D':
			opts.dnf_bin = optarg;
			break;
		case 't': {
			char *e;
			long v = strtol(optarg, &e, 10);
			if (*e || v < 1 || v > 600000) {
				mm_die_msg("--timeout: milliseconds, 1..600000");
				return MM_EXIT_USAGE;
			}
			opts.timeout_ms = (int)v;
			break;
		}
		case 'h':
			usage_audit(stdout);
			return MM_EXIT_OK;
		default:
			usage_audit(stderr);
			return MM_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		usage_audit(stderr);
		return MM_EXIT_USAGE;
	}
	r = mm_audit_run(&opts, &rep, &err);
	if (r < 0) {
		mm_die_msg("audit: %s", err.msg[0] ? err.msg : mm_strerror(r));
		rc = r == MM_ERR_NOMEM || r == MM_ERR_INTERNAL ? MM_EXIT_INTERNAL : MM_EXIT_INPUT;
		goto out;
	}
	if (json) {
		struct mm_buf b;
		mm_buf_init(&b, 64u << 20);
		if (mm_audit_to_json(&rep, &b) < 0) {
			mm_die_msg("audit: JSON output too large");
			mm_buf_release(&b);
			rc = MM_EXIT_INTERNAL;
			goto out;
		}
		fwrite(b.data, 1, b.len, stdout);
		mm_buf_release(&b);
	} else {
		render_text(&rep, isatty(1) && !getenv("NO_COLOR"));
	}
	if (mm_audit_max_sev(&rep) >= fail_on)
		rc = MM_EXIT_FINDINGS;
out:
	mm_audit_report_release(&rep);
	return rc;
}
