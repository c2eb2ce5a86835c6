/* SPDX-License-Identifier: MIT */
/*
 * Firewall backends behind an ops table: null (does nothing), recording
 * (keeps every transaction, can be told to fail, for unit tests), and the
 * operations built on them. The libnftables backend is nft_backend.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mamori/fw.h"

static int null_run(struct mm_fw_backend *be, const char *cmds, struct mm_buf *out,
		    struct mm_err *err)
{
	(void)be;
	(void)cmds;
	(void)out;
	(void)err;
	return 0;
}

static void plain_free(struct mm_fw_backend *be)
{
	free(be->priv);
	free(be);
}

static const struct mm_fw_backend_ops null_ops = {"null", null_run, plain_free};

struct mm_fw_backend *mm_fw_backend_null_new(void)
{
	struct mm_fw_backend *be = calloc(1, sizeof(*be));

	if (be)
		be->ops = &null_ops;
	return be;
}

struct record {
	struct mm_buf *log;
	unsigned fail_after, runs;
	const char *canned;
};

static int record_run(struct mm_fw_backend *be, const char *cmds, struct mm_buf *out,
		      struct mm_err *err)
{
	struct record *r = be->priv;
	int rc;

	r->runs++;
	if (r->fail_after && r->runs >= r->fail_after)
		return mm_err_set(err, MM_ERR_IO, "recording backend: run %u fails as asked",
				  r->runs);
	rc = mm_buf_adds(r->log, cmds);
	if (rc == 0)
		rc = mm_buf_adds(r->log, "---\n");
	if (rc == 0 && out && r->canned)
		rc = mm_buf_adds(out, r->canned);
	return rc < 0 ? mm_err_set(err, rc, "recording backend: log full") : 0;
}

static const struct mm_fw_backend_ops record_ops = {"record", record_run, plain_free};

struct mm_fw_backend *mm_fw_backend_record_new(struct mm_buf *log, unsigned fail_after,
					       const char *canned)
{
	struct mm_fw_backend *be = calloc(1, sizeof(*be));
	struct record *r = calloc(1, sizeof(*r));

	if (!be || !r) {
		free(be);
		free(r);
		return NULL;
	}
	r->log = log;
	r->fail_after = fail_after;
	r->canned = canned;
	be->ops = &record_ops;
	be->priv = r;
	return be;
}

void mm_fw_backend_free(struct mm_fw_backend *be)
{
	if (be)
		be->ops->free(be);
}

int mm_fw_apply(struct mm_fw_backend *be, const struct mm_fw_ruleset *rs, int64_t now,
		struct mm_err *err)
{
	struct mm_buf b;
	int rc;

	mm_buf_init(&b, 256u << 20);
	rc = mm_fw_render(rs, now, &b, err);
	if (rc == 0)
		rc = be->ops->run(be, b.data, NULL, err);
	mm_buf_release(&b);
	return rc;
}

int mm_fw_remove(struct mm_fw_backend *be, struct mm_err *err)
{
	struct mm_buf b;
	int rc;

	mm_buf_init(&b, 1024);
	rc = mm_fw_render_remove(&b);
	if (rc == 0)
		rc = be->ops->run(be, b.data, NULL, err);
	mm_buf_release(&b);
	return rc;
}

int mm_fw_loaded(struct mm_fw_backend *be, bool *loaded, struct mm_err *err)
{
	struct mm_buf b;
	int rc;

	mm_buf_init(&b, 1u << 20);
	rc = be->ops->run(be, "list tables inet", &b, err);
	if (rc == 0)
		*loaded = b.data && strstr(b.data, "table inet mamori\n") != NULL;
	mm_buf_release(&b);
	return rc;
}

int mm_fw_list_blocks(struct mm_fw_backend *be, struct mm_buf *out, struct mm_err *err)
{
	static const char *const sets[] = {"host4", "host6", "block4", "block6"};
	char cmd[64];
	int rc = 0;
	size_t i;

	for (i = 0; i < 4 && rc == 0; i++) {
		snprintf(cmd, sizeof(cmd), "list set inet mamori %s", sets[i]);
		rc = be->ops->run(be, cmd, out, err);
	}
	return rc;
}
