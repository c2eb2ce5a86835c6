/* SPDX-License-Identifier: MIT */
#ifndef MAMORI_SERVICES_H
#define MAMORI_SERVICES_H

#include <stdint.h>

/* Well-known services that scanners look for (data/services.tsv). */
struct mm_service {
	uint16_t proto; /* 6 tcp, 17 udp */
	uint16_t port;
	const char *name;
	const char *desc;
};

/* The service on port/proto, or NULL when mamori has no name for it. */
const struct mm_service *mm_service_lookup(int proto, int port);

#endif
