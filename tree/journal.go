package tree

import (
	"fmt"
	"path"
	"path/filepath"
	"strconv"
	"strings"
)

// txnIDLen is the length of the hex id Begin gives a transaction.
const txnIDLen = 12

// JournalError is a journal of an interrupted update that rvendor refuses
// to act on: nothing was done with it.
type JournalError struct {
	Journal string // the journal file
	Problem string // what is wrong with it
	Fix     string // what to do
}

func (e *JournalError) Error() string {
	return fmt.Sprintf("refusing the journal of an interrupted update %s: %s; nothing was done: %s", e.Journal, e.Problem, e.Fix)
}

// journalErr makes the JournalError for a journal whose paths fail the
// checks.
func (w *Workspace) journalErr(problem error) error {
	state := filepath.Join(w.Root, StateDir)
	return &JournalError{
		Journal: filepath.Join(state, journalFile),
		Problem: problem.Error(),
		Fix: fmt.Sprintf("if a link or a file was put in the way since the update was interrupted, remove it and run rvendor update again; "+
			"otherwise the journal was not written by rvendor (it may have come with the tree): remove the folder %s and check the tree with git status", state),
	}
}

// trust checks that j was written by this workspace (see ID) and that its
// paths are sound (checkJournal).
func (w *Workspace) trust(j *journal) error {
	if j.Workspace != w.ID() {
		state := filepath.Join(w.Root, StateDir)
		problem := "it was not written in this tree (it came with the tree: committed to git, in a tarball, or copied from another tree), so it is not trusted"
		if j.Workspace == "" {
			problem = "it records no workspace id (an older rvendor wrote it, or it came with the tree), so it is not trusted"
		}
		return &JournalError{
			Journal: filepath.Join(state, journalFile),
			Problem: problem,
			Fix: fmt.Sprintf("remove the folder %s (rvendor keeps only its own passing state there) and check the tree with git status; "+
				"if this tree was copied while an update was interrupted, finish that update in the original tree instead", state),
		}
	}
	if err := w.checkJournal(j); err != nil {
		return w.journalErr(err)
	}
	return nil
}

// checkJournal checks every path of j before anything is done with it
// (see the package doc): j's id is one Begin makes; every dest passes
// Workspace.Path (or names a caller's state folder to remove); every
// staged path is strictly inside the staging folder of j's id or inside a
// caller's state folder; every old copy is exactly where Replace puts it;
// no path on the way is a symbolic link; and no swap collides with an
// earlier one.
func (w *Workspace) checkJournal(j *journal) error {
	if len(j.ID) != txnIDLen || !isHex(j.ID) {
		return fmt.Errorf("its id %q is not one rvendor makes (%d lowercase hex digits)", j.ID, txnIDLen)
	}
	for i, s := range j.Swaps {
		if err := w.checkSwap(j, i); err != nil {
			return fmt.Errorf("swap %d (dest %q): %w", i+1, s.Dest, err)
		}
	}
	return nil
}

func (w *Workspace) checkSwap(j *journal, i int) error {
	s := j.Swaps[i]
	if _, err := w.destPath(s.Dest, s.Staged == ""); err != nil {
		return err
	}
	if s.Staged != "" {
		if err := checkStaged(s.Staged, j.ID); err != nil {
			return err
		}
		if err := checkParents(w.Root, s.Staged, s.Staged); err != nil {
			return err
		}
	}
	if want := path.Join(StateDir, stagingDir, j.ID, "old", strconv.Itoa(i)); s.Aside != want {
		return fmt.Errorf("its old copy is kept at %q, not at %q", s.Aside, want)
	}
	if err := checkParents(w.Root, s.Aside, s.Aside); err != nil {
		return err
	}
	return overlaps(j.Swaps[:i], s.Dest, s.Staged)
}

// destPath checks dest (see Replace) and returns it as an absolute path.
// A caller's state folder (StateDir/name) may be named only to remove it.
func (w *Workspace) destPath(dest string, removal bool) (string, error) {
	if name, ok := strings.CutPrefix(dest, StateDir+"/"); ok && removal && checkStateName(name) == nil {
		return w.StatePath(name)
	}
	return w.Path(dest)
}
