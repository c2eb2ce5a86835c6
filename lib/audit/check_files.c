/* SPDX-License-Identifier: MIT */
/*
 * Files: one walk over the system paths finds world-writable entries and
 * set-id files; set-id files are then looked up in the dpkg database
 * (the .list files in /var/lib/dpkg/info). Plus the modes of shadow files and TLS keys.
 */

#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "audit_int.h"

#define WALK_MAX_ENTRIES 3000000u
#define MAX_SETID 2000

static const char *const walk_dirs[] = {"/etc",	  "/usr",  "/bin", "/sbin", "/lib",
					"/lib64", "/boot", "/opt", "/srv",  "/var/www"};

/* nftw has no user pointer: the walk state lives here for its duration. */
static struct walk {
	struct audit_ctx *c;
	size_t rootlen;
	size_t entries;
	int rc;
	char **setid;
	size_t nsetid;
	bool truncated;
} W;

static int walk_cb(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	const char *abs = path + W.rootlen;

	(void)ftw;
	if (++W.entries > WALK_MAX_ENTRIES) {
		W.truncated = true;
		return 1;
	}
	if (type == FTW_SL || type == FTW_NS || type == FTW_DNR)
		return 0;
	if ((type == FTW_D || type == FTW_DP) && (st->st_mode & S_IWOTH) &&
	    !(st->st_mode & S_ISVTX)) {
		W.rc = audit_find(W.c, "FILE-WORLD-WRITABLE", "%s: directory mode %04o", abs,
				  (unsigned)(st->st_mode & 07777));
	} else if (type == FTW_F && S_ISREG(st->st_mode) && (st->st_mode & S_IWOTH)) {
		W.rc = audit_find(W.c, "FILE-WORLD-WRITABLE", "%s: file mode %04o", abs,
				  (unsigned)(st->st_mode & 07777));
	}
	if (W.rc == 0 && type == FTW_F && S_ISREG(st->st_mode) &&
	    (st->st_mode & (S_ISUID | S_ISGID)) && W.nsetid < MAX_SETID) {
		char *d = strdup(abs);
		if (!d)
			W.rc = MM_ERR_NOMEM;
		else
			W.setid[W.nsetid++] = d;
	}
	return W.rc < 0 ? 1 : 0;
}

/* "\nPATH\n" (or at the start) in a dpkg .list */
static bool listed(const struct mm_buf *b, const char *path)
{
	size_t n = strlen(path);
	const char *p = b->data, *end = b->data + b->len;

	while (p < end) {
		const char *hit = memmem(p, (size_t)(end - p), path, n);
		if (!hit)
			return false;
		if ((hit == b->data || hit[-1] == '\n') && (hit + n == end || hit[n] == '\n'))
			return true;
		p = hit + 1;
	}
	return false;
}

/* The same file under usrmerge: /usr/bin/x is /bin/x in older lists. */
static bool alias(const char *path, char *out, size_t n)
{
	static const char *const pairs[][2] = {
	    {"/usr/bin/", "/bin/"}, {"/usr/sbin/", "/sbin/"}, {"/usr/lib/", "/lib/"}};
	size_t i;

	for (i = 0; i < 3; i++) {
		size_t a = strlen(pairs[i][0]), b = strlen(pairs[i][1]);
		if (strncmp(path, pairs[i][0], a) == 0)
			return snprintf(out, n, "%s%s", pairs[i][1], path + a) < (int)n;
		if (strncmp(path, pairs[i][1], b) == 0)
			return snprintf(out, n, "%s%s", pairs[i][0], path + b) < (int)n;
	}
	return false;
}

static int check_setid(struct audit_ctx *c)
{
	char dir[1100];
	struct dirent **ents = NULL;
	bool *known = NULL;
	struct mm_buf b;
	int n, i, rc = 0;
	size_t k;

	if (W.nsetid == 0)
		return 0;
	audit_path(c, "/var/lib/dpkg/info", dir, sizeof(dir));
	n = scandir(dir, &ents, NULL, NULL);
	if (n < 0)
		return audit_note(c, MM_AUDIT_FILES, false,
				  "no dpkg database (/var/lib/dpkg/info): %zu set-id files not "
				  "matched to packages",
				  W.nsetid);
	known = calloc(W.nsetid, sizeof(*known));
	if (!known) {
		rc = MM_ERR_NOMEM;
		goto out;
	}
	mm_buf_init(&b, 64u << 20);
	for (i = 0; i < n; i++) {
		const char *nm = ents[i]->d_name;
		size_t l = strlen(nm);
		char p[1400];
		if (l < 6 || strcmp(nm + l - 5, ".list") != 0 || l > 256)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, nm);
		if (audit_read(c, p, 64u << 20, &b) < 0 || !b.data)
			continue;
		for (k = 0; k < W.nsetid; k++) {
			char al[1024];
			if (!known[k])
				known[k] = listed(&b, W.setid[k]) ||
					   (alias(W.setid[k], al, sizeof(al)) && listed(&b, al));
		}
	}
	mm_buf_release(&b);
	for (k = 0; k < W.nsetid && rc == 0; k++)
		if (!known[k])
			rc = audit_find(c, "FILE-SUID-UNPACKAGED", "%s: set-id, in no dpkg package",
					W.setid[k]);
