/* SPDX-License-Identifier: MIT */
/*
 * ASN CSV rows and the MMDB writer: each newline-separated line goes
 * through mm_asn_csv_parse_line(); rows that parse become records and
 * ranges of one database, which is serialised, opened with mm_geo_open()
 * from a memfd and asked for the last row's first address (the last
 * insert always owns it). Checks the row invariants on the way.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/enrich/mmdb_write.h"
#include "mamori/enrich.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ROWS 64

static void check_db(const struct mm_buf *db, const struct mm_asn_row *last)
{
	struct mm_geo *g = NULL;
	struct mm_geo_info gi;
	struct mm_err err;
	char path[64];
	int fd = memfd_create("fuzz-asn", MFD_CLOEXEC);

	if (fd < 0)
		return;
	if (write(fd, db->data, db->len) != (ssize_t)db->len) {
		close(fd);
		return;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (mm_geo_open(NULL, path, &g, &err) < 0)
		abort(); /* the writer made a file the reader refuses */
	if (mm_geo_lookup(g, &last->start, &gi) < 0 || !gi.have_asn || gi.asn != last->asn)
		abort();
	if (strncmp(gi.org, last->org, sizeof(gi.org) - 1) != 0 &&
	    strlen(last->org) < sizeof(gi.org))
		abort();
	mm_geo_free(g);
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	struct mm_mmdb_writer *w = NULL;
	struct mm_asn_row row, last;
	struct mm_buf db;
	unsigned nrows = 0;
	bool first = true;

	if (mm_mmdb_writer_new("fuzz-asn", NULL, 0, &w) < 0)
		return 0;
	mm_buf_init(&db, 64u << 20);
	while (p < end && nrows < MAX_ROWS) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *what = NULL;
		struct mm_mmdb_field f[2];
		int rc = mm_asn_csv_parse_line(p, n, first, &row, &what), id;

		first = false;
		p += n + (nl ? 1 : 0);
		if (rc < 0) {
			if (!what || !*what)
				abort();
			continue;
		}
		if (rc == 0)
			continue;
		if (row.start.family != row.end.family || mm_addr_cmp(&row.start, &row.end) > 0 ||
		    strlen(row.org) != row.org_len || row.org_len >= MM_ASN_ORG_MAX)
			abort();
		f[0] = (struct mm_mmdb_field){
		    "autonomous_system_number", MM_MMDB_U32, NULL, row.asn, NULL, 0};
		f[1] = (struct mm_mmdb_field){
		    "autonomous_system_organization", MM_MMDB_STR, row.org, 0, NULL, 0};
		id = mm_mmdb_writer_record(w, f, 2);
		if (id < 0 || mm_mmdb_writer_insert_range(w, &row.start, &row.end, id) <= 0)
			abort(); /* a row the parser accepted must be storable */
		last = row;
		nrows++;
	}
	if (nrows > 0) {
		if (mm_mmdb_writer_finish(w, &db) < 0)
			abort();
		check_db(&db, &last);
	}
	mm_buf_release(&db);
	mm_mmdb_writer_free(w);
	return 0;
}
