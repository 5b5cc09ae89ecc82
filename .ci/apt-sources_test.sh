#!/usr/bin/env bash
# Tests .ci/apt-sources.sh on fixture apt folders (APT_ETC): the deb-src
# line comes from the machine's own "deb" entries (one-line and deb822),
# an existing deb-src entry is used as it is, and rvendor-src.list is
# written only when its content changes. Run: bash .ci/apt-sources_test.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { # check NAME GOT WANT
	if [ "$2" != "$3" ]; then
		printf 'FAIL %s\n got: %s\nwant: %s\n' "$1" "$2" "$3" >&2
		fail=1
	fi
}
# run ETC CMD...: runs CMD with the helpers sourced and APT_ETC=ETC.
run() {
	local etc=$1
	shift
	APT_ETC=$etc bash -c '. "$0"; "$@"' "$here/apt-sources.sh" "$@"
}

# deb822, as Debian 12 images ship it: a mirror that is not deb.debian.org,
# a disabled stanza and one with an inline key are never the model.
e=$tmp/deb822
mkdir -p "$e/sources.list.d"
cat >"$e/sources.list.d/debian.sources" <<'EOF'
# comment
Types: deb
URIs: http://mirror.example.org/debian-disabled
Suites: bookworm
Components: main
Enabled: no

Types: deb
URIs: http://inline.example.org/debian
Suites: bookworm
Components: main
Signed-By:
 -----BEGIN PGP PUBLIC KEY BLOCK-----
 .
 xyz
 -----END PGP PUBLIC KEY BLOCK-----

types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://mirror.example.org/debian
Suites: bookworm bookworm-updates
Components: main contrib
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
check deb822 "$(run "$e" deb_src_line bookworm main)" \
	"deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://mirror.example.org/debian bookworm main"
check deb822-updates "$(run "$e" deb_src_line bookworm-updates contrib)" \
	"deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://mirror.example.org/debian bookworm-updates contrib"
if run "$e" deb_src_line bookworm non-free 2>/dev/null; then
	check no-entry "a line" "a failure"
fi

# One-line format: options with spaces, comments, deb-src lines skipped.
e=$tmp/oneline
mkdir -p "$e/sources.list.d"
cat >"$e/sources.list" <<'EOF'
# deb http://commented.example.org/debian bookworm main
deb-src http://src-other.example.org/debian bullseye main
deb [ arch=amd64 signed-by=/k.gpg ] https://mirror.example.net/debian/ bookworm main non-free # trailing
EOF
check one-line "$(run "$e" deb_src_line bookworm main)" \
	"deb-src [arch=amd64 signed-by=/k.gpg] https://mirror.example.net/debian/ bookworm main"
cat >"$e/sources.list.d/plain.list" <<'EOF'
deb http://plain.example.org/debian bookworm-backports main
EOF
check one-line-no-options "$(run "$e" deb_src_line bookworm-backports main)" \
	"deb-src http://plain.example.org/debian bookworm-backports main"

# ensure_deb_src writes rvendor-src.list once, then leaves it alone.
out=$(run "$e" bash -c '. "$0"; ensure_deb_src bookworm main; echo "$deb_src_file $deb_src_changed"' "$here/apt-sources.sh")
check ensure-writes "$out" "$e/sources.list.d/rvendor-src.list 1"
check ensure-content "$(cat "$e/sources.list.d/rvendor-src.list")" \
	"deb-src [arch=amd64 signed-by=/k.gpg] https://mirror.example.net/debian/ bookworm main"
touch -d 2000-01-01 "$e/sources.list.d/rvendor-src.list"
out=$(run "$e" bash -c '. "$0"; ensure_deb_src bookworm main; echo "$deb_src_file $deb_src_changed"' "$here/apt-sources.sh")
check ensure-idempotent "$out" "$e/sources.list.d/rvendor-src.list "
check ensure-untouched "$(date -r "$e/sources.list.d/rvendor-src.list" +%Y)" 2000

# An old rvendor-src.list with another host is rewritten from the deb entries.
echo 'deb-src http://deb.debian.org/debian bookworm main' >"$e/sources.list.d/rvendor-src.list"
out=$(run "$e" bash -c '. "$0"; ensure_deb_src bookworm main; echo "$deb_src_changed"' "$here/apt-sources.sh")
check ensure-rewrites "$out" 1
check ensure-rewritten "$(cat "$e/sources.list.d/rvendor-src.list")" \
	"deb-src [arch=amd64 signed-by=/k.gpg] https://mirror.example.net/debian/ bookworm main"

# A deb-src entry the machine already has (deb822 here) is used as it is.
cat >"$e/sources.list.d/src.sources" <<'EOF'
Types: deb deb-src
URIs: https://mirror.example.net/debian/
Suites: bookworm
Components: main
EOF
out=$(run "$e" bash -c '. "$0"; ensure_deb_src bookworm main; echo "$deb_src_file $deb_src_changed"' "$here/apt-sources.sh")
check ensure-existing "$out" "$e/sources.list.d/src.sources "

if [ "$fail" = 0 ]; then
	echo "ok: apt-sources"
fi
exit "$fail"
