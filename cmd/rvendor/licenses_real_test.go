package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rvendor/rvendor/engine"
	"github.com/rvendor/rvendor/internal/realdata"
	"github.com/rvendor/rvendor/internal/registry"
	"github.com/rvendor/rvendor/policy/audit"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

var updateGolden = flag.Bool("update-golden", false, "rewrite testdata/licenses/*.golden from the current output")

// licenseTree vendors the real inputs of issue 11 into a fresh tree that
// holds Linux 6.12's LICENSES/: core and alloc of Rust 1.63 (rust-src,
// from the loopback dist server) and the bindgen 0.60.1 closure (from
// the loopback registry of Debian's crates). It returns the tree and a
// runner with the servers' environment.
func licenseTree(t *testing.T, extraBindgen string) (string, func(args ...string) (int, string)) {
	t.Helper()
	c := newRustCLI(t)
	reg, srv := registry.Shared(t)
	licenses := realdata.Path(t, "linux-6.12/LICENSES")
	dir := t.TempDir()
	copyDir(t, licenses, filepath.Join(dir, "LICENSES"))
	lock, err := os.ReadFile(filepath.Join(reg.Dir, "Cargo.lock"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "bindgen.Cargo.lock"), string(lock))
	writeFile(t, filepath.Join(dir, "rvendor.toml"), licenseSpec(srv.Index("lib"), extraBindgen, ""))
	run := func(args ...string) (int, string) {
		var out bytes.Buffer
		env := map[string]string{"RVENDOR_CACHE": c.cache, engine.RustDistEnv: c.srv.URL}
		for _, a := range args {
			if a == "update" {
				args = append(args, "--keyring", c.srv.KeyringFile)
				break
			}
		}
		code := run(append([]string{"-C", dir}, args...), strings.NewReader(""), &out, &out, func(k string) string { return env[k] })
		return code, out.String()
	}
	if code, out := run("update"); code != 0 {
		t.Fatalf("update: exit %d\n%s", code, out)
	}
	return dir, run
}

// licenseSpec is the spec of licenseTree, with extra keys for the bindgen
// component and a policy appended.
func licenseSpec(index, extraBindgen, policy string) string {
	return `version = 1

[sources]
crates-index = "` + index + `"

[[component]]
name = "rust-library"
kind = "rust-src"
version = "1.63.0"
paths = ["library/core", "library/alloc"]
dest = "rust/vendor/library"
license = "MIT OR Apache-2.0"

[[component]]
name = "bindgen"
kind = "crate"
version = "0.60.1"
lockfile = "bindgen.Cargo.lock"
dest = "tools/bindgen/vendor"
` + extraBindgen + "\n" + policy
}

// The three policies of issue 11's first demonstration.
var licensePolicies = map[string]struct{ bindgen, policy string }{
	// The kernel's own rules for everything.
	"kernel": {"", `[policy.licenses]
kernel = true
`},
	// A plain, narrow allowlist, with an exception used and one stale.
	"allowlist": {"", `[policy.licenses]
allow = ["MIT", "BSD-3-Clause"]

[[policy.licenses.exception]]
component = "bindgen"
crate = "clang-sys@1.3.0"
license = "Apache-2.0"
reason = "reviewed: a host-side libclang binding, Apache-2.0 only"

[[policy.licenses.exception]]
component = "bindgen"
crate = "nosuch"
license = "MIT"
reason = "stale: names no vendored crate"
`},
	// Roles: the kernel's rules for what is built in, an allowlist for
	// bindgen, which runs on the build machine only.
	"roles": {`role = "host-tool"`, `[policy.licenses]
kernel = true

[policy.licenses.host-tool]
allow = ["MIT", "Apache-2.0", "BSD-2-Clause", "BSD-3-Clause", "ISC", "Unlicense", "Zlib", "Unicode-DFS-2016", "Apache-2.0 WITH LLVM-exception"]
`},
}

