/* SPDX-License-Identifier: MIT */
/*
 * Application profile files (ufw's INI shape), which anyone who can write
 * /etc/mamori/apps.d may hand us. Invariants: a file that parses gives
 * profiles with valid names and 1..MM_FW_APP_SPECS valid port parts, an
 * application rule naming each one resolves, validates, round-trips
 * through its canonical text and renders without a validation error; a
 * file that fails keeps nothing.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mamori/fw.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_rule(const struct mm_fw_apps *apps, const struct mm_fw_app *a)
{
	struct mm_fw_ruleset rs;
	struct mm_fw_rule r, r2;
	struct mm_err err;
	struct mm_buf line, nft;

	mm_buf_init(&line, 4096);
	mm_buf_init(&nft, 1 << 20);
	if (mm_buf_addf(&line, "limit from 192.0.2.0/24 to any app \"%s\"", a->name) < 0)
		abort();
	if (mm_fw_rule_parse_apps(line.data, line.len, apps, &r, &err) < 0)
		abort();
	if (mm_fw_rule_validate(&r, &err) < 0 || r.napp != a->nspec)
		abort();
	mm_buf_reset(&line);
	if (mm_fw_rule_format(&r, &line) < 0)
		abort();
	if (mm_fw_rule_parse_apps(line.data, line.len, apps, &r2, &err) < 0 ||
	    !mm_fw_rule_eq(&r, &r2))
		abort();
	mm_fw_ruleset_init(&rs);
	rs.apps = apps;
	if (mm_fw_rule_add(&rs, &r, 0) < 0)
		abort();
	if (mm_fw_render(&rs, 0, &nft, &err) < 0 && err.code == MM_ERR_INVAL)
		abort();
	mm_fw_ruleset_release(&rs);
	mm_buf_release(&line);
	mm_buf_release(&nft);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mm_fw_apps apps;
	struct mm_err err;
	size_t i;

	if (size > 1 << 16)
		return 0;
	mm_fw_apps_init(&apps);
	if (mm_fw_apps_parse_buffer(&apps, "fuzz", (const char *)data, size, &err) < 0) {
		if (apps.n != 0)
			abort();
		goto out;
	}
	for (i = 0; i < apps.n; i++) {
		const struct mm_fw_app *a = &apps.v[i];

		if (!mm_fw_app_name_ok(a->name, strlen(a->name)) || a->nspec < 1 ||
		    a->nspec > MM_FW_APP_SPECS)
			abort();
		check_rule(&apps, a);
	}
out:
	mm_fw_apps_release(&apps);
	return 0;
}
