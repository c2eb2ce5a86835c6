/* SPDX-License-Identifier: MIT */
#ifndef MM_ENRICH_MMDB_WRITE_H
#define MM_ENRICH_MMDB_WRITE_H

/*
 * Internal to lib/enrich (and its tests): a small MaxMind DB writer
 * (https://maxmind.github.io/MaxMind-DB/) and the ip-location-db ASN CSV
 * row parser. Not part of the public API.
 *
 * The writer builds an IPv6 tree (ip_version 6); IPv4 networks live at
 * ::a.b.c.d/96+len, where libmaxminddb's ipv4_start_node finds them, and
 * ::ffff:0:0/96 is aliased to that subtree when nothing else is there.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mamori/addr.h"
#include "mamori/buf.h"
#include "mamori/error.h"

enum mm_mmdb_ftype {
	MM_MMDB_STR, /* UTF-8 string: str */
	MM_MMDB_U16, /* u, at most 0xffff */
	MM_MMDB_U32, /* u, at most 0xffffffff */
	MM_MMDB_U64, /* u */
	MM_MMDB_MAP, /* sub[0..nsub) */
};

/* One key/value pair of a data record (a map). */
struct mm_mmdb_field {
	const char *key;
	enum mm_mmdb_ftype type;
	const char *str;
	uint64_t u;
	const struct mm_mmdb_field *sub;
	size_t nsub;
};

struct mm_mmdb_writer;

/*
 * New writer. database_type goes in the metadata ("mamori-asn"), so does
 * description (English; may be NULL). record_size 0 picks the smallest of
 * 24, 28 and 32 bits that fits; 24, 28 or 32 forces one (tests).
 */
int mm_mmdb_writer_new(const char *database_type, const char *description, unsigned record_size,
		       struct mm_mmdb_writer **out);
void mm_mmdb_writer_free(struct mm_mmdb_writer *w);
/* Fix the build epoch written in the metadata (default: now). */
void mm_mmdb_writer_set_epoch(struct mm_mmdb_writer *w, uint64_t epoch);

/*
 * Add a data record (a map of n fields); identical records are stored
 * once. Returns a record id (>= 0) for the insert calls, or MM_ERR_*
 * (MM_ERR_INVAL for an empty key, a string that is not UTF-8, a number
 * out of its type's range, maps nested deeper than 8).
 */
int mm_mmdb_writer_record(struct mm_mmdb_writer *w, const struct mm_mmdb_field *f, size_t n);

/*
 * Map the inclusive range [first, last] (same family, first <= last) to
 * record id; the range is split into CIDR prefixes. A later insert
 * overwrites what an earlier one put at the same addresses. Returns the
 * number of prefixes inserted, or MM_ERR_*.
 */
int mm_mmdb_writer_insert_range(struct mm_mmdb_writer *w, const struct mm_addr *first,
				const struct mm_addr *last, int id);
int mm_mmdb_writer_insert_prefix(struct mm_mmdb_writer *w, const struct mm_prefix *p, int id);

/* Serialise the database into out (appended). Returns 0 or MM_ERR_*. */
int mm_mmdb_writer_finish(struct mm_mmdb_writer *w, struct mm_buf *out);
/* Serialise into path.tmp, fsync, rename to path. err names the file. */
int mm_mmdb_writer_write_file(struct mm_mmdb_writer *w, const char *path, struct mm_err *err);

/* ---- ip-location-db ASN CSV ---------------------------------------- */

#define MM_ASN_ORG_MAX 512

struct mm_asn_row {
	struct mm_addr start, end; /* same family, start <= end */
	uint32_t asn;
	size_t org_len;
	char org[MM_ASN_ORG_MAX]; /* unquoted, NUL-terminated, valid UTF-8 */
};

/*
 * Parse one line (without its newline; a trailing CR is ignored) of
 * "start,end,asn,organization". Returns 1 and fills row, 0 for a line to
 * skip (empty, or the header "ip_range_start,..."/"start,..." when
 * first_line), or MM_ERR_PARSE with *what set to a static reason.
 */
int mm_asn_csv_parse_line(const char *p, size_t n, bool first_line, struct mm_asn_row *row,
			  const char **what);

#endif
