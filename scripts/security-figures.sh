#!/usr/bin/env bash
# Prints the figures that SECURITY.md quotes (issue #10), each counted
# from the tests that produce it, run here and now with go test -json:
#
#   hostile archives refused   fetch's TestExtractRefuses, TestExtractRefusesNUL
#                              (hostile entries), TestExtractCorrupt and
#                              TestExtractArchiveErrors (damaged streams,
#                              decompression bombs), and the CLI script
#                              update_hostile_archive.txtar
#   hostile trees              cmd/rvendor's TestHostileTree (internal/hostiletree)
#   kill points survived       tree.CrashPoints, and the tests that stop a
#                              commit at each: tree's TestCommitCrashRecovery,
#                              TestRecoverFinishes, TestRollBack, and the CLI
#                              script update_interrupted.txtar (a real exit)
#   ENOSPC points survived     cmd/rvendor's TestENOSPC (root only)
#   network fault kinds        the loopback Rust dist server's faults
#                              (TestRustSourcesFaults, rustdist's TestResolve),
#                              the loopback registry's (crate_faults.txtar),
#                              fetch's transfer tests
#   limits                     fetch's TestSecurityDocLimits: SECURITY.md's
#                              table of exported limits matches the code
#   fuzz targets               every func Fuzz* of a _test.go file, and the
#                              fuzzing time CI gives them (.ci/run, FUZZTIME)
#
# A figure is printed only from tests that passed; a test that failed or
# skipped is named on the line, and the script exits 1 if any failed.
#
# Usage: scripts/security-figures.sh
#   FIGURES_FUZZ=1   also run scripts/fuzz.sh (FUZZTIME each target) and
#                    print its measured total
set -uo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d "${TMPDIR:-/tmp}/rvendor-figures.XXXXXX")
trap 'rm -rf "$work"' EXIT
status=0

# run NAME PKG RUNREGEX [FLAGS...]: go test -json, events kept in $work/NAME.json.
run() {
	local name=$1 pkg=$2 re=$3
	shift 3
	if ! go test -count=1 -json -run "$re" "$@" "$pkg" >"$work/$name.json" 2>"$work/$name.err"; then
		echo "security-figures: go test -run '$re' $pkg FAILED:" >&2
		grep -o '"Output":"[^"]*' "$work/$name.json" | sed 's/^"Output":"//; s/\\n$//; s/\\t/\t/g' | grep -E -- '--- FAIL|_test.go' | head -n 20 >&2
		cat "$work/$name.err" >&2
		status=1
	fi
}

# count NAME ACTION [REGEX]: leaf tests (with no subtests of their own)
# of $work/NAME.json whose last action is ACTION and whose name matches REGEX.
count() {
	awk -v want="$2" -v re="${3:-.}" '
	match($0, /"Action":"[a-z]+"/) {
		a = substr($0, RSTART + 10, RLENGTH - 11)
		if (a != "pass" && a != "fail" && a != "skip") next
		if (!match($0, /"Test":"[^"]*"/)) next
		act[substr($0, RSTART + 8, RLENGTH - 9)] = a
	}
	END {
		for (t in act) for (u in act) if (index(u, t "/") == 1) { parent[t] = 1; break }
		n = 0
		for (t in act) if (!(t in parent) && act[t] == want && t ~ re) n++
		print n
	}' "$work/$1.json"
}

# logline NAME REGEX: the first line a test logged that matches REGEX.
logline() {
	grep -o '"Output":"[^"]*' "$work/$1.json" | sed 's/^"Output":"//; s/\\n$//; s/\\t/ /g' | grep -E -m1 -- "$2" |
		sed -E 's/^ *[a-z_]+\.go:[0-9]+: //'
}

# state NAME TEST: PASS, FAIL, SKIP or "not run" for one test.
state() {
	local a
	a=$(grep -F "\"Test\":\"$2\"" "$work/$1.json" | grep -Eo '"Action":"(pass|fail|skip)"' | tail -n1 | cut -d'"' -f4)
	case $a in pass) echo PASS ;; fail) echo FAIL ;; skip) echo SKIP ;; *) echo "not run" ;; esac
}

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=""
[ -n "$(git status --porcelain 2>/dev/null)" ] && dirty=" (with uncommitted changes in the working tree)"
echo "rvendor security figures, $(date -u +%Y-%m-%d), commit $commit$dirty, $(go version | cut -d' ' -f3), $(nproc) cores, uid $(id -u)"
echo

# Hostile archives.
run archives ./fetch '^(TestExtractRefuses|TestExtractRefusesNUL|TestExtractCorrupt|TestExtractArchiveErrors)$'
run archivescript ./cmd/rvendor '^TestScript$/^update_hostile_archive$'
entries=$(count archives pass '^TestExtractRefuses(NUL)?(/|$)')
streams=$(count archives pass '^(TestExtractCorrupt|TestExtractArchiveErrors)/')
skipped=$(count archives skip)
cli=$(grep -c '^! exec rvendor' cmd/rvendor/testdata/script/update_hostile_archive.txtar)
echo "hostile archives refused: $((entries + streams)) in fetch ($entries with hostile entries: unsafe names, .git/.rvendor elements, links, devices, collisions, limits; $streams damaged or bomb streams across gzip, xz and zstd${skipped:+, $skipped skipped}); plus $cli refused by the CLI in update_hostile_archive.txtar: $(state archivescript TestScript/update_hostile_archive)"

