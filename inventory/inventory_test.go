package inventory_test

import (
	"crypto/sha256"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rvendor/rvendor/inventory"
	"github.com/rvendor/rvendor/tree"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

func file(p, s string) tree.File {
	return tree.File{Path: p, Mode: 0o644, Size: int64(len(s)), SHA256: sha256.Sum256([]byte(s))}
}

// TestLoadCrates: a crate component becomes one package per crate, with
// the crate's files, its Cargo.toml license and license-file (read and
// checked against the sum), its purl; a component, one package with the
// spec's license. A Cargo.toml edited since the update is drift.
func TestLoadCrates(t *testing.T) {
	root := t.TempDir()
	toml := "[package]\nname = \"a\"\nversion = \"1.0.0\"\nlicense-file = \"LICENSE.txt\"\n"
	files := map[string]string{
		"v/cargo-config.toml":  "x",
		"v/a/Cargo.toml":       toml,
		"v/a/LICENSE.txt":      "custom",
		"v/b-2.0.0/Cargo.toml": "[package]\nname = \"b\"\nlicense = \"MIT/Apache-2.0\"\n",
	}
	var sumFiles []tree.File
	for p, s := range files {
		if err := os.MkdirAll(filepath.Join(root, filepath.Dir(p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, p), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		sumFiles = append(sumFiles, file(strings.TrimPrefix(p, "v/"), s))
	}
	spec := &vendorspec.Spec{Dir: root, Components: []*vendorspec.Component{{Name: "c", Kind: vendorspec.KindCrate, Role: vendorspec.RoleHostTool}}}
	lock := &vendorspec.Lock{Components: []*vendorspec.LockedComponent{{Name: "c", Kind: vendorspec.KindCrate, Version: "1.0.0", Dest: "v",
		Crates: []vendorspec.LockedCrate{{Name: "a", Version: "1.0.0", Dir: "a"}, {Name: "b", Version: "2.0.0", Dir: "b-2.0.0", License: "MIT"}}}}}
	sum := &vendorspec.Sum{Files: map[string][]tree.File{"c": sumFiles}}
	inv, err := inventory.Load(spec, lock, sum, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Packages) != 2 {
		t.Fatalf("%d packages", len(inv.Packages))
	}
	a, b := inv.Packages[0], inv.Packages[1]
	if a.Name != "a" || a.LicenseFile != "LICENSE.txt" || a.Declared != "" || len(a.Files) != 2 || a.Dir != "v/a" || a.Role != vendorspec.RoleHostTool || a.PURL() != "pkg:cargo/a@1.0.0" {
		t.Errorf("a: %+v", a)
	}
	if b.Declared != "MIT/Apache-2.0" || b.DeclaredIn != "v/b-2.0.0/Cargo.toml" || b.ID() != "c/b@2.0.0" {
		t.Errorf("b: %+v", b)
	}
	if err := os.WriteFile(filepath.Join(root, "v/a/Cargo.toml"), []byte(toml+"license = \"MIT\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var de *inventory.DriftError
	if _, err := inventory.Load(spec, lock, sum, nil); !errors.As(err, &de) {
		t.Errorf("an edited Cargo.toml: %v", err)
	}
	// A link in place of a listed file is refused, not followed.
	os.Remove(filepath.Join(root, "v/a/LICENSE.txt"))
	if err := os.Symlink("/etc/passwd", filepath.Join(root, "v/a/LICENSE.txt")); err != nil {
		t.Fatal(err)
	}
	if _, err := inventory.ReadFile(root, a, "LICENSE.txt", 1<<20); err == nil {
		t.Errorf("a symlinked license file is read")
	}
}
