package engine

import (
	"errors"
	"fmt"

	"github.com/rvendor/rvendor/tree"
)

// Code classifies an error for the command line's exit status.
type Code int

// Error codes. They match rvendor's exit statuses.
const (
	// Failed: a fetch, a check or the operation failed, or a patch
	// conflicts; nothing was changed.
	Failed Code = 1
	// Unusable: bad usage, a spec, lock or sum that cannot be used, or a
	// pending state (a conflicted or interrupted update) in the way.
	Unusable Code = 2
)

// Error is an error with its exit class and, when there is one, what the
// user should do about it.
type Error struct {
	Code   Code
	Err    error
	Remedy string // what to run or change; "" when nothing useful can be said
}

func (e *Error) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Hint returns the remedy text; every rvendor error type with advice has
// this method.
func (e *Error) Hint() string { return e.Remedy }

// ExitCode returns the exit status the error calls for; the command
// line reads it through this method, without importing engine.
func (e *Error) ExitCode() int { return int(e.Code) }

// unusable returns an Error of code Unusable.
func unusable(err error, hint string) error { return &Error{Code: Unusable, Err: err, Remedy: hint} }

// failed returns an Error of code Failed.
func failed(err error, hint string) error { return &Error{Code: Failed, Err: err, Remedy: hint} }

// unusablef formats an Unusable error.
func unusablef(hint, format string, args ...any) error {
	return unusable(fmt.Errorf(format, args...), hint)
}

// ErrConflictPending is wrapped by the error of a command that refuses to
// run while a conflicted update waits for Continue or Abort.
// It is tree's, which verify checks for without importing the engine.
var ErrConflictPending = tree.ErrConflictPending

// ErrNothingToRecord is wrapped when patch record finds no undeclared
// edit.
var ErrNothingToRecord = errors.New("no undeclared edits to record")
