/* SPDX-License-Identifier: MIT */
/*
 * DNS blocklists and reverse DNS with c-ares (the only user of c-ares).
 *
 * Both calls share one engine: the distinct addresses of the input (a
 * per-call cache, so an address listed twice is asked once) become jobs,
 * at most max_inflight queries are outstanding at any time, and an event
 * loop drives c-ares with ares_getsock + poll, never sleeping longer than
 * c-ares' own next timeout.
 *
 * Timing is deterministic: c-ares runs with tries = 1 and we retry a
 * query that timed out, got SERVFAIL or found no server ourselves. c-ares would double the timeout
 * on each retry (2 s + 4 s for two tries), which makes "timeout * tries" a lie; our retries reuse
 * the same timeout, so a resolver that never answers costs each query exactly timeout_ms * tries.
 *
 * Everything in an answer is attacker-controlled: DNSBL answers come
 * through whatever resolver is configured, and PTR records of an
 * attacker's address are written by the attacker. c-ares parses the
 * message (and rejects names with non-hostname bytes); we still copy
 * names through a sanitizer with a length cap and only resolve forward
 * names that are plain hostnames.
 */
#include <arpa/nameser.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ares.h>

#include "lib/enrich/dnsbl_int.h"
#include "mamori/enrich.h"

#define DEF_TIMEOUT_MS 2000
#define DEF_TRIES 2
#define DEF_INFLIGHT 64
#define MAX_TIMEOUT_MS 60000
#define MAX_TRIES 10
#define MAX_INFLIGHT 1024
#define MAX_SERVERS_LEN 4096
#define QNAME_MAX 320
/* answers beyond this many records are not looked at */
#define MAX_RRS 64

/* ---- answer interpretation (also fuzzed) -------------------------- */

static bool is_host_byte(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '-' || ch == '_' || ch == '.';
}

bool mm_dnsbl_sanitize_name(const char *s, size_t n, char *out, size_t outsz)
{
	bool clean = true;
	size_t i, o = 0, label = 0;

	if (!out || outsz == 0)
		return false;
	if (!s)
		n = 0;
	if (n > 0 && s[n - 1] == '.')
		n--;
	if (n == 0)
		clean = false;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (o + 1 >= outsz) {
			clean = false;
			break;
		}
		if (!is_host_byte(ch)) {
			ch = '?';
			clean = false;
		}
		if (ch == '.') {
			if (label == 0)
				clean = false;
			label = 0;
		} else if (++label > 63) {
			clean = false;
		}
		out[o++] = (char)ch;
	}
	out[o] = '\0';
	/* "a.." arrives here as "a." after the one trailing dot went */
	if (o > 0 && out[o - 1] == '.')
		clean = false;
	return clean;
}

void mm_dnsbl_interpret(const unsigned char *abuf, int alen, struct mm_dnsbl_result *res,
			bool *bogus)
{
	struct ares_addrttl at[MAX_RRS];
	int nat = MAX_RRS, r, k;
	unsigned best = 256;
	bool refused = false;

	*bogus = false;
	res->code = 0;
	if (!abuf || alen <= 0) {
		res->status = MM_DNS_ERROR;
		return;
	}
	r = ares_parse_a_reply(abuf, alen, NULL, at, &nat);
	if (r == ARES_ENODATA) {
		/* NOERROR with no A record (a CNAME or TXT only): not listed */
		res->status = MM_DNS_NOT_LISTED;
		return;
	}
	if (r != ARES_SUCCESS) {
		res->status = MM_DNS_ERROR;
		return;
	}
	if (nat <= 0 || nat > MAX_RRS) {
		res->status = MM_DNS_NOT_LISTED;
		return;
	}
	for (k = 0; k < nat; k++) {
		uint32_t ip = ntohl(at[k].ipaddr.s_addr);

		if ((ip >> 24) != 127) {
			/* a list never answers outside 127/8: misconfigured or hijacked */
			*bogus = true;
			continue;
		}
		/*
		 * 127.255.255.x is how lists say "your query was refused"
		 * (Spamhaus: .252 bad zone, .254 public resolver, .255 too
		 * many queries): a failure, not a listing.
		 */
		if ((ip >> 8) == 0x7fffffu) {
			refused = true;
			continue;
		}
		/* several codes: keep the lowest, so answer order does not matter */
		if ((ip & 0xff) < best)
			best = ip & 0xff;
	}
	if (*bogus || refused || best > 255) {
		res->status = MM_DNS_ERROR;
		return;
	}
	res->status = MM_DNS_LISTED;
	res->code = (uint8_t)best;
}

