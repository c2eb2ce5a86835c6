#!/usr/bin/env python3
"""Compile data/audit-ports.tsv into a C table (lib/audit/check_exposure.c, check_tls.c)."""
import sys

PROTO = {"tcp": 6, "udp": 17}
ROLES = {"risky": "AUDIT_PORT_RISKY", "tls": "AUDIT_PORT_TLS", "http": "AUDIT_PORT_HTTP"}

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
            if (len(parts) != 4 or not parts[0].isdigit() or parts[1] not in PROTO
                    or parts[2] not in ROLES or not parts[3]):
                sys.exit(f"{src}:{n}: expected PORT<TAB>tcp|udp<TAB>risky|tls|http<TAB>NAME")
            port = int(parts[0])
            if not 0 < port < 65536:
                sys.exit(f"{src}:{n}: port out of range")
            key = (port, parts[1], parts[2])
            if key in seen:
                sys.exit(f"{src}:{n}: duplicate {port}/{parts[1]} {parts[2]}")
            seen.add(key)
            rows.append((port, PROTO[parts[1]], ROLES[parts[2]], parts[3]))
    with open(dst, "w", encoding="utf-8") as out:
        out.write("/* generated from data/audit-ports.tsv by tools/gen-auditports.py */\n")
        out.write('#include "lib/audit/audit_int.h"\n')
        out.write("const struct audit_port audit_ports_table[] = {\n")
        for port, proto, role, name in rows:
            out.write(f"\t{{{port}, {proto}, {role}, {cstr(name)}}},\n")
        out.write("};\n")
        out.write(f"const unsigned audit_ports_count = {len(rows)};\n")

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
