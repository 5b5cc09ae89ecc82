package vendorspec

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unsafe"

	"github.com/pelletier/go-toml/v2"

	"github.com/rvendor/rvendor/tree"
)

// LockVersion is the lock and sum format version this rvendor writes.
const LockVersion = 1

// LockName and SumName are the files rvendor writes beside the spec.
const (
	LockName = "rvendor.lock"
	SumName  = "rvendor.sum"
)

// Lock is the content of rvendor.lock: what each component resolved to and
// the hashes its dest must have.
type Lock struct {
	Version    int                `toml:"version"`
	Components []*LockedComponent `toml:"component"`
}

// LockedComponent records one vendored component. The fields copied from
// the spec (Kind through License) let verify tell when the spec changed
// since the last update.
type LockedComponent struct {
	Name    string   `toml:"name"`
	Kind    string   `toml:"kind"`
	Version string   `toml:"version"`
	URL     string   `toml:"url,omitempty"`
	SHA256  string   `toml:"sha256,omitempty"`
	Root    string   `toml:"root,omitempty"`
	Paths   []string `toml:"paths,omitempty,multiline"`
	Exclude []string `toml:"exclude,omitempty,multiline"`
	Dest    string   `toml:"dest"`
	License string   `toml:"license,omitempty"`
	// SPDXHeader and Readme are the spec's declared transformations
	// (spdx-header, readme). Stamped lists the files (relative to dest)
	// the SPDX header was added to, before the patch queue; Generated
	// the files rvendor wrote itself (README.md), after it. Both are
	// changed from upstream without a patch, and verify accepts them.
	SPDXHeader string   `toml:"spdx-header,omitempty"`
	Readme     bool     `toml:"readme,omitempty"`
	Stamped    []string `toml:"stamped,omitempty,multiline"`
	Generated  []string `toml:"generated,omitempty"`

	// Manifest, ManifestSHA256 and Signer record what was checked for a
	// component from the Rust distribution server: the channel manifest's
	// URL and sha256, and the fingerprint of the key whose signature on it
	// was verified ("unsigned" when the spec allowed an unsigned source).
	Manifest       string `toml:"manifest,omitempty"`
	ManifestSHA256 string `toml:"manifest-sha256,omitempty"`
	Signer         string `toml:"signer,omitempty"`
	// Added lists the source paths rvendor added to Paths because the
	// selected files reference them (#[path], include!, include_str!).
	Added []string `toml:"added,omitempty,multiline"`
	// Crate, Lockfile and Platforms are a crate component's spec keys;
	// LockfileSHA256 is the sha256 of the in-tree lockfile it was
	// vendored from, so that editing that file makes the lock stale.
	Crate          string   `toml:"crate,omitempty"`
	Lockfile       string   `toml:"lockfile,omitempty"`
	LockfileSHA256 string   `toml:"lockfile-sha256,omitempty"`
	Platforms      []string `toml:"platforms,omitempty"`
	// Crates lists every crate of a crate component's closure, as [[component.package]] tables.
	Crates []LockedCrate `toml:"package,omitempty"`
	// Patches is the component's patch queue as applied, in order: the
	// files of the spec's patches folder, each with its sha256 and the
	// paths (relative to dest) it touches. Empty when dest is pristine.
	Patches []LockedPatch `toml:"patch,omitempty"`

	// Upstream is the h1: hash of the selected pristine content; Tree is
	// the h1: hash of dest as it must be on disk, after the patch queue.
	// Both are what dirhash.HashDir(dir, "", dirhash.Hash1) computes.
	Upstream string `toml:"upstream"`
	Tree     string `toml:"tree"`
	// Sum is the s1: hash of the component's lines of rvendor.sum
	// (Sum.ComponentHash), so that the lock commits to every field of
	// them, the mode included, which Tree (a dirhash over paths and
	// sha256s) does not. It is empty in a lock written before rvendor
	// sealed the sum: such a lock still parses, and verify reports the
	// component as not sealed (run rvendor update). SealSum sets it;
	// CheckSumHash checks it.
	Sum   string `toml:"sum,omitempty"`
	Files int    `toml:"files"`
	Bytes int64  `toml:"bytes"`
}

