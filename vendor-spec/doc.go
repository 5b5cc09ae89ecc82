// Package vendorspec reads and validates rvendor.toml (the spec a
// maintainer writes), edits it in place, and reads and writes
// rvendor.lock and rvendor.sum (the files only rvendor writes).
//
// Its folder is vendor-spec but its name is vendorspec: a package name
// is a Go identifier, and an identifier cannot hold a hyphen, so the
// name cannot be the last element of the import path as it usually is.
// Importers therefore name it explicitly:
//
//	import vendorspec "github.com/rvendor/rvendor/vendor-spec"
//
// The folder keeps its name because every importer and document spells
// the path that way; only the package clause says vendorspec.
//
// Invariants:
//   - A Spec returned without error is valid: component names are unique
//     and match [a-z0-9-]+, versions are exact, every dest is a clean
//     relative path inside the spec's folder, no dest overlaps another or
//     holds the spec, lock or sum, hashes are 64 lowercase hex digits,
//     license expressions are valid SPDX, and paths lie under root.
//   - Every problem is reported with file:line:col, what is wrong and what
//     to write instead; unknown keys are errors, never ignored.
//   - rvendor.lock and rvendor.sum are committed files in a tree cloned
//     from others, so they are as hostile as the network: every name and
//     path read from them is checked as strictly as the spec's dest, by
//     the one checker the spec uses (see Paths below), and a bad one is
//     refused when the file is read, as a "security error" *Error at its
//     file:line:col with the hint to restore the file from version
//     control.
//   - A UTF-8 byte order mark at the start of the spec, lock or sum is
//     skipped; positions count from after it. An empty lock, or one with
//     no version, says so instead of naming a format version 0.
//   - Edits (SpecFile) keep every byte they need not change: comments,
//     spacing, key order, quote style, CRLF line ends and a BOM. An edit
//     whose result does not parse and validate returns the error and
//     changes nothing.
//   - Lock and sum bytes are a pure function of their content: the same
//     content always gives byte-identical files, sorted by component name
//     and path.
//   - For each component, the h1: hash of its files in rvendor.sum equals
//     the lock's tree hash (dirhash: paths and sha256s only), and the s1:
//     hash of its lines of rvendor.sum (Sum.ComponentHash: every field,
//     modes and sizes included) equals the lock's sum field, so the lock
//     commits to the whole sum and either file proves the other intact.
//     A lock written before the sum field existed still parses, with the
//     field empty: callers decide what that means (verify reports such a
//     component as not sealed: run rvendor update). Lock.SealSum sets the
//     field; CheckSumHash checks it.
//   - Patch queues (format still version 1; fields only added): a patched
//     component's lock entry has [[component.patch]] tables (name, sha256
//     of the patch file, files it touches), and rvendor.sum has, for each
//     file a patch changed, a line "component upstream mode size sha256
//     path" ("component upstream - - - path" for a file only a patch adds)
//     giving the pristine version. The h1: hash of the pristine view
//     (Sum.PristineFiles) equals the lock's upstream hash. Components
//     without patches are written exactly as before; an older rvendor
//     refuses a lock or sum that has these records.
//
// # Paths
//
// Every path read from the spec, the lock or the sum is non-empty valid
// UTF-8 with no control character (NUL and newline included), relative
// (no leading /), slash-separated (no backslash) and clean (no "", "."
// or ".." element). On top of that:
//   - Tree paths (dest, lockfile, the spec's patches) are relative to the
//     spec's folder; they have no drive letter ("c:/x"), and they are not
//     and do not lie in rvendor.toml, rvendor.lock, rvendor.sum, .rvendor
//     or a .git folder (ReservedPath).
//   - Source paths (root, paths, added) and exclude patterns have the
//     shape only; each element of a pattern is a valid path.Match
//     pattern ("**" included).
//   - Paths relative to a dest (rvendor.sum's paths, a patch's files)
//     have the shape only, exactly what fetch.Extract accepts of an
//     entry name, so every file rvendor vendors reads back.
//   - A patch's name is one element ending in .patch; a crate's dir is
//     its name or name-version (one element below dest); a crate's name
//     is ASCII letters, digits, - and _; component names in the lock and
//     the sum match [a-z0-9-]+ as in the spec.
package vendorspec
