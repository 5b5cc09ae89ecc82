package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/rvendor/rvendor/internal/realdata"
	"github.com/rvendor/rvendor/tree/patch"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

// adoptScoreRE matches adopt --guess's line for one candidate.
var adoptScoreRE = regexp.MustCompile(`(?m)^rust-src@(\S+): (\d+) upstream files present, (\d+) lines differ$`)

// TestUpgradeRealAdoptAlloc (issue 5, item 3, real data): Linux 6.1's
// hand-vendored rust/alloc, adopted with --guess 1.63.0,1.96.0, is
// recognised as 1.63 (printing both scores, 1.63's the smaller); then
// update --to 1.96.0 either carries its queue (exit 0, verify clean) or
// stops with a conflict report naming each patch, file and staging path
// while the tree, spec, lock, sum and queue stay byte for byte as they
// were, and update --abort leaves them so with verify still clean. Never
// a crash, never a half-written tree.
func TestUpgradeRealAdoptAlloc(t *testing.T) {
	dir := linux61AllocTree(t)
	c := newTwoReleaseCLI(t)
	env := []string{"-C", dir}
	code, out := c.run(append(env, "adopt", "rust", "--component", "alloc", "--from", "rust-src@1.63.0",
		"--path", "library/alloc/src", "--guess", "1.63.0,1.96.0", "--keyring", c.srv.KeyringFile)...)
	t.Logf("adopt:\n%s", out)
	if code != 0 {
		t.Fatalf("adopt exit %d", code)
	}
	scores := map[string][2]int{}
	for _, m := range adoptScoreRE.FindAllStringSubmatch(out, -1) {
		files, _ := strconv.Atoi(m[2])
		score, _ := strconv.Atoi(m[3])
		scores[m[1]] = [2]int{files, score}
	}
	s163, ok163 := scores["1.63.0"]
	s196, ok196 := scores["1.96.0"]
	if !ok163 || !ok196 || len(scores) != 2 {
		t.Fatalf("adopt --guess did not print one score per candidate: %v", scores)
	}
	// All 13 upstream .rs files of the kernel's copy exist in 1.63; 1.63
	// must differ by far fewer lines than 1.96 (the kernel's edits are
	// small; six releases of upstream changes are not).
	if s163[0] != 13 || s163[1] <= 0 || s196[1] <= 2*s163[1] {
		t.Errorf("scores: 1.63.0 = %d files, %d lines; 1.96.0 = %d files, %d lines", s163[0], s163[1], s196[0], s196[1])
	}
	if !strings.Contains(out, "picked rust-src@1.63.0 (smallest diff)") || !strings.Contains(out, "as rust-src@1.63.0 library/alloc/src") {
		t.Errorf("adopt did not pick 1.63.0")
	}
	lock, err := vendorspec.ReadLock(filepath.Join(dir, "rvendor.lock"))
	if err != nil {
		t.Fatal(err)
	}
	if lc := lock.Component("alloc"); lc == nil || lc.Version != "1.63.0" || len(lc.Patches) != 1 {
		t.Fatalf("lock after adopt: %+v", lc)
	}
	if code, out := c.run(append(env, "verify")...); code != 0 || !strings.Contains(out, "alloc: clean (rust, 1 patch)") {
		t.Fatalf("verify after adopt exit %d:\n%s", code, out)
	}

	before := snapshotTree(t, dir)
	code, out = c.run(append(env, "update", "--to", "1.96.0", "alloc")...)
	t.Logf("update --to 1.96.0: exit %d\n%s", code, out)
	switch {
	case code == 0:
		checkCarried(t, c, dir)
	case code == 1 && strings.Contains(out, "no longer has"):
		// 1.96 moved raw_vec.rs to raw_vec/mod.rs and renamed
		// vec/drain_filter.rs: adopt listed single files, so the move
		// stops before anything is staged, naming them and their patch.
		var gone []string
		for _, m := range movedRE.FindAllStringSubmatch(out, -1) {
			gone = append(gone, m[1])
			if !strings.HasPrefix(m[2], "0001-") {
				t.Errorf("%s: the report does not name the patch that changes it", m[1])
			}
		}
		if want := []string{"library/alloc/src/raw_vec.rs", "library/alloc/src/vec/drain_filter.rs"}; strings.Join(gone, " ") != strings.Join(want, " ") {
			t.Errorf("the report names %v as gone from 1.96.0, want %v", gone, want)
		}
		if !strings.Contains(out, "rvendor: hint: edit rvendor.toml") {
			t.Errorf("the report does not say how to go on")
		}
		if after := snapshotTree(t, dir); after != before {
			t.Fatalf("a failed update --to changed the tree:\n%s", diffLines(before, after))
		}
		if code, out := c.run(append(env, "verify")...); code != 0 || !strings.Contains(out, "alloc: clean (rust, 1 patch)") {
			t.Fatalf("verify after the failed update --to exit %d:\n%s", code, out)
		}
		// Follow the hint: move the spec by hand, dropping the gone
		// paths; update must now carry the queue or report conflicts.
		specPath := filepath.Join(dir, "rvendor.toml")
		spec163, err := os.ReadFile(specPath)
		if err != nil {
			t.Fatal(err)
		}
		spec196 := strings.Replace(string(spec163), `version = "1.63.0"`, `version = "1.96.0"`, 1)
		for _, g := range gone {
			spec196 = strings.Replace(spec196, "  "+strconv.Quote(g)+",\n", "", 1)
		}
		if strings.Count(spec196, "\n") != strings.Count(string(spec163), "\n")-len(gone) || !strings.Contains(spec196, `"1.96.0"`) {
			t.Fatalf("could not edit the spec as the hint says:\n%s", spec196)
		}
		if err := os.WriteFile(specPath, []byte(spec196), 0o644); err != nil {
			t.Fatal(err)
		}
		before = snapshotTree(t, dir)
		code, out = c.run(append(env, "update", "alloc")...)
		t.Logf("update with the spec at 1.96.0: exit %d\n%s", code, out)
		switch code {
		case 0:
			checkCarried(t, c, dir)
		case 1:
			for _, g := range gone {
				if rel := strings.TrimPrefix(g, "library/alloc/src/"); !strings.Contains(out, rel+": deleted upstream, changed by the patch") {
					t.Errorf("the conflict report does not say %s was deleted upstream", rel)
				}
			}
			checkConflictReport(t, c, dir, out, before, func() {
				if err := os.WriteFile(specPath, spec163, 0o644); err != nil {
					t.Fatal(err)
				}
			})
			// Issue 9: --continue on the real data. Again, then resolve
			// every conflict by taking upstream's side and continue.
			if err := os.WriteFile(specPath, []byte(spec196), 0o644); err != nil {
				t.Fatal(err)
			}
			code, out = c.run(append(env, "update", "alloc")...)
			if code != 1 {
				t.Fatalf("update again: exit %d, want the same conflict:\n%s", code, out)
			}
			continueResolved(t, c, dir, out)
		default:
			t.Fatalf("update exit %d: want 0 (carried) or 1 (conflict)", code)
		}
	case code == 1:
		checkConflictReport(t, c, dir, out, before, func() {})
	default:
		t.Fatalf("update --to 1.96.0 exit %d: want 0 (carried) or 1 (gone paths or a conflict)", code)
	}
}

