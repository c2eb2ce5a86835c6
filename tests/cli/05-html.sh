#!/usr/bin/env bash
# logs --html: the page is written next to the JSON report, parses, fetches
# nothing, renders to a non-blank screenshot in headless Chromium, and its
# DOM holds the same numbers as the JSON report.
. "$(dirname "$0")/lib.sh"

CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
	echo "SKIP: chromium is not installed (apt-get install chromium)"
	exit 77
fi

# no geo data here: the page must say so (a run with data follows at the end)
mkdir -p "$TMP/nogeo"
export MAMORI_GEO_DIR=$TMP/nogeo
H=$TMP/report.html
expect_rc 1 "$MAMORI" logs --html "$H" --json --year 2026 "$EX/kern.log" "$EX/auth.log"
cp "$TMP/out" "$TMP/report.json"
R=$TMP/report.json
check "--json still goes to stdout" '.findings | length > 0' "$R"
[ -s "$H" ] && ok "HTML written" || fail "no HTML at $H"
[ ! -e "$H.tmp" ] && ok "no temporary file left" || fail "$H.tmp left behind"

# well formed enough: elements close in order; nothing external
python3 - "$H" <<'EOF' && ok "tags balance, nothing external" || fail "HTML structure (see above)"
import re, sys
from html.parser import HTMLParser

VOID = {"meta", "br", "hr", "img", "input", "link", "wbr"}
# SVG leaves written as <x .../> are handled by handle_startendtag
class P(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.errors, self.bad = [], [], []
    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in ("src", "href", "action", "xlink:href") and v and not v.startswith("#"):
                self.bad.append((tag, k, v))
        if tag == "script":
            self.bad.append((tag, "", ""))
        if tag not in VOID:
            self.stack.append(tag)
    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append((tag, self.stack[-3:], self.getpos()))
        else:
            self.stack.pop()

s = open(sys.argv[1], encoding="utf-8").read()
p = P()
p.feed(s)
p.close()
if p.errors or p.stack:
    print("unbalanced:", p.errors[:3], p.stack[-3:])
    sys.exit(1)
if p.bad or re.search(r"url\(\s*['\"]?(https?:)?//|@import", s):
    print("external reference or script:", p.bad[:3])
    sys.exit(1)
for id_ in ("chart-timeline", "chart-findings-time", "chart-ports", "timeline-legend",
            "findings-table", "sources-table"):
    if f'id="{id_}"' not in s:
        print("missing", id_)
        sys.exit(1)
if not re.search(r'<svg id="chart-timeline" role="img"[^>]*><title', s):
    print("timeline chart lacks role/title")
    sys.exit(1)
EOF

# the same page in a real browser, offline
PROFILE=$(mktemp -d "$TMP/chromium.XXXXXX")
chrome() {
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$PROFILE" "$@" 2>>"$TMP/chromium.log"
}
chrome --screenshot="$TMP/shot.png" --window-size=1280,3000 "file://$H" >/dev/null || true
chrome --dump-dom "file://$H" >"$TMP/dom.html" || true
[ -s "$TMP/shot.png" ] && ok "screenshot taken" || fail "no screenshot: $(tail -n 3 "$TMP/chromium.log")"
[ -s "$TMP/dom.html" ] && ok "DOM dumped" || fail "no DOM: $(tail -n 3 "$TMP/chromium.log")"

# not blank: many colours, a fair share of non-white pixels (PNG decoded by hand)
python3 - "$TMP/shot.png" <<'EOF' && ok "screenshot is not blank" || fail "screenshot looks blank"
import struct, sys, zlib

d = open(sys.argv[1], "rb").read()
assert d[:8] == b"\x89PNG\r\n\x1a\n"
i, idat = 8, b""
while i < len(d):
    n, = struct.unpack(">I", d[i:i + 4])
    t, c = d[i + 4:i + 8], d[i + 8:i + 8 + n]
    i += 12 + n
    if t == b"IHDR":
        w, h, depth, ctype = struct.unpack(">IIBB", c[:10])
    elif t == b"IDAT":
        idat += c
bpp = {2: 3, 6: 4}[ctype]
assert depth == 8
raw, stride = zlib.decompress(idat), w * bpp
prev, o, colours, nonwhite = bytearray(stride), 0, set(), 0
for y in range(h):
    f, line = raw[o], bytearray(raw[o + 1:o + 1 + stride])
    o += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b = prev[x]
        cc = prev[x - bpp] if x >= bpp else 0
        if f == 1:
            line[x] = (line[x] + a) & 255
        elif f == 2:
            line[x] = (line[x] + b) & 255
        elif f == 3:
            line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - cc
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - cc)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else cc)) & 255
    prev = line
    if y % 4:
        continue
    for x in range(0, w, 2):
        px = bytes(line[x * bpp:x * bpp + 3])
        colours.add(px)
        if px != b"\xff\xff\xff":
            nonwhite += 1
