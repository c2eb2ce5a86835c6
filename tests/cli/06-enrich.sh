#!/usr/bin/env bash
# Who the sources are: country and network from MMDB files the test builds,
# hosting classification, --country, broken data files, and DNSBL / rDNS
# against a real DNS server (dnsmasq) on loopback.
. "$(dirname "$0")/lib.sh"
: "${MKCOUNTRY:?}"

# the example logs use 198.51.100.0/24, 203.0.113.0/24 and 2001:db8::/32
cat >"$TMP/country.csv" <<'CSV'
198.51.100.0,198.51.100.127,JP
198.51.100.128,198.51.100.255,CN
203.0.113.0,203.0.113.255,US
2001:db8::,2001:db8:ffff:ffff:ffff:ffff:ffff:ffff,DE
CSV
"$MKCOUNTRY" "$TMP/country.mmdb" <"$TMP/country.csv" || fail "mkcountry"
cat >"$TMP/asn.csv" <<'CSV'
198.51.100.0,198.51.100.255,64500,"Example Broadband, Inc."
203.0.113.0,203.0.113.255,9370,SAKURA Internet Inc.
2001:db8::,2001:db8:ffff:ffff:ffff:ffff:ffff:ffff,64501,Nameless VPS Hosting
CSV
expect_rc 0 "$MAMORI" geo import-asn "$TMP/asn.csv" -o "$TMP/asn.mmdb"
GEO=(--country-db "$TMP/country.mmdb" --asn-db "$TMP/asn.mmdb")

expect_rc 1 "$MAMORI" logs --json --year 2026 "${GEO[@]}" "$EX/kern.log" "$EX/auth.log"
cp "$TMP/out" "$TMP/r.json"
R=$TMP/r.json
check "geo available" '.enrichment.geo == true and (.enrichment.attribution | length > 0)' "$R"
check "countries grouped" '[.enrichment.countries[].key] | (index("JP") != null and index("US") != null and index("DE") != null)' "$R"
check "networks carry organisations" '[.enrichment.networks[] | select(.key == "AS9370" and .label == "SAKURA Internet Inc.")] | length == 1' "$R"
check "listed hosting ASN classified with its reason" '[.top_sources[] | select(.src == "203.0.113.50" and .hosting == "hosting" and (.hosting_reason | test("listed ASN 9370")))] | length == 1' "$R"
check "name rule classifies hosting" '[.findings[] | select(.src == "2001:db8:dead::7" and .hosting == "hosting" and (.hosting_reason | test("name rule")))] | length == 1' "$R"
check "other networks are other" '[.top_sources[] | select(.country == "JP" and .hosting == "other")] | length >= 1' "$R"
check "the SIP sweepers: 12 sources, all in US on hosting" '[.enrichment.finding_groups[] | select(.kind == "sweep" and .port == 5060 and .sources == 12 and .hosting == 12 and .countries[0].key == "US")] | length == 1' "$R"
check "finding sources counted per country" '[.enrichment.countries[] | select(.key == "US") | .finding_sources.sweep] == [12]' "$R"

# --country focuses the report on one country's sources
expect_rc 1 "$MAMORI" logs --json --year 2026 "${GEO[@]}" --country jp "$EX/kern.log" "$EX/auth.log"
check "--country narrows top sources" '(.top_sources | length > 0) and ([.top_sources[] | select(.country != "JP")] | length == 0)' "$TMP/out"
check "--country narrows findings" '([.findings[] | select(.src and .country != "JP")] | length == 0) and .enrichment.country_filter == "JP"' "$TMP/out"
expect_rc 2 "$MAMORI" logs --country Japan "$EX/kern.log"
grep_err "two-letter"

# without data, or with broken data, the report still comes out and says why
mkdir "$TMP/empty"
expect_rc 1 "$MAMORI" logs --json --year 2026 --geo-dir "$TMP/empty" "$EX/kern.log"
check "no data: geo unavailable, report complete" '.enrichment.geo == false and (.enrichment.geo_status | test("unavailable")) and (.findings | length > 0)' "$TMP/out"
head -c $(($(stat -c %s "$TMP/country.mmdb") / 2)) "$TMP/country.mmdb" >"$TMP/broken.mmdb"
expect_rc 1 "$MAMORI" logs --json --year 2026 --country-db "$TMP/broken.mmdb" "$EX/kern.log"
check "broken MMDB named, report complete" '.enrichment.geo == false and (.enrichment.geo_status | test("broken.mmdb")) and (.findings | length > 0)' "$TMP/out"
printf 'start,end,asn,org\n1.2.3.4,1.2.3.0,1,x\n' >"$TMP/bad.csv"
expect_rc 3 "$MAMORI" geo import-asn "$TMP/bad.csv" -o "$TMP/bad.mmdb"
grep_err "bad.csv:2"
[ ! -e "$TMP/bad.mmdb" ] && ok "nothing written for a bad CSV" || fail "bad CSV left a file"

