#!/bin/bash
# SPDX-License-Identifier: MIT
# mamori firewall without touching the kernel: --dry-run, show, status and
# the rules file in a temporary directory (the null backend stands in for
# nftables, so nothing is ever loaded).
. "$(dirname "$0")/lib.sh"

R="$TMP/fw.rules"
export MAMORI_FW_RULES="$R" MAMORI_FW_BACKEND=null
unset SSH_CONNECTION
fw() { "$MAMORI" firewall "$@"; }

expect_rc 0 fw status
grep -q '^Status: inactive' "$TMP/out" && ok "fresh: inactive" || fail "fresh status: $(cat "$TMP/out")"
[ ! -e "$R" ] && ok "status wrote nothing" || fail "status created the rules file"

expect_rc 0 fw allow 22/tcp
expect_rc 0 fw allow from 10.0.0.0/8 to any port 80,443 proto tcp comment "web from lan"
expect_rc 0 fw limit ssh
expect_rc 0 fw insert 1 deny from 192.0.2.0/24
expect_rc 0 fw allow 22/tcp
grep -q 'Skipping' "$TMP/out" && ok "duplicate rule skipped" || fail "duplicate not skipped"
expect_rc 0 fw status numbered
cat >"$TMP/want" <<'W'
Status: inactive

     To                         Action      From
     --                         ------      ----
[ 1] Anywhere                   DENY IN     192.0.2.0/24
[ 2] 22/tcp                     ALLOW IN    Anywhere
[ 2] 22/tcp (v6)                ALLOW IN    Anywhere (v6)
[ 3] 80,443/tcp                 ALLOW IN    10.0.0.0/8                 # web from lan
[ 4] 22/tcp                     LIMIT IN    Anywhere
[ 4] 22/tcp (v6)                LIMIT IN    Anywhere (v6)
W
diff -u "$TMP/want" "$TMP/out" >&2 && ok "status numbered" || fail "status numbered differs"

# the rules file: readable, same grammar
grep -qx 'allow from 10.0.0.0/8 to any port 80,443 proto tcp comment "web from lan"' "$R" &&
	ok "rules file holds the canonical rule" || fail "rules file: $(cat "$R")"
grep -qx 'default deny incoming' "$R" && ok "rules file holds default policies" || fail "no defaults in file"

# --dry-run changes nothing and prints what it would do
cp "$R" "$TMP/before"
expect_rc 0 fw --dry-run allow 8080/tcp
grep -q '^allow 8080/tcp$' "$TMP/out" && ok "dry-run shows the new file" || fail "dry-run output"
cmp -s "$R" "$TMP/before" && ok "dry-run left the file" || fail "dry-run changed the file"
expect_rc 0 fw --dry-run enable
grep -q '^table inet mamori {' "$TMP/out" && ok "dry-run enable shows the table" || fail "dry-run enable"
cmp -s "$R" "$TMP/before" && ok "dry-run enable left the file" || fail "dry-run enable changed the file"
for cmd in "delete 1" "default allow incoming" "logging high" "block 198.51.100.7 --for 1h" "reset" "disable"; do
	# shellcheck disable=SC2086
	expect_rc 0 fw --dry-run $cmd
	cmp -s "$R" "$TMP/before" || fail "--dry-run $cmd changed the file"
done

# show: the nftables text
expect_rc 0 fw show
grep -q 'ip saddr 192.0.2.0/24 counter drop' "$TMP/out" && ok "show renders rules" || fail "show"
grep -q 'update @lim4_4 { ip saddr limit rate over 12/minute burst 6 packets } goto limit_hit' "$TMP/out" &&
	ok "show renders limit sets" || fail "show limit"

