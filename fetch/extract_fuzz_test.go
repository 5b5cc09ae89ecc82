package fetch_test

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"

	"github.com/rvendor/rvendor/fetch"
	"github.com/rvendor/rvendor/internal/archivetest"
	"github.com/rvendor/rvendor/tree"
)

// fzLimits keep one fuzz input cheap: a small archive may not make
// Extract write or read for long. They are what the target checks the
// results against.
var fzLimits = fetch.Limits{MaxEntries: 512, MaxFileSize: 1 << 20, MaxTotalSize: 4 << 20, MaxTarSize: 16 << 20}

// fzModes name what FuzzExtract does with its data, by mode&3.
const (
	fzModeTar  = 0 // data is a tar: compressed in-test with gzip and zstd (and xz when mode&4), results must agree
	fzModeGzip = 1 // data is given to Extract as a gzip stream, as is
	fzModeXZ   = 2 // ... as an xz stream
	fzModeZstd = 3 // ... as a zstd stream
)

var fzFormats = map[int]fetch.Format{fzModeGzip: fetch.FormatGzip, fzModeXZ: fetch.FormatXZ, fzModeZstd: fetch.FormatZstd}

// fzTar writes entries as an uncompressed tar.
func fzTar(f *testing.F, entries ...archivetest.Entry) []byte {
	var b bytes.Buffer
	if err := archivetest.WriteTar(&b, entries); err != nil {
		f.Fatal(err)
	}
	return b.Bytes()
}

// fzSeeds are the archives FuzzExtract starts from: a well-formed
// source tree and the hostile entries of the extraction tests, each
// added to it.
func fzSeeds() (good []archivetest.Entry, hostile [][]archivetest.Entry) {
	good = []archivetest.Entry{
		{Name: "demo-1.2.0/"},
		{Name: "demo-1.2.0/Cargo.toml", Body: []byte("[package]\nname = \"demo\"\nversion = \"1.2.0\"\n")},
		{Name: "demo-1.2.0/src/"},
		{Name: "demo-1.2.0/src/lib.rs", Body: []byte("pub fn f() {}\n")},
		{Name: "demo-1.2.0/src/bin/tool.sh", Body: []byte("#!/bin/sh\n"), Mode: 0o755},
		{Name: "demo-1.2.0/tests/t.rs", Body: []byte("#[test] fn t() {}\n")},
	}
	for _, e := range [][]archivetest.Entry{
		{{Name: "../evil", Body: []byte("x")}},
		{{Name: "/etc/evil", Body: []byte("x")}},
		{{Name: "demo-1.2.0/src/../../../evil", Body: []byte("x")}},
		{{Name: "demo-1.2.0/link", Type: tar.TypeSymlink, Linkname: "/etc"}, {Name: "demo-1.2.0/link/passwd", Body: []byte("root::0:0\n")}},
		{{Name: "demo-1.2.0/src/up", Type: tar.TypeSymlink, Linkname: "../../.."}, {Name: "demo-1.2.0/src/up/evil", Body: []byte("x")}},
		{{Name: "demo-1.2.0/hard", Type: tar.TypeLink, Linkname: "/etc/passwd"}},
		{{Name: "demo-1.2.0/dev", Type: tar.TypeChar}},
		{{Name: "demo-1.2.0/fifo", Type: tar.TypeFifo}},
		{{Name: "demo-1.2.0/src/.git/config", Body: []byte("[core]\n\tfsmonitor = evil\n")}},
		{{Name: "demo-1.2.0/.GIT/hooks/pre-commit", Body: []byte("#!/bin/sh\n"), Mode: 0o755}},
		{{Name: "demo-1.2.0/.rvendor/journal", Body: []byte("{}")}},
		{{Name: "demo-1.2.0/src/LIB.rs", Body: []byte("x")}},
		{{Name: "demo-1.2.0/src/lib.rs", Body: []byte("again")}},
		{{Name: "demo-1.2.0/src/lib.rs/", Type: tar.TypeDir}},
		{{Name: "demo-1.2.0/setuid", Body: []byte("#!/bin/sh\n"), Mode: 0o4755}},
		{{Name: "demo-1.2.0/a\nb", Body: []byte("x")}},
		{{Name: "demo-1.2.0/\xff.rs", Body: []byte("x")}},
		{{Name: `demo-1.2.0/..\..\evil`, Body: []byte("x")}},
		{{Name: "other/file", Body: []byte("a second top folder")}},
		{{Name: "pax_global_header", Type: tar.TypeXGlobalHeader, Body: []byte("git archive comment")}},
	} {
		hostile = append(hostile, append(slices.Clone(good), e...))
	}
	return good, hostile
}

