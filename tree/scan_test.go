//go:build unix

package tree_test

import (
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
	"sync/atomic"
	"syscall"
	"testing"

	"golang.org/x/mod/sumdb/dirhash"

	"github.com/rvendor/rvendor/internal/realdata"
	"github.com/rvendor/rvendor/tree"
)

// writeTree creates files (path -> content) below dir; a path ending in
// "*" is made executable, one ending in "/" is an empty folder.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for p, content := range files {
		if strings.HasSuffix(p, "/") {
			if err := os.MkdirAll(filepath.Join(dir, p), 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		mode := fs.FileMode(0o644)
		if strings.HasSuffix(p, "*") {
			p, mode = strings.TrimSuffix(p, "*"), 0o755
		}
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
	}
}

func synthetic() map[string]string {
	big := bytes.Repeat([]byte("0123456789abcdef"), (3*tree.ScanBufferSize+77)/16)
	return map[string]string{
		"a.rs":                  "fn main() {}\n",
		"empty":                 "",
		"run.sh*":               "#!/bin/sh\necho hi\n",
		"x/y/z/deep.rs":         "deep\n",
		"x/y.rs":                "sibling of folder x/y\n",
		"x-y/after.rs":          "sorts after x/ in bytes but before in path order\n",
		"b/exact":               strings.Repeat("e", tree.ScanBufferSize),
		"b/exact+1":             strings.Repeat("f", tree.ScanBufferSize+1),
		"b/big":                 string(big),
		"empty-dir/":            "",
		"nested/empty/folder/":  "",
		"ünïcode/名前.rs":         "utf-8 names\n",
		"with space/file name":  "spaces\n",
		"UPPER/lower/Mixed.RS":  "case\n",
		"dots/.hidden/.profile": "dotfiles count\n",
	}
}

func checkAgainstDirhash(t *testing.T, dir string, jobs int) []tree.File {
	t.Helper()
	files, irr, err := tree.Scan(context.Background(), dir, jobs)
	if err != nil {
		t.Fatal(err)
	}
	if len(irr) != 0 {
		t.Fatalf("irregular entries in %s: %v", dir, irr)
	}
	got, err := tree.H1(files)
	if err != nil {
		t.Fatal(err)
	}
	want, err := dirhash.HashDir(dir, "", dirhash.Hash1)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("jobs=%d: tree.H1(Scan(%s)) = %s, dirhash.HashDir = %s", jobs, dir, got, want)
	}
	for i := 1; i < len(files); i++ {
		if files[i-1].Path >= files[i].Path {
			t.Fatalf("files not sorted: %q before %q", files[i-1].Path, files[i].Path)
		}
	}
	return files
}

func TestScanMatchesDirhashSynthetic(t *testing.T) {
	dir := t.TempDir()
	content := synthetic()
	writeTree(t, dir, content)
	for _, jobs := range []int{0, 1, 3} {
		files := checkAgainstDirhash(t, dir, jobs)
		nfiles := 0
		for p := range content {
			if !strings.HasSuffix(p, "/") {
				nfiles++
			}
		}
		if len(files) != nfiles {
			t.Fatalf("got %d files, want %d", len(files), nfiles)
		}
		for _, f := range files {
			c, ok := content[f.Path]
			wantMode := fs.FileMode(0o644)
			if !ok {
				c, ok = content[f.Path+"*"]
				wantMode = 0o755
			}
			if !ok {
				t.Fatalf("unexpected file %q", f.Path)
			}
			if f.SHA256 != sha256.Sum256([]byte(c)) || f.Size != int64(len(c)) || f.Mode != wantMode {
				t.Errorf("%s: got size %d mode %v hash %s", f.Path, f.Size, f.Mode, f.Hex())
			}
		}
	}
}

func TestScanMatchesDirhashRealRustLibrary(t *testing.T) {
	lib := realdata.RustSrc163(t)
	files := checkAgainstDirhash(t, lib, 0)
	if len(files) < 1000 {
		t.Fatalf("only %d files in %s", len(files), lib)
	}
	// And on a sub-folder, the way a component's dest is hashed.
	checkAgainstDirhash(t, filepath.Join(lib, "core"), 2)
}

