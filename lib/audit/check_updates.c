/* SPDX-License-Identifier: MIT */
/*
 * Updates: installed packages (dpkg status) against the security
 * repositories' package lists that APT already downloaded (nothing is
 * fetched). Lists compressed by APT (lz4, gz, xz, zst) are read through
 * `apt-helper cat-file`, which knows every compression APT uses.
 * Versions are compared with dpkg's algorithm (deb-version(7)). When
 * os-release names the RHEL family, check_updates_rpm.c asks dnf instead.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "audit_int.h"
#include "mamori/buf.h"
#include "mamori/cursor.h"

#define STATUS_CAP (64u << 20)
#define LIST_CAP (256u << 20)
#define MAX_PKGS 100000
#define STALE_DAYS 7

static int order(int c)
{
	if (c >= '0' && c <= '9')
		return 0;
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return c;
	if (c == '~')
		return -1;
	if (c)
		return c + 256;
	return 0;
}

/* dpkg's verrevcmp over [a, ae) and [b, be) */
static int verrevcmp(const char *a, const char *ae, const char *b, const char *be)
{
	while (a < ae || b < be) {
		int first_diff = 0;
		while ((a < ae && !(*a >= '0' && *a <= '9')) ||
		       (b < be && !(*b >= '0' && *b <= '9'))) {
			int ac = a < ae ? order((unsigned char)*a) : 0;
			int bc = b < be ? order((unsigned char)*b) : 0;
			if (ac != bc)
				return ac - bc;
			a += a < ae;
			b += b < be;
		}
		while (a < ae && *a == '0')
			a++;
		while (b < be && *b == '0')
			b++;
		while (a < ae && b < be && *a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
			if (!first_diff)
				first_diff = *a - *b;
			a++;
			b++;
		}
		if (a < ae && *a >= '0' && *a <= '9')
			return 1;
		if (b < be && *b >= '0' && *b <= '9')
			return -1;
		if (first_diff)
			return first_diff;
	}
	return 0;
}

/* Split EPOCH:UPSTREAM-REVISION. */
static void vsplit(const char *v, unsigned long *epoch, const char **u, const char **ue,
		   const char **r, const char **re)
{
	const char *colon = strchr(v, ':'), *end = v + strlen(v), *dash;

	*epoch = 0;
	if (colon) {
		*epoch = strtoul(v, NULL, 10);
		v = colon + 1;
	}
	dash = strrchr(v, '-');
	*u = v;
	*ue = dash ? dash : end;
	*r = dash ? dash + 1 : end;
	*re = end;
}

int audit_vercmp(const char *a, const char *b)
{
	unsigned long ea, eb;
	const char *ua, *uae, *ra, *rae, *ub, *ube, *rb, *rbe;
	int c;

	vsplit(a, &ea, &ua, &uae, &ra, &rae);
	vsplit(b, &eb, &ub, &ube, &rb, &rbe);
	if (ea != eb)
		return ea < eb ? -1 : 1;
	c = verrevcmp(ua, uae, ub, ube);
	if (c)
		return c;
	return verrevcmp(ra, rae, rb, rbe);
}

static char *dupspan(struct mm_span s)
{
	char *p = malloc(s.n + 1);

	if (p) {
		if (s.n) /* an absent field is an empty span with no pointer */
			memcpy(p, s.p, s.n);
		p[s.n] = '\0';
	}
	return p;
}

/*
 * Walk deb822 stanzas; for each, call fn with Package, Architecture,
 * Version and Status (empty spans when absent).
 */
typedef int (*stanza_fn)(void *ctx, struct mm_span pkg, struct mm_span arch, struct mm_span ver,
			 struct mm_span status);

