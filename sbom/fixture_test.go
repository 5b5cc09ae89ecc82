package sbom_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path"
	"path/filepath"
	"sort"
	"testing"

	"github.com/rvendor/rvendor/inventory"
	"github.com/rvendor/rvendor/policy/license/detect"
	"github.com/rvendor/rvendor/sbom"
	"github.com/rvendor/rvendor/tree"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

const mitText = `MIT License

Copyright (c) 2020 Jane Doe

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
`

const customText = "The Custom License\n\nCopyright 2021 Custom Corp\n\nYou may do anything but sell it.\n"

const patchText = `From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
From: K Dev <k@example.org>
Date: Thu, 1 Jan 1970 00:00:00 +0000
Subject: [PATCH] kernel: add try_push

---
 src/a.rs | 1 +
 1 file changed, 1 insertion(+)

diff --git a/src/a.rs b/src/a.rs
--- a/src/a.rs
+++ b/src/a.rs
@@ -1,2 +1,3 @@
 // SPDX-License-Identifier: MIT
 pub fn a() {}
+pub fn try_push() {}
`

// detector is shared by the tests: building its scanner takes a second.
var detector = detect.NewDetector()

// fixture is a small hand-built tree and its inventory:
//   - lib: an archive component (MIT), patched by one patch of its queue;
//   - rs: a rust-src component with a signer and no license file;
//   - tool: a crate component whose root crate "tool" has two crates,
//     dep (LicenseRef-Custom, with a license-file) and dep2 (no
//     declaration: its license is concluded from its LICENSE).
type fixture struct {
	root string
	in   sbom.Input
}

