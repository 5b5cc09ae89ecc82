package vendorspec_test

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/rvendor/rvendor/internal/tomltest"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

// The fuzz targets of this file read rvendor.toml (issue #10). Their
// seeds, in testdata/fuzz/<FuzzName>/, are real specs: those rvendor init
// writes and the tests' scripts use, and specs whose update was run to
// capture real rvendor.lock and rvendor.sum files (see lock_fuzz_test.go).
// Each target checks what the package documentation promises, not only
// that nothing panics.

const fuzzSpecFile = "rvendor.toml"

var fuzzNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// cleanRel says why p is not a clean, relative, slash-separated path
// (the shape every path of the spec, lock and sum must have), or "".
func cleanRel(p string) string {
	switch {
	case p == "":
		return "is empty"
	case !utf8.ValidString(p):
		return "is not UTF-8"
	case strings.HasPrefix(p, "/"):
		return "is absolute"
	case strings.ContainsRune(p, '\\'):
		return "has a backslash"
	case strings.IndexFunc(p, unicode.IsControl) >= 0:
		return "has a control character"
	case path.Clean(p) != p:
		return "is not clean"
	case p == ".." || strings.HasPrefix(p, "../"):
		return "leaves its folder"
	}
	return ""
}

// reservedTree says why the tree path p would be or hold rvendor's own
// files or a .git folder, or "".
func reservedTree(p string) string {
	switch {
	case p == vendorspec.SpecName || p == vendorspec.LockName || p == vendorspec.SumName:
		return "is one of rvendor's files"
	case vendorspec.Within(p, ".rvendor"):
		return "lies in .rvendor"
	case slices.Contains(strings.Split(p, "/"), ".git"):
		return "lies in .git"
	}
	return ""
}

// lineCount is the number of lines of data, as positions count them.
func lineCount(data []byte) int { return bytes.Count(data, []byte("\n")) + 1 }

// checkSpecErrors checks that err, from Parse of data, is an ErrorList of
// positioned errors in file order.
func checkSpecErrors(t *testing.T, data []byte, err error) {
	t.Helper()
	var list vendorspec.ErrorList
	if !errors.As(err, &list) || len(list) == 0 {
		t.Fatalf("Parse error %v (%T) is not a non-empty ErrorList", err, err)
	}
	for i, e := range list {
		if e.Pos.File != fuzzSpecFile || e.Pos.Line < 1 || e.Pos.Col < 1 || e.Pos.Line > lineCount(data) {
			t.Errorf("error %q has position %+v: want %s:LINE:COL within its %d lines", e.Msg, e.Pos, fuzzSpecFile, lineCount(data))
		}
		if e.Msg == "" {
			t.Errorf("error at %v says nothing", e.Pos)
		}
		if i > 0 {
			p := list[i-1].Pos
			if p.Line > e.Pos.Line || p.Line == e.Pos.Line && p.Col > e.Pos.Col {
				t.Errorf("errors out of file order: %v before %v", p, e.Pos)
			}
		}
	}
}

