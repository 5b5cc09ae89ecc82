// Package tree places vendored sources into a kernel tree and hashes them.
//
// Invariants:
//   - A destination folder is never half-written and never missing: new
//     content is staged on the same filesystem, then swapped in by renaming
//     the old folder aside, renaming the new one in, and only then removing
//     the old one. An interrupted swap is finished by the next run from a
//     journal written before the first rename (and after the staged
//     content is flushed to disk), or undone by RollBack from the old
//     copies kept aside until the end.
//   - Nothing is written through a path that Workspace.Path refuses: an
//     absolute, unclean or ".." path, a path at or below .git or .rvendor,
//     or one with an existing parent that is a symbolic link or not a
//     folder. Replace and WriteFile check every dest with it.
//   - Staged content lives only in paths the transaction handed out
//     (NewPath, NewDir, NewFile: each in a parent folder of its own, so
//     two never collide), or in a caller's state folder (StatePath).
//     Commit refuses, before its journal, a staged path that is gone.
//   - A journal is checked in full before anything is done with it, by
//     Commit before writing it, and again by the roll-forward and by
//     RollBack: its id is the hex form Begin makes; every dest passes
//     Workspace.Path at that moment (or names a caller's state folder to
//     remove); every staged path is strictly inside .rvendor/staging/<id>/
//     of that id (or inside a caller's state folder); every old copy is
//     exactly .rvendor/staging/<id>/old/<n>; nothing on the way is a
//     symbolic link; no swap takes away what a later one needs. A journal
//     that fails is refused with a *JournalError and never acted on.
//   - A journal is acted on only by the workspace that wrote it: it
//     records the workspace's ID (a random id kept in .rvendor/id, mode
//     0600, and that file's inode number), so a journal that came with
//     the tree (committed to git, in a tarball, or copied) is refused,
//     with a message to remove .rvendor.
//   - .rvendor is a real folder of the tree: Open and RollBack refuse it
//     (with what to remove) when it, .rvendor/staging, .rvendor/lock,
//     .rvendor/id or .rvendor/journal.json is a symbolic link or not of
//     its kind, and never follow or delete below such a link. Its files
//     are opened with O_NOFOLLOW; the journal is written to a fresh file;
//     recovery removes a link in the staging folder, not its target.
//   - The state folder belongs to one spec: the first OpenSpec records the
//     spec file's base name in .rvendor/spec, and a second spec in the
//     same folder is refused (ErrOtherSpec) instead of sharing its lock,
//     journal and staging. Open is OpenSpec for DefaultSpec.
//   - Two rvendor runs in one workspace wait for each other (flock on
//     .rvendor/lock).
//   - Hashes are Go's "h1:" directory hash (golang.org/x/mod/sumdb/dirhash
//     Hash1) over every regular file below a folder, with slash-separated
//     names relative to it.
//   - Files are written with normalized modes (0644, or 0755 when
//     executable) and no setuid, setgid or sticky bits.
//   - This package never opens a network connection.
package tree
