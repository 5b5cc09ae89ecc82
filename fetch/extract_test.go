package fetch_test

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rvendor/rvendor/fetch"
	"github.com/rvendor/rvendor/internal/archivetest"
	"golang.org/x/sys/unix"
)

// demo is a well-formed archive that the refusal cases add one entry to.
func demo() []archivetest.Entry {
	return []archivetest.Entry{
		{Name: "demo-1.2.0/"},
		{Name: "demo-1.2.0/Cargo.toml", Body: []byte("[package]\n")},
		{Name: "demo-1.2.0/src/"},
		{Name: "demo-1.2.0/src/lib.rs", Body: []byte("pub fn f() {}\n")},
		{Name: "demo-1.2.0/src/bin/tool.sh", Body: []byte("#!/bin/sh\n"), Mode: 0o755},
		{Name: "demo-1.2.0/docs/guide.md", Body: []byte("# guide\n")},
		{Name: "demo-1.2.0/tests/t.rs", Body: []byte("#[test] fn t() {}\n")},
	}
}

func build(t testing.TB, f fetch.Format, entries []archivetest.Entry) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := archivetest.Build(&b, f, entries); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// extract runs Extract into base/sub/dst, and returns dst.
func extract(t *testing.T, data []byte, f fetch.Format, sel fetch.Selection, lim fetch.Limits) (string, *fetch.Result, error) {
	t.Helper()
	base := t.TempDir()
	sub := filepath.Join(base, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(sub, "dst")
	if sel.Archive == "" {
		sel.Archive = "demo-1.2.0.tar.gz"
	}
	res, err := fetch.Extract(context.Background(), bytes.NewReader(data), f, dst, sel, lim)
	if err != nil {
		// Nothing may remain: not dst, and nothing beside or above it.
		if res != nil {
			t.Errorf("Extract returned a result and an error")
		}
		var left []string
		filepath.WalkDir(base, func(p string, d fs.DirEntry, err error) error {
			if p != base && p != sub {
				left = append(left, p)
			}
			return nil
		})
		if left != nil {
			t.Errorf("after a failed Extract, files remain: %q", left)
		}
	}
	return dst, res, err
}

func paths(res *fetch.Result) []string {
	var ps []string
	for _, f := range res.Files {
		ps = append(ps, f.Path)
	}
	return ps
}

// nulArchive returns a tar.gz whose PAX path record holds a NUL, which
// archive/tar's writer cannot produce.
func nulArchive(t *testing.T) []byte {
	var raw bytes.Buffer
	ents := append(demo(), archivetest.Entry{Name: "demo-1.2.0/é-NULHERE", Body: []byte("x")})
	if err := archivetest.WriteTar(&raw, ents); err != nil {
		t.Fatal(err)
	}
	b := bytes.ReplaceAll(raw.Bytes(), []byte("NULHERE"), []byte("\x00ULHERE"))
	var out bytes.Buffer
	w, _ := archivetest.Compress(&out, fetch.FormatGzip)
	w.Write(b)
	w.Close()
	return out.Bytes()
}

func TestExtractRefuses(t *testing.T) {
	src := fetch.Selection{Paths: []string{"demo-1.2.0/src"}}
	tests := []struct {
		name  string
		add   []archivetest.Entry
		sel   fetch.Selection
		lim   fetch.Limits
		is    error  // errors.Is target
		entry string // the entry the error names
		msg   string // in the message
	}{
		// Unsafe names refuse the archive even outside the selection.
		{name: "dotdot", add: []archivetest.Entry{{Name: "../evil", Body: []byte("x")}}, sel: src, is: fetch.ErrUnsafeName, entry: "../evil", msg: "path escapes the archive root"},
		{name: "dotdot-inner", add: []archivetest.Entry{{Name: "demo-1.2.0/docs/../../evil"}}, sel: src, is: fetch.ErrUnsafeName, entry: "demo-1.2.0/docs/../../evil"},
		{name: "dotdot-selected", add: []archivetest.Entry{{Name: "demo-1.2.0/src/../../../evil"}}, is: fetch.ErrUnsafeName, entry: "demo-1.2.0/src/../../../evil"},
		{name: "absolute", add: []archivetest.Entry{{Name: "/etc/evil"}}, sel: src, is: fetch.ErrUnsafeName, entry: "/etc/evil", msg: "absolute"},
		{name: "empty-element", add: []archivetest.Entry{{Name: "demo-1.2.0/docs//x"}}, sel: src, is: fetch.ErrUnsafeName, entry: "demo-1.2.0/docs//x"},
		{name: "dot-element", add: []archivetest.Entry{{Name: "demo-1.2.0/docs/./x"}}, sel: src, is: fetch.ErrUnsafeName, entry: "demo-1.2.0/docs/./x"},
		{name: "newline", add: []archivetest.Entry{{Name: "demo-1.2.0/docs/a\nb"}}, sel: src, is: fetch.ErrUnsafeName, entry: "demo-1.2.0/docs/a\nb", msg: "control character"},
		{name: "control", add: []archivetest.Entry{{Name: "demo-1.2.0/docs/a\x1bb"}}, sel: src, is: fetch.ErrUnsafeName, entry: "demo-1.2.0/docs/a\x1bb"},
		{name: "del", add: []archivetest.Entry{{Name: "demo-1.2.0/docs/a\x7f"}}, sel: src, is: fetch.ErrUnsafeName, entry: "demo-1.2.0/docs/a\x7f"},
		{name: "invalid-utf8", add: []archivetest.Entry{{Name: "demo-1.2.0/docs/\xff.rs"}}, sel: src, is: fetch.ErrUnsafeName, entry: "demo-1.2.0/docs/\xff.rs", msg: "UTF-8"},
		{name: "backslash", add: []archivetest.Entry{{Name: `demo-1.2.0/docs/..\..\evil`}}, sel: src, is: fetch.ErrUnsafeName, entry: `demo-1.2.0/docs/..\..\evil`, msg: "backslash"},
		{name: "unsafe-symlink-name", add: []archivetest.Entry{{Name: "../link", Type: tar.TypeSymlink, Linkname: "/etc"}}, sel: src, is: fetch.ErrUnsafeName, entry: "../link"},

		// .git and .rvendor, whatever their case, inside the selection:
		// git would use the planted config and hooks.
		{name: "dot-git-config", add: []archivetest.Entry{{Name: "demo-1.2.0/src/.git/config", Body: []byte("[core]\n\tfsmonitor = evil\n")}}, is: fetch.ErrUnsafeName, entry: "demo-1.2.0/src/.git/config", msg: `".git" element`},
		{name: "dot-git-hook", add: []archivetest.Entry{{Name: "demo-1.2.0/.git/hooks/pre-commit", Body: []byte("#!/bin/sh\n"), Mode: 0o755}}, is: fetch.ErrUnsafeName, entry: "demo-1.2.0/.git/hooks/pre-commit", msg: "git would take it for a repository"},
		{name: "dot-git-file", add: []archivetest.Entry{{Name: "demo-1.2.0/src/.git", Body: []byte("gitdir: /tmp/evil\n")}}, is: fetch.ErrUnsafeName, entry: "demo-1.2.0/src/.git"},
		{name: "dot-git-folder-entry", add: []archivetest.Entry{{Name: "./demo-1.2.0/src/.git/"}}, is: fetch.ErrUnsafeName, entry: "./demo-1.2.0/src/.git/"},
		{name: "dot-git-upper", add: []archivetest.Entry{{Name: "demo-1.2.0/src/.GIT/hooks/post-checkout", Body: []byte("x")}}, is: fetch.ErrUnsafeName, entry: "demo-1.2.0/src/.GIT/hooks/post-checkout", msg: `".GIT" element`},
		{name: "dot-git-mixed", add: []archivetest.Entry{{Name: "demo-1.2.0/src/.gIt/config", Body: []byte("x")}}, sel: src, is: fetch.ErrUnsafeName, entry: "demo-1.2.0/src/.gIt/config"},
		{name: "dot-git-symlink", add: []archivetest.Entry{{Name: "demo-1.2.0/src/.git", Type: tar.TypeSymlink, Linkname: "/tmp/evil"}}, is: fetch.ErrUnsafeName, entry: "demo-1.2.0/src/.git"},
		{name: "dot-rvendor", add: []archivetest.Entry{{Name: "demo-1.2.0/src/.rvendor/journal", Body: []byte("x")}}, is: fetch.ErrUnsafeName, entry: "demo-1.2.0/src/.rvendor/journal", msg: `".rvendor" element`},
		{name: "dot-rvendor-upper", add: []archivetest.Entry{{Name: "demo-1.2.0/.RVendor/lock", Body: []byte("x")}}, is: fetch.ErrUnsafeName, entry: "demo-1.2.0/.RVendor/lock"},

		// Irregular files inside the selection.
		{name: "symlink", add: []archivetest.Entry{{Name: "demo-1.2.0/src/link.rs", Type: tar.TypeSymlink, Linkname: "/etc/passwd"}}, is: fetch.ErrUnsupportedType, entry: "demo-1.2.0/src/link.rs", msg: "symlink"},
		{name: "symlink-dir", add: []archivetest.Entry{{Name: "demo-1.2.0/src/sub", Type: tar.TypeSymlink, Linkname: "../../.."}}, sel: src, is: fetch.ErrUnsupportedType, entry: "demo-1.2.0/src/sub", msg: "symlink"},
		{name: "hardlink", add: []archivetest.Entry{{Name: "demo-1.2.0/src/hard.rs", Type: tar.TypeLink, Linkname: "demo-1.2.0/src/lib.rs"}}, sel: src, is: fetch.ErrUnsupportedType, entry: "demo-1.2.0/src/hard.rs", msg: "hardlink"},
		{name: "char", add: []archivetest.Entry{{Name: "demo-1.2.0/src/null", Type: tar.TypeChar}}, is: fetch.ErrUnsupportedType, entry: "demo-1.2.0/src/null", msg: "character device"},
		{name: "block", add: []archivetest.Entry{{Name: "demo-1.2.0/src/sda", Type: tar.TypeBlock}}, is: fetch.ErrUnsupportedType, entry: "demo-1.2.0/src/sda", msg: "block device"},
		{name: "fifo", add: []archivetest.Entry{{Name: "demo-1.2.0/src/pipe", Type: tar.TypeFifo}}, is: fetch.ErrUnsupportedType, entry: "demo-1.2.0/src/pipe", msg: "fifo"},

		// Collisions and duplicates among the written entries.
		{name: "case-file", add: []archivetest.Entry{{Name: "demo-1.2.0/src/LIB.rs", Body: []byte("x")}}, is: fetch.ErrCollision, entry: "demo-1.2.0/src/LIB.rs", msg: "differ only in case"},
		{name: "case-dir", add: []archivetest.Entry{{Name: "demo-1.2.0/SRC/x.rs", Body: []byte("x")}}, is: fetch.ErrCollision, entry: "demo-1.2.0/SRC/x.rs"},
		{name: "case-unicode", add: []archivetest.Entry{
			{Name: "demo-1.2.0/docs/Straße.md", Body: []byte("x")},
			{Name: "demo-1.2.0/docs/STRAßE.md", Body: []byte("y")}}, is: fetch.ErrCollision, entry: "demo-1.2.0/docs/STRAßE.md"},
		{name: "file-then-dir", add: []archivetest.Entry{{Name: "demo-1.2.0/src/lib.rs/x.rs", Body: []byte("x")}}, is: fetch.ErrCollision, entry: "demo-1.2.0/src/lib.rs/x.rs", msg: "also the file"},
		{name: "dir-then-file", add: []archivetest.Entry{{Name: "demo-1.2.0/src/bin", Body: []byte("x")}}, is: fetch.ErrCollision, entry: "demo-1.2.0/src/bin"},
		{name: "file-and-dir-entry", add: []archivetest.Entry{{Name: "demo-1.2.0/src/lib.rs/"}}, is: fetch.ErrCollision, entry: "demo-1.2.0/src/lib.rs/"},
		{name: "duplicate", add: []archivetest.Entry{{Name: "demo-1.2.0/src/lib.rs", Body: []byte("evil")}}, is: fetch.ErrDuplicate, entry: "demo-1.2.0/src/lib.rs", msg: "twice"},
		{name: "duplicate-dotslash", add: []archivetest.Entry{{Name: "./demo-1.2.0/src/lib.rs", Body: []byte("evil")}}, is: fetch.ErrDuplicate, entry: "./demo-1.2.0/src/lib.rs"},
		{name: "duplicate-dir", add: []archivetest.Entry{{Name: "demo-1.2.0/src/"}}, is: fetch.ErrDuplicate, entry: "demo-1.2.0/src/"},

		// Limits.
		{name: "max-entries", lim: fetch.Limits{MaxEntries: 4}, is: fetch.ErrLimit, entry: "demo-1.2.0/src/bin/tool.sh", msg: "more than 4 entries"},
		{name: "max-folders", add: []archivetest.Entry{{Name: "demo-1.2.0/src/a/b/c/d/e/f/g/h/i/j/k/l.rs", Body: []byte("x")}}, lim: fetch.Limits{MaxEntries: 12}, is: fetch.ErrLimit, entry: "demo-1.2.0/src/a/b/c/d/e/f/g/h/i/j/k/l.rs", msg: "more than 12 folders"},
		{name: "max-file-size", add: []archivetest.Entry{{Name: "demo-1.2.0/src/big.rs", Body: make([]byte, 1001)}}, lim: fetch.Limits{MaxFileSize: 1000}, is: fetch.ErrLimit, entry: "demo-1.2.0/src/big.rs", msg: "limit of 1000 bytes per file"},
		{name: "max-total-size", add: []archivetest.Entry{
			{Name: "demo-1.2.0/src/a.rs", Body: make([]byte, 600)},
			{Name: "demo-1.2.0/src/b.rs", Body: make([]byte, 600)}}, lim: fetch.Limits{MaxTotalSize: 1000}, is: fetch.ErrLimit, entry: "demo-1.2.0/src/b.rs", msg: "1000 bytes in total"},
		{name: "max-tar-size", add: []archivetest.Entry{{Name: "demo-1.2.0/junk", Body: make([]byte, 1<<20)}}, sel: src, lim: fetch.Limits{MaxTarSize: 64 << 10}, is: fetch.ErrLimit, msg: "uncompressed tar stream is over 65536 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Put the bad entry after some written files, so that
			// Extract has written something before it refuses.
			ents := demo()
			ents = append(ents, tt.add...)
			ents = append(ents, archivetest.Entry{Name: "demo-1.2.0/src/zz.rs", Body: []byte("last")})
			_, _, err := extract(t, build(t, fetch.FormatGzip, ents), fetch.FormatGzip, tt.sel, tt.lim)
			if err == nil {
				t.Fatal("Extract succeeded, want an error")
			}
			if !errors.Is(err, tt.is) {
				t.Errorf("error %q is not %v", err, tt.is)
			}
			if tt.entry != "" {
				var ee *fetch.EntryError
				if !errors.As(err, &ee) {
					t.Fatalf("error %q (%T) is not an *EntryError", err, err)
				}
				if ee.Name != tt.entry || ee.Archive != "demo-1.2.0.tar.gz" {
					t.Errorf("error names entry %q of %q, want %q of demo-1.2.0.tar.gz", ee.Name, ee.Archive, tt.entry)
				}
				if !strings.HasPrefix(err.Error(), "refusing archive demo-1.2.0.tar.gz: entry ") {
					t.Errorf("error %q does not start with \"refusing archive demo-1.2.0.tar.gz: entry \"", err)
				}
				if ee.Hint() == "" {
					t.Errorf("no hint")
				}
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not contain %q", err, tt.msg)
			}
		})
	}
}

