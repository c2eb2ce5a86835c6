# SPDX-License-Identifier: MIT
# Sourced by the namespace tests (bash). Gives:
#   skip REASON             exit 77 (the test cannot run here)
#   ok WHAT / fail WHAT     report a check; fails counts the failures
#   netns_need TOOL...      skip unless root and every tool is installed
#   netns_add NAME...       create namespaces (lo up), deleted on exit; the
#                           first failure to create one is a skip
#   netns_veth NS1 IF1 NS2 IF2   a veth pair between two namespaces (skip
#                           when the kernel has none)
#   netns_need_nft NS       skip unless nf_tables works in NS
#   netns_id                a short id unique to this run (names, interfaces)
#   netns_serve NS OUT PORT/PROTO...   tests/netns/serve.py in NS, waits
#                           until it listens (see serve.py)
#   netns_probe NS ARGS...  tests/netns/probe.py in NS (see probe.py)
#   netns_expect NS WANT DESCRIPTION PROBE-ARGS...   probe from NS, check
#                           the answer is WANT
#   netns_confirm_killed NS OUT MAMORI-ARGS...   run mamori MAMORI-ARGS (a
#                           --confirm change) in NS from a shell in a session
#                           of its own, kill that session (SIGHUP, SIGKILL)
#                           once the change waits for confirmation; output
#                           in OUT
#   netns_python            the directory of serve.py, probe.py, hold.py
#   pids                    processes to kill on exit (add with pids+=)
#   work                    a scratch directory, removed on exit
#   netns_cleanup_more      define it to undo more on exit (sysctls)
netns_python=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
netns_id=$(printf '%x%04x' $$ $((RANDOM)))
netns_list=()
pids=()
fails=0
work=$(mktemp -d "${TMPDIR:-/tmp}/mm-netns.XXXXXX")

skip() {
	echo "SKIP: $*" >&2
	exit 77
}
fail() {
	echo "FAIL: $*" >&2
	fails=$((fails + 1))
}
ok() { echo "ok: $*"; }

netns_cleanup() {
	local p n
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	for n in "${netns_list[@]}"; do
		ip netns del "$n" 2>/dev/null
	done
	if declare -F netns_cleanup_more >/dev/null; then
		netns_cleanup_more
	fi
	rm -rf "$work"
}
trap netns_cleanup EXIT
trap 'exit 1' INT TERM

netns_need() {
	local t
	[ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 || skip "$t not installed"
	done
}

netns_add() {
	local n
	for n in "$@"; do
		if ! ip netns add "$n" 2>/dev/null; then
			[ "${#netns_list[@]}" = 0 ] && skip "kernel has no network namespaces (ip netns add failed)"
			echo "ip netns add $n failed" >&2
			exit 1
		fi
		netns_list+=("$n")
		ip -n "$n" link set lo up
	done
}

netns_veth() {
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3" 2>/dev/null || skip "kernel has no veth"
	ip -n "$1" link set "$2" up
	ip -n "$3" link set "$4" up
}

netns_need_nft() {
	ip netns exec "$1" nft add table inet mm_probe 2>/dev/null || skip "kernel has no nf_tables"
	ip netns exec "$1" nft delete table inet mm_probe
}

netns_serve() {
	local ns=$1 out=$2
	shift 2
	ip netns exec "$ns" python3 "$netns_python/serve.py" "$@" >"$out" 2>&1 &
	pids+=($!)
	for _ in $(seq 50); do
		if grep -qs ready "$out"; then
			sleep 0.2 # "ready" comes as the listeners start
			return 0
		fi
		sleep 0.1
	done
	fail "server in $ns did not start: $(cat "$out")"
}

netns_probe() {
	local ns=$1
	shift
	ip netns exec "$ns" python3 "$netns_python/probe.py" "$@"
}

netns_expect() {
	local ns=$1 want=$2 what=$3 got
	shift 3
	got=$(netns_probe "$ns" "$@")
	if [ "$got" = "$want" ]; then ok "$what: $got"; else fail "$what: got '$got', want '$want'"; fi
}

netns_confirm_killed() {
	local ns=$1 out=$2 sess
	shift 2
	# the asking shell stays in the session until it is killed, as a
	# terminal's would
	setsid bash -c '"$@"; sleep 60' sh ip netns exec "$ns" env -u SSH_CONNECTION "$@" \
		>"$out" 2>&1 &
	sess=$!
	for _ in $(seq 50); do
		grep -qs "Run 'mamori firewall confirm'" "$out" && break
		sleep 0.1
	done
	kill -HUP -- -"$sess" 2>/dev/null
	kill -KILL -- -"$sess" 2>/dev/null
	wait "$sess" 2>/dev/null
}
