// Package bundle reads and writes rvendor's air-gapped bundles: one file
// holding the upstream files an update needs, laid out as on a mirror
// (see engine.Mirror), with a manifest listing each file's size and
// sha256. It does no network access and knows nothing of specs or
// locks: the engine decides what goes in, and what a file means.
//
// # Format, version 1
//
//   - The file is a zstd stream of a tar archive.
//   - The first member is ManifestName ("rvendor-bundle.json"): a
//     Manifest as indented JSON, whose Files list every other member,
//     sorted by path, each with its size and sha256.
//   - Then one member per Files entry, in that order, each a regular
//     file.
//   - Headers are fixed: mode 0644, uid and gid 0, no user or group
//     name, modification time 0 (1970-01-01 UTC), USTAR where the name
//     fits (PAX otherwise); the compressor runs on one goroutine at a
//     fixed level. The same files give a byte-identical bundle.
//
// The digest of a member is the sha256 of its bytes, as
//
//	tar -xOf <(zstd -dc b.tar.zst) dist/channel-rust-1.63.0.toml | sha256sum
//
// prints it.
//
// # Member names
//
// CheckPath is stricter than fetch.Extract's rules, which it includes: a
// name is at most MaxPathLen bytes of at most MaxDepth elements; its
// first element is one of "dist", "index", "crates" and "archives"
// and it has at least two; every element is 1 to 255 bytes of ASCII
// letters, digits and "._-+~", not starting with "." (so no ".", "..",
// ".git", ".rvendor" or hidden name); no absolute path, backslash, NUL,
// control character or non-ASCII byte. Among a manifest's files, no two
// names are equal up to case and no name is the folder of another.
//
// # Reading
//
// Check reads a whole bundle and reports every problem; Unpack writes
// the members into a new folder and stops at the first one. Both refuse:
//
//   - a first member other than the manifest, a manifest over
//     MaxManifestSize, with unknown fields, another version, a
//     component whose name, kind or version is not 1 to 128 bytes of
//     the name characters below (they are printed), unsorted or
//     duplicate files, a bad name, size or digest, more than MaxMembers
//     files, a file over MaxMemberSize, or a total over MaxTotalSize;
//   - a member that is not a regular file (link, folder, device, fifo,
//     global header), an unsafe name, a member the manifest does not
//     list, a member seen twice, a size or sha256 other than the
//     manifest's, and a listed member that is missing;
//   - more than MaxMembers+1 tar entries, a decompressed stream longer
//     than the members allow, and anything but zero padding after the
//     tar's end;
//   - a zstd window over 128 MiB (the decoder runs on one goroutine).
//
// Sizes are enforced with io.LimitedReader{N: max + 1}, so a header that
// lies is caught too. Unpack creates dst (its parent must exist, dst must
// not), makes only folders and regular files (0755, 0644) with
// O_CREAT|O_EXCL|O_NOFOLLOW, hashes each file while writing it, and
// removes dst entirely on any error.
//
// A bundle is carried by hand: its manifest proves only that the bundle
// is whole, not where its files came from. Whoever uses the files checks
// them as if they came from the network (the engine checks manifest
// signatures, .sha256 files and crate checksums again).
package bundle