out:
	for (i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	free(known);
	return rc;
}

static int check_shadow(struct audit_ctx *c)
{
	static const char *const files[] = {"/etc/shadow", "/etc/gshadow"};
	size_t i;
	int rc = 0;

	for (i = 0; i < 2 && rc == 0; i++) {
		char p[1100];
		struct stat st;
		audit_path(c, files[i], p, sizeof(p));
		if (lstat(p, &st) < 0)
			continue;
		if ((st.st_mode & 0026) || st.st_uid != c->root_uid)
			rc = audit_find(c, "FILE-SHADOW-PERMS", "%s: mode %04o, owner uid %u",
					files[i], (unsigned)(st.st_mode & 07777),
					(unsigned)st.st_uid);
	}
	return rc;
}

static int check_ssl_private(struct audit_ctx *c)
{
	char dir[1100];
	struct dirent **ents = NULL;
	struct stat st;
	int n, i, rc = 0;

	audit_path(c, "/etc/ssl/private", dir, sizeof(dir));
	if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return 0;
	if (st.st_mode & 0007)
		rc =
		    audit_find(c, "FILE-SSL-PRIVATE-PERMS", "/etc/ssl/private: directory mode %04o",
			       (unsigned)(st.st_mode & 07777));
	n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0 && rc == 0)
		rc =
		    audit_note(c, MM_AUDIT_FILES, !c->privileged, "/etc/ssl/private: cannot list%s",
			       c->privileged ? "" : " (run as root)");
	for (i = 0; i < n; i++) {
		char p[1400];
		struct stat fs;
		if (rc == 0 && ents[i]->d_name[0] != '.' && strlen(ents[i]->d_name) < 256) {
			snprintf(p, sizeof(p), "%s/%s", dir, ents[i]->d_name);
			if (lstat(p, &fs) == 0 && S_ISREG(fs.st_mode) && (fs.st_mode & 0006))
				rc = audit_find(c, "FILE-SSL-PRIVATE-PERMS",
						"/etc/ssl/private/%s: mode %04o", ents[i]->d_name,
						(unsigned)(fs.st_mode & 07777));
		}
		free(ents[i]);
	}
	free(ents);
	return rc;
}

int audit_check_files(struct audit_ctx *c)
{
	size_t i;
	int rc;

	memset(&W, 0, sizeof(W));
	W.c = c;
	W.rootlen = strlen(c->root);
	W.setid = calloc(MAX_SETID, sizeof(*W.setid));
	if (!W.setid)
		return MM_ERR_NOMEM;
	for (i = 0; i < sizeof(walk_dirs) / sizeof(walk_dirs[0]) && W.rc == 0 && !W.truncated;
	     i++) {
		char p[1100];
		audit_path(c, walk_dirs[i], p, sizeof(p));
		if (p[0])
			nftw(p, walk_cb, 32, FTW_PHYS | FTW_MOUNT);
	}
	rc = W.rc;
	if (rc == 0 && W.truncated)
		rc = audit_note(c, MM_AUDIT_FILES, false, "file walk stopped after %u entries",
				WALK_MAX_ENTRIES);
	if (rc == 0 && !c->privileged)
		rc = audit_note(c, MM_AUDIT_FILES, true,
				"directories unreadable without root were not walked");
	if (rc == 0)
		rc = check_setid(c);
	if (rc == 0)
		rc = check_shadow(c);
	if (rc == 0)
		rc = check_ssl_private(c);
	if (rc == 0)
		rc = audit_check_webroots(c);
	for (i = 0; i < W.nsetid; i++)
		free(W.setid[i]);
	free(W.setid);
	memset(&W, 0, sizeof(W));
	return rc;
}
