#!/bin/bash
# SPDX-License-Identifier: MIT
#
# firewall.sh MAMORI
#
# mamori firewall against real packets. As root:
#   - creates a server and a client namespace joined by a veth pair with
#     IPv4 and IPv6 (nodad) addresses; a python3 server in the server
#     namespace listens on TCP and UDP ports, one in the client namespace
#     on TCP ports for the outbound rules,
#   - puts a foreign table in the server namespace (as Docker would) and
#     checks after every mamori operation that it is still there, unchanged,
#   - loads rules with `ip netns exec SERVER mamori firewall --rules FILE`
#     and probes from the client: allow (connects), deny (times out after
#     1 s), reject (refused at once), limit (the 7th new connection refused,
#     another limit rule unaffected), default policies, outbound rules,
#     blocks (v4 and v6, timed block expiring, hit counter), logging
#     prefixes read back from the kernel log (nf_log_all_netns=1, restored
#     after), lockout refusal from SSH_CONNECTION, and that a broken rules
#     file or a refused change leaves the loaded ruleset exactly as it was,
#   - block --kill against open TCP connections (a plain block keeps them),
#     and --confirm: rollback at the deadline (also when the session that
#     asked is killed), confirm, a second --confirm refused.
#
# Exits 77 (skip) only when not root or the kernel lacks namespaces, veth
# or nf_tables. Traffic stays inside the two namespaces.
set -u

mamori=${1:?usage: firewall.sh MAMORI}
. "$(dirname "$0")/lib.sh"

netns_need ip nft python3 dmesg
id=$netns_id
ns_s=mm-fws-$id
ns_c=mm-fwc-$id
if_s=mfs$id
if_c=mfc$id
if_s=${if_s:0:15}
if_c=${if_c:0:15}
sysctl_path=/proc/sys/net/netfilter/nf_log_all_netns
old_all_netns=
netns_cleanup_more() {
	if [ -n "$old_all_netns" ]; then
		echo "$old_all_netns" >"$sysctl_path" 2>/dev/null
	fi
}

netns_add "$ns_s" "$ns_c"
netns_veth "$ns_s" "$if_s" "$ns_c" "$if_c"
netns_need_nft "$ns_s"

S4=10.203.0.1 C4=10.203.0.2 S6=fd00:cb::1 C6=fd00:cb::2
ip -n "$ns_s" addr add $S4/24 dev "$if_s"
ip -n "$ns_c" addr add $C4/24 dev "$if_c"
ip -n "$ns_s" addr add $S6/64 dev "$if_s" nodad
ip -n "$ns_c" addr add $C6/64 dev "$if_c" nodad

[ -e "$sysctl_path" ] || modprobe nf_log_syslog 2>/dev/null
if [ -e "$sysctl_path" ]; then
	old_all_netns=$(cat "$sysctl_path")
	echo 1 >"$sysctl_path"
fi

# tests/netns/serve.py: 7000 echoes (for hold.py), the others accept or echo datagrams
netns_serve "$ns_s" "$work/srv.out" 22/tcp 80/tcp 81/tcp 2222/tcp 2223/tcp 7777/tcp 8080/tcp \
	9999/tcp 5353/udp 5354/udp 7000/echo
netns_serve "$ns_c" "$work/cli.out" 5555/tcp 5556/tcp

rules="$work/fw.rules"
fw() { ip netns exec "$ns_s" env -u SSH_CONNECTION "$mamori" firewall --rules "$rules" "$@"; }
probe() { netns_probe "$ns_c" "$@"; }
# expect WANT DESCRIPTION PROBE-ARGS...: from the client; expect_out: from the server
expect() { netns_expect "$ns_c" "$@"; }
expect_out() { netns_expect "$ns_s" "$@"; }
# Timed changes (expiry, rollback) are checked by polling for up to 15 s
# after they are due, and the checks that must come before them get a few
# seconds of margin, so a slow machine cannot turn a late probe into a
# failure. ms_since START: milliseconds since START (date +%s%N);
# sleep_until START MS: sleep until MS ms after START.
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }
sleep_until() {
	local left=$(($2 - $(ms_since "$1")))
	[ "$left" -le 0 ] || sleep "$(printf '%d.%03d' $((left / 1000)) $((left % 1000)))"
}
# until_open DESCRIPTION PROBE-ARGS...
until_open() {
	local what=$1
	shift
	for _ in $(seq 30); do [ "$(probe "$@")" = open ] && break; sleep 0.5; done
	expect open "$what" "$@"
}

