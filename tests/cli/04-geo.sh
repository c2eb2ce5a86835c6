#!/usr/bin/env bash
# mamori geo: import-asn and lookup end to end; the MMDB writer's output
# read back by an independent reader (mmdblookup, Debian mmdb-bin); and,
# when tools/fetch-geo.sh has fetched the real data into data/geo, a few
# well-known networks.
. "$(dirname "$0")/lib.sh"

# mmdblookup FILE IP PATH...: the value at PATH, without its type tag
mmdb_get() {
	local f=$1 ip=$2
	shift 2
	mmdblookup --file "$f" --ip "$ip" "$@" 2>/dev/null |
		sed -n 's/^ *\(.*\) <[a-z0-9_]*>$/\1/p' | head -n 1
}

# same DESCRIPTION GOT WANT
same() {
	if [ "$2" = "$3" ]; then ok "$1"; else fail "$1: got '$2', want '$3'"; fi
}

cat >"$TMP/asn.csv" <<'EOF'
1.0.0.0,1.0.0.255,13335,"Cloudflare, Inc."
2.26.200.0,2.26.215.255,201907,"LLC ""SPUTNIK"""
8.8.4.0,8.8.4.255,15169,Google LLC
8.8.8.0,8.8.8.255,15169,Google LLC
2001:4860::,2001:4860:ffff:ffff:ffff:ffff:ffff:ffff,15169,Google LLC
2001:db8::1,2001:db8::1,64496,
0.0.0.0,0.255.255.255,64511,Zero
9.9.9.9,9.9.9.9,19281,Quad9
EOF
expect_rc 0 "$MAMORI" geo import-asn "$TMP/asn.csv" -o "$TMP/asn.mmdb"
grep_err "imported 8 rows"

# an independent reader agrees with the writer
if command -v mmdblookup >/dev/null; then
	A=$TMP/asn.mmdb
	same "mmdblookup: 8.8.8.8 asn" "$(mmdb_get "$A" 8.8.8.8 autonomous_system_number)" 15169
	same "mmdblookup: 8.8.8.8 org" "$(mmdb_get "$A" 8.8.8.8 autonomous_system_organization)" '"Google LLC"'
	same "mmdblookup: 1.0.0.255 org" "$(mmdb_get "$A" 1.0.0.255 autonomous_system_organization)" '"Cloudflare, Inc."'
	same "mmdblookup: quotes" "$(mmdb_get "$A" 2.26.200.1 autonomous_system_organization)" '"LLC "SPUTNIK""'
	same "mmdblookup: IPv6" "$(mmdb_get "$A" 2001:4860:4860::8888 autonomous_system_number)" 15169
	same "mmdblookup: single IPv6 address" "$(mmdb_get "$A" 2001:db8::1 autonomous_system_number)" 64496
	same "mmdblookup: next to it, nothing" "$(mmdb_get "$A" 2001:db8::2 autonomous_system_number)" ""
	same "mmdblookup: v4-mapped" "$(mmdb_get "$A" ::ffff:9.9.9.9 autonomous_system_number)" 19281
	same "mmdblookup: 0.0.0.0/8" "$(mmdb_get "$A" 0.1.2.3 autonomous_system_number)" 64511
	same "mmdblookup: range end" "$(mmdb_get "$A" 8.8.4.255 autonomous_system_number)" 15169
	same "mmdblookup: past the end" "$(mmdb_get "$A" 8.8.5.0 autonomous_system_number)" ""
	mmdblookup --file "$A" --verbose --ip 8.8.8.8 >"$TMP/meta" 2>&1
	grep -q "Type: *mamori-asn" "$TMP/meta" && grep -q "IP version: *IPv6" "$TMP/meta" &&
		ok "mmdblookup: metadata" || fail "mmdblookup metadata: $(head -c 400 "$TMP/meta")"
else
	echo "skip: mmdblookup not installed (Debian package mmdb-bin)"
fi

# lookups through the CLI, text and JSON Lines
expect_rc 0 "$MAMORI" geo lookup --asn-db "$TMP/asn.mmdb" 8.8.8.8 10.0.0.1
grep -qE '^8\.8\.8\.8 +unknown +AS15169 +Google LLC$' "$TMP/out" && ok "text row" ||
	fail "text row: $(cat "$TMP/out")"
grep -qE '^10\.0\.0\.1 +unknown +- +-$' "$TMP/out" && ok "text row, not listed" ||
	fail "not listed row: $(cat "$TMP/out")"
expect_rc 0 "$MAMORI" geo lookup --json --asn-db "$TMP/asn.mmdb" 1.0.0.1 2001:4860::1 ::ffff:8.8.4.4 10.0.0.1
jq -s . "$TMP/out" >"$TMP/rows.json"
check "four JSON lines" 'length == 4' "$TMP/rows.json"
check "JSON row" '.[0] == {"addr":"1.0.0.1","country":null,"asn":13335,"org":"Cloudflare, Inc."}' "$TMP/rows.json"
check "IPv6 row" '.[1].asn == 15169' "$TMP/rows.json"
check "v4-mapped shown as IPv4" '.[2].addr == "8.8.4.4" and .[2].asn == 15169' "$TMP/rows.json"
check "not listed is null" '.[3].asn == null and .[3].org == null' "$TMP/rows.json"
printf '8.8.8.8\n\n9.9.9.9\r\n' | "$MAMORI" geo lookup --json --asn-db "$TMP/asn.mmdb" - >"$TMP/stdin.json"
check "addresses from stdin" '[.asn] == [15169]' <(head -n 1 "$TMP/stdin.json")
[ "$(wc -l <"$TMP/stdin.json")" -eq 2 ] && ok "stdin: two rows" || fail "stdin rows: $(cat "$TMP/stdin.json")"