static int stanzas(const char *text, size_t n, stanza_fn fn, void *ctx)
{
	struct mm_cur c = mm_cur_make(text, n);
	struct mm_span pkg = {0}, arch = {0}, ver = {0}, st = {0};
	int rc = 0;

	while (rc == 0) {
		struct mm_span line;
		bool eof = mm_cur_eof(&c);
		if (!eof) {
			if (!mm_cur_until(&c, '\n', &line))
				mm_cur_rest(&c, &line);
			else
				c.p++;
		}
		if (eof || line.n == 0) {
			if (pkg.n && ver.n)
				rc = fn(ctx, pkg, arch, ver, st);
			pkg.n = arch.n = ver.n = st.n = 0;
			if (eof)
				break;
			continue;
		}
		{
			struct mm_cur l = mm_cur_make(line.p, line.n);
			struct mm_span *dst = NULL;
			if (mm_cur_lit(&l, "Package:"))
				dst = &pkg;
			else if (mm_cur_lit(&l, "Architecture:"))
				dst = &arch;
			else if (mm_cur_lit(&l, "Version:"))
				dst = &ver;
			else if (mm_cur_lit(&l, "Status:"))
				dst = &st;
			if (dst) {
				mm_cur_skip_ws(&l);
				mm_cur_rest(&l, dst);
				while (dst->n &&
				       (dst->p[dst->n - 1] == ' ' || dst->p[dst->n - 1] == '\r'))
					dst->n--;
				if (dst->n > 200)
					dst->n = 0;
			}
		}
	}
	return rc;
}

static int add_installed(void *ctx, struct mm_span pkg, struct mm_span arch, struct mm_span ver,
			 struct mm_span status)
{
	struct audit_apt *d = ctx;
	struct audit_apt_pkg *p;

	if (!mm_span_eq(status, "install ok installed"))
		return 0;
	if (d->n >= MAX_PKGS)
		return 0;
	if (MM_GROW(d->v, d->cap, d->n, 1024) < 0)
		return MM_ERR_NOMEM;
	p = &d->v[d->n];
	memset(p, 0, sizeof(*p));
	p->name = dupspan(pkg);
	p->arch = dupspan(arch);
	p->version = dupspan(ver);
	d->n++;
	if (!p->name || !p->arch || !p->version)
		return MM_ERR_NOMEM;
	return 0;
}

static int cmp_pkg(const void *a, const void *b)
{
	return strcmp(((const struct audit_apt_pkg *)a)->name,
		      ((const struct audit_apt_pkg *)b)->name);
}

static int offer(void *ctx, struct mm_span pkg, struct mm_span arch, struct mm_span ver,
		 struct mm_span status)
{
	struct audit_apt *d = ctx;
	char name[256], vers[256];
	size_t lo = 0, hi = d->n;

