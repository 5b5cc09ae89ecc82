package advisory

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// Package is one vendored package to check.
type Package struct {
	Name    string // the crate's name, or "std", "core", "alloc", ... for Rust itself
	Version string // SemVer 2.0: for Rust itself, the Rust release ("1.63.0")
	// Collection is CollectionCrates or CollectionRust: which advisories
	// apply.
	Collection string
	Where      string // the caller's label, e.g. the component's name; not used for matching
}

// Finding is an advisory that applies to a package.
type Finding struct {
	Advisory *Advisory
	Package  Package
	// Ignore and Reason are set in Report.Ignored only: the Options.Ignore
	// key (the advisory's ID or an alias) that matched, and its reason.
	Ignore, Reason string
}

// DBInfo says which database a Report was made from.
type DBInfo struct {
	Root       string
	Commit     string
	CommitDate time.Time
	Newest     time.Time
	Advisories int // advisories loaded, withdrawn ones included
}

// Report is the result of Check. Every list of findings is sorted by
// package name, version (by precedence), collection, Where, then advisory
// ID.
type Report struct {
	Vulnerabilities []Finding // advisories without an informational kind
	Informational   []Finding // unmaintained, unsound, notice, ...
	Ignored         []Finding // findings an Options.Ignore entry matched
	// UnusedIgnores are the Options.Ignore keys that matched no finding,
	// sorted: stale exceptions to remove.
	UnusedIgnores []string
	// Unparsed are the database files Load could not read: advisories that
	// were not checked.
	Unparsed []LoadError
	DB       DBInfo
}

// ErrVulnerable is wrapped by Report.Err when a package is vulnerable.
var ErrVulnerable = errors.New("vulnerable packages")

// Err returns nil when no vulnerability was found (informational
// findings, ignored findings and unparsed files do not count), and
// otherwise an error wrapping ErrVulnerable that names the first one.
func (r *Report) Err() error {
	if len(r.Vulnerabilities) == 0 {
		return nil
	}
	f := r.Vulnerabilities[0]
	return fmt.Errorf("%w: %d finding(s), first %s in %s %s", ErrVulnerable, len(r.Vulnerabilities), f.Advisory.ID, f.Package.Name, f.Package.Version)
}

// Options tune Check.
type Options struct {
	// Ignore maps advisory IDs or aliases to the reason they are accepted.
	Ignore map[string]string
	// Now is the time the database's age is measured at; zero means
	// time.Now().
	Now time.Time
	// MaxAge is how old DB.Newest may be at Now; 0 means no limit.
	MaxAge time.Duration
	// OS and Arch are the target, as Rust names them (target_os "linux",
	// target_arch "x86_64"); "" matches any advisory's os or arch list.
	OS, Arch string
}

// StaleError is returned by Check when the database's newest advisory is
// older than Options.MaxAge.
type StaleError struct {
	Newest time.Time     // DB.Newest; zero for a database without advisories
	Now    time.Time     // the time the age was measured at
	MaxAge time.Duration // the limit
}

// Error says how old the newest advisory is and what the limit is.
func (e *StaleError) Error() string {
	if e.Newest.IsZero() {
		return "advisory database is stale: it holds no advisory"
	}
	return fmt.Sprintf("advisory database is stale: its newest advisory is from %s, %d days before %s (the limit is %d days)",
		e.Newest.Format(time.DateOnly), int(e.Now.Sub(e.Newest).Hours()/24), e.Now.Format(time.DateOnly), int(e.MaxAge.Hours()/24))
}