# The foreign table: must come through every mamori operation unchanged.
ip netns exec "$ns_s" nft -f - <<'EOF'
table inet foreign {
	set keep { type ipv4_addr; elements = { 192.0.2.1 } }
	chain c {
		type filter hook input priority 10; policy accept;
		ip saddr @keep drop comment "not mamori's"
	}
}
EOF
ip netns exec "$ns_s" nft list table inet foreign >"$work/foreign.want"
check_foreign() {
	if ip netns exec "$ns_s" nft list table inet foreign 2>/dev/null | cmp -s - "$work/foreign.want"; then
		ok "foreign table intact after $1"
	else
		fail "foreign table changed by $1"
	fi
}
mamori_rules() { ip netns exec "$ns_s" nft -s list chain inet mamori input 2>&1; }

expect open "no firewall: 8080 open" tcp $S4 8080

cat >"$rules" <<'EOF'
# test rules
default deny incoming
allow 22/tcp
allow 80/tcp
allow log 81/tcp
reject 7777/tcp
deny 9999/tcp
limit 2222/tcp
limit 2223/tcp
allow 5353/udp
EOF
fw enable >"$work/out" 2>&1 || { fail "enable: $(cat "$work/out")"; }
check_foreign enable
ip netns exec "$ns_s" nft list tables | grep -q 'table inet mamori' && ok "table inet mamori loaded" ||
	fail "table inet mamori not loaded"

expect open "allow 80/tcp v4" tcp $S4 80
expect open "allow 80/tcp v6" tcp $S6 80
expect open "allow 22/tcp" tcp $S4 22
expect timeout "default deny incoming: 8080 v4" tcp $S4 8080
expect timeout "default deny incoming: 8080 v6" tcp $S6 8080
expect refused "reject 7777/tcp v4" tcp $S4 7777
expect refused "reject 7777/tcp v6" tcp $S6 7777
expect timeout "deny 9999/tcp" tcp $S4 9999
expect open "allow 5353/udp v4" udp $S4 5353
expect open "allow 5353/udp v6" udp $S6 5353
expect timeout "udp 5354 denied" udp $S4 5354
expect_out open "outbound default allow from server" tcp $C4 5555

# limit: 6 new connections per 30 s per source and rule, the 7th refused
expect "open open open open open open refused" "limit 2222/tcp: 7th refused" tcp $S4 2222 7
expect open "limit 2223/tcp: another rule's counter unaffected" tcp $S4 2223
expect "open open open open open open refused" "limit 2222/tcp v6 (own set)" tcp $S6 2222 7
expect open "allow 80/tcp unaffected by limits" tcp $S4 80

# default policies
fw default allow incoming >/dev/null || fail "default allow incoming"
expect open "default allow incoming: 8080" tcp $S4 8080
expect timeout "deny rule still applies" tcp $S4 9999
fw default reject incoming >/dev/null || fail "default reject incoming"
expect refused "default reject incoming: 8080" tcp $S4 8080
fw default deny incoming >/dev/null || fail "default deny incoming"
expect timeout "default deny incoming again" tcp $S4 8080
check_foreign default

# outbound rules
fw deny out 5555/tcp >/dev/null || fail "deny out"
expect_out timeout "deny out 5555/tcp" tcp $C4 5555
expect_out open "out 5556/tcp unaffected" tcp $C4 5556
fw default deny outgoing >/dev/null || fail "default deny outgoing"
expect_out timeout "default deny outgoing: 5556" tcp $C4 5556
expect open "incoming still works with default deny outgoing (replies are established)" tcp $S4 80
expect open "incoming v6 with default deny outgoing (neighbour discovery allowed)" tcp $S6 80
fw allow out 5556/tcp >/dev/null || fail "allow out"
expect_out open "allow out 5556/tcp" tcp $C4 5556
fw default allow outgoing >/dev/null || fail "default allow outgoing"

