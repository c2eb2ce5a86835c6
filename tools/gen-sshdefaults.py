#!/usr/bin/env python3
"""Compile data/ssh-defaults.tsv into a C table (lib/audit/check_sshd.c reads it)."""
import re
import sys

KINDS = {"kex", "cipher", "mac", "hostkey"}
VER = re.compile(r"^([0-9]+)\.([0-9])$")

def ver(s, src, n):
    if s == "-":
        return 0
    m = VER.match(s)
    if not m:
        sys.exit(f"{src}:{n}: version {s!r} is not MAJOR.MINOR or -")
    return int(m.group(1)) * 10 + int(m.group(2))

def cstr(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'

def main(src, dst):
    rows, seen = [], set()
    with open(src, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != 4 or parts[0] not in KINDS or not parts[1]:
                sys.exit(f"{src}:{n}: expected KIND<TAB>NAME<TAB>SINCE<TAB>UNTIL")
            since, until = ver(parts[2], src, n), ver(parts[3], src, n)
            if since == 0 or (until and until <= since):
                sys.exit(f"{src}:{n}: empty version range")
            if (parts[0], parts[1]) in seen:
                sys.exit(f"{src}:{n}: duplicate {parts[0]} {parts[1]}")
            seen.add((parts[0], parts[1]))
            rows.append((parts[0], parts[1], since, until))
    newest = max(max(r[2], r[3]) for r in rows)
    with open(dst, "w", encoding="utf-8") as out:
        out.write("/* generated from data/ssh-defaults.tsv by tools/gen-sshdefaults.py */\n")
        out.write('#include "lib/audit/audit_int.h"\n')
        out.write("const struct mm_sshdef mm_sshdefs_table[] = {\n")
        for kind, name, since, until in rows:
            out.write(f"\t{{{cstr(kind)}, {cstr(name)}, {since}, {until}}},\n")
        out.write("};\n")
        out.write(f"const unsigned mm_sshdefs_count = {len(rows)};\n")
        out.write(f"const unsigned mm_sshdefs_newest = {newest};\n")

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
