/* SPDX-License-Identifier: MIT */
/*
 * Netfilter LOG parser: direct tests of mm_parse_netfilter() on kernel
 * messages (envelope already stripped), then the data-driven corpora
 * tests/data/logs/netfilter.txt (hand-written, every format) and
 * netfilter-real.txt (captured from a real kernel by
 * tests/netns/nflog-capture.sh) through the whole line pipeline.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "corpus.h"
#include "mamori/logs.h"

struct nf_case {
	const char *msg;
	const char *json;  /* NULL: not a packet */
	const char *extra; /* fields not in the JSON, see extra_fields(); NULL: not checked */
};

/* The event fields the JSON writer leaves out, in one comparable string. */
static void extra_fields(const struct mm_event *ev, struct mm_buf *b)
{
	mm_buf_addf(b, "in=%.*s out=%.*s", (int)ev->in_if.n, ev->in_if.p ? ev->in_if.p : "",
		    (int)ev->out_if.n, ev->out_if.p ? ev->out_if.p : "");
	if (ev->mac.p)
		mm_buf_addf(b, " mac=%.*s", (int)ev->mac.n, ev->mac.p);
	mm_buf_addf(b, " len=%d ttl=%d win=%d type=%d code=%d", (int)ev->len, (int)ev->ttl,
		    (int)ev->window, (int)ev->icmp_type, (int)ev->icmp_code);
}

#define V4_ETH_MAC "52:54:00:12:34:56:52:54:00:65:43:21:08:00"
#define V6_MAC "52:54:00:12:34:56:52:54:00:65:43:21:86:dd"
#define V4_HDR "SRC=203.0.113.9 DST=198.51.100.10 LEN=40 TOS=0x00 PREC=0x00 TTL=241 ID=54321 "
#define V6_SRC                                                                                     \
	"SRC=2001:0db8:0000:0000:0000:0000:0000:0bad DST=2001:0db8:0000:0000:0000:0000:0000:0001 "
#define J_V4 "\"src\":\"203.0.113.9\""
#define J_V6 "\"src\":\"2001:db8::bad\""

