package license_test

import (
	"bytes"
	"slices"
	"testing"

	"github.com/rvendor/rvendor/policy/license"
)

// The names and expressions FuzzStamp picks from: every comment style,
// Rust (whose "#![" is no interpreter line) and two unknown types.
var (
	fuzzNames = []string{"a.rs", "lib.rs", "a.c", "a.h", "a.S", "a.sh", "a.py", "Makefile", "Kconfig.debug", "a.toml", "a.rst", "a.lua", "README.md", "build"}
	fuzzExprs = []string{"MIT", "MIT OR Apache-2.0", "GPL-2.0 WITH Linux-syscall-note", "Apache-2.0 WITH LLVM-exception OR Apache-2.0 OR MIT", "(MIT AND Zlib) OR ISC"}
)

// FuzzStamp checks Stamp's properties on any file content: it never
// fails for a valid expression; files of unknown type are untouched;
// otherwise FindTag finds the stamped expression (or the tag that was
// already there, anywhere in the first lines), stamping again changes
// nothing, and removing the tag line (Unstamp) gives back the input. Seeds are in testdata/fuzz/FuzzStamp.
func FuzzStamp(f *testing.F) {
	f.Add(uint8(0), []byte("fn main() {}\n"), uint8(0))
	f.Add(uint8(5), []byte("#!/bin/sh\r\necho\r\n"), uint8(3))
	f.Fuzz(func(t *testing.T, ni uint8, data []byte, ei uint8) {
		name, expr := fuzzNames[int(ni)%len(fuzzNames)], fuzzExprs[int(ei)%len(fuzzExprs)]
		out, changed, err := license.Stamp(name, data, expr)
		if err != nil {
			t.Fatalf("Stamp(%q, %q, %q): %v", name, data, expr, err)
		}
		style, known := license.CommentStyle(name)
		if !known || !changed {
			if changed || !bytes.Equal(out, data) {
				t.Fatalf("Stamp(%q, %q) changed the file to %q without saying so", name, data, out)
			}
			if _, tagged := license.FindAnyTag(name, data); known && !tagged {
				t.Fatalf("Stamp(%q, %q) left an untagged file alone", name, data)
			}
			return
		}
		e, err := license.Parse(expr)
		if err != nil {
			t.Fatal(err)
		}
		tag, ok := license.FindTag(name, out)
		if !ok || tag.Expr != e.KernelString() {
			t.Fatalf("FindTag(Stamp(%q, %q)) = %+v, %v; want %q", name, data, tag, ok, e.KernelString())
		}
		again, changed, err := license.Stamp(name, out, fuzzExprs[(int(ei)+1)%len(fuzzExprs)])
		if err != nil || changed || !bytes.Equal(again, out) {
			t.Fatalf("stamping %q again gave %q, %v, %v", out, again, changed, err)
		}
		if !restores(out, data, tag.Line, style) {
			t.Fatalf("Stamp(%q, %q) = %q: removing line %d does not give the input back", name, data, out, tag.Line)
		}
		if back := license.Unstamp(name, out, expr); !slices.ContainsFunc(back, func(x []byte) bool { return bytes.Equal(x, data) }) {
			t.Fatalf("Unstamp(Stamp(%q, %q)) = %q", name, data, back)
		}
	})
}

// restores reports whether out without its line n is data, allowing for
// what Stamp adds beside the tag: the blank line after an .rst tag and
// the line ending of an interpreter line that had none.
func restores(out, data []byte, n int, style license.Style) bool {
	bom := []byte("\xef\xbb\xbf")
	head := bytes.HasPrefix(out, bom)
	body := bytes.TrimPrefix(out, bom)
	lines := bytes.SplitAfter(body, []byte("\n"))
	rest := bytes.Join(lines[n:], nil)
	r := append(bytes.Clone(bytes.Join(lines[:n-1], nil)), rest...)
	if head {
		r = append(bytes.Clone(bom), r...)
	}
	if bytes.Equal(r, data) {
		return true
	}
	if style == license.StyleRST && len(lines) > n && len(bytes.TrimSpace(lines[n])) == 0 {
		s := append(bytes.Clone(bytes.Join(lines[:n-1], nil)), bytes.Join(lines[n+1:], nil)...)
		if head {
			s = append(bytes.Clone(bom), s...)
		}
		if bytes.Equal(s, data) {
			return true
		}
	}
	return n == 2 && (bytes.Equal(r, append(bytes.Clone(data), '\n')) || bytes.Equal(r, append(bytes.Clone(data), "\r\n"...)))
}

// FuzzParse checks that Parse and ParseDeclared never panic and that
// what they accept prints to texts that Parse reads back to the same
// expression: String is a fixed point, KernelString an equivalent form.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"MIT", "MIT OR Apache-2.0", "MIT/Apache-2.0", "mit or apache-2.0", "(MIT AND Zlib) OR ISC",
		"GPL-2.0+ WITH Linux-syscall-note", "Apache-2.0 WITH LLVM-exception OR Apache-2.0 OR MIT",
		"DocumentRef-a:LicenseRef-b AND (LicenseRef-c OR 0BSD)", "((MIT))", "MIT OR", "GPL-2.0-only+",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, parse := range []func(string) (*license.Expr, error){
			license.Parse,
			func(s string) (*license.Expr, error) { e, _, err := license.ParseDeclared(s); return e, err },
		} {
			e, err := parse(s)
			if err != nil {
				continue
			}
			canon, err := license.Parse(e.String())
			if err != nil || canon.String() != e.String() || !license.Equivalent(canon, e) {
				t.Fatalf("Parse(%q) prints %q, which reads back as %v, %v", s, e, canon, err)
			}
			kernel, err := license.Parse(e.KernelString())
			if err != nil || !license.Equivalent(kernel, e) {
				t.Fatalf("Parse(%q) kernel form %q reads back as %v, %v", s, e.KernelString(), kernel, err)
			}
		}
	})
}
