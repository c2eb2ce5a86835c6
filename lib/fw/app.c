/* SPDX-License-Identifier: MIT */
/*
 * Application profiles in ufw's INI shape, read with a cursor parser so
 * every error names its file and line:
 *
 *   # comment (also ';')
 *   [Name]
 *   title=One line
 *   description=One line
 *   ports=PORTS[/tcp|/udp][|PORTS[/tcp|/udp]]...
 *
 * title and ports are required; description is optional. Unknown keys are
 * errors, so a typo never silently opens nothing (or something else).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mamori/cursor.h"
#include "mamori/fw.h"

void mm_fw_apps_init(struct mm_fw_apps *a)
{
	memset(a, 0, sizeof(*a));
}

void mm_fw_apps_release(struct mm_fw_apps *a)
{
	if (!a)
		return;
	free(a->v);
	free(a->defer);
	memset(a, 0, sizeof(*a));
}

/* The table (not const: a lookup through a const pointer fills it) and
 * the directories, NUL-separated. */
struct mm_fw_apps_defer {
	struct mm_fw_apps *apps;
	size_t ndirs;
	char dirs[];
};

int mm_fw_apps_defer(struct mm_fw_apps *a, const char *const *dirs, size_t ndirs)
{
	struct mm_fw_apps_defer *d;
	size_t i, len = 0;
	char *p;

	if (ndirs > 64)
		return MM_ERR_RANGE;
	for (i = 0; i < ndirs; i++)
		len += strlen(dirs[i]) + 1;
	d = malloc(sizeof(*d) + len);
	if (!d)
		return MM_ERR_NOMEM;
	d->apps = a;
	d->ndirs = ndirs;
	for (i = 0, p = d->dirs; i < ndirs; i++) {
		len = strlen(dirs[i]) + 1;
		memcpy(p, dirs[i], len);
		p += len;
	}
	free(a->defer);
	a->defer = d;
	return 0;
}

int mm_fw_apps_ready(struct mm_fw_apps *a)
{
	struct mm_fw_apps_defer *d;
	const char *dirs[64];
	const char *p;
	size_t i, n;
	int rc;

	if (!a || !a->defer)
		return a ? a->err.code : 0;
	d = a->defer;
	a->defer = NULL;
	n = d->ndirs;
	for (i = 0, p = d->dirs; i < n; i++, p += strlen(p) + 1)
		dirs[i] = p;
	rc = mm_fw_apps_load_dirs(a, dirs, n, &a->err);
	mm_fw_apps_sort(a);
	free(d);
	return rc;
}

bool mm_fw_app_name_ok(const char *s, size_t n)
{
	static const char *const reserved[] = {"from", "to", "port", "proto", "comment", "app",
					       "any",  "in", "out",  "on",    "log",	 "log-all"};
	size_t i;

	if (n == 0 || n >= MM_FW_APP_NAME_MAX || !isalpha((unsigned char)s[0]) || s[n - 1] == ' ')
		return false;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (!isalnum(ch) && !strchr(" -_.+()", ch))
			return false;
		if (ch == ' ' && i + 1 < n && s[i + 1] == ' ')
			return false;
	}
	for (i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (mm_span_eq(mm_span_make(s, n), reserved[i]))
			return false;
	return true;
}

