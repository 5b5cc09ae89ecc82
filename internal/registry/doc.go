// Package registry builds a crates registry for tests from unpacked crate
// folders (Debian's /usr/share/cargo/registry, installed by
// .ci/realdata.d/60-crates-bindgen.sh) and serves it from a loopback HTTP
// server laid out exactly like crates.io.
//
// Invariants and limits:
//   - Build packs each crate folder of the closure into a real .crate: a
//     gzip tar with the prefix name-version/, files only, sorted, mode
//     0644 or 0755, a fixed time, plus a Cargo.toml.orig as cargo package
//     writes one. Debian's additions (.cargo-checksum.json, debian/) are
//     left out. Checksums are the sha256 of these files, so the lock, the
//     index and the .crate files agree (Debian's own checksums are empty
//     or "Could not get crate checksum").
//   - The closure's Cargo.lock is generated with
//     `cargo generate-lockfile --offline` against the source folder (the
//     root crate's dev-dependencies removed first, as Debian does not ship
//     them all), then its checksums are replaced by the real ones.
//   - Two flavours of the root crate exist: "lib" ships no Cargo.lock (as
//     the library crate bindgen), "bin" ships the generated Cargo.lock (as
//     bindgen-cli does). Every other crate is the same in both.
//   - The server answers /{flavour}/index/config.json, the sparse index
//     paths 1/{n}, 2/{n}, 3/{c}/{n} and {n[0:2]}/{n[2:4]}/{n}, and the
//     download /{flavour}/dl/{crate}/{version}/download. The flavour may
//     carry faults, comma-separated after a "+": tamper=NAME (one byte of
//     NAME's .crate flipped), absent=NAME (its download answers 404),
//     index404=NAME (its index file answers 404), yank=NAME (its versions
//     are yanked in the index). Faults are per URL, so tests sharing one
//     server do not disturb each other.
//   - Index lines carry name, vers, deps (from Cargo.toml, so that real
//     cargo resolves against the server), cksum, features, yanked, links,
//     and v = 2 with features2 when a feature uses "dep:" or "?/".
//   - It listens on loopback only and never reaches the network.
package registry
