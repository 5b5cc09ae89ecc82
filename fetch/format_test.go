package fetch_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rvendor/rvendor/fetch"
	"github.com/rvendor/rvendor/internal/archivetest"
)

func TestFormatOf(t *testing.T) {
	for name, want := range map[string]fetch.Format{
		"demo-1.2.0.tar.gz": fetch.FormatGzip, "x.tgz": fetch.FormatGzip, "serde-1.0.0.crate": fetch.FormatGzip,
		"/dist/rustc-1.63.0-src.tar.xz": fetch.FormatXZ, "X.TXZ": fetch.FormatXZ,
		"a.tar.zst": fetch.FormatZstd, "a.tzst": fetch.FormatZstd,
		"https://h/x.tar.gz?download=1": fetch.FormatGzip,
	} {
		if got, err := fetch.FormatOf(name); err != nil || got != want {
			t.Errorf("FormatOf(%q) = %v, %v; want %v", name, got, err, want)
		}
	}
	for _, name := range []string{"x.zip", "x.tar", "x.gz", "x.tar.bz2", ""} {
		if _, err := fetch.FormatOf(name); err == nil {
			t.Errorf("FormatOf(%q) succeeded", name)
		}
	}
}

func TestSniffFormat(t *testing.T) {
	for _, f := range []fetch.Format{fetch.FormatGzip, fetch.FormatXZ, fetch.FormatZstd} {
		data := build(t, f, demo())
		if got, err := fetch.SniffFormat(data[:6]); err != nil || got != f {
			t.Errorf("SniffFormat(%v data) = %v, %v", f, got, err)
		}
	}
	if _, err := fetch.SniffFormat([]byte("ustar\x00")); err == nil {
		t.Errorf("SniffFormat(tar) succeeded")
	}
}

// TestExtractFormats round-trips each format, xz both through the xz
// program and through the pure-Go decoder.
func TestExtractFormats(t *testing.T) {
	ents := demo()
	ref := fetch.Result{}
	tests := []struct {
		name string
		f    fetch.Format
		path string // "" = unchanged $PATH
	}{
		{"gzip", fetch.FormatGzip, ""},
		{"zstd", fetch.FormatZstd, ""},
		{"xz-program", fetch.FormatXZ, ""},
		{"xz-go", fetch.FormatXZ, "none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name == "xz-program" {
				if _, err := exec.LookPath("xz"); err != nil {
					t.Skip("no xz program on $PATH")
				}
			}
			if tt.path != "" {
				t.Setenv("PATH", t.TempDir()) // no xz there
			}
			dst, res, err := extract(t, build(t, tt.f, ents), tt.f, fetch.Selection{}, fetch.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			assertTree(t, dst, res)
			if ref.Files == nil {
				ref = *res
			} else if got, want := paths(res), paths(&ref); !equalFiles(res, &ref) {
				t.Errorf("files %q differ from the gzip round trip %q", got, want)
			}
		})
	}
}

func equalFiles(a, b *fetch.Result) bool {
	if len(a.Files) != len(b.Files) {
		return false
	}
	for i := range a.Files {
		if a.Files[i] != b.Files[i] {
			return false
		}
	}
	return true
}

// fakeXZ puts a program named xz running script first on $PATH.
func fakeXZ(t *testing.T, script string) {
	t.Helper()
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "xz"), []byte("#!/bin/sh\n"+script+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
}

func TestXZProgramFailure(t *testing.T) {
	if _, err := exec.LookPath("xz"); err != nil {
		t.Skip("no xz program on $PATH")
	}
	_, _, err := extract(t, []byte("not xz data, not at all"), fetch.FormatXZ, fetch.Selection{}, fetch.Limits{})
	if err == nil || !strings.Contains(err.Error(), "File format not recognized") {
		t.Fatalf("err = %v, want xz's stderr in it", err)
	}
}

