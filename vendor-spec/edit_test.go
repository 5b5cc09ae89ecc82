package vendorspec_test

import (
	"errors"
	"strings"
	"testing"

	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

// commented is a spec with comments, odd spacing and two components
// that share the version text "1.78.0" (the second also in a comment and
// in its name's neighbourhood).
const commented = `# The kernel's Rust library.
version = 1   # format

[toolchain]
rustc = "1.78.0"  # pinned

[[component]]
# core and alloc
name    = "rust-library"
kind    = "rust-src"
version = "1.78.0"   # bump with: rvendor update --to
paths = [
    "library/core",   # the core
    "library/alloc",
]
dest = "rust/vendor/library"

[[component]]
version = '1.78.0' # 1.78.0 again, literal, before the name
name = "rustc-library"
kind = "rustc-src"
paths = ["library/std"]
dest = "rust/vendor/std"
`

func editable(t *testing.T, src string) *vendorspec.SpecFile {
	t.Helper()
	f, err := vendorspec.ParseEditable("rvendor.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestSetComponentVersionKeepsBytes: only the value changes; comments,
// spacing and the other component's equal text are kept.
func TestSetComponentVersionKeepsBytes(t *testing.T) {
	f := editable(t, commented)
	if err := f.SetComponentVersion("rust-library", "1.80.0"); err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(commented, `version = "1.78.0"   # bump`, `version = "1.80.0"   # bump`, 1)
	if got := string(f.Bytes()); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	if v := f.Spec.Components[0].Version; v != "1.80.0" {
		t.Errorf("Spec says version %q after the edit", v)
	}
	if f.Spec.Toolchain.Rustc != "1.78.0" || f.Spec.Components[1].Version != "1.78.0" {
		t.Error("another 1.78.0 changed")
	}
}

// TestSetComponentVersionRightComponent: the component is found by its
// name value, wherever name is written in its table, not by text.
func TestSetComponentVersionRightComponent(t *testing.T) {
	f := editable(t, commented)
	if err := f.SetComponentVersion("rustc-library", "nightly-2024-05-01"); err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(commented, `version = '1.78.0' # 1.78.0 again`, `version = 'nightly-2024-05-01' # 1.78.0 again`, 1)
	if got := string(f.Bytes()); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	if f.Spec.Components[0].Version != "1.78.0" || f.Spec.Components[1].Version != "nightly-2024-05-01" {
		t.Errorf("versions %q, %q", f.Spec.Components[0].Version, f.Spec.Components[1].Version)
	}
	var e *vendorspec.Error
	if err := f.SetComponentVersion("nope", "1.80.0"); !errors.As(err, &e) || !strings.Contains(e.Msg, `no component is named "nope"`) {
		t.Errorf("unknown component: %v", err)
	}
}

// TestSetComponentVersionQuotes: a literal string stays literal, unless
// the value cannot be written so; a basic string with escapes becomes a
// plain basic string.
func TestSetComponentVersionQuotes(t *testing.T) {
	src := "version = 1\n[[component]]\nname = \"a\"\nkind = \"archive\"\nversion = '1.0'\nurl = \"https://x/a.tar.gz\"\nsha256 = \"" +
		strings.Repeat("a", 64) + "\"\ndest = \"d\"\n[[component]]\nname = \"b\"\nkind = \"archive\"\nversion = \"1.\\u0030\"\nurl = \"https://x/b.tar.gz\"\nsha256 = \"" +
		strings.Repeat("b", 64) + "\"\ndest = \"e\"\n"
	f := editable(t, src)
	if err := f.SetComponentVersion("a", "2.0"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(f.Bytes()), "version = '2.0'\n") {
		t.Errorf("literal string not kept:\n%s", f.Bytes())
	}
	if err := f.SetComponentVersion("a", "it's-2"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(f.Bytes()), "version = \"it's-2\"\n") || f.Spec.Components[0].Version != "it's-2" {
		t.Errorf("a value with a quote:\n%s", f.Bytes())
	}
	if err := f.SetComponentVersion("b", "1.1"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(f.Bytes()), "version = \"1.1\"\nurl = \"https://x/b.tar.gz\"") {
		t.Errorf("escaped basic string:\n%s", f.Bytes())
	}
}

// TestSetComponentVersionCRLF: a file with CRLF line ends keeps them.
func TestSetComponentVersionCRLF(t *testing.T) {
	src := strings.ReplaceAll(commented, "\n", "\r\n")
	f := editable(t, src)
	if err := f.SetComponentVersion("rust-library", "1.80.0"); err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(src, `version = "1.78.0"   # bump`, `version = "1.80.0"   # bump`, 1)
	if got := string(f.Bytes()); got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

// TestSetComponentVersionRefuses: multi-line strings and non-string
// values are not edited, nor is a version that does not validate; the
// file is then left as it was.
func TestSetComponentVersionRefuses(t *testing.T) {
	multi := strings.Replace(commented, `version = "1.78.0"   # bump with: rvendor update --to`, "version = \"\"\"1.78.0\"\"\"", 1)
	f := editable(t, multi)
	err := f.SetComponentVersion("rust-library", "1.80.0")
	var e *vendorspec.Error
	if !errors.As(err, &e) || !strings.Contains(e.Msg, "version is a multi-line string") || e.Pos.Line != 11 {
		t.Errorf("multi-line string: %v", err)
	}
	multiLit := strings.Replace(commented, `version = '1.78.0'`, "version = '''1.78.0'''", 1)
	f = editable(t, multiLit)
	if err := f.SetComponentVersion("rustc-library", "1.80.0"); err == nil || !strings.Contains(err.Error(), "multi-line") {
		t.Errorf("multi-line literal string: %v", err)
	}

	f = editable(t, commented)
	err = f.SetComponentString("rust-library", "paths", "library")
	if !errors.As(err, &e) || !strings.Contains(e.Msg, "paths is an array, not a string") || e.Pos.Line != 12 {
		t.Errorf("array: %v", err)
	}
	if err := f.SetComponentString("rust-library", "license", "MIT"); err == nil || !strings.Contains(err.Error(), "license is not written") {
		t.Errorf("absent key: %v", err)
	}
	err = f.SetComponentVersion("rust-library", ">= 1.80")
	var list vendorspec.ErrorList
	if !errors.As(err, &list) || !strings.Contains(err.Error(), `version ">= 1.80" is a range`) {
		t.Errorf("range: %v", err)
	}
	if string(f.Bytes()) != commented || f.Spec.Components[0].Version != "1.78.0" {
		t.Error("a refused edit changed the file")
	}
}

// TestParseEditableRefusesInlineForms: a version written as an array or
// an inline table is refused when the spec is read, at its place, so no
// edit ever sees one.
func TestParseEditableRefusesInlineForms(t *testing.T) {
	for name, val := range map[string]string{
		"array":        `["1.78.0"]`,
		"inline table": `{ v = "1.78.0" }`,
		"integer":      `178`,
	} {
		src := strings.Replace(commented, `"1.78.0"   # bump with: rvendor update --to`, val, 1)
		_, err := vendorspec.ParseEditable("rvendor.toml", []byte(src))
		if err == nil || !strings.Contains(err.Error(), "rvendor.toml:11:1: version must be a string") {
			t.Errorf("%s: %v", name, err)
		}
	}
	// An inline [toolchain] table is valid and stays as written.
	src := strings.Replace(commented, "[toolchain]\nrustc = \"1.78.0\"  # pinned\n", "toolchain = { rustc = \"1.78.0\" }\n", 1)
	f := editable(t, src)
	if err := f.SetComponentVersion("rust-library", "1.80.0"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(f.Bytes()), "toolchain = { rustc = \"1.78.0\" }\n") {
		t.Errorf("inline table changed:\n%s", f.Bytes())
	}
}

// TestAddComponent: a table is appended after the kept bytes, in the
// documented layout, and the result is validated.
func TestAddComponent(t *testing.T) {
	c := &vendorspec.Component{Name: "alloc", Kind: "rust-src", Version: "1.62.0", Root: "library",
		Paths: []string{"library/alloc/src", "library/alloc/Cargo.toml"}, Dest: "rust/alloc",
		License: "MIT OR Apache-2.0", Patches: "rvendor/patches/alloc"}
	f := editable(t, commented)
	if err := f.AddComponent(c, "Adopted by rvendor adopt: the differences from upstream are the patch queue."); err != nil {
		t.Fatal(err)
	}
	want := commented + `
# Adopted by rvendor adopt: the differences from upstream are the patch queue.
[[component]]
name = "alloc"
kind = "rust-src"
version = "1.62.0"
root = "library"
paths = [
  "library/alloc/Cargo.toml",
  "library/alloc/src",
]
dest = "rust/alloc"
license = "MIT OR Apache-2.0"
patches = "rvendor/patches/alloc"
`
	if got := string(f.Bytes()); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	last := f.Spec.Components[len(f.Spec.Components)-1]
	if last.Name != "alloc" || last.Paths[0] != "library/alloc/Cargo.toml" {
		t.Errorf("parsed back %+v", last)
	}

	// One path on one line; no trailing newline, CRLF line ends and a
	// BOM are kept; no comment line without a comment.
	src := bom + strings.ReplaceAll(strings.TrimSuffix(commented, "\n"), "\n", "\r\n")
	f = editable(t, src)
	c.Paths, c.License, c.Patches = []string{"library/alloc"}, "", ""
	if err := f.AddComponent(c, ""); err != nil {
		t.Fatal(err)
	}
	tail := "\r\n\r\n[[component]]\r\nname = \"alloc\"\r\nkind = \"rust-src\"\r\nversion = \"1.62.0\"\r\nroot = \"library\"\r\npaths = [\"library/alloc\"]\r\ndest = \"rust/alloc\"\r\n"
	if got := string(f.Bytes()); got != src+tail {
		t.Errorf("got %q\nwant %q", got, src+tail)
	}

	// A second component of the same name, or one whose dest overlaps,
	// does not validate, and the file stays as it was.
	before := string(f.Bytes())
	err := f.AddComponent(c, "again")
	if err == nil || !strings.Contains(err.Error(), `component name "alloc" is already used`) {
		t.Errorf("duplicate: %v", err)
	}
	c2 := *c
	c2.Name, c2.Dest = "alloc2", "rust/alloc/inner"
	if err := f.AddComponent(&c2, ""); err == nil || !strings.Contains(err.Error(), "overlaps") {
		t.Errorf("overlapping dest: %v", err)
	}
	if string(f.Bytes()) != before {
		t.Error("a refused AddComponent changed the file")
	}
	if err := f.AddComponent(&c2, "bad\x00comment"); err == nil {
		t.Error("a comment with a NUL was accepted")
	}
}

// TestAddComponentToMinimalSpec: adopt's case, a spec with no component.
func TestAddComponentToMinimalSpec(t *testing.T) {
	f := editable(t, "version = 1\n")
	c := &vendorspec.Component{Name: "demo", Kind: "archive", Version: "1.2.0", URL: "https://example.org/demo-1.2.0.tar.gz",
		SHA256: strings.Repeat("a", 64), Paths: []string{"demo-1.2.0/src"}, Exclude: []string{"*.md", "**/tests"}, Dest: "third_party/demo"}
	if err := f.AddComponent(c, "two\nlines"); err != nil {
		t.Fatal(err)
	}
	want := `version = 1

# two
# lines
[[component]]
name = "demo"
kind = "archive"
version = "1.2.0"
url = "https://example.org/demo-1.2.0.tar.gz"
sha256 = "` + strings.Repeat("a", 64) + `"
paths = ["demo-1.2.0/src"]
exclude = [
  "*.md",
  "**/tests",
]
dest = "third_party/demo"
`
	if got := string(f.Bytes()); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}