// continueResolved resolves every conflict the report out names by
// taking upstream's side (a file deleted upstream is deleted), runs
// update --continue, and checks that the update is finished: no conflict
// state, the lock at 1.96.0, verify clean.
func continueResolved(t *testing.T, c *rustCLI, dir, out string) {
	t.Helper()
	ms := conflictLineRE.FindAllStringSubmatch(out, -1)
	if len(ms) == 0 {
		t.Fatalf("no conflicting file in the report:\n%s", out)
	}
	for _, m := range ms {
		p := filepath.Join(dir, filepath.FromSlash(m[2]))
		if strings.Contains(m[0], "deleted upstream") {
			if err := os.Remove(p); err != nil {
				t.Fatal(err)
			}
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(takeOurs(string(data))), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, cout := c.run("-C", dir, "update", "--continue")
	t.Logf("update --continue: exit %d\n%s", code, cout)
	if code != 0 {
		t.Fatalf("update --continue exit %d", code)
	}
	if _, err := os.Stat(filepath.Join(dir, ".rvendor/conflict")); !os.IsNotExist(err) {
		t.Errorf(".rvendor/conflict remains after --continue: %v", err)
	}
	checkCarried(t, c, dir)
}

// takeOurs resolves diff3-style conflict markers by keeping the first
// side ("ours": the new upstream).
func takeOurs(s string) string {
	var b strings.Builder
	state := 0 // 0 outside, 1 ours, 2 base or theirs
	for _, line := range strings.SplitAfter(s, "\n") {
		switch {
		case strings.HasPrefix(line, "<<<<<<< "):
			state = 1
		case state == 1 && (strings.HasPrefix(line, "||||||| ") || strings.HasPrefix(line, "=======")):
			state = 2
		case state == 2 && strings.HasPrefix(line, ">>>>>>> "):
			state = 0
		case state == 0 || state == 1:
			b.WriteString(line)
		}
	}
	return b.String()
}

// movedRE matches a path the report of update --to names as gone from the
// new release, and the patches changing it.
var movedRE = regexp.MustCompile(`(?m)^  (library/\S+?)(?:: changed by (\S+))?$`)

// checkCarried: after a successful update --to 1.96.0 the lock and spec
// say 1.96.0 and verify is clean.
func checkCarried(t *testing.T, c *rustCLI, dir string) {
	t.Helper()
	if code, out := c.run("-C", dir, "verify"); code != 0 || !strings.Contains(out, "alloc: clean") {
		t.Fatalf("verify after update --to exit %d:\n%s", code, out)
	}
	lock, err := vendorspec.ReadLock(filepath.Join(dir, "rvendor.lock"))
	if err != nil {
		t.Fatal(err)
	}
	if lc := lock.Component("alloc"); lc.Version != "1.96.0" {
		t.Errorf("lock version %s after update --to 1.96.0", lc.Version)
	}
	spec, _ := os.ReadFile(filepath.Join(dir, "rvendor.toml"))
	if !strings.Contains(string(spec), `version = "1.96.0"`) {
		t.Errorf("spec not moved to 1.96.0:\n%s", spec)
	}
}

// conflictLineRE matches the report's lines for one conflicting file:
//
//	PATH: WHY
//	  resolve in .rvendor/conflict/tree/PATH
var conflictLineRE = regexp.MustCompile(`(?m)^\s+(\S+): .+\n\s+resolve in (\.rvendor/conflict/tree/\S+)$`)

// checkConflictReport: a conflicted update names the patch and each file
// with its staging path (which holds the conflicted file) and changes
// nothing else (before is the snapshot taken before it); verify and
// update refuse while it is pending; --abort restores the tree exactly,
// and after restore (which undoes the test's own spec edit, if any)
// verify is clean again.
func checkConflictReport(t *testing.T, c *rustCLI, dir, out, before string, restore func()) {
	t.Helper()
	if !regexp.MustCompile(`patch 0001-\S+\.patch conflicts with the new upstream of alloc:`).MatchString(out) {
		t.Errorf("the report does not name the conflicting patch")
	}
	ms := conflictLineRE.FindAllStringSubmatch(out, -1)
	if len(ms) == 0 {
		t.Fatalf("the report lists no conflicting file with its staging path")
	}
	for _, m := range ms {
		if want := ".rvendor/conflict/tree/" + m[1]; m[2] != want {
			t.Errorf("%s: staging path %s, want %s", m[1], m[2], want)
		}
		// The staging path holds the file to resolve: with conflict
		// markers for conflicting hunks.
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(m[2])))
		if err != nil {
			t.Errorf("the staging path of %s: %v", m[1], err)
		} else if strings.Contains(m[0], "conflicting hunk") && !patch.HasMarkers(data) {
			t.Errorf("%s holds no conflict markers (%s)", m[2], strings.TrimSpace(m[0]))
		}
	}
	if !strings.Contains(out, "rvendor update --continue") || !strings.Contains(out, "rvendor update --abort") {
		t.Errorf("the report does not say how to go on")
	}
	if after := snapshotTree(t, dir); after != before {
		t.Errorf("a conflicted update changed the tree:\n%s", diffLines(before, after))
	}
	if code, out := c.run("-C", dir, "verify"); code != 2 || !strings.Contains(out, "conflict") {
		t.Errorf("verify with a conflict pending: exit %d, want 2:\n%s", code, out)
	}
	if code, out := c.run("-C", dir, "update", "alloc"); code != 2 {
		t.Errorf("update with a conflict pending: exit %d, want 2:\n%s", code, out)
	}
	if code, out := c.run("-C", dir, "update", "--abort"); code != 0 {
		t.Fatalf("update --abort exit %d:\n%s", code, out)
	}
	if _, err := os.Stat(filepath.Join(dir, ".rvendor/conflict")); !os.IsNotExist(err) {
		t.Errorf(".rvendor/conflict remains after --abort: %v", err)
	}
	if after := snapshotTree(t, dir); after != before {
		t.Errorf("update --abort left the tree changed:\n%s", diffLines(before, after))
	}
	restore()
	if code, out := c.run("-C", dir, "verify"); code != 0 || !strings.Contains(out, "alloc: clean (rust, 1 patch)") {
		t.Errorf("verify after --abort exit %d:\n%s", code, out)
	}
}

