/* SPDX-License-Identifier: MIT */
/*
 * mkcountry OUT.mmdb < ranges: write a country MMDB in ip-location-db's
 * schema (country_code) from lines "START,END,CC", for CLI tests.
 */
#include <stdio.h>
#include <string.h>

#include "lib/enrich/mmdb_write.h"

int main(int argc, char **argv)
{
	struct mm_mmdb_writer *w = NULL;
	struct mm_err err = {0};
	char line[256];
	int id, rc = 1;

	if (argc != 2 || mm_mmdb_writer_new("mamori-test-country", "test data", 24, &w) < 0)
		return 2;
	while (fgets(line, sizeof(line), stdin)) {
		char *a = line, *b = strchr(a, ','), *c = b ? strchr(b + 1, ',') : NULL;
		struct mm_addr first, last;
		struct mm_mmdb_field f = {.key = "country_code", .type = MM_MMDB_STR};
		if (!b || !c)
			goto out;
		*b++ = '\0';
		*c++ = '\0';
		c[strcspn(c, "\r\n")] = '\0';
		f.str = c;
		if (mm_addr_parse(a, strlen(a), &first) < 0 ||
		    mm_addr_parse(b, strlen(b), &last) < 0)
			goto out;
		if ((id = mm_mmdb_writer_record(w, &f, 1)) < 0 ||
		    mm_mmdb_writer_insert_range(w, &first, &last, id) < 0)
			goto out;
	}
	if (mm_mmdb_writer_write_file(w, argv[1], &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		goto out;
	}
	rc = 0;
out:
	mm_mmdb_writer_free(w);
	return rc;
}