func TestXZProgramStderr(t *testing.T) {
	fakeXZ(t, `echo "xz: (stdin): Compressed data is corrupt" >&2; exit 1`)
	_, _, err := extract(t, build(t, fetch.FormatXZ, demo()), fetch.FormatXZ, fetch.Selection{}, fetch.Limits{})
	if err == nil || !strings.Contains(err.Error(), "Compressed data is corrupt") || !strings.Contains(err.Error(), "exit status 1") {
		t.Fatalf("err = %v, want the fake xz's stderr and exit status", err)
	}
}

func TestXZProgramKilledOnRefusal(t *testing.T) {
	// A fake xz that writes a tar with a bad entry, then hangs: Extract
	// must refuse at the entry and kill it, not wait for it.
	var tarData bytes.Buffer
	archivetest.WriteTar(&tarData, append(demo(), archivetest.Entry{Name: "../evil"}))
	tarFile := filepath.Join(t.TempDir(), "a.tar")
	os.WriteFile(tarFile, tarData.Bytes(), 0o644)
	fakeXZ(t, `cat '`+tarFile+`'; exec sleep 600`)
	start := time.Now()
	_, _, err := extract(t, []byte("ignored"), fetch.FormatXZ, fetch.Selection{}, fetch.Limits{})
	if err == nil || !strings.Contains(err.Error(), `entry "../evil"`) {
		t.Fatalf("err = %v, want a refusal of ../evil", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("Extract took %v: xz was not killed", d)
	}
}

func TestXZProgramKilledOnCancel(t *testing.T) {
	fakeXZ(t, `exec sleep 600`)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	dst := filepath.Join(t.TempDir(), "dst")
	start := time.Now()
	_, err := fetch.Extract(ctx, strings.NewReader("ignored"), fetch.FormatXZ, dst, fetch.Selection{}, fetch.Limits{})
	if err == nil {
		t.Fatal("Extract succeeded")
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("Extract took %v: xz was not killed", d)
	}
	if _, err := os.Stat(dst); !os.IsNotExist(err) {
		t.Errorf("dst left behind")
	}
}

// TestXZProgramMultiBlock: a multi-block .tar.xz, as the Rust
// distribution server's multi-threaded encoder writes them (and which
// the xz program decodes on every core with --threads=0), extracts to
// exactly what the single-block archive of the same tar gives.
func TestXZProgramMultiBlock(t *testing.T) {
	xzPath, err := exec.LookPath("xz")
	if err != nil {
		t.Skip("no xz program on $PATH")
	}
	var ents []archivetest.Entry
	for i := 0; i < 64; i++ {
		ents = append(ents, archivetest.Entry{Name: fmt.Sprintf("demo-1.2.0/src/f%02d.rs", i),
			Body: bytes.Repeat([]byte(fmt.Sprintf("// file %d\n", i)), 2000)})
	}
	var tarball bytes.Buffer
	if err := archivetest.WriteTar(&tarball, ents); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(xzPath, "--compress", "--stdout", "--threads=2", "--block-size=64KiB", "-0")
	cmd.Stdin = bytes.NewReader(tarball.Bytes())
	multi, err := cmd.Output()
	if err != nil {
		t.Fatalf("xz: %v", err)
	}
	file := filepath.Join(t.TempDir(), "multi.tar.xz")
	if err := os.WriteFile(file, multi, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(xzPath, "--list", "--robot", file).Output(); err != nil || !strings.Contains(string(out), "\ntotals\t1\t") {
		t.Fatalf("xz --list: %v\n%s", err, out)
	} else if f := strings.Fields(strings.SplitN(string(out), "\ntotals\t", 2)[1]); len(f) < 2 || f[1] == "1" {
		t.Fatalf("the test archive has one block, want several:\n%s", out)
	}
	_, got, err := extract(t, multi, fetch.FormatXZ, fetch.Selection{}, fetch.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	_, want, err := extract(t, build(t, fetch.FormatXZ, ents), fetch.FormatXZ, fetch.Selection{}, fetch.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Files) != 64 || !slices.Equal(got.Files, want.Files) {
		t.Errorf("multi-block: %d files, differ from the single-block archive's %d", len(got.Files), len(want.Files))
	}
}
