#!/bin/bash
# SPDX-License-Identifier: MIT
#
# nflog-capture.sh NF_EVENTS [--save DIR]
#
# Real kernel netfilter log lines through mamori's parser. As root:
#   - sets net.netfilter.nf_log_all_netns=1 (so namespaces other than the
#     initial one may log; the old value is restored on exit),
#   - creates a sender and a receiver namespace joined by a veth pair,
#     with IPv4 and IPv6 (nodad) addresses,
#   - loads an nftables ruleset in the receiver that logs with a ufw-style
#     prefix ("[UFW BLOCK] "), an iptables-style prefix glued to IN=
#     ("MM-SIP:"), custom prefixes and `log flags all`,
#   - sends real packets from the sender: TCP SYN (connect), FIN, NULL,
#     XMAS and ACK segments (python3 raw sockets), UDP to 5060, ICMP and
#     ICMPv6 echo (the receiver logs the replies it sends, too) and UDP to
#     a closed port (the receiver logs the ICMP error it sends, with the
#     offending packet in brackets),
#   - reads the kernel lines back from the kernel log, wraps each in an
#     RFC 3164 envelope "Mon DD HH:MM:SS testhost kernel: [stamp] msg" and
#     runs them through NF_EVENTS (tests/netns/nf_events.c),
#   - checks that every generated packet came out with the right fields.
# --save DIR also writes DIR/kernel-captured.log (the raw kernel lines) and
# DIR/netfilter-real.txt (a corpus, see tests/unit/corpus.h, with a fixed
# stamp so it does not depend on the day it was captured).
#
# Exits 77 (skip) only when not root or the kernel lacks network namespaces,
# veth or nftables logging. Traffic stays inside the two namespaces.
set -u

nf_events=${1:?usage: nflog-capture.sh NF_EVENTS [--save DIR]}
save=
if [ "${2:-}" = --save ]; then
	save=${3:?--save needs a directory}
fi

. "$(dirname "$0")/lib.sh"

netns_need ip nft python3 dmesg
# unique per run: others may run namespace tests at the same time
id=$netns_id
ns_s=mm-nfs-$id
ns_r=mm-nfr-$id
if_s=mms$id
if_r=mmr$id
if_s=${if_s:0:15}
if_r=${if_r:0:15}
sysctl_path=/proc/sys/net/netfilter/nf_log_all_netns
old_all_netns=
netns_cleanup_more() {
	if [ -n "$old_all_netns" ]; then
		echo "$old_all_netns" >"$sysctl_path" 2>/dev/null
	fi
}

netns_add "$ns_s" "$ns_r"
netns_veth "$ns_s" "$if_s" "$ns_r" "$if_r"

[ -e "$sysctl_path" ] || modprobe nf_log_syslog 2>/dev/null
[ -e "$sysctl_path" ] || skip "kernel has no $sysctl_path (nf_log_syslog)"
old_all_netns=$(cat "$sysctl_path")
echo 1 >"$sysctl_path" || exit 1

A4=10.201.0.1 B4=10.201.0.2 A6=fd00:c9::1 B6=fd00:c9::2
ip -n "$ns_s" addr add $A4/24 dev "$if_s"
ip -n "$ns_r" addr add $B4/24 dev "$if_r"
ip -n "$ns_s" addr add $A6/64 dev "$if_s" nodad
ip -n "$ns_r" addr add $B6/64 dev "$if_r" nodad
# the veth carrier and the IPv6 addresses take a moment: wait until usable
for _ in $(seq 50); do
	if ip -n "$ns_s" link show dev "$if_s" | grep -q LOWER_UP &&
		ip -n "$ns_r" link show dev "$if_r" | grep -q LOWER_UP &&
		! ip -n "$ns_s" -6 addr show dev "$if_s" | grep -q tentative &&
		! ip -n "$ns_r" -6 addr show dev "$if_r" | grep -q tentative &&
		ip netns exec "$ns_s" ip -6 route get $B6 >/dev/null 2>&1; then
		break
	fi
	sleep 0.1
done

ip netns exec "$ns_r" nft -f - <<EOF || skip "nftables with the log statement not available"
table inet mmtest {
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport 22 log prefix "[UFW BLOCK] " drop
		tcp dport 23 log prefix "MM-SCAN: " flags all drop
		udp dport 5060 log prefix "MM-SIP:" drop
		icmp type echo-request log prefix "MM-PING " accept
		icmpv6 type echo-request log prefix "MM-PING " accept
	}
	chain output {
		type filter hook output priority 0; policy accept;
		icmp type { echo-reply, destination-unreachable } log prefix "[MM OUT] " accept
		icmpv6 type { echo-reply, destination-unreachable } log prefix "[MM OUT] " accept
	}
}
EOF

# the kernel log may hold lines of earlier runs, and its ring buffer may be
# full (so counting lines says nothing): this run's lines are the ones
# naming this run's own receiver interface
dmesg -r >/dev/null 2>&1 || skip "cannot read the kernel log (dmesg)"

ip netns exec "$ns_s" python3 - "$A4" "$B4" "$A6" "$B6" <<'EOF' || exit 1
import socket, struct, sys, time
A4, B4, A6, B6 = sys.argv[1:5]

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF

def tcp(src, dst, sport, dport, flags, v6):
    hdr = struct.pack("!HHIIBBHHH", sport, dport, 1000, 0, 5 << 4, flags, 1024, 0, 0)
    if v6:
        pseudo = (socket.inet_pton(socket.AF_INET6, src) + socket.inet_pton(socket.AF_INET6, dst)
                  + struct.pack("!I3xB", len(hdr), 6))
    else:
        pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 6, len(hdr))
    return hdr[:16] + struct.pack("!H", csum(pseudo + hdr)) + hdr[18:]

