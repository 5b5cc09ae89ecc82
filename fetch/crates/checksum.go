package crates

import (
	"fmt"
	"slices"
	"strings"

	"github.com/rvendor/rvendor/tree"
)

// ChecksumFile is the name of the file cargo reads in each crate folder of
// a directory source.
const ChecksumFile = ".cargo-checksum.json"

// MarshalChecksum returns the .cargo-checksum.json of a crate folder
// holding files, byte for byte as `cargo vendor` writes it: compact JSON,
// {"files":{PATH:SHA256,...},"package":CHECKSUM}, file paths slash
// separated and sorted by byte order (Rust's BTreeMap<String, _>), strings
// escaped as serde_json escapes them (", \, \b \f \n \r \t, other control
// characters as \u00xx; nothing else: no HTML or U+2028 escaping).
// .cargo-checksum.json itself is never listed.
func MarshalChecksum(files []tree.File, pkgChecksum string) []byte {
	fs := slices.Clone(files)
	slices.SortFunc(fs, func(a, b tree.File) int { return strings.Compare(a.Path, b.Path) })
	var b []byte
	b = append(b, `{"files":{`...)
	first := true
	for _, f := range fs {
		if f.Path == ChecksumFile {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendJSONString(b, f.Path)
		b = append(b, ':', '"')
		b = append(b, f.Hex()...)
		b = append(b, '"')
	}
	b = append(b, `},"package":`...)
	b = appendJSONString(b, pkgChecksum)
	b = append(b, '}')
	return b
}

func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"':
			b = append(b, '\\', '"')
		case '\\':
			b = append(b, '\\', '\\')
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			if c < 0x20 {
				b = fmt.Appendf(b, `\u%04x`, c)
			} else {
				b = append(b, c)
			}
		}
	}
	return append(b, '"')
}

// VendorSkipped reports whether cargo vendor (1.95) leaves the file at
// rel, a path relative to the crate folder, out of the vendored copy:
// any file or folder named .gitattributes, .gitignore, .git or .cargo-ok,
// at any depth (checked against cargo 1.95's output: it drops
// tests/x/.gitignore too, and keeps Cargo.toml.orig, which older cargo
// dropped). The .cargo-checksum.json of the crate itself is never kept.
func VendorSkipped(rel string) bool {
	if rel == ChecksumFile {
		return true
	}
	for _, e := range strings.Split(rel, "/") {
		switch e {
		case ".gitattributes", ".gitignore", ".git", ".cargo-ok":
			return true
		}
	}
	return false
}
