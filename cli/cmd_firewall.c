/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "mamori/buf.h"
#include "mamori/config.h"
#include "mamori/fw.h"
#include "mamori/time.h"
#include "mm_config.h"

/*
 * mamori firewall: a thin layer over lib/fw. Every changing command loads
 * the whole rules file (so a broken hand edit stops it before anything
 * changes), changes the model, checks the SSH client is not locked out,
 * writes the new file beside the old one, loads the new table in one
 * transaction and only then renames the file into place.
 */

#define FW_DEFAULT_RULES "/etc/mamori/firewall.rules"
#define FW_LOCAL_APPS "/etc/mamori/apps.d"
#define FW_DEFAULT_BLOCKS "/var/lib/mamori/firewall.blocks"
#define FW_DEFAULT_FEEDS "/var/lib/mamori/feeds"
#define FW_DEFAULT_PENDING "/var/lib/mamori/firewall.pending"
#define EXIT_REFUSED 1

void usage_firewall(FILE *out)
{
	fprintf(
	    out,
	    "usage: mamori firewall [--rules FILE] [--config FILE] [--dry-run] [--force]\n"
	    "                       [--confirm SECONDS] COMMAND [ARGS]\n"
	    "\n"
	    "  enable | disable | reload | reset       load, remove, reload or clear the rules\n"
	    "  status [verbose|numbered]               state, defaults and rules (as ufw shows\n"
	    "                                          them), other tables that can refuse\n"
	    "  show                                    the nftables table mamori would load\n"
	    "  default allow|deny|reject incoming|outgoing|routed\n"
	    "  logging off|low|medium|high\n"
	    "  allow|deny|reject|limit [in|out] [on IFACE] [log|log-all] RULE [comment TEXT]\n"
	    "  route ACTION [in on IFACE] [out on IFACE] [log|log-all] RULE [comment TEXT]\n"
	    "                                          forwarded traffic (chain forward)\n"
	    "  insert N [route] ACTION ... | delete N | delete [route] ACTION ...\n"
	    "  block [--kill] ADDR[/PFX]... [--for DUR] [comment TEXT] | unblock ADDR... | "
	    "blocked\n"
	    "  app list | app info NAME|all             application profiles\n"
	    "  app update [--add-new] NAME|all         reload the rules naming a changed profile\n"
	    "  app default allow|deny|reject|skip      the rule --add-new adds for a new profile\n"
	    "  blocklist load NAME FILE | blocklist drop NAME | blocklist list\n"
	    "  confirm | rollback                      keep or undo a change made with --confirm\n"
	    "\n"
	    "RULE: PORT[/PROTO], PORT:PORT/PROTO, PORT,PORT[/PROTO], a service name (ssh,\n"
	    "http, https, ...), an application profile (OpenSSH, 'Nginx Full') or\n"
	    "[from ADDR|any [port P]] [to ADDR|any [port P | app NAME]] [proto NAME].\n"
	    "\n"
	    "  --rules FILE   rules file (default $MAMORI_FW_RULES, else " FW_DEFAULT_RULES ")\n"
	    "                 feeds live in $MAMORI_FW_FEEDS, else " FW_DEFAULT_FEEDS "\n"
	    "                 (FILE.feeds beside a rules file given another way)\n"
	    "  --config FILE  settings: the [firewall] allowlist, never dropped by blocks\n"
	    "                 and feeds (default " MM_CONFIG_DEFAULT " when present)\n"
	    "  --dry-run      print the rules file and nftables text, change nothing\n"
	    "  --force        apply even when the current SSH client would be locked out\n"
	    "  --for DUR      block for a time: 90s, 30m, 1h30m, 7d (default: until unblocked)\n"
	    "  --kill         block: also drop the connections already open (conntrack)\n"
	    "  --confirm SEC  apply, then roll back after SEC seconds unless 'confirm' runs\n"
	    "\n"
	    "exit status: 0 ok, 1 refused (would lock out the SSH client, or block an\n"
	    "allowlisted address), 2 usage error or bad rule, 3 rules file or settings error,\n"
	    "4 nftables error (or not root / CAP_NET_ADMIN)\n");
}

struct fw_opts {
	const char *rules;
	const char *config; /* --config FILE */
	const char *dur;
	const char *confirm; /* --confirm SECONDS */
	bool dry_run, force, kill;
	char **pos;
	int npos;
};

struct fw_state {
	struct fw_opts *o;
	char feeds[PATH_MAX];	      /* the directory of the blocklist feed files */
	struct mm_fw_ruleset rs;      /* the rules file */
	struct mm_fw_apps apps;	      /* loaded on first use; apps.err: the first bad profile */
	struct mm_fw_allowlist allow; /* [firewall] allowlist of the settings file */
	int64_t now;
	/* nft commands that make the change on the loaded table; when empty
	 * or when they fail (table not loaded), the whole table is replaced */
	struct mm_buf inc;
	/* the blocks file, loaded only when a command needs every block */
	char blocks[PATH_MAX];
	/* --confirm: PENDING is BASE.pending (BASE: the rules file, or
	 * /var/lib/mamori/firewall for the default one), held under plock */
	char pending[PATH_MAX];
	int plock;
	int64_t confirm_secs;
	struct mm_fw_ruleset jr;
	bool jr_loaded;
	size_t jr_lines; /* its block/unblock lines, live or not */
};

static int64_t now_sec(void)
{
	return (int64_t)time(NULL);
}

/* An empty ruleset that resolves profiles and knows the allowlist. */
static void rs_fresh(struct fw_state *st)
{
	mm_fw_ruleset_init(&st->rs);
	st->rs.apps = &st->apps;
	st->rs.allow = &st->allow;
}

/* out = a sep b in PATH_MAX bytes; false (said) when it does not fit. */
static bool path_cat(char *out, const char *a, const char *sep, const char *b)
{
	if (snprintf(out, PATH_MAX, "%s%s%s", a, sep, b) < PATH_MAX)
		return true;
	mm_die_msg("%s%s%s: path too long", a, sep, b);
	return false;
}

static int open_backend(struct mm_fw_backend **be)
{
	const char *kind = getenv("MAMORI_FW_BACKEND");
	struct mm_err err = {0};

	if (kind && strcmp(kind, "null") == 0) {
		*be = mm_fw_backend_null_new();
		return *be ? 0 : MM_ERR_NOMEM;
	}
	if (mm_fw_backend_nft_new(be, &err) < 0) {
		mm_die_msg("%s", err.msg);
		return err.code;
	}
	return 0;
}

/* Join pos[from..] with spaces. */
static int join(struct fw_opts *o, int from, struct mm_buf *b)
{
	int i, rc = 0;

	for (i = from; i < o->npos && rc == 0; i++) {
		const char *a = o->pos[i];

		if (i > from)
			rc = mm_buf_addc(b, ' ');
		/* one argument with spaces ('Nginx Full') stays one word */
		if (rc == 0 && strchr(a, ' ') && !strpbrk(a, "\"'"))
			rc = mm_buf_addf(b, "\"%s\"", a);
		else if (rc == 0)
			rc = mm_buf_adds(b, a);
	}
	if (rc == 0 && !b->data)
		rc = mm_buf_adds(b, "");
	return rc;
}

static int lockout_check(struct fw_state *st)
{
	const char *sc = getenv("SSH_CONNECTION");
	struct mm_addr c, s;
	uint16_t cp, sp;
	char why[512];

	if (!sc || !*sc || st->o->force)
		return 0;
	if (mm_fw_parse_ssh_connection(sc, &c, &cp, &s, &sp) < 0) {
		mm_warn("cannot read SSH_CONNECTION '%s'; lockout check skipped", sc);
		return 0;
	}
	if (!mm_fw_would_lock_out(&st->rs, &c, cp, &s, sp, why, sizeof(why)))
		return 0;
	mm_die_msg("refusing: this change would lock out the current SSH session: %s "
		   "(allow it first, e.g. 'mamori firewall allow %u/tcp', or use --force)",
		   why, sp);
	return EXIT_REFUSED;
}

/* Refuse blocks that cover the current SSH client (SSH_CONNECTION). */
static int lockout_check_blocks(struct fw_state *st, const struct mm_fw_block *b, size_t n)
{
	const char *sc = getenv("SSH_CONNECTION");
	char a[MM_PREFIX_STRLEN], c[MM_ADDR_STRLEN];
	struct mm_addr cl, sv;
	uint16_t cp, sp;
	size_t i;

	if (!sc || !*sc || st->o->force)
		return 0;
	if (mm_fw_parse_ssh_connection(sc, &cl, &cp, &sv, &sp) < 0) {
		mm_warn("cannot read SSH_CONNECTION '%s'; lockout check skipped", sc);
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (!mm_prefix_contains(&b[i].pfx, &cl))
			continue;
		mm_die_msg("refusing: this change would lock out the current SSH session: block %s "
			   "covers the SSH client %s (use --force to block it anyway)",
			   mm_prefix_format(&b[i].pfx, a), mm_addr_format(&cl, c));
		return EXIT_REFUSED;
	}
	return 0;
}

/* The blocks file: beside the rules file, or in /var/lib/mamori for the default one. */
static bool blocks_path(struct fw_state *st)
{
	const char *env = getenv("MAMORI_FW_BLOCKS");

	if (env && *env)
		return path_cat(st->blocks, env, "", "");
	if (strcmp(st->o->rules, FW_DEFAULT_RULES) == 0)
		return path_cat(st->blocks, FW_DEFAULT_BLOCKS, "", "");
	return path_cat(st->blocks, st->o->rules, ".blocks", "");
}

static int load_journal(struct fw_state *st, struct mm_err *err)
{
	int rc;

	if (st->jr_loaded)
		return 0;
	rc = mm_fw_blocks_load(&st->jr, st->blocks, st->now, &st->jr_lines, err);
	if (rc < 0) {
		mm_fw_ruleset_release(&st->jr);
		mm_fw_ruleset_init(&st->jr);
		return rc;
	}
	st->jr_loaded = true;
	return 0;
}

/* The rules file with every block (its own and the blocks file's) in view. */
static int full_view(struct fw_state *st, struct mm_fw_ruleset *view, struct mm_err *err)
{
	int rc = load_journal(st, err);

	return rc < 0 ? rc : mm_fw_blocks_merge(&st->rs, &st->jr, view, err);
}

/* Rewrite the blocks file when most of its lines are dead (unblocked, expired, renewed). */
static void maybe_compact(struct fw_state *st)
{
	struct mm_err err = {0};

	if (!st->jr_loaded || st->o->dry_run || st->jr_lines <= 2 * st->jr.nblocks + 1024)
		return;
	if (mm_fw_blocks_write(&st->jr, st->blocks, &err) < 0)
		mm_warn("could not compact %s: %s", st->blocks, err.msg);
	else
		st->jr_lines = st->jr.nblocks;
}

static void ensure_dir(const char *path)
{
	char dir[PATH_MAX];
	char *slash;

	if (strcmp(path, FW_DEFAULT_RULES) != 0 && strcmp(path, FW_DEFAULT_BLOCKS) != 0 &&
	    strcmp(path, FW_DEFAULT_PENDING) != 0)
		return;
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
		(void)mkdir(dir, 0755);
	}
}

/*
 * Persist st->rs and bring the kernel in line: write the temporary file,
 * apply (or remove the table when disabled), then rename. A failure at
 * any step leaves the old file and the old table.
 */
/* Replace the whole table by the rules file and every block (or remove it). */
static int apply_full(struct fw_state *st, struct mm_fw_backend *be, struct mm_err *err)
{
	struct mm_fw_ruleset view = {0};
	int rc;

	if (!st->rs.enabled)
		return mm_fw_remove(be, err);
	rc = full_view(st, &view, err);
	if (rc < 0)
		return rc;
	rc = mm_fw_apply(be, &view, st->now, err);
	mm_fw_blocks_view_release(&view);
	return rc;
}

/*
 * The kernel took a change the rules file then could not keep (the new
 * file's fsync or rename failed): load the file still in place, the old
 * one, again, so the kernel and the file agree.
 */
static void restore_kernel(struct fw_state *st)
{
	struct mm_fw_ruleset keep = st->rs;
	struct mm_fw_backend *be = NULL;
	struct mm_err err = {0};
	int rc;

	rs_fresh(st);
	mm_fw_ruleset_release(&st->jr);
	mm_fw_ruleset_init(&st->jr);
	st->jr_loaded = false;
	rc = mm_fw_load(&st->rs, st->o->rules, st->now, &err);
	if (rc == 0)
		rc = mm_fw_feeds_load_dir(&st->rs, st->feeds, &err);
	if (rc == 0 && open_backend(&be) < 0)
		rc = mm_err_set(&err, MM_ERR_IO, "no nftables backend");
	if (rc == 0)
		rc = apply_full(st, be, &err);
	mm_fw_backend_free(be);
	if (rc < 0)
		mm_warn("the kernel keeps the change, the rules file does not: %s (run 'mamori "
			"firewall reload')",
			err.msg);
	else
		mm_warn("the previous ruleset is loaded again");
	mm_fw_ruleset_release(&st->rs);
	st->rs = keep;
}

