#!/bin/bash
# SPDX-License-Identifier: MIT
#
# audit-exposure.sh MAMORI
#
# mamori audit --only firewall,exposure inside a network namespace of its
# own: real listeners (python3 sockets) on public and loopback addresses,
# then nftables rulesets loaded in the namespace that restrict them or not.
# Exits 77 (skip) only when not root or namespaces are unavailable.
set -u
mamori=${1:?usage: audit-exposure.sh MAMORI}
skip() {
	echo "SKIP: $*" >&2
	exit 77
}
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
for c in ip nft python3 jq openssl; do command -v "$c" >/dev/null || skip "no $c"; done
ns=mm-audit-$$
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mamori-audit-ns.XXXXXX")
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
	ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
ip netns add "$ns" || skip "cannot create a network namespace"
ip -n "$ns" link set lo up
ip -n "$ns" link add d0 type veth peer name d1 && ip -n "$ns" link set d0 up && ip -n "$ns" link set d1 up &&
	ip -n "$ns" addr add 198.51.100.7/24 dev d0 || skip "no veth"
fails=0
fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}
ok() { echo "ok: $*"; }

cat >"$tmp/listen.py" <<'EOF2'
import socket, sys, time
socks = []
for spec in sys.argv[1:]:
    proto, fam, addr, port = spec.split(",")
    s = socket.socket(socket.AF_INET6 if fam == "6" else socket.AF_INET,
                      socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM)
    if fam == "6":
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, int(port)))
    if proto == "tcp":
        s.listen(4)
    socks.append(s)
open(sys.argv[0] + ".ready", "w").close()
time.sleep(300)
EOF2
ip netns exec "$ns" python3 "$tmp/listen.py" tcp,4,0.0.0.0,6379 tcp,4,127.0.0.1,5432 \
	tcp,6,::,3306 udp,4,0.0.0.0,5060 tcp,4,0.0.0.0,8080 tcp,4,198.51.100.7,11211 &
listeners=$!
pids="$pids $!"
for _ in $(seq 50); do
	[ -e "$tmp/listen.py.ready" ] && break
	sleep 0.1
done
[ -e "$tmp/listen.py.ready" ] || skip "listeners did not start"

run() { # run ONLY OUT: audit inside the namespace
	ip netns exec "$ns" "$mamori" audit --only "$1" --json --fail-on none >"$2" 2>"$2.err" ||
		fail "mamori audit --only $1 exited $?: $(head -c 300 "$2.err")"
}
check() {
	if [ "$(jq -e "$2" "$3" 2>&1)" = true ]; then ok "$1"; else
		fail "$1 ($2 on $(head -c 600 "$3"))"
	fi
}
ports='[.findings[] | select(.id == "EXP-RISKY-SERVICE") | .evidence | capture(":(?<p>[0-9]+)").p | tonumber] | sort'

# no ruleset: every public risky listener is exposed
run exposure "$tmp/1.json"
check "public risky listeners found (6379, 3306 v6, 5060 udp, 11211)" "$ports == [3306,5060,6379,11211]" "$tmp/1.json"
check "owning process named" '.findings[0].evidence | test("by python3\\[[0-9]+\\]")' "$tmp/1.json"
check "udp listener says udp" '[.findings[].evidence | select(startswith("SIP on udp 0.0.0.0:5060"))] | length == 1' "$tmp/1.json"
check "IPv6 address in brackets" '[.findings[].evidence | select(contains("tcp [::]:3306"))] | length == 1' "$tmp/1.json"
run firewall,exposure "$tmp/2.json"
check "empty ruleset: FW-NO-RULESET" '[.findings[] | select(.id == "FW-NO-RULESET")] | length == 1' "$tmp/2.json"

# inet table, input policy drop, ssh allowed: both families closed, nothing exposed
ip netns exec "$ns" nft -f - <<'EOF2'
table inet filter {
	chain input {
		type filter hook input priority 0; policy drop;
		ct state established,related accept
		iif lo accept
		tcp dport 22 accept
	}
}
EOF2
run firewall,exposure "$tmp/3.json"
check "inet drop policy: no firewall findings, nothing exposed" '.findings == []' "$tmp/3.json"

