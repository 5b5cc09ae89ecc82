package bundle

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/rvendor/rvendor/internal/quote"
	"github.com/rvendor/rvendor/tree"
)

// ManifestName is the name of a bundle's first member.
const ManifestName = "rvendor-bundle.json"

// Version is the format version Write writes and readers accept.
const Version = 1

// Limits of a bundle, enforced by every reader.
const (
	MaxManifestSize = 16 << 20 // the manifest member
	MaxMembers      = 65536    // files listed by the manifest
	MaxMemberSize   = 4 << 30  // one file (fetch.MaxDownloadSize: any download fits)
	MaxTotalSize    = 32 << 30 // all files together
	MaxPathLen      = 1024     // one member name, in bytes
	MaxDepth        = 16       // elements of one member name
)

// areas lists the top folders a member may lie in.
const areas = "archives, crates, dist, index"

// isArea reports whether elem is one of areas.
func isArea(elem string) bool {
	switch elem {
	case "archives", "crates", "dist", "index":
		return true
	}
	return false
}

// Errors a *MemberError wraps, for errors.Is.
var (
	ErrUnsafeName = errors.New("unsafe member name")
	ErrNotFile    = errors.New("not a regular file")
	ErrExtra      = errors.New("not listed in the bundle manifest")
	ErrDuplicate  = errors.New("appears twice")
	ErrMissing    = errors.New("listed in the bundle manifest but missing")
	ErrMismatch   = errors.New("does not match the bundle manifest")
	ErrTooLarge   = errors.New("over the bundle limits")
	ErrFormat     = errors.New("not a valid rvendor bundle")
)

// MemberError is a problem with one member (Path "" for the bundle as a
// whole).
type MemberError struct {
	Path string
	Err  error
}

func (e *MemberError) Error() string {
	if e.Path == "" {
		return "bundle: " + e.Err.Error()
	}
	return fmt.Sprintf("bundle member %s: %v", quote.Path(e.Path), e.Err)
}

// Unwrap returns the underlying error.
func (e *MemberError) Unwrap() error { return e.Err }

// Member is one file of a bundle.
type Member struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
	// URL is where the file was fetched from, for the record; readers
	// never use it.
	URL string `json:"url,omitempty"`
}

// Component names a component of the spec a bundle was made for, for
// the record.
type Component struct {
	Name    string `json:"name"`
	Kind    string `json:"kind"`
	Version string `json:"version"`
}

// Manifest is the content of ManifestName.
type Manifest struct {
	Version    int         `json:"rvendor-bundle"`
	Components []Component `json:"components"`
	Files      []Member    `json:"files"`
}

// Bytes returns the total size of m's files.
func (m *Manifest) Bytes() int64 {
	var n int64
	for _, f := range m.Files {
		n += f.Size
	}
	return n
}

