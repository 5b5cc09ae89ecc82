#!/usr/bin/env bash
# bench-extract.sh: time taking library/core, library/alloc,
# library/stdarch/crates/core_arch and library/portable-simd/crates/core_simd
# out of the real rustc-1.63.0-src tarball (Debian's
# rustc_1.63.0+dfsg1.orig.tar.xz, 51,690 entries, 435 MB unpacked) with
# `rvendor update` against GNU tar given the same paths, for the .tar.xz and
# for a .tar.gz of the same tree, in one run, and report peak memory.
#
#   xz:  rvendor update  <= 0.9 x  tar -xJf TARBALL PATHS...
#   gz:  rvendor update  <= 0.6 x  tar -xzf TARBALL PATHS...
#   peak RSS of rvendor < 64 MiB
#
# rvendor's figure is a whole `rvendor update` of an archive component into
# a tree that does not have it yet, as tar's is an extraction into an empty
# folder (each side's output is removed before each run, outside the
# timing): re-hash of the cached tarball, streaming extraction, hashing,
# staging, flushing to disk, atomic swap, lock and sum, so it does more
# than tar.
# Needs bash .ci/realdata.sh (or RVENDOR_REALDATA), hyperfine and GNU time.
# Usage: scripts/bench-extract.sh [WORKDIR]   (RUNS=N sets hyperfine's runs)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
orig=${RVENDOR_REALDATA:-/var/cache/rvendor-realdata}/rustc-orig/rustc_1.63.0+dfsg1.orig.tar.xz
work=${1:-$(mktemp -d /tmp/rvendor-bench-extract.XXXXXX)}
runs=${RUNS:-5}
[ -f "$orig" ] || { echo "bench-extract: $orig not found: run bash .ci/realdata.sh" >&2; exit 2; }
for tool in hyperfine /usr/bin/time go tar xz gzip; do
	command -v "$tool" >/dev/null || { echo "bench-extract: $tool not found (apt-get install -y hyperfine time)" >&2; exit 2; }
done
mkdir -p "$work"
work=$(cd "$work" && pwd)
echo "# work folder: $work"
(cd "$repo" && CGO_ENABLED=0 go build -trimpath -o "$work/rvendor" ./cmd/rvendor)
rv=$work/rvendor

cp "$orig" "$work/rustc-1.63.0-src.tar.xz"
if [ ! -f "$work/rustc-1.63.0-src.tar.gz" ]; then
	echo "# making a .tar.gz of the same tree (gzip -6)"
	xz -dc "$work/rustc-1.63.0-src.tar.xz" | gzip -6 > "$work/rustc-1.63.0-src.tar.gz"
fi
top=rustc-1.63.0-src
paths=(library/core library/alloc library/stdarch/crates/core_arch library/portable-simd/crates/core_simd)
tarpaths=()
for p in "${paths[@]}"; do tarpaths+=("$top/$p"); done

export RVENDOR_CACHE=$work/cache
for fmt in xz gz; do
	tree=$work/tree-$fmt
	mkdir -p "$tree"
	sha=$(sha256sum "$work/$top.tar.$fmt" | cut -d' ' -f1)
	{
		echo 'version = 1'
		echo '[[component]]'
		echo 'name = "rust-library"'
		echo 'kind = "archive"'
		echo 'version = "1.63.0"'
		echo "url = \"file://$work/$top.tar.$fmt\""
		echo "sha256 = \"$sha\""
		echo "root = \"$top/library\""
		printf 'paths = ['
		sep=
		for p in "${tarpaths[@]}"; do printf '%s"%s"' "$sep" "$p"; sep=', '; done
		echo ']'
		echo 'dest = "rust/vendor/library"'
	} > "$tree/rvendor.toml"
	"$rv" -C "$tree" -q update # fills the cache
done

flag() { [ "$1" = xz ] && echo J || echo z; }
for fmt in xz gz; do
	echo
	echo "## .tar.$fmt"
	hyperfine -N --runs "$runs" --warmup 1 --export-json "$work/hf-$fmt.json" \
		--prepare "bash -c 'rm -rf $work/tar-out; mkdir $work/tar-out'" \
		-n "tar" "tar -x$(flag $fmt)f $work/$top.tar.$fmt -C $work/tar-out ${tarpaths[*]}" \
		--prepare "bash -c 'rm -rf $work/tree-$fmt/rust $work/tree-$fmt/rvendor.lock $work/tree-$fmt/rvendor.sum'" \
		-n "rvendor" "$rv -C $work/tree-$fmt -q update"
	rm -rf "$work/tree-$fmt/rust" "$work/tree-$fmt/rvendor.lock" "$work/tree-$fmt/rvendor.sum"
	/usr/bin/time -f "%M" -o "$work/rss-$fmt" "$rv" -C "$work/tree-$fmt" -q update
done

echo
python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
for fmt, target in (("xz", 0.9), ("gz", 0.6)):
    r = {x["command"]: x for x in json.load(open(f"{work}/hf-{fmt}.json"))["results"]}
    tar, rv = r["tar"]["median"], r["rvendor"]["median"]
    rss = int(open(f"{work}/rss-{fmt}").read().split()[-1]) / 1024
    ok = "OK" if rv / tar <= target else "MISSED"
    print(f".tar.{fmt}: tar median {tar*1000:.0f} ms, rvendor update median {rv*1000:.0f} ms: ratio {rv/tar:.2f}  target <= {target}  {ok}; rvendor peak RSS {rss:.1f} MiB")
PY
