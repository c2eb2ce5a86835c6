/* SPDX-License-Identifier: MIT */
/*
 * Web servers' configuration (nginx, Apache) and the web roots writable
 * by the web server's own user.
 *
 * nginx: nginx.conf and what it includes (else the files in conf.d and
 * sites-enabled), tokenised as nginx does (words, quoted strings, ';',
 * '{', '}', '#' comments); collected: user (main context), root,
 * server_name and listen. Apache: the files in sites-enabled (Debian), httpd.conf
 * and conf.d (RHEL family), line by line: DocumentRoot, ServerName,
 * ServerAlias, User, Listen; the Debian run user from envvars (APACHE_RUN_USER).
 * Variables ($var, ${VAR}) and regular expressions are skipped: the audit
 * never guesses what they expand to.
 *
 * The walk of each web root is bounded (entries, depth) and reports a
 * limited number of paths, with a count of the rest.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit_int.h"
#include "mamori/cursor.h"

#define WEB_MAX_FILES 256
#define WEB_MAX_DEPTH 8 /* include nesting */
#define WALK_MAX_ENTRIES 200000u
#define WALK_MAX_DEPTH 32
#define WEB_MAX_REPORTED 20

/* ---- collecting -------------------------------------------------------------- */

static bool has_var(const char *p, size_t n)
{
	return memchr(p, '$', n) != NULL;
}

static void add_root(struct audit_web *w, const char *p, size_t n, const char *from)
{
	size_t i;

	while (n > 1 && p[n - 1] == '/')
		n--;
	if (n == 0 || p[0] != '/' || n >= sizeof(w->roots[0].path) || has_var(p, n) ||
	    memchr(p, '\0', n))
		return;
	for (i = 0; i < w->nroots; i++)
		if (strlen(w->roots[i].path) == n && memcmp(w->roots[i].path, p, n) == 0)
			return;
	if (w->nroots >= AUDIT_WEB_ROOTS_MAX)
		return;
	memcpy(w->roots[w->nroots].path, p, n);
	w->roots[w->nroots].path[n] = '\0';
	snprintf(w->roots[w->nroots].from, sizeof(w->roots[0].from), "%s", from);
	w->nroots++;
}

static void add_user(struct audit_web *w, const char *p, size_t n, const char *file, unsigned line)
{
	size_t i;

	if (n == 0 || n >= sizeof(w->users[0].name) || has_var(p, n) || memchr(p, ':', n) ||
	    memchr(p, '\0', n) || memchr(p, '/', n))
		return;
	for (i = 0; i < w->nusers; i++)
		if (strlen(w->users[i].name) == n && memcmp(w->users[i].name, p, n) == 0)
			return;
	if (w->nusers >= AUDIT_WEB_USERS_MAX)
		return;
	memcpy(w->users[w->nusers].name, p, n);
	w->users[w->nusers].name[n] = '\0';
	snprintf(w->users[w->nusers].from, sizeof(w->users[0].from), "%s:%u", file, line);
	w->nusers++;
}

/*
 * A server name worth matching a certificate against: kept in the host's
 * names and, inside a server block or VirtualHost, in the block's names.
 */
static void add_name(struct audit_web *w, const char *p, size_t n)
{
	if (n && p[0] == '.') { /* nginx: ".example.org" is example.org and its subdomains */
		p++;
		n--;
	}
	/* "_" is nginx's catch-all placeholder, "~" starts a regular expression */
	if (n == 0 || (n == 1 && p[0] == '_') || p[0] == '~' || memchr(p, '*', n) ||
	    has_var(p, n) || memchr(p, ':', n))
		return;
	audit_names_add(&w->names, p, n);
	while (n && p[n - 1] == '.') /* the root's dot: "example.org." */
		n--;
	if (w->blk.open && w->blk.nnames < AUDIT_WEB_BLOCK_MAX && audit_name_ok(p, n)) {
		memcpy(w->blk.names[w->blk.nnames], p, n);
		w->blk.names[w->blk.nnames][n] = '\0';
		w->blk.nnames++;
	}
}

static void block_open(struct audit_web *w, unsigned depth)
{
	memset(&w->blk, 0, sizeof(w->blk));
	w->blk.open = true;
	w->blk.depth = depth;
}

