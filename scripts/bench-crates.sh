#!/usr/bin/env bash
# bench-crates.sh: time `rvendor update` of bindgen 0.60.1's whole closure
# (42 crates, Debian's real sources packed into .crate files) from a warm
# cache of .crate files, against `cargo vendor --respect-source-config
# --offline` vendoring the same crates from the same sources unpacked as a
# cargo directory source. The target (issue 4): rvendor <= cargo vendor,
# although rvendor also decompresses, checks and hashes every file (and
# asks the loopback sparse index about each crate).
#
# Needs Debian's crates (bash .ci/realdata.sh, or RVENDOR_REALDATA), go,
# cargo, and hyperfine (apt-get install -y hyperfine).
# Usage: scripts/bench-crates.sh [WORKDIR]   (RUNS=N sets hyperfine's runs)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
src=${RVENDOR_REALDATA:-/var/cache/rvendor-realdata}/crates-bindgen/usr/share/cargo/registry
work=${1:-$(mktemp -d /tmp/rvendor-bench-crates.XXXXXX)}
runs=${RUNS:-20}
[ -d "$src" ] || { echo "bench-crates: $src not found: run bash .ci/realdata.sh" >&2; exit 2; }
for tool in hyperfine go cargo; do
	command -v "$tool" >/dev/null || { echo "bench-crates: $tool not found" >&2; exit 2; }
done
mkdir -p "$work"
work=$(cd "$work" && pwd)
echo "# work folder: $work"

echo "# building rvendor and the test registry"
(cd "$repo" && CGO_ENABLED=0 go build -trimpath -o "$work/rvendor" ./cmd/rvendor && go build -o "$work/mkregistry" ./internal/registry/mkregistry)
rm -rf "$work/reg"
"$work/mkregistry" -source "$src" -out "$work/reg" -dirsource -serve >"$work/index.url" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -s "$work/index.url" ] && break; sleep 0.1; done
index=$(cat "$work/index.url")

# rvendor: a tree whose spec vendors bindgen with the generated lock.
rm -rf "$work/kernel" && mkdir -p "$work/kernel"
cp "$work/reg/Cargo.lock" "$work/kernel/bindgen.Cargo.lock"
cat >"$work/kernel/rvendor.toml" <<TOML
version = 1

[sources]
crates-index = "$index"

[[component]]
name = "bindgen"
kind = "crate"
version = "0.60.1"
lockfile = "bindgen.Cargo.lock"
dest = "third_party/bindgen"
TOML
export RVENDOR_CACHE=$work/cache
"$work/rvendor" -C "$work/kernel" update -q # warms the cache

# cargo vendor: the root crate as a project, crates.io replaced by the
# directory source of the same crates.
rm -rf "$work/proj" && cp -r "$work/reg/work/bindgen-0.60.1" "$work/proj"
cp "$work/reg/Cargo.lock" "$work/proj/Cargo.lock"
mkdir -p "$work/proj/.cargo"
printf '[source.crates-io]\nreplace-with = "dirsrc"\n[source.dirsrc]\ndirectory = "%s"\n' "$work/reg/dirsrc" >"$work/proj/.cargo/config.toml"
export CARGO_HOME=$work/cargo-home

files=$(find "$work/kernel/third_party/bindgen" -type f | wc -l)
bytes=$(du -sb "$work/kernel/third_party/bindgen" | cut -f1)
echo "# closure: $(ls "$work/reg/dirsrc" | wc -l) crates; rvendor's dest: $files files, $bytes bytes"
cd "$work/proj"
# Both write into an empty destination: the previous output is removed
# before each run, outside the timing.
hyperfine --warmup 2 --runs "$runs" --export-markdown "$work/bench.md" \
	--prepare "rm -rf $work/cv" \
	-n "cargo vendor (directory source)" "cargo vendor --respect-source-config --offline --locked -q $work/cv >/dev/null" \
	--prepare "rm -rf $work/kernel/third_party $work/kernel/rvendor.lock $work/kernel/rvendor.sum" \
	-n "rvendor update (warm .crate cache)" "$work/rvendor -C $work/kernel update -q"
cat "$work/bench.md"
