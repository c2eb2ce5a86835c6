/* SPDX-License-Identifier: MIT */
/*
 * Bounded network probes of local listeners, shared by the TLS and HTTP
 * checks: a monotonic clock in milliseconds, a poll() that honours one
 * deadline across interruptions, and a non-blocking TCP connect to a
 * listener's own address (loopback for a wildcard or link-local bind).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "audit_int.h"

long long audit_ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool audit_wait_fd(int fd, short ev, long long deadline)
{
	struct pollfd p = {fd, ev, 0};
	long long left = deadline - audit_ms_now();

	while (left > 0) {
		int r = poll(&p, 1, (int)left);

		if (r == 1)
			return true;
		if (r < 0 && errno != EINTR)
			return false;
		left = deadline - audit_ms_now();
	}
	return false;
}

int audit_tcp_connect(const struct audit_sock *s, long long deadline)
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
	if (!audit_wait_fd(fd, POLLOUT, deadline))
		goto fail;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0 || err)
		goto fail;
	return fd;
fail:
	close(fd);
	return -1;
}
