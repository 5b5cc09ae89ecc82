package advisory_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pelletier/go-toml/v2"

	"github.com/rvendor/rvendor/internal/realdata"
	"github.com/rvendor/rvendor/policy/advisory"
)

var update = flag.Bool("update", false, "rewrite testdata/real-findings.golden")

// RealDBEnv names the folder of a RustSec advisory database snapshot;
// without it, the repository's sibling ../shared/data/rustsec-advisory-db
// is used.
const RealDBEnv = "RVENDOR_RUSTSEC_DB"

// The snapshot the pins below were taken from (its SNAPSHOT.txt).
const (
	realCommit = "bf5c0d245a92671908518d7e765914d437954ed6"
	realDate   = "2026-08-21"
)

// realDB loads the real snapshot. It skips when the snapshot is missing,
// except under CI=true, where that fails.
func realDB(t *testing.T) *advisory.DB {
	t.Helper()
	root := os.Getenv(RealDBEnv)
	if root == "" {
		root = "../../../shared/data/rustsec-advisory-db"
	}
	if _, err := os.Stat(filepath.Join(root, "crates")); err != nil {
		msg := fmt.Sprintf("RustSec advisory database not found at %s (set %s to a copy of github.com/rustsec/advisory-db): %v", root, RealDBEnv, err)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg + "; skipping")
	}
	db, err := advisory.Load(root)
	if err != nil {
		t.Fatal(err)
	}
	if db.Commit != realCommit {
		t.Skipf("the pins are for advisory-db commit %s, %s holds %q; skipping", realCommit, root, db.Commit)
	}
	return db
}

// TestRealLoad parses the whole real database: every file is read (none
// fails), and the counts of each kind are pinned.
func TestRealLoad(t *testing.T) {
	db := realDB(t)
	for _, e := range db.Errors {
		t.Errorf("load error: %v", &e)
	}
	if !db.CommitDate.Equal(day(realDate)) || !db.Newest.Equal(day("2026-08-20")) {
		t.Errorf("commit date %v, newest %v", db.CommitDate, db.Newest)
	}
	count := map[string]int{}
	for _, a := range db.Advisories {
		count[a.Collection]++
		count["informational "+a.Informational]++
		if a.IsWithdrawn() {
			count["withdrawn"]++
		}
		if len(a.OS) > 0 {
			count["os"]++
		}
		if len(a.Arch) > 0 {
			count["arch"]++
		}
		if len(a.Functions) > 0 {
			count["functions"]++
		}
		if a.Title == "" || a.Description == "" {
			t.Errorf("%s: title %q, description of %d bytes", a.File, a.Title, len(a.Description))
		}
		// Every requirement of the database prints as one that reads back.
		for _, r := range append(a.Patched, a.Unaffected...) {
			if again, err := advisory.ParseReq(r.String()); err != nil || again.String() != r.String() {
				t.Errorf("%s: %q reads back as %q, %v", a.File, r, again, err)
			}
		}
	}
	// Counted independently with Python's tomllib over the same files.
	want := map[string]int{
		"crates": 1205, "rust": 20, "informational ": 749, "informational unmaintained": 267,
		"informational unsound": 203, "informational notice": 6, "withdrawn": 13, "os": 27, "arch": 7,
		"functions": 260,
	}
	for k, n := range want {
		if count[k] != n {
			t.Errorf("%s: %d advisories, want %d", k, count[k], n)
		}
	}
	if len(db.Advisories) != 1225 {
		t.Errorf("%d advisories, want 1225", len(db.Advisories))
	}
}