func TestExtractRefusesNUL(t *testing.T) {
	// archive/tar's reader itself refuses a PAX path with a NUL; either
	// way the archive is refused and nothing is left.
	_, _, err := extract(t, nulArchive(t), fetch.FormatGzip, fetch.Selection{Paths: []string{"demo-1.2.0/src"}}, fetch.Limits{})
	if err == nil {
		t.Fatal("Extract succeeded, want an error")
	}
	if !strings.Contains(err.Error(), "demo-1.2.0.tar.gz") {
		t.Errorf("error %q does not name the archive", err)
	}
}

func TestExtractSelectionErrors(t *testing.T) {
	two := append(demo(), archivetest.Entry{Name: "other/x.rs", Body: []byte("x")})
	topFile := append(demo(), archivetest.Entry{Name: "README", Body: []byte("x")})
	tests := []struct {
		name  string
		ents  []archivetest.Entry
		sel   fetch.Selection
		field string
		msg   string
	}{
		{"path-missing", demo(), fetch.Selection{Paths: []string{"demo-1.2.0/srcx"}}, "paths", `paths: "demo-1.2.0/srcx" is not in demo-1.2.0.tar.gz`},
		{"path-missing-file", demo(), fetch.Selection{Paths: []string{"demo-1.2.0/src", "demo-1.2.0/src/lib.r"}}, "paths", `paths: "demo-1.2.0/src/lib.r" is not in demo-1.2.0.tar.gz`},
		{"path-outside-auto-root", demo(), fetch.Selection{Paths: []string{"other/src"}}, "paths", `"other/src" is outside "demo-1.2.0"`},
		{"path-outside-root", demo(), fetch.Selection{Root: "demo-1.2.0/src", Paths: []string{"demo-1.2.0/docs"}}, "paths", `"demo-1.2.0/docs" is outside root "demo-1.2.0/src"`},
		{"path-unclean", demo(), fetch.Selection{Paths: []string{"demo-1.2.0/../x"}}, "paths", "not a clean archive path"},
		{"two-top-folders", two, fetch.Selection{}, "root", `two top-level folders, "demo-1.2.0" and "other"`},
		{"top-level-file", topFile, fetch.Selection{}, "root", `top-level file "README"`},
		{"root-missing", demo(), fetch.Selection{Root: "demo-1.3.0"}, "root", `root: "demo-1.3.0" is not in demo-1.2.0.tar.gz`},
		{"root-is-file", demo(), fetch.Selection{Root: "demo-1.2.0/Cargo.toml"}, "root", "is a file"},
		{"root-unclean", demo(), fetch.Selection{Root: "/demo-1.2.0"}, "root", "not a clean archive path"},
		{"bad-pattern", demo(), fetch.Selection{Exclude: []string{"demo-1.2.0/[a"}}, "exclude", "syntax error in pattern"},
		{"dotdot-pattern", demo(), fetch.Selection{Exclude: []string{"../x"}}, "exclude", `".."`},
		{"empty-archive", nil, fetch.Selection{}, "root", "demo-1.2.0.tar.gz is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := extract(t, build(t, fetch.FormatGzip, tt.ents), fetch.FormatGzip, tt.sel, fetch.Limits{})
			if err == nil {
				t.Fatal("Extract succeeded, want an error")
			}
			var se *fetch.SelectionError
			if !errors.As(err, &se) || se.Field != tt.field {
				t.Fatalf("error %q (%T) is not a SelectionError about %s", err, err, tt.field)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not contain %q", err, tt.msg)
			}
		})
	}
}