static int commit(struct fw_state *st, bool kernel)
{
	struct mm_fw_backend *be = NULL;
	struct mm_fw_tmpfile *tf = NULL;
	struct mm_err err = {0};
	struct mm_buf b;
	int rc, ret = MM_EXIT_OK;

	if (st->o->dry_run) {
		mm_buf_init(&b, 512u << 20);
		rc = mm_fw_serialize(&st->rs, &b);
		printf("# would write %s:\n%s", st->o->rules, b.data ? b.data : "");
		mm_buf_reset(&b);
		if (rc == 0 && kernel && st->rs.enabled) {
			struct mm_fw_ruleset view = {0};

			rc = full_view(st, &view, &err);
			if (rc == 0)
				rc = mm_fw_render(&view, st->now, &b, &err);
			mm_fw_blocks_view_release(&view);
			if (rc == 0)
				printf("# would load:\n%s", b.data);
		} else if (rc == 0 && kernel) {
			printf("# would remove table inet mamori\n");
		}
		mm_buf_release(&b);
		if (rc < 0) {
			mm_die_msg("%s", err.msg[0] ? err.msg : mm_strerror(rc));
			return MM_EXIT_INTERNAL;
		}
		return MM_EXIT_OK;
	}
	rc = lockout_check(st);
	if (rc)
		return rc;
	ensure_dir(st->o->rules);
	/* the new file's fsync runs while the kernel changes: neither waits
	 * for the other, and the file is renamed into place only when both
	 * succeeded */
	if (mm_fw_write_tmp_begin(&st->rs, st->o->rules, &tf, &err) < 0) {
		mm_die_msg("%s", err.msg);
		return MM_EXIT_INPUT;
	}
	if (kernel) {
		if (open_backend(&be) < 0) {
			ret = MM_EXIT_INTERNAL;
			goto fail;
		}
		rc = -1;
		if (st->rs.enabled && st->inc.len)
			rc = be->ops->run(be, st->inc.data, NULL, &err);
		if (rc < 0) {
			memset(&err, 0, sizeof(err));
			rc = apply_full(st, be, &err);
		}
		mm_fw_backend_free(be);
		if (rc < 0) {
			mm_die_msg("%s; nothing changed", err.msg);
			ret = MM_EXIT_INTERNAL;
			goto fail;
		}
	}
	if (mm_fw_tmp_commit(tf, st->o->rules, &err) < 0) {
		mm_die_msg("%s", err.msg);
		if (kernel)
			restore_kernel(st);
		return MM_EXIT_INPUT;
	}
	maybe_compact(st);
	return MM_EXIT_OK;
fail:
	mm_fw_tmp_abandon(tf);
	return ret;
}

/*
 * Application profiles: $MAMORI_APPS_DIRS (directories separated by ':'),
 * else the installed ones (the checkout's data/apps when not installed)
 * and then the local FW_LOCAL_APPS, whose profiles override.
 */
static void load_apps(struct fw_state *st)
{
	const char *env = getenv("MAMORI_APPS_DIRS");
	const char *dirs[16];
	char buf[4096];
	size_t n = 0;
	struct stat sb;

	if (env && *env) {
		char *p = buf, *colon;

		snprintf(buf, sizeof(buf), "%s", env);
		while (p && n < 16) {
			colon = strchr(p, ':');
			if (colon)
				*colon = '\0';
			if (*p)
				dirs[n++] = p;
			p = colon ? colon + 1 : NULL;
		}
	} else {
		dirs[n++] =
		    stat(MM_DATADIR "/apps", &sb) == 0 ? MM_DATADIR "/apps" : MM_SRC_APPSDIR;
		dirs[n++] = FW_LOCAL_APPS;
	}
	/* read only when a rule names a profile: most commands never do */
	if (mm_fw_apps_defer(&st->apps, dirs, n) < 0) {
		(void)mm_fw_apps_load_dirs(&st->apps, dirs, n, &st->apps.err);
		mm_fw_apps_sort(&st->apps);
	}
}

/*
 * The allowlist of the settings file (--config, else the default file
 * when present). A broken file stops every command but confirm and
 * rollback, which must always be able to run: they go on without it.
 */
static int load_allowlist(struct fw_state *st, const char *cmd)
{
	const char *path = st->o->config ? st->o->config : MM_CONFIG_DEFAULT;
	struct mm_err err = {0};
	int rc = mm_fw_allowlist_load(path, &st->allow, &err);

	if (rc == 0 || (rc == MM_ERR_NOTFOUND && !st->o->config))
		return 0;
	if (strcmp(cmd, "confirm") == 0 || strcmp(cmd, "rollback") == 0) {
		mm_warn("%s; going on without the allowlist", err.msg);
		return 0;
	}
	mm_die_msg("%s; nothing changed", err.msg);
	return MM_EXIT_INPUT;
}

/* Refuse blocks of allowlisted addresses; say which allowlisted ones a
 * wider block leaves reachable. */
static int allowlist_check_blocks(struct fw_state *st, const struct mm_fw_block *b, size_t n)
{
	char a[MM_PREFIX_STRLEN], w[MM_PREFIX_STRLEN];
	size_t i;

	for (i = 0; i < n; i++) {
		bool covered;
		const struct mm_prefix *e =
		    mm_fw_allowlist_overlap(&st->allow, &b[i].pfx, &covered);

		if (!e)
			continue;
		if (covered) {
			mm_die_msg(
			    "refusing: %s is on the allowlist (%s in %s), which blocks never "
			    "drop; nothing changed",
			    mm_fw_prefix_short(&b[i].pfx, a), mm_fw_prefix_short(e, w),
			    st->o->config ? st->o->config : MM_CONFIG_DEFAULT);
			return EXIT_REFUSED;
		}
		mm_warn("%s holds the allowlisted %s, which stays reachable",
			mm_fw_prefix_short(&b[i].pfx, a), mm_fw_prefix_short(e, w));
	}
	return 0;
}

static int load(struct fw_state *st)
{
	struct mm_err err = {0};

	if (mm_fw_load(&st->rs, st->o->rules, st->now, &err) < 0) {
		mm_die_msg("%s; nothing changed", err.msg);
		if (st->apps.err.code && err.code == MM_ERR_NOTFOUND)
			mm_warn("a profile file is broken: %s", st->apps.err.msg);
		return MM_EXIT_INPUT;
	}
	if (mm_fw_feeds_load_dir(&st->rs, st->feeds, &err) < 0) {
		/* feed files are checked before they are written: this one was
		 * edited or damaged outside mamori */
		mm_die_msg("%s; nothing changed (correct the feed file or delete it, then "
			   "'mamori firewall reload')",
			   err.msg);
		return MM_EXIT_INPUT;
	}
	return 0;
}

/* $MAMORI_FW_FEEDS, else the system directory for the system rules file,
 * else RULES.feeds beside another rules file (tests, other instances). */
static bool feeds_dir(struct fw_state *st)
{
	const char *env = getenv("MAMORI_FW_FEEDS");

	if (env && *env)
		return path_cat(st->feeds, env, "", "");
	if (strcmp(st->o->rules, FW_DEFAULT_RULES) == 0)
		return path_cat(st->feeds, FW_DEFAULT_FEEDS, "", "");
	return path_cat(st->feeds, st->o->rules, ".feeds", "");
}

