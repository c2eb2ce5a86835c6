/* SPDX-License-Identifier: MIT */
#ifndef MAMORI_FW_H
#define MAMORI_FW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mamori/addr.h"
#include "mamori/buf.h"
#include "mamori/error.h"

/*
 * mamori firewall: ufw-simple rules compiled to one nftables table
 * (`table inet mamori`), replaced in a single transaction.
 *
 * The rules file holds one statement per line in the grammar the command
 * line takes:
 *
 *   # comment
 *   enabled yes|no
 *   default allow|deny|reject incoming|outgoing|routed
 *   logging off|low|medium|high
 *   limit-rate N/SECONDSs                     (default 6/30s)
 *   app default allow|deny|reject|skip        (default skip)
 *   allow|deny|reject|limit [in|out] [on IFACE] [log|log-all] RULE [comment TEXT]
 *   route allow|deny|reject|limit [in on IFACE] [out on IFACE] [log|log-all] RULE [comment TEXT]
 *   block ADDR[/PFX] [until ISO-8601] [comment TEXT]
 *
 * RULE is PORT[/PROTO], PORT:PORT/PROTO, PORT,PORT[,...][/PROTO], a service
 * name (ssh, http, ...), an application profile name (OpenSSH, "Nginx Full")
 * or the full form
 *   [from ADDR[/PFX]|any [port P | app NAME]] [to ADDR[/PFX]|any [port P | app NAME]]
 *   [proto NAME]
 *
 * An application rule stores the profile's name, not its ports: every load
 * resolves the name again against the profiles installed then, and an
 * unknown name is an error on that line.
 */

enum mm_fw_action { MM_FW_ALLOW, MM_FW_DENY, MM_FW_REJECT, MM_FW_LIMIT };
enum mm_fw_dir { MM_FW_IN, MM_FW_OUT };
enum mm_fw_log { MM_FW_LOG_NONE, MM_FW_LOG_NEW, MM_FW_LOG_ALL };
enum mm_fw_level { MM_FW_LEVEL_OFF, MM_FW_LEVEL_LOW, MM_FW_LEVEL_MEDIUM, MM_FW_LEVEL_HIGH };
/* Default-policy chains. */
enum mm_fw_chain { MM_FW_INCOMING, MM_FW_OUTGOING, MM_FW_ROUTED, MM_FW_NCHAINS };

#define MM_FW_MAX_PORTS 15 /* as ufw: a range counts as two */
#define MM_FW_IFNAMSIZ 16
#define MM_FW_COMMENT_MAX 128
#define MM_FW_MAX_RULES 100000
#define MM_FW_MAX_BLOCKS 1000000
#define MM_FW_MAX_LINE 4096
#define MM_FW_APP_NAME_MAX 64 /* application profile name, NUL included */
#define MM_FW_APP_SPECS 4     /* PORTS/PROTO parts of one profile ("a|b|c") */
#define MM_FW_RULE_PARTS (MM_FW_APP_SPECS * MM_FW_APP_SPECS) /* see mm_fw_rule_expand() */
#define MM_FW_APP_SKIP 255 /* app default skip: no rule for new profiles */

struct mm_fw_portrange {
	uint16_t lo, hi; /* lo == hi for a single port */
};

struct mm_fw_ports {
	uint8_t n; /* 0: no port match */
	struct mm_fw_portrange r[MM_FW_MAX_PORTS];
};

/* One part of an application profile's ports: PORTS[/PROTO]. */
struct mm_fw_appspec {
	uint8_t proto; /* 6 tcp, 17 udp, 0 both */
	struct mm_fw_ports ports;
};

struct mm_fw_rule {
	uint8_t action; /* enum mm_fw_action */
	uint8_t dir;	/* enum mm_fw_dir */
	uint8_t log;	/* enum mm_fw_log */
	uint8_t proto;	/* IP protocol number; 0 = any (tcp+udp when ports are given) */
	bool has_src, has_dst;
	char iface[MM_FW_IFNAMSIZ]; /* "" = any; trailing '+' is a wildcard */
	/* Routed (forwarded) rule: iface is the input interface, oiface the
	 * output one; dir is MM_FW_IN. */
	bool routed;
	char oiface[MM_FW_IFNAMSIZ];
	struct mm_prefix src, dst;
	struct mm_fw_ports sport, dport;
	char comment[MM_FW_COMMENT_MAX]; /* printable ASCII, no quotes or backslash */
	/* Application rule: app[0] != 0; the destination ports and protocols are
	 * the profile's (napp parts, filled when the name is resolved); proto and
	 * dport stay empty. */
	char app[MM_FW_APP_NAME_MAX];
	uint8_t napp;
	struct mm_fw_appspec appspec[MM_FW_APP_SPECS];
	/* Source application ("from ADDR app NAME"): the same for the source
	 * ports; sport and proto stay empty. */
	char sapp[MM_FW_APP_NAME_MAX];
	uint8_t nsapp;
	struct mm_fw_appspec sappspec[MM_FW_APP_SPECS];
};