// Check matches pkgs against the database. A package is affected by an
// advisory when its collection and name equal the advisory's, its version
// matches none of Patched and none of Unaffected, the advisory is not
// withdrawn, and the advisory's os and arch lists (when not empty) hold
// o.OS and o.Arch (when not ""). Identical packages are checked once.
//
// Check fails when a package's collection is neither CollectionCrates nor
// CollectionRust or its version does not parse. When the database is
// older than o.MaxAge it returns the complete report together with a
// *StaleError.
func (db *DB) Check(pkgs []Package, o Options) (*Report, error) {
	r := &Report{
		Unparsed: slices.Clone(db.Errors),
		DB: DBInfo{Root: db.Root, Commit: db.Commit, CommitDate: db.CommitDate,
			Newest: db.Newest, Advisories: len(db.Advisories)},
	}
	byName := map[[2]string][]*Advisory{}
	for _, a := range db.Advisories {
		k := [2]string{a.Collection, a.Package}
		byName[k] = append(byName[k], a)
	}
	used := map[string]bool{}
	seen := map[Package]bool{}
	for _, p := range pkgs {
		if seen[p] {
			continue
		}
		seen[p] = true
		if p.Collection != CollectionCrates && p.Collection != CollectionRust {
			return nil, fmt.Errorf("package %s %s: collection %q is neither %q nor %q", p.Name, p.Version, p.Collection, CollectionCrates, CollectionRust)
		}
		v, err := ParseVersion(p.Version)
		if err != nil {
			return nil, fmt.Errorf("package %s: %w", p.Name, err)
		}
		for _, a := range byName[[2]string{p.Collection, p.Name}] {
			if a.IsWithdrawn() || !onTarget(a.OS, o.OS) || !onTarget(a.Arch, o.Arch) || !a.Affects(v) {
				continue
			}
			r.add(Finding{Advisory: a, Package: p}, o.Ignore, used)
		}
	}
	for k := range o.Ignore {
		if !used[k] {
			r.UnusedIgnores = append(r.UnusedIgnores, k)
		}
	}
	sort.Strings(r.UnusedIgnores)
	for _, l := range [][]Finding{r.Vulnerabilities, r.Informational, r.Ignored} {
		sort.Slice(l, func(i, j int) bool { return l[i].less(l[j]) })
	}
	return r, db.checkAge(o)
}

// add files f under Ignored (marking every Ignore key that matches it as
// used), Informational or Vulnerabilities.
func (r *Report) add(f Finding, ignore map[string]string, used map[string]bool) {
	for _, name := range f.Advisory.Names() {
		if reason, ok := ignore[name]; ok {
			used[name] = true
			if f.Ignore == "" {
				f.Ignore, f.Reason = name, reason
			}
		}
	}
	switch {
	case f.Ignore != "":
		r.Ignored = append(r.Ignored, f)
	case f.Advisory.Informational != "":
		r.Informational = append(r.Informational, f)
	default:
		r.Vulnerabilities = append(r.Vulnerabilities, f)
	}
}

// onTarget reports whether target is in list; an empty list or target
// means any.
func onTarget(list []string, target string) bool {
	return len(list) == 0 || target == "" || slices.Contains(list, target)
}

func (f Finding) less(g Finding) bool {
	a, b := f.Package, g.Package
	if a.Name != b.Name {
		return a.Name < b.Name
	}
	if a.Version != b.Version {
		va, _ := ParseVersion(a.Version) // Check parsed both already
		vb, _ := ParseVersion(b.Version)
		if c := va.Compare(vb); c != 0 {
			return c < 0
		}
	}
	for _, c := range [][2]string{{a.Version, b.Version}, {a.Collection, b.Collection}, {a.Where, b.Where}, {f.Advisory.ID, g.Advisory.ID}} {
		if c := strings.Compare(c[0], c[1]); c != 0 {
			return c < 0
		}
	}
	return false
}

// checkAge returns a *StaleError when o.MaxAge is set and the newest
// advisory dated no later than o.Now is older than that: an advisory
// dated in the future cannot keep a database fresh.
func (db *DB) checkAge(o Options) error {
	if o.MaxAge <= 0 {
		return nil
	}
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	var newest time.Time
	for _, a := range db.Advisories {
		if !a.Date.After(now) && a.Date.After(newest) {
			newest = a.Date
		}
	}
	if newest.IsZero() || now.Sub(newest) > o.MaxAge {
		return &StaleError{Newest: newest, Now: now, MaxAge: o.MaxAge}
	}
	return nil
}
