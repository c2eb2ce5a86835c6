/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "mamori/buf.h"
#include "mamori/enrich.h"

/*
 * mamori geo: country and network of addresses from the MMDB files that
 * tools/fetch-geo.sh puts in place, and the ASN CSV import that makes
 * asn.mmdb.
 */

#define GEO_SYSTEM_DIR "/var/lib/mamori/geo"
#define GEO_LOCAL_DIR "data/geo"
#define MAX_STDIN_ADDRS 50000000u

void usage_geo(FILE *out)
{
	fprintf(
	    out,
	    "usage: mamori geo lookup [--json] [--country-db FILE] [--asn-db FILE] ADDR...\n"
	    "       mamori geo import-asn FILE.csv -o OUT.mmdb\n"
	    "       mamori geo info [--country-db FILE] [--asn-db FILE]\n"
	    "\n"
	    "lookup: country, AS number and organisation of each ADDR (IPv4 or IPv6;\n"
	    "'-' reads addresses from stdin, one per line).\n"
	    "  --json              JSON Lines, one object per address\n"
	    "  --country-db FILE   country MMDB (GeoLite2/DB-IP Country, ip-location-db)\n"
	    "  --asn-db FILE       ASN MMDB (GeoLite2-ASN, or made by import-asn)\n"
	    "  --time              time the lookups (repeated for a second) on stderr\n"
	    "Without --country-db/--asn-db: country.mmdb and asn.mmdb in $MAMORI_GEO_DIR,\n"
	    "else in ./" GEO_LOCAL_DIR " when it exists, else in " GEO_SYSTEM_DIR ".\n"
	    "tools/fetch-geo.sh fetches them. Without data every answer is 'unknown'.\n"
	    "\n"
	    "import-asn: compile an ip-location-db CSV (start,end,asn,organization) into\n"
	    "an MMDB; '-' reads stdin. A bad row stops the import; nothing is written.\n"
	    "\n"
	    "info: which databases would be used, their type and build date.\n"
	    "\n"
	    "exit status: 0 ok, 2 usage error or bad address, 3 a database could not be read\n");
}

struct geo_files {
	const char *country, *asn; /* explicit, must open */
	char dir[4096];		   /* default directory when not explicit */
	char cpath[4200], apath[4200];
	bool default_country, default_asn; /* from dir, if present */
};

static bool is_file(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* Resolve the default directory and which files in it to use. */
static void resolve(struct geo_files *f)
{
	mm_default_geo_dir(f->dir, sizeof(f->dir));
	if (!f->country) {
		snprintf(f->cpath, sizeof(f->cpath), "%s/country.mmdb", f->dir);
		if (is_file(f->cpath)) {
			f->country = f->cpath;
			f->default_country = true;
		}
	}
	if (!f->asn) {
		snprintf(f->apath, sizeof(f->apath), "%s/asn.mmdb", f->dir);
		if (is_file(f->apath)) {
			f->asn = f->apath;
			f->default_asn = true;
		}
	}
}

static int open_geo(struct geo_files *f, struct mm_geo **g)
{
	struct mm_err err = {0};

	resolve(f);
	if (mm_geo_open(f->country, f->asn, g, &err) < 0) {
		mm_die_msg("%s", err.msg);
		return MM_EXIT_INPUT;
	}
	if (!f->country && !f->asn)
		mm_warn("geo data unavailable: no country.mmdb or asn.mmdb in %s "
			"(tools/fetch-geo.sh fetches them)",
			f->dir);
	return 0;
}

static double now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct addr_list {
	struct mm_addr *a;
	size_t n, cap;
};

static int add_addr(struct addr_list *l, const char *s, size_t n, const char *where)
{
	struct mm_addr a;

	if (mm_addr_parse(s, n, &a) < 0) {
		mm_die_msg("geo lookup: %s'%.*s' is not an IPv4 or IPv6 address", where,
			   (int)(n > 200 ? 200 : n), s);
		return MM_EXIT_USAGE;
	}
	if (l->n >= MAX_STDIN_ADDRS) {
		mm_die_msg("geo lookup: more than %u addresses", MAX_STDIN_ADDRS);
		return MM_EXIT_USAGE;
	}
	if (MM_GROW(l->a, l->cap, l->n, 64) < 0) {
		mm_die_msg("out of memory");
		return MM_EXIT_INTERNAL;
	}
	l->a[l->n++] = a;
	return 0;
}

static int read_stdin_addrs(struct addr_list *l)
{
	char *line = NULL, where[64];
	size_t cap = 0;
	ssize_t n;
	unsigned long lineno = 0;
	int rc = 0;

	while (rc == 0 && (n = getline(&line, &cap, stdin)) >= 0) {
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' '))
			n--;
		if (n == 0)
			continue;
		snprintf(where, sizeof(where), "stdin:%lu: ", lineno);
		rc = add_addr(l, line, (size_t)n, where);
	}
	free(line);
	return rc;
}

