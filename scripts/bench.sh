#!/usr/bin/env bash
# bench.sh: every performance comparison of issue 14 in one run, each
# rvendor figure against its anchor (the standard tool on the same input),
# on the real data, and one Markdown table of the results (BENCHMARKS.md
# holds it), then the scaling series.
#
#   verify, Rust 1.63 library (core, alloc, core_arch, core_simd: 651 files)
#     warm   rvendor-verify            vs  git status              goal <= 1.0
#     cold   rvendor-verify --no-cache vs  sha256sum -c --quiet    goal <= 0.20
#   verify, rustc 1.63 library + compiler + src/test (28,838 files, 87.5 MiB)
#     warm   rvendor-verify            vs  git status              goal <= 1.0
#     cold   rvendor-verify --no-cache vs  sha256sum -c --quiet    goal <= 0.35
#   (and the same four with the full "rvendor verify", for reference)
#   selective extract: rvendor update of the library from rustc-1.63.0's
#     .tar.xz vs tar -xJf TARBALL PATHS...                         goal <= 0.85
#     (and the .tar.gz of the same tree vs tar -xzf, and a multi-block
#     .tar.xz as Rust's distribution server writes them vs tar -xJf, for
#     reference)
#   vendoring bindgen's closure, warm cache: rvendor update vs
#     cargo vendor from unpacked sources (scripts/bench-crates.sh) goal <= 0.8
#   scaling: rvendor update and verify (cold, warm) on the first 1,000,
#     10,000 and all 28,838 files of the rustc tree: median time, time
#     per file, peak RSS (goal: flat per file, verify < 64 MiB at 29k).
#
# Interleaving: each pair runs ROUNDS times (default 3), each round one
# hyperfine of both commands (RUNS runs each, default 10 for verify, 3 for
# the archive and scaling steps), the order swapped every round; medians
# and ranges are over every run of every round. Peak RSS is /usr/bin/time's
# %M over one extra run.
#
# Needs bash .ci/realdata.sh (Debian's rust-src 1.63 and rustc 1.63 orig
# tarball, bindgen's crates), go, git, hyperfine, GNU time, tar, xz,
# gzip, python3, and cargo and jq for the crate row (skipped without).
# Usage: scripts/bench.sh [WORKDIR]     (ROUNDS, RUNS, SKIP_CRATES=1)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
data=${RVENDOR_REALDATA:-/var/cache/rvendor-realdata}
lib=$data/rust-src/usr/src/rustc-1.63.0/library
orig=$data/rustc-orig/rustc_1.63.0+dfsg1.orig.tar.xz
work=${1:-$(mktemp -d /tmp/rvendor-bench-all.XXXXXX)}
rounds=${ROUNDS:-3}
runs=${RUNS:-10}
slow_runs=${SLOW_RUNS:-3}
for f in "$lib" "$orig"; do
	[ -e "$f" ] || { echo "bench: $f not found: run bash .ci/realdata.sh" >&2; exit 2; }
done
for tool in hyperfine /usr/bin/time git go sha256sum tar xz gzip python3; do
	command -v "$tool" >/dev/null || { echo "bench: $tool not found (apt-get install -y hyperfine time git xz-utils)" >&2; exit 2; }
done
mkdir -p "$work"
work=$(cd "$work" && pwd)
results=$work/results.jsonl
: >"$results"
echo "# work folder: $work; load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "# building rvendor and rvendor-verify (static)"
(cd "$repo" && CGO_ENABLED=0 go build -trimpath -o "$work/bin/" ./cmd/rvendor ./cmd/rvendor-verify)
rv=$work/bin/rvendor
rvv=$work/bin/rvendor-verify
export RVENDOR_CACHE=$work/cache

# pair ROW GOAL FILES RVENDOR-CMD ANCHOR-NAME ANCHOR-CMD [RUNS [RV-PREPARE ANCHOR-PREPARE]]
# times both commands, interleaved by rounds, and appends the results.
pair() {
	local row=$1 goal=$2 files=$3 cmd=$4 aname=$5 acmd=$6 n=${7:-$runs} prep=${8:-true} aprep=${9:-true}
	local r
	for r in $(seq "$rounds"); do
		local args=(--prepare "$prep" -n rvendor "$cmd" --prepare "$aprep" -n anchor "$acmd")
		if [ $((r % 2)) = 0 ]; then args=(--prepare "$aprep" -n anchor "$acmd" --prepare "$prep" -n rvendor "$cmd"); fi
		hyperfine -N --style none --warmup 1 --runs "$n" --export-json "$work/hf.json" "${args[@]}" >/dev/null
		python3 - "$work/hf.json" "$row" "$goal" "$files" "$aname" >>"$results" <<'PY'
import json, sys
hf, row, goal, files, aname = sys.argv[1:]
r = {x["command"]: x["times"] for x in json.load(open(hf))["results"]}
print(json.dumps({"row": row, "goal": goal, "files": files, "anchor": aname, "rvendor": r["rvendor"], "anchor_times": r["anchor"]}))
PY
	done
	eval "$prep"
	local kib
	/usr/bin/time -f %M -o "$work/rss" bash -c "$cmd" >/dev/null 2>&1 || true
	kib=$(tail -n 1 "$work/rss")
	echo "{\"row\": \"$row\", \"rss_kib\": $kib}" >>"$results"
	echo "# done: $row"
}