/* mkdir -p for the feeds directory (mode 0755). */
static int make_dirs(const char *path)
{
	char p[PATH_MAX];
	size_t i;

	snprintf(p, sizeof(p), "%s", path);
	for (i = 1; p[i]; i++) {
		if (p[i] != '/')
			continue;
		p[i] = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return -1;
		p[i] = '/';
	}
	return mkdir(p, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

/*
 * blocklist load NAME FILE: parse FILE whole (a bad line is FILE:LINE and
 * nothing changes), then in the kernel either replace the elements of the
 * loaded feed's sets in one transaction (flush + add) or, for a new feed,
 * load the whole table; only then the feed file is renamed into place.
 */
/* Say which allowlisted addresses a feed holds: they stay reachable. */
static void feed_allowlist_note(struct fw_state *st, const struct mm_fw_feed *f)
{
	char a[MM_PREFIX_STRLEN];
	size_t i, j, shown = 0;

	for (i = 0; i < st->allow.n && shown < 5; i++) {
		const struct mm_prefix *e = &st->allow.v[i];
		for (j = 0; j < f->n; j++) {
			const struct mm_prefix *p = &f->v[j];
			if (p->addr.family == e->addr.family &&
			    (mm_prefix_contains(p, &e->addr) || mm_prefix_contains(e, &p->addr))) {
				mm_warn("feed %s holds the allowlisted %s, which stays reachable",
					f->name, mm_fw_prefix_short(e, a));
				shown++;
				break;
			}
		}
	}
}

static int blocklist_load(struct fw_state *st, const char *name, const char *file)
{
	struct mm_fw_backend *be = NULL;
	struct mm_err err = {0};
	struct mm_fw_feed f;
	char path[PATH_MAX], tmp[PATH_MAX];
	size_t lines, merged, n4, n6;
	bool existed;
	int rc, ret = MM_EXIT_OK;

	/* st->inc is sized for rules; a feed's elements need more room */
	mm_buf_release(&st->inc);
	mm_buf_init(&st->inc, 512u << 20);
	mm_fw_feed_init(&f, name);
	rc = mm_fw_feed_load(&f, file, &err);
	if (rc < 0) {
		mm_die_msg("%s; nothing changed", err.msg);
		mm_fw_feed_release(&f);
		return MM_EXIT_INPUT;
	}
	feed_allowlist_note(st, &f);
	lines = f.lines;
	merged = f.merged;
	n4 = f.n4;
	n6 = f.n - f.n4;
	existed = mm_fw_feed_find(&st->rs, name) != NULL;
	if (st->rs.enabled && existed && mm_fw_render_feed(&f, &st->inc, &err) < 0)
		mm_buf_reset(&st->inc);
	rc = mm_fw_feed_put(&st->rs, &f);
	mm_fw_feed_release(&f);
	if (rc < 0) {
		mm_die_msg("too many feeds (at most %d)", MM_FW_MAX_FEEDS);
		return MM_EXIT_USAGE;
	}
	if (st->o->dry_run) {
		printf("# would load feed %s: %zu IPv4 and %zu IPv6 prefixes from %zu lines, "
		       "%s\n",
		       name, n4, n6, lines,
		       !st->rs.enabled ? "firewall not enabled (kept for later)"
		       : existed       ? "replacing the loaded elements in one transaction"
				       : "reloading the table with the new sets");
		return MM_EXIT_OK;
	}
	rc = lockout_check(st);
	if (rc)
		return rc;
	if (!path_cat(path, st->feeds, "/", name))
		return MM_EXIT_USAGE;
	if (make_dirs(st->feeds) < 0) {
		mm_die_msg("%s: %s", st->feeds, strerror(errno));
		return MM_EXIT_INPUT;
	}
	if (mm_fw_feed_write_tmp(mm_fw_feed_find(&st->rs, name), path, tmp, sizeof(tmp), &err) <
	    0) {
		mm_die_msg("%s", err.msg);
		return MM_EXIT_INPUT;
	}
	if (st->rs.enabled) {
		if (open_backend(&be) < 0) {
			ret = MM_EXIT_INTERNAL;
			goto fail;
		}
		rc = -1;
		if (st->inc.len)
			rc = be->ops->run(be, st->inc.data, NULL, &err);
		if (rc < 0)
			rc = apply_full(st, be, &err);
		mm_fw_backend_free(be);
		if (rc < 0) {
			mm_die_msg("%s; nothing changed", err.msg);
			ret = MM_EXIT_INTERNAL;
			goto fail;
		}
	}
	if (mm_fw_commit_file(tmp, path, &err) < 0) {
		mm_die_msg("%s", err.msg);
		return MM_EXIT_INPUT;
	}
	printf("Feed %s %s: %zu IPv4 and %zu IPv6 prefixes (%zu lines, %zu merged)%s\n", name,
	       existed ? "replaced" : "loaded", n4, n6, lines, merged,
	       st->rs.enabled ? "" : "; the firewall is not enabled");
	return MM_EXIT_OK;
fail:
	unlink(tmp);
	return ret;
}

static int blocklist_drop(struct fw_state *st, const char *name)
{
	struct mm_fw_backend *be = NULL;
	struct mm_err err = {0};
	char path[PATH_MAX];
	int rc;

	if (mm_fw_feed_del(&st->rs, name) < 0) {
		mm_die_msg("no feed %s (see 'mamori firewall blocklist list')", name);
		return MM_EXIT_USAGE;
	}
	if (st->o->dry_run) {
		printf("# would drop feed %s%s\n", name,
		       st->rs.enabled ? " and reload the table without it" : "");
		return MM_EXIT_OK;
	}
	if (st->rs.enabled) {
		if (open_backend(&be) < 0)
			return MM_EXIT_INTERNAL;
		rc = apply_full(st, be, &err);
		mm_fw_backend_free(be);
		if (rc < 0) {
			mm_die_msg("%s; nothing changed", err.msg);
			return MM_EXIT_INTERNAL;
		}
	}
	if (!path_cat(path, st->feeds, "/", name))
		return MM_EXIT_USAGE;
	if (unlink(path) < 0 && errno != ENOENT) {
		mm_die_msg("%s: %s (the feed is no longer loaded; remove the file by hand)", path,
			   strerror(errno));
		return MM_EXIT_INPUT;
	}
	printf("Feed %s dropped\n", name);
	return MM_EXIT_OK;
}

/* Save the pending state p in st->pending (written whole, then renamed). */
static int write_pending(struct fw_state *st, const struct mm_fw_pending *p, struct mm_err *err)
{
	struct mm_buf b;
	int rc;

	mm_buf_init(&b, 4096);
	rc = mm_fw_pending_format(p, &b) < 0 ? mm_err_set(err, MM_ERR_NOMEM, "out of memory")
					     : mm_fw_write_file(st->pending, b.data, b.len, err);
	mm_buf_release(&b);
	return rc;
}

/* The packet counter of "comment \"feed NAME\"" drop rules (v4 + v6), or -1. */
static long long feed_hits(const char *listing, const char *name)
{
	char tag[64];
	const char *p = listing, *q;
	long long sum = -1;

	snprintf(tag, sizeof(tag), "comment \"feed %s\"", name);
	while (listing && (p = strstr(p, tag)) != NULL) {
		const char *line = p;

		while (line > listing && line[-1] != '\n')
			line--;
		q = strstr(line, "counter packets ");
		if (q && q < p)
			sum = (sum < 0 ? 0 : sum) + strtoll(q + 16, NULL, 10);
		p += strlen(tag);
	}
	return sum;
}

static int blocklist_list(struct fw_state *st)
{
	struct mm_fw_backend *be = NULL;
	struct mm_err err = {0};
	struct mm_buf list;
	size_t i;

	mm_buf_init(&list, 1u << 24);
	if (st->rs.enabled && st->rs.nfeeds && open_backend(&be) == 0) {
		if (be->ops->run(be, "list chain inet mamori input", &list, &err) < 0)
			mm_buf_reset(&list);
		mm_fw_backend_free(be);
	}
	printf("%-24s %10s %10s %10s\n", "FEED", "IPV4", "IPV6", "HITS");
	for (i = 0; i < st->rs.nfeeds; i++) {
		const struct mm_fw_feed *f = &st->rs.feeds[i];
		long long hits = feed_hits(list.data, f->name);

		if (hits >= 0)
			printf("%-24s %10zu %10zu %10lld\n", f->name, f->n4, f->n - f->n4, hits);
		else
			printf("%-24s %10zu %10zu %10s\n", f->name, f->n4, f->n - f->n4, "-");
	}
	mm_buf_release(&list);
	return MM_EXIT_OK;
}

static int read_pending(struct fw_state *st, struct mm_fw_pending *p, struct mm_err *err);

static int do_blocklist(struct fw_state *st)
{
	struct fw_opts *o = st->o;
	const char *sub = o->npos > 1 ? o->pos[1] : "";

	if (strcmp(sub, "list") == 0 && o->npos == 2)
		return blocklist_list(st);
	if ((strcmp(sub, "load") == 0 && o->npos == 4) ||
	    (strcmp(sub, "drop") == 0 && o->npos == 3)) {
		if (!mm_fw_feed_name_ok(o->pos[2], strlen(o->pos[2]))) {
			mm_die_msg("bad feed name '%s' (a letter, then letters, digits, '-' or "
				   "'_'; at most %d)",
				   o->pos[2], MM_FW_FEED_NAME_MAX);
			return MM_EXIT_USAGE;
		}
		/* a state saved before feeds were part of it: its rollback
		 * would restore the rules and blocks but not the feeds */
		if (!o->dry_run && !o->confirm && access(st->pending, F_OK) == 0) {
			struct mm_fw_pending p;
			struct mm_err err = {0};

			if (read_pending(st, &p, &err) == 1 && !p.had_feeds) {
				mm_die_msg(
				    "a change made with --confirm is still waiting; run "
				    "'mamori firewall confirm' or 'rollback' before changing "
				    "feeds");
				return EXIT_REFUSED;
			}
		}
		return sub[0] == 'l' ? blocklist_load(st, o->pos[2], o->pos[3])
				     : blocklist_drop(st, o->pos[2]);
	}
	mm_die_msg("usage: blocklist load NAME FILE | blocklist drop NAME | blocklist list");
	return MM_EXIT_USAGE;
}

static void print_app(const struct mm_fw_app *a)
{
	const char *p = a->ports;

	printf("Profile: %s\nTitle: %s\n", a->name, a->title);
	if (a->description[0])
		printf("\nDescription: %s\n", a->description);
	printf("\n%s:\n", a->nspec > 1 || strchr(a->ports, ',') ? "Ports" : "Port");
	while (*p) {
		size_t k = strcspn(p, "|");

		printf("  %.*s\n", (int)k, p);
		p += k + (p[k] == '|');
	}
}

/* app list | app info NAME|all */
static int do_app(struct fw_state *st)
{
	struct fw_opts *o = st->o;
	size_t i;

	if (mm_fw_apps_ready(&st->apps) < 0) {
		mm_die_msg("%s", st->apps.err.msg);
		return MM_EXIT_INPUT;
	}
	if (o->npos == 2 && strcmp(o->pos[1], "list") == 0) {
		printf("Available applications:\n");
		for (i = 0; i < st->apps.n; i++)
			printf("  %s\n", st->apps.v[i].name);
		return MM_EXIT_OK;
	}
	if (o->npos >= 3 && strcmp(o->pos[1], "info") == 0) {
		struct mm_buf name;
		const struct mm_fw_app *a;
		int rc;

		mm_buf_init(&name, MM_FW_APP_NAME_MAX * 4);
		rc = join(o, 2, &name);
		/* 'app info "Nginx Full"' and 'app info Nginx Full' alike */
		if (rc == 0 && name.len >= 2 && name.data[0] == '"') {
			name.len -= 2;
			memmove(name.data, name.data + 1, name.len);
			name.data[name.len] = '\0';
		}
		if (rc == 0 && strcmp(name.data, "all") == 0) {
			for (i = 0; i < st->apps.n; i++) {
				if (i)
					printf("\n--\n\n");
				print_app(&st->apps.v[i]);
			}
			mm_buf_release(&name);
			return MM_EXIT_OK;
		}
		a = rc == 0 ? mm_fw_apps_find(&st->apps, name.data, name.len) : NULL;
		if (!a) {
			mm_die_msg("unknown application profile '%s' (see 'mamori firewall app "
				   "list')",
				   name.data ? name.data : "");
			mm_buf_release(&name);
			return MM_EXIT_USAGE;
		}
		print_app(a);
		mm_buf_release(&name);
		return MM_EXIT_OK;
	}
	mm_die_msg("usage: app list | app info NAME|all | app update [--add-new] NAME|all | app "
		   "default allow|deny|reject|skip");
	return MM_EXIT_USAGE;
}

/* One line of a listing without its counter ("counter packets N bytes M "). */
static void cut_counter(const char *p, size_t n, struct mm_buf *out)
{
	const char *c = memmem(p, n, "counter packets ", 16);
	const char *e;

	if (!c) {
		(void)mm_buf_add(out, p, n);
		return;
	}
	e = memmem(c, n - (size_t)(c - p), " bytes ", 7);
	if (e) {
		e += 7;
		while (e < p + n && *e >= '0' && *e <= '9')
			e++;
		while (e < p + n && *e == ' ')
			e++;
	}
	(void)mm_buf_add(out, p, (size_t)(c - p));
	if (e)
		(void)mm_buf_add(out, e, (size_t)(p + n - e));
}

/*
 * The rules of the loaded user chains (user_in, user_out, user_fwd), one
 * per line as "CHAIN: RULE", counters cut, from nft's own listing.
 */
static int user_rules(struct mm_fw_backend *be, struct mm_buf *out, struct mm_err *err)
{
	struct mm_buf list;
	const char *p, *end;
	char chain[16] = "";
	int rc;

	mm_buf_init(&list, 1024u << 20);
	rc = be->ops->run(be, "list table inet mamori", &list, err);
	for (p = list.data, end = p ? p + list.len : NULL; rc == 0 && p && p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (len > 7 && memcmp(p, "\tchain ", 7) == 0) {
			size_t k = strcspn(p + 7, " {\n");

			snprintf(chain, sizeof(chain), "%.*s", (int)(k < 15 ? k : 15), p + 7);
			if (strcmp(chain, "user_in") && strcmp(chain, "user_out") &&
			    strcmp(chain, "user_fwd"))
				chain[0] = '\0';
		} else if (chain[0] && len > 2 && p[0] == '\t' && p[1] == '\t' && p[2] != '\t') {
			(void)mm_buf_addf(out, "%s: ", chain);
			cut_counter(p + 2, len - 2, out);
			(void)mm_buf_addc(out, '\n');
		} else if (len == 2 && p[0] == '\t' && p[1] == '}') {
			chain[0] = '\0';
		}
		p += len + (nl ? 1 : 0);
	}
	mm_buf_release(&list);
	if (rc == 0 && !out->data)
		(void)mm_buf_adds(out, "");
	return rc;
}

struct line {
	const char *p;
	size_t n, at;
	bool matched;
};

static int line_cmp(const void *pa, const void *pb)
{
	const struct line *a = pa, *b = pb;
	int c = memcmp(a->p, b->p, a->n < b->n ? a->n : b->n);

	if (c == 0)
		c = (a->n > b->n) - (a->n < b->n);
	return c ? c : (a->at > b->at) - (a->at < b->at);
}

static int line_at_cmp(const void *pa, const void *pb)
{
	const struct line *a = pa, *b = pb;

	return (a->at > b->at) - (a->at < b->at);
}

static size_t split_lines(const struct mm_buf *b, struct line **out)
{
	const char *p = b->data, *end = p ? p + b->len : NULL;
	struct line *v = NULL;
	size_t n = 0, cap = 0;

	while (p && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (MM_GROW(v, cap, n, 64) < 0)
			break;
		v[n] = (struct line){p, len, n, false};
		n++;
		p += len + (nl ? 1 : 0);
	}
	*out = v;
	return n;
}

/* Print the nftables rules that went away (-) and came (+), each side at most 20. */
static void print_rule_diff(const struct mm_buf *before, const struct mm_buf *after)
{
	struct line *a = NULL, *b = NULL;
	size_t na = split_lines(before, &a), nb = split_lines(after, &b), i = 0, j = 0, gone = 0,
	       came = 0, shown;

	if (na)
		qsort(a, na, sizeof(*a), line_cmp);
	if (nb)
		qsort(b, nb, sizeof(*b), line_cmp);
	while (i < na && j < nb) {
		int c = memcmp(a[i].p, b[j].p, a[i].n < b[j].n ? a[i].n : b[j].n);

		if (c == 0)
			c = (a[i].n > b[j].n) - (a[i].n < b[j].n);
		if (c == 0) {
			a[i++].matched = true;
			b[j++].matched = true;
		} else if (c < 0) {
			i++;
		} else {
			j++;
		}
	}
	if (na)
		qsort(a, na, sizeof(*a), line_at_cmp);
	if (nb)
		qsort(b, nb, sizeof(*b), line_at_cmp);
	for (i = 0; i < na; i++)
		gone += !a[i].matched;
	for (j = 0; j < nb; j++)
		came += !b[j].matched;
	if (!gone && !came) {
		printf("Firewall reloaded: the loaded rules were already up to date\n");
		goto out;
	}
	printf("Firewall reloaded: %zu nftables rule%s removed, %zu added\n", gone,
	       gone == 1 ? "" : "s", came);
	for (i = 0, shown = 0; i < na; i++)
		if (!a[i].matched && shown++ < 20)
			printf("  - %.*s\n", (int)a[i].n, a[i].p);
	if (gone > 20)
		printf("  - ... and %zu more\n", gone - 20);
	for (j = 0, shown = 0; j < nb; j++)
		if (!b[j].matched && shown++ < 20)
			printf("  + %.*s\n", (int)b[j].n, b[j].p);
	if (came > 20)
		printf("  + ... and %zu more\n", came - 20);
out:
	free(a);
	free(b);
}

static bool uses_app(const struct mm_fw_rule *r, const char *name)
{
	if (strcmp(name, "all") == 0)
		return r->app[0] || r->sapp[0];
	return strcmp(r->app, name) == 0 || strcmp(r->sapp, name) == 0;
}

/*
 * app update [--add-new] NAME|all (ufw's habit after a profile file
 * changed). Rules store the profile's name and every load resolves it
 * again, so there is nothing to rewrite: check every profile file, list
 * the rules that name the profile and reload the table, showing the
 * nftables rules that changed. --add-new adds the 'app default' rule for a
 * profile no rule names yet.
 */
static int app_update(struct fw_state *st)
{
	struct fw_opts *o = st->o;
	bool add_new = o->npos == 4 && strcmp(o->pos[2], "--add-new") == 0;
	const char *name = o->pos[o->npos - 1];
	bool all = strcmp(name, "all") == 0;
	struct mm_fw_backend *be = NULL;
	struct mm_buf before, after, text;
	struct mm_err err = {0};
	size_t i, n = 0;
	int rc, ret = MM_EXIT_OK;

	if (o->npos != 3 && !add_new) {
		mm_die_msg("usage: app update [--add-new] NAME|all");
		return MM_EXIT_USAGE;
	}
	if (mm_fw_apps_ready(&st->apps) < 0) {
		mm_die_msg("%s; nothing changed", st->apps.err.msg);
		return MM_EXIT_INPUT;
	}
	if (add_new && all) {
		mm_die_msg("app update --add-new takes one profile, not all");
		return MM_EXIT_USAGE;
	}
	if (!all && !mm_fw_apps_find(&st->apps, name, strlen(name))) {
		mm_die_msg("unknown application profile '%s' (see 'mamori firewall app list')",
			   name);
		return MM_EXIT_USAGE;
	}
	for (i = 0; i < st->rs.nrules; i++)
		n += uses_app(&st->rs.rules[i], name);
	if (n == 0 && add_new) {
		struct mm_fw_rule r;
		struct mm_buf line;

		if (st->rs.app_default == MM_FW_APP_SKIP) {
			printf("No rule names profile %s; new profiles are skipped ('mamori "
			       "firewall app "
			       "default')\n",
			       name);
			return MM_EXIT_OK;
		}
		mm_buf_init(&line, MM_FW_MAX_LINE);
		rc = mm_buf_addf(&line, "%s \"%s\"", mm_fw_action_name(st->rs.app_default), name);
		if (rc == 0)
			rc = mm_fw_rule_parse_apps(line.data, line.len, &st->apps, &r, &err);
		mm_buf_release(&line);
		if (rc == 0)
			rc = mm_fw_rule_add(&st->rs, &r, 0);
		if (rc < 0) {
			mm_die_msg("%s", err.msg[0] ? err.msg : mm_strerror(rc));
			return MM_EXIT_USAGE;
		}
		rc = commit(st, st->rs.enabled);
		if (rc == 0 && !o->dry_run)
			printf("Rule added: %s %s (new profiles: %s)\n",
			       mm_fw_action_name(st->rs.app_default), name,
			       mm_fw_action_name(st->rs.app_default));
		return rc;
	}
	if (n == 0) {
		printf("No rule names %s%s; nothing to update\n",
		       all ? "an application profile" : "profile ", all ? "" : name);
		return MM_EXIT_OK;
	}
	mm_buf_init(&text, MM_FW_MAX_LINE);
	printf("Rules using %s:\n", all ? "application profiles" : name);
	for (i = 0; i < st->rs.nrules; i++) {
		if (!uses_app(&st->rs.rules[i], name))
			continue;
		mm_buf_reset(&text);
		if (mm_fw_rule_format(&st->rs.rules[i], &text) == 0)
			printf("  [%2zu] %s\n", i + 1, text.data);
	}
	mm_buf_release(&text);
	if (!st->rs.enabled) {
		printf("The firewall is not enabled: they take the profile's ports when it is\n");
		return MM_EXIT_OK;
	}
	if (o->dry_run) {
		printf("# would reload table inet mamori\n");
		return MM_EXIT_OK;
	}
	rc = lockout_check(st);
	if (rc)
		return rc;
	if (open_backend(&be) < 0)
		return MM_EXIT_INTERNAL;
	mm_buf_init(&before, 1024u << 20);
	mm_buf_init(&after, 1024u << 20);
	/* not loaded (or unreadable): nothing to compare with */
	if (user_rules(be, &before, &err) < 0)
		mm_buf_reset(&before);
	memset(&err, 0, sizeof(err));
	rc = apply_full(st, be, &err);
	if (rc < 0) {
		mm_die_msg("%s; nothing changed", err.msg);
		ret = MM_EXIT_INTERNAL;
	} else if (user_rules(be, &after, &err) < 0) {
		printf("Firewall reloaded\n");
	} else {
		print_rule_diff(&before, &after);
	}
	mm_fw_backend_free(be);
	mm_buf_release(&before);
	mm_buf_release(&after);
	return ret;
}

/* app default allow|deny|reject|skip: the rule 'app update --add-new' adds. */
static int app_default(struct fw_state *st)
{
	static const char *const names[] = {"allow", "deny", "reject", "skip"};
	size_t i;
	int rc;

	for (i = 0; st->o->npos == 3 && i < 4; i++)
		if (strcmp(st->o->pos[2], names[i]) == 0)
			break;
	if (st->o->npos != 3 || i == 4) {
		mm_die_msg("usage: app default allow|deny|reject|skip");
		return MM_EXIT_USAGE;
	}
	st->rs.app_default = i == 3 ? MM_FW_APP_SKIP : (uint8_t)i;
	rc = commit(st, false);
	if (rc == 0 && !st->o->dry_run)
		printf("Default application policy changed to '%s'\n", names[i]);
	return rc;
}

/* "22/tcp", "80,443", "5060:5061/udp", "esp" (a protocol without ports). */
static void ports_text(const struct mm_fw_ports *p, uint8_t proto, struct mm_buf *b)
{
	static const struct {
		uint8_t num;
		const char *name;
	} names[] = {{6, "tcp"},  {17, "udp"}, {132, "sctp"}, {33, "dccp"}, {1, "icmp"},
		     {50, "esp"}, {51, "ah"},  {47, "gre"},   {2, "igmp"},  {58, "ipv6-icmp"}};
	const char *pn = NULL;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].num == proto)
			pn = names[i].name;
	for (i = 0; i < p->n; i++) {
		if (i)
			(void)mm_buf_addc(b, ',');
		if (p->r[i].lo == p->r[i].hi)
			(void)mm_buf_addf(b, "%u", p->r[i].lo);
		else
			(void)mm_buf_addf(b, "%u:%u", p->r[i].lo, p->r[i].hi);
	}
	if (pn)
		(void)mm_buf_addf(b, "%s%s", p->n ? "/" : "", pn);
}

