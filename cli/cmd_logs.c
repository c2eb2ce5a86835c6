/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "mamori/analyze.h"
#include "mamori/config.h"
#include "mamori/logs.h"
#include "mamori/report.h"

/*
 * mamori logs: read firewall and sshd logs, report who scans and attacks.
 * Parses options, wires inputs into the library pipeline, renders.
 */

#define MAX_SRC_FILTERS 64

/* Host logs read when no input is named, each with its rotated siblings. */
static const char *const default_logs[] = {
    "/var/log/syslog",	"/var/log/kern.log", "/var/log/auth.log",
    "/var/log/ufw.log", "/var/log/messages", "/var/log/secure",
};

enum output_mode { OUT_TEXT, OUT_JSON, OUT_EVENTS, OUT_FINDINGS };

struct logs_ctx {
	enum output_mode mode;
	struct mm_buf line;
	bool progress;
	bool progress_shown;
	struct timespec start;
	int write_error;
	char **names; /* input names from rotated sets, alive until the report is out */
	size_t nnames;
};

void usage_logs(FILE *out)
{
	fprintf(
	    out,
	    "usage: mamori logs [options] [FILE...]\n"
	    "\n"
	    "Read firewall (netfilter LOG, ufw, nftables, firewalld) and sshd logs and report\n"
	    "port scans, sweeps, brute force and who is behind them. FILE may be plain, .gz or\n"
	    ".zst; '-' reads stdin. With no FILE and no --journal, reads this host's logs:\n"
	    "the journal and /var/log/{syslog,kern.log,auth.log,ufw.log,messages,secure}\n"
	    "with their rotated siblings.\n"
	    "\n"
	    "input:\n"
	    "  --journal             read kernel and sshd entries from the systemd journal\n"
	    "  --journal-dir DIR     read the journal files in DIR instead\n"
	    "  --rotated             also read each FILE's rotated siblings (FILE.1, "
	    "FILE.2.gz...)\n"
	    "  --year YEAR           year of RFC 3164 stamps (default: from each file's mtime)\n"
	    "  --max-line BYTES      skip (and count) longer lines (default 64K)\n"
	    "  --config FILE         settings file (default " MM_CONFIG_DEFAULT " when present)\n"
	    "  --threads N           parser threads for plain files over 32 MB (default 0: one\n"
	    "                        per CPU, at most 4; 1: none)\n"
	    "\n"
	    "output (default: a terminal report):\n"
	    "  --json                the whole report as one JSON document\n"
	    "  --events              JSON Lines, one normalised event per recognised line\n"
	    "  --findings            JSON Lines of findings only\n"
	    "  --html FILE           also write a self-contained HTML report to FILE\n"
	    "  --top N               rows in the top sources / ports tables (default 10)\n"
	    "  --color WHEN          auto, always or never (default auto)\n"
	    "  --no-progress         no progress on stderr\n"
	    "\n"
	    "who the sources are:\n"
	    "  --geo-dir DIR         country.mmdb and asn.mmdb (default: $MAMORI_GEO_DIR,\n"
	    "                        ./data/geo, /var/lib/mamori/geo; tools/fetch-geo.sh fills "
	    "it)\n"
	    "  --country-db FILE, --asn-db FILE   other MMDB files (GeoLite2, DB-IP, ...)\n"
	    "  --no-geo              no country/network lookups\n"
	    "  --country CC          focus on the sources in country CC (ISO 3166 code)\n"
	    "  --dnsbl ZONES         check top and finding sources on these DNS blocklists\n"
	    "                        (comma-separated; opt-in: queries reveal who talks to you)\n"
	    "  --rdns                reverse DNS with forward confirmation for the same sources\n"
	    "  --dns-server H:P,...  resolvers to ask (default /etc/resolv.conf)\n"
	    "  --dns-timeout MS      per-try timeout (default 2000)\n"
	    "\n"
	    "filters (events outside them are counted, not analysed):\n"
	    "  --since TIME, --until TIME   ISO 8601 (2026-11-21T03:00:00+09:00), or -2h, -7d\n"
	    "  --src CIDR            source in CIDR (repeatable)\n"
	    "  --port N              destination port\n"
	    "  --proto P             tcp, udp, icmp, ipv6-icmp or a number\n"
	    "\n"
	    "detector thresholds (also settings in [logs] of mamori.conf):\n"
	    "  --portscan-ports N --portscan-window DUR   vertical scan (default 15 in 5m)\n"
	    "  --sweep-hosts N --sweep-window DUR         one port, many hosts\n"
	    "  --service-sources N                        one service, many sources (period)\n"
	    "  --ssh-failures N --ssh-window DUR          brute force (default 5 in 10m)\n"
	    "  --ssh-slow-failures N --ssh-slow-window DUR   slow brute force\n"
	    "  --ssh-users N                              user enumeration\n"
	    "  --fanout-hosts N --fanout-window DUR       this host scanning others\n"
	    "  --max-keys N                               tracked keys per table (LRU beyond)\n"
	    "  Set a count to 0 to turn that detector off.\n"
	    "\n"
	    "exit status: 0 no findings, 1 findings reported, 2 usage error,\n"
	    "             3 an input could not be read (the report covers the rest)\n");
}

