#!/bin/bash
# SPDX-License-Identifier: MIT
# mamori audit on the fixture roots of tests/data/audit (--root): good/
# passes every file-based check, bad/ fails each one. Git keeps no modes,
# so the roots are copied and given the modes the checks judge.
. "$MM_SRCDIR/tests/cli/lib.sh"

FX="$MM_SRCDIR/tests/data/audit"
A="--only sshd,accounts,files,updates --sshd="

cp -r "$FX/good" "$TMP/good"
cp -r "$FX/bad" "$TMP/bad"
chmod 755 "$TMP/good" "$TMP/bad"
# good: private things private
chmod 600 "$TMP/good/etc/ssh/ssh_host_ed25519_key"
chmod 640 "$TMP/good/etc/shadow" "$TMP/good/etc/gshadow"
chmod 710 "$TMP/good/etc/ssl/private"
chmod 640 "$TMP/good/etc/ssl/private/site.key"
chmod 440 "$TMP/good/etc/sudoers" "$TMP/good/etc/sudoers.d/alice"
chmod 755 "$TMP/good/home/alice"
chmod 700 "$TMP/good/home/alice/.ssh"
chmod 600 "$TMP/good/home/alice/.ssh/authorized_keys"
chmod 4755 "$TMP/good/usr/bin/helper" # set-id, but a package owns it
# bad: each check fails once
chmod 644 "$TMP/bad/etc/ssh/ssh_host_rsa_key"
chmod 644 "$TMP/bad/etc/shadow" "$TMP/bad/etc/gshadow"
chmod 755 "$TMP/bad/etc/ssl/private"
chmod 644 "$TMP/bad/etc/ssl/private/site.key"
chmod 440 "$TMP/bad/etc/sudoers"
chmod 666 "$TMP/bad/etc/sudoers.d/deploy"
chmod 755 "$TMP/bad/home/bob"
chmod 777 "$TMP/bad/home/bob/.ssh"
chmod 600 "$TMP/bad/home/bob/.ssh/authorized_keys"
chmod 4755 "$TMP/bad/usr/bin/helper" "$TMP/bad/usr/bin/evil"
chmod 777 "$TMP/bad/usr/share/dropbox"
# web roots: the www-data account owns the uploads and the group of a page
if [ "$(id -u)" = 0 ]; then webuid=33 webgid=33; else webuid=$(id -u) webgid=$(id -g); fi
echo "www-data:x:$webuid:$webgid:www-data:/var/www:/usr/sbin/nologin" >>"$TMP/bad/etc/passwd"
echo 'www-data:*:19000:0:99999:7:::' >>"$TMP/bad/etc/shadow"
printf 'root:x:0:\nwww-data:x:%s:\n' "$webgid" >"$TMP/bad/etc/group"
chmod 755 "$TMP/bad/srv/site/uploads"
chmod 664 "$TMP/bad/var/www/html/index.html"
if [ "$(id -u)" = 0 ]; then
	chown -R 33:33 "$TMP/bad/srv/site/uploads"
	chgrp 33 "$TMP/bad/var/www/html/index.html"
fi
mkdir -p "$TMP/bad/var/log"
head -c $((292 * 1100)) /dev/zero >"$TMP/bad/var/log/lastlog"

# shellcheck disable=SC2086
expect_rc 0 "$MAMORI" audit $A --root "$TMP/good" --json
cp "$TMP/out" "$TMP/good.json"
check "good root: no findings" '.findings == []' "$TMP/good.json"
check "good root: score 100" '.score == 100' "$TMP/good.json"
check "good root: firewall/exposure noted as needing the live system" \
	'[.notes[] | select(.area == "firewall")] | length == 0' "$TMP/good.json"

# shellcheck disable=SC2086
expect_rc 1 "$MAMORI" audit $A --root "$TMP/bad" --json
cp "$TMP/out" "$TMP/bad.json"
for id in SSH-PASSWORD SSH-KBDINT-PAM SSH-ROOT-PASSWORD SSH-EMPTY-PASSWORDS SSH-WEAK-KEX \
	SSH-WEAK-CIPHER SSH-WEAK-MAC SSH-WEAK-HOSTKEY SSH-MAXAUTHTRIES SSH-X11-FORWARDING \
	SSH-AGENT-FORWARDING SSH-LISTEN-ALL SSH-HOSTKEY-PERMS SSH-AUTHKEYS-PERMS \
	ACC-UID0 ACC-EMPTY-PASSWORD ACC-NEVER-USED ACC-SUDO-NOPASSWD-ALL ACC-SUDOERS-PERMS \
	FILE-WORLD-WRITABLE FILE-SUID-UNPACKAGED FILE-SHADOW-PERMS FILE-SSL-PRIVATE-PERMS \
	FILE-WEBROOT-WRITABLE UPD-SECURITY; do
	check "bad root: $id" "[.findings[] | select(.id == \"$id\")] | length >= 1" "$TMP/bad.json"