static void block_port(struct audit_web *w, uint16_t port)
{
	size_t i;

	if (!w->blk.open || !port)
		return;
	for (i = 0; i < w->blk.nports; i++)
		if (w->blk.ports[i] == port)
			return;
	if (w->blk.nports < AUDIT_WEB_BLOCK_MAX)
		w->blk.ports[w->blk.nports++] = port;
}

/* Close the block: each of its TLS ports with each of its names is a site. */
static void block_close(struct audit_web *w)
{
	size_t i, j, k;

	for (i = 0; i < w->blk.nports; i++) {
		for (j = 0; j < w->blk.nnames; j++) {
			const char *name = w->blk.names[j];
			for (k = 0; k < w->nsites; k++)
				if (w->sites[k].port == w->blk.ports[i] &&
				    strcasecmp(w->sites[k].name, name) == 0)
					break;
			if (k < w->nsites)
				continue;
			if (w->nsites == AUDIT_WEB_SITES_MAX) {
				w->sites_capped = true;
				continue;
			}
			w->sites[w->nsites].port = w->blk.ports[i];
			snprintf(w->sites[w->nsites].name, sizeof(w->sites[0].name), "%s", name);
			w->nsites++;
		}
	}
	memset(&w->blk, 0, sizeof(w->blk));
}

/*
 * The port of a listen address: "80", "*:8080", "[::]:80", "10.0.0.1:81";
 * 0 for a UNIX socket or anything else.
 */
static uint16_t listen_port(struct mm_span a)
{
	const char *colon = mm_memrmem(a.p, a.n, ":", 1), *p = a.p;
	struct mm_cur c;
	uint32_t v;

	if (a.n >= 5 && memcmp(a.p, "unix:", 5) == 0)
		return 0;
	if (colon) {
		if (a.p[0] == '[' && !mm_memrmem(a.p, (size_t)(colon - a.p), "]", 1))
			return 0; /* "[::1]" without a port */
		p = colon + 1;
	}
	c = mm_cur_make(p, (size_t)(a.p + a.n - p));
	if (!mm_cur_u32(&c, &v, 65535) || !mm_cur_eof(&c) || v == 0)
		return 0;
	return (uint16_t)v;
}

static void add_port(struct audit_web *w, uint16_t port, bool tls)
{
	size_t i;

	if (!port)
		return;
	for (i = 0; i < w->nports; i++)
		if (w->ports[i].port == port && w->ports[i].tls == tls)
			return;
	if (w->nports >= AUDIT_WEB_PORTS_MAX)
		return;
	w->ports[w->nports].port = port;
	w->ports[w->nports].tls = tls;
	w->nports++;
}

/* ---- nginx ------------------------------------------------------------------- */

/* Next token: a word, a quoted string (quotes removed) or one of ; { }. */
static bool ngx_token(struct mm_cur *c, struct mm_span *t, unsigned *line, bool *special)
{
	for (;;) {
		while (!mm_cur_eof(c) &&
		       (*c->p == ' ' || *c->p == '\t' || *c->p == '\r' || *c->p == '\n')) {
			if (*c->p == '\n')
				(*line)++;
			c->p++;
		}
		if (mm_cur_eof(c))
			return false;
		if (*c->p != '#')
			break;
		while (!mm_cur_eof(c) && *c->p != '\n')
			c->p++;
	}
	*special = false;
	if (*c->p == ';' || *c->p == '{' || *c->p == '}') {
		*t = mm_span_make(c->p, 1);
		*special = true;
		c->p++;
		return true;
	}
	if (*c->p == '"' || *c->p == '\'') {
		char q = *c->p++;
		const char *s = c->p;
		while (!mm_cur_eof(c) && *c->p != q) {
			if (*c->p == '\\' && c->end - c->p > 1)
				c->p++;
			if (*c->p == '\n')
				(*line)++;
			c->p++;
		}
		*t = mm_span_make(s, (size_t)(c->p - s));
		if (!mm_cur_eof(c))
			c->p++;
		return true;
	}
	{
		const char *s = c->p;
		while (!mm_cur_eof(c) && *c->p != ' ' && *c->p != '\t' && *c->p != '\r' &&
		       *c->p != '\n' && *c->p != ';' && *c->p != '{' && *c->p != '}' &&
		       *c->p != '#')
			c->p++;
		*t = mm_span_make(s, (size_t)(c->p - s));
	}
	return true;
}

