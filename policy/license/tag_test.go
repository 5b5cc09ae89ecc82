package license_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rvendor/rvendor/internal/realdata"
	"github.com/rvendor/rvendor/policy/license"
)

func TestCommentStyle(t *testing.T) {
	for name, want := range map[string]license.Style{
		"lib.rs": "//", "src/a/b.rs": "//", "x.c": "//", "board.dts": "//", "soc.dtsi": "//", "a.cocci": "//",
		"x.h": "/* */", "entry.S": "/* */", "vmlinux.lds": "/* */", "link.ld": "/* */", "vmlinux.lds.S": "/* */", "parse.y": "/* */",
		"build.sh": "#", "gen.py": "#", "x.pl": "#", "Makefile": "#", "Makefile.build": "#", "Kconfig": "#",
		"Kconfig.debug": "#", "Kbuild": "#", "Cargo.toml": "#", "ci.yml": "#", "ci.yaml": "#", "rules.mk": "#",
		".gitignore": "#", "dir/.gitignore": "#",
		"index.rst": "..", "init.lua": "--",
	} {
		got, ok := license.CommentStyle(name)
		if !ok || got != want {
			t.Errorf("CommentStyle(%q) = %q, %v; want %q", name, got, ok, want)
		}
	}
	for _, name := range []string{"README", "README.md", "LICENSE-MIT", "Cargo.lock", "data.json", "x.txt", "build", "a.S.txt", "x.s", "", "Makefile-x", ".cargo-checksum.json"} {
		if got, ok := license.CommentStyle(name); ok {
			t.Errorf("CommentStyle(%q) = %q, want unknown", name, got)
		}
	}
	for style, want := range map[license.Style]string{
		license.StyleLine:  "// SPDX-License-Identifier: MIT",
		license.StyleBlock: "/* SPDX-License-Identifier: MIT */",
		license.StyleHash:  "# SPDX-License-Identifier: MIT",
		license.StyleRST:   ".. SPDX-License-Identifier: MIT",
		license.StyleDash:  "-- SPDX-License-Identifier: MIT",
	} {
		if got := style.Line("MIT"); got != want {
			t.Errorf("Style(%q).Line = %q, want %q", style, got, want)
		}
	}
}

func TestFindTag(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		expr       string
		line       int // 0: FindTag finds nothing
		anyLine    int // FindAnyTag's line (0: none), Misplaced when != line
	}{
		{"a.rs", "// SPDX-License-Identifier: MIT OR Apache-2.0\nfn main() {}\n", "MIT OR Apache-2.0", 1, 1},
		{"a.h", "/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */\n", "GPL-2.0 WITH Linux-syscall-note", 1, 1},
		{"a.h", "/*   SPDX-License-Identifier:   MIT   */", "MIT", 1, 1},
		{"a.sh", "#!/bin/sh\n# SPDX-License-Identifier: GPL-2.0\necho\n", "GPL-2.0", 2, 2},
		{"a.py", "#! /usr/bin/env python3\n# SPDX-License-Identifier: GPL-2.0-only\n", "GPL-2.0-only", 2, 2},
		{"a.rst", ".. SPDX-License-Identifier: GPL-2.0\n\nTitle\n=====\n", "GPL-2.0", 1, 1},
		{"a.lua", "-- SPDX-License-Identifier: MIT\n", "MIT", 1, 1},
		{"a.html", "<!-- SPDX-License-Identifier: MIT -->\n", "MIT", 1, 1},
		{"a.rs", "//! SPDX-License-Identifier: MIT\n", "MIT", 1, 1},
		{"a.c", "// SPDX-License-Identifier: MIT\r\nint x;\r\n", "MIT", 1, 1},
		{"a.c", "\xef\xbb\xbf// SPDX-License-Identifier: MIT\n", "MIT", 1, 1},
		{"README", "SPDX-License-Identifier: MIT\n", "MIT", 1, 1},
		// A Rust inner attribute is not an interpreter line.
		{"lib.rs", "#![no_std]\n// SPDX-License-Identifier: MIT\n", "", 0, 2},
		{"lib.rs", "// SPDX-License-Identifier: MIT\n#![no_std]\n", "MIT", 1, 1},
		{"lib.rs", "#!/usr/bin/env run-cargo-script\n// SPDX-License-Identifier: MIT\n", "MIT", 2, 2},
		// Outside Rust, any "#!" line is an interpreter line.
		{"a.py", "#![x]\n# SPDX-License-Identifier: MIT\n", "MIT", 2, 2},
		// Elsewhere than the rule says: misplaced.
		{"a.sh", "# SPDX-License-Identifier: GPL-2.0\n#!/bin/sh\n", "GPL-2.0", 1, 1},
		{"a.sh", "#!/bin/sh\n\n# SPDX-License-Identifier: GPL-2.0\n", "", 0, 3},
		{"a.c", "/*\n * SPDX-License-Identifier: GPL-2.0\n */\n", "", 0, 2},
		{"a.c", strings.Repeat("\n", 14) + "// SPDX-License-Identifier: MIT\n", "", 0, 15},
		{"a.c", strings.Repeat("\n", 15) + "// SPDX-License-Identifier: MIT\n", "", 0, 0},
		// Not a comment: code before the key.
		{"a.rs", `const L: &str = "SPDX-License-Identifier: MIT";` + "\n", "", 0, 0},
		{"a.sh", "#!/bin/sh SPDX-License-Identifier: MIT\n", "", 0, 0},
		{"a.c", "", "", 0, 0},
		{"a.c", "int x;\n", "", 0, 0},
		{"a.c", "// SPDX-License-Identifier:\n", "", 1, 1},
	} {
		tag, ok := license.FindTag(tc.name, []byte(tc.data))
		if ok != (tc.line > 0) || tag.Expr != tc.expr || tag.Line != tc.line || tag.Misplaced {
			t.Errorf("FindTag(%q, %q) = %+v, %v; want %q on line %d", tc.name, tc.data, tag, ok, tc.expr, tc.line)
		}
		tag, ok = license.FindAnyTag(tc.name, []byte(tc.data))
		if ok != (tc.anyLine > 0) || tag.Line != tc.anyLine || tag.Misplaced != (tc.anyLine != tc.line) {
			t.Errorf("FindAnyTag(%q, %q) = %+v, %v; want line %d, misplaced %v", tc.name, tc.data, tag, ok, tc.anyLine, tc.anyLine != tc.line)
		}
	}
}

