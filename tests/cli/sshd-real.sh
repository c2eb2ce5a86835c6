#!/bin/bash
# SPDX-License-Identifier: MIT
#
# sshd-real.sh [EV_DUMP] [CAPTURE_OUT]
#
# Runs a real OpenSSH sshd on loopback (127.0.0.1 and ::1), makes it log
# failed logins, probes and an accepted login through syslog(3), and checks
# what mamori's line pipeline makes of the captured lines.
#
# sshd -E/-e output carries no pid, so it is useless for session
# correlation. Instead sshd logs through syslog(3) to /dev/log as it does in
# production. Inside a private mount namespace (only sshd's view changes) a
# tmpfs is mounted over /dev with the few device nodes sshd needs bind
# mounted back and /dev/log pointing at a small python3 receiver, which
# writes each datagram as an RFC 3164 line with a host name inserted:
#   Nov 21 03:12:45 testhost sshd[PID]: MESSAGE
# so the lines carry sshd's real per-connection pids.
#
# EV_DUMP is the ev_dump helper (default $MM_BUILDDIR/tests/cli/ev_dump).
# With CAPTURE_OUT the captured log is also copied there (that is how
# tests/data/auth-captured.log was made).
#
# Exits 77 (skip) only when sshd cannot run here at all.
set -u

skip() {
	echo "SKIP: $*"
	exit 77
}
fail() {
	echo "FAIL: $*"
	failed=1
}

failed=0
ev_dump=${1:-${MM_BUILDDIR:-.}/tests/cli/ev_dump}
capture_out=${2:-}
sshd_bin=/usr/sbin/sshd

[ "$(id -u)" = 0 ] || skip "needs root (private mount namespace, sshd privilege separation)"
[ -x "$sshd_bin" ] || skip "no $sshd_bin (package openssh-server)"
for c in ssh ssh-keygen python3 unshare mount ss timeout; do
	command -v "$c" >/dev/null 2>&1 || skip "no $c"
