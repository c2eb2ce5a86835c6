/* SPDX-License-Identifier: MIT */
#ifndef MAMORI_EXEC_H
#define MAMORI_EXEC_H
/* Library-internal: lib/ files include it as "lib/core/exec.h". */
#include "mamori/buf.h"
#include "mamori/error.h"

/*
 * Run argv[0] (absolute path) with stdout captured into out (capped) and
 * stderr into errout (capped, may be NULL), killed after timeout_ms.
 * Returns 0 and the exit status in *status (-1 when killed/timed out), or
 * a negative MM_ERR_* when it could not be started.
 */
int mm_exec(const char *const *argv, int timeout_ms, struct mm_buf *out, struct mm_buf *errout,
	    int *status);

#endif
