/* SPDX-License-Identifier: MIT */
/*
 * systemd journal source. Entries are rendered as RFC 3339 envelope lines
 *
 *   2026-11-21T03:12:45.123456+09:00 HOST IDENT[PID]: MESSAGE
 *   2026-11-21T03:12:45.123456+09:00 HOST kernel: MESSAGE
 *
 * so they take the same path through the envelope parser and dispatch as
 * lines from files. The second form is written only for entries the
 * journal itself received from the kernel (_TRANSPORT=kernel, a trusted
 * field no client can set): a user process that logs with
 * SYSLOG_IDENTIFIER=kernel is rendered with its real command name and pid,
 * so the pipeline sees it as user space and can call out a forged packet
 * line. Host and program are reduced to bytes an envelope can hold; the
 * message is capped and its line breaks become spaces.
 *
 * libsystemd is opened with dlopen() when a journal is first opened, not
 * linked: with libgcrypt, liblz4, liblzma, libcap and libgpg-error it cost
 * the dynamic loader about a third of every start of mamori, and only
 * `--journal` reads it. <systemd/sd-journal.h> still types every call.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-journal.h>

#include "mamori/buf.h"
#include "mamori/dl.h"
#include "mamori/logs.h"
#include "mamori/time.h"
#include "mm_config.h"

/* Every libsystemd function this file calls: one pointer each. */
#define SD_FUNCS(X)                                                                                \
	X(sd_journal_add_disjunction)                                                              \
	X(sd_journal_add_match)                                                                    \
	X(sd_journal_close)                                                                        \
	X(sd_journal_get_data)                                                                     \
	X(sd_journal_get_realtime_usec)                                                            \
	X(sd_journal_next)                                                                         \
	X(sd_journal_open)                                                                         \
	X(sd_journal_open_directory)                                                               \
	X(sd_journal_set_data_threshold)

static struct {
	SD_FUNCS(MM_DL_FIELD)
} sd_lib;
static const char *const sd_names[] = {SD_FUNCS(MM_DL_NAME)};
static struct mm_dl sd_dl =
    MM_DL_INIT(MM_SYSTEMD_SONAME, "libsystemd0", "--journal", sd_names, sd_lib);

#define sd_journal_add_disjunction (*sd_lib.sd_journal_add_disjunction)
#define sd_journal_add_match (*sd_lib.sd_journal_add_match)
#define sd_journal_close (*sd_lib.sd_journal_close)
#define sd_journal_get_data (*sd_lib.sd_journal_get_data)
#define sd_journal_get_realtime_usec (*sd_lib.sd_journal_get_realtime_usec)
#define sd_journal_next (*sd_lib.sd_journal_next)
#define sd_journal_open (*sd_lib.sd_journal_open)
#define sd_journal_open_directory (*sd_lib.sd_journal_open_directory)
#define sd_journal_set_data_threshold (*sd_lib.sd_journal_set_data_threshold)

#define MAX_MSG 8192
#define MAX_FIELD 255

struct mm_journal {
	sd_journal *j;
	struct mm_buf line;
};

/*
 * What mamori reads: packets from the kernel, sshd, and lines pretending
 * to be the kernel. Within a row one field, OR'd; rows are alternatives.
 */
static const char *const matches[][4] = {
    {"_TRANSPORT=kernel", NULL},
    {"SYSLOG_IDENTIFIER=sshd", "SYSLOG_IDENTIFIER=sshd-session", "SYSLOG_IDENTIFIER=kernel", NULL},
    {"_COMM=sshd", "_COMM=sshd-session", NULL},
};

int mm_journal_open(const char *dir, struct mm_journal **out, struct mm_err *err)
{
	struct mm_journal *jr = calloc(1, sizeof(*jr));
	const char *name = dir ? dir : "journal";
	size_t i, k;
	int r;

	*out = NULL;
	if (!jr)
		return mm_err_set(err, MM_ERR_NOMEM, "%s: out of memory", name);
	r = mm_dl_load(&sd_dl, err);
	if (r < 0) {
		free(jr);
		return r;
	}
	mm_buf_init(&jr->line, MAX_MSG + 2 * MAX_FIELD + 128);
	if (dir)
		r = sd_journal_open_directory(&jr->j, dir, 0);
	else
		r = sd_journal_open(&jr->j, SD_JOURNAL_LOCAL_ONLY);
	if (r < 0) {
		int code = r == -ENOENT || r == -ENOTDIR ? MM_ERR_NOTFOUND
			   : r == -EACCES || r == -EPERM ? MM_ERR_PERM
							 : MM_ERR_IO;

		r = mm_err_set(err, code, "%s: cannot open journal: %s", name, strerror(-r));
		goto out;
	}
	/* fields over the threshold come back truncated, which caps MESSAGE */
	sd_journal_set_data_threshold(jr->j, MAX_MSG + sizeof("MESSAGE="));
	/* sd-journal ANDs different fields unless a disjunction separates them */
	for (i = 0; i < sizeof(matches) / sizeof(matches[0]); i++) {
		if (i > 0 && (r = sd_journal_add_disjunction(jr->j)) < 0)
			goto match_failed;
		for (k = 0; matches[i][k]; k++) {
			if ((r = sd_journal_add_match(jr->j, matches[i][k], 0)) < 0)
				goto match_failed;
		}
	}
	*out = jr;
	jr = NULL;
	r = 0;
	goto out;
match_failed:
	r = mm_err_set(err, MM_ERR_INTERNAL, "%s: journal match: %s", name, strerror(-r));
out:
	mm_journal_free(jr);
	return r;
}

