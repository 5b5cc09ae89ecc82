package advisory

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Req is a Cargo version requirement: comparators joined by commas, all of
// which must hold. The zero Req, like "*", matches every release.
type Req struct {
	cmps []comparator
}

// op is a comparator's operator.
type op uint8

const (
	opCaret     op = iota // ^1.2.3, and a bare 1.2.3
	opTilde               // ~1.2.3
	opExact               // =1.2.3
	opGreater             // >1.2.3
	opGreaterEq           // >=1.2.3
	opLess                // <1.2.3
	opLessEq              // <=1.2.3
	opWildcard            // 1.*, 1.2.*
)

var opText = [...]string{opCaret: "^", opTilde: "~", opExact: "=", opGreater: ">", opGreaterEq: ">=", opLess: "<", opLessEq: "<=", opWildcard: ""}

// comparator is one operator and a partial version: minor and patch may be
// missing (1, 1.2, 1.*), and only a full version carries a pre-release.
type comparator struct {
	op                  op
	major, minor, patch uint64
	hasMinor, hasPatch  bool
	pre                 string
}

var errWildcardAlone = errors.New("a wildcard \"*\" must be the only comparator")

// ParseReq parses a version requirement with the syntax and meaning Cargo
// gives it (the semver crate's VersionReq):
//   - "1.2.3" and "^1.2.3" (caret): >=1.2.3, <2.0.0; for 0.y.z the left-most
//     non-zero number is kept: ^0.2.3 is >=0.2.3, <0.3.0 and ^0.0.3 is
//     =0.0.3; ^1.2 is >=1.2.0, <2.0.0, ^0.0 is <0.1.0 and ^1 is <2.0.0;
//   - "~1.2.3" (tilde): >=1.2.3, <1.3.0; ~1.2 is 1.2.*; ~1 is 1.*;
//   - "=", ">", ">=", "<", "<=" with a full or partial version ("<= 1.2"
//     is <1.3.0, "> 1" is >=2.0.0);
//   - "*" alone, and wildcards "1.*", "1.2.*" (also written with x or X);
//   - comparators separated by commas, all of which must hold;
//   - spaces around operators and commas.
//
// A pre-release is only accepted on a full version ("<1.0.0-alpha.2").
// Anything else, including an empty string, a trailing comma, a leading
// "v" and a wildcard next to another comparator, is rejected with the
// text quoted.
func ParseReq(s string) (Req, error) {
	r, err := parseReq(s)
	if err != nil {
		return Req{}, fmt.Errorf("version requirement %q: %w", s, err)
	}
	return r, nil
}

func parseReq(s string) (Req, error) {
	text := strings.TrimLeft(s, " ")
	if rest, ok := cutWildcard(text); ok {
		rest = strings.TrimLeft(rest, " ")
		switch {
		case rest == "":
			return Req{}, nil
		case strings.HasPrefix(rest, ","):
			return Req{}, errWildcardAlone
		}
		return Req{}, fmt.Errorf("unexpected %q after the wildcard", rest)
	}
	var r Req
	for {
		c, rest, err := parseComparator(text)
		if err != nil {
			if w, ok := cutWildcard(text); ok && (strings.TrimLeft(w, " ") == "" || strings.HasPrefix(strings.TrimLeft(w, " "), ",")) {
				return Req{}, errWildcardAlone
			}
			return Req{}, err
		}
		r.cmps = append(r.cmps, c)
		if rest == "" {
			return r, nil
		}
		if !strings.HasPrefix(rest, ",") {
			return Req{}, fmt.Errorf("unexpected %q after a comparator (separate comparators with a comma)", rest)
		}
		text = strings.TrimLeft(rest[1:], " ")
	}
}

// cutWildcard reports whether s starts with a wildcard, and what follows.
func cutWildcard(s string) (string, bool) {
	if s != "" && (s[0] == '*' || s[0] == 'x' || s[0] == 'X') {
		return s[1:], true
	}
	return s, false
}

// parseOp reads an operator; none means caret.
func parseOp(s string) (op, string, bool) {
	for _, o := range []op{opGreaterEq, opLessEq, opGreater, opLess, opExact, opTilde, opCaret} {
		if strings.HasPrefix(s, opText[o]) {
			return o, s[len(opText[o]):], true
		}
	}
	return opCaret, s, false
}

// parseComparator reads one comparator from the start of s and returns
// what follows it, spaces trimmed.
func parseComparator(s string) (comparator, string, error) {
	var c comparator
	o, text, explicit := parseOp(s)
	c.op = o
	text = strings.TrimLeft(text, " ")
	var err error
	if c.major, text, err = parseNumber(text, "major"); err != nil {
		return comparator{}, "", err
	}
	wild := false
	for i, p := range []*uint64{&c.minor, &c.patch} {
		if !strings.HasPrefix(text, ".") {
			break
		}
		text = text[1:]
		if w, ok := cutWildcard(text); ok {
			wild, text = true, w
			if !explicit {
				c.op = opWildcard
			}
			continue
		}
		if wild {
			return comparator{}, "", fmt.Errorf("unexpected %q after a wildcard", text)
		}
		if *p, text, err = parseNumber(text, numberNames[i+1]); err != nil {
			return comparator{}, "", err
		}
		if i == 0 {
			c.hasMinor = true
		} else {
			c.hasPatch = true
		}
	}
	if c.hasPatch {
		// The build metadata of a comparator is read and ignored, as
		// Cargo does.
		if c.pre, _, text, err = parseSuffix(text); err != nil {
			return comparator{}, "", err
		}
	}
	return c, strings.TrimLeft(text, " "), nil
}