static int addr_len(const struct mm_addr *a)
{
	if (a->family == MM_AF_INET)
		return 4;
	if (a->family == MM_AF_INET6)
		return 16;
	return 0;
}

enum mm_dns_status mm_dnsbl_interpret_ptr(const unsigned char *abuf, int alen,
					  const struct mm_addr *a, char *name, size_t namesz,
					  bool *clean)
{
	struct hostent *he = NULL;
	enum mm_dns_status st;
	int len = addr_len(a), r;

	*clean = false;
	if (namesz > 0)
		name[0] = '\0';
	if (!abuf || alen <= 0 || len == 0 || namesz == 0)
		return MM_DNS_ERROR;
	r = ares_parse_ptr_reply(abuf, alen, a->b, len, len == 4 ? AF_INET : AF_INET6, &he);
	if (r == ARES_ENODATA || r == ARES_ENOTFOUND) {
		st = MM_DNS_NOT_LISTED;
		goto out;
	}
	if (r != ARES_SUCCESS || !he || !he->h_name) {
		st = MM_DNS_ERROR;
		goto out;
	}
	*clean = mm_dnsbl_sanitize_name(he->h_name, strnlen(he->h_name, 1024), name, namesz);
	/* a PTR to the root or to nothing names nobody */
	st = name[0] ? MM_DNS_LISTED : MM_DNS_ERROR;
out:
	if (he)
		ares_free_hostent(he);
	return st;
}

bool mm_dnsbl_forward_has(const unsigned char *abuf, int alen, const struct mm_addr *a)
{
	int n = MAX_RRS, k;

	if (!abuf || alen <= 0)
		return false;
	if (a->family == MM_AF_INET) {
		struct ares_addrttl at[MAX_RRS];

		if (ares_parse_a_reply(abuf, alen, NULL, at, &n) != ARES_SUCCESS)
			return false;
		for (k = 0; k < n && k < MAX_RRS; k++)
			if (memcmp(&at[k].ipaddr, a->b, 4) == 0)
				return true;
	} else if (a->family == MM_AF_INET6) {
		struct ares_addr6ttl at6[MAX_RRS];

		if (ares_parse_aaaa_reply(abuf, alen, NULL, at6, &n) != ARES_SUCCESS)
			return false;
		for (k = 0; k < n && k < MAX_RRS; k++)
			if (memcmp(&at6[k].ip6addr, a->b, 16) == 0)
				return true;
	}
	return false;
}

int mm_dnsbl_qname(const struct mm_addr *a, const char *zone, char *out, size_t outsz)
{
	static const char hex[] = "0123456789abcdef";
	char nib[65];
	int n, i;

	if (!out || outsz == 0)
		return MM_ERR_INVAL;
	out[0] = '\0';
	if (a->family == MM_AF_INET) {
		n = snprintf(out, outsz, "%u.%u.%u.%u.%s", a->b[3], a->b[2], a->b[1], a->b[0],
			     zone ? zone : "in-addr.arpa");
	} else if (a->family == MM_AF_INET6) {
		for (i = 0; i < 16; i++) {
			nib[4 * i] = hex[a->b[15 - i] & 0xf];
			nib[4 * i + 1] = '.';
			nib[4 * i + 2] = hex[a->b[15 - i] >> 4];
			nib[4 * i + 3] = '.';
		}
		nib[64] = '\0';
		n = snprintf(out, outsz, "%s%s", nib, zone ? zone : "ip6.arpa");
	} else {
		return MM_ERR_INVAL;
	}
	if (n < 0 || (size_t)n >= outsz) {
		out[0] = '\0';
		return MM_ERR_TOOBIG;
	}
	return 0;
}

