/* SPDX-License-Identifier: MIT */
/*
 * The audit check registry, the report, and the helpers every area uses:
 * capped file reads and external probes with a timeout.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "audit_int.h"
#include "mamori/buf.h"

#define C(id, area, sev, title, explain, fix)                                                      \
	{                                                                                          \
		id, MM_AUDIT_##area, MM_SEV_##sev, title, explain, fix                             \
	}

static const struct mm_audit_check checks[] = {
    C("SSH-PASSWORD", SSHD, HIGH, "sshd accepts password logins",
      "PasswordAuthentication yes lets anyone on the Internet guess passwords; brute force "
      "against sshd is the most common attack on a server.",
      "Set 'PasswordAuthentication no' in /etc/ssh/sshd_config.d/00-mamori.conf (drop-ins are "
      "read first, so they win), check key logins work, then 'systemctl reload ssh'."),
    C("SSH-KBDINT-PAM", SSHD, HIGH, "sshd accepts passwords through keyboard-interactive (PAM)",
      "With UsePAM yes, KbdInteractiveAuthentication yes asks for the account password through "
      "PAM: password logins stay possible even with PasswordAuthentication no.",
      "Set 'KbdInteractiveAuthentication no' (unless PAM asks only for a second factor), then "
      "'systemctl reload ssh'."),
    C("SSH-ROOT-PASSWORD", SSHD, HIGH, "root may log in with a password",
      "PermitRootLogin yes with password authentication lets attackers guess root's password "
      "directly.",
      "Set 'PermitRootLogin prohibit-password' (or 'no') and reload sshd."),
    C("SSH-EMPTY-PASSWORDS", SSHD, HIGH, "sshd permits empty passwords",
      "PermitEmptyPasswords yes lets accounts without a password log in with none.",
      "Set 'PermitEmptyPasswords no' and reload sshd."),
    C("SSH-WEAK-KEX", SSHD, MEDIUM, "sshd offers weak key exchange algorithms",
      "SHA-1 or small-group Diffie-Hellman key exchange (data/ssh-algorithms.tsv).",
      "Set 'KexAlgorithms sntrup761x25519-sha512@openssh.com,curve25519-sha256,"
      "curve25519-sha256@libssh.org,diffie-hellman-group16-sha512' and reload sshd."),
    C("SSH-WEAK-CIPHER", SSHD, MEDIUM, "sshd offers weak ciphers",
      "CBC mode, RC4, 3DES or Blowfish ciphers (data/ssh-algorithms.tsv).",
      "Set 'Ciphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,"
      "aes128-gcm@openssh.com,aes256-ctr,aes128-ctr' and reload sshd."),
    C("SSH-WEAK-MAC", SSHD, MEDIUM, "sshd offers weak MACs",
      "MD5, SHA-1 or 64-bit MACs, or encrypt-and-MAC variants (data/ssh-algorithms.tsv).",
      "Set 'MACs hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,"
      "umac-128-etm@openssh.com' and reload sshd."),
    C("SSH-WEAK-HOSTKEY", SSHD, MEDIUM, "sshd offers weak host key algorithms",
      "ssh-rsa (SHA-1 signatures) or DSA host keys (data/ssh-algorithms.tsv).",
      "Remove them from HostKeyAlgorithms and drop DSA HostKey lines."),
    C("SSH-MAXAUTHTRIES", SSHD, LOW, "MaxAuthTries is high",
      "Each connection may try many passwords or keys; more than 4 helps brute force.",
      "Set 'MaxAuthTries 3' (or 4) and reload sshd."),
    C("SSH-X11-FORWARDING", SSHD, LOW, "X11 forwarding is enabled",
      "X11Forwarding exposes the client's display to the server side; rarely needed on servers.",
      "Set 'X11Forwarding no' and reload sshd."),
    C("SSH-AGENT-FORWARDING", SSHD, LOW, "agent forwarding is allowed",
      "AllowAgentForwarding lets a compromised server use the connecting user's keys.",
      "Set 'AllowAgentForwarding no' unless users need it, and reload sshd."),
    C("SSH-LISTEN-ALL", SSHD, INFO, "sshd listens on all addresses",
      "No ListenAddress: sshd answers on every interface, including any added later.",
      "Set ListenAddress to the addresses that need SSH, or restrict port 22 in the firewall."),
    C("SSH-HOSTKEY-PERMS", SSHD, HIGH,
      "a host private key is readable by others or not owned by root",
      "Anyone who can read a host key can impersonate this server.",
      "chown root:root KEY && chmod 600 KEY"),
    C("SSH-AUTHKEYS-PERMS", SSHD, HIGH, "authorized_keys or its directory is writable by others",
      "Whoever can write authorized_keys (or .ssh, or the home) can add a key and log in as "
      "that account.",
      "chmod go-w HOME HOME/.ssh HOME/.ssh/authorized_keys; chown the files to the account."),
    C("ACC-UID0", ACCOUNTS, HIGH, "an account other than root has UID 0",
      "A second UID 0 account is full root under another name: a classic backdoor.",
      "Remove the account (userdel NAME) or give it its own UID."),
    C("ACC-EMPTY-PASSWORD", ACCOUNTS, HIGH, "an account has an empty or missing password hash",
      "An empty hash means no password at all; a passwd field that is not 'x' bypasses shadow.",
      "Lock it: passwd -l NAME (and pwconv to move hashes to /etc/shadow)."),
    C("ACC-NEVER-USED", ACCOUNTS, LOW, "an account with a shell and a password never logged in",
      "Unused accounts with usable passwords are forgotten entry points.",
      "Lock it (passwd -l NAME, usermod -s /usr/sbin/nologin NAME) or remove it."),
    C("ACC-SUDO-NOPASSWD-ALL", ACCOUNTS, MEDIUM, "a sudoers rule grants NOPASSWD: ALL",
      "Anyone who gets a shell as this user is root without knowing any password.",
      "Require the password (remove NOPASSWD) or limit the rule to the few commands needed."),
    C("ACC-SUDOERS-PERMS", ACCOUNTS, HIGH,
      "a sudoers file is writable by others or not owned by root",
      "Whoever can write a sudoers file is root.", "chown root:root FILE && chmod 440 FILE"),
    C("FILE-WORLD-WRITABLE", FILES, MEDIUM,
      "world-writable file or directory without sticky bit in a system path",
      "Any local user (or compromised service) can replace or plant files there.",
      "chmod o-w PATH (or chmod +t for a shared directory)."),
    C("FILE-SUID-UNPACKAGED", FILES, HIGH, "SUID/SGID file not installed by any package",
      "A set-id binary that dpkg does not know about is a common persistence trick.",
      "Find out where it came from; if unneeded: chmod u-s,g-s PATH or remove it."),
    C("FILE-SHADOW-PERMS", FILES, HIGH, "/etc/shadow or /etc/gshadow readable by others",
      "Password hashes can be cracked offline by whoever reads them.",
      "chown root:shadow /etc/shadow /etc/gshadow && chmod 640 /etc/shadow /etc/gshadow"),
    C("FILE-SSL-PRIVATE-PERMS", FILES, HIGH, "a TLS private key is readable by others",
      "Anyone who reads the key can impersonate the service or decrypt old traffic.",
      "chmod 640 KEY (group ssl-cert) and chmod 710 /etc/ssl/private"),
    C("FILE-WEBROOT-WRITABLE", FILES, HIGH,
      "a web root file or directory is writable by the web server user",
      "A web application bug (an upload form, a path traversal, a vulnerable plugin) runs as the "
      "web server user: if that user can write the web root, the attacker can drop a web shell "
      "or change the site. Web roots come from nginx root, Apache DocumentRoot and /var/www; the "
      "user from nginx user, Apache User / APACHE_RUN_USER, else www-data.",
      "chown -R root:root WEBROOT && chmod -R go-w WEBROOT; give the server write access only to "
      "the one directory that needs it (uploads, cache), and forbid running scripts there."),
    C("FW-NO-RULESET", FIREWALL, HIGH, "no firewall ruleset is loaded",
      "Every listening service is reachable from the network.",
      "Load a ruleset that drops input by default (mamori firewall, ufw enable, or "
      "nftables.service)."),
    C("FW-INPUT-OPEN", FIREWALL, HIGH, "the IPv4 input path does not end in drop or reject",
      "A ruleset that accepts by default protects nothing that is not listed.",
      "Give the input chain 'policy drop' (after allowing ssh) or end it in a drop/reject rule."),
    C("FW-IPV6-OPEN", FIREWALL, HIGH, "IPv6 input is not protected like IPv4",
      "An ip-only ruleset leaves every service open over IPv6.",
      "Use an 'inet' table for both families, or add the same policy for ip6."),
    C("EXP-RISKY-SERVICE", EXPOSURE, HIGH,
      "a service that should rarely face the Internet listens on a public address",
      "Databases, Redis, memcached, Elasticsearch, the Docker API, SIP, SNMP, rpcbind and SMB are "
      "scanned for constantly and often have no or weak authentication.",
      "Bind it to 127.0.0.1 (or a private address) in its configuration, or drop the port in the "
      "firewall."),
    C("UPD-SECURITY", UPDATES, HIGH, "security updates are available but not installed",
      "The security repository has newer versions of installed packages: known, published "
      "vulnerabilities stay open until they are installed.",
      "Debian/Ubuntu: apt-get update && apt-get upgrade (or enable unattended-upgrades for "
      "security updates); RHEL family: dnf upgrade --security (or dnf-automatic with "
      "upgrade_type = security)."),
    C("UPD-NO-SECURITY-LIST", UPDATES, MEDIUM, "no security repository in the APT lists",
      "Without the distribution's security repository, no security updates ever arrive.",
      "Add the security suite to /etc/apt/sources.list(.d) (Debian: "
      "'deb http://security.debian.org/debian-security bookworm-security main'), then apt-get "
      "update."),
    C("UPD-LISTS-STALE", UPDATES, LOW, "the APT lists are more than a week old",
      "Old package lists hide security updates published since.",
      "apt-get update (or enable apt-daily.timer / unattended-upgrades)."),
    C("TLS-CERT-EXPIRED", TLS, HIGH, "a local TLS service presents an expired certificate",
      "Clients refuse it or, worse, users learn to click through certificate warnings.",
      "Renew the certificate (certbot renew, or your CA) and reload the service."),
    C("TLS-CERT-EXPIRING", TLS, MEDIUM, "a local TLS certificate expires within 21 days",
      "Renewal has probably failed: the service breaks when it expires.",
      "Check the renewal job (systemctl list-timers certbot*, journalctl -u certbot), renew, "
      "reload."),
    C("TLS-CERT-SELF-SIGNED", TLS, LOW, "a local TLS service presents a self-signed certificate",
      "Clients cannot authenticate the server without pinning it.",
      "Use a certificate from a CA (for example Let's Encrypt) unless every client pins this "
      "one."),
    C("TLS-CERT-UNTRUSTED", TLS, MEDIUM,
      "a local TLS service presents a chain the system does not trust",
      "The chain does not lead to a certificate authority in the system trust store (an "
      "unknown or private CA, or a missing intermediate certificate): clients that verify "
      "refuse it, and users learn to click through warnings.",
      "Serve the full chain (nginx: ssl_certificate fullchain.pem; Apache: SSLCertificateFile "
      "with the intermediates) from a CA clients trust, for example Let's Encrypt."),
    C("TLS-CERT-NAME", TLS, MEDIUM, "a local TLS certificate does not match this host's names",
      "The certificate names none of the names this host has (host name, FQDN from /etc/hosts) "
      "or serves (nginx server_name, Apache ServerName/ServerAlias), or a site asked for by "
      "name (SNI) gets a certificate that does not cover that name: clients connecting by "
      "name reject it.",
      "Issue the certificate for the names clients use (certbot -d NAME ...) and configure the "
      "service to present it."),
    C("TLS-KEY-WEAK", TLS, HIGH, "a local TLS certificate has a weak key",
      "RSA or DSA keys below 2048 bits and EC keys below 256 bits can be factored or broken "
      "with affordable computing; CAs stopped issuing them years ago.",
      "Make a new key (openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256, or RSA "
      "3072), get it certified, and reload the service."),
    C("TLS-HTTP-NO-REDIRECT", TLS, MEDIUM,
      "a public HTTP listener serves content instead of redirecting to HTTPS",
      "GET / over plain HTTP is answered with content (2xx): whatever the site sends, and any "
      "password or cookie a visitor sends back, crosses the network unencrypted and can be "
      "read or changed on the way.",
      "Redirect every plain HTTP request to https:// (nginx: return 301 "
      "https://$host$request_uri; Apache: Redirect permanent / https://NAME/), then consider "
      "HSTS."),
    C("TLS-OLD-PROTOCOL", TLS, MEDIUM, "a local TLS service accepts TLS 1.0 or 1.1",
      "TLS 1.0 and 1.1 are deprecated (RFC 8996) and allow downgrade attacks.",
      "Allow only TLS 1.2 and 1.3 (nginx: ssl_protocols TLSv1.2 TLSv1.3; Apache: SSLProtocol "
      "-all +TLSv1.2 +TLSv1.3; Postfix: smtpd_tls_protocols = >=TLSv1.2)."),
};

#define NCHECKS (sizeof(checks) / sizeof(checks[0]))

static const char *const area_names[] = {"sshd",     "accounts", "files", "firewall",
					 "exposure", "updates",	 "tls"};
static const char *const sev_names[] = {"info", "low", "medium", "high"};

const struct mm_audit_check *mm_audit_checks(size_t *n)
{
	*n = NCHECKS;
	return checks;
}

const struct mm_audit_check *mm_audit_check_find(const char *id)
{
	size_t i;

	for (i = 0; i < NCHECKS; i++)
		if (strcasecmp(checks[i].id, id) == 0)
			return &checks[i];
	return NULL;
}

const char *mm_audit_area_name(enum mm_audit_area a)
{
	return (unsigned)a < MM_AUDIT_NAREAS ? area_names[a] : "?";
}

int mm_audit_area_parse(const char *name)
{
	int i;

	for (i = 0; i < MM_AUDIT_NAREAS; i++)
		if (strcasecmp(area_names[i], name) == 0)
			return i;
	if (strcasecmp(name, "ssh") == 0)
		return MM_AUDIT_SSHD;
	return -1;
}

const char *mm_audit_sev_name(enum mm_audit_sev s)
{
	return (unsigned)s <= MM_SEV_HIGH ? sev_names[s] : "?";
}

int mm_audit_sev_parse(const char *name)
{
	int i;

	for (i = 0; i <= MM_SEV_HIGH; i++)
		if (strcasecmp(sev_names[i], name) == 0)
			return i;
	return -1;
}

static char *vfmt(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
static char *vfmt(const char *fmt, va_list ap)
{
	struct mm_buf b;

	mm_buf_init(&b, 4096);
	if (mm_buf_vaddf(&b, fmt, ap) < 0 && !b.data) {
		mm_buf_release(&b);
		return NULL;
	}
	if (!b.data)
		return strdup("");
	return mm_buf_detach(&b);
}

int audit_find(struct audit_ctx *c, const char *id, const char *fmt, ...)
{
	const struct mm_audit_check *chk = mm_audit_check_find(id);
	struct mm_audit_report *r = c->rep;
	va_list ap;
	size_t i;
	char *ev;

	if (!chk)
		return MM_ERR_INTERNAL;
	for (i = 0; i < c->opts->nskip; i++)
		if (strcasecmp(c->opts->skip[i], id) == 0)
			return 0;
	if (r->nfindings >= 10000)
		return 0; /* enough to act on */
	if (MM_GROW(r->findings, r->cap_findings, r->nfindings, 16) < 0)
		return MM_ERR_NOMEM;
	va_start(ap, fmt);
	ev = vfmt(fmt, ap);
	va_end(ap);
	if (!ev)
		return MM_ERR_NOMEM;
	r->findings[r->nfindings].check = chk;
	r->findings[r->nfindings].evidence = ev;
	r->nfindings++;
	return 0;
}

