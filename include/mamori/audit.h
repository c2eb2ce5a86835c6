/* SPDX-License-Identifier: MIT */
#ifndef MAMORI_AUDIT_H
#define MAMORI_AUDIT_H

#include <stdbool.h>
#include <stddef.h>

#include "mamori/buf.h"
#include "mamori/error.h"

/*
 * mamori audit: the server's security posture. A fixed registry of checks,
 * each with a stable ID (SSH-PASSWORD, ACC-UID0, ...), an area, a severity,
 * a title, an explanation and a fix. Running the audit produces findings
 * (a check that failed, with evidence such as "FILE:LINE: text") and notes
 * (a check that could not run, and why: needs root, file unreadable, sshd
 * failed, ...). Nothing here prints, and nothing modifies the system.
 */

enum mm_audit_area {
	MM_AUDIT_SSHD = 0,
	MM_AUDIT_ACCOUNTS,
	MM_AUDIT_FILES,
	MM_AUDIT_FIREWALL,
	MM_AUDIT_EXPOSURE,
	MM_AUDIT_UPDATES,
	MM_AUDIT_TLS,
	MM_AUDIT_NAREAS,
};

enum mm_audit_sev {
	MM_SEV_INFO = 0,
	MM_SEV_LOW,
	MM_SEV_MEDIUM,
	MM_SEV_HIGH,
};

/* One registered check (static data, never freed). */
struct mm_audit_check {
	const char *id;
	enum mm_audit_area area;
	enum mm_audit_sev sev;
	const char *title;
	const char *explain; /* why it matters */
	const char *fix;     /* what to do */
};

/* A failed check. id/title/fix point into the registry; evidence is owned. */
struct mm_audit_finding {
	const struct mm_audit_check *check;
	char *evidence;
};

/* A check (or a whole area) that did not run fully, and why. Owned text. */
struct mm_audit_note {
	enum mm_audit_area area;
	char *text;
	bool needs_root;
};

struct mm_audit_report {
	struct mm_audit_finding *findings;
	size_t nfindings, cap_findings;
	struct mm_audit_note *notes;
	size_t nnotes, cap_notes;
	unsigned areas_run; /* bit per enum mm_audit_area */
};

struct mm_audit_opts {
	unsigned areas;		 /* bit per area; 0 means all */
	const char *const *skip; /* check IDs not to report */
	size_t nskip;
	const char *root;	 /* audit this root (file-based checks only); NULL = "/" */
	const char *sshd_config; /* sshd_config path (default ROOT/etc/ssh/sshd_config) */
	const char *sshd_bin;	 /* default /usr/sbin/sshd; "" = never run sshd -T */
	int timeout_ms;		 /* per external probe; default 3000 (dnf: 10000) */
	const char *dnf_bin;	 /* RHEL family: default /usr/bin/dnf, else /usr/bin/yum */
};

/* The registry: all checks, in report order. */
const struct mm_audit_check *mm_audit_checks(size_t *n);
/* A check by ID (case-insensitive); NULL when unknown. */
const struct mm_audit_check *mm_audit_check_find(const char *id);
/* "sshd", "accounts", "files", "firewall", "exposure". */
const char *mm_audit_area_name(enum mm_audit_area a);
/* Area by name; -1 when unknown. */
int mm_audit_area_parse(const char *name);
/* "info", "low", "medium", "high". */
const char *mm_audit_sev_name(enum mm_audit_sev s);
/* Severity by name; -1 when unknown. */
int mm_audit_sev_parse(const char *name);

/*
 * Run the audit. rep is initialised here and must be released with
 * mm_audit_report_release() whatever the result. Returns 0, or a negative
 * MM_ERR_* code (only for out-of-memory or bad options; problems with the
 * system being audited become notes or findings).
 */
int mm_audit_run(const struct mm_audit_opts *opts, struct mm_audit_report *rep, struct mm_err *err);
void mm_audit_report_release(struct mm_audit_report *rep);

/* 0..100: 100 minus weighted findings (high 15, medium 6, low 2). */
int mm_audit_score(const struct mm_audit_report *rep);
/* Highest finding severity, or -1 when there are no findings. */
int mm_audit_max_sev(const struct mm_audit_report *rep);
/* The report as one JSON object (findings, notes, score). */
int mm_audit_to_json(const struct mm_audit_report *rep, struct mm_buf *out);

/*
 * sshd_config reader (exposed for tests and the fuzzer). Feed the text of
 * one file; records keyword/value pairs with sshd's first-value-wins rule
 * (keywords that may repeat, such as ListenAddress and HostKey, keep every
 * value). Include lines are handed to the include callback. Lines inside a
 * Match block (other than "Match all") are recorded as conditional.
 */
struct mm_sshcfg_entry {
	char *key;   /* lower case */
	char *value; /* as written, surrounding blanks removed */
	char *file;
	unsigned line;
	bool in_match;
	char *match; /* the Match criteria when in_match ("User bob"), else NULL */
};

struct mm_sshcfg {
	struct mm_sshcfg_entry *v;
	size_t n, cap;
	unsigned depth; /* include depth */
	/* called for each Include pattern outside Match; may recurse into feed */
	int (*include)(struct mm_sshcfg *cfg, const char *pattern, void *ctx);
	void *ctx;
	unsigned nmatch; /* Match blocks seen */
	unsigned nbad;	 /* lines that were not KEY VALUE */
};

void mm_sshcfg_init(struct mm_sshcfg *cfg);
void mm_sshcfg_release(struct mm_sshcfg *cfg);
/* Parse text (n bytes, not NUL-terminated) from file name fname. */
int mm_sshcfg_feed(struct mm_sshcfg *cfg, const char *fname, const char *text, size_t n);
/* First unconditional entry for key (lower case); NULL when unset. */
const struct mm_sshcfg_entry *mm_sshcfg_get(const struct mm_sshcfg *cfg, const char *key);

#endif
