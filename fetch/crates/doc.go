// Package crates vendors a crate and its locked closure from a crates
// registry into a cargo directory source. It reads registries and
// Cargo.lock files, downloads and checks .crate files, writes
// .cargo-checksum.json files, evaluates cfg expressions and replaces
// crates only other platforms need by stubs. It never resolves
// dependencies: the closure is exactly a Cargo.lock's packages.
//
// Invariants of Vendor:
//   - The closure comes from Options.Lockfile when given, else from the
//     Cargo.lock the crate ships (as `cargo install --locked` uses it); a
//     crate shipping none is an error saying to name a lockfile.
//   - Every package other than the root must have a crates.io registry
//     source and a 64-hex checksum in the lock; a path, workspace, git or
//     other-registry source, or a missing checksum, is a *PackageError
//     naming the package, with a hint. The root's checksum comes from the
//     index (and must equal the lock's when the lock records one).
//   - With a sparse index, every package's index entry is read (once per
//     crate name): a crate or version the index lacks wraps ErrNotFound,
//     an index cksum that differs from the lock wraps ErrChecksum, and a
//     yanked version wraps ErrYanked unless Options.AllowYanked, which
//     turns it into a warning in Result.Warnings.
//   - Every .crate comes from the fetch.Cache, content-addressed by the
//     lock's checksum, and is read once: the cache file is hashed while
//     it is decompressed and unpacked into dst (a staging folder),
//     through one descriptor, and nothing unpacked is read, kept or
//     returned before its sha256 equals the lock's. When the cache file
//     is missing, cannot be opened or does not match, what it unpacked
//     is removed and the .crate is fetched with fetch.Cache.Open (which
//     replaces a corrupt file) from the registry's dl location and then
//     each mirror in order; a download whose checksum mismatches stops at
//     once (a security error, never retried elsewhere), and the
//     descriptor Open verified is the one unpacked (and hashed again).
//     Index files have no known hash and are read through
//     Registry.Getter, by default the same fetch.Cache (fetch's URL
//     policy and redirect rule: https, loopback http, file://; 404 is
//     ErrNotFound; other failures retried). A registry may live on disk:
//     crates-index = "sparse+file:///path/", with a file:// dl.
//   - At most Options.Jobs crates are fetched at once, and at most
//     min(Options.Jobs, GOMAXPROCS) are unpacked at once, each slot
//     reusing its read buffer, hash and fetch.Extractor (gzip decoder,
//     read-ahead blocks): memory does not grow with the closure.
//     Extraction is fetch.Extract's, with its limits and refusals.
//   - Each crate lands in dst/NAME, or dst/NAME-VERSION for all but the
//     highest version of a name (cargo vendor's rule), holding the .crate's
//     files minus those cargo vendor drops (VendorSkipped) and a
//     .cargo-checksum.json byte-identical to cargo vendor's
//     (MarshalChecksum). A crate whose Cargo.toml names another package is
//     refused.
//   - With Options.Platforms, a crate is kept when the root reaches it
//     through dependencies that hold for some listed target (unconditional
//     ones, or [target.KEY] tables whose cfg or triple matches; the root's
//     dev-dependencies count; undeclared lock edges are kept). Others
//     become stubs: the same Cargo.toml minus build script, links, targets
//     and file references (so Cargo.lock stays valid and features exist),
//     an empty src/lib.rs, and a matching .cargo-checksum.json keeping the
//     package checksum.
//   - dst also gets the closure's Cargo.lock (LockName) and a cargo
//     configuration (ConfigName) replacing crates.io by dst and setting
//     net.offline; its directory is relative, as cargo resolves it against
//     the parent of the file's folder.
//   - Result.Files lists every file of dst with the hashes computed while
//     writing; on any error dst is removed.
package crates
