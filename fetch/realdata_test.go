package fetch_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/rvendor/rvendor/fetch"
	"github.com/rvendor/rvendor/internal/archivetest"
	"github.com/rvendor/rvendor/internal/realdata"
	"github.com/rvendor/rvendor/tree"
)

const rustRoot = "rustc-1.63.0-src/library"

var rustSel = fetch.Selection{
	Root:    rustRoot,
	Paths:   []string{rustRoot + "/core", rustRoot + "/alloc"},
	Archive: "rustc-1.63.0-src.tar",
}

// rustArchives writes the Rust 1.63 library/ tree as rustc-1.63.0-src
// would hold it, as .tar.gz and .tar.xz files in dir (xz by the xz
// program when there is one), and returns their paths.
func rustArchives(t testing.TB, dir string) (lib, gz, xz string, entries int) {
	lib = realdata.RustSrc163(t)
	ents, err := archivetest.FromDir(lib, rustRoot+"/")
	if err != nil {
		t.Fatal(err)
	}
	var raw bytes.Buffer
	if err := archivetest.WriteTar(&raw, ents); err != nil {
		t.Fatal(err)
	}
	gz = filepath.Join(dir, "rustc-1.63.0-src.tar.gz")
	xz = filepath.Join(dir, "rustc-1.63.0-src.tar.xz")
	compressTo(t, gz, fetch.FormatGzip, raw.Bytes())
	if _, err := exec.LookPath("xz"); err == nil {
		cmd := exec.Command("xz", "-3", "-T1", "-c")
		cmd.Stdin = bytes.NewReader(raw.Bytes())
		out, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(xz, out, 0o644)
	} else {
		compressTo(t, xz, fetch.FormatXZ, raw.Bytes())
	}
	return lib, gz, xz, len(ents)
}

func compressTo(t testing.TB, file string, f fetch.Format, raw []byte) {
	out, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	w, err := archivetest.Compress(out, f)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(raw); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// sourceFiles hashes lib/core and lib/alloc from disk.
func sourceFiles(t *testing.T, lib string) map[string]tree.File {
	files := map[string]tree.File{}
	for _, sub := range []string{"core", "alloc"} {
		err := filepath.WalkDir(filepath.Join(lib, sub), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			defer f.Close()
			h := sha256.New()
			n, err := io.Copy(h, f)
			if err != nil {
				return err
			}
			info, _ := f.Stat()
			rel, _ := filepath.Rel(lib, p)
			tf := tree.File{Path: filepath.ToSlash(rel), Mode: tree.NormalizeMode(info.Mode()), Size: n}
			h.Sum(tf.SHA256[:0])
			files[tf.Path] = tf
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return files
}

// TestExtractRealRust takes library/core and library/alloc out of the
// real Rust 1.63 library tree, and checks every file against the source.
func TestExtractRealRust(t *testing.T) {
	lib, gz, xz, entries := rustArchives(t, t.TempDir())
	want := sourceFiles(t, lib)
	if len(want) < 400 {
		t.Fatalf("only %d source files in core and alloc", len(want))
	}
	for _, tt := range []struct {
		name, file string
		f          fetch.Format
		noProgram  bool
	}{
		{"gzip", gz, fetch.FormatGzip, false},
		{"xz-program", xz, fetch.FormatXZ, false},
		{"xz-go", xz, fetch.FormatXZ, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.noProgram {
				if testing.Short() {
					t.Skip("slow pure-Go xz decoding; skipped in -short")
				}
				t.Setenv("PATH", t.TempDir())
			} else if tt.f == fetch.FormatXZ {
				if _, err := exec.LookPath("xz"); err != nil {
					t.Skip("no xz program")
				}
			}
			r, err := os.Open(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			dst := filepath.Join(t.TempDir(), "library")
			res, err := fetch.Extract(context.Background(), r, tt.f, dst, rustSel, fetch.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if res.Entries != entries {
				t.Errorf("Entries = %d, want %d", res.Entries, entries)
			}
			if len(res.Files) != len(want) {
				t.Errorf("%d files written, want %d", len(res.Files), len(want))
			}
			for _, f := range res.Files {
				if w, ok := want[f.Path]; !ok {
					t.Errorf("extra file %s", f.Path)
				} else if f != w {
					t.Errorf("%s: extracted %+v, source %+v", f.Path, f, w)
				}
			}
			assertTree(t, dst, res)
			if _, err := os.Stat(filepath.Join(dst, "core", "src", "lib.rs")); err != nil {
				t.Error(err)
			}
		})
	}
}

// BenchmarkExtract extracts core and alloc from the Rust 1.63 library
// tree (49 MB, 1,797 entries), as .tar.gz and .tar.xz.
func BenchmarkExtract(b *testing.B) {
	_, gz, xz, _ := rustArchives(b, b.TempDir())
	for _, bb := range []struct {
		name, file string
		f          fetch.Format
	}{
		{"gzip", gz, fetch.FormatGzip},
		{"xz", xz, fetch.FormatXZ},
	} {
		b.Run(bb.name, func(b *testing.B) {
			dir := b.TempDir()
			info, _ := os.Stat(bb.file)
			b.SetBytes(info.Size())
			for i := 0; b.Loop(); i++ {
				r, err := os.Open(bb.file)
				if err != nil {
					b.Fatal(err)
				}
				dst := filepath.Join(dir, "out")
				if _, err := fetch.Extract(context.Background(), r, bb.f, dst, rustSel, fetch.Limits{}); err != nil {
					b.Fatal(err)
				}
				r.Close()
				b.StopTimer()
				os.RemoveAll(dst)
				b.StartTimer()
			}
		})
	}
}