/* PORTS[/PROTO] parts joined by '|'. */
static int parse_spec(struct mm_span v, struct mm_fw_app *app, struct mm_err *err)
{
	struct mm_cur c = mm_cur_make(v.p, v.n);
	struct mm_err e = {0};

	app->nspec = 0;
	if (v.n == 0)
		return mm_err_set(err, MM_ERR_PARSE, "empty ports");
	while (!mm_cur_eof(&c)) {
		struct mm_span part, ports, proto = {NULL, 0};
		struct mm_fw_appspec *sp;
		const char *slash;

		if (!mm_cur_until(&c, '|', &part))
			mm_cur_rest(&c, &part);
		else
			c.p++;
		if (part.n == 0)
			return mm_err_set(err, MM_ERR_PARSE, "empty part in ports '%.*s'",
					  (int)(v.n > 60 ? 60 : v.n), v.p);
		if (app->nspec == MM_FW_APP_SPECS)
			return mm_err_set(err, MM_ERR_RANGE, "more than %d parts in ports",
					  MM_FW_APP_SPECS);
		sp = &app->spec[app->nspec];
		memset(sp, 0, sizeof(*sp));
		ports = part;
		slash = memchr(part.p, '/', part.n);
		if (slash) {
			ports.n = (size_t)(slash - part.p);
			proto = mm_span_make(slash + 1, part.n - ports.n - 1);
			if (mm_span_eq(proto, "tcp"))
				sp->proto = 6;
			else if (mm_span_eq(proto, "udp"))
				sp->proto = 17;
			else
				return mm_err_set(err, MM_ERR_PARSE,
						  "bad protocol '%.*s' in ports (tcp or udp)",
						  (int)(proto.n > 20 ? 20 : proto.n), proto.p);
		}
		if (ports.n == 0 || !isdigit((unsigned char)ports.p[0]))
			return mm_err_set(err, MM_ERR_PARSE, "bad ports '%.*s'",
					  (int)(part.n > 60 ? 60 : part.n), part.p);
		if (mm_fw_ports_parse(ports.p, ports.n, &sp->ports, &e) < 0)
			return mm_err_set(err, e.code, "%s", e.msg);
		app->nspec++;
	}
	if (c.p > v.p && c.p[-1] == '|')
		return mm_err_set(err, MM_ERR_PARSE, "empty part in ports (trailing '|')");
	return 0;
}

static bool printable(struct mm_span v)
{
	size_t i;

	for (i = 0; i < v.n; i++)
		if ((unsigned char)v.p[i] < 0x20 || (unsigned char)v.p[i] == 0x7f)
			return false;
	return true;
}

static int set_text(char *dst, size_t sz, struct mm_span v, const char *key, struct mm_err *err)
{
	if (v.n >= sz)
		return mm_err_set(err, MM_ERR_RANGE, "%s longer than %zu bytes", key, sz - 1);
	if (!printable(v))
		return mm_err_set(err, MM_ERR_PARSE, "control character in %s", key);
	memcpy(dst, v.p, v.n);
	dst[v.n] = '\0';
	return 0;
}

static void trim(struct mm_span *s)
{
	while (s->n && (s->p[0] == ' ' || s->p[0] == '\t')) {
		s->p++;
		s->n--;
	}
	while (s->n && (s->p[s->n - 1] == ' ' || s->p[s->n - 1] == '\t' || s->p[s->n - 1] == '\r'))
		s->n--;
}

struct pstate {
	struct mm_fw_app cur;
	bool in; /* inside a section */
	bool has_title, has_ports;
	unsigned long line; /* the section's header line */
};

static int section_end(struct pstate *st, struct mm_fw_app *out, size_t *nout, size_t cap,
		       struct mm_err *err)
{
	size_t i;

	if (!st->in)
		return 0;
	if (!st->has_title || !st->has_ports)
		return mm_err_set(err, MM_ERR_PARSE, "profile [%s] (line %lu) lacks %s",
				  st->cur.name, st->line, !st->has_title ? "title=" : "ports=");
	for (i = 0; i < *nout; i++)
		if (strcmp(out[i].name, st->cur.name) == 0)
			return mm_err_set(err, MM_ERR_PARSE,
					  "profile [%s] (line %lu) given twice in this file",
					  st->cur.name, st->line);
	if (*nout == cap)
		return mm_err_set(err, MM_ERR_RANGE, "more than %zu profiles in one file", cap);
	out[(*nout)++] = st->cur;
	st->in = false;
	return 0;
}

static int parse_line(struct pstate *st, const char *name, unsigned long lineno, struct mm_span l,
		      struct mm_fw_app *out, size_t *nout, size_t cap, struct mm_err *err)
{
	struct mm_cur c;
	struct mm_span key, val;
	int rc;

