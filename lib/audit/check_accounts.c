/* SPDX-License-Identifier: MIT */
/*
 * Accounts and privileges: /etc/passwd, /etc/shadow, lastlog, sudoers.
 * passwd and shadow are colon-separated; fields are read with cursors and
 * lines longer than 4 KiB are ignored, as the files are capped at 1 MiB.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "audit_int.h"
#include "mamori/cursor.h"

#define MAX_FIELDS 9

/* Split a line at ':' into at most MAX_FIELDS spans; returns the count. */
static size_t split_colon(struct mm_span line, struct mm_span *f)
{
	struct mm_cur c = mm_cur_make(line.p, line.n);
	size_t n = 0;

	while (n < MAX_FIELDS) {
		if (!mm_cur_until(&c, ':', &f[n])) {
			mm_cur_rest(&c, &f[n]);
			return n + 1;
		}
		c.p++;
		n++;
	}
	return n;
}

static bool next_line(struct mm_cur *c, struct mm_span *line)
{
	if (mm_cur_eof(c))
		return false;
	if (!mm_cur_until(c, '\n', line))
		mm_cur_rest(c, line);
	else
		c->p++;
	return true;
}

bool audit_login_shell(const char *shell)
{
	const char *b = strrchr(shell, '/');

	b = b ? b + 1 : shell;
	if (!shell[0])
		return true; /* empty means /bin/sh */
	return strcmp(b, "nologin") != 0 && strcmp(b, "false") != 0 && strcmp(b, "true") != 0 &&
	       strcmp(b, "sync") != 0 && strcmp(b, "halt") != 0 && strcmp(b, "shutdown") != 0;
}

static void spancpy(char *dst, size_t n, struct mm_span s)
{
	size_t k = s.n < n - 1 ? s.n : n - 1;

	memcpy(dst, s.p, k);
	dst[k] = '\0';
}

static int read_passwd(const struct audit_ctx *c, struct mm_buf *b)
{
	char p[1100];

	audit_path(c, "/etc/passwd", p, sizeof(p));
	return audit_read(c, p, AUDIT_FILE_CAP, b);
}

int audit_login_users(const struct audit_ctx *c, struct audit_user *u, size_t max, size_t *nall)
{
	struct mm_buf b;
	struct mm_cur cur;
	struct mm_span line;
	size_t n = 0;
	int rc;

	*nall = 0;
	mm_buf_init(&b, AUDIT_FILE_CAP);
	rc = read_passwd(c, &b);
	if (rc < 0)
		goto out;
	cur = mm_cur_make(b.data, b.len);
	while (next_line(&cur, &line)) {
		struct mm_span f[MAX_FIELDS];
		struct mm_cur uc;
		uint32_t uid;
		if (line.n > 4096 || split_colon(line, f) < 7)
			continue;
		uc = mm_cur_make(f[2].p, f[2].n);
		if (!mm_cur_u32(&uc, &uid, UINT32_MAX) || !mm_cur_eof(&uc))
			continue;
		if (f[0].n == 0 || f[0].n >= sizeof(u->name) || f[5].n >= sizeof(u->home) ||
		    f[6].n >= sizeof(u->shell))
			continue;
		{
			char shell[128];
			spancpy(shell, sizeof(shell), f[6]);
			if (!audit_login_shell(shell))
				continue;
		}
		(*nall)++;
		if (n >= max) {
			size_t k = 0;
			/* full: a regular user still replaces a system one in slot 0 */
			if (max == 0 || u[0].uid >= 1000 || uid < 1000)
				continue;
			spancpy(u[k].name, sizeof(u[k].name), f[0]);
			spancpy(u[k].home, sizeof(u[k].home), f[5]);
			spancpy(u[k].shell, sizeof(u[k].shell), f[6]);
			u[k].uid = uid;
			continue;
		}
		spancpy(u[n].name, sizeof(u[n].name), f[0]);
		spancpy(u[n].home, sizeof(u[n].home), f[5]);
		spancpy(u[n].shell, sizeof(u[n].shell), f[6]);
		u[n].uid = uid;
		/* prefer a regular user as "typical": put uid >= 1000 first */
		if (n > 0 && u[0].uid < 1000 && uid >= 1000) {
			struct audit_user t = u[0];
			u[0] = u[n];
			u[n] = t;
		}
		n++;
	}
	rc = (int)n;
out:
	mm_buf_release(&b);
	return rc;
}

