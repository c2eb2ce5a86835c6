#!/bin/bash
# SPDX-License-Identifier: MIT
#
# bench/firewall/feeds.sh MAMORI [COUNT]
#
# Loading a blocklist feed of COUNT (default 100,000) distinct IPv4
# addresses, side by side with a bare `nft -f` of the same set (same type
# and flags: interval, auto-merge) in its own table. Runs in a network
# namespace it creates; the host's firewall is never touched. Three rounds,
# interleaved, so a busy machine slows both sides alike; prints each round
# and the ratio of the medians:
#   bare nft -f        a file defining the set with its elements, fresh table,
#                      in the feed's order (as a published list comes)
#   bare nft -f sorted the same with the addresses sorted (mamori sorts and
#                      merges a feed before handing it to nftables)
#   mamori load (new)  `blocklist load` of a new feed into an enabled firewall
#                      (the whole table loaded again, with the new sets)
#   mamori replace     `blocklist load` of another file under the same name:
#                      flush + add elements in one transaction
# Each mamori figure is the whole command: reading and checking the file,
# writing the feed file (fsync) and the kernel transaction.
set -eu
mamori=${1:?usage: feeds.sh MAMORI [COUNT]}
count=${2:-100000}
[ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 77; }
ns=mm-fwfeeds-$$
work=$(mktemp -d "${TMPDIR:-/tmp}/mm-fwfeeds.XXXXXX")
trap 'ip netns del "$ns" 2>/dev/null; rm -rf "$work"' EXIT
ip netns add "$ns"
python3 - "$work" "$count" <<'PY'
import random, sys
work, count = sys.argv[1], int(sys.argv[2])
for name, seed in (("a", 1), ("b", 2)):
    rnd = random.Random(seed)
    seen = set()
    while len(seen) < count:
        a = rnd.getrandbits(32)
        if 1 <= a >> 24 < 224:
            seen.add(a)
    addrs = ["%d.%d.%d.%d" % (a >> 24, a >> 16 & 255, a >> 8 & 255, a & 255) for a in seen]
    with open("%s/feed-%s" % (work, name), "w") as f:
        f.write("# generated blocklist\n" + "\n".join(addrs) + "\n")
    if name == "a":
        for suffix, order in (("", addrs), ("-sorted", [a for _, a in sorted(zip(seen, addrs))])):
            with open("%s/bare%s.nft" % (work, suffix), "w") as f:
                f.write("table inet bare {\n\tset s {\n\t\ttype ipv4_addr\n\t\tflags interval\n"
                        "\t\tauto-merge\n\t\telements = {\n\t\t\t" + ",\n\t\t\t".join(order) +
                        "\n\t\t}\n\t}\n}\n")
PY
cat >"$work/in.sh" <<'IN'
set -eu
mamori=$1 work=$2
M="$mamori firewall --rules $work/fw.rules"
now() { date +%s.%N; }
el() { echo "$2 - $1" | bc; }
$M allow 22/tcp >/dev/null
$M enable >/dev/null
for round in 1 2 3; do
	s=$(now); nft -f "$work/bare.nft"; e=$(now); bare=$(el "$s" "$e")
	nft delete table inet bare
	s=$(now); nft -f "$work/bare-sorted.nft"; e=$(now); sorted=$(el "$s" "$e")
	nft delete table inet bare
	s=$(now); $M blocklist load big "$work/feed-a" >/dev/null; e=$(now); load=$(el "$s" "$e")
	s=$(now); $M blocklist load big "$work/feed-b" >/dev/null; e=$(now); repl=$(el "$s" "$e")
	$M blocklist drop big >/dev/null
	echo "round $round: bare nft -f $bare s, sorted $sorted s, mamori load (new) $load s," \
		"mamori replace $repl s"
	echo "$bare $sorted $load $repl" >>"$work/times"
done
IN
echo "blocklist feed of $count IPv4 addresses ($(nft --version))"
ip netns exec "$ns" bash "$work/in.sh" "$mamori" "$work"
python3 - "$work/times" <<'PY'
import statistics, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1])]
bare, srt, load, repl = (statistics.median(c) for c in zip(*rows))
print("median: bare nft -f %.3f s (sorted input %.3f s)" % (bare, srt))
print("  mamori load (new) %.3f s: ratio %.2f to bare nft -f, %.2f to sorted" % (load, load / bare, load / srt))
print("  mamori replace    %.3f s: ratio %.2f to bare nft -f, %.2f to sorted" % (repl, repl / bare, repl / srt))
print("  target: ratio <= 1 to bare nft -f of the same set")
PY