	trim(&l);
	if (l.n == 0 || l.p[0] == '#' || l.p[0] == ';')
		return 0;
	if (l.p[0] == '[') {
		if (l.p[l.n - 1] != ']')
			return mm_err_set(err, MM_ERR_PARSE, "section header without ']'");
		rc = section_end(st, out, nout, cap, err);
		if (rc < 0)
			return rc;
		val = mm_span_make(l.p + 1, l.n - 2);
		if (!mm_fw_app_name_ok(val.p, val.n))
			return mm_err_set(err, MM_ERR_PARSE,
					  "bad profile name '%.*s' (a letter first, then letters, "
					  "digits, spaces, - _ . + ( ); at most %d bytes)",
					  (int)(val.n > 60 ? 60 : val.n), val.p,
					  MM_FW_APP_NAME_MAX - 1);
		memset(&st->cur, 0, sizeof(st->cur));
		memcpy(st->cur.name, val.p, val.n);
		snprintf(st->cur.where, sizeof(st->cur.where), "%.80s:%lu", name, lineno);
		st->in = true;
		st->has_title = st->has_ports = false;
		st->line = lineno;
		return 0;
	}
	c = mm_cur_make(l.p, l.n);
	if (!mm_cur_until(&c, '=', &key))
		return mm_err_set(err, MM_ERR_PARSE, "expected KEY=VALUE or [Name]");
	c.p++;
	mm_cur_rest(&c, &val);
	trim(&key);
	trim(&val);
	if (!st->in)
		return mm_err_set(err, MM_ERR_PARSE, "'%.*s=' before any [Name] section",
				  (int)(key.n > 30 ? 30 : key.n), key.p);
	if (mm_span_eq(key, "title")) {
		if (st->has_title)
			return mm_err_set(err, MM_ERR_PARSE, "title= given twice");
		st->has_title = true;
		return set_text(st->cur.title, sizeof(st->cur.title), val, "title", err);
	}
	if (mm_span_eq(key, "description"))
		return set_text(st->cur.description, sizeof(st->cur.description), val,
				"description", err);
	if (mm_span_eq(key, "ports")) {
		if (st->has_ports)
			return mm_err_set(err, MM_ERR_PARSE, "ports= given twice");
		rc = set_text(st->cur.ports, sizeof(st->cur.ports), val, "ports", err);
		if (rc == 0)
			rc = parse_spec(val, &st->cur, err);
		st->has_ports = rc == 0;
		return rc;
	}
	return mm_err_set(err, MM_ERR_PARSE, "unknown key '%.*s' (title, description, ports)",
			  (int)(key.n > 30 ? 30 : key.n), key.p);
}

static int app_add(struct mm_fw_apps *a, const struct mm_fw_app *app)
{
	size_t i;

	for (i = 0; i < a->n; i++) {
		if (strcmp(a->v[i].name, app->name) == 0) {
			a->v[i] = *app; /* a later directory overrides */
			return 0;
		}
	}
	if (a->n >= MM_FW_MAX_APPS)
		return MM_ERR_RANGE;
	if (MM_GROW(a->v, a->cap, a->n, 32) < 0)
		return MM_ERR_NOMEM;
	a->v[a->n++] = *app;
	return 0;
}

#define FILE_APPS_MAX 256

int mm_fw_apps_parse_buffer(struct mm_fw_apps *a, const char *name, const char *data, size_t n,
			    struct mm_err *err)
{
	struct pstate *st = calloc(1, sizeof(*st));
	/* not zeroed: section_end() copies whole entries in, only those are read */
	struct mm_fw_app *got = malloc(FILE_APPS_MAX * sizeof(*got));
	const char *p = data, *end = data + n;
	unsigned long lineno = 0;
	size_t ngot = 0, i;
	struct mm_err e = {0};
	int rc = 0;

