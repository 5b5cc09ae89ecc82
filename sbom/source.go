package sbom

import (
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"path/filepath"
	"runtime"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/rvendor/rvendor/inventory"
	"github.com/rvendor/rvendor/notice"
	"github.com/rvendor/rvendor/policy/audit"
	"github.com/rvendor/rvendor/policy/license"
	"github.com/rvendor/rvendor/policy/license/detect"
	"github.com/rvendor/rvendor/tree"
	patchq "github.com/rvendor/rvendor/tree/patch"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

// Source is what an SBOM describes: the tree and its vendored packages.
type Source struct {
	Name     string // the tree's name: the base name of Root
	Root     string // the spec's folder
	Packages []*Package
	// Files says whether each package carries its files.
	Files bool
	// LicenseRefs are the LicenseRef- ids used by any package or file,
	// sorted by id.
	LicenseRefs []LicenseRef
}

// Package is one vendored package with what the SBOM says about it.
type Package struct {
	*inventory.Package
	License LicenseInfo
	// Copyrights are the copyright lines of its license files.
	Copyrights []string
	// DependsOn are the indexes in Source.Packages of the crates this
	// root crate depends on.
	DependsOn []int
	// Patches are the patches of its component that touch its files.
	Patches []*Patch
	// Files are its files, with Source.Files only.
	Files []File
}

// LicenseInfo is a package's declared and concluded license.
type LicenseInfo struct {
	// Declared is the canonical SPDX expression of the declaration;
	// "" when there is none or it is not a valid expression.
	Declared string
	// Note says where the license was declared, and how it was read.
	Note string
	// Concluded is the license audit's concluded expression ("" when
	// none), ConcludedFrom how it was concluded.
	Concluded, ConcludedFrom string
	// Files are its license files, relative to the package's folder.
	Files []string
}

// File is one vendored file.
type File struct {
	tree.File
	SHA1 [20]byte
	// Examined says whether the file's type can hold an SPDX tag and it
	// was read for one; Tag is the tag's expression as written ("" when
	// none).
	Examined bool
	Tag      string
}

// Patch is one patch of a component's queue.
type Patch struct {
	Component string
	Name      string   // file name in the patches folder
	Path      string   // relative to the root
	SHA256    string   // of Data, as rvendor.lock records it
	Subject   string   // the patch's subject line
	Files     []string // the paths it touches, relative to the component's dest
	Data      []byte
}

// LicenseRef is the text of a license id that is not on the SPDX list.
type LicenseRef struct {
	ID      string
	Text    string // "NOASSERTION" when no file holds it
	Comment string
}

// Input is what Collect builds a Source from.
type Input struct {
	Inventory *inventory.Inventory
	// PatchDirs maps a component's name to its patch queue folder,
	// relative to the root (the spec's patches key).
	PatchDirs map[string]string
	// Clarifications are the spec's [[policy.licenses.clarify]].
	Clarifications []*vendorspec.Clarification
	// Files reads every file, for per-file hashes and tags.
	Files bool
	// Detector is the license detector for the packages that need the
	// audit; nil makes one.
	Detector *detect.Detector
}

// MaxFileSize caps a vendored file as Files reads it: the cap an update
// extracts files with (fetch.MaxFileSize). A file larger than the sum
// records but under the cap is reported as drift.
const MaxFileSize = 256 << 20

// Load builds the Source of the tree at spec.Dir from its lock and sum,
// after checking that the sum is the one the lock seals.
func Load(ctx context.Context, spec *vendorspec.Spec, lock *vendorspec.Lock, sum *vendorspec.Sum, files bool) (*Source, error) {
	if err := vendorspec.CheckSumHash(lock, sum); err != nil {
		return nil, fmt.Errorf("rvendor.sum does not match rvendor.lock: %w", err)
	}
	inv, err := inventory.Load(spec, lock, sum, nil)
	if err != nil {
		return nil, err
	}
	dirs := map[string]string{}
	for _, c := range spec.Components {
		if c.Patches != "" {
			dirs[c.Name] = c.Patches
		}
	}
	return Collect(ctx, Input{Inventory: inv, PatchDirs: dirs, Clarifications: spec.Policy.Licenses.Clarifications, Files: files})
}

// Collect builds a Source from an inventory.
func Collect(ctx context.Context, in Input) (*Source, error) {
	inv := in.Inventory
	s := &Source{Name: treeName(inv.Root), Root: inv.Root, Files: in.Files}
	for _, p := range inv.Packages {
		s.Packages = append(s.Packages, &Package{Package: p, License: declared(p)})
	}
	audited, err := concludeLicenses(ctx, s, audit.Options{Clarifications: in.Clarifications, Detector: in.Detector})
	if err != nil {
		return nil, err
	}
	if err := readCopyrights(ctx, s); err != nil {
		return nil, err
	}
	if err := readPatches(s, in.PatchDirs); err != nil {
		return nil, err
	}
	linkRoots(s)
	if in.Files {
		if err := readFiles(ctx, s); err != nil {
			return nil, err
		}
	}
	refs, err := licenseRefs(s, audited)
	if err != nil {
		return nil, err
	}
	s.LicenseRefs = refs
	return s, nil
}

func treeName(root string) string {
	n := filepath.Base(root)
	if n == "" || n == "." || n == string(filepath.Separator) {
		return "tree"
	}
	return n
}

// declared reads p's declaration and lists its license files (the
// audit's rule: license.IsLicenseFile, and Cargo's license-file).
func declared(p *inventory.Package) LicenseInfo {
	var li LicenseInfo
	for _, f := range p.Files {
		if license.IsLicenseFile(path.Base(f.Path)) || f.Path == p.LicenseFile {
			li.Files = append(li.Files, f.Path)
		}
	}
	if p.Declared == "" {
		li.Note = "No license declared"
		if p.Crate {
			li.Note = "No license declared in " + p.DeclaredIn
		}
		return li
	}
	e, _, err := license.ParseDeclared(p.Declared)
	if err != nil {
		li.Note = fmt.Sprintf("Declared in %s as %q, which is not an SPDX expression: %v", p.DeclaredIn, p.Declared, err)
		return li
	}
	li.Declared = e.String()
	li.Note = "Declared in " + p.DeclaredIn
	if li.Declared != p.Declared {
		li.Note += fmt.Sprintf(" as %q, read as %s", p.Declared, li.Declared)
	}
	// The audit's rule (audit.conclude): a valid declaration is the
	// concluded license.
	li.Concluded, li.ConcludedFrom = li.Declared, "declared"
	return li
}

// needsAudit reports whether p's concluded license, or the text of a
// LicenseRef- it names, needs the license audit of its files.
func needsAudit(p *Package) bool {
	return p.License.Declared == "" || strings.Contains(p.License.Declared, "LicenseRef-")
}

// concludeLicenses runs the license audit on the packages that need it
// and takes their concluded license from it. It returns the audit of
// each package audited, by index.
func concludeLicenses(ctx context.Context, s *Source, o audit.Options) (map[int]*audit.Package, error) {
	var idx []int
	sub := &inventory.Inventory{Root: s.Root}
	for i, p := range s.Packages {
		if needsAudit(p) {
			idx = append(idx, i)
			sub.Packages = append(sub.Packages, p.Package)
		}
	}
	out := map[int]*audit.Package{}
	if len(idx) == 0 {
		return out, nil
	}
	rep, err := audit.Licenses(ctx, sub, o)
	if err != nil {
		return nil, err
	}
	for j, i := range idx {
		ap := rep.Packages[j]
		out[i] = ap
		s.Packages[i].License.Concluded, s.Packages[i].License.ConcludedFrom = ap.Concluded, ap.ConcludedFrom
	}
	return out, nil
}

// readCopyrights reads each package's license files for their
// copyright lines.
func readCopyrights(ctx context.Context, s *Source) error {
	for _, p := range s.Packages {
		if err := ctx.Err(); err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, rel := range p.License.Files {
			data, err := inventory.ReadFile(s.Root, p.Package, rel, audit.MaxLicenseFileSize)
			if err != nil {
				return fmt.Errorf("reading the license files of %s: %w", p.ID(), err)
			}
			for _, c := range notice.Copyrights(data) {
				if !seen[c] {
					seen[c] = true
					p.Copyrights = append(p.Copyrights, c)
				}
			}
		}
	}
	return nil
}

// PatchError is a patch file that is not what rvendor.lock records.
type PatchError struct {
	Path string
	Err  error
}

// Error names the patch file and what is wrong with it.
func (e *PatchError) Error() string { return e.Path + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *PatchError) Unwrap() error { return e.Err }

// readPatches reads every locked patch from its queue folder, checks it
// against the lock and gives it to the packages whose files it touches.
func readPatches(s *Source, dirs map[string]string) error {
	done := map[string]bool{}
	for _, p := range s.Packages {
		lc := p.Locked
		if lc == nil || len(lc.Patches) == 0 || done[lc.Name] {
			continue
		}
		done[lc.Name] = true
		dir := dirs[lc.Name]
		if dir == "" {
			return &PatchError{Path: lc.Name, Err: fmt.Errorf("rvendor.lock records %d patches for %s, but the spec names no patches folder for it (run rvendor verify)", len(lc.Patches), lc.Name)}
		}
		var pkgs []*Package
		for _, q := range s.Packages {
			if q.Locked == lc {
				pkgs = append(pkgs, q)
			}
		}
		for _, lp := range lc.Patches {
			pt, err := readPatch(s.Root, dir, lc.Name, lp)
			if err != nil {
				return err
			}
			for _, q := range patchTargets(pkgs, lc, pt) {
				q.Patches = append(q.Patches, pt)
			}
		}
	}
	return nil
}

func readPatch(root, dir, comp string, lp vendorspec.LockedPatch) (*Patch, error) {
	rel := path.Join(dir, lp.Name)
	abs, err := tree.InTree(root, rel)
	if err != nil {
		return nil, &PatchError{Path: rel, Err: err}
	}
	data, err := tree.ReadFile(abs, patchq.MaxPatchSize)
	if err != nil {
		return nil, &PatchError{Path: rel, Err: err}
	}
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); got != lp.SHA256 {
		return nil, &PatchError{Path: rel, Err: fmt.Errorf("its sha256 is %s, rvendor.lock records %s: the queue changed since the last update (run rvendor verify)", got, lp.SHA256)}
	}
	pt := &Patch{Component: comp, Name: lp.Name, Path: rel, SHA256: lp.SHA256, Files: lp.Files, Data: data}
	if pp, err := patchq.Parse(lp.Name, data); err == nil {
		pt.Subject = notice.Sanitize(pp.Title)
	}
	return pt, nil
}