// String returns the requirement in the semver crate's canonical form
// ("^1.2.3", ">=1.0.0, <1.4.2", "1.*", "*"); ParseReq reads it back to a
// requirement that matches the same versions.
func (r Req) String() string {
	if len(r.cmps) == 0 {
		return "*"
	}
	parts := make([]string, len(r.cmps))
	for i, c := range r.cmps {
		parts[i] = c.String()
	}
	return strings.Join(parts, ", ")
}

// MarshalText returns String, so that a Req is a string in JSON.
func (r Req) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText parses text with ParseReq.
func (r *Req) UnmarshalText(text []byte) error {
	p, err := ParseReq(string(text))
	if err != nil {
		return err
	}
	*r = p
	return nil
}

func (c comparator) String() string {
	s := opText[c.op] + strconv.FormatUint(c.major, 10)
	switch {
	case c.hasMinor:
		s += "." + strconv.FormatUint(c.minor, 10)
		if c.hasPatch {
			s += "." + strconv.FormatUint(c.patch, 10)
			if c.pre != "" {
				s += "-" + c.pre
			}
		} else if c.op == opWildcard {
			s += ".*"
		}
	case c.op == opWildcard:
		s += ".*"
	}
	return s
}

// Matches reports whether v satisfies every comparator of r. As in Cargo,
// a pre-release version (1.3.0-alpha.3) matches only when, besides, some
// comparator names the same major.minor.patch with a pre-release: ">=
// 1.3.0-alpha.1" matches it, ">= 1.2.0" and "*" do not.
func (r Req) Matches(v Version) bool {
	for _, c := range r.cmps {
		if !c.matches(v) {
			return false
		}
	}
	if v.Pre == "" {
		return true
	}
	for _, c := range r.cmps {
		if c.hasMinor && c.hasPatch && c.pre != "" && c.major == v.Major && c.minor == v.Minor && c.patch == v.Patch {
			return true
		}
	}
	return false
}

func (c comparator) matches(v Version) bool {
	switch c.op {
	case opExact, opWildcard:
		return c.exact(v)
	case opGreater:
		return c.cmp(v) > 0
	case opGreaterEq:
		return c.exact(v) || c.cmp(v) > 0
	case opLess:
		return c.cmp(v) < 0
	case opLessEq:
		return c.exact(v) || c.cmp(v) < 0
	case opTilde:
		return c.tilde(v)
	}
	return c.caret(v)
}

// exact reports whether v agrees with every number c gives, and has c's
// pre-release.
func (c comparator) exact(v Version) bool {
	return v.Major == c.major && (!c.hasMinor || v.Minor == c.minor) &&
		(!c.hasPatch || v.Patch == c.patch) && v.Pre == c.pre
}

// cmp compares v with c's version as the semver crate's matches_greater
// and matches_less do: a missing number never makes v greater or less
// (so >1.2 means >=1.3.0 and <1.2 means <1.2.0).
func (c comparator) cmp(v Version) int {
	if v.Major != c.major {
		return sign(v.Major, c.major)
	}
	if !c.hasMinor {
		return 0
	}
	if v.Minor != c.minor {
		return sign(v.Minor, c.minor)
	}
	if !c.hasPatch {
		return 0
	}
	if v.Patch != c.patch {
		return sign(v.Patch, c.patch)
	}
	return comparePre(v.Pre, c.pre)
}

func sign(a, b uint64) int {
	if a < b {
		return -1
	}
	return 1
}

func (c comparator) tilde(v Version) bool {
	if v.Major != c.major || (c.hasMinor && v.Minor != c.minor) {
		return false
	}
	if c.hasPatch && v.Patch != c.patch {
		return v.Patch > c.patch
	}
	return comparePre(v.Pre, c.pre) >= 0
}

func (c comparator) caret(v Version) bool {
	if v.Major != c.major {
		return false
	}
	if !c.hasMinor {
		return true
	}
	if !c.hasPatch {
		if c.major > 0 {
			return v.Minor >= c.minor
		}
		return v.Minor == c.minor
	}
	switch {
	case c.major > 0:
		if v.Minor != c.minor {
			return v.Minor > c.minor
		}
		if v.Patch != c.patch {
			return v.Patch > c.patch
		}
	case c.minor > 0:
		if v.Minor != c.minor {
			return false
		}
		if v.Patch != c.patch {
			return v.Patch > c.patch
		}
	default:
		if v.Minor != c.minor || v.Patch != c.patch {
			return false
		}
	}
	return comparePre(v.Pre, c.pre) >= 0
}