# delete
expect_rc 0 fw delete 1
expect_rc 0 fw delete allow 22/tcp
expect_rc 2 fw delete 9
grep_err "no rule 9"
expect_rc 2 fw delete allow 23/tcp
grep_err "no such rule"
expect_rc 0 fw status numbered
grep -qE '^\[ 1\] 80,443/tcp +ALLOW IN +10.0.0.0/8 +# web from lan$' "$TMP/out" && ok "renumbered" || fail "renumbered: $(cat "$TMP/out")"

# bad input: precise errors, nothing changes
cp "$R" "$TMP/before"
expect_rc 2 fw allow 70000/tcp
grep_err "port 70000 out of range"
expect_rc 2 fw allow from 10.0.0.0/33
grep_err "bad prefix length in '10.0.0.0/33'"
expect_rc 2 fw allow nosuch
grep_err "unknown service or app profile 'nosuch'"
expect_rc 2 fw block 10.0.0.300
grep_err "bad address or prefix '10.0.0.300'"
expect_rc 2 fw block 10.0.0.1 --for 5x
grep_err "bad duration"
expect_rc 2 fw default drop incoming
grep_err "'default' takes allow, deny or reject"
expect_rc 2 fw insert 0 allow 1
expect_rc 2 fw frobnicate
cmp -s "$R" "$TMP/before" && ok "bad input left the file" || fail "bad input changed the file"

# a hand-edited file with an error: every command stops, with file:line
printf 'allow 22/tcp\nallow 80/tcpp\n' >>"$R"
expect_rc 3 fw status
grep_err "fw.rules:[0-9]+: unknown protocol 'tcpp'"
expect_rc 3 fw allow 443/tcp
expect_rc 3 fw reload
cp "$TMP/before" "$R"

# blocks
expect_rc 0 fw block 198.51.100.7 2001:db8::/48 --for 1h comment "scanner"
expect_rc 0 fw block 203.0.113.0/24
expect_rc 0 fw blocked
grep -qE '^198\.51\.100\.7 +(0h59m|1h00m|59m[0-9]{2}s) +- +scanner' "$TMP/out" && ok "blocked lists v4 with time" ||
	fail "blocked: $(cat "$TMP/out")"
grep -qE '^2001:db8::/48 ' "$TMP/out" && ok "blocked lists v6" || fail "blocked v6"
grep -qE '^203\.0\.113\.0/24 +permanent' "$TMP/out" && ok "permanent block" || fail "permanent block"
B="$R.blocks"
grep -qE '^block 198\.51\.100\.7 until [0-9T:-]+\+00:00 comment "scanner"$' "$B" && ok "block persisted with expiry" ||
	fail "block line: $(grep block "$B")"
grep -q '^block' "$R" && fail "block written to the rules file" || ok "rules file untouched by block"
expect_rc 0 fw unblock 203.0.113.0/24
grep -qx 'unblock 203.0.113.0/24' "$B" && ok "unblock appended" || fail "unblock line: $(cat "$B")"
expect_rc 2 fw unblock 203.0.113.0/24
grep_err "not blocked"
# a block written by hand in the rules file: listed, and unblock edits the file
echo 'block 192.0.2.99 comment "by hand"' >>"$R"
expect_rc 0 fw blocked
grep -qE '^192\.0\.2\.99 +permanent +- +by hand' "$TMP/out" && ok "hand-written block listed" ||
	fail "hand block: $(cat "$TMP/out")"
expect_rc 0 fw unblock 192.0.2.99
grep -q '192.0.2.99' "$R" && fail "unblock left the hand-written block" || ok "unblock removed it from the rules file"
# the blocks file: a torn last line (a crash mid-write) is ignored and cut off
printf 'block 192.0.2.1' >>"$B"
expect_rc 0 fw blocked
grep -q '^192\.0\.2\.1 ' "$TMP/out" && fail "torn line counted" || ok "torn last line ignored"
expect_rc 0 fw block 192.0.2.2
grep -qx 'block 192.0.2.1' "$B" && fail "torn line kept" || ok "torn line cut off by the next append"
grep -qx 'block 192.0.2.2' "$B" && ok "append after a torn line" || fail "append: $(tail -2 "$B")"
expect_rc 0 fw unblock 192.0.2.2
# a broken blocks file: every command that needs the blocks stops with file:line
cp "$B" "$TMP/blocks.good"
echo 'allow 22/tcp' >>"$B"
expect_rc 3 fw blocked
grep_err "fw.rules.blocks:[0-9]+: a blocks file holds only 'block' and 'unblock' lines"
expect_rc 3 fw unblock 198.51.100.7
cp "$TMP/blocks.good" "$B"

