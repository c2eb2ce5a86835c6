/* SPDX-License-Identifier: MIT */
/*
 * TLS of local listeners: every listening TCP socket on a port where TLS
 * is spoken from the first byte (role tls in data/audit-ports.tsv, or a
 * port nginx or Apache is configured to serve TLS on) gets two handshakes over this
 * host's own addresses (loopback for wildcard binds), each bounded by the probe timeout: one that
 * accepts anything (security level 0, TLS 1.0 and up), to read the certificate chain whatever its
 * key, and one offering only TLS 1.0/1.1, which a well-configured server refuses. The chain is then
 * judged here, not during the handshake: expiry, self-signature, trust
 * (the system store, as OpenSSL's default paths, SSL_CERT_FILE and
 * SSL_CERT_DIR included; time errors left to the expiry checks), the
 * host's names, and the key size. libssl and libcrypto are opened with
 * dlopen() on the first probe (lib/core/openssl_lib.h), not linked.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "audit_int.h"
#include "lib/core/openssl_lib.h"
#include "mamori/cursor.h"

#define MAX_PROBES 32
#define MAX_SITES_PER_PORT 16
#define EXPIRY_WARN_DAYS 21

/* What one handshake learnt. */
struct hs {
	X509 *leaf;
	STACK_OF(X509) * chain; /* as sent by the peer, leaf included */
};

static void hs_release(struct hs *h)
{
	X509_free(h->leaf);
	sk_X509_pop_free(h->chain, X509_free);
	h->leaf = NULL;
	h->chain = NULL;
}

/*
 * Handshake, with sni as the server name indication when not NULL; returns
 * 1 done (certificates in *out), 0 refused, -1 no answer.
 */
static int handshake(const struct audit_sock *s, bool old_only, const char *sni, int timeout_ms,
		     struct hs *out)
{
	long long deadline = audit_ms_now() + timeout_ms;
	SSL_CTX *ctx = NULL;
	SSL *ssl = NULL;
	int fd, res = -1;

	out->leaf = NULL;
	out->chain = NULL;
	fd = audit_tcp_connect(s, deadline);
	if (fd < 0)
		return -1;
	ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx)
		goto out;
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	/* level 0 so a 1024-bit key or an old protocol is seen, not refused */
	SSL_CTX_set_security_level(ctx, 0);
	SSL_CTX_set_cipher_list(ctx, "DEFAULT:@SECLEVEL=0");
	SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
	if (old_only)
		SSL_CTX_set_max_proto_version(ctx, TLS1_1_VERSION);
	ssl = SSL_new(ctx);
	if (!ssl || SSL_set_fd(ssl, fd) != 1)
		goto out;
	if (sni) {
		char host[AUDIT_NAME_MAX]; /* the macro takes a non-const pointer */
		snprintf(host, sizeof(host), "%s", sni);
		if (SSL_set_tlsext_host_name(ssl, host) != 1)
			goto out;
	}
	for (;;) {
		int r = SSL_connect(ssl), e;
		if (r == 1) {
			STACK_OF(X509) *ch = SSL_get_peer_cert_chain(ssl);
			res = 1;
			out->leaf = SSL_get1_peer_certificate(ssl);
			out->chain = ch ? X509_chain_up_ref(ch) : NULL;
			break;
		}
		e = SSL_get_error(ssl, r);
		if (e == SSL_ERROR_WANT_READ && audit_wait_fd(fd, POLLIN, deadline))
			continue;
		if (e == SSL_ERROR_WANT_WRITE && audit_wait_fd(fd, POLLOUT, deadline))
			continue;
		res = e == SSL_ERROR_SSL ? 0 : -1;
		break;
	}
out:
	ERR_clear_error();
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(fd);
	return res;
}

/* Time is judged by the expiry checks: a trusted but expired chain is not "untrusted". */
static int verify_cb(int ok, X509_STORE_CTX *x)
{
	int e = X509_STORE_CTX_get_error(x);

	if (!ok && (e == X509_V_ERR_CERT_HAS_EXPIRED || e == X509_V_ERR_CERT_NOT_YET_VALID))
		return 1;
	return ok;
}

