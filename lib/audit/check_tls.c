/* SPDX-License-Identifier: MIT */
/*
 * TLS of local listeners: every listening TCP socket on a port where TLS
 * is spoken from the first byte gets two handshakes over this host's own
 * addresses (loopback for wildcard binds), each bounded by the probe
 * timeout: one as a current client, to read the certificate, and one
 * offering only TLS 1.0/1.1, which a well-configured server refuses.
 * Certificates are not verified against a CA store: the checks are expiry
 * and self-signature, which need no trust decisions.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "audit_int.h"

#define MAX_PROBES 32
#define EXPIRY_WARN_DAYS 14

static const uint16_t tls_ports[] = {443, 465, 563, 636,  853,	989,  990,  992,
				     993, 994, 995, 5061, 5986, 6697, 8443, 9443};

static bool tls_port(uint16_t p)
{
	size_t i;

	for (i = 0; i < sizeof(tls_ports) / sizeof(tls_ports[0]); i++)
		if (tls_ports[i] == p)
			return true;
	return false;
}

static long long ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool wait_fd(int fd, short ev, long long deadline)
{
	struct pollfd p = {fd, ev, 0};
	long long left = deadline - ms_now();

	return left > 0 && poll(&p, 1, (int)left) == 1;
}

/* Non-blocking connect to the socket's address (loopback for a wildcard). */
static int tcp_connect(const struct audit_sock *s, long long deadline)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd, err = 0;
	socklen_t el = sizeof(err);

	memset(&ss, 0, sizeof(ss));
	if (s->family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		a->sin_family = AF_INET;
		a->sin_port = htons(s->port);
		if (inet_pton(AF_INET, s->addr, &a->sin_addr) != 1 || a->sin_addr.s_addr == 0)
			a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sl = sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons(s->port);
		if (inet_pton(AF_INET6, s->addr, &a->sin6_addr) != 1 ||
		    IN6_IS_ADDR_UNSPECIFIED(&a->sin6_addr) || IN6_IS_ADDR_LINKLOCAL(&a->sin6_addr))
			a->sin6_addr = in6addr_loopback;
		sl = sizeof(*a);
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&ss, sl) < 0 && errno != EINPROGRESS)
		goto fail;
	if (!wait_fd(fd, POLLOUT, deadline))
		goto fail;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0 || err)
		goto fail;
	return fd;
fail:
	close(fd);
	return -1;
}

/* Handshake; returns 1 done (cert in *cert, caller frees), 0 refused, -1 no answer. */
static int handshake(const struct audit_sock *s, bool old_only, int timeout_ms, X509 **cert)
{
	long long deadline = ms_now() + timeout_ms;
	SSL_CTX *ctx = NULL;
	SSL *ssl = NULL;
	int fd, res = -1;

	*cert = NULL;
	fd = tcp_connect(s, deadline);
	if (fd < 0)
		return -1;
	ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx)
		goto out;
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	if (old_only) {
		/* offer only what should be refused; level 0 lets OpenSSL offer it */
		SSL_CTX_set_security_level(ctx, 0);
		SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
		SSL_CTX_set_max_proto_version(ctx, TLS1_1_VERSION);
		SSL_CTX_set_cipher_list(ctx, "DEFAULT:@SECLEVEL=0");
	}
	ssl = SSL_new(ctx);
	if (!ssl || SSL_set_fd(ssl, fd) != 1)
		goto out;
	for (;;) {
		int r = SSL_connect(ssl), e;
		if (r == 1) {
			res = 1;
			*cert = SSL_get1_peer_certificate(ssl);
			break;
		}
		e = SSL_get_error(ssl, r);
		if (e == SSL_ERROR_WANT_READ && wait_fd(fd, POLLIN, deadline))
			continue;
		if (e == SSL_ERROR_WANT_WRITE && wait_fd(fd, POLLOUT, deadline))
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

static int judge_cert(struct audit_ctx *c, const struct audit_sock *s, X509 *cert)
{
	const ASN1_TIME *na = X509_get0_notAfter(cert);
	int days = 0, secs = 0, rc = 0;
	char subj[256] = "";
	const char *br = s->family == AF_INET6 ? "[" : "", *bc = s->family == AF_INET6 ? "]" : "";

	X509_NAME_oneline(X509_get_subject_name(cert), subj, sizeof(subj));
	if (na && ASN1_TIME_diff(&days, &secs, NULL, na)) {
		if (days < 0 || (days == 0 && secs < 0))
			rc = audit_find(c, "TLS-CERT-EXPIRED", "%s%s%s:%u: %s expired %d days ago",
					br, s->addr, bc, s->port, subj, -days);
		else if (days < EXPIRY_WARN_DAYS)
			rc = audit_find(c, "TLS-CERT-EXPIRING", "%s%s%s:%u: %s expires in %d days",
					br, s->addr, bc, s->port, subj, days);
	}
	if (rc == 0 && X509_check_issued(cert, cert) == X509_V_OK)
		rc = audit_find(c, "TLS-CERT-SELF-SIGNED", "%s%s%s:%u: %s issued itself", br,
				s->addr, bc, s->port, subj);
	return rc;
}

int audit_check_tls(struct audit_ctx *c)
{
	struct audit_sock *s;
	uint16_t seen[MAX_PROBES];
	size_t n = 0, i, j, nseen = 0;
	int rc;

	s = calloc(4096, sizeof(*s));
	if (!s)
		return MM_ERR_NOMEM;
	rc = audit_listeners(s, 4096, &n);
	if (rc < 0) {
		rc = audit_note(c, MM_AUDIT_TLS, false, "sock_diag netlink: %s", mm_strerror(rc));
		goto out;
	}
	for (i = 0; i < n && rc == 0; i++) {
		X509 *cert = NULL;
		int h;
		if (s[i].proto != IPPROTO_TCP || !tls_port(s[i].port))
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
		seen[nseen++] = s[i].port;
		h = handshake(&s[i], false, c->timeout_ms, &cert);
		if (h <= 0) {
			rc = audit_note(c, MM_AUDIT_TLS, false, "%s:%u: %s", s[i].addr, s[i].port,
					h == 0 ? "TLS handshake refused (not TLS, or a client "
						 "certificate is required)"
					       : "no TLS answer within the timeout");
			continue;
		}
		if (cert)
			rc = judge_cert(c, &s[i], cert);
		X509_free(cert);
		cert = NULL;
		if (rc == 0 && handshake(&s[i], true, c->timeout_ms, &cert) == 1)
			rc = audit_find(c, "TLS-OLD-PROTOCOL", "%s%s%s:%u accepts TLS 1.0/1.1",
					s[i].family == AF_INET6 ? "[" : "", s[i].addr,
					s[i].family == AF_INET6 ? "]" : "", s[i].port);
		X509_free(cert);
	}
out:
	free(s);
	return rc;
}
