#!/bin/bash
# SPDX-License-Identifier: MIT
#
# bench/firewall/bench.sh [MAMORI] [--rules N] [--ufw-rules N] [--blocks N] [--runs N]
#                         [--no-ufw] [--no-feeds]
#
# mamori firewall side by side with ufw, each in a network namespace the
# script creates (the host's own firewall is never touched); ufw also gets
# a private mount namespace with a copy of /etc/ufw and /etc/default/ufw,
# so its files on the host stay as they were. Rows:
#
#   add N rules one command at a time (firewall enabled), mamori vs ufw,
#     and the same shell loop running /bin/true (the script's own share)
#   reload of those N rules, mamori vs ufw
#   load of a 100k-address block set: mamori reload vs a bare `nft -f`
#     of the same set
#   block one more address in that set: mamori block (median of --runs)
#     vs a bare `nft add element` (the floor) and, for scale, one
#     `ufw insert 1 deny from ADDR` with the N rules loaded
#   then bench/firewall/feeds.sh: blocklist feeds against `nft -f`
#
# and the ratios. ufw is installed from Debian when missing and root can
# (apt-get install ufw; its service stays disabled); when it cannot be,
# its rows say "skipped". MAMORI (argument or environment) measures that
# binary, else a release build in build/bench is made. Needs root.
set -uo pipefail
export LC_ALL=C

rules=1000
ufw_rules=
blocks=100000
runs=21
use_ufw=1
feeds=1
while [ $# -gt 0 ]; do
	case $1 in
	--rules) rules=$2; shift 2 ;;
	--ufw-rules) ufw_rules=$2; shift 2 ;;
	--blocks) blocks=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	--no-ufw) use_ufw=0; shift ;;
	--no-feeds) feeds=0; shift ;;
	-h | --help) sed -n '3,25p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "bench.sh: unknown option $1" >&2; exit 2 ;;
	*) MAMORI=$1; shift ;;
	esac
done
ufw_rules=${ufw_rules:-$rules}
[ "$(id -u)" = 0 ] || { echo "bench.sh: needs root (network namespaces)" >&2; exit 77; }

