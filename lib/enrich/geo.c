/* SPDX-License-Identifier: MIT */
/*
 * Country and network of an address from MMDB files; the only user of
 * libmaxminddb.
 *
 * Country databases come in two schemas: MaxMind's (GeoLite2, DB-IP
 * Lite: country.iso_code, with registered_country.iso_code for networks
 * whose users' country is unknown) and ip-location-db's flat
 * country_code. Which one a file uses is found once at open by reading a
 * few of its records, so a lookup asks exactly one path. ASN databases
 * (GeoLite2-ASN, mamori's own import) carry autonomous_system_number and
 * autonomous_system_organization.
 *
 * Lookups hand libmaxminddb a sockaddr built from the address bytes: no
 * text conversion, no getaddrinfo. An IPv4 address in an IPv6 tree is
 * found under ::/96 through the library's ipv4_start_node.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include <maxminddb.h>

#include "mamori/buf.h"
#include "mamori/enrich.h"

enum schema { S_NONE = 0, S_MAXMIND, S_FLAT, S_ASN };

struct db {
	MMDB_s mmdb;
	bool open;
	enum schema schema;
};

struct mm_geo {
	struct db country, asn;
	char desc[1024];
};

static const char *const path_cc_flat[] = {"country_code", NULL};
static const char *const path_cc[] = {"country", "iso_code", NULL};
static const char *const path_cc_reg[] = {"registered_country", "iso_code", NULL};
static const char *const path_asn[] = {"autonomous_system_number", NULL};
static const char *const path_org[] = {"autonomous_system_organization", NULL};

/* How many data records (and nodes) the schema probe reads at most. */
#define PROBE_RECORDS 32
#define PROBE_NODES 4096

static bool has_value(MMDB_entry_s *e, const char *const *path, uint32_t type)
{
	MMDB_entry_data_s d;

	if (MMDB_aget_value(e, &d, path) != MMDB_SUCCESS || !d.has_data)
		return false;
	if (type == MMDB_DATA_TYPE_UINT32)
		return d.type == MMDB_DATA_TYPE_UINT16 || d.type == MMDB_DATA_TYPE_UINT32 ||
		       d.type == MMDB_DATA_TYPE_UINT64;
	return d.type == type;
}

/* What the first data records of the tree hold (depth first from the root). */
static enum schema probe(MMDB_s *m, bool want_asn, int *records)
{
	uint32_t stack[PROBE_NODES], top = 0, seen = 0;

	*records = 0;
	stack[top++] = 0;
	while (top > 0 && seen < PROBE_NODES && *records < PROBE_RECORDS) {
		MMDB_search_node_s node;
		uint32_t idx = stack[--top];
		int side;

		seen++;
		if (MMDB_read_node(m, idx, &node) != MMDB_SUCCESS)
			break;
		/* right first on the stack, so the left subtree is read first */
		for (side = 1; side >= 0; side--) {
			uint64_t rec = side ? node.right_record : node.left_record;
			uint8_t type = side ? node.right_record_type : node.left_record_type;
			MMDB_entry_s e = side ? node.right_record_entry : node.left_record_entry;

			if (type == MMDB_RECORD_TYPE_SEARCH_NODE) {
				if (top < PROBE_NODES)
					stack[top++] = (uint32_t)rec;
				continue;
			}
			if (type != MMDB_RECORD_TYPE_DATA)
				continue;
			(*records)++;
			if (want_asn) {
				if (has_value(&e, path_asn, MMDB_DATA_TYPE_UINT32))
					return S_ASN;
			} else if (has_value(&e, path_cc, MMDB_DATA_TYPE_UTF8_STRING) ||
				   has_value(&e, path_cc_reg, MMDB_DATA_TYPE_UTF8_STRING)) {
				return S_MAXMIND;
			} else if (has_value(&e, path_cc_flat, MMDB_DATA_TYPE_UTF8_STRING)) {
				return S_FLAT;
			}
		}
	}
	return S_NONE;
}

static bool contains_ci(const char *s, const char *lit)
{
	size_t n = strlen(lit);

	for (; s && *s; s++)
		if (strncasecmp(s, lit, n) == 0)
			return true;
	return false;
}

