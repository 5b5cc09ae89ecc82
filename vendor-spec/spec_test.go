package vendorspec_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/rvendor/rvendor/tree"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

const good = `version = 1
[toolchain]
rustc = "1.78.0"
bindgen = "0.65.1"
libclang = ">= 13.0.1"

[[component]]
name = "rust-library"
kind = "rust-src"
version = "1.78.0"
paths = ["library/core", "library/alloc"]
dest = "rust/vendor/library"
license = "MIT OR Apache-2.0"
patches = "rust/vendor/patches/rust-library"

[[component]]
name = "demo"
kind = "archive"
url = "file:///srv/mirror/demo-1.2.0.tar.gz"
sha256 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
version = "1.2.0"
paths = ["demo-1.2.0/src"]
exclude = ["*.md", "demo-1.2.0/src/tests/**"]
dest = "third_party/demo"
`

func TestParseGood(t *testing.T) {
	s, err := vendorspec.Parse("rvendor.toml", []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if s.Toolchain.Libclang != ">= 13.0.1" || len(s.Components) != 2 {
		t.Fatalf("got %+v", s)
	}
	rl, demo := s.Components[0], s.Components[1]
	if rl.Root != "library" {
		t.Errorf("rust-src root defaults to library, got %q", rl.Root)
	}
	if demo.Root != "demo-1.2.0" {
		t.Errorf("archive root defaults to the paths' top folder, got %q", demo.Root)
	}
	if p := demo.Pos.At("dest"); p.Line != 24 || p.Col != 1 {
		t.Errorf("dest position %v, want line 24 col 1", p)
	}
	if p := rl.Pos.At("paths[1]"); p.Line != 11 || p.Col != 26 {
		t.Errorf("paths[1] position %v, want 11:26", p)
	}
}

// TestParseForms checks the TOML forms that mean the same thing: dotted
// keys and inline tables.
func TestParseForms(t *testing.T) {
	for name, src := range map[string]string{
		"dotted": "version = 1\ntoolchain.rustc = \"1.78.0\"\n",
		"inline": "version = 1\ntoolchain = { rustc = \"1.78.0\" }\n",
	} {
		s, err := vendorspec.Parse(name, []byte(src))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if s.Toolchain.Rustc != "1.78.0" {
			t.Errorf("%s: rustc = %q", name, s.Toolchain.Rustc)
		}
	}
}

// TestParseErrors lists one bad spec per rule, with the place and the
// message that must be reported.
func TestParseErrors(t *testing.T) {
	comp := func(extra string) string {
		return "version = 1\n[[component]]\nname = \"c\"\nkind = \"rust-src\"\nversion = \"1.78.0\"\npaths = [\"library/core\"]\n" + extra
	}
	for _, tc := range []struct{ name, src, pos, msg string }{
		{"no version", "[toolchain]\n", "1:1", "version is missing"},
		{"future version", "version = 2\n", "1:1", "spec version 2 is not supported"},
		{"unknown key", comp("dest = \"d\"\nfoo = 1\n"), "8:1", `unknown key "foo"`},
		{"duplicate key", comp("dest = \"d\"\ndest = \"e\"\n"), "8:1", "dest is written twice"},
		{"bad name", strings.Replace(comp("dest = \"d\"\n"), `"c"`, `"C_1"`, 1), "3:1", `component name "C_1" is not valid`},
		{"bad kind", strings.Replace(comp("dest = \"d\"\n"), `"rust-src"`, `"git"`, 1), "4:1", `unknown kind "git"`},
		{"range", strings.Replace(comp("dest = \"d\"\n"), `"1.78.0"`, `"~1.78"`, 1), "5:1", `version "~1.78" is a range`},
		{"not a release", strings.Replace(comp("dest = \"d\"\n"), `"1.78.0"`, `"stable"`, 1), "5:1", `version "stable" is not a Rust release`},
		{"abs dest", comp("dest = \"/x\"\n"), "7:1", `dest "/x" is absolute`},
		{"escaping dest", comp("dest = \"a/../../x\"\n"), "7:1", `leaves its folder`},
		{"dot dest", comp("dest = \".\"\n"), "7:1", `dest "." is empty`},
		{"url on rust-src", comp("dest = \"d\"\nurl = \"https://x/y.tar.gz\"\n"), "8:1", `url is only for kind "archive"`},
		{"patches in dest", comp("dest = \"d\"\npatches = \"d/p\"\n"), "8:1", `patches "d/p" is inside dest "d"`},
		{"lockfile in dest", "version = 1\n[[component]]\nname = \"b\"\nkind = \"crate\"\nversion = \"0.60.1\"\ndest = \"v\"\nlockfile = \"v/Cargo.lock\"\n", "7:1", `lockfile "v/Cargo.lock" is inside dest "v"`},
		{"bad exclude", comp("dest = \"d\"\nexclude = [\"[\"]\n"), "8:12", `exclude pattern "[" is not valid`},
		{"bad license", comp("dest = \"d\"\nlicense = \"MIT AND\"\n"), "8:1", `not a valid SPDX expression`},
		{"http remote", "version = 1\n[sources]\nrust-dist = \"http://example.org\"\n", "3:1", "plain http to a remote host"},
		{"archive no sha", "version = 1\n[[component]]\nname = \"a\"\nkind = \"archive\"\nversion = \"1\"\nurl = \"https://x/a.tar.gz\"\ndest = \"d\"\n", "2:3", "kind archive needs sha256"},
		{"archive not tar", "version = 1\n[[component]]\nname = \"a\"\nkind = \"archive\"\nversion = \"1\"\nurl = \"https://x/a.zip\"\nsha256 = \"" + strings.Repeat("a", 64) + "\"\ndest = \"d\"\n", "6:1", "is not a .tar.gz, .tar.xz or .tar.zst archive"},
		{"table twice", "version = 1\n[toolchain]\n[toolchain]\n", "3:2", "[toolchain] is written twice"},
		{"component table", "version = 1\n[component]\n", "2:2", "must be an array of tables"},
		// Issue 11: roles, transformations and the license policy.
		{"bad role", comp("dest = \"d\"\nrole = \"host\"\n"), "8:1", `unknown role "host"`},
		{"bad spdx-header", comp("dest = \"d\"\nspdx-header = \"MIT/Apache-2.0\"\n"), "8:1", `spdx-header "MIT/Apache-2.0" is not a valid SPDX expression`},
		{"crate spdx-header", "version = 1\n[[component]]\nname = \"b\"\nkind = \"crate\"\nversion = \"0.60.1\"\ndest = \"v\"\nspdx-header = \"MIT\"\n", "7:1", `spdx-header cannot be used with kind = "crate"`},
		{"crate readme", "version = 1\n[[component]]\nname = \"b\"\nkind = \"crate\"\nversion = \"0.60.1\"\ndest = \"v\"\nreadme = true\n", "7:1", `readme cannot be used with kind = "crate"`},
		{"unknown licenses key", "version = 1\n[policy.licenses]\nkernal = true\n", "3:1", `unknown key "policy.licenses.kernal"`},
		{"bad allow entry", "version = 1\n[policy.licenses]\nallow = [\"MIT\", \"Nope-1.0\"]\n", "3:17", `allow entry "Nope-1.0" is not a valid SPDX expression`},
		{"role allow entry", "version = 1\n[policy.licenses.host-tool]\nallow = [\"MIT AND\"]\n", "3:10", `allow entry "MIT AND" is not a valid SPDX expression`},
		{"dotted licenses key", "version = 1\n[policy]\nlicenses.kernel = 1\n", "3:1", "kernel"},
		{"exception no reason", comp("dest = \"d\"\n[[policy.licenses.exception]]\ncomponent = \"c\"\nlicense = \"MIT\"\n"), "8:3", "reason is missing"},
		{"exception no component", comp("dest = \"d\"\n[[policy.licenses.exception]]\ncomponent = \"x\"\nlicense = \"MIT\"\nreason = \"r\"\n"), "9:1", `no component "x"`},
		{"clarify bad sha", comp("dest = \"d\"\n[[policy.licenses.clarify]]\ncomponent = \"c\"\npath = \"LICENSE\"\nsha256 = \"abc\"\nlicense = \"MIT\"\nreason = \"r\"\n"), "11:1", `sha256 "abc" is not a sha256`},
		{"clarify bad path", comp("dest = \"d\"\n[[policy.licenses.clarify]]\ncomponent = \"c\"\npath = \"../LICENSE\"\nsha256 = \"" + strings.Repeat("a", 64) + "\"\nlicense = \"MIT\"\nreason = \"r\"\n"), "10:1", `path "../LICENSE"`},
		{"exception array", "version = 1\n[policy.licenses.exception]\n", "2:2", "unknown table"},
		// Issue 12: the advisory policy.
		{"advisories no db", "version = 1\n[policy.advisories]\nmax-age-days = 30\n", "2:2", "[policy.advisories] has no db"},
		{"advisories bad key", "version = 1\n[policy.advisories]\ndb = \"x\"\nmaxage = 3\n", "4:1", `unknown key "policy.advisories.maxage"`},
		{"advisories negative age", "version = 1\n[policy.advisories]\ndb = \"x\"\nmax-age-days = -1\n", "4:1", "max-age-days -1 is negative"},
		{"ignore no reason", "version = 1\n[policy.advisories]\ndb = \"x\"\n[[policy.advisories.ignore]]\nid = \"RUSTSEC-2024-0006\"\n", "4:3", "reason is missing"},
		{"ignore twice", "version = 1\n[policy.advisories]\ndb = \"x\"\n[[policy.advisories.ignore]]\nid = \"A\"\nreason = \"r\"\n[[policy.advisories.ignore]]\nid = \"A\"\nreason = \"r\"\n", "8:1", "A is already ignored at line 4"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := vendorspec.Parse("rvendor.toml", []byte(tc.src))
			var list vendorspec.ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("got %v, want an ErrorList", err)
			}
			for _, e := range list {
				if strings.Contains(e.Msg, tc.msg) {
					if got := strings.TrimPrefix(e.Pos.String(), "rvendor.toml:"); got != tc.pos {
						t.Errorf("%q reported at %s, want %s", tc.msg, got, tc.pos)
					}
					if e.Hint == "" {
						t.Errorf("%q has no hint saying what to write instead", tc.msg)
					}
					return
				}
			}
			t.Errorf("no error containing %q in:\n%v", tc.msg, err)
		})
	}
}