struct mm_fw_block {
	struct mm_prefix pfx;
	int64_t until; /* unix seconds; 0 = permanent */
	char comment[MM_FW_COMMENT_MAX];
};

struct mm_fw_apps;
struct mm_fw_apps_defer;
struct mm_fw_tmpfile;

/*
 * A blocklist feed: networks whose packets are dropped before any rule.
 * v holds the IPv4 prefixes (v[0..n4)) then the IPv6 ones (v[n4..n)),
 * sorted, none inside another (duplicates and nested prefixes merged away
 * by mm_fw_feedparser_finish()).
 */
#define MM_FW_FEED_NAME_MAX 24
#define MM_FW_MAX_FEEDS 64
#define MM_FW_MAX_FEED_ENTRIES 4000000
#define MM_FW_FEED_FILE_MAX (128u << 20)

struct mm_fw_feed {
	char name[MM_FW_FEED_NAME_MAX + 1];
	struct mm_prefix *v;
	size_t n, cap, n4;
	size_t lines;  /* address lines read */
	size_t merged; /* of those, duplicates or inside another prefix */
};

/* --- allowlist (lib/fw/allow.c): never dropped by blocks or feeds --- */

#define MM_FW_ALLOW_MAX 4096
struct mm_fw_allowlist {
	struct mm_prefix *v;
	size_t n, cap;
};
/*
 * The allowlist of mamori.conf: "allowlist = ADDR[/LEN], ..." lines in
 * [firewall] (other sections are skipped). Errors are "FILE:LINE: what"
 * and leave al empty; a missing file is MM_ERR_NOTFOUND. _parse reads
 * NUL-terminated text named name.
 */
int mm_fw_allowlist_load(const char *path, struct mm_fw_allowlist *al, struct mm_err *err);
int mm_fw_allowlist_parse(const char *text, const char *name, struct mm_fw_allowlist *al,
			  struct mm_err *err);
void mm_fw_allowlist_release(struct mm_fw_allowlist *al);
/* An entry overlapping p, or NULL; *covered when that entry holds all of p. */
const struct mm_prefix *mm_fw_allowlist_overlap(const struct mm_fw_allowlist *al,
						const struct mm_prefix *p, bool *covered);

struct mm_fw_ruleset {
	bool enabled;
	uint8_t policy[MM_FW_NCHAINS]; /* MM_FW_ALLOW / DENY / REJECT */
	uint8_t level;		       /* enum mm_fw_level */
	uint32_t limit_hits;	       /* limit: at most limit_hits new connections ... */
	uint32_t limit_secs;	       /* ... per limit_secs per source and rule */
	/* The rule 'app update --add-new' adds for a profile no rule names
	 * yet (ufw's 'app default'): MM_FW_ALLOW, DENY, REJECT or MM_FW_APP_SKIP. */
	uint8_t app_default;
	struct mm_fw_rule *rules;
	size_t nrules, caprules;
	struct mm_fw_block *blocks;
	size_t nblocks, capblocks;
	/* Profiles that application rules resolve against while parsing (not
	 * owned; NULL: an application rule is an unknown name). */
	const struct mm_fw_apps *apps;
	/* Blocklist feeds (owned), in name order. They are not in the rules
	 * file: callers keep each in its own file (mm_fw_feed_write()). */
	struct mm_fw_feed *feeds;
	size_t nfeeds;
	/* Sources blocks and feeds never drop (not owned; NULL or empty: none). */
	const struct mm_fw_allowlist *allow;
};

/* --- blocklist feeds (lib/fw/feed.c) --- */

/*
 * Feed file: one address or prefix per line; '#' starts a comment (whole
 * line, or after the address and a space, as does ';' for Spamhaus-style
 * "PREFIX ; ID" lines); blank lines and surrounding spaces are ignored.
 * Host bits under a prefix are cleared (10.1.2.3/8 is 10.0.0.0/8).
 */
struct mm_fw_feedparser {
	struct mm_fw_feed *f;
	const char *file;
	unsigned long lineno;
};