// LockedCrate is one crate of a crate component's locked closure,
// vendored into its own folder below the component's dest.
type LockedCrate struct {
	Name     string `toml:"name"`
	Version  string `toml:"version"`
	Checksum string `toml:"checksum"`          // sha256 of the .crate, as Cargo.lock has it
	License  string `toml:"license,omitempty"` // from the crate's Cargo.toml
	Dir      string `toml:"dir"`               // folder below dest: name, or name-version
	Tree     string `toml:"tree"`              // h1: hash of that folder
	Stub     bool   `toml:"stub,omitempty"`    // replaced by a stub: only other platforms need it
}

// LockedPatch is one applied patch of a component's queue.
type LockedPatch struct {
	Name   string   `toml:"name"`   // file name in the patches folder, e.g. "0001-add-try_push.patch"
	SHA256 string   `toml:"sha256"` // of the patch file's bytes
	Files  []string `toml:"files,multiline"`
}

// Transformed reports whether rvendor itself changed path from upstream:
// stamped with the SPDX header, or generated.
func (c *LockedComponent) Transformed(path string) bool {
	return slices.Contains(c.Stamped, path) || slices.Contains(c.Generated, path)
}

// PatchedBy returns the names of the patches that touch path, in queue
// order.
func (c *LockedComponent) PatchedBy(path string) []string {
	var out []string
	for _, p := range c.Patches {
		if slices.Contains(p.Files, path) {
			out = append(out, p.Name)
		}
	}
	return out
}

// Component returns the locked component named name, or nil.
func (l *Lock) Component(name string) *LockedComponent {
	for _, c := range l.Components {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Set replaces or adds c, keeping components sorted by name.
func (l *Lock) Set(c *LockedComponent) {
	for i, old := range l.Components {
		if old.Name == c.Name {
			l.Components[i] = c
			return
		}
	}
	l.Components = append(l.Components, c)
	sort.Slice(l.Components, func(i, j int) bool { return l.Components[i].Name < l.Components[j].Name })
}

// Remove drops the component named name, if present.
func (l *Lock) Remove(name string) {
	l.Components = slices.DeleteFunc(l.Components, func(c *LockedComponent) bool { return c.Name == name })
}

const lockHeader = "# rvendor.lock: what rvendor vendored and the hashes the tree must have.\n" +
	"# Written by rvendor; do not edit. Per-file hashes are in rvendor.sum.\n"

// Marshal returns the lock's bytes. Equal locks give identical bytes.
func (l *Lock) Marshal() ([]byte, error) {
	c := *l
	c.Version = LockVersion
	sort.Slice(c.Components, func(i, j int) bool { return c.Components[i].Name < c.Components[j].Name })
	var buf bytes.Buffer
	buf.WriteString(lockHeader)
	enc := toml.NewEncoder(&buf)
	enc.SetIndentTables(false)
	if err := enc.Encode(&c); err != nil {
		return nil, fmt.Errorf("encoding lock: %w", err)
	}
	return buf.Bytes(), nil
}

// ReadLock reads a lock file. A missing file gives an empty lock and an
// error for which errors.Is(err, fs.ErrNotExist) holds.
func ReadLock(path string) (*Lock, error) {
	data, err := readFile(path, MaxLockSize)
	if err != nil {
		return &Lock{Version: LockVersion}, err
	}
	return ParseLock(path, data)
}

// ParseLock parses the bytes of a lock file read from path. A leading
// UTF-8 byte order mark is skipped. Every name and path in the lock is
// checked as strictly as the spec's (see the package doc): the lock is a
// committed file, as hostile as the tree it comes with. A problem is an
// *Error at the file:line:col of the bad value.
func ParseLock(path string, data []byte) (*Lock, error) {
	data = trimBOM(data)
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &Error{Pos: Position{File: path, Line: 1, Col: 1}, Msg: "lock file is empty",
			Hint: "restore rvendor.lock from version control or run rvendor update"}
	}
	var l Lock
	dec := toml.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&l); err != nil {
		return nil, &Error{Pos: decodePos(path, err), Msg: "lock file is corrupt: " + decodeMsg(err),
			Hint: "rvendor.lock is written by rvendor; restore it from version control or run rvendor update"}
	}
	if l.Version != LockVersion {
		lp := newLockPositions(path, data)
		if _, written := lp.m["version"]; !written {
			return nil, &Error{Pos: Position{File: path, Line: 1, Col: 1},
				Msg:  "lock file has no version: it is truncated or not an rvendor.lock",
				Hint: "restore rvendor.lock from version control or run rvendor update"}
		}
		return nil, &Error{Pos: lp.at("version"),
			Msg:  fmt.Sprintf("lock format version %d is not supported (this rvendor reads version %d)", l.Version, LockVersion),
			Hint: "use the rvendor release that wrote this lock, or run rvendor update to rewrite it"}
	}
	if err := checkLock(path, data, &l); err != nil {
		return nil, err
	}
	return &l, nil
}

