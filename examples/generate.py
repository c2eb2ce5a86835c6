#!/usr/bin/env python3
"""Write the sample logs in examples/: a small server's week, deterministic.

    python3 examples/generate.py examples

kern.log: ufw / iptables LOG lines as the kernel writes them: background
noise, a 5060/udp SIP sweep by several hosting-network sources, a SYN port
scan, a FIN and an XMAS scan, IPv6 probes, and this host itself fanning out
to many hosts on 23/tcp (the sign of a compromised server).
auth.log: sshd (OpenSSH 9.x forms) with a brute force, user enumeration,
pre-auth noise, accepted logins, and a forged user name that contains
"from 203.0.113.250".

All addresses are from the documentation ranges (RFC 5737, RFC 3849).
"""
import random
import sys
from datetime import datetime, timedelta, timezone

R = random.Random(20161221)
HOST = "web1"
ME4 = "192.0.2.10"
ME6 = "2001:0db8:0000:0000:0000:0000:0000:0010"
START = datetime(2026, 11, 16, 0, 0, 5, tzinfo=timezone.utc)


def stamp(t):
    return t.strftime("%b %d %H:%M:%S").replace(" 0", "  ", 1) if t.day < 10 else t.strftime("%b %d %H:%M:%S")


def mac():
    return "52:54:00:12:34:56:fe:ed:fa:ce:b0:0c:08:00"


def kline(t, prefix, src, dst, proto, spt=None, dpt=None, flags="SYN", ttl=None, v6=False,
          iface_in="eth0", iface_out=""):
    ttl = ttl or R.choice([47, 50, 53, 113, 238, 243])
    ipid = R.randint(1, 65535)
    if v6:
        head = (f"IN={iface_in} OUT={iface_out} MAC=52:54:00:12:34:56:fe:ed:fa:ce:b0:0c:86:dd "
                f"SRC={src} DST={dst} LEN=80 TC=0 HOPLIMIT={ttl} FLOWLBL={R.randint(0, 1048575)} ")
    elif iface_out and not iface_in:
        head = f"IN= OUT={iface_out} SRC={src} DST={dst} LEN=60 TOS=0x00 PREC=0x00 TTL=64 ID={ipid} DF "
    else:
        head = (f"IN={iface_in} OUT={iface_out} MAC={mac()} SRC={src} DST={dst} LEN=40 "
                f"TOS=0x00 PREC=0x00 TTL={ttl} ID={ipid} ")
    if proto == "TCP":
        body = f"PROTO=TCP SPT={spt} DPT={dpt} WINDOW=1024 RES=0x00 {flags + ' ' if flags else ''}URGP=0 "
    elif proto == "UDP":
        body = f"PROTO=UDP SPT={spt} DPT={dpt} LEN=420 "
    elif proto == "ICMP":
        body = f"PROTO=ICMP TYPE=8 CODE=0 ID={R.randint(1, 65535)} SEQ=1 "
    else:
        body = f"PROTO=ICMPv6 TYPE=128 CODE=0 ID={R.randint(1, 65535)} SEQ=1 "
    up = (t - START).total_seconds() + 86400 * 3
    return f"{stamp(t)} {HOST} kernel: [{up:12.6f}] {prefix}{head}{body}"


def kern(path):
    lines = []
    noise_src = [f"198.51.100.{i}" for i in range(1, 60)] + [f"203.0.113.{i}" for i in range(1, 40)]
    t = START
    # a week of background: scattered probes on common ports
    while t < START + timedelta(days=7):
        t += timedelta(seconds=R.randint(20, 240))
        src = R.choice(noise_src)
        dpt, proto = R.choice([(23, "TCP"), (22, "TCP"), (445, "TCP"), (3389, "TCP"), (80, "TCP"),
                               (8080, "TCP"), (53, "UDP"), (123, "UDP"), (1900, "UDP")])
        if proto == "TCP":
            lines.append((t, kline(t, "[UFW BLOCK] ", src, ME4, "TCP", R.randint(1024, 65535), dpt)))
        else:
            lines.append((t, kline(t, "[UFW BLOCK] ", src, ME4, "UDP", R.randint(1024, 65535), dpt)))
    # the SIP sweep: twelve sources, each walking 192.0.2.0/24 on 5060/udp
    for k in range(12):
        src = f"203.0.113.{100 + k}"
        t = START + timedelta(days=2, hours=k * 3)
        for host in range(1, 40):
            t += timedelta(seconds=R.randint(1, 4))
            lines.append((t, kline(t, "[UFW BLOCK] ", src, f"192.0.2.{host}", "UDP", 5070 + k, 5060)))
    # a SYN port scan, then FIN and XMAS scans, against this host
    for src, flags, day in (("198.51.100.200", "SYN", 3), ("198.51.100.201", "FIN", 4),
                            ("198.51.100.202", "URG PSH FIN", 5)):
        t = START + timedelta(days=day, hours=2)
        for dpt in R.sample(range(1, 1024), 60):
            t += timedelta(seconds=1)
            lines.append((t, kline(t, "iptables-drop: ", src, ME4, "TCP", 40000, dpt, flags)))
    # IPv6 probes
    t = START + timedelta(days=1)
    for i in range(40):
        t += timedelta(minutes=R.randint(5, 60))
        lines.append((t, kline(t, "[UFW BLOCK] ", f"2001:0db8:0bad:0000:0000:0000:0000:{i % 5 + 1:04x}",
                               ME6, "TCP", R.randint(1024, 65535), R.choice([22, 80, 443, 8443]), v6=True)))
    # this host scanning others on 23/tcp: outbound fan-out
    t = START + timedelta(days=6, hours=4)
    for i in range(40):
        t += timedelta(seconds=2)
        lines.append((t, kline(t, "[UFW AUDIT] ", ME4, f"198.51.100.{i + 1}", "TCP", 51000 + i, 23,
                               iface_in="", iface_out="eth0")))
    # a user-space line imitating the kernel: must not count as a packet
    t = START + timedelta(days=3, hours=7)
    lines.append((t, f"{stamp(t)} {HOST} logger[31337]: [UFW BLOCK] IN=eth0 OUT= MAC={mac()} "
                     f"SRC=192.0.2.1 DST={ME4} LEN=40 TOS=0x00 PREC=0x00 TTL=64 ID=1 PROTO=TCP "
                     f"SPT=1 DPT=22 WINDOW=1024 RES=0x00 SYN URGP=0 "))
    lines.sort(key=lambda x: x[0])
    with open(path, "w") as f:
        for _, line in lines:
            f.write(line + "\n")