/*
 * One side of a ufw status row: "Anywhere", an address, "ADDR PORTS",
 * "PORTS", an application name; " (v6)" on the IPv6 row of a rule of both
 * families or of an IPv6 rule that names no address on this side; " on
 * IFACE" when given.
 */
static void side_text(bool has, const struct mm_prefix *pfx, const struct mm_fw_ports *ports,
		      uint8_t proto, const char *app, bool v6, const char *iface, struct mm_buf *b)
{
	if (has)
		(void)mm_fw_prefix_text(true, pfx, b);
	if (app && app[0]) {
		(void)mm_buf_addf(b, "%s%s", has ? " " : "", app);
	} else if (ports->n) {
		if (has)
			(void)mm_buf_addc(b, ' ');
		ports_text(ports, proto, b);
	} else if (proto) {
		(void)mm_buf_adds(b, has ? " " : "Anywhere/");
		ports_text(ports, proto, b);
	} else if (!has) {
		(void)mm_buf_adds(b, "Anywhere");
	}
	if (v6 && !has)
		(void)mm_buf_adds(b, " (v6)");
	if (iface && iface[0])
		(void)mm_buf_addf(b, " on %s", iface);
	if (!b->data)
		(void)mm_buf_adds(b, "");
}

/* The IPv4 (v6 = false) or IPv6 row of rule r, in ufw's columns. */
static void status_row(const struct mm_fw_rule *r, size_t num, bool v6, bool numbered, bool verbose)
{
	const char *dir = r->routed ? "FWD" : r->dir == MM_FW_OUT ? "OUT" : "IN";
	const char *to_if = r->routed ? r->oiface : r->dir == MM_FW_IN ? r->iface : "";
	const char *from_if = r->routed ? r->iface : r->dir == MM_FW_OUT ? r->iface : "";
	struct mm_buf to, from;
	char action[48], up[16];
	size_t i;

	mm_buf_init(&to, 1024);
	mm_buf_init(&from, 1024);
	side_text(r->has_dst, &r->dst, &r->dport, r->dport.n || !r->sport.n ? r->proto : 0, r->app,
		  v6, to_if, &to);
	side_text(r->has_src, &r->src, &r->sport, r->sport.n ? r->proto : 0, r->sapp, v6, from_if,
		  &from);
	snprintf(up, sizeof(up), "%s", mm_fw_action_name(r->action));
	for (i = 0; up[i]; i++)
		up[i] = (char)(up[i] - ('a' <= up[i] && up[i] <= 'z' ? 'a' - 'A' : 0));
	if (verbose || numbered || strcmp(dir, "IN") != 0)
		snprintf(action, sizeof(action), "%s %s", up, dir);
	else
		snprintf(action, sizeof(action), "%s", up);
	if (r->log)
		snprintf(action + strlen(action), sizeof(action) - strlen(action), " (%s)",
			 r->log == MM_FW_LOG_NEW ? "log" : "log-all");
	if (numbered)
		printf("[%2zu] ", num);
	if (r->comment[0])
		printf("%-26s %-11s %-26s # %s\n", to.data, action, from.data, r->comment);
	else
		printf("%-26s %-11s %s\n", to.data, action, from.data);
	mm_buf_release(&to);
	mm_buf_release(&from);
}

/*
 * The rules as ufw's status shows them: To / Action / From, the IPv4 rows
 * first, then the IPv6 ones (a rule naming no address has one of each,
 * the IPv6 one marked "(v6)"). Numbers are mamori's rule numbers, the
 * ones 'delete N' and 'insert N' take, so both rows of a rule share one.
 */
/* Does rule r show a row for IPv6 (v6) or IPv4? Both unless an address pins the family. */
static bool family_row(const struct mm_fw_rule *r, bool v6)
{
	uint8_t fam = r->has_src ? r->src.addr.family : r->dst.addr.family;

	if (!r->has_src && !r->has_dst)
		return true;
	return fam == (v6 ? MM_AF_INET6 : MM_AF_INET);
}

static void print_rules(const struct mm_fw_ruleset *rs, bool numbered, bool verbose)
{
	const char *ind = numbered ? "     " : "";
	size_t i;
	int pass;

	printf("%s%-26s %-12s%s\n", ind, "To", "Action", "From");
	printf("%s%-26s %-12s%s\n", ind, "--", "------", "----");
	/* IPv4 rows, then IPv6 rows, as ufw prints them; numbered, in rule
	 * order (a rule's v4 and v6 rows together), since one number deletes
	 * both */
	if (numbered) {
		for (i = 0; i < rs->nrules; i++)
			for (pass = 0; pass < 2; pass++)
				if (family_row(&rs->rules[i], pass == 1))
					status_row(&rs->rules[i], i + 1, pass == 1, true, verbose);
		return;
	}
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < rs->nrules; i++)
			if (family_row(&rs->rules[i], pass == 1))
				status_row(&rs->rules[i], i + 1, pass == 1, false, verbose);
}

/* "on" when the kernel forwards packets of either family (routed rules see traffic). */
static const char *forwarding(void)
{
	static const char *const files[] = {"/proc/sys/net/ipv4/ip_forward",
					    "/proc/sys/net/ipv6/conf/all/forwarding"};
	const char *state = "off";
	size_t i;

	for (i = 0; i < 2; i++) {
		FILE *f = fopen(files[i], "re");
		int c;

		if (!f)
			return "unknown";
		c = fgetc(f);
		fclose(f);
		if (c == '1')
			state = "on";
	}
	return state;
}