/* X509_V_OK, or the first verification error of the chain against store. */
static int verify_chain(X509_STORE *store, const struct hs *h)
{
	X509_STORE_CTX *x = X509_STORE_CTX_new();
	int e = X509_V_ERR_UNSPECIFIED;

	if (!x)
		return e;
	if (X509_STORE_CTX_init(x, store, h->leaf, h->chain) == 1) {
		X509_STORE_CTX_set_verify_cb(x, verify_cb);
		X509_STORE_CTX_set_purpose(x, X509_PURPOSE_SSL_SERVER);
		e = X509_verify_cert(x) == 1 ? X509_V_OK : X509_STORE_CTX_get_error(x);
		if (e == X509_V_OK && X509_STORE_CTX_get_error(x) != X509_V_OK)
			e = X509_STORE_CTX_get_error(x);
		if (e == X509_V_ERR_CERT_HAS_EXPIRED || e == X509_V_ERR_CERT_NOT_YET_VALID)
			e = X509_V_OK;
	}
	X509_STORE_CTX_free(x);
	ERR_clear_error();
	return e;
}

/* "dNSName, dNSName, ..." of the certificate, else its CN. */
static void cert_names(X509 *cert, char *out, size_t n)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	struct mm_buf b;
	int i;

	out[0] = '\0';
	mm_buf_init(&b, n > 1 ? n - 1 : 1);
	for (i = 0; gens && i < sk_GENERAL_NAME_num(gens); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		const unsigned char *d;
		int len;
		if (g->type != GEN_DNS)
			continue;
		d = ASN1_STRING_get0_data(g->d.dNSName);
		len = ASN1_STRING_length(g->d.dNSName);
		if (len <= 0 || len > 253 || memchr(d, '\0', (size_t)len))
			continue;
		if (mm_buf_addf(&b, "%s%.*s", b.len ? ", " : "", len, (const char *)d) < 0)
			break;
	}
	GENERAL_NAMES_free(gens);
	if (!b.len) {
		char cn[256];
		if (X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn,
					      sizeof(cn)) > 0)
			mm_buf_addf(&b, "CN=%s", cn);
	}
	if (b.data)
		snprintf(out, n, "%s", b.data);
	mm_buf_release(&b);
}

/* Public key algorithm and size; true when weak (RSA/DSA < 2048, EC < 256 bits). */
static bool weak_key(X509 *cert, char *what, size_t n)
{
	EVP_PKEY *k = X509_get0_pubkey(cert);
	int bits, id;
	const char *alg;
	bool weak;

	if (!k)
		return false;
	bits = EVP_PKEY_get_bits(k);
	id = EVP_PKEY_get_base_id(k);
	switch (id) {
	case EVP_PKEY_RSA:
	case EVP_PKEY_RSA_PSS:
		alg = "RSA";
		weak = bits < 2048;
		break;
	case EVP_PKEY_DSA:
		alg = "DSA";
		weak = bits < 2048;
		break;
	case EVP_PKEY_EC:
		alg = "EC";
		weak = bits < 256;
		break;
	default:
		return false; /* Ed25519, Ed448: fixed, strong sizes */
	}
	snprintf(what, n, "%s %d bits", alg, bits);
	return weak;
}

/* "ADDR:PORT" or "[ADDR]:PORT", and " (SITE)" when a site name was asked for. */
static void where_of(const struct audit_sock *s, const char *site, char *out, size_t n)
{
	snprintf(out, n, "%s%s%s:%u%s%s%s", s->family == AF_INET6 ? "[" : "", s->addr,
		 s->family == AF_INET6 ? "]" : "", s->port, site ? " (" : "", site ? site : "",
		 site ? ")" : "");
}