static const struct nf_case cases[] = {
    /* ufw, all its prefixes */
    {"[UFW BLOCK] IN=eth0 OUT= MAC=" V4_ETH_MAC " SRC=203.0.113.9 DST=198.51.100.10 LEN=60 "
     "TOS=0x00 PREC=0x00 TTL=52 ID=54321 DF PROTO=TCP SPT=51234 DPT=22 WINDOW=64240 RES=0x00 "
     "SYN URGP=0 ",
     "{\"kind\":\"packet\"," J_V4 ",\"src_port\":51234,\"dst\":\"198.51.100.10\",\"dst_port\":22,"
     "\"proto\":\"tcp\",\"flags\":\"SYN\",\"direction\":\"in\",\"prefix\":\"[UFW BLOCK]\"}",
     "in=eth0 out= mac=" V4_ETH_MAC " len=60 ttl=52 win=64240 type=-1 code=-1"},
    {"[UFW AUDIT] IN=eth0 OUT= MAC=" V4_ETH_MAC " " V4_HDR "PROTO=TCP SPT=40000 DPT=443 "
     "WINDOW=1024 RES=0x00 SYN URGP=0",
     "{\"kind\":\"packet\"," J_V4 ",\"src_port\":40000,\"dst\":\"198.51.100.10\",\"dst_port\":443,"
     "\"proto\":\"tcp\",\"flags\":\"SYN\",\"direction\":\"in\",\"prefix\":\"[UFW AUDIT]\"}",
     NULL},
    {"[UFW ALLOW] IN= OUT=eth0 SRC=198.51.100.10 DST=192.0.2.53 LEN=71 TOS=0x00 PREC=0x00 "
     "TTL=64 ID=4711 PROTO=UDP SPT=41000 DPT=53 LEN=51 ",
     "{\"kind\":\"packet\",\"src\":\"198.51.100.10\",\"src_port\":41000,\"dst\":\"192.0.2.53\","
     "\"dst_port\":53,\"proto\":\"udp\",\"direction\":\"out\",\"prefix\":\"[UFW ALLOW]\"}",
     "in= out=eth0 len=71 ttl=64 win=-1 type=-1 code=-1"},
    {"[UFW LIMIT BLOCK] IN=eth0 OUT= MAC=" V4_ETH_MAC " " V4_HDR "DF PROTO=TCP SPT=3333 DPT=22 "
     "WINDOW=29200 RES=0x00 SYN URGP=0 ",
     "{\"kind\":\"packet\"," J_V4 ",\"src_port\":3333,\"dst\":\"198.51.100.10\",\"dst_port\":22,"
     "\"proto\":\"tcp\",\"flags\":\"SYN\",\"direction\":\"in\",\"prefix\":\"[UFW LIMIT BLOCK]\"}",
     NULL},
    {"[UFW AUDIT INVALID] IN=eth0 OUT= MAC=" V4_ETH_MAC " " V4_HDR "PROTO=TCP SPT=443 "
     "DPT=50000 WINDOW=0 RES=0x00 ACK RST URGP=0 ",
     "{\"kind\":\"packet\"," J_V4 ",\"src_port\":443,\"dst\":\"198.51.100.10\",\"dst_port\":50000,"
     "\"proto\":\"tcp\",\"flags\":\"ACK RST\",\"direction\":\"in\",\"prefix\":\"[UFW AUDIT "
     "INVALID]\"}",
     "in=eth0 out= mac=" V4_ETH_MAC " len=40 ttl=241 win=0 type=-1 code=-1"},
    /* scans: FIN, NULL, XMAS, ACK, and an ECN SYN (CWR ECE carry no bit) */
    {"[UFW BLOCK] IN=eth0 OUT= " V4_HDR "PROTO=TCP SPT=61000 DPT=80 WINDOW=1024 RES=0x00 FIN "
     "URGP=0 ",
     "{\"kind\":\"packet\"," J_V4 ",\"src_port\":61000,\"dst\":\"198.51.100.10\",\"dst_port\":80,"
     "\"proto\":\"tcp\",\"flags\":\"FIN\",\"direction\":\"in\",\"prefix\":\"[UFW BLOCK]\"}",
     NULL},
    {"[UFW BLOCK] IN=eth0 OUT= " V4_HDR "PROTO=TCP SPT=61000 DPT=81 WINDOW=1024 RES=0x00 URGP=0 ",
     "{\"kind\":\"packet\"," J_V4 ",\"src_port\":61000,\"dst\":\"198.51.100.10\",\"dst_port\":81,"
     "\"proto\":\"tcp\",\"flags\":\"\",\"direction\":\"in\",\"prefix\":\"[UFW BLOCK]\"}",
     NULL},
    {"[UFW BLOCK] IN=eth0 OUT= " V4_HDR "PROTO=TCP SPT=61000 DPT=82 WINDOW=1024 RES=0x00 URG PSH "
     "FIN URGP=0 ",
     "{\"kind\":\"packet\"," J_V4 ",\"src_port\":61000,\"dst\":\"198.51.100.10\",\"dst_port\":82,"
     "\"proto\":\"tcp\",\"flags\":\"FIN PSH URG\",\"direction\":\"in\",\"prefix\":\"[UFW "
     "BLOCK]\"}",
     NULL},
    {"[UFW BLOCK] IN=eth0 OUT= " V4_HDR "PROTO=TCP SPT=61000 DPT=83 WINDOW=1024 RES=0x00 ACK "
     "URGP=0 ",
     "{\"kind\":\"packet\"," J_V4 ",\"src_port\":61000,\"dst\":\"198.51.100.10\",\"dst_port\":83,"
     "\"proto\":\"tcp\",\"flags\":\"ACK\",\"direction\":\"in\",\"prefix\":\"[UFW BLOCK]\"}",
     NULL},
    {"[UFW BLOCK] IN=eth0 OUT= " V4_HDR "CE DF PROTO=TCP SPT=61000 DPT=84 WINDOW=1024 RES=0x00 "
     "CWR ECE SYN URGP=0 ",
     "{\"kind\":\"packet\"," J_V4 ",\"src_port\":61000,\"dst\":\"198.51.100.10\",\"dst_port\":84,"
     "\"proto\":\"tcp\",\"flags\":\"SYN\",\"direction\":\"in\",\"prefix\":\"[UFW BLOCK]\"}",
     NULL},
    /* iptables LOG with --log-tcp-sequence --log-tcp-options --log-ip-options --log-uid */
    {"IPT-DROP: IN=eth0 OUT= MAC=" V4_ETH_MAC " SRC=203.0.113.9 DST=198.51.100.10 LEN=64 "
     "TOS=0x10 PREC=0x00 TTL=49 ID=0 DF OPT (07070400000000000000) PROTO=TCP SPT=55555 DPT=25 "
     "SEQ=123456789 ACK=0 WINDOW=65535 RES=0x00 SYN URGP=0 OPT (020405B4010303060101080A) "
     "UID=0 GID=0 MARK=0x2a ",
     "{\"kind\":\"packet\"," J_V4 ",\"src_port\":55555,\"dst\":\"198.51.100.10\",\"dst_port\":25,"
     "\"proto\":\"tcp\",\"flags\":\"SYN\",\"direction\":\"in\",\"prefix\":\"IPT-DROP:\"}",
     "in=eth0 out= mac=" V4_ETH_MAC " len=64 ttl=49 win=65535 type=-1 code=-1"},
    /* a prefix without a trailing space is glued to IN= */
    {"DROP:IN=eth0 OUT= " V4_HDR "PROTO=UDP SPT=5070 DPT=5060 LEN=20 ",
     "{\"kind\":\"packet\"," J_V4 ",\"src_port\":5070,\"dst\":\"198.51.100.10\",\"dst_port\":5060,"
     "\"proto\":\"udp\",\"direction\":\"in\",\"prefix\":\"DROP:\"}",
     "in=eth0 out= len=40 ttl=241 win=-1 type=-1 code=-1"},
    /* no prefix at all (nft log without prefix) */
    {"IN=eth0 OUT= " V4_HDR "PROTO=UDP SPT=5070 DPT=5060 LEN=20 ",
     "{\"kind\":\"packet\"," J_V4 ",\"src_port\":5070,\"dst\":\"198.51.100.10\",\"dst_port\":5060,"
     "\"proto\":\"udp\",\"direction\":\"in\"}",
     NULL},
    /* firewalld */
    {"filter_IN_public_REJECT: IN=eth0 OUT= MAC=" V4_ETH_MAC " " V4_HDR "PROTO=TCP SPT=4444 "
     "DPT=3306 WINDOW=1024 RES=0x00 SYN URGP=0 ",
     "{\"kind\":\"packet\"," J_V4 ",\"src_port\":4444,\"dst\":\"198.51.100.10\",\"dst_port\":3306,"
     "\"proto\":\"tcp\",\"flags\":\"SYN\",\"direction\":\"in\",\"prefix\":\"filter_IN_public_"
     "REJECT:\"}",
     NULL},
    {"FINAL_REJECT: IN=eth0 OUT= MAC=" V4_ETH_MAC " " V4_HDR "PROTO=UDP SPT=4444 DPT=161 "
     "LEN=20 ",
     "{\"kind\":\"packet\"," J_V4 ",\"src_port\":4444,\"dst\":\"198.51.100.10\",\"dst_port\":161,"
     "\"proto\":\"udp\",\"direction\":\"in\",\"prefix\":\"FINAL_REJECT:\"}",
     NULL},
    /* forward, with a bridge's PHYSIN/PHYSOUT */
    {"FWD IN=br0 OUT=eth1 PHYSIN=veth3 PHYSOUT=eth1 MAC=" V4_ETH_MAC " SRC=10.0.0.5 "
     "DST=192.0.2.80 LEN=60 TOS=0x00 PREC=0x00 TTL=63 ID=1 DF PROTO=TCP SPT=34000 DPT=80 "
     "WINDOW=64240 RES=0x00 SYN URGP=0 ",
     "{\"kind\":\"packet\",\"src\":\"10.0.0.5\",\"src_port\":34000,\"dst\":\"192.0.2.80\","
     "\"dst_port\":80,\"proto\":\"tcp\",\"flags\":\"SYN\",\"direction\":\"forward\","
     "\"prefix\":\"FWD\"}",
     "in=br0 out=eth1 mac=" V4_ETH_MAC " len=60 ttl=63 win=64240 type=-1 code=-1"},
    /* nft log flags ether: MACSRC/MACDST/VLAN/MACPROTO instead of MAC= */
    {"nft-in: IN=eth0 OUT= MACSRC=52:54:00:65:43:21 MACDST=52:54:00:12:34:56 VPROTO=8100 "
     "VID=42 MACPROTO=0800 " V4_HDR "PROTO=TCP SPT=1 DPT=23 WINDOW=1 RES=0x00 SYN URGP=0 ",
     "{\"kind\":\"packet\"," J_V4 ",\"src_port\":1,\"dst\":\"198.51.100.10\",\"dst_port\":23,"
     "\"proto\":\"tcp\",\"flags\":\"SYN\",\"direction\":\"in\",\"prefix\":\"nft-in:\"}",
     "in=eth0 out= len=40 ttl=241 win=1 type=-1 code=-1"},
    /* fragments: no ports */
    {"[UFW BLOCK] IN=eth0 OUT= " V4_HDR "MF FRAG:185 PROTO=UDP ",
     "{\"kind\":\"packet\"," J_V4 ",\"dst\":\"198.51.100.10\",\"proto\":\"udp\","
     "\"direction\":\"in\",\"prefix\":\"[UFW BLOCK]\"}",
     NULL},
    /* numeric and named other protocols */
    {"GRE IN=eth0 OUT= " V4_HDR "PROTO=47 ",
     "{\"kind\":\"packet\"," J_V4 ",\"dst\":\"198.51.100.10\",\"proto\":\"gre\","
     "\"direction\":\"in\",\"prefix\":\"GRE\"}",
     NULL},
    {"X IN=eth0 OUT= " V4_HDR "PROTO=103 ",
     "{\"kind\":\"packet\"," J_V4 ",\"dst\":\"198.51.100.10\",\"proto\":\"103\","
     "\"direction\":\"in\",\"prefix\":\"X\"}",
     NULL},
    {"X IN=eth0 OUT= " V4_HDR "PROTO=UDPLITE SPT=1000 DPT=2000 LEN=30 ",
     "{\"kind\":\"packet\"," J_V4 ",\"src_port\":1000,\"dst\":\"198.51.100.10\",\"dst_port\":2000,"
     "\"proto\":\"udplite\",\"direction\":\"in\",\"prefix\":\"X\"}",
     NULL},
    {"X IN=eth0 OUT= " V4_HDR "PROTO=SCTP ",
     "{\"kind\":\"packet\"," J_V4 ",\"dst\":\"198.51.100.10\",\"proto\":\"sctp\","
     "\"direction\":\"in\",\"prefix\":\"X\"}",
     NULL},
    {"X IN=eth0 OUT= " V4_HDR "PROTO=ESP SPI=0x1234 ",
     "{\"kind\":\"packet\"," J_V4 ",\"dst\":\"198.51.100.10\",\"proto\":\"esp\","
     "\"direction\":\"in\",\"prefix\":\"X\"}",
     NULL},
    /* ICMP echo: the second ID= is the echo id, not the IP id */
    {"[UFW BLOCK] IN=eth0 OUT= MAC=" V4_ETH_MAC " SRC=203.0.113.9 DST=198.51.100.10 LEN=84 "
     "TOS=0x00 PREC=0x00 TTL=55 ID=999 DF PROTO=ICMP TYPE=8 CODE=0 ID=3 SEQ=1 ",
     "{\"kind\":\"packet\"," J_V4 ",\"dst\":\"198.51.100.10\",\"proto\":\"icmp\","
     "\"direction\":\"in\",\"prefix\":\"[UFW BLOCK]\"}",
     "in=eth0 out= mac=" V4_ETH_MAC " len=84 ttl=55 win=-1 type=8 code=0"},
    /* ICMP error: the embedded packet must not overwrite the outer one */
    {"[UFW BLOCK] IN=eth0 OUT= MAC=" V4_ETH_MAC " SRC=192.0.2.1 DST=198.51.100.10 LEN=88 "
     "TOS=0x00 PREC=0xC0 TTL=250 ID=1 PROTO=ICMP TYPE=3 CODE=3 [SRC=198.51.100.10 "
     "DST=192.0.2.1 LEN=60 TOS=0x00 PREC=0x00 TTL=1 ID=2 PROTO=UDP SPT=33434 DPT=33435 LEN=40 "
     "] ",
     "{\"kind\":\"packet\",\"src\":\"192.0.2.1\",\"dst\":\"198.51.100.10\",\"proto\":\"icmp\","
     "\"direction\":\"in\",\"prefix\":\"[UFW BLOCK]\"}",
     "in=eth0 out= mac=" V4_ETH_MAC " len=88 ttl=250 win=-1 type=3 code=3"},
    {"[UFW BLOCK] IN=eth0 OUT= SRC=192.0.2.1 DST=198.51.100.10 LEN=56 TOS=0x00 PREC=0x00 "
     "TTL=250 ID=1 PROTO=ICMP TYPE=3 CODE=4 [SRC=198.51.100.10 DST=192.0.2.1 LEN=1500 TOS=0x00 "
     "PREC=0x00 TTL=60 ID=2 DF PROTO=TCP INCOMPLETE [8 bytes] ] MTU=1400 ",
     "{\"kind\":\"packet\",\"src\":\"192.0.2.1\",\"dst\":\"198.51.100.10\",\"proto\":\"icmp\","
     "\"direction\":\"in\",\"prefix\":\"[UFW BLOCK]\"}",
     "in=eth0 out= len=56 ttl=250 win=-1 type=3 code=4"},
    {"X IN=eth0 OUT= " V4_HDR "PROTO=TCP INCOMPLETE [12 bytes] ",
     "{\"kind\":\"packet\"," J_V4 ",\"dst\":\"198.51.100.10\",\"proto\":\"tcp\",\"flags\":\"\","
     "\"direction\":\"in\",\"prefix\":\"X\"}",
     NULL},
    /* IPv6 */
    {"[UFW BLOCK] IN=eth0 OUT= MAC=" V6_MAC " " V6_SRC "LEN=80 TC=0 HOPLIMIT=57 FLOWLBL=123456 "
     "PROTO=TCP SPT=44321 DPT=22 WINDOW=64800 RES=0x00 SYN URGP=0 ",
     "{\"kind\":\"packet\"," J_V6 ",\"src_port\":44321,\"dst\":\"2001:db8::1\",\"dst_port\":22,"
     "\"proto\":\"tcp\",\"flags\":\"SYN\",\"direction\":\"in\",\"prefix\":\"[UFW BLOCK]\"}",
     "in=eth0 out= mac=" V6_MAC " len=80 ttl=57 win=64800 type=-1 code=-1"},
    {"[UFW BLOCK] IN=eth0 OUT= MAC=" V6_MAC " " V6_SRC "LEN=104 TC=0 HOPLIMIT=57 FLOWLBL=0 "
     "PROTO=ICMPv6 TYPE=128 CODE=0 ID=7 SEQ=1 ",
     "{\"kind\":\"packet\"," J_V6 ",\"dst\":\"2001:db8::1\",\"proto\":\"ipv6-icmp\","
     "\"direction\":\"in\",\"prefix\":\"[UFW BLOCK]\"}",
     "in=eth0 out= mac=" V6_MAC " len=104 ttl=57 win=-1 type=128 code=0"},
    {"[UFW BLOCK] IN=eth0 OUT= " V6_SRC "LEN=1280 TC=0 HOPLIMIT=60 FLOWLBL=0 PROTO=ICMPv6 "
     "TYPE=1 CODE=4 [SRC=2001:0db8:0000:0000:0000:0000:0000:0001 "
     "DST=2001:0db8:0000:0000:0000:0000:0000:0bad LEN=80 TC=0 HOPLIMIT=64 FLOWLBL=0 PROTO=UDP "
     "SPT=53 DPT=3000 LEN=40 ] ",
     "{\"kind\":\"packet\"," J_V6 ",\"dst\":\"2001:db8::1\",\"proto\":\"ipv6-icmp\","
     "\"direction\":\"in\",\"prefix\":\"[UFW BLOCK]\"}",
     "in=eth0 out= len=1280 ttl=60 win=-1 type=1 code=4"},
    {"X IN=eth0 OUT= " V6_SRC "LEN=1240 TC=0 HOPLIMIT=60 FLOWLBL=0 FRAG:1232 INCOMPLETE "
     "ID:0000abcd PROTO=UDP ",
     "{\"kind\":\"packet\"," J_V6 ",\"dst\":\"2001:db8::1\",\"proto\":\"udp\","
     "\"direction\":\"in\",\"prefix\":\"X\"}",
     NULL},
    {"X IN=eth0 OUT= " V6_SRC "LEN=100 TC=0 HOPLIMIT=60 FLOWLBL=0 OPT ( FRAG:0 ID:0000abcd ) "
     "PROTO=UDP SPT=1 DPT=2 LEN=60 ",
     "{\"kind\":\"packet\"," J_V6 ",\"src_port\":1,\"dst\":\"2001:db8::1\",\"dst_port\":2,"
     "\"proto\":\"udp\",\"direction\":\"in\",\"prefix\":\"X\"}",
     NULL},
    {"OUT6 IN= OUT=eth0 SRC=2001:0db8:0000:0000:0000:0000:0000:0001 "
     "DST=2001:0db8:0000:0000:0000:0000:0000:0bad LEN=60 TC=0 HOPLIMIT=64 FLOWLBL=1 PROTO=TCP "
     "SPT=22 DPT=44321 WINDOW=0 RES=0x00 ACK RST URGP=0 UID=0 GID=0 ",
     "{\"kind\":\"packet\",\"src\":\"2001:db8::1\",\"src_port\":22,\"dst\":\"2001:db8::bad\","
     "\"dst_port\":44321,\"proto\":\"tcp\",\"flags\":\"ACK RST\",\"direction\":\"out\","
     "\"prefix\":\"OUT6\"}",
     "in= out=eth0 len=60 ttl=64 win=0 type=-1 code=-1"},
    /* the kernel stamp, when a caller passes the raw dmesg message */
    {"[12345.678901] [UFW BLOCK] IN=eth0 OUT= " V4_HDR "PROTO=TCP SPT=1 DPT=2 WINDOW=3 "
     "RES=0x00 SYN URGP=0 ",
     "{\"kind\":\"packet\"," J_V4 ",\"src_port\":1,\"dst\":\"198.51.100.10\",\"dst_port\":2,"
     "\"proto\":\"tcp\",\"flags\":\"SYN\",\"direction\":\"in\",\"prefix\":\"[UFW BLOCK]\"}",
     NULL},
    {"[    3.000001] IN=eth0 OUT= " V4_HDR "PROTO=TCP SPT=1 DPT=2 WINDOW=3 RES=0x00 SYN URGP=0",
     "{\"kind\":\"packet\"," J_V4 ",\"src_port\":1,\"dst\":\"198.51.100.10\",\"dst_port\":2,"
     "\"proto\":\"tcp\",\"flags\":\"SYN\",\"direction\":\"in\"}",
     NULL},
    /* prefixes that imitate fields cannot contribute any */
    {"IN=lo OUT=lo SRC=6.6.6.6 DST=7.7.7.7 PROTO=TCP SPT=9 DPT=9 SYN IN=eth0 OUT= " V4_HDR
     "PROTO=UDP SPT=5070 DPT=5060 LEN=20 ",
     "{\"kind\":\"packet\"," J_V4 ",\"src_port\":5070,\"dst\":\"198.51.100.10\",\"dst_port\":5060,"
     "\"proto\":\"udp\",\"direction\":\"in\",\"prefix\":\"IN=lo OUT=lo SRC=6.6.6.6 "
     "DST=7.7.7.7 PROTO=TCP SPT=9 DPT=9 SYN\"}",
     "in=eth0 out= len=40 ttl=241 win=-1 type=-1 code=-1"},
    {"fake IN= OUT= SRC=bogus [x] IN=eth0 OUT= " V4_HDR "PROTO=UDP SPT=5070 DPT=5060 LEN=20 ",
     "{\"kind\":\"packet\"," J_V4 ",\"src_port\":5070,\"dst\":\"198.51.100.10\",\"dst_port\":5060,"
     "\"proto\":\"udp\",\"direction\":\"in\",\"prefix\":\"fake IN= OUT= SRC=bogus [x]\"}",
     NULL},
    {"a IN=x OUT=y [ IN=eth0 OUT= " V4_HDR "PROTO=UDP SPT=5070 DPT=5060 LEN=20 ",
     "{\"kind\":\"packet\"," J_V4 ",\"src_port\":5070,\"dst\":\"198.51.100.10\",\"dst_port\":5060,"
     "\"proto\":\"udp\",\"direction\":\"in\",\"prefix\":\"a IN=x OUT=y [\"}",
     NULL},
    {"SRC=1.2.3.4 OUT=z p:IN=x OUT=y:IN=eth0 OUT= " V4_HDR "PROTO=UDP SPT=5070 DPT=5060 LEN=20",
     "{\"kind\":\"packet\"," J_V4 ",\"src_port\":5070,\"dst\":\"198.51.100.10\",\"dst_port\":5060,"
     "\"proto\":\"udp\",\"direction\":\"in\",\"prefix\":\"SRC=1.2.3.4 OUT=z p:IN=x "
     "OUT=y:\"}",
     "in=eth0 out= len=40 ttl=241 win=-1 type=-1 code=-1"},
    /* not packets, or malformed */
    {"", NULL, NULL},
    {"usb 1-1: new high-speed USB device number 2 using xhci_hcd", NULL, NULL},
    {"IN=eth0 OUT= MAC=00:11 ARP HTYPE=1 PTYPE=0x0800 OPCODE=1 MACSRC=00:11:22:33:44:55 "
     "IPSRC=192.0.2.1 MACDST=00:00:00:00:00:00 IPDST=192.0.2.2 ",
     NULL, NULL},
    {"[UFW BLOCK] IN=eth0 OUT= MAC=" V4_ETH_MAC " TRUNCATED", NULL, NULL},
    {"[UFW BLOCK] IN=eth0 OUT= DST=198.51.100.10 LEN=40 PROTO=TCP SPT=1 DPT=2 ", NULL, NULL},
    {"[UFW BLOCK] IN=eth0 OUT= SRC=203.0.113.9 DST=198.51.100.10 LEN=40 TTL=1 ", NULL, NULL},
    {"[UFW BLOCK] IN=eth0 OUT= SRC=203.0.113.999 DST=198.51.100.10 PROTO=TCP ", NULL, NULL},
    {"[UFW BLOCK] IN=eth0 OUT= SRC=203.0.113.9 DST=198.51.100.10:80 PROTO=TCP ", NULL, NULL},
    {"[UFW BLOCK] IN=eth0 OUT= SRC=203.0.113.9 DST=2001:db8::1 PROTO=TCP ", NULL, NULL},
    {"[UFW BLOCK] IN=eth0 OUT= " V4_HDR "PROTO=TCP SPT=70000 DPT=22 ", NULL, NULL},
    {"[UFW BLOCK] IN=eth0 OUT= " V4_HDR "PROTO=TCP SPT=1 DPT=-1 ", NULL, NULL},
    {"[UFW BLOCK] IN=eth0 OUT= " V4_HDR "PROTO=TCP SPT=1 DPT=22x ", NULL, NULL},
    {"[UFW BLOCK] IN=eth0 OUT= " V4_HDR "PROTO=TCP SPT=1 DPT=99999999999999999999 ", NULL, NULL},
    {"[UFW BLOCK] IN=eth0 OUT= " V4_HDR "PROTO=256 ", NULL, NULL},
    {"[UFW BLOCK] IN=eth0 OUT= " V4_HDR "PROTO=FOO ", NULL, NULL},
    {"[UFW BLOCK] IN=eth0 OUT= " V4_HDR "SRC=192.0.2.7 PROTO=TCP SPT=1 DPT=2 ", NULL, NULL},
    {"[UFW BLOCK] IN=eth0 OUT= " V4_HDR "PROTO=TCP SPT=1 DPT=2 DPT=3 ", NULL, NULL},
    {"[UFW BLOCK] IN=eth0 OUT= " V4_HDR "PROTO=TCP PROTO=UDP SPT=1 DPT=2 ", NULL, NULL},
    {"[UFW BLOCK] IN=eth0 OUT= " V4_HDR "PROTO=TCP SPT=1 DPT=2 SRC=192.0.2.7 ", NULL, NULL},
    {"[UFW BLOCK] IN=eth0 OUT= SRC=203.0.113.9 DST=198.51.100.10 LEN=40 LEN=41 PROTO=TCP ", NULL,
     NULL},
    {"[UFW BLOCK] IN=eth0 OUT= SRC=203.0.113.9 DST=198.51.100.10 LEN=40 TTL=256 PROTO=TCP ", NULL,
     NULL},
    {"[UFW BLOCK] IN=eth0 OUT= SRC=203.0.113.9 DST= PROTO=TCP ", NULL, NULL},
    {"[UFW BLOCK] IN=eth0 OUT= SRC=203.0.113.9 DST=198.51.100.10 LEN=40 PROTO=", NULL, NULL},
    {"[UFW BLOCK] IN=eth0 SRC=203.0.113.9 DST=198.51.100.10 LEN=40 PROTO=TCP ", NULL, NULL},
    {"[UFW BLOCK] OUT= SRC=203.0.113.9 DST=198.51.100.10 LEN=40 PROTO=TCP ", NULL, NULL},
    {"[UFW BLOCK] IN=eth0 OUT= SRC=203.0.113.9 DST=198.51.100.10 PROTO=ICMP TYPE=300 ", NULL, NULL},
    {"[UFW BLOCK] IN=eth0 OUT= SRC=203.0.113.9 DST=198.51.100.10 PROTO=TCP WINDOW=65536 ", NULL,
     NULL},
};

