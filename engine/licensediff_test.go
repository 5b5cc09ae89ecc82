package engine

import (
	"crypto/sha256"
	"strings"
	"testing"

	"github.com/rvendor/rvendor/tree"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

// TestLicenseDiff: an update that changes a version lists every crate
// added, removed or relicensed and every license file added, removed or
// changed; one that keeps the version lists nothing.
func TestLicenseDiff(t *testing.T) {
	file := func(p, text string) tree.File { return tree.File{Path: p, SHA256: sha256.Sum256([]byte(text))} }
	old := &vendorspec.LockedComponent{Name: "b", Kind: "crate", Version: "1", License: "MIT", Crates: []vendorspec.LockedCrate{
		{Name: "a", Version: "1.0.0", License: "MIT"}, {Name: "gone", Version: "0.1.0", License: "ISC"}, {Name: "same", Version: "2.0.0", License: "Zlib"}}}
	nw := &vendorspec.LockedComponent{Name: "b", Kind: "crate", Version: "2", License: "MIT OR Apache-2.0", Crates: []vendorspec.LockedCrate{
		{Name: "a", Version: "1.1.0", License: "MIT OR Apache-2.0"}, {Name: "new", Version: "0.2.0", License: ""}, {Name: "same", Version: "2.0.1", License: "Zlib"}}}
	oldFiles := []tree.File{file("a/LICENSE", "x"), file("gone/COPYING", "y"), file("same/LICENSE-ZLIB", "z"), file("a/src/lib.rs", "1")}
	newFiles := []tree.File{file("a/LICENSE", "x2"), file("new/LICENSE-MIT", "m"), file("same/LICENSE-ZLIB", "z"), file("a/src/lib.rs", "2")}
	var got []string
	for _, c := range licenseDiff(old, nw, oldFiles, newFiles) {
		got = append(got, c.String())
	}
	want := []string{
		"crate a 1.0.0 -> 1.1.0: MIT -> MIT OR Apache-2.0",
		"crate gone 0.1.0 removed (was ISC)",
		"crate new 0.2.0 added: (none declared)",
		"license b: MIT -> MIT OR Apache-2.0",
	}
	text := strings.Join(got, "\n")
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("missing %q in:\n%s", w, text)
		}
	}
	for _, w := range []string{"license file a/LICENSE: sha256", "license file gone/COPYING removed", "license file new/LICENSE-MIT added"} {
		if !strings.Contains(text, w) {
			t.Errorf("missing %q in:\n%s", w, text)
		}
	}
	if strings.Contains(text, "same") || strings.Contains(text, "lib.rs") {
		t.Errorf("unchanged crates or source files listed:\n%s", text)
	}
	if d := licenseDiff(old, old, oldFiles, oldFiles); len(d) != 0 {
		t.Errorf("nothing changed: %v", d)
	}
	// The legacy slash form of the same license is no change.
	slash := *old
	slash.License = "MIT"
	slash.Crates = []vendorspec.LockedCrate{{Name: "a", Version: "1.0.0", License: "MIT/Apache-2.0"}}
	re := slash
	re.Crates = []vendorspec.LockedCrate{{Name: "a", Version: "1.0.1", License: "Apache-2.0 OR MIT"}}
	if d := licenseDiff(&slash, &re, nil, nil); len(d) != 0 {
		t.Errorf("equivalent licenses reported as changed: %v", d)
	}
	// A name that could forge a line is quoted.
	evil := LicenseChange{What: "crate", Name: "x 1.0\nrvendor: all clear", New: "MIT"}
	if strings.Contains(evil.String(), "\n") {
		t.Errorf("unquoted: %q", evil.String())
	}
}