# A tree vendoring FILES of archive ARCHIVE (root ROOT, paths PATHS...)
# at WORK/NAME, committed to git, stat cache and git index warm.
vendored_tree() {
	local name=$1 archive=$2 root=$3 dest=$4
	shift 4
	local sha t=$work/$name
	sha=$(sha256sum "$archive" | cut -d' ' -f1)
	rm -rf "$t" && mkdir -p "$t"
	{
		printf 'version = 1\n\n[[component]]\nname = "%s"\nkind = "archive"\nversion = "1.63.0"\n' "$name"
		printf 'url = "file://%s"\nsha256 = "%s"\nroot = "%s"\n' "$archive" "$sha" "$root"
		printf 'paths = [' && sep= && for p in "$@"; do printf '%s"%s"' "$sep" "$p"; sep=', '; done && printf ']\n'
		printf 'dest = "%s"\nlicense = "MIT OR Apache-2.0"\n' "$dest"
	} >"$t/rvendor.toml"
	"$rv" -C "$t" -q update
	find "$t/$dest" -type f -print0 | sort -z | xargs -0 sha256sum >"$work/$name.sha256sums"
	(cd "$t" && git init -q . && git add -A && git -c user.name=bench -c user.email=bench@invalid commit -qm tree)
	# Files just written are "racy" for the stat cache and git's index
	# alike: let them age, then warm both.
	sleep 3
	"$rvv" -C "$t" >/dev/null && "$rvv" -C "$t" >/dev/null
	(cd "$t" && git update-index -q --really-refresh && git status --porcelain >/dev/null)
}

verify_rows() {
	local name=$1 label=$2 files=$3 warm_goal=$4 cold_goal=$5 t=$work/$1
	pair "verify warm, $label (rvendor-verify)" "$warm_goal" "$files" "$rvv -C $t" "git status" "git -C $t status"
	pair "verify cold, $label (rvendor-verify)" "$cold_goal" "$files" "$rvv -C $t --no-cache" "sha256sum -c" "sha256sum -c --quiet $work/$name.sha256sums"
	pair "verify warm, $label (rvendor verify)" "" "$files" "$rv -C $t verify" "git status" "git -C $t status"
	pair "verify cold, $label (rvendor verify)" "" "$files" "$rv -C $t verify --no-cache" "sha256sum -c" "sha256sum -c --quiet $work/$name.sha256sums"
}

echo "# the rustc 1.63.0 source tarball (Debian's orig, single xz block) and a .tar.gz of it"
top=rustc-1.63.0-src
cp "$orig" "$work/$top.tar.xz"
[ -f "$work/$top.tar.gz" ] || xz -dc "$work/$top.tar.xz" | gzip -6 >"$work/$top.tar.gz"
# The same tar as Rust's distribution server writes its .tar.xz files:
# with a multi-threaded encoder, so in many blocks (Debian's is one).
mkdir -p "$work/mb"
[ -f "$work/mb/$top.tar.xz" ] || xz -dc "$work/$top.tar.xz" | xz -T2 -6 >"$work/mb/$top.tar.xz"

echo "# verify: the kernel's library (651 files)"
libpaths=(library/core library/alloc library/stdarch/crates/core_arch library/portable-simd/crates/core_simd)
tar -C "$(dirname "$lib")" -czf "$work/lib.tar.gz" "${libpaths[@]}"
vendored_tree lib "$work/lib.tar.gz" library rust/vendor/library "${libpaths[@]}"
verify_rows lib "Rust 1.63 core+alloc+core_arch+core_simd" "$(find "$work/lib/rust" -type f | wc -l)" 1.0 0.20

echo "# verify: rustc's library, compiler and src/test (29k files)"
vendored_tree rustc "$work/$top.tar.xz" "$top" rust/vendor/rustc "$top/library" "$top/compiler" "$top/src/test"
verify_rows rustc "rustc 1.63 library+compiler+src/test" "$(find "$work/rustc/rust" -type f | wc -l)" 1.0 0.35

echo "# selective extract"
tarpaths=()
for p in "${libpaths[@]}"; do tarpaths+=("$top/$p"); done
for fmt in xz gz mb; do
	flag=J goal=0.85 file=$work/$top.tar.$fmt label=".tar.$fmt"
	[ "$fmt" = gz ] && flag=z goal=""
	[ "$fmt" = mb ] && goal="" file=$work/mb/$top.tar.xz label="multi-block .tar.xz"
	vendored_tree "extract-$fmt" "$file" "$top/library" rust/vendor/library "${tarpaths[@]}"
	t=$work/extract-$fmt
	pair "selective extract, rustc-1.63.0 $label (rvendor update)" "$goal" 651 \
		"$rv -C $t -q update" "tar -x${flag}f" "tar -x${flag}f $file -C $work/tar-out ${tarpaths[*]}" "$slow_runs" \
		"rm -rf $t/rust $t/rvendor.lock $t/rvendor.sum" "bash -c 'rm -rf $work/tar-out && mkdir $work/tar-out'"
