// Package engine changes a vendored tree: it plans which components an
// update must touch, stages their new content (one stager per kind),
// carries each component's patch queue onto it, and commits everything
// in one tree.Txn. The commands update, update --continue, update
// --abort, fetch, diff, patch record, patch drop and adopt are thin
// wrappers around it; it never prints (progress and messages go out as
// Events) and never exits.
//
// Invariants:
//   - Nothing in the tree, the lock, the sum or the spec changes except
//     through commit, the one commit path shared by Update and Continue:
//     it re-checks every component (dest containment, dests that move
//     onto each other, folders rvendor did not vendor, undeclared edits)
//     right before the journal is written, so a conflicted update that is
//     continued later is held to the same rules as one that is not.
//   - Every path the engine writes goes through tree.Workspace.Path (via
//     tree.Txn), which refuses paths that leave the tree, symlinked
//     parents and rvendor's own state folder. Staging and scratch folders
//     come from the transaction (Txn.NewPath, Txn.NewDir): the engine never
//     chooses a name in a shared namespace.
//   - A change of a folder is computed from one scan: the files hashed
//     for the lock are the bytes that the patch records (patch record and
//     adopt snapshot the folder once, hashing while copying).
//   - Archives are read from an open file that the download cache
//     verified (fetch.Cache.Open); the bytes extracted are the bytes
//     hashed.
//   - Lock and sum are written only when their content changes, compared
//     after parsing, so a lock with CRLF line ends or another order is not
//     rewritten by an update with nothing to do.
//   - A conflicted update lives only in .rvendor/conflict/ (every
//     component of the update, carried or not) until Continue commits it
//     or Abort drops it; while it exists every other command that changes
//     the tree refuses to run.
//   - Errors carry their exit class (Error.Code) and remedy (Hint), never
//     a class inferred from the message text.
package engine
