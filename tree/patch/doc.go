// Package patch turns differences between two versions of a vendored
// tree into git format-patch files, applies such files back, and merges
// three versions of a file, so that maintainer edits of vendored sources
// live as a patch queue beside them.
//
// Invariants:
//   - Output is deterministic: files are sorted by path, hunks use three
//     lines of context, and a patch header holds only what the caller
//     gives (no clock is read). The same inputs give the same bytes.
//   - Patches are git format-patch compatible: "From <zero sha> Mon Sep 17
//     00:00:00 2001", From:, Date:, Subject: [PATCH], a diffstat after
//     "---", then "diff --git a/P b/P" sections with index lines (git blob
//     ids), new/deleted file and mode lines. Paths are relative to the
//     component's dest, under a/ and b/. git am and git apply accept them.
//   - Only text is diffed: a file holding a NUL byte, or not valid UTF-8,
//     is refused with a *BinaryError naming it.
//   - Apply is exact: every hunk must match at its recorded position, as
//     go-gitdiff applies it; nothing is fuzzed. When that fails, Merge3
//     merges with the version the patch was recorded against as the
//     base, writing git-style conflict markers where both sides changed
//     the same lines differently.
//   - Diffs are computed with github.com/aymanbagabas/go-udiff (Myers'
//     algorithm); patches are parsed and applied with
//     github.com/bluekeyes/go-gitdiff.
//   - This package never opens a network connection and never prints.
package patch
