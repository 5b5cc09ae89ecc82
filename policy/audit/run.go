package audit

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/rvendor/rvendor/inventory"
	"github.com/rvendor/rvendor/policy/license"
	"github.com/rvendor/rvendor/tree"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

// KernelLicensesDir is the folder, at the top of the tree (the spec's
// folder), that kernel mode reads the allowed licenses from.
const KernelLicensesDir = "LICENSES"

// Audit builds the inventory of the components named (all when none) and
// audits their licenses, with the spec's clarifications.
func Audit(ctx context.Context, spec *vendorspec.Spec, lock *vendorspec.Lock, sum *vendorspec.Sum, names []string, files bool) (*Report, error) {
	inv, err := inventory.Load(spec, lock, sum, names)
	if err != nil {
		return nil, err
	}
	return Licenses(ctx, inv, Options{Clarifications: spec.Policy.Licenses.Clarifications, Files: files})
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
	k, err := license.LoadKernel(os.DirFS(root))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", abs, err)
	}
	return k, nil
}
