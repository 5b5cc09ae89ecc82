package realdata

import "testing"

// Linux kernel inputs installed by .ci/realdata.d/40-*.sh and 41-*.sh.

// Linux612 returns the top of Debian's linux-source-6.12 tree (6.12.117),
// unpacked under linux-6.12/: LICENSES/, Documentation/process/
// license-rules.rst and scripts/spdxcheck.py among the rest.
func Linux612(t testing.TB) string {
	return Path(t, "linux-6.12")
}

// CratesBindgen returns the cargo registry folder of Debian's bindgen
// 0.60.1 closure, crates-bindgen/usr/share/cargo/registry: one folder per
// crate, named <crate>-<version>, each with its Cargo.toml and license
// files.
func CratesBindgen(t testing.TB) string {
	return Path(t, "crates-bindgen/usr/share/cargo/registry")
}