	(void)status;
	if (pkg.n >= sizeof(name) || ver.n >= sizeof(vers))
		return 0;
	memcpy(name, pkg.p, pkg.n);
	name[pkg.n] = '\0';
	memcpy(vers, ver.p, ver.n);
	vers[ver.n] = '\0';
	while (lo < hi) { /* first entry with this name */
		size_t mid = (lo + hi) / 2;
		if (strcmp(d->v[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < d->n && strcmp(d->v[lo].name, name) == 0; lo++) {
		struct audit_apt_pkg *p = &d->v[lo];
		if (!mm_span_eq(arch, p->arch) && !mm_span_eq(arch, "all") &&
		    strcmp(p->arch, "all") != 0)
			continue;
		if (audit_vercmp(vers, p->version) <= 0)
			continue;
		if (p->newer && audit_vercmp(vers, p->newer) <= 0)
			continue;
		free(p->newer);
		p->newer = strdup(vers);
		if (!p->newer)
			return MM_ERR_NOMEM;
	}
	return 0;
}

int audit_apt_installed(struct audit_apt *a, const char *status, size_t n)
{
	int rc = stanzas(status, n, add_installed, a);

	if (rc == 0 && a->n > 1)
		qsort(a->v, a->n, sizeof(*a->v), cmp_pkg);
	return rc;
}

int audit_apt_offer(struct audit_apt *a, const char *list, size_t n)
{
	return stanzas(list, n, offer, a);
}

void audit_apt_release(struct audit_apt *a)
{
	size_t i;

	for (i = 0; i < a->n; i++) {
		free(a->v[i].name);
		free(a->v[i].arch);
		free(a->v[i].version);
		free(a->v[i].newer);
	}
	free(a->v);
	memset(a, 0, sizeof(*a));
}

static int read_list(struct audit_ctx *c, const char *path, struct mm_buf *b)
{
	size_t l = strlen(path);

	if (l > 9 && strcmp(path + l - 9, "_Packages") == 0)
		return audit_read(c, path, LIST_CAP, b);
	{
		const char *argv[] = {"/usr/lib/apt/apt-helper", "cat-file", path, NULL};
		int st, rc;
		mm_buf_reset(b);
		rc = audit_exec(argv, c->timeout_ms, b, NULL, &st);
		if (rc == 0 && st != 0)
			rc = MM_ERR_IO;
		if (rc == 0 && !b->data)
			rc = mm_buf_add(b, "", 0);
		return rc;
	}
}

static bool is_security_list(const char *nm)
{
	return strstr(nm, "security") && strstr(nm, "_Packages") &&
	       (strstr(nm, "_Packages") + 9 == nm + strlen(nm) || strstr(nm, "_Packages.")) &&
	       !strstr(nm, ".diff");
}

int audit_check_updates(struct audit_ctx *c)
{
	struct audit_apt d = {NULL, 0, 0};
	struct mm_buf b, names;
	struct dirent **ents = NULL;
	char p[1400], dir[1100];
	time_t newest = 0;
	size_t i, nout = 0, nlists = 0;
	int n = -1, k, rc;

	mm_buf_init(&b, LIST_CAP);
	mm_buf_init(&names, 4096);
	/* os-release decides the family: RHEL and its kin ask dnf */
	audit_path(c, "/etc/os-release", p, sizeof(p));
	rc = audit_read(c, p, 65536, &b);
	if (rc == MM_ERR_NOTFOUND) {
		audit_path(c, "/usr/lib/os-release", p, sizeof(p));
		rc = audit_read(c, p, 65536, &b);
	}
	if (rc == 0) {
		char osname[128];
		if (audit_os_release_rhel(b.data, b.len, osname, sizeof(osname)) == 1) {
			rc = audit_check_updates_rpm(c, osname[0] ? osname : "RHEL family");
			goto out;
		}
	}
	audit_path(c, "/var/lib/dpkg/status", p, sizeof(p));
	rc = audit_read(c, p, STATUS_CAP, &b);
	if (rc < 0) {
		rc = audit_note(
		    c, MM_AUDIT_UPDATES, false,
		    "/var/lib/dpkg/status: %s; updates not checked (not a Debian system?)",
		    mm_strerror(rc));
		goto out;
	}
	rc = audit_apt_installed(&d, b.data, b.len);
	if (rc < 0)
		goto out;
	audit_path(c, "/var/lib/apt/lists", dir, sizeof(dir));
	n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0) {
		rc = audit_note(c, MM_AUDIT_UPDATES, false, "no APT lists (/var/lib/apt/lists)");
		goto out;
	}
	for (k = 0; k < n && rc == 0; k++) {
		const char *nm = ents[k]->d_name;
		struct stat st;
		size_t l = strlen(nm);
		if (l > 600)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, nm);
		if ((l > 8 && strcmp(nm + l - 8, "_Release") == 0) ||
		    (l > 10 && strcmp(nm + l - 10, "_InRelease") == 0)) {
			if (lstat(p, &st) == 0 && st.st_mtime > newest)
				newest = st.st_mtime;
			continue;
		}
		if (!is_security_list(nm))
			continue;
		rc = read_list(c, p, &b);
		if (rc < 0) {
			rc = audit_note(c, MM_AUDIT_UPDATES, false, "/var/lib/apt/lists/%s: %s", nm,
					mm_strerror(rc));
			continue;
		}
		nlists++;
		rc = audit_apt_offer(&d, b.data, b.len);
	}
	if (rc < 0)
		goto out;
	for (i = 0; i < d.n; i++) {
		if (!d.v[i].newer)
			continue;
		if (nout < 20)
			mm_buf_addf(&names, "%s%s %s -> %s", nout ? ", " : "", d.v[i].name,
				    d.v[i].version, d.v[i].newer);
		nout++;
	}
	if (nout)
		rc = audit_find(c, "UPD-SECURITY", "%zu package%s with a security update: %s%s",
				nout, nout == 1 ? "" : "s", names.data ? names.data : "",
				nout > 20 ? ", ..." : "");
	if (rc == 0 && nlists == 0)
		rc = audit_find(c, "UPD-NO-SECURITY-LIST",
				"no *security*_Packages list in "
				"/var/lib/apt/lists");
	if (rc == 0 && newest && c->live && time(NULL) - newest > STALE_DAYS * 86400)
		rc = audit_find(c, "UPD-LISTS-STALE", "newest Release file is %ld days old",
				(long)((time(NULL) - newest) / 86400));
out:
	audit_apt_release(&d);
	for (k = 0; k < n; k++)
		free(ents[k]);
	free(ents);
	mm_buf_release(&b);
	mm_buf_release(&names);
	return rc;
}
