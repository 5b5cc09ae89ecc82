package notice_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/rvendor/rvendor/inventory"
	"github.com/rvendor/rvendor/notice"
	"github.com/rvendor/rvendor/policy/audit"
	"github.com/rvendor/rvendor/tree"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
	"github.com/rvendor/rvendor/verify"
)

func TestCopyrights(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Copyright (c) 2015 Andrew Gallant\n", "Copyright (c) 2015 Andrew Gallant"},
		{"  // Copyright 2019 The Rust Project Developers.  \n", "Copyright 2019 The Rust Project Developers."},
		{"# Copyright © 2015, Simonas Kazlauskas\n", "Copyright © 2015, Simonas Kazlauskas"},
		{"(C) Copyright 2016 Jethro G. Beekman\n", "(C) Copyright 2016 Jethro G. Beekman"},
		{"(c) 2014 Jane Doe\n", "(c) 2014 Jane Doe"},
		{"Original work Copyright (c) 2014 The Rust Project Developers\n", "Original work Copyright (c) 2014 The Rust Project Developers"},
		{"Portions Copyright 2010 Mozilla\n", "Portions Copyright 2010 Mozilla"},
		{"copyright (c) 2020 lower case\n", "copyright (c) 2020 lower case"},
		{"Copyright \xa9 1999 Latin One\n", "Copyright © 1999 Latin One"},
		{"/* Copyright 2001 In A Comment */\n", "Copyright 2001 In A Comment"},
		{"Copyright 2020 A\x1b[31m B\u202e C\n", "Copyright 2020 A[31m B C"},
		// Not notices: sentences about copyright, templates, list items.
		{"The above copyright notice and this permission notice shall be included\n", ""},
		{"copyright notice that is included in or attached to the work\n", ""},
		{"COPYRIGHT HOLDERS AND CONTRIBUTORS \"AS IS\" AND ANY EXPRESS\n", ""},
		{"Copyright [yyyy] [name of copyright owner]\n", ""},
		{"Copyright (C) <year>  <name of author>\n", ""},
		{"Copyright (c) <year> <copyright holders>\n", ""},
		{"(c) You must retain, in the Source form of any Derivative Works\n", ""},
		{"that You distribute, all copyright, patent, trademark, and\n", ""},
		{"Copyright\n", ""},
		{"Copyright and related rights are waived\n", ""},
	} {
		got := strings.Join(notice.Copyrights([]byte(tc.in)), "|")
		if got != tc.want {
			t.Errorf("Copyrights(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	long := "Copyright 2020 " + strings.Repeat("é", 400)
	if got := notice.Copyrights([]byte(long)); len(got) != 1 || len(got[0]) > notice.MaxCopyrightLine+3 || !strings.HasSuffix(got[0], "...") {
		t.Errorf("a long line is not cut: %d bytes", len(got[0]))
	}
	two := "Copyright 2020 A\nCopyright 2020 A\nCopyright 2021 B\n"
	if got := notice.Copyrights([]byte(two)); !slices.Equal(got, []string{"Copyright 2020 A", "Copyright 2021 B"}) {
		t.Errorf("each line once: %q", got)
	}
}

func TestTextHash(t *testing.T) {
	a := notice.Body([]byte("\n\nPermission is granted\r\nto anyone.  \n\n"))
	b := notice.Body([]byte("Permission is\ngranted to anyone.\n"))
	c := notice.Body([]byte("Permission is granted to everyone.\n"))
	if a != "Permission is granted\nto anyone." {
		t.Errorf("Body: %q", a)
	}
	if notice.TextHash(a) != notice.TextHash(b) || notice.TextHash(a) == notice.TextHash(c) {
		t.Errorf("TextHash: white space must not count, words must")
	}
	if got := notice.Body([]byte("A\fB\x00C\u202eD")); got != "A\nBCD" {
		t.Errorf("Body sanitizes: %q", got)
	}
}

const mit = `Copyright (c) %s

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software, to deal in the Software without restriction.

The above copyright notice and this permission notice shall be included in
all copies or substantial portions of the Software.
`

type pkgSpec struct {
	name, role string
	stub       bool
	files      map[string]string // license files and others
	concluded  string
}

// build writes the packages into a tree and builds their notice, with a
// hand-made audit (license files, concluded license).
func build(t *testing.T, pkgs []pkgSpec) *notice.Notice {
	t.Helper()
	root := filepath.Join(t.TempDir(), "linux")
	inv := &inventory.Inventory{Root: root}
	rep := &audit.Report{}
	for _, ps := range pkgs {
		dir := "vendor/" + ps.name
		p := &inventory.Package{Component: "c", Kind: vendorspec.KindCrate, Role: ps.role, Name: ps.name, Version: "1.0.0",
			Crate: true, Stub: ps.stub, Dir: dir}
		ap := &audit.Package{ID: p.ID(), Concluded: ps.concluded}
		var names []string
		for n := range ps.files {
			names = append(names, n)
		}
		slices.Sort(names)
		for _, n := range names {
			data := []byte(ps.files[n])
			abs := filepath.Join(root, filepath.FromSlash(path.Join(dir, n)))
			if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(abs, data, 0o644); err != nil {
				t.Fatal(err)
			}
			p.Files = append(p.Files, tree.File{Path: n, Mode: 0o644, Size: int64(len(data)), SHA256: sha256.Sum256(data)})
			if strings.HasPrefix(n, "LICENSE") || strings.HasPrefix(n, "COPYING") {
				ap.Files = append(ap.Files, &audit.LicenseFile{Path: n, IDs: []string{"MIT"}})
			}
		}
		inv.Packages = append(inv.Packages, p)
		rep.Packages = append(rep.Packages, ap)
	}
	n, err := notice.Build(context.Background(), inv, rep)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestBuild: built-in packages are listed with their license, copyright
// lines and texts; each distinct text once (white space does not make
// a text distinct, a copyright line does); host tools and stubs are left
// out and named.
func TestBuild(t *testing.T) {
	n := build(t, []pkgSpec{
		{name: "a", role: vendorspec.RoleBuiltIn, concluded: "MIT", files: map[string]string{"LICENSE": strings.Replace(mit, "%s", "2015 Ann", 1), "src/lib.rs": "// Copyright 1999 Not A License File\n"}},
		{name: "b", role: vendorspec.RoleBuiltIn, concluded: "MIT", files: map[string]string{"LICENSE-MIT": strings.ReplaceAll(strings.Replace(mit, "%s", "2015 Ann", 1), "\n", "\r\n  ")}},
		{name: "c", role: vendorspec.RoleBuiltIn, concluded: "MIT", files: map[string]string{"LICENSE": strings.Replace(mit, "%s", "2016 Cy", 1), "COPYING": strings.Replace(mit, "%s", "2016 Cy", 1)}},
		{name: "d", role: vendorspec.RoleBuiltIn, concluded: "MIT"},
		{name: "tool", role: vendorspec.RoleHostTool, concluded: "MIT", files: map[string]string{"LICENSE": strings.Replace(mit, "%s", "2017 Tool", 1)}},
		{name: "stub", role: vendorspec.RoleBuiltIn, stub: true},
	})
	var ids []string
	for _, p := range n.Packages {
		ids = append(ids, p.ID)
	}
	if !slices.Equal(ids, []string{"c/a@1.0.0", "c/b@1.0.0", "c/c@1.0.0", "c/d@1.0.0"}) {
		t.Fatalf("packages %v", ids)
	}
	if len(n.Texts) != 2 {
		t.Fatalf("%d texts, want 2 (Ann's, once for a and b; Cy's, once for c's two files)", len(n.Texts))
	}
	a, b, c, d := n.Packages[0], n.Packages[1], n.Packages[2], n.Packages[3]
	if !slices.Equal(a.Texts, []int{1}) || !slices.Equal(b.Texts, []int{1}) || !slices.Equal(c.Texts, []int{2}) || len(d.Texts) != 0 {
		t.Errorf("text numbers: a %v b %v c %v d %v", a.Texts, b.Texts, c.Texts, d.Texts)
	}
	if !slices.Equal(a.Copyrights, []string{"Copyright (c) 2015 Ann"}) || !slices.Equal(c.Copyrights, []string{"Copyright (c) 2016 Cy"}) {
		t.Errorf("copyrights: a %q c %q (source files are not read)", a.Copyrights, c.Copyrights)
	}
	if t1 := n.Texts[0]; !slices.Equal(t1.Files, []string{"vendor/a/LICENSE", "vendor/b/LICENSE-MIT"}) || !slices.Equal(t1.Packages, []string{"c/a@1.0.0", "c/b@1.0.0"}) || !slices.Equal(t1.Licenses, []string{"MIT"}) {
		t.Errorf("text 1: %+v", t1)
	}
	if len(n.Left) != 2 || n.Left[0] != (notice.Left{ID: "c/tool@1.0.0", Reason: notice.LeftHostTool}) || n.Left[1].Reason != notice.LeftStub {
		t.Errorf("left out: %+v", n.Left)
	}
	if m := n.Missing(); len(m) != 1 || m[0].ID != "c/d@1.0.0" {
		t.Errorf("missing texts: %+v", m)
	}
	txt := string(n.Text())
	for _, want := range []string{"a 1.0.0 (crate of c)", "Copyright: Copyright (c) 2016 Cy", "Texts:     none vendored with it",
		"Left out (role host-tool", "  c/tool@1.0.0", "Left out (platform stubs", "[1] MIT", "  from vendor/b/LICENSE-MIT"} {
		if !strings.Contains(txt, want) {
			t.Errorf("the text notice lacks %q", want)
		}
	}
	if strings.Count(txt, "Permission is hereby granted") != 2 || strings.Contains(txt, "2017 Tool") {
		t.Errorf("the text notice holds each text once, and no host tool's:\n%s", txt)
	}
}

// TestHTML: one page, no scripts, nothing loaded from elsewhere, every
// value escaped.
func TestHTML(t *testing.T) {
	evil := "Copyright 2020 <script>alert(1)</script> Mallory\n\n<img src=https://evil.example/x.png>\n"
	n := build(t, []pkgSpec{
		{name: "a", role: vendorspec.RoleBuiltIn, concluded: "MIT", files: map[string]string{"LICENSE": evil}},
		{name: "tool", role: vendorspec.RoleHostTool},
	})
	page, err := n.HTML()
	if err != nil {
		t.Fatal(err)
	}
	// Every tag is rvendor's: no script, no source, links within the page.
	for _, tag := range regexp.MustCompile(`<[^>]*>`).FindAll(page, -1) {
		low := strings.ToLower(string(tag))
		if strings.HasPrefix(low, "<script") || strings.HasPrefix(low, "<img") || strings.Contains(low, "src=") ||
			strings.Contains(low, "href=") && !strings.Contains(low, `href="#`) {
			t.Errorf("the page has the tag %s", tag)
		}
	}
	for _, bad := range []string{"@import", "url("} {
		if bytes.Contains(page, []byte(bad)) {
			t.Errorf("the page's style loads %q", bad)
		}
	}
	for _, want := range []string{"Content-Security-Policy", "default-src 'none'", "&lt;script&gt;alert(1)&lt;/script&gt;", `id="text-1"`, `href="#text-1"`, "c/tool@1.0.0", "<style>"} {
		if !bytes.Contains(page, []byte(want)) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

// TestDrift: a license file that is not what the sum records is an
// error, never printed.
func TestDrift(t *testing.T) {
	root := t.TempDir()
	p := &inventory.Package{Component: "c", Name: "c", Version: "1", Role: vendorspec.RoleBuiltIn, Dir: "c",
		Files: []tree.File{{Path: "LICENSE", Size: 3, SHA256: sha256.Sum256([]byte("MIT"))}}}
	if err := os.MkdirAll(filepath.Join(root, "c"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "c", "LICENSE"), []byte("GPL"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := notice.Build(context.Background(), &inventory.Inventory{Root: root, Packages: []*inventory.Package{p}},
		&audit.Report{Packages: []*audit.Package{{Files: []*audit.LicenseFile{{Path: "LICENSE"}}}}})
	var de *inventory.DriftError
	if !errors.As(err, &de) {
		t.Errorf("a drifted license file: %v", err)
	}
}

// TestLoadChecksTheSum: the notice quotes vendored files, so a sum the
// lock does not seal (a license file's line rewritten with it) is refused
// before anything is read.
func TestLoadChecksTheSum(t *testing.T) {
	spec := &vendorspec.Spec{Dir: t.TempDir()}
	lock := &vendorspec.Lock{Version: 1, Components: []*vendorspec.LockedComponent{{Name: "c", Kind: vendorspec.KindArchive, Version: "1", Dest: "d", Files: 1, Tree: "h1:x", Upstream: "h1:x"}}}
	sum := &vendorspec.Sum{Files: map[string][]tree.File{}}
	var sm *verify.SumMismatchError
	if _, err := notice.Load(context.Background(), spec, lock, sum); !errors.As(err, &sm) {
		t.Errorf("a sum the lock does not seal: %v", err)
	}
}
