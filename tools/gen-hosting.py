#!/usr/bin/env python3
"""Compile data/hosting-asns.tsv into a sorted C table (lib/enrich/hosting.c reads it)."""
import sys


def cstr(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main(src, dst):
    rows = {}
    with open(src, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != 3 or not parts[0].isdigit() or not 0 < int(parts[0]) < 2**32:
                sys.exit(f"{src}:{n}: expected ASN<TAB>PROVIDER<TAB>KIND")
            asn = int(parts[0])
            if asn in rows:
                sys.exit(f"{src}:{n}: AS{asn} listed twice")
            rows[asn] = (parts[1], parts[2])
    with open(dst, "w", encoding="utf-8") as out:
        out.write("/* generated from data/hosting-asns.tsv by tools/gen-hosting.py */\n")
        out.write('#include "lib/enrich/hosting_table.h"\n')
        out.write("const struct mm_hosting_asn mm_hosting_table[] = {\n")
        for asn in sorted(rows):
            out.write(f"\t{{{asn}u, {cstr(rows[asn][0])}, {cstr(rows[asn][1])}}},\n")
        out.write("};\n")
        out.write(f"const unsigned mm_hosting_count = {len(rows)};\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