// utf8BOM is the byte order mark some editors put at the start of a file.
var utf8BOM = []byte("\xef\xbb\xbf")

// trimBOM returns data without a leading UTF-8 byte order mark.
func trimBOM(data []byte) []byte { return bytes.TrimPrefix(data, utf8BOM) }

// Sum holds the per-file hashes of every vendored component: the content
// of rvendor.sum. For each component, the h1: hash of its files equals the
// lock's Tree hash, so the two files check each other.
type Sum struct {
	Files map[string][]tree.File // component name -> files sorted by path
	// Pristine records, for the files a patch changed, what upstream
	// has: component name -> path -> the pristine file, or nil when the
	// path is not upstream at all (a patch added it). Paths not listed
	// are identical upstream and in the tree. The h1: hash of the
	// pristine view (PristineFiles) equals the lock's upstream hash.
	Pristine map[string]map[string]*tree.File
}

// PristineFiles returns the pristine upstream files of component name:
// its tree files with the Pristine records applied, sorted by path.
func (s *Sum) PristineFiles(name string) []tree.File {
	over := s.Pristine[name]
	var out []tree.File
	for _, f := range s.Files[name] {
		if p, ok := over[f.Path]; ok {
			if p != nil {
				out = append(out, *p)
			}
			continue
		}
		out = append(out, f)
	}
	inTree := make(map[string]bool, len(s.Files[name]))
	for _, f := range s.Files[name] {
		inTree[f.Path] = true
	}
	for path, p := range over {
		if p != nil && !inTree[path] {
			out = append(out, *p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// SetComponent records the tree files of component name and, from the
// pristine files, which differ upstream.
func (s *Sum) SetComponent(name string, files, pristine []tree.File) {
	if s.Files == nil {
		s.Files = map[string][]tree.File{}
	}
	if s.Pristine == nil {
		s.Pristine = map[string]map[string]*tree.File{}
	}
	s.Files[name] = files
	delete(s.Pristine, name)
	if pristine == nil {
		return
	}
	over := PristineDiff(files, pristine)
	if len(over) > 0 {
		s.Pristine[name] = over
	}
}

// PristineDiff returns the Pristine records that turn files into
// pristine: path -> pristine file (nil when not upstream) for every path
// whose content, size or mode differ.
func PristineDiff(files, pristine []tree.File) map[string]*tree.File {
	over := map[string]*tree.File{}
	up := make(map[string]tree.File, len(pristine))
	for _, f := range pristine {
		up[f.Path] = f
	}
	for _, f := range files {
		p, ok := up[f.Path]
		switch {
		case !ok:
			over[f.Path] = nil
		case p != f:
			pc := p
			over[f.Path] = &pc
		}
		delete(up, f.Path)
	}
	for path, p := range up {
		pc := p
		over[path] = &pc
	}
	return over
}

// Remove drops component name from the sum.
func (s *Sum) Remove(name string) {
	delete(s.Files, name)
	delete(s.Pristine, name)
}

const sumHeader = "# rvendor.sum: mode, size and sha256 of every vendored file, per component.\n" +
	"# Written by rvendor; do not edit. Format: component mode size sha256 path\n"

// pristineField marks a sum line that records the pristine upstream
// version of a file a patch changed: "component upstream mode size sha256
// path", or "component upstream - - - path" when a patch added the path.
const pristineField = "upstream"

// Marshal returns the sum file's bytes, sorted by component and path:
// every component's file lines, then every component's pristine lines.
// The lines of one component are those ComponentHash hashes.
func (s *Sum) Marshal() []byte {
	var b []byte
	b = append(b, sumHeader...)
	names := make([]string, 0, len(s.Files))
	for n := range s.Files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		files := slices.Clone(s.Files[n])
		sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
		for i := range files {
			b = appendFileLine(b, n, "", &files[i], files[i].Path)
		}
	}
	pnames := make([]string, 0, len(s.Pristine))
	for n, over := range s.Pristine {
		if len(over) > 0 {
			pnames = append(pnames, n)
		}
	}
	sort.Strings(pnames)
	for _, n := range pnames {
		paths := make([]string, 0, len(s.Pristine[n]))
		for p := range s.Pristine[n] {
			paths = append(paths, p)
		}
		sort.Strings(paths)
		for _, p := range paths {
			b = appendFileLine(b, n, pristineField, s.Pristine[n][p], p)
		}
	}
	return b
}

// ReadSum reads a sum file. A missing file gives an empty sum and an error
// for which errors.Is(err, fs.ErrNotExist) holds.
func ReadSum(path string) (*Sum, error) { return readSum(path, readFile) }

// MapSum is ReadSum with the file mapped into memory (tree.MapFile), not
// read: the Sum's strings are slices of the mapping, which lasts as long
// as the process.
func MapSum(path string) (*Sum, error) { return readSum(path, tree.MapFile) }

func readSum(path string, read func(string, int64) ([]byte, error)) (*Sum, error) {
	data, err := read(path, MaxSumSize)
	if err != nil {
		return &Sum{Files: map[string][]tree.File{}, Pristine: map[string]map[string]*tree.File{}}, err
	}
	// data is ours alone and never written again (a mapping is never
	// written at all): the parse slices its names and paths out of it
	// without a copy of the whole file.
	data = trimBOM(data)
	if len(data) == 0 {
		return parseSum(path, "")
	}
	return parseSum(path, unsafe.String(&data[0], len(data)))
}

// Size caps of the files rvendor writes; a larger one is refused unread.
const (
	MaxLockSize = 64 << 20  // rvendor.lock
	MaxSumSize  = 256 << 20 // rvendor.sum (about 3 MiB for rustc's 29k files)
)

// readFile reads the regular file at path, at most max bytes: the lock
// and sum are files of a tree cloned from others, so a symbolic link in
// their place is refused (never followed), and so is a FIFO or a device.
// A missing file's error wraps fs.ErrNotExist.
func readFile(path string, max int64) ([]byte, error) { return tree.ReadFile(path, max) }

// ParseSum parses the bytes of a sum file read from path.
//
// A leading UTF-8 byte order mark is skipped, and CRLF line ends read as
// LF. Every component name and path is checked as the lock's are (the
// sum is a committed file, as hostile as the tree): a path that is not
// clean and relative is refused at its file:line:col.
func ParseSum(path string, data []byte) (*Sum, error) {
	return parseSum(path, string(trimBOM(data)))
}

// parseSum parses text, the sum file without its byte order mark.
// sumFilesCap is how many files a sum's text can list: its lines, but no
// more than its bytes allow (the shortest file line, "c 0644 0 <64 hex> p",
// has 75), so that a sum of blank lines cannot ask for more.
func sumFilesCap(text string) int { return min(strings.Count(text, "\n")+1, len(text)/75+1) }

func parseSum(path, text string) (*Sum, error) {
	// verify parses this file on every build: one string holds the data
	// and every name and path is a slice of it, and the files of all
	// components share one array sized from the line count, so a line
	// costs no allocation.
	// The exact count (56 µs for rustc's 3.7 MB sum): an array sized
	// from the length would be 1.7 times too long, and the collector
	// scans all of it.
	all := make([]tree.File, 0, sumFilesCap(text))
	start := 0 // of the current component's files in all
	s := &Sum{Files: map[string][]tree.File{}, Pristine: map[string]map[string]*tree.File{}}
	line := 0
	bad := func(what string) error {
		return &Error{Pos: Position{File: path, Line: line, Col: 1}, Msg: "sum file is corrupt: " + what,
			Hint: "rvendor.sum is written by rvendor; restore it from version control or run rvendor update"}
	}
	var curName string
	flush := func() {
		if curName == "" {
			return
		}
		if prev, ok := s.Files[curName]; ok { // a component met again, further down
			s.Files[curName] = append(slices.Clip(prev), all[start:]...)
		} else {
			s.Files[curName] = all[start:len(all):len(all)]
		}
		start = len(all)
	}
	for len(text) > 0 {
		line++
		var l string
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			l, text = text[:i], text[i+1:]
		} else {
			l, text = text, ""
		}
		l = strings.TrimSuffix(l, "\r") // a sum checked out with CRLF line ends
		if l == "" || l[0] == '#' {
			continue
		}
		name, rest, ok := strings.Cut(l, " ")
		if !ok || name == "" {
			return nil, bad("want \"component mode size sha256 path\"")
		}
		pristine := false
		if r, ok := strings.CutPrefix(rest, pristineField+" "); ok {
			pristine, rest = true, r
		}
		modeS, rest, ok1 := strings.Cut(rest, " ")
		sizeS, rest, ok2 := strings.Cut(rest, " ")
		hashS, filePath, ok3 := strings.Cut(rest, " ")
		if !ok1 || !ok2 || !ok3 || filePath == "" {
			return nil, bad("want \"component mode size sha256 path\"")
		}
		if name != curName && !validName(name) {
			return nil, &Error{Pos: Position{File: path, Line: line, Col: 1},
				Msg:  fmt.Sprintf("security error: component name %q is not valid (lowercase letters, digits and -)", name),
				Hint: sumRestoreHint}
		}
		if why, _ := checkPath(filePath, destPath); why != "" {
			return nil, &Error{Pos: Position{File: path, Line: line, Col: len(l) - len(filePath) + 1},
				Msg:  fmt.Sprintf("security error: component %s lists path %q, which is not a clean path inside its dest: it %s", name, filePath, why),
				Hint: sumRestoreHint}
		}
		if pristine {
			over := s.Pristine[name]
			if over == nil {
				over = map[string]*tree.File{}
				s.Pristine[name] = over
			}
			if _, dup := over[filePath]; dup {
				return nil, bad(fmt.Sprintf("%s lists the upstream version of %s twice", name, filePath))
			}
			if modeS == "-" && sizeS == "-" && hashS == "-" {
				over[filePath] = nil
				continue
			}
		}
		var file tree.File
		switch modeS {
		case "0644":
			file.Mode = 0o644
		case "0755":
			file.Mode = 0o755
		default:
			return nil, bad(fmt.Sprintf("mode %q is not 0644 or 0755", modeS))
		}
		size, err := strconv.ParseInt(sizeS, 10, 64)
		if err != nil || size < 0 {
			return nil, bad(fmt.Sprintf("size %q is not a number", sizeS))
		}
		if !decodeHex(file.SHA256[:], hashS) {
			return nil, bad("sha256 is not 64 lowercase hex digits")
		}
		file.Path, file.Size = filePath, size
		if pristine {
			p := file // a copy: file itself must not escape (one allocation per line)
			s.Pristine[name][filePath] = &p
			continue
		}
		if name != curName {
			flush()
			curName = name
		}
		all = append(all, file)
	}
	flush()
	for n, files := range s.Files {
		if !sort.SliceIsSorted(files, func(i, j int) bool { return files[i].Path < files[j].Path }) {
			sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
		}
		for i := 1; i < len(files); i++ {
			if files[i].Path == files[i-1].Path {
				return nil, &Error{Pos: Position{File: path, Line: 1, Col: 1},
					Msg: fmt.Sprintf("sum file is corrupt: %s lists %s twice", n, files[i].Path)}
			}
		}
	}
	return s, nil
}

// decodeHex decodes 2*len(dst) lowercase hex digits of s into dst.
func decodeHex(dst []byte, s string) bool {
	if len(s) != 2*len(dst) {
		return false
	}
	// One table lookup per digit, and one test per 32 digits: verify
	// decodes every line of rvendor.sum on every build.
	var bad byte
	for i := range dst {
		hi, lo := hexValues[s[2*i]], hexValues[s[2*i+1]]
		bad |= hi | lo
		dst[i] = hi<<4 | lo&0x0f
	}
	return bad&0xf0 == 0
}

// hexValues maps a lowercase hex digit to its value and every other
// byte to 0xff.
var hexValues = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = byte(c - '0')
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] = byte(c-'a') + 10
	}
	return t
}()

// sumRestoreHint is the hint of every security error in rvendor.sum.
const sumRestoreHint = "rvendor.sum is written by rvendor: restore it from version control"

// ErrSumMismatch reports that the sum file does not agree with the lock.
var ErrSumMismatch = errors.New("rvendor.sum does not match rvendor.lock")