static void check_case(const struct nf_case *c, size_t idx)
{
	size_t n = strlen(c->msg);
	/* an exact-size copy, so ASan sees any read past the end */
	char *copy = malloc(n ? n : 1);
	struct mm_event ev;
	struct mm_buf got, extra;
	int r;

	assert_non_null(copy);
	memcpy(copy, c->msg, n);
	mm_buf_init(&got, 1 << 16);
	mm_buf_init(&extra, 1 << 16);
	mm_event_clear(&ev);
	r = mm_parse_netfilter(copy, n, &ev);
	if (r == 1)
		mm_event_to_json(&ev, false, &got);
	else
		mm_buf_adds(&got, "none");
	if (strcmp(got.data, c->json ? c->json : "none") != 0) {
		print_error("case %zu: %s\n  got:  %s\n  want: %s\n", idx, c->msg, got.data,
			    c->json ? c->json : "none");
		fail();
	}
	if (r == 1 && c->extra) {
		extra_fields(&ev, &extra);
		if (strcmp(extra.data, c->extra) != 0) {
			print_error("case %zu: %s\n  got:  %s\n  want: %s\n", idx, c->msg,
				    extra.data, c->extra);
			fail();
		}
	}
	if (r == 1) {
		/* spans point into the message */
		assert_true(!ev.prefix.p ||
			    (ev.prefix.p >= copy && ev.prefix.p + ev.prefix.n <= copy + n));
		assert_true(ev.in_if.p >= copy && ev.in_if.p + ev.in_if.n <= copy + n);
	}
	mm_buf_release(&got);
	mm_buf_release(&extra);
	free(copy);
}

