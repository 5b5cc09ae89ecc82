package crates_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rvendor/rvendor/fetch"
	"github.com/rvendor/rvendor/fetch/crates"
	"github.com/rvendor/rvendor/internal/registry"
)

func TestMain(m *testing.M) {
	code := m.Run()
	registry.Cleanup()
	os.Exit(code)
}

func vendor(t *testing.T, flavour string, lock bool, edit func(*crates.Options)) (string, *crates.Result, error) {
	reg, srv := registry.Shared(t)
	dst := filepath.Join(t.TempDir(), "vendor")
	o := crates.Options{Crate: reg.Root, Version: reg.Version,
		Registry: &crates.Registry{URL: srv.Index(flavour)},
		Cache:    &fetch.Cache{Dir: filepath.Join(t.TempDir(), "cache")}}
	if lock {
		o.Lockfile = reg.Lock
	}
	if edit != nil {
		edit(&o)
	}
	res, err := crates.Vendor(context.Background(), dst, o)
	return dst, res, err
}

// TestVendorMatchesCargo vendors bindgen's closure from the real-crate
// registry and compares every crate folder and .cargo-checksum.json with
// what the real `cargo vendor` writes from the same registry.
func TestVendorMatchesCargo(t *testing.T) {
	reg, srv := registry.Shared(t)
	dst, res, err := vendor(t, "lib", true, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Crates) != len(reg.Crates)+1 {
		t.Fatalf("vendored %d crates, the closure has %d", len(res.Crates), len(reg.Crates)+1)
	}
	if _, err := exec.LookPath("cargo"); err != nil {
		t.Skip("cargo not on $PATH: not comparing with cargo vendor")
	}
	proj := t.TempDir()
	must(t, os.CopyFS(proj, os.DirFS(filepath.Join(dst, "bindgen"))))
	must(t, os.WriteFile(filepath.Join(proj, "Cargo.lock"), reg.Lock, 0o644))
	must(t, os.MkdirAll(filepath.Join(proj, ".cargo"), 0o755))
	must(t, os.WriteFile(filepath.Join(proj, ".cargo", "config.toml"),
		[]byte("[source.crates-io]\nreplace-with = \"t\"\n[source.t]\nregistry = \""+srv.Index("lib")+"\"\n"), 0o644))
	out := filepath.Join(t.TempDir(), "cargo-vendor")
	cmd := exec.Command("cargo", "vendor", "--respect-source-config", "--locked", out)
	cmd.Dir = proj
	cmd.Env = append(os.Environ(), "CARGO_HOME="+t.TempDir())
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cargo vendor: %v\n%s", err, b)
	}
	compared := 0
	for _, c := range res.Crates {
		if c.Name == reg.Root { // cargo vendor leaves out the workspace's own package
			continue
		}
		want := snapshotDir(t, filepath.Join(out, c.Dir))
		got := snapshotDir(t, filepath.Join(dst, c.Dir))
		if got != want {
			t.Errorf("crate %s differs from cargo vendor's:\n--- rvendor\n%s--- cargo\n%s", c.Dir, got, want)
		}
		compared++
	}
	if compared != len(reg.Crates) {
		t.Errorf("compared %d crates, want %d", compared, len(reg.Crates))
	}
}