// checkSpec checks the package doc's promises of a Spec returned without
// error.
func checkSpec(t *testing.T, s *vendorspec.Spec) {
	t.Helper()
	if s.Version != vendorspec.SpecVersion {
		t.Errorf("accepted spec version %d", s.Version)
	}
	names := map[string]bool{}
	for _, c := range s.Components {
		what := fmt.Sprintf("component %q", c.Name)
		if !fuzzNameRE.MatchString(c.Name) || names[c.Name] {
			t.Errorf("%s: name is not valid or not unique", what)
		}
		names[c.Name] = true
		switch c.Kind {
		case vendorspec.KindRustSrc, vendorspec.KindRustcSrc, vendorspec.KindCrate, vendorspec.KindArchive:
		default:
			t.Errorf("%s: kind %q accepted", what, c.Kind)
		}
		if c.Version == "" || strings.ContainsAny(c.Version, "^~<>=*, |") || strings.HasSuffix(c.Version, ".x") {
			t.Errorf("%s: version %q is not one exact version", what, c.Version)
		}
		for key, p := range map[string]string{"dest": c.Dest, "patches": c.Patches, "lockfile": c.Lockfile} {
			if p == "" && key != "dest" {
				continue
			}
			if why := cleanRel(p) + reservedTree(p); why != "" {
				t.Errorf("%s: %s %q accepted, but it %s", what, key, p, why)
			}
			if len(p) > 1 && p[1] == ':' && unicode.IsLetter(rune(p[0])) && p[0] < utf8.RuneSelf {
				t.Errorf("%s: %s %q has a drive letter", what, key, p)
			}
		}
		for _, p := range append(slices.Clone(c.Paths), c.Root) {
			if p == "" && c.Kind != vendorspec.KindRustSrc && c.Kind != vendorspec.KindRustcSrc {
				continue // root "": the archive's top folder
			}
			if why := cleanRel(p); why != "" {
				t.Errorf("%s: source path %q accepted, but it %s", what, p, why)
			}
			if c.Root != "" && !vendorspec.Within(p, c.Root) {
				t.Errorf("%s: path %q is not under root %q", what, p, c.Root)
			}
		}
		if (c.Kind == vendorspec.KindRustSrc || c.Kind == vendorspec.KindRustcSrc) && len(c.Paths) == 0 {
			t.Errorf("%s: a Rust source component without paths accepted", what)
		}
		if c.Kind == vendorspec.KindArchive && !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(c.SHA256) {
			t.Errorf("%s: archive sha256 %q accepted", what, c.SHA256)
		}
		if c.Kind == vendorspec.KindCrate && c.Crate == "" {
			t.Errorf("%s: crate is empty", what)
		}
		for _, other := range s.Components {
			if other == c {
				continue
			}
			if vendorspec.Within(c.Dest, other.Dest) {
				t.Errorf("%s: dest %q lies in dest %q of %s", what, c.Dest, other.Dest, other.Name)
			}
			for _, p := range []string{c.Patches, c.Lockfile} {
				if p != "" && (vendorspec.Within(p, other.Dest) || vendorspec.Within(other.Dest, p)) {
					t.Errorf("%s: %q overlaps dest %q of %s", what, p, other.Dest, other.Name)
				}
			}
		}
		for key, pos := range c.Pos {
			if pos.Line < 1 || pos.Col < 1 || pos.File != fuzzSpecFile {
				t.Errorf("%s: %s has position %+v", what, key, pos)
			}
		}
	}
}

// specValues returns a copy of s without positions, paths sorted and
// empty lists nil: what an rvendor.toml says, however it is written.
func specValues(s *vendorspec.Spec) vendorspec.Spec {
	v := *s
	v.Toolchain.Pos, v.Sources.Pos, v.Policy.Pos = nil, nil, nil
	v.Sources.Mirrors = nilIfEmpty(v.Sources.Mirrors)
	v.Policy.NetworkAllow = nilIfEmpty(v.Policy.NetworkAllow)
	v.Components = nil
	for _, c := range s.Components {
		cv := componentValues(c)
		v.Components = append(v.Components, &cv)
	}
	return v
}

func componentValues(c *vendorspec.Component) vendorspec.Component {
	v := *c
	v.Pos = nil
	v.Paths = nilIfEmpty(slices.Sorted(slices.Values(c.Paths)))
	v.Exclude = nilIfEmpty(slices.Clone(c.Exclude))
	v.Platforms = nilIfEmpty(slices.Clone(c.Platforms))
	return v
}

func nilIfEmpty(l []string) []string {
	if len(l) == 0 {
		return nil
	}
	return l
}