int audit_nginx_feed(struct audit_web *w, const char *fname, const char *text, size_t n)
{
	struct mm_cur c = mm_cur_make(text, n);
	struct mm_span t, args[8];
	unsigned line = 1, dline = 1, depth = w->ngx_depth;
	size_t nargs = 0;
	bool special, in_dir = false;
	int rc = 0;

	while (rc >= 0 && ngx_token(&c, &t, &line, &special)) {
		if (special && t.p[0] == '}') {
			if (w->blk.open && depth == w->blk.depth)
				block_close(w);
			if (depth)
				depth--;
			in_dir = false;
			nargs = 0;
			continue;
		}
		if (!special) {
			if (!in_dir) {
				in_dir = true;
				dline = line;
				nargs = 0;
			}
			if (nargs < 8)
				args[nargs++] = t;
			continue;
		}
		/* ';' or '{' ends a directive: args[0] is its name */
		if (in_dir && nargs >= 2) {
			struct mm_span k = args[0];
			size_t i;
			if (mm_span_eq(k, "user") && depth == 0)
				add_user(w, args[1].p, args[1].n, fname, dline);
			else if (mm_span_eq(k, "root")) {
				char from[400];
				snprintf(from, sizeof(from), "nginx root at %s:%u", fname, dline);
				add_root(w, args[1].p, args[1].n, from);
			} else if (mm_span_eq(k, "listen")) {
				bool tls = false, quic = false;
				for (i = 2; i < nargs; i++) {
					tls |= mm_span_eq(args[i], "ssl");
					quic |= mm_span_eq(args[i], "quic");
				}
				if (!quic) { /* QUIC is UDP */
					add_port(w, listen_port(args[1]), tls);
					if (tls)
						block_port(w, listen_port(args[1]));
				}
			} else if (mm_span_eq(k, "server_name"))
				for (i = 1; i < nargs; i++)
					add_name(w, args[i].p, args[i].n);
			else if (mm_span_eq(k, "include") && w->include &&
				 w->ngx_nest < WEB_MAX_DEPTH && args[1].n < 1024) {
				char pat[1024];
				memcpy(pat, args[1].p, args[1].n);
				pat[args[1].n] = '\0';
				w->ngx_nest++;
				w->ngx_depth = depth;
				rc = w->include(w, pat, w->ctx);
				w->ngx_nest--;
			}
		}
		if (t.p[0] == '{') {
			depth++;
			/* "server {": in http (virtual hosts) and mail; "server ADDR;"
			 * in an upstream ends with ';' and is no block */
			if (in_dir && nargs == 1 && mm_span_eq(args[0], "server"))
				block_open(w, depth);
		}
		in_dir = false;
		nargs = 0;
	}
	return rc < 0 ? rc : 0;
}

/* ---- Apache ------------------------------------------------------------------ */

/* The first argument of a directive line, quotes removed. */
static bool apache_arg(struct mm_cur *c, struct mm_span *a)
{
	mm_cur_skip_ws(c);
	if (mm_cur_eof(c))
		return false;
	if (*c->p == '"') {
		c->p++;
		if (!mm_cur_until(c, '"', a))
			mm_cur_rest(c, a);
		else
			c->p++;
		return a->n > 0;
	}
	if (!mm_cur_word(c, a))
		return false;
	while (a->n && a->p[a->n - 1] == '\r')
		a->n--;
	return a->n > 0;
}

