/* SPDX-License-Identifier: MIT */
/*
 * The libnftables backend: the only file that uses libnftables. Each run
 * is one nft_run_cmd_from_buffer() call, which the library sends to the
 * kernel as one netlink batch: all of it applies or none of it does.
 * Output and errors are buffered, never printed.
 */
#include <errno.h>
#include <nftables/libnftables.h>
#include <stdlib.h>
#include <string.h>

#include "mamori/fw.h"

static int nft_run(struct mm_fw_backend *be, const char *cmds, struct mm_buf *out,
		   struct mm_err *err)
{
	struct nft_ctx *ctx = be->priv;
	const char *eout, *o;
	size_t n;
	int rc;

	rc = nft_run_cmd_from_buffer(ctx, cmds);
	eout = nft_ctx_get_error_buffer(ctx);
	o = nft_ctx_get_output_buffer(ctx);
	if (rc != 0) {
		n = eout ? strlen(eout) : 0;
		while (n && eout[n - 1] == '\n')
			n--;
		if (eout &&
		    (strstr(eout, "Operation not permitted") || strstr(eout, "Permission denied")))
			return mm_err_set(
			    err, MM_ERR_PERM,
			    "nftables: permission denied (needs root or CAP_NET_ADMIN)");
		return mm_err_set(err, MM_ERR_IO, "nftables: %.*s", (int)(n > 400 ? 400 : n),
				  eout ? eout : "failed");
	}
	if (out && o && *o && mm_buf_adds(out, o) < 0)
		return mm_err_set(err, MM_ERR_TOOBIG, "nftables: output too large");
	return 0;
}

static void nft_free(struct mm_fw_backend *be)
{
	if (be->priv)
		nft_ctx_free(be->priv);
	free(be);
}

static const struct mm_fw_backend_ops nft_ops = {"nftables", nft_run, nft_free};

int mm_fw_backend_nft_new(struct mm_fw_backend **out, struct mm_err *err)
{
	struct mm_fw_backend *be = calloc(1, sizeof(*be));
	struct nft_ctx *ctx;

	*out = NULL;
	if (!be)
		return mm_err_set(err, MM_ERR_NOMEM, "out of memory");
	ctx = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!ctx) {
		free(be);
		return mm_err_set(err, MM_ERR_UNSUPPORTED, "nftables: cannot create a context");
	}
	if (nft_ctx_buffer_output(ctx) != 0 || nft_ctx_buffer_error(ctx) != 0) {
		nft_ctx_free(ctx);
		free(be);
		return mm_err_set(err, MM_ERR_NOMEM, "nftables: cannot buffer output");
	}
	be->ops = &nft_ops;
	be->priv = ctx;
	*out = be;
	return 0;
}
