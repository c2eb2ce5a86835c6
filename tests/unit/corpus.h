/* SPDX-License-Identifier: MIT */
#ifndef MM_TEST_CORPUS_H
#define MM_TEST_CORPUS_H

/*
 * Data-driven parser tests. A corpus file under tests/data/logs/ holds:
 *
 *   # comment               ignored, as are blank lines
 *   @mtime 2026-12-01T00:00:00Z   reference mtime for year inference (default shown)
 *   @year 2025              like --year (0 turns it off again)
 *   @reset                  fresh parser (sshd sessions forgotten)
 *   < RAW LINE              fed to mm_logparser_line() as is
 *   <\ RAW\x00LINE          same, with C escapes \xHH \t \\ decoded
 *   > {"time":...}          the event expected from the previous input,
 *                           as mm_event_to_json(ev, false), or
 *   > none                  no event expected
 *
 * Every input line must be followed by one expectation per event: a line
 * that folds repeats ("message repeated N times") gives N events, the
 * first from mm_logparser_line() and the others from mm_logparser_next(),
 * so it is followed by N expectations. Returns the
 * number of mismatches (each printed as FILE:LINE with got/expected) or -1
 * when the corpus itself is malformed.
 */
int mm_corpus_run(const char *path);
/* Absolute path of a file under tests/data (uses $MM_SRCDIR). */
const char *mm_test_data(const char *rel);

/*
 * A case file: "== TITLE", the input lines, "--", the expected lines
 * (each starting with one of marks). A body line that starts with the two
 * characters \r is input ending in CR; with crlf_titles, every body line
 * of a case whose title says CRLF ends in CR. run() gets each case and
 * returns how many of its checks failed. Returns the failures, or -1 for a
 * malformed case file (said on stderr); *ncases counts the cases.
 */
#include <stdbool.h>
#include "mamori/buf.h"
typedef int (*mm_case_fn)(const char *path, unsigned long at, const char *title,
			  struct mm_buf *text, struct mm_buf *want);
int mm_case_file_run(const char *path, const char *marks, bool crlf_titles, mm_case_fn run,
		     int *ncases);

#endif