static void test_cases(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_case(&cases[i], i);
}

/* The parser must not touch what the envelope stamped. */
static void test_keeps_envelope_fields(void **state)
{
	static const char msg[] = "[UFW BLOCK] IN=eth0 OUT= " V4_HDR "PROTO=UDP SPT=1 DPT=2 LEN=8";
	struct mm_event ev;

	(void)state;
	mm_event_clear(&ev);
	ev.time.set = true;
	ev.time.us = 1234567;
	ev.host = mm_span_make("web1", 4);
	ev.program = mm_span_make("kernel", 6);
	ev.line = 7;
	ev.file = "f";
	assert_int_equal(mm_parse_netfilter(msg, sizeof(msg) - 1, &ev), 1);
	assert_true(ev.time.set);
	assert_int_equal(ev.time.us, 1234567);
	assert_int_equal(ev.host.n, 4);
	assert_int_equal(ev.program.n, 6);
	assert_int_equal(ev.pid, -1);
	assert_int_equal(ev.line, 7);
	assert_int_equal(ev.proto, 17);
}

/*
 * Every truncation of every case, each in an exact-size heap copy: the
 * parser must never read past n (ASan), and a truncated line is either not
 * a packet or a packet with the same source address as the whole line.
 */
static void test_truncations(void **state)
{
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = strlen(cases[i].msg);
		struct mm_event full;

		mm_event_clear(&full);
		mm_parse_netfilter(cases[i].msg, n, &full);
		for (k = 0; k < n; k++) {
			char *copy = malloc(k ? k : 1);
			struct mm_event ev;

			assert_non_null(copy);
			memcpy(copy, cases[i].msg, k);
			mm_event_clear(&ev);
			/* (a prefix holding a fake header is the header once the real one is cut)
			 */
			if (mm_parse_netfilter(copy, k, &ev) == 1 && cases[i].json &&
			    !(full.prefix.p && memchr(full.prefix.p, '=', full.prefix.n)))
				if (!mm_addr_eq(&ev.src, &full.src)) {
					print_error("case %zu cut at %zu\n", i, k);
					fail();
				}
			free(copy);
		}
	}
}