/* Feed names: 1..MM_FW_FEED_NAME_MAX of [A-Za-z0-9_-], a letter first. */
bool mm_fw_feed_name_ok(const char *s, size_t n);
/* f gets the name (which the caller checked with mm_fw_feed_name_ok()). */
void mm_fw_feed_init(struct mm_fw_feed *f, const char *name);
void mm_fw_feed_release(struct mm_fw_feed *f);
void mm_fw_feedparser_init(struct mm_fw_feedparser *fp, struct mm_fw_feed *f, const char *file);
/* One line without its newline. Errors are "FILE:LINE: what". */
int mm_fw_feedparser_line(struct mm_fw_feedparser *fp, const char *line, size_t n,
			  struct mm_err *err);
/* Sort, split by family and merge duplicates and nested prefixes. */
int mm_fw_feedparser_finish(struct mm_fw_feedparser *fp, struct mm_err *err);
/* A whole buffer, finish included. */
int mm_fw_feed_parse_buffer(struct mm_fw_feed *f, const char *file, const char *data, size_t n,
			    struct mm_err *err);
/* Read path (O_NOFOLLOW, at most MM_FW_FEED_FILE_MAX bytes) into f. */
int mm_fw_feed_load(struct mm_fw_feed *f, const char *path, struct mm_err *err);
/* Canonical text: a comment line, then one prefix per line. */
int mm_fw_feed_serialize(const struct mm_fw_feed *f, struct mm_buf *out);
/* Write f's canonical text to a temporary file beside path (name in
 * tmp_out), fsynced; rename with mm_fw_commit_file(), or unlink. */
int mm_fw_feed_write_tmp(const struct mm_fw_feed *f, const char *path, char *tmp_out, size_t tmpsz,
			 struct mm_err *err);
/*
 * Load every file of dir whose name is a feed name into rs (missing dir:
 * no feeds). A bad file is an error naming it and its line.
 */
int mm_fw_feeds_load_dir(struct mm_fw_ruleset *rs, const char *dir, struct mm_err *err);
/* Move *f into rs (replacing the feed of the same name; *f is emptied).
 * Returns 1 when it replaced one, 0 when new, MM_ERR_RANGE when full. */
int mm_fw_feed_put(struct mm_fw_ruleset *rs, struct mm_fw_feed *f);
/* Remove the feed called name; MM_ERR_NOTFOUND when there is none. */
int mm_fw_feed_del(struct mm_fw_ruleset *rs, const char *name);
const struct mm_fw_feed *mm_fw_feed_find(const struct mm_fw_ruleset *rs, const char *name);
/*
 * The transaction that replaces the elements of a loaded feed's sets:
 * flush each set and add the new elements, so a failure anywhere leaves
 * the previous elements. Validated like mm_fw_render().
 */
int mm_fw_render_feed(const struct mm_fw_feed *f, struct mm_buf *out, struct mm_err *err);

/* --- application profiles (lib/fw/app.c) --- */

/*
 * ufw's application profile format, one or more per file:
 *
 *   [Nginx Full]
 *   title=Web Server (Nginx, HTTP + HTTPS)
 *   description=Small, but very powerful and efficient web server
 *   ports=80,443/tcp
 *
 * ports is PORTS[/PROTO] parts joined by '|' (5060:5061/udp|5060/tcp);
 * PROTO is tcp or udp, none meaning both. '#' and ';' start comment lines.
 * Names start with a letter and hold letters, digits, spaces and - _ . + ( ).
 */
struct mm_fw_app {
	char name[MM_FW_APP_NAME_MAX];
	char title[128];
	char description[256];
	char ports[128]; /* the ports= text as written */
	uint8_t nspec;
	struct mm_fw_appspec spec[MM_FW_APP_SPECS];
	char where[96]; /* "FILE:LINE" of the section header */
};

struct mm_fw_apps {
	struct mm_fw_app *v; /* sorted by name after mm_fw_apps_sort() */
	size_t n, cap;
	/* Deferred loading (mm_fw_apps_defer()): the directories still to read,
	 * owned; the first lookup reads them. Most commands need no profile. */
	struct mm_fw_apps_defer *defer;
	struct mm_err err; /* the first bad profile of a deferred load */
};

#define MM_FW_MAX_APPS 4096
#define MM_FW_APP_FILE_MAX (1u << 20)

void mm_fw_apps_init(struct mm_fw_apps *a);
void mm_fw_apps_release(struct mm_fw_apps *a);
/*
 * Parse one profile file's text (name is used in errors: "NAME:LINE: what").
 * A profile whose name is already known replaces it (local profiles loaded
 * after the shipped ones override them); a name given twice in one file is
 * an error. On error nothing from this file is kept. Returns 0 or MM_ERR_*.
 */