// snapshotTree lists every entry below dir, spec, lock, sum and patch
// queue included, with its mode and the sha256 of files; rvendor's state
// folder (.rvendor: its lock file, staging and conflict folders) is left
// out.
func snapshotTree(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == ".rvendor" {
			return filepath.SkipDir
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		b.WriteString(filepath.ToSlash(rel) + " " + fi.Mode().String())
		if fi.Mode().IsRegular() {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			b.WriteString(" " + hashHex(data))
		}
		b.WriteString("\n")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// diffLines returns the lines of a and b that the other lacks.
func diffLines(a, b string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	ia, ib := in(a), in(b)
	var out strings.Builder
	for _, l := range strings.Split(a, "\n") {
		if !ib[l] {
			out.WriteString("- " + l + "\n")
		}
	}
	for _, l := range strings.Split(b, "\n") {
		if !ia[l] {
			out.WriteString("+ " + l + "\n")
		}
	}
	return out.String()
}

// kernelNote is the line TestUpgradeRealCorePatch adds to core, before the
// first ubLine of core/src/mem/mod.rs (mem::forget's docs): the 100
// lines around it are the same in 1.63 and 1.96, 38 lines further down.
const (
	kernelNote = "// Linux kernel: rust/kernel relies on mem::forget never running a destructor.\n"
	ubLine     = "/// [ub]: ../../reference/behavior-considered-undefined.html\n"
	memFile    = "core/src/mem/mod.rs"
)

// TestUpgradeRealCorePatch (issue 5, item 4, real data): core from
// rust-src 1.63 with a small kernel-style edit recorded by patch record
// moves to 1.96 with update --to: the patch lands (exactly or by a
// three-way merge, then refreshed), verify is clean, the new tree is
// pristine 1.96 core plus the edit, and the refreshed patch applies to
// pristine 1.96 core with git apply --check, at its recorded lines.
func TestUpgradeRealCorePatch(t *testing.T) {
	c := newTwoReleaseCLI(t)
	lib196 := realdata.RustWebSrc196(t)
	dir := t.TempDir()
	specPath := filepath.Join(dir, "rvendor.toml")
	spec := `version = 1
[[component]]
name = "rust-library"
kind = "rust-src"
version = "1.63.0"
paths = ["library/core"]
dest = "rust/vendor/library"
license = "MIT OR Apache-2.0"
patches = "rust/vendor/patches/rust-library"
`
	if err := os.WriteFile(specPath, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"-C", dir}
	if code, out := c.run(append(env, "update")...); code != 0 {
		t.Fatalf("update exit %d:\n%s", code, out)
	}
	vendored := filepath.Join(dir, "rust/vendor/library")
	mem := filepath.Join(vendored, filepath.FromSlash(memFile))
	data, err := os.ReadFile(mem)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(data), ubLine, kernelNote+ubLine, 1)
	if edited == string(data) {
		t.Fatalf("%s of 1.63 has no %q", memFile, ubLine)
	}
	if err := os.WriteFile(mem, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out := c.run(append(env, "patch", "record", "rust-library", "-m", "core: note that the kernel relies on mem::forget")...); code != 0 {
		t.Fatalf("patch record exit %d:\n%s", code, out)
	}
	qdir := filepath.Join(dir, "rust/vendor/patches/rust-library")
	const name = "0001-core-note-that-the-kernel-relies-on-mem-forget.patch"
	recorded, err := os.ReadFile(filepath.Join(qdir, name))
	if err != nil {
		t.Fatalf("patch record wrote no %s: %v", name, err)
	}
	if code, out := c.run(append(env, "verify")...); code != 0 || !strings.Contains(out, "rust-library: clean (rust/vendor/library, 1 patch)") {
		t.Fatalf("verify after patch record exit %d:\n%s", code, out)
	}

	code, out := c.run(append(env, "update", "--to", "1.96.0", "rust-library")...)
	t.Logf("update --to 1.96.0: exit %d\n%s", code, out)
	if code != 0 {
		t.Fatalf("update --to 1.96.0 exit %d", code)
	}
	merged := strings.Contains(out, name+" merged (three-way) and refreshed")
	if !merged && !strings.Contains(out, name+" applies exactly") {
		t.Errorf("update does not say how %s was carried", name)
	}
	if code, out := c.run(append(env, "verify")...); code != 0 || !strings.Contains(out, "rust-library: clean (rust/vendor/library, 1 patch)") {
		t.Fatalf("verify after update --to exit %d:\n%s", code, out)
	}
	refreshed, err := os.ReadFile(filepath.Join(qdir, name))
	if err != nil {
		t.Fatal(err)
	}
	if merged == bytes.Equal(refreshed, recorded) {
		t.Errorf("merged = %v but the patch file changed = %v", merged, !bytes.Equal(refreshed, recorded))
	}
	lock, err := vendorspec.ReadLock(filepath.Join(dir, "rvendor.lock"))
	if err != nil {
		t.Fatal(err)
	}
	lc := lock.Component("rust-library")
	if lc.Version != "1.96.0" || len(lc.Patches) != 1 || lc.Patches[0].Name != name || lc.Patches[0].SHA256 != hashHex(refreshed) ||
		strings.Join(lc.Patches[0].Files, ",") != memFile {
		t.Errorf("lock after update --to: version %s, patches %+v", lc.Version, lc.Patches)
	}
	if s, _ := os.ReadFile(specPath); string(s) != strings.Replace(spec, `"1.63.0"`, `"1.96.0"`, 1) {
		t.Errorf("spec after update --to:\n%s", s)
	}

	// The carried file is pristine 1.96 plus the edit, computed here
	// from Debian's 1.96 sources.
	pristine, err := os.ReadFile(filepath.Join(lib196, filepath.FromSlash(memFile)))
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(string(pristine), ubLine, kernelNote+ubLine, 1)
	if got, err := os.ReadFile(mem); err != nil || string(got) != want {
		t.Errorf("%s after update --to is not pristine 1.96 plus the edit (%v)", memFile, err)
	}
	// Every other vendored file of core is pristine 1.96: compare a copy
	// with mem/mod.rs put back to pristine.
	cmp := filepath.Join(t.TempDir(), "core")
	if out, err := exec.Command("cp", "-a", filepath.Join(vendored, "core"), cmp).CombinedOutput(); err != nil {
		t.Fatalf("copying: %v %s", err, out)
	}
	if err := os.WriteFile(filepath.Join(cmp, "src/mem/mod.rs"), pristine, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("diff", "-r", filepath.Join(lib196, "core"), cmp).CombinedOutput(); err != nil {
		t.Errorf("vendored core, but for %s, differs from pristine 1.96 core:\n%.2000s", memFile, out)
	}

	// git applies the refreshed patch to pristine 1.96 core at its
	// recorded lines (no offset); the 1.63 patch needs an offset there.
	git, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git not found: cannot check the refreshed patch with git apply")
	}
	pdir := filepath.Join(t.TempDir(), "library")
	if err := os.MkdirAll(filepath.Join(pdir, "core/src/mem"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(pdir, filepath.FromSlash(memFile)), pristine, 0o644); err != nil {
		t.Fatal(err)
	}
	oldPatch := filepath.Join(t.TempDir(), "old.patch")
	if err := os.WriteFile(oldPatch, recorded, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		patch  string
		offset bool
	}{{filepath.Join(qdir, name), false}, {oldPatch, true}} {
		cmd := exec.Command(git, "apply", "--check", "-v", tc.patch)
		cmd.Dir = pdir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("git apply --check %s on pristine 1.96 core: %v\n%s", tc.patch, err, out)
		} else if got := strings.Contains(string(out), "offset"); got != tc.offset {
			t.Errorf("git apply --check %s: offset = %v, want %v:\n%s", tc.patch, got, tc.offset, out)
		}
	}
}
