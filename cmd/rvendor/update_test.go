package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/dirhash"

	"github.com/rvendor/rvendor/fetch"
	"github.com/rvendor/rvendor/internal/archivetest"
	"github.com/rvendor/rvendor/internal/realdata"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

// rvendor runs the CLI in-process with a private cache and returns its
// exit status and output.
func rvendor(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	cache := filepath.Join(t.TempDir(), "cache")
	getenv := func(k string) string {
		if k == "RVENDOR_CACHE" {
			return cache
		}
		return ""
	}
	code := run(args, strings.NewReader(""), &out, &errb, getenv)
	return code, out.String(), errb.String()
}

// TestLockHashesAreDirhash checks the promise that anyone can
// re-check the lock with x/mod: its tree and upstream hashes are what
// dirhash.HashDir(dest, "", dirhash.Hash1) computes, on the real Rust
// library tree when it is installed and on a small one always.
func TestLockHashesAreDirhash(t *testing.T) {
	t.Run("small", func(t *testing.T) {
		src := t.TempDir()
		for name, body := range map[string]string{"src/lib.rs": "pub fn a() {}\n", "src/deep/b.rs": "b\n", "README": "r\n", "src/a b.rs": "space\n"} {
			p := filepath.Join(src, filepath.FromSlash(name))
			os.MkdirAll(filepath.Dir(p), 0o755)
			os.WriteFile(p, []byte(body), 0o644)
		}
		checkDirhash(t, src, "demo-1.0/", []string{"demo-1.0/src", "demo-1.0/README"}, "demo-1.0")
	})
	t.Run("rust-1.63-library", func(t *testing.T) {
		lib := realdata.RustSrc163(t)
		checkDirhash(t, lib, "library/", []string{"library/core", "library/alloc", "library/stdarch/crates/core_arch", "library/portable-simd/crates/core_simd"}, "library")
	})
}

func checkDirhash(t *testing.T, src, prefix string, paths []string, root string) {
	entries, err := archivetest.FromDir(src, prefix)
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	archive := filepath.Join(work, "src.tar.gz")
	var buf bytes.Buffer
	if err := archivetest.Build(&buf, fetch.FormatGzip, entries); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(archive, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(buf.Bytes())
	quoted := make([]string, len(paths))
	for i, p := range paths {
		quoted[i] = `"` + p + `"`
	}
	spec := "version = 1\n[[component]]\nname = \"lib\"\nkind = \"archive\"\nversion = \"1.0.0\"\n" +
		"url = \"file://" + archive + "\"\nsha256 = \"" + hex.EncodeToString(sum[:]) + "\"\n" +
		"root = \"" + root + "\"\npaths = [" + strings.Join(quoted, ", ") + "]\ndest = \"rust/vendor/library\"\n"
	tree := filepath.Join(work, "tree")
	os.MkdirAll(tree, 0o755)
	if err := os.WriteFile(filepath.Join(tree, "rvendor.toml"), []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := rvendor(t, "-C", tree, "update"); code != 0 {
		t.Fatalf("update: exit %d\n%s", code, stderr)
	}
	lock, err := vendorspec.ReadLock(filepath.Join(tree, "rvendor.lock"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := dirhash.HashDir(filepath.Join(tree, "rust/vendor/library"), "", dirhash.Hash1)
	if err != nil {
		t.Fatal(err)
	}
	lc := lock.Component("lib")
	if lc.Tree != want || lc.Upstream != want {
		t.Errorf("lock tree %s, upstream %s; dirhash.HashDir gives %s", lc.Tree, lc.Upstream, want)
	}
	if code, out, stderr := rvendor(t, "-C", tree, "verify", "--no-cache"); code != 0 {
		t.Errorf("verify: exit %d\n%s%s", code, out, stderr)
	}
}
