#!/usr/bin/env bash
# Inputs: compressed files, stdin, rotated sets, and hostile bytes.
. "$(dirname "$0")/lib.sh"

summary() { jq -c '{lines: .lines.read, events, findings: (.findings | length)}' "$1"; }

"$MAMORI" logs --json --year 2026 "$EX/kern.log" >"$TMP/plain.json" || true
gzip -c "$EX/kern.log" >"$TMP/kern.log.gz"
zstd -q -c "$EX/kern.log" >"$TMP/kern.log.zst"
"$MAMORI" logs --json --year 2026 "$TMP/kern.log.gz" >"$TMP/gz.json" || true
"$MAMORI" logs --json --year 2026 "$TMP/kern.log.zst" >"$TMP/zst.json" || true
"$MAMORI" logs --json --year 2026 - <"$EX/kern.log" >"$TMP/stdin.json" || true
p=$(summary "$TMP/plain.json")
[ "$(summary "$TMP/gz.json")" = "$p" ] && ok "gzip same as plain" || fail "gzip differs: $(summary "$TMP/gz.json") vs $p"
[ "$(summary "$TMP/zst.json")" = "$p" ] && ok "zstd same as plain" || fail "zstd differs"
[ "$(summary "$TMP/stdin.json")" = "$p" ] && ok "stdin same as plain" || fail "stdin differs"

# a rotated set is read oldest first and covers all lines
mkdir "$TMP/rot"
head -n 2000 "$EX/kern.log" | gzip -c >"$TMP/rot/kern.log.2.gz"
sed -n '2001,4000p' "$EX/kern.log" >"$TMP/rot/kern.log.1"
tail -n +4001 "$EX/kern.log" >"$TMP/rot/kern.log"
"$MAMORI" logs --json --year 2026 --rotated "$TMP/rot/kern.log" >"$TMP/rot.json" || true
[ "$(summary "$TMP/rot.json")" = "$p" ] && ok "rotated set same as whole file" || fail "rotated differs: $(summary "$TMP/rot.json") vs $p"
check "rotated inputs oldest first" '[.inputs[].name | split("/") | last] == ["kern.log.2.gz","kern.log.1","kern.log"]' "$TMP/rot.json"

# a file large enough to be read in blocks (32 MiB and more): the inline
# block reader (--threads 1) and worker threads give the line-by-line result
for i in $(seq 1 30); do cat "$EX/kern.log" "$EX/auth.log"; done >"$TMP/big.log"
"$MAMORI" logs --json --threads 1 "$TMP/big.log" >"$TMP/big1.json" || true
"$MAMORI" logs --json --threads 2 "$TMP/big.log" >"$TMP/big2.json" || true
"$MAMORI" logs --json - <"$TMP/big.log" >"$TMP/bigs.json" || true
strip() { jq -S 'del(.inputs[].name, .limits)' "$1"; }
[ "$(strip "$TMP/big1.json")" = "$(strip "$TMP/bigs.json")" ] && ok "blocks on one thread same as line by line" ||
	fail "block reader differs from line reader"
[ "$(strip "$TMP/big2.json")" = "$(strip "$TMP/bigs.json")" ] && ok "worker threads same as line by line" ||
	fail "worker threads differ from line reader"
check "the large file was read whole" ".lines.read == $(wc -l <"$TMP/big.log")" "$TMP/big2.json"
rm -f "$TMP/big.log"

# folded repeats ("last message repeated N times") where a block starts: a
# repeat line right at each block boundary (BLOCK_BYTES in
# lib/report/analyze_par.c: blocks are fixed 1 MiB ranges, a line belongs to
# the block it starts in), after a kernel line or an sshd line; worker
# threads, the inline block reader and the line reader must unfold the same
# occurrences
python3 - "$TMP/rep.log" <<'EOF'
import sys
block = 1 << 20
out = open(sys.argv[1], "w")
filler = ("Nov 21 05:00:00 web1 kernel: [UFW BLOCK] IN=eth0 OUT= SRC=192.0.2.%d "
          "DST=198.51.100.10 LEN=40 PROTO=TCP SPT=1 DPT=%d WINDOW=1 RES=0x00 SYN URGP=0\n")
kern = ("Nov 21 05:00:01 web1 kernel: [UFW BLOCK] IN=eth0 OUT= SRC=203.0.113.60 "
        "DST=198.51.100.10 LEN=40 PROTO=UDP SPT=5070 DPT=5060 LEN=20\n")
ssh = "Nov 21 05:00:01 web1 sshd[4000]: Failed password for root from 203.0.113.61 port 4000 ssh2\n"
rep = "Nov 21 05:00:02 web1 last message repeated 3 times\n"
for seg in range(36):
    # each segment fills one block exactly, so the next segment's repeat
    # line is the first line of the next block
    text = [rep] if seg else []
    target = kern if seg % 2 else ssh
    size = sum(map(len, text)) + len(target)
    i = 0
    while True:
        line = filler % (i % 250 + 1, i % 1000 + 1)
        if size + len(line) > block - 200:
            break
        text.append(line)
        size += len(line)
        i += 1
    pad = block - size
    text.append("Nov 21 05:00:00 web1 cron[1]: " + "x" * (pad - 31) + "\n")
    text.append(target)
    out.write("".join(text))