done

if [ -z "${SKIP_CRATES:-}" ] && command -v cargo >/dev/null && command -v jq >/dev/null; then
	echo "# crates (scripts/bench-crates.sh)"
	RUNS=$((runs * rounds)) bash "$repo/scripts/bench-crates.sh" "$work/crates" >"$work/crates.log" 2>&1
	echo "{\"row_md\": $(python3 -c 'import json,sys; print(json.dumps(open(sys.argv[1]).read().strip()))' "$work/crates/row.md")}" >>"$results"
else
	echo "# crates: skipped (SKIP_CRATES, or no cargo or jq)"
fi

echo "# scaling: update and verify on 1k, 10k and all files of the rustc tree"
list=$work/rustc-files
(cd "$work/rustc/rust/vendor/rustc" && find . -type f | sed 's|^\./||' | LC_ALL=C sort) >"$list"
total=$(wc -l <"$list")
for n in 1000 10000 "$total"; do
	s=$work/scale-$n
	head -n "$n" "$list" | sed "s|^|$top/|" >"$work/scale-$n.list"
	rm -rf "$work/scale-src" && mkdir -p "$work/scale-src/$top"
	(cd "$work/rustc/rust/vendor/rustc" && head -n "$n" "$list" | tar -cf - -T - | tar -xf - -C "$work/scale-src/$top")
	tar -C "$work/scale-src" -cf - "$top" | gzip -1 >"$work/scale-$n.tar.gz"
	vendored_tree "scale-$n" "$work/scale-$n.tar.gz" "$top" rust/vendor/rustc "$top"
	pair "scaling: update, $n files" "" "$n" "$rv -C $s -q update" "tar -xzf" "tar -xzf $work/scale-$n.tar.gz -C $work/tar-out" "$slow_runs" \
		"rm -rf $s/rust $s/rvendor.lock $s/rvendor.sum" "bash -c 'rm -rf $work/tar-out && mkdir $work/tar-out'"
	"$rv" -C "$s" -q update && sleep 3 && "$rvv" -C "$s" >/dev/null
	pair "scaling: verify cold, $n files" "" "$n" "$rvv -C $s --no-cache" "sha256sum -c" "sha256sum -c --quiet $work/scale-$n.sha256sums"
	pair "scaling: verify warm, $n files" "" "$n" "$rvv -C $s" "git status" "git -C $s status"
done

echo "# load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$results" <<'PY' | tee "$work/bench.md"
import json, statistics, sys
rows, rss, extra = {}, {}, []
for line in open(sys.argv[1]):
    x = json.loads(line)
    if "row_md" in x:
        extra.append(x["row_md"])
    elif "rss_kib" in x:
        rss[x["row"]] = x["rss_kib"] / 1024
    else:
        r = rows.setdefault(x["row"], {"goal": x["goal"], "files": x["files"], "anchor": x["anchor"], "rv": [], "an": []})
        r["rv"] += x["rvendor"]
        r["an"] += x["anchor_times"]

def fmt(ts):
    m = statistics.median(ts)
    unit, k = ("ms", 1e3) if m < 1 else ("s", 1)
    p = (lambda v: f"{v*k:.1f}") if unit == "ms" else (lambda v: f"{v*k:.2f}")
    return f"{p(m)} {unit} ({p(min(ts))}–{p(max(ts))})"

print("| work | files | rvendor, median (min–max) | anchor | anchor, median (min–max) | ratio | goal | peak RSS |")
print("| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: |")
for name, r in rows.items():
    if name.startswith("scaling"):
        continue
    ratio = statistics.median(r["rv"]) / statistics.median(r["an"])
    goal = r["goal"]
    verdict = "" if not goal else (" met" if ratio <= float(goal) else " **missed**")
    print(f"| {name} | {r['files']} | {fmt(r['rv'])} | {r['anchor']} | {fmt(r['an'])} | {ratio:.2f} | {('≤ ' + goal + verdict) if goal else '–'} | {rss.get(name, 0):.1f} MiB |")
for row in extra:
    print(row)
print()
print("Scaling (rustc 1.63 tree, first N files in path order):")
print()
print("| work | files | rvendor, median (min–max) | µs per file | anchor | anchor, median | ratio | peak RSS |")
print("| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: |")
for name, r in rows.items():
    if not name.startswith("scaling"):
        continue
    m = statistics.median(r["rv"])
    ratio = m / statistics.median(r["an"])
    print(f"| {name.removeprefix('scaling: ')} | {r['files']} | {fmt(r['rv'])} | {m / int(r['files']) * 1e6:.1f} | {r['anchor']} | {fmt(r['an'])} | {ratio:.2f} | {rss.get(name, 0):.1f} MiB |")
PY
echo "# table written to $work/bench.md"
