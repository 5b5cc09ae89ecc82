package vendorspec_test

import (
	"errors"
	"strings"
	"testing"

	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

// lockWith returns a lock holding one good crate component with a
// patch, and extra appended to its [[component]] table (before the
// package and patch tables). Each case of TestLockRefusesHostilePaths
// replaces one value by a hostile one.
func lockWith(extra string) string {
	return `version = 1

[[component]]
name = "demo"
kind = "crate"
version = "1.0.0"
root = "demo-1.0.0"
paths = ["demo-1.0.0/src"]
exclude = ["*.md"]
dest = "third_party/demo"
lockfile = "rust/Cargo.lock"
added = ["demo-1.0.0/include"]
upstream = "h1:x"
tree = "h1:x"
files = 1
bytes = 1
` + extra + `
[[component.package]]
name = "foo"
version = "1.2.0"
checksum = "c"
dir = "foo"
tree = "h1:y"

[[component.patch]]
name = "0001-fix.patch"
sha256 = "s"
files = ["foo/src/lib.rs"]
`
}

// TestLockRefusesHostilePaths: every path of rvendor.lock is checked as
// strictly as dest, and refused at its file:line:col (issue #9 defect 7).
func TestLockRefusesHostilePaths(t *testing.T) {
	if _, err := vendorspec.ParseLock("rvendor.lock", []byte(lockWith(""))); err != nil {
		t.Fatalf("the good lock is refused: %v", err)
	}
	for _, tc := range []struct{ name, old, new, pos, msg string }{
		{"dest leaves", `dest = "third_party/demo"`, `dest = "../victim"`, "10:1", `dest "../victim", which is not a clean path inside the tree: it leaves its folder`},
		{"dest absolute", `dest = "third_party/demo"`, `dest = "/etc"`, "10:1", `it is absolute`},
		{"dest reserved", `dest = "third_party/demo"`, `dest = ".git/hooks"`, "10:1", `lies inside a .git folder`},
		{"dest state", `dest = "third_party/demo"`, `dest = ".rvendor"`, "10:1", `rvendor's state folder`},
		{"lockfile leaves", `lockfile = "rust/Cargo.lock"`, `lockfile = "../../etc/shadow"`, "11:1", `lockfile "../../etc/shadow"`},
		{"lockfile backslash", `lockfile = "rust/Cargo.lock"`, `lockfile = 'rust\Cargo.lock'`, "11:1", `has a backslash`},
		{"root", `root = "demo-1.0.0"`, `root = "demo/../.."`, "7:1", `root "demo/../.."`},
		{"paths", `paths = ["demo-1.0.0/src"]`, `paths = ["demo-1.0.0/src", "/abs"]`, "8:28", `paths[1] "/abs"`},
		{"paths not clean", `paths = ["demo-1.0.0/src"]`, `paths = ["demo-1.0.0//src"]`, "8:10", `is not clean`},
		{"added", `added = ["demo-1.0.0/include"]`, `added = ["demo-1.0.0/../../x"]`, "12:10", `added[0] "demo-1.0.0/../../x"`},
		{"added control", `added = ["demo-1.0.0/include"]`, `added = ["demo-1.0.0/a\u0007b"]`, "12:10", `has a control character`},
		{"exclude", `exclude = ["*.md"]`, `exclude = ["*.md", "../*"]`, "9:20", `exclude pattern "../*", which is not valid: it leaves its folder`},
		{"exclude glob", `exclude = ["*.md"]`, `exclude = ["[a"]`, "9:12", `not a valid glob`},
		{"crate dir", `dir = "foo"`, `dir = "../../foo"`, "22:1", `package[0].dir "../../foo", which is not a folder below its dest`},
		{"crate dir other", `dir = "foo"`, `dir = "Cargo.lock"`, "22:1", `which is not the folder of crate foo 1.2.0 ("foo" or "foo-1.2.0")`},
		{"crate dir nested", `dir = "foo"`, `dir = "foo/bar"`, "22:1", `is not a plain file name`},
		{"crate name", `name = "foo"`, `name = "../foo"`, "19:1", `crate name "../foo"`},
		{"patch name", `name = "0001-fix.patch"`, `name = "../../x.patch"`, "26:1", `patch[0].name "../../x.patch", which is not a file name in the patch queue`},
		{"patch name not .patch", `name = "0001-fix.patch"`, `name = "rvendor.toml"`, "26:1", `which is not a .patch file`},
		{"patch files", `files = ["foo/src/lib.rs"]`, `files = ["foo/src/lib.rs", "../../Makefile"]`, "28:28", `patch[0].files[1] "../../Makefile", which is not a clean path inside its dest`},
		{"name", `name = "demo"`, `name = "../demo"`, "4:1", `has name "../demo", which is not a component name`},
		{"sum", `files = 1`, "files = 1\nsum = \"h1:x\"", "16:1", `has sum "h1:x", which is not an s1: hash`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(lockWith(""), tc.old, tc.new, 1)
			if src == lockWith("") {
				t.Fatalf("%q is not in the lock", tc.old)
			}
			_, err := vendorspec.ParseLock("rvendor.lock", []byte(src))
			var e *vendorspec.Error
			if !errors.As(err, &e) {
				t.Fatalf("got %v, want a *vendorspec.Error", err)
			}
			if !strings.Contains(e.Msg, tc.msg) {
				t.Errorf("message %q does not contain %q", e.Msg, tc.msg)
			}
			if got := e.Pos.String(); got != "rvendor.lock:"+tc.pos {
				t.Errorf("reported at %s, want rvendor.lock:%s", got, tc.pos)
			}
			if !strings.Contains(e.Hint, "restore it from version control") {
				t.Errorf("hint %q does not say to restore the lock", e.Hint)
			}
		})
	}
}