/* Expiry, self-signature, trust and key size of the leaf of h. */
static int judge_cert(struct audit_ctx *c, const char *where, const struct hs *h, X509_STORE *store)
{
	X509 *cert = h->leaf;
	const ASN1_TIME *na = X509_get0_notAfter(cert);
	int days = 0, secs = 0, rc = 0;
	char subj[256] = "", what[64];
	bool self;

	X509_NAME_oneline(X509_get_subject_name(cert), subj, sizeof(subj));
	if (na && ASN1_TIME_diff(&days, &secs, NULL, na)) {
		if (days < 0 || (days == 0 && secs < 0))
			rc = audit_find(c, "TLS-CERT-EXPIRED", "%s: %s expired %d days ago", where,
					subj, -days);
		else if (days < EXPIRY_WARN_DAYS)
			rc = audit_find(c, "TLS-CERT-EXPIRING", "%s: %s expires in %d days", where,
					subj, days);
	}
	self = X509_check_issued(cert, cert) == X509_V_OK;
	if (rc == 0 && self)
		rc = audit_find(c, "TLS-CERT-SELF-SIGNED", "%s: %s issued itself", where, subj);
	if (rc == 0 && !self && store) {
		int e = verify_chain(store, h);
		if (e != X509_V_OK)
			rc = audit_find(c, "TLS-CERT-UNTRUSTED",
					"%s: %s: %s (chain of %d sent, checked against the "
					"system trust store)",
					where, subj, X509_verify_cert_error_string(e),
					h->chain ? sk_X509_num(h->chain) : 1);
	}
	if (rc == 0 && weak_key(cert, what, sizeof(what)))
		rc = audit_find(c, "TLS-KEY-WEAK", "%s: %s has a weak key: %s", where, subj, what);
	return rc;
}

/* The certificate a port sends without SNI should carry one of the host's names. */
static int judge_host_names(struct audit_ctx *c, const char *where, X509 *cert,
			    const struct audit_names *names)
{
	struct mm_buf tried;
	char cn[512];
	size_t i;
	int rc;

	if (names->n == 0)
		return 0;
	for (i = 0; i < names->n; i++)
		if (X509_check_host(cert, names->v[i], 0, 0, NULL) == 1)
			return 0;
	mm_buf_init(&tried, 1024);
	for (i = 0; i < names->n; i++)
		mm_buf_addf(&tried, "%s%s", i ? ", " : "", names->v[i]);
	cert_names(cert, cn, sizeof(cn));
	rc = audit_find(c, "TLS-CERT-NAME",
			"%s: certificate for %s matches none of this host's names (%s)", where,
			cn[0] ? cn : "no DNS name", tried.data ? tried.data : "");
	mm_buf_release(&tried);
	return rc;
}

/*
 * Each configured site on the port of s, asked for by name (SNI): the
 * certificate it gets must cover that name, and one that differs from the
 * port's default certificate is judged like it.
 */
static int judge_sites(struct audit_ctx *c, const struct audit_sock *s, const struct hs *dflt,
		       X509_STORE *store, const struct audit_web *web)
{
	char where[AUDIT_NAME_MAX + 80], cn[512];
	size_t i = 0, probed = 0;
	int rc = 0;

	for (; rc == 0 && audit_web_site_next(web, s->port, &i); i++) {
		const char *name = web->sites[i].name;
		struct hs h = {NULL, NULL};
		int r;

		if (probed == MAX_SITES_PER_PORT) {
			rc = audit_note(
			    c, MM_AUDIT_TLS, false,
			    "port %u: more than %d sites; the rest not asked for by name", s->port,
			    MAX_SITES_PER_PORT);
			break;
		}
		probed++;
		where_of(s, name, where, sizeof(where));
		r = handshake(s, false, name, c->timeout_ms, &h);
		if (r <= 0 || !h.leaf) {
			rc = audit_note(c, MM_AUDIT_TLS, false, "%s: %s", where,
					r == 0	 ? "TLS handshake refused"
					: r == 1 ? "no certificate sent"
						 : "no TLS answer within the timeout");
			hs_release(&h);
			continue;
		}
		if (X509_check_host(h.leaf, name, 0, 0, NULL) != 1) {
			cert_names(h.leaf, cn, sizeof(cn));
			rc = audit_find(c, "TLS-CERT-NAME",
					"%s: asked for %s, got a certificate for %s (configured "
					"as a server name for this port)",
					where, name, cn[0] ? cn : "no DNS name");
		}
		if (rc == 0 && X509_cmp(h.leaf, dflt->leaf) != 0)
			rc = judge_cert(c, where, &h, store);
		hs_release(&h);
	}
	return rc;
}