	if (!st || !got) {
		rc = mm_err_set(err, MM_ERR_NOMEM, "out of memory");
		goto out;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		lineno++;
		if (memchr(p, '\0', len)) {
			rc =
			    mm_err_set(err, MM_ERR_PARSE, "%s:%lu: NUL byte in line", name, lineno);
			goto out;
		}
		rc = parse_line(st, name, lineno, mm_span_make(p, len), got, &ngot, FILE_APPS_MAX,
				&e);
		if (rc < 0) {
			rc = mm_err_set(err, rc, "%s:%lu: %s", name, lineno, e.msg);
			goto out;
		}
		p += len + (nl ? 1 : 0);
	}
	rc = section_end(st, got, &ngot, FILE_APPS_MAX, &e);
	if (rc < 0) {
		rc = mm_err_set(err, rc, "%s:%lu: %s", name, st->line, e.msg);
		goto out;
	}
	if (ngot == 0) {
		rc = mm_err_set(err, MM_ERR_PARSE, "%s:%lu: no [Name] profile in the file", name,
				lineno ? lineno : 1);
		goto out;
	}
	for (i = 0; i < ngot; i++) {
		rc = app_add(a, &got[i]);
		if (rc < 0) {
			rc = mm_err_set(err, rc, "%s: too many profiles (at most %d)", name,
					MM_FW_MAX_APPS);
			goto out;
		}
	}
out:
	free(st);
	free(got);
	return rc;
}

static int name_cmp(const void *pa, const void *pb)
{
	const char *const *a = pa, *const *b = pb;

	return strcmp(*a, *b);
}

static int load_file(struct mm_fw_apps *a, int dfd, const char *dir, const char *fname,
		     struct mm_err *err)
{
	char path[4096], chunk[16384];
	struct mm_buf b;
	struct stat sb;
	ssize_t got;
	int fd, rc = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, fname);
	mm_buf_init(&b, MM_FW_APP_FILE_MAX);
	fd = openat(dfd, fname, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ELOOP)
			goto out; /* symlinks are not followed: skip */
		rc = mm_err_set(err, MM_ERR_IO, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode))
		goto out; /* directories and the like are not profiles */
	while ((got = read(fd, chunk, sizeof(chunk))) > 0) {
		if (mm_buf_add(&b, chunk, (size_t)got) < 0) {
			rc = mm_err_set(err, MM_ERR_TOOBIG, "%s: larger than %u bytes", path,
					MM_FW_APP_FILE_MAX);
			goto out;
		}
	}
	if (got < 0) {
		rc = mm_err_set(err, MM_ERR_IO, "%s: %s", path, strerror(errno));
		goto out;
	}
	rc = mm_fw_apps_parse_buffer(a, path, b.data ? b.data : "", b.len, err);
out:
	if (fd >= 0)
		close(fd);
	mm_buf_release(&b);
	return rc;
}

int mm_fw_apps_load_dirs(struct mm_fw_apps *a, const char *const *dirs, size_t ndirs,
			 struct mm_err *err)
{
	size_t d;
	int first = 0;

	for (d = 0; d < ndirs; d++) {
		DIR *dp = opendir(dirs[d]);
		struct dirent *de;
		char **names = NULL;
		size_t n = 0, cap = 0, i;

		if (!dp) {
			if (errno != ENOENT && errno != ENOTDIR && first == 0)
				first =
				    mm_err_set(err, MM_ERR_IO, "%s: %s", dirs[d], strerror(errno));
			continue;
		}
		while ((de = readdir(dp)) != NULL) {
			size_t len = strlen(de->d_name);

			if (de->d_name[0] == '.' || len == 0 || de->d_name[len - 1] == '~')
				continue;
			if (n == cap) {
				char **nn;

				if (cap >= MM_FW_MAX_APPS)
					break;
				cap = cap ? cap * 2 : 64;
				nn = realloc(names, cap * sizeof(*names));
				if (!nn)
					break;
				names = nn;
			}
			names[n] = strdup(de->d_name);
			if (names[n])
				n++;
		}
		if (n)
			qsort(names, n, sizeof(*names), name_cmp);
		for (i = 0; i < n; i++) {
			struct mm_err e = {0};
			int rc = load_file(a, dirfd(dp), dirs[d], names[i], &e);

			if (rc < 0 && first == 0) {
				first = rc;
				*err = e;
			}
			free(names[i]);
		}
		free(names);
		closedir(dp);
	}
	return first;
}

