// Package verify checks that the vendored folders of a kernel tree hold
// exactly what rvendor.lock and rvendor.sum record. It runs on every
// kernel build, so it is offline and fast.
//
// Invariants:
//   - Offline: this package and everything it imports never open a
//     network connection; it does not import net or net/http (a test
//     checks the import graph).
//   - Read-only on the tree: Verify never creates, changes or removes
//     anything below the spec's folder. The only file it writes is the
//     stat cache, outside the tree, written atomically (temp file and
//     rename); a cache path inside the spec's folder, even through a
//     symlink, is never written, nor any folder created for it.
//   - Never hides a content change: without a stat cache every file is
//     read and hashed. With one, a file is taken as unchanged only when
//     its size, mtime, ctime, inode, device and mode all equal what was
//     recorded when it was last hashed, and both its times were older,
//     by at least RacyMargin, than the start of the run that recorded
//     it ("racy git" handling), so an edit in the same clock tick as that
//     run is still found. A corrupt, truncated or foreign cache is
//     ignored and rewritten; a cache that cannot be written is skipped,
//     never an error.
//   - Exact names: every drifted file is named, slash-separated and
//     relative to its component's dest: modified content, added,
//     deleted, mode changed (0644/0755 as recorded), or wrong type (a
//     symlink, folder, FIFO… where a file should be, or any such entry
//     where nothing should be). Empty folders are not content and are
//     ignored, as the h1: hash ignores them.
//   - Inputs are checked before anything is judged: for every locked
//     component the h1: hash of its files in rvendor.sum must equal the
//     lock's tree hash, and its file and byte counts must match, else
//     Verify returns a *SumMismatchError and no report. The check runs
//     while the dests are scanned; its error comes before any other, and
//     no report is made and no stat cache written without it.
//   - Crates named: for a crate component, each named path is also
//     placed in its crate of the locked closure (name, version, folder
//     and the path inside it), in ComponentReport.CrateFiles.
//   - Updates are told from drift: Verify takes no lock, so an update may
//     commit while it runs. When a read fails (a file or folder is gone,
//     the sum does not match the lock...) or the tree drifted, and an
//     update's journal is there (tree.Pending) or rvendor.lock or
//     rvendor.sum was replaced since the caller read them
//     (Options.Inputs), Verify returns an *UpdateInProgressError
//     (errors.Is ErrUpdateInProgress) instead of the error or the report.
//   - Library code: nothing is printed. Drift is a Report (Clean,
//     ExitCode, Err); bad input is a returned error. Paths in the
//     report's lists are raw (renderers quote them with internal/quote);
//     the names inside its sentences (Stale, Hint) are quoted already.
//
// Statuses of a component, in Report.Components:
//   - clean: dest holds exactly the locked files.
//   - drift: some file differs; see the lists.
//   - stale: the spec changed since the last update (Stale lists how);
//     the files are still checked against the lock.
//   - not-vendored: in the spec but not in the lock; run rvendor update.
//   - missing: the dest folder is gone.
//   - removed: in the lock but no longer in the spec; run rvendor update
//     to drop it. Its files are still checked against the lock.
package verify
