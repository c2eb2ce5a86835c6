# SPDX-License-Identifier: MIT
# hold.py ADDR PORT DIR: for the namespace tests. One TCP connection to an
# echo port, kept open; once it is up DIR/up appears, then each DIR/goN
# file (N = 1, 2) makes it send a byte and write DIR/rN: alive (echoed
# within 1 s) or dead.
import os, socket, sys, time

addr, port, d = sys.argv[1], int(sys.argv[2]), sys.argv[3]
s = socket.create_connection((addr, port), timeout=2)
s.sendall(b"0")
s.recv(8)
open(os.path.join(d, "up"), "w").close()
for n in (1, 2):
    while not os.path.exists(os.path.join(d, "go%d" % n)):
        time.sleep(0.05)
    try:
        s.settimeout(1.0)
        s.sendall(b"x")
        r = "alive" if s.recv(8) == b"x" else "dead"
    except OSError:
        r = "dead"
    with open(os.path.join(d, "r%d" % n), "w") as f:
        f.write(r)
