package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rvendor/rvendor/inventory"
	"github.com/rvendor/rvendor/tree"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

const mitText = `MIT License

Copyright (c) 2020 Someone

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

// pkgTree writes files into root/dir and returns the package holding
// them, with the hashes rvendor.sum would record.
func pkgTree(t *testing.T, root, dir, declared string, files map[string]string) *inventory.Package {
	t.Helper()
	p := &inventory.Package{Component: "c", Kind: vendorspec.KindArchive, Role: vendorspec.RoleBuiltIn, Name: "c", Version: "1",
		Declared: declared, DeclaredIn: "rvendor.toml", Dir: dir}
	for rel, text := range files {
		abs := filepath.Join(root, dir, rel)
		if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(abs, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		p.Files = append(p.Files, tree.File{Path: rel, Mode: 0o644, Size: int64(len(text)), SHA256: sha256.Sum256([]byte(text))})
	}
	sortFiles(p.Files)
	return p
}

func sortFiles(fs []tree.File) {
	for i := range fs {
		for j := i + 1; j < len(fs); j++ {
			if fs[j].Path < fs[i].Path {
				fs[i], fs[j] = fs[j], fs[i]
			}
		}
	}
}

func hexOf(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }

// TestLicensesAudit: detection at any depth, missing and undeclared
// licenses, tags by the kernel's rule, a clarification that applies, one
// that is stale (an error, not a fallback), and an edited file reported
// as drift rather than audited.
func TestLicensesAudit(t *testing.T) {
	root := t.TempDir()
	custom := "Do what you like with this file, says its author.\n"
	p := pkgTree(t, root, "v/c", "MIT OR Apache-2.0", map[string]string{
		"LICENSE-MIT":      mitText,
		"sub/LICENSE":      custom,
		"sub/COPYING":      custom + "v2\n",
		"src/lib.rs":       "// SPDX-License-Identifier: MIT OR Apache-2.0\nfn f() {}\n",
		"src/other.rs":     "fn g() {}\n",
		"src/gpl.c":        "// SPDX-License-Identifier: GPL-2.0\nint x;\n",
		"src/shebang.py":   "#!/usr/bin/python3\n# SPDX-License-Identifier: MIT OR Apache-2.0\n",
		"README.md":        "hello\n",
		"src/license.rs":   "fn license() {}\n",
		"LICENSE-APACHE.d": "",
	})
	clar := []*vendorspec.Clarification{
		{Component: "c", Path: "sub/LICENSE", SHA256: hexOf(custom), License: "MIT", Reason: "the author's permission, read by hand"},
		{Component: "c", Path: "sub/COPYING", SHA256: hexOf("old"), License: "MIT", Reason: "stale"},
		{Component: "c", Path: "nosuch", SHA256: hexOf("x"), License: "MIT", Reason: "unused"},
	}
	inv := &inventory.Inventory{Root: root, Packages: []*inventory.Package{p}}
	rep, err := Licenses(context.Background(), inv, Options{Clarifications: clar, Files: true})
	if err != nil {
		t.Fatal(err)
	}
	a := rep.Packages[0]
	if a.Concluded != "MIT OR Apache-2.0" || a.ConcludedFrom != "declared" {
		t.Errorf("concluded %q from %q", a.Concluded, a.ConcludedFrom)
	}
	byPath := map[string]*LicenseFile{}
	for _, f := range a.Files {
		byPath[f.Path] = f
	}
	if f := byPath["LICENSE-MIT"]; f == nil || strings.Join(f.IDs, ",") != "MIT" || f.Coverage < 90 {
		t.Errorf("LICENSE-MIT: %+v", f)
	}
	if f := byPath["sub/LICENSE"]; f == nil || f.Clarified != "MIT" || f.Reason == "" || f.Error != "" {
		t.Errorf("clarified sub/LICENSE: %+v", f)
	}
	if f := byPath["sub/COPYING"]; f == nil || !strings.HasPrefix(f.Error, "clarification is stale") {
		t.Errorf("stale clarification: %+v", f)
	}
	if _, ok := byPath["src/license.rs"]; ok {
		t.Errorf("a source file named license.rs is taken for a license file")
	}
	if strings.Join(a.Missing, ",") != "Apache-2.0" || len(a.Undeclared) != 0 {
		t.Errorf("missing %v, undeclared %v", a.Missing, a.Undeclared)
	}
	if strings.Join(rep.UnusedClarifications, ";") != "c: nosuch" {
		t.Errorf("unused clarifications %v", rep.UnusedClarifications)
	}
	tg := a.Tags
	if tg.Files != 5 || tg.Tagged != 3 || strings.Join(tg.Untagged, ",") != "src/license.rs,src/other.rs" {
		t.Errorf("tags %+v", tg)
	}
	if len(tg.Disagree) != 1 || tg.Disagree[0].Path != "src/gpl.c" {
		t.Errorf("disagreeing tags %+v", tg.Disagree)
	}
	// The stale clarification fails the policy, with its rule.
	pr, err := Check(rep, &vendorspec.Licenses{Rules: vendorspec.LicenseRules{Allow: []string{"MIT"}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if v := pr.Verdicts[0]; v.Result != Fail || v.Findings[0].Rule != RuleStale {
		t.Errorf("verdict %+v", v)
	}

	// An edited license file is drift: reported, never audited.
	if err := os.WriteFile(filepath.Join(root, "v/c/LICENSE-MIT"), []byte("All rights reserved.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err = Licenses(context.Background(), inv, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range rep.Packages[0].Files {
		if f.Path == "LICENSE-MIT" && (!strings.Contains(f.Error, "differs from rvendor.sum") || len(f.IDs) != 0) {
			t.Errorf("edited LICENSE-MIT: %+v", f)
		}
	}
}