// Validate checks m against the format's rules: version, names, sizes,
// digests, order, limits.
func (m *Manifest) Validate() error {
	if m.Version != Version {
		return fmt.Errorf("%w: format version %d, this rvendor reads %d", ErrFormat, m.Version, Version)
	}
	for _, c := range m.Components {
		for _, v := range []string{c.Name, c.Kind, c.Version} {
			if !plainWord(v) {
				return fmt.Errorf("%w: component %q %q %q: names, kinds and versions are 1 to 128 ASCII letters, digits and ._-+~", ErrFormat, c.Name, c.Kind, c.Version)
			}
		}
	}
	if len(m.Files) > MaxMembers {
		return fmt.Errorf("%w: %d files, the limit is %d", ErrTooLarge, len(m.Files), MaxMembers)
	}
	var total int64
	folded := make(map[string]string, len(m.Files))
	for i, f := range m.Files {
		if err := CheckPath(f.Path); err != nil {
			return fileErr(f.Path, err)
		}
		if i > 0 && m.Files[i-1].Path >= f.Path {
			return fileErr(f.Path, fmt.Errorf("%w: the manifest's files are not sorted, or a name appears twice", ErrFormat))
		}
		if f.Size < 0 || f.Size > MaxMemberSize {
			return fileErr(f.Path, fmt.Errorf("%w: size %d (at most %d)", ErrTooLarge, f.Size, int64(MaxMemberSize)))
		}
		if !tree.IsSHA256Hex(f.SHA256) {
			return fileErr(f.Path, fmt.Errorf("%w: sha256 %q is not 64 lowercase hex digits", ErrFormat, f.SHA256))
		}
		if total += f.Size; total > MaxTotalSize {
			return fmt.Errorf("%w: the files add up to more than %d bytes", ErrTooLarge, int64(MaxTotalSize))
		}
		low := strings.ToLower(f.Path)
		if other, ok := folded[low]; ok {
			return fileErr(f.Path, fmt.Errorf("%w: equal to %s up to case", ErrUnsafeName, other))
		}
		folded[low] = f.Path
	}
	// A name that is the folder of another: after sorting, "a/b" is
	// followed (not necessarily at once) by "a/b/c"; "a/b-x" sorts
	// between them, so check every name against its folders.
	for _, f := range m.Files {
		for i := strings.IndexByte(f.Path, '/'); i >= 0; i = next(f.Path, i) {
			if other, ok := folded[strings.ToLower(f.Path[:i])]; ok {
				return fileErr(f.Path, fmt.Errorf("%w: %s is a file", ErrUnsafeName, other))
			}
		}
	}
	return nil
}

// fileErr is a manifest's error about the file it lists as p.
func fileErr(p string, err error) error { return fmt.Errorf("file %s: %w", quote.Path(p), err) }

// next returns the index of the next "/" in p after i, or -1.
func next(p string, i int) int {
	j := strings.IndexByte(p[i+1:], '/')
	if j < 0 {
		return -1
	}
	return i + 1 + j
}

// Marshal returns m as the manifest member's bytes: indented JSON with a
// final newline. It validates m first.
func (m *Manifest) Marshal() ([]byte, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// ParseManifest reads a manifest strictly (unknown fields and trailing
// data refused) and validates it.
func ParseManifest(data []byte) (*Manifest, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var m Manifest
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrFormat, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: data after the JSON object", ErrFormat)
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return &m, nil
}

// CheckPath reports whether p is an acceptable member name (see the
// package documentation); its error wraps ErrUnsafeName and says why,
// without repeating p.
func CheckPath(p string) error {
	bad := func(why string) error { return fmt.Errorf("%w: %s", ErrUnsafeName, why) }
	if p == "" || len(p) > MaxPathLen {
		return bad(fmt.Sprintf("empty, or longer than %d bytes", MaxPathLen))
	}
	elems := strings.Split(p, "/")
	if len(elems) < 2 || len(elems) > MaxDepth {
		return bad(fmt.Sprintf("a member lies in a folder, at most %d elements deep", MaxDepth))
	}
	if !isArea(elems[0]) {
		return bad("the first folder must be one of " + areas)
	}
	for _, e := range elems {
		if e == "" || len(e) > 255 {
			return bad("an empty element, or one longer than 255 bytes (absolute path, or \"//\")")
		}
		if e[0] == '.' {
			return bad(`an element starts with "." ("..", ".", ".git", hidden names)`)
		}
		for i := 0; i < len(e); i++ {
			if !nameByte(e[i]) {
				return bad(fmt.Sprintf("byte %q is not allowed (ASCII letters, digits and ._-+~ only)", e[i]))
			}
		}
	}
	return nil
}

// plainWord reports whether s is 1 to 128 bytes of nameByte: a
// component's name, kind or version, safe to print.
func plainWord(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !nameByte(s[i]) {
			return false
		}
	}
	return true
}

func nameByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '.' || c == '_' || c == '-' || c == '+' || c == '~'
}
