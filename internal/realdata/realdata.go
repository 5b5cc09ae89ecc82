// Package realdata locates the real upstream inputs (Debian's Rust
// sources, compilers, crates and kernel trees) that .ci/realdata.sh
// installs, and skips a test clearly when they are absent.
//
// Invariant: a test that asks for a missing input is skipped with a
// message naming the input and the command that installs it; it never
// fails for lack of data and never downloads anything itself.
package realdata

import (
	"os"
	"path/filepath"
	"testing"
)

// EnvVar names the folder that holds the real inputs.
const EnvVar = "RVENDOR_REALDATA"

// DefaultDir is where .ci/realdata.sh installs when EnvVar is unset.
const DefaultDir = "/var/cache/rvendor-realdata"

// Root returns the folder holding the real inputs.
func Root() string {
	if d := os.Getenv(EnvVar); d != "" {
		return d
	}
	return DefaultDir
}

// Path returns Root()/rel when it exists, and otherwise skips t with a
// message saying how to install it.
func Path(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(Root(), rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("real-data input %s not installed: run `bash .ci/realdata.sh` (as root, with apt) or set %s; skipping", p, EnvVar)
	}
	return p
}

// RustSrc163 returns the library/ folder of Debian's rust-src (Rust 1.63).
func RustSrc163(t testing.TB) string {
	return Path(t, "rust-src/usr/src/rustc-1.63.0/library")
}
