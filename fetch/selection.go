package fetch

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Selection says which entries of an archive Extract writes, and where.
// All its paths are slash-separated paths inside the archive, written
// without a leading "./" (one is tolerated and removed) or trailing "/".
type Selection struct {
	// Root is the archive folder that dst mirrors, e.g. "demo-1.2.0" or
	// "rustc-1.63.0-src/library": the entry Root+"/a/b.rs" is written to
	// dst/a/b.rs, and entries outside Root are skipped. "" means the
	// archive's single top-level folder; an archive with two top-level
	// folders, or a top-level file, is then refused.
	Root string
	// Paths lists folders or files under Root (each Root itself or
	// starting with Root+"/") to write, with everything below them.
	// Empty means all of Root. A path that matches no entry is an error.
	Paths []string
	// Exclude lists patterns of archive paths not to write. A pattern
	// holding no "/" is matched against each element of an entry's path
	// (so "*.orig" or "tests" exclude such files or folders anywhere). A
	// pattern holding "/" is matched element by element against the
	// entry's whole archive path (Root included), each element with
	// path.Match, where an element "**" matches any number (zero or more)
	// of whole elements. A pattern that matches a folder excludes
	// everything below it. Examples, with Root "demo-1.2.0":
	// "demo-1.2.0/tests", "demo-1.2.0/**/*.md", "**/benches".
	// At most MaxExcludePatterns patterns of at most MaxPatternLen bytes
	// each; matching an entry costs time linear in the length of its
	// name times the length of the patterns, whatever their "**".
	Exclude []string
	// Archive names the archive in error messages, e.g.
	// "demo-1.2.0.tar.gz". When empty and Extract reads an *os.File, the
	// file's base name is used.
	Archive string
	// Progress, if set, is called from Extract's goroutine every
	// ProgressEvery entries and at the end, with the entries scanned and
	// the uncompressed bytes read so far, for a progress display.
	Progress func(entries int, read int64)
}

// ProgressEvery is how many entries Extract scans between two calls of
// Selection.Progress.
const ProgressEvery = 512

// checkName reports what makes name unsafe, or "" if it is a clean
// relative slash path: no leading "/", no "", "." or ".." element, no
// backslash, control character or invalid UTF-8.
func checkName(name string) string {
	switch {
	case name == "":
		return "empty name"
	case !utf8.ValidString(name):
		return "name is not valid UTF-8"
	case strings.HasPrefix(name, "/"):
		return "absolute path"
	case strings.ContainsRune(name, '\\'):
		return "name contains a backslash"
	}
	for _, r := range name {
		if r == 0 {
			return "name contains a NUL byte"
		}
		if unicode.IsControl(r) {
			return fmt.Sprintf("name contains the control character %U", r)
		}
	}
	for elem := range strings.SplitSeq(name, "/") {
		switch elem {
		case "..":
			return `path escapes the archive root (a ".." element)`
		case ".":
			return `path has a "." element`
		case "":
			return "path has an empty element (\"//\")"
		}
	}
	return ""
}

// reservedElem returns the first element of name that is ".git" or
// ".rvendor" up to case, or "". git takes a .git folder or file found in
// the tree for a repository of its own, whose config and hooks run
// commands; .rvendor holds rvendor's lock, journal and conflict state.
// Case is ignored because the tree may live on a case-insensitive file
// system, where ".GIT" is ".git".
func reservedElem(name string) string {
	for elem := range strings.SplitSeq(name, "/") {
		if len(elem) > 0 && elem[0] == '.' && (strings.EqualFold(elem, ".git") || strings.EqualFold(elem, ".rvendor")) {
			return elem
		}
	}
	return ""
}

// reservedWhy says why the element reservedElem found is refused.
func reservedWhy(elem string) string {
	if strings.EqualFold(elem, ".git") {
		return fmt.Sprintf("path has a %q element: git would take it for a repository of its own in the tree (its config and hooks run commands)", elem)
	}
	return fmt.Sprintf("path has a %q element: .rvendor holds rvendor's own state in the tree, never vendored files", elem)
}

// cleanEntryName returns the archive path of a tar entry: name without
// its leading "./" elements and, for folders, trailing "/".
func cleanEntryName(name string, isDir bool) string {
	for strings.HasPrefix(name, "./") {
		name = name[2:]
	}
	if name == "." {
		return ""
	}
	if isDir {
		name = strings.TrimSuffix(name, "/")
	}
	return name
}

// cleanSelPath is cleanEntryName for a path written in a Selection.
func cleanSelPath(p string) string { return cleanEntryName(p, true) }

// appendFold appends to b a folding of s with the property that
//
//	strings.EqualFold(s, t) iff the foldings of s and t are equal
//
// (strToFold of golang.org/x/mod/module, appending to b).
func appendFold(b []byte, s string) []byte {
	// Fast path: all ASCII, no upper case.
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf || 'A' <= c && c <= 'Z' {
			goto Slow
		}
	}
	return append(b, s...)

Slow:
	for _, r := range s {
		// SimpleFold(x) cycles to the next equivalent rune > x
		// or wraps around to smaller values. Iterate until it wraps,
		// and we've found the minimum value.
		for {
			r0 := r
			r = unicode.SimpleFold(r0)
			if r <= r0 {
				break
			}
		}
		// Exception to allow fast path above: A-Z => a-z
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		b = utf8.AppendRune(b, r)
	}
	return b
}
