package advisory

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Version is a SemVer 2.0 version: MAJOR.MINOR.PATCH with an optional
// pre-release ("-alpha.1") and build metadata ("+dfsg1"). Versions are
// comparable with ==, which also compares Build; use Compare for
// precedence.
type Version struct {
	Major, Minor, Patch uint64
	Pre                 string // dot-separated identifiers, without the "-"; "" for a release
	Build               string // dot-separated identifiers, without the "+"; never compared
}

// ParseVersion parses a SemVer 2.0 version exactly as Cargo's semver crate
// does: three numbers without leading zeros, an optional pre-release whose
// numeric identifiers have no leading zeros, and optional build metadata.
// No "v" prefix and no surrounding spaces are accepted.
func ParseVersion(s string) (Version, error) {
	v, rest, err := parseVersionPrefix(s)
	if err == nil && rest != "" {
		err = fmt.Errorf("unexpected %q after the version", rest)
	}
	if err != nil {
		return Version{}, fmt.Errorf("version %q: %w", s, err)
	}
	return v, nil
}

// parseVersionPrefix reads a full version from the start of s and returns
// what follows it.
func parseVersionPrefix(s string) (Version, string, error) {
	var v Version
	var err error
	rest := s
	for i, p := range []*uint64{&v.Major, &v.Minor, &v.Patch} {
		if i > 0 {
			if !strings.HasPrefix(rest, ".") {
				return Version{}, "", fmt.Errorf("expected \".\" and the %s number", numberNames[i])
			}
			rest = rest[1:]
		}
		if *p, rest, err = parseNumber(rest, numberNames[i]); err != nil {
			return Version{}, "", err
		}
	}
	if v.Pre, v.Build, rest, err = parseSuffix(rest); err != nil {
		return Version{}, "", err
	}
	return v, rest, nil
}

var numberNames = [3]string{"major", "minor", "patch"}

// parseNumber reads a decimal number without leading zeros that fits in
// a uint64 from the start of s.
func parseNumber(s, what string) (uint64, string, error) {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	if n == 0 {
		return 0, "", fmt.Errorf("expected the %s number", what)
	}
	if n > 1 && s[0] == '0' {
		return 0, "", fmt.Errorf("the %s number %q has a leading zero", what, s[:n])
	}
	u, err := strconv.ParseUint(s[:n], 10, 64)
	if err != nil {
		return 0, "", fmt.Errorf("the %s number %q is too large", what, s[:n])
	}
	return u, s[n:], nil
}

// parseSuffix reads an optional "-pre" and an optional "+build" from the
// start of s.
func parseSuffix(s string) (pre, build, rest string, err error) {
	rest = s
	if strings.HasPrefix(rest, "-") {
		if pre, rest, err = identifiers(rest[1:], true); err != nil {
			return "", "", "", fmt.Errorf("pre-release: %w", err)
		}
	}
	if strings.HasPrefix(rest, "+") {
		if build, rest, err = identifiers(rest[1:], false); err != nil {
			return "", "", "", fmt.Errorf("build metadata: %w", err)
		}
	}
	return pre, build, rest, nil
}

var errEmptyIdentifier = errors.New("empty identifier")

// identifiers reads dot-separated non-empty identifiers of [0-9A-Za-z-]
// from the start of s. For a pre-release (pre), a numeric identifier must
// not have a leading zero.
func identifiers(s string, pre bool) (ids, rest string, err error) {
	i, start, digits := 0, 0, true
	for ; ; i++ {
		var c byte
		if i < len(s) {
			c = s[i]
		}
		switch {
		case c >= '0' && c <= '9':
			continue
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '-':
			digits = false
			continue
		}
		if i == start {
			return "", "", errEmptyIdentifier
		}
		if pre && digits && i-start > 1 && s[start] == '0' {
			return "", "", fmt.Errorf("numeric identifier %q has a leading zero", s[start:i])
		}
		if c != '.' {
			return s[:i], s[i:], nil
		}
		start, digits = i+1, true
	}
}

// String returns the version in SemVer form; ParseVersion reads it back.
func (v Version) String() string {
	s := fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch)
	if v.Pre != "" {
		s += "-" + v.Pre
	}
	if v.Build != "" {
		s += "+" + v.Build
	}
	return s
}

// MarshalText returns String, so that a Version is a string in JSON.
func (v Version) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// UnmarshalText parses text with ParseVersion.
func (v *Version) UnmarshalText(text []byte) error {
	p, err := ParseVersion(string(text))
	if err != nil {
		return err
	}
	*v = p
	return nil
}

// Compare returns -1, 0 or 1 as v has lower, equal or higher precedence
// than w under SemVer 2.0: numbers first, then a pre-release is below its
// release, and pre-releases compare identifier by identifier (numeric
// ones numerically and below alphanumeric ones). Build metadata is
// ignored.
func (v Version) Compare(w Version) int {
	for _, p := range [3][2]uint64{{v.Major, w.Major}, {v.Minor, w.Minor}, {v.Patch, w.Patch}} {
		if p[0] != p[1] {
			if p[0] < p[1] {
				return -1
			}
			return 1
		}
	}
	return comparePre(v.Pre, w.Pre)
}

// comparePre orders pre-release strings; "" (a release) is the highest.
func comparePre(a, b string) int {
	switch {
	case a == b:
		return 0
	case a == "":
		return 1
	case b == "":
		return -1
	}
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		if c := compareIdentifier(as[i], bs[i]); c != 0 {
			return c
		}
	}
	switch {
	case len(as) < len(bs):
		return -1
	case len(as) > len(bs):
		return 1
	}
	return 0
}

func compareIdentifier(a, b string) int {
	an, bn := isNumeric(a), isNumeric(b)
	switch {
	case an && bn:
		// Without leading zeros, the longer number is the larger one.
		a, b = trimZeros(a), trimZeros(b)
		if len(a) != len(b) {
			if len(a) < len(b) {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	case an:
		return -1
	case bn:
		return 1
	}
	return strings.Compare(a, b)
}

func isNumeric(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func trimZeros(s string) string {
	for len(s) > 1 && s[0] == '0' {
		s = s[1:]
	}
	return s
}
