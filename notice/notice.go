// Package notice builds the attribution notice that the permissive
// licenses (MIT, BSD, ISC, Apache-2.0, ...) ask for when their code
// ships, here inside a kernel image: for each vendored package that is
// built in, its license and copyright lines, and the full text of every
// license file vendored with it, each distinct text once. It renders
// the notice as plain text and as one self-contained HTML page.
//
// Invariants:
//   - Only packages whose role is built-in are listed; host-tool
//     packages (bindgen and its crates run on the build machine, they
//     are not in the image) and platform stubs (no upstream code) are
//     left out, and the notice names them and says why.
//   - Every text comes from the tree, read through inventory.ReadFile:
//     only files rvendor.sum lists, each checked against its sha256. A
//     file that differs is an error (run rvendor verify), never printed.
//   - The license files are those of the license audit: LICENSE*,
//     LICENCE*, COPYING*, COPYRIGHT*, NOTICE*, UNLICENSE at any depth,
//     and Cargo.toml's license-file. Copyright lines come from these
//     files only (Copyrights), not from source files.
//   - Texts are told apart by TextHash (their words, white space
//     normalized): each distinct text is printed once, with the packages
//     and files it came from. Texts differing in a copyright line are
//     distinct, so every notice the licenses require is kept verbatim.
//   - Output is deterministic: packages in inventory order, license
//     files in path order, texts in order of first use. Nothing in it
//     depends on the time or the machine.
//   - Every string from the tree is made printable (Sanitize); the text
//     form quotes names as internal/quote does, and the HTML form is
//     escaped by html/template. The page has no scripts and loads
//     nothing: its Content-Security-Policy forbids both.
package notice

import (
	"context"
	"fmt"
	"path"
	"path/filepath"
	"slices"

	"github.com/rvendor/rvendor/inventory"
	"github.com/rvendor/rvendor/policy/audit"
	"github.com/rvendor/rvendor/policy/license"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
	"github.com/rvendor/rvendor/verify"
)

// Notice is the attribution notice of a tree.
type Notice struct {
	Tree     string     `json:"tree"`     // the tree's name: its folder's base name
	Packages []*Package `json:"packages"` // the built-in packages, in inventory order
	Left     []Left     `json:"left_out"` // packages left out, in inventory order
	Texts    []*Text    `json:"texts"`    // every distinct license text, in order of first use
}

// Package is one built-in package of the notice.
type Package struct {
	ID        string `json:"id"` // "component" or "component/crate@version"
	Component string `json:"component"`
	Name      string `json:"name"`
	Version   string `json:"version"`
	Crate     bool   `json:"crate"`
	// License is the concluded license (the declared one when it is a
	// valid SPDX expression); when there is none, the declaration as
	// written, or "".
	License    string   `json:"license"`
	Copyrights []string `json:"copyrights"` // from its license files, each once
	// Texts are the numbers (Text.N) of its license files' texts, in
	// path order.
	Texts []int `json:"texts"`
	// Files are its license files, relative to the tree's root.
	Files []string `json:"files"`
}

// Left is a package the notice leaves out.
type Left struct {
	ID     string `json:"id"`
	Reason string `json:"reason"` // "host-tool" or "stub"
}

// Text is one distinct license text.
type Text struct {
	N        int      `json:"n"`        // its number in the notice, from 1
	Hash     string   `json:"sha256"`   // TextHash of Body
	Licenses []string `json:"licenses"` // the license ids the audit detected in it, sorted
	Files    []string `json:"files"`    // every file it was found in, relative to the root
	Packages []string `json:"packages"` // the IDs of the packages it came with
	Body     string   `json:"text"`
}

// Why a package is left out.
const (
	LeftHostTool = "host-tool"
	LeftStub     = "stub"
)

// Load builds the notice of the tree at spec.Dir from its lock and sum:
// the inventory, and the license audit with the spec's clarifications.
func Load(ctx context.Context, spec *vendorspec.Spec, lock *vendorspec.Lock, sum *vendorspec.Sum) (*Notice, error) {
	// The notice quotes vendored files: only what the lock seals.
	if err := verify.CheckSum(lock, sum); err != nil {
		return nil, err
	}
	inv, err := inventory.Load(spec, lock, sum, nil)
	if err != nil {
		return nil, err
	}
	rep, err := audit.Licenses(ctx, inv, audit.Options{Clarifications: spec.Policy.Licenses.Clarifications})
	if err != nil {
		return nil, err
	}
	return Build(ctx, inv, rep)
}