# DNSBL and rDNS against a real DNS server on loopback
if ! command -v dnsmasq >/dev/null && [ ! -x /usr/sbin/dnsmasq ]; then
	echo "dnsmasq missing: skipping the DNS part"
	finish
	exit 0
fi
# a port nobody uses right now (other tests run DNS servers too)
port=$(python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
/usr/sbin/dnsmasq --keep-in-foreground --no-daemon --conf-file=/dev/null --no-resolv --no-hosts \
	--bind-interfaces --listen-address=127.0.0.1 --port="$port" --log-facility=- \
	--local=/bl.test/ --address=/50.113.0.203.bl.test/127.0.0.2 \
	--address=/100.113.0.203.bl.test/127.0.0.4 \
	--ptr-record=50.113.0.203.in-addr.arpa,scanner.example.test \
	--host-record=scanner.example.test,203.0.113.50 \
	--local=/in-addr.arpa/ --local=/ip6.arpa/ --local=/example.test/ \
	>"$TMP/dnsmasq.log" 2>&1 &
dns_pid=$!
trap 'kill $dns_pid 2>/dev/null || true; rm -rf "$TMP"' EXIT
# wait until it answers on its port
for _ in $(seq 50); do
	ss -Hlun "sport = :$port" 2>/dev/null | grep -q . && break
	sleep 0.1
done
printf '[dnsbl]\ncodes = bl.test:2=spam source,4=exploited host\n' >"$TMP/codes.conf"
expect_rc 1 "$MAMORI" logs --json --year 2026 "${GEO[@]}" --dnsbl bl.test --rdns --config "$TMP/codes.conf" \
	--dns-server "127.0.0.1:$port" --dns-timeout 500 "$EX/kern.log" "$EX/auth.log"
cp "$TMP/out" "$TMP/dns.json"
check "listed source marked" '[.top_sources[] | select(.src == "203.0.113.50" and .dnsbl == ["bl.test"])] | length == 1' "$TMP/dns.json"
check "listed finding source marked" '[.findings[] | select(.src == "203.0.113.100" and .dnsbl == ["bl.test"])] | length == 1' "$TMP/dns.json"
check "answer codes with their configured meaning" '[.findings[] | select(.src == "203.0.113.100" and .dnsbl_codes["bl.test"].code == 4 and .dnsbl_codes["bl.test"].meaning == "exploited host")] | length == 1' "$TMP/dns.json"
check "share per zone" '.enrichment.dnsbl.zones[0].listed == 2 and .enrichment.dnsbl.checked > 2' "$TMP/dns.json"
check "not listed is not a failure" '.enrichment.dnsbl.timeouts == 0 and .enrichment.dnsbl.servfails == 0' "$TMP/dns.json"
check "FCrDNS confirmed" '[.top_sources[] | select(.src == "203.0.113.50" and .rdns == "scanner.example.test" and .fcrdns == true)] | length == 1' "$TMP/dns.json"
kill "$dns_pid" 2>/dev/null || true
wait "$dns_pid" 2>/dev/null || true

# a resolver that is down: errors, not "not listed"
expect_rc 1 "$MAMORI" logs --json --year 2026 --dnsbl bl.test --dns-server "127.0.0.1:$port" \
	--dns-timeout 200 "$EX/kern.log"
check "resolver down: failures counted, nothing listed" '(.enrichment.dnsbl.errors + .enrichment.dnsbl.timeouts) > 0 and .enrichment.dnsbl.not_listed == 0 and .enrichment.dnsbl.zones[0].listed == 0' "$TMP/out"

# a resolver that reads queries and never answers: bounded, reported as timeouts
python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
end = time.time() + 60
while time.time() < end:
    s.settimeout(1)
    try:
        s.recv(4096)
    except OSError:
        pass' "$port" &
silent_pid=$!
trap 'kill $silent_pid 2>/dev/null || true; rm -rf "$TMP"' EXIT
for _ in $(seq 50); do
	ss -Hlun "sport = :$port" 2>/dev/null | grep -q . && break
	sleep 0.1
done
start=$(date +%s)
expect_rc 1 "$MAMORI" logs --json --year 2026 --dnsbl bl.test --dns-server "127.0.0.1:$port" \
	--dns-timeout 200 "$EX/kern.log"
took=$(($(date +%s) - start))
kill "$silent_pid" 2>/dev/null || true
check "silent resolver: timeouts counted, nothing listed" '.enrichment.dnsbl.timeouts > 0 and .enrichment.dnsbl.zones[0].listed == 0 and .enrichment.dnsbl.not_listed == 0' "$TMP/out"
[ "$took" -lt 30 ] && ok "silent resolver bounded (${took}s)" || fail "silent resolver took ${took}s"
finish
