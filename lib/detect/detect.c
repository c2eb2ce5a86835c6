/* SPDX-License-Identifier: MIT */
/* PLACEHOLDER: being implemented */
#include <stdlib.h>
#include <string.h>
#include "mamori/detect.h"
struct mm_detector {
	struct mm_detect_cfg cfg;
	struct mm_detect_stats st;
};
void mm_detect_cfg_defaults(struct mm_detect_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
}
struct mm_detector *mm_detector_new(const struct mm_detect_cfg *cfg)
{
	struct mm_detector *d = calloc(1, sizeof(*d));
	if (d)
		d->cfg = *cfg;
	return d;
}
void mm_detector_free(struct mm_detector *d)
{
	free(d);
}
void mm_detector_event(struct mm_detector *d, const struct mm_event *ev)
{
	(void)ev;
	d->st.events++;
}
void mm_detector_finish(struct mm_detector *d)
{
	(void)d;
}
size_t mm_detector_findings(const struct mm_detector *d, const struct mm_finding **out)
{
	(void)d;
	*out = NULL;
	return 0;
}
void mm_detector_stats(const struct mm_detector *d, struct mm_detect_stats *out)
{
	*out = d->st;
}
const char *mm_finding_kind_name(enum mm_finding_kind k)
{
	(void)k;
	return "unknown";
}
const char *mm_scan_type_name(enum mm_scan_type t)
{
	(void)t;
	return "none";
}
