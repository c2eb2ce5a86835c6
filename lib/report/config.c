/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <string.h>

#include "mamori/config.h"
#include "mamori/cursor.h"

/*
 * Settings are table-driven: one row per key, naming the field and its
 * type, so the config file, the command-line flags and the man page list
 * the same names.
 */
enum kind { K_COUNT, K_DURATION, K_BYTES, K_YEAR };

struct setting {
	const char *key;
	enum kind kind;
	size_t off; /* offset in struct mm_analyze_opts */
};

#define OPT(f) offsetof(struct mm_analyze_opts, f)
static const struct setting settings[] = {
	{"portscan_ports", K_COUNT, OPT(detect.portscan_ports)},
	{"portscan_window", K_DURATION, OPT(detect.portscan_window)},
	{"sweep_hosts", K_COUNT, OPT(detect.sweep_hosts)},
	{"sweep_window", K_DURATION, OPT(detect.sweep_window)},
	{"service_sources", K_COUNT, OPT(detect.service_sources)},
	{"ssh_failures", K_COUNT, OPT(detect.ssh_failures)},
	{"ssh_window", K_DURATION, OPT(detect.ssh_window)},
	{"ssh_users", K_COUNT, OPT(detect.ssh_users)},
	{"ssh_slow_failures", K_COUNT, OPT(detect.ssh_slow_failures)},
	{"ssh_slow_window", K_DURATION, OPT(detect.ssh_slow_window)},
	{"fanout_hosts", K_COUNT, OPT(detect.fanout_hosts)},
	{"fanout_window", K_DURATION, OPT(detect.fanout_window)},
	{"max_keys", K_COUNT, OPT(detect.max_keys)},
	{"max_sources", K_COUNT, OPT(max_sources)},
	{"max_line", K_BYTES, OPT(max_line)},
	{"year", K_YEAR, OPT(year)},
};

static bool key_eq(const char *a, const char *b)
{
	/* "portscan-ports" (flag) and "portscan_ports" (file) are the same key */
	for (; *a && *b; a++, b++) {
		char x = *a == '-' ? '_' : *a, y = *b == '-' ? '_' : *b;
		if (x != y)
			return false;
	}
	return *a == *b;
}

int mm_config_set(struct mm_analyze_opts *o, const char *key, const char *value,
		  struct mm_err *err)
{
	const struct setting *s = NULL;
	struct mm_cur c = mm_cur_make(value, strlen(value));
	uint64_t v;
	int64_t d;
	size_t i;
	char *base = (char *)o;

	for (i = 0; i < sizeof(settings) / sizeof(settings[0]); i++)
		if (key_eq(settings[i].key, key))
			s = &settings[i];
	if (!s)
		return mm_err_set(err, MM_ERR_NOTFOUND, "unknown setting '%s'", key);
	switch (s->kind) {
	case K_COUNT:
		if (!mm_cur_u64(&c, &v, UINT32_MAX) || !mm_cur_eof(&c))
			return mm_err_set(err, MM_ERR_PARSE,
					  "%s: expected a whole number up to 4294967295, got '%s'",
					  key, value);
		*(uint32_t *)(base + s->off) = (uint32_t)v;
		break;
	case K_DURATION:
		if (mm_duration_parse(value, &d) < 0)
			return mm_err_set(err, MM_ERR_PARSE,
					  "%s: expected a duration like 300, 300s, 5m, 2h or 7d, got '%s'",
					  key, value);
		*(int64_t *)(base + s->off) = d;
		break;
	case K_BYTES:
		if (!mm_cur_u64(&c, &v, (uint64_t)1 << 30))
			goto bad_bytes;
		if (mm_cur_lit(&c, "K") || mm_cur_lit(&c, "k"))
			v *= 1024;
		else if (mm_cur_lit(&c, "M"))
			v *= 1024 * 1024;
		if (!mm_cur_eof(&c) || v < 256 || v > ((uint64_t)64 << 20))
			goto bad_bytes;
		*(size_t *)(base + s->off) = (size_t)v;
		break;
	case K_YEAR:
		if (!mm_cur_u64(&c, &v, 9999) || !mm_cur_eof(&c) || (v != 0 && v < 1970))
			return mm_err_set(err, MM_ERR_PARSE, "%s: expected a year like 2026, got '%s'",
					  key, value);
		*(int *)(base + s->off) = (int)v;
		break;
	}
	return 0;
bad_bytes:
	return mm_err_set(err, MM_ERR_PARSE,
			  "%s: expected a size from 256 to 64M (suffix K or M), got '%s'", key, value);
}

struct load_ctx {
	struct mm_analyze_opts *o;
	struct mm_err *err;
	bool failed;
};

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct load_ctx *lc = user;

	if (lc->failed)
		return 0;
	if (strcmp(section, "logs") != 0) {
		mm_err_set(lc->err, MM_ERR_PARSE, "unknown section [%s]", section);
		lc->failed = true;
		return 0;
	}
	if (mm_config_set(lc->o, name, value, lc->err) < 0) {
		lc->failed = true;
		return 0;
	}
	return 1;
}

int mm_config_load(const char *path, struct mm_analyze_opts *o, struct mm_err *err)
{
	struct mm_analyze_opts tmp = *o;
	struct mm_err inner = {0};
	struct load_ctx lc = {&tmp, &inner, false};
	FILE *f;
	int line;

	f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT)
			return mm_err_set(err, MM_ERR_NOTFOUND, "%s: no such file", path);
		return mm_err_set(err, MM_ERR_IO, "%s: %s", path, strerror(errno));
	}
	line = ini_parse_file(f, handler, &lc);
	fclose(f);
	if (line < 0)
		return mm_err_set(err, MM_ERR_IO, "%s: cannot read", path);
	if (line > 0) {
		if (lc.failed)
			return mm_err_set(err, MM_ERR_PARSE, "%s:%d: %s", path, line, inner.msg);
		return mm_err_set(err, MM_ERR_PARSE, "%s:%d: syntax error (expected key = value)",
				  path, line);
	}
	/* only a file that parsed completely is applied */
	*o = tmp;
	return 0;
}