// TestScanIrregular pins what Scan does with entries dirhash handles
// differently: symlinks (to files, to folders, dangling) and FIFOs are
// returned as Irregular and never followed, opened or hashed.
func TestScanIrregular(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"real.rs": "real\n", "sub/inner.rs": "inner\n"})
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Symlink("real.rs", filepath.Join(dir, "link-to-file.rs")))
	must(os.Symlink("sub", filepath.Join(dir, "link-to-dir")))
	must(os.Symlink("nowhere", filepath.Join(dir, "sub/dangling")))
	must(syscall.Mkfifo(filepath.Join(dir, "sub/fifo"), 0o644))

	files, irr, err := tree.Scan(context.Background(), dir, 2)
	must(err)
	var paths []string
	for _, f := range files {
		paths = append(paths, f.Path)
	}
	if got := strings.Join(paths, ","); got != "real.rs,sub/inner.rs" {
		t.Errorf("files = %s", got)
	}
	var kinds []string
	for _, i := range irr {
		kinds = append(kinds, i.String())
	}
	want := "link-to-dir (symlink),link-to-file.rs (symlink),sub/dangling (symlink),sub/fifo (fifo)"
	if got := strings.Join(kinds, ","); got != want {
		t.Errorf("irregular = %s, want %s", got, want)
	}

	// dirhash, by contrast, lists a symlink to a file as a file and
	// hashes its target's content under the link's name.
	d2 := t.TempDir()
	writeTree(t, d2, map[string]string{"real.rs": "real\n"})
	must(os.Symlink("real.rs", filepath.Join(d2, "link.rs")))
	dh, err := dirhash.HashDir(d2, "", dirhash.Hash1)
	must(err)
	f2, irr2, err := tree.Scan(context.Background(), d2, 1)
	must(err)
	h1, err := tree.H1(f2)
	must(err)
	if h1 == dh || len(irr2) != 1 {
		t.Errorf("with a symlink: Scan gives %s and %v, dirhash %s; want them to differ and the link reported", h1, irr2, dh)
	}
	withLink := append(f2, tree.File{Path: "link.rs", SHA256: f2[0].SHA256})
	if h, _ := tree.H1(withLink); h != dh {
		t.Errorf("dirhash does not hash a symlink as its target's content: %s vs %s", h, dh)
	}
}

func TestScanErrors(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"f": "x"})
	if _, _, err := tree.Scan(context.Background(), filepath.Join(dir, "f"), 1); err == nil {
		t.Error("Scan of a file: no error")
	}
	if _, _, err := tree.Scan(context.Background(), filepath.Join(dir, "missing"), 1); !os.IsNotExist(err) {
		t.Errorf("Scan of a missing folder: %v", err)
	}
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	if _, _, err := tree.Scan(context.Background(), link, 1); err == nil {
		t.Error("Scan of a symlink to a folder: no error")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := tree.Scan(ctx, dir, 1); err == nil {
		t.Error("Scan with a cancelled context: no error")
	}
	if os.Geteuid() != 0 { // root reads anything
		p := filepath.Join(dir, "secret")
		if err := os.WriteFile(p, []byte("s"), 0o000); err != nil {
			t.Fatal(err)
		}
		_, _, err := tree.Scan(context.Background(), dir, 1)
		if err == nil || !strings.Contains(err.Error(), "secret") {
			t.Errorf("unreadable file: error %v does not name it", err)
		}
	}
}