# blocks: consulted before the allow rules; a timed block expires
t0=$(date +%s%N)
fw block $C4 --for 8s comment "test block" >/dev/null || fail "block"
expect timeout "blocked v4 source: allowed port 80" tcp $S4 80
expect open "v6 of the same client not blocked" tcp $S6 80
fw blocked >"$work/blocked" 2>&1
if grep -qE "^$C4 +0m0[0-8]s +[1-9][0-9]* +test block" "$work/blocked"; then
	ok "blocked lists the address, remaining time and hits"
else
	fail "blocked: $(cat "$work/blocked")"
fi
sleep_until "$t0" 8000
until_open "timed block expired in the kernel" tcp $S4 80
fw block $C6 >/dev/null || fail "block v6"
expect timeout "blocked v6 source" tcp $S6 80
expect open "v4 not blocked by a v6 block" tcp $S4 80
grep -q "^block $C6\$" "$rules.blocks" && ok "block kept in the blocks file" || fail "blocks file: $(cat "$rules.blocks")"
fw reload >/dev/null || fail "reload with blocks"
expect timeout "reload restores the blocks from the blocks file" tcp $S6 80
fw unblock $C6 >/dev/null || fail "unblock"
expect open "unblocked v6" tcp $S6 80
check_foreign block

# logging prefixes in the kernel log
if [ -n "$old_all_netns" ]; then
	probe tcp $S4 81 >/dev/null
	probe tcp $S4 8080 >/dev/null
	fw block $C4 --for 2s >/dev/null
	probe tcp $S4 80 >/dev/null
	sleep 0.5
	# only this run's lines: they name this run's own server interface
	dmesg | grep -E "IN=$if_s " >"$work/kmsg" || true
	for want in "\[MAMORI ALLOW\] .*SRC=$C4 DST=$S4 .*DPT=81 " \
		"\[MAMORI BLOCK\] .*SRC=$C4 DST=$S4 .*DPT=8080 " \
		"\[MAMORI BLOCK\] .*SRC=$C4 DST=$S4 .*DPT=80 " \
		"\[MAMORI LIMIT\] .*SRC=$C4 DST=$S4 .*DPT=2222 "; do
		if grep -qE "$want" "$work/kmsg"; then ok "kernel log has /$want/"; else
			fail "kernel log lacks /$want/"
		fi
	done
	sleep 2
else
	echo "note: no $sysctl_path; logging prefixes not checked"
fi

# lockout: the SSH client's connection would be refused
before=$(mamori_rules)
rc=0
ip netns exec "$ns_s" env SSH_CONNECTION="$C4 50000 $S4 22" "$mamori" firewall --rules "$rules" \
	delete allow 22/tcp >"$work/out" 2>&1 || rc=$?
if [ "$rc" = 1 ] && grep -q "lock out" "$work/out"; then ok "lockout refused (exit 1)"; else
	fail "lockout: exit $rc: $(cat "$work/out")"
fi
[ "$(mamori_rules)" = "$before" ] && ok "refused change left the ruleset as it was" ||
	fail "refused change altered the ruleset"
grep -q '^allow 22/tcp$' "$rules" && ok "refused change left the rules file" || fail "rules file changed"
rc=0
ip netns exec "$ns_s" env SSH_CONNECTION="$C4 50000 $S4 22" "$mamori" firewall --rules "$rules" \
	block $C4 >"$work/out" 2>&1 || rc=$?
[ "$rc" = 1 ] && ok "blocking the SSH client refused" || fail "block of SSH client: exit $rc"
rc=0
ip netns exec "$ns_s" env SSH_CONNECTION="$C4 50000 $S4 22" "$mamori" firewall --rules "$rules" \
	--force delete allow 22/tcp >"$work/out" 2>&1 || rc=$?
[ "$rc" = 0 ] && ok "--force overrides" || fail "--force: exit $rc $(cat "$work/out")"
expect timeout "22/tcp now denied" tcp $S4 22
fw allow 22/tcp >/dev/null

