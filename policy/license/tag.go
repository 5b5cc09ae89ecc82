package license

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"path"
	"strings"
)

// TagKey is what introduces a per-file license tag.
const TagKey = "SPDX-License-Identifier:"

// MaxTagLines is how many lines FindAnyTag looks at, as the kernel's
// scripts/spdxcheck.py does by default.
const MaxTagLines = 15

// Style is the comment style of a file type: how a tag line is written.
type Style string

// The comment styles of license-rules.rst's "Style" rule, plus "--".
const (
	StyleLine  Style = "//"    // "// SPDX-License-Identifier: <expr>": C and Rust sources, .dts
	StyleBlock Style = "/* */" // "/* SPDX-License-Identifier: <expr> */": C headers, assembly, linker scripts
	StyleHash  Style = "#"     // "# SPDX-License-Identifier: <expr>": scripts, Makefiles, Kconfig, TOML, YAML
	StyleRST   Style = ".."    // ".. SPDX-License-Identifier: <expr>": reStructuredText
	StyleDash  Style = "--"    // "-- SPDX-License-Identifier: <expr>": Lua, SQL
)

// Line returns the tag line for expr in style s, without a line ending.
func (s Style) Line(expr string) string {
	switch s {
	case StyleBlock:
		return "/* " + TagKey + " " + expr + " */"
	case StyleRST:
		return ".. " + TagKey + " " + expr
	}
	return string(s) + " " + TagKey + " " + expr
}

var styleByExt = map[string]Style{
	".rs": StyleLine, ".c": StyleLine, ".dts": StyleLine, ".dtsi": StyleLine,
	".cc": StyleLine, ".cpp": StyleLine, ".cxx": StyleLine, ".go": StyleLine, ".cocci": StyleLine,
	".h": StyleBlock, ".S": StyleBlock, ".lds": StyleBlock, ".ld": StyleBlock, ".hpp": StyleBlock,
	".y": StyleBlock, ".l": StyleBlock,
	".gitignore": StyleHash, ".sh": StyleHash, ".bash": StyleHash, ".py": StyleHash, ".pl": StyleHash, ".pm": StyleHash,
	".awk": StyleHash, ".mk": StyleHash, ".toml": StyleHash, ".yaml": StyleHash, ".yml": StyleHash,
	".rst": StyleRST,
	".lua": StyleDash, ".sql": StyleDash,
}

// styleByName holds the base names, and the base-name prefixes before a
// '.', of Kbuild files: "Makefile", "Makefile.build", "Kconfig.debug".
var styleByName = map[string]Style{
	"Makefile": StyleHash, "makefile": StyleHash, "GNUmakefile": StyleHash,
	"Kconfig": StyleHash, "Kbuild": StyleHash,
}

// CommentStyle returns the comment style of the file named name (a slash
// path; only its base name counts), and false for a type it does not
// know. By extension: .rs, .c, .dts, .dtsi, .cc, .cpp, .cxx, .go, .cocci
// use "//"; .h, .hpp, .S, .lds, .ld (and so .lds.S), .y, .l use "/* */";
// .sh, .bash, .py, .pl, .pm, .awk, .mk, .toml, .yaml, .yml and .gitignore
// use "#"; .rst uses ".."; .lua and .sql use "--". By base name:
// Makefile, makefile, GNUmakefile, Kconfig and Kbuild, alone or followed
// by ".something", use "#". Files named otherwise (extensionless scripts
// too) are unknown.
func CommentStyle(name string) (Style, bool) {
	base := path.Base(name)
	if s, ok := styleByExt[path.Ext(base)]; ok {
		return s, true
	}
	stem, _, _ := strings.Cut(base, ".")
	s, ok := styleByName[stem]
	return s, ok
}

// Tag is a per-file SPDX-License-Identifier tag.
type Tag struct {
	Expr      string // the text after the key, comment markers stripped: not checked by Parse
	Line      int    // 1-based
	Misplaced bool   // not on the line the placement rule names (FindAnyTag only)
}