/* ---- the engine ---------------------------------------------------- */

enum kind { K_DNSBL, K_RDNS };

struct job {
	struct ctx *ctx;
	size_t uid;  /* distinct address */
	size_t zone; /* DNSBL zone index */
	int attempt; /* tries used by the current step */
	int stage;   /* rDNS: 0 PTR, 1 forward */
	bool done;
};

struct ctx {
	enum kind kind;
	ares_channel ch;
	int tries;
	size_t max_inflight, inflight;
	struct job *jobs;
	size_t njobs, next, done;
	size_t *ready; /* jobs waiting for their next step or a retry */
	size_t nready;
	const struct mm_addr *uaddrs;
	const struct mm_dnsbl_zone *zones;
	size_t nzones;
	struct mm_dnsbl_result *bl; /* per job (DNSBL) */
	struct mm_rdns_result *rd;  /* per distinct address (rDNS) */
	struct mm_dnsbl_stats st;
	bool stopping;
};

struct uaddr {
	struct mm_addr a;
	size_t idx;
};

static pthread_once_t ares_once = PTHREAD_ONCE_INIT;
static int ares_init_rc = ARES_ENOTINITIALIZED;

static void ares_once_init(void)
{
	ares_init_rc = ares_library_init(ARES_LIB_INIT_ALL);
}

static int clampi(int v, int def, int max)
{
	if (v <= 0)
		return def;
	return v > max ? max : v;
}

static void finish_job(struct ctx *c, struct job *j)
{
	j->done = true;
	c->done++;
}

static void dnsbl_done(struct ctx *c, struct job *j, enum mm_dns_status s, uint8_t code)
{
	struct mm_dnsbl_result *r = &c->bl[j - c->jobs];

	r->status = s;
	r->code = s == MM_DNS_LISTED ? code : 0;
	switch (s) {
	case MM_DNS_LISTED:
		c->st.listed++;
		break;
	case MM_DNS_NOT_LISTED:
		c->st.not_listed++;
		break;
	case MM_DNS_TIMEOUT:
		c->st.timeouts++;
		break;
	case MM_DNS_SERVFAIL:
		c->st.servfails++;
		break;
	default:
		c->st.errors++;
		break;
	}
	finish_job(c, j);
}

static enum mm_dns_status status_of(int ares_status)
{
	switch (ares_status) {
	case ARES_ENOTFOUND: /* NXDOMAIN */
	case ARES_ENODATA:   /* NOERROR, no record of the type */
		return MM_DNS_NOT_LISTED;
	case ARES_ETIMEOUT:
		return MM_DNS_TIMEOUT;
	case ARES_ESERVFAIL:
		return MM_DNS_SERVFAIL;
	default: /* REFUSED, FORMERR, bad answers, connection errors, ... */
		return MM_DNS_ERROR;
	}
}

static void on_answer(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct job *j = arg;
	struct ctx *c = j->ctx;
	struct mm_rdns_result *rd;

	(void)timeouts;
	c->inflight--;
	if (j->done)
		return;
	if ((status == ARES_ETIMEOUT || status == ARES_ESERVFAIL || status == ARES_ECONNREFUSED) &&
	    j->attempt < c->tries && !c->stopping) {
		c->ready[c->nready++] = (size_t)(j - c->jobs);
		return;
	}
	if (c->kind == K_DNSBL) {
		struct mm_dnsbl_result r = {MM_DNS_ERROR, 0};
		bool bogus = false;

		if (status == ARES_SUCCESS)
			mm_dnsbl_interpret(abuf, alen, &r, &bogus);
		else
			r.status = status_of(status);
		dnsbl_done(c, j, r.status, r.code);
		return;
	}

	rd = &c->rd[j->uid];
	if (j->stage == 0) {
		bool clean = false;

		if (status == ARES_SUCCESS)
			rd->status = mm_dnsbl_interpret_ptr(abuf, alen, &c->uaddrs[j->uid],
							    rd->name, sizeof(rd->name), &clean);
		else
			rd->status = status_of(status);
		if (rd->status != MM_DNS_LISTED || !clean || c->stopping) {
			finish_job(c, j);
			return;
		}
		/* forward-confirm: A/AAAA of the PTR name must give the address back */
		j->stage = 1;
		j->attempt = 0;
		c->ready[c->nready++] = (size_t)(j - c->jobs);
		return;
	}
	/* a forward lookup that fails leaves the PTR found but unconfirmed */
	rd->confirmed =
	    status == ARES_SUCCESS && mm_dnsbl_forward_has(abuf, alen, &c->uaddrs[j->uid]);
	finish_job(c, j);
}