static int do_status(struct fw_state *st)
{
	const char *mode = st->o->npos > 1 ? st->o->pos[1] : "";
	bool verbose = strcmp(mode, "verbose") == 0, numbered = strcmp(mode, "numbered") == 0;
	struct mm_fw_backend *be = NULL;
	struct mm_err err = {0};
	struct mm_buf others, legacy;
	bool loaded = false, known = false;
	int nothers = 0, nlegacy = 0;
	size_t i;

	if (*mode && !verbose && !numbered) {
		mm_die_msg("status takes verbose or numbered");
		return MM_EXIT_USAGE;
	}
	mm_buf_init(&others, 1u << 20);
	mm_buf_init(&legacy, 1u << 20);
	/* x_tables rules drop as finally as any nftables chain, unseen by nft */
	if (st->rs.enabled)
		nlegacy = mm_fw_legacy_check(&legacy, &err);
	if (nlegacy < 0) {
		mm_warn("iptables-legacy rules not checked: %s", err.msg);
		memset(&err, 0, sizeof(err));
	}
	if (open_backend(&be) == 0) {
		/* one listing for both when active: nft fetches every set's
		 * elements for any listing, which costs with large feeds */
		if (st->rs.enabled) {
			nothers = mm_fw_foreign_check(be, &others, &loaded, &err);
			known = nothers >= 0;
		} else {
			known = mm_fw_loaded(be, &loaded, &err) == 0;
		}
		mm_fw_backend_free(be);
	}
	printf("Status: %s", st->rs.enabled ? "active" : "inactive");
	if (known && st->rs.enabled && !loaded)
		printf(" (table inet mamori not loaded: run 'mamori firewall reload')");
	if (known && !st->rs.enabled && loaded)
		printf(" (table inet mamori still loaded: run 'mamori firewall disable')");
	printf("\n");
	if (verbose) {
		if (st->rs.level == MM_FW_LEVEL_OFF)
			printf("Logging: off\n");
		else
			printf("Logging: on (%s)\n", mm_fw_level_name(st->rs.level));
		printf("Default: %s (incoming), %s (outgoing), %s (routed)\n",
		       mm_fw_action_name(st->rs.policy[0]), mm_fw_action_name(st->rs.policy[1]),
		       mm_fw_action_name(st->rs.policy[2]));
		printf("New profiles: %s\n", st->rs.app_default == MM_FW_APP_SKIP
						 ? "skip"
						 : mm_fw_action_name(st->rs.app_default));
		if (st->allow.n) {
			char ab[MM_PREFIX_STRLEN];
			size_t k;
			printf("Allowlist (never blocked):");
			for (k = 0; k < st->allow.n && k < 8; k++)
				printf("%s %s", k ? "," : "",
				       mm_fw_prefix_short(&st->allow.v[k], ab));
			if (st->allow.n > 8)
				printf(", ... (%zu in all)", st->allow.n);
			printf("\n");
		}
		printf("Routing: forwarding %s%s\n", forwarding(),
		       strcmp(forwarding(), "off") == 0
			   ? " (route rules and the routed policy load but see no packets)"
			   : "");
		printf("Limit: %u new connections per %us per source\n", st->rs.limit_hits,
		       st->rs.limit_secs);
		printf("Rules file: %s\n", st->o->rules);
	}
	if (st->rs.nrules) {
		printf("\n");
		print_rules(&st->rs, numbered, verbose);
	}
	{
		struct mm_fw_ruleset view = {0};

		memset(&err, 0, sizeof(err));
		if (full_view(st, &view, &err) < 0)
			mm_warn("%s", err.msg);
		else if (view.nblocks)
			printf("\nBlocked: %zu address%s ('mamori firewall blocked')\n",
			       view.nblocks, view.nblocks == 1 ? "" : "es");
		mm_fw_blocks_view_release(&view);
	}
	if (st->rs.nfeeds) {
		printf("\nFeeds:");
		for (i = 0; i < st->rs.nfeeds; i++)
			printf("%s %s (%zu prefixes)", i ? "," : "", st->rs.feeds[i].name,
			       st->rs.feeds[i].n);
		printf(" ('mamori firewall blocklist list')\n");
	}
	if (nothers > 0)
		printf("\nWarning: other tables can refuse traffic mamori's rules allow (nftables "
		       "runs every table's chains; a drop anywhere is final):\n%s",
		       others.data);
	if (nlegacy > 0)
		printf("\nWarning: iptables-legacy rules can refuse traffic mamori's rules allow "
		       "(the kernel runs x_tables beside nftables, a drop in either is final; "
		       "'iptables-legacy-save' lists them):\n%s",
		       legacy.data);
	mm_buf_release(&others);
	mm_buf_release(&legacy);
	return MM_EXIT_OK;
}

static int do_show(struct fw_state *st)
{
	struct mm_err err = {0};
	struct mm_buf b;
	int rc;

	mm_buf_init(&b, 512u << 20);
	rc = mm_fw_render(&st->rs, st->now, &b, &err);
	if (rc == 0)
		fputs(b.data, stdout);
	else
		mm_die_msg("%s", err.msg);
	mm_buf_release(&b);
	return rc == 0 ? MM_EXIT_OK : MM_EXIT_INTERNAL;
}

/* One element of a set listing: its text ("192.0.2.7", "10.0.0.0/8") and counter. */
struct hit {
	const char *elem;
	size_t n;
	long long packets;
};

static int hit_cmp(const void *pa, const void *pb)
{
	const struct hit *a = pa, *b = pb;
	int c = memcmp(a->elem, b->elem, a->n < b->n ? a->n : b->n);

	return c ? c : (a->n > b->n) - (a->n < b->n);
}

/*
 * Every "ELEM counter packets N" of the listing, sorted by element text,
 * so each block's counter is one binary search (a listing of 100,000
 * elements is megabytes). Returns the count; *out is malloc'ed.
 */
static size_t collect_hits(const char *listing, struct hit **out)
{
	static const char key[] = " counter packets ";
	const char *p = listing;
	struct hit *v = NULL;
	size_t n = 0, cap = 0;

	while ((p = strstr(p, key)) != NULL) {
		const char *e = p;

		while (e > listing && e[-1] != ' ' && e[-1] != '\t' && e[-1] != '{' &&
		       e[-1] != '\n')
			e--;
		if (MM_GROW(v, cap, n, 1024) < 0)
			break;
		v[n].elem = e;
		v[n].n = (size_t)(p - e);
		v[n].packets = strtoll(p + sizeof(key) - 1, NULL, 10);
		n++;
		p += sizeof(key) - 1;
	}
	if (n)
		qsort(v, n, sizeof(*v), hit_cmp);
	*out = v;
	return n;
}

static long long hits_of(const struct hit *v, size_t n, const char *elem)
{
	struct hit k = {elem, strlen(elem), 0};
	const struct hit *h = n ? bsearch(&k, v, n, sizeof(*v), hit_cmp) : NULL;

	return h ? h->packets : -1;
}

static int do_blocked(struct fw_state *st)
{
	struct mm_fw_backend *be = NULL;
	struct mm_err err = {0};
	char a[MM_PREFIX_STRLEN], rem[32];
	struct mm_fw_ruleset view = {0};
	struct mm_buf list;
	struct hit *hv = NULL;
	size_t i, nh = 0;

	if (full_view(st, &view, &err) < 0) {
		mm_die_msg("%s", err.msg);
		return MM_EXIT_INPUT;
	}
	mm_buf_init(&list, 256u << 20);
	if (st->rs.enabled && open_backend(&be) == 0) {
		if (mm_fw_list_blocks(be, &list, &err) < 0)
			mm_buf_reset(&list);
		mm_fw_backend_free(be);
	}
	if (list.data)
		nh = collect_hits(list.data, &hv);
	printf("%-43s %-12s %8s  %s\n", "ADDRESS", "REMAINING", "HITS", "COMMENT");
	for (i = 0; i < view.nblocks; i++) {
		const struct mm_fw_block *b = &view.blocks[i];
		unsigned full = b->pfx.addr.family == MM_AF_INET ? 32 : 128;
		long long hits;

		if (b->pfx.len == full)
			mm_addr_format(&b->pfx.addr, a);
		else
			mm_prefix_format(&b->pfx, a);
		if (b->until) {
			long long s = (long long)(b->until - st->now);

			if (s >= 3600)
				snprintf(rem, sizeof(rem), "%lldh%02lldm", s / 3600, s % 3600 / 60);
			else
				snprintf(rem, sizeof(rem), "%lldm%02llds", s / 60, s % 60);
		} else {
			snprintf(rem, sizeof(rem), "permanent");
		}
		hits = hits_of(hv, nh, a);
		if (hits >= 0)
			printf("%-43s %-12s %8lld  %s\n", a, rem, hits, b->comment);
		else
			printf("%-43s %-12s %8s  %s\n", a, rem, "-", b->comment);
	}
	free(hv);
	mm_buf_release(&list);
	mm_fw_blocks_view_release(&view);
	return MM_EXIT_OK;
}

/* "default ...", "logging ...": one rules-file statement from the command line. */
static int do_statement(struct fw_state *st)
{
	struct mm_fw_fileparser fp;
	struct mm_err err = {0};
	struct mm_buf b;
	int rc;

	mm_buf_init(&b, MM_FW_MAX_LINE);
	rc = join(st->o, 0, &b);
	if (rc == 0 && (strncmp(b.data, "block", 5) == 0 || strncmp(b.data, "enabled", 7) == 0))
		rc = MM_ERR_INVAL;
	mm_fw_fileparser_init(&fp, &st->rs, "command line", st->now);
	if (rc == 0)
		rc = mm_fw_fileparser_line(&fp, b.data, b.len, &err);
	mm_buf_release(&b);
	if (rc < 0) {
		mm_die_msg("%s",
			   err.msg[0] ? err.msg + strlen("command line:1: ") : "bad arguments");
		return MM_EXIT_USAGE;
	}
	return commit(st, st->rs.enabled);
}

static int parse_rule_args(struct fw_state *st, int from, struct mm_fw_rule *r)
{
	struct mm_err err = {0};
	struct mm_buf b;
	int rc;

	mm_buf_init(&b, MM_FW_MAX_LINE);
	rc = join(st->o, from, &b);
	if (rc == 0)
		rc = mm_fw_rule_parse_apps(b.data, b.len, &st->apps, r, &err);
	mm_buf_release(&b);
	if (rc < 0) {
		mm_die_msg("bad rule: %s", err.msg[0] ? err.msg : mm_strerror(rc));
		if (rc == MM_ERR_NOTFOUND && st->apps.err.code)
			mm_warn("a profile file is broken: %s", st->apps.err.msg);
		return MM_EXIT_USAGE;
	}
	return 0;
}

static bool parse_pos(const char *s, size_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v < 1 || s[0] == '-' || s[0] == '+')
		return false;
	*out = v;
	return true;
}

static int do_rule(struct fw_state *st, int from, size_t pos)
{
	struct mm_fw_rule r;
	int rc = parse_rule_args(st, from, &r);

	if (rc)
		return rc;
	rc = mm_fw_rule_add(&st->rs, &r, pos);
	if (rc == MM_ERR_RANGE) {
		mm_die_msg("no rule %zu to insert before (there are %zu)", pos, st->rs.nrules);
		return MM_EXIT_USAGE;
	}
	if (rc == 1) {
		printf("Skipping: the rule exists\n");
		return MM_EXIT_OK;
	}
	if (rc < 0) {
		mm_die_msg("too many rules");
		return MM_EXIT_USAGE;
	}
	if (pos == 0 || pos == st->rs.nrules) {
		struct mm_err err = {0};
		size_t i;
		bool last = true;

		/* appending is only the same as a reload when no later rule of
		 * the same direction exists (insert N can put one there) */
		for (i = pos ? pos : st->rs.nrules; i < st->rs.nrules; i++)
			if (st->rs.rules[i].dir == r.dir)
				last = false;
		if (last && mm_fw_render_append(&st->rs, st->rs.nrules - 1, &st->inc, &err) < 0)
			mm_buf_reset(&st->inc);
	}
	rc = commit(st, st->rs.enabled);
	if (rc == 0 && !st->o->dry_run)
		printf(pos ? "Rule inserted\n" : "Rule added\n");
	return rc;
}

static int do_delete(struct fw_state *st)
{
	struct mm_fw_rule r;
	size_t pos;
	int rc;

	if (st->o->npos < 2) {
		mm_die_msg("delete needs a rule number or a rule");
		return MM_EXIT_USAGE;
	}
	if (!parse_pos(st->o->pos[1], &pos)) {
		rc = parse_rule_args(st, 1, &r);
		if (rc)
			return rc;
		pos = mm_fw_rule_find(&st->rs, &r);
		if (!pos) {
			mm_die_msg("no such rule");
			return MM_EXIT_USAGE;
		}
	} else if (st->o->npos != 2) {
		mm_die_msg("delete N takes nothing after the number");
		return MM_EXIT_USAGE;
	}
	if (mm_fw_rule_del(&st->rs, pos) < 0) {
		mm_die_msg("no rule %zu (there are %zu)", pos, st->rs.nrules);
		return MM_EXIT_USAGE;
	}
	rc = commit(st, st->rs.enabled);
	if (rc == 0 && !st->o->dry_run)
		printf("Rule deleted\n");
	return rc;
}

static bool is_host(const struct mm_prefix *p)
{
	return p->len == (p->addr.family == MM_AF_INET ? 32 : 128);
}

/*
 * The kernel side of new host blocks, without a look at the others.
 * First try: "create element" for each, which fails when one is there
 * already. Then (renew): add (a no-op when present), delete and add again
 * with the timeout, so a renewed block gets its new expiry on every kernel.
 */
static int render_host_blocks(const struct mm_fw_block *b, size_t n, int64_t now, bool renew,
			      struct mm_buf *out, struct mm_err *err)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < n && rc == 0 && !renew; i++)
		rc = mm_fw_render_block_create(&b[i], now, out, err);
	for (i = 0; i < n && rc == 0 && renew; i++) {
		struct mm_fw_block plain = b[i];

		plain.until = 0;
		rc = mm_fw_render_block(&plain, true, now, out, err);
		if (rc == 0)
			rc = mm_fw_render_block(&plain, false, now, out, err);
		if (rc == 0)
			rc = mm_fw_render_block(&b[i], true, now, out, err);
	}
	return rc;
}

