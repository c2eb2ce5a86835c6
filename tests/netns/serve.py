# SPDX-License-Identifier: MIT
# serve.py PORT/PROTO...: for the namespace tests. PROTO tcp accepts and
# closes each connection, udp echoes each datagram, echo (TCP) echoes
# what a connection sends; each on 0.0.0.0 and [::]. Prints "ready".
import socket, sys, threading


def sock(fam, kind):
    s = socket.socket(fam, kind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if fam == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    return s


def tcp(fam, addr, port):
    s = sock(fam, socket.SOCK_STREAM)
    s.bind((addr, port))
    s.listen(64)
    while True:
        c, _ = s.accept()
        c.close()


def echo(fam, addr, port):
    s = sock(fam, socket.SOCK_STREAM)
    s.bind((addr, port))
    s.listen(64)

    def serve(c):
        while True:
            d = c.recv(64)
            if not d:
                break
            c.sendall(d)
        c.close()

    while True:
        c, _ = s.accept()
        threading.Thread(target=serve, args=(c,), daemon=True).start()


def udp(fam, addr, port):
    s = sock(fam, socket.SOCK_DGRAM)
    s.bind((addr, port))
    while True:
        d, a = s.recvfrom(2048)
        s.sendto(d, a)


for spec in sys.argv[1:]:
    port, proto = spec.split("/")
    for fam, addr in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
        fn = {"tcp": tcp, "udp": udp, "echo": echo}[proto]
        threading.Thread(target=fn, args=(fam, addr, int(port)), daemon=True).start()
print("ready", flush=True)
threading.Event().wait()