# the same, but Redis opened in the firewall
ip netns exec "$ns" nft add rule inet filter input tcp dport '{ 6379, 8080 }' accept
run firewall,exposure "$tmp/4.json"
check "port accepted by the firewall is exposed again" "$ports == [6379]" "$tmp/4.json"

# IPv4-only ruleset ending in reject: IPv6 open, so the IPv6 listener is exposed
ip netns exec "$ns" nft flush ruleset
ip netns exec "$ns" nft -f - <<'EOF2'
table ip filter {
	chain input {
		type filter hook input priority 0; policy accept;
		iif lo accept
		tcp dport 22 accept
		reject
	}
}
EOF2
run firewall,exposure "$tmp/5.json"
check "ip-only ruleset: FW-IPV6-OPEN" '[.findings[].id] | index("FW-IPV6-OPEN") != null' "$tmp/5.json"
check "ip-only ruleset: only the IPv6 listener exposed" "$ports == [3306]" "$tmp/5.json"

# accept-by-default ruleset
ip netns exec "$ns" nft flush ruleset
ip netns exec "$ns" nft add table inet t
ip netns exec "$ns" nft add chain inet t input '{ type filter hook input priority 0; policy accept; }'
run firewall "$tmp/6.json"
check "accept policy: FW-INPUT-OPEN" '[.findings[].id] == ["FW-INPUT-OPEN"]' "$tmp/6.json"

# TLS of local listeners, one server per TLS port, each with certificates
# made here. Failing and passing fixtures:
#   8443 self-signed EC, expires in 5 days, TLS 1.0-1.3 (old protocol)
#   443  the same certificate, TLS 1.3 only (no old protocol)
#   465  leaf from the test CA, RSA 2048, this host's name, a year: clean when
#        the test CA is the trust store, untrusted against the system store
#   636  leaf from the test CA for another name (name mismatch)
#   853  leaf from the test CA with a 1024-bit RSA key (weak key)
#   995  leaf from the test CA that expired in 2021 (expired)
#   993  a listener that accepts and never speaks (a note, not a hang)
# The audit runs with its own UTS namespace, host name mamori-test.example.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 5 \
	-subj /CN=mamori-test -keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null || skip "openssl req failed"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
	-subj /CN=mamori-test-ca -keyout "$tmp/ca.key" -out "$tmp/ca.pem" 2>/dev/null || skip "openssl req (CA) failed"
mkdir "$tmp/db" && touch "$tmp/db/index" && echo 01 >"$tmp/db/serial"
cat >"$tmp/ca.cnf" <<EOF2
[ca]
default_ca = c
[c]
database = $tmp/db/index
new_certs_dir = $tmp/db
serial = $tmp/db/serial
default_md = sha256
policy = p
unique_subject = no
[p]
commonName = supplied
[ext]
subjectAltName = \$ENV::SAN
basicConstraints = CA:false
EOF2
leaf() { # leaf NAME KEYSPEC SAN CA-ARGS...: $tmp/NAME.key and $tmp/NAME.pem signed by the test CA
	local n=$1 spec=$2 san=$3
	shift 3
	# shellcheck disable=SC2086
	openssl req -newkey $spec -nodes -subj "/CN=$n" -keyout "$tmp/$n.key" -out "$tmp/$n.csr" 2>/dev/null &&
		SAN=$san openssl ca -batch -config "$tmp/ca.cnf" -cert "$tmp/ca.pem" -keyfile "$tmp/ca.key" \
			-in "$tmp/$n.csr" -out "$tmp/$n.pem" -extensions ext -notext "$@" >/dev/null 2>&1 ||
		skip "openssl ca ($n) failed"
}
leaf good rsa:2048 DNS:mamori-test.example -days 365
leaf wrongname "ec -pkeyopt ec_paramgen_curve:P-256" DNS:wrong.example -days 365
leaf shortkey rsa:1024 DNS:mamori-test.example -days 365
leaf expired "ec -pkeyopt ec_paramgen_curve:P-256" DNS:mamori-test.example \
	-startdate 20200101000000Z -enddate 20210101000000Z