func TestStamp(t *testing.T) {
	for _, tc := range []struct {
		name, in, expr, want string // want "" means unchanged
	}{
		{"a.rs", "fn main() {}\n", "MIT OR Apache-2.0", "// SPDX-License-Identifier: MIT OR Apache-2.0\nfn main() {}\n"},
		{"a.c", "int x;\n", "GPL-2.0", "// SPDX-License-Identifier: GPL-2.0\nint x;\n"},
		{"a.h", "#define X 1\n", "GPL-2.0 WITH Linux-syscall-note", "/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */\n#define X 1\n"},
		{"a.S", "nop\n", "GPL-2.0", "/* SPDX-License-Identifier: GPL-2.0 */\nnop\n"},
		{"vmlinux.lds.S", "SECTIONS {}\n", "GPL-2.0", "/* SPDX-License-Identifier: GPL-2.0 */\nSECTIONS {}\n"},
		{"Makefile", "obj-y += a.o\n", "GPL-2.0", "# SPDX-License-Identifier: GPL-2.0\nobj-y += a.o\n"},
		{"Kconfig", "config A\n", "GPL-2.0", "# SPDX-License-Identifier: GPL-2.0\nconfig A\n"},
		{"Cargo.toml", "[package]\n", "MIT", "# SPDX-License-Identifier: MIT\n[package]\n"},
		{"a.lua", "x = 1\n", "MIT", "-- SPDX-License-Identifier: MIT\nx = 1\n"},
		// reStructuredText: a blank line ends the comment block.
		{"a.rst", "Title\n=====\n", "GPL-2.0", ".. SPDX-License-Identifier: GPL-2.0\n\nTitle\n=====\n"},
		{"a.rst", "\nTitle\n", "GPL-2.0", ".. SPDX-License-Identifier: GPL-2.0\n\nTitle\n"},
		{"a.rst", "", "GPL-2.0", ".. SPDX-License-Identifier: GPL-2.0\n"},
		// Interpreter lines keep line 1; Rust's #![ is not one.
		{"a.sh", "#!/bin/sh\necho hi\n", "GPL-2.0", "#!/bin/sh\n# SPDX-License-Identifier: GPL-2.0\necho hi\n"},
		{"a.py", "#!/usr/bin/env python3\n", "GPL-2.0", "#!/usr/bin/env python3\n# SPDX-License-Identifier: GPL-2.0\n"},
		{"a.sh", "#!/bin/sh", "GPL-2.0", "#!/bin/sh\n# SPDX-License-Identifier: GPL-2.0\n"},
		{"a.sh", "#!/bin/sh\r\necho\r\n", "GPL-2.0", "#!/bin/sh\r\n# SPDX-License-Identifier: GPL-2.0\r\necho\r\n"},
		{"lib.rs", "#![no_std]\n", "MIT", "// SPDX-License-Identifier: MIT\n#![no_std]\n"},
		{"lib.rs", "#! [allow(x)]\n", "MIT", "// SPDX-License-Identifier: MIT\n#! [allow(x)]\n"},
		// Line endings follow the first line's.
		{"a.c", "int x;\r\nint y;\r\n", "MIT", "// SPDX-License-Identifier: MIT\r\nint x;\r\nint y;\r\n"},
		{"a.c", "int x;\nint y;\r\n", "MIT", "// SPDX-License-Identifier: MIT\nint x;\nint y;\r\n"},
		{"a.c", "int x;", "MIT", "// SPDX-License-Identifier: MIT\nint x;"},
		{"a.c", "", "MIT", "// SPDX-License-Identifier: MIT\n"},
		{"a.c", "\xef\xbb\xbfint x;\n", "MIT", "\xef\xbb\xbf// SPDX-License-Identifier: MIT\nint x;\n"},
		// The kernel form of the expression.
		{"a.rs", "\n", "MIT OR Apache-2.0 OR Zlib", "// SPDX-License-Identifier: (MIT OR Apache-2.0) OR Zlib\n\n"},
		{"a.rs", "\n", "Apache-2.0 WITH LLVM-exception OR MIT", "// SPDX-License-Identifier: (Apache-2.0 WITH LLVM-exception) OR MIT\n\n"},
		{"a.rs", "\n", "(MIT OR Apache-2.0)", "// SPDX-License-Identifier: MIT OR Apache-2.0\n\n"},
		// Already tagged where the rule says: unchanged, whatever the tag.
		{"a.rs", "// SPDX-License-Identifier: GPL-2.0\n", "MIT", ""},
		{"a.h", "/* SPDX-License-Identifier: GPL-2.0 */\n", "MIT", ""},
		{"a.sh", "#!/bin/sh\n# SPDX-License-Identifier: GPL-2.0\n", "MIT", ""},
		{"a.c", "// SPDX-License-Identifier: not an expression\n", "MIT", ""},
		// A misplaced tag does not count: the rule's line gets one.
		// Upstream's tag inside a comment block is kept: no second tag.
		{"a.c", "/*\n * SPDX-License-Identifier: GPL-2.0\n */\n", "GPL-2.0", ""},
		// Unknown file types are left alone.
		{"README.md", "# Title\n", "MIT", ""},
		{"LICENSE-MIT", "Permission is hereby granted\n", "MIT", ""},
		{"build", "#!/bin/sh\n", "MIT", ""},
	} {
		out, changed, err := license.Stamp(tc.name, []byte(tc.in), tc.expr)
		want := tc.want
		if want == "" {
			want = tc.in
		}
		if err != nil || string(out) != want || changed != (tc.want != "") {
			t.Errorf("Stamp(%q, %q, %q) = %q, %v, %v; want %q, %v", tc.name, tc.in, tc.expr, out, changed, err, want, tc.want != "")
		}
	}
	for _, expr := range []string{"", "mit", "MIT/Apache-2.0", "MIT\n// x", "Nope-1.0"} {
		if _, _, err := license.Stamp("a.c", []byte("int x;\n"), expr); err == nil || !strings.Contains(err.Error(), "a.c") {
			t.Errorf("Stamp(a.c, %q) = %v, want an error naming the file", expr, err)
		}
	}
}

