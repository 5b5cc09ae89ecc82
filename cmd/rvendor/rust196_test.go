package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/rvendor/rvendor/internal/distserver"
	"github.com/rvendor/rvendor/internal/realdata"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

// newTwoReleaseCLI returns a CLI whose loopback dist server serves both
// Rust 1.63.0 (Debian's rust-src) and 1.96.0 (Debian's rust-web-src) from
// one root, as adopt --guess 1.63.0,1.96.0 and update --to 1.96.0 need.
// It skips t when either library is not installed.
func newTwoReleaseCLI(t *testing.T) *rustCLI {
	lib163, lib196 := realdata.RustSrc163(t), realdata.RustWebSrc196(t)
	srv := distserver.New(t, distserver.Options{Library: lib163,
		Versions: []distserver.VersionSpec{{Version: distserver.Release196.Version, Library: lib196}}})
	return &rustCLI{t: t, srv: srv, cache: filepath.Join(t.TempDir(), "cache")}
}

// compileMu keeps two compilations of core from running at once: each
// takes a whole core for about 25 s.
var compileMu sync.Mutex

// compileLibrary compiles libdir (holding core/ and alloc/) with rustc by
// scripts/compile-rust-library.sh and fails t when it does not compile.
func compileLibrary(t *testing.T, rustc realdata.Rustc, libdir string) {
	t.Helper()
	compileMu.Lock()
	defer compileMu.Unlock()
	cmd := exec.Command("bash", "../../scripts/compile-rust-library.sh", rustc.Bin, libdir)
	cmd.Env = append(os.Environ(), rustc.Env()...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("compiling the vendored library: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}

// TestRust196LibraryCompiles (issue 3, item 3, for 1.96): rvendor update
// of rust-src 1.96.0 with paths only core and alloc, from the loopback
// dist server, follows core's references to core_arch and core_simd by
// itself (1.96 moved core's arch docs to core/src/arch.rs, which must come
// along with core), verifies clean, and the tree compiles with Debian's
// rustc-web 1.96 the way the kernel compiles it.
func TestRust196LibraryCompiles(t *testing.T) {
	if testing.Short() {
		t.Skip("compiling 1.96 core takes about 25 s; skipped with -short")
	}
	rustc := realdata.RustcWeb196(t)
	lib := realdata.RustWebSrc196(t)
	srv := distserver.New(t, distserver.Options{Library: lib, Version: "1.96.0"})
	c := &rustCLI{t: t, srv: srv, cache: filepath.Join(t.TempDir(), "cache")}
	dir := t.TempDir()
	spec := `version = 1
[[component]]
name = "rust-library"
kind = "rust-src"
version = "1.96.0"
paths = ["library/core", "library/alloc"]
dest = "rust/vendor/library"
license = "MIT OR Apache-2.0"
`
	if err := os.WriteFile(filepath.Join(dir, "rvendor.toml"), []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out := c.run("-C", dir, "update")
	if code != 0 {
		t.Fatalf("update exit %d:\n%s", code, out)
	}
	t.Log(out)
	for _, want := range []string{"added library/stdarch/crates/core_arch", "added library/portable-simd/crates/core_simd", "rust-library 1.96.0: "} {
		if !strings.Contains(out, want) {
			t.Errorf("update does not say %q:\n%s", want, out)
		}
	}
	lock, err := vendorspec.ReadLock(filepath.Join(dir, "rvendor.lock"))
	if err != nil {
		t.Fatal(err)
	}
	lc := lock.Component("rust-library")
	if want := []string{"library/portable-simd/crates/core_simd", "library/stdarch/crates/core_arch"}; !slices.Equal(lc.Added, want) {
		t.Errorf("added = %v, want %v", lc.Added, want)
	}
	if want := "https://static.rust-lang.org/dist/" + distserver.Release196.Date + "/rust-src-1.96.0.tar.gz"; lc.URL != want || lc.Version != "1.96.0" {
		t.Errorf("lock names %s %s, want %s 1.96.0", lc.URL, lc.Version, want)
	}
	vendored := filepath.Join(dir, "rust/vendor/library")
	for _, p := range []string{"core/src/arch.rs", "core/src/lib.rs", "alloc/src/lib.rs",
		"stdarch/crates/core_arch/src/mod.rs", "portable-simd/crates/core_simd/src/mod.rs"} {
		if _, err := os.Stat(filepath.Join(vendored, p)); err != nil {
			t.Errorf("not vendored: %v", err)
		}
	}
	// Exactly the four crates: nothing else of library/ came along.
	if got := lsDirs(t, vendored); !slices.Equal(got, []string{"alloc", "core", "portable-simd", "stdarch"}) {
		t.Errorf("vendored library/ holds %v", got)
	}
	if code, out := c.run("-C", dir, "verify"); code != 0 || !strings.Contains(out, "rust-library: clean") {
		t.Fatalf("verify exit %d:\n%s", code, out)
	}
	compileLibrary(t, rustc, vendored)
}

func lsDirs(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}
