/* SPDX-License-Identifier: MIT */
#ifndef MM_AUDIT_INT_H
#define MM_AUDIT_INT_H

/* Shared by lib/audit/ only: the run context and helpers the checks use. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/core/exec.h"
#include "mamori/audit.h"

/* What the firewall check learnt, for the exposure check. */
struct audit_fw {
	bool known;		/* ruleset was read */
	bool v4_drop, v6_drop;	/* input path ends in drop/reject */
	uint16_t accepted[256]; /* destination ports some input rule accepts */
	size_t naccepted;
	bool accept_any_port; /* an accept rule without a port match */
};

struct audit_ctx {
	const struct mm_audit_opts *opts;
	struct mm_audit_report *rep;
	char root[1024];   /* "" for the live system */
	bool live;	   /* no --root: the running system */
	bool privileged;   /* euid 0 */
	unsigned root_uid; /* owner of ROOT: 0 on the live system */
	int timeout_ms;
	struct audit_fw fw;
};

/* ssh-algorithms.tsv, compiled by tools/gen-sshalgs.py */
struct mm_sshalg {
	const char *kind; /* kex, cipher, mac, hostkey */
	const char *name;
	const char *rating; /* weak, ok */
	const char *why;
};
extern const struct mm_sshalg mm_sshalgs_table[];
extern const unsigned mm_sshalgs_count;

/* ssh-defaults.tsv, compiled by tools/gen-sshdefaults.py; versions as major*10+minor */
struct mm_sshdef {
	const char *kind; /* kex, cipher, mac, hostkey */
	const char *name;
	unsigned since, until; /* default in since <= v < until (until 0: still) */
};
extern const struct mm_sshdef mm_sshdefs_table[];
extern const unsigned mm_sshdefs_count;
extern const unsigned mm_sshdefs_newest; /* the newest version the table knows */
/* "9.2p1", "1:9.2p1-2+deb12u3", "OpenSSH_9.2p1 Debian..." -> 92; 0 when not a version */
unsigned audit_openssh_version(const char *s);

/* audit-ports.tsv, compiled by tools/gen-auditports.py */
enum audit_port_role { AUDIT_PORT_RISKY, AUDIT_PORT_TLS, AUDIT_PORT_HTTP };
struct audit_port {
	uint16_t port;
	uint8_t proto; /* IPPROTO_TCP / IPPROTO_UDP */
	enum audit_port_role role;
	const char *name;
};
extern const struct audit_port audit_ports_table[];
extern const unsigned audit_ports_count;
/* The table row for port/proto in role, or NULL. */
const struct audit_port *audit_port_find(uint16_t port, uint8_t proto, enum audit_port_role role);

#define AUDIT_FILE_CAP (1u << 20)