int mm_fw_apps_parse_buffer(struct mm_fw_apps *a, const char *name, const char *data, size_t n,
			    struct mm_err *err);
/*
 * Load every regular file of each directory (in name order; files whose
 * name starts with '.' or ends in '~' are skipped), directories in the
 * order given. A missing directory is skipped. On a bad file the error
 * names it and its line; the profiles of the other files are kept, and
 * loading goes on: the first error is returned after all files were read.
 */
int mm_fw_apps_load_dirs(struct mm_fw_apps *a, const char *const *dirs, size_t ndirs,
			 struct mm_err *err);
/* Sort by name (case-insensitive, as ufw lists them). */
void mm_fw_apps_sort(struct mm_fw_apps *a);
/*
 * Load dirs (as mm_fw_apps_load_dirs(), then sorted) only when a profile is
 * first looked up (mm_fw_apps_find(), mm_fw_rule_resolve_app()) or
 * mm_fw_apps_ready() is called. The paths (at most 64) are copied.
 * Returns 0, MM_ERR_RANGE or MM_ERR_NOMEM (then nothing is deferred).
 */
int mm_fw_apps_defer(struct mm_fw_apps *a, const char *const *dirs, size_t ndirs);
/* Do a deferred load now (nothing when none is pending). Returns the first
 * error of that load, also kept in a->err; 0 when all profiles loaded. */
int mm_fw_apps_ready(struct mm_fw_apps *a);
/* The profile called name (n bytes, exact case), or NULL. */
const struct mm_fw_app *mm_fw_apps_find(const struct mm_fw_apps *a, const char *name, size_t n);
/* Is s (n bytes) a valid profile name? */
bool mm_fw_app_name_ok(const char *s, size_t n);
/*
 * Fill r's application ports from its profiles (r->app and/or r->sapp
 * set). Returns 0, or MM_ERR_NOTFOUND "unknown application profile 'X'"
 * when apps is NULL or lacks the name, or MM_ERR_PARSE when a source and a
 * destination profile share no protocol.
 */
int mm_fw_rule_resolve_app(struct mm_fw_rule *r, const struct mm_fw_apps *apps, struct mm_err *err);
/*
 * The concrete rules an application rule stands for: one per part of the
 * destination profile, times one per part of the source profile, leaving
 * out pairs of different protocols (proto, dport and sport set, app and
 * sapp cleared); at most MM_FW_RULE_PARTS. For other rules, n = 1 and the
 * rule itself. Returns the number of parts; fills out[i] for i < max.
 */
size_t mm_fw_rule_expand(const struct mm_fw_rule *r, struct mm_fw_rule *out, size_t max);

/* --- grammar (lib/fw/rule.c) --- */

/*
 * Parse one rule (from the action word on: "allow 22/tcp") of n bytes.
 * Returns 0, or MM_ERR_PARSE / MM_ERR_RANGE with a precise message in err.
 */
int mm_fw_rule_parse(const char *s, size_t n, struct mm_fw_rule *out, struct mm_err *err);
/* The same, resolving application profile names against apps (may be NULL:
 * then a name that is not a service is an unknown profile). */
int mm_fw_rule_parse_apps(const char *s, size_t n, const struct mm_fw_apps *apps,
			  struct mm_fw_rule *out, struct mm_err *err);
/* PORTS: N | N:M | PORTS,PORTS (at most 15, a range counting two). */
int mm_fw_ports_parse(const char *s, size_t n, struct mm_fw_ports *out, struct mm_err *err);
/* Canonical text of a rule, the form the rules file stores. Returns 0 or MM_ERR_TOOBIG. */
int mm_fw_rule_format(const struct mm_fw_rule *r, struct mm_buf *out);
/* Re-check every field (addresses, prefixes, ports, names) of a rule that may
 * not have come from the parser. Returns 0 or MM_ERR_INVAL with err set. */
int mm_fw_rule_validate(const struct mm_fw_rule *r, struct mm_err *err);
/* "any" when !has, a bare address for a host prefix, else ADDR/LEN. */
int mm_fw_prefix_text(bool has, const struct mm_prefix *p, struct mm_buf *out);
/* A bare address for a host prefix, else ADDR/LEN, in buf (MM_PREFIX_STRLEN). */
char *mm_fw_prefix_short(const struct mm_prefix *p, char *buf);
bool mm_fw_rule_eq(const struct mm_fw_rule *a, const struct mm_fw_rule *b);
/* Parse a duration such as "90s", "30m", "1h30m", "7d", "2w" (1 s .. 365 d). */
int mm_fw_duration_parse(const char *s, size_t n, int64_t *secs, struct mm_err *err);
const char *mm_fw_action_name(unsigned action);
const char *mm_fw_chain_name(unsigned chain);
const char *mm_fw_level_name(unsigned level);