int audit_note(struct audit_ctx *c, enum mm_audit_area a, bool needs_root, const char *fmt, ...)
{
	struct mm_audit_report *r = c->rep;
	va_list ap;
	char *t;

	if (r->nnotes >= 1000)
		return 0;
	if (MM_GROW(r->notes, r->cap_notes, r->nnotes, 8) < 0)
		return MM_ERR_NOMEM;
	va_start(ap, fmt);
	t = vfmt(fmt, ap);
	va_end(ap);
	if (!t)
		return MM_ERR_NOMEM;
	r->notes[r->nnotes].area = a;
	r->notes[r->nnotes].text = t;
	r->notes[r->nnotes].needs_root = needs_root;
	r->nnotes++;
	return 0;
}

void audit_path(const struct audit_ctx *c, const char *abs, char *out, size_t n)
{
	int k = snprintf(out, n, "%s%s", c->root, abs);

	if (k < 0 || (size_t)k >= n)
		out[0] = '\0';
}

int audit_read(const struct audit_ctx *c, const char *path, size_t cap, struct mm_buf *out)
{
	int flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;
	struct stat st;
	char tmp[8192];
	int fd, rc = 0;

	mm_buf_reset(out);
	if (!c->live)
		flags |= O_NOFOLLOW;
	fd = open(path, flags);
	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR ? MM_ERR_NOTFOUND
		       : errno == EACCES		   ? MM_ERR_PERM
							   : MM_ERR_IO;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		rc = MM_ERR_IO;
		goto out;
	}
	if ((uint64_t)st.st_size > cap) {
		rc = MM_ERR_TOOBIG;
		goto out;
	}
	for (;;) {
		ssize_t k = read(fd, tmp, sizeof(tmp));
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			rc = errno == EACCES ? MM_ERR_PERM : MM_ERR_IO;
			goto out;
		}
		if (k == 0)
			break;
		if (out->len + (size_t)k > cap) {
			rc = MM_ERR_TOOBIG;
			goto out;
		}
		rc = mm_buf_add(out, tmp, (size_t)k);
		if (rc < 0)
			goto out;
	}
	if (!out->data)
		rc = mm_buf_add(out, "", 0);