int audit_apache_feed(struct audit_web *w, const char *fname, const char *text, size_t n)
{
	struct mm_cur c = mm_cur_make(text, n);
	unsigned line = 0;

	memset(&w->blk, 0, sizeof(w->blk)); /* a VirtualHost left open elsewhere ends there */
	while (!mm_cur_eof(&c)) {
		struct mm_span l, k, a;
		struct mm_cur lc;
		if (!mm_cur_until(&c, '\n', &l))
			mm_cur_rest(&c, &l);
		else
			c.p++;
		line++;
		lc = mm_cur_make(l.p, l.n);
		mm_cur_skip_ws(&lc);
		if (!mm_cur_word(&lc, &k) || k.p[0] == '#')
			continue;
		if (k.n == 12 && strncasecmp(k.p, "DocumentRoot", 12) == 0) {
			char from[400];
			snprintf(from, sizeof(from), "Apache DocumentRoot at %s:%u", fname, line);
			if (apache_arg(&lc, &a))
				add_root(w, a.p, a.n, from);
		} else if ((k.n == 10 && strncasecmp(k.p, "ServerName", 10) == 0) ||
			   (k.n == 11 && strncasecmp(k.p, "ServerAlias", 11) == 0)) {
			while (apache_arg(&lc, &a)) {
				struct mm_cur nc = mm_cur_make(a.p, a.n);
				struct mm_span host;
				/* ServerName may carry a scheme and a port */
				if (!mm_cur_lit(&nc, "https://"))
					mm_cur_lit(&nc, "http://");
				if (!mm_cur_until(&nc, ':', &host))
					mm_cur_rest(&nc, &host);
				add_name(w, host.p, host.n);
			}
		} else if (k.n == 6 && strncasecmp(k.p, "Listen", 6) == 0) {
			/* Listen [ADDRESS:]PORT [PROTOCOL]; 443 is https unless told */
			struct mm_span proto = {NULL, 0};
			uint16_t port;
			if (!apache_arg(&lc, &a))
				continue;
			port = listen_port(a);
			if (!apache_arg(&lc, &proto))
				proto.n = 0;
			add_port(w, port,
				 proto.n ? (proto.n == 5 && strncasecmp(proto.p, "https", 5) == 0)
					 : port == 443);
		} else if (k.n == 12 && strncasecmp(k.p, "<VirtualHost", 12) == 0) {
			/* <VirtualHost ADDR:PORT [ADDR:PORT...]> */
			block_open(w, 0);
			while (apache_arg(&lc, &a)) {
				if (a.p[a.n - 1] == '>')
					a.n--;
				if (a.n)
					block_port(w, listen_port(a));
			}
		} else if (k.n >= 14 && strncasecmp(k.p, "</VirtualHost>", 14) == 0) {
			size_t i, j;
			/* a site on each port that speaks TLS: SSLEngine on in the
			 * block, "Listen PORT https", or 443 */
			for (i = 0, j = 0; i < w->blk.nports; i++)
				if (w->blk.tls || w->blk.ports[i] == 443 ||
				    audit_web_port(w, w->blk.ports[i], true))
					w->blk.ports[j++] = w->blk.ports[i];
			w->blk.nports = j;
			block_close(w);
		} else if (k.n == 9 && strncasecmp(k.p, "SSLEngine", 9) == 0) {
			if (w->blk.open && apache_arg(&lc, &a) && a.n == 2 &&
			    strncasecmp(a.p, "on", 2) == 0)
				w->blk.tls = true;
		} else if (k.n == 4 && strncasecmp(k.p, "User", 4) == 0) {
			if (apache_arg(&lc, &a))
				add_user(w, a.p, a.n, fname, line);
		} else {
			/* envvars: [export] APACHE_RUN_USER=www-data */
			struct mm_span v = k;
			const char *p;
			size_t m;
			if (mm_span_eq(k, "export")) {
				mm_cur_skip_ws(&lc);
				if (!mm_cur_word(&lc, &v))
					continue;
			}
			if (v.n <= 16 || memcmp(v.p, "APACHE_RUN_USER=", 16) != 0)
				continue;
			p = v.p + 16;
			m = v.n - 16;
			while (m && p[m - 1] == '\r')
				m--;
			if (m >= 2 && (p[0] == '"' || p[0] == '\'') && p[m - 1] == p[0]) {
				p++;
				m -= 2;
			}
			add_user(w, p, m, fname, line);
		}
	}
	return 0;
}

/* ---- reading the files ------------------------------------------------------- */

struct rd {
	struct audit_ctx *c;
	unsigned files;
	int unreadable;
};

static int read_one(struct audit_web *w, struct rd *r, const char *full, bool nginx)
{
	const char *shown = full + strlen(r->c->root);
	struct mm_buf b;
	int rc;

	if (r->files++ >= WEB_MAX_FILES)
		return 0;
	mm_buf_init(&b, AUDIT_FILE_CAP);
	rc = audit_read(r->c, full, AUDIT_FILE_CAP, &b);
	if (rc < 0) {
		r->unreadable++;
		rc = 0;
		goto out;
	}
	rc = nginx ? audit_nginx_feed(w, shown, b.data, b.len)
		   : audit_apache_feed(w, shown, b.data, b.len);
out:
	mm_buf_release(&b);
	return rc;
}