/* --- model and rules file (lib/fw/model.c) --- */

/* Defaults: disabled, deny incoming, allow outgoing, deny routed, logging low, 6/30s,
 * app default skip. */
void mm_fw_ruleset_init(struct mm_fw_ruleset *rs);
void mm_fw_ruleset_release(struct mm_fw_ruleset *rs);

/*
 * Streaming rules-file parser: feed lines (without newline) one at a time;
 * each error carries "NAME:LINE: ". The ruleset is only filled, never
 * applied; callers keep their old ruleset until the whole file parsed.
 */
struct mm_fw_fileparser {
	struct mm_fw_ruleset *rs;
	const char *name;
	unsigned long lineno;
	int64_t now; /* blocks whose "until" has passed are dropped */
	/* a blocks file (lib/fw/blocks.c): only block and unblock lines */
	bool blocks_file;
	size_t nstatements; /* block/unblock lines seen */
};
void mm_fw_fileparser_init(struct mm_fw_fileparser *fp, struct mm_fw_ruleset *rs, const char *name,
			   int64_t now);
int mm_fw_fileparser_line(struct mm_fw_fileparser *fp, const char *line, size_t n,
			  struct mm_err *err);
/* After the last line: resolves overlapping blocks (one inside another). */
int mm_fw_fileparser_finish(struct mm_fw_fileparser *fp, struct mm_err *err);
/* Parse a whole buffer (several lines), finish included. */
int mm_fw_parse_buffer(struct mm_fw_ruleset *rs, const char *name, const char *data, size_t n,
		       int64_t now, struct mm_err *err);
/* Load path into rs (a fresh ruleset). A missing file gives the defaults. */
int mm_fw_load(struct mm_fw_ruleset *rs, const char *path, int64_t now, struct mm_err *err);
/* The rules file text for rs. */
int mm_fw_serialize(const struct mm_fw_ruleset *rs, struct mm_buf *out);
/*
 * Write rs to path atomically: a temporary file beside it (its name in
 * tmp_out, PATH_MAX bytes), fsync, but no rename: call mm_fw_commit_file()
 * to rename it into place, or unlink(tmp_out) to abandon it.
 */
int mm_fw_write_tmp(const struct mm_fw_ruleset *rs, const char *path, char *tmp_out, size_t tmpsz,
		    struct mm_err *err);
/* The same through the spare RULES.prev, fsync in the background (see
 * mm_fw_tmp_begin()): finish with mm_fw_tmp_commit() or mm_fw_tmp_abandon(). */
int mm_fw_write_tmp_begin(const struct mm_fw_ruleset *rs, const char *path,
			  struct mm_fw_tmpfile **t, struct mm_err *err);
int mm_fw_commit_file(const char *tmp, const char *path, struct mm_err *err);

/* Append a rule (at 1-based position pos, 0 = end). MM_ERR_RANGE for a bad
 * position; returns 1 when an identical rule exists (nothing added). */
int mm_fw_rule_add(struct mm_fw_ruleset *rs, const struct mm_fw_rule *r, size_t pos);
/* Delete rule number pos (1-based). */
int mm_fw_rule_del(struct mm_fw_ruleset *rs, size_t pos);
/* 1-based number of the rule equal to r, or 0. */
size_t mm_fw_rule_find(const struct mm_fw_ruleset *rs, const struct mm_fw_rule *r);
/*
 * Block pfx until 'until' (0 = permanent). Blocks inside an existing block
 * are refused (returns 1, nothing added); existing blocks inside pfx are
 * replaced by it.
 */
int mm_fw_block_add(struct mm_fw_ruleset *rs, const struct mm_prefix *pfx, int64_t until,
		    const char *comment);
/* Remove the block equal to pfx; MM_ERR_NOTFOUND when there is none. */
int mm_fw_block_del(struct mm_fw_ruleset *rs, const struct mm_prefix *pfx);
/* One block as a file line: "block ADDR[/PFX] [until ISO] [comment \"TEXT\"]\n". */
int mm_fw_block_format(const struct mm_fw_block *b, struct mm_buf *out);

/* --- the blocks file (lib/fw/blocks.c) --- */

