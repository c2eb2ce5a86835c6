/* SPDX-License-Identifier: MIT */
/*
 * sshd checks. The effective configuration comes from `sshd -T` (run
 * twice with -C, for root and for a typical user, so Match blocks are
 * evaluated by sshd itself); without a usable sshd (missing, failing, not
 * root, or a --root image) it comes from reading sshd_config and its
 * Include drop-ins with sshd's first-value-wins rule. The files are read
 * in both cases so the evidence can name the FILE:LINE that set a value.
 */
#include <fnmatch.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "audit_int.h"
#include "mamori/buf.h"
#include "mamori/cursor.h"

#define SSHCFG_MAX_ENTRIES 20000
#define SSHCFG_MAX_DEPTH 16

void mm_sshcfg_init(struct mm_sshcfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
}

void mm_sshcfg_release(struct mm_sshcfg *cfg)
{
	size_t i;

	if (!cfg)
		return;
	for (i = 0; i < cfg->n; i++) {
		free(cfg->v[i].key);
		free(cfg->v[i].value);
		free(cfg->v[i].file);
		free(cfg->v[i].match);
	}
	free(cfg->v);
	cfg->v = NULL;
	cfg->n = cfg->cap = 0;
}

static char *dupspan(const char *p, size_t n, bool lower)
{
	char *s = malloc(n + 1);
	size_t i;

	if (!s)
		return NULL;
	for (i = 0; i < n; i++)
		s[i] = lower && p[i] >= 'A' && p[i] <= 'Z' ? (char)(p[i] + 32) : p[i];
	s[n] = '\0';
	return s;
}

static int add_entry(struct mm_sshcfg *cfg, struct mm_span k, struct mm_span v, const char *fname,
		     unsigned line, const struct mm_span *match)
{
	struct mm_sshcfg_entry *e;

	if (cfg->n >= SSHCFG_MAX_ENTRIES)
		return MM_ERR_TOOBIG;
	if (MM_GROW(cfg->v, cfg->cap, cfg->n, 32) < 0)
		return MM_ERR_NOMEM;
	e = &cfg->v[cfg->n];
	e->key = dupspan(k.p, k.n, true);
	e->value = dupspan(v.p, v.n, false);
	e->file = dupspan(fname, strlen(fname), false);
	e->line = line;
	e->in_match = match != NULL;
	e->match = match ? dupspan(match->p, match->n, false) : NULL;
	if (!e->key || !e->value || !e->file || (match && !e->match)) {
		free(e->key);
		free(e->value);
		free(e->file);
		free(e->match);
		return MM_ERR_NOMEM;
	}
	cfg->n++;
	return 0;
}

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\f' || ch == '\v';
}

/* One line: KEYWORD [=] VALUE, comments and blank lines skipped. */
static int feed_line(struct mm_sshcfg *cfg, const char *fname, unsigned lineno, struct mm_cur c,
		     struct mm_span *match, bool *in_match)
{
	struct mm_span key, val;
	const char *kp;

	while (!mm_cur_eof(&c) && is_blank(*c.p))
		c.p++;
	while (c.end > c.p && is_blank(c.end[-1]))
		c.end--;
	if (mm_cur_eof(&c) || *c.p == '#')
		return 0;
	if (memchr(c.p, '\0', mm_cur_left(&c))) {
		cfg->nbad++; /* a NUL would cut the copied strings short */
		return 0;
	}
	kp = c.p;
	while (!mm_cur_eof(&c) && !is_blank(*c.p) && *c.p != '=')
		c.p++;
	key = mm_span_make(kp, (size_t)(c.p - kp));
	while (!mm_cur_eof(&c) && is_blank(*c.p))
		c.p++;
	if (mm_cur_char(&c, '='))
		while (!mm_cur_eof(&c) && is_blank(*c.p))
			c.p++;
	mm_cur_rest(&c, &val);
	if (key.n == 0 || key.n > 64 || val.n == 0 || val.n > 8192) {
		cfg->nbad++;
		return 0;
	}
	if (key.n == 5 && strncasecmp(key.p, "match", 5) == 0) {
		*in_match = !(val.n == 3 && strncasecmp(val.p, "all", 3) == 0);
		*match = val;
		if (*in_match)
			cfg->nmatch++;
		return 0;
	}
	if (key.n == 7 && strncasecmp(key.p, "include", 7) == 0 && !*in_match && cfg->include) {
		struct mm_cur vc = mm_cur_make(val.p, val.n);
		struct mm_span w;
		int rc = 0;

		if (cfg->depth >= SSHCFG_MAX_DEPTH)
			return 0;
		while (rc >= 0 && mm_cur_word(&vc, &w)) {
			char *pat = dupspan(w.p, w.n, false);
			if (!pat)
				return MM_ERR_NOMEM;
			cfg->depth++;
			rc = cfg->include(cfg, pat, cfg->ctx);
			cfg->depth--;
			free(pat);
			mm_cur_skip_ws(&vc);
		}
		return rc;
	}
	return add_entry(cfg, key, val, fname, lineno, *in_match ? match : NULL);
}

