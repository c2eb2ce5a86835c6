/* SPDX-License-Identifier: MIT */
/* being written */
extern int mm_report_placeholder_report_json;
