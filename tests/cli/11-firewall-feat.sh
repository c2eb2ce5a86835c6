#!/bin/bash
# SPDX-License-Identifier: MIT
# mamori firewall without touching the kernel (null backend): application
# profiles (app list / app info, rules naming them, the rules file),
# blocklist feeds (load, list, drop, the feed files, bad input), routed
# rules and ufw's status table.
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
expect_rc 3 fw app update 'Nginx Full'
grep -q "apps.d/bad:3: bad protocol 'icmp' in ports (tcp or udp); nothing changed" "$TMP/err" &&
	ok "app update checks every profile file first" || fail "app update broken: $(cat "$TMP/err")"
rm "$TMP/apps.d/bad"

# --- app update and app default (ufw's habits) ---
cp "$R" "$TMP/before"
expect_rc 0 fw app update 'Nginx Full'
grep -qx 'Rules using Nginx Full:' "$TMP/out" &&
	grep -qx '  \[ 1\] allow from 192.0.2.0/24 to any app "Nginx Full"' "$TMP/out" &&
	grep -q 'not enabled' "$TMP/out" && ok "app update lists the rules naming the profile" ||
	fail "app update: $(cat "$TMP/out")"
cmp -s "$R" "$TMP/before" && ok "app update leaves the rules file alone" || fail "app update rewrote the rules file"
expect_rc 0 fw app update all
grep -qx '  \[ 2\] limit "Dovecot Secure IMAP" comment "mail users"' "$TMP/out" &&
	ok "app update all: every application rule" || fail "app update all: $(cat "$TMP/out")"
expect_rc 0 fw app update Redis
grep -qx 'No rule names profile Redis; nothing to update' "$TMP/out" && ok "app update of an unused profile" ||
	fail "unused: $(cat "$TMP/out")"
expect_rc 2 fw app update Nope
grep_err "unknown application profile 'Nope'"
expect_rc 2 fw app update
expect_rc 2 fw app update --add-new all
expect_rc 0 fw app update --add-new Redis
grep -q 'new profiles are skipped' "$TMP/out" && ! grep -q Redis "$R" && ok "app default skip: no rule added" ||
	fail "--add-new with skip: $(cat "$TMP/out")"
expect_rc 0 fw status verbose
grep -qx 'New profiles: skip' "$TMP/out" && ok "status verbose: new profiles skip" || fail "status verbose: $(cat "$TMP/out")"
expect_rc 2 fw app default maybe
expect_rc 0 fw app default reject
grep -qx "Default application policy changed to 'reject'" "$TMP/out" && grep -qx 'app default reject' "$R" &&
	ok "app default kept in the rules file" || fail "app default: $(cat "$TMP/out"; cat "$R")"
expect_rc 0 fw --dry-run app update --add-new Redis
grep -q '^reject Redis$' "$TMP/out" && ! grep -q Redis "$R" && ok "--dry-run app update --add-new" ||
	fail "dry-run --add-new: $(cat "$TMP/out")"
expect_rc 0 fw app update --add-new Redis
grep -qx 'reject Redis' "$R" && grep -q 'Rule added: reject Redis' "$TMP/out" &&
	ok "app update --add-new adds the app default rule" || fail "--add-new: $(cat "$TMP/out"; cat "$R")"
expect_rc 0 fw app update --add-new Redis
grep -c '^reject Redis$' "$R" | grep -qx 1 && ok "--add-new adds nothing when a rule names the profile" ||
	fail "--add-new twice: $(cat "$R")"
expect_rc 0 fw delete reject Redis
expect_rc 0 fw app default skip
grep -q '^app default' "$R" && fail "app default skip still written" || ok "app default skip is the default"
# a changed profile that would lock out the SSH client: refused like any change
expect_rc 0 fw allow OpenSSH
expect_rc 0 fw enable
printf '[OpenSSH]\ntitle=sshd moved\nports=2222/tcp\n' >"$TMP/apps.d/ssh"
rc=0
SSH_CONNECTION="203.0.113.5 50000 192.0.2.1 22" "$MAMORI" firewall app update OpenSSH >"$TMP/out" 2>&1 || rc=$?
[ "$rc" = 1 ] && grep -q "would lock out" "$TMP/out" && ok "app update refuses to lock out the SSH client" ||
	fail "app update lockout: exit $rc: $(cat "$TMP/out")"