int mm_sshcfg_feed(struct mm_sshcfg *cfg, const char *fname, const char *text, size_t n)
{
	struct mm_cur c = mm_cur_make(text, n);
	unsigned lineno = 0;
	bool in_match = false;
	struct mm_span match = {NULL, 0};
	int rc = 0;

	while (!mm_cur_eof(&c) && rc >= 0) {
		struct mm_span line;
		if (!mm_cur_until(&c, '\n', &line))
			mm_cur_rest(&c, &line);
		else
			c.p++;
		lineno++;
		rc = feed_line(cfg, fname, lineno, mm_cur_make(line.p, line.n), &match, &in_match);
	}
	return rc;
}

const struct mm_sshcfg_entry *mm_sshcfg_get(const struct mm_sshcfg *cfg, const char *key)
{
	size_t i;

	for (i = 0; i < cfg->n; i++)
		if (!cfg->v[i].in_match && strcmp(cfg->v[i].key, key) == 0)
			return &cfg->v[i];
	return NULL;
}

/* ---- reading the files ---------------------------------------------------- */

struct incctx {
	struct audit_ctx *c;
	int unreadable;
};

static int read_cfg_file(struct audit_ctx *c, struct mm_sshcfg *cfg, const char *path,
			 const char *shown)
{
	struct mm_buf b;
	int rc;

	mm_buf_init(&b, AUDIT_FILE_CAP);
	rc = audit_read(c, path, AUDIT_FILE_CAP, &b);
	if (rc < 0) {
		int r2 = audit_note(c, MM_AUDIT_SSHD, rc == MM_ERR_PERM, "%s: %s%s", shown,
				    rc == MM_ERR_TOOBIG ? "larger than 1 MiB, not read"
							: mm_strerror(rc),
				    rc == MM_ERR_PERM ? " (run as root)" : "");
		rc = r2 < 0 ? r2 : 1;
		goto out;
	}
	rc = mm_sshcfg_feed(cfg, shown, b.data, b.len);
	if (rc == MM_ERR_TOOBIG)
		rc = audit_note(c, MM_AUDIT_SSHD, false, "%s: too many settings; rest ignored",
				shown);
out:
	mm_buf_release(&b);
	return rc;
}

static int include_cb(struct mm_sshcfg *cfg, const char *pattern, void *ctx)
{
	struct incctx *ic = ctx;
	struct audit_ctx *c = ic->c;
	char abs[1024], full[2048];
	glob_t g;
	size_t i, rl = strlen(c->root);
	int rc = 0, k;

	k = pattern[0] == '/' ? snprintf(abs, sizeof(abs), "%s", pattern)
			      : snprintf(abs, sizeof(abs), "/etc/ssh/%s", pattern);
	if (k < 0 || (size_t)k >= sizeof(abs))
		return 0;
	audit_path(c, abs, full, sizeof(full));
	if (!full[0])
		return 0;
	memset(&g, 0, sizeof(g));
	if (glob(full, 0, NULL, &g) != 0) {
		globfree(&g);
		return 0;
	}
	for (i = 0; i < g.gl_pathc && i < 256 && rc >= 0; i++) {
		const char *shown = g.gl_pathv[i] + (strlen(g.gl_pathv[i]) >= rl ? rl : 0);
		rc = read_cfg_file(c, cfg, g.gl_pathv[i], shown);
		if (rc > 0) {
			ic->unreadable++;
			rc = 0;
		}
	}
	globfree(&g);
	return rc;
}

/* ---- the view the checks read --------------------------------------------- */

struct view {
	const struct mm_sshcfg *eff;   /* sshd -T output, or NULL */
	const struct mm_sshcfg *files; /* what the files say */
	const char *who;	       /* "root", a user name, or NULL */
	const char *user;	       /* without sshd -T: evaluate Match User for this user */
	const struct sshver *ver;      /* without sshd -T: whose defaults apply */
};