/*
 * Blocks made by `mamori firewall block` live in their own file, not in
 * the hand-edited rules file, so adding one to 100,000 is one appended
 * line instead of a rewrite and a re-parse of everything:
 *
 *   # comment
 *   block ADDR[/PFX] [until ISO-8601] [comment TEXT]
 *   unblock ADDR[/PFX]
 *
 * Lines are only appended (and fdatasync'ed); for each prefix the last
 * line decides, blocks inside a block are dropped as in the rules file, and
 * an expired block counts as unblocked. A last line without its newline
 * (a write cut short by a crash) is ignored and cut off by the next append.
 * mm_fw_blocks_write() compacts the file to one line per live block.
 */

/* Load path (missing = no blocks) into rs, a fresh ruleset used only for
 * its blocks; *nlines gets the number of block/unblock lines. */
int mm_fw_blocks_load(struct mm_fw_ruleset *rs, const char *path, int64_t now, size_t *nlines,
		      struct mm_err *err);
int mm_fw_blocks_parse_buffer(struct mm_fw_ruleset *rs, const char *name, const char *data,
			      size_t n, int64_t now, size_t *nlines, struct mm_err *err);
/*
 * Append text (whole lines) to path under an exclusive lock, creating the
 * file; fdatasync before returning. *undo gets the size before, for
 * mm_fw_blocks_undo() when the kernel refuses the change.
 */
int mm_fw_blocks_append(const char *path, const char *text, size_t n, int64_t *undo,
			struct mm_err *err);
int mm_fw_blocks_undo(const char *path, int64_t undo, struct mm_err *err);
/* Replace path atomically by one line per block of rs (temporary file,
 * fsync, rename), holding the lock so no append is lost. */
int mm_fw_blocks_write(const struct mm_fw_ruleset *rs, const char *path, struct mm_err *err);
/*
 * out gets a's blocks then b's (b's win, overlaps resolved as in a file),
 * and a's settings and rules (shared, not copied: release out with
 * mm_fw_blocks_view_release(), never mm_fw_ruleset_release()).
 */
int mm_fw_blocks_merge(const struct mm_fw_ruleset *a, const struct mm_fw_ruleset *b,
		       struct mm_fw_ruleset *out, struct mm_err *err);
void mm_fw_blocks_view_release(struct mm_fw_ruleset *view);

/* --- pending confirmation of --confirm (lib/fw/confirm.c) --- */

/* See confirm.c for the file format. */
struct mm_fw_pending {
	int64_t deadline; /* unix seconds: roll back from then on */
	bool had_rules;	  /* the rules file existed before the change */
	bool had_blocks;  /* the blocks file existed */
	bool had_table;	  /* table inet mamori was loaded */
	int pid;	  /* the watcher process, 0 before it is started */
	uint64_t start;	  /* its start time (/proc/PID/stat field 22) */
	/* The blocklist feed files were saved (PENDING.feeds/NAME): the
	 * nfeeds names are every feed there was. False in a state written
	 * before feeds were saved: a rollback then leaves the feeds alone. */
	bool had_feeds;
	size_t nfeeds;
	char feeds[MM_FW_MAX_FEEDS][MM_FW_FEED_NAME_MAX + 1];
};

/* Parse a pending file (errors "NAME:LINE: what"). Returns 0 or MM_ERR_*. */
int mm_fw_pending_parse(const char *name, const char *data, size_t n, struct mm_fw_pending *p,
			struct mm_err *err);
int mm_fw_pending_format(const struct mm_fw_pending *p, struct mm_buf *out);
/* Read a whole file (at most max bytes) into out; MM_ERR_NOTFOUND when missing. */
int mm_fw_read_file(const char *path, size_t max, struct mm_buf *out, struct mm_err *err);
/* Write data to path atomically (temporary file, fsync, rename), mode 0644 (the rules and blocks
 * files are readable by all). */
int mm_fw_write_file(const char *path, const char *data, size_t n, struct mm_err *err);
/* Write data to a fresh temporary file beside path (its name in tmp_out), mode
 * 0644, fsynced, not renamed: mm_fw_commit_file() puts it in place. On error
 * nothing is left behind and tmp_out is "". */
int mm_fw_write_tmp_data(const char *path, const char *data, size_t n, char *tmp_out, size_t tmpsz,
			 struct mm_err *err);