static void submit(struct ctx *c, struct job *j)
{
	char qname[QNAME_MAX];
	const struct mm_addr *a = &c->uaddrs[j->uid];
	int type, rc = 0;

	if (c->kind == K_DNSBL) {
		rc = mm_dnsbl_qname(a, c->zones[j->zone].zone, qname, sizeof(qname));
		type = ns_t_a;
	} else if (j->stage == 0) {
		rc = mm_dnsbl_qname(a, NULL, qname, sizeof(qname));
		type = ns_t_ptr;
	} else {
		int n = snprintf(qname, sizeof(qname), "%s.", c->rd[j->uid].name);

		if (n < 0 || (size_t)n >= sizeof(qname))
			rc = MM_ERR_TOOBIG;
		type = a->family == MM_AF_INET ? ns_t_a : ns_t_aaaa;
	}
	j->attempt++;
	c->inflight++;
	if (rc < 0) {
		/* cannot happen for validated zones; fail this job alone */
		on_answer(j, ARES_EBADNAME, 0, NULL, 0);
		return;
	}
	/* the callback may run before ares_query returns (bad name, no memory) */
	ares_query(c->ch, qname, ns_c_in, type, on_answer, j);
}

static void fill(struct ctx *c)
{
	while (!c->stopping && c->inflight < c->max_inflight) {
		if (c->nready > 0)
			submit(c, &c->jobs[c->ready[--c->nready]]);
		else if (c->next < c->njobs)
			submit(c, &c->jobs[c->next++]);
		else
			break;
	}
}

static int run_loop(struct ctx *c, struct mm_err *err)
{
	int rc = 0;

	for (;;) {
		ares_socket_t socks[ARES_GETSOCK_MAXNUM];
		struct pollfd pfd[ARES_GETSOCK_MAXNUM];
		struct timeval maxtv = {1, 0}, tv, *tvp;
		int bm, i, n = 0, ms, r;

		fill(c);
		if (c->done >= c->njobs)
			break;
		if (c->inflight == 0) {
			rc = mm_err_set(err, MM_ERR_INTERNAL,
					"DNS: %zu lookups left but none in flight",
					c->njobs - c->done);
			break;
		}
		bm = ares_getsock(c->ch, socks, ARES_GETSOCK_MAXNUM);
		for (i = 0; i < ARES_GETSOCK_MAXNUM; i++) {
			short ev = 0;

			/* the ARES_GETSOCK_* macros shift a signed 1 into bit 31 */
			if ((unsigned)bm & (1u << i))
				ev |= POLLIN;
			if ((unsigned)bm & (1u << (i + ARES_GETSOCK_MAXNUM)))
				ev |= POLLOUT;
			if (!ev)
				continue;
			pfd[n].fd = socks[i];
			pfd[n].events = ev;
			pfd[n].revents = 0;
			n++;
		}
		tvp = ares_timeout(c->ch, &maxtv, &tv);
		ms = (int)(tvp->tv_sec * 1000 + (tvp->tv_usec + 999) / 1000);
		if (ms < 0)
			ms = 0;
		r = poll(pfd, (nfds_t)n, ms);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			rc = mm_err_set(err, MM_ERR_IO, "DNS: poll: %s", strerror(errno));
			break;
		}
		if (r == 0) {
			/* nothing to read: let c-ares expire what timed out */
			ares_process_fd(c->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
			continue;
		}
		for (i = 0; i < n; i++) {
			short re = pfd[i].revents;

			if (!re)
				continue;
			ares_process_fd(c->ch,
					(re & (POLLIN | POLLERR | POLLHUP)) ? pfd[i].fd
									    : ARES_SOCKET_BAD,
					(re & POLLOUT) ? pfd[i].fd : ARES_SOCKET_BAD);
		}
	}
	return rc;
}

