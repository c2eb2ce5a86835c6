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
enum kind { K_COUNT, K_DURATION, K_BYTES, K_YEAR, K_STRING, K_BOOL, K_MS };

struct setting {
	const char *section;
	const char *key;
	enum kind kind;
	size_t off;  /* offset in struct mm_analyze_opts */
	size_t size; /* K_STRING: size of the char array */
};

#define OPT(f) offsetof(struct mm_analyze_opts, f)
static const struct setting settings[] = {
    {"logs", "portscan_ports", K_COUNT, OPT(detect.portscan_ports)},
    {"logs", "portscan_window", K_DURATION, OPT(detect.portscan_window)},
    {"logs", "sweep_hosts", K_COUNT, OPT(detect.sweep_hosts)},
    {"logs", "sweep_window", K_DURATION, OPT(detect.sweep_window)},
    {"logs", "service_sources", K_COUNT, OPT(detect.service_sources)},
    {"logs", "ssh_failures", K_COUNT, OPT(detect.ssh_failures)},
    {"logs", "ssh_window", K_DURATION, OPT(detect.ssh_window)},
    {"logs", "ssh_users", K_COUNT, OPT(detect.ssh_users)},
    {"logs", "ssh_slow_failures", K_COUNT, OPT(detect.ssh_slow_failures)},
    {"logs", "ssh_slow_window", K_DURATION, OPT(detect.ssh_slow_window)},
    {"logs", "fanout_hosts", K_COUNT, OPT(detect.fanout_hosts)},
    {"logs", "fanout_window", K_DURATION, OPT(detect.fanout_window)},
    {"logs", "max_keys", K_COUNT, OPT(detect.max_keys)},
    {"logs", "max_sources", K_COUNT, OPT(max_sources)},
    {"logs", "max_line", K_BYTES, OPT(max_line)},
    {"logs", "year", K_YEAR, OPT(year)},
    {"geo", "dir", K_STRING, OPT(enrich.geo_dir), sizeof(((struct mm_enrich_opts *)0)->geo_dir)},
    {"geo", "country_db", K_STRING, OPT(enrich.country_db),
     sizeof(((struct mm_enrich_opts *)0)->country_db)},
    {"geo", "asn_db", K_STRING, OPT(enrich.asn_db), sizeof(((struct mm_enrich_opts *)0)->asn_db)},
    {"dnsbl", "zones", K_STRING, OPT(enrich.dnsbl_zones),
     sizeof(((struct mm_enrich_opts *)0)->dnsbl_zones)},
    {"dnsbl", "codes", K_STRING, OPT(enrich.dnsbl_codes),
     sizeof(((struct mm_enrich_opts *)0)->dnsbl_codes)},
    {"dnsbl", "server", K_STRING, OPT(enrich.dns_server),
     sizeof(((struct mm_enrich_opts *)0)->dns_server)},
    {"dnsbl", "timeout", K_MS, OPT(enrich.resolver.timeout_ms)},
    {"dnsbl", "tries", K_COUNT, OPT(enrich.resolver.tries)},
    {"dnsbl", "max_inflight", K_COUNT, OPT(enrich.resolver.max_inflight)},
    {"dnsbl", "max_addresses", K_COUNT, OPT(enrich.dns_max)},
    {"dnsbl", "rdns", K_BOOL, OPT(enrich.rdns)},
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

static int set_in(struct mm_analyze_opts *o, const char *section, const char *key,
		  const char *value, struct mm_err *err)
{
	const struct setting *s = NULL;
	struct mm_cur c = mm_cur_make(value, strlen(value));
	uint64_t v;
	int64_t d;
	size_t i;
	char *base = (char *)o;

	for (i = 0; i < sizeof(settings) / sizeof(settings[0]); i++)
		if (strcmp(settings[i].section, section) == 0 && key_eq(settings[i].key, key))
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
			return mm_err_set(
			    err, MM_ERR_PARSE,
			    "%s: expected a duration like 300, 300s, 5m, 2h or 7d, got '%s'", key,
			    value);
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
	case K_STRING:
		if (strlen(value) >= s->size)
			return mm_err_set(err, MM_ERR_PARSE, "%s: longer than %zu bytes", key,
					  s->size - 1);
		memcpy(base + s->off, value, strlen(value) + 1);
		break;
	case K_BOOL:
		if (strcmp(value, "yes") == 0 || strcmp(value, "true") == 0 ||
		    strcmp(value, "1") == 0)
			*(bool *)(base + s->off) = true;
		else if (strcmp(value, "no") == 0 || strcmp(value, "false") == 0 ||
			 strcmp(value, "0") == 0)
			*(bool *)(base + s->off) = false;
		else
			return mm_err_set(err, MM_ERR_PARSE, "%s: expected yes or no, got '%s'",
					  key, value);
		break;
	case K_MS:
		if (!mm_cur_u64(&c, &v, 600000) || (!mm_cur_eof(&c) && !mm_cur_lit(&c, "ms")) ||
		    !mm_cur_eof(&c) || v == 0)
			return mm_err_set(err, MM_ERR_PARSE,
					  "%s: expected milliseconds from 1 to 600000, got '%s'",
					  key, value);
		*(int *)(base + s->off) = (int)v;
		break;
	case K_YEAR:
		if (!mm_cur_u64(&c, &v, 9999) || !mm_cur_eof(&c) || (v != 0 && v < 1970))
			return mm_err_set(err, MM_ERR_PARSE,
					  "%s: expected a year like 2026, got '%s'", key, value);
		*(int *)(base + s->off) = (int)v;
		break;
	}
	return 0;
bad_bytes:
	return mm_err_set(err, MM_ERR_PARSE,
			  "%s: expected a size from 256 to 64M (suffix K or M), got '%s'", key,
			  value);
}

int mm_config_set(struct mm_analyze_opts *o, const char *key, const char *value, struct mm_err *err)
{
	return set_in(o, "logs", key, value, err);
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
	if (strcmp(section, "firewall") == 0)
		return 1; /* mamori firewall's (lib/fw/allow.c) */
	if (strcmp(section, "logs") != 0 && strcmp(section, "geo") != 0 &&
	    strcmp(section, "dnsbl") != 0) {
		mm_err_set(lc->err, MM_ERR_PARSE, "unknown section [%s]", section);
		lc->failed = true;
		return 0;
	}
	if (set_in(lc->o, section, name, value, lc->err) < 0) {
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