// TestStampFindsItself is the property FuzzStamp checks, over every
// known style and a few shapes of file.
func TestStampFindsItself(t *testing.T) {
	names := []string{"a.rs", "a.c", "a.h", "a.S", "a.sh", "a.py", "Makefile", "Kconfig", "a.toml", "a.rst", "a.lua", "lib.rs"}
	bodies := []string{"", "\n", "\r\n", "x", "x\n", "x\r\ny\r\n", "#!/bin/sh\n", "#!/bin/sh", "#![no_std]\n", "\xef\xbb\xbf#!/bin/sh\nx\n", "\xef\xbb\xbf\xef\xbb\xbfx", "\r"}
	for _, name := range names {
		for _, body := range bodies {
			for _, expr := range []string{"MIT", "GPL-2.0+ WITH Linux-syscall-note OR MIT OR Apache-2.0", "(MIT AND Zlib) OR ISC"} {
				out, changed, err := license.Stamp(name, []byte(body), expr)
				if err != nil || !changed {
					t.Fatalf("Stamp(%q, %q, %q) = %v, %v", name, body, expr, changed, err)
				}
				tag, ok := license.FindTag(name, out)
				if !ok || tag.Expr != mustParse(t, expr).KernelString() {
					t.Errorf("FindTag(Stamp(%q, %q, %q) = %q) = %+v, %v", name, body, expr, out, tag, ok)
				}
				again, changed, err := license.Stamp(name, out, "ISC")
				if err != nil || changed || !bytes.Equal(again, out) {
					t.Errorf("Stamp twice (%q, %q) changed %q to %q", name, body, out, again)
				}
			}
		}
	}
}