/* lastlog: fixed records indexed by uid; ll_time == 0 means never. */
struct lastlog_rec {
	int32_t ll_time;
	char ll_line[32];
	char ll_host[256];
};

/* 1 never, 0 logged in, -1 unknown */
static int never_logged_in(const struct audit_ctx *c, unsigned uid)
{
	char p[1100];
	struct lastlog_rec r;
	FILE *f;
	int res = -1;

	audit_path(c, "/var/log/lastlog", p, sizeof(p));
	f = fopen(p, "rbe");
	if (!f)
		return -1;
	if (fseeko(f, (off_t)uid * (off_t)sizeof(r), SEEK_SET) == 0) {
		if (fread(&r, sizeof(r), 1, f) == 1)
			res = r.ll_time == 0;
		else
			res = 1; /* past the end: never written */
	}
	fclose(f);
	return res;
}

static int check_passwd_shadow(struct audit_ctx *c)
{
	struct mm_buf pw, sh;
	struct mm_cur cur;
	struct mm_span line;
	char p[1100];
	unsigned lineno = 0;
	int rc, src;

	mm_buf_init(&pw, AUDIT_FILE_CAP);
	mm_buf_init(&sh, AUDIT_FILE_CAP);
	rc = read_passwd(c, &pw);
	if (rc < 0) {
		rc = audit_note(c, MM_AUDIT_ACCOUNTS, false,
				"/etc/passwd: %s; accounts not checked", mm_strerror(rc));
		goto out;
	}
	audit_path(c, "/etc/shadow", p, sizeof(p));
	src = audit_read(c, p, AUDIT_FILE_CAP, &sh);
	if (src < 0 && src != MM_ERR_NOTFOUND) {
		rc = audit_note(c, MM_AUDIT_ACCOUNTS, src == MM_ERR_PERM,
				"/etc/shadow: %s; empty-password and never-used checks skipped%s",
				mm_strerror(src), src == MM_ERR_PERM ? " (run as root)" : "");
		if (rc < 0)
			goto out;
	}
	cur = mm_cur_make(pw.data, pw.len);
	while (rc == 0 && next_line(&cur, &line)) {
		struct mm_span f[MAX_FIELDS];
		char name[64], shell[128];
		struct mm_cur uc;
		uint32_t uid;

		lineno++;
		if (line.n > 4096 || line.n == 0 || line.p[0] == '#' || split_colon(line, f) < 7)
			continue;
		uc = mm_cur_make(f[2].p, f[2].n);
		if (!mm_cur_u32(&uc, &uid, UINT32_MAX))
			continue;
		spancpy(name, sizeof(name), f[0]);
		spancpy(shell, sizeof(shell), f[6]);
		if (uid == 0 && strcmp(name, "root") != 0)
			rc =
			    audit_find(c, "ACC-UID0", "/etc/passwd:%u: %s has UID 0", lineno, name);
		if (rc == 0 && f[1].n == 0)
			rc = audit_find(c, "ACC-EMPTY-PASSWORD",
					"/etc/passwd:%u: %s has an empty password field", lineno,
					name);
		else if (rc == 0 && !mm_span_eq(f[1], "x") && f[1].p[0] != '!' && f[1].p[0] != '*')
			rc = audit_find(c, "ACC-EMPTY-PASSWORD",
					"/etc/passwd:%u: %s has its password hash in /etc/passwd "
					"instead of /etc/shadow",
					lineno, name);
		if (rc == 0 && src == 0 && mm_span_eq(f[1], "x")) {
			/* find the shadow line */
			struct mm_cur sc = mm_cur_make(sh.data, sh.len);
			struct mm_span sl, sf[MAX_FIELDS];
			unsigned sline = 0;
			bool found = false;
			while (next_line(&sc, &sl)) {
				sline++;
				if (sl.n > 4096 || split_colon(sl, sf) < 2 || sf[0].n != f[0].n ||
				    memcmp(sf[0].p, f[0].p, f[0].n) != 0)
					continue;
				found = true;
				break;
			}
			if (found && sf[1].n == 0)
				rc = audit_find(c, "ACC-EMPTY-PASSWORD",
						"/etc/shadow:%u: %s has an empty password hash",
						sline, name);
			else if (!found && audit_login_shell(shell))
				rc = audit_find(c, "ACC-EMPTY-PASSWORD",
						"/etc/passwd:%u: %s has no entry in /etc/shadow",
						lineno, name);
			else if (found && sf[1].p[0] == '$' && audit_login_shell(shell) &&
				 never_logged_in(c, uid) == 1)
				rc = audit_find(
				    c, "ACC-NEVER-USED",
				    "%s (uid %u, shell %s): usable password, no login in "
				    "/var/log/lastlog",
				    name, (unsigned)uid, shell);
		}
	}
out:
	mm_buf_release(&pw);
	mm_buf_release(&sh);
	return rc;
}