# lockout: refuse a change that stops the SSH client reaching sshd
expect_rc 0 fw enable
expect_rc 1 env SSH_CONNECTION="192.0.2.50 50000 192.0.2.1 22" "$MAMORI" firewall insert 1 deny from 192.0.2.0/24
grep_err "lock out the current SSH session"
expect_rc 0 env SSH_CONNECTION="192.0.2.50 50000 192.0.2.1 22" "$MAMORI" firewall allow 22/tcp
expect_rc 1 env SSH_CONNECTION="192.0.2.50 50000 192.0.2.1 22" "$MAMORI" firewall block 192.0.2.50
expect_rc 0 env SSH_CONNECTION="192.0.2.50 50000 192.0.2.1 22" "$MAMORI" firewall --force block 192.0.2.50
expect_rc 0 fw status verbose
grep -q '^Status: active' "$TMP/out" && ok "enabled" || fail "status after enable"
grep -q '^Default: deny (incoming), allow (outgoing), deny (routed)' "$TMP/out" && ok "verbose defaults" ||
	fail "verbose: $(cat "$TMP/out")"

# --kill (the kernel side is tested in tests/netns/firewall.sh)
expect_rc 2 fw unblock --kill 192.0.2.1
grep_err "[-]-kill only applies to block"
expect_rc 2 fw --kill allow 1/tcp
grep_err "[-]-kill only applies to block"
expect_rc 0 fw --dry-run block --kill 192.0.2.1
grep -q "would drop the open connections" "$TMP/out" && ok "--dry-run block --kill" ||
	fail "dry-run --kill: $(cat "$TMP/out")"

# --confirm (the kernel side is tested in tests/netns/firewall.sh)
expect_rc 2 fw --confirm 30 status
grep_err "only applies to commands that change"
expect_rc 2 fw --confirm 5x allow 1/tcp
grep_err "bad duration"
expect_rc 2 fw --confirm 2d allow 1/tcp
grep_err "at most a day"
expect_rc 2 fw confirm
grep_err "no change is waiting"
expect_rc 2 fw rollback
cp "$R" "$TMP/before-confirm"
expect_rc 0 fw --confirm 60 allow 4444/tcp
grep -q "within 60 seconds" "$TMP/out" && ok "--confirm says how long" || fail "--confirm: $(cat "$TMP/out")"
grep -q '^deadline [0-9]*$' "$R.pending" && ok "pending state written" || fail "no pending state"
expect_rc 1 fw --confirm 60 allow 4445/tcp
grep_err "still waiting"
grep -qx 'feeds' "$R.pending" && ok "pending state: no feeds saved" || fail "pending feeds: $(cat "$R.pending")"
printf '192.0.2.0/24\n' >"$TMP/feed.txt"
expect_rc 1 fw --confirm 60 blocklist load waitfeed "$TMP/feed.txt"
grep_err "still waiting"
# a state from before feeds were saved: feed changes wait for confirm or rollback
cp "$R.pending" "$TMP/pending.good"
grep -v '^feeds' "$TMP/pending.good" >"$R.pending"
expect_rc 1 fw blocklist load waitfeed "$TMP/feed.txt"
grep_err "still waiting.*before changing feeds"
cp "$TMP/pending.good" "$R.pending"
# a feed changed while the change waits is part of what a rollback undoes
expect_rc 0 fw blocklist load waitfeed "$TMP/feed.txt"
[ -f "$R.feeds/waitfeed" ] && ok "feed loaded while a change waits" || fail "no feed file"
echo 'deadline 12' >>"$R.pending"
expect_rc 3 fw status
grep_err "fw.rules.pending:[0-9]+: 'deadline' given twice"
cp "$TMP/pending.good" "$R.pending"
expect_rc 0 fw rollback
cmp -s "$R" "$TMP/before-confirm" && ok "rollback restored the rules file" || fail "rollback: $(diff "$TMP/before-confirm" "$R")"
[ ! -e "$R.pending" ] && ok "rollback removed the pending state" || fail "pending state left"
[ ! -e "$R.feeds/waitfeed" ] && ok "rollback removed the feed loaded after the change" ||
	fail "feed left after rollback"