void mm_journal_free(struct mm_journal *jr)
{
	if (!jr)
		return;
	if (jr->j)
		sd_journal_close(jr->j);
	mm_buf_release(&jr->line);
	free(jr);
}

/* Value of field in the current entry; false when absent. */
static bool field(sd_journal *j, const char *name, struct mm_span *v)
{
	size_t nl = strlen(name), len;
	const void *data;

	if (sd_journal_get_data(j, name, &data, &len) < 0 || len <= nl ||
	    ((const char *)data)[nl] != '=')
		return false;
	v->p = (const char *)data + nl + 1;
	v->n = len - nl - 1;
	return true;
}

/* A decimal pid field, or -1. */
static int64_t pid_field(sd_journal *j, const char *name)
{
	struct mm_span v;
	int64_t pid = 0;
	size_t i;

	if (!field(j, name, &v) || v.n == 0 || v.n > 10)
		return -1;
	for (i = 0; i < v.n; i++) {
		if (v.p[i] < '0' || v.p[i] > '9')
			return -1;
		pid = pid * 10 + (v.p[i] - '0');
	}
	return pid;
}

/* Append a host or program name: printable ASCII without the envelope's delimiters. */
static int add_name(struct mm_buf *b, struct mm_span s, const char *fallback)
{
	size_t i, n = s.n > MAX_FIELD ? MAX_FIELD : s.n;
	int r;

	if (n == 0)
		return mm_buf_adds(b, fallback);
	for (i = 0; i < n; i++) {
		char c = s.p[i];

		if (c <= ' ' || c >= 0x7f || c == '[' || c == ']' || c == ':')
			c = '_';
		if ((r = mm_buf_addc(b, c)) < 0)
			return r;
	}
	return 0;
}

/*
 * Render the current entry into jr->line. A field's value is only valid
 * until the next sd_journal_get_data() (compressed fields share one
 * buffer), so each one is copied out before the next is asked for.
 */
static int render(struct mm_journal *jr, struct mm_err *err)
{
	struct mm_buf *b = &jr->line;
	struct mm_span v = {NULL, 0};
	char tbuf[MM_TIME_STRLEN];
	struct mm_time t;
	uint64_t usec;
	int64_t pid;
	bool kernel;
	size_t i;
	int r;

	if ((r = sd_journal_get_realtime_usec(jr->j, &usec)) < 0)
		return mm_err_set(err, MM_ERR_IO, "journal: entry time: %s", strerror(-r));
	t.us = (int64_t)usec;
	t.off = (int16_t)mm_local_offset(t.us / 1000000);
	t.set = true;
	kernel = field(jr->j, "_TRANSPORT", &v) && mm_span_eq(v, "kernel");
	mm_buf_reset(b);
	if ((r = mm_buf_adds(b, mm_time_format(&t, true, tbuf))) < 0 ||
	    (r = mm_buf_addc(b, ' ')) < 0)
		goto out;
	v.n = 0;
	field(jr->j, "_HOSTNAME", &v);
	if ((r = add_name(b, v, "localhost")) < 0 || (r = mm_buf_addc(b, ' ')) < 0)
		goto out;
	if (kernel) {
		if ((r = mm_buf_adds(b, "kernel: ")) < 0)
			goto out;
	} else {
		if (!field(jr->j, "SYSLOG_IDENTIFIER", &v) || mm_span_eq(v, "kernel")) {
			v.n = 0;
			field(jr->j, "_COMM", &v);
		}
		if ((r = add_name(b, v, "unknown")) < 0)
			goto out;
		pid = pid_field(jr->j, "_PID");
		if (pid < 0)
			pid = pid_field(jr->j, "SYSLOG_PID");
		/* always a pid: "name[pid]:" never reads as the kernel */
		if ((r = mm_buf_addf(b, "[%lld]: ", (long long)(pid < 0 ? 0 : pid))) < 0)
			goto out;
	}
	v.n = 0;
	field(jr->j, "MESSAGE", &v);
	if (v.n > MAX_MSG)
		v.n = MAX_MSG;
	for (i = 0; i < v.n; i++) {
		char c = v.p[i];

		if ((r = mm_buf_addc(b, c == '\n' || c == '\r' ? ' ' : c)) < 0)
			goto out;
	}
out:
	if (r < 0)
		return mm_err_set(err, r, "journal: entry too large");
	return 0;
}

int mm_journal_next(struct mm_journal *jr, const char **line, size_t *n, struct mm_err *err)
{
	int r = sd_journal_next(jr->j);

	if (r < 0)
		return mm_err_set(err, MM_ERR_IO, "journal: %s", strerror(-r));
	if (r == 0)
		return 0;
	if ((r = render(jr, err)) < 0)
		return r;
	*line = jr->line.data;
	*n = jr->line.len;
	return 1;
}