// patchTargets returns the packages of component lc that pt changes: the
// component's one package, or the crates holding a file pt touches (the
// root crate, else the first, when it touches none of them).
func patchTargets(pkgs []*Package, lc *vendorspec.LockedComponent, pt *Patch) []*Package {
	if len(pkgs) == 1 {
		return pkgs
	}
	var out []*Package
	for _, q := range pkgs {
		for _, f := range pt.Files {
			if strings.HasPrefix(path.Join(lc.Dest, f), q.Dir+"/") {
				out = append(out, q)
				break
			}
		}
	}
	if len(out) == 0 && len(pkgs) > 0 {
		if r := rootCrate(pkgs, lc); r != nil {
			return []*Package{r}
		}
		return pkgs[:1]
	}
	return out
}

// rootCrate returns the crate a crate component is named for: the
// lock's crate key, else the component's name; at its version when
// several are vendored.
func rootCrate(pkgs []*Package, lc *vendorspec.LockedComponent) *Package {
	name := lc.Crate
	if name == "" {
		name = lc.Name
	}
	var found *Package
	for _, q := range pkgs {
		if q.Crate && q.Name == name {
			if q.Version == lc.Version {
				return q
			}
			if found == nil {
				found = q
			}
		}
	}
	return found
}

// linkRoots sets the DependsOn of each crate component's root crate.
func linkRoots(s *Source) {
	byComp := map[*vendorspec.LockedComponent][]int{}
	var order []*vendorspec.LockedComponent
	for i, p := range s.Packages {
		if !p.Crate || p.Locked == nil {
			continue
		}
		if _, ok := byComp[p.Locked]; !ok {
			order = append(order, p.Locked)
		}
		byComp[p.Locked] = append(byComp[p.Locked], i)
	}
	for _, lc := range order {
		var pkgs []*Package
		for _, i := range byComp[lc] {
			pkgs = append(pkgs, s.Packages[i])
		}
		root := rootCrate(pkgs, lc)
		if root == nil {
			continue
		}
		for _, i := range byComp[lc] {
			if s.Packages[i] != root {
				root.DependsOn = append(root.DependsOn, i)
			}
		}
	}
}

