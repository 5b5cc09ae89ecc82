package policy

import (
	"fmt"
	"strconv"
	"strings"

	goversion "github.com/hashicorp/go-version"

	"github.com/rvendor/rvendor/internal/lazyre"
)

// Version is a tool's version as the kernel's scripts/rust_is_available.sh
// reads it: the numeric X.Y.Z release, with whatever the tool printed
// after it kept aside. "1.80.0-nightly" and "1.63.0+dfsg1" both have
// Release "1.80.0" / "1.63.0"; the suffix never takes part in comparisons,
// as it does not in the kernel's own check.
type Version struct {
	Major, Minor, Patch int
	Suffix              string // "-nightly", "-beta.5", "+dfsg1", "-1ubuntu1.1", "git", or ""
}

// Release returns "X.Y.Z".
func (v Version) Release() string { return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch) }

// String returns the version as the tool printed it: Release plus Suffix.
func (v Version) String() string { return v.Release() + v.Suffix }

// IsZero reports whether v is the zero Version (nothing was parsed).
func (v Version) IsZero() bool { return v == Version{} }

// Compare returns -1, 0 or 1 as v's release is below, equal to or above
// w's. Suffixes are ignored.
func (v Version) Compare(w Version) int {
	for _, d := range [3]int{v.Major - w.Major, v.Minor - w.Minor, v.Patch - w.Patch} {
		switch {
		case d < 0:
			return -1
		case d > 0:
			return 1
		}
	}
	return 0
}

var releaseRE = lazyre.New(`^([0-9]+)\.([0-9]+)\.([0-9]+)([-+.~][0-9A-Za-z.+~-]*|[A-Za-z][0-9A-Za-z.+~-]*)?$`)

// ParseVersion parses "X.Y.Z" with an optional suffix ("-nightly",
// "+dfsg1", "git").
func ParseVersion(s string) (Version, error) {
	m := releaseRE().FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return Version{}, fmt.Errorf("%q is not a version of the form X.Y.Z", s)
	}
	var v Version
	var err error
	for i, p := range []*int{&v.Major, &v.Minor, &v.Patch} {
		if *p, err = strconv.Atoi(m[i+1]); err != nil {
			return Version{}, fmt.Errorf("%q: %w", s, err)
		}
	}
	v.Suffix = m[4]
	return v, nil
}

// Rust release channels, as RustcInfo.Channel reports them.
const (
	ChannelStable  = "stable"
	ChannelBeta    = "beta"
	ChannelNightly = "nightly"
	ChannelDev     = "dev" // built from source with a -dev suffix
)

// RustcInfo is what `rustc --version --verbose` says about a compiler.
type RustcInfo struct {
	Version    Version
	Channel    string // stable, beta, nightly or dev
	CommitHash string // full or short hash; "" when rustc says "unknown"
	CommitDate string // YYYY-MM-DD; "" when unknown
	Host       string
	LLVM       Version // zero when rustc does not say (built without LLVM info)
	Line       string  // the first line of the output, as printed
}

