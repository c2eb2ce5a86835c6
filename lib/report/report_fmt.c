/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include "mamori/event.h"
#include "mamori/services.h"
#include "mamori/time.h"
#include "report_fmt.h"

const char *mm_fmt_num(uint64_t v, char *buf)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)v), i, o = 0;

	for (i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = tmp[i];
	}
	buf[o] = '\0';
	return buf;
}

void mm_fmt_service(int proto, int port, char *buf, size_t n)
{
	const struct mm_service *svc = mm_service_lookup(proto, port);
	const char *pn = mm_proto_name(proto);

	if (proto == 0)
		snprintf(buf, n, "ssh auth failures");
	else if (svc)
		snprintf(buf, n, "%d/%s %s", port, pn ? pn : "?", svc->name);
	else
		snprintf(buf, n, "%d/%s", port, pn ? pn : "?");
}

const char *mm_fmt_time(int64_t us, int16_t off, char *buf)
{
	struct mm_time t = {us, off, true};

	return mm_time_format(&t, false, buf);
}

void mm_fmt_finding_detail(const struct mm_finding *f, bool pretty, char *buf, size_t n)
{
	size_t len = 0;
	uint8_t i;

	buf[0] = '\0';
	switch (f->kind) {
	case MM_FIND_PORTSCAN:
		len = (size_t)snprintf(buf, n, "%u ports:", f->distinct_ports);
		for (i = 0; i < f->nports && len + 8 < n; i++)
			len += (size_t)snprintf(buf + len, n - len, "%s%u",
						i ? (pretty ? ", " : ",") : " ", f->ports[i]);
		if (f->distinct_ports > f->nports && len + 6 < n)
			snprintf(buf + len, n - len, "%s", pretty ? ", \u2026" : ",...");
		break;
	case MM_FIND_SWEEP:
	case MM_FIND_OUTBOUND_FANOUT:
		snprintf(buf, n, "%u hosts", f->distinct_hosts);
		break;
	case MM_FIND_SERVICE_SWEEP:
		snprintf(buf, n, "%u sources", f->distinct_sources);
		break;
	case MM_FIND_SSH_BRUTEFORCE:
	case MM_FIND_SSH_SLOW_BRUTEFORCE:
	case MM_FIND_SSH_USER_ENUM:
		snprintf(buf, n, "%u user name%s", f->distinct_users,
			 f->distinct_users == 1 ? "" : "s");
		break;
	case MM_FIND_FORGED_LOG:
		snprintf(buf, n, "user-space lines imitating the kernel");
		break;
	}
	if (f->approx && strlen(buf) + 10 < n)
		snprintf(buf + strlen(buf), n - strlen(buf), " (approx.)");
}