/*
 * The same in two steps, so the caller can work while the data reaches the
 * disk. mm_fw_tmp_begin() writes data to a file beside path (mode 0644):
 * a fresh temporary one, or with MM_FW_TMP_SPARE path.prev, rewritten in
 * place under an exclusive flock(); with MM_FW_TMP_BACKGROUND its fsync
 * starts in a thread. Then one of:
 *   mm_fw_tmp_end(): wait for the fsync; give the temporary file's name in
 *     tmp_out for mm_fw_commit_file() (not for a spare), or remove it;
 *   mm_fw_tmp_commit(): wait for the fsync, then put the file in place:
 *     a spare is exchanged with path (renameat2 RENAME_EXCHANGE; path.prev
 *     then holds the previous version), else renamed over it. path always
 *     names one complete file; on error it is left as it was;
 *   mm_fw_tmp_abandon(): wait and drop the file (NULL is fine).
 * Each frees t. Readers of a file written with a spare take a shared
 * flock() (mm_fw_load() does), so they never see the spare rewritten.
 */
#define MM_FW_TMP_BACKGROUND 1u
#define MM_FW_TMP_SPARE 2u
struct mm_fw_tmpfile;
int mm_fw_tmp_begin(const char *path, const char *data, size_t n, unsigned flags,
		    struct mm_fw_tmpfile **t, struct mm_err *err);
int mm_fw_tmp_end(struct mm_fw_tmpfile *t, char *tmp_out, size_t tmpsz, struct mm_err *err);
int mm_fw_tmp_commit(struct mm_fw_tmpfile *t, const char *path, struct mm_err *err);
void mm_fw_tmp_abandon(struct mm_fw_tmpfile *t);
/* Copy from to to atomically; a missing from removes to and sets *existed false. */
int mm_fw_copy_file(const char *from, const char *to, bool *existed, struct mm_err *err);

/* --- rendering (lib/fw/render.c) --- */

/*
 * The whole nft transaction that replaces table inet mamori with rs:
 * "table inet mamori {}", "delete table inet mamori", then the full table.
 * Every field is validated again first (MM_ERR_INVAL, nothing rendered).
 * now is used for the remaining time of blocks.
 */
int mm_fw_render(const struct mm_fw_ruleset *rs, int64_t now, struct mm_buf *out,
		 struct mm_err *err);
/*
 * Incremental changes to a loaded table, for speed: append rule idx
 * (0-based; it must be the last rule of its direction) with its sets, or
 * add/delete one block element. Validated like mm_fw_render().
 */
int mm_fw_render_append(const struct mm_fw_ruleset *rs, size_t idx, struct mm_buf *out,
			struct mm_err *err);
int mm_fw_render_block(const struct mm_fw_block *b, bool add, int64_t now, struct mm_buf *out,
		       struct mm_err *err);
/*
 * "create element": fails when the element is there already, where "add"
 * would leave its old timeout on kernels before 6.10. Unlike delete, it
 * leaves the kernel nothing to free after an RCU grace period, which the
 * closing netlink socket would wait for (10-30 ms).
 */
int mm_fw_render_block_create(const struct mm_fw_block *b, int64_t now, struct mm_buf *out,
			      struct mm_err *err);
/* The transaction that removes table inet mamori (and nothing else). */
int mm_fw_render_remove(struct mm_buf *out);

/*
 * Lockout check: would a new TCP connection from client to server:port
 * (as in SSH_CONNECTION) be refused by rs? Returns true when refused and
 * fills why. Only meaningful when rs->enabled.
 */
bool mm_fw_would_lock_out(const struct mm_fw_ruleset *rs, const struct mm_addr *client,
			  uint16_t cport, const struct mm_addr *server, uint16_t sport, char *why,
			  size_t whysz);
/* Parse an SSH_CONNECTION value "CLIENT CPORT SERVER SPORT". */
int mm_fw_parse_ssh_connection(const char *s, struct mm_addr *client, uint16_t *cport,
			       struct mm_addr *server, uint16_t *sport);

/* --- backends (lib/fw/backend.c, lib/fw/nft_backend.c) --- */

struct mm_fw_backend;

struct mm_fw_backend_ops {
	const char *name;
	/* Run cmds (nft syntax, several lines) as one transaction; output of
	 * list commands is appended to out (may be NULL). */
	int (*run)(struct mm_fw_backend *be, const char *cmds, struct mm_buf *out,
		   struct mm_err *err);
	void (*free)(struct mm_fw_backend *be);
};

struct mm_fw_backend {
	const struct mm_fw_backend_ops *ops;
	void *priv;
};

/* Does nothing and always succeeds. */
struct mm_fw_backend *mm_fw_backend_null_new(void);
/*
 * Records every transaction in log (owned by the caller, must outlive the
 * backend), separated by "---\n". fail_after: the n-th run (1-based) and
 * later fail with MM_ERR_IO; 0 never fails. canned: output of every run.
 */
