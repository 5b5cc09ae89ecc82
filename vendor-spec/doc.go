// Package vendorspec reads and validates rvendor.toml (the spec a
// maintainer writes) and reads and writes rvendor.lock and rvendor.sum (the
// files only rvendor writes).
//
// Invariants:
//   - A Spec returned without error is valid: component names are unique
//     and match [a-z0-9-]+, versions are exact, every dest is a clean
//     relative path inside the spec's folder, no dest overlaps another or
//     holds the spec, lock or sum, hashes are 64 lowercase hex digits,
//     license expressions are valid SPDX, and paths lie under root.
//   - Every problem is reported with file:line:col, what is wrong and what
//     to write instead; unknown keys are errors, never ignored.
//   - Lock and sum bytes are a pure function of their content: the same
//     content always gives byte-identical files, sorted by component name
//     and path.
//   - For each component, the h1: hash of its files in rvendor.sum equals
//     the lock's tree hash, so either file proves the other intact.
//   - Patch queues (format still version 1; fields only added): a patched
//     component's lock entry has [[component.patch]] tables (name, sha256
//     of the patch file, files it touches), and rvendor.sum has, for each
//     file a patch changed, a line "component upstream mode size sha256
//     path" ("component upstream - - - path" for a file only a patch adds)
//     giving the pristine version. The h1: hash of the pristine view
//     (Sum.PristineFiles) equals the lock's upstream hash. Components
//     without patches are written exactly as before; an older rvendor
//     refuses a lock or sum that has these records.
package vendorspec