static int uaddr_cmp(const void *x, const void *y)
{
	const struct uaddr *a = x, *b = y;
	int r = mm_addr_cmp(&a->a, &b->a);

	if (r)
		return r;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/*
 * Collect the distinct valid addresses into *uaddrs (sorted) and map each
 * input index to its distinct index (SIZE_MAX for an invalid address).
 */
static int dedupe(const struct mm_addr *addrs, size_t naddrs, struct mm_addr **uaddrs, size_t **map,
		  size_t *nuniq)
{
	struct uaddr *tmp = NULL;
	size_t i, nv = 0, nu = 0;
	int rc = MM_ERR_NOMEM;

	*uaddrs = NULL;
	*nuniq = 0;
	*map = calloc(naddrs, sizeof(**map));
	tmp = calloc(naddrs, sizeof(*tmp));
	*uaddrs = calloc(naddrs, sizeof(**uaddrs));
	if (!*map || !tmp || !*uaddrs)
		goto out;
	for (i = 0; i < naddrs; i++) {
		int len = addr_len(&addrs[i]);

		(*map)[i] = SIZE_MAX;
		if (len == 0)
			continue;
		/* copy only the meaningful bytes, so stray bytes never split a key */
		tmp[nv].a.family = addrs[i].family;
		memcpy(tmp[nv].a.b, addrs[i].b, (size_t)len);
		tmp[nv].idx = i;
		nv++;
	}
	qsort(tmp, nv, sizeof(*tmp), uaddr_cmp);
	for (i = 0; i < nv; i++) {
		if (nu == 0 || !mm_addr_eq(&(*uaddrs)[nu - 1], &tmp[i].a))
			(*uaddrs)[nu++] = tmp[i].a;
		(*map)[tmp[i].idx] = nu - 1;
	}
	*nuniq = nu;
	rc = 0;
out:
	free(tmp);
	if (rc < 0) {
		free(*map);
		free(*uaddrs);
		*map = NULL;
		*uaddrs = NULL;
	}
	return rc;
}

static int channel_open(const struct mm_resolver_opts *o, struct ctx *c, struct mm_err *err)
{
	struct ares_options ao;
	int mask = ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_FLAGS, r;
	int timeout_ms = clampi(o ? o->timeout_ms : 0, DEF_TIMEOUT_MS, MAX_TIMEOUT_MS);
	const char *servers = o ? o->servers : NULL;

	c->tries = clampi(o ? o->tries : 0, DEF_TRIES, MAX_TRIES);
	c->max_inflight = (size_t)clampi(o ? o->max_inflight : 0, DEF_INFLIGHT, MAX_INFLIGHT);
	if (servers && strnlen(servers, MAX_SERVERS_LEN + 1) > MAX_SERVERS_LEN)
		return mm_err_set(err, MM_ERR_TOOBIG, "DNS: server list longer than %d bytes",
				  MAX_SERVERS_LEN);
	pthread_once(&ares_once, ares_once_init);
	if (ares_init_rc != ARES_SUCCESS)
		return mm_err_set(err, MM_ERR_INTERNAL, "c-ares: %s", ares_strerror(ares_init_rc));
	memset(&ao, 0, sizeof(ao));
	ao.timeout = timeout_ms;
	ao.tries = 1; /* we retry ourselves, without c-ares' doubling timeouts */
	/*
	 * NOCHECKRESP: hand SERVFAIL and REFUSED answers to us. Without it
	 * c-ares 1.18 turns them into "could not contact DNS servers" once
	 * the tries are used up, and SERVFAIL could not be told apart.
	 */
	ao.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES | ARES_FLAG_NOCHECKRESP;
	r = ares_init_options(&c->ch, &ao, mask);
	if (r != ARES_SUCCESS) {
		c->ch = NULL;
		return mm_err_set(err, r == ARES_ENOMEM ? MM_ERR_NOMEM : MM_ERR_IO,
				  "DNS: resolver could not start: %s", ares_strerror(r));
	}
	if (servers && servers[0]) {
		r = ares_set_servers_ports_csv(c->ch, servers);
		if (r != ARES_SUCCESS) {
			ares_destroy(c->ch);
			c->ch = NULL;
			return mm_err_set(err, MM_ERR_INVAL, "DNS: bad server list '%s': %s",
					  servers, ares_strerror(r));
		}
	}
	return 0;
}

static bool zone_valid(const char *z, size_t max)
{
	size_t n = strnlen(z, max), i, label = 0;

	if (n == 0 || n >= max || z[0] == '.')
		return false;
	/* 64 bytes of IPv6 nibbles in front must still fit in 253 */
	if (n > 253 - 64)
		return false;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)z[i];

		if (!is_host_byte(ch))
			return false;
		if (ch == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if (++label > 63) {
			return false;
		}
	}
	return true;
}