/*
 * Load the change into the kernel: inc when it applies, else inc2 (may be
 * NULL), else the whole table.
 */
static int kernel_change(struct fw_state *st, const struct mm_buf *inc, const struct mm_buf *inc2,
			 struct mm_err *err)
{
	struct mm_fw_backend *be = NULL;
	int rc = -1;

	if (!st->rs.enabled)
		return 0;
	if (open_backend(&be) < 0)
		return mm_err_set(err, MM_ERR_UNSUPPORTED, "no nftables backend");
	if (inc && inc->len)
		rc = be->ops->run(be, inc->data, NULL, err);
	if (rc < 0 && inc2 && inc2->len)
		rc = be->ops->run(be, inc2->data, NULL, err);
	if (rc < 0) {
		memset(err, 0, sizeof(*err));
		rc = apply_full(st, be, err);
	}
	mm_fw_backend_free(be);
	return rc;
}

/* block --kill: the block is in place; now drop what is already open. */
static int kill_connections(struct fw_state *st, const struct mm_fw_block *b, size_t n)
{
	struct mm_err err = {0};
	struct mm_prefix *p;
	size_t i, killed = 0;
	int rc;

	if (!st->rs.enabled) {
		mm_warn("the firewall is not enabled: --kill leaves open connections alone");
		return MM_EXIT_OK;
	}
	p = calloc(n, sizeof(*p));
	if (!p)
		return MM_EXIT_INTERNAL;
	for (i = 0; i < n; i++)
		p[i] = b[i].pfx;
	rc = mm_fw_conntrack_kill(p, n, &killed, &err);
	free(p);
	if (rc < 0) {
		mm_die_msg("blocked, but the open connections were not dropped: %s", err.msg);
		return MM_EXIT_INTERNAL;
	}
	printf("Dropped %zu open connection%s\n", killed, killed == 1 ? "" : "s");
	return MM_EXIT_OK;
}

/*
 * block: one line per prefix appended to the blocks file, then the
 * elements added to the loaded sets (host addresses) or the table
 * replaced (networks, or when the table is not loaded). The rules file is
 * not rewritten and the other blocks are not read. If the kernel refuses,
 * the appended lines are cut off again.
 */
static int add_blocks(struct fw_state *st, struct mm_fw_block *b, size_t n)
{
	struct mm_err err = {0};
	struct mm_buf text, inc, renew;
	int64_t undo = 0;
	bool hosts = true;
	size_t i;
	int rc, ret = MM_EXIT_OK;

	mm_buf_init(&text, 1u << 24);
	mm_buf_init(&inc, 1u << 24);
	mm_buf_init(&renew, 1u << 24);
	rc = allowlist_check_blocks(st, b, n);
	if (rc == 0)
		rc = lockout_check_blocks(st, b, n);
	if (rc) {
		ret = rc;
		goto out;
	}
	for (i = 0; i < n && rc == 0; i++) {
		rc = mm_fw_block_format(&b[i], &text);
		hosts = hosts && is_host(&b[i].pfx);
	}
	if (rc == 0 && hosts)
		rc = render_host_blocks(b, n, st->now, false, &inc, &err);
	if (rc == 0 && hosts)
		rc = render_host_blocks(b, n, st->now, true, &renew, &err);
	if (rc < 0) {
		mm_die_msg("%s", err.msg[0] ? err.msg : mm_strerror(rc));
		ret = MM_EXIT_USAGE;
		goto out;
	}
	if (st->o->dry_run) {
		printf("# would append to %s:\n%s", st->blocks, text.data);
		if (st->rs.enabled && hosts)
			printf("# would run:\n%s", inc.data);
		else if (st->rs.enabled)
			printf("# would reload table inet mamori with the new blocks\n");
		if (st->rs.enabled && st->o->kill)
			printf("# would drop the open connections of the blocked addresses\n");
		goto out;
	}
	ensure_dir(st->blocks);
	if (mm_fw_blocks_append(st->blocks, text.data, text.len, &undo, &err) < 0) {
		mm_die_msg("%s; nothing changed", err.msg);
		ret = MM_EXIT_INPUT;
		goto out;
	}
	if (kernel_change(st, hosts ? &inc : NULL, hosts ? &renew : NULL, &err) < 0) {
		struct mm_err e2 = {0};

		if (mm_fw_blocks_undo(st->blocks, undo, &e2) < 0)
			mm_die_msg("%s; and %s: run 'mamori firewall reload'", err.msg, e2.msg);
		else
			mm_die_msg("%s; nothing changed", err.msg);
		ret = MM_EXIT_INTERNAL;
		goto out;
	}
	maybe_compact(st);
	if (st->o->kill)
		ret = kill_connections(st, b, n);
out:
	mm_buf_release(&text);
	mm_buf_release(&inc);
	mm_buf_release(&renew);
	return ret;
}

static ssize_t find_block(const struct mm_fw_ruleset *rs, const struct mm_prefix *p)
{
	size_t i;

	for (i = 0; i < rs->nblocks; i++)
		if (rs->blocks[i].pfx.len == p->len &&
		    mm_addr_eq(&rs->blocks[i].pfx.addr, &p->addr))
			return (ssize_t)i;
	return -1;
}

/*
 * unblock: an "unblock" line for blocks from the blocks file, a rewrite of
 * the rules file for blocks written there by hand; host elements are
 * deleted from the loaded sets, anything else replaces the table.
 */
static int del_blocks(struct fw_state *st, const struct mm_prefix *p, size_t n)
{
	struct mm_err err = {0};
	struct mm_buf text, inc;
	char tmp[PATH_MAX] = "", a[MM_PREFIX_STRLEN];
	int64_t undo = 0;
	bool incremental = true, rules_changed = false;
	size_t i;
	int rc = 0, ret = MM_EXIT_OK;

	mm_buf_init(&text, 1u << 24);
	mm_buf_init(&inc, 1u << 24);
	if (load_journal(st, &err) < 0) {
		mm_die_msg("%s; nothing changed", err.msg);
		ret = MM_EXIT_INPUT;
		goto out;
	}
	for (i = 0; i < n && rc == 0; i++) {
		ssize_t in_rules = find_block(&st->rs, &p[i]), in_jr = find_block(&st->jr, &p[i]);
		struct mm_fw_block b = {.pfx = p[i]};

		if (in_rules < 0 && in_jr < 0) {
			mm_die_msg("%s is not blocked; nothing changed",
				   mm_fw_prefix_short(&p[i], a));
			ret = MM_EXIT_USAGE;
			goto out;
		}
		if (in_rules >= 0) {
			(void)mm_fw_block_del(&st->rs, &p[i]);
			rules_changed = true;
			incremental = false;
		}
		if (in_jr >= 0) {
			(void)mm_fw_block_del(&st->jr, &p[i]);
			rc = mm_buf_adds(&text, "unblock ");
			if (rc == 0)
				rc = mm_fw_prefix_text(true, &p[i], &text);
			if (rc == 0)
				rc = mm_buf_addc(&text, '\n');
		}
		if (!is_host(&p[i]))
			incremental = false;
		if (rc == 0 && incremental)
			rc = mm_fw_render_block(&b, false, st->now, &inc, &err);
	}
	if (rc < 0) {
		mm_die_msg("%s", err.msg[0] ? err.msg : mm_strerror(rc));
		ret = MM_EXIT_INTERNAL;
		goto out;
	}
	if (st->o->dry_run) {
		if (text.len)
			printf("# would append to %s:\n%s", st->blocks, text.data);
		if (rules_changed)
			printf("# would rewrite %s without the block\n", st->o->rules);
		if (st->rs.enabled)
			printf("# would run:\n%s",
			       incremental ? inc.data : "(reload of table inet mamori)\n");
		goto out;
	}
	if (rules_changed && mm_fw_write_tmp(&st->rs, st->o->rules, tmp, sizeof(tmp), &err) < 0) {
		mm_die_msg("%s; nothing changed", err.msg);
		ret = MM_EXIT_INPUT;
		goto out;
	}
	if (text.len && mm_fw_blocks_append(st->blocks, text.data, text.len, &undo, &err) < 0) {
		mm_die_msg("%s; nothing changed", err.msg);
		ret = MM_EXIT_INPUT;
		goto fail;
	}
	/* replay the file as it now is: an unblocked network may uncover
	 * host blocks that loading dropped as inside it */
	mm_fw_ruleset_release(&st->jr);
	mm_fw_ruleset_init(&st->jr);
	st->jr_loaded = false;
	if (kernel_change(st, incremental ? &inc : NULL, NULL, &err) < 0) {
		struct mm_err e2 = {0};

		if (text.len && mm_fw_blocks_undo(st->blocks, undo, &e2) < 0)
			mm_die_msg("%s; and %s: run 'mamori firewall reload'", err.msg, e2.msg);
		else
			mm_die_msg("%s; nothing changed", err.msg);
		ret = MM_EXIT_INTERNAL;
		goto fail;
	}
	if (rules_changed && mm_fw_commit_file(tmp, st->o->rules, &err) < 0) {
		mm_die_msg("%s", err.msg);
		ret = MM_EXIT_INPUT;
		goto out;
	}
	maybe_compact(st);
	goto out;
fail:
	if (tmp[0])
		unlink(tmp);
out:
	mm_buf_release(&text);
	mm_buf_release(&inc);
	return ret;
}

static int do_block(struct fw_state *st, bool unblock)
{
	struct mm_err err = {0};
	char comment[MM_FW_COMMENT_MAX] = "";
	struct mm_fw_block *b = NULL;
	struct mm_prefix *p = NULL;
	int64_t dur = 0;
	int i, n = 0, rc;

	if ((st->o->dur || st->o->kill) && unblock) {
		mm_die_msg("%s only applies to block", st->o->dur ? "--for" : "--kill");
		return MM_EXIT_USAGE;
	}
	if (st->o->dur && mm_fw_duration_parse(st->o->dur, strlen(st->o->dur), &dur, &err) < 0) {
		mm_die_msg("--for: %s", err.msg);
		return MM_EXIT_USAGE;
	}
	for (i = 1; i < st->o->npos; i++) {
		if (strcmp(st->o->pos[i], "comment") == 0 && !unblock) {
			struct mm_fw_rule t;
			struct mm_buf cb;

			mm_buf_init(&cb, MM_FW_MAX_LINE);
			rc = mm_buf_adds(&cb, "allow 1 ");
			if (rc == 0)
				rc = join(st->o, i, &cb);
			if (rc == 0)
				rc = mm_fw_rule_parse(cb.data, cb.len, &t, &err);
			mm_buf_release(&cb);
			if (rc < 0) {
				mm_die_msg("%s", err.msg);
				return MM_EXIT_USAGE;
			}
			memcpy(comment, t.comment, sizeof(comment));
			break;
		}
		n++;
	}
	if (n == 0) {
		mm_die_msg("%s needs at least one address", unblock ? "unblock" : "block");
		return MM_EXIT_USAGE;
	}
	b = calloc((size_t)n, sizeof(*b));
	p = calloc((size_t)n, sizeof(*p));
	if (!b || !p) {
		rc = MM_EXIT_INTERNAL;
		goto out;
	}
	for (i = 0; i < n; i++) {
		const char *s = st->o->pos[i + 1];

		if (mm_prefix_parse(s, strlen(s), &p[i]) < 0) {
			mm_die_msg("bad address or prefix '%s'; nothing changed", s);
			rc = MM_EXIT_USAGE;
			goto out;
		}
		b[i].pfx = p[i];
		b[i].until = dur ? st->now + dur : 0;
		memcpy(b[i].comment, comment, sizeof(comment));
	}
	rc = unblock ? del_blocks(st, p, (size_t)n) : add_blocks(st, b, (size_t)n);
out:
	free(b);
	free(p);
	return rc;
}

/* --- --confirm: apply, then roll back unless confirmed in time --- */

/* Longest suffix pend_path() adds to the pending path (".feeds/NAME"). */
#define PEND_SUFFIX_MAX (8 + MM_FW_FEED_NAME_MAX)

/* Callers checked at start-up (pending_paths) that every suffix fits. */
static void pend_path(const struct fw_state *st, const char *suffix, char *out)
{
	if (snprintf(out, PATH_MAX, "%s%s", st->pending, suffix) >= PATH_MAX)
		out[0] = '\0';
}

static bool pending_paths(struct fw_state *st)
{
	const char *base = st->o->rules, *sfx = ".pending";

	if (strcmp(st->o->rules, FW_DEFAULT_RULES) == 0)
		base = FW_DEFAULT_PENDING, sfx = "";
	if (strlen(base) + strlen(sfx) + PEND_SUFFIX_MAX >= sizeof(st->pending)) {
		mm_die_msg("%s: path too long", base);
		return false;
	}
	snprintf(st->pending, sizeof(st->pending), "%s%s", base, sfx);
	return true;
}