// TestLicensePolicyReal is issue 11's first demonstration: rvendor
// policy check on the real vendored bindgen closure and Rust library,
// against Linux 6.12's real LICENSES/, under the kernel's rules, a plain
// allowlist and roles. The three reports are pinned in
// testdata/licenses/policy-*.golden (-update-golden rewrites them), and
// the JSON reports are checked against the text: every package that
// fails is named with its rule.
func TestLicensePolicyReal(t *testing.T) {
	dir, run := licenseTree(t, "")
	index := specValue(t, filepath.Join(dir, "rvendor.toml"), "crates-index")
	for _, name := range []string{"kernel", "allowlist", "roles"} {
		t.Run(name, func(t *testing.T) {
			p := licensePolicies[name]
			writeFile(t, filepath.Join(dir, "rvendor.toml"), licenseSpec(index, p.bindgen, p.policy))
			if p.bindgen != "" {
				// The role is policy, not content: the lock stays current.
				if code, out := run("verify"); code != 0 {
					t.Fatalf("verify after setting a role: exit %d\n%s", code, out)
				}
			}
			code, out := run("policy", "check")
			out = strings.ReplaceAll(out, dir, "$TREE")
			golden(t, filepath.Join("testdata", "licenses", "policy-"+name+".golden"), out)
			_, js := run("--json", "policy", "check")
			var rep policyCheckJSON
			// The report is the first JSON value; the error follows it.
			if err := json.NewDecoder(strings.NewReader(js)).Decode(&rep); err != nil {
				t.Fatalf("policy check --json: %v\n%s", err, js)
			}
			if rep.Licenses == nil || len(rep.Licenses.Verdicts) < 40 {
				t.Fatalf("the report covers too few packages: %+v", rep.Licenses)
			}
			wantCode := 0
			if rep.Licenses.Failed > 0 {
				wantCode = 1
			}
			if code != wantCode || (rep.Status == "fail") != (wantCode == 1) {
				t.Errorf("exit %d, status %q, %d failed", code, rep.Status, rep.Licenses.Failed)
			}
			if name == "allowlist" && (!strings.Contains(out, "EXCEPTED bindgen/clang-sys@1.3.0") || !strings.Contains(out, "exception bindgen/nosuch (MIT) is not needed")) {
				t.Errorf("the allowlist report does not show the exception used and the one unused")
			}
			for _, v := range rep.Licenses.Verdicts {
				if v.Result != audit.Fail {
					continue
				}
				if !strings.Contains(out, "FAIL     "+v.ID+" ") {
					t.Errorf("%s fails in --json but is not named in the text report", v.ID)
				}
				if len(v.Findings) == 0 || v.Findings[0].Rule == "" || v.Findings[0].Fix == "" {
					t.Errorf("%s fails with no rule or fix: %+v", v.ID, v.Findings)
				}
			}
		})
	}
}