out.write(rep)
EOF
"$MAMORI" logs --json --top 300 --threads 2 "$TMP/rep.log" >"$TMP/rep2.json" || true
"$MAMORI" logs --json --top 300 --threads 1 "$TMP/rep.log" >"$TMP/rep1.json" || true
"$MAMORI" logs --json --top 300 - <"$TMP/rep.log" >"$TMP/reps.json" || true
[ "$(strip "$TMP/rep1.json")" = "$(strip "$TMP/reps.json")" ] && ok "repeats at block starts: one thread" ||
	fail "repeats at block starts: block reader differs from line reader"
[ "$(strip "$TMP/rep2.json")" = "$(strip "$TMP/reps.json")" ] && ok "repeats at block starts: workers" ||
	fail "repeats at block starts: worker threads differ from line reader"
# 36 targets (18 sshd, 18 kernel), each once and three times repeated
check "repeats unfolded" '.events["auth-failure"] == 72' "$TMP/rep2.json"
check "repeated packets counted" '[.top_sources[] | select(.src == "203.0.113.60") | .packets] == [72]' "$TMP/rep2.json"
rm -f "$TMP/rep.log"

# a file truncated while it is being read (logrotate's copytruncate): the
# read stops with an error naming the file (exit 3) and a report of what was
# read, never a crash (a mapped file would have died of SIGBUS). Cut the
# file to 1 MiB once mamori has read 16 MiB of it, on the block reader with
# workers, inline, and on the line reader (--year reads line by line).
for i in $(seq 1 120); do cat "$EX/kern.log"; done >"$TMP/trunc.src"
for mode in "--threads 2" "--threads 1" "--year 2026"; do
	cp "$TMP/trunc.src" "$TMP/trunc.log"
	# shellcheck disable=SC2086
	"$MAMORI" logs --json $mode "$TMP/trunc.log" >"$TMP/trunc.json" 2>"$TMP/trunc.err" &
	pid=$!
	read_bytes=0
	while kill -0 "$pid" 2>/dev/null; do
		read_bytes=$(awk '$1 == "rchar:" {print $2}' "/proc/$pid/io" 2>/dev/null || echo 0)
		[ "${read_bytes:-0}" -gt $((16 << 20)) ] && break
		sleep 0.01
	done
	truncate -s 1M "$TMP/trunc.log"
	rc=0
	wait "$pid" || rc=$?
	if [ "${read_bytes:-0}" -le $((16 << 20)) ]; then
		ok "truncated while read ($mode): finished before the cut, nothing to check"
		continue
	fi
	[ "$rc" -eq 3 ] && ok "truncated while read ($mode): exit 3" ||
		fail "truncated while read ($mode): exit $rc, want 3 ($(head -c 300 "$TMP/trunc.err"))"
	grep -q "trunc.log: truncated while being read" "$TMP/trunc.err" &&
		ok "truncated while read ($mode): named" || fail "truncated while read ($mode): no note: $(head -c 300 "$TMP/trunc.err")"
	check "truncated while read ($mode): report of what was read" \
		'.lines.read > 1000 and (.inputs[0].error | test("truncated"))' "$TMP/trunc.json"
done
rm -f "$TMP/trunc.src" "$TMP/trunc.log"

# hostile bytes: NUL, invalid UTF-8, an over-long line, no final newline
{
	head -n 3 "$EX/auth.log"
	printf 'Nov 20 10:00:00 web1 sshd[7]: Failed password for invalid user \000\377\376 from 198.51.100.9 port 1 ssh2\n'
	printf 'Nov 20 10:00:01 web1 sshd[8]: Invalid user %s from 198.51.100.9 port 2\n' "$(head -c 70000 /dev/zero | tr '\0' A)"
	printf '\377\376garbage \000 line\n'
	printf 'Nov 20 10:00:02 web1 sshd[9]: Failed password for root from 198.51.100.9 port 3 ssh2'
} >"$TMP/hostile.log"
expect_rc 0 "$MAMORI" logs --json --year 2026 "$TMP/hostile.log"
check "all lines accounted for" '.lines.read == 7 and .lines.too_long == 1 and .lines.unrecognized >= 1' "$TMP/out"
check "NUL and bad UTF-8 in a user name do not stop the run" '.events["auth-failure"] == 2' "$TMP/out"
expect_rc 0 "$MAMORI" logs --events --year 2026 "$TMP/hostile.log"
jq -s . "$TMP/out" >/dev/null && ok "events stay valid JSON with hostile bytes" || fail "events JSON invalid"

# an unreadable input is named and the rest is still read
mkdir "$TMP/dir.log"
expect_rc 3 "$MAMORI" logs --json "$TMP/dir.log" "$EX/auth.log"
grep_err "dir.log"
finish
