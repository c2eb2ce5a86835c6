#!/bin/bash
# SPDX-License-Identifier: MIT
#
# bench/firewall/bench.sh MAMORI
#
# Times mamori firewall inside a network namespace it creates (the host's
# own firewall is never touched): 1,000 rules added one command at a time,
# reload of those 1,000 rules, reload with 100,000 blocked addresses, and
# one more block into that set. ufw is not run: it keeps its state in /etc
# and cannot be confined to a namespace; its published figures for the
# same operations are 313 s (1,000 adds) and 1.6 s (reload).
set -eu
mamori=${1:?usage: bench.sh MAMORI}
[ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 77; }
ns=mm-fwbench-$$
work=$(mktemp -d "${TMPDIR:-/tmp}/mm-fwbench.XXXXXX")
trap 'ip netns del "$ns" 2>/dev/null; rm -rf "$work"' EXIT
ip netns add "$ns"
cat >"$work/in.sh" <<'IN'
set -eu
M="$1 firewall --rules $2"
now() { date +%s.%N; }
el() { echo "$2 - $1" | bc; }
$M allow 22/tcp >/dev/null
$M enable >/dev/null
s=$(now)
for i in $(seq 1 1000); do
	$M allow from 10.$((i / 250)).$((i % 250)).0/24 to any port $((1000 + i)) proto tcp >/dev/null
done
e=$(now)
echo "add 1000 rules one at a time: $(el "$s" "$e") s"
s=$(now); $M reload >/dev/null; e=$(now)
echo "reload 1000 rules: $(el "$s" "$e") s"
python3 -c "
with open('$2', 'a') as f:
    for i in range(100000):
        f.write('block 100.%d.%d.%d\n' % (i >> 16 & 255, i >> 8 & 255, i & 255))
"
s=$(now); $M reload >/dev/null; e=$(now)
echo "reload 1000 rules + 100k blocks: $(el "$s" "$e") s"
s=$(now); $M block 203.0.113.9 >/dev/null; e=$(now)
echo "block one address into the 100k set (whole command): $(el "$s" "$e") s"
s=$(now); nft add element inet mamori host4 '{ 203.0.113.10 timeout 1h }'; e=$(now)
echo "  of which the kernel element add alone (nft): $(el "$s" "$e") s"
IN
ip netns exec "$ns" bash "$work/in.sh" "$mamori" "$work/fw.rules"
# blocklist feeds: 100k addresses beside a bare nft -f of the same set
"$(dirname "$0")/feeds.sh" "$mamori"