# block kills nothing already open; block --kill drops the conntrack entries
fw allow 7000/tcp >/dev/null || fail "allow 7000"
hold() { # hold ADDR DIR: an open connection to ADDR:7000, driven through DIR
	mkdir -p "$2"
	ip netns exec "$ns_c" python3 "$netns_python/hold.py" "$1" 7000 "$2" 2>"$2/err" &
	pids+=($!)
	for _ in $(seq 50); do [ -e "$2/up" ] && return 0; sleep 0.1; done
	fail "no connection to $1:7000: $(cat "$2/err")"
}
result() { # result DIR N
	touch "$1/go$2"
	for _ in $(seq 40); do [ -s "$1/r$2" ] && break; sleep 0.1; done
	cat "$1/r$2" 2>/dev/null
}
hold $S4 "$work/h4"
hold $S6 "$work/h6"
fw block $C4 $C6 >/dev/null || fail "plain block of both client addresses"
[ "$(result "$work/h4" 1)" = alive ] && ok "plain block: the open v4 connection survives" ||
	fail "plain block killed the open v4 connection"
[ "$(result "$work/h6" 1)" = alive ] && ok "plain block: the open v6 connection survives" ||
	fail "plain block killed the open v6 connection"
expect timeout "plain block: new connections refused" tcp $S4 80
fw block --kill $C4 $C6 >"$work/out" 2>&1 || fail "block --kill: $(cat "$work/out")"
grep -qE "Dropped [1-9][0-9]* open connection" "$work/out" && ok "block --kill reports dropped entries" ||
	fail "block --kill: $(cat "$work/out")"
[ "$(result "$work/h4" 2)" = dead ] && ok "block --kill: the open v4 connection dies" ||
	fail "block --kill left the v4 connection alive"
[ "$(result "$work/h6" 2)" = dead ] && ok "block --kill: the open v6 connection dies" ||
	fail "block --kill left the v6 connection alive"
fw unblock $C4 $C6 >/dev/null || fail "unblock after --kill"
fw delete allow 7000/tcp >/dev/null || fail "delete allow 7000"
expect open "unblocked after --kill" tcp $S4 80

# --confirm: applied at once, rolled back (kernel and rules file) unless confirmed
cp "$rules" "$work/before-confirm"
t0=$(date +%s%N)
fw --confirm 5 insert 1 deny 80/tcp >"$work/out" 2>&1 || fail "--confirm deny: $(cat "$work/out")"
rc=0
fw --confirm 5 allow 8080/tcp >"$work/out" 2>&1 || rc=$?
[ "$rc" = 1 ] && grep -q "still waiting" "$work/out" && ok "a second --confirm is refused" ||
	fail "second --confirm: exit $rc: $(cat "$work/out")"
expect timeout "--confirm: the change applies at once" tcp $S4 80
sleep_until "$t0" 5000
until_open "not confirmed: rolled back, port 80 reachable again" tcp $S4 80
cmp -s "$rules" "$work/before-confirm" && ok "rollback restored the rules file" ||
	fail "rules file after rollback: $(diff "$work/before-confirm" "$rules")"
t0=$(date +%s%N)
fw --confirm 3 insert 1 deny 80/tcp >/dev/null 2>&1 || fail "--confirm deny again"
fw confirm >"$work/out" 2>&1 && grep -q "Change confirmed" "$work/out" && ok "confirm" ||
	fail "confirm: $(cat "$work/out")"
sleep_until "$t0" 3500
expect timeout "confirmed: the change stays after the deadline" tcp $S4 80
fw delete deny 80/tcp >/dev/null || fail "delete deny 80"
expect open "port 80 open again" tcp $S4 80
# the shell that asked dies (its whole session killed, SIGHUP and SIGKILL): the
# rollback still happens
t0=$(date +%s%N)
netns_confirm_killed "$ns_s" "$work/detached.out" "$mamori" firewall --rules "$rules" \
	--confirm 5 insert 1 deny 80/tcp
expect timeout "--confirm from a session that is then killed: applied" tcp $S4 80
sleep_until "$t0" 5000
until_open "the killed session's change rolled back anyway" tcp $S4 80
grep -q '^deny 80/tcp' "$rules" && fail "rules file kept the unconfirmed rule" ||
	ok "rules file rolled back after the session died"
rc=0
fw confirm >"$work/out" 2>&1 || rc=$?
[ "$rc" = 2 ] && ok "confirm with nothing pending: exit 2" || fail "confirm nothing: exit $rc"
check_foreign confirm