done
check "drop-in that overrides the main file is named" \
	'.findings[] | select(.id == "SSH-PASSWORD") | .evidence | startswith("/etc/ssh/sshd_config.d/50-cloud-init.conf:2:")' \
	"$TMP/bad.json"
check "weak cipher names listed" \
	'.findings[] | select(.id == "SSH-WEAK-CIPHER") | .evidence | split(";")[0] | (contains("aes128-cbc") and contains("3des-cbc") and (contains("aes256-ctr") | not))' \
	"$TMP/bad.json"
check "UID 0 evidence has file:line" \
	'.findings[] | select(.id == "ACC-UID0") | .evidence == "/etc/passwd:2: toor has UID 0"' "$TMP/bad.json"
check "empty hash, hash in passwd, missing shadow entry" \
	'[.findings[] | select(.id == "ACC-EMPTY-PASSWORD")] | length == 3' "$TMP/bad.json"
check "never used: bob" \
	'[.findings[] | select(.id == "ACC-NEVER-USED") | .evidence | startswith("bob ")] == [true]' "$TMP/bad.json"
check "sudoers NOPASSWD: ALL with file:line" \
	'.findings[] | select(.id == "ACC-SUDO-NOPASSWD-ALL") | .evidence | startswith("/etc/sudoers.d/deploy:2:")' \
	"$TMP/bad.json"
check "unpackaged SUID is evil, not helper" \
	'[.findings[] | select(.id == "FILE-SUID-UNPACKAGED") | .evidence] == ["/usr/bin/evil: set-id, in no dpkg package"]' \
	"$TMP/bad.json"
check "web root: uploads owned by www-data, from the nginx root line" \
	"[.findings[] | select(.id == \"FILE-WEBROOT-WRITABLE\") | .evidence | select(startswith(\"/srv/site/uploads\"))] | sort == [\"/srv/site/uploads/shell.php: file owned by www-data (uid $webuid), mode 0644 (web root from nginx root at /etc/nginx/conf.d/site.conf:4)\", \"/srv/site/uploads: directory owned by www-data (uid $webuid), mode 0755 (web root from nginx root at /etc/nginx/conf.d/site.conf:4)\"]" \
	"$TMP/bad.json"
check "web root: group-writable page under the Apache DocumentRoot" \
	"[.findings[] | select(.id == \"FILE-WEBROOT-WRITABLE\") | .evidence | select(startswith(\"/var/www/html/index.html:\"))] | .[0] | test(\"(group-writable, group $webgid is www-data's|owned by www-data).*Apache DocumentRoot at /etc/apache2/sites-enabled/000-default.conf:4\")" \
	"$TMP/bad.json"
check "security update: newest version, epochs, tildes, removed packages" \
	'[.findings[] | select(.id == "UPD-SECURITY") | .evidence] == ["1 package with a security update: openssl 3.0.11-1~deb12u1 -> 3.0.15-1~deb12u1"]' \
	"$TMP/bad.json"
# a web root with more writable paths than are listed: 20 findings and a count
mkdir -p "$TMP/many/etc" "$TMP/many/var/www"
echo "www-data:x:$webuid:$webgid::/var/www:/usr/sbin/nologin" >"$TMP/many/etc/passwd"
for i in $(seq 30); do echo x >"$TMP/many/var/www/page$i.html"; done
[ "$(id -u)" = 0 ] && chown -R 33:33 "$TMP/many/var/www"
expect_rc 1 "$MAMORI" audit --only files --root "$TMP/many" --json
check "web root findings capped at 20, the rest counted" \
	'([.findings[] | select(.id == "FILE-WEBROOT-WRITABLE")] | length == 20) and ([.notes[] | select(.text == "11 more web root paths writable by the web server user not listed")] | length == 1)' \
	"$TMP/out"