/* Every file matching ROOT + abs (a glob); returns 0 or MM_ERR_NOMEM. */
static int read_glob(struct audit_web *w, struct rd *r, const char *abs, bool nginx)
{
	char full[1400];
	glob_t g;
	size_t i;
	int rc = 0;

	audit_path(r->c, abs, full, sizeof(full));
	if (!full[0])
		return 0;
	memset(&g, 0, sizeof(g));
	if (glob(full, 0, NULL, &g) == 0)
		for (i = 0; i < g.gl_pathc && rc >= 0; i++)
			rc = read_one(w, r, g.gl_pathv[i], nginx);
	globfree(&g);
	return rc;
}

static int ngx_include(struct audit_web *w, const char *pattern, void *ctx)
{
	char abs[1100];
	int k = pattern[0] == '/' ? snprintf(abs, sizeof(abs), "%s", pattern)
				  : snprintf(abs, sizeof(abs), "/etc/nginx/%s", pattern);

	if (k < 0 || (size_t)k >= sizeof(abs))
		return 0;
	return read_glob(w, ctx, abs, true);
}

int audit_web_config(struct audit_ctx *c, struct audit_web *w)
{
	struct rd r = {c, 0, 0};
	char p[1100];
	struct stat st;
	int rc;

	memset(w, 0, sizeof(*w));
	w->include = ngx_include;
	w->ctx = &r;
	audit_path(c, "/etc/nginx/nginx.conf", p, sizeof(p));
	if (p[0] && stat(p, &st) == 0) {
		w->nginx = true;
		rc = read_one(w, &r, p, true);
	} else {
		rc = read_glob(w, &r, "/etc/nginx/conf.d/*.conf", true);
		if (rc == 0)
			rc = read_glob(w, &r, "/etc/nginx/sites-enabled/*", true);
		w->nginx = r.files > 0;
	}
	w->include = NULL;
	{
		unsigned before = r.files;
		if (rc == 0)
			rc = read_glob(w, &r, "/etc/apache2/sites-enabled/*", false);
		if (rc == 0)
			rc = read_glob(w, &r, "/etc/apache2/envvars", false);
		if (rc == 0)
			rc = read_glob(w, &r, "/etc/httpd/conf/httpd.conf", false);
		if (rc == 0)
			rc = read_glob(w, &r, "/etc/httpd/conf.d/*.conf", false);
		w->apache = r.files > before;
	}
	w->unreadable = r.unreadable;
	w->capped = r.files > WEB_MAX_FILES;
	return rc;
}

bool audit_web_site_next(const struct audit_web *w, uint16_t port, size_t *i)
{
	for (; *i < w->nsites; (*i)++)
		if (w->sites[*i].port == port)
			return true;
	return false;
}

bool audit_web_port(const struct audit_web *w, uint16_t port, bool want_tls)
{
	size_t i;

	for (i = 0; i < w->nports; i++)
		if (w->ports[i].port == port && w->ports[i].tls == want_tls)
			return true;
	return false;
}

/* ---- accounts ---------------------------------------------------------------- */

struct webuser {
	char name[64];
	char from[300];
	unsigned uid;
	unsigned gids[32];
	size_t ngids;
};

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

/* field i (0-based) of a colon-separated line */
static bool field(struct mm_span line, unsigned i, struct mm_span *f)
{
	struct mm_cur c = mm_cur_make(line.p, line.n);

	for (;;) {
		if (!mm_cur_until(&c, ':', f)) {
			mm_cur_rest(&c, f);
			return i == 0;
		}
		c.p++;
		if (i-- == 0)
			return true;
	}
}

static bool num(struct mm_span s, unsigned *v)
{
	struct mm_cur c = mm_cur_make(s.p, s.n);
	uint32_t x;

	if (!mm_cur_u32(&c, &x, UINT32_MAX) || !mm_cur_eof(&c))
		return false;
	*v = x;
	return true;
}