# a broken hand edit: reload refuses with file and line, nothing changes
before=$(mamori_rules)
cp "$rules" "$work/good.rules"
printf 'allow 80/tcp\nallow from 10.0.0.0/33\n' >>"$rules"
rc=0
fw reload >"$work/out" 2>&1 || rc=$?
line=$(wc -l <"$rules")
if [ "$rc" = 3 ] && grep -q "fw.rules:$line: bad prefix length" "$work/out"; then
	ok "broken rules file: exit 3 with file:line"
else
	fail "broken reload: exit $rc: $(cat "$work/out")"
fi
[ "$(mamori_rules)" = "$before" ] && ok "broken reload left the ruleset as it was" ||
	fail "broken reload altered the ruleset"
cp "$work/good.rules" "$rules"
expect open "still serving after the refused reload" tcp $S4 80

fw reload >/dev/null || fail "reload"
check_foreign reload

# changes one command at a time (appended rules go to the kernel on their
# own, without the rest of the table) end in the table a reload of the
# same file loads
rc=0
for change in "allow from 192.0.2.0/24 to any port 6001 proto tcp" "deny 6002/udp" \
	"limit 6003/tcp" "reject out 6004/tcp" "allow log 6005" "insert 2 allow 6006/tcp" \
	"allow from 2001:db8::/32 to any port 6008 proto tcp comment 'v6 peers'" \
	"route allow in on lo out on lo to 10.0.0.0/8 port 6007 proto tcp" "limit 6009/tcp" \
	"delete deny 6002/udp" "allow 6010:6020/tcp"; do
	# shellcheck disable=SC2086
	eval "fw $change" >/dev/null || { rc=1; fail "change: $change"; }
done
ip netns exec "$ns_s" nft -s list table inet mamori | grep -v expires >"$work/incremental"
fw reload >/dev/null || fail "reload after the changes"
ip netns exec "$ns_s" nft -s list table inet mamori | grep -v expires >"$work/reloaded"
if [ "$rc" = 0 ] && cmp -s "$work/incremental" "$work/reloaded"; then
	ok "one change at a time loads what a reload loads"
else
	fail "incremental changes and reload differ: $(diff "$work/incremental" "$work/reloaded")"
fi

# the rules file cannot be replaced after the kernel took the change (an
# immutable file refuses the swap): the old table is loaded again
if command -v chattr >/dev/null 2>&1 && chattr +i "$rules" 2>/dev/null; then
	before=$(ip netns exec "$ns_s" nft -s list table inet mamori | grep -v expires)
	rc=0
	fw allow 6100/tcp >"$work/out" 2>&1 || rc=$?
	chattr -i "$rules"
	after=$(ip netns exec "$ns_s" nft -s list table inet mamori | grep -v expires)
	if [ "$rc" = 3 ] && [ "$before" = "$after" ] && ! grep -q 6100 "$rules"; then
		ok "a rules file that cannot be replaced: table restored, exit 3"
	else
		fail "unreplaceable rules file: exit $rc, $(cat "$work/out"), $(diff <(echo "$before") <(echo "$after"))"
	fi
else
	echo "note: chattr +i not available here, restore check skipped"
fi

fw --dry-run reset >/dev/null || fail "dry-run reset"
ip netns exec "$ns_s" nft list tables | grep -q 'table inet mamori' && ok "--dry-run changed nothing" ||
	fail "--dry-run removed the table"
fw disable >/dev/null || fail "disable"
ip netns exec "$ns_s" nft list tables | grep -q 'table inet mamori' && fail "table still loaded after disable" ||
	ok "disable removed table inet mamori"
expect open "disabled: 8080 open" tcp $S4 8080
check_foreign disable
fw enable >/dev/null && fw reset >/dev/null || fail "reset"
ip netns exec "$ns_s" nft list tables | grep -q 'table inet mamori' && fail "table still loaded after reset" ||
	ok "reset removed table inet mamori"
check_foreign reset

if [ "$fails" -ne 0 ]; then
	echo "$fails check(s) failed" >&2
	exit 1
fi
echo "all firewall checks passed"
