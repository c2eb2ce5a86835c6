# shellcheck shell=bash
# Helpers for CLI tests: sourced by each tests/cli/NN-*.sh.
set -euo pipefail
: "${MAMORI:?MAMORI must point at the mamori binary}"
: "${MM_SRCDIR:?}"
EX="$MM_SRCDIR/examples"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/mamori-cli.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
export MAMORI_NO_PROGRESS=1 TZ=UTC
fails=0

fail() {
	echo "FAIL: $*" >&2
	fails=$((fails + 1))
}

ok() {
	echo "ok: $*"
}

# expect_rc WANT CMD...: run CMD, compare its exit status.
expect_rc() {
	local want=$1 rc=0
	shift
	"$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
	if [ "$rc" -ne "$want" ]; then
		fail "exit $rc, want $want: $*"
		sed 's/^/  stderr: /' "$TMP/err" | head -n 5 >&2
	else
		ok "exit $want: $*"
	fi
}

# check DESCRIPTION JQ-EXPR FILE: the jq expression must print true.
check() {
	local got
	got=$(jq -e "$2" "$3" 2>&1) || true
	if [ "$got" = "true" ]; then ok "$1"; else fail "$1 (jq: $2 -> $got)"; fi
}

# grep_err PATTERN: stderr of the last expect_rc must match.
grep_err() {
	if grep -qE "$1" "$TMP/err"; then ok "stderr has /$1/"; else
		fail "stderr lacks /$1/: $(head -c 300 "$TMP/err")"
	fi
}

finish() {
	if [ "$fails" -ne 0 ]; then
		echo "$fails check(s) failed" >&2
		exit 1
	fi
}