/* Is user in a Match User list ("a,b*,!c")? A negated hit means no. */
static bool user_in_list(struct mm_span list, const char *user)
{
	struct mm_cur c = mm_cur_make(list.p, list.n);
	bool hit = false;

	while (!mm_cur_eof(&c)) {
		struct mm_span pat;
		char buf[256];
		bool neg;
		if (!mm_cur_until(&c, ',', &pat))
			mm_cur_rest(&c, &pat);
		else
			c.p++;
		neg = pat.n && pat.p[0] == '!';
		if (neg) {
			pat.p++;
			pat.n--;
		}
		if (pat.n == 0 || pat.n >= sizeof(buf))
			continue;
		memcpy(buf, pat.p, pat.n);
		buf[pat.n] = '\0';
		if (fnmatch(buf, user, 0) == 0) {
			if (neg)
				return false;
			hit = true;
		}
	}
	return hit;
}

/* Match criteria for user: 1 applies, 0 does not, -1 needs more than User/all. */
static int match_user(const char *crit, const char *user)
{
	struct mm_cur c = mm_cur_make(crit, strlen(crit));
	struct mm_span w, list;
	int res = 1;

	while (mm_cur_word(&c, &w)) {
		mm_cur_skip_ws(&c);
		if (w.n == 3 && strncasecmp(w.p, "all", 3) == 0)
			continue;
		if (!(w.n == 4 && strncasecmp(w.p, "user", 4) == 0) || !mm_cur_word(&c, &list))
			return -1;
		mm_cur_skip_ws(&c);
		if (!user_in_list(list, user))
			res = 0;
	}
	return res;
}

/*
 * The file line that decides key in file mode: the first matching Match
 * block's line (Match overrides the global value; among Match blocks the
 * first wins), else the first unconditional line.
 */
static const struct mm_sshcfg_entry *vfind(const struct view *v, const char *key)
{
	size_t i;

	if (v->user)
		for (i = 0; i < v->files->n; i++) {
			const struct mm_sshcfg_entry *e = &v->files->v[i];
			if (e->in_match && e->match && strcmp(e->key, key) == 0 &&
			    match_user(e->match, v->user) == 1)
				return e;
		}
	return mm_sshcfg_get(v->files, key);
}

static const char *vget(const struct view *v, const char *key, const char *def)
{
	const struct mm_sshcfg_entry *e = v->eff ? mm_sshcfg_get(v->eff, key) : vfind(v, key);

	return e ? e->value : def;
}

/* OpenSSH's compiled-in defaults, for the evidence of unset keywords */
static const char *const defaults[][2] = {
    {"passwordauthentication", "yes"},
    {"kbdinteractiveauthentication", "yes"},
    {"usepam", "no"},
    {"permitrootlogin", "prohibit-password"},
    {"permitemptypasswords", "no"},
    {"maxauthtries", "6"},
    {"x11forwarding", "no"},
    {"allowagentforwarding", "yes"},
};