static int app_cmp(const void *pa, const void *pb)
{
	const struct mm_fw_app *a = pa, *b = pb;
	int c = strcasecmp(a->name, b->name);

	return c ? c : strcmp(a->name, b->name);
}

void mm_fw_apps_sort(struct mm_fw_apps *a)
{
	if (a->n > 1)
		qsort(a->v, a->n, sizeof(a->v[0]), app_cmp);
}

const struct mm_fw_app *mm_fw_apps_find(const struct mm_fw_apps *a, const char *name, size_t n)
{
	size_t i;

	if (!a)
		return NULL;
	/* a deferred load fills the table on the first lookup */
	if (a->defer)
		(void)mm_fw_apps_ready(a->defer->apps);
	for (i = 0; i < a->n; i++)
		if (mm_span_eq(mm_span_make(name, n), a->v[i].name))
			return &a->v[i];
	return NULL;
}

static int resolve_one(const char *name, const struct mm_fw_apps *apps, uint8_t *n,
		       struct mm_fw_appspec *spec, struct mm_err *err)
{
	const struct mm_fw_app *app = mm_fw_apps_find(apps, name, strlen(name));

	if (!app)
		return mm_err_set(err, MM_ERR_NOTFOUND,
				  "unknown service or app profile '%s' (see 'mamori firewall app "
				  "list')",
				  name);
	*n = app->nspec;
	memcpy(spec, app->spec, sizeof(app->spec));
	return 0;
}

int mm_fw_rule_resolve_app(struct mm_fw_rule *r, const struct mm_fw_apps *apps, struct mm_err *err)
{
	struct mm_fw_rule parts[MM_FW_RULE_PARTS];
	int rc = 0;

	if (r->app[0])
		rc = resolve_one(r->app, apps, &r->napp, r->appspec, err);
	if (rc == 0 && r->sapp[0])
		rc = resolve_one(r->sapp, apps, &r->nsapp, r->sappspec, err);
	if (rc == 0 && mm_fw_rule_expand(r, parts, MM_FW_RULE_PARTS) == 0)
		rc = mm_err_set(err, MM_ERR_PARSE,
				"application profiles '%s' and '%s' share no protocol", r->sapp,
				r->app);
	return rc;
}

size_t mm_fw_rule_expand(const struct mm_fw_rule *r, struct mm_fw_rule *out, size_t max)
{
	/* a side without an application is one part: the rule's own ports */
	struct mm_fw_appspec dself = {r->proto, r->dport}, sself = {r->proto, r->sport};
	const struct mm_fw_appspec *d = r->app[0] ? r->appspec : &dself;
	const struct mm_fw_appspec *s = r->sapp[0] ? r->sappspec : &sself;
	size_t nd = r->app[0] ? r->napp : 1, ns = r->sapp[0] ? r->nsapp : 1, i, j, n = 0;

	if (!r->app[0] && !r->sapp[0]) {
		if (max)
			out[0] = *r;
		return 1;
	}
	if (nd > MM_FW_APP_SPECS)
		nd = MM_FW_APP_SPECS;
	if (ns > MM_FW_APP_SPECS)
		ns = MM_FW_APP_SPECS;
	for (i = 0; i < nd; i++) {
		for (j = 0; j < ns; j++) {
			uint8_t p = d[i].proto ? d[i].proto : s[j].proto;

			if (d[i].proto && s[j].proto && d[i].proto != s[j].proto)
				continue; /* tcp ports on one side, udp on the other */
			if (n < max) {
				out[n] = *r;
				out[n].app[0] = out[n].sapp[0] = '\0';
				out[n].napp = out[n].nsapp = 0;
				out[n].proto = p;
				out[n].dport = d[i].ports;
				out[n].sport = s[j].ports;
			}
			n++;
		}
	}
	return n;
}