root=$(cd "$(dirname "$0")/../.." && pwd)
build=$root/build/bench
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mm-fwbench.XXXXXX")
ns_m=mm-fwb-m-$$
ns_u=mm-fwb-u-$$
ns_n=mm-fwb-n-$$
cleanup() {
	ip netns del "$ns_m" 2>/dev/null
	ip netns del "$ns_u" 2>/dev/null
	ip netns del "$ns_n" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

if [ -z "${MAMORI:-}" ]; then
	if [ ! -f "$build/build.ninja" ]; then
		meson setup "$build" "$root" -Dbench=true -Dbuildtype=release -Dtests=false \
			>"$tmp/setup.log" 2>&1 || { tail -30 "$tmp/setup.log" >&2; exit 2; }
	fi
	ninja -C "$build" cli/mamori >"$tmp/ninja.log" 2>&1 || { tail -30 "$tmp/ninja.log" >&2; exit 2; }
fi
mamori=${MAMORI:-$build/cli/mamori}

if [ "$use_ufw" = 1 ] && ! command -v ufw >/dev/null 2>&1; then
	echo "ufw not installed: installing it (apt-get install ufw)" >&2
	if command -v apt-get >/dev/null 2>&1; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ufw \
			>"$tmp/apt.log" 2>&1 || { apt-get update -qq >/dev/null 2>&1 &&
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ufw \
				>"$tmp/apt.log" 2>&1; }
	fi
	command -v ufw >/dev/null 2>&1 || { echo "ufw: not installable here; ufw rows skipped" >&2; use_ufw=0; }
fi

ip netns add "$ns_m" || exit 2
ip netns add "$ns_n" || exit 2
[ "$use_ufw" = 1 ] && { ip netns add "$ns_u" || exit 2; }

# The same rule for both tools: rule i of N.
cat >"$tmp/lib.sh" <<'LIB'
now() { date +%s%N; }
ms() { echo $(( ($2 - $1) / 1000000 )); }
rule() { echo "allow from 10.$(($1 / 250)).$(($1 % 250)).0/24 to any port $((1000 + $1)) proto tcp"; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
LIB

cat >"$tmp/mamori.sh" <<'IN'
set -eu
. "$TMPD/lib.sh"
M="$MAMORI firewall --rules $TMPD/fw.rules"
$M allow 22/tcp >/dev/null
$M enable >/dev/null
s=$(now)
for i in $(seq 1 "$RULES"); do
	# shellcheck disable=SC2046
	$M $(rule "$i") >/dev/null
done
e=$(now)
echo "add $(ms "$s" "$e")"
# the script's own share: the same loop, the same words, /bin/true instead
s=$(now)
for i in $(seq 1 "$RULES"); do
	# shellcheck disable=SC2046
	/bin/true $(rule "$i") >/dev/null
done
e=$(now)
echo "loop $(ms "$s" "$e")"
s=$(now); $M reload >/dev/null; e=$(now)
echo "reload $(ms "$s" "$e")"
# the block set: one line per address in the blocks file
python3 -c "
with open('$TMPD/fw.rules.blocks', 'w') as f:
    for i in range($BLOCKS):
        f.write('block 100.%d.%d.%d\n' % (i >> 16 & 255, i >> 8 & 255, i & 255))
"
s=$(now); $M reload >/dev/null; e=$(now)
echo "reload_blocks $(ms "$s" "$e")"
for i in $(seq 1 "$RUNS"); do
	s=$(now); $M block "203.0.113.$i" >/dev/null; e=$(now)
	echo $(( (e - s) / 1000 ))
done | median | sed 's/^/block_us /'
n=$(nft list set inet mamori host4 | grep -o '203\.0\.113\.[0-9]*' | sort -u | wc -l)
echo "blocked_in_kernel $n"
IN

cat >"$tmp/nft.sh" <<'IN'
set -eu
. "$TMPD/lib.sh"
python3 -c "
with open('$TMPD/set.nft', 'w') as f:
    f.write('table inet bare {\n\tset host4 {\n\t\ttype ipv4_addr\n\t\tflags timeout\n\t\tcounter\n\t\telements = {\n')
    f.write(',\n'.join('\t\t\t100.%d.%d.%d' % (i >> 16 & 255, i >> 8 & 255, i & 255) for i in range($BLOCKS)))
    f.write('\n\t\t}\n\t}\n}\n')
"
s=$(now); nft -f "$TMPD/set.nft"; e=$(now)
echo "nft_load $(ms "$s" "$e")"
for i in $(seq 1 "$RUNS"); do
	s=$(now); nft add element inet bare host4 "{ 203.0.113.$i }"; e=$(now)
	echo $(( (e - s) / 1000 ))
done | median | sed 's/^/nft_add_us /'
IN

cat >"$tmp/ufw.sh" <<'IN'
set -eu
. "$TMPD/lib.sh"
# ufw keeps its state in /etc: give it a private copy in this mount namespace
mount --make-rprivate /
cp -a /etc/ufw "$TMPD/etc-ufw"
cp -a /etc/default/ufw "$TMPD/default-ufw"
mount --bind "$TMPD/etc-ufw" /etc/ufw
mount --bind "$TMPD/default-ufw" /etc/default/ufw
ufw allow 22/tcp >/dev/null
ufw --force enable >/dev/null
s=$(now)
for i in $(seq 1 "$RULES"); do
	# shellcheck disable=SC2046
	ufw $(rule "$i") >/dev/null
done
e=$(now)
echo "add $(ms "$s" "$e")"
s=$(now); ufw reload >/dev/null; e=$(now)
echo "reload $(ms "$s" "$e")"
s=$(now); ufw insert 1 deny from 203.0.113.1 >/dev/null; e=$(now)
echo "deny_us $(( (e - s) / 1000 ))"
IN

get() { sed -n "s/^$1 //p" "$2"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0 && b > 0) printf "%.1fx", b / a; else print "-" }'; }

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); mamori $mamori"
echo "running mamori ($rules rules, $blocks blocks)..." >&2
ip netns exec "$ns_m" env TMPD="$tmp" MAMORI="$mamori" RULES="$rules" BLOCKS="$blocks" RUNS="$runs" \
	bash "$tmp/mamori.sh" >"$tmp/m.out" || { echo "mamori run failed" >&2; exit 1; }
