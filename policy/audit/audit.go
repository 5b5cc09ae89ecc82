// Package audit is rvendor's license audit: for each vendored package
// of an inventory, the declared license (normalized where Cargo's
// legacy forms are used), the licenses detected in its license files,
// whether the two agree, and its files' SPDX tags; and the license
// policy of the spec checked against them.
//
// Invariants:
//   - The audit reads only files rvendor.sum lists, and checks each
//     against its recorded sha256 (inventory.ReadFile): it audits what
//     the lock records, and reports a drifted file instead.
//   - A clarification applies only to the file whose full sha256 it
//     names; one that no longer matches is an error, never a fallback to
//     detection.
//   - Every violation names its rule and says how to fix it; every
//     exception and clarification used is printed with its reason, and
//     one that is never used is warned about.
//   - Output is deterministic: packages in inventory order (component,
//     then crate), files sorted.
package audit

import (
	"context"
	"errors"
	"fmt"
	"path"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/rvendor/rvendor/inventory"
	"github.com/rvendor/rvendor/policy/license"
	"github.com/rvendor/rvendor/policy/license/detect"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

// MaxLicenseFileSize caps a license file as the audit reads it.
const MaxLicenseFileSize = 1 << 20

// MaxSourceFileSize caps a source file read for its SPDX tag; larger
// files are left out of the tag counts.
const MaxSourceFileSize = 16 << 20

// Options configure Licenses.
type Options struct {
	Detector *detect.Detector
	// Clarifications are the spec's [[policy.licenses.clarify]].
	Clarifications []*vendorspec.Clarification
	// Files lists every file's tag in the report, not only the counts.
	Files bool
}

// Report is the license audit of an inventory.
type Report struct {
	Packages []*Package `json:"packages"`
	// UnusedClarifications are the clarifications no file matched, as
	// "component[/crate]: path".
	UnusedClarifications []string `json:"unused_clarifications"`
}

// Package is the audit of one vendored package.
type Package struct {
	ID        string `json:"id"`
	Component string `json:"component"`
	Name      string `json:"name"`
	Version   string `json:"version"`
	Crate     bool   `json:"crate"`
	Role      string `json:"role"`
	Dir       string `json:"dir"`

	// Declared is the license as written (DeclaredIn); Normalized the
	// SPDX expression rvendor reads it as, when that differs (Cargo's
	// "MIT/Apache-2.0" is "MIT OR Apache-2.0"); DeclaredError why it
	// cannot be read.
	Declared      string `json:"declared"`
	DeclaredIn    string `json:"declared_in"`
	Normalized    string `json:"normalized,omitempty"`
	DeclaredError string `json:"declared_error,omitempty"`
	LicenseFile   string `json:"license_file,omitempty"` // Cargo.toml's license-file

	// Files are the license files found (LICENSE*, COPYING*, ... at any
	// depth, and license-file).
	Files []*LicenseFile `json:"license_files"`
	// Detected lists every license id detected in the license files.
	Detected []string `json:"detected"`
	// Missing lists declared licenses with no license file detected as
	// them; Undeclared, detected licenses the declaration does not name.
	Missing    []string `json:"missing"`
	Undeclared []string `json:"undeclared"`
	// Concluded is the expression the policy is checked against: the
	// declared one when it is readable, else what the license files say.
	Concluded     string `json:"concluded"`
	ConcludedFrom string `json:"concluded_from"` // "declared", "detected", "clarified" or ""

	Tags TagStats `json:"tags"`

	expr *license.Expr
}

// Mismatch reports whether declared and detected disagree: a license
// file holds a license the declaration does not name.
func (p *Package) Mismatch() bool { return len(p.Undeclared) > 0 }

// Expr returns the parsed concluded expression, nil when none.
func (p *Package) Expr() *license.Expr { return p.expr }

// LicenseFile is one license file of a package.
type LicenseFile struct {
	Path     string   `json:"path"` // relative to the package's folder
	SHA256   string   `json:"sha256"`
	IDs      []string `json:"ids"`      // licenses detected
	Coverage float64  `json:"coverage"` // percent of the text a license pattern matched
	// Clarified is the license a clarification concludes for it, with
	// its reason.
	Clarified string `json:"clarified,omitempty"`
	Reason    string `json:"reason,omitempty"`
	Error     string `json:"error,omitempty"` // drift, or a stale clarification
}

// TagStats counts the SPDX-License-Identifier tags of a package's files
// that can hold a comment.
type TagStats struct {
	Files    int      `json:"files"`    // files of a type that can hold a tag
	Tagged   int      `json:"tagged"`   // with a tag where the kernel's rule puts it
	Untagged []string `json:"untagged"` // with Options.Files only
	// Disagree lists files whose tag is not the concluded license.
	Disagree []FileTag `json:"disagree"`
	// Tagged files, with Options.Files only.
	All []FileTag `json:"all,omitempty"`
	// Drifted lists files that are not what rvendor.sum records: not
	// audited (run rvendor verify).
	Drifted []string `json:"drifted,omitempty"`
}

// FileTag is the tag of one file.
type FileTag struct {
	Path string `json:"path"`
	Tag  string `json:"tag"`
}

// Licenses audits every package of inv.
func Licenses(ctx context.Context, inv *inventory.Inventory, o Options) (*Report, error) {
	if o.Detector == nil {
		o.Detector = detect.NewDetector()
	}
	rep := &Report{Packages: make([]*Package, len(inv.Packages)), UnusedClarifications: []string{}}
	used := make([]bool, len(o.Clarifications))
	var mu sync.Mutex
	// The detector's scanner takes a while to build: build it while the
	// files are read.
	warm := make(chan struct{})
	go func() { o.Detector.Detect(nil); close(warm) }()
	defer func() { <-warm }()
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, p := range inv.Packages {
		g.Go(func() error {
			ap, u, err := auditPackage(gctx, inv.Root, p, o)
			if err != nil {
				return err
			}
			mu.Lock()
			for _, j := range u {
				used[j] = true
			}
			mu.Unlock()
			rep.Packages[i] = ap
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for i, c := range o.Clarifications {
		if !used[i] {
			rep.UnusedClarifications = append(rep.UnusedClarifications, clarName(c)+movedOn(inv, c))
		}
	}
	return rep, nil
}

// movedOn says when a clarification names a crate version that is no
// longer vendored while another version is: its file must be read again.
func movedOn(inv *inventory.Inventory, c *vendorspec.Clarification) string {
	name, version, ok := strings.Cut(c.Crate, "@")
	if !ok {
		return ""
	}
	for _, p := range inv.Packages {
		if p.Crate && p.Component == c.Component && p.Name == name && p.Version != version {
			return fmt.Sprintf(" (crate %s is now at %s: read its license file again and pin the new sha256)", name, p.Version)
		}
	}
	return ""
}

func clarName(c *vendorspec.Clarification) string {
	s := c.Component
	if c.Crate != "" {
		s += "/" + c.Crate
	}
	return s + ": " + c.Path
}

// auditPackage audits p; it returns the indexes of the clarifications
// it used.
func auditPackage(ctx context.Context, root string, p *inventory.Package, o Options) (*Package, []int, error) {
	ap := &Package{ID: p.ID(), Component: p.Component, Name: p.Name, Version: p.Version, Crate: p.Crate,
		Role: p.Role, Dir: p.Dir, Declared: p.Declared, DeclaredIn: p.DeclaredIn, LicenseFile: p.LicenseFile,
		Files: []*LicenseFile{}, Detected: []string{}, Missing: []string{}, Undeclared: []string{}}
	var declared *license.Expr
	if p.Declared != "" {
		e, norm, err := license.ParseDeclared(p.Declared)
		if err != nil {
			ap.DeclaredError = err.Error()
		} else {
			declared, ap.Normalized = e, norm
		}
	}
	r, err := inventory.Open(root, p)
	if err != nil {
		return nil, nil, err
	}
	defer r.Close()
	var used []int
	detected := map[string]bool{}
	var fileExprs []string
	for _, f := range p.Files {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		if !license.IsLicenseFile(path.Base(f.Path)) && f.Path != p.LicenseFile {
			continue
		}
		lf := &LicenseFile{Path: f.Path, SHA256: f.Hex(), IDs: []string{}}
		ap.Files = append(ap.Files, lf)
		data, err := r.ReadFile(f.Path, MaxLicenseFileSize)
		if err != nil {
			// Drift, a link, a file over the cap: this file is not
			// audited, and the report says why; the others are.
			if errors.Is(err, context.Canceled) {
				return nil, nil, err
			}
			lf.Error = err.Error()
			continue
		}
		if j, c := clarificationFor(o.Clarifications, p, f.Path); c != nil {
			used = append(used, j)
			if c.SHA256 != lf.SHA256 {
				lf.Error = "clarification is stale: the file's sha256 is " + lf.SHA256 + ", the clarification pins " + c.SHA256 + "; read the file again and update [[policy.licenses.clarify]]"
				continue // never a fallback to detection
			} else {
				lf.Clarified, lf.Reason = c.License, c.Reason
				fileExprs = append(fileExprs, c.License)
				if e, err := license.Parse(c.License); err == nil {
					for _, t := range e.Terms() {
						detected[t.ID] = true
					}
				}
				continue
			}
		}
		det := o.Detector.Detect(data)
		lf.IDs, lf.Coverage = append(lf.IDs, det.IDs...), det.Coverage
		for _, id := range det.IDs {
			detected[id] = true
		}
		if x := o.Detector.Expr(det); x != "" {
			fileExprs = append(fileExprs, x)
		}
	}
	for id := range detected {
		ap.Detected = append(ap.Detected, id)
	}
	sort.Strings(ap.Detected)
	compare(ap, declared, detected)
	conclude(ap, declared, fileExprs)
	if err := tags(ctx, r, p, ap, o.Files); err != nil {
		return nil, nil, err
	}
	return ap, used, nil
}

// clarificationFor returns the clarification (and its index) that names
// p's file rel.
func clarificationFor(cs []*vendorspec.Clarification, p *inventory.Package, rel string) (int, *vendorspec.Clarification) {
	for j, c := range cs {
		if c.Component != p.Component || c.Path != rel {
			continue
		}
		switch {
		case !p.Crate && c.Crate == "",
			p.Crate && (c.Crate == p.Name || c.Crate == p.Name+"@"+p.Version):
			return j, c
		}
	}
	return -1, nil
}

// compare fills Missing and Undeclared: declared licenses (and WITH
// exceptions) with no text detected, and detected ones not declared.
func compare(ap *Package, declared *license.Expr, detected map[string]bool) {
	if declared == nil {
		return
	}
	ids := map[string]bool{}
	for _, t := range declared.Terms() {
		ids[t.ID] = true
		if t.Exception != "" {
			ids[t.Exception] = true
		}
	}
	for id := range ids {
		if !detected[id] && !strings.HasPrefix(id, "LicenseRef-") {
			ap.Missing = append(ap.Missing, id)
		}
	}
	for id := range detected {
		if !ids[id] {
			ap.Undeclared = append(ap.Undeclared, id)
		}
	}
	sort.Strings(ap.Missing)
	sort.Strings(ap.Undeclared)
}

// conclude sets the concluded expression: the declared one when it is
// readable; otherwise every license file's, joined with AND (each file
// applies), clarified ones first.
func conclude(ap *Package, declared *license.Expr, fileExprs []string) {
	if declared != nil {
		ap.expr, ap.Concluded, ap.ConcludedFrom = declared, declared.String(), "declared"
		return
	}
	if len(fileExprs) == 0 {
		return
	}
	slices.Sort(fileExprs)
	fileExprs = slices.Compact(fileExprs)
	parts := make([]string, len(fileExprs))
	for i, x := range fileExprs {
		parts[i] = "(" + x + ")"
	}
	e, err := license.Parse(strings.Join(parts, " AND "))
	if err != nil {
		return
	}
	ap.expr, ap.Concluded, ap.ConcludedFrom = e, e.String(), "detected"
	for _, f := range ap.Files {
		if f.Clarified != "" {
			ap.ConcludedFrom = "clarified"
		}
	}
}
