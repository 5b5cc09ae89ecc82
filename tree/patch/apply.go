package patch

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/bluekeyes/go-gitdiff/gitdiff"
	"github.com/rvendor/rvendor/tree"
)

// Patch is one parsed patch file of a queue.
type Patch struct {
	Name   string // file name, e.g. "0001-add-try_push.patch"
	Data   []byte // the file's bytes
	SHA256 string // of Data, lowercase hex
	Title  string // the subject, without "[PATCH]"
	Files  []*gitdiff.File
}

// PatchError reports a patch file that cannot be parsed or applied.
type PatchError struct {
	Patch string // file name
	Path  string // the file of the tree concerned, if any
	Err   error
}

func (e *PatchError) Error() string {
	if e.Path != "" {
		return fmt.Sprintf("patch %s: %s: %v", e.Patch, e.Path, e.Err)
	}
	return fmt.Sprintf("patch %s: %v", e.Patch, e.Err)
}

func (e *PatchError) Unwrap() error { return e.Err }

// Parse parses the patch file data named name. Renames, copies and
// binary patches are refused.
func Parse(name string, data []byte) (*Patch, error) {
	files, preamble, err := gitdiff.Parse(bytes.NewReader(data))
	if err != nil {
		return nil, &PatchError{Patch: name, Err: err}
	}
	if len(files) == 0 {
		return nil, &PatchError{Patch: name, Err: errors.New("holds no diff")}
	}
	sum := sha256.Sum256(data)
	p := &Patch{Name: name, Data: data, SHA256: hex.EncodeToString(sum[:]), Files: files}
	if h, err := gitdiff.ParsePatchHeader(preamble); err == nil {
		p.Title = h.Title
	}
	seen := map[string]bool{}
	for _, f := range files {
		switch {
		case f.IsRename || f.IsCopy:
			return nil, &PatchError{Patch: name, Path: f.NewName, Err: errors.New("renames and copies are not supported: write them as a deletion and an addition")}
		case f.IsBinary:
			return nil, &PatchError{Patch: name, Path: f.NewName, Err: errors.New("binary patches are not supported")}
		}
		p := filePath(f)
		if !filepath.IsLocal(filepath.FromSlash(p)) || strings.Contains(p, `\`) {
			return nil, &PatchError{Patch: name, Path: p, Err: errors.New("path is not a clean relative path inside dest")}
		}
		if e := reservedElem(p); e != "" {
			return nil, &PatchError{Patch: name, Path: p, Err: fmt.Errorf("path has a %s element: a patch never writes git's or rvendor's own files", e)}
		}
		if seen[p] {
			return nil, &PatchError{Patch: name, Path: p, Err: errors.New("the patch changes this file twice")}
		}
		seen[p] = true
	}
	return p, nil
}

func filePath(f *gitdiff.File) string {
	if f.IsDelete {
		return f.OldName
	}
	return f.NewName
}

// Paths returns the paths the patch touches, sorted.
func (p *Patch) Paths() []string {
	out := make([]string, len(p.Files))
	for i, f := range p.Files {
		out[i] = filePath(f)
	}
	sort.Strings(out)
	return out
}

// Stats returns the diffstat of the patch, sorted by path.
func (p *Patch) Stats() []Stat {
	var out []Stat
	for _, f := range p.Files {
		s := Stat{Path: filePath(f), Status: "modified"}
		switch {
		case f.IsNew:
			s.Status = "added"
		case f.IsDelete:
			s.Status = "deleted"
		case len(f.TextFragments) == 0:
			s.Status = "mode"
		}
		for _, fr := range f.TextFragments {
			s.Added += int(fr.LinesAdded)
			s.Deleted += int(fr.LinesDeleted)
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// ApplyFile applies the change of f exactly to old (nil: absent) and
// returns the new content (nil: deleted).
func ApplyFile(f *gitdiff.File, old *Content) (*Content, error) {
	switch {
	case f.IsNew && old != nil:
		return nil, errors.New("the patch adds this file, but it already exists")
	case !f.IsNew && old == nil:
		return nil, errors.New("the patch changes this file, but it does not exist")
	}
	var src []byte
	mode := fs.FileMode(0o644)
	if old != nil {
		src, mode = old.Data, old.Mode
	}
	var out bytes.Buffer
	if err := gitdiff.Apply(&out, bytes.NewReader(src), f); err != nil {
		return nil, err
	}
	if f.IsDelete {
		if out.Len() != 0 {
			return nil, errors.New("the patch deletes this file, but its content differs")
		}
		return nil, nil
	}
	if f.NewMode != 0 {
		mode = 0o644
		if f.NewMode&0o111 != 0 {
			mode = 0o755
		}
	}
	return &Content{Data: out.Bytes(), Mode: mode}, nil
}

// ApplyDir applies p exactly to the tree at root, in place. On error
// nothing is written.
func ApplyDir(p *Patch, root string) error {
	results := map[string]*Content{}
	for _, f := range p.Files {
		path := filePath(f)
		old, err := Read(root, path)
		if err != nil {
			return &PatchError{Patch: p.Name, Path: path, Err: err}
		}
		nc, err := ApplyFile(f, old)
		if err != nil {
			return &PatchError{Patch: p.Name, Path: path, Err: err}
		}
		results[path] = nc
	}
	for _, path := range p.Paths() {
		if err := Write(root, path, results[path]); err != nil {
			return &PatchError{Patch: p.Name, Path: path, Err: err}
		}
	}
	return nil
}

// ReadQueue reads the patch queue in dir: every *.patch file, in name
// order. A missing dir is an empty queue.
func ReadQueue(dir string) ([]*Patch, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the patch queue: %w", err)
	}
	var out []*Patch
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".patch") || e.IsDir() {
			continue
		}
		if !plainName(e.Name()) {
			return nil, &PatchError{Patch: strconv.Quote(e.Name()), Err: errors.New("a patch file's name may hold only letters, digits and . _ + - (rename it)")}
		}
		data, err := tree.ReadFile(filepath.Join(dir, e.Name()), MaxPatchSize)
		if err != nil {
			return nil, fmt.Errorf("reading the patch queue: %w", err)
		}
		p, err := Parse(e.Name(), data)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b *Patch) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// MaxPatchSize caps one patch file (64 MiB).
const MaxPatchSize = 64 << 20

// plainName reports whether a patch file's name is printable as it is:
// letters, digits and . _ + - only.
func plainName(n string) bool {
	for _, r := range n {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._+-", r)) {
			return false
		}
	}
	return n != ""
}

// reservedElem returns the element of the slash path p that names git's
// or rvendor's own folder (.git, .rvendor, in any letter case), or "".
func reservedElem(p string) string {
	for _, e := range strings.Split(p, "/") {
		if strings.EqualFold(e, ".git") || strings.EqualFold(e, ".rvendor") {
			return e
		}
	}
	return ""
}

// NextName returns the file name for a new patch after queue: the next
// four-digit number and a slug of subject, as git format-patch names it.
func NextName(queue []*Patch, subject string) string {
	n := 0
	for _, p := range queue {
		var k int
		if _, err := fmt.Sscanf(p.Name, "%04d-", &k); err == nil && k > n {
			n = k
		}
	}
	if n < len(queue) {
		n = len(queue)
	}
	return fmt.Sprintf("%04d-%s.patch", n+1, Slug(subject))
}

// Slug turns a subject into a file name part as git format-patch does:
// runs of characters other than letters, digits, "_" and "." become one
// "-", trimmed, at most 52 characters.
func Slug(subject string) string {
	var b strings.Builder
	dash := false
	for _, r := range subject {
		ok := r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '.')
		if ok {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		} else {
			dash = true
		}
	}
	s := strings.Trim(b.String(), ".-")
	if len(s) > 52 {
		s = strings.TrimRight(s[:52], ".-")
	}
	if s == "" {
		s = "patch"
	}
	return s
}
