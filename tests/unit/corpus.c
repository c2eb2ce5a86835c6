/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corpus.h"
#include "mamori/logs.h"

const char *mm_test_data(const char *rel)
{
	static char path[4096];
	const char *src = getenv("MM_SRCDIR");

	snprintf(path, sizeof(path), "%s/tests/data/%s", src ? src : ".", rel);
	return path;
}

static int hexv(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode \xHH, \t, \n, \\ in place; returns the new length or -1. */
static long unescape(char *s, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (s[i] != '\\') {
			s[o++] = s[i];
			continue;
		}
		if (++i >= n)
			return -1;
		switch (s[i]) {
		case 'x':
			if (i + 2 >= n || hexv(s[i + 1]) < 0 || hexv(s[i + 2]) < 0)
				return -1;
			s[o++] = (char)(hexv(s[i + 1]) * 16 + hexv(s[i + 2]));
			i += 2;
			break;
		case 't':
			s[o++] = '\t';
			break;
		case 'n':
			s[o++] = '\n';
			break;
		case '\\':
			s[o++] = '\\';
			break;
		default:
			return -1;
		}
	}
	return (long)o;
}

int mm_corpus_run(const char *path)
{
	FILE *f = fopen(path, "r");
	struct mm_logparser *lp = NULL;
	struct mm_event ev;
	struct mm_buf got;
	char *line = NULL, *input = NULL;
	size_t cap = 0, input_n = 0;
	ssize_t len;
	unsigned long lineno = 0, input_lineno = 0, fed = 0;
	time_t mtime = 1796083200; /* 2026-12-01T00:00:00Z */
	int year = 0, fails = 0, have = 0, pending = 0;

	if (!f) {
		fprintf(stderr, "%s: cannot open\n", path);
		return -1;
	}
	mm_buf_init(&got, 1 << 20);
	lp = mm_logparser_new();
	mm_logparser_begin(lp, "corpus", mtime, year);
	while ((len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		if (line[0] == '@') {
			if (pending) {
				fprintf(stderr, "%s:%lu: input without expectation\n", path,
					input_lineno);
				fails = -1;
				break;
			}
			if (strncmp(line, "@reset", 6) == 0) {
				mm_logparser_free(lp);
				lp = mm_logparser_new();
				mm_logparser_begin(lp, "corpus", mtime, year);
			} else if (strncmp(line, "@year ", 6) == 0) {
				year = (int)strtol(line + 6, NULL, 10);
				mm_logparser_begin(lp, "corpus", mtime, year);
			} else if (strncmp(line, "@mtime ", 7) == 0) {
				struct mm_time t;
				if (mm_time_parse_iso(line + 7, strlen(line + 7), 0, &t) < 0) {
					fprintf(stderr, "%s:%lu: bad @mtime\n", path, lineno);
					fails = -1;
					break;
				}
				mtime = (time_t)(t.us / 1000000);
				mm_logparser_begin(lp, "corpus", mtime, year);
			} else {
				fprintf(stderr, "%s:%lu: unknown directive\n", path, lineno);
				fails = -1;
				break;
			}
			continue;
		}
		if (line[0] == '<') {
			size_t off = 1;
			bool esc = false;
			if (pending) {
				fprintf(stderr, "%s:%lu: input without expectation\n", path,
					input_lineno);
				fails = -1;
				break;
			}
			if (line[1] == '\\') {
				esc = true;
				off = 2;
			}
			if (line[off] == ' ')
				off++;
			free(input);
			input = malloc((size_t)len - off + 1);
			memcpy(input, line + off, (size_t)len - off + 1);
			input_n = (size_t)len - off;
			if (esc) {
				long m = unescape(input, input_n);
				if (m < 0) {
					fprintf(stderr, "%s:%lu: bad escape\n", path, lineno);
					fails = -1;
					break;
				}
				input_n = (size_t)m;
			}
			input_lineno = lineno;
			have = mm_logparser_line(lp, input, input_n, ++fed, &ev);
			mm_buf_reset(&got);
			if (have == 1)
				mm_event_to_json(&ev, false, &got);
			else
				mm_buf_adds(&got, "none");
			pending = 1;
			continue;
		}
		if (line[0] == '>') {
			const char *want = line + 1;
			if (*want == ' ')
				want++;
			if (!pending) {
				fprintf(stderr, "%s:%lu: expectation without input\n", path,
					lineno);
				fails = -1;
				break;
			}
			pending = 0;
			if (strcmp(want, got.data ? got.data : "") != 0) {
				fprintf(
				    stderr,
				    "%s:%lu: mismatch\n  input: %.*s\n  got:   %s\n  want:  %s\n",
				    path, input_lineno, (int)input_n, input, got.data, want);
				fails++;
			}
			continue;
		}
		fprintf(stderr, "%s:%lu: line must start with #, @, < or >\n", path, lineno);
		fails = -1;
		break;
	}
	if (fails >= 0 && pending) {
		fprintf(stderr, "%s:%lu: input without expectation\n", path, input_lineno);
		fails = -1;
	}
	free(line);
	free(input);
	mm_buf_release(&got);
	mm_logparser_free(lp);
	fclose(f);
	return fails;
}