/* NUL bytes anywhere: never a crash, never a read past the end. */
static void test_nul_bytes(void **state)
{
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = strlen(cases[i].msg);

		for (k = 0; k < n; k++) {
			char *copy = malloc(n);
			struct mm_event ev;
			int r;

			assert_non_null(copy);
			memcpy(copy, cases[i].msg, n);
			copy[k] = '\0';
			mm_event_clear(&ev);
			r = mm_parse_netfilter(copy, n, &ev);
			assert_true(r == 0 || r == 1);
			if (r == 1)
				assert_int_equal(ev.kind, MM_EV_PACKET);
			free(copy);
		}
	}
}

/*
 * The same packet with its fields in the kernel's order and shuffled: the
 * kernel's order takes the fast path, the shuffled one the general switch
 * (from the first field out of order on), and both give the same event.
 */
static void test_field_order(void **state)
{
	static const char *const pairs[][2] = {
	    {"[UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 "
	     "SRC=192.0.2.7 DST=198.51.100.10 LEN=44 TOS=0x00 PREC=0x00 TTL=241 ID=54321 "
	     "PROTO=TCP SPT=55221 DPT=22 WINDOW=1024 RES=0x00 SYN URGP=0 ",
	     "[UFW BLOCK] IN=eth0 OUT= SRC=192.0.2.7 MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 "
	     "TTL=241 DST=198.51.100.10 ID=54321 LEN=44 PREC=0x00 TOS=0x00 PROTO=TCP DPT=22 "
	     "WINDOW=1024 SPT=55221 SYN URGP=0 RES=0x00 "},
	    {"IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 SRC=192.0.2.8 "
	     "DST=198.51.100.10 LEN=52 TOS=0x00 PREC=0x00 TTL=50 ID=1 CE DF MF PROTO=TCP SPT=443 "
	     "DPT=40000 SEQ=1 ACK=2 WINDOW=501 RES=0x00 ACK PSH FIN URGP=0 OPT (0101) ",
	     "IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 SRC=192.0.2.8 "
	     "DST=198.51.100.10 LEN=52 TOS=0x00 PREC=0x00 TTL=50 ID=1 DF CE MF PROTO=TCP SPT=443 "
	     "DPT=40000 WINDOW=501 SEQ=1 ACK=2 RES=0x00 FIN PSH ACK URGP=0 OPT (0101) "},
	    {"IN=eth0 OUT= SRC=2001:0db8:0000:0000:0000:0000:0000:0001 "
	     "DST=2001:0db8:0042:0000:0000:0000:0000:0010 LEN=60 TC=0 HOPLIMIT=50 FLOWLBL=0 "
	     "PROTO=UDP SPT=5060 DPT=5061 LEN=40 ",
	     "IN=eth0 OUT= DST=2001:0db8:0042:0000:0000:0000:0000:0010 "
	     "SRC=2001:0db8:0000:0000:0000:0000:0000:0001 HOPLIMIT=50 LEN=60 FLOWLBL=0 TC=0 "
	     "PROTO=UDP DPT=5061 LEN=40 SPT=5060 "},
	    {"IN=eth0 OUT= SRC=192.0.2.9 DST=198.51.100.10 LEN=84 TOS=0x00 PREC=0x00 TTL=64 ID=0 "
	     "DF PROTO=ICMP TYPE=8 CODE=0 ID=7 SEQ=1 ",
	     "IN=eth0 OUT= SRC=192.0.2.9 DST=198.51.100.10 TTL=64 LEN=84 ID=0 DF PROTO=ICMP "
	     "CODE=0 TYPE=8 SEQ=1 ID=7 "},
	    {"IN=eth0 OUT=eth1 SRC=192.0.2.10 DST=203.0.113.130 LEN=40 TOS=0x00 PREC=0x00 TTL=244 "
	     "ID=5 PROTO=17 SPT=1 DPT=2 LEN=20 ",
	     "IN=eth0 OUT=eth1 SRC=192.0.2.10 DST=203.0.113.130 LEN=40 TOS=0x00 PREC=0x00 TTL=244 "
	     "ID=5 MARK=0x1 PROTO=17 DPT=2 SPT=1 LEN=20 "},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		struct mm_event a, b;

		mm_event_clear(&a);
		mm_event_clear(&b);
		assert_int_equal(mm_parse_netfilter(pairs[i][0], strlen(pairs[i][0]), &a), 1);
		assert_int_equal(mm_parse_netfilter(pairs[i][1], strlen(pairs[i][1]), &b), 1);
		assert_true(mm_addr_eq(&a.src, &b.src));
		assert_true(mm_addr_eq(&a.dst, &b.dst));
		assert_int_equal(a.src_port, b.src_port);
		assert_int_equal(a.dst_port, b.dst_port);
		assert_int_equal(a.proto, b.proto);
		assert_int_equal(a.tcp_flags, b.tcp_flags);
		assert_int_equal(a.dir, b.dir);
		assert_int_equal(a.len, b.len);
		assert_int_equal(a.ttl, b.ttl);
		assert_int_equal(a.window, b.window);
		assert_int_equal(a.icmp_type, b.icmp_type);
		assert_int_equal(a.icmp_code, b.icmp_code);
		assert_int_equal(a.mac.n, b.mac.n);
		assert_int_equal(a.in_if.n, b.in_if.n);
		assert_int_equal(a.out_if.n, b.out_if.n);
	}
}

static void test_corpus(void **state)
{
	(void)state;
	assert_int_equal(mm_corpus_run(mm_test_data("logs/netfilter.txt")), 0);
}

static void test_corpus_real(void **state)
{
	(void)state;
	assert_int_equal(mm_corpus_run(mm_test_data("logs/netfilter-real.txt")), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cases),	cmocka_unit_test(test_keeps_envelope_fields),
	    cmocka_unit_test(test_truncations), cmocka_unit_test(test_nul_bytes),
	    cmocka_unit_test(test_corpus),	cmocka_unit_test(test_corpus_real),
	    cmocka_unit_test(test_field_order),
	};

	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
