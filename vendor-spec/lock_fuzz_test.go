package vendorspec_test

import (
	"bytes"
	"errors"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/rvendor/rvendor/tree"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

// The seeds of these targets are real rvendor.lock and rvendor.sum files,
// written by rvendor update and rvendor patch record on real sources (a
// Debian crate as an archive with a recorded patch, the bindgen crate
// closure of the crate tests, the tests' scripts).

const (
	fuzzLockFile = "rvendor.lock"
	fuzzSumFile  = "rvendor.sum"
)

// checkFileError checks that err is an *Error at a line of file data.
func checkFileError(t *testing.T, file string, data []byte, err error) {
	t.Helper()
	var e *vendorspec.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *Error", err, err)
	}
	if e.Pos.File != file || e.Pos.Line < 1 || e.Pos.Line > lineCount(data) {
		t.Errorf("error %q has position %+v: want %s:LINE within its %d lines", e.Msg, e.Pos, file, lineCount(data))
	}
}

// checkLockPaths checks that every name and path of an accepted lock has
// the shape the package doc promises.
func checkLockPaths(t *testing.T, l *vendorspec.Lock) {
	t.Helper()
	seen := map[string]bool{}
	for _, c := range l.Components {
		if !fuzzNameRE.MatchString(c.Name) || seen[c.Name] {
			t.Errorf("lock component name %q accepted (not valid or not unique)", c.Name)
		}
		seen[c.Name] = true
		check := func(key, p string, tree bool) {
			why := cleanRel(p)
			if tree {
				why += reservedTree(p)
			}
			if why != "" {
				t.Errorf("lock component %s: %s %q accepted, but it %s", c.Name, key, p, why)
			}
		}
		check("dest", c.Dest, true)
		if c.Lockfile != "" {
			check("lockfile", c.Lockfile, true)
		}
		if c.Root != "" {
			check("root", c.Root, false)
		}
		for _, p := range append(slices.Clone(c.Paths), c.Added...) {
			check("path", p, false)
		}
		for _, cr := range c.Crates {
			if cr.Dir != cr.Name && cr.Dir != cr.Name+"-"+cr.Version || cleanRel(cr.Dir) != "" || strings.Contains(cr.Dir, "/") {
				t.Errorf("lock component %s: crate %s %s in folder %q accepted", c.Name, cr.Name, cr.Version, cr.Dir)
			}
		}
		for _, p := range c.Patches {
			if !strings.HasSuffix(p.Name, ".patch") || strings.Contains(p.Name, "/") || cleanRel(p.Name) != "" {
				t.Errorf("lock component %s: patch name %q accepted", c.Name, p.Name)
			}
			for _, f := range p.Files {
				check("patch file", f, false)
			}
		}
	}
}

// normalize sets every empty slice and map reachable from v (a pointer)
// to nil, so that values that encode alike compare equal.
func normalize(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			normalize(v.Elem())
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Field(i).CanSet() {
				normalize(v.Field(i))
			}
		}
	case reflect.Slice:
		if v.Len() == 0 {
			v.Set(reflect.Zero(v.Type()))
			return
		}
		for i := range v.Len() {
			normalize(v.Index(i))
		}
	case reflect.Map:
		if v.Len() == 0 {
			v.Set(reflect.Zero(v.Type()))
		}
	}
}

// FuzzParseLock parses arbitrary bytes as rvendor.lock. It checks that a
// refusal is an *Error at a line of the file; that an accepted lock's
// names and paths have the shape the package doc promises (clean,
// relative, outside rvendor's files and .git); and that Marshal then
// ParseLock gives the same lock back, whose Marshal gives the same bytes.
func FuzzParseLock(f *testing.F) {
	f.Add([]byte(lockWith("")))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := vendorspec.ParseLock(fuzzLockFile, data)
		if err != nil {
			checkFileError(t, fuzzLockFile, data, err)
			return
		}
		checkLockPaths(t, l)
		out, err := l.Marshal()
		if err != nil {
			t.Fatalf("Marshal of an accepted lock: %v", err)
		}
		l2, err := vendorspec.ParseLock(fuzzLockFile, out)
		if err != nil {
			t.Fatalf("the lock Marshal wrote does not read back: %v\n%s", err, out)
		}
		out2, err := l2.Marshal()
		if err != nil || !bytes.Equal(out, out2) {
			t.Errorf("Marshal is not stable (%v):\n%s\nthen\n%s", err, out, out2)
		}
		normalize(reflect.ValueOf(l))
		normalize(reflect.ValueOf(l2))
		if !reflect.DeepEqual(l, l2) {
			t.Errorf("the lock changed through Marshal:\n%+v\nthen\n%+v\n%s", l, l2, out)
		}
	})
}

