#!/usr/bin/env bash
# Command line basics: help, version, exit codes, clear one-line errors.
. "$(dirname "$0")/lib.sh"

expect_rc 0 "$MAMORI" --version
grep -qE '^mamori [0-9]+\.[0-9]+' "$TMP/out" && ok "version printed" || fail "version"
expect_rc 0 "$MAMORI" --help
grep -q 'logs' "$TMP/out" && ok "help lists logs" || fail "help lists logs"
expect_rc 0 "$MAMORI" help logs
grep -q -- '--findings' "$TMP/out" && ok "help logs" || fail "help logs"
expect_rc 0 "$MAMORI" logs --help
expect_rc 2 "$MAMORI"
expect_rc 2 "$MAMORI" frobnicate
grep_err "no such command 'frobnicate'"
expect_rc 2 "$MAMORI" help frobnicate
expect_rc 2 "$MAMORI" logs --bogus-flag
expect_rc 2 "$MAMORI" logs --port 70000 "$EX/kern.log"
grep_err "^mamori: --port: expected 0-65535, got '70000'$"
expect_rc 2 "$MAMORI" logs --src 10.0.0.0/33 "$EX/kern.log"
grep_err "^mamori: --src:"
expect_rc 2 "$MAMORI" logs --since yesterday "$EX/kern.log"
grep_err "^mamori: --since:"
expect_rc 2 "$MAMORI" logs --proto bogus "$EX/kern.log"
expect_rc 2 "$MAMORI" logs --ssh-failures many "$EX/auth.log"
grep_err "ssh-failures: expected a whole number"
expect_rc 2 "$MAMORI" logs --ssh-window 5parsecs "$EX/auth.log"
grep_err "ssh-window: expected a duration"

# config files: errors name the file and line; nothing partial is applied
printf '[logs]\nssh_failures = 3\nportscan_window = 10x\n' >"$TMP/bad.conf"
expect_rc 2 "$MAMORI" logs --config "$TMP/bad.conf" "$EX/auth.log"
grep_err "bad.conf:3: portscan_window: expected a duration"
printf '[logs]\nno_such_key = 1\n' >"$TMP/bad2.conf"
expect_rc 2 "$MAMORI" logs --config "$TMP/bad2.conf" "$EX/auth.log"
grep_err "bad2.conf:2: unknown setting 'no_such_key'"
printf '[firewal]\nx = 1\n' >"$TMP/bad3.conf"
expect_rc 2 "$MAMORI" logs --config "$TMP/bad3.conf" "$EX/auth.log"
grep_err "bad3.conf:2: unknown section \[firewal\]"
# [firewall] is the firewall's: logs skips it
printf '[firewall]\nallowlist = 192.0.2.1\n[logs]\nssh_failures = 3\n' >"$TMP/fw.conf"
expect_rc 1 "$MAMORI" logs --config "$TMP/fw.conf" "$EX/auth.log"
printf '[logs]\nthis line has no equals sign\n' >"$TMP/bad4.conf"
expect_rc 2 "$MAMORI" logs --config "$TMP/bad4.conf" "$EX/auth.log"
grep_err "bad4.conf:2: syntax error"
expect_rc 2 "$MAMORI" logs --config "$TMP/none.conf" "$EX/auth.log"
grep_err "none.conf: no such file"

# a missing input is named; the report covers the rest; exit 3
expect_rc 3 "$MAMORI" logs --json "$TMP/missing.log" "$EX/auth.log"
grep_err "missing.log"
check "report still produced with the error recorded" \
	'(.inputs | length == 2) and (.inputs[0].error | test("missing.log")) and .lines.read > 0' "$TMP/out"
finish