func TestFindWalksUp(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "rvendor.toml"), []byte(good), 0o644); err != nil {
		t.Fatal(err)
	}
	deep := filepath.Join(root, "a", "b", "c")
	os.MkdirAll(deep, 0o755)
	got, err := vendorspec.Find(deep)
	if err != nil || got != filepath.Join(root, "rvendor.toml") {
		t.Fatalf("Find(%s) = %q, %v", deep, got, err)
	}
	if _, err := vendorspec.Find(t.TempDir()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Find in an empty tree: %v, want ErrNotExist", err)
	}
}

func sampleLock() *vendorspec.Lock {
	return &vendorspec.Lock{Components: []*vendorspec.LockedComponent{
		{Name: "z", Kind: "archive", Version: "1", URL: "file:///z.tar.gz", SHA256: strings.Repeat("b", 64), Dest: "z", Upstream: "h1:x", Tree: "h1:x", Files: 1, Bytes: 3},
		{Name: "a", Kind: "rust-src", Version: "1.78.0", Root: "library", Paths: []string{"library/core"}, Dest: "rust/lib", Upstream: "h1:y", Tree: "h1:y"},
	}}
}

// TestLockDeterministic checks that the lock's bytes depend only on its
// content, and that it reads back equal.
func TestLockDeterministic(t *testing.T) {
	a, err := sampleLock().Marshal()
	if err != nil {
		t.Fatal(err)
	}
	l := sampleLock()
	l.Components[0], l.Components[1] = l.Components[1], l.Components[0]
	b, _ := l.Marshal()
	if !bytes.Equal(a, b) {
		t.Errorf("component order changed the lock bytes:\n%s\n%s", a, b)
	}
	back, err := vendorspec.ParseLock("rvendor.lock", a)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := back.Marshal()
	if !bytes.Equal(a, c) {
		t.Errorf("lock does not round-trip:\n%s\n%s", a, c)
	}
	if back.Components[0].Name != "a" {
		t.Errorf("components not sorted by name")
	}
}

