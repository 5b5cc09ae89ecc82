#!/usr/bin/env bash
# bench-verify.sh: measure `rvendor verify` against `sha256sum -c` and
# `git status` on the tree the kernel needs from Rust 1.63's library/
# (core, alloc, stdarch/crates/core_arch, portable-simd/crates/core_simd:
# ~650 files, ~17 MB), and print the ratios the verify targets are set in:
#
#   cold:  rvendor verify --no-cache   <= 0.4 x sha256sum -c --quiet
#   warm:  rvendor verify (stat cache) <= 1.5 x git status
#   peak RSS of rvendor verify --no-cache < 64 MiB
#
# Needs Debian's rust-src 1.63 (bash .ci/realdata.sh, or RVENDOR_REALDATA),
# hyperfine and GNU time (apt-get install -y hyperfine time), git, go.
# Usage: scripts/bench-verify.sh [WORKDIR]   (RUNS=N sets hyperfine's runs)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
lib=${RVENDOR_REALDATA:-/var/cache/rvendor-realdata}/rust-src/usr/src/rustc-1.63.0/library
work=${1:-$(mktemp -d /tmp/rvendor-bench.XXXXXX)}
runs=${RUNS:-30}
[ -d "$lib" ] || { echo "bench-verify: $lib not found: run bash .ci/realdata.sh" >&2; exit 2; }
for tool in hyperfine /usr/bin/time git go sha256sum; do
	command -v "$tool" >/dev/null || { echo "bench-verify: $tool not found (apt-get install -y hyperfine time git)" >&2; exit 2; }
done
mkdir -p "$work"
work=$(cd "$work" && pwd)
echo "# work folder: $work"

echo "# building rvendor"
(cd "$repo" && CGO_ENABLED=0 go build -trimpath -o "$work/rvendor" ./cmd/rvendor)
rv=$work/rvendor

echo "# preparing the tree with rvendor update"
paths=(library/core library/alloc library/stdarch/crates/core_arch library/portable-simd/crates/core_simd)
tar -C "$(dirname "$lib")" -czf "$work/lib.tar.gz" "${paths[@]}"
sha=$(sha256sum "$work/lib.tar.gz" | cut -d' ' -f1)
rm -rf "$work/kernel"
mkdir -p "$work/kernel"
cat > "$work/kernel/rvendor.toml" <<TOML
version = 1

[[component]]
name = "lib"
kind = "archive"
url = "file://$work/lib.tar.gz"
sha256 = "$sha"
version = "1.63.0"
root = "library"
paths = ["library/core", "library/alloc", "library/stdarch/crates/core_arch", "library/portable-simd/crates/core_simd"]
dest = "rust/vendor/library"
license = "MIT OR Apache-2.0"
TOML
"$rv" -C "$work/kernel" update >/dev/null
dest=$work/kernel/rust/vendor/library
nfiles=$(find "$dest" -type f | wc -l)
nbytes=$(find "$dest" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
echo "# $nfiles files, $nbytes bytes in rust/vendor/library"

(cd "$work/kernel" && find rust/vendor/library -type f -print0 | sort -z | xargs -0 sha256sum > "$work/sha256sums")
(cd "$work/kernel" && git init -q . && git add -A && git -c user.name=bench -c user.email=bench@invalid commit -qm tree && git status --porcelain >/dev/null)

export RVENDOR_CACHE=$work/cache
# Files just written are "racy" for the stat cache (RacyMargin): let them age.
sleep 4
"$rv" -C "$work/kernel" verify >/dev/null   # writes the stat cache
"$rv" -C "$work/kernel" verify >/dev/null   # proves it warm
# Git has the same "racy" rule for its index: rewrite the index now that
# the files are old, so that git status, too, trusts every entry and is
# measured at its fastest.
(cd "$work/kernel" && git update-index -q --really-refresh && touch .git/index && git status --porcelain >/dev/null)

cd "$work/kernel"
hyperfine -N --warmup 5 --runs "$runs" --export-json "$work/hyperfine.json" \
	-n sha256sum "sha256sum -c --quiet $work/sha256sums" \
	-n cold "$rv verify --no-cache" \
	-n git-status "git status" \
	-n warm "$rv verify" \
	-n startup "$rv --version"

rss_cold=$(/usr/bin/time -f %M "$rv" verify --no-cache 2>&1 >/dev/null | tail -1)
rss_warm=$(/usr/bin/time -f %M "$rv" verify 2>&1 >/dev/null | tail -1)

python3 - "$work/hyperfine.json" "$rss_cold" "$rss_warm" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
ms = lambda n: r[n]["mean"] * 1e3
md = lambda n: r[n]["median"] * 1e3
print()
for n in ("sha256sum", "cold", "git-status", "warm", "startup"):
        print(f"{n:11s} mean {ms(n):7.2f} ms  median {md(n):7.2f} ms  sd {r[n]['stddev']*1e3:5.2f} ms"
          f"  user {r[n]['user']*1e3:6.2f} ms  sys {r[n]['system']*1e3:6.2f} ms")
cold = ms("cold") / ms("sha256sum")
warm = ms("warm") / ms("git-status")
print(f"cold/sha256sum  = {cold:.3f} (median {md('cold')/md('sha256sum'):.3f})  target <= 0.4  {'OK' if cold <= 0.4 else 'MISSED'}")
print(f"warm/git status = {warm:.3f} (median {md('warm')/md('git-status'):.3f})  target <= 1.5  {'OK' if warm <= 1.5 else 'MISSED'}")
rc, rw = int(sys.argv[2]) / 1024, int(sys.argv[3]) / 1024
print(f"peak RSS: cold {rc:.1f} MiB, warm {rw:.1f} MiB  target < 64  {'OK' if max(rc, rw) < 64 else 'MISSED'}")
PY