// TestStampRealKernel takes each file of Linux 6.12's rust/ and scripts/
// folders that has a tag where FindTag looks, removes that line and
// stamps it again with its own expression: the result is the original
// file, except where the kernel wrote redundant parentheses or another
// comment style than CommentStyle's (dtc-parser.y uses "//").
func TestStampRealKernel(t *testing.T) {
	root := realdata.Linux612(t)
	same, parens, styles := 0, 0, 0
	for _, sub := range []string{"rust", "scripts"} {
		err := filepath.WalkDir(filepath.Join(root, sub), func(p string, d fs.DirEntry, err error) error {
			if err != nil || !d.Type().IsRegular() {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			style, ok := license.CommentStyle(rel)
			if !ok {
				return nil
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			tag, ok := license.FindTag(rel, data)
			if !ok {
				return nil
			}
			if out, changed, err := license.Stamp(rel, data, "MIT"); err != nil || changed || !bytes.Equal(out, data) {
				t.Errorf("%s: Stamp changed a tagged file: %v, %v", rel, changed, err)
			}
			lines := bytes.SplitAfter(data, []byte("\n"))
			stripped := bytes.Join(append(lines[:tag.Line-1:tag.Line-1], lines[tag.Line:]...), nil)
			out, changed, err := license.Stamp(rel, stripped, tag.Expr)
			switch {
			case err != nil || !changed:
				t.Errorf("%s: Stamp(%q) = %v, %v", rel, tag.Expr, changed, err)
			case bytes.Equal(out, data):
				same++
			case strings.HasPrefix(tag.Expr, "(") && bytes.Equal(out, bytes.Replace(data, []byte(tag.Expr), []byte(mustParse(t, tag.Expr).KernelString()), 1)):
				parens++
			case string(bytes.TrimRight(lines[tag.Line-1], "\r\n")) != style.Line(tag.Expr):
				styles++
			default:
				t.Errorf("%s: stamping %q again gives line %q, the kernel has %q", rel, tag.Expr, bytes.SplitAfter(out, []byte("\n"))[tag.Line-1], lines[tag.Line-1])
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// 346, 13 and 1 in linux-source-6.12 6.12.117.
	if same < 300 || parens == 0 || styles > 5 {
		t.Errorf("%d files stamped back identical, %d up to parentheses, %d in another style; want 300+, some, few", same, parens, styles)
	}
}

// TestUnstamp: Unstamp undoes Stamp exactly, for every comment style, a
// shebang, CRLF and an .rst file; it refuses a file that is not exactly
// a stamped one (another expression, an edit beside the tag).
func TestUnstamp(t *testing.T) {
	const expr = "Apache-2.0 OR MIT"
	for name, src := range map[string]string{
		"lib.rs":    "#![no_std]\nfn f() {}\n",
		"x.h":       "int x;\n",
		"run.sh":    "#!/bin/sh\necho hi\n",
		"crlf.c":    "int x;\r\nint y;\r\n",
		"doc.rst":   "Title\n=====\n",
		"empty.rs":  "",
		"Makefile":  "all:\n",
		"no-eol.rs": "fn f() {}",
	} {
		stamped, changed, err := license.Stamp(name, []byte(src), expr)
		if err != nil || !changed {
			t.Fatalf("%s: Stamp: %v %v", name, changed, err)
		}
		back := license.Unstamp(name, stamped, expr)
		if !slices.ContainsFunc(back, func(b []byte) bool { return string(b) == src }) {
			t.Errorf("%s: Unstamp(Stamp(x)) = %q; want it to hold %q", name, back, src)
		}
		if back := license.Unstamp(name, stamped, "MIT"); len(back) != 0 {
			t.Errorf("%s: unstamped with another expression", name)
		}
		edited := append([]byte(nil), stamped...)
		edited = append(edited, "// more\n"...)
		for _, b := range license.Unstamp(name, edited, expr) {
			if string(b) == src {
				t.Errorf("%s: an edit beside the tag is taken for pristine", name)
			}
		}
	}
	if back := license.Unstamp("lib.rs", []byte("fn f() {}\n"), expr); len(back) != 0 {
		t.Errorf("a file with no tag unstamps")
	}
}

// TestStampKeepsUpstreamTag: a tag upstream put anywhere in the first
// lines (inside a comment block, after a copyright line) is kept: no
// second tag above it.
func TestStampKeepsUpstreamTag(t *testing.T) {
	src := "/*\n * SPDX-License-Identifier: MIT\n * Copyright someone\n */\nint x;\n"
	out, changed, err := license.Stamp("x.h", []byte(src), "Apache-2.0 OR MIT")
	if err != nil || changed || string(out) != src {
		t.Errorf("Stamp overrode upstream's tag: %v %v\n%s", changed, err, out)
	}
}
