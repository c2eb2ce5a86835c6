#!/usr/bin/env python3
"""Compile data/services.tsv into a sorted C table (lib/core/services.c reads it)."""
import sys

PROTO = {"tcp": 6, "udp": 17, "sctp": 132}

def cstr(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'

def main(src, dst):
    rows = []
    with open(src, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != 4 or parts[1] not in PROTO or not parts[0].isdigit():
                sys.exit(f"{src}:{n}: expected PORT<TAB>tcp|udp<TAB>NAME<TAB>DESCRIPTION")
            port = int(parts[0])
            if not 0 < port < 65536:
                sys.exit(f"{src}:{n}: port out of range")
            rows.append((PROTO[parts[1]], port, parts[2], parts[3]))
    rows.sort()
    for a, b in zip(rows, rows[1:]):
        if a[:2] == b[:2]:
            sys.exit(f"{src}: duplicate entry {a[1]}/{a[0]}")
    with open(dst, "w", encoding="utf-8") as out:
        out.write("/* generated from data/services.tsv by tools/gen-services.py */\n")
        out.write('#include "mamori/services.h"\n')
        out.write("const struct mm_service mm_services_table[] = {\n")
        for proto, port, name, desc in rows:
            out.write(f"\t{{{proto}, {port}, {cstr(name)}, {cstr(desc)}}},\n")
        out.write("};\n")
        out.write(f"const unsigned mm_services_count = {len(rows)};\n")

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