// TestLockCrateDirWithVersion: a crate vendored in two versions has the
// folder name-version.
func TestLockCrateDirWithVersion(t *testing.T) {
	src := strings.Replace(lockWith(""), `dir = "foo"`, `dir = "foo-1.2.0"`, 1)
	if _, err := vendorspec.ParseLock("rvendor.lock", []byte(src)); err != nil {
		t.Error(err)
	}
}

// TestSumRefusesHostilePaths: rvendor.sum's paths are refused at parse
// time, at file:line:col, instead of verify reporting "../../x" as a
// deleted "../x" (issue #9 defect 7).
func TestSumRefusesHostilePaths(t *testing.T) {
	h := strings.Repeat("a", 64)
	for _, tc := range []struct{ name, line, pos, msg string }{
		{"dotdot", "demo 0644 3 " + h + " ../../x", "2:78", `path "../../x", which is not a clean path inside its dest: it leaves its folder`},
		{"inner dotdot", "demo 0644 3 " + h + " a/../../x", "2:78", `leaves its folder`},
		{"absolute", "demo 0644 3 " + h + " /etc/passwd", "2:78", `it is absolute`},
		{"empty element", "demo 0644 3 " + h + " a//b", "2:78", `is not clean`},
		{"dot element", "demo 0644 3 " + h + " ./a", "2:78", `is not clean`},
		{"backslash", "demo 0644 3 " + h + ` a\b`, "2:78", `has a backslash`},
		{"control", "demo 0644 3 " + h + " a\x1bb", "2:78", `has a control character`},
		{"c1 control", "demo 0644 3 " + h + " a\u0085b", "2:78", `has a control character`},
		{"not utf-8", "demo 0644 3 " + h + " a\xffb", "2:78", `is not valid UTF-8`},
		{"pristine", "demo upstream 0644 3 " + h + " ../x", "2:87", `path "../x"`},
		{"pristine added", "demo upstream - - - ../x", "2:21", `path "../x"`},
		{"name", "../demo 0644 3 " + h + " a", "2:1", `component name "../demo" is not valid`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := vendorspec.ParseSum("rvendor.sum", []byte("# header\n"+tc.line+"\n"))
			var e *vendorspec.Error
			if !errors.As(err, &e) {
				t.Fatalf("got %v, want a *vendorspec.Error", err)
			}
			if !strings.Contains(e.Msg, tc.msg) || !strings.HasPrefix(e.Msg, "security error: ") {
				t.Errorf("message %q does not contain %q", e.Msg, tc.msg)
			}
			if got := e.Pos.String(); got != "rvendor.sum:"+tc.pos {
				t.Errorf("reported at %s, want rvendor.sum:%s", got, tc.pos)
			}
			if e.Hint != "rvendor.sum is written by rvendor: restore it from version control" {
				t.Errorf("hint %q", e.Hint)
			}
		})
	}
}

