/* SPDX-License-Identifier: MIT */
#ifndef MM_REPORT_FMT_H
#define MM_REPORT_FMT_H

/* Formatting shared by the text and HTML reports (internal). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mamori/detect.h"

/* 1234567 -> "1,234,567" into buf (at least 32 bytes); returns buf. */
const char *mm_fmt_num(uint64_t v, char *buf);
/* "5060/udp sip", "5060/udp", or "ssh auth failures" for proto 0. */
void mm_fmt_service(int proto, int port, char *buf, size_t n);
/* ISO 8601 of a microsecond time with the given UTC offset; returns buf. */
const char *mm_fmt_time(int64_t us, int16_t off, char *buf);
/*
 * One line saying what a finding is made of: "60 ports: 22, 23, ...",
 * "39 hosts", "12 sources", "3 user names". pretty uses ", " and an
 * ellipsis (HTML), else "," and "..." (terminal).
 */
void mm_fmt_finding_detail(const struct mm_finding *f, bool pretty, char *buf, size_t n);

#endif