// FuzzParse parses arbitrary bytes as rvendor.toml. It checks that:
//   - a refusal is a non-empty ErrorList, every error at file:line:col
//     inside the file, in file order;
//   - an accepted spec keeps every promise of the package doc (names,
//     kinds, exact versions, clean relative dests outside rvendor's files
//     and .git, no overlapping dests, paths under root, sha256 digests);
//   - a leading byte order mark changes nothing, positions included;
//   - every component, written again by SpecFile.AddComponent into a
//     fresh spec, reads back to the same values (AddComponent can write
//     whatever Parse accepts).
func FuzzParse(f *testing.F) {
	f.Add([]byte("version = 1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := vendorspec.Parse(fuzzSpecFile, data)
		if !bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
			s2, err2 := vendorspec.Parse(fuzzSpecFile, append([]byte("\xef\xbb\xbf"), data...))
			switch {
			case (err == nil) != (err2 == nil):
				t.Errorf("a byte order mark changes the result: %v, then %v", err, err2)
			case err != nil && err.Error() != err2.Error():
				t.Errorf("a byte order mark changes the errors:\n%v\nthen\n%v", err, err2)
			case err == nil && !reflect.DeepEqual(s, s2):
				t.Errorf("a byte order mark changes the spec:\n%+v\nthen\n%+v", s, s2)
			}
		}
		if err != nil {
			checkSpecErrors(t, data, err)
			return
		}
		checkSpec(t, s)
		rewriteComponents(t, s)
	})
}

// rewriteComponents writes every component of s with AddComponent into a
// fresh spec and checks that each reads back to the same values.
func rewriteComponents(t *testing.T, s *vendorspec.Spec) {
	t.Helper()
	sf, err := vendorspec.ParseEditable(fuzzSpecFile, []byte("version = 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range s.Components {
		cc := *c
		if err := sf.AddComponent(&cc, "written again"); err != nil {
			t.Fatalf("component %s of an accepted spec, written by AddComponent, is refused: %v\n%s", c.Name, err, sf.Bytes())
		}
		got, want := componentValues(sf.Spec.Components[i]), componentValues(c)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("component %s written by AddComponent reads back as\n%+v\nwant\n%+v\n%s", c.Name, got, want, sf.Bytes())
		}
	}
}

// FuzzSetComponentVersion edits the version of one component of a spec.
// It checks that an edit either fails, leaving the bytes and the Spec as
// they were, with a positioned error, or succeeds and then: the
// component's version is the one given, Spec is what Parse reads from
// Bytes, only bytes on the line of that version changed, and no other
// value of the spec changed.
func FuzzSetComponentVersion(f *testing.F) {
	f.Add([]byte("version = 1\n[[component]]\nname = 'a'\nkind = \"archive\"\nversion = '1.0'\nurl = \"https://example.org/a-1.0.tar.gz\"\nsha256 = \"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"\ndest = \"a\"\n"), "1.1", uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, version string, which uint8) {
		sf, err := vendorspec.ParseEditable(fuzzSpecFile, data)
		if err != nil || len(sf.Spec.Components) == 0 {
			return
		}
		i := int(which) % len(sf.Spec.Components)
		name := sf.Spec.Components[i].Name
		before, beforeSpec := sf.Bytes(), sf.Spec
		if err := sf.SetComponentVersion(name, version); err != nil {
			checkEditRefused(t, sf, before, beforeSpec, err)
			return
		}
		after := sf.Bytes()
		if got := sf.Spec.Components[i].Version; got != version {
			t.Errorf("version is %q after setting %q", got, version)
		}
		reread, err := vendorspec.Parse(fuzzSpecFile, after)
		if err != nil {
			t.Fatalf("the edited bytes do not parse: %v\n%s", err, after)
		}
		if !reflect.DeepEqual(reread, sf.Spec) {
			t.Errorf("Spec is not what Parse reads from Bytes")
		}
		// Only bytes of the version's line changed.
		p := 0
		for p < len(before) && p < len(after) && before[p] == after[p] {
			p++
		}
		s := 0
		for s < len(before)-p && s < len(after)-p && before[len(before)-1-s] == after[len(after)-1-s] {
			s++
		}
		if changed := before[p : len(before)-s]; bytes.ContainsRune(changed, '\n') {
			t.Errorf("the edit changed more than one line: %q", changed)
		}
		if line, want := bytes.Count(before[:p], []byte("\n"))+1, beforeSpec.Components[i].Pos["version"].Line; p < len(before) && line != want {
			t.Errorf("the edit changed line %d, not the version's line %d", line, want)
		}
		// No other value changed.
		want := specValues(beforeSpec)
		want.Components[i].Version = version
		if got := specValues(sf.Spec); !reflect.DeepEqual(got, want) {
			t.Errorf("the edit changed other values:\n%+v\nwant\n%+v", got, want)
		}
	})
}

