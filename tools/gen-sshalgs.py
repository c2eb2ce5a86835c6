#!/usr/bin/env python3
"""Compile data/ssh-algorithms.tsv into a C table (lib/audit/check_sshd.c reads it)."""
import sys

KINDS = {"kex", "cipher", "mac", "hostkey"}
RATINGS = {"weak", "ok"}

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
            if len(parts) != 4 or parts[0] not in KINDS or parts[2] not in RATINGS:
                sys.exit(f"{src}:{n}: expected KIND<TAB>NAME<TAB>weak|ok<TAB>WHY")
            if (parts[0], parts[1]) in seen:
                sys.exit(f"{src}:{n}: duplicate {parts[0]} {parts[1]}")
            seen.add((parts[0], parts[1]))
            rows.append(parts)
    with open(dst, "w", encoding="utf-8") as out:
        out.write("/* generated from data/ssh-algorithms.tsv by tools/gen-sshalgs.py */\n")
        out.write('#include "lib/audit/audit_int.h"\n')
        out.write("const struct mm_sshalg mm_sshalgs_table[] = {\n")
        for kind, name, rating, why in rows:
            out.write(f"\t{{{cstr(kind)}, {cstr(name)}, {cstr(rating)}, {cstr(why)}}},\n")
        out.write("};\n")
        out.write(f"const unsigned mm_sshalgs_count = {len(rows)};\n")

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