// TestScannerKnown checks that a Known hit skips reading and a miss reads.
func TestScannerKnown(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"a": "aaa", "b": "bbb"})
	var calls atomic.Int32
	fake := sha256.Sum256([]byte("pretend"))
	s := &tree.Scanner{Jobs: 2, Known: func(path string, st *tree.Stat) ([32]byte, bool) {
		calls.Add(1)
		if st.Size != 3 || st.Mtime == 0 || st.Ino == 0 {
			t.Errorf("%s: bad stat %+v", path, st)
		}
		return fake, path == "a"
	}}
	es, _, err := s.Scan(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 2 || len(es) != 2 {
		t.Fatalf("calls=%d entries=%d", calls.Load(), len(es))
	}
	if !es[0].Cached || es[0].SHA256 != fake || es[1].Cached || es[1].SHA256 != sha256.Sum256([]byte("bbb")) {
		t.Errorf("entries: %+v", es)
	}
	// With OmitKnown, what Known vouched for is left out.
	s.OmitKnown = true
	es, _, err = s.Scan(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 1 || es[0].Path != "b" || es[0].Cached {
		t.Errorf("OmitKnown: entries %+v, want b's alone", es)
	}
}

func BenchmarkScanRustCore(b *testing.B) {
	lib := realdata.RustSrc163(b)
	dir := filepath.Join(lib, "core")
	for b.Loop() {
		if _, _, err := tree.Scan(context.Background(), dir, 0); err != nil {
			b.Fatal(err)
		}
	}
}

// TestScannerSizeHint checks that a result allocated from a hint that is
// too small, exact or too big still holds every file, sorted.
func TestScannerSizeHint(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{}
	for i := 0; i < 3*tree.ScanBatch+5; i++ { // several batches in one folder
		files[fmt.Sprintf("many/f%02d", i)] = fmt.Sprint(i)
	}
	files["top"] = "top"
	writeTree(t, dir, files)
	want, err := dirhash.HashDir(dir, "", dirhash.Hash1)
	if err != nil {
		t.Fatal(err)
	}
	for _, hint := range []int{0, 1, len(files), 1000} {
		es, _, err := (&tree.Scanner{Jobs: 3, SizeHint: hint}).Scan(context.Background(), dir)
		if err != nil {
			t.Fatal(err)
		}
		fs := make([]tree.File, len(es))
		for i := range es {
			fs[i] = es[i].File
		}
		if got, _ := tree.H1(fs); got != want || len(fs) != len(files) {
			t.Errorf("hint %d: %d files, hash %s, want %d, %s", hint, len(fs), got, len(files), want)
		}
	}
}

// TestScanOpensFoldersByDescriptor: a sub-folder is opened relative to its
// parent's descriptor, so a parent swapped for a symlink after it was read
// leads the walk nowhere new: it goes on in the folder it read.
func TestScanOpensFoldersByDescriptor(t *testing.T) {
	base := t.TempDir()
	root, outside := filepath.Join(base, "root"), filepath.Join(base, "outside")
	writeTree(t, root, map[string]string{"a/f.rs": "f\n", "a/b/real.rs": "real\n"})
	writeTree(t, outside, map[string]string{"b/evil.rs": "evil\n"})
	var once atomic.Bool
	s := &tree.Scanner{Jobs: 1, Known: func(path string, _ *tree.Stat) ([32]byte, bool) {
		// a/ is read (a/b queued) and its file comes first: swap a/.
		if path == "a/f.rs" && once.CompareAndSwap(false, true) {
			if err := os.Rename(filepath.Join(root, "a"), filepath.Join(base, "a-moved")); err != nil {
				t.Error(err)
			}
			if err := os.Symlink(outside, filepath.Join(root, "a")); err != nil {
				t.Error(err)
			}
		}
		return [32]byte{}, false
	}}
	entries, irr, err := s.Scan(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	if !once.Load() {
		t.Fatal("the hook never ran")
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Path)
	}
	if strings.Join(got, " ") != "a/b/real.rs a/f.rs" || len(irr) != 0 {
		t.Errorf("scanned %q, irregular %v; want the folder read, not the symlink's target", got, irr)
	}
}

// TestScanFolderReplaced: a walk that went on in a folder moved away
// meanwhile does not count: Scan fails, saying so.
func TestScanFolderReplaced(t *testing.T) {
	for _, replace := range []bool{false, true} {
		base := t.TempDir()
		root := filepath.Join(base, "root")
		writeTree(t, root, map[string]string{"a.rs": "a\n", "sub/b.rs": "b\n"})
		var once atomic.Bool
		s := &tree.Scanner{Jobs: 1, Known: func(string, *tree.Stat) ([32]byte, bool) {
			if once.CompareAndSwap(false, true) {
				if err := os.Rename(root, filepath.Join(base, "old")); err != nil {
					t.Error(err)
				}
				if replace {
					writeTree(t, root, map[string]string{"a.rs": "a\n", "sub/b.rs": "b\n"})
				}
			}
			return [32]byte{}, false
		}}
		_, _, err := s.Scan(context.Background(), root)
		want := fs.ErrNotExist
		if replace {
			want = tree.ErrFolderReplaced
		}
		if !errors.Is(err, want) {
			t.Errorf("replaced=%v: Scan error %v, want one wrapping %v", replace, err, want)
		}
	}
}

// TestScanRuns: ScanRuns returns what Scan returns, as one run per
// worker when there are enough files (1,024 a run), each sorted by path.
func TestScanRuns(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{}
	for i := range 2600 {
		files[fmt.Sprintf("d%02d/sub%d/f%04d.rs", i%37, i%3, i)] = fmt.Sprint(i)
	}
	writeTree(t, dir, files)
	for _, jobs := range []int{1, 2, 3} {
		s := &tree.Scanner{Jobs: jobs}
		want, _, err := s.Scan(context.Background(), dir)
		if err != nil {
			t.Fatal(err)
		}
		runs, _, err := s.ScanRuns(context.Background(), dir)
		if err != nil {
			t.Fatal(err)
		}
		if n := min(jobs, len(files)/1024); len(runs) != n { // a run has 1,024 files at least
			t.Errorf("jobs=%d: %d runs, want %d", jobs, len(runs), n)
		}
		var all []tree.Entry
		for _, r := range runs {
			if !slices.IsSortedFunc(r, func(a, b tree.Entry) int { return strings.Compare(a.Path, b.Path) }) {
				t.Errorf("jobs=%d: a run is not sorted", jobs)
			}
			all = append(all, r...)
		}
		slices.SortFunc(all, func(a, b tree.Entry) int { return strings.Compare(a.Path, b.Path) })
		if len(all) != len(want) || len(want) != len(files) {
			t.Fatalf("jobs=%d: %d files in runs, Scan %d, written %d", jobs, len(all), len(want), len(files))
		}
		for i := range want {
			if all[i].File != want[i].File {
				t.Fatalf("jobs=%d: file %d: %+v, Scan %+v", jobs, i, all[i].File, want[i].File)
			}
		}
	}
}
