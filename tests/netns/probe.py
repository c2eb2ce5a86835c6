# SPDX-License-Identifier: MIT
# probe.py tcp|udp ADDR PORT [COUNT] [SOURCE]: for the namespace tests.
# Prints open, refused or timeout (1 s) for each of COUNT attempts
# (default 1), from the local address SOURCE when given. A UDP attempt is
# open when the datagram is echoed.
import socket, sys

proto, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
count, source = 1, None
for a in sys.argv[4:]:
    if a.isdigit():
        count = int(a)
    else:
        source = a
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
out = []
for _ in range(count):
    s = socket.socket(fam, socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM)
    s.settimeout(1.0)
    try:
        if source:
            s.bind((source, 0))
        s.connect((addr, port))
        if proto == "udp":
            s.send(b"ping")
            s.recv(64)
        out.append("open")
    except ConnectionRefusedError:
        out.append("refused")
    except (socket.timeout, TimeoutError):
        out.append("timeout")
    except OSError as e:
        out.append("error:%d" % e.errno)
    finally:
        s.close()
print(" ".join(out))