# Hostile trees.
run trees ./cmd/rvendor '^TestHostileTree$' -v
echo "$(logline trees 'hostile trees: ')"

# Kill points.
run crash ./tree '^(TestCommitCrashRecovery|TestRecoverFinishes|TestRollBack)$'
run crashcli ./cmd/rvendor '^TestScript$/^update_interrupted$'
points=$(grep -o '"Test":"TestCommitCrashRecovery/[^"]*"' "$work/crash.json" | awk '!seen[$0]++' | cut -d/ -f2 | tr -d '"' | tr '\n' ' ')
kills=$(grep -Ec '^env RVENDOR_TEST_CRASH_AT=[a-z]' cmd/rvendor/testdata/script/update_interrupted.txtar)
echo "kill points: $(echo $points | wc -w) crash points (tree.CrashPoints: ${points% }); commits stopped there and recovered in-process: $(count crash pass '^TestCommitCrashRecovery/') stop-and-check, $(count crash pass '^TestRecoverFinishes/') roll-forward, $(count crash pass '^TestRollBack/') roll-back (of $(count crash pass) passed, $(count crash fail) failed); rvendor processes killed at a crash point and recovered by the next run (update_interrupted.txtar): $kills, $(state crashcli TestScript/update_interrupted)"

# ENOSPC.
run enospc ./cmd/rvendor '^TestENOSPC$' -v
case $(state enospc TestENOSPC) in
PASS) echo "$(logline enospc 'ENOSPC points survived')" ;;
SKIP) echo "ENOSPC points survived: not measured here: TestENOSPC skipped ($(logline enospc 'needs root|cannot mount'))" ;;
*) echo "ENOSPC points survived: TestENOSPC $(state enospc TestENOSPC)" ;;
esac

# Network faults.
run faults ./cmd/rvendor '^TestRustSourcesFaults$'
run resolve ./fetch/rustdist '^TestResolve$'
run crates ./cmd/rvendor '^TestCrateScript$/^crate_faults$'
run web ./fetch/... '^(TestOpenContentEncoding|TestOpenTruncated|TestOpenRetryAfter|TestOpenTooSlow|TestRedirectRule|TestFetchMismatch|TestFetchRetries|TestFetchStall|TestFetchCanceled|TestFetchRefuses|TestFetchCorruptCacheEntry|TestDo|TestCheckRedirect|TestTemporary)$'
defined=$(sed -n '/^type Fault int/,/^)/p' internal/distserver/server.go | grep -Eo '^\s+[A-Z][A-Za-z0-9]*' | tr -d '\t ' | grep -v '^OK$' | sort -u)
used=$(for f in $defined; do grep -rqs "distserver\.$f\b" --include='*_test.go' . && echo "$f"; done)
regfaults=$(grep -Eoh '\+(tamper|absent|index404|yank)=' cmd/rvendor/testdata/crates/*.txtar | tr -d '+=' | sort -u | tr '\n' ' ')
echo "network fault kinds: $(echo $used | wc -w) of the Rust dist server's $(echo $defined | wc -w) ($(echo $used)), through $(count faults pass) CLI updates (TestRustSourcesFaults: $(state faults TestRustSourcesFaults)) and rustdist's TestResolve ($(state resolve TestResolve)); $(echo $regfaults | wc -w) of the crates registry's (${regfaults% }: crate_faults.txtar $(state crates TestCrateScript/crate_faults)); $(count web pass) transfer cases of fetch (Content-Encoding, truncated bodies, Retry-After, too slow, stalls, redirects, status codes, checksum mismatch, corrupt cache entries, cancel; $(count web fail) failed, $(count web skip) skipped)"

# Limits.
run limits ./fetch '^TestSecurityDocLimits$' -v
if [ "$(state limits TestSecurityDocLimits)" = PASS ]; then
	echo "$(logline limits 'limits: ')"
else
	echo "limits: SECURITY.md's table does not match the code (fetch's TestSecurityDocLimits $(state limits TestSecurityDocLimits))"
fi

# Fuzz targets.
mapfile -t targets < <(git ls-files --cached --others --exclude-standard '*_test.go' |
	xargs grep -H -o '^func Fuzz[A-Za-z0-9_]*(' | sed -E 's|/[^/]*_test\.go:func (Fuzz[A-Za-z0-9_]*)\($| \1|; s|^[^/ ]*_test\.go:func (Fuzz[A-Za-z0-9_]*)\($|. \1|' | sort -u)
fuzztime=$(grep -Eo 'FUZZTIME:-[0-9]+s' .ci/run | head -n1 | grep -Eo '[0-9]+')
bypkg=$(printf '%s\n' "${targets[@]}" | awk '{n[$1]++; l[$1] = l[$1] (l[$1] ? "," : "") $2} END {for (p in n) print p " " n[p] " (" l[p] ")"}' | sort | tr '\n' ';' | sed 's/;$//; s/;/; /g')
echo "fuzz targets: ${#targets[@]}: $bypkg"
if [ -n "$fuzztime" ]; then
	echo "fuzzing in CI (.ci/run runs scripts/fuzz.sh, FUZZTIME=${fuzztime}s per target): $(( ${#targets[@]} * fuzztime )) s of fuzzing per run, plus one test build per target"
else
	echo "fuzzing in CI: .ci/run does not set FUZZTIME"
fi
if [ -n "${FIGURES_FUZZ:-}" ]; then
	bash scripts/fuzz.sh 2>/dev/null | tail -n1 | sed 's/^/fuzz.sh measured: /'
fi
exit $status
