#!/usr/bin/env bash
# Runs every go test -fuzz target of the module for a fixed time each
# (issue #10), one "go test -run=^$ -fuzz=^Name$" per target (Go fuzzes
# one target of one package per run), and prints a summary table.
#
# Usage: scripts/fuzz.sh [REGEXP]
#
#   REGEXP      run only the targets whose "package.Name" matches it
#               (grep -E), e.g. "vendor-spec" or "FuzzExtract$"
#   FUZZTIME    time per target, as go test -fuzztime takes it (default 10s;
#               "1000x" runs 1000 inputs)
#   FUZZMINIMIZETIME  go test -fuzzminimizetime (default 2s): how long a new
#               input is minimized; go's default, 60s, would take most of a
#               short run on the larger seeds
#   FUZZFLAGS   more go test flags, e.g. "-parallel=4"
#   FUZZLOGDIR  where each target's output is kept (default: a temporary
#               folder, printed at the end)
#
# It exits 1 when a target fails: a crasher (go test writes the input to
# the package's testdata/fuzz/NAME/ and prints how to re-run it; keep it
# there as a regression case once the bug is fixed), or a build error.
# A bare "context deadline exceeded" at the end of a run, with no input
# written, is Go's go.dev/issue/75804: the target is run again once.
# Without fuzzing, go test ./... runs each target on its seeds only.
set -uo pipefail
cd "$(dirname "$0")/.."

fuzztime=${FUZZTIME:-10s}
filter=${1:-}
logdir=${FUZZLOGDIR:-$(mktemp -d "${TMPDIR:-/tmp}/rvendor-fuzz.XXXXXX")}
mkdir -p "$logdir"

# Every "func FuzzName(" of a _test.go file, as "dir name".
list_tests() {
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git ls-files --cached --others --exclude-standard '*_test.go'
	else
		find . -name '*_test.go' -not -path './.git/*' | sed 's|^\./||'
	fi
}
mapfile -t targets < <(list_tests |
	xargs -r grep -s -H -o '^func Fuzz[A-Za-z0-9_]*(' |
	sed -E 's|^(.*)/[^/]*_test\.go:func (Fuzz[A-Za-z0-9_]*)\($|\1 \2|; s|^[^/ ]*_test\.go:func (Fuzz[A-Za-z0-9_]*)\($|. \1|' |
	sort -u)

if [ ${#targets[@]} -eq 0 ]; then
	echo "fuzz.sh: no fuzz targets found" >&2
	exit 1
fi

rows=()
failed=0
start_all=$(date +%s)
for t in "${targets[@]}"; do
	dir=${t% *}
	name=${t#* }
	pkg=${dir#./}
	if [ -n "$filter" ] && ! grep -Eq -- "$filter" <<<"$pkg.$name"; then
		continue
	fi
	log="$logdir/${pkg//\//_}.$name.log"
	echo "fuzz.sh: $pkg $name ($fuzztime)" >&2
	start=$(date +%s)
	result=ok
	for try in 1 2; do
		# shellcheck disable=SC2086
		go test -run='^$' -fuzz="^$name\$" -fuzztime="$fuzztime" -fuzzminimizetime="${FUZZMINIMIZETIME:-2s}" ${FUZZFLAGS:-} "./$dir" >"$log" 2>&1
		rc=$?
		# go1.26's fuzz coordinator can fail a run that ends while a
		# worker is busy with a bare "context deadline exceeded" and no
		# input (go.dev/issue/75804, fixed in go1.27): run it again once,
		# and count a second one as a flake, not a failure.
		if [ $rc -eq 0 ] || grep -q 'Failing input written' "$log" ||
			[ "$(grep -c '^    context deadline exceeded$' "$log")" -eq 0 ]; then
			break
		fi
		echo "fuzz.sh: $name: \"context deadline exceeded\" without an input (go.dev/issue/75804)" >&2
		if [ $try -eq 2 ]; then
			rc=0
			result="ok (deadline flake, go.dev/issue/75804)"
		fi
	done
	secs=$(($(date +%s) - start))
	execs=$(grep -Eo 'execs: [0-9]+' "$log" | tail -n1 | grep -Eo '[0-9]+')
	if [ $rc -ne 0 ]; then
		failed=1
		crasher=$(grep -Eo 'testdata/fuzz/[^ ]+' "$log" | head -n1)
		if [ -n "$crasher" ]; then
			result="CRASHER $dir/$crasher"
		else
			result="FAIL (see $log)"
		fi
		sed 's/^/    /' "$log" | tail -n 40 >&2
	fi
	rows+=("$name|$pkg|$secs|${execs:--}|$result")
done
total=$(($(date +%s) - start_all))
if [ ${#rows[@]} -eq 0 ]; then
	echo "fuzz.sh: no target matches $filter" >&2
	exit 1
fi

{
	printf '\n%-28s %-20s %7s %12s  %s\n' TARGET PACKAGE SECONDS EXECS RESULT
	for r in "${rows[@]}"; do
		IFS='|' read -r name pkg secs execs result <<<"$r"
		printf '%-28s %-20s %7s %12s  %s\n' "$name" "$pkg" "$secs" "$execs" "$result"
	done
	printf '%d targets, %d s in all (FUZZTIME=%s); logs in %s\n' "${#rows[@]}" "$total" "$fuzztime" "$logdir"
}
exit $failed
