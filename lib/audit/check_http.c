/* SPDX-License-Identifier: MIT */
/*
 * Plain HTTP of local listeners (part of the tls area): every public TCP
 * listener on an HTTP port (role http in data/audit-ports.tsv, or a port
 * nginx or Apache is configured to serve plain HTTP on) gets one
 * minimal request, "GET / HTTP/1.1" with this host's name as Host, over
 * this host's own address, bounded by the probe timeout. Content (2xx)
 * served over plain HTTP is a finding; a redirect to https:// is what a
 * site should answer. Only the status line and the Location header are
 * read.
 */
#include <arpa/inet.h>
#include <errno.h>
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
#include "mamori/cursor.h"

#define HTTP_HEAD_MAX 8192

static bool ieq(struct mm_span s, const char *lit)
{
	size_t n = strlen(lit);

	return s.n == n && strncasecmp(s.p, lit, n) == 0;
}

int audit_http_parse(const char *p, size_t n, struct audit_http_resp *r)
{
	struct mm_cur c = mm_cur_make(p, n), lc;
	struct mm_span line, k, v;
	uint32_t st;

	memset(r, 0, sizeof(*r));
	if (!mm_cur_until(&c, '\n', &line))
		return MM_ERR_PARSE; /* not even a whole status line */
	c.p++;
	lc = mm_cur_make(line.p, line.n);
	if (!mm_cur_lit(&lc, "HTTP/1.") || mm_cur_eof(&lc) || *lc.p < '0' || *lc.p > '9')
		return MM_ERR_PARSE;
	lc.p++;
	if (!mm_cur_char(&lc, ' ') || !mm_cur_fixed_digits(&lc, 3, &st) || st < 100)
		return MM_ERR_PARSE;
	r->status = (int)st;
	mm_cur_skip_ws(&lc);
	mm_cur_rest(&lc, &v);
	while (v.n && (v.p[v.n - 1] == '\r' || v.p[v.n - 1] == ' '))
		v.n--;
	snprintf(r->reason, sizeof(r->reason), "%.*s", (int)(v.n < 63 ? v.n : 63), v.p);
	while (!mm_cur_eof(&c)) {
		if (!mm_cur_until(&c, '\n', &line))
			break; /* a header cut short: ignore it */
		c.p++;
		while (line.n && line.p[line.n - 1] == '\r')
			line.n--;
		if (line.n == 0) {
			r->complete = true;
			break;
		}
		lc = mm_cur_make(line.p, line.n);
		if (!mm_cur_until(&lc, ':', &k))
			continue;
		lc.p++;
		mm_cur_skip_ws(&lc);
		mm_cur_rest(&lc, &v);
		while (v.n && (v.p[v.n - 1] == ' ' || v.p[v.n - 1] == '\t'))
			v.n--;
		if (ieq(k, "location") && !r->location[0] && v.n < sizeof(r->location) &&
		    !memchr(v.p, '\0', v.n)) {
			memcpy(r->location, v.p, v.n);
			r->location[v.n] = '\0';
		} else if (ieq(k, "server") && !r->server[0] && !memchr(v.p, '\0', v.n)) {
			snprintf(r->server, sizeof(r->server), "%.*s",
				 (int)(v.n < sizeof(r->server) - 1 ? v.n : sizeof(r->server) - 1),
				 v.p);
		}
	}
	return 0;
}

/*
 * One request; returns 1 with *r filled, 0 when the answer was not HTTP,
 * -1 when nothing usable came within the timeout.
 */
static int probe(const struct audit_sock *s, const char *host, int timeout_ms,
		 struct audit_http_resp *r)
{
	long long deadline = audit_ms_now() + timeout_ms;
	char req[512], head[HTTP_HEAD_MAX];
	size_t got = 0, sent = 0;
	int fd, k, res = -1;

	k = snprintf(req, sizeof(req),
		     "GET / HTTP/1.1\r\nHost: %s\r\nUser-Agent: mamori-audit\r\nAccept: */*\r\n"
		     "Connection: close\r\n\r\n",
		     host);
	if (k < 0 || (size_t)k >= sizeof(req))
		return -1;
	fd = audit_tcp_connect(s, deadline);
	if (fd < 0)
		return -1;
	while (sent < (size_t)k) {
		ssize_t w = send(fd, req + sent, (size_t)k - sent, MSG_NOSIGNAL);
		if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
			if (!audit_wait_fd(fd, POLLOUT, deadline))
				goto out;
			continue;
		}
		if (w <= 0)
			goto out;
		sent += (size_t)w;
	}
	/* read until the end of the headers, the peer closes, or the deadline */
	while (got < sizeof(head)) {
		ssize_t rd;
		if (!audit_wait_fd(fd, POLLIN, deadline))
			break;
		rd = recv(fd, head + got, sizeof(head) - got, 0);
		if (rd < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (rd <= 0)
			break;
		got += (size_t)rd;
		if (memmem(head, got, "\r\n\r\n", 4) || memmem(head, got, "\n\n", 2))
			break;
	}
	if (got == 0)
		goto out;
	res = audit_http_parse(head, got, r) == 0 ? 1 : 0;
out:
	close(fd);
	return res;
}

int audit_check_http(struct audit_ctx *c, const struct audit_sock *s, size_t n,
		     const struct audit_names *names, const struct audit_web *web)
{
	uint16_t seen[32];
	size_t i, j, nseen = 0;
	const char *host = "localhost";
	int rc = 0;

	/* a name with a dot (the FQDN) is what clients send, else the host name */
	for (i = 0; i < names->n; i++)
		if (strchr(names->v[i], '.') && !strchr(names->v[i], '*')) {
			host = names->v[i];
			break;
		}
	if (i == names->n && names->n)
		host = names->v[0];
	for (i = 0; i < n && rc == 0; i++) {
		struct audit_http_resp r;
		int k;
		if (s[i].proto != IPPROTO_TCP || s[i].loopback ||
		    (!audit_port_find(s[i].port, IPPROTO_TCP, AUDIT_PORT_HTTP) &&
		     !audit_web_port(web, s[i].port, false)))
			continue;
		for (j = 0; j < nseen && seen[j] != s[i].port; j++)
			;
		if (j < nseen || nseen == sizeof(seen) / sizeof(seen[0]))
			continue; /* one probe per port */
		seen[nseen++] = s[i].port;
		k = probe(&s[i], host, c->timeout_ms, &r);
		if (k <= 0) {
			rc = audit_note(c, MM_AUDIT_TLS, false, "%s%s%s:%u: %s",
					s[i].family == AF_INET6 ? "[" : "", s[i].addr,
					s[i].family == AF_INET6 ? "]" : "", s[i].port,
					k == 0 ? "answer to GET / is not HTTP/1.x"
					       : "no HTTP answer within the timeout");
			continue;
		}
		if (r.status >= 200 && r.status < 300)
			rc = audit_find(c, "TLS-HTTP-NO-REDIRECT",
					"%s%s%s:%u: GET / (Host: %s) answered %d %s%s%s%s, no "
					"redirect to https://",
					s[i].family == AF_INET6 ? "[" : "", s[i].addr,
					s[i].family == AF_INET6 ? "]" : "", s[i].port, host,
					r.status, r.reason, r.server[0] ? " (Server: " : "",
					r.server, r.server[0] ? ")" : "");
	}
	return rc;
}
