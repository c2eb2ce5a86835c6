#!/bin/bash
# mamori verify end to end: keys and signatures made here by gpg in a
# temporary home; sums files in every format; and this machine's own APT
# InRelease files with the Debian archive keyring.
. "$(dirname "$0")/lib.sh"

if ! command -v gpg >/dev/null; then
	echo "SKIP: gpg is not installed"
	exit 77
fi
export GNUPGHOME="$TMP/gnupg"
mkdir -m 700 "$GNUPGHOME"
trap 'gpgconf --kill all 2>/dev/null; rm -rf "$TMP"' EXIT
G="gpg --batch -q --passphrase= --pinentry-mode loopback"
fpr() { gpg --with-colons -k "$1" | awk -F: '/^fpr/{print $10; exit}'; }

$G --quick-gen-key 'Mint Test <mint@example.org>' ed25519 sign never
$G --quick-gen-key 'Intruder <evil@example.org>' ed25519 sign never
$G --quick-gen-key 'Sub Test <sub@example.org>' ed25519 cert never
$G --quick-add-key "$(fpr sub@example.org)" ed25519 sign never
$G --quick-gen-key 'Revoked <rev@example.org>' ed25519 sign never
$G --faked-system-time 20200101T000000! --quick-gen-key 'Old <old@example.org>' ed25519 sign 2020-06-01 2>/dev/null
MINT=$(fpr mint@example.org) EVIL=$(fpr evil@example.org) SUB=$(fpr sub@example.org)
gpg --export mint@example.org >"$TMP/mint.gpg"
gpg --export --armor evil@example.org >"$TMP/evil.asc"
gpg --export sub@example.org >"$TMP/sub.gpg"
gpg --export old@example.org >"$TMP/old.gpg"

D="$TMP/dl"
mkdir "$D"
head -c 5000000 /dev/urandom >"$D/linuxmint.iso"
printf 'second image\n' >"$D/other.iso"
(cd "$D" && sha256sum -b linuxmint.iso other.iso >sha256sum.txt)
$G -u mint@example.org --detach-sign -o "$D/sha256sum.txt.gpg" "$D/sha256sum.txt"
M="$MAMORI verify"

# Linux Mint layout, found next to the file, pinned
expect_rc 0 $M --key "$TMP/mint.gpg" --fingerprint "$MINT" "$D/linuxmint.iso"
grep -q '^OK  *.*linuxmint.iso  sha256' "$TMP/out" && ok "one OK line" || fail "no OK line: $(cat "$TMP/out")"
grep -q '^verify: OK$' "$TMP/out" && ok "overall OK" || fail "no overall OK"
# fingerprint with spaces, lower case
expect_rc 0 $M --key "$TMP/mint.gpg" --fingerprint "$(echo "$MINT" | tr A-F a-f | sed 's/..../& /g')" "$D/linuxmint.iso"
# no FILE: everything listed; then one missing
expect_rc 0 $M --sums "$D/sha256sum.txt" --key "$TMP/mint.gpg"
mv "$D/other.iso" "$D/other.moved"
expect_rc 5 $M --sums "$D/sha256sum.txt" --key "$TMP/mint.gpg"
grep -q '^MISSING  *other.iso' "$TMP/out" && ok "missing named" || fail "missing not named"
mv "$D/other.moved" "$D/other.iso"
# JSON
$M --json --sums "$D/sha256sum.txt" --key "$TMP/mint.gpg" >"$TMP/v.json" || true
check "json verdict" '.verdict == "OK" and .exit == 0 and .signature.status == "OK" and (.files | length) == 2' "$TMP/v.json"
# not listed
printf 'x\n' >"$D/unlisted.iso"
expect_rc 6 $M --key "$TMP/mint.gpg" "$D/unlisted.iso"
# tampered file
cp "$D/linuxmint.iso" "$TMP/keep.iso"
printf 'X' | dd of="$D/linuxmint.iso" bs=1 seek=4000000 conv=notrunc 2>/dev/null
expect_rc 1 $M --key "$TMP/mint.gpg" "$D/linuxmint.iso"
grep -q '^MISMATCH' "$TMP/out" && ok "mismatch line" || fail "no mismatch line"
$M --json --key "$TMP/mint.gpg" "$D/linuxmint.iso" >"$TMP/mm.json" || true
check "json mismatch digests" '.exit == 1 and .files[0].verdict == "MISMATCH" and (.files[0].expected | length) == 64 and .files[0].expected != .files[0].actual' "$TMP/mm.json"
cp "$TMP/keep.iso" "$D/linuxmint.iso"
# tampered sums file: the signature fails, no file is called OK
cp "$D/sha256sum.txt" "$TMP/sums.keep"
(cd "$D" && sha256sum unlisted.iso >>sha256sum.txt)
expect_rc 7 $M --key "$TMP/mint.gpg" "$D/unlisted.iso"
grep -q '^OK ' "$TMP/out" && fail "file OK under a bad signature" || ok "nothing OK under a bad signature"
cp "$TMP/sums.keep" "$D/sha256sum.txt"
# wrong key, pinned to another key, no key given
expect_rc 9 $M --key "$TMP/evil.asc" "$D/linuxmint.iso"
gpg --export mint@example.org evil@example.org >"$TMP/both.gpg"
expect_rc 8 $M --key "$TMP/both.gpg" --fingerprint "$EVIL" "$D/linuxmint.iso"
expect_rc 9 $M "$D/linuxmint.iso"
# several key files of different formats (armoured, binary)
expect_rc 0 $M --key "$TMP/evil.asc" --key "$TMP/mint.gpg" --fingerprint "$MINT" "$D/linuxmint.iso"
expect_rc 2 $M --key "$TMP/mint.gpg" --fingerprint 1234 "$D/linuxmint.iso"
# no signature at all: refused unless --no-sig
mkdir "$TMP/nosig" && cp "$D/other.iso" "$D/sha256sum.txt" "$TMP/nosig/"
expect_rc 7 $M --key "$TMP/mint.gpg" "$TMP/nosig/other.iso"
expect_rc 0 $M --no-sig "$TMP/nosig/other.iso"
grep -q 'NOT signed-checked' "$TMP/out" && ok "--no-sig says so" || fail "--no-sig silent"