out:
	close(fd);
	return rc;
}

typedef int (*area_fn)(struct audit_ctx *c);

/* one per enum mm_audit_area, in that order */

static const area_fn area_fns[MM_AUDIT_NAREAS] = {
    audit_check_sshd,	  audit_check_accounts, audit_check_files, audit_check_firewall,
    audit_check_exposure, audit_check_updates,	audit_check_tls,
};

int mm_audit_run(const struct mm_audit_opts *opts, struct mm_audit_report *rep, struct mm_err *err)
{
	struct audit_ctx *c;
	unsigned areas = opts->areas ? opts->areas : (1u << MM_AUDIT_NAREAS) - 1;
	int rc = 0, a;

	_Static_assert(sizeof(area_names) / sizeof(area_names[0]) == MM_AUDIT_NAREAS,
		       "one name per area");
	memset(rep, 0, sizeof(*rep));
	c = calloc(1, sizeof(*c));
	if (!c)
		return mm_err_set(err, MM_ERR_NOMEM, "out of memory");
	c->opts = opts;
	c->rep = rep;
	c->privileged = geteuid() == 0;
	c->timeout_ms = opts->timeout_ms > 0 ? opts->timeout_ms : 3000;
	if (opts->root && opts->root[0] && strcmp(opts->root, "/") != 0) {
		size_t n = strlen(opts->root);
		struct stat st;
		while (n > 1 && opts->root[n - 1] == '/')
			n--;
		if (n >= sizeof(c->root)) {
			rc = mm_err_set(err, MM_ERR_INVAL, "%s: path too long", opts->root);
			goto out;
		}
		if (stat(opts->root, &st) < 0 || !S_ISDIR(st.st_mode)) {
			rc = mm_err_set(err, MM_ERR_NOTFOUND, "%s: not a directory", opts->root);
			goto out;
		}
		c->root_uid = st.st_uid;
		memcpy(c->root, opts->root, n);
		c->root[n] = '\0';
	} else {
		c->live = true;
	}
	/* the firewall runs before exposure, which uses what it learnt */
	for (a = 0; a < MM_AUDIT_NAREAS; a++) {
		if (!(areas & (1u << a)))
			continue;
		if (!c->live &&
		    (a == MM_AUDIT_FIREWALL || a == MM_AUDIT_EXPOSURE || a == MM_AUDIT_TLS)) {
			rc = audit_note(c, (enum mm_audit_area)a, false,
					"not checked: needs the running system, not a --root");
			if (rc < 0)
				goto out;
			continue;
		}
		rep->areas_run |= 1u << a;
		rc = area_fns[a](c);
		if (rc < 0) {
			mm_err_set(err, rc, "%s checks: %s", area_names[a], mm_strerror(rc));
			goto out;
		}
	}
out:
	free(c);
	return rc;
}