static const char *default_of(const char *key)
{
	size_t i;

	for (i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		if (strcmp(defaults[i][0], key) == 0)
			return defaults[i][1];
	return "?";
}

/* "KEY VALUE (at FILE:LINE)" or "(default)" */
static void evidence(const struct view *v, const char *key, const char *shownkey, char *out,
		     size_t n)
{
	const struct mm_sshcfg_entry *f = v->eff ? mm_sshcfg_get(v->files, key) : vfind(v, key);
	const char *val = vget(v, key, NULL);
	size_t i;

	if (!v->eff && f)
		val = f->value;
	if (!val)
		val = default_of(key);
	if (v->eff && f && val && strcasecmp(f->value, val) != 0) {
		/* sshd -T disagrees with the first unconditional line: a Match block set it */
		for (i = 0; i < v->files->n; i++) {
			const struct mm_sshcfg_entry *m = &v->files->v[i];
			if (m->in_match && strcmp(m->key, key) == 0 &&
			    strcasecmp(m->value, val) == 0) {
				f = m;
				break;
			}
		}
	}
	if (f && strcasecmp(f->value, val) == 0)
		snprintf(out, n, "%s:%u: %s %s%s%s%s", f->file, f->line, shownkey, f->value,
			 v->eff ? " (sshd -T" : "", v->eff && v->who ? " for user " : "",
			 v->eff ? (v->who ? v->who : ")") : "");
	else
		snprintf(out, n, "%s %s: not set in the files, OpenSSH default%s%s%s", shownkey,
			 val, v->eff ? " (sshd -T" : "", v->eff && v->who ? " for user " : "",
			 v->eff ? (v->who ? v->who : ")") : "");
	if (v->eff && v->who) {
		size_t l = strlen(out);
		if (l + 1 < n) {
			out[l] = ')';
			out[l + 1] = '\0';
		}
	}
}

static bool yes(const char *s)
{
	return s && strcasecmp(s, "yes") == 0;
}

static bool password_on(const struct view *v)
{
	return yes(vget(v, "passwordauthentication", "yes"));
}

static bool kbdpam_on(const struct view *v)
{
	const char *kbd = vget(v, "kbdinteractiveauthentication",
			       vget(v, "challengeresponseauthentication", "yes"));
	return yes(kbd) && yes(vget(v, "usepam", "no"));
}

unsigned audit_openssh_version(const char *s)
{
	struct mm_cur c = mm_cur_make(s, strlen(s));
	uint32_t major, minor;
	const char *colon = strchr(s, ':');

	if (!mm_cur_lit(&c, "OpenSSH_") && colon && colon < s + 12)
		c.p = colon + 1; /* a dpkg epoch */
	if (!mm_cur_u32(&c, &major, 99) || !mm_cur_char(&c, '.') || mm_cur_eof(&c) || *c.p < '0' ||
	    *c.p > '9')
		return 0;
	minor = (uint32_t)(*c.p - '0');
	if (major == 0)
		return 0;
	return major * 10 + minor;
}

/* The installed OpenSSH for the defaults of unset algorithm lists (file mode). */
struct sshver {
	unsigned v;    /* major*10+minor of the table row set used */
	char src[200]; /* where the version came from, for the evidence */
};

static void find_version(struct audit_ctx *c, struct sshver *sv)
{
	static const char key[] = "\nPackage: openssh-server\n";
	struct mm_buf b;
	char p[1100];
	unsigned v = 0;

	sv->src[0] = '\0';
	mm_buf_init(&b, 64u << 20);
	audit_path(c, "/var/lib/dpkg/status", p, sizeof(p));
	if (audit_read(c, p, 64u << 20, &b) == 0 && b.len) {
		const char *st = memmem(b.data, b.len, key, sizeof(key) - 1), *end, *vl;
		if (b.len > sizeof(key) - 2 && memcmp(b.data, key + 1, sizeof(key) - 2) == 0)
			st = b.data; /* the first stanza */
		else if (st)
			st++;
		if (st) {
			end = memmem(st, (size_t)(b.data + b.len - st), "\n\n", 2);
			end = end ? end : b.data + b.len;
			vl = memmem(st, (size_t)(end - st), "\nVersion: ", 10);
			if (vl &&
			    memmem(st, (size_t)(end - st), "\nStatus: install ok installed", 29)) {
				const char *ve = memchr(vl + 10, '\n', (size_t)(end - vl - 10));
				char ver[64];
				size_t n = (size_t)((ve ? ve : end) - (vl + 10));
				if (n < sizeof(ver)) {
					memcpy(ver, vl + 10, n);
					ver[n] = '\0';
					v = audit_openssh_version(ver);
					if (v)
						snprintf(sv->src, sizeof(sv->src),
							 "openssh-server %s in the dpkg database",
							 ver);
				}
			}
		}
	}
	if (!v && c->live) {
		const char *argv[] = {"/usr/bin/ssh", "-V", NULL};
		struct mm_buf o, e;
		int status;
		mm_buf_init(&o, 4096);
		mm_buf_init(&e, 4096);
		if (audit_exec(argv, c->timeout_ms, &o, &e, &status) == 0 && status == 0 &&
		    e.data) {
			char *nl = strpbrk(e.data, ",\r\n");
			if (nl)
				*nl = '\0';
			v = audit_openssh_version(e.data);
			if (v)
				snprintf(sv->src, sizeof(sv->src), "ssh -V: %.100s", e.data);
		}
		mm_buf_release(&o);
		mm_buf_release(&e);
	}
	mm_buf_release(&b);
	if (v && v < 70) {
		snprintf(sv->src + strlen(sv->src), sizeof(sv->src) - strlen(sv->src),
			 ", older than the table; newest defaults assumed");
		v = 0;
	}
	if (!v) {
		if (!sv->src[0])
			snprintf(sv->src, sizeof(sv->src), "installed version unknown");
		sv->v = mm_sshdefs_newest;
		return;
	}
	sv->v = v;
}

/* Append the default names of kind for version v to b (comma-separated). */
static void add_defaults(struct mm_buf *b, const char *kind, unsigned v, const char *const *minus,
			 size_t nminus)
{
	unsigned i;
	size_t k;

	for (i = 0; i < mm_sshdefs_count; i++) {
		const struct mm_sshdef *d = &mm_sshdefs_table[i];
		if (strcmp(d->kind, kind) != 0 || v < d->since || (d->until && v >= d->until))
			continue;
		for (k = 0; k < nminus && fnmatch(minus[k], d->name, 0) != 0; k++)
			;
		if (k < nminus)
			continue; /* removed with "-PATTERN" */
		mm_buf_addf(b, "%s%s", b->len ? "," : "", d->name);
	}
}

static int check_algs(struct audit_ctx *c, const struct view *v, const char *key, const char *shown,
		      const char *kind, const char *id)
{
	const char *val = vget(v, key, NULL);
	struct mm_buf weak, list;
	struct mm_cur cur;
	char ev[1024];
	int rc = 0;
	bool from_defaults = false;

	if (!val && v->eff)
		return 0; /* sshd -T prints every list */
	mm_buf_init(&weak, 2048);
	mm_buf_init(&list, 16384);
	if (v->eff || (val && val[0] != '+' && val[0] != '-' && val[0] != '^')) {
		mm_buf_adds(&list, val);
	} else {
		/* file mode: unset, or changed relative to the defaults */
		char *minus[64], *copy = NULL;
		size_t nminus = 0;
		from_defaults = true;
		if (val && val[0] == '^')
			mm_buf_adds(&list, val + 1);
		if (val && val[0] == '-') {
			char *p;
			copy = strdup(val + 1);
			for (p = copy; p && *p && nminus < 64;) {
				char *comma = strchr(p, ',');
				if (comma)
					*comma = '\0';
				minus[nminus++] = p;
				p = comma ? comma + 1 : NULL;
			}
		}
		add_defaults(&list, kind, v->ver->v, (const char *const *)minus, nminus);
		if (val && val[0] == '+')
			mm_buf_addf(&list, "%s%s", list.len ? "," : "", val + 1);
		free(copy);
	}
	cur = mm_cur_make(list.data ? list.data : "", list.len);
	while (!mm_cur_eof(&cur)) {
		struct mm_span name;
		unsigned i;
		if (!mm_cur_until(&cur, ',', &name))
			mm_cur_rest(&cur, &name);
		else
			cur.p++;
		for (i = 0; i < mm_sshalgs_count; i++) {
			const struct mm_sshalg *a = &mm_sshalgs_table[i];
			if (strcmp(a->kind, kind) == 0 && strcmp(a->rating, "weak") == 0 &&
			    mm_span_eq(name, a->name)) {
				mm_buf_addf(&weak, "%s%s (%s)", weak.len ? ", " : "", a->name,
					    a->why);
				break;
			}
		}
	}
	if (weak.len) {
		if (val)
			evidence(v, key, shown, ev, sizeof(ev));
		else
			snprintf(ev, sizeof(ev), "%s not set in the files", shown);
		if (from_defaults)
			rc = audit_find(c, id, "weak: %s; %s: the defaults of OpenSSH %u.%u (%s)",
					weak.data, ev, v->ver->v / 10, v->ver->v % 10, v->ver->src);
		else
			rc = audit_find(c, id, "weak: %s; %s", weak.data, ev);
	}
	mm_buf_release(&weak);
	mm_buf_release(&list);
	return rc;
}

static int check_view(struct audit_ctx *c, const struct view *user, const struct view *root)
{
	char ev[1200];
	const char *s;
	int rc = 0;
	unsigned long n;

	if (password_on(user) || password_on(root)) {
		const struct view *v = password_on(user) ? user : root;
		evidence(v, "passwordauthentication", "PasswordAuthentication", ev, sizeof(ev));
		rc = audit_find(c, "SSH-PASSWORD", "%s", ev);
	}
	if (rc == 0 && (kbdpam_on(user) || kbdpam_on(root))) {
		const struct view *v = kbdpam_on(user) ? user : root;
		char ev2[600];
		evidence(v, "kbdinteractiveauthentication", "KbdInteractiveAuthentication", ev,
			 sizeof(ev));
		evidence(v, "usepam", "UsePAM", ev2, sizeof(ev2));
		rc = audit_find(c, "SSH-KBDINT-PAM", "%s; %s", ev, ev2);
	}
	s = vget(root, "permitrootlogin", "prohibit-password");
	if (rc == 0 && yes(s) && (password_on(root) || kbdpam_on(root))) {
		evidence(root, "permitrootlogin", "PermitRootLogin", ev, sizeof(ev));
		rc = audit_find(c, "SSH-ROOT-PASSWORD", "%s", ev);
	}
	if (rc == 0 && yes(vget(user, "permitemptypasswords", "no"))) {
		evidence(user, "permitemptypasswords", "PermitEmptyPasswords", ev, sizeof(ev));
		rc = audit_find(c, "SSH-EMPTY-PASSWORDS", "%s", ev);
	}
	if (rc == 0)
		rc = check_algs(c, user, "kexalgorithms", "KexAlgorithms", "kex", "SSH-WEAK-KEX");
	if (rc == 0)
		rc = check_algs(c, user, "ciphers", "Ciphers", "cipher", "SSH-WEAK-CIPHER");
	if (rc == 0)
		rc = check_algs(c, user, "macs", "MACs", "mac", "SSH-WEAK-MAC");
	if (rc == 0)
		rc = check_algs(c, user, "hostkeyalgorithms", "HostKeyAlgorithms", "hostkey",
				"SSH-WEAK-HOSTKEY");
	s = vget(user, "maxauthtries", "6");
	n = strtoul(s, NULL, 10);
	if (rc == 0 && n > 4) {
		evidence(user, "maxauthtries", "MaxAuthTries", ev, sizeof(ev));
		rc = audit_find(c, "SSH-MAXAUTHTRIES", "%s", ev);
	}
	if (rc == 0 && yes(vget(user, "x11forwarding", "no"))) {
		evidence(user, "x11forwarding", "X11Forwarding", ev, sizeof(ev));
		rc = audit_find(c, "SSH-X11-FORWARDING", "%s", ev);
	}
	if (rc == 0 && yes(vget(user, "allowagentforwarding", "yes"))) {
		evidence(user, "allowagentforwarding", "AllowAgentForwarding", ev, sizeof(ev));
		rc = audit_find(c, "SSH-AGENT-FORWARDING", "%s", ev);
	}
	if (rc == 0) {
		const struct mm_sshcfg *cfg = user->eff ? user->eff : user->files;
		bool any = false, all = false;
		size_t i;
		for (i = 0; i < cfg->n; i++) {
			const char *a = cfg->v[i].value;
			if (cfg->v[i].in_match || strcmp(cfg->v[i].key, "listenaddress") != 0)
				continue;
			any = true;
			if (strncmp(a, "0.0.0.0", 7) == 0 || strncmp(a, "[::]", 4) == 0 ||
			    strcmp(a, "::") == 0)
				all = true;
		}
		if (!any || all)
			rc = audit_find(c, "SSH-LISTEN-ALL", "%s",
					any ? "ListenAddress 0.0.0.0 / [::] (every address)"
					    : "no ListenAddress: every address");
	}
	return rc;
}

/* ---- permissions ------------------------------------------------------------ */

static int check_hostkeys(struct audit_ctx *c, const struct mm_sshcfg *cfg)
{
	static const char *const defkeys[] = {"/etc/ssh/ssh_host_rsa_key",
					      "/etc/ssh/ssh_host_ecdsa_key",
					      "/etc/ssh/ssh_host_ed25519_key"};
	const char *keys[64];
	size_t nk = 0, i;
	int rc = 0;

	for (i = 0; i < cfg->n && nk < 64; i++)
		if (!cfg->v[i].in_match && strcmp(cfg->v[i].key, "hostkey") == 0)
			keys[nk++] = cfg->v[i].value;
	if (nk == 0)
		for (i = 0; i < 3; i++)
			keys[nk++] = defkeys[i];
	for (i = 0; i < nk && rc == 0; i++) {
		char p[2048];
		struct stat st;
		if (keys[i][0] != '/')
			continue;
		audit_path(c, keys[i], p, sizeof(p));
		if (!p[0] || lstat(p, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		if ((st.st_mode & 037) || st.st_uid != c->root_uid)
			rc = audit_find(c, "SSH-HOSTKEY-PERMS", "%s: mode %04o, owner uid %u",
					keys[i], (unsigned)(st.st_mode & 07777),
					(unsigned)st.st_uid);
	}
	return rc;
}

/* Expand %h, %u, %% of an AuthorizedKeysFile token for one account. */
static bool expand_akf(const char *tok, const struct audit_user *u, char *out, size_t n)
{
	struct mm_buf b;
	bool ok = true;

	mm_buf_init(&b, n - 1);
	if (tok[0] != '/' && tok[0] != '%')
		ok = mm_buf_addf(&b, "%s/", u->home) == 0;
	for (; *tok && ok; tok++) {
		if (tok[0] == '%' && tok[1] == 'h') {
			ok = mm_buf_adds(&b, u->home) == 0;
			tok++;
		} else if (tok[0] == '%' && tok[1] == 'u') {
			ok = mm_buf_adds(&b, u->name) == 0;
			tok++;
		} else if (tok[0] == '%' && tok[1] == '%') {
			ok = mm_buf_addc(&b, '%') == 0;
			tok++;
		} else {
			ok = mm_buf_addc(&b, *tok) == 0;
		}
	}
	if (ok && b.data && b.data[0] == '/') {
		memcpy(out, b.data, b.len + 1);
	} else {
		ok = false;
	}
	mm_buf_release(&b);
	return ok;
}

static int check_one_path(struct audit_ctx *c, const char *abs, const struct audit_user *u,
			  bool isdir)
{
	char p[2048];
	struct stat st;

	audit_path(c, abs, p, sizeof(p));
	if (!p[0] || lstat(p, &st) < 0)
		return 0;
	if (isdir != S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
		return 0;
	if ((st.st_mode & 022) && !(isdir && (st.st_mode & S_ISVTX)))
		return audit_find(c, "SSH-AUTHKEYS-PERMS", "%s: mode %04o (account %s)", abs,
				  (unsigned)(st.st_mode & 07777), u->name);
	if (c->live && st.st_uid != u->uid && st.st_uid != 0)
		return audit_find(c, "SSH-AUTHKEYS-PERMS", "%s: owned by uid %u, not %s", abs,
				  (unsigned)st.st_uid, u->name);
	return 0;
}

static int check_authkeys(struct audit_ctx *c, const struct view *v)
{
	struct audit_user *users;
	size_t nu = 0, nall = 0, i;
	const char *akf =
	    vget(v, "authorizedkeysfile", ".ssh/authorized_keys .ssh/authorized_keys2");
	int rc;

	users = calloc(512, sizeof(*users));
	if (!users)
		return MM_ERR_NOMEM;
	rc = audit_login_users(c, users, 512, &nall);
	if (rc < 0) {
		rc = audit_note(c, MM_AUDIT_SSHD, false,
				"authorized_keys not checked: /etc/passwd unreadable (%s)",
				mm_strerror(rc));
		goto out;
	}
	nu = (size_t)rc;
	rc = 0;
	for (i = 0; i < nu && rc == 0; i++) {
		struct mm_cur cur = mm_cur_make(akf, strlen(akf));
		struct mm_span w;
		if (users[i].home[0] != '/' || strcmp(users[i].home, "/") == 0)
			continue;
		rc = check_one_path(c, users[i].home, &users[i], true);
		while (rc == 0 && mm_cur_word(&cur, &w)) {
			char tok[512], path[1024], *slash;
			mm_cur_skip_ws(&cur);
			if (w.n >= sizeof(tok) || mm_span_eq(w, "none"))
				continue;
			memcpy(tok, w.p, w.n);
			tok[w.n] = '\0';
			if (!expand_akf(tok, &users[i], path, sizeof(path)))
				continue;
			rc = check_one_path(c, path, &users[i], false);
			slash = strrchr(path, '/');
			if (rc == 0 && slash && slash != path) {
				*slash = '\0';
				if (strcmp(path, users[i].home) != 0)
					rc = check_one_path(c, path, &users[i], true);
			}
		}
	}
	if (rc == 0 && nall > nu)
		rc = audit_note(c, MM_AUDIT_SSHD, false,
				"authorized_keys checked for the first %zu of %zu accounts", nu,
				nall);
out:
	free(users);
	return rc;
}

/* ---- sshd -T ---------------------------------------------------------------- */

/* Run sshd -T for one user; 1 = got a config, 0 = not usable (noted). */
static int sshd_t(struct audit_ctx *c, const char *cfgpath, const char *user, struct mm_sshcfg *out,
		  bool *noted)
{
	const char *bin = c->opts->sshd_bin ? c->opts->sshd_bin : "/usr/sbin/sshd";
	char spec[512];
	const char *argv[] = {bin, "-T", "-f", cfgpath, "-C", spec, NULL};
	struct mm_buf o, e;
	int rc, st;

	snprintf(spec, sizeof(spec),
		 "user=%s,host=localhost,addr=127.0.0.1,laddr=127.0.0.1,lport=22", user);
	mm_buf_init(&o, 1 << 20);
	mm_buf_init(&e, 4096);
	rc = audit_exec(argv, c->timeout_ms, &o, &e, &st);
	if (rc < 0 || st != 0 || !o.data || o.len == 0) {
		if (!*noted) {
			char *nl = e.data ? strpbrk(e.data, "\r\n") : NULL;
			if (nl)
				*nl = '\0';
			*noted = true;
			rc = audit_note(c, MM_AUDIT_SSHD, !c->privileged,
					"sshd -T %s (%s); using the configuration files "
					"(Match blocks evaluated for User only)",
					rc < 0	 ? "could not run"
					: st < 0 ? "timed out"
						 : "failed",
					e.data && e.data[0] ? e.data : bin);
		} else {
			rc = 0;
		}
		goto out;
	}
	rc = mm_sshcfg_feed(out, "sshd -T", o.data, o.len);
	if (rc == 0)
		rc = 1;
out:
	mm_buf_release(&o);
	mm_buf_release(&e);
	return rc;
}

int audit_check_sshd(struct audit_ctx *c)
{
	struct mm_sshcfg files, eff_root, eff_user;
	struct incctx ic = {c, 0};
	char cfgpath[2048];
	struct audit_user u[1];
	size_t nall;
	struct view vu, vr;
	struct sshver sv = {0, ""};
	const char *typical = "nobody";
	bool noted = false, have_eff = false;
	int rc;
	struct stat st;

	mm_sshcfg_init(&files);
	mm_sshcfg_init(&eff_root);
	mm_sshcfg_init(&eff_user);
	files.include = include_cb;
	files.ctx = &ic;
	if (c->opts->sshd_config)
		snprintf(cfgpath, sizeof(cfgpath), "%s", c->opts->sshd_config);
	else
		audit_path(c, "/etc/ssh/sshd_config", cfgpath, sizeof(cfgpath));
	if (stat(cfgpath, &st) < 0) {
		rc = audit_note(c, MM_AUDIT_SSHD, false,
				"%s: no sshd configuration; sshd not checked",
				c->opts->sshd_config ? cfgpath : "/etc/ssh/sshd_config");
		goto out;
	}
	rc = read_cfg_file(c, &files, cfgpath,
			   c->opts->sshd_config ? cfgpath : cfgpath + strlen(c->root));
	if (rc < 0)
		goto out;
	if (rc > 0) {
		rc = 0;
		goto out; /* noted; nothing to judge */
	}
	if (audit_login_users(c, u, 1, &nall) == 1 && u[0].uid != 0)
		typical = u[0].name;
	if (c->live && !(c->opts->sshd_bin && !c->opts->sshd_bin[0])) {
		rc = sshd_t(c, cfgpath, "root", &eff_root, &noted);
		if (rc == 1)
			rc = sshd_t(c, cfgpath, typical, &eff_user, &noted);
		if (rc < 0)
			goto out;
		have_eff = rc == 1;
	}
	if (!have_eff && files.nmatch) {
		size_t i, unsupported = 0;
		for (i = 0; i < files.n; i++)
			if (files.v[i].match && match_user(files.v[i].match, "root") < 0)
				unsupported++;
		if (unsupported)
			rc = audit_note(c, MM_AUDIT_SSHD, false,
					"%zu setting(s) in Match blocks with criteria other than "
					"User not evaluated (no sshd -T)",
					unsupported);
		if (rc < 0)
			goto out;
	}
	if (!have_eff)
		find_version(c, &sv);
	vu.ver = &sv;
	vu.eff = have_eff ? &eff_user : NULL;
	vu.files = &files;
	vu.who = have_eff ? typical : NULL;
	vr = vu;
	vr.eff = have_eff ? &eff_root : NULL;
	vr.who = have_eff ? "root" : NULL;
	vu.user = have_eff ? NULL : typical;
	vr.user = have_eff ? NULL : "root";
	rc = check_view(c, &vu, &vr);
	if (rc == 0)
		rc = check_hostkeys(c, have_eff ? &eff_root : &files);
	if (rc == 0)
		rc = check_authkeys(c, &vu);
out:
	mm_sshcfg_release(&files);
	mm_sshcfg_release(&eff_root);
	mm_sshcfg_release(&eff_user);
	return rc;
}
