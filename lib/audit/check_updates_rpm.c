/* SPDX-License-Identifier: MIT */
/*
 * Updates on the RHEL family (RHEL, CentOS, Rocky, AlmaLinux, Fedora and
 * whatever names them in ID_LIKE): pending security advisories from the
 * package manager's own metadata, as
 *
 *     dnf -q --cacheonly updateinfo list --security
 *
 * prints them (yum takes the same arguments). --cacheonly: the audit reads
 * what the last refresh downloaded and never touches the network. Lines
 * understood (anything else is counted as unparsed and noted):
 *
 *     RHSA-2024:1234 Important/Sec. openssl-libs-1:3.0.7-25.el9_3.x86_64   dnf 4, yum
 *     FEDORA-2024-1a2b3c security curl-8.2.1-5.fc39.x86_64                 older dnf
 *     FEDORA-2024-1a2b3c security Moderate curl-8.6.0-8.fc40.x86_64 2024-07-01 12:00:00
 *                                                                          dnf 5
 * plus dnf 5's header line (Name Type Severity Package Issued) and yum's
 * "updateinfo list done".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit_int.h"
#include "mamori/cursor.h"

#define DNF_OUT_CAP (16u << 20)
#define DNF_TIMEOUT_MS 10000 /* dnf loads its metadata cache; without --timeout */

static bool word_ok(struct mm_span w)
{
	size_t i;

	if (w.n == 0 || w.n >= AUDIT_DNF_FIELD)
		return false;
	for (i = 0; i < w.n; i++) {
		unsigned char ch = (unsigned char)w.p[i];
		if (ch <= ' ' || ch >= 0x7f)
			return false;
	}
	return true;
}

static const char *const severities[] = {"Critical", "Important", "Moderate",
					 "Low",	     "None",	  "Unknown"};

/* "Important/Sec." -> "Important"; "security" / "Sec." -> ""; else NULL */
static const char *sec_type(struct mm_span t)
{
	size_t i;

	if (mm_span_eq(t, "security") || mm_span_eq(t, "Sec."))
		return "";
	for (i = 0; i < sizeof(severities) / sizeof(severities[0]); i++) {
		size_t n = strlen(severities[i]);
		if (t.n == n + 5 && memcmp(t.p, severities[i], n) == 0 &&
		    memcmp(t.p + n, "/Sec.", 5) == 0)
			return severities[i];
	}
	return NULL;
}

static const char *severity(struct mm_span t)
{
	size_t i;

	for (i = 0; i < sizeof(severities) / sizeof(severities[0]); i++)
		if (mm_span_eq(t, severities[i]))
			return severities[i];
	return NULL;
}

/* NAME-[EPOCH:]VERSION-RELEASE.ARCH: at least two dashes and an arch dot after them */
static bool nevra_ok(struct mm_span p)
{
	const char *d1 = mm_memrmem(p.p, p.n, "-", 1), *d2, *dot;

	if (!d1 || d1 == p.p)
		return false;
	d2 = mm_memrmem(p.p, (size_t)(d1 - p.p), "-", 1);
	dot = mm_memrmem(p.p, p.n, ".", 1);
	return d2 && d2 != p.p && dot && dot > d1 && dot + 1 < p.p + p.n;
}

static void cpy(char *dst, struct mm_span s)
{
	memcpy(dst, s.p, s.n);
	dst[s.n] = '\0';
}