# errors: bad address (exit 2, nothing printed), broken database (exit 3, named)
expect_rc 2 "$MAMORI" geo lookup --asn-db "$TMP/asn.mmdb" 8.8.8.8 not-an-ip
grep_err "'not-an-ip' is not an IPv4 or IPv6 address"
[ ! -s "$TMP/out" ] && ok "nothing printed before the error" || fail "printed: $(cat "$TMP/out")"
head -c $(($(stat -c %s "$TMP/asn.mmdb") / 2)) "$TMP/asn.mmdb" >"$TMP/trunc.mmdb"
expect_rc 3 "$MAMORI" geo lookup --asn-db "$TMP/trunc.mmdb" 8.8.8.8
grep_err "trunc.mmdb: .*truncated"
expect_rc 3 "$MAMORI" geo lookup --country-db "$TMP/asn.mmdb" 8.8.8.8
grep_err "asn.mmdb: .*not a country database"
expect_rc 3 "$MAMORI" geo lookup --country-db "$TMP/missing.mmdb" 8.8.8.8
grep_err "missing.mmdb"
expect_rc 2 "$MAMORI" geo lookup
expect_rc 2 "$MAMORI" geo frobnicate

# no data at all: a warning, 'unknown', exit 0
mkdir "$TMP/empty"
MAMORI_GEO_DIR=$TMP/empty expect_rc 0 "$MAMORI" geo lookup 8.8.8.8
grep_err "geo data unavailable"
grep -qE '^8\.8\.8\.8 +unknown +unknown +unknown$' "$TMP/out" && ok "unknown without data" ||
	fail "without data: $(cat "$TMP/out")"

# import errors: FILE:LINE, nothing written, an old output kept
printf '1.0.0.0,1.0.0.255,1,A\n1.0.1.0,1.0.1.300,2,B\n' >"$TMP/bad.csv"
expect_rc 3 "$MAMORI" geo import-asn "$TMP/bad.csv" -o "$TMP/asn.mmdb"
grep_err "bad.csv:2: bad end address"
[ ! -e "$TMP/asn.mmdb.tmp" ] && ok "no temporary left" || fail "asn.mmdb.tmp left behind"
expect_rc 0 "$MAMORI" geo lookup --json --asn-db "$TMP/asn.mmdb" 9.9.9.9
check "old output kept" '.asn == 19281' "$TMP/out"
expect_rc 2 "$MAMORI" geo import-asn "$TMP/bad.csv"
printf '8.8.8.0,8.8.8.255,1,A\n8.8.8.8,8.8.8.8,2,B\n' >"$TMP/ov.csv"
expect_rc 0 "$MAMORI" geo import-asn "$TMP/ov.csv" -o "$TMP/ov.mmdb"
grep_err "overlap"
expect_rc 0 "$MAMORI" geo lookup --json --asn-db "$TMP/ov.mmdb" 8.8.8.7 8.8.8.8 8.8.8.9
[ "$(jq -c '.asn' "$TMP/out" | tr '\n' ' ')" = "1 2 1 " ] && ok "overlap: the narrower range wins" ||
	fail "overlap: $(jq -c .asn "$TMP/out" | tr '\n' ' ')"

# the fetched open data, when present
G=$MM_SRCDIR/data/geo
if [ -s "$G/country.mmdb" ] && [ -s "$G/asn.mmdb" ]; then
	expect_rc 0 "$MAMORI" geo lookup --json --country-db "$G/country.mmdb" --asn-db "$G/asn.mmdb" \
		8.8.8.8 1.1.1.1 2001:4860:4860::8888 9.9.9.9
	jq -s . "$TMP/out" >"$TMP/real.json"
	check "8.8.8.8 is Google, US" '.[0].asn == 15169 and .[0].country == "US" and (.[0].org | test("Google"))' "$TMP/real.json"
	check "1.1.1.1 is Cloudflare" '.[1].asn == 13335 and (.[1].org | test("Cloudflare"))' "$TMP/real.json"
	check "2001:4860:4860::8888 is Google" '.[2].asn == 15169 and .[2].country == "US"' "$TMP/real.json"
	check "9.9.9.9 is Quad9" '.[3].asn == 19281' "$TMP/real.json"
	MAMORI_GEO_DIR=$G expect_rc 0 "$MAMORI" geo info
	grep -q "country ipvAll" "$TMP/out" && ok "info names the data" || fail "info: $(cat "$TMP/out")"
	if command -v mmdblookup >/dev/null; then
		same "real asn.mmdb read by mmdblookup" \
			"$(mmdb_get "$G/asn.mmdb" 2001:4860:4860::8888 autonomous_system_number)" 15169
	fi
else
	echo "skip: no fetched data in $G (tools/fetch-geo.sh MAMORI $G fetches it)"
fi
finish
