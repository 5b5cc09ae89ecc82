package verify_test

import (
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/rvendor/rvendor/internal/realdata"
	"github.com/rvendor/rvendor/tree"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
	"github.com/rvendor/rvendor/verify"
)

// RealPaths are the folders of Rust 1.63's library/ that the kernel needs:
// core, alloc, and the two trees core includes by #[path].
var RealPaths = []string{"core", "alloc", "stdarch/crates/core_arch", "portable-simd/crates/core_simd"}

// realEnv vendors RealPaths of the real rust-src 1.63 into a temporary
// spec folder as component "lib" (dest rust/vendor/library), the tree
// scripts/bench-verify.sh measures.
func realEnv(b *testing.B) (*env, int64) {
	lib := realdata.RustSrc163(b)
	dir := b.TempDir()
	e := &env{dir: dir,
		spec: &vendorspec.Spec{Path: filepath.Join(dir, "rvendor.toml"), Dir: dir, Version: 1},
		lock: &vendorspec.Lock{Version: vendorspec.LockVersion},
		sum:  &vendorspec.Sum{Files: map[string][]tree.File{}},
	}
	c := component("lib")
	c.Dest = "rust/vendor/library"
	for _, p := range RealPaths {
		c.Paths = append(c.Paths, "library/"+p)
		if err := copyTree(filepath.Join(lib, p), e.path(c.Dest+"/"+p)); err != nil {
			b.Fatal(err)
		}
	}
	e.spec.Components = []*vendorspec.Component{c}
	lockComponent(b, e, c)
	return e, e.lock.Component("lib").Bytes
}

func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(target)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
}

func benchVerify(b *testing.B, cache bool) {
	e, size := realEnv(b)
	o := verify.Options{Spec: e.spec, Lock: e.lock, Sum: e.sum}
	verify.SetTestHooks(&o, later, nil)
	if cache {
		o.StatCache = filepath.Join(b.TempDir(), "stat")
	}
	check := func() *verify.Report {
		rep, err := verify.Verify(context.Background(), o)
		if err != nil {
			b.Fatal(err)
		}
		if !rep.Clean() {
			b.Fatalf("real tree not clean: %+v", rep.Components[0])
		}
		return rep
	}
	check() // warms the page cache, and the stat cache when on
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rep := check()
		if cache && rep.Stats.Hashed != 0 {
			b.Fatalf("warm run hashed %d files", rep.Stats.Hashed)
		}
	}
}

// BenchmarkVerifyCold verifies the real ~650-file, ~17 MB tree with no
// stat cache: every file is read and hashed.
func BenchmarkVerifyCold(b *testing.B) { benchVerify(b, false) }

// BenchmarkVerifyWarm verifies it with a warm stat cache: no file is read.
func BenchmarkVerifyWarm(b *testing.B) { benchVerify(b, true) }