// FuzzExtract feeds Extract every compression rvendor reads: a tar the
// target compresses itself (mode 0: gzip, zstd and, when mode&4, xz;
// the three results must agree), or the data itself as a gzip, xz or
// zstd stream (modes 1 to 3; plain tar data given so must be refused).
// root, paths and exclude ("\n"-separated) make the Selection. It
// extracts into a fresh folder of t.TempDir() beside a canary file and
// checks that:
//   - nothing is written outside dst, and on an error dst is gone;
//   - a refusal is an *EntryError of one of the five kinds, naming the
//     archive, or a *SelectionError, or a read error that names it;
//   - on success, the files on disk are exactly Result.Files (path, size,
//     sha256, mode 0644 or 0755), folders are 0755, nothing else exists
//     (no link, device or fifo), every path is clean and relative with no
//     .git or .rvendor element and no two equal up to case, the limits
//     hold, and (mode 0, whole archive selected) each file holds the bytes
//     of its tar entry and every regular entry was written.
func FuzzExtract(f *testing.F) {
	good, hostile := fzSeeds()
	f.Add(fzTar(f, good...), uint8(fzModeTar|4), "", "", "")
	f.Add(fzTar(f, good...), uint8(fzModeTar), "demo-1.2.0", "demo-1.2.0/src", "*.sh")
	f.Add(fzTar(f, good...), uint8(fzModeTar), "", "demo-1.2.0/src\ndemo-1.2.0/Cargo.toml", "**/tests/**")
	for _, h := range hostile {
		f.Add(fzTar(f, h...), uint8(fzModeTar), "", "", "")
	}
	for mode, format := range fzFormats {
		var b bytes.Buffer
		if err := archivetest.Build(&b, format, good); err != nil {
			f.Fatal(err)
		}
		f.Add(b.Bytes(), uint8(mode), "", "", "")
		f.Add(fzTar(f, good...), uint8(mode), "", "", "") // a plain tar is not compressed data
		b.Reset()
		if err := archivetest.Build(&b, format, hostile[3]); err != nil {
			f.Fatal(err)
		}
		f.Add(b.Bytes(), uint8(mode), "", "", "")
	}
	f.Fuzz(func(t *testing.T, data []byte, mode uint8, root, paths, exclude string) {
		sel := fetch.Selection{Root: root, Paths: fzSplit(paths), Exclude: fzSplit(exclude), Archive: "fuzz.tar"}
		if m := int(mode & 3); m != fzModeTar {
			res, err := fzExtract(t, data, fzFormats[m], sel)
			if err == nil && fzPlainTar(data) {
				t.Errorf("uncompressed tar data read as %v: %d files", fzFormats[m], len(res.Files))
			}
			return
		}
		formats := []fetch.Format{fetch.FormatGzip, fetch.FormatZstd}
		if mode&4 != 0 {
			formats = append(formats, fetch.FormatXZ)
		}
		var first *fetch.Result
		var firstErr error
		for i, format := range formats {
			res, err := fzExtract(t, fzCompress(t, format, data), format, sel)
			if i == 0 {
				first, firstErr = res, err
				if err == nil && sel.Root == "" && sel.Paths == nil && sel.Exclude == nil {
					fzCheckTar(t, data, res)
				}
				continue
			}
			switch {
			case !fzSameError(err, firstErr):
				t.Errorf("%v and %v differ: %v, then %v", formats[0], format, firstErr, err)
			case err == nil && (first.Root != res.Root || !slices.Equal(first.Files, res.Files)):
				t.Errorf("%v and %v wrote different files", formats[0], format)
			}
		}
	})
}

// fzZstd is one zstd encoder for every input: a new one per input
// would cost more than the extraction.
var fzZstd, _ = zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1), zstd.WithWindowSize(1<<20))