func TestExtractDstExists(t *testing.T) {
	dst := t.TempDir()
	keep := filepath.Join(dst, "keep")
	os.WriteFile(keep, []byte("x"), 0o644)
	_, err := fetch.Extract(context.Background(), bytes.NewReader(build(t, fetch.FormatGzip, demo())), fetch.FormatGzip, dst, fetch.Selection{}, fetch.Limits{})
	if !errors.Is(err, fs.ErrExist) {
		t.Fatalf("err = %v, want fs.ErrExist", err)
	}
	if _, err := os.Stat(keep); err != nil {
		t.Fatalf("Extract removed an existing dst: %v", err)
	}
}

func TestExtractCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dst := filepath.Join(t.TempDir(), "dst")
	_, err := fetch.Extract(ctx, bytes.NewReader(build(t, fetch.FormatGzip, demo())), fetch.FormatGzip, dst, fetch.Selection{}, fetch.Limits{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if _, err := os.Stat(dst); !os.IsNotExist(err) {
		t.Fatalf("dst exists after a canceled Extract")
	}
}

func TestExtractCorrupt(t *testing.T) {
	data := build(t, fetch.FormatGzip, demo())
	for _, tt := range []struct {
		name string
		data []byte
	}{
		{"truncated", data[:len(data)/2]},
		{"not-gzip", []byte("this is not a gzip stream at all")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := extract(t, tt.data, fetch.FormatGzip, fetch.Selection{}, fetch.Limits{})
			if err == nil || !strings.Contains(err.Error(), "demo-1.2.0.tar.gz") {
				t.Fatalf("err = %v, want a read error naming the archive", err)
			}
		})
	}
}

