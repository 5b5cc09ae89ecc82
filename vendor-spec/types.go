package vendorspec

// Kinds of component.
const (
	KindRustSrc  = "rust-src"  // the rust-src component of a Rust release
	KindRustcSrc = "rustc-src" // the full rustc-X.Y.Z-src tarball
	KindCrate    = "crate"     // a crate and its locked closure from a registry
	KindArchive  = "archive"   // any tar.gz, tar.xz or tar.zst by URL and sha256
)

// SpecVersion is the only spec format version this rvendor reads.
const SpecVersion = 1

// Spec is a parsed and validated rvendor.toml.
type Spec struct {
	// Path is the file the spec was read from; Dir is its folder, the
	// root that every dest is relative to.
	Path string
	Dir  string

	Version    int
	Toolchain  Toolchain
	Sources    Sources
	Policy     Policy
	Components []*Component
}

// Policy holds the rules "rvendor policy" checks.
type Policy struct {
	// NetworkAllow lists reviewed network fetches in the build files
	// that the network lint accepts: "PATH:LINE", "PATH" (a glob),
	// "DIR/" or "re:REGEXP".
	NetworkAllow []string
	// Licenses is [policy.licenses]: which licenses vendored code may
	// carry, per role.
	Licenses Licenses
	// Advisories is [policy.advisories]: the RustSec database the
	// vendored crates and Rust library are checked against.
	Advisories Advisories

	Pos Positions // "network-allow[i]" -> where entry i is written
}

// Advisories is [policy.advisories] of the spec.
type Advisories struct {
	// DB is the folder of a local copy of the RustSec advisory
	// database, relative to the spec's folder unless absolute.
	DB string
	// MaxAgeDays, when positive, fails the check when the database's
	// newest advisory is older than that many days.
	MaxAgeDays int
	// OS and Arch restrict advisories with an [affected] os or arch
	// list to the target's ("linux", "x86_64"); "" checks them all.
	OS, Arch string
	// Ignore lists advisories (by id or alias) not to fail on.
	Ignore []*AdvisoryIgnore

	Pos Positions
}

// AdvisoryIgnore is one [[policy.advisories.ignore]].
type AdvisoryIgnore struct {
	ID     string
	Reason string

	Pos Positions
}

// Roles of a component: what its code becomes in a kernel build.
const (
	// RoleBuiltIn code is compiled into the kernel image or its modules
	// (Rust's core and alloc). It is the default.
	RoleBuiltIn = "built-in"
	// RoleHostTool code runs on the build machine and is never linked
	// into the kernel (bindgen).
	RoleHostTool = "host-tool"
)

// Roles returns the roles a component can take, in the order reports
// show them.
func Roles() []string { return []string{RoleBuiltIn, RoleHostTool} }

// RoleOf returns c's role: RoleBuiltIn when the spec names none.
func (c *Component) RoleOf() string {
	if c.Role == "" {
		return RoleBuiltIn
	}
	return c.Role
}

// Licenses is the license policy, [policy.licenses] of the spec.
type Licenses struct {
	// Rules is what the table itself says: the rules of every role that
	// does not have a table of its own ([policy.licenses.host-tool]).
	Rules LicenseRules
	// Roles holds the rules of roles with a table of their own.
	Roles map[string]*LicenseRules
	// Exceptions lets one component or crate pass with a license the
	// rules do not allow, for a reason.
	Exceptions []*LicenseException
	// Clarifications conclude the license of a file whose license
	// cannot be detected, pinned by its sha256.
	Clarifications []*Clarification

	Pos Positions
}

// Written reports whether the spec has a license policy at all.
func (l *Licenses) Written() bool {
	return l.Rules.Kernel || len(l.Rules.Allow) > 0 || len(l.Roles) > 0 || len(l.Exceptions) > 0 || len(l.Clarifications) > 0
}

// For returns the rules of role: its own table's, or the shared ones.
func (l *Licenses) For(role string) *LicenseRules {
	if r, ok := l.Roles[role]; ok {
		return r
	}
	return &l.Rules
}

// LicenseRules are the rules of one role.
type LicenseRules struct {
	// Kernel takes the allowed licenses from the tree's own LICENSES/
	// folder, with the kernel's rules for each of its sub-folders.
	Kernel bool
	// Allow lists SPDX ids or expressions, checked by satisfaction: an
	// expression passes when some way of taking it uses allowed
	// licenses only. With Kernel, both must hold.
	Allow []string

	Pos Positions // "allow[i]" -> where entry i is written
}

// LicenseException is one [[policy.licenses.exception]].
type LicenseException struct {
	Component string // the component it applies to
	Crate     string // "", a crate name, or "name@version" in the component's closure
	License   string // the expression it lets through, exactly as declared or concluded
	Reason    string

	Pos Positions
}

// Clarification is one [[policy.licenses.clarify]]: the license of one
// file, concluded by a person where detection cannot, and pinned to the
// file's content.
type Clarification struct {
	Component string
	Crate     string // "" or "name@version"
	Path      string // relative to the component's dest, or to the crate's folder
	SHA256    string // of the file: a mismatch is an error, never a fallback
	License   string // the concluded expression
	Reason    string

	Pos Positions
}

// Toolchain holds the pins checked against the installed tools.
type Toolchain struct {
	Rustc    string // exact version or go-version constraint
	Bindgen  string
	Libclang string // go-version constraint such as ">= 13.0.1"
	// RequireLLVMMatch makes a rustc/clang LLVM major mismatch an error.
	RequireLLVMMatch bool

	Pos Positions // key -> where its value is written
}

// Sources configures where upstream content comes from.
type Sources struct {
	RustDist      string   // root of the Rust distribution server
	CratesIndex   string   // crates registry index
	Mirrors       []string // tried in order
	Keyring       string   // OpenPGP keyring replacing the embedded Rust key
	AllowUnsigned bool

	Pos Positions
}

// Component is one [[component]] of the spec: one upstream source placed
// into one dest folder.
type Component struct {
	Name    string
	Kind    string
	Version string

	// archive
	URL    string
	SHA256 string

	// crate
	Crate     string
	Lockfile  string
	Platforms []string

	// Root is the folder of the source that Dest mirrors; Paths and
	// Exclude are written as paths in the source and lie under Root.
	Root    string
	Paths   []string
	Exclude []string

	Dest    string // slash-separated, relative to the spec's folder
	License string // declared SPDX expression
	Patches string // maintainer patch queue folder

	// Role is what the component's code becomes: RoleBuiltIn (when
	// empty) or RoleHostTool. A crate component's role covers its
	// whole closure.
	Role string
	// SPDXHeader, when set, is the SPDX expression stamped as an
	// "SPDX-License-Identifier:" line into every source file that lacks
	// one, before the patch queue applies.
	SPDXHeader string
	// Readme writes a generated README.md into dest saying where the
	// component comes from, its license and its patch queue.
	Readme bool

	Pos Positions // key -> where its value is written; "" for the table header
}

// Positions maps a key of a table to where its value is written.
type Positions map[string]Position

// At returns the position of key, or of the table header when key is
// not written.
func (p Positions) At(key string) Position {
	if pos, ok := p[key]; ok {
		return pos
	}
	return p[""]
}

// Component returns the component named name, or nil.
func (s *Spec) Component(name string) *Component {
	for _, c := range s.Components {
		if c.Name == name {
			return c
		}
	}
	return nil
}