func TestLockErrors(t *testing.T) {
	for name, src := range map[string]string{
		"unknown key":    "version = 1\nfoo = 2\n",
		"future version": "version = 9\n",
		"duplicate":      "version = 1\n[[component]]\nname = \"a\"\n[[component]]\nname = \"a\"\n",
		"syntax":         "version = \n",
	} {
		if _, err := vendorspec.ParseLock("rvendor.lock", []byte(src)); err == nil {
			t.Errorf("%s: accepted", name)
		} else if !strings.Contains(err.Error(), "rvendor.lock") {
			t.Errorf("%s: error does not name the file: %v", name, err)
		}
	}
}

func TestSumRoundTrip(t *testing.T) {
	s := &vendorspec.Sum{Files: map[string][]tree.File{
		"demo": {{Path: "src/with space.rs", Mode: 0o644, Size: 3}, {Path: "a.sh", Mode: 0o755, Size: 1}},
	}}
	s.Files["demo"][0].SHA256[0] = 0xab
	data := s.Marshal()
	back, err := vendorspec.ParseSum("rvendor.sum", data)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(back.Marshal(), data) {
		t.Errorf("sum does not round-trip")
	}
	files := back.Files["demo"]
	if len(files) != 2 || files[0].Path != "a.sh" || files[1].Path != "src/with space.rs" || files[1].SHA256[0] != 0xab {
		t.Errorf("read back %+v", files)
	}
}