static void render(struct mm_buf *b, const struct mm_addr *a, const struct mm_geo_info *gi,
		   bool json, bool have_c, bool have_a)
{
	char s[MM_ADDR_STRLEN];

	mm_addr_format(a, s);
	if (json) {
		mm_buf_addf(b, "{\"addr\":\"%s\",\"country\":", s);
		if (gi->have_country)
			mm_buf_addf(b, "\"%s\"", gi->country);
		else
			mm_buf_adds(b, "null");
		if (gi->have_asn) {
			mm_buf_addf(b, ",\"asn\":%u,\"org\":\"", gi->asn);
			mm_buf_add_json_str(b, gi->org, strlen(gi->org));
			mm_buf_adds(b, "\"}\n");
		} else {
			mm_buf_adds(b, ",\"asn\":null,\"org\":null}\n");
		}
		return;
	}
	mm_buf_addf(b, "%-39s  %-7s  ", s,
		    gi->have_country ? gi->country
		    : have_c	     ? "-"
				     : "unknown");
	if (gi->have_asn)
		mm_buf_addf(b, "AS%-10u  %s\n", gi->asn, gi->org[0] ? gi->org : "-");
	else
		mm_buf_addf(b, "%-12s  %s\n", have_a ? "-" : "unknown", have_a ? "-" : "unknown");
}

static int geo_lookup(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"json", no_argument, NULL, 'j'},	      {"country-db", required_argument, NULL, 'c'},
	    {"asn-db", required_argument, NULL, 'a'}, {"time", no_argument, NULL, 't'},
	    {"help", no_argument, NULL, 'h'},	      {NULL, 0, NULL, 0},
	};
	struct geo_files f;
	struct addr_list l = {0};
	struct mm_geo *g = NULL;
	struct mm_buf b;
	bool json = false, timing = false;
	int ch, rc = 0, i;
	size_t k;

	memset(&f, 0, sizeof(f));
	mm_buf_init(&b, 1 << 20);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = true;
			break;
		case 'c':
			f.country = optarg;
			break;
		case 'a':
			f.asn = optarg;
			break;
		case 't':
			timing = true;
			break;
		case 'h':
			usage_geo(stdout);
			goto out;
		default:
			usage_geo(stderr);
			rc = MM_EXIT_USAGE;
			goto out;
		}
	}
	if (optind == argc) {
		mm_die_msg("geo lookup: no address given");
		usage_geo(stderr);
		rc = MM_EXIT_USAGE;
		goto out;
	}
	/* every address is checked before anything is printed */
	for (i = optind; rc == 0 && i < argc; i++)
		rc = strcmp(argv[i], "-") == 0 ? read_stdin_addrs(&l)
					       : add_addr(&l, argv[i], strlen(argv[i]), "");
	if (rc)
		goto out;
	rc = open_geo(&f, &g);
	if (rc)
		goto out;
	if (timing && l.n > 0) {
		struct mm_geo_info gi;
		double t0 = now_sec(), c0 = cpu_sec(), t, c;
		size_t done = 0, found = 0;

		do {
			for (k = 0; k < l.n; k++) {
				if (mm_geo_lookup(g, &l.a[k], &gi) == 0 &&
				    (gi.have_asn || gi.have_country))
					found++;
			}
			done += l.n;
			t = now_sec() - t0;
		} while (t < 1.0);
		c = cpu_sec() - c0;
		/* per CPU-second too: a busy machine steals wall time, not CPU time */
		fprintf(stderr,
			"mamori: %zu lookups (%zu distinct addresses, %zu found) in %.3f s, "
			"%.3f s CPU: %.0f lookups/s, %.0f lookups per CPU-second\n",
			done, l.n, found, t, c, (double)done / t, c > 0 ? (double)done / c : 0.0);
	}
	if (!json)
		mm_buf_addf(&b, "%-39s  %-7s  %-12s  %s\n", "ADDRESS", "COUNTRY", "ASN",
			    "ORGANISATION");
	for (k = 0; k < l.n; k++) {
		struct mm_geo_info gi;
		int lr = mm_geo_lookup(g, &l.a[k], &gi);

		if (lr < 0) {
			char s[MM_ADDR_STRLEN];
			mm_die_msg("geo lookup: %s: %s (damaged database?)",
				   mm_addr_format(&l.a[k], s), mm_strerror(lr));
			rc = MM_EXIT_INPUT;
			continue;
		}
		render(&b, &l.a[k], &gi, json, f.country != NULL, f.asn != NULL);
		if (b.len > (1 << 19)) {
			if (fwrite(b.data, 1, b.len, stdout) != b.len) {
				rc = MM_EXIT_INTERNAL;
				break;
			}
			mm_buf_reset(&b);
		}
	}
	if (b.len && fwrite(b.data, 1, b.len, stdout) != b.len)
		rc = MM_EXIT_INTERNAL;
	if (fflush(stdout) != 0) {
		mm_die_msg("geo lookup: cannot write output: %s", strerror(errno));
		rc = MM_EXIT_INTERNAL;
	}