// FindTag returns the tag on the line the kernel's placement rule names:
// the first line, or the second when the first is a "#!" interpreter line
// (in a Rust file, "#![" opens an inner attribute, not an interpreter
// line). A line holds a tag when it contains TagKey after nothing but
// blanks and comment punctuation ("//", "/*", "#", "--", "..", "<!--",
// " * "); the expression is the rest of the line less a closing "*/" or
// "-->". A UTF-8 byte order mark before the first line is skipped.
func FindTag(name string, data []byte) (Tag, bool) {
	lines := firstLines(bytes.TrimPrefix(data, bom), 2)
	n := tagLine(name, lines)
	if n > len(lines) {
		return Tag{}, false
	}
	expr, ok := tagExpr(lines[n-1])
	if !ok {
		return Tag{}, false
	}
	return Tag{Expr: expr, Line: n}, true
}

// FindAnyTag returns the first tag in the first MaxTagLines lines, with
// Misplaced set when it is not where FindTag looks: for messages about a
// tag that tools reading only the rule's line will miss.
func FindAnyTag(name string, data []byte) (Tag, bool) {
	lines := firstLines(bytes.TrimPrefix(data, bom), MaxTagLines)
	want := tagLine(name, lines)
	for i, l := range lines {
		if expr, ok := tagExpr(l); ok {
			return Tag{Expr: expr, Line: i + 1, Misplaced: i+1 != want}, true
		}
	}
	return Tag{}, false
}

// tagLine returns the 1-based line the placement rule puts the tag on.
func tagLine(name string, lines [][]byte) int {
	if len(lines) > 0 && isShebang(name, lines[0]) {
		return 2
	}
	return 1
}

// isShebang reports whether line is a "#!" interpreter line. In a Rust
// file, "#!" followed by "[" (after blanks) is an inner attribute.
func isShebang(name string, line []byte) bool {
	rest, ok := bytes.CutPrefix(line, []byte("#!"))
	if !ok {
		return false
	}
	return path.Ext(path.Base(name)) != ".rs" || !bytes.HasPrefix(bytes.TrimLeft(rest, " \t"), []byte("["))
}

// firstLines returns up to n lines of data without their line endings.
func firstLines(data []byte, n int) [][]byte {
	var out [][]byte
	for len(data) > 0 && len(out) < n {
		l, rest, _ := bytes.Cut(data, []byte("\n"))
		out = append(out, bytes.TrimSuffix(l, []byte("\r")))
		data = rest
	}
	return out
}

var bom = []byte("\xef\xbb\xbf")

// tagExpr returns the expression of a tag line.
func tagExpr(line []byte) (string, bool) {
	i := bytes.Index(line, []byte(TagKey))
	if i < 0 || strings.Trim(string(line[:i]), " \t/*#-.!<;%") != "" {
		return "", false
	}
	expr := strings.TrimSpace(string(line[i+len(TagKey):]))
	for _, end := range []string{"*/", "-->"} {
		if e, ok := strings.CutSuffix(expr, end); ok {
			expr = strings.TrimSpace(e)
		}
	}
	return expr, true
}

