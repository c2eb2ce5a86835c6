#!/bin/bash
# SPDX-License-Identifier: MIT
#
# firewall-apps.sh MAMORI
#
# mamori firewall's application profiles, blocklist feeds and routed rules
# against real packets. As root, builds three namespaces in a line,
#   client (10.204.1.0/24, fd00:cc:1::/64) - router - server (10.204.2.0/24, fd00:cc:2::/64)
# with veth pairs; the router forwards. A python3 server in the server
# namespace listens on TCP and UDP ports; the client probes it from several
# of its own addresses. mamori runs in the server namespace (input rules)
# and in the router namespace (routed rules), each with its own rules file.
# Feeds are also changed under --confirm (rolled back by the watcher,
# confirmed).
#
# Exits 77 (skip) only when not root or the kernel lacks namespaces, veth
# or nf_tables. Traffic stays inside the three namespaces.
set -u

mamori=${1:?usage: firewall-apps.sh MAMORI}
src=${MM_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$(dirname "$0")/lib.sh"

netns_need ip nft python3
id=$netns_id
ns_c=mm-fac-$id
ns_r=mm-far-$id
ns_s=mm-fas-$id
if_c=fac$id if_rc=farc$id if_rs=fars$id if_s=fas$id
if_c=${if_c:0:15} if_rc=${if_rc:0:15} if_rs=${if_rs:0:15} if_s=${if_s:0:15}

netns_add "$ns_c" "$ns_r" "$ns_s"
netns_veth "$ns_c" "$if_c" "$ns_r" "$if_rc"
netns_veth "$ns_s" "$if_s" "$ns_r" "$if_rs"
netns_need_nft "$ns_s"

C4=10.204.1.2 C4B=10.204.1.3 C4P=10.204.1.50 S4=10.204.2.2
C6=fd00:cc:1::2 C6B=fd00:cc:1::3 S6=fd00:cc:2::2
ip -n "$ns_c" addr add $C4/24 dev "$if_c"
ip -n "$ns_c" addr add $C4B/24 dev "$if_c"
ip -n "$ns_c" addr add $C4P/24 dev "$if_c"
ip -n "$ns_c" addr add $C6/64 dev "$if_c" nodad
ip -n "$ns_c" addr add $C6B/64 dev "$if_c" nodad
ip -n "$ns_r" addr add 10.204.1.1/24 dev "$if_rc"
ip -n "$ns_r" addr add fd00:cc:1::1/64 dev "$if_rc" nodad
ip -n "$ns_r" addr add 10.204.2.1/24 dev "$if_rs"
ip -n "$ns_r" addr add fd00:cc:2::1/64 dev "$if_rs" nodad
ip -n "$ns_s" addr add $S4/24 dev "$if_s"
ip -n "$ns_s" addr add $S6/64 dev "$if_s" nodad
ip -n "$ns_c" route add default via 10.204.1.1
ip -n "$ns_c" -6 route add default via fd00:cc:1::1
ip -n "$ns_s" route add default via 10.204.2.1
ip -n "$ns_s" -6 route add default via fd00:cc:2::1
ip netns exec "$ns_r" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1

netns_serve "$ns_s" "$work/srv.out" 22/tcp 80/tcp 443/tcp 443/udp 7000/tcp 7001/tcp 7002/udp \
	7003/tcp 8080/tcp

mkdir "$work/apps.d"
export MAMORI_APPS_DIRS="$src/data/apps:$work/apps.d"
rules="$work/server.rules"
fw() { ip netns exec "$ns_s" env -u SSH_CONNECTION "$mamori" firewall --rules "$rules" "$@"; }
probe() { netns_probe "$ns_c" "$@"; }
# expect WANT DESCRIPTION PROBE-ARGS...: from the client
expect() { netns_expect "$ns_c" "$@"; }
mamori_table() { ip netns exec "$ns_s" nft -s list table inet mamori 2>&1; }

# warm up neighbour discovery on both links: a first probe through the
# router can take longer than the probe's 1 s timeout
for a in $S4 $S6; do
	for _ in 1 2 3 4 5; do
		[ "$(probe tcp $a 8080)" = open ] && break
	done
done
expect open "no firewall: routed path works" tcp $S4 8080
expect open "no firewall: routed path works (v6)" tcp $S6 8080

# --- application profiles ---
cat >"$work/apps.d/custom" <<'P'
[Custom]
title=A local profile
ports=7000,7001/tcp|7002/udp
P
fw allow OpenSSH >/dev/null || fail "allow OpenSSH"
fw allow from 10.204.1.0/24 to any app 'Nginx Full' >/dev/null || fail "allow app 'Nginx Full'"
fw allow Custom >/dev/null || fail "allow Custom"
fw enable >"$work/out" 2>&1 || fail "enable: $(cat "$work/out")"
expect open "app OpenSSH: 22/tcp" tcp $S4 22
expect open "app OpenSSH: 22/tcp v6" tcp $S6 22
expect open "app Nginx Full from the client's /24: 80/tcp" tcp $S4 80
expect open "app Nginx Full: 443/tcp" tcp $S4 443
expect open "app Nginx Full: 443/udp" udp $S4 443
expect timeout "app Nginx Full pinned to v4: not v6" tcp $S6 80
expect open "local profile Custom: 7000/tcp" tcp $S4 7000
expect open "local profile Custom: 7001/tcp v6" tcp $S6 7001
expect open "local profile Custom: 7002/udp" udp $S4 7002
expect timeout "7003/tcp not in any profile" tcp $S4 7003
expect timeout "8080/tcp denied" tcp $S4 8080
grep -qx 'allow from 10.204.1.0/24 to any app "Nginx Full"' "$rules" &&
	ok "rules file stores the profile name" || fail "rules file: $(cat "$rules")"

# the profile changes: reload resolves the name again
sed -i 's|^ports=.*|ports=7003/tcp|' "$work/apps.d/custom"
fw reload >/dev/null || fail "reload after profile change"
expect open "changed profile applied on reload: 7003/tcp" tcp $S4 7003
expect timeout "changed profile: 7000/tcp no longer allowed" tcp $S4 7000

# ufw's 'app update NAME' after a profile changed: the rules naming it are
# reloaded, and the nftables rules that changed are shown
sed -i 's|^ports=.*|ports=7000/tcp|' "$work/apps.d/custom"
fw app update Custom >"$work/out" 2>&1 || fail "app update: $(cat "$work/out")"
if grep -qx '  \[ 3\] allow Custom' "$work/out" &&
	grep -qx 'Firewall reloaded: 1 nftables rule removed, 1 added' "$work/out" &&
	grep -qx '  - user_in: tcp dport 7003 accept' "$work/out" &&
	grep -qx '  + user_in: tcp dport 7000 accept' "$work/out"; then
	ok "app update names the rule and shows what changed"
else
	fail "app update output: $(cat "$work/out")"
fi
expect open "app update applied the profile's new port" tcp $S4 7000
expect timeout "app update: the old port no longer allowed" tcp $S4 7003
fw app update Custom >"$work/out" 2>&1
grep -qx 'Firewall reloaded: the loaded rules were already up to date' "$work/out" &&
	ok "app update again: nothing changed" || fail "app update again: $(cat "$work/out")"
# a profile installed later: 'app update --add-new' adds the 'app default' rule
printf '[Later]\ntitle=installed later\nports=7001/tcp\n' >"$work/apps.d/later"
fw app update --add-new Later >/dev/null || fail "--add-new with skip"
expect timeout "app default skip: a new profile opens nothing" tcp $S4 7001
fw app default allow >/dev/null || fail "app default allow"
fw app update --add-new Later >"$work/out" 2>&1 || fail "--add-new: $(cat "$work/out")"
expect open "app default allow: app update --add-new opens the new profile" tcp $S4 7001
fw delete allow Later >/dev/null && fw app default skip >/dev/null || fail "delete allow Later"
rm "$work/apps.d/later"
sed -i 's|^ports=.*|ports=7003/tcp|' "$work/apps.d/custom"
fw app update Custom >/dev/null || fail "app update back to 7003"

# the profile goes away: reload refuses with file and line, nothing changes
before=$(mamori_table)
rm "$work/apps.d/custom"
rc=0
fw reload >"$work/out" 2>&1 || rc=$?
line=$(grep -n '^allow Custom$' "$rules" | cut -d: -f1)
if [ "$rc" = 3 ] && grep -q "server.rules:$line: unknown service or app profile 'Custom'" "$work/out"; then
	ok "unknown profile on reload: exit 3 with file:line"
else
	fail "unknown profile reload: exit $rc: $(cat "$work/out")"
fi
[ "$(mamori_table)" = "$before" ] && ok "refused reload left the ruleset as it was" ||
	fail "refused reload altered the ruleset"
fw delete allow Custom >"$work/out" 2>&1 && fail "delete of an unknown profile's rule succeeded" ||
	ok "rules naming an unknown profile cannot be used until it is back"

# a broken local profile: app list names it, exit 3
printf '[Broken]\ntitle=b\nports=http\n' >"$work/apps.d/broken"
rc=0
fw app list >"$work/out" 2>&1 || rc=$?
if [ "$rc" = 3 ] && grep -q "apps.d/broken:3: bad ports 'http'" "$work/out"; then
	ok "broken profile: app list exits 3 with file:line"
else
	fail "broken profile: exit $rc: $(cat "$work/out")"
fi
rm "$work/apps.d/broken"
printf '[Custom]\ntitle=c\nports=7003/tcp\n' >"$work/apps.d/custom"

# --- blocklist feeds ---
cat >"$work/feed1" <<F
# test feed: one address, one prefix, one v6 address
$C4
10.204.1.48/28 ; covers $C4P
10.204.1.50
$C6
F
fw blocklist load spam "$work/feed1" >"$work/out" 2>&1 || fail "blocklist load: $(cat "$work/out")"
grep -q "Feed spam loaded: 2 IPv4 and 1 IPv6 prefixes (4 lines, 1 merged)" "$work/out" &&
	ok "feed loaded, the nested address merged" || fail "load output: $(cat "$work/out")"
expect timeout "feed blocks a listed address" tcp $S4 80 $C4
expect timeout "feed blocks an address inside a listed prefix" tcp $S4 80 $C4P
expect open "feed leaves other addresses" tcp $S4 80 $C4B
expect timeout "feed blocks a listed v6 address" tcp $S6 22 $C6
expect open "feed leaves other v6 addresses" tcp $S6 22 $C6B
fw blocklist list >"$work/out" 2>&1
if grep -qE '^spam +2 +1 +[1-9][0-9]*$' "$work/out"; then ok "blocklist list: counts and hits"; else
	fail "blocklist list: $(cat "$work/out")"
fi

# a feed file with a junk line: FILE:LINE, the loaded feed stays as it was
before=$(mamori_table)
printf '%s\n%s\nnot-an-address\n' $C4B 10.204.1.0/24 >"$work/feed-bad"
rc=0
fw blocklist load spam "$work/feed-bad" >"$work/out" 2>&1 || rc=$?
if [ "$rc" = 3 ] && grep -q "feed-bad:3: bad address or prefix 'not-an-address'" "$work/out"; then
	ok "bad feed: exit 3 with file:line"
else
	fail "bad feed: exit $rc: $(cat "$work/out")"
fi
[ "$(mamori_table | grep -v packets)" = "$(echo "$before" | grep -v packets)" ] &&
	ok "bad feed left the ruleset as it was" || fail "bad feed altered the ruleset"
expect timeout "previous feed still loaded after the bad one" tcp $S4 80 $C4
expect open "bad feed's addresses not blocked" tcp $S4 80 $C4B

# replaced wholesale under the same name
printf '%s\n' $C4B >"$work/feed2"
fw blocklist load spam "$work/feed2" >"$work/out" 2>&1 || fail "replace: $(cat "$work/out")"
grep -q "Feed spam replaced" "$work/out" && ok "feed replaced" || fail "replace output: $(cat "$work/out")"
expect timeout "replaced feed blocks its new address" tcp $S4 80 $C4B
expect open "replaced feed no longer blocks the old address" tcp $S4 80 $C4
expect open "replaced feed no longer blocks the old v6 address" tcp $S6 22 $C6

# --- feeds under --confirm: a rollback restores the feed files and sets
# exactly, by the watcher also when the asking shell is gone; confirm keeps ---
feedsets() { ip netns exec "$ns_s" nft list table inet mamori | sed -n '/set feed_/,/^\t}/p'; }
# the watcher removes the pending state once it rolled back: wait for that
# (up to 15 s) rather than for a fixed time, so a slow machine cannot fail it
rolled_back() {
	for _ in $(seq 30); do [ -e "$rules.pending" ] || return 0; sleep 0.5; done
	fail "no rollback 15 s after the deadline"
}
cp "$rules.feeds/spam" "$work/spam.before"
sets_before=$(feedsets)
fw --confirm 8 blocklist load spam "$work/feed1" >"$work/out" 2>&1 ||
	fail "--confirm blocklist load: $(cat "$work/out")"
grep -q "Run 'mamori firewall confirm'" "$work/out" && ok "--confirm blocklist load accepted" ||
	fail "--confirm blocklist load: $(cat "$work/out")"
printf '%s\n' $C6B >"$work/feed3"
fw blocklist load extra "$work/feed3" >/dev/null 2>&1 || fail "feed load while a change waits"
expect timeout "--confirm feed: applied at once" tcp $S4 80 $C4
expect open "--confirm feed: the old feed's address open" tcp $S4 80 $C4B
expect timeout "feed loaded while the change waits: applied" tcp $S6 22 $C6B
rolled_back
expect timeout "not confirmed: the old feed is back" tcp $S4 80 $C4B
expect open "not confirmed: the new feed's address open again" tcp $S4 80 $C4
expect open "not confirmed: the feed loaded meanwhile is gone too" tcp $S6 22 $C6B
cmp -s "$rules.feeds/spam" "$work/spam.before" && ok "rollback restored the feed file" ||
	fail "feed file after rollback: $(diff "$work/spam.before" "$rules.feeds/spam")"
[ ! -e "$rules.feeds/extra" ] && ok "rollback removed the feed file added meanwhile" ||
	fail "feed file extra left after rollback"
[ "$(feedsets)" = "$sets_before" ] && ok "rollback restored the feed sets exactly" ||
	fail "feed sets after rollback: $(feedsets)"
# the shell that asked dies: the watcher brings the dropped feed back
netns_confirm_killed "$ns_s" "$work/detached.out" "$mamori" firewall --rules "$rules" \
	--confirm 5 blocklist drop spam
expect open "--confirm blocklist drop from a killed session: applied" tcp $S4 80 $C4B
[ ! -e "$rules.feeds/spam" ] && ok "dropped feed's file removed" || fail "dropped feed's file kept"
rolled_back
expect timeout "the killed session's feed drop rolled back" tcp $S4 80 $C4B
cmp -s "$rules.feeds/spam" "$work/spam.before" && ok "the watcher restored the dropped feed's file" ||
	fail "dropped feed file not restored"
[ "$(feedsets)" = "$sets_before" ] && ok "the watcher restored the feed sets exactly" ||
	fail "feed sets after the watcher's rollback: $(feedsets)"
# confirmed: the new feed stays after the deadline
fw --confirm 3 blocklist load spam "$work/feed1" >/dev/null 2>&1 || fail "--confirm load again"
fw confirm >"$work/out" 2>&1 && grep -q "Change confirmed" "$work/out" || fail "confirm: $(cat "$work/out")"
sleep 3.5 # past the deadline: a confirmed change has nothing left to roll back
expect timeout "confirmed feed stays after the deadline" tcp $S4 80 $C4
grep -q "^$C4\$" "$rules.feeds/spam" && ok "confirmed feed file kept" || fail "confirmed feed file lost"
fw blocklist load spam "$work/feed2" >/dev/null || fail "back to feed2"
fw reload >/dev/null || fail "reload with a feed"
expect timeout "reload restores the feed" tcp $S4 80 $C4B
fw disable >/dev/null && fw enable >/dev/null || fail "disable/enable with a feed"
expect timeout "enable restores the feed" tcp $S4 80 $C4B
fw blocklist drop spam >"$work/out" 2>&1 || fail "drop: $(cat "$work/out")"
expect open "dropped feed: address reachable again" tcp $S4 80 $C4B
ip netns exec "$ns_s" nft list table inet mamori | grep -q feed_spam && fail "feed sets left after drop" ||
	ok "drop removed the feed's sets"
fw blocklist drop spam >/dev/null 2>&1 && fail "dropping a missing feed succeeded" ||
	ok "dropping a missing feed refused"

# --- the allowlist ([firewall] in the settings file): blocks and feeds
# never drop it ---
cat >"$work/mamori.conf" <<C
[logs]
portscan_ports = 20
[firewall]
allowlist = $C4B, $C6B
C
fwa() { fw --config "$work/mamori.conf" "$@"; }
fwa reload >/dev/null || fail "reload with an allowlist"
rc=0
fwa block $C4B >"$work/out" 2>&1 || rc=$?
[ "$rc" = 1 ] && grep -q "refusing: $C4B is on the allowlist" "$work/out" &&
	ok "block of an allowlisted address refused" || fail "block allowlisted: exit $rc: $(cat "$work/out")"
fwa block 10.204.1.0/24 >"$work/out" 2>&1 || fail "block of a /24 with an allowlisted address: $(cat "$work/out")"
grep -q "10.204.1.0/24 holds the allowlisted $C4B, which stays reachable" "$work/out" &&
	ok "wider block: says the allowlisted address stays reachable" || fail "wider block: $(cat "$work/out")"
expect timeout "the /24 block drops the other addresses" tcp $S4 80 $C4
expect open "the /24 block spares the allowlisted address" tcp $S4 80 $C4B
fwa unblock 10.204.1.0/24 >/dev/null || fail "unblock the /24"
printf '%s\n%s\n%s\n' 10.204.1.0/24 $C6 $C6B >"$work/feed-all"
fwa blocklist load all "$work/feed-all" >"$work/out" 2>&1 || fail "feed with allowlisted addresses: $(cat "$work/out")"
grep -q "feed all holds the allowlisted $C4B, which stays reachable" "$work/out" &&
	ok "feed load says the allowlisted address stays reachable" || fail "feed load: $(cat "$work/out")"
expect timeout "the feed drops the other addresses" tcp $S4 80 $C4
expect open "the feed spares the allowlisted address" tcp $S4 80 $C4B
expect timeout "the feed drops other v6 addresses" tcp $S6 22 $C6
expect open "the feed spares the allowlisted v6 address" tcp $S6 22 $C6B
fwa status verbose | grep -q "^Allowlist (never blocked): $C4B, $C6B\$" &&
	ok "status verbose lists the allowlist" || fail "status verbose: $(fwa status verbose)"
fw --config /dev/null reload >/dev/null || fail "reload without the allowlist"
expect timeout "without the allowlist the feed drops the address" tcp $S4 80 $C4B
fwa reload >/dev/null || fail "reload with the allowlist again"
expect open "the allowlist back on reload" tcp $S4 80 $C4B
fwa blocklist drop all >/dev/null || fail "drop feed all"
printf '[firewall]\nallowlist = 10.1.2.3/8\n' >"$work/bad.conf"
before=$(mamori_table)
rc=0
fw --config "$work/bad.conf" block $C4 >"$work/out" 2>&1 || rc=$?
[ "$rc" = 3 ] && grep -q "bad.conf:2: allowlist: 10.1.2.3/8 has host bits set" "$work/out" &&
	[ "$(mamori_table)" = "$before" ] && ok "broken settings file: exit 3 with file:line, nothing changed" ||
	fail "broken settings file: exit $rc: $(cat "$work/out")"
fw disable >/dev/null || fail "disable"

# --- routed rules: mamori in the router namespace, the client's traffic to
# the server crosses its forward chain ---
rrules="$work/router.rules"
fwr() { ip netns exec "$ns_r" env -u SSH_CONNECTION "$mamori" firewall --rules "$rrules" "$@"; }
fwr default deny routed >/dev/null || fail "default deny routed"
fwr route allow in on "$if_rc" out on "$if_rs" to $S4 port 80 proto tcp >/dev/null || fail "route allow"
fwr route allow in on "$if_rc" to any app OpenSSH >/dev/null || fail "route allow app"
fwr route reject out on "$if_rs" 7003/tcp >/dev/null || fail "route reject"
fwr enable >"$work/out" 2>&1 || fail "router enable: $(cat "$work/out")"
expect open "route allow: client to server 80/tcp through the router" tcp $S4 80
expect timeout "default deny routed: 8080/tcp" tcp $S4 8080
expect timeout "route allow pinned to v4: 80/tcp v6" tcp $S6 80
expect open "route allow with a profile: 22/tcp v4" tcp $S4 22
expect open "route allow with a profile: 22/tcp v6" tcp $S6 22
expect refused "route reject: 7003/tcp refused at once" tcp $S4 7003
fwr insert 1 route deny from $C4B >/dev/null || fail "insert route deny"
expect timeout "route deny from one client address" tcp $S4 80 $C4B
expect open "other client addresses still routed" tcp $S4 80 $C4
fwr status numbered >"$work/out" 2>&1
if grep -qE '^\[ 1\] Anywhere +DENY FWD +10\.204\.1\.3$' "$work/out" &&
	grep -qE "^\[ 2\] 10\.204\.2\.2 80/tcp on $if_rs +ALLOW FWD +Anywhere on $if_rc\$" "$work/out"; then
	ok "status numbered shows routed rules (FWD)"
else
	fail "status numbered: $(cat "$work/out")"
fi
fwr default allow routed >/dev/null || fail "default allow routed"
expect open "default allow routed: 8080/tcp" tcp $S4 8080
# forwarding off: the rules still load (and see no packets)
ip netns exec "$ns_r" sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0
fwr reload >/dev/null || fail "reload with forwarding off"
ip netns exec "$ns_r" nft list chain inet mamori user_fwd | grep -q 'tcp dport 80' &&
	ok "routed rules load with forwarding off" || fail "routed rules not loaded with forwarding off"
fwr status verbose | grep -q '^Routing: forwarding off' && ok "status verbose says forwarding is off" ||
	fail "status verbose: no forwarding line"
expect timeout "forwarding off: nothing routed" tcp $S4 80
ip netns exec "$ns_r" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
fwr disable >/dev/null || fail "router disable"
expect open "router firewall disabled: 8080/tcp routed again" tcp $S4 8080

# --- status: other tables that can refuse what mamori allows ---
fw enable >/dev/null || fail "enable for status"
ip netns exec "$ns_s" nft -f - <<'NFT'
table ip other {
	chain in {
		type filter hook input priority 10; policy accept;
		tcp dport 8081 drop
		tcp dport 8082 reject
		ct state established accept
		jump deeper
	}
	chain deeper {
		tcp dport 8083 drop
	}
}
table inet harmless {
	chain in {
		type filter hook input priority 0; policy accept;
		tcp dport 22 accept
	}
}
NFT
fw status >"$work/out" 2>&1
if grep -q '^Warning: other tables can refuse traffic' "$work/out" &&
	grep -q '^table ip other, chain in (hook input, priority filter + 10): 3 rules that drop or reject$' "$work/out" &&
	! grep -q 'harmless' "$work/out"; then
	ok "status warns about another table that refuses"
else
	fail "status warning: $(cat "$work/out")"
fi
ip netns exec "$ns_s" nft delete table ip other
fw status >"$work/out" 2>&1
grep -q 'Warning' "$work/out" && fail "warning without a refusing table: $(cat "$work/out")" ||
	ok "no warning when other tables only accept"

# --- status: iptables-legacy rules (x_tables), which nft does not list ---
legacy() { ip netns exec "$ns_s" "$@"; }
if ! command -v iptables-legacy >/dev/null 2>&1; then
	echo "note: iptables-legacy not installed; legacy checks skipped" >&2
elif ! legacy iptables-legacy -N mm-probe 2>/dev/null; then
	echo "note: kernel has no iptables-legacy (x_tables); legacy checks skipped" >&2
else
	legacy iptables-legacy -X mm-probe
	fw allow 7000/tcp >/dev/null && fw allow 7001/tcp >/dev/null || fail "allow 7000, 7001"
	legacy iptables-legacy -N jail
	legacy iptables-legacy -A INPUT -p tcp --dport 7000 -m comment --comment "to -j jail" -j jail
	legacy iptables-legacy -A jail -s $C4B -j DROP
	legacy iptables-legacy -A INPUT -p tcp --dport 7001 -j REJECT
	legacy ip6tables-legacy -P INPUT DROP
	expect open "mamori allows 7000/tcp, legacy lets this source through" tcp $S4 7000 $C4
	expect timeout "a legacy rule drops what mamori allows" tcp $S4 7000 $C4B
	expect refused "a legacy rule rejects what mamori allows" tcp $S4 7001
	expect timeout "a legacy IPv6 drop policy refuses what mamori allows" tcp $S6 7000
	fw status >"$work/out" 2>&1
	if grep -q "^Warning: iptables-legacy rules can refuse traffic" "$work/out" &&
		grep -qx 'iptables-legacy (IPv4) table filter, chain INPUT: 2 rules that drop or reject' "$work/out" &&
		grep -qx 'ip6tables-legacy (IPv6) table filter, chain INPUT: policy DROP' "$work/out"; then
		ok "status warns about iptables-legacy rules that refuse"
	else
		fail "legacy warning: $(cat "$work/out")"
	fi
	# the tables stay loaded, but accept everything: no warning
	legacy iptables-legacy -F && legacy iptables-legacy -X jail && legacy ip6tables-legacy -P INPUT ACCEPT
	legacy grep -qx filter /proc/net/ip_tables_names && ok "legacy filter table still loaded" ||
		fail "no legacy table listed in the namespace"
	fw status >"$work/out" 2>&1
	grep -q 'legacy' "$work/out" && fail "legacy warning without refusing rules: $(cat "$work/out")" ||
		ok "no warning when legacy tables only accept"
	expect open "legacy rules gone: 7000/tcp open again" tcp $S4 7000 $C4B
	fw delete allow 7000/tcp >/dev/null && fw delete allow 7001/tcp >/dev/null || fail "delete 7000, 7001"
fi
fw disable >/dev/null || fail "disable"

if [ "$fails" -ne 0 ]; then
	echo "$fails check(s) failed" >&2
	exit 1
fi
echo "all firewall app, feed and routing checks passed"