static int open_db(struct db *d, const char *path, bool want_asn, struct mm_err *err)
{
	const char *kind = want_asn ? "an ASN" : "a country";
	const char *type;
	int st, records, e;

	errno = 0;
	st = MMDB_open(path, MMDB_MODE_MMAP, &d->mmdb);
	if (st != MMDB_SUCCESS) {
		e = errno;
		if (st == MMDB_FILE_OPEN_ERROR || st == MMDB_IO_ERROR)
			return mm_err_set(err, e == ENOENT ? MM_ERR_NOTFOUND : MM_ERR_IO,
					  "%s: cannot read: %s", path,
					  e ? strerror(e) : MMDB_strerror(st));
		if (st == MMDB_OUT_OF_MEMORY_ERROR)
			return mm_err_set(err, MM_ERR_NOMEM, "%s: out of memory", path);
		if (st == MMDB_INVALID_METADATA_ERROR || st == MMDB_UNKNOWN_DATABASE_FORMAT_ERROR)
			return mm_err_set(err, MM_ERR_PARSE,
					  "%s: not a MaxMind DB file, or truncated (%s)", path,
					  MMDB_strerror(st));
		return mm_err_set(err, MM_ERR_PARSE,
				  "%s: damaged or truncated MaxMind DB file (%s)", path,
				  MMDB_strerror(st));
	}
	d->open = true;
	type = d->mmdb.metadata.database_type ? d->mmdb.metadata.database_type : "";
	/* the type names the other kind only: refuse before reading records */
	if (!want_asn && contains_ci(type, "asn") && !contains_ci(type, "country") &&
	    !contains_ci(type, "city"))
		return mm_err_set(err, MM_ERR_INVAL,
				  "%s: an ASN database (type '%s'), not a country database", path,
				  type);
	if (want_asn && !contains_ci(type, "asn") &&
	    (contains_ci(type, "country") || contains_ci(type, "city")))
		return mm_err_set(err, MM_ERR_INVAL,
				  "%s: a country database (type '%s'), not an ASN database", path,
				  type);
	d->schema = probe(&d->mmdb, want_asn, &records);
	if (d->schema == S_NONE) {
		if (records == 0)
			return mm_err_set(err, MM_ERR_PARSE,
					  "%s: database (type '%s') holds no records", path, type);
		return mm_err_set(
		    err, MM_ERR_INVAL, "%s: not %s database: type '%s' has no %s in its records",
		    path, kind, type,
		    want_asn ? "autonomous_system_number" : "country.iso_code or country_code");
	}
	return 0;
}

static void close_db(struct db *d)
{
	if (d->open)
		MMDB_close(&d->mmdb);
	d->open = false;
}

static void describe_db(struct mm_buf *b, const char *what, const char *path, const struct db *d)
{
	time_t t = (time_t)d->mmdb.metadata.build_epoch;
	struct tm tm;
	char date[32] = "?";

	if (gmtime_r(&t, &tm))
		strftime(date, sizeof(date), "%Y-%m-%d", &tm);
	mm_buf_addf(b, "%s%s: %s (%s, %s, built %s)", b->len ? "; " : "", what, path,
		    d->mmdb.metadata.database_type ? d->mmdb.metadata.database_type : "?",
		    d->schema == S_MAXMIND ? "country.iso_code"
		    : d->schema == S_FLAT  ? "country_code"
					   : "autonomous_system_*",
		    date);
}

int mm_geo_open(const char *country, const char *asn, struct mm_geo **out, struct mm_err *err)
{
	struct mm_geo *g;
	struct mm_buf b;
	int rc;

	*out = NULL;
	g = calloc(1, sizeof(*g));
	if (!g)
		return mm_err_set(err, MM_ERR_NOMEM, "out of memory");
	mm_buf_init(&b, sizeof(g->desc) - 1);
	if (country) {
		rc = open_db(&g->country, country, false, err);
		if (rc < 0)
			goto fail;
		describe_db(&b, "country", country, &g->country);
	}
	if (asn) {
		rc = open_db(&g->asn, asn, true, err);
		if (rc < 0)
			goto fail;
		describe_db(&b, "asn", asn, &g->asn);
	}
	snprintf(g->desc, sizeof(g->desc), "%s", b.len ? b.data : "no geo databases");
	mm_buf_release(&b);
	*out = g;
	return 0;
fail:
	mm_buf_release(&b);
	mm_geo_free(g);
	return rc;
}

void mm_geo_free(struct mm_geo *g)
{
	if (!g)
		return;
	close_db(&g->country);
	close_db(&g->asn);
	free(g);
}

const char *mm_geo_describe(const struct mm_geo *g)
{
	return g ? g->desc : "no geo databases";
}