done
[ -x "$ev_dump" ] || {
	echo "FAIL: ev_dump helper not found at $ev_dump"
	exit 1
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mamori-sshd.XXXXXX")
chmod 755 "$tmp"
sshd_pid=
recv_pid=
cleanup() {
	[ -n "$sshd_pid" ] && kill "$sshd_pid" 2>/dev/null && wait "$sshd_pid" 2>/dev/null
	[ -n "$recv_pid" ] && kill "$recv_pid" 2>/dev/null && wait "$recv_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

log=$tmp/auth.log

# ---- syslog receiver ------------------------------------------------------
cat >"$tmp/recv.py" <<'EOF'
import os, signal, socket, sys
path, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
os.chmod(path, 0o666)
signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
with open(out, "ab", buffering=0) as f:
    open(path + ".ready", "w").close()
    while True:
        d = s.recv(65536).rstrip(b"\n\0")
        # glibc: "<PRI>Mmm dd hh:mm:ss TAG[PID]: MSG" -> insert the host name
        if d.startswith(b"<"):
            d = d[d.find(b">") + 1:]
        if len(d) > 16 and d[15:16] == b" ":
            d = d[:16] + b"testhost " + d[16:]
        f.write(d.replace(b"\n", b"\\n") + b"\n")
EOF
python3 "$tmp/recv.py" "$tmp/log.sock" "$log" &
recv_pid=$!
for _ in $(seq 50); do
	[ -e "$tmp/log.sock.ready" ] && break
	sleep 0.1
done
[ -e "$tmp/log.sock.ready" ] || skip "syslog receiver did not start"

# ---- sshd -------------------------------------------------------------------
port=$(python3 -c 'import socket
for _ in range(50):
    a = socket.socket(socket.AF_INET, socket.SOCK_STREAM); a.bind(("127.0.0.1", 0)); p = a.getsockname()[1]
    try:
        b = socket.socket(socket.AF_INET6, socket.SOCK_STREAM); b.bind(("::1", p)); b.close()
    except OSError:
        a.close(); continue
    a.close(); print(p); break')
[ -n "$port" ] || skip "no free loopback port on both 127.0.0.1 and ::1"

ssh-keygen -q -t ed25519 -N '' -f "$tmp/hostkey" || skip "ssh-keygen failed"
ssh-keygen -q -t ed25519 -N '' -f "$tmp/goodkey" || skip "ssh-keygen failed"
ssh-keygen -q -t ed25519 -N '' -f "$tmp/wrongkey" || skip "ssh-keygen failed"
cp "$tmp/goodkey.pub" "$tmp/authorized_keys"

cat >"$tmp/sshd_config" <<EOF
Port $port
ListenAddress 127.0.0.1
ListenAddress ::1
HostKey $tmp/hostkey
PidFile none
SyslogFacility AUTH
LogLevel INFO
UsePAM yes
PasswordAuthentication yes
KbdInteractiveAuthentication no
PermitRootLogin yes
DenyUsers daemon
MaxAuthTries 3
StrictModes no
AuthorizedKeysFile $tmp/authorized_keys
UseDNS no
EOF

# /dev of the namespace: a tmpfs with the nodes sshd uses, plus /dev/log
cat >"$tmp/ns.sh" <<EOF
set -e
mkdir -p "$tmp/olddev"
mount --bind /dev "$tmp/olddev"
mount -t tmpfs -o mode=755 tmpfs /dev
for n in null zero full random urandom tty; do
	[ -e "$tmp/olddev/\$n" ] || continue
	touch /dev/\$n
	mount --bind "$tmp/olddev/\$n" /dev/\$n
done
mkdir /dev/pts /dev/shm
[ -d "$tmp/olddev/pts" ] && mount --bind "$tmp/olddev/pts" /dev/pts || true
ln -s pts/ptmx /dev/ptmx
ln -s "$tmp/log.sock" /dev/log
mount -t tmpfs -o mode=755 tmpfs /run
mkdir -m 755 /run/sshd
exec "$sshd_bin" "\$@"
EOF
unshare -m --propagation private sh "$tmp/ns.sh" -t -f "$tmp/sshd_config" 2>"$tmp/sshd-t.err" ||
	skip "sshd cannot run here: $(cat "$tmp/sshd-t.err")"
unshare -m --propagation private sh "$tmp/ns.sh" -D -f "$tmp/sshd_config" 2>"$tmp/sshd.err" &
sshd_pid=$!
up=0
for _ in $(seq 100); do
	if ss -ltn "sport = :$port" | grep -q "127.0.0.1:$port" &&
		ss -ltn "sport = :$port" | grep -q "\[::1\]:$port"; then
		up=1
		break
	fi
	kill -0 "$sshd_pid" 2>/dev/null || break
	sleep 0.1
done
[ "$up" = 1 ] || skip "sshd did not start: $(cat "$tmp/sshd.err")"

# ---- clients ----------------------------------------------------------------
cat >"$tmp/askpass" <<'EOF'
#!/bin/sh
echo 'definitely-wrong-password'
EOF
chmod 755 "$tmp/askpass"

# ssh HOST USER [options...]: password attempts via SSH_ASKPASS, never succeeds
sshpw() {
	local host=$1 user=$2
	shift 2
	SSH_ASKPASS="$tmp/askpass" SSH_ASKPASS_REQUIRE=force DISPLAY=none \
		timeout 20 ssh -n -F none -p "$port" -l "$user" \
		-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
		-o PreferredAuthentications=password -o PubkeyAuthentication=no \
		-o LogLevel=ERROR "$@" "$host" true </dev/null >/dev/null 2>&1
}
sshkey() {
	local host=$1 user=$2 key=$3
	shift 3
	timeout 20 ssh -n -F none -p "$port" -l "$user" -i "$key" -o IdentitiesOnly=yes \
		-o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
		-o PreferredAuthentications=publickey -o LogLevel=ERROR "$@" "$host" true \
		</dev/null >/dev/null 2>&1
}
# raw TCP: send $2 (printf format) then close
rawtcp() {
	python3 - "$1" "$port" "$2" <<'EOF'
import socket, sys, time
host, port, data = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode().decode("unicode_escape").encode("latin-1")
s = socket.create_connection((host, port), timeout=5)
if data:
    s.sendall(data)
    try:
        s.recv(4096); time.sleep(0.3); s.recv(4096)
    except OSError:
        pass
s.close()
EOF
}

# 1. wrong password, valid user, two attempts (IPv4 and IPv6)
sshpw 127.0.0.1 root -o NumberOfPasswordPrompts=2
sshpw ::1 root -o NumberOfPasswordPrompts=1
# 2. invalid user
sshpw 127.0.0.1 nosuchuser -o NumberOfPasswordPrompts=1
# 3. injections in the user name
sshpw 127.0.0.1 'root from 203.0.113.9 port 22 ssh2' -o NumberOfPasswordPrompts=1
sshpw ::1 'x from 203.0.113.9 port 4444 [preauth]' -o NumberOfPasswordPrompts=1
sshpw 127.0.0.1 '' -o NumberOfPasswordPrompts=1
# 4. too many attempts: MaxAuthTries 3, the client would try 4
sshpw 127.0.0.1 root -o NumberOfPasswordPrompts=4
# 5. a user refused by DenyUsers
sshpw 127.0.0.1 daemon -o NumberOfPasswordPrompts=1
# 6. wrong key, valid and invalid user
sshkey 127.0.0.1 root "$tmp/wrongkey"
sshkey ::1 nosuchkeyuser "$tmp/wrongkey"
# 7. kex / host key mismatches
timeout 20 ssh -n -F none -p "$port" -o KexAlgorithms=diffie-hellman-group1-sha1 \
	-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes \
	root@127.0.0.1 true >/dev/null 2>&1
timeout 20 ssh -n -F none -p "$port" -o HostKeyAlgorithms=rsa-sha2-512 \
	-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes \
	root@127.0.0.1 true >/dev/null 2>&1
# 8. banner garbage, silent connect-and-close, bad protocol major version
rawtcp 127.0.0.1 'GET / HTTP/1.0\r\n\r\n'
rawtcp 127.0.0.1 ''
rawtcp ::1 'SSH-1.5-Probe\r\n'
# 9. accepted login
sshkey 127.0.0.1 root "$tmp/goodkey" || fail "accepted login with the good key did not work"

sleep 1
kill "$sshd_pid" 2>/dev/null
wait "$sshd_pid" 2>/dev/null
sshd_pid=
sleep 0.3
kill "$recv_pid" 2>/dev/null
wait "$recv_pid" 2>/dev/null
recv_pid=

[ -s "$log" ] || skip "sshd logged nothing through /dev/log"
if [ -n "$capture_out" ]; then
	{
		echo "# Captured from a real OpenSSH sshd ($("$sshd_bin" -V 2>&1 | head -n1)) on loopback by"
		echo "# tests/cli/sshd-real.sh: syslog(3) lines received on a private /dev/log,"
		echo "# written as RFC 3164 with host 'testhost'. Do not edit; regenerate."
		cat "$log"
	} >"$capture_out"
fi

# ---- checks -------------------------------------------------------------------
"$ev_dump" "$log" >"$tmp/events.json" || fail "ev_dump failed"
python3 - "$log" "$tmp/events.json" <<'EOF' || failed=1
import json, sys
lines = open(sys.argv[1], encoding="utf-8", errors="replace").read().splitlines()
evs = [json.loads(l) for l in open(sys.argv[2])]
bad = []
def need(cond, what):
    if not cond:
        bad.append(what)

loop = {"127.0.0.1", "::1"}
for e in evs:
    need(e.get("src") != "203.0.113.9", "injected address became a source: %r" % e)
    if e["kind"] in ("auth-failure", "auth-success"):
        need(e.get("src") in loop, "auth event without a loopback source: %r" % e)
byline = {e["line"]: e for e in evs}

# every sshd line announcing a failed or refused attempt must be an auth-failure
markers = ("Failed password", "Failed publickey", "Failed none", "Invalid user",
           "authentication failure", "not allowed because", "maximum authentication attempts",
           "Too many authentication failures")
for i, l in enumerate(lines, 1):
    if any(m in l for m in markers):
        e = byline.get(i)
        need(e is not None and e["kind"] == "auth-failure", "line %d not an auth-failure: %s" % (i, l))
    if "Accepted publickey" in l:
        e = byline.get(i)
        need(e is not None and e["kind"] == "auth-success", "line %d not an auth-success: %s" % (i, l))
    if ("kex_exchange_identification" in l or "Unable to negotiate" in l or
            "banner exchange" in l or "[preauth]" in l and "Connection closed" in l):
        e = byline.get(i)
        need(e is not None and e["kind"] in ("probe", "auth-failure"), "line %d not a probe: %s" % (i, l))

users = {}
for e in evs:
    if e["kind"] == "auth-failure" and e.get("counted", True):
        users[e.get("user", "?")] = users.get(e.get("user", "?"), 0) + 1
def counted(user):
    return users.get(user, 0)
# root: 2 + 1 (v6) + 3 (MaxAuthTries) wrong passwords, each counted once
need(counted("root") >= 6, "root counted %d times, want >= 6" % counted("root"))
need(counted("root from 203.0.113.9 port 22 ssh2") == 1,
     "injected user counted %d times, want 1" % counted("root from 203.0.113.9 port 22 ssh2"))
need(counted("nosuchuser") == 1, "nosuchuser counted %d times, want 1" % counted("nosuchuser"))
need(any(e.get("detail") == "invalid-user" and e.get("user") == "" for e in evs),
     "empty user name not reported")
need(any(e.get("detail") == "max-auth-attempts" for e in evs), "no max-auth-attempts event")
need(any(e.get("user") == "daemon" and e["kind"] == "auth-failure" for e in evs), "DenyUsers refusal missing")
need(any(e.get("detail") == "kex-failure" for e in evs), "no kex-failure probe")
need(any(e.get("detail") == "bad-banner" for e in evs), "no bad-banner probe")
need(any(e["kind"] == "auth-failure" and e.get("src") == "::1" for e in evs), "no IPv6 failure")
need(any(e["kind"] == "auth-success" for e in evs), "no accepted login")
for b in bad:
    print("FAIL:", b)
print("%d lines, %d events, counted failures per user: %s" % (len(lines), len(evs), users))
sys.exit(1 if bad else 0)
EOF

if [ "$failed" != 0 ]; then
	echo "--- captured log"
	cat "$log"
	echo "--- events"
	cat "$tmp/events.json"
	exit 1
fi
echo "PASS"
exit 0