def syn(dst, fam):
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(0.3)
    try:
        s.connect((dst, 22))
    except OSError:
        pass
    s.close()

syn(B4, socket.AF_INET)
syn(B6, socket.AF_INET6)

# scans: FIN, NULL, XMAS (FIN PSH URG), ACK; source port tells them apart
scans = [(40001, 0x01), (40002, 0x00), (40003, 0x29), (40004, 0x10)]
r4 = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
r6 = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_TCP)
for sport, flags in scans:
    r4.sendto(tcp(A4, B4, sport, 23, flags, False), (B4, 0))
    r6.sendto(tcp(A6, B6, sport, 23, flags, True), (B6, 0))

for dst, fam in ((B4, socket.AF_INET), (B6, socket.AF_INET6)):
    u = socket.socket(fam, socket.SOCK_DGRAM)
    u.bind(("0.0.0.0" if fam == socket.AF_INET else "::", 5061))
    u.sendto(b"OPTIONS sip:nm SIP/2.0\r\n\r\n", (dst, 5060))
    u.sendto(b"closed", (dst, 9999))  # answered by an ICMP port unreachable
    u.close()

p4 = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
body = struct.pack("!BBHHH", 8, 0, 0, 0x4d4d, 1) + b"mamori"
p4.sendto(body[:2] + struct.pack("!H", csum(body)) + body[4:], (B4, 0))
p6 = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
p6.sendto(struct.pack("!BBHHH", 128, 0, 0, 0x4d4d, 1) + b"mamori", (B6, 0))
time.sleep(0.5)
EOF

# the kernel's own lines for our receiver interface, without the "<pri>"
dmesg -r | grep -E "(IN|OUT)=$if_r " |
	sed -E 's/^<[0-9]+>//' >"$work/raw.log"
stamp=$(LC_ALL=C date '+%b %e %H:%M:%S')
sed "s/^/$stamp testhost kernel: /" "$work/raw.log" >"$work/lines.log"
"$nf_events" "$work/lines.log" >"$work/events.json" || exit 1
echo "captured $(wc -l <"$work/raw.log") kernel lines"

python3 - "$work/lines.log" "$work/events.json" "$A4" "$B4" "$A6" "$B6" <<'EOF' || exit 1
import json, sys
lines = open(sys.argv[1]).read().splitlines()
evs = open(sys.argv[2]).read().splitlines()
A4, B4, A6, B6 = sys.argv[3:7]
fail = 0
assert len(lines) == len(evs)
got = []
for line, ev in zip(lines, evs):
    if ev == "none":
        print("NOT PARSED:", line)
        fail += 1
        continue
    e = json.loads(ev)
    if e.get("kind") != "packet" or e.get("host") != "testhost" or e.get("program") != "kernel":
        print("BAD EVENT:", line, "->", ev)
        fail += 1
    got.append(e)

def want(name, **kv):
    global fail
    if not any(all(e.get(k) == v for k, v in kv.items()) and
               all(k in kv for k in e if k not in ("time", "kind", "host", "program", "src_port"))
               for e in got):
        print("MISSING:", name, kv)
        fail += 1

for v, a, b in (("v4", A4, B4), ("v6", A6, B6)):
    icmp = "icmp" if v == "v4" else "ipv6-icmp"
    want(v + " SYN", src=a, dst=b, dst_port=22, proto="tcp", flags="SYN", direction="in",
         prefix="[UFW BLOCK]")
    for sport, flags in ((40001, "FIN"), (40002, ""), (40003, "FIN PSH URG"), (40004, "ACK")):
        want("%s scan %r" % (v, flags), src=a, src_port=sport, dst=b, dst_port=23, proto="tcp",
             flags=flags, direction="in", prefix="MM-SCAN:")
    want(v + " SIP", src=a, src_port=5061, dst=b, dst_port=5060, proto="udp", direction="in",
         prefix="MM-SIP:")
    want(v + " echo request", src=a, dst=b, proto=icmp, direction="in", prefix="MM-PING")
    # echo reply and the port unreachable (whose embedded packet runs a -> b)
    n = sum(1 for e in got if e.get("src") == b and e.get("dst") == a and e.get("proto") == icmp
            and e.get("direction") == "out" and e.get("prefix") == "[MM OUT]")
    if n < 2:
        print("MISSING: %s echo reply and port unreachable from the receiver (%d)" % (v, n))
        fail += 1
print("checked %d events, %d problems" % (len(got), fail))
sys.exit(1 if fail else 0)
EOF

if [ -n "$save" ]; then
	cp "$work/raw.log" "$save/kernel-captured.log"
	sed 's/^/Nov 21 03:12:45 testhost kernel: /' "$work/raw.log" >"$work/fixed.log"
	"$nf_events" -m 1796083200 "$work/fixed.log" >"$work/fixed.json" || exit 1
	{
		echo "# Real kernel lines ($(uname -r)), captured by tests/netns/nflog-capture.sh"
		echo "# --save; the raw lines are in tests/data/kernel-captured.log. The stamp"
		echo "# is fixed, the messages are as the kernel wrote them."
		paste -d '\n' <(sed 's/^/< /' "$work/fixed.log") <(sed 's/^/> /' "$work/fixed.json")
	} >"$save/netfilter-real.txt"
	echo "saved $save/kernel-captured.log and $save/netfilter-real.txt"
fi
exit 0
