package license

import "fmt"

// AllowList is a set of accepted licenses. Its zero value allows nothing.
type AllowList struct {
	terms map[Term]bool // entries of one term: "MIT", "GPL-2.0+", "Apache-2.0 WITH LLVM-exception"
	sets  [][]Term      // entries of one option of several terms: "MIT AND Zlib"
	exprs []*Expr       // entries with several options: "GPL-2.0 OR MIT"
}

// NewAllowList builds an allow list from entries, each parsed by Parse:
// a term ("MIT", "GPL-2.0+", "Apache-2.0 WITH LLVM-exception") or a whole
// expression ("MIT AND Zlib", "GPL-2.0 OR MIT"). A bad entry is an error
// that names it.
func NewAllowList(entries []string) (AllowList, error) {
	a := AllowList{terms: make(map[Term]bool)}
	for i, s := range entries {
		e, err := Parse(s)
		if err != nil {
			return AllowList{}, fmt.Errorf("allow list entry %d %q: %w", i+1, s, err)
		}
		switch opts := e.Options(); {
		case len(opts) > 1:
			a.exprs = append(a.exprs, e)
		case len(opts[0]) > 1:
			a.sets = append(a.sets, opts[0])
		default:
			a.terms[opts[0][0]] = true
		}
	}
	return a, nil
}

// Allows reports whether e is acceptable:
//   - e is Equivalent to an entry; or
//   - some option of e (Options) is covered: each of its terms is a
//     one-term entry or belongs to a several-term, one-option entry
//     ("MIT AND Zlib") whose terms are all in that option.
//
// So "MIT OR Apache-2.0" passes a list holding "MIT", "MIT AND Zlib"
// needs both (or the entry "MIT AND Zlib"), and an entry "GPL-2.0 OR MIT"
// allows only expressions equivalent to it. Terms compare exactly:
// "Apache-2.0" does not allow "Apache-2.0 WITH LLVM-exception". When e is
// not allowed, unmet lists the terms left uncovered in the option with
// the fewest of them (the first such option), for messages.
func (a AllowList) Allows(e *Expr) (ok bool, unmet []Term) {
	if e == nil {
		return false, nil
	}
	for _, x := range a.exprs {
		if Equivalent(e, x) {
			return true, nil
		}
	}
	best := -1
	for _, o := range e.Options() {
		left := a.uncovered(o)
		if len(left) == 0 {
			return true, nil
		}
		if best < 0 || len(left) < best {
			best, unmet = len(left), left
		}
	}
	return false, unmet
}

// uncovered returns the terms of option o that no entry covers.
func (a AllowList) uncovered(o []Term) []Term {
	in := make(map[Term]bool, len(o))
	for _, t := range o {
		in[t] = true
	}
	covered := make(map[Term]bool)
	for _, set := range a.sets {
		all := true
		for _, t := range set {
			all = all && in[t]
		}
		if all {
			for _, t := range set {
				covered[t] = true
			}
		}
	}
	var left []Term
	for _, t := range o {
		if !a.terms[t] && !covered[t] {
			left = append(left, t)
		}
	}
	return left
}
