#!/usr/bin/env bash
# bench-crates.sh: time `rvendor update` of bindgen 0.60.1's whole closure
# (42 crates, Debian's real sources packed into .crate files) from a warm
# cache of .crate files, against `cargo vendor --respect-source-config
# --offline` vendoring the same crates from the same sources unpacked as a
# cargo directory source. The goal (issue 14): rvendor <= 0.8 x cargo
# vendor at the median and a peak RSS under 64 MiB, although rvendor also
# decompresses, checks and hashes every file (and asks the loopback
# sparse index about each crate).
#
# Needs Debian's crates (bash .ci/realdata.sh, or RVENDOR_REALDATA), go,
# cargo, hyperfine, jq and GNU time (apt-get install -y hyperfine jq time).
# Usage: scripts/bench-crates.sh [WORKDIR]   (RUNS=N sets hyperfine's runs,
# RSS_RUNS=N the runs of `rvendor update` under /usr/bin/time, default 3;
# RVENDOR_BIN=FILE times that rvendor binary instead of building one)
#
# Prints hyperfine's table, then rvendor's peak RSS (the largest maximum
# resident set size of RSS_RUNS more runs of the same update), and last
# one Markdown table row (also written to WORKDIR/row.md) for
# scripts/bench.sh to collect, in its columns:
# | work | files | rvendor, median (min–max) | anchor | anchor, median (min–max) | ratio | goal | peak RSS |
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
src=${RVENDOR_REALDATA:-/var/cache/rvendor-realdata}/crates-bindgen/usr/share/cargo/registry
work=${1:-$(mktemp -d /tmp/rvendor-bench-crates.XXXXXX)}
runs=${RUNS:-20}
rss_runs=${RSS_RUNS:-3}
[ -d "$src" ] || { echo "bench-crates: $src not found: run bash .ci/realdata.sh" >&2; exit 2; }
for tool in hyperfine go cargo jq; do
	command -v "$tool" >/dev/null || { echo "bench-crates: $tool not found" >&2; exit 2; }
done
[ -x /usr/bin/time ] || { echo "bench-crates: GNU time (/usr/bin/time) not found" >&2; exit 2; }
mkdir -p "$work"
work=$(cd "$work" && pwd)
echo "# work folder: $work"

echo "# building rvendor and the test registry"
(cd "$repo" && go build -o "$work/mkregistry" ./internal/registry/mkregistry)
if [ -n "${RVENDOR_BIN:-}" ]; then
	cp "$RVENDOR_BIN" "$work/rvendor"
else
	(cd "$repo" && CGO_ENABLED=0 go build -trimpath -o "$work/rvendor" ./cmd/rvendor)
fi
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
hyperfine --warmup 2 --runs "$runs" --export-markdown "$work/bench.md" --export-json "$work/bench.json" \
	--prepare "rm -rf $work/cv" \
	-n "cargo vendor (directory source)" "cargo vendor --respect-source-config --offline --locked -q $work/cv >/dev/null" \
	--prepare "rm -rf $work/kernel/third_party $work/kernel/rvendor.lock $work/kernel/rvendor.sum" \
	-n "rvendor update (warm .crate cache)" "$work/rvendor -C $work/kernel update -q"
cat "$work/bench.md"

# Peak memory of the update, outside hyperfine (same empty destination).
peak=0
for _ in $(seq "$rss_runs"); do
	rm -rf "$work/kernel/third_party" "$work/kernel/rvendor.lock" "$work/kernel/rvendor.sum"
	/usr/bin/time -f %M -o "$work/rss" "$work/rvendor" -C "$work/kernel" update -q
	kib=$(tail -n 1 "$work/rss")
	[ "$kib" -gt "$peak" ] && peak=$kib
done
peak_mib=$(awk -v k="$peak" 'BEGIN { printf "%.1f", k / 1024 }')
echo
echo "rvendor update: peak RSS $peak_mib MiB (largest of $rss_runs runs); load average: $(cut -d' ' -f1-3 /proc/loadavg)"

# One Markdown row, in scripts/bench.sh's columns: medians and ranges,
# the ratio of the medians against the goal, peak RSS.
row=$(jq -r '[.results[1].median, .results[1].min, .results[1].max, .results[0].median, .results[0].min, .results[0].max] | @tsv' "$work/bench.json" |
	awk -F'\t' -v files="$files" -v peak="$peak_mib" -v goal=0.8 '
	function t(v, m) { return m < 1 ? sprintf("%.1f", v * 1000) : sprintf("%.2f", v) }
	function range(m, lo, hi) { return t(m, m) " " (m < 1 ? "ms" : "s") " (" t(lo, m) "–" t(hi, m) ")" }
	{
		ratio = $1 / $4
		printf "| vendoring the bindgen closure, warm cache (rvendor update) | %d | %s | cargo vendor | %s | %.2f | ≤ %s%s | %s MiB |\n",
			files, range($1, $2, $3), range($4, $5, $6), ratio, goal, (ratio <= goal ? " met" : " **missed**"), peak
	}')
echo "$row" >"$work/row.md"
echo
echo "$row"