// TestLicensesReal: rvendor licenses --json on the same real tree names
// every vendored crate and the Rust library, shows Cargo's legacy slash
// form normalized, finds the license texts at any depth and counts tags.
func TestLicensesReal(t *testing.T) {
	dir, run := licenseTree(t, "")
	code, js := run("--json", "licenses")
	if code != 0 {
		t.Fatalf("licenses: exit %d\n%s", code, js)
	}
	var rep audit.Report
	if err := json.Unmarshal([]byte(js), &rep); err != nil {
		t.Fatal(err)
	}
	byID := map[string]*audit.Package{}
	for _, p := range rep.Packages {
		byID[p.ID] = p
	}
	if len(rep.Packages) < 40 {
		t.Fatalf("%d packages", len(rep.Packages))
	}
	if p := byID["bindgen/minimal-lexical@0.2.1"]; p == nil || p.Declared != "MIT/Apache-2.0" || p.Normalized != "MIT OR Apache-2.0" || !p.Mismatch() {
		t.Errorf("minimal-lexical: %+v", p)
	}
	if p := byID["bindgen/regex-syntax@0.6.27"]; p == nil || !slices.Contains(p.Undeclared, "Unicode-DFS-2016") {
		t.Errorf("regex-syntax's src/unicode_tables/LICENSE-UNICODE is not found: %+v", p)
	}
	lib := byID["rust-library"]
	if lib == nil || lib.Concluded != "MIT OR Apache-2.0" || lib.Tags.Files < 300 {
		t.Fatalf("rust-library: %+v", lib)
	}
	for _, p := range rep.Packages {
		if p.Crate && p.Concluded == "" {
			t.Errorf("%s: no license concluded", p.ID)
		}
		for _, f := range p.Files {
			if f.Error != "" || len(f.SHA256) != 64 {
				t.Errorf("%s: %s: %+v", p.ID, f.Path, f)
			}
		}
	}
	// A license file edited in the tree is reported, not audited.
	lf := filepath.Join(dir, "tools", "bindgen", "vendor", "memchr", "LICENSE-MIT")
	writeFile(t, lf, "Proprietary.\n")
	_, js = run("--json", "licenses", "bindgen")
	if !strings.Contains(js, "LICENSE-MIT differs from rvendor.sum") {
		t.Errorf("an edited license file is not reported as drift")
	}
}

// golden compares got with the file at path, or rewrites it with
// -update-golden.
func golden(t *testing.T, path, got string) {
	t.Helper()
	if *updateGolden {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update-golden to write it)", err, t.Name())
	}
	if string(want) != got {
		t.Errorf("output differs from %s (-update-golden rewrites it):\n%s", path, lineDiff(string(want), got))
	}
}

// lineDiff lists the lines only one side has.
func lineDiff(want, got string) string {
	w, g := map[string]int{}, map[string]int{}
	for _, l := range strings.Split(want, "\n") {
		w[l]++
	}
	for _, l := range strings.Split(got, "\n") {
		g[l]++
	}
	var b strings.Builder
	for _, l := range strings.Split(want, "\n") {
		if g[l] < w[l] {
			b.WriteString("- " + l + "\n")
			g[l]++
		}
	}
	for _, l := range strings.Split(got, "\n") {
		if w[l] < g[l] {
			b.WriteString("+ " + l + "\n")
			w[l]++
		}
	}
	return b.String()
}

func specValue(t *testing.T, spec, key string) string {
	t.Helper()
	data, err := os.ReadFile(spec)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, key+` = "`); ok {
			return strings.TrimSuffix(v, `"`)
		}
	}
	t.Fatalf("%s has no %s", spec, key)
	return ""
}

