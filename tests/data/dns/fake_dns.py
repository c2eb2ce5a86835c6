#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A misbehaving DNS server on 127.0.0.1 for tests/unit/test_dnsbl.c.

    fake_dns.py --mode MODE --port-file FILE [--stats FILE] [--delay-ms N]

Binds UDP 127.0.0.1 on a free port and writes the port to --port-file once
it listens. Modes:

  servfail  every query gets SERVFAIL
  refused   every query gets REFUSED
  silent    never answers
  garbage   a reply with the query's id and question, then random bytes
  random    random bytes (sometimes the query's id first, sometimes empty)
  delay     answers after --delay-ms (default 1500): A of a name whose first
            label is "2" gets 127.0.0.2, anything else NXDOMAIN
  evilptr   PTR queries get a name with control bytes and escapes, A/AAAA
            queries NXDOMAIN

--stats FILE is rewritten after every query and answer with
"total=N max_outstanding=M": queries received, and the most queries that
were received but not yet answered at one time (delay mode).
"""
import argparse
import heapq
import os
import random
import select
import socket
import struct
import time


def parse_query(msg):
    """Return (id, flags, question bytes, qname labels, qtype) or None."""
    if len(msg) < 12:
        return None
    qid, flags, qd = struct.unpack(">HHH", msg[:6])
    if qd != 1:
        return None
    pos, labels = 12, []
    while True:
        if pos >= len(msg):
            return None
        n = msg[pos]
        if n == 0:
            pos += 1
            break
        if n > 63 or pos + 1 + n > len(msg):
            return None
        labels.append(msg[pos + 1:pos + 1 + n])
        pos += 1 + n
    if pos + 4 > len(msg):
        return None
    qtype = struct.unpack(">H", msg[pos:pos + 2])[0]
    return qid, flags, msg[12:pos + 4], labels, qtype


def header(qid, rcode, an, aa=True):
    flags = 0x8000 | (0x0400 if aa else 0) | 0x0100 | 0x0080 | rcode
    return struct.pack(">HHHHHH", qid, flags, 1, an, 0, 0)


def rr_ptr_to_question(rtype, rdata, ttl=60):
    # name: compression pointer to the question at offset 12
    return struct.pack(">HHHIH", 0xC00C, rtype, 1, ttl, len(rdata)) + rdata


def reply(q, rcode, answers=()):
    qid, _, question, _, _ = q
    return header(qid, rcode, len(answers)) + question + b"".join(answers)


def answer_delay(q):
    _, _, _, labels, qtype = q
    if qtype == 1 and labels and labels[0] == b"2":
        return reply(q, 0, [rr_ptr_to_question(1, bytes([127, 0, 0, 2]))])
    return reply(q, 3)


def evil_name():
    # labels with ESC, NUL, newline, quote, backslash and a dot inside a label
    labels = [b"\x1b[31mred", b"a\x00b", b"new\nline", b'q"uote', b"back\\slash",
              b"dot.inside", b"evil", b"test"]
    return b"".join(bytes([len(lab)]) + lab for lab in labels) + b"\x00"


def answer(mode, q):
    qid, _, question, labels, qtype = q
    if mode == "servfail":
        return reply(q, 2)
    if mode == "refused":
        return reply(q, 5)
    if mode == "garbage":
        tail = bytes(random.getrandbits(8) for _ in range(random.randint(0, 40)))
        return header(qid, 0, 1) + question + tail
    if mode == "random":
        n = random.randint(0, 80)
        body = bytes(random.getrandbits(8) for _ in range(n))
        if random.random() < 0.7 and n >= 2:
            body = struct.pack(">H", qid) + body[2:]
        return body
    if mode == "evilptr":
        if qtype == 12:
            return reply(q, 0, [rr_ptr_to_question(12, evil_name())])
        return reply(q, 3)
    return answer_delay(q)


def write_stats(path, total, maxout):
    if not path:
        return
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("total=%d max_outstanding=%d\n" % (total, maxout))
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", required=True,
                    choices=["servfail", "refused", "silent", "garbage", "random",
                             "delay", "evilptr"])
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--stats")
    ap.add_argument("--delay-ms", type=int, default=1500)
    a = ap.parse_args()

    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % s.getsockname()[1])
    os.replace(tmp, a.port_file)

    pending = []  # (due, seq, peer, bytes)
    seq = total = maxout = 0
    while True:
        now = time.monotonic()
        while pending and pending[0][0] <= now:
            _, _, peer, data = heapq.heappop(pending)
            s.sendto(data, peer)
            write_stats(a.stats, total, maxout)
        wait = max(0.0, pending[0][0] - now) if pending else None
        r, _, _ = select.select([s], [], [], wait)
        if not r:
            continue
        msg, peer = s.recvfrom(4096)
        total += 1
        q = parse_query(msg)
        if q is None or a.mode == "silent":
            write_stats(a.stats, total, maxout)
            continue
        data = answer(a.mode, q)
        if a.mode == "delay":
            seq += 1
            heapq.heappush(pending, (time.monotonic() + a.delay_ms / 1000.0, seq, peer, data))
            maxout = max(maxout, len(pending))
        else:
            s.sendto(data, peer)
        write_stats(a.stats, total, maxout)


if __name__ == "__main__":
    main()
