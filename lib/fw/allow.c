/* SPDX-License-Identifier: MIT */
/*
 * The allowlist: addresses and networks that blocks and blocklist feeds
 * never drop (the administrator's office, a monitoring host, a partner's
 * network). It lives in mamori.conf, not in the rules file:
 *
 *   [firewall]
 *   allowlist = 198.51.100.7, 203.0.113.0/24
 *   allowlist = 2001:db8:1::/48
 *
 * Entries are separated by commas or spaces; the key may repeat. An entry
 * with host bits under its prefix length is an error, not silently
 * widened: 10.1.2.3/8 would exempt a whole /8 from every block. Other
 * sections belong to other commands and are skipped; an unknown key in
 * [firewall] is an error. Errors name the file and line, and a file with
 * an error gives no allowlist at all (the caller refuses to go on).
 */
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mamori/buf.h"
#include "mamori/fw.h"

struct allow_ctx {
	struct mm_fw_allowlist *al;
	struct mm_err *err; /* the message, without file and line */
	bool failed;
};

static int add_entry(struct mm_fw_allowlist *al, const char *s, size_t n, struct mm_err *err)
{
	struct mm_prefix p;
	struct mm_addr bare;
	const char *slash = memchr(s, '/', n);
	char shown[MM_PREFIX_STRLEN];

	if (n > 64 || mm_prefix_parse(s, n, &p) < 0)
		return mm_err_set(err, MM_ERR_PARSE,
				  "allowlist: '%.*s' is not an address or prefix",
				  (int)(n > 64 ? 64 : n), s);
	if (slash && mm_addr_parse(s, (size_t)(slash - s), &bare) == 0 &&
	    memcmp(bare.b, p.addr.b, sizeof(bare.b)) != 0)
		return mm_err_set(err, MM_ERR_PARSE,
				  "allowlist: %.*s has host bits set (the network is %s)", (int)n,
				  s, mm_fw_prefix_short(&p, shown));
	if (al->n >= MM_FW_ALLOW_MAX)
		return mm_err_set(err, MM_ERR_TOOBIG, "allowlist: more than %u entries",
				  MM_FW_ALLOW_MAX);
	if (MM_GROW(al->v, al->cap, al->n, 16) < 0)
		return mm_err_set(err, MM_ERR_NOMEM, "out of memory");
	al->v[al->n++] = p;
	return 0;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct allow_ctx *c = user;
	const char *p = value;

	if (c->failed)
		return 0;
	if (strcmp(section, "firewall") != 0)
		return 1; /* another command's section */
	if (strcmp(name, "allowlist") != 0) {
		mm_err_set(c->err, MM_ERR_PARSE, "unknown key '%s' in [firewall]", name);
		c->failed = true;
		return 0;
	}
	for (;;) {
		size_t n;
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!*p)
			break;
		n = strcspn(p, " \t,");
		if (add_entry(c->al, p, n, c->err) < 0) {
			c->failed = true;
			return 0;
		}
		p += n;
	}
	return 1;
}

/* "FILE:LINE: what", from ini_parse_*()'s answer (the first bad line). */
static int finish(int line, const char *name, struct allow_ctx *c, struct mm_fw_allowlist *al,
		  struct mm_err *err)
{
	if (line == 0)
		return 0;
	mm_fw_allowlist_release(al);
	if (line < 0)
		return mm_err_set(err, MM_ERR_IO, "%s: cannot read", name);
	if (c->failed)
		return mm_err_set(err, MM_ERR_PARSE, "%s:%d: %s", name, line, c->err->msg);
	return mm_err_set(err, MM_ERR_PARSE, "%s:%d: syntax error (expected key = value)", name,
			  line);
}

int mm_fw_allowlist_parse(const char *text, const char *name, struct mm_fw_allowlist *al,
			  struct mm_err *err)
{
	struct mm_err inner = {0, ""};
	struct allow_ctx c = {al, &inner, false};

	memset(al, 0, sizeof(*al));
	return finish(ini_parse_string(text, handler, &c), name, &c, al, err);
}

int mm_fw_allowlist_load(const char *path, struct mm_fw_allowlist *al, struct mm_err *err)
{
	struct mm_err inner = {0, ""};
	struct allow_ctx c = {al, &inner, false};
	FILE *f;
	int line;

	memset(al, 0, sizeof(*al));
	f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT)
			return mm_err_set(err, MM_ERR_NOTFOUND, "%s: no such file", path);
		return mm_err_set(err, MM_ERR_IO, "%s: %s", path, strerror(errno));
	}
	line = ini_parse_file(f, handler, &c);
	fclose(f);
	return finish(line, path, &c, al, err);
}

void mm_fw_allowlist_release(struct mm_fw_allowlist *al)
{
	if (!al)
		return;
	free(al->v);
	memset(al, 0, sizeof(*al));
}

const struct mm_prefix *mm_fw_allowlist_overlap(const struct mm_fw_allowlist *al,
						const struct mm_prefix *p, bool *covered)
{
	size_t i;

	*covered = false;
	if (!al)
		return NULL;
	/* a covering entry first: that answer says more */
	for (i = 0; i < al->n; i++) {
		const struct mm_prefix *a = &al->v[i];
		if (a->addr.family == p->addr.family && a->len <= p->len &&
		    mm_prefix_contains(a, &p->addr)) {
			*covered = true;
			return a;
		}
	}
	for (i = 0; i < al->n; i++) {
		const struct mm_prefix *a = &al->v[i];
		if (a->addr.family == p->addr.family && mm_prefix_contains(p, &a->addr))
			return a;
	}
	return NULL;
}
