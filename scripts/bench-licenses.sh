#!/usr/bin/env bash
# bench-licenses.sh: time `rvendor licenses` over the whole vendored
# bindgen 0.60.1 closure (Debian's real crate sources, through the loopback
# registry) plus Rust 1.63's library (core, alloc, core_arch, core_simd),
# against Debian's `licensecheck -r` on the same files, in one hyperfine
# run; then compare, crate by crate, the license rvendor detects in the
# license files with what licensecheck says of the same files (named
# one by one, with --check '.*': by default Debian's licensecheck skips
# names its --check pattern does not match, LICENSE.txt among them). The target
# (issue 11): rvendor at most 0.1x of licensecheck's time.
#
# Needs the real data (bash .ci/realdata.sh), go, hyperfine and licensecheck
# (apt-get install -y hyperfine licensecheck).
# Usage: scripts/bench-licenses.sh [WORKDIR]   (RUNS=N sets hyperfine's runs)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
data=${RVENDOR_REALDATA:-/var/cache/rvendor-realdata}
src=$data/crates-bindgen/usr/share/cargo/registry
lib=$data/rust-src/usr/src/rustc-1.63.0/library
work=${1:-$(mktemp -d /tmp/rvendor-bench-licenses.XXXXXX)}
runs=${RUNS:-10}
[ -d "$src" ] && [ -d "$lib" ] || { echo "bench-licenses: real data not found: run bash .ci/realdata.sh" >&2; exit 2; }
for tool in hyperfine go licensecheck python3; do
	command -v "$tool" >/dev/null || { echo "bench-licenses: $tool not found" >&2; exit 2; }
done
mkdir -p "$work"
work=$(cd "$work" && pwd)
echo "# work folder: $work"

echo "# building rvendor and the test registry"
(cd "$repo" && CGO_ENABLED=0 go build -trimpath -o "$work/rvendor" ./cmd/rvendor && go build -o "$work/mkregistry" ./internal/registry/mkregistry)
rm -rf "$work/reg"
"$work/mkregistry" -source "$src" -out "$work/reg" -serve >"$work/index.url" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$work/index.url" ] && break; sleep 0.1; done
index=$(cat "$work/index.url")

echo "# vendoring the bindgen closure and the Rust library"
paths=(library/core library/alloc library/stdarch/crates/core_arch library/portable-simd/crates/core_simd)
tar -C "$(dirname "$lib")" -czf "$work/lib.tar.gz" "${paths[@]}"
sha=$(sha256sum "$work/lib.tar.gz" | cut -d' ' -f1)
rm -rf "$work/kernel" && mkdir -p "$work/kernel"
cp "$work/reg/Cargo.lock" "$work/kernel/bindgen.Cargo.lock"
cat >"$work/kernel/rvendor.toml" <<TOML
version = 1

[sources]
crates-index = "$index"

[[component]]
name = "rust-library"
kind = "archive"
url = "file://$work/lib.tar.gz"
sha256 = "$sha"
version = "1.63.0"
root = "library"
paths = ["library/core", "library/alloc", "library/stdarch/crates/core_arch", "library/portable-simd/crates/core_simd"]
dest = "rust/vendor/library"
license = "MIT OR Apache-2.0"

[[component]]
name = "bindgen"
kind = "crate"
version = "0.60.1"
lockfile = "bindgen.Cargo.lock"
dest = "tools/bindgen/vendor"
TOML
export RVENDOR_CACHE=$work/cache
"$work/rvendor" -C "$work/kernel" update -q
files=$(find "$work/kernel/rust/vendor" "$work/kernel/tools/bindgen/vendor" -type f | wc -l)
bytes=$(du -sb "$work/kernel/rust/vendor" "$work/kernel/tools/bindgen/vendor" | awk '{s+=$1} END {print s}')
echo "# $files files, $bytes bytes"

echo "# timing (medians below)"
hyperfine --warmup 1 --runs "$runs" --export-json "$work/hyperfine.json" \
	-n "rvendor licenses" "$work/rvendor -C $work/kernel licenses --json > /dev/null" \
	-n "licensecheck -r" "licensecheck -r --machine $work/kernel/rust/vendor $work/kernel/tools/bindgen/vendor > /dev/null"
python3 - "$work/hyperfine.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
a, b = r["rvendor licenses"]["median"], r["licensecheck -r"]["median"]
print(f"| rvendor licenses | {a*1000:.0f} ms | licensecheck -r | {b*1000:.0f} ms | ratio {a/b:.3f} |")
PY

echo "# agreement, crate by crate, on the license files"
"$work/rvendor" -C "$work/kernel" licenses --json >"$work/licenses.json"
(cd "$work/kernel" && licensecheck --machine --lines 0 --check '.*' $(python3 -c '
import json, sys
rep = json.load(open(sys.argv[1]))
for p in rep["packages"]:
    for f in p["license_files"]:
        print(p["dir"] + "/" + f["path"])
' "$work/licenses.json")) >"$work/licensecheck.txt" || true
python3 - "$work/licenses.json" "$work/licensecheck.txt" <<'PY'
import json, sys
rep = json.load(open(sys.argv[1]))
lc = {}
for line in open(sys.argv[2]):
    path, _, lic = line.rstrip("\n").partition("\t")
    lc[path] = lic
# Debian licensecheck's names (--machine) for the SPDX ids rvendor reports;
# a file may name several, joined with " or ", " and/or " or a space.
names = {"MIT License": "MIT", "MIT license": "MIT", "Apache License 2.0": "Apache-2.0",
         "Apache License (v2.0)": "Apache-2.0", "BSD 3-Clause License": "BSD-3-Clause",
         "BSD 2-Clause License": "BSD-2-Clause", "ISC License": "ISC", "The Unlicense": "Unlicense",
         "zlib License": "Zlib", "Boost Software License 1.0": "BSL-1.0",
         "Unicode License Agreement - Data Files and Software (2016)": "Unicode-DFS-2016",
         "Mozilla Public License 2.0": "MPL-2.0", "Creative Commons Zero v1.0 Universal": "CC0-1.0"}
agree, rows = 0, []
for p in rep["packages"]:
    ours, theirs, unknown = set(), set(), []
    for f in p["license_files"]:
        ours.update(f["ids"])
        t = lc.get(p["dir"] + "/" + f["path"], "")
        rest = t
        for n, i in sorted(names.items(), key=lambda x: -len(x[0])):
            if n in rest:
                theirs.add(i)
                rest = rest.replace(n, " ")
        rest = rest.replace(" and/or ", " ").replace(" or ", " ").replace(" and ", " ").strip()
        if rest == "UNKNOWN" and not f["ids"]:
            continue  # neither knows the text
        if rest:
            unknown.append(f["path"] + ": " + rest)
    if ours == theirs and not unknown:
        agree += 1
        continue
    rows.append(f"| {p['id']} | {', '.join(sorted(ours)) or '-'} | {', '.join(sorted(theirs)) or '-'}{'; ' + '; '.join(unknown) if unknown else ''} |")
print(f"# {agree} of {len(rep['packages'])} packages agree; the others:")
print("| package | rvendor (google/licensecheck) | Debian licensecheck |")
print("| --- | --- | --- |")
print("\n".join(rows))
PY