static int engine(struct ctx *c, const struct mm_resolver_opts *o, struct mm_err *err)
{
	size_t i;
	int rc;

	c->ready = calloc(c->njobs ? c->njobs : 1, sizeof(*c->ready));
	if (!c->ready)
		return mm_err_set(err, MM_ERR_NOMEM, "DNS: out of memory");
	for (i = 0; i < c->njobs; i++)
		c->jobs[i].ctx = c;
	rc = channel_open(o, c, err);
	if (rc < 0)
		goto out;
	rc = run_loop(c, err);
	/* on error, destroying the channel ends what is left (ARES_EDESTRUCTION) */
	c->stopping = true;
	ares_destroy(c->ch);
	c->ch = NULL;
	for (i = 0; i < c->njobs; i++) {
		if (c->jobs[i].done)
			continue;
		if (c->kind == K_DNSBL)
			dnsbl_done(c, &c->jobs[i], MM_DNS_ERROR, 0);
		else
			finish_job(c, &c->jobs[i]);
	}
out:
	free(c->ready);
	c->ready = NULL;
	return rc;
}

int mm_dnsbl_check(const struct mm_resolver_opts *o, const struct mm_dnsbl_zone *zones,
		   size_t nzones, const struct mm_addr *addrs, size_t naddrs,
		   struct mm_dnsbl_result *results, struct mm_dnsbl_stats *st, struct mm_err *err)
{
	struct ctx c;
	struct mm_addr *uaddrs = NULL;
	size_t *map = NULL, nuniq = 0, i, z;
	int rc;

	memset(&c, 0, sizeof(c));
	if (st)
		memset(st, 0, sizeof(*st));
	if (naddrs == 0 || nzones == 0)
		return 0;
	if (!zones || !addrs || !results)
		return mm_err_set(err, MM_ERR_INVAL, "DNSBL: missing zones, addresses or results");
	if (nzones > MM_DNSBL_MAX_ZONES)
		return mm_err_set(err, MM_ERR_INVAL, "DNSBL: %zu zones, at most %d", nzones,
				  MM_DNSBL_MAX_ZONES);
	if (naddrs > SIZE_MAX / MM_DNSBL_MAX_ZONES / sizeof(struct job))
		return mm_err_set(err, MM_ERR_TOOBIG, "DNSBL: too many addresses");
	for (z = 0; z < nzones; z++)
		if (!zone_valid(zones[z].zone, sizeof(zones[z].zone)))
			return mm_err_set(err, MM_ERR_INVAL, "DNSBL: invalid zone name '%.*s'", 64,
					  zones[z].zone);

