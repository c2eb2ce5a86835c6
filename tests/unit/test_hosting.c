/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mamori/enrich.h"

struct hcase {
	uint32_t asn;
	const char *org;
	enum mm_hosting want;
	const char *reason; /* substring of the reason */
};

static void test_classify(void **state)
{
	static const struct hcase cases[] = {
	    {16509, "AMAZON-02", MM_HOSTING_HOSTING, "listed ASN 16509 (Amazon"},
	    {9370, "SAKURA Internet Inc.", MM_HOSTING_HOSTING, "listed ASN 9370"},
	    {7506, "GMO Internet Group, Inc.", MM_HOSTING_HOSTING, "listed ASN 7506"},
	    {64500, "Example VPS Networks Ltd", MM_HOSTING_HOSTING, "name rule 'vps'"},
	    {64501, "Tiny Hosting s.r.o.", MM_HOSTING_HOSTING, "name rule 'hosting'"},
	    {64502, "KDDI Web Communications Inc.", MM_HOSTING_HOSTING, "kddi web"},
	    {64503, "Ghost Telecom", MM_HOSTING_OTHER, "no name rule"},
	    {64504, "Cloudy Valley Cable", MM_HOSTING_OTHER, "no name rule"},
	    {2516, "KDDI CORPORATION", MM_HOSTING_OTHER, "AS2516 not listed"},
	    {4713, "NTT Communications Corporation", MM_HOSTING_OTHER, ""},
	    {0, "", MM_HOSTING_UNKNOWN, "unknown"},
	    {0, NULL, MM_HOSTING_UNKNOWN, "unknown"},
	    {0, "Some Cloud Ltd", MM_HOSTING_HOSTING, "name rule 'cloud'"},
	};
	struct mm_hosting_result r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mm_hosting_classify(cases[i].asn, cases[i].org, &r);
		if (r.category != cases[i].want || !strstr(r.reason, cases[i].reason))
			fail_msg("AS%u '%s': got %s '%s'", (unsigned)cases[i].asn,
				 cases[i].org ? cases[i].org : "(null)",
				 mm_hosting_name(r.category), r.reason);
	}
	assert_string_equal(mm_hosting_name(MM_HOSTING_HOSTING), "hosting");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_classify),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
