package realdata

import (
	"path/filepath"
	"testing"
)

// Rust inputs installed by .ci/realdata.d/20-*.sh … 22-*.sh.

// RustWebSrc196 returns the library/ folder of Debian's rust-web-src
// (Rust 1.96), a whole rustc source tree under usr/src/rustc-1.96.0.
func RustWebSrc196(t testing.TB) string {
	return Path(t, "rust-web-src/usr/src/rustc-1.96.0/library")
}

// RustcOrig163 returns Debian's repack of the upstream Rust 1.63 source
// tarball, rustc_1.63.0+dfsg1.orig.tar.xz: top folder rustc-1.63.0-src/,
// about 32.5 MB, 51,690 entries.
func RustcOrig163(t testing.TB) string {
	return Path(t, "rustc-orig/rustc_1.63.0+dfsg1.orig.tar.xz")
}

// Rustc is an unpacked (not installed) Debian rustc.
type Rustc struct {
	Bin    string // the rustc executable
	LibDir string // holds librustc_driver-*.so: put it on LD_LIBRARY_PATH
}

// Env returns the environment entries that let Bin run:
// LD_LIBRARY_PATH=LibDir.
func (r Rustc) Env() []string { return []string{"LD_LIBRARY_PATH=" + r.LibDir} }

// Rustc163 returns Debian's rustc 1.63 (LLVM 14), unpacked with
// libstd-rust-1.63 under rustc-1.63/.
func Rustc163(t testing.TB) Rustc {
	d := Path(t, "rustc-1.63/usr")
	return Rustc{Bin: filepath.Join(d, "bin/rustc"), LibDir: filepath.Join(d, "lib/x86_64-linux-gnu")}
}

// RustcWeb196 returns Debian's rustc-web 1.96 (LLVM 22), unpacked with
// libstd-rust-web-1.96 under rustc-web/.
func RustcWeb196(t testing.TB) Rustc {
	d := Path(t, "rustc-web/usr")
	return Rustc{Bin: filepath.Join(d, "bin/rustc"), LibDir: filepath.Join(d, "lib/x86_64-linux-gnu")}
}