func TestExtractSelect(t *testing.T) {
	tests := []struct {
		name    string
		ents    []archivetest.Entry
		sel     fetch.Selection
		files   []string
		root    string
		skipped int
	}{
		{name: "all", sel: fetch.Selection{}, root: "demo-1.2.0",
			files: []string{"Cargo.toml", "docs/guide.md", "src/bin/tool.sh", "src/lib.rs", "tests/t.rs"}},
		{name: "explicit-root", sel: fetch.Selection{Root: "demo-1.2.0/"}, root: "demo-1.2.0",
			files: []string{"Cargo.toml", "docs/guide.md", "src/bin/tool.sh", "src/lib.rs", "tests/t.rs"}},
		{name: "nested-root", sel: fetch.Selection{Root: "demo-1.2.0/src"}, root: "demo-1.2.0/src",
			files: []string{"bin/tool.sh", "lib.rs"}, skipped: 4},
		{name: "paths", sel: fetch.Selection{Paths: []string{"demo-1.2.0/src", "demo-1.2.0/Cargo.toml"}}, root: "demo-1.2.0",
			files: []string{"Cargo.toml", "src/bin/tool.sh", "src/lib.rs"}, skipped: 2},
		{name: "path-is-root", sel: fetch.Selection{Paths: []string{"demo-1.2.0"}}, root: "demo-1.2.0",
			files: []string{"Cargo.toml", "docs/guide.md", "src/bin/tool.sh", "src/lib.rs", "tests/t.rs"}},
		{name: "dotslash-names", ents: []archivetest.Entry{{Name: "./"}, {Name: "./demo-1.2.0/"}, {Name: "./demo-1.2.0/a.rs", Body: []byte("a")}},
			root: "demo-1.2.0", files: []string{"a.rs"}},
		{name: "pax-global-header", ents: []archivetest.Entry{
			{Name: "pax_global_header", Type: tar.TypeXGlobalHeader, Body: []byte("0123456789abcdef")},
			{Name: "demo-1.2.0/a.rs", Body: []byte("a")}},
			root: "demo-1.2.0", files: []string{"a.rs"}},
		{name: "no-dir-entries", ents: []archivetest.Entry{{Name: "r/x/y/z.rs", Body: []byte("z")}, {Name: "r/x/w.rs"}},
			root: "r", files: []string{"x/w.rs", "x/y/z.rs"}},
		{name: "dir-after-contents", ents: []archivetest.Entry{{Name: "r/x/z.rs", Body: []byte("z")}, {Name: "r/x/"}, {Name: "r/"}},
			root: "r", files: []string{"x/z.rs"}},
		{name: "skip-irregular-outside-paths", ents: append(demo(),
			archivetest.Entry{Name: "demo-1.2.0/docs/link", Type: tar.TypeSymlink, Linkname: "/etc/passwd"},
			archivetest.Entry{Name: "demo-1.2.0/docs/hard", Type: tar.TypeLink, Linkname: "demo-1.2.0/docs/guide.md"},
			archivetest.Entry{Name: "demo-1.2.0/docs/fifo", Type: tar.TypeFifo},
			archivetest.Entry{Name: "demo-1.2.0/docs/dev", Type: tar.TypeChar},
			archivetest.Entry{Name: "demo-1.2.0/docs/LIB.rs", Body: []byte("no collision outside")},
			archivetest.Entry{Name: "demo-1.2.0/docs/guide.md", Body: []byte("no duplicate outside")}),
			sel: fetch.Selection{Paths: []string{"demo-1.2.0/src"}}, root: "demo-1.2.0",
			files: []string{"src/bin/tool.sh", "src/lib.rs"}, skipped: 9},
		{name: "skip-irregular-outside-root", ents: append(demo(),
			archivetest.Entry{Name: "demo-1.2.0/link", Type: tar.TypeSymlink, Linkname: "src"}),
			sel: fetch.Selection{Root: "demo-1.2.0/src"}, root: "demo-1.2.0/src",
			files: []string{"bin/tool.sh", "lib.rs"}, skipped: 5},
		{name: "skip-dot-git-outside-paths", ents: append(demo(),
			archivetest.Entry{Name: "demo-1.2.0/docs/.git/config", Body: []byte("x")},
			archivetest.Entry{Name: "demo-1.2.0/.rvendor/lock", Body: []byte("x")}),
			sel: fetch.Selection{Paths: []string{"demo-1.2.0/src"}}, root: "demo-1.2.0",
			files: []string{"src/bin/tool.sh", "src/lib.rs"}, skipped: 5},
		{name: "skip-excluded-dot-git", ents: append(demo(),
			archivetest.Entry{Name: "demo-1.2.0/src/.git/"},
			archivetest.Entry{Name: "demo-1.2.0/src/.git/hooks/pre-commit", Body: []byte("x"), Mode: 0o755},
			archivetest.Entry{Name: "demo-1.2.0/.GIT", Body: []byte("gitdir: x\n")}),
			sel: fetch.Selection{Exclude: []string{".git", ".GIT", "demo-1.2.0/docs", "demo-1.2.0/tests"}}, root: "demo-1.2.0",
			files: []string{"Cargo.toml", "src/bin/tool.sh", "src/lib.rs"}, skipped: 5},
		{name: "dot-git-lookalikes", ents: []archivetest.Entry{
			{Name: "r/.gitignore", Body: []byte("x")}, {Name: "r/.github/workflows/ci.yml", Body: []byte("x")},
			{Name: "r/.gitattributes", Body: []byte("x")}, {Name: "r/x.git/a", Body: []byte("x")},
			{Name: "r/.git2", Body: []byte("x")}, {Name: "r/git/a", Body: []byte("x")}, {Name: "r/.rvendorrc", Body: []byte("x")}},
			root: "r", files: []string{".git2", ".gitattributes", ".github/workflows/ci.yml", ".gitignore", ".rvendorrc", "git/a", "x.git/a"}},
		{name: "skip-excluded-symlink", ents: append(demo(),
			archivetest.Entry{Name: "demo-1.2.0/src/link", Type: tar.TypeSymlink, Linkname: "lib.rs"}),
			sel: fetch.Selection{Exclude: []string{"demo-1.2.0/src/link", "demo-1.2.0/docs", "demo-1.2.0/tests"}}, root: "demo-1.2.0",
			files: []string{"Cargo.toml", "src/bin/tool.sh", "src/lib.rs"}, skipped: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ents := tt.ents
			if ents == nil {
				ents = demo()
			}
			dst, res, err := extract(t, build(t, fetch.FormatGzip, ents), fetch.FormatGzip, tt.sel, fetch.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if got := paths(res); !slices.Equal(got, tt.files) {
				t.Errorf("files = %q, want %q", got, tt.files)
			}
			if res.Root != tt.root {
				t.Errorf("Root = %q, want %q", res.Root, tt.root)
			}
			if res.Entries != len(ents) {
				t.Errorf("Entries = %d, want %d", res.Entries, len(ents))
			}
			if res.Skipped != tt.skipped {
				t.Errorf("Skipped = %d, want %d", res.Skipped, tt.skipped)
			}
			assertTree(t, dst, res)
		})
	}
}