// TestMapSumAgreesWithReadSum: verify maps rvendor.sum, every other
// command reads it; both give the same Sum and the same errors.
func TestMapSumAgreesWithReadSum(t *testing.T) {
	s := &vendorspec.Sum{Files: map[string][]tree.File{}}
	for i := range 3000 { // many pages
		f := tree.File{Path: fmt.Sprintf("src/dir%d/file%d.rs", i%17, i), Mode: 0o644, Size: int64(i)}
		f.SHA256[i%32] = byte(i)
		s.Files["demo"] = append(s.Files["demo"], f)
	}
	s.Files["other"] = []tree.File{{Path: "a.sh", Mode: 0o755, Size: 1}}
	dir := t.TempDir()
	good := filepath.Join(dir, "good.sum")
	if err := os.WriteFile(good, s.Marshal(), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.sum")
	if err := os.WriteFile(bad, []byte("# header\ndemo 0600 3 "+strings.Repeat("a", 64)+" a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{good, bad, filepath.Join(dir, "missing.sum")} {
		read, rerr := vendorspec.ReadSum(p)
		mapped, merr := vendorspec.MapSum(p)
		if fmt.Sprint(rerr) != fmt.Sprint(merr) {
			t.Errorf("%s: ReadSum error %v, MapSum error %v", filepath.Base(p), rerr, merr)
		}
		if !reflect.DeepEqual(read, mapped) {
			t.Errorf("%s: MapSum gives another Sum than ReadSum", filepath.Base(p))
		}
	}
	if m, err := vendorspec.MapSum(good); err != nil || !bytes.Equal(m.Marshal(), s.Marshal()) {
		t.Errorf("MapSum of a written sum does not read it back: %v", err)
	}
}

// TestLoadFilesLater: the sum LoadFilesLater leaves for later reads as
// LoadFiles reads it: present, missing (empty, no error) and corrupt (the
// same error, naming the line).
func TestLoadFilesLater(t *testing.T) {
	h := strings.Repeat("a", 64)
	for name, sum := range map[string]*string{
		"present": ptr("demo 0644 3 " + h + " src/a.rs\n"),
		"missing": nil,
		"corrupt": ptr("# header\ndemo 0600 3 " + h + " a\n"),
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			spec := filepath.Join(dir, vendorspec.SpecName)
			if err := os.WriteFile(spec, []byte("version = 1\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			if sum != nil {
				if err := os.WriteFile(filepath.Join(dir, vendorspec.SumName), []byte(*sum), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, werr := vendorspec.LoadFiles(spec)
			f, readSum, err := vendorspec.LoadFilesLater(spec)
			if err != nil || f.Sum != nil {
				t.Fatalf("LoadFilesLater = %+v, %v; want the spec and lock, no sum yet", f, err)
			}
			got, gerr := readSum()
			if fmt.Sprint(gerr) != fmt.Sprint(werr) {
				t.Fatalf("sum error %v, LoadFiles says %v", gerr, werr)
			}
			if werr == nil && !reflect.DeepEqual(got, want.Sum) {
				t.Errorf("sum %+v, LoadFiles reads %+v", got, want.Sum)
			}
			if name == "corrupt" && (gerr == nil || !strings.Contains(gerr.Error(), "rvendor.sum:2:")) {
				t.Errorf("error %v does not name the line", gerr)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// TestSumOfBlankLines: a sum padded with blank lines (a cloned tree's,
// say) sizes its parse by its bytes, not by its lines.
func TestSumOfBlankLines(t *testing.T) {
	h := strings.Repeat("a", 64)
	text := "demo 0644 3 " + h + " a.rs\n" + strings.Repeat("\n", 4<<20) + "demo 0644 3 " + h + " b.rs\n"
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	s, err := vendorspec.ParseSum("rvendor.sum", []byte(text))
	runtime.ReadMemStats(&after)
	if err != nil || len(s.Files["demo"]) != 2 {
		t.Fatalf("ParseSum = %v, %v", s, err)
	}
	// 4 Mi lines at 64 bytes a file would be 256 MiB; the text is 4 MiB.
	if got := after.TotalAlloc - before.TotalAlloc; got > 32<<20 {
		t.Errorf("parsing a 4 MiB sum allocated %d MiB", got>>20)
	}
}

func TestSumErrors(t *testing.T) {
	h := strings.Repeat("a", 64)
	for name, line := range map[string]string{
		"short":     "demo 0644 3 " + h,
		"mode":      "demo 0600 3 " + h + " a",
		"size":      "demo 0644 x " + h + " a",
		"hash":      "demo 0644 3 " + h[:60] + " a",
		"uppercase": "demo 0644 3 " + strings.ToUpper(h) + " a",
	} {
		_, err := vendorspec.ParseSum("rvendor.sum", []byte("# header\n"+line+"\n"))
		if err == nil {
			t.Errorf("%s: accepted %q", name, line)
		} else if !strings.Contains(err.Error(), "rvendor.sum:2:") {
			t.Errorf("%s: error does not name the line: %v", name, err)
		}
	}
	_, err := vendorspec.ParseSum("rvendor.sum", []byte("demo 0644 3 "+h+" a\ndemo 0644 3 "+h+" a\n"))
	if err == nil {
		t.Error("a file listed twice was accepted")
	}
	if _, err := vendorspec.ParseSum("rvendor.sum", []byte(" 0644 3 "+h+" a\n")); err == nil {
		t.Error("a line with no component name was accepted")
	}
	// A sum checked out with CRLF line ends reads as the same sum.
	crlf, err := vendorspec.ParseSum("rvendor.sum", []byte("# header\r\ndemo 0644 3 "+h+" src/a.rs\r\n"))
	if err != nil || crlf.Files["demo"][0].Path != "src/a.rs" {
		t.Errorf("CRLF sum: %v, %+v", err, crlf)
	}
}

func TestStale(t *testing.T) {
	s, err := vendorspec.Parse("rvendor.toml", []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	c := s.Components[1]
	lc := c.Locked()
	if st := c.Stale(lc); len(st) != 0 {
		t.Errorf("fresh lock entry is stale: %v", st)
	}
	lc.Version, lc.Paths = "1.1.0", []string{"demo-1.2.0"}
	st := c.Stale(lc)
	if len(st) != 2 || !strings.HasPrefix(st[0], `version: spec says "1.2.0", lock has "1.1.0"`) || !strings.HasPrefix(st[1], "paths:") {
		t.Errorf("Stale = %q", st)
	}
}

// TestParseLicensePolicy: [policy.licenses], its role tables, exceptions
// and clarifications, and the component keys of issue 11, read back with
// their values and positions.
func TestParseLicensePolicy(t *testing.T) {
	src := `version = 1

[policy.licenses]
kernel = true
allow = ["MIT"]

[policy.licenses.host-tool]
allow = ["MIT", "BSD-3-Clause"]

[[policy.licenses.exception]]
component = "bindgen"
crate = "unicode-ident@1.0.5"
license = "(MIT OR Apache-2.0) AND Unicode-DFS-2016"
reason = "reviewed"

[[policy.licenses.clarify]]
component = "bindgen"
crate = "ring@0.16.20"
path = "LICENSE"
sha256 = "` + strings.Repeat("0", 64) + `"
license = "ISC AND MIT AND OpenSSL"
reason = "read by hand"

[[component]]
name = "bindgen"
kind = "crate"
version = "0.60.1"
dest = "tools/bindgen/vendor"
role = "host-tool"

[[component]]
name = "alloc"
kind = "rust-src"
version = "1.63.0"
paths = ["library/alloc"]
dest = "rust/alloc"
spdx-header = "Apache-2.0 OR MIT"
readme = true
`
	s, err := vendorspec.Parse("rvendor.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	l := &s.Policy.Licenses
	if !l.Written() || !l.Rules.Kernel || !slices.Equal(l.Rules.Allow, []string{"MIT"}) {
		t.Errorf("rules %+v", l.Rules)
	}
	if r := l.For(vendorspec.RoleHostTool); r.Kernel || !slices.Equal(r.Allow, []string{"MIT", "BSD-3-Clause"}) || r.Pos.At("allow[1]").Line != 8 {
		t.Errorf("host-tool rules %+v", r)
	}
	if r := l.For(vendorspec.RoleBuiltIn); r != &l.Rules {
		t.Errorf("built-in has no table: it takes the shared rules, got %+v", r)
	}
	if len(l.Exceptions) != 1 || l.Exceptions[0].Crate != "unicode-ident@1.0.5" || l.Exceptions[0].Pos.At("license").Line != 13 {
		t.Errorf("exceptions %+v", l.Exceptions)
	}
	if len(l.Clarifications) != 1 || l.Clarifications[0].License != "ISC AND MIT AND OpenSSL" || l.Clarifications[0].Path != "LICENSE" {
		t.Errorf("clarifications %+v", l.Clarifications)
	}
	b, a := s.Component("bindgen"), s.Component("alloc")
	if b.RoleOf() != vendorspec.RoleHostTool || a.RoleOf() != vendorspec.RoleBuiltIn || a.SPDXHeader != "Apache-2.0 OR MIT" || !a.Readme {
		t.Errorf("components %+v %+v", b, a)
	}
	if lc := a.Locked(); lc.SPDXHeader != a.SPDXHeader || !lc.Readme {
		t.Errorf("Locked() drops the transformations: %+v", lc)
	}
	lc := a.Locked()
	lc.SPDXHeader = ""
	if st := a.Stale(lc); len(st) != 1 || !strings.Contains(st[0], "spdx-header") {
		t.Errorf("a changed spdx-header is not stale: %v", st)
	}
}
