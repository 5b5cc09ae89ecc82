// Package inventory is what rvendor has vendored, read back from the
// spec, the lock, the sum and the tree: one Package per component, and
// one per crate of a crate component's closure, each with its files,
// hashes, declared license and role. The license audit, the SBOMs and
// the advisory check all start from it.
//
// Invariants:
//   - It never touches the network and never writes.
//   - Every path comes from rvendor.lock and rvendor.sum, which
//     vendorspec validated when it parsed them; files are read through a
//     Reader: the package's folder is checked once with tree.InTree and
//     opened as an os.Root (no name leads out of it), and each file must
//     be a regular file, not a link, and is capped.
//   - Every file read is hashed and compared with rvendor.sum: bytes
//     that are not what the lock records are a *DriftError, never
//     audited as if they were.
package inventory

import (
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/pelletier/go-toml/v2"

	"github.com/rvendor/rvendor/tree"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

// MaxManifestSize caps a crate's Cargo.toml as the inventory reads it.
const MaxManifestSize = 4 << 20

// Inventory is every vendored package of a tree.
type Inventory struct {
	Root     string // the spec's folder
	Packages []*Package
}

// Package is one vendored component, or one crate of a crate
// component's closure.
type Package struct {
	Component string // the component it belongs to
	Kind      string // the component's kind
	Role      string // vendorspec.RoleBuiltIn or RoleHostTool
	Name      string // component name, or crate name
	Version   string
	Crate     bool   // one crate of a crate component
	Stub      bool   // a crate replaced by a platform stub
	URL       string // archive or .crate URL as the lock records it ("" when unknown)
	SHA256    string // of the archive or .crate
	Signer    string // fingerprint of the key that signed a Rust dist manifest

	// Declared is the license its metadata declares: the spec's license
	// for a component, Cargo.toml's license for a crate; DeclaredIn
	// says which file ("rvendor.toml", or the crate's Cargo.toml path).
	Declared, DeclaredIn string
	// LicenseFile is Cargo.toml's license-file, relative to Dir.
	LicenseFile string

	Dir   string      // relative to Root, slash-separated
	Files []tree.File // relative to Dir, from rvendor.sum
	// Locked is the component's lock entry.
	Locked *vendorspec.LockedComponent
}

// PURL is the package URL of p: pkg:cargo/NAME@VERSION for a crate;
// for the Rust kinds, pkg:generic/rust-src@VERSION (or rustc-src), and
// for an archive, pkg:generic/NAME@VERSION (NAME is the spec's component
// name; the SBOM carries the archive's URL and sha256 beside it).
func (p *Package) PURL() string {
	switch {
	case p.Crate:
		return "pkg:cargo/" + p.Name + "@" + p.Version
	case p.Kind == vendorspec.KindRustSrc, p.Kind == vendorspec.KindRustcSrc:
		return "pkg:generic/" + p.Kind + "@" + p.Version
	}
	return "pkg:generic/" + p.Name + "@" + p.Version
}

// ID names p in reports: "component" or "component/crate@version".
func (p *Package) ID() string {
	if p.Crate {
		return p.Component + "/" + p.Name + "@" + p.Version
	}
	return p.Name
}

// Path returns the path of p's file rel, relative to the root.
func (p *Package) Path(rel string) string { return path.Join(p.Dir, rel) }

// Load builds the inventory of the tree at spec.Dir from its lock and
// sum, for the components named (all when none). Crate components read
// each crate's Cargo.toml for its license and license-file.
func Load(spec *vendorspec.Spec, lock *vendorspec.Lock, sum *vendorspec.Sum, names []string) (*Inventory, error) {
	inv := &Inventory{Root: spec.Dir}
	for _, n := range names {
		if lock.Component(n) == nil {
			return nil, fmt.Errorf("component %q is not vendored (rvendor.lock has no entry for it): run rvendor update, or name one of %s", n, strings.Join(componentNames(lock), ", "))
		}
	}
	for _, lc := range lock.Components {
		if len(names) > 0 && !slices.Contains(names, lc.Name) {
			continue
		}
		role := vendorspec.RoleBuiltIn
		if c := spec.Component(lc.Name); c != nil {
			role = c.RoleOf()
		}
		files := sum.Files[lc.Name]
		if lc.Kind != vendorspec.KindCrate {
			inv.Packages = append(inv.Packages, &Package{
				Component: lc.Name, Kind: lc.Kind, Role: role, Name: lc.Name, Version: lc.Version,
				URL: lc.URL, SHA256: lc.SHA256, Signer: lc.Signer,
				Declared: lc.License, DeclaredIn: vendorspec.SpecName,
				Dir: lc.Dest, Files: files, Locked: lc,
			})
			continue
		}
		pkgs, err := crates(spec, lc, role, files)
		if err != nil {
			return nil, err
		}
		inv.Packages = append(inv.Packages, pkgs...)
	}
	return inv, nil
}

func componentNames(lock *vendorspec.Lock) []string {
	var out []string
	for _, c := range lock.Components {
		out = append(out, c.Name)
	}
	return out
}

// crates returns one package per crate of the crate component lc, its
// files taken from the component's by folder.
func crates(spec *vendorspec.Spec, lc *vendorspec.LockedComponent, role string, files []tree.File) ([]*Package, error) {
	byDir := map[string][]tree.File{}
	for _, f := range files {
		dir, rest, ok := strings.Cut(f.Path, "/")
		if !ok {
			continue // cargo-config.toml and the like, at the top of dest
		}
		f.Path = rest
		byDir[dir] = append(byDir[dir], f)
	}
	var out []*Package
	for _, cr := range lc.Crates {
		p := &Package{
			Component: lc.Name, Kind: lc.Kind, Role: role, Name: cr.Name, Version: cr.Version,
			Crate: true, Stub: cr.Stub, SHA256: cr.Checksum, URL: crateURL(spec, cr),
			Dir: path.Join(lc.Dest, cr.Dir), Files: byDir[cr.Dir], Locked: lc,
		}
		sort.Slice(p.Files, func(i, j int) bool { return p.Files[i].Path < p.Files[j].Path })
		if err := readManifest(spec.Dir, p); err != nil {
			return nil, err
		}
		if p.Declared == "" {
			p.Declared = cr.License
		}
		out = append(out, p)
	}
	return out, nil
}

// crateURL is where crates.io serves cr; "" when the spec names another
// registry, whose download URL the lock does not record.
func crateURL(spec *vendorspec.Spec, cr vendorspec.LockedCrate) string {
	if spec.Sources.CratesIndex != "" {
		return ""
	}
	return "https://static.crates.io/crates/" + cr.Name + "/" + cr.Name + "-" + cr.Version + ".crate"
}

// readManifest sets p's Declared and LicenseFile from its Cargo.toml,
// checking the bytes read against rvendor.sum.
func readManifest(root string, p *Package) error {
	data, err := ReadFile(root, p, "Cargo.toml", MaxManifestSize)
	if err != nil {
		return err
	}
	var m struct {
		Package struct {
			License     string `toml:"license"`
			LicenseFile string `toml:"license-file"`
		} `toml:"package"`
	}
	if err := toml.Unmarshal(data, &m); err != nil {
		return fmt.Errorf("%s: %w", p.Path("Cargo.toml"), err)
	}
	p.Declared, p.LicenseFile = strings.TrimSpace(m.Package.License), path.Clean(filepath.ToSlash(m.Package.LicenseFile))
	if m.Package.LicenseFile == "" {
		p.LicenseFile = ""
	}
	p.DeclaredIn = p.Path("Cargo.toml")
	return nil
}

// DriftError is a file whose bytes are not what rvendor.sum records.
type DriftError struct{ Path string }

func (e *DriftError) Error() string {
	return fmt.Sprintf("%s differs from rvendor.sum: the audit reads only what the lock records (run rvendor verify)", e.Path)
}

// File returns p's file rel as rvendor.sum records it.
func (p *Package) File(rel string) (tree.File, bool) {
	i, ok := slices.BinarySearchFunc(p.Files, rel, func(f tree.File, r string) int { return strings.Compare(f.Path, r) })
	if !ok {
		return tree.File{}, false
	}
	return p.Files[i], true
}

// ReadFile reads p's file rel (at most max bytes) from the tree at root
// and checks it against rvendor.sum: a file the sum does not list, or
// whose bytes differ, is a *DriftError. To read many files of one
// package, Open it once.
func ReadFile(root string, p *Package, rel string, max int64) ([]byte, error) {
	r, err := Open(root, p)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return r.ReadFile(rel, max)
}

// Reader reads the files of one package. Its folder is checked once
// (inside the tree, no symbolic link on the way: tree.InTree) and opened
// as an os.Root, so no file name can lead out of it; each file must be a
// regular file (not a link), is capped, and is checked against
// rvendor.sum as it is read.
type Reader struct {
	p    *Package
	root *os.Root
	buf  []byte
}

// Open returns a Reader of p's files in the tree at root.
func Open(root string, p *Package) (*Reader, error) {
	abs, err := tree.InTree(root, p.Dir)
	if err != nil {
		return nil, err
	}
	r, err := os.OpenRoot(abs)
	if err != nil {
		return nil, err
	}
	return &Reader{p: p, root: r}, nil
}

// Close releases the package's folder.
func (r *Reader) Close() error { return r.root.Close() }

// open opens rel for reading, refusing what rvendor.sum does not list,
// links and irregular files, and files over max bytes.
func (r *Reader) open(rel string, max int64) (*os.File, tree.File, error) {
	f, ok := r.p.File(rel)
	if !ok {
		return nil, f, &DriftError{Path: r.p.Path(rel)}
	}
	fi, err := r.root.Lstat(filepath.FromSlash(rel))
	if err != nil {
		return nil, f, err
	}
	if !fi.Mode().IsRegular() {
		return nil, f, fmt.Errorf("%s is not a regular file: rvendor reads only regular files of the tree", r.p.Path(rel))
	}
	if fi.Size() > max {
		return nil, f, fmt.Errorf("%s is over the %d-byte limit", r.p.Path(rel), max)
	}
	fd, err := r.root.Open(filepath.FromSlash(rel))
	return fd, f, err
}

// ReadFile reads rel (at most max bytes), checked against rvendor.sum.
func (r *Reader) ReadFile(rel string, max int64) ([]byte, error) {
	fd, f, err := r.open(rel, max)
	if err != nil {
		return nil, err
	}
	defer fd.Close()
	data := make([]byte, f.Size+1)
	n, err := io.ReadFull(fd, data)
	if err != io.ErrUnexpectedEOF && err != io.EOF && err != nil {
		return nil, err
	}
	data = data[:n]
	if int64(n) != f.Size || sha256.Sum256(data) != f.SHA256 {
		return nil, &DriftError{Path: r.p.Path(rel)}
	}
	return data, nil
}

// Head returns the first n bytes of rel (at most max bytes long),
// hashing the whole file as it streams through one buffer and checking
// it against rvendor.sum: what a scan of file heads (SPDX tags) needs,
// without holding whole files.
func (r *Reader) Head(rel string, max int64, n int) ([]byte, error) {
	fd, f, err := r.open(rel, max)
	if err != nil {
		return nil, err
	}
	defer fd.Close()
	if r.buf == nil {
		r.buf = make([]byte, 64<<10)
	}
	h := sha256.New()
	var head []byte
	var total int64
	for {
		k, err := fd.Read(r.buf)
		if k > 0 {
			if len(head) < n {
				head = append(head, r.buf[:min(k, n-len(head))]...)
			}
			h.Write(r.buf[:k])
			total += int64(k)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	var sum [32]byte
	h.Sum(sum[:0])
	if total != f.Size || sum != f.SHA256 {
		return nil, &DriftError{Path: r.p.Path(rel)}
	}
	return head, nil
}