echo "running bare nft ($blocks elements)..." >&2
ip netns exec "$ns_n" env TMPD="$tmp" BLOCKS="$blocks" RUNS="$runs" bash "$tmp/nft.sh" >"$tmp/n.out" ||
	{ echo "nft run failed" >&2; exit 1; }
if [ "$use_ufw" = 1 ]; then
	echo "running ufw ($ufw_rules rules; about 0.3 s each at 1,000)..." >&2
	ip netns exec "$ns_u" unshare -m env TMPD="$tmp" RULES="$ufw_rules" bash "$tmp/ufw.sh" \
		>"$tmp/u.out" || { echo "ufw run failed" >&2; use_ufw=0; }
fi

m_add=$(get add "$tmp/m.out")
m_loop=$(get loop "$tmp/m.out")
m_reload=$(get reload "$tmp/m.out")
m_rb=$(get reload_blocks "$tmp/m.out")
m_block=$(get block_us "$tmp/m.out")
n_load=$(get nft_load "$tmp/n.out")
n_add=$(get nft_add_us "$tmp/n.out")
printf '\n%-52s %12s %12s %10s\n' "operation" "mamori" "peer" "peer/mamori"
if [ "$use_ufw" = 1 ]; then
	u_add=$(get add "$tmp/u.out")
	u_reload=$(get reload "$tmp/u.out")
	u_deny=$(get deny_us "$tmp/u.out")
	if [ "$ufw_rules" = "$rules" ]; then
		printf '%-52s %10s ms %10s ms %10s\n' "add $rules rules one command at a time (ufw)" \
			"$m_add" "$u_add" "$(ratio "$m_add" "$u_add")"
		printf '%-52s %10s ms %12s %10s\n' "  of which the loop itself (/bin/true instead)" \
			"$m_loop" "" ""
		printf '%-52s %10s ms %10s ms %10s\n' "reload $rules rules (ufw)" "$m_reload" "$u_reload" \
			"$(ratio "$m_reload" "$u_reload")"
	else
		printf '%-52s %10s ms %12s %10s\n' "add $rules rules one command at a time" "$m_add" "" ""
		printf '%-52s %10s ms %12s %10s\n' "  of which the loop itself (/bin/true instead)" \
			"$m_loop" "" ""
		printf '%-52s %12s %10s ms %10s\n' "add $ufw_rules rules one command at a time (ufw)" "" \
			"$u_add" ""
		printf '%-52s %10s ms %10s ms %10s\n' "reload ($rules mamori / $ufw_rules ufw rules)" \
			"$m_reload" "$u_reload" "-"
	fi
else
	printf '%-52s %10s ms %12s %10s\n' "add $rules rules one command at a time" "$m_add" "skipped" "-"
	printf '%-52s %10s ms %12s %10s\n' "  of which the loop itself (/bin/true instead)" "$m_loop" "" ""
	printf '%-52s %10s ms %12s %10s\n' "reload $rules rules" "$m_reload" "skipped" "-"
fi
printf '%-52s %10s ms %10s ms %10s\n' "load $blocks blocked addresses (bare nft -f)" "$m_rb" "$n_load" \
	"$(ratio "$m_rb" "$n_load")"
printf '%-52s %10s us %10s us %10s\n' "block one more address, median of $runs (nft add element)" \
	"$m_block" "$n_add" "$(ratio "$m_block" "$n_add")"
if [ "$use_ufw" = 1 ]; then
	printf '%-52s %10s us %10s us %10s\n' "  the same, ufw insert 1 deny from ADDR ($ufw_rules rules)" \
		"$m_block" "$u_deny" "$(ratio "$m_block" "$u_deny")"
fi
echo
echo "targets: add $rules rules < 5000 ms: $([ "$m_add" -lt 5000 ] && echo pass || echo MISS);" \
	"block one into $blocks < 10 ms: $([ "$m_block" -lt 10000 ] && echo pass || echo MISS);" \
	"reload $rules rules < 100 ms: $([ "$m_reload" -lt 100 ] && echo pass || echo MISS)"
[ "$(get blocked_in_kernel "$tmp/m.out")" = "$runs" ] ||
	{ echo "check failed: not all $runs blocks reached the kernel" >&2; exit 1; }
if [ "$feeds" = 1 ]; then
	echo
	"$(dirname "$0")/feeds.sh" "$mamori"
fi