mkdir -p "$TMP/nosec/var/lib/dpkg" "$TMP/nosec/var/lib/apt/lists"
cp "$FX/good/var/lib/dpkg/status" "$TMP/nosec/var/lib/dpkg/"
expect_rc 1 "$MAMORI" audit --only updates --root "$TMP/nosec" --json
check "no security list" '[.findings[].id] == ["UPD-NO-SECURITY-LIST"]' "$TMP/out"
# RHEL family: os-release says Rocky, dnf is a fake that prints fixture
# output only when asked exactly "-q --cacheonly updateinfo list --security".
# The live system is needed (dnf from an image is never run), so a private
# mount namespace shows the fake os-release; root only.
mkdir -p "$TMP/rhel"
printf 'ID="rocky"\nID_LIKE="rhel centos fedora"\nPRETTY_NAME="Rocky Linux 9.3 (Blue Onyx)"\n' >"$TMP/rhel/os-release"
fakednf() { # fakednf NAME BODY
	printf '#!/bin/sh\n[ "$*" = "-q --cacheonly updateinfo list --security" ] || { echo "Error: bad arguments: $*" >&2; exit 2; }\n%s\n' "$2" >"$TMP/rhel/$1"
	chmod +x "$TMP/rhel/$1"
}
fakednf ok "cat '$FX/dnf/dnf4-rhel9.out'"
fakednf nocache "echo \"Error: Cache-only enabled but no cache for 'baseos'\" >&2; exit 1"
fakednf hang "sleep 30"
fakednf junk "cat '$FX/dnf/mixed.out'"
rhel() { # rhel FAKE ARGS...: audit --only updates as if on Rocky Linux
	local fake=$1
	shift
	unshare --mount sh -c 'mount --bind "$0" /etc/os-release && exec "$@"' "$TMP/rhel/os-release" \
		"$MAMORI" audit --only updates --json --dnf "$TMP/rhel/$fake" "$@"
}
if [ "$(id -u)" = 0 ] && unshare --mount true 2>/dev/null; then
	expect_rc 1 rhel ok
	check "RHEL family: dnf advisories are UPD-SECURITY" \
		'[.findings[] | select(.id == "UPD-SECURITY") | .evidence] == ["6 packages with a security update (4 advisories, 2 critical or important): curl 7.76.1-26.el9_3.3 (RHSA-2024:2001, Moderate), kernel 5.14.0-362.18.1.el9_3 (RHSA-2024:0310, Critical), libcurl 7.76.1-26.el9_3.3 (RHSA-2024:2001, Moderate), openssl 1:3.0.7-25.el9_3 (RHSA-2024:1234, Important), openssl-libs 1:3.0.7-25.el9_3 (RHSA-2024:1234, Important), tzdata 2024a-1.el9 (RHSA-2024:0777, Low)"] and (.notes == [])' "$TMP/out"
	expect_rc 0 rhel nocache
	check "RHEL family: no dnf cache is a note" \
		'[.notes[].text] == ["'"$TMP/rhel/nocache"' -q --cacheonly updateinfo list --security failed: Error: Cache-only enabled but no cache for '"'"'baseos'"'"'"] and .findings == []' "$TMP/out"
	expect_rc 0 rhel hang --timeout 300
	check "RHEL family: a hanging dnf is stopped and noted" '[.notes[].text | select(endswith("timed out"))] | length == 1' "$TMP/out"
	expect_rc 1 rhel junk
	check "RHEL family: lines dnf printed that are not advisories are counted in a note" \
		'([.notes[].text | select(endswith("updateinfo: 3 of 6 lines not understood"))] | length == 1) and ([.findings[].id] == ["UPD-SECURITY"])' "$TMP/out"
	expect_rc 0 rhel no-such-dnf
	check "RHEL family: missing dnf is a note" '[.notes[].text | select(endswith("no-such-dnf is not an executable file; security updates not checked"))] | length == 1' "$TMP/out"
else
	echo "skip: RHEL-family updates (needs root for a private mount namespace)"
fi
mkdir -p "$TMP/rhelroot/etc"
cp "$TMP/rhel/os-release" "$TMP/rhelroot/etc/os-release"
expect_rc 0 "$MAMORI" audit --only updates --root "$TMP/rhelroot" --json
check "RHEL family with --root: noted, dnf never run from an image" \
	'[.notes[].text] == ["Rocky Linux 9.3 (Blue Onyx): security updates are read with dnf on the running system; not checked with --root"]' "$TMP/out"