expect_rc 0 fw --confirm 60 app update OpenSSH
grep -q "Run 'mamori firewall confirm'" "$TMP/out" && ok "app update --confirm" || fail "app update --confirm: $(cat "$TMP/out")"
expect_rc 0 fw rollback
expect_rc 0 fw disable
expect_rc 0 fw delete allow OpenSSH
printf '[OpenSSH]\ntitle=sshd on a second port\nports=22,2222/tcp\n' >"$TMP/apps.d/ssh"

# --- blocklist feeds ---
F="$R.feeds"
printf '# feed\n192.0.2.0/24\n192.0.2.9\n198.51.100.7 ; SBL1\n\n2001:db8::/32\n' >"$TMP/feed"
expect_rc 0 fw --dry-run blocklist load spam "$TMP/feed"
grep -q 'would load feed spam: 2 IPv4 and 1 IPv6 prefixes from 4 lines' "$TMP/out" &&
	ok "dry-run load" || fail "dry-run load: $(cat "$TMP/out")"
[ ! -e "$F/spam" ] && ok "dry-run wrote no feed file" || fail "dry-run wrote the feed"
expect_rc 0 fw blocklist load spam "$TMP/feed"
printf '# mamori blocklist feed spam: 2 IPv4 and 1 IPv6 prefixes\n192.0.2.0/24\n198.51.100.7\n2001:db8::/32\n' >"$TMP/want"
cmp -s "$TMP/want" "$F/spam" && ok "feed file holds the merged prefixes" || fail "feed file: $(cat "$F/spam")"
expect_rc 0 fw blocklist list
grep -qE '^spam +2 +1 +-$' "$TMP/out" && ok "blocklist list" || fail "list: $(cat "$TMP/out")"
expect_rc 0 fw show
grep -q 'ip saddr @feed_spam_4 counter drop comment "feed spam"' "$TMP/out" &&
	grep -q 'set feed_spam_6 {' "$TMP/out" && ok "show renders the feed" || fail "show feed"
cp "$F/spam" "$TMP/spam.before"
printf '10.0.0.1\n10.0.0.0/33\n' >"$TMP/bad"
expect_rc 3 fw blocklist load spam "$TMP/bad"
grep -q "bad:2: bad prefix length in '10.0.0.0/33'; nothing changed" "$TMP/err" &&
	ok "bad feed: file:line" || fail "bad feed: $(cat "$TMP/err")"
cmp -s "$TMP/spam.before" "$F/spam" && ok "bad feed left the feed file" || fail "feed file changed"
expect_rc 3 fw blocklist load other "$TMP/missing"
expect_rc 2 fw blocklist load 1bad "$TMP/feed"
expect_rc 2 fw blocklist load ../x "$TMP/feed"
expect_rc 2 fw blocklist drop nosuch
expect_rc 2 fw blocklist
# a feed covering the SSH client is refused unless --force
printf '203.0.113.0/24\n' >"$TMP/ssh"
expect_rc 0 fw allow 22/tcp
expect_rc 0 fw enable
rc=0
SSH_CONNECTION="203.0.113.5 50000 192.0.2.1 22" "$MAMORI" firewall blocklist load mine "$TMP/ssh" \
	>"$TMP/out" 2>"$TMP/err" || rc=$?
[ "$rc" = 1 ] && grep -q "feed mine (203.0.113.0/24) covers the SSH client" "$TMP/err" &&
	ok "feed locking out the SSH client refused" || fail "lockout: exit $rc $(cat "$TMP/err")"