// fzCompress compresses data as format, with small windows (the fuzz
// inputs are small).
func fzCompress(t *testing.T, format fetch.Format, data []byte) []byte {
	var b bytes.Buffer
	var w io.WriteCloser
	var err error
	switch format {
	case fetch.FormatZstd:
		return fzZstd.EncodeAll(data, nil)
	case fetch.FormatGzip:
		w, err = gzip.NewWriterLevel(&b, gzip.BestSpeed)
	case fetch.FormatXZ:
		w, err = xz.WriterConfig{DictCap: 1 << 16}.NewWriter(&b)
	}
	if err != nil {
		t.Fatal(err)
	}
	w.Write(data)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// fzSameError reports whether a and b, from two extractions of the same
// tar compressed alike, say the same: the same refused entry or
// selection, or both another error (whose message may name the format).
func fzSameError(a, b error) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	var ea, eb *fetch.EntryError
	if errors.As(a, &ea) || errors.As(b, &eb) {
		return errors.As(a, &ea) && errors.As(b, &eb) && ea.Name == eb.Name && ea.Reason == eb.Reason && ea.Err == eb.Err
	}
	var sa, sb *fetch.SelectionError
	if errors.As(a, &sa) || errors.As(b, &sb) {
		return errors.As(a, &sa) && errors.As(b, &sb) && *sa == *sb
	}
	return true
}

func fzSplit(s string) []string {
	if s == "" {
		return nil
	}
	l := strings.Split(s, "\n")
	return l[:min(len(l), 8)]
}

// fzPlainTar reports whether data starts like an uncompressed tar and
// not like a compressed stream (a zstd skippable frame included).
func fzPlainTar(data []byte) bool {
	if len(data) < 512 || string(data[257:262]) != "ustar" {
		return false
	}
	for _, magic := range []string{"\x1f\x8b", "\xfd7zXZ\x00", "\x28\xb5\x2f\xfd"} {
		if strings.HasPrefix(string(data), magic) {
			return false
		}
	}
	return !(data[0]&0xf0 == 0x50 && string(data[1:4]) == "\x2a\x4d\x18")
}