// Stamp returns data with the tag "SPDX-License-Identifier: <expr>" added
// in the file's comment style (CommentStyle) on the line the placement
// rule names (FindTag): above the first line, or below a "#!" line. expr
// must Parse; the tag holds its KernelString, the form the kernel's
// scripts/spdxcheck.py accepts. The file is left alone (changed false)
// when it already has a tag in its first MaxTagLines lines (FindAnyTag:
// upstream's own tag, wherever upstream put it, is never overridden, as
// spdxcheck.py would read the first one) or is of a type CommentStyle
// does not know. The new line ends as the file's first line does (CRLF
// files get CRLF); in an .rst file a blank line follows the tag unless
// one already does. An empty file becomes the tag line alone. A
// byte order mark stays first.
func Stamp(name string, data []byte, expr string) (out []byte, changed bool, err error) {
	e, err := Parse(expr)
	if err != nil {
		return nil, false, fmt.Errorf("stamping %s: %w", name, err)
	}
	style, ok := CommentStyle(name)
	if !ok {
		return data, false, nil
	}
	if _, ok := FindAnyTag(name, data); ok {
		return data, false, nil
	}
	body := bytes.TrimPrefix(data, bom)
	head := data[:len(data)-len(body)]
	eol := "\n"
	if l, _, ok := bytes.Cut(body, []byte("\n")); ok && bytes.HasSuffix(l, []byte("\r")) {
		eol = "\r\n"
	}
	at := 0 // byte offset in body where the tag line goes
	if lines := firstLines(body, 1); len(lines) > 0 && isShebang(name, lines[0]) {
		at = bytes.IndexByte(body, '\n') + 1
		if at == 0 { // a shebang line with no line ending
			body = append(bytes.Clone(body), eol...)
			at = len(body)
		}
	}
	tag := style.Line(e.KernelString()) + eol
	if style == StyleRST && !blankLineAt(body[at:]) {
		tag += eol
	}
	out = make([]byte, 0, len(data)+len(tag)+len(eol))
	out = append(out, head...)
	out = append(out, body[:at]...)
	out = append(out, tag...)
	out = append(out, body[at:]...)
	return out, true, nil
}

// blankLineAt reports whether data is empty or starts with a blank line.
func blankLineAt(data []byte) bool {
	l, _, _ := bytes.Cut(data, []byte("\n"))
	return len(bytes.TrimSpace(l)) == 0
}

// Unstamp undoes Stamp(name, data, expr): it returns every input x for
// which Stamp(name, x, expr) is data (the tag line Stamp adds removed,
// with the blank line it adds after an .rst tag, or the line ending it
// adds after a last "#!" line that had none), none when data is not
// exactly a stamped file. Usually there is one; verify uses it to check
// that a stamped file is its pristine upstream file plus the tag and
// nothing else.
func Unstamp(name string, data []byte, expr string) [][]byte {
	e, err := Parse(expr)
	if err != nil {
		return nil
	}
	style, ok := CommentStyle(name)
	if !ok {
		return nil
	}
	body := bytes.TrimPrefix(data, bom)
	head := data[:len(data)-len(body)]
	var out [][]byte
	try := func(x []byte) {
		if again, changed, err := Stamp(name, x, expr); err == nil && changed && bytes.Equal(again, data) {
			out = append(out, x)
		}
	}
	for _, eol := range []string{"\n", "\r\n"} {
		tag := []byte(style.Line(e.KernelString()) + eol)
		for _, at := range stampPlaces(body) {
			if !bytes.HasPrefix(body[at:], tag) {
				continue
			}
			rests := [][]byte{body[at+len(tag):]}
			if style == StyleRST {
				rests = append(rests, bytes.TrimPrefix(rests[0], []byte(eol)))
			}
			for _, rest := range rests {
				x := append(append(append([]byte{}, head...), body[:at]...), rest...)
				try(x)
				if len(rest) == 0 && at > 0 {
					try(bytes.TrimSuffix(x, []byte(eol)))
				}
			}
		}
	}
	return out
}

// stampPlaces returns the offsets where Stamp may have put its line: the
// start, or after a first line (an interpreter line before the tag).
func stampPlaces(body []byte) []int {
	places := []int{0}
	if i := bytes.IndexByte(body, '\n'); i >= 0 {
		places = append(places, i+1)
	}
	return places
}

// StampedFrom reports whether data is a file whose SHA-256 was pristine
// with expr stamped by Stamp: one of Unstamp's candidates hashes to
// pristine.
func StampedFrom(name string, data []byte, expr string, pristine [32]byte) bool {
	for _, x := range Unstamp(name, data, expr) {
		if sha256.Sum256(x) == pristine {
			return true
		}
	}
	return false
}