	rc = dedupe(addrs, naddrs, &uaddrs, &map, &nuniq);
	if (rc < 0) {
		rc = mm_err_set(err, rc, "DNSBL: out of memory");
		goto out;
	}
	c.kind = K_DNSBL;
	c.zones = zones;
	c.nzones = nzones;
	c.uaddrs = uaddrs;
	c.njobs = nuniq * nzones;
	c.jobs = calloc(c.njobs ? c.njobs : 1, sizeof(*c.jobs));
	c.bl = calloc(c.njobs ? c.njobs : 1, sizeof(*c.bl));
	if (!c.jobs || !c.bl) {
		rc = mm_err_set(err, MM_ERR_NOMEM, "DNSBL: out of memory");
		goto out;
	}
	for (i = 0; i < c.njobs; i++) {
		c.jobs[i].uid = i / nzones;
		c.jobs[i].zone = i % nzones;
	}
	if (c.njobs > 0) {
		rc = engine(&c, o, err);
		if (rc < 0)
			goto out;
	}
	c.st.queries = c.njobs;
	for (i = 0; i < naddrs; i++) {
		for (z = 0; z < nzones; z++) {
			struct mm_dnsbl_result *r = &results[i * nzones + z];

			if (map[i] == SIZE_MAX) {
				r->status = MM_DNS_ERROR;
				r->code = 0;
				c.st.errors++;
				continue;
			}
			*r = c.bl[map[i] * nzones + z];
		}
	}
	c.st.cached = (naddrs - nuniq) * nzones;
	/* invalid addresses were counted as errors, not as cache hits */
	for (i = 0; i < naddrs; i++)
		if (map[i] == SIZE_MAX)
			c.st.cached -= nzones;
	if (st)
		*st = c.st;
	rc = 0;
out:
	free(c.jobs);
	free(c.bl);
	free(uaddrs);
	free(map);
	return rc;
}

int mm_rdns_lookup(const struct mm_resolver_opts *o, const struct mm_addr *addrs, size_t naddrs,
		   struct mm_rdns_result *results, struct mm_err *err)
{
	struct ctx c;
	struct mm_addr *uaddrs = NULL;
	size_t *map = NULL, nuniq = 0, i;
	int rc;

	memset(&c, 0, sizeof(c));
	if (naddrs == 0)
		return 0;
	if (!addrs || !results)
		return mm_err_set(err, MM_ERR_INVAL, "rDNS: missing addresses or results");
	if (naddrs > SIZE_MAX / sizeof(struct mm_rdns_result))
		return mm_err_set(err, MM_ERR_TOOBIG, "rDNS: too many addresses");
	rc = dedupe(addrs, naddrs, &uaddrs, &map, &nuniq);
	if (rc < 0) {
		rc = mm_err_set(err, rc, "rDNS: out of memory");
		goto out;
	}
	c.kind = K_RDNS;
	c.uaddrs = uaddrs;
	c.njobs = nuniq;
	c.jobs = calloc(nuniq ? nuniq : 1, sizeof(*c.jobs));
	c.rd = calloc(nuniq ? nuniq : 1, sizeof(*c.rd));
	if (!c.jobs || !c.rd) {
		rc = mm_err_set(err, MM_ERR_NOMEM, "rDNS: out of memory");
		goto out;
	}
	for (i = 0; i < nuniq; i++) {
		c.jobs[i].uid = i;
		c.rd[i].status = MM_DNS_ERROR;
	}
	if (nuniq > 0) {
		rc = engine(&c, o, err);
		if (rc < 0)
			goto out;
	}
	for (i = 0; i < naddrs; i++) {
		if (map[i] == SIZE_MAX) {
			memset(&results[i], 0, sizeof(results[i]));
			results[i].status = MM_DNS_ERROR;
			continue;
		}
		results[i] = c.rd[map[i]];
	}
	rc = 0;
out:
	free(c.jobs);
	free(c.rd);
	free(uaddrs);
	free(map);
	return rc;
}