// TestSumAcceptsWhatExtractWrites: the sum's path rule is the one
// fetch.Extract applies to entry names, so every name rvendor vendors
// reads back: spaces, colons, dot files, non-ASCII.
func TestSumAcceptsWhatExtractWrites(t *testing.T) {
	h := strings.Repeat("a", 64)
	var b strings.Builder
	names := []string{"a:b", "c:", "with space.rs", ".cargo-ok", "src/é.rs", "..a", "a..", "x/.git-blame-ignore-revs"}
	for _, n := range names {
		b.WriteString("demo 0644 3 " + h + " " + n + "\n")
	}
	s, err := vendorspec.ParseSum("rvendor.sum", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Files["demo"]) != len(names) {
		t.Errorf("read %d files, want %d", len(s.Files["demo"]), len(names))
	}
}

// TestSpecPathRules: the spec's paths go through the same checker as the
// lock's and the sum's.
func TestSpecPathRules(t *testing.T) {
	comp := "version = 1\n[[component]]\nname = \"c\"\nkind = \"rust-src\"\nversion = \"1.78.0\"\npaths = [\"library/core\"]\ndest = \"d\"\n"
	for _, tc := range []struct{ name, old, new, pos, msg string }{
		{"dest backslash", `dest = "d"`, `dest = 'a\b'`, "7:1", `dest "a\\b" has a backslash`},
		{"dest drive", `dest = "d"`, `dest = "c:/x"`, "7:1", `is absolute`},
		{"dest control", `dest = "d"`, `dest = "a\tb"`, "7:1", `has a control character`},
		{"dest reserved", `dest = "d"`, `dest = "rvendor.lock"`, "7:1", `is one of rvendor's own files`},
		{"paths dotdot", `["library/core"]`, `["library/../x"]`, "6:10", `paths "library/../x" leaves its folder`},
		{"root", `dest = "d"`, "dest = \"d\"\nroot = \"/library\"", "8:1", `root "/library" is absolute`},
		{"exclude dotdot", `dest = "d"`, "dest = \"d\"\nexclude = [\"library/../../*\"]", "8:12", `exclude pattern "library/../../*" is not valid: it leaves its folder`},
		{"exclude unclean", `dest = "d"`, "dest = \"d\"\nexclude = [\"tests//x\"]", "8:12", `is not clean`},
		{"exclude root", `dest = "d"`, "dest = \"d\"\nexclude = [\"./\"]", "8:12", `is empty`},
		{"exclude absolute", `dest = "d"`, "dest = \"d\"\nexclude = [\"/x\"]", "8:12", `is absolute`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := vendorspec.Parse("rvendor.toml", []byte(strings.Replace(comp, tc.old, tc.new, 1)))
			var list vendorspec.ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("got %v, want an ErrorList", err)
			}
			for _, e := range list {
				if strings.Contains(e.Msg, tc.msg) {
					if got := e.Pos.String(); got != "rvendor.toml:"+tc.pos {
						t.Errorf("reported at %s, want rvendor.toml:%s", got, tc.pos)
					}
					if e.Hint == "" {
						t.Error("no hint")
					}
					return
				}
			}
			t.Errorf("no error containing %q in:\n%v", tc.msg, err)
		})
	}
}

// TestExcludeAsFetchReadsIt: a leading "./" and a trailing "/" are
// accepted in the spec and the lock, as fetch.Selection accepts them:
// a lock written from such a spec must read back.
func TestExcludeAsFetchReadsIt(t *testing.T) {
	excl := `exclude = ["./docs/", "tests/", "**/*.orig"]`
	spec := "version = 1\n[[component]]\nname = \"c\"\nkind = \"rust-src\"\nversion = \"1.78.0\"\npaths = [\"library/core\"]\ndest = \"d\"\n" + excl + "\n"
	if _, err := vendorspec.Parse("rvendor.toml", []byte(spec)); err != nil {
		t.Errorf("spec: %v", err)
	}
	lock := strings.Replace(lockWith(""), `exclude = ["*.md"]`, excl, 1)
	if _, err := vendorspec.ParseLock("rvendor.lock", []byte(lock)); err != nil {
		t.Errorf("lock: %v", err)
	}
}
