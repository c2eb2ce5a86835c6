# shellcheck shell=bash
# Sourced by ./run and ./test: install the Debian/Ubuntu packages mamori
# needs, only those missing, with sudo when not root.

MM_BUILD_PKGS="meson ninja-build pkg-config gcc libc6-dev python3 scdoc
  zlib1g-dev libzstd-dev libsystemd-dev libinih-dev libmaxminddb-dev libc-ares-dev
  libnftables-dev libjansson-dev librnp-dev libssl-dev libnetfilter-conntrack-dev"
MM_TEST_PKGS="clang libcmocka-dev jq nftables iproute2 openssh-server openssh-client
  zstd gzip procps util-linux systemd-journal-remote
  dnsmasq-base chromium mmdb-bin gnupg openssl iptables"

mm_missing() {
	local p missing=""
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
			missing="$missing $p"
	done
	echo "$missing"
}

mm_apt() {
	if [ "$(id -u)" -eq 0 ]; then
		DEBIAN_FRONTEND=noninteractive apt-get "$@"
	else
		sudo DEBIAN_FRONTEND=noninteractive apt-get "$@"
	fi
}

mm_install() {
	local missing
	if ! command -v dpkg-query >/dev/null || ! command -v apt-get >/dev/null; then
		echo "mamori: this script installs packages with apt-get (Debian/Ubuntu);" \
			"install the equivalents of: $*" >&2
		return 0
	fi
	missing=$(mm_missing "$@")
	[ -z "$missing" ] && return 0
	echo "mamori: installing:$missing" >&2
	# update only when an install is needed, and once per run
	if [ -z "${MM_APT_UPDATED:-}" ]; then
		mm_apt update -qq >&2
		MM_APT_UPDATED=1
	fi
	# shellcheck disable=SC2086
	mm_apt install -y -qq --no-install-recommends $missing >&2
}

mm_install_build_deps() {
	# shellcheck disable=SC2086
	mm_install $MM_BUILD_PKGS
}

# npm fetches the open geo data; any npm on PATH will do.
mm_install_npm() {
	command -v npm >/dev/null 2>&1 || mm_install npm
}

mm_install_test_deps() {
	local v rt
	# shellcheck disable=SC2086
	mm_install $MM_BUILD_PKGS $MM_TEST_PKGS
	mm_install_npm
	# libFuzzer and the sanitizer runtimes ship in libclang-rt-N-dev on
	# newer releases; on older ones they come with clang itself.
	v=$(clang --version 2>/dev/null | sed -n 's/.*clang version \([0-9]*\).*/\1/p' | head -n1)
	rt="libclang-rt-$v-dev"
	if [ -n "$v" ] && apt-cache show "$rt" >/dev/null 2>&1; then
		mm_install "$rt"
	fi
}
