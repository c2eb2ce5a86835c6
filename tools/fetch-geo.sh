#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# tools/fetch-geo.sh [--force] MAMORI_BINARY DATADIR
#
# Fetch the open country and ASN data from the npm registry and install
#   DATADIR/country.mmdb  @ip-location-db/geo-whois-asn-country-mmdb (CC0-1.0)
#   DATADIR/asn.mmdb      compiled with `mamori geo import-asn` from the
#                         IPv4 and IPv6 CSVs of @ip-location-db/asn (CC BY 4.0)
#   DATADIR/SOURCES       package names, versions, licences and attribution
#
# Does nothing when both databases are already there (non-empty) unless
# --force. Everything is built in a temporary directory and checked with
# `mamori geo info` before it is moved into place, so a failure leaves
# DATADIR as it was. Without npm or a network the script says so and exits
# 0: geo data is optional, mamori answers "unknown" without it.
# Exit status: 0 installed, skipped or unavailable; 2 usage error.
set -uo pipefail
export LC_ALL=C

COUNTRY_PKG=@ip-location-db/geo-whois-asn-country-mmdb
ASN_PKG=@ip-location-db/asn

force=0
if [ "${1:-}" = "--force" ]; then
	force=1
	shift
fi
if [ $# -ne 2 ]; then
	echo "usage: tools/fetch-geo.sh [--force] MAMORI_BINARY DATADIR" >&2
	exit 2
fi
mamori=$1
datadir=$2
if [ ! -x "$mamori" ]; then
	echo "fetch-geo: $mamori is not an executable mamori binary" >&2
	exit 2
fi

say() { echo "fetch-geo: $*" >&2; }

if [ "$force" -eq 0 ] && [ -s "$datadir/country.mmdb" ] && [ -s "$datadir/asn.mmdb" ]; then
	say "geo data already in $datadir (--force to fetch again)"
	exit 0
fi

unavailable() {
	say "$*"
	say "geo data not installed; mamori will report country and network as unknown"
	exit 0
}

command -v npm >/dev/null 2>&1 || unavailable "npm not found (tools/deps.sh installs it: apt-get install npm)"

if ! mkdir -p "$datadir" 2>/dev/null; then
	unavailable "cannot create $datadir"
fi
# the work directory sits in DATADIR so the final moves are renames
work=$(mktemp -d "$datadir/.fetch-geo.XXXXXX") || unavailable "cannot write in $datadir"
trap 'rm -rf "$work"' EXIT
work=$(cd "$work" && pwd) || unavailable "cannot enter $work"

# npm pack PACKAGE -> prints the tarball name; -> unpacked into $work/$2
fetch() {
	local pkg=$1 dest=$2 tgz
	say "fetching $pkg"
	tgz=$(cd "$work" && timeout 600 npm pack --silent --fetch-retries=1 \
		--fetch-timeout=60000 "$pkg" 2>"$work/npm.err" | tail -n 1) || tgz=""
	if [ -z "$tgz" ] || [ ! -s "$work/$tgz" ]; then
		sed 's/^/  npm: /' "$work/npm.err" | tail -n 5 >&2
		return 1
	fi
	mkdir -p "$work/$dest" && tar -xzf "$work/$tgz" -C "$work/$dest" && rm -f "$work/$tgz"
}

fetch "$COUNTRY_PKG" country || unavailable "could not fetch $COUNTRY_PKG (no network or registry?)"
fetch "$ASN_PKG" asn || unavailable "could not fetch $ASN_PKG (no network or registry?)"

cpkg=$work/country/package
apkg=$work/asn/package
country_src=$cpkg/geo-whois-asn-country.mmdb
[ -s "$country_src" ] || unavailable "$COUNTRY_PKG holds no geo-whois-asn-country.mmdb"
v4=$apkg/asn-ipv4.csv
v6=$apkg/asn-ipv6.csv
if [ ! -s "$v4" ] || [ ! -s "$v6" ]; then
	unavailable "$ASN_PKG holds no asn-ipv4.csv / asn-ipv6.csv"
fi

cp "$country_src" "$work/country.mmdb" || unavailable "cannot copy the country database"
say "compiling asn.mmdb from $(basename "$v4") and $(basename "$v6")"
if ! cat "$v4" "$v6" | "$mamori" geo import-asn - -o "$work/asn.mmdb"; then
	unavailable "mamori geo import-asn failed on $ASN_PKG"
fi
if ! "$mamori" geo info --country-db "$work/country.mmdb" --asn-db "$work/asn.mmdb" >"$work/info" 2>&1; then
	sed 's/^/  /' "$work/info" >&2
	unavailable "the fetched databases do not open"
fi

pkgver() { sed -n 's/^[[:space:]]*"version":[[:space:]]*"\([^"]*\)".*/\1/p' "$1/package.json" | head -n 1; }
pkglic() { sed -n 's/^[[:space:]]*"license":[[:space:]]*"\([^"]*\)".*/\1/p' "$1/package.json" | head -n 1; }
{
	echo "Geo data installed by tools/fetch-geo.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo
	echo "country.mmdb"
	echo "  package: $COUNTRY_PKG $(pkgver "$cpkg") (npm registry)"
	echo "  file:    geo-whois-asn-country.mmdb, unchanged"
	echo "  licence: $(pkglic "$cpkg") (public domain dedication)"
	echo "  project: https://github.com/sapics/ip-location-db"
	echo
	echo "asn.mmdb"
	echo "  package: $ASN_PKG $(pkgver "$apkg") (npm registry)"
	echo "  files:   asn-ipv4.csv and asn-ipv6.csv, compiled by 'mamori geo import-asn'"
	echo "  licence: CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)"
	echo "           package licence field: $(pkglic "$apkg")"
	echo "  project: https://github.com/sapics/ip-location-db"
	echo "  attribution, as shipped in the package:"
	for f in ROUTEVIEWS-LICENSE DBIP-LICENSE NRO_LICENSE MODIFICATIONS; do
		[ -f "$apkg/$f" ] || continue
		echo
		echo "  --- $f"
		sed 's/^/  /' "$apkg/$f"
		echo
	done
} >"$work/SOURCES"

if ! mv -f "$work/country.mmdb" "$datadir/country.mmdb" ||
	! mv -f "$work/asn.mmdb" "$datadir/asn.mmdb" ||
	! mv -f "$work/SOURCES" "$datadir/SOURCES"; then
	unavailable "cannot move the databases into $datadir"
fi
say "installed in $datadir: $("$mamori" geo info --country-db "$datadir/country.mmdb" \
	--asn-db "$datadir/asn.mmdb" 2>&1)"
