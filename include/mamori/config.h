/* SPDX-License-Identifier: MIT */
#ifndef MAMORI_CONFIG_H
#define MAMORI_CONFIG_H

#include "mamori/analyze.h"
#include "mamori/error.h"

/* Default configuration file. */
#define MM_CONFIG_DEFAULT "/etc/mamori/mamori.conf"

/*
 * Load an INI configuration (docs/mamori.conf.5.scd) into o. Unknown
 * sections and keys are errors, as are bad values: err says
 * "FILE:LINE: ..." and nothing of the file is applied. Returns 0,
 * MM_ERR_NOTFOUND when the file does not exist, or MM_ERR_PARSE/IO.
 */
int mm_config_load(const char *path, struct mm_analyze_opts *o, struct mm_err *err);

/*
 * Apply one "key = value" setting of the [logs] section (also used for
 * command-line flags, with the flag name as key). Returns 0 or
 * MM_ERR_PARSE / MM_ERR_NOTFOUND (unknown key), with a message in err.
 */
int mm_config_set(struct mm_analyze_opts *o, const char *key, const char *value,
		  struct mm_err *err);

#endif
