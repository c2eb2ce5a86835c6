#!/bin/bash
# Makes the fuzz_pgp seeds in corpus/pgp/ (run from tests/fuzz/): a fresh
# ed25519 key made by gpg in a temporary home, a detached binary and an
# armoured signature, and a clearsigned message with text around it.
# Seed layout: u16le key length, u16le signature length, key, sig, data.
set -eu
out=corpus/pgp
tmp=$(mktemp -d)
trap 'GNUPGHOME=$tmp gpgconf --kill all; rm -rf "$tmp"' EXIT
export GNUPGHOME=$tmp
G="gpg --batch -q --passphrase= --pinentry-mode loopback"
$G --quick-gen-key 'Fuzz Seed <fuzz@example.org>' ed25519 sign never
printf 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  abc\n' >"$tmp/sums"
gpg --export fuzz@example.org >"$tmp/key"
$G --detach-sign -o "$tmp/sig" "$tmp/sums"
$G --armor --detach-sign -o "$tmp/asc" "$tmp/sums"
$G --clearsign -o "$tmp/clear" "$tmp/sums"
seed() { # seed NAME KEYFILE SIGFILE|- DATAFILE
	python3 -c '
import struct, sys
k = open(sys.argv[2], "rb").read()
s = b"" if sys.argv[3] == "-" else open(sys.argv[3], "rb").read()
d = open(sys.argv[4], "rb").read()
open(sys.argv[1], "wb").write(struct.pack("<HH", len(k), len(s)) + k + s + d)' "$@"
}
mkdir -p "$out"
seed "$out/detached" "$tmp/key" "$tmp/sig" "$tmp/sums"
seed "$out/armoured" "$tmp/key" "$tmp/asc" "$tmp/sums"
seed "$out/clearsigned" "$tmp/key" - "$tmp/clear"
{ echo "before"; cat "$tmp/clear"; echo "after"; } >"$tmp/around"
seed "$out/clearsigned-around" "$tmp/key" - "$tmp/around"
gpg --export --armor fuzz@example.org >"$tmp/key.asc"
seed "$out/armoured-key" "$tmp/key.asc" "$tmp/sig" "$tmp/sums"
