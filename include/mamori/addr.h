/* SPDX-License-Identifier: MIT */
#ifndef MAMORI_ADDR_H
#define MAMORI_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * IPv4 / IPv6 address and prefix. An IPv4 address is stored in b[0..3];
 * an IPv4-mapped IPv6 address (::ffff:a.b.c.d) is normalised to IPv4 by
 * the parser, so one host has one key whatever the log wrote.
 */
enum { MM_AF_NONE = 0, MM_AF_INET = 4, MM_AF_INET6 = 6 };

struct mm_addr {
	uint8_t family; /* MM_AF_* */
	uint8_t b[16];
};

struct mm_prefix {
	struct mm_addr addr; /* host bits cleared */
	uint8_t len;	     /* 0..32 or 0..128 */
};

/* Longest text form plus NUL ("ffff:ffff:...:255.255.255.255"). */
#define MM_ADDR_STRLEN 46
#define MM_PREFIX_STRLEN (MM_ADDR_STRLEN + 4)

/*
 * Parse exactly n bytes as an IPv4 dotted quad or an IPv6 address (RFC
 * 4291 text forms, including the zero-padded form the kernel logs). No
 * zone ids, no surrounding brackets. Returns 0 or MM_ERR_PARSE.
 */
int mm_addr_parse(const char *s, size_t n, struct mm_addr *out);
/* Canonical text (RFC 5952 for IPv6) into buf of MM_ADDR_STRLEN bytes. Returns buf. */
char *mm_addr_format(const struct mm_addr *a, char *buf);
bool mm_addr_eq(const struct mm_addr *a, const struct mm_addr *b);
int mm_addr_cmp(const struct mm_addr *a, const struct mm_addr *b);
/* 64-bit hash of the address, for hash tables. */
uint64_t mm_addr_hash(const struct mm_addr *a);
/* True for addresses that can never be a remote attacker's source:
 * unspecified, loopback, multicast, limited broadcast. */
bool mm_addr_is_special(const struct mm_addr *a);

/* Parse "ADDR" or "ADDR/LEN". A bare address gives a host prefix. */
int mm_prefix_parse(const char *s, size_t n, struct mm_prefix *out);
char *mm_prefix_format(const struct mm_prefix *p, char *buf);
bool mm_prefix_contains(const struct mm_prefix *p, const struct mm_addr *a);

#endif
