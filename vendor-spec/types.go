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

	Pos Positions // "network-allow[i]" -> where entry i is written
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