void mm_audit_report_release(struct mm_audit_report *rep)
{
	size_t i;

	if (!rep)
		return;
	for (i = 0; i < rep->nfindings; i++)
		free(rep->findings[i].evidence);
	for (i = 0; i < rep->nnotes; i++)
		free(rep->notes[i].text);
	free(rep->findings);
	free(rep->notes);
	memset(rep, 0, sizeof(*rep));
}

int mm_audit_score(const struct mm_audit_report *rep)
{
	static const int weight[] = {0, 2, 6, 15};
	int s = 100;
	size_t i;

	for (i = 0; i < rep->nfindings && s > 0; i++)
		s -= weight[rep->findings[i].check->sev];
	return s < 0 ? 0 : s;
}

int mm_audit_max_sev(const struct mm_audit_report *rep)
{
	int m = -1;
	size_t i;

	for (i = 0; i < rep->nfindings; i++)
		if ((int)rep->findings[i].check->sev > m)
			m = (int)rep->findings[i].check->sev;
	return m;
}

static int jstr(struct mm_buf *b, const char *key, const char *val, bool comma)
{
	int rc = mm_buf_addf(b, "%s\"%s\":\"", comma ? "," : "", key);

	if (rc == 0)
		rc = mm_buf_add_json_str(b, val, strlen(val));
	if (rc == 0)
		rc = mm_buf_addc(b, '"');
	return rc;
}