// fzExtract extracts data into dst, a new folder of t.TempDir() beside a
// canary file, and checks what Extract leaves behind.
func fzExtract(t *testing.T, data []byte, format fetch.Format, sel fetch.Selection) (*fetch.Result, error) {
	t.Helper()
	parent := t.TempDir()
	canary := filepath.Join(parent, "canary")
	if err := os.WriteFile(canary, []byte("canary\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(parent, "dst")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := fetch.Extract(ctx, bytes.NewReader(data), format, dst, sel, fzLimits)
	if ctx.Err() != nil {
		t.Fatalf("Extract of %d bytes of %v ran for over a minute", len(data), format)
	}
	want := []string{"canary", "dst"}
	if err != nil {
		want = want[:1]
		if res != nil {
			t.Errorf("Extract returned a Result and the error %v", err)
		}
		fzCheckError(t, err, sel.Archive)
	}
	var found []string
	filepath.WalkDir(parent, func(p string, d fs.DirEntry, err error) error {
		if rel, _ := filepath.Rel(parent, p); p != parent && !strings.HasPrefix(rel, "dst"+string(filepath.Separator)) {
			found = append(found, rel)
		}
		return nil
	})
	if !slices.Equal(found, want) {
		t.Errorf("after Extract (error %v), the folder holds %q, want %q", err, found, want)
	}
	if b, rerr := os.ReadFile(canary); rerr != nil || string(b) != "canary\n" {
		t.Errorf("the canary beside dst changed: %q, %v", b, rerr)
	}
	if err == nil {
		fzCheckResult(t, dst, sel, res)
	}
	return res, err
}

// fzCheckError checks that err says which archive, and for a refused
// entry, why.
func fzCheckError(t *testing.T, err error, archive string) {
	t.Helper()
	var ee *fetch.EntryError
	var se *fetch.SelectionError
	switch {
	case errors.As(err, &ee):
		kinds := []error{fetch.ErrUnsafeName, fetch.ErrUnsupportedType, fetch.ErrCollision, fetch.ErrDuplicate, fetch.ErrLimit}
		if !slices.ContainsFunc(kinds, func(k error) bool { return errors.Is(err, k) }) || ee.Archive != archive || ee.Reason == "" {
			t.Errorf("EntryError %+v: want one of the five kinds, archive %q and a reason", ee, archive)
		}
	case errors.As(err, &se):
		if se.Field != "root" && se.Field != "paths" && se.Field != "exclude" || se.Msg == "" {
			t.Errorf("SelectionError %+v: want root, paths or exclude and a message", se)
		}
	case !strings.Contains(err.Error(), archive):
		t.Errorf("error %q does not name the archive %s", err, archive)
	}
}

// fzCheckResult checks dst and res after a successful Extract.
func fzCheckResult(t *testing.T, dst string, sel fetch.Selection, res *fetch.Result) {
	t.Helper()
	var onDisk []tree.File
	err := filepath.WalkDir(dst, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := os.Lstat(p)
		if err != nil {
			return err
		}
		switch {
		case info.IsDir():
			if info.Mode() != fs.ModeDir|0o755 {
				t.Errorf("%s: folder mode %v, want 0755", p, info.Mode())
			}
		case info.Mode().IsRegular() && (info.Mode() == 0o644 || info.Mode() == 0o755):
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(dst, p)
			onDisk = append(onDisk, tree.File{Path: filepath.ToSlash(rel), Mode: info.Mode(), Size: int64(len(b)), SHA256: sha256.Sum256(b)})
		default:
			t.Errorf("%s: mode %v written, want a file of mode 0644 or 0755 or a folder", p, info.Mode())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(onDisk, res.Files) {
		t.Errorf("files on disk and Result.Files differ:\n%v\n%v", onDisk, res.Files)
	}
	var total int64
	for i, f := range res.Files {
		total += f.Size
		if why := fzUnclean(f.Path); why != "" {
			t.Errorf("written path %q %s", f.Path, why)
		}
		for _, g := range res.Files[:i] {
			if strings.EqualFold(f.Path, g.Path) || strings.HasPrefix(strings.ToLower(f.Path), strings.ToLower(g.Path)+"/") {
				t.Errorf("written paths %q and %q collide up to case", g.Path, f.Path)
			}
		}
		if f.Size > fzLimits.MaxFileSize {
			t.Errorf("%s: %d bytes, over MaxFileSize", f.Path, f.Size)
		}
	}
	if total > fzLimits.MaxTotalSize || res.Entries > fzLimits.MaxEntries {
		t.Errorf("%d bytes in %d entries, over the limits", total, res.Entries)
	}
	root := sel.Root
	for strings.HasPrefix(root, "./") {
		root = root[2:]
	}
	if root = strings.TrimSuffix(root, "/"); sel.Root != "" && res.Root != root {
		t.Errorf("Result.Root %q, Selection.Root %q", res.Root, sel.Root)
	}
}

// fzUnclean says what makes p not a clean relative path that rvendor
// may write, or "".
func fzUnclean(p string) string {
	switch {
	case p == "" || !utf8.ValidString(p) || strings.IndexFunc(p, unicode.IsControl) >= 0 || strings.Contains(p, `\`):
		return "is empty, not UTF-8 or has a control character or backslash"
	case path.IsAbs(p) || path.Clean(p) != p || p == ".." || strings.HasPrefix(p, "../"):
		return "is not clean and relative"
	}
	for _, el := range strings.Split(p, "/") {
		if strings.EqualFold(el, ".git") || strings.EqualFold(el, ".rvendor") {
			return "has a .git or .rvendor element"
		}
	}
	return ""
}

// fzCheckTar checks a whole-archive extraction against the tar itself,
// read with archive/tar: each regular entry under the root is written
// with its bytes, and nothing else.
func fzCheckTar(t *testing.T, data []byte, res *fetch.Result) {
	t.Helper()
	want := map[string][32]byte{}
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		hdr, err := tr.Next()
		if err != nil {
			if err != io.EOF {
				t.Errorf("Extract accepted a tar that archive/tar cannot read: %v", err)
			}
			break
		}
		name := hdr.Name
		for strings.HasPrefix(name, "./") {
			name = name[2:]
		}
		rel, ok := strings.CutPrefix(name, res.Root+"/")
		if hdr.Typeflag != tar.TypeReg || !ok {
			continue
		}
		b, err := io.ReadAll(io.LimitReader(tr, fzLimits.MaxFileSize+1))
		if err != nil {
			t.Fatalf("archive/tar: %v", err)
		}
		want[rel] = sha256.Sum256(b)
	}
	got := map[string][32]byte{}
	for _, f := range res.Files {
		got[f.Path] = f.SHA256
	}
	if !maps.Equal(got, want) {
		t.Errorf("Extract wrote %d files, the tar has %d regular entries under %q, or their bytes differ", len(got), len(want), res.Root)
	}
}
