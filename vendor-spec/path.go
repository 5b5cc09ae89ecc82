package vendorspec

import (
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rvendor/rvendor/tree"
)

// pathKind says what a path read from a spec, lock or sum is relative to,
// which decides the rules beyond the shape every path shares.
type pathKind uint8

const (
	// treePath is relative to the spec's folder and names a folder or
	// file rvendor replaces or reads there (dest, patches, lockfile): a
	// drive-letter prefix is refused as absolute, and ReservedPath must
	// say nothing.
	treePath pathKind = iota
	// sourcePath is a path inside the upstream source (root, paths,
	// added).
	sourcePath
	// destPath is relative to a component's dest (rvendor.sum's paths, a
	// patch's files): exactly the names fetch.Extract accepts.
	destPath
	// fileName is one element: a patch file's name, a crate's folder.
	fileName
)

// checkPath says why p is not a path of kind k, and what to write
// instead; why is "" when p is one. Every path rvendor reads from
// rvendor.toml, rvendor.lock and rvendor.sum goes through it: p must be
// non-empty valid UTF-8 with no control character, relative, slash-
// separated (no backslash), clean (no "", "." or ".." element), a single
// element for fileName, and not reserved for treePath. It does not
// allocate: verify runs it on every line of rvendor.sum.
func checkPath(p string, k pathKind) (why, fix string) {
	if p == "" || p == "." {
		return "is empty", `write a path inside the tree, such as "rust/vendor/library"`
	}
	ascii := true
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c >= utf8.RuneSelf:
			ascii = false
		case c < 0x20 || c == 0x7f:
			return "has a control character", "rename it"
		case c == '\\':
			return "has a backslash", "write slash-separated paths"
		}
	}
	if !ascii {
		if !utf8.ValidString(p) {
			return "is not valid UTF-8", "rename it"
		}
		for _, r := range p {
			if unicode.IsControl(r) {
				return "has a control character", "rename it"
			}
		}
	}
	if p[0] == '/' || (k == treePath && len(p) > 1 && p[1] == ':' && isLetter(p[0])) {
		return "is absolute", `write it relative to the folder of rvendor.toml, such as "rust/vendor/library"`
	}
	clean := true
	for rest := p; ; {
		el, tail, more := strings.Cut(rest, "/")
		switch el {
		case "..":
			return "leaves its folder", "write a path inside the tree, without .."
		case "", ".":
			clean = false
		}
		if !more {
			break
		}
		rest = tail
	}
	if !clean {
		return "is not clean", "write " + quote(path.Clean(p))
	}
	switch k {
	case fileName:
		if strings.Contains(p, "/") {
			return "is not a plain file name", "write the name of a file in the folder, without /"
		}
	case treePath:
		if why := ReservedPath(p); why != "" {
			return why, "choose a folder of its own, outside rvendor's files, .rvendor and .git"
		}
	}
	return "", ""
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// checkPattern says why the exclude pattern g is not valid, or "": it
// has the shape of a sourcePath (except that it may hold glob
// characters), and each element is a valid path.Match pattern, "**"
// included. Like fetch.Selection, it tolerates one leading "./" and
// one trailing "/", which do not change what the pattern matches.
func checkPattern(g string) (why, fix string) {
	p := strings.TrimPrefix(g, "./")
	if len(p) > 1 {
		p = strings.TrimSuffix(p, "/")
	}
	if why, fix := checkPath(p, sourcePath); why != "" {
		if why == "is empty" {
			fix = `write a glob such as "*.md" or "library/core/tests/**"`
		}
		return why, fix
	}
	for el := range strings.SplitSeq(p, "/") {
		if _, err := path.Match(el, ""); err != nil {
			return "is not a valid glob: " + err.Error(), `write a glob such as "*.md" or "library/core/tests/**"`
		}
	}
	return "", ""
}

// ReservedPath says why the tree path p (clean, relative, slash-separated)
// may not be a dest or patch folder, or "" when it may: it would be, hold
// or lie inside rvendor's own files (the spec, lock, sum, the .rvendor
// state folder) or a .git folder.
func ReservedPath(p string) string {
	for _, name := range []string{SpecName, LockName, SumName} {
		if p == name {
			return "is one of rvendor's own files"
		}
	}
	if Within(p, tree.StateDir) {
		return "lies inside rvendor's state folder " + tree.StateDir
	}
	for _, el := range strings.Split(p, "/") {
		if el == ".git" {
			return "is or lies inside a .git folder"
		}
	}
	return ""
}

// Within reports whether the slash path p is dir or lies below it.
func Within(p, dir string) bool {
	return p == dir || strings.HasPrefix(p, dir+"/")
}

// validName reports whether s is a component name: [a-z0-9][a-z0-9-]*.
// A hand-written check, not a regexp: verify validates the spec and reads
// rvendor.sum on every build, and compiling a regexp costs it page faults.
func validName(s string) bool {
	if s == "" || s[0] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// isRustRelease reports whether s is a stable Rust release as
// fetch/rustdist reads it: three dot-separated numbers without leading
// zeros, ^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$.
func isRustRelease(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return false
	}
	for _, p := range parts {
		if !allDigits(p) || len(p) > 1 && p[0] == '0' {
			return false
		}
	}
	return true
}

// isSemver reports whether s is a crate version as Cargo.lock writes it:
// ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]+)?$.
func isSemver(s string) bool {
	core, rest := s, ""
	if i := strings.IndexAny(s, "-+"); i >= 0 {
		core, rest = s[:i], s[i+1:]
		if rest == "" {
			return false
		}
		for i := 0; i < len(rest); i++ {
			c := rest[i]
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '.' || c == '+' || c == '-') {
				return false
			}
		}
	}
	parts := strings.Split(core, ".")
	return len(parts) == 3 && allDigits(parts[0]) && allDigits(parts[1]) && allDigits(parts[2])
}

// allDigits reports whether s is one or more ASCII digits.
func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// quote writes s as a TOML basic string (which is also how Go and JSON
// read it, for what rvendor writes).
func quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			const hex = "0123456789ABCDEF"
			b.WriteString(`\u00`)
			b.WriteByte(hex[r>>4])
			b.WriteByte(hex[r&0xf])
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