// Build builds the notice from an inventory and its license audit (one
// audit package per inventory package, in the same order).
func Build(ctx context.Context, inv *inventory.Inventory, rep *audit.Report) (*Notice, error) {
	if len(rep.Packages) != len(inv.Packages) {
		return nil, fmt.Errorf("notice: the audit covers %d packages, the inventory %d", len(rep.Packages), len(inv.Packages))
	}
	n := &Notice{Tree: filepath.Base(inv.Root), Packages: []*Package{}, Left: []Left{}, Texts: []*Text{}}
	byHash := map[string]*Text{}
	for i, p := range inv.Packages {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		switch {
		case p.Role == vendorspec.RoleHostTool:
			n.Left = append(n.Left, Left{ID: p.ID(), Reason: LeftHostTool})
			continue
		case p.Stub:
			n.Left = append(n.Left, Left{ID: p.ID(), Reason: LeftStub})
			continue
		}
		ap := rep.Packages[i]
		np := &Package{ID: p.ID(), Component: p.Component, Name: p.Name, Version: p.Version, Crate: p.Crate,
			License: ap.Concluded, Texts: []int{}, Files: []string{}, Copyrights: []string{}}
		if np.License == "" {
			np.License = Sanitize(p.Declared)
		}
		if err := n.addFiles(inv.Root, p, ap, np, byHash); err != nil {
			return nil, err
		}
		n.Packages = append(n.Packages, np)
	}
	return n, nil
}

// addFiles reads the license files of p (as the audit found them) into
// np and the notice's texts.
func (n *Notice) addFiles(root string, p *inventory.Package, ap *audit.Package, np *Package, byHash map[string]*Text) error {
	seen := map[string]bool{}
	for _, lf := range ap.Files {
		data, err := inventory.ReadFile(root, p, lf.Path, audit.MaxLicenseFileSize)
		if err != nil {
			return fmt.Errorf("reading %s's license file: %w", p.ID(), err)
		}
		rel := path.Join(p.Dir, lf.Path)
		np.Files = append(np.Files, rel)
		for _, c := range Copyrights(data) {
			if !seen[c] {
				seen[c] = true
				np.Copyrights = append(np.Copyrights, c)
			}
		}
		body := Body(data)
		if body == "" {
			continue
		}
		h := TextHash(body)
		t := byHash[h]
		if t == nil {
			t = &Text{N: len(n.Texts) + 1, Hash: h, Body: body, Licenses: []string{}}
			byHash[h] = t
			n.Texts = append(n.Texts, t)
		}
		t.Files = append(t.Files, rel)
		for _, id := range licenseIDs(lf) {
			t.Licenses = addSorted(t.Licenses, id)
		}
		if !slices.Contains(np.Texts, t.N) {
			np.Texts = append(np.Texts, t.N)
		}
		if !slices.Contains(t.Packages, np.ID) {
			t.Packages = append(t.Packages, np.ID)
		}
	}
	return nil
}

// licenseIDs are the licenses a file holds: its clarification's terms,
// or what detection found.
func licenseIDs(lf *audit.LicenseFile) []string {
	if lf.Clarified != "" {
		if e, err := license.Parse(lf.Clarified); err == nil {
			var ids []string
			for _, t := range e.Terms() {
				ids = append(ids, t.String())
			}
			return ids
		}
	}
	return lf.IDs
}

func addSorted(list []string, s string) []string {
	for i, x := range list {
		if x == s {
			return list
		}
		if x > s {
			return append(list[:i], append([]string{s}, list[i:]...)...)
		}
	}
	return append(list, s)
}

// Missing returns the listed packages no license text was found for:
// their license may ask for a text the tree does not hold.
func (n *Notice) Missing() []*Package {
	var out []*Package
	for _, p := range n.Packages {
		if len(p.Texts) == 0 {
			out = append(out, p)
		}
	}
	return out
}
