/* SPDX-License-Identifier: MIT */
/*
 * nf_events [-m MTIME] FILE: run the line pipeline (envelope, dispatch,
 * parsers) over FILE and print, for every input line, one output line:
 * the event as mm_event_to_json(ev, false), or "none". Used by the netns
 * tests to check real kernel lines until the CLI prints events itself.
 * MTIME (unix seconds, default now) anchors the year of RFC 3164 stamps.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mamori/logs.h"

int main(int argc, char **argv)
{
	struct mm_logparser *lp = NULL;
	struct mm_event ev;
	struct mm_buf out;
	const char *path;
	time_t mtime = time(NULL);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	uint64_t lineno = 0;
	FILE *f = NULL;
	int ret = 1;

	if (argc == 4 && strcmp(argv[1], "-m") == 0) {
		mtime = (time_t)strtoll(argv[2], NULL, 10);
		path = argv[3];
	} else if (argc == 2) {
		path = argv[1];
	} else {
		fprintf(stderr, "usage: nf_events [-m MTIME] FILE\n");
		return 2;
	}
	mm_buf_init(&out, 1 << 20);
	f = fopen(path, "r");
	lp = mm_logparser_new();
	if (!f || !lp) {
		perror(path);
		goto out;
	}
	mm_logparser_begin(lp, path, mtime, 0);
	while ((n = getline(&line, &cap, f)) >= 0) {
		if (n > 0 && line[n - 1] == '\n')
			n--;
		mm_buf_reset(&out);
		if (mm_logparser_line(lp, line, (size_t)n, ++lineno, &ev) == 1) {
			if (mm_event_to_json(&ev, false, &out) < 0)
				goto out;
		} else if (mm_buf_adds(&out, "none") < 0) {
			goto out;
		}
		printf("%s\n", out.data);
	}
	ret = 0;
out:
	free(line);
	if (f)
		fclose(f);
	mm_logparser_free(lp);
	mm_buf_release(&out);
	return ret;
}
