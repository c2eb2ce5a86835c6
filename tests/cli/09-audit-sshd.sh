#!/bin/bash
# SPDX-License-Identifier: MIT
# mamori audit --only sshd against the real OpenSSH sshd: `sshd -T -C ...`
# on generated configurations (own host key, loopback, never the host's
# configuration): a drop-in that overrides the main file, Match blocks, the
# keyboard-interactive + PAM case, a hardened config, and sshd failing,
# missing or hanging. sshd -T wants /run/sshd: mamori runs in a private
# mount namespace with a tmpfs on /run, so the host is untouched.
. "$MM_SRCDIR/tests/cli/lib.sh"

sshd_bin=/usr/sbin/sshd
skip() {
	echo "SKIP: $*"
	exit 77
}
[ "$(id -u)" = 0 ] || skip "needs root (sshd -T reads the host key; private mount namespace)"
[ -x "$sshd_bin" ] || skip "no $sshd_bin (package openssh-server)"
command -v unshare >/dev/null || skip "no unshare"
ssh-keygen -q -t ed25519 -N '' -f "$TMP/hostkey" || skip "ssh-keygen failed"
chmod 755 "$TMP"

# audit CONFIG ARGS...: mamori audit --only sshd in a namespace with /run/sshd
audit() {
	local cfg=$1
	shift
	unshare -m --propagation private sh -c 'mount -t tmpfs -o mode=755 tmpfs /run && mkdir -m 755 /run/sshd && exec "$@"' \
		sh "$MAMORI" audit --only sshd --json --fail-on none --sshd-config "$cfg" "$@"
}

# writes $TMP/NAME/sshd_config with a drop-in directory; extra lines from stdin
mkcfg() {
	local d="$TMP/$1"
	mkdir -p "$d/sshd_config.d"
	{
		echo "Include $d/sshd_config.d/*.conf"
		echo "HostKey $TMP/hostkey"
		echo "ListenAddress 127.0.0.1"
		echo "PidFile none"
		cat
	} >"$d/sshd_config"
}

# 1. a drop-in overrides the main file (first value wins)
mkcfg dropin <<'EOF2'
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM yes
EOF2
printf '# as cloud-init writes it\nPasswordAuthentication yes\n' >"$TMP/dropin/sshd_config.d/50-cloud-init.conf"
expect_rc 0 audit "$TMP/dropin/sshd_config"
cp "$TMP/out" "$TMP/1.json"
check "sshd -T ran (no fallback note)" '[.notes[] | select(.text | contains("sshd -T"))] == []' "$TMP/1.json"
check "drop-in: password logins found" '[.findings[] | select(.id == "SSH-PASSWORD")] | length == 1' "$TMP/1.json"
check "drop-in: evidence names the drop-in and line" \
	".findings[] | select(.id == \"SSH-PASSWORD\") | .evidence | startswith(\"$TMP/dropin/sshd_config.d/50-cloud-init.conf:2: PasswordAuthentication yes (sshd -T\")" \
	"$TMP/1.json"
check "drop-in: no keyboard-interactive finding" '[.findings[] | select(.id == "SSH-KBDINT-PAM")] == []' "$TMP/1.json"

# 2. Match blocks: passwords only for root
mkcfg match <<'EOF2'
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin yes
Match User root
	PasswordAuthentication yes
EOF2
expect_rc 0 audit "$TMP/match/sshd_config"
cp "$TMP/out" "$TMP/2.json"
check "Match: root may log in with a password" '[.findings[] | select(.id == "SSH-ROOT-PASSWORD")] | length == 1' "$TMP/2.json"
check "Match: evidence points at the Match block line" \
	".findings[] | select(.id == \"SSH-PASSWORD\") | .evidence | (startswith(\"$TMP/match/sshd_config:9:\") and contains(\"for user root\"))" \
	"$TMP/2.json"
mkcfg match2 <<'EOF2'
PasswordAuthentication yes
PermitRootLogin yes
Match User root
	PasswordAuthentication no
	KbdInteractiveAuthentication no
EOF2
expect_rc 0 audit "$TMP/match2/sshd_config"
check "Match: root without passwords -> no root finding, users still have passwords" \
	'([.findings[] | select(.id == "SSH-ROOT-PASSWORD")] == []) and ([.findings[] | select(.id == "SSH-PASSWORD")] | length == 1)' \
	"$TMP/out"

# 3. keyboard-interactive through PAM is a password login
mkcfg kbd <<'EOF2'
PasswordAuthentication no
KbdInteractiveAuthentication yes
UsePAM yes
EOF2
expect_rc 0 audit "$TMP/kbd/sshd_config"
check "kbd-interactive + PAM found" '[.findings[] | select(.id == "SSH-KBDINT-PAM")] | length == 1' "$TMP/out"
check "kbd-interactive: PasswordAuthentication itself is off" '[.findings[] | select(.id == "SSH-PASSWORD")] == []' "$TMP/out"

# 4. hardened: nothing to report about the configuration
mkcfg hard <<'EOF2'
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM yes
PermitRootLogin prohibit-password
MaxAuthTries 3
X11Forwarding no
AllowAgentForwarding no
Ciphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com
MACs hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com
EOF2
expect_rc 0 audit "$TMP/hard/sshd_config" --skip SSH-AUTHKEYS-PERMS,SSH-HOSTKEY-PERMS
check "hardened: no findings" '.findings == []' "$TMP/out"
mkcfg weak <<'EOF2'
PasswordAuthentication no
KbdInteractiveAuthentication no
Ciphers aes128-cbc,aes256-ctr
MACs hmac-md5,hmac-sha2-256-etm@openssh.com
KexAlgorithms diffie-hellman-group14-sha1,curve25519-sha256
MaxAuthTries 8
X11Forwarding yes
EOF2
expect_rc 0 audit "$TMP/weak/sshd_config"
for id in SSH-WEAK-CIPHER SSH-WEAK-MAC SSH-WEAK-KEX SSH-MAXAUTHTRIES SSH-X11-FORWARDING SSH-AGENT-FORWARDING; do
	check "sshd -T: $id" "[.findings[] | select(.id == \"$id\")] | length == 1" "$TMP/out"
done

# 5. sshd rejects the configuration: a note, then the files are judged
mkcfg broken <<'EOF2'
PasswordAuthentication yes
NoSuchKeyword 1
EOF2
expect_rc 0 audit "$TMP/broken/sshd_config"
check "failing sshd -T is a note" '[.notes[] | select(.text | startswith("sshd -T failed"))] | length == 1' "$TMP/out"
check "fallback to the files still finds passwords" '[.findings[] | select(.id == "SSH-PASSWORD")] | length == 1' "$TMP/out"

# 6. sshd missing, 7. sshd hanging (killed at --timeout)
expect_rc 0 audit "$TMP/dropin/sshd_config" --sshd /nonexistent/sshd
check "missing sshd is a note" '[.notes[] | select(.text | contains("sshd -T"))] | length == 1' "$TMP/out"
printf '#!/bin/sh\nsleep 30\n' >"$TMP/hang-sshd"
chmod 755 "$TMP/hang-sshd"
start=$(date +%s)
expect_rc 0 audit "$TMP/dropin/sshd_config" --sshd "$TMP/hang-sshd" --timeout 500
check "hanging sshd times out" '[.notes[] | select(.text | contains("timed out"))] | length == 1' "$TMP/out"
[ $(($(date +%s) - start)) -lt 10 ] && ok "hanging sshd did not hang the audit" || fail "audit waited for a hanging sshd"
finish