serve() { # serve PORT CERT KEY ARGS...
	local port=$1 cert=$2 key=$3
	shift 3
	ip netns exec "$ns" openssl s_server -quiet -accept "$port" -cert "$cert" -key "$key" \
		"$@" </dev/null >/dev/null 2>&1 &
	pids="$pids $!"
}
serve 8443 "$tmp/cert.pem" "$tmp/key.pem" -cipher 'DEFAULT:@SECLEVEL=0'
serve 443 "$tmp/cert.pem" "$tmp/key.pem" -tls1_3
serve 465 "$tmp/good.pem" "$tmp/good.key" -cert_chain "$tmp/ca.pem" -no_tls1 -no_tls1_1
serve 636 "$tmp/wrongname.pem" "$tmp/wrongname.key" -no_tls1 -no_tls1_1
serve 853 "$tmp/shortkey.pem" "$tmp/shortkey.key" -cipher 'DEFAULT:@SECLEVEL=0' -no_tls1 -no_tls1_1
serve 995 "$tmp/expired.pem" "$tmp/expired.key" -no_tls1 -no_tls1_1
rm -f "$tmp/listen.py.ready"
ip netns exec "$ns" python3 "$tmp/listen.py" tcp,4,127.0.0.1,993 &
pids="$pids $!"
for _ in $(seq 50); do
	l=$(ip netns exec "$ns" ss -Hltn)
	up=0
	for p in 8443 443 465 636 853 995; do grep -q ":$p " <<<"$l" && up=$((up + 1)); done
	[ -e "$tmp/listen.py.ready" ] && [ "$up" = 6 ] && break
	sleep 0.1
done
tlsaudit() { # tlsaudit OUT [VAR=VALUE...]: audit --only tls as host mamori-test.example
	local out=$1
	shift
	ip netns exec "$ns" unshare --uts env "$@" sh -c 'hostname mamori-test.example && exec "$0" "$@"' \
		"$mamori" audit --only tls --json --fail-on none --timeout 700 >"$out" 2>"$out.err" ||
		fail "audit --only tls: $(cat "$out.err")"
}
start=$(date +%s)
tlsaudit "$tmp/7.json" SSL_CERT_FILE="$tmp/ca.pem"
[ $(($(date +%s) - start)) -lt 8 ] && ok "a silent listener did not hang the TLS probe" || fail "TLS probe hung"
tlsports() { echo "([.findings[] | select(.id == \"$1\") | .evidence | capture(\":(?<p>[0-9]+)\").p | tonumber] | sort)"; }
check "expiring certificate on both self-signed servers" "$(tlsports TLS-CERT-EXPIRING) == [443,8443]" "$tmp/7.json"
check "self-signed on both" "$(tlsports TLS-CERT-SELF-SIGNED) == [443,8443]" "$tmp/7.json"
check "TLS 1.0/1.1 accepted only on 8443" "$(tlsports TLS-OLD-PROTOCOL) == [8443]" "$tmp/7.json"
check "expired only on 995" "$(tlsports TLS-CERT-EXPIRED) == [995]" "$tmp/7.json"
check "weak key only on 853, with its size" \
	"$(tlsports TLS-KEY-WEAK) == [853] and ([.findings[] | select(.id == \"TLS-KEY-WEAK\") | .evidence | contains(\"RSA 1024 bits\")] == [true])" "$tmp/7.json"
check "name mismatch only on 636 (self-signed ones have no name: 443, 8443)" \
	"$(tlsports TLS-CERT-NAME) == [443,636,8443] and ([.findings[] | select(.id == \"TLS-CERT-NAME\" and (.evidence | contains(\":636\"))) | .evidence | contains(\"wrong.example\") and contains(\"mamori-test.example\")] == [true])" "$tmp/7.json"
