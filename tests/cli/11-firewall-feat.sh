#!/bin/bash
# SPDX-License-Identifier: MIT
# mamori firewall without touching the kernel (null backend): application
# profiles (app list / app info, rules naming them, the rules file).
. "$(dirname "$0")/lib.sh"

R="$TMP/fw.rules"
export MAMORI_FW_RULES="$R" MAMORI_FW_BACKEND=null MAMORI_APPS_DIRS="$MM_SRCDIR/data/apps:$TMP/apps.d"
unset SSH_CONNECTION
fw() { "$MAMORI" firewall "$@"; }
mkdir "$TMP/apps.d"

# --- application profiles ---
expect_rc 0 fw app list
head -n 1 "$TMP/out" | grep -qx 'Available applications:' && ok "app list header" || fail "app list: $(cat "$TMP/out")"
for name in OpenSSH 'Nginx Full' 'Apache Secure' 'Postfix Submission' 'Dovecot Secure IMAP' Bind9 Asterisk; do
	grep -qx "  $name" "$TMP/out" && ok "app list has $name" || fail "app list lacks $name"
done
expect_rc 0 fw app info 'Nginx Full'
cat >"$TMP/want" <<'W'
Profile: Nginx Full
Title: Web server (nginx, HTTP and HTTPS)

Description: nginx serving HTTP and HTTPS, including QUIC (HTTP/3).

Ports:
  80,443/tcp
  443/udp
W
diff -u "$TMP/want" "$TMP/out" >&2 && ok "app info 'Nginx Full'" || fail "app info differs"
expect_rc 0 fw app info Nginx Full
diff -u "$TMP/want" "$TMP/out" >&2 && ok "app info with the name in two words" || fail "app info two words"
expect_rc 2 fw app info Nope
grep -q "unknown application profile 'Nope'" "$TMP/err" && ok "unknown profile named" || fail "app info Nope: $(cat "$TMP/err")"

# a local profile overrides the shipped one of the same name
printf '[OpenSSH]\ntitle=sshd on a second port\nports=22,2222/tcp\n' >"$TMP/apps.d/ssh"
expect_rc 0 fw app info OpenSSH
grep -qx '  22,2222/tcp' "$TMP/out" && ok "local profile overrides" || fail "override: $(cat "$TMP/out")"

expect_rc 0 fw allow OpenSSH
expect_rc 0 fw allow from 192.0.2.0/24 to any app 'Nginx Full'
expect_rc 0 fw limit "Dovecot Secure IMAP" comment 'mail users'
expect_rc 0 fw allow OpenSSH
grep -q 'Skipping' "$TMP/out" && ok "duplicate application rule skipped" || fail "duplicate not skipped"
grep -qx 'allow OpenSSH' "$R" && grep -qx 'allow from 192.0.2.0/24 to any app "Nginx Full"' "$R" &&
	grep -qx 'limit "Dovecot Secure IMAP" comment "mail users"' "$R" &&
	ok "rules file stores profile names" || fail "rules file: $(cat "$R")"
expect_rc 0 fw show
grep -q 'tcp dport { 22, 2222 } counter accept' "$TMP/out" && ok "show renders the (local) profile's ports" ||
	fail "show OpenSSH"
grep -q 'ip saddr 192.0.2.0/24 udp dport 443 counter accept' "$TMP/out" &&
	ok "show renders each part of a profile" || fail "show Nginx Full"
expect_rc 2 fw allow Nope
grep -q "unknown service or app profile 'Nope'" "$TMP/err" && ok "unknown profile refused" || fail "allow Nope"
expect_rc 2 fw allow to any app OpenSSH port 22
expect_rc 0 fw delete allow OpenSSH
grep -qx 'allow OpenSSH' "$R" && fail "delete by rule left it" || ok "delete an application rule"

# a hand-edited file naming an unknown profile: file and line, nothing changes
echo 'allow Gone' >>"$R"
cp "$R" "$TMP/before"
expect_rc 3 fw allow 80/tcp
grep -q "fw.rules:$(wc -l <"$R"): unknown service or app profile 'Gone'" "$TMP/err" &&
	ok "unknown profile in the rules file: file:line" || fail "unknown in file: $(cat "$TMP/err")"
cmp -s "$R" "$TMP/before" && ok "rules file unchanged" || fail "rules file changed"
sed -i '/^allow Gone$/d' "$R"

# a broken profile file: app commands fail with file:line, rules still work
printf '[Bad]\ntitle=x\nports=22/icmp\n' >"$TMP/apps.d/bad"
expect_rc 3 fw app list
grep -q "apps.d/bad:3: bad protocol 'icmp' in ports (tcp or udp)" "$TMP/err" &&
	ok "broken profile: file:line" || fail "broken profile: $(cat "$TMP/err")"
expect_rc 0 fw status
rm "$TMP/apps.d/bad"

finish