var (
	// The kernel's sed: '1s:.*rustc ([0-9]+\.[0-9]+\.[0-9]+).*:\1:p'. The
	// greedy prefix makes the last "rustc X.Y.Z" of the line count.
	rustcLineRE = lazyre.New(`^.*rustc ([0-9]+\.[0-9]+\.[0-9]+)([^ ]*)(?: \(([0-9a-f]+) ([0-9]{4}-[0-9]{2}-[0-9]{2})\))?`)
	dateRE      = lazyre.New(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
)

// ParseRustcVersion parses the output of `rustc --version --verbose` (or
// of `rustc --version`, which gives no LLVM version). The version is read
// as the kernel's scripts/rust_is_available.sh reads it: the last
// "rustc X.Y.Z" of the first line, whatever comes before or after it (the
// "release:" line of --verbose is not looked at). It accepts every channel
// and distributions' suffixes:
//
//	rustc 1.78.0 (9b00956e5 2024-04-29)
//	rustc 1.79.0-beta.5 (f2b3c4d5e 2024-06-01)
//	rustc 1.80.0-nightly (a1b2c3d 2024-05-01)
//	rustc 1.63.0
//	rustc 1.63.0+dfsg1
//	rustc 1.96.0 (ac68faa20 2026-05-25) (built from a source tarball)
func ParseRustcVersion(out string) (RustcInfo, error) {
	var info RustcInfo
	lines := strings.Split(strings.ReplaceAll(out, "\r\n", "\n"), "\n")
	first := strings.TrimSpace(lines[0])
	m := rustcLineRE().FindStringSubmatch(first)
	if m == nil {
		return info, fmt.Errorf("unexpected rustc version output %q: want \"rustc X.Y.Z ...\"", first)
	}
	v, err := kernelVersion(m[1], m[2])
	if err != nil {
		return info, err
	}
	info.Version, info.CommitHash, info.CommitDate = v, m[3], m[4]
	info.Line = first
	for _, l := range lines[1:] {
		k, val, ok := strings.Cut(strings.TrimSpace(l), ":")
		if !ok {
			continue
		}
		val = strings.TrimSpace(val)
		switch k {
		case "commit-hash":
			if val != "unknown" {
				info.CommitHash = val
			}
		case "commit-date":
			if dateRE().MatchString(val) {
				info.CommitDate = val
			}
		case "host":
			info.Host = val
		case "LLVM version":
			if lv, err := parseLooseVersion(val); err == nil {
				info.LLVM = lv
			}
		}
	}
	suf := info.Version.Suffix
	switch {
	case strings.HasPrefix(suf, "-nightly"):
		info.Channel = ChannelNightly
	case strings.HasPrefix(suf, "-beta"):
		info.Channel = ChannelBeta
	case strings.HasPrefix(suf, "-dev"):
		info.Channel = ChannelDev
	default:
		info.Channel = ChannelStable
	}
	return info, nil
}

// parseLooseVersion parses "X.Y.Z" or "X.Y" (LLVM prints "17.0" in some
// builds) at the start of s.
func parseLooseVersion(s string) (Version, error) {
	m := looseRE().FindStringSubmatch(s)
	if m == nil {
		return Version{}, fmt.Errorf("%q is not a version", s)
	}
	v := Version{Suffix: m[4]}
	v.Major, _ = strconv.Atoi(m[1])
	v.Minor, _ = strconv.Atoi(m[2])
	if m[3] != "" {
		v.Patch, _ = strconv.Atoi(m[3])
	}
	return v, nil
}

var looseRE = lazyre.New(`^([0-9]+)\.([0-9]+)(?:\.([0-9]+))?([^ ]*)`)

// suffixRE is the part of what follows X.Y.Z that is kept as a
// Version's Suffix; the rest ("(a8314ef7d") is dropped.
var suffixRE = lazyre.New(`^(?:[-+.~][0-9A-Za-z.+~-]*|[A-Za-z][0-9A-Za-z.+~-]*)`)

// kernelVersion makes the Version of a release "X.Y.Z" that the kernel's
// sed matched, keeping of rest (what followed it up to a space) what is a
// suffix.
//
// Each number is read as the script's shell arithmetic reads it: with a
// leading 0 it is octal ("1.010.0" is 1.8.0), and "08" is no number at
// all (the script then fails).
func kernelVersion(release, rest string) (Version, error) {
	var v Version
	parts := strings.Split(release, ".")
	if len(parts) != 3 {
		return Version{}, fmt.Errorf("%q is not a version of the form X.Y.Z", release)
	}
	for i, p := range []*int{&v.Major, &v.Minor, &v.Patch} {
		base := 10
		if len(parts[i]) > 1 && parts[i][0] == '0' {
			base = 8
		}
		n, err := strconv.ParseInt(parts[i], base, 32)
		if err != nil {
			return Version{}, fmt.Errorf("version %q: the kernel's scripts cannot read %q as a number (a leading 0 makes it octal): %w", release, parts[i], err)
		}
		*p = int(n)
	}
	v.Suffix = suffixRE().FindString(rest)
	return v, nil
}

// firstLineOf returns out's first line, as sed's address 1 sees it: not
// trimmed first, so that output starting with an empty line has none.
func firstLineOf(out string) string {
	first, _, _ := strings.Cut(out, "\n")
	return strings.TrimSpace(first)
}

// The kernel's sed for bindgen: '1s:.*bindgen ([0-9]+\.[0-9]+\.[0-9]+).*:\1:p'.
var bindgenLineRE = lazyre.New(`^.*bindgen ([0-9]+\.[0-9]+\.[0-9]+)([^ ]*)`)

// ParseBindgenVersion parses the first line of `bindgen --version`
// ("bindgen 0.65.1"), the way the kernel does: the last "bindgen X.Y.Z"
// of the first line.
func ParseBindgenVersion(out string) (Version, error) {
	first := firstLineOf(out)
	m := bindgenLineRE().FindStringSubmatch(first)
	if m == nil {
		return Version{}, fmt.Errorf("unexpected bindgen version output %q: want \"bindgen X.Y.Z\"", first)
	}
	return kernelVersion(m[1], m[2])
}

// The kernel's sed for $CC: '1s:.*version ([0-9]+\.[0-9]+\.[0-9]+).*:\1:p'.
var clangLineRE = lazyre.New(`^.*version ([0-9]+\.[0-9]+\.[0-9]+)([^ ]*)`)

// ParseClangVersion parses the first line of `clang --version`:
// "Debian clang version 14.0.6", "clang version 18.1.8 (Fedora 18.1.8-1.fc40)",
// "Ubuntu clang version 14.0.0-1ubuntu1.1".
func ParseClangVersion(out string) (Version, error) {
	first := firstLineOf(out)
	m := clangLineRE().FindStringSubmatch(first)
	if m == nil {
		return Version{}, fmt.Errorf("unexpected clang version output %q: want \"... version X.Y.Z ...\"", first)
	}
	return kernelVersion(m[1], m[2])
}

// The kernel's sed for libclang: 's:.*clang version ([0-9]+\.[0-9]+\.[0-9]+).*:\1:p',
// on every line.
var libclangRE = lazyre.New(`^.*clang version ([0-9]+\.[0-9]+\.[0-9]+)([^ \]]*)`)

// LibclangProbeHeader is the header the kernel hands bindgen to learn the
// version of the libclang it loaded
// (scripts/rust_is_available_bindgen_libclang.h): libclang prints the
// message as a warning on stderr.
const LibclangProbeHeader = "#pragma message(\"clang version \" __clang_version__)\n"

// ParseLibclangVersion finds "clang version X.Y.Z" in what bindgen printed
// on stderr for LibclangProbeHeader, as the kernel does: on any line (the
// last one of that line; of several lines, the first is compared):
// "clang diag: h.h:1:9: warning: clang version 14.0.6  [-W#pragma-messages]".
func ParseLibclangVersion(out string) (Version, error) {
	for _, l := range strings.Split(out, "\n") {
		if m := libclangRE().FindStringSubmatch(l); m != nil {
			return kernelVersion(m[1], m[2])
		}
	}
	return Version{}, fmt.Errorf("bindgen did not print libclang's version (no \"clang version X.Y.Z\" in %q)", firstLine(out))
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return l
}

// Pin is a version pin from the spec: an exact version ("1.78.0") or a
// go-version constraint (">= 1.78.0, < 1.90.0").
type Pin struct {
	Text  string
	exact *goversion.Version
	cons  goversion.Constraints
}

// ParsePin parses a pin as vendor-spec validates it.
func ParsePin(s string) (Pin, error) {
	p := Pin{Text: s}
	if v, err := goversion.NewVersion(s); err == nil {
		p.exact = v
		return p, nil
	}
	c, err := goversion.NewConstraint(s)
	if err != nil {
		return Pin{}, fmt.Errorf("pin %q is neither a version nor a version constraint: %w", s, err)
	}
	p.cons = c
	return p, nil
}

// Exact returns the pinned version when the pin is exact.
func (p Pin) Exact() (Version, bool) {
	if p.exact == nil {
		return Version{}, false
	}
	seg := p.exact.Segments()
	v := Version{}
	if len(seg) > 0 {
		v.Major = seg[0]
	}
	if len(seg) > 1 {
		v.Minor = seg[1]
	}
	if len(seg) > 2 {
		v.Patch = seg[2]
	}
	return v, true
}

// Allows reports whether v's release satisfies the pin. Suffixes
// ("-nightly", "+dfsg1") are ignored, as the kernel ignores them: a
// nightly 1.80.0 satisfies ">= 1.78.0" and "1.80.0".
func (p Pin) Allows(v Version) bool {
	if e, ok := p.Exact(); ok {
		return v.Compare(e) == 0
	}
	gv, err := goversion.NewVersion(v.Release())
	if err != nil {
		return false
	}
	return p.cons.Check(gv)
}

// AllowsBelow reports whether an exact pin is below min. Constraints are
// not judged (it reports false): the installed version is checked instead.
func (p Pin) AllowsBelow(min Version) bool {
	if e, ok := p.Exact(); ok {
		return e.Compare(min) < 0
	}
	return false
}