// checkEditRefused checks that a refused edit left sf as it was and says
// where the problem is.
func checkEditRefused(t *testing.T, sf *vendorspec.SpecFile, before []byte, beforeSpec *vendorspec.Spec, err error) {
	t.Helper()
	if !bytes.Equal(sf.Bytes(), before) || sf.Spec != beforeSpec {
		t.Errorf("a refused edit (%v) changed the SpecFile", err)
	}
	var e *vendorspec.Error
	if !errors.As(err, &e) || e.Pos.File != fuzzSpecFile {
		t.Errorf("edit error %v (%T) does not name the file", err, err)
	}
}

// FuzzAddComponent appends a component built from the fuzzed values to
// a spec. It checks that AddComponent either refuses, leaving the bytes
// and the Spec as they were, or appends: the old bytes are kept as they
// are (a prefix of the new ones), the earlier components are unchanged,
// and the new last component reads back with exactly the values given
// (paths sorted, crate and root defaulted as Parse does).
func FuzzAddComponent(f *testing.F) {
	f.Add([]byte("version = 1\n"), "demo", "archive", "1.2.0", "https://example.org/demo-1.2.0.tar.gz",
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "demo-1.2.0/src\ndemo-1.2.0/Cargo.toml", "*.md", "third_party/demo", "MIT", "vendored by hand before")
	f.Add([]byte("version = 1\r\n"), "rust-library", "rust-src", "1.78.0", "", "", "library/core\nlibrary/alloc", "", "rust/vendor/library", "MIT OR Apache-2.0", "")
	f.Fuzz(func(t *testing.T, data []byte, name, kind, version, url, sha, paths, exclude, dest, license, comment string) {
		sf, err := vendorspec.ParseEditable(fuzzSpecFile, data)
		if err != nil {
			return
		}
		split := func(s string) []string {
			if s == "" {
				return nil
			}
			return strings.Split(s, "\n")
		}
		c := &vendorspec.Component{Name: name, Kind: kind, Version: version, URL: url, SHA256: sha,
			Paths: split(paths), Exclude: split(exclude), Dest: dest, License: license}
		before, beforeSpec := sf.Bytes(), sf.Spec
		if err := sf.AddComponent(c, comment); err != nil {
			if !bytes.Equal(sf.Bytes(), before) || sf.Spec != beforeSpec {
				t.Errorf("a refused AddComponent (%v) changed the SpecFile", err)
			}
			return
		}
		if !bytes.HasPrefix(sf.Bytes(), before) {
			t.Errorf("AddComponent changed the existing bytes:\n%q\nthen\n%q", before, sf.Bytes())
		}
		n := len(beforeSpec.Components)
		if len(sf.Spec.Components) != n+1 {
			t.Fatalf("%d components after adding one to %d", len(sf.Spec.Components), n)
		}
		for i, old := range beforeSpec.Components {
			if got, want := componentValues(sf.Spec.Components[i]), componentValues(old); !reflect.DeepEqual(got, want) {
				t.Errorf("component %d changed:\n%+v\nwant\n%+v", i, got, want)
			}
		}
		got := componentValues(sf.Spec.Components[n])
		want := componentValues(c)
		// The defaults Parse fills in.
		switch kind {
		case vendorspec.KindCrate:
			want.Crate = name
		case vendorspec.KindRustSrc, vendorspec.KindRustcSrc:
			want.Root = "library"
		case vendorspec.KindArchive:
			want.Root = vendorspec.CommonTop(want.Paths)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("the added component reads back as\n%+v\nwant\n%+v\n%s", got, want, sf.Bytes())
		}
	})
}

// tomlList writes l as a TOML array of basic strings.
func tomlList(l []string) (string, bool) {
	parts := make([]string, len(l))
	for i, s := range l {
		q, ok := tomltest.String(s)
		if !ok {
			return "", false
		}
		parts[i] = q
	}
	return "[" + strings.Join(parts, ", ") + "]", true
}