check "Match User blocks are evaluated without sshd" '[.notes[] | select(.text | contains("Match"))] == []' \
	"$TMP/bad.json"
mkdir -p "$TMP/match/etc/ssh"
cp "$FX/good/etc/passwd" "$TMP/match/etc/passwd"
printf 'PasswordAuthentication no\nKbdInteractiveAuthentication no\nPermitRootLogin yes\nMatch User alice,!bob\n\tX11Forwarding yes\nMatch User r*t\n\tPasswordAuthentication yes\nMatch Address 192.0.2.0/24\n\tPermitEmptyPasswords yes\n' \
	>"$TMP/match/etc/ssh/sshd_config"
expect_rc 1 "$MAMORI" audit --only sshd --root "$TMP/match" --sshd= --json
check "file mode: Match User r*t gives root passwords" \
	'[.findings[] | select(.id == "SSH-ROOT-PASSWORD" or .id == "SSH-PASSWORD") | .evidence] == ["/etc/ssh/sshd_config:7: PasswordAuthentication yes", "/etc/ssh/sshd_config:3: PermitRootLogin yes"]' \
	"$TMP/out"
check "file mode: Match User alice applies to the typical user" \
	'[.findings[] | select(.id == "SSH-X11-FORWARDING") | .evidence] == ["/etc/ssh/sshd_config:5: X11Forwarding yes"]' "$TMP/out"
check "file mode: Match Address is noted, not applied" \
	'([.findings[] | select(.id == "SSH-EMPTY-PASSWORDS")] == []) and ([.notes[] | select(.text | contains("other than User"))] | length == 1)' \
	"$TMP/out"
check "file mode: unset algorithm lists are judged by the newest defaults when the version is unknown" \
	'[.findings[] | select(.id == "SSH-WEAK-MAC") | .evidence] == ["weak: umac-64-etm@openssh.com (64-bit tag), hmac-sha1-etm@openssh.com (SHA-1), umac-64@openssh.com (64-bit tag), hmac-sha1 (SHA-1, encrypt-and-MAC); MACs not set in the files: the defaults of OpenSSH 9.9 (installed version unknown)"]' \
	"$TMP/out"
# OpenSSH defaults by installed version (dpkg database), file mode
sshdefaults() { # sshdefaults NAME VERSION CONFIG
	mkdir -p "$TMP/$1/etc/ssh" "$TMP/$1/var/lib/dpkg"
	printf '%b' "$3" >"$TMP/$1/etc/ssh/sshd_config"
	printf 'Package: openssh-server\nStatus: install ok installed\nArchitecture: amd64\nVersion: %s\n\n' "$2" \
		>"$TMP/$1/var/lib/dpkg/status"
}
sshdefaults ssh79 1:7.9p1-10+deb10u2 'PasswordAuthentication no\nKbdInteractiveAuthentication no\n'
expect_rc 1 "$MAMORI" audit --only sshd --root "$TMP/ssh79" --sshd= --json
check "OpenSSH 7.9 defaults: weak kex, MACs and host keys, no weak cipher" \
	'([.findings[].id | select(startswith("SSH-WEAK"))] == ["SSH-WEAK-KEX", "SSH-WEAK-MAC", "SSH-WEAK-HOSTKEY"]) and ([.findings[] | select(.id == "SSH-WEAK-KEX") | .evidence] == ["weak: diffie-hellman-group14-sha1 (SHA-1); KexAlgorithms not set in the files: the defaults of OpenSSH 7.9 (openssh-server 1:7.9p1-10+deb10u2 in the dpkg database)"]) and ([.findings[] | select(.id == "SSH-WEAK-HOSTKEY") | .evidence | startswith("weak: ssh-rsa-cert-v01@openssh.com (SHA-1 signatures), ssh-rsa (SHA-1 signatures);")] == [true])' \
	"$TMP/out"