/* uid, primary gid and supplementary groups of name from ROOT's passwd/group */
static bool resolve(struct audit_ctx *c, struct webuser *u)
{
	struct mm_buf b;
	struct mm_cur cur;
	struct mm_span line, f;
	char p[1100];
	bool found = false;

	mm_buf_init(&b, AUDIT_FILE_CAP);
	audit_path(c, "/etc/passwd", p, sizeof(p));
	if (audit_read(c, p, AUDIT_FILE_CAP, &b) < 0)
		goto out;
	cur = mm_cur_make(b.data, b.len);
	while (!found && next_line(&cur, &line)) {
		unsigned gid;
		if (!field(line, 0, &f) || !mm_span_eq(f, u->name))
			continue;
		if (field(line, 2, &f) && num(f, &u->uid) && field(line, 3, &f) && num(f, &gid)) {
			found = true;
			u->gids[0] = gid;
			u->ngids = 1;
		}
	}
	if (!found)
		goto out;
	audit_path(c, "/etc/group", p, sizeof(p));
	if (audit_read(c, p, AUDIT_FILE_CAP, &b) < 0)
		goto out;
	cur = mm_cur_make(b.data, b.len);
	while (next_line(&cur, &line) && u->ngids < 32) {
		struct mm_cur mc;
		struct mm_span m;
		unsigned gid;
		if (!field(line, 2, &f) || !num(f, &gid) || !field(line, 3, &f))
			continue;
		while (f.n && f.p[f.n - 1] == '\r')
			f.n--;
		mc = mm_cur_make(f.p, f.n);
		while (!mm_cur_eof(&mc)) {
			if (!mm_cur_until(&mc, ',', &m))
				mm_cur_rest(&mc, &m);
			else
				mc.p++;
			if (mm_span_eq(m, u->name)) {
				u->gids[u->ngids++] = gid;
				break;
			}
		}
	}
out:
	mm_buf_release(&b);
	return found;
}

/* ---- the walk ---------------------------------------------------------------- */

struct walk {
	struct audit_ctx *c;
	const struct webuser *users;
	size_t nusers;
	size_t entries, reported, more;
	bool capped, other_ok; /* other_ok: world-writable left to FILE-WORLD-WRITABLE */
	const char *root_from;
	const struct audit_web *web; /* every root: each is walked on its own */
	int rc;
};

static bool is_root(const struct walk *wk, const char *abs)
{
	size_t i;

	for (i = 0; i < wk->web->nroots; i++)
		if (strcmp(wk->web->roots[i].path, abs) == 0)
			return true;
	return false;
}

static const struct webuser *writer(const struct walk *wk, const struct stat *st, char *why,
				    size_t n)
{
	size_t i, g;

	for (i = 0; i < wk->nusers; i++) {
		const struct webuser *u = &wk->users[i];
		if (st->st_uid == u->uid) {
			snprintf(why, n, "owned by %s (uid %u)", u->name, u->uid);
			return u;
		}
		for (g = 0; g < u->ngids; g++)
			if ((st->st_mode & S_IWGRP) && st->st_gid == u->gids[g]) {
				snprintf(why, n, "group-writable, group %u is %s's", u->gids[g],
					 u->name);
				return u;
			}
		if ((st->st_mode & S_IWOTH) && !wk->other_ok &&
		    !(S_ISDIR(st->st_mode) && (st->st_mode & S_ISVTX))) {
			snprintf(why, n, "writable by everyone, %s included", u->name);
			return u;
		}
	}
	return NULL;
}

static void judge(struct walk *wk, const char *shown, const struct stat *st)
{
	char why[160];

	if (wk->rc < 0 || S_ISLNK(st->st_mode) || !writer(wk, st, why, sizeof(why)))
		return;
	if (wk->reported >= WEB_MAX_REPORTED) {
		wk->more++;
		return;
	}
	wk->reported++;
	wk->rc =
	    audit_find(wk->c, "FILE-WEBROOT-WRITABLE", "%s: %s %s, mode %04o (web root from %s)",
		       shown, S_ISDIR(st->st_mode) ? "directory" : "file", why,
		       (unsigned)(st->st_mode & 07777), wk->root_from);
}

/* Depth-first, never following symbolic links; dfd is owned (closed here). */
static void walk_dir(struct walk *wk, int dfd, char *path, size_t plen, size_t cap, unsigned depth)
{
	DIR *d = fdopendir(dfd);
	struct dirent *e;

	if (!d) {
		close(dfd);
		return;
	}
	while (wk->rc >= 0 && (e = readdir(d))) {
		struct stat st;
		size_t nl = strlen(e->d_name);
		if (e->d_name[0] == '.' && (nl == 1 || (nl == 2 && e->d_name[1] == '.')))
			continue;
		if (++wk->entries > WALK_MAX_ENTRIES) {
			wk->capped = true;
			break;
		}
		if (plen + 1 + nl >= cap)
			continue;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		path[plen] = '/';
		memcpy(path + plen + 1, e->d_name, nl + 1);
		if (S_ISDIR(st.st_mode) && is_root(wk, path + strlen(wk->c->root))) {
			path[plen] = '\0';
			continue; /* another web root, with its own origin */
		}
		judge(wk, path + strlen(wk->c->root), &st);
		if (S_ISDIR(st.st_mode) && depth < WALK_MAX_DEPTH) {
			int fd = openat(dirfd(d), e->d_name,
					O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd >= 0)
				walk_dir(wk, fd, path, plen + 1 + nl, cap, depth + 1);
		}
		path[plen] = '\0';
	}
	closedir(d);
}