// TestEmptyValuesRefused holds the crashers FuzzParse found (issue #10):
// a key written with an empty string (or an empty paths list for the
// Rust kinds) was taken for a value of the wrong type, which the decoder
// reports, and passed silently; name = "" or kind = "" even skipped every
// other check of the component, its dest included.
func TestEmptyValuesRefused(t *testing.T) {
	const head = "version = 1\n[[component]]\n"
	for _, tc := range []struct{ src, pos, msg string }{
		{head + "name = \"\"\nkind = \"archive\"\ndest = \"../../etc\"\n", "3:1", `component 1: name is empty`},
		{head + "name = \"x\"\nkind = \"\"\ndest = \"../../etc\"\n", "4:1", `component x: kind is empty`},
		{head + "name = \"x\"\nkind = \"crate\"\nversion = \"\"\ndest = \"d\"\n", "5:1", `component x: version is empty`},
		{head + "name = \"x\"\nkind = \"archive\"\nversion = \"1\"\nurl = \"https://e.org/x.tar.gz\"\nsha256 = \"\"\ndest = \"d\"\n", "7:1", `component x: sha256 "" is not a SHA-256 hex digest`},
		{head + "name = \"x\"\nkind = \"rust-src\"\nversion = \"1.78.0\"\npaths = []\ndest = \"d\"\n", "6:1", `component x: paths is empty`},
	} {
		_, err := vendorspec.Parse(fuzzSpecFile, []byte(tc.src))
		var list vendorspec.ErrorList
		if !errors.As(err, &list) {
			t.Errorf("%q accepted", tc.src)
			continue
		}
		found := false
		for _, e := range list {
			found = found || fmt.Sprintf("%d:%d", e.Pos.Line, e.Pos.Col) == tc.pos && strings.Contains(e.Msg, tc.msg) && e.Hint != ""
		}
		if !found {
			t.Errorf("%q: got\n%v\nwant an error at %s: %s", tc.src, err, tc.pos, tc.msg)
		}
	}
	// A value of the wrong type is still reported once, by the decoder.
	_, err := vendorspec.Parse(fuzzSpecFile, []byte(head+"name = 1\nkind = \"crate\"\nversion = \"1.0.0\"\ndest = \"d\"\n"))
	if list, ok := err.(vendorspec.ErrorList); !ok || len(list) != 1 || !strings.Contains(list[0].Msg, "name must be a string") {
		t.Errorf("name = 1: got %v, want only the type error", err)
	}
}

// TestRustVersionsAsRustdistReadsThem holds what fetch/rustdist's
// FuzzParseVersion found: the spec accepted Rust versions that every
// update then refused (a suffix, leading zeros, a date that does not
// exist). A rust-src or rustc-src version is now exactly what
// rustdist.ParseVersion reads.
func TestRustVersionsAsRustdistReadsThem(t *testing.T) {
	const head = "version = 1\n[[component]]\nname = \"rust-library\"\nkind = \"rust-src\"\npaths = [\"library/core\"]\ndest = \"rust/vendor/library\"\nversion = "
	for v, ok := range map[string]bool{
		"1.78.0": true, "0.9.0": true, "nightly-2024-05-01": true, "beta-2024-02-29": true,
		"1.80.0-beta.1": false, "1.63.0+dfsg1": false, "01.78.0": false, "1.078.0": false,
		"nightly-2024-02-30": false, "nightly-2023-02-29": false, "beta-2024-13-01": false,
	} {
		_, err := vendorspec.Parse(fuzzSpecFile, []byte(head+`"`+v+`"`+"\n"))
		if (err == nil) != ok {
			t.Errorf("version %q: %v, want accepted = %v", v, err, ok)
		} else if !ok && !strings.Contains(err.Error(), "rvendor.toml:7:1: component rust-library: version \""+v+"\" is not a Rust release") {
			t.Errorf("version %q: %v", v, err)
		}
	}
}
