package verify

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/rvendor/rvendor/internal/quote"
	"github.com/rvendor/rvendor/tree"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

// ErrUpdateInProgress is wrapped by the error Verify returns when an
// rvendor update was committing while it ran (see UpdateInProgressError).
var ErrUpdateInProgress = errors.New("an rvendor update is in progress (or was interrupted)")

// UpdateInProgressError says that what Verify read is not one state of
// the tree: an rvendor update committed (or was interrupted) during the
// run, so a file vanished under it or the tree no longer matches the lock
// and sum it was given. Verify returns it instead of an error (a read that
// failed because a file or folder is gone, rvendor.sum not matching
// rvendor.lock...) or a report with drift, when either a journal of an
// update is there (tree.Pending) or rvendor.lock or rvendor.sum was
// replaced since the caller read them (Options.Inputs). Running verify
// again after the update gives a true answer. It wraps
// ErrUpdateInProgress and Err.
type UpdateInProgressError struct {
	// Journal is true when an update's journal is there: an update is
	// committing, or was interrupted and "rvendor update" finishes it.
	Journal bool
	// Changed names the files (rvendor.lock, rvendor.sum) replaced
	// since they were read.
	Changed []string
	// Err is the error Verify met, or nil when the tree drifted.
	Err error
}

func (e *UpdateInProgressError) Error() string {
	var why []string
	if e.Journal {
		why = append(why, "an update's journal is there")
	}
	if len(e.Changed) > 0 {
		why = append(why, strings.Join(e.Changed, " and ")+" changed while verify ran")
	}
	msg := ErrUpdateInProgress.Error() + ": " + strings.Join(why, ", and ")
	if e.Err != nil {
		msg += " (" + quote.Path(e.Err.Error()) + ")"
	}
	return msg
}

// Unwrap returns ErrUpdateInProgress and Err.
func (e *UpdateInProgressError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrUpdateInProgress}
	}
	return []error{ErrUpdateInProgress, e.Err}
}

// Inputs identifies the rvendor.lock and rvendor.sum files of a tree at
// one moment (their inode, size and modification time), to tell later
// whether an update replaced them: updates write both by rename, and
// write nothing when nothing changes.
type Inputs struct {
	files [2]fs.FileInfo // LockName, SumName; nil when absent
}

var inputNames = [2]string{vendorspec.LockName, vendorspec.SumName}

// InputsOf returns the Inputs of the tree whose spec is in root. Take it
// before reading the lock and sum that Options will carry.
func InputsOf(root string) *Inputs {
	var in Inputs
	for i, name := range inputNames {
		if fi, err := os.Lstat(filepath.Join(root, name)); err == nil {
			in.files[i] = fi
		}
	}
	return &in
}

// changed names the files of in that differ in now.
func (in *Inputs) changed(now *Inputs) []string {
	var out []string
	for i, name := range inputNames {
		a, b := in.files[i], now.files[i]
		switch {
		case a == nil && b == nil:
		case a == nil || b == nil || !os.SameFile(a, b) || a.Size() != b.Size() || !a.ModTime().Equal(b.ModTime()):
			out = append(out, name)
		}
	}
	return out
}

// orRaced returns err, or an *UpdateInProgressError wrapping it when an
// update committed meanwhile (see raced). A context error stays itself.
func (in *Inputs) orRaced(root string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if raced := in.raced(root, err); raced != nil {
		return raced
	}
	return err
}

// raced returns an *UpdateInProgressError when an update committed, or is
// committing, in root since in was taken; else nil. err is the error
// met, or nil for drift.
func (in *Inputs) raced(root string, err error) error {
	e := &UpdateInProgressError{Journal: tree.Pending(root), Changed: in.changed(InputsOf(root)), Err: err}
	if !e.Journal && len(e.Changed) == 0 {
		return nil
	}
	return e
}