/* Is abs inside a tree the files walk already judges for world-writable entries? */
static bool in_system_walk(const char *abs)
{
	static const char *const dirs[] = {"/etc",   "/usr",  "/bin", "/sbin", "/lib",
					   "/lib64", "/boot", "/opt", "/srv",  "/var/www"};
	size_t i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		size_t n = strlen(dirs[i]);
		if (strncmp(abs, dirs[i], n) == 0 && (abs[n] == '/' || abs[n] == '\0'))
			return true;
	}
	return false;
}

int audit_check_webroots(struct audit_ctx *c)
{
	static const char *const fallback[] = {"www-data", "nginx", "apache", "http"};
	struct audit_web *w = calloc(1, sizeof(*w));
	struct webuser users[AUDIT_WEB_USERS_MAX];
	struct walk wk;
	size_t nu = 0, i;
	char path[4096];
	int rc;

	if (!w)
		return MM_ERR_NOMEM;
	rc = audit_web_config(c, w);
	if (rc < 0)
		goto out;
	/* /var/www: Debian's and RHEL's default document root */
	{
		char p[1100];
		struct stat st;
		audit_path(c, "/var/www", p, sizeof(p));
		if (p[0] && lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
			add_root(w, "/var/www", 8, "the default /var/www");
	}
	if (w->nroots == 0)
		goto out; /* no web server configured, no /var/www */
	for (i = 0; i < w->nusers && nu < AUDIT_WEB_USERS_MAX; i++) {
		memset(&users[nu], 0, sizeof(users[nu]));
		snprintf(users[nu].name, sizeof(users[nu].name), "%s", w->users[i].name);
		if (!resolve(c, &users[nu])) {
			rc = audit_note(c, MM_AUDIT_FILES, false,
					"%s: web server user %s is not in /etc/passwd",
					w->users[i].from, w->users[i].name);
			if (rc < 0)
				goto out;
			continue;
		}
		if (users[nu].uid != 0)
			nu++;
	}
	for (i = 0; w->nusers == 0 && i < sizeof(fallback) / sizeof(fallback[0]); i++) {
		memset(&users[nu], 0, sizeof(users[nu]));
		snprintf(users[nu].name, sizeof(users[nu].name), "%s", fallback[i]);
		if (resolve(c, &users[nu]) && users[nu].uid != 0) {
			nu++;
			break;
		}
	}
	if (nu == 0) {
		rc = audit_note(c, MM_AUDIT_FILES, false,
				"web roots not checked: no web server user (www-data, nginx, "
				"apache) found");
		goto out;
	}
	memset(&wk, 0, sizeof(wk));
	wk.c = c;
	wk.users = users;
	wk.nusers = nu;
	wk.web = w;
	for (i = 0; i < w->nroots && wk.rc >= 0 && !wk.capped; i++) {
		struct stat st;
		int fd;
		audit_path(c, w->roots[i].path, path, sizeof(path));
		if (!path[0] || lstat(path, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		wk.root_from = w->roots[i].from;
		wk.other_ok = in_system_walk(w->roots[i].path);
		judge(&wk, w->roots[i].path, &st);
		fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0)
			walk_dir(&wk, fd, path, strlen(path), sizeof(path), 0);
		else if (errno == EACCES && !c->privileged)
			wk.rc = audit_note(c, MM_AUDIT_FILES, true, "%s: cannot read (run as root)",
					   w->roots[i].path);
	}
	rc = wk.rc;
	if (rc == 0 && wk.more)
		rc = audit_note(
		    c, MM_AUDIT_FILES, false,
		    "%zu more web root paths writable by the web server user not listed", wk.more);
	if (rc == 0 && wk.capped)
		rc = audit_note(c, MM_AUDIT_FILES, false, "web root walk stopped after %u entries",
				WALK_MAX_ENTRIES);
	if (rc == 0 && w->unreadable)
		rc = audit_note(c, MM_AUDIT_FILES, !c->privileged,
				"%d web server configuration file(s) unreadable", w->unreadable);
out:
	free(w);
	return rc;
}