/* ---- this host's names ----------------------------------------------------- */

bool audit_name_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n >= AUDIT_NAME_MAX)
		return false;
	for (i = 0; i < n; i++) {
		char ch = s[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' || ch == '_' || ch == '*'))
			return false;
	}
	/* names every host has say nothing about this one */
	return !(n >= 9 && strncasecmp(s, "localhost", 9) == 0) &&
	       !(n == 13 && strncasecmp(s, "ip6-localhost", 13) == 0) &&
	       !(n == 14 && strncasecmp(s, "ip6-loopback", 12) == 0);
}

int audit_names_add(struct audit_names *nm, const char *s, size_t n)
{
	size_t i;

	while (n && (s[n - 1] == '.' || s[n - 1] == '\r' || s[n - 1] == ' '))
		n--;
	if (!audit_name_ok(s, n))
		return 0;
	for (i = 0; i < nm->n; i++)
		if (strlen(nm->v[i]) == n && strncasecmp(nm->v[i], s, n) == 0)
			return 0;
	if (nm->n >= AUDIT_NAMES_MAX)
		return 0;
	memcpy(nm->v[nm->n], s, n);
	nm->v[nm->n][n] = '\0';
	nm->n++;
	return 1;
}

/*
 * The kernel's host name, /etc/hostname, and every name on the /etc/hosts
 * lines that carry one of them (where the FQDN usually is). No DNS: the
 * audit never sends a query.
 */
void audit_host_names(const struct audit_ctx *c, struct audit_names *nm)
{
	char hn[256], p[1100];
	struct mm_buf b;
	struct mm_cur cur;
	struct mm_span line;
	size_t i, nbase;

	if (c->live && gethostname(hn, sizeof(hn)) == 0) {
		hn[sizeof(hn) - 1] = '\0';
		audit_names_add(nm, hn, strlen(hn));
	}
	mm_buf_init(&b, AUDIT_FILE_CAP);
	audit_path(c, "/etc/hostname", p, sizeof(p));
	if (audit_read(c, p, 4096, &b) == 0) {
		struct mm_cur hc = mm_cur_make(b.data, b.len);
		struct mm_span w;
		mm_cur_skip_ws(&hc);
		if (!mm_cur_until(&hc, '\n', &w))
			mm_cur_rest(&hc, &w);
		audit_names_add(nm, w.p, w.n);
	}
	nbase = nm->n;
	audit_path(c, "/etc/hosts", p, sizeof(p));
	if (nbase && audit_read(c, p, AUDIT_FILE_CAP, &b) == 0) {
		cur = mm_cur_make(b.data, b.len);
		while (!mm_cur_eof(&cur)) {
			struct mm_span w[16];
			struct mm_cur lc;
			size_t nw = 0, k;
			bool hit = false;
			if (!mm_cur_until(&cur, '\n', &line))
				mm_cur_rest(&cur, &line);
			else
				cur.p++;
			lc = mm_cur_make(line.p, line.n);
			{
				const char *hash = memchr(line.p, '#', line.n);
				if (hash)
					lc.end = hash;
			}
			for (;;) {
				while (!mm_cur_eof(&lc) &&
				       (*lc.p == ' ' || *lc.p == '\t' || *lc.p == '\r'))
					lc.p++;
				if (nw == 16 || !mm_cur_word(&lc, &w[nw]))
					break;
				while (w[nw].n && w[nw].p[w[nw].n - 1] == '\r')
					w[nw].n--;
				nw++;
			}
			for (k = 1; k < nw && !hit; k++)
				for (i = 0; i < nbase && !hit; i++)
					hit = strlen(nm->v[i]) == w[k].n &&
					      strncasecmp(nm->v[i], w[k].p, w[k].n) == 0;
			for (k = 1; hit && k < nw; k++)
				audit_names_add(nm, w[k].p, w[k].n);
		}
	}
	mm_buf_release(&b);
}