int mm_audit_to_json(const struct mm_audit_report *rep, struct mm_buf *b)
{
	size_t i;
	int rc, a, first = 1;

	rc =
	    mm_buf_addf(b, "{\"score\":%d,\"max_severity\":\"%s\",\"areas\":[", mm_audit_score(rep),
			mm_audit_max_sev(rep) < 0 ? "none" : sev_names[mm_audit_max_sev(rep)]);
	for (a = 0; a < MM_AUDIT_NAREAS && rc == 0; a++) {
		if (!(rep->areas_run & (1u << a)))
			continue;
		rc = mm_buf_addf(b, "%s\"%s\"", first ? "" : ",", area_names[a]);
		first = 0;
	}
	if (rc == 0)
		rc = mm_buf_adds(b, "],\"findings\":[");
	for (i = 0; i < rep->nfindings && rc == 0; i++) {
		const struct mm_audit_finding *f = &rep->findings[i];
		rc = mm_buf_adds(b, i ? ",{" : "{");
		if (rc == 0)
			rc = jstr(b, "id", f->check->id, false);
		if (rc == 0)
			rc = jstr(b, "area", area_names[f->check->area], true);
		if (rc == 0)
			rc = jstr(b, "severity", sev_names[f->check->sev], true);
		if (rc == 0)
			rc = jstr(b, "title", f->check->title, true);
		if (rc == 0)
			rc = jstr(b, "evidence", f->evidence, true);
		if (rc == 0)
			rc = jstr(b, "fix", f->check->fix, true);
		if (rc == 0)
			rc = mm_buf_addc(b, '}');
	}
	if (rc == 0)
		rc = mm_buf_adds(b, "],\"notes\":[");
	for (i = 0; i < rep->nnotes && rc == 0; i++) {
		rc = mm_buf_adds(b, i ? ",{" : "{");
		if (rc == 0)
			rc = jstr(b, "area", area_names[rep->notes[i].area], false);
		if (rc == 0)
			rc = jstr(b, "text", rep->notes[i].text, true);
		if (rc == 0)
			rc = mm_buf_addf(b, ",\"needs_root\":%s}",
					 rep->notes[i].needs_root ? "true" : "false");
	}
	if (rc == 0)
		rc = mm_buf_adds(b, "]}\n");
	return rc;
}