out:
	mm_geo_free(g);
	mm_buf_release(&b);
	free(l.a);
	return rc;
}

static int geo_info(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"country-db", required_argument, NULL, 'c'},
	    {"asn-db", required_argument, NULL, 'a'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct geo_files f;
	struct mm_geo *g = NULL;
	int ch, rc;

	memset(&f, 0, sizeof(f));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			f.country = optarg;
			break;
		case 'a':
			f.asn = optarg;
			break;
		case 'h':
			usage_geo(stdout);
			return MM_EXIT_OK;
		default:
			usage_geo(stderr);
			return MM_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		usage_geo(stderr);
		return MM_EXIT_USAGE;
	}
	rc = open_geo(&f, &g);
	if (rc == 0)
		printf("%s\n", mm_geo_describe(g));
	mm_geo_free(g);
	return rc;
}

static int geo_import(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct mm_err err = {0};
	const char *out = NULL;
	double t0;
	int ch, n;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			out = optarg;
			break;
		case 'h':
			usage_geo(stdout);
			return MM_EXIT_OK;
		default:
			usage_geo(stderr);
			return MM_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc || !out) {
		mm_die_msg("geo import-asn: want one CSV file and -o OUT.mmdb");
		usage_geo(stderr);
		return MM_EXIT_USAGE;
	}
	t0 = now_sec();
	n = mm_geo_import_asn(argv[optind], out, &err);
	if (n < 0) {
		mm_die_msg("%s", err.msg[0] ? err.msg : mm_strerror(n));
		return n == MM_ERR_NOMEM ? MM_EXIT_INTERNAL : MM_EXIT_INPUT;
	}
	if (err.msg[0])
		mm_warn("%s", err.msg);
	fprintf(stderr, "mamori: imported %d rows from %s into %s in %.2f s\n", n, argv[optind],
		out, now_sec() - t0);
	return MM_EXIT_OK;
}

int cmd_geo(int argc, char **argv)
{
	if (argc < 2) {
		usage_geo(stderr);
		return MM_EXIT_USAGE;
	}
	if (strcmp(argv[1], "lookup") == 0)
		return geo_lookup(argc - 1, argv + 1);
	if (strcmp(argv[1], "import-asn") == 0)
		return geo_import(argc - 1, argv + 1);
	if (strcmp(argv[1], "info") == 0)
		return geo_info(argc - 1, argv + 1);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage_geo(stdout);
		return MM_EXIT_OK;
	}
	mm_die_msg("geo: unknown subcommand '%s'; see 'mamori help geo'", argv[1]);
	return MM_EXIT_USAGE;
}
