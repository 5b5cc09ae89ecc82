package fetch

import (
	"fmt"
	"path"
	"strings"
)

// Limits of Selection.Exclude, checked before the archive is read (and by
// the spec's validation of exclude, which keeps the same numbers). Matching
// an entry's name against the patterns takes at most a constant times
// len(name) × (the patterns' total length) steps, so with these limits an
// entry never costs more than about len(name) × 256 KiB steps, however
// deep the name and however many "**" the patterns hold.
const (
	// MaxExcludePatterns caps the number of exclude patterns.
	MaxExcludePatterns = 256
	// MaxPatternLen caps the length of one exclude pattern, in bytes.
	MaxPatternLen = 1024
)

// segKind is what one element of a compiled pattern matches.
type segKind uint8

const (
	segLiteral segKind = iota // exactly the element s
	segGlob                   // path.Match(s, element)
	segAny                    // "**": any number (zero or more) of elements
)

// segment is one "/"-separated element of a compiled pattern.
type segment struct {
	kind segKind
	s    string
}

// match reports whether the segment (not segAny) matches the element e.
// It adds to *steps, when steps is not nil, an upper bound of the work
// done: path.Match(s, e) makes at most (len(s)+1)*(len(e)+1) byte
// comparisons (it never backtracks over an earlier "*"), and a literal
// comparison fewer.
func (g *segment) match(e string, steps *int) bool {
	if steps != nil {
		*steps += (len(g.s) + 1) * (len(e) + 1)
	}
	if g.kind == segLiteral {
		return g.s == e
	}
	ok, _ := path.Match(g.s, e) // s was checked by compilePattern
	return ok
}

// pattern is one compiled Exclude pattern.
type pattern struct {
	src  string
	segs []segment // for a path pattern, ends with segAny: see match
	base bool      // no "/": one segment, matched against every element
}

// compilePattern checks the Exclude pattern p and compiles it once into
// segments. Consecutive "**" are merged (they match the same names).
func compilePattern(p string) (pattern, error) {
	switch {
	case p == "":
		return pattern{}, fmt.Errorf("empty pattern")
	case len(p) > MaxPatternLen:
		return pattern{}, fmt.Errorf("pattern %.40q... is %d bytes long, over the limit of %d", p, len(p), MaxPatternLen)
	case strings.HasPrefix(p, "/"):
		return pattern{}, fmt.Errorf("pattern %q starts with \"/\": patterns are archive paths, such as \"demo-1.2.0/tests\"", p)
	}
	src := p
	p = strings.TrimSuffix(strings.TrimPrefix(p, "./"), "/")
	elems := strings.Split(p, "/")
	pat := pattern{src: src, base: len(elems) == 1}
	for _, e := range elems {
		if e == "" || e == "." || e == ".." {
			return pattern{}, fmt.Errorf("pattern %q has an empty, \".\" or \"..\" element", p)
		}
		if _, err := path.Match(e, ""); err != nil {
			return pattern{}, fmt.Errorf("pattern %q: %v", p, err)
		}
		switch {
		case e == "**" && !pat.base:
			if n := len(pat.segs); n > 0 && pat.segs[n-1].kind == segAny {
				continue
			}
			pat.segs = append(pat.segs, segment{kind: segAny, s: e})
		case strings.ContainsAny(e, `*?[\`):
			pat.segs = append(pat.segs, segment{kind: segGlob, s: e})
		default:
			pat.segs = append(pat.segs, segment{kind: segLiteral, s: e})
		}
	}
	// A path pattern also excludes everything below what it matches:
	// "a/b" matches "a/b" or a parent folder of the name exactly when
	// "a/b/**" matches the name.
	if !pat.base && pat.segs[len(pat.segs)-1].kind != segAny {
		pat.segs = append(pat.segs, segment{kind: segAny, s: "**"})
	}
	return pat, nil
}

// match reports whether the pattern matches the archive path name (split
// at "/") or one of its parent folders.
func (p *pattern) match(name []string) bool { return p.matchSteps(name, nil) }

// matchSteps is match, adding the work done to *steps when steps is not
// nil (see segment.match).
func (p *pattern) matchSteps(name []string, steps *int) bool {
	if p.base {
		for _, e := range name {
			if p.segs[0].match(e, steps) {
				return true
			}
		}
		return false
	}
	return matchSegments(p.segs, name, steps)
}

// matchSegments reports whether segs matches all of name, where a segAny
// segment matches any number of elements and each other segment one
// element.
//
// It is the two-pointer match of a wildcard pattern (as path.Match does
// for "*" within a name), over elements instead of bytes: it remembers
// only the last "**" seen and, on a mismatch, lets that "**" take one
// more element and retries from just after it. Giving up earlier "**" is
// safe: once the segments up to the last "**" matched a prefix, any way
// to match the rest after a longer prefix also works after the shorter
// one, since the last "**" can take the difference.
//
// Bound: each pair (segment i, element j) is compared at most once. Before
// the first "**", i-j is constant. After the "**" at index s and while no
// later "**" was reached, a retry with that "**" taking elements up to
// k compares only pairs with i-(s+1) == j-k, and k grows with every
// retry; segments past the next "**" are never compared under s again.
// So there are at most len(segs)*len(name) comparisons, and the work is
// at most the sum over segments i and elements j of
// (len(segs[i])+1)*(len(name[j])+1): the pattern's length times the
// name's, up to a constant.
func matchSegments(segs []segment, name []string, steps *int) bool {
	si, ni := 0, 0
	star, starNi := -1, 0 // the last "**" and the elements before its next retry
	for ni < len(name) {
		if si < len(segs) {
			g := &segs[si]
			if g.kind == segAny {
				star, starNi = si, ni
				si++
				continue
			}
			if g.match(name[ni], steps) {
				si++
				ni++
				continue
			}
		}
		if star < 0 {
			return false
		}
		starNi++ // the "**" takes one more element
		si, ni = star+1, starNi
	}
	for si < len(segs) && segs[si].kind == segAny {
		si++
	}
	return si == len(segs)
}