/* Record a finding for check id (unless --skip'ped). Returns 0 or MM_ERR_NOMEM. */
int audit_find(struct audit_ctx *c, const char *id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Record a note for an area. */
int audit_note(struct audit_ctx *c, enum mm_audit_area a, bool needs_root, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* ROOT + abs (abs starts with '/'); truncation yields "" */
void audit_path(const struct audit_ctx *c, const char *abs, char *out, size_t n);
/*
 * Read a regular file into out (capped at cap bytes, else MM_ERR_TOOBIG).
 * Never blocks on FIFOs; with a --root, does not follow a final symlink.
 * Returns 0, MM_ERR_NOTFOUND, MM_ERR_PERM, MM_ERR_TOOBIG, MM_ERR_IO.
 */
int audit_read(const struct audit_ctx *c, const char *path, size_t cap, struct mm_buf *out);
/* mm_exec() (lib/core/exec.h): a probe with a deadline and capped output. */
static inline int audit_exec(const char *const *argv, int timeout_ms, struct mm_buf *out,
			     struct mm_buf *errout, int *status)
{
	return mm_exec(argv, timeout_ms, out, errout, status);
}

/* A listening TCP or bound UDP socket (check_exposure.c). */
struct audit_sock {
	uint8_t family, proto;
	uint16_t port;
	char addr[46];
	unsigned inode;
	bool loopback;
};
/* Every listener of this network namespace from sock_diag; 0 or MM_ERR_*. */
int audit_listeners(struct audit_sock *s, size_t max, size_t *n);
/* lib/audit/probe.c: bounded probes of local listeners (TLS, HTTP). */
long long audit_ms_now(void); /* monotonic milliseconds */
/* poll() for ev until the deadline (audit_ms_now() scale), across EINTR. */
bool audit_wait_fd(int fd, short ev, long long deadline);
/* Non-blocking TCP connect to s's address (loopback for a wildcard); fd or -1. */
int audit_tcp_connect(const struct audit_sock *s, long long deadline);

/* Names this host answers to (check_tls.c): host name, FQDN, server names. */
#define AUDIT_NAMES_MAX 64
#define AUDIT_NAME_MAX 254
struct audit_names {
	char v[AUDIT_NAMES_MAX][AUDIT_NAME_MAX];
	size_t n;
};
/* Add one name (n bytes; a trailing dot dropped) unless invalid, generic or known; 1 added. */
int audit_names_add(struct audit_names *nm, const char *s, size_t n);
/* A host name worth matching: name characters only, not localhost. */
bool audit_name_ok(const char *s, size_t n);
/* Kernel host name (live only), ROOT/etc/hostname, and their aliases in ROOT/etc/hosts. */
void audit_host_names(const struct audit_ctx *c, struct audit_names *nm);

struct audit_web;

/* The head of an HTTP/1.x response (check_http.c). */
struct audit_http_resp {
	int status;
	char reason[64];
	char location[512]; /* "" when absent or too long */
	char server[64];
	bool complete; /* the empty line after the headers was seen */
};
/* Parse the status line and headers in p[0..n); 0, or MM_ERR_PARSE when not HTTP/1.x. */
int audit_http_parse(const char *p, size_t n, struct audit_http_resp *r);
/* Plain HTTP listeners among s[0..n) that serve content instead of redirecting. */
int audit_check_http(struct audit_ctx *c, const struct audit_sock *s, size_t n,
		     const struct audit_names *names, const struct audit_web *web);

/* Web servers' configuration (check_web.c). */
#define AUDIT_WEB_ROOTS_MAX 64
#define AUDIT_WEB_USERS_MAX 4
#define AUDIT_WEB_PORTS_MAX 32
#define AUDIT_WEB_SITES_MAX 64
#define AUDIT_WEB_BLOCK_MAX 8 /* ports and names kept per server block */
struct audit_web {
	struct {
		char path[512];
		char from[400]; /* "nginx root at FILE:LINE" */
	} roots[AUDIT_WEB_ROOTS_MAX];
	size_t nroots;
	struct {
		char name[64];
		char from[300]; /* FILE:LINE */
	} users[AUDIT_WEB_USERS_MAX];
	size_t nusers;
	struct audit_names names; /* server_name, ServerName, ServerAlias */
	struct {
		uint16_t port;
		bool tls;	      /* nginx "ssl", Apache "https" or 443 */
	} ports[AUDIT_WEB_PORTS_MAX]; /* nginx listen, Apache Listen */
	size_t nports;
	/* TLS virtual hosts: (port, name) of each nginx server block with a
	 * "listen ... ssl" and a server_name, and of each Apache <VirtualHost>
	 * on a TLS port with a ServerName or ServerAlias */
	struct {
		uint16_t port;
		char name[AUDIT_NAME_MAX];
	} sites[AUDIT_WEB_SITES_MAX];
	size_t nsites;
	bool sites_capped;
	/* the server block or VirtualHost being read */
	struct {
		bool open;
		bool tls;	/* Apache: SSLEngine on */
		unsigned depth; /* nginx: block depth inside it */
		uint16_t ports[AUDIT_WEB_BLOCK_MAX];
		size_t nports;
		char names[AUDIT_WEB_BLOCK_MAX][AUDIT_NAME_MAX];
		size_t nnames;
	} blk;
	bool nginx, apache; /* configuration found */
	int unreadable;
	bool capped;
	/* nginx include: called with the pattern; may feed more files */
	int (*include)(struct audit_web *w, const char *pattern, void *ctx);
	void *ctx;
	unsigned ngx_nest, ngx_depth;
};
/* Feed one nginx / Apache (or envvars) file; 0 or a negative MM_ERR_*. */
int audit_nginx_feed(struct audit_web *w, const char *fname, const char *text, size_t n);
int audit_apache_feed(struct audit_web *w, const char *fname, const char *text, size_t n);
/* Read the web servers' configuration under ROOT into w (initialised here). */
int audit_web_config(struct audit_ctx *c, struct audit_web *w);
/* Is port configured in w (listen/Listen) with TLS (want_tls) or without? */
bool audit_web_port(const struct audit_web *w, uint16_t port, bool want_tls);
/* Index of the next site on port at or after *i, false when none. */
bool audit_web_site_next(const struct audit_web *w, uint16_t port, size_t *i);
/* FILE-WEBROOT-WRITABLE, run by the files area. */
int audit_check_webroots(struct audit_ctx *c);

/* dnf/yum security advisories (check_updates_rpm.c) */
#define AUDIT_DNF_MAX 5000
#define AUDIT_DNF_FIELD 200
struct audit_dnf_adv {
	char advisory[AUDIT_DNF_FIELD]; /* RHSA-2024:1234 */
	char package[AUDIT_DNF_FIELD];	/* NEVRA as printed */
	char severity[16];		/* Critical, Important, ...; "" when not given */
};
struct audit_dnf {
	struct audit_dnf_adv v[AUDIT_DNF_MAX];
	size_t n;
	size_t lines, unparsed, dropped;
};
/* Parse `dnf -q --cacheonly updateinfo list --security` output (d initialised here); 0. */
int audit_dnf_parse(const char *text, size_t n, struct audit_dnf *d);
/* 1 when os-release text names the RHEL family in ID or ID_LIKE (PRETTY_NAME into name). */
int audit_os_release_rhel(const char *text, size_t n, char *name, size_t namelen);
/* The updates check on the RHEL family; osname for the notes. */
int audit_check_updates_rpm(struct audit_ctx *c, const char *osname);

int audit_check_sshd(struct audit_ctx *c);
int audit_check_accounts(struct audit_ctx *c);
int audit_check_files(struct audit_ctx *c);
int audit_check_firewall(struct audit_ctx *c);
int audit_check_exposure(struct audit_ctx *c);
int audit_check_updates(struct audit_ctx *c);
int audit_check_tls(struct audit_ctx *c);
/* dpkg version order: <0, 0, >0 */
int audit_vercmp(const char *a, const char *b);

/*
 * Installed Debian packages (dpkg status) and, from APT's security lists,
 * the highest version offered above each (check_updates.c). Start zeroed;
 * feed the status once (sorted by name afterwards), then each list.
 */
struct audit_apt_pkg {
	char *name, *arch, *version;
	char *newer; /* highest security version above the installed one */
};
struct audit_apt {
	struct audit_apt_pkg *v;
	size_t n, cap;
};
int audit_apt_installed(struct audit_apt *a, const char *status, size_t n);
int audit_apt_offer(struct audit_apt *a, const char *list, size_t n);
void audit_apt_release(struct audit_apt *a);

/* Accounts with a login shell from ROOT/etc/passwd, for the sshd check. */
struct audit_user {
	char name[64];
	unsigned uid;
	char home[256];
	char shell[128];
};
/* Fills up to max users; returns how many, or a negative MM_ERR_*. */
int audit_login_users(const struct audit_ctx *c, struct audit_user *u, size_t max, size_t *nall);
bool audit_login_shell(const char *shell);

#endif