// FuzzParseSum parses arbitrary bytes as rvendor.sum. It checks that a
// refusal is an *Error at a line of the file; that an accepted sum's
// paths are clean and relative, and its file lists sorted without
// duplicates; that CRLF line ends read as LF; that Marshal then ParseSum
// gives the same sum back, whose Marshal gives the same bytes; that
// ComponentHash is the documented pipeline over Marshal's lines; and
// that a lock sealed with SealSum passes CheckSumHash.
func FuzzParseSum(f *testing.F) {
	f.Add([]byte("demo 0644 3 " + strings.Repeat("ab", 32) + " src/lib.rs\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := vendorspec.ParseSum(fuzzSumFile, data)
		if !bytes.ContainsRune(data, '\r') {
			s2, err2 := vendorspec.ParseSum(fuzzSumFile, bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n")))
			switch {
			case (err == nil) != (err2 == nil) || err != nil && err.Error() != err2.Error():
				t.Errorf("CRLF line ends change the result: %v, then %v", err, err2)
			case err == nil && !bytes.Equal(s.Marshal(), s2.Marshal()):
				t.Errorf("CRLF line ends change the sum")
			}
		}
		if err != nil {
			checkFileError(t, fuzzSumFile, data, err)
			return
		}
		for name, files := range s.Files {
			if !fuzzNameRE.MatchString(name) {
				t.Errorf("sum component name %q accepted", name)
			}
			if !sort.SliceIsSorted(files, func(i, j int) bool { return files[i].Path < files[j].Path }) {
				t.Errorf("files of %s are not sorted", name)
			}
			for i, fl := range files {
				if why := cleanRel(fl.Path); why != "" {
					t.Errorf("sum path %q accepted, but it %s", fl.Path, why)
				}
				if i > 0 && files[i-1].Path == fl.Path {
					t.Errorf("%s lists %s twice", name, fl.Path)
				}
				if fl.Mode != 0o644 && fl.Mode != 0o755 || fl.Size < 0 {
					t.Errorf("%s: mode %v, size %d accepted", fl.Path, fl.Mode, fl.Size)
				}
			}
		}
		for name, over := range s.Pristine {
			for p := range over {
				if why := cleanRel(p); why != "" || !fuzzNameRE.MatchString(name) {
					t.Errorf("pristine line %s %q accepted (%s)", name, p, why)
				}
			}
		}
		out := s.Marshal()
		s2, err := vendorspec.ParseSum(fuzzSumFile, out)
		if err != nil {
			t.Fatalf("the sum Marshal wrote does not read back: %v\n%s", err, out)
		}
		if out2 := s2.Marshal(); !bytes.Equal(out, out2) {
			t.Errorf("Marshal is not stable:\n%s\nthen\n%s", out, out2)
		}
		normalize(reflect.ValueOf(s))
		normalize(reflect.ValueOf(s2))
		if !reflect.DeepEqual(s, s2) {
			t.Errorf("the sum changed through Marshal:\n%+v\nthen\n%+v", s, s2)
		}
		checkSumSeal(t, s2, out)
	})
}

// checkSumSeal checks ComponentHash against the documented pipeline over
// out (s's Marshal) and SealSum against CheckSumHash.
func checkSumSeal(t *testing.T, s *vendorspec.Sum, out []byte) {
	t.Helper()
	l := &vendorspec.Lock{Version: vendorspec.LockVersion}
	names := map[string]bool{}
	for n := range s.Files {
		names[n] = true
	}
	for n := range s.Pristine {
		names[n] = true
	}
	for n := range names {
		if got, want := s.ComponentHash(n), grepHash(out, n); got != want {
			t.Errorf("ComponentHash(%s) = %s, but its lines hash to %s", n, got, want)
		}
		l.Set(&vendorspec.LockedComponent{Name: n})
	}
	l.SealSum(s)
	if err := vendorspec.CheckSumHash(l, s); err != nil {
		t.Errorf("CheckSumHash after SealSum: %v", err)
	}
	if len(l.Components) > 0 {
		// Another mode for one file must show.
		n := l.Components[0].Name
		if files := s.Files[n]; len(files) > 0 {
			mod := &vendorspec.Sum{Files: map[string][]tree.File{n: slices.Clone(files)}, Pristine: s.Pristine}
			mod.Files[n][0].Mode ^= 0o111
			if err := vendorspec.CheckSumHash(l, mod); !errors.Is(err, vendorspec.ErrSumMismatch) {
				t.Errorf("CheckSumHash after a mode change: %v, want ErrSumMismatch", err)
			}
		}
	}
}