/* NOPASSWD: ... ALL at the end of a rule, outside comments. */
static int scan_sudoers(struct audit_ctx *c, const char *shown, const struct mm_buf *b)
{
	struct mm_cur cur = mm_cur_make(b->data, b->len);
	struct mm_span line;
	unsigned lineno = 0;
	int rc = 0;

	while (rc == 0 && next_line(&cur, &line)) {
		const char *np, *e;
		size_t k;
		lineno++;
		while (line.n && (line.p[0] == ' ' || line.p[0] == '\t')) {
			line.p++;
			line.n--;
		}
		if (line.n == 0 || line.p[0] == '#' || line.n > 4096)
			continue;
		np = memmem(line.p, line.n, "NOPASSWD:", 9);
		if (!np)
			continue;
		e = line.p + line.n;
		while (e > np && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			e--;
		k = (size_t)(e - np);
		if (k >= 12 && memcmp(e - 3, "ALL", 3) == 0 &&
		    (e[-4] == ' ' || e[-4] == '\t' || e[-4] == ':'))
			rc = audit_find(c, "ACC-SUDO-NOPASSWD-ALL", "%s:%u: %.*s", shown, lineno,
					(int)(line.n > 200 ? 200 : line.n), line.p);
	}
	return rc;
}

static int sudoers_file(struct audit_ctx *c, const char *abs, bool check_perms)
{
	char p[2048];
	struct mm_buf b;
	struct stat st;
	int rc = 0, r;

	audit_path(c, abs, p, sizeof(p));
	if (lstat(p, &st) < 0)
		return 0;
	if (check_perms && (st.st_mode & 022 || st.st_uid != c->root_uid))
		rc = audit_find(c, "ACC-SUDOERS-PERMS", "%s: mode %04o, owner uid %u", abs,
				(unsigned)(st.st_mode & 07777), (unsigned)st.st_uid);
	mm_buf_init(&b, AUDIT_FILE_CAP);
	r = audit_read(c, p, AUDIT_FILE_CAP, &b);
	if (rc == 0 && r < 0 && r != MM_ERR_NOTFOUND)
		rc = audit_note(c, MM_AUDIT_ACCOUNTS, r == MM_ERR_PERM, "%s: %s%s", abs,
				mm_strerror(r), r == MM_ERR_PERM ? " (run as root)" : "");
	else if (rc == 0 && r == 0)
		rc = scan_sudoers(c, abs, &b);
	mm_buf_release(&b);
	return rc;
}

static int check_sudoers(struct audit_ctx *c)
{
	char p[1100];
	struct dirent **ents = NULL;
	int n, i, rc;

	rc = sudoers_file(c, "/etc/sudoers", true);
	audit_path(c, "/etc/sudoers.d", p, sizeof(p));
	n = scandir(p, &ents, NULL, alphasort);
	for (i = 0; i < n; i++) {
		const char *nm = ents[i]->d_name;
		size_t l = strlen(nm);
		char abs[600];
		/* sudo skips names with a dot or ending in '~' */
		if (rc == 0 && nm[0] != '.' && !strchr(nm, '.') && l && nm[l - 1] != '~' &&
		    l < 500) {
			snprintf(abs, sizeof(abs), "/etc/sudoers.d/%s", nm);
			rc = sudoers_file(c, abs, true);
		}
		free(ents[i]);
	}
	free(ents);
	return rc;
}

int audit_check_accounts(struct audit_ctx *c)
{
	int rc = check_passwd_shadow(c);

	if (rc == 0)
		rc = check_sudoers(c);
	return rc;
}
