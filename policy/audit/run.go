package audit

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"

	"github.com/rvendor/rvendor/inventory"
	"github.com/rvendor/rvendor/policy/license"
	"github.com/rvendor/rvendor/policy/license/detect"
	"github.com/rvendor/rvendor/tree"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
	"github.com/rvendor/rvendor/verify"
)

// KernelLicensesDir is the folder, at the top of the tree (the spec's
// folder), that kernel mode reads the allowed licenses from.
const KernelLicensesDir = "LICENSES"

// Audit builds the inventory of the components named (all when none) and
// audits their licenses, with the spec's clarifications. files lists
// every file's tag; all detects every license licensecheck knows instead
// of the common ones (detect.NewFullDetector).
func Audit(ctx context.Context, spec *vendorspec.Spec, lock *vendorspec.Lock, sum *vendorspec.Sum, names []string, files, all bool) (*Report, error) {
	// The audit reads what the sum records: the sum must be what the
	// lock seals, and every component of the spec vendored as it says.
	if err := verify.CheckSum(lock, sum); err != nil {
		return nil, err
	}
	if err := current(spec, lock, names); err != nil {
		return nil, err
	}
	if err := ValidatePolicy(spec); err != nil {
		return nil, err
	}
	inv, err := inventory.Load(spec, lock, sum, names)
	if err != nil {
		return nil, err
	}
	o := Options{Clarifications: spec.Policy.Licenses.Clarifications, Files: files}
	if all {
		o.Detector = detect.NewFullDetector()
	}
	return Licenses(ctx, inv, o)
}

// NotVendoredError is a component of the spec that the lock does not
// record as the spec says: not vendored yet, or changed since.
type NotVendoredError struct {
	Component string
	Why       string
}

func (e *NotVendoredError) Error() string {
	return fmt.Sprintf("component %s %s: the audit judges what is vendored, so run rvendor update first", e.Component, e.Why)
}

// current refuses to audit a tree whose lock is behind its spec.
func current(spec *vendorspec.Spec, lock *vendorspec.Lock, names []string) error {
	for _, n := range names {
		if spec.Component(n) == nil {
			return fmt.Errorf("no component %q in %s", n, spec.Path)
		}
	}
	for _, c := range spec.Components {
		if len(names) > 0 && !slices.Contains(names, c.Name) {
			continue
		}
		lc := lock.Component(c.Name)
		if lc == nil {
			return &NotVendoredError{Component: c.Name, Why: "is not vendored yet"}
		}
		if st := c.Stale(lc); len(st) > 0 {
			return &NotVendoredError{Component: c.Name, Why: "changed in the spec since the last update (" + st[0] + ")"}
		}
	}
	return nil
}

// ValidatePolicy checks the expressions of the spec's license policy and
// spdx-header keys with the strict parser (the spec's own validation is
// go-spdx's, which accepts "mit" and "GPL-2.0-only+"), each error at its
// place in the spec with the canonical spelling as its hint.
func ValidatePolicy(spec *vendorspec.Spec) error {
	var errs vendorspec.ErrorList
	check := func(expr string, pos vendorspec.Position, what string) {
		if _, err := license.Parse(expr); err != nil {
			hint := "write an SPDX expression as the SPDX list spells it"
			if e, norm, derr := license.ParseDeclared(expr); derr == nil {
				hint = fmt.Sprintf("write %q", orText(norm, e.String()))
			}
			errs = append(errs, &vendorspec.Error{Pos: pos, Msg: fmt.Sprintf("%s %q: %v", what, expr, err), Hint: hint})
		}
	}
	l := &spec.Policy.Licenses
	rules := map[string]*vendorspec.LicenseRules{"": &l.Rules}
	for r, rr := range l.Roles {
		rules[r] = rr
	}
	for _, role := range append([]string{""}, vendorspec.Roles()...) {
		r := rules[role]
		if r == nil {
			continue
		}
		for i, a := range r.Allow {
			check(a, r.Pos.At(fmt.Sprintf("allow[%d]", i)), "allow entry")
		}
	}
	for _, x := range l.Exceptions {
		check(x.License, x.Pos.At("license"), "exception license")
	}
	for _, c := range l.Clarifications {
		check(c.License, c.Pos.At("license"), "clarification license")
	}
	for _, c := range spec.Components {
		if c.SPDXHeader != "" {
			check(c.SPDXHeader, c.Pos.At("spdx-header"), "component "+c.Name+": spdx-header")
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

func orText(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// NeedsKernel reports whether a role's rules are the kernel's.
func NeedsKernel(pol *vendorspec.Licenses) bool {
	for _, r := range vendorspec.Roles() {
		if pol.For(r).Kernel {
			return true
		}
	}
	return false
}

// LoadKernel reads the LICENSES/ folder at the top of the tree at root,
// refusing one that is a symbolic link or leaves the tree.
func LoadKernel(root string) (*license.Kernel, error) {
	abs, err := tree.InTree(root, KernelLicensesDir)
	if err != nil {
		return nil, err
	}
	fi, err := os.Lstat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("licenses.kernel = true, but %s has no %s/ folder: kernel mode reads the allowed licenses from the tree's own LICENSES/ (or set kernel = false and list them in allow)", root, KernelLicensesDir)
	case err != nil:
		return nil, err
	case !fi.IsDir():
		return nil, fmt.Errorf("%s is not a folder", abs)
	}
	// An os.Root: no link below LICENSES/ leads out of the tree.
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	k, err := license.LoadKernel(r.FS())
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", abs, err)
	}
	return k, nil
}
