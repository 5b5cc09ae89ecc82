#!/usr/bin/env bash
# Installs the real upstream inputs the real-data tests use (Debian's Rust
# sources, compilers, crates and kernel trees) into $RVENDOR_REALDATA
# (default /var/cache/rvendor-realdata). Each fragment in .ci/realdata.d/
# fetches one input, is idempotent, and leaves a ".done" marker so a re-run
# is quick. Needs apt (run as root); no other network.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export RVENDOR_REALDATA=${RVENDOR_REALDATA:-/var/cache/rvendor-realdata}
mkdir -p "$RVENDOR_REALDATA/debs"
export DEBIAN_FRONTEND=noninteractive

# apt-get update once per run, only when a fragment needs it.
apt_updated=
apt_update() {
	if [ -z "$apt_updated" ]; then
		apt-get update -qq
		apt_updated=1
	fi
}
# deb_x PKG DIR: download PKG (no install) and unpack it into DIR.
deb_x() {
	local pkg=$1 dir=$2
	apt_update
	(cd "$RVENDOR_REALDATA/debs" && apt-get download -qq "$pkg" 2>/dev/null)
	mkdir -p "$dir"
	local deb
	deb=$(ls -t "$RVENDOR_REALDATA/debs/${pkg}"_*.deb | head -n 1)
	dpkg-deb -x "$deb" "$dir"
}
export -f apt_update deb_x 2>/dev/null || true
# ensure_deb_src: a deb-src entry made from the machine's own apt sources.
# shellcheck source=apt-sources.sh
. "$here/apt-sources.sh"

for f in "$here"/realdata.d/*.sh; do
	name=$(basename "$f" .sh)
	if [ -e "$RVENDOR_REALDATA/$name.done" ]; then
		continue
	fi
	echo "realdata: $name"
	# shellcheck source=/dev/null
	. "$f"
	touch "$RVENDOR_REALDATA/$name.done"
done
