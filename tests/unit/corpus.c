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

#define MAX_GOT 64

/* Events the last input gave (as JSON, or "none"), and how many were checked. */
struct got {
	char *v[MAX_GOT];
	size_t n, checked;
};

static void got_reset(struct got *g)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		free(g->v[i]);
	g->n = g->checked = 0;
}

static void got_add(struct got *g, const char *s)
{
	if (g->n < MAX_GOT)
		g->v[g->n++] = strdup(s);
}

/* At the next input or the end: every event of the last input was expected. */
static int got_done(const char *path, unsigned long input_lineno, struct got *g)
{
	if (g->n == 0)
		return 0;
	if (g->checked == 0) {
		fprintf(stderr, "%s:%lu: input without expectation\n", path, input_lineno);
		return -1;
	}
	if (g->checked < g->n) {
		fprintf(stderr, "%s:%lu: %zu events, %zu expected; first unexpected: %s\n", path,
			input_lineno, g->n, g->checked, g->v[g->checked]);
		return 1;
	}
	return 0;
}

int mm_corpus_run(const char *path)
{
	FILE *f = fopen(path, "r");
	struct mm_logparser *lp = NULL;
	struct mm_event ev;
	struct mm_buf out;
	struct got got = {0};
	char *line = NULL, *input = NULL;
	size_t cap = 0, input_n = 0;
	ssize_t len;
	unsigned long lineno = 0, input_lineno = 0, fed = 0;
	time_t mtime = 1796083200; /* 2026-12-01T00:00:00Z */
	int year = 0, fails = 0, have = 0, r;

	if (!f) {
		fprintf(stderr, "%s: cannot open\n", path);
		return -1;
	}
	mm_buf_init(&out, 1 << 20);
	lp = mm_logparser_new();
	mm_logparser_begin(lp, "corpus", mtime, year);
	while ((len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		if (line[0] == '@') {
			if ((r = got_done(path, input_lineno, &got)) < 0) {
				fails = -1;
				break;
			}
			fails += r;
			got_reset(&got);
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
			if ((r = got_done(path, input_lineno, &got)) < 0) {
				fails = -1;
				break;
			}
			fails += r;
			got_reset(&got);
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
			/* the line's event, then any further occurrences it stands for */
			have = mm_logparser_line(lp, input, input_n, ++fed, &ev);
			if (have != 1)
				got_add(&got, "none");
			while (have == 1) {
				mm_buf_reset(&out);
				mm_event_to_json(&ev, false, &out);
				got_add(&got, out.data ? out.data : "");
				have = mm_logparser_next(lp, &ev);
			}
			continue;
		}
		if (line[0] == '>') {
			const char *want = line + 1;
			if (*want == ' ')
				want++;
			const char *g;
			if (got.n == 0) {
				fprintf(stderr, "%s:%lu: expectation without input\n", path,
					lineno);
				fails = -1;
				break;
			}
			g = got.checked < got.n ? got.v[got.checked] : "(no further event)";
			got.checked++;
			if (strcmp(want, g) != 0) {
				fprintf(
				    stderr,
				    "%s:%lu: mismatch\n  input: %.*s\n  got:   %s\n  want:  %s\n",
				    path, lineno, (int)input_n, input, g, want);
				fails++;
			}
			continue;
		}
		fprintf(stderr, "%s:%lu: line must start with #, @, < or >\n", path, lineno);
		fails = -1;
		break;
	}
	if (fails >= 0) {
		r = got_done(path, input_lineno, &got);
		fails = r < 0 ? -1 : fails + r;
	}
	got_reset(&got);
	free(line);
	free(input);
	mm_buf_release(&out);
	mm_logparser_free(lp);
	fclose(f);
	return fails;
}

int mm_case_file_run(const char *path, const char *marks, bool crlf_titles, mm_case_fn run,
		     int *ncases)
{
	FILE *f = fopen(path, "r");
	char line[4096], title[256] = "";
	unsigned long lineno = 0, at = 0;
	struct mm_buf text, want;
	int fails = 0, bad = 0;
	enum { NONE, BODY, EXPECT } mode = NONE;

	*ncases = 0;
	if (!f) {
		fprintf(stderr, "%s: cannot open\n", path);
		return -1;
	}
	mm_buf_init(&text, 1 << 16);
	mm_buf_init(&want, 1 << 16);
	for (;;) {
		char *got = fgets(line, sizeof(line), f);
		size_t n = got ? strlen(line) : 0;
		bool cr;

		if (got)
			lineno++;
		if (n && line[n - 1] == '\n')
			line[--n] = '\0';
		if (!got || strncmp(line, "== ", 3) == 0) {
			if (mode == EXPECT) {
				fails += run(path, at, title, &text, &want);
				(*ncases)++;
			} else if (mode == BODY) {
				fprintf(stderr, "%s:%lu: case without '--'\n", path, at);
				bad = 1;
			}
			if (!got)
				break;
			snprintf(title, sizeof(title), "%s", line + 3);
			at = lineno;
			mm_buf_reset(&text);
			mm_buf_reset(&want);
			mode = BODY;
			continue;
		}
		if (mode == BODY) {
			if (strcmp(line, "--") == 0) {
				mode = EXPECT;
				continue;
			}
			cr = strncmp(line, "\\r", 2) == 0;
			if (mm_buf_adds(&text, cr ? line + 2 : line) < 0 ||
			    ((cr || (crlf_titles && strstr(title, "CRLF"))) &&
			     mm_buf_addc(&text, '\r') < 0) ||
			    mm_buf_addc(&text, '\n') < 0)
				bad = 1;
		} else if (mode == EXPECT && n) {
			if (!strchr(marks, line[0]) || mm_buf_addf(&want, "%s\n", line) < 0) {
				fprintf(stderr, "%s:%lu: bad expected line\n", path, lineno);
				bad = 1;
			}
		}
	}
	fclose(f);
	mm_buf_release(&text);
	mm_buf_release(&want);
	return bad ? -1 : fails;
}