func writeFile(t *testing.T, p, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		out := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(out, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(out, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestSPDXHeaderStampingReal is issue 11's second demonstration: with
// spdx-header, Rust 1.63's library/alloc is vendored with every .rs file
// tagged; verify is clean; a maintainer patch on a stamped file records
// and verifies; and the kernel's own scripts/spdxcheck.py (Linux 6.12,
// run on a git repository holding LICENSES/) accepts every stamped file.
func TestSPDXHeaderStampingReal(t *testing.T) {
	c := newRustCLI(t)
	kernel := realdata.Path(t, "linux-6.12")
	for _, f := range []string{"LICENSES/preferred/MIT", "scripts/spdxcheck.py"} {
		if _, err := os.Stat(filepath.Join(kernel, f)); err != nil {
			t.Skipf("real-data input %s not installed: run bash .ci/realdata.sh", f)
		}
	}
	dir := rustTreeAt(t, "rust-src", `spdx-header = "Apache-2.0 OR MIT"
readme = true
patches = "rust/patches/alloc"
`, []string{"library/alloc/src"}, "rust/alloc")
	if code, out := c.runIn(dir, "update"); code != 0 {
		t.Fatalf("update: exit %d\n%s", code, out)
	}
	if code, out := c.runIn(dir, "verify"); code != 0 || !strings.Contains(out, "stamped") || !strings.Contains(out, "generated README.md") {
		t.Fatalf("verify after stamping: exit %d\n%s", code, out)
	}
	dest := filepath.Join(dir, "rust", "alloc")
	var rs []string
	filepath.WalkDir(dest, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".rs") {
			rs = append(rs, p)
		}
		return nil
	})
	if len(rs) < 50 {
		t.Fatalf("only %d .rs files vendored", len(rs))
	}
	for _, p := range rs {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		first, _, _ := strings.Cut(string(data), "\n")
		if first != "// SPDX-License-Identifier: Apache-2.0 OR MIT" {
			t.Errorf("%s starts %q", p, first)
		}
	}
	readme, err := os.ReadFile(filepath.Join(dest, "README.md"))
	if err != nil || !bytes.Contains(readme, []byte("rust-src-1.63.0")) || !bytes.Contains(readme, []byte("Apache-2.0 OR MIT")) {
		t.Errorf("README.md: %v\n%s", err, readme)
	}

	// A maintainer edit on a stamped file is recorded against the
	// stamped base, and the README lists the patch.
	lib := filepath.Join(dest, "lib.rs")
	data, _ := os.ReadFile(lib)
	edited := strings.Replace(string(data), "#![feature(", "// Edited for the kernel.\n#![feature(", 1)
	writeFile(t, lib, edited)
	if code, out := c.runIn(dir, "patch", "record", "rust-library", "-m", "alloc: mark the kernel's edit"); code != 0 {
		t.Fatalf("patch record: exit %d\n%s", code, out)
	}
	if code, out := c.runIn(dir, "verify"); code != 0 {
		t.Fatalf("verify after recording: exit %d\n%s", code, out)
	}
	if readme, _ := os.ReadFile(filepath.Join(dest, "README.md")); !bytes.Contains(readme, []byte("alloc: mark the kernel's edit")) {
		t.Errorf("README.md does not list the recorded patch:\n%s", readme)
	}
	patches, _ := filepath.Glob(filepath.Join(dir, "rust", "patches", "alloc", "*.patch"))
	if len(patches) != 1 {
		t.Fatalf("patches: %v", patches)
	}
	if p, _ := os.ReadFile(patches[0]); bytes.Contains(p, []byte("+// SPDX-License-Identifier")) {
		t.Errorf("the patch holds the stamp, which the base already has:\n%s", p)
	}

	// The kernel's checker, in a git repository holding LICENSES/.
	spdxcheck(t, kernel, dir, rs)
}

// spdxcheck runs Linux's scripts/spdxcheck.py on files (below dir), in
// dir made a git repository that holds the kernel's LICENSES/.
func spdxcheck(t *testing.T, kernel, dir string, files []string) {
	t.Helper()
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import ply, git").Run(); err != nil {
		t.Skipf("spdxcheck.py needs python3-ply and python3-git (bash .ci/realdata.sh): %v", err)
	}
	copyDir(t, filepath.Join(kernel, "LICENSES"), filepath.Join(dir, "LICENSES"))
	git := func(args ...string) {
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q")
	git("add", ".")
	git("commit", "-q", "-m", "tree")
	args := append([]string{filepath.Join(kernel, "scripts", "spdxcheck.py"), "-v"}, files...)
	cmd := exec.Command(py, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil || stdout.Len() > 0 {
		t.Fatalf("spdxcheck.py: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	if !strings.Contains(stderr.String(), "Files without SPDX:           0") || !strings.Contains(stderr.String(), "Files with errors:            0") {
		t.Errorf("spdxcheck.py did not accept every file:\n%s", stderr.String())
	}
}

// rustTreeAt writes a tree whose spec takes paths of Rust 1.63 as kind
// into dest, the first path being the root dest mirrors.
func rustTreeAt(t *testing.T, kind, extra string, paths []string, dest string) string {
	dir := t.TempDir()
	q := make([]string, len(paths))
	for i, p := range paths {
		q[i] = `"` + p + `"`
	}
	writeFile(t, filepath.Join(dir, "rvendor.toml"), `version = 1
[[component]]
name = "rust-library"
kind = "`+kind+`"
version = "1.63.0"
root = `+q[0]+`
paths = [`+strings.Join(q, ", ")+`]
dest = "`+dest+`"
license = "MIT OR Apache-2.0"
`+extra)
	return dir
}

// runIn runs rvendor -C dir args.
func (c *rustCLI) runIn(dir string, args ...string) (int, string) {
	return c.run(append([]string{"-C", dir}, args...)...)
}

// rustsecDB returns the real RustSec snapshot (../shared/data, or
// $RVENDOR_RUSTSEC_DB); it skips outside CI when absent and fails in CI.
func rustsecDB(t *testing.T) string {
	t.Helper()
	root := os.Getenv("RVENDOR_RUSTSEC_DB")
	if root == "" {
		root, _ = filepath.Abs("../../../shared/data/rustsec-advisory-db")
	}
	if _, err := os.Stat(filepath.Join(root, "crates")); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("RustSec advisory database not found at %s: %v", root, err)
		}
		t.Skipf("RustSec advisory database not found at %s (set RVENDOR_RUSTSEC_DB): skipping", root)
	}
	return root
}

// TestAuditReal is issue 12's second demonstration: rvendor audit on the
// real RustSec snapshot (commit bf5c0d24, 2026-08-21) against the real
// vendored bindgen 0.60.1 closure (the library's 42 crates) and Rust
// 1.63's library. The report is pinned in testdata/licenses/audit.golden;
// each finding was checked by hand against its advisory's text:
//   - RUSTSEC-2024-0006 shlex 1.1.0 ("Multiple issues involving quote
//     API"): patched >= 1.3.0, no unaffected range: vulnerable; the policy
//     ignores it with a reason, and without the ignore the audit fails.
//   - RUSTSEC-2024-0375 atty 0.2.14: informational "unmaintained", no
//     patched version: listed, never failing.
//   - RUSTSEC-2021-0145 atty 0.2.14 (unsound unaligned read): [affected]
//     os = ["windows"]: left out for os = "linux", listed without it.
//   - std, core and alloc 1.63.0: no advisory of the snapshot's rust/
//     folder is unpatched at 1.63.0 (the newest std fix, CVE-2022-21658,
//     is patched in 1.58.1); TestAuditRustLibraryReal shows a Rust 1.58.0
//     lock reported for it through the same path.
func TestAuditReal(t *testing.T) {
	db := rustsecDB(t)
	dir, run := licenseTree(t, "")
	index := specValue(t, filepath.Join(dir, "rvendor.toml"), "crates-index")
	target := "os = \"linux\"\narch = \"x86_64\"\n"
	ignore := `
[[policy.advisories.ignore]]
id = "RUSTSEC-2024-0006"
reason = "bindgen quotes no shell arguments with shlex"

[[policy.advisories.ignore]]
id = "RUSTSEC-1999-0001"
reason = "stale: matches nothing"
`
	setPolicy := func(extra string) {
		writeFile(t, filepath.Join(dir, "rvendor.toml"), licenseSpec(index, "", "[policy.advisories]\ndb = \""+db+"\"\n"+extra))
	}
	setPolicy(target + ignore)
	code, out := run("audit", "--now", "2026-09-01")
	golden(t, filepath.Join("testdata", "licenses", "audit.golden"), strings.ReplaceAll(out, db, "$RUSTSEC"))
	if code != 0 {
		t.Errorf("audit with the vulnerability ignored: exit %d, want 0", code)
	}
	audit := func() advisoryJSON {
		t.Helper()
		_, js := run("--json", "audit", "--now", "2026-09-01")
		var rep advisoryJSON
		if err := json.NewDecoder(strings.NewReader(js)).Decode(&rep); err != nil {
			t.Fatal(err)
		}
		return rep
	}
	ids := func(fs []findingJSON) string {
		var out []string
		for _, f := range fs {
			out = append(out, f.ID+" "+f.Package+" "+f.Version)
		}
		slices.Sort(out)
		return strings.Join(out, "; ")
	}
	rep := audit()
	if len(rep.Vulnerabilities) != 0 || ids(rep.Ignored) != "RUSTSEC-2024-0006 shlex 1.1.0" || !slices.Equal(rep.UnusedIgnores, []string{"RUSTSEC-1999-0001"}) {
		t.Errorf("vulnerabilities %v, ignored %v, unused %v", ids(rep.Vulnerabilities), ids(rep.Ignored), rep.UnusedIgnores)
	}
	if ids(rep.Informational) != "RUSTSEC-2024-0375 atty 0.2.14" {
		t.Errorf("informational with os = linux: %s", ids(rep.Informational))
	}
	if rep.DB.Commit != "bf5c0d245a92671908518d7e765914d437954ed6" || rep.DB.Advisories < 1000 {
		t.Errorf("db %+v", rep.DB)
	}

	// Without the ignore and the target: shlex fails the audit, and the
	// Windows-only atty advisory is listed.
	setPolicy("")
	if code, out := run("audit", "--now", "2026-09-01"); code != 1 || !strings.Contains(out, "VULNERABLE    RUSTSEC-2024-0006 shlex 1.1.0") {
		t.Errorf("audit without the ignore: exit %d\n%s", code, out)
	}
	rep = audit()
	if ids(rep.Vulnerabilities) != "RUSTSEC-2024-0006 shlex 1.1.0" || !strings.Contains(ids(rep.Informational), "RUSTSEC-2021-0145 atty 0.2.14") {
		t.Errorf("vulnerabilities %s; informational %s", ids(rep.Vulnerabilities), ids(rep.Informational))
	}
	if code, out := run("policy", "check"); code != 1 || !strings.Contains(out, "1 vulnerable package") {
		t.Errorf("policy check: exit %d\n%s", code, out)
	}

	// The database's age: 90 days, measured in 2027, fails.
	setPolicy("max-age-days = 90\n" + target + ignore)
	if code, out := run("audit", "--now", "2027-06-01"); code != 1 || !strings.Contains(out, "stale") {
		t.Errorf("a stale database: exit %d\n%s", code, out)
	}
}

// TestAuditRustLibraryReal: the Rust library is checked as std, core and
// alloc at its release, through the same path as the tree's lock: a lock
// of Rust 1.58.0 is affected by CVE-2022-21658 (rust/std/CVE-2022-21658.md:
// std::fs::remove_dir_all, patched >= 1.58.1); 1.58.1 and 1.63.0 are not.
func TestAuditRustLibraryReal(t *testing.T) {
	db := rustsecDB(t)
	for _, tc := range []struct {
		version string
		want    bool
	}{{"1.58.0", true}, {"1.58.1", false}, {"1.63.0", false}} {
		spec := &vendorspec.Spec{Dir: t.TempDir()}
		lock := &vendorspec.Lock{Components: []*vendorspec.LockedComponent{{Name: "rust-library", Kind: vendorspec.KindRustSrc, Version: tc.version}}}
		rep, err := audit.CheckAdvisories(spec, lock, db, time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, f := range rep.Vulnerabilities {
			if f.Package.Name == "std" && (f.Advisory.ID == "CVE-2022-21658" || slices.Contains(f.Advisory.Aliases, "CVE-2022-21658")) {
				found = true
			}
		}
		if found != tc.want {
			t.Errorf("std %s: CVE-2022-21658 found %v, want %v", tc.version, found, tc.want)
		}
	}
}
