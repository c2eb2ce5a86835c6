/* SPDX-License-Identifier: MIT */
/*
 * ev_dump FILE...: run log files through the line pipeline (envelope and
 * parsers, one parser state across all files) and print one event per line
 * as the JSON of mm_event_to_json(ev, true). Test helper for scripts that
 * check what mamori makes of real logs. Exit 0, or 1 on a read error.
 */
#include <stdio.h>
#include <stdlib.h>

#include "mamori/logs.h"

int main(int argc, char **argv)
{
	struct mm_logparser *lp = mm_logparser_new();
	struct mm_buf out;
	struct mm_err err;
	int i, ret = 0;

	if (!lp) {
		fputs("ev_dump: out of memory\n", stderr);
		return 1;
	}
	if (argc < 2) {
		fputs("usage: ev_dump FILE...\n", stderr);
		mm_logparser_free(lp);
		return 2;
	}
	mm_buf_init(&out, 1 << 20);
	for (i = 1; i < argc; i++) {
		struct mm_reader *r = NULL;
		struct mm_event ev;
		const char *line;
		size_t n;
		int k;

		if (mm_reader_open(argv[i], 1 << 16, &r, &err) < 0) {
			fprintf(stderr, "ev_dump: %s\n", err.msg);
			ret = 1;
			continue;
		}
		mm_logparser_begin(lp, argv[i], mm_reader_mtime(r), 0);
		while ((k = mm_reader_next(r, &line, &n, &err)) > 0) {
			int got = mm_logparser_line(lp, line, n, mm_reader_lineno(r), &ev);
			while (got == 1) {
				mm_buf_reset(&out);
				if (mm_event_to_json(&ev, true, &out) == 0)
					printf("%s\n", out.data);
				got = mm_logparser_next(lp, &ev);
			}
		}
		if (k < 0) {
			fprintf(stderr, "ev_dump: %s\n", err.msg);
			ret = 1;
		}
		mm_reader_free(r);
	}
	mm_buf_release(&out);
	mm_logparser_free(lp);
	return ret;
}