/* An exclusive lock on PENDING.lock for reading or changing the pending state. */
static int lock_pending(struct fw_state *st, struct mm_err *err)
{
	char path[PATH_MAX];
	int fd;

	pend_path(st, ".lock", path);
	ensure_dir(st->pending);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return mm_err_set(err, errno == EACCES ? MM_ERR_PERM : MM_ERR_IO, "%s: %s", path,
				  strerror(errno));
	if (flock(fd, LOCK_EX) < 0) {
		int e = errno;

		close(fd);
		return mm_err_set(err, MM_ERR_IO, "%s: lock: %s", path, strerror(e));
	}
	return fd;
}

/* The pending state: 1 when there is one, 0 when not, or MM_ERR_*. */
static int read_pending(struct fw_state *st, struct mm_fw_pending *p, struct mm_err *err)
{
	struct mm_buf b;
	int rc;

	mm_buf_init(&b, 8192);
	rc = mm_fw_read_file(st->pending, 8192, &b, err);
	if (rc == 0)
		rc = mm_fw_pending_parse(st->pending, b.data, b.len, p, err);
	mm_buf_release(&b);
	if (rc == MM_ERR_NOTFOUND)
		return 0;
	return rc < 0 ? rc : 1;
}

/* Empty and remove PENDING.feeds, the saved feed files (only feed names live there). */
static void remove_saved_feeds(struct fw_state *st)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct dirent *de;
	DIR *dp;

	pend_path(st, ".feeds", dir);
	dp = opendir(dir);
	if (!dp)
		return;
	while ((de = readdir(dp)) != NULL)
		if (mm_fw_feed_name_ok(de->d_name, strlen(de->d_name)) &&
		    snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) < (int)sizeof(path))
			(void)unlink(path);
	closedir(dp);
	(void)rmdir(dir);
}

static void remove_pending(struct fw_state *st)
{
	static const char *const sfx[] = {".rules", ".blocks", ".nft", ""};
	char path[PATH_MAX];
	size_t i;

	remove_saved_feeds(st);
	for (i = 0; i < 4; i++) {
		pend_path(st, sfx[i], path);
		(void)unlink(path);
	}
}

/* Field 22 of /proc/PID/stat (start time in clock ticks), 0 when unknown. */
static uint64_t proc_start(int pid)
{
	char path[64], buf[1024], *p;
	unsigned long long v = 0;
	int fd, i;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')'); /* the command name may hold spaces */
	for (i = 2; p && i < 22; i++)
		p = strchr(p + 1, ' ');
	if (p)
		v = strtoull(p + 1, NULL, 10);
	return v;
}

/*
 * A saved copy back into place (or the file removed when there was none).
 * A saved copy already gone while the file is there was put back by an
 * earlier rollback that failed later on: a retry goes on from there.
 */
static int restore_file(const char *saved, const char *path, bool had, struct mm_err *err)
{
	if (had && rename(saved, path) < 0 && !(errno == ENOENT && access(path, F_OK) == 0))
		return mm_err_set(err, MM_ERR_IO, "%s: %s", path, strerror(errno));
	if (!had && unlink(path) < 0 && errno != ENOENT)
		return mm_err_set(err, MM_ERR_IO, "%s: %s", path, strerror(errno));
	return 0;
}

static bool saved_feed(const struct mm_fw_pending *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->nfeeds; i++)
		if (strcmp(p->feeds[i], name) == 0)
			return true;
	return false;
}

/*
 * The feed files as they were: feeds added since are removed, the saved
 * ones renamed back into place (each rename atomic, and a retry after a
 * failure finds the ones already back).
 */
static int restore_feeds(struct fw_state *st, const struct mm_fw_pending *p, struct mm_err *err)
{
	char dir[PATH_MAX], saved[PATH_MAX], path[PATH_MAX];
	struct dirent *de;
	size_t i;
	DIR *dp;
	int rc = 0;

	dp = opendir(st->feeds);
	if (!dp && errno != ENOENT)
		return mm_err_set(err, MM_ERR_IO, "%s: %s", st->feeds, strerror(errno));
	while (dp && rc == 0 && (de = readdir(dp)) != NULL) {
		if (!mm_fw_feed_name_ok(de->d_name, strlen(de->d_name)) ||
		    saved_feed(p, de->d_name) || !path_cat(path, st->feeds, "/", de->d_name))
			continue;
		if (unlink(path) < 0 && errno != ENOENT)
			rc = mm_err_set(err, MM_ERR_IO, "%s: %s", path, strerror(errno));
	}
	if (dp)
		closedir(dp);
	if (rc == 0 && p->nfeeds && make_dirs(st->feeds) < 0)
		rc = mm_err_set(err, MM_ERR_IO, "%s: %s", st->feeds, strerror(errno));
	pend_path(st, ".feeds", dir);
	for (i = 0; i < p->nfeeds && rc == 0; i++) {
		if (!path_cat(path, st->feeds, "/", p->feeds[i]) ||
		    !path_cat(saved, dir, "/", p->feeds[i]))
			return mm_err_set(err, MM_ERR_RANGE, "%s: path too long", st->feeds);
		rc = restore_file(saved, path, true, err);
	}
	return rc;
}

/*
 * Save the feed files in PENDING.feeds: hard links, since mamori only
 * ever replaces a feed file by renaming a new one over it (a feed of
 * millions of lines costs nothing to keep), a copy where linking fails
 * (another file system).
 */
static int save_feeds(struct fw_state *st, struct mm_fw_pending *p, struct mm_err *err)
{
	char dir[PATH_MAX], saved[PATH_MAX], path[PATH_MAX];
	bool existed;
	size_t i;
	int rc = 0;

	remove_saved_feeds(st);
	p->had_feeds = true;
	p->nfeeds = 0;
	if (st->rs.nfeeds == 0)
		return 0;
	pend_path(st, ".feeds", dir);
	if (mkdir(dir, 0700) < 0)
		return mm_err_set(err, MM_ERR_IO, "%s: %s", dir, strerror(errno));
	for (i = 0; i < st->rs.nfeeds && rc == 0; i++) {
		const char *name = st->rs.feeds[i].name;

		if (!path_cat(path, st->feeds, "/", name) || !path_cat(saved, dir, "/", name))
			return mm_err_set(err, MM_ERR_RANGE, "%s: path too long", st->feeds);
		if (link(path, saved) < 0) {
			rc = mm_fw_copy_file(path, saved, &existed, err);
			if (rc == 0 && !existed)
				rc = mm_err_set(err, MM_ERR_IO, "%s: gone while saving it", path);
		}
		if (rc == 0)
			snprintf(p->feeds[p->nfeeds++], sizeof(p->feeds[0]), "%s", name);
	}
	return rc;
}

/*
 * Back to the state saved before the change: the rules, blocks and feed
 * files, then the table exactly as it was loaded (its nft listing), or no table.
 * If the listing does not load, the restored files are applied instead.
 * Called with the pending lock held.
 */
static int rollback(struct fw_state *st, const struct mm_fw_pending *p, struct mm_err *err)
{
	struct mm_fw_backend *be = NULL;
	char path[PATH_MAX];
	struct mm_buf nft;
	int rc;

	pend_path(st, ".rules", path);
	rc = restore_file(path, st->o->rules, p->had_rules, err);
	pend_path(st, ".blocks", path);
	if (rc == 0)
		rc = restore_file(path, st->blocks, p->had_blocks, err);
	if (rc == 0 && p->had_feeds)
		rc = restore_feeds(st, p, err);
	if (rc < 0)
		return rc;
	if (open_backend(&be) < 0)
		return mm_err_set(err, MM_ERR_UNSUPPORTED, "no nftables backend");
	mm_buf_init(&nft, 1024u << 20);
	if (p->had_table) {
		pend_path(st, ".nft", path);
		rc = mm_fw_render_remove(&nft) < 0 ? MM_ERR_NOMEM : 0;
		if (rc == 0)
			rc = mm_fw_read_file(path, 1000u << 20, &nft, err);
		if (rc == 0)
			rc = be->ops->run(be, nft.data, NULL, err);
		if (rc < 0) {
			/* the listing did not load back: apply the restored files */
			mm_fw_ruleset_release(&st->rs);
			rs_fresh(st);
			mm_fw_ruleset_release(&st->jr);
			mm_fw_ruleset_init(&st->jr);
			st->jr_loaded = false;
			memset(err, 0, sizeof(*err));
			rc = mm_fw_load(&st->rs, st->o->rules, time(NULL), err);
			if (rc == 0)
				rc = mm_fw_feeds_load_dir(&st->rs, st->feeds, err);
			if (rc == 0)
				rc = apply_full(st, be, err);
		}
	} else {
		rc = mm_fw_remove(be, err);
	}
	mm_buf_release(&nft);
	mm_fw_backend_free(be);
	if (rc == 0) {
		remove_pending(st);
		/* a rollback asked for early: the watcher has nothing left to do */
		if (p->pid > 0 && p->pid != (int)getpid() && p->start &&
		    proc_start(p->pid) == p->start)
			(void)kill(p->pid, SIGTERM);
	}
	return rc;
}

/* Roll back a pending change whose deadline has passed. Returns 0, or an exit code. */
static int rollback_if_due(struct fw_state *st, bool now)
{
	struct mm_fw_pending p;
	struct mm_err err = {0};
	int lock, rc, ret = 0;

	if (access(st->pending, F_OK) != 0)
		return 0;
	lock = lock_pending(st, &err);
	if (lock < 0) {
		mm_die_msg("%s", err.msg);
		return MM_EXIT_INPUT;
	}
	rc = read_pending(st, &p, &err);
	if (rc < 0) {
		mm_die_msg("%s", err.msg);
		ret = MM_EXIT_INPUT;
	} else if (rc == 1 && (now || time(NULL) >= p.deadline)) {
		if (rollback(st, &p, &err) < 0) {
			mm_die_msg("rolling back the unconfirmed change failed: %s", err.msg);
			ret = MM_EXIT_INTERNAL;
		} else {
			mm_warn("%s: rolled back to the ruleset before it",
				now ? "the change waiting for confirmation"
				    : "the change made with --confirm was not confirmed in time");
			ret = -1; /* rolled back */
		}
	}
	close(lock);
	return ret;
}

/*
 * The watcher: a grandchild in a session of its own (setsid, SIGHUP
 * ignored, stdio on /dev/null), so closing the terminal or killing the
 * shell that asked does not stop it. It sleeps until the deadline and
 * rolls back if the change is still pending then.
 */
static int spawn_watcher(struct fw_state *st, int64_t deadline, int *pid_out)
{
	int pfd[2], status;
	pid_t pid;
	int gpid = 0;

	if (pipe(pfd) < 0)
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		int fd, me;
		int64_t left;

		close(pfd[0]);
		if (setsid() < 0 || (pid = fork()) < 0)
			_exit(1);
		if (pid > 0)
			_exit(0);
		signal(SIGHUP, SIG_IGN);
		me = (int)getpid();
		if (write(pfd[1], &me, sizeof(me)) != (ssize_t)sizeof(me))
			_exit(1);
		/* nothing inherited: above all not the pending lock, which the
		 * rollback takes again, nor the caller's pipes */
		for (fd = 3; fd < 1024; fd++)
			(void)close(fd);
		fd = open("/dev/null", O_RDWR);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
			if (fd > 2)
				close(fd);
		}
		while ((left = deadline - (int64_t)time(NULL)) > 0)
			sleep((unsigned)(left > 3600 ? 3600 : left));
		(void)rollback_if_due(st, false);
		_exit(0);
	}
	close(pfd[1]);
	if (read(pfd[0], &gpid, sizeof(gpid)) != (ssize_t)sizeof(gpid))
		gpid = 0;
	close(pfd[0]);
	(void)waitpid(pid, &status, 0);
	*pid_out = gpid;
	return gpid > 0 ? 0 : -1;
}

static bool is_changing(const struct fw_opts *o)
{
	const char *cmd = o->pos[0], *sub = o->npos > 1 ? o->pos[1] : "";
	static const char *const verbs[] = {"enable",  "disable", "reload", "reset",   "default",
					    "logging", "allow",	  "deny",   "reject",  "limit",
					    "insert",  "delete",  "block",  "unblock", "route"};
	size_t i;

	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(cmd, verbs[i]) == 0)
			return true;
	if (strcmp(cmd, "app") == 0)
		return strcmp(sub, "update") == 0 || strcmp(sub, "default") == 0;
	return strcmp(cmd, "blocklist") == 0 &&
	       (strcmp(sub, "load") == 0 || strcmp(sub, "drop") == 0);
}

/*
 * Before a --confirm change: refuse when one is pending already, else
 * save the rules file, the blocks file, the feed files and the loaded
 * table beside PENDING and write PENDING. The lock stays held until confirm_end().
 */
