/* SPDX-License-Identifier: MIT */
/*
 * Exposure: listening TCP sockets and bound UDP sockets from netlink
 * sock_diag (raw NETLINK_SOCK_DIAG, no library needed), their owners from
 * /proc/PID/fd, and the services that should rarely face the Internet
 * (role risky in data/audit-ports.tsv).
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "audit_int.h"

const struct audit_port *audit_port_find(uint16_t port, uint8_t proto, enum audit_port_role role)
{
	unsigned i;

	for (i = 0; i < audit_ports_count; i++)
		if (audit_ports_table[i].port == port && audit_ports_table[i].proto == proto &&
		    audit_ports_table[i].role == role)
			return &audit_ports_table[i];
	return NULL;
}

#define MAX_SOCKS 4096

static int dump(int fd, uint8_t family, uint8_t proto, struct audit_sock *s, size_t *n, size_t max)
{
	struct {
		struct nlmsghdr nh;
		struct inet_diag_req_v2 r;
	} req;
	char buf[16384];
	bool done = false;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = sizeof(req);
	req.nh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.r.sdiag_family = family;
	req.r.sdiag_protocol = proto;
	req.r.idiag_states = proto == IPPROTO_TCP ? (1u << 10) /* TCP_LISTEN */ : (1u << 7);
	if (send(fd, &req, sizeof(req), 0) < 0)
		return MM_ERR_IO;
	while (!done) {
		struct pollfd p = {fd, POLLIN, 0};
		struct nlmsghdr *h;
		ssize_t k;
		if (poll(&p, 1, 2000) <= 0)
			return MM_ERR_IO;
		k = recv(fd, buf, sizeof(buf), 0);
		if (k < 0)
			return errno == EINTR ? 0 : MM_ERR_IO;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)k); h = NLMSG_NEXT(h, k)) {
			struct inet_diag_msg *m;
			struct audit_sock *x;
			if (h->nlmsg_type == NLMSG_DONE) {
				done = true;
				break;
			}
			if (h->nlmsg_type == NLMSG_ERROR)
				return MM_ERR_IO;
			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)) || *n >= max)
				continue;
			m = NLMSG_DATA(h);
			if (proto == IPPROTO_UDP && m->id.idiag_dport != 0)
				continue;
			x = &s[(*n)++];
			x->family = family;
			x->proto = proto;
			x->port = ntohs(m->id.idiag_sport);
			x->inode = m->idiag_inode;
			inet_ntop(family, m->id.idiag_src, x->addr, sizeof(x->addr));
			if (family == AF_INET)
				x->loopback = ((const uint8_t *)m->id.idiag_src)[0] == 127;
			else
				x->loopback = IN6_IS_ADDR_LOOPBACK(
						  (const struct in6_addr *)m->id.idiag_src) ||
					      (IN6_IS_ADDR_V4MAPPED(
						   (const struct in6_addr *)m->id.idiag_src) &&
					       ((const uint8_t *)m->id.idiag_src)[12] == 127);
		}
	}
	return 0;
}

/* "name[pid]" of the process holding socket inode, or "" */
static void owner(unsigned inode, char *out, size_t n)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	char want[64];
	unsigned scanned = 0;

	out[0] = '\0';
	if (!d || inode == 0)
		goto out;
	snprintf(want, sizeof(want), "socket:[%u]", inode);
	while ((e = readdir(d)) && !out[0] && scanned < 100000) {
		char p[300], l[64];
		DIR *fd;
		struct dirent *f;
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(p, sizeof(p), "/proc/%s/fd", e->d_name);
		fd = opendir(p);
		if (!fd)
			continue;
		while ((f = readdir(fd)) && scanned++ < 100000) {
			char fp[600];
			ssize_t k;
			snprintf(fp, sizeof(fp), "%s/%s", p, f->d_name);
			k = readlink(fp, l, sizeof(l) - 1);
			if (k <= 0)
				continue;
			l[k] = '\0';
			if (strcmp(l, want) == 0) {
				char cp[300], comm[64] = "";
				FILE *cf;
				snprintf(cp, sizeof(cp), "/proc/%s/comm", e->d_name);
				cf = fopen(cp, "re");
				if (cf) {
					if (fgets(comm, sizeof(comm), cf))
						comm[strcspn(comm, "\n")] = '\0';
					fclose(cf);
				}
				snprintf(out, n, "%.63s[%.20s]", comm, e->d_name);
				break;
			}
		}
		closedir(fd);
	}
out:
	if (d)
		closedir(d);
}

static bool fw_restricts(const struct audit_ctx *c, const struct audit_sock *s)
{
	size_t i;
	bool drop = s->family == AF_INET ? c->fw.v4_drop : c->fw.v6_drop;

	if (!c->fw.known || !drop || c->fw.accept_any_port)
		return false;
	for (i = 0; i < c->fw.naccepted; i++)
		if (c->fw.accepted[i] == s->port)
			return false;
	return true;
}

int audit_listeners(struct audit_sock *s, size_t max, size_t *n)
{
	static const uint8_t fams[] = {AF_INET, AF_INET6}, protos[] = {IPPROTO_TCP, IPPROTO_UDP};
	size_t i, j;
	int fd, rc = 0;

	*n = 0;
	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return MM_ERR_UNSUPPORTED;
	for (i = 0; i < 2 && rc == 0; i++)
		for (j = 0; j < 2 && rc == 0; j++)
			rc = dump(fd, fams[i], protos[j], s, n, max);
	close(fd);
	return rc;
}

int audit_check_exposure(struct audit_ctx *c)
{
	struct audit_sock *s;
	size_t n = 0, i;
	int rc = 0;

	s = calloc(MAX_SOCKS, sizeof(*s));
	if (!s)
		return MM_ERR_NOMEM;
	rc = audit_listeners(s, MAX_SOCKS, &n);
	if (rc < 0) {
		rc = audit_note(c, MM_AUDIT_EXPOSURE, false, "sock_diag netlink: %s",
				mm_strerror(rc));
		goto out;
	}
	if (rc == 0 && !c->privileged)
		rc = audit_note(c, MM_AUDIT_EXPOSURE, true,
				"owning processes of other users' sockets need root");
	if (rc == 0 && !c->fw.known && (c->opts->areas & (1u << MM_AUDIT_FIREWALL)) == 0 &&
	    c->opts->areas)
		rc = audit_note(
		    c, MM_AUDIT_EXPOSURE, false,
		    "firewall not read (--only): every public listener counts as exposed");
	for (i = 0; i < n && rc == 0; i++) {
		const struct audit_port *r;
		char who[128];
		if (s[i].loopback)
			continue;
		r = audit_port_find(s[i].port, s[i].proto, AUDIT_PORT_RISKY);
		if (!r || fw_restricts(c, &s[i]))
			continue;
		owner(s[i].inode, who, sizeof(who));
		rc = audit_find(
		    c, "EXP-RISKY-SERVICE", "%s on %s %s%s%s:%u%s%s, firewall %s", r->name,
		    s[i].proto == IPPROTO_TCP ? "tcp" : "udp", s[i].family == AF_INET6 ? "[" : "",
		    s[i].addr, s[i].family == AF_INET6 ? "]" : "", s[i].port, who[0] ? " by " : "",
		    who, c->fw.known ? "does not restrict it" : "not known to restrict it");
	}
out:
	free(s);
	return rc;
}