// assertTree checks that dst holds exactly res.Files, as described.
func assertTree(t *testing.T, dst string, res *fetch.Result) {
	t.Helper()
	var onDisk []string
	err := filepath.WalkDir(dst, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := os.Lstat(p)
		if err != nil {
			return err
		}
		if d.IsDir() {
			if info.Mode().Perm() != 0o755 || info.Mode()&(fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky) != 0 {
				t.Errorf("%s: folder mode %v, want 0755", p, info.Mode())
			}
			return nil
		}
		if !info.Mode().IsRegular() {
			t.Errorf("%s: not a regular file: %v", p, info.Mode())
		}
		rel, _ := filepath.Rel(dst, p)
		onDisk = append(onDisk, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(onDisk)
	if got, want := onDisk, paths(res); !slices.Equal(got, want) {
		if len(got)+len(want) > 40 {
			t.Errorf("%d files on disk, %d in Result", len(got), len(want))
		} else {
			t.Errorf("on disk: %q, Result: %q", got, want)
		}
	}
	for _, f := range res.Files {
		p := filepath.Join(dst, filepath.FromSlash(f.Path))
		b, err := os.ReadFile(p)
		if err != nil {
			t.Error(err)
			continue
		}
		if sha256.Sum256(b) != f.SHA256 || int64(len(b)) != f.Size {
			t.Errorf("%s: Result hash or size does not match the file", f.Path)
		}
		info, _ := os.Lstat(p)
		if info.Mode() != f.Mode {
			t.Errorf("%s: mode on disk %v, in Result %v", f.Path, info.Mode(), f.Mode)
		}
	}
}

func TestExtractModes(t *testing.T) {
	ents := []archivetest.Entry{
		{Name: "m/", Mode: 0o700},
		{Name: "m/private", Mode: 0o600},
		{Name: "m/plain", Mode: 0o644},
		{Name: "m/world", Mode: 0o666},
		{Name: "m/exec", Mode: 0o700},
		{Name: "m/ox", Mode: 0o641},
		{Name: "m/setuid", Mode: 0o4755},
		{Name: "m/setgid", Mode: 0o2644},
		{Name: "m/sticky", Mode: 0o1777},
		{Name: "m/sub/", Mode: 0o7777},
		{Name: "m/sub/f", Mode: 0o4000},
	}
	want := map[string]fs.FileMode{
		"private": 0o644, "plain": 0o644, "world": 0o644, "exec": 0o755, "ox": 0o755,
		"setuid": 0o755, "setgid": 0o644, "sticky": 0o755, "sub/f": 0o644,
	}
	// A umask must not change the modes written: not the usual 022, and
	// not a restrictive 077 (which the extractor reads from
	// /proc/self/status to know when to chmod). The test is not parallel:
	// the umask is the process's.
	for _, umask := range []int{0o022, 0o077, 0o027} {
		old := unix.Umask(umask)
		dst, res, err := extract(t, build(t, fetch.FormatGzip, ents), fetch.FormatGzip, fetch.Selection{}, fetch.Limits{})
		unix.Umask(old)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range res.Files {
			if f.Mode != want[f.Path] {
				t.Errorf("umask %03o: %s: mode %v, want %v", umask, f.Path, f.Mode, want[f.Path])
			}
			if info, err := os.Stat(filepath.Join(dst, f.Path)); err != nil || info.Mode() != want[f.Path] {
				t.Errorf("umask %03o: %s on disk: %v %v, want %v", umask, f.Path, info.Mode(), err, want[f.Path])
			}
		}
		if len(res.Files) != len(want) {
			t.Errorf("umask %03o: %d files, want %d", umask, len(res.Files), len(want))
		}
		assertTree(t, dst, res) // the modes on disk too
		if info, _ := os.Stat(dst); info.Mode().Perm() != 0o755 {
			t.Errorf("umask %03o: dst mode %v", umask, info.Mode())
		}
	}
}

func TestExtractExclude(t *testing.T) {
	ents := []archivetest.Entry{
		{Name: "r/Cargo.toml"},
		{Name: "r/README.md"},
		{Name: "r/src/lib.rs"},
		{Name: "r/src/lib.rs.orig"},
		{Name: "r/src/tests/a.rs"},
		{Name: "r/src/x/tests/b.rs"},
		{Name: "r/src/x/y/c.md"},
		{Name: "r/tests/d.rs"},
		{Name: "r/benches/e.rs"},
	}
	all := []string{"Cargo.toml", "README.md", "benches/e.rs", "src/lib.rs", "src/lib.rs.orig",
		"src/tests/a.rs", "src/x/tests/b.rs", "src/x/y/c.md", "tests/d.rs"}
	without := func(drop ...string) []string {
		return slices.DeleteFunc(slices.Clone(all), func(s string) bool { return slices.Contains(drop, s) })
	}
	tests := []struct {
		exclude []string
		files   []string
	}{
		{nil, all},
		{[]string{"*.orig"}, without("src/lib.rs.orig")},
		{[]string{"tests"}, without("src/tests/a.rs", "src/x/tests/b.rs", "tests/d.rs")},
		{[]string{"r/tests"}, without("tests/d.rs")},
		{[]string{"r/tests/"}, without("tests/d.rs")},
		{[]string{"r/*/tests"}, without("src/tests/a.rs")},
		{[]string{"r/**/tests"}, without("src/tests/a.rs", "src/x/tests/b.rs", "tests/d.rs")},
		{[]string{"**/*.md"}, without("README.md", "src/x/y/c.md")},
		{[]string{"r/src/**/*.md"}, without("src/x/y/c.md")},
		{[]string{"r/**"}, nil},
		{[]string{"r/src/**"}, without("src/lib.rs", "src/lib.rs.orig", "src/tests/a.rs", "src/x/tests/b.rs", "src/x/y/c.md")},
		{[]string{"r/src/x"}, without("src/x/tests/b.rs", "src/x/y/c.md")},
		{[]string{"r/sr"}, all},         // no partial element matches
		{[]string{"src/lib.rs"}, all},   // archive paths include the root
		{[]string{"R/Cargo.toml"}, all}, // case-sensitive
		{[]string{"r/[bt]*", "Cargo.?oml"}, without("benches/e.rs", "tests/d.rs", "Cargo.toml")},
	}
	data := build(t, fetch.FormatGzip, ents)
	for _, tt := range tests {
		t.Run(strings.Join(tt.exclude, ","), func(t *testing.T) {
			_, res, err := extract(t, data, fetch.FormatGzip, fetch.Selection{Exclude: tt.exclude}, fetch.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if got := paths(res); !slices.Equal(got, tt.files) {
				t.Errorf("files = %q, want %q", got, tt.files)
			}
			if res.Skipped != len(all)-len(tt.files) {
				t.Errorf("Skipped = %d, want %d", res.Skipped, len(all)-len(tt.files))
			}
		})
	}
}

func TestExtractLimitsExact(t *testing.T) {
	// Exactly at each limit is fine.
	ents := []archivetest.Entry{{Name: "r/a", Body: make([]byte, 100)}, {Name: "r/b", Body: make([]byte, 100)}}
	_, res, err := extract(t, build(t, fetch.FormatGzip, ents), fetch.FormatGzip, fetch.Selection{},
		fetch.Limits{MaxEntries: 2, MaxFileSize: 100, MaxTotalSize: 200})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Files) != 2 {
		t.Fatalf("files %v", paths(res))
	}
}

// TestExtractProgress checks that Progress reports every ProgressEvery
// entries and once at the end, with growing counts.
func TestExtractProgress(t *testing.T) {
	var entries []archivetest.Entry
	entries = append(entries, archivetest.Entry{Name: "p/", Type: tar.TypeDir, Mode: 0o755})
	for i := 0; i < 2*fetch.ProgressEvery+3; i++ {
		entries = append(entries, archivetest.Entry{Name: fmt.Sprintf("p/f%04d", i), Body: []byte("x"), Mode: 0o644})
	}
	var calls []int
	var last int64
	data := build(t, fetch.FormatGzip, entries)
	dst := filepath.Join(t.TempDir(), "dst")
	_, err := fetch.Extract(context.Background(), bytes.NewReader(data), fetch.FormatGzip, dst, fetch.Selection{
		Progress: func(n int, read int64) {
			if read < last {
				t.Errorf("read went back from %d to %d", last, read)
			}
			last = read
			calls = append(calls, n)
		},
	}, fetch.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	want := []int{fetch.ProgressEvery, 2 * fetch.ProgressEvery, len(entries)}
	if fmt.Sprint(calls) != fmt.Sprint(want) {
		t.Errorf("progress calls %v, want %v", calls, want)
	}
}

// TestExtractorReuse extracts archives one after another with one
// Extractor, whose gzip decoder, read-ahead blocks, copy buffer, hash
// and umask go from each to the next, failures among them: each result
// (files, hashes, modes on disk, errors) is what Extract gives for the
// same archive alone. It runs under a restrictive umask, so that the
// umask the Extractor keeps decides every file's mode (not parallel:
// the umask is the process's).
func TestExtractorReuse(t *testing.T) {
	defer unix.Umask(unix.Umask(0o077))
	big := demo()
	for i := range 3 {
		body := make([]byte, 1<<20+i*4093)
		for k := range body {
			body[k] = byte(k*7 + k/4096*i + i)
		}
		big = append(big, archivetest.Entry{Name: fmt.Sprintf("demo-1.2.0/big%d.bin", i), Body: body})
	}
	small := build(t, fetch.FormatGzip, demo())
	other := demo()
	other[3].Body = []byte("pub fn g() {}\n")
	archives := []struct {
		name string
		f    fetch.Format
		data []byte
	}{
		{"small", fetch.FormatGzip, small},
		{"big", fetch.FormatGzip, build(t, fetch.FormatGzip, big)},
		{"truncated", fetch.FormatGzip, small[:len(small)/2]},
		{"not-gzip", fetch.FormatGzip, []byte("this is not a gzip stream at all")},
		{"zstd", fetch.FormatZstd, build(t, fetch.FormatZstd, demo())},
		{"other", fetch.FormatGzip, build(t, fetch.FormatGzip, other)},
		{"big-again", fetch.FormatGzip, build(t, fetch.FormatGzip, big)},
		{"small-again", fetch.FormatGzip, small},
	}
	var x fetch.Extractor
	base := t.TempDir()
	for i, a := range archives {
		sel := fetch.Selection{Archive: "demo-1.2.0.tar.gz"}
		_, want, wantErr := extract(t, a.data, a.f, sel, fetch.Limits{})
		dst := filepath.Join(base, fmt.Sprint(i))
		got, err := x.Extract(context.Background(), bytes.NewReader(a.data), a.f, dst, sel, fetch.Limits{})
		if (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error() {
			t.Fatalf("%s: reused Extractor: error %v, want %v", a.name, err, wantErr)
		}
		if err != nil {
			if _, serr := os.Lstat(dst); !errors.Is(serr, fs.ErrNotExist) {
				t.Errorf("%s: %s left after the error", a.name, dst)
			}
			continue
		}
		if !slices.Equal(got.Files, want.Files) {
			t.Errorf("%s: reused Extractor wrote %d files, want %d (or their hashes differ)", a.name, len(got.Files), len(want.Files))
		}
		assertTree(t, dst, got)
	}
}