[ ! -e "$F/mine" ] && ok "refused feed not kept" || fail "refused feed kept"
# a hand-edited feed file with junk: every command stops with file:line
echo 'junk' >>"$F/spam"
expect_rc 3 fw status
grep -q "spam:5: bad address or prefix 'junk'" "$TMP/err" && ok "broken feed file: file:line" ||
	fail "broken feed file: $(cat "$TMP/err")"
cp "$TMP/spam.before" "$F/spam"
expect_rc 0 fw blocklist drop spam
[ ! -e "$F/spam" ] && ok "drop removed the feed file" || fail "feed file left"

# --- routed rules and the status table ---
export MAMORI_FW_RULES="$TMP/st.rules"
for rule in "allow OpenSSH" "allow in on eth0 log 80/tcp" "deny out 25/tcp" \
	"allow from 2001:db8::/32 to any port 443 proto tcp" \
	"route allow in on eth0 out on eth1 to 10.0.0.0/8 port 80 proto tcp" \
	"allow proto esp from 192.0.2.1" \
	"reject from any port 53 to 192.0.2.0/24 port 1024:65535 proto udp comment dns"; do
	# shellcheck disable=SC2086
	expect_rc 0 fw $rule
done
grep -qx 'route allow in on eth0 out on eth1 from any to 10.0.0.0/8 port 80 proto tcp' "$MAMORI_FW_RULES" &&
	ok "rules file holds the routed rule" || fail "routed rule in file: $(cat "$MAMORI_FW_RULES")"
expect_rc 0 fw show
grep -q '^		iifname "eth0" oifname "eth1" ip daddr 10.0.0.0/8 tcp dport 80 counter accept$' "$TMP/out" &&
	grep -q '^		jump user_fwd$' "$TMP/out" && ok "show renders the routed rule in user_fwd" ||
	fail "show routed: $(grep -A3 user_fwd "$TMP/out")"
expect_rc 0 fw status
cat >"$TMP/want" <<'W'
Status: inactive

To                         Action      From
--                         ------      ----
OpenSSH                    ALLOW       Anywhere
80/tcp on eth0             ALLOW (log) Anywhere
25/tcp                     DENY OUT    Anywhere
10.0.0.0/8 80/tcp on eth1  ALLOW FWD   Anywhere on eth0
Anywhere/esp               ALLOW       192.0.2.1
192.0.2.0/24 1024:65535/udp REJECT      53/udp                     # dns
OpenSSH (v6)               ALLOW       Anywhere (v6)
80/tcp (v6) on eth0        ALLOW (log) Anywhere (v6)
25/tcp (v6)                DENY OUT    Anywhere (v6)
443/tcp (v6)               ALLOW       2001:db8::/32
W
diff -u "$TMP/want" "$TMP/out" >&2 && ok "status: ufw's table, v6 rows marked" || fail "status table differs"
expect_rc 0 fw status verbose
grep -qx 'Logging: on (low)' "$TMP/out" && grep -q '^Routing: forwarding ' "$TMP/out" &&
	grep -qE '^OpenSSH +ALLOW IN +Anywhere$' "$TMP/out" && grep -qE '^25/tcp +DENY OUT +Anywhere$' "$TMP/out" &&
	ok "status verbose" || fail "status verbose: $(cat "$TMP/out")"
expect_rc 0 fw status numbered
grep -qE '^\[ 5\] 10\.0\.0\.0/8 80/tcp on eth1  ALLOW FWD   Anywhere on eth0$' "$TMP/out" &&
	grep -qE '^\[ 1\] OpenSSH \(v6\) +ALLOW IN +Anywhere \(v6\)$' "$TMP/out" &&
	ok "status numbered: rule numbers on both rows" || fail "status numbered: $(cat "$TMP/out")"
expect_rc 0 fw delete route allow in on eth0 out on eth1 to 10.0.0.0/8 port 80 proto tcp
grep -q '^route' "$MAMORI_FW_RULES" && fail "routed rule not deleted" || ok "delete a routed rule"
expect_rc 2 fw route allow in eth0 80
grep -q "'in' in a routed rule needs 'on IFACE'" "$TMP/err" && ok "route grammar error" || fail "route error: $(cat "$TMP/err")"

finish