sshdefaults ssh92 1:9.2p1-2+deb12u3 'MACs -hmac-sha1*,umac-64*\nKexAlgorithms +diffie-hellman-group1-sha1\nCiphers ^aes128-ctr\n'
expect_rc 1 "$MAMORI" audit --only sshd --root "$TMP/ssh92" --sshd= --json
check "OpenSSH 9.2 defaults: -PATTERN removes weak MACs, +NAME adds a weak kex, no ssh-rsa" \
	'([.findings[].id | select(startswith("SSH-WEAK"))] == ["SSH-WEAK-KEX"]) and ([.findings[] | select(.id == "SSH-WEAK-KEX") | .evidence] == ["weak: diffie-hellman-group1-sha1 (1024-bit group, SHA-1); /etc/ssh/sshd_config:2: KexAlgorithms +diffie-hellman-group1-sha1: the defaults of OpenSSH 9.2 (openssh-server 1:9.2p1-2+deb12u3 in the dpkg database)"])' \
	"$TMP/out"
check "every finding has id, severity, evidence, fix" \
	'all(.findings[]; (.id | length > 0) and (.severity | IN("info","low","medium","high")) and (.evidence | length > 0) and (.fix | length > 0))' \
	"$TMP/bad.json"
check "score drops" '.score < 50' "$TMP/bad.json"

# --skip, --only, --fail-on
# shellcheck disable=SC2086
expect_rc 0 "$MAMORI" audit $A --root "$TMP/bad" --fail-on none --json --skip SSH-PASSWORD,acc-uid0
check "--skip drops those IDs" '[.findings[] | select(.id == "SSH-PASSWORD" or .id == "ACC-UID0")] == []' "$TMP/out"
expect_rc 1 "$MAMORI" audit --only accounts --root "$TMP/bad" --fail-on high --json
check "--only accounts" '[.findings[].area] | unique == ["accounts"]' "$TMP/out"
expect_rc 0 "$MAMORI" audit --only files --root "$TMP/good" --fail-on low
expect_rc 0 "$MAMORI" audit --only sshd --root "$TMP/bad" --sshd= --skip SSH-PASSWORD,SSH-KBDINT-PAM,SSH-ROOT-PASSWORD,SSH-EMPTY-PASSWORDS,SSH-HOSTKEY-PERMS,SSH-AUTHKEYS-PERMS --fail-on high

# text output: grouped by area, with the fix, no colour when not a terminal
# shellcheck disable=SC2086
expect_rc 1 "$MAMORI" audit $A --root "$TMP/bad"
if grep -q '^== sshd ==' "$TMP/out" && grep -q 'fix: ' "$TMP/out" && grep -q '^score ' "$TMP/out" &&
	! grep -q $'\033' "$TMP/out"; then ok "text output"; else fail "text output: $(head -c 400 "$TMP/out")"; fi

# explain, list, usage errors
expect_rc 0 "$MAMORI" audit explain ssh-password
grep -q '^fix: ' "$TMP/out" && ok "explain prints the fix" || fail "explain"
expect_rc 2 "$MAMORI" audit explain NOPE-1
expect_rc 0 "$MAMORI" audit list
expect_rc 2 "$MAMORI" audit --only nosucharea
expect_rc 2 "$MAMORI" audit --fail-on extreme
expect_rc 2 "$MAMORI" audit --skip NOPE
expect_rc 3 "$MAMORI" audit --root "$TMP/does-not-exist"

# bad input: huge, unreadable-as-FIFO, binary and malformed configs never crash or hang
mkdir -p "$TMP/odd/etc/ssh"
head -c $((2 * 1024 * 1024)) /dev/zero | tr '\0' 'A' >"$TMP/odd/etc/ssh/sshd_config"
mkfifo "$TMP/odd/etc/passwd"
expect_rc 0 timeout 10 "$MAMORI" audit --only sshd,accounts --root "$TMP/odd" --sshd= --json
check "huge sshd_config is a note" '[.notes[] | select(.text | contains("larger than"))] | length == 1' "$TMP/out"
check "FIFO passwd is a note" '[.notes[] | select(.area == "accounts")] | length >= 1' "$TMP/out"
rm -f "$TMP/odd/etc/ssh/sshd_config"
head -c 65536 /dev/urandom >"$TMP/odd/etc/ssh/sshd_config"
printf 'Include /etc/ssh/sshd_config\n' >>"$TMP/odd/etc/ssh/sshd_config" # includes itself
expect_rc 0 timeout 10 "$MAMORI" audit --only sshd --root "$TMP/odd" --sshd= --json --fail-on none
finish