static void on_event(void *ud, const struct mm_event *ev)
{
	struct logs_ctx *c = ud;

	mm_buf_reset(&c->line);
	if (mm_event_to_json(ev, true, &c->line) < 0 || mm_buf_addc(&c->line, '\n') < 0)
		return;
	if (fwrite(c->line.data, 1, c->line.len, stdout) != c->line.len)
		c->write_error = 1;
}

static double elapsed(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

static void on_progress(void *ud, const char *name, uint64_t done, uint64_t total)
{
	struct logs_ctx *c = ud;
	double secs = elapsed(&c->start);

	/* only worth showing for inputs that take a moment */
	if (!c->progress || total < (8u << 20) || secs < 0.5)
		return;
	fprintf(stderr, "\r\033[Kreading %s: %3.0f%% (%.0f MB/s)", name,
		total ? 100.0 * (double)done / (double)total : 0.0,
		secs > 0 ? (double)done / 1e6 / secs : 0.0);
	c->progress_shown = true;
}

static int term_width(void)
{
	struct winsize ws;

	if (ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 120;
}

static int add_input(struct logs_ctx *c, struct mm_analysis *a, const char *path, bool rotated,
		     int *failed)
{
	struct mm_err err = {0};
	char **set = NULL;
	int n, i;

	if (!rotated || strcmp(path, "-") == 0) {
		if (mm_analysis_add_file(a, path, false, &err) < 0) {
			mm_die_msg("%s", err.msg[0] ? err.msg : path);
			(*failed)++;
		}
		return 0;
	}
	n = mm_rotated_set(path, &set);
	if (n < 0) {
		mm_die_msg("%s: %s", path, mm_strerror(n));
		(*failed)++;
		return 0;
	}
	if (n == 0) {
		mm_die_msg("%s: no such file", path);
		(*failed)++;
	}
	for (i = 0; i < n; i++) {
		char **nn = realloc(c->names, (c->nnames + 1) * sizeof(*nn));
		if (!nn) {
			free(set[i]);
			continue;
		}
		c->names = nn;
		c->names[c->nnames++] = set[i];
		memset(&err, 0, sizeof(err));
		if (mm_analysis_add_file(a, set[i], i > 0, &err) < 0) {
			mm_die_msg("%s", err.msg[0] ? err.msg : set[i]);
			(*failed)++;
		}
	}
	free(set);
	return 0;
}

/* No input named: this host's own logs. Returns how many sources were read. */
static int add_host_logs(struct logs_ctx *c, struct mm_analysis *a, int *failed)
{
	struct stat st;
	struct mm_err err = {0};
	size_t i;
	int found = 0;

	if (stat("/var/log/journal", &st) == 0 || stat("/run/log/journal", &st) == 0) {
		if (mm_analysis_add_journal(a, NULL, &err) < 0) {
			mm_warn("journal: %s", err.msg);
			(*failed)++;
		}
		found++;
	}
	for (i = 0; i < sizeof(default_logs) / sizeof(default_logs[0]); i++) {
		if (stat(default_logs[i], &st) != 0)
			continue;
		add_input(c, a, default_logs[i], true, failed);
		found++;
	}
	return found;
}

static void no_host_logs_hint(void)
{
	fprintf(stderr,
		"mamori: found no log lines on this host (journal, /var/log/{syslog,kern.log,"
		"auth.log,ufw.log,messages,secure}).\n"
		"Try the sample logs: mamori logs examples/kern.log examples/auth.log\n");
}

enum {
	OPT_JSON = 256,
	OPT_EVENTS,
	OPT_FINDINGS,
	OPT_JOURNAL,
	OPT_JOURNAL_DIR,
	OPT_ROTATED,
	OPT_CONFIG,
	OPT_SINCE,
	OPT_UNTIL,
	OPT_SRC,
	OPT_PORT,
	OPT_PROTO,
	OPT_TOP,
	OPT_COLOR,
	OPT_NO_PROGRESS,
	OPT_THREADS,
	OPT_GEO_DIR,
	OPT_COUNTRY_DB,
	OPT_ASN_DB,
	OPT_NO_GEO,
	OPT_COUNTRY,
	OPT_DNSBL,
	OPT_RDNS,
	OPT_DNS_SERVER,
	OPT_DNS_TIMEOUT,
	OPT_SETTING, /* any mm_config_set key */
	OPT_HTML,
};

static const struct option long_opts[] = {
    {"json", no_argument, NULL, OPT_JSON},
    {"events", no_argument, NULL, OPT_EVENTS},
    {"findings", no_argument, NULL, OPT_FINDINGS},
    {"html", required_argument, NULL, OPT_HTML},
    {"journal", no_argument, NULL, OPT_JOURNAL},
    {"journal-dir", required_argument, NULL, OPT_JOURNAL_DIR},
    {"rotated", no_argument, NULL, OPT_ROTATED},
    {"year", required_argument, NULL, OPT_SETTING},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"since", required_argument, NULL, OPT_SINCE},
    {"until", required_argument, NULL, OPT_UNTIL},
    {"src", required_argument, NULL, OPT_SRC},
    {"port", required_argument, NULL, OPT_PORT},
    {"proto", required_argument, NULL, OPT_PROTO},
    {"top", required_argument, NULL, OPT_TOP},
    {"color", required_argument, NULL, OPT_COLOR},
    {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"geo-dir", required_argument, NULL, OPT_GEO_DIR},
    {"country-db", required_argument, NULL, OPT_COUNTRY_DB},
    {"asn-db", required_argument, NULL, OPT_ASN_DB},
    {"no-geo", no_argument, NULL, OPT_NO_GEO},
    {"country", required_argument, NULL, OPT_COUNTRY},
    {"dnsbl", required_argument, NULL, OPT_DNSBL},
    {"rdns", no_argument, NULL, OPT_RDNS},
    {"dns-server", required_argument, NULL, OPT_DNS_SERVER},
    {"dns-timeout", required_argument, NULL, OPT_DNS_TIMEOUT},
    {"max-line", required_argument, NULL, OPT_SETTING},
    {"portscan-ports", required_argument, NULL, OPT_SETTING},
    {"portscan-window", required_argument, NULL, OPT_SETTING},
    {"sweep-hosts", required_argument, NULL, OPT_SETTING},
    {"sweep-window", required_argument, NULL, OPT_SETTING},
    {"service-sources", required_argument, NULL, OPT_SETTING},
    {"ssh-failures", required_argument, NULL, OPT_SETTING},
    {"ssh-window", required_argument, NULL, OPT_SETTING},
    {"ssh-users", required_argument, NULL, OPT_SETTING},
    {"ssh-slow-failures", required_argument, NULL, OPT_SETTING},
    {"ssh-slow-window", required_argument, NULL, OPT_SETTING},
    {"fanout-hosts", required_argument, NULL, OPT_SETTING},
    {"fanout-window", required_argument, NULL, OPT_SETTING},
    {"max-keys", required_argument, NULL, OPT_SETTING},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* Settings given as flags, applied after the config file so flags win. */
struct pending_setting {
	const char *key;
	const char *value;
};

/* Copy a flag value into a fixed buffer; false when it does not fit. */
static bool copy_arg(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size)
		return false;
	memcpy(dst, src, n + 1);
	return true;
}

static void strcat_bounded(char *dst, size_t size, const char *src)
{
	size_t n = strlen(dst), m = strlen(src);

	if (n + m < size)
		memcpy(dst + n, src, m + 1);
}

/* Flags override the config file, which overrides the defaults. */
static void apply_enrich_flags(struct mm_enrich_opts *e, const char *geo_dir,
			       const char *country_db, const char *asn_db, bool no_geo,
			       const char *country, const char *dnsbl, bool rdns,
			       const char *dns_server, int dns_timeout)
{
	if (geo_dir[0])
		snprintf(e->geo_dir, sizeof(e->geo_dir), "%s", geo_dir);
	else if (!e->geo_dir[0])
		mm_default_geo_dir(e->geo_dir, sizeof(e->geo_dir));
	if (country_db[0])
		snprintf(e->country_db, sizeof(e->country_db), "%s", country_db);
	if (asn_db[0])
		snprintf(e->asn_db, sizeof(e->asn_db), "%s", asn_db);
	e->no_geo = no_geo;
	memcpy(e->country, country, 3);
	if (dnsbl[0])
		snprintf(e->dnsbl_zones, sizeof(e->dnsbl_zones), "%s", dnsbl);
	if (rdns)
		e->rdns = true;
	if (dns_server[0])
		snprintf(e->dns_server, sizeof(e->dns_server), "%s", dns_server);
	if (dns_timeout)
		e->resolver.timeout_ms = dns_timeout;
}

static bool parse_uint(const char *s, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	if (!*s || *s == '-' || *s == '+')
		return false;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return false;
	*out = (unsigned)v;
	return true;
}

/* Write the HTML report to path.tmp, then rename it over path. */
static int write_html(const struct mm_report *rep, const char *path)
{
	char tmp[4096];
	FILE *f;
	int fd, r, e;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		mm_die_msg("--html %s: path too long", path);
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		mm_die_msg("--html: %s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	r = mm_report_html(rep, f);
	e = errno;
	if (fclose(f) != 0 && r >= 0) {
		r = MM_ERR_IO;
		e = errno;
	}
	if (r >= 0 && rename(tmp, path) != 0) {
		r = MM_ERR_IO;
		e = errno;
	}
	if (r < 0) {
		mm_die_msg("--html: writing %s: %s", path,
			   r == MM_ERR_IO ? strerror(e) : mm_strerror(r));
		unlink(tmp);
		return -1;
	}
	return 0;
}

int cmd_logs(int argc, char **argv)
{
	struct mm_analyze_opts o;
	struct logs_ctx c;
	struct mm_analysis *a = NULL;
	struct mm_report rep;
	struct mm_prefix src[MAX_SRC_FILTERS];
	struct pending_setting pend[64];
	struct mm_err err = {0};
	const char *config = NULL, *journal_dir = NULL, *color = "auto", *html = NULL;
	bool journal = false, rotated = false, host_logs = false, no_geo = false, rdns = false;
	char geo_dir[512] = "", country_db[512] = "", asn_db[512] = "", dns_server[512] = "";
	char dnsbl[1024] = "", country[3] = "";
	int dns_timeout = 0;
	double t_read = 0, t_report = 0, t_enrich = 0, t_render = 0;
	size_t npend = 0, nsrc = 0, i;
	int64_t now_us;
	int ch, idx = 0, failed = 0, rc = MM_EXIT_OK, r;
	unsigned u;

	mm_analyze_opts_defaults(&o);
	memset(&c, 0, sizeof(c));
	mm_buf_init(&c.line, (size_t)1 << 20);
	c.progress = mm_progress_enabled();
	clock_gettime(CLOCK_MONOTONIC, &c.start);
	now_us = (int64_t)time(NULL) * 1000000;

	while ((ch = getopt_long(argc, argv, "h", long_opts, &idx)) != -1) {
		switch (ch) {
		case 'h':
			usage_logs(stdout);
			rc = MM_EXIT_OK;
			goto out;
		case OPT_JSON:
			c.mode = OUT_JSON;
			break;
		case OPT_EVENTS:
			c.mode = OUT_EVENTS;
			break;
		case OPT_FINDINGS:
			c.mode = OUT_FINDINGS;
			break;
		case OPT_HTML:
			html = optarg;
			break;
		case OPT_JOURNAL:
			journal = true;
			break;
		case OPT_JOURNAL_DIR:
			journal = true;
			journal_dir = optarg;
			break;
		case OPT_ROTATED:
			rotated = true;
			break;
		case OPT_CONFIG:
			config = optarg;
			break;
		case OPT_SINCE:
		case OPT_UNTIL:
			if (mm_time_parse_arg(optarg, now_us,
					      ch == OPT_SINCE ? &o.since : &o.until) < 0) {
				mm_die_msg("--%s: expected ISO 8601 time or -DURATION (like -2h), "
					   "got '%s'",
					   ch == OPT_SINCE ? "since" : "until", optarg);
				rc = MM_EXIT_USAGE;
				goto out;
			}
			break;
		case OPT_SRC:
			if (nsrc >= MAX_SRC_FILTERS) {
				mm_die_msg("--src: at most %d prefixes", MAX_SRC_FILTERS);
				rc = MM_EXIT_USAGE;
				goto out;
			}
			if (mm_prefix_parse(optarg, strlen(optarg), &src[nsrc]) < 0) {
				mm_die_msg("--src: expected an address or CIDR prefix, got '%s'",
					   optarg);
				rc = MM_EXIT_USAGE;
				goto out;
			}
			nsrc++;
			break;
		case OPT_PORT:
			if (!parse_uint(optarg, 65535, &u)) {
				mm_die_msg("--port: expected 0-65535, got '%s'", optarg);
				rc = MM_EXIT_USAGE;
				goto out;
			}
			o.port = (int)u;
			break;
		case OPT_PROTO:
			if ((o.proto = mm_proto_parse(optarg)) < 0) {
				mm_die_msg("--proto: expected tcp, udp, icmp, ipv6-icmp or 0-255, "
					   "got '%s'",
					   optarg);
				rc = MM_EXIT_USAGE;
				goto out;
			}
			break;
		case OPT_TOP:
			if (!parse_uint(optarg, 1000, &u)) {
				mm_die_msg("--top: expected 0-1000, got '%s'", optarg);
				rc = MM_EXIT_USAGE;
				goto out;
			}
			o.top_n = u;
			break;
		case OPT_COLOR:
			if (strcmp(optarg, "auto") && strcmp(optarg, "always") &&
			    strcmp(optarg, "never")) {
				mm_die_msg("--color: expected auto, always or never, got '%s'",
					   optarg);
				rc = MM_EXIT_USAGE;
				goto out;
			}
			color = optarg;
			break;
		case OPT_NO_PROGRESS:
			c.progress = false;
			break;
		case OPT_GEO_DIR:
		case OPT_COUNTRY_DB:
		case OPT_ASN_DB:
		case OPT_DNS_SERVER:
			if (!copy_arg(ch == OPT_GEO_DIR	     ? geo_dir
				      : ch == OPT_COUNTRY_DB ? country_db
				      : ch == OPT_ASN_DB     ? asn_db
							     : dns_server,
				      sizeof(geo_dir), optarg)) {
				mm_die_msg("--%s: too long", long_opts[idx].name);
				rc = MM_EXIT_USAGE;
				goto out;
			}
			break;
		case OPT_NO_GEO:
			no_geo = true;
			break;
		case OPT_COUNTRY:
			if (strlen(optarg) != 2 || !isalpha((unsigned char)optarg[0]) ||
			    !isalpha((unsigned char)optarg[1])) {
				mm_die_msg("--country: expected a two-letter ISO 3166 code like "
					   "JP, got '%s'",
					   optarg);
				rc = MM_EXIT_USAGE;
				goto out;
			}
			country[0] = (char)toupper((unsigned char)optarg[0]);
			country[1] = (char)toupper((unsigned char)optarg[1]);
			break;
		case OPT_DNSBL:
			if (strlen(dnsbl) + strlen(optarg) + 2 > sizeof(dnsbl)) {
				mm_die_msg("--dnsbl: too many zones");
				rc = MM_EXIT_USAGE;
				goto out;
			}
			if (dnsbl[0])
				strcat_bounded(dnsbl, sizeof(dnsbl), ",");
			strcat_bounded(dnsbl, sizeof(dnsbl), optarg);
			break;
		case OPT_RDNS:
			rdns = true;
			break;
		case OPT_DNS_TIMEOUT:
			if (!parse_uint(optarg, 600000, &u) || u == 0) {
				mm_die_msg("--dns-timeout: expected 1-600000 ms, got '%s'", optarg);
				rc = MM_EXIT_USAGE;
				goto out;
			}
			dns_timeout = (int)u;
			break;
		case OPT_THREADS:
			if (!parse_uint(optarg, 4, &u)) {
				mm_die_msg("--threads: expected 0 (one per CPU) to 4, got '%s'",
					   optarg);
				rc = MM_EXIT_USAGE;
				goto out;
			}
			o.threads = u;
			break;
		case OPT_SETTING:
			if (npend >= sizeof(pend) / sizeof(pend[0])) {
				mm_die_msg("too many options");
				rc = MM_EXIT_USAGE;
				goto out;
			}
			pend[npend].key = long_opts[idx].name;
			pend[npend].value = optarg;
			npend++;
			break;
		default:
			fprintf(stderr, "see 'mamori help logs'\n");
			rc = MM_EXIT_USAGE;
			goto out;
		}
	}

	r = mm_config_load(config ? config : MM_CONFIG_DEFAULT, &o, &err);
	if (r < 0 && !(r == MM_ERR_NOTFOUND && !config)) {
		mm_die_msg("%s", err.msg);
		rc = MM_EXIT_USAGE;
		goto out;
	}
	for (i = 0; i < npend; i++) {
		if (mm_config_set(&o, pend[i].key, pend[i].value, &err) < 0) {
			mm_die_msg("--%s", err.msg);
			rc = MM_EXIT_USAGE;
			goto out;
		}
	}
	apply_enrich_flags(&o.enrich, geo_dir, country_db, asn_db, no_geo, country, dnsbl, rdns,
			   dns_server, dns_timeout);
	o.src = src;
	o.nsrc = nsrc;
	o.ud = &c;
	o.on_progress = on_progress;
	if (c.mode == OUT_EVENTS)
		o.on_event = on_event;

	a = mm_analysis_new(&o);
	if (!a) {
		mm_die_msg("out of memory");
		rc = MM_EXIT_INTERNAL;
		goto out;
	}
	if (optind == argc && !journal) {
		host_logs = true;
		if (add_host_logs(&c, a, &failed) == 0) {
			no_host_logs_hint();
			rc = MM_EXIT_OK;
			goto out;
		}
	}
	if (journal && mm_analysis_add_journal(a, journal_dir, &err) < 0) {
		mm_die_msg("journal: %s", err.msg);
		failed++;
	}
	for (; optind < argc; optind++)
		add_input(&c, a, argv[optind], rotated, &failed);
	t_read = elapsed(&c.start);
	if ((r = mm_analysis_run(a)) < 0) {
		mm_die_msg("%s", mm_strerror(r));
		rc = MM_EXIT_INTERNAL;
		goto out;
	}
	failed += r;
	if (c.progress_shown)
		fputs("\r\033[K", stderr);

	t_read = elapsed(&c.start) - t_read;
	t_report = elapsed(&c.start);
	if ((r = mm_analysis_report(a, &rep)) < 0) {
		mm_die_msg("building the report: %s", mm_strerror(r));
		rc = MM_EXIT_INTERNAL;
		goto out;
	}
	t_report = elapsed(&c.start) - t_report;
	t_enrich = elapsed(&c.start);
	if (c.mode != OUT_EVENTS && (r = mm_analysis_enrich(a, &o.enrich, &rep)) < 0) {
		mm_die_msg("enriching the report: %s", mm_strerror(r));
		rc = MM_EXIT_INTERNAL;
		goto out;
	}
	for (i = 0; i < rep.ninputs; i++)
		if (rep.inputs[i].error)
			mm_die_msg("%s", rep.inputs[i].errmsg);
	if (host_logs && rep.lines.lines == 0)
		no_host_logs_hint();
	t_enrich = elapsed(&c.start) - t_enrich;
	t_render = elapsed(&c.start);
	switch (c.mode) {
	case OUT_TEXT:
		r = mm_report_text(
		    &rep, stdout,
		    strcmp(color, "always") == 0 ||
			(strcmp(color, "auto") == 0 && isatty(1) && !getenv("NO_COLOR")),
		    isatty(1) ? term_width() : 160);
		break;
	case OUT_JSON:
		r = mm_report_json(&rep, stdout);
		break;
	case OUT_FINDINGS:
		for (i = 0, r = 0; i < rep.nfindings && r >= 0; i++) {
			mm_buf_reset(&c.line);
			if ((r = mm_finding_to_json(&rep.findings[i], &c.line)) >= 0 &&
			    (r = mm_buf_addc(&c.line, '\n')) >= 0 &&
			    fwrite(c.line.data, 1, c.line.len, stdout) != c.line.len)
				r = MM_ERR_IO;
		}
		break;
	case OUT_EVENTS:
		r = c.write_error ? MM_ERR_IO : 0;
		break;
	}
	if (fflush(stdout) != 0 || r < 0) {
		mm_die_msg("writing the report: %s", r < 0 ? mm_strerror(r) : strerror(errno));
		rc = MM_EXIT_INTERNAL;
		goto out;
	}
	if (html && write_html(&rep, html) < 0) {
		rc = MM_EXIT_INTERNAL;
		goto out;
	}
	if (getenv("MAMORI_TIMING"))
		fprintf(stderr,
			"mamori: timing: read %.3f s, report %.3f s, enrich %.3f s, "
			"render %.3f s\n",
			t_read, t_report, t_enrich, elapsed(&c.start) - t_render);
	rc = failed ? MM_EXIT_INPUT : rep.nfindings ? MM_EXIT_FINDINGS : MM_EXIT_OK;
out:
	mm_analysis_free(a);
	mm_buf_release(&c.line);
	for (i = 0; i < c.nnames; i++)
		free(c.names[i]);
	free(c.names);
	return rc;
}