share = nonwhite / ((h + 3) // 4 * ((w + 1) // 2))
print(f"{w}x{h}, {len(colours)} colours, {share:.0%} not white")
sys.exit(0 if len(colours) >= 40 and share > 0.10 else 1)
EOF

# the DOM holds the report's numbers
dom_has() {
	if grep -qF -- "$2" "$TMP/dom.html"; then ok "DOM: $1"; else fail "DOM lacks $1: $2"; fi
}
fmt() { python3 -c 'import sys; print(f"{int(sys.argv[1]):,}")' "$1"; }
first=$(jq -r '.period.first' "$R")
last=$(jq -r '.period.last' "$R")
nfind=$(jq -r '.findings | length' "$R")
src=$(jq -r '.top_sources[0].src' "$R")
events=$(jq -r '.top_sources[0].events' "$R")
packets=$(jq -r '.events.packet' "$R")
service=$(jq -r '[.timeline.series[] | select(.service)][0].service' "$R")
sname=$(jq -r '[.timeline.series[] | select(.service)][0].name' "$R")
dom_has "period start" ">$first</time>"
dom_has "period end" ">$last</time>"
dom_has "number of findings" "data-key=\"findings\" data-value=\"$nfind\">$nfind<"
dom_has "top source" "<span data-key=\"src\">$src</span>"
dom_has "top source events" "data-key=\"events\" data-value=\"$events\">$(fmt "$events")</td>"
dom_has "packets with separators" "data-value=\"$packets\">$(fmt "$packets")</span>"
dom_has "timeline service name" "$sname $service"
dom_has "timeline units" "packets per day"
dom_has "no geo note" "geo data unavailable"
# the top source's events follow its address in the sources table
python3 - "$TMP/dom.html" "$src" "$(fmt "$events")" <<'EOF' && ok "DOM: top source row" || fail "top source row"
import re, sys
s, src, ev = open(sys.argv[1]).read(), sys.argv[2], sys.argv[3]
t = s[s.index('id="sources-table"'):]
row = re.search(r"<tr>(.*?)</tr>", t[t.index("<tbody>"):], re.S).group(1)
sys.exit(0 if src in row and f">{ev}</td>" in row else 1)
EOF

# alongside --findings, and a useful error when the file cannot be written
expect_rc 1 "$MAMORI" logs --html "$TMP/f.html" --findings --year 2026 "$EX/kern.log"
[ -s "$TMP/f.html" ] && [ "$(wc -l <"$TMP/out")" -gt 0 ] && ok "--html with --findings" ||
	fail "--html with --findings"
expect_rc 4 "$MAMORI" logs --html "$TMP/no/such/dir/r.html" --year 2026 "$EX/auth.log"
grep_err "no/such/dir/r.html"

# with the tree's geo data (tools/fetch-geo.sh), the country chart and the
# data licences show; the page still fetches nothing
GEO=$MM_SRCDIR/data/geo
if [ -s "$GEO/country.mmdb" ]; then
	expect_rc 1 "$MAMORI" logs --geo-dir "$GEO" --html "$TMP/g.html" --json --year 2026 \
		"$EX/kern.log" "$EX/auth.log"
	cp "$TMP/out" "$TMP/g.json"
	python3 - "$TMP/g.html" "$TMP/g.json" <<'EOF' && ok "geo sections match the JSON" ||
import html, json, re, sys
s, r = open(sys.argv[1]).read(), json.load(open(sys.argv[2]))
e = r.get("enrichment") or {}
if not e.get("geo"):
    sys.exit(0)
assert '<svg id="chart-countries" role="img"' in s, "no country chart"
c = e["countries"][0]
assert f'data-label="{c["key"]}" data-value="{c["sources"]}"' in s, "top country"
assert "geo data unavailable" not in s
if e.get("attribution"):
    assert e["attribution"] in html.unescape(s), "attribution"
assert not re.search(r'(src|href)="(https?:)?//', s), "external reference"
EOF
		fail "geo sections match the JSON"
else
	ok "no data/geo in the tree: geo page not checked"
fi
finish