check "chains from the trusted test CA verify (expired one included)" "$(tlsports TLS-CERT-UNTRUSTED) == []" "$tmp/7.json"
check "the good server on 465 has no finding" '[.findings[] | select(.evidence | contains(":465"))] == []' "$tmp/7.json"
check "silent 993 is a note" '[.notes[] | select(.text | contains(":993"))] | length == 1' "$tmp/7.json"
tlsaudit "$tmp/8.json" SSL_CERT_FILE=/nonexistent/ca.pem SSL_CERT_DIR=/nonexistent
check "against a trust store without the test CA: untrusted chains" \
	"$(tlsports TLS-CERT-UNTRUSTED) == [465,636,853,995]" "$tmp/8.json"
check "untrusted evidence says why" \
	'[.findings[] | select(.id == "TLS-CERT-UNTRUSTED") | .evidence | select(test("unable to get local issuer certificate|self-signed certificate in certificate chain"))] | length == 4' "$tmp/8.json"

# Plain HTTP: 0.0.0.0:80 serves a page (python3 -m http.server), 0.0.0.0:8080
# first accepts and stays silent (the listener from above: a note), then
# redirects to https:// (the passing fixture).
mkdir -p "$tmp/www"
echo '<html>hello</html>' >"$tmp/www/index.html"
ip netns exec "$ns" python3 -m http.server --bind 0.0.0.0 --directory "$tmp/www" 80 >/dev/null 2>&1 &
pids="$pids $!"
for _ in $(seq 50); do
	ip netns exec "$ns" ss -Hltn | grep -q '0.0.0.0:80 ' && break
	sleep 0.1
done
tlsaudit "$tmp/9.json" SSL_CERT_FILE="$tmp/ca.pem"
check "port 80 serving content: TLS-HTTP-NO-REDIRECT with status, Host and server" \
	'[.findings[] | select(.id == "TLS-HTTP-NO-REDIRECT") | .evidence | test("^0\\.0\\.0\\.0:80: GET / \\(Host: mamori-test\\.example\\) answered 200 OK \\(Server: SimpleHTTP/[^)]*\\), no redirect to https://$")] == [true]' "$tmp/9.json"
check "silent HTTP listener on 8080 is a note" \
	'[.notes[] | select(.text == "0.0.0.0:8080: no HTTP answer within the timeout")] | length == 1' "$tmp/9.json"
cat >"$tmp/redirect.py" <<'EOF2'
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(301)
        self.send_header("Location", "https://%s%s" % (self.headers.get("Host", "x"), self.path))
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *a):
        pass
http.server.HTTPServer(("0.0.0.0", int(sys.argv[1])), H).serve_forever()
EOF2
kill "$listeners" && wait "$listeners" 2>/dev/null
ip netns exec "$ns" python3 "$tmp/redirect.py" 8080 &
pids="$pids $!"
for _ in $(seq 50); do
	ip netns exec "$ns" ss -Hltn | grep -q '0.0.0.0:8080 ' && break
	sleep 0.1
done
tlsaudit "$tmp/10.json" SSL_CERT_FILE="$tmp/ca.pem"
check "port 8080 redirecting to https:// passes" \
	'[.findings[], .notes[] | select(tostring | contains(":8080"))] == []' "$tmp/10.json"
check "port 80 still flagged" '[.findings[] | select(.id == "TLS-HTTP-NO-REDIRECT")] | length == 1' "$tmp/10.json"