int audit_dnf_parse(const char *text, size_t n, struct audit_dnf *d)
{
	struct mm_cur c = mm_cur_make(text, n);

	memset(d, 0, sizeof(*d));
	while (!mm_cur_eof(&c)) {
		struct mm_span line, w[8];
		struct mm_cur lc;
		size_t nw = 0;
		const char *sev = NULL, *t;
		struct mm_span pkg;
		if (!mm_cur_until(&c, '\n', &line))
			mm_cur_rest(&c, &line);
		else
			c.p++;
		d->lines++;
		lc = mm_cur_make(line.p, line.n);
		while (nw < 8) {
			while (!mm_cur_eof(&lc) && (*lc.p == ' ' || *lc.p == '\t' || *lc.p == '\r'))
				lc.p++;
			if (!mm_cur_word(&lc, &w[nw]))
				break;
			while (w[nw].n && w[nw].p[w[nw].n - 1] == '\r')
				w[nw].n--;
			if (w[nw].n)
				nw++;
		}
		if (nw == 0)
			continue;
		if ((nw >= 4 && mm_span_eq(w[0], "Name") && mm_span_eq(w[1], "Type")) ||
		    (nw == 3 && mm_span_eq(w[0], "updateinfo") && mm_span_eq(w[1], "list") &&
		     mm_span_eq(w[2], "done")))
			continue;
		if (nw < 3 || !word_ok(w[0]) || !memchr(w[0].p, '-', w[0].n) ||
		    !(t = sec_type(w[1]))) {
			d->unparsed++;
			continue;
		}
		pkg = w[2];
		if (t[0]) {
			sev = t;
		} else if (nw >= 4 && (sev = severity(w[2])) != NULL) {
			pkg = w[3]; /* dnf 5: ID security SEVERITY PACKAGE ISSUED */
		}
		if (!word_ok(pkg) || !nevra_ok(pkg)) {
			d->unparsed++;
			continue;
		}
		if (d->n == AUDIT_DNF_MAX) {
			d->dropped++;
			continue;
		}
		cpy(d->v[d->n].advisory, w[0]);
		cpy(d->v[d->n].package, pkg);
		snprintf(d->v[d->n].severity, sizeof(d->v[0].severity), "%s", sev ? sev : "");
		d->n++;
	}
	return 0;
}

/* "name-1:2.3-4.el9.x86_64" -> "name 1:2.3-4.el9" */
static void display(const char *nevra, char *out, size_t n)
{
	const char *dot = strrchr(nevra, '.'), *d1, *d2 = NULL, *p;
	size_t len = dot ? (size_t)(dot - nevra) : strlen(nevra);

	d1 = NULL;
	for (p = nevra; p < nevra + len; p++)
		if (*p == '-') {
			d2 = d1;
			d1 = p;
		}
	if (!d2) {
		snprintf(out, n, "%.*s", (int)len, nevra);
		return;
	}
	snprintf(out, n, "%.*s %.*s", (int)(d2 - nevra), nevra,
		 (int)(len - (size_t)(d2 + 1 - nevra)), d2 + 1);
}

static bool rhel_family(const char *v, size_t n)
{
	static const char *const fam[] = {"rhel", "fedora", "centos", "rocky", "almalinux", "alma"};
	struct mm_cur c = mm_cur_make(v, n);
	struct mm_span w;
	size_t i;

	while (mm_cur_word(&c, &w)) {
		mm_cur_skip_ws(&c);
		for (i = 0; i < sizeof(fam) / sizeof(fam[0]); i++)
			if (mm_span_eq(w, fam[i]))
				return true;
	}
	return false;
}

int audit_os_release_rhel(const char *text, size_t n, char *name, size_t namelen)
{
	struct mm_cur c = mm_cur_make(text, n);
	bool rhel = false;

	if (namelen)
		name[0] = '\0';
	while (!mm_cur_eof(&c)) {
		struct mm_span line, v;
		struct mm_cur lc;
		bool id, like, pretty;
		if (!mm_cur_until(&c, '\n', &line))
			mm_cur_rest(&c, &line);
		else
			c.p++;
		lc = mm_cur_make(line.p, line.n);
		id = mm_cur_lit(&lc, "ID=");
		like = !id && mm_cur_lit(&lc, "ID_LIKE=");
		pretty = !id && !like && mm_cur_lit(&lc, "PRETTY_NAME=");
		if (!id && !like && !pretty)
			continue;
		mm_cur_rest(&lc, &v);
		while (v.n && (v.p[v.n - 1] == '\r' || v.p[v.n - 1] == ' '))
			v.n--;
		if (v.n >= 2 && (v.p[0] == '"' || v.p[0] == '\'') && v.p[v.n - 1] == v.p[0]) {
			v.p++;
			v.n -= 2;
		}
		if (pretty) {
			if (namelen && !memchr(v.p, '\0', v.n))
				snprintf(name, namelen, "%.*s", (int)v.n, v.p);
		} else if (rhel_family(v.p, v.n)) {
			rhel = true;
		}
	}
	return rhel;
}

static int by_package(const void *a, const void *b)
{
	return strcmp(((const struct audit_dnf_adv *)a)->package,
		      ((const struct audit_dnf_adv *)b)->package);
}

