#!/usr/bin/env bash
# The sample logs: every detector fires on what examples/generate.py planted,
# and nothing forged gets through.
. "$(dirname "$0")/lib.sh"

expect_rc 1 "$MAMORI" logs --json --year 2026 "$EX/kern.log" "$EX/auth.log"
R=$TMP/out
cp "$R" "$TMP/report.json"
R=$TMP/report.json
kern_lines=$(wc -l <"$EX/kern.log")
auth_lines=$(wc -l <"$EX/auth.log")
packets=$(grep -c ' kernel: .*SRC=' "$EX/kern.log")

check "all lines read" ".lines.read == $((kern_lines + auth_lines))" "$R"
check "every kernel packet line is a packet" ".events.packet == $packets" "$R"
check "the forged kernel line is counted, not a packet" '.lines.forged_kernel == 1 and .events.suspicious == 1' "$R"
check "forged-log finding" '[.findings[] | select(.kind == "forged-log")] | length == 1' "$R"
check "period in ISO 8601 with offset" '.period.first | test("^2026-11-16T00:0[0-9]:[0-9]{2}\\+00:00$")' "$R"
check "SYN port scan" '[.findings[] | select(.kind == "port-scan" and .src == "198.51.100.200" and .scan == "syn" and .distinct_ports >= 15)] | length == 1' "$R"
check "FIN port scan" '[.findings[] | select(.kind == "port-scan" and .src == "198.51.100.201" and .scan == "fin")] | length == 1' "$R"
check "XMAS port scan" '[.findings[] | select(.kind == "port-scan" and .src == "198.51.100.202" and .scan == "xmas")] | length == 1' "$R"
check "SIP sweeps by each of the 12 sources" '[.findings[] | select(.kind == "sweep" and .port == 5060 and .proto == "udp")] | length == 12' "$R"
check "5060/udp service sweep named sip" '[.findings[] | select(.kind == "service-sweep" and .port == 5060 and .service == "sip" and .distinct_sources == 12)] | length == 1' "$R"
check "ssh brute force" '[.findings[] | select(.kind == "ssh-bruteforce" and .src == "203.0.113.50")] | length >= 1' "$R"
check "user enumeration" '[.findings[] | select(.kind == "ssh-user-enum" and .src == "203.0.113.50" and .distinct_users >= 10)] | length == 1' "$R"
check "slow brute force over IPv6" '[.findings[] | select(.kind == "ssh-slow-bruteforce" and .src == "2001:db8:dead::7")] | length == 1' "$R"
check "outbound fan-out from this host on 23/tcp" '[.findings[] | select(.kind == "outbound-fanout" and .src == "192.0.2.10" and .port == 23)] | length == 1' "$R"
check "forged user name never makes its address a source" '[.. | strings | select(. == "203.0.113.250")] | length == 0' "$R"
check "the real source of the forged-name attempts is seen" '([.top_sources[] | select(.src == "198.51.100.99")] | length == 1) or ([.findings[] | select(.src == "198.51.100.99")] | length >= 1)' "$R"
check "admin key logins counted as successes" '.events["auth-success"] == 7' "$R"
check "top ports carry service names" '[.top_ports[] | select(.port == 5060 and .service == "sip")] | length == 1' "$R"
check "timeline is daily over a week" '.timeline.bucket == "day" and .timeline.buckets >= 7' "$R"

# the text report shows the same findings
expect_rc 1 "$MAMORI" logs --year 2026 --color never "$EX/kern.log" "$EX/auth.log"
grep -q "FINDINGS" "$TMP/out" && grep -q "5060/udp sip" "$TMP/out" && grep -q "TIMELINE" "$TMP/out" &&
	ok "text report sections" || fail "text report sections"
if grep -q $'\033' "$TMP/out"; then fail "no colour when not a terminal"; else ok "no colour codes"; fi

# --findings: JSON Lines, one per finding, same as the report
expect_rc 1 "$MAMORI" logs --findings --year 2026 "$EX/kern.log" "$EX/auth.log"
n=$(jq -s 'length' "$TMP/out")
check "--findings matches the report" ".findings | length == $n" "$R"

# --events: one JSON object per recognised line, documented keys only
expect_rc 1 "$MAMORI" logs --events --year 2026 "$EX/auth.log"
jq -s . "$TMP/out" >"$TMP/events.json"
check "events have only documented keys" '[.[] | keys[] | select(IN("time","host","program","pid","kind","detail","src","src_port","dst","dst_port","proto","flags","user","direction","prefix","counted","line","file") | not)] | length == 0' "$TMP/events.json"
check "events carry file and 1-based line" '.[0].line >= 1 and (.[0].file | endswith("auth.log"))' "$TMP/events.json"
check "forged user name kept as the user" '[.[] | select(.user == "root from 203.0.113.250 port 22 ssh2" and .src == "198.51.100.99")] | length == 6' "$TMP/events.json"

# filters
expect_rc 0 "$MAMORI" logs --json --year 2026 --src 198.51.100.200/32 --port 5060 "$EX/kern.log"
check "filters drop everything that does not match" '.events.packet == 0 and .lines.filtered > 0' "$TMP/out"
expect_rc 1 "$MAMORI" logs --json --year 2026 --proto udp --port 5060 "$EX/kern.log"
check "--proto/--port keep the sweep" '([.findings[] | select(.kind == "sweep")] | length == 12) and ([.findings[] | select(.kind == "port-scan")] | length == 0)' "$TMP/out"
expect_rc 1 "$MAMORI" logs --json --year 2026 --since 2026-11-19T00:00:00Z --until 2026-11-20T00:00:00Z "$EX/kern.log"
check "--since/--until bound the period" '.period.first >= "2026-11-19" and .period.last < "2026-11-20"' "$TMP/out"
check "--since/--until keep the SYN scan day" '[.findings[] | select(.src == "198.51.100.200")] | length == 1' "$TMP/out"
finish