static int confirm_begin(struct fw_state *st)
{
	struct mm_fw_backend *be = NULL;
	struct mm_fw_pending p = {0};
	struct mm_err err = {0};
	char path[PATH_MAX];
	struct mm_buf b;
	bool loaded = false;
	int rc, ret = 0;

	if (!is_changing(st->o)) {
		mm_die_msg("--confirm only applies to commands that change the firewall");
		return MM_EXIT_USAGE;
	}
	if (mm_fw_duration_parse(st->o->confirm, strlen(st->o->confirm), &st->confirm_secs, &err) <
		0 ||
	    st->confirm_secs > 86400) {
		mm_die_msg("--confirm: %s", err.msg[0] ? err.msg : "at most a day (86400 seconds)");
		return MM_EXIT_USAGE;
	}
	if (st->o->dry_run)
		return 0;
	st->plock = lock_pending(st, &err);
	if (st->plock < 0) {
		mm_die_msg("%s", err.msg);
		return MM_EXIT_INPUT;
	}
	rc = read_pending(st, &p, &err);
	if (rc != 0) {
		if (rc < 0)
			mm_die_msg("%s", err.msg);
		else
			mm_die_msg(
			    "refusing: an earlier change made with --confirm is still waiting "
			    "(it rolls back in %llds); run 'mamori firewall confirm' or "
			    "'mamori firewall rollback' first",
			    (long long)(p.deadline - (int64_t)time(NULL)));
		ret = rc < 0 ? MM_EXIT_INPUT : EXIT_REFUSED;
		goto fail;
	}
	pend_path(st, ".rules", path);
	rc = mm_fw_copy_file(st->o->rules, path, &p.had_rules, &err);
	pend_path(st, ".blocks", path);
	if (rc == 0)
		rc = mm_fw_copy_file(st->blocks, path, &p.had_blocks, &err);
	if (rc == 0)
		rc = save_feeds(st, &p, &err);
	if (rc == 0 && open_backend(&be) == 0) {
		rc = mm_fw_loaded(be, &loaded, &err);
		mm_buf_init(&b, 1000u << 20);
		if (rc == 0 && loaded)
			rc = be->ops->run(be, "list table inet mamori", &b, &err);
		pend_path(st, ".nft", path);
		if (rc == 0 && loaded)
			rc = mm_fw_write_file(path, b.data ? b.data : "", b.len, &err);
		mm_buf_release(&b);
		mm_fw_backend_free(be);
	} else if (rc == 0) {
		rc = MM_ERR_UNSUPPORTED;
	}
	p.had_table = loaded;
	p.deadline = (int64_t)time(NULL) + st->confirm_secs;
	if (rc == 0)
		rc = write_pending(st, &p, &err);
	if (rc < 0) {
		mm_die_msg("cannot save the current state for --confirm: %s; nothing changed",
			   err.msg[0] ? err.msg : mm_strerror(rc));
		remove_pending(st);
		ret = MM_EXIT_INPUT;
		goto fail;
	}
	return 0;
fail:
	close(st->plock);
	st->plock = -1;
	return ret;
}

/* After the change: start the watcher (or drop the saved state when it failed). */
static int confirm_end(struct fw_state *st, int rc)
{
	struct mm_fw_pending p;
	struct mm_err err = {0};

	if (st->o->dry_run) {
		if (rc == 0)
			printf("# with --confirm: rolled back after %llds unless 'mamori firewall "
			       "confirm' runs\n",
			       (long long)st->confirm_secs);
		return rc;
	}
	if (st->plock < 0)
		return rc;
	if (rc != 0 || read_pending(st, &p, &err) != 1) {
		remove_pending(st);
		goto out;
	}
	if (spawn_watcher(st, p.deadline, &p.pid) < 0) {
		mm_die_msg("cannot start the rollback watcher; rolling back now");
		if (rollback(st, &p, &err) < 0)
			mm_die_msg("rollback failed: %s", err.msg);
		rc = MM_EXIT_INTERNAL;
		goto out;
	}
	p.start = proc_start(p.pid);
	if (write_pending(st, &p, &err) < 0)
		mm_warn("cannot record the watcher: %s", err.msg);
	printf("Run 'mamori firewall confirm' within %lld seconds to keep this change; "
	       "otherwise it is rolled back\n",
	       (long long)st->confirm_secs);
out:
	close(st->plock);
	st->plock = -1;
	return rc;
}

/* confirm: keep the pending change; rollback: undo it now. */
static int do_confirm(struct fw_state *st, bool keep)
{
	struct mm_fw_pending p;
	struct mm_err err = {0};
	int lock, rc, ret = MM_EXIT_OK;

	if (!keep) {
		rc = rollback_if_due(st, true);
		if (rc > 0)
			return rc;
		if (rc == 0) {
			mm_die_msg("no change is waiting for confirmation");
			return MM_EXIT_USAGE;
		}
		return MM_EXIT_OK;
	}
	rc = rollback_if_due(st, false);
	if (rc > 0)
		return rc;
	if (rc < 0) {
		mm_die_msg("too late: the change was rolled back");
		return EXIT_REFUSED;
	}
	if (access(st->pending, F_OK) != 0) {
		mm_die_msg("no change is waiting for confirmation");
		return MM_EXIT_USAGE;
	}
	lock = lock_pending(st, &err);
	if (lock < 0) {
		mm_die_msg("%s", err.msg);
		return MM_EXIT_INPUT;
	}
	rc = read_pending(st, &p, &err);
	if (rc < 0) {
		mm_die_msg("%s", err.msg);
		ret = MM_EXIT_INPUT;
	} else if (rc == 0) {
		mm_die_msg("no change is waiting for confirmation");
		ret = MM_EXIT_USAGE;
	} else {
		remove_pending(st);
		/* the watcher would find nothing to do; end it now (if it is still ours) */
		if (p.pid > 0 && p.start && proc_start(p.pid) == p.start)
			(void)kill(p.pid, SIGTERM);
		printf("Change confirmed\n");
	}
	close(lock);
	return ret;
}

static int split_args(int argc, char **argv, struct fw_opts *o)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--dry-run") == 0 || strcmp(a, "-n") == 0) {
			o->dry_run = true;
		} else if (strcmp(a, "--force") == 0) {
			o->force = true;
		} else if (strcmp(a, "--kill") == 0) {
			o->kill = true;
		} else if (strcmp(a, "--rules") == 0 || strcmp(a, "--for") == 0 ||
			   strcmp(a, "--confirm") == 0 || strcmp(a, "--config") == 0) {
			if (i + 1 >= argc) {
				mm_die_msg("%s needs a value", a);
				return -1;
			}
			if (a[3] == 'u')
				o->rules = argv[++i];
			else if (strcmp(a, "--confirm") == 0)
				o->confirm = argv[++i];
			else if (a[2] == 'c')
				o->config = argv[++i];
			else
				o->dur = argv[++i];
		} else if (strncmp(a, "--confirm=", 10) == 0) {
			o->confirm = a + 10;
		} else if (strncmp(a, "--config=", 9) == 0) {
			o->config = a + 9;
		} else if (strncmp(a, "--rules=", 8) == 0) {
			o->rules = a + 8;
		} else if (strncmp(a, "--for=", 6) == 0) {
			o->dur = a + 6;
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage_firewall(stdout);
			return 1;
		} else if (a[0] == '-' && a[1] == '-' && o->npos == 0) {
			mm_die_msg("unknown option '%s'", a);
			return -1;
		} else {
			o->pos[o->npos++] = argv[i];
		}
	}
	return 0;
}

int cmd_firewall(int argc, char **argv)
{
	struct fw_opts o = {0};
	struct fw_state st;
	const char *cmd;
	size_t pos;
	int rc;

	o.pos = calloc((size_t)argc + 1, sizeof(char *));
	if (!o.pos)
		return MM_EXIT_INTERNAL;
	rs_fresh(&st);
	mm_fw_apps_init(&st.apps);
	memset(&st.allow, 0, sizeof(st.allow));
	mm_fw_ruleset_init(&st.jr);
	st.jr_loaded = false;
	st.jr_lines = 0;
	st.plock = -1;
	st.confirm_secs = 0;
	mm_buf_init(&st.inc, 1u << 20);
	st.o = &o;
	st.now = now_sec();
	rc = split_args(argc, argv, &o);
	if (rc) {
		rc = rc > 0 ? MM_EXIT_OK : MM_EXIT_USAGE;
		goto out;
	}
	if (!o.rules)
		o.rules = getenv("MAMORI_FW_RULES");
	if (!o.rules || !*o.rules)
		o.rules = FW_DEFAULT_RULES;
	if (o.npos == 0) {
		usage_firewall(stderr);
		rc = MM_EXIT_USAGE;
		goto out;
	}
	cmd = o.pos[0];
	if (!blocks_path(&st) || !feeds_dir(&st) || !pending_paths(&st)) {
		rc = MM_EXIT_USAGE;
		goto out;
	}
	load_apps(&st);
	rc = load_allowlist(&st, cmd);
	if (rc)
		goto out;
	/* app list and app info read profiles only; update and default change the firewall */
	if (strcmp(cmd, "app") == 0 && !(o.npos > 1 && (strcmp(o.pos[1], "update") == 0 ||
							strcmp(o.pos[1], "default") == 0))) {
		rc = do_app(&st);
		goto out;
	}
	if (strcmp(cmd, "confirm") == 0 || strcmp(cmd, "rollback") == 0) {
		rc = o.npos == 1 ? do_confirm(&st, cmd[0] == 'c') : MM_EXIT_USAGE;
		if (o.npos != 1)
			mm_die_msg("%s takes no arguments", cmd);
		goto out;
	}
	/* an unconfirmed change whose watcher is gone (a reboot): undo it first */
	rc = rollback_if_due(&st, false);
	if (rc > 0)
		goto out;
	rc = load(&st);
	if (rc)
		goto out;
	if (o.kill && strcmp(cmd, "block") != 0) {
		mm_die_msg("--kill only applies to block");
		rc = MM_EXIT_USAGE;
		goto out;
	}
	if (o.confirm) {
		rc = confirm_begin(&st);
		if (rc)
			goto out;
	}
	if (strcmp(cmd, "enable") == 0 || strcmp(cmd, "disable") == 0) {
		st.rs.enabled = cmd[0] == 'e';
		rc = commit(&st, true);
		if (rc == 0 && !o.dry_run)
			printf(st.rs.enabled ? "Firewall is active and enabled on system startup\n"
					     : "Firewall stopped and disabled on system startup\n");
	} else if (strcmp(cmd, "reload") == 0) {
		if (!st.rs.enabled) {
			printf("Firewall not enabled (skipping reload)\n");
		} else {
			rc = commit(&st, true);
			if (rc == 0 && !o.dry_run)
				printf("Firewall reloaded\n");
		}
	} else if (strcmp(cmd, "reset") == 0) {
		struct mm_err err = {0};

		mm_fw_ruleset_release(&st.rs);
		rs_fresh(&st);
		/* no blocks either: an empty blocks file, after the table is gone */
		st.jr_loaded = true;
		rc = commit(&st, true);
		if (rc == 0 && !o.dry_run && access(st.blocks, F_OK) == 0 &&
		    mm_fw_blocks_write(&st.jr, st.blocks, &err) < 0) {
			mm_die_msg("%s", err.msg);
			rc = MM_EXIT_INPUT;
		}
		if (rc == 0 && !o.dry_run)
			printf("Firewall reset: no rules, default policies, disabled\n");
	} else if (strcmp(cmd, "status") == 0) {
		rc = do_status(&st);
	} else if (strcmp(cmd, "show") == 0) {
		rc = do_show(&st);
	} else if (strcmp(cmd, "blocked") == 0) {
		rc = do_blocked(&st);
	} else if (strcmp(cmd, "default") == 0 || strcmp(cmd, "logging") == 0) {
		rc = do_statement(&st);
	} else if (strcmp(cmd, "allow") == 0 || strcmp(cmd, "deny") == 0 ||
		   strcmp(cmd, "reject") == 0 || strcmp(cmd, "limit") == 0 ||
		   strcmp(cmd, "route") == 0) {
		rc = do_rule(&st, 0, 0);
	} else if (strcmp(cmd, "insert") == 0) {
		if (o.npos < 3 || !parse_pos(o.pos[1], &pos)) {
			mm_die_msg("usage: insert N RULE");
			rc = MM_EXIT_USAGE;
		} else {
			rc = do_rule(&st, 2, pos);
		}
	} else if (strcmp(cmd, "delete") == 0) {
		rc = do_delete(&st);
	} else if (strcmp(cmd, "block") == 0 || strcmp(cmd, "unblock") == 0) {
		rc = do_block(&st, cmd[0] == 'u');
	} else if (strcmp(cmd, "blocklist") == 0) {
		rc = do_blocklist(&st);
	} else if (strcmp(cmd, "app") == 0) {
		rc = o.pos[1][0] == 'u' ? app_update(&st) : app_default(&st);
	} else {
		mm_die_msg("unknown firewall command '%s'; see 'mamori help firewall'", cmd);
		rc = MM_EXIT_USAGE;
	}
	if (o.confirm)
		rc = confirm_end(&st, rc);
out:
	mm_fw_ruleset_release(&st.rs);
	mm_fw_apps_release(&st.apps);
	mm_fw_allowlist_release(&st.allow);
	mm_fw_ruleset_release(&st.jr);
	mm_buf_release(&st.inc);
	free(o.pos);
	return rc;
}