int audit_check_updates_rpm(struct audit_ctx *c, const char *osname)
{
	static const char *const bins[] = {"/usr/bin/dnf", "/usr/bin/yum"};
	const char *bin = c->opts->dnf_bin;
	struct audit_dnf *d = NULL;
	struct mm_buf o, e, names;
	size_t i, npkg = 0, nadv = 0, nhigh = 0;
	int rc = 0, st;

	mm_buf_init(&o, DNF_OUT_CAP);
	mm_buf_init(&e, 4096);
	mm_buf_init(&names, 4096);
	if (!c->live) {
		rc = audit_note(c, MM_AUDIT_UPDATES, false,
				"%s: security updates are read with dnf on the running system; "
				"not checked with --root",
				osname);
		goto out;
	}
	for (i = 0; !bin && i < sizeof(bins) / sizeof(bins[0]); i++)
		if (access(bins[i], X_OK) == 0)
			bin = bins[i];
	if (!bin || !bin[0]) {
		rc = audit_note(c, MM_AUDIT_UPDATES, false,
				"%s: neither dnf nor yum found; security updates not checked",
				osname);
		goto out;
	}
	if (access(bin, X_OK) != 0) {
		rc = audit_note(c, MM_AUDIT_UPDATES, false,
				"%s: %s is not an executable file; security updates not checked",
				osname, bin);
		goto out;
	}
	{
		const char *argv[] = {bin,    "-q",	    "--cacheonly", "updateinfo",
				      "list", "--security", NULL};
		rc = audit_exec(argv, c->opts->timeout_ms > 0 ? c->timeout_ms : DNF_TIMEOUT_MS, &o,
				&e, &st);
	}
	if (rc < 0 || st != 0) {
		char *nl = e.data ? strpbrk(e.data, "\r\n") : NULL;
		if (nl)
			*nl = '\0';
		rc = audit_note(c, MM_AUDIT_UPDATES, false,
				"%s -q --cacheonly updateinfo list --security %s%s%s", bin,
				rc == MM_ERR_TOOBIG ? "printed too much"
				: rc < 0	    ? "could not run"
				: st < 0	    ? "timed out"
						    : "failed",
				e.data && e.data[0] ? ": " : "", e.data ? e.data : "");
		goto out;
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		rc = MM_ERR_NOMEM;
		goto out;
	}
	audit_dnf_parse(o.data ? o.data : "", o.len, d);
	if (d->unparsed)
		rc = audit_note(c, MM_AUDIT_UPDATES, false,
				"%s updateinfo: %zu of %zu lines not understood", bin, d->unparsed,
				d->lines);
	if (rc == 0 && d->dropped)
		rc = audit_note(c, MM_AUDIT_UPDATES, false,
				"%s updateinfo: more than %d advisory lines; the rest not counted",
				bin, AUDIT_DNF_MAX);
	if (rc < 0 || d->n == 0)
		goto out;
	/* count distinct advisories before sorting by package */
	for (i = 0; i < d->n; i++) {
		size_t j;
		for (j = 0; j < i && strcmp(d->v[j].advisory, d->v[i].advisory) != 0; j++)
			;
		if (j == i) {
			nadv++;
			nhigh += strcmp(d->v[i].severity, "Critical") == 0 ||
				 strcmp(d->v[i].severity, "Important") == 0;
		}
	}
	qsort(d->v, d->n, sizeof(d->v[0]), by_package);
	for (i = 0; i < d->n; i++) {
		char disp[300];
		if (i && strcmp(d->v[i].package, d->v[i - 1].package) == 0)
			continue;
		if (npkg < 20) {
			display(d->v[i].package, disp, sizeof(disp));
			mm_buf_addf(&names, "%s%s (%s%s%s)", npkg ? ", " : "", disp,
				    d->v[i].advisory, d->v[i].severity[0] ? ", " : "",
				    d->v[i].severity);
		}
		npkg++;
	}
	rc = audit_find(c, "UPD-SECURITY",
			"%zu package%s with a security update (%zu advisor%s, %zu critical or "
			"important): %s%s",
			npkg, npkg == 1 ? "" : "s", nadv, nadv == 1 ? "y" : "ies", nhigh,
			names.data ? names.data : "", npkg > 20 ? ", ..." : "");
out:
	free(d);
	mm_buf_release(&o);
	mm_buf_release(&e);
	mm_buf_release(&names);
	return rc;
}
