// Package distserver is a loopback Rust distribution server for tests,
// laid out exactly like static.rust-lang.org (see Server), serving one or
// more Rust releases built from real sources: Debian's library/ folders
// (from internal/realdata; rust-src for 1.63.0, rust-web-src for 1.96.0)
// packed, per release, into a rust-src installer tarball
// (rust-src-VERSION/{components,rust-installer-version,rust-src/manifest.in,
// rust-src/lib/rustlib/src/rust/library/…}) and a rustc-src tarball
// (rustc-VERSION-src/{version,git-commit-hash,library/…}), each as .tar.gz
// and .tar.xz, optionally with the real upstream tarball in place of the
// built .tar.xz. Manifests and archives are signed by a key generated per
// server with go-crypto.
//
// Invariants and limits:
//   - Releases are named by Release values (version, [pkg] version, git
//     commit hash, manifest date); Releases holds the known ones
//     (Release163, Release196). The default is 1.63.0 from
//     Options.Library; Options.Versions adds more releases served from
//     the same root, each from its own library/ folder.
//   - Archives are built once per process per library, subset and
//     release, into a temp folder; by default they hold DefaultSubset of
//     library/ (core, alloc, core_arch, core_simd: about 17 MB for 1.63,
//     25 MB for 1.96) rather than everything, to stay fast.
//     Options.FullLibrary or VersionSpec.Subset {"."} packs everything.
//     Entries are dated the release's manifest date, have modes
//     0644/0755 and folder entries, in sorted order.
//   - Faults (SetFault) are per path and reproducible: 500, 404, truncated
//     body, stall (bounded by Options.StallFor), one flipped byte, a
//     signature by another key, a signature over other data, a redirect to
//     another loopback host.
//   - It listens on loopback only and never reaches the network.
package distserver
