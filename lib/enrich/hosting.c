/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "hosting_table.h"
#include "mamori/enrich.h"

/*
 * Hosting classification. First the curated ASN list (exact, names its
 * provider), then rules on the organisation name for the long tail of
 * small hosting and VPS companies. Every answer says why.
 *
 * Name rules match whole words (case-insensitive) so "host" does not
 * match "ghost" and "cloud" does not match "cloudy"; the list favours
 * words that providers use in their registered names.
 */
static const char *const name_rules[] = {
    "hosting",
    "host",
    "hoster",
    "hostinger",
    "vps",
    "vds",
    "server",
    "servers",
    "cloud",
    "datacenter",
    "datacentre",
    "data center",
    "colo",
    "colocation",
    "dedicated",
    "digitalocean",
    "linode",
    "vultr",
    "choopa",
    "contabo",
    "hetzner",
    "ovh",
    "leaseweb",
    "scaleway",
    "m247",
    "alibaba",
    "tencent",
    "amazon",
    "aws",
    "microsoft",
    "azure",
    "oracle",
    "sakura",
    "conoha",
    "gmo internet",
    "idc frontier",
    "kddi web communications",
    "xserver",
    "heteml",
};

static const struct mm_hosting_asn *by_asn(uint32_t asn)
{
	unsigned lo = 0, hi = mm_hosting_count;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		if (mm_hosting_table[mid].asn == asn)
			return &mm_hosting_table[mid];
		if (mm_hosting_table[mid].asn < asn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static bool is_word_char(char c)
{
	return isalnum((unsigned char)c) != 0;
}

/* Whole-word, case-insensitive search of word in s. */
static bool has_word(const char *s, const char *word)
{
	size_t n = strlen(word), i, len = strlen(s);

	/* a match must start where a word starts: test that (and the first
	 * letter) before comparing the rest */
	for (i = 0; i + n <= len; i++) {
		if ((i > 0 && is_word_char(s[i - 1])) ||
		    tolower((unsigned char)s[i]) != tolower((unsigned char)word[0]))
			continue;
		if (strncasecmp(s + i, word, n) == 0 && (i + n == len || !is_word_char(s[i + n])))
			return true;
	}
	return false;
}

void mm_hosting_classify(uint32_t asn, const char *org, struct mm_hosting_result *out)
{
	const struct mm_hosting_asn *h;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (asn && (h = by_asn(asn))) {
		out->category = MM_HOSTING_HOSTING;
		snprintf(out->reason, sizeof(out->reason), "listed ASN %u (%s, %s)", (unsigned)asn,
			 h->provider, h->kind);
		return;
	}
	if (org && *org) {
		for (i = 0; i < sizeof(name_rules) / sizeof(name_rules[0]); i++) {
			if (has_word(org, name_rules[i])) {
				out->category = MM_HOSTING_HOSTING;
				snprintf(out->reason, sizeof(out->reason), "name rule '%s'",
					 name_rules[i]);
				return;
			}
		}
	}
	if (!asn) {
		out->category = MM_HOSTING_UNKNOWN;
		snprintf(out->reason, sizeof(out->reason), "network unknown");
		return;
	}
	out->category = MM_HOSTING_OTHER;
	snprintf(out->reason, sizeof(out->reason), "AS%u not listed, no name rule matched",
		 (unsigned)asn);
}

const char *mm_hosting_name(enum mm_hosting h)
{
	switch (h) {
	case MM_HOSTING_HOSTING:
		return "hosting";
	case MM_HOSTING_OTHER:
		return "other";
	case MM_HOSTING_UNKNOWN:
		break;
	}
	return "unknown";
}
