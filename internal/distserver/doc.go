// Package distserver is a loopback Rust distribution server for tests,
// laid out exactly like static.rust-lang.org (see Server), serving Rust
// 1.63.0 built from real sources: Debian's rust-src library/ (from
// internal/realdata) packed into a rust-src installer tarball
// (rust-src-1.63.0/{components,rust-installer-version,rust-src/manifest.in,
// rust-src/lib/rustlib/src/rust/library/…}) and a rustc-src tarball
// (rustc-1.63.0-src/{version,git-commit-hash,library/…}), each as .tar.gz
// and .tar.xz, optionally with the real upstream tarball in place of the
// built .tar.xz. Manifests and archives are signed by a key generated per
// server with go-crypto.
//
// Invariants and limits:
//   - Archives are built once per process per library and subset, into a
//     temp folder; by default they hold DefaultSubset of library/ (core,
//     alloc, core_arch, core_simd, about 17 MB) rather than all 49 MB, to
//     stay fast. Options.FullLibrary packs everything. Entries have fixed
//     times, modes 0644/0755 and folder entries, in sorted order.
//   - Faults (SetFault) are per path and reproducible: 500, 404, truncated
//     body, stall (bounded by Options.StallFor), one flipped byte, a
//     signature by another key, a signature over other data, a redirect to
//     another loopback host.
//   - It listens on loopback only and never reaches the network.
package distserver