// readFiles reads every file of every package (one package at a time
// per core, through an inventory.Reader): its SHA-1, and its SPDX tag
// where its type can hold one (the audit's rule: license.CommentStyle,
// at most audit.MaxSourceFileSize).
func readFiles(ctx context.Context, s *Source) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for _, p := range s.Packages {
		g.Go(func() error { return readPackageFiles(gctx, s.Root, p) })
	}
	return g.Wait()
}

func readPackageFiles(ctx context.Context, root string, p *Package) error {
	r, err := inventory.Open(root, p.Package)
	if err != nil {
		return err
	}
	defer r.Close()
	p.Files = make([]File, len(p.Package.Files))
	for j, f := range p.Package.Files {
		if err := ctx.Err(); err != nil {
			return err
		}
		data, err := r.ReadFile(f.Path, MaxFileSize)
		if err != nil {
			return err
		}
		out := &p.Files[j]
		out.File, out.SHA1 = f, sha1.Sum(data)
		name := path.Base(f.Path)
		if _, ok := license.CommentStyle(name); ok && f.Size <= audit.MaxSourceFileSize {
			out.Examined = true
			if tag, ok := license.FindTag(name, data); ok {
				out.Tag = notice.Sanitize(tag.Expr)
			}
		}
	}
	return nil
}
