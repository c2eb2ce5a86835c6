#!/bin/sh
# run-fuzzer.sh FUZZER SEED_DIR SECONDS
# Runs a libFuzzer target for a bounded time. New inputs go to a scratch
# directory (the first corpus dir), so the committed seeds stay untouched;
# a crash leaves its reproducer in the scratch dir and fails the test.
set -eu
fuzzer=$1 seeds=$2 secs=$3
work=$(mktemp -d "${TMPDIR:-/tmp}/mamori-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/new"
if ! "$fuzzer" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 -max_len=4096 \
	-print_final_stats=1 -artifact_prefix="$work/" "$work/new" "$seeds" 2>"$work/log"; then
	tail -n 60 "$work/log"
	for a in "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*; do
		[ -e "$a" ] || continue
		echo "reproducer: $(basename "$a") (base64):"
		base64 "$a"
	done
	exit 1
fi
grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb)' "$work/log" || true