/* Find the address's record; 1 found, 0 not, MM_ERR_PARSE on a damaged tree. */
static int find(const MMDB_s *m, const struct sockaddr *sa, MMDB_entry_s *e)
{
	MMDB_lookup_result_s r;
	int st = MMDB_SUCCESS;

	r = MMDB_lookup_sockaddr(m, sa, &st);
	if (st == MMDB_IPV6_LOOKUP_IN_IPV4_DATABASE_ERROR)
		return 0;
	if (st != MMDB_SUCCESS)
		return MM_ERR_PARSE;
	if (!r.found_entry)
		return 0;
	*e = r.entry;
	return 1;
}

static int get_country(MMDB_entry_s *e, const char *const *path, char cc[3])
{
	MMDB_entry_data_s d;
	int st = MMDB_aget_value(e, &d, path);

	if (st == MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR)
		return 0;
	if (st != MMDB_SUCCESS)
		return MM_ERR_PARSE;
	if (!d.has_data || d.type != MMDB_DATA_TYPE_UTF8_STRING || d.data_size != 2)
		return 0;
	for (int i = 0; i < 2; i++) {
		char ch = d.utf8_string[i];
		if (ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 'a' + 'A');
		if (ch < 'A' || ch > 'Z')
			return 0;
		cc[i] = ch;
	}
	cc[2] = '\0';
	return 1;
}

static int get_asn(MMDB_entry_s *e, struct mm_geo_info *out)
{
	MMDB_entry_data_s d;
	int st = MMDB_aget_value(e, &d, path_asn);
	uint64_t v;

	if (st == MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR)
		return 0;
	if (st != MMDB_SUCCESS)
		return MM_ERR_PARSE;
	if (!d.has_data)
		return 0;
	switch (d.type) {
	case MMDB_DATA_TYPE_UINT16:
		v = d.uint16;
		break;
	case MMDB_DATA_TYPE_UINT32:
		v = d.uint32;
		break;
	case MMDB_DATA_TYPE_UINT64:
		v = d.uint64;
		break;
	default:
		return 0;
	}
	if (v > UINT32_MAX)
		return 0;
	out->have_asn = true;
	out->asn = (uint32_t)v;
	st = MMDB_aget_value(e, &d, path_org);
	if (st == MMDB_SUCCESS && d.has_data && d.type == MMDB_DATA_TYPE_UTF8_STRING) {
		size_t n = d.data_size;
		if (n > sizeof(out->org) - 1) {
			n = sizeof(out->org) - 1;
			/* do not cut a UTF-8 sequence */
			while (n > 0 && ((unsigned char)d.utf8_string[n] & 0xc0) == 0x80)
				n--;
		}
		memcpy(out->org, d.utf8_string, n);
		out->org[n] = '\0';
	} else if (st != MMDB_SUCCESS && st != MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR) {
		return MM_ERR_PARSE;
	}
	return 1;
}

int mm_geo_lookup(const struct mm_geo *g, const struct mm_addr *a, struct mm_geo_info *out)
{
	union {
		struct sockaddr sa;
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
	} u;
	MMDB_entry_s e;
	int rc;

	out->have_country = false;
	out->country[0] = '\0';
	out->have_asn = false;
	out->asn = 0;
	out->org[0] = '\0';
	if (!g || !a)
		return MM_ERR_INVAL;
	memset(&u, 0, sizeof(u));
	if (a->family == MM_AF_INET) {
		u.in.sin_family = AF_INET;
		memcpy(&u.in.sin_addr, a->b, 4);
	} else if (a->family == MM_AF_INET6) {
		u.in6.sin6_family = AF_INET6;
		memcpy(&u.in6.sin6_addr, a->b, 16);
	} else {
		return MM_ERR_INVAL;
	}
	if (g->country.open) {
		rc = find(&g->country.mmdb, &u.sa, &e);
		if (rc < 0)
			return rc;
		if (rc > 0) {
			if (g->country.schema == S_FLAT) {
				rc = get_country(&e, path_cc_flat, out->country);
			} else {
				rc = get_country(&e, path_cc, out->country);
				if (rc == 0)
					rc = get_country(&e, path_cc_reg, out->country);
			}
			if (rc < 0)
				return rc;
			out->have_country = rc > 0;
		}
	}
	if (g->asn.open) {
		rc = find(&g->asn.mmdb, &u.sa, &e);
		if (rc > 0)
			rc = get_asn(&e, out);
		if (rc < 0)
			return rc;
	}
	return 0;
}