# Debian layout: SHA256SUMS + SHA256SUMS.sign (armoured), SHA512SUMS
U="$TMP/deb"
mkdir "$U" && cp "$D/linuxmint.iso" "$U/debian.iso"
(cd "$U" && sha512sum debian.iso >SHA512SUMS)
$G -u mint@example.org --armor --detach-sign -o "$U/SHA512SUMS.sign" "$U/SHA512SUMS"
expect_rc 0 $M --key "$TMP/mint.gpg" "$U/debian.iso"
grep -q 'sha512' "$TMP/out" && ok "sha512 from SHA512SUMS" || fail "not sha512"
# Ubuntu layout: SHA256SUMS + SHA256SUMS.gpg, BSD tagged with mixed case hex
(cd "$U" && sha256sum --tag debian.iso | sed 's/= \(.\{10\}\)/= \U\1/' >SHA256SUMS)
grep -q '= [0-9A-F]\{10\}[0-9a-f]' "$U/SHA256SUMS" && ok "mixed case hex" || fail "not mixed case: $(cat "$U/SHA256SUMS")"
$G -u mint@example.org --detach-sign -o "$U/SHA256SUMS.gpg" "$U/SHA256SUMS"
expect_rc 0 $M --sums "$U/SHA256SUMS" --key "$TMP/mint.gpg" "$U/debian.iso"
# escaped names (backslash and newline in the name)
E="$TMP/esc"
mkdir "$E" && printf 'a' >"$E/back\\slash" && printf 'b' >"$E/new
line"
(cd "$E" && sha256sum * >SHA256SUMS)
grep -q '^\\' "$E/SHA256SUMS" && ok "coreutils escaped the names" || fail "no escaped line"
$G -u mint@example.org --detach-sign -o "$E/SHA256SUMS.gpg" "$E/SHA256SUMS"
expect_rc 0 $M --sums "$E/SHA256SUMS" --key "$TMP/mint.gpg"
# weak algorithms
(cd "$U" && md5sum debian.iso >MD5SUMS)
$G -u mint@example.org --detach-sign -o "$U/MD5SUMS.gpg" "$U/MD5SUMS"
expect_rc 11 $M --sums "$U/MD5SUMS" --key "$TMP/mint.gpg" "$U/debian.iso"
expect_rc 0 $M --allow-weak --sums "$U/MD5SUMS" --key "$TMP/mint.gpg" "$U/debian.iso"

# clearsigned with text before and after the block
C="$TMP/clear"
mkdir "$C" && cp "$D/other.iso" "$C/"
(cd "$C" && sha256sum other.iso >sums && printf 'x\n' >evil.iso)
$G -u mint@example.org --clearsign -o "$C/sums.asc" "$C/sums"
{ echo "$(cd "$C" && sha256sum evil.iso)"; cat "$C/sums.asc"; echo "$(cd "$C" && sha256sum evil.iso)"; } >"$C/InRelease"
expect_rc 0 $M --sums "$C/InRelease" --key "$TMP/mint.gpg" "$C/other.iso"
grep -q 'ignored .* before and .* after' "$TMP/out" && ok "outside text reported" || fail "outside text not reported"
expect_rc 6 $M --sums "$C/InRelease" --key "$TMP/mint.gpg" "$C/evil.iso"