int audit_check_tls(struct audit_ctx *c)
{
	struct audit_sock *s;
	struct audit_names *names;
	X509_STORE *store = NULL;
	struct audit_web *web = NULL;
	uint16_t seen[MAX_PROBES];
	char where[80];
	size_t n = 0, i, j, nseen = 0;
	int rc;

	s = calloc(4096, sizeof(*s));
	names = calloc(1, sizeof(*names));
	if (!s || !names) {
		rc = MM_ERR_NOMEM;
		goto out;
	}
	rc = audit_listeners(s, 4096, &n);
	if (rc < 0) {
		rc = audit_note(c, MM_AUDIT_TLS, false, "sock_diag netlink: %s", mm_strerror(rc));
		goto out;
	}
	audit_host_names(c, names);
	web = calloc(1, sizeof(*web));
	if (!web) {
		rc = MM_ERR_NOMEM;
		goto out;
	}
	rc = audit_web_config(c, web);
	if (rc < 0)
		goto out;
	for (i = 0; i < web->names.n; i++)
		audit_names_add(names, web->names.v[i], strlen(web->names.v[i]));
	for (i = 0; i < n && rc == 0; i++) {
		struct hs h = {NULL, NULL};
		int r;
		if (s[i].proto != IPPROTO_TCP ||
		    (!audit_port_find(s[i].port, IPPROTO_TCP, AUDIT_PORT_TLS) &&
		     !audit_web_port(web, s[i].port, true)))
			continue;
		for (j = 0; j < nseen && seen[j] != s[i].port; j++)
			;
		if (j < nseen)
			continue; /* one probe per port: v4 and v6 are usually one server */
		if (nseen == MAX_PROBES) {
			rc = audit_note(c, MM_AUDIT_TLS, false,
					"more than %d TLS ports; rest not probed", MAX_PROBES);
			break;
		}
		if (nseen == 0) {
			struct mm_err lerr = {0, ""};
			if (mm_ssl_load(&lerr) < 0) {
				rc = audit_note(c, MM_AUDIT_TLS, false, "TLS not probed: %s",
						lerr.msg);
				break;
			}
			/* loaded once, and only when there is something to verify */
			store = X509_STORE_new();
			if (store && X509_STORE_set_default_paths(store) != 1) {
				X509_STORE_free(store);
				store = NULL;
			}
			ERR_clear_error();
			if (!store)
				rc = audit_note(c, MM_AUDIT_TLS, false,
						"no system trust store; certificate chains not "
						"verified");
			if (rc == 0 && names->n == 0)
				rc =
				    audit_note(c, MM_AUDIT_TLS, false,
					       "no host name known; certificate names not checked");
			if (rc < 0)
				break;
		}
		seen[nseen++] = s[i].port;
		r = handshake(&s[i], false, NULL, c->timeout_ms, &h);
		if (r <= 0 || !h.leaf) {
			rc = audit_note(c, MM_AUDIT_TLS, false, "%s:%u: %s", s[i].addr, s[i].port,
					r == 0	 ? "TLS handshake refused (not TLS, or a client "
						   "certificate is required)"
					: r == 1 ? "no certificate sent"
						 : "no TLS answer within the timeout");
			hs_release(&h);
			continue;
		}
		where_of(&s[i], NULL, where, sizeof(where));
		rc = judge_cert(c, where, &h, store);
		if (rc == 0)
			rc = judge_host_names(c, where, h.leaf, names);
		if (rc == 0)
			rc = judge_sites(c, &s[i], &h, store, web);
		hs_release(&h);
		if (rc == 0 && handshake(&s[i], true, NULL, c->timeout_ms, &h) == 1)
			rc = audit_find(c, "TLS-OLD-PROTOCOL", "%s%s%s:%u accepts TLS 1.0/1.1",
					s[i].family == AF_INET6 ? "[" : "", s[i].addr,
					s[i].family == AF_INET6 ? "]" : "", s[i].port);
		hs_release(&h);
	}
	if (rc == 0)
		rc = audit_check_http(c, s, n, names, web);
out:
	if (store)
		X509_STORE_free(store);
	free(web);
	free(names);
	free(s);
	return rc;
}
