/* SPDX-License-Identifier: MIT */
#ifndef MAMORI_ENRICH_H
#define MAMORI_ENRICH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mamori/addr.h"
#include "mamori/error.h"

/*
 * Who is behind an address: country and network from MMDB files (geo.c,
 * the only user of libmaxminddb), hosting classification (hosting.c, from
 * data/hosting-asns.tsv and organisation-name rules), DNS blocklists and
 * reverse DNS (dnsbl.c, the only user of c-ares). Enrichment runs on
 * distinct source addresses of a report, never per log line.
 */

/* ---- Country and network ------------------------------------------- */

struct mm_geo;

/*
 * Open the databases; either path may be NULL. country: an MMDB with
 * country.iso_code (GeoLite2/DB-IP) or country_code (ip-location-db).
 * asn: an MMDB with autonomous_system_number/_organization (GeoLite2-ASN,
 * or one written by mm_geo_import_asn). A file that is missing, truncated
 * or of the wrong schema is an error naming the file.
 */
int mm_geo_open(const char *country, const char *asn, struct mm_geo **out, struct mm_err *err);
void mm_geo_free(struct mm_geo *g);

struct mm_geo_info {
	bool have_country;
	char country[3]; /* ISO 3166-1 alpha-2, upper case */
	bool have_asn;
	uint32_t asn;
	char org[128]; /* AS organisation, UTF-8, may be empty */
};

/* Look an address up. Returns 0 (fields set when known) or MM_ERR_*. */
int mm_geo_lookup(const struct mm_geo *g, const struct mm_addr *a, struct mm_geo_info *out);
/* Describe the databases ("country: FILE (type, build date); asn: ..."). */
const char *mm_geo_describe(const struct mm_geo *g);

/*
 * Compile an inclusive-range CSV "start,end,asn,organization" (IPv4 and
 * IPv6, as ip-location-db publishes it; organization may be quoted) into
 * an MMDB file at out (written to out.tmp, then renamed). A bad row is an
 * error "FILE:LINE: ..." and nothing is written. Returns rows imported.
 */
int mm_geo_import_asn(const char *csv, const char *out, struct mm_err *err);

/* ---- Hosting classification ---------------------------------------- */

enum mm_hosting {
	MM_HOSTING_UNKNOWN = 0, /* no network known */
	MM_HOSTING_HOSTING,	/* hosting, cloud or VPS provider */
	MM_HOSTING_OTHER,	/* ISPs, enterprises, universities, ... */
};

struct mm_hosting_result {
	enum mm_hosting category;
	char reason[96]; /* "listed ASN 16509 (Amazon)" or "name rule 'hosting'" */
};

/* Classify by ASN and organisation name; asn 0 means unknown. */
void mm_hosting_classify(uint32_t asn, const char *org, struct mm_hosting_result *out);
const char *mm_hosting_name(enum mm_hosting h);

/* ---- DNS blocklists and reverse DNS ------------------------------- */

#define MM_DNSBL_MAX_ZONES 16

struct mm_dnsbl_zone {
	char zone[128]; /* "zen.spamhaus.org" */
	/* meaning of 127.0.0.x answers: codes[x] names it, NULL = "listed" */
	const char *codes[256];
};

struct mm_resolver_opts {
	const char *servers; /* "127.0.0.1:5353,..." or NULL for /etc/resolv.conf */
	int timeout_ms;	     /* per try, default 2000 */
	int tries;	     /* default 2 */
	int max_inflight;    /* default 64 */
};

enum mm_dns_status {
	MM_DNS_NOT_LISTED = 0, /* NXDOMAIN */
	MM_DNS_LISTED,	       /* 127.0.0.x answer */
	MM_DNS_TIMEOUT,
	MM_DNS_SERVFAIL,
	MM_DNS_ERROR, /* refused, garbage, anything else */
};

struct mm_dnsbl_result {
	enum mm_dns_status status;
	uint8_t code; /* last octet of the answer when listed */
};

struct mm_dnsbl_stats {
	uint64_t queries, listed, not_listed, timeouts, servfails, errors, cached;
};

/*
 * Query every address against every zone (IPv4 reversed octets, IPv6
 * reversed nibbles), at most max_inflight at once, each address once per
 * zone (a per-call cache). results has naddrs * nzones entries, address
 * major. Returns 0 or MM_ERR_* when the resolver could not start.
 */
int mm_dnsbl_check(const struct mm_resolver_opts *o, const struct mm_dnsbl_zone *zones,
		   size_t nzones, const struct mm_addr *addrs, size_t naddrs,
		   struct mm_dnsbl_result *results, struct mm_dnsbl_stats *st, struct mm_err *err);

struct mm_rdns_result {
	enum mm_dns_status status; /* NOT_LISTED here means: no PTR */
	char name[256];		   /* PTR name when found */
	bool confirmed;		   /* forward lookup of name gives the address back (FCrDNS) */
};

/* Reverse DNS with forward confirmation for each address. */
int mm_rdns_lookup(const struct mm_resolver_opts *o, const struct mm_addr *addrs, size_t naddrs,
		   struct mm_rdns_result *results, struct mm_err *err);

#endif
