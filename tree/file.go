package tree

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strings"
)

// File is one regular file of a vendored tree, as recorded in the sum file
// and as found on disk.
type File struct {
	// Path is slash-separated and relative to the component's dest folder.
	Path string
	// Mode is the normalized permission: 0o644, or 0o755 for executables.
	Mode fs.FileMode
	// Size is the length of the content in bytes.
	Size int64
	// SHA256 is the digest of the content.
	SHA256 [32]byte
}

// Hex returns the file's SHA-256 as lowercase hex.
func (f File) Hex() string { return hex.EncodeToString(f.SHA256[:]) }

// IsSHA256Hex reports whether s is a SHA-256 as Hex writes it: 64
// lowercase hex digits.
func IsSHA256Hex(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// NormalizeMode maps any permission to the two modes rvendor writes:
// 0o755 when any execute bit is set, 0o644 otherwise.
func NormalizeMode(m fs.FileMode) fs.FileMode {
	if m.Perm()&0o111 != 0 {
		return 0o755
	}
	return 0o644
}

// H1 returns the "h1:" hash of files, the value
// golang.org/x/mod/sumdb/dirhash.HashDir(dest, "", dirhash.Hash1) computes
// for a folder holding exactly these files:
//
//	find . -type f | sort | xargs sha256sum | sha256sum | xxd -r -p | base64
//
// (with "./" stripped from the names). files need not be sorted. Names with
// newlines are refused, as dirhash refuses them.
func H1(files []File) (string, error) {
	// Lists are most often sorted already (a sum's are): then there is
	// nothing to sort, which at 29k paths was a third of the time.
	var idx []int
	if !slices.IsSortedFunc(files, func(a, b File) int { return strings.Compare(a.Path, b.Path) }) {
		idx = make([]int, len(files))
		for i := range idx {
			idx[i] = i
		}
		sort.Slice(idx, func(a, b int) bool { return files[idx[a]].Path < files[idx[b]].Path })
	}
	h := sha256.New()
	var line []byte
	for n := range files {
		i := n
		if idx != nil {
			i = idx[n]
		}
		f := &files[i]
		if strings.Contains(f.Path, "\n") {
			return "", fmt.Errorf("dirhash: filenames with newlines are not supported: %q", f.Path)
		}
		line = line[:0]
		line = hex.AppendEncode(line, f.SHA256[:])
		line = append(line, ' ', ' ')
		line = append(line, f.Path...)
		line = append(line, '\n')
		h.Write(line)
	}
	return "h1:" + base64.StdEncoding.EncodeToString(h.Sum(nil)), nil
}