// TestRealRustStd checks std against the real rust/std advisories: every
// one is patched in 1.63.0 (the newest fix, CVE-2022-21658's, is in
// 1.58.1), and a few edges read by hand from the files.
func TestRealRustStd(t *testing.T) {
	db := realDB(t)
	std := func(v string) advisory.Package {
		return advisory.Package{Name: "std", Version: v, Collection: advisory.CollectionRust}
	}
	n := 0
	for _, a := range db.Advisories {
		if a.Collection == advisory.CollectionRust && a.Package == "std" {
			n++
			if a.Affects(mustVersion(t, "1.63.0")) {
				t.Errorf("%s affects std 1.63.0: patched %v", a.ID, a.Patched)
			}
		}
	}
	if n != 18 {
		t.Errorf("%d rust/std advisories, want 18", n)
	}
	for _, tc := range []struct {
		version string
		want    []string
	}{
		// CVE-2022-21658 (remove_dir_all race): patched >= 1.58.1, no
		// unaffected list.
		{"1.58.0", []string{"CVE-2022-21658"}},
		{"1.58.1", nil},
		// CVE-2019-12083 (Error::type_id): patched "> 1.34.1", unaffected
		// "< 1.34.0". Also affected at 1.34: those unaffected before
		// 1.26 (CVE-2020-36317), 1.28 (CVE-2020-36323), 1.20, 1.14, 1.11
		// (CVE-2021-28875..28879) and patched from 1.49 and later, and
		// the two without an unaffected list (CVE-2021-29922, patched
		// 1.53.0, and CVE-2022-21658).
		{"1.34.1", []string{"CVE-2019-12083", "CVE-2020-36317", "CVE-2020-36323", "CVE-2021-28875", "CVE-2021-28876", "CVE-2021-28877", "CVE-2021-28878", "CVE-2021-28879", "CVE-2021-29922", "CVE-2022-21658"}},
		{"1.34.2", []string{"CVE-2020-36317", "CVE-2020-36323", "CVE-2021-28875", "CVE-2021-28876", "CVE-2021-28877", "CVE-2021-28878", "CVE-2021-28879", "CVE-2021-29922", "CVE-2022-21658"}},
		// 1.0.0: CVE-2015-20001 (patched 1.2.0) and CVE-2017-20004
		// (patched 1.19.0) are unaffected only "< 1.0.0".
		{"1.0.0", []string{"CVE-2015-20001", "CVE-2017-20004", "CVE-2021-29922", "CVE-2022-21658"}},
	} {
		r, err := db.Check([]advisory.Package{std(tc.version), {Name: "core", Version: tc.version, Collection: advisory.CollectionRust}}, advisory.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range r.Vulnerabilities {
			got = append(got, f.Advisory.ID)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("std %s: %q, want %q", tc.version, got, tc.want)
		}
	}
}

// bindgenClosure reads the name and version of every crate of Debian's
// bindgen 0.60.1 closure from its Cargo.toml.
func bindgenClosure(t *testing.T) []advisory.Package {
	dir := realdata.Path(t, "crates-bindgen/usr/share/cargo/registry")
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var pkgs []advisory.Package
	for _, e := range ents {
		data, err := os.ReadFile(filepath.Join(dir, e.Name(), "Cargo.toml"))
		if err != nil {
			t.Fatal(err)
		}
		var m struct {
			Package struct{ Name, Version string } `toml:"package"`
		}
		if err := toml.Unmarshal(data, &m); err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
		if e.Name() != m.Package.Name+"-"+m.Package.Version {
			t.Errorf("%s holds %s %s", e.Name(), m.Package.Name, m.Package.Version)
		}
		pkgs = append(pkgs, advisory.Package{Name: m.Package.Name, Version: m.Package.Version, Collection: advisory.CollectionCrates, Where: "bindgen"})
	}
	if len(pkgs) != 131 {
		t.Errorf("%d crates in the closure, want 131", len(pkgs))
	}
	return pkgs
}

// why says, for each pinned finding ("ID crate"), why it is right, from the
// advisory's text and [versions]. A finding without an entry fails the test.
var why = map[string]string{
	"RUSTSEC-2026-0007 bytes":            "BytesMut::reserve integer overflow; unaffected < 1.2.1, patched >= 1.11.1: 1.2.1 is the first affected release",
	"RUSTSEC-2026-0204 crossbeam-epoch":  "fmt::Pointer dereferences invalid pointers; unaffected < 0.9.0, patched >= 0.9.20: 0.9.13 is in between",
	"RUSTSEC-2024-0019 mio":              "named-pipe tokens after deregistration, Windows only (os = [\"windows\"]); affected from 0.7.2, patched >= 0.8.11: 0.8.4 is affected on Windows, not on linux",
	"RUSTSEC-2022-0040 owning_ref":       "use-after-free soundness bugs filed as a vulnerability (no informational kind) with patched = []: every version is affected",
	"RUSTSEC-2024-0006 shlex":            "quote/join leave { and \\xa0 unquoted; patched >= 1.3.0, no unaffected list: 1.1.0 is affected",
	"RUSTSEC-2025-0056 adler":            "informational unmaintained (use adler2), patched = []: every version",
	"RUSTSEC-2021-0145 atty":             "informational unsound, unaligned read on Windows (os = [\"windows\"]), patched = []: listed for any target, not on linux",
	"RUSTSEC-2024-0375 atty":             "informational unmaintained, patched = []: every version",
	"RUSTSEC-2024-0370 proc-macro-error": "informational unmaintained, patched = []: every version",
	"RUSTSEC-2026-0097 rand":             "informational unsound (ThreadRng with a custom logger); unaffected < 0.7.0, patched on 0.8 from 0.8.6: 0.8.5 is affected",
	"RUSTSEC-2023-0031 spin":             "informational unsound Once::try_call_once; unaffected < 0.9.3, patched >= 0.9.8: 0.9.5 is affected",
	"RUSTSEC-2025-0023 tokio":            "informational unsound broadcast channel; unaffected < 0.2.5, first patched 1.38.2: 1.24.2 is affected",
	"RUSTSEC-2024-0320 yaml-rust":        "informational unmaintained, patched = []: every version",
}

// nearMisses are advisories against crates of the closure that must not
// be findings, and why.
var nearMisses = map[string]string{
	"RUSTSEC-2023-0078 tracing":           "unaffected <= 0.1.37: the closure's 0.1.37 is the last unaffected release",
	"RUSTSEC-2023-0005 tokio":             "patched >= 1.24.2: the closure's 1.24.2 is the first patched release",
	"RUSTSEC-2025-0014 humantime":         "withdrawn on 2025-03-12",
	"RUSTSEC-2019-0031 spin":              "withdrawn on 2020-10-08",
	"RUSTSEC-2025-0024 crossbeam-channel": "unaffected <= 0.5.11: 0.5.6 never had the bug",
	"RUSTSEC-2024-0402 hashbrown":         "unaffected < 0.15.0: 0.12.3 never had the bug",
	"RUSTSEC-2021-0093 crossbeam-deque":   "patched >= 0.8.1: 0.8.1 is the first patched 0.8 release",
	"RUSTSEC-2018-0003 smallvec":          "patched >= 0.6.3 among others: 1.9.0 is patched",
}

// TestRealFindings checks Debian's bindgen 0.60.1 closure and std, core and
// alloc 1.63.0 against the real database, for any target and for
// linux/x86_64, and compares the findings with testdata/real-findings.golden
// (go test -run TestRealFindings -update rewrites it).
func TestRealFindings(t *testing.T) {
	db := realDB(t)
	pkgs := bindgenClosure(t)
	for _, name := range []string{"std", "core", "alloc"} {
		pkgs = append(pkgs, advisory.Package{Name: name, Version: "1.63.0", Collection: advisory.CollectionRust, Where: "library"})
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# policy/advisory findings on Debian's bindgen 0.60.1 closure (%d crates, from\n", len(pkgs)-3)
	fmt.Fprintf(&b, "# realdata crates-bindgen/usr/share/cargo/registry) and std, core and alloc 1.63.0,\n")
	fmt.Fprintf(&b, "# against advisory-db %s (%s). Each finding: kind, id, package,\n", realCommit, realDate)
	fmt.Fprintf(&b, "# version, [versions]; then why it is right (real_test.go's why map).\n")
	fmt.Fprintf(&b, "# Regenerate: go test ./policy/advisory/ -run TestRealFindings -update\n")
	seen := map[string]bool{}
	for _, target := range [][2]string{{"", ""}, {"linux", "x86_64"}} {
		r, err := db.Check(pkgs, advisory.Options{OS: target[0], Arch: target[1], Now: day(realDate), MaxAge: 90 * 24 * time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Unparsed) != 0 || len(r.Ignored) != 0 || len(r.UnusedIgnores) != 0 {
			t.Errorf("unparsed %v, ignored %v, unused ignores %v", r.Unparsed, r.Ignored, r.UnusedIgnores)
		}
		fmt.Fprintf(&b, "\n[target os=%q arch=%q]\n", target[0], target[1])
		for _, l := range []struct {
			kind string
			fs   []advisory.Finding
		}{{"vulnerability", r.Vulnerabilities}, {"informational", r.Informational}} {
			for _, f := range l.fs {
				a := f.Advisory
				key := a.ID + " " + f.Package.Name
				kind := l.kind
				if a.Informational != "" {
					kind += " " + a.Informational
				}
				fmt.Fprintf(&b, "%s %s %s %s patched %s unaffected %s\n", kind, a.ID, f.Package.Name, f.Package.Version, quoteReqs(a.Patched), quoteReqs(a.Unaffected))
				if !seen[key] {
					fmt.Fprintf(&b, "  why: %s\n", why[key])
				}
				seen[key] = true
				if why[key] == "" {
					t.Errorf("finding %s %s has no justification in the why map: read the advisory and add one", key, f.Package.Version)
				}
				if nearMisses[key] != "" {
					t.Errorf("finding %s should not be one: %s", key, nearMisses[key])
				}
			}
		}
	}
	for key := range why {
		if !seen[key] {
			t.Errorf("justified finding %s was not found", key)
		}
	}
	// Each near miss is a real advisory against a crate of the closure.
	for key := range nearMisses {
		id, name, _ := strings.Cut(key, " ")
		i := slices.IndexFunc(db.Advisories, func(a *advisory.Advisory) bool { return a.ID == id && a.Package == name })
		j := slices.IndexFunc(pkgs, func(p advisory.Package) bool { return p.Name == name })
		if i < 0 || j < 0 {
			t.Errorf("near miss %s: advisory found %v, crate in the closure %v", key, i >= 0, j >= 0)
		}
	}
	compareGolden(t, "testdata/real-findings.golden", b.String())
}

// quoteReqs prints requirements as a TOML list does.
func quoteReqs(rs []advisory.Req) string {
	q := make([]string, len(rs))
	for i, r := range rs {
		q[i] = fmt.Sprintf("%q", r)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

func compareGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("findings differ from %s (run with -update after checking them):\n--- got\n%s--- want\n%s", path, got, want)
	}
}
