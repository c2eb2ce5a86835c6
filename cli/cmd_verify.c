/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "mamori/buf.h"
#include "mamori/verify.h"

/*
 * mamori verify: is this download what the project signed? Finds the sums
 * file and its signature, verifies the signature against the given key,
 * then hashes the files. One line per file, one overall verdict, and an
 * exit code per verdict class (docs/mamori-verify.1.scd).
 */

/* Exit codes, one per verdict class. */
enum {
	VX_OK = 0,
	VX_MISMATCH = 1,
	VX_USAGE = 2,
	VX_UNREADABLE = 3,
	VX_INTERNAL = 4,
	VX_MISSING = 5,
	VX_NOTLISTED = 6,
	VX_SIGBAD = 7,
	VX_WRONGKEY = 8,
	VX_NOKEY = 9,
	VX_KEYINVALID = 10,
	VX_WEAK = 11,
};

enum fverdict {
	FV_OK,
	FV_MISMATCH,
	FV_MISSING,
	FV_NOTLISTED,
	FV_WEAK,
	FV_UNREADABLE,
	FV_NOTCHECKED
};

static const char *const fv_name[] = {"OK",   "MISMATCH",   "MISSING",	  "NOT-LISTED",
				      "WEAK", "UNREADABLE", "NOT-CHECKED"};
static const int fv_exit[] = {VX_OK,   VX_MISMATCH,   VX_MISSING, VX_NOTLISTED,
			      VX_WEAK, VX_UNREADABLE, VX_OK};

/* Most severe first: the overall exit code is the first class present. */
static const int severity[] = {VX_SIGBAD, VX_WRONGKEY,	 VX_KEYINVALID, VX_NOKEY,     VX_MISMATCH,
			       VX_WEAK,	  VX_UNREADABLE, VX_MISSING,	VX_NOTLISTED, VX_INTERNAL};

void usage_verify(FILE *out)
{
	fprintf(out,
		"usage: mamori verify [options] FILE...\n"
		"       mamori verify --sums SUMS [--sig SIG] --key KEY [--fingerprint FPR]\n"
		"       mamori verify --hash [--sha384|--sha512] FILE...\n"
		"\n"
		"Checks downloaded files against a checksum file and its OpenPGP signature.\n"
		"Without --sums, looks next to the first FILE for sha256sum.txt, SHA256SUMS,\n"
		"SHA512SUMS (...) and their signature (.gpg, .sign, .asc, .sig); a clearsigned\n"
		"sums file (InRelease style) needs no separate signature.\n"
		"  --sums FILE         checksum file (GNU, BSD tagged, or Debian Release)\n"
		"  --sig FILE          detached signature, binary or ASCII-armoured\n"
		"  --key FILE          signer's public key or keyring (repeatable)\n"
		"  --fingerprint FPR   require the signer's primary key to be FPR\n"
		"  --no-sig            check the sums without any signature (says so)\n"
		"  --allow-weak        accept MD5 and SHA-1 sums\n"
		"  --allow-special     follow symlinks, accept devices and pipes\n"
		"  --jobs N            hash N files at once (default: one per CPU)\n"
		"  --json              one JSON object on stdout\n"
		"  --hash              only print digests (GNU format); --sha256 (default),\n"
		"                      --sha384, --sha512\n"
		"Without FILE, every file the sums list that is present is checked.\n"
		"\n"
		"exit status: 0 OK, 1 checksum mismatch, 2 usage, 3 unreadable input,\n"
		"4 internal error, 5 file missing, 6 file not listed, 7 signature bad or\n"
		"absent, 8 signed by an unexpected key, 9 no public key for the signer,\n"
		"10 key expired or revoked at signing, 11 weak algorithm.\n");
}

struct vfile {
	const char *arg;	       /* as the user named it, or the sums name */
	char *path;		       /* what is opened */
	const struct mm_sums_entry *e; /* NULL when not listed */
	enum fverdict v;
	char note[200];
	char got[2 * MM_VH_MAXLEN + 1]; /* digest computed, when hashed */
};

