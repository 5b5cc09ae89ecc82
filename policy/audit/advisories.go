package audit

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/rvendor/rvendor/internal/lazyre"
	"github.com/rvendor/rvendor/policy/advisory"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

// RustLibraryCrates returns the packages of the RustSec "rust"
// collection a vendored Rust library (rust-src, rustc-src) is checked as,
// at its release.
func RustLibraryCrates() []string { return []string{"std", "core", "alloc"} }

var releaseRE = lazyre.New(`^[0-9]+\.[0-9]+\.[0-9]+$`)

// AdvisoryPackages lists what the lock vendors as the advisory database
// names it: every crate of a crate component's closure (stubs left out:
// their code is not vendored), and std, core and alloc at the release of
// each rust-src or rustc-src component. It also returns the components
// it cannot check (a nightly or beta Rust has no release to match).
func AdvisoryPackages(lock *vendorspec.Lock) (pkgs []advisory.Package, unchecked []string) {
	for _, lc := range lock.Components {
		switch lc.Kind {
		case vendorspec.KindCrate:
			for _, c := range lc.Crates {
				if !c.Stub {
					pkgs = append(pkgs, advisory.Package{Name: c.Name, Version: c.Version, Collection: advisory.CollectionCrates, Where: lc.Name})
				}
			}
		case vendorspec.KindRustSrc, vendorspec.KindRustcSrc:
			if !releaseRE().MatchString(lc.Version) {
				unchecked = append(unchecked, fmt.Sprintf("%s (Rust %s is not a release)", lc.Name, lc.Version))
				continue
			}
			for _, n := range RustLibraryCrates() {
				pkgs = append(pkgs, advisory.Package{Name: n, Version: lc.Version, Collection: advisory.CollectionRust, Where: lc.Name})
			}
		default:
			unchecked = append(unchecked, fmt.Sprintf("%s (kind %s has no advisory database)", lc.Name, lc.Kind))
		}
	}
	return pkgs, unchecked
}

// AdvisoryDB returns the database folder: dbFlag when given, else the
// spec's [policy.advisories] db, relative to the spec's folder; "" when
// neither names one.
func AdvisoryDB(spec *vendorspec.Spec, dbFlag string) string {
	db := dbFlag
	if db == "" {
		db = spec.Policy.Advisories.DB
		if db != "" && !filepath.IsAbs(db) {
			db = filepath.Join(spec.Dir, filepath.FromSlash(db))
		}
	}
	return db
}

// AdvisoryReport is the advisory check of a tree.
type AdvisoryReport struct {
	*advisory.Report
	// Unchecked lists components no advisory applies to.
	Unchecked []string
	// Unreadable lists the advisory files that could not be parsed and
	// concern a vendored package: what they say was not checked, so the
	// check fails.
	Unreadable []string
	// Stale is set when the database is older than max-age-days.
	Stale string
}

// CheckAdvisories loads the database at db and checks lock's packages
// against it with the spec's ignores, target and maximum age (now is the
// time the age is measured at).
func CheckAdvisories(spec *vendorspec.Spec, lock *vendorspec.Lock, db string, now time.Time) (*AdvisoryReport, error) {
	d, err := advisory.Load(db)
	if err != nil {
		return nil, err
	}
	a := &spec.Policy.Advisories
	o := advisory.Options{Ignore: map[string]string{}, Now: now, OS: a.OS, Arch: a.Arch}
	for _, x := range a.Ignore {
		o.Ignore[x.ID] = x.Reason
	}
	if a.MaxAgeDays > 0 {
		o.MaxAge = time.Duration(a.MaxAgeDays) * 24 * time.Hour
	}
	pkgs, unchecked := AdvisoryPackages(lock)
	rep, err := d.Check(pkgs, o)
	if rep == nil {
		return nil, err
	}
	out := &AdvisoryReport{Report: rep, Unchecked: unchecked}
	vendored := map[string]bool{}
	for _, p := range pkgs {
		vendored[p.Collection+"/"+p.Name] = true
	}
	for _, u := range rep.Unparsed {
		parts := strings.Split(filepath.ToSlash(u.File), "/")
		if len(parts) == 1 && (parts[0] == advisory.CollectionCrates || parts[0] == advisory.CollectionRust) {
			return nil, fmt.Errorf("the advisory database's %s/ folder cannot be read (%v): nothing in it was checked", parts[0], u.Err)
		}
		if len(parts) >= 2 && vendored[parts[0]+"/"+parts[1]] {
			out.Unreadable = append(out.Unreadable, fmt.Sprintf("%s: %v", u.File, u.Err))
		}
	}
	if se := (*advisory.StaleError)(nil); errors.As(err, &se) {
		out.Stale = se.Error()
		err = nil
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Failed reports whether the check fails: a vulnerability that is not
// ignored, an unreadable advisory about a vendored package, or a database
// older than max-age-days.
func (r *AdvisoryReport) Failed() bool {
	return r.Err() != nil || r.Stale != "" || len(r.Unreadable) > 0
}
