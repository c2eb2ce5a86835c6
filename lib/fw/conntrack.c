/* SPDX-License-Identifier: MIT */
/*
 * Dropping the connection-tracking entries of blocked addresses, for
 * `block --kill`: the only file that uses libnetfilter_conntrack. A block
 * is checked after "ct state established,related accept", so connections
 * already open survive it; deleting their entries makes the next packet
 * of each look new, and the block then drops it.
 *
 * One dump per family (IPv4, IPv6) collects the entries whose original
 * source or destination lies in a blocked prefix; they are deleted after
 * the dump, through a second handle (a handle cannot be used from inside
 * its own callback). An entry that is gone by then is not an error.
 *
 * The library is opened with dlopen() on first use, as lib/verify/pgp.c
 * does librnp: linking it would cost every start of mamori (a firewall
 * rule added from a script) for a feature only `--kill` needs.
 */
#include <errno.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "mamori/dl.h"
#include "mamori/fw.h"

#define MAX_KILL 1000000

#ifndef MM_NFCT_SONAME
#define MM_NFCT_SONAME "libnetfilter_conntrack.so.3"
#endif

#define NFCT_FUNCS(X)                                                                              \
	X(nfct_open)                                                                               \
	X(nfct_close)                                                                              \
	X(nfct_callback_register)                                                                  \
	X(nfct_query)                                                                              \
	X(nfct_clone)                                                                              \
	X(nfct_destroy)                                                                            \
	X(nfct_get_attr)                                                                           \
	X(nfct_get_attr_u8)

static struct {
	NFCT_FUNCS(MM_DL_FIELD)
} nfct_lib;
static const char *const nfct_names[] = {NFCT_FUNCS(MM_DL_NAME)};
static struct mm_dl nfct_dl =
    MM_DL_INIT(MM_NFCT_SONAME, "libnetfilter-conntrack3", "--kill", nfct_names, nfct_lib);

#define nfct_open (*nfct_lib.nfct_open)
#define nfct_close (*nfct_lib.nfct_close)
#define nfct_callback_register (*nfct_lib.nfct_callback_register)
#define nfct_query (*nfct_lib.nfct_query)
#define nfct_clone (*nfct_lib.nfct_clone)
#define nfct_destroy (*nfct_lib.nfct_destroy)
#define nfct_get_attr (*nfct_lib.nfct_get_attr)
#define nfct_get_attr_u8 (*nfct_lib.nfct_get_attr_u8)

struct killctx {
	const struct mm_prefix *p;
	size_t n;
	struct nf_conntrack **hits;
	size_t nhits, cap;
	int rc;
};

static bool in_prefixes(const struct killctx *k, uint8_t family, const void *addr)
{
	struct mm_addr a;
	size_t i;

	memset(&a, 0, sizeof(a));
	a.family = family;
	memcpy(a.b, addr, family == MM_AF_INET ? 4 : 16);
	for (i = 0; i < k->n; i++)
		if (mm_prefix_contains(&k->p[i], &a))
			return true;
	return false;
}

static int collect(enum nf_conntrack_msg_type type, struct nf_conntrack *ct, void *data)
{
	struct killctx *k = data;
	uint8_t l3 = nfct_get_attr_u8(ct, ATTR_ORIG_L3PROTO);
	bool hit;

	(void)type;
	if (l3 == AF_INET)
		hit = in_prefixes(k, MM_AF_INET, nfct_get_attr(ct, ATTR_ORIG_IPV4_SRC)) ||
		      in_prefixes(k, MM_AF_INET, nfct_get_attr(ct, ATTR_ORIG_IPV4_DST));
	else if (l3 == AF_INET6)
		hit = in_prefixes(k, MM_AF_INET6, nfct_get_attr(ct, ATTR_ORIG_IPV6_SRC)) ||
		      in_prefixes(k, MM_AF_INET6, nfct_get_attr(ct, ATTR_ORIG_IPV6_DST));
	else
		hit = false;
	if (!hit)
		return NFCT_CB_CONTINUE;
	if (k->nhits >= MAX_KILL) {
		k->rc = MM_ERR_TOOBIG;
		return NFCT_CB_STOP;
	}
	if (MM_GROW(k->hits, k->cap, k->nhits, 64) < 0) {
		k->rc = MM_ERR_NOMEM;
		return NFCT_CB_STOP;
	}
	k->hits[k->nhits] = nfct_clone(ct);
	if (!k->hits[k->nhits]) {
		k->rc = MM_ERR_NOMEM;
		return NFCT_CB_STOP;
	}
	k->nhits++;
	return NFCT_CB_CONTINUE;
}

int mm_fw_conntrack_kill(const struct mm_prefix *p, size_t n, size_t *killed, struct mm_err *err)
{
	static const uint32_t families[] = {AF_INET, AF_INET6};
	struct killctx k = {p, n, NULL, 0, 0, 0};
	struct nfct_handle *dump = NULL, *del = NULL;
	size_t i;
	int rc = 0;

	*killed = 0;
	for (i = 0; i < n; i++) {
		struct mm_fw_rule t;

		memset(&t, 0, sizeof(t));
		t.has_src = true;
		t.src = p[i];
		if (mm_fw_rule_validate(&t, err) < 0)
			return mm_err_set(err, MM_ERR_INVAL, "bad address or prefix");
	}
	rc = mm_dl_load(&nfct_dl, err);
	if (rc < 0)
		return rc;
	dump = nfct_open(CONNTRACK, 0);
	del = dump ? nfct_open(CONNTRACK, 0) : NULL;
	if (!dump || !del) {
		rc = mm_err_set(err, errno == EPERM ? MM_ERR_PERM : MM_ERR_UNSUPPORTED,
				"conntrack: %s", strerror(errno));
		goto out;
	}
	nfct_callback_register(dump, NFCT_T_ALL, collect, &k);
	for (i = 0; i < 2 && k.rc == 0; i++) {
		uint32_t fam = families[i];

		if (nfct_query(dump, NFCT_Q_DUMP, &fam) < 0 && k.rc == 0) {
			rc = mm_err_set(err, errno == EPERM ? MM_ERR_PERM : MM_ERR_IO,
					"conntrack dump: %s", strerror(errno));
			goto out;
		}
	}
	if (k.rc < 0) {
		rc = mm_err_set(err, k.rc, "conntrack: %s",
				k.rc == MM_ERR_TOOBIG ? "too many connections" : "out of memory");
		goto out;
	}
	for (i = 0; i < k.nhits; i++) {
		if (nfct_query(del, NFCT_Q_DESTROY, k.hits[i]) == 0)
			(*killed)++;
		else if (errno != ENOENT)
			rc = mm_err_set(err, errno == EPERM ? MM_ERR_PERM : MM_ERR_IO,
					"conntrack delete: %s", strerror(errno));
	}
out:
	for (i = 0; i < k.nhits; i++)
		nfct_destroy(k.hits[i]);
	free(k.hits);
	if (dump)
		nfct_close(dump);
	if (del)
		nfct_close(del);
	return rc;
}
