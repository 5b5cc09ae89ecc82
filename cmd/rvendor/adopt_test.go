package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/dirhash"

	"github.com/rvendor/rvendor/internal/realdata"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

// TestAdoptLinux61Alloc (issue 5): Linux 6.1's hand-vendored, kernel-
// modified rust/alloc adopted from rust-src 1.63 gives a lock whose verify
// is clean, whose tree hash is dirhash's of rust/alloc and whose upstream
// hash is dirhash's of the pristine subset, and a patch queue that git
// applies to pristine 1.63 alloc to reproduce the kernel's files byte for
// byte.
func TestAdoptLinux61Alloc(t *testing.T) {
	dir := linux61AllocTree(t)
	c := newRustCLI(t)
	env := []string{"-C", dir}
	code, out := c.run(append(env, "adopt", "rust", "--component", "alloc", "--from", "rust-src@1.63.0",
		"--path", "library/alloc/src", "--keyring", c.srv.KeyringFile)...)
	if code != 0 {
		t.Fatalf("adopt exit %d:\n%s", code, out)
	}
	t.Log(out)
	if code, out := c.run(append(env, "verify")...); code != 0 || !strings.Contains(out, "alloc: clean (rust, 1 patch)") {
		t.Fatalf("verify exit %d:\n%s", code, out)
	}
	lock, err := vendorspec.ReadLock(filepath.Join(dir, "rvendor.lock"))
	if err != nil {
		t.Fatal(err)
	}
	lc := lock.Component("alloc")
	if h, err := dirhash.HashDir(filepath.Join(dir, "rust"), "", dirhash.Hash1); err != nil || h != lc.Tree {
		t.Errorf("tree = %s, dirhash of rust/alloc = %s (%v)", lc.Tree, h, err)
	}
	if lc.Files != 14 || len(lc.Paths) != 13 {
		t.Errorf("files = %d, paths = %d (%v); want 14 files (13 upstream .rs + README) and 13 paths", lc.Files, len(lc.Paths), lc.Paths)
	}

	// Pristine 1.63: the 14 upstream files, straight from Debian's rust-src.
	pristine := filepath.Join(t.TempDir(), "alloc")
	lib := realdata.RustSrc163(t)
	for _, p := range lc.Paths {
		rel := strings.TrimPrefix(p, "library/alloc/src/")
		data, err := os.ReadFile(filepath.Join(lib, "alloc/src", rel))
		if err != nil {
			t.Fatal(err)
		}
		os.MkdirAll(filepath.Dir(filepath.Join(pristine, rel)), 0o755)
		if err := os.WriteFile(filepath.Join(pristine, rel), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if h, err := dirhash.HashDir(pristine, "", dirhash.Hash1); err != nil || h != lc.Upstream {
		t.Errorf("upstream = %s, dirhash of pristine subset = %s (%v)", lc.Upstream, h, err)
	}
	git, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git not found: cannot check the queue with git apply")
	}
	for _, p := range lc.Patches {
		cmd := exec.Command(git, "apply", filepath.Join(dir, "rvendor/patches/alloc", p.Name))
		cmd.Dir = pristine
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git apply %s: %v\n%s", p.Name, err, out)
		}
	}
	if out, err := exec.Command("diff", "-r", pristine, filepath.Join(dir, "rust")).CombinedOutput(); err != nil {
		t.Errorf("pristine 1.63 + queue differs from the kernel's rust/alloc:\n%s", out)
	}
}

// linux61AllocTree returns a fresh tree holding a copy of Linux 6.1's
// hand-vendored rust/alloc (real data) at rust/, with an empty spec.
func linux61AllocTree(t *testing.T) string {
	t.Helper()
	kernel := realdata.Path(t, "linux-6.1/rust/alloc")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "rvendor.toml"), []byte("version = 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("cp", "-a", kernel, filepath.Join(dir, "rust")).CombinedOutput(); err != nil {
		t.Fatalf("copying: %v %s", err, out)
	}
	return dir
}