// snapshotDir lists every file of dir with its content's length and,
// for .cargo-checksum.json, its bytes.
func snapshotDir(t *testing.T, dir string) string {
	var b strings.Builder
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		b.WriteString(rel + " " + string(rune('0'+len(data)%10)) + "\n")
		if rel == crates.ChecksumFile {
			b.Write(data)
			b.WriteString("\n")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestVendorShippedLock(t *testing.T) {
	reg, _ := registry.Shared(t)
	dst, res, err := vendor(t, "bin", false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.LockSource, "shipped") {
		t.Errorf("lock source = %q", res.LockSource)
	}
	got, err := os.ReadFile(filepath.Join(dst, crates.LockName))
	must(t, err)
	if !bytes.Equal(got, reg.Lock) {
		t.Error("the vendored Cargo.lock is not the shipped one")
	}
	// The library flavour ships none: a clear error naming the crate.
	_, _, err = vendor(t, "lib", false, nil)
	if err == nil || !strings.Contains(err.Error(), "crate bindgen 0.60.1: the crate ships no Cargo.lock") {
		t.Errorf("lib without lockfile: %v", err)
	}
}

func TestVendorFaults(t *testing.T) {
	for _, tc := range []struct {
		flavour string
		edit    func(*crates.Options)
		want    string
		is      error
	}{
		{flavour: "lib+tamper=memchr", want: "crate memchr 2.5.0: crate checksum mismatch", is: fetch.ErrChecksumMismatch},
		{flavour: "lib+absent=memchr", want: "crate memchr 2.5.0: downloading the .crate failed"},
		{flavour: "lib+index404=memchr", want: `crate memchr 2.5.0: the registry index has no crate "memchr"`, is: crates.ErrNotFound},
		{flavour: "lib+yank=memchr", want: "crate memchr 2.5.0: version 2.5.0 is yanked", is: crates.ErrYanked},
		{flavour: "lib", edit: func(o *crates.Options) {
			o.Lockfile = bytes.Replace(o.Lockfile, []byte("name = \"memchr\"\nversion = \"2.5.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum"), []byte("name = \"memchr\"\nversion = \"2.5.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nxchecksum"), 1)
		}, want: "crate memchr 2.5.0: has no checksum in Cargo.lock"},
		{flavour: "lib", edit: func(o *crates.Options) {
			o.Lockfile = bytes.Replace(o.Lockfile, []byte("source = \"registry+https://github.com/rust-lang/crates.io-index\""), []byte("source = \"git+https://example.org/x#abc\""), 1)
		}, want: "comes from git"},
	} {
		t.Run(tc.flavour, func(t *testing.T) {
			dst, _, err := vendor(t, tc.flavour, true, tc.edit)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("errors.Is(err, %v) is false", tc.is)
			}
			var pe *crates.PackageError
			if !errors.As(err, &pe) || pe.Hint() == "" {
				t.Errorf("not a *PackageError with a hint: %T", err)
			}
			if _, err := os.Stat(dst); !os.IsNotExist(err) {
				t.Errorf("dst left behind: %v", err)
			}
		})
	}
	_, res, err := vendor(t, "lib+yank=memchr", true, func(o *crates.Options) { o.AllowYanked = true })
	if err != nil || len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "memchr 2.5.0 is yanked") {
		t.Errorf("allow yanked: %v %v", err, res)
	}
}

func TestVendorPlatformFilter(t *testing.T) {
	_, res, err := vendor(t, "lib", true, func(o *crates.Options) { o.Platforms = []string{"x86_64-unknown-linux-gnu"} })
	if err != nil {
		t.Fatal(err)
	}
	stubs, saved := res.Stubbed()
	var names []string
	for _, c := range stubs {
		names = append(names, c.Name)
	}
	want := "winapi winapi-i686-pc-windows-gnu winapi-util winapi-x86_64-pc-windows-gnu"
	if strings.Join(names, " ") != want {
		t.Errorf("stubbed %v, want %s", names, want)
	}
	if saved < 1<<20 {
		t.Errorf("saved %d bytes, want > 1 MiB", saved)
	}
	t.Logf("stubbed %d crates, saved %d bytes", len(stubs), saved)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestVendorCorruptCache: a cached .crate is read once, hashed while it
// is unpacked; one that no longer hashes to the lock's checksum (here a
// valid .crate of the same files, compressed differently, and a
// truncated one) is not used: it is downloaded again, and the result is
// the same as from a sound cache (issue 14).
func TestVendorCorruptCache(t *testing.T) {
	cache := &fetch.Cache{Dir: filepath.Join(t.TempDir(), "cache")}
	useCache := func(o *crates.Options) { o.Cache = cache }
	_, want, err := vendor(t, "lib", true, useCache)
	if err != nil {
		t.Fatal(err)
	}
	var sum string
	for _, c := range want.Crates {
		if c.Name == "memchr" {
			sum = c.Checksum
		}
	}
	file := cache.Path(sum)
	orig, err := os.ReadFile(file)
	must(t, err)
	zr, err := gzip.NewReader(bytes.NewReader(orig))
	must(t, err)
	tarData, err := io.ReadAll(zr)
	must(t, err)
	var other bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&other, gzip.BestSpeed)
	zw.Write(tarData)
	must(t, zw.Close())
	for name, data := range map[string][]byte{"recompressed": other.Bytes(), "truncated": orig[:len(orig)/2]} {
		t.Run(name, func(t *testing.T) {
			must(t, os.Chmod(file, 0o644))
			must(t, os.WriteFile(file, data, 0o444))
			_, got, err := vendor(t, "lib", true, useCache)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.Files, want.Files) || !slices.Equal(got.Crates, want.Crates) {
				t.Error("the result differs from the one vendored from a sound cache")
			}
			if data, _ := os.ReadFile(file); !bytes.Equal(data, orig) {
				t.Error("the corrupt cache file was not replaced")
			}
		})
	}
}