# subkey signature, pinned to the primary
$G -u sub@example.org --detach-sign -o "$TMP/sub.sig" "$D/sha256sum.txt"
expect_rc 0 $M --sig "$TMP/sub.sig" --key "$TMP/sub.gpg" --fingerprint "$SUB" "$D/other.iso"
grep -q 'via subkey' "$TMP/out" && ok "subkey named" || fail "subkey not named"
# key that expired after it signed: good, with a note
$G --faked-system-time 20200301T000000! -u old@example.org --detach-sign -o "$TMP/old.sig" "$D/sha256sum.txt" 2>/dev/null
expect_rc 0 $M --sig "$TMP/old.sig" --key "$TMP/old.gpg" "$D/other.iso"
grep -q 'expired .* after it signed' "$TMP/out" && ok "expiry noted" || fail "expiry not noted"
# revoked key
$G -u rev@example.org --detach-sign -o "$TMP/rev.sig" "$D/sha256sum.txt"
sed 's/^:-----/-----/' "$GNUPGHOME/openpgp-revocs.d/$(fpr rev@example.org).rev" >"$TMP/rev.rev"
$G --import "$TMP/rev.rev"
gpg --export rev@example.org >"$TMP/rev.gpg"
expect_rc 10 $M --sig "$TMP/rev.sig" --key "$TMP/rev.gpg" "$D/other.iso"
grep -q 'revoked' "$TMP/out" && ok "revocation named" || fail "revocation not named"

# unsafe inputs: symlinks, a directory, huge and junk sums files
ln -s linuxmint.iso "$D/link.iso"
(cd "$D" && sha256sum link.iso >"$TMP/link.sums")
expect_rc 3 $M --no-sig --sums "$TMP/link.sums" "$D/link.iso"
grep -q 'symbolic link' "$TMP/out" && ok "symlink refused" || fail "symlink not refused: $(cat "$TMP/out")"
expect_rc 0 $M --allow-special --no-sig --sums "$TMP/link.sums" "$D/link.iso"
ln -s "$D/sha256sum.txt" "$TMP/sums-link"
expect_rc 3 $M --key "$TMP/mint.gpg" --sums "$TMP/sums-link" "$D/other.iso"
mkdir "$D/dir.iso"
printf '%064d  dir.iso\n' 0 >"$TMP/dir.sums"
expect_rc 3 $M --no-sig --sums "$TMP/dir.sums" "$D/dir.iso"
grep -q 'directory' "$TMP/out" && ok "directory refused" || fail "directory not refused"
head -c 20000000 /dev/zero | tr '\0' 'a' >"$TMP/huge.sums"
expect_rc 3 $M --no-sig --sums "$TMP/huge.sums" "$D/other.iso"
head -c 100000 /dev/urandom >"$TMP/junk.sums"
expect_rc 3 $M --no-sig --sums "$TMP/junk.sums" "$D/other.iso"

# --hash prints what sha256sum/sha512sum print
(cd "$E" && $MAMORI verify --hash * >"$TMP/h.mine" && sha256sum * >"$TMP/h.gnu")
cmp -s "$TMP/h.mine" "$TMP/h.gnu" && ok "--hash = sha256sum" || fail "--hash differs: $(diff "$TMP/h.mine" "$TMP/h.gnu")"
(cd "$D" && $MAMORI verify --hash --sha512 linuxmint.iso other.iso >"$TMP/h5.mine" && sha512sum linuxmint.iso other.iso >"$TMP/h5.gnu")
cmp -s "$TMP/h5.mine" "$TMP/h5.gnu" && ok "--hash --sha512 = sha512sum" || fail "--hash --sha512 differs"
(cd "$D" && $MAMORI verify --hash --sha384 other.iso | cut -c1-96 >"$TMP/h3.mine"; sha384sum other.iso | cut -c1-96 >"$TMP/h3.gnu")
cmp -s "$TMP/h3.mine" "$TMP/h3.gnu" && ok "--hash --sha384" || fail "--hash --sha384 differs"

# this machine's APT InRelease files, with the Debian archive keyring
KR=/usr/share/keyrings/debian-archive-keyring.gpg
# a Debian archive's InRelease (third-party repositories use other keys)
REL=$(ls /var/lib/apt/lists/*debian.org*_InRelease 2>/dev/null | head -n 1 || true)
if [ -r "$KR" ] && [ -n "$REL" ]; then
	expect_rc 5 $M --json --sums "$REL" --key "$KR"
	check "real InRelease: signature OK" '.signature.status == "OK" and .signature.clearsigned' "$TMP/out"
	# a package index listed in it: apt keeps it recompressed; the listed
	# uncompressed Packages is what apt-helper cat-file gives back
	PK=$(ls "${REL%InRelease}"*_binary-*_Packages* 2>/dev/null | head -n 1 || true)
	if [ -n "$PK" ] && [ -x /usr/lib/apt/apt-helper ]; then
		rel=$(basename "$PK" | sed "s|^$(basename "${REL%InRelease}")||; s|_|/|g; s/\.\(lz4\|gz\|xz\|zst\)$//")
		mkdir -p "$TMP/apt/$(dirname "$rel")"
		/usr/lib/apt/apt-helper cat-file "$PK" >"$TMP/apt/$rel"
		cp "$REL" "$TMP/apt/InRelease"
		(cd "$TMP/apt" && expect_rc 0 $M --sums InRelease --key "$KR" "$rel")
		grep -q "^OK  *$rel  sha256" "$TMP/out" && ok "package index $rel matches" || fail "index line: $(cat "$TMP/out")"
	else
		echo "skip: no package index next to $REL"
	fi
else
	echo "skip: no APT InRelease or Debian archive keyring on this machine"
fi
finish
