package tree

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestReadAndMapFile holds ReadFile and MapFile to the same answers:
// the same bytes for a regular file, the same refusals for what a cloned
// tree may put in its place.
func TestReadAndMapFile(t *testing.T) {
	dir := t.TempDir()
	big := bytes.Repeat([]byte("0644 815 dea306a4 compiler/rustc/Cargo.toml\n"), 5000) // 220 KB, many pages
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	small := write("small", []byte("one line\n"))
	large := write("large", big)
	empty := write("empty", nil)
	link := filepath.Join(dir, "link")
	if err := os.Symlink(large, link); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := unix.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, path string
		max        int64
		want       []byte
		err        string
	}{
		{"small", small, 1 << 20, []byte("one line\n"), ""},
		{"large", large, 1 << 20, big, ""},
		{"exactly the limit", large, int64(len(big)), big, ""},
		{"empty", empty, 1 << 20, nil, ""},
		{"over the limit", large, int64(len(big)) - 1, nil, "limit"},
		{"symbolic link", link, 1 << 20, nil, "symbolic link"},
		{"fifo", fifo, 1 << 20, nil, "not a regular file"},
		{"missing", filepath.Join(dir, "missing"), 1 << 20, nil, "no such file"},
	}
	for _, read := range []struct {
		name string
		f    func(string, int64) ([]byte, error)
	}{{"ReadFile", ReadFile}, {"MapFile", MapFile}} {
		for _, c := range cases {
			t.Run(read.name+"/"+c.name, func(t *testing.T) {
				got, err := read.f(c.path, c.max)
				if c.err != "" {
					if err == nil || !strings.Contains(err.Error(), c.err) {
						t.Fatalf("error %v, want one saying %q", err, c.err)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, c.want) {
					t.Fatalf("got %d bytes, want %d", len(got), len(c.want))
				}
			})
		}
	}
}

// TestMapFileSnapshot: MapFile's bytes stay what they were when the file
// is replaced by a rename, as rvendor and git replace the files they
// write.
func TestMapFileSnapshot(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "rvendor.sum")
	old := bytes.Repeat([]byte("a"), 3*4096+7)
	if err := os.WriteFile(p, old, 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := MapFile(p, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(dir, "new")
	if err := os.WriteFile(tmp, []byte("short"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, p); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, old) {
		t.Fatal("the mapping changed when the file was replaced")
	}
}

// TestMapFileMaps: what MapFile returns is a read-only mapping, not a
// copy (a write to it faults), and MapOwnFile follows a symbolic link,
// which MapFile refuses.
func TestMapFileMaps(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "stat")
	want := bytes.Repeat([]byte("record "), 2000)
	if err := os.WriteFile(p, want, 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := MapFile(p, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	faulted := func() (f bool) {
		defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
		defer func() { f = recover() != nil }()
		got[0] = 'x'
		return false
	}()
	if !faulted || !bytes.Equal(got, want) {
		t.Error("MapFile's bytes could be written: a copy, not a read-only mapping")
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(p, link); err != nil {
		t.Fatal(err)
	}
	if _, err := MapFile(link, 1<<20); err == nil {
		t.Error("MapFile followed a symbolic link")
	}
	if own, err := MapOwnFile(link, 1<<20); err != nil || !bytes.Equal(own, want) {
		t.Errorf("MapOwnFile through a symbolic link: %d bytes, %v", len(own), err)
	}
	if _, err := MapOwnFile(link, 100); err == nil || !strings.Contains(err.Error(), "limit") {
		t.Errorf("MapOwnFile over the limit: %v", err)
	}
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if own, err := MapOwnFile(empty, 100); err != nil || len(own) != 0 {
		t.Errorf("MapOwnFile of an empty file: %q, %v", own, err)
	}
	if _, err := MapOwnFile(dir, 100); err == nil {
		t.Error("MapOwnFile mapped a folder")
	}
}