struct vopts {
	const char *sums, *sig, *fpr;
	const char *keys[16];
	unsigned nkeys;
	bool json, no_sig, allow_weak, special, hash;
	enum mm_vhash hash_alg;
	unsigned jobs;
};

static void put_safe(struct mm_buf *o, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		mm_buf_addc(o, (c < 0x20 || c == 0x7f) ? '?' : (char)c);
	}
}

static void progress(void *ctx, uint64_t done, uint64_t total)
{
	struct timespec *t0 = ctx, now;
	double el, mib = (double)done / (1 << 20);

	clock_gettime(CLOCK_MONOTONIC, &now);
	el = (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
	if (el <= 0)
		el = 1e-3;
	if (total)
		fprintf(stderr, "\r  %3u%%  %.0f / %.0f MiB  %.0f MiB/s ",
			(unsigned)(done * 100 / total), mib, (double)total / (1 << 20), mib / el);
	else
		fprintf(stderr, "\r  %.0f MiB  %.0f MiB/s ", mib, mib / el);
	if (done >= total)
		fputs("\r\033[K", stderr);
	fflush(stderr);
}

static bool big_enough(const char *const *paths, size_t n)
{
	uint64_t t = 0;
	struct stat st;
	size_t i;

	for (i = 0; i < n; i++)
		if (stat(paths[i], &st) == 0)
			t += (uint64_t)st.st_size;
	return t >= (64u << 20);
}

static int hash_only(const struct vopts *o, char **files, int n)
{
	struct mm_digest_job *jobs = calloc((size_t)n, sizeof(*jobs));
	const char **paths = calloc((size_t)n, sizeof(*paths));
	struct timespec t0;
	struct mm_buf out;
	int i, rc = VX_OK;

	mm_buf_init(&out, 1u << 30);
	if (!jobs || !paths) {
		rc = VX_INTERNAL;
		goto out;
	}
	for (i = 0; i < n; i++) {
		jobs[i].path = paths[i] = files[i];
		jobs[i].alg = o->hash_alg;
		jobs[i].flags = o->special ? MM_DIGEST_ALLOW_SPECIAL : 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	mm_digest_files(jobs, (size_t)n, o->jobs,
			mm_progress_enabled() && big_enough(paths, (size_t)n) ? progress : NULL,
			&t0);
	for (i = 0; i < n; i++) {
		char hex[2 * MM_VH_MAXLEN + 1];
		struct mm_buf name;
		bool esc;

		if (jobs[i].rc < 0) {
			mm_die_msg("%s", jobs[i].err.msg);
			rc = VX_UNREADABLE;
			continue;
		}
		if (jobs[i].changed)
			mm_warn("%s: changed while being read", files[i]);
		mm_digest_hex(jobs[i].md, mm_vhash_len(o->hash_alg), hex);
		mm_buf_init(&name, 1u << 20);
		esc = mm_sums_escape_name(&name, files[i], strlen(files[i]));
		mm_buf_addf(&out, "%s%s  %s\n", esc ? "\\" : "", hex, name.data ? name.data : "");
		mm_buf_release(&name);
	}
	if (out.len)
		fwrite(out.data, 1, out.len, stdout);
out:
	mm_buf_release(&out);
	free(jobs);
	free(paths);
	return rc;
}

static bool exists(const char *p)
{
	struct stat st;

	return lstat(p, &st) == 0;
}

/* Directory part of path ("." when none), in out. */
static void dir_of(const char *path, char *out, size_t size)
{
	const char *s = strrchr(path, '/');

	if (!s)
		snprintf(out, size, ".");
	else if (s == path)
		snprintf(out, size, "/");
	else
		snprintf(out, size, "%.*s", (int)(s - path), path);
}

static const char *base_of(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/* Find the sums file next to the files; false when there is none. */
static bool find_sums(const char *dir, const char *first, char *out, size_t size)
{
	static const char *const names[] = {"sha256sum.txt", "SHA256SUMS", "SHA512SUMS",
					    "sha512sum.txt", "SHA384SUMS", "InRelease"};
	static const char *const exts[] = {".sha256", ".sha512", ".sha256sum", ".sha512sum"};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (snprintf(out, size, "%s/%s", dir, names[i]) < (int)size && exists(out))
			return true;
	}
	for (i = 0; first && i < sizeof(exts) / sizeof(exts[0]); i++) {
		if (snprintf(out, size, "%s%s", first, exts[i]) < (int)size && exists(out))
			return true;
	}
	return false;
}

static bool find_sig(const char *sums, char *out, size_t size)
{
	static const char *const exts[] = {".gpg", ".sign", ".asc", ".sig"};
	size_t i;

	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		if (snprintf(out, size, "%s%s", sums, exts[i]) < (int)size && exists(out))
			return true;
	}
	return false;
}

static const char *skip_dot(const char *s)
{
	while (s[0] == '.' && s[1] == '/')
		s += 2;
	return s;
}

/* The entry for a FILE argument: exact, relative to the sums dir, then unique basename. */
static const struct mm_sums_entry *match(const struct mm_sums *s, const char *arg, const char *sdir,
					 bool *conflict)
{
	const struct mm_sums_entry *e, *hit = NULL;
	const char *a = skip_dot(arg), *b;
	size_t dl = strlen(sdir), i;
	char tmp[4200];

	e = mm_sums_find(s, a, strlen(a), conflict);
	if (e)
		return e;
	if (strlen(a) + 3 <= sizeof(tmp)) {
		memcpy(tmp, "./", 2);
		memcpy(tmp + 2, a, strlen(a) + 1);
		e = mm_sums_find(s, tmp, strlen(tmp), conflict);
		if (e)
			return e;
	}
	if (strcmp(sdir, ".") != 0 && strncmp(a, sdir, dl) == 0 && a[dl] == '/') {
		e = mm_sums_find(s, a + dl + 1, strlen(a + dl + 1), conflict);
		if (e)
			return e;
	}
	b = base_of(a);
	for (i = 0; i < s->n; i++) {
		const char *eb = base_of(s->v[i].name);

		if (strcmp(eb, b) != 0 || !mm_sums_is_best(s, &s->v[i]))
			continue;
		if (hit && strcmp(hit->name, s->v[i].name) != 0)
			return NULL; /* ambiguous: two listed paths share the base name */
		hit = &s->v[i];
	}
	if (hit)
		return mm_sums_find(s, hit->name, hit->name_len, conflict);
	return NULL;
}

/* A sums name we are willing to open under the sums directory. */
static bool safe_name(const char *n)
{
	const char *p = n;

	if (n[0] == '/' || n[0] == '\0')
		return false;
	while (*p) {
		if (p[0] == '.' && p[1] == '.' && (p[2] == '/' || p[2] == '\0'))
			return false;
		p = strchr(p, '/');
		if (!p)
			break;
		p++;
	}
	return true;
}

static int sig_exit(enum mm_sig_status st)
{
	switch (st) {
	case MM_SIG_OK:
		return VX_OK;
	case MM_SIG_BAD:
		return VX_SIGBAD;
	case MM_SIG_NOKEY:
		return VX_NOKEY;
	case MM_SIG_WRONGKEY:
		return VX_WRONGKEY;
	case MM_SIG_KEYINVALID:
		return VX_KEYINVALID;
	}
	return VX_INTERNAL;
}

static void fmt_time(uint32_t t, char *out, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || !strftime(out, size, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(out, size, "%u", t);
}

/*
 * librnp as Debian builds it prints its own diagnostics on stderr; they
 * would read like verdicts. Silence fd 2 around the call (single-threaded
 * here) unless MAMORI_DEBUG is set.
 */
static int quiet_pgp_verify(const struct mm_pgp_req *req, struct mm_pgp_result *res,
			    struct mm_buf *text, struct mm_err *err)
{
	int saved = -1, null = -1, rc;

	if (!getenv("MAMORI_DEBUG")) {
		fflush(stderr);
		saved = dup(2);
		null = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (saved >= 0 && null >= 0)
			dup2(null, 2);
	}
	rc = mm_pgp_verify(req, res, text, err);
	if (saved >= 0) {
		dup2(saved, 2);
		close(saved);
	}
	if (null >= 0)
		close(null);
	return rc;
}

/* Each --key file into its own buffer: keys[0] and more[0..nkeys-2]. */
static int load_keys(const struct vopts *o, struct mm_buf *keys, struct mm_pgp_keybuf *more,
		     struct mm_err *err)
{
	unsigned i;
	int rc;

	for (i = 0; i < o->nkeys; i++) {
		mm_buf_init(&keys[i], MM_PGP_MAX_KEY_BYTES);
		rc = mm_verify_read_file(o->keys[i], MM_PGP_MAX_KEY_BYTES, o->special, &keys[i],
					 err);
		if (rc < 0)
			return rc;
		if (i > 0) {
			more[i - 1].p = keys[i].data ? keys[i].data : "";
			more[i - 1].n = keys[i].len;
		}
	}
	return 0;
}

static int run(struct vopts *o, char **files, int nfiles)
{
	struct mm_buf sums_raw, sig, keys[16], text, out;
	struct mm_pgp_keybuf more[16];
	struct mm_sums sums;
	struct mm_pgp_result pr;
	struct mm_err err = {0, ""};
	struct vfile *vf = NULL;
	struct mm_digest_job *jobs = NULL;
	const char **paths = NULL;
	char sums_path[4200], sig_path[4300], sdir[4200];
	const char *sig_status = "NOT-CHECKED", *sig_detail = "";
	bool clearsigned, sig_ok = false;
	size_t n = 0, i, njobs = 0;
	int rc = VX_OK, code, exits[16] = {0}, sx = VX_OK;
	struct timespec t0;

	mm_buf_init(&sums_raw, MM_SUMS_MAX_BYTES);
	mm_buf_init(&sig, MM_PGP_MAX_SIG_BYTES);
	memset(keys, 0, sizeof(keys));
	mm_buf_init(&text, MM_SUMS_MAX_BYTES);
	mm_buf_init(&out, 1u << 30);
	mm_sums_init(&sums, MM_VH_NONE);
	memset(&pr, 0, sizeof(pr));

	/* 1. which sums file, which signature */
	if (o->sums) {
		snprintf(sums_path, sizeof(sums_path), "%s", o->sums);
	} else {
		dir_of(files[0], sdir, sizeof(sdir));
		for (i = 1; i < (size_t)nfiles; i++) {
			char d[4200];

			dir_of(files[i], d, sizeof(d));
			if (strcmp(d, sdir) != 0) {
				mm_die_msg("files in different directories: give --sums");
				rc = VX_USAGE;
				goto out;
			}
		}
		if (!find_sums(sdir, nfiles == 1 ? files[0] : NULL, sums_path, sizeof(sums_path))) {
			mm_die_msg(
			    "no sums file (sha256sum.txt, SHA256SUMS, ...) in %s; give --sums",
			    sdir);
			rc = VX_UNREADABLE;
			goto out;
		}
	}
	dir_of(sums_path, sdir, sizeof(sdir));
	mm_sums_init(&sums, mm_vhash_from_filename(sums_path));
	code = mm_verify_read_file(sums_path, MM_SUMS_MAX_BYTES, o->special, &sums_raw, &err);
	if (code < 0) {
		mm_die_msg("sums file %s", err.msg);
		rc = VX_UNREADABLE;
		goto out;
	}
	clearsigned = mm_pgp_is_clearsigned(sums_raw.data, sums_raw.len);
	if (o->sig)
		snprintf(sig_path, sizeof(sig_path), "%s", o->sig);
	else if (clearsigned || !find_sig(sums_path, sig_path, sizeof(sig_path)))
		sig_path[0] = '\0';

	/* 2. the signature */
	if (o->no_sig) {
		sig_status = "NOT-CHECKED";
		sig_detail = "--no-sig: the sums file is not authenticated";
		if (clearsigned) {
			mm_die_msg("%s is clearsigned: give --key, not --no-sig", sums_path);
			rc = VX_USAGE;
			goto out;
		}
		sig_ok = true;
	} else if (!clearsigned && !sig_path[0]) {
		sig_status = "BAD";
		sig_detail = "no signature found next to the sums file (give --sig, or --no-sig)";
		sx = VX_SIGBAD;
	} else if (o->nkeys == 0) {
		sig_status = "NOKEY";
		sig_detail = "no --key given: cannot check who signed";
		sx = VX_NOKEY;
	} else {
		struct mm_pgp_req req = {0};

		if (sig_path[0]) {
			code = mm_verify_read_file(sig_path, MM_PGP_MAX_SIG_BYTES, o->special, &sig,
						   &err);
			if (code < 0) {
				mm_die_msg("signature %s", err.msg);
				rc = VX_UNREADABLE;
				goto out;
			}
		}
		code = load_keys(o, keys, more, &err);
		if (code < 0) {
			mm_die_msg("key %s", err.msg);
			rc = VX_UNREADABLE;
			goto out;
		}
		req.keys = keys[0].data ? keys[0].data : "";
		req.keys_len = keys[0].len;
		req.more_keys = more;
		req.nmore_keys = o->nkeys - 1;
		req.pin = o->fpr;
		req.data = sums_raw.data;
		req.data_len = sums_raw.len;
		if (sig_path[0]) {
			req.sig = sig.data ? sig.data : "";
			req.sig_len = sig.len;
		}
		code = quiet_pgp_verify(&req, &pr, &text, &err);
		if (code < 0) {
			mm_die_msg("%s", err.msg);
			rc = code == MM_ERR_INVAL ? VX_USAGE : VX_UNREADABLE;
			goto out;
		}
		sig_status = mm_sig_status_name(pr.status);
		sig_detail = pr.detail;
		sx = sig_exit(pr.status);
		sig_ok = pr.status == MM_SIG_OK;
	}

	/* 3. the sums: only signed text from a clearsigned file */
	if (sig_ok) {
		const char *p = clearsigned ? text.data : sums_raw.data;
		size_t len = clearsigned ? text.len : sums_raw.len;

		code = mm_sums_parse(&sums, p ? p : "", len, &err);
		if (code < 0) {
			mm_die_msg("sums file %s: %s", sums_path, err.msg);
			rc = VX_UNREADABLE;
			goto out;
		}
		if (sums.bad)
			mm_warn("%s: %u malformed line(s) skipped, first at line %u: %s", sums_path,
				sums.bad, sums.first_bad, sums.first_bad_msg);
	}

	/* 4. which files */
	n = nfiles > 0 ? (size_t)nfiles : sums.n;
	vf = calloc(n ? n : 1, sizeof(*vf));
	jobs = calloc(n ? n : 1, sizeof(*jobs));
	paths = calloc(n ? n : 1, sizeof(*paths));
	if (!vf || !jobs || !paths) {
		rc = VX_INTERNAL;
		goto out;
	}
	if (nfiles > 0) {
		for (i = 0; i < n; i++) {
			bool conflict = false;

			vf[i].arg = files[i];
			vf[i].path = strdup(files[i]);
			vf[i].v = FV_NOTCHECKED;
			if (!sig_ok)
				continue;
			vf[i].e = match(&sums, files[i], sdir, &conflict);
			if (!vf[i].e) {
				vf[i].v = FV_NOTLISTED;
				snprintf(vf[i].note, sizeof(vf[i].note), "not listed in %.150s",
					 sums_path);
			} else if (conflict) {
				vf[i].v = FV_UNREADABLE;
				snprintf(vf[i].note, sizeof(vf[i].note),
					 "listed twice with different digests");
			}
		}
	} else {
		size_t k = 0;

		for (i = 0; i < sums.n; i++) {
			const struct mm_sums_entry *e = &sums.v[i];
			bool conflict = false;

			if (!mm_sums_is_best(&sums, e))
				continue;
			vf[k].arg = e->name;
			vf[k].e = e;
			vf[k].v = FV_NOTCHECKED;
			if (asprintf(&vf[k].path, "%s/%s", sdir, e->name) < 0)
				vf[k].path = NULL;
			(void)mm_sums_find(&sums, e->name, e->name_len, &conflict);
			if (!safe_name(e->name)) {
				vf[k].v = FV_UNREADABLE;
				snprintf(vf[k].note, sizeof(vf[k].note),
					 "unsafe name (absolute or '..')");
			} else if (conflict) {
				vf[k].v = FV_UNREADABLE;
				snprintf(vf[k].note, sizeof(vf[k].note),
					 "listed twice with different digests");
			} else if (!vf[k].path || !exists(vf[k].path)) {
				vf[k].v = FV_MISSING; /* reported, not an error here */
			}
			k++;
		}
		n = k;
	}
	for (i = 0; i < n; i++) {
		if (!vf[i].e || vf[i].v == FV_UNREADABLE || vf[i].v == FV_MISSING || !vf[i].path)
			continue;
		if (mm_vhash_weak(vf[i].e->alg) && !o->allow_weak) {
			vf[i].v = FV_WEAK;
			snprintf(vf[i].note, sizeof(vf[i].note),
				 "%s is not secure (collisions); --allow-weak to accept",
				 mm_vhash_name(vf[i].e->alg));
			continue;
		}
		jobs[njobs].path = paths[njobs] = vf[i].path;
		jobs[njobs].alg = vf[i].e->alg;
		jobs[njobs].flags = o->special ? MM_DIGEST_ALLOW_SPECIAL : 0;
		jobs[njobs].rc = (int)i; /* which vfile; overwritten by the hash */
		njobs++;
	}

	/* 5. hash */
	{
		size_t *idx = calloc(njobs ? njobs : 1, sizeof(*idx));

		if (!idx) {
			rc = VX_INTERNAL;
			goto out;
		}
		for (i = 0; i < njobs; i++)
			idx[i] = (size_t)jobs[i].rc;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		mm_digest_files(jobs, njobs, o->jobs,
				mm_progress_enabled() && big_enough(paths, njobs) ? progress : NULL,
				&t0);
		for (i = 0; i < njobs; i++) {
			struct vfile *f = &vf[idx[i]];
			const struct mm_digest_job *j = &jobs[i];
			size_t len = mm_vhash_len(j->alg);

			if (j->rc == 0)
				mm_digest_hex(j->md, len, f->got);
			if (j->rc == MM_ERR_NOTFOUND) {
				f->v = FV_MISSING;
			} else if (j->rc < 0) {
				f->v = FV_UNREADABLE;
				snprintf(f->note, sizeof(f->note), "%s", j->err.msg);
			} else if (j->changed) {
				f->v = FV_UNREADABLE;
				snprintf(f->note, sizeof(f->note),
					 "the file changed (size or time) while it was read");
			} else if (mm_digest_equal(j->md, f->e->digest, len)) {
				f->v = FV_OK;
			} else {
				char want[2 * MM_VH_MAXLEN + 1], got[2 * MM_VH_MAXLEN + 1];

				mm_digest_hex(f->e->digest, len, want);
				mm_digest_hex(j->md, len, got);
				f->v = FV_MISMATCH;
				snprintf(f->note, sizeof(f->note), "want %.16s... got %.16s...",
					 want, got);
			}
		}
		free(idx);
	}

	/* 6. verdict */
	for (i = 0; i < n; i++)
		if (vf[i].v != FV_NOTCHECKED && fv_exit[vf[i].v] != VX_OK)
			exits[fv_exit[vf[i].v]] = 1;
	if (sx != VX_OK)
		exits[sx] = 1;
	if (nfiles == 0 && sig_ok && n == 0)
		exits[VX_UNREADABLE] = 1;
	rc = VX_OK;
	for (i = 0; i < sizeof(severity) / sizeof(severity[0]); i++)
		if (exits[severity[i]]) {
			rc = severity[i];
			break;
		}

	/* 7. render */
	if (o->json) {
		mm_buf_adds(&out, "{\"verdict\":\"");
		mm_buf_adds(&out, rc == VX_OK ? "OK" : "FAIL");
		mm_buf_addf(&out, "\",\"exit\":%d,\"sums\":\"", rc);
		mm_buf_add_json_str(&out, sums_path, strlen(sums_path));
		mm_buf_addf(&out, "\",\"signature\":{\"status\":\"%s\",\"detail\":\"", sig_status);
		mm_buf_add_json_str(&out, sig_detail, strlen(sig_detail));
		mm_buf_addf(&out, "\",\"file\":\"");
		mm_buf_add_json_str(&out, sig_path, strlen(sig_path));
		mm_buf_addf(&out,
			    "\",\"clearsigned\":%s,\"key\":\"%s\",\"primary\":\"%s\","
			    "\"subkey\":%s,\"uid\":\"",
			    clearsigned ? "true" : "false", pr.key_fpr, pr.primary_fpr,
			    pr.subkey ? "true" : "false");
		mm_buf_add_json_str(&out, pr.uid, strlen(pr.uid));
		mm_buf_addf(&out,
			    "\",\"time\":%u,\"key_expires\":%u,\"key_expired_since\":%s,"
			    "\"key_revoked\":%s,\"ignored_before\":%zu,\"ignored_after\":%zu},"
			    "\"files\":[",
			    pr.sig_time, pr.key_expiry, pr.key_expired_now ? "true" : "false",
			    pr.key_revoked ? "true" : "false", pr.before, pr.after);
		for (i = 0; i < n; i++) {
			mm_buf_adds(&out, i ? ",{\"name\":\"" : "{\"name\":\"");
			mm_buf_add_json_str(&out, vf[i].arg, strlen(vf[i].arg));
			mm_buf_addf(&out, "\",\"verdict\":\"%s\",\"alg\":\"%s\",\"note\":\"",
				    fv_name[vf[i].v], vf[i].e ? mm_vhash_name(vf[i].e->alg) : "");
			mm_buf_add_json_str(&out, vf[i].note, strlen(vf[i].note));
			mm_buf_adds(&out, "\",\"expected\":\"");
			if (vf[i].e) {
				char want[2 * MM_VH_MAXLEN + 1];

				mm_digest_hex(vf[i].e->digest, mm_vhash_len(vf[i].e->alg), want);
				mm_buf_adds(&out, want);
			}
			mm_buf_addf(&out, "\",\"actual\":\"%s\"}", vf[i].got);
		}
		mm_buf_adds(&out, "]}\n");
	} else {
		mm_buf_addf(&out, "signature  %-11s ", sig_status);
		if (sig_ok && !o->no_sig) {
			char when[64];

			fmt_time(pr.sig_time, when, sizeof(when));
			mm_buf_addf(&out, "good signature by %s%s%s", pr.primary_fpr,
				    o->fpr ? " (pinned)" : "", pr.subkey ? " via subkey " : "");
			if (pr.subkey)
				mm_buf_adds(&out, pr.key_fpr);
			mm_buf_adds(&out, " \"");
			put_safe(&out, pr.uid, strlen(pr.uid));
			mm_buf_addf(&out, "\", made %s\n", when);
			if (pr.key_expired_now) {
				fmt_time(pr.key_expiry, when, sizeof(when));
				mm_buf_addf(&out,
					    "note: the key expired %s, after it signed; the "
					    "signature stays good\n",
					    when);
			}
		} else {
			put_safe(&out, sig_detail, strlen(sig_detail));
			mm_buf_addc(&out, '\n');
		}
		if (pr.before || pr.after)
			mm_buf_addf(&out,
				    "note: ignored %zu byte(s) before and %zu after the signed "
				    "block of %s: not signed, not used\n",
				    pr.before, pr.after, sums_path);
		for (i = 0; i < n; i++) {
			mm_buf_addf(&out, "%-11s ", fv_name[vf[i].v]);
			put_safe(&out, vf[i].arg, strlen(vf[i].arg));
			if (vf[i].e && vf[i].v != FV_NOTCHECKED)
				mm_buf_addf(&out, "  %s", mm_vhash_name(vf[i].e->alg));
			if (vf[i].v == FV_NOTCHECKED)
				mm_buf_adds(&out, "  (sums not verified)");
			if (vf[i].note[0]) {
				mm_buf_adds(&out, "  ");
				put_safe(&out, vf[i].note, strlen(vf[i].note));
			}
			mm_buf_addc(&out, '\n');
		}
		if (rc == VX_OK && o->no_sig)
			mm_buf_addf(
			    &out, "verify: OK (checksums only; the sums are NOT signed-checked)\n");
		else if (rc == VX_OK)
			mm_buf_addf(&out, "verify: OK\n");
		else
			mm_buf_addf(&out, "verify: FAILED (exit %d)\n", rc);
	}
	fwrite(out.data, 1, out.len, stdout);
out:
	for (i = 0; vf && i < n; i++)
		free(vf[i].path);
	free(vf);
	free(jobs);
	free(paths);
	mm_sums_release(&sums);
	mm_buf_release(&sums_raw);
	mm_buf_release(&sig);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		mm_buf_release(&keys[i]);
	mm_buf_release(&text);
	mm_buf_release(&out);
	return rc;
}

int cmd_verify(int argc, char **argv)
{
	static const struct option lopts[] = {
	    {"sums", required_argument, NULL, 's'},
	    {"sig", required_argument, NULL, 'g'},
	    {"key", required_argument, NULL, 'k'},
	    {"fingerprint", required_argument, NULL, 'f'},
	    {"json", no_argument, NULL, 'j'},
	    {"no-sig", no_argument, NULL, 'N'},
	    {"allow-weak", no_argument, NULL, 'W'},
	    {"allow-special", no_argument, NULL, 'S'},
	    {"jobs", required_argument, NULL, 'J'},
	    {"hash", no_argument, NULL, 'H'},
	    {"sha256", no_argument, NULL, '2'},
	    {"sha384", no_argument, NULL, '3'},
	    {"sha512", no_argument, NULL, '5'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct vopts o;
	int c;

	memset(&o, 0, sizeof(o));
	o.hash_alg = MM_VH_SHA256;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
		switch (c) {
		case 's':
			o.sums = optarg;
			break;
		case 'g':
			o.sig = optarg;
			break;
		case 'k':
			if (o.nkeys >= sizeof(o.keys) / sizeof(o.keys[0])) {
				mm_die_msg("too many --key");
				return VX_USAGE;
			}
			o.keys[o.nkeys++] = optarg;
			break;
		case 'f':
			o.fpr = optarg;
			break;
		case 'j':
			o.json = true;
			break;
		case 'N':
			o.no_sig = true;
			break;
		case 'W':
			o.allow_weak = true;
			break;
		case 'S':
			o.special = true;
			break;
		case 'J': {
			char *end = NULL;
			unsigned long v = strtoul(optarg, &end, 10);

			if (!end || *end || v == 0 || v > 64) {
				mm_die_msg("--jobs wants 1..64");
				return VX_USAGE;
			}
			o.jobs = (unsigned)v;
			break;
		}
		case 'H':
			o.hash = true;
			break;
		case '2':
			o.hash_alg = MM_VH_SHA256;
			break;
		case '3':
			o.hash_alg = MM_VH_SHA384;
			break;
		case '5':
			o.hash_alg = MM_VH_SHA512;
			break;
		case 'h':
			usage_verify(stdout);
			return VX_OK;
		default:
			usage_verify(stderr);
			return VX_USAGE;
		}
	}
	if (o.hash) {
		if (optind >= argc) {
			mm_die_msg("--hash needs FILE...");
			return VX_USAGE;
		}
		return hash_only(&o, argv + optind, argc - optind);
	}
	if (optind >= argc && !o.sums) {
		usage_verify(stderr);
		return VX_USAGE;
	}
	if (o.fpr && o.nkeys == 0) {
		mm_die_msg("--fingerprint needs --key");
		return VX_USAGE;
	}
	return run(&o, argv + optind, argc - optind);
}