func hexSum(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// write puts files (path relative to dir -> content) into the tree and
// returns them as the sum records them, sorted.
func write(t *testing.T, root, dir string, files map[string]string) []tree.File {
	t.Helper()
	var out []tree.File
	for rel, content := range files {
		p := filepath.Join(root, filepath.FromSlash(path.Join(dir, rel)))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		out = append(out, tree.File{Path: rel, Mode: 0o644, Size: int64(len(content)), SHA256: sha256.Sum256([]byte(content))})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	root := filepath.Join(t.TempDir(), "kernel")
	libFiles := write(t, root, "vendor/lib", map[string]string{
		"LICENSE":  mitText,
		"src/a.rs": "// SPDX-License-Identifier: MIT\npub fn a() {}\npub fn try_push() {}\n",
		"src/b.rs": "pub fn b() {}\n",
		"data.bin": "\x00\x01\x02",
		"src/c.rs": "// SPDX-License-Identifier: LicenseRef-Other\npub fn c() {}\n",
	})
	write(t, root, "patches/lib", map[string]string{"0001-kernel-add-try_push.patch": patchText})
	lib := &vendorspec.LockedComponent{Name: "lib", Kind: vendorspec.KindArchive, Version: "1.0.0",
		URL: "https://example.org/lib-1.0.0.tar.gz", SHA256: hexSum("lib archive"), Dest: "vendor/lib",
		License: "MIT", Upstream: "h1:upstream=", Tree: "h1:tree=",
		Patches: []vendorspec.LockedPatch{{Name: "0001-kernel-add-try_push.patch", SHA256: hexSum(patchText), Files: []string{"src/a.rs"}}}}
	rsFiles := write(t, root, "rust/library", map[string]string{"core/src/lib.rs": "//! core\n"})
	rs := &vendorspec.LockedComponent{Name: "rs", Kind: vendorspec.KindRustSrc, Version: "1.63.0",
		URL: "https://static.rust-lang.org/dist/rust-src-1.63.0.tar.gz", SHA256: hexSum("rust-src"), Dest: "rust/library",
		License: "MIT OR Apache-2.0", Signer: "85AB96E6FA1BE5FE", Manifest: "https://static.rust-lang.org/dist/channel-rust-1.63.0.toml",
		ManifestSHA256: hexSum("manifest"), Paths: []string{"library/core"}, Upstream: "h1:rs="}
	toolFiles := write(t, root, "tools/vendor/tool", map[string]string{"Cargo.toml": "[package]\nname = \"tool\"\nlicense = \"BSD-3-Clause\"\n", "src/main.rs": "fn main() {}\n"})
	depFiles := write(t, root, "tools/vendor/dep", map[string]string{"Cargo.toml": "[package]\nname = \"dep\"\nlicense = \"LicenseRef-Custom\"\nlicense-file = \"LICENSE.custom\"\n", "LICENSE.custom": customText, "src/lib.rs": "\n"})
	dep2Files := write(t, root, "tools/vendor/dep2", map[string]string{"Cargo.toml": "[package]\nname = \"dep2\"\n", "LICENSE": mitText})
	tool := &vendorspec.LockedComponent{Name: "tool", Kind: vendorspec.KindCrate, Version: "2.0.0", Crate: "tool", Dest: "tools/vendor",
		Crates: []vendorspec.LockedCrate{
			{Name: "dep", Version: "0.1.0", Checksum: hexSum("dep crate"), Dir: "dep", Tree: "h1:dep="},
			{Name: "dep2", Version: "0.2.0", Checksum: hexSum("dep2 crate"), Dir: "dep2"},
			{Name: "tool", Version: "2.0.0", Checksum: hexSum("tool crate"), Dir: "tool"},
		}}
	crate := func(name, version, sum string, files []tree.File, declared, licenseFile string) *inventory.Package {
		return &inventory.Package{Component: "tool", Kind: vendorspec.KindCrate, Role: vendorspec.RoleHostTool, Name: name, Version: version,
			Crate: true, URL: "https://static.crates.io/crates/" + name + "/" + name + "-" + version + ".crate", SHA256: sum,
			Declared: declared, DeclaredIn: "tools/vendor/" + name + "/Cargo.toml", LicenseFile: licenseFile,
			Dir: "tools/vendor/" + name, Files: files, Locked: tool}
	}
	inv := &inventory.Inventory{Root: root, Packages: []*inventory.Package{
		{Component: "lib", Kind: vendorspec.KindArchive, Role: vendorspec.RoleBuiltIn, Name: "lib", Version: "1.0.0",
			URL: lib.URL, SHA256: lib.SHA256, Declared: "MIT", DeclaredIn: vendorspec.SpecName, Dir: "vendor/lib", Files: libFiles, Locked: lib},
		{Component: "rs", Kind: vendorspec.KindRustSrc, Role: vendorspec.RoleBuiltIn, Name: "rs", Version: "1.63.0",
			URL: rs.URL, SHA256: rs.SHA256, Signer: rs.Signer, Declared: rs.License, DeclaredIn: vendorspec.SpecName,
			Dir: "rust/library", Files: rsFiles, Locked: rs},
		crate("dep", "0.1.0", tool.Crates[0].Checksum, depFiles, "LicenseRef-Custom", "LICENSE.custom"),
		crate("dep2", "0.2.0", tool.Crates[1].Checksum, dep2Files, "", ""),
		crate("tool", "2.0.0", tool.Crates[2].Checksum, toolFiles, "BSD-3-Clause", ""),
	}}
	return &fixture{root: root, in: sbom.Input{Inventory: inv, PatchDirs: map[string]string{"lib": "patches/lib"}, Detector: detector}}
}

// source collects the fixture's Source, with or without files.
func (f *fixture) source(t *testing.T, files bool) *sbom.Source {
	t.Helper()
	in := f.in
	in.Files = files
	s, err := sbom.Collect(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// marshal renders s with the fixed options of the tests.
func marshal(t *testing.T, s *sbom.Source, format, version string) []byte {
	t.Helper()
	data, err := sbom.Marshal(s, sbom.Options{Format: format, SpecVersion: version, ToolVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return data
}