struct mm_fw_backend *mm_fw_backend_record_new(struct mm_buf *log, unsigned fail_after,
					       const char *canned);
/* libnftables. MM_ERR_UNSUPPORTED when the library cannot make a context. */
int mm_fw_backend_nft_new(struct mm_fw_backend **out, struct mm_err *err);
void mm_fw_backend_free(struct mm_fw_backend *be);

/*
 * Delete the connection-tracking entries whose original source or
 * destination lies in one of the n prefixes (block --kill), IPv4 and
 * IPv6; *killed gets how many. MM_ERR_UNSUPPORTED without
 * libnetfilter_conntrack, MM_ERR_PERM without CAP_NET_ADMIN.
 * (lib/fw/conntrack.c, the only user of libnetfilter_conntrack.)
 */
int mm_fw_conntrack_kill(const struct mm_prefix *p, size_t n, size_t *killed, struct mm_err *err);

/* Apply rs (mm_fw_render + run) / remove the table / is it loaded? */
int mm_fw_apply(struct mm_fw_backend *be, const struct mm_fw_ruleset *rs, int64_t now,
		struct mm_err *err);
int mm_fw_remove(struct mm_fw_backend *be, struct mm_err *err);
int mm_fw_loaded(struct mm_fw_backend *be, bool *loaded, struct mm_err *err);
/*
 * Other tables that can refuse what mamori allows (lib/fw/foreign.c):
 * base chains of other ip/ip6/inet tables on the input, forward and
 * output hooks with a drop policy or rules that drop or reject. An accept
 * elsewhere never overrules mamori's drop (every base chain on a hook
 * runs; a drop is final), so only refusals are reported. Appends one line
 * per such chain to out; *loaded tells whether table inet mamori is there
 * (from the same listing). Returns how many chains, or MM_ERR_*.
 */
int mm_fw_foreign_check(struct mm_fw_backend *be, struct mm_buf *out, bool *loaded,
			struct mm_err *err);
/* The end of one warning line: "policy WORD, N rules that drop or reject\n"
 * (policy NULL: none), with the error set when out is full. */
int mm_fw_refusal_text(struct mm_buf *out, const char *policy, size_t refusing, struct mm_err *err);
/*
 * iptables-legacy (x_tables) rules, which nftables does not show
 * (lib/fw/legacy.c). A streaming parser of iptables-save output: the
 * built-in INPUT, FORWARD and OUTPUT chains of every table with a DROP
 * policy or rules that DROP or REJECT (their own, or in the chains they
 * jump or go to). Errors are "NAME:LINE: what".
 */
struct mm_fw_legacy;
struct mm_fw_legacy *mm_fw_legacy_new(const char *name);
void mm_fw_legacy_free(struct mm_fw_legacy *lp);
/* One line without its newline. */
int mm_fw_legacy_line(struct mm_fw_legacy *lp, const char *line, size_t n, struct mm_err *err);
/* Appends "LABEL table T, chain C: policy DROP, N rules that drop or
 * reject\n" per such chain to out; returns how many, or MM_ERR_*. */
int mm_fw_legacy_finish(struct mm_fw_legacy *lp, const char *label, struct mm_buf *out,
			struct mm_err *err);
/* A whole buffer, finish included. */
int mm_fw_legacy_parse_buffer(const char *name, const char *data, size_t n, const char *label,
			      struct mm_buf *out, struct mm_err *err);
/*
 * The check: the legacy tables the kernel lists for this network namespace
 * (/proc/net/ip_tables_names, ip6_tables_names) and, for each family that
 * has some, iptables-legacy-save's (ip6tables-legacy-save's) rules read as
 * above. Appends one line per refusing chain, or one saying the tables are
 * loaded but could not be checked (no iptables-legacy-save, it failed, or
 * its output did not parse). Returns how many lines, or MM_ERR_*. Nothing
 * when no legacy table is loaded or the names cannot be read (not root).
 */
int mm_fw_legacy_check(struct mm_buf *out, struct mm_err *err);
/* Where the check looks, for IPv4 then IPv6: the kernel's list of table
 * names, the label of its lines, the save tool (the first of save[] that is
 * executable; NULL ends). mm_fw_legacy_check() uses the system's. */
struct mm_fw_legacy_src {
	const char *names, *label, *save[2];
};
int mm_fw_legacy_check_at(const struct mm_fw_legacy_src src[2], struct mm_buf *out,
			  struct mm_err *err);
/* Current text of the block sets (nft list output) into out. */
int mm_fw_list_blocks(struct mm_fw_backend *be, struct mm_buf *out, struct mm_err *err);

#endif
