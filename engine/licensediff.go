package engine

import (
	"fmt"
	"path"
	"sort"

	"github.com/rvendor/rvendor/internal/quote"
	"github.com/rvendor/rvendor/policy/license"
	"github.com/rvendor/rvendor/tree"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

// LicenseChange is one difference in what a component's licenses are
// between the locked version and the new one.
type LicenseChange struct {
	What string `json:"what"` // "license", "crate", "license file"
	Name string `json:"name"` // the component, crate or file
	Old  string `json:"old"`  // "" when added
	New  string `json:"new"`  // "" when removed
}

// String renders c as one line. Names and licenses come from upstream
// (Cargo.toml): they go through quote.Path, so none can forge a line.
func (c LicenseChange) String() string {
	q := quote.Path
	switch {
	case c.Old == "":
		return fmt.Sprintf("%s %s added: %s", c.What, q(c.Name), q(c.New))
	case c.New == "":
		return fmt.Sprintf("%s %s removed (was %s)", c.What, q(c.Name), q(c.Old))
	}
	return fmt.Sprintf("%s %s: %s -> %s", c.What, q(c.Name), q(c.Old), q(c.New))
}

// sameLicense reports whether two declared licenses say the same: equal,
// or equivalent expressions ("MIT/Apache-2.0" and "Apache-2.0 OR MIT").
func sameLicense(a, b string) bool {
	if a == b {
		return true
	}
	ea, _, err1 := license.ParseDeclared(a)
	eb, _, err2 := license.ParseDeclared(b)
	return err1 == nil && err2 == nil && license.Equivalent(ea, eb)
}

// licenseDiff lists how the licenses of a re-vendored component change
// from old to new: its declared license, each crate's (added, removed,
// relicensed; keyed by folder, so two versions of a crate stay apart)
// and its license files (by sha256; oldFiles and newFiles are the
// sum's). Equivalent expressions are the same license. It is empty for a
// new component, and when nothing changed.
func licenseDiff(old, new *vendorspec.LockedComponent, oldFiles, newFiles []tree.File) []LicenseChange {
	if old == nil {
		return nil
	}
	var out []LicenseChange
	if !sameLicense(old.License, new.License) {
		out = append(out, LicenseChange{What: "license", Name: new.Name, Old: orUnset(old.License), New: orUnset(new.License)})
	}
	type crate struct{ name, version, license string }
	key := func(c vendorspec.LockedCrate) string { return c.Name + "\x00" + c.Dir }
	was := map[string]crate{}
	for _, c := range old.Crates {
		was[key(c)] = crate{c.Name, c.Version, c.License}
	}
	now := map[string]crate{}
	for _, c := range new.Crates {
		now[key(c)] = crate{c.Name, c.Version, c.License}
	}
	for k, n := range now {
		o, ok := was[k]
		switch {
		case !ok:
			out = append(out, LicenseChange{What: "crate", Name: n.name + " " + n.version, New: orUnset(n.license)})
		case !sameLicense(o.license, n.license):
			out = append(out, LicenseChange{What: "crate", Name: n.name + " " + o.version + " -> " + n.version, Old: orUnset(o.license), New: orUnset(n.license)})
		}
	}
	for k, o := range was {
		if _, ok := now[k]; !ok {
			out = append(out, LicenseChange{What: "crate", Name: o.name + " " + o.version, Old: orUnset(o.license)})
		}
	}
	out = append(out, licenseFileDiff(oldFiles, newFiles)...)
	sort.Slice(out, func(i, j int) bool {
		if out[i].What != out[j].What {
			return out[i].What < out[j].What
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// licenseFileDiff lists the license files added, removed or changed.
func licenseFileDiff(oldFiles, newFiles []tree.File) []LicenseChange {
	lic := func(files []tree.File) map[string]string {
		m := map[string]string{}
		for _, f := range files {
			if license.IsLicenseFile(path.Base(f.Path)) {
				m[f.Path] = f.Hex()[:12]
			}
		}
		return m
	}
	was, now := lic(oldFiles), lic(newFiles)
	var out []LicenseChange
	for p, h := range now {
		switch o, ok := was[p]; {
		case !ok:
			out = append(out, LicenseChange{What: "license file", Name: p, New: "sha256 " + h})
		case o != h:
			out = append(out, LicenseChange{What: "license file", Name: p, Old: "sha256 " + o, New: "sha256 " + h + " (changed: read it)"})
		}
	}
	for p, h := range was {
		if _, ok := now[p]; !ok {
			out = append(out, LicenseChange{What: "license file", Name: p, Old: "sha256 " + h})
		}
	}
	return out
}

func orUnset(s string) string {
	if s == "" {
		return "(none declared)"
	}
	return s
}