def auth(path):
    lines = []
    pid = 20000
    t = START

    def add(t, p, msg, prog="sshd"):
        lines.append((t, f"{stamp(t)} {HOST} {prog}[{p}]: {msg}"))

    # benign: admin logins with a key, cron
    for d in range(7):
        t = START + timedelta(days=d, hours=9, minutes=R.randint(0, 50))
        pid += 1
        add(t, pid, f"Accepted publickey for alice from 192.0.2.77 port {R.randint(40000, 60000)} ssh2: "
                    "ED25519 SHA256:Jq1yN0M0e8JmS3T2bq8yXW0P2c3R0Yk7hZtQmUu1aBc")
        add(t, pid, "pam_unix(sshd:session): session opened for user alice(uid=1000) by (uid=0)")
        add(t + timedelta(minutes=1), R.randint(3000, 4000),
            "pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)", prog="CRON")
    # background pre-auth noise
    for i in range(60):
        t = START + timedelta(minutes=R.randint(0, 7 * 24 * 60))
        pid += 1
        src = f"198.51.100.{R.randint(1, 90)}"
        add(t, pid, R.choice([
            f"Connection closed by {src} port {R.randint(1024, 65535)} [preauth]",
            f"Did not receive identification string from {src} port {R.randint(1024, 65535)}",
            f"banner exchange: Connection from {src} port {R.randint(1024, 65535)}: invalid format",
            f"Unable to negotiate with {src} port {R.randint(1024, 65535)}: no matching key exchange "
            "method found. Their offer: diffie-hellman-group14-sha1,diffie-hellman-group1-sha1 [preauth]",
        ]))
    # brute force: 203.0.113.50, dictionary of users, every few seconds
    t = START + timedelta(days=2, hours=14)
    for user in ["root", "admin", "test", "oracle", "ubuntu", "postgres", "git", "user", "pi",
                 "ftpuser", "guest", "support"] * 3:
        t += timedelta(seconds=R.randint(2, 6))
        pid += 1
        port = R.randint(30000, 60000)
        if user == "root":
            add(t, pid, f"Failed password for root from 203.0.113.50 port {port} ssh2")
        else:
            add(t, pid, f"Invalid user {user} from 203.0.113.50 port {port}")
            add(t, pid, f"Failed password for invalid user {user} from 203.0.113.50 port {port} ssh2")
        add(t, pid, f"Connection closed by invalid user {user} 203.0.113.50 port {port} [preauth]"
            if user != "root" else f"Connection closed by authenticating user root 203.0.113.50 port {port} [preauth]")
    # slow brute force from IPv6: one attempt every 40 minutes for a day
    t = START + timedelta(days=4)
    for i in range(30):
        t += timedelta(minutes=40)
        pid += 1
        add(t, pid, f"Failed password for root from 2001:db8:dead::7 port {R.randint(30000, 60000)} ssh2")
    # a forged user name: the source is 198.51.100.99, never 203.0.113.250
    t = START + timedelta(days=5, hours=1)
    for i in range(6):
        t += timedelta(seconds=5)
        pid += 1
        add(t, pid, "Failed password for invalid user root from 203.0.113.250 port 22 ssh2 "
                    f"from 198.51.100.99 port {R.randint(30000, 60000)} ssh2")
    lines.sort(key=lambda x: x[0])
    with open(path, "w") as f:
        for _, line in lines:
            f.write(line + "\n")


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "examples"
    kern(f"{out}/kern.log")
    auth(f"{out}/auth.log")