# blocklist load and drop with --confirm: rollback restores the feed files exactly
expect_rc 0 fw blocklist load keep "$TMP/feed.txt"
cp "$R.feeds/keep" "$TMP/keep.before"
printf '198.51.100.0/24\n203.0.113.9\n' >"$TMP/feed2.txt"
expect_rc 0 fw --confirm 60 blocklist load keep "$TMP/feed2.txt"
grep -q within "$TMP/out" && ok "--confirm blocklist load" || fail "--confirm blocklist load: $(cat "$TMP/out")"
grep -qx 'feeds keep' "$R.pending" && cmp -s "$R.pending.feeds/keep" "$TMP/keep.before" &&
	ok "pending state saved the feed" || fail "feed not saved: $(cat "$R.pending"; ls "$R.pending.feeds")"
grep -q '^203.0.113.9$' "$R.feeds/keep" && ok "feed replaced at once" || fail "feed not replaced"
expect_rc 2 fw --confirm 60 blocklist list
grep_err "only applies to commands that change"
expect_rc 0 fw rollback
cmp -s "$R.feeds/keep" "$TMP/keep.before" && ok "rollback restored the feed file" ||
	fail "feed after rollback: $(diff "$TMP/keep.before" "$R.feeds/keep")"
[ ! -e "$R.pending.feeds" ] && ok "rollback removed the saved feeds" || fail "saved feeds left"
expect_rc 0 fw --confirm 60 blocklist drop keep
[ ! -e "$R.feeds/keep" ] && ok "--confirm blocklist drop" || fail "feed file kept by drop"
expect_rc 0 fw rollback
cmp -s "$R.feeds/keep" "$TMP/keep.before" && ok "rollback brought the dropped feed back" ||
	fail "dropped feed not restored"
expect_rc 0 fw --confirm 60 blocklist load new "$TMP/feed2.txt"
expect_rc 0 fw confirm
[ -f "$R.feeds/new" ] && [ ! -e "$R.pending.feeds" ] && ok "confirm kept the new feed" ||
	fail "confirm lost the new feed"
expect_rc 0 fw blocklist drop new
expect_rc 0 fw blocklist drop keep
expect_rc 0 fw --confirm 60 allow 4444/tcp
expect_rc 0 fw confirm
grep -q '^allow 4444/tcp' "$R" && ok "confirm kept the change" || fail "confirm lost the change"
expect_rc 0 fw --dry-run --confirm 60 allow 4446/tcp
grep -q 'rolled back after 60s' "$TMP/out" && ok "--dry-run --confirm" || fail "dry-run confirm: $(cat "$TMP/out")"

expect_rc 0 fw reset
expect_rc 0 fw status
grep -q '^Status: inactive' "$TMP/out" && ! grep -q allow "$TMP/out" && ok "reset" || fail "reset"
grep -q '^block' "$B" && fail "reset kept blocks: $(cat "$B")" || ok "reset cleared the blocks"

# usage
expect_rc 0 "$MAMORI" help firewall
expect_rc 2 fw
expect_rc 2 fw status loud
finish