# Ports and names from the web server's configuration: a copy of /etc with
# an nginx configuration is mounted over /etc for the audit only. nginx
# says 9000 is plain HTTP (serving a page: flagged) and 9001 is TLS for
# shop.example.net (a certificate for that name passes the name check,
# though this host is mamori-test.example, and TLS 1.0 is still offered
# there, which shows it was probed); neither port is in
# data/audit-ports.tsv. 9002 is TLS for three sites, each asked for by
# name (SNI): shop.example.net gets the default certificate, which covers
# it; blog.example.net gets its own certificate, expired; old.example.net
# gets the default one, which does not cover it.
cp -a /etc "$tmp/etc"
mkdir -p "$tmp/etc/nginx/sites-enabled"
printf 'user www-data;\nhttp { include /etc/nginx/sites-enabled/*; }\n' >"$tmp/etc/nginx/nginx.conf"
cat >"$tmp/etc/nginx/sites-enabled/shop" <<'EOF2'
server { listen 9000; listen [::]:9000; server_name shop.example.net; return 301 https://$host$request_uri; }
server { listen 9001 ssl http2; server_name shop.example.net; root /srv/shop; }
server { listen 9002 ssl; server_name shop.example.net blog.example.net old.example.net; }
EOF2
leaf shop "ec -pkeyopt ec_paramgen_curve:P-256" DNS:shop.example.net -days 365
leaf blog "ec -pkeyopt ec_paramgen_curve:P-256" DNS:blog.example.net \
	-startdate 20200101000000Z -enddate 20210101000000Z
serve 9001 "$tmp/shop.pem" "$tmp/shop.key" -cipher 'DEFAULT:@SECLEVEL=0'
serve 9002 "$tmp/shop.pem" "$tmp/shop.key" -no_tls1 -no_tls1_1 \
	-servername blog.example.net -cert2 "$tmp/blog.pem" -key2 "$tmp/blog.key"
ip netns exec "$ns" python3 -m http.server --bind 0.0.0.0 --directory "$tmp/www" 9000 >/dev/null 2>&1 &
pids="$pids $!"
for _ in $(seq 50); do
	l=$(ip netns exec "$ns" ss -Hltn)
	grep -q ':9000 ' <<<"$l" && grep -q ':9001 ' <<<"$l" && grep -q ':9002 ' <<<"$l" && break
	sleep 0.1
done
ip netns exec "$ns" unshare --uts --mount env SSL_CERT_FILE="$tmp/ca.pem" sh -c \
	'mount --bind "$1" /etc && hostname mamori-test.example && exec "$2" audit --only tls --json --fail-on none --timeout 700' \
	sh "$tmp/etc" "$mamori" >"$tmp/11.json" 2>"$tmp/11.err" || fail "audit with nginx config: $(cat "$tmp/11.err")"
check "nginx listen 9000 (plain): probed and flagged" \
	'[.findings[] | select(.id == "TLS-HTTP-NO-REDIRECT") | .evidence | select(startswith("0.0.0.0:9000: GET / (Host: mamori-test.example)"))] | length == 1' "$tmp/11.json"
check "nginx listen 9001 ssl: probed (old protocol), and its server_name matches the certificate" \
	'([.findings[] | select(.evidence | contains(":9001")) | .id] == ["TLS-OLD-PROTOCOL"]) and ([.notes[] | select(.text | contains(":9001"))] == [])' "$tmp/11.json"
check "9002: the site with its own (expired) certificate is judged under its name" \
	'[.findings[] | select(.evidence | contains(":9002")) | select(.id == "TLS-CERT-EXPIRED") | .evidence | test(":9002 \\(blog\\.example\\.net\\): /CN=blog expired [0-9]+ days ago$")] == [true]' "$tmp/11.json"
check "9002: the site the default certificate does not cover is a name finding, the covered one is not" \
	'[.findings[] | select(.evidence | contains(":9002")) | select(.id == "TLS-CERT-NAME") | .evidence] as $e | ($e | length == 1) and ($e[0] | contains(":9002 (old.example.net): asked for old.example.net, got a certificate for shop.example.net"))' "$tmp/11.json"
check "9002: nothing else (the default certificate is judged once)" \
	'[.findings[] | select(.evidence | contains(":9002")) | .id] | sort == ["TLS-CERT-EXPIRED","TLS-CERT-NAME"]' "$tmp/11.json"
check "configured names are among the names tried" \
	'[.findings[] | select(.id == "TLS-CERT-NAME") | .evidence | select(contains(":636"))] | .[0] | contains("shop.example.net")' "$tmp/11.json"

# timing: the whole (live) audit in this namespace
start=$(date +%s%N)
ip netns exec "$ns" "$mamori" audit --fail-on none >/dev/null 2>&1
echo "full audit in the namespace: $((($(date +%s%N) - start) / 1000000)) ms"
[ "$fails" = 0 ] || exit 1
